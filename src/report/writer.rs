//! The one place that writes results to disk, atomically: every file of a run directory is written
//! into a temporary directory beside the target and only then renamed into place, so a run that
//! fails or is killed part-way leaves any previous results untouched and no half-written file.
//!
//! A process killed in the instant between the renames (or while writing into the temporary
//! directory) cannot tidy up after itself; the directories it uses carry its process id, and the
//! next [`write_dir`] into the same parent removes those of processes no longer running and puts
//! back results that were moved aside but never replaced.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why results could not be written; always names the path.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    #[error("cannot write results to {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write results to {path}: it exists and is not a directory")]
    NotADirectory { path: PathBuf },
    #[error(
        "will not write results to {path}: it is not empty and holds no vetsim results (none of {markers}); vetsim replaces its results directory as a whole, so give a new or empty directory, or one that vetsim wrote",
        markers = MARKERS.join(", ")
    )]
    NotResults { path: PathBuf },
    #[error(
        "will not write results to {path}: besides earlier vetsim results it holds {}, which vetsim did not write and which replacing the directory would delete; move them elsewhere, or give another directory",
        foreign.iter().map(|n| crate::quote::escaped(n)).collect::<Vec<_>>().join(", ")
    )]
    Foreign { path: PathBuf, foreign: Vec<String> },
    #[error(
        "will not write results to {path}: it is the current directory or contains it, and vetsim replaces its results directory as a whole; give a subdirectory such as {}",
        path.join("results").display()
    )]
    Encloses { path: PathBuf },
    #[error(
        "will not write results to {path}: name the results directory itself, not a path ending in '.' or '..'"
    )]
    DotName { path: PathBuf },
    #[error(
        "will not write results to {path}: it is a symbolic link, and vetsim replaces its results directory as a whole; give the directory itself"
    )]
    Symlink { path: PathBuf },
}

/// Files that mark a directory as results vetsim wrote (`run`, `compare`, `solve`): only such a
/// directory, or an empty one, is replaced.
const MARKERS: [&str; 3] = ["summary.json", "comparison.json", "solution.json"];

/// Every name `run`, `compare` and `solve` write into a results directory (a test keeps it
/// complete). A results directory holding anything else is not replaced: replacing it would
/// delete that too (a scenario kept beside its results and edited, someone's notes).
pub const WRITTEN: [&str; 15] = [
    "summary.json",
    "summary.csv",
    "daily.csv",
    "replications.csv",
    "screening.svg",
    "caseload.svg",
    "completion.svg",
    "waiting.svg",
    "staffing.svg",
    "comparison.json",
    "comparison.csv",
    "compare-finish.svg",
    "compare-peak.svg",
    "compare-tradeoff.svg",
    "solution.json",
];

/// Files a file manager writes into a folder someone looked at: replaced with the results
/// without asking (they hold nothing of the user's).
const OS_CLUTTER: [&str; 4] = [".DS_Store", "Thumbs.db", "desktop.ini", "._.DS_Store"];

/// Prefix of the directory a run's files are written into; the writer's process id follows.
const TMP_PREFIX: &str = ".vetsim-tmp-";

/// The temporary name under which [`write_files`] writes file `name` in process `pid`.
fn tmp_file_name(pid: u32, name: &str) -> String {
    format!("{TMP_PREFIX}{pid}-{name}")
}

/// Whether `name` is one [`tmp_file_name`] gives for a file vetsim writes ([`WRITTEN`]).
fn is_tmp_file_name(name: &str) -> bool {
    name.strip_prefix(TMP_PREFIX)
        .and_then(|r| r.split_once('-'))
        .is_some_and(|(pid, rest)| {
            !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) && WRITTEN.contains(&rest)
        })
}
/// Prefix of the name previous results are moved to just before the new ones replace them;
/// then the process id and the target's own name: `.vetsim-old-<pid>-<name>`.
const OLD_PREFIX: &str = ".vetsim-old-";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source: plain(source),
    }
}

/// The operating system's own error without the temporary path `tempfile` appends to its
/// message as `... at path "..."` (the user never named that path, and it is gone by the time
/// they read it; `tempfile` keeps the original error private, so the text is cut).
fn plain(e: std::io::Error) -> std::io::Error {
    if e.get_ref().is_none() {
        return e;
    }
    let msg = e.to_string();
    match msg.find(" at path \"") {
        Some(i) => std::io::Error::new(e.kind(), msg[..i].to_string()),
        None => e,
    }
}

