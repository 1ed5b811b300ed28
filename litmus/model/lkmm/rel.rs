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
///
/// The model makes and drops a few hundred relations per candidate
/// execution, each a buffer of up to 2 KiB (past the allocator's fast
/// small-size cache): a dropped relation's buffer goes to a per-thread
/// list of spares (`SPARES` at most) and the next relation made takes
/// it, so the judging of a candidate allocates nothing once the list
/// holds enough.
///
/// Most relations the model composes have rows for a few events only
/// (`rf`, `co`, a fence's pairs, what one grace period orders), so a
/// relation keeps the set of its non-empty rows, its domain, and the
/// operators go through those rows alone.
#[derive(PartialEq, Eq, Hash)]
pub struct Rel {
    /// Row `a`: every `b` with `a r b`; zero outside `domain`.
    rows: Vec<Set>,
    /// The events with a non-empty row, exactly.
    domain: Set,
}

/// Spare row buffers kept per thread, at most.
const SPARES: usize = 256;

thread_local! {
    static SPARE: std::cell::RefCell<Vec<Vec<Set>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An empty row buffer (a spare one if any) with room for every event.
fn buffer() -> Vec<Set> {
    SPARE
        .try_with(|spare| spare.borrow_mut().pop())
        .ok()
        .flatten()
        .unwrap_or_else(|| Vec::with_capacity(MAX_EVENTS))
}

impl Drop for Rel {
    fn drop(&mut self) {
        let mut rows = std::mem::take(&mut self.rows);
        if rows.capacity() < MAX_EVENTS {
            return;
        }
        rows.clear();
        let _ = SPARE.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            if spare.len() < SPARES {
                spare.push(rows);
            }
        });
    }
}

impl Clone for Rel {
    fn clone(&self) -> Rel {
        let mut rows = buffer();
        rows.extend_from_slice(&self.rows);
        Rel {
            rows,
            domain: self.domain,
        }
    }

    fn clone_from(&mut self, source: &Rel) {
        self.rows.clear();
        self.rows.extend_from_slice(&source.rows);
        self.domain = source.domain;
    }
}

impl std::fmt::Debug for Rel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.pairs()).finish()
    }
}

/// The members of `set` as its low and high 64-event halves, for loops
/// over them that shift and count in one instruction.
fn for_members(set: Set, mut each: impl FnMut(usize)) {
    for (half, base) in [(set as u64, 0), ((set >> 64) as u64, 64)] {
        let mut half = half;
        while half != 0 {
            each(base + half.trailing_zeros() as usize);
            half &= half - 1;
        }
    }
}

impl Rel {
    /// The empty relation over `n` events.
    pub fn empty(n: usize) -> Rel {
        assert!(n <= MAX_EVENTS, "{n} events: at most {MAX_EVENTS}");
        let mut rows = buffer();
        rows.resize(n, 0);
        Rel { rows, domain: 0 }
    }

    /// The relation over `n` events whose row `a` is `row(a)` for each
    /// `a` of `within`, the other rows empty.
    fn rows_of(n: usize, within: Set, mut row: impl FnMut(usize) -> Set) -> Rel {
        let mut r = Rel::empty(n);
        for_members(within & universe(n), |a| {
            let value = row(a);
            if value != 0 {
                r.rows[a] = value;
                r.domain |= single(a);
            }
        });
        r
    }

    /// `[s]`: the identity on `s`.
    pub fn id(n: usize, s: Set) -> Rel {
        Rel::rows_of(n, s, single)
    }

    /// `s * t`: every pair of an event of `s` and one of `t`.
    pub fn product(n: usize, s: Set, t: Set) -> Rel {
        Rel::rows_of(n, s, |_| t)
    }

    /// The relation whose row `a` (the events `a` relates to) is
    /// `rows[a]`.
    pub fn from_rows(rows: Vec<Set>) -> Rel {
        Rel::rows_of(rows.len(), Set::MAX, |a| rows[a])
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
        self.domain |= single(a);
    }

