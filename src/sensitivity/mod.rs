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

use crate::engine::{self, Progress, RunError, RunResult};
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
#[derive(Debug, Clone)]
struct Outputs {
    values: Vec<Vec<f64>>,
    censored: Vec<Vec<bool>>,
}

impl Outputs {
    fn of(s: &Scenario, n_out: usize, records: &[RepRecord]) -> Outputs {
        let mut out = Outputs {
            values: vec![Vec::with_capacity(records.len()); n_out],
            censored: vec![Vec::with_capacity(records.len()); n_out],
        };
        out.extend(s, records);
        out
    }

    /// Adds the outputs of `records`, which follow those already here.
    fn extend(&mut self, s: &Scenario, records: &[RepRecord]) {
        let horizon = s.horizon_time();
        for r in records {
            for (k, v) in headline_values(s, r).into_iter().enumerate() {
                self.values[k].push(v.unwrap_or(horizon));
                self.censored[k].push(v.is_none());
            }
        }
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

/// A progress observer for one stage of several: `done` of this stage's replications (counted
/// from `first`, as the engine counts a range's) is reported as `base + done` of `total`.
struct Stage<'a> {
    inner: &'a dyn Progress,
    base: u64,
    first: u64,
    total: u64,
}

impl Progress for Stage<'_> {
    fn advanced(&self, done: u64, _total: u64) {
        self.inner
            .advanced(self.base + done.saturating_sub(self.first), self.total);
    }
    fn note(&self, what: &str) {
        self.inner.note(what);
    }
}

/// Replications the analysis of `s` runs in all for `replications` each: the main run, its twins
/// and the fixed-assumption run (these two only when something is uncertain), a low and a high
/// run per assumption, and a pick-freeze run per counted routing.
pub fn replications_run(s: &Scenario, replications: u64) -> u64 {
    let twins_and_central = if s.assumptions.is_empty() { 0 } else { 2 };
    replications.saturating_mul(1 + twins_and_central + pinned_runs(s).len() as u64)
}

fn is_routing(a: &crate::scenario::assume::Assumption) -> bool {
    matches!(a.kind, AssumptionKind::Routing { .. })
}

/// A run of the analysis besides the main run, its twins and its fixed-assumption run: one that
/// pins an assumption, or keeps its draws. Each is keyed by (seed, replication) like the main
/// run, so a block of replications of it is the same wherever it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinnedRun {
    /// The pick-freeze partner of a counted routing (the assumption's index): the routing's
    /// draws kept, everything else redrawn ([`RepKeys::keep`]).
    Keep(usize),
    /// The assumption at its P10 ([`LOW_U`]), every other at its median, the same chance.
    Low(usize),
    /// The assumption at its P90 ([`HIGH_U`]).
    High(usize),
}

impl PinnedRun {
    /// What the run is, for a message: "the P90 run of productive_hours".
    pub fn describe(self, s: &Scenario) -> String {
        let name = |a: usize| crate::quote::escaped(&s.assumptions.list[a].name);
        match self {
            PinnedRun::Keep(a) => format!("the pick-freeze run of {}", name(a)),
            PinnedRun::Low(a) => format!("the P10 run of {}", name(a)),
            PinnedRun::High(a) => format!("the P90 run of {}", name(a)),
        }
    }

    /// The keys of replication `rep` of this run.
    pub fn keys(self, seed: u64, rep: u64) -> RepKeys {
        let one = |assumption, u| RepKeys::of(seed, rep).pinned(Pin::One { assumption, u });
        match self {
            PinnedRun::Keep(a) => RepKeys::keep(seed, rep, a),
            PinnedRun::Low(a) => one(a, LOW_U),
            PinnedRun::High(a) => one(a, HIGH_U),
        }
    }
}

/// The pinned runs of the analysis of `s`, in the order it runs them (and a shard's `shard.bin`
/// holds them): a pick-freeze run per counted routing, in the order of the assumptions, then the
/// low and the high run of each assumption.
pub fn pinned_runs(s: &Scenario) -> Vec<PinnedRun> {
    let list = &s.assumptions.list;
    let keeps = (0..list.len()).filter(|&a| is_routing(&list[a]));
    keeps
        .map(PinnedRun::Keep)
        .chain((0..list.len()).flat_map(|a| [PinnedRun::Low(a), PinnedRun::High(a)]))
        .collect()
}

