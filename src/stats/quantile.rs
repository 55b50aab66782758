//! Sample quantiles by Hyndman & Fan (1996) definition 7, the default of R's `quantile` and of
//! NumPy's `quantile`.
//!
//! Owns the quantile probabilities reported everywhere ([`QUANTILE_PROBS`], [`QUANTILE_NAMES`]) and
//! the type-7 interpolation. No I/O, no printing. The interpolation step is shared (`lerp`) with
//! [`CountHist::quantile_type7`](super::CountHist::quantile_type7) so that every type-7 result in
//! the crate is bit-identical for the same sample.
//!
//! Reference: R. J. Hyndman and Y. Fan (1996), "Sample quantiles in statistical packages",
//! *The American Statistician* 50(4), 361-365.

/// The probabilities of the quantiles reported for every metric.
pub const QUANTILE_PROBS: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];

/// Column names of [`QUANTILE_PROBS`], in the same order.
pub const QUANTILE_NAMES: [&str; 7] = ["p5", "p10", "p25", "p50", "p75", "p90", "p95"];

/// Type-7 position for a sample of `n >= 1` values: `h = (n - 1) p` with `p` clamped to [0, 1].
///
/// Returns the 0-based index `floor(h)` and the fraction `h - floor(h)`, or `None` when `p` is NaN.
/// Since `p <= 1`, `floor(h) <= n - 1`, and the fraction is 0 when `floor(h) = n - 1`.
pub(super) fn type7_position(n: u64, p: f64) -> Option<(u64, f64)> {
    if p.is_nan() || n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor();
    Some(((lo as u64).min(n - 1), h - lo))
}

/// Type-7 interpolation `x_lo + frac (x_hi - x_lo)` between neighbouring order statistics.
///
/// Returns `x_lo` itself when `frac == 0`, so an exact order statistic is returned bit for bit
/// (no `-0.0 + 0.0` sign change, no `inf - inf`).
#[inline]
pub(super) fn lerp(x_lo: f64, x_hi: f64, frac: f64) -> f64 {
    if frac == 0.0 {
        x_lo
    } else {
        x_lo + frac * (x_hi - x_lo)
    }
}

/// Hyndman & Fan type-7 quantile of an ascending slice.
///
/// With `n = sorted.len()` and `h = (n - 1) p` (0-based):
/// `Q(p) = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])`.
/// `p` is clamped to [0, 1], so `Q(0)` is the minimum and `Q(1)` the maximum. The result has the
/// unit of the values.
///
/// Returns `None` for an empty slice or a NaN `p`. The slice must be sorted ascending (for
/// example with `f64::total_cmp`); this is not checked.
pub fn quantile_type7_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    let (i, frac) = type7_position(n as u64, p)?;
    let i = i as usize;
    let x_hi = sorted[(i + 1).min(n - 1)];
    Some(lerp(sorted[i], x_hi, frac))
}

/// [`quantile_type7_sorted`] of `sorted` followed by `extra` copies of `top`, without building
/// that sample; `top` must be at least every value of `sorted` (the whole is then ascending).
///
/// Why: across replications, a day's count of screened records is the same total for every
/// replication that has finished screening, the largest count there is; only the others need
/// computing and sorting.
pub fn quantile_type7_sorted_then(sorted: &[f64], extra: usize, top: f64, p: f64) -> Option<f64> {
    let n = sorted.len() + extra;
    let (i, frac) = type7_position(n as u64, p)?;
    let i = i as usize;
    let at = |k: usize| sorted.get(k).copied().unwrap_or(top);
    Some(lerp(at(i), at((i + 1).min(n - 1)), frac))
}

/// Hyndman & Fan type-7 quantile of an unsorted slice, in O(n) expected time.
///
/// Same definition and result (bit for bit) as [`quantile_type7_sorted`] on the slice sorted by
/// `f64::total_cmp`, but it only partially reorders `values`: `select_nth_unstable_by` places
/// the order statistic `x[floor h]`, and `x[floor h + 1]` is the minimum of the part above it.
/// The slice is left permuted.
///
/// Returns `None` for an empty slice or a NaN `p`.
pub fn quantile_type7_unsorted(values: &mut [f64], p: f64) -> Option<f64> {
    let (i, frac) = type7_position(values.len() as u64, p)?;
    let (_, nth, above) = values.select_nth_unstable_by(i as usize, f64::total_cmp);
    let x_lo = *nth;
    if frac == 0.0 {
        return Some(x_lo);
    }
    // frac > 0 implies floor h < n - 1, so `above` is non-empty.
    let x_hi = above.iter().copied().min_by(f64::total_cmp).unwrap_or(x_lo);
    Some(lerp(x_lo, x_hi, frac))
}

