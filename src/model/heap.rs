//! A 4-ary min-heap: the delays ending in a replication, and the parts of its completions'
//! [`Agenda`](super::agenda::Agenda) that are not sorted by day.
//!
//! Why not `std::collections::BinaryHeap<Reverse<_>>`: popping is a common operation of the
//! event loop, and a 4-ary heap is half as deep as a binary one, with a node's four children next
//! to each other in memory (96 bytes of events); choosing among them by selects rather than
//! branches measured faster in wall time than std's heap on met-2023. The order is the same: events
//! are totally ordered (time, sequence number; no two are equal), so any correct min-heap
//! pops them in exactly the same order and the results do not change with the structure.

/// A min-heap of `Copy` items with four children per node.
#[derive(Debug, Clone)]
pub struct MinHeap4<T> {
    items: Vec<T>,
}

impl<T> Default for MinHeap4<T> {
    fn default() -> Self {
        MinHeap4 { items: Vec::new() }
    }
}

impl<T: Ord + Copy> MinHeap4<T> {
    /// Removes every item, keeping the allocation.
    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// Whether it holds no item.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The smallest item.
    #[inline]
    pub fn peek(&self) -> Option<&T> {
        self.items.first()
    }

    /// Adds an item.
    ///
    /// Forced inline, for the engine: its `Agenda::push` sends a completion to a day's bucket
    /// (a plain vector) or to one of two of these heaps. While this push was a call taking the
    /// event (24 bytes) by reference, the compiler kept every event in a stack slot, written
    /// field by field, and copied it from there into the bucket too; inlined, the event goes
    /// from registers on every path. Measured (one thread, ABBA, task-clock): 0.7 % less time on
    /// screen-v1-stress and met-2023, 0.5 % fewer instructions on screen-v1-stress.
    #[inline(always)]
    pub fn push(&mut self, x: T) {
        let mut i = self.items.len();
        self.items.push(x);
        // Sift the hole up: parents larger than x move down into it.
        while i > 0 {
            let parent = (i - 1) / 4;
            let p = self.items[parent];
            if p <= x {
                break;
            }
            self.items[i] = p;
            i = parent;
        }
        self.items[i] = x;
    }

    /// Removes and returns the smallest item.
    #[inline]
    pub fn pop(&mut self) -> Option<T> {
        let last = self.items.pop()?;
        let n = self.items.len();
        if n == 0 {
            return Some(last);
        }
        let top = self.items[0];
        // Sift a hole down from the root: the smallest child moves up while it is below `last`.
        let items = &mut self.items[..n];
        let mut i = 0;
        loop {
            let first = 4 * i + 1;
            let (m, mv) = if first + 4 <= n {
                // All four children: a two-round tournament on indices, written so that the
                // comparisons (unpredictable by nature) become selects rather than branches.
                let c = &items[first..first + 4];
                let a = usize::from(c[1] < c[0]);
                let b = 2 + usize::from(c[3] < c[2]);
                let w = if c[b] < c[a] { b } else { a };
                (first + w, c[w])
            } else if first < n {
                let mut m = first;
                let mut mv = items[first];
                for (c, &cv) in items.iter().enumerate().skip(first + 1) {
                    if cv < mv {
                        m = c;
                        mv = cv;
                    }
                }
                (m, mv)
            } else {
                break;
            };
            if last <= mv {
                break;
            }
            items[i] = mv;
            i = m;
        }
        items[i] = last;
        Some(top)
    }
}

#[cfg(test)]
mod tests {
    use super::MinHeap4;
    use crate::stats::test_rng::Rng;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    /// Random interleavings of pushes and pops give the same sequence as the standard heap.
    #[test]
    fn pops_in_the_same_order_as_the_standard_binary_heap() {
        let mut rng = Rng(7);
        for round in 0..200 {
            let mut ours = MinHeap4::default();
            let mut std_heap = BinaryHeap::new();
            let spread = 1 + round * 3;
            for step in 0..2_000u64 {
                if rng.unit() < 0.55 {
                    // Distinct keys (value, step), like events' sequence numbers.
                    let x = (rng.below(spread), step);
                    ours.push(x);
                    std_heap.push(Reverse(x));
                } else {
                    assert_eq!(ours.pop(), std_heap.pop().map(|Reverse(x)| x));
                }
                assert_eq!(ours.items.len(), std_heap.len());
                assert_eq!(ours.peek(), std_heap.peek().map(|Reverse(x)| x));
            }
            while let Some(Reverse(x)) = std_heap.pop() {
                assert_eq!(ours.pop(), Some(x));
            }
            assert!(ours.items.is_empty());
            assert_eq!(ours.pop(), None);
        }
    }
}
