//! Shards: the replications of one run split into contiguous blocks that run as separate
//! processes (`vetsim run --shard K/M`, one task of a Slurm array job each), and the check and
//! merge that put them back together into exactly the run of them all (`vetsim merge`).
//!
//! Why the merge is exact: replication r draws from streams keyed by (seed, r) only, whatever
//! range it runs in; the statistics pooled across replications are integer histograms and
//! integer sums, whose merge does not depend on grouping; per-replication records are
//! concatenated in replication order before anything adds floats. So the shards' data, put
//! together in block order, are the very [`RunResult`] (and twins) a single run makes, and the
//! results are written from it by the same code.
//!
//! This module owns the block arithmetic, the shard directory's format (`shard.json`, sealed with
//! the manifest of its files; `shard.bin`, see [`codec`]) and the checks that shards belong
//! together, and encodes a sensitivity shard as it runs. It reads shard directories but writes no
//! file (the app writes through [`crate::report::write_results`]); it never prints. The format:
//! `docs/outputs.md`, "Shard directories".

pub mod codec;

use crate::engine::Silent;
use crate::engine::{RecordSink, RunResult};
use crate::model::{RepKeys, RepRecord};
use crate::report::summary::Tool;
use crate::scenario::Scenario;
use codec::ShardData;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Version of the shard directory's format (`shard.json` and `shard.bin` together), in every
/// `shard.json` as `shard_format`.
pub const SHARD_FORMAT: u32 = 1;

/// The main file of a shard directory.
pub const SHARD_JSON: &str = "shard.json";

/// The replications of a shard directory ([`codec`]).
pub const SHARD_BIN: &str = "shard.bin";

/// `--shard K/M`: shard `index` (1 to `count`) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSpec {
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for ShardSpec {
    type Err = ShardError;

    fn from_str(given: &str) -> Result<ShardSpec, ShardError> {
        let bad = |message: &str| ShardError::Spec {
            given: given.to_string(),
            message: message.to_string(),
        };
        let Some((k, m)) = given.split_once('/') else {
            return Err(bad(
                "give K/M, shard K of M (K from 1 to M), e.g. 2/8; in a Slurm array job, $SLURM_ARRAY_TASK_ID/M",
            ));
        };
        let number = |s: &str, what: &str| -> Result<u64, ShardError> {
            s.trim().parse::<u64>().map_err(|e| {
                use std::num::IntErrorKind;
                bad(&if *e.kind() == IntErrorKind::PosOverflow {
                    format!("{what} {s:?} is too large: give K/M, e.g. 2/8")
                } else {
                    format!("{what} {s:?} is not a whole number: give K/M, e.g. 2/8")
                })
            })
        };
        let (index, count) = (number(k, "K")?, number(m, "M")?);
        if count == 0 {
            return Err(bad("M, the number of shards, must be at least 1"));
        }
        if index == 0 || index > count {
            return Err(bad(&format!(
                "K must be from 1 to {count} (shards count from 1; a scheduler that counts from 0 passes its index + 1)"
            )));
        }
        Ok(ShardSpec { index, count })
    }
}

impl std::fmt::Display for ShardSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The replications of shard `index` (1 to `count`) of a run of `n`: contiguous blocks of `0..n`
/// in order, the first `n mod count` of them one replication longer than the rest. Replication r
/// is in the same shard for every `index`, and the blocks of `1..=count` partition `0..n`.
///
/// # Panics
/// If `index` is not from 1 to `count` (a [`ShardSpec`] always is).
pub fn block(index: u64, count: u64, n: u64) -> Range<u64> {
    assert!(
        (1..=count).contains(&index),
        "shard {index} of {count}: shards count from 1"
    );
    let k = index - 1;
    let (size, longer) = (n / count, n % count);
    let start = k * size + k.min(longer);
    let len = size + u64::from(k < longer);
    start..start + len
}

/// `shard.json`: what the shard is and what it was run with (sealed with the manifest of the
/// directory's other files, like every vetsim main file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardFile {
    /// [`SHARD_FORMAT`].
    pub shard_format: u32,
    pub meta: ShardMeta,
    pub shard: ShardPart,
}

