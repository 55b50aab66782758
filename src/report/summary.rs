//! The summary of a run: every metric with its mean, Monte Carlo standard error and quantiles, and
//! the meta envelope that ties it to the scenario text, seed and crate versions.
//!
//! Built from a finished [`RunResult`] only, so that charts and exports can be re-made from the
//! written summary without simulating. Floats are summed sequentially in replication order, so the
//! numbers do not depend on the thread count.
//!
//! The semantics in prose, with every policy and metric: `docs/model.md` (keep it in step).

use crate::engine::{RecordSet, RecordsError, RunResult};
use crate::model::{RepRecord, TypeRecord};
use crate::scenario::Scenario;
use crate::stats::{
    CountHist, Estimate, LogHist, QUANTILE_PROBS, mean_and_mcse, quantile_interval_sorted,
    quantile_type7_sorted, quantile_type7_sorted_then, ratio_estimate,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Version of the crates whose algorithms decide the numbers (pinned in Cargo.toml).
pub const RAND_VERSION: &str = "0.10.3";
pub const RAND_DISTR_VERSION: &str = "0.6.0";
/// The statrs version pinned in Cargo.toml: the assumptions' Beta, gamma and normal quantiles.
pub const STATRS_VERSION: &str = "0.19.1";

/// Confidence of the intervals for quantiles across replications (`p50_ci`, `p90_ci`).
pub const CI_LEVEL: f64 = 0.95;

/// Version of the format of the results files (`summary.json`, `summary.csv`, `daily.csv`,
/// `replications.csv`, `comparison.json`, `comparison.csv`, `sensitivity.json`,
/// `sensitivity.csv`), in every `meta`. Raised whenever a
/// file gains, loses or changes a field, so that readers can tell which layout they hold.
///
/// - 5 (vetsim 0.7.0): `comparison.json` gains `versus_variants` in each variant: its last case
///   closing against every variant's (itself included, in order), the mean of the paired
///   differences and its standard error, so that two variants can be told apart beyond chance.
///   No other file gains or loses a field. No number changed, but for a setting written as
///   -0.0, which is now 0 (it showed as -0.0), and variant labels of an experiment whose
///   `[[experiment.vary]]` has a `label`: they use it (`Vetting officers=6`, was
///   `vetting_unit.headcount=6`).
/// - 4 (vetsim 0.6.0): every CSV holds one type per column, so pandas and polars read it
///   without options. Reals are always written with a point (`0.0`, `12.0`), in
///   `replications.csv`, `summary.csv`, `comparison.csv` and `sensitivity.csv`. `summary.csv` has
///   one row per metric and group: the `unit = "date"` rows are gone, a date metric's dates are
///   in new `mean_date`, `p5_date` … `p95_date` columns. `comparison.csv` leaves a date beyond
///   the horizon empty (it wrote `not by horizon`), and a varied setting's column of numbers
///   with some not whole is written all as reals. No number changed. New, where a case type
///   has a `backlog_target`: a `back_to_target` metric (with its `target`) per such type in
///   `summary.json` and `summary.csv`, and `back_to_target_days__<type>` in `replications.csv`.
///   New for every scenario: team utilisation (busy over on-duty person-time), `utilisation` rows
///   in `daily.csv`, `utilisation` (per team) and `utilisation_in_period` (per headcount entry,
///   key `period`) metrics in `summary.json` and `summary.csv` (group `team` or
///   `team.headcount[k]`), and `busy_person_days__T`, `on_duty_person_days__T`,
///   `utilisation__T` (and the same per period) last in `replications.csv`.
///   Every results directory of `run`, `compare` and `sensitivity` gains `report.html` (built
///   from the directory's files, listed in the manifest like the charts).
/// - 3 (vetsim 0.4.0): assumptions. `meta.assumptions` lists them (name, source, settings that
///   use them, low/central/high) and `meta.statrs` the version of their quantiles;
///   `replications.csv` gains `assumption__<name>` columns (a counted routing: one per outcome,
///   its share). Results move: hit rates from counts, counted routings and a distribution-valued
///   pace or factor are drawn by inverse CDF from streams keyed by name (they were sampled from
///   streams keyed by index). `meta.split.assumptions` holds assumption names; with `--split`
///   the headline metrics gain `fixed_assumptions` (P10/P50/P90 with every assumption at its
///   median). An assumption of dates (an arrival stream's end) has `unit` in `meta.assumptions`
///   (its values are in working days since the start); no other entry has it.
/// - 2 (vetsim 0.3.0): every results directory holds `scenario.toml` (the scenario as run) and a
///   manifest (the SHA-256 of every file) as the last key of its main JSON file;
///   `meta.scenario_file` is the file name alone; `meta` gains `platform`, `reproducible_on` and
///   (with a warm-up) `warmup`; `replications.csv` gains `measured__<type>`; metrics taken
///   across replications gain `p50_ci` and `p90_ci` (and in `dates`); with `run --split`,
///   `meta.split` and the headline metrics' `assumptions_share` and `assumptions_share_mcse`.
/// - 1: earlier versions (no `format_version` key).
pub const FORMAT_VERSION: u32 = 5;

/// The platform the byte-for-byte promise is proved on (CI's): draws and statistics call the
/// platform's `exp`, `ln` and `powf` (through the standard library and rand_distr), which other
/// maths libraries (macOS, Windows, musl) may round differently in the last bit.
pub const PROMISED_PLATFORM: &str = "x86_64-linux-gnu";

/// What `meta.reproducible_on` says, in every `meta`.
pub const REPRODUCIBLE_ON: &str = "byte for byte, the same scenario, seed and vetsim version on x86_64-linux-gnu (what CI checks); other platforms give the same results up to the last bits of floating-point numbers";

/// The platform this binary computes on, as `arch-os-env` (e.g. `x86_64-linux-gnu`,
/// `aarch64-macos`, `x86_64-windows-msvc`).
pub fn platform() -> String {
    let env = if cfg!(target_env = "gnu") {
        "-gnu"
    } else if cfg!(target_env = "musl") {
        "-musl"
    } else if cfg!(target_env = "msvc") {
        "-msvc"
    } else {
        ""
    };
    format!("{}-{}{env}", std::env::consts::ARCH, std::env::consts::OS)
}

/// The whole `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub meta: Meta,
    pub metrics: Vec<Metric>,
    /// Headcount by team as steps, for the staffing chart.
    pub staffing: Vec<TeamStaffing>,
}

