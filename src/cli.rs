//! Command-line interface (clap derive). No logic: [`crate::app`] does the work.
//!
//! The doc comments on the arguments are the `--help` text, written for a terminal: their
//! `<scenario name>` and `[experiment]` are meant literally, not as HTML or links.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Monte Carlo planning for screening a workforce against intelligence records and working the
/// cases it uncovers: completion dates with P10/P50/P90, caseload over time, waiting times.
#[derive(Debug, Parser)]
#[command(name = "vetsim", version, about, long_about = None, after_help = MAIN_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The exit codes, shown under every `--help`.
pub const EXIT_CODES: &str = "Exit codes: 0 success; 1 a run that failed; 2 bad input or usage; \
3 done, but the answer is no (solve: no value in range meets the target; plot --check: a chart \
or report differs from its redraw).";

/// Examples and exit codes, under `vetsim --help`.
const MAIN_HELP: &str = "Examples:
  vetsim run                                   the built-in Met 2023 scenario, into output/met-2023/
  vetsim init my-force.toml                    a commented starter scenario to edit
  vetsim run my-force.toml -n 10000 --split    more runs, and how much of the spread is assumption
  vetsim compare scenarios/met-2023.toml --vary teams.diverted_soc_ct.headcount=0,45,90,150
  vetsim sensitivity                           which assumption the finish date hinges on
  vetsim solve --param teams.diverted_soc_ct.headcount --target-date 2024-07-15 --confidence 0.8
  vetsim plot --check output/*/               are the committed charts and reports current? (exit 3 if not)

Exit codes: 0 success; 1 a run that failed; 2 bad input or usage; 3 done, but the answer is no \
(solve: no value in range meets the target; plot --check: a chart or report differs from its redraw).";

/// Examples and exit codes, under `vetsim run --help`.
const RUN_HELP: &str = "Examples:
  vetsim run                                   the built-in scenario, 1,000 replications
  vetsim run my-force.toml -n 10000 -o results/my-force
  vetsim run my-force.toml --precision 5       until the P90 finish is known to within 5 working days
  vetsim run my-force.toml --split             how much of the spread comes from the assumptions
  vetsim run my-force.toml -n 10000 --shard 2/8 -o shards/2    one block of a run (vetsim merge)
  make-scenario | vetsim run -                 a scenario from standard input

Exit codes: 0 success; 1 a run that failed; 2 bad input or usage; 3 done, but the answer is no \
(solve: no value in range meets the target; plot --check: a chart or report differs from its redraw).";

/// Examples and exit codes, under `vetsim merge --help`.
const MERGE_HELP: &str = "Examples:
  for k in 1 2 3; do vetsim run my-force.toml -n 10000 --shard $k/3 -o shards/$k; done
  vetsim merge shards/1 shards/2 shards/3 -o results/my-force
  vetsim compare my-force.toml --shard 2/3 -o cshards/2 ...   then vetsim merge cshards/* -o results/cmp
  vetsim sensitivity my-force.toml -n 2000 --shard 2/3 -o sshards/2   likewise for an analysis
On a Slurm cluster: deploy/slurm/ in vetsim's repository (an array job and a merge job).

Exit codes: 0 success; 1 a run that failed; 2 bad input or usage; 3 done, but the answer is no \
(solve: no value in range meets the target; plot --check: a chart differs from its redraw).";

/// Examples and exit codes, under `vetsim sensitivity --help`.
const SENSITIVITY_HELP: &str = "Examples:
  vetsim sensitivity                           the built-in scenario, into output/met-2023-sensitivity/
  vetsim sensitivity my-force.toml -n 2000     more runs per pinned value: smaller standard errors
  vetsim sensitivity my-force.toml -n 2000 --shard 2/8 -o shards/2    one block (vetsim merge)

It runs the ordinary run, its twins, a run with every assumption at its median, each assumption
at its P10 and at its P90, and a run per routing given as counts: (3 + 2 x assumptions + counted
routings) x N replications, or N when nothing is uncertain.

Exit codes: 0 success; 1 a run that failed; 2 bad input or usage; 3 done, but the answer is no \
(solve: no value in range meets the target; plot --check: a chart or report differs from its redraw).";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and write its results (default: the built-in Met 2023 scenario).
    #[command(after_help = RUN_HELP)]
    Run(RunArgs),
    /// Compare variants of a scenario (e.g. diversion levels) under common random numbers.
    #[command(after_help = EXIT_CODES)]
    Compare(CompareArgs),
    /// Merge the shard directories of a run (`vetsim run --shard K/M`), a comparison
    /// (`vetsim compare --shard K/M`) or a sensitivity analysis (`vetsim sensitivity --shard
    /// K/M`) into its results: the files the command without --shard writes, byte for byte.
    ///
    /// The shards must be the M shards of one run, each once: the same scenario bytes, seed, -n,
    /// options, vetsim version and platform (a missing, repeated or foreign shard is refused,
    /// exit 2, naming it).
    #[command(after_help = MERGE_HELP)]
    Merge(MergeArgs),
    /// Rank the scenario's assumptions by how far each moves the date the last case closes.
    ///
    /// Each assumption is pinned at its P10 and at its P90 with every other at its median, over
    /// the same runs (the swing), and its first-order index is estimated from the ordinary run's
    /// draws (a routing given as counts: from a run that keeps its draws and redraws the rest);
    /// the split of the spread (as `run --split`) comes too. Writes sensitivity.json,
    /// sensitivity.csv and the tornado chart sensitivity.svg.
    #[command(after_help = SENSITIVITY_HELP)]
    Sensitivity(SensitivityArgs),
    /// Find the smallest value of a setting that finishes by a date with a given probability.
    #[command(after_help = EXIT_CODES)]
    Solve(SolveArgs),
    /// Redraw the charts and report.html of finished runs, comparisons and sensitivity analyses
    /// from their data files (no simulation).
    ///
    /// Each directory's files are first checked against the manifest in its summary.json,
    /// comparison.json or sensitivity.json: an edited, cut or mixed-up input is refused (exit 2).
    #[command(after_help = EXIT_CODES)]
    Plot {
        /// Directories written by `vetsim run`, `vetsim compare` or `vetsim sensitivity` (e.g.
        /// output/met-2023), in any mix.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Write nothing: redraw in memory and exit 3, naming each file, if any chart or
        /// report.html on disk differs from its redraw (or is missing). For CI: are the committed
        /// charts and reports current?
        #[arg(long)]
        check: bool,
        /// Also write a PNG beside each chart, at twice the chart's size (1920 pixels wide for
        /// most charts). With --check: compare the PNGs too (without it, only the PNGs the
        /// directory's manifest lists are compared).
        #[arg(long)]
        png: bool,
        /// Print nothing on success (errors, and with --check the files that differ, still go to
        /// standard error).
        #[arg(short, long)]
        quiet: bool,
    },
    /// Write a commented starter scenario to begin from (it validates and runs as it is).
    #[command(after_help = EXIT_CODES)]
    Init {
        /// Where to write it (default: my-scenario.toml); `-` prints it. An existing file is
        /// never replaced.
        file: Option<PathBuf>,
        /// What to start from: a small example force with every kind of input (minimal), or the
        /// built-in Metropolitan Police 2023 scenario (met-2023).
        #[arg(long, value_enum, default_value = "minimal")]
        from: Starter,
    },
    /// Print a shell completion script on stdout, e.g. `vetsim completions bash >
    /// ~/.local/share/bash-completion/completions/vetsim`.
    #[command(after_help = EXIT_CODES)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff) on stdout, e.g. `vetsim man > vetsim.1; man ./vetsim.1`, or
    /// `vetsim man run > vetsim-run.1` for a command's page with all its options.
    #[command(after_help = EXIT_CODES)]
    Man {
        /// The command whose page to print (default: the overview of every command).
        command: Option<String>,
    },
    /// Print the JSON Schema (draft-07) of the scenario format on stdout, e.g. `vetsim schema >
    /// vetsim.schema.json`, for an editor with a TOML language server (taplo, Even Better TOML)
    /// to complete and check a scenario whose first line is `#:schema vetsim.schema.json`.
    #[command(after_help = EXIT_CODES)]
    Schema,
    /// Check scenario files without running them.
    #[command(after_help = EXIT_CODES)]
    Validate {
        /// Scenario files (TOML); `-` reads one from standard input.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Print nothing for a valid file (errors and notes still go to standard error): the exit
        /// code is the answer.
        #[arg(short, long)]
        quiet: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML); `-` reads it from standard input. Without it, the built-in
    /// scenarios/met-2023.toml.
    pub scenario: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
    /// Directory for the results (default: output/<scenario name>). Replaced as a whole, so it
    /// must be new, empty or earlier vetsim results with nothing else in it.
    #[arg(short, long, value_parser = results_dir())]
    pub out: Option<PathBuf>,
    /// No progress bar and no summary on the terminal.
    #[arg(short, long)]
    pub quiet: bool,
    /// Also write a PNG beside each chart (caseload.png beside caseload.svg), at twice the chart's
    /// size: 1920 pixels wide for most charts. For slides; the SVGs stay the reference.
    #[arg(long)]
    pub png: bool,
    /// Run blocks of 1,000 replications until the P90 of the last case closing is known to within
    /// this many working days (the larger side of its 95 % interval); -n is then the most to run
    /// (default 100,000). The results are exactly those of -n with the count it stopped at.
    #[arg(long, value_name = "WORKING_DAYS", allow_negative_numbers = true)]
    pub precision: Option<f64>,
    /// Also say how much of the spread of the headline outputs comes from what the scenario
    /// assumes (hit rates from counts, counted routings, a drawn screening pace) rather than
    /// chance: runs a twin of every replication (twice the time).
    #[arg(long)]
    pub split: bool,
    /// Run only shard K of M: a contiguous block of the -n replications (the first N mod M
    /// blocks one longer), written as a shard directory (default:
    /// output/<scenario name>-shard-K-of-M) for `vetsim merge`. K counts from 1 (in a Slurm
    /// array job, --array=1-M and $SLURM_ARRAY_TASK_ID/M). Not with --precision.
    #[arg(long, value_name = "K/M")]
    pub shard: Option<crate::shard::ShardSpec>,
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shard directories of one run, comparison or sensitivity analysis (`... --shard K/M -o
    /// DIR`), all M of them, in any order.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Directory for the results (default: output/<scenario name>). Replaced as a whole, so it
    /// must be new, empty or earlier vetsim results with nothing else in it.
    #[arg(short, long, value_parser = results_dir())]
    pub out: Option<PathBuf>,
    /// No summary on the terminal.
    #[arg(short, long)]
    pub quiet: bool,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(short = 'j', long, allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Scenario file (TOML); `-` reads it from standard input. Without it, the built-in
    /// scenarios/met-2023.toml.
    pub scenario: Option<PathBuf>,
    /// A setting and its values, PATH=V1,V2,... e.g. teams.diverted_soc_ct.headcount=0,45,90,150.
    /// Repeat it to vary several settings (every combination runs). Overrides the scenario's
    /// [experiment].
    #[arg(long = "vary", value_name = "PATH=VALUES")]
    pub vary: Vec<String>,
    /// The variant to compare the others with, PATH=V (repeat it, or join pairs with commas, to
    /// name several varied settings), e.g. teams.diverted_soc_ct.headcount=0. Default: the
    /// scenario as written.
    #[arg(long, value_name = "PATH=V")]
    pub baseline: Vec<String>,
    /// Replications (per variant), seed (shared by every variant), threads.
    #[command(flatten)]
    pub common: Common,
    /// Directory for the results (default: output/<scenario name>-comparison). Replaced as a
    /// whole, so it must be new, empty or earlier vetsim results with nothing else in it.
    #[arg(short, long, value_parser = results_dir())]
    pub out: Option<PathBuf>,
    /// No progress bar and no table on the terminal.
    #[arg(short, long)]
    pub quiet: bool,
    /// Also write a PNG beside each chart (caseload.png beside caseload.svg), at twice the chart's
    /// size: 1920 pixels wide for most charts. For slides; the SVGs stay the reference.
    #[arg(long)]
    pub png: bool,
    /// Run only shard K of M: the same contiguous block of the -n replications of every variant,
    /// written as a shard directory (default: output/<scenario name>-comparison-shard-K-of-M)
    /// for `vetsim merge`, which writes the comparison. K counts from 1.
    #[arg(long, value_name = "K/M")]
    pub shard: Option<crate::shard::ShardSpec>,
}

#[derive(Debug, clap::Args)]
pub struct SensitivityArgs {
    /// Scenario file (TOML); `-` reads it from standard input. Without it, the built-in
    /// scenarios/met-2023.toml.
    pub scenario: Option<PathBuf>,
    /// Replications per run (each pinned value runs them all again), seed, threads.
    #[command(flatten)]
    pub common: Common,
    /// Directory for the results (default: output/<scenario name>-sensitivity). Replaced as a
    /// whole, so it must be new, empty or earlier vetsim results with nothing else in it.
    #[arg(short, long, value_parser = results_dir())]
    pub out: Option<PathBuf>,
    /// No progress bar and no table on the terminal.
    #[arg(short, long)]
    pub quiet: bool,
    /// Also write a PNG beside each chart (caseload.png beside caseload.svg), at twice the chart's
    /// size: 1920 pixels wide for most charts. For slides; the SVGs stay the reference.
    #[arg(long)]
    pub png: bool,
    /// Run only shard K of M: the same contiguous block of the -n replications of every run of
    /// the analysis, written as a shard directory (default:
    /// output/<scenario name>-sensitivity-shard-K-of-M) for `vetsim merge`, which writes the
    /// analysis. K counts from 1.
    #[arg(long, value_name = "K/M")]
    pub shard: Option<crate::shard::ShardSpec>,
}

#[derive(Debug, clap::Args)]
pub struct SolveArgs {
    /// Scenario file (TOML); `-` reads it from standard input. Without it, the built-in
    /// scenarios/met-2023.toml.
    pub scenario: Option<PathBuf>,
    /// The whole-number setting to search, e.g. teams.diverted_soc_ct.headcount.
    #[arg(long)]
    pub param: String,
    /// The date to finish by (YYYY-MM-DD): done by the end of the last working day on or before it.
    #[arg(long)]
    pub target_date: crate::calendar::Date,
    /// Wanted probability of finishing by the date.
    #[arg(long, default_value_t = 0.9)]
    pub confidence: f64,
    /// Smallest value to consider.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub min: i64,
    /// Largest value to consider (default: four times the value as written, and at least 10).
    #[arg(long, allow_negative_numbers = true)]
    pub max: Option<i64>,
    /// What must be finished by the date.
    #[arg(long, value_enum, default_value = "all-cases-closed")]
    pub finish: crate::compare::Finish,
    /// Replications (per value tried), seed (shared by every value), threads.
    #[command(flatten)]
    pub common: Common,
    /// Also write solution.json into this directory (replaced as a whole, so it must be new,
    /// empty or earlier vetsim results with nothing else in it).
    #[arg(short, long, value_parser = results_dir())]
    pub out: Option<PathBuf>,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

/// The starter scenarios `vetsim init` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Starter {
    /// A small example force with every kind of input.
    Minimal,
    /// The built-in Metropolitan Police scenario of April 2023.
    #[value(name = "met-2023")]
    Met2023,
}

impl Starter {
    /// The scenario's text, as `vetsim init` writes it: the shipped file, but for its first line
    /// (`#:schema` with a path inside vetsim's repository), which says how to make a schema.
    pub fn text(self) -> String {
        crate::scenario::relocatable(match self {
            Starter::Minimal => crate::scenario::MINIMAL_STARTER_TOML,
            Starter::Met2023 => crate::scenario::DEFAULT_SCENARIO_TOML,
        })
    }
}

/// Options every running command shares.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// Monte Carlo replications (overrides the scenario's `replications`); for compare and solve,
    /// per variant or value tried; for sensitivity, per run.
    #[arg(short = 'n', long, allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub replications: Option<u64>,
    /// Master seed (overrides the scenario's `seed`); compare and solve share it across variants.
    #[arg(long, allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(short = 'j', long, allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
}

/// `-o DIR` with any trailing slashes taken off (`/` itself kept): `out/` names the directory
/// `out`. Kept, the slash made the checks before a run look through a symbolic link (`link/`)
/// or miss a file (`file/`, "not a directory" only when writing, after the whole run). An empty
/// path is refused here (exit 2), as clap refused a missing value.
fn results_dir() -> impl clap::builder::TypedValueParser<Value = PathBuf> {
    use clap::builder::TypedValueParser as _;
    clap::builder::OsStringValueParser::new().try_map(|s| {
        if s.is_empty() {
            return Err("an empty path: give the results directory".to_string());
        }
        Ok(without_trailing_slashes(s))
    })
}

/// `s` without its trailing slashes, unless it is all slashes. On the bytes (a path need not be
/// UTF-8): a slash is one byte, so what is left is a whole path.
fn without_trailing_slashes(s: std::ffi::OsString) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt as _;
        let mut bytes = s.into_vec();
        while bytes.len() > 1 && bytes.last() == Some(&b'/') {
            bytes.pop();
        }
        PathBuf::from(std::ffi::OsString::from_vec(bytes))
    }
    #[cfg(not(unix))]
    {
        match s.to_str() {
            Some(t) if t.len() > 1 && t.ends_with('/') => {
                let trimmed = t.trim_end_matches('/');
                PathBuf::from(if trimmed.is_empty() { "/" } else { trimmed })
            }
            _ => PathBuf::from(s),
        }
    }
}
