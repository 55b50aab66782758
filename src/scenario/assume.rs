//! Assumptions: the named beliefs of a scenario about the system itself (a routing share, the
//! scale of an effort, productive hours, an arrival rate), as opposed to chance (which records
//! hit, how long one case takes).
//!
//! Why named: "5.5 productive hours a day" on four teams is one belief, drawn once per
//! replication and shown as one bar in the tornado, so a scenario declares it once in
//! `[assumptions]` and refers to it with `{ assumption = "NAME" }`. A distribution written
//! inline on a single setting is an anonymous assumption named by the setting's name-based path
//! (`teams.dps_investigators.hours_per_day`, never an index), so that its draws survive the
//! reordering and renaming of other entries.
//!
//! How drawn: each *slot* (one scalar: a scalar assumption has one, a counted routing of K
//! outcomes has K − 1 conditional Betas, stick-breaking) takes its quantile at a uniform number
//! `u` from the stream keyed by (seed, replication, [`name_key`] of the slot's name). So the
//! central value of every assumption is its median (u = ½) and its low and high are its P10 and
//! P90 (u = 0.1 and 0.9), and one assumption can be pinned while every other keeps its draw.
//! This module holds the validated form; `model::sim` draws.

use super::dist::{Dist, beta_quantile};
use crate::calendar::Date;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A number in a scenario that may be uncertain, as written: a plain number, a distribution
/// table with an optional `source` (an anonymous assumption) or `{ assumption = "NAME" }` (a
/// declared one).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Uncertain {
    Value(f64),
    Dist(InlineDist),
    Ref(AssumptionRef),
}

/// A distribution of numbers written on a setting, with where the belief comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InlineDist {
    #[serde(flatten)]
    pub spec: super::DistSpec,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// `{ assumption = "NAME" }`: the setting takes the declared assumption's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssumptionRef {
    pub assumption: String,
}

impl Uncertain {
    /// The value when it is a plain number.
    pub fn value(&self) -> Option<f64> {
        match self {
            Uncertain::Value(v) => Some(*v),
            _ => None,
        }
    }
}

impl From<f64> for Uncertain {
    fn from(v: f64) -> Uncertain {
        Uncertain::Value(v)
    }
}

/// Reads a table's entries as TOML values, so that its keys decide what it is.
fn table_of<'de, A: MapAccess<'de>>(mut map: A) -> Result<toml::Table, A::Error> {
    let mut t = toml::Table::new();
    while let Some(k) = map.next_key::<String>()? {
        let v: toml::Value = map.next_value()?;
        t.insert(k, v);
    }
    Ok(t)
}

fn dist_of_table<E: de::Error>(t: toml::Table) -> Result<super::DistSpec, E> {
    super::DistSpec::deserialize(toml::Value::Table(t)).map_err(|e| E::custom(e.message()))
}