impl Summary {
    /// Whether the run tracked no work: no screening, and the last tracked case "closed" at
    /// time 0 in every replication, as when every stream and backlog is `track = false` (the
    /// M/M/c checks). Its completion figures are then all the start date, which would read as
    /// work finished on day one: the chart, the page and the terminal say there is none.
    pub fn tracks_nothing(&self) -> bool {
        let find = |name: &str| {
            self.metrics
                .iter()
                .find(|m| m.metric == name && m.case_type.is_none())
        };
        find("screening_complete").is_none()
            && find("all_cases_closed").is_some_and(|m| m.censored == 0 && m.p95 == Some(0.0))
    }
}

/// The first keys of every `meta` (run, comparison, solution): which tool, version and format
/// wrote it, and on what platform. Serialised flat, in this order, ahead of the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub tool: String,
    pub version: String,
    /// Version of the format of the results files ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// Where these numbers were computed ([`platform`]), and what the byte-for-byte promise
    /// covers ([`REPRODUCIBLE_ON`]).
    pub platform: String,
    pub reproducible_on: String,
}

impl Tool {
    /// This binary's.
    pub fn this() -> Tool {
        Tool {
            tool: "vetsim".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            format_version: FORMAT_VERSION,
            platform: platform(),
            reproducible_on: REPRODUCIBLE_ON.into(),
        }
    }
}

/// Provenance: enough to reproduce the run exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    #[serde(flatten)]
    pub tool: Tool,
    pub scenario: String,
    pub scenario_description: Option<String>,
    pub scenario_file: String,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_hash: String,
    pub seed: u64,
    pub replications: u64,
    pub start: String,
    pub horizon: String,
    /// Working days from start to horizon.
    pub horizon_working_days: u64,
    /// With `run --split`: how the share of the spread that comes from the assumptions was
    /// estimated, and from what.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<SplitMeta>,
    /// The first day whose newly opened cases are in the waiting and time-in-system statistics,
    /// when the scenario has a warm-up (`null` otherwise: every case is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup: Option<String>,
    /// Screening cohort and target, when the scenario screens.
    pub screening_records: Option<u64>,
    pub screening_already_checked: Option<u64>,
    pub screening_target: Option<String>,
    /// When the progress observed by `start` (`screening_already_checked`) began, if the pace was
    /// inferred from it.
    #[serde(default)]
    pub screening_observed_since: Option<String>,
    pub case_types: Vec<String>,
    pub sources: Vec<String>,
    /// The scenario's assumptions (named beliefs drawn once per replication), in the order of
    /// their `assumption__` columns in `replications.csv`.
    pub assumptions: Vec<AssumptionMeta>,
    pub rand: String,
    pub rand_distr: String,
    pub statrs: String,
    pub time_unit: String,
    pub quantile_method: String,
    pub common_random_numbers: String,
}

/// One entry of `meta.assumptions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssumptionMeta {
    pub name: String,
    /// Declared in `[assumptions]` (otherwise named by the setting that holds it).
    pub declared: bool,
    /// Where it comes from, as the scenario says.
    pub source: Option<String>,
    /// The settings that take its value.
    pub uses: Vec<String>,
    /// Its P10, median (the central value) and P90; for a counted routing, of its largest
    /// outcome's share (`outcome`).
    pub low: f64,
    pub central: f64,
    pub high: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// For a distribution of dates (an arrival stream's end), what `low`, `central` and `high`
    /// are: [`DATE_ASSUMPTION_UNIT`]. Absent for others, whose unit is their settings'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// The unit of a date assumption's values in `meta.assumptions` and `replications.csv`: the
/// time the engine draws, on the working-day axis extended past the horizon.
pub const DATE_ASSUMPTION_UNIT: &str = "working days since the start";

impl AssumptionMeta {
    /// Every assumption of `s`.
    pub fn of(s: &Scenario) -> Vec<AssumptionMeta> {
        use crate::scenario::assume::AssumptionKind;
        s.assumptions
            .list
            .iter()
            .map(|a| AssumptionMeta {
                name: a.name.clone(),
                declared: a.declared,
                source: a.source.clone(),
                uses: a.uses.clone(),
                low: a.low,
                central: a.central,
                high: a.high,
                outcome: match &a.kind {
                    AssumptionKind::Scalar => None,
                    AssumptionKind::Routing {
                        case_type, largest, ..
                    } => Some(
                        s.case_types[*case_type].routing.outcomes[*largest]
                            .name
                            .clone(),
                    ),
                },
                unit: a.of_dates.then(|| DATE_ASSUMPTION_UNIT.to_string()),
            })
            .collect()
    }
}

/// `meta.split`: the twin-replication estimate of the assumptions' share of the spread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitMeta {
    /// The epistemic inputs, by the setting's path (empty: nothing is uncertain, every share 0).
    pub assumptions: Vec<String>,
    /// Twin replications run (one per replication; 0 when nothing is uncertain).
    pub twins: u64,
    pub method: String,
}

/// One metric. Numbers are in `unit`; for date metrics `dates` gives the same estimates as ISO
/// dates. A quantile is `null` when it falls among censored replications (not by the horizon).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    pub metric: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The level the metric is measured against (`back_to_target`: the case type's
    /// `backlog_target` \[cases\]); absent for other metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<u64>,
    /// The team of a `utilisation` or `utilisation_in_period` metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// The headcount entry whose span a `utilisation_in_period` metric covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    pub unit: String,
    /// Observations behind the estimate: replications, or cases for pooled case metrics.
    pub n: u64,
    /// Replications not finished by the horizon (date metrics only; 0 otherwise).
    pub censored: u64,
    pub censored_share: f64,
    pub mean: Option<f64>,
    /// Monte Carlo standard error of the mean.
    pub mcse: Option<f64>,
    pub p5: Option<f64>,
    pub p10: Option<f64>,
    pub p25: Option<f64>,
    pub p50: Option<f64>,
    pub p75: Option<f64>,
    pub p90: Option<f64>,
    pub p95: Option<f64>,
    /// 95 % distribution-free intervals `[low, high]` for the P50 and the P90, from order
    /// statistics (`stats::quantile_interval_sorted`): for metrics taken across replications
    /// only (absent for pooled per-case metrics, whose values cluster by replication). `null`
    /// when there are too few replications; a bound among censored replications is `null`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub p50_ci: Option<Option<[Option<f64>; 2]>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub p90_ci: Option<Option<[Option<f64>; 2]>>,
    /// With `run --split` (the four headline outputs only): the share of the spread over
    /// replications that comes from the assumptions (epistemic inputs) rather than chance, by
    /// twin replications (`stats::assumptions_share`), and its jackknife standard error. Exactly
    /// 0 when nothing is uncertain; `null` when the output does not vary. Interactions of
    /// assumption and chance count as chance.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub assumptions_share: Option<Option<f64>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub assumptions_share_mcse: Option<Option<f64>>,
    /// With `run --split` (the headline outputs only): the P10, P50 and P90 with every
    /// assumption at its median and chance as drawn (the same random numbers): the band there
    /// would be if the assumptions were known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_assumptions: Option<FixedBand>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dates: Option<DateEstimates>,
    /// For the completion metrics: the empirical distribution function by working day, one point
    /// per day on which some replication finished. Censored replications never finish, so the
    /// last share is `1 - censored_share`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<Vec<CdfPoint>>,
}

