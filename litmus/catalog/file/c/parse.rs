//! The program section (the threads) read with `c.pest` into [`Thread`]s,
//! with the checks herd7 makes after its grammar: threads numbered P0, P1,
//! ... in order, pointer parameters, macro calls against
//! `linux-kernel.def` ([`super::primitives`]: known name, kind, number of
//! arguments, the `*` a `__load`/`__store` needs), comparisons that do not
//! chain, words its lexer reserves. Binary operators get herd's precedence
//! here, by precedence climbing over the grammar's flat operand list.

use super::CError;
use super::ast::{BinOp, Call, Expr, Param, Pos, Stmt, StmtKind, Thread};
use super::diagnose::{self, ML_COMMENT_IN_PROGRAM, Part, SEMI};
use super::primitives::{self, Kind, Primitive, Semantics};
use super::scan::{MAX_DEPTH, Section, Where, blank_c_comments, check_brackets};
use pest::Parser;
use pest::iterators::{Pair, Pairs};

#[derive(pest_derive::Parser)]
#[grammar = "litmus/catalog/file/c/c.pest"]
struct CGrammar;

/// Words herd7's C lexer (`lib/CLexer.mll`) does not take as names.
#[rustfmt::skip]
const RESERVED: &[&str] = &[
    "volatile", "const", "_Atomic", "atomic", "char", "int", "long", "struct",
    "int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t", "uint32_t", "int64_t",
    "uint64_t", "__int128_t", "__uint128_t", "__int128", "__uint128", "intptr_t",
    "uintptr_t", "mtx_t", "spinlock_t", "atomic_t", "atomic_int", "srcu_struct", "void",
    "atomic_fetch_add_explicit", "atomic_fetch_sub_explicit", "atomic_fetch_or_explicit",
    "atomic_fetch_xor_explicit", "atomic_fetch_and_explicit", "memory_order_acquire",
    "memory_order_release", "memory_order_acq_rel", "memory_order_seq_cst",
    "memory_order_relaxed", "memory_order_consume", "atomic_thread_fence",
    "atomic_load_explicit", "atomic_store_explicit", "atomic_exchange_explicit", "lock",
    "mtx_lock", "WCAS", "SCAS", "atomic_compare_exchange_weak",
    "atomic_compare_exchange_strong", "atomic_compare_exchange_weak_explicit",
    "atomic_compare_exchange_strong_explicit", "unlock", "mtx_unlock", "__fence", "__load",
    "__store", "__srcu", "__xchg", "__cmpxchg", "__lock", "__trylock", "__islocked",
    "__unlock", "__atomic_op", "__atomic_op_return", "__atomic_fetch_op",
    "__atomic_add_unless", "regions", "if", "else", "while",
];

/// The threads of the program section `s`.
pub fn threads(at: &Where, s: Section) -> Result<Vec<Thread>, CError> {
    let text = blank_c_comments(at, s)?;
    let blanked = Section {
        text: &text,
        start: s.start,
    };
    check_brackets(at, blanked, true).map_err(|e| ml_comment_instead(at, s, e))?;
    let top = CGrammar::parse(Rule::program, &text)
        .map_err(|e| diagnose::explain(at, blanked, Part::Program, &e, describe))?;
    let b = Builder { at, base: s.start };
    let mut threads = Vec::new();
    for pair in top.flatten().filter(|p| p.as_rule() == Rule::thread) {
        let thread = b.thread(pair)?;
        if thread.index != threads.len() {
            return Err(CError {
                pos: thread.pos,
                message: format!(
                    "threads must be P0, P1, ... in order: P{} comes {}",
                    thread.index,
                    match threads.len() {
                        0 => "first".to_string(),
                        n => format!("after P{}", n - 1),
                    }
                ),
            });
        }
        threads.push(thread);
    }
    if threads.is_empty() {
        return Err(at.error(s.start, "the test has no thread: write P0(int *x) { ... }"));
    }
    Ok(threads)
}

