//! Charts drawn from a finished run's written summaries alone (`summary.json` and `daily.csv`), so
//! that `vetsim plot RUN_DIR` redraws exactly what `vetsim run` drew, with no simulation.
//!
//! Every chart is SVG, laid out with the embedded DejaVu Sans font (never a system font: no
//! fontconfig, no font-kit) and carrying the subset of it that its text uses ([`font`]), drawn
//! into memory and returned as bytes: a chart that cannot be drawn is an error before anything is
//! written, and the same inputs give the same bytes on any machine. [`png`] renders a chart as a
//! PNG, for slides.
//! Each chart is one function in its own module; this module holds what they share: the input,
//! the errors, the page frame (title, subtitle, provenance footer), date axes and colours.

/// Draws a line series, solid or dashed, with its legend entry in the same pattern.
/// `line!(chart, points, style, dash, label, err)`; `dash` is `Option<(size, gap)>` in pixels.
macro_rules! line {
    ($chart:expr, $pts:expr, $style:expr, $dash:expr, $label:expr, $e:expr) => {{
        let style: ShapeStyle = $style;
        match $dash {
            None => {
                $chart
                    .draw_series(LineSeries::new($pts, style))
                    .map_err($e)?
                    .label($label)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
            }
            Some((size, gap)) => {
                $chart
                    .draw_series(DashedLineSeries::new($pts, size, gap, style))
                    .map_err($e)?
                    .label($label)
                    .legend(move |(x, y)| {
                        plotters::element::DashedPathElement::new(
                            vec![(x, y), (x + 24, y)],
                            size,
                            gap,
                            style,
                        )
                    });
            }
        }
    }};
    // Without a legend entry: `line!(chart, points, style, dash_of(i), err)`.
    ($chart:expr, $pts:expr, $style:expr, $dash:expr, $e:expr) => {{
        let style: ShapeStyle = $style;
        match $dash {
            None => {
                $chart
                    .draw_series(LineSeries::new($pts, style))
                    .map_err($e)?;
            }
            Some((size, gap)) => {
                $chart
                    .draw_series(DashedLineSeries::new($pts, size, gap, style))
                    .map_err($e)?;
            }
        }
    }};
}

/// A legend in the house style: `legend!(chart, SeriesLabelPosition::UpperLeft, err)`.
macro_rules! legend {
    ($chart:expr, $pos:expr, $e:expr) => {
        $chart
            .configure_series_labels()
            .position($pos)
            .margin(12)
            .label_font(($crate::plot::FONT, 13))
            .background_style(plotters::style::colors::WHITE.mix(0.9))
            .border_style($crate::plot::colour::GREY)
            .draw()
            .map_err($e)?
    };
}

/// Axes in the house style (labels 13 px, descriptions 14 px, light grid at the ticks only):
/// `mesh!(chart, x_formatter, y_formatter, x_description, y_description, err)`.
macro_rules! mesh {
    ($chart:expr, $xf:expr, $yf:expr, $xd:expr, $yd:expr, $e:expr) => {
        $chart
            .configure_mesh()
            .x_label_formatter($xf)
            .y_label_formatter($yf)
            .x_desc($xd)
            .y_desc($yd)
            .axis_desc_style(($crate::plot::FONT, 14))
            .label_style(($crate::plot::FONT, 13))
            .light_line_style(plotters::style::colors::TRANSPARENT)
            .bold_line_style($crate::plot::colour::LIGHT_GREY)
            .draw()
            .map_err($e)?
    };
}

mod caseload;
mod compare;
mod completion;
pub mod font;
pub mod png;
mod screening;
mod staffing;
mod tornado;
mod waiting;

use crate::calendar::Date;
use crate::report::{DailyRow, Summary};
pub use compare::{comparison_charts, load_comparison, load_comparison_dir, render_comparison};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
pub use tornado::{load_sensitivity, render_sensitivity, sensitivity_charts};

/// The font every chart is laid out with (DejaVu Sans, Bitstream Vera licence:
/// `assets/fonts/DejaVuSans-LICENSE.txt`).
const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// Written into the SVGs as their `font-family`: viewers with DejaVu Sans draw the text exactly as
/// it was laid out; others fall back to their sans-serif font.
pub(crate) const FONT: &str = "DejaVu Sans, sans-serif";

/// What a chart is drawn from: the parsed `summary.json` and `daily.csv` of one run.
#[derive(Debug, Clone)]
pub struct RunData {
    pub summary: Summary,
    daily: Vec<DailyRow>,
    /// The rows of each (metric, case type or team), in file order: a chart asks for one series
    /// per team or case type, and a scan of every row each time grew with the square of the
    /// teams (1,000 teams took `plot` ten seconds).
    series: BTreeMap<(String, String), Vec<usize>>,
}

