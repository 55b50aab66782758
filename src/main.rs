//! The `vetsim` binary: parse the command line, run, print the error chain, exit with its code
//! (0 success, 1 a run that failed, 2 bad input or usage, 3 done but the answer is no).

#![deny(clippy::print_stdout, clippy::print_stderr)]

use clap::Parser;
use vetsim::app;
use vetsim::cli::Cli;

fn main() {
    let cli = Cli::parse();
    if let Err(e) = app::run(cli.command) {
        match &e {
            app::AppError::Invalid(_) => {}
            app::AppError::No(_) => app::eprint_line(&e.to_string()),
            _ => app::eprint_line(&format!("error: {e}")),
        }
        std::process::exit(e.exit_code());
    }
}
