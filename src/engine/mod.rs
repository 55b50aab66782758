//! Runs the replications of a scenario in parallel and gathers what they produce.
//!
//! Determinism whatever the thread count: replication r always uses the streams keyed by
//! (seed, r); statistics pooled across replications are integer histograms, whose merge is exact in
//! any order; per-replication records are put back in replication order before anything adds floats.
//! Memory: histograms whose size depends on the scenario's span, not on the number of
//! replications, plus one [`RepRecord`] per replication: held in memory by [`run_range`], handed
//! a wave at a time to a [`RecordSink`] by [`run_range_into`] ([`Records`] keeps a long run's on
//! disk, so that its peak memory stays flat).
//!
//! The engine reports progress through [`Progress`]; it never prints.
//!
//! The semantics in prose, with every policy and metric: `docs/model.md` (keep it in step).

use crate::model::{
    NoProbe, Prepared, Probe, RepKeys, RepRecord, SimError, Workspace, run_replication,
    run_replication_keyed,
};
use crate::scenario::{Pin, Scenario};
use crate::stats::{CountHist, LogHist};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

pub mod records;
pub use records::{RecordSet, RecordSink, Records, RecordsError};

/// Replications handed to a worker at a time. Fixed, so that nothing depends on the thread count.
pub const BLOCK: u64 = 32;

/// Receives progress; the default does nothing.
pub trait Progress: Sync {
    /// `done` of `total` replications have finished.
    fn advanced(&self, _done: u64, _total: u64) {}
    /// What is being done now, in a few words (`solve`: the value being tried).
    fn note(&self, _what: &str) {}
}

/// A progress observer that ignores everything.
pub struct Silent;
impl Progress for Silent {}

/// Statistics pooled over replications, kept as exact integer histograms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pooled {
    /// Open cases at the end of each working day, all types together: `[day]`. Only non-zero
    /// counts are stored (most are zero: types with nothing open, replications already done):
    /// a replication missing from a day's histogram had 0 open then. The vector still reaches the
    /// last day any replication recorded.
    pub open_total: Vec<CountHist>,
    /// Open cases at the end of each working day by type: `[day][type]`.
    pub open_by_type: Vec<Vec<CountHist>>,
    /// Waiting time of every closed case by type [working days].
    pub wait: Vec<LogHist>,
    /// Time in system of every closed case by type [working days].
    pub time_in_system: Vec<LogHist>,
    /// Utilisation of each team within each working day, in hundredths (rounded to the
    /// nearest: 0 to [`UTILISATION_SCALE`]), for its quantiles: `[day][team]`. A replication is
    /// in a day's histogram only when the team had someone on duty that day before the
    /// replication stopped (otherwise its utilisation is undefined).
    pub utilisation: Vec<Vec<CountHist>>,
    /// The sum of the same utilisations in units of 1/[`UTILISATION_SUM_SCALE`], for their mean:
    /// `[day][team]`.
    pub utilisation_sum: Vec<Vec<u64>>,
}

/// Daily utilisations are pooled, for their quantiles, as whole numbers of this fraction
/// (percentage points): an exact integer histogram whose merge does not depend on the thread
/// count, small enough to keep one per day and team (at most 101 counts), at the cost of
/// rounding each replication's daily value to the nearest 0.01.
pub const UTILISATION_SCALE: u32 = 100;

/// Daily utilisations are summed, for their mean, as whole numbers of this fraction (10⁻⁹):
/// exact integer sums, in any order.
pub const UTILISATION_SUM_SCALE: u32 = 1_000_000_000;

impl Pooled {
    fn new(n_types: usize) -> Pooled {
        Pooled {
            wait: vec![LogHist::new(); n_types],
            time_in_system: vec![LogHist::new(); n_types],
            ..Default::default()
        }
    }

