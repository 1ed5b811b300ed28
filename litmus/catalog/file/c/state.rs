//! The init block and the condition, read with `state.pest` into
//! [`InitItem`]s and a [`Condition`], with herd7's checks that need no
//! threads: a type whose size herd knows, arrays whose values match their
//! size, 32-bit constants. Thread numbers are checked against the program
//! by the caller.

use super::CError;
use super::ast::{
    AtomValue, Condition, InitItem, InitTarget, InitValue, Observable, Pos, Prop, Quantifier,
};
use super::diagnose::{self, Part};
use super::scan::{MAX_DEPTH, Section, Where, blank_ml_comments, check_brackets};
use pest::Parser;
use pest::iterators::Pair;

#[derive(pest_derive::Parser)]
#[grammar = "litmus/catalog/file/c/state.pest"]
struct StateGrammar;

/// The largest array this reader makes (herd has no bound).
const MAX_ARRAY: usize = 1024;

/// Types whose size herd knows (`lib/testType.ml` `size_of`).
#[rustfmt::skip]
const SIZED_TYPES: &[&str] = &[
    "atomic_t", "int", "long", "int32_t", "uint32_t", "char", "int8_t", "uint8_t", "short",
    "int16_t", "uint16_t", "int64_t", "uint64_t", "__int128_t", "__uint128_t", "__int128",
    "__uint128", "int128_t", "uint128_t", "intptr_t", "uintptr_t", "pteval_t",
];

pub fn init(at: &Where, s: Section) -> Result<Vec<InitItem>, CError> {
    let text = blank_ml_comments(at, s)?;
    let blanked = Section {
        text: &text,
        start: s.start,
    };
    check_brackets(at, blanked, false)?;
    let top = StateGrammar::parse(Rule::init, &text)
        .map_err(|e| diagnose::explain(at, blanked, Part::Init, &e, describe))?;
    let b = Builder {
        at,
        base: s.start,
        threads: None,
    };
    let mut items = Vec::new();
    for pair in top.flatten().filter(|p| p.as_rule() == Rule::init_item) {
        items.push(b.init_item(pair)?);
    }
    Ok(items)
}

/// The condition, whose registers must belong to one of `threads` threads.
pub fn condition(at: &Where, s: Section, threads: usize) -> Result<Condition, CError> {
    let text = blank_ml_comments(at, s)?;
    let blanked = Section {
        text: &text,
        start: s.start,
    };
    check_brackets(at, blanked, false)?;
    let top = StateGrammar::parse(Rule::cond, &text)
        .map_err(|e| diagnose::explain(at, blanked, Part::Condition, &e, describe))?;
    let b = Builder {
        at,
        base: s.start,
        threads: Some(threads),
    };
    let mut condition = Condition {
        locations: Vec::new(),
        filter: None,
        quantifier: Quantifier::Forall,
        prop: Prop::True,
        written: false,
    };
    for part in top.flatten() {
        match part.as_rule() {
            Rule::locations => {
                for o in part
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::observable)
                {
                    condition.locations.push(b.observable(o)?);
                }
            }
            Rule::filter => {
                condition.filter = Some(b.prop(b.only(part.into_inner(), Rule::prop)?)?.0)
            }
            Rule::constr => b.constr(part, &mut condition)?,
            _ => {}
        }
    }
    Ok(condition)
}

/// What a rule stands for in "expected ..." messages.
fn describe(rule: &Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::init_item | Rule::typed_array | Rule::typed_ptr | Rule::typed | Rule::plain => {
            "an item such as 'int x = 1'"
        }
        Rule::deref_ptr => "'*p = &x'",
        Rule::semi => "';'",
        Rule::rpar => "')'",
        Rule::rbrk => "']'",
        Rule::rcurly => "'}'",
        Rule::value | Rule::num | Rule::atom_value => "a value",
        Rule::atomic_init => "ATOMIC_INIT(n)",
        Rule::left_loc | Rule::observable | Rule::reg_loc | Rule::bracketed | Rule::sname => {
            "a location such as x or 0:r1"
        }
        Rule::thread_id => "a thread number",
        Rule::locations => "'locations'",
        Rule::filter => "'filter'",
        Rule::quantifier | Rule::constr => "exists, ~exists or forall",
        Rule::prop | Rule::conj | Rule::implication | Rule::unary | Rule::prop_primary => {
            "a proposition"
        }
        Rule::atom => "an atom such as 0:r0=1",
        Rule::cmp_eq | Rule::cmp_ne => "'=' or '!='",
        Rule::op_or | Rule::op_and | Rule::op_implies => "'/\\', '\\/' or '=>'",
        Rule::EOI => "the end",
        _ => return None,
    })
}

