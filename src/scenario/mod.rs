//! Scenario files: what a planner writes, and the validated [`Scenario`] the engine runs.
//!
//! Two stages (the ripgrep habit): [`raw::RawScenario`] mirrors the TOML and only says what the user
//! wrote; [`Scenario`] is built from it by `validate`, which checks every rule, collects *all* the
//! problems at once (each naming the field path, the value and the rule) and converts dates to
//! working-day time. Once a `Scenario` exists the simulation can trust it: nothing downstream
//! re-checks parameters. This module reads no files itself except in [`Scenario::load`], and never
//! prints.

pub mod assume;
pub mod dist;
mod locate;
#[cfg(test)]
mod proptests;
pub mod raw;
mod schema;
mod validate;

use crate::calendar::{Calendar, Date};
pub use assume::{Assumption, Assumptions, Param, Pin};
pub use dist::{Dist, DistError, DistSpec};
pub use raw::{ArrivalProcess, RawScenario, ReductionPolicy};
pub use schema::{SCHEMA_HINT, json_schema, relocatable};
use std::fmt;
use std::path::Path;

/// The built-in default scenario (the Metropolitan Police, April 2023), embedded so that
/// `vetsim run` works from any directory.
pub const DEFAULT_SCENARIO_TOML: &str = include_str!("../../scenarios/met-2023.toml");
/// The small starter scenario `vetsim init` writes: an example force with every kind of input,
/// each number labelled FACT, ASSUMPTION or LEVER (embedded, so `init` works anywhere).
pub const MINIMAL_STARTER_TOML: &str = include_str!("../../assets/starters/minimal.toml");

/// File name reported for the embedded default scenario.
pub const DEFAULT_SCENARIO_FILE: &str = "scenarios/met-2023.toml";

/// A validated scenario: every rule holds, every name is resolved to an index, every date is
/// converted to working-day time (t = 0 at the start of working day 0; day d spans [d, d + 1)).
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: Option<String>,
    /// Where the scenario came from (a path, or the embedded default's name), for messages and
    /// provenance.
    pub file: String,
    /// SHA-256 of the file's bytes, hex: ties every output to the exact text that produced it.
    pub hash: String,
    pub start: Date,
    pub horizon: Date,
    /// Working days from `start` to `horizon` inclusive; day 0 is the first working day on or after
    /// `start`.
    pub calendar: Calendar,
    pub replications: u64,
    pub seed: u64,
    /// Cases opened before this time are left out of the waiting and time-in-system statistics
    /// (the `warmup` date as the start of its first working day; 0 without one) [working days].
    pub warmup: f64,
    /// Every assumption (named belief drawn once per replication) and the slots they draw.
    pub assumptions: Assumptions,
    pub screening: Option<Screening>,
    pub case_types: Vec<CaseType>,
    pub teams: Vec<Team>,
    pub arrivals: Vec<ArrivalStream>,
    pub backlogs: Vec<Backlog>,
    /// Units that lend people to teams (the `source` of headcount entries), in order of first
    /// mention. Their officer-days are the cost of diversion.
    pub sources: Vec<String>,
    /// Expected cases opened per replication (all sources, follow-on cases included), from the
    /// means of the distributions: used to refuse absurd sizes and to size buffers.
    pub expected_cases: f64,
    /// The `[experiment]` grid for `vetsim compare`: (path, values as TOML text, label), first
    /// slowest.
    pub experiment: Vec<(String, Vec<String>, Option<String>)>,
}

