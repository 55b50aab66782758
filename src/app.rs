//! Glue between the command line and the library: load → engine → summary → files → terminal text.
//! Owns the mapping from failures to exit codes (2 bad input or usage, 1 a run that failed).

use crate::cli::{Command, CompareArgs, MergeArgs, RunArgs, SensitivityArgs, SolveArgs};
use crate::compare::{self, VaryError};
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
    /// A bad `--shard`, or shard directories that are not the shards of one run: exit code 2.
    #[error(transparent)]
    Shard(#[from] crate::shard::ShardError),
    /// A bad `--vary`, `--param` or `[experiment]`: exit code 2.
    #[error(transparent)]
    Vary(#[from] VaryError),
    /// A bad combination of options: exit code 2.
    #[error("{0}")]
    Usage(String),
    /// Several files failed validation: exit code 2 (each already printed).
    #[error("{0} of the scenario files are not valid")]
    Invalid(usize),
    /// The run of a scenario (named by its file) failed: exit code 1.
    #[error("{file}: {source}")]
    Run {
        file: String,
        source: engine::RunError,
    },
    /// Charts could not be drawn: exit code 1 (2 for `vetsim plot` on a directory that is not a
    /// run's results).
    #[error(transparent)]
    Plot(#[from] crate::plot::PlotError),
    /// `report.html` could not be made: exit code 1.
    #[error(transparent)]
    Page(#[from] crate::page::PageError),
    /// The results directory given cannot take results (checked before the run): exit code 2.
    #[error(transparent)]
    Output(report::WriteError),
    /// Results could not be written: exit code 1.
    #[error(transparent)]
    Write(#[from] report::WriteError),
    /// Anything else that went wrong while running: exit code 1.
    #[error("{0}")]
    Other(String),
    /// Done, but the answer is no (`solve` finds no value in range, `plot --check` finds a stale
    /// chart): exit code 3. Not an error of the tool; printed without "error:".
    #[error("{0}")]
    No(String),
}

impl AppError {
    pub fn exit_code(&self) -> i32 {
        match self {
            AppError::Shard(crate::shard::ShardError::Records { .. }) => 1,
            AppError::Scenario(_)
            | AppError::Invalid(_)
            | AppError::Vary(_)
            | AppError::Usage(_)
            | AppError::Shard(_)
            | AppError::Output(_) => 2,
            AppError::Plot(crate::plot::PlotError::Read { .. })
            | AppError::Plot(crate::plot::PlotError::Parse { .. })
            | AppError::Plot(crate::plot::PlotError::Unsealed { .. }) => 2,
            AppError::No(_) => 3,
            _ => 1,
        }
    }
}

/// Writes a line to stderr, ignoring failure: a closed or full stderr (`vetsim validate a b 2>&1 |
/// head -1`) must not turn a message into a panic (`eprintln!` panics when the write fails), and
/// there is nowhere else to report it. The exit code still says what happened.
pub fn eprint_line(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err
        .write_all(text.as_bytes())
        .and_then(|_| err.write_all(b"\n"))
        .and_then(|_| err.flush());
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
    fn note(&self, what: &str) {
        self.0.set_message(what.to_string());
    }
}

pub fn run(command: Command) -> Result<(), AppError> {
    match command {
        Command::Run(args) => run_scenario(args),
        Command::Validate { scenarios, quiet } => validate(&scenarios, quiet),
        Command::Plot {
            dirs,
            check,
            png,
            quiet,
        } => plot(&dirs, check, png, quiet),
        Command::Init { file, from } => init(file, from),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut crate::cli::Cli::command(), "vetsim", &mut out);
            print(&String::from_utf8_lossy(&out))
        }
        Command::Man { command } => {
            use clap::CommandFactory;
            let mut top = crate::cli::Cli::command();
            top.build();
            let page = match &command {
                None => top,
                Some(name) => {
                    let names: Vec<String> = top
                        .get_subcommands()
                        .map(|c| c.get_name().to_string())
                        .filter(|n| n != "help")
                        .collect();
                    let Some(sub) = top.find_subcommand(name) else {
                        return Err(AppError::Usage(format!(
                            "no command {name:?}: the commands are {}",
                            names.join(", ")
                        )));
                    };
                    // clap names are &'static str (without its `string` feature); this runs
                    // once, just before the process ends.
                    let page_name: &'static str = Box::leak(format!("vetsim-{name}").into());
                    sub.clone()
                        .name(page_name)
                        .version(env!("CARGO_PKG_VERSION"))
                }
            };
            let mut out = Vec::new();
            clap_mangen::Man::new(page)
                .render(&mut out)
                .map_err(|e| AppError::Other(format!("cannot make the manual page: {e}")))?;
            print(&String::from_utf8_lossy(&out))
        }
        Command::Schema => print(&crate::scenario::json_schema()),
        Command::Compare(args) => run_compare(args),
        Command::Solve(args) => run_solve(args),
        Command::Sensitivity(args) => run_sensitivity(args),
        Command::Merge(args) => merge(args),
    }
}

/// Redraws the charts of each results directory from its data files, read through its manifest;
/// with `check`, writes nothing and answers whether the charts on disk are current (exit 3, naming
/// each stale file, when not). PNGs are redrawn (and checked) with `png`, and in a directory that
/// holds some or whose manifest lists some, so that they never fall behind their SVGs; `check`
/// without `png` compares only the PNGs that are there or listed.
fn plot(dirs: &[PathBuf], check: bool, png: bool, quiet: bool) -> Result<(), AppError> {
    let mut stale = Vec::new();
    let mut text = String::new();
    let mut plans = Vec::new();
    for dir in dirs {
        // A mistyped path (or a link to nothing): said so, not that it "holds no summary.json".
        if !dir.exists() {
            return Err(AppError::Usage(format!(
                "{}: no such directory",
                dir.display()
            )));
        }
        if dir.is_file() {
            return Err(AppError::Usage(format!(
                "{} is a file: give the directory of the results of a run, a comparison or a sensitivity analysis (the one holding summary.json, comparison.json or sensitivity.json)",
                dir.display()
            )));
        }
        let mains: Vec<&str> = [
            "summary.json",
            "comparison.json",
            "sensitivity.json",
            "solution.json",
        ]
        .into_iter()
        .filter(|m| dir.join(m).is_file())
        .collect();
        match mains.as_slice() {
            [] if dir.join(crate::shard::SHARD_JSON).is_file() => {
                return Err(AppError::Usage(format!(
                    "{}: holds one shard (shard.json) of a run, comparison or sensitivity analysis, which has no charts: merge the shards with `vetsim merge` and plot the merged results",
                    shown_dir(dir)
                )));
            }
            [] => {
                return Err(AppError::Usage(format!(
                    "{}: holds no summary.json, comparison.json or sensitivity.json: not the results of a run, a comparison or a sensitivity analysis (or a replacement of them in a mounted volume that was interrupted: run again)",
                    shown_dir(dir)
                )));
            }
            ["solution.json"] => {
                return Err(AppError::Usage(format!(
                    "{}: holds the results of solve (solution.json), which has no charts to draw",
                    shown_dir(dir)
                )));
            }
            [_] => {}
            _ => {
                return Err(AppError::Usage(format!(
                    "{}: holds {}: the results of more than one command, mixed (vetsim writes one of them per directory)",
                    shown_dir(dir),
                    mains.join(" and ")
                )));
            }
        }
        // The charts, then report.html from them and the scenario copy: every drawing the
        // directory's data make.
        let copy = report::manifest::SCENARIO_COPY;
        let (main, sealed, charts) = if dir.join("comparison.json").is_file() {
            let sealed = crate::plot::read_sealed(dir, "comparison.json", &[copy])?;
            let c = crate::plot::load_comparison(dir, &sealed.main)?;
            let charts = crate::plot::comparison_charts(&c)?;
            let page = crate::page::comparison_page(&c, &charts, &sealed.kept[0])?;
            ("comparison.json", sealed, drawings(&charts, page))
        } else if dir.join("sensitivity.json").is_file() {
            let sealed = crate::plot::read_sealed(dir, "sensitivity.json", &[copy])?;
            let a = crate::plot::load_sensitivity(dir, &sealed.main)?;
            let charts = crate::plot::sensitivity_charts(&a)?;
            let page = crate::page::sensitivity_page(&a, &charts, &sealed.kept[0])?;
            ("sensitivity.json", sealed, drawings(&charts, page))
        } else {
            let sealed = crate::plot::read_sealed(dir, "summary.json", &["daily.csv", copy])?;
            let data = crate::plot::RunData::from_bytes(dir, &sealed.main, &sealed.kept[0])?;
            let charts = crate::plot::run_charts(&data)?;
            let page = crate::page::run_page(&data.summary, &charts, &sealed.kept[1])?;
            ("summary.json", sealed, drawings(&charts, page))
        };
        let mut charts = charts;
        // PNGs the manifest lists (a listed one deleted is stale, not optional). One on disk
        // that it does not list is not vetsim's (a chart exported by hand), and is left alone.
        let listed_png = |name: &str| {
            sealed
                .manifest
                .contains_key(&crate::plot::png::png_name(name))
        };
        // A drawing on disk that the manifest does not list, under a name it would be written to.
        let unlisted = |name: &str| !sealed.manifest.contains_key(name) && dir.join(name).exists();
        if png
            || charts
                .iter()
                .any(|(n, _)| n.ends_with(".svg") && listed_png(n))
        {
            let pngs = crate::plot::png::png_files(&charts)?;
            charts.extend(pngs);
        }
        if check {
            for (name, bytes) in &charts {
                if unlisted(name) {
                    stale.push(format!(
                        "{} (not in {main}'s manifest: not written by vetsim)",
                        dir.join(name).display()
                    ));
                    continue;
                }
                if !png && name.ends_with(".png") && !sealed.manifest.contains_key(name) {
                    continue; // PNGs are optional: only those written are checked
                }
                if std::fs::read(dir.join(name)).ok().as_deref() != Some(bytes.as_slice()) {
                    stale.push(dir.join(name).display().to_string());
                }
            }
            // A file under a name vetsim writes that neither the manifest nor the redraw knows
            // (a chart copied in from another run) is not what this directory's data draw.
            for name in report::WRITTEN {
                let known = name == main
                    || sealed.manifest.contains_key(name)
                    || charts.iter().any(|(n, _)| n == name);
                if !known && dir.join(name).exists() {
                    stale.push(format!(
                        "{} (not drawn from this directory's data)",
                        dir.join(name).display()
                    ));
                }
            }
            continue;
        }
        // A file of the user's under a chart's name is theirs: not replaced, as `run -o` would
        // not delete it.
        if let Some((name, _)) = charts.iter().find(|(n, _)| unlisted(n)) {
            return Err(AppError::Usage(format!(
                "{}: not in {main}'s manifest, so not a file vetsim wrote, and `plot` will not replace it; move it elsewhere and run `vetsim plot` again",
                dir.join(name).display()
            )));
        }
        // A directory or a link under a chart's name is not a chart to replace: bad input (exit
        // 2), said before anything is written, not a failed write (exit 1) after.
        if let Some((name, _)) = charts.iter().find(|(n, _)| {
            std::fs::symlink_metadata(dir.join(n)).is_ok_and(|m| !m.file_type().is_file())
        }) {
            return Err(AppError::Usage(format!(
                "{}: not a file (a directory or a link), where `plot` writes {name}; move it elsewhere and run `vetsim plot` again",
                dir.join(name).display()
            )));
        }
        plans.push((dir, main, sealed, charts));
    }
    // Every directory drawn and checked before any is written: a refusal of a later one leaves
    // the earlier ones as they were.
    for (dir, main, sealed, charts) in plans {
        // Only what differs is written: a current directory on a read-only volume redraws fine.
        let changed: Vec<(String, Vec<u8>)> = charts
            .iter()
            .filter(|(name, bytes)| {
                std::fs::read(dir.join(name)).ok().as_deref() != Some(bytes.as_slice())
            })
            .cloned()
            .collect();
        if !changed.is_empty() {
            report::write_files(dir, &changed)?;
        }
        // The manifest names what the directory holds: when a chart changed (redrawn by another
        // version), the main file is sealed again with its new digest, written last.
        let mut digests = sealed.manifest.clone();
        for (name, bytes) in &charts {
            digests.insert(name.clone(), report::manifest::sha256_hex(bytes));
        }
        if digests != sealed.manifest {
            let body = report::manifest::unsealed(&sealed.main).ok_or_else(|| {
                AppError::Other(format!(
                    "{}: cannot take its manifest off",
                    dir.join(main).display()
                ))
            })?;
            report::write_files(
                dir,
                &[(main.to_string(), report::manifest::seal(&body, &digests))],
            )?;
        }
        let names: Vec<&str> = charts.iter().map(|(n, _)| n.as_str()).collect();
        text.push_str(&format!(
            "Charts and report in {}/: {}\n",
            shown_dir(dir),
            names.join(", ")
        ));
    }
    if check {
        return match stale.len() {
            0 if quiet => Ok(()),
            0 => print(&format!(
                "{}: every chart and report is what its data draws\n",
                if dirs.len() == 1 {
                    "1 results directory".to_string()
                } else {
                    format!("{} results directories", dirs.len())
                }
            )),
            n => Err(AppError::No(format!(
                "{} differ{} from {} redraw (run `vetsim plot` on the director{} to redraw):\n  {}",
                plural(n, "file"),
                if n == 1 { "s" } else { "" },
                if n == 1 { "its" } else { "their" },
                if dirs.len() == 1 { "y" } else { "ies" },
                stale.join("\n  ")
            ))),
        };
    }
    if quiet {
        return Ok(());
    }
    print(&text)
}

/// The files drawn from a results directory's data: its charts and `report.html`.
fn drawings(charts: &[crate::plot::Chart], page: Vec<u8>) -> Vec<(String, Vec<u8>)> {
    let mut files = crate::plot::chart_files(charts);
    files.push((crate::page::REPORT.to_string(), page));
    files
}

/// Writes a starter scenario to `file` (default `my-scenario.toml`; `-` prints it), never
/// replacing an existing file.
fn init(file: Option<PathBuf>, from: crate::cli::Starter) -> Result<(), AppError> {
    let text = from.text();
    let path = file.unwrap_or_else(|| PathBuf::from("my-scenario.toml"));
    if crate::scenario::is_stdin(&path) {
        return print(&text);
    }
    let mut f = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            // A directory: a file in it is suggested; a file: one beside it (a path under a file,
            // `afile/my-scenario.toml`, cannot be written).
            let (what, instead) = if path.is_dir() {
                (
                    "is a directory: give a file name, e.g. ",
                    path.join("my-scenario.toml"),
                )
            } else {
                (
                    "already exists: give another file name (vetsim init never replaces a file), e.g. ",
                    path.with_file_name(if path.file_name() == Some("my-scenario.toml".as_ref()) {
                        "my-scenario-2.toml"
                    } else {
                        "my-scenario.toml"
                    }),
                )
            };
            return Err(AppError::Usage(format!(
                "{} {what}{}",
                path.display(),
                instead.display()
            )));
        }
        Err(e) => {
            return Err(AppError::Usage(format!(
                "cannot write {}: {e}",
                path.display()
            )));
        }
    };
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| {
            let _ = std::fs::remove_file(&path);
            AppError::Other(format!("cannot write {}: {e}", path.display()))
        })?;
    print(&format!(
        "Wrote {}: check it with `vetsim validate {0}`, run it with `vetsim run {0}`\n",
        path.display()
    ))
}

