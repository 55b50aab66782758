//! The one integration binary: runs the real `vetsim` command as a user would.

mod corpus;
mod hardening;
mod interrupt;
mod report;
mod shard;
mod tidy;

use assert_cmd::Command;
use predicates::prelude::*;
use std::fs;
use std::path::Path;

fn vetsim() -> Command {
    Command::cargo_bin("vetsim").unwrap()
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn run_default_scenario_writes_results_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    // From a directory that holds no scenario: the default is embedded in the binary.
    vetsim()
        .current_dir(dir.path())
        .args(["run", "-n", "40", "--seed", "3"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Screening finishes"))
        .stdout(predicate::str::contains("All cases closed"))
        .stdout(predicate::str::contains("Peak caseload"))
        .stdout(predicate::str::contains("output/met-2023/"));
    let out = dir.path().join("output/met-2023");
    for f in [
        "summary.json",
        "summary.csv",
        "daily.csv",
        "replications.csv",
    ] {
        assert!(out.join(f).is_file(), "{f} written");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(json["meta"]["replications"], 40);
    assert_eq!(json["meta"]["seed"], 3);
    assert_eq!(json["meta"]["rand"], "0.10.3");
    assert_eq!(json["meta"]["rand_distr"], "0.6.0");
    let names: Vec<&str> = json["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["metric"].as_str().unwrap())
        .collect();
    for required in [
        "screening_complete",
        "all_cases_closed",
        "peak_open_cases",
        "wait_days",
        "time_in_system_days",
        "cases_opened",
        "diverted_officer_days",
        "censored_share",
    ] {
        assert!(names.contains(&required), "metric {required} present");
    }
    // replications.csv has a header and one row per replication.
    let reps = fs::read_to_string(out.join("replications.csv")).unwrap();
    assert_eq!(reps.lines().count(), 41);
}

#[test]
fn summary_is_byte_identical_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/verification/screen-v1-stress.toml");
    let mut outputs = Vec::new();
    for threads in ["1", "2", "4"] {
        let out = dir.path().join(format!("t{threads}"));
        vetsim()
            .args(["run", "-n", "100", "-q", "-j", threads, "-o"])
            .arg(&out)
            .arg(&scenario)
            .assert()
            .success()
            .stdout("");
        outputs.push((
            fs::read(out.join("summary.json")).unwrap(),
            fs::read(out.join("daily.csv")).unwrap(),
            fs::read(out.join("replications.csv")).unwrap(),
        ));
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn validate_accepts_every_shipped_scenario() {
    let mut cmd = vetsim();
    cmd.arg("validate");
    for f in [
        "scenarios/met-2023.toml",
        "scenarios/verification/screen-v1.toml",
        "scenarios/verification/screen-v1-stress.toml",
        "scenarios/verification/mmc.toml",
        "scenarios/verification/mm1.toml",
    ] {
        cmd.arg(root().join(f));
    }
    cmd.assert()
        .success()
        .stdout(predicate::str::contains("valid").count(5));
    // Quiet: the exit code is the answer; an error still goes to standard error.
    vetsim()
        .args(["validate", "-q"])
        .arg(root().join("scenarios/verification/mm1.toml"))
        .assert()
        .success()
        .stdout("");
    vetsim()
        .args(["validate", "--quiet"])
        .arg(root().join("scenarios/verification/mm1.toml"))
        .arg(root().join("tests/bad-scenarios/61-team-never-staffed.toml"))
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("61-team-never-staffed.toml"));
    // A scenario with an [experiment] from a pipe: read once (a pipe cannot be read again).
    if Path::new("/dev/stdin").exists() {
        vetsim()
            .args(["validate", "/dev/stdin"])
            .write_stdin(fs::read(root().join("scenarios/met-2023-diversion.toml")).unwrap())
            .assert()
            .success()
            .stdout(predicate::str::contains("/dev/stdin: valid"));
    }
}

#[test]
fn bad_input_exits_2_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let text = fs::read_to_string(root().join("scenarios/verification/screen-v1.toml"))
        .unwrap()
        .replace("rate = 0.0038", "rate = 1.5");
    fs::write(&bad, text).unwrap();
    let line = fs::read_to_string(&bad)
        .unwrap()
        .lines()
        .position(|l| l.contains("rate = 1.5"))
        .unwrap()
        + 1;
    vetsim()
        .arg("validate")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("bad.toml:{line}:")))
        .stderr(predicate::str::contains("screening.hits[0].rate"))
        .stderr(predicate::str::contains("1.5 is not a probability"));
    // run refuses it too, and writes nothing.
    let out = dir.path().join("out");
    vetsim()
        .args(["run", "-q", "-o"])
        .arg(&out)
        .arg(&bad)
        .assert()
        .code(2);
    assert!(!out.exists());
}

/// An arrival stream whose end is a distribution of dates runs: `replications.csv` has its
/// drawn end (working days since the start) and `meta.assumptions` says so in `unit`.
#[test]
fn an_uncertain_stream_end_runs_and_is_reported_in_working_days() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ends.toml");
    let text = fs::read_to_string(root().join("tests/bad-scenarios/base.toml"))
        .unwrap()
        .replace(
            "to = 2024-09-30",
            "to = { dist = \"triangular\", min = 2024-06-03, mode = 2024-09-30, max = 2024-12-20, source = \"judgment: the appeal runs to the autumn\" }",
        );
    fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    vetsim()
        .args(["run", "-q", "-n", "20", "-o"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    let entry = json["meta"]["assumptions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "arrivals.hotline.to")
        .unwrap();
    assert_eq!(entry["unit"], "working days since the start");
    assert_eq!(entry["source"], "judgment: the appeal runs to the autumn");
    let (low, high) = (
        entry["low"].as_f64().unwrap(),
        entry["high"].as_f64().unwrap(),
    );
    // No other entry has a unit.
    assert!(
        (json["meta"]["assumptions"].as_array().unwrap().iter())
            .filter(|a| a.get("unit").is_some())
            .count()
            == 1
    );
    let reps = fs::read_to_string(out.join("replications.csv")).unwrap();
    let mut lines = reps.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|c| *c == "assumption__arrivals.hotline.to")
        .unwrap();
    let ends: Vec<f64> = lines
        .map(|l| l.split(',').nth(col).unwrap().parse().unwrap())
        .collect();
    assert_eq!(ends.len(), 20);
    // Between the ends of 3 June and 20 December 2024 (working days 106 and 248 here), one
    // draw per replication.
    assert!(
        ends.iter().all(|&e| (106.0..248.0).contains(&e)),
        "{ends:?}"
    );
    assert!(ends.windows(2).any(|w| w[0] != w[1]));
    assert!(106.0 < low && low < high && high < 248.0);
}

#[test]
fn syntax_errors_point_at_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("typo.toml");
    fs::write(
        &bad,
        "name = \"x\"\nstart = 2023-01-02\nhorizon = 2023-12-31\nreplicatoins = 5\n",
    )
    .unwrap();
    vetsim()
        .arg("validate")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("typo.toml:4:1"))
        .stderr(predicate::str::contains("did you mean `replications`?"));
}