impl<'de> Deserialize<'de> for Uncertain {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Uncertain;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number, a distribution table or { assumption = \"NAME\" }")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Uncertain, E> {
                Ok(Uncertain::Value(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Uncertain, E> {
                Ok(Uncertain::Value(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Uncertain, E> {
                Ok(Uncertain::Value(v as f64))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Uncertain, A::Error> {
                let t = table_of(map)?;
                if t.contains_key("assumption") {
                    AssumptionRef::deserialize(toml::Value::Table(t))
                        .map(Uncertain::Ref)
                        .map_err(|e| {
                            de::Error::custom(format!(
                                "{} (a reference to an assumption is {{ assumption = \"NAME\" }} alone)",
                                e.message().trim()
                            ))
                        })
                } else {
                    let mut t = t;
                    let source = take_source(&mut t)?;
                    dist_of_table(t).map(|spec| Uncertain::Dist(InlineDist { spec, source }))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A distribution of dates, as written: bounded, so that every value drawn is a date between two
/// written ones. Other distributions (unbounded, or of numbers) are refused for a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum DateSpec {
    /// Uniform between `min` and `max`.
    Uniform { min: Date, max: Date },
    /// Triangular with lower limit `min`, most likely date `mode` and upper limit `max`.
    Triangular { min: Date, mode: Date, max: Date },
}

impl DateSpec {
    /// The earliest and latest dates it can take, as written.
    pub fn bounds(&self) -> (Date, Date) {
        match self {
            DateSpec::Uniform { min, max } | DateSpec::Triangular { min, max, .. } => (*min, *max),
        }
    }
}

/// The distributions a date may have, for messages.
const DATE_DISTS: &str = "an uncertain date is { dist = \"uniform\", min = DATE, max = DATE } or { dist = \"triangular\", min = DATE, mode = DATE, max = DATE }: bounded by dates, so that every value drawn is a date between them";

/// A [`DateSpec`] from a table (without its `source`), with the rule in the message when its
/// `dist` is not one a date may have.
fn date_spec_of_table<E: de::Error>(t: toml::Table) -> Result<DateSpec, E> {
    if let Some(toml::Value::String(d)) = t.get("dist")
        && d != "uniform"
        && d != "triangular"
    {
        return Err(E::custom(format!(
            "{} is not a distribution a date may have: {DATE_DISTS}",
            crate::quote::quoted(d)
        )));
    }
    // Each bound on its own first, so that a message names the one that is not a date.
    for key in ["min", "mode", "max"] {
        if let Some(v) = t.get(key) {
            Date::deserialize(v.clone())
                .map_err(|e| E::custom(format!("{key}: {}", e.message().trim())))?;
        }
    }
    DateSpec::deserialize(toml::Value::Table(t)).map_err(|e| E::custom(e.message().trim()))
}

/// Takes `source` out of a table: where the belief comes from.
fn take_source<E: de::Error>(t: &mut toml::Table) -> Result<Option<String>, E> {
    match t.remove("source") {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(E::custom("source must be a string")),
    }
}

/// A distribution of dates written on a setting, with where the belief comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DateDist {
    #[serde(flatten)]
    pub spec: DateSpec,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A date in a scenario that may be uncertain (an arrival stream's end), as written: a date, a
/// distribution of dates (an anonymous assumption) or `{ assumption = "NAME" }` (a declared one).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum UncertainDate {
    Date(Date),
    Dist(DateDist),
    Ref(AssumptionRef),
}

impl From<Date> for UncertainDate {
    fn from(d: Date) -> UncertainDate {
        UncertainDate::Date(d)
    }
}

impl<'de> Deserialize<'de> for UncertainDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = UncertainDate;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a date, a distribution of dates such as { dist = \"triangular\", min = 2023-07-06, mode = 2023-10-06, max = 2024-04-05 } or { assumption = \"NAME\" }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<UncertainDate, E> {
                Date::deserialize(de::value::StrDeserializer::<E>::new(v)).map(UncertainDate::Date)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<UncertainDate, A::Error> {
                // A TOML date comes as a map too: read the value, then decide by what it is.
                let v = toml::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let mut t = match v {
                    toml::Value::Table(t) => t,
                    other => {
                        return Date::deserialize(other)
                            .map(UncertainDate::Date)
                            .map_err(|e| de::Error::custom(e.message().trim()));
                    }
                };
                if t.contains_key("assumption") {
                    return AssumptionRef::deserialize(toml::Value::Table(t))
                        .map(UncertainDate::Ref)
                        .map_err(|e| {
                            de::Error::custom(format!(
                                "{} (a reference to an assumption is {{ assumption = \"NAME\" }} alone)",
                                e.message().trim()
                            ))
                        });
                }
                let source = take_source(&mut t)?;
                Ok(UncertainDate::Dist(DateDist {
                    spec: date_spec_of_table(t)?,
                    source,
                }))
            }
        }
        d.deserialize_any(V)
    }
}

/// What an entry of `[assumptions]` is a distribution of.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum DeclaredSpec {
    /// Numbers (a plain number makes it certain).
    Number(super::DistSpec),
    /// Dates: an arrival stream's end.
    Date(DateSpec),
    /// A plain date, which makes it certain.
    OnDate(Date),
}

/// One entry of `[assumptions]`: a distribution (or a plain number or date, which makes it
/// certain: what `compare --vary assumptions.NAME=V` writes) and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RawDeclared {
    #[serde(flatten)]
    pub spec: DeclaredSpec,
    /// Where the belief comes from: a published figure, or `judgment: why`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl<'de> Deserialize<'de> for RawDeclared {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawDeclared;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a distribution such as { dist = \"triangular\", min = 4.5, mode = 5.5, max = 6.5, source = \"...\" }, or a number (or a distribution of dates, or a date)",
                )
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawDeclared, E> {
                Ok(RawDeclared {
                    spec: DeclaredSpec::Number(super::DistSpec::Fixed { value: v }),
                    source: None,
                })
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawDeclared, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawDeclared, E> {
                self.visit_f64(v as f64)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawDeclared, A::Error> {
                // A TOML date comes as a map too: read the value, then decide by what it is.
                let v = toml::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let mut t = match v {
                    toml::Value::Table(t) => t,
                    other => {
                        return Date::deserialize(other)
                            .map(|d| RawDeclared {
                                spec: DeclaredSpec::OnDate(d),
                                source: None,
                            })
                            .map_err(|e| de::Error::custom(e.message().trim()));
                    }
                };
                let source = take_source(&mut t)?;
                // Of dates when a parameter is a date (a number beside it is then refused as not
                // a date, and a distribution other than uniform and triangular as not one a date
                // may have).
                let of_dates = t.values().any(|v| matches!(v, toml::Value::Datetime(_)));
                let spec = if of_dates {
                    DeclaredSpec::Date(date_spec_of_table(t)?)
                } else {
                    DeclaredSpec::Number(dist_of_table(t)?)
                };
                Ok(RawDeclared { spec, source })
            }
        }
        d.deserialize_any(V)
    }
}

/// A setting's value in a replication: fixed, or an assumption's slot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    /// The value as written, or the assumption's median (its value when every assumption is at
    /// its centre) [the setting's unit].
    pub central: f64,
    /// The slot in a replication's assumption values, when uncertain.
    pub slot: Option<u32>,
}

impl Param {
    /// A known value.
    pub const fn fixed(v: f64) -> Param {
        Param {
            central: v,
            slot: None,
        }
    }

    /// The value in a replication whose slot values are `values`.
    #[inline]
    pub fn get(&self, values: &[f64]) -> f64 {
        match self.slot {
            None => self.central,
            Some(i) => values[i as usize],
        }
    }

    pub fn is_uncertain(&self) -> bool {
        self.slot.is_some()
    }
}

/// The distribution of one slot.
#[derive(Debug, Clone)]
pub enum Law {
    Dist(Dist),
    /// Beta(a, b): a hit rate from an observed count, or one conditional share of a counted
    /// routing.
    Beta {
        a: f64,
        b: f64,
    },
}

impl Law {
    /// The quantile at `u` in (0, 1).
    pub fn quantile(&self, u: f64) -> f64 {
        match self {
            Law::Dist(d) => d.quantile(u),
            Law::Beta { a, b } => beta_quantile(*a, *b, u),
        }
    }
}

/// One number drawn per replication.
#[derive(Debug, Clone)]
pub struct Slot {
    /// [`name_key`] of the slot's name: the entity of its random stream.
    pub key: u64,
    pub law: Law,
}

/// What an assumption stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum AssumptionKind {
    /// One number, used by the settings in `uses`.
    Scalar,
    /// The shares of a routing given as counts (Dirichlet posterior), drawn as K − 1 conditional
    /// Betas; its low and high move its largest outcome (`outcome`) from P10 to P90 with the
    /// others rescaled.
    Routing {
        case_type: usize,
        /// Dirichlet parameters, one per outcome.
        alpha: Vec<f64>,
        /// The largest outcome (by central share; the first of equals).
        largest: usize,
    },
}

/// One assumption, as the reader sees it (one bar in the tornado).
#[derive(Debug, Clone)]
pub struct Assumption {
    pub name: String,
    /// Declared in `[assumptions]` (otherwise named by its setting's path).
    pub declared: bool,
    pub source: Option<String>,
    /// The settings that take its value (name-based paths), in file order.
    pub uses: Vec<String>,
    pub kind: AssumptionKind,
    /// Its slots in a replication's values.
    pub slots: std::ops::Range<usize>,
    /// Its P10, median and P90 (for a routing: of its largest outcome's share).
    pub low: f64,
    pub central: f64,
    pub high: f64,
    /// A distribution of dates (an arrival stream's end): its values are times, in working days
    /// since the start of day 0, on the working-day axis extended past the horizon.
    pub of_dates: bool,
}

/// Every assumption of a scenario and the slots they draw.
#[derive(Debug, Clone, Default)]
pub struct Assumptions {
    pub list: Vec<Assumption>,
    pub slots: Vec<Slot>,
}

impl Assumptions {
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Adds a scalar assumption (no check of its name's uniqueness: the caller's).
    pub fn push_scalar(
        &mut self,
        name: String,
        declared: bool,
        source: Option<String>,
        law: Law,
    ) -> usize {
        let slot = self.slots.len();
        self.slots.push(Slot {
            key: name_key(&name),
            law: law.clone(),
        });
        self.list.push(Assumption {
            low: law.quantile(0.1),
            central: law.quantile(0.5),
            high: law.quantile(0.9),
            name,
            declared,
            source,
            uses: Vec::new(),
            kind: AssumptionKind::Scalar,
            slots: slot..slot + 1,
            of_dates: false,
        });
        self.list.len() - 1
    }