    pub fn has(&self, a: usize, b: usize) -> bool {
        self.rows[a] & single(b) != 0
    }

    /// The events `a` relates to.
    pub fn row(&self, a: usize) -> Set {
        self.rows[a]
    }

    /// Makes `row` the events `a` relates to.
    pub fn set_row(&mut self, a: usize, row: Set) {
        self.rows[a] = row;
        if row == 0 {
            self.domain &= !single(a);
        } else {
            self.domain |= single(a);
        }
    }

    /// The events related to `b`.
    pub fn column(&self, b: usize) -> Set {
        let mut s = 0;
        for_members(self.domain, |a| {
            if self.rows[a] & single(b) != 0 {
                s |= single(a);
            }
        });
        s
    }

    pub fn pairs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        members(self.domain).flat_map(|a| members(self.rows[a]).map(move |b| (a, b)))
    }

    pub fn is_empty(&self) -> bool {
        self.domain == 0
    }

    /// `r | s`
    pub fn union(&self, other: &Rel) -> Rel {
        debug_assert_eq!(self.len(), other.len());
        let mut rows = buffer();
        rows.extend(self.rows.iter().zip(&other.rows).map(|(a, b)| a | b));
        Rel {
            rows,
            domain: self.domain | other.domain,
        }
    }

    /// `r & s`
    pub fn inter(&self, other: &Rel) -> Rel {
        Rel::rows_of(self.len(), self.domain & other.domain, |a| {
            self.rows[a] & other.rows[a]
        })
    }

    /// `r \ s`
    pub fn minus(&self, other: &Rel) -> Rel {
        Rel::rows_of(self.len(), self.domain, |a| self.rows[a] & !other.rows[a])
    }

    /// `r := r | s`, in place.
    pub fn union_with(&mut self, other: &Rel) {
        debug_assert_eq!(self.len(), other.len());
        for (a, b) in self.rows.iter_mut().zip(&other.rows) {
            *a |= b;
        }
        self.domain |= other.domain;
    }

    /// Every pair removed, in place.
    pub fn clear(&mut self) {
        self.rows.fill(0);
        self.domain = 0;
    }

    /// `r ; s`: each row the union of `s`'s rows at its members, of
    /// those that have a row in `s`.
    pub fn seq(&self, other: &Rel) -> Rel {
        Rel::rows_of(self.len(), self.domain, |a| {
            let mut acc = 0;
            for_members(self.rows[a] & other.domain, |m| acc |= other.rows[m]);
            acc
        })
    }

    /// `r ; s?`, that is `r | (r ; s)`: through `s`'s few rows rather
    /// than the identity's every one.
    pub fn seq_opt(&self, other: &Rel) -> Rel {
        let mut r = self.seq(other);
        r.union_with(self);
        r
    }

    /// `r? ; s`, that is `s | (r ; s)`.
    pub fn opt_seq(&self, other: &Rel) -> Rel {
        let mut r = self.seq(other);
        r.union_with(other);
        r
    }

    /// `r^-1`
    pub fn inverse(&self) -> Rel {
        let mut r = Rel::empty(self.len());
        for_members(self.domain, |a| {
            for_members(self.rows[a], |b| r.rows[b] |= single(a));
            r.domain |= self.rows[a];
        });
        r
    }

    /// `r+`: the transitive closure. Most relations the model closes are
    /// acyclic (a cycle fails an axiom), and sparse: for those, one
    /// depth-first search (`Rel::sinks_first`) orders the events so that
    /// each one's successors come before it, and each row is its own
    /// edges and its successors' rows, `O(events + edges)`. A cycle
    /// falls back to Warshall's algorithm. (The domain stays: an event
    /// reaches something exactly when it has a successor.)
    pub fn plus(&self) -> Rel {
        let mut closure = self.clone();
        let rows = &mut closure.rows;
        let mut order = [0u8; MAX_EVENTS];
        if let Some(placed) = self.sinks_first(&mut order) {
            for &v in &order[..placed] {
                let v = v as usize;
                let mut closed = rows[v];
                for_members(rows[v], |s| closed |= rows[s]);
                rows[v] = closed;
            }
        } else {
            Rel::warshall(rows);
        }
        closure
    }

    /// The events of the domain in `order`, each after every event it
    /// reaches, and how many, when the relation is acyclic; `None` on a
    /// cycle. An iterative depth-first search: an event is placed when
    /// the search leaves it, and an edge to an event still on the
    /// search's path (entered, not left) is a cycle. Coming back to an
    /// event, the search goes on to its first successor not yet entered,
    /// so the path is all it keeps. Events outside the domain reach
    /// nothing: entered, they are left at once and not placed.
    fn sinks_first(&self, order: &mut [u8; MAX_EVENTS]) -> Option<usize> {
        let mut entered: Set = 0;
        let mut left: Set = !self.domain;
        let mut path = [0u8; MAX_EVENTS];
        let mut placed = 0;
        let mut roots = self.domain;
        while roots != 0 {
            let root = roots.trailing_zeros() as usize;
            entered |= single(root);
            path[0] = root as u8;
            let mut depth = 1;
            while depth > 0 {
                let v = path[depth - 1] as usize;
                let row = self.rows[v];
                if row & entered & !left != 0 {
                    return None;
                }
                let next = row & !entered & !left;
                if next == 0 {
                    left |= single(v);
                    order[placed] = v as u8;
                    placed += 1;
                    depth -= 1;
                } else {
                    let s = next.trailing_zeros() as usize;
                    entered |= single(s);
                    path[depth] = s as u8;
                    depth += 1;
                }
            }
            roots &= !entered;
        }
        Some(placed)
    }

    /// The transitive closure of `rows` in place, by Warshall's
    /// algorithm (any relation, cyclic or not; the domain stays).
    fn warshall(rows: &mut [Set]) {
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
        self.domain = self.universe();
        self
    }

    /// `r \ id`: `r` without its loops.
    pub fn without_loops(&self) -> Rel {
        Rel::rows_of(self.len(), self.domain, |a| self.rows[a] & !single(a))
    }

    /// `[s] ; r ; [t]`
    pub fn restrict(&self, s: Set, t: Set) -> Rel {
        let n = self.len();
        if self.domain & !s == 0 && t & universe(n) == universe(n) {
            // Neither side removes anything (`[M]` on a relation already
            // between events of `M`, `[Marked]` when every event is).
            return self.clone();
        }
        Rel::rows_of(n, self.domain & s, |a| self.rows[a] & t)
    }

    /// `domain(r)`
    pub fn domain(&self) -> Set {
        self.domain
    }

    /// `range(r)`
    pub fn range(&self) -> Set {
        let mut range = 0;
        for_members(self.domain, |a| range |= self.rows[a]);
        range
    }

    /// No event is related to itself.
    pub fn is_irreflexive(&self) -> bool {
        let mut loops = false;
        for_members(self.domain, |a| loops |= self.rows[a] & single(a) != 0);
        !loops
    }

    /// `acyclic r`: `r+` is irreflexive, that is no depth-first search
    /// meets an event still on its own path.
    pub fn is_acyclic(&self) -> bool {
        self.sinks_first(&mut [0; MAX_EVENTS]).is_some()
    }
}

