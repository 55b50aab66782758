//! `report.html`: the page a planner opens in a browser, built from a results directory's files
//! alone (the main JSON file, the charts as drawn and the scenario copy), so that `vetsim plot`
//! rebuilds it byte for byte and `vetsim plot --check` compares it like the charts.
//!
//! One self-contained file: no script, no request of any kind (the charts are inside it as
//! `data:` URIs, the style sheet inline), so it works from `file://` offline and can be mailed on.
//! It holds the headline findings (the charts' titles), the key dates and counts with P10, P50,
//! P90 and their Monte Carlo error, every chart, the scenario's inputs as written (each setting
//! beside its comment: [`inputs`]) and the provenance.
//!
//! The page is a template (`templates/report.html`, `templates/report.css`, compiled into the
//! binary) filled by minijinja with HTML auto-escaping on for every value; this module only
//! builds the values ([`Page`]) and never writes HTML itself. Nothing in it depends on the clock or
//! on hash-map order. It must not read files or run anything: the caller hands it bytes.
//!
//! Why `data:` URIs rather than inline `<svg>`: the page then holds each chart's file byte for
//! byte (base64), a chart's ids, styles and fonts cannot clash with another chart's or the page's
//! (each image is its own document), and nothing in a chart can run as part of the page; the text
//! alternative is the `alt` of each image (its title and subtitle).

pub mod inputs;

use crate::calendar::Date;
use crate::compare::Comparison;
use crate::plot::Chart;
use crate::report::Metric;
use crate::report::summary::Tool;
use crate::sensitivity::Sensitivity;
use serde::Serialize;

/// The file every results directory holds beside its charts.
pub const REPORT: &str = "report.html";

const TEMPLATE: &str = include_str!("../../templates/report.html");
const STYLE: &str = include_str!("../../templates/report.css");

/// What the template is filled with.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// "met-2023".
    pub scenario: String,
    /// What kind of results: "Run", "Comparison", "Sensitivity analysis".
    pub kind: &'static str,
    pub description: Option<String>,
    /// The charts' titles, in chart order.
    pub headlines: Vec<String>,
    /// Key dates and counts.
    pub tables: Vec<Table>,
    pub charts: Vec<ChartView>,
    pub inputs: Option<inputs::Inputs>,
    pub scenario_file: String,
    pub provenance: Vec<[String; 2]>,
}

/// A table of figures: the first cell of each row is its header.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub caption: String,
    pub note: Option<String>,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A chart as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ChartView {
    pub file: String,
    pub title: String,
    pub subtitle: String,
    /// `data:image/svg+xml;base64,...` of the chart's file: passed to the template apart, as
    /// markup-free text that needs no escaping (`render`), so that it stays as written.
    #[serde(skip)]
    pub src: String,
    pub width: u32,
    pub height: u32,
}

/// Why the page could not be made (a template error: a programming error, reported rather than
/// panicking).
#[derive(Debug, thiserror::Error)]
#[error("cannot make report.html: {0}")]
pub struct PageError(String);

/// Fills the template with `page`.
pub fn render(page: &Page) -> Result<Vec<u8>, PageError> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| PageError(e.to_string()))?;
    let t = env
        .get_template("report.html")
        .map_err(|e| PageError(e.to_string()))?;
    // Base64 holds only letters, digits, `+`, `/` and `=`: safe in a quoted attribute as it is.
    let sources: Vec<minijinja::Value> = page
        .charts
        .iter()
        .map(|c| minijinja::Value::from_safe_string(c.src.clone()))
        .collect();
    let ctx = minijinja::context! {
        page => minijinja::Value::from(minijinja::value::Serde(page)),
        sources => sources,
        style => minijinja::Value::from_safe_string(STYLE.to_string()),
        // The charts' font asks for its notice in every copy: each SVG has it, and so does the
        // page that holds them.
        font_notice => crate::plot::font::NOTICE,
    };
    let mut out = t.render(ctx).map_err(|e| PageError(e.to_string()))?;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out.into_bytes())
}

