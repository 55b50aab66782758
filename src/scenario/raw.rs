//! The scenario file as written: a serde mirror of the TOML with `deny_unknown_fields` everywhere,
//! so that a misspelt key is an error naming the valid keys rather than a silently ignored setting.
//!
//! Nothing here checks meaning (ranges, cross references, dates): that is `validate`'s job,
//! which turns a [`RawScenario`] into a [`super::Scenario`]. Field docs give units; they are the
//! reference text that `scenarios/README.md` expands on.

use super::assume::{RawDeclared, Uncertain, UncertainDate};
use super::dist::DistSpec;
use crate::calendar::{Date, Region, Weekday};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Short name; results go to `output/<name>/`. Letters, digits, `-`, `_` and `.` only.
    pub name: String,
    /// One or two sentences for the reader of the results.
    #[serde(default)]
    pub description: Option<String>,
    /// First day simulated; time 0 is the start of the first working day on or after it.
    pub start: Date,
    /// Last day simulated; anything not finished by the end of this day is reported as censored.
    pub horizon: Date,
    /// Monte Carlo replications (the command line's `--replications` wins).
    #[serde(default = "default_replications")]
    pub replications: u64,
    /// Master seed of every random stream (the command line's `--seed` wins).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Cases opened before the start of the first working day on or after this date are left out
    /// of the waiting and time-in-system statistics (they are still worked, counted as opened
    /// and closed, and in the caseload): a warm-up for steady-state checks, whose empty start
    /// would bias waits down.
    #[serde(default)]
    pub warmup: Option<Date>,
    /// Named beliefs that settings refer to with `{ assumption = "NAME" }`: each is drawn once
    /// per replication, whatever number of settings use it.
    #[serde(default)]
    pub assumptions: std::collections::BTreeMap<String, RawDeclared>,
    #[serde(default)]
    pub calendar: RawCalendar,
    #[serde(default)]
    pub screening: Option<RawScreening>,
    #[serde(default)]
    pub case_types: Vec<RawCaseType>,
    #[serde(default)]
    pub teams: Vec<RawTeam>,
    #[serde(default)]
    pub arrivals: Vec<RawArrival>,
    #[serde(default)]
    pub backlogs: Vec<RawBacklog>,
    /// Variants to compare (`vetsim compare`); ignored by `vetsim run`.
    #[serde(default)]
    pub experiment: Option<RawExperiment>,
}

/// What `vetsim compare` varies: every combination of the values of each setting (the first
/// varies slowest), all run with the same random numbers.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExperiment {
    pub vary: Vec<RawVary>,
}

/// One varied setting.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawVary {
    /// Dotted path into this file, e.g. `teams.diverted_soc_ct.headcount[0].count`; arrays of
    /// tables by index or by the entry's `name`.
    pub path: String,
    /// The values it takes, of the setting's own type.
    #[schemars(with = "Vec<serde_json::Value>")]
    pub values: Vec<toml::Value>,
    /// What to call the setting on chart axes and legends and in `comparison.csv`'s header
    /// (e.g. "Officers diverted"); default: its path.
    #[serde(default)]
    pub label: Option<String>,
}

fn default_replications() -> u64 {
    1000
}
fn default_seed() -> u64 {
    1
}

/// Which days are worked.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCalendar {
    /// Weekdays worked, e.g. `["Mon", "Tue", "Wed", "Thu", "Fri"]` (the default).
    #[serde(default = "default_weekdays")]
    pub working_days: Vec<Weekday>,
    /// Public holidays that are not worked: `"england-and-wales"` (default), `"scotland"`,
    /// `"northern-ireland"` or `"none"`.
    #[serde(default)]
    pub holidays: HolidaySet,
    /// Further non-working dates (closures, leave embargoes).
    #[serde(default)]
    pub extra_holidays: Vec<Date>,
}

impl Default for RawCalendar {
    fn default() -> Self {
        RawCalendar {
            working_days: default_weekdays(),
            holidays: HolidaySet::default(),
            extra_holidays: Vec::new(),
        }
    }
}

fn default_weekdays() -> Vec<Weekday> {
    vec![
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ]
}

/// Reads one of a few keywords, as serde's derive does for an enum of unit variants, but with a
/// message that lists them when something else is written: the derive's `wanted string or table`
/// for a list (`holidays = ["none"]`) or a number said nothing of what is accepted.
struct Keyword(&'static [&'static str]);

impl<'de> serde::de::Visitor<'de> for Keyword {
    /// The position of the keyword in the list.
    type Value = usize;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let quoted: Vec<String> = self.0.iter().map(|k| format!("\"{k}\"")).collect();
        match quoted.split_last() {
            Some((last, [])) => write!(f, "{last}"),
            Some((last, rest)) => write!(f, "{} or {last}", rest.join(", ")),
            None => Ok(()),
        }
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<usize, E> {
        self.0
            .iter()
            .position(|k| *k == v)
            .ok_or_else(|| E::unknown_variant(v, self.0))
    }
}