/// An unclosed `(` that opens `(*` is a comment in the wrong place.
fn ml_comment_instead(at: &Where, s: Section, e: CError) -> CError {
    let opens_comment = (0..s.text.len())
        .filter(|&i| s.text.get(i..i + 2) == Some("(*"))
        .any(|i| at.pos(s.start + i) == e.pos);
    if opens_comment && e.message.starts_with("the parenthesis") {
        return CError {
            pos: e.pos,
            message: ML_COMMENT_IN_PROGRAM.to_string(),
        };
    }
    e
}

/// What a rule stands for in "expected ..." messages.
fn describe(rule: &Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::semi => SEMI,
        Rule::rpar => "')'",
        Rule::rbrace => "'}'",
        Rule::thread | Rule::proc | Rule::thread_void => "a thread such as 'P0(int *x) { ... }'",
        Rule::param => "a parameter such as 'int *x'",
        Rule::ctype | Rule::base_type | Rule::struct_type | Rule::qualifier | Rule::kw_void => {
            "a type (int, atomic_t, spinlock_t, struct srcu_struct, intptr_t, ...)"
        }
        Rule::kw_srcu_struct => "'srcu_struct' (the one struct herd7 knows)",
        Rule::star => "'*'",
        Rule::name => "a name",
        Rule::stmt => "a statement",
        Rule::expr | Rule::operand | Rule::primary | Rule::cast | Rule::constant => "an expression",
        Rule::while_cond => "a condition such as '(r0 == 0)'",
        Rule::bin_op => "an operator",
        Rule::kw_else => "'else'",
        Rule::EOI => "the end of the program",
        _ => return None,
    })
}

struct Builder<'w> {
    at: &'w Where,
    base: usize,
}

type Res<T> = Result<T, CError>;

/// An expression and how deep its tree is.
struct Built {
    expr: Expr,
    depth: usize,
}

impl Built {
    fn leaf(expr: Expr) -> Built {
        Built { expr, depth: 1 }
    }
}

/// Which kind of name a word stands for, for the message refusing it.
#[derive(Clone, Copy)]
enum Role {
    Name,
    Macro,
}

