//! Command-line interface (clap derive). No logic: [`crate::app`] does the work.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Monte Carlo planning for screening a workforce against intelligence records and working the
/// cases it uncovers: completion dates with P10/P50/P90, caseload over time, waiting times.
#[derive(Debug, Parser)]
#[command(name = "vetsim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and write its results (default: the built-in Met 2023 scenario).
    Run(RunArgs),
    /// Redraw the charts of a finished run from its summary.json and daily.csv (no simulation).
    Plot {
        /// A run directory written by `vetsim run` (e.g. output/met-2023).
        run_dir: PathBuf,
    },
    /// Check scenario files without running them.
    Validate {
        /// Scenario files (TOML).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML). Without it, the built-in scenarios/met-2023.toml.
    pub scenario: Option<PathBuf>,
    /// Monte Carlo replications (overrides the scenario's `replications`).
    #[arg(short = 'n', long, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub replications: Option<u64>,
    /// Master seed (overrides the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(short = 'j', long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// Directory for the results (default: output/<scenario name>). Replaced as a whole.
    #[arg(short, long)]
    pub out: Option<PathBuf>,
    /// No progress bar and no summary on the terminal.
    #[arg(short, long)]
    pub quiet: bool,
}
