//! Which assumption a result hinges on (`vetsim sensitivity`): every assumption of a scenario
//! (see [`crate::scenario::assume`]) ranked by how far it moves the date the last case closes.
//!
//! For each assumption and each headline output ([`crate::report::headlines`]):
//! - **the paired swing**: every replication runs twice more, with the assumption at its P10 and
//!   at its P90 (u = 0.1 and 0.9; a counted routing moves its largest outcome, the others
//!   rescaled) and every other assumption at its median, on the same chance (the same aleatory
//!   streams). The swing is the mean over replications of Y(P90) − Y(P10); its standard error is
//!   that of a mean of independent differences. What it says: how much the answer moves when
//!   this one belief moves across its plausible range, all else held at its centre.
//! - **the first-order index** Var(E[Y | assumption]) / Var(Y): the share of the spread this
//!   assumption explains alone, averaged over all the others. A scalar assumption's comes from
//!   the main run's own draws, binned on its drawn value ([`crate::stats::first_order_index`]). A
//!   counted routing draws several numbers (one per outcome but the last), and no one of them
//!   stands for it, so its index comes from a *pick-freeze* partner of each replication that keeps
//!   the routing's draws and redraws everything else ([`crate::model::RepKeys::keep`]), with
//!   Janon's estimator ([`crate::stats::janon`]): n more replications per counted routing. The
//!   indices' sum is given beside the total share from twin replications
//!   ([`crate::stats::assumptions_share`]), which it cannot exceed in expectation (estimates may,
//!   within their errors); the difference is what the assumptions do together (interactions).
//!
//! A run not finished by the horizon counts as the horizon, min(Y, horizon), and the share of runs
//! censored is given beside each figure, so that a swing against the horizon reads as the lower
//! bound it is. Every replication is keyed by (seed, replication) as in `run`, so the main run is
//! exactly `vetsim run` with the same seed and count, and the results do not depend on the
//! thread count (every float sum runs in replication order).

pub mod report;

use crate::engine::{self, Progress, RunError};
use crate::model::{RepKeys, RepRecord};
use crate::report::summary::{AssumptionMeta, FixedBand, Tool};
use crate::report::{Headline, headline_values, headlines};
use crate::scenario::assume::AssumptionKind;
use crate::scenario::{Pin, Scenario};
use crate::stats::{self, FirstOrder};
use serde::{Deserialize, Serialize};

/// Where an assumption is pinned for its low and high runs (its P10 and P90).
pub const LOW_U: f64 = 0.1;
pub const HIGH_U: f64 = 0.9;

/// The output the assumptions are ranked by.
pub const RANKED_BY: &str = "all_cases_closed";

/// `sensitivity.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    pub meta: SensitivityMeta,
    /// The headline outputs: their means, the split of their spread and the sum of first-order
    /// indices.
    pub outputs: Vec<OutputRow>,
    /// Every assumption, ranked by |swing| on `all_cases_closed` (then by name).
    pub assumptions: Vec<AssumptionRow>,
}

/// Provenance and method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityMeta {
    #[serde(flatten)]
    pub tool: Tool,
    pub scenario: String,
    pub scenario_description: Option<String>,
    pub scenario_file: String,
    pub scenario_hash: String,
    pub seed: u64,
    /// Replications of the main run (and of each pinned run).
    pub replications: u64,
    /// Replications run in all: the main run, its twins, the run with every assumption at its
    /// median, and two per assumption.
    pub replications_run: u64,
    pub start: String,
    pub horizon: String,
    pub horizon_working_days: u64,
    pub ranked_by: String,
    /// The quantiles of the low and high runs.
    pub low_u: f64,
    pub high_u: f64,
    /// Equal-count bins of each first-order index (√n rounded).
    pub bins: u64,
    pub rand: String,
    pub rand_distr: String,
    pub statrs: String,
    pub method: String,
    pub units: String,
}

/// One headline output of the main run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputRow {
    pub metric: String,
    pub case_type: Option<String>,
    pub unit: String,
    /// Mean of min(Y, horizon) over the main run.
    pub mean: Option<f64>,
    pub censored_share: f64,
    /// Mean of min(Y, horizon) with every assumption at its median, the same chance.
    pub central_mean: Option<f64>,
    pub central_censored_share: f64,
    /// `mean` and `central_mean` as dates, for date outputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub central_mean_date: Option<String>,
    /// The share of Var(Y) that comes from the assumptions together (twin replications); null
    /// when Y does not vary.
    pub assumptions_share: Option<f64>,
    pub assumptions_share_mcse: Option<f64>,
    /// The sum of the assumptions' first-order indices (null when Y does not vary or there are
    /// no assumptions).
    pub first_order_sum: Option<f64>,
    pub first_order_sum_mcse: Option<f64>,
    /// The band with every assumption at its median.
    pub fixed_assumptions: Option<FixedBand>,
}

