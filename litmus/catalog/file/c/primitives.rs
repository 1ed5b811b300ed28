//! The primitives a C litmus test may call: `linux-kernel.def` (the
//! kernel's `tools/memory-model/linux-kernel.def`) transcribed, one entry a
//! macro, with the `.def` line it comes from, plus `atomic_add_unless`,
//! which herd7 builds in (`lib/CBase.ml` `subst_expr`). The reader checks
//! calls against this table (a name herd does not know, a value-returning
//! macro used as a statement, a wrong number of arguments are refused as
//! herd refuses them); the LKMM model gives each entry its events.

/// Where a macro may be called: an expression macro (`NAME(X) expr`) only
/// inside an expression, a procedure macro (`NAME(X) { ... }`) only as a
/// statement (herd looks each kind up in its own table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Expression,
    Procedure,
}

/// An access's annotation (`linux-kernel.bell`'s `Accesses`, and the SRCU
/// tags of its `SRCU` enum that accesses carry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessTag {
    Once,
    Acquire,
    Release,
    /// The read of a non-returning RMW (`atomic_add` and friends).
    Noreturn,
    SrcuLock,
    SrcuUnlock,
}

/// A fence's annotation (`linux-kernel.bell`'s `Barriers`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FenceTag {
    Mb,
    Rmb,
    Wmb,
    Barrier,
    RcuLock,
    RcuUnlock,
    SyncRcu,
    BeforeAtomic,
    AfterAtomic,
    AfterSpinlock,
    AfterUnlockLock,
    AfterSrcuReadUnlock,
}

/// The ordering variant of an RMW: `{mb}` (full: fenced on both sides),
/// `{once}` (`_relaxed`), `{acquire}`, `{release}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Order {
    Mb,
    Relaxed,
    Acquire,
    Release,
}

/// The arithmetic of an atomic operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    Add,
    Sub,
}

/// An argument's place in the call, or a constant the macro supplies
/// (`atomic_inc(X)` adds 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arg {
    At(usize),
    Const(i32),
}

/// What a `_return` result is tested against (`_and_test`: `== 0`,
/// `add_negative`: `< 0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResultTest {
    IsZero,
    IsNegative,
}

/// What a primitive does, in herd7's internal forms (`herd/CSem.ml`).
/// Pointer arguments are argument places; `deref` says whether the macro
/// adds the `*` itself (`smp_load_acquire(X)` is `__load{acquire}(*X)`)
/// or the caller writes it (`READ_ONCE(*x)`, `__load{once}(X)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Semantics {
    Load {
        tag: AccessTag,
        deref: bool,
    },
    Store {
        tag: AccessTag,
        deref: bool,
    },
    /// `smp_store_mb(X,V)`: a once store, then an `mb` fence.
    StoreMb,
    Fence(FenceTag),
    Xchg(Order),
    /// `cmpxchg(X, old, new)`: on success the `xchg` of that order, on
    /// failure one once read.
    Cmpxchg(Order),
    /// `atomic_add(V,X)` and friends: a noreturn read and a once write, no
    /// fences.
    AtomicOp {
        op: Op,
        ptr: usize,
        value: Arg,
    },
    /// `_return` (the new value) or `fetch_` (the old one), with its order,
    /// maybe tested.
    AtomicOpReturn {
        order: Order,
        op: Op,
        ptr: usize,
        value: Arg,
        fetch: bool,
        test: Option<ResultTest>,
    },
    /// `atomic_add_unless(X, a, u)`.
    AddUnless,
    Lock,
    Unlock,
    TryLock,
    IsLocked,
    /// `srcu_read_lock(X)`: a read tagged srcu-lock of `*X`.
    SrcuLock,
    /// `srcu_read_unlock(X, v)`: a write tagged srcu-unlock of `*X`.
    SrcuUnlock,
    /// `synchronize_srcu(X)`: a sync-srcu event on `X`.
    SyncSrcu,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Primitive {
    pub name: &'static str,
    pub kind: Kind,
    pub arity: usize,
    pub semantics: Semantics,
    /// The `.def` line this entry transcribes.
    pub def: &'static str,
}

use AccessTag as A;
use Kind::{Expression as E, Procedure as P};
use Semantics as S;

const fn p(
    name: &'static str,
    kind: Kind,
    arity: usize,
    semantics: Semantics,
    def: &'static str,
) -> Primitive {
    Primitive {
        name,
        kind,
        arity,
        semantics,
        def,
    }
}

