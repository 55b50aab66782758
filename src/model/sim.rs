//! One replication of the system: screening hits, arrivals and backlogs open cases; teams work them
//! one person per case, non-preemptively; closed cases route to follow-on cases.
//!
//! Semantics (DESIGN §4), in the order the code applies them at any one moment t:
//! 1. completions at t (in the order their services started), each closing its case and opening
//!    its follow-on cases;
//! 2. roster changes at t (a `handover` team returns the cases of people who leave to the front of
//!    their queue with the hours still to do);
//! 3. delays ending at t;
//! 4. arrivals at t (backlogs, then screening hits by category then record, then streams);
//! 5. dispatch: while a waiting case can be started, the first case in queue order (priority, then
//!    handed-over cases, then time of joining the queue, then sequence number) starts with the first
//!    eligible team, in the case type's order of preference, that has room; a team has room while
//!    fewer of its cases are in service than its headcount.
//!
//! Open cases are counted at the end of each working day d, that is at t = d + 1 after everything
//! at that moment. Time is in working days throughout; the calendar turns it into dates later.
//!
//! This module is pure: no I/O, no threads, no global state. A [`Workspace`] holds buffers reused
//! across replications so that a replication allocates almost nothing.
//!
//! The semantics in prose, with every policy and metric: `docs/model.md` (keep it in step).

use super::agenda::{Agenda, Dated};
use super::heap::MinHeap4;
use super::random::{self, Purpose, case_id, open_unit};
use super::staff::WorkRate;
use crate::scenario::{ArrivalProcess, Pin, ReductionPolicy, Scenario, Shares};
use crate::stats::{quantile_type7_nonneg_bits, quantile_type7_nonneg_bits_and_zeros};
use rand_distr::{Distribution, Exp};
use std::collections::VecDeque;

/// What one replication leaves behind: the small record kept per replication.
#[derive(Debug, Clone, PartialEq)]
pub struct RepRecord {
    pub replication: u64,
    /// Index of the working day on which the last record is checked; `None` when not by the horizon
    /// (or when the scenario has no screening).
    pub screening_last_day: Option<u32>,
    /// When no tracked case is open and none can arrive any more [working days]; `None` = not by the
    /// horizon (censored).
    pub all_closed: Option<f64>,
    /// Most cases open at any moment \[cases\], and when [working days].
    pub peak_open: u32,
    pub peak_time: f64,
    /// Cases still open when the replication stopped (at the horizon if censored) \[cases\].
    pub open_at_end: u32,
    /// When the replication stopped [working days].
    pub end_time: f64,
    /// ∫ open cases dt over [0, end_time] [case·working days]: with Little's law, equals the summed
    /// time in system of the cases when all of them closed.
    pub open_area: f64,
    /// For each case type with a `backlog_target` ([`Scenario::backlog_targets`] order): the
    /// moment after which its open cases stay at or below the target to the end of the run
    /// [working days] (0 when they never exceed it); `None` when they are above it at the end
    /// (censored). See [`TargetWatch`].
    pub back_to_target: Vec<Option<f64>>,
    /// Per case type, in scenario order.
    pub types: Vec<TypeRecord>,
    /// All case types together.
    pub all: TypeRecord,
    /// Officer-days given by each source unit [person·working days], in scenario order.
    pub source_days: Vec<f64>,
    /// The hit rate of each category drawn for this replication.
    pub hit_rates: Vec<f64>,
    /// The screening pace at day 0 before the factor [records/working day] and the factor drawn
    /// for this replication (NaN without screening): with [`Pace`] they give the whole screening
    /// progress of the replication.
    pub screening_pace: f64,
    pub screening_factor: f64,
    /// Each assumption's value, in [`Scenario::assumption_columns`] order (a counted routing:
    /// each outcome's share).
    pub assumptions: Vec<f64>,
    /// Per team, in scenario order: the staff time of the replication, over [0, `end_time`].
    pub teams: Vec<StaffTime>,
    /// Per headcount entry, in scenario order (the teams' entries one team after another): the
    /// staff time of the entry's *team* over the entry's span (its working days, clipped to
    /// [0, `end_time`]).
    pub periods: Vec<StaffTime>,
}

/// Person-time of a team over an interval [person·working days]: spent working on cases, and on
/// duty. On duty is, group by group, the larger of the group's headcount and the people of the
/// group in service, so that a leaver finishing a case after their group shrank (`finish`
/// policy) is on duty until the case closes: `busy ≤ on_duty` always.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StaffTime {
    pub busy: f64,
    pub on_duty: f64,
}

impl StaffTime {
    /// Utilisation, busy / on duty; `None` (undefined) when nobody was on duty.
    pub fn utilisation(&self) -> Option<f64> {
        // Busy ≤ on duty by construction (§4.10b); the `min` only absorbs rounding in the sums.
        debug_assert!(
            self.busy <= self.on_duty * (1.0 + 1e-9) + 1e-9,
            "busy {} > on duty {}",
            self.busy,
            self.on_duty
        );
        (self.on_duty > 0.0).then(|| (self.busy / self.on_duty).min(1.0))
    }
}

/// A replication's screening pace as segments of (first day, records/day, records checked before
/// that day), so that progress and the day of any record are closed-form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pace {
    segments: Vec<(u32, f64, f64)>,
    remaining: u64,
}

impl Pace {
    /// The pace for one replication's draws.
    pub fn new(sc: &crate::scenario::Screening, pace: f64, factor: f64) -> Pace {
        let mut p = Pace::default();
        p.set(sc, pace, factor);
        p
    }

    fn set(&mut self, sc: &crate::scenario::Screening, pace: f64, factor: f64) {
        self.segments.clear();
        self.remaining = sc.remaining();
        let mut cum = 0.0;
        let mut seg_start = 0u32;
        let mut seg_rate = pace * factor;
        for &(day, r) in &sc.changes {
            if day > seg_start {
                self.segments.push((seg_start, seg_rate, cum));
                cum += seg_rate * (day - seg_start) as f64;
                seg_start = day;
            }
            seg_rate = r * factor;
        }
        self.segments.push((seg_start, seg_rate, cum));
    }

    /// The working day on which record `i` (0-based among those still to check) is checked: the
    /// first day by whose end the cumulative pace reaches i + 1; `None` if not before `horizon`.
    pub fn day_of(&self, i: u64, horizon: f64) -> Option<u32> {
        // Through i64: one instruction on x86-64 where a u64 takes a dozen, and the same value
        // for any count below 2^63 (records are far fewer).
        let need = (i + 1) as i64 as f64;
        for (k, &(start, rate, before)) in self.segments.iter().enumerate() {
            let end_cum = match self.segments.get(k + 1) {
                Some(&(_, _, next_before)) => next_before,
                None => f64::INFINITY,
            };
            if rate > 0.0 && need <= end_cum + 1e-9 && need > before - 1e-9 {
                let d = start as f64 + ceil_non_negative((need - before) / rate - 1e-9) - 1.0;
                let d = d.max(start as f64);
                return (d < horizon).then_some(d as u32);
            }
        }
        None
    }

    /// Records checked from day 0 to the end of day `d` (not counting those checked before).
    pub fn checked_by_end_of(&self, d: u32) -> u64 {
        let k = self
            .segments
            .partition_point(|s| s.0 <= d)
            .saturating_sub(1);
        let (start, rate, before) = self.segments[k];
        let c = before + rate * (d - start + 1) as f64;
        ((c + 1e-9).floor().max(0.0) as u64).min(self.remaining)
    }

    /// The first day before `days` by whose end every record is checked, after which
    /// [`Pace::checked_by_end_of`] stays at the total; `None` if there is none, or if a segment's
    /// rate is negative or NaN (then progress need not be monotone and nothing is promised).
    ///
    /// Why: a summary of screening progress by day need not evaluate the days after a
    /// replication finished. With rates of at least zero, progress never decreases: within a
    /// segment `before + rate * k` grows with `k`, and each segment starts from exactly the
    /// cumulative count at which the previous one ends (the same floating-point expression), so
    /// a binary search finds the day.
    pub fn capped_from(&self, days: u32) -> Option<u32> {
        if self.segments.iter().any(|&(_, rate, _)| !(rate >= 0.0)) || days == 0 {
            return None;
        }
        let last = days - 1;
        if self.checked_by_end_of(last) < self.remaining {
            return None;
        }
        // The first d in [0, last] with the total reached (it is reached at `last`).
        let (mut lo, mut hi) = (0u32, last);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.checked_by_end_of(mid) >= self.remaining {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        Some(lo)
    }
}

/// Per case type results of one replication.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypeRecord {
    pub opened: u32,
    pub closed: u32,
    /// Closed cases in the waiting and time-in-system statistics below: those opened at or after
    /// the scenario's warm-up (all closed cases without one).
    pub measured: u32,
    /// Measured closed cases that waited at all before work started.
    pub waited: u32,
    /// Sum over measured closed cases of waiting time [working days].
    pub sum_wait: f64,
    /// Sum over measured closed cases of time in system (open to close) [working days].
    pub sum_time_in_system: f64,
    /// P90 (Hyndman–Fan type 7) over measured closed cases; NaN when none.
    pub p90_wait: f64,
    pub p90_time_in_system: f64,
}

/// Watches one case type's open cases against its `backlog_target` for `back_to_target`: the
/// last moment the count came down from above the target to at or below it, if it stays there.
///
/// The count is taken after everything at a moment (the count of `daily.csv` and of the peak):
/// a case that opens and closes at the same moment (a stage that needs no staff) never counts
/// as open. Open cases as a function of time are then a right-continuous step function N(t),
/// and `back_to_target` is the earliest s with N(u) ≤ target for every u in [s, end of run]:
/// 0 when N never exceeds the target, `None` when N is above it at the end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetWatch {
    /// The target [cases], capped at `u32::MAX` (no count exceeds that).
    target: u32,
    /// When the count last came back to the target [working days]; NaN while it is above.
    since: f64,
}

impl TargetWatch {
    /// At the start of a run: nothing open yet, so at or below any target since time 0.
    pub fn new(target: u64) -> TargetWatch {
        TargetWatch {
            target: target.min(u64::from(u32::MAX)) as u32,
            since: 0.0,
        }
    }

    /// The count `open` after everything at moment `t` (moments in increasing order).
    #[inline]
    pub fn observe(&mut self, open: u32, t: f64) {
        if open > self.target {
            self.since = f64::NAN;
        } else if self.since.is_nan() {
            self.since = t;
        }
    }

    /// `back_to_target` once the run has ended: `None` if the count is above the target.
    pub fn back(&self) -> Option<f64> {
        (!self.since.is_nan()).then_some(self.since)
    }
}

/// Receives what a replication observes as it runs, for statistics pooled across replications.
/// The default methods do nothing (the argmin `Observe` habit).
pub trait Probe {
    /// Cases open at the end of working day `day`, by type, and their total. Called for days 0, 1,
    /// 2, ... in order, once each, until nothing more can change (later days then had nothing open).
    fn day_end(&mut self, _day: u32, _open_by_type: &[u32], _open_total: u32) {}
    /// Person-time of each team within working day `day` [person·working days]: spent on cases
    /// (`busy`) and on duty (`on_duty`), by team in scenario order. Called for days 0, 1, 2, ...
    /// in order, once each, up to the day in which the replication stops (`end_time`; that day
    /// counts up to `end_time` only), never after it.
    fn staff_day(&mut self, _day: u32, _teams: &[StaffTime]) {}
    /// A case opened: its identity, type, when [working days] and the work it needs
    /// [person-hours]. For tracing and for checking common random numbers.
    fn opened(&mut self, _id: u64, _case_type: usize, _t: f64, _effort: f64) {}
    /// A case of type `case_type` closed after waiting `wait` and spending `time_in_system`
    /// [working days], as it happens: for tracing (pooled statistics take the same values from
    /// [`Probe::closed_cases`]).
    fn closed(&mut self, _case_type: usize, _wait: f64, _time_in_system: f64) {}
    /// When the replication has run to its end (not after an error), for each case type in turn:
    /// how many of its closed cases waited not at all, the waits of the others (positive), and
    /// the times in system of all of them [working days], as `f64::to_bits` (non-negative, so
    /// the bits order like the values), in no particular order. The same values as
    /// [`Probe::closed`], a type at a time: adding them to pooled histograms one type after
    /// another touches one histogram at a time instead of a different one at every case.
    fn closed_cases(
        &mut self,
        _case_type: usize,
        _zero_waits: u64,
        _waits: &[u64],
        _times_in_system: &[u64],
    ) {
    }
}

