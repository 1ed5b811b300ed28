//! What one read of a PTE is, from its two halves: the one definition of
//! the flags every install carries, and the one classifier the PTE tests,
//! the protocols, the harness and the model all call.

/// `_PAGE_PRESENT`: GUP-fast bails on a PTE without it.
pub const PRESENT: u32 = 0x001;

/// The flag bits of every installed PTE: `_PAGE_PRESENT | _PAGE_RW |
/// _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY` (arch/x86's `_PAGE_*`).
pub const PTE_FLAGS: u32 = 0x067;

/// What one PTE read returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PteOutcome {
    /// A PTE the writer installed, whole.
    Intact = 0,
    /// Present, but its halves were never in the PTE together.
    Torn = 1,
    /// Not present (low half without `_PAGE_PRESENT`): GUP-fast would bail.
    Absent = 2,
    /// (`PTE-LOST`, counted by the writer) a write of the writer's was
    /// overwritten by someone else.
    Lost = 3,
}

impl PteOutcome {
    pub const ALL: [PteOutcome; 4] = [
        PteOutcome::Intact,
        PteOutcome::Torn,
        PteOutcome::Absent,
        PteOutcome::Lost,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PteOutcome::Intact => "intact",
            PteOutcome::Torn => "torn",
            PteOutcome::Absent => "absent",
            PteOutcome::Lost => "lost",
        }
    }
}

/// Classify a read of `(low, high)`: absent when the low half is not
/// present, intact when `installed(low, high)` says some install held
/// exactly these halves, torn otherwise.
#[inline(always)]
pub fn classify_read(low: u32, high: u32, installed: impl FnOnce(u32, u32) -> bool) -> PteOutcome {
    if low & PRESENT == 0 {
        PteOutcome::Absent
    } else if installed(low, high) {
        PteOutcome::Intact
    } else {
        PteOutcome::Torn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_is_absent_intact_or_torn() {
        let installs = [(0x1000 | PTE_FLAGS, 1), (0x2000 | PTE_FLAGS, 2)];
        let of = |lo, hi| classify_read(lo, hi, |l, h| installs.contains(&(l, h)));
        assert_eq!(of(0x1000 | PTE_FLAGS, 1), PteOutcome::Intact);
        assert_eq!(of(0x1000 | PTE_FLAGS, 2), PteOutcome::Torn);
        // Not present, whatever the high half holds.
        assert_eq!(of(0, 2), PteOutcome::Absent);
        assert_eq!(of(0x1000 | PTE_FLAGS & !PRESENT, 1), PteOutcome::Absent);
    }
}
