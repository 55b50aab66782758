//! Closed-form queueing results used to verify the simulation engine against theory.
//!
//! Owns the Erlang B recursion and the M/M/c (Erlang C) steady-state measures. No I/O, no printing,
//! no dependence on the engine. Rates are per unit time in any one unit (for example per hour);
//! the times returned are in the reciprocal of that unit (hours).
//!
//! References: L. Kleinrock (1975), *Queueing Systems, Vol. 1*, section 3.5 (M/M/m) and 3.6
//! (Erlang's loss formula); D. Gross, J. F. Shortle, J. M. Thompson and C. M. Harris (2008),
//! *Fundamentals of Queueing Theory*, 4th ed., section 2.3.

/// Erlang's loss formula `B(c, a)`: the blocking probability of an M/M/c/c system offered `a`
/// erlangs (`a = lambda / mu`, dimensionless).
///
/// Computed by the numerically stable recursion `B(0) = 1`,
/// `B(k) = a B(k - 1) / (k + a B(k - 1))` for `k = 1..=c`, which equals
/// `(a^c / c!) / sum_{k=0}^{c} a^k / k!` without overflow. `a` should be positive; `a = 0` gives 0
/// for `c >= 1`.
pub fn erlang_b(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        let ab = a * b;
        b = ab / (f64::from(k) + ab);
    }
    b
}

/// Steady-state measures of the M/M/c queue (Poisson arrivals, exponential service, `c` servers,
/// first come first served, unlimited waiting room).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MmcTheory {
    /// Erlang C: probability an arrival has to wait, `C = c B / (c - a (1 - B))` with
    /// `B = erlang_b(c, a)` \[probability\].
    pub p_wait: f64,
    /// Mean wait in queue `Wq = C / (c mu - lambda)` [time unit].
    pub mean_wait: f64,
    /// Mean time in system `W = Wq + 1 / mu` [time unit].
    pub mean_time_in_system: f64,
    /// Mean number waiting `Lq = lambda Wq` (Little's law) \[customers\].
    pub mean_queue_length: f64,
    /// Server utilisation `rho = a / c` \[fraction\].
    pub utilisation: f64,
}

/// M/M/c theory for arrival rate `lambda` and service rate `mu` per server (same time unit), `c`
/// servers. With offered load `a = lambda / mu`: `B = erlang_b(c, a)`,
/// `C = c B / (c - a (1 - B))`, `Wq = C / (c mu - lambda)`, `W = Wq + 1/mu`, `Lq = lambda Wq`,
/// `rho = a / c`.
///
/// Returns `None` unless `lambda > 0`, `mu > 0` (both finite), `c >= 1` and the queue is stable,
/// `lambda < c mu`.
pub fn mmc(lambda: f64, mu: f64, c: u32) -> Option<MmcTheory> {
    let stable = lambda > 0.0
        && mu > 0.0
        && lambda.is_finite()
        && mu.is_finite()
        && c >= 1
        && lambda < f64::from(c) * mu;
    if !stable {
        return None;
    }
    let cf = f64::from(c);
    let a = lambda / mu;
    let b = erlang_b(c, a);
    let p_wait = cf * b / (cf - a * (1.0 - b));
    let mean_wait = p_wait / (cf * mu - lambda);
    Some(MmcTheory {
        p_wait,
        mean_wait,
        mean_time_in_system: mean_wait + 1.0 / mu,
        mean_queue_length: lambda * mean_wait,
        utilisation: a / cf,
    })
}

/// M/M/c tail of the waiting time in queue: `P(Wq > t) = C exp(-(c mu - lambda) t)` for `t >= 0`
/// \[probability\], with `C` the Erlang C probability of waiting (see [`mmc`]). For `t < 0` it is 1.
///
/// Returns `None` when [`mmc`] does or when `t` is NaN.
pub fn mmc_wait_exceeds(lambda: f64, mu: f64, c: u32, t: f64) -> Option<f64> {
    if t.is_nan() {
        return None;
    }
    let th = mmc(lambda, mu, c)?;
    if t < 0.0 {
        return Some(1.0);
    }
    Some(th.p_wait * (-(f64::from(c) * mu - lambda) * t).exp())
}