/// Some of the events of relations over `0..n`, numbered `0..k` in
/// order: the relations among them alone, renumbered, are `k` rows where
/// the originals are `n`.
pub struct Among {
    n: usize,
    /// The events, by their number here.
    events: Vec<usize>,
    /// Each event's number here (for the events of `all`).
    index: Vec<u8>,
    all: Set,
}

impl Among {
    /// The events of `all` among `0..n`.
    pub fn new(n: usize, all: Set) -> Among {
        let all = all & universe(n);
        let events: Vec<usize> = members(all).collect();
        let mut index = vec![0u8; n];
        for (i, &e) in events.iter().enumerate() {
            index[e] = i as u8;
        }
        Among {
            n,
            events,
            index,
            all,
        }
    }

    /// How many events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The events of `s` among these, renumbered.
    pub fn set(&self, s: Set) -> Set {
        let mut out = 0;
        for_members(s & self.all, |e| out |= single(self.index[e] as usize));
        out
    }

    /// The pairs of `r` between these events, renumbered.
    pub fn rel(&self, r: &Rel) -> Rel {
        debug_assert_eq!(r.len(), self.n);
        let mut out = Rel::empty(self.len());
        for_members(r.domain & self.all, |a| {
            out.set_row(self.index[a] as usize, self.set(r.rows[a]));
        });
        out
    }

