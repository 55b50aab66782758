//! The one place that writes results to disk, atomically: every file of a run directory is written
//! into a temporary directory beside the target and only then renamed into place, so a run that
//! fails or is killed part-way leaves any previous results untouched and no half-written file.
//!
//! A process killed in the instant between the renames (or while writing into the temporary
//! directory) cannot tidy up after itself; the directories it uses carry its process id, and the
//! next [`write_dir`] into the same parent removes those of processes no longer running and puts
//! back results that were moved aside but never replaced.

use std::collections::{BTreeMap, BTreeSet};
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
    #[error(
        "will not write results to {path}: this user may not delete the files in it (it is read-only, or another user's), and vetsim replaces its results directory as a whole; make it writable (chmod u+w) or give another directory"
    )]
    ReadOnly { path: PathBuf },
    #[error(
        "will not write results to {path}: a part of it is {bytes} bytes long; file systems take 255, and the results directory's own name at most {MAX_NAME_BYTES} (vetsim moves earlier results aside under a longer name)"
    )]
    NameTooLong { path: PathBuf, bytes: usize },
    #[error(
        "will not write results to {path}: the path is {bytes} bytes long; the system takes 4,095 bytes, less the names vetsim adds inside and beside it (at most {MAX_PATH_BYTES} in all)"
    )]
    PathTooLong { path: PathBuf, bytes: usize },
}

/// Longest path of a results directory [bytes]: the system refuses paths over 4,095 bytes
/// (`PATH_MAX`), and the writer adds a file's name inside it (`replications.csv`) or a longer
/// name beside it (`.vetsim-old-<pid>-<name>`).
pub const MAX_PATH_BYTES: usize = 4_000;

/// Longest part of a results directory's path [bytes]. File systems refuse names over 255
/// bytes; earlier results are moved aside as `.vetsim-old-<pid>-<name>`, up to 20 bytes longer.
/// Past it, the run failed at its very end (exit 1) rather than at the start.
pub const MAX_NAME_BYTES: usize = 220;

/// Files that mark a directory as results vetsim wrote (`run`, `compare`, `solve`, a shard of
/// `run --shard`): only such a directory, or an empty one, is replaced.
const MARKERS: [&str; 5] = [
    "summary.json",
    "comparison.json",
    "sensitivity.json",
    "solution.json",
    "shard.json",
];

/// Every name `run`, `compare` and `solve` write into a results directory (a test keeps it
/// complete). A results directory holding anything else is not replaced: replacing it would
/// delete that too (a scenario kept beside its results and edited, someone's notes).
pub const WRITTEN: [&str; 31] = [
    "scenario.toml",
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
    "sensitivity.json",
    "sensitivity.csv",
    "sensitivity.svg",
    "report.html",
    "shard.json",
    "shard.bin",
    // `--png`: a PNG beside each chart.
    "screening.png",
    "caseload.png",
    "completion.png",
    "waiting.png",
    "staffing.png",
    "compare-finish.png",
    "compare-peak.png",
    "compare-tradeoff.png",
    "sensitivity.png",
];

/// Files a file manager writes into a folder someone looked at: replaced with the results
/// without asking (they hold nothing of the user's).
const OS_CLUTTER: [&str; 4] = [".DS_Store", "Thumbs.db", "desktop.ini", "._.DS_Store"];

/// The file written first into a mount point being replaced in place, and removed last: a
/// directory holding it is an interrupted replacement, taken up again by the next run.
const REPLACING: &str = ".vetsim-replacing";

/// A file system's own directory at the root of a volume (ext4): not the user's, kept.
const LOST_FOUND: &str = "lost+found";

use super::manifest::SCENARIO_COPY;

