//! Sets of events and relations between them, with the operators of herd's
//! cat language (`lib/interpreter.ml`): `|` union, `&` intersection, `\`
//! difference, `;` sequence, `^-1` inverse, `+` and `*` closures, `?`,
//! `[S]` the identity on a set, `S * T` the product, `domain`, `range`.
//!
//! An execution of a litmus test has a few dozen events, so a set is one
//! `u128` bit mask and a relation one mask per event (row `a` holds every
//! `b` with `a r b`). [`MAX_EVENTS`] bounds a test; the model refuses a
//! larger one in one line rather than slowing every test down.

/// Events in one execution, at most.
pub const MAX_EVENTS: usize = 128;

/// A set of events: bit `e` for event `e`.
pub type Set = u128;

/// The events of `set`, lowest first.
pub fn members(mut set: Set) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        if set == 0 {
            return None;
        }
        let e = set.trailing_zeros() as usize;
        set &= set - 1;
        Some(e)
    })
}

/// The set of one event.
pub fn single(e: usize) -> Set {
    1 << e
}

/// A relation over the events `0..n`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Rel {
    rows: Vec<Set>,
}

impl std::fmt::Debug for Rel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.pairs()).finish()
    }
}

impl Rel {
    /// The empty relation over `n` events.
    pub fn empty(n: usize) -> Rel {
        assert!(n <= MAX_EVENTS, "{n} events: at most {MAX_EVENTS}");
        Rel { rows: vec![0; n] }
    }

    /// `[s]`: the identity on `s`.
    pub fn id(n: usize, s: Set) -> Rel {
        let mut r = Rel::empty(n);
        for e in members(s) {
            r.rows[e] |= single(e);
        }
        r
    }

    /// `s * t`: every pair of an event of `s` and one of `t`.
    pub fn product(n: usize, s: Set, t: Set) -> Rel {
        let mut r = Rel::empty(n);
        for e in members(s) {
            r.rows[e] = t;
        }
        r
    }

    /// The relation whose row `a` (the events `a` relates to) is
    /// `rows[a]`.
    pub fn from_rows(rows: Vec<Set>) -> Rel {
        assert!(
            rows.len() <= MAX_EVENTS,
            "{} events: at most {MAX_EVENTS}",
            rows.len()
        );
        Rel { rows }
    }

    pub fn from_pairs(n: usize, pairs: impl IntoIterator<Item = (usize, usize)>) -> Rel {
        let mut r = Rel::empty(n);
        for (a, b) in pairs {
            r.add(a, b);
        }
        r
    }

    /// Events the relation is over.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Every event `0..n`: the universe `_`.
    pub fn universe(&self) -> Set {
        universe(self.len())
    }

    pub fn add(&mut self, a: usize, b: usize) {
        self.rows[a] |= single(b);
    }

    pub fn has(&self, a: usize, b: usize) -> bool {
        self.rows[a] & single(b) != 0
    }

    /// The events `a` relates to.
    pub fn row(&self, a: usize) -> Set {
        self.rows[a]
    }

    /// The events related to `b`.
    pub fn column(&self, b: usize) -> Set {
        let mut s = 0;
        for (a, row) in self.rows.iter().enumerate() {
            if row & single(b) != 0 {
                s |= single(a);
            }
        }
        s
    }

