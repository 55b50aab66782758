//! `run --shard K/M` and `merge` (issue 19): shards run as separate processes merge into exactly
//! the directory a single run writes, and shards that do not belong together are refused.

use super::{root, vetsim};
use predicates::prelude::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Every file of a directory, by name, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Runs shard `k`/`m` of `scenario` with `extra` options into `out`, in its own process.
fn shard(scenario: &Path, n: &str, seed: &str, spec: &str, out: &Path, extra: &[&str]) {
    vetsim()
        .args(["run", "-q", "-n", n, "--seed", seed, "--shard", spec, "-o"])
        .arg(out)
        .args(extra)
        .arg(scenario)
        .assert()
        .success();
}

/// Shards 1 to `m` of a run into `dir`/s1, s2, ...
fn shards(
    dir: &Path,
    scenario: &Path,
    n: &str,
    seed: &str,
    m: u64,
    extra: &[&str],
) -> Vec<PathBuf> {
    (1..=m)
        .map(|k| {
            let out = dir.join(format!("s{k}"));
            shard(scenario, n, seed, &format!("{k}/{m}"), &out, extra);
            out
        })
        .collect()
}

fn assert_same_dirs(merged: &Path, single: &Path) {
    let (a, b) = (files(merged), files(single));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name} differs between merge and run");
    }
}

/// Ten replications as three shards (4 + 3 + 3) in separate processes, merged in another order:
/// every file, charts and report included, is the single run's byte for byte.
#[test]
fn three_shards_merge_into_exactly_the_single_run() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/verification/screen-v1.toml");
    let s = shards(dir.path(), &scenario, "10", "7", 3, &[]);
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(s[0].join("shard.json")).unwrap()).unwrap();
    assert_eq!(json["shard_format"], 1);
    assert_eq!(json["shard"]["first_replication"], 0);
    assert_eq!(json["shard"]["end_replication"], 4);
    assert_eq!(json["meta"]["scenario_file"], "screen-v1.toml");
    let merged = dir.path().join("merged");
    vetsim()
        .arg("merge")
        .args([&s[2], &s[0], &s[1]])
        .arg("-o")
        .arg(&merged)
        .assert()
        .success()
        .stdout(predicate::str::contains("All cases closed"));
    let single = dir.path().join("single");
    vetsim()
        .args(["run", "-q", "-n", "10", "--seed", "7", "-o"])
        .arg(&single)
        .arg(&scenario)
        .assert()
        .success();
    assert_same_dirs(&merged, &single);
    // The merged directory is results like any other: plot --check finds it current.
    vetsim()
        .args(["plot", "--check"])
        .arg(&merged)
        .assert()
        .success();
}

/// With --split (a scenario with assumptions: twins and fixed-assumption runs in each shard),
/// two shards of different lengths merge into exactly `run --split`.
#[test]
fn split_shards_merge_into_exactly_the_single_split_run() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/met-2023.toml");
    let s = shards(dir.path(), &scenario, "5", "3", 2, &["--split"]);
    let merged = dir.path().join("merged");
    vetsim()
        .args(["merge", "-q"])
        .args(&s)
        .arg("-o")
        .arg(&merged)
        .assert()
        .success();
    let single = dir.path().join("single");
    vetsim()
        .args(["run", "-q", "-n", "5", "--seed", "3", "--split", "-o"])
        .arg(&single)
        .arg(&scenario)
        .assert()
        .success();
    assert_same_dirs(&merged, &single);
}

/// With --png the shards say so and the merge writes the PNGs too: the same files, byte for
/// byte, as `run --png`; a shard without it does not belong with them.
#[test]
fn png_shards_merge_into_exactly_the_single_png_run() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/verification/screen-v1.toml");
    let s = shards(dir.path(), &scenario, "4", "5", 2, &["--png"]);
    let merged = dir.path().join("merged");
    vetsim()
        .args(["merge", "-q"])
        .args(&s)
        .arg("-o")
        .arg(&merged)
        .assert()
        .success();
    assert!(merged.join("caseload.png").exists());
    let single = dir.path().join("single");
    vetsim()
        .args(["run", "-q", "-n", "4", "--seed", "5", "--png", "-o"])
        .arg(&single)
        .arg(&scenario)
        .assert()
        .success();
    assert_same_dirs(&merged, &single);
    let plain = dir.path().join("plain");
    shard(&scenario, "4", "5", "2/2", &plain, &[]);
    merge_refused(
        &[&s[0], &plain],
        &["plain: not a shard of the same run", "png"],
    );
}