/// [`quantile_type7_unsorted`] for non-negative values given as their `f64::to_bits`, which for
/// non-negative floats order exactly like the values: integer comparisons are cheaper, and this
/// runs for every case type of every replication. Reorders `bits`. Values must not be negative,
/// -0.0 or NaN (add 0.0 to turn -0.0 into +0.0).
pub fn quantile_type7_nonneg_bits(bits: &mut [u64], p: f64) -> Option<f64> {
    quantile_type7_nonneg_bits_and_zeros(bits, 0, p)
}

/// [`quantile_type7_nonneg_bits`] of the sample made of `bits` and `zeros` more values of 0.0,
/// without the zeros being stored. Why: most waits are zero (63 % of them in met-2023), so a
/// replication keeps only the positive ones and a count, and selects among fewer values.
pub fn quantile_type7_nonneg_bits_and_zeros(bits: &mut [u64], zeros: u64, p: f64) -> Option<f64> {
    let (i, frac) = type7_position(bits.len() as u64 + zeros, p)?;
    // Ranks below `zeros` are the zeros; the others index into `bits` less the zeros.
    let (x_lo, above) = if i < zeros {
        (0.0, &bits[..])
    } else {
        let (_, nth, above) = bits.select_nth_unstable((i - zeros) as usize);
        (f64::from_bits(*nth), &above[..])
    };
    if frac == 0.0 {
        return Some(x_lo);
    }
    // frac > 0 implies i + 1 < n: the next order statistic is a zero or the least value above.
    let x_hi = if i + 1 < zeros {
        0.0
    } else {
        above
            .iter()
            .copied()
            .min()
            .map(f64::from_bits)
            .unwrap_or(x_lo)
    };
    Some(lerp(x_lo, x_hi, frac))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sorted sample followed by copies of a value at least as large gives the quantiles of
    /// that sample built in full, for every split between the two parts.
    #[test]
    fn sorted_then_copies_of_the_top_give_the_full_sample_quantiles() {
        let mut rng = Rng(29);
        for _ in 0..2_000 {
            let top = rng.below(50) as f64;
            let mut head: Vec<f64> = (0..rng.below(12))
                .map(|_| {
                    if rng.below(4) == 0 {
                        top // the top value may occur in the sorted part too
                    } else {
                        rng.below(top as u64 + 1) as f64 * 0.5
                    }
                })
                .collect();
            head.sort_by(f64::total_cmp);
            let extra = rng.below(12) as usize;
            let mut full = head.clone();
            full.extend(std::iter::repeat_n(top, extra));
            for p in [0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1.0, f64::NAN] {
                assert_eq!(
                    quantile_type7_sorted_then(&head, extra, top, p).map(f64::to_bits),
                    quantile_type7_sorted(&full, p).map(f64::to_bits),
                    "head {head:?} extra {extra} top {top} p {p}"
                );
            }
        }
    }

    /// Zeros given as a count give the quantiles of the sample with the zeros in it, for every
    /// split of ranks between zeros and positive values.
    #[test]
    fn zeros_counted_apart_give_the_same_quantiles() {
        let mut rng = Rng(23);
        for n in [1usize, 2, 3, 4, 9, 10, 11, 57, 400] {
            for zero_share in [0.0, 0.1, 0.5, 0.85, 0.9, 0.95, 1.0] {
                let v: Vec<f64> = (0..n)
                    .map(|_| {
                        if rng.unit() < zero_share {
                            0.0
                        } else {
                            // Some ties among the positive values too.
                            (1 + rng.below(40)) as f64 / 8.0
                        }
                    })
                    .collect();
                let positive: Vec<u64> = v
                    .iter()
                    .filter(|&&x| x > 0.0)
                    .map(|x| x.to_bits())
                    .collect();
                let zeros = (n - positive.len()) as u64;
                for p in [0.0, 0.1, 0.5, 0.9, 0.95, 1.0] {
                    let mut all = v.clone();
                    let mut pos = positive.clone();
                    assert_eq!(
                        quantile_type7_nonneg_bits_and_zeros(&mut pos, zeros, p),
                        quantile_type7_unsorted(&mut all, p),
                        "n {n} zeros {zeros} p {p}"
                    );
                }
            }
        }
        assert_eq!(quantile_type7_nonneg_bits_and_zeros(&mut [], 0, 0.9), None);
        assert_eq!(
            quantile_type7_nonneg_bits_and_zeros(&mut [], 3, 0.9),
            Some(0.0)
        );
    }

    #[test]
    fn bit_keys_give_the_same_quantiles_as_floats() {
        let mut rng = Rng(17);
        for n in [1usize, 2, 3, 10, 101, 1000] {
            let mut v: Vec<f64> = (0..n)
                .map(|i| if i % 4 == 0 { 0.0 } else { rng.unit() * 50.0 })
                .collect();
            let mut bits: Vec<u64> = v.iter().map(|x| x.to_bits()).collect();
            for p in [0.0, 0.1, 0.5, 0.9, 0.95, 1.0] {
                assert_eq!(
                    quantile_type7_nonneg_bits(&mut bits, p),
                    quantile_type7_unsorted(&mut v, p),
                    "n {n} p {p}"
                );
            }
        }
    }

    use crate::stats::test_rng::Rng;

    #[test]
    fn names_match_probs() {
        for (name, p) in QUANTILE_NAMES.iter().zip(QUANTILE_PROBS) {
            let pct: f64 = name[1..].parse().unwrap();
            assert_eq!(pct / 100.0, p, "{name}");
        }
    }

    #[test]
    fn known_values_match_r_and_numpy() {
        // R: quantile(1:10, c(0, .05, .1, .25, .5, .75, .9, .95, 1)), type 7.
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        let cases = [
            (0.0, 1.0),
            (0.05, 1.45),
            (0.10, 1.9),
            (0.25, 3.25),
            (0.50, 5.5),
            (0.75, 7.75),
            (0.90, 9.1),
            (0.95, 9.55),
            (1.0, 10.0),
        ];
        for (p, want) in cases {
            let got = quantile_type7_sorted(&x, p).unwrap();
            assert!((got - want).abs() < 1e-12, "p={p}: {got} vs {want}");
        }
        // Uneven gaps: R quantile(c(1, 2, 4, 8, 16), 0.3) = 2 + 0.2 * 2 = 2.4.
        let y = [1.0, 2.0, 4.0, 8.0, 16.0];
        assert!((quantile_type7_sorted(&y, 0.3).unwrap() - 2.4).abs() < 1e-12);
    }

    #[test]
    fn edge_cases() {
        assert_eq!(quantile_type7_sorted(&[], 0.5), None);
        assert_eq!(quantile_type7_unsorted(&mut [], 0.5), None);
        assert_eq!(quantile_type7_sorted(&[1.0, 2.0], f64::NAN), None);
        assert_eq!(quantile_type7_unsorted(&mut [1.0, 2.0], f64::NAN), None);
        // One value: every quantile is that value.
        for p in [0.0, 0.3, 1.0] {
            assert_eq!(quantile_type7_sorted(&[7.5], p), Some(7.5));
            assert_eq!(quantile_type7_unsorted(&mut [7.5], p), Some(7.5));
        }
        // p is clamped.
        let x = [1.0, 2.0, 3.0];
        assert_eq!(quantile_type7_sorted(&x, -1.0), Some(1.0));
        assert_eq!(quantile_type7_sorted(&x, 2.0), Some(3.0));
        assert_eq!(
            quantile_type7_unsorted(&mut [3.0, 1.0, 2.0], -1.0),
            Some(1.0)
        );
        assert_eq!(
            quantile_type7_unsorted(&mut [3.0, 1.0, 2.0], 2.0),
            Some(3.0)
        );
        // An exact order statistic comes back bit for bit, infinities included.
        let z = [-0.0, f64::INFINITY];
        assert_eq!(
            quantile_type7_sorted(&z, 0.0).unwrap().to_bits(),
            (-0.0f64).to_bits()
        );
        assert_eq!(quantile_type7_sorted(&z, 1.0), Some(f64::INFINITY));
    }

    #[test]
    fn unsorted_equals_sorted_bitwise() {
        let mut rng = Rng(12345);
        for _ in 0..2000 {
            let n = 1 + rng.below(40) as usize;
            // Few distinct values so that ties are common.
            let distinct = 1 + rng.below(10);
            let v: Vec<f64> = (0..n)
                .map(|_| rng.below(distinct) as f64 * 0.37 - 1.0)
                .collect();
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            let mut ps = QUANTILE_PROBS.to_vec();
            ps.extend([0.0, 1.0, rng.unit(), rng.unit()]);
            for p in ps {
                let want = quantile_type7_sorted(&sorted, p).unwrap();
                let got = quantile_type7_unsorted(&mut v.clone(), p).unwrap();
                assert_eq!(got.to_bits(), want.to_bits(), "n={n} p={p} v={v:?}");
                // And the result lies between the neighbouring order statistics.
                assert!(want >= sorted[0] && want <= sorted[n - 1]);
            }
        }
    }
}