/// Why charts could not be drawn. Each names the file or the chart.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a vetsim {what}: {message}")]
    Parse {
        path: PathBuf,
        what: &'static str,
        message: String,
    },
    /// A file of a results directory is not the one its manifest names (edited, cut, copied
    /// from another run), or the directory has no sealed main file.
    #[error("{path}: {message}")]
    Unsealed { path: PathBuf, message: String },
    #[error("cannot draw {chart}: {message}")]
    Draw {
        chart: &'static str,
        message: String,
    },
    /// A chart could not be rendered as PNG (`--png`); `file` is the chart's SVG.
    #[error("cannot render {file} as PNG: {message}")]
    Png { file: String, message: String },
}

/// The metrics every run, and every variant of a comparison, has: the charts' headlines use them.
const NEEDED_METRICS: [&str; 2] = ["all_cases_closed", "peak_open_cases"];

/// A results file's `meta.start` and `meta.horizon` as dates, checked alike for runs and
/// comparisons: both parse, and the horizon is not before the start.
fn span_of(start: &str, horizon: &str) -> Result<(Date, Date), String> {
    let start = Date::parse(start).map_err(|e| format!("meta.start: {e}"))?;
    let horizon = Date::parse(horizon).map_err(|e| format!("meta.horizon: {e}"))?;
    if horizon < start {
        return Err(format!(
            "meta.horizon {horizon} is before meta.start {start}"
        ));
    }
    Ok((start, horizon))
}

impl RunData {
    /// Parses the two files' bytes; `dir` only names them in errors.
    pub fn from_bytes(
        dir: &Path,
        summary_json: &[u8],
        daily_csv: &[u8],
    ) -> Result<Self, PlotError> {
        let in_summary = |message: String| PlotError::Parse {
            path: dir.join("summary.json"),
            what: "summary",
            message,
        };
        format_readable(summary_json).map_err(in_summary)?;
        let summary: Summary =
            serde_json::from_slice(summary_json).map_err(|e| in_summary(e.to_string()))?;
        let mut daily: Vec<DailyRow> = Vec::new();
        let mut r = csv::Reader::from_reader(daily_csv);
        for row in r.deserialize() {
            daily.push(row.map_err(|e: csv::Error| PlotError::Parse {
                path: dir.join("daily.csv"),
                what: "daily series",
                message: e.to_string(),
            })?);
        }
        let mut series: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
        for (i, r) in daily.iter().enumerate() {
            series
                .entry((r.metric.clone(), r.case_type.clone()))
                .or_default()
                .push(i);
        }
        let data = RunData {
            summary,
            daily,
            series,
        };
        data.check(dir)?;
        Ok(data)
    }