/// M/M/c quantile of the waiting time in queue [time unit]: the smallest `t` with
/// `P(Wq <= t) >= p`, inverting [`mmc_wait_exceeds`]. The distribution has an atom of
/// `1 - C` at 0, so
///
/// `t_p = 0` if `p <= 1 - C`, else `t_p = ln(C / (1 - p)) / (c mu - lambda)`.
///
/// Returns `None` when [`mmc`] does or when `p` is not in `[0, 1)`.
pub fn mmc_wait_quantile(lambda: f64, mu: f64, c: u32, p: f64) -> Option<f64> {
    if !(0.0..1.0).contains(&p) {
        return None;
    }
    let th = mmc(lambda, mu, c)?;
    if p <= 1.0 - th.p_wait {
        return Some(0.0);
    }
    // `max` guards against a rounding-negative logarithm just above the atom.
    Some(((th.p_wait / (1.0 - p)).ln() / (f64::from(c) * mu - lambda)).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    #[test]
    fn erlang_b_known_values() {
        assert_eq!(erlang_b(0, 3.0), 1.0);
        assert!(close(erlang_b(1, 2.0), 2.0 / 3.0, 1e-15));
        assert!(close(erlang_b(2, 1.0), 0.2, 1e-15));
        assert!(close(erlang_b(3, 2.0), 4.0 / 19.0, 1e-15));
        assert_eq!(erlang_b(5, 0.0), 0.0);
    }

    #[test]
    fn erlang_b_matches_the_explicit_formula() {
        for c in 1..=30u32 {
            for a in [0.1, 0.9, 2.5, 7.0, 20.0] {
                let mut term = 1.0; // a^k / k!
                let mut sum = 1.0;
                for k in 1..=c {
                    term *= a / f64::from(k);
                    sum += term;
                }
                let want = term / sum;
                assert!(close(erlang_b(c, a), want, 1e-12), "c={c} a={a}");
            }
        }
    }

    #[test]
    fn mmc_textbook_example() {
        // lambda = 20/h, mu = 10/h, c = 3: a = 2, B = 4/19, C = 4/9, Wq = (4/9)/10 = 2/45 h.
        let t = mmc(20.0, 10.0, 3).unwrap();
        assert!((t.p_wait - 4.0 / 9.0).abs() < 1e-12, "{}", t.p_wait);
        assert!((t.mean_wait - 2.0 / 45.0).abs() < 1e-12, "{}", t.mean_wait);
        assert!((t.mean_wait * 60.0 - 8.0 / 3.0).abs() < 1e-12); // 2.667 minutes
        assert!((t.mean_time_in_system - (2.0 / 45.0 + 0.1)).abs() < 1e-12);
        assert!((t.mean_queue_length - 40.0 / 45.0).abs() < 1e-12);
        assert!((t.utilisation - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn mm1_special_case() {
        for (lambda, mu) in [(1.0, 2.0), (3.0, 4.0), (0.9, 1.0), (0.01, 5.0)] {
            let rho = lambda / mu;
            let t = mmc(lambda, mu, 1).unwrap();
            assert!(close(t.p_wait, rho, 1e-12));
            assert!(close(t.mean_wait, rho / (mu - lambda), 1e-12));
            assert!(close(t.mean_time_in_system, 1.0 / (mu - lambda), 1e-12));
            assert!(close(t.mean_queue_length, rho * rho / (1.0 - rho), 1e-12));
            assert!(close(t.utilisation, rho, 1e-15));
        }
    }

    #[test]
    fn mmc_rejects_unstable_or_invalid_inputs() {
        assert!(mmc(30.0, 10.0, 3).is_none()); // lambda = c mu
        assert!(mmc(31.0, 10.0, 3).is_none());
        assert!(mmc(0.0, 10.0, 3).is_none());
        assert!(mmc(-1.0, 10.0, 3).is_none());
        assert!(mmc(1.0, 0.0, 3).is_none());
        assert!(mmc(1.0, 10.0, 0).is_none());
        assert!(mmc(f64::NAN, 10.0, 3).is_none());
        assert!(mmc(1.0, f64::INFINITY, 3).is_none());
        assert!(mmc_wait_exceeds(30.0, 10.0, 3, 0.1).is_none());
        assert!(mmc_wait_quantile(30.0, 10.0, 3, 0.5).is_none());
    }

    #[test]
    fn wait_tail_and_quantile() {
        let (l, m, c) = (20.0, 10.0, 3);
        assert!(close(
            mmc_wait_exceeds(l, m, c, 0.0).unwrap(),
            4.0 / 9.0,
            1e-12
        ));
        assert_eq!(mmc_wait_exceeds(l, m, c, -1.0), Some(1.0));
        assert_eq!(mmc_wait_exceeds(l, m, c, f64::NAN), None);
        // c mu - lambda = 10/h, so after 0.1 h the tail has fallen by e.
        let want = 4.0 / 9.0 * (-1.0f64).exp();
        assert!(close(mmc_wait_exceeds(l, m, c, 0.1).unwrap(), want, 1e-12));
        // Quantiles: atom 1 - C = 5/9 at zero.
        assert_eq!(mmc_wait_quantile(l, m, c, 0.5), Some(0.0));
        // The f64 nearest 5/9 lies a hair above the atom, so its quantile is a hair above 0.
        let at_atom = mmc_wait_quantile(l, m, c, 5.0 / 9.0).unwrap();
        assert!((0.0..1e-15).contains(&at_atom), "{at_atom}");
        assert_eq!(mmc_wait_quantile(l, m, c, 0.0), Some(0.0));
        assert_eq!(mmc_wait_quantile(l, m, c, 1.0), None);
        assert_eq!(mmc_wait_quantile(l, m, c, -0.1), None);
        for p in [0.6, 0.75, 0.9, 0.95, 0.999] {
            let t = mmc_wait_quantile(l, m, c, p).unwrap();
            // p90: ln((4/9)/0.1)/10 h.
            assert!(t > 0.0);
            assert!(
                close(mmc_wait_exceeds(l, m, c, t).unwrap(), 1.0 - p, 1e-12),
                "p={p}"
            );
        }
        let p90 = mmc_wait_quantile(l, m, c, 0.9).unwrap();
        assert!(close(p90, (40.0f64 / 9.0).ln() / 10.0, 1e-12));
    }
}