/// The span of one headcount entry of a team (`utilisation_in_period`): its working days within
/// the run, `from` to `to` inclusive (`null` when it has none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Period {
    /// Index of the entry in the team's `headcount` list (0-based).
    pub entry: usize,
    /// The entry's people \[persons\], and those of them lent by a source unit.
    pub headcount: u64,
    pub lent: u64,
    pub from: Option<String>,
    pub to: Option<String>,
    /// The same as working days: the first, and the one after the last (an end, exclusive).
    pub from_working_day: u64,
    pub to_working_day: u64,
}

/// How many replications had finished by the end of a working day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CdfPoint {
    pub date: String,
    pub working_day: u64,
    /// Replications finished by the end of this day \[replications\], of `n`.
    pub finished: u64,
    /// `finished / n`.
    pub share: f64,
}

/// Date forms of a date metric's estimates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DateEstimates {
    pub mean: Option<String>,
    pub p5: Option<String>,
    pub p10: Option<String>,
    pub p25: Option<String>,
    pub p50: Option<String>,
    pub p75: Option<String>,
    pub p90: Option<String>,
    pub p95: Option<String>,
    /// The intervals of the metric's `p50_ci` and `p90_ci`, as dates.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub p50_ci: Option<Option<[Option<String>; 2]>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub p90_ci: Option<Option<[Option<String>; 2]>>,
}

/// A metric's band with every assumption at its median (`fixed_assumptions`). A quantile is
/// `null` when it falls among censored replications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixedBand {
    pub p10: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    /// The same as dates, for date metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dates: Option<[Option<String>; 3]>,
}

/// A key that is present, `null` or not, is `Some` (with `#[serde(default)]`, an absent one is
/// `None`): so that "no interval for this kind of metric" and "too few replications for one"
/// read back as they were written.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// One team's headcount over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamStaffing {
    pub team: String,
    /// Source units lending people to this team.
    pub sources: Vec<String>,
    pub steps: Vec<StaffStep>,
}

/// Headcount from a date on (until the next step).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffStep {
    pub date: String,
    pub working_day: u64,
    pub headcount: u64,
    /// Of which lent by source units.
    pub lent: u64,
}

impl Metric {
    fn blank(metric: &str, unit: &str, n: u64) -> Metric {
        Metric {
            metric: metric.to_string(),
            case_type: None,
            source: None,
            category: None,
            target: None,
            team: None,
            period: None,
            unit: unit.to_string(),
            n,
            censored: 0,
            censored_share: 0.0,
            mean: None,
            mcse: None,
            p5: None,
            p10: None,
            p25: None,
            p50: None,
            p75: None,
            p90: None,
            p95: None,
            p50_ci: None,
            p90_ci: None,
            assumptions_share: None,
            fixed_assumptions: None,
            assumptions_share_mcse: None,
            dates: None,
            distribution: None,
        }
    }

    /// The quantiles in [`QUANTILE_PROBS`] order.
    pub fn quantiles(&self) -> [Option<f64>; 7] {
        [
            self.p5, self.p10, self.p25, self.p50, self.p75, self.p90, self.p95,
        ]
    }

    fn set_quantiles(&mut self, q: [Option<f64>; 7]) {
        [
            self.p5, self.p10, self.p25, self.p50, self.p75, self.p90, self.p95,
        ] = q;
    }

    fn set_estimate(&mut self, e: Option<Estimate>) {
        self.mean = e.map(|e| e.mean);
        self.mcse = e.map(|e| e.mcse);
    }
}

/// A metric over replications from one value each; `None` values are censored and sort above
/// everything (a quantile that lands on them is `None`).
fn per_rep(metric: &str, unit: &str, values: &[Option<f64>]) -> Metric {
    let n = values.len() as u64;
    let mut m = Metric::blank(metric, unit, n);
    let censored = values.iter().filter(|v| v.is_none()).count() as u64;
    m.censored = censored;
    m.censored_share = if n > 0 {
        censored as f64 / n as f64
    } else {
        0.0
    };
    let mut sorted: Vec<f64> = values.iter().map(|v| v.unwrap_or(f64::INFINITY)).collect();
    // A total order: the unstable sort gives the one sorted vector, faster.
    sorted.sort_unstable_by(f64::total_cmp);
    let q = QUANTILE_PROBS.map(|p| quantile_type7_sorted(&sorted, p).filter(|x| x.is_finite()));
    m.set_quantiles(q);
    m.p50_ci = Some(quantile_interval_sorted(&sorted, 0.5, CI_LEVEL));
    m.p90_ci = Some(quantile_interval_sorted(&sorted, 0.9, CI_LEVEL));
    if censored == 0 {
        let v: Vec<f64> = values.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
        m.set_estimate(mean_and_mcse(&v));
    }
    m
}

/// A pooled per-case metric: mean by the ratio estimator over replications, quantiles from the
/// pooled histogram.
fn pooled(metric: &str, unit: &str, nums: &[f64], dens: &[f64], hist: &LogHist) -> Metric {
    let mut m = Metric::blank(metric, unit, hist.count());
    m.set_estimate(ratio_estimate(nums, dens));
    m.set_quantiles(QUANTILE_PROBS.map(|p| hist.quantile(p)));
    m
}

/// The date of `v` working days: the date of working day ⌊v⌋ when `v` is a day index (the
/// screening's last day), else the date at time `v`.
pub fn date_of(s: &Scenario, v: f64, as_day_index: bool) -> String {
    if as_day_index {
        s.calendar
            .date_of_day(v.floor().max(0.0) as usize)
            .unwrap_or(s.horizon)
            .to_string()
    } else {
        s.calendar.date_at_time(v).to_string()
    }
}