    /// Adds the histograms of other replications (exact: integer counts and sums, in any
    /// order).
    pub fn merge(&mut self, other: Pooled) {
        fn merge_vec(a: &mut Vec<CountHist>, b: Vec<CountHist>) {
            if a.len() < b.len() {
                a.resize(b.len(), CountHist::new());
            }
            for (x, y) in a.iter_mut().zip(b.iter()) {
                x.merge(y);
            }
        }
        merge_vec(&mut self.open_total, other.open_total);
        if self.open_by_type.len() < other.open_by_type.len() {
            self.open_by_type
                .resize(other.open_by_type.len(), Vec::new());
        }
        for (a, b) in self.open_by_type.iter_mut().zip(other.open_by_type) {
            merge_vec(a, b);
        }
        if self.utilisation.len() < other.utilisation.len() {
            self.utilisation.resize(other.utilisation.len(), Vec::new());
        }
        for (a, b) in self.utilisation.iter_mut().zip(other.utilisation) {
            merge_vec(a, b);
        }
        if self.utilisation_sum.len() < other.utilisation_sum.len() {
            self.utilisation_sum
                .resize(other.utilisation_sum.len(), Vec::new());
        }
        for (a, b) in self.utilisation_sum.iter_mut().zip(other.utilisation_sum) {
            if a.len() < b.len() {
                a.resize(b.len(), 0);
            }
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (a, b) in self.wait.iter_mut().zip(other.wait.iter()) {
            a.merge(b);
        }
        for (a, b) in self
            .time_in_system
            .iter_mut()
            .zip(other.time_in_system.iter())
        {
            a.merge(b);
        }
    }
}

/// The day-end open-case counts of the replications of one block, kept until the block ends and
/// then added to the pooled histograms day by day.
///
/// Why: a replication of a long scenario records hundreds of days for each case type, and each
/// (day, type) histogram lives in its own allocation. Adding one replication at a time touches
/// every one of them per replication (two cache misses each); adding a block at a time touches
/// each once per block. The counts added are the same, and histogram adds commute, so the pooled
/// result is identical.
///
/// Layout: day-major, `[day][replication of the block][total, then each type]`, so that the
/// block's counts for one day are contiguous when they are added; days a replication did not
/// reach stay zero, and zeros are not added (a histogram missing a replication means 0 open).
#[derive(Debug, Default)]
struct DayBuffer {
    counts: Vec<u32>,
    /// Counts per (day, replication): 1 + the number of case types.
    stride: usize,
    /// Days recorded by some replication of the block (the rest of `counts` is zero).
    days: usize,
    /// Replications of the block started so far.
    used: usize,
    /// The block's daily utilisations in units of 1/[`UTILISATION_SUM_SCALE`],
    /// `[day][replication of the block][team]`,
    /// [`NO_UTILISATION`] where undefined or not reached.
    utilisation: Vec<u32>,
    teams: usize,
    /// Days with a utilisation recorded by some replication of the block.
    utilisation_days: usize,
}

/// A day on which a team's utilisation is undefined (nobody on duty), or that the replication
/// did not reach.
const NO_UTILISATION: u32 = u32::MAX;

impl DayBuffer {
    /// Makes room for a block of replications with `n_types` case types, all counts zero.
    fn start(&mut self, n_types: usize, n_teams: usize) {
        self.stride = n_types + 1;
        self.days = 0;
        self.used = 0;
        self.teams = n_teams;
        self.utilisation_days = 0;
    }

    /// Records the utilisation of each team of replication `slot` within `day`, from its
    /// person-time busy and on duty.
    #[inline]
    fn record_utilisation(&mut self, slot: usize, day: u32, teams: &[crate::model::StaffTime]) {
        let day = day as usize;
        let n = self.teams;
        let row = (day * BLOCK as usize + slot) * n;
        if row + n > self.utilisation.len() {
            let want = ((day + 1) * BLOCK as usize * n).max(2 * self.utilisation.len());
            self.utilisation.resize(want, NO_UTILISATION);
        }
        self.utilisation_days = self.utilisation_days.max(day + 1);
        for (cell, &crate::model::StaffTime { busy, on_duty }) in
            self.utilisation[row..row + n].iter_mut().zip(teams)
        {
            *cell = if on_duty > 0.0 {
                let u = (busy / on_duty).clamp(0.0, 1.0);
                (u * f64::from(UTILISATION_SUM_SCALE)).round() as u32
            } else {
                NO_UTILISATION
            };
        }
    }

    /// Starts the next replication of the block and returns its slot.
    fn next_slot(&mut self) -> usize {
        self.used += 1;
        self.used - 1
    }

    /// Records the counts of replication `slot` at the end of `day`.
    #[inline]
    fn record(&mut self, slot: usize, day: u32, open_by_type: &[u32], open_total: u32) {
        let day = day as usize;
        let row = (day * BLOCK as usize + slot) * self.stride;
        if row + self.stride > self.counts.len() {
            // Grow by whole days, at least doubling, zero-filled.
            let want = ((day + 1) * BLOCK as usize * self.stride).max(2 * self.counts.len());
            self.counts.resize(want, 0);
        }
        self.days = self.days.max(day + 1);
        let cells = &mut self.counts[row..row + self.stride];
        cells[0] = open_total;
        for (c, &v) in cells[1..].iter_mut().zip(open_by_type) {
            *c = v;
        }
    }