/// A probe that observes nothing.
pub struct NoProbe;
impl Probe for NoProbe {}

/// Why a replication could not complete.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    #[error("{}", too_many_cases(*replication, *limit, case_type, from.as_deref()))]
    TooManyCases {
        replication: u64,
        limit: usize,
        /// The case type with the most cases opened when the limit was reached.
        case_type: String,
        /// The screening hits or arrival stream that brought them (`screening hits "name"`,
        /// `arrival stream "name"`), when the limit was reached before any case opened; `None`
        /// when cases multiplied through routing.
        from: Option<String>,
    },
    #[error(
        "replication {replication} handed a case back to its queue after more than 4,294,967,295 sequence numbers (queue joins, delays and service starts), beyond what its queue order can hold"
    )]
    TooManyEvents { replication: u64 },
}

/// What [`SimError::TooManyCases`] says: too many arrivals point at the value drawn for their
/// source (a long-tailed rate), too many cases opened at the routing. Until 0.6.0 both blamed the
/// routing, which sent a user with a lognormal arrival rate of sd 100 times its mean to the
/// wrong setting.
fn too_many_cases(replication: u64, limit: usize, case_type: &str, source: Option<&str>) -> String {
    let ct = crate::quote::quoted(case_type);
    let limit = crate::report::text::thousands(limit as f64);
    match source {
        Some(from) => format!(
            "replication {replication} drew more than {limit} cases of type {ct} from {from}: a value drawn for it (its rate, hit rate or conversion, or a pace) is far above its central value (check that setting's distribution: a wide lognormal or gamma has a long tail)"
        ),
        None => format!(
            "replication {replication} opened more than {limit} cases, the most of them of type {ct}: the routing drawn for it multiplies cases (check the routing shares, counts and priors on the way to that type: shares drawn from few observed counts can land far from their mean)"
        ),
    }
}

#[derive(Debug, Clone, Copy)]
struct Case {
    id: u64,
    ctype: u32,
    tracked: bool,
    opened: f64,
    /// When it (last) joined a queue [working days].
    enq: f64,
    seq: u64,
    /// Work still to do [person-hours].
    remaining: f64,
    /// Time spent waiting so far [working days].
    waited: f64,
    /// When its current service started [working days] (meaningful while `group` is not
    /// [`NOT_SERVING`]).
    start: f64,
    /// The staff group serving it, or [`NOT_SERVING`].
    group: u32,
    /// Bumped when the case is handed back: a completion event scheduled before carries the
    /// old number and is ignored. Kept when the slot is reused, so that a stale event can never
    /// match a later case in the same slot (short of 2^32 hand-overs of one slot).
    generation: u32,
}

/// [`Case::group`] of a case not in service.
const NOT_SERVING: u32 = u32::MAX;

/// A timed event: 24 bytes, ordered by (time, sequence number) as one 128-bit integer
/// ([`Event::key`]). Completions and delays ending wait apart (completions are taken first at any
/// one moment), so the kind is not part of the order.
#[derive(Debug, Clone, Copy)]
struct Event {
    /// `f64::to_bits` of a non-negative time: orders like the time itself.
    time: u64,
    seq: u64,
    /// The case (its slot in the workspace).
    payload: u32,
    generation: u32,
}

impl Event {
    fn new(time: f64, seq: u64, payload: u32, generation: u32) -> Event {
        Event {
            time: tbits(time),
            seq,
            payload,
            generation,
        }
    }

    /// The order of events as one integer: time, then sequence number. Unique, since every event
    /// has its own sequence number.
    #[inline]
    fn key(&self) -> u128 {
        (u128::from(self.time) << 64) | u128::from(self.seq)
    }
}

impl Dated for Event {
    #[inline]
    fn day(&self) -> u32 {
        // Saturating: an infinite time has the last day.
        f64::from_bits(self.time) as u32
    }
}

impl PartialEq for Event {
    fn eq(&self, other: &Event) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    #[inline]
    fn partial_cmp(&self, other: &Event) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
    #[inline]
    fn lt(&self, other: &Event) -> bool {
        self.key() < other.key()
    }
    #[inline]
    fn le(&self, other: &Event) -> bool {
        self.key() <= other.key()
    }
}
impl Ord for Event {
    #[inline]
    fn cmp(&self, other: &Event) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

/// A waiting case and its place in queue order: (priority, 0 for handed-back cases else 1, time
/// it joined the queue, sequence number) packed into one integer, so that dispatch compares the
/// heads of the queues without reading the cases.
#[derive(Debug, Clone, Copy)]
struct Waiting {
    key: u128,
    case: u32,
}

/// The cases of one [`Class`] waiting for a person: handed-back cases first (rarely any), in key
/// order, then the main queue in order of joining.
#[derive(Debug, Default)]
struct ClassQueue {
    front: VecDeque<Waiting>,
    /// The main queue as a vector and the index of its head: taking the head is an increment.
    /// Emptied when the queue empties, and compacted when the head passes half of it, so that it
    /// holds at most twice the cases waiting (plus a small constant).
    main: Vec<Waiting>,
    head: usize,
}

impl ClassQueue {
    fn clear(&mut self) {
        self.front.clear();
        self.main.clear();
        self.head = 0;
    }

    fn is_empty(&self) -> bool {
        self.front.is_empty() && self.head == self.main.len()
    }

    /// The key of the first case and whether it is a handed-back one.
    #[inline]
    fn first(&self) -> Option<(u128, bool)> {
        match self.front.front() {
            Some(w) => Some((w.key, true)),
            None => self.main.get(self.head).map(|w| (w.key, false)),
        }
    }

    /// Removes the first case (`from_front` as [`ClassQueue::first`] said) and returns it.
    #[inline]
    fn pop_first(&mut self, from_front: bool) -> u32 {
        if from_front {
            return self.front.pop_front().expect("a handed-back case").case;
        }
        let w = self.main[self.head];
        self.head += 1;
        if self.head == self.main.len() {
            self.main.clear();
            self.head = 0;
        } else if self.head >= 64 && 2 * self.head >= self.main.len() {
            self.main.drain(..self.head);
            self.head = 0;
        }
        w.case
    }
}

/// The priority and hand-back bits of a queue key: the priority, offset to be non-negative, in
/// the top 32 bits, then 0 for a handed-back case or 1 for any other.
#[inline]
fn key_class(priority: i32, handed_back: bool) -> u128 {
    let p = (i64::from(priority) - i64::from(i32::MIN)) as u128;
    (p << 96) | (u128::from(!handed_back) << 95)
}

/// The key of a case joining its main queue at sequence number `seq`. Cases join main queues in
/// sequence order at non-decreasing times, so (time joined, sequence) orders them as the sequence
/// number alone does.
#[inline]
fn main_key(priority: i32, seq: u64) -> u128 {
    key_class(priority, false) | u128::from(seq)
}

/// The key of a case handed back at time `t` that first joined a queue at sequence number `seq`
/// (`None` when `seq` does not fit in 32 bits).
#[inline]
fn front_key(priority: i32, t: f64, seq: u64) -> Option<u128> {
    let seq = u32::try_from(seq).ok()?;
    // Times are non-negative, so their bits (below 2^63) sit in the 63 bits above the sequence.
    Some(key_class(priority, true) | (u128::from(tbits(t)) << 32) | u128::from(seq))
}

#[derive(Debug, Clone, Copy)]
struct Arrival {
    t: f64,
    ctype: u32,
    id: u64,
    tracked: bool,
}

/// A staff group flattened across teams.
#[derive(Debug, Clone)]
struct Group {
    team: u32,
    rate: WorkRate,
    source: Option<usize>,
}

/// Case types that share one queue: the same priority and the same eligible teams in the same
/// order of preference.
///
/// Why this is exact: dispatch takes the waiting case with the smallest queue key among those some
/// eligible team has room for, then the first team in its type's order with room. Within a class
/// every case has the same teams, so the class's best case is the smallest key among its cases;
/// and the keys of one class join its main queue in increasing order (one priority, a sequence
/// number that only grows), so one first-in-first-out queue per class holds them in key order.
/// Dispatch then compares the heads of a few classes instead of those of every type (11 types make
/// 4 classes in met-2023).
#[derive(Debug, Clone, PartialEq)]
struct Class {
    priority: i32,
    teams: Vec<usize>,
}

/// What a scenario implies before any randomness: built once per run, shared by all replications.
#[derive(Debug, Clone)]
pub struct Prepared {
    groups: Vec<Group>,
    /// First group index of each team, plus a final end marker.
    team_groups: Vec<usize>,
    /// Capacity of each group at t = 0.
    initial_cap: Vec<u32>,
    /// (time, group, new capacity), sorted by time then group.
    roster: Vec<(f64, u32, u32)>,
    /// Planned officer-days of each source over [0, horizon].
    planned_source_days: Vec<f64>,
    /// End of the last working day [working days].
    horizon: f64,
    max_cases: usize,
    /// The queue class of each case type (see [`Class`]); [`NO_CLASS`] for a stage that needs
    /// no staff (no effort), which never waits and closes when ready.
    class_of: Vec<u32>,
    classes: Vec<Class>,
    /// Bit masks for dispatch when there are at most 64 classes and 64 teams: for each team,
    /// the classes it may work. Empty otherwise (dispatch then scans every class).
    team_classes: Vec<u64>,
    /// With `team_classes`: for each class, its teams as a bit mask, when every class lists its
    /// teams in increasing index order (then the first team in its order of preference with
    /// room is the lowest bit with room). Empty otherwise.
    class_teams: Vec<u64>,
    /// Bit g set when group g is diverted from a source unit (only the first 64 groups; the
    /// others are looked up).
    sourced: u64,
    /// The case types with a `backlog_target` and their targets ([`Scenario::backlog_targets`]).
    targets: Vec<(usize, u64)>,
    /// The working days of each group's headcount entry, clipped to the horizon, as [first,
    /// end): the span of its period in the utilisation accounts (empty when the entry has no
    /// working day in the run).
    periods: Vec<(u32, u32)>,
}

/// [`Prepared::class_of`] of a case type without effort.
const NO_CLASS: u32 = u32::MAX;

impl Prepared {
    pub fn new(s: &Scenario) -> Prepared {
        let horizon = s.horizon_time();
        let mut groups = Vec::new();
        let mut team_groups = Vec::new();
        let mut initial_cap = Vec::new();
        let mut roster = Vec::new();
        let mut planned = vec![0.0; s.sources.len()];
        let mut periods = Vec::new();
        for (ti, t) in s.teams.iter().enumerate() {
            team_groups.push(groups.len());
            for g in &t.staff {
                let gi = groups.len() as u32;
                groups.push(Group {
                    team: ti as u32,
                    rate: group_rate(g, &[], true),
                    source: g.source,
                });
                let from = g.from.min(horizon);
                let to = g.to.min(horizon);
                // Entry bounds are whole working days (§1.2 of docs/model.md).
                let first = from.max(0.0) as u32;
                periods.push((first, (to.max(0.0) as u32).max(first)));
                if g.from <= 0.0 {
                    // An entry whose last day comes before the first working day (a start on a
                    // weekend, `to` before the next working day) has no working day at all: it
                    // never works, rather than working the whole run with no end event.
                    initial_cap.push(if g.to > g.from { g.count } else { 0 });
                } else {
                    initial_cap.push(0);
                    if g.from < horizon && g.to > g.from {
                        roster.push((g.from, gi, g.count));
                    }
                }
                if g.to.is_finite() && g.to < horizon && g.to > g.from {
                    roster.push((g.to, gi, 0));
                }
                if let Some(src) = g.source {
                    planned[src] += g.count as f64 * (to - from).max(0.0);
                }
            }
        }
        team_groups.push(groups.len());
        roster.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let max_cases = ((s.expected_cases * 50.0) as usize).clamp(1_000_000, 200_000_000);
        // Only types that need staff ever wait, so only they get a class.
        let mut classes: Vec<Class> = Vec::new();
        let mut class_of = Vec::with_capacity(s.case_types.len());
        for ct in &s.case_types {
            let c = Class {
                priority: ct.priority,
                teams: ct.teams.clone(),
            };
            let k = if ct.effort.is_none() {
                NO_CLASS
            } else if let Some(k) = classes.iter().position(|x| *x == c) {
                k as u32
            } else {
                classes.push(c);
                (classes.len() - 1) as u32
            };
            class_of.push(k);
        }
        let sourced = groups
            .iter()
            .take(64)
            .enumerate()
            .filter(|(_, g)| g.source.is_some())
            .fold(0u64, |m, (i, _)| m | 1u64 << i);
        let mut team_classes = Vec::new();
        let mut class_teams = Vec::new();
        if classes.len() <= 64 && s.teams.len() <= 64 {
            team_classes = vec![0u64; s.teams.len()];
            for (k, c) in classes.iter().enumerate() {
                for &tm in &c.teams {
                    team_classes[tm] |= 1u64 << k;
                }
            }
            if classes.iter().all(|c| c.teams.is_sorted()) {
                class_teams = classes
                    .iter()
                    .map(|c| c.teams.iter().fold(0u64, |m, &tm| m | 1u64 << tm))
                    .collect();
            }
        }
        Prepared {
            groups,
            team_groups,
            initial_cap,
            roster,
            planned_source_days: planned,
            horizon,
            max_cases,
            class_of,
            classes,
            team_classes,
            class_teams,
            sourced,
            targets: s.backlog_targets(),
            periods,
        }
    }
}

impl Prepared {
    /// Whether group `g` is diverted from a source unit (its excess officer-days are counted).
    #[inline]
    fn is_sourced(&self, g: usize) -> bool {
        if g < 64 {
            self.sourced & (1u64 << g) != 0
        } else {
            self.groups[g].source.is_some()
        }
    }