#[test]
fn missing_file_and_bad_usage_exit_2() {
    vetsim()
        .args(["run", "/nonexistent/scenario.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/scenario.toml"));
    vetsim()
        .args(["run", "--replications", "0"])
        .assert()
        .code(2);
    vetsim().arg("frobnicate").assert().code(2);
    // A negative number is a bad value of its option, not taken for an unknown option (clap's
    // advice for that, `-- -1`, would make it the scenario path).
    for (flag, shown) in [
        ("--seed", "'--seed <SEED>'"),
        ("-n", "'--replications"),
        ("-j", "'--threads"),
    ] {
        vetsim()
            .args(["run", flag, "-1"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "invalid value '-1' for {shown}"
            )));
    }
}

#[test]
fn a_failed_run_leaves_previous_results_intact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let scenario = root().join("scenarios/verification/screen-v1.toml");
    vetsim()
        .args(["run", "-n", "10", "-q", "-o"])
        .arg(&out)
        .arg(&scenario)
        .assert()
        .success();
    let before = fs::read(out.join("summary.json")).unwrap();
    let bad = dir.path().join("bad.toml");
    fs::write(&bad, "name = \"x\"\n").unwrap();
    vetsim()
        .args(["run", "-q", "-o"])
        .arg(&out)
        .arg(&bad)
        .assert()
        .code(2);
    assert_eq!(fs::read(out.join("summary.json")).unwrap(), before);
}

/// The four commands that write a results directory (`-o` and a scenario follow), each on
/// screen-v1 with five replications.
fn writing_commands() -> [Vec<&'static str>; 5] {
    [
        vec!["run", "-n", "5", "-q", "--png"],
        vec!["run", "-n", "5", "-q", "--shard", "2/2"],
        vec!["sensitivity", "-n", "5", "-q", "--png"],
        vec![
            "compare",
            "-n",
            "5",
            "-q",
            "--png",
            "--vary",
            "teams.investigators.headcount[0].count=40,41",
        ],
        vec![
            "solve",
            "-n",
            "5",
            "-q",
            "--param",
            "teams.investigators.headcount[0].count",
            "--target-date",
            "2024-06-28",
        ],
    ]
}

/// `vetsim sensitivity` on the built-in scenario: every assumption ranked by its swing on the last
/// case closing, with the split; the same bytes whatever the thread count; `plot --check`
/// accepts its chart, finds a stale one (exit 3), and `plot` redraws it byte for byte.
#[test]
fn sensitivity_ranks_the_assumptions_and_plot_redraws_its_chart() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let out = vetsim()
        .args(["sensitivity", "-n", "24", "-j", "1", "-o"])
        .arg(&a)
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("screening.throughput.factor"), "{text}");
    assert!(text.contains("comes from what is assumed"), "{text}");
    vetsim()
        .args(["sensitivity", "-n", "24", "-j", "2", "-q", "-o"])
        .arg(&b)
        .assert()
        .success()
        .stdout("");
    for name in [
        "sensitivity.json",
        "sensitivity.csv",
        "sensitivity.svg",
        "scenario.toml",
    ] {
        assert_eq!(
            fs::read(a.join(name)).unwrap(),
            fs::read(b.join(name)).unwrap(),
            "{name}"
        );
    }
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(a.join("sensitivity.json")).unwrap()).unwrap();
    let ranked = json["assumptions"].as_array().unwrap();
    assert!(ranked.len() >= 3, "{ranked:?}");
    let k = json["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .position(|o| o["metric"] == "all_cases_closed")
        .unwrap();
    let swings: Vec<f64> = ranked
        .iter()
        .map(|r| r["effects"][k]["swing"].as_f64().unwrap().abs())
        .collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]), "{swings:?}");
    assert!(json["outputs"][k]["assumptions_share"].is_number());
    assert!(json["manifest"].is_object());
    // The csv: one row per assumption and headline output, under a header.
    let csv = fs::read_to_string(a.join("sensitivity.csv")).unwrap();
    let outputs = json["outputs"].as_array().unwrap().len();
    assert_eq!(csv.lines().count(), 1 + ranked.len() * outputs);
    // The tornado's title names the top assumption.
    let svg = fs::read_to_string(a.join("sensitivity.svg")).unwrap();
    let top = ranked[0]["name"].as_str().unwrap();
    assert!(svg.contains(&format!("hinges most on {top}")), "{top}");
    // Its subtitle gives the forecast's mean date (every assumption drawn) beside the centre's
    // (every assumption at its median): the words of the chart's text lines, joined.
    let words = svg
        .split("</text>")
        .filter_map(|t| t.rsplit_once('>').map(|(_, w)| w.trim()))
        .collect::<Vec<_>>()
        .join(" ");
    let mean_date = json["outputs"][k]["mean_date"].as_str().unwrap();
    let (y, m, d) = (&mean_date[..4], &mean_date[5..7], &mean_date[8..]);
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][m.parse::<usize>().unwrap() - 1];
    let human = format!("{} {month} {y}", d.trim_start_matches('0'));
    assert!(
        words.contains(&format!(
            "With every assumption drawn, as in the forecast, the mean is {human}"
        )),
        "{human}: {words}"
    );
    vetsim()
        .arg("plot")
        .arg("--check")
        .arg(&a)
        .assert()
        .success();
    vetsim()
        .args(["plot", "--check", "-q"])
        .arg(&a)
        .assert()
        .success()
        .stdout("");
    fs::write(a.join("sensitivity.svg"), b"<svg/>").unwrap();
    vetsim()
        .arg("plot")
        .arg("--check")
        .arg("--quiet")
        .arg(&a)
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains("sensitivity.svg"));
    vetsim()
        .args(["plot", "-q"])
        .arg(&a)
        .assert()
        .success()
        .stdout("");
    assert_eq!(
        fs::read(a.join("sensitivity.svg")).unwrap(),
        fs::read(b.join("sensitivity.svg")).unwrap()
    );
    // Bad input is refused before any run, as by `run`.
    vetsim()
        .current_dir(root())
        .args([
            "sensitivity",
            "tests/bad-scenarios/61-team-never-staffed.toml",
            "-q",
            "-o",
        ])
        .arg(dir.path().join("bad"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("61-team-never-staffed.toml"));
    assert!(!dir.path().join("bad").exists());
}

