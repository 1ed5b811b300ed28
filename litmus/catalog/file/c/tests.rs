//! The reader against tests written for it: round trips through [`show`],
//! each refusal's words and place, the `Result:` line, every primitive of
//! the table in its place, inputs built to nest deep, damaged files.

use super::ast::{AtomValue, Observable, Prop, Quantifier, StmtKind};
use super::primitives::{Kind, PRIMITIVES, Semantics};
use super::show::unplaced;
use super::{MAX_DEPTH, from_text, is_c, show};

/// Read, print, read again: the same tree (places aside), and printing
/// the second gives the same text.
fn round_trip(source: &str) -> String {
    let first = from_text(source).unwrap_or_else(|e| panic!("{e}\n{source}"));
    let printed = show(&first);
    let second = from_text(&printed).unwrap_or_else(|e| panic!("{e}\n{printed}"));
    assert_eq!(unplaced(&first), unplaced(&second), "\n{printed}");
    assert_eq!(show(&second), printed);
    printed
}

const SB_MB: &str = "C SB+mbs
(*
 * Result: Never
 *)
{}

P0(int *x, int *y)
{
\tint r0;

\tWRITE_ONCE(*x, 1);
\tsmp_mb();
\tr0 = READ_ONCE(*y);
}

P1(int *x, int *y)
{
\tint r0;

\tWRITE_ONCE(*y, 1);
\tsmp_mb();
\tr0 = READ_ONCE(*x);
}

exists (0:r0=0 /\\ 1:r0=0)
";

const MP_LOCATIONS: &str = "C MP+rel-acq \"a description\"
Cycle=Rfe PodRR
{ int buf = 0; int flag; }
P0(int *buf, int *flag) { WRITE_ONCE(*buf, 1); smp_store_release(flag, 1); }
P1(int *buf, int *flag) { int r0; int r1; r0 = smp_load_acquire(flag); r1 = READ_ONCE(*buf); }
locations [buf; 1:r1;]
filter (1:r0=1)
exists (1:r1=0)
";

const LOCKS: &str = "C locks
{}
void P0(int *x, spinlock_t *s)
{
\tint r1;
\tspin_lock(s);
\tif (spin_is_locked(s)) WRITE_ONCE(*x, 1); else { r1 = 2; }
\tspin_unlock(s);
}
P1(int *x, spinlock_t *s)
{
\tint r0;
\tif (spin_trylock(s)) {
\t\tr0 = READ_ONCE(*x);
\t\tspin_unlock(s);
\t} else if (r0 == 0) {
\t\tsmp_mb__after_spinlock();
\t}
}
~exists (1:r0=1)
";

const RCU: &str = "C rcu
{ int *p = &a; int a = 1; int b; }
P0(int **p, int *b)
{
\tWRITE_ONCE(*b, 2);
\trcu_assign_pointer(*(char **)p, (char *)b);
\tsynchronize_rcu();
}
P1(int **p)
{
\tint *r0;
\tint r1;
\trcu_read_lock();
\tr0 = rcu_dereference(*p);
\tr1 = READ_ONCE(*r0);
\trcu_read_unlock();
}
exists (1:r0=b /\\ 1:r1=0)
";

const SRCU: &str = "C srcu
{}
P0(int *x, struct srcu_struct *s)
{
\tint r0;
\tint r1;
\tr1 = srcu_read_lock(s);
\tr0 = READ_ONCE(*x);
\tsrcu_read_unlock(s, r1);
}
P1(int *x, struct  srcu_struct *s)
{
\tWRITE_ONCE(*x, 1);
\tsynchronize_srcu(s);
\tsmp_mb__after_srcu_read_unlock();
}
forall (0:r0=0 \\/ 0:r0=1)
";

const ATOMICS: &str = "C atomics
{ atomic_t v = ATOMIC_INIT(3); atomic_t w = 2; int x; }
P0(atomic_t *v, atomic_t *w, int *x)
{
\tint r0;
\tint r1 = atomic_add_return(2, v);
\tatomic_inc(w);
\t(void)atomic_fetch_sub_release(1, v);
\tr0 = cmpxchg(x, 0, 1) + atomic_add_unless(v, 1, 0);
\tif (atomic_dec_and_test(w)) smp_mb__before_atomic();
\tr0 = xchg_relaxed(x, r0);
\tatomic_set_release(w, atomic_read_acquire(v));
}
exists (0:r0=1 /\\ v=5 /\\ [w]=0)
";

