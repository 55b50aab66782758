//! Checks a [`RawScenario`] and builds the [`Scenario`]: every rule of the scenario format, with all
//! problems collected rather than stopping at the first, each naming the field path, the value and
//! the rule. Also the limits that refuse absurd sizes before a run starts.

use super::assume::{DateSpec, DeclaredSpec, UncertainDate};
use super::dist::{Dist, DistSpec};
use super::raw::*;
use super::*;
use crate::calendar::{Calendar, Date, WorkPattern, bank_holidays};
use std::collections::{HashMap, HashSet};

/// Most replications a run accepts.
pub const MAX_REPLICATIONS: u64 = 10_000_000;
/// Most records in a screening cohort (only hits are drawn, so this is generous).
pub const MAX_RECORDS: u64 = 1_000_000_000;
/// Most people in one headcount entry.
pub const MAX_HEADCOUNT: u32 = 1_000_000;
/// Most cases one replication may be expected to open: beyond it one replication would need
/// gigabytes of memory.
pub const MAX_EXPECTED_CASES_PER_REPLICATION: f64 = 20_000_000.0;
/// Most case-openings a whole run may be expected to simulate (≈ 3 hours at 10 million per second).
pub const MAX_EXPECTED_CASES_PER_RUN: f64 = 1.0e11;
/// Most case types.
pub const MAX_CASE_TYPES: usize = 1000;
/// Most teams: each is a panel of the staffing chart, and 5,000 of them took the charts more
/// than 100 seconds and 800 MB to draw.
pub const MAX_TEAMS: usize = 1000;
/// Longest scenario name [bytes]: it names the results directory, and file systems refuse names
/// over 255 bytes (with `-comparison` added for `vetsim compare`).
pub const MAX_NAME_LEN: usize = 100;
/// Longest name or label of anything a scenario defines (case types, teams, streams, hit
/// categories, routing outcomes, backlogs, source units) \[characters\]. Names label table
/// columns (a `hit_rate__<name>` column of replications.csv), chart legends and panel titles, and
/// a case type's name is repeated on every one of its rows of daily.csv (a row per working day):
/// a 10,000-character name would make that file hundreds of megabytes and the charts unreadable.
/// The longest name in the shipped scenarios has 51 characters; 64 leaves room for a descriptive
/// one, and a longer "name" is a pasted text. (The scenario's own name, which names a
/// directory, has [`MAX_NAME_LEN`].) Messages show names up to this length whole
/// ([`crate::quote::SHOWN_CHARS`]).
pub const MAX_LABEL_LEN: usize = 64;
/// Largest sample behind an observed hit rate, and largest total of a counted routing: ten
/// million, 200 times the Met's workforce. Beyond it the incomplete beta function that gives
/// their quantiles loses precision.
pub const MAX_OBSERVED: u64 = 10_000_000;
/// Tolerance on "shares sum to 1".
pub const SHARE_SUM_TOLERANCE: f64 = 1e-9;
/// Most years `screening.throughput.observed_since` may lie before `start`: the pace is the
/// records already checked over the working days since then, so a much earlier date is a typo
/// (1023 for 2023) that would make the pace tiny.
pub const MAX_OBSERVED_YEARS: i32 = 10;

use crate::quote::quoted;

/// The items joined by ", ", the first 20 of them and "and N more" after.
fn listed(items: impl Iterator<Item = String>) -> String {
    let all: Vec<String> = items.collect();
    if all.len() <= 20 {
        all.join(", ")
    } else {
        format!("{} and {} more", all[..20].join(", "), all.len() - 20)
    }
}

#[derive(Default)]
struct Ctx {
    errors: Vec<FieldError>,
    /// The `[assumptions]` entries that are valid, by name.
    declared: std::collections::BTreeMap<String, Declared>,
    /// Declared assumptions that some setting uses, by name: their index in `assumptions.list`.
    declared_used: HashMap<String, usize>,
    /// Every assumption found so far.
    assumptions: Assumptions,
}

/// A valid entry of `[assumptions]`.
#[derive(Debug, Clone)]
struct Declared {
    /// Its distribution (of a distribution of dates: of their times, [`Span::end_on_axis`]).
    dist: Dist,
    source: Option<String>,
    /// For a distribution of dates: the earliest and latest dates it can take, as written.
    dates: Option<(Date, Date)>,
}

/// A rule a setting's value must keep: the test, and its wording after the value ("must be more
/// than 0 and at most 24 hours").
struct Rule<'a> {
    ok: &'a dyn Fn(f64) -> bool,
    text: &'a str,
}

impl Ctx {
    /// A setting that may be uncertain: `raw` at `path` (for messages), checked against `rule`.
    /// A distribution written here is an anonymous assumption named `name` (the setting's
    /// name-based path; `None` when its entry has no name, which is refused); a reference takes
    /// a declared assumption. Every value the assumption can draw must keep the rule. `None`
    /// after reporting a problem.
    fn uncertain(
        &mut self,
        raw: &super::assume::Uncertain,
        path: &str,
        name: Option<&str>,
        rule: &Rule,
    ) -> Option<Param> {
        use super::assume::Uncertain;
        let range_ok = |lo: f64, hi: f64| (rule.ok)(lo) && (rule.ok)(hi);
        match raw {
            Uncertain::Value(v) => {
                if (rule.ok)(*v) {
                    // + 0.0 makes a written -0.0 the 0 it means (it showed as -0.0 in every
                    // output) and leaves every other number as it is.
                    Some(Param::fixed(*v + 0.0))
                } else {
                    self.err(path, format!("{} {}", shown(*v), rule.text));
                    None
                }
            }
            Uncertain::Dist(raw) => {
                let d = self.dist(path, &raw.spec, false)?;
                let (lo, hi) = d.drawn_range();
                if !range_ok(lo, hi) {
                    self.err(
                        path,
                        format!(
                            "this distribution can draw from {} to {}, but every value {}",
                            rounded(lo),
                            rounded(hi),
                            rule.text
                        ),
                    );
                    return None;
                }
                self.anonymous(path, name, d, raw.source.clone(), false)
            }
            Uncertain::Ref(r) => {
                let n = r.assumption.as_str();
                let declared = self.declared_entry(path, n)?;
                if let Some((first, last)) = declared.dates {
                    self.err(
                        path,
                        format!(
                            "assumption {} is a distribution of dates ({first} to {last}), and this setting takes a number",
                            quoted(n)
                        ),
                    );
                    return None;
                }
                let (lo, hi) = declared.dist.drawn_range();
                if !range_ok(lo, hi) {
                    self.err(
                        path,
                        format!(
                            "assumption {} can take values from {} to {}, but every value here {}",
                            quoted(n),
                            rounded(lo),
                            rounded(hi),
                            rule.text
                        ),
                    );
                    return None;
                }
                Some(self.declared_param(path, name, n, declared))
            }
        }
    }

    /// The anonymous assumption `name` drawn from `d` (of dates: `of_dates`), at `path`; a plain
    /// value when `d` can draw only one. `None` after reporting a problem (no name, or the name
    /// of another).
    fn anonymous(
        &mut self,
        path: &str,
        name: Option<&str>,
        d: Dist,
        source: Option<String>,
        of_dates: bool,
    ) -> Option<Param> {
        use super::assume::Law;
        if d.is_fixed() {
            return Some(Param::fixed(d.quantile(0.5)));
        }
        let Some(name) = name else {
            self.err(
                path,
                "an uncertain value is an assumption named after its entry: give the entry a `name` (or declare the assumption in [assumptions] and refer to it with { assumption = \"NAME\" })",
            );
            return None;
        };
        if self.assumptions.list.iter().any(|a| a.name == name) {
            self.err(
                path,
                format!(
                    "two uncertain settings would both be named {}: give their entries different names",
                    quoted(name)
                ),
            );
            return None;
        }
        let i = self
            .assumptions
            .push_scalar(name.to_string(), false, source, Law::Dist(d));
        self.assumptions.list[i].of_dates = of_dates;
        self.assumptions.list[i].uses.push(name.to_string());
        let a = &self.assumptions.list[i];
        Some(Param {
            central: a.central,
            slot: Some(a.slots.start as u32),
        })
    }

    /// The valid `[assumptions]` entry `n`, referred to at `path`; `None` after reporting that
    /// there is none (unless the entry itself was reported).
    fn declared_entry(&mut self, path: &str, n: &str) -> Option<Declared> {
        if let Some(d) = self.declared.get(n) {
            return Some(d.clone());
        }
        if !self.has_errors_under(&format!("assumptions.{n}")) {
            let known = listed(self.declared.keys().map(|k| quoted(k)));
            self.err(
                path,
                if known.is_empty() {
                    format!(
                        "no assumption named {} ([assumptions] declares none)",
                        quoted(n)
                    )
                } else {
                    format!(
                        "no assumption named {}; [assumptions] declares {known}",
                        quoted(n)
                    )
                },
            );
        }
        None
    }

    /// The value of the setting `name` (or, without one, `path`) that takes the declared
    /// assumption `n`: a plain value when it can take only one.
    fn declared_param(
        &mut self,
        path: &str,
        name: Option<&str>,
        n: &str,
        declared: Declared,
    ) -> Param {
        use super::assume::Law;
        if declared.dist.is_fixed() {
            return Param::fixed(declared.dist.quantile(0.5));
        }
        let i = match self.declared_used.get(n) {
            Some(&i) => i,
            None => {
                let i = self.assumptions.push_scalar(
                    n.to_string(),
                    true,
                    declared.source,
                    Law::Dist(declared.dist),
                );
                self.assumptions.list[i].of_dates = declared.dates.is_some();
                self.declared_used.insert(n.to_string(), i);
                i
            }
        };
        let use_name = name.map_or_else(|| path.to_string(), str::to_string);
        self.assumptions.list[i].uses.push(use_name);
        let a = &self.assumptions.list[i];
        Param {
            central: a.central,
            slot: Some(a.slots.start as u32),
        }
    }

    fn err(&mut self, path: impl Into<String>, msg: impl Into<String>) {
        self.errors.push(FieldError::new(path, msg));
    }

    /// Whether a problem was already reported at `prefix` or below it (`teams[2]` covers
    /// `teams[2].headcount[0].from`, not `teams[20]`).
    fn has_errors_under(&self, prefix: &str) -> bool {
        self.errors.iter().any(|e| {
            e.path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        })
    }

    fn dist(&mut self, path: &str, spec: &DistSpec, non_negative: bool) -> Option<Dist> {
        match Dist::new(spec, non_negative) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(path, e.0);
                None
            }
        }
    }

    fn prob(&mut self, path: &str, p: f64) -> bool {
        if (0.0..=1.0).contains(&p) {
            true
        } else {
            self.err(
                path,
                format!("{p} is not a probability (must be between 0 and 1)"),
            );
            false
        }
    }

    fn non_negative(&mut self, path: &str, v: f64) -> bool {
        if v.is_finite() && v >= 0.0 {
            true
        } else {
            self.err(path, format!("{v} must be a finite number, 0 or more"));
            false
        }
    }

    /// Refuses text that cannot be shown where it goes: control characters (a line break, a tab,
    /// a bell) break tables and the terminal, and they and the Unicode noncharacters (U+FFFE,
    /// U+FFFF and the like) are not allowed in XML, so a chart naming them would not open. A name
    /// or label (`lines` false) may also hold no invisible character (a format or
    /// default-ignorable one: a zero-width space, a bidi control, a soft hyphen, a tag character)
    /// and no whitespace but the ordinary space (a no-break space): two names that look the same
    /// on a chart or in a message would be different names. With `lines` (a description), line
    /// breaks and tabs are allowed, and so are the invisible characters and other spaces that
    /// prose uses (a soft hyphen, a joiner, a no-break space): a description is never a name.
    fn text(&mut self, path: impl Into<String>, t: &str, lines: bool) {
        let bad = t.chars().find(|&ch| {
            if lines {
                (ch.is_control() && !matches!(ch, '\n' | '\r' | '\t')) || is_noncharacter(ch)
            } else {
                crate::quote::is_invisible(ch)
            }
        });
        if let Some(ch) = bad {
            let (hint, why) = if ch.is_control() {
                (
                    "a control character: a line break or tab pasted in?",
                    "which cannot appear in tables and charts",
                )
            } else if is_noncharacter(ch) {
                (
                    "a Unicode noncharacter",
                    "which cannot appear in tables and charts",
                )
            } else if ch.is_whitespace() {
                (
                    "a space other than the ordinary one, such as a no-break space",
                    "so names that look the same would differ: use an ordinary space",
                )
            } else {
                (
                    "an invisible character: a zero-width space, joiner, soft hyphen or direction control pasted in?",
                    "so names that look the same would differ: remove it",
                )
            };
            self.err(
                path,
                format!(
                    "{} contains U+{:04X} ({hint}), {why}",
                    quoted(t),
                    u32::from(ch)
                ),
            );
        }
    }

    /// A name or label: at most [`MAX_LABEL_LEN`] characters, and only characters that show
    /// ([`Ctx::text`]).
    fn label(&mut self, path: impl Into<String>, t: &str) {
        let len = t.chars().count();
        if len > MAX_LABEL_LEN {
            self.err(
                path,
                format!(
                    "{} characters long: at most {MAX_LABEL_LEN}, since names label tables and charts and are repeated on rows of the results (a longer one is a pasted text, not a name)",
                    thousands(len as u64)
                ),
            );
        } else {
            self.text(path, t, false);
        }
    }

    fn unique_names<'a>(&mut self, section: &str, names: impl Iterator<Item = &'a str>) {
        self.unique_given_names(section, names.map(Some));
    }

    /// [`unique_names`](Ctx::unique_names) where a name may be left out (headcount entries,
    /// routing outcomes): those given must not be empty, nor repeated within the list.
    fn unique_given_names<'a>(
        &mut self,
        section: &str,
        names: impl Iterator<Item = Option<&'a str>>,
    ) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, n) in names.enumerate() {
            let Some(n) = n else { continue };
            if n.trim().is_empty() {
                self.err(format!("{section}[{i}].name"), "name is empty");
            } else {
                self.label(format!("{section}[{i}].name"), n);
            }
            if let Some(first) = seen.insert(n, i) {
                self.err(
                    format!("{section}[{i}].name"),
                    format!("{} is already the name of {section}[{first}]", quoted(n)),
                );
            }
        }
    }
}

use crate::quote::is_noncharacter;

/// Longest description \[characters\]: it is repeated in summary.json and comparison.json.
pub const MAX_DESCRIPTION_LEN: usize = 10_000;

