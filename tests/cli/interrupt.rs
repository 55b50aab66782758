//! A run that is killed part-way (SIGKILL, or Ctrl-C's SIGINT) must leave the previous results
//! byte-for-byte intact and nothing beside them; and what a run killed in the instant of writing
//! leaves behind is tidied by the next run. Signals are Unix's.
#![cfg(unix)]

use super::{root, vetsim};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every file under `dir` (relative name → bytes).
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().into_string().unwrap();
        if e.file_type().unwrap().is_dir() {
            for (k, v) in contents(&e.path()) {
                out.insert(format!("{name}/{k}"), v);
            }
        } else {
            out.insert(name, fs::read(e.path()).unwrap());
        }
    }
    out
}

/// The names in `dir`, sorted.
pub(crate) fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

/// Whether this process ignores SIGINT (Linux: the `SigIgn` mask of /proc/self/status). A shell
/// without job control starts background commands that way, and children inherit it: their
/// Ctrl-C cannot be tested there.
fn sigint_ignored() -> bool {
    let Ok(status) = fs::read_to_string("/proc/self/status") else {
        return false;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (2 - 1)) != 0)
}

/// Writes quick results into `<tmp>/out`, starts a long run into the same directory, sends it
/// `signal` while it is still simulating, and checks that nothing changed.
fn killed_run_leaves_previous_results(signal: &str) {
    if signal == "INT" && sigint_ignored() {
        eprintln!("SIGINT is ignored in this environment (started in the background?): not tested");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    vetsim()
        .args(["run", "-n", "10", "-q", "-o"])
        .arg(&out)
        .arg(root().join("scenarios/verification/screen-v1.toml"))
        .assert()
        .success();
    let before = contents(&out);
    assert!(before.contains_key("summary.json"));

    let bin = assert_cmd::cargo::cargo_bin("vetsim");
    let mut child = Command::new(bin)
        .args(["run", "-n", "200000", "-q", "-o"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Let it get well into the simulation (it needs minutes for 200,000 replications).
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(1500) {
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            child.try_wait().unwrap().is_none(),
            "the long run ended before it could be killed: make it longer"
        );
    }
    if signal == "KILL" {
        child.kill().unwrap();
    } else {
        let ok = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{signal} failed");
    }
    // Never hang: a run the signal did not stop is killed and reported.
    let signalled = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if signalled.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("SIG{signal} did not stop the run within 30 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(!status.success(), "the run was stopped by SIG{signal}");

    assert_eq!(contents(&out), before, "previous results intact");
    assert_eq!(names(dir.path()), vec!["out"], "nothing left beside them");
}

#[test]
fn sigkill_part_way_leaves_previous_results_intact() {
    killed_run_leaves_previous_results("KILL");
}

#[test]
fn sigint_part_way_leaves_previous_results_intact() {
    killed_run_leaves_previous_results("INT");
}

/// A run killed between moving the old results aside and renaming the new ones into place, or
/// while writing its temporary directory, leaves `.vetsim-*` directories named with its process
/// id. The next run into the same parent puts the moved results back and removes the rest.
#[cfg(target_os = "linux")]
#[test]
fn the_next_run_tidies_what_a_run_killed_while_writing_left() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    // Process ids on Linux stay below 2^22, so no process has this one.
    let dead = 4_000_000_000u32;
    let tmp = p.join(format!(".vetsim-tmp-{dead}-Xy12ab"));
    fs::create_dir(&tmp).unwrap();
    fs::write(tmp.join("daily.csv"), b"date,wor").unwrap();
    let moved = p.join(format!(".vetsim-old-{dead}-earlier"));
    fs::create_dir(&moved).unwrap();
    fs::write(moved.join("summary.json"), b"{\"previous\": true}").unwrap();

    vetsim()
        .args(["run", "-n", "4", "-q", "-o"])
        .arg(p.join("out"))
        .arg(root().join("scenarios/verification/mm1.toml"))
        .assert()
        .success();
    assert_eq!(names(p), vec!["earlier", "out"]);
    assert_eq!(
        fs::read(p.join("earlier/summary.json")).unwrap(),
        b"{\"previous\": true}"
    );
}
