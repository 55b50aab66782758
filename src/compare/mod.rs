//! Comparing staffing options under common random numbers, and the opposite question: the fewest
//! people that meet a date.
//!
//! Every variant runs replications `0..n` with the same master seed. Because every draw is a pure
//! function of (seed, replication, purpose, case identity), replication r of every variant sees the
//! same hits, the same case efforts and the same routings: differences between variants are
//! paired, and their Monte Carlo error is that of the paired difference, far smaller than that of
//! two independent runs. Only a few numbers per replication are kept per variant for the pairing.

pub mod report;
pub mod variant;

use crate::engine::{self, Progress, RunError};
use crate::report::{Metric, Summary, summarise};
use crate::stats::{mean_and_mcse, quantile_type7_sorted};
use serde::{Deserialize, Serialize};
pub use variant::{Variant, Vary, VaryError, build_variants, choose_baseline};

/// What a comparison keeps of one replication of one variant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    /// Working day of the last screening check (`None`: not by the horizon, or no screening).
    pub screening_day: Option<f64>,
    /// When the last tracked case closed [working days] (`None`: not by the horizon).
    pub all_closed: Option<f64>,
    pub peak_open: f64,
    /// Officer-days lent by all source units together.
    pub officer_days: f64,
}

/// One variant's results.
#[derive(Debug, Clone)]
pub struct VariantRun {
    pub variant: Variant,
    pub summary: Summary,
    /// In replication order.
    pub per_rep: Vec<Paired>,
}

/// Progress across several runs: the engine's counts shifted by the runs already done.
struct Offset<'a> {
    inner: &'a dyn Progress,
    before: u64,
    total: u64,
}

impl Progress for Offset<'_> {
    fn advanced(&self, done: u64, _total: u64) {
        self.inner.advanced(self.before + done, self.total);
    }
}

/// Runs every variant with the same `seed` and `replications` (common random numbers).
pub fn run_variants(
    variants: Vec<Variant>,
    replications: u64,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Vec<VariantRun>, RunError> {
    let total = replications * variants.len() as u64;
    let mut out = Vec::with_capacity(variants.len());
    for (i, v) in variants.into_iter().enumerate() {
        let p = Offset {
            inner: progress,
            before: i as u64 * replications,
            total,
        };
        let r = engine::run(&v.scenario, replications, seed, &p)?;
        out.push(variant_run(v, &r));
    }
    Ok(out)
}

/// What a comparison keeps of variant `v`'s run `r`: its summary and, per replication, the
/// values paired across variants. `compare` and the merge of a comparison's shards both make
/// theirs here.
pub fn variant_run(v: Variant, r: &engine::RunResult) -> VariantRun {
    let summary = summarise(&v.scenario, r);
    let screens = v.scenario.screening.is_some();
    let per_rep = r
        .records
        .iter()
        .map(|x| Paired {
            screening_day: if screens {
                x.screening_last_day.map(f64::from)
            } else {
                None
            },
            all_closed: x.all_closed,
            peak_open: f64::from(x.peak_open),
            officer_days: x.source_days.iter().sum(),
        })
        .collect();
    VariantRun {
        variant: v,
        summary,
        per_rep,
    }
}

/// A paired difference, variant minus baseline, over replications. Censored values (not by the
/// horizon) count as later than any date: they decide `share_*` (two censored values count as
/// equal); a quantile that lands on a one-sided censored pair is `null`, every quantile is `null`
/// when some pair has both censored, and the mean is `null` when any pair is censored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedDiff {
    /// Pairs in which both finished.
    pub n: u64,
    /// Pairs with one or both censored.
    pub censored_pairs: u64,
    pub mean: Option<f64>,
    /// Monte Carlo standard error of the mean difference (from the paired differences).
    pub mcse: Option<f64>,
    pub p10: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    /// Share of replications in which the variant's value is smaller (finishes sooner, fewer
    /// open cases), equal, larger.
    pub share_smaller: f64,
    pub share_equal: f64,
    pub share_larger: f64,
}