/// `T`'s value for the keyword read by [`Keyword`] over `names`, given in the order of `values`.
fn keyword<'de, D: serde::Deserializer<'de>, T: Copy>(
    d: D,
    names: &'static [&'static str],
    values: &[T],
) -> Result<T, D::Error> {
    d.deserialize_str(Keyword(names)).map(|i| values[i])
}

/// A built-in set of public holidays: the bank holidays of one part of the UK (each tabulated for
/// 2022–2027 from GOV.UK, by rule otherwise), as each force plans by its own, or none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum HolidaySet {
    /// England and Wales bank holidays: the default, as most forces are there.
    #[default]
    EnglandAndWales,
    /// Scotland's bank holidays (Police Scotland).
    Scotland,
    /// Northern Ireland's bank holidays (the PSNI).
    NorthernIreland,
    /// No public holidays.
    None,
}

impl HolidaySet {
    /// The region whose bank holidays these are; `None` for no holidays.
    pub fn region(self) -> Option<Region> {
        match self {
            HolidaySet::EnglandAndWales => Some(Region::EnglandAndWales),
            HolidaySet::Scotland => Some(Region::Scotland),
            HolidaySet::NorthernIreland => Some(Region::NorthernIreland),
            HolidaySet::None => None,
        }
    }
}

impl<'de> Deserialize<'de> for HolidaySet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use HolidaySet::*;
        keyword(
            d,
            &["england-and-wales", "scotland", "northern-ireland", "none"],
            &[EnglandAndWales, Scotland, NorthernIreland, None],
        )
    }
}

/// The cohort of records to check and what the checks find.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScreening {
    /// Records in the whole cohort \[records\].
    pub records: u64,
    /// Records already checked before `start` \[records\]; their findings belong in `backlogs`.
    #[serde(default)]
    pub already_checked: u64,
    /// How fast the remaining records are checked.
    pub throughput: RawThroughput,
    /// What a checked record can reveal; each category is drawn independently per record.
    #[serde(default)]
    pub hits: Vec<RawHit>,
    /// The date by which screening is meant to be finished (marked on the charts and compared
    /// with in the summary).
    #[serde(default)]
    pub target: Option<Date>,
}

/// Screening throughput: exactly one of `records_per_day` and `observed_since`, optionally scaled by
/// `factor` and changed on dates by `changes`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawThroughput {
    /// Records checked per working day [records/working day]; a distribution is drawn once per
    /// replication (uncertainty about the pace, not day-to-day noise).
    #[serde(default)]
    pub records_per_day: Option<Uncertain>,
    /// Derive the pace from progress so far: `already_checked` records over the working days from
    /// this date to `start`.
    #[serde(default)]
    pub observed_since: Option<Date>,
    /// Multiplier on the pace, drawn once per replication (e.g. a triangular 0.8–1.0–1.5 for "the
    /// pace may pick up") \[dimensionless\]. Default 1.
    #[serde(default)]
    pub factor: Option<Uncertain>,
    /// Later changes of pace: from each date on, this many records per working day (before `factor`).
    #[serde(default)]
    pub changes: Vec<RawThroughputChange>,
}

/// A dated change of screening pace.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawThroughputChange {
    pub from: Date,
    /// [records/working day]
    pub records_per_day: f64,
}

/// A category of finding from screening.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHit {
    pub name: String,
    /// The case type each hit opens.
    pub case_type: String,
    /// Probability that a record shows this finding: a number, or an observed count.
    pub rate: RawRate,
}

/// A probability given directly, or as "`observed` of `of`" whose Beta posterior is drawn from
/// once per replication (so the run carries our ignorance of the true rate).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum RawRate {
    /// A probability, a distribution of it, or a reference to an assumption.
    Probability(Uncertain),
    Observed(RawObserved),
}