/// Replications `range` of the pinned run `p`, records only, in replication order, on the
/// current rayon pool.
pub fn run_pinned(
    s: &Scenario,
    p: PinnedRun,
    range: std::ops::Range<u64>,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Vec<RepRecord>, RunError> {
    engine::run_records(s, range, seed, move |seed, rep| p.keys(seed, rep), progress)
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

/// Every run of an analysis over some replications: the main run, its twins and its
/// fixed-assumption run (these two empty when nothing is uncertain), and the headline outputs of
/// each pinned run ([`pinned_runs`] order). Gathered by [`analyse`], or put together from the
/// shards of an analysis, block by block in replication order; [`analysis`] makes the results.
#[derive(Debug, Clone)]
pub struct Runs {
    main: Option<RunResult>,
    twins: Vec<RepRecord>,
    central: Vec<RepRecord>,
    pinned: Vec<Outputs>,
}

impl Runs {
    /// No replications yet.
    pub fn new(s: &Scenario) -> Runs {
        let n_out = headlines(s).len();
        Runs {
            main: None,
            twins: Vec::new(),
            central: Vec::new(),
            pinned: vec![Outputs::of(s, n_out, &[]); pinned_runs(s).len()],
        }
    }

    /// Adds the next block of the main run (which must start where the runs end), its twins and
    /// fixed-assumption run.
    pub fn add_main(&mut self, main: RunResult, twins: Vec<RepRecord>, central: Vec<RepRecord>) {
        match &mut self.main {
            Some(m) => m.absorb(main),
            None => self.main = Some(main),
        }
        self.twins.extend(twins);
        self.central.extend(central);
    }

    /// Adds records of the `i`th pinned run ([`pinned_runs`] order), which follow those added
    /// before.
    pub fn add_pinned(&mut self, s: &Scenario, i: usize, records: &[RepRecord]) {
        self.pinned[i].extend(s, records);
    }
}

/// Where [`run_block`] hands the runs of a block, each as it is done.
pub trait BlockSink {
    /// The main run, its twins and fixed-assumption run (empty when nothing is uncertain).
    fn main(
        &mut self,
        main: RunResult,
        twins: Vec<RepRecord>,
        central: Vec<RepRecord>,
    ) -> Result<(), RunError>;
    /// The `i`th pinned run ([`pinned_runs`] order).
    fn pinned(&mut self, i: usize, records: Vec<RepRecord>) -> Result<(), RunError>;
}

/// [`Runs`] gathered as a block's runs are done.
struct Gather<'a> {
    s: &'a Scenario,
    runs: Runs,
}

impl BlockSink for Gather<'_> {
    fn main(
        &mut self,
        main: RunResult,
        twins: Vec<RepRecord>,
        central: Vec<RepRecord>,
    ) -> Result<(), RunError> {
        self.runs.add_main(main, twins, central);
        Ok(())
    }
    fn pinned(&mut self, i: usize, records: Vec<RepRecord>) -> Result<(), RunError> {
        self.runs.add_pinned(self.s, i, &records);
        Ok(())
    }
}

/// Runs the analysis of `s`: `replications` per run, master seed `seed`, on the current rayon
/// pool. Progress counts every replication run ([`replications_run`]).
pub fn analyse(
    s: &Scenario,
    replications: u64,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Sensitivity, RunError> {
    let mut gather = Gather {
        s,
        runs: Runs::new(s),
    };
    run_block(s, 0..replications, seed, progress, &mut gather)?;
    Ok(analysis(s, replications, seed, gather.runs))
}

/// Runs replications `range` of every run of the analysis of `s` (a shard's block, or all of
/// them) and hands each to `sink` as it is done, in the order [`replications_run`]'s progress
/// counts them: the main run with its twins and fixed-assumption run, then each pinned run.
pub fn run_block(
    s: &Scenario,
    range: std::ops::Range<u64>,
    seed: u64,
    progress: &dyn Progress,
    sink: &mut dyn BlockSink,
) -> Result<(), RunError> {
    let count = range.end.saturating_sub(range.start);
    let total = replications_run(s, count);
    let mut base = 0;
    let mut stage = || {
        let st = Stage {
            inner: progress,
            base,
            first: range.start,
            total,
        };
        base += count;
        st
    };
    let main = engine::run_range(s, range.clone(), seed, &stage())?;
    let (twins, central) = if s.assumptions.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        (
            engine::run_twins_range(s, range.clone(), seed, &stage())?,
            engine::run_central_range(s, range.clone(), seed, &stage())?,
        )
    };
    sink.main(main, twins, central)?;
    for (i, p) in pinned_runs(s).into_iter().enumerate() {
        sink.pinned(i, run_pinned(s, p, range.clone(), seed, &stage())?)?;
    }
    Ok(())
}

/// The analysis of `s` from its runs (all `replications` of each, master seed `seed`).
pub fn analysis(s: &Scenario, replications: u64, seed: u64, runs: Runs) -> Sensitivity {
    let Runs {
        main,
        twins,
        central,
        pinned: pinned_outputs,
    } = runs;
    let main = main.expect("the runs of at least one block");
    let uncertain = !s.assumptions.is_empty();
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
    let order = pinned_runs(s);
    let of = |p: PinnedRun| {
        &pinned_outputs[order
            .iter()
            .position(|&q| q == p)
            .expect("a pinned run of s")]
    };

    // First-order indices, [assumption][output]: binned on the main run's draws, or from a
    // pick-freeze run for a counted routing.
    let columns = binned_columns(s);
    let mut first: Vec<Vec<Option<FirstOrder>>> = Vec::with_capacity(columns.len());
    for (a, &col) in columns.iter().enumerate() {
        if is_routing(&s.assumptions.list[a]) {
            let kept = of(PinnedRun::Keep(a));
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
        let lo = of(PinnedRun::Low(a));
        let hi = of(PinnedRun::High(a));
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
    Sensitivity {
        meta: meta(s, replications, seed),
        outputs,
        assumptions: rows,
    }
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