/// `10000000` as `10,000,000`, for limits a reader should take in at a glance.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A computed float without binary noise (`0.8999999999999999` as `0.9`): 12 significant digits.
fn short(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return x.to_string();
    }
    // Past 10^15 and below 10^-6, e-notation: 1.7e308 was printed as its 309 digits, 1e-300
    // as 300 decimals.
    if x.abs() >= 1e15 || x.abs() < 1e-6 {
        return format!("{x:e}");
    }
    let digits = (11 - x.abs().log10().floor() as i32).clamp(0, 300) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The least or most value a distribution can draw, for a message: to 6 significant digits (the
/// extreme quantiles lie a hair inside a bounded support: 4.00000005 for a minimum of 4).
fn rounded(x: f64) -> String {
    let y: f64 = format!("{x:.5e}").parse().unwrap_or(x);
    shown(y)
}

/// A number written in the file, for a message: [`short`], or in e-notation from 10^15 on (a
/// whole number that large is no longer held exactly, so its digits would not be the ones
/// written).
fn shown(x: f64) -> String {
    if x.is_finite() && x.abs() >= 1e15 {
        format!("{x:e}")
    } else {
        short(x)
    }
}

/// Resolves a name, suggesting the closest valid one.
fn resolve(ctx: &mut Ctx, path: &str, what: &str, name: &str, names: &[&str]) -> Option<usize> {
    if let Some(i) = names.iter().position(|n| *n == name) {
        return Some(i);
    }
    // Names differ in case more often than in spelling ("PCS" for "pcs"): compare lower-cased.
    let lower = name.to_lowercase();
    let hint = names
        .iter()
        .map(|n| (super::locate::edit_distance(&lower, &n.to_lowercase()), *n))
        .filter(|(d, _)| *d <= 2.max(name.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| format!(" (did you mean {}?)", quoted(n)))
        .unwrap_or_default();
    let list = if names.is_empty() {
        format!("there are no {what}s")
    } else {
        // Each name once, even when the file repeats one (that is reported on its own).
        let mut seen = std::collections::HashSet::new();
        let unique: Vec<&str> = names.iter().copied().filter(|n| seen.insert(*n)).collect();
        format!(
            "known {what}s: {}",
            listed(unique.iter().map(|n| quoted(n)))
        )
    };
    ctx.err(
        path,
        format!("unknown {what} {}{hint}; {list}", quoted(name)),
    );
    None
}

/// Which rules apply: all of them to a scenario as written; a variant made by `compare` or
/// `solve` may leave a case type with nobody to work it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Strictness {
    AsWritten,
    Variant,
}

/// The scenario's identity and size: its name (a directory name), description and
/// replications.
fn identity(c: &mut Ctx, raw: &RawScenario) {
    if raw.name.is_empty()
        || !raw
            .name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
        || raw.name.starts_with('.')
    {
        c.err(
            "name",
            format!(
                "{} is not usable as a directory name: use letters, digits, '-', '_' and '.' (not first)",
                quoted(&raw.name)
            ),
        );
    } else if raw.name.len() > MAX_NAME_LEN {
        c.err(
            "name",
            format!(
                "{} characters long: at most {MAX_NAME_LEN}, since it names the results directory (output/<name>, output/<name>-comparison)",
                raw.name.len()
            ),
        );
    }
    if let Some(d) = &raw.description {
        let len = d.chars().count();
        if len > MAX_DESCRIPTION_LEN {
            c.err(
                "description",
                format!(
                    "{} characters long: at most {}, since it is repeated in every summary",
                    thousands(len as u64),
                    thousands(MAX_DESCRIPTION_LEN as u64)
                ),
            );
        } else {
            c.text("description", d, true);
        }
    }
    if raw.replications == 0 {
        c.err("replications", "0: at least 1 replication is needed");
    } else if raw.replications > MAX_REPLICATIONS {
        c.err(
            "replications",
            format!(
                "{} is more than the limit of {}: so many would take days to run, and fewer already make the Monte Carlo error negligible",
                raw.replications,
                thousands(MAX_REPLICATIONS)
            ),
        );
    }
}

/// The working-day calendar of a scenario, when it stands (a horizon before the start, no working
/// days or too long a span is reported, and leaves none), with the date → time conversions every
/// later section uses.
struct Span {
    calendar: Option<Calendar>,
    /// The weekly pattern and holidays the calendar is made from (it also counts working days
    /// before the start, for a pace observed since an earlier date).
    pattern: WorkPattern,
    start: Date,
    horizon: Date,
    /// The horizon as a time (0 without a calendar) [working days].
    horizon_t: f64,
}

impl Span {
    /// Checks `[calendar]`, `start` and `horizon`, and builds the calendar.
    fn new(c: &mut Ctx, raw: &RawScenario) -> Span {
        let cal_raw = &raw.calendar;
        if cal_raw.working_days.is_empty() {
            c.err(
                "calendar.working_days",
                "no working days: at least one weekday must be worked",
            );
        }
        let mut seen_wd = HashSet::new();
        for (i, w) in cal_raw.working_days.iter().enumerate() {
            if !seen_wd.insert(*w) {
                c.err(
                    format!("calendar.working_days[{i}]"),
                    format!("{w:?} is listed twice"),
                );
            }
        }
        // Bank holidays from the earliest date a scenario can refer to (observed_since, at most
        // MAX_OBSERVED_YEARS before start; further back is an error below) to the horizon (at most
        // 100 years after start, or the calendar refuses it), so never an absurd span of years.
        let start_year = raw.start.ymd().0;
        let mut first_year = start_year;
        if let Some(s) = raw
            .screening
            .as_ref()
            .and_then(|s| s.throughput.observed_since)
        {
            first_year = first_year.min(s.ymd().0.max(start_year - MAX_OBSERVED_YEARS - 1));
        }
        // And to the latest date a distribution of dates can take, which may lie after the
        // horizon (its time counts the working days after it: `end_on_axis`).
        let latest_drawn = (raw.arrivals.iter())
            .filter_map(|a| match &a.to {
                Some(UncertainDate::Dist(d)) => Some(d.spec.bounds().1),
                _ => None,
            })
            .chain(raw.assumptions.values().filter_map(|d| match &d.spec {
                DeclaredSpec::Date(spec) => Some(spec.bounds().1),
                DeclaredSpec::OnDate(day) => Some(*day),
                DeclaredSpec::Number(_) => None,
            }))
            .map(|d| d.ymd().0)
            .max();
        let last_year = (raw.horizon.ymd().0)
            .max(latest_drawn.unwrap_or(i32::MIN))
            .clamp(start_year, start_year + 101);
        let mut holidays: Vec<Date> = cal_raw.extra_holidays.clone();
        if let Some(region) = cal_raw.holidays.region() {
            for y in first_year..=last_year {
                holidays.extend(bank_holidays(region, y));
            }
        }
        let pattern = WorkPattern::new(&cal_raw.working_days, holidays);

        let calendar = if raw.horizon < raw.start {
            c.err(
                "horizon",
                format!("{} is before start ({})", raw.horizon, raw.start),
            );
            None
        } else if cal_raw.working_days.is_empty() {
            None // already reported: without working days no span has any
        } else {
            match Calendar::new(raw.start, raw.horizon, &pattern) {
                Ok(cal) => Some(cal),
                Err(e @ crate::calendar::CalendarError::SpanTooLong { .. }) => {
                    c.err(
                        "horizon",
                        format!("{}: it is too far after start ({e})", raw.horizon),
                    );
                    None
                }
                Err(e) => {
                    c.err("calendar", e.to_string());
                    None
                }
            }
        };
        let horizon_t = calendar.as_ref().map(|cal| cal.len() as f64).unwrap_or(0.0);
        Span {
            calendar,
            pattern,
            start: raw.start,
            horizon: raw.horizon,
            horizon_t,
        }
    }

    /// The start of the first working day on or after `d` [working days] (0 without a calendar).
    fn day_from(&self, d: Date) -> f64 {
        self.calendar
            .as_ref()
            .map(|cal| cal.first_day_on_or_after(d) as f64)
            .unwrap_or(0.0)
    }

    /// The end of the last working day on or before `d` [working days] (0 without a calendar or
    /// such a day).
    fn end_of(&self, d: Date) -> f64 {
        self.calendar
            .as_ref()
            .and_then(|cal| cal.last_day_on_or_before(d))
            .map(|i| i as f64 + 1.0)
            .unwrap_or(0.0)
    }

    /// The end of the last working day on or before `d` [working days], on the working-day axis
    /// extended past the horizon: [`Span::end_of`] up to the horizon, and after it the horizon
    /// plus the working days from the day after the horizon to `d` inclusive (the work pattern's
    /// weekdays and holidays). So a distribution of dates that reaches past the horizon keeps its
    /// shape (its draws after the horizon are capped there when used, as a date is).
    fn end_on_axis(&self, d: Date) -> f64 {
        if d <= self.horizon || self.calendar.is_none() {
            return self.end_of(d);
        }
        self.horizon_t
            + self
                .pattern
                .working_days_between(self.horizon.add_days(1), d.add_days(1)) as f64
    }

    /// A distribution of dates at `path` as the distribution of their times (each bound and the
    /// mode converted by [`Span::end_on_axis`], as a written end date is); `None` after reporting
    /// bounds out of order.
    fn date_dist(&self, c: &mut Ctx, path: &str, spec: &DateSpec) -> Option<Dist> {
        let t = |d: Date| self.end_on_axis(d);
        let times = match *spec {
            DateSpec::Uniform { min, max } => {
                if min > max {
                    c.err(path, format!("min = {min} is after max = {max}"));
                    return None;
                }
                if t(min) == t(max) {
                    return Some(Dist::fixed(t(min)));
                }
                DistSpec::Uniform {
                    min: t(min),
                    max: t(max),
                }
            }
            DateSpec::Triangular { min, mode, max } => {
                if !(min <= mode && mode <= max) {
                    c.err(
                        path,
                        format!(
                            "needs min <= mode <= max, got min = {min}, mode = {mode}, max = {max}"
                        ),
                    );
                    return None;
                }
                DistSpec::Triangular {
                    min: t(min),
                    mode: t(mode),
                    max: t(max),
                }
            }
        };
        c.dist(path, &times, false)
    }

    /// Reports `d` at `path` when it lies from start to horizon but no working day is left on
    /// or after it (a weekend or holiday at the very end): what takes effect on the first
    /// working day on or after `d` (a backlog, a change of pace) never would; `never` says so.
    fn no_working_day_from(&self, c: &mut Ctx, path: &str, d: Date, never: &str) {
        if d >= self.start
            && d <= self.horizon
            && self.calendar.is_some()
            && self.day_from(d) >= self.horizon_t
        {
            c.err(
                path,
                format!(
                    "{d} is not a working day, and there is none after it up to the horizon ({}): {never}",
                    self.horizon
                ),
            );
        }
    }

    /// Reports `d` at `path` when it is after the horizon (with the horizon before the start,
    /// that error alone is reported).
    fn in_window(&self, c: &mut Ctx, path: &str, d: Date) {
        if d > self.horizon && self.horizon >= self.start {
            c.err(path, format!("{d} is after the horizon ({})", self.horizon));
        }
    }
}

/// The warm-up: a date from start to horizon, as the start of its first working day [working
/// days] (0 without one).
fn warmup(c: &mut Ctx, raw: &RawScenario, span: &Span) -> f64 {
    match raw.warmup {
        Some(w) => {
            if w < raw.start {
                c.err("warmup", format!("{w} is before start ({})", raw.start));
            } else if w > raw.horizon && raw.horizon >= raw.start {
                c.err(
                    "warmup",
                    format!(
                        "{w} is after the horizon ({}): no case would be left in the waiting statistics",
                        raw.horizon
                    ),
                );
            } else if span.calendar.is_some() && span.day_from(w) >= span.horizon_t {
                // On or before the horizon, but with no working day from it to the horizon (a
                // weekend at the end): the same emptiness, accepted until 0.6.0 with every
                // wait's count 0.
                c.err(
                    "warmup",
                    format!(
                        "{w}: no working day from it to the horizon ({}): no case would be left in the waiting statistics",
                        raw.horizon
                    ),
                );
            }
            span.day_from(w)
        }
        None => 0.0,
    }
}

/// The names that settings refer to, in file order.
struct Names<'a> {
    types: Vec<&'a str>,
    teams: Vec<&'a str>,
}

/// Names that must be unique, and how many case types there may be.
fn names(c: &mut Ctx, raw: &RawScenario) {
    c.unique_names("case_types", raw.case_types.iter().map(|t| t.name.as_str()));
    // "all" names the series and metrics of every case type together.
    if let Some(i) = raw.case_types.iter().position(|t| t.name == "all") {
        c.err(
            format!("case_types[{i}].name"),
            "\"all\" is reserved: results use it for all case types together; choose another name",
        );
    }
    c.unique_names("teams", raw.teams.iter().map(|t| t.name.as_str()));
    c.unique_names("arrivals", raw.arrivals.iter().map(|t| t.name.as_str()));
    if let Some(s) = &raw.screening {
        c.unique_names("screening.hits", s.hits.iter().map(|h| h.name.as_str()));
    }
    if raw.case_types.len() > MAX_CASE_TYPES {
        c.err(
            "case_types",
            format!(
                "{} case types; at most {MAX_CASE_TYPES} are accepted",
                raw.case_types.len()
            ),
        );
    }
    if raw.teams.len() > MAX_TEAMS {
        c.err(
            "teams",
            format!(
                "{} teams; at most {MAX_TEAMS} are accepted",
                raw.teams.len()
            ),
        );
    }
}

/// `[assumptions]`: each name (letters, digits, `_` and `-`, so that it can never equal a
/// setting's dotted path, which names an anonymous assumption), its distribution and source.
fn declarations(c: &mut Ctx, raw: &RawScenario, span: &Span) {
    for (name, d) in &raw.assumptions {
        let p = format!("assumptions.{name}");
        let name_ok = !name.is_empty()
            && name.chars().count() <= MAX_LABEL_LEN
            && name
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-');
        if !name_ok {
            c.err(
                &p,
                format!(
                    "{} is not an assumption name: use letters, digits, `_` and `-`, at most {MAX_LABEL_LEN} characters",
                    quoted(name)
                ),
            );
            continue;
        }
        if let Some(src) = &d.source {
            c.text(format!("{p}.source"), src, true);
        }
        let entry = match &d.spec {
            DeclaredSpec::Number(spec) => c.dist(&p, spec, false).map(|dist| (dist, None)),
            DeclaredSpec::Date(spec) => span
                .date_dist(c, &p, spec)
                .map(|dist| (dist, Some(spec.bounds()))),
            DeclaredSpec::OnDate(day) => {
                Some((Dist::fixed(span.end_on_axis(*day)), Some((*day, *day))))
            }
        };
        if let Some((dist, dates)) = entry {
            c.declared.insert(
                name.clone(),
                Declared {
                    dist,
                    source: d.source.clone(),
                    dates,
                },
            );
        }
    }
}