    /// The same, with dispatch scanning every case type as it does beyond 64 types or teams (for
    /// testing that both ways choose the same cases).
    #[doc(hidden)]
    pub fn with_scanning_dispatch(mut self) -> Prepared {
        self.team_classes.clear();
        self.class_teams.clear();
        self
    }
}

/// One team's state now, the fields that dispatch, [`State::touch`] and the daily close read
/// together: in one record, so that a team's are one bounds check and one cache line away
/// rather than one array each. (`busy` and `cap` are `team_busy` and `team_cap` in
/// docs/model.md.)
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct TeamNow {
    /// People of the team in service \[people\].
    busy: u32,
    /// Headcount: Σ of its groups' \[people\].
    cap: u32,
    /// People on duty: Σ over its groups of max(busy, headcount) \[people\].
    on_duty: u32,
    /// The moment up to which the team's utilisation accounts are integrated [working days].
    last: f64,
}

/// Buffers reused across replications run on one thread.
#[derive(Debug, Default)]
pub struct Workspace {
    /// Open cases, in slots reused once a case closes (so that the cases touched stay few
    /// and close together in memory).
    cases: Vec<Case>,
    free_cases: Vec<u32>,
    /// Waiting cases by [`Class`].
    queues: Vec<ClassQueue>,
    /// Completions of cases in service, by working day (see [`Agenda`]): popped most often.
    completions: Agenda<Event>,
    /// Delays ending, apart from `completions`: both keep the same order, and long delays
    /// (months) would mostly sit in the agenda's far heap anyway.
    delays: MinHeap4<Event>,
    arrivals: Vec<Arrival>,
    /// Staff-less stages that became ready at the current moment, in that order, waiting to be
    /// closed by [`State::drain_ready`] (cases that need staff join their queue at once).
    ready_now: VecDeque<u32>,
    busy: Vec<u32>,
    cap: Vec<u32>,
    /// Each team's people in service, headcount and people on duty now, and how far its
    /// utilisation accounts are integrated (see [`TeamNow`]).
    teams: Vec<TeamNow>,
    group_last: Vec<f64>,
    group_excess_area: Vec<f64>,
    /// The utilisation accounts, per team: person-time busy and on duty within the current
    /// working day (integrated up to [`TeamNow::last`]), and over the days closed so far (see
    /// [`State::close_staff_day`]).
    team_day: Vec<StaffTime>,
    team_time: Vec<StaffTime>,
    /// Per group: its team's staff time over the group's period.
    period_time: Vec<StaffTime>,
    open_by_type: Vec<u32>,
    /// One watch per case type with a `backlog_target` (`Prepared::targets` order).
    watches: Vec<TargetWatch>,
    /// Positive waits and all times in system of the closed cases by type, as `f64::to_bits` of
    /// non-negative values (ordered like the values): handed to [`Probe::closed_cases`] for the
    /// pooled histograms, then reordered by the per-replication P90s.
    waits: Vec<Vec<u64>>,
    /// Closed cases by type that waited not at all: counted, not stored (most waits are zero).
    zero_waits: Vec<u64>,
    tis: Vec<Vec<u64>>,
    route_cum: Vec<Vec<f64>>,
    /// The value of each assumption slot in this replication (see `scenario::assume`).
    assumed: Vec<f64>,
    /// The value of each assumption as `replications.csv` shows it (a counted routing: each
    /// outcome's share), in [`Scenario::assumption_columns`] order.
    assumed_columns: Vec<f64>,
    /// Each group's work rate in this replication (its hours, productivity and ramp-up drawn).
    rates: Vec<WorkRate>,
    hit_positions: Vec<u64>,
    pace: Pace,
    types: Vec<TypeRecord>,
    pooled_buf: Vec<u64>,
}

/// `y.ceil()` for `y` in [0, 2^53), and 0 for `y` <= 0 (a hair below 0 by rounding): without
/// the call to libm's `ceil` that the baseline x86-64 target makes for `f64::ceil`.
#[inline]
fn ceil_non_negative(y: f64) -> f64 {
    if !(y > 0.0) {
        return 0.0; // NaN, 0 and below
    }
    // Truncation through i64: one instruction on x86-64, where u64 takes a dozen.
    let t = y as i64 as f64;
    if t < y { t + 1.0 } else { t }
}

#[inline]
fn tbits(t: f64) -> u64 {
    // +0.0 for any zero so that the bit order is the numeric order.
    (t + 0.0).to_bits()
}

/// Simulates replication `rep` of `s`, in four parts with their own tests: the workspace is
/// reset, the per-replication parameters drawn (`draw_routing`), every case from outside
/// generated (`external_arrivals`), the cases worked (`event_loop`), and the results gathered
/// (`type_results`, `source_days`). The semantics in prose: `docs/model.md`, section 4.
pub fn run_replication<P: Probe>(
    s: &Scenario,
    prep: &Prepared,
    rep: u64,
    ws: &mut Workspace,
    probe: &mut P,
) -> Result<RepRecord, SimError> {
    run_replication_keyed(s, prep, rep, RepKeys::of(s.seed, rep), ws, probe)
}

/// The keys of one replication's random streams: the epistemic draws (what is uncertain about
/// the system itself: hit rates from counts, counted routing shares, the screening pace) and the
/// aleatory ones (which records hit, arrivals, efforts, delays, routes). The same in a plain
/// replication; a *twin* replication keeps the epistemic key and takes its chance from another
/// key domain, so that the pair shares its assumed world and nothing else (the twin-replication
/// estimator of the share of the spread that comes from the assumptions).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RepKeys {
    pub epistemic: u64,
    pub aleatory: u64,
    /// Which values the assumptions take (drawn, all at their medians, or one pinned).
    pub pin: Pin,
}

/// Mixed into a replication's key to make its twin's aleatory key: a domain of its own, never
/// another replication's key (replication r's twin is not replication r + n).
const TWIN_DOMAIN: u64 = 0x7477_696e_2d61_6c65; // "twin-ale"

/// Mixed into a replication's key for the assumptions a pick-freeze partner ([`RepKeys::keep`])
/// does not share with it.
const KEEP_DOMAIN: u64 = 0x6b65_6570_2d65_7069; // "keep-epi"

impl RepKeys {
    /// Replication `rep` of seed `seed`.
    pub fn of(seed: u64, rep: u64) -> RepKeys {
        let key = random::replication_key(seed, rep);
        RepKeys {
            epistemic: key,
            aleatory: key,
            pin: Pin::Drawn,
        }
    }

    /// The same keys with the assumptions taken as `pin` says.
    pub fn pinned(self, pin: Pin) -> RepKeys {
        RepKeys { pin, ..self }
    }

    /// The pick-freeze partner of replication `rep` for assumption `assumption`: that
    /// assumption's draws, every other assumption from a key domain of its own, chance from the twins'
    /// domain.
    pub fn keep(seed: u64, rep: u64, assumption: usize) -> RepKeys {
        RepKeys {
            pin: Pin::Keep { assumption },
            ..RepKeys::twin(seed, rep)
        }
    }

    /// The twin of replication `rep`: the same epistemic draws, chance from another domain.
    pub fn twin(seed: u64, rep: u64) -> RepKeys {
        let key = random::replication_key(seed, rep);
        RepKeys {
            epistemic: key,
            aleatory: random::combine(key, TWIN_DOMAIN),
            pin: Pin::Drawn,
        }
    }
}

/// [`run_replication`] with the keys given (a twin's, say).
pub fn run_replication_keyed<P: Probe>(
    s: &Scenario,
    prep: &Prepared,
    rep: u64,
    keys: RepKeys,
    ws: &mut Workspace,
    probe: &mut P,
) -> Result<RepRecord, SimError> {
    ws.reset(s, prep);
    draw_assumptions(s, prep, keys, ws);
    draw_routing(s, keys.pin, ws);
    let ext = external_arrivals(s, prep, rep, keys, ws)?;
    let end = event_loop(s, prep, rep, keys.aleatory, &ext, ws, probe)?;
    let all = type_results(s.case_types.len(), ws, probe);
    let source_days = source_days(prep, ws, end.end_time);
    Ok(RepRecord {
        replication: rep,
        screening_last_day: if s.screening.is_some() {
            ext.screening_last_day
        } else {
            None
        },
        all_closed: end.all_closed,
        peak_open: end.peak_open,
        peak_time: end.peak_time,
        open_at_end: end.open_at_end,
        end_time: end.end_time,
        open_area: end.area,
        back_to_target: ws.watches.iter().map(TargetWatch::back).collect(),
        types: ws.types.clone(),
        all,
        source_days,
        hit_rates: ext.hit_rates,
        screening_pace: ext.pace_factor.0,
        screening_factor: ext.pace_factor.1,
        assumptions: ws.assumed_columns.clone(),
        teams: ws.team_time.clone(),
        periods: ws.period_time.clone(),
    })
}

impl Workspace {
    /// How many external arrivals the last replication drew (for tests of when a run stops).
    #[cfg(test)]
    pub(crate) fn arrivals_drawn(&self) -> usize {
        self.arrivals.len()
    }