fn merge_refused(args: &[&Path], says: &[&str]) {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("merged");
    let mut a = vetsim()
        .arg("merge")
        .args(args)
        .arg("-o")
        .arg(&target)
        .assert()
        .code(2);
    for s in says {
        a = a.stderr(predicate::str::contains(*s));
    }
    assert!(!target.exists(), "nothing written");
}

/// A missing, repeated or foreign shard is refused with exit 2, naming it; nothing is written.
#[test]
fn shards_that_do_not_belong_together_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = root().join("scenarios/verification/screen-v1.toml");
    let s = shards(d, &scenario, "10", "7", 3, &[]);
    let (s1, s2, s3) = (s[0].as_path(), s[1].as_path(), s[2].as_path());
    // Missing.
    merge_refused(&[s1, s3], &["shard 2/3 (replications 4 to 6) is missing"]);
    // Duplicated, by another path too.
    merge_refused(&[s1, s2, s2, s3], &["shard 2/3 again"]);
    let copy = d.join("copy-of-2");
    fs::create_dir(&copy).unwrap();
    for (name, bytes) in files(s2) {
        fs::write(copy.join(name), bytes).unwrap();
    }
    merge_refused(&[s1, s2, &copy, s3], &["copy-of-2: shard 2/3 again"]);
    // Another seed.
    let seed8 = d.join("seed8");
    shard(&scenario, "10", "8", "2/3", &seed8, &[]);
    merge_refused(
        &[s1, &seed8, s3],
        &["seed8: not a shard of the same run", "seed is 8, theirs 7"],
    );
    // Another scenario (the same name, other bytes).
    let other = d.join("other.toml");
    let mut text = fs::read_to_string(&scenario).unwrap();
    text.push_str("\n# edited\n");
    fs::write(&other, text).unwrap();
    let edited = d.join("edited");
    shard(&other, "10", "7", "3/3", &edited, &[]);
    merge_refused(
        &[s1, s2, &edited],
        &["edited: not a shard of the same run", "scenario"],
    );
    // Another N, another M, another option.
    let n11 = d.join("n11");
    shard(&scenario, "11", "7", "3/3", &n11, &[]);
    merge_refused(
        &[s1, s2, &n11],
        &["n11: not a shard", "replications (N) is 11"],
    );
    let m4 = d.join("m4");
    shard(&scenario, "10", "7", "3/4", &m4, &[]);
    merge_refused(&[s1, s2, &m4], &["m4: not a shard", "shard count (M) is 4"]);
    // Not a shard at all, a shard edited after it was written.
    merge_refused(
        &[s1, s2, &d.join("nowhere")],
        &["nowhere: no such directory"],
    );
    let results = d.join("results");
    vetsim()
        .args(["run", "-q", "-n", "3", "-o"])
        .arg(&results)
        .arg(&scenario)
        .assert()
        .success();
    merge_refused(&[s1, s2, &results], &["results: holds summary.json"]);
    let bin = s3.join("shard.bin");
    let mut bytes = fs::read(&bin).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    fs::write(&bin, bytes).unwrap();
    merge_refused(&[s1, s2, s3], &["shard.bin", "SHA-256"]);
}