/// One of the headline outputs that the split and `vetsim sensitivity` speak of: a metric of
/// `summary.json` (with its case type: `cases_opened` by type and `all`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headline {
    pub metric: &'static str,
    pub case_type: Option<String>,
}

/// The headline outputs of a scenario, in summary order: the screening's end (when it screens),
/// the last case closing, the peak caseload, and cases opened by case type and in all.
pub fn headlines(s: &Scenario) -> Vec<Headline> {
    let mut v = Vec::new();
    if s.screening.is_some() {
        v.push(Headline {
            metric: "screening_complete",
            case_type: None,
        });
    }
    for metric in ["all_cases_closed", "peak_open_cases"] {
        v.push(Headline {
            metric,
            case_type: None,
        });
    }
    for name in s
        .case_types
        .iter()
        .map(|c| c.name.clone())
        .chain(["all".into()])
    {
        v.push(Headline {
            metric: "cases_opened",
            case_type: Some(name),
        });
    }
    v
}

/// The values of the [`headlines`] in one replication, in their order, as their metrics take
/// them [working days, or cases]; `None`: not by the horizon.
pub fn headline_values(s: &Scenario, x: &RepRecord) -> Vec<Option<f64>> {
    let mut v = Vec::new();
    if s.screening.is_some() {
        v.push(x.screening_last_day.map(f64::from));
    }
    v.push(x.all_closed);
    v.push(Some(f64::from(x.peak_open)));
    for t in &x.types {
        v.push(Some(f64::from(t.opened)));
    }
    v.push(Some(f64::from(x.all.opened)));
    v
}

fn with_dates(mut m: Metric, s: &Scenario, as_day_index: bool) -> Metric {
    let to_date = |x: Option<f64>| x.map(|v| date_of(s, v, as_day_index));
    m.dates = Some(DateEstimates {
        mean: to_date(m.mean),
        p5: to_date(m.p5),
        p10: to_date(m.p10),
        p25: to_date(m.p25),
        p50: to_date(m.p50),
        p75: to_date(m.p75),
        p90: to_date(m.p90),
        p95: to_date(m.p95),
        p50_ci: m.p50_ci.map(|ci| ci.map(|[a, b]| [to_date(a), to_date(b)])),
        p90_ci: m.p90_ci.map(|ci| ci.map(|[a, b]| [to_date(a), to_date(b)])),
    });
    m
}

/// The distribution of a completion metric over replications: `days` holds, per replication, the
/// working day on which it finished (`None`: not by the horizon).
fn with_distribution(mut m: Metric, s: &Scenario, days: &[Option<u64>]) -> Metric {
    let mut sorted: Vec<u64> = days.iter().flatten().copied().collect();
    sorted.sort_unstable();
    let n = days.len().max(1) as f64;
    let mut points: Vec<CdfPoint> = Vec::new();
    for (i, &d) in sorted.iter().enumerate() {
        let finished = i as u64 + 1;
        match points.last_mut() {
            Some(p) if p.working_day == d => {
                p.finished = finished;
                p.share = finished as f64 / n;
            }
            _ => points.push(CdfPoint {
                date: s
                    .calendar
                    .date_of_day(d as usize)
                    .unwrap_or(s.horizon)
                    .to_string(),
                working_day: d,
                finished,
                share: finished as f64 / n,
            }),
        }
    }
    m.distribution = Some(points);
    m
}

/// The working day in which time `t` [working days] falls, by the calendar's convention that
/// day d spans (d, d + 1] for completions (t = 0 is day 0).
fn day_of_time(t: f64) -> u64 {
    (t.ceil() - 1.0).max(0.0) as u64
}

/// Merges the pooled histograms of several case types.
fn merged(hists: &[LogHist]) -> LogHist {
    let mut h = LogHist::new();
    for x in hists {
        h.merge(x);
    }
    h
}

/// Replications above which the summary works on two case types at a time (see
/// [`summarise_records`]).
const TYPES_AT_ONCE_ABOVE: usize = 20_000;

/// Builds the summary of a finished run whose records are in memory.
pub fn summarise(s: &Scenario, r: &RunResult) -> Summary {
    summarise_records(s, r).expect("records in memory are read without fail")
}

/// The per-replication values the summary's first metrics need, read in one pass.
struct Top {
    screening_last_day: Option<u32>,
    all_closed: Option<f64>,
    peak_open: u32,
    peak_time: f64,
    open_at_end: u32,
}

