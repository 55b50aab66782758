//! How much of an output's spread comes from what is assumed (the epistemic inputs θ) rather
//! than from chance, estimated from *twin* replications: replication r and its twin share θ_r and
//! draw their chance independently, so Cov(Y, Y′) = Var(E[Y | θ]) and the share is the
//! first-order (closed) index of θ, Var(E[Y | θ]) / Var(Y), by the law of total variance.
//! Interactions of θ with chance count as chance.
//!
//! The estimator is Janon's symmetric form, which uses both members of each pair for the mean and
//! the variance:
//!
//! S = [ (1/n) Σ yᵢ y′ᵢ − m² ] / [ (1/n) Σ (yᵢ² + y′ᵢ²)/2 − m² ],  m = (1/n) Σ (yᵢ + y′ᵢ)/2,
//!
//! computed on values centred at the mean of y (S does not change with a common shift, and the
//! sums do not lose digits). Its Monte Carlo standard error is a delete-one-block jackknife over
//! 20 contiguous blocks of replications. Not the difference against a run with θ fixed: that
//! estimator is biased (it mixes in E Var(Y | θ) − Var(Y | θ₀)).
//!
//! References: A. Janon, T. Klein, A. Lagnoux, M. Nodet and C. Prieur (2014), "Asymptotic
//! normality and efficiency of two Sobol index estimators", *ESAIM: Probability and Statistics*
//! 18, 342-364; A. Saltelli et al. (2008), *Global Sensitivity Analysis: The Primer*, Wiley.

/// An estimated share with its jackknife standard error (`None` when a block left out leaves no
/// spread).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share {
    pub mean: f64,
    pub mcse: Option<f64>,
}

/// Blocks of the jackknife.
pub const JACKKNIFE_BLOCKS: usize = 20;

/// The sums Janon's estimator needs, over some pairs (centred values).
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    n: f64,
    cross: f64,
    squares: f64,
    total: f64,
}

impl Sums {
    fn add(&mut self, a: f64, b: f64) {
        self.n += 1.0;
        self.cross += a * b;
        self.squares += (a * a + b * b) / 2.0;
        self.total += (a + b) / 2.0;
    }
    fn minus(self, o: Sums) -> Sums {
        Sums {
            n: self.n - o.n,
            cross: self.cross - o.cross,
            squares: self.squares - o.squares,
            total: self.total - o.total,
        }
    }
    fn share(&self) -> Option<f64> {
        if self.n < 2.0 {
            return None;
        }
        let m = self.total / self.n;
        let var = self.squares / self.n - m * m;
        if !(var > 1e-12 * (self.squares / self.n).max(f64::MIN_POSITIVE)) {
            return None; // no spread at all (to rounding)
        }
        Some((self.cross / self.n - m * m) / var)
    }
}

/// The block of replication `i` of `n` among `blocks` contiguous blocks of (nearly) equal size:
/// block k holds the replications with ⌊i·blocks/n⌋ = k. One definition for every jackknife of
/// the crate, so that estimates from the same run leave the same replications out together.
pub fn block_of(i: usize, n: usize, blocks: usize) -> usize {
    i * blocks / n
}

/// The share of Var(Y) that comes from the epistemic inputs, from the outputs `y` of
/// replications and `twin` of their twins (in replication order), with its jackknife standard
/// error. `None` when the output does not vary (Var(Y) = 0) or there are fewer than two pairs.
pub fn assumptions_share(y: &[f64], twin: &[f64]) -> Option<Share> {
    janon(y, twin).map(|f| f.share())
}

/// Janon's estimate of Cov(Y, Y′)/Var(Y) from pairs that share some inputs (twins share every
/// assumption; a pick-freeze pair shares one), with the estimate left out of each block of the
/// jackknife (`None` for a block that leaves no spread).
pub fn janon(y: &[f64], twin: &[f64]) -> Option<super::FirstOrder> {
    assert_eq!(y.len(), twin.len(), "one twin per replication");
    let n = y.len();
    if n < 2 {
        return None;
    }
    // Centred at the mean of y, summed in replication order.
    let c = y.iter().sum::<f64>() / n as f64;
    let blocks = JACKKNIFE_BLOCKS.min(n);
    let mut per_block = vec![Sums::default(); blocks];
    let mut all = Sums::default();
    for (i, (&a, &b)) in y.iter().zip(twin).enumerate() {
        per_block[block_of(i, n, blocks)].add(a - c, b - c);
        all.add(a - c, b - c);
    }
    let index = all.share()?;
    let leave_out = if blocks >= 2 {
        per_block.iter().map(|b| all.minus(*b).share()).collect()
    } else {
        Vec::new()
    };
    Some(super::FirstOrder { index, leave_out })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::random::{Purpose, open_unit, replication_key, stream};

    /// Standard normal draws by Box–Muller from a keyed stream.
    fn normals(seed: u64, n: usize) -> Vec<f64> {
        let mut r = stream(replication_key(seed, 0), Purpose::Effort, 0);
        (0..n)
            .map(|_| {
                let (u, v) = (open_unit(&mut r), open_unit(&mut r));
                (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
            })
            .collect()
    }

    /// Y = θ + ε with Var θ = 4 and Var ε = 1: the share is 0.8. Over 20,000 pairs the estimate
    /// is within 4 jackknife standard errors of it, and the error is the size theory expects.
    #[test]
    fn the_share_of_an_additive_model_is_its_variance_ratio() {
        let n = 20_000;
        let theta: Vec<f64> = normals(1, n).iter().map(|x| 2.0 * x + 300.0).collect();
        let e1 = normals(2, n);
        let e2 = normals(3, n);
        let y: Vec<f64> = theta.iter().zip(&e1).map(|(t, e)| t + e).collect();
        let y2: Vec<f64> = theta.iter().zip(&e2).map(|(t, e)| t + e).collect();
        let s = assumptions_share(&y, &y2).unwrap();
        let mcse = s.mcse.unwrap();
        assert!((s.mean - 0.8).abs() <= 4.0 * mcse, "{s:?}");
        // Roughly (1 − S²)/√n for this model: a sanity bound on the jackknife.
        assert!(mcse > 0.001 && mcse < 0.01, "{mcse}");
    }

    /// Pure chance (twins independent): near 0; pure assumption (twins equal): exactly 1; no
    /// spread: none.
    #[test]
    fn the_share_is_0_for_chance_1_for_assumptions_and_none_without_spread() {
        let n = 5000;
        let a = normals(4, n);
        let b = normals(5, n);
        let s = assumptions_share(&a, &b).unwrap();
        assert!(s.mean.abs() <= 4.0 * s.mcse.unwrap(), "{s:?}");
        let s = assumptions_share(&a, &a).unwrap();
        assert!((s.mean - 1.0).abs() < 1e-12, "{s:?}");
        assert!(assumptions_share(&[7.0; 100], &[7.0; 100]).is_none());
        assert!(assumptions_share(&[1.0], &[2.0]).is_none());
    }
}