/// Bad `--shard` values and combinations are refused with exit 2 before anything runs.
#[test]
fn bad_shard_options_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/verification/screen-v1.toml");
    let out = dir.path().join("s");
    for (spec, extra, says) in [
        ("0/3", &[][..], "K must be from 1 to 3"),
        ("4/3", &[][..], "K must be from 1 to 3"),
        ("1/0", &[][..], "at least 1"),
        ("2", &[][..], "give K/M"),
        ("x/3", &[][..], "not a whole number"),
        ("4/11", &[][..], "11 shards of 10 replications"),
        (
            "1/2",
            &["--precision", "5"][..],
            "--shard 1/2 with --precision",
        ),
    ] {
        vetsim()
            .args(["run", "-q", "-n", "10", "--shard", spec, "-o"])
            .arg(&out)
            .args(extra)
            .arg(&scenario)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
        assert!(!out.exists(), "{spec}: nothing written");
    }
}

/// Rewrites `key` of `meta` in a shard's shard.json to `value` and seals it again, as a shard
/// made by another vetsim would be.
fn forge_meta(dir: &Path, key: &str, value: &str) {
    forge_json(dir, &["meta", key], serde_json::Value::String(value.into()));
}

/// Rewrites the value at `path` in a shard's shard.json and seals it again.
fn forge_json(dir: &Path, path: &[&str], value: serde_json::Value) {
    use vetsim::report::manifest;
    let file = dir.join("shard.json");
    let bytes = fs::read(&file).unwrap();
    let files = manifest::unseal(&bytes).unwrap();
    let mut json: serde_json::Value =
        serde_json::from_slice(&manifest::unsealed(&bytes).unwrap()).unwrap();
    let mut at = &mut json;
    for key in path {
        at = &mut at[*key];
    }
    *at = value;
    let mut body = serde_json::to_vec_pretty(&json).unwrap();
    body.push(b'\n');
    fs::write(&file, manifest::seal(&body, &files)).unwrap();
}

/// Shards that agree with each other but were made by another version of vetsim, or on another
/// platform, are refused: the merge would not be the run this binary makes.
#[test]
fn shards_of_another_version_or_platform_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/verification/screen-v1.toml");
    let s = shards(dir.path(), &scenario, "4", "7", 2, &[]);
    let refs: Vec<&Path> = s.iter().map(PathBuf::as_path).collect();
    for d in &s {
        forge_meta(d, "version", "0.0.1");
    }
    merge_refused(
        &refs,
        &["run by vetsim 0.0.1", "merge with the version that ran"],
    );
    forge_meta(&s[1], "version", env!("CARGO_PKG_VERSION"));
    merge_refused(&refs, &["not a shard of the same run", "vetsim version is"]);
    for d in &s {
        forge_meta(d, "version", env!("CARGO_PKG_VERSION"));
        forge_meta(d, "platform", "aarch64-macos");
    }
    merge_refused(
        &refs,
        &["run on aarch64-macos", "merge where the shards ran"],
    );
}

/// Decodes a shard's shard.bin (of `runs` runs), changes it by `edit`, writes it back and seals
/// its shard.json again with the new digest, as a shard made by another build would be.
fn rewrite_bin(
    dir: &Path,
    runs: usize,
    edit: impl FnOnce(&mut Vec<vetsim::shard::codec::ShardData>),
) {
    use vetsim::report::manifest;
    use vetsim::shard::codec;
    let bin = dir.join("shard.bin");
    let mut all = codec::decode_many(&fs::read(&bin).unwrap(), runs).unwrap();
    edit(&mut all);
    let mut bytes = Vec::new();
    codec::encode_many(&all, &mut bytes).unwrap();
    fs::write(&bin, &bytes).unwrap();
    let json = dir.join("shard.json");
    let sealed = fs::read(&json).unwrap();
    let mut files = manifest::unseal(&sealed).unwrap();
    files.insert("shard.bin".into(), manifest::sha256_hex(&bytes));
    fs::write(
        &json,
        manifest::seal(&manifest::unsealed(&sealed).unwrap(), &files),
    )
    .unwrap();
}