/// What every shard of a run must share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardMeta {
    /// Tool, version, results format, platform and what is promised on it, as in summary.json.
    #[serde(flatten)]
    pub tool: Tool,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario's file name, as `summary.json` gives it (`meta.scenario_file`).
    pub scenario_file: String,
    /// SHA-256 of the scenario file's bytes (the copy, `scenario.toml`, has them).
    pub scenario_hash: String,
    pub seed: u64,
    /// N, the replications of the whole run.
    pub replications: u64,
    /// Every option of `run` that changes its outputs: `--split`, and `--png` (the merge then
    /// writes the PNGs too).
    pub split: bool,
    #[serde(default)]
    pub png: bool,
    /// For a shard of `vetsim compare` (absent for `run`): what decides its variants, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<CompareShard>,
    /// For a shard of `vetsim sensitivity` (absent for `run`): how many runs it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<SensitivityShard>,
}

/// What a shard of `vetsim sensitivity --shard K/M` holds: `runs` runs of its block, the main
/// run first (with its twins and fixed-assumption run when the scenario has assumptions), then
/// each pinned run in the analysis's order ([`crate::sensitivity::pinned_runs`]), records only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensitivityShard {
    pub runs: u64,
}

impl ShardMeta {
    /// The command whose work the shard is part of, as a user would type it for shard `index` of
    /// `count` (to say how to run a missing one).
    pub fn command(&self, index: u64, count: u64) -> String {
        let (n, seed) = (self.replications, self.seed);
        let png = if self.png { " --png" } else { "" };
        let head = match (&self.compare, &self.sensitivity) {
            (Some(c), _) => {
                let mut head = "vetsim compare SCENARIO".to_string();
                for v in &c.vary {
                    head.push_str(&format!(" --vary {}", shell_word(v)));
                }
                for b in &c.baseline {
                    head.push_str(&format!(" --baseline {}", shell_word(b)));
                }
                head
            }
            (None, Some(_)) => "vetsim sensitivity SCENARIO".to_string(),
            (None, None) => format!(
                "vetsim run SCENARIO{}",
                if self.split { " --split" } else { "" }
            ),
        };
        format!("{head} -n {n} --seed {seed}{png} --shard {index}/{count}")
    }

    /// How many runs of its block a shard's `shard.bin` holds.
    pub fn runs(&self) -> u64 {
        match (&self.compare, &self.sensitivity) {
            (Some(c), _) => c.variants,
            (None, Some(s)) => s.runs,
            (None, None) => 1,
        }
    }
}

/// `word` as one word of a POSIX shell command: as it is when it holds only characters a shell
/// leaves alone, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.,=/:+@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// What a shard of `vetsim compare --shard K/M` was run with, besides the scenario: its
/// `--vary` and `--baseline` options exactly as given (none: the scenario's `[experiment]`
/// and the scenario as written), and how many variants they made. `shard.bin` holds the
/// block's data for each variant, in the comparison's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareShard {
    pub vary: Vec<String>,
    pub baseline: Vec<String>,
    pub variants: u64,
}

/// Which part of the run this shard is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardPart {
    /// K, from 1.
    pub index: u64,
    /// M.
    pub count: u64,
    /// The block, `first_replication..end_replication` (the end excluded).
    pub first_replication: u64,
    pub end_replication: u64,
}

impl ShardFile {
    /// `shard.json`'s bytes before sealing: pretty-printed, newline-terminated.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("shard.json serialises");
        out.push(b'\n');
        out
    }
}

/// Why `--shard` or a set of shard directories is refused (all bad input: exit code 2). Every
/// variant about a directory names it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShardError {
    /// A bad `--shard` value (clap names the option and the value given).
    #[error("{message}")]
    Spec { given: String, message: String },
    /// A shard directory could not be read, or a file in it is not the one its manifest names.
    #[error(transparent)]
    Read(#[from] crate::plot::PlotError),
    #[error("{dir}: {message}")]
    NotShard { dir: PathBuf, message: String },
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
    #[error(
        "{dir}: not a shard of the same run as the others: its {field} is {value}, theirs {expected} ({others})"
    )]
    Foreign {
        dir: PathBuf,
        field: &'static str,
        value: String,
        expected: String,
        others: String,
    },
    #[error("{second}: shard {index}/{count} again (it is {first} too): give each shard once")]
    Duplicate {
        index: u64,
        count: u64,
        first: PathBuf,
        second: PathBuf,
    },
    #[error(
        "shard {index}/{count} (replications {} to {}) is missing: {given}; run it with `{command}` and merge again",
        range.start, range.end.saturating_sub(1),
    )]
    Missing {
        index: u64,
        count: u64,
        range: Range<u64>,
        /// The command that runs it ([`ShardMeta::command`]).
        command: String,
        given: String,
    },
    /// The shards were made by another version of vetsim or on another platform than this one.
    #[error("{dirs}: {message}")]
    Incompatible { dirs: String, message: String },
    /// A shard whose data do not agree with its own `shard.json` or with its scenario.
    #[error("{dir}: {message}")]
    Inconsistent { dir: PathBuf, message: String },
    /// The merged records could not be kept on disk (exit code 1, not a fault of the shards).
    #[error("merging {dir}: {source}")]
    Records {
        dir: PathBuf,
        source: crate::engine::RecordsError,
    },
}