/// A directory as typed, without trailing slashes (`r1/` is shown `r1`).
fn shown_dir(dir: &std::path::Path) -> String {
    let shown = dir.display().to_string();
    let trimmed = shown.trim_end_matches('/');
    if trimmed.is_empty() {
        shown
    } else {
        trimmed.to_string()
    }
}

/// "1 team", "2 teams".
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn validate(paths: &[PathBuf], quiet: bool) -> Result<(), AppError> {
    if paths
        .iter()
        .filter(|p| crate::scenario::is_stdin(p))
        .count()
        > 1
    {
        return Err(AppError::Usage(
            "'-' (standard input) is given more than once: it can be read only once".into(),
        ));
    }
    let mut bad = 0;
    let mut text = String::new();
    for p in paths {
        // Read once: a pipe (`vetsim validate <(make-scenario)`) cannot be read twice.
        let loaded = scenario_text(&Some(p.clone())).and_then(|(t, f)| {
            let s = Scenario::from_toml_str(&t, &f)?;
            if s.experiment.is_empty() {
                return Ok(s);
            }
            // Build the variants too: a bad path or value is a problem of this file.
            let varies = varies_of(&[], &s)?;
            compare::build_variants(&t, &f, &varies)
                .map_err(|e| in_experiment(&t, &f, &s.experiment, e))?;
            Ok(s)
        });
        match loaded {
            Ok(s) => {
                text.push_str(&format!(
                    "{}: valid ({}, {}, {} replications)\n",
                    crate::scenario::display_name(p),
                    plural(s.case_types.len(), "case type"),
                    plural(s.teams.len(), "team"),
                    s.replications
                ));
                if let Some(why) = s.why_never_finished() {
                    eprint_line(&format!(
                        "note: {}: {why}",
                        crate::scenario::display_name(p)
                    ));
                }
            }
            Err(e) => {
                bad += 1;
                eprint_line(&format!("error: {e}"));
            }
        }
    }
    if !quiet {
        print(&text)?;
    }
    match bad {
        0 => Ok(()),
        1 if paths.len() == 1 => Err(AppError::Invalid(1)),
        n => Err(AppError::Invalid(n)),
    }
}