/// Variant minus baseline, replication by replication.
pub fn paired_diff(variant: &[Option<f64>], baseline: &[Option<f64>]) -> PairedDiff {
    let inf = |x: &Option<f64>| x.unwrap_or(f64::INFINITY);
    let n_all = variant.len().min(baseline.len());
    let (mut smaller, mut equal, mut larger) = (0u64, 0u64, 0u64);
    let mut diffs = Vec::with_capacity(n_all);
    let mut complete = Vec::with_capacity(n_all);
    let mut censored_pairs = 0;
    for (v, b) in variant.iter().zip(baseline) {
        let (x, y) = (inf(v), inf(b));
        match x.total_cmp(&y) {
            std::cmp::Ordering::Less => smaller += 1,
            std::cmp::Ordering::Equal => equal += 1,
            std::cmp::Ordering::Greater => larger += 1,
        }
        match (v, b) {
            (Some(a), Some(c)) => {
                complete.push(a - c);
                diffs.push(a - c);
            }
            (None, None) => censored_pairs += 1, // difference unknown: left out of quantiles
            (None, Some(_)) => {
                censored_pairs += 1;
                diffs.push(f64::INFINITY);
            }
            (Some(_), None) => {
                censored_pairs += 1;
                diffs.push(f64::NEG_INFINITY);
            }
        }
    }
    diffs.sort_by(f64::total_cmp);
    // A pair in which neither finished has no known difference: quantiles would be conditional
    // on the rest, so they are not given.
    let both_censored = diffs.len() < n_all;
    let q = |p: f64| quantile_type7_sorted(&diffs, p).filter(|x| x.is_finite() && !both_censored);
    let est = if censored_pairs == 0 {
        mean_and_mcse(&complete)
    } else {
        None
    };
    let n = n_all.max(1) as f64;
    PairedDiff {
        n: complete.len() as u64,
        censored_pairs,
        mean: est.map(|e| e.mean),
        mcse: est.map(|e| e.mcse),
        p10: q(0.1),
        p50: q(0.5),
        p90: q(0.9),
        share_smaller: smaller as f64 / n,
        share_equal: equal as f64 / n,
        share_larger: larger as f64 / n,
    }
}

/// `comparison.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub meta: CompareMeta,
    pub variants: Vec<VariantRow>,
}

/// Provenance of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareMeta {
    #[serde(flatten)]
    pub tool: crate::report::summary::Tool,
    pub scenario: String,
    pub scenario_file: String,
    /// SHA-256 of the scenario file as written (each variant has its own in its row).
    pub scenario_hash: String,
    pub seed: u64,
    pub replications: u64,
    pub start: String,
    pub horizon: String,
    pub varied: Vec<Varied>,
    /// Label of the baseline variant: the scenario as written, unless `--baseline` chose another.
    pub baseline: String,
    /// The baseline was chosen with `--baseline` (it may differ from the scenario as written).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub baseline_chosen: bool,
    pub sources: Vec<String>,
    pub rand: String,
    pub rand_distr: String,
    pub statrs: String,
    pub common_random_numbers: String,
    pub units: String,
}

/// A varied path, its values and its value in the scenario as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Varied {
    pub path: String,
    /// What the scenario's `[[experiment.vary]]` calls it (axes, legends, csv header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub values: Vec<String>,
    pub as_written: Option<String>,
}

/// One variant: its settings, key metrics and paired comparison with the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantRow {
    pub label: String,
    /// (path, value) for each varied path; empty for the scenario as written when it is not
    /// itself one of the grid's variants.
    pub settings: Vec<Setting>,
    pub is_baseline: bool,
    pub scenario_hash: String,
    /// Most officers lent by source units at any one time (from the roster).
    pub lent_officers: f64,
    /// Key metrics, as in `summary.json`: screening_complete, screening_by_target,
    /// all_cases_closed, censored_share, peak_open_cases, wait_days (all), diverted_officer_days
    /// (per source).
    pub metrics: Vec<Metric>,
    pub versus_baseline: Versus,
    /// Against every variant (itself included), in `variants` order: whether two variants'
    /// finishes differ by more than chance, which their two `versus_baseline` errors cannot
    /// say (the paired runs make the differences correlated).
    pub versus_variants: Vec<VersusVariant>,
}