/// One assumption and what it does to each headline output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssumptionRow {
    /// 1 for the assumption that moves `all_cases_closed` most.
    pub rank: u64,
    #[serde(flatten)]
    pub assumption: AssumptionMeta,
    /// For an assumption of dates (an arrival stream's end): its low, central and high values as
    /// dates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dates: Option<[String; 3]>,
    /// One per headline output, in `outputs` order.
    pub effects: Vec<Effect>,
}

/// What one assumption does to one output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    pub metric: String,
    pub case_type: Option<String>,
    /// Mean of min(Y, horizon) with the assumption at its P10, every other at its median.
    pub at_low: f64,
    pub at_low_censored_share: f64,
    /// The same with the assumption at its P90.
    pub at_high: f64,
    pub at_high_censored_share: f64,
    /// Mean of the paired differences, at_high − at_low per replication, with its standard error
    /// (null with a single replication).
    pub swing: f64,
    pub swing_mcse: Option<f64>,
    /// The first-order index (null when Y does not vary or there are too few replications: 8
    /// for a binned index, 2 for a counted routing's), with its jackknife standard error.
    pub first_order: Option<f64>,
    pub first_order_mcse: Option<f64>,
}

/// The values of the headline outputs over some replications: min(Y, horizon) and whether each
/// was censored, `[output][replication]`.
struct Outputs {
    values: Vec<Vec<f64>>,
    censored: Vec<Vec<bool>>,
}

impl Outputs {
    fn of(s: &Scenario, n_out: usize, records: &[RepRecord]) -> Outputs {
        let horizon = s.horizon_time();
        let mut values = vec![Vec::with_capacity(records.len()); n_out];
        let mut censored = vec![Vec::with_capacity(records.len()); n_out];
        for r in records {
            for (k, v) in headline_values(s, r).into_iter().enumerate() {
                values[k].push(v.unwrap_or(horizon));
                censored[k].push(v.is_none());
            }
        }
        Outputs { values, censored }
    }

    fn mean(&self, k: usize) -> Option<f64> {
        stats::mean_and_mcse(&self.values[k]).map(|e| e.mean)
    }

    fn censored_share(&self, k: usize) -> f64 {
        let c = &self.censored[k];
        if c.is_empty() {
            0.0
        } else {
            c.iter().filter(|&&x| x).count() as f64 / c.len() as f64
        }
    }
}

/// A progress observer for one stage of several: `done` of this stage's replications is reported
/// as `base + done` of `total`.
struct Stage<'a> {
    inner: &'a dyn Progress,
    base: u64,
    total: u64,
}

impl Progress for Stage<'_> {
    fn advanced(&self, done: u64, _total: u64) {
        self.inner.advanced(self.base + done, self.total);
    }
    fn note(&self, what: &str) {
        self.inner.note(what);
    }
}

/// Replications the analysis of `s` runs in all for `replications` each: the main run, its twins
/// and the fixed-assumption run (these two only when something is uncertain), a low and a high
/// run per assumption, and a pick-freeze run per counted routing.
pub fn replications_run(s: &Scenario, replications: u64) -> u64 {
    let a = s.assumptions.list.len() as u64;
    let routings = s.assumptions.list.iter().filter(|x| is_routing(x)).count() as u64;
    let extra = if a == 0 { 0 } else { 2 + 2 * a + routings };
    replications.saturating_mul(1 + extra)
}

fn is_routing(a: &crate::scenario::assume::Assumption) -> bool {
    matches!(a.kind, AssumptionKind::Routing { .. })
}

/// The column of each assumption in [`RepRecord::assumptions`] that its first-order index is
/// binned on: its value (for a counted routing, whose index is not binned, its largest
/// outcome's share).
fn binned_columns(s: &Scenario) -> Vec<usize> {
    let mut out = Vec::new();
    let mut col = 0;
    for a in &s.assumptions.list {
        match &a.kind {
            AssumptionKind::Scalar => {
                out.push(col);
                col += 1;
            }
            AssumptionKind::Routing {
                case_type, largest, ..
            } => {
                out.push(col + largest);
                col += s.case_types[*case_type].routing.outcomes.len();
            }
        }
    }
    out
}