const PLAIN: &str = "C plain
{ int *p = x; }
P0(int *x, int **p)
{
\tint r0;
\t*x = 1;
\t**p = 2;
\t*(x) = 3;
\tr0 = *x;
\tr0 = *(r0);
\tr0 = *(int *)x;
}
exists (x=2)
";

const LOOPS: &str = "C loops
{}
P0(int *x)
{
\tint r0;
\tint r1 = 0;
\tr0 = READ_ONCE(*x);
\twhile (r0 == 0) {
\t\tr0 = READ_ONCE(*x);
\t\t{ int r2; r1 = r1 + 1; }
\t}
\twhile r0 r0 = 0;
}
P1(int *x) { WRITE_ONCE(*x, 1); }
locations [0:r1]
exists (0:r0=1)
";

const EXPRESSIONS: &str = "C expressions
{}
P0(int *x)
{
\tint r0;
\tr0 = (1 + 2) * 3 - -4 / (int)2;
\tr0 = r0 | 1 ^ 2 & 3 == 4 + 5 * 6;
\tr0 = (r0 < 1) != (r0 >= 2);
\tr0 = ((r0));
\tr0 = r0 - (1 - 2) - 3;
\tr0 = -2147483648 + 2147483647;
\tr0 = (void *)x;
\tWRITE_ONCE(*x, r0 <= 1 | r0 > 2);
}
exists (x=1)
";

const CONDITIONS: &str = "C conditions
{ 0:r5 = 7; }
P0(int *x, int *y) { int r0; int r1; r0 = READ_ONCE(*x); r1 = READ_ONCE(*y); }
P1(int *x, int *y) { WRITE_ONCE(*x, 1); WRITE_ONCE(*y, 1); }
exists ~(0:r0=1 => 0:r1=1 => true) \\/ not [x]!=1 /\\ (P0:r0=0 \\/ false) /\\ 0:r0=0:r1 /\\ y==[x] /\\ 0:r5=x
";

const NO_CONDITION: &str = "C none
Hash=1234
{}
P0(int *x) { WRITE_ONCE(*x, 1); }
";

const INIT_FORMS: &str = "C init-forms
{
\t0:r1=5; int 1:r0; int * 0:r2; int arr[3] = {1,2,3}; intptr_t q = 5; x = -3;
\tint *p = &x; *pp = &x; [z] = 0x10; P1:r3 = y; y; int a[2];;
}
P0(int *x) { int r0; r0 = r1 + r2; }
P1(int *x) { int r0; r0 = r3; }
exists (0:r0=0)
(* Result: Sometimes *)
";

#[test]
fn a_dozen_tests_round_trip_through_show() {
    for source in [
        SB_MB,
        MP_LOCATIONS,
        LOCKS,
        RCU,
        SRCU,
        ATOMICS,
        PLAIN,
        LOOPS,
        EXPRESSIONS,
        CONDITIONS,
        NO_CONDITION,
        INIT_FORMS,
    ] {
        round_trip(source);
    }
}

#[test]
fn the_tree_is_what_herd_reads() {
    let p = from_text(CONDITIONS).unwrap();
    assert_eq!(p.condition.quantifier, Quantifier::Exists);
    // `\/` loosest, then `/\`, `=>` tighter than both (herd's %left OR,
    // %left AND, %right IMPLIES), `~` tightest.
    let Prop::Or(left, right) = &p.condition.prop else {
        panic!("{:?}", p.condition.prop)
    };
    assert!(
        matches!(left.as_ref(), Prop::Not(i) if matches!(i.as_ref(), Prop::Implies(_, r) if matches!(r.as_ref(), Prop::Implies(..))))
    );
    assert!(matches!(right.as_ref(), Prop::And(..)));
    let r0 = |t: usize, r: &str| Observable::Register {
        thread: t,
        reg: r.to_string(),
    };
    let text = show(&p);
    assert!(text.contains("0:r0=0:r1"), "{text}");
    assert!(text.contains("y=[x]"), "{text}");
    let mut atoms = Vec::new();
    collect_atoms(&p.condition.prop, &mut atoms);
    assert!(atoms.contains(&(r0(0, "r0"), AtomValue::ValueOf(r0(0, "r1")))));
    assert!(atoms.contains(&(r0(0, "r5"), AtomValue::Address("x".to_string()))));

    let none = from_text(NO_CONDITION).unwrap();
    assert!(!none.condition.written);
    assert_eq!(none.condition.quantifier, Quantifier::Forall);
    assert_eq!(none.condition.prop, Prop::True);

    let loops = from_text(LOOPS).unwrap();
    let StmtKind::While { cond, .. } = &loops.threads[0].body[3].kind else {
        panic!()
    };
    assert_eq!(show::expr(cond), "r0 == 0");
}

