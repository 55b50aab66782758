//! Probability distributions that a scenario file can name for effort, delays and throughput.
//!
//! [`DistSpec`] is what the file says (a plain number, or a table with a `dist` tag); [`Dist`] is the
//! validated, ready-to-sample form. Construction checks every parameter once, so that sampling in the
//! simulation's hot path cannot fail (the rand_distr habit: constructors validate, `sample` cannot).
//! This module knows nothing of files or the terminal.

use rand::Rng;
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Triangular};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A distribution as written in a scenario file: either a plain number (a fixed value) or a table
/// `{ dist = "lognormal", mean = 60, sd = 40 }`. Units are those of the field that holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "dist", rename_all = "lowercase")]
pub enum DistSpec {
    /// Always `value`.
    Fixed { value: f64 },
    /// Uniform on [min, max].
    Uniform { min: f64, max: f64 },
    /// Triangular with lower limit `min`, most likely value `mode` and upper limit `max`.
    Triangular { min: f64, mode: f64, max: f64 },
    /// Exponential with the given mean.
    Exponential { mean: f64 },
    /// Gamma parameterised by its mean and standard deviation (shape = mean²/sd², scale = sd²/mean).
    Gamma { mean: f64, sd: f64 },
    /// Lognormal parameterised by the mean and standard deviation of the value itself (not of its log):
    /// σ² = ln(1 + sd²/mean²), μ = ln(mean) − σ²/2.
    Lognormal { mean: f64, sd: f64 },
    /// One of `values`, with probabilities proportional to `weights` (equal when omitted).
    Empirical {
        values: Vec<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        weights: Option<Vec<f64>>,
    },
}