/// `[[teams]]`: hours, productivity and headcount entries (dates, sources, ramp-up); and the
/// source units that lend people, in order of first mention.
fn teams(c: &mut Ctx, raw: &RawScenario, span: &Span) -> (Vec<Team>, Vec<String>) {
    let day_from = |d: Date| span.day_from(d);
    let end_of = |d: Date| span.end_of(d);
    let in_window = |c: &mut Ctx, path: &str, d: Date| span.in_window(c, path, d);
    let mut sources: Vec<String> = Vec::new();
    let mut teams = Vec::new();
    let hours_rule = Rule {
        ok: &|v: f64| v.is_finite() && v > 0.0 && v <= 24.0,
        text: "must be more than 0 and at most 24 hours",
    };
    let prod_rule = Rule {
        ok: &|v: f64| v.is_finite() && v > 0.0 && v <= 100.0,
        text: "must be more than 0 and at most 100",
    };
    let ramp_days_rule = Rule {
        ok: &|v: f64| v.is_finite() && (0.0..=10_000.0).contains(&v),
        text: "must be between 0 and 10000 working days",
    };
    let ramp_start_rule = Rule {
        ok: &|v: f64| v > 0.0 && v <= 1.0,
        text: "must be more than 0 and at most 1",
    };
    for (ti, t) in raw.teams.iter().enumerate() {
        let p = format!("teams[{ti}]");
        let np = format!("teams.{}", t.name);
        let hours = c.uncertain(
            &t.hours_per_day,
            &format!("{p}.hours_per_day"),
            Some(&format!("{np}.hours_per_day")),
            &hours_rule,
        );
        let team_prod = match &t.productivity {
            None => Some(Param::fixed(1.0)),
            Some(u) => c.uncertain(
                u,
                &format!("{p}.productivity"),
                Some(&format!("{np}.productivity")),
                &prod_rule,
            ),
        };
        if t.headcount.is_empty() {
            c.err(
                format!("{p}.headcount"),
                "no headcount entries: the team has nobody in it",
            );
        }
        // Each entry is within the limit, but a team's people in service are counted in 32
        // bits: 4,295 entries of a million wrapped round to a team of nobody.
        let total: u64 = t.headcount.iter().map(|h| u64::from(h.count)).sum();
        if total > u64::from(MAX_HEADCOUNT) && t.headcount.iter().all(|h| h.count <= MAX_HEADCOUNT)
        {
            c.err(
                format!("{p}.headcount"),
                format!(
                    "the entries add up to {} people (counted whether or not their dates overlap), more than the limit of {} in one team (larger than any police force: a typo?)",
                    thousands(total),
                    thousands(u64::from(MAX_HEADCOUNT))
                ),
            );
        }
        // A name tells an entry apart (in an assumption's name, a --vary path): two entries of
        // one name were accepted when neither had an uncertain setting.
        c.unique_given_names(
            &format!("{p}.headcount"),
            t.headcount.iter().map(|h| h.name.as_deref()),
        );
        let mut staff = Vec::new();
        for (hi, h) in t.headcount.iter().enumerate() {
            let hp = format!("{p}.headcount[{hi}]");
            let hn = h.name.as_ref().map(|n| format!("{np}.headcount.{n}"));
            let hn = |field: &str| hn.as_ref().map(|n| format!("{n}.{field}"));
            if h.count > MAX_HEADCOUNT {
                c.err(
                    format!("{hp}.count"),
                    format!(
                        "{} is more than the limit of {} people in one entry (larger than any police force: a typo?)",
                        h.count,
                        thousands(u64::from(MAX_HEADCOUNT))
                    ),
                );
            }
            if let (Some(f), Some(to)) = (h.from, h.to)
                && to < f
            {
                c.err(format!("{hp}.to"), format!("{to} is before from ({f})"));
            }
            // The end as a duration instead of a date: `for` (calendar) or `working_days`.
            let given: Vec<&str> = [
                h.to.map(|_| "to"),
                h.for_.as_ref().map(|_| "for"),
                h.working_days.map(|_| "working_days"),
            ]
            .into_iter()
            .flatten()
            .collect();
            if given.len() > 1 {
                c.err(
                    format!("{hp}.{}", given[1]),
                    format!(
                        "{} both say when the entry ends: give one of to, for and working_days",
                        given.join(" and ")
                    ),
                );
            }
            let first = h.from.unwrap_or(raw.start);
            let for_end = h.for_.as_ref().and_then(|text| {
                let duration = crate::calendar::Duration::parse(text);
                let end = duration.and_then(|d| d.last_day_from(first));
                // A whole number and a unit, but none the calendar takes: 0 is no time, and a
                // number past 32 bits would end after any date ("99999999999 years" was told to
                // write "a whole number and a unit", which it was).
                let shape = text.split_whitespace().collect::<Vec<_>>();
                let whole_and_unit = match shape.as_slice() {
                    [n, unit] if n.bytes().all(|b| b.is_ascii_digit()) => {
                        crate::calendar::Duration::parse(&format!("1 {unit}"))
                            .map(|_| n.trim_start_matches('0').is_empty())
                    }
                    _ => None,
                };
                if duration.is_none() && whole_and_unit == Some(true) {
                    c.err(
                        format!("{hp}.for"),
                        format!(
                            "{} is no time: the entry would never work (at least 1)",
                            quoted(text)
                        ),
                    );
                } else if duration.is_none() && whole_and_unit == Some(false) {
                    c.err(
                        format!("{hp}.for"),
                        format!(
                            "{} from {first} ends after the year 9999, the last date a scenario can hold",
                            quoted(text)
                        ),
                    );
                } else if duration.is_none() {
                    c.err(
                        format!("{hp}.for"),
                        format!(
                            "{} is not a duration: write {}",
                            quoted(text),
                            crate::calendar::Duration::FORM
                        ),
                    );
                } else if end.is_none() {
                    // A duration, but one whose end no date can hold ("9999 years").
                    c.err(
                        format!("{hp}.for"),
                        format!(
                            "{} from {first} ends after the year 9999, the last date a scenario can hold",
                            quoted(text)
                        ),
                    );
                }
                end
            });
            if h.working_days == Some(0) {
                c.err(
                    format!("{hp}.working_days"),
                    "0 working days: the entry would never work (at least 1)",
                );
            }
            if let Some(f) = h.from {
                in_window(c, &format!("{hp}.from"), f);
            }
            if let Some(to) = h.to
                && to < raw.start
            {
                c.err(
                    format!("{hp}.to"),
                    format!("{to} is before the scenario start ({})", raw.start),
                );
            }
            let prod = match &h.productivity {
                None => team_prod,
                Some(u) => c.uncertain(
                    u,
                    &format!("{hp}.productivity"),
                    hn("productivity").as_deref(),
                    &prod_rule,
                ),
            };
            let ramp_days = match &h.ramp_up_days {
                None => Some(Param::fixed(0.0)),
                Some(u) => c.uncertain(
                    u,
                    &format!("{hp}.ramp_up_days"),
                    hn("ramp_up_days").as_deref(),
                    &ramp_days_rule,
                ),
            };
            let ramp_start = match &h.ramp_up_start {
                None => Some(Param::fixed(0.5)),
                Some(u) => c.uncertain(
                    u,
                    &format!("{hp}.ramp_up_start"),
                    hn("ramp_up_start").as_deref(),
                    &ramp_start_rule,
                ),
            };
            if h.ramp_up_start.is_some() && h.ramp_up_days.is_none() {
                c.err(
                    format!("{hp}.ramp_up_start"),
                    "has no effect without ramp_up_days",
                );
            }
            let source = h.source.as_ref().map(|s| {
                if s.trim().is_empty() {
                    c.err(format!("{hp}.source"), "source is empty");
                } else {
                    c.label(format!("{hp}.source"), s);
                }
                match sources.iter().position(|x| x == s) {
                    Some(i) => i,
                    None => {
                        sources.push(s.clone());
                        sources.len() - 1
                    }
                }
            });
            let (Some(hours), Some(prod), Some(ramp_days), Some(ramp_start)) =
                (hours, prod, ramp_days, ramp_start)
            else {
                continue;
            };
            staff.push(StaffGroup {
                count: h.count,
                from: h.from.map(day_from).unwrap_or(0.0),
                to: match (h.to.or(for_end), h.working_days) {
                    (Some(to), _) => end_of(to),
                    (None, Some(n)) => day_from(first) + f64::from(n),
                    (None, None) => f64::INFINITY,
                },
                source,
                hours,
                productivity: prod,
                ramp_up_days: ramp_days,
                // Without a ramp-up, full productivity from the first day.
                ramp_up_start: if h.ramp_up_days.is_some() {
                    ramp_start
                } else {
                    Param::fixed(1.0)
                },
            });
        }
        teams.push(Team {
            name: t.name.clone(),
            hours_per_day: hours.unwrap_or(Param::fixed(f64::NAN)),
            policy: t.on_reduction,
            staff,
        });
    }
    (teams, sources)
}

/// `[[case_types]]`: effort and delay, teams (each resolved, each team used by some type),
/// priority and routing; and, as written, that each type can be worked on some day.
fn case_types(
    c: &mut Ctx,
    raw: &RawScenario,
    span: &Span,
    names: &Names<'_>,
    teams: &[Team],
    strictness: Strictness,
) -> Vec<CaseType> {
    let horizon_t = span.horizon_t;
    let (type_names, team_names) = (&names.types, &names.teams);
    let calendar = &span.calendar;
    let mut case_types = Vec::new();
    let mut team_used = vec![false; raw.teams.len()];
    // A misspelt team name is reported once, not again as "this team can work nothing".
    let mut unresolved_team = false;
    for (ci, ct) in raw.case_types.iter().enumerate() {
        let p = format!("case_types[{ci}]");
        let effort = ct
            .effort
            .as_ref()
            .and_then(|e| c.dist(&format!("{p}.effort"), e, true));
        let delay = ct
            .delay
            .as_ref()
            .and_then(|d| c.dist(&format!("{p}.delay"), d, true));
        let mut tlist = Vec::new();
        let mut seen = HashSet::new();
        for (k, tn) in ct.teams.iter().enumerate() {
            let found = resolve(c, &format!("{p}.teams[{k}]"), "team", tn, team_names);
            unresolved_team |= found.is_none();
            if let Some(i) = found {
                if !seen.insert(i) {
                    c.err(
                        format!("{p}.teams[{k}]"),
                        format!("team {} is listed twice", quoted(tn)),
                    );
                }
                team_used[i] = true;
                tlist.push(i);
            }
        }
        if ct.effort.is_some() && ct.teams.is_empty() {
            c.err(
                format!("{p}.teams"),
                format!(
                    "case type {} needs effort but no team may work it: list at least one team",
                    quoted(&ct.name)
                ),
            );
        }
        if ct.effort.is_none() && !ct.teams.is_empty() {
            c.err(
                format!("{p}.teams"),
                "a case type without effort needs no staff: give it an effort or remove teams",
            );
        }
        // routing
        let mut outcomes = Vec::new();
        let n_share = ct.routing.iter().filter(|o| o.share.is_some()).count();
        let n_count = ct.routing.iter().filter(|o| o.count.is_some()).count();
        let mut shares = Shares::Fixed(Vec::new());
        if !ct.routing.is_empty() {
            if n_share > 0 && n_count > 0 || n_share + n_count != ct.routing.len() {
                // Group the outcomes by what they give: "[0] has a share, [1] has a count".
                let kind = |o: &RawOutcome| match (o.share.is_some(), o.count.is_some()) {
                    (true, false) => "a share",
                    (false, true) => "a count",
                    (true, true) => "both",
                    (false, false) => "neither",
                };
                let mut kinds: Vec<String> = Vec::new();
                for what in ["a share", "a count", "both", "neither"] {
                    let list: Vec<String> = (ct.routing.iter().enumerate())
                        .filter(|(_, o)| kind(o) == what)
                        .map(|(i, _)| format!("[{i}]"))
                        .collect();
                    if !list.is_empty() {
                        let verb = if list.len() == 1 { "has" } else { "have" };
                        kinds.push(format!("{} {verb} {what}", list.join(", ")));
                    }
                }
                c.err(
                    format!("{p}.routing"),
                    format!(
                        "outcome {}: give every outcome a share, or every outcome a count",
                        kinds.join(", ")
                    ),
                );
            }
            // Names given tell outcomes apart (in messages, replications.csv's columns): an
            // empty one, or two alike, were accepted with plain shares.
            c.unique_given_names(
                &format!("{p}.routing"),
                ct.routing.iter().map(|o| o.name.as_deref()),
            );
            for (oi, o) in ct.routing.iter().enumerate() {
                if o.share.is_some() && o.count.is_some() {
                    c.err(
                        format!("{p}.routing[{oi}]"),
                        "has both share and count: give one",
                    );
                }
                if let Some(super::assume::Uncertain::Value(s)) = o.share {
                    c.prob(&format!("{p}.routing[{oi}].share"), s);
                }
                let mut to = Vec::new();
                for (k, tn) in o.to.iter().enumerate() {
                    if let Some(i) = resolve(
                        c,
                        &format!("{p}.routing[{oi}].to[{k}]"),
                        "case type",
                        tn,
                        type_names,
                    ) {
                        to.push(i);
                    }
                }
                outcomes.push(Outcome {
                    name: o.name.clone().unwrap_or_else(|| {
                        if o.to.is_empty() {
                            "close".to_string()
                        } else {
                            o.to.join(" + ")
                        }
                    }),
                    to,
                });
            }
            let uncertain: Vec<usize> = (ct.routing.iter().enumerate())
                .filter(|(_, o)| matches!(&o.share, Some(x) if x.value().is_none()))
                .map(|(i, _)| i)
                .collect();
            let np = format!("case_types.{}.routing", ct.name);
            let mut outcome_names: Vec<&str> = outcomes.iter().map(|o| o.name.as_str()).collect();
            outcome_names.sort_unstable();
            // (Two names given alike are reported above, once.)
            let mut given: Vec<&str> = ct
                .routing
                .iter()
                .filter_map(|o| o.name.as_deref())
                .collect();
            given.sort_unstable();
            let repeated = outcome_names
                .windows(2)
                .find(|w| w[0] == w[1])
                .map(|w| w[0])
                .filter(|_| given.windows(2).all(|w| w[0] != w[1]));
            if n_share == ct.routing.len() && !uncertain.is_empty() {
                // One uncertain share; the others keep their ratios and share what it leaves.
                if uncertain.len() > 1 {
                    c.err(
                        format!("{p}.routing[{}].share", uncertain[1]),
                        format!(
                            "at most one share of a routing may be uncertain (outcome [{}] already is): the others are rescaled to fill what it leaves",
                            uncertain[0]
                        ),
                    );
                } else if ct.routing.len() < 2 {
                    c.err(
                        format!("{p}.routing[0].share"),
                        "the only outcome of a routing has share 1: it cannot be uncertain",
                    );
                } else if let Some(r) = repeated {
                    c.err(
                        format!("{p}.routing"),
                        format!(
                            "two outcomes are both called {}: an uncertain share is named after its outcome, so give them different names",
                            quoted(r)
                        ),
                    );
                } else {
                    let which = uncertain[0];
                    let weights: Vec<f64> = (ct.routing.iter())
                        .map(|o| o.share.as_ref().and_then(|x| x.value()).unwrap_or(0.0))
                        .collect();
                    let rest: f64 = weights.iter().sum();
                    if !(rest > 0.0 && rest < 1.0 + SHARE_SUM_TOLERANCE) {
                        c.err(
                            format!("{p}.routing"),
                            format!(
                                "the fixed shares sum to {}: with one uncertain share they must sum to more than 0 and at most 1 (they keep their ratios and share what the uncertain one leaves)",
                                short(rest)
                            ),
                        );
                    }
                    let share = ct.routing[which].share.as_ref().and_then(|raw| {
                        c.uncertain(
                            raw,
                            &format!("{p}.routing[{which}].share"),
                            Some(&format!("{np}.{}.share", outcomes[which].name)),
                            &Rule {
                                ok: &|v: f64| (0.0..=1.0).contains(&v),
                                text: "must be a probability (between 0 and 1)",
                            },
                        )
                    });
                    if ct.routing_prior.is_some() {
                        c.err(
                            format!("{p}.routing_prior"),
                            "applies only when outcomes are given as counts",
                        );
                    }
                    if let Some(share) = share {
                        shares = Shares::OneUncertain {
                            weights,
                            which,
                            share,
                        };
                    }
                }
            } else if n_share == ct.routing.len() {
                let v: Vec<f64> = (ct.routing.iter())
                    .map(|o| o.share.as_ref().and_then(|x| x.value()).unwrap_or(0.0))
                    .collect();
                let sum: f64 = v.iter().sum();
                if !((sum - 1.0).abs() <= SHARE_SUM_TOLERANCE) {
                    let terms: Vec<String> = v.iter().map(|x| x.to_string()).collect();
                    c.err(
                        format!("{p}.routing"),
                        format!(
                            "outcome shares {} sum to {}, not 1 (tolerance {SHARE_SUM_TOLERANCE:e})",
                            terms.join(" + "),
                            short(sum)
                        ),
                    );
                }
                if ct.routing_prior.is_some() {
                    c.err(
                        format!("{p}.routing_prior"),
                        "applies only when outcomes are given as counts",
                    );
                }
                shares = Shares::Fixed(v);
            } else if n_count == ct.routing.len() {
                let prior = ct.routing_prior.unwrap_or(1.0);
                // (Below about 1e-300 the smallest draws' logarithms overflow and the shares
                // could not be told apart: 1e-100 is far below any prior worth writing.)
                if !(prior.is_finite() && prior >= 1e-100) {
                    c.err(
                        format!("{p}.routing_prior"),
                        format!("{prior} must be a finite number, at least 1e-100"),
                    );
                } else if prior > MAX_OBSERVED as f64 {
                    // A prior is so many cases seen before: past the limit of counts, the
                    // shares drawn from it were garbage (1e300 gave 5e-324 and 1).
                    c.err(
                        format!("{p}.routing_prior"),
                        format!(
                            "{} cases seen before for each outcome, more than the limit of {} observed cases (a typo?)",
                            shown(prior),
                            thousands(MAX_OBSERVED)
                        ),
                    );
                }
                let alpha: Vec<f64> = (ct.routing.iter())
                    .map(|o| o.count.unwrap_or(0) as f64 + prior)
                    .collect();
                let total: f64 = ct.routing.iter().map(|o| o.count.unwrap_or(0) as f64).sum();
                if total > MAX_OBSERVED as f64 {
                    c.err(
                        format!("{p}.routing"),
                        format!(
                            "the counts sum to {}, more than the limit of {} observed cases (a typo?)",
                            thousands(total as u64),
                            thousands(MAX_OBSERVED)
                        ),
                    );
                } else if let Some(r) = repeated {
                    c.err(
                        format!("{p}.routing"),
                        format!(
                            "two outcomes are both called {}: the shares of a counted routing are drawn by outcome name, so give them different names",
                            quoted(r)
                        ),
                    );
                } else if alpha.len() == 1 {
                    shares = Shares::Fixed(vec![1.0]);
                } else if alpha.iter().all(|a| a.is_finite() && *a > 0.0) {
                    let names: Vec<String> = outcomes.iter().map(|o| o.name.clone()).collect();
                    let a = c.assumptions.push_routing(np.clone(), ci, &alpha, &names);
                    c.assumptions.list[a].uses.push(np.clone());
                    shares = Shares::Dirichlet {
                        alpha,
                        assumption: a,
                    };
                }
            }
        } else if ct.routing_prior.is_some() {
            c.err(
                format!("{p}.routing_prior"),
                "there is no routing to apply it to",
            );
        }
        if ct.priority.unsigned_abs() > 1_000_000 {
            c.err(
                format!("{p}.priority"),
                format!("{} is outside -1000000..=1000000", ct.priority),
            );
        }
        let scale_rule = Rule {
            ok: &|v: f64| v.is_finite() && v > 0.0 && v <= 1000.0,
            text: "must be more than 0 and at most 1000 (a multiplier of every case's draw)",
        };
        let scale =
            |c: &mut Ctx, raw: &Option<super::assume::Uncertain>, of: &str, has: bool| {
                let field = format!("{of}_scale");
                match raw {
                    None => Param::fixed(1.0),
                    Some(_) if !has => {
                        c.err(
                        format!("{p}.{field}"),
                        format!(
                            "there is no {of} to scale: remove {field}, or give the case type {}",
                            if of == "effort" { "an effort" } else { "a delay" }
                        ),
                    );
                        Param::fixed(1.0)
                    }
                    Some(u) => c
                        .uncertain(
                            u,
                            &format!("{p}.{field}"),
                            Some(&format!("case_types.{}.{field}", ct.name)),
                            &scale_rule,
                        )
                        .unwrap_or(Param::fixed(1.0)),
                }
            };
        let effort_scale = scale(c, &ct.effort_scale, "effort", ct.effort.is_some());
        let delay_scale = scale(c, &ct.delay_scale, "delay", ct.delay.is_some());
        case_types.push(CaseType {
            name: ct.name.clone(),
            effort,
            delay,
            effort_scale,
            delay_scale,
            priority: ct.priority,
            teams: tlist,
            routing: Routing { outcomes, shares },
            backlog_target: ct.backlog_target,
        });
    }
    // A case type whose teams never have anyone would wait for ever: every headcount entry of
    // every team it lists is 0. (One team at 0 is fine: a comparison of 0 diverted officers.)
    // The same when the entries with people cover no working day before the horizon (a
    // weekend, a holiday: from = 2024-03-02, to = 2024-03-03).
    let staffed_some_day = |tm: usize| {
        teams.get(tm).is_some_and(|t: &Team| {
            t.staff
                .iter()
                .any(|g| g.count > 0 && g.from < g.to.min(horizon_t))
        })
    };
    // Only with a calendar that stands (a horizon before the start is its own problem).
    let calendar_ok = calendar.is_some()
        && !["start", "horizon", "calendar"]
            .iter()
            .any(|p| c.has_errors_under(p));
    for (i, ct) in case_types.iter().enumerate() {
        // (A team with no headcount entries at all is reported on its own.)
        if strictness != Strictness::AsWritten || ct.effort.is_none() || ct.teams.is_empty() {
            continue;
        }
        let names = || listed(ct.teams.iter().map(|&tm| quoted(&raw.teams[tm].name)));
        let has_entries = |tm: usize| !raw.teams[tm].headcount.is_empty();
        if ct.teams.iter().all(|&tm| {
            let h = &raw.teams[tm].headcount;
            has_entries(tm) && h.iter().all(|h| h.count == 0)
        }) {
            c.err(
                format!("case_types[{i}].teams"),
                format!(
                    "case type {} could never be worked: every headcount of {} is 0",
                    quoted(&ct.name),
                    names()
                ),
            );
        } else if calendar_ok
            && ct.teams.iter().all(|&tm| {
                // A team whose dates were already refused is not reported again here; nor one
                // with an entry left out for a problem reported elsewhere (hours that refer to
                // an assumption whose name is refused): it is not unstaffed.
                has_entries(tm)
                    && teams
                        .get(tm)
                        .is_some_and(|t| t.staff.len() == raw.teams[tm].headcount.len())
                    && !staffed_some_day(tm)
                    && !c.has_errors_under(&format!("teams[{tm}]"))
            })
        {
            c.err(
                format!("case_types[{i}].teams"),
                format!(
                    "case type {} could never be worked: no headcount entry of {} with people in it covers a working day by the horizon (dates on a weekend or holiday?)",
                    quoted(&ct.name),
                    names()
                ),
            );
        }
    }
    for (ti, used) in team_used.iter().enumerate() {
        // A second team of an existing name is reported as a duplicate: names resolve to the
        // first, so it is not also a team that can work nothing.
        let duplicate = raw.teams[..ti].iter().any(|t| t.name == raw.teams[ti].name);
        if !used && !unresolved_team && !duplicate {
            c.err(
                format!("teams[{ti}]"),
                format!(
                    "team {} can work nothing: no case type lists it in its teams",
                    quoted(&raw.teams[ti].name)
                ),
            );
        }
    }
    case_types
}

