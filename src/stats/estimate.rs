//! Point estimates over replications with their Monte Carlo standard errors (MCSE).
//!
//! Owns the per-replication mean ([`mean_and_mcse`]) and the pooled per-case ratio estimator
//! ([`ratio_estimate`]). No I/O, no printing. Every sum runs sequentially in slice order, so the
//! result depends only on the values and their (replication) order, never on the thread count.

use serde::Serialize;

/// A Monte Carlo estimate: the mean over replications and its standard error.
///
/// `mean` and `mcse` carry the unit of the metric estimated; `n` is the number of replications.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The point estimate [unit of the metric].
    pub mean: f64,
    /// Monte Carlo standard error of `mean` [unit of the metric]; 0 when `n == 1`.
    pub mcse: f64,
    /// Number of replications the estimate uses.
    pub n: u64,
}

/// Sample mean of one value per replication with its Monte Carlo standard error.
///
/// `mean = (1/n) sum x_i`, summed in slice order;
/// `sd = sqrt( sum (x_i - mean)^2 / (n - 1) )`, by a second pass over the deviations (more accurate
/// than the one-pass `sum x^2 - n mean^2`);
/// `mcse = sd / sqrt(n)`, and 0 when `n == 1`.
///
/// Returns `None` for an empty slice. NaN or infinite values propagate into the result.
pub fn mean_and_mcse(values: &[f64]) -> Option<Estimate> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let mcse = if values.len() == 1 {
        0.0
    } else {
        let ss: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
        (ss / (n - 1.0)).sqrt() / n.sqrt()
    };
    Some(Estimate {
        mean,
        mcse,
        n: values.len() as u64,
    })
}

/// Ratio estimator of a pooled per-case mean from per-replication sums, with its delta-method
/// standard error.
///
/// For replication `i`, `nums[i]` is a total (for example the waiting days of all its closed cases)
/// and `dens[i]` the matching count (its number of closed cases). The pooled mean is
///
/// `R = sum nums / sum dens`,
///
/// and, by the delta method (first-order Taylor expansion of `R` about the means of the numerator
/// and the denominator; e.g. Cochran (1977), *Sampling Techniques*, 3rd ed., section 6.3, or
/// Asmussen & Glynn (2007), *Stochastic Simulation*, section III.3), its variance is estimated by
///
/// `se^2 = 1 / (n (n - 1) dbar^2) * sum (num_i - R den_i)^2`, with `dbar = (1/n) sum den_i`.
///
/// `mean = R` has the unit of `num / den` (for example working days per case); `mcse = se` (0 when
/// `n == 1`); `n` is the number of replications, `nums.len()`.
///
/// Returns `None` when the slices are empty, have different lengths, or `sum dens == 0`.
pub fn ratio_estimate(nums: &[f64], dens: &[f64]) -> Option<Estimate> {
    if nums.is_empty() || nums.len() != dens.len() {
        return None;
    }
    let sum_den: f64 = dens.iter().sum();
    if sum_den == 0.0 {
        return None;
    }
    let n = nums.len() as f64;
    let r = nums.iter().sum::<f64>() / sum_den;
    let mcse = if nums.len() == 1 {
        0.0
    } else {
        let dbar = sum_den / n;
        let ss: f64 = nums
            .iter()
            .zip(dens)
            .map(|(x, d)| {
                let e = x - r * d;
                e * e
            })
            .sum();
        (ss / (n * (n - 1.0) * dbar * dbar)).sqrt()
    };
    Some(Estimate {
        mean: r,
        mcse,
        n: nums.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    #[test]
    fn mean_and_mcse_known_values() {
        assert_eq!(mean_and_mcse(&[]), None);
        assert_eq!(
            mean_and_mcse(&[4.0]),
            Some(Estimate {
                mean: 4.0,
                mcse: 0.0,
                n: 1
            })
        );
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squared deviations 32, sd = sqrt(32/7).
        let e = mean_and_mcse(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(e.n, 8);
        assert_eq!(e.mean, 5.0);
        assert!(close(e.mcse, (32.0f64 / 7.0).sqrt() / 8f64.sqrt(), 1e-15));
    }

    #[test]
    fn mean_and_mcse_is_accurate_with_a_large_offset() {
        // One-pass formulas lose everything here; two-pass keeps the spread of 1, 2, 3 exactly.
        let e = mean_and_mcse(&[1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0]).unwrap();
        assert_eq!(e.mean, 1e9 + 2.0);
        assert!(close(e.mcse, 1.0 / 3f64.sqrt(), 1e-12), "{}", e.mcse);
    }

    #[test]
    fn ratio_estimate_known_values() {
        // R = 15 / 6 = 2.5; residuals -0.5, -1, 1.5; squares sum to 3.5; dbar = 2;
        // se^2 = 3.5 / (3 * 2 * 4) = 3.5 / 24.
        let e = ratio_estimate(&[2.0, 4.0, 9.0], &[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(e.n, 3);
        assert_eq!(e.mean, 2.5);
        assert!(close(e.mcse, (3.5f64 / 24.0).sqrt(), 1e-15));
        // Exact proportionality: zero error.
        let e = ratio_estimate(&[2.0, 4.0, 6.0], &[1.0, 2.0, 3.0]).unwrap();
        assert_eq!((e.mean, e.mcse), (2.0, 0.0));
    }

    #[test]
    fn ratio_estimate_with_unit_denominators_is_the_plain_mean() {
        let x = [3.0, 1.5, 8.25, 4.0, 0.0, 2.5];
        let a = ratio_estimate(&x, &[1.0; 6]).unwrap();
        let b = mean_and_mcse(&x).unwrap();
        assert!(close(a.mean, b.mean, 1e-15));
        assert!(close(a.mcse, b.mcse, 1e-14));
        assert_eq!(a.n, b.n);
    }

    #[test]
    fn ratio_estimate_degenerate_inputs() {
        assert_eq!(ratio_estimate(&[], &[]), None);
        assert_eq!(ratio_estimate(&[1.0, 2.0], &[0.0, 0.0]), None);
        assert_eq!(ratio_estimate(&[1.0, 2.0], &[1.0]), None);
        // A replication with no cases still counts in n and in the error.
        let e = ratio_estimate(&[6.0, 0.0], &[3.0, 0.0]).unwrap();
        assert_eq!((e.mean, e.n), (2.0, 2));
        // residuals 0, 0 -> se 0.
        assert_eq!(e.mcse, 0.0);
        let e = ratio_estimate(&[5.0], &[2.0]).unwrap();
        assert_eq!((e.mean, e.mcse, e.n), (2.5, 0.0, 1));
    }

    #[test]
    fn estimate_serializes_its_three_fields() {
        // serde_json is a normal dependency of the crate.
        let s = serde_json::to_string(&Estimate {
            mean: 1.5,
            mcse: 0.25,
            n: 3,
        })
        .unwrap();
        assert_eq!(s, r#"{"mean":1.5,"mcse":0.25,"n":3}"#);
    }
}