struct Builder<'w> {
    at: &'w Where,
    base: usize,
    /// How many threads the test has, when registers are checked here.
    threads: Option<usize>,
}

/// herd's `Bad process P3`, in words.
pub fn no_such_thread(what: &str, thread: usize, threads: usize) -> String {
    let have = match threads {
        0 => "no thread".to_string(),
        1 => "P0".to_string(),
        n => format!("P0..P{}", n - 1),
    };
    format!("{what} names thread {thread}, which the test does not have ({have})")
}

type Res<T> = Result<T, CError>;

impl Builder<'_> {
    fn pos(&self, p: &Pair<Rule>) -> Pos {
        self.at.pos(self.base + p.as_span().start())
    }

    fn err<T>(&self, p: &Pair<Rule>, message: impl Into<String>) -> Res<T> {
        Err(self.at.error(self.base + p.as_span().start(), message))
    }

    /// The next pair of `rule` among `pairs`; the grammar guarantees it,
    /// so its absence is reported rather than panicked on.
    fn only<'i>(
        &self,
        pairs: impl IntoIterator<Item = Pair<'i, Rule>>,
        rule: Rule,
    ) -> Res<Pair<'i, Rule>> {
        pairs
            .into_iter()
            .find(|p| p.as_rule() == rule)
            .ok_or_else(|| CError {
                pos: Pos::default(),
                message: format!("reader bug: the grammar gave no {rule:?}"),
            })
    }

    /// One init item, whichever of herd's forms it takes.
    fn init_item(&self, pair: Pair<Rule>) -> Res<InitItem> {
        let pos = self.pos(&pair);
        let Some(form) = pair.into_inner().next() else {
            return Err(self.internal(pos));
        };
        let rule = form.as_rule();
        let mut parts = form.into_inner().peekable();
        let mut item = InitItem {
            pos,
            ty: None,
            pointer: matches!(rule, Rule::typed_ptr | Rule::deref_ptr),
            target: InitTarget::Location(String::new()),
            value: None,
        };
        if matches!(rule, Rule::typed_array | Rule::typed_ptr | Rule::typed) {
            let ty = parts.next().ok_or_else(|| self.internal(pos))?;
            item.ty = Some(ty.as_str().to_string());
            if rule != Rule::typed_ptr {
                self.check_size(&ty)?;
            }
        }
        if rule == Rule::typed_array {
            return self.array(item, parts);
        }
        let target = parts.next().ok_or_else(|| self.internal(pos))?;
        item.target = self.left_loc(target)?;
        for part in parts {
            match part.as_rule() {
                Rule::value => item.value = Some(self.value(part)?),
                Rule::atomic_init => {
                    let v = self.only(part.into_inner(), Rule::value)?;
                    item.value = Some(self.value(v)?);
                }
                _ => {}
            }
        }
        Ok(item)
    }

    fn internal(&self, pos: Pos) -> CError {
        CError {
            pos,
            message: "reader bug: the grammar's tree has an unexpected shape".to_string(),
        }
    }

    /// herd knows the size of these types only (`Cannot find the size of
    /// type T` otherwise); a lock or SRCU struct is a thread parameter.
    fn check_size(&self, ty: &Pair<Rule>) -> Res<()> {
        let name = ty.as_str();
        if SIZED_TYPES.contains(&name) {
            return Ok(());
        }
        let advice = match name {
            "spinlock_t" => "; pass the lock as a thread parameter",
            "srcu_struct" => "; pass it as a thread parameter",
            _ => "",
        };
        self.err(
            ty,
            format!(
                "'{name}' cannot be declared in the init block (herd7: Cannot find the size of type {name}){advice}"
            ),
        )
    }

    /// `int a[2] = {1,2};` (or `int a[2];`, all zeros).
    fn array<'i>(
        &self,
        mut item: InitItem,
        mut parts: impl Iterator<Item = Pair<'i, Rule>>,
    ) -> Res<InitItem> {
        let name = parts.next().ok_or_else(|| self.internal(item.pos))?;
        let size_pair = parts.next().ok_or_else(|| self.internal(item.pos))?;
        let size = size_pair
            .as_str()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_ARRAY).contains(n));
        let Some(size) = size else {
            return self.err(
                &size_pair,
                format!("an array's size must be 1 to {MAX_ARRAY} (this reader's bound)"),
            );
        };
        let given: Vec<Pair<Rule>> = parts.filter(|p| p.as_rule() == Rule::value).collect();
        let mut values = Vec::new();
        for part in &given {
            match self.value(part.clone())? {
                InitValue::Int(v) => values.push(v),
                _ => return self.err(part, "an array's values must be numbers here"),
            }
        }
        match given.first() {
            None => values = vec![0; size],
            Some(first) if values.len() != size => {
                return self.err(
                    first,
                    format!(
                        "the array '{0}' has size {size} but {1} values (herd7: Declared size of array {0} does not match initial value size)",
                        name.as_str(),
                        values.len()
                    ),
                );
            }
            Some(_) => {}
        }
        item.target = InitTarget::Location(name.as_str().to_string());
        item.value = Some(InitValue::Array(values));
        Ok(item)
    }

    /// `x`, `[x]` or `0:r1`.
    fn left_loc(&self, pair: Pair<Rule>) -> Res<InitTarget> {
        Ok(match self.observable(pair)? {
            Observable::Location(name) => InitTarget::Location(name),
            Observable::Register { thread, reg } => InitTarget::Register { thread, reg },
        })
    }

    fn observable(&self, pair: Pair<Rule>) -> Res<Observable> {
        let pos = self.pos(&pair);
        let inner = pair.into_inner().next().ok_or_else(|| self.internal(pos))?;
        match inner.as_rule() {
            Rule::reg_loc => self.register(inner),
            Rule::bracketed => {
                let name = self.only(inner.into_inner(), Rule::sname)?;
                Ok(Observable::Location(name.as_str().to_string()))
            }
            _ => Ok(Observable::Location(inner.as_str().to_string())),
        }
    }

    /// `0:r1` or `P0:r1`.
    fn register(&self, pair: Pair<Rule>) -> Res<Observable> {
        let parts = pair.into_inner();
        let id = self.only(parts.clone(), Rule::thread_id)?;
        let reg = self.only(parts, Rule::sname)?;
        let digits = id.as_str().trim_start_matches('P');
        let Ok(thread) = digits.parse::<usize>() else {
            return self.err(&id, format!("thread number {digits} is too large"));
        };
        if let Some(n) = self.threads.filter(|&n| thread >= n) {
            return self.err(&id, no_such_thread("the condition", thread, n));
        }
        Ok(Observable::Register {
            thread,
            reg: reg.as_str().to_string(),
        })
    }

    /// A number, or a name standing for its address.
    fn value(&self, pair: Pair<Rule>) -> Res<InitValue> {
        let pos = self.pos(&pair);
        let inner = pair.into_inner().next().ok_or_else(|| self.internal(pos))?;
        match inner.as_rule() {
            Rule::num => Ok(InitValue::Int(self.number(&inner)?)),
            _ => Ok(InitValue::Address(inner.as_str().to_string())),
        }
    }

    /// A decimal or hexadecimal constant in 32 bits (herd's
    /// `Int32.of_string`: hex up to 0xffffffff, as a bit pattern).
    fn number(&self, pair: &Pair<Rule>) -> Res<i32> {
        let text = pair.as_str();
        let hex = text
            .strip_prefix("0x")
            .or_else(|| text.strip_prefix("0X"))
            .map(|h| u32::from_str_radix(h, 16).map(|v| v as i32));
        let value = match hex {
            Some(v) => v.ok(),
            None => text.parse::<i32>().ok(),
        };
        match value {
            Some(v) => Ok(v),
            None => self.err(
                pair,
                format!("{text} does not fit in 32 bits (herd7: Int32.of_string fails)"),
            ),
        }
    }

    /// The quantified proposition, if written.
    fn constr(&self, pair: Pair<Rule>, c: &mut Condition) -> Res<()> {
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::quantifier => {
                    let word = part.into_inner().next().map(|w| w.as_rule());
                    c.quantifier = match word {
                        Some(Rule::kw_forall) => Quantifier::Forall,
                        Some(Rule::not_exists) => Quantifier::NotExists,
                        _ => Quantifier::Exists,
                    };
                }
                Rule::prop => {
                    c.prop = self.prop(part)?.0;
                    c.written = true;
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn too_deep(&self, pos: Pos) -> CError {
        CError {
            pos,
            message: format!(
                "the proposition nests deeper than {MAX_DEPTH} levels (this reader's bound)"
            ),
        }
    }

    /// Joins `a` and `b` with `make`, keeping the depth within bounds.
    fn join(
        &self,
        pos: Pos,
        (a, da): (Prop, usize),
        (b, db): (Prop, usize),
        make: fn(Box<Prop>, Box<Prop>) -> Prop,
    ) -> Res<(Prop, usize)> {
        let depth = da.max(db) + 1;
        if depth > MAX_DEPTH {
            return Err(self.too_deep(pos));
        }
        Ok((make(Box::new(a), Box::new(b)), depth))
    }

    /// `a \/ b \/ c`, left to right.
    fn prop(&self, pair: Pair<Rule>) -> Res<(Prop, usize)> {
        let pos = self.pos(&pair);
        let mut terms = pair.into_inner().filter(|p| p.as_rule() == Rule::conj);
        let first = terms.next().ok_or_else(|| self.internal(pos))?;
        let mut acc = self.conj(first)?;
        for t in terms {
            let p = self.pos(&t);
            acc = self.join(p, acc, self.conj(t)?, Prop::Or)?;
        }
        Ok(acc)
    }

    /// `a /\ b /\ c`, left to right.
    fn conj(&self, pair: Pair<Rule>) -> Res<(Prop, usize)> {
        let pos = self.pos(&pair);
        let mut terms = pair
            .into_inner()
            .filter(|p| p.as_rule() == Rule::implication);
        let first = terms.next().ok_or_else(|| self.internal(pos))?;
        let mut acc = self.implication(first)?;
        for t in terms {
            let p = self.pos(&t);
            acc = self.join(p, acc, self.implication(t)?, Prop::And)?;
        }
        Ok(acc)
    }

    /// `a => b => c` is `a => (b => c)`.
    fn implication(&self, pair: Pair<Rule>) -> Res<(Prop, usize)> {
        let pos = self.pos(&pair);
        let mut terms = Vec::new();
        for t in pair.into_inner().filter(|p| p.as_rule() == Rule::unary) {
            terms.push((self.pos(&t), self.unary(t)?));
        }
        let (_, mut acc) = terms.pop().ok_or_else(|| self.internal(pos))?;
        while let Some((p, left)) = terms.pop() {
            acc = self.join(p, left, acc, Prop::Implies)?;
        }
        Ok(acc)
    }

    /// `~ ~ p`.
    fn unary(&self, pair: Pair<Rule>) -> Res<(Prop, usize)> {
        let pos = self.pos(&pair);
        let mut nots = 0;
        let mut primary = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::kw_not => nots += 1,
                _ => primary = Some(part),
            }
        }
        let primary = primary.ok_or_else(|| self.internal(pos))?;
        let (mut prop, mut depth) = self.prop_primary(primary)?;
        for _ in 0..nots {
            depth += 1;
            if depth > MAX_DEPTH {
                return Err(self.too_deep(pos));
            }
            prop = Prop::Not(Box::new(prop));
        }
        Ok((prop, depth))
    }

    fn prop_primary(&self, pair: Pair<Rule>) -> Res<(Prop, usize)> {
        let pos = self.pos(&pair);
        let inner = pair.into_inner().next().ok_or_else(|| self.internal(pos))?;
        match inner.as_rule() {
            Rule::kw_true => Ok((Prop::True, 1)),
            Rule::kw_false => Ok((Prop::False, 1)),
            Rule::prop => self.prop(inner),
            _ => Ok((self.atom(inner)?, 1)),
        }
    }

    /// `x=1`, `0:r0!=2`, `[x]==y`.
    fn atom(&self, pair: Pair<Rule>) -> Res<Prop> {
        let pos = self.pos(&pair);
        let mut parts = pair.into_inner();
        let (Some(left), Some(op), Some(right)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(self.internal(pos));
        };
        let observable = self.observable(left)?;
        let value = self.atom_value(right)?;
        match (op.as_rule(), &value) {
            (Rule::cmp_ne, AtomValue::ValueOf(_)) => self.err(
                &op,
                "herd7 compares two locations with '=' only: write '~(a=b)'",
            ),
            (Rule::cmp_ne, _) => Ok(Prop::Ne(observable, value)),
            _ => Ok(Prop::Eq(observable, value)),
        }
    }

    fn atom_value(&self, pair: Pair<Rule>) -> Res<AtomValue> {
        let pos = self.pos(&pair);
        let inner = pair.into_inner().next().ok_or_else(|| self.internal(pos))?;
        match inner.as_rule() {
            Rule::num => Ok(AtomValue::Int(self.number(&inner)?)),
            Rule::sname => Ok(AtomValue::Address(inner.as_str().to_string())),
            _ => Ok(AtomValue::ValueOf(self.observable(inner)?)),
        }
    }
}