/// A shard whose data were changed and sealed again (as another build's numbers would be) is
/// caught by the rerun of its first replication.
#[test]
fn a_shard_whose_numbers_are_not_this_builds_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/verification/screen-v1.toml");
    let s = shards(dir.path(), &scenario, "4", "7", 2, &[]);
    rewrite_bin(&s[1], 1, |all| {
        let r = &mut all[0].run.records[0];
        r.peak_time = f64::from_bits(r.peak_time.to_bits() + 1);
    });
    merge_refused(
        &[&s[0], &s[1]],
        &["s2: replication 2, run again here, differs"],
    );

    // A --split shard whose twins and fixed-assumption runs were swapped: caught by the rerun of
    // the first twin.
    let met = root().join("scenarios/met-2023.toml");
    let split = shards(&dir.path().join("split"), &met, "4", "7", 2, &["--split"]);
    rewrite_bin(&split[0], 1, |all| {
        let d = &mut all[0];
        std::mem::swap(&mut d.twins, &mut d.central);
    });
    merge_refused(
        &[&split[0], &split[1]],
        &["s1: replication 0 of the twins, run again here, differs"],
    );
    // Or whose fixed-assumption runs were dropped.
    let split = shards(&dir.path().join("split2"), &met, "4", "7", 2, &["--split"]);
    rewrite_bin(&split[1], 1, |all| all[0].central.clear());
    merge_refused(
        &[&split[0], &split[1]],
        &["s2: shard.bin holds no fixed-assumption runs"],
    );
}

/// A shard.json edited and sealed again to say what vetsim never writes is refused with exit 2,
/// without a panic or an allocation the size of what it claims: a count of shards of 10^18,
/// `split` on a sensitivity analysis's shard, a manifest listing a file a shard does not hold.
#[test]
fn forged_shard_files_are_refused_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/verification/mm1.toml");
    let one_shard = |out: &Path| {
        vetsim()
            .args(["sensitivity", "-q", "-n", "1", "--shard", "1/1", "-o"])
            .arg(out)
            .arg(&scenario)
            .assert()
            .success();
    };
    let one = dir.path().join("one");
    one_shard(&one);
    let huge = serde_json::json!(1_000_000_000_000_000_000u64);
    forge_json(&one, &["meta", "replications"], huge.clone());
    forge_json(&one, &["shard", "count"], huge);
    merge_refused(&[&one], &["shard 2/1000000000000000000", "is missing"]);

    let split = dir.path().join("split");
    one_shard(&split);
    forge_json(&split, &["meta", "split"], serde_json::json!(true));
    merge_refused(
        &[&split],
        &["split with sensitivity", "only run has --split"],
    );

    // A manifest that lists a file besides the two a shard holds (absent or not).
    let extra = dir.path().join("extra");
    one_shard(&extra);
    {
        use vetsim::report::manifest;
        let file = extra.join("shard.json");
        let bytes = fs::read(&file).unwrap();
        let mut files = manifest::unseal(&bytes).unwrap();
        files.insert("notes.csv".into(), manifest::sha256_hex(b""));
        fs::write(
            &file,
            manifest::seal(&manifest::unsealed(&bytes).unwrap(), &files),
        )
        .unwrap();
    }
    merge_refused(
        &[&extra],
        &["extra/shard.json", "notes.csv", "a shard holds exactly"],
    );
}