fn progress_bar(total: u64, quiet: bool, message: &str) -> indicatif::ProgressBar {
    if quiet {
        return indicatif::ProgressBar::hidden();
    }
    let b = indicatif::ProgressBar::new(total);
    b.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {msg} [{bar:30}] {pos}/{len} replications ({eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    b.set_message(message.to_string());
    b
}

fn thread_pool(threads: Option<u64>) -> Result<rayon::ThreadPool, AppError> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        pool = pool.num_threads(t as usize);
    }
    pool.build()
        .map_err(|e| AppError::Other(format!("cannot start worker threads: {e}")))
}

/// The scenario's text and the name it goes by in messages.
fn scenario_text(path: &Option<PathBuf>) -> Result<(String, String), AppError> {
    match path {
        Some(p) => {
            let text = crate::scenario::read_text(p)?;
            Ok((text, crate::scenario::display_name(p)))
        }
        None => Ok((
            crate::scenario::DEFAULT_SCENARIO_TOML.to_string(),
            crate::scenario::DEFAULT_SCENARIO_FILE.to_string(),
        )),
    }
}

/// The settings a comparison varies: the command line's, else the scenario's `[experiment]`.
fn varies_of(args: &[String], s: &Scenario) -> Result<Vec<compare::Vary>, AppError> {
    if !args.is_empty() {
        return args
            .iter()
            .map(|a| compare::Vary::parse(a).map_err(AppError::from))
            .collect();
    }
    if s.experiment.is_empty() {
        return Err(AppError::Usage(format!(
            "{}: nothing to compare: give --vary PATH=V1,V2,... (e.g. --vary teams.{}.headcount=1,2,3) or an [experiment] section",
            s.file,
            crate::quote::escaped(s.teams.first().map(|t| t.name.as_str()).unwrap_or("NAME"))
        )));
    }
    s.experiment
        .iter()
        .map(|(path, values, label)| {
            let values = values
                .iter()
                .map(|v| {
                    compare::variant::parse_value(v).map_err(|message| {
                        AppError::Vary(VaryError::BadValue {
                            path: path.clone(),
                            value: v.clone(),
                            message,
                        })
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(compare::Vary {
                path: path.clone(),
                label: label.clone(),
                values,
            })
        })
        .collect()
}

/// A bad `[experiment]` entry, located at its line in the scenario file (command-line `--vary`
/// errors need no location). `experiment` is the scenario's `[[experiment.vary]]` entries (path,
/// values as written), in file order: the entry is found by its path, and the message points at
/// that entry's `path` (or at the value refused, when one value is), so that it names the entry's
/// own line wherever else the same text appears in the file. A problem of the whole section (too
/// many variants) points at its first entry.
fn in_experiment(
    text: &str,
    file: &str,
    experiment: &[(String, Vec<String>, Option<String>)],
    e: VaryError,
) -> AppError {
    let (path, value) = match &e {
        VaryError::UnknownPath { path, .. } => (path.as_str(), None),
        VaryError::BadValue { path, value, .. } => (path.as_str(), Some(value.as_str())),
        VaryError::Syntax { spec, .. } => (spec.as_str(), None),
        _ => return e.into(),
    };
    let whole_section =
        matches!(&e, VaryError::Syntax { message, .. } if message.contains("variants: at most"));
    // A setting given twice is reported at its second entry.
    let twice = matches!(&e, VaryError::Syntax { message, .. } if message.starts_with("the same setting as"));
    let mut entries = experiment
        .iter()
        .enumerate()
        .filter(|(_, (p, _, _))| p == path);
    let entry = if twice {
        entries.next_back()
    } else {
        entries.next()
    };
    let field = match entry {
        _ if whole_section => Some("experiment.vary[0]".to_string()),
        Some((i, (_, values, _))) => Some(
            // (A string value is written quoted, and named bare in some messages.)
            match value.and_then(|v| {
                values.iter().position(|x| {
                    x == v || x.strip_prefix('"').and_then(|x| x.strip_suffix('"')) == Some(v)
                })
            }) {
                Some(k) => format!("experiment.vary[{i}].values[{k}]"),
                None => format!("experiment.vary[{i}].path"),
            },
        ),
        None => None,
    };
    match field.map(|f| crate::scenario::position_of(text, &f)) {
        Some((Some(line), _)) => AppError::Usage(format!("{file}:{line}: [experiment]: {e}")),
        _ => e.into(),
    }
}

/// The variants of a comparison: the scenario text with `--vary` (or its `[experiment]`) and
/// `--baseline`, as `compare` and the merge of its shards both make them.
fn comparison_variants(
    text: &str,
    file: &str,
    vary: &[String],
    baseline: &[String],
) -> Result<(Scenario, Vec<compare::Vary>, Vec<compare::Variant>), AppError> {
    let base = Scenario::from_toml_str_variant(text, file)?; // the grid decides staffing
    let varies = varies_of(vary, &base)?;
    let variants = compare::build_variants(text, file, &varies).map_err(|e| {
        if vary.is_empty() {
            in_experiment(text, file, &base.experiment, e)
        } else {
            e.into()
        }
    })?;
    // --baseline PATH=V, repeated or joined by commas: one value per path.
    let mut chosen = Vec::new();
    for spec in baseline {
        let mut pairs: Vec<String> = Vec::new();
        // Cut at commas outside quotes, arrays and tables (a team named "SOC, CT").
        for part in compare::variant::split_values(spec) {
            match pairs.last_mut() {
                // A comma inside a value (no '=' after it) belongs to the pair before.
                Some(last) if !part.contains('=') => {
                    last.push(',');
                    last.push_str(part);
                }
                _ => pairs.push(part.to_string()),
            }
        }
        for pair in pairs {
            chosen.push(compare::Vary::parse(pair.trim())?);
        }
    }
    let variants = compare::choose_baseline(variants, text, &chosen)?;
    Ok((base, varies, variants))
}

fn run_compare(args: CompareArgs) -> Result<(), AppError> {
    let (text, file) = scenario_text(&args.scenario)?;
    let (base, varies, variants) = comparison_variants(&text, &file, &args.vary, &args.baseline)?;
    let replications = args.common.replications.unwrap_or(base.replications);
    let seed = args.common.seed.unwrap_or(base.seed);
    if let Some(shard) = args.shard {
        return compare_shard(&args, shard, &base, variants, text, replications, seed);
    }
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(format!("{}-comparison", base.name)));
    report::check_target(&out_dir).map_err(AppError::Output)?;
    let bar = progress_bar(
        replications * variants.len() as u64,
        args.quiet,
        &format!("{} ({} variants)", base.name, variants.len()),
    );
    let progress = Bar(bar.clone());
    let pool = thread_pool(args.common.threads)?;
    let runs = pool
        .install(|| compare::run_variants(variants, replications, seed, &progress))
        .map_err(|source| AppError::Run {
            file: file.clone(),
            source,
        })?;
    bar.finish_and_clear();
    write_comparison(
        &runs,
        &varies,
        &text,
        replications,
        seed,
        &out_dir,
        Writing {
            quiet: args.quiet,
            png: args.png,
        },
    )
}

/// Writes a comparison's results directory: what `compare` writes, and what `merge` writes from
/// a comparison's shards (the same code, so the same bytes).
fn write_comparison(
    runs: &[compare::VariantRun],
    varies: &[compare::Vary],
    text: &str,
    replications: u64,
    seed: u64,
    out_dir: &std::path::Path,
    how: Writing,
) -> Result<(), AppError> {
    let c = compare::compare(runs, varies, text, replications, seed);
    let json = compare::report::comparison_json(&c);
    let mut files = vec![
        (
            "comparison.csv".to_string(),
            compare::report::comparison_csv(&c),
        ),
        (
            report::manifest::SCENARIO_COPY.to_string(),
            text.as_bytes().to_vec(),
        ),
    ];
    // Drawn from the serialised comparison, as `vetsim plot` reads it back.
    let parsed = crate::plot::load_comparison(out_dir, &json)?;
    let charts = crate::plot::comparison_charts(&parsed)?;
    let page = crate::page::comparison_page(&parsed, &charts, text.as_bytes())?;
    files.extend(drawings(&charts, page));
    if how.png {
        files.extend(crate::plot::png::png_files(&crate::plot::chart_files(
            &charts,
        ))?);
    }
    report::write_results(
        out_dir,
        Some(report::Main {
            name: "comparison.json",
            json,
        }),
        &files,
        &[],
    )?;
    if !how.quiet {
        let mut text = compare::report::comparison_text(&c);
        text.push_str(&format!("Results in {}/\n", out_dir.display()));
        print(&text)?;
    }
    Ok(())
}

/// `compare --shard K/M`: runs the shard's block of replications of every variant and writes its
/// shard directory.
fn compare_shard(
    args: &CompareArgs,
    shard: crate::shard::ShardSpec,
    base: &Scenario,
    variants: Vec<compare::Variant>,
    text: String,
    replications: u64,
    seed: u64,
) -> Result<(), AppError> {
    use crate::shard::{self, CompareShard};
    let (range, out_dir) = shard_target(
        shard,
        replications,
        &args.out,
        format!("{}-comparison", base.name),
    )?;
    let count = range.end - range.start;
    let bar = progress_bar(
        count * variants.len() as u64,
        args.quiet,
        &format!("{} ({} variants, shard {shard})", base.name, variants.len()),
    );
    let pool = thread_pool(args.common.threads)?;
    let mut data = Vec::with_capacity(variants.len());
    for (i, v) in variants.iter().enumerate() {
        let progress = Offset(Bar(bar.clone()), range.start);
        let before = i as u64 * count;
        let shifted = Shifted(&progress, before, count * variants.len() as u64);
        let run = pool
            .install(|| engine::run_range(&v.scenario, range.clone(), seed, &shifted))
            .map_err(|source| AppError::Run {
                file: base.file.clone(),
                source,
            })?;
        data.push(shard::codec::ShardData {
            run,
            first: range.start,
            twins: Vec::new(),
            central: Vec::new(),
        });
    }
    bar.finish_and_clear();
    let compare = CompareShard {
        vary: args.vary.clone(),
        baseline: args.baseline.clone(),
        variants: variants.len() as u64,
    };
    write_shard(
        ShardOf {
            scenario: base,
            what: format!(
                "the comparison of {} ({} variants)",
                base.name,
                variants.len()
            ),
            shard,
            range,
            replications,
            seed,
            split: false,
            png: args.png,
            compare: Some(compare),
            sensitivity: None,
        },
        &out_dir,
        text,
        Box::new(|w| shard::codec::encode_many(&data, w)),
        args.quiet,
    )
}

/// The block `--shard K/M` runs of `replications`, and its directory (`-o`, else
/// output/`default`-shard-K-of-M), checked before the run.
fn shard_target(
    shard: crate::shard::ShardSpec,
    replications: u64,
    out: &Option<PathBuf>,
    default: String,
) -> Result<(std::ops::Range<u64>, PathBuf), AppError> {
    if shard.count > replications {
        return Err(AppError::Usage(format!(
            "--shard {shard}: {} shards of {replications} replications (-n) would leave some with none; give at most {replications} shards, or more replications",
            shard.count
        )));
    }
    let range = crate::shard::block(shard.index, shard.count, replications);
    let out_dir = out.clone().unwrap_or_else(|| {
        PathBuf::from("output").join(format!(
            "{default}-shard-{}-of-{}",
            shard.index, shard.count
        ))
    });
    report::check_target(&out_dir).map_err(AppError::Output)?;
    Ok((range, out_dir))
}

/// What a shard directory says it is (see [`crate::shard::ShardFile`]); `what` names it on the
/// terminal.
struct ShardOf<'a> {
    scenario: &'a Scenario,
    what: String,
    shard: crate::shard::ShardSpec,
    range: std::ops::Range<u64>,
    replications: u64,
    seed: u64,
    split: bool,
    png: bool,
    compare: Option<crate::shard::CompareShard>,
    sensitivity: Option<crate::shard::SensitivityShard>,
}

/// Writes a shard directory: `shard.json`, the scenario copy and `shard.bin` (by `bin`); then,
/// unless `quiet`, says where it is and what to do next.
fn write_shard(
    of: ShardOf<'_>,
    out_dir: &std::path::Path,
    text: String,
    bin: report::WriteFn<'_>,
    quiet: bool,
) -> Result<(), AppError> {
    use crate::shard::{self, ShardFile, ShardMeta, ShardPart};
    let ShardOf {
        scenario,
        what,
        shard,
        range,
        replications,
        seed,
        split,
        png,
        compare,
        sensitivity,
    } = of;
    let file = ShardFile {
        shard_format: shard::SHARD_FORMAT,
        meta: ShardMeta {
            tool: report::summary::Tool::this(),
            scenario: scenario.name.clone(),
            scenario_file: crate::scenario::output_name(&scenario.file),
            scenario_hash: scenario.hash.clone(),
            seed,
            replications,
            split,
            png,
            compare,
            sensitivity,
        },
        shard: ShardPart {
            index: shard.index,
            count: shard.count,
            first_replication: range.start,
            end_replication: range.end,
        },
    };
    report::write_results(
        out_dir,
        Some(report::Main {
            name: shard::SHARD_JSON,
            json: file.to_json(),
        }),
        &[(report::manifest::SCENARIO_COPY.into(), text.into_bytes())],
        &[report::Streamed {
            name: shard::SHARD_BIN.into(),
            write: bin,
        }],
    )?;
    if !quiet {
        print(&format!(
            "Shard {shard} of {what}, replications {} to {} of {replications} (seed {seed}), in {}/\nMerge all {} shards with `vetsim merge DIR... -o OUT` when they are done\n",
            range.start,
            range.end - 1,
            out_dir.display(),
            shard.count
        ))?;
    }
    Ok(())
}

/// Progress of one of several runs of a block: `.1` replications already done before it, of
/// `.2` in all.
struct Shifted<'a>(&'a dyn Progress, u64, u64);

impl Progress for Shifted<'_> {
    fn advanced(&self, done: u64, _total: u64) {
        self.0.advanced(self.1 + done, self.2);
    }
    fn note(&self, what: &str) {
        self.0.note(what);
    }
}