    pub fn pairs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.rows
            .iter()
            .enumerate()
            .flat_map(|(a, &row)| members(row).map(move |b| (a, b)))
    }

    pub fn is_empty(&self) -> bool {
        self.rows.iter().all(|&r| r == 0)
    }

    /// `r | s`
    pub fn union(&self, other: &Rel) -> Rel {
        self.zip(other, |a, b| a | b)
    }

    /// `r & s`
    pub fn inter(&self, other: &Rel) -> Rel {
        self.zip(other, |a, b| a & b)
    }

    /// `r \ s`
    pub fn minus(&self, other: &Rel) -> Rel {
        self.zip(other, |a, b| a & !b)
    }

    fn zip(&self, other: &Rel, f: impl Fn(Set, Set) -> Set) -> Rel {
        debug_assert_eq!(self.len(), other.len());
        Rel {
            rows: self
                .rows
                .iter()
                .zip(&other.rows)
                .map(|(&a, &b)| f(a, b))
                .collect(),
        }
    }

    /// `r ; s`
    pub fn seq(&self, other: &Rel) -> Rel {
        Rel {
            rows: self
                .rows
                .iter()
                .map(|&row| members(row).fold(0, |acc, m| acc | other.rows[m]))
                .collect(),
        }
    }

    /// `r^-1`
    pub fn inverse(&self) -> Rel {
        let mut r = Rel::empty(self.len());
        for (a, b) in self.pairs() {
            r.add(b, a);
        }
        r
    }

    /// `r+`: the transitive closure (Warshall's, by rows).
    pub fn plus(&self) -> Rel {
        let mut rows = self.rows.clone();
        for k in 0..rows.len() {
            let via = rows[k];
            if via == 0 {
                // Nothing goes on from k: no path gains anything through it.
                continue;
            }
            let bit = single(k);
            for row in rows.iter_mut() {
                if *row & bit != 0 {
                    *row |= via;
                }
            }
        }
        Rel { rows }
    }

    /// `r*`: the reflexive-transitive closure over every event.
    pub fn star(&self) -> Rel {
        self.plus().with_identity()
    }

    /// `r?`: `r` or the identity, over every event.
    pub fn opt(&self) -> Rel {
        self.clone().with_identity()
    }

    fn with_identity(mut self) -> Rel {
        for (a, row) in self.rows.iter_mut().enumerate() {
            *row |= single(a);
        }
        self
    }

    /// `[s] ; r ; [t]`
    pub fn restrict(&self, s: Set, t: Set) -> Rel {
        Rel {
            rows: self
                .rows
                .iter()
                .enumerate()
                .map(|(a, &row)| if s & single(a) != 0 { row & t } else { 0 })
                .collect(),
        }
    }

    /// `domain(r)`
    pub fn domain(&self) -> Set {
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, row)| **row != 0)
            .fold(0, |acc, (a, _)| acc | single(a))
    }

    /// `range(r)`
    pub fn range(&self) -> Set {
        self.rows.iter().fold(0, |acc, &row| acc | row)
    }

    /// No event is related to itself.
    pub fn is_irreflexive(&self) -> bool {
        self.rows
            .iter()
            .enumerate()
            .all(|(a, &row)| row & single(a) == 0)
    }

    /// `acyclic r`: `r+` is irreflexive.
    pub fn is_acyclic(&self) -> bool {
        self.plus().is_irreflexive()
    }
}

/// The events `0..n`.
pub fn universe(n: usize) -> Set {
    if n >= MAX_EVENTS {
        Set::MAX
    } else {
        (1 << n) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(pairs: &[(usize, usize)]) -> Rel {
        Rel::from_pairs(4, pairs.iter().copied())
    }

    #[test]
    fn the_operators_do_what_cat_says() {
        let a = r(&[(0, 1), (1, 2)]);
        assert_eq!(a.seq(&a), r(&[(0, 2)]));
        assert_eq!(a.plus(), r(&[(0, 1), (1, 2), (0, 2)]));
        assert_eq!(a.inverse(), r(&[(1, 0), (2, 1)]));
        assert_eq!(a.union(&r(&[(3, 3)])), r(&[(0, 1), (1, 2), (3, 3)]));
        assert_eq!(a.inter(&r(&[(0, 1), (2, 3)])), r(&[(0, 1)]));
        assert_eq!(a.minus(&r(&[(0, 1)])), r(&[(1, 2)]));
        assert_eq!(a.domain(), 0b011);
        assert_eq!(a.range(), 0b110);
        assert_eq!(a.restrict(0b010, 0b100), r(&[(1, 2)]));
        assert_eq!(a.star().pairs().count(), 3 + 4);
        assert!(a.opt().has(3, 3) && a.opt().has(0, 1));
        assert!(a.is_acyclic() && !a.union(&r(&[(2, 0)])).is_acyclic());
        assert!(!r(&[(2, 2)]).is_irreflexive());
        assert_eq!(Rel::product(4, 0b0011, 0b1100).pairs().count(), 4);
        assert_eq!(Rel::id(4, 0b1010), r(&[(1, 1), (3, 3)]));
        assert_eq!(a.column(2), 0b010);
        assert_eq!(members(0b1010).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(universe(3), 0b111);
    }
}