    /// Refuses files that parse but cannot be what vetsim wrote (edited by hand, truncated,
    /// mixed from two runs), so that `vetsim plot` never draws charts that contradict their own
    /// headlines over the good ones. Each problem names the file and the field or line.
    fn check(&self, dir: &Path) -> Result<(), PlotError> {
        let in_summary = |message: String| PlotError::Parse {
            path: dir.join("summary.json"),
            what: "summary",
            message,
        };
        let meta = &self.summary.meta;
        let (start, horizon) = span_of(&meta.start, &meta.horizon).map_err(in_summary)?;
        let span_days = horizon.days_since(start) as u64 + 1;
        if meta.horizon_working_days == 0 || meta.horizon_working_days > span_days {
            return Err(in_summary(format!(
                "meta.horizon_working_days {} is not between 1 and the {span_days} days from start to horizon",
                meta.horizon_working_days
            )));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = meta.case_types.iter().find(|c| !seen.insert(c.as_str())) {
            return Err(in_summary(format!(
                "meta.case_types: {} is listed twice",
                crate::quote::quoted(dup)
            )));
        }
        for needed in NEEDED_METRICS {
            if self.metric(needed, None).is_none() {
                return Err(in_summary(format!("metrics: no {needed} metric")));
            }
        }
        // What every metric vetsim writes obeys, and the charts rely on: quantiles in order,
        // shares between 0 and 1, a distribution that only rises.
        for (i, m) in self.summary.metrics.iter().enumerate() {
            let at = |what: &str| in_summary(format!("metrics[{i}] ({}): {what}", m.metric));
            let q: Vec<f64> = [m.p5, m.p10, m.p25, m.p50, m.p75, m.p90, m.p95]
                .into_iter()
                .flatten()
                .collect();
            if !q.iter().all(|x| x.is_finite()) || !q.windows(2).all(|w| w[0] <= w[1]) {
                return Err(at(
                    "quantiles p5 to p95 are not finite and in increasing order",
                ));
            }
            if !(0.0..=1.0).contains(&m.censored_share) {
                return Err(at("censored_share is not between 0 and 1"));
            }
            if let Some(d) = &m.distribution
                && (!d.iter().all(|p| (0.0..=1.0).contains(&p.share))
                    || !d.windows(2).all(|w| w[0].share <= w[1].share))
            {
                return Err(at(
                    "distribution: shares must be between 0 and 1 and never fall",
                ));
            }
        }
        let in_daily = |line: usize, message: String| PlotError::Parse {
            path: dir.join("daily.csv"),
            what: "daily series",
            message: format!("line {line}: {message}"),
        };
        if self.daily.is_empty() {
            return Err(PlotError::Parse {
                path: dir.join("daily.csv"),
                what: "daily series",
                message: "no rows (a run writes at least its first day)".into(),
            });
        }
        // The last (working day, date) seen in each series, to check that each is in order.
        let mut last: std::collections::HashMap<(&str, &str), (u64, Date)> =
            std::collections::HashMap::new();
        // Looked up once per row: a scan of every team per row grew with the square of the teams.
        let teams: std::collections::HashSet<&str> = (self.summary.staffing.iter())
            .map(|t| t.team.as_str())
            .collect();
        let case_types: std::collections::HashSet<&str> =
            meta.case_types.iter().map(String::as_str).collect();
        for (i, row) in self.daily.iter().enumerate() {
            let line = i + 2; // after the header, 1-based
            let date = Date::parse(&row.date).map_err(|e| in_daily(line, format!("date: {e}")))?;
            if date < start || date > horizon {
                return Err(in_daily(
                    line,
                    format!("date {date} is outside the run ({start} to {horizon})"),
                ));
            }
            if row.working_day >= meta.horizon_working_days {
                return Err(in_daily(
                    line,
                    format!(
                        "working_day {} is not below the run's {} working days",
                        row.working_day, meta.horizon_working_days
                    ),
                ));
            }
            let known = match row.metric.as_str() {
                "open_cases" => {
                    row.case_type == "all" || case_types.contains(row.case_type.as_str())
                }
                "screened_records" => row.case_type.is_empty(),
                "utilisation" => teams.contains(row.case_type.as_str()),
                _ => false,
            };
            if !known {
                return Err(in_daily(
                    line,
                    format!(
                        "unknown series {} / {} (the summary's case types are {})",
                        crate::quote::escaped(&row.metric),
                        crate::quote::quoted(&row.case_type),
                        crate::quote::escaped(&meta.case_types.join(", "))
                    ),
                ));
            }
            let given = [
                row.mean, row.p5, row.p10, row.p25, row.p50, row.p75, row.p90, row.p95,
            ];
            // A utilisation is undefined (every cell empty) on a day when nobody of the team was
            // on duty; the counts are always given.
            let utilisation = row.metric == "utilisation";
            let undefined = utilisation && given.iter().all(Option::is_none);
            if !undefined && given.iter().any(Option::is_none) {
                return Err(in_daily(
                    line,
                    if utilisation {
                        "a utilisation must have every value or none".into()
                    } else {
                        "every value must be given".into()
                    },
                ));
            }
            let values = given.map(|v| v.unwrap_or(0.0));
            if !undefined && !values.iter().all(|v| v.is_finite() && *v >= 0.0) {
                return Err(in_daily(
                    line,
                    "values must be finite and not negative".into(),
                ));
            }
            if utilisation && values.iter().any(|v| *v > 1.0) {
                return Err(in_daily(line, "a utilisation must be at most 1".into()));
            }
            if !values[1..].windows(2).all(|w| w[0] <= w[1]) {
                return Err(in_daily(
                    line,
                    "quantiles p5 to p95 are not in increasing order".into(),
                ));
            }
            let key = (row.metric.as_str(), row.case_type.as_str());
            if let Some(&(wd, d)) = last.get(&key)
                && (row.working_day <= wd || date <= d)
            {
                return Err(in_daily(
                    line,
                    format!(
                        "{} / {} goes back or repeats: working day {} on {date} after working day {wd} on {d}",
                        row.metric,
                        crate::quote::quoted(&row.case_type),
                        row.working_day
                    ),
                ));
            }
            last.insert(key, (row.working_day, date));
        }
        Ok(())
    }

    /// Reads `summary.json` and `daily.csv` from a run directory, through its manifest (see
    /// [`read_sealed`]).
    pub fn load(dir: &Path) -> Result<Self, PlotError> {
        let sealed = read_sealed(dir, "summary.json", &["daily.csv"])?;
        Self::from_bytes(dir, &sealed.main, &sealed.kept[0])
    }

    /// The summary metric with this name and group (case type, source or category), if any.
    fn metric(&self, name: &str, group: Option<&str>) -> Option<&crate::report::Metric> {
        self.summary.metrics.iter().find(|m| {
            m.metric == name
                && match group {
                    None => true,
                    Some(g) => {
                        m.case_type.as_deref() == Some(g)
                            || m.source.as_deref() == Some(g)
                            || m.category.as_deref() == Some(g)
                            || m.team.as_deref() == Some(g)
                    }
                }
        })
    }

    /// Daily rows of one metric and case type, in date order.
    fn series(&self, metric: &str, case_type: &str) -> Vec<&DailyRow> {
        self.series
            .get(&(metric.to_string(), case_type.to_string()))
            .map(|rows| rows.iter().map(|&i| &self.daily[i]).collect())
            .unwrap_or_default()
    }

    /// Every row of `daily.csv`, in file order.
    pub fn daily(&self) -> &[DailyRow] {
        &self.daily
    }

    fn date(&self, iso: &str, chart: &'static str) -> Result<Date, PlotError> {
        Date::parse(iso).map_err(|e| PlotError::Draw {
            chart,
            message: format!("bad date in the summary: {e}"),
        })
    }

    /// The last date worth showing on a time axis: the horizon when some runs are censored or
    /// there is no completion metric, else a little after the 95th percentile of the last case
    /// closing or of the caseload's peak, whichever is later (untracked work that goes on to the
    /// horizon at a steady level is of no interest past it).
    fn time_axis_end(&self, chart: &'static str) -> Result<Date, PlotError> {
        let horizon = self.date(&self.summary.meta.horizon, chart)?;
        let start = self.date(&self.summary.meta.start, chart)?;
        let Some(m) = self.metric("all_cases_closed", None) else {
            return Ok(horizon);
        };
        let p95 = m.dates.as_ref().and_then(|d| d.p95.clone());
        // When the caseload peaks late (untracked work alone, as in a steady-state queue), the
        // whole span is of interest.
        let peak_p95 = self
            .metric("peak_open_time", None)
            .and_then(|m| m.dates.as_ref())
            .and_then(|d| d.p95.clone());
        match p95 {
            Some(iso) if m.censored == 0 => {
                let mut d = self.date(&iso, chart)?;
                if let Some(p) = peak_p95 {
                    d = d.max(self.date(&p, chart)?);
                }
                let pad = (d.days_since(start) / 12).max(14);
                Ok(d.add_days(pad).min(horizon))
            }
            _ => Ok(horizon),
        }
    }
}

/// A results directory read through its manifest: the main file's bytes, its manifest, and the
/// bytes of the files asked for.
#[derive(Debug)]
pub struct Sealed {
    pub main: Vec<u8>,
    /// Every other file of the directory, by name, with its SHA-256 as written.
    pub manifest: std::collections::BTreeMap<String, String>,
    /// The files asked to be kept, in the order asked.
    pub kept: Vec<Vec<u8>>,
}

/// Reads the main file `main` of results directory `dir` and checks it against its own seal, then
/// every data file its manifest names (JSON, CSV, the scenario copy: charts are drawings, compared
/// by `plot --check` instead) against its SHA-256 (one that is not needed, such as
/// `replications.csv`, may be absent, but not altered), and that the scenario copy is the one
/// `meta.scenario_hash` names. Keeps the bytes of the files named in `keep` (which must be in the
/// manifest). Every failure names the file: a directory cut short, edited, or mixed from two runs
/// is refused before anything is drawn from it.
pub fn read_sealed(dir: &Path, main: &str, keep: &[&str]) -> Result<Sealed, PlotError> {
    use crate::report::manifest;
    let main_path = dir.join(main);
    let bytes = std::fs::read(&main_path).map_err(|source| PlotError::Read {
        path: main_path.clone(),
        source,
    })?;
    let files = manifest::unseal(&bytes).map_err(|e| PlotError::Unsealed {
        path: main_path.clone(),
        message: e.to_string(),
    })?;
    let unsealed = |name: &str, message: String| PlotError::Unsealed {
        path: dir.join(name),
        message,
    };
    let mut kept = vec![Vec::new(); keep.len()];
    for want in keep {
        if !files.contains_key(*want) {
            return Err(unsealed(
                main,
                format!("its manifest does not list {want}, which every such directory holds"),
            ));
        }
    }
    for (name, digest) in &files {
        let is_kept = keep.iter().position(|k| k == name);
        if !manifest::is_data(name) && is_kept.is_none() {
            continue;
        }
        if name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(unsealed(
                main,
                format!("its manifest names {name:?}, not a file vetsim writes"),
            ));
        }
        let path = dir.join(name);
        let actual = match is_kept {
            Some(i) => {
                kept[i] = std::fs::read(&path).map_err(|source| PlotError::Read {
                    path: path.clone(),
                    source,
                })?;
                manifest::sha256_hex(&kept[i])
            }
            None => {
                // A data file not needed here may have been deleted (a large replications.csv,
                // to save room): the charts do not depend on it. One that is there must be the
                // one written, and the scenario copy must be there.
                let mut f = match std::fs::File::open(&path) {
                    Err(e)
                        if e.kind() == std::io::ErrorKind::NotFound
                            && name != manifest::SCENARIO_COPY =>
                    {
                        continue;
                    }
                    r => r.map_err(|source| PlotError::Read {
                        path: path.clone(),
                        source,
                    })?,
                };
                let mut h = manifest::HashingWriter::new(std::io::sink());
                std::io::copy(&mut f, &mut h).map_err(|source| PlotError::Read { path, source })?;
                h.finish().1
            }
        };
        if &actual != digest {
            return Err(unsealed(
                name,
                format!(
                    "not the file {main} was written with (its SHA-256 differs from the one in {main}'s manifest: edited, cut short or taken from another run)"
                ),
            ));
        }
    }
    let copy = manifest::SCENARIO_COPY;
    let meta_hash = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v["meta"]["scenario_hash"].as_str().map(str::to_string));
    match (files.get(copy), meta_hash) {
        (Some(d), Some(h)) if *d == h => {}
        (None, _) => {
            return Err(unsealed(
                main,
                format!("its manifest does not list {copy}, the scenario as run"),
            ));
        }
        _ => {
            return Err(unsealed(
                copy,
                format!(
                    "not the scenario {main} was run from (its SHA-256 differs from meta.scenario_hash)"
                ),
            ));
        }
    }
    Ok(Sealed {
        main: bytes,
        manifest: files,
        kept,
    })
}