/// `-o` pointing at a directory of the user's own files (or at a file) is refused before the run,
/// with exit code 2, and nothing in it is touched: results directories are replaced whole.
#[test]
fn an_output_directory_that_is_not_results_is_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("project");
    fs::create_dir(&mine).unwrap();
    fs::write(mine.join("notes.txt"), b"board paper").unwrap();
    let scenario = root().join("scenarios/verification/screen-v1.toml");
    for cmd in writing_commands() {
        vetsim()
            .args(&cmd)
            .arg("-o")
            .arg(&mine)
            .arg(&scenario)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "not empty and holds no vetsim results",
            ));
        assert_eq!(interrupt::names(&mine), ["notes.txt"], "{cmd:?}");
    }
    let file = dir.path().join("a-file");
    fs::write(&file, b"x").unwrap();
    vetsim()
        .args(["run", "-n", "5", "-q", "-o"])
        .arg(&file)
        .arg(&scenario)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a directory"));
    vetsim()
        .current_dir(&mine)
        .args(["run", "-n", "5", "-q", "-o", "."])
        .arg(&scenario)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("current directory"));
}

/// Results with other files beside them (the scenario kept with its results and edited, notes)
/// are not replaced: the run is refused, naming those files, and everything stays. Every file
/// that run, compare and solve write is one the check knows as theirs, so rerunning into the
/// same directory works.
#[test]
fn results_beside_other_files_are_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    let scenario = root().join("scenarios/verification/screen-v1.toml");
    let run = |extra: &[&str]| {
        let mut c = vetsim();
        c.args(extra).arg("-o").arg(&out);
        c
    };
    // Each command writes over the one before: together, every name they write.
    let mut written = Vec::new();
    for cmd in writing_commands() {
        run(&cmd).arg(&scenario).assert().success();
        written.extend(interrupt::names(&out));
    }
    for name in &written {
        assert!(
            vetsim::report::WRITTEN.contains(&name.as_str()),
            "{name} is written but not known as vetsim's"
        );
    }
    // The scenario copied in beside its results and run from there.
    run(&["run", "-n", "5", "-q"])
        .arg(&scenario)
        .assert()
        .success();
    let plan = out.join("plan.toml");
    fs::copy(&scenario, &plan).unwrap();
    let before = interrupt::names(&out);
    run(&["run", "-n", "5", "-q"])
        .arg(&plan)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "holds plan.toml, which vetsim did not write",
        ));
    assert_eq!(interrupt::names(&out), before);
}

/// A scenario saved in another encoding than UTF-8 is reported at the line and column of the
/// first byte that is not UTF-8.
#[test]
fn a_file_that_is_not_utf8_is_reported_where_it_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let base = fs::read(root().join("tests/bad-scenarios/base.toml")).unwrap();
    let text = String::from_utf8(base).unwrap();
    // A Windows-1252 'é' (0xE9) in a comment on line 3, after "# caf".
    let mut lines: Vec<Vec<u8>> = text.lines().map(|l| l.as_bytes().to_vec()).collect();
    lines.insert(2, b"# caf\xE9 budget".to_vec());
    let bytes = lines.join(&b'\n');
    let path = dir.path().join("latin1.toml");
    fs::write(&path, bytes).unwrap();
    for cmd in ["validate", "run"] {
        vetsim()
            .arg(cmd)
            .arg(&path)
            .args(["-q"].iter().filter(|_| cmd == "run"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "latin1.toml:3:6: byte 0xE9 is not UTF-8",
            ));
    }
}

