//! Turning a finished run into bytes: `summary.json`, `summary.csv`, `daily.csv`,
//! `replications.csv` and the plain-text summary for the terminal; and the one place that writes
//! files, atomically.
//!
//! Exporters are pure (`fn(..) -> Vec<u8>` or `String`), except `replications.csv`, which grows
//! with the replications and is written through any `io::Write` as it goes; the functions of
//! `writer` alone touch the disk.

pub(crate) mod decimal;
pub mod manifest;
pub mod summary;
pub mod text;
mod writer;

pub use summary::{
    DailyRow, Headline, Metric, Summary, daily_rows, daily_rows_of, date_of, headline_values,
    headlines, summarise, summarise_records, summarise_split, summarise_split_records,
};
pub use writer::{
    Main, Streamed, WRITTEN, WriteError, WriteFn, check_target, is_mount_point, write_dir,
    write_files, write_results,
};

use crate::engine::{RecordSet, RecordsError, RunResult};
use crate::scenario::Scenario;
use rayon::prelude::*;
use serde::Serialize;

/// `summary.json`: pretty-printed, keys in a fixed order, newline-terminated.
pub fn summary_json(s: &Summary) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(s).expect("summary serialises");
    v.push(b'\n');
    v
}

/// A real number for a CSV cell: always with a point ([`decimal::real`]), empty when undefined.
pub(crate) fn real_cell(x: Option<f64>) -> String {
    x.map(decimal::real).unwrap_or_default()
}

/// One row of `summary.csv` (tidy: one row per metric and group). Each column holds one type, so
/// pandas and polars read it without options: the estimates in the metric's unit are reals (with
/// a point), and a date metric's estimates as ISO dates are in the `*_date` columns beside them
/// (empty for other metrics and where the estimate is beyond the horizon).
#[derive(Debug, Serialize)]
struct SummaryRow<'a> {
    metric: &'a str,
    /// Case type, source unit or hit category, when the metric has one.
    group: &'a str,
    unit: &'a str,
    n: u64,
    censored_share: String,
    mean: String,
    mcse: String,
    p5: String,
    p10: String,
    p25: String,
    p50: String,
    p75: String,
    p90: String,
    p95: String,
    mean_date: &'a str,
    p5_date: &'a str,
    p10_date: &'a str,
    p25_date: &'a str,
    p50_date: &'a str,
    p75_date: &'a str,
    p90_date: &'a str,
    p95_date: &'a str,
}

