//! What the running kernel takes to zap and refill a PTE: one anonymous
//! page dropped with `madvise(MADV_DONTNEED)` (the seed's writer B: the zap,
//! `zap_pte_range()` clearing the PTE and flushing the TLB) and written
//! again (writers C and D: a page fault installing a fresh zeroed page).
//! The seed's race needs two such cycles inside the reader's window.

use super::pin::pin_current_thread;
use pte_asm::tsc;

/// Zap-and-refault cycles of one page, in TSC ticks.
#[derive(Clone, Debug, PartialEq)]
pub struct Refault {
    /// Each cycle: `madvise` (the zap) then the faulting write.
    pub cycles: Vec<u64>,
    /// The `madvise` part alone, per cycle.
    pub zaps: Vec<u64>,
}

/// `q`-quantile (0..=1) of `values`, sorted in place.
pub fn quantile(values: &mut [u64], q: f64) -> u64 {
    if values.is_empty() {
        return 0;
    }
    values.sort_unstable();
    values[((values.len() - 1) as f64 * q).round() as usize]
}

impl Refault {
    /// Median, 10th and 90th percentile of the whole cycle, in ticks.
    pub fn spread(&self) -> (u64, u64, u64) {
        let mut c = self.cycles.clone();
        (
            quantile(&mut c, 0.5),
            quantile(&mut c, 0.1),
            quantile(&mut c, 0.9),
        )
    }

    /// Median of the zap alone, in ticks.
    pub fn zap_median(&self) -> u64 {
        quantile(&mut self.zaps.clone(), 0.5)
    }
}

/// `count` zap-and-refault cycles of one anonymous page on `core` (after a
/// few unrecorded ones, so the page-table pages exist).
pub fn measure(core: usize, count: usize) -> Result<Refault, String> {
    std::thread::scope(|s| {
        s.spawn(|| {
            pin_current_thread(core)?;
            cycles(count)
        })
        .join()
        .expect("refault thread")
    })
}

fn cycles(count: usize) -> Result<Refault, String> {
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) as usize;
    // SAFETY: a fresh private anonymous mapping; checked below.
    let at = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            page,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if at == libc::MAP_FAILED {
        return Err(format!(
            "refault: mmap of one page failed: {}",
            std::io::Error::last_os_error()
        ));
    }
    let word = at as *mut u32;
    let mut result = Refault {
        cycles: Vec::with_capacity(count),
        zaps: Vec::with_capacity(count),
    };
    let mut failed = None;
    for i in 0..count + 16 {
        let start = tsc::rdtsc();
        // SAFETY: `at` is our own mapping of `page` bytes.
        if unsafe { libc::madvise(at, page, libc::MADV_DONTNEED) } != 0 {
            failed = Some(std::io::Error::last_os_error());
            break;
        }
        let zapped = tsc::rdtsc();
        if i < 16 {
            // Unrecorded warm-up: check the zap really dropped the page (a
            // private anonymous page reads back zero after it).
            // SAFETY: `word` points into our mapping, aligned.
            if i > 0 && unsafe { std::ptr::read_volatile(word) } != 0 {
                failed = Some(std::io::Error::other("the page survived MADV_DONTNEED"));
                break;
            }
        }
        // The write faults a fresh zeroed page in. The page is this thread's
        // alone: a plain volatile store, not a racing access.
        // SAFETY: `word` points into our mapping, aligned.
        unsafe { std::ptr::write_volatile(word, i as u32) };
        let done = tsc::rdtsc();
        if i >= 16 {
            result.cycles.push(done.wrapping_sub(start));
            result.zaps.push(zapped.wrapping_sub(start));
        }
    }
    // SAFETY: unmapping the mapping made above.
    unsafe { libc::munmap(at, page) };
    match failed {
        Some(e) => Err(format!("refault: madvise(MADV_DONTNEED) failed: {e}")),
        None => Ok(result),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_pick_from_the_sorted_values() {
        let mut v = vec![5, 1, 4, 2, 3];
        assert_eq!(quantile(&mut v, 0.5), 3);
        assert_eq!(quantile(&mut v, 0.0), 1);
        assert_eq!(quantile(&mut v, 1.0), 5);
        assert_eq!(quantile(&mut [], 0.5), 0);
    }

    #[test]
    fn every_cycle_drops_the_page_and_faults_it_back() {
        // `measure` checks in its warm-up that each zap dropped the page
        // (it reads back zero); here, that every cycle was recorded whole.
        let core = super::super::pin::Cores::allowed()[0];
        let r = measure(core, 200).unwrap();
        assert_eq!((r.cycles.len(), r.zaps.len()), (200, 200));
        for (cycle, zap) in r.cycles.iter().zip(&r.zaps) {
            assert!(cycle >= zap, "the fault is timed after the zap");
        }
    }
}