/// The page of a run, from its parsed `summary.json`, its charts and its scenario copy.
pub fn run_page(
    summary: &crate::report::Summary,
    charts: &[Chart],
    scenario: &[u8],
) -> Result<Vec<u8>, PageError> {
    let m = &summary.meta;
    let find = |name: &str, group: Option<&str>| {
        summary
            .metrics
            .iter()
            .find(|x| x.metric == name && x.case_type.as_deref() == group)
    };
    let mut rows = Vec::new();
    if let Some(x) = find("screening_complete", None) {
        rows.push(figure_row("Screening complete", x));
    }
    if let Some(x) = find("all_cases_closed", None)
        && !summary.tracks_nothing()
    {
        rows.push(figure_row("Last case closed", x));
    }
    // Issue 18: "when is the backlog back to normal?", per case type with a `backlog_target`.
    let mut never = Vec::new();
    for t in &m.case_types {
        if let Some(x) = find("back_to_target", Some(t)) {
            let (what, level) = (t.replace('_', " "), thousands(x.target.unwrap_or(0) as f64));
            rows.push(figure_row(
                &format!("Open {what} cases back to {level} or fewer for good"),
                x,
            ));
            if x.censored > 0 {
                never.push(format!(
                    "Open {what} cases were still above {level} at the horizon in {} of runs.",
                    percent(x.censored_share)
                ));
            }
        }
    }
    if let Some(x) = find("peak_open_cases", None) {
        rows.push(figure_row("Peak open cases", x));
    }
    for t in m.case_types.iter().map(String::as_str).chain(["all"]) {
        if let Some(x) = find("cases_opened", Some(t)) {
            let label = if t == "all" {
                "Cases opened, all types".to_string()
            } else {
                format!("Cases opened: {}", t.replace('_', " "))
            };
            rows.push(figure_row(&label, x));
        }
    }
    let mut notes = Vec::new();
    if let Some(x) = find("screening_by_target", None)
        && let (Some(share), Some(target)) = (x.mean, &m.screening_target)
    {
        notes.push(format!(
            "Screening finished by its target ({}) in {} of runs.",
            human(target),
            percent(share)
        ));
    }
    if let Some(x) = find("all_cases_closed", None)
        && x.censored > 0
    {
        notes.push(format!(
            "The last case was not closed by the horizon ({}) in {} of runs.",
            human(&m.horizon),
            percent(x.censored_share)
        ));
    }
    notes.extend(never);
    notes.push(FIGURES_NOTE.to_string());
    let page = Page {
        scenario: m.scenario.clone(),
        kind: "Run",
        description: m.scenario_description.clone(),
        headlines: charts.iter().map(|c| c.title.clone()).collect(),
        tables: vec![Table {
            caption: format!(
                "Key dates and counts across {} runs (from {} to the horizon, {})",
                thousands(m.replications as f64),
                human(&m.start),
                human(&m.horizon)
            ),
            note: Some(notes.join(" ")),
            head: FIGURE_HEAD.iter().map(|s| s.to_string()).collect(),
            rows,
        }],
        charts: charts.iter().map(view).collect(),
        inputs: inputs_of(scenario),
        scenario_file: m.scenario_file.clone(),
        provenance: provenance(
            &m.scenario_file,
            &m.scenario_hash,
            m.seed,
            &thousands(m.replications as f64),
            &m.tool,
            &m.start,
            &m.horizon,
        ),
    };
    render(&page)
}