const fn ret(order: Order, op: Op, ptr: usize, value: Arg, fetch: bool) -> Semantics {
    S::AtomicOpReturn {
        order,
        op,
        ptr,
        value,
        fetch,
        test: None,
    }
}

const fn tested(op: Op, ptr: usize, value: Arg, test: ResultTest) -> Semantics {
    S::AtomicOpReturn {
        order: Mb,
        op,
        ptr,
        value,
        fetch: false,
        test: Some(test),
    }
}

use Arg::{At, Const};
use Op::{Add, Sub};
use Order::{Acquire as Acq, Mb, Relaxed as Rlx, Release as Rel};

/// Every primitive, in `linux-kernel.def`'s order.
#[rustfmt::skip]
pub static PRIMITIVES: &[Primitive] = &[
    // ONCE
    p("READ_ONCE", E, 1, S::Load { tag: A::Once, deref: false }, "READ_ONCE(X) __load{once}(X)"),
    p("WRITE_ONCE", P, 2, S::Store { tag: A::Once, deref: false }, "WRITE_ONCE(X,V) { __store{once}(X,V); }"),
    // Release Acquire and friends
    p("smp_store_release", P, 2, S::Store { tag: A::Release, deref: true }, "smp_store_release(X,V) { __store{release}(*X,V); }"),
    p("smp_load_acquire", E, 1, S::Load { tag: A::Acquire, deref: true }, "smp_load_acquire(X) __load{acquire}(*X)"),
    p("rcu_assign_pointer", P, 2, S::Store { tag: A::Release, deref: false }, "rcu_assign_pointer(X,V) { __store{release}(X,V); }"),
    p("rcu_dereference", E, 1, S::Load { tag: A::Once, deref: false }, "rcu_dereference(X) __load{once}(X)"),
    p("smp_store_mb", P, 2, S::StoreMb, "smp_store_mb(X,V) { __store{once}(X,V); __fence{mb}; }"),
    // Fences
    p("smp_mb", P, 0, S::Fence(FenceTag::Mb), "smp_mb() { __fence{mb}; }"),
    p("smp_rmb", P, 0, S::Fence(FenceTag::Rmb), "smp_rmb() { __fence{rmb}; }"),
    p("smp_wmb", P, 0, S::Fence(FenceTag::Wmb), "smp_wmb() { __fence{wmb}; }"),
    p("smp_mb__before_atomic", P, 0, S::Fence(FenceTag::BeforeAtomic), "smp_mb__before_atomic() { __fence{before-atomic}; }"),
    p("smp_mb__after_atomic", P, 0, S::Fence(FenceTag::AfterAtomic), "smp_mb__after_atomic() { __fence{after-atomic}; }"),
    p("smp_mb__after_spinlock", P, 0, S::Fence(FenceTag::AfterSpinlock), "smp_mb__after_spinlock() { __fence{after-spinlock}; }"),
    p("smp_mb__after_unlock_lock", P, 0, S::Fence(FenceTag::AfterUnlockLock), "smp_mb__after_unlock_lock() { __fence{after-unlock-lock}; }"),
    p("smp_mb__after_srcu_read_unlock", P, 0, S::Fence(FenceTag::AfterSrcuReadUnlock), "smp_mb__after_srcu_read_unlock() { __fence{after-srcu-read-unlock}; }"),
    p("barrier", P, 0, S::Fence(FenceTag::Barrier), "barrier() { __fence{barrier}; }"),
    // Exchange
    p("xchg", E, 2, S::Xchg(Mb), "xchg(X,V)  __xchg{mb}(X,V)"),
    p("xchg_relaxed", E, 2, S::Xchg(Rlx), "xchg_relaxed(X,V) __xchg{once}(X,V)"),
    p("xchg_release", E, 2, S::Xchg(Rel), "xchg_release(X,V) __xchg{release}(X,V)"),
    p("xchg_acquire", E, 2, S::Xchg(Acq), "xchg_acquire(X,V) __xchg{acquire}(X,V)"),
    p("cmpxchg", E, 3, S::Cmpxchg(Mb), "cmpxchg(X,V,W) __cmpxchg{mb}(X,V,W)"),
    p("cmpxchg_relaxed", E, 3, S::Cmpxchg(Rlx), "cmpxchg_relaxed(X,V,W) __cmpxchg{once}(X,V,W)"),
    p("cmpxchg_acquire", E, 3, S::Cmpxchg(Acq), "cmpxchg_acquire(X,V,W) __cmpxchg{acquire}(X,V,W)"),
    p("cmpxchg_release", E, 3, S::Cmpxchg(Rel), "cmpxchg_release(X,V,W) __cmpxchg{release}(X,V,W)"),
    // Spinlocks
    p("spin_lock", P, 1, S::Lock, "spin_lock(X) { __lock(X); }"),
    p("spin_unlock", P, 1, S::Unlock, "spin_unlock(X) { __unlock(X); }"),
    p("spin_trylock", E, 1, S::TryLock, "spin_trylock(X) __trylock(X)"),
    p("spin_is_locked", E, 1, S::IsLocked, "spin_is_locked(X) __islocked(X)"),
    // RCU
    p("rcu_read_lock", P, 0, S::Fence(FenceTag::RcuLock), "rcu_read_lock() { __fence{rcu-lock}; }"),
    p("rcu_read_unlock", P, 0, S::Fence(FenceTag::RcuUnlock), "rcu_read_unlock() { __fence{rcu-unlock}; }"),
    p("synchronize_rcu", P, 0, S::Fence(FenceTag::SyncRcu), "synchronize_rcu() { __fence{sync-rcu}; }"),
    p("synchronize_rcu_expedited", P, 0, S::Fence(FenceTag::SyncRcu), "synchronize_rcu_expedited() { __fence{sync-rcu}; }"),
    // SRCU
    p("srcu_read_lock", E, 1, S::SrcuLock, "srcu_read_lock(X) __load{srcu-lock}(*X)"),
    p("srcu_read_unlock", P, 2, S::SrcuUnlock, "srcu_read_unlock(X,Y) { __store{srcu-unlock}(*X,Y); }"),
    p("srcu_down_read", E, 1, S::SrcuLock, "srcu_down_read(X) __load{srcu-lock}(*X)"),
    p("srcu_up_read", P, 2, S::SrcuUnlock, "srcu_up_read(X,Y) { __store{srcu-unlock}(*X,Y); }"),
    p("synchronize_srcu", P, 1, S::SyncSrcu, "synchronize_srcu(X)  { __srcu{sync-srcu}(X); }"),
    p("synchronize_srcu_expedited", P, 1, S::SyncSrcu, "synchronize_srcu_expedited(X)  { __srcu{sync-srcu}(X); }"),
    // Atomic
    p("atomic_read", E, 1, S::Load { tag: A::Once, deref: true }, "atomic_read(X) READ_ONCE(*X)"),
    p("atomic_set", P, 2, S::Store { tag: A::Once, deref: true }, "atomic_set(X,V) { WRITE_ONCE(*X,V); }"),
    p("atomic_read_acquire", E, 1, S::Load { tag: A::Acquire, deref: true }, "atomic_read_acquire(X) smp_load_acquire(X)"),
    p("atomic_set_release", P, 2, S::Store { tag: A::Release, deref: true }, "atomic_set_release(X,V) { smp_store_release(X,V); }"),
    p("atomic_add", P, 2, S::AtomicOp { op: Add, ptr: 1, value: At(0) }, "atomic_add(V,X) { __atomic_op(X,+,V); }"),
    p("atomic_sub", P, 2, S::AtomicOp { op: Sub, ptr: 1, value: At(0) }, "atomic_sub(V,X) { __atomic_op(X,-,V); }"),
    p("atomic_inc", P, 1, S::AtomicOp { op: Add, ptr: 0, value: Const(1) }, "atomic_inc(X)   { __atomic_op(X,+,1); }"),
    p("atomic_dec", P, 1, S::AtomicOp { op: Sub, ptr: 0, value: Const(1) }, "atomic_dec(X)   { __atomic_op(X,-,1); }"),
    p("atomic_add_return", E, 2, ret(Mb, Add, 1, At(0), false), "atomic_add_return(V,X) __atomic_op_return{mb}(X,+,V)"),
    p("atomic_add_return_relaxed", E, 2, ret(Rlx, Add, 1, At(0), false), "atomic_add_return_relaxed(V,X) __atomic_op_return{once}(X,+,V)"),
    p("atomic_add_return_acquire", E, 2, ret(Acq, Add, 1, At(0), false), "atomic_add_return_acquire(V,X) __atomic_op_return{acquire}(X,+,V)"),
    p("atomic_add_return_release", E, 2, ret(Rel, Add, 1, At(0), false), "atomic_add_return_release(V,X) __atomic_op_return{release}(X,+,V)"),
    p("atomic_fetch_add", E, 2, ret(Mb, Add, 1, At(0), true), "atomic_fetch_add(V,X) __atomic_fetch_op{mb}(X,+,V)"),
    p("atomic_fetch_add_relaxed", E, 2, ret(Rlx, Add, 1, At(0), true), "atomic_fetch_add_relaxed(V,X) __atomic_fetch_op{once}(X,+,V)"),
    p("atomic_fetch_add_acquire", E, 2, ret(Acq, Add, 1, At(0), true), "atomic_fetch_add_acquire(V,X) __atomic_fetch_op{acquire}(X,+,V)"),
    p("atomic_fetch_add_release", E, 2, ret(Rel, Add, 1, At(0), true), "atomic_fetch_add_release(V,X) __atomic_fetch_op{release}(X,+,V)"),
    p("atomic_inc_return", E, 1, ret(Mb, Add, 0, Const(1), false), "atomic_inc_return(X) __atomic_op_return{mb}(X,+,1)"),
    p("atomic_inc_return_relaxed", E, 1, ret(Rlx, Add, 0, Const(1), false), "atomic_inc_return_relaxed(X) __atomic_op_return{once}(X,+,1)"),
    p("atomic_inc_return_acquire", E, 1, ret(Acq, Add, 0, Const(1), false), "atomic_inc_return_acquire(X) __atomic_op_return{acquire}(X,+,1)"),
    p("atomic_inc_return_release", E, 1, ret(Rel, Add, 0, Const(1), false), "atomic_inc_return_release(X) __atomic_op_return{release}(X,+,1)"),
    p("atomic_fetch_inc", E, 1, ret(Mb, Add, 0, Const(1), true), "atomic_fetch_inc(X) __atomic_fetch_op{mb}(X,+,1)"),
    p("atomic_fetch_inc_relaxed", E, 1, ret(Rlx, Add, 0, Const(1), true), "atomic_fetch_inc_relaxed(X) __atomic_fetch_op{once}(X,+,1)"),
    p("atomic_fetch_inc_acquire", E, 1, ret(Acq, Add, 0, Const(1), true), "atomic_fetch_inc_acquire(X) __atomic_fetch_op{acquire}(X,+,1)"),
    p("atomic_fetch_inc_release", E, 1, ret(Rel, Add, 0, Const(1), true), "atomic_fetch_inc_release(X) __atomic_fetch_op{release}(X,+,1)"),
    p("atomic_sub_return", E, 2, ret(Mb, Sub, 1, At(0), false), "atomic_sub_return(V,X) __atomic_op_return{mb}(X,-,V)"),
    p("atomic_sub_return_relaxed", E, 2, ret(Rlx, Sub, 1, At(0), false), "atomic_sub_return_relaxed(V,X) __atomic_op_return{once}(X,-,V)"),
    p("atomic_sub_return_acquire", E, 2, ret(Acq, Sub, 1, At(0), false), "atomic_sub_return_acquire(V,X) __atomic_op_return{acquire}(X,-,V)"),
    p("atomic_sub_return_release", E, 2, ret(Rel, Sub, 1, At(0), false), "atomic_sub_return_release(V,X) __atomic_op_return{release}(X,-,V)"),
    p("atomic_fetch_sub", E, 2, ret(Mb, Sub, 1, At(0), true), "atomic_fetch_sub(V,X) __atomic_fetch_op{mb}(X,-,V)"),
    p("atomic_fetch_sub_relaxed", E, 2, ret(Rlx, Sub, 1, At(0), true), "atomic_fetch_sub_relaxed(V,X) __atomic_fetch_op{once}(X,-,V)"),
    p("atomic_fetch_sub_acquire", E, 2, ret(Acq, Sub, 1, At(0), true), "atomic_fetch_sub_acquire(V,X) __atomic_fetch_op{acquire}(X,-,V)"),
    p("atomic_fetch_sub_release", E, 2, ret(Rel, Sub, 1, At(0), true), "atomic_fetch_sub_release(V,X) __atomic_fetch_op{release}(X,-,V)"),
    p("atomic_dec_return", E, 1, ret(Mb, Sub, 0, Const(1), false), "atomic_dec_return(X) __atomic_op_return{mb}(X,-,1)"),
    p("atomic_dec_return_relaxed", E, 1, ret(Rlx, Sub, 0, Const(1), false), "atomic_dec_return_relaxed(X) __atomic_op_return{once}(X,-,1)"),
    p("atomic_dec_return_acquire", E, 1, ret(Acq, Sub, 0, Const(1), false), "atomic_dec_return_acquire(X) __atomic_op_return{acquire}(X,-,1)"),
    p("atomic_dec_return_release", E, 1, ret(Rel, Sub, 0, Const(1), false), "atomic_dec_return_release(X) __atomic_op_return{release}(X,-,1)"),
    p("atomic_fetch_dec", E, 1, ret(Mb, Sub, 0, Const(1), true), "atomic_fetch_dec(X) __atomic_fetch_op{mb}(X,-,1)"),
    p("atomic_fetch_dec_relaxed", E, 1, ret(Rlx, Sub, 0, Const(1), true), "atomic_fetch_dec_relaxed(X) __atomic_fetch_op{once}(X,-,1)"),
    p("atomic_fetch_dec_acquire", E, 1, ret(Acq, Sub, 0, Const(1), true), "atomic_fetch_dec_acquire(X) __atomic_fetch_op{acquire}(X,-,1)"),
    p("atomic_fetch_dec_release", E, 1, ret(Rel, Sub, 0, Const(1), true), "atomic_fetch_dec_release(X) __atomic_fetch_op{release}(X,-,1)"),
    p("atomic_xchg", E, 2, S::Xchg(Mb), "atomic_xchg(X,V) __xchg{mb}(X,V)"),
    p("atomic_xchg_relaxed", E, 2, S::Xchg(Rlx), "atomic_xchg_relaxed(X,V) __xchg{once}(X,V)"),
    p("atomic_xchg_release", E, 2, S::Xchg(Rel), "atomic_xchg_release(X,V) __xchg{release}(X,V)"),
    p("atomic_xchg_acquire", E, 2, S::Xchg(Acq), "atomic_xchg_acquire(X,V) __xchg{acquire}(X,V)"),
    p("atomic_cmpxchg", E, 3, S::Cmpxchg(Mb), "atomic_cmpxchg(X,V,W) __cmpxchg{mb}(X,V,W)"),
    p("atomic_cmpxchg_relaxed", E, 3, S::Cmpxchg(Rlx), "atomic_cmpxchg_relaxed(X,V,W) __cmpxchg{once}(X,V,W)"),
    p("atomic_cmpxchg_acquire", E, 3, S::Cmpxchg(Acq), "atomic_cmpxchg_acquire(X,V,W) __cmpxchg{acquire}(X,V,W)"),
    p("atomic_cmpxchg_release", E, 3, S::Cmpxchg(Rel), "atomic_cmpxchg_release(X,V,W) __cmpxchg{release}(X,V,W)"),
    p("atomic_sub_and_test", E, 2, tested(Sub, 1, At(0), ResultTest::IsZero), "atomic_sub_and_test(V,X) __atomic_op_return{mb}(X,-,V) == 0"),
    p("atomic_dec_and_test", E, 1, tested(Sub, 0, Const(1), ResultTest::IsZero), "atomic_dec_and_test(X)  __atomic_op_return{mb}(X,-,1) == 0"),
    p("atomic_inc_and_test", E, 1, tested(Add, 0, Const(1), ResultTest::IsZero), "atomic_inc_and_test(X)  __atomic_op_return{mb}(X,+,1) == 0"),
    p("atomic_add_negative", E, 2, tested(Add, 1, At(0), ResultTest::IsNegative), "atomic_add_negative(V,X) __atomic_op_return{mb}(X,+,V) < 0"),
    // Built into herd7, not in the .def.
    p("atomic_add_unless", E, 3, S::AddUnless, "(herd7 built-in) atomic_add_unless(X,A,U)"),
];

/// The primitive called `name`, of either kind.
pub fn lookup(name: &str) -> Option<&'static Primitive> {
    PRIMITIVES.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_each_def_line_names_its_macro() {
        for (i, p) in PRIMITIVES.iter().enumerate() {
            assert!(
                PRIMITIVES[..i].iter().all(|q| q.name != p.name),
                "{} twice",
                p.name
            );
            assert!(p.def.contains(&format!("{}(", p.name)), "{}", p.name);
            // A procedure's .def line has a body in braces, an expression's not.
            assert_eq!(
                p.def.contains("; }"),
                p.kind == Kind::Procedure,
                "{}",
                p.name
            );
        }
        assert_eq!(lookup("xchg").map(|p| p.kind), Some(Kind::Expression));
        assert!(lookup("smp_memb").is_none());
    }
}