/// `[screening]`: records, target, pace (given, drawn or observed since a date, with changes and
/// a factor) and hit categories; adds each category's expected hits to `expected_external`
/// [cases per replication, by case type].
fn screening(
    c: &mut Ctx,
    raw: &RawScenario,
    span: &Span,
    names: &Names<'_>,
    expected_external: &mut [f64],
) -> Option<Screening> {
    let day_from = |d: Date| span.day_from(d);
    let in_window = |c: &mut Ctx, path: &str, d: Date| span.in_window(c, path, d);
    let type_names = &names.types;
    raw.screening.as_ref().and_then(|s| {
        let p = "screening";
        let mut ok = true;
        if s.records == 0 {
            c.err("screening.records", "0: a cohort needs at least 1 record (or leave out [screening])");
            ok = false;
        } else if s.records > MAX_RECORDS {
            c.err(
                "screening.records",
                format!(
                    "{} is more than the limit of {} records (more than any workforce: a typo?)",
                    s.records,
                    thousands(MAX_RECORDS)
                ),
            );
            ok = false;
        }
        if ok && s.already_checked > s.records {
            c.err(
                "screening.already_checked",
                format!("{} is more than the {} records in the cohort", s.already_checked, s.records),
            );
            ok = false;
        }
        let th = &s.throughput;
        let rpd = match (&th.records_per_day, th.observed_since) {
            (Some(_), Some(_)) | (None, None) => {
                c.err(
                    "screening.throughput",
                    "give exactly one of records_per_day and observed_since",
                );
                None
            }
            (Some(u), None) => c.uncertain(
                u,
                "screening.throughput.records_per_day",
                Some("screening.throughput.records_per_day"),
                &Rule {
                    ok: &|v: f64| v > 0.0 && v <= super::dist::MAX_VALUE,
                    text: "must be more than 0 records a day (or screening never ends) and at most 1e12 (more is a typo)",
                },
            ),
            (None, Some(since)) => {
                if since >= raw.start {
                    c.err(
                        "screening.throughput.observed_since",
                        format!("{since} is not before start ({})", raw.start),
                    );
                    None
                } else if raw.start.days_since(since) > i64::from(MAX_OBSERVED_YEARS) * 36525 / 100 {
                    c.err(
                        "screening.throughput.observed_since",
                        format!(
                            "{since} is more than {MAX_OBSERVED_YEARS} years before start ({}): the pace is the records already checked over the working days since then, so a date this early makes it tiny (a typo for a recent year?)",
                            raw.start
                        ),
                    );
                    None
                } else {
                    let days = span.pattern.working_days_between(since, raw.start);
                    if days == 0 {
                        c.err("screening.throughput.observed_since", format!("there are no working days between {since} and {}", raw.start));
                        None
                    } else if s.already_checked == 0 {
                        c.err("screening.already_checked", "observed_since needs the records already checked (0 given)");
                        None
                    } else {
                        Some(Param::fixed(s.already_checked as f64 / days as f64))
                    }
                }
            }
        };
        let factor = match &th.factor {
            Some(u) => c.uncertain(
                u,
                "screening.throughput.factor",
                Some("screening.throughput.factor"),
                &Rule {
                    ok: &|v: f64| v > 0.0 && v <= super::dist::MAX_VALUE,
                    text: "must be more than 0 (the pace is multiplied by it, so screening would never end) and at most 1e12 (more is a typo)",
                },
            ),
            None => Some(Param::fixed(1.0)),
        };
        let mut changes = Vec::new();
        let mut prev: Option<Date> = None;
        for (i, ch) in th.changes.iter().enumerate() {
            let cp = format!("screening.throughput.changes[{i}]");
            c.non_negative(&format!("{cp}.records_per_day"), ch.records_per_day);
            if ch.from < raw.start {
                c.err(format!("{cp}.from"), format!("{} is before start ({})", ch.from, raw.start));
            }
            in_window(c, &format!("{cp}.from"), ch.from);
            span.no_working_day_from(c, &format!("{cp}.from"), ch.from, "the change would never apply");
            let day = day_from(ch.from) as u32;
            if let Some(pd) = prev
                && ch.from <= pd
            {
                c.err(format!("{cp}.from"), format!("{} is not after the previous change ({pd}): list changes in date order", ch.from));
            } else if let Some(pd) = prev
                && f64::from(day) < span.horizon_t
                && !c.has_errors_under(&format!("{cp}.from"))
                && changes.last().is_some_and(|&(d, _)| d == day)
            {
                // A change takes effect on the first working day on or after its date: one on a
                // Saturday and the next on the Sunday both start on the Monday, and the first
                // never applied.
                c.err(
                    format!("{cp}.from"),
                    format!(
                        "{} starts on the same working day as the previous change ({pd}), so that one would never apply: each change starts on the first working day on or after its date",
                        ch.from
                    ),
                );
            }
            prev = Some(ch.from);
            changes.push((day, ch.records_per_day));
        }
        if let Some(last) = th.changes.last()
            && last.records_per_day == 0.0
        {
            c.err(
                format!("screening.throughput.changes[{}].records_per_day", th.changes.len() - 1),
                "0 in the last change: records not checked by then never would be; to pause screening, add a later change that resumes it",
            );
        }
        if let Some(t) = s.target {
            if t < raw.start {
                c.err("screening.target", format!("{t} is before start ({})", raw.start));
            }
            // Past the horizon, whether screening is done by the target is not known for the
            // runs that are not done by the horizon: the share "by the target" read 0 %.
            in_window(c, "screening.target", t);
        }
        let mut hits = Vec::new();
        for (hi, h) in s.hits.iter().enumerate() {
            let hp = format!("{p}.hits[{hi}]");
            let ct = resolve(c, &format!("{hp}.case_type"), "case type", &h.case_type, type_names);
            let np = format!("screening.hits.{}.rate", h.name);
            let rate = match &h.rate {
                RawRate::Probability(x) => c.uncertain(
                    x,
                    &format!("{hp}.rate"),
                    Some(&np),
                    &Rule {
                        ok: &|v: f64| (0.0..=1.0).contains(&v),
                        text: "is not a probability (must be between 0 and 1)",
                    },
                ),
                RawRate::Observed(o) => {
                    let mut good = true;
                    if o.of == 0 {
                        c.err(format!("{hp}.rate.of"), "the sample size must be at least 1");
                        good = false;
                    } else if o.of > MAX_OBSERVED {
                        c.err(
                            format!("{hp}.rate.of"),
                            format!("{} is more than the limit of {} records in a sample (larger than any workforce: a typo?)", o.of, thousands(MAX_OBSERVED)),
                        );
                        good = false;
                    }
                    if o.observed > o.of {
                        c.err(
                            format!("{hp}.rate.observed"),
                            format!("{} is larger than the sample it came from ({})", o.observed, o.of),
                        );
                        good = false;
                    }
                    // `None` for a prior of the wrong length (reported here).
                    let prior = match o.prior.as_deref() {
                        None => Some((1.0, 1.0)),
                        Some(&[a, b]) => Some((a, b)),
                        Some(other) => {
                            c.err(
                                format!("{hp}.rate.prior"),
                                format!(
                                    "{} number{}: a Beta prior is two, [a, b] (e.g. [1, 1])",
                                    other.len(),
                                    if other.len() == 1 { "" } else { "s" }
                                ),
                            );
                            None
                        }
                    };
                    let (a, b) = prior.unwrap_or((1.0, 1.0));
                    if prior.is_none() {
                        good = false;
                    } else if !(a.is_finite() && a > 0.0 && b.is_finite() && b > 0.0) {
                        c.err(format!("{hp}.rate.prior"), format!("[{a}, {b}]: both Beta prior parameters must be finite and greater than 0"));
                        good = false;
                    } else if a + b > MAX_OBSERVED as f64 {
                        // [a, b] is a + b records seen before: past the limit of counts, the
                        // rate drawn was garbage ([1e300, 1e300] gave 5e-324).
                        c.err(
                            format!("{hp}.rate.prior"),
                            format!(
                                "[{}, {}]: a prior is worth a + b records seen before, more than the limit of {} observed records (a typo?)",
                                shown(a),
                                shown(b),
                                thousands(MAX_OBSERVED)
                            ),
                        );
                        good = false;
                    }
                    good.then(|| {
                        let law = super::assume::Law::Beta {
                            a: a + o.observed as f64,
                            b: b + (o.of - o.observed) as f64,
                        };
                        let i = c.assumptions.push_scalar(
                            np.clone(),
                            false,
                            Some(format!(
                                "observed {} of {}: Beta({a}, {b}) prior",
                                thousands(o.observed),
                                thousands(o.of)
                            )),
                            law,
                        );
                        c.assumptions.list[i].uses.push(np.clone());
                        let x = &c.assumptions.list[i];
                        Param { central: x.central, slot: Some(x.slots.start as u32) }
                    })
                }
            };
            if let (Some(ct), Some(rate)) = (ct, rate) {
                hits.push(HitCategory { name: h.name.clone(), case_type: ct, rate });
            }
        }
        let remaining = s.records.saturating_sub(s.already_checked) as f64;
        for h in &hits {
            expected_external[h.case_type] += remaining * h.rate.central;
        }
        // Each more than 0, but their product 0 in floating point (1e-300 and 1e-300): a
        // pace of nothing, accepted until 0.6.0, and a screening that never ended.
        if let (Some(r), Some(f)) = (&rpd, &factor)
            && r.central > 0.0
            && f.central > 0.0
            && !(r.central * f.central >= f64::MIN_POSITIVE)
        {
            c.err(
                "screening.throughput.factor",
                format!(
                    "{} times records_per_day = {} is a pace too small for a number to hold (0): screening would never end",
                    short(f.central),
                    short(r.central)
                ),
            );
            return None;
        }
        if ok && let (Some(rpd), Some(factor)) = (rpd, factor) {
            return Some(Screening {
                records: s.records,
                already_checked: s.already_checked,
                records_per_day: rpd,
                factor,
                changes,
                hits,
                target: s.target,
                observed_since: th.observed_since,
            });
        }
        None
    })
}

