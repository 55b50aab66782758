//! Turning a finished run into bytes: `summary.json`, `summary.csv`, `daily.csv`,
//! `replications.csv` and the plain-text summary for the terminal; and the one place that writes
//! files, atomically.
//!
//! Exporters are pure (`fn(..) -> Vec<u8>` or `String`), except `replications.csv`, which grows
//! with the replications and is written through any `io::Write` as it goes; the functions of
//! `writer` alone touch the disk.

pub mod summary;
pub mod text;
mod writer;

pub use summary::{DailyRow, Metric, Summary, daily_rows, summarise};
pub use writer::{Streamed, WriteError, check_target, write_dir, write_dir_streamed, write_files};

use crate::engine::RunResult;
use crate::model::TypeRecord;
use crate::scenario::Scenario;
use serde::Serialize;

/// `summary.json`: pretty-printed, keys in a fixed order, newline-terminated.
pub fn summary_json(s: &Summary) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(s).expect("summary serialises");
    v.push(b'\n');
    v
}

fn fmt_opt(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// One row of `summary.csv` (tidy: one row per metric, group and unit).
#[derive(Debug, Serialize)]
struct SummaryRow<'a> {
    metric: &'a str,
    /// Case type, source unit or hit category, when the metric has one.
    group: &'a str,
    unit: &'a str,
    n: u64,
    censored_share: f64,
    mean: String,
    mcse: String,
    p5: String,
    p10: String,
    p25: String,
    p50: String,
    p75: String,
    p90: String,
    p95: String,
}

/// `summary.csv`. Date metrics appear twice: in working days and as ISO dates (unit `date`).
pub fn summary_csv(s: &Summary) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for m in &s.metrics {
        let group = m
            .case_type
            .as_deref()
            .or(m.source.as_deref())
            .or(m.category.as_deref())
            .unwrap_or("");
        let q = m.quantiles();
        w.serialize(SummaryRow {
            metric: &m.metric,
            group,
            unit: &m.unit,
            n: m.n,
            censored_share: m.censored_share,
            mean: fmt_opt(m.mean),
            mcse: fmt_opt(m.mcse),
            p5: fmt_opt(q[0]),
            p10: fmt_opt(q[1]),
            p25: fmt_opt(q[2]),
            p50: fmt_opt(q[3]),
            p75: fmt_opt(q[4]),
            p90: fmt_opt(q[5]),
            p95: fmt_opt(q[6]),
        })
        .expect("in-memory CSV");
        if let Some(d) = &m.dates {
            let o = |x: &Option<String>| x.clone().unwrap_or_default();
            w.serialize(SummaryRow {
                metric: &m.metric,
                group,
                unit: "date",
                n: m.n,
                censored_share: m.censored_share,
                mean: o(&d.mean),
                mcse: String::new(),
                p5: o(&d.p5),
                p10: o(&d.p10),
                p25: o(&d.p25),
                p50: o(&d.p50),
                p75: o(&d.p75),
                p90: o(&d.p90),
                p95: o(&d.p95),
            })
            .expect("in-memory CSV");
        }
    }
    w.into_inner().expect("in-memory CSV")
}

/// `daily.csv`.
pub fn daily_csv(rows: &[DailyRow]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).expect("in-memory CSV");
    }
    w.into_inner().expect("in-memory CSV")
}

/// Writes `replications.csv` to `out` as it goes, so that a large run never holds it whole in
/// memory: one row per replication, everything its record holds. Columns after the fixed ones
/// repeat per case type (then `all`), per source unit and per hit category, named
/// `<field>__<name>`. Empty cells are censored (not by the horizon) or undefined (no case closed).
pub fn write_replications_csv(
    s: &Scenario,
    r: &RunResult,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<String> = [
        "replication",
        "screening_last_day",
        "screening_complete_date",
        "all_cases_closed_days",
        "all_cases_closed_date",
        "peak_open_cases",
        "peak_open_time_days",
        "open_cases_at_end",
        "end_time_days",
        "open_case_days",
    ]
    .iter()
    .map(|x| x.to_string())
    .collect();
    let type_fields = [
        "opened",
        "closed",
        "waited",
        "sum_wait_days",
        "p90_wait_days",
        "sum_time_in_system_days",
        "p90_time_in_system_days",
    ];
    let names: Vec<&str> = s
        .case_types
        .iter()
        .map(|c| c.name.as_str())
        .chain(std::iter::once("all"))
        .collect();
    for n in &names {
        for f in type_fields {
            header.push(format!("{f}__{n}"));
        }
    }
    for src in &s.sources {
        header.push(format!("diverted_officer_days__{src}"));
    }
    if let Some(sc) = &s.screening {
        for h in &sc.hits {
            header.push(format!("hit_rate__{}", h.name));
        }
    }
    w.write_record(&header)?;
    let nan_blank = |x: f64| {
        if x.is_nan() {
            String::new()
        } else {
            x.to_string()
        }
    };
    for rec in &r.records {
        let mut row: Vec<String> = vec![
            rec.replication.to_string(),
            rec.screening_last_day
                .map(|d| d.to_string())
                .unwrap_or_default(),
            rec.screening_last_day
                .and_then(|d| s.calendar.date_of_day(d as usize))
                .map(|d| d.to_string())
                .unwrap_or_default(),
            fmt_opt(rec.all_closed),
            rec.all_closed
                .map(|t| s.calendar.date_at_time(t).to_string())
                .unwrap_or_default(),
            rec.peak_open.to_string(),
            rec.peak_time.to_string(),
            rec.open_at_end.to_string(),
            rec.end_time.to_string(),
            rec.open_area.to_string(),
        ];
        let push_type = |row: &mut Vec<String>, t: &TypeRecord| {
            row.push(t.opened.to_string());
            row.push(t.closed.to_string());
            row.push(t.waited.to_string());
            row.push(t.sum_wait.to_string());
            row.push(nan_blank(t.p90_wait));
            row.push(t.sum_time_in_system.to_string());
            row.push(nan_blank(t.p90_time_in_system));
        };
        for t in &rec.types {
            push_type(&mut row, t);
        }
        push_type(&mut row, &rec.all);
        for d in &rec.source_days {
            row.push(d.to_string());
        }
        for p in &rec.hit_rates {
            row.push(p.to_string());
        }
        w.write_record(&row)?;
    }
    w.flush()
}

/// The files of a run directory made in memory, by name (charts aside). The one that grows with
/// the number of replications, `replications.csv`, is [`replications_file`], written straight to
/// disk.
pub fn run_files(s: &Scenario, r: &RunResult, summary: &Summary) -> Vec<(String, Vec<u8>)> {
    vec![
        ("summary.json".into(), summary_json(summary)),
        ("summary.csv".into(), summary_csv(summary)),
        ("daily.csv".into(), daily_csv(&daily_rows(s, r))),
    ]
}

/// `replications.csv`, to be written by [`write_dir_streamed`].
pub fn replications_file<'a>(s: &'a Scenario, r: &'a RunResult) -> Streamed<'a> {
    Streamed {
        name: "replications.csv".into(),
        write: Box::new(move |w| write_replications_csv(s, r, w)),
    }
}