/// Builds the summary of a finished run, reading its records (which may be on disk: see
/// [`crate::engine::Records`]) a few values at a time, so that no more than a few columns of
/// numbers are held at once.
pub fn summarise_records<R: RecordSet>(
    s: &Scenario,
    r: &RunResult<R>,
) -> Result<Summary, RecordsError> {
    let recs = &r.records;
    let n_recs = recs.count();
    let mut metrics = Vec::new();
    let top = recs.column(|x| Top {
        screening_last_day: x.screening_last_day,
        all_closed: x.all_closed,
        peak_open: x.peak_open,
        peak_time: x.peak_time,
        open_at_end: x.open_at_end,
    })?;

    if s.screening.is_some() {
        let v: Vec<Option<f64>> = top
            .iter()
            .map(|x| x.screening_last_day.map(f64::from))
            .collect();
        let days: Vec<Option<u64>> = top
            .iter()
            .map(|x| x.screening_last_day.map(u64::from))
            .collect();
        metrics.push(with_distribution(
            with_dates(per_rep("screening_complete", "working day", &v), s, true),
            s,
            &days,
        ));
        if let Some(target) = s.screening.as_ref().and_then(|x| x.target) {
            // Share of replications whose last screening day is on or before the target date.
            let last_ok = s.calendar.last_day_on_or_before(target);
            let hits = top
                .iter()
                .filter(|x| match (x.screening_last_day, last_ok) {
                    (Some(d), Some(t)) => d as usize <= t,
                    _ => false,
                })
                .count() as f64;
            let n = n_recs.max(1) as f64;
            let mut m = Metric::blank(
                "screening_by_target",
                "share of replications",
                n_recs as u64,
            );
            m.mean = Some(hits / n);
            m.mcse = Some((hits / n * (1.0 - hits / n) / n).sqrt());
            metrics.push(m);
        }
    }
    let v: Vec<Option<f64>> = top.iter().map(|x| x.all_closed).collect();
    let days: Vec<Option<u64>> = v.iter().map(|x| x.map(day_of_time)).collect();
    metrics.push(with_distribution(
        with_dates(per_rep("all_cases_closed", "working days", &v), s, false),
        s,
        &days,
    ));
    let censored = v.iter().filter(|x| x.is_none()).count() as f64;
    let mut cs = Metric::blank("censored_share", "share of replications", n_recs as u64);
    let share = censored / n_recs.max(1) as f64;
    cs.mean = Some(share);
    cs.mcse = Some((share * (1.0 - share) / n_recs.max(1) as f64).sqrt());
    metrics.push(cs);

    let v: Vec<Option<f64>> = top.iter().map(|x| Some(x.peak_open as f64)).collect();
    metrics.push(per_rep("peak_open_cases", "cases", &v));
    let v: Vec<Option<f64>> = top.iter().map(|x| Some(x.peak_time)).collect();
    metrics.push(with_dates(
        per_rep("peak_open_time", "working days", &v),
        s,
        false,
    ));
    let v: Vec<Option<f64>> = top.iter().map(|x| Some(x.open_at_end as f64)).collect();
    metrics.push(per_rep("open_cases_at_end", "cases", &v));
    drop(top);

    // Per case type, then all together.
    let n_types = s.case_types.len();
    // Index n_types stands for all types together.
    let type_of = |r: &'_ RepRecord, i: usize| -> TypeRecord {
        if i < n_types {
            r.types[i].clone()
        } else {
            r.all.clone()
        }
    };
    let targets = s.backlog_targets();
    let all_wait = merged(&r.pooled.wait);
    let all_tis = merged(&r.pooled.time_in_system);
    // Types are independent (a sort of every replication's values per metric): summarised in
    // parallel in the caller's rayon pool, kept in type order. Each holds columns of every
    // replication's values while it runs (about 0.1 KB a replication), so a long run
    // summarises two at a time: peak memory then does not grow with the thread count.
    let types: Vec<usize> = (0..=n_types).collect();
    let at_once = if n_recs > TYPES_AT_ONCE_ABOVE {
        2
    } else {
        types.len()
    };
    let mut by_type: Vec<Vec<Metric>> = Vec::with_capacity(types.len());
    for batch in types.chunks(at_once.max(1)) {
        let done: Vec<Vec<Metric>> = batch
            .par_iter()
            .map(|&i| -> Result<Vec<Metric>, RecordsError> {
                let mut metrics = Vec::new();
                let name = Some(if i < n_types {
                    s.case_types[i].name.clone()
                } else {
                    "all".to_string()
                });
                let (wh, th) = if i < n_types {
                    (&r.pooled.wait[i], &r.pooled.time_in_system[i])
                } else {
                    (&all_wait, &all_tis)
                };
                let tr: Vec<TypeRecord> = recs.column(|x| type_of(x, i))?;
                // The denominators of the waiting statistics: closed cases opened after the
                // warm-up (all closed cases without one).
                let measured: Vec<f64> = tr.iter().map(|t| t.measured as f64).collect();
                let mut push = |mut m: Metric| {
                    m.case_type = name.clone();
                    metrics.push(m);
                };
                push(per_rep(
                    "cases_opened",
                    "cases",
                    &tr.iter().map(|t| Some(t.opened as f64)).collect::<Vec<_>>(),
                ));
                push(per_rep(
                    "cases_closed",
                    "cases",
                    &tr.iter().map(|t| Some(t.closed as f64)).collect::<Vec<_>>(),
                ));
                push(pooled(
                    "wait_days",
                    "working days",
                    &tr.iter().map(|t| t.sum_wait).collect::<Vec<_>>(),
                    &measured,
                    wh,
                ));
                push(pooled(
                    "time_in_system_days",
                    "working days",
                    &tr.iter().map(|t| t.sum_time_in_system).collect::<Vec<_>>(),
                    &measured,
                    th,
                ));
                let mut ws = Metric::blank("waited_share", "share of closed cases", wh.count());
                ws.set_estimate(ratio_estimate(
                    &tr.iter().map(|t| t.waited as f64).collect::<Vec<_>>(),
                    &measured,
                ));
                push(ws);
                let mean_of = |f: &dyn Fn(&TypeRecord) -> f64| -> Vec<Option<f64>> {
                    tr.iter()
                        .map(|t| if t.measured > 0 { Some(f(t)) } else { None })
                        .collect()
                };
                let finite =
                    |v: Vec<Option<f64>>| -> Vec<f64> { v.into_iter().flatten().collect() };
                for (metric, vals) in [
                    (
                        "wait_days_rep_mean",
                        finite(mean_of(&|t| t.sum_wait / t.measured as f64)),
                    ),
                    ("wait_days_rep_p90", finite(mean_of(&|t| t.p90_wait))),
                    (
                        "time_in_system_days_rep_mean",
                        finite(mean_of(&|t| t.sum_time_in_system / t.measured as f64)),
                    ),
                    (
                        "time_in_system_days_rep_p90",
                        finite(mean_of(&|t| t.p90_time_in_system)),
                    ),
                ] {
                    let mut m = per_rep(
                        metric,
                        "working days",
                        &vals.iter().map(|x| Some(*x)).collect::<Vec<_>>(),
                    );
                    m.censored = 0;
                    push(m);
                }
                // When the type's open cases are back at or below its target for good, like
                // `all_cases_closed`: censored (never) when they are above it at the horizon.
                if let Some(k) = targets.iter().position(|&(ty, _)| ty == i) {
                    let v: Vec<Option<f64>> = recs.column(|x| x.back_to_target[k])?;
                    let days: Vec<Option<u64>> = v.iter().map(|x| x.map(day_of_time)).collect();
                    let mut m = with_distribution(
                        with_dates(per_rep("back_to_target", "working days", &v), s, false),
                        s,
                        &days,
                    );
                    m.target = Some(targets[k].1);
                    push(m);
                }
                Ok(metrics)
            })
            .collect::<Result<_, _>>()?;
        by_type.extend(done);
    }
    metrics.extend(by_type.into_iter().flatten());

    for (si, src) in s.sources.iter().enumerate() {
        let v: Vec<Option<f64>> = recs.column(|x| Some(x.source_days[si]))?;
        let mut m = per_rep("diverted_officer_days", "officer-days", &v);
        m.source = Some(src.clone());
        metrics.push(m);
    }
    if let Some(sc) = &s.screening {
        for (ci, cat) in sc.hits.iter().enumerate() {
            let v: Vec<Option<f64>> = recs.column(|x| Some(x.hit_rates[ci]))?;
            let mut m = per_rep("hit_rate", "probability per record", &v);
            m.category = Some(cat.name.clone());
            metrics.push(m);
        }
    }

    metrics.extend(utilisation_metrics(s, recs)?);

    Ok(Summary {
        meta: meta(s, r.seed, r.replications),
        metrics,
        staffing: staffing(s),
    })
}

