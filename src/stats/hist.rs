//! Mergeable histograms for results pooled over replications.
//!
//! Owns [`CountHist`] (exact, for integer counts such as a day's open cases) and [`LogHist`]
//! (log-spaced, for real durations such as waits in working days). Both hold integer counts only,
//! so merging the per-thread histograms is exact and independent of the merge order and thread
//! count. Neither grows with the number of replications: a `CountHist` grows with the range of
//! the values it sees, a `LogHist` has a fixed number of buckets. No I/O, no printing.

use super::quantile::{lerp, type7_position};

/// Exact histogram of non-negative integer values.
///
/// Counts are stored densely over the values `[base, base + len)`, and the range grows in either
/// direction as values arrive, so memory is proportional to `max - min + 1`, not to the number of
/// values. Intended for narrow ranges (a day's open-case count across replications).
///
/// The representation is canonical (an empty histogram has `base = 0` and no counts; otherwise the
/// first and last stored counts are non-zero), so `==` compares the multisets of values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountHist {
    base: u32,
    counts: Vec<u64>,
}

impl CountHist {
    /// An empty histogram.
    pub fn new() -> CountHist {
        CountHist::default()
    }

    /// Records one occurrence of `value`.
    #[inline]
    pub fn add(&mut self, value: u32) {
        // Within the stored range (the common case), one increment; below `base` the offset wraps
        // to a huge index and takes the general path like any value outside.
        match self.counts.get_mut(value.wrapping_sub(self.base) as usize) {
            Some(c) => *c += 1,
            None => self.add_n(value, 1),
        }
    }

    /// The stored form, for shard files: the smallest value counted (0 when empty) and the counts
    /// of it and of every value above it up to the largest counted.
    pub fn parts(&self) -> (u32, &[u64]) {
        (self.base, &self.counts)
    }

    /// A histogram from its stored form ([`CountHist::parts`]); `None` unless the form is the
    /// canonical one (empty with base 0, or first and last counts non-zero, and the largest value
    /// a `u32`), so that `==` still compares multisets.
    pub fn from_parts(base: u32, counts: Vec<u64>) -> Option<CountHist> {
        let canonical = match (counts.first(), counts.last()) {
            (None, _) => base == 0,
            (Some(&a), Some(&b)) => {
                a > 0 && b > 0 && u64::from(base) + counts.len() as u64 - 1 <= u64::from(u32::MAX)
            }
            _ => false,
        };
        canonical.then_some(CountHist { base, counts })
    }

    /// Records `n` occurrences of `value` (nothing when `n == 0`).
    pub fn add_n(&mut self, value: u32, n: u64) {
        if n == 0 {
            return;
        }
        if self.counts.is_empty() {
            self.base = value;
            self.counts.push(n);
            return;
        }
        self.cover(value, value);
        self.counts[(value - self.base) as usize] += n;
    }