/// A chart as drawn: its SVG and the sentences at its head, which the report (`report.html`)
/// repeats as text (the headline findings and each chart's text alternative).
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The file it is written to (`caseload.svg`).
    pub file: String,
    pub svg: Vec<u8>,
    /// The finding, as the chart's title states it.
    pub title: String,
    /// How to read it, as the chart's subtitle says.
    pub subtitle: String,
}

/// What one chart function returns: the SVG and its head (see [`Chart`]).
pub(crate) struct Drawn {
    svg: Vec<u8>,
    title: String,
    subtitle: String,
}

impl Drawn {
    fn named(self, file: &str) -> Chart {
        Chart {
            file: file.to_string(),
            svg: self.svg,
            title: self.title,
            subtitle: self.subtitle,
        }
    }
}

/// The files of charts, by name, for the writer.
pub fn chart_files(charts: &[Chart]) -> Vec<(String, Vec<u8>)> {
    charts
        .iter()
        .map(|c| (c.file.clone(), c.svg.clone()))
        .collect()
}

/// Every chart this run can draw: `screening.svg` (only when the scenario screens),
/// `caseload.svg`, `completion.svg`, `waiting.svg`, `staffing.svg`.
pub fn run_charts(d: &RunData) -> Result<Vec<Chart>, PlotError> {
    register_font()?;
    let mut charts = Vec::new();
    if d.summary.meta.screening_records.is_some() {
        charts.push(screening::draw(d)?.named("screening.svg"));
    }
    charts.push(caseload::draw(d)?.named("caseload.svg"));
    charts.push(completion::draw(d)?.named("completion.svg"));
    charts.push(waiting::draw(d)?.named("waiting.svg"));
    charts.push(staffing::draw(d)?.named("staffing.svg"));
    Ok(charts)
}