/// `summary.csv`: one row per metric and group; a date metric's dates in its `*_date` columns.
pub fn summary_csv(s: &Summary) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for m in &s.metrics {
        let period;
        let group = match (&m.team, &m.period) {
            (Some(team), Some(p)) => {
                period = summary::period_label(team, p.entry);
                period.as_str()
            }
            _ => m
                .case_type
                .as_deref()
                .or(m.source.as_deref())
                .or(m.category.as_deref())
                .or(m.team.as_deref())
                .unwrap_or(""),
        };
        let q = m.quantiles();
        let d = m.dates.as_ref();
        let day = |f: fn(&summary::DateEstimates) -> &Option<String>| {
            d.and_then(|d| f(d).as_deref()).unwrap_or("")
        };
        w.serialize(SummaryRow {
            metric: &m.metric,
            group,
            unit: &m.unit,
            n: m.n,
            censored_share: decimal::real(m.censored_share),
            mean: real_cell(m.mean),
            mcse: real_cell(m.mcse),
            p5: real_cell(q[0]),
            p10: real_cell(q[1]),
            p25: real_cell(q[2]),
            p50: real_cell(q[3]),
            p75: real_cell(q[4]),
            p90: real_cell(q[5]),
            p95: real_cell(q[6]),
            mean_date: day(|d| &d.mean),
            p5_date: day(|d| &d.p5),
            p10_date: day(|d| &d.p10),
            p25_date: day(|d| &d.p25),
            p50_date: day(|d| &d.p50),
            p75_date: day(|d| &d.p75),
            p90_date: day(|d| &d.p90),
            p95_date: day(|d| &d.p95),
        })
        .expect("in-memory CSV");
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
/// repeat per case type (then `all`), per case type with a `backlog_target`
/// (`back_to_target_days__<type>`), per source unit and per hit category, named
/// `<field>__<name>`. Empty cells are censored (not by the horizon) or undefined (no case closed).
/// Rows are formatted in parallel on the current rayon pool (run it inside `install` to choose
/// the threads); the bytes do not depend on the thread count.
pub fn write_replications_csv<R: RecordSet>(
    s: &Scenario,
    r: &RunResult<R>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(&mut *out);
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
        "measured",
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
    for (ty, _) in s.backlog_targets() {
        header.push(format!("back_to_target_days__{}", s.case_types[ty].name));
    }
    for src in &s.sources {
        header.push(format!("diverted_officer_days__{src}"));
    }
    if let Some(sc) = &s.screening {
        for h in &sc.hits {
            header.push(format!("hit_rate__{}", h.name));
        }
    }
    for a in s.assumption_columns() {
        header.push(format!("assumption__{a}"));
    }
    for t in &s.teams {
        for f in ["busy_person_days", "on_duty_person_days", "utilisation"] {
            header.push(format!("{f}__{}", t.name));
        }
    }
    for t in &s.teams {
        for k in 0..t.staff.len() {
            let label = summary::period_label(&t.name, k);
            for f in ["busy_person_days", "on_duty_person_days", "utilisation"] {
                header.push(format!("{f}__{label}"));
            }
        }
    }
    w.write_record(&header)?;
    w.flush()?;
    drop(w);
    // Rows are formatted in parallel, a window of replications at a time (so memory stays
    // bounded whatever their number), each chunk into its own bytes by `replication_rows`, and
    // written in replication order: the same bytes as one CSV writer row by row. Formatting
    // dominated the serial end of a long run (0.33 s of 3.4 s for 100,000 replications of
    // screen-v1-stress, before it was parallel and went through `decimal`).
    const CHUNK: usize = 128;
    const WINDOW: usize = 16 * CHUNK;
    r.records
        .try_for_each_chunk(&mut |records| -> std::io::Result<()> {
            for window in records.chunks(WINDOW) {
                let parts: Vec<Vec<u8>> = window
                    .par_chunks(CHUNK)
                    .map(|recs| replication_rows(s, recs))
                    .collect();
                for part in parts {
                    out.write_all(&part)?;
                }
            }
            Ok(())
        })?;
    out.flush()
}

/// The rows of `replications.csv` for `recs`, as CSV bytes: the same bytes as a CSV writer given
/// each field's `Display`, with `.0` after a whole real (so a column of reals reads as one type),
/// empty for `None` and for a P90 that is NaN because no case of the type closed; written
/// straight into one buffer. No field needs quoting (numbers, ISO dates, or empty in a row of
/// many fields), and the numbers go through [`decimal`], which matches `Display` byte for byte at
/// a fraction of the cost.
fn replication_rows(s: &Scenario, recs: &[crate::model::RepRecord]) -> Vec<u8> {
    use std::io::Write as _;
    let mut out = Vec::with_capacity(recs.len() * 512);
    // Each field is followed by a comma; the row's last comma becomes its newline.
    let real = |out: &mut Vec<u8>, x: f64| {
        decimal::push_real(out, x);
        out.push(b',');
    };
    // A P90 is NaN when no case of the type closed: written empty.
    let p90 = |out: &mut Vec<u8>, x: f64| {
        if !x.is_nan() {
            decimal::push_real(out, x);
        }
        out.push(b',');
    };
    let int = |out: &mut Vec<u8>, v: u64| {
        decimal::push_u64(out, v);
        out.push(b',');
    };
    let date = |out: &mut Vec<u8>, d: Option<crate::calendar::Date>| {
        if let Some(d) = d {
            write!(out, "{d}").expect("writing into a Vec cannot fail");
        }
        out.push(b',');
    };
    for rec in recs {
        int(&mut out, rec.replication);
        match rec.screening_last_day {
            Some(d) => int(&mut out, u64::from(d)),
            None => out.push(b','),
        }
        let screening_date = rec
            .screening_last_day
            .and_then(|d| s.calendar.date_of_day(d as usize));
        date(&mut out, screening_date);
        match rec.all_closed {
            Some(t) => real(&mut out, t),
            None => out.push(b','),
        }
        date(&mut out, rec.all_closed.map(|t| s.calendar.date_at_time(t)));
        int(&mut out, u64::from(rec.peak_open));
        real(&mut out, rec.peak_time);
        int(&mut out, u64::from(rec.open_at_end));
        real(&mut out, rec.end_time);
        real(&mut out, rec.open_area);
        for t in rec.types.iter().chain(std::iter::once(&rec.all)) {
            int(&mut out, u64::from(t.opened));
            int(&mut out, u64::from(t.closed));
            int(&mut out, u64::from(t.measured));
            int(&mut out, u64::from(t.waited));
            real(&mut out, t.sum_wait);
            p90(&mut out, t.p90_wait);
            real(&mut out, t.sum_time_in_system);
            p90(&mut out, t.p90_time_in_system);
        }
        for b in &rec.back_to_target {
            match *b {
                Some(t) => real(&mut out, t),
                None => out.push(b','),
            }
        }
        for &d in &rec.source_days {
            real(&mut out, d);
        }
        for &p in &rec.hit_rates {
            real(&mut out, p);
        }
        for &v in &rec.assumptions {
            real(&mut out, v);
        }
        // Utilisation is empty where undefined (nobody on duty).
        for x in rec.teams.iter().chain(&rec.periods) {
            real(&mut out, x.busy);
            real(&mut out, x.on_duty);
            match x.utilisation() {
                Some(u) => real(&mut out, u),
                None => out.push(b','),
            }
        }
        if let Some(last) = out.last_mut() {
            *last = b'\n';
        }
    }
    out
}

/// The files of a run directory made in memory, by name (charts aside). The one that grows with
/// the number of replications, `replications.csv`, is [`replications_file`], written straight to
/// disk.
pub fn run_files<R: RecordSet>(
    s: &Scenario,
    r: &RunResult<R>,
    summary: &Summary,
) -> Result<Vec<(String, Vec<u8>)>, RecordsError> {
    Ok(vec![
        ("summary.json".into(), summary_json(summary)),
        ("summary.csv".into(), summary_csv(summary)),
        (
            "daily.csv".into(),
            daily_csv(&summary::daily_rows_of(s, r)?),
        ),
    ])
}

/// `replications.csv`, to be written by [`write_results`].
pub fn replications_file<'a, R: RecordSet>(s: &'a Scenario, r: &'a RunResult<R>) -> Streamed<'a> {
    Streamed {
        name: "replications.csv".into(),
        write: Box::new(move |w| write_replications_csv(s, r, w)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// daily.csv's screened-records rows (which skip the replications that have finished
    /// screening) equal, bit for bit, the mean and type-7 quantiles of every replication's count
    /// sorted afresh each day: with a drawn pace, a pause and a restart, with a horizon that
    /// some replications do not finish screening by and with one that all do.
    #[test]
    fn screened_records_by_day_match_every_count_sorted_each_day() {
        // Restarting at 16 a day some replications do not finish by the horizon; at 30 all do.
        for (restart, some_unfinished) in [(16, true), (30, false)] {
            let s = Scenario::from_toml_str(
                &r#"
name = "screened"
start = 2024-01-01
horizon = 2024-08-30
[calendar]
holidays = "none"
[screening]
records = 3000
already_checked = 200
[screening.throughput]
records_per_day = { dist = "uniform", min = 10, max = 40 }
changes = [
  { from = 2024-02-01, records_per_day = 0 },
  { from = 2024-02-15, records_per_day = RESTART },
]
[[screening.hits]]
name = "hit"
case_type = "a"
rate = 0.01
[[case_types]]
name = "a"
effort = 6
teams = ["t"]
[[teams]]
name = "t"
hours_per_day = 6
headcount = [{ count = 2 }]
"#
                .replace("RESTART", &restart.to_string()),
                "screened.toml",
            )
            .unwrap();
            let r = crate::engine::run(&s, 300, 5, &crate::engine::Silent).unwrap();
            let sc = s.screening.as_ref().unwrap();
            let paces: Vec<crate::model::Pace> = r
                .records
                .iter()
                .map(|x| crate::model::Pace::new(sc, x.screening_pace, x.screening_factor))
                .collect();
            let total = (sc.already_checked + sc.remaining()) as f64;
            let mut mixed = false;
            let mut rows = 0;
            for row in daily_rows(&s, &r)
                .iter()
                .filter(|x| x.metric == "screened_records")
            {
                let mut all: Vec<f64> = paces
                    .iter()
                    .map(|x| {
                        (sc.already_checked + x.checked_by_end_of(row.working_day as u32)) as f64
                    })
                    .collect();
                all.sort_by(f64::total_cmp);
                // A day on which some replications have finished and others have not.
                mixed |= all.last() == Some(&total) && all.first() != Some(&total);
                let mean = all.iter().sum::<f64>() / all.len() as f64;
                let q = crate::stats::QUANTILE_PROBS.map(|p| {
                    crate::stats::quantile_type7_sorted(&all, p)
                        .unwrap()
                        .to_bits()
                });
                let got = [row.p5, row.p10, row.p25, row.p50, row.p75, row.p90, row.p95];
                assert_eq!(
                    row.mean.map(f64::to_bits),
                    Some(mean.to_bits()),
                    "day {}",
                    row.working_day
                );
                assert_eq!(
                    got.map(|x| x.map(f64::to_bits)),
                    q.map(Some),
                    "day {}",
                    row.working_day
                );
                rows += 1;
            }
            assert!(rows > 100 && mixed);
            assert_eq!(
                r.records.iter().any(|x| x.screening_last_day.is_none()),
                some_unfinished
            );
        }
    }

    /// `replications.csv`, formatted in parallel chunks and windows, is byte for byte what one
    /// CSV writer gives row by row with each field's `Display` (`.0` after a whole real; empty
    /// for `None` and for a NaN P90), over more replications than a window and with any thread count.
    #[test]
    fn replication_rows_in_parallel_chunks_match_row_by_row() {
        // Two types, one of which never closes a case by the horizon (NaN P90s), a diverted
        // source and an observed hit rate; some replications unfinished (no all_closed date).
        let s = Scenario::from_toml_str(
            r#"
name = "rows"
start = 2024-01-01
horizon = 2024-03-29
[calendar]
holidays = "none"
[screening]
records = 400
throughput = { records_per_day = 20 }
[[screening.hits]]
name = "hit"
case_type = "a"
rate = { observed = 3, of = 100 }
[[case_types]]
name = "a"
effort = { dist = "lognormal", mean = 30, sd = 20 }
teams = ["t"]
[[case_types]]
name = "never"
effort = 6
teams = ["t"]
[[teams]]
name = "t"
hours_per_day = 6
headcount = [{ count = 1 }, { count = 1, to = 2024-01-31, source = "x" }]
"#,
            "rows.toml",
        )
        .unwrap();
        let n = 2 * 16 * 128 + 77; // two windows and part of a third
        let plain = {
            let r = crate::engine::run(&s, n, 9, &crate::engine::Silent).unwrap();
            let mut w = csv::Writer::from_writer(Vec::new());
            let mut reference = Vec::new();
            write_replications_csv(&s, &r, &mut reference).unwrap();
            let header_end = reference.iter().position(|&b| b == b'\n').unwrap() + 1;
            // Reals as `Display` writes them, with `.0` after a whole number.
            let real = |x: f64| {
                let t = x.to_string();
                if t.contains('.') { t } else { t + ".0" }
            };
            let f = |x: f64| {
                if x.is_nan() { String::new() } else { real(x) }
            };
            let mut some_unfinished = false;
            for rec in &r.records {
                some_unfinished |= rec.all_closed.is_none();
                let mut row = vec![
                    rec.replication.to_string(),
                    rec.screening_last_day
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    rec.screening_last_day
                        .and_then(|d| s.calendar.date_of_day(d as usize))
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    rec.all_closed.map(real).unwrap_or_default(),
                    rec.all_closed
                        .map(|t| s.calendar.date_at_time(t).to_string())
                        .unwrap_or_default(),
                    rec.peak_open.to_string(),
                    real(rec.peak_time),
                    rec.open_at_end.to_string(),
                    real(rec.end_time),
                    real(rec.open_area),
                ];
                for t in rec.types.iter().chain([&rec.all]) {
                    row.extend([
                        t.opened.to_string(),
                        t.closed.to_string(),
                        t.measured.to_string(),
                        t.waited.to_string(),
                        real(t.sum_wait),
                        f(t.p90_wait),
                        real(t.sum_time_in_system),
                        f(t.p90_time_in_system),
                    ]);
                }
                row.extend(rec.source_days.iter().map(|&d| real(d)));
                row.extend(rec.hit_rates.iter().map(|&p| real(p)));
                row.extend(rec.assumptions.iter().map(|&p| real(p)));
                for x in rec.teams.iter().chain(&rec.periods) {
                    row.extend([
                        real(x.busy),
                        real(x.on_duty),
                        x.utilisation().map(real).unwrap_or_default(),
                    ]);
                }
                w.write_record(&row).unwrap();
            }
            assert!(some_unfinished, "the test covers empty dates");
            assert!(r.records.iter().all(|x| x.types[1].p90_wait.is_nan()));
            let mut expected = reference[..header_end].to_vec();
            expected.extend(w.into_inner().unwrap());
            (expected, reference)
        };
        assert_eq!(
            String::from_utf8(plain.1.clone()).unwrap(),
            String::from_utf8(plain.0).unwrap()
        );
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let again = pool.install(|| {
                let r = crate::engine::run(&s, n, 9, &crate::engine::Silent).unwrap();
                let mut out = Vec::new();
                write_replications_csv(&s, &r, &mut out).unwrap();
                out
            });
            assert_eq!(again, plain.1, "{threads} threads");
        }
    }
}