    /// Adds every count of `other` to `self`. Exact, so merging is commutative and associative:
    /// any merge order of the same histograms gives an equal result.
    pub fn merge(&mut self, other: &CountHist) {
        let Some(other_max) = other.max() else {
            return;
        };
        if self.counts.is_empty() {
            self.clone_from(other);
            return;
        }
        self.cover(other.base, other_max);
        let off = (other.base - self.base) as usize;
        for (a, b) in self.counts[off..].iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    /// Widens the stored range of a non-empty histogram to include `[lo, hi]`.
    fn cover(&mut self, lo: u32, hi: u32) {
        if lo < self.base {
            let extra = (self.base - lo) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, extra));
            self.base = lo;
        }
        let len = (hi - self.base) as usize + 1;
        if len > self.counts.len() {
            self.counts.resize(len, 0);
        }
    }

    /// Number of values recorded.
    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Exact sum of the values recorded.
    pub fn sum(&self) -> u128 {
        self.counts
            .iter()
            .enumerate()
            .map(|(i, &c)| (u128::from(self.base) + i as u128) * u128::from(c))
            .sum()
    }

    /// Mean value, `sum / count` (one rounding, from the exact integers); `None` when empty.
    pub fn mean(&self) -> Option<f64> {
        let n = self.count();
        (n > 0).then(|| self.sum() as f64 / n as f64)
    }

    /// Smallest value recorded; `None` when empty.
    pub fn min(&self) -> Option<u32> {
        (!self.counts.is_empty()).then_some(self.base)
    }

    /// Largest value recorded; `None` when empty.
    pub fn max(&self) -> Option<u32> {
        (!self.counts.is_empty()).then(|| self.base + (self.counts.len() - 1) as u32)
    }

    /// The order statistic with 0-based rank `k < count()`: the first value whose cumulative
    /// count exceeds `k`.
    fn order_stat(&self, k: u64) -> u32 {
        let mut cum = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            cum += c;
            if cum > k {
                return self.base + i as u32;
            }
        }
        unreachable!("rank {k} out of range for a histogram of {cum} values")
    }

    /// Hyndman & Fan type-7 quantile of the recorded values, computed exactly on the sorted sample
    /// they imply: with `n = count()` and `h = (n - 1) p` (`p` clamped to [0, 1]),
    /// `Q(p) = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])`, the order statistics
    /// found by walking the cumulative counts. Bit-identical to
    /// [`quantile_type7_sorted`](super::quantile_type7_sorted) on the expanded sample.
    ///
    /// `None` when empty or `p` is NaN.
    pub fn quantile_type7(&self, p: f64) -> Option<f64> {
        let (i, frac) = type7_position(self.count(), p)?;
        let x_lo = self.order_stat(i);
        let x_hi = if frac == 0.0 {
            x_lo
        } else {
            self.order_stat(i + 1)
        };
        Some(lerp(f64::from(x_lo), f64::from(x_hi), frac))
    }
}

/// Smallest positive value with its own log bucket [working days]; smaller positive values are
/// counted in the first log bucket.
const LOG_MIN: f64 = 1e-4;
/// Largest value covered by the log buckets [working days]; larger values are counted in the last.
const LOG_MAX: f64 = 1e6;
/// Natural log of the bucket ratio `hi / lo = 1.01` (relative width 1%).
const LN_RATIO: f64 = 0.009_950_330_853_168_092;

/// Number of log buckets, `ceil(ln(LOG_MAX / LOG_MIN) / ln 1.01)` = 2,315.
const N_LOG: usize = 2315;

/// Mergeable histogram of non-negative real durations (working days), pooled over all cases of
/// all replications.
///
/// Bucket 0 holds exact zeros (a case that never waited), so `P(x > 0) = 1 - zeros / count` is
/// exact. Buckets `1..=2315` are log-spaced with relative width 1%: bucket `i` covers
/// `[1e-4 * 1.01^(i-1), 1e-4 * 1.01^i)`, from 1e-4 up to just above 1e6. Positive values below
/// 1e-4 are counted in bucket 1, values above the last edge (including +inf) in the last bucket.
///
/// The bucket count is fixed ([`LogHist::BUCKETS`] = 2,316), so [`merge`](LogHist::merge) is an
/// element-wise add of `u64` counts: exact and order-independent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogHist {
    counts: Vec<u64>,
}

impl Default for LogHist {
    fn default() -> LogHist {
        LogHist::new()
    }
}

/// Lower edges of the log buckets, computed once: they sit on the hot path (a lookup or two per
/// recorded case).
static EDGES: std::sync::LazyLock<Vec<f64>> = std::sync::LazyLock::new(|| {
    (0..=N_LOG)
        .map(|k| LOG_MIN * (k as f64 * LN_RATIO).exp())
        .collect()
});

/// Bits of an `f64`'s mantissa kept in a [`CELLS`] index: 2^7 cells per octave, each narrower
/// (relative width at most 1/128 < 0.8 %) than a log bucket (1 %), so a cell meets at most two
/// buckets.
const CELL_BITS: u32 = 7;
const CELL_SHIFT: u32 = 52 - CELL_BITS;

