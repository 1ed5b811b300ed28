//! Which cores the test threads run on, checked before anything runs, and
//! the pin itself, verified from inside each thread.

use std::fmt;

/// The cores of a run, in thread order: thread `t` runs on
/// `cores[t % cores.len()]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cores(Vec<usize>);

impl Cores {
    /// The cores this process may run on (its affinity mask), in order.
    pub fn allowed() -> Vec<usize> {
        core_affinity::get_core_ids()
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.id)
            .collect()
    }

    /// `--cores A,B,...`: each must exist and be allowed, none twice.
    pub fn choose(requested: Option<&[usize]>) -> Result<Cores, String> {
        let allowed = Cores::allowed();
        if allowed.is_empty() {
            return Err("cannot read this process's CPU affinity".into());
        }
        let Some(requested) = requested else {
            return Ok(Cores(allowed));
        };
        if requested.is_empty() {
            return Err("--cores needs at least one core".into());
        }
        for (i, core) in requested.iter().enumerate() {
            if !allowed.contains(core) {
                return Err(format!(
                    "core {core} does not exist or is not allowed (allowed: {})",
                    Cores(allowed.clone())
                ));
            }
            if requested[..i].contains(core) {
                return Err(format!("core {core} is named twice in --cores"));
            }
        }
        Ok(Cores(requested.to_vec()))
    }

    pub fn for_thread(&self, thread: usize) -> usize {
        self.0[thread % self.0.len()]
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The cores `threads` threads use, joined for the CSV `cores` column.
    pub fn used(&self, threads: usize) -> String {
        (0..threads)
            .map(|t| self.for_thread(t).to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A note when threads outnumber cores (they then share, and the
    /// outcome rates say little about parallel hardware).
    pub fn oversubscription(&self, threads: usize) -> Option<String> {
        (threads > self.len()).then(|| {
            format!(
                "{threads} threads on {} core(s): threads share cores, so rates are low",
                self.len()
            )
        })
    }
}

impl fmt::Display for Cores {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let list: Vec<String> = self.0.iter().map(|c| c.to_string()).collect();
        write!(f, "{}", list.join(","))
    }
}

/// Pin the calling thread to `core` and check that it now runs there.
pub fn pin_current_thread(core: usize) -> Result<(), String> {
    if !core_affinity::set_for_current(core_affinity::CoreId { id: core }) {
        return Err(format!("could not pin a thread to core {core}"));
    }
    // SAFETY: sched_getcpu has no preconditions.
    let now = unsafe { libc::sched_getcpu() };
    if now != core as i32 {
        return Err(format!("thread pinned to core {core} runs on core {now}"));
    }
    Ok(())
}