    /// Adds a counted routing: outcomes named `outcome_names`, Dirichlet `alpha` (each > 0,
    /// at least two outcomes).
    pub fn push_routing(
        &mut self,
        name: String,
        case_type: usize,
        alpha: &[f64],
        outcome_names: &[String],
    ) -> usize {
        let first = self.slots.len();
        let mut rest: f64 = alpha.iter().sum();
        for (k, a) in alpha.iter().enumerate().take(alpha.len() - 1) {
            rest -= a;
            self.slots.push(Slot {
                key: name_key(&format!("{name}.{}", outcome_names[k])),
                law: Law::Beta {
                    a: *a,
                    b: rest.max(f64::MIN_POSITIVE),
                },
            });
        }
        let central = stick_shares(alpha.len(), |k| self.slots[first + k].law.quantile(0.5));
        let largest = (0..alpha.len()).fold(
            0,
            |best, k| if central[k] > central[best] { k } else { best },
        );
        let marginal = |u| beta_quantile(alpha[largest], rest_of(alpha, largest), u);
        self.list.push(Assumption {
            low: marginal(0.1),
            central: central[largest],
            high: marginal(0.9),
            name,
            declared: false,
            source: None,
            uses: Vec::new(),
            kind: AssumptionKind::Routing {
                case_type,
                alpha: alpha.to_vec(),
                largest,
            },
            slots: first..self.slots.len(),
            of_dates: false,
        });
        self.list.len() - 1
    }
}

/// The sum of the Dirichlet parameters `alpha` other than the `k`-th: the second parameter of the
/// `k`-th share's Beta marginal. The total less the `k`-th, as ever (so no result moves), unless
/// that is not above 0: with counts 100 and 0 and a prior of 1e-30 it is exactly 0 (the prior
/// lost in rounding), on which statrs's beta function panicked; then the others are summed.
pub fn rest_of(alpha: &[f64], k: usize) -> f64 {
    let total: f64 = alpha.iter().sum();
    let rest = total - alpha[k];
    if rest > 0.0 {
        return rest;
    }
    (alpha.iter().enumerate())
        .filter(|&(i, _)| i != k)
        .map(|(_, a)| a)
        .sum()
}

/// The shares of K outcomes from K − 1 stick-breaking values v(k) (each the share of what is left
/// that outcome k takes): share k = v(k)·∏_{j<k}(1 − v(j)), the last takes what remains.
pub fn stick_shares(k: usize, v: impl Fn(usize) -> f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(k);
    let mut left = 1.0;
    for i in 0..k.saturating_sub(1) {
        let s = left * v(i);
        out.push(s);
        left -= s;
    }
    out.push(left.max(0.0));
    out
}

/// The stable key of an assumption's (or slot's) name: the first 8 bytes of SHA-256 of
/// `vetsim-assumption:` followed by the name, little-endian. Not `DefaultHasher` (whose values
/// may change between Rust releases) and not an index (which moves when entries are added).
pub fn name_key(name: &str) -> u64 {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"vetsim-assumption:");
    h.update(name.as_bytes());
    let d = h.finalize();
    u64::from_le_bytes(d[..8].try_into().expect("a SHA-256 digest has 32 bytes"))
}

/// Which values the assumptions take in a replication.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Pin {
    /// Each drawn from its own stream (the ordinary run).
    #[default]
    Drawn,
    /// Every assumption at its median, chance as drawn (the `fixed_assumptions` band).
    Central,
    /// Assumption `assumption` (an index into [`Assumptions::list`]) at its quantile `u`, every
    /// other at its median (the tornado's paired swings).
    One { assumption: usize, u: f64 },
    /// Assumption `assumption` drawn as in the replication, every other assumption drawn from a
    /// key domain of its own (with the chance of a twin): the *pick-freeze* partner of a
    /// replication, sharing that one assumption and nothing else, for the first-order index of an
    /// assumption with several slots (a counted routing).
    Keep { assumption: usize },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::DistSpec;