/// The page of a comparison, from its parsed `comparison.json`, its charts and its scenario copy.
pub fn comparison_page(
    c: &Comparison,
    charts: &[Chart],
    scenario: &[u8],
) -> Result<Vec<u8>, PageError> {
    let m = &c.meta;
    // A variant is named by its settings, each by the `label` its `[[experiment.vary]]` gives
    // (else its path), dates written as dates: "Officers diverted from SOC/CT: 45; Diverted
    // until: 6 Oct 2023". The variant's short label would repeat the same settings less readably.
    let label = |v: &crate::compare::VariantRow| {
        let settings: Vec<String> = v
            .settings
            .iter()
            .map(|s| {
                let name = m
                    .varied
                    .iter()
                    .find(|x| x.path == s.path)
                    .and_then(|x| x.label.clone())
                    .unwrap_or_else(|| s.path.clone());
                format!("{name}: {}", human(&s.value))
            })
            .collect();
        let mut l = if settings.is_empty() {
            v.label.clone()
        } else {
            settings.join("; ")
        };
        if v.is_baseline {
            l.push_str(" — baseline");
        }
        l
    };
    let mut tables = Vec::new();
    for (metric, what) in [
        ("all_cases_closed", "Last case closed"),
        ("peak_open_cases", "Peak open cases"),
    ] {
        let rows: Vec<Vec<String>> = c
            .variants
            .iter()
            .filter_map(|v| {
                let x = v
                    .metrics
                    .iter()
                    .find(|x| x.metric == metric && x.case_type.is_none())?;
                Some(figure_row(&label(v), x))
            })
            .collect();
        tables.push(Table {
            caption: format!(
                "{what}, by variant ({} runs each, common random numbers)",
                thousands(m.replications as f64)
            ),
            note: Some(FIGURES_NOTE.to_string()),
            head: std::iter::once("Variant")
                .chain(FIGURE_HEAD[1..].iter().copied())
                .map(str::to_string)
                .collect(),
            rows,
        });
    }
    let rows = c
        .variants
        .iter()
        .map(|v| {
            let x = &v.versus_baseline;
            vec![
                label(v),
                match (x.days_saved, x.days_saved_mcse) {
                    (Some(d), Some(e)) => format!("{} ± {}", one(d), one(e)),
                    (Some(d), None) => one(d),
                    _ => "not known (runs not finished by the horizon)".into(),
                },
                percent(x.p_finish_before_baseline),
                percent(x.all_cases_closed.share_equal),
                percent(x.all_cases_closed.share_larger),
            ]
        })
        .collect();
    tables.push(Table {
        caption: "Against the baseline, run by run".into(),
        note: Some(
            "Working days saved on the last case closing: the mean of the paired differences (baseline minus variant) ± its Monte Carlo standard error. Then the share of paired runs in which the variant closes its last case before the baseline, on the same day, and later (a run not finished by the horizon counts as later than any date; two such runs as the same day)."
                .into(),
        ),
        head: vec![
            "Variant".into(),
            "Working days saved (mean ± MC error)".into(),
            "Runs finishing before the baseline".into(),
            "On the same day".into(),
            "Later".into(),
        ],
        rows,
    });
    let page = Page {
        scenario: m.scenario.clone(),
        kind: "Comparison",
        description: None,
        headlines: charts.iter().map(|c| c.title.clone()).collect(),
        tables,
        charts: charts.iter().map(view).collect(),
        inputs: inputs_of(scenario),
        scenario_file: m.scenario_file.clone(),
        provenance: provenance(
            &m.scenario_file,
            &m.scenario_hash,
            m.seed,
            &format!("{} per variant", thousands(m.replications as f64)),
            &m.tool,
            &m.start,
            &m.horizon,
        ),
    };
    render(&page)
}

