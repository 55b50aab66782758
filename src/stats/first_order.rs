//! The first-order (main-effect) index of one input X on an output Y, Var(E[Y | X]) / Var(Y),
//! from the draws of an ordinary run: no extra replications. It is the *correlation ratio* η²
//! over B equal-count bins of X (sorted by X, ties by replication):
//!
//! η̂² = (SSB − (B − 1)·MSW) / SST,  MSW = SSW / (n − B),
//!
//! with SST = Σ (y − ȳ)², SSB = Σ_b n_b (ȳ_b − ȳ)² and SSW = SST − SSB. Why bias-corrected: a bin
//! mean carries the noise of the bin's members, so the raw SSB / SST of an input with no effect
//! is about (B − 1) / n, not 0; subtracting (B − 1)·MSW takes that off (the estimate of a null
//! input is then 0 on average, and may fall below it). Why B ≈ √n bins: narrow bins lose less of
//! E[Y | X] inside a bin, many bins add noise; √n balances the two (Saltelli et al. 2008, §5.2;
//! E. Plischke (2010), "An effective algorithm for computing global sensitivity indices (EASI)",
//! *Reliability Engineering & System Safety* 95, 354-360).
//!
//! Its Monte Carlo standard error is a delete-one-block jackknife over the 20 contiguous blocks of
//! replications that [`super::split`] uses, the bins drawn again on what is left each time. It
//! does not include the *binning bias*: E[Y | X] varies inside a bin, and that part of its
//! variance is lost, so a strong, steep effect reads a little low (an output that depends on one
//! input alone, index 1, reads about 0.996 at 1,000 replications and 32 bins), by more than its
//! standard error when the effect is that strong.

use super::split::{JACKKNIFE_BLOCKS, Share, block_of};

/// The estimate and its leave-one-block-out values (for the standard error of a sum of indices
/// over inputs, whose blocks must be left out together).
#[derive(Debug, Clone, PartialEq)]
pub struct FirstOrder {
    pub index: f64,
    /// The estimate without block k of [`JACKKNIFE_BLOCKS`] contiguous blocks (`None`: that
    /// block left no spread, or too few replications).
    pub leave_out: Vec<Option<f64>>,
}

impl FirstOrder {
    /// The estimate with its jackknife standard error.
    pub fn share(&self) -> Share {
        Share {
            mean: self.index,
            mcse: jackknife_se(&self.leave_out),
        }
    }
}

/// The delete-one-block jackknife standard error from leave-one-out estimates: √((G−1)/G ·
/// Σ (θ₋ₖ − θ̄)²). `None` unless every block gave one and there are at least two.
pub fn jackknife_se(leave_out: &[Option<f64>]) -> Option<f64> {
    let g = leave_out.len();
    if g < 2 || leave_out.iter().any(Option::is_none) {
        return None;
    }
    let v: Vec<f64> = leave_out.iter().flatten().copied().collect();
    let mean = v.iter().sum::<f64>() / g as f64;
    let ss: f64 = v.iter().map(|x| (x - mean) * (x - mean)).sum();
    Some((ss * (g as f64 - 1.0) / g as f64).sqrt())
}

/// Bins for `n` replications: √n rounded, at least 2.
pub fn bins_for(n: usize) -> usize {
    ((n as f64).sqrt().round() as usize).max(2)
}

/// The first-order index of input `x` on output `y` (both in replication order). `None` when Y
/// does not vary or there are fewer than 8 replications (too few for two bins with spread
/// inside them).
pub fn first_order_index(x: &[f64], y: &[f64]) -> Option<FirstOrder> {
    assert_eq!(x.len(), y.len(), "one input value per output value");
    let n = y.len();
    if n < 8 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| x[i].total_cmp(&x[j]).then(i.cmp(&j)));
    let sorted: Vec<f64> = order.iter().map(|&i| y[i]).collect();
    let index = eta2(&sorted)?;
    let blocks = JACKKNIFE_BLOCKS.min(n);
    let leave_out = (0..blocks)
        .map(|k| {
            // The blocks of the split ([`block_of`]), so that a sum of indices and the share can
            // leave the same replications out together.
            let kept: Vec<f64> = order
                .iter()
                .filter(|&&i| block_of(i, n, blocks) != k)
                .map(|&i| y[i])
                .collect();
            eta2(&kept)
        })
        .collect();
    Some(FirstOrder { index, leave_out })
}