/// `[[arrivals]]`: case type, process, rate, dates and conversion; adds each stream's expected
/// cases to `expected_external` [cases per replication, by case type].
fn arrivals(
    c: &mut Ctx,
    raw: &RawScenario,
    span: &Span,
    names: &Names<'_>,
    expected_external: &mut [f64],
) -> Vec<ArrivalStream> {
    let horizon_t = span.horizon_t;
    let day_from = |d: Date| span.day_from(d);
    let in_window = |c: &mut Ctx, path: &str, d: Date| span.in_window(c, path, d);
    let type_names = &names.types;
    let mut arrivals = Vec::new();
    for (ai, a) in raw.arrivals.iter().enumerate() {
        let p = format!("arrivals[{ai}]");
        let ct = resolve(
            c,
            &format!("{p}.case_type"),
            "case type",
            &a.case_type,
            type_names,
        );
        let np = format!("arrivals.{}", a.name);
        let rate = c.uncertain(
            &a.rate_per_day,
            &format!("{p}.rate_per_day"),
            Some(&format!("{np}.rate_per_day")),
            &Rule {
                ok: &|v: f64| v.is_finite() && v >= 0.0,
                text: "must be a finite number, 0 or more",
            },
        );
        let conv = match &a.conversion {
            None => Some(Param::fixed(1.0)),
            Some(u) => c.uncertain(
                u,
                &format!("{p}.conversion"),
                Some(&format!("{np}.conversion")),
                &Rule {
                    ok: &|v: f64| (0.0..=1.0).contains(&v),
                    text: "is not a probability (must be between 0 and 1)",
                },
            ),
        };
        // Every end it can take must be on or after `from` and the start.
        let mut earliest = vec![(raw.start, format!("the scenario start ({})", raw.start))];
        if let Some(f) = a.from {
            earliest.insert(0, (f, format!("from ({f})")));
        }
        let to = match &a.to {
            None => Some(Param::fixed(horizon_t)),
            Some(u) => arrival_end(
                c,
                span,
                u,
                &format!("{p}.to"),
                &format!("{np}.to"),
                &earliest,
            ),
        };
        if let Some(f) = a.from {
            in_window(c, &format!("{p}.from"), f);
        }
        let from = a.from.map(day_from).unwrap_or(0.0);
        let to_central = to.map_or(horizon_t, |t| t.central.min(horizon_t));
        let rate_central = rate.map_or(0.0, |r| r.central);
        let expected = rate_central * (to_central - from).max(0.0);
        // (An infinite product is past the limit too: skipped, it was reported at the case
        // type, line and field of neither, as "inf cases".)
        if !(expected <= MAX_EXPECTED_CASES_PER_REPLICATION) && rate_central.is_finite() {
            c.err(
                format!("{p}.rate_per_day"),
                format!("{} a day over {} working days is {expected:.3e} arrivals per replication; the limit is {MAX_EXPECTED_CASES_PER_REPLICATION:.0e} (memory)", short(rate_central), to_central - from),
            );
        }
        if let (Some(ct), Some(rate), Some(conv), Some(to)) = (ct, rate, conv, to) {
            expected_external[ct] += expected * conv.central;
            arrivals.push(ArrivalStream {
                name: a.name.clone(),
                case_type: ct,
                process: a.process,
                rate_per_day: rate,
                from,
                to,
                conversion: conv,
                tracked: a.track.unwrap_or(true),
            });
        }
    }
    arrivals
}

/// An arrival stream's end (`raw`, at `path`) as a time [working days]: a written date as the
/// end of its last working day, capped at the horizon; a distribution of dates or a reference to
/// a declared one as the anonymous assumption `name`, or the declared one, whose value in a
/// replication is drawn. Every date it can take must be on or after each of `earliest` (a date
/// and how a message names it): for a distribution, checked on its earliest date, since the
/// rules only bound it from below. `None` after reporting a problem with a distribution.
fn arrival_end(
    c: &mut Ctx,
    span: &Span,
    raw: &UncertainDate,
    path: &str,
    name: &str,
    earliest: &[(Date, String)],
) -> Option<Param> {
    let too_early = |first: Date, last: Date, said: &str| {
        (earliest.iter())
            .filter(|(e, _)| first < *e)
            .map(|(_, what)| {
                format!("{said} can take dates from {first} to {last}, but every end must be on or after {what}")
            })
            .collect::<Vec<_>>()
    };
    match raw {
        UncertainDate::Date(t) => {
            for (first, what) in earliest {
                if t < first {
                    c.err(path, format!("{t} is before {what}"));
                }
            }
            Some(Param::fixed(span.end_of(*t).min(span.horizon_t)))
        }
        UncertainDate::Dist(d) => {
            if let Some(src) = &d.source {
                c.text(format!("{path}.source"), src, true);
            }
            let dist = span.date_dist(c, path, &d.spec)?;
            let (first, last) = d.spec.bounds();
            let problems = too_early(first, last, "this distribution");
            let ok = problems.is_empty();
            for m in problems {
                c.err(path, m);
            }
            if !ok {
                return None;
            }
            c.anonymous(path, Some(name), dist, d.source.clone(), true)
                .map(|t| capped(t, span.horizon_t))
        }
        UncertainDate::Ref(r) => {
            let n = r.assumption.as_str();
            let declared = c.declared_entry(path, n)?;
            let Some((first, last)) = declared.dates else {
                c.err(
                    path,
                    format!(
                        "assumption {} is a distribution of numbers: an arrival stream's end takes a date, or an assumption of dates such as {{ dist = \"triangular\", min = 2023-07-06, mode = 2023-10-06, max = 2024-04-05 }}",
                        quoted(n)
                    ),
                );
                return None;
            };
            let problems = too_early(first, last, &format!("assumption {}", quoted(n)));
            let ok = problems.is_empty();
            for m in problems {
                c.err(path, m);
            }
            if !ok {
                return None;
            }
            Some(capped(
                c.declared_param(path, Some(name), n, declared),
                span.horizon_t,
            ))
        }
    }
}

/// An end that can take one value only is capped at the horizon as a written date is; an
/// uncertain one keeps its median (what the results report) and is capped when drawn.
fn capped(t: Param, horizon_t: f64) -> Param {
    if t.is_uncertain() {
        t
    } else {
        Param::fixed(t.central.min(horizon_t))
    }
}

/// `[[backlogs]]`: case type, count and date; adds each backlog to `expected_external` [cases per
/// replication, by case type].
fn backlogs(
    c: &mut Ctx,
    raw: &RawScenario,
    span: &Span,
    names: &Names<'_>,
    expected_external: &mut [f64],
) -> Vec<Backlog> {
    let day_from = |d: Date| span.day_from(d);
    let in_window = |c: &mut Ctx, path: &str, d: Date| span.in_window(c, path, d);
    let type_names = &names.types;
    let mut backlogs = Vec::new();
    for (bi, b) in raw.backlogs.iter().enumerate() {
        let p = format!("backlogs[{bi}]");
        if let Some(name) = &b.name {
            c.label(format!("{p}.name"), name);
        }
        let ct = resolve(
            c,
            &format!("{p}.case_type"),
            "case type",
            &b.case_type,
            type_names,
        );
        if let Some(at) = b.at {
            if at < raw.start {
                c.err(
                    format!("{p}.at"),
                    format!(
                        "{at} is before start ({}): cases open at the start need no date",
                        raw.start
                    ),
                );
            }
            in_window(c, &format!("{p}.at"), at);
            // Every run ended censored: the cases never opened.
            span.no_working_day_from(c, &format!("{p}.at"), at, "the cases would never open");
        }
        let limit_text = format!(
            "must be a whole number of cases, 0 or more, at most the limit of {MAX_EXPECTED_CASES_PER_REPLICATION:.0e} cases per replication (memory)"
        );
        // A written count must be whole; an uncertain one is rounded to the nearest whole number.
        let whole = matches!(b.count, super::assume::Uncertain::Value(_));
        let count = c
            .uncertain(
                &b.count,
                &format!("{p}.count"),
                b.name
                    .as_ref()
                    .map(|n| format!("backlogs.{n}.count"))
                    .as_deref(),
                &Rule {
                    ok: &|v: f64| {
                        (if whole {
                            v >= 0.0 && v.fract() == 0.0
                        } else {
                            v > -0.5
                        }) && v.round() <= MAX_EXPECTED_CASES_PER_REPLICATION
                    },
                    text: &limit_text,
                },
            )
            .map(|mut x| {
                x.central = x.central.round();
                x
            });
        if let (Some(ct), Some(count)) = (ct, count) {
            expected_external[ct] += count.central;
            backlogs.push(Backlog {
                name: b
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("backlog {bi}: {}", b.case_type)),
                case_type: ct,
                count,
                at: b.at.map(day_from).unwrap_or(0.0),
                tracked: b.track.unwrap_or(true),
            });
        }
    }
    backlogs
}

/// The daily counts must fit: every working day of every case type (and their total) has its
/// cells in `daily.csv` and in memory. Checked only when nothing else is wrong.
fn daily_cells(c: &mut Ctx, raw: &RawScenario, span: &Span) {
    let horizon_t = span.horizon_t;
    // has its histogram, and a block of replications' counts is held per thread before it is
    // added (1,000 case types over 100 years took 13.5 GB for one replication)
    let cells = horizon_t * (raw.case_types.len() as f64 + 1.0);
    if cells > MAX_DAILY_CELLS && c.errors.is_empty() {
        c.err(
            "horizon",
            format!(
                "{} working days to the horizon for {} case types and their total make {} daily counts; the limit is {} (memory, and the size of daily.csv): a nearer horizon or fewer case types",
                thousands(horizon_t as u64),
                raw.case_types.len(),
                thousands(cells as u64),
                thousands(MAX_DAILY_CELLS as u64)
            ),
        );
    }
}

/// Routing must end (no cycle that makes at least one case for each it closes), and the run must
/// fit: the expected cases of one replication [cases] from `expected_external` (the cases that
/// come from outside, by type) through the routing. Checked only when nothing else is wrong.
fn expected_cases(
    c: &mut Ctx,
    raw: &RawScenario,
    case_types: &[CaseType],
    expected_external: &[f64],
) -> f64 {
    let mut expected_cases = 0.0;
    if c.errors.is_empty() {
        match expected_case_counts(case_types, expected_external) {
            Ok(per_type) => {
                expected_cases = per_type.iter().sum();
                if expected_cases > MAX_EXPECTED_CASES_PER_REPLICATION {
                    // Named at the type with the most cases: at its routing when most of them
                    // come from other cases' outcomes (a share close to 1 back into a loop).
                    let (most, n) = per_type
                        .iter()
                        .enumerate()
                        .fold((0, 0.0), |b, (i, &n)| if n > b.1 { (i, n) } else { b });
                    let routed = n > 2.0 * expected_external.get(most).copied().unwrap_or(0.0);
                    let feeds = |i: usize| {
                        case_types[i]
                            .routing
                            .outcomes
                            .iter()
                            .any(|o| o.to.contains(&most))
                    };
                    // Its own routing when it feeds itself (the loop), else the first feeder.
                    let feeder = if feeds(most) {
                        Some(most)
                    } else {
                        (0..case_types.len()).find(|&i| feeds(i))
                    };
                    let path = match feeder {
                        Some(f) if routed => format!("case_types[{f}].routing"),
                        _ => format!("case_types[{most}]"),
                    };
                    c.err(
                        path,
                        format!(
                            "one replication is expected to open {expected_cases:.3e} cases, {n:.3e} of them {}{}; the limit is {MAX_EXPECTED_CASES_PER_REPLICATION:.0e} (memory)",
                            quoted(&case_types[most].name),
                            if routed { ", opened by routing" } else { "" }
                        ),
                    );
                } else if let Some(why) = run_too_big(
                    raw.replications,
                    expected_cases,
                    raw.case_types.len(),
                    raw.screening.as_ref().map_or(0, |s| s.hits.len()),
                ) {
                    c.err("replications", why);
                }
            }
            Err(cycle) => {
                let names = cycle.iter().map(|&i| quoted(&case_types[i].name));
                let names = if cycle.len() <= 20 {
                    names.collect::<Vec<_>>().join(" → ")
                } else {
                    format!("{} (of {} case types)", listed(names), cycle.len())
                };
                let first = cycle.first().copied().unwrap_or(0);
                c.err(
                    format!("case_types[{first}].routing"),
                    format!(
                        "routing can go on for ever: the cycle through {names} creates on average at least one new case for every case it closes, so the cases would never all close"
                    ),
                );
            }
        }
    }
    expected_cases
}

/// The experiment grid: paths, values and the number of variants are checked where the variants
/// are built (`compare::build_variants`, run by `vetsim compare` and `vetsim validate`); here,
/// that there is something to vary.
fn experiment(c: &mut Ctx, raw: &RawScenario) -> Vec<(String, Vec<String>, Option<String>)> {
    let mut experiment = Vec::new();
    if let Some(e) = &raw.experiment {
        if e.vary.is_empty() {
            c.err(
                "experiment.vary",
                "nothing to vary: give at least one { path, values }",
            );
        }
        for (i, v) in e.vary.iter().enumerate() {
            if v.path.trim().is_empty() {
                c.err(format!("experiment.vary[{i}].path"), "empty path");
            }
            if v.values.is_empty() {
                c.err(format!("experiment.vary[{i}].values"), "no values");
            }
            if let Some(l) = &v.label {
                c.label(format!("experiment.vary[{i}].label"), l);
            }
            experiment.push((
                v.path.trim().to_string(),
                v.values.iter().map(|x| x.to_string()).collect(),
                v.label.clone(),
            ));
        }
    }
    experiment
}

/// Names that results turn into column names must give different columns: a team named like
/// another team's headcount entry (`x.headcount[0]`), or a counted routing outcome whose column
/// is another assumption's (case type `a` with outcome `b.delay_scale` beside case type
/// `a.routing.b` with an uncertain `delay_scale`), would make two `replications.csv` columns, or
/// two `summary.csv` groups, of one name, and a reader could not tell them apart.
fn column_names(c: &mut Ctx, raw: &RawScenario, case_types: &[CaseType]) {
    for (i, t) in raw.teams.iter().enumerate() {
        let entry = raw.teams.iter().enumerate().find_map(|(j, u)| {
            (0..u.headcount.len())
                .find(|&k| j != i && period_label(&u.name, k) == t.name)
                .map(|k| (u, k))
        });
        if let Some((u, k)) = entry {
            c.err(
                format!("teams[{i}].name"),
                format!(
                    "{} is how results name headcount entry {k} of team {} (its utilisation in summary.csv and replications.csv): choose another name",
                    quoted(&t.name),
                    quoted(&u.name)
                ),
            );
        }
    }
    if c.has_errors_under("case_types") || case_types.len() != raw.case_types.len() {
        return;
    }
    let columns = assumption_columns(&c.assumptions.list, case_types);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (n, (column, origin)) in columns.iter().enumerate() {
        let Some(&first) = seen.get(column.as_str()) else {
            seen.insert(column, n);
            continue;
        };
        // One of the two is a routing outcome (scalar assumptions' names cannot meet).
        let Some((ct, o)) = origin.or(columns[first].1) else {
            continue;
        };
        c.err(
            format!("case_types[{ct}].routing[{o}].name"),
            format!(
                "the outcome's share is shown as column assumption__{column} of replications.csv, which another assumption's values have too: rename the outcome or the case type"
            ),
        );
    }
}