/// SHA-256 of a scenario text, hex: what `summary.json` records as `scenario_hash`.
pub fn hash_text(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Scenario {
    /// What this scenario leaves uncertain about the system itself (its assumptions, each drawn
    /// once per replication), by name. Empty when everything is known, so that all the spread
    /// is chance.
    pub fn epistemic_inputs(&self) -> Vec<String> {
        self.assumptions
            .list
            .iter()
            .map(|a| a.name.clone())
            .collect()
    }

    /// The columns that show the assumptions' values in a replication (`replications.csv`): one
    /// per scalar assumption, named by it; one per outcome of a counted routing,
    /// `<routing>.<outcome>`, its share.
    pub fn assumption_columns(&self) -> Vec<String> {
        assumption_columns(&self.assumptions.list, &self.case_types)
            .into_iter()
            .map(|(column, _)| column)
            .collect()
    }

    /// Why `all_cases_closed` can never come before the horizon, when the scenario rules it out
    /// by construction: a tracked arrival stream that runs to the horizon keeps bringing cases
    /// that count, so a run is censored or "finishes" on the horizon itself (the planner's
    /// "why never?"). The sentence says what to change. `None` when the scenario can finish.
    ///
    /// A stream whose end is uncertain counts only when its *earliest* end reaches the horizon,
    /// since only then is no run able to finish: a distribution that reaches the horizon in some
    /// replications says that the work may go on to the end, which the bands then show.
    pub fn why_never_finished(&self) -> Option<String> {
        let horizon = self.horizon_time();
        let stream = self.arrivals.iter().find(|a| {
            a.tracked
                && a.rate_per_day.central > 0.0
                && a.conversion.central > 0.0
                && self.least(&a.to) >= horizon
        })?;
        Some(format!(
            "arrival stream {:?} is tracked and runs to the horizon ({}), so its cases never stop coming: all_cases_closed can be no earlier than the horizon, and each run is either censored or finishes on the horizon itself, which says nothing about when the work is done. Give the stream an end date ('to'), or set 'track = false' if its cases are ordinary work that the finish date should not wait for",
            stream.name, self.horizon
        ))
    }

    /// The least value `p` can take: its value, or the smallest its assumption can draw
    /// ([`Dist::drawn_range`]).
    pub fn least(&self, p: &Param) -> f64 {
        match p.slot {
            None => p.central,
            Some(i) => self.assumptions.slots[i as usize].law.quantile(dist::U_MIN),
        }
    }

    /// The horizon as a time: the end of the last working day on or before the horizon date
    /// [working days since day 0].
    pub fn horizon_time(&self) -> f64 {
        self.calendar.len() as f64
    }

    /// The case types with a `backlog_target`, in file order: (type index, target \[cases\]).
    /// [`crate::model::RepRecord::back_to_target`] holds one value for each, in this order.
    pub fn backlog_targets(&self) -> Vec<(usize, u64)> {
        self.case_types
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.backlog_target.map(|t| (i, t)))
            .collect()
    }

    /// Parses and validates scenario text. `file` names the source in every message.
    pub fn from_toml_str(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
        Scenario::parse(text, file, validate::Strictness::AsWritten)
    }

    /// [`Scenario::from_toml_str`] for a scenario that `compare` or `solve` varies, and for each
    /// variant they make: staffing that leaves a case type with nobody at all (0 of the only team,
    /// say) is a point worth trying there, or a starting point for the search, and simply never
    /// finishes, so it is not refused.
    pub fn from_toml_str_variant(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
        Scenario::parse(text, file, validate::Strictness::Variant)
    }

    fn parse(
        text: &str,
        file: &str,
        strictness: validate::Strictness,
    ) -> Result<Scenario, ScenarioError> {
        let raw: RawScenario = toml::from_str(text).map_err(|e| parse_error(text, file, &e))?;
        validate::validate(raw, text, file, strictness).map_err(|mut errors| {
            locate::attach_positions(text, &mut errors);
            // In file order, as a reader fixes them; those without a position last. Stable, so
            // problems at one place keep the order the rules found them in.
            errors.sort_by_key(|e| (e.line.is_none(), e.line, e.column));
            ScenarioError::Invalid {
                file: file.to_string(),
                errors,
            }
        })
    }

    /// Reads and validates a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = read_text(path)?;
        Scenario::from_toml_str(&text, &display_name(path))
    }

    /// The built-in default scenario.
    pub fn default_scenario() -> Scenario {
        Scenario::from_toml_str(DEFAULT_SCENARIO_TOML, DEFAULT_SCENARIO_FILE)
            .expect("the embedded default scenario is valid (checked by a test)")
    }

    /// Checks a number of replications given on the command line (which overrides the file's)
    /// against the limit the file's own `replications` is held to. `text` is the scenario's text:
    /// the problem is reported at the file's `replications` (the value the command line
    /// replaced), or at the top of the file when it has none.
    ///
    /// # Errors
    /// [`ScenarioError::Invalid`] naming the limit, when the run would be too long.
    pub fn check_replications(&self, replications: u64, text: &str) -> Result<(), ScenarioError> {
        match validate::run_too_big(
            replications,
            self.expected_cases,
            self.case_types.len(),
            self.screening.as_ref().map_or(0, |s| s.hits.len()),
        ) {
            None => Ok(()),
            Some(why) => {
                let (line, column) = match position_of(text, "replications") {
                    (Some(l), c) => (Some(l), c),
                    (None, _) => (Some(1), Some(1)),
                };
                Err(ScenarioError::Invalid {
                    file: self.file.clone(),
                    errors: vec![FieldError {
                        line,
                        column,
                        ..FieldError::new("replications (--replications)", why)
                    }],
                })
            }
        }
    }

    /// Index of a case type by name.
    pub fn case_type_index(&self, name: &str) -> Option<usize> {
        self.case_types.iter().position(|c| c.name == name)
    }
}

/// The last `key =` written on the line of byte `offset`, before it: `from` for an error in
/// `{ count = 2, from = 2024-02-30 }` at the date. An `=` inside a quoted string does not count
/// (`description = "rate = 5` names `description`). Bare keys only (quoted keys are rare here).
fn key_before(text: &str, offset: usize) -> Option<String> {
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let before = text.get(start..offset)?;
    let mut quote: Option<char> = None;
    let mut eq = None;
    for (i, ch) in before.char_indices() {
        match (quote, ch) {
            (None, '"' | '\'') => quote = Some(ch),
            (Some(q), c) if c == q => quote = None,
            (None, '=') => eq = Some(i),
            _ => {}
        }
    }
    let head = before[..eq?].trim_end();
    let key: String = head
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (!key.is_empty()).then_some(key)
}

