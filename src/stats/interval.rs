//! Distribution-free confidence intervals for quantiles, from order statistics.
//!
//! For the p-quantile ξ of a continuous distribution and a sample of n values sorted
//! x₍₁₎ ≤ … ≤ x₍ₙ₎, the number of values below ξ is Binomial(n, p), so
//! P(x₍ⱼ₎ ≤ ξ < x₍ₖ₎) = Σᵢ₌ⱼ^{k−1} C(n, i) pⁱ (1 − p)ⁿ⁻ⁱ whatever the distribution. The ranks are
//! chosen symmetric in probability: j the largest with P(B < j) ≤ α/2 and k the smallest with
//! P(B ≥ k) ≤ α/2, so the interval covers ξ with probability at least 1 − α (exactly the binomial
//! sum above, which [`coverage`] gives). When n is too small for such ranks (fewer than 36 values
//! for a P90 at 95 %, 6 for a median), there is no interval.
//!
//! Reference: G. J. Hahn and W. Q. Meeker (1991), *Statistical Intervals*, Wiley, section 5.2;
//! the exact sums are taken in f64, each term relative to the largest (no factorials), so that
//! n up to the ten million replications allowed is exact to rounding.

/// The binomial probabilities P(B = i) for B ~ Binomial(n, p), for the i where they are not
/// negligible (below 1e-300 of the largest), as (first i, probabilities).
fn binomial_pmf(n: u64, p: f64) -> (u64, Vec<f64>) {
    if p <= 0.0 {
        return (0, vec![1.0]);
    }
    if p >= 1.0 {
        return (n, vec![1.0]);
    }
    let mode = (((n + 1) as f64 * p).floor() as u64).min(n);
    let ratio = p / (1.0 - p);
    // Relative to the mode: pmf(i + 1) / pmf(i) = (n − i) / (i + 1) · p / (1 − p).
    let mut up = Vec::new();
    let mut v = 1.0;
    let mut i = mode;
    while i < n {
        v *= (n - i) as f64 / (i + 1) as f64 * ratio;
        if v < 1e-300 {
            break;
        }
        up.push(v);
        i += 1;
    }
    let mut down = Vec::new();
    let mut v = 1.0;
    let mut i = mode;
    while i > 0 {
        v *= i as f64 / (n - i + 1) as f64 / ratio;
        if v < 1e-300 {
            break;
        }
        down.push(v);
        i -= 1;
    }
    let first = mode - down.len() as u64;
    let mut pmf: Vec<f64> = down.into_iter().rev().collect();
    pmf.push(1.0);
    pmf.extend(up);
    // Normalised by the sum in increasing order of size from both ends would be marginally more
    // exact; the plain sum is within a few ulps of 1 relative, far below what matters here.
    let total: f64 = pmf.iter().sum();
    pmf.iter_mut().for_each(|x| *x /= total);
    (first, pmf)
}

/// The 1-based ranks (j, k) of the order statistics that bound a distribution-free interval for
/// the `p`-quantile of `n` values at confidence `level` (e.g. 0.95), or `None` when n is too small
/// (j would be below 1 or k above n).
pub fn quantile_interval_ranks(n: u64, p: f64, level: f64) -> Option<(u64, u64)> {
    if n == 0 || !(p > 0.0 && p < 1.0) || !(level > 0.0 && level < 1.0) {
        return None;
    }
    let tail = (1.0 - level) / 2.0;
    let (first, pmf) = binomial_pmf(n, p);
    // j: the largest with P(B ≤ j − 1) ≤ tail; P(B ≤ i) for i below `first` is negligible.
    let mut cdf = 0.0;
    let mut j = first; // P(B ≤ first − 1) ≈ 0
    for (idx, q) in pmf.iter().enumerate() {
        cdf += q;
        if cdf <= tail {
            j = first + idx as u64 + 1;
        } else {
            break;
        }
    }
    // k: the smallest with P(B ≥ k) ≤ tail, i.e. P(B ≤ k − 1) ≥ 1 − tail.
    let mut upper = 0.0;
    let mut k = first + pmf.len() as u64; // P(B ≥ that) ≈ 0
    for (idx, q) in pmf.iter().enumerate().rev() {
        upper += q;
        if upper <= tail {
            k = first + idx as u64;
        } else {
            break;
        }
    }
    // Ranks are 1-based: x₍ⱼ₎ with P(B < j) ≤ tail needs j ≥ 1, and x₍ₖ₎ needs k ≤ n.
    if j < 1 || k > n || j >= k {
        return None;
    }
    Some((j, k))
}

/// The exact probability that the interval [x₍ⱼ₎, x₍ₖ₎] covers the p-quantile of a continuous
/// distribution: P(j ≤ B ≤ k − 1), B ~ Binomial(n, p).
pub fn coverage(n: u64, p: f64, j: u64, k: u64) -> f64 {
    let (first, pmf) = binomial_pmf(n, p);
    pmf.iter()
        .enumerate()
        .filter(|(idx, _)| {
            let i = first + *idx as u64;
            i >= j && i < k
        })
        .map(|(_, q)| q)
        .sum()
}