/// Checks that results can be written to directory `target`, before any work is done on them:
/// it is not a file or a symbolic link, does not end in `.` or `..`, is not the current directory
/// or one containing it, is empty or holds results vetsim wrote (`summary.json`,
/// `comparison.json` or `solution.json`) and nothing else (only files named in [`WRITTEN`],
/// leftovers of an interrupted `vetsim plot`, and a file manager's `.DS_Store` and the like), and
/// the nearest existing directory on the way to it takes new entries. Creates nothing (the writer
/// creates the parents when the results are
/// ready), so a run stopped by a later check leaves no trace.
pub fn check_target(target: &Path) -> Result<(), WriteError> {
    let cwd = std::env::current_dir().ok();
    check_target_from(target, cwd.as_deref())
}

/// [`check_target`] with the current directory given (`None` when it cannot be told).
fn check_target_from(target: &Path, cwd: Option<&Path>) -> Result<(), WriteError> {
    // The last part as written ("x/." has the file name "x" for `Path`, but the system refuses
    // to rename it, after the whole run).
    let raw = target.as_os_str().as_encoded_bytes();
    let end = raw.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
    let last = raw[..end].rsplit(|&b| b == b'/').next().unwrap_or_default();
    if (last == b"." || last == b"..") && end > 0 {
        let canon = fs::canonicalize(target).ok();
        let cwd = cwd.and_then(|c| fs::canonicalize(c).ok());
        if let (Some(t), Some(c)) = (&canon, &cwd)
            && c.starts_with(t)
        {
            return Err(WriteError::Encloses {
                path: target.to_path_buf(),
            });
        }
        return Err(WriteError::DotName {
            path: target.to_path_buf(),
        });
    }
    if fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(WriteError::Symlink {
            path: target.to_path_buf(),
        });
    }
    if target.exists() {
        if !target.is_dir() {
            return Err(WriteError::NotADirectory {
                path: target.to_path_buf(),
            });
        }
        let canon = fs::canonicalize(target).map_err(io(target))?;
        let cwd = cwd.and_then(|c| fs::canonicalize(c).ok());
        if canon.parent().is_none() || cwd.is_some_and(|c| c.starts_with(&canon)) {
            return Err(WriteError::Encloses {
                path: target.to_path_buf(),
            });
        }
        // (name, whether a plain file) of every entry, read once.
        let entries = fs::read_dir(target)
            .map_err(io(target))?
            .map(|e| {
                let e = e.map_err(io(target))?;
                let is_file = e.file_type().is_ok_and(|t| t.is_file());
                Ok((e.file_name().to_string_lossy().into_owned(), is_file))
            })
            .collect::<Result<Vec<(String, bool)>, WriteError>>()?;
        if !entries.is_empty() && !MARKERS.iter().any(|m| target.join(m).is_file()) {
            return Err(WriteError::NotResults {
                path: target.to_path_buf(),
            });
        }
        // Besides vetsim's own files: a redraw's leftovers, and what a file manager leaves in a
        // folder someone opened (Finder, Explorer).
        let mut foreign: Vec<String> = entries
            .into_iter()
            .filter(|(name, is_file)| {
                let allowed = WRITTEN.contains(&name.as_str())
                    || is_tmp_file_name(name)
                    || OS_CLUTTER.contains(&name.as_str());
                !(*is_file && allowed)
            })
            .map(|(name, _)| name)
            .collect();
        if !foreign.is_empty() {
            foreign.sort();
            let more = foreign.len().saturating_sub(5);
            foreign.truncate(5);
            if more > 0 {
                foreign.push(format!("and {more} more"));
            }
            return Err(WriteError::Foreign {
                path: target.to_path_buf(),
                foreign,
            });
        }
    }
    let parent = parent_of(target);
    // The nearest existing directory on the way: it must be one, and take new entries (not a
    // read-only file system, /proc, or without permission).
    let existing = parent
        .ancestors()
        .find(|a| a.as_os_str().is_empty() || a.exists())
        .map(|a| {
            if a.as_os_str().is_empty() {
                Path::new(".")
            } else {
                a
            }
        })
        .unwrap_or(Path::new("."));
    if !existing.is_dir() {
        return Err(WriteError::NotADirectory {
            path: existing.to_path_buf(),
        });
    }
    tempfile::Builder::new()
        .prefix(&format!("{TMP_PREFIX}{}-", std::process::id()))
        .tempdir_in(existing)
        .map_err(io(target))?;
    Ok(())
}

