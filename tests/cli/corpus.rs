//! The corpus of bad scenarios (`tests/bad-scenarios/NN-name.toml`): each file is `base.toml` with
//! exactly one fault, described on its first line. Every one must be refused with exit code 2, by
//! `validate` and by `run`, with the message kept as an insta snapshot (one per file) so that a
//! change of wording is reviewed, never accidental.

use super::{root, vetsim};
use std::fs;
use std::path::PathBuf;

/// Corpus files relative to the package root, in name order. Relative paths are what the
/// commands are given, so the messages (and snapshots) hold no machine-specific directory.
fn corpus() -> Vec<PathBuf> {
    let dir = root().join("tests/bad-scenarios");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter_map(|n| n.into_string().ok())
        .filter(|n| n.ends_with(".toml") && number(n).is_some())
        .map(|n| PathBuf::from("tests/bad-scenarios").join(n))
        .collect();
    files.sort();
    files
}

/// The number a corpus file's name starts with (`07` of `07-bad-date.toml`, `103` of
/// `103-...`): at least two digits, then a hyphen.
fn number(name: &str) -> Option<&str> {
    let (n, _) = name.split_once('-')?;
    (n.len() >= 2 && n.bytes().all(|b| b.is_ascii_digit())).then_some(n)
}

#[test]
fn the_corpus_has_at_least_30_distinct_faults_each_described() {
    let files = corpus();
    assert!(files.len() >= 30, "only {} bad scenarios", files.len());
    let mut numbers = std::collections::HashSet::new();
    let mut texts = std::collections::HashSet::new();
    for f in &files {
        let name = f.file_name().unwrap().to_str().unwrap();
        assert!(
            numbers.insert(number(name).unwrap().to_string()),
            "{name}: number reused"
        );
        let text = fs::read_to_string(root().join(f)).unwrap();
        assert!(
            text.starts_with("# FAULT: "),
            "{name}: the first line must say what is wrong"
        );
        let body: String = text.lines().skip(1).collect::<Vec<_>>().join("\n");
        assert!(texts.insert(body), "{name}: same scenario as another file");
    }
}

#[test]
fn the_corpus_base_is_valid() {
    // Each fault is the only one only if the scenario they all start from is valid.
    vetsim()
        .current_dir(root())
        .args(["validate", "tests/bad-scenarios/base.toml"])
        .assert()
        .success();
}

#[test]
fn every_bad_scenario_is_refused_by_validate_with_a_clear_message() {
    for f in corpus() {
        let name = f.file_stem().unwrap().to_str().unwrap().to_string();
        let out = vetsim()
            .current_dir(root())
            .arg("validate")
            .arg(&f)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}: exit code");
        assert!(out.stdout.is_empty(), "{name}: stdout is empty");
        let stderr = String::from_utf8(out.stderr).unwrap();
        // Every message names the file, and a line in it where the fault has one.
        let prefix = format!("error: {}:", f.display());
        assert!(stderr.starts_with(&prefix), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        let fault = fs::read_to_string(root().join(&f)).unwrap();
        let fault = fault.lines().next().unwrap().to_string();
        let mut settings = insta::Settings::clone_current();
        settings.set_description(fault);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(name, stderr));
    }
}

#[test]
fn every_bad_scenario_is_refused_by_run_which_writes_nothing() {
    for f in corpus() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        vetsim()
            .current_dir(root())
            .arg("run")
            .arg(&f)
            .arg("--out")
            .arg(&out)
            .args(["-n", "2", "-q"])
            .assert()
            .code(2)
            .stdout("");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{}: left {left:?}", f.display());
    }
}