/// Nesting past the TOML reader's limit (about 80 levels of dotted keys, 128 of arrays and
/// inline tables), from the toml crate or toml_edit: named in words, and for dotted keys, which
/// come with no position, located at the line whose key has the most dots. `None` for any other
/// error.
fn nesting_error(
    text: &str,
    file: &str,
    message: &str,
    span: Option<std::ops::Range<usize>>,
) -> Option<ScenarioError> {
    if !matches!(
        message.trim(),
        "recursion limit" | "cannot recurse further; max recursion depth met"
    ) {
        return None;
    }
    let span = span
        .filter(|s| s.start < text.len())
        .or_else(|| deepest_key_line(text).map(|at| at..at));
    let (line, column) = span
        .as_ref()
        .map(|s| locate::line_col(text, s.start))
        .unwrap_or((1, 1));
    Some(ScenarioError::Parse {
        file: file.to_string(),
        line,
        column,
        message: "nested too deeply for the TOML reader (tables, arrays or dotted keys many levels inside one another): scenario settings nest only a few levels".into(),
        snippet: span.map(|s| locate::snippet(text, s)).unwrap_or_default(),
    })
}

/// The byte offset of the line whose key (before its `=`, or the whole of a `[table]` header)
/// has the most dots: where a dotted key nested too deeply for the reader is.
fn deepest_key_line(text: &str) -> Option<usize> {
    let mut at = 0;
    let mut best: Option<(usize, usize)> = None;
    for line in text.split_inclusive('\n') {
        let key = line.split('=').next().unwrap_or(line);
        let dots = key.matches('.').count();
        if dots > 0 && best.is_none_or(|(d, _)| dots > d) {
            best = Some((dots, at));
        }
        at += line.len();
    }
    best.map(|(_, at)| at)
}

/// A syntax or type error from the toml crate, located in the file and, where the text is
/// well-formed TOML, named by its field path like every validation error.
fn parse_error(text: &str, file: &str, e: &toml::de::Error) -> ScenarioError {
    // Lines ended by a carriage return alone (classic Mac OS) are one line to TOML: a file that
    // starts with a comment read as "empty", and any other as a puzzling syntax error.
    if text.contains('\r') && !text.contains('\n') {
        return ScenarioError::Parse {
            file: file.to_string(),
            line: 1,
            column: 1,
            message: "its lines end in a carriage return alone (old Mac line endings), which TOML does not take: save it with LF or CRLF line endings".into(),
            snippet: String::new(),
        };
    }
    if text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#')
    }) {
        return ScenarioError::Parse {
            file: file.to_string(),
            line: 1,
            column: 1,
            message: "the file is empty (or only comments): it needs at least `name`, `start` and `horizon` (see scenarios/README.md)".into(),
            snippet: String::new(),
        };
    }
    if let Some(deep) = nesting_error(text, file, e.message(), e.span()) {
        return deep;
    }
    let span = e.span().filter(|s| s.start < text.len());
    let (line, column) = span
        .as_ref()
        .map(|s| locate::line_col(text, s.start))
        .unwrap_or((1, 1));
    // The text under the error's span: the key or value the message is about.
    let written = span
        .as_ref()
        .and_then(|s| text.get(s.clone()))
        .unwrap_or("");
    let mut message = locate::plain_types(&locate::polish_serde_message(e.message()));
    if message == "duplicate key" && !written.is_empty() {
        message = format!(
            "duplicate key `{}`: it is already defined in this table",
            crate::quote::escaped(written)
        );
    }
    // serde gives a field missing from the top level an empty span at the start of the file.
    let path = (span.as_ref())
        .filter(|s| !s.is_empty())
        .and_then(|s| locate::path_at(text, s.start));
    let mut snippet = span
        .clone()
        .map(|s| locate::snippet(text, s))
        .unwrap_or_default();
    // A date or time where it does not belong: the toml crate hands it to serde as a table of
    // its own, so the message said "a table" (or, where a distribution table may stand, that
    // `dist` is missing).
    if let Ok(dt) = written.trim().parse::<toml::value::Datetime>() {
        let kind = if dt.date.is_some() {
            "a date"
        } else {
            "a time"
        };
        if let Some(rest) = message.strip_prefix("invalid type: a table") {
            message = format!("invalid type: {kind}{rest}");
        } else if message.contains("$__toml_private_datetime") {
            // Where a table belongs (`calendar = 2024-01-01`): serde names the datetime's
            // private key as an unknown field.
            message = format!("invalid type: {kind}, expected a table");
        } else if message.starts_with("missing field `dist`") {
            message = format!(
                "invalid type: {kind}, expected a number, a distribution table or {{ assumption = \"NAME\" }}"
            );
        }
    }
    // The seed is any whole number that fits 64 bits: say so, whatever else was written.
    if path.as_deref() == Some("seed")
        && let Some(found) = message
            .strip_prefix("invalid type: ")
            .or_else(|| message.strip_prefix("invalid value: "))
            .and_then(|m| m.split(", expected").next())
    {
        message = format!(
            "{found} is not a seed: the seed must be a whole number from 0 to 18446744073709551615"
        );
    }
    // A distribution where a number must be: levers (headcounts, dates the planner sets) are
    // never uncertain, and other settings may not be either.
    if message.starts_with("invalid type: a table")
        && message
            .split_once(", expected ")
            .is_some_and(|(_, e)| e.contains("number") || e.contains("date"))
        && let Some(p) = &path
    {
        let last = p.rsplit('.').next().unwrap_or(p);
        message = if matches!(
            last,
            "count" | "from" | "to" | "at" | "start" | "horizon" | "target" | "warmup"
        ) && !p.starts_with("backlogs")
        {
            format!(
                "{message}: this setting is a lever (the planner's choice, such as a headcount or a date), so it cannot be uncertain; try several values with `vetsim compare --vary` or `vetsim solve`"
            )
        } else {
            format!(
                "{message}: this setting cannot be uncertain (the settings that can are listed under Assumptions in scenarios/README.md)"
            )
        };
    }
    let message = match path {
        // Escaped: a key in quotes may hold an invisible character (`"\u{200b}x"`).
        Some(p) => format!("{}: {message}", crate::quote::escaped(&p)),
        // A caret under the first line would only mislead.
        None if message.starts_with("missing field") => {
            snippet.clear();
            format!("{message} at the top level")
        }
        // Not well-formed TOML (a date that does not exist, a stray character): the document
        // cannot be walked for the path, but the key written before the error on its line
        // names the field for the reader.
        None => match span.as_ref().and_then(|s| key_before(text, s.start)) {
            Some(key) => format!("`{key}`: {message}"),
            None => message,
        },
    };
    // What a bare value that TOML cannot read usually is.
    let message = if written.starts_with(['\u{201C}', '\u{201D}', '\u{2018}', '\u{2019}']) {
        format!(
            "{message} (these are curly quotes, as a word processor writes them: use straight quotes \")"
        )
    } else if written.trim_end().ends_with('%') {
        format!("{message} (a percentage: write it as a share, 70% as 0.7)")
    } else {
        message
    };
    ScenarioError::Parse {
        file: file.to_string(),
        line,
        column,
        message,
        snippet,
    }
}