/// One variant's last case closing against another's, replication by replication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersusVariant {
    /// The other variant's number: its place in `variants`, from 1 (as in `comparison.csv`).
    pub variant: usize,
    /// Mean of this variant's `all_cases_closed` minus the other's [working days] (negative:
    /// sooner); `null` when either leaves some run unfinished by the horizon.
    pub mean: Option<f64>,
    /// Its Monte Carlo standard error, from the paired differences [working days].
    pub mcse: Option<f64>,
}

/// This variant's finish minus another's, over pairs of replications; `None` with a censored
/// replication in either (as [`PairedDiff::mean`]). `diffs` is scratch space, reused across
/// the variants² pairs rather than allocated for each.
fn versus_variant(
    this: &[Paired],
    other: &[Paired],
    number: usize,
    diffs: &mut Vec<f64>,
) -> VersusVariant {
    diffs.clear();
    let mut censored = false;
    for (a, b) in this.iter().zip(other) {
        match (a.all_closed, b.all_closed) {
            (Some(x), Some(y)) => diffs.push(x - y),
            _ => censored = true,
        }
    }
    let est = if censored { None } else { mean_and_mcse(diffs) };
    VersusVariant {
        variant: number,
        mean: est.map(|e| e.mean),
        mcse: est.map(|e| e.mcse),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Setting {
    pub path: String,
    pub value: String,
}

/// Against the baseline, replication by replication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Versus {
    /// Variant − baseline, working days (negative: sooner).
    pub all_cases_closed: PairedDiff,
    /// Variant − baseline, working days.
    pub screening_complete: Option<PairedDiff>,
    /// Variant − baseline, cases.
    pub peak_open_cases: PairedDiff,
    /// Variant − baseline, officer-days lent by all source units.
    pub officer_days: PairedDiff,
    /// Probability that the variant closes its last case before the baseline does (ties: equal).
    pub p_finish_before_baseline: f64,
    /// Working days saved on the last case closing (−mean of the paired difference).
    pub days_saved: Option<f64>,
    pub days_saved_mcse: Option<f64>,
    /// `days_saved` per officer more lent than the baseline (`lent_officers` difference).
    pub days_saved_per_officer: Option<f64>,
    /// `days_saved` per 100 officer-days more taken from the source units.
    pub days_saved_per_100_officer_days: Option<f64>,
    /// Officer-days taken from each source unit, variant − baseline (means), in `meta.sources`
    /// order.
    pub officer_days_by_source: Vec<f64>,
}

/// Most officers lent at once, from a summary's staffing steps.
fn lent_officers(s: &Summary) -> f64 {
    let mut dates: Vec<&str> = s
        .staffing
        .iter()
        .flat_map(|t| t.steps.iter().map(|x| x.date.as_str()))
        .collect();
    dates.sort();
    dates.dedup();
    dates
        .iter()
        .map(|d| {
            s.staffing
                .iter()
                .map(|t| {
                    t.steps
                        .iter()
                        .rev()
                        .find(|x| x.date.as_str() <= *d)
                        .map(|x| x.lent as f64)
                        .unwrap_or(0.0)
                })
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
}

/// Every change in the number of officers lent, by team: `(team, date, lent from then on)`. The
/// dates lending ends are changes too (to 0), so a loan kept three months longer is a different
/// roster; keeping only the steps with officers lent made 90 officers to July and 90 to October
/// the same roster, and left that variant without its ratios.
fn lent_roster(s: &Summary) -> Vec<(String, String, u64)> {
    let mut changes = Vec::new();
    for t in &s.staffing {
        let mut before = 0;
        for x in &t.steps {
            if x.lent != before {
                changes.push((t.team.clone(), x.date.clone(), x.lent));
                before = x.lent;
            }
        }
    }
    changes
}

fn key_metrics(s: &Summary) -> Vec<Metric> {
    s.metrics
        .iter()
        .filter(|m| {
            matches!(
                m.metric.as_str(),
                "screening_complete"
                    | "screening_by_target"
                    | "all_cases_closed"
                    | "censored_share"
                    | "peak_open_cases"
                    | "diverted_officer_days"
            ) || (m.metric == "wait_days" && m.case_type.as_deref() == Some("all"))
        })
        .map(|m| {
            let mut m = m.clone();
            m.distribution = None;
            m
        })
        .collect()
}

fn source_days(s: &Summary, sources: &[String]) -> Vec<f64> {
    sources
        .iter()
        .map(|src| {
            s.metrics
                .iter()
                .find(|m| m.metric == "diverted_officer_days" && m.source.as_deref() == Some(src))
                .and_then(|m| m.mean)
                .unwrap_or(0.0)
        })
        .collect()
}

/// What common random numbers guarantee for these varied settings, in words.
pub fn crn_statement(varies: &[Vary]) -> String {
    let draws: Vec<&str> = varies
        .iter()
        .map(|v| v.path.as_str())
        .filter(|p| variant::changes_draws(p))
        .collect();
    if draws.is_empty() {
        "every variant ran replications 0..n with the same seed; replication r of every variant saw the same hits, case efforts and routings, so differences are paired".into()
    } else {
        format!(
            "every variant ran replications 0..n with the same seed, so every draw is keyed alike; but {} change(s) what is drawn (hits, cases or their work), so variants share their random streams, not all their cases",
            draws.join(", ")
        )
    }
}

/// Builds `comparison.json` from the runs. `written` is the scenario as written (for meta).
pub fn compare(
    runs: &[VariantRun],
    varies: &[Vary],
    written_text: &str,
    replications: u64,
    seed: u64,
) -> Comparison {
    let base = runs
        .iter()
        .find(|r| r.variant.is_baseline)
        .unwrap_or(&runs[0]);
    let bs = &base.variant.scenario;
    let mut sources: Vec<String> = Vec::new();
    for r in runs {
        for s in &r.variant.scenario.sources {
            if !sources.contains(s) {
                sources.push(s.clone());
            }
        }
    }
    let col = |r: &VariantRun, f: &dyn Fn(&Paired) -> Option<f64>| -> Vec<Option<f64>> {
        r.per_rep.iter().map(f).collect()
    };
    let base_lent = lent_officers(&base.summary);
    let base_src = source_days(&base.summary, &sources);
    let mut diffs = Vec::with_capacity(replications as usize);
    let rows = runs
        .iter()
        .map(|r| {
            let closed = paired_diff(&col(r, &|p| p.all_closed), &col(base, &|p| p.all_closed));
            let screening = bs.screening.as_ref().map(|_| {
                paired_diff(
                    &col(r, &|p| p.screening_day),
                    &col(base, &|p| p.screening_day),
                )
            });
            let peak = paired_diff(
                &col(r, &|p| Some(p.peak_open)),
                &col(base, &|p| Some(p.peak_open)),
            );
            let od = paired_diff(
                &col(r, &|p| Some(p.officer_days)),
                &col(base, &|p| Some(p.officer_days)),
            );
            let lent = lent_officers(&r.summary);
            let saved = closed.mean.map(|m| 0.0 - m); // 0 - 0 is +0, not -0
            let d_lent = lent - base_lent;
            let d_od = od.mean.unwrap_or(0.0);
            // Ratios only when the variant lends a different roster: officer-days that differ only
            // because someone stayed on to finish a case would make them meaningless.
            let roster_differs = lent_roster(&r.summary) != lent_roster(&base.summary);
            let per = |denom: f64, k: f64| {
                saved
                    .filter(|_| roster_differs && denom.abs() > 1e-9)
                    .map(|s| k * s / denom)
            };
            let src = source_days(&r.summary, &sources);
            VariantRow {
                label: r.variant.label.clone(),
                settings: r
                    .variant
                    .settings
                    .iter()
                    .map(|(p, v)| Setting {
                        path: p.clone(),
                        value: v.clone(),
                    })
                    .collect(),
                is_baseline: r.variant.is_baseline,
                scenario_hash: r.variant.scenario.hash.clone(),
                lent_officers: lent,
                metrics: key_metrics(&r.summary),
                versus_baseline: Versus {
                    p_finish_before_baseline: closed.share_smaller,
                    days_saved: saved,
                    days_saved_mcse: closed.mcse,
                    days_saved_per_officer: per(d_lent, 1.0),
                    days_saved_per_100_officer_days: per(d_od, 100.0),
                    officer_days_by_source: src.iter().zip(&base_src).map(|(a, b)| a - b).collect(),
                    all_cases_closed: closed,
                    screening_complete: screening,
                    peak_open_cases: peak,
                    officer_days: od,
                },
                versus_variants: runs
                    .iter()
                    .enumerate()
                    .map(|(j, o)| versus_variant(&r.per_rep, &o.per_rep, j + 1, &mut diffs))
                    .collect(),
            }
        })
        .collect();
    Comparison {
        meta: CompareMeta {
            tool: crate::report::summary::Tool::this(),
            scenario: bs.name.clone(),
            scenario_file: crate::scenario::output_name(&bs.file),
            scenario_hash: crate::scenario::hash_text(written_text),
            seed,
            replications,
            start: bs.start.to_string(),
            horizon: bs.horizon.to_string(),
            varied: varies
                .iter()
                .map(|v| Varied {
                    path: v.path.clone(),
                    label: v.label.clone(),
                    values: v.values.iter().map(variant::value_text).collect(),
                    as_written: variant::current_value(written_text, &v.path)
                        .map(|x| variant::value_text(&x)),
                })
                .collect(),
            baseline: base.variant.label.clone(),
            // A baseline with a setting other than as written can only come from --baseline.
            baseline_chosen: base.variant.settings.iter().any(|(p, v)| {
                variant::current_value(written_text, p).map(|x| variant::value_text(&x))
                    != Some(v.clone())
            }),
            sources,
            rand: crate::report::summary::RAND_VERSION.into(),
            rand_distr: crate::report::summary::RAND_DISTR_VERSION.into(),
            statrs: crate::report::summary::STATRS_VERSION.into(),
            common_random_numbers: crn_statement(varies),
            units: "differences are variant minus baseline; times in working days; officer-days are person-working-days lent by source units".into(),
        },
        variants: rows,
    }
}

/// Which completion a target date applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Finish {
    /// The last tracked case closing.
    AllCasesClosed,
    /// The last record screened.
    ScreeningComplete,
}

/// One point of a `solve` search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    pub value: i64,
    /// Share of replications finished by the target date.
    pub probability: f64,
    pub mcse: f64,
}

/// Provenance of a solution, as in a run's or a comparison's `meta` (the seed and replications
/// are in the solution itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolutionMeta {
    #[serde(flatten)]
    pub tool: crate::report::summary::Tool,
    pub scenario: String,
    pub scenario_file: String,
    /// SHA-256 of the scenario file as written (the directory's `scenario.toml`).
    pub scenario_hash: String,
    pub rand: String,
    pub rand_distr: String,
    pub statrs: String,
}

