//! The kernel's code for a two-word PTE, as C litmus statements: the reads
//! (`ptep_get_lockless()` and the other readers the suite judges, each a
//! sequence of loads with its read barrier), the writers (`pte_clear()`,
//! `set_pte()`, in the kernel's orders or reversed, optionally inside
//! `write_seqcount_begin()`/`_end()`), a writer's check of the PTE, and the
//! token writers hand on. One place writes each, so the PTE tests and the
//! protocols' pairs say the same thing the same way.

/// A PTE half, as the C tests name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Half {
    Low,
    High,
}

impl Half {
    pub fn location(self) -> &'static str {
        match self {
            Half::Low => "pte_low",
            Half::High => "pte_high",
        }
    }

    /// This half of `(low, high)`.
    pub fn of(self, (low, high): (u32, u32)) -> u32 {
        match self {
            Half::Low => low,
            Half::High => high,
        }
    }
}

/// How a read loads a half: `READ_ONCE()`, or a plain C access (the seed's
/// code as written in 2022: `pte.pte_low = ptep->pte_low;`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Access {
    Once,
    Plain,
}

/// A value as the tests write it: in decimal, as herd7's C reads
/// constants in code (the comments give each PTE in hex).
pub(super) fn value(v: u32) -> String {
    v.to_string()
}

/// A PTE as the seed writes it: `0x0001000200020067`.
pub(super) fn pte_value((low, high): (u32, u32)) -> String {
    format!("{:#018x}", pte_asm::join(low, high))
}

/// One read of the PTE in C, and what its retry loop's exit needs.
#[derive(Clone, Debug)]
pub(super) struct CRead {
    /// What it is, for the file's comment: `ptep_get_lockless()`.
    pub what: String,
    pub params: Vec<&'static str>,
    pub locals: Vec<&'static str>,
    pub body: Vec<String>,
    /// Each register a half is loaded into, in load order. The first of
    /// each half is what the read returns; a later one is its recheck,
    /// equal to it when the retry loop exits (the loop as herd treats a
    /// spin loop: the condition assumes it exited).
    pub loads: Vec<(&'static str, Half)>,
    /// The sequence count's two registers, equal and even when the read
    /// exits (`read_seqcount_retry()` passed).
    pub sequence: Option<(&'static str, &'static str)>,
}

impl CRead {
    /// The atoms saying the read returned `pte` and its rechecks passed.
    pub fn returned(&self, thread: usize, pte: (u32, u32)) -> Vec<String> {
        self.loads
            .iter()
            .map(|(reg, half)| format!("{thread}:{reg}={}", value(half.of(pte))))
            .collect()
    }