/// A case type nobody can ever work is refused as written (corpus file 61), but a comparison or
/// a solve may try such staffing: it is a point of the search, and simply never finishes.
#[test]
fn compare_may_try_staffing_that_leaves_a_case_type_with_nobody() {
    let dir = tempfile::tempdir().unwrap();
    vetsim()
        .current_dir(root())
        .args(["compare", "tests/bad-scenarios/base.toml", "-n", "3", "-q"])
        .args(["--vary", "teams.assessors.headcount=0,2", "-o"])
        .arg(dir.path().join("cmp"))
        .assert()
        .success();
    let text = fs::read_to_string(dir.path().join("cmp/comparison.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let variants = json["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 2);
    let censored = |v: &serde_json::Value| {
        v["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["metric"] == "all_cases_closed")
            .unwrap()["censored_share"]
            .as_f64()
            .unwrap()
    };
    // Nobody to assess: no replication closes its cases; with two assessors all do.
    assert_eq!(variants[0]["label"], "headcount=0");
    assert_eq!(censored(&variants[0]), 1.0);
    assert_eq!(censored(&variants[1]), 0.0);
}

/// Issue 18: a `backlog_target` gives `back_to_target` in summary.json (dates, censored share,
/// the level), summary.csv, replications.csv, the terminal summary and the caseload chart,
/// which `plot` redraws byte for byte.
#[test]
fn a_backlog_target_is_reported_back_to_target_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("targets.toml");
    let base = fs::read_to_string(root().join("tests/bad-scenarios/base.toml")).unwrap();
    let text = base
        .replace(
            "teams = [\"assessors\"]\n",
            "teams = [\"assessors\"]\nbacklog_target = 2\n",
        )
        .replace(
            "teams = [\"investigators\"]\n",
            "teams = [\"investigators\"]\nbacklog_target = 0\n",
        );
    assert_eq!(text.matches("backlog_target").count(), 2);
    fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    vetsim()
        .args(["run", "-n", "40", "-o"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Open assessment cases back to 2 or fewer for good",
        ))
        .stdout(predicate::str::contains(
            "Open investigation cases back to 0 or fewer for good",
        ));
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    let metrics = json["metrics"].as_array().unwrap();
    let back: Vec<&serde_json::Value> = metrics
        .iter()
        .filter(|m| m["metric"] == "back_to_target")
        .collect();
    assert_eq!(back.len(), 2);
    assert_eq!(back[0]["case_type"], "assessment");
    assert_eq!(back[0]["target"], 2);
    assert_eq!(back[1]["case_type"], "investigation");
    assert_eq!(back[1]["target"], 0);
    // The hotline keeps opening assessments to 30 September; 4 already open at the start
    // exceed 2 at once: every run comes back, after the start, before the horizon.
    let m = back[0];
    assert_eq!(m["unit"], "working days");
    assert_eq!(m["censored"], 0);
    let (p10, p50, p90) = (
        m["p10"].as_f64().unwrap(),
        m["p50"].as_f64().unwrap(),
        m["p90"].as_f64().unwrap(),
    );
    assert!(0.0 < p10 && p10 <= p50 && p50 <= p90, "{m}");
    for key in ["p10", "p50", "p90"] {
        assert!(
            m["dates"][key].as_str().unwrap().starts_with("2024-"),
            "{m}"
        );
    }
    assert!(m["distribution"].as_array().is_some_and(|d| !d.is_empty()));
    // Other metrics carry no `target`.
    assert!(
        metrics
            .iter()
            .filter(|m| m.get("target").is_some())
            .all(|m| m["metric"] == "back_to_target")
    );
    let csv = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(
        csv.lines()
            .any(|l| l.starts_with("back_to_target,assessment,working days,40,"))
    );
    let reps = fs::read_to_string(out.join("replications.csv")).unwrap();
    let header: Vec<&str> = reps.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|c| *c == name).unwrap();
    let (a, i) = (
        col("back_to_target_days__assessment"),
        col("back_to_target_days__investigation"),
    );
    assert_eq!((a + 1, i + 1), (i, col("diverted_officer_days__SOC")));
    let days: Vec<f64> = reps
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(a).unwrap().parse().unwrap())
        .collect();
    assert_eq!(days.len(), 40);
    assert!(days.iter().all(|&d| d > 0.0));
    // The chart draws the level; `plot` redraws it byte for byte.
    let chart = fs::read(out.join("caseload.svg")).unwrap();
    let svg = String::from_utf8_lossy(&chart);
    assert!(svg.contains("target 2") && svg.contains("Dashed line: a type"));
    // The report's key figures have a row per target, with dates.
    let page = fs::read_to_string(out.join("report.html")).unwrap();
    let row = page
        .split("<tr>")
        .find(|r| r.contains("Open assessment cases back to 2 or fewer for good"))
        .expect("a back-to-target row in report.html");
    // P10; P50 and P90 each with their 95 % interval; the mean.
    assert_eq!(row.matches(" 2024").count(), 1 + 3 + 3 + 1, "{row}");
    assert!(page.contains("Open investigation cases back to 0 or fewer for good"));
    fs::remove_file(out.join("caseload.svg")).unwrap();
    vetsim().arg("plot").arg(&out).assert().success();
    assert_eq!(fs::read(out.join("caseload.svg")).unwrap(), chart);
}

#[test]
fn plot_redraws_the_run_charts_byte_for_byte_from_the_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    vetsim()
        .args(["run", "-n", "30", "-q", "-o"])
        .arg(&out)
        .assert()
        .success();
    let charts = [
        "screening.svg",
        "caseload.svg",
        "completion.svg",
        "waiting.svg",
        "staffing.svg",
    ];
    let before: Vec<Vec<u8>> = charts
        .iter()
        .map(|c| fs::read(out.join(c)).unwrap_or_else(|e| panic!("{c}: {e}")))
        .collect();
    for c in charts {
        fs::remove_file(out.join(c)).unwrap();
    }
    fs::remove_file(out.join("replications.csv")).unwrap(); // not needed to draw
    vetsim()
        .arg("plot")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("caseload.svg"));
    for (c, b) in charts.iter().zip(&before) {
        assert_eq!(
            &fs::read(out.join(c)).unwrap(),
            b,
            "{c} redrawn identically"
        );
    }
    // Nothing else appeared (no temporary files).
    // (summary.json, summary.csv, daily.csv, scenario.toml and report.html beside the charts.)
    assert_eq!(fs::read_dir(&out).unwrap().count(), charts.len() + 5);
}

