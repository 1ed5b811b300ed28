//! The PTE reader's window: how long the reader stalls after each load of
//! its first attempt (the time a descheduled vCPU or an NMI would take out
//! of the middle of `ptep_get_lockless()`). Asked for in time units, writer
//! turns or exact `pause` counts; executed as a count of `pause`s, converted
//! with what a `pause` costs on the reader's own core.

use std::fmt;

/// A window as asked for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Window {
    /// Exactly this many `pause`s (`--reader-delay N`; `0` is no window).
    Pauses(u32),
    /// This many nanoseconds (`50ns`, `2.5us`, `1ms`).
    Nanos(f64),
    /// This many turns (zap + install) of the test's writer, as measured
    /// against the reader with no window (`2turns`).
    Turns(f64),
    /// The narrowest window that tears, searched for (`auto`).
    Auto,
}

/// What a window comes to on this machine: the clocks it is converted with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    /// Nanoseconds one iteration of the window's `pause` loop takes.
    pub ns_per_pause: f64,
    /// Nanoseconds one writer turn takes (zap + install).
    pub turn_ns: f64,
}

/// The longest window any request may ask for: 100 ms.
pub const MAX_NS: f64 = 1e8;

impl Window {
    /// `0`, `12`, `50ns`, `2.5us`, `1ms`, `2turns`, `auto`.
    pub fn parse(text: &str) -> Result<Window, String> {
        let bad = || {
            format!(
                "'{text}' is not a window: a time (50ns, 2.5us, 1ms), writer turns (2turns), \
                 a number of pauses (0, 10) or auto"
            )
        };
        let text = text.trim();
        if text == "auto" {
            return Ok(Window::Auto);
        }
        if let Ok(n) = text.parse::<u32>() {
            return Ok(Window::Pauses(n));
        }
        let split = text.find(|c: char| c.is_alphabetic()).ok_or_else(bad)?;
        let (number, unit) = text.split_at(split);
        let value: f64 = number.trim().parse().map_err(|_| bad())?;
        if !value.is_finite() || value < 0.0 {
            return Err(bad());
        }
        let window = match unit {
            "ns" => Window::Nanos(value),
            "us" | "µs" => Window::Nanos(value * 1e3),
            "ms" => Window::Nanos(value * 1e6),
            "turn" | "turns" => Window::Turns(value),
            "pause" | "pauses" if value.fract() == 0.0 && value <= u32::MAX as f64 => {
                Window::Pauses(value as u32)
            }
            _ => return Err(bad()),
        };
        if let Window::Nanos(ns) = window
            && ns > MAX_NS
        {
            return Err(format!("'{text}': windows are at most 100ms"));
        }
        if let Window::Turns(t) = window
            && t > 1e6
        {
            return Err(format!("'{text}': windows are at most a million turns"));
        }
        Ok(window)
    }

    /// Whether converting needs the writer's turn time.
    pub fn needs_turns(self) -> bool {
        matches!(self, Window::Turns(_) | Window::Auto)
    }

    /// The `pause` count that comes closest to this window on a machine of
    /// `scale` (`Auto` is searched, not converted: `None`).
    pub fn pauses(self, scale: Scale) -> Option<u32> {
        let ns = match self {
            Window::Pauses(n) => return Some(n),
            Window::Nanos(ns) => ns,
            Window::Turns(t) => t * scale.turn_ns,
            Window::Auto => return None,
        };
        Some(pauses_for(ns, scale.ns_per_pause))
    }
}

/// The count of `pause`s closest to `ns` (at least one for a non-zero
/// window: asking for a window and getting none would test something else).
pub fn pauses_for(ns: f64, ns_per_pause: f64) -> u32 {
    if ns <= 0.0 {
        return 0;
    }
    let n = (ns / ns_per_pause.max(1e-3)).round();
    n.clamp(1.0, u32::MAX as f64) as u32
}

impl fmt::Display for Window {
    /// As the CSV's `window` column and the reports name it: the request.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match *self {
            Window::Pauses(0) => write!(f, "0"),
            Window::Pauses(n) => write!(f, "{n}pause"),
            Window::Nanos(ns) => write!(f, "{}", nanos(ns)),
            Window::Turns(t) => write!(f, "{}turns", trim(t)),
            Window::Auto => write!(f, "auto"),
        }
    }
}

/// `50ns`, `2.5us`, `1ms`: a time, short, in the unit that reads best.
pub fn nanos(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{}ms", trim(ns / 1e6))
    } else if ns >= 1e3 {
        format!("{}us", trim(ns / 1e3))
    } else {
        format!("{}ns", trim(ns))
    }
}

/// A number with at most three significant decimals and no trailing zeros.
fn trim(x: f64) -> String {
    let text = if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    };
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZEN4: Scale = Scale {
        ns_per_pause: 26.0,
        turn_ns: 150.0,
    };
    const SKYLAKE: Scale = Scale {
        ns_per_pause: 40.0,
        turn_ns: 150.0,
    };

    #[test]
    fn windows_parse_in_every_unit() {
        assert_eq!(Window::parse("0"), Ok(Window::Pauses(0)));
        assert_eq!(Window::parse("12"), Ok(Window::Pauses(12)));
        assert_eq!(Window::parse("12pause"), Ok(Window::Pauses(12)));
        assert_eq!(Window::parse("50ns"), Ok(Window::Nanos(50.0)));
        assert_eq!(Window::parse("2.5us"), Ok(Window::Nanos(2500.0)));
        assert_eq!(Window::parse("5µs"), Ok(Window::Nanos(5000.0)));
        assert_eq!(Window::parse("1ms"), Ok(Window::Nanos(1e6)));
        assert_eq!(Window::parse("2turns"), Ok(Window::Turns(2.0)));
        assert_eq!(Window::parse("auto"), Ok(Window::Auto));
        for bad in [
            "", "x", "5s", "-1ns", "ns", "1.5pause", "nanns", "1e9ms", "inf ns",
        ] {
            assert!(Window::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_window_in_time_is_the_same_time_on_every_machine() {
        // 500 ns: 19 pauses of 26 ns on Zen 4, 12-13 of 40 ns on Skylake.
        let w = Window::Nanos(500.0);
        assert_eq!(w.pauses(ZEN4), Some(19));
        assert_eq!(w.pauses(SKYLAKE), Some(13));
        // A pause count is the same count everywhere: another time.
        assert_eq!(Window::Pauses(10).pauses(SKYLAKE), Some(10));
        // Turns follow the measured writer.
        assert_eq!(Window::Turns(2.0).pauses(ZEN4), Some(12));
        assert_eq!(Window::Auto.pauses(ZEN4), None);
    }

    #[test]
    fn a_non_zero_window_is_at_least_one_pause() {
        assert_eq!(pauses_for(1.0, 26.0), 1);
        assert_eq!(pauses_for(0.0, 26.0), 0);
        assert_eq!(pauses_for(1e12, 1e-9), u32::MAX);
    }

    #[test]
    fn windows_print_as_they_are_asked_for() {
        for text in ["0", "12pause", "50ns", "2.5us", "1ms", "2turns", "auto"] {
            let w = Window::parse(text).unwrap();
            assert_eq!(w.to_string(), text);
            assert_eq!(Window::parse(&w.to_string()), Ok(w));
        }
        assert_eq!(nanos(312.4), "312ns");
        assert_eq!(nanos(5230.0), "5.23us");
    }
}
