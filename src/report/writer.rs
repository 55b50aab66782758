//! The one place that writes results to disk, atomically: every file of a run directory is written
//! into a temporary directory beside the target and only then renamed into place, so a run that
//! fails or is killed part-way leaves any previous results untouched and no half-written file.

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
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Replaces directory `target` with one holding exactly `files` (name, bytes).
pub fn write_dir(target: &Path, files: &[(String, Vec<u8>)]) -> Result<(), WriteError> {
    if target.exists() && !target.is_dir() {
        return Err(WriteError::NotADirectory {
            path: target.to_path_buf(),
        });
    }
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io(&parent))?;
    let tmp = tempfile::Builder::new()
        .prefix(".vetsim-tmp-")
        .tempdir_in(&parent)
        .map_err(io(&parent))?;
    for (name, bytes) in files {
        let path = tmp.path().join(name);
        let mut f = fs::File::create(&path).map_err(io(&path))?;
        f.write_all(bytes).map_err(io(&path))?;
        f.sync_all().map_err(io(&path))?;
    }
    let staged = tmp.keep();
    if target.exists() {
        let old = tempfile::Builder::new()
            .prefix(".vetsim-old-")
            .tempdir_in(&parent)
            .map_err(io(&parent))?
            .keep();
        // Move the old results aside (into a fresh empty dir name), put the new ones in place,
        // then delete the old ones. If the second rename fails, put the old ones back.
        fs::remove_dir(&old).map_err(io(&old))?;
        fs::rename(target, &old).map_err(io(target))?;
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

/// Writes each of `files` (name, bytes) into the existing directory `dir`, each atomically: into a
/// temporary file beside it, synced, then renamed over the old one. A failure part-way leaves every
/// file either old or new, never half-written.
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), WriteError> {
    if !dir.is_dir() {
        return Err(WriteError::NotADirectory {
            path: dir.to_path_buf(),
        });
    }
    for (name, bytes) in files {
        let path = dir.join(name);
        let mut tmp = tempfile::Builder::new()
            .prefix(".vetsim-tmp-")
            .tempfile_in(dir)
            .map_err(io(dir))?;
        tmp.write_all(bytes).map_err(io(&path))?;
        tmp.as_file().sync_all().map_err(io(&path))?;
        tmp.persist(&path).map_err(|e| WriteError::Io {
            path: path.clone(),
            source: e.error,
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_directory_whole() {
        let base = tempfile::tempdir().unwrap();
        let target = base.path().join("out").join("run");
        write_dir(&target, &[("a.txt".into(), b"one".to_vec())]).unwrap();
        assert_eq!(fs::read(target.join("a.txt")).unwrap(), b"one");
        write_dir(&target, &[("b.txt".into(), b"two".to_vec())]).unwrap();
        assert!(!target.join("a.txt").exists(), "old files are gone");
        assert_eq!(fs::read(target.join("b.txt")).unwrap(), b"two");
        // Nothing left behind beside it.
        let names: Vec<_> = fs::read_dir(base.path().join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("run")]);
    }

    #[test]
    fn write_files_replaces_named_files_only() {
        let base = tempfile::tempdir().unwrap();
        fs::write(base.path().join("keep.txt"), b"kept").unwrap();
        fs::write(base.path().join("a.svg"), b"old").unwrap();
        write_files(base.path(), &[("a.svg".into(), b"new".to_vec())]).unwrap();
        assert_eq!(fs::read(base.path().join("a.svg")).unwrap(), b"new");
        assert_eq!(fs::read(base.path().join("keep.txt")).unwrap(), b"kept");
        let mut names: Vec<_> = fs::read_dir(base.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, vec!["a.svg", "keep.txt"], "no temporary file left");
        let e = write_files(&base.path().join("missing"), &[]).unwrap_err();
        assert!(e.to_string().contains("missing"), "{e}");
    }

    #[test]
    fn refuses_a_file_in_the_way() {
        let base = tempfile::tempdir().unwrap();
        let target = base.path().join("run");
        fs::write(&target, b"x").unwrap();
        let e = write_dir(&target, &[("a".into(), vec![])]).unwrap_err();
        assert!(e.to_string().contains("not a directory"), "{e}");
        assert_eq!(fs::read(&target).unwrap(), b"x");
    }
}