/// `--png` writes a PNG beside each chart, listed in the manifest; `plot` redraws the same bytes
/// and keeps the PNGs a directory holds current; `plot --check` compares the PNGs it finds (and,
/// with `--png`, misses none).
#[test]
fn png_beside_each_chart_redrawn_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    vetsim()
        .args(["run", "-n", "10", "-q", "--png", "-o"])
        .arg(&out)
        .assert()
        .success();
    let charts = ["screening", "caseload", "completion", "waiting", "staffing"];
    let json = fs::read(out.join("summary.json")).unwrap();
    let manifest = vetsim::report::manifest::unseal(&json).unwrap();
    let mut pngs = Vec::new();
    for c in charts {
        let png = fs::read(out.join(format!("{c}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{c}.png is a PNG");
        assert_eq!(
            manifest.get(&format!("{c}.png")),
            Some(&vetsim::report::manifest::sha256_hex(&png)),
            "{c}.png is in the manifest"
        );
        pngs.push(png);
    }
    let check = |extra: &[&str]| {
        let mut c = vetsim();
        c.args(["plot", "--check"]).args(extra).arg(&out);
        c.assert()
    };
    check(&[]).success();
    check(&["--png"]).success();
    // An altered PNG is stale.
    fs::write(out.join("waiting.png"), b"not this").unwrap();
    check(&[])
        .code(3)
        .stderr(predicate::str::contains("waiting.png"));
    // `plot` redraws it, byte for byte what the run wrote.
    vetsim().arg("plot").arg(&out).assert().success();
    assert_eq!(fs::read(out.join("waiting.png")).unwrap(), pngs[3]);
    // A PNG the manifest lists, removed, is missed by a plain check too; `plot` draws it again.
    fs::remove_file(out.join("caseload.png")).unwrap();
    check(&[])
        .code(3)
        .stderr(predicate::str::contains("caseload.png"));
    vetsim().arg("plot").arg(&out).assert().success();
    assert_eq!(fs::read(out.join("caseload.png")).unwrap(), pngs[1]);
    check(&[]).success();
    // In results run without `--png`, a plain check misses no PNG, and `--png` misses all.
    let plain = dir.path().join("plain");
    vetsim()
        .args(["run", "-n", "10", "-q", "-o"])
        .arg(&plain)
        .assert()
        .success();
    vetsim()
        .args(["plot", "--check"])
        .arg(&plain)
        .assert()
        .success();
    vetsim()
        .args(["plot", "--check", "--png"])
        .arg(&plain)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("caseload.png"));
    // A PNG exported by hand there is the user's: a plain `plot` leaves it, `plot --png`
    // refuses to overwrite it, and `plot --check` names it.
    fs::write(plain.join("caseload.png"), b"mine").unwrap();
    vetsim().arg("plot").arg(&plain).assert().success();
    vetsim()
        .args(["plot", "--png"])
        .arg(&plain)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "caseload.png: not in summary.json's manifest, so not a file vetsim wrote",
        ));
    vetsim()
        .args(["plot", "--check"])
        .arg(&plain)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("caseload.png (not"));
    assert_eq!(fs::read(plain.join("caseload.png")).unwrap(), b"mine");
    assert!(!plain.join("waiting.png").exists(), "nothing written");
}

#[test]
fn plot_of_a_directory_without_results_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    vetsim()
        .arg("plot")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("summary.json"));
    // A file where the directory should be: said so, not "Not a directory".
    let file = dir.path().join("summary.json");
    fs::write(&file, b"{}").unwrap();
    vetsim()
        .arg("plot")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a file: give the directory"));
    // A mistyped path: said to be missing.
    vetsim()
        .arg("plot")
        .arg(dir.path().join("typo"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("typo: no such directory"));
}

/// The same value twice (a typo for two values, most likely) is refused before anything runs,
/// naming it: it made a variant identical to the baseline, run twice over. And a scenario
/// written with nobody in the only team can still be compared or solved: the grid or the
/// search decides the staffing.
#[test]
fn compare_refuses_repeated_values_and_accepts_a_base_with_nobody() {
    let dir = tempfile::tempdir().unwrap();
    vetsim()
        .current_dir(root())
        .args(["compare", "tests/bad-scenarios/base.toml", "-n", "3", "-q"])
        .args(["--vary", "teams.assessors.headcount=2,3,0x2", "-o"])
        .arg(dir.path().join("same"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "teams.assessors.headcount = 0x2: the same value as 2",
        ));
    assert!(!dir.path().join("same").exists());
    let nobody = "tests/bad-scenarios/61-team-never-staffed.toml";
    vetsim()
        .current_dir(root())
        .args(["validate", nobody])
        .assert()
        .code(2);
    vetsim()
        .current_dir(root())
        .args(["compare", nobody, "-n", "3", "-q"])
        .args(["--vary", "teams.assessors.headcount=1,2", "-o"])
        .arg(dir.path().join("from-zero"))
        .assert()
        .success();
    vetsim()
        .current_dir(root())
        .args(["solve", nobody, "-n", "3", "-q", "--param"])
        .args(["teams.assessors.headcount", "--target-date", "2024-12-31"])
        .assert()
        .success()
        .stdout(predicate::str::contains("teams.assessors.headcount"));
}

/// `vetsim plot` on an edited comparison refuses it, naming the file and field, and leaves the
/// charts as they were.
#[test]
fn plot_refuses_an_edited_comparison() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    vetsim()
        .current_dir(root())
        .args(["compare", "tests/bad-scenarios/base.toml", "-n", "3", "-q"])
        .args(["--vary", "teams.assessors.headcount=1,2", "-o"])
        .arg(&out)
        .assert()
        .success();
    vetsim().arg("plot").arg(&out).assert().success();
    let json = fs::read_to_string(out.join("comparison.json")).unwrap();
    let chart = fs::read(out.join("compare-finish.svg")).unwrap();
    for (edit, says) in [
        (
            json.replace("\"baseline\": \"", "\"baseline\": \"x"),
            "meta.baseline",
        ),
        (
            json.replace("\"metric\": \"all_cases_closed\"", "\"metric\": \"closed\""),
            "no all_cases_closed",
        ),
        (
            json.replace("\"start\": \"2024-01-01\"", "\"start\": \"2024-02-30\""),
            "meta.start",
        ),
    ] {
        assert_ne!(edit, json, "{says}: the edit applies");
        // As edited, the file no longer matches its seal; sealed again (as a careful forger
        // would), its content is still checked.
        fs::write(out.join("comparison.json"), &edit).unwrap();
        vetsim()
            .arg("plot")
            .arg(&out)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("comparison.json"))
            .stderr(predicate::str::contains("changed after vetsim wrote it"));
        let files = vetsim::report::manifest::unseal(json.as_bytes()).unwrap();
        let body = vetsim::report::manifest::unsealed(edit.as_bytes()).unwrap();
        let resealed = vetsim::report::manifest::seal(&body, &files);
        fs::write(out.join("comparison.json"), &resealed).unwrap();
        vetsim()
            .arg("plot")
            .arg(&out)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("comparison.json"))
            .stderr(predicate::str::contains(says));
        assert_eq!(fs::read(out.join("compare-finish.svg")).unwrap(), chart);
    }
}