    /// Adds the buffered counts to `pooled` and zeroes the buffer for the next block.
    fn flush(&mut self, pooled: &mut Pooled, n_types: usize) {
        let stride = self.stride;
        let days = self.days;
        if pooled.open_total.len() < days {
            pooled.open_total.resize(days, CountHist::new());
            pooled
                .open_by_type
                .resize(days, vec![CountHist::new(); n_types]);
        }
        let block = BLOCK as usize * stride;
        for (d, day) in self.counts.chunks_exact(block).take(days).enumerate() {
            let total = &mut pooled.open_total[d];
            let by_type = &mut pooled.open_by_type[d];
            for rep in day.chunks_exact(stride).take(self.used) {
                if rep[0] > 0 {
                    total.add(rep[0]);
                    for (h, &v) in by_type.iter_mut().zip(&rep[1..]) {
                        if v > 0 {
                            h.add(v);
                        }
                    }
                }
            }
        }
        self.counts[..days * block].fill(0);
        self.days = 0;
        let n = self.teams;
        let udays = self.utilisation_days;
        if pooled.utilisation.len() < udays {
            pooled.utilisation.resize(udays, vec![CountHist::new(); n]);
            pooled.utilisation_sum.resize(udays, vec![0; n]);
        }
        let block = BLOCK as usize * n;
        // From units of 10⁻⁹ to the nearest hundredth (half up).
        let per_bin = UTILISATION_SUM_SCALE / UTILISATION_SCALE;
        if n > 0 {
            for (d, day) in self.utilisation.chunks_exact(block).take(udays).enumerate() {
                let hists = &mut pooled.utilisation[d];
                let sums = &mut pooled.utilisation_sum[d];
                for rep in day.chunks_exact(n).take(self.used) {
                    for ((h, sum), &v) in hists.iter_mut().zip(sums.iter_mut()).zip(rep) {
                        if v != NO_UTILISATION {
                            h.add((v + per_bin / 2) / per_bin);
                            *sum += u64::from(v);
                        }
                    }
                }
            }
            self.utilisation[..udays * block].fill(NO_UTILISATION);
        }
        self.utilisation_days = 0;
        self.used = 0;
    }
}

struct Collector<'a> {
    pooled: &'a mut Pooled,
    /// The block's day-end counts (see [`DayBuffer`]) and this replication's slot in them.
    days: &'a mut DayBuffer,
    slot: usize,
}

impl Probe for Collector<'_> {
    #[inline]
    fn day_end(&mut self, day: u32, open_by_type: &[u32], open_total: u32) {
        self.days.record(self.slot, day, open_by_type, open_total);
    }

    #[inline]
    fn staff_day(&mut self, day: u32, teams: &[crate::model::StaffTime]) {
        self.days.record_utilisation(self.slot, day, teams);
    }

    fn closed_cases(
        &mut self,
        case_type: usize,
        zero_waits: u64,
        waits: &[u64],
        times_in_system: &[u64],
    ) {
        self.pooled.wait[case_type].add_zeros(zero_waits);
        self.pooled.wait[case_type].add_bits(waits);
        self.pooled.time_in_system[case_type].add_bits(times_in_system);
    }
}

/// Everything a run produced, before summarising. The records are a `Vec` in memory, or
/// [`Records`], which a long run keeps on disk (see [`run_range_into`]).
#[derive(Debug, Clone)]
pub struct RunResult<R = Vec<RepRecord>> {
    pub seed: u64,
    pub replications: u64,
    /// One per replication, in replication order.
    pub records: R,
    pub pooled: Pooled,
}