/// The files of every chart this run can draw, by name (see [`run_charts`]).
pub fn render_all(d: &RunData) -> Result<Vec<(String, Vec<u8>)>, PlotError> {
    Ok(chart_files(&run_charts(d)?))
}

/// Parses a main results file (`name` in `dir`, which only name it in errors) and refuses what
/// parses but `check` finds impossible, so that a chart never contradicts its data.
fn parse_checked<T: serde::de::DeserializeOwned>(
    dir: &Path,
    name: &str,
    what: &'static str,
    bytes: &[u8],
    check: fn(&T) -> Result<(), String>,
) -> Result<T, PlotError> {
    let bad = |message: String| PlotError::Parse {
        path: dir.join(name),
        what,
        message,
    };
    format_readable(bytes).map_err(bad)?;
    let t: T = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
    check(&t).map_err(bad)?;
    Ok(t)
}

/// Refuses a main results file of another format version than this vetsim writes
/// ([`crate::report::summary::FORMAT_VERSION`]): its fields may parse and mean something else,
/// so it is not drawn. A file that is not JSON with a `meta` passes, to be refused by the full
/// parse with its own message.
fn format_readable(bytes: &[u8]) -> Result<(), String> {
    #[derive(serde::Deserialize)]
    struct Head {
        meta: HeadMeta,
    }
    #[derive(serde::Deserialize)]
    struct HeadMeta {
        format_version: Option<u32>,
        version: Option<String>,
    }
    let Ok(head) = serde_json::from_slice::<Head>(bytes) else {
        return Ok(());
    };
    let this = crate::report::summary::FORMAT_VERSION;
    if head.meta.format_version == Some(this) {
        return Ok(());
    }
    let written = match &head.meta.format_version {
        Some(v) => format!("meta.format_version is {v}"),
        None => "meta has no format_version (format 1)".to_string(),
    };
    let by = head
        .meta
        .version
        .map(|v| format!(" (written by vetsim {})", crate::quote::escaped(&v)))
        .unwrap_or_default();
    Err(format!(
        "{written}{by}; this vetsim ({}) reads format {this}: draw it with the version that wrote it, or run the scenario again",
        env!("CARGO_PKG_VERSION")
    ))
}

