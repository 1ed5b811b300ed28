//! A [`CProgram`] printed back as a C litmus file that reads back to the
//! same tree: the header as written, one init item a line, threads indented
//! with a tab, `if`/`else`/`while` always with braces, operators with the
//! fewest parentheses their precedence needs (a `Paren` written in the
//! file is kept), the condition with `/\`, `\/`, `=>` and `~`.

use super::ast::{
    AtomValue, BinOp, CProgram, Call, Condition, Expr, InitItem, InitTarget, InitValue, Observable,
    Param, Pos, Prop, Quantifier, Stmt, StmtKind, Thread,
};
use super::split::result_line;
use std::fmt::Write;

/// The test as a C litmus file.
pub fn show(p: &CProgram) -> String {
    let mut out = format!("C {}{}\n\n{{\n", p.name, p.header);
    for item in &p.init {
        let _ = writeln!(out, "\t{};", init_item(item));
    }
    out.push_str("}\n");
    for t in &p.threads {
        out.push('\n');
        thread(&mut out, t);
    }
    let condition = condition(&p.condition);
    if !condition.is_empty() {
        let _ = write!(out, "\n{condition}");
    }
    if let Some(r) = p
        .result
        .as_ref()
        .filter(|r| result_line(&p.header).as_ref() != Some(r))
    {
        // The Result line was not in the header: put one where comments
        // are allowed, so the file reads back with it.
        match condition.is_empty() {
            true => {
                let _ = write!(out, "\n/*\n * Result: {r}\n */\n");
            }
            false => {
                let _ = write!(out, "\n(* Result: {r} *)\n");
            }
        }
    }
    out
}

fn init_item(item: &InitItem) -> String {
    let mut s = String::new();
    if let Some(ty) = &item.ty {
        let _ = write!(s, "{ty} ");
    } else if matches!(item.value, Some(InitValue::Array(_))) {
        s.push_str("int ");
    }
    if item.pointer {
        s.push('*');
    }
    s.push_str(&init_target(&item.target));
    let atomic = item.ty.as_deref() == Some("atomic_t") && !item.pointer;
    match &item.value {
        None => {}
        Some(InitValue::Int(n)) if atomic => {
            let _ = write!(s, " = ATOMIC_INIT({n})");
        }
        Some(InitValue::Int(n)) => {
            let _ = write!(s, " = {n}");
        }
        Some(InitValue::Address(x)) if item.pointer => {
            let _ = write!(s, " = &{x}");
        }
        Some(InitValue::Address(x)) => {
            let _ = write!(s, " = {x}");
        }
        Some(InitValue::Array(values)) => {
            let values: Vec<String> = values.iter().map(i32::to_string).collect();
            let _ = write!(s, "[{}] = {{{}}}", values.len(), values.join(", "));
        }
    }
    s
}

fn init_target(t: &InitTarget) -> String {
    match t {
        InitTarget::Location(x) => x.clone(),
        InitTarget::Register { thread, reg } => format!("{thread}:{reg}"),
    }
}

/// `int *x`, `int r0`: a type and a name, the star against the name.
fn typed(ty: &str, name: &str) -> String {
    if ty.ends_with('*') {
        format!("{ty}{name}")
    } else {
        format!("{ty} {name}")
    }
}

fn thread(out: &mut String, t: &Thread) {
    let params: Vec<String> = t
        .params
        .iter()
        .map(|Param { ty, name }| typed(ty, name))
        .collect();
    let _ = writeln!(out, "P{}({})\n{{", t.index, params.join(", "));
    for s in &t.body {
        stmt(out, s, 1);
    }
    out.push_str("}\n");
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push('\t');
    }
}

fn stmt(out: &mut String, s: &Stmt, depth: usize) {
    indent(out, depth);
    stmt_here(out, s, depth);
}

