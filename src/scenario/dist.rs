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
    Triangular(Triangular<f64>),
    Exponential(Exp<f64>),
    Gamma(Gamma<f64>),
    LogNormal(LogNormal<f64>),
    /// Values and their cumulative weights normalised so that the last is 1.
    Empirical {
        values: Vec<f64>,
        cumulative: Vec<f64>,
    },
}

fn finite(name: &str, v: f64) -> Result<f64, DistError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(DistError(format!("{name} = {v} is not a finite number")))
    }
}

fn positive(name: &str, v: f64) -> Result<f64, DistError> {
    finite(name, v)?;
    if v > 0.0 {
        Ok(v)
    } else {
        Err(DistError(format!("{name} = {v} must be greater than 0")))
    }
}

fn non_neg(name: &str, v: f64) -> Result<f64, DistError> {
    finite(name, v)?;
    if v >= 0.0 {
        Ok(v)
    } else {
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
                    return Err(DistError(format!(
                        "needs min <= mode <= max, got min = {min}, mode = {mode}, max = {max}"
                    )));
                }
                if min == max {
                    Kind::Fixed(min)
                } else {
                    Kind::Triangular(
                        Triangular::new(min, max, mode)
                            .map_err(|e| DistError(format!("triangular: {e}")))?,
                    )
                }
            }
            DistSpec::Exponential { mean } => {
                let mean = positive("mean", *mean)?;
                Kind::Exponential(
                    Exp::new(1.0 / mean).map_err(|e| DistError(format!("exponential: {e}")))?,
                )
            }
            DistSpec::Gamma { mean, sd } => {
                let mean = positive("mean", *mean)?;
                let sd = non_neg("sd", *sd)?;
                if sd == 0.0 {
                    Kind::Fixed(mean)
                } else {
                    let shape = (mean / sd).powi(2);
                    let scale = sd * sd / mean;
                    Kind::Gamma(
                        Gamma::new(shape, scale).map_err(|e| DistError(format!("gamma: {e}")))?,
                    )
                }
            }
            DistSpec::Lognormal { mean, sd } => {
                let mean = positive("mean", *mean)?;
                let sd = non_neg("sd", *sd)?;
                if sd == 0.0 {
                    Kind::Fixed(mean)
                } else {
                    let s2 = (1.0 + (sd / mean).powi(2)).ln();
                    let mu = mean.ln() - s2 / 2.0;
                    Kind::LogNormal(
                        LogNormal::new(mu, s2.sqrt())
                            .map_err(|e| DistError(format!("lognormal: {e}")))?,
                    )
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
                            non_neg(&format!("weights[{i}]"), *x)?;
                        }
                        w.clone()
                    }
                };
                let total: f64 = w.iter().sum();
                if !(total > 0.0 && total.is_finite()) {
                    return Err(DistError("weights must have a positive, finite sum".into()));
                }
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
                Kind::Empirical {
                    values: values.clone(),
                    cumulative,
                }
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
            Kind::Triangular(d) => d.sample(rng),
            Kind::Exponential(d) => d.sample(rng),
            Kind::Gamma(d) => d.sample(rng),
            Kind::LogNormal(d) => d.sample(rng),
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
}