    /// Empties every buffer and sizes it for `s`, keeping the allocations: a replication starts
    /// from the same state whatever ran on this thread before.
    fn reset(&mut self, s: &Scenario, prep: &Prepared) {
        let n_types = s.case_types.len();
        self.cases.clear();
        self.free_cases.clear();
        self.completions.clear();
        self.delays.clear();
        self.arrivals.clear();
        self.ready_now.clear();
        let n_classes = prep.classes.len();
        self.queues.resize_with(n_classes, ClassQueue::default);
        self.queues.truncate(n_classes);
        self.queues.iter_mut().for_each(ClassQueue::clear);
        self.waits.resize_with(n_types, Vec::new);
        self.zero_waits.clear();
        self.zero_waits.resize(n_types, 0);
        self.tis.resize_with(n_types, Vec::new);
        for i in 0..n_types {
            self.waits[i].clear();
            self.tis[i].clear();
        }
        self.open_by_type.clear();
        self.open_by_type.resize(n_types, 0);
        self.watches.clear();
        self.watches.extend(
            prep.targets
                .iter()
                .map(|&(_, target)| TargetWatch::new(target)),
        );
        self.types.clear();
        self.types.resize(n_types, TypeRecord::default());
        let ng = prep.groups.len();
        self.busy.clear();
        self.busy.resize(ng, 0);
        self.cap.clear();
        self.cap.extend_from_slice(&prep.initial_cap);
        self.group_last.clear();
        self.group_last.resize(ng, 0.0);
        self.group_excess_area.clear();
        self.group_excess_area.resize(ng, 0.0);
        self.period_time.clear();
        self.period_time.resize(ng, StaffTime::default());
        let nt = s.teams.len();
        self.team_day.clear();
        self.team_day.resize(nt, StaffTime::default());
        self.team_time.clear();
        self.team_time.resize(nt, StaffTime::default());
        self.teams.clear();
        self.teams.resize(nt, TeamNow::default());
        for (g, grp) in prep.groups.iter().enumerate() {
            self.teams[grp.team as usize].cap += self.cap[g];
        }
        // Nobody is in service yet: everyone on duty is there by headcount.
        for tm in &mut self.teams {
            tm.on_duty = tm.cap;
        }
    }
}

/// The value of every assumption slot in this replication (`ws.assumed`), drawn from its own
/// stream keyed by its name (or pinned, as `keys.pin` says), and each staff group's work rate
/// with them (`ws.rates`).
fn draw_assumptions(s: &Scenario, prep: &Prepared, keys: RepKeys, ws: &mut Workspace) {
    let a = &s.assumptions;
    ws.assumed.clear();
    let pinned = |slot: usize| match keys.pin {
        Pin::Drawn | Pin::Keep { .. } => None,
        Pin::Central => Some(0.5),
        Pin::One { assumption, u } => {
            let x = &a.list[assumption];
            // A counted routing is pinned through its largest outcome (in `draw_routing`); its
            // slots stay at their medians.
            let scalar = x.kind == crate::scenario::assume::AssumptionKind::Scalar;
            Some(if scalar && x.slots.contains(&slot) {
                u
            } else {
                0.5
            })
        }
    };
    // A pick-freeze partner draws the assumptions it does not keep from a domain of its own.
    let other = random::combine(keys.epistemic, KEEP_DOMAIN);
    for (i, slot) in a.slots.iter().enumerate() {
        let key = match keys.pin {
            Pin::Keep { assumption } if !a.list[assumption].slots.contains(&i) => other,
            _ => keys.epistemic,
        };
        let u = pinned(i).unwrap_or_else(|| {
            use rand::Rng;
            crate::scenario::dist::unit_interior(
                random::stream(key, Purpose::Assumption, slot.key).next_u64(),
            )
        });
        ws.assumed.push(slot.law.quantile(u));
    }
    ws.rates.clear();
    let v = &ws.assumed;
    for (g, grp) in prep.groups.iter().enumerate() {
        let team = &s.teams[grp.team as usize];
        let sg = &team.staff[g - prep.team_groups[grp.team as usize]];
        ws.rates.push(if a.is_empty() {
            grp.rate
        } else {
            group_rate(sg, v, false)
        });
    }
}

/// A staff group's work rate with the assumption slot values `v` (or every assumption at its
/// centre): hours × productivity, ramping up from its start share over its ramp-up days (from
/// full rate when those are 0).
fn group_rate(g: &crate::scenario::StaffGroup, v: &[f64], central: bool) -> WorkRate {
    let get = |p: &crate::scenario::Param| if central { p.central } else { p.get(v) };
    let days = get(&g.ramp_up_days);
    WorkRate::new(
        get(&g.hours) * get(&g.productivity),
        g.from,
        days,
        if days > 0.0 {
            get(&g.ramp_up_start)
        } else {
            1.0
        },
    )
}

/// The routing shares of this replication, kept in `ws.route_cum` as cumulative shares whose last
/// is infinite (so rounding can never skip the last outcome): fixed ones as written, a counted
/// routing's by stick-breaking from its slots (or with its largest outcome pinned), one uncertain
/// share with the others rescaled. Also the assumptions' values as `replications.csv` shows them
/// (`ws.assumed_columns`).
fn draw_routing(s: &Scenario, pin: Pin, ws: &mut Workspace) {
    use crate::scenario::assume::{AssumptionKind, stick_shares};
    let n_types = s.case_types.len();
    ws.route_cum.resize_with(n_types, Vec::new);
    let list = &s.assumptions.list;
    // Each assumption's columns, filled in list order below.
    let mut routing_shares: Vec<Option<Vec<f64>>> = vec![None; list.len()];
    for (ti, ct) in s.case_types.iter().enumerate() {
        let cum = &mut ws.route_cum[ti];
        cum.clear();
        let shares: Vec<f64> = match &ct.routing.shares {
            Shares::Fixed(v) => v.clone(),
            Shares::Dirichlet { alpha, assumption } => {
                let x = &list[*assumption];
                let v = &ws.assumed;
                let mut shares = stick_shares(alpha.len(), |k| v[x.slots.start + k]);
                if let (Pin::One { assumption: a, u }, AssumptionKind::Routing { largest, .. }) =
                    (pin, &x.kind)
                    && a == *assumption
                {
                    // The largest outcome at its marginal's quantile u, the others rescaled.
                    let s_new = crate::scenario::dist::beta_quantile(
                        alpha[*largest],
                        crate::scenario::assume::rest_of(alpha, *largest),
                        u,
                    );
                    shares = crate::scenario::one_uncertain(&shares, *largest, s_new);
                }
                routing_shares[*assumption] = Some(shares.clone());
                shares
            }
            Shares::OneUncertain {
                weights,
                which,
                share,
            } => crate::scenario::one_uncertain(weights, *which, share.get(&ws.assumed)),
        };
        let mut acc = 0.0;
        for x in shares {
            acc += x;
            cum.push(acc);
        }
        if let Some(last) = cum.last_mut() {
            *last = f64::INFINITY; // rounding can never skip the last outcome
        }
    }
    ws.assumed_columns.clear();
    for (i, x) in list.iter().enumerate() {
        match routing_shares[i].take() {
            Some(v) => ws.assumed_columns.extend(v),
            None => ws.assumed_columns.push(ws.assumed[x.slots.start]),
        }
    }
}

/// What the external sources of one replication gave, besides the arrivals in `ws.arrivals`.
#[derive(Debug, Clone, PartialEq)]
struct External {
    /// The hit rate drawn for each hit category (its Beta posterior when given as a count).
    hit_rates: Vec<f64>,
    /// The screening pace and factor drawn (NaN without screening).
    pace_factor: (f64, f64),
    /// The working day on which the last record is checked, if by the horizon.
    screening_last_day: Option<u32>,
    /// When the last tracked case could arrive: the end of the last screening day, the end of
    /// each tracked stream, each tracked backlog's time [working days]; infinite when screening
    /// does not finish by the horizon.
    sources_end: f64,
    /// Tracked cases among the arrivals.
    tracked_pending: usize,
}

/// Every case that enters from outside in replication `rep` (key `key`), into `ws.arrivals` in
/// time order (backlogs, then screening hits by category and record, then streams, at equal
/// times): drawn from their own keyed streams, so they do not depend on staffing.
fn external_arrivals(
    s: &Scenario,
    prep: &Prepared,
    rep: u64,
    keys: RepKeys,
    ws: &mut Workspace,
) -> Result<External, SimError> {
    let horizon = prep.horizon;
    let akey = keys.aleatory;
    for (bi, b) in s.backlogs.iter().enumerate() {
        if b.at <= horizon {
            for i in 0..b.count.get(&ws.assumed).round() as u64 {
                ws.arrivals.push(Arrival {
                    t: b.at,
                    ctype: b.case_type as u32,
                    id: case_id::backlog(bi, i),
                    tracked: b.tracked,
                });
            }
        }
    }
    let mut hit_rates = Vec::new();
    let mut pace_factor = (f64::NAN, f64::NAN);
    let mut screening_last_day = None;
    let mut sources_end: f64 = 0.0;
    if let Some(sc) = &s.screening {
        let remaining = sc.remaining();
        let pace_draw = sc.records_per_day.get(&ws.assumed);
        let factor = sc.factor.get(&ws.assumed);
        pace_factor = (pace_draw, factor);
        ws.pace.set(sc, pace_draw, factor);
        screening_last_day = if remaining == 0 {
            Some(0)
        } else {
            ws.pace.day_of(remaining - 1, horizon)
        };
        sources_end = match screening_last_day {
            Some(d) if remaining > 0 => d as f64 + 1.0,
            Some(_) => 0.0,
            None => f64::INFINITY,
        };
        // Hits: positions by geometric gaps (draw only the hits, not a coin per record).
        for (ci, cat) in sc.hits.iter().enumerate() {
            let p = cat.rate.get(&ws.assumed);
            hit_rates.push(p);
            if p <= 0.0 || remaining == 0 {
                continue;
            }
            let mut rng = random::stream(akey, Purpose::Hits, ci as u64);
            ws.hit_positions.clear();
            if p >= 1.0 {
                if remaining as usize > prep.max_cases {
                    return Err(SimError::TooManyCases {
                        replication: rep,
                        limit: prep.max_cases,
                        case_type: s.case_types[cat.case_type].name.clone(),
                        from: Some(format!(
                            "screening hits {}",
                            crate::quote::quoted(&cat.name)
                        )),
                    });
                }
                ws.hit_positions.extend(0..remaining);
            } else {
                // 1 / ln(1 - p): multiplying by it spares a division per hit.
                let inv_ln_q = 1.0 / (-p).ln_1p();
                let mut pos: u64 = 0;
                loop {
                    // Geometric gap floor(ln u / ln q) >= 0; the conversion below truncates, which
                    // is the floor, and for a whole number n, floor(g) < n exactly when g < n.
                    let gap = open_unit(&mut rng).ln() * inv_ln_q;
                    // (Conversions through i64, exact here: counts are below 2^63, and the gap,
                    // non-negative, is below the count. One instruction each where u64 takes a
                    // dozen.)
                    if !(gap < (remaining - pos) as i64 as f64) {
                        break;
                    }
                    pos += gap as i64 as u64;
                    ws.hit_positions.push(pos);
                    if ws.hit_positions.len() > prep.max_cases {
                        return Err(SimError::TooManyCases {
                            replication: rep,
                            limit: prep.max_cases,
                            case_type: s.case_types[cat.case_type].name.clone(),
                            from: Some(format!(
                                "screening hits {}",
                                crate::quote::quoted(&cat.name)
                            )),
                        });
                    }
                    pos += 1;
                    if pos >= remaining {
                        break;
                    }
                }
            }
            for &pos in &ws.hit_positions {
                match ws.pace.day_of(pos, horizon) {
                    Some(d) => ws.arrivals.push(Arrival {
                        t: d as f64 + 1.0,
                        ctype: cat.case_type as u32,
                        id: case_id::hit(ci, pos),
                        tracked: true,
                    }),
                    None => break,
                }
            }
        }
    }
    for (si, st) in s.arrivals.iter().enumerate() {
        let mut rng = random::stream(akey, Purpose::Arrivals, si as u64);
        let to = st.to.get(&ws.assumed).min(horizon);
        if st.tracked {
            sources_end = sources_end.max(to);
        }
        let (rate, conversion) = (
            st.rate_per_day.get(&ws.assumed),
            st.conversion.get(&ws.assumed),
        );
        if !(rate > 0.0) || to <= st.from {
            continue;
        }
        // An expected count past twice the limit fails before any is drawn: drawing them took
        // gigabytes first (about 120 million arrivals for a lognormal rate of sd 100 times its
        // mean), and a Poisson count of that mean falls below the limit with a probability
        // under e^-300000.
        if rate * (to - st.from) * conversion.max(0.0) > 2.0 * prep.max_cases as f64 {
            return Err(SimError::TooManyCases {
                replication: rep,
                limit: prep.max_cases,
                case_type: s.case_types[st.case_type].name.clone(),
                from: Some(format!("arrival stream {}", crate::quote::quoted(&st.name))),
            });
        }
        let exp = Exp::new(rate).ok();
        let mut t = st.from;
        let mut i: u64 = 0;
        loop {
            t = match st.process {
                ArrivalProcess::Poisson => match &exp {
                    Some(e) => t + e.sample(&mut rng),
                    None => break,
                },
                ArrivalProcess::Fixed => st.from + (i + 1) as f64 / rate,
            };
            if !(t < to) {
                break;
            }
            let u: f64 = open_unit(&mut rng);
            if u <= conversion && conversion > 0.0 {
                ws.arrivals.push(Arrival {
                    t,
                    ctype: st.case_type as u32,
                    id: case_id::arrival(si, i),
                    tracked: st.tracked,
                });
            }
            i += 1;
            if ws.arrivals.len() > prep.max_cases {
                return Err(SimError::TooManyCases {
                    replication: rep,
                    limit: prep.max_cases,
                    case_type: s.case_types[st.case_type].name.clone(),
                    from: Some(format!("arrival stream {}", crate::quote::quoted(&st.name))),
                });
            }
        }
    }
    for b in &s.backlogs {
        if b.tracked {
            sources_end = sources_end.max(b.at);
        }
    }
    // Stable: equal times keep the order above (backlogs, hits by category then record, streams).
    ws.arrivals.sort_by(|a, b| a.t.total_cmp(&b.t));
    let tracked_pending = ws.arrivals.iter().filter(|a| a.tracked).count();

    Ok(External {
        hit_rates,
        pace_factor,
        screening_last_day,
        sources_end,
        tracked_pending,
    })
}