impl Builder<'_> {
    fn pos(&self, p: &Pair<Rule>) -> Pos {
        self.at.pos(self.base + p.as_span().start())
    }

    fn error(&self, p: &Pair<Rule>, message: impl Into<String>) -> CError {
        self.at.error(self.base + p.as_span().start(), message)
    }

    fn internal(&self, pos: Pos) -> CError {
        CError {
            pos,
            message: "reader bug: the grammar's tree has an unexpected shape".to_string(),
        }
    }

    /// The next pair, which the grammar guarantees.
    fn next<'i>(&self, pairs: &mut Pairs<'i, Rule>, pos: Pos) -> Res<Pair<'i, Rule>> {
        pairs.next().ok_or_else(|| self.internal(pos))
    }

    fn thread(&self, pair: Pair<Rule>) -> Res<Thread> {
        let pos = self.pos(&pair);
        let mut index = None;
        let mut params = Vec::new();
        let mut body = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::proc => index = Some(self.proc_index(&part)?),
                Rule::params => params = self.params(part)?,
                Rule::body => body = self.block(part, 0, "the thread's body")?,
                _ => {}
            }
        }
        let index = index.ok_or_else(|| self.internal(pos))?;
        Ok(Thread {
            pos,
            index,
            params,
            body,
        })
    }

    fn proc_index(&self, p: &Pair<Rule>) -> Res<usize> {
        p.as_str()
            .get(1..)
            .and_then(|d| d.parse::<usize>().ok())
            .ok_or_else(|| {
                self.error(
                    p,
                    format!("{} is not a thread number herd7 takes", p.as_str()),
                )
            })
    }

    fn params(&self, pair: Pair<Rule>) -> Res<Vec<Param>> {
        let mut params = Vec::new();
        for param in pair.into_inner() {
            let pos = self.pos(&param);
            let mut parts = param.into_inner();
            let ty_pair = self.next(&mut parts, pos)?;
            let name_pair = self.next(&mut parts, pos)?;
            let ty = self.ctype(&ty_pair)?;
            let name = self.name(&name_pair, Role::Name)?;
            if !ty.ends_with('*') {
                return Err(self.error(
                    &name_pair,
                    format!(
                        "the parameter '{name}' must be a pointer, as in '{ty} *{name}' (herd7 passes each shared variable by address)"
                    ),
                ));
            }
            params.push(Param { ty, name });
        }
        Ok(params)
    }

    /// A type as written, normalised: words one space apart, stars
    /// together after a space (`int *`, `char **`, `struct srcu_struct *`).
    fn ctype(&self, pair: &Pair<Rule>) -> Res<String> {
        let mut text = String::new();
        let mut stars = 0;
        let mut void = false;
        for part in pair.clone().into_inner() {
            let star = part.as_rule() == Rule::star;
            let stars_run_on = star && text.ends_with('*');
            if !text.is_empty() && !stars_run_on {
                text.push(' ');
            }
            if star {
                stars += 1;
                text.push('*');
            } else {
                void |= part.as_rule() == Rule::kw_void;
                let words: Vec<&str> = part.as_str().split_whitespace().collect();
                text.push_str(&words.join(" "));
            }
        }
        if void && stars == 0 {
            return Err(self.error(
                pair,
                "'void' alone is not a type here: write 'void *' (a statement may start with '(void)')",
            ));
        }
        Ok(text)
    }

    /// A word used as a name: not one herd's lexer reserves.
    fn name(&self, pair: &Pair<Rule>, role: Role) -> Res<String> {
        let word = pair.as_str();
        let is_proc = word.len() > 1
            && word.starts_with('P')
            && word.bytes().skip(1).all(|b| b.is_ascii_digit());
        if !RESERVED.contains(&word) && !is_proc {
            return Ok(word.to_string());
        }
        let message = match (role, is_proc) {
            (Role::Name, true) => {
                format!(
                    "'{word}' names a thread in herd7's C: it cannot name a register or parameter"
                )
            }
            (Role::Name, false) => {
                format!(
                    "'{word}' is a reserved word in herd7's C: it cannot name a register or parameter"
                )
            }
            (Role::Macro, _) if word.starts_with("__") => {
                format!("'{word}' is herd7's internal form: write a linux-kernel.def macro instead")
            }
            (Role::Macro, _) => {
                format!("'{word}' is a reserved word in herd7's C, not a linux-kernel.def macro")
            }
        };
        Err(self.error(pair, message))
    }

    /// The statements of a `{ ... }` (a body or a block), which herd wants
    /// non-empty.
    fn block(&self, pair: Pair<Rule>, depth: usize, what: &str) -> Res<Vec<Stmt>> {
        let pos = self.pos(&pair);
        let mut stmts = Vec::new();
        for part in pair.into_inner().filter(|p| p.as_rule() == Rule::stmt) {
            stmts.push(self.stmt(part, depth + 1)?);
        }
        if stmts.is_empty() {
            return Err(CError {
                pos,
                message: format!("{what} is empty: herd7 needs at least one statement in braces"),
            });
        }
        Ok(stmts)
    }

    fn stmt(&self, pair: Pair<Rule>, depth: usize) -> Res<Stmt> {
        let pos = self.pos(&pair);
        if depth > MAX_DEPTH {
            return Err(CError {
                pos,
                message: format!("statements nest deeper than {MAX_DEPTH} (this reader's bound)"),
            });
        }
        let inner = pair.into_inner().next().ok_or_else(|| self.internal(pos))?;
        let kind = match inner.as_rule() {
            Rule::if_stmt => self.if_stmt(inner, depth)?,
            Rule::while_stmt => self.while_stmt(inner, depth)?,
            Rule::block => StmtKind::Block(self.block(inner, depth, "the block")?),
            Rule::void_stmt => StmtKind::Expr {
                value: self.first_expr(inner)?,
                void: true,
            },
            Rule::decl => self.decl(inner)?,
            Rule::store => self.store(inner)?,
            Rule::assign => self.assign(inner)?,
            Rule::call_stmt => {
                let call = inner
                    .into_inner()
                    .next()
                    .ok_or_else(|| self.internal(pos))?;
                StmtKind::Call(self.call(call, Kind::Procedure)?)
            }
            _ => StmtKind::Expr {
                value: self.first_expr(inner)?,
                void: false,
            },
        };
        Ok(Stmt { pos, kind })
    }

    /// The first expression among a pair's children.
    fn first_expr(&self, pair: Pair<Rule>) -> Res<Expr> {
        let pos = self.pos(&pair);
        let e = pair
            .into_inner()
            .find(|p| p.as_rule() == Rule::expr)
            .ok_or_else(|| self.internal(pos))?;
        Ok(self.expr(e)?.expr)
    }

    /// The statements an `if`, `else` or `while` runs: a block's, or the
    /// one statement (herd refuses a lone declaration there).
    fn branch(&self, pair: Pair<Rule>, depth: usize, what: &str) -> Res<Vec<Stmt>> {
        let block = pair
            .clone()
            .into_inner()
            .find(|p| p.as_rule() == Rule::block);
        if let Some(block) = block {
            return self.block(block, depth, "the block");
        }
        let stmt = self.stmt(pair, depth + 1)?;
        match stmt.kind {
            StmtKind::Decl { value: None, .. } => Err(CError {
                pos: stmt.pos,
                message: format!(
                    "a declaration alone cannot be the body of {what}: put it in braces or before it"
                ),
            }),
            _ => Ok(vec![stmt]),
        }
    }

    fn if_stmt(&self, pair: Pair<Rule>, depth: usize) -> Res<StmtKind> {
        let pos = self.pos(&pair);
        let mut cond = None;
        let mut then = None;
        let mut otherwise = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::expr => cond = Some(self.expr(part)?.expr),
                Rule::stmt if then.is_none() => then = Some(self.branch(part, depth, "an if")?),
                Rule::stmt => otherwise = Some(self.branch(part, depth, "an else")?),
                _ => {}
            }
        }
        match (cond, then) {
            (Some(cond), Some(then)) => Ok(StmtKind::If {
                cond,
                then,
                otherwise,
            }),
            _ => Err(self.internal(pos)),
        }
    }

    fn while_stmt(&self, pair: Pair<Rule>, depth: usize) -> Res<StmtKind> {
        let pos = self.pos(&pair);
        let mut cond = None;
        let mut body = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::while_cond => cond = Some(self.while_cond(part)?),
                Rule::stmt => body = Some(self.branch(part, depth, "a while")?),
                _ => {}
            }
        }
        match (cond, body) {
            (Some(cond), Some(body)) => Ok(StmtKind::While { cond, body }),
            _ => Err(self.internal(pos)),
        }
    }

    /// herd's `expr0`: `(e)` (kept as `e`), `*r`, a constant, a register.
    fn while_cond(&self, pair: Pair<Rule>) -> Res<Expr> {
        let pos = self.pos(&pair);
        let inner = pair.into_inner().next().ok_or_else(|| self.internal(pos))?;
        match inner.as_rule() {
            Rule::expr => Ok(self.expr(inner)?.expr),
            _ => Ok(self.primary_kind(inner)?.expr),
        }
    }

    fn decl(&self, pair: Pair<Rule>) -> Res<StmtKind> {
        let pos = self.pos(&pair);
        let mut parts = pair.into_inner();
        let ty = self.ctype(&self.next(&mut parts, pos)?)?;
        let reg = self.name(&self.next(&mut parts, pos)?, Role::Name)?;
        let value = match parts.find(|p| p.as_rule() == Rule::expr) {
            Some(e) => Some(self.expr(e)?.expr),
            None => None,
        };
        Ok(StmtKind::Decl { ty, reg, value })
    }

    fn assign(&self, pair: Pair<Rule>) -> Res<StmtKind> {
        let pos = self.pos(&pair);
        let mut parts = pair.into_inner();
        let reg = self.name(&self.next(&mut parts, pos)?, Role::Name)?;
        let e = self.next(&mut parts, pos)?;
        Ok(StmtKind::Assign {
            reg,
            value: self.expr(e)?.expr,
        })
    }

    /// `*p = e;`, `**p = e;`, `*(e1) = e2;`.
    fn store(&self, pair: Pair<Rule>) -> Res<StmtKind> {
        let pos = self.pos(&pair);
        let mut parts = pair.into_inner();
        let location = self.next(&mut parts, pos)?;
        let value = self.next(&mut parts, pos)?;
        let mut stars = 0;
        let mut addr = None;
        for part in location.into_inner() {
            match part.as_rule() {
                Rule::star => stars += 1,
                Rule::expr => {
                    let inner = self.expr(part)?;
                    addr = Some(self.wrap(pos, inner, Expr::Paren)?);
                }
                Rule::name => addr = Some(Built::leaf(Expr::Reg(self.name(&part, Role::Name)?))),
                _ => {}
            }
        }
        let mut addr = addr.ok_or_else(|| self.internal(pos))?;
        for _ in 0..stars {
            addr = self.wrap(pos, addr, Expr::Deref)?;
        }
        Ok(StmtKind::Store {
            addr: addr.expr,
            value: self.expr(value)?.expr,
        })
    }

    fn too_deep(&self, pos: Pos) -> CError {
        CError {
            pos,
            message: format!(
                "the expression nests deeper than {MAX_DEPTH} levels (this reader's bound)"
            ),
        }
    }

    /// `make(inner)`, one level deeper.
    fn wrap(&self, pos: Pos, inner: Built, make: fn(Box<Expr>) -> Expr) -> Res<Built> {
        let depth = inner.depth + 1;
        if depth > MAX_DEPTH {
            return Err(self.too_deep(pos));
        }
        Ok(Built {
            expr: make(Box::new(inner.expr)),
            depth,
        })
    }

    /// Operands and operators, with herd's precedence: all left
    /// associative, except comparisons, which do not chain (`a == b == c`
    /// is an error in herd's grammar).
    fn expr(&self, pair: Pair<Rule>) -> Res<Built> {
        let pos = self.pos(&pair);
        let mut values: Vec<Built> = Vec::new();
        let mut ops: Vec<(BinOp, Pos)> = Vec::new();
        for part in pair.into_inner() {
            if part.as_rule() != Rule::bin_op {
                values.push(self.operand(part)?);
                continue;
            }
            let op_pos = self.pos(&part);
            let op = bin_op(&part).ok_or_else(|| self.internal(op_pos))?;
            while let Some(&(top, _)) = ops.last() {
                if top.precedence() < op.precedence() {
                    break;
                }
                if is_comparison(op) && is_comparison(top) {
                    return Err(CError {
                        pos: op_pos,
                        message: format!(
                            "'{}' cannot follow another comparison: add parentheses (herd7's comparisons do not chain)",
                            op.symbol()
                        ),
                    });
                }
                self.reduce(&mut values, &mut ops)?;
            }
            ops.push((op, op_pos));
        }
        while !ops.is_empty() {
            self.reduce(&mut values, &mut ops)?;
        }
        match (values.pop(), values.is_empty()) {
            (Some(built), true) => Ok(built),
            _ => Err(self.internal(pos)),
        }
    }

    /// Applies the last operator to the last two values.
    fn reduce(&self, values: &mut Vec<Built>, ops: &mut Vec<(BinOp, Pos)>) -> Res<()> {
        let (op, pos) = ops.pop().ok_or_else(|| self.internal(Pos::default()))?;
        let (Some(right), Some(left)) = (values.pop(), values.pop()) else {
            return Err(self.internal(pos));
        };
        let depth = left.depth.max(right.depth) + 1;
        if depth > MAX_DEPTH {
            return Err(self.too_deep(pos));
        }
        values.push(Built {
            expr: Expr::Binary(op, Box::new(left.expr), Box::new(right.expr)),
            depth,
        });
        Ok(())
    }

    /// Casts, then a primary: `(int)(char *)x`.
    fn operand(&self, pair: Pair<Rule>) -> Res<Built> {
        let pos = self.pos(&pair);
        let mut casts = Vec::new();
        let mut primary = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::cast => {
                    let ty = part.into_inner().next().ok_or_else(|| self.internal(pos))?;
                    casts.push(self.cast_type(&ty)?);
                }
                _ => primary = Some(self.primary(part)?),
            }
        }
        let mut built = primary.ok_or_else(|| self.internal(pos))?;
        while let Some(ty) = casts.pop() {
            let depth = built.depth + 1;
            if depth > MAX_DEPTH {
                return Err(self.too_deep(pos));
            }
            built = Built {
                expr: Expr::Cast(ty, Box::new(built.expr)),
                depth,
            };
        }
        Ok(built)
    }

    /// The type of a cast inside an expression (`(void)` only starts a
    /// statement).
    fn cast_type(&self, pair: &Pair<Rule>) -> Res<String> {
        let ty = self.ctype(pair).map_err(|_| {
            self.error(
                pair,
                "'(void)' may only start a statement, as in '(void)xchg(x, 1);'",
            )
        })?;
        Ok(ty)
    }

    fn primary(&self, pair: Pair<Rule>) -> Res<Built> {
        let pos = self.pos(&pair);
        let inner = pair.into_inner().next().ok_or_else(|| self.internal(pos))?;
        self.primary_kind(inner)
    }

    fn primary_kind(&self, pair: Pair<Rule>) -> Res<Built> {
        let pos = self.pos(&pair);
        match pair.as_rule() {
            Rule::call => Ok(Built::leaf(Expr::Call(self.call(pair, Kind::Expression)?))),
            Rule::constant => Ok(Built::leaf(Expr::Int(self.constant(&pair)?))),
            Rule::name => Ok(Built::leaf(Expr::Reg(self.name(&pair, Role::Name)?))),
            Rule::deref_name => {
                let name = pair.into_inner().next().ok_or_else(|| self.internal(pos))?;
                let reg = Built::leaf(Expr::Reg(self.name(&name, Role::Name)?));
                self.wrap(pos, reg, Expr::Deref)
            }
            Rule::deref_cast => {
                let mut parts = pair.into_inner();
                let ty = self.ctype(&self.next(&mut parts, pos)?)?;
                let reg = self.name(&self.next(&mut parts, pos)?, Role::Name)?;
                let cast = Expr::Cast(ty, Box::new(Expr::Reg(reg)));
                self.wrap(
                    pos,
                    Built {
                        expr: cast,
                        depth: 2,
                    },
                    Expr::Deref,
                )
            }
            Rule::deref_paren => {
                let e = pair.into_inner().next().ok_or_else(|| self.internal(pos))?;
                let paren = self.wrap(pos, self.expr(e)?, Expr::Paren)?;
                self.wrap(pos, paren, Expr::Deref)
            }
            Rule::paren => {
                let e = pair.into_inner().next().ok_or_else(|| self.internal(pos))?;
                self.wrap(pos, self.expr(e)?, Expr::Paren)
            }
            _ => Err(self.internal(pos)),
        }
    }

    /// A 32-bit decimal constant (herd's `Int32.of_string`).
    fn constant(&self, pair: &Pair<Rule>) -> Res<i32> {
        pair.as_str().parse::<i32>().map_err(|_| {
            self.error(
                pair,
                format!(
                    "{} does not fit in 32 bits (herd7: Int32.of_string fails)",
                    pair.as_str()
                ),
            )
        })
    }

    /// A macro call, checked against `linux-kernel.def` for the place it
    /// stands in (`kind`).
    fn call(&self, pair: Pair<Rule>, kind: Kind) -> Res<Call> {
        let pos = self.pos(&pair);
        let mut parts = pair.into_inner();
        let name_pair = self.next(&mut parts, pos)?;
        let name = self.name(&name_pair, Role::Macro)?;
        let prim = primitives::lookup(&name).ok_or_else(|| {
            self.error(
                &name_pair,
                format!("unknown primitive '{name}' (not in linux-kernel.def)"),
            )
        })?;
        if prim.kind != kind {
            return Err(self.error(&name_pair, wrong_kind(prim)));
        }
        let mut args = Vec::new();
        if let Some(list) = parts.find(|p| p.as_rule() == Rule::args) {
            for a in list.into_inner() {
                args.push(self.expr(a)?.expr);
            }
        }
        if args.len() != prim.arity {
            return Err(self.error(
                &name_pair,
                format!(
                    "'{name}' takes {} argument{}, not {}",
                    prim.arity,
                    if prim.arity == 1 { "" } else { "s" },
                    args.len()
                ),
            ));
        }
        check_star(prim, &args).map_err(|m| self.error(&name_pair, m))?;
        Ok(Call { pos, prim, args })
    }
}