#[test]
fn compare_writes_paired_results_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    vetsim()
        .args([
            "compare",
            "--vary",
            "teams.diverted_soc_ct.headcount=0,90",
            "-n",
            "16",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("Common random numbers"))
        .stdout(predicate::str::contains(" 2* headcount=90"));
    for f in [
        "comparison.json",
        "comparison.csv",
        "compare-finish.svg",
        "compare-peak.svg",
        "compare-tradeoff.svg",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("comparison.json")).unwrap()).unwrap();
    assert_eq!(json["meta"]["baseline"], "headcount=90");
    let v = &json["variants"][1]["versus_baseline"]["all_cases_closed"];
    assert_eq!(v["mean"], 0.0, "the baseline against itself");
    // `vetsim plot` redraws the comparison charts identically.
    let before = fs::read(out.join("compare-tradeoff.svg")).unwrap();
    vetsim().arg("plot").arg(&out).assert().success();
    assert_eq!(fs::read(out.join("compare-tradeoff.svg")).unwrap(), before);
}

/// A text setting has no order: its comparison charts draw points and bars, not a line or band
/// joining the categories, and say so; a number setting is joined by a line.
#[test]
fn a_text_setting_is_drawn_as_points_not_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let stress = "scenarios/verification/screen-v1-stress.toml";
    for (vary, says, not) in [
        (
            "teams.investigators.on_reduction=finish,handover",
            "P10–P90 bars, dot P50",
            "line P50",
        ),
        (
            "teams.investigators.hours_per_day=5,6,7",
            "line P50",
            "dot P50",
        ),
    ] {
        let out = dir.path().join(vary.split('=').next().unwrap());
        vetsim()
            .args(["compare", stress, "--vary", vary, "-n", "8", "-q", "-o"])
            .arg(&out)
            .assert()
            .success();
        for chart in ["compare-finish.svg", "compare-peak.svg"] {
            let svg = fs::read_to_string(out.join(chart)).unwrap();
            assert!(svg.contains(says) && !svg.contains(not), "{vary}: {chart}");
        }
    }
    // Numbers given out of order are placed in order along the axis.
    let out = dir.path().join("unsorted");
    vetsim()
        .args([
            "compare",
            stress,
            "--vary",
            "teams.investigators.hours_per_day=7,5,6",
        ])
        .args(["-n", "8", "-q", "-o"])
        .arg(&out)
        .assert()
        .success();
    let svg = fs::read_to_string(out.join("compare-finish.svg")).unwrap();
    let x_of_label = |label: &str| -> f64 {
        let end = svg.find(&format!(">\n{label}\n</text>")).expect(label);
        let start = svg[..end].rfind("<text x=\"").unwrap() + "<text x=\"".len();
        svg[start..end].split('"').next().unwrap().parse().unwrap()
    };
    assert!(x_of_label("5") < x_of_label("6") && x_of_label("6") < x_of_label("7"));
}

/// A trade-off chart whose days saved span less than a few days labels its ticks in tenths: not a
/// run of repeated whole numbers, never "-0".
#[test]
fn small_trade_offs_have_distinct_tick_labels() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tiny");
    vetsim()
        .args(["compare", "scenarios/verification/screen-v1.toml"])
        .args(["--vary", "teams.investigators.hours_per_day=6,6.0001"])
        .args(["-n", "8", "-q", "-o"])
        .arg(&out)
        .assert()
        .success();
    let svg = fs::read_to_string(out.join("compare-tradeoff.svg")).unwrap();
    // The y axis labels: right-aligned texts whose content is a number.
    let labels: Vec<&str> = svg
        .split("text-anchor=\"end\"")
        .skip(1)
        .filter_map(|t| t.split('>').nth(1)?.split('<').next())
        .map(str::trim)
        .filter(|t| t.parse::<f64>().is_ok())
        .collect();
    assert!(labels.len() >= 3, "{labels:?}");
    let mut unique = labels.clone();
    unique.dedup();
    assert_eq!(unique, labels, "repeated tick labels");
    assert!(
        !labels
            .iter()
            .any(|l| l.starts_with("-0") && l.parse::<f64>() == Ok(0.0))
    );
}