/// Registers the embedded font once per process (plotters keeps a global font table).
fn register_font() -> Result<(), PlotError> {
    static DONE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(PlotError::Draw {
            chart: "charts",
            message: "the embedded font could not be loaded".into(),
        })
    }
}

// ---- shared drawing helpers -------------------------------------------------------------------

/// Turns any plotters error into a [`PlotError`] naming the chart.
fn draw_err<E: std::fmt::Display>(chart: &'static str) -> impl Fn(E) -> PlotError {
    move |e| PlotError::Draw {
        chart,
        message: e.to_string(),
    }
}

/// Colours chosen to stay apart in greyscale as well as in colour (light, mid, dark).
pub(crate) mod colour {
    use plotters::style::RGBColor;
    /// Outer band (P10–P90).
    pub const BAND_OUTER: RGBColor = RGBColor(198, 219, 239);
    /// Inner band (P25–P75).
    pub const BAND_INNER: RGBColor = RGBColor(107, 174, 214);
    /// Median line.
    pub const LINE: RGBColor = RGBColor(8, 69, 148);
    /// Targets, thresholds and the other series: an orange dark enough to read in grey.
    pub const ACCENT: RGBColor = RGBColor(200, 82, 0);
    /// Small text in the accent's hue on a light shading: darker than [`ACCENT`], 6.3:1 against
    /// white and above the 4.5:1 of WCAG AA on the 12 % shading (ACCENT was 3.8:1 there).
    pub const ACCENT_TEXT: RGBColor = RGBColor(150, 60, 0);
    pub const GREY: RGBColor = RGBColor(110, 110, 110);
    pub const LIGHT_GREY: RGBColor = RGBColor(225, 225, 225);
    pub const TEXT: RGBColor = RGBColor(30, 30, 30);
    /// Series colours (Okabe–Ito, ordered so that neighbours differ in lightness).
    pub const SERIES: [RGBColor; 6] = [
        RGBColor(0, 90, 160),
        RGBColor(213, 94, 0),
        RGBColor(0, 130, 95),
        RGBColor(150, 60, 140),
        RGBColor(40, 40, 40),
        RGBColor(150, 150, 150),
    ];
}

/// Dash pattern of the i-th series (solid, dashes, dots, long dashes, short dashes), so that
/// series stay apart in greyscale as well as by colour.
fn dash_of(i: usize) -> Option<(u32, u32)> {
    [
        None,
        Some((9, 4)),
        Some((2, 3)),
        Some((16, 5)),
        Some((5, 5)),
    ][i % 5]
}

/// The page around a chart: title (the finding), subtitle (how to read it), provenance footer.
/// Returns the area left for the plot.
fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    footer: &str,
    title: &str,
    subtitle: &str,
    chart: &'static str,
) -> Result<DrawingArea<DB, plotters::coord::Shift>, PlotError> {
    let e = draw_err(chart);
    root.fill(&WHITE).map_err(&e)?;
    let (w, h) = root.dim_in_pixel();
    let width_in =
        |style: &TextStyle, text: &str| root.estimate_text_size(text, style).map_or(0, |(x, _)| x);
    // Title and subtitle wrap within the width; at most MAX_HEAD_LINES lines of the subtitle, so
    // that the chart keeps most of its height (the last line says the rest is cut).
    let title_style: TextStyle = (FONT, 21).into_font().color(&colour::TEXT);
    let titles = wrap(title, w.saturating_sub(32), |t| width_in(&title_style, t));
    for (i, line) in titles.iter().enumerate() {
        root.draw(&Text::new(
            line.clone(),
            (16, 12 + TITLE_LINE * i as i32),
            title_style.clone(),
        ))
        .map_err(&e)?;
    }
    let below_title = TITLE_LINE * (titles.len().max(1) as i32 - 1);
    let style: TextStyle = (FONT, 14).into_font().color(&colour::GREY);
    let mut lines = wrap(subtitle, w.saturating_sub(32), |t| width_in(&style, t));
    if lines.len() > MAX_HEAD_LINES {
        lines.truncate(MAX_HEAD_LINES);
        if let Some(last) = lines.last_mut() {
            last.push_str(" …");
        }
    }
    for (i, line) in lines.iter().enumerate() {
        root.draw(&Text::new(
            line.clone(),
            (16, 42 + below_title + SUBTITLE_LINE * i as i32),
            style.clone(),
        ))
        .map_err(&e)?;
    }
    root.draw(&Text::new(
        footer.to_string(),
        (16, h as i32 - 20),
        (FONT, 11).into_font().color(&colour::GREY),
    ))
    .map_err(&e)?;
    let extra = below_title + SUBTITLE_LINE * (lines.len().max(1) as i32 - 1);
    Ok(root.margin(66 + extra, 26, 8, 20))
}