/// Why a run failed part-way (exit code 1: the scenario was valid).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    #[error(transparent)]
    Simulation(#[from] SimError),
    /// The records of a long run could not be kept on disk or read back.
    #[error(transparent)]
    Records(#[from] RecordsError),
}

struct Partial {
    pooled: Pooled,
    records: Vec<RepRecord>,
    error: Option<SimError>,
    ws: Workspace,
    days: DayBuffer,
}

/// Runs replications `0..replications` of `s` with master seed `seed` on the current rayon pool.
pub fn run(
    s: &Scenario,
    replications: u64,
    seed: u64,
    progress: &dyn Progress,
) -> Result<RunResult, RunError> {
    run_range(s, 0..replications, seed, progress)
}

impl RunResult<Vec<RepRecord>> {
    /// Adds the replications of `later`, which must start where these end: the result is exactly
    /// that of one run over both ranges (records in replication order; the pooled histograms hold
    /// integer counts, whose sums do not depend on how the replications were grouped).
    ///
    /// # Panics
    /// If `later` does not start at `self.replications` or has another seed (a programming
    /// error).
    pub fn absorb(&mut self, later: RunResult) {
        assert_eq!(later.seed, self.seed, "runs of one seed");
        assert_eq!(
            later.records.first().map(|r| r.replication),
            Some(self.replications).filter(|_| !later.records.is_empty()),
            "consecutive ranges"
        );
        self.pooled.merge(later.pooled);
        self.records.extend(later.records);
        self.replications = later.replications;
    }
}

/// Runs replications `range` of `s` with master seed `seed` on the current rayon pool: the same
/// replications, bit for bit, as in any other run that includes them. `replications` in the
/// result is the range's end, so that consecutive ranges [`RunResult::absorb`] into a run of
/// `0..end`. The records are held in memory; a long run that must not hold them uses
/// [`run_range_into`].
pub fn run_range(
    s: &Scenario,
    range: std::ops::Range<u64>,
    seed: u64,
    progress: &dyn Progress,
) -> Result<RunResult, RunError> {
    let (first, end) = (range.start, range.end.max(range.start));
    // One wave: the records are all held anyway.
    run_waves(s, range, seed, progress, Vec::new(), end - first)
}

/// Replications run between two hand-overs of records to a [`RecordSink`] by
/// [`run_range_into`]: the records held in memory at once (about 15 MB of met-2023's), and the
/// pooled histograms merged once per wave.
pub const WAVE: u64 = 256 * BLOCK;

/// [`run_range`], handing the records to `sink` in replication order a wave of [`WAVE`]
/// replications at a time, so that a long run need not hold them all (give it [`Records`]).
/// The results are those of [`run_range`], bit for bit.
pub fn run_range_into<R: RecordSink>(
    s: &Scenario,
    range: std::ops::Range<u64>,
    seed: u64,
    progress: &dyn Progress,
    sink: R,
) -> Result<RunResult<R>, RunError> {
    run_waves(s, range, seed, progress, sink, WAVE)
}

fn run_waves<R: RecordSink>(
    s: &Scenario,
    range: std::ops::Range<u64>,
    seed: u64,
    progress: &dyn Progress,
    mut sink: R,
    wave: u64,
) -> Result<RunResult<R>, RunError> {
    let (first, replications) = (range.start, range.end.max(range.start));
    let mut s = s.clone();
    s.seed = seed;
    let s = &s;
    let prep = Prepared::new(s);
    let n_types = s.case_types.len();
    let mut pooled = Pooled::new(n_types);
    let done = AtomicU64::new(0);
    let mut lo = first;
    while lo < replications {
        let hi = lo.saturating_add(wave.max(1)).min(replications);
        let partial = run_wave(s, &prep, lo..hi, first, replications, &done, progress);
        if let Some(e) = partial.error {
            return Err(e.into());
        }
        let mut records = partial.records;
        records.sort_by_key(|r| r.replication);
        sink.append(records)?;
        pooled.merge(partial.pooled);
        lo = hi;
    }
    Ok(RunResult {
        seed,
        replications,
        records: sink,
        pooled,
    })
}

/// Replications `wave` in parallel; `first..replications` is the whole run's range, for
/// progress.
fn run_wave(
    s: &Scenario,
    prep: &Prepared,
    wave: std::ops::Range<u64>,
    first: u64,
    replications: u64,
    done: &AtomicU64,
    progress: &dyn Progress,
) -> Partial {
    let n_types = s.case_types.len();
    let n_teams = s.teams.len();
    let blocks = (wave.end - wave.start).div_ceil(BLOCK);
    // Each fold accumulator covers several blocks (about four per thread in all): few
    // accumulators to allocate and merge, yet every thread busy even for short runs. The results
    // do not depend on how the blocks are split.
    let per_fold = (blocks as usize / (4 * rayon::current_num_threads()).max(1)).max(1);
    (0..blocks as usize)
        .into_par_iter()
        .with_min_len(per_fold)
        .fold(
            || Partial {
                pooled: Pooled::new(n_types),
                records: Vec::new(),
                error: None,
                ws: Workspace::default(),
                days: DayBuffer::default(),
            },
            |mut acc, b| {
                let lo = wave.start + b as u64 * BLOCK;
                let hi = (lo + BLOCK).min(wave.end);
                acc.days.start(n_types, n_teams);
                for rep in lo..hi {
                    if acc.error.is_some() {
                        break;
                    }
                    let slot = acc.days.next_slot();
                    let mut probe = Collector {
                        pooled: &mut acc.pooled,
                        days: &mut acc.days,
                        slot,
                    };
                    match run_replication(s, prep, rep, &mut acc.ws, &mut probe) {
                        Ok(r) => acc.records.push(r),
                        Err(e) => acc.error = Some(e),
                    }
                }
                acc.days.flush(&mut acc.pooled, n_types);
                let now = done.fetch_add(hi - lo, Ordering::Relaxed) + (hi - lo);
                progress.advanced(first + now, replications);
                acc
            },
        )
        .map(|mut p| {
            // Drop the buffers before the merge.
            p.ws = Workspace::default();
            p.days = DayBuffer::default();
            p
        })
        .reduce(
            || Partial {
                pooled: Pooled::new(n_types),
                records: Vec::new(),
                error: None,
                ws: Workspace::default(),
                days: DayBuffer::default(),
            },
            |mut a, b| {
                a.pooled.merge(b.pooled);
                a.records.extend(b.records);
                a.error = match (a.error, b.error) {
                    // Report the error of the lowest replication, whichever thread met it.
                    (Some(x), Some(y)) => Some(if rep_of(&x) <= rep_of(&y) { x } else { y }),
                    (x, y) => x.or(y),
                };
                a
            },
        )
}

/// The twins of replications `0..replications` (see [`RepKeys::twin`]): each with its
/// replication's epistemic draws and chance of its own, records only (nothing pooled), in
/// replication order, on the current rayon pool.
pub fn run_twins(
    s: &Scenario,
    replications: u64,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Vec<RepRecord>, RunError> {
    run_twins_range(s, 0..replications, seed, progress)
}

/// The twins of replications `range` (a shard's block; see [`run_twins`]): the same records,
/// bit for bit, as in a run of twins over any range that includes them.
pub fn run_twins_range(
    s: &Scenario,
    range: std::ops::Range<u64>,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Vec<RepRecord>, RunError> {
    run_records(s, range, seed, RepKeys::twin, progress)
}

/// Replications `0..replications` with their own chance and every assumption at its median
/// (the `fixed_assumptions` band: what the spread would be if the assumptions were known),
/// records only, in replication order.
pub fn run_central(
    s: &Scenario,
    replications: u64,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Vec<RepRecord>, RunError> {
    run_central_range(s, 0..replications, seed, progress)
}

/// Replications `range` with every assumption at its median (a shard's block; see
/// [`run_central`]).
pub fn run_central_range(
    s: &Scenario,
    range: std::ops::Range<u64>,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Vec<RepRecord>, RunError> {
    run_records(
        s,
        range,
        seed,
        |seed, rep| RepKeys::of(seed, rep).pinned(Pin::Central),
        progress,
    )
}

/// Replications `range` run with the keys `keys(seed, rep)` gives, records only (nothing
/// pooled), in replication order, on the current rayon pool: the same records whatever the
/// number of threads, and whatever range they are run in.
pub fn run_records(
    s: &Scenario,
    range: std::ops::Range<u64>,
    seed: u64,
    keys: impl Fn(u64, u64) -> RepKeys + Sync,
    progress: &dyn Progress,
) -> Result<Vec<RepRecord>, RunError> {
    let (first, replications) = (range.start, range.end.max(range.start));
    let mut s = s.clone();
    s.seed = seed;
    let s = &s;
    let prep = Prepared::new(s);
    let done = AtomicU64::new(0);
    let blocks: Vec<Result<Vec<RepRecord>, SimError>> = (0..(replications - first).div_ceil(BLOCK))
        .into_par_iter()
        .map_init(Workspace::default, |ws, b| {
            let lo = first + b * BLOCK;
            let hi = (lo + BLOCK).min(replications);
            let out = (lo..hi)
                .map(|rep| run_replication_keyed(s, &prep, rep, keys(seed, rep), ws, &mut NoProbe))
                .collect();
            let now = done.fetch_add(hi - lo, Ordering::Relaxed) + (hi - lo);
            progress.advanced(first + now, replications);
            out
        })
        .collect();
    let mut records = Vec::with_capacity((replications - first) as usize);
    for b in blocks {
        records.extend(b?);
    }
    Ok(records)
}

/// The most replications `run --precision` runs when `-n` does not say.
pub const PRECISION_CAP_DEFAULT: u64 = 100_000;

/// Replications added at a time by [`run_to_precision`].
pub const PRECISION_BLOCK: u64 = 1000;

/// How precise the P90 of `all_cases_closed` is after a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Precision {
    /// The P90 [working days], when it falls among finished replications.
    pub p90: Option<f64>,
    /// The larger side of its 95 % interval, max(P90 − low, high − P90) [working days]; `None`
    /// when there is no interval yet (too few replications, or a bound among censored ones).
    pub half_width: Option<f64>,
    /// Replications not finished by the horizon, as a share.
    pub censored_share: f64,
}

impl Precision {
    /// Why there is no half-width, in words, or `None` when there is one.
    pub fn why_unknown(&self) -> Option<String> {
        if self.half_width.is_some() {
            return None;
        }
        Some(if self.p90.is_none() && self.censored_share > 0.0 {
            format!(
                "the P90 itself is after the horizon ({:.1} % of runs are not finished by it): no number of replications can pin it down; give a later horizon",
                100.0 * self.censored_share
            )
        } else if self.censored_share > 0.0 {
            format!(
                "the top of its interval is after the horizon ({:.1} % of runs are not finished by it); a later horizon would bound it",
                100.0 * self.censored_share
            )
        } else {
            "there are too few replications for an interval".to_string()
        })
    }
}

impl Precision {
    /// Of the replications of `r`.
    pub fn of(r: &RunResult) -> Precision {
        let mut v: Vec<f64> = r
            .records
            .iter()
            .map(|x| x.all_closed.unwrap_or(f64::INFINITY))
            .collect();
        v.sort_unstable_by(f64::total_cmp);
        let p90 = crate::stats::quantile_type7_sorted(&v, 0.9).filter(|x| x.is_finite());
        let ci = crate::stats::quantile_interval_sorted(&v, 0.9, crate::report::summary::CI_LEVEL);
        let half_width = match (p90, ci) {
            (Some(q), Some([Some(lo), Some(hi)])) => Some((q - lo).max(hi - q)),
            _ => None,
        };
        let censored = v.iter().filter(|x| x.is_infinite()).count();
        Precision {
            p90,
            half_width,
            censored_share: censored as f64 / v.len().max(1) as f64,
        }
    }
}

/// Runs blocks of [`PRECISION_BLOCK`] replications, in order, until the larger side of the 95 %
/// interval of the P90 of `all_cases_closed` is within `target` working days, or `cap`
/// replications have run, or the P90 itself is after the horizon (more than a tenth of the runs
/// censored: no number of replications would make it known, so it stops at once). Because the
/// blocks are fixed and replication r is the same in any run, the result is exactly that of
/// `run(s, n, seed)` with the n it stopped at. Returns the run, its precision, and whether the
/// target was met.
pub fn run_to_precision(
    s: &Scenario,
    target: f64,
    cap: u64,
    seed: u64,
    progress: &dyn Progress,
) -> Result<(RunResult, Precision, bool), RunError> {
    let mut total: Option<RunResult> = None;
    loop {
        let start = total.as_ref().map_or(0, |t| t.replications);
        let end = (start + PRECISION_BLOCK).min(cap);
        let more = run_range(s, start..end, seed, progress)?;
        let all = match total.as_mut() {
            Some(t) => {
                t.absorb(more);
                t
            }
            None => total.insert(more),
        };
        let precision = Precision::of(all);
        let met = precision.half_width.is_some_and(|h| h <= target);
        let hopeless = precision.p90.is_none() && precision.censored_share > 0.0;
        if met || hopeless || all.replications >= cap {
            let all = total.take().expect("a block has run");
            return Ok((all, precision, met));
        }
    }
}

fn rep_of(e: &SimError) -> u64 {
    match e {
        SimError::TooManyCases { replication, .. } | SimError::TooManyEvents { replication } => {
            *replication
        }
    }
}

#[cfg(test)]
mod tests;
