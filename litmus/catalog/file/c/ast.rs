//! A C litmus test as herd7 reads it (`lib/CParser.mly`, `lib/stateParser.mly`
//! in herdtools7 7.58), before any semantics: the init block, the threads'
//! code, the condition. Every node keeps where it starts in the file, so the
//! model can name a statement and an error can name a line and column.

/// A place in the file: 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// One test, as written.
#[derive(Clone, Debug, PartialEq)]
pub struct CProgram {
    /// The name after `C` on the first line (herd prints this one, not the
    /// file's name).
    pub name: String,
    /// What stands between the first line and the init block: comments,
    /// `key=value` info lines, a quoted description; printed back by `show`.
    pub header: String,
    /// The outcome the `Result:` line predicts, as `judgelitmus.sh` reads it
    /// (`Never`, `Sometimes DATARACE`, `DEADLOCK`, ...), if the file has one.
    pub result: Option<String>,
    pub init: Vec<InitItem>,
    pub threads: Vec<Thread>,
    pub condition: Condition,
}

/// One item of the init block: `int x = 1;`, `int *p = &x;`, `x;`,
/// `atomic_t a = ATOMIC_INIT(3);`, `0:r1=5;`, `int *q = y;`.
#[derive(Clone, Debug, PartialEq)]
pub struct InitItem {
    pub pos: Pos,
    /// The type's name (`int`, `atomic_t`, `intptr_t`), if one is written.
    pub ty: Option<String>,
    /// Declared as a pointer (`int *p`).
    pub pointer: bool,
    pub target: InitTarget,
    pub value: Option<InitValue>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InitTarget {
    /// A shared location.
    Location(String),
    /// A thread's register (`0:r1`).
    Register { thread: usize, reg: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InitValue {
    /// A number (`ATOMIC_INIT(n)` too); values are 32-bit, as herd7's.
    Int(i32),
    /// The address of a location: `&x` or `x` (a name on the right-hand
    /// side means its address).
    Address(String),
    /// `{1,2}`: an array's values (herd parses them; C code cannot index
    /// arrays, so the model refuses a test that uses one).
    Array(Vec<i32>),
}

/// `P<index>(T *a, T **b, ...) { body }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Thread {
    pub pos: Pos,
    pub index: usize,
    pub params: Vec<Param>,
    pub body: Vec<Stmt>,
}

/// A parameter: a register of the same name holding the address of the
/// global of that name. Its type does not change the events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// The type as written, stars included (`int *`, `spinlock_t *`,
    /// `struct srcu_struct *`), for `show`.
    pub ty: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub pos: Pos,
    pub kind: StmtKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `int r0;` (no event) or `int r0 = e;` (an assignment). The type as
    /// written, stars included.
    Decl {
        ty: String,
        reg: String,
        value: Option<Expr>,
    },
    /// `r = e;`
    Assign {
        reg: String,
        value: Expr,
    },
    /// A plain store: `*e1 = e2;`.
    Store {
        addr: Expr,
        value: Expr,
    },
    /// A procedure macro's call: `WRITE_ONCE(*x, 1);`, `smp_mb();`,
    /// `spin_lock(s);` (`call.prim.kind` is `Kind::Procedure`).
    Call(Call),
    /// An expression as a statement: `(void)xchg(x, 1);`, `e;`. `void` is
    /// true when the `(void)` cast was written (for `show`).
    Expr {
        value: Expr,
        void: bool,
    },
    If {
        cond: Expr,
        then: Vec<Stmt>,
        otherwise: Option<Vec<Stmt>>,
    },
    While {
        cond: Expr,
        body: Vec<Stmt>,
    },
    Block(Vec<Stmt>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Int(i32),
    /// A register, or a parameter (which holds its location's address).
    Reg(String),
    /// `*e`: a plain load.
    Deref(Box<Expr>),
    /// An expression macro's call: `READ_ONCE(*x)`, `xchg(x, 1)`.
    Call(Call),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `(T)e`: herd ignores the cast; kept for `show`.
    Cast(String, Box<Expr>),
    /// `(e)`: kept for `show`.
    Paren(Box<Expr>),
}

/// A call of a primitive of `linux-kernel.def` (or `atomic_add_unless`,
/// which herd builds in), checked against [`super::primitives`]: a known
/// name, of the right kind (expression or procedure), with the right
/// number of arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub pos: Pos,
    pub prim: &'static super::primitives::Primitive,
    pub args: Vec<Expr>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Or,
    Xor,
    And,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    /// As C writes it.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "|",
            BinOp::Xor => "^",
            BinOp::And => "&",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Le => "<=",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    /// Binding strength, loosest first, as herd's grammar has it: `|` <
    /// `^` < `&` < comparisons < `+ -` < `* /`.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::Xor => 2,
            BinOp::And => 3,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div => 6,
        }
    }

    /// herd's 32-bit two's complement arithmetic; comparisons give 1 or 0.
    /// Division by zero gives `None` (herd refuses the execution).
    pub fn apply(self, a: i32, b: i32) -> Option<i32> {
        Some(match self {
            BinOp::Or => a | b,
            BinOp::Xor => a ^ b,
            BinOp::And => a & b,
            BinOp::Eq => (a == b) as i32,
            BinOp::Ne => (a != b) as i32,
            BinOp::Lt => (a < b) as i32,
            BinOp::Gt => (a > b) as i32,
            BinOp::Le => (a <= b) as i32,
            BinOp::Ge => (a >= b) as i32,
            BinOp::Add => a.wrapping_add(b),
            BinOp::Sub => a.wrapping_sub(b),
            BinOp::Mul => a.wrapping_mul(b),
            BinOp::Div => {
                if b == 0 {
                    return None;
                }
                a.wrapping_div(b)
            }
        })
    }
}

/// The condition section: `locations [...]`, `filter P`, then `exists P`,
/// `~exists P` or `forall P` (none: `forall (true)`).
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub locations: Vec<Observable>,
    pub filter: Option<Prop>,
    pub quantifier: Quantifier,
    pub prop: Prop,
    /// Whether the file wrote a condition at all (`show` prints none back
    /// when it did not).
    pub written: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantifier {
    /// `exists`: herd's kind Allowed.
    Exists,
    /// `~exists`: Forbidden.
    NotExists,
    /// `forall`: Required.
    Forall,
}

/// Something a condition names: a location's final value, or a register's.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Observable {
    Location(String),
    Register { thread: usize, reg: String },
}

/// The value an atom compares with: a number, or a location's address
/// (`0:r4=y`, `p=x`), or another register's or location's final value
/// (`0:r1=1:r2`, `x=[y]`: herd's `LL` atom, which only `=` takes).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AtomValue {
    Int(i32),
    Address(String),
    ValueOf(Observable),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Prop {
    True,
    False,
    /// `x=1`, `[x]=1`, `x==1`, `0:r0=1`.
    Eq(Observable, AtomValue),
    /// `x!=1`.
    Ne(Observable, AtomValue),
    Not(Box<Prop>),
    And(Box<Prop>, Box<Prop>),
    Or(Box<Prop>, Box<Prop>),
    Implies(Box<Prop>, Box<Prop>),
}
