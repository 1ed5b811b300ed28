//! `litmus model --why` of a C test: for an outcome the LKMM allows, one
//! execution that reaches it (its events, what each read reads from, each
//! location's coherence order, the dependencies); for one it forbids,
//! which axiom rules out the candidate executions that reach it, grouped.
//! (herd7 shows such executions only as graphs.)

use super::Outcome;
use super::execution::{Event, Execution, Kind, Tag, Val};
use crate::catalog::file::c::primitives::{AccessTag, FenceTag};
use std::fmt::Write as _;

/// The explanation of `outcome` (searched exhaustively, so that every
/// candidate is counted under its axiom).
pub fn explain(outcome: &Outcome) -> String {
    let mut out = String::new();
    match &outcome.tally.witness {
        Some(x) => {
            let _ = writeln!(
                out,
                "Why: an execution the LKMM allows reaches the outcome ({}):",
                outcome.condition
            );
            witness(&mut out, x, &outcome.locations);
        }
        None if outcome.tally.ruled_out.is_empty() => {
            let _ = writeln!(
                out,
                "Why: no candidate execution reaches the outcome ({}) at all: \
                 no choice of reads-from gives those values",
                outcome.condition
            );
        }
        None => {
            let total: u64 = outcome.tally.ruled_out.values().sum();
            let _ = writeln!(
                out,
                "Why: {total} candidate execution(s) reach the outcome ({}); \
                 the LKMM rules out each, by the first axiom it fails:",
                outcome.condition
            );
            for (axiom, n) in &outcome.tally.ruled_out {
                let _ = writeln!(out, "  {n:>8}  {axiom}: {}", axiom_says(axiom));
            }
        }
    }
    out
}

/// What each axiom of `linux-kernel.cat` (and `lock.cat`) forbids.
fn axiom_says(axiom: &str) -> &'static str {
    match axiom {
        "ConsCo" | "coherence" => {
            "acyclic po-loc | rf | co | fr: one location's accesses disagree with program order"
        }
        "atomic" => "empty rmw & (fre ; coe): a write came between an RMW's read and its write",
        "happens-before" => "acyclic hb: the accesses would have to happen before themselves",
        "propagation" => {
            "acyclic pb: a strong fence (smp_mb, an RMW with mb) orders what would propagate too late"
        }
        "rcu" => "irreflexive rb: a grace period would not wait for a read-side critical section",
        "plain-coherence" => "a plain access would see a value coherence forbids",
        "lock-nest" => "a spin_lock inside a critical section of the same lock",
        "nested-is-locked" => "spin_is_locked false inside a critical section of its lock",
        "unmatched-locks" => "two locks of one lock never released",
        _ => "",
    }
}

fn witness(out: &mut String, x: &Execution, locations: &[String]) {
    let name = |e: usize| label(e, x);
    let threads = x
        .events
        .iter()
        .filter_map(|e| e.thread)
        .max()
        .map_or(0, |t| t + 1);
    for t in 0..threads {
        let line: Vec<String> = (0..x.n())
            .filter(|&e| x.events[e].thread == Some(t))
            .map(|e| format!("{}: {}", name(e), event_text(&x.events[e], locations)))
            .collect();
        let _ = writeln!(out, "  P{t}  {}", line.join("; "));
    }
    let rf: Vec<String> =
        x.rf.pairs()
            .chain(x.rf_lf.pairs())
            .chain(x.rf_ru.pairs())
            .filter(|&(w, _)| x.events[w].kind != Kind::Init)
            .map(|(w, r)| format!("{} -> {}", name(w), name(r)))
            .collect();
    let from_init: Vec<String> =
        x.rf.pairs()
            .filter(|&(w, _)| x.events[w].kind == Kind::Init)
            .map(|(_, r)| name(r))
            .collect();
    let _ = writeln!(out, "  rf  {}", join_or_none(&rf));
    if !from_init.is_empty() {
        let _ = writeln!(
            out,
            "      (from the initial values: {})",
            from_init.join(", ")
        );
    }
    for (l, loc) in locations.iter().enumerate() {
        let mut writes: Vec<usize> = (0..x.n())
            .filter(|&e| {
                x.events[e].loc == Some(l)
                    && matches!(x.events[e].kind, Kind::Init | Kind::Write | Kind::Lkw)
            })
            .collect();
        if writes.len() < 2 {
            continue;
        }
        // Coherence-earlier writes first: by how many come before each.
        writes.sort_by_key(|&w| x.co.column(w).count_ones());
        let order: Vec<String> = writes.iter().map(|&w| name(w)).collect();
        let _ = writeln!(out, "  co {loc}: {}", order.join(" -> "));
    }
    for (what, rel) in [("addr", &x.addr), ("data", &x.data), ("ctrl", &x.ctrl)] {
        let pairs: Vec<String> = rel
            .pairs()
            .map(|(a, b)| format!("{} -> {}", name(a), name(b)))
            .collect();
        if !pairs.is_empty() {
            let _ = writeln!(out, "  {what}  {}", pairs.join(", "));
        }
    }
}