/// The interval [low, high] for the `p`-quantile from values sorted ascending, at confidence
/// `level`; `None` when there are too few values. A bound that falls on an infinite value (a
/// censored replication, sorted last) is `None` too: "not by the horizon".
pub fn quantile_interval_sorted(sorted: &[f64], p: f64, level: f64) -> Option<[Option<f64>; 2]> {
    let (j, k) = quantile_interval_ranks(sorted.len() as u64, p, level)?;
    let at = |r: u64| Some(sorted[(r - 1) as usize]).filter(|x| x.is_finite());
    Some([at(j), at(k)])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact binomial by the textbook formula with big factorial ratios, for small n.
    fn pmf_direct(n: u64, p: f64, i: u64) -> f64 {
        let mut c = 1.0;
        for t in 0..i {
            c *= (n - t) as f64 / (t + 1) as f64;
        }
        c * p.powi(i as i32) * (1.0 - p).powi((n - i) as i32)
    }

    #[test]
    fn the_binomial_terms_are_the_textbook_ones() {
        for (n, p) in [(1u64, 0.5), (10, 0.9), (59, 0.9), (200, 0.5), (300, 0.1)] {
            let (first, pmf) = binomial_pmf(n, p);
            for (idx, q) in pmf.iter().enumerate() {
                let i = first + idx as u64;
                let d = pmf_direct(n, p, i);
                assert!(
                    (q - d).abs() <= 1e-12 + 1e-9 * d,
                    "n {n} p {p} i {i}: {q} vs {d}"
                );
            }
            let sum: f64 = pmf.iter().sum();
            assert!((sum - 1.0).abs() < 1e-12);
        }
    }

    /// The ranks are the tightest symmetric ones: moving either inward breaks its tail bound.
    #[test]
    fn ranks_meet_their_tail_bounds_and_no_tighter_ones_would() {
        for (n, p) in [
            (100u64, 0.5),
            (100, 0.9),
            (1000, 0.9),
            (1000, 0.5),
            (100_000, 0.9),
        ] {
            let (j, k) = quantile_interval_ranks(n, p, 0.95).unwrap();
            let below = |r: u64| coverage(n, p, 0, r); // P(B < r)
            assert!(
                below(j) <= 0.025 && below(j + 1) > 0.025,
                "n {n} p {p} j {j}"
            );
            let above = |r: u64| 1.0 - below(r); // P(B ≥ r)
            assert!(
                above(k) <= 0.025 && above(k - 1) > 0.025,
                "n {n} p {p} k {k}"
            );
            assert!(coverage(n, p, j, k) >= 0.95);
        }
        // A known table value: for n = 100 and the median, x(40) to x(61) (Hahn & Meeker).
        assert_eq!(quantile_interval_ranks(100, 0.5, 0.95), Some((40, 61)));
        // Too few values for a P90 at 95 % below 36 (then x(29) to x(36)); a median needs 6.
        assert_eq!(quantile_interval_ranks(35, 0.9, 0.95), None);
        assert_eq!(quantile_interval_ranks(36, 0.9, 0.95), Some((29, 36)));
        assert_eq!(quantile_interval_ranks(5, 0.5, 0.95), None);
        assert_eq!(quantile_interval_ranks(6, 0.5, 0.95), Some((1, 6)));
        assert!(quantile_interval_ranks(2000, 0.9, 0.95).is_some());
        // Ten million replications: still found, and narrow.
        let (j, k) = quantile_interval_ranks(10_000_000, 0.9, 0.95).unwrap();
        assert!(j < 9_000_000 && k > 9_000_000 && k - j < 4000, "{j} {k}");
    }

    /// Coverage on synthetic samples with a known P90 (exponential, mean 1: ln 10): the share of
    /// 4,000 samples of 200 whose interval covers it is the exact binomial coverage within 4
    /// Monte Carlo standard errors.
    #[test]
    fn intervals_cover_a_known_quantile_at_their_exact_rate() {
        use crate::model::random::{Purpose, open_unit, replication_key, stream};
        let (n, p) = (200u64, 0.9);
        let truth = 10f64.ln();
        let (j, k) = quantile_interval_ranks(n, p, 0.95).unwrap();
        let nominal = coverage(n, p, j, k);
        assert!(nominal >= 0.95);
        let samples = 4000;
        let mut covered = 0;
        for s in 0..samples {
            let mut r = stream(replication_key(5, s), Purpose::Effort, 0);
            let mut x: Vec<f64> = (0..n).map(|_| -open_unit(&mut r).ln()).collect();
            x.sort_by(f64::total_cmp);
            let [lo, hi] = quantile_interval_sorted(&x, p, 0.95).unwrap();
            if lo.unwrap() <= truth && truth <= hi.unwrap() {
                covered += 1;
            }
        }
        let share = covered as f64 / samples as f64;
        let mcse = (nominal * (1.0 - nominal) / samples as f64).sqrt();
        assert!(
            (share - nominal).abs() <= 4.0 * mcse,
            "covered {share} against {nominal} (mcse {mcse})"
        );
    }

    /// Censored values (infinite, sorted last) make the bound that falls on them unknown.
    #[test]
    fn a_bound_among_censored_values_is_unknown() {
        let mut x: Vec<f64> = (0..100).map(f64::from).collect();
        let [lo, hi] = quantile_interval_sorted(&x, 0.5, 0.95).unwrap();
        assert_eq!((lo, hi), (Some(39.0), Some(60.0)));
        for v in x.iter_mut().skip(55) {
            *v = f64::INFINITY;
        }
        let [lo, hi] = quantile_interval_sorted(&x, 0.5, 0.95).unwrap();
        assert_eq!((lo, hi), (Some(39.0), None));
        assert_eq!(quantile_interval_sorted(&x[..5], 0.5, 0.95), None);
    }
}