fn run_sensitivity(args: SensitivityArgs) -> Result<(), AppError> {
    let (text, file) = scenario_text(&args.scenario)?;
    let scenario = Scenario::from_toml_str(&text, &file)?;
    if let Some(why) = scenario.why_never_finished() {
        eprint_line(&format!("note: {file}: {why}"));
    }
    let replications = args.common.replications.unwrap_or(scenario.replications);
    scenario.check_replications(replications, &text)?;
    let seed = args.common.seed.unwrap_or(scenario.seed);
    if let Some(shard) = args.shard {
        return sensitivity_shard(&args, shard, &scenario, text, replications, seed);
    }
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(format!("{}-sensitivity", scenario.name)));
    report::check_target(&out_dir).map_err(AppError::Output)?;
    let total = crate::sensitivity::replications_run(&scenario, replications);
    let bar = progress_bar(
        total,
        args.quiet,
        &format!(
            "{} ({})",
            scenario.name,
            plural(scenario.assumptions.list.len(), "assumption")
        ),
    );
    let progress = Bar(bar.clone());
    let pool = thread_pool(args.common.threads)?;
    let analysis = pool
        .install(|| crate::sensitivity::analyse(&scenario, replications, seed, &progress))
        .map_err(|source| AppError::Run {
            file: scenario.file.clone(),
            source,
        })?;
    bar.finish_and_clear();
    write_sensitivity(
        &analysis,
        &text,
        &out_dir,
        Writing {
            quiet: args.quiet,
            png: args.png,
        },
    )
}