fn join_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".into()
    } else {
        items.join(", ")
    }
}

/// `init x`, or the event's letter(s) in order: a, b, ..., z, aa, ...
fn label(e: usize, x: &Execution) -> String {
    if x.events[e].kind == Kind::Init {
        return "init".into();
    }
    let inits = x.events.iter().filter(|ev| ev.kind == Kind::Init).count();
    let mut k = e - inits;
    let mut s = String::new();
    loop {
        s.insert(0, (b'a' + (k % 26) as u8) as char);
        if k < 26 {
            break;
        }
        k = k / 26 - 1;
    }
    s
}

/// herd7's way: `W[once] x=1`, `R*[acquire] y=0`, `F[mb]`, `LKR l`.
fn event_text(e: &Event, locations: &[String]) -> String {
    let loc = e
        .loc
        .and_then(|l| locations.get(l))
        .cloned()
        .unwrap_or_default();
    let star = if e.rmw { "*" } else { "" };
    let value = |v: Option<Val>| match v {
        Some(Val::Int(n)) => n.to_string(),
        Some(Val::Addr(l, 0)) => locations.get(l).cloned().unwrap_or_default(),
        Some(Val::Addr(l, o)) => format!("{}+{o}", locations.get(l).cloned().unwrap_or_default()),
        Some(Val::Unknown) => "S".into(),
        None => "?".into(),
    };
    let tag = match e.tag {
        Tag::None => String::new(),
        Tag::Access(a) => format!("[{}]", access_tag(a)),
        Tag::Fence(f) => format!("[{}]", fence_tag(f)),
        Tag::SyncSrcu => "[sync-srcu]".into(),
    };
    match e.kind {
        Kind::Read => format!("R{star}{tag} {loc}={}", value(e.value)),
        Kind::Write | Kind::Init => format!("W{star}{tag} {loc}={}", value(e.value)),
        Kind::Fence => format!("F{tag}"),
        Kind::Lkr => format!("LKR {loc}"),
        Kind::Lkw => format!("LKW {loc}"),
        Kind::Ul => format!("UL {loc}"),
        Kind::Lf => format!("LF {loc}"),
        Kind::Rl => format!("RL {loc}"),
        Kind::Ru => format!("RU {loc}"),
        Kind::SyncSrcu => format!("SRCU[sync-srcu] {loc}"),
    }
}

fn access_tag(a: AccessTag) -> &'static str {
    match a {
        AccessTag::Once => "once",
        AccessTag::Acquire => "acquire",
        AccessTag::Release => "release",
        AccessTag::Noreturn => "noreturn",
        AccessTag::SrcuLock => "srcu-lock",
        AccessTag::SrcuUnlock => "srcu-unlock",
    }
}

fn fence_tag(f: FenceTag) -> &'static str {
    match f {
        FenceTag::Mb => "mb",
        FenceTag::Rmb => "rmb",
        FenceTag::Wmb => "wmb",
        FenceTag::Barrier => "barrier",
        FenceTag::RcuLock => "rcu-lock",
        FenceTag::RcuUnlock => "rcu-unlock",
        FenceTag::SyncRcu => "sync-rcu",
        FenceTag::BeforeAtomic => "before-atomic",
        FenceTag::AfterAtomic => "after-atomic",
        FenceTag::AfterSpinlock => "after-spinlock",
        FenceTag::AfterUnlockLock => "after-unlock-lock",
        FenceTag::AfterSrcuReadUnlock => "after-srcu-read-unlock",
    }
}