/// The names the sealed main files of `dir` list, or `None` when none of them is sealed (a
/// directory vetsim's manifest cannot speak for). The scenario copy is listed only when its digest
/// there is that of the file on disk: a scenario kept beside results under that (common) name is
/// its owner's, not vetsim's.
fn sealed_listing(dir: &Path) -> Option<BTreeSet<String>> {
    let copy = fs::read(dir.join(SCENARIO_COPY))
        .ok()
        .map(|b| super::manifest::sha256_hex(&b));
    let mut sealed = false;
    let mut names = BTreeSet::new();
    for m in MARKERS {
        let Some(files) = fs::read(dir.join(m))
            .ok()
            .and_then(|b| super::manifest::unseal(&b).ok())
        else {
            continue;
        };
        sealed = true;
        for (name, digest) in files {
            if name != SCENARIO_COPY || copy.as_ref() == Some(&digest) {
                names.insert(name);
            }
        }
    }
    sealed.then_some(names)
}

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
/// `comparison.json`, `sensitivity.json` or `solution.json`) and nothing else (only files named in [`WRITTEN`],
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
    if raw.len() > MAX_PATH_BYTES {
        return Err(WriteError::PathTooLong {
            path: target.to_path_buf(),
            bytes: raw.len(),
        });
    }
    // The last part is moved aside under a longer name; the others only have to exist or be
    // made, which file systems allow up to 255 bytes.
    let parts: Vec<usize> = target
        .components()
        .map(|c| c.as_os_str().as_encoded_bytes().len())
        .collect();
    let (last, parents) = parts.split_last().unwrap_or((&0, &[]));
    if let Some(&bytes) = parents
        .iter()
        .find(|&&n| n > 255)
        .or((*last > MAX_NAME_BYTES).then_some(last))
    {
        return Err(WriteError::NameTooLong {
            path: target.to_path_buf(),
            bytes,
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
        let has_entries = !entries.is_empty();
        let mount = is_mount_point(target);
        // A mount point is replaced file by file, after a marker is written and the main files
        // removed: one whose replacement was interrupted holds the marker, and is taken up again.
        let interrupted_in_place = mount && entries.iter().any(|(n, f)| *f && n == REPLACING);
        let looks_empty =
            entries.is_empty() || (mount && entries.iter().all(|(n, _)| n == LOST_FOUND));
        let holds_results = MARKERS.iter().any(|m| target.join(m).is_file());
        if !(looks_empty || interrupted_in_place || holds_results) {
            return Err(WriteError::NotResults {
                path: target.to_path_buf(),
            });
        }
        let mut foreign = foreign_entries(entries, mount, || sealed_listing(target));
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
        // Files this process may not delete (someone made the directory read-only to keep
        // these results, or it is another user's): renamed aside, the old results could not be
        // deleted and stayed hidden beside the new ones. Asked of the system itself (a file
        // made and dropped in it), not of the mode bits, which say nothing of owner or group.
        if has_entries
            && let Err(e) = tempfile::Builder::new()
                .prefix(&format!("{TMP_PREFIX}{}-", std::process::id()))
                .tempfile_in(target)
            && e.kind() == std::io::ErrorKind::PermissionDenied
        {
            return Err(WriteError::ReadOnly {
                path: target.to_path_buf(),
            });
        }
    }
    // A mount point is written into, not beside: it must take new entries itself.
    if is_mount_point(target) {
        tempfile::Builder::new()
            .prefix(&format!("{TMP_PREFIX}{}-", std::process::id()))
            .tempdir_in(target)
            .map_err(io(target))?;
        return Ok(());
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

/// Replaces directory `target` with one holding exactly `files` (name, bytes), without a
/// manifest (see [`write_results`]).
pub fn write_dir(target: &Path, files: &[(String, Vec<u8>)]) -> Result<(), WriteError> {
    write_results(target, None, files, &[])
}

/// The file that describes and seals a results directory (`summary.json`, `comparison.json`,
/// `solution.json`): pretty-printed JSON, to which the writer adds the manifest of every other
/// file ([`super::manifest`]) once they are all written, and which it writes last.
pub struct Main<'a> {
    pub name: &'a str,
    pub json: Vec<u8>,
}

/// The entries (name, whether a plain file) of an existing results directory that vetsim did not
/// write: what keeps [`check_target`] from replacing it. `mount`: the directory is a mount point
/// (replaced in place); `sealed`: what its sealed main files list ([`sealed_listing`]), asked only
/// when an entry's name is one vetsim writes.
fn foreign_entries(
    entries: Vec<(String, bool)>,
    mount: bool,
    sealed: impl FnOnce() -> Option<BTreeSet<String>>,
) -> Vec<String> {
    // A sealed main file lists every other file its command wrote: a file under a name vetsim
    // writes that it does not list is someone's own (a `caseload.png` exported by hand beside
    // results run without `--png`), and replacing the directory would delete it. The scenario
    // copy needs the listing even when nothing is sealed: a scenario kept beside results under
    // that name is common. A replacement in place that was interrupted removed the main files
    // first, so there the marker vouches for every name (else the next run, which is to take it
    // up, refused them).
    let interrupted_in_place = mount && entries.iter().any(|(n, f)| *f && n == REPLACING);
    let mut listing: Option<Option<BTreeSet<String>>> = None;
    let mut sealed = Some(sealed);
    let mut listed = |name: &str, unsealed: bool| {
        let l = listing.get_or_insert_with(|| sealed.take().and_then(|f| f()));
        l.as_ref().map_or(unsealed, |l| l.contains(name))
    };
    // Besides vetsim's own files: a redraw's leftovers, the in-place marker, what a file manager
    // leaves in a folder someone opened (Finder, Explorer), and a file system's lost+found at
    // the root of a mounted volume.
    entries
        .into_iter()
        .filter(|(name, is_file)| {
            let n = name.as_str();
            let ours = MARKERS.contains(&n)
                || (WRITTEN.contains(&n)
                    && (interrupted_in_place || listed(n, n != SCENARIO_COPY)));
            let allowed = ours
                || is_tmp_file_name(name)
                || (mount && n == REPLACING)
                || OS_CLUTTER.contains(&n);
            let volume_own = mount && !*is_file && n == LOST_FOUND;
            !((*is_file && allowed) || volume_own)
        })
        .map(|(name, _)| name)
        .collect()
}

/// Replaces directory `target` with one holding exactly `files` (name, bytes), the `streamed`
/// files (see [`Streamed`]) and, last, `main` sealed with the SHA-256 of every other file.
///
/// Normally the directory is made beside the target and renamed into place: a run that fails or
/// is killed leaves the previous results whole. A target that is a mount point (a container's
/// volume, `-o /out`) cannot be renamed; its files are replaced one by one instead, each
/// atomically, the main file removed first and written last, so that an interrupted replacement
/// leaves a directory with no main file, which `plot` and `merge` refuse rather than read as
/// mixed results.
pub fn write_results(
    target: &Path,
    main: Option<Main<'_>>,
    files: &[(String, Vec<u8>)],
    streamed: &[Streamed<'_>],
) -> Result<(), WriteError> {
    // Again, in case the directory changed while the results were being made.
    check_target(target)?;
    if is_mount_point(target) {
        return write_in_place(target, main, files, streamed);
    }
    let parent = parent_of(target);
    fs::create_dir_all(&parent).map_err(io(&parent))?;
    clean_stale(&parent);
    let pid = std::process::id();
    let tmp = tempfile::Builder::new()
        .prefix(&format!("{TMP_PREFIX}{pid}-"))
        .tempdir_in(&parent)
        .map_err(io(target))?;
    let mut digests = BTreeMap::new();
    for (name, bytes) in files {
        let d = stage(&tmp.path().join(name), &target.join(name), &|w| {
            w.write_all(bytes)
        })?;
        digests.insert(name.clone(), d);
    }
    for st in streamed {
        let d = stage(
            &tmp.path().join(&st.name),
            &target.join(&st.name),
            &st.write,
        )?;
        digests.insert(st.name.clone(), d);
    }
    if let Some(m) = main {
        let sealed = super::manifest::seal(&m.json, &digests);
        stage(&tmp.path().join(m.name), &target.join(m.name), &|w| {
            w.write_all(&sealed)
        })?;
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

/// [`write_results`] into a mount point, file by file: the main file (and so the marker of
/// finished results) removed first, every other file written beside its place and renamed over
/// it, files of earlier results that this one does not write removed, and the sealed main file
/// written last.
fn write_in_place(
    target: &Path,
    main: Option<Main<'_>>,
    files: &[(String, Vec<u8>)],
    streamed: &[Streamed<'_>],
) -> Result<(), WriteError> {
    clean_stale(target);
    let pid = std::process::id();
    // The marker first, then every main file (a run's summary.json as well as an earlier
    // comparison's comparison.json): until the new main file is sealed, the directory reads as
    // an interrupted replacement, never as finished results.
    let marker = target.join(REPLACING);
    fs::write(&marker, format!("{pid}\n")).map_err(io(&marker))?;
    for m in MARKERS {
        let path = target.join(m);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&path)(e)),
            _ => {}
        }
    }
    let put = |name: &str, write: &dyn Fn(&mut dyn Write) -> std::io::Result<()>| {
        let path = target.join(name);
        let tmp = target.join(tmp_file_name(pid, name));
        let d = stage(&tmp, &path, write);
        let d = d.and_then(|d| fs::rename(&tmp, &path).map(|()| d).map_err(io(&path)));
        if d.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        d
    };
    let mut digests = BTreeMap::new();
    for (name, bytes) in files {
        digests.insert(name.clone(), put(name, &|w| w.write_all(bytes))?);
    }
    for st in streamed {
        digests.insert(st.name.clone(), put(&st.name, &st.write)?);
    }
    // What earlier results wrote and these do not (a chart a scenario no longer draws).
    for old in WRITTEN {
        let keep = digests.contains_key(old) || main.as_ref().is_some_and(|m| m.name == old);
        if !keep && target.join(old).is_file() {
            fs::remove_file(target.join(old)).map_err(io(&target.join(old)))?;
        }
    }
    if let Some(m) = main {
        let sealed = super::manifest::seal(&m.json, &digests);
        put(m.name, &|w| w.write_all(&sealed))?;
    }
    fs::remove_file(&marker).map_err(io(&marker))?;
    Ok(())
}

/// Whether `path` is a mount point: the root of a mounted file system, which cannot be renamed
/// or replaced (EBUSY), only written into. Read from `/proc/self/mountinfo` (a bind mount of a
/// directory shares its device with the parent, so comparing devices is not enough), falling back
/// to comparing devices where there is no `/proc`.
pub fn is_mount_point(path: &Path) -> bool {
    let Ok(canon) = fs::canonicalize(path) else {
        return false;
    };
    match fs::read_to_string("/proc/self/mountinfo") {
        Ok(info) => mount_points(&info).any(|m| m == canon),
        Err(_) => device_differs_from_parent(&canon),
    }
}

/// The mount points listed in a `mountinfo` text (the fifth field of each line, with the kernel's
/// octal escapes of space, tab, newline and backslash undone).
fn mount_points(info: &str) -> impl Iterator<Item = PathBuf> + '_ {
    info.lines().filter_map(|line| {
        let field = line.split(' ').nth(4)?;
        Some(PathBuf::from(unescape_octal(field)))
    })
}

/// Undoes `\ooo` escapes (three octal digits) of a `mountinfo` field.
fn unescape_octal(field: &str) -> std::ffi::OsString {
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = (b[i + 1] - b'0') as u32 * 64
                + (b[i + 2] - b'0') as u32 * 8
                + (b[i + 3] - b'0') as u32;
            out.push(v as u8);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        std::ffi::OsString::from_vec(out)
    }
    #[cfg(not(unix))]
    {
        std::ffi::OsString::from(String::from_utf8_lossy(&out).into_owned())
    }
}

#[cfg(unix)]
fn device_differs_from_parent(canon: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Some(parent) = canon.parent() else {
        return true;
    };
    match (fs::metadata(canon), fs::metadata(parent)) {
        (Ok(a), Ok(b)) => a.dev() != b.dev(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn device_differs_from_parent(_canon: &Path) -> bool {
    false
}

/// Writes file `path` with `write`, buffered and synced, and returns its SHA-256. Errors name
/// `shown`, the file as it will be in the results directory: the temporary place it is written to
/// is gone by the time anyone reads them.
fn stage(
    path: &Path,
    shown: &Path,
    write: &dyn Fn(&mut dyn Write) -> std::io::Result<()>,
) -> Result<String, WriteError> {
    new_file(path)
        .and_then(|f| fill(f, write))
        .map_err(io(shown))
}

/// Writes a file's content into `f` with `write`, buffered, syncs it to disk and returns the
/// SHA-256 of what was written.
fn fill(
    f: fs::File,
    write: &dyn Fn(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<String> {
    let mut w = super::manifest::HashingWriter::new(std::io::BufWriter::new(f));
    write(&mut w)?;
    let (w, digest) = w.finish();
    let f = w.into_inner().map_err(|e| e.into_error())?;
    f.sync_all()?;
    Ok(digest)
}

/// Writes each of `files` (name, bytes) into the existing directory `dir`, each atomically: into a
/// temporary file beside it, synced, then (once all are written) renamed over the old one. A
/// failure while writing leaves every file as it was; one while renaming (rare: the files are
/// written), each file either old or new, never half-written.
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
    // Something other than a file where one goes (a directory named caseload.png) would stop
    // the redraw part-way, after the files before it: refused before any is written.
    for (name, _) in files {
        let path = dir.join(name);
        if fs::symlink_metadata(&path).is_ok_and(|m| !m.is_file()) {
            return Err(io(&path)(std::io::Error::other(
                "it exists and is not a file, so it cannot be written; move it away",
            )));
        }
    }
    clean_stale(dir);
    let pid = std::process::id();
    // Every file written (and synced) under its temporary name before any is renamed into
    // place: a full disk or a failed write part-way leaves none of the new files, rather than
    // some (new PNGs that the main file's manifest, sealed after, would not list).
    let tmps: Vec<PathBuf> = files
        .iter()
        .map(|(name, _)| dir.join(tmp_file_name(pid, name)))
        .collect();
    let remove_all = || {
        for t in &tmps {
            let _ = fs::remove_file(t);
        }
    };
    for ((name, bytes), tmp) in files.iter().zip(&tmps) {
        if let Err(e) = new_file(tmp).and_then(|f| fill(f, &|w| w.write_all(bytes))) {
            remove_all();
            return Err(io(&dir.join(name))(e));
        }
    }
    for ((name, _), tmp) in files.iter().zip(&tmps) {
        if let Err(e) = fs::rename(tmp, dir.join(name)) {
            remove_all();
            return Err(io(&dir.join(name))(e));
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
        write_results(
            &target,
            None,
            &[("summary.json".into(), b"one".to_vec())],
            &[ok],
        )
        .unwrap();
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
        let e = write_results(
            &target,
            None,
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
        // A write that fails part-way (here the second file's, into no directory) leaves none
        // of the new files in place, and no temporary one.
        let e = write_files(
            base.path(),
            &[
                ("a.svg".into(), b"newer".to_vec()),
                ("no/b.svg".into(), b"x".to_vec()),
            ],
        )
        .unwrap_err();
        assert!(e.to_string().contains("b.svg"), "{e}");
        assert_eq!(fs::read(base.path().join("a.svg")).unwrap(), b"new");
        assert_eq!(names_in(base.path()), vec!["a.svg", "keep.txt"]);
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
        // A directory where a file should go: refused before any file is written (a.svg, before
        // it in the list, keeps its old content), naming it, and no temporary file is left.
        fs::create_dir(base.path().join("b.svg")).unwrap();
        let e = write_files(
            base.path(),
            &[
                ("a.svg".into(), b"newer".to_vec()),
                ("b.svg".into(), b"x".to_vec()),
            ],
        )
        .unwrap_err();
        assert!(e.to_string().contains("b.svg"), "{e}");
        assert!(e.to_string().contains("not a file"), "{e}");
        assert_eq!(fs::read(base.path().join("a.svg")).unwrap(), b"new");
        assert_eq!(
            names_in(base.path()),
            vec!["a.svg", "b.svg", "made-by-create"]
        );
    }

    /// A name the file system would refuse (or refuse to move aside) is refused before any work.
    #[test]
    fn names_too_long_to_write_are_refused_at_once() {
        let base = tempfile::tempdir().unwrap();
        let long = base.path().join("x".repeat(MAX_NAME_BYTES + 1));
        let e = check_target(&long).unwrap_err();
        assert!(
            matches!(e, WriteError::NameTooLong { bytes, .. } if bytes == MAX_NAME_BYTES + 1),
            "{e}"
        );
        let deep = base.path().join("y".repeat(300)).join("out");
        assert!(matches!(
            check_target(&deep),
            Err(WriteError::NameTooLong { .. })
        ));
        // A parent of 221 to 255 bytes is a name like any other: only the last part is moved.
        let parent = base.path().join("p".repeat(240));
        fs::create_dir(&parent).unwrap();
        write_dir(
            &parent.join("out"),
            &[("summary.json".into(), b"1".to_vec())],
        )
        .unwrap();
        // The longest accepted name is written, and replaced, as any other.
        let ok = base.path().join("z".repeat(MAX_NAME_BYTES));
        write_dir(&ok, &[("summary.json".into(), b"1".to_vec())]).unwrap();
        write_dir(&ok, &[("summary.json".into(), b"2".to_vec())]).unwrap();
        assert_eq!(fs::read(ok.join("summary.json")).unwrap(), b"2");
    }

    /// Results someone made read-only are not replaced (renamed aside, they could not be
    /// deleted, and stayed hidden beside the new ones), and are left as they were.
    #[test]
    fn results_this_user_may_not_delete_are_refused_and_kept() {
        use std::os::unix::fs::PermissionsExt;
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("kept");
        write_dir(&dir, &[("summary.json".into(), b"old".to_vec())]).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o555)).unwrap();
        // Root may write in it all the same (CI runs as root): then the results are replaced
        // and the old ones deleted, nothing left beside. Anyone else is refused.
        let may_write = fs::write(dir.join("probe"), b"").is_ok();
        if may_write {
            fs::remove_file(dir.join("probe")).unwrap();
            write_dir(&dir, &[("summary.json".into(), b"new".to_vec())]).unwrap();
            assert_eq!(fs::read(dir.join("summary.json")).unwrap(), b"new");
        } else {
            let e = write_dir(&dir, &[("summary.json".into(), b"new".to_vec())]).unwrap_err();
            assert!(matches!(e, WriteError::ReadOnly { .. }), "{e}");
            assert!(e.to_string().contains("read-only"), "{e}");
            assert_eq!(fs::read(dir.join("summary.json")).unwrap(), b"old");
        }
        assert_eq!(names_in(base.path()), vec!["kept"]);
        // Empty and read-only: nothing in it to keep, and nothing to delete; replaced.
        let empty = base.path().join("empty");
        fs::create_dir(&empty).unwrap();
        fs::set_permissions(&empty, fs::Permissions::from_mode(0o555)).unwrap();
        write_dir(&empty, &[("summary.json".into(), b"new".to_vec())]).unwrap();
        assert_eq!(fs::read(empty.join("summary.json")).unwrap(), b"new");
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        write_dir(&dir, &[("summary.json".into(), b"new".to_vec())]).unwrap();
        assert_eq!(fs::read(dir.join("summary.json")).unwrap(), b"new");
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
                "results-sensitivity.json",
                "results-shard.json",
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

    /// Mount points come from mountinfo's fifth field, with the kernel's octal escapes undone.
    #[test]
    fn mount_points_are_read_from_mountinfo() {
        let info = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n\
                    45 22 0:40 / /srv/my\\040results rw - tmpfs none rw\n\
                    46 22 0:41 /x /out\\134x rw - tmpfs none rw\n";
        let points: Vec<PathBuf> = mount_points(info).collect();
        assert_eq!(
            points,
            [
                PathBuf::from("/"),
                PathBuf::from("/srv/my results"),
                PathBuf::from("/out\\x")
            ]
        );
        // This machine: the root is one, a fresh temporary directory is not.
        if Path::new("/proc/self/mountinfo").exists() {
            assert!(is_mount_point(Path::new("/")));
            let base = tempfile::tempdir().unwrap();
            assert!(!is_mount_point(base.path()));
            assert!(!is_mount_point(&base.path().join("missing")));
        }
    }

    /// In place (a mount point): files replaced one by one, the main file written last with the
    /// manifest, earlier files that the new results do not write removed, someone's clutter and
    /// the directory itself kept.
    #[test]
    fn in_place_replacement_writes_the_main_file_last_and_removes_old_files() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path();
        fs::write(dir.join("summary.json"), b"old").unwrap();
        fs::write(dir.join("screening.svg"), b"old chart").unwrap();
        fs::write(dir.join(".DS_Store"), b"x").unwrap();
        let main = Main {
            name: "summary.json",
            json: b"{\n  \"a\": 1\n}\n".to_vec(),
        };
        let files = vec![("daily.csv".to_string(), b"d\n".to_vec())];
        write_in_place(dir, Some(main), &files, &[]).unwrap();
        assert_eq!(names_in(dir), [".DS_Store", "daily.csv", "summary.json"]);
        let sealed = fs::read(dir.join("summary.json")).unwrap();
        let manifest = super::super::manifest::unseal(&sealed).unwrap();
        assert_eq!(
            manifest.get("daily.csv"),
            Some(&super::super::manifest::sha256_hex(b"d\n"))
        );
        // A failure part-way: the main file is gone (so the directory reads as unfinished, not as
        // mixed results), nothing temporary left.
        let failing = Streamed {
            name: "replications.csv".into(),
            write: Box::new(|_: &mut dyn Write| Err(std::io::Error::other("disk full"))),
        };
        let main = Main {
            name: "summary.json",
            json: b"{\n  \"a\": 2\n}\n".to_vec(),
        };
        fs::write(dir.join("comparison.json"), b"an earlier comparison's").unwrap();
        let e = write_in_place(dir, Some(main), &files, &[failing]).unwrap_err();
        assert!(e.to_string().contains("disk full"), "{e}");
        // Every main file gone (an earlier comparison's too), the marker of an interrupted
        // replacement left.
        assert_eq!(names_in(dir), [".DS_Store", REPLACING, "daily.csv"]);
    }

    /// A mount point whose replacement was interrupted (the marker, no main file) is taken up
    /// by the next run, scenario copy and all; elsewhere the same names are not vetsim's.
    #[test]
    fn an_interrupted_replacement_in_place_is_taken_up_with_its_scenario_copy() {
        let entries = || {
            [
                (REPLACING, true),
                (SCENARIO_COPY, true),
                ("daily.csv", true),
                (LOST_FOUND, false),
            ]
            .map(|(n, f)| (n.to_string(), f))
            .to_vec()
        };
        assert!(foreign_entries(entries(), true, || None).is_empty());
        assert_eq!(
            foreign_entries(entries(), false, || None),
            [REPLACING, SCENARIO_COPY, LOST_FOUND]
        );
        // Without the marker, the copy is vetsim's only when a sealed main file lists it.
        let without: Vec<(String, bool)> = entries().into_iter().skip(1).collect();
        assert_eq!(
            foreign_entries(without.clone(), true, || None),
            [SCENARIO_COPY]
        );
        let listing = |names: &[&str]| Some(names.iter().map(|n| n.to_string()).collect());
        assert!(
            foreign_entries(without, true, || listing(&[SCENARIO_COPY, "daily.csv"])).is_empty()
        );
    }

    /// Beside a sealed main file, a file under a name vetsim writes is vetsim's only when the
    /// manifest lists it: a chart exported by hand under a chart's name, in results run without
    /// it, is its owner's. With no sealed main file there is nothing to go by but the name.
    #[test]
    fn a_name_vetsim_writes_is_its_own_only_where_a_sealed_manifest_lists_it() {
        let entries = ["summary.json", "daily.csv", "caseload.svg", "caseload.png"]
            .map(|n| (n.to_string(), true))
            .to_vec();
        let listing = || Some(["daily.csv", "caseload.svg"].map(String::from).into());
        assert_eq!(
            foreign_entries(entries.clone(), false, listing),
            ["caseload.png"]
        );
        assert!(foreign_entries(entries.clone(), false, || None).is_empty());
        // Only main files: the listing is not needed, and not asked for.
        let mains = ["summary.json", ".DS_Store"]
            .map(|n| (n.to_string(), true))
            .to_vec();
        assert!(
            foreign_entries(mains, false, || -> Option<BTreeSet<String>> {
                panic!("asked for the listing")
            })
            .is_empty()
        );
    }
}