    /// `r`, a relation among these events, numbered back over `0..n`.
    pub fn back(&self, r: &Rel) -> Rel {
        let mut out = Rel::empty(self.n);
        for_members(r.domain, |i| {
            let mut row = 0;
            for_members(r.rows[i], |j| row |= single(self.events[j]));
            out.set_row(self.events[i], row);
        });
        out
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

    /// The depth-first closure and acyclicity test against Warshall's
    /// closure, on random relations, acyclic (edges only upward in a
    /// shuffled order) and not.
    #[test]
    fn the_closure_is_warshalls() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..2000 {
            let n = 1 + (next() % MAX_EVENTS as u64) as usize;
            let mut rank: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                rank.swap(i, (next() % (i as u64 + 1)) as usize);
            }
            let edges = next() % (3 * n as u64);
            let dag = round % 2 == 0;
            let mut r = Rel::empty(n);
            for _ in 0..edges {
                let (a, b) = ((next() % n as u64) as usize, (next() % n as u64) as usize);
                if !dag || rank[a] < rank[b] {
                    r.add(a, b);
                }
            }
            let mut warshall = r.clone();
            Rel::warshall(&mut warshall.rows);
            warshall.domain = r.domain;
            assert_eq!(r.plus(), warshall, "{r:?}");
            assert_eq!(r.is_acyclic(), warshall.is_irreflexive(), "{r:?}");
            assert!(!dag || r.is_acyclic());
            // Each operator against its definition, pair by pair, and
            // with its domain exact (`==` compares the domains too).
            let s = Rel::from_pairs(n, r.pairs().map(|(a, b)| (b, (a + b) % n)));
            let all = |keep: &dyn Fn(usize, usize) -> bool| {
                Rel::from_pairs(
                    n,
                    (0..n)
                        .flat_map(|a| (0..n).map(move |b| (a, b)))
                        .filter(|&(a, b)| keep(a, b)),
                )
            };
            let (x, y) = (next() as Set, next() as Set);
            assert_eq!(r.inter(&s), all(&|a, b| r.has(a, b) && s.has(a, b)));
            assert_eq!(r.minus(&s), all(&|a, b| r.has(a, b) && !s.has(a, b)));
            assert_eq!(r.union(&s), all(&|a, b| r.has(a, b) || s.has(a, b)));
            assert_eq!(
                r.seq(&s),
                all(&|a, b| (0..n).any(|m| r.has(a, m) && s.has(m, b)))
            );
            assert_eq!(r.inverse(), all(&|a, b| r.has(b, a)));
            assert_eq!(r.without_loops(), all(&|a, b| a != b && r.has(a, b)));
            assert_eq!(
                r.restrict(x, y),
                all(&|a, b| r.has(a, b) && x & single(a) != 0 && y & single(b) != 0)
            );
            assert_eq!(r.opt(), all(&|a, b| a == b || r.has(a, b)));
            let mut t = r.clone();
            t.set_row(n - 1, 0);
            assert_eq!(t, all(&|a, b| a != n - 1 && r.has(a, b)));
        }
    }
}