/// Writes a sensitivity analysis's results directory: what `sensitivity` writes, and what
/// `merge` writes from an analysis's shards (the same code, so the same bytes).
fn write_sensitivity(
    analysis: &crate::sensitivity::Sensitivity,
    text: &str,
    out_dir: &std::path::Path,
    how: Writing,
) -> Result<(), AppError> {
    use crate::sensitivity::report as sr;
    let json = sr::sensitivity_json(analysis);
    let mut files = vec![
        ("sensitivity.csv".to_string(), sr::sensitivity_csv(analysis)),
        (
            report::manifest::SCENARIO_COPY.to_string(),
            text.as_bytes().to_vec(),
        ),
    ];
    // Drawn from the serialised analysis, as `vetsim plot` reads it back.
    let parsed = crate::plot::load_sensitivity(out_dir, &json)?;
    let charts = crate::plot::sensitivity_charts(&parsed)?;
    let page = crate::page::sensitivity_page(&parsed, &charts, text.as_bytes())?;
    files.extend(drawings(&charts, page));
    if how.png {
        files.extend(crate::plot::png::png_files(&crate::plot::chart_files(
            &charts,
        ))?);
    }
    report::write_results(
        out_dir,
        Some(report::Main {
            name: "sensitivity.json",
            json,
        }),
        &files,
        &[],
    )?;
    if !how.quiet {
        let mut text = sr::sensitivity_text(analysis);
        text.push_str(&format!("Results in {}/\n", out_dir.display()));
        print(&text)?;
    }
    Ok(())
}

