//! The completions of a replication, kept by working day: the current day's in a sorted run,
//! later days' in per-day buckets, the far future in a heap.
//!
//! Why: popping the next completion was the commonest and costliest step of the event loop (a
//! heap as deep as the number of people in service, every level a four-way comparison). Most
//! completions fall within the next few weeks, and time only moves forward, so a completion is
//! dropped into its day's bucket in constant time, each day's bucket is sorted once when the day
//! comes (a handful of events, sorted in cache), and popping takes the head of the run. A
//! completion due on a day already begun (a short job) goes to a small heap beside the run.
//!
//! The order is exactly that of a heap: every item has a day, no item of a later day comes
//! before one of an earlier day, and within the run and the side heap items keep their total
//! order (time, then sequence number). The results cannot depend on the structure.

use super::heap::MinHeap4;

/// An item with a working day: the whole part of its time, never decreasing with its order.
pub trait Dated: Ord + Copy {
    /// The working day the item is due on (its time's whole part; saturating for huge times).
    fn day(&self) -> u32;
}

/// Days ahead kept in buckets: one bit each in [`Agenda::occupied`].
const SLOTS: u32 = 64;

/// A priority queue for a discrete-event simulation, fastest when items are pushed no earlier
/// than the last one popped (the engine never schedules into the past). An item pushed for a day
/// already reached still comes out in order: it goes to the side heap, which is compared with
/// the run at every pop.
#[derive(Debug, Clone)]
pub struct Agenda<T> {
    /// Every item of a day up to `today` is in `run` or `side`; later ones are in `slots`/`far`.
    today: u32,
    /// The items of `today` at the moment it began, sorted; `head` is the next.
    run: Vec<T>,
    head: usize,
    /// Items pushed for a day that had already begun (at most `today`).
    side: MinHeap4<T>,
    /// Slot `d % SLOTS` holds the items of day `d`, for `today < d < today + SLOTS`.
    slots: Vec<Vec<T>>,
    /// Bit `s` set when slot `s` is not empty.
    occupied: u64,
    /// Items of day `today + SLOTS` or later.
    far: MinHeap4<T>,
}

impl<T> Default for Agenda<T> {
    fn default() -> Self {
        Agenda {
            today: 0,
            run: Vec::new(),
            head: 0,
            side: MinHeap4::default(),
            slots: (0..SLOTS).map(|_| Vec::new()).collect(),
            occupied: 0,
            far: MinHeap4::default(),
        }
    }
}

impl<T: Dated> Agenda<T> {
    /// Removes every item (keeping the allocations) and goes back to day 0.
    pub fn clear(&mut self) {
        self.today = 0;
        self.run.clear();
        self.head = 0;
        self.side.clear();
        let mut occ = self.occupied;
        while occ != 0 {
            self.slots[occ.trailing_zeros() as usize].clear();
            occ &= occ - 1;
        }
        self.occupied = 0;
        self.far.clear();
    }

    /// Adds an item.
    #[inline]
    pub fn push(&mut self, x: T) {
        let d = x.day();
        if d <= self.today {
            self.side.push(x);
        } else if d - self.today < SLOTS {
            let s = d % SLOTS;
            self.slots[s as usize].push(x);
            self.occupied |= 1u64 << s;
        } else {
            self.far.push(x);
        }
    }

    /// The first item.
    #[inline]
    pub fn peek(&mut self) -> Option<T> {
        // Commonest: nothing pushed for a day already begun, and the run not used up.
        if self.side.is_empty()
            && let Some(x) = self.run.get(self.head)
        {
            return Some(*x);
        }
        self.peek_slow()
    }

    fn peek_slow(&mut self) -> Option<T> {
        self.first().map(|(x, _)| x)
    }

    /// Removes and returns the first item.
    #[inline]
    pub fn pop(&mut self) -> Option<T> {
        if self.side.is_empty()
            && let Some(x) = self.run.get(self.head)
        {
            self.head += 1;
            return Some(*x);
        }
        self.pop_slow()
    }

    fn pop_slow(&mut self) -> Option<T> {
        match self.first()? {
            (x, true) => {
                self.head += 1;
                Some(x)
            }
            (_, false) => self.side.pop(),
        }
    }