/// The directory that holds `target` (`.` for a bare name).
fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes a file's whole content to the writer it is given.
pub type WriteFn<'a> = Box<dyn Fn(&mut dyn Write) -> std::io::Result<()> + 'a>;

/// A file of a run directory whose content is written straight to disk rather than made in memory
/// first: `replications.csv` has a row per replication, and holding it whole would add a second
/// copy of every replication's record to the run's peak memory.
pub struct Streamed<'a> {
    pub name: String,
    /// Writes the whole content; its errors are reported against the file's path.
    pub write: WriteFn<'a>,
}

/// Replaces directory `target` with one holding exactly `files` (name, bytes).
pub fn write_dir(target: &Path, files: &[(String, Vec<u8>)]) -> Result<(), WriteError> {
    write_dir_streamed(target, files, &[])
}

/// [`write_dir`], with some files written by their own writers (see [`Streamed`]).
pub fn write_dir_streamed(
    target: &Path,
    files: &[(String, Vec<u8>)],
    streamed: &[Streamed<'_>],
) -> Result<(), WriteError> {
    // Again, in case the directory changed while the results were being made.
    check_target(target)?;
    let parent = parent_of(target);
    fs::create_dir_all(&parent).map_err(io(&parent))?;
    clean_stale(&parent);
    let pid = std::process::id();
    let tmp = tempfile::Builder::new()
        .prefix(&format!("{TMP_PREFIX}{pid}-"))
        .tempdir_in(&parent)
        .map_err(io(target))?;
    for (name, bytes) in files {
        stage(tmp.path(), target, name, &|w| w.write_all(bytes))?;
    }
    for st in streamed {
        stage(tmp.path(), target, &st.name, &st.write)?;
    }
    let staged = tmp.keep();
    if target.exists() {
        let name = target.file_name().unwrap_or_default().to_string_lossy();
        let old = parent.join(format!("{OLD_PREFIX}{pid}-{name}"));
        // Move the old results aside, put the new ones in place, then delete the old ones. If the
        // second rename fails, put the old ones back. (A leftover of this process id can only be
        // from a dead process whose id was reused.)
        let _ = fs::remove_dir_all(&old);
        if let Err(e) = fs::rename(target, &old) {
            let _ = fs::remove_dir_all(&staged);
            return Err(io(target)(e));
        }
        if let Err(e) = fs::rename(&staged, target) {
            let _ = fs::rename(&old, target);
            let _ = fs::remove_dir_all(&staged);
            return Err(io(target)(e));
        }
        let _ = fs::remove_dir_all(&old);
    } else if let Err(e) = fs::rename(&staged, target) {
        let _ = fs::remove_dir_all(&staged);
        return Err(io(target)(e));
    }
    Ok(())
}

/// Writes file `name` into the temporary directory `tmp` with `write`, buffered and synced. Errors
/// name the file as it would have been in `target`: the temporary directory they happened in is
/// gone by the time anyone reads them.
fn stage(
    tmp: &Path,
    target: &Path,
    name: &str,
    write: &dyn Fn(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    let shown = target.join(name);
    fs::File::create(tmp.join(name))
        .and_then(|f| fill(f, write))
        .map_err(io(&shown))
}

/// Writes a file's content into `f` with `write`, buffered, and syncs it to disk.
fn fill(f: fs::File, write: &dyn Fn(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(f);
    write(&mut w)?;
    let f = w.into_inner().map_err(|e| e.into_error())?;
    f.sync_all()
}

/// Writes each of `files` (name, bytes) into the existing directory `dir`, each atomically: into a
/// temporary file beside it, synced, then renamed over the old one. A failure part-way leaves every
/// file either old or new, never half-written.
///
/// The temporary file is made as `File::create` makes any file, with the permissions the user's
/// umask gives (as `vetsim run` writes them): `tempfile`'s are owner-only, and a redrawn chart
/// kept them, unreadable to anyone else who could read the rest of the run.
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), WriteError> {
    if !dir.is_dir() {
        return Err(WriteError::NotADirectory {
            path: dir.to_path_buf(),
        });
    }
    clean_stale(dir);
    let pid = std::process::id();
    for (name, bytes) in files {
        let path = dir.join(name);
        let tmp = dir.join(tmp_file_name(pid, name));
        let written = new_file(&tmp)
            .and_then(|f| fill(f, &|w| w.write_all(bytes)))
            .and_then(|()| fs::rename(&tmp, &path));
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(io(&path)(e));
        }
    }
    Ok(())
}

/// Creates `path`, which must not exist (no following a link planted there); a file left there by
/// an earlier process with this process's id is replaced.
fn new_file(path: &Path) -> std::io::Result<fs::File> {
    let create = || {
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    };
    match create() {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            fs::remove_file(path)?;
            create()
        }
        r => r,
    }
}