pub(super) fn validate(
    raw: RawScenario,
    text: &str,
    file: &str,
    strictness: Strictness,
) -> Result<Scenario, Vec<FieldError>> {
    let mut ctx = Ctx::default();
    let c = &mut ctx;
    // Section by section, in file order; each collects its problems in `c` and returns its part
    // of the scenario (those after a broken part still check what they can).
    identity(c, &raw);
    let span = Span::new(c, &raw);
    let warmup = warmup(c, &raw, &span);
    names(c, &raw);
    declarations(c, &raw, &span);
    let names = Names {
        types: raw.case_types.iter().map(|t| t.name.as_str()).collect(),
        teams: raw.teams.iter().map(|t| t.name.as_str()).collect(),
    };
    let (teams, sources) = teams(c, &raw, &span);
    let case_types = case_types(c, &raw, &span, &names, &teams, strictness);
    // Expected cases per replication from outside, by case type: screening, streams, backlogs.
    let mut expected_external = vec![0.0f64; raw.case_types.len()];
    let screening = screening(c, &raw, &span, &names, &mut expected_external);
    let arrivals = arrivals(c, &raw, &span, &names, &mut expected_external);
    let backlogs = backlogs(c, &raw, &span, &names, &mut expected_external);
    // A scenario with no source of work ran, and its summary spoke of "every stream and backlog"
    // being untracked when it had none.
    if raw.screening.is_none() && raw.arrivals.is_empty() && raw.backlogs.is_empty() {
        c.err(
            "arrivals",
            "nothing to simulate: the scenario has no [screening], [[arrivals]] or [[backlogs]]; give at least one",
        );
    }
    // Whole-scenario checks, once the parts stand.
    daily_cells(c, &raw, &span);
    let expected_cases = expected_cases(c, &raw, &case_types, &expected_external);
    let experiment = experiment(c, &raw);
    column_names(c, &raw, &case_types);

    if !ctx.errors.is_empty() {
        return Err(ctx.errors);
    }
    let Some(calendar) = span.calendar else {
        return Err(vec![FieldError::new("calendar", "no calendar")]);
    };
    let hash = super::hash_text(text);
    Ok(Scenario {
        name: raw.name,
        description: raw.description,
        file: file.to_string(),
        hash,
        start: raw.start,
        horizon: raw.horizon,
        calendar,
        replications: raw.replications,
        seed: raw.seed,
        warmup,
        assumptions: std::mem::take(&mut ctx.assumptions),
        screening,
        case_types,
        teams,
        arrivals,
        backlogs,
        sources,
        expected_cases,
        experiment,
    })
}

/// Most (working day, case type) cells of daily counts a scenario may have: working days to
/// the horizon times (case types + 1). met-2023 has about 11,000.
pub const MAX_DAILY_CELLS: f64 = 1_000_000.0;

/// Most memory the per-replication records of one run may take [bytes] (8 GiB).
pub const MAX_RECORD_BYTES: f64 = 8.0 * 1024.0 * 1024.0 * 1024.0;

/// Memory one replication's record takes at the peak of a run [bytes], erring high: a fixed part
/// and about 140 bytes per case type (its counts, sums and P90s, and the growth slack and working
/// copies of the vectors that hold and summarise them). Measured with GNU time at 100,000
/// replications: about 0.7 KiB for 2 case types (this gives 670 bytes), 1.2 KiB for 11 (1.9 KiB).
pub fn record_bytes(n_types: usize, n_categories: usize) -> f64 {
    // Each hit category adds its drawn rate to the record and a column to replications.csv.
    250.0 + 140.0 * (n_types as f64 + 1.0) + 24.0 * n_categories as f64
}

/// Why `replications` replications of a scenario with `n_types` case types and `n_categories`
/// hit categories, expected to open `expected_cases` cases each, would be too long a run or need
/// too much memory, if they would.
pub(super) fn run_too_big(
    replications: u64,
    expected_cases: f64,
    n_types: usize,
    n_categories: usize,
) -> Option<String> {
    let total = expected_cases * replications as f64;
    let bytes = record_bytes(n_types, n_categories) * replications as f64;
    if total > MAX_EXPECTED_CASES_PER_RUN {
        Some(format!(
            "{replications} replications of {expected_cases:.0} expected cases is {total:.3e} cases; the limit is {MAX_EXPECTED_CASES_PER_RUN:.0e} (hours of computing): use fewer replications"
        ))
    } else if bytes > MAX_RECORD_BYTES {
        let categories = if n_categories > 0 {
            format!(" and {n_categories} hit categories")
        } else {
            String::new()
        };
        Some(format!(
            "{replications} replications would need about {:.1} GiB for their records (one per replication, about {:.0} bytes each with {n_types} case types{categories}); the limit is {:.0} GiB (memory): use fewer replications",
            bytes / 1024f64.powi(3),
            record_bytes(n_types, n_categories),
            MAX_RECORD_BYTES / 1024f64.powi(3)
        ))
    } else {
        None
    }
}

/// Expected cases opened per replication for each case type, counting follow-on cases:
/// x = e + Mᵀx, where M[i][j] is the mean number of type-j cases opened when a type-i case closes.
/// The branching process dies out (every case eventually closes) exactly when the spectral radius
/// of M is below 1, which for a non-negative M holds iff I − Mᵀ is invertible with a non-negative
/// inverse (M-matrix theory; Berman & Plemmons 1994, ch. 6). On failure returns the case types on
/// a cycle of the routing graph.
fn expected_case_counts(types: &[CaseType], external: &[f64]) -> Result<Vec<f64>, Vec<usize>> {
    let n = types.len();
    let mut m = vec![vec![0.0; n]; n];
    for (i, t) in types.iter().enumerate() {
        let shares = t.routing.shares.means();
        for (o, s) in t.routing.outcomes.iter().zip(shares) {
            for &j in &o.to {
                m[i][j] += s;
            }
        }
    }
    // Solve (I − Mᵀ) x = e by Gauss–Jordan with partial pivoting, and also invert to check the sign.
    let mut a = vec![vec![0.0; 2 * n]; n];
    for i in 0..n {
        for j in 0..n {
            a[i][j] = if i == j { 1.0 } else { 0.0 } - m[j][i];
        }
        a[i][n + i] = 1.0;
    }
    let singular = || cycle_members(&m);
    for col in 0..n {
        let piv = (col..n)
            .max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))
            .unwrap_or(col);
        if a[piv][col].abs() < 1e-12 {
            return Err(singular());
        }
        a.swap(col, piv);
        let d = a[col][col];
        for v in a[col].iter_mut() {
            *v /= d;
        }
        for r in 0..n {
            if r != col && a[r][col] != 0.0 {
                let f = a[r][col];
                let (src, dst) = if r < col {
                    let (lo, hi) = a.split_at_mut(col);
                    (&hi[0], &mut lo[r])
                } else {
                    let (lo, hi) = a.split_at_mut(r);
                    (&lo[col], &mut hi[0])
                };
                for (x, y) in dst.iter_mut().zip(src.iter()) {
                    *x -= f * y;
                }
            }
        }
    }
    let inv_ok = a.iter().all(|row| {
        row[n..]
            .iter()
            .all(|v| v.is_finite() && *v > -1e-9 && *v < 1e12)
    });
    if !inv_ok {
        return Err(singular());
    }
    Ok((0..n)
        .map(|i| (0..n).map(|j| a[i][n + j] * external[j]).sum())
        .collect())
}