/// Why `compare` or `solve` cannot rewrite a scenario that `toml` read: `toml_edit`, which they
/// write variants with, holds whole numbers up to 9,223,372,036,854,775,807 only, and a seed (or
/// a count) may be up to 18,446,744,073,709,551,615. Located like any parse error, at the number.
pub(crate) fn rewrite_error(text: &str, file: &str, e: &toml_edit::TomlError) -> ScenarioError {
    if let Some(deep) = nesting_error(text, file, e.message(), e.span()) {
        return deep;
    }
    let span = e.span().filter(|s| s.start < text.len());
    let (line, column) = span
        .as_ref()
        .map(|s| locate::line_col(text, s.start))
        .unwrap_or((1, 1));
    let written = span
        .as_ref()
        .and_then(|s| text.get(s.clone()))
        .unwrap_or("");
    let message = if e.message().contains("integer number overflowed") {
        format!(
            "{written} is more than 9,223,372,036,854,775,807, the largest whole number that compare and solve can write into a scenario: use a smaller value"
        )
    } else {
        e.message().trim().to_string()
    };
    let message = match span.as_ref().and_then(|s| locate::path_at(text, s.start)) {
        Some(p) => format!("{p}: {message}"),
        None => message,
    };
    ScenarioError::Parse {
        file: file.to_string(),
        line,
        column,
        message,
        snippet: span.map(|s| locate::snippet(text, s)).unwrap_or_default(),
    }
}

/// The cohort of records and how fast it is worked through.
#[derive(Debug, Clone)]
pub struct Screening {
    /// Whole cohort \[records\].
    pub records: u64,
    /// Checked before day 0 \[records\].
    pub already_checked: u64,
    /// Pace at day 0 before `factor` [records/working day].
    pub records_per_day: Param,
    /// Multiplier on the pace \[dimensionless\].
    pub factor: Param,
    /// (first working day, new pace before `factor` [records/working day]), sorted by day.
    pub changes: Vec<(u32, f64)>,
    pub hits: Vec<HitCategory>,
    /// When screening is meant to be finished.
    pub target: Option<Date>,
    /// When the observed progress (`already_checked` by the start) began, if the pace came from it.
    pub observed_since: Option<Date>,
}

impl Screening {
    /// Records still to check from day 0.
    pub fn remaining(&self) -> u64 {
        self.records - self.already_checked
    }
}

/// A category of finding.
#[derive(Debug, Clone)]
pub struct HitCategory {
    pub name: String,
    pub case_type: usize,
    /// The per-record probability of the finding (from an observed count: its Beta posterior,
    /// an assumption).
    pub rate: Param,
}