/// A statement from where the cursor is (after an `else `, say).
fn stmt_here(out: &mut String, s: &Stmt, depth: usize) {
    match &s.kind {
        StmtKind::Decl { ty, reg, value } => {
            out.push_str(&typed(ty, reg));
            if let Some(v) = value {
                let _ = write!(out, " = {}", expr(v));
            }
            out.push_str(";\n");
        }
        StmtKind::Assign { reg, value } => {
            let _ = writeln!(out, "{reg} = {};", expr(value));
        }
        StmtKind::Store { addr, value } => {
            let _ = writeln!(out, "*{} = {};", location(addr), expr(value));
        }
        StmtKind::Call(c) => {
            let _ = writeln!(out, "{};", call(c));
        }
        StmtKind::Expr { value, void } => {
            let cast = if *void { "(void)" } else { "" };
            let _ = writeln!(out, "{cast}{};", expr(value));
        }
        StmtKind::If {
            cond,
            then,
            otherwise,
        } => {
            let _ = write!(out, "if ({}) ", expr(cond));
            braces(out, then, depth);
            match otherwise.as_deref() {
                None => out.push('\n'),
                Some([only]) if matches!(only.kind, StmtKind::If { .. }) => {
                    out.push_str(" else ");
                    stmt_here(out, only, depth);
                }
                Some(stmts) => {
                    out.push_str(" else ");
                    braces(out, stmts, depth);
                    out.push('\n');
                }
            }
        }
        StmtKind::While { cond, body } => {
            let _ = write!(out, "while ({}) ", expr(cond));
            braces(out, body, depth);
            out.push('\n');
        }
        StmtKind::Block(stmts) => {
            braces(out, stmts, depth);
            out.push('\n');
        }
    }
}

/// `{`, the statements one level deeper, `}` (no newline after).
fn braces(out: &mut String, stmts: &[Stmt], depth: usize) {
    out.push_str("{\n");
    for s in stmts {
        stmt(out, s, depth + 1);
    }
    indent(out, depth);
    out.push('}');
}

/// What follows the `*` of a store: `p`, `*p`, `(e)`.
fn location(addr: &Expr) -> String {
    match addr {
        Expr::Reg(r) => r.clone(),
        Expr::Deref(inner) => format!("*{}", location(inner)),
        Expr::Paren(inner) => format!("({})", expr(inner)),
        other => format!("({})", expr(other)),
    }
}

fn call(c: &Call) -> String {
    let args: Vec<String> = c.args.iter().map(expr).collect();
    format!("{}({})", c.prim.name, args.join(", "))
}

fn is_comparison(op: BinOp) -> bool {
    op.precedence() == BinOp::Eq.precedence()
}

/// An expression with the parentheses its tree needs and no more.
pub fn expr(e: &Expr) -> String {
    match e {
        Expr::Int(n) => n.to_string(),
        Expr::Reg(r) => r.clone(),
        Expr::Call(c) => call(c),
        Expr::Paren(inner) => format!("({})", expr(inner)),
        Expr::Deref(inner) => match inner.as_ref() {
            Expr::Reg(r) => format!("*{r}"),
            Expr::Paren(_) => format!("*{}", expr(inner)),
            Expr::Cast(ty, reg) if matches!(reg.as_ref(), Expr::Reg(_)) => {
                format!("*({ty}){}", expr(reg))
            }
            other => format!("*({})", expr(other)),
        },
        Expr::Cast(ty, inner) => match inner.as_ref() {
            Expr::Binary(..) => format!("({ty})({})", expr(inner)),
            _ => format!("({ty}){}", expr(inner)),
        },
        Expr::Binary(op, left, right) => {
            let p = op.precedence();
            let left_paren = matches!(left.as_ref(), Expr::Binary(l, ..)
                if l.precedence() < p || (l.precedence() == p && is_comparison(*op)));
            let right_paren = matches!(right.as_ref(), Expr::Binary(r, ..) if r.precedence() <= p);
            format!(
                "{} {} {}",
                wrapped(left, left_paren),
                op.symbol(),
                wrapped(right, right_paren)
            )
        }
    }
}

fn wrapped(e: &Expr, paren: bool) -> String {
    if paren {
        format!("({})", expr(e))
    } else {
        expr(e)
    }
}