impl<'de> Deserialize<'de> for RawRate {
    /// A number or a table, decided by the TOML type, so that a typo inside the table gets serde's
    /// "unknown field, expected ..." message instead of an untagged enum's shrug.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, MapAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawRate;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a probability, a table { observed = 38, of = 10000 }, a distribution or { assumption = \"NAME\" }")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawRate, E> {
                Ok(RawRate::Probability(Uncertain::Value(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawRate, E> {
                Ok(RawRate::Probability(Uncertain::Value(v as f64)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawRate, E> {
                Ok(RawRate::Probability(Uncertain::Value(v as f64)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawRate, A::Error> {
                let mut t = toml::Table::new();
                while let Some(k) = map.next_key::<String>()? {
                    let v: toml::Value = map.next_value()?;
                    t.insert(k, v);
                }
                let counted = ["observed", "of", "prior"]
                    .iter()
                    .any(|k| t.contains_key(*k));
                if counted {
                    RawObserved::deserialize(toml::Value::Table(t))
                        .map(RawRate::Observed)
                        .map_err(|e| de::Error::custom(e.message().trim()))
                } else {
                    Uncertain::deserialize(toml::Value::Table(t))
                        .map(RawRate::Probability)
                        .map_err(|e| de::Error::custom(e.message().trim()))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// An observed count and the sample it came from.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawObserved {
    /// Hits seen \[records\].
    pub observed: u64,
    /// Records examined \[records\].
    pub of: u64,
    /// Beta(a, b) prior; the posterior is Beta(a + observed, b + of − observed). Default [1, 1].
    /// A list rather than a pair here, so that a list of another length is reported by validation
    /// (as a pair, serde ignored numbers after the second).
    #[serde(default)]
    pub prior: Option<Vec<f64>>,
}

/// A kind of case: how much work it needs, who may do it and what it leads to.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCaseType {
    pub name: String,
    /// Work per case [person-hours], done by one person. Omit for a stage that needs no staff
    /// (then `delay` is the whole stage and `teams` must be empty).
    #[serde(default)]
    pub effort: Option<DistSpec>,
    /// Elapsed time before work can start that needs no staff (an external panel, a hearing date)
    /// [working days].
    #[serde(default)]
    pub delay: Option<DistSpec>,
    /// Multiplies every case's effort draw (default 1): doubt about the *mean* effort, which
    /// keeps the spread between cases (its coefficient of variation) and the pairing of cases.
    #[serde(default)]
    pub effort_scale: Option<Uncertain>,
    /// Multiplies every case's delay draw (default 1), as `effort_scale` does efforts.
    #[serde(default)]
    pub delay_scale: Option<Uncertain>,
    /// Queue priority: smaller is served first (1 before 2). Default 0.
    #[serde(default)]
    pub priority: i32,
    /// Teams that may work this type, in order of preference.
    #[serde(default)]
    pub teams: Vec<String>,
    /// What happens when a case closes: one outcome is drawn. Empty: the case simply closes.
    #[serde(default)]
    pub routing: Vec<RawOutcome>,
    /// Dirichlet prior pseudo-count per outcome, used when the outcomes are given as counts.
    /// Default 1.
    #[serde(default)]
    pub routing_prior: Option<f64>,
    /// A level of this type's open cases \[cases\] to report "back to target" against: the
    /// moment after which its open cases stay at or below it (`back_to_target` in the results).
    #[serde(default)]
    pub backlog_target: Option<u64>,
}

/// One possible outcome of closing a case.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOutcome {
    /// Label for the reader (e.g. "no further action").
    #[serde(default)]
    pub name: Option<String>,
    /// Probability of this outcome; all outcomes' shares sum to 1.
    #[serde(default)]
    pub share: Option<Uncertain>,
    /// Or: how often this outcome was observed; shares are then drawn per replication from the
    /// Dirichlet posterior. Use either shares or counts for all outcomes of a case type.
    #[serde(default)]
    pub count: Option<u64>,
    /// Case types opened by this outcome (zero or more).
    #[serde(default)]
    pub to: Vec<String>,
}

/// A pool of people who work cases.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTeam {
    pub name: String,
    /// Productive hours per person per working day \[hours\].
    pub hours_per_day: Uncertain,
    /// Output per productive hour relative to an experienced investigator \[dimensionless\]. Default 1.
    #[serde(default)]
    pub productivity: Option<Uncertain>,
    /// When headcount drops: `"finish"` (the person completes the current case, then leaves) or
    /// `"handover"` (the case returns to the front of the queue with its remaining hours).
    #[serde(default)]
    pub on_reduction: ReductionPolicy,
    /// Who is in the team and when; headcount at a moment is the sum of the entries in force.
    pub headcount: Vec<RawHeadcount>,
}

/// What happens to work in hand when a team shrinks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReductionPolicy {
    #[default]
    Finish,
    Handover,
}

impl<'de> Deserialize<'de> for ReductionPolicy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use ReductionPolicy::*;
        keyword(d, &["finish", "handover"], &[Finish, Handover])
    }
}

/// A group of people in a team over a period.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHeadcount {
    /// Label of the entry: needed when one of its settings is uncertain (the assumption is named
    /// after it).
    #[serde(default)]
    pub name: Option<String>,
    /// People \[persons\].
    pub count: u32,
    /// First day they work (default: `start`).
    #[serde(default)]
    pub from: Option<Date>,
    /// Last day they work, inclusive (default: to the horizon).
    #[serde(default)]
    pub to: Option<Date>,
    /// How long they work from `from`, instead of `to`: `"6 months"`, `"13 weeks"`, `"90 days"`,
    /// `"1 year"`; the last day is the day before the same date that long after (`"3 months"`
    /// from 6 April 2023 works to 5 July 2023 inclusive).
    #[serde(default, rename = "for")]
    pub for_: Option<String>,
    /// How many working days they work, instead of `to`: the first is the first working day on
    /// or after `from` [working days].
    #[serde(default)]
    pub working_days: Option<u32>,
    /// The unit they are taken from (e.g. "SOC/CT"); their days are counted as that unit's cost.
    #[serde(default)]
    pub source: Option<String>,
    /// Overrides the team's productivity for this group \[dimensionless\].
    #[serde(default)]
    pub productivity: Option<Uncertain>,
    /// Working days for a newcomer to reach full productivity, rising linearly [working days].
    #[serde(default)]
    pub ramp_up_days: Option<Uncertain>,
    /// Productivity on the first day as a share of full productivity, in (0, 1]. Default 0.5.
    #[serde(default)]
    pub ramp_up_start: Option<Uncertain>,
}

/// A stream of cases arriving over a period.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawArrival {
    pub name: String,
    /// Case type opened by each converted arrival.
    pub case_type: String,
    /// `"poisson"` (default) or `"fixed"` (evenly spaced, the first one 1/rate after `from`).
    #[serde(default)]
    pub process: ArrivalProcess,
    /// Arrivals (e.g. calls) per working day [1/working day].
    pub rate_per_day: Uncertain,
    /// First day of arrivals (default: `start`).
    #[serde(default)]
    pub from: Option<Date>,
    /// Last day of arrivals, inclusive (default: the horizon). An assumption, not a lever (when
    /// callers stop is not the planner's to schedule): a uniform or triangular distribution of
    /// dates is drawn once per replication.
    #[serde(default)]
    pub to: Option<UncertainDate>,
    /// Probability that an arrival becomes a case (e.g. 350 reports from 1,000 calls). Default 1.
    #[serde(default)]
    pub conversion: Option<Uncertain>,
    /// Whether these cases count towards "all cases closed" (false for business-as-usual inflow that
    /// never ends). Default true.
    #[serde(default)]
    pub track: Option<bool>,
}

/// How arrivals are spaced in time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ArrivalProcess {
    #[default]
    Poisson,
    Fixed,
}

impl<'de> Deserialize<'de> for ArrivalProcess {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use ArrivalProcess::*;
        keyword(d, &["poisson", "fixed"], &[Poisson, Fixed])
    }
}

/// Cases already open (or opened in one batch on a date).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBacklog {
    #[serde(default)]
    pub name: Option<String>,
    pub case_type: String,
    /// Cases \[cases\]: a whole number, or a distribution (rounded to the nearest whole number).
    pub count: Uncertain,
    /// When they are opened (default: `start`).
    #[serde(default)]
    pub at: Option<Date>,
    /// Whether they count towards "all cases closed". Default true.
    #[serde(default)]
    pub track: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Holidays {
        holidays: HolidaySet,
    }