/// The page of a sensitivity analysis, from its parsed `sensitivity.json`, its chart and its
/// scenario copy.
pub fn sensitivity_page(
    s: &Sensitivity,
    charts: &[Chart],
    scenario: &[u8],
) -> Result<Vec<u8>, PageError> {
    let m = &s.meta;
    let name_of = |metric: &str, case_type: &Option<String>| match case_type {
        Some(t) => format!("{} ({})", metric.replace('_', " "), t.replace('_', " ")),
        None => metric.replace('_', " "),
    };
    let is_date = |unit: &str| unit.contains("working day");
    let outputs = s
        .outputs
        .iter()
        .map(|o| {
            let value = |x: Option<f64>, date: &Option<String>| match (date, x) {
                (Some(d), _) if is_date(&o.unit) => human(d),
                (_, Some(x)) => thousands(x),
                _ => NOT_BY_HORIZON.into(),
            };
            let band = o.fixed_assumptions.as_ref().map(|f| {
                let q = [f.p10, f.p50, f.p90];
                (0..3)
                    .map(|i| match f.dates.as_ref().and_then(|d| d[i].clone()) {
                        Some(d) => human(&d),
                        None => q[i].map(thousands).unwrap_or(NOT_BY_HORIZON.into()),
                    })
                    .collect::<Vec<_>>()
                    .join(" / ")
            });
            vec![
                name_of(&o.metric, &o.case_type),
                value(o.mean, &o.mean_date),
                value(o.central_mean, &o.central_mean_date),
                band.unwrap_or_default(),
                // ± 2 standard errors, as the chart and the terminal say it.
                match (o.assumptions_share, o.assumptions_share_mcse) {
                    // Clamped to [0, 100] %, as the chart and terminal show it.
                    (Some(a), Some(e)) => {
                        format!("{} ± {}", percent(a.clamp(0.0, 1.0)), percent(2.0 * e))
                    }
                    (Some(a), None) => percent(a.clamp(0.0, 1.0)),
                    _ => "—".into(),
                },
            ]
        })
        .collect();
    let ranked = s
        .outputs
        .iter()
        .position(|o| o.metric == m.ranked_by && o.case_type.is_none());
    let assumptions = s
        .assumptions
        .iter()
        .map(|a| {
            let x = &a.assumption;
            let swing = ranked
                .and_then(|k| a.effects.get(k))
                .map(|e| match e.swing_mcse {
                    Some(se) => format!("{} ± {}", one(e.swing), one(2.0 * se)),
                    None => one(e.swing),
                });
            // A counted routing moves one outcome's share: named, as the chart names it.
            let name = match &x.outcome {
                Some(o) => format!("{}. {} (share of {o})", a.rank, x.name),
                None => format!("{}. {}", a.rank, x.name),
            };
            vec![
                name,
                match &a.dates {
                    Some([l, c, h]) => format!("{} / {} / {}", human(l), human(c), human(h)),
                    // Four significant digits, as the chart shows them (a hit rate of 0.0031
                    // read 0.003 to three decimals).
                    None => format!(
                        "{} / {} / {}",
                        crate::sensitivity::report::value(x.low),
                        crate::sensitivity::report::value(x.central),
                        crate::sensitivity::report::value(x.high)
                    ),
                },
                swing.unwrap_or_default(),
                x.source.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let page = Page {
        scenario: m.scenario.clone(),
        kind: "Sensitivity analysis",
        description: m.scenario_description.clone(),
        headlines: charts.iter().map(|c| c.title.clone()).collect(),
        tables: vec![
            Table {
                caption: format!(
                    "Headline outputs ({} runs per setting of the assumptions)",
                    thousands(m.replications as f64)
                ),
                note: Some("Mean over the runs as drawn, and with every assumption at its median; P10 / P50 / P90 with every assumption at its median (chance alone); the share of the spread that comes from the assumptions ± 2 Monte Carlo standard errors (jackknife).".into()),
                head: vec![
                    "Output".into(),
                    "Mean".into(),
                    "Mean, assumptions at their medians".into(),
                    "P10 / P50 / P90, assumptions at their medians".into(),
                    "Share of the spread from the assumptions".into(),
                ],
                rows: outputs,
            },
            Table {
                caption: format!(
                    "Assumptions, ranked by how far each moves {}",
                    m.ranked_by.replace('_', " ")
                ),
                note: Some("Swing: mean of the paired differences, the assumption at its P90 minus at its P10 with every other at its median, in working days, ± 2 Monte Carlo standard errors.".into()),
                head: vec![
                    "Assumption".into(),
                    "P10 / median / P90".into(),
                    "Swing (working days)".into(),
                    "Source".into(),
                ],
                rows: assumptions,
            },
        ],
        charts: charts.iter().map(view).collect(),
        inputs: inputs_of(scenario),
        scenario_file: m.scenario_file.clone(),
        provenance: provenance(
            &m.scenario_file,
            &m.scenario_hash,
            m.seed,
            &format!(
                "{} per run, {} in all",
                thousands(m.replications as f64),
                thousands(m.replications_run as f64)
            ),
            &m.tool,
            &m.start,
            &m.horizon,
        ),
    };
    render(&page)
}

const NOT_BY_HORIZON: &str = "not by the horizon";

const FIGURE_HEAD: [&str; 5] = [
    "Output",
    "P10",
    "P50 (95 % interval)",
    "P90 (95 % interval)",
    "Mean ± MC error",
];

const FIGURES_NOTE: &str = "P10, P50, P90: a tenth, half and nine tenths of the runs are at or before (below) it; in brackets, the 95 % interval of that quantile over the Monte Carlo error (order statistics). Mean ± its Monte Carlo standard error, in working days for dates.";

/// One row of a figures table: label, P10, P50 (interval), P90 (interval), mean ± MC error.
fn figure_row(label: &str, x: &Metric) -> Vec<String> {
    let dates = x.dates.as_ref();
    let at = |v: Option<f64>, d: Option<&Option<String>>| match (d, v) {
        (Some(Some(d)), _) => human(d),
        (Some(None), _) | (None, None) => NOT_BY_HORIZON.to_string(),
        (None, Some(v)) => thousands(v),
    };
    let ci = |c: &Option<Option<[Option<f64>; 2]>>,
              d: Option<&Option<Option<[Option<String>; 2]>>>| {
        let bound = |i: usize| match d {
            Some(Some(Some(b))) => b[i].as_deref().map(human),
            _ => c.flatten().and_then(|b| b[i]).map(thousands),
        };
        match c {
            Some(Some(_)) => format!(
                " ({} – {})",
                bound(0).unwrap_or(NOT_BY_HORIZON.into()),
                bound(1).unwrap_or(NOT_BY_HORIZON.into())
            ),
            _ => String::new(),
        }
    };
    let mean = match (x.mean, x.mcse) {
        (Some(mean), Some(se)) => match dates.and_then(|d| d.mean.as_deref()) {
            Some(d) => format!("{} ± {} working days", human(d), one(se)),
            None => format!("{} ± {}", thousands(mean), one(se)),
        },
        (Some(mean), None) => thousands(mean),
        // A mean over runs some of which end beyond the horizon is not known (not a date).
        _ if x.censored > 0 => "not known (runs beyond the horizon)".into(),
        _ => "not known".into(),
    };
    vec![
        label.to_string(),
        at(x.p10, dates.map(|d| &d.p10)),
        format!(
            "{}{}",
            at(x.p50, dates.map(|d| &d.p50)),
            ci(&x.p50_ci, dates.map(|d| &d.p50_ci))
        ),
        format!(
            "{}{}",
            at(x.p90, dates.map(|d| &d.p90)),
            ci(&x.p90_ci, dates.map(|d| &d.p90_ci))
        ),
        mean,
    ]
}

fn provenance(
    file: &str,
    hash: &str,
    seed: u64,
    replications: &str,
    tool: &Tool,
    start: &str,
    horizon: &str,
) -> Vec<[String; 2]> {
    [
        ("Scenario file", file.to_string()),
        ("Scenario SHA-256", hash.to_string()),
        ("Seed", seed.to_string()),
        ("Replications", replications.to_string()),
        (
            "Start and horizon",
            format!("{} to {}", human(start), human(horizon)),
        ),
        ("vetsim version", tool.version.clone()),
        ("format_version", tool.format_version.to_string()),
        ("Computed on", tool.platform.clone()),
    ]
    .into_iter()
    .map(|(a, b)| [a.to_string(), b])
    .collect()
}

fn inputs_of(scenario: &[u8]) -> Option<inputs::Inputs> {
    inputs::inputs(std::str::from_utf8(scenario).ok()?)
}

/// A chart's view: its file as a `data:` URI, and its size from the SVG's root element.
fn view(c: &Chart) -> ChartView {
    let text = String::from_utf8_lossy(&c.svg);
    let attr = |name: &str| -> u32 {
        let head = text.split('>').next().unwrap_or("");
        head.split(&format!(" {name}=\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    ChartView {
        file: c.file.clone(),
        title: c.title.clone(),
        subtitle: c.subtitle.clone(),
        src: format!("data:image/svg+xml;base64,{}", base64(&c.svg)),
        width: attr("width"),
        height: attr("height"),
    }
}

/// Standard base64 (RFC 4648, with padding).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn human(iso: &str) -> String {
    Date::parse(iso)
        .map(|d| d.human())
        .unwrap_or_else(|_| iso.to_string())
}

fn thousands(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 || x.abs() >= 100.0 {
        crate::report::text::thousands(x)
    } else {
        format!("{x:.1}")
    }
}

/// One decimal.
fn one(x: f64) -> String {
    format!("{x:.1}")
}

fn percent(share: f64) -> String {
    format!("{:.1} %", 100.0 * share)
}

#[cfg(test)]
mod tests;