/// The group label of a `utilisation_in_period` metric in `summary.csv` and its column in
/// `replications.csv` (validation keeps it apart from every team's name).
pub use crate::scenario::period_label;

/// A per-replication utilisation metric: over the replications in which it is defined
/// (someone was on duty), so `n` may be fewer than the replications; all `null` when none.
fn utilisation_metric(metric: &str, values: Vec<Option<f64>>) -> Metric {
    let defined: Vec<Option<f64>> = values.into_iter().filter(Option::is_some).collect();
    per_rep(metric, "share of on-duty person-time", &defined)
}

/// `utilisation` by team (over each replication's whole run) and `utilisation_in_period` by team
/// and headcount entry.
fn utilisation_metrics(s: &Scenario, recs: &impl RecordSet) -> Result<Vec<Metric>, RecordsError> {
    let mut metrics = Vec::new();
    for (tm, team) in s.teams.iter().enumerate() {
        let v = recs.column(|x| x.teams[tm].utilisation())?;
        let mut m = utilisation_metric("utilisation", v);
        m.team = Some(team.name.clone());
        metrics.push(m);
    }
    let h = s.horizon_time();
    let mut g = 0;
    for team in &s.teams {
        for (k, entry) in team.staff.iter().enumerate() {
            let v = recs.column(|x| x.periods[g].utilisation())?;
            let mut m = utilisation_metric("utilisation_in_period", v);
            m.team = Some(team.name.clone());
            // As `Prepared` clips it: whole working days within [0, horizon].
            let first = entry.from.clamp(0.0, h) as u64;
            let past = (entry.to.clamp(0.0, h) as u64).max(first);
            let day = |d: u64| s.calendar.date_of_day(d as usize).map(|x| x.to_string());
            m.period = Some(Period {
                entry: k,
                headcount: u64::from(entry.count),
                lent: if entry.source.is_some() {
                    u64::from(entry.count)
                } else {
                    0
                },
                from: (past > first).then(|| day(first)).flatten(),
                to: (past > first).then(|| day(past - 1)).flatten(),
                from_working_day: first,
                to_working_day: past,
            });
            metrics.push(m);
            g += 1;
        }
    }
    Ok(metrics)
}

/// [`summarise`], with the assumptions' share of the spread of the headline outputs when the
/// twins of the run's replications are given (`run --split`; see [`crate::engine::run_twins`]),
/// and their band with every assumption at its median from `central` (the same replications
/// run with [`crate::engine::run_central`]). With nothing uncertain the shares are exactly 0,
/// the bands equal the run's own, and `twins` and `central` may be empty.
pub fn summarise_split(
    s: &Scenario,
    r: &RunResult,
    twins: &[RepRecord],
    central: &[RepRecord],
) -> Summary {
    summarise_split_records(s, r, twins, central).expect("records in memory are read without fail")
}

/// [`summarise_split`] of a run whose records may be on disk (see [`summarise_records`]).
pub fn summarise_split_records<R: RecordSet>(
    s: &Scenario,
    r: &RunResult<R>,
    twins: &[RepRecord],
    central: &[RepRecord],
) -> Result<Summary, RecordsError> {
    let mut sum = summarise_records(s, r)?;
    let heads = headlines(s);
    // With nothing uncertain, the run is its own fixed-assumption run.
    let cs: Vec<Vec<Option<f64>>> = if central.is_empty() {
        r.records.column(|x| headline_values(s, x))?
    } else {
        central.iter().map(|x| headline_values(s, x)).collect()
    };
    let assumptions = s.epistemic_inputs();
    let horizon = s.horizon_time();
    // The headline outputs of a replication, with min(Y, horizon) for those not by the horizon.
    let outputs = |x: &RepRecord| -> Vec<f64> {
        headline_values(s, x)
            .into_iter()
            .map(|v| v.unwrap_or(horizon))
            .collect()
    };
    let ys: Vec<Vec<f64>> = r.records.column(outputs)?;
    let ts: Vec<Vec<f64>> = twins.iter().map(outputs).collect();
    for (
        k,
        Headline {
            metric: name,
            case_type: group,
        },
    ) in heads.iter().enumerate()
    {
        if ys.is_empty() {
            break;
        }
        let y: Vec<f64> = ys.iter().map(|v| v[k]).collect();
        // An output that does not vary has no spread to split (null), whatever is uncertain.
        let varies = y.iter().any(|&x| x != y[0]);
        let share = if !varies {
            None
        } else if assumptions.is_empty() {
            Some(crate::stats::Share {
                mean: 0.0,
                mcse: Some(0.0),
            })
        } else {
            let t: Vec<f64> = ts.iter().map(|v| v[k]).collect();
            crate::stats::assumptions_share(&y, &t)
        };
        if let Some(m) = sum
            .metrics
            .iter_mut()
            .find(|m| m.metric == *name && m.case_type == *group)
        {
            m.assumptions_share = Some(share.map(|x| x.mean));
            m.assumptions_share_mcse = Some(share.and_then(|x| x.mcse));
            let c: Vec<Option<f64>> = cs.iter().map(|v| v[k]).collect();
            let mut band = per_rep(name, &m.unit, &c);
            let dates = m.dates.is_some().then(|| {
                band = with_dates(band.clone(), s, *name == "screening_complete");
                let d = band.dates.as_ref().expect("with_dates sets dates");
                [d.p10.clone(), d.p50.clone(), d.p90.clone()]
            });
            m.fixed_assumptions = Some(FixedBand {
                p10: band.p10,
                p50: band.p50,
                p90: band.p90,
                dates,
            });
        }
    }
    sum.meta.split = Some(SplitMeta {
        twins: twins.len() as u64,
        assumptions,
        method: format!(
            "twin replications (the same assumptions, chance from another key domain); Janon's symmetric estimator of Cov(Y, Y')/Var(Y); standard error by jackknife over {} contiguous blocks of replications; outputs not finished by the horizon count as the horizon; interactions of assumption and chance count as chance",
            crate::stats::JACKKNIFE_BLOCKS
        ),
    });
    Ok(sum)
}