    fn holidays(text: &str) -> Result<HolidaySet, String> {
        toml::from_str::<Holidays>(text)
            .map(|h| h.holidays)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn holidays_keyword_names_each_set_and_its_region() {
        for (word, set, region) in [
            (
                "england-and-wales",
                HolidaySet::EnglandAndWales,
                Some(Region::EnglandAndWales),
            ),
            ("scotland", HolidaySet::Scotland, Some(Region::Scotland)),
            (
                "northern-ireland",
                HolidaySet::NorthernIreland,
                Some(Region::NorthernIreland),
            ),
            ("none", HolidaySet::None, None),
        ] {
            assert_eq!(holidays(&format!("holidays = \"{word}\"")), Ok(set));
            assert_eq!(set.region(), region);
            // Written back as read, so an echoed scenario reads the same.
            assert_eq!(
                toml::Value::try_from(set).unwrap(),
                toml::Value::String(word.into())
            );
        }
        assert_eq!(RawCalendar::default().holidays, HolidaySet::EnglandAndWales);
        // Keywords are exact: no other spelling or case, and the message lists them all.
        let all = "expected one of `england-and-wales`, `scotland`, `northern-ireland`, `none`";
        for bad in ["Scotland", "northern_ireland", "wales", "uk", ""] {
            let e = holidays(&format!("holidays = \"{bad}\"")).unwrap_err();
            assert!(
                e.contains(&format!("unknown variant `{bad}`, {all}")),
                "{e}"
            );
        }
        let e = holidays("holidays = 1").unwrap_err();
        assert!(
            e.contains(
                "expected \"england-and-wales\", \"scotland\", \"northern-ireland\" or \"none\""
            ),
            "{e}"
        );
    }
}