/// Tidies what writers killed part-way left in `parent`: removes their temporary directories and files and
/// puts back previous results they had moved aside when nothing has replaced them (otherwise
/// removes those too). Touches only entries of processes known to be gone; where that cannot be
/// told (no `/proc`), nothing. Best effort: a failure here never stops a run.
fn clean_stale(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(name) = file_name.to_str() else {
            continue;
        };
        let (rest, moved_aside) = if let Some(r) = name.strip_prefix(TMP_PREFIX) {
            (r, false)
        } else if let Some(r) = name.strip_prefix(OLD_PREFIX) {
            (r, true)
        } else {
            continue;
        };
        let Some((pid, tail)) = rest.split_once('-') else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if !process_is_gone(pid) {
            continue;
        }
        let path = entry.path();
        if moved_aside && !tail.is_empty() {
            let target = parent.join(tail);
            if !target.exists() && fs::rename(&path, &target).is_ok() {
                continue;
            }
        }
        if path.is_dir() {
            let _ = fs::remove_dir_all(&path);
        } else {
            // A temporary file of `write_files`, inside a run directory.
            let _ = fs::remove_file(&path);
        }
    }
}

/// True only when process `pid` is known not to be running (Linux `/proc`). Our own id counts as
/// running.
fn process_is_gone(pid: u32) -> bool {
    let proc = Path::new("/proc");
    pid != std::process::id() && proc.join("self").exists() && !proc.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in `dir`, sorted.
    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_directory_whole() {
        let base = tempfile::tempdir().unwrap();
        let target = base.path().join("out").join("run");
        write_dir(&target, &[("summary.json".into(), b"one".to_vec())]).unwrap();
        assert_eq!(fs::read(target.join("summary.json")).unwrap(), b"one");
        write_dir(&target, &[("comparison.json".into(), b"two".to_vec())]).unwrap();
        assert!(!target.join("summary.json").exists(), "old files are gone");
        assert_eq!(fs::read(target.join("comparison.json")).unwrap(), b"two");
        // Nothing left behind beside it.
        assert_eq!(names_in(&base.path().join("out")), ["run"]);
    }

    #[test]
    fn a_streamed_file_is_written_whole_or_not_at_all() {
        let base = tempfile::tempdir().unwrap();
        let target = base.path().join("run");
        let rows = |w: &mut dyn Write| -> std::io::Result<()> {
            for i in 0..3 {
                writeln!(w, "row {i}")?;
            }
            Ok(())
        };
        let ok = Streamed {
            name: "replications.csv".into(),
            write: Box::new(rows),
        };
        write_dir_streamed(&target, &[("summary.json".into(), b"one".to_vec())], &[ok]).unwrap();
        assert_eq!(
            fs::read(target.join("replications.csv")).unwrap(),
            b"row 0\nrow 1\nrow 2\n"
        );
        assert_eq!(fs::read(target.join("summary.json")).unwrap(), b"one");

        // A writer failing part-way: an error naming the file, the previous results untouched,
        // nothing left beside them.
        let failing = Streamed {
            name: "replications.csv".into(),
            write: Box::new(|w: &mut dyn Write| {
                writeln!(w, "half a file")?;
                Err(std::io::Error::other("disk full"))
            }),
        };
        let e = write_dir_streamed(
            &target,
            &[("summary.json".into(), b"two".to_vec())],
            &[failing],
        )
        .unwrap_err();
        let msg = e.to_string();
        // Named as it would have been in the target, not in the temporary directory now gone.
        let shown = target.join("replications.csv").display().to_string();
        assert!(msg.contains(&shown) && msg.contains("disk full"), "{msg}");
        assert_eq!(fs::read(target.join("summary.json")).unwrap(), b"one");
        assert_eq!(
            fs::read(target.join("replications.csv")).unwrap(),
            b"row 0\nrow 1\nrow 2\n"
        );
        assert_eq!(names_in(base.path()), ["run"]);
    }

    /// No process has this id (Linux pids stay below 2^22).
    const DEAD: u32 = 4_000_000_000;

    #[test]
    fn tidies_what_a_killed_writer_left_and_puts_back_moved_results() {
        if !Path::new("/proc/self").exists() {
            return; // liveness cannot be told here, so nothing is tidied by design
        }
        let base = tempfile::tempdir().unwrap();
        let p = base.path();
        // A writer killed while writing its temporary directory ...
        fs::create_dir(p.join(format!("{TMP_PREFIX}{DEAD}-abc123"))).unwrap();
        fs::write(
            p.join(format!("{TMP_PREFIX}{DEAD}-abc123/daily.csv")),
            b"half",
        )
        .unwrap();
        // ... one killed between moving "other" aside and renaming its new results into place ...
        fs::create_dir(p.join(format!("{OLD_PREFIX}{DEAD}-other"))).unwrap();
        fs::write(
            p.join(format!("{OLD_PREFIX}{DEAD}-other/a.txt")),
            b"previous",
        )
        .unwrap();
        // ... one killed after the new "done" was in place but before deleting the old one ...
        fs::create_dir(p.join("done")).unwrap();
        fs::create_dir(p.join(format!("{OLD_PREFIX}{DEAD}-done"))).unwrap();
        // ... and a writer that is still running (this process): left alone.
        let live = p.join(format!("{TMP_PREFIX}{}-live00", std::process::id()));
        fs::create_dir(&live).unwrap();
        write_dir(&p.join("run"), &[("a.txt".into(), b"new".to_vec())]).unwrap();
        assert_eq!(fs::read(p.join("other/a.txt")).unwrap(), b"previous");
        let names = names_in(p);
        let live_name = live.file_name().unwrap().to_str().unwrap().to_string();
        assert_eq!(
            names,
            vec![live_name, "done".into(), "other".into(), "run".into()]
        );
    }

    #[test]
    fn write_files_replaces_named_files_only() {
        let base = tempfile::tempdir().unwrap();
        fs::write(base.path().join("keep.txt"), b"kept").unwrap();
        fs::write(base.path().join("a.svg"), b"old").unwrap();
        write_files(base.path(), &[("a.svg".into(), b"new".to_vec())]).unwrap();
        assert_eq!(fs::read(base.path().join("a.svg")).unwrap(), b"new");
        assert_eq!(fs::read(base.path().join("keep.txt")).unwrap(), b"kept");
        let names = names_in(base.path());
        assert_eq!(names, vec!["a.svg", "keep.txt"], "no temporary file left");
        let e = write_files(&base.path().join("missing"), &[]).unwrap_err();
        assert!(e.to_string().contains("missing"), "{e}");
    }

    /// Redrawn files get the permissions of any newly made file (the umask's), not the
    /// owner-only ones of a `tempfile`; a leftover temporary name of this process is replaced;
    /// a failed write leaves the old file and no temporary one.
    #[cfg(unix)]
    #[test]
    fn write_files_makes_files_as_file_create_does() {
        use std::os::unix::fs::PermissionsExt;
        let base = tempfile::tempdir().unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let reference = base.path().join("made-by-create");
        fs::File::create(&reference).unwrap();
        let leftover = base.path().join(tmp_file_name(std::process::id(), "a.svg"));
        fs::write(&leftover, b"stale").unwrap();
        write_files(base.path(), &[("a.svg".into(), b"new".to_vec())]).unwrap();
        assert_eq!(mode(&base.path().join("a.svg")), mode(&reference));
        assert_eq!(fs::read(base.path().join("a.svg")).unwrap(), b"new");
        assert!(!leftover.exists());
        // A directory where the file should go: the rename fails, the error names the file,
        // and the temporary file is gone.
        fs::create_dir(base.path().join("b.svg")).unwrap();
        let e = write_files(base.path(), &[("b.svg".into(), b"x".to_vec())]).unwrap_err();
        assert!(e.to_string().contains("b.svg"), "{e}");
        assert_eq!(
            names_in(base.path()),
            vec!["a.svg", "b.svg", "made-by-create"]
        );
    }

    /// A directory of someone's own files is never replaced; an empty one, or one holding any
    /// of vetsim's marker files, is.
    #[test]
    fn replaces_only_empty_directories_or_vetsim_results() {
        let base = tempfile::tempdir().unwrap();
        let mine = base.path().join("mine");
        fs::create_dir(&mine).unwrap();
        fs::write(mine.join("notes.txt"), b"keep me").unwrap();
        let e = write_dir(&mine, &[("summary.json".into(), vec![])]).unwrap_err();
        assert!(matches!(e, WriteError::NotResults { .. }), "{e}");
        assert!(e.to_string().contains("not empty"), "{e}");
        assert_eq!(fs::read(mine.join("notes.txt")).unwrap(), b"keep me");
        assert!(!mine.join("summary.json").exists());

        let empty = base.path().join("empty");
        fs::create_dir(&empty).unwrap();
        check_target(&empty).unwrap();
        for marker in MARKERS {
            let dir = base.path().join(format!("results-{marker}"));
            fs::create_dir(&dir).unwrap();
            fs::write(dir.join(marker), b"{}").unwrap();
            fs::write(dir.join("caseload.svg"), b"<svg/>").unwrap();
            write_dir(&dir, &[("solution.json".into(), b"new".to_vec())]).unwrap();
            assert!(!dir.join("caseload.svg").exists());
        }
        // Results with someone's files beside them (a scenario kept with its results, notes, a
        // folder): refused, naming them, and nothing touched.
        let kept = base.path().join("kept");
        fs::create_dir_all(kept.join("drafts")).unwrap();
        fs::write(kept.join("summary.json"), b"{}").unwrap();
        fs::write(kept.join("plan.toml"), b"x").unwrap();
        // A directory under a name vetsim writes as a file is not vetsim's either.
        fs::create_dir(kept.join("daily.csv")).unwrap();
        let e = write_dir(&kept, &[("summary.json".into(), b"new".to_vec())]).unwrap_err();
        assert!(matches!(e, WriteError::Foreign { .. }), "{e}");
        assert!(
            e.to_string()
                .contains("holds daily.csv, drafts, plan.toml, which vetsim did not write"),
            "{e}"
        );
        assert_eq!(fs::read(kept.join("summary.json")).unwrap(), b"{}");
        assert_eq!(
            names_in(&kept),
            ["daily.csv", "drafts", "plan.toml", "summary.json"]
        );
        // Many of them: the first five by name, then how many more.
        for i in 0..7 {
            fs::write(kept.join(format!("note{i}.txt")), b"x").unwrap();
        }
        let e = check_target(&kept).unwrap_err().to_string();
        assert!(
            e.contains("drafts, note0.txt, note1.txt, note2.txt, and 5 more"),
            "{e}"
        );
        fs::remove_dir_all(&kept).unwrap();
        // A file manager's clutter and a plot's leftover are replaced; a folder or file that only
        // starts like a leftover is not.
        let seen = base.path().join("seen");
        fs::create_dir(&seen).unwrap();
        fs::write(seen.join("summary.json"), b"{}").unwrap();
        fs::write(seen.join(".DS_Store"), b"x").unwrap();
        fs::write(seen.join(format!("{TMP_PREFIX}123-caseload.svg")), b"x").unwrap();
        check_target(&seen).unwrap();
        fs::create_dir(seen.join(format!("{TMP_PREFIX}dir"))).unwrap();
        fs::write(seen.join(format!("{TMP_PREFIX}9-notes.txt")), b"x").unwrap();
        let e = check_target(&seen).unwrap_err().to_string();
        assert!(
            e.contains(&format!("holds {TMP_PREFIX}9-notes.txt, {TMP_PREFIX}dir,")),
            "{e}"
        );
        // A name with an invisible character in it is shown escaped.
        fs::remove_dir_all(seen.join(format!("{TMP_PREFIX}dir"))).unwrap();
        fs::remove_file(seen.join(format!("{TMP_PREFIX}9-notes.txt"))).unwrap();
        fs::write(seen.join("notes\u{202e}txt.exe"), b"x").unwrap();
        let e = check_target(&seen).unwrap_err().to_string();
        assert!(e.contains("holds notes\\u{202e}txt.exe, which"), "{e}");
        fs::remove_dir_all(&seen).unwrap();
        // Nothing but the directories themselves left in the parent (no probe leftovers).
        let names = names_in(base.path());
        assert_eq!(
            names,
            [
                "empty",
                "mine",
                "results-comparison.json",
                "results-solution.json",
                "results-summary.json"
            ]
        );
    }

    /// The current directory and those above it are refused, even when they hold results.
    #[test]
    fn refuses_the_current_directory_and_its_ancestors() {
        let base = tempfile::tempdir().unwrap();
        let inner = base.path().join("a").join("b");
        fs::create_dir_all(&inner).unwrap();
        fs::write(base.path().join("a").join("summary.json"), b"{}").unwrap();
        for target in [inner.clone(), base.path().join("a"), inner.join("..")] {
            let e = check_target_from(&target, Some(&inner)).unwrap_err();
            assert!(matches!(e, WriteError::Encloses { .. }), "{e}");
        }
        // A sibling of the current directory is fine.
        let sibling = base.path().join("a").join("c");
        check_target_from(&sibling, Some(&inner)).unwrap();
        let e = check_target_from(Path::new("/"), None).unwrap_err();
        assert!(matches!(e, WriteError::Encloses { .. }), "{e}");
    }

    /// Paths the system would refuse to rename only after the whole run are refused first; and
    /// checking creates nothing.
    #[test]
    fn refuses_dot_paths_and_symbolic_links_and_creates_nothing() {
        let base = tempfile::tempdir().unwrap();
        let results = base.path().join("results");
        fs::create_dir(&results).unwrap();
        fs::write(results.join("summary.json"), b"{}").unwrap();
        for target in [results.join("."), results.join("sub").join("..")] {
            let e = check_target_from(&target, Some(base.path())).unwrap_err();
            assert!(matches!(e, WriteError::DotName { .. }), "{e}");
        }
        assert!(!results.join("sub").exists());
        #[cfg(unix)]
        {
            let link = base.path().join("link");
            std::os::unix::fs::symlink(&results, &link).unwrap();
            let dangling = base.path().join("dangling");
            std::os::unix::fs::symlink(base.path().join("nowhere"), &dangling).unwrap();
            for target in [link, dangling] {
                let e = check_target_from(&target, Some(base.path())).unwrap_err();
                assert!(matches!(e, WriteError::Symlink { .. }), "{e}");
            }
        }
        let deep = base.path().join("new").join("deeper").join("run");
        check_target(&deep).unwrap();
        assert!(!base.path().join("new").exists(), "nothing created");
        write_dir(&deep, &[("summary.json".into(), b"{}".to_vec())]).unwrap();
        assert!(
            deep.join("summary.json").is_file(),
            "the writer creates the parents"
        );
    }

    /// An error making the temporary directory names the target, not the temporary path.
    #[test]
    fn errors_name_the_target_not_the_temporary_directory() {
        if !Path::new("/proc/self").exists() {
            return;
        }
        // /proc accepts no new directories.
        let e = check_target(Path::new("/proc/vetsim-results")).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("/proc/vetsim-results"), "{msg}");
        assert!(!msg.contains(TMP_PREFIX), "{msg}");
    }

    #[test]
    fn refuses_a_file_in_the_way() {
        let base = tempfile::tempdir().unwrap();
        let target = base.path().join("run");
        fs::write(&target, b"x").unwrap();
        let e = write_dir(&target, &[("a".into(), vec![])]).unwrap_err();
        assert!(e.to_string().contains("not a directory"), "{e}");
        assert_eq!(fs::read(&target).unwrap(), b"x");
        // A file on the way to it: named as such.
        let e = check_target(&target.join("sub").join("run")).unwrap_err();
        assert!(
            matches!(&e, WriteError::NotADirectory { path } if *path == target),
            "{e}"
        );
    }
}