/// For each cell of positive floats in [LOG_MIN, LOG_MAX) (the float's bits shifted right by
/// [`CELL_SHIFT`], less the first cell's), the log bucket (0-based) holding the cell's smallest
/// value in that range. A value's bucket is then that one or the next: one comparison with an edge
/// instead of a logarithm.
static CELLS: std::sync::LazyLock<Vec<u16>> = std::sync::LazyLock::new(|| {
    let first = LOG_MIN.to_bits() >> CELL_SHIFT;
    let last = LOG_MAX.to_bits() >> CELL_SHIFT;
    let edges: &[f64] = &EDGES;
    (first..=last)
        .map(|cell| {
            let lo = f64::from_bits(cell << CELL_SHIFT).max(LOG_MIN);
            // Last k with edges[k] <= lo (edges[0] = LOG_MIN <= lo).
            let k = edges[..N_LOG].partition_point(|&e| e <= lo) - 1;
            k as u16
        })
        .collect()
});

impl LogHist {
    /// Number of buckets: the zero bucket plus 2,315 log buckets.
    pub const BUCKETS: usize = 1 + N_LOG;

    /// An empty histogram.
    pub fn new() -> LogHist {
        LogHist {
            counts: vec![0; Self::BUCKETS],
        }
    }

    /// Lower edge of log bucket `k` (0-based among the log buckets), `1e-4 * exp(k ln 1.01)`
    /// [working days]. The upper edge of one log bucket is the lower edge of the next by
    /// construction, so the buckets tile without gaps.
    #[inline]
    fn edge(k: usize) -> f64 {
        EDGES[k]
    }

    /// Index of the bucket holding `x`; zero for NaN, negative and zero values.
    #[inline]
    fn index(x: f64) -> usize {
        Self::index_in(x, &EDGES, &CELLS)
    }

    /// [`LogHist::index`] with the tables passed in, so that a loop reads them once.
    #[inline]
    fn index_in(x: f64, edges: &[f64], cells: &[u16]) -> usize {
        if !(x >= LOG_MIN) {
            // Below the first edge: NaN, negative and zero values are zeros, others bucket 1.
            return usize::from(x > 0.0);
        }
        if x >= LOG_MAX {
            // 1e6 lies inside the last log bucket, whose upper edge is 1e-4 * 1.01^2315 > 1e6.
            return N_LOG;
        }
        let cell = ((x.to_bits() >> CELL_SHIFT) - (LOG_MIN.to_bits() >> CELL_SHIFT)) as usize;
        let k = cells[cell] as usize;
        // The cell's values lie in bucket k or k + 1 (see CELLS): one comparison with the edge used
        // by `bucket_bounds` settles it, so a value always lies within the bounds reported for it.
        1 + k + usize::from(k + 1 < N_LOG && x >= edges[k + 1])
    }