/// The answer to `solve`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Solution {
    pub meta: SolutionMeta,
    pub path: String,
    pub target_date: String,
    pub confidence: f64,
    pub finish: Finish,
    pub min: i64,
    pub max: i64,
    /// The smallest value meeting the target, if any in [min, max].
    pub answer: Option<i64>,
    /// `found`, `min_is_enough` or `max_not_enough`.
    pub status: String,
    pub at_answer: Option<Probe>,
    /// The value one below the answer (not enough), when the answer is above `min`.
    pub below_answer: Option<Probe>,
    /// Every value tried, in the order tried.
    pub probes: Vec<Probe>,
    /// False when the probes show a larger value finishing by the date less often than a smaller
    /// one (the search assumes more never hurts).
    pub monotone: bool,
    /// True when every value tried gave the same probability: the setting does not affect this
    /// finish (e.g. staff and the screening pace).
    pub no_effect: bool,
    pub replications: u64,
    pub seed: u64,
}

/// Share of replications of `s` finished by the end of `target` (a date).
pub fn probability_by(
    s: &crate::scenario::Scenario,
    finish: Finish,
    target: crate::calendar::Date,
    replications: u64,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Probe, RunError> {
    let r = engine::run(s, replications, seed, progress)?;
    // Done by the end of the last working day on or before the target.
    let limit = s.calendar.last_day_on_or_before(target);
    let ok: Vec<f64> = r
        .records
        .iter()
        .map(|x| {
            let done = match (finish, limit) {
                (_, None) => false,
                (Finish::AllCasesClosed, Some(d)) => {
                    x.all_closed.is_some_and(|t| t <= d as f64 + 1.0)
                }
                (Finish::ScreeningComplete, Some(d)) => {
                    x.screening_last_day.is_some_and(|l| l as usize <= d)
                }
            };
            if done { 1.0 } else { 0.0 }
        })
        .collect();
    let n = ok.len().max(1) as f64;
    let p = ok.iter().sum::<f64>() / n;
    Ok(Probe {
        value: 0,
        probability: p,
        mcse: (p * (1.0 - p) / n).sqrt(),
    })
}

/// Why `solve` could not answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SolveError {
    #[error(transparent)]
    Vary(#[from] VaryError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("{0}")]
    Bad(String),
}

/// What `solve` is asked.
#[derive(Debug, Clone)]
pub struct SolveSpec {
    pub path: String,
    pub target: crate::calendar::Date,
    /// Wanted probability of finishing by `target`, in (0, 1].
    pub confidence: f64,
    pub min: i64,
    pub max: i64,
    pub finish: Finish,
}

/// The smallest integer value of `spec.path` in [min, max] with which the scenario finishes by the
/// target date with at least the wanted probability. Every value tried runs replications `0..n`
/// with the same seed (common random numbers), so the probabilities of different values are
/// paired and the search does not chase noise. Bisection assumes that more never makes finishing
/// by the date less likely; `monotone` says whether the values tried bear that out.
pub fn solve(
    text: &str,
    file: &str,
    spec: &SolveSpec,
    replications: u64,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Solution, SolveError> {
    if !(spec.confidence > 0.0 && spec.confidence <= 1.0) {
        return Err(SolveError::Bad(format!(
            "--confidence {} is not in (0, 1]",
            spec.confidence
        )));
    }
    if spec.min > spec.max {
        return Err(SolveError::Bad(format!(
            "--min {} is above --max {}",
            spec.min, spec.max
        )));
    }
    let base = crate::scenario::Scenario::from_toml_str_variant(text, file)
        .map_err(|e| SolveError::Bad(e.to_string()))?;
    if spec.finish == Finish::ScreeningComplete && base.screening.is_none() {
        return Err(SolveError::Bad(format!(
            "{file} has no [screening]: --finish screening-complete has nothing to finish"
        )));
    }
    if spec.target < base.start {
        return Err(SolveError::Bad(format!(
            "--target-date {} is before the scenario starts ({})",
            spec.target, base.start
        )));
    }
    // A target before the first working day (the start on a bank holiday): no work can be done
    // by then, so every value would fail and the answer would be an empty "no" (exit 3).
    if spec.target >= base.start && base.calendar.last_day_on_or_before(spec.target).is_none() {
        let first = base
            .calendar
            .date_of_day(0)
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        return Err(SolveError::Bad(format!(
            "--target-date {} comes before the scenario's first working day{first}: nothing can be finished by then",
            spec.target
        )));
    }
    if spec.target > base.horizon {
        return Err(SolveError::Bad(format!(
            "--target-date {} is after the scenario's horizon ({}): nothing is known of runs past it; move the horizon in {file} to the target date or later",
            spec.target, base.horizon
        )));
    }
    // The parameter must be an integer setting.
    match variant::current_value(text, &spec.path) {
        Some(toml_edit::Value::Integer(_)) => {}
        Some(v) => {
            return Err(SolveError::Vary(VaryError::BadValue {
                path: spec.path.clone(),
                value: variant::value_text(&v),
                message: "solve searches whole numbers: this setting is not an integer (a distribution or assumption can be set to numbers with compare --vary)".into(),
            }));
        }
        None => {
            // A wrong path: let the path walker say what is there.
            let mut doc: toml_edit::DocumentMut =
                text.parse().map_err(|e: toml_edit::TomlError| {
                    SolveError::Bad(crate::scenario::rewrite_error(text, file, &e).to_string())
                })?;
            variant::set_path(
                &mut doc,
                file,
                &spec.path,
                &toml_edit::Value::from(spec.min),
            )?;
            // A key the format does not know: say so, with the valid names.
            if let Err(crate::scenario::ScenarioError::Parse { message, .. }) =
                crate::scenario::Scenario::from_toml_str(&doc.to_string(), file)
                && message.contains("unknown field")
            {
                return Err(SolveError::Vary(VaryError::UnknownPath {
                    file: file.to_string(),
                    path: spec.path.clone(),
                    message,
                }));
            }
            return Err(SolveError::Bad(format!(
                "{} is not set in {file}: write it in the scenario (with its current value) first, so that solve knows where to search from",
                crate::quote::escaped(&spec.path)
            )));
        }
    }
    // Both ends of the range must make valid scenarios (a negative headcount, say): say so now,
    // not after the runs that reach them.
    build_variants(
        text,
        file,
        &[Vary {
            path: spec.path.clone(),
            values: if spec.min == spec.max {
                vec![toml_edit::Value::from(spec.min)]
            } else {
                vec![
                    toml_edit::Value::from(spec.min),
                    toml_edit::Value::from(spec.max),
                ]
            },
            label: None,
        }],
    )?;
    let mut probes: Vec<Probe> = Vec::new();
    let mut eval = |value: i64| -> Result<Probe, SolveError> {
        if let Some(p) = probes.iter().find(|p| p.value == value) {
            return Ok(p.clone());
        }
        progress.note(&format!("trying {} = {value}", spec.path));
        let v = Vary {
            path: spec.path.clone(),
            values: vec![toml_edit::Value::from(value)],
            label: None,
        };
        let variants = build_variants(text, file, &[v])?;
        let var = variants
            .into_iter()
            .find(|x| !x.settings.is_empty())
            .expect("one grid variant");
        let mut p = probability_by(
            &var.scenario,
            spec.finish,
            spec.target,
            replications,
            seed,
            progress,
        )?;
        p.value = value;
        probes.push(p.clone());
        Ok(p)
    };
    let ok = |p: &Probe| p.probability >= spec.confidence;
    let hi_p = eval(spec.max)?;
    let (answer, status, at, below) = if !ok(&hi_p) {
        // The minimum too, before saying no: for a setting where more makes finishing later
        // (records to screen, a backlog), the maximum failing says nothing of the smaller
        // values, and "not even the maximum" was a false no. The probes then show the setting
        // working the other way (`monotone` false, and a warning).
        let lo_p = eval(spec.min)?;
        if ok(&lo_p) {
            (Some(spec.min), "min_is_enough", Some(lo_p), None)
        } else {
            (None, "max_not_enough", Some(hi_p), None)
        }
    } else {
        let lo_p = eval(spec.min)?;
        if ok(&lo_p) {
            (Some(spec.min), "min_is_enough", Some(lo_p), None)
        } else {
            let (mut lo, mut hi) = (spec.min, spec.max);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if ok(&eval(mid)?) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            (Some(hi), "found", Some(eval(hi)?), Some(eval(lo)?))
        }
    };
    // Equal probabilities strictly between 0 and 1 say the setting does not matter; all 0 or all
    // 1 say only that the range is saturated.
    let no_effect = status != "found"
        && probes.len() >= 2
        && probes[0].probability > 0.0
        && probes[0].probability < 1.0
        && probes
            .iter()
            .all(|p| p.probability == probes[0].probability);
    let mut sorted = probes.clone();
    sorted.sort_by_key(|p| p.value);
    let monotone = sorted
        .windows(2)
        .all(|w| w[0].probability <= w[1].probability);
    Ok(Solution {
        meta: SolutionMeta {
            tool: crate::report::summary::Tool::this(),
            scenario: base.name.clone(),
            scenario_file: crate::scenario::output_name(file),
            scenario_hash: crate::scenario::hash_text(text),
            rand: crate::report::summary::RAND_VERSION.into(),
            rand_distr: crate::report::summary::RAND_DISTR_VERSION.into(),
            statrs: crate::report::summary::STATRS_VERSION.into(),
        },
        path: spec.path.clone(),
        target_date: spec.target.to_string(),
        confidence: spec.confidence,
        finish: spec.finish,
        min: spec.min,
        max: spec.max,
        answer,
        status: status.into(),
        at_answer: at,
        below_answer: below,
        probes,
        monotone,
        no_effect,
        replications,
        seed,
    })
}

#[cfg(test)]
mod tests;