/// The condition's lines, empty when the file wrote none.
fn condition(c: &Condition) -> String {
    let mut s = String::new();
    if !c.locations.is_empty() {
        let names: Vec<String> = c.locations.iter().map(observable).collect();
        let _ = writeln!(s, "locations [{}]", names.join("; "));
    }
    if let Some(f) = &c.filter {
        let _ = writeln!(s, "filter ({})", prop(f));
    }
    if c.written {
        let q = match c.quantifier {
            Quantifier::Exists => "exists",
            Quantifier::NotExists => "~exists",
            Quantifier::Forall => "forall",
        };
        let _ = writeln!(s, "{q} ({})", prop(&c.prop));
    }
    s
}

fn observable(o: &Observable) -> String {
    match o {
        Observable::Location(x) => x.clone(),
        Observable::Register { thread, reg } => format!("{thread}:{reg}"),
    }
}

fn atom_value(v: &AtomValue) -> String {
    match v {
        AtomValue::Int(n) => n.to_string(),
        AtomValue::Address(x) => x.clone(),
        AtomValue::ValueOf(Observable::Location(x)) => format!("[{x}]"),
        AtomValue::ValueOf(o) => observable(o),
    }
}

/// How tightly each form binds: `\/` < `/\` < `=>` < `~` < atoms.
fn binding(p: &Prop) -> u8 {
    match p {
        Prop::Or(..) => 1,
        Prop::And(..) => 2,
        Prop::Implies(..) => 3,
        Prop::Not(_) => 4,
        _ => 5,
    }
}

/// A proposition with the fewest parentheses (`\/` and `/\` associate to
/// the left, `=>` to the right), and an implication inside `\/` or `/\`
/// always in them.
pub fn prop(p: &Prop) -> String {
    let infix = |l: &Prop, sym: &str, r: &Prop, left_paren: bool, right_paren: bool| {
        format!(
            "{} {sym} {}",
            prop_wrapped(l, left_paren),
            prop_wrapped(r, right_paren)
        )
    };
    match p {
        Prop::True => "true".to_string(),
        Prop::False => "false".to_string(),
        Prop::Eq(o, v) => format!("{}={}", observable(o), atom_value(v)),
        Prop::Ne(o, v) => format!("{}!={}", observable(o), atom_value(v)),
        Prop::Not(inner) => format!("~{}", prop_wrapped(inner, binding(inner) < 4)),
        // An implication inside `\/` or `/\` is parenthesised although it
        // binds tighter: `a /\ b => c` reads wrong to most people.
        Prop::Or(l, r) => infix(l, "\\/", r, binding(l) == 3, matches!(binding(r), 1 | 3)),
        Prop::And(l, r) => infix(
            l,
            "/\\",
            r,
            matches!(binding(l), 1 | 3),
            matches!(binding(r), 1..=3),
        ),
        Prop::Implies(l, r) => infix(l, "=>", r, binding(l) <= 3, binding(r) < 3),
    }
}

fn prop_wrapped(p: &Prop, paren: bool) -> String {
    if paren {
        format!("({})", prop(p))
    } else {
        prop(p)
    }
}

/// `p` with every place zeroed: what [`show`] keeps, so that
/// `unplaced(&from_text(&show(p))?) == unplaced(p)`.
pub fn unplaced(p: &CProgram) -> CProgram {
    let mut p = p.clone();
    for item in &mut p.init {
        item.pos = Pos::default();
    }
    for t in &mut p.threads {
        t.pos = Pos::default();
        t.body.iter_mut().for_each(unplace_stmt);
    }
    p
}

