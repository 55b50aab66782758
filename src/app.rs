//! Glue between the command line and the library: load → engine → summary → files → terminal text.
//! Owns the mapping from failures to exit codes (2 bad input or usage, 1 a run that failed).

use crate::cli::{Command, RunArgs};
use crate::engine::{self, Progress};
use crate::report;
use crate::scenario::{Scenario, ScenarioError};
use std::io::Write;
use std::path::PathBuf;

/// A failure with the exit code it deserves.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad input: exit code 2.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// Several files failed validation: exit code 2 (each already printed).
    #[error("{0} of the scenario files are not valid")]
    Invalid(usize),
    /// The run itself failed: exit code 1.
    #[error(transparent)]
    Run(#[from] engine::RunError),
    /// Results could not be written: exit code 1.
    #[error(transparent)]
    Write(#[from] report::WriteError),
    /// Anything else that went wrong while running: exit code 1.
    #[error("{0}")]
    Other(String),
}

impl AppError {
    pub fn exit_code(&self) -> i32 {
        match self {
            AppError::Scenario(_) | AppError::Invalid(_) => 2,
            _ => 1,
        }
    }
}

/// Writes to stdout, treating a closed pipe (`vetsim ... | head`) as success.
fn print(text: &str) -> Result<(), AppError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(AppError::Other(format!(
            "cannot write to standard output: {e}"
        ))),
    }
}

struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn advanced(&self, done: u64, _total: u64) {
        self.0.set_position(done);
    }
}

pub fn run(command: Command) -> Result<(), AppError> {
    match command {
        Command::Run(args) => run_scenario(args),
        Command::Validate { scenarios } => validate(&scenarios),
    }
}

fn validate(paths: &[PathBuf]) -> Result<(), AppError> {
    let mut bad = 0;
    let mut text = String::new();
    for p in paths {
        match Scenario::load(p) {
            Ok(s) => text.push_str(&format!(
                "{}: valid ({} case types, {} teams, {} replications)\n",
                p.display(),
                s.case_types.len(),
                s.teams.len(),
                s.replications
            )),
            Err(e) => {
                bad += 1;
                eprintln!("error: {e}");
            }
        }
    }
    print(&text)?;
    match bad {
        0 => Ok(()),
        1 if paths.len() == 1 => Err(AppError::Invalid(1)),
        n => Err(AppError::Invalid(n)),
    }
}

fn run_scenario(args: RunArgs) -> Result<(), AppError> {
    let scenario = match &args.scenario {
        Some(p) => Scenario::load(p)?,
        None => Scenario::default_scenario(),
    };
    let replications = args.replications.unwrap_or(scenario.replications);
    scenario.check_replications(replications)?;
    let seed = args.seed.unwrap_or(scenario.seed);
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&scenario.name));

    let bar = if args.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        let b = indicatif::ProgressBar::new(replications);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {msg} [{bar:30}] {pos}/{len} replications ({eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b.set_message(scenario.name.clone());
        b
    };
    let progress = Bar(bar.clone());
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = args.threads {
        pool = pool.num_threads(t as usize);
    }
    let pool = pool
        .build()
        .map_err(|e| AppError::Other(format!("cannot start worker threads: {e}")))?;
    let result = pool.install(|| engine::run(&scenario, replications, seed, &progress))?;
    bar.finish_and_clear();

    let summary = report::summarise(&scenario, &result);
    let files = report::run_files(&scenario, &result, &summary);
    report::write_dir(&out_dir, &files)?;
    if !args.quiet {
        let mut text = report::text::render(&summary);
        text.push_str(&format!("Results in {}/\n", out_dir.display()));
        print(&text)?;
    }
    Ok(())
}