/// A shard directory, read and checked on its own. Its replications are not kept: [`assemble`]
/// reads them again, one shard at a time, so that a merge holds one shard's data at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Shard {
    pub dir: PathBuf,
    pub file: ShardFile,
    /// The scenario copy's bytes.
    pub scenario: Vec<u8>,
    /// SHA-256 of `shard.json` as read: it seals the digests of the other files, so a second
    /// read that finds the same has found the same `shard.bin`.
    pub sealed: String,
}

/// Reads shard directory `dir`: `shard.json` against its seal, and the scenario copy against its
/// manifest. `shard.bin` is read, checked against its digest and decoded, and its data checked
/// against the block `shard.json` names, when the shards are put together ([`assemble`] and its
/// kin), so that checking a set of shards does not read them twice.
pub fn read_shard(dir: &Path) -> Result<Shard, ShardError> {
    read_shard_data(dir, None)
}

/// A reader of a shard's runs, one at a time: the run's index in `shard.bin` and its data.
type EachRun<'a> = &'a mut dyn FnMut(usize, ShardData) -> Result<(), ShardError>;

/// [`read_shard`], and with `each`, the shard's runs (one run's, each variant's of a comparison,
/// or each run of a sensitivity analysis) decoded one at a time, each checked to be the block
/// `shard.json` names and handed to `each` before the next is decoded.
fn read_shard_data(dir: &Path, each: Option<EachRun<'_>>) -> Result<Shard, ShardError> {
    let not_shard = |message: String| ShardError::NotShard {
        dir: dir.to_path_buf(),
        message,
    };
    if !dir.is_dir() {
        return Err(not_shard(if dir.exists() {
            "is not a directory: give the shard directories that `vetsim run` (or `compare`, or `sensitivity`) `--shard K/M -o DIR` wrote"
                .into()
        } else {
            "no such directory".into()
        }));
    }
    if !dir.join(SHARD_JSON).is_file() {
        let results = ["summary.json", "comparison.json", "sensitivity.json"]
            .into_iter()
            .find(|m| dir.join(m).is_file());
        return Err(not_shard(match results {
            Some(m) => format!(
                "holds {m}, the results of a whole run, not a shard: give the shard directories that `vetsim run` (or `compare`, or `sensitivity`) `--shard K/M -o DIR` wrote"
            ),
            None => format!(
                "holds no {SHARD_JSON}: not a shard directory (`vetsim run` or `compare` or `sensitivity` with `--shard K/M -o DIR` writes one)"
            ),
        }));
    }
    // shard.bin, by far the largest file, is read (and checked against its digest) only with
    // the data: the first read of a set needs shard.json and the scenario copy alone.
    let copy = crate::report::manifest::SCENARIO_COPY;
    let keep: &[&str] = if each.is_some() {
        &[copy, SHARD_BIN]
    } else {
        &[copy]
    };
    let sealed = crate::plot::read_sealed(dir, SHARD_JSON, keep)?;
    // The manifest lists exactly the two files every shard holds.
    let listed: Vec<&str> = sealed.manifest.keys().map(String::as_str).collect();
    let mut want = [copy, SHARD_BIN];
    want.sort_unstable();
    if listed != want {
        return Err(ShardError::Format {
            path: dir.join(SHARD_JSON),
            message: format!(
                "its manifest lists {listed:?}, but a shard holds exactly {want:?} besides {SHARD_JSON}"
            ),
        });
    }
    let json_path = dir.join(SHARD_JSON);
    let format = |message: String| ShardError::Format {
        path: json_path.clone(),
        message,
    };
    let value: serde_json::Value =
        serde_json::from_slice(&sealed.main).map_err(|e| format(e.to_string()))?;
    match value.get("shard_format").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(SHARD_FORMAT) => {}
        Some(v) => {
            return Err(format(format!(
                "shard_format {v}, but this vetsim ({}) reads shard_format {SHARD_FORMAT}: merge with the vetsim version that ran the shards",
                env!("CARGO_PKG_VERSION")
            )));
        }
        None => return Err(format("no shard_format: not a vetsim shard.json".into())),
    }
    let file: ShardFile = serde_json::from_value(value).map_err(|e| format(e.to_string()))?;
    let sealed_digest = crate::report::manifest::sha256_hex(&sealed.main);
    let mut kept = sealed.kept.into_iter();
    let scenario = kept.next().expect("the scenario copy kept");
    let bin = kept.next().unwrap_or_default();
    let runs = file.meta.runs();
    if runs == 0 || runs > MAX_VARIANTS {
        return Err(format(format!(
            "{runs} runs (compare.variants or sensitivity.runs): not a shard vetsim writes"
        )));
    }
    let (compare, sensitivity) = (file.meta.compare.is_some(), file.meta.sensitivity.is_some());
    if compare && sensitivity {
        return Err(format(
            "has both compare and sensitivity: not a shard vetsim writes".into(),
        ));
    }
    if file.meta.split && (compare || sensitivity) {
        return Err(format(format!(
            "split with {}: not a shard vetsim writes (only run has --split)",
            if compare { "compare" } else { "sensitivity" }
        )));
    }
    let inconsistent = |message: String| ShardError::Inconsistent {
        dir: dir.to_path_buf(),
        message,
    };
    let part = file.shard;
    let n = file.meta.replications;
    if part.count == 0 || part.index == 0 || part.index > part.count || part.count > n {
        return Err(format(format!(
            "shard {}/{} of {n} replications: not a shard vetsim writes",
            part.index, part.count
        )));
    }
    let want = block(part.index, part.count, n);
    if (part.first_replication..part.end_replication) != want {
        return Err(format(format!(
            "shard {}/{} of {n} replications says it holds replications {}..{}, but that shard is {}..{}",
            part.index,
            part.count,
            part.first_replication,
            part.end_replication,
            want.start,
            want.end
        )));
    }
    let len = want.end - want.start;
    let numbered = |list: &[RepRecord]| {
        list.iter()
            .zip(want.clone())
            .all(|(r, i)| r.replication == i)
    };
    let check = |i: usize, data: &ShardData| -> Result<(), ShardError> {
        // A run with --split, and the main run of a sensitivity analysis, hold twins.
        let split = file.meta.split || (file.meta.sensitivity.is_some() && i == 0);
        if data.first != want.start
            || data.run.replications != want.end
            || data.run.seed != file.meta.seed
            || data.run.records.len() as u64 != len
            || !numbered(&data.run.records)
        {
            return Err(inconsistent(format!(
                "{SHARD_BIN} does not hold replications {}..{} of seed {} that {SHARD_JSON} names",
                want.start, want.end, file.meta.seed
            )));
        }
        for (list, what) in [
            (&data.twins, "twins"),
            (&data.central, "fixed-assumption runs"),
        ] {
            if !(list.is_empty() || list.len() as u64 == len && numbered(list)) {
                return Err(inconsistent(format!(
                    "{SHARD_BIN} holds {} {what}, not one for each of its {len} replications",
                    list.len()
                )));
            }
            if !list.is_empty() && !split {
                return Err(inconsistent(format!(
                    "{SHARD_BIN} holds {what} in run {}, but {SHARD_JSON} says it has none (a run without --split, or a pinned run of a sensitivity analysis)",
                    i + 1
                )));
            }
        }
        Ok(())
    };
    if let Some(each) = each {
        let bad = |e: codec::DecodeError| ShardError::Format {
            path: dir.join(SHARD_BIN),
            message: e.to_string(),
        };
        codec::decode_each(&bin, runs as usize, bad, |i, data| {
            check(i, &data)?;
            each(i, data)
        })?;
    }
    Ok(Shard {
        dir: dir.to_path_buf(),
        file,
        scenario,
        sealed: sealed_digest,
    })
}