/// Runs the analysis of `s`: `replications` per run, master seed `seed`, on the current rayon
/// pool. Progress counts every replication run ([`replications_run`]).
pub fn analyse(
    s: &Scenario,
    replications: u64,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Sensitivity, RunError> {
    let total = replications_run(s, replications);
    let mut base = 0;
    let mut stage = || {
        let st = Stage {
            inner: progress,
            base,
            total,
        };
        base += replications;
        st
    };
    let main = engine::run(s, replications, seed, &stage())?;
    let uncertain = !s.assumptions.is_empty();
    let (twins, central) = if uncertain {
        (
            engine::run_twins(s, replications, seed, &stage())?,
            engine::run_central(s, replications, seed, &stage())?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let summary = crate::report::summarise_split(s, &main, &twins, &central);
    let heads = headlines(s);
    let n_out = heads.len();
    let y = Outputs::of(s, n_out, &main.records);
    let c = if uncertain {
        Outputs::of(s, n_out, &central)
    } else {
        Outputs::of(s, n_out, &main.records)
    };
    drop(twins);
    drop(central);

    // First-order indices, [assumption][output]: binned on the main run's draws, or from a
    // pick-freeze run for a counted routing.
    let columns = binned_columns(s);
    let mut first: Vec<Vec<Option<FirstOrder>>> = Vec::with_capacity(columns.len());
    for (a, &col) in columns.iter().enumerate() {
        if is_routing(&s.assumptions.list[a]) {
            let kept = engine::run_records(
                s,
                0..replications,
                seed,
                |seed, rep| RepKeys::keep(seed, rep, a),
                &stage(),
            )?;
            let kept = Outputs::of(s, n_out, &kept);
            first.push(
                (0..n_out)
                    .map(|k| stats::janon(&y.values[k], &kept.values[k]))
                    .collect(),
            );
        } else {
            let x: Vec<f64> = main.records.iter().map(|r| r.assumptions[col]).collect();
            first.push(
                (0..n_out)
                    .map(|k| stats::first_order_index(&x, &y.values[k]))
                    .collect(),
            );
        }
    }

    // The low and high runs of each assumption, paired with each other.
    let metas = AssumptionMeta::of(s);
    let mut rows = Vec::with_capacity(metas.len());
    for (a, meta) in metas.into_iter().enumerate() {
        let pinned = |u: f64, st: &Stage| {
            engine::run_records(
                s,
                0..replications,
                seed,
                |seed, rep| RepKeys::of(seed, rep).pinned(Pin::One { assumption: a, u }),
                st,
            )
        };
        let lo = Outputs::of(s, n_out, &pinned(LOW_U, &stage())?);
        let hi = Outputs::of(s, n_out, &pinned(HIGH_U, &stage())?);
        let effects = heads
            .iter()
            .enumerate()
            .map(|(k, h)| {
                let diffs: Vec<f64> = hi.values[k]
                    .iter()
                    .zip(&lo.values[k])
                    .map(|(a, b)| a - b)
                    .collect();
                let swing = stats::mean_and_mcse(&diffs).expect("at least one replication");
                let fo = first[a][k].as_ref().map(FirstOrder::share);
                Effect {
                    metric: h.metric.to_string(),
                    case_type: h.case_type.clone(),
                    at_low: lo.mean(k).expect("at least one replication"),
                    at_low_censored_share: lo.censored_share(k),
                    at_high: hi.mean(k).expect("at least one replication"),
                    at_high_censored_share: hi.censored_share(k),
                    swing: swing.mean,
                    swing_mcse: (replications > 1).then_some(swing.mcse),
                    first_order: fo.map(|f| f.mean),
                    first_order_mcse: fo.and_then(|f| f.mcse),
                }
            })
            .collect();
        let dates = meta.unit.is_some().then(|| {
            [meta.low, meta.central, meta.high].map(|v| crate::report::date_of(s, v, false))
        });
        rows.push(AssumptionRow {
            rank: 0,
            assumption: meta,
            dates,
            effects,
        });
    }
    let ranked = heads
        .iter()
        .position(|h| h.metric == RANKED_BY)
        .expect("every scenario has all_cases_closed");
    rows.sort_by(|a, b| {
        let size = |r: &AssumptionRow| r.effects[ranked].swing.abs();
        size(b)
            .total_cmp(&size(a))
            .then_with(|| a.assumption.name.cmp(&b.assumption.name))
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i as u64 + 1;
    }

    let outputs = heads
        .iter()
        .enumerate()
        .map(|(k, h)| output_row(s, &summary, h, k, &y, &c, &first))
        .collect();
    Ok(Sensitivity {
        meta: meta(s, replications, seed),
        outputs,
        assumptions: rows,
    })
}

fn output_row(
    s: &Scenario,
    summary: &crate::report::Summary,
    h: &Headline,
    k: usize,
    y: &Outputs,
    c: &Outputs,
    first: &[Vec<Option<FirstOrder>>],
) -> OutputRow {
    let m = summary
        .metrics
        .iter()
        .find(|m| m.metric == h.metric && m.case_type == h.case_type)
        .expect("every headline output is a metric of the summary");
    // The sum of the indices, and its jackknife error with each block left out of every index
    // at once.
    let all: Option<Vec<&FirstOrder>> = first.iter().map(|f| f[k].as_ref()).collect();
    let (sum, sum_mcse) = match all {
        Some(v) if !v.is_empty() => {
            let blocks = v[0].leave_out.len();
            let leave_out: Vec<Option<f64>> = (0..blocks)
                .map(|b| {
                    v.iter()
                        .map(|f| f.leave_out.get(b).copied().flatten())
                        .sum()
                })
                .collect();
            (
                Some(v.iter().map(|f| f.index).sum()),
                stats::jackknife_se(&leave_out),
            )
        }
        _ => (None, None),
    };
    let date = |x: Option<f64>| {
        m.dates
            .as_ref()
            .and(x)
            .map(|v| crate::report::date_of(s, v, h.metric == "screening_complete"))
    };
    OutputRow {
        metric: h.metric.to_string(),
        case_type: h.case_type.clone(),
        unit: m.unit.clone(),
        mean: y.mean(k),
        censored_share: y.censored_share(k),
        central_mean: c.mean(k),
        central_censored_share: c.censored_share(k),
        mean_date: date(y.mean(k)),
        central_mean_date: date(c.mean(k)),
        assumptions_share: m.assumptions_share.flatten(),
        assumptions_share_mcse: m.assumptions_share_mcse.flatten(),
        first_order_sum: sum,
        first_order_sum_mcse: sum_mcse,
        fixed_assumptions: m.fixed_assumptions.clone(),
    }
}

fn meta(s: &Scenario, replications: u64, seed: u64) -> SensitivityMeta {
    use crate::report::summary::{RAND_DISTR_VERSION, RAND_VERSION, STATRS_VERSION};
    SensitivityMeta {
        tool: Tool::this(),
        scenario: s.name.clone(),
        scenario_description: s.description.clone(),
        scenario_file: crate::scenario::output_name(&s.file),
        scenario_hash: s.hash.clone(),
        seed,
        replications,
        replications_run: replications_run(s, replications),
        start: s.start.to_string(),
        horizon: s.horizon.to_string(),
        horizon_working_days: s.calendar.len() as u64,
        ranked_by: RANKED_BY.into(),
        low_u: LOW_U,
        high_u: HIGH_U,
        bins: stats::bins_for(replications as usize) as u64,
        rand: RAND_VERSION.into(),
        rand_distr: RAND_DISTR_VERSION.into(),
        statrs: STATRS_VERSION.into(),
        method: format!(
            "swing: each replication run with the assumption at its P10 and at its P90, every other at its median, on the same chance; the mean of the paired differences (P90 run minus P10 run) with its standard error. first_order: Var(E[Y | assumption]) / Var(Y); for a single number, from the main run's draws, a correlation ratio over {} equal-count bins of the drawn value, bias-corrected as (SSB - (B-1) MSW) / SST; for a counted routing, from a pick-freeze run that keeps its draws and redraws everything else, Janon's estimator; standard errors by jackknife over {} contiguous blocks of replications. assumptions_share: twin replications, as in run --split. Runs not finished by the horizon count as the horizon; the censored shares say how often",
            stats::bins_for(replications as usize),
            stats::JACKKNIFE_BLOCKS
        ),
        units: "all_cases_closed in working days since the start of working day 0; screening_complete as the index of the working day it ends on; counts in cases; shares and indices as fractions of the output's variance".into(),
    }
}

#[cfg(test)]
mod tests;