/// The bias-corrected correlation ratio of outputs `y` already sorted by their input, over
/// [`bins_for`] equal-count bins: bin b holds positions [b m / B, (b+1) m / B).
fn eta2(y: &[f64]) -> Option<f64> {
    let m = y.len();
    let b = bins_for(m);
    if m < 4 || m <= b {
        return None;
    }
    let mean = y.iter().sum::<f64>() / m as f64;
    let sst: f64 = y.iter().map(|v| (v - mean) * (v - mean)).sum();
    let scale: f64 = y.iter().map(|v| v * v).sum::<f64>() / m as f64;
    if !(sst / m as f64 > 1e-12 * scale.max(f64::MIN_POSITIVE)) {
        return None; // no spread at all (to rounding)
    }
    let (mut ssb, mut ssw) = (0.0, 0.0);
    for k in 0..b {
        let bin = &y[k * m / b..(k + 1) * m / b];
        let nb = bin.len() as f64;
        let mb = bin.iter().sum::<f64>() / nb;
        ssb += nb * (mb - mean) * (mb - mean);
        ssw += bin.iter().map(|v| (v - mb) * (v - mb)).sum::<f64>();
    }
    let msw = ssw / (m - b) as f64;
    Some((ssb - (b as f64 - 1.0) * msw) / sst)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::random::{Purpose, open_unit, replication_key, stream};

    fn uniforms(seed: u64, n: usize) -> Vec<f64> {
        let mut r = stream(replication_key(seed, 0), Purpose::Effort, 1);
        (0..n).map(|_| open_unit(&mut r)).collect()
    }

    /// Y = a·U₁ + b·U₂ with independent uniforms: S₁ = a² / (a² + b²). Over 20,000 draws the
    /// estimate is within 4 jackknife standard errors of it; an input Y ignores scores 0 within
    /// 4 of its standard errors; and the two indices add up to 1 within their errors (Y is
    /// additive).
    #[test]
    fn the_correlation_ratio_recovers_known_indices() {
        let n = 20_000;
        let (u1, u2, u3) = (uniforms(1, n), uniforms(2, n), uniforms(3, n));
        let (a, b) = (2.0, 1.0);
        let y: Vec<f64> = (0..n).map(|i| a * u1[i] + b * u2[i]).collect();
        let s1 = first_order_index(&u1, &y).unwrap().share();
        let s2 = first_order_index(&u2, &y).unwrap().share();
        let s3 = first_order_index(&u3, &y).unwrap().share();
        let (e1, e2) = (s1.mcse.unwrap(), s2.mcse.unwrap());
        assert!((s1.mean - 0.8).abs() < 4.0 * e1, "{s1:?}");
        assert!((s2.mean - 0.2).abs() < 4.0 * e2, "{s2:?}");
        assert!(s3.mean.abs() < 4.0 * s3.mcse.unwrap(), "{s3:?}");
        // The error is the size the theory of a mean of n/B bins suggests: of order 1/√n, not 0.
        assert!(e1 > 1e-4 && e1 < 0.02, "{e1}");
    }

    /// A non-linear, non-monotone effect: Y = sin(2πU) + noise of variance σ²: S = ½ / (½ + σ²).
    #[test]
    fn a_non_monotone_effect_is_found() {
        let n = 10_000;
        let (u, v) = (uniforms(4, n), uniforms(5, n));
        // Noise uniform on [-1, 1]: variance 1/3.
        let y: Vec<f64> = (0..n)
            .map(|i| (2.0 * std::f64::consts::PI * u[i]).sin() + (2.0 * v[i] - 1.0))
            .collect();
        let truth = 0.5 / (0.5 + 1.0 / 3.0);
        let s = first_order_index(&u, &y).unwrap().share();
        assert!(
            (s.mean - truth).abs() < 4.0 * s.mcse.unwrap(),
            "{s:?} vs {truth}"
        );
    }

    #[test]
    fn no_spread_and_too_few_give_none() {
        assert!(first_order_index(&[1.0; 50], &[3.0; 50]).is_none());
        assert!(first_order_index(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]).is_none());
        assert_eq!(bins_for(1000), 32);
        assert_eq!(bins_for(1), 2);
        assert_eq!(jackknife_se(&[Some(1.0), None]), None);
        assert_eq!(jackknife_se(&[Some(1.0), Some(1.0)]), Some(0.0));
    }

    /// Ties in X (values drawn from a discrete law) are split by replication, which is
    /// independent of Y given X: the estimate is that of X's own partition. With X = ⌊10U⌋ and
    /// Y = U², Var(E[Y | X]) / Var(Y) is known exactly (bin means ((j+1)³ − j³)/300, Var Y =
    /// 4/45): the estimate lies within 4 standard errors of it.
    #[test]
    fn ties_are_broken_by_replication() {
        let n = 20_000;
        let u = uniforms(6, n);
        let x: Vec<f64> = u.iter().map(|v| (v * 10.0).floor()).collect();
        let y: Vec<f64> = u.iter().map(|v| v * v).collect();
        let means: Vec<f64> = (0..10)
            .map(|j| (((j + 1) as f64).powi(3) - (j as f64).powi(3)) / 300.0)
            .collect();
        let between = means.iter().map(|m| m * m).sum::<f64>() / 10.0 - 1.0 / 9.0;
        let truth = between / (4.0 / 45.0);
        let s = first_order_index(&x, &y).unwrap().share();
        assert!(
            (s.mean - truth).abs() < 4.0 * s.mcse.unwrap(),
            "{s:?} vs {truth}"
        );
    }
}