fn meta(s: &Scenario, seed: u64, replications: u64) -> Meta {
    Meta {
        tool: Tool::this(),
        scenario: s.name.clone(),
        scenario_description: s.description.clone(),
        scenario_file: crate::scenario::output_name(&s.file),
        scenario_hash: s.hash.clone(),
        seed,
        replications,
        split: None,
        warmup: (s.warmup > 0.0)
            .then(|| s.calendar.date_of_day(s.warmup as usize))
            .flatten()
            .map(|d| d.to_string()),
        start: s.start.to_string(),
        horizon: s.horizon.to_string(),
        horizon_working_days: s.calendar.len() as u64,
        screening_records: s.screening.as_ref().map(|x| x.records),
        screening_already_checked: s.screening.as_ref().map(|x| x.already_checked),
        screening_target: s
            .screening
            .as_ref()
            .and_then(|x| x.target)
            .map(|d| d.to_string()),
        screening_observed_since: s
            .screening
            .as_ref()
            .and_then(|x| x.observed_since)
            .map(|d| d.to_string()),
        case_types: s.case_types.iter().map(|c| c.name.clone()).collect(),
        sources: s.sources.clone(),
        assumptions: AssumptionMeta::of(s),
        rand: RAND_VERSION.into(),
        rand_distr: RAND_DISTR_VERSION.into(),
        statrs: STATRS_VERSION.into(),
        time_unit: "working days since the start of working day 0; day d spans [d, d+1)".into(),
        quantile_method: "across replications: Hyndman-Fan type 7; pooled over cases (wait_days, time_in_system_days): 1%-wide log-spaced histogram, within 0.5%".into(),
        common_random_numbers: "every draw is a function of (seed, replication, purpose, case identity): variants that differ only in staffing see the same cases".into(),
    }
}

fn staffing(s: &Scenario) -> Vec<TeamStaffing> {
    let h = s.horizon_time();
    s.teams
        .iter()
        .map(|t| {
            let mut times: Vec<f64> = vec![0.0];
            for g in &t.staff {
                for x in [g.from, g.to] {
                    if x.is_finite() && x < h {
                        times.push(x);
                    }
                }
            }
            times.sort_by(f64::total_cmp);
            times.dedup();
            let steps = times
                .iter()
                .map(|&x| {
                    let (mut n, mut lent) = (0u64, 0u64);
                    for g in &t.staff {
                        if g.from <= x && x < g.to {
                            n += g.count as u64;
                            if g.source.is_some() {
                                lent += g.count as u64;
                            }
                        }
                    }
                    StaffStep {
                        date: s
                            .calendar
                            .date_of_day(x as usize)
                            .unwrap_or(s.horizon)
                            .to_string(),
                        working_day: x as u64,
                        headcount: n,
                        lent,
                    }
                })
                .collect();
            let mut sources: Vec<String> = t
                .staff
                .iter()
                .filter_map(|g| g.source.map(|i| s.sources[i].clone()))
                .collect();
            sources.dedup();
            TeamStaffing {
                team: t.name.clone(),
                sources,
                steps,
            }
        })
        .collect()
}

/// One row of `daily.csv`: a metric's distribution across replications at the end of a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyRow {
    pub date: String,
    pub working_day: u64,
    pub metric: String,
    /// The case type of `open_cases`, the team of `utilisation`, empty for `screened_records`.
    pub case_type: String,
    /// Empty (`None`) where undefined: a team's utilisation on a day no replication had anyone
    /// of it on duty.
    pub mean: Option<f64>,
    pub p5: Option<f64>,
    pub p10: Option<f64>,
    pub p25: Option<f64>,
    pub p50: Option<f64>,
    pub p75: Option<f64>,
    pub p90: Option<f64>,
    pub p95: Option<f64>,
}

impl DailyRow {
    /// The quantiles in [`QUANTILE_PROBS`] order.
    pub fn quantiles(&self) -> [Option<f64>; 7] {
        [
            self.p5, self.p10, self.p25, self.p50, self.p75, self.p90, self.p95,
        ]
    }
}

/// The sum, in order, of `sorted` followed by `extra` copies of `top`: the float that
/// `iter().sum()` over that sample gives, without building it. The values are whole numbers
/// (counts of records), so while `top` times the sample size stays below 2^53 every partial sum
/// is exact and the copies can be added at once; beyond that they are added one by one.
fn sum_sorted_then(sorted: &[f64], extra: usize, top: f64) -> f64 {
    let head = sorted.iter().sum::<f64>();
    if extra == 0 {
        head
    } else if top * (sorted.len() + extra) as f64 <= 9_007_199_254_740_992.0 {
        head + extra as f64 * top
    } else {
        (0..extra).fold(head, |acc, _| acc + top)
    }
}

/// The daily series: open cases (all and by type) and records checked, for every day up to the
/// last one on which any replication still had something open or to screen, plus one more.
pub fn daily_rows(s: &Scenario, r: &RunResult) -> Vec<DailyRow> {
    daily_rows_of(s, r).expect("records in memory are read without fail")
}