    /// The sequence count's exit from its retry loop, for a writer that
    /// bumped it `bumps` times: both reads equal and even, as
    /// alternatives; `None` for a read with no sequence count.
    pub fn sequence_exit(&self, thread: usize, bumps: u32) -> Option<String> {
        let (s, s2) = self.sequence?;
        let exits: Vec<String> = (0..=bumps)
            .filter(|n| n % 2 == 0)
            .map(|n| format!("({thread}:{s}={n} /\\ {thread}:{s2}={n})"))
            .collect();
        Some(exits.join(" \\/ "))
    }
}

/// A read that loads the halves in `order` with `barrier` between loads
/// (none: the halves in either order, as the LKMM leaves unbarriered
/// loads).
pub(super) fn halves(
    what: &str,
    order: &[(&'static str, Half)],
    barrier: Option<&'static str>,
    access: Access,
) -> CRead {
    let mut body = vec![format!("/* {what} */")];
    for (i, (reg, half)) in order.iter().enumerate() {
        if i > 0
            && let Some(b) = barrier
        {
            body.push(format!("{b}();"));
        }
        body.push(match access {
            Access::Once => format!("{reg} = READ_ONCE(*{});", half.location()),
            Access::Plain => format!("{reg} = *{};", half.location()),
        });
    }
    CRead {
        what: what.to_string(),
        params: vec!["pte_low", "pte_high"],
        locals: order.iter().map(|(reg, _)| *reg).collect(),
        body,
        loads: order.to_vec(),
        sequence: None,
    }
}

/// `ptep_get_lockless()` (`include/linux/pgtable.h`, two-word PTEs): low,
/// `smp_rmb()`, high, `smp_rmb()`, low again, retrying while low changed.
pub(super) fn lowhigh(barrier: &'static str, access: Access) -> CRead {
    let what = match (barrier, access) {
        ("smp_rmb", Access::Once) => "ptep_get_lockless()".to_string(),
        ("smp_rmb", Access::Plain) => "ptep_get_lockless() with 2022's plain loads".to_string(),
        (b, _) => format!("ptep_get_lockless() with {b}()"),
    };
    halves(
        &what,
        &[("lo", Half::Low), ("hi", Half::High), ("lo2", Half::Low)],
        Some(barrier),
        access,
    )
}

/// Low and high loaded once each, no barrier, no recheck: a plain
/// `ptep_get()` of a two-word PTE (`READ_ONCE(*ptep)`, which a 32-bit
/// compiler splits into two loads in either order).
pub(super) fn split() -> CRead {
    halves(
        "ptep_get() (READ_ONCE() of the whole two-word PTE)",
        &[("lo", Half::Low), ("hi", Half::High)],
        None,
        Access::Once,
    )
}

/// `read_seqcount_begin()`, the halves, `read_seqcount_retry()`
/// (`include/linux/seqlock.h`): the sequence, `smp_rmb()`, low and high,
/// `smp_rmb()`, the sequence again, retrying while it was odd or changed.
pub(super) fn seqcount() -> CRead {
    let body = [
        "/* read_seqcount_begin() */",
        "s = READ_ONCE(*seq);",
        "smp_rmb();",
        "lo = READ_ONCE(*pte_low);",
        "hi = READ_ONCE(*pte_high);",
        "/* read_seqcount_retry() */",
        "smp_rmb();",
        "s2 = READ_ONCE(*seq);",
    ];
    CRead {
        what: "the halves inside read_seqcount_begin()/read_seqcount_retry()".to_string(),
        params: vec!["pte_low", "pte_high", "seq"],
        locals: vec!["s", "lo", "hi", "s2"],
        body: body.iter().map(|s| s.to_string()).collect(),
        loads: vec![("lo", Half::Low), ("hi", Half::High)],
        sequence: Some(("s", "s2")),
    }
}

/// A writer's orders and whether it bumps a sequence count around each
/// zap and install.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct CWriter {
    pub zap_low_first: bool,
    pub install_high_first: bool,
    pub seqcount: bool,
}

impl CWriter {
    /// The kernel's: `pte_clear()` low then high, `set_pte()` high then low
    /// (`arch/x86/include/asm/pgtable-3level.h`).
    pub const KERNEL: CWriter = CWriter {
        zap_low_first: true,
        install_high_first: true,
        seqcount: false,
    };

    /// The kernel's orders in `write_seqcount_begin()`/`_end()`.
    pub const SEQCOUNT: CWriter = CWriter {
        seqcount: true,
        ..CWriter::KERNEL
    };

    /// What it does, for a file's question: `pte_clear() and set_pte()`.
    pub fn describe(self) -> String {
        let kernel = self.zap_low_first && self.install_high_first;
        let mut out = if kernel {
            "pte_clear() and set_pte()".to_string()
        } else {
            let first = |low_first: bool| if low_first { "low" } else { "high" };
            format!(
                "zaps storing the {} half first and installs storing the {} half first",
                first(self.zap_low_first),
                first(!self.install_high_first)
            )
        };
        if self.seqcount {
            out.push_str(" inside write_seqcount_begin()/_end()");
        }
        out
    }

    pub fn params(self) -> Vec<&'static str> {
        let mut params = vec!["pte_low", "pte_high"];
        if self.seqcount {
            params.push("seq");
        }
        params
    }

    /// Zap the PTE: `pte_clear()`; `seq` is the sequence count before it,
    /// and after.
    pub fn zap(self, seq: &mut u32) -> Vec<String> {
        let (comment, order) = if self.zap_low_first {
            ("pte_clear()", [Half::Low, Half::High])
        } else {
            ("zap: the high half first", [Half::High, Half::Low])
        };
        self.stores(comment, order.map(|h| (h, 0)), seq)
    }

    /// Install `pte`, named `name` (the seed's A, B, C): `set_pte()`.
    pub fn install(self, name: &str, pte: (u32, u32), seq: &mut u32) -> Vec<String> {
        let shown = format!("{name} = {}", pte_value(pte));
        let (comment, order) = if self.install_high_first {
            (format!("set_pte({shown})"), [Half::High, Half::Low])
        } else {
            (
                format!("install {shown}: the low half first"),
                [Half::Low, Half::High],
            )
        };
        self.stores(&comment, order.map(|h| (h, h.of(pte))), seq)
    }

    /// Two half-stores with `smp_wmb()` between, inside the sequence count
    /// if this writer keeps one.
    fn stores(self, comment: &str, stores: [(Half, u32); 2], seq: &mut u32) -> Vec<String> {
        let mut out = Vec::new();
        if self.seqcount {
            *seq += 1;
            out.extend(bump("write_seqcount_begin()", *seq));
        }
        out.push(format!("/* {comment} */"));
        out.push(write_once(stores[0]));
        out.push("smp_wmb();".to_string());
        out.push(write_once(stores[1]));
        if self.seqcount {
            *seq += 1;
            out.extend(bump("write_seqcount_end()", *seq));
        }
        out
    }
}

fn write_once((half, v): (Half, u32)) -> String {
    format!("WRITE_ONCE(*{}, {});", half.location(), value(v))
}

/// `s->sequence++`, to `now` (odd: `write_seqcount_begin()`, then
/// `smp_wmb()`; even: `smp_wmb()`, then `write_seqcount_end()`). The
/// writers are serialised (the page-table lock), so each knows the count it
/// leaves: the store is of that constant, not a load and an add, which
/// would give the LKMM a read of every value per increment to try. The
/// kernel's increment is a plain access that KCSAN is told is atomic
/// (`kcsan_nestable_atomic_begin()`); the LKMM's word for that is a marked
/// access.
fn bump(what: &str, now: u32) -> Vec<String> {
    let inc = format!("WRITE_ONCE(*seq, {now});");
    let wmb = "smp_wmb();".to_string();
    let mut out = vec![format!("/* {what}: s->sequence++ */")];
    if now % 2 == 1 {
        out.extend([inc, wmb]);
    } else {
        out.extend([wmb, inc]);
    }
    out
}

/// A writer's check of the PTE (`PTE-LOST`): both halves, `READ_ONCE()`,
/// into `low` and `high`.
pub(super) fn check(what: &str, low: &str, high: &str) -> Vec<String> {
    vec![
        format!("/* {what} */"),
        format!("{low} = READ_ONCE(*pte_low);"),
        format!("{high} = READ_ONCE(*pte_high);"),
    ]
}

/// Wait for the turn token into `reg`: an acquire, as the page-table lock
/// orders one writer's stores before the next writer's.
pub(super) fn take_turn(reg: &str) -> Vec<String> {
    vec![
        "/* wait for my turn (the page-table lock) */".to_string(),
        format!("{reg} = smp_load_acquire(turn);"),
    ]
}

/// Hand the token on: a release.
pub(super) fn pass_turn(next: u32) -> Vec<String> {
    vec![format!("smp_store_release(turn, {next});")]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernels_reader_and_writers_read_as_the_kernel_writes_them() {
        let read = lowhigh("smp_rmb", Access::Once);
        assert_eq!(
            read.body[1..],
            [
                "lo = READ_ONCE(*pte_low);",
                "smp_rmb();",
                "hi = READ_ONCE(*pte_high);",
                "smp_rmb();",
                "lo2 = READ_ONCE(*pte_low);"
            ]
        );
        assert_eq!(
            read.returned(0, (0x10067, 0x10002)),
            ["0:lo=65639", "0:hi=65538", "0:lo2=65639"]
        );
        let plain = lowhigh("smp_rmb", Access::Plain);
        assert_eq!(plain.body[1], "lo = *pte_low;");
        assert_eq!(
            CWriter::KERNEL.zap(&mut 0)[1..],
            [
                "WRITE_ONCE(*pte_low, 0);",
                "smp_wmb();",
                "WRITE_ONCE(*pte_high, 0);"
            ]
        );
        let set = CWriter::KERNEL.install("B", (0x20067, 0x10002), &mut 0);
        assert_eq!(set[0], "/* set_pte(B = 0x0001000200020067) */");
        assert_eq!(
            set[1..],
            [
                "WRITE_ONCE(*pte_high, 65538);",
                "smp_wmb();",
                "WRITE_ONCE(*pte_low, 131175);"
            ]
        );
        let mut seq = 2;
        let counted = CWriter::SEQCOUNT.zap(&mut seq);
        assert_eq!(counted[1], "WRITE_ONCE(*seq, 3);");
        assert_eq!(counted[2], "smp_wmb();");
        assert_eq!(counted[3], "/* pte_clear() */");
        assert_eq!(counted.last().unwrap(), "WRITE_ONCE(*seq, 4);");
        assert_eq!(seq, 4);
    }
}