/// With every record sent to the temporary file (`VETSIM_RECORDS_IN_MEMORY=0`), a run, a shard
/// and a merge write exactly what they write holding the records; a temporary directory that
/// cannot take the file fails the run with exit 1, naming it, and writes nothing.
#[test]
fn records_kept_in_a_temporary_file_change_no_byte() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/verification/screen-v1.toml");
    let run = |out: &Path, in_memory: Option<&str>, tmp: Option<&Path>| {
        let mut cmd = vetsim();
        cmd.args(["run", "-q", "-n", "40", "--seed", "5", "-o"])
            .arg(out)
            .arg(&scenario);
        if let Some(v) = in_memory {
            cmd.env("VETSIM_RECORDS_IN_MEMORY", v);
        }
        if let Some(t) = tmp {
            cmd.env("TMPDIR", t);
        }
        cmd.assert()
    };
    let (held, spilled) = (dir.path().join("held"), dir.path().join("spilled"));
    run(&held, None, None).success();
    run(&spilled, Some("0"), None).success();
    assert_same_dirs(&spilled, &held);

    let s = shards(dir.path(), &scenario, "40", "5", 3, &[]);
    // A shard whose block went to the file writes the same shard.bin.
    let spilled_shard = dir.path().join("s2-spilled");
    vetsim()
        .env("VETSIM_RECORDS_IN_MEMORY", "0")
        .args([
            "run", "-q", "-n", "40", "--seed", "5", "--shard", "2/3", "-o",
        ])
        .arg(&spilled_shard)
        .arg(&scenario)
        .assert()
        .success();
    assert_same_dirs(&spilled_shard, &s[1]);
    let merged = dir.path().join("merged");
    vetsim()
        .env("VETSIM_RECORDS_IN_MEMORY", "0")
        .args(["merge", "-q", "-o"])
        .arg(&merged)
        .args(&s)
        .assert()
        .success();
    assert_same_dirs(&merged, &held);

    let nowhere = dir.path().join("no-such-dir");
    let failed = dir.path().join("failed");
    run(&failed, Some("0"), Some(&nowhere))
        .code(1)
        .stderr(predicate::str::contains(format!(
            "the temporary file of per-replication records in {}",
            nowhere.display()
        )))
        .stderr(predicate::str::contains("set TMPDIR"));
    assert!(!failed.exists(), "nothing written");
    run(&failed, Some("lots"), None)
        .code(2)
        .stderr(predicate::str::contains("VETSIM_RECORDS_IN_MEMORY=lots"));
}

/// `compare --shard K/M`: each shard runs the same block of every variant; merged (in another
/// order) they are exactly the comparison's directory, charts and report included. A run's
/// shard among them is refused, naming it; so is a comparison's shard made with other --vary.
#[test]
fn comparison_shards_merge_into_exactly_the_comparison() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/verification/screen-v1.toml");
    let options = [
        "--vary",
        "teams.investigators.headcount[0].count=30,40,50",
        "--baseline",
        "teams.investigators.headcount[0].count=40",
    ];
    let compare = |out: &Path, extra: &[&str]| {
        vetsim()
            .args(["compare", "-q", "-n", "9", "--seed", "4", "-o"])
            .arg(out)
            .args(options)
            .args(extra)
            .arg(&scenario)
            .assert()
    };
    let single = dir.path().join("single");
    compare(&single, &[]).success();
    let s: Vec<PathBuf> = (1..=2)
        .map(|k| {
            let out = dir.path().join(format!("c{k}"));
            compare(&out, &["--shard", &format!("{k}/2")]).success();
            out
        })
        .collect();
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(s[0].join("shard.json")).unwrap()).unwrap();
    assert_eq!(json["meta"]["compare"]["variants"], 3);
    assert_eq!(json["meta"]["compare"]["vary"][0], options[1]);
    let merged = dir.path().join("merged");
    vetsim()
        .args(["merge", "-q", "-o"])
        .arg(&merged)
        .args([&s[1], &s[0]])
        .assert()
        .success();
    assert_same_dirs(&merged, &single);

    // A run's shard of the same scenario, seed and N is not a comparison's.
    let run_shard = dir.path().join("r2");
    shard(&scenario, "9", "4", "2/2", &run_shard, &[]);
    vetsim()
        .args(["merge", "-q", "-o"])
        .arg(dir.path().join("mixed"))
        .args([&s[0], &run_shard])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(run_shard.display().to_string()))
        .stderr(predicate::str::contains("command"));
    // Nor is one of another grid.
    let other = dir.path().join("other");
    vetsim()
        .args([
            "compare", "-q", "-n", "9", "--seed", "4", "--shard", "2/2", "-o",
        ])
        .arg(&other)
        .args(["--vary", "teams.investigators.headcount[0].count=30,40"])
        .arg(&scenario)
        .assert()
        .success();
    vetsim()
        .args(["merge", "-q", "-o"])
        .arg(dir.path().join("mixed2"))
        .args([&s[0], &other])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(other.display().to_string()));
    assert!(!dir.path().join("mixed").exists() && !dir.path().join("mixed2").exists());
}