/// A kind of case.
#[derive(Debug, Clone)]
pub struct CaseType {
    pub name: String,
    /// Work needed [person-hours]; `None` for a stage that needs no staff.
    pub effort: Option<Dist>,
    /// Elapsed time before the case can be worked [working days]; `None` = no delay.
    pub delay: Option<Dist>,
    /// Multiplies every case's effort draw \[dimensionless\].
    pub effort_scale: Param,
    /// Multiplies every case's delay draw \[dimensionless\].
    pub delay_scale: Param,
    /// Smaller is served first.
    pub priority: i32,
    /// Eligible teams (indices), in order of preference.
    pub teams: Vec<usize>,
    pub routing: Routing,
    /// The level of open cases of this type that `back_to_target` is measured against
    /// \[cases\]; `None` = not measured.
    pub backlog_target: Option<u64>,
}

/// What a closed case leads to.
#[derive(Debug, Clone)]
pub struct Routing {
    pub outcomes: Vec<Outcome>,
    pub shares: Shares,
}

/// One outcome of closing a case.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub name: String,
    /// Case types opened (indices; a type may appear more than once).
    pub to: Vec<usize>,
}

/// Outcome probabilities.
#[derive(Debug, Clone, PartialEq)]
pub enum Shares {
    /// Known probabilities, summing to 1.
    Fixed(Vec<f64>),
    /// Dirichlet(alpha) posterior from observed counts: the routing assumption `assumption`
    /// (an index into [`Assumptions::list`]), drawn by stick-breaking.
    Dirichlet { alpha: Vec<f64>, assumption: usize },
    /// One uncertain share (outcome `which`); the others keep the ratios of `weights` (whose
    /// entry `which` is unused) and share what it leaves.
    OneUncertain {
        weights: Vec<f64>,
        which: usize,
        share: Param,
    },
}

impl Shares {
    /// Expected shares (posterior means for Dirichlet; at the uncertain share's median for one
    /// uncertain share), for sizing.
    pub fn means(&self) -> Vec<f64> {
        match self {
            Shares::Fixed(v) => v.clone(),
            Shares::Dirichlet { alpha, .. } => {
                let s: f64 = alpha.iter().sum();
                alpha.iter().map(|x| x / s).collect()
            }
            Shares::OneUncertain {
                weights,
                which,
                share,
            } => one_uncertain(weights, *which, share.central),
        }
    }
}

/// The shares of a routing with one uncertain share `s` at outcome `which`: the others keep the
/// ratios of `weights` and fill 1 − s.
pub fn one_uncertain(weights: &[f64], which: usize, s: f64) -> Vec<f64> {
    let rest: f64 = (weights.iter().enumerate())
        .filter(|(i, _)| *i != which)
        .map(|(_, w)| w)
        .sum();
    (weights.iter().enumerate())
        .map(|(i, w)| {
            if i == which {
                s
            } else if rest > 0.0 {
                w / rest * (1.0 - s)
            } else {
                0.0
            }
        })
        .collect()
}

/// A pool of people: a case starts only while fewer of the team's cases are in service than the
/// team's headcount (people who are leaving but finishing a case count against it).
#[derive(Debug, Clone)]
pub struct Team {
    pub name: String,
    /// Productive hours per person per working day \[hours\].
    pub hours_per_day: Param,
    pub policy: ReductionPolicy,
    pub staff: Vec<StaffGroup>,
}

/// A headcount entry after validation.
#[derive(Debug, Clone)]
pub struct StaffGroup {
    /// \[persons\]
    pub count: u32,
    /// Joins at the start of this working day [working days].
    pub from: f64,
    /// Leaves at this time (the end of its last working day), or infinity [working days].
    pub to: f64,
    /// Index into [`Scenario::sources`].
    pub source: Option<usize>,
    /// Productive hours per person per working day (the team's) \[hours\].
    pub hours: Param,
    /// Output per productive hour relative to an experienced investigator \[dimensionless\].
    pub productivity: Param,
    /// Working days to reach full productivity; 0 = none.
    pub ramp_up_days: Param,
    /// Share of full productivity on joining, in (0, 1] (1 without a ramp-up).
    pub ramp_up_start: Param,
}

impl StaffGroup {
    /// Person-hours of case work done per working day at full productivity (hours × productivity)
    /// with every assumption at its centre [person-hours/working day].
    pub fn central_rate(&self) -> f64 {
        self.hours.central * self.productivity.central
    }
}

/// A stream of arrivals.
#[derive(Debug, Clone)]
pub struct ArrivalStream {
    pub name: String,
    pub case_type: usize,
    pub process: ArrivalProcess,
    /// [arrivals/working day]
    pub rate_per_day: Param,
    /// [working days]
    pub from: f64,
    /// The end, exclusive [working days]: written (capped at the horizon), or an assumption of
    /// dates drawn per replication (whose values may lie past the horizon, where the stream is
    /// capped when it runs).
    pub to: Param,
    /// Probability an arrival opens a case.
    pub conversion: Param,
    pub tracked: bool,
}