/// `sensitivity --shard K/M`: runs the shard's block of replications of every run of the
/// analysis (the main run, its twins and fixed-assumption run, each pinned run) and writes its
/// shard directory. Each pinned run is encoded as soon as it is done, into memory up to the
/// records budget and past it into a temporary file, so that the shard holds one run's records
/// at a time besides the main run's.
fn sensitivity_shard(
    args: &SensitivityArgs,
    shard: crate::shard::ShardSpec,
    scenario: &Scenario,
    text: String,
    replications: u64,
    seed: u64,
) -> Result<(), AppError> {
    use crate::sensitivity as sens;
    use crate::shard::{self, SensitivityShard};
    let (range, out_dir) = shard_target(
        shard,
        replications,
        &args.out,
        format!("{}-sensitivity", scenario.name),
    )?;
    let count = range.end - range.start;
    let pinned = sens::pinned_runs(scenario);
    let run_failed = |source: engine::RunError| AppError::Run {
        file: scenario.file.clone(),
        source,
    };
    let temporary = |e: std::io::Error| run_failed(engine::records::io_error(e).into());
    let budget = records_budget()?;
    let mut spool = tempfile::spooled_tempfile(budget);
    let estimate = engine::records::estimated_size(scenario) as u64;
    if estimate.saturating_mul(count * pinned.len() as u64) > budget as u64 {
        spool.roll().map_err(temporary)?; // a directory that cannot take it fails now
    }

    let bar = progress_bar(
        sens::replications_run(scenario, count),
        args.quiet,
        &format!(
            "{} ({}, shard {shard})",
            scenario.name,
            plural(scenario.assumptions.list.len(), "assumption")
        ),
    );
    let progress = Bar(bar.clone());
    let pool = thread_pool(args.common.threads)?;
    let mut sink = shard::SensitivityBlock::new(spool, range.clone(), seed);
    pool.install(|| sens::run_block(scenario, range.clone(), seed, &progress, &mut sink))
        .map_err(run_failed)?;
    bar.finish_and_clear();
    let (main, spool) = sink.finish().map_err(temporary)?;
    let spool = std::cell::RefCell::new(spool);
    write_shard(
        ShardOf {
            scenario,
            what: format!(
                "the sensitivity analysis of {} ({})",
                scenario.name,
                plural(scenario.assumptions.list.len(), "assumption")
            ),
            shard,
            range,
            replications,
            seed,
            split: false,
            png: args.png,
            compare: None,
            sensitivity: Some(SensitivityShard {
                runs: 1 + pinned.len() as u64,
            }),
        },
        &out_dir,
        text,
        Box::new(|w| shard::write_sensitivity_bin(&main, &mut *spool.borrow_mut(), w)),
        args.quiet,
    )
}

fn run_solve(args: SolveArgs) -> Result<(), AppError> {
    let (text, file) = scenario_text(&args.scenario)?;
    let base = Scenario::from_toml_str_variant(&text, &file)?; // the search decides staffing
    let written = match compare::variant::current_value(&text, &args.param) {
        Some(toml_edit::Value::Integer(i)) => Some(*i.value()),
        _ => None,
    };
    let default_max = written.map(|w| w.saturating_mul(4).max(10)).unwrap_or(10);
    if args.max.is_none() && args.min > default_max {
        return Err(AppError::Usage(format!(
            "--min {} is above the largest value searched by default, {default_max} (four times the value as written, and at least 10): give --max too",
            args.min
        )));
    }
    let spec = compare::SolveSpec {
        path: args.param.clone(),
        target: args.target_date,
        confidence: args.confidence,
        min: args.min,
        max: args.max.unwrap_or(default_max),
        finish: args.finish,
    };
    let replications = args.common.replications.unwrap_or(base.replications);
    let seed = args.common.seed.unwrap_or(base.seed);
    if let Some(dir) = &args.out {
        report::check_target(dir).map_err(AppError::Output)?;
    }
    let bar = if args.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        let b =
            indicatif::ProgressBar::new_spinner().with_message(format!("searching {}", args.param));
        b.enable_steady_tick(std::time::Duration::from_millis(120));
        b
    };
    let pool = thread_pool(args.common.threads)?;
    let solution = pool
        .install(|| compare::solve(&text, &file, &spec, replications, seed, &Bar(bar.clone())))
        .map_err(|e| match e {
            compare::SolveError::Vary(v) => AppError::Vary(v),
            compare::SolveError::Run(r) => AppError::Run {
                file: file.clone(),
                source: r,
            },
            compare::SolveError::Bad(m) => AppError::Usage(m),
        })?;
    bar.finish_and_clear();
    if let Some(dir) = &args.out {
        report::write_results(
            dir,
            Some(report::Main {
                name: "solution.json",
                json: compare::report::solution_json(&solution),
            }),
            &[(
                report::manifest::SCENARIO_COPY.into(),
                text.as_bytes().to_vec(),
            )],
            &[],
        )?;
    }
    print(&compare::report::solution_text(&solution))?;
    if solution.answer.is_none() && solution.status == "max_not_enough" {
        return Err(AppError::No(format!(
            "no value of {} from {} to {} finishes by {} with probability {}",
            solution.path, solution.min, solution.max, solution.target_date, solution.confidence
        )));
    }
    Ok(())
}