/// `sensitivity --shard K/M`: each shard runs the same block of every run of the analysis (the
/// main run, its twins and fixed-assumption run, each pinned run); merged in another order they
/// are exactly the analysis's directory, chart and report included. A missing shard is named
/// with the `sensitivity` command that runs it; a run's shard among them is refused; a shard
/// whose pinned runs were swapped (the P10 run stored as the P90 run's) and sealed again is
/// caught by the rerun of each pinned run's first replication with its own keys. A shard that
/// keeps its pinned runs in a temporary file writes the same bytes.
#[test]
fn sensitivity_shards_merge_into_exactly_the_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = root().join("scenarios/met-2023.toml");
    let sensitivity = |out: &Path, extra: &[&str]| {
        vetsim()
            .args(["sensitivity", "-q", "-n", "5", "--seed", "3", "-o"])
            .arg(out)
            .args(extra)
            .arg(&scenario)
            .assert()
    };
    let single = d.join("single");
    sensitivity(&single, &[]).success();
    // Shard 2 keeps its pinned runs in the temporary file from the first byte.
    let s: Vec<PathBuf> = (1..=3)
        .map(|k| {
            let out = d.join(format!("t{k}"));
            let spec = format!("{k}/3");
            if k == 2 {
                vetsim()
                    .env("VETSIM_RECORDS_IN_MEMORY", "0")
                    .args(["sensitivity", "-q", "-n", "5", "--seed", "3", "-o"])
                    .arg(&out)
                    .args(["--shard", &spec])
                    .arg(&scenario)
                    .assert()
                    .success();
            } else {
                sensitivity(&out, &["--shard", &spec]).success();
            }
            out
        })
        .collect();
    // A temporary directory that cannot take the file fails the shard (exit 1), naming it, and
    // writes nothing.
    let nowhere = d.join("no-such-tmp");
    vetsim()
        .env("VETSIM_RECORDS_IN_MEMORY", "0")
        .env("TMPDIR", &nowhere)
        .args([
            "sensitivity",
            "-q",
            "-n",
            "5",
            "--seed",
            "3",
            "--shard",
            "1/3",
            "-o",
        ])
        .arg(d.join("failed"))
        .arg(&scenario)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(nowhere.display().to_string()));
    assert!(!d.join("failed").exists());
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(s[0].join("shard.json")).unwrap()).unwrap();
    let runs = json["meta"]["sensitivity"]["runs"].as_u64().unwrap();
    let analysis: serde_json::Value =
        serde_json::from_slice(&fs::read(single.join("sensitivity.json")).unwrap()).unwrap();
    assert_eq!(
        runs * 5,
        analysis["meta"]["replications_run"].as_u64().unwrap() - 2 * 5,
        "the main run (its twins and fixed-assumption run inside it) and every pinned run"
    );
    let merged = d.join("merged");
    vetsim()
        .args(["merge", "-q", "-o"])
        .arg(&merged)
        .args([&s[2], &s[0], &s[1]])
        .assert()
        .success();
    assert_same_dirs(&merged, &single);

    merge_refused(
        &[&s[0], &s[2]],
        &[
            "shard 2/3 (replications 2 to 3) is missing",
            "vetsim sensitivity SCENARIO -n 5 --seed 3 --shard 2/3",
        ],
    );
    let run_shard = d.join("r3");
    shard(&scenario, "5", "3", "3/3", &run_shard, &[]);
    merge_refused(&[&s[0], &s[1], &run_shard], &["r3: not a shard", "command"]);

    // The last two runs are the last assumption's P10 and P90 runs: swapped.
    rewrite_bin(&s[1], runs as usize, |all| {
        let n = all.len();
        all.swap(n - 2, n - 1);
    });
    merge_refused(
        &[&s[0], &s[1], &s[2]],
        &["t2: replication 2 of the P10 run of ", "differs"],
    );
}