fn unplace_stmt(s: &mut Stmt) {
    s.pos = Pos::default();
    match &mut s.kind {
        StmtKind::Decl { value, .. } => value.iter_mut().for_each(unplace_expr),
        StmtKind::Assign { value, .. } => unplace_expr(value),
        StmtKind::Store { addr, value } => {
            unplace_expr(addr);
            unplace_expr(value);
        }
        StmtKind::Call(c) => unplace_call(c),
        StmtKind::Expr { value, .. } => unplace_expr(value),
        StmtKind::If {
            cond,
            then,
            otherwise,
        } => {
            unplace_expr(cond);
            then.iter_mut().for_each(unplace_stmt);
            otherwise.iter_mut().flatten().for_each(unplace_stmt);
        }
        StmtKind::While { cond, body } => {
            unplace_expr(cond);
            body.iter_mut().for_each(unplace_stmt);
        }
        StmtKind::Block(stmts) => stmts.iter_mut().for_each(unplace_stmt),
    }
}

fn unplace_call(c: &mut Call) {
    c.pos = Pos::default();
    c.args.iter_mut().for_each(unplace_expr);
}

fn unplace_expr(e: &mut Expr) {
    match e {
        Expr::Int(_) | Expr::Reg(_) => {}
        Expr::Call(c) => unplace_call(c),
        Expr::Deref(inner) | Expr::Cast(_, inner) | Expr::Paren(inner) => unplace_expr(inner),
        Expr::Binary(_, a, b) => {
            unplace_expr(a);
            unplace_expr(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(n: i32) -> Box<Expr> {
        Box::new(Expr::Int(n))
    }

    fn bin(op: BinOp, a: Box<Expr>, b: Box<Expr>) -> Box<Expr> {
        Box::new(Expr::Binary(op, a, b))
    }

    #[test]
    fn expressions_get_the_parentheses_their_tree_needs() {
        let sum = bin(BinOp::Add, int(1), int(2));
        assert_eq!(expr(&bin(BinOp::Mul, sum.clone(), int(3))), "(1 + 2) * 3");
        assert_eq!(expr(&bin(BinOp::Mul, int(3), sum.clone())), "3 * (1 + 2)");
        assert_eq!(expr(&bin(BinOp::Add, sum.clone(), int(3))), "1 + 2 + 3");
        assert_eq!(expr(&bin(BinOp::Sub, int(3), sum.clone())), "3 - (1 + 2)");
        let eq = bin(BinOp::Eq, int(1), int(2));
        assert_eq!(expr(&bin(BinOp::Ne, eq.clone(), int(0))), "(1 == 2) != 0");
        assert_eq!(expr(&bin(BinOp::Or, eq.clone(), int(0))), "1 == 2 | 0");
        assert_eq!(expr(&Expr::Cast("int".into(), sum.clone())), "(int)(1 + 2)");
        assert_eq!(expr(&Expr::Deref(sum)), "*(1 + 2)");
        assert_eq!(expr(&Expr::Paren(int(-1))), "(-1)");
    }

    #[test]
    fn propositions_get_herds_precedence() {
        let atom = |n| {
            Box::new(Prop::Eq(
                Observable::Location("x".into()),
                AtomValue::Int(n),
            ))
        };
        let or = Box::new(Prop::Or(atom(1), atom(2)));
        let and = Box::new(Prop::And(atom(1), atom(2)));
        let implies = Box::new(Prop::Implies(atom(1), atom(2)));
        assert_eq!(
            prop(&Prop::And(or.clone(), atom(3))),
            "(x=1 \\/ x=2) /\\ x=3"
        );
        assert_eq!(prop(&Prop::Or(and.clone(), atom(3))), "x=1 /\\ x=2 \\/ x=3");
        assert_eq!(
            prop(&Prop::Or(atom(3), or.clone())),
            "x=3 \\/ (x=1 \\/ x=2)"
        );
        assert_eq!(
            prop(&Prop::And(implies.clone(), atom(3))),
            "(x=1 => x=2) /\\ x=3"
        );
        assert_eq!(
            prop(&Prop::Implies(atom(3), implies.clone())),
            "x=3 => x=1 => x=2"
        );
        assert_eq!(
            prop(&Prop::Implies(implies, atom(3))),
            "(x=1 => x=2) => x=3"
        );
        assert_eq!(prop(&Prop::Not(and)), "~(x=1 /\\ x=2)");
        assert_eq!(prop(&Prop::Not(Box::new(Prop::Not(atom(1))))), "~~x=1");
    }
}