fn run_scenario(args: RunArgs) -> Result<(), AppError> {
    let (text, file) = scenario_text(&args.scenario)?;
    let scenario = Scenario::from_toml_str(&text, &file)?;
    if let Some(why) = scenario.why_never_finished() {
        eprint_line(&format!("note: {file}: {why}"));
    }
    if let Some(d) = args.precision
        && !(d.is_finite() && d > 0.0)
    {
        return Err(AppError::Usage(format!(
            "--precision {d}: give a positive number of working days"
        )));
    }
    if let (Some(shard), Some(_)) = (args.shard, args.precision) {
        return Err(AppError::Usage(format!(
            "--shard {shard} with --precision: a shard runs a fixed block of -n replications, while --precision decides how many to run as it goes; give -n without --precision"
        )));
    }
    // With --precision, -n is the most to run.
    let replications = match args.precision {
        Some(_) => args
            .common
            .replications
            .unwrap_or(engine::PRECISION_CAP_DEFAULT),
        None => args.common.replications.unwrap_or(scenario.replications),
    };
    scenario.check_replications(replications, &text)?;
    let seed = args.common.seed.unwrap_or(scenario.seed);
    if let Some(shard) = args.shard {
        return run_shard(&args, shard, &scenario, text, replications, seed);
    }
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&scenario.name));
    report::check_target(&out_dir).map_err(AppError::Output)?;

    let bar = progress_bar(replications, args.quiet, &scenario.name);
    let progress = Bar(bar.clone());
    let pool = thread_pool(args.common.threads)?;
    let failed = |source| AppError::Run {
        file: scenario.file.clone(),
        source,
    };
    // Checked for every run, though --precision holds its records in memory.
    records_budget()?;
    let Some(target) = args.precision else {
        // The records go to disk once they are many, so that memory stays flat however many
        // replications run.
        let records = records_store(&scenario, replications)?;
        let result = pool
            .install(|| {
                engine::run_range_into(&scenario, 0..replications, seed, &progress, records)
            })
            .map_err(failed)?;
        bar.finish_and_clear();
        return finish_run(&scenario, text, &result, &args, &out_dir, &pool);
    };
    let (result, precision, met) = pool
        .install(|| engine::run_to_precision(&scenario, target, replications, seed, &progress))
        .map_err(failed)?;
    bar.finish_and_clear();
    if !met {
        let reached = match (precision.half_width, precision.why_unknown()) {
            (Some(h), _) => format!("is known to within {h:.1} working days"),
            (None, Some(why)) => format!("has no interval: {why}"),
            (None, None) => "has no interval".into(),
        };
        eprint_line(&format!(
            "note: stopped at {} replications (the cap, -n, is {replications}) without reaching {target} working days: the P90 of the last case closing {reached}",
            result.replications
        ));
    }
    finish_run(&scenario, text, &result, &args, &out_dir, &pool)
}

/// The environment variable that sets how many bytes of per-replication records a run keeps in
/// memory before it writes them to a temporary file.
pub const RECORDS_IN_MEMORY_VAR: &str = "VETSIM_RECORDS_IN_MEMORY";

/// Where a run's records go: memory up to [`RECORDS_IN_MEMORY_VAR`] bytes
/// ([`engine::records::IN_MEMORY_MAX`] when it is not set), then a temporary file.
/// The store for the records of `replications` replications of `s` (the temporary file made
/// now when they will not fit: a directory that cannot take it fails the command at once).
fn records_store(s: &Scenario, replications: u64) -> Result<engine::Records, AppError> {
    let budget = records_budget()?;
    engine::Records::for_run(s, replications, budget).map_err(|e| AppError::Run {
        file: s.file.clone(),
        source: e.into(),
    })
}

/// [`RECORDS_IN_MEMORY_VAR`] read and checked ([`engine::records::IN_MEMORY_MAX`] when unset).
fn records_budget() -> Result<usize, AppError> {
    match std::env::var_os(RECORDS_IN_MEMORY_VAR) {
        None => Ok(engine::records::IN_MEMORY_MAX),
        Some(v) => v
            .to_str()
            .and_then(|t| t.trim().parse::<usize>().ok())
            .ok_or_else(|| {
                AppError::Usage(format!(
                    "{RECORDS_IN_MEMORY_VAR}={}: give a whole number of bytes (0 writes every record to the temporary file)",
                    v.to_string_lossy()
                ))
            }),
    }
}

/// After the run of `run`: with `--split`, the twins and fixed-assumption runs of its
/// replications; then its results directory.
fn finish_run<R: engine::RecordSet>(
    scenario: &Scenario,
    text: String,
    result: &engine::RunResult<R>,
    args: &RunArgs,
    out_dir: &std::path::Path,
    pool: &rayon::ThreadPool,
) -> Result<(), AppError> {
    let (twins, central) = split_runs(scenario, 0..result.replications, result.seed, args, pool)?;
    write_run(
        scenario,
        text,
        result,
        Split {
            on: args.split,
            twins: &twins,
            central: &central,
        },
        out_dir,
        pool,
        Writing {
            quiet: args.quiet,
            png: args.png,
        },
    )
}

/// With `--split`: the twins of the replications `range` and the same replications with every
/// assumption at its median (none needed when nothing is uncertain, nor without --split).
fn split_runs(
    scenario: &Scenario,
    range: std::ops::Range<u64>,
    seed: u64,
    args: &RunArgs,
    pool: &rayon::ThreadPool,
) -> Result<(Vec<crate::model::RepRecord>, Vec<crate::model::RepRecord>), AppError> {
    if !args.split || scenario.epistemic_inputs().is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let count = range.end - range.start;
    let failed = |source| AppError::Run {
        file: scenario.file.clone(),
        source,
    };
    let bar = progress_bar(count, args.quiet, &format!("{} (twins)", scenario.name));
    let progress = Offset(Bar(bar.clone()), range.start);
    let twins = pool
        .install(|| engine::run_twins_range(scenario, range.clone(), seed, &progress))
        .map_err(failed)?;
    bar.finish_and_clear();
    // And every replication again with the assumptions at their medians.
    let bar = progress_bar(
        count,
        args.quiet,
        &format!("{} (assumptions fixed)", scenario.name),
    );
    let progress = Offset(Bar(bar.clone()), range.start);
    let central = pool
        .install(|| engine::run_central_range(scenario, range, seed, &progress))
        .map_err(failed)?;
    bar.finish_and_clear();
    Ok((twins, central))
}

/// Progress of a block that starts at replication `.1`, shown from 0.
struct Offset(Bar, u64);

impl Progress for Offset {
    fn advanced(&self, done: u64, total: u64) {
        self.0
            .advanced(done - self.1.min(done), total - self.1.min(total));
    }
    fn note(&self, what: &str) {
        self.0.note(what);
    }
}

/// Whether the run is summarised with `--split`, and its twins and fixed-assumption runs.
struct Split<'a> {
    on: bool,
    twins: &'a [crate::model::RepRecord],
    central: &'a [crate::model::RepRecord],
}

/// How a run's results are written: `-q`, and `--png` (which changes the files).
struct Writing {
    quiet: bool,
    png: bool,
}