/// A batch of cases opened at one moment.
#[derive(Debug, Clone)]
pub struct Backlog {
    pub name: String,
    pub case_type: usize,
    /// Cases (a whole number; an uncertain count is rounded to the nearest).
    pub count: Param,
    /// [working days]
    pub at: f64,
    pub tracked: bool,
}

/// One problem found in a scenario: the field path (`teams[1].headcount[0].to`), what is wrong and,
/// when it can be found in the file, where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub path: String,
    pub message: String,
    /// 1-based line and column of the field (or of the nearest enclosing table that exists).
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl FieldError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            path: path.into(),
            message: message.into(),
            line: None,
            column: None,
        }
    }
}

/// Reads a scenario file as text. A file that is not UTF-8 (TOML must be) is reported at the line
/// and column of its first offending byte: a '£', 'é' or curly quote saved in another encoding by
/// a spreadsheet or an old editor is the usual cause, and the position finds it.
///
/// The path `-` is standard input (`make-scenario | vetsim run -`), named `<stdin>` in messages and
/// outputs; it can be read once.
pub fn read_text(path: &Path) -> Result<String, ScenarioError> {
    use std::io::Read;
    let file = display_name(path);
    let fail = |source: std::io::Error| ScenarioError::Read {
        path: file.clone(),
        source,
    };
    // Read up to a limit, so that a device that never ends (/dev/zero) is refused rather than
    // read until memory runs out. (A pipe is read like a file: a scenario made by a script,
    // `vetsim run <(make-scenario)`.)
    let mut bytes = Vec::new();
    if is_stdin(path) {
        std::io::stdin()
            .lock()
            .take(MAX_SCENARIO_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(fail)?;
    } else {
        if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
            return Err(fail(std::io::Error::other("it is a directory")));
        }
        let f = std::fs::File::open(path).map_err(fail)?;
        f.take(MAX_SCENARIO_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(fail)?;
    }
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(fail(std::io::Error::other(format!(
            "it is larger than {} MiB, far beyond any scenario (the largest distribution allowed, a million values, takes about 20 MiB)",
            MAX_SCENARIO_BYTES >> 20
        ))));
    }
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let bad = e.utf8_error().valid_up_to();
        // Everything before the first bad byte is UTF-8.
        let valid = std::str::from_utf8(&bytes[..bad]).unwrap_or_default();
        let (line, column) = locate::line_col(valid, bad);
        ScenarioError::Parse {
            line,
            column,
            message: format!(
                "byte 0x{:02X} is not UTF-8 text: TOML files must be UTF-8; save the file as UTF-8 (a '£', 'é' or curly quote saved in another encoding is the usual cause)",
                bytes[bad]
            ),
            snippet: String::new(),
            file,
        }
    })
}

/// The name standard input goes by, in messages and in outputs.
pub const STDIN_NAME: &str = "<stdin>";

/// The name outputs give a scenario read from a pipe such as `<(make-scenario)` (`/dev/fd/63`).
pub const PIPE_NAME: &str = "<pipe>";

/// Whether `path` means standard input: `-`, as for most command-line tools.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How messages name a scenario given as `path`: as typed, or [`STDIN_NAME`] for `-`.
pub fn display_name(path: &Path) -> String {
    if is_stdin(path) {
        STDIN_NAME.to_string()
    } else {
        path.display().to_string()
    }
}

/// How outputs name a scenario that messages name `file`: its file name alone (`met-2023.toml`
/// whether it was typed `s/met-2023.toml`, `./s/met-2023.toml` or as an absolute path), so that the
/// same bytes, seed and version give the same outputs wherever the file was; its SHA-256, beside
/// it, identifies it. Standard input stays [`STDIN_NAME`].
pub fn output_name(file: &str) -> String {
    if file == STDIN_NAME {
        return file.to_string();
    }
    // A process substitution (`vetsim run <(make-scenario)`): a pipe with a number for a name.
    if file.starts_with("/dev/fd/") || file.starts_with("/proc/self/fd/") {
        return PIPE_NAME.to_string();
    }
    Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_string())
}

/// Line and column of field `path` (as validation names it) in scenario `text`, or of the nearest
/// enclosing table that exists; `None` when the text does not parse.
pub(crate) fn position_of(text: &str, path: &str) -> (Option<usize>, Option<usize>) {
    let mut e = [FieldError::new(path, "")];
    locate::attach_positions(text, &mut e);
    (e[0].line, e[0].column)
}

/// Largest scenario file read \[bytes\] (64 MiB).
pub const MAX_SCENARIO_BYTES: u64 = 64 << 20;