/// Height of a title line \[pixels\].
const TITLE_LINE: i32 = 26;

/// Most lines a subtitle takes (a longer one ends in "…").
const MAX_HEAD_LINES: usize = 4;

/// What the horizon leaves open, for the subtitles of charts drawn from closed cases or daily
/// counts: `lead` then "(31 Dec 2026): 14.6 cases a run on average", and how often the last
/// tracked case is not closed by then; `None` when nothing is ever left open.
fn open_at_horizon(d: &RunData, lead: &str) -> Option<String> {
    let open = d
        .metric("open_cases_at_end", None)?
        .mean
        .filter(|m| *m > 0.0)?;
    let mut text = format!(
        "{lead} ({}): {} cases a run on average",
        human(&d.summary.meta.horizon),
        thousands(open)
    );
    match d.metric("all_cases_closed", None).map(|m| m.censored_share) {
        Some(share) if share > 0.0 => text.push_str(&format!(
            "; the last case not closed by then in {} of runs",
            percent(share)
        )),
        // Every run closed its last tracked case, so what is open is untracked work: said, or
        // "open at the horizon" reads as contradicting the completion chart's "every run
        // finished".
        Some(_) => text.push_str(
            ", all of it untracked work (track = false) that the finish date does not wait for",
        ),
        None => {}
    }
    Some(text)
}

/// A share as a percentage with one decimal, for subtitles: `0.275` → `27.5%` (titles round
/// further, `screening::pct`).
fn percent(share: f64) -> String {
    format!("{:.1}%", 100.0 * share)
}

/// Height of a subtitle line \[pixels\].
const SUBTITLE_LINE: i32 = 18;

/// The words of `text` at its spaces, except that a date as charts write it (`6 Apr 2023`,
/// `Apr 2023`) stays one word: a line never breaks inside a date.
fn unbreakable_words(text: &str) -> Vec<String> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    // A day of the month, perhaps after an opening bracket or quote (`(31`).
    let is_day = |w: &str| {
        let w = w.trim_start_matches(['(', '[', '"', '\'', '“', '‘']);
        (1..=2).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_digit())
    };
    let is_month = |w: &str| MONTHS.contains(&w);
    // A year, perhaps followed by punctuation (`2023,` `2023)` `2023:`).
    let is_year = |w: &str| {
        let digits = w.bytes().take_while(u8::is_ascii_digit).count();
        digits == 4 && w[digits..].bytes().all(|b| b.is_ascii_punctuation())
    };
    let words: Vec<&str> = text.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = |k: usize| words.get(i + k).copied().unwrap_or("");
        let take = if is_day(w(0)) && is_month(w(1)) && is_year(w(2)) {
            3
        } else if (is_day(w(0)) && is_month(w(1))) || (is_month(w(0)) && is_year(w(1))) {
            2
        } else {
            1
        };
        out.push(words[i..i + take].join(" "));
        i += take;
    }
    out
}

/// `text` cut at spaces into lines no wider than `max` pixels (as `width` measures them), never
/// inside a date; a single word wider than that has a line of its own.
fn wrap(text: &str, max: u32, width: impl Fn(&str) -> u32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in unbreakable_words(text) {
        let word = word.as_str();
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if line.is_empty() || width(&candidate) <= max {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        }
    }
    lines.push(line);
    lines
}

/// One line that ties a chart to the exact run that made it.
fn provenance(d: &RunData) -> String {
    let m = &d.summary.meta;
    footer_line(
        &m.scenario,
        &m.scenario_file,
        &m.scenario_hash,
        m.seed,
        &format!("{} replications", thousands(m.replications as f64)),
        &format!("{} {}", m.tool.tool, m.tool.version),
    )
}

/// The provenance footer shared by run and comparison charts.
fn footer_line(
    scenario: &str,
    file: &str,
    hash: &str,
    seed: u64,
    runs: &str,
    tool: &str,
) -> String {
    let hash: String = hash.chars().take(12).collect();
    format!("{scenario} ({file}) · sha256 {hash} · seed {seed} · {runs} · {tool}")
}