/// The tagged-table form alone, so that serde's messages for unknown `dist` names and unknown
/// parameters (with the list of expected ones) reach the user unchanged.
#[derive(Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
enum TaggedSpec {
    Fixed {
        value: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    Exponential {
        mean: f64,
    },
    Gamma {
        mean: f64,
        sd: f64,
    },
    Lognormal {
        mean: f64,
        sd: f64,
    },
    Empirical {
        values: Vec<f64>,
        #[serde(default)]
        weights: Option<Vec<f64>>,
    },
}

impl From<TaggedSpec> for DistSpec {
    fn from(t: TaggedSpec) -> Self {
        match t {
            TaggedSpec::Fixed { value } => DistSpec::Fixed { value },
            TaggedSpec::Uniform { min, max } => DistSpec::Uniform { min, max },
            TaggedSpec::Triangular { min, mode, max } => DistSpec::Triangular { min, mode, max },
            TaggedSpec::Exponential { mean } => DistSpec::Exponential { mean },
            TaggedSpec::Gamma { mean, sd } => DistSpec::Gamma { mean, sd },
            TaggedSpec::Lognormal { mean, sd } => DistSpec::Lognormal { mean, sd },
            TaggedSpec::Empirical { values, weights } => DistSpec::Empirical { values, weights },
        }
    }
}

impl<'de> Deserialize<'de> for DistSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DistSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a number or a distribution table such as { dist = \"lognormal\", mean = 60, sd = 40 }",
                )
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<DistSpec, E> {
                Ok(DistSpec::Fixed { value: v })
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<DistSpec, E> {
                Ok(DistSpec::Fixed { value: v as f64 })
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<DistSpec, E> {
                Ok(DistSpec::Fixed { value: v as f64 })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<DistSpec, A::Error> {
                TaggedSpec::deserialize(de::value::MapAccessDeserializer::new(map)).map(Into::into)
            }
        }
        d.deserialize_any(V)
    }
}

/// Why a distribution's parameters were refused. The message names the parameter, its value and the
/// rule; the caller adds the field path.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct DistError(pub String);

/// A validated distribution, ready to sample. Every draw is finite and, when built through
/// [`Dist::new`] with `non_negative = true`, ≥ 0.
#[derive(Debug, Clone)]
pub struct Dist {
    kind: Kind,
    mean: f64,
}

#[derive(Debug, Clone)]
enum Kind {
    Fixed(f64),
    Uniform {
        min: f64,
        width: f64,
    },
    Triangular {
        d: Triangular<f64>,
        min: f64,
        mode: f64,
        max: f64,
    },
    Exponential {
        d: Exp<f64>,
        mean: f64,
    },
    Gamma {
        d: Gamma<f64>,
        shape: f64,
        scale: f64,
    },
    LogNormal {
        d: LogNormal<f64>,
        mu: f64,
        sigma: f64,
    },
    /// Values and their cumulative weights normalised so that the last is 1.
    Empirical {
        values: Vec<f64>,
        cumulative: Vec<f64>,
    },
}

/// The largest magnitude of any distribution parameter or value \[the field's unit\]: 10^12
/// person-hours is 100 million person-years, working days or records a day as absurd. Why a
/// limit at all: a draw must be finite (the simulation multiplies and compares them), and a
/// lognormal with mean and sd 1e308 draws infinity about one time in eight (13 %: its normal
/// draw above 1.12); below this limit, and with [`MAX_CV`], no sampler here can overflow: the
/// largest possible draw is below 10^27 (a lognormal with sd 10^12 and mean 10^10, whose normal
/// draws stay below 14 in magnitude).
pub const MAX_VALUE: f64 = 1e12;

/// The largest coefficient of variation (sd / mean) of a gamma or lognormal. At 100 the lognormal's
/// median is already 1 % of its mean and one draw in a million is over 10,000 times the mean;
/// anything wider is a typo (sd and mean swapped, a missing decimal point), and with no limit the
/// lognormal's log-scale sd and the gamma's scale overflow.
pub const MAX_CV: f64 = 100.0;

/// The smallest sd/mean of a gamma with sd > 0 (its shape at most 10^6). statrs's gamma quantile,
/// by which an assumption is drawn, takes time growing with the square root of the shape: about
/// 0.15 ms at 10^6, 18 ms at 10^10 and for ever (a `validate` still running after 300 s) at 10^16
/// (mean 1, sd 1e-8). A gamma that narrow is a fixed value (sd = 0) in all but name: its P10 and
/// P90 are within 0.13 % of its mean.
pub const MIN_GAMMA_CV: f64 = 1e-3;

/// A number in a message: as written for everyday sizes, in e-notation when very large or very
/// small (1e308 as such, not as 309 digits).
struct Num(f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let a = self.0.abs();
        if a.is_finite() && (a >= 1e15 || (a > 0.0 && a < 1e-6)) {
            write!(f, "{:e}", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

fn finite(name: &str, v: f64) -> Result<f64, DistError> {
    if !v.is_finite() {
        Err(DistError(format!("{name} = {v} is not a finite number")))
    } else if v.abs() > MAX_VALUE {
        let v = Num(v);
        Err(DistError(format!(
            "{name} = {v} is beyond the limit of {MAX_VALUE:e} (an absurd size: draws could overflow)"
        )))
    } else {
        Ok(v)
    }
}

/// Checks sd / mean of a gamma or lognormal against [`MAX_CV`] (`sd` > 0, `mean` > 0).
fn spread(mean: f64, sd: f64) -> Result<(), DistError> {
    if sd / mean > MAX_CV {
        let (sd, mean) = (Num(sd), Num(mean));
        Err(DistError(format!(
            "sd = {sd} is more than {MAX_CV} times mean = {mean} (a typo?): nearly every draw would be close to 0 and a few astronomically large"
        )))
    } else {
        Ok(())
    }
}

fn positive(name: &str, v: f64) -> Result<f64, DistError> {
    finite(name, v)?;
    if v > 0.0 {
        Ok(v)
    } else {
        let v = Num(v);
        Err(DistError(format!("{name} = {v} must be greater than 0")))
    }
}

fn non_neg(name: &str, v: f64) -> Result<f64, DistError> {
    finite(name, v)?;
    if v >= 0.0 {
        Ok(v)
    } else {
        let v = Num(v);
        Err(DistError(format!("{name} = {v} must not be negative")))
    }
}

impl Dist {
    /// Checks `spec` and builds the sampler. With `non_negative` every possible value must be ≥ 0
    /// (efforts, delays and rates cannot be negative), so a uniform with a negative `min` is refused
    /// rather than silently clipped.
    pub fn new(spec: &DistSpec, non_negative: bool) -> Result<Dist, DistError> {
        let lower = |name: &str, v: f64| -> Result<f64, DistError> {
            if non_negative {
                non_neg(name, v)
            } else {
                finite(name, v)
            }
        };
        let kind = match spec {
            DistSpec::Fixed { value } => Kind::Fixed(lower("value", *value)?),
            DistSpec::Uniform { min, max } => {
                let min = lower("min", *min)?;
                let max = finite("max", *max)?;
                if min > max {
                    let (min, max) = (Num(min), Num(max));
                    return Err(DistError(format!(
                        "min = {min} is greater than max = {max}"
                    )));
                }
                Kind::Uniform {
                    min,
                    width: max - min,
                }
            }
            DistSpec::Triangular { min, mode, max } => {
                let min = lower("min", *min)?;
                let mode = finite("mode", *mode)?;
                let max = finite("max", *max)?;
                if !(min <= mode && mode <= max) {
                    let (min, mode, max) = (Num(min), Num(mode), Num(max));
                    return Err(DistError(format!(
                        "needs min <= mode <= max, got min = {min}, mode = {mode}, max = {max}"
                    )));
                }
                if min == max {
                    Kind::Fixed(min)
                } else {
                    Kind::Triangular {
                        d: Triangular::new(min, max, mode)
                            .map_err(|e| DistError(format!("triangular: {e}")))?,
                        min,
                        mode,
                        max,
                    }
                }
            }
            DistSpec::Exponential { mean } => {
                let mean = positive("mean", *mean)?;
                Kind::Exponential {
                    d: Exp::new(1.0 / mean).map_err(|e| DistError(format!("exponential: {e}")))?,
                    mean,
                }
            }
            DistSpec::Gamma { mean, sd } => {
                let mean = positive("mean", *mean)?;
                let sd = non_neg("sd", *sd)?;
                if sd == 0.0 {
                    Kind::Fixed(mean)
                } else {
                    spread(mean, sd)?;
                    // (With a margin for rounding: sd written as mean / 1000 is at the limit.)
                    if sd / mean < MIN_GAMMA_CV * (1.0 - 1e-9) {
                        let (sd, mean) = (Num(sd), Num(mean));
                        return Err(DistError(format!(
                            "sd = {sd} is less than {MIN_GAMMA_CV} times mean = {mean}: a gamma that narrow is a fixed value in all but name (and too slow to draw as an assumption); write sd = 0 for a fixed value"
                        )));
                    }
                    let shape = (mean / sd).powi(2);
                    let scale = sd * sd / mean;
                    // With sd a tiny fraction of mean, shape overflows (rand_distr then draws
                    // infinity) or scale underflows: both only for sd below about 1e-150 mean.
                    if !(shape.is_finite() && scale > 0.0) {
                        let (sd, mean) = (Num(sd), Num(mean));
                        return Err(DistError(format!(
                            "mean = {mean} and sd = {sd} are too far apart in size for a gamma (its shape or scale would overflow or underflow): for a value that hardly varies, use sd = 0"
                        )));
                    }
                    Kind::Gamma {
                        d: Gamma::new(shape, scale)
                            .map_err(|e| DistError(format!("gamma: {e}")))?,
                        shape,
                        scale,
                    }
                }
            }
            DistSpec::Lognormal { mean, sd } => {
                let mean = positive("mean", *mean)?;
                let sd = non_neg("sd", *sd)?;
                if sd == 0.0 {
                    Kind::Fixed(mean)
                } else {
                    spread(mean, sd)?;
                    let s2 = (1.0 + (sd / mean).powi(2)).ln();
                    let mu = mean.ln() - s2 / 2.0;
                    Kind::LogNormal {
                        d: LogNormal::new(mu, s2.sqrt())
                            .map_err(|e| DistError(format!("lognormal: {e}")))?,
                        mu,
                        sigma: s2.sqrt(),
                    }
                }
            }
            DistSpec::Empirical { values, weights } => {
                if values.is_empty() {
                    return Err(DistError("values is empty".into()));
                }
                if values.len() > 1_000_000 {
                    return Err(DistError(format!(
                        "values has {} entries; at most 1,000,000 are accepted",
                        values.len()
                    )));
                }
                for (i, v) in values.iter().enumerate() {
                    lower(&format!("values[{i}]"), *v)?;
                }
                let w: Vec<f64> = match weights {
                    None => vec![1.0; values.len()],
                    Some(w) => {
                        if w.len() != values.len() {
                            return Err(DistError(format!(
                                "weights has {} entries but values has {}",
                                w.len(),
                                values.len()
                            )));
                        }
                        for (i, x) in w.iter().enumerate() {
                            // Relative weights: any finite size will do (not held to MAX_VALUE).
                            if !(x.is_finite() && *x >= 0.0) {
                                let x = Num(*x);
                                return Err(DistError(format!(
                                    "weights[{i}] = {x} must be a finite number, 0 or more"
                                )));
                            }
                        }
                        w.clone()
                    }
                };
                let total: f64 = w.iter().sum();
                if !(total > 0.0 && total.is_finite()) {
                    return Err(DistError("weights must have a positive, finite sum".into()));
                }
                // Kept in order of value (equal values in the order written), so that the
                // quantile at u is the inverse CDF: an assumption's P10, median and P90 are then
                // what they say, whatever order the values were written in.
                let mut pairs: Vec<(f64, f64)> = values.iter().copied().zip(w).collect();
                pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
                let (values, w): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
                let mut acc = 0.0;
                let mut cumulative: Vec<f64> = w
                    .iter()
                    .map(|x| {
                        acc += x;
                        acc / total
                    })
                    .collect();
                if let Some(last) = cumulative.last_mut() {
                    *last = 1.0;
                }
                Kind::Empirical { values, cumulative }
            }
        };
        let mean = match spec {
            DistSpec::Fixed { value } => *value,
            DistSpec::Uniform { min, max } => (min + max) / 2.0,
            DistSpec::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            DistSpec::Exponential { mean }
            | DistSpec::Gamma { mean, .. }
            | DistSpec::Lognormal { mean, .. } => *mean,
            DistSpec::Empirical { .. } => match &kind {
                Kind::Empirical { values, cumulative } => {
                    let mut prev = 0.0;
                    values
                        .iter()
                        .zip(cumulative)
                        .map(|(v, c)| {
                            let p = c - prev;
                            prev = *c;
                            v * p
                        })
                        .sum()
                }
                _ => f64::NAN,
            },
        };
        Ok(Dist { kind, mean })
    }

    /// A distribution that always gives `value` (no validation: for values the code derived itself).
    pub fn fixed(value: f64) -> Dist {
        Dist {
            kind: Kind::Fixed(value),
            mean: value,
        }
    }

    /// True when every draw is the same value, so the draw can be skipped.
    pub fn is_fixed(&self) -> bool {
        matches!(self.kind, Kind::Fixed(_))
    }

    /// One draw. Cannot fail; the number of random values consumed depends only on the distribution,
    /// never on the state of the simulation (common random numbers rely on this).
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.kind {
            Kind::Fixed(v) => *v,
            Kind::Uniform { min, width } => {
                let u: f64 = rand::RngExt::random(rng);
                min + width * u
            }
            Kind::Triangular { d, .. } => d.sample(rng),
            Kind::Exponential { d, .. } => d.sample(rng),
            Kind::Gamma { d, .. } => d.sample(rng),
            Kind::LogNormal { d, .. } => d.sample(rng),
            Kind::Empirical { values, cumulative } => {
                let u: f64 = rand::RngExt::random(rng);
                let i = cumulative
                    .partition_point(|c| *c <= u)
                    .min(values.len() - 1);
                values[i]
            }
        }
    }

    /// True when a draw is exactly 0 with positive probability (a fixed 0, or an empirical value
    /// 0 with weight): a pace multiplied by such a draw stands still in those replications.
    pub fn can_be_zero(&self) -> bool {
        match &self.kind {
            Kind::Fixed(v) => *v == 0.0,
            Kind::Uniform { min, width } => *min == 0.0 && *width == 0.0,
            Kind::Empirical { values, cumulative } => {
                let mut before = 0.0;
                values.iter().zip(cumulative).any(|(v, &c)| {
                    let weighted = c > before;
                    before = c;
                    *v == 0.0 && weighted
                })
            }
            _ => false,
        }
    }

    /// The distribution's mean [same unit as its values], used for plausibility checks (expected
    /// sizes) and reporting.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// The quantile at `u` in (0, 1) (the inverse CDF; for the empirical distribution the
    /// smallest value whose cumulative weight reaches `u`): how an assumption is drawn, so that
    /// its value in a replication is a pure function of one uniform number, its median is its
    /// central value and its P10 and P90 are its low and high. Monotone in `u`.
    pub fn quantile(&self, u: f64) -> f64 {
        use statrs::distribution::ContinuousCDF;
        match &self.kind {
            Kind::Fixed(v) => *v,
            Kind::Uniform { min, width } => min + width * u,
            Kind::Triangular { min, mode, max, .. } => {
                let (a, c, b) = (*min, *mode, *max);
                let split = (c - a) / (b - a);
                if u < split {
                    a + (u * (b - a) * (c - a)).sqrt()
                } else {
                    b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
                }
            }
            Kind::Exponential { mean, .. } => -mean * (-u).ln_1p(),
            Kind::Gamma { shape, scale, .. } => statrs::distribution::Gamma::new(*shape, 1.0)
                .map_or(f64::NAN, |g| g.inverse_cdf(u) * scale),
            Kind::LogNormal { mu, sigma, .. } => (mu + sigma * normal_quantile(u)).exp(),
            Kind::Empirical { values, cumulative } => {
                let i = cumulative.partition_point(|c| *c < u).min(values.len() - 1);
                values[i]
            }
        }
    }

    /// The smallest and largest values an assumption drawn from this distribution can take: its
    /// quantiles at the most extreme uniform numbers drawn ([`U_MIN`] and [`U_MAX`]). The
    /// rules of a setting are checked on both, so that no replication can draw a value the
    /// setting would refuse as written.
    ///
    /// Until 0.6.0 the top was taken at 1 − 2^-54, which is no double: it rounded to 1, where
    /// the quantile of every unbounded law (lognormal, gamma, normal, exponential) is infinite,
    /// so such a distribution was refused for any setting that must be finite ("can draw from
    /// 21.8 to inf").
    pub fn drawn_range(&self) -> (f64, f64) {
        (self.quantile(U_MIN), self.quantile(U_MAX))
    }
}

/// The smallest uniform number an assumption is drawn at, 2^-54: see [`unit_interior`].
pub const U_MIN: f64 = 1.0 / (1u64 << 54) as f64;

/// The largest uniform number an assumption is drawn at: 1 − 2^-53, the largest double below 1.
/// See [`unit_interior`].
pub const U_MAX: f64 = 1.0 - 1.0 / (1u64 << 53) as f64;

/// A uniform number strictly inside (0, 1), from 53 random bits: (k + ½)/2^53, so that both
/// ends of a quantile function stay finite.
///
/// Above 2^52 the sum k + ½ is rounded to a whole number, and for the top k (2^53 − 1) up to
/// 2^53, which made u exactly 1 (once in 2^53 draws); it is held at [`U_MAX`] instead. Every
/// other draw is as before, so results do not move.
#[inline]
pub fn unit_interior(bits: u64) -> f64 {
    (((bits >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)).min(U_MAX)
}

/// The standard normal quantile Φ⁻¹(u), u in (0, 1) (statrs's, through the inverse
/// complementary error function; accurate to a few units in the last place).
pub fn normal_quantile(u: f64) -> f64 {
    -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * u)
}

/// The Beta(a, b) quantile at u in (0, 1): the value of a hit rate or a routing share drawn from
/// its posterior.
///
/// Why not statrs's `inv_beta_reg` (AS 64/109): its Newton loop has no iteration limit and never
/// ends for some parameters (a = 0.001, b = 10^7, u near 0), so a scenario could hang the run.
/// Here its starting point (the same approximation) is refined by Newton steps on statrs's
/// regularised incomplete beta, kept inside a bracket that every step narrows, with bisection
/// (halfway in the bit pattern, so that values near 0, where doubles are dense, are reached too)
/// whenever a step would leave it, and at most 200 steps: it always ends. About 6 µs a call at
/// Beta(39, 9963) on CI's machine (statrs's: 1.2 µs), a few per replication.
pub fn beta_quantile(a: f64, b: f64, u: f64) -> f64 {
    use statrs::function::beta::{beta_reg, ln_beta};
    let lnb = ln_beta(a, b);
    let flip = u > 0.5;
    let (pa, pb, x) = if flip { (b, a, 1.0 - u) } else { (a, b, u) };
    let r = (-(x * x).ln()).sqrt();
    let y = r - (2.30753 + 0.27061 * r) / (1.0 + (0.99229 + 0.04481 * r) * r);
    let mut start = if pa > 1.0 && pb > 1.0 {
        let rr = (y * y - 3.0) / 6.0;
        let s = 1.0 / (2.0 * pa - 1.0);
        let t = 1.0 / (2.0 * pb - 1.0);
        let h = 2.0 / (s + t);
        let w = y * (h + rr).sqrt() / h - (t - s) * (rr + 5.0 / 6.0 - 2.0 / (3.0 * h));
        pa / (pa + pb * (2.0 * w).exp())
    } else {
        let t = 1.0 / (9.0 * pb);
        let t = 2.0 * pb * (1.0 - t + y * t.sqrt()).powi(3);
        if t <= 0.0 {
            1.0 - ((((1.0 - x) * pb).ln() + lnb) / pb).exp()
        } else {
            let t = 2.0 * (2.0 * pa + pb - 1.0) / t;
            if t <= 1.0 {
                (((x * pa).ln() + lnb) / pa).exp()
            } else {
                1.0 - 2.0 / (t + 1.0)
            }
        }
    };
    if flip {
        start = 1.0 - start;
    }
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let mut x = if start > 0.0 && start < 1.0 {
        start
    } else {
        a / (a + b)
    };
    for _ in 0..200 {
        let f = beta_reg(a, b, x) - u;
        if f == 0.0 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        if f64::from_bits(lo.to_bits() + 1) >= hi {
            break;
        }
        let ln_pdf = (a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - lnb;
        let mut next = x - f / ln_pdf.exp();
        if !(next > lo && next < hi) {
            next = f64::from_bits(lo.to_bits() / 2 + hi.to_bits() / 2);
            if !(next > lo && next < hi) {
                next = 0.5 * (lo + hi);
            }
        } else if (next - x).abs() <= 4.0 * f64::EPSILON * x {
            return next;
        }
        x = next;
    }
    x
}

/// The pinned first draws of [`tests::first_draws_of_every_sampler_are_pinned`], as `f64` bits.
#[cfg(test)]
const PINNED_DRAWS: &str = "\
fixed: [401a000000000000, 401a000000000000, 401a000000000000]\n\
uniform: [4049d9c38ebde7dc, 40480ae1054de68c, 40477afe68246652]\n\
triangular: [4008f4396f822498, 400462b0405029cc, 40031cbb44ba5e7c]\n\
exponential: [3f83c9289232221f, 3f937733838d1db4, 3f91b0eef7fd3da7]\n\
gamma: [403120d492d749c4, 402acf0eb5c00bb7, 4034e100451c9a07]\n\
gamma, shape below 1: [3fa88e1c45a2b64d, 3f4866b1953e2ade, 3fc37208fddc51b4]\n\
lognormal: [4049f24a988659cb, 4046fa383a31f5f9, 4045ca2d70799306]\n\
empirical: [4014000000000000, 4014000000000000, 4014000000000000]\n\
beta: [3f709b8cfaa82b2c, 3f6dbdd1fcad2827, 3f7061e4bd4d4063]";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::random::{self, Purpose};

    fn lognormal(mean: f64, sd: f64) -> DistSpec {
        DistSpec::Lognormal { mean, sd }
    }

    /// An empirical distribution's quantile is its inverse CDF whatever order its values are
    /// written in, so an assumption's P10, median and P90 are what they say.
    #[test]
    fn empirical_quantiles_follow_the_values_order_not_the_writing_order() {
        let d = Dist::new(
            &DistSpec::Empirical {
                values: vec![8.0, 2.0, 5.0],
                weights: Some(vec![1.0, 1.0, 2.0]),
            },
            false,
        )
        .unwrap();
        // P(2) = 0.25, P(5) = 0.5, P(8) = 0.25.
        assert_eq!(d.quantile(0.1), 2.0);
        assert_eq!(d.quantile(0.3), 5.0);
        assert_eq!(d.quantile(0.5), 5.0);
        assert_eq!(d.quantile(0.9), 8.0);
        assert_eq!(d.drawn_range(), (2.0, 8.0));
    }

    #[test]
    fn unbounded_laws_draw_finite_values_at_both_ends() {
        assert!(unit_interior(u64::MAX) < 1.0);
        assert_eq!(unit_interior(u64::MAX), U_MAX);
        assert!(unit_interior(0) > 0.0);
        assert_eq!(unit_interior(0), U_MIN);
        const { assert!(U_MAX < 1.0 && U_MAX + f64::EPSILON / 2.0 == 1.0) };
        for spec in [
            lognormal(50.0, 5.0),
            DistSpec::Gamma { mean: 0.5, sd: 0.1 },
            DistSpec::Exponential { mean: 3.0 },
        ] {
            let d = Dist::new(&spec, false).unwrap();
            let (lo, hi) = d.drawn_range();
            assert!(
                lo.is_finite() && hi.is_finite() && lo < hi,
                "{spec:?}: {lo} {hi}"
            );
            // The ends are the quantiles of the extreme draws themselves.
            assert_eq!(hi, d.quantile(unit_interior(u64::MAX)), "{spec:?}");
            assert_eq!(lo, d.quantile(unit_interior(0)), "{spec:?}");
        }
    }

    #[test]
    fn parameters_beyond_the_limit_are_refused_by_name() {
        let cases = [
            (lognormal(1e308, 1e308), "mean = 1e308 "),
            (DistSpec::Fixed { value: 2e12 }, "value = 2000000000000"),
            (DistSpec::Exponential { mean: 1e300 }, "mean = 1e300"),
            (
                DistSpec::Triangular {
                    min: 0.0,
                    mode: 1.0,
                    max: 1e200,
                },
                "max = 1e200",
            ),
            (
                DistSpec::Empirical {
                    values: vec![1.0, 1e13],
                    weights: None,
                },
                "values[1] = 10000000000000",
            ),
        ];
        for (spec, what) in cases {
            let e = Dist::new(&spec, true).unwrap_err().0;
            assert!(e.starts_with(what), "{spec:?}: {e}");
            assert!(e.contains("beyond the limit of 1e12"), "{spec:?}: {e}");
        }
        // The limit itself is accepted.
        assert!(Dist::new(&DistSpec::Fixed { value: MAX_VALUE }, true).is_ok());
    }

    #[test]
    fn numbers_in_messages_are_short() {
        assert_eq!(Num(1e308).to_string(), "1e308");
        assert_eq!(Num(-2.5e-300).to_string(), "-2.5e-300");
        assert_eq!(Num(123456.5).to_string(), "123456.5");
        assert_eq!(Num(0.001).to_string(), "0.001");
        assert_eq!(Num(0.0).to_string(), "0");
        let e = Dist::new(&DistSpec::Exponential { mean: -1e-300 }, true)
            .unwrap_err()
            .0;
        assert_eq!(e, "mean = -1e-300 must be greater than 0");
    }

    #[test]
    fn spreads_wider_than_the_limit_are_refused() {
        for spec in [
            lognormal(1.0, 100.5),
            DistSpec::Gamma {
                mean: 1e-6,
                sd: 1.0,
            },
        ] {
            let e = Dist::new(&spec, true).unwrap_err().0;
            assert!(e.contains("more than 100 times mean"), "{spec:?}: {e}");
        }
        assert!(Dist::new(&lognormal(1.0, 100.0), true).is_ok());
        // A gamma so narrow that its shape overflows: refused, not turned into infinite draws.
        let e = Dist::new(
            &DistSpec::Gamma {
                mean: 1e12,
                sd: 1e-150,
            },
            true,
        )
        .unwrap_err()
        .0;
        assert!(e.contains("less than 0.001 times mean"), "{e}");
        // Narrower than sd/mean 1e-3: refused (statrs's quantile took for ever at 1e-8).
        for (mean, sd) in [(1.0, 1e-8), (1e6, 1e-2), (1.0, 0.000_999)] {
            let e = Dist::new(&DistSpec::Gamma { mean, sd }, true)
                .unwrap_err()
                .0;
            assert!(e.contains("less than 0.001 times mean"), "{mean} {sd}: {e}");
        }
        // At the limit, whatever the rounding of sd / mean.
        assert!(
            Dist::new(
                &DistSpec::Gamma {
                    mean: 0.14,
                    sd: 0.00014
                },
                true
            )
            .is_ok()
        );
        // At the limit, its drawn range is computed, and hugs the mean.
        let d = Dist::new(
            &DistSpec::Gamma {
                mean: 1.0,
                sd: 1e-3,
            },
            true,
        )
        .unwrap();
        let (lo, hi) = d.drawn_range();
        assert!(lo > 0.99 && hi < 1.01 && lo < hi, "{lo} {hi}");
    }

    #[test]
    fn weights_are_relative_and_not_held_to_the_value_limit() {
        let d = Dist::new(
            &DistSpec::Empirical {
                values: vec![1.0, 2.0],
                weights: Some(vec![1e200, 3e200]),
            },
            true,
        )
        .unwrap();
        assert!((d.mean() - 1.75).abs() < 1e-12);
        let e = Dist::new(
            &DistSpec::Empirical {
                values: vec![1.0, 2.0],
                weights: Some(vec![1.0, -1.0]),
            },
            true,
        )
        .unwrap_err()
        .0;
        assert_eq!(e, "weights[1] = -1 must be a finite number, 0 or more");
    }

    /// At the edges of what validation accepts, every draw is finite: the promise the simulation
    /// relies on (a pause times an infinite draw would be NaN).
    #[test]
    fn draws_at_the_limits_are_finite() {
        let specs = [
            lognormal(MAX_VALUE / MAX_CV, MAX_VALUE),
            lognormal(MAX_VALUE, MAX_VALUE),
            lognormal(1e-300, 1e-299),
            DistSpec::Gamma {
                mean: MAX_VALUE / MAX_CV,
                sd: MAX_VALUE,
            },
            DistSpec::Gamma {
                mean: MAX_VALUE,
                sd: MAX_VALUE * MIN_GAMMA_CV,
            },
            DistSpec::Gamma {
                mean: 1e-140,
                sd: 2e-143,
            },
            DistSpec::Exponential { mean: MAX_VALUE },
            DistSpec::Triangular {
                min: 0.0,
                mode: MAX_VALUE,
                max: MAX_VALUE,
            },
            DistSpec::Uniform {
                min: 0.0,
                max: MAX_VALUE,
            },
        ];
        let mut rng = random::stream(random::replication_key(7, 0), Purpose::Effort, 0);
        for spec in specs {
            let d = Dist::new(&spec, true).unwrap();
            for _ in 0..200_000 {
                let x = d.sample(&mut rng);
                assert!(x.is_finite() && x >= 0.0, "{spec:?} drew {x}");
            }
        }
    }

    /// Value stability (the rand_distr habit): the first draws of every sampler from a fixed
    /// stream, pinned bit for bit. A change in rand, rand_distr, the stream or a sampler's
    /// algorithm shows here first, by name. The numbers are promised on x86-64 Linux (glibc):
    /// `exp`, `ln` and `powf` come from the platform's maths library.
    #[test]
    fn first_draws_of_every_sampler_are_pinned() {
        use crate::model::random::{Purpose, replication_key, stream};
        let specs: [(&str, DistSpec); 8] = [
            ("fixed", DistSpec::Fixed { value: 6.5 }),
            (
                "uniform",
                DistSpec::Uniform {
                    min: 40.0,
                    max: 60.0,
                },
            ),
            (
                "triangular",
                DistSpec::Triangular {
                    min: 1.0,
                    mode: 2.0,
                    max: 6.0,
                },
            ),
            ("exponential", DistSpec::Exponential { mean: 0.1 }),
            (
                "gamma",
                DistSpec::Gamma {
                    mean: 20.0,
                    sd: 15.0,
                },
            ),
            (
                "gamma, shape below 1",
                DistSpec::Gamma { mean: 1.0, sd: 3.0 },
            ),
            (
                "lognormal",
                DistSpec::Lognormal {
                    mean: 60.0,
                    sd: 40.0,
                },
            ),
            (
                "empirical",
                DistSpec::Empirical {
                    values: vec![1.0, 2.0, 5.0],
                    weights: Some(vec![1.0, 2.0, 7.0]),
                },
            ),
        ];
        let mut got = Vec::new();
        for (name, spec) in &specs {
            let d = Dist::new(spec, true).unwrap();
            let mut r = stream(replication_key(20230406, 0), Purpose::Effort, 1);
            let draws: Vec<u64> = (0..3).map(|_| d.sample(&mut r).to_bits()).collect();
            got.push(format!("{name}: {draws:x?}"));
        }
        let mut r = stream(replication_key(20230406, 0), Purpose::Effort, 1);
        let beta = rand_distr::Beta::<f64>::new(39.0, 9963.0).unwrap();
        let draws: Vec<u64> = (0..3).map(|_| beta.sample(&mut r).to_bits()).collect();
        got.push(format!("beta: {draws:x?}"));
        let got = got.join("\n");
        assert_eq!(got, PINNED_DRAWS, "\n{got}");
    }
}