/// [`daily_rows`] of a run whose records may be on disk (see [`summarise_records`]).
pub fn daily_rows_of<R: RecordSet>(
    s: &Scenario,
    r: &RunResult<R>,
) -> Result<Vec<DailyRow>, RecordsError> {
    let reps = r.replications;
    let p = &r.pooled;
    let paces: Vec<crate::model::Pace> = match &s.screening {
        Some(sc) => r
            .records
            .column(|x| crate::model::Pace::new(sc, x.screening_pace, x.screening_factor))?,
        None => Vec::new(),
    };
    let screening_days = r
        .records
        .column(|x| {
            x.screening_last_day
                .map(|d| d as usize + 1)
                .unwrap_or(s.calendar.len())
        })?
        .into_iter()
        .max()
        .unwrap_or(0);
    let n_days = p
        .open_total
        .len()
        .max(screening_days)
        .saturating_add(1)
        .min(s.calendar.len());
    let empty = CountHist::new();
    let make_opt_row =
        |day: usize, metric: &str, ct: &str, mean: Option<f64>, q: [Option<f64>; 7]| DailyRow {
            date: s.calendar.date_of_day(day).unwrap_or(s.horizon).to_string(),
            working_day: day as u64,
            metric: metric.to_string(),
            case_type: ct.to_string(),
            mean,
            p5: q[0],
            p10: q[1],
            p25: q[2],
            p50: q[3],
            p75: q[4],
            p90: q[5],
            p95: q[6],
        };
    let make_row = |day: usize, metric: &str, ct: &str, mean: f64, q: [f64; 7]| {
        make_opt_row(day, metric, ct, Some(mean), q.map(Some))
    };
    // Replications that stopped recording (nothing open any more) count as `fill`.
    let row = |day: usize, metric: &str, ct: &str, h: &CountHist, fill: u32| -> DailyRow {
        let mut h = h.clone();
        let missing = reps.saturating_sub(h.count());
        if missing > 0 {
            h.add_n(fill, missing);
        }
        let q = QUANTILE_PROBS.map(|p| h.quantile_type7(p).unwrap_or(0.0));
        make_row(day, metric, ct, h.mean().unwrap_or(0.0), q)
    };
    // With a fixed pace every replication checks the same records each day: evaluate one.
    let paces: &[crate::model::Pace] = if paces.windows(2).all(|w| w[0] == w[1]) {
        &paces[..paces.len().min(1)]
    } else {
        &paces
    };
    // Per replication, the first day from which all its records are checked (the count is the
    // total from then on, and no count exceeds it); u32::MAX when there is none or nothing is
    // promised. Why: met-2023 finishes screening by working day 165 in half its replications
    // and by 225 in 95 % (of 944 days), and evaluating and sorting every replication's count on
    // every day was most of the time daily.csv took.
    let capped_from: Vec<u32> = paces
        .par_iter()
        .map(|x| x.capped_from(n_days as u32).unwrap_or(u32::MAX))
        .collect();
    // From this day on every replication has finished (u32::MAX: not promised).
    let all_capped_from = capped_from.iter().copied().max().unwrap_or(0);
    // Every record of the cohort: each replication's count once it has finished.
    let total = s
        .screening
        .as_ref()
        .map_or(0.0, |sc| (sc.already_checked + sc.remaining()) as f64);
    // Days are independent: made in parallel (in the caller's rayon pool), in day order.
    let rows_of_day = |screened: &mut Vec<f64>, day: usize| -> Vec<DailyRow> {
        let mut rows = Vec::with_capacity(s.case_types.len() + s.teams.len() + 2);
        rows.push(row(
            day,
            "open_cases",
            "all",
            p.open_total.get(day).unwrap_or(&empty),
            0,
        ));
        for (ti, ct) in s.case_types.iter().enumerate() {
            let h = p
                .open_by_type
                .get(day)
                .and_then(|v| v.get(ti))
                .unwrap_or(&empty);
            rows.push(row(day, "open_cases", &ct.name, h, 0));
        }
        if let Some(sc) = &s.screening {
            // Records checked by the end of the day, across replications (type 7, exact). The
            // order is total, so an unstable sort gives the one sorted vector. Replications that
            // finished screening by this day all have the total, the largest count: in a sort
            // of all they would come after the others, so only the others are computed (in
            // replication order, reading the paces one after another in memory) and sorted.
            screened.clear();
            if day < all_capped_from as usize {
                screened.extend(
                    paces
                        .iter()
                        .zip(&capped_from)
                        .filter(|&(_, &cap)| day < cap as usize)
                        .map(|(x, _)| {
                            (sc.already_checked + x.checked_by_end_of(day as u32)) as f64
                        }),
                );
            }
            screened.sort_unstable_by(f64::total_cmp);
            let (n, done) = (paces.len(), paces.len() - screened.len());
            let q = QUANTILE_PROBS
                .map(|p| quantile_type7_sorted_then(screened, done, total, p).unwrap_or(0.0));
            let mean = sum_sorted_then(screened, done, total) / n.max(1) as f64;
            rows.push(make_row(day, "screened_records", "", mean, q));
        }
        // Each team's utilisation within the day, over the replications that had someone of it
        // on duty that day before they stopped: the mean from sums exact to 10⁻⁹, the quantiles
        // of the values rounded to hundredths (see `engine::UTILISATION_SCALE`), each written
        // to 7 decimals at most (so that 0.1319 is not written 0.13190000000000002).
        for (tm, team) in s.teams.iter().enumerate() {
            let h = p
                .utilisation
                .get(day)
                .and_then(|v| v.get(tm))
                .unwrap_or(&empty);
            let sum = p
                .utilisation_sum
                .get(day)
                .and_then(|v| v.get(tm))
                .copied()
                .unwrap_or(0);
            let tidy = |x: f64| (x * 1e7).round() / 1e7;
            let scale = f64::from(crate::engine::UTILISATION_SCALE);
            let q = QUANTILE_PROBS.map(|p| h.quantile_type7(p).map(|v| tidy(v / scale)));
            let n = h.count();
            let mean = (n > 0).then(|| {
                tidy(sum as f64 / f64::from(crate::engine::UTILISATION_SUM_SCALE) / n as f64)
            });
            rows.push(make_opt_row(day, "utilisation", &team.name, mean, q));
        }
        rows
    };
    let days: Vec<Vec<DailyRow>> = (0..n_days)
        .into_par_iter()
        .map_init(
            || Vec::with_capacity(paces.len()),
            |screened, day| rows_of_day(screened, day),
        )
        .collect();
    Ok(days.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::sum_sorted_then;

    /// Equal to summing the built sample in order: small counts (the copies added at once), and
    /// counts so large that partial sums round (the copies added one by one), with and without
    /// copies and with an empty head.
    #[test]
    fn sum_of_sorted_then_copies_is_the_in_order_sum() {
        // 1 + 2 x (2^53 + 2) in order rounds twice and differs from 1 + 2 (2^53 + 2) at once.
        let big = 9_007_199_254_740_994.0_f64;
        assert_ne!(1.0 + big + big, 1.0 + 2.0 * big);
        for (head, extra, top) in [
            (vec![], 0, 5.0),
            (vec![], 4, 5.0),
            (vec![1.0, 2.0, 5.0], 0, 5.0),
            (vec![1.0, 2.0, 3.0], 7, 40_000.0),
            (vec![1.0], 2, big),
            (vec![2.0, 7.0], 3, 9_007_199_254_740_998.0),
            (vec![], 9, 1e15 + 3.0),
        ] {
            let mut full = head.clone();
            full.extend(std::iter::repeat_n(top, extra));
            assert_eq!(
                sum_sorted_then(&head, extra, top).to_bits(),
                full.iter().sum::<f64>().to_bits(),
                "{head:?} + {extra} x {top}"
            );
        }
    }
}