/// `12345.0` → `"12,345"`; non-integers below 100 keep one decimal (`2.5`).
fn thousands(x: f64) -> String {
    use crate::report::text::thousands as grouped;
    if !x.is_finite() {
        return String::new();
    }
    if (x - x.round()).abs() < 1e-9 || x.abs() >= 100.0 {
        return grouped(x);
    }
    let s = format!("{:.1}", x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((s.as_str(), "0"));
    let sign = if x < 0.0 { "-" } else { "" };
    format!("{sign}{}.{frac}", grouped(int.parse().unwrap_or(0.0)))
}

/// A day count as an x coordinate [days since 1970-01-01].
fn x_of(d: Date) -> f64 {
    f64::from(d.days_since_epoch())
}

/// "4 Dec 2023" from an ISO date; the ISO text itself if it does not parse.
fn human(iso: &str) -> String {
    Date::parse(iso)
        .map(|d| d.human())
        .unwrap_or_else(|_| iso.to_string())
}

/// A numeric axis whose grid lines and labels sit exactly at the given values (plotters' own
/// `with_key_points` loses the label formatter for `f64` ranges).
struct Ticked {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ticked {
    fn new(range: std::ops::Range<f64>, ticks: Vec<f64>) -> Ticked {
        Ticked {
            inner: range.into(),
            ticks,
        }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// A date axis from `from` to `to` with at most `max_labels` labels: on the first of months (every
/// 1, 2, 3, 6 or 12 months) for spans of a few months or more, else on days or Mondays. Returns the
/// axis and the label formatter that suits it ("Apr 2023" or "8 Jan").
fn date_axis(from: Date, to: Date, max_labels: usize) -> (Ticked, fn(&f64) -> String) {
    let max_labels = max_labels.max(2);
    let range = x_of(from)..x_of(to).max(x_of(from) + 1.0);
    let (y0, m0, _) = from.ymd();
    let mut months = Vec::new();
    let (mut y, mut m) = (y0, m0);
    while let Some(d) = Date::from_ymd(y, m, 1) {
        if d > to {
            break;
        }
        if d >= from {
            months.push(d);
        }
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    if months.len() >= 3 {
        let step = [1usize, 2, 3, 6, 12, 24, 60]
            .into_iter()
            .find(|k| months.len().div_ceil(*k) <= max_labels)
            .unwrap_or(120);
        // Keep the months that start a quarter / half-year / year when stepping by those.
        let points: Vec<f64> = months
            .iter()
            .filter(|d| (d.ymd().1 as usize - 1).is_multiple_of(step.min(12)))
            .map(|d| x_of(*d))
            .collect();
        return (Ticked::new(range, points), month_label);
    }
    let days = to.days_since(from).max(1) as usize;
    let step = [1usize, 2, 7, 14, 28]
        .into_iter()
        .find(|k| days / k < max_labels)
        .unwrap_or(28);
    // Bounded and advancing whatever the dates: `add_days` saturates at the last representable
    // day, where a plain `while d <= to` would never end (and fill memory with ticks).
    let mut points = Vec::new();
    let mut d = from;
    if step >= 7 {
        for _ in 0..7 {
            if d.weekday() == crate::calendar::Weekday::Mon {
                break;
            }
            d = d.add_days(1);
        }
    }
    while d <= to && points.len() <= max_labels {
        points.push(x_of(d));
        let next = d.add_days(step as i64);
        if next <= d {
            break;
        }
        d = next;
    }
    (Ticked::new(range, points), day_label)
}

/// Formats an x coordinate as "Apr 2023".
fn month_label(x: &f64) -> String {
    Date::from_days_since_epoch(x.round() as i64).month_year()
}

/// Formats an x coordinate as "8 Jan".
fn day_label(x: &f64) -> String {
    let h = Date::from_days_since_epoch(x.round() as i64).human();
    h.rsplit_once(' ').map(|(a, _)| a.to_string()).unwrap_or(h)
}

/// Nice upper bound for a count axis (1, 2, 2.5, 5 × 10^k above `x`).
fn nice_ceiling(x: f64) -> f64 {
    if !(x > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    for k in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if k * p >= x {
            return k * p;
        }
    }
    10.0 * p
}

/// Renders `f` into an SVG of `size` pixels, carrying the subset of the font its text uses
/// ([`font::embed`]).
fn svg(
    size: (u32, u32),
    chart: &'static str,
    f: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> Result<(), PlotError>,
) -> Result<Vec<u8>, PlotError> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        f(&root)?;
        root.present().map_err(draw_err(chart))?;
    }
    Ok(font::embed(&buf, chart)?.into_bytes())
}

#[cfg(test)]
mod tests;