    /// Records one duration `x` [working days]. Zero, negative and NaN values count as zeros;
    /// never panics.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.counts[Self::index(x)] += 1;
    }

    /// Records every value of `bits`, each an `f64::to_bits`: the same counts as [`LogHist::add`]
    /// on each value, faster for a replication's waits and times in system.
    ///
    /// Why: adding one to the zero count again and again makes each increment wait for the
    /// previous one's store, so zeros are counted in a register and stored once. (This measured
    /// faster when the engine passed every wait here, most of them zero; it now counts zero waits
    /// itself and passes them to [`LogHist::add_zeros`], so zeros here are rare, but the values
    /// passed are not promised to be positive.) The lookup tables are read once per call.
    pub fn add_bits(&mut self, bits: &[u64]) {
        let (edges, cells): (&[f64], &[u16]) = (&EDGES, &CELLS);
        let mut zeros = 0u64;
        for &b in bits {
            if b == 0 {
                zeros += 1;
            } else {
                self.counts[Self::index_in(f64::from_bits(b), edges, cells)] += 1;
            }
        }
        self.counts[0] += zeros;
    }

    /// Records `n` values of zero.
    #[inline]
    pub fn add_zeros(&mut self, n: u64) {
        self.counts[0] += n;
    }

    /// The counts of every bucket (the zero bucket first), for shard files.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// A histogram from the counts of its [`LogHist::BUCKETS`] buckets; `None` for another number.
    pub fn from_counts(counts: Vec<u64>) -> Option<LogHist> {
        (counts.len() == Self::BUCKETS).then_some(LogHist { counts })
    }

    /// Adds every count of `other` to `self` (element-wise; exact, commutative, associative).
    pub fn merge(&mut self, other: &LogHist) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    /// Number of values recorded.
    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Number of values recorded as zero (zero, negative or NaN).
    pub fn zeros(&self) -> u64 {
        self.counts[0]
    }

    /// Bounds `(lo, hi)` of bucket `i` [working days]: `(0, 0)` for the zero bucket, else
    /// `(1e-4 * 1.01^(i-1), 1e-4 * 1.01^i)`. Nominal bounds: bucket 1 also holds positive values
    /// below 1e-4 and the last bucket values above its upper edge.
    ///
    /// # Panics
    /// If `i >= LogHist::BUCKETS`.
    pub fn bucket_bounds(&self, i: usize) -> (f64, f64) {
        assert!(i < Self::BUCKETS, "bucket {i} out of range");
        if i == 0 {
            (0.0, 0.0)
        } else {
            (Self::edge(i - 1), Self::edge(i))
        }
    }

    /// The non-empty buckets in ascending order as `(lo, hi, count)`, bounds as in
    /// [`bucket_bounds`](LogHist::bucket_bounds) (the zero bucket is `(0, 0, zeros)`), for charting.
    pub fn nonempty_buckets(&self) -> impl Iterator<Item = (f64, f64, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c > 0)
            .map(|(i, &c)| {
                let (lo, hi) = self.bucket_bounds(i);
                (lo, hi, c)
            })
    }

    /// Approximate `p`-quantile [working days]: the type-1 (inverse empirical CDF) order statistic
    /// of rank `k = ceil(p n)` (clamped to `1..=n`; `p` clamped to [0, 1]; a product `p n` within
    /// rounding error of an integer counts as that integer, so `p = 0.7, n = 10` gives `k = 7`),
    /// reported as the geometric midpoint `sqrt(lo hi)` of the bucket holding it, or exactly 0.0
    /// when it is among the zeros.
    ///
    /// Since `hi / lo = 1.01`, the result is within `sqrt(1.01) - 1 < 0.5%` relative of the exact
    /// sample quantile whenever that lies in [1e-4, 1e6] (values outside are clamped into the end
    /// buckets and lose this guarantee).
    ///
    /// `None` when empty or `p` is NaN.
    pub fn quantile(&self, p: f64) -> Option<f64> {
        let n = self.count();
        if n == 0 || p.is_nan() {
            return None;
        }
        let k = type1_rank(p, n);
        let mut cum = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            cum += c;
            if cum >= k {
                if i == 0 {
                    return Some(0.0);
                }
                let (lo, hi) = self.bucket_bounds(i);
                return Some((lo * hi).sqrt());
            }
        }
        unreachable!("rank {k} out of range for a histogram of {n} values")
    }
}

