//! Hardening, round two (issue 16): closed streams, typed paths, result directories that know
//! what they hold, exit codes.

use super::{root, vetsim};
use std::fs;
use std::process::{Command, Stdio};

/// `vetsim validate good.toml bad.toml 2>&1 | head -1`: stderr closed before anything is written
/// must not turn the error message into a panic (exit 101); the exit code still says "bad input".
#[test]
fn a_closed_stderr_is_not_a_panic() {
    let bin = assert_cmd::cargo::cargo_bin("vetsim");
    let bad = root().join("tests/bad-scenarios/01-toml-syntax.toml");
    let good = root().join("scenarios/verification/mm1.toml");
    let cases: [(Vec<std::ffi::OsString>, i32); 3] = [
        (
            vec!["validate".into(), good.clone().into(), bad.clone().into()],
            2,
        ),
        (vec!["validate".into(), bad.clone().into()], 2),
        (vec!["run".into(), "-q".into(), bad.into()], 2),
    ];
    for (args, code) in cases {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader); // every write to stderr now fails (EPIPE)
        let (out_reader, out_writer) = std::io::pipe().unwrap();
        drop(out_reader); // and so does every write to stdout
        let status = Command::new(&bin)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(out_writer)
            .stderr(writer)
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(code), "{args:?}");
    }
}

/// The outputs name the scenario by its file name alone: `run s.toml`, `run ./s.toml` and an
/// absolute path give the same bytes (the path as typed was in summary.json and every chart
/// footer); `-` reads standard input, named `<stdin>`.
#[test]
fn outputs_do_not_depend_on_how_the_path_was_typed() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = dir.path().join("s");
    fs::create_dir(&scenarios).unwrap();
    let text = fs::read(root().join("scenarios/verification/mm1.toml")).unwrap();
    fs::write(scenarios.join("mm1.toml"), &text).unwrap();
    let mut outputs = Vec::new();
    for (i, typed) in ["s/mm1.toml", "./s/mm1.toml", "s/../s/mm1.toml"]
        .into_iter()
        .map(String::from)
        .chain([scenarios.join("mm1.toml").display().to_string()])
        .enumerate()
    {
        let out = dir.path().join(format!("out{i}"));
        vetsim()
            .current_dir(dir.path())
            .args(["run", "-q", "-n", "3", "-o"])
            .arg(&out)
            .arg(&typed)
            .assert()
            .success();
        outputs.push((typed, files_of(&out)));
    }
    let (first_typed, first) = &outputs[0];
    let summary = String::from_utf8(first["summary.json"].clone()).unwrap();
    assert!(
        summary.contains("\"scenario_file\": \"mm1.toml\""),
        "{summary}"
    );
    for (typed, files) in &outputs[1..] {
        assert_eq!(files, first, "{typed} against {first_typed}");
    }
    // Standard input: read once, named <stdin>.
    let out = dir.path().join("stdin");
    vetsim()
        .args(["run", "-q", "-n", "3", "-o"])
        .arg(&out)
        .arg("-")
        .write_stdin(text.clone())
        .assert()
        .success();
    let summary = fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(
        summary.contains("\"scenario_file\": \"<stdin>\""),
        "{summary}"
    );
    vetsim()
        .args(["validate", "-"])
        .write_stdin(text.clone())
        .assert()
        .success()
        .stdout("<stdin>: valid (1 case type, 1 team, 40 replications)\n");
    vetsim()
        .args(["validate", "-"])
        .write_stdin("name = \"x\"\n")
        .assert()
        .code(2)
        .stderr(predicates::str::starts_with("error: <stdin>:"));
    vetsim()
        .args(["validate", "-", "-"])
        .write_stdin(text)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("more than once"));
}

/// Every file of a results directory, by name.
fn files_of(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}