#[test]
fn bad_vary_and_param_are_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    for (args, says) in [
        (
            vec!["compare", "--vary", "teams.diverted.headcount=1,2"],
            "names: dps_investigators",
        ),
        (
            vec!["compare", "--vary", "teams.diverted_soc_ct.headcount"],
            "PATH=VALUE",
        ),
        (
            vec!["compare", "--vary", "teams.diverted_soc_ct.headcount=many"],
            "many is not an integer (the scenario has 90 there)",
        ),
        (vec!["compare"], "nothing to compare"),
        (
            vec!["solve", "--param", "start", "--target-date", "2024-01-01"],
            "not an integer",
        ),
        (
            vec![
                "solve",
                "--param",
                "teams.nobody.headcount",
                "--target-date",
                "2024-01-01",
            ],
            "no entry named nobody",
        ),
        (
            vec![
                "solve",
                "--param",
                "teams.diverted_soc_ct.headcount",
                "--target-date",
                "soon",
            ],
            "soon",
        ),
        (
            // Refused before any run, not when the search reaches -5.
            vec![
                "solve",
                "--param",
                "teams.diverted_soc_ct.headcount",
                "--target-date",
                "2024-06-28",
                "--min",
                "-5",
            ],
            "variant headcount=-5 is not a valid scenario",
        ),
        (
            // Above the default --max (4 x 90): said as the default, not as a --max not given.
            vec![
                "solve",
                "--param",
                "teams.diverted_soc_ct.headcount",
                "--target-date",
                "2024-06-28",
                "--min",
                "400",
            ],
            "--min 400 is above the largest value searched by default, 360 (four times the value as written, and at least 10): give --max too",
        ),
        (
            vec![
                "solve",
                "--param",
                "teams.diverted_soc_ct.headcount",
                "--target-date",
                "2030-01-01",
            ],
            "is after the scenario's horizon (2026-12-31)",
        ),
        (
            vec![
                "compare",
                "--vary",
                "case_types.historic_reassessment.routing[0].to=[\"risk_management\"]",
            ],
            "a list cannot be varied whole: vary one of its items, e.g. case_types.historic_reassessment.routing[0].to[0]",
        ),
    ] {
        vetsim()
            .current_dir(dir.path())
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

/// `vetsim ... | head -1`: a reader that goes away early is not an error (exit 0, nothing on
/// stderr). The read end is closed before vetsim writes anything, so the write meets EPIPE.
#[cfg(unix)]
#[test]
fn a_closed_stdout_is_not_an_error() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("vetsim");
    let scenario = root().join("scenarios/verification/mm1.toml");
    let runs: [Vec<std::ffi::OsString>; 2] = [
        vec![
            "run".into(),
            "-n".into(),
            "4".into(),
            "-o".into(),
            dir.path().join("out").into(),
            scenario.clone().into(),
        ],
        vec!["validate".into(), scenario.into()],
    ];
    for args in runs {
        let mut child = Command::new(&bin)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}

#[test]
fn replications_from_the_command_line_are_held_to_the_run_size_limit() {
    // mm1 opens about 32,000 cases a replication: ten million replications would be 3.2e11.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mm1 = root().join("scenarios/verification/mm1.toml");
    let line = fs::read_to_string(&mm1)
        .unwrap()
        .lines()
        .position(|l| l.starts_with("replications = "))
        .unwrap()
        + 1;
    vetsim()
        .args(["run", "-q", "-n", "10000000", "-o"])
        .arg(&out)
        .arg(&mm1)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            // At the file's own `replications`, the value the command line replaced.
            "mm1.toml:{line}:16: replications (--replications): 10000000 replications of 32000 expected cases",
        )))
        .stderr(predicate::str::contains("the limit is 1e11"));
    assert!(!out.exists());
    // A file without `replications`: at its top.
    let text = fs::read_to_string(root().join("scenarios/verification/mm1.toml")).unwrap();
    let without = text.replace("replications = 40\n", "");
    assert_ne!(without, text);
    let file = dir.path().join("mm1-default.toml");
    fs::write(&file, without).unwrap();
    vetsim()
        .args(["run", "-q", "-n", "10000000", "-o"])
        .arg(&out)
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "mm1-default.toml:1:1: replications (--replications): 10000000 replications",
        ));
    assert!(!out.exists());
}

#[test]
fn a_bad_experiment_path_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(root().join("scenarios/met-2023-diversion.toml")).unwrap();
    let bad = text.replace(
        "path = \"teams.diverted_soc_ct.headcount\"",
        "path = \"teams.diverted.headcount\"",
    );
    assert_ne!(bad, text);
    let line = bad
        .lines()
        .position(|l| l.contains("\"teams.diverted.headcount\""))
        .unwrap()
        + 1;
    let file = dir.path().join("bad.toml");
    fs::write(&file, &bad).unwrap();
    for cmd in ["validate", "compare"] {
        vetsim()
            .current_dir(dir.path())
            .args([cmd, "bad.toml"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "bad.toml:{line}: [experiment]: teams.diverted.headcount"
            )))
            .stderr(predicate::str::contains("names: dps_investigators"));
    }
    // Its own line even when the same quoted text comes earlier in the file (here, line 1).
    let earlier = format!("# \"teams.diverted.headcount\" is not a team here\n{bad}");
    fs::write(&file, &earlier).unwrap();
    vetsim()
        .current_dir(dir.path())
        .args(["validate", "bad.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "bad.toml:{}: [experiment]: teams.diverted.headcount",
            line + 1
        )));
    // A key the format does not know, in the second entry: that entry's line (it was reported
    // for both paths together, with no line).
    let second = text.replace(
        "path = \"teams.diverted_soc_ct.headcount[0].to\"",
        "path = \"teams.diverted_soc_ct.headcount[0].too\"",
    );
    assert_ne!(second, text);
    let line_of = |t: &str, needle: &str| t.lines().position(|l| l.contains(needle)).unwrap() + 1;
    fs::write(&file, &second).unwrap();
    vetsim()
        .current_dir(dir.path())
        .args(["validate", "bad.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "bad.toml:{}: [experiment]: teams.diverted_soc_ct.headcount[0].too: no such setting",
            line_of(&second, "headcount[0].too")
        )))
        .stderr(predicate::str::contains("(did you mean `to`?)"));
    // The same setting twice: the second entry's line.
    let twice = text.replace(
        "path = \"teams.diverted_soc_ct.headcount[0].to\"",
        "path = \"teams.diverted_soc_ct.headcount\"",
    );
    let lines: Vec<usize> = twice
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("path = \"teams.diverted_soc_ct.headcount\""))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(lines.len(), 2);
    fs::write(&file, &twice).unwrap();
    vetsim()
        .current_dir(dir.path())
        .args(["validate", "bad.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "bad.toml:{}: [experiment]: teams.diverted_soc_ct.headcount: the same setting",
            lines[1]
        )));
    // A value of the wrong type: the line of the values.
    let value = text.replace(
        "values = [0, 45, 90, 150]",
        "values = [0, 45,\n  \"ninety\"]",
    );
    assert_ne!(value, text);
    fs::write(&file, &value).unwrap();
    vetsim()
        .current_dir(dir.path())
        .args(["validate", "bad.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "bad.toml:{}: [experiment]: teams.diverted_soc_ct.headcount = ninety",
            line_of(&value, "\"ninety\"")
        )));
    // A problem of the whole section (too many variants) points at its first line.
    let values: Vec<String> = (0..400).map(|i| i.to_string()).collect();
    let many = text.replace(
        "values = [0, 45, 90, 150]",
        &format!("values = [{}]", values.join(", ")),
    );
    assert_ne!(many, text);
    let line = many
        .lines()
        .position(|l| l.starts_with("[[experiment.vary]]"))
        .unwrap()
        + 1;
    fs::write(&file, &many).unwrap();
    vetsim()
        .current_dir(dir.path())
        .args(["validate", "bad.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "bad.toml:{line}: [experiment]:"
        )))
        .stderr(predicate::str::contains("1200 variants: at most 1000"));
}