/// The most runs a shard may say it holds (far above any comparison's grid, or any sensitivity
/// analysis's runs, vetsim accepts).
const MAX_VARIANTS: u64 = 1 << 16;

/// The fields every shard of a run shares, by name, as text.
fn shared_fields(m: &ShardFile) -> [(&'static str, String); 11] {
    let t = &m.meta;
    [
        (
            "command (run, compare with its --vary and --baseline, or sensitivity)",
            match (&t.compare, &t.sensitivity) {
                (None, None) => "run".to_string(),
                (Some(c), _) => format!(
                    "compare --vary {:?} --baseline {:?} ({} variants)",
                    c.vary, c.baseline, c.variants
                ),
                (None, Some(s)) => format!("sensitivity ({} runs)", s.runs),
            },
        ),
        (
            "scenario_hash (the scenario's SHA-256)",
            t.scenario_hash.clone(),
        ),
        ("scenario_file", t.scenario_file.clone()),
        ("seed", t.seed.to_string()),
        ("replications (N)", t.replications.to_string()),
        ("shard count (M)", m.shard.count.to_string()),
        ("split (--split)", t.split.to_string()),
        ("png (--png)", t.png.to_string()),
        ("vetsim version", t.tool.version.clone()),
        ("format_version", t.tool.format_version.to_string()),
        ("platform", t.tool.platform.clone()),
    ]
}

/// Checks that `shards` (in the order given) are the M shards of one run, each exactly once,
/// made by this version of vetsim on this platform, and returns them in block order.
///
/// A shard that differs from the others (another scenario, seed, N, M, options, version or
/// platform) is named: the value most of the shards share is taken as the run's (the first
/// shard's on a tie).
pub fn check_set(shards: Vec<Shard>) -> Result<Vec<Shard>, ShardError> {
    let Some(first) = shards.first() else {
        return Err(ShardError::Incompatible {
            dirs: "vetsim merge".into(),
            message: "no shard directories given".into(),
        });
    };
    let first_fields = shared_fields(&first.file);
    for (f, (field, _)) in first_fields.iter().enumerate() {
        let values: Vec<String> = shards
            .iter()
            .map(|s| shared_fields(&s.file)[f].1.clone())
            .collect();
        // The most common value (the first shard's on a tie).
        let mut best = &values[0];
        let mut best_n = 0;
        for v in &values {
            let n = values.iter().filter(|x| *x == v).count();
            if n > best_n {
                (best, best_n) = (v, n);
            }
        }
        if let Some(i) = values.iter().position(|v| v != best) {
            let others: Vec<String> = shards
                .iter()
                .zip(&values)
                .filter(|(_, v)| *v == best)
                .map(|(s, _)| s.dir.display().to_string())
                .collect();
            return Err(ShardError::Foreign {
                dir: shards[i].dir.clone(),
                field,
                value: values[i].clone(),
                expected: best.clone(),
                others: others.join(", "),
            });
        }
    }
    let all_dirs = || {
        shards
            .iter()
            .map(|s| s.dir.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let this = Tool::this();
    let tool = &first.file.meta.tool;
    if tool.version != this.version || tool.format_version != this.format_version {
        return Err(ShardError::Incompatible {
            dirs: all_dirs(),
            message: format!(
                "run by vetsim {} (results format {}), but this is vetsim {} (format {}): merge with the version that ran the shards",
                tool.version, tool.format_version, this.version, this.format_version
            ),
        });
    }
    if tool.platform != this.platform {
        return Err(ShardError::Incompatible {
            dirs: all_dirs(),
            message: format!(
                "run on {}, but this vetsim runs on {}: the byte-for-byte promise holds on one platform; merge where the shards ran",
                tool.platform, this.platform
            ),
        });
    }
    let (count, n) = (first.file.shard.count, first.file.meta.replications);
    let meta = first.file.meta.clone();
    // By index (M may be any number a shard.json says: nothing is allocated per shard not given).
    let mut slots: std::collections::BTreeMap<u64, Shard> = std::collections::BTreeMap::new();
    for s in shards {
        let k = s.file.shard.index;
        if let Some(earlier) = slots.get(&k) {
            return Err(ShardError::Duplicate {
                index: k,
                count,
                first: earlier.dir.clone(),
                second: s.dir,
            });
        }
        slots.insert(k, s);
    }
    let given: Vec<String> = slots
        .values()
        .map(|s| format!("{} is {}", s.dir.display(), spec_of(s)))
        .collect();
    // The first index not given (the indices are 1 to M, distinct).
    let missing = (1..=count).zip(slots.keys()).find(|(want, k)| want != *k);
    let missing = match missing {
        Some((want, _)) => Some(want),
        None if (slots.len() as u64) < count => Some(slots.len() as u64 + 1),
        None => None,
    };
    if let Some(index) = missing {
        return Err(ShardError::Missing {
            index,
            count,
            range: block(index, count, n),
            command: meta.command(index, count),
            given: given.join(", "),
        });
    }
    Ok(slots.into_values().collect())
}

fn spec_of(s: &Shard) -> String {
    format!("{}/{}", s.file.shard.index, s.file.shard.count)
}

/// Checks one shard's main run against its scenario: every record has the scenario's shape, the
/// pooled histograms its case types and teams, the twins are there when `wants_twins` (and only
/// then), and the shard's first replication, run again here, is the one stored bit for bit, and
/// so are its twin and fixed-assumption run when there are some (a shard made by another build,
/// or edited and sealed again, is refused rather than merged).
fn check_against(
    s: &Scenario,
    shard: &Shard,
    data: &ShardData,
    wants_twins: bool,
) -> Result<(), ShardError> {
    let inconsistent = |message: String| ShardError::Inconsistent {
        dir: shard.dir.clone(),
        message,
    };
    let Some(want) = check_first(s, shard, &data.run.records, "", RepKeys::of)? else {
        return Ok(());
    };
    check_first(s, shard, &data.twins, " of the twins", RepKeys::twin)?;
    check_first(
        s,
        shard,
        &data.central,
        " of the fixed-assumption runs",
        |seed, rep| RepKeys::of(seed, rep).pinned(crate::scenario::Pin::Central),
    )?;
    check_shape(
        shard,
        &want,
        &[&data.run.records, &data.twins, &data.central],
    )?;
    for (list, what) in [
        (&data.twins, "twins"),
        (&data.central, "fixed-assumption runs"),
    ] {
        if wants_twins == list.is_empty() {
            return Err(inconsistent(format!(
                "{SHARD_BIN} {} {what}, but the scenario with split {} {}",
                if wants_twins { "holds no" } else { "holds" },
                shard.file.meta.split,
                if wants_twins {
                    "needs them"
                } else {
                    "has none"
                }
            )));
        }
    }
    let p = &data.run.pooled;
    let (types, teams) = (s.case_types.len(), s.teams.len());
    let fits = p.wait.len() == types
        && p.time_in_system.len() == types
        && p.open_by_type.len() == p.open_total.len()
        && p.open_by_type.iter().all(|d| d.len() == types)
        && p.utilisation.len() == p.utilisation_sum.len()
        && p.utilisation.iter().all(|d| d.len() == teams)
        && p.utilisation_sum.iter().all(|d| d.len() == teams);
    if !fits {
        return Err(inconsistent(format!(
            "the pooled histograms in {SHARD_BIN} do not have this scenario's {types} case types and {teams} teams"
        )));
    }
    Ok(())
}

/// Runs the first of `records` (a run of the shard's block, keyed by `keys`; `what` names the
/// run in a message) again and checks that the stored record is the same bit for bit; returns
/// the record run again (none when the block is empty).
fn check_first(
    s: &Scenario,
    shard: &Shard,
    records: &[RepRecord],
    what: &str,
    keys: impl Fn(u64, u64) -> RepKeys + Sync,
) -> Result<Option<RepRecord>, ShardError> {
    let inconsistent = |message: String| ShardError::Inconsistent {
        dir: shard.dir.clone(),
        message,
    };
    let Some(stored) = records.first() else {
        return Ok(None);
    };
    let first = stored.replication;
    let seed = shard.file.meta.seed;
    let mut again =
        crate::engine::run_records(s, first..first + 1, seed, keys, &Silent).map_err(|e| {
            inconsistent(format!(
                "replication {first}{what} fails when run again: {e}"
            ))
        })?;
    let want = again.pop().expect("one replication run");
    if codec::record_bytes(&want) != codec::record_bytes(stored) {
        return Err(inconsistent(format!(
            "replication {first}{what}, run again here, differs from the one in {SHARD_BIN}: the shard was not made from this scenario and seed by this build of vetsim"
        )));
    }
    Ok(Some(want))
}

/// Checks that every record of `lists` has the shape of `want` (this scenario's).
fn check_shape(
    shard: &Shard,
    want: &RepRecord,
    lists: &[&Vec<RepRecord>],
) -> Result<(), ShardError> {
    let shape = |r: &RepRecord| {
        (
            r.back_to_target.len(),
            r.types.len(),
            r.source_days.len(),
            r.hit_rates.len(),
            r.assumptions.len(),
            r.teams.len(),
            r.periods.len(),
        )
    };
    match lists
        .iter()
        .flat_map(|l| l.iter())
        .find(|r| shape(r) != shape(want))
    {
        Some(bad) => Err(ShardError::Inconsistent {
            dir: shard.dir.clone(),
            message: format!(
                "the record of replication {} in {SHARD_BIN} does not have the shape of this scenario's",
                bad.replication
            ),
        }),
        None => Ok(()),
    }
}

/// What a merge puts together: the run of all the shards' replications (its records in
/// `sink`), and the twins and fixed-assumption runs (empty without `--split`).
pub type Assembled<R> = (RunResult<R>, Vec<RepRecord>, Vec<RepRecord>);

/// The shards' data (in block order, from [`check_set`]) put together, one shard at a time:
/// each shard's `shard.bin` is read again (and must be what [`read_shard`] read), checked
/// against the scenario `s` (every record of the scenario's shape, the first one run again
/// and found the same bit for bit), its records handed to `sink` and its pooled histograms
/// added, before the next is read.
pub fn assemble<R: RecordSink>(
    s: &Scenario,
    shards: &[Shard],
    mut sink: R,
) -> Result<Assembled<R>, ShardError> {
    let mut pooled = crate::engine::Pooled::default();
    let (mut twins, mut central) = (Vec::new(), Vec::new());
    let (mut seed, mut replications) = (0, 0);
    for (i, shard) in shards.iter().enumerate() {
        let mut all = all_runs(shard)?;
        let data = match (all.pop(), all.is_empty()) {
            (Some(d), true) => d,
            _ => {
                return Err(ShardError::Inconsistent {
                    dir: shard.dir.clone(),
                    message: format!(
                        "holds the shard of a comparison or a sensitivity analysis ({SHARD_JSON} has `compare` or `sensitivity`), not of a run"
                    ),
                });
            }
        };
        check_against(
            s,
            shard,
            &data,
            shard.file.meta.split && !s.assumptions.is_empty(),
        )?;
        let ShardData {
            run,
            twins: t,
            central: c,
            ..
        } = data;
        if i == 0 {
            pooled = run.pooled;
        } else {
            pooled.merge(run.pooled);
        }
        (seed, replications) = (run.seed, run.replications);
        sink.append(run.records).map_err(|e| ShardError::Records {
            dir: shard.dir.clone(),
            source: e,
        })?;
        twins.extend(t);
        central.extend(c);
    }
    Ok((
        RunResult {
            seed,
            replications,
            records: sink,
            pooled,
        },
        twins,
        central,
    ))
}

/// Reads a shard again for [`assemble`] and its kin, and decodes its runs one at a time into
/// `each`: the directory must be what [`read_shard`] read.
fn read_again(shard: &Shard, each: EachRun<'_>) -> Result<(), ShardError> {
    let again = read_shard_data(&shard.dir, Some(each))?;
    if again != *shard {
        return Err(ShardError::Inconsistent {
            dir: shard.dir.clone(),
            message: "changed while the shards were being merged: merge again when nothing writes to them".into(),
        });
    }
    Ok(())
}

/// All of a shard's runs, read again ([`read_again`]).
fn all_runs(shard: &Shard) -> Result<Vec<ShardData>, ShardError> {
    let mut all = Vec::new();
    read_again(shard, &mut |_, data| {
        all.push(data);
        Ok(())
    })?;
    Ok(all)
}

/// The shards of a comparison (in block order, from [`check_set`]) put together: for each of
/// the comparison's variant scenarios `variants` (in the comparison's order), the run of all
/// its replications, each shard checked against the variant's scenario as [`assemble`] checks
/// a run's. A comparison's records are held in memory, as `compare` holds them.
pub fn assemble_variants(
    variants: &[&Scenario],
    shards: &[Shard],
) -> Result<Vec<RunResult>, ShardError> {
    let mut runs: Vec<Option<RunResult>> = vec![None; variants.len()];
    for shard in shards {
        let all = all_runs(shard)?;
        if all.len() != variants.len() {
            return Err(ShardError::Inconsistent {
                dir: shard.dir.clone(),
                message: format!(
                    "{SHARD_BIN} holds {} runs, but the scenario and the shards' --vary make {} variants",
                    all.len(),
                    variants.len()
                ),
            });
        }
        for ((data, s), run) in all.into_iter().zip(variants).zip(runs.iter_mut()) {
            check_against(s, shard, &data, false)?;
            match run {
                Some(r) => r.absorb(data.run),
                None => *run = Some(data.run),
            }
        }
    }
    Ok(runs.into_iter().flatten().collect())
}

/// The shards of a sensitivity analysis of `s` (in block order, from [`check_set`]) put
/// together, one shard at a time: the main run (records and pooled histograms, checked as
/// [`assemble`] checks a run's), its twins and fixed-assumption runs, and each pinned run, whose
/// first replication is run again with its own keys and must be the one stored, bit for bit.
/// The pinned runs' records are reduced to the outputs the analysis reads as each shard is read.
pub fn assemble_sensitivity(
    s: &Scenario,
    shards: &[Shard],
) -> Result<crate::sensitivity::Runs, ShardError> {
    use crate::sensitivity::{Runs, pinned_runs};
    let pinned = pinned_runs(s);
    let uncertain = !s.assumptions.is_empty();
    let mut runs = Runs::new(s);
    for shard in shards {
        let runs_held = shard.file.meta.runs();
        if runs_held != 1 + pinned.len() as u64 {
            return Err(ShardError::Inconsistent {
                dir: shard.dir.clone(),
                message: format!(
                    "{SHARD_JSON} says it holds {runs_held} runs (sensitivity.runs), but the sensitivity analysis of its scenario makes {}",
                    1 + pinned.len()
                ),
            });
        }
        // One run at a time: the main run kept, each pinned run reduced to its outputs.
        read_again(shard, &mut |i, data| {
            let Some(p) = i.checked_sub(1).map(|j| pinned[j]) else {
                check_against(s, shard, &data, uncertain)?;
                let ShardData {
                    run,
                    twins,
                    central,
                    ..
                } = data;
                runs.add_main(run, twins, central);
                return Ok(());
            };
            let what = format!(" of {}", p.describe(s));
            let records = &data.run.records;
            if let Some(want) =
                check_first(s, shard, records, &what, |seed, rep| p.keys(seed, rep))?
            {
                check_shape(shard, &want, &[records])?;
            }
            if data.run.pooled != crate::engine::Pooled::default() {
                return Err(ShardError::Inconsistent {
                    dir: shard.dir.clone(),
                    message: format!(
                        "{SHARD_BIN} holds pooled histograms for {}, which has none",
                        p.describe(s)
                    ),
                });
            }
            runs.add_pinned(s, i - 1, records);
            Ok(())
        })?;
    }
    Ok(runs)
}

/// A sensitivity analysis's shard being made ([`crate::sensitivity::run_block`] hands it each
/// run of the block): it keeps the main run (with its twins and fixed-assumption runs) and
/// encodes each pinned run into `spool` as soon as it is done, records only with empty pooled
/// histograms (the layout of `docs/outputs.md`), so that it holds one pinned run's records at a
/// time. [`write_sensitivity_bin`] then writes `shard.bin` from both.
pub struct SensitivityBlock<W: std::io::Write> {
    main: Option<ShardData>,
    pinned: codec::Encoder<W>,
    range: Range<u64>,
    seed: u64,
}

impl<W: std::io::Write> SensitivityBlock<W> {
    /// A block of replications `range` of seed `seed`, its pinned runs encoded into `spool`.
    pub fn new(spool: W, range: Range<u64>, seed: u64) -> SensitivityBlock<W> {
        SensitivityBlock {
            main: None,
            pinned: codec::Encoder::without_header(spool),
            range,
            seed,
        }
    }

    /// The main run, and the spool with every pinned run encoded.
    ///
    /// # Panics
    /// If the block's main run was not handed over (`run_block` always hands it first).
    pub fn finish(self) -> std::io::Result<(ShardData, W)> {
        let main = self.main.expect("run_block hands over the main run");
        Ok((main, self.pinned.finish()?))
    }
}

impl<W: std::io::Write> crate::sensitivity::BlockSink for SensitivityBlock<W> {
    fn main(
        &mut self,
        run: RunResult,
        twins: Vec<RepRecord>,
        central: Vec<RepRecord>,
    ) -> Result<(), crate::engine::RunError> {
        self.main = Some(ShardData {
            run,
            first: self.range.start,
            twins,
            central,
        });
        Ok(())
    }

    fn pinned(&mut self, _: usize, records: Vec<RepRecord>) -> Result<(), crate::engine::RunError> {
        let data = ShardData {
            run: RunResult {
                seed: self.seed,
                replications: self.range.end,
                records,
                pooled: crate::engine::Pooled::default(),
            },
            first: self.range.start,
            twins: Vec::new(),
            central: Vec::new(),
        };
        self.pinned
            .data(&data)
            .map_err(|e| crate::engine::records::io_error(e).into())
    }
}

/// Writes a sensitivity shard's `shard.bin` into `out`: the header and the main run, then the
/// pinned runs as [`SensitivityBlock`] encoded them into `pinned` (read from its start).
pub fn write_sensitivity_bin<P: std::io::Read + std::io::Seek>(
    main: &ShardData,
    pinned: &mut P,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut e = codec::Encoder::new(&mut *out)?;
    e.data(main)?;
    e.finish()?;
    pinned.rewind()?;
    std::io::copy(pinned, out)?;
    out.flush()
}

#[cfg(test)]
mod tests;