/// Case types that lie on a cycle of the routing graph (edges with positive mean), in index order.
fn cycle_members(m: &[Vec<f64>]) -> Vec<usize> {
    let n = m.len();
    // reach[i][j]: j reachable from i in one or more steps (Floyd–Warshall closure; n is small).
    let mut reach: Vec<Vec<bool>> = m
        .iter()
        .map(|r| r.iter().map(|v| *v > 0.0).collect())
        .collect();
    for k in 0..n {
        let row_k = reach[k].clone();
        for row in reach.iter_mut() {
            if row[k] {
                for (r, &via) in row.iter_mut().zip(&row_k) {
                    *r |= via;
                }
            }
        }
    }
    let on_cycle: Vec<usize> = (0..n).filter(|&i| reach[i][i]).collect();
    on_cycle
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_in_the_wrong_case_gets_a_suggestion() {
        let text = SMALL.replace("teams = [\"team\"]", "teams = [\"TEAM\"]");
        assert_ne!(text, SMALL);
        let e = crate::scenario::Scenario::from_toml_str(&text, "s.toml").unwrap_err();
        assert!(e.to_string().contains("did you mean \"team\""), "{e}");
    }

    #[test]
    fn runs_that_would_not_fit_in_memory_are_refused() {
        // 11 case types: about 1,930 bytes a replication; 8 GiB holds about 4.4 million.
        assert!(run_too_big(4_000_000, 10.0, 11, 2).is_none());
        let why = run_too_big(5_000_000, 10.0, 11, 2).unwrap();
        assert!(
            why.contains("GiB") && why.contains("the limit is 8 GiB (memory)"),
            "{why}"
        );
        // The case limit still comes first.
        let why = run_too_big(10_000_000, 1e5, 1, 0).unwrap();
        assert!(why.contains("hours of computing"), "{why}");
        // Hit categories count: 5,000 of them make a record of about 120 KB, and 100,000
        // replications need more than 8 GiB.
        assert!(run_too_big(100_000, 10.0, 2, 0).is_none());
        let why = run_too_big(100_000, 10.0, 2, 5_000).unwrap();
        assert!(
            why.contains("with 2 case types and 5000 hit categories"),
            "{why}"
        );
    }

    const SMALL: &str = r#"
name = "small"
start = 2024-01-01
horizon = 2024-12-31
[[case_types]]
name = "work"
effort = 5
teams = ["team"]
[[teams]]
name = "team"
hours_per_day = 6
headcount = [{ count = 2, from = 2024-02-01 }]
[[backlogs]]
case_type = "work"
count = 10
"#;

    /// A headcount entry's end given as a duration is the end its date would give: `for` counts
    /// calendar time and ends the day before the same date that long after, `working_days`
    /// counts working days from the first on or after `from`. Two ends, a bad duration or 0
    /// working days are refused, naming the field.
    #[test]
    fn an_entry_may_end_after_a_duration() {
        let to_of = |entry: &str| {
            let s = Scenario::from_toml_str(
                &SMALL.replacen("{ count = 2, from = 2024-02-01 }", entry, 1),
                "t.toml",
            )
            .unwrap_or_else(|e| panic!("{e}"));
            s.teams[0].staff[0].to
        };
        // 1 Feb 2024 + 3 months = 1 May: to 30 April inclusive.
        assert_eq!(
            to_of("{ count = 2, from = 2024-02-01, for = \"3 months\" }"),
            to_of("{ count = 2, from = 2024-02-01, to = 2024-04-30 }")
        );
        assert_eq!(
            to_of("{ count = 2, from = 2024-02-01, for = \"2 weeks\" }"),
            to_of("{ count = 2, from = 2024-02-01, to = 2024-02-14 }")
        );
        // 10 working days from Thursday 1 Feb (no holidays in this calendar's February): to
        // Wednesday 14 Feb. From a Saturday, counting starts on the Monday.
        assert_eq!(
            to_of("{ count = 2, from = 2024-02-01, working_days = 10 }"),
            to_of("{ count = 2, from = 2024-02-01, to = 2024-02-14 }")
        );
        assert_eq!(
            to_of("{ count = 2, from = 2024-02-03, working_days = 5 }"),
            to_of("{ count = 2, from = 2024-02-03, to = 2024-02-09 }")
        );
        // Without from: from the start.
        assert_eq!(
            to_of("{ count = 2, for = \"1 month\" }"),
            to_of("{ count = 2, to = 2024-01-31 }")
        );
        assert_eq!(
            problems(
                "{ count = 2, from = 2024-02-01 }",
                "{ count = 2, from = 2024-02-01, to = 2024-03-01, for = \"1 month\" }"
            ),
            [
                "teams[0].headcount[0].for: to and for both say when the entry ends: give one of to, for and working_days"
            ]
        );
        assert_eq!(
            problems(
                "{ count = 2, from = 2024-02-01 }",
                "{ count = 2, from = 2024-02-01, for = \"6 moons\" }"
            ),
            [
                "teams[0].headcount[0].for: \"6 moons\" is not a duration: write a whole number and a unit, e.g. \"6 months\", \"13 weeks\", \"90 days\" or \"1 year\""
            ]
        );
        // A whole number and a unit that no entry can last: said so, not "write a whole number
        // and a unit".
        assert_eq!(
            problems(
                "{ count = 2, from = 2024-02-01 }",
                "{ count = 2, from = 2024-02-01, for = \"0 months\" }"
            ),
            [
                "teams[0].headcount[0].for: \"0 months\" is no time: the entry would never work (at least 1)"
            ]
        );
        for long in ["99999999999 years", "18446744073709551616 days"] {
            assert_eq!(
                problems(
                    "{ count = 2, from = 2024-02-01 }",
                    &format!("{{ count = 2, from = 2024-02-01, for = \"{long}\" }}")
                ),
                [format!(
                    "teams[0].headcount[0].for: \"{long}\" from 2024-02-01 ends after the year 9999, the last date a scenario can hold"
                )]
            );
        }
        assert_eq!(
            problems(
                "{ count = 2, from = 2024-02-01 }",
                "{ count = 2, from = 2024-02-01, working_days = 0 }"
            ),
            [
                "teams[0].headcount[0].working_days: 0 working days: the entry would never work (at least 1)"
            ]
        );
    }

    /// The problems found in SMALL with `old` replaced by `new`, as "path: message" lines.
    fn problems(old: &str, new: &str) -> Vec<String> {
        assert!(SMALL.contains(old), "{old}");
        problems_of(&SMALL.replacen(old, new, 1))
    }

    /// The problems found in `text`, as "path: message" lines.
    fn problems_of(text: &str) -> Vec<String> {
        rule_errors(text)
            .iter()
            .map(|e| format!("{}: {}", e.path, e.message))
            .collect()
    }

    /// The rule violations of a scenario that parses (none when it is valid).
    fn rule_errors(text: &str) -> Vec<FieldError> {
        match Scenario::from_toml_str(text, "t.toml") {
            Ok(_) => Vec::new(),
            Err(ScenarioError::Invalid { errors, .. }) => errors,
            Err(e) => panic!("{e}"),
        }
    }

    /// Bad assumptions are refused with the field and the rule: an empty or inverted range, a
    /// range outside the setting's rules, an unknown name, an uncertain value on an entry with no
    /// name, two uncertain shares in one routing, a bad declared name.
    #[test]
    fn bad_assumptions_name_the_field_and_the_rule() {
        let hours = |v: &str| problems("hours_per_day = 6", &format!("hours_per_day = {v}"));
        assert_eq!(
            hours("{ dist = \"uniform\", min = 7, max = 5 }"),
            ["teams[0].hours_per_day: min = 7 is greater than max = 5"]
        );
        assert_eq!(
            hours("{ dist = \"triangular\", min = 4, mode = 6, max = 30 }"),
            [
                "teams[0].hours_per_day: this distribution can draw from 4 to 30, but every value must be more than 0 and at most 24 hours"
            ]
        );
        assert_eq!(
            hours("{ assumption = \"hour\" }"),
            ["teams[0].hours_per_day: no assumption named \"hour\" ([assumptions] declares none)"]
        );
        let declared = SMALL.replacen(
            "[[case_types]]",
            "[assumptions]\nhours = { dist = \"uniform\", min = 20, max = 30 }\n\"bad name\" = 1\n[[case_types]]",
            1,
        );
        assert_eq!(
            problems_of(&declared.replace(
                "hours_per_day = 6",
                "hours_per_day = { assumption = \"hour\" }"
            )),
            [
                "assumptions.bad name: \"bad name\" is not an assumption name: use letters, digits, `_` and `-`, at most 64 characters",
                "teams[0].hours_per_day: no assumption named \"hour\"; [assumptions] declares \"hours\""
            ]
        );
        assert_eq!(
            problems_of(
                &declared
                    .replace(
                        "hours_per_day = 6",
                        "hours_per_day = { assumption = \"hours\" }"
                    )
                    .replace("\"bad name\" = 1\n", "")
            ),
            [
                "teams[0].hours_per_day: assumption \"hours\" can take values from 20 to 30, but every value here must be more than 0 and at most 24 hours"
            ]
        );
        // A headcount entry or backlog needs a name to carry an uncertain value.
        assert_eq!(
            problems(
                "{ count = 2, from = 2024-02-01 }",
                "{ count = 2, from = 2024-02-01, ramp_up_days = { dist = \"uniform\", min = 10, max = 30 } }"
            ),
            [
                "teams[0].headcount[0].ramp_up_days: an uncertain value is an assumption named after its entry: give the entry a `name` (or declare the assumption in [assumptions] and refer to it with { assumption = \"NAME\" })"
            ]
        );
        assert!(problems(
            "{ count = 2, from = 2024-02-01 }",
            "{ name = \"wave 1\", count = 2, from = 2024-02-01, ramp_up_days = { dist = \"uniform\", min = 10, max = 30 } }"
        )
        .is_empty());
        assert_eq!(
            problems("count = 10", "count = 10.5"),
            [
                "backlogs[0].count: 10.5 must be a whole number of cases, 0 or more, at most the limit of 2e7 cases per replication (memory)"
            ]
        );
        // Two uncertain shares; a share that can leave [0, 1].
        let routed = |a: &str, b: &str| {
            problems(
                "teams = [\"team\"]",
                &format!(
                    "teams = [\"team\"]\nrouting = [{{ name = \"x\", share = {a} }}, {{ name = \"y\", share = {b} }}]"
                ),
            )
        };
        let u = "{ dist = \"uniform\", min = 0.2, max = 0.4 }";
        assert_eq!(
            routed(u, u),
            [
                "case_types[0].routing[1].share: at most one share of a routing may be uncertain (outcome [0] already is): the others are rescaled to fill what it leaves"
            ]
        );
        assert_eq!(
            routed("{ dist = \"uniform\", min = 0.5, max = 1.5 }", "0.5"),
            [
                "case_types[0].routing[0].share: this distribution can draw from 0.5 to 1.5, but every value must be a probability (between 0 and 1)"
            ]
        );
        assert!(routed(u, "0.7").is_empty());
        // A scale with nothing to scale.
        assert_eq!(
            problems("effort = 5", "effort = 5\ndelay_scale = 2"),
            [
                "case_types[0].delay_scale: there is no delay to scale: remove delay_scale, or give the case type a delay"
            ]
        );
    }

    /// Levers are not assumptions: a distribution on a headcount or a date is refused where it
    /// is written, naming the rule.
    #[test]
    fn levers_cannot_be_uncertain() {
        for (old, new) in [
            (
                "count = 2,",
                "count = { dist = \"uniform\", min = 1, max = 3 },",
            ),
            (
                "from = 2024-02-01",
                "from = { dist = \"uniform\", min = 1, max = 3 }",
            ),
            // A headcount's end is the planner's (unlike an arrival stream's).
            (
                "from = 2024-02-01",
                "from = 2024-02-01, to = { dist = \"uniform\", min = 2024-05-01, max = 2024-06-01 }",
            ),
        ] {
            let text = SMALL.replacen(old, new, 1);
            let e = Scenario::from_toml_str(&text, "t.toml")
                .unwrap_err()
                .to_string();
            assert!(e.contains("t.toml:12:"), "{e}");
            assert!(e.contains("a lever"), "{e}");
        }
    }

    /// Problems are listed in file order, whatever order the rules find them in (team rules run
    /// before case-type rules, but here the team is written last).
    #[test]
    fn problems_are_listed_in_file_order() {
        let text = r#"
name = "small"
start = 2024-01-01
horizon = 2024-12-31
[[case_types]]
name = "work"
effort = -5
teams = ["team"]
[[teams]]
name = "team"
hours_per_day = 30
headcount = [{ count = 2 }]
[[backlogs]]
case_type = "work"
count = 10
"#;
        let errors = rule_errors(text);
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        let lines: Vec<usize> = errors.iter().map(|e| e.line.unwrap()).collect();
        assert_eq!(paths.len(), 2, "{paths:?}");
        assert!(paths[0].starts_with("case_types[0]"), "{paths:?}");
        assert!(paths[1].starts_with("teams[0]"), "{paths:?}");
        assert!(lines[0] < lines[1], "{paths:?} at {lines:?}");
    }

    /// A warm-up with no working day from it to the horizon leaves no case in the waiting
    /// statistics, as one after the horizon does: refused alike.
    #[test]
    fn a_warmup_on_the_last_weekend_is_refused() {
        let weekend = problems(
            "horizon = 2024-12-31",
            "horizon = 2024-12-29\nwarmup = 2024-12-28",
        );
        assert_eq!(
            weekend,
            [
                "warmup: 2024-12-28: no working day from it to the horizon (2024-12-29): no case would be left in the waiting statistics"
            ]
        );
        // The Friday before is a working day: accepted.
        assert!(
            problems(
                "horizon = 2024-12-31",
                "horizon = 2024-12-29\nwarmup = 2024-12-27"
            )
            .is_empty()
        );
    }

    #[test]
    fn numbers_in_messages_are_readable() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(10_000_000), "10,000,000");
        assert_eq!(short(0.7 + 0.2), "0.9");
        assert_eq!(short(1.0 / 3.0), "0.333333333333");
        assert_eq!(short(2.5e14), "250000000000000");
        assert_eq!(short(2.5e20), "2.5e20");
        assert_eq!(short(1.7e308), "1.7e308");
        assert_eq!(short(1e-300), "1e-300");
        assert_eq!(short(0.000_001), "0.000001");
        assert_eq!(short(f64::NAN), "NaN");
    }

    /// A name the file repeats (reported on its own) is listed once among the known names.
    #[test]
    fn known_names_are_listed_once() {
        let text = SMALL
            .replacen("teams = [\"team\"]", "teams = [\"tema\"]", 1)
            .replacen(
                "[[backlogs]]",
                "[[teams]]\nname = \"team\"\nhours_per_day = 6\nheadcount = [{ count = 1 }]\n[[backlogs]]",
                1,
            );
        let errors = rule_errors(&text);
        let unknown = errors
            .iter()
            .find(|e| e.message.contains("unknown team"))
            .map(|e| e.message.as_str())
            .unwrap();
        assert!(unknown.ends_with("known teams: \"team\""), "{unknown}");
    }

    #[test]
    fn one_fault_is_reported_once() {
        assert!(problems("", "").is_empty());
        // A misspelt team is not reported again as a team that can work nothing.
        assert_eq!(
            problems("teams = [\"team\"]", "teams = [\"tema\"]").len(),
            1
        );
        // Two teams of one name are a duplicate, not also a second team that can work nothing.
        assert_eq!(
            problems(
                "[[backlogs]]",
                "[[teams]]\nname = \"team\"\nhours_per_day = 6\nheadcount = [{ count = 1 }]\n[[backlogs]]"
            ),
            ["teams[1].name: \"team\" is already the name of teams[0]"]
        );
        // With the horizon before the start, later dates are not also "after the horizon".
        assert_eq!(
            problems("horizon = 2024-12-31", "horizon = 2023-12-31"),
            ["horizon: 2023-12-31 is before start (2024-01-01)"]
        );
        // No working days is one problem, not also an empty calendar.
        assert_eq!(
            problems(
                "count = 10\n",
                "count = 10\n[calendar]\nworking_days = []\n"
            )
            .len(),
            1
        );
        // A cohort of 0 records is not also smaller than the records already checked.
        assert_eq!(
            problems("[[backlogs]]", "[screening]\nrecords = 0\nalready_checked = 5\nthroughput = { records_per_day = 1 }\n[[backlogs]]").len(),
            1
        );
    }

    /// The case limit names the routing of the loop, not an innocent type feeding it.
    #[test]
    fn the_case_limit_names_the_loop_that_makes_the_cases() {
        let text = SMALL.replacen(
            "teams = [\"team\"]\n",
            "teams = [\"team\"]\nrouting = [{ share = 0.7 }, { share = 0.3, to = [\"again\"] }]\n[[case_types]]\nname = \"again\"\neffort = 1\nteams = [\"team\"]\nrouting = [{ share = 0.0000000001 }, { share = 0.9999999999, to = [\"again\"] }]\n",
            1,
        );
        let p = problems_of(&text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("case_types[1].routing: one replication is expected to open"),
            "{p:?}"
        );
    }

    #[test]
    fn daily_counts_beyond_the_limit_are_refused() {
        // 401 case types over ten years of working days (bank holidays off): about 1.02 million cells.
        let types: String = (0..400)
            .map(|i| format!("[[case_types]]\nname = \"t{i}\"\neffort = 1\nteams = [\"team\"]\n"))
            .collect();
        let text = SMALL
            .replacen("horizon = 2024-12-31", "horizon = 2033-12-31", 1)
            .replacen("[[teams]]", &format!("{types}[[teams]]"), 1);
        let p = problems_of(&text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("horizon: 2,530 working days to the horizon for 401 case types")
                && p[0].contains("the limit is 1,000,000"),
            "{p:?}"
        );
        // A year fewer fits.
        assert!(rule_errors(&text.replacen("2033-12-31", "2032-12-31", 1)).is_empty());
    }

    #[test]
    fn text_that_charts_cannot_show_is_refused_where_it_is() {
        let start = "name = \"small\"\n";
        // A description may have line breaks and tabs, not other controls; it has a length limit.
        assert!(problems(start, "name = \"small\"\ndescription = \"a\\nb\\tc\"\n").is_empty());
        assert_eq!(
            problems(start, "name = \"small\"\ndescription = \"a\\u0007b\"\n"),
            [
                "description: \"a\\u{7}b\" contains U+0007 (a control character: a line break or tab pasted in?), which cannot appear in tables and charts"
            ]
        );
        let long = format!(
            "name = \"small\"\ndescription = \"{}\"\n",
            "x".repeat(10_001)
        );
        assert_eq!(
            problems(start, &long),
            [
                "description: 10,001 characters long: at most 10,000, since it is repeated in every summary"
            ]
        );
        // Source units, outcome and backlog names are checked like the names of sections.
        let p = problems(
            "from = 2024-02-01 }",
            "from = 2024-02-01, source = \"SOC\\u0085\" }",
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].starts_with("teams[0].headcount[0].source:") && p[0].contains("U+0085"));
        let p = problems("count = 10\n", "count = 10\nname = \"old\\uFDD0\"\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].starts_with("backlogs[0].name:") && p[0].contains("noncharacter"));
        let p = problems(
            "teams = [\"team\"]",
            "teams = [\"team\"]\nrouting = [{ name = \"a\\rb\", share = 1.0 }]",
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].starts_with("case_types[0].routing[0].name:"), "{p:?}");
        // Ordinary text outside ASCII is fine.
        assert!(problems("count = 10\n", "count = 10\nname = \"Überprüfung – ✓\"\n").is_empty());
        // Invisible characters and spaces other than the ordinary one are refused in every kind
        // of name and label, and named by their code point (the name shown escaped).
        for (old, new, path, code) in [
            (
                "name = \"work\"",
                "name = \"wo\\u200Brk\"",
                "case_types[0].name",
                "U+200B",
            ),
            (
                "name = \"team\"",
                "name = \"te\\u2066am\"",
                "teams[0].name",
                "U+2066",
            ),
            (
                "from = 2024-02-01 }",
                "from = 2024-02-01, source = \"SO\\u00ADC\" }",
                "teams[0].headcount[0].source",
                "U+00AD",
            ),
            (
                "count = 10\n",
                "count = 10\nname = \"old\\u00A0cases\"\n",
                "backlogs[0].name",
                "U+00A0",
            ),
            (
                "count = 10\n",
                "count = 10\nname = \"old\\U000E0041\"\n",
                "backlogs[0].name",
                "U+E0041",
            ),
            (
                "teams = [\"team\"]",
                "teams = [\"team\"]\nrouting = [{ name = \"a\\uFEFF\", share = 1.0 }]",
                "case_types[0].routing[0].name",
                "U+FEFF",
            ),
        ] {
            let p = problems(old, new);
            assert!(
                p.iter().any(|p| p.starts_with(&format!("{path}: "))
                    && p.contains(&format!("contains {code} "))
                    && p.contains("so names that look the same would differ")),
                "{p:?}"
            );
        }
        let p = problems("name = \"team\"", "name = \"te\\u2066am\"");
        assert!(
            p.iter()
                .any(|p| p.contains("\"te\\u{2066}am\" contains U+2066 (an invisible character")),
            "{p:?}"
        );
        // A description may have them: prose uses soft hyphens, joiners and no-break spaces.
        assert!(
            problems(
                start,
                "name = \"small\"\ndescription = \"a\\u00ADb\\u200Dc\\u00A0d\"\n"
            )
            .is_empty()
        );
    }

    /// Every kind of name may have 64 characters (counted as characters, not bytes), not 65.
    #[test]
    fn names_of_every_kind_are_bounded_in_length() {
        assert_eq!(
            MAX_LABEL_LEN,
            crate::quote::SHOWN_CHARS,
            "a valid name is shown whole"
        );
        for (old, new, path) in [
            ("name = \"work\"", "name = \"NAME\"", "case_types[0].name"),
            ("name = \"team\"", "name = \"NAME\"", "teams[0].name"),
            (
                "from = 2024-02-01 }",
                "from = 2024-02-01, source = \"NAME\" }",
                "teams[0].headcount[0].source",
            ),
            (
                "count = 10\n",
                "count = 10\nname = \"NAME\"\n",
                "backlogs[0].name",
            ),
            (
                "teams = [\"team\"]",
                "teams = [\"team\"]\nrouting = [{ name = \"NAME\", share = 1.0 }]",
                "case_types[0].routing[0].name",
            ),
            (
                "[[backlogs]]",
                "[[arrivals]]\nname = \"NAME\"\ncase_type = \"work\"\nrate_per_day = 1\n[[backlogs]]",
                "arrivals[0].name",
            ),
            (
                "[[backlogs]]",
                "[screening]\nrecords = 10\nthroughput = { records_per_day = 1 }\nhits = [{ name = \"NAME\", case_type = \"work\", rate = 0.1 }]\n[[backlogs]]",
                "screening.hits[0].name",
            ),
        ] {
            // References to a renamed case type or team follow it.
            let text = |name: &str| {
                let t = SMALL.replacen(old, &new.replace("NAME", name), 1);
                match path {
                    "case_types[0].name" => t.replace("\"work\"", &format!("\"{name}\"")),
                    "teams[0].name" => t.replace("[\"team\"]", &format!("[\"{name}\"]")),
                    _ => t,
                }
            };
            assert!(problems_of(&text(&"é".repeat(64))).is_empty(), "{path}");
            assert_eq!(
                problems_of(&text(&"é".repeat(65))),
                [format!(
                    "{path}: 65 characters long: at most 64, since names label tables and charts and are repeated on rows of the results (a longer one is a pasted text, not a name)"
                )],
                "{path}"
            );
        }
        let long = format!("[[case_types]]\nname = \"{}\"\n", "x".repeat(10_000));
        let p = problems_of(&SMALL.replacen("[[teams]]", &format!("{long}[[teams]]"), 1));
        assert!(
            p.iter()
                .any(|p| p.starts_with("case_types[1].name: 10,000 characters long")),
            "{p:?}"
        );
    }

    #[test]
    fn routing_messages_name_the_outcomes_and_the_sum() {
        let p = problems(
            "teams = [\"team\"]",
            "teams = [\"team\"]\nrouting = [{ share = 0.7 }, { share = 0.2 }]",
        );
        assert_eq!(
            p,
            ["case_types[0].routing: outcome shares 0.7 + 0.2 sum to 0.9, not 1 (tolerance 1e-9)"]
        );
        let p = problems(
            "teams = [\"team\"]",
            "teams = [\"team\"]\nrouting = [{ share = 0.7 }, { count = 2 }, { to = [] }, { to = [] }]",
        );
        assert_eq!(
            p,
            [
                "case_types[0].routing: outcome [0] has a share, [1] has a count, [2], [3] have neither: give every outcome a share, or every outcome a count"
            ]
        );
    }

    // ---- the sections of `validate`, each on its own

    fn raw_of(text: &str) -> RawScenario {
        toml::from_str(text).unwrap()
    }

    /// Each holiday set takes its own part of the UK's bank holidays out of the calendar.
    #[test]
    fn each_holiday_set_takes_its_own_days_off() {
        // 2024 has 262 weekdays; England and Wales have 8 bank holidays in it, Scotland 9 and
        // Northern Ireland 10.
        for (set, len, off, worked) in [
            ("england-and-wales", 254, "2024-08-26", "2024-08-05"),
            ("scotland", 253, "2024-08-05", "2024-08-26"),
            ("northern-ireland", 252, "2024-07-12", "2024-12-02"),
            ("none", 262, "2024-12-25", "2024-12-25"),
        ] {
            let text = format!("{SMALL}[calendar]\nholidays = \"{set}\"\n");
            let s = Scenario::from_toml_str(&text, "t.toml").unwrap();
            assert_eq!(s.calendar.len(), len, "{set}");
            let day = |d: &str| s.calendar.day_of_date(Date::parse(d).unwrap());
            assert_eq!(day(off).is_none(), set != "none", "{set} {off}");
            assert!(day(worked).is_some(), "{set} {worked}");
        }
    }

    /// The calendar section: working-day time from dates, and dates past the horizon.
    #[test]
    fn span_converts_dates_to_working_day_time() {
        // Saturday 6 January 2024: day 0 is Monday 8 January.
        let raw = raw_of(&SMALL.replace("start = 2024-01-01", "start = 2024-01-06"));
        let mut c = Ctx::default();
        let span = Span::new(&mut c, &raw);
        assert!(c.errors.is_empty());
        let d = |s: &str| Date::parse(s).unwrap();
        assert_eq!(span.day_from(d("2024-01-06")), 0.0);
        assert_eq!(span.day_from(d("2024-01-08")), 0.0);
        assert_eq!(span.day_from(d("2024-01-09")), 1.0);
        // The end of Friday 12 January is the end of working day 4.
        assert_eq!(span.end_of(d("2024-01-14")), 5.0);
        // Before the first working day there is no day to end.
        assert_eq!(span.end_of(d("2024-01-07")), 0.0);
        let working_days = span.calendar.as_ref().unwrap().len() as f64;
        assert_eq!(span.horizon_t, working_days);
        span.in_window(&mut c, "x", d("2024-12-31"));
        assert!(c.errors.is_empty());
        span.in_window(&mut c, "x", d("2025-01-01"));
        assert_eq!(c.errors.len(), 1);
        assert_eq!(c.errors[0].path, "x");
        // A horizon before the start: no calendar, one problem, and no conversions.
        let raw = raw_of(&SMALL.replace("horizon = 2024-12-31", "horizon = 2023-12-31"));
        let mut c = Ctx::default();
        let span = Span::new(&mut c, &raw);
        assert!(span.calendar.is_none() && span.horizon_t == 0.0);
        assert_eq!(c.errors.len(), 1);
        assert_eq!(span.day_from(d("2024-03-01")), 0.0);
    }

    /// The teams section: source units in order of first mention, each once.
    #[test]
    fn teams_list_their_source_units_in_order_of_first_mention() {
        let raw = raw_of(&SMALL.replace(
            "headcount = [{ count = 2, from = 2024-02-01 }]",
            "headcount = [{ count = 2, source = \"B\" }, { count = 1, source = \"A\" }, \
             { count = 3, source = \"B\" }]",
        ));
        let mut c = Ctx::default();
        let span = Span::new(&mut c, &raw);
        let (teams, sources) = teams(&mut c, &raw, &span);
        assert!(c.errors.is_empty());
        assert_eq!(sources, ["B", "A"]);
        assert_eq!(teams.len(), 1);
        let by_source: Vec<Option<usize>> = teams[0].staff.iter().map(|g| g.source).collect();
        assert_eq!(by_source, [Some(0), Some(1), Some(0)]);
    }

    /// The sources from outside add their expected cases per replication, by case type: a
    /// backlog its count, a fixed-rate stream rate × working days × conversion.
    #[test]
    fn sources_from_outside_add_their_expected_cases() {
        let text = format!(
            "{SMALL}[[arrivals]]\nname = \"calls\"\ncase_type = \"work\"\nprocess = \"fixed\"\n\
             rate_per_day = 2\nfrom = 2024-01-01\nto = 2024-01-31\nconversion = 0.25\n"
        );
        let raw = raw_of(&text);
        let mut c = Ctx::default();
        let span = Span::new(&mut c, &raw);
        let names = Names {
            types: raw.case_types.iter().map(|t| t.name.as_str()).collect(),
            teams: raw.teams.iter().map(|t| t.name.as_str()).collect(),
        };
        let mut external = vec![0.0; 1];
        let backlogs = backlogs(&mut c, &raw, &span, &names, &mut external);
        assert_eq!(external, [10.0]);
        assert_eq!(backlogs.len(), 1);
        let streams = arrivals(&mut c, &raw, &span, &names, &mut external);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(streams.len(), 1);
        // January 2024 has 22 working days (New Year's Day a bank holiday): 2 × 22 × 0.25 = 11.
        assert_eq!(external, [21.0]);
    }

    /// SMALL with a stream `calls` of "work" from the start to `to` (TOML), after `extra`.
    fn with_stream(to: &str, extra: &str) -> String {
        format!(
            "{SMALL}{extra}[[arrivals]]\nname = \"calls\"\ncase_type = \"work\"\nrate_per_day = 2\n\
             from = 2024-01-01\nto = {to}\n"
        )
    }

    fn loaded(text: &str) -> Scenario {
        Scenario::from_toml_str(text, "t.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    /// A written -0.0 is the 0 it means: it showed as "-0.0" in every output that carried it
    /// (the hit rate's column of replications.csv, summary.json).
    #[test]
    fn a_written_minus_zero_is_zero() {
        let text = "name = \"z\"\nstart = 2024-01-01\nhorizon = 2024-12-31\n\
            [screening]\nrecords = 10\nthroughput = { records_per_day = 1 }\n\
            hits = [{ name = \"h\", case_type = \"work\", rate = -0.0 }]\n\
            [[backlogs]]\ncase_type = \"work\"\ncount = 1\n\
            [[case_types]]\nname = \"work\"\neffort = 1\nteams = [\"t\"]\n\
            [[teams]]\nname = \"t\"\nhours_per_day = 6\nheadcount = [{ count = 1 }]\n";
        let s = loaded(text);
        let rate = s.screening.as_ref().unwrap().hits[0].rate;
        assert_eq!(rate.central.to_bits(), 0.0f64.to_bits());
    }

    /// An arrival stream's end may be a distribution of dates: an assumption named by the
    /// stream, whose values are the times of its dates converted as a written end is (the end of
    /// the last working day on or before each), past the horizon too. A written end, or a
    /// distribution that can take one time only, makes no assumption.
    #[test]
    fn an_arrival_stream_may_end_on_an_uncertain_date() {
        let s = loaded(&with_stream("2024-03-28", ""));
        assert!(s.assumptions.is_empty());
        // January 22 working days (New Year's Day off), February 21, March to the 28th 20.
        assert_eq!(s.arrivals[0].to, Param::fixed(63.0));
        let end = |d: &str| {
            s.calendar
                .last_day_on_or_before(Date::parse(d).unwrap())
                .unwrap() as f64
                + 1.0
        };
        assert_eq!(end("2024-03-28"), 63.0);
        // Bounds that give one time (a Saturday and a Sunday: the Friday's end) are a date.
        for to in [
            "{ dist = \"uniform\", min = 2024-03-28, max = 2024-03-28 }",
            "{ dist = \"uniform\", min = 2024-03-30, max = 2024-03-31 }",
            "{ dist = \"triangular\", min = 2024-03-28, mode = 2024-03-28, max = 2024-03-28 }",
        ] {
            let t = loaded(&with_stream(to, ""));
            assert!(t.assumptions.is_empty(), "{to}");
            assert_eq!(t.arrivals[0].to, Param::fixed(63.0), "{to}");
        }
        let t = loaded(&with_stream(
            "{ dist = \"triangular\", min = 2024-03-01, mode = 2024-03-28, max = 2024-06-28, source = \"judgment: the appeal runs to the summer\" }",
            "",
        ));
        assert_eq!(t.epistemic_inputs(), ["arrivals.calls.to"]);
        let a = &t.assumptions.list[0];
        assert!(a.of_dates && !a.declared);
        assert_eq!(a.uses, ["arrivals.calls.to"]);
        assert_eq!(
            a.source.as_deref(),
            Some("judgment: the appeal runs to the summer")
        );
        let (min, mode, max) = (end("2024-03-01"), 63.0, end("2024-06-28"));
        let d = Dist::new(&DistSpec::Triangular { min, mode, max }, false).unwrap();
        assert_eq!(
            (a.low, a.central, a.high),
            (d.quantile(0.1), d.quantile(0.5), d.quantile(0.9))
        );
        assert!(min < a.low && a.low < a.central && a.central < a.high && a.high < max);
        assert_eq!(t.arrivals[0].to.central, a.central);
        assert_eq!(t.arrivals[0].to.slot, Some(0));
        assert_eq!(t.least(&t.arrivals[0].to), d.drawn_range().0);
        // Past the horizon the axis goes on: 2025 to the end of June has 129 weekdays, less New
        // Year's Day, Good Friday, Easter Monday and two May bank holidays.
        let t = loaded(&with_stream(
            "{ dist = \"uniform\", min = 2024-07-01, max = 2025-06-30 }",
            "",
        ));
        let a = &t.assumptions.list[0];
        let width = (a.high - a.low) / 0.8;
        assert!((a.low - 0.1 * width - end("2024-07-01")).abs() < 1e-9);
        let horizon = t.horizon_time();
        assert!((a.low + 0.9 * width - (horizon + 124.0)).abs() < 1e-9);
        // A written end after the horizon is the horizon, as before.
        let t = loaded(&with_stream("2025-03-01", ""));
        assert_eq!(t.arrivals[0].to, Param::fixed(horizon));
        // A declared assumption of dates: one draw for every stream that refers to it.
        let declared = with_stream(
            "{ assumption = \"appeal_ends\" }",
            "[assumptions]\nappeal_ends = { dist = \"uniform\", min = 2024-03-01, max = 2024-06-28, source = \"judgment\" }\n",
        )
        .replace("[[backlogs]]", "[[arrivals]]\nname = \"letters\"\ncase_type = \"work\"\nrate_per_day = 1\nto = { assumption = \"appeal_ends\" }\n[[backlogs]]");
        let t = loaded(&declared);
        assert_eq!(t.epistemic_inputs(), ["appeal_ends"]);
        let a = &t.assumptions.list[0];
        assert!(a.of_dates && a.declared);
        assert_eq!(a.uses, ["arrivals.letters.to", "arrivals.calls.to"]);
        assert_eq!(t.arrivals[0].to.slot, t.arrivals[1].to.slot);
        assert_eq!(
            a.central,
            (end("2024-03-01") + end("2024-06-28")) / 2.0,
            "the median of a uniform"
        );
        // A plain date declared is certain.
        let t = loaded(&with_stream(
            "{ assumption = \"appeal_ends\" }",
            "[assumptions]\nappeal_ends = 2024-03-28\n",
        ));
        assert!(t.assumptions.is_empty());
        assert_eq!(t.arrivals[0].to, Param::fixed(63.0));
    }

    /// A distribution of dates is refused, naming the field and the rule, when its bounds are
    /// out of order, when it can end a stream before its `from` or the start, when it is not
    /// bounded, and when a number takes it (or an end takes a distribution of numbers).
    #[test]
    fn bad_uncertain_ends_name_the_field_and_the_rule() {
        let p = |to: &str, extra: &str| problems_of(&with_stream(to, extra));
        assert_eq!(
            p(
                "{ dist = \"uniform\", min = 2024-06-01, max = 2024-03-01 }",
                ""
            ),
            ["arrivals[0].to: min = 2024-06-01 is after max = 2024-03-01"]
        );
        assert_eq!(
            p(
                "{ dist = \"triangular\", min = 2024-03-01, mode = 2024-07-01, max = 2024-06-01 }",
                ""
            ),
            [
                "arrivals[0].to: needs min <= mode <= max, got min = 2024-03-01, mode = 2024-07-01, max = 2024-06-01"
            ]
        );
        let early = "{ dist = \"uniform\", min = 2023-12-01, max = 2024-06-01 }";
        assert_eq!(
            p(early, ""),
            [
                "arrivals[0].to: this distribution can take dates from 2023-12-01 to 2024-06-01, but every end must be on or after from (2024-01-01)",
                "arrivals[0].to: this distribution can take dates from 2023-12-01 to 2024-06-01, but every end must be on or after the scenario start (2024-01-01)"
            ]
        );
        let late_from = with_stream(
            "{ dist = \"uniform\", min = 2024-03-01, max = 2024-06-01 }",
            "",
        )
        .replace("from = 2024-01-01\nto", "from = 2024-04-01\nto");
        assert_eq!(
            problems_of(&late_from),
            [
                "arrivals[0].to: this distribution can take dates from 2024-03-01 to 2024-06-01, but every end must be on or after from (2024-04-01)"
            ]
        );
        let declared = "[assumptions]\nends = { dist = \"uniform\", min = 2023-12-01, max = 2024-06-01 }\nhours = { dist = \"uniform\", min = 5, max = 6 }\n";
        assert_eq!(
            p("{ assumption = \"ends\" }", declared),
            [
                "arrivals[0].to: assumption \"ends\" can take dates from 2023-12-01 to 2024-06-01, but every end must be on or after from (2024-01-01)",
                "arrivals[0].to: assumption \"ends\" can take dates from 2023-12-01 to 2024-06-01, but every end must be on or after the scenario start (2024-01-01)"
            ]
        );
        assert_eq!(
            p("{ assumption = \"hours\" }", declared),
            [
                "arrivals[0].to: assumption \"hours\" is a distribution of numbers: an arrival stream's end takes a date, or an assumption of dates such as { dist = \"triangular\", min = 2023-07-06, mode = 2023-10-06, max = 2024-04-05 }"
            ]
        );
        assert_eq!(
            problems_of(&with_stream("2024-06-01", declared).replace(
                "hours_per_day = 6",
                "hours_per_day = { assumption = \"ends\" }"
            )),
            [
                "teams[0].hours_per_day: assumption \"ends\" is a distribution of dates (2023-12-01 to 2024-06-01), and this setting takes a number"
            ]
        );
        assert_eq!(
            p(
                "{ dist = \"uniform\", min = 2024-03-01, max = 2024-06-01 }",
                "[assumptions]\nends = { dist = \"uniform\", min = 2024-06-01, max = 2024-03-01 }\n"
            ),
            ["assumptions.ends: min = 2024-06-01 is after max = 2024-03-01"]
        );
        // Read as written: an unbounded distribution, a bound that is not a date, a date-time.
        for (to, says) in [
            (
                "{ dist = \"lognormal\", mean = 2024-03-01, sd = 20 }",
                "arrivals[0].to: \"lognormal\" is not a distribution a date may have: an uncertain date is { dist = \"uniform\", min = DATE, max = DATE } or { dist = \"triangular\", min = DATE, mode = DATE, max = DATE }",
            ),
            (
                "{ dist = \"uniform\", min = 40, max = 2024-06-01 }",
                "arrivals[0].to: min: invalid type: integer `40`, expected a date",
            ),
            (
                "{ dist = \"uniform\", min = 2024-03-01, max = 2024-06-01T12:00:00 }",
                "arrivals[0].to: max: invalid date \"2024-06-01T12:00:00\"",
            ),
            (
                "{ dist = \"uniform\", min = 2024-03-01, max = 2024-06-01, mode = 2024-04-01 }",
                "arrivals[0].to: unknown field `mode`, expected `min` or `max`",
            ),
        ] {
            let e = Scenario::from_toml_str(&with_stream(to, ""), "t.toml")
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("t.toml:") && e.contains(says), "{e}");
        }
        let e = Scenario::from_toml_str(
            &with_stream(
                "2024-06-01",
                "[assumptions]\nends = { dist = \"exponential\", mean = 2024-03-01 }\n",
            ),
            "t.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("assumptions.ends: \"exponential\" is not a distribution a date may have"),
            "{e}"
        );
    }
}