/// `vetsim schema` prints the committed schema/vetsim-scenario.schema.json, a draft-07 JSON
/// Schema that refuses unknown keys.
#[test]
fn schema_prints_the_committed_json_schema() {
    let out = vetsim().arg("schema").assert().success().stderr("");
    let printed = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(
        printed,
        fs::read_to_string(root().join("schema/vetsim-scenario.schema.json")).unwrap()
    );
    let json: serde_json::Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(json["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(json["additionalProperties"], false);
    let hours = &json["properties"]["teams"]["items"]["properties"]["hours_per_day"];
    assert!(hours["description"].as_str().unwrap().contains("[hours]"));
}

/// Issue 18: `daily.csv` has a `utilisation` row per team and day, `summary.json` a
/// `utilisation` metric per team and a `utilisation_in_period` per headcount entry, with `null`
/// (never NaN) where nobody was on duty, and `replications.csv` their columns.
#[test]
fn run_reports_team_utilisation_in_daily_summary_and_replications() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("util.toml");
    fs::write(
        &scenario,
        r#"name = "util"
start = 2024-01-01
horizon = 2024-03-29
replications = 4
[calendar]
holidays = "none"
[[backlogs]]
case_type = "c"
count = 30
[[case_types]]
name = "c"
effort = { dist = "exponential", mean = 12 }
teams = ["desk", "lent", "spare"]
[[teams]]
name = "desk"
hours_per_day = 6
headcount = [{ count = 2 }]
[[teams]]
name = "lent"
hours_per_day = 6
on_reduction = "handover"
headcount = [{ count = 3, to = 2024-01-05, source = "soc" }]
[[teams]]
name = "spare"
hours_per_day = 6
headcount = [{ count = 0 }]
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    vetsim()
        .args(["run", "-q", "-o"])
        .arg(&out)
        .arg(&scenario)
        .assert()
        .success();
    let daily = fs::read_to_string(out.join("daily.csv")).unwrap();
    for team in ["desk", "lent", "spare"] {
        assert!(
            daily.contains(&format!(",0,utilisation,{team},")),
            "day 0 utilisation of {team}"
        );
    }
    // Nobody in `spare`: every cell empty.
    assert!(daily.contains("2024-01-01,0,utilisation,spare,,,,,,,,\n"));
    // `lent` leaves after day 4, handing its cases back: empty from day 5 on.
    assert!(daily.contains(",5,utilisation,lent,,,,,,,,\n"));
    let text = fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(!text.contains("NaN"));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let metrics = json["metrics"].as_array().unwrap();
    let find = |name: &str, team: &str| {
        metrics
            .iter()
            .find(|m| m["metric"] == name && m["team"] == team)
            .unwrap_or_else(|| panic!("{name} of {team}"))
    };
    let desk = find("utilisation", "desk");
    let u = desk["mean"].as_f64().unwrap();
    assert!(u > 0.0 && u <= 1.0, "desk utilisation {u}");
    assert_eq!(desk["n"], 4);
    assert!(find("utilisation", "spare")["mean"].is_null());
    assert_eq!(find("utilisation", "spare")["n"], 0);
    let period = find("utilisation_in_period", "lent");
    assert_eq!(period["period"]["from"], "2024-01-01");
    assert_eq!(period["period"]["to"], "2024-01-05");
    assert_eq!(period["period"]["lent"], 3);
    let summary_csv = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(summary_csv.contains("\nutilisation,desk,share of on-duty person-time,4,"));
    assert!(summary_csv.contains("\nutilisation_in_period,lent.headcount[0],"));
    let reps = fs::read_to_string(out.join("replications.csv")).unwrap();
    let header = reps.lines().next().unwrap();
    for col in [
        "busy_person_days__desk",
        "on_duty_person_days__desk",
        "utilisation__desk",
        "utilisation__lent.headcount[0]",
    ] {
        assert!(header.split(',').any(|c| c == col), "column {col}");
    }
    // The charts redraw from the files, utilisation included.
    vetsim()
        .args(["plot", "--check"])
        .arg(&out)
        .assert()
        .success();
}

/// The terminal summary says how often a date is beyond the horizon, in words that fit it: the
/// last case "not finished by" the horizon, a backlog "still above" its target at the horizon.
#[test]
fn the_terminal_summary_says_when_dates_are_beyond_the_horizon() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("short.toml");
    let met = fs::read_to_string(root().join("scenarios/met-2023.toml")).unwrap();
    // A horizon before most runs close their last case, and a target of 0 for ordinary
    // allegations, which keep arriving to the horizon (so never back to 0 for good).
    let text = met
        .replace("horizon = 2026-12-31", "horizon = 2024-03-29")
        .replace(
            "name = \"bau_allegation\"\n",
            "name = \"bau_allegation\"\nbacklog_target = 0\n",
        );
    assert_eq!(text.matches("2024-03-29").count(), 1, "horizon line moved");
    assert!(text.contains("backlog_target = 0"), "case type moved");
    fs::write(&file, text).unwrap();
    vetsim()
        .args(["run", "-n", "12", "-o"])
        .arg(dir.path().join("out"))
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"All cases closed after 2024-03-29 \(P50\).*; not finished by 2024-03-29 in [0-9.]+ ?% of runs\.").unwrap())
        .stdout(predicate::str::is_match(r"Open bau_allegation cases back to 0 or fewer for good after 2024-03-29 \(P50\); P10 after 2024-03-29, P90 after 2024-03-29; still above it at 2024-03-29 in 100(\.0)? ?% of runs\.").unwrap());
    // In the report, a mean over runs beyond the horizon is not known, not a date.
    let page = fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    let row = page
        .split("<tr>")
        .find(|r| r.contains("Open bau allegation cases back to 0"))
        .unwrap();
    assert!(
        row.ends_with("<td>not known (runs beyond the horizon)</td></tr>\n"),
        "{row}"
    );
}
