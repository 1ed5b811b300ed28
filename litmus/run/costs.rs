//! What a PTE test's reader window is measured in, measured once a run on
//! the reader's core: a `pause`, the TSC and core clocks, the kernel's own
//! zap and refault, and each test's writer turn as the reader sees it.

use crate::catalog::PteTest;
use crate::error::{Error, FailedExt};
use crate::harness::clocks::Clocks;
use crate::harness::pin::Cores;
use crate::harness::pte::writer_turn_ticks;
use crate::harness::refault;
use crate::harness::window::nanos;
use crate::report::progress::Bar;
use pte_asm::strategy::ReadStrategy;
use std::collections::HashMap;

/// Zap-and-refault cycles measured at the start of a run with PTE tests.
const REFAULT_CYCLES: usize = 2_000;
/// Exchanges that time the writer's turn as the reader sees it.
const TURN_ROUNDS: u32 = 2_000;

/// The machine's costs a PTE window is measured in, taken once a run.
#[derive(Clone, Copy)]
pub struct Costs {
    pub clocks: Clocks,
    /// The kernel's zap+refault of one page, median, in ns.
    pub refault_ns: f64,
}

/// The costs, measured when the first PTE job needs them, and the
/// writer's turn in ns per test and strategy.
#[derive(Default)]
pub struct WindowCosts {
    costs: Option<Costs>,
    turns: HashMap<(&'static str, ReadStrategy), f64>,
}

impl WindowCosts {
    /// The clocks and the kernel's refault, measured on the reader's core
    /// the first time a PTE job needs them.
    pub fn costs(&mut self, cores: &Cores, bar: &Bar) -> Result<Costs, Error> {
        if let Some(costs) = self.costs {
            return Ok(costs);
        }
        let core = cores.for_thread(0);
        let clocks = Clocks::measure(core).failed()?;
        let refault = refault::measure(core, REFAULT_CYCLES).failed()?;
        let ns = clocks.ns_per_tick();
        let (median, p10, p90) = refault.spread();
        let costs = Costs {
            clocks,
            refault_ns: median as f64 * ns,
        };
        bar.print(&format!(
            "litmus: on core {core}: TSC {:.3} GHz, core clock {:.2} cycles a tick, pause {:.1}ns \
             ({:.0} ticks); the kernel's zap+refault of one page: median {} (10% {}, 90% {}; the \
             zap alone {})\n",
            clocks.tsc_hz / 1e9,
            clocks.cycles_per_tick,
            clocks.ns_per_pause(),
            clocks.ticks_per_pause,
            nanos(costs.refault_ns),
            nanos(p10 as f64 * ns),
            nanos(p90 as f64 * ns),
            nanos(refault.zap_median() as f64 * ns),
        ));
        self.costs = Some(costs);
        Ok(costs)
    }

    /// One writer turn (zap + install) as the reader sees it, in ns, timed
    /// once per test and strategy (`harness::pte::writer_turn_ticks`).
    pub fn turn_ns(
        &mut self,
        test: &'static PteTest,
        strategy: ReadStrategy,
        cores: &Cores,
        bar: &Bar,
    ) -> Result<f64, Error> {
        if let Some(ns) = self.turns.get(&(test.name, strategy)) {
            return Ok(*ns);
        }
        let ticks = writer_turn_ticks(test, strategy, cores, TURN_ROUNDS).failed()?;
        let ns = ticks as f64 * self.costs(cores, bar)?.clocks.ns_per_tick();
        self.turns.insert((test.name, strategy), ns);
        Ok(ns)
    }
}