fn collect_atoms(p: &Prop, out: &mut Vec<(Observable, AtomValue)>) {
    match p {
        Prop::Eq(o, v) | Prop::Ne(o, v) => out.push((o.clone(), v.clone())),
        Prop::Not(a) => collect_atoms(a, out),
        Prop::And(a, b) | Prop::Or(a, b) | Prop::Implies(a, b) => {
            collect_atoms(a, out);
            collect_atoms(b, out);
        }
        Prop::True | Prop::False => {}
    }
}

/// A test whose P0 body is `body`, with `init` and `condition`.
fn test_with(init: &str, body: &str, condition: &str) -> String {
    format!("C t\n{{{init}}}\nP0(int *x, int **p)\n{{\n\tint r0;\n\t{body}\n}}\n{condition}\n")
}

/// The message for `source`, as `LINE:COL: message`.
fn refusal(source: &str) -> String {
    match from_text(source) {
        Ok(p) => panic!("read: {p:?}\n{source}"),
        Err(e) => {
            let m = e.to_string();
            assert!(!m.contains('\n'), "{m}");
            m
        }
    }
}

#[test]
fn each_refusal_names_the_construct_and_its_place() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "",
            "r0 = READ_ONCE(*x)\n\tWRITE_ONCE(*x, 1);",
            "exists (0:r0=1)",
            "7:2: expected ';' after the statement",
        ),
        (
            "",
            "smp_foo();",
            "",
            "6:2: unknown primitive 'smp_foo' (not in linux-kernel.def)",
        ),
        (
            "",
            "xchg(x, 1);",
            "",
            "6:2: 'xchg' returns a value: a statement cannot call it (write '(void)xchg(...)' or 'r = xchg(...)')",
        ),
        (
            "",
            "r0 = smp_mb();",
            "",
            "6:7: 'smp_mb' returns no value: call it as a statement, 'smp_mb(...);'",
        ),
        (
            "",
            "WRITE_ONCE(*x);",
            "",
            "6:2: 'WRITE_ONCE' takes 2 arguments, not 1",
        ),
        (
            "",
            "smp_mb(1);",
            "",
            "6:2: 'smp_mb' takes 0 arguments, not 1",
        ),
        (
            "",
            "r0 = READ_ONCE(x);",
            "",
            "6:7: 'READ_ONCE' needs a '*' in front of its address, as in READ_ONCE(*x)",
        ),
        (
            "",
            "WRITE_ONCE(x, 1);",
            "",
            "6:2: 'WRITE_ONCE' needs a '*' in front of its address, as in WRITE_ONCE(*x, 1)",
        ),
        (
            "",
            "r0 = r0-1;",
            "",
            "6:9: '-1' reads as the constant -1 (herd7's lexer): write '- 1', with a space after '-'",
        ),
        (
            "",
            "if (r0 && r0) r0 = 1;",
            "",
            "6:9: '&&' is not in herd7's C: nest the ifs, or use '&' on 0/1 values",
        ),
        (
            "",
            "if (!r0) r0 = 1;",
            "",
            "6:6: '!' is not in herd7's C: write 'e == 0'",
        ),
        ("", "r0 = r0 % 2;", "", "6:10: '%' is not in herd7's C"),
        (
            "",
            "r0++;",
            "",
            "6:4: '++' is not in herd7's C: write 'r = r + 1;'",
        ),
        (
            "",
            "r0 += 1;",
            "",
            "6:5: '+=' is not in herd7's C: write 'r = r + e;'",
        ),
        (
            "",
            "r0 = r0 << 1;",
            "",
            "6:10: shifts ('<<') are not in herd7's C",
        ),
        (
            "",
            "r0 = 0x10;",
            "",
            "6:7: hexadecimal constants are not in herd7's C: write the value in decimal",
        ),
        (
            "",
            "for (r0 = 0; r0 < 2; r0 = r0 + 1) r0 = 1;",
            "",
            "6:2: herd7's C has no 'for' statement (only if, else, while, blocks, assignments and calls)",
        ),
        (
            "",
            "return r0;",
            "",
            "6:2: herd7's C has no 'return' statement (only if, else, while, blocks, assignments and calls)",
        ),
        (
            "",
            "WRITE_ONCE(*p, &x);",
            "",
            "6:17: unary '&' is not in herd7's C: a parameter already holds its variable's address (write x, not &x)",
        ),
        (
            "",
            "r0 = r0 == 1 == 1;",
            "",
            "6:15: '==' cannot follow another comparison: add parentheses (herd7's comparisons do not chain)",
        ),
        (
            "",
            "r0 = 2147483648;",
            "",
            "6:7: 2147483648 does not fit in 32 bits (herd7: Int32.of_string fails)",
        ),
        (
            "",
            "if (r0) {}",
            "",
            "6:10: the block is empty: herd7 needs at least one statement in braces",
        ),
        (
            "",
            "if (r0) int r1;",
            "",
            "6:10: a declaration alone cannot be the body of an if: put it in braces or before it",
        ),
        (
            "",
            "(* a comment *)",
            "",
            "6:2: a '(*' comment is not allowed inside the program (only // and /* */)",
        ),
        (
            "",
            "r0 = READ_ONCE(*x); // nothing exists here",
            "exists (0:r0=1)",
            "6:33: 'exists' in a comment ends the program here (herd7 ends it at the first exists, forall, final, filter, locations, cases or observed, even in a comment): reword the comment",
        ),
        (
            "",
            "r0 = __load{once}(*x);",
            "",
            "6:7: '__load' is herd7's internal form: write a linux-kernel.def macro instead",
        ),
        (
            "",
            "r0 = lock;",
            "",
            "6:7: 'lock' is a reserved word in herd7's C: it cannot name a register or parameter",
        ),
        (
            "",
            "r0 = (void)r0;",
            "",
            "6:8: '(void)' may only start a statement, as in '(void)xchg(x, 1);'",
        ),
        (
            "",
            "r0 = 1;",
            "exists (2:r0=1)",
            "8:9: the condition names thread 2, which the test does not have (P0)",
        ),
        (
            "",
            "r0 = 1;",
            "exists (0:r0=1 /\\",
            "8:8: the parenthesis opened at 8:8 is never closed",
        ),
        (
            "",
            "r0 = 1;",
            "exists",
            "8:7: the condition ends early: expected a proposition",
        ),
        (
            "",
            "r0 = 1;",
            "exists (0:r0=x/\\0:r0=1)",
            "8:15: herd7 reads a '/' right after a name as part of it: put a space before '/\\'",
        ),
        (
            "",
            "r0 = 1;",
            "exists (0:r0 != 0:r1)",
            "8:14: herd7 compares two locations with '=' only: write '~(a=b)'",
        ),
        (
            "",
            "r0 = 1;",
            "exists (0:r0=1) with k: exists",
            "8:17: herd7's 'with' kinds are not supported",
        ),
        (
            " spinlock_t s; ",
            "r0 = 1;",
            "",
            "2:3: 'spinlock_t' cannot be declared in the init block (herd7: Cannot find the size of type spinlock_t); pass the lock as a thread parameter",
        ),
        (
            " foo y; ",
            "r0 = 1;",
            "",
            "2:3: 'foo' cannot be declared in the init block (herd7: Cannot find the size of type foo)",
        ),
        (
            " struct srcu_struct *q = s; ",
            "r0 = 1;",
            "",
            "2:3: 'struct srcu_struct' cannot be declared in the init block (herd7: unexpected '*'); pass it as a thread parameter",
        ),
        (
            " p = &x; ",
            "r0 = 1;",
            "",
            "2:7: '&' is allowed in the init block only after a pointer type, as in 'int *p = &x;' (herd7: unexpected '&')",
        ),
        (
            " x = 1; // no ",
            "r0 = 1;",
            "",
            "2:10: only (* *) comments are allowed in the init block (herd7: Lex error)",
        ),
        (
            " int a[2] = {1}; ",
            "r0 = 1;",
            "",
            "2:15: the array 'a' has size 2 but 1 values (herd7: Declared size of array a does not match initial value size)",
        ),
        (
            " 3:r0 = 1; ",
            "r0 = 1;",
            "",
            "2:3: the init block names thread 3, which the test does not have (P0)",
        ),
        (
            " x = 1 y = 2; ",
            "r0 = 1;",
            "",
            "2:9: unexpected 'y' in the init block: expected the end or ';'",
        ),
        (
            " x = 4294967296; ",
            "r0 = 1;",
            "",
            "2:7: 4294967296 does not fit in 32 bits (herd7: Int32.of_string fails)",
        ),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(init, body, condition, expected)| {
            let got = refusal(&test_with(init, body, condition));
            (got != *expected)
                .then(|| format!("{init} | {body} | {condition}\n  got  {got}\n  want {expected}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn refusals_of_the_file_as_a_whole() {
    let cases: &[(&str, &str)] = &[
        (
            "C\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\n",
            "1:2: the first line must be 'C NAME': the name is missing",
        ),
        (
            "\nC t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\n",
            "1:1: the first line must be 'C NAME' (herd7 reads the architecture there), not nothing",
        ),
        (
            "C t\nP0(int *x) { WRITE_ONCE(*x, 1); }\n",
            "2:12: no init block: this '{' opens a thread's body (write '{}' before the threads)",
        ),
        (
            "C t\n(* only a comment\n",
            "3:1: no init block: herd7 expects '{' after the first line",
        ),
        (
            "C t\n(*\n{}\n",
            "2:1: the comment opened at 2:1 is never closed",
        ),
        (
            "C t\n{ x = 1;\nP0(int *x) { WRITE_ONCE(*x, 1); }\n",
            "2:1: the brace opened at 2:1 is never closed",
        ),
        (
            "C t\n{}\nP1(int *x) { WRITE_ONCE(*x, 1); }\n",
            "3:1: threads must be P0, P1, ... in order: P1 comes first",
        ),
        (
            "C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nP2(int *x) { WRITE_ONCE(*x, 1); }\n",
            "4:1: threads must be P0, P1, ... in order: P2 comes after P0",
        ),
        (
            "C t\n{}\nP0(int *x)\n{\n\tWRITE_ONCE(*x, 1);\n\nexists (x=1)\n",
            "4:1: the brace opened at 4:1 is never closed",
        ),
        (
            "C t\n{}\nP0(int *x) { }\n",
            "3:12: the thread's body is empty: herd7 needs at least one statement in braces",
        ),
        (
            "C t\n{}\nP0(int x) { WRITE_ONCE(*x, 1); }\n",
            "3:8: the parameter 'x' must be a pointer, as in 'int *x' (herd7 passes each shared variable by address)",
        ),
        (
            "C t\n{}\nP0(foo *x) { WRITE_ONCE(*x, 1); }\n",
            "3:4: unexpected 'foo' in the program: expected ')' or a type (int, atomic_t, spinlock_t, struct srcu_struct, intptr_t, ...)",
        ),
        (
            "C t\n{}\nP0(spinlock_t *lock) { spin_lock(lock); }\n",
            "3:16: 'lock' is a reserved word in herd7's C: it cannot name a register or parameter",
        ),
        (
            "C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nnot exists (x=1)\n",
            "4:1: unexpected 'not' in the program: expected the end of the program or a thread such as 'P0(int *x) { ... }'",
        ),
        (
            "C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); /* open\n}\n",
            "3:33: this '/*' comment is never closed",
        ),
        (
            "C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); } // \"open\n",
            "3:38: this '\"' opens a string that its line never closes (herd7's splitter reads strings even in the program's comments)",
        ),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(source, expected)| {
            let got = refusal(source);
            (got != *expected).then(|| format!("{source:?}\n  got  {got}\n  want {expected}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_result_line_is_read_as_judgelitmus_reads_it() {
    let with = |header: &str| format!("C t\n{header}\n{{}}\nP0(int *x) {{ WRITE_ONCE(*x, 1); }}\n");
    let result = |header: &str| from_text(&with(header)).unwrap().result;
    assert_eq!(
        result("(*\n * Result: Never\n *)"),
        Some("Never".to_string())
    );
    assert_eq!(
        result("(* Result: Sometimes DATARACE *)"),
        Some("Sometimes DATARACE".to_string())
    );
    assert_eq!(
        result("(*\n * Result: DEADLOCK\n * Result: Never\n *)"),
        Some("DEADLOCK".to_string())
    );
    assert_eq!(
        result("(*\n * Result: Maybe (compiler!)  \n *)"),
        Some("Maybe (compiler!)".to_string())
    );
    assert_eq!(result("(* no result here *)"), None);
    // The line must start `(* Result: ` or ` * Result: `, as the grep has it.
    assert_eq!(result("(*\n\t* Result: Never\n *)"), None);
    assert_eq!(result("(*\n  * Result: Never\n *)"), None);
    assert_eq!(result(""), None);
    // Anywhere in the file: after the condition too.
    let late = "C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nexists (x=1)\n(* Result: Always *)\n";
    assert_eq!(from_text(late).unwrap().result, Some("Always".to_string()));
    // show keeps it where it can be read back.
    assert!(round_trip(late).contains("Result: Always"));
}

#[test]
fn a_c_test_is_one_whose_first_word_is_c() {
    assert!(is_c("C foo\n{}"));
    assert!(is_c("\n\n  C\tfoo\n"));
    assert!(!is_c("X86 SB\n{}"));
    assert!(!is_c("LISA foo\n"));
    assert!(!is_c("CPP foo\n"));
    assert!(!is_c("C11 foo\n"));
    assert!(!is_c(""));
}

/// Arguments for `prim`: `*x` where its first argument must be one.
fn arguments(arity: usize, star: bool) -> String {
    (0..arity)
        .map(|i| match i {
            0 if star => "*x".to_string(),
            0 => "x".to_string(),
            _ => "1".to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn every_primitive_reads_in_its_place_and_only_there() {
    let mut body = String::new();
    for p in PRIMITIVES {
        let star = matches!(
            p.semantics,
            Semantics::Load { deref: false, .. }
                | Semantics::Store { deref: false, .. }
                | Semantics::StoreMb
        );
        let call = format!("{}({})", p.name, arguments(p.arity, star));
        match p.kind {
            Kind::Procedure => {
                body.push_str(&format!("\t{call};\n\tif (r0) {call};\n"));
                let wrong = test_with("", &format!("r0 = {call};"), "");
                assert!(refusal(&wrong).contains("returns no value"), "{call}");
            }
            Kind::Expression => {
                body.push_str(&format!(
                    "\tr0 = {call};\n\t(void){call};\n\tif ({call} == 1) r0 = 1 + {call};\n"
                ));
                let wrong = test_with("", &format!("{call};"), "");
                assert!(refusal(&wrong).contains("returns a value"), "{call}");
            }
        }
        let extra = format!("{}({})", p.name, arguments(p.arity + 1, star));
        let wrong = test_with("", &format!("(void){extra};"), "");
        let expected = format!("'{}' takes {} argument", p.name, p.arity);
        let message = refusal(&wrong);
        assert!(
            message.contains(&expected) || message.contains("returns no value"),
            "{message}"
        );
    }
    let source = format!("C all\n{{}}\nP0(int *x)\n{{\n\tint r0;\n{body}}}\nexists (x=1)\n");
    let printed = round_trip(&source);
    let p = from_text(&printed).unwrap();
    for prim in PRIMITIVES {
        assert!(
            printed.contains(&format!("{}(", prim.name)),
            "{}",
            prim.name
        );
    }
    assert!(p.threads[0].body.len() > 2 * PRIMITIVES.len());
}

#[test]
fn inputs_nested_past_the_bound_are_refused_not_overflowed() {
    let deep = MAX_DEPTH * 50;
    let cases = [
        test_with(
            "",
            &format!("r0 = {}1{};", "(".repeat(deep), ")".repeat(deep)),
            "",
        ),
        test_with(
            "",
            &format!("{}r0 = 1;{}", "{".repeat(deep), "}".repeat(deep)),
            "",
        ),
        test_with("", &format!("{}r0 = 1;", "if (r0) ".repeat(deep)), ""),
        test_with(
            "",
            &format!("if (r0) r0 = 1;{}", " else if (r0) r0 = 2;".repeat(deep)),
            "",
        ),
        test_with("", &format!("r0 = 1{};", " + 1".repeat(deep)), ""),
        test_with("", &format!("r0 = {}1;", "(int)".repeat(deep)), ""),
        test_with("", &format!("{}x = 1;", "*".repeat(deep)), ""),
        test_with(
            "",
            "r0 = 1;",
            &format!("exists ({}0:r0=1)", "~".repeat(deep)),
        ),
        test_with(
            "",
            "r0 = 1;",
            &format!("exists (0:r0=1{})", " /\\ 0:r0=1".repeat(deep)),
        ),
        test_with(
            "",
            "r0 = 1;",
            &format!("exists (0:r0=1{})", " => 0:r0=1".repeat(deep)),
        ),
        test_with(
            "",
            "r0 = 1;",
            &format!("exists {}0:r0=1{}", "(".repeat(deep), ")".repeat(deep)),
        ),
        test_with(&"(*".repeat(deep), "r0 = 1;", ""),
    ];
    for source in cases {
        let message = refusal(&source);
        assert!(
            message.contains("bound") || message.contains("never closed"),
            "{message}"
        );
    }
    // Just within the bound reads, and prints.
    let n = MAX_DEPTH - 2;
    round_trip(&test_with(
        "",
        &format!("r0 = {}1{};", "(".repeat(n), ")".repeat(n)),
        "",
    ));
    round_trip(&test_with(
        "",
        &format!("{}r0 = 1;{}", "{".repeat(n), "}".repeat(n)),
        "",
    ));
    round_trip(&test_with(
        "",
        &format!("{}r0 = 1;", "if (r0) ".repeat(n)),
        "",
    ));
}

/// A small deterministic generator (xorshift), for damaging files the same
/// way every run.
struct Damage(u64);

impl Damage {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below.max(1) as u64) as usize
    }

    /// `text` with a few bytes cut, doubled or replaced by one of the
    /// characters the grammars care about.
    fn apply(&mut self, text: &str) -> String {
        const PIECES: &[&str] = &[
            "(", ")", "{", "}", "[", "]", "*", "(*", "*)", "/*", "*/", "//", ";", "=", "-", "~",
            "\"", "exists", "P0", "if", "else", "&", "\\", "/", "\n", "\u{1d}", "é", "0x", ":",
        ];
        let mut chars: Vec<char> = text.chars().collect();
        for _ in 0..1 + self.next(4) {
            let at = self.next(chars.len() + 1);
            match self.next(3) {
                0 if at < chars.len() => {
                    chars.remove(at);
                }
                1 if at < chars.len() => {
                    let c = chars[at];
                    chars.insert(at, c);
                }
                _ => {
                    let piece = PIECES[self.next(PIECES.len())];
                    for (i, c) in piece.chars().enumerate() {
                        chars.insert(at + i, c);
                    }
                }
            }
        }
        chars.into_iter().collect()
    }
}

#[test]
fn damaged_files_are_read_or_refused_in_one_line() {
    let samples = [
        SB_MB,
        MP_LOCATIONS,
        LOCKS,
        RCU,
        SRCU,
        ATOMICS,
        PLAIN,
        LOOPS,
        EXPRESSIONS,
        CONDITIONS,
        NO_CONDITION,
        INIT_FORMS,
    ];
    let mut damage = Damage(0x9e37_79b9_7f4a_7c15);
    let mut refused = 0;
    for round in 0..3000 {
        let source = damage.apply(samples[round % samples.len()]);
        match from_text(&source) {
            Ok(p) => {
                let printed = show(&p);
                let again = from_text(&printed).unwrap_or_else(|e| panic!("{e}\n{printed}"));
                assert_eq!(unplaced(&again), unplaced(&p), "{source}");
            }
            Err(e) => {
                refused += 1;
                let m = e.to_string();
                assert!(!m.contains('\n'), "{m}");
                assert!(!m.contains("reader bug"), "{m}\n{source}");
                assert!(e.pos.line >= 1 && e.pos.col >= 1, "{m}");
            }
        }
    }
    assert!(refused > 1000, "{refused}");
}