    #[test]
    fn name_keys_are_pinned() {
        // Part of every result: a change here moves every assumption's draws.
        assert_eq!(name_key(""), name_key(""));
        assert_ne!(name_key("a"), name_key("b"));
        assert_eq!(format!("{:016x}", name_key("productive_hours")), {
            use sha2::{Digest, Sha256};
            let d = Sha256::digest(b"vetsim-assumption:productive_hours");
            format!("{:016x}", u64::from_le_bytes(d[..8].try_into().unwrap()))
        });
    }

    #[test]
    fn stick_breaking_gives_shares_that_sum_to_one() {
        let s = stick_shares(3, |k| [0.5, 0.5][k]);
        assert_eq!(s, vec![0.5, 0.25, 0.25]);
        assert_eq!(stick_shares(1, |_| unreachable!()), vec![1.0]);
    }

    /// Counts 100 and 0 with a prior of 1e-30: the second marginal parameter is the prior, not the
    /// total less 100 (exactly 0 in floating point, on which statrs panicked). The largest
    /// outcome's P10 and P90 are then all but 1, and finite.
    #[test]
    fn a_tiny_prior_beside_a_large_count_is_no_zero_parameter() {
        for (count, prior) in [(100.0, 1e-30), (1000.0, 1e-100), (9_999_999.0, 1e-10)] {
            let alpha = [count + prior, prior];
            assert_eq!(rest_of(&alpha, 0), prior);
            assert_eq!(
                alpha.iter().sum::<f64>() - alpha[0],
                0.0,
                "the cancellation"
            );
            let mut a = Assumptions::default();
            let names = ["a".to_string(), "b".to_string()];
            a.push_routing("r".into(), 0, &alpha, &names);
            let r = &a.list[0];
            assert!(r.low > 0.999 && r.low <= r.high && r.high <= 1.0, "{r:?}");
        }
        // Otherwise the difference, bit for bit (a prior of 0.1: summing the others differs in
        // the last bit, and would move results).
        let alpha = [246.1, 689.1, 196.1];
        for k in 0..3 {
            assert_eq!(rest_of(&alpha, k), alpha.iter().sum::<f64>() - alpha[k]);
        }
    }