    /// The first item and whether it heads the run (else it tops the side heap), moving to the
    /// next day with items when both are empty.
    fn first(&mut self) -> Option<(T, bool)> {
        if self.head == self.run.len() && self.side.is_empty() && !self.advance() {
            return None;
        }
        match (self.run.get(self.head), self.side.peek()) {
            (Some(a), Some(b)) if b < a => Some((*b, false)),
            (Some(a), _) => Some((*a, true)),
            (None, b) => b.map(|b| (*b, false)),
        }
    }

    /// With `run` and `side` empty: makes the next day that has items the current one. False
    /// when there are no items at all.
    #[cold]
    fn advance(&mut self) -> bool {
        self.run.clear();
        self.head = 0;
        let next = if self.occupied != 0 {
            // The bucketed days are today + 1 ..= today + SLOTS - 1; rotate so that bit 0 is
            // today + 1, and every far item is later than any of them.
            let first = self.today + 1;
            first + self.occupied.rotate_right(first % SLOTS).trailing_zeros()
        } else if let Some(x) = self.far.peek() {
            x.day()
        } else {
            return false;
        };
        self.today = next;
        let s = next % SLOTS;
        if self.occupied & (1u64 << s) != 0 {
            // The run is empty: swap it with the day's bucket, keeping both allocations.
            std::mem::swap(&mut self.run, &mut self.slots[s as usize]);
            self.occupied &= !(1u64 << s);
        }
        // Far items that are now within reach move to the run or to their buckets.
        while let Some(x) = self.far.peek().copied() {
            let d = x.day();
            if d - self.today >= SLOTS {
                break;
            }
            self.far.pop();
            if d == self.today {
                self.run.push(x);
            } else {
                let s = d % SLOTS;
                self.slots[s as usize].push(x);
                self.occupied |= 1u64 << s;
            }
        }
        // Items are distinct, so an unstable sort gives the one order.
        self.run.sort_unstable();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::{Agenda, Dated};
    use crate::model::heap::MinHeap4;
    use crate::stats::test_rng::Rng;

    /// (time, sequence number), like the engine's events.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    struct Item(u64, u64);

    impl Dated for Item {
        fn day(&self) -> u32 {
            // Times in hundredths of a day.
            u32::try_from(self.0 / 100).unwrap_or(u32::MAX)
        }
    }

    /// Random interleavings of pushes (never before the last pop) and pops give the same
    /// sequence as a heap: same-day pushes, ties on time, days far ahead, idle gaps, clearing.
    #[test]
    fn pops_in_the_same_order_as_a_heap() {
        let mut rng = Rng(5);
        let mut ours = Agenda::default();
        for round in 0..300u64 {
            ours.clear();
            let mut heap = MinHeap4::default();
            let mut now = 0u64;
            let mut seq = 0u64;
            // Spreads from a fraction of a day to far beyond the buckets.
            let spread = [3, 50, 100, 400, 3_000, 20_000, 1_000_000][round as usize % 7];
            for _ in 0..3_000 {
                if rng.unit() < 0.52 {
                    seq += 1;
                    // Some ties on time, and some items due exactly at a day boundary.
                    let ahead = match rng.below(10) {
                        0 => 0,
                        1 => (now / 100 + 1) * 100 - now,
                        _ => rng.below(spread),
                    };
                    let x = Item(now + ahead, seq);
                    ours.push(x);
                    heap.push(x);
                } else {
                    let got = ours.pop();
                    assert_eq!(got, heap.pop(), "round {round}");
                    if let Some(x) = got {
                        now = x.0;
                    }
                }
                assert_eq!(ours.peek(), heap.peek().copied(), "round {round}");
            }
            while let Some(x) = heap.pop() {
                assert_eq!(ours.pop(), Some(x));
            }
            assert_eq!(ours.pop(), None);
            assert_eq!(ours.peek(), None);
        }
    }

    /// Huge times (a day beyond u32) wait in the far heap and still come out in order.
    #[test]
    fn saturated_days_stay_in_order() {
        let mut ours = Agenda::default();
        for (i, t) in [u64::MAX - 1, 500, u64::MAX / 2, 150, 7_000_000]
            .iter()
            .enumerate()
        {
            ours.push(Item(*t, i as u64));
        }
        let order: Vec<u64> = std::iter::from_fn(|| ours.pop()).map(|x| x.0).collect();
        assert_eq!(order, vec![150, 500, 7_000_000, u64::MAX / 2, u64::MAX - 1]);
    }
}