/// Why a scenario could not be loaded. All variants are bad input (exit code 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// TOML syntax, an unknown or missing field, or a wrong type.
    #[error("{file}:{line}:{column}: {message}{}{snippet}", if snippet.is_empty() { "" } else { "\n" })]
    Parse {
        file: String,
        line: usize,
        column: usize,
        message: String,
        snippet: String,
    },
    /// The file parsed but breaks one or more rules; every problem is listed.
    #[error("{}", display_invalid(file, errors))]
    Invalid {
        file: String,
        errors: Vec<FieldError>,
    },
}

fn display_invalid(file: &str, errors: &[FieldError]) -> String {
    let mut s = format!(
        "{file}: {} problem{} found",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    for e in errors {
        s.push('\n');
        s.push_str(&format!("  {}", FieldDisplay { file, e }));
    }
    s
}

struct FieldDisplay<'a> {
    file: &'a str,
    e: &'a FieldError,
}

impl fmt::Display for FieldDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match (self.e.line, self.e.column) {
            (Some(l), Some(c)) => write!(f, "{}:{}:{}: ", self.file, l, c)?,
            (Some(l), None) => write!(f, "{}:{}: ", self.file, l)?,
            _ => write!(f, "{}: ", self.file)?,
        }
        // Escaped: a name or key may hold an invisible character (`"a\u{200b}"`).
        write!(
            f,
            "{}: {}",
            crate::quote::escaped(&self.e.path),
            self.e.message
        )
    }
}

/// [`Scenario::assumption_columns`], each with the counted routing outcome it comes from
/// (case type, outcome), if any: validation names that outcome when two columns would be one.
pub(crate) fn assumption_columns(
    list: &[Assumption],
    case_types: &[CaseType],
) -> Vec<(String, Option<(usize, usize)>)> {
    let mut out = Vec::new();
    for a in list {
        match &a.kind {
            assume::AssumptionKind::Scalar => out.push((a.name.clone(), None)),
            assume::AssumptionKind::Routing { case_type, .. } => out.extend(
                case_types[*case_type]
                    .routing
                    .outcomes
                    .iter()
                    .enumerate()
                    .map(|(o, outcome)| {
                        (
                            format!("{}.{}", a.name, outcome.name),
                            Some((*case_type, o)),
                        )
                    }),
            ),
        }
    }
    out
}