/// Why a macro cannot stand where it was called.
fn wrong_kind(prim: &Primitive) -> String {
    let name = prim.name;
    match prim.kind {
        Kind::Expression => format!(
            "'{name}' returns a value: a statement cannot call it (write '(void){name}(...)' or 'r = {name}(...)')"
        ),
        Kind::Procedure => {
            format!("'{name}' returns no value: call it as a statement, '{name}(...);'")
        }
    }
}

/// `READ_ONCE`, `WRITE_ONCE`, `rcu_dereference`, `rcu_assign_pointer` and
/// `smp_store_mb` expand to herd's `__load(X)`/`__store(X,V)`, whose X
/// must be `*e` (`Bad __load argument` otherwise).
fn check_star(prim: &Primitive, args: &[Expr]) -> Result<(), String> {
    let needs_star = matches!(
        prim.semantics,
        Semantics::Load { deref: false, .. }
            | Semantics::Store { deref: false, .. }
            | Semantics::StoreMb
    );
    let Some(first) = args.first().filter(|_| needs_star) else {
        return Ok(());
    };
    if matches!(strip(first), Expr::Deref(_)) {
        return Ok(());
    }
    let x = match strip(first) {
        Expr::Reg(r) => r.as_str(),
        _ => "x",
    };
    let example = match prim.arity {
        1 => format!("{}(*{x})", prim.name),
        _ => format!("{}(*{x}, 1)", prim.name),
    };
    Err(format!(
        "'{}' needs a '*' in front of its address, as in {example}",
        prim.name
    ))
}

/// An expression without the parentheses and casts herd drops.
fn strip(e: &Expr) -> &Expr {
    let mut e = e;
    while let Expr::Paren(inner) | Expr::Cast(_, inner) = e {
        e = inner;
    }
    e
}

fn is_comparison(op: BinOp) -> bool {
    op.precedence() == BinOp::Eq.precedence()
}

fn bin_op(pair: &Pair<Rule>) -> Option<BinOp> {
    let inner = pair.clone().into_inner().next()?;
    Some(match inner.as_rule() {
        Rule::op_or => BinOp::Or,
        Rule::op_xor => BinOp::Xor,
        Rule::op_and => BinOp::And,
        Rule::op_eq => BinOp::Eq,
        Rule::op_ne => BinOp::Ne,
        Rule::op_le => BinOp::Le,
        Rule::op_ge => BinOp::Ge,
        Rule::op_lt => BinOp::Lt,
        Rule::op_gt => BinOp::Gt,
        Rule::op_add => BinOp::Add,
        Rule::op_sub => BinOp::Sub,
        Rule::op_mul => BinOp::Mul,
        Rule::op_div => BinOp::Div,
        _ => return None,
    })
}
