//! Every CSV vetsim writes has one type per column, so pandas and polars read it without options
//! (CI also reads the committed ones with the real pandas and polars: `.ci/check-csv-types.py`).

use super::{root, vetsim};
use std::fs;
use std::path::Path;

/// The type of one cell's text, as pandas and polars would infer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Integer,
    Real,
    Date,
    Boolean,
    Text,
}

fn kind(cell: &str) -> Kind {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = cell.strip_prefix('-').unwrap_or(cell);
    if digits(unsigned) {
        return Kind::Integer;
    }
    let mantissa = unsigned.split(['e', 'E']).next().unwrap_or("");
    if cell.parse::<f64>().is_ok_and(f64::is_finite)
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && mantissa.bytes().any(|b| b.is_ascii_digit())
    {
        return Kind::Real;
    }
    let b = cell.as_bytes();
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    {
        return Kind::Date;
    }
    if cell == "true" || cell == "false" {
        return Kind::Boolean;
    }
    Kind::Text
}

#[test]
fn cells_are_classified_as_a_csv_reader_infers_them() {
    assert_eq!(kind("0"), Kind::Integer);
    assert_eq!(kind("-12"), Kind::Integer);
    assert_eq!(kind("0.0"), Kind::Real);
    assert_eq!(kind("-0.5"), Kind::Real);
    assert_eq!(kind("1e16"), Kind::Real);
    assert_eq!(kind("2024-07-04"), Kind::Date);
    assert_eq!(kind("true"), Kind::Boolean);
    assert_eq!(kind("not by horizon"), Kind::Text);
    assert_eq!(kind("inf"), Kind::Text);
}

/// The columns of `path` that mix kinds, as `column: kinds` (empty cells are missing values).
fn mixed_columns(path: &Path) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let mut kinds = vec![std::collections::BTreeSet::new(); header.len()];
    let mut rows = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        assert_eq!(rec.len(), header.len(), "{}: ragged row", path.display());
        for (i, cell) in rec.iter().enumerate() {
            if !cell.is_empty() {
                kinds[i].insert(kind(cell));
            }
        }
        rows += 1;
    }
    assert!(rows > 0, "{} has no rows", path.display());
    let unique: std::collections::BTreeSet<&String> = header.iter().collect();
    assert_eq!(
        unique.len(),
        header.len(),
        "{}: repeated column names",
        path.display()
    );
    header
        .iter()
        .zip(&kinds)
        .filter(|(_, k)| k.len() > 1)
        .map(|(h, k)| format!("{}: {h}: {k:?}", path.display()))
        .collect()
}

/// Runs, a comparison (with variants whose finish is beyond a short horizon, so some of their
/// dates are empty) and a sensitivity analysis:
/// no CSV among their results mixes kinds in a column, and the date metrics' dates are in their
/// own columns of `summary.csv`.
#[test]
fn every_csv_has_one_type_per_column() {
    let dir = tempfile::tempdir().unwrap();
    // A horizon near the P80 of the last case closing: most runs finish, some do not.
    let met = fs::read_to_string(root().join("scenarios/met-2023.toml")).unwrap();
    let short = met.replace("horizon = 2026-12-31", "horizon = 2024-09-30");
    assert_ne!(short, met, "the horizon line moved: update this test");
    let scenario = dir.path().join("short.toml");
    fs::write(&scenario, short).unwrap();
    let runs = [
        (vec!["run", "-n", "40", "-q"], "run-met"),
        (vec!["run", "-n", "40", "-q"], "run-short"),
        (
            vec![
                "compare",
                "-n",
                "20",
                "-q",
                "--vary",
                "teams.dps_investigators.headcount[0].count=40,41,60",
            ],
            "compare",
        ),
        (vec!["sensitivity", "-n", "10", "-q"], "sensitivity"),
    ];
    let mut csvs = Vec::new();
    for (args, name) in runs {
        let out = dir.path().join(name);
        let mut cmd = vetsim();
        cmd.args(&args).arg("-o").arg(&out);
        if name != "run-met" {
            cmd.arg(&scenario);
        }
        cmd.assert().success();
        for e in fs::read_dir(&out).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "csv") {
                csvs.push(p);
            }
        }
    }
    let names: std::collections::BTreeSet<String> = csvs
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for want in [
        "summary.csv",
        "daily.csv",
        "replications.csv",
        "comparison.csv",
        "sensitivity.csv",
    ] {
        assert!(names.contains(want), "no {want} among {names:?}");
    }
    let mixed: Vec<String> = csvs.iter().flat_map(|p| mixed_columns(p)).collect();
    assert!(
        mixed.is_empty(),
        "columns of more than one type:\n{}",
        mixed.join("\n")
    );

    // The short horizon censors some runs: empty date cells, and dates in their own columns.
    let summary = fs::read_to_string(dir.path().join("run-short/summary.csv")).unwrap();
    let mut r = csv::Reader::from_reader(summary.as_bytes());
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (metric, p50, p50_date, p95_date, censored) = (
        col("metric"),
        col("p50"),
        col("p50_date"),
        col("p95_date"),
        col("censored_share"),
    );
    let row = r
        .records()
        .map(Result::unwrap)
        .find(|rec| &rec[metric] == "all_cases_closed")
        .unwrap();
    let share: f64 = row[censored].parse().unwrap();
    assert!(
        share > 0.05 && share < 0.95,
        "censored share {share}: move the horizon"
    );
    assert_eq!(kind(&row[p50_date]), Kind::Date);
    assert_eq!(kind(&row[p50]), Kind::Real);
    if share > 0.05 {
        assert_eq!(&row[p95_date], "", "a P95 among censored runs has no date");
    }
}