/// How the event loop of one replication ended.
struct LoopEnd {
    all_closed: Option<f64>,
    peak_open: u32,
    peak_time: f64,
    open_at_end: u32,
    end_time: f64,
    area: f64,
}

/// The event loop of one replication: from the arrivals in `ws.arrivals`, the cases are opened,
/// queued, worked and closed moment by moment until nothing is open and nothing can come, or the
/// horizon; the day-end counts go to `probe` as each day ends.
fn event_loop<P: Probe>(
    s: &Scenario,
    prep: &Prepared,
    rep: u64,
    key: u64,
    ext: &External,
    ws: &mut Workspace,
    probe: &mut P,
) -> Result<LoopEnd, SimError> {
    let horizon = prep.horizon;
    let nt = s.teams.len();
    let sources_end = ext.sources_end;
    let mut tracked_pending = ext.tracked_pending;
    let mut st = State {
        s,
        prep,
        effort_key: random::purpose_key(key, Purpose::Effort),
        delay_key: random::purpose_key(key, Purpose::Delay),
        route_key: random::purpose_key(key, Purpose::Route),
        rep,
        seq: 0,
        opened: 0,
        open_total: 0,
        tracked_open: 0,
        last_close: 0.0,
        n_waiting: 0,
        waiting_classes: 0,
        room: 0,
        class_room: 0,
    };
    for tm in 0..nt {
        st.update_room(ws, tm);
    }
    let mut arr_i = 0usize;
    let mut roster_i = 0usize;
    let mut next_snap: u32 = 0; // the day whose end (t = day + 1) is recorded next
    let last_day = horizon as u32; // days 0..last_day-1 exist
    // The end of day `next_snap` (infinite once every day is recorded): checked at every moment,
    // so kept as a float rather than converted each time.
    let snap_end = |next_snap: u32| {
        if next_snap < last_day {
            (next_snap + 1) as f64
        } else {
            f64::INFINITY
        }
    };
    let mut next_snap_end = snap_end(0);
    let mut last_t = 0.0;
    let mut area = 0.0;
    let mut peak_open = 0u32;
    let mut peak_time = 0.0;
    let mut all_closed: Option<f64> = None;
    let end_time;

    loop {
        // The next moment: the first completion, delay ending, arrival or staffing change (no
        // NaN times exist, so plain comparisons stand in for `f64::min`).
        let t_done = ws
            .completions
            .peek()
            .map_or(f64::INFINITY, |e| f64::from_bits(e.time));
        let t_delay = ws
            .delays
            .peek()
            .map_or(f64::INFINITY, |e| f64::from_bits(e.time));
        let t_arr = ws.arrivals.get(arr_i).map_or(f64::INFINITY, |a| a.t);
        let mut t = if t_delay < t_done { t_delay } else { t_done };
        if t_arr < t {
            t = t_arr;
        }
        if let Some(&(t_roster, _, _)) = prep.roster.get(roster_i)
            && t_roster < t
            // With nothing open and nothing to come, staffing changes cannot matter any more.
            && !(t.is_infinite() && st.open_total == 0)
        {
            t = t_roster;
        }
        // Time never goes back; queue keys (`main_key`) rely on it.
        debug_assert!(t >= last_t, "time went back from {last_t} to {t}");

        // Day-end counts strictly before t (events at exactly d + 1 belong to day d).
        while next_snap_end < t {
            if st.open_total == 0 && t.is_infinite() {
                break;
            }
            probe.day_end(next_snap, &ws.open_by_type, st.open_total);
            st.close_staff_day(ws, probe, next_snap, next_snap_end);
            next_snap += 1;
            next_snap_end = snap_end(next_snap);
        }
        if !(t <= horizon) {
            end_time = if t.is_infinite() && st.open_total == 0 {
                last_t
            } else {
                horizon
            };
            area += st.open_total as f64 * (end_time - last_t);
            break;
        }
        area += st.open_total as f64 * (t - last_t);
        last_t = t;
        let tb = tbits(t);

        // 1. completions
        while let Some(e) = ws.completions.peek() {
            if e.time != tb {
                break;
            }
            ws.completions.pop();
            st.complete(ws, probe, e, t)?;
        }
        // 2. roster changes
        while let Some(&(rt, g, new_cap)) = prep.roster.get(roster_i) {
            if rt != t {
                break;
            }
            roster_i += 1;
            st.roster_change(ws, g as usize, new_cap, t)?;
        }
        // 3. delays ending
        while let Some(e) = ws.delays.peek().copied() {
            if e.time != tb {
                break;
            }
            ws.delays.pop();
            let ctype = ws.cases[e.payload as usize].ctype as usize;
            st.ready(ws, e.payload, ctype, t);
            st.drain_ready(ws, probe, t)?;
        }
        // 4. arrivals
        while let Some(a) = ws.arrivals.get(arr_i).copied() {
            if a.t != t {
                break;
            }
            arr_i += 1;
            if a.tracked {
                tracked_pending -= 1;
            }
            st.open_case(ws, probe, a.ctype as usize, a.id, t, a.tracked)?;
            st.drain_ready(ws, probe, t)?;
        }
        // 5. dispatch (only when it may start a case: see `State::may_dispatch`)
        if st.may_dispatch() {
            st.dispatch(ws, t);
        }

        if st.open_total > peak_open {
            peak_open = st.open_total;
            peak_time = t;
        }
        // Only the types with a target: nothing at all in a scenario without one.
        for (w, &(ty, _)) in ws.watches.iter_mut().zip(&prep.targets) {
            w.observe(ws.open_by_type[ty], t);
        }
        if all_closed.is_none() && tracked_pending == 0 && st.tracked_open == 0 {
            let done = st.last_close.max(sources_end);
            if done <= horizon {
                all_closed = Some(done);
            }
        }
    }
    if all_closed.is_none() && tracked_pending == 0 && st.tracked_open == 0 {
        let done = st.last_close.max(sources_end);
        if done <= horizon {
            all_closed = Some(done);
        }
    }
    // The staff time of the days not closed yet, up to the end (the day in which the replication
    // stopped counts up to `end_time`; the days after it are not part of the run).
    let mut staff_day = next_snap;
    while (staff_day as f64) < end_time {
        st.close_staff_day(ws, probe, staff_day, end_time.min((staff_day + 1) as f64));
        staff_day += 1;
    }
    // Anything still open stays open to the horizon: count it every remaining day.
    if st.open_total > 0 {
        while next_snap < last_day {
            probe.day_end(next_snap, &ws.open_by_type, st.open_total);
            next_snap += 1;
        }
    }

    Ok(LoopEnd {
        all_closed,
        peak_open,
        peak_time,
        open_at_end: st.open_total,
        end_time,
        area,
    })
}

/// The replication's results by case type (and `all`), from what [`close_case`](State) kept in
/// `ws`: hands each type's waits and times in system to `probe` (for the pooled histograms),
/// then takes the per-replication P90s (which reorder them).
fn type_results<P: Probe>(n_types: usize, ws: &mut Workspace, probe: &mut P) -> TypeRecord {
    for ti in 0..n_types {
        probe.closed_cases(ti, ws.zero_waits[ti], &ws.waits[ti], &ws.tis[ti]);
    }

    let mut all = TypeRecord::default();
    for ti in 0..n_types {
        ws.types[ti].waited = ws.waits[ti].len() as u32;
        let r = &ws.types[ti];
        all.opened += r.opened;
        all.closed += r.closed;
        all.measured += r.measured;
        all.waited += r.waited;
        all.sum_wait += r.sum_wait;
        all.sum_time_in_system += r.sum_time_in_system;
    }
    ws.pooled_buf.clear();
    ws.waits
        .iter()
        .for_each(|w| ws.pooled_buf.extend_from_slice(w));
    let all_zero_waits = ws.zero_waits.iter().sum();
    all.p90_wait = quantile_type7_nonneg_bits_and_zeros(&mut ws.pooled_buf, all_zero_waits, 0.9)
        .unwrap_or(f64::NAN);
    ws.pooled_buf.clear();
    ws.tis
        .iter()
        .for_each(|w| ws.pooled_buf.extend_from_slice(w));
    all.p90_time_in_system =
        quantile_type7_nonneg_bits(&mut ws.pooled_buf, 0.9).unwrap_or(f64::NAN);
    for ti in 0..n_types {
        let rec = &mut ws.types[ti];
        rec.p90_wait =
            quantile_type7_nonneg_bits_and_zeros(&mut ws.waits[ti], ws.zero_waits[ti], 0.9)
                .unwrap_or(f64::NAN);
        rec.p90_time_in_system =
            quantile_type7_nonneg_bits(&mut ws.tis[ti], 0.9).unwrap_or(f64::NAN);
    }
    all
}

/// Officer-days lent by each source unit: planned headcount × working days, plus the days kept
/// by people finishing a case after their group shrank (`finish` policy), to `end_time`.
fn source_days(prep: &Prepared, ws: &Workspace, end_time: f64) -> Vec<f64> {
    let mut source_days = prep.planned_source_days.clone();
    for (g, grp) in prep.groups.iter().enumerate() {
        if let Some(src) = grp.source {
            let excess = ws.busy[g].saturating_sub(ws.cap[g]) as f64;
            source_days[src] +=
                ws.group_excess_area[g] + excess * (end_time - ws.group_last[g]).max(0.0);
        }
    }
    source_days
}

struct State<'a> {
    s: &'a Scenario,
    prep: &'a Prepared,
    /// Stream keys of the per-case purposes ([`random::purpose_key`]).
    effort_key: u64,
    delay_key: u64,
    route_key: u64,
    rep: u64,
    seq: u64,
    /// Cases opened so far.
    opened: usize,
    open_total: u32,
    tracked_open: u32,
    last_close: f64,
    /// Cases in any queue.
    n_waiting: usize,
    /// Bit k set when class k has a case waiting (fast dispatch only).
    waiting_classes: u64,
    /// Bit tm set when team tm has room (fast dispatch only): brought up to date by
    /// [`State::update_room`] wherever a team's cases in service or headcount change.
    room: u64,
    /// The classes some team with room may work: the union of `Prepared::team_classes` over the
    /// bits of `room` (fast dispatch only).
    class_room: u64,
}