/// Summarises a finished run and writes its results directory: what `run` writes, and what
/// `merge` writes from shards (the same code, so the same bytes).
fn write_run<R: engine::RecordSet>(
    scenario: &Scenario,
    text: String,
    result: &engine::RunResult<R>,
    split: Split<'_>,
    out_dir: &std::path::Path,
    pool: &rayon::ThreadPool,
    how: Writing,
) -> Result<(), AppError> {
    let Writing { quiet, png } = how;
    // In the run's pool (daily.csv's days are made in parallel), so `--threads` holds.
    let (summary, mut files) = pool
        .install(|| {
            let summary = if split.on {
                report::summarise_split_records(scenario, result, split.twins, split.central)?
            } else {
                report::summarise_records(scenario, result)?
            };
            let files = report::run_files(scenario, result, &summary)?;
            Ok((summary, files))
        })
        .map_err(|e: engine::RecordsError| AppError::Run {
            file: scenario.file.clone(),
            source: e.into(),
        })?;
    // Charts are drawn from the serialised summaries, exactly as `vetsim plot` reads them back, so
    // the two always agree byte for byte.
    let bytes = |name: &str| {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
            .unwrap_or_default()
    };
    let data =
        crate::plot::RunData::from_bytes(out_dir, bytes("summary.json"), bytes("daily.csv"))?;
    let charts = crate::plot::run_charts(&data)?;
    let page = crate::page::run_page(&data.summary, &charts, text.as_bytes())?;
    files.extend(drawings(&charts, page));
    if png {
        files.extend(crate::plot::png::png_files(&crate::plot::chart_files(
            &charts,
        ))?);
    }
    let main_at = files.iter().position(|(n, _)| n == "summary.json");
    let main = main_at.map(|i| files.remove(i).1).unwrap_or_default();
    files.push((report::manifest::SCENARIO_COPY.into(), text.into_bytes()));
    // In the run's pool: replications.csv is formatted in parallel, with the threads asked for.
    pool.install(|| {
        report::write_results(
            out_dir,
            Some(report::Main {
                name: "summary.json",
                json: main,
            }),
            &files,
            &[report::replications_file(scenario, result)],
        )
    })?;
    if !quiet {
        let mut text = report::text::render(&summary);
        text.push_str(&format!("Results in {}/\n", out_dir.display()));
        print(&text)?;
    }
    Ok(())
}

/// `run --shard K/M`: runs the shard's block of replications and writes its shard directory.
fn run_shard(
    args: &RunArgs,
    shard: crate::shard::ShardSpec,
    scenario: &Scenario,
    text: String,
    replications: u64,
    seed: u64,
) -> Result<(), AppError> {
    let (range, out_dir) = shard_target(shard, replications, &args.out, scenario.name.clone())?;
    let count = range.end - range.start;
    let bar = progress_bar(
        count,
        args.quiet,
        &format!("{} (shard {shard})", scenario.name),
    );
    let progress = Offset(Bar(bar.clone()), range.start);
    let pool = thread_pool(args.common.threads)?;
    // A long block's records go to disk, as a long run's do.
    let records = records_store(scenario, range.end - range.start)?;
    let run = pool
        .install(|| engine::run_range_into(scenario, range.clone(), seed, &progress, records))
        .map_err(|source| AppError::Run {
            file: scenario.file.clone(),
            source,
        })?;
    bar.finish_and_clear();
    let (twins, central) = split_runs(scenario, range.clone(), seed, args, &pool)?;
    let data = crate::shard::codec::ShardData {
        run,
        first: range.start,
        twins,
        central,
    };
    write_shard(
        ShardOf {
            scenario,
            what: scenario.name.clone(),
            shard,
            range,
            replications,
            seed,
            split: args.split,
            png: args.png,
            compare: None,
            sensitivity: None,
        },
        &out_dir,
        text,
        Box::new(|w| crate::shard::codec::encode(&data, w)),
        args.quiet,
    )
}

/// `vetsim merge`: checks that the shard directories are the shards of one run, each once, and
/// writes that run's results exactly as `run` would have.
fn merge(args: MergeArgs) -> Result<(), AppError> {
    use crate::shard;
    let mut shards = Vec::with_capacity(args.shards.len());
    for dir in &args.shards {
        shards.push(shard::read_shard(dir)?);
    }
    let shards = shard::check_set(shards)?;
    let first = &shards[0];
    let meta = first.file.meta.clone();
    let text = String::from_utf8(first.scenario.clone()).map_err(|_| {
        AppError::Usage(format!(
            "{}: the scenario copy is not UTF-8 text",
            first.dir.join(report::manifest::SCENARIO_COPY).display()
        ))
    })?;
    // The results directory (`default` under output/ without -o), which must not be a shard
    // being read.
    let out_dir = |default: String| -> Result<PathBuf, AppError> {
        let out_dir = args
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from("output").join(default));
        let target = std::fs::canonicalize(&out_dir).ok();
        if let Some(s) = shards
            .iter()
            .find(|s| target.is_some() && std::fs::canonicalize(&s.dir).ok() == target)
        {
            return Err(AppError::Usage(format!(
                "-o {}: is the shard directory {} itself; give a new directory for the merged results",
                out_dir.display(),
                s.dir.display()
            )));
        }
        report::check_target(&out_dir).map_err(AppError::Output)?;
        Ok(out_dir)
    };
    if let Some(c) = &meta.compare {
        let (base, varies, variants) =
            comparison_variants(&text, &meta.scenario_file, &c.vary, &c.baseline)?;
        let out_dir = out_dir(format!("{}-comparison", base.name))?;
        let pool = thread_pool(args.threads)?;
        let runs = pool.install(|| -> Result<_, AppError> {
            let scenarios: Vec<&Scenario> = variants.iter().map(|v| &v.scenario).collect();
            let results = shard::assemble_variants(&scenarios, &shards)?;
            Ok(variants
                .into_iter()
                .zip(&results)
                .map(|(v, r)| compare::variant_run(v, r))
                .collect::<Vec<_>>())
        })?;
        return write_comparison(
            &runs,
            &varies,
            &text,
            meta.replications,
            meta.seed,
            &out_dir,
            Writing {
                quiet: args.quiet,
                png: meta.png,
            },
        );
    }
    let scenario = Scenario::from_toml_str(&text, &meta.scenario_file)?;
    let how = Writing {
        quiet: args.quiet,
        png: meta.png,
    };
    if meta.sensitivity.is_some() {
        let out_dir = out_dir(format!("{}-sensitivity", scenario.name))?;
        let pool = thread_pool(args.threads)?;
        let runs = pool.install(|| shard::assemble_sensitivity(&scenario, &shards))?;
        let analysis = crate::sensitivity::analysis(&scenario, meta.replications, meta.seed, runs);
        return write_sensitivity(&analysis, &text, &out_dir, how);
    }
    let out_dir = out_dir(scenario.name.clone())?;
    let pool = thread_pool(args.threads)?;
    // One shard's data at a time; the records go to disk once they are many.
    let records = records_store(&scenario, meta.replications)?;
    let (result, twins, central) = pool.install(|| shard::assemble(&scenario, &shards, records))?;
    write_run(
        &scenario,
        text,
        &result,
        Split {
            on: meta.split,
            twins: &twins,
            central: &central,
        },
        &out_dir,
        &pool,
        how,
    )
}