/// Type-1 rank `k = ceil(p n)` in `1..=n` for `n >= 1`, `p` clamped to [0, 1]; a product within a
/// few ulps of an integer is taken as that integer (so `0.7 * 10 = 7.000000000000001` gives 7).
fn type1_rank(p: f64, n: u64) -> u64 {
    let t = p.clamp(0.0, 1.0) * n as f64;
    let r = t.round();
    let k = if (t - r).abs() <= 4.0 * f64::EPSILON * r.max(1.0) {
        r
    } else {
        t.ceil()
    };
    (k as u64).clamp(1, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_index_agrees_with_a_search_of_the_edges() {
        // The index must be the bucket whose edges hold x, at and around every edge.
        let reference = |x: f64| -> usize {
            if !(x > 0.0) {
                return 0;
            }
            // Last k with edge(k) <= x, among the log buckets; below the first edge: bucket 1.
            let k = (0..N_LOG)
                .rev()
                .find(|&k| LogHist::edge(k) <= x)
                .unwrap_or(0);
            1 + k
        };
        let check = |x: f64, what: &str| {
            if x < LOG_MAX {
                assert_eq!(LogHist::index(x), reference(x), "x = {x:e}, {what}");
            }
        };
        for k in 0..N_LOG {
            let e = LogHist::edge(k);
            for x in [e, e.next_up(), e.next_down(), e * 1.004] {
                check(x, &format!("edge {k}"));
            }
        }
        // Every cell of the lookup table, at its first and last value.
        let first = LOG_MIN.to_bits() >> CELL_SHIFT;
        for c in 0..CELLS.len() as u64 {
            let lo = f64::from_bits((first + c) << CELL_SHIFT);
            for x in [lo, lo.next_up(), lo.next_down()] {
                check(x, &format!("cell {c}"));
            }
        }
    }

    use crate::stats::{QUANTILE_PROBS, quantile_type7_sorted};

    use crate::stats::test_rng::Rng;

    fn probs(rng: &mut Rng) -> Vec<f64> {
        let mut ps = QUANTILE_PROBS.to_vec();
        ps.extend([0.0, 1.0, 0.7, 1.0 / 3.0, rng.unit(), rng.unit(), rng.unit()]);
        ps
    }

    // ---- CountHist ----

    #[test]
    fn count_hist_empty() {
        let h = CountHist::new();
        assert_eq!(h.count(), 0);
        assert_eq!(h.sum(), 0);
        assert_eq!(h.mean(), None);
        assert_eq!(h.min(), None);
        assert_eq!(h.max(), None);
        assert_eq!(h.quantile_type7(0.5), None);
        let mut g = CountHist::new();
        g.add_n(7, 0);
        assert_eq!(g, h);
    }

    #[test]
    fn count_hist_known_values() {
        // Sample 3, 5, 5, 6, 10 added out of order, growing downward and upward.
        let mut h = CountHist::new();
        h.add(6);
        h.add(3);
        h.add_n(5, 2);
        h.add(10);
        assert_eq!(h.count(), 5);
        assert_eq!(h.sum(), 29);
        assert_eq!(h.mean(), Some(5.8));
        assert_eq!((h.min(), h.max()), (Some(3), Some(10)));
        // R: quantile(c(3, 5, 5, 6, 10), c(0, .25, .5, .9, 1)) = 3, 5, 5, 8.4, 10.
        assert_eq!(h.quantile_type7(0.0), Some(3.0));
        assert_eq!(h.quantile_type7(0.25), Some(5.0));
        assert_eq!(h.quantile_type7(0.5), Some(5.0));
        assert!((h.quantile_type7(0.9).unwrap() - 8.4).abs() < 1e-12);
        assert_eq!(h.quantile_type7(1.0), Some(10.0));
        assert_eq!(h.quantile_type7(f64::NAN), None);
    }

    #[test]
    fn count_hist_extreme_values() {
        let mut h = CountHist::new();
        h.add_n(u32::MAX, 3);
        h.add(u32::MAX - 1);
        assert_eq!(h.count(), 4);
        assert_eq!(h.sum(), 3 * u128::from(u32::MAX) + u128::from(u32::MAX - 1));
        assert_eq!(h.max(), Some(u32::MAX));
        assert_eq!(h.min(), Some(u32::MAX - 1));
        assert_eq!(h.quantile_type7(1.0), Some(f64::from(u32::MAX)));
    }

    /// A random small histogram and the sample it was built from.
    fn random_count_hist(rng: &mut Rng) -> (CountHist, Vec<u32>) {
        let base = rng.below(50) as u32;
        let width = 1 + rng.below(12) as u32;
        let n = rng.below(30);
        let mut h = CountHist::new();
        let mut sample = Vec::new();
        for _ in 0..n {
            let v = base + rng.below(u64::from(width)) as u32;
            if rng.below(4) == 0 {
                let m = rng.below(4);
                h.add_n(v, m);
                sample.extend(std::iter::repeat_n(v, m as usize));
            } else {
                h.add(v);
                sample.push(v);
            }
        }
        (h, sample)
    }

    #[test]
    fn count_hist_matches_brute_force_expansion() {
        let mut rng = Rng(2024);
        for _ in 0..3000 {
            let (h, mut sample) = random_count_hist(&mut rng);
            sample.sort_unstable();
            let expanded: Vec<f64> = sample.iter().map(|&v| f64::from(v)).collect();
            assert_eq!(h.count(), sample.len() as u64);
            assert_eq!(h.sum(), sample.iter().map(|&v| u128::from(v)).sum::<u128>());
            assert_eq!(h.min(), sample.first().copied());
            assert_eq!(h.max(), sample.last().copied());
            if !sample.is_empty() {
                let want =
                    sample.iter().map(|&v| u64::from(v)).sum::<u64>() as f64 / sample.len() as f64;
                assert_eq!(h.mean(), Some(want));
            }
            for p in probs(&mut rng) {
                let want = quantile_type7_sorted(&expanded, p);
                let got = h.quantile_type7(p);
                assert_eq!(
                    got.map(f64::to_bits),
                    want.map(f64::to_bits),
                    "p={p} sample={sample:?}"
                );
            }
        }
    }

    #[test]
    fn count_hist_merge_is_exact_commutative_and_associative() {
        let mut rng = Rng(77);
        for _ in 0..1000 {
            let (a, sa) = random_count_hist(&mut rng);
            let (b, sb) = random_count_hist(&mut rng);
            let (c, sc) = random_count_hist(&mut rng);
            // The merge equals the histogram of the pooled sample.
            let mut pooled = CountHist::new();
            for &v in sa.iter().chain(&sb).chain(&sc) {
                pooled.add(v);
            }
            let mut ab_c = a.clone();
            ab_c.merge(&b);
            ab_c.merge(&c);
            let mut bc = b.clone();
            bc.merge(&c);
            let mut a_bc = a.clone();
            a_bc.merge(&bc);
            let mut cba = c.clone();
            cba.merge(&b);
            cba.merge(&a);
            assert_eq!(ab_c, pooled);
            assert_eq!(a_bc, pooled);
            assert_eq!(cba, pooled);
        }
    }

    // ---- LogHist ----

    #[test]
    fn log_hist_layout() {
        assert!((LN_RATIO - 1.01f64.ln()).abs() < 1e-17);
        assert_eq!(N_LOG, ((LOG_MAX / LOG_MIN).ln() / LN_RATIO).ceil() as usize);
        assert_eq!(LogHist::BUCKETS, 2316);
        let h = LogHist::new();
        assert_eq!(h.bucket_bounds(0), (0.0, 0.0));
        assert_eq!(h.bucket_bounds(1).0, 1e-4);
        let (_, top) = h.bucket_bounds(LogHist::BUCKETS - 1);
        assert!((1e6..1.01e6).contains(&top), "{top}");
        // So the shortcut for x >= 1e6 in `index` is exact.
        assert!(h.bucket_bounds(LogHist::BUCKETS - 1).0 < LOG_MAX && LOG_MAX < top);
        for i in 1..LogHist::BUCKETS {
            let (lo, hi) = h.bucket_bounds(i);
            assert!((hi / lo - 1.01).abs() < 1e-12, "bucket {i}");
            if i + 1 < LogHist::BUCKETS {
                assert_eq!(hi, h.bucket_bounds(i + 1).0);
            }
        }
    }

    /// `add_bits` counts exactly what `add` does value by value, zeros, -0.0, NaN, negatives,
    /// tiny and huge values included.
    #[test]
    fn log_hist_add_bits_is_add_of_each_value() {
        let mut rng = Rng(21);
        let mut values = vec![0.0, -0.0, f64::NAN, -3.0, 1e-300, 5e-5, 1e-4, 1e6, 1e300];
        for _ in 0..5_000 {
            let u = rng.unit();
            values.push(if u < 0.4 {
                0.0
            } else {
                (u * 40.0 - 12.0).exp()
            });
        }
        let bits: Vec<u64> = values.iter().map(|x| x.to_bits()).collect();
        let (mut one_by_one, mut batch) = (LogHist::new(), LogHist::new());
        values.iter().for_each(|&x| one_by_one.add(x));
        batch.add_bits(&bits);
        assert_eq!(batch, one_by_one);
        assert!(batch.zeros() > 1_000);
    }

    #[test]
    fn log_hist_values_land_within_their_bucket_bounds() {
        let h = LogHist::new();
        let mut rng = Rng(9);
        let mut xs: Vec<f64> = (0..N_LOG).map(LogHist::edge).collect();
        xs.extend((0..N_LOG).map(|k| LogHist::edge(k) * (1.0 - f64::EPSILON)));
        xs.extend((0..20_000).map(|_| 10f64.powf(-4.0 + 10.0 * rng.unit())));
        xs.extend([LOG_MAX, LOG_MAX * (1.0 - f64::EPSILON), LOG_MAX * 1.0005]);
        for x in xs {
            if !(LOG_MIN..h.bucket_bounds(LogHist::BUCKETS - 1).1).contains(&x) {
                continue;
            }
            let i = LogHist::index(x);
            let (lo, hi) = h.bucket_bounds(i);
            assert!(lo <= x && x < hi, "{x} in bucket {i} = [{lo}, {hi})");
        }
    }

    #[test]
    fn log_hist_special_values_never_panic() {
        let mut h = LogHist::new();
        for x in [0.0, -0.0, -3.0, f64::NAN, f64::NEG_INFINITY] {
            h.add(x);
        }
        assert_eq!((h.zeros(), h.count()), (5, 5));
        h.add(1e-9);
        h.add(f64::MIN_POSITIVE);
        h.add(1e7);
        h.add(f64::INFINITY);
        h.add(f64::MAX);
        let b: Vec<(f64, f64, u64)> = h.nonempty_buckets().collect();
        assert_eq!(b.len(), 3);
        assert_eq!(b[0], (0.0, 0.0, 5));
        assert_eq!((b[1].0, b[1].2), (1e-4, 2));
        assert_eq!(b[2], {
            let (lo, hi) = h.bucket_bounds(LogHist::BUCKETS - 1);
            (lo, hi, 3)
        });
        assert_eq!(h.count(), 10);
    }

    #[test]
    fn type1_rank_known_values() {
        assert_eq!(type1_rank(0.7, 10), 7);
        assert_eq!(type1_rank(0.05, 20), 1);
        assert_eq!(type1_rank(0.1, 30), 3);
        assert_eq!(type1_rank(0.5, 3), 2);
        assert_eq!(type1_rank(0.5, 4), 2);
        assert_eq!(type1_rank(0.51, 4), 3);
        assert_eq!(type1_rank(0.0, 5), 1);
        assert_eq!(type1_rank(1.0, 5), 5);
        assert_eq!(type1_rank(-2.0, 5), 1);
        assert_eq!(type1_rank(2.0, 5), 5);
        for n in 1..200u64 {
            for (j, p) in QUANTILE_PROBS.iter().enumerate() {
                // p in hundredths, so the exact rank is ceil(pct * n / 100) in integers.
                let pct = [5u64, 10, 25, 50, 75, 90, 95][j];
                let want = (pct * n).div_ceil(100).max(1);
                assert_eq!(type1_rank(*p, n), want, "p={p} n={n}");
            }
        }
    }

    #[test]
    fn log_hist_quantile_known_values() {
        let mut h = LogHist::new();
        assert_eq!(h.quantile(0.5), None);
        // 3 zeros and 1, 2, 4, 8, 16 days.
        for x in [0.0, 0.0, 0.0, 1.0, 2.0, 4.0, 8.0, 16.0] {
            h.add(x);
        }
        assert_eq!(h.quantile(f64::NAN), None);
        assert_eq!(h.quantile(0.0), Some(0.0));
        assert_eq!(h.quantile(0.375), Some(0.0)); // rank 3: the last zero
        let near = |p: f64, want: f64| {
            let got = h.quantile(p).unwrap();
            assert!((got / want - 1.0).abs() < 0.005, "p={p}: {got} vs {want}");
        };
        near(0.376, 1.0); // rank 4
        near(0.5, 1.0);
        near(0.75, 4.0); // rank 6
        near(0.9, 16.0); // rank ceil(7.2) = 8
        near(1.0, 16.0);
        // The reported value is the bucket's geometric midpoint.
        let q = h.quantile(1.0).unwrap();
        let (lo, hi) = h.bucket_bounds(LogHist::index(16.0));
        assert_eq!(q, (lo * hi).sqrt());
    }

    #[test]
    fn log_hist_quantile_within_half_percent_of_exact() {
        let mut rng = Rng(31337);
        for _ in 0..300 {
            let n = 1 + rng.below(400) as usize;
            let zero_share = rng.unit() * 0.6;
            let mut xs: Vec<f64> = (0..n)
                .map(|_| {
                    if rng.unit() < zero_share {
                        0.0
                    } else {
                        10f64.powf(-4.0 + 10.0 * rng.unit()).min(LOG_MAX)
                    }
                })
                .collect();
            let mut h = LogHist::new();
            for &x in &xs {
                h.add(x);
            }
            xs.sort_by(f64::total_cmp);
            assert_eq!(h.count(), n as u64);
            assert_eq!(h.zeros(), xs.iter().filter(|&&x| x == 0.0).count() as u64);
            for p in probs(&mut rng) {
                let exact = xs[type1_rank(p, n as u64) as usize - 1];
                let got = h.quantile(p).unwrap();
                if exact == 0.0 {
                    assert_eq!(got, 0.0);
                } else {
                    let rel = (got / exact - 1.0).abs();
                    assert!(rel <= 0.0049876, "p={p}: {got} vs {exact} ({rel})");
                }
            }
        }
    }

    #[test]
    fn log_hist_merge_equals_pooled_and_is_order_free() {
        let mut rng = Rng(5);
        let mut parts = Vec::new();
        let mut pooled = LogHist::new();
        for _ in 0..4 {
            let mut h = LogHist::new();
            for _ in 0..rng.below(500) {
                let x = if rng.below(3) == 0 {
                    0.0
                } else {
                    rng.unit() * 300.0
                };
                h.add(x);
                pooled.add(x);
            }
            parts.push(h);
        }
        let mut fwd = LogHist::new();
        for h in &parts {
            fwd.merge(h);
        }
        let mut rev = LogHist::new();
        for h in parts.iter().rev() {
            rev.merge(h);
        }
        let mut tree = parts[0].clone();
        tree.merge(&parts[1]);
        let mut right = parts[2].clone();
        right.merge(&parts[3]);
        tree.merge(&right);
        assert_eq!(fwd, pooled);
        assert_eq!(rev, pooled);
        assert_eq!(tree, pooled);
        assert_eq!(fwd.count(), parts.iter().map(LogHist::count).sum::<u64>());
        assert_eq!(LogHist::default(), LogHist::new());
    }
}