impl State<'_> {
    // Inlined at both call sites (arrivals and follow-on cases): measured 1-2 % fewer
    // instructions than a call with seven arguments; forcing `close_case` in too measured more.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn open_case<P: Probe>(
        &mut self,
        ws: &mut Workspace,
        probe: &mut P,
        ctype: usize,
        id: u64,
        t: f64,
        tracked: bool,
    ) -> Result<(), SimError> {
        if self.opened >= self.prep.max_cases {
            let most = (0..ws.types.len())
                .max_by_key(|&i| (ws.types[i].opened, std::cmp::Reverse(i)))
                .unwrap_or(ctype);
            return Err(SimError::TooManyCases {
                replication: self.rep,
                limit: self.prep.max_cases,
                case_type: self.s.case_types[most].name.clone(),
                from: None,
            });
        }
        let ct = &self.s.case_types[ctype];
        // A scale multiplies the case's own draw: the case keeps its place in the distribution
        // (common random numbers) and the spread between cases keeps its coefficient of variation.
        let effort = match &ct.effort {
            Some(d) if d.is_fixed() => d.mean(),
            Some(d) => d.sample(&mut random::stream_of(self.effort_key, id)),
            None => 0.0,
        } * ct.effort_scale.get(&ws.assumed);
        let delay = match &ct.delay {
            Some(d) if d.is_fixed() => d.mean(),
            Some(d) => d.sample(&mut random::stream_of(self.delay_key, id)),
            None => 0.0,
        } * ct.delay_scale.get(&ws.assumed);
        probe.opened(id, ctype, t, effort);
        self.opened += 1;
        let mut case = Case {
            id,
            ctype: ctype as u32,
            tracked,
            opened: t,
            enq: t,
            seq: 0,
            remaining: effort,
            waited: 0.0,
            start: 0.0,
            group: NOT_SERVING,
            generation: 0,
        };
        let idx = match ws.free_cases.pop() {
            Some(i) => {
                let slot = &mut ws.cases[i as usize];
                case.generation = slot.generation;
                *slot = case;
                i
            }
            None => {
                ws.cases.push(case);
                (ws.cases.len() - 1) as u32
            }
        };
        ws.types[ctype].opened += 1;
        ws.open_by_type[ctype] += 1;
        self.open_total += 1;
        if tracked {
            self.tracked_open += 1;
        }
        if delay > 0.0 {
            self.seq += 1;
            ws.delays.push(Event::new(t + delay, self.seq, idx, 0));
        } else {
            self.ready(ws, idx, ctype, t);
        }
        Ok(())
    }

    /// Case `ci` of type `ctype` can be worked from `t`: it joins its queue, or, for a staff-less
    /// stage, waits in `ready_now` to be closed by [`State::drain_ready`].
    ///
    /// Why not put every ready case in `ready_now` first: the cases are taken from it in the order
    /// they became ready, and only closing a staff-less stage opens more, so a case that joins
    /// its queue at once gets its sequence number in that same order; the queue order is the same
    /// without the round trip.
    ///
    /// Forced inline: left to itself the compiler kept it a call (about 1 % more instructions).
    #[inline(always)]
    fn ready(&mut self, ws: &mut Workspace, ci: u32, ctype: usize, t: f64) {
        let k = self.prep.class_of[ctype];
        if k == NO_CLASS {
            ws.ready_now.push_back(ci);
            return;
        }
        let k = k as usize;
        self.seq += 1;
        let c = &mut ws.cases[ci as usize];
        c.enq = t;
        c.seq = self.seq;
        ws.queues[k].main.push(Waiting {
            key: main_key(self.prep.classes[k].priority, self.seq),
            case: ci,
        });
        self.n_waiting += 1;
        if k < 64 {
            self.waiting_classes |= 1u64 << k;
        }
    }

    /// Closes the staff-less stages that became ready at `t`, in the order they did (closing one
    /// may open more).
    fn drain_ready<P: Probe>(
        &mut self,
        ws: &mut Workspace,
        probe: &mut P,
        t: f64,
    ) -> Result<(), SimError> {
        while let Some(ci) = ws.ready_now.pop_front() {
            self.close_case(ws, probe, ci, t)?;
        }
        Ok(())
    }

    fn close_case<P: Probe>(
        &mut self,
        ws: &mut Workspace,
        probe: &mut P,
        ci: u32,
        t: f64,
    ) -> Result<(), SimError> {
        let c = ws.cases[ci as usize];
        ws.free_cases.push(ci);
        let ctype = c.ctype as usize;
        let tis = t - c.opened;
        let rec = &mut ws.types[ctype];
        rec.closed += 1;
        // Cases opened during the warm-up are worked and counted, but not measured.
        if c.opened >= self.s.warmup {
            rec.measured += 1;
            rec.sum_wait += c.waited;
            rec.sum_time_in_system += tis;
            // Zero waits are only counted (see `Workspace::zero_waits`); the positive ones,
            // stored, give `TypeRecord::waited` at the end.
            if c.waited > 0.0 {
                ws.waits[ctype].push(c.waited.to_bits());
            } else {
                ws.zero_waits[ctype] += 1;
            }
            // + 0.0 turns a -0.0 into +0.0, so that the bits order like the values.
            ws.tis[ctype].push((tis + 0.0).to_bits());
        }
        probe.closed(ctype, c.waited, tis);
        ws.open_by_type[ctype] -= 1;
        self.open_total -= 1;
        if c.tracked {
            self.tracked_open -= 1;
            self.last_close = self.last_close.max(t);
        }
        let routing = &self.s.case_types[ctype].routing;
        if !routing.outcomes.is_empty() {
            let cum = &ws.route_cum[ctype];
            let o = if cum.len() == 1 {
                0
            } else {
                let u: f64 = open_unit(&mut random::stream_of(self.route_key, c.id));
                // u in (0, 1]: the outcome whose cumulative share first reaches u, that is the
                // number of (ascending) cumulative shares below u: counted without branches.
                cum.iter().filter(|&&x| x < u).count().min(cum.len() - 1)
            };
            for (slot, &to) in routing.outcomes[o].to.iter().enumerate() {
                self.open_case(ws, probe, to, case_id::child(c.id, slot), t, c.tracked)?;
            }
        }
        Ok(())
    }

    /// Bookkeeping for the officer-days of people kept beyond their group's headcount (finishing a
    /// case after their diversion ended).
    /// Only groups diverted from a source unit are counted, so others skip it.
    /// Also brings the utilisation accounts of the group's team up to `t` ([`State::integrate_team`]):
    /// called before every change of a group's people in service or headcount.
    #[inline]
    fn touch(&self, ws: &mut Workspace, g: usize, t: f64) {
        self.integrate_team(ws, self.prep.groups[g].team as usize, t);
        if !self.prep.is_sourced(g) {
            return;
        }
        let excess = ws.busy[g].saturating_sub(ws.cap[g]);
        if excess > 0 {
            ws.group_excess_area[g] += excess as f64 * (t - ws.group_last[g]);
        }
        ws.group_last[g] = t;
    }

    /// Adds the team's person-time busy and on duty since the last change to the current day's
    /// accounts: the counts are constant since then, so the integral is exact. The current day is
    /// the one not closed yet: [`State::close_staff_day`] closes each day before any later moment
    /// is processed, so no interval spans two days.
    #[inline(always)]
    fn integrate_team(&self, ws: &mut Workspace, team: usize, t: f64) {
        let now = &mut ws.teams[team];
        let dt = t - now.last;
        debug_assert!(dt >= 0.0, "staff time went back");
        debug_assert_eq!(
            now.on_duty,
            (self.prep.team_groups[team]..self.prep.team_groups[team + 1])
                .map(|g| ws.busy[g].max(ws.cap[g]))
                .sum::<u32>(),
            "people on duty kept up to date"
        );
        now.last = t;
        let day = &mut ws.team_day[team];
        day.busy += f64::from(now.busy) * dt;
        day.on_duty += f64::from(now.on_duty) * dt;
    }

    /// Recomputes [`TeamNow::on_duty`] of `team` after a roster change: Σ over its groups of
    /// max(busy, headcount). (Elsewhere it changes only when a completion frees a leaver: a
    /// service starts only in a group with room, which leaves the maximum as it is.)
    fn count_on_duty(&self, ws: &mut Workspace, team: usize) {
        let (g0, g1) = (self.prep.team_groups[team], self.prep.team_groups[team + 1]);
        ws.teams[team].on_duty = (g0..g1).map(|g| ws.busy[g].max(ws.cap[g])).sum();
    }

    /// Closes working day `day` of the utilisation accounts at `end` (the day's end, or the end
    /// of the replication within it): hands each team's person-time of the day to `probe` and
    /// adds it to the run's totals and to the periods that cover the day.
    ///
    /// Runs on every working day of every replication (about 290 a replication of
    /// screen-v1-stress), so it walks the per-team and per-group arrays with zipped iterators,
    /// one bounds check per array rather than one per element: 272 instructions a day before,
    /// for one team of two groups. Each sum still takes the day's values in the same order, one
    /// addition per day, so the totals are the same to the bit.
    fn close_staff_day<P: Probe>(&self, ws: &mut Workspace, probe: &mut P, day: u32, end: f64) {
        // What `integrate_team` does, for every team at once.
        for (now, today) in ws.teams.iter_mut().zip(ws.team_day.iter_mut()) {
            let dt = end - now.last;
            debug_assert!(dt >= 0.0, "staff time went back");
            now.last = end;
            today.busy += f64::from(now.busy) * dt;
            today.on_duty += f64::from(now.on_duty) * dt;
        }
        probe.staff_day(day, &ws.team_day);
        // The periods covering the day: [first, past) as one unsigned comparison.
        for ((period, &(first, past)), grp) in ws
            .period_time
            .iter_mut()
            .zip(&self.prep.periods)
            .zip(&self.prep.groups)
        {
            if day.wrapping_sub(first) < past - first {
                let today = ws.team_day[grp.team as usize];
                period.busy += today.busy;
                period.on_duty += today.on_duty;
            }
        }
        // The run's totals, and the day's accounts back to zero in the same pass (a separate
        // `fill` is a call to `memset`, about 25 instructions for one or two teams).
        for (total, today) in ws.team_time.iter_mut().zip(ws.team_day.iter_mut()) {
            total.busy += today.busy;
            total.on_duty += today.on_duty;
            *today = StaffTime::default();
        }
    }

    fn complete<P: Probe>(
        &mut self,
        ws: &mut Workspace,
        probe: &mut P,
        e: Event,
        t: f64,
    ) -> Result<(), SimError> {
        let c = &mut ws.cases[e.payload as usize];
        if c.group == NOT_SERVING || c.generation != e.generation {
            return Ok(()); // handed over before it finished
        }
        let g = c.group as usize;
        c.group = NOT_SERVING;
        self.touch(ws, g, t);
        let team = self.prep.groups[g].team as usize;
        if ws.busy[g] > ws.cap[g] {
            // A leaver (`finish` policy) goes off duty.
            ws.teams[team].on_duty -= 1;
        }
        ws.busy[g] -= 1;
        ws.teams[team].busy -= 1;
        self.update_room(ws, team);
        self.close_case(ws, probe, e.payload, t)?;
        self.drain_ready(ws, probe, t)
    }

    fn roster_change(
        &mut self,
        ws: &mut Workspace,
        g: usize,
        new_cap: u32,
        t: f64,
    ) -> Result<(), SimError> {
        self.touch(ws, g, t);
        let team = self.prep.groups[g].team as usize;
        ws.teams[team].cap = ws.teams[team].cap - ws.cap[g] + new_cap;
        ws.cap[g] = new_cap;
        if self.s.teams[team].policy == ReductionPolicy::Handover && ws.busy[g] > new_cap {
            let excess = (ws.busy[g] - new_cap) as usize;
            // Those who leave are the ones who started most recently (least work lost to a
            // hand-over is not a concern: the hours still to do go with the case).
            // (Free slots are never in service: a case leaves service before it closes.)
            let mut live: Vec<(f64, u64, u32)> = ws
                .cases
                .iter()
                .enumerate()
                .filter(|(_, c)| c.group as usize == g)
                .map(|(i, c)| (c.start, c.seq, i as u32))
                .collect();
            live.sort_by(|x, y| y.0.total_cmp(&x.0).then(y.1.cmp(&x.1)));
            for &(start, _, ci) in live.iter().take(excess) {
                let done = ws.rates[g].work(start, t);
                let c = &mut ws.cases[ci as usize];
                c.group = NOT_SERVING;
                c.generation = c.generation.wrapping_add(1);
                c.remaining = (c.remaining - done).max(0.0);
                c.enq = t;
                // Only cases that need staff are in service, so the case has a class.
                let k = self.prep.class_of[c.ctype as usize] as usize;
                let key = front_key(self.prep.classes[k].priority, t, c.seq).ok_or(
                    SimError::TooManyEvents {
                        replication: self.rep,
                    },
                )?;
                // In key order: those who leave go latest-started first, which is not the
                // order the cases joined the queue.
                let front = &mut ws.queues[k].front;
                let at = front.partition_point(|w| w.key < key);
                front.insert(at, Waiting { key, case: ci });
                self.n_waiting += 1;
                if k < 64 {
                    self.waiting_classes |= 1u64 << k;
                }
                ws.busy[g] -= 1;
                ws.teams[team].busy -= 1;
            }
        }
        self.count_on_duty(ws, team);
        self.update_room(ws, team);
        Ok(())
    }

    /// Brings bit `team` of [`State::room`] and [`State::class_room`] up to date after the
    /// team's cases in service or headcount changed (nothing to do for scanning dispatch).
    #[inline]
    fn update_room(&mut self, ws: &Workspace, team: usize) {
        if self.prep.team_classes.is_empty() {
            return;
        }
        let bit = 1u64 << team;
        let has_room = ws.teams[team].busy < ws.teams[team].cap;
        if has_room == (self.room & bit != 0) {
            return;
        }
        if has_room {
            self.room |= bit;
            self.class_room |= self.prep.team_classes[team];
        } else {
            // Other teams with room may share classes with this one: rebuild the union.
            self.room &= !bit;
            let mut union = 0u64;
            let mut r = self.room;
            while r != 0 {
                union |= self.prep.team_classes[r.trailing_zeros() as usize];
                r &= r - 1;
            }
            self.class_room = union;
        }
    }

    /// Whether [`State::dispatch`] may start a case now: some case waits and, with the bit
    /// masks, some class with a case waiting has a team with room (the tests its loop starts
    /// with). Many moments fail them (nothing waits, or every team that could take the waiting
    /// work is full): a screen-v1-stress replication has about 660 moments and starts about 465
    /// cases in all. A call that returns at once still costs some 20 instructions of entry and
    /// exit, so the event loop asks this first, inlined; `dispatch` tests the same again.
    #[inline(always)]
    fn may_dispatch(&self) -> bool {
        self.n_waiting > 0
            && (self.prep.team_classes.is_empty() || self.class_room & self.waiting_classes != 0)
    }

    fn dispatch(&mut self, ws: &mut Workspace, t: f64) {
        while self.n_waiting > 0 {
            // The first waiting case, in queue order, that some eligible team has room for: the
            // smallest key among the heads of the class queues (handed-back cases come first).
            let mut best: Option<(u128, usize, bool)> = None;
            let consider = |k: usize, ws: &Workspace, best: &mut Option<(u128, usize, bool)>| {
                let Some((head, from_front)) = ws.queues[k].first() else {
                    return;
                };
                if best.is_none_or(|b| head < b.0) {
                    *best = Some((head, k, from_front));
                }
            };
            if self.prep.team_classes.is_empty() {
                // Many classes or teams: scan every class.
                if !ws.teams.iter().any(|tm| tm.busy < tm.cap) {
                    break;
                }
                for (k, cl) in self.prep.classes.iter().enumerate() {
                    if cl
                        .teams
                        .iter()
                        .any(|&tm| ws.teams[tm].busy < ws.teams[tm].cap)
                    {
                        consider(k, ws, &mut best);
                    }
                }
            } else {
                // Classes with a case waiting that a team with room may work, as bit masks: most
                // calls find none (every team full, or only other work waiting) at once.
                let mut cand = self.class_room & self.waiting_classes;
                if cand == 0 {
                    break;
                }
                while cand != 0 {
                    let k = cand.trailing_zeros() as usize;
                    cand &= cand - 1;
                    consider(k, ws, &mut best);
                }
            }
            let Some((_, k, from_front)) = best else {
                break;
            };
            let ci = ws.queues[k].pop_first(from_front);
            self.n_waiting -= 1;
            if k < 64 && ws.queues[k].is_empty() {
                self.waiting_classes &= !(1u64 << k);
            }
            let team = match self.prep.class_teams.get(k) {
                Some(&mask) => (self.room & mask).trailing_zeros() as usize,
                None => self.prep.classes[k]
                    .teams
                    .iter()
                    .copied()
                    .find(|&tm| ws.teams[tm].busy < ws.teams[tm].cap)
                    .expect("a team with room exists"),
            };
            let (g0, g1) = (self.prep.team_groups[team], self.prep.team_groups[team + 1]);
            let g = (g0..g1)
                .find(|&g| ws.busy[g] < ws.cap[g])
                .expect("team has room so a group has room");
            self.touch(ws, g, t);
            ws.busy[g] += 1;
            ws.teams[team].busy += 1;
            self.update_room(ws, team);
            let c = &mut ws.cases[ci as usize];
            c.waited += t - c.enq;
            c.start = t;
            c.group = g as u32;
            let finish = ws.rates[g].finish(t, c.remaining);
            let generation = c.generation;
            self.seq += 1;
            ws.completions
                .push(Event::new(finish, self.seq, ci, generation));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ceil_non_negative, front_key, main_key};
    use crate::model::random::{self, Purpose};

    /// Tiny shapes (a routing prior of 1e-10 and no observations) put almost all weight on one
    /// outcome, each with probability 1/2; shapes 1/2 give Beta(1/2, 1/2) shares: mean 1/2,
    /// variance 1/8. Drawn as the simulation draws a counted routing (stick-breaking through
    /// Beta quantiles at uniform numbers strictly inside (0, 1)). Tolerances: 4 standard errors
    /// of the estimates over n draws.
    #[test]
    fn counted_routing_with_small_shapes_follows_the_distribution() {
        use crate::scenario::assume::{Assumptions, stick_shares};
        use crate::scenario::dist::unit_interior;
        use rand::Rng;
        let n = 20_000;
        let draw = |alpha: &[f64], rep: u64| {
            let mut a = Assumptions::default();
            a.push_routing("r".into(), 0, alpha, &["x".into(), "y".into()]);
            let key = random::replication_key(5, rep);
            let mut r = random::stream(key, Purpose::Assumption, a.slots[0].key);
            let u = unit_interior(r.next_u64());
            stick_shares(2, |k| a.slots[k].law.quantile(u))
        };
        let mut first = 0u32;
        for rep in 0..n {
            let s = draw(&[1e-10, 1e-10], rep);
            assert!((s[0] + s[1] - 1.0).abs() < 1e-12, "{s:?}");
            assert!(
                s[0] < 1e-9 || s[0] > 1.0 - 1e-9,
                "share {} at replication {rep}",
                s[0]
            );
            first += u32::from(s[0] > 0.5);
        }
        let p = f64::from(first) / n as f64;
        assert!((p - 0.5).abs() < 4.0 * (0.25 / n as f64).sqrt(), "{p}");

        let x: Vec<f64> = (0..n).map(|rep| draw(&[0.5, 0.5], rep)[0]).collect();
        let mean = x.iter().sum::<f64>() / n as f64;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        // Var of the mean 1/8n; of the variance (mu4 - sigma^4)/n with mu4 = 3/128 for
        // Beta(1/2, 1/2): (3/128 - 1/64)/n = 1/(128 n).
        assert!(
            (mean - 0.5).abs() < 4.0 * (0.125 / n as f64).sqrt(),
            "{mean}"
        );
        assert!(
            (var - 0.125).abs() < 4.0 * (1.0 / (128.0 * n as f64)).sqrt(),
            "{var}"
        );
    }

    /// `Pace::capped_from` is the first day whose count is the total, and the count stays there
    /// on every later day (checked day by day), for paces with rate changes, zero rates, slow
    /// and fast paces and a total never reached; and `None` with a negative rate.
    #[test]
    fn screening_is_capped_from_the_first_day_it_is_complete() {
        use super::Pace;
        use crate::stats::test_rng::Rng;
        let mut rng = Rng(41);
        for round in 0..3_000 {
            let mut p = Pace {
                segments: Vec::new(),
                remaining: rng.below(5_000),
            };
            let (mut start, mut cum) = (0u32, 0.0);
            for _ in 0..1 + rng.below(4) {
                let rate = match rng.below(4) {
                    0 => 0.0,
                    1 => rng.below(300) as f64,
                    _ => rng.unit() * 100.0,
                };
                p.segments.push((start, rate, cum));
                let len = 1 + rng.below(60) as u32;
                cum += rate * len as f64;
                start += len;
            }
            let days = rng.below(400) as u32;
            let got = p.capped_from(days);
            let first = (0..days).find(|&d| p.checked_by_end_of(d) == p.remaining);
            assert_eq!(got, first, "round {round}: {p:?}");
            if let Some(c) = got {
                assert!((c..days + 50).all(|d| p.checked_by_end_of(d) == p.remaining));
            }
            p.segments.push((start, -1.0, cum));
            assert_eq!(p.capped_from(days), None);
        }
    }

    /// A type's queue gives handed-back cases first, then the main queue in order, through
    /// every emptying and compaction of its vector.
    #[test]
    fn class_queue_is_first_in_first_out_after_handed_back_cases() {
        use super::{ClassQueue, Waiting};
        use crate::stats::test_rng::Rng;
        use std::collections::VecDeque;
        let mut rng = Rng(11);
        let mut q = ClassQueue::default();
        let (mut front, mut main) = (VecDeque::new(), VecDeque::new());
        for step in 0..20_000u32 {
            let u = rng.unit();
            // Runs of pushes and of pops, so that the queue both empties and grows long.
            let push = if (step / 500) % 2 == 0 {
                u < 0.7
            } else {
                u < 0.3
            };
            if push {
                let w = Waiting {
                    key: u128::from(step),
                    case: step,
                };
                if rng.unit() < 0.05 {
                    q.front.push_back(w);
                    front.push_back(step);
                } else {
                    q.main.push(w);
                    main.push_back(step);
                }
            } else if let Some((key, from_front)) = q.first() {
                let expected = front.pop_front().map(|c| (c, true));
                let expected = expected.or_else(|| main.pop_front().map(|c| (c, false)));
                assert_eq!(Some((key as u32, from_front)), expected);
                assert_eq!(q.pop_first(from_front), key as u32);
            } else {
                assert!(front.is_empty() && main.is_empty());
            }
            assert_eq!(q.is_empty(), front.is_empty() && main.is_empty());
            assert!(q.main.len() - q.head == main.len());
            assert!(q.main.len() <= 2 * main.len() + 64, "compacted");
        }
    }

    /// The packed keys order like the tuples (priority, handed back first, time joined, sequence)
    /// they stand for, including negative and extreme priorities.
    #[test]
    fn queue_keys_order_like_their_tuples() {
        let prios = [i32::MIN, -3, 0, 1, i32::MAX];
        let mut keyed = Vec::new();
        for &p in &prios {
            for (t, seq) in [(0.0, 1u64), (0.0, 7), (2.5, 3), (2.5, 9), (10.0, 2)] {
                // Main queues see sequence numbers in order of (time, sequence).
                keyed.push(((p, 1u8, 0.0f64, seq), main_key(p, seq)));
                keyed.push(((p, 0u8, t, seq), front_key(p, t, seq).unwrap()));
            }
            keyed.push(((p, 1, 0.0, u64::MAX >> 1), main_key(p, u64::MAX >> 1)));
        }
        for a in &keyed {
            for b in &keyed {
                let (ta, tb) = (a.0, b.0);
                let tuple = (ta.0, ta.1).cmp(&(tb.0, tb.1)).then(if ta.1 == 0 {
                    ta.2.total_cmp(&tb.2).then(ta.3.cmp(&tb.3))
                } else {
                    ta.3.cmp(&tb.3)
                });
                assert_eq!(a.1.cmp(&b.1), tuple, "{ta:?} vs {tb:?}");
            }
        }
        assert_eq!(front_key(0, 1.0, 1 << 32), None);
        assert!(front_key(0, 1.0, u64::from(u32::MAX)).is_some());
    }

    /// met-2023's 11 case types share 4 queues: the five screening-era types worked by all three
    /// DPS teams, the three worked by investigators and new staff, hearings, vetting reviews; the
    /// external panel (a delay, no staff) has none.
    #[test]
    fn case_types_with_the_same_teams_and_priority_share_a_class() {
        use crate::scenario::{DEFAULT_SCENARIO_TOML, Scenario};
        let s = Scenario::from_toml_str(DEFAULT_SCENARIO_TOML, "met-2023.toml").unwrap();
        let prep = super::Prepared::new(&s);
        assert_eq!(prep.classes.len(), 4);
        let class = |name: &str| {
            let ti = s.case_types.iter().position(|c| c.name == name).unwrap();
            prep.class_of[ti]
        };
        assert_eq!(class("pnd_misconduct_assessment"), class("hotline_report"));
        assert_eq!(class("management_action"), class("bau_allegation"));
        assert_ne!(class("pnd_misconduct_assessment"), class("bau_allegation"));
        assert_ne!(class("misconduct_hearing"), class("bau_allegation"));
        assert_eq!(class("external_panel"), super::NO_CLASS);
        // A different priority makes a different class.
        let text = DEFAULT_SCENARIO_TOML.replace(
            "name = \"hotline_report\"\n",
            "name = \"hotline_report\"\npriority = 1\n",
        );
        let s = Scenario::from_toml_str(&text, "met-2023.toml").unwrap();
        assert_eq!(super::Prepared::new(&s).classes.len(), 5);
        // So does a different order of preference among the same teams.
        let text = DEFAULT_SCENARIO_TOML.replacen(
            "teams = [\"dps_investigators\", \"dps_new_staff\", \"diverted_soc_ct\"]",
            "teams = [\"diverted_soc_ct\", \"dps_investigators\", \"dps_new_staff\"]",
            1,
        );
        assert_ne!(text, DEFAULT_SCENARIO_TOML);
        let s = Scenario::from_toml_str(&text, "met-2023.toml").unwrap();
        assert_eq!(super::Prepared::new(&s).classes.len(), 5);
    }

    /// The crossing logic of `back_to_target` on hand-built sequences of (moment, open cases).
    #[test]
    fn back_to_target_is_the_last_return_to_the_target_that_lasts() {
        use super::TargetWatch;
        let watch = |target: u64, seq: &[(f64, u32)]| {
            let mut w = TargetWatch::new(target);
            for &(t, n) in seq {
                w.observe(n, t);
            }
            w.back()
        };
        // Never above the target: back at the start.
        assert_eq!(watch(3, &[]), Some(0.0));
        assert_eq!(
            watch(3, &[(0.0, 3), (1.5, 2), (4.0, 3), (9.0, 0)]),
            Some(0.0)
        );
        // Above from the start and to the end: never (censored).
        assert_eq!(watch(3, &[(0.0, 5), (2.0, 4), (7.5, 4)]), None);
        // Comes back, rises again, comes back again: the later return.
        assert_eq!(
            watch(
                3,
                &[(0.0, 5), (2.0, 3), (2.5, 1), (4.25, 4), (6.75, 3), (8.0, 0)]
            ),
            Some(6.75)
        );
        // Comes back and rises again by the end: never.
        assert_eq!(watch(3, &[(0.0, 5), (2.0, 3), (4.25, 4)]), None);
        // Exactly at the target is at or below it; one above is above.
        assert_eq!(watch(0, &[(0.0, 1), (3.0, 0)]), Some(3.0));
        assert_eq!(watch(2, &[(1.0, 3), (3.0, 2)]), Some(3.0));
        // Moving about below the target after the return does not move it.
        assert_eq!(
            watch(2, &[(1.0, 3), (3.0, 2), (5.0, 1), (6.0, 2)]),
            Some(3.0)
        );
        // A target beyond any count: never above.
        assert_eq!(watch(u64::MAX, &[(0.0, u32::MAX)]), Some(0.0));
    }

    #[test]
    fn ceil_non_negative_matches_ceil() {
        for y in [
            0.0,
            1e-12,
            0.5,
            1.0,
            1.0 + 1e-15,
            2.999_999,
            3.0,
            12345.678,
            9.0e15,
        ] {
            assert_eq!(ceil_non_negative(y), y.ceil(), "{y}");
        }
        for y in [-1e-9, -0.0, f64::NAN] {
            assert_eq!(ceil_non_negative(y), 0.0, "{y}");
        }
    }

    // ---- the parts of a replication, each on its own

    fn met() -> crate::scenario::Scenario {
        use crate::scenario::{DEFAULT_SCENARIO_TOML, Scenario};
        Scenario::from_toml_str(DEFAULT_SCENARIO_TOML, "met-2023.toml").unwrap()
    }

    /// After any replication, `reset` leaves the workspace as it leaves a new one.
    #[test]
    fn reset_leaves_a_used_workspace_like_a_new_one() {
        use super::{NoProbe, Prepared, Workspace, run_replication};
        let s = met();
        let prep = Prepared::new(&s);
        let mut used = Workspace::default();
        run_replication(&s, &prep, 4, &mut used, &mut NoProbe).unwrap();
        used.reset(&s, &prep);
        let mut fresh = Workspace::default();
        fresh.reset(&s, &prep);
        assert_eq!(used.cases.len(), 0);
        assert_eq!(used.arrivals.len(), 0);
        assert!(used.completions.peek().is_none() && used.delays.is_empty());
        assert_eq!(used.cap, fresh.cap);
        assert_eq!(used.busy, fresh.busy);
        assert_eq!(used.teams, fresh.teams);
        assert_eq!(used.team_day, fresh.team_day);
        assert_eq!(used.open_by_type, fresh.open_by_type);
        assert_eq!(used.types, fresh.types);
        assert_eq!(used.zero_waits, fresh.zero_waits);
        assert!(used.waits.iter().chain(&used.tis).all(|v| v.is_empty()));
        assert_eq!(used.queues.len(), prep.classes.len());
        assert!(used.queues.iter().all(|q| q.is_empty()));
        // The team capacities are the sum of their groups' at the start.
        assert_eq!(
            used.teams.iter().map(|tm| tm.cap).sum::<u32>(),
            prep.initial_cap.iter().sum::<u32>()
        );
    }

    /// Routing draws: fixed shares become cumulative shares ending in infinity; counted shares
    /// are drawn from the replication's key, the same for the same key and not for another.
    #[test]
    fn routing_draws_are_cumulative_and_keyed() {
        use super::{Prepared, RepKeys, Workspace, draw_assumptions, draw_routing};
        let s = met();
        let prep = Prepared::new(&s);
        let mut ws = Workspace::default();
        let draw = |ws: &mut Workspace, rep| {
            let keys = RepKeys::of(s.seed, rep);
            draw_assumptions(&s, &prep, keys, ws);
            draw_routing(&s, keys.pin, ws);
            ws.route_cum.clone()
        };
        let a = draw(&mut ws, 1);
        let b = draw(&mut ws, 1);
        let c = draw(&mut ws, 2);
        assert_eq!(a, b);
        assert_ne!(a, c, "counted routings differ between replications");
        for (ct, cum) in s.case_types.iter().zip(&a) {
            assert_eq!(cum.len(), ct.routing.outcomes.len(), "{}", ct.name);
            if let Some(last) = cum.last() {
                assert_eq!(*last, f64::INFINITY);
            }
            assert!(cum.windows(2).all(|w| w[0] <= w[1]), "{}", ct.name);
        }
    }

    /// The cases from outside come in time order (backlogs, hits, streams at equal times), are
    /// counted as tracked as they are, and do not depend on staffing (common random numbers).
    #[test]
    fn external_arrivals_are_ordered_and_do_not_depend_on_staffing() {
        use super::{Prepared, RepKeys, Workspace, draw_assumptions, external_arrivals};
        use crate::scenario::{DEFAULT_SCENARIO_TOML, Scenario};
        let s = met();
        let fewer = Scenario::from_toml_str(
            &DEFAULT_SCENARIO_TOML.replace("count = 90", "count = 7"),
            "met-2023.toml",
        )
        .unwrap();
        let arrivals = |s: &Scenario| {
            let prep = Prepared::new(s);
            let mut ws = Workspace::default();
            ws.reset(s, &prep);
            draw_assumptions(s, &prep, RepKeys::of(s.seed, 3), &mut ws);
            let ext = external_arrivals(s, &prep, 3, RepKeys::of(s.seed, 3), &mut ws).unwrap();
            let v: Vec<(u64, u64, u32, bool)> = ws
                .arrivals
                .iter()
                .map(|a| (a.t.to_bits(), a.id, a.ctype, a.tracked))
                .collect();
            (ext, v)
        };
        let (ext, got) = arrivals(&s);
        let (ext_fewer, got_fewer) = arrivals(&fewer);
        assert_ne!(
            s.teams.iter().map(|t| t.staff.len()).sum::<usize>(),
            0,
            "there is staffing to change"
        );
        assert_ne!(
            Prepared::new(&s).initial_cap,
            Prepared::new(&fewer).initial_cap,
            "the staffing differs"
        );
        assert_eq!(got, got_fewer);
        assert_eq!(ext, ext_fewer);
        assert!(
            got.windows(2)
                .all(|w| f64::from_bits(w[0].0) <= f64::from_bits(w[1].0))
        );
        assert_eq!(ext.tracked_pending, got.iter().filter(|a| a.3).count());
        assert_eq!(
            ext.hit_rates.len(),
            s.screening.as_ref().unwrap().hits.len()
        );
        // The backlogs open at the start, first.
        let backlog: u64 = s
            .backlogs
            .iter()
            .filter(|b| b.at == 0.0)
            .map(|b| b.count.central as u64)
            .sum();
        assert!(
            got[..backlog as usize]
                .iter()
                .all(|a| a.0 == 0f64.to_bits())
        );
        assert!(ext.sources_end.is_finite() && ext.sources_end > 0.0);
    }

    /// The `all` record adds up the case types; source days are at least those planned.
    #[test]
    fn results_add_up_the_case_types_and_count_planned_days() {
        use super::{NoProbe, Prepared, Workspace, run_replication};
        let s = met();
        let prep = Prepared::new(&s);
        let mut ws = Workspace::default();
        let r = run_replication(&s, &prep, 2, &mut ws, &mut NoProbe).unwrap();
        let sum = |f: &dyn Fn(&super::TypeRecord) -> u32| r.types.iter().map(f).sum::<u32>();
        assert_eq!(r.all.opened, sum(&|t| t.opened));
        assert_eq!(r.all.closed, sum(&|t| t.closed));
        assert_eq!(r.all.measured, sum(&|t| t.measured));
        assert_eq!(r.all.waited, sum(&|t| t.waited));
        let sum_wait: f64 = r.types.iter().map(|t| t.sum_wait).sum();
        assert!((r.all.sum_wait - sum_wait).abs() <= 1e-9 * sum_wait.max(1.0));
        assert_eq!(r.source_days.len(), s.sources.len());
        for (got, planned) in r.source_days.iter().zip(&prep.planned_source_days) {
            assert!(got >= planned && *planned > 0.0, "{got} < {planned}");
        }
    }
}