    /// The conditional Betas of stick-breaking give each outcome its Dirichlet marginal: the
    /// share of outcome k is Beta(α_k, α₀ − α_k). Checked by the mean and variance of the shares
    /// over a grid of u (a quadrature of the product measure), to 1e-3.
    #[test]
    fn stick_breaking_has_the_dirichlet_marginals() {
        let alpha = [3.0, 5.0, 2.0];
        let mut a = Assumptions::default();
        let names = ["x".to_string(), "y".to_string(), "z".to_string()];
        a.push_routing("r".into(), 0, &alpha, &names);
        let n = 200;
        let (mut m, mut m2) = ([0.0; 3], [0.0; 3]);
        for i in 0..n {
            for j in 0..n {
                let u = [(i as f64 + 0.5) / n as f64, (j as f64 + 0.5) / n as f64];
                let s = stick_shares(3, |k| a.slots[k].law.quantile(u[k]));
                for k in 0..3 {
                    m[k] += s[k];
                    m2[k] += s[k] * s[k];
                }
            }
        }
        let total = 10.0;
        for k in 0..3 {
            let mean = m[k] / (n * n) as f64;
            let var = m2[k] / (n * n) as f64 - mean * mean;
            let p = alpha[k] / total;
            assert!((mean - p).abs() < 1e-3, "{k}: {mean} vs {p}");
            let v = p * (1.0 - p) / (total + 1.0);
            assert!((var - v).abs() < 1e-3, "{k}: {var} vs {v}");
        }
        // The largest outcome is the second; its low and high are its marginal's P10 and P90.
        let r = &a.list[0];
        assert_eq!(
            r.kind,
            AssumptionKind::Routing {
                case_type: 0,
                alpha: alpha.to_vec(),
                largest: 1
            }
        );
        assert!((r.low - beta_quantile(5.0, 5.0, 0.1)).abs() < 1e-15);
        assert!(r.low < r.central && r.central < r.high);
    }

    #[test]
    fn a_scalar_has_its_quantiles_as_low_central_and_high() {
        let mut a = Assumptions::default();
        let d = Dist::new(&DistSpec::Uniform { min: 4.0, max: 6.0 }, true).unwrap();
        a.push_scalar("h".into(), true, None, Law::Dist(d));
        let x = &a.list[0];
        assert!((x.low - 4.2).abs() < 1e-12 && x.central == 5.0 && (x.high - 5.8).abs() < 1e-12);
    }