/// How results name headcount entry `entry` of team `team` (its utilisation metrics' group in
/// `summary.csv` and its columns in `replications.csv`): `<team>.headcount[<entry>]`, the entry
/// as a scenario path names it.
pub fn period_label(team: &str, entry: usize) -> String {
    format!("{team}.headcount[{entry}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_before_a_syntax_error_names_the_field() {
        let text = "start = 2023-02-29\nheadcount = [{ count = 2, from = 2024-02-30 }]\n";
        assert_eq!(key_before(text, 8).as_deref(), Some("start"));
        let at = text.find("2024-02-30").unwrap();
        assert_eq!(key_before(text, at).as_deref(), Some("from"));
        // Nothing written before it on its line: no key.
        assert_eq!(key_before(text, 0), None);
        assert_eq!(key_before("[[teams]]\n", 2), None);
        let open = "description = \"rate = 5 per day\n";
        assert_eq!(
            key_before(open, open.len() - 1).as_deref(),
            Some("description")
        );
        let m = Scenario::from_toml_str(text, "t.toml")
            .unwrap_err()
            .to_string();
        assert!(m.starts_with("t.toml:1:9: `start`: invalid date"), "{m}");
    }

    /// A file saved with carriage returns alone is named as such, not as "empty"; the same
    /// file with LF or CRLF endings reads.
    #[test]
    fn old_mac_line_endings_are_named() {
        let lf = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/bad-scenarios/base.toml"
        ))
        .unwrap();
        let cr = lf.replace('\n', "\r");
        let m = Scenario::from_toml_str(&cr, "mac.toml")
            .unwrap_err()
            .to_string();
        assert!(m.contains("carriage return alone"), "{m}");
        assert!(!m.contains("empty"), "{m}");
        Scenario::from_toml_str(&lf.replace('\n', "\r\n"), "crlf.toml").unwrap();
    }

    /// A directory, and a device that never ends, are refused with a reason instead of read.
    #[test]
    fn what_is_not_a_scenario_file_is_refused_by_kind_and_size() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_text(dir.path()).unwrap_err().to_string();
        assert!(e.ends_with(": it is a directory"), "{e}");
        let zero = Path::new("/dev/zero");
        if zero.exists() {
            let e = read_text(zero).unwrap_err().to_string();
            assert!(e.contains("it is larger than 64 MiB"), "{e}");
        }
        // Exactly at the limit is read (and then parsed).
        let at = dir.path().join("at-limit.toml");
        std::fs::write(&at, vec![b'#'; MAX_SCENARIO_BYTES as usize]).unwrap();
        assert_eq!(read_text(&at).unwrap().len() as u64, MAX_SCENARIO_BYTES);
    }

    fn parse_message(text: &str) -> String {
        match Scenario::from_toml_str(text, "t.toml") {
            Err(e @ ScenarioError::Parse { .. }) => e.to_string(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parse_errors_name_the_field() {
        let m = parse_message(
            "name = \"x\"\nstart = 2024-01-01\nhorizon = 2024-12-31\n[[teams]]\nname = \"t\"\nhours_per_day = \"six\"\nheadcount = []\n",
        );
        assert!(
            m.starts_with("t.toml:6:17: teams[0].hours_per_day: invalid type: string \"six\", expected a number, a distribution table or { assumption = \"NAME\" }\n"),
            "{m}"
        );
        // Missing from a table: the table's path.
        let m = parse_message(
            "name = \"x\"\nstart = 2024-01-01\nhorizon = 2024-12-31\n[screening]\nthroughput = { records_per_day = 1 }\n",
        );
        assert!(
            m.starts_with("t.toml:4:1: screening: missing field `records`"),
            "{m}"
        );
        // Missing from the top level: no path (even when the file starts with a key), no caret.
        let m = parse_message("name = \"x\"\nstart = 2024-01-01\n");
        assert_eq!(m, "t.toml:1:1: missing field `horizon` at the top level");
        // A date or time where it does not belong is called one (the toml crate hands it to
        // serde as a table: "a table", or "missing field `dist`").
        let m = parse_message("name = 2024-01-01\nstart = 2024-01-01\nhorizon = 2024-12-31\n");
        assert!(
            m.starts_with("t.toml:1:8: name: invalid type: a date, expected a string\n"),
            "{m}"
        );
        let m = parse_message(
            "name = \"x\"\nstart = 2024-01-01\nhorizon = 2024-12-31\n[[teams]]\nname = \"t\"\nhours_per_day = 12:00:00\nheadcount = [{ count = 1 }]\n",
        );
        assert!(
            m.starts_with("t.toml:6:17: teams[0].hours_per_day: invalid type: a time, expected a number, a distribution table or { assumption = \"NAME\" }\n"),
            "{m}"
        );
        // A time where the seed goes is called a time.
        let m = parse_message(
            "name = \"x\"\nstart = 2024-01-01\nhorizon = 2024-12-31\nseed = 10:00:00\n",
        );
        assert!(m.contains("seed: a time is not a seed"), "{m}");
        // A key in quotes with an invisible character: the path shows it escaped.
        let m = parse_message(
            "name = \"x\"\nstart = 2024-01-01\nhorizon = 2024-12-31\n[[teams]]\nname = \"t\"\n\"\\u200bhours_per_day\" = 5\n",
        );
        assert!(
            m.starts_with("t.toml:6:1: teams[0].\"\\u{200b}hours_per_day\": unknown field")
                && !m.contains('\u{200b}'),
            "{m}"
        );
        // An empty file (or only comments) is said to be empty.
        for empty in ["", "# a comment\n\n  # another\n"] {
            let m = parse_message(empty);
            assert!(m.starts_with("t.toml:1:1: the file is empty"), "{m}");
        }
        // A seed that is not a 64-bit whole number says what a seed may be.
        for (seed, found) in [
            ("18446744073709551616", "integer `18446744073709551616`"),
            ("-1", "integer `-1`"),
            ("1.5", "floating point `1.5`"),
        ] {
            let m = parse_message(&format!(
                "name = \"x\"\nstart = 2024-01-01\nhorizon = 2024-12-31\nseed = {seed}\n"
            ));
            assert!(
                m.starts_with(&format!("t.toml:4:8: seed: {found} is not a seed: the seed must be a whole number from 0 to 18446744073709551615\n")),
                "{m}"
            );
        }
        // A keyword of the wrong type lists the keywords accepted.
        let base = "name = \"x\"\nstart = 2024-01-01\nhorizon = 2024-12-31\n";
        for (text, says) in [
            (
                "[calendar]\nholidays = [\"none\"]\n",
                "t.toml:5:12: calendar.holidays: invalid type: a list, expected \"england-and-wales\", \"scotland\", \"northern-ireland\" or \"none\"\n",
            ),
            (
                "[calendar]\nholidays = \"wales\"\n",
                "t.toml:5:12: calendar.holidays: unknown variant `wales`, expected one of `england-and-wales`, `scotland`, `northern-ireland`, `none`\n",
            ),
            (
                "[[teams]]\nname = \"t\"\nhours_per_day = 6\nheadcount = []\non_reduction = 1\n",
                "t.toml:8:16: teams[0].on_reduction: invalid type: integer `1`, expected \"finish\" or \"handover\"\n",
            ),
            (
                "[[arrivals]]\nname = \"a\"\ncase_type = \"c\"\nrate_per_day = 1\nprocess = { poisson = true }\n",
                "t.toml:8:11: arrivals[0].process: invalid type: a table, expected \"poisson\" or \"fixed\"\n",
            ),
        ] {
            let m = parse_message(&format!("{base}{text}"));
            assert!(m.starts_with(says), "{m}");
        }
        // A duplicate key is named.
        let m = parse_message("name = \"x\"\nname = \"y\"\n");
        assert!(m.starts_with("t.toml:2:1: duplicate key `name`"), "{m}");
    }
}