    #[test]
    fn uncertain_values_read_numbers_tables_and_references() {
        #[derive(Deserialize)]
        struct T {
            x: Uncertain,
        }
        let t: T = toml::from_str("x = 5").unwrap();
        assert_eq!(t.x, Uncertain::Value(5.0));
        let t: T = toml::from_str("x = { dist = \"uniform\", min = 1, max = 2 }").unwrap();
        assert_eq!(
            t.x,
            Uncertain::Dist(InlineDist {
                spec: DistSpec::Uniform { min: 1.0, max: 2.0 },
                source: None
            })
        );
        // A distribution written inline may say where it comes from.
        let t: T =
            toml::from_str("x = { dist = \"uniform\", min = 1, max = 2, source = \"HO 2022\" }")
                .unwrap();
        assert_eq!(
            t.x,
            Uncertain::Dist(InlineDist {
                spec: DistSpec::Uniform { min: 1.0, max: 2.0 },
                source: Some("HO 2022".into())
            })
        );
        let t: T = toml::from_str("x = { assumption = \"h\" }").unwrap();
        assert_eq!(
            t.x,
            Uncertain::Ref(AssumptionRef {
                assumption: "h".into()
            })
        );
        let e = toml::from_str::<T>("x = { assumption = \"h\", min = 1 }")
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("assumption = \\\"NAME\\\" }} alone") || e.contains("alone"),
            "{e}"
        );
        let e = toml::from_str::<T>("x = { dist = \"uniform\", min = 1, mx = 2 }")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("unknown field `mx`"), "{e}");
        #[derive(Deserialize)]
        struct D {
            d: RawDeclared,
        }
        let d: D =
            toml::from_str("d = { dist = \"uniform\", min = 1, max = 2, source = \"judgment\" }")
                .unwrap();
        assert_eq!(d.d.source.as_deref(), Some("judgment"));
    }

    #[test]
    fn uncertain_dates_read_dates_distributions_of_dates_and_references() {
        #[derive(Deserialize)]
        struct T {
            to: UncertainDate,
        }
        let day = |s: &str| Date::parse(s).unwrap();
        for text in ["to = 2024-03-28", "to = \"2024-03-28\""] {
            let t: T = toml::from_str(text).unwrap();
            assert_eq!(t.to, UncertainDate::Date(day("2024-03-28")), "{text}");
        }
        let t: T = toml::from_str(
            "to = { dist = \"triangular\", min = 2024-03-01, mode = 2024-03-28, max = 2024-06-28, source = \"judgment\" }",
        )
        .unwrap();
        assert_eq!(
            t.to,
            UncertainDate::Dist(DateDist {
                spec: DateSpec::Triangular {
                    min: day("2024-03-01"),
                    mode: day("2024-03-28"),
                    max: day("2024-06-28")
                },
                source: Some("judgment".into())
            })
        );
        let t: T = toml::from_str("to = { assumption = \"ends\" }").unwrap();
        assert_eq!(
            t.to,
            UncertainDate::Ref(AssumptionRef {
                assumption: "ends".into()
            })
        );
        for (text, says) in [
            (
                "to = { dist = \"gamma\", mean = 2024-03-01, sd = 5 }",
                "\"gamma\" is not a distribution a date may have",
            ),
            (
                "to = { dist = \"uniform\", min = 2024-03-01, max = 5 }",
                "max: invalid type: integer `5`, expected a date",
            ),
            ("to = 5", "invalid type: integer `5`, expected a date"),
        ] {
            let e = toml::from_str::<T>(text).err().unwrap().to_string();
            assert!(e.contains(says), "{e}");
        }
        // Declared: of dates when a parameter is a date; a plain date is certain.
        #[derive(Deserialize)]
        struct D {
            d: RawDeclared,
        }
        let d: D = toml::from_str(
            "d = { dist = \"uniform\", min = 2024-03-01, max = 2024-06-28, source = \"judgment\" }",
        )
        .unwrap();
        assert_eq!(
            d.d.spec,
            DeclaredSpec::Date(DateSpec::Uniform {
                min: day("2024-03-01"),
                max: day("2024-06-28")
            })
        );
        assert_eq!(d.d.source.as_deref(), Some("judgment"));
        let d: D = toml::from_str("d = 2024-03-28").unwrap();
        assert_eq!(d.d.spec, DeclaredSpec::OnDate(day("2024-03-28")));
        let d: D = toml::from_str("d = { dist = \"uniform\", min = 1, max = 2 }").unwrap();
        assert_eq!(
            d.d.spec,
            DeclaredSpec::Number(DistSpec::Uniform { min: 1.0, max: 2.0 })
        );
    }
}
