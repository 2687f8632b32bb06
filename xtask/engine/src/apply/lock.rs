//! One release at a time: an exclusive lock on `<git dir>/xtask/lock`, held for the whole run
//! (`bundle` takes it too, so it never reads a tree that a release is changing).
//!
//! The lock is the operating system's (`flock`), so a killed process never leaves it held;
//! the file itself stays and only names the last holder.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The folder of the journal and the lock.
pub fn state_dir(git_dir: &Path) -> PathBuf {
    git_dir.join("xtask")
}

fn lock_path(git_dir: &Path) -> PathBuf {
    state_dir(git_dir).join("lock")
}

/// A held lock; released when dropped (or when the process ends, however it ends).
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Take the lock, or fail (exit 2) naming the process that holds it.
    pub fn acquire(git_dir: &Path) -> Result<Lock> {
        let dir = state_dir(git_dir);
        std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create the folder", dir.display()))?;
        let path = lock_path(git_dir);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("{}: cannot open the release lock", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => bail!("{}", busy_message(&mut file)),
            Err(TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("{}: cannot lock", path.display()));
            }
        }
        let holder = format!("pid {}\n", std::process::id());
        file.set_len(0).and_then(|()| file.rewind()).and_then(|()| file.write_all(holder.as_bytes())).ok();
        Ok(Lock { _file: file })
    }

    /// The same lock for another command that must not overlap a release or rollback
    /// (`bundle`, which reads the version sources and the tree): taken the same way, and
    /// named in the lock file (`pid N COMMAND`), so a release refused meanwhile says which
    /// command holds it.
    pub fn acquire_for(git_dir: &Path, command: &str) -> Result<Lock> {
        let mut lock = Lock::acquire(git_dir)?;
        let holder = format!("pid {} {command}\n", std::process::id());
        let file = &mut lock._file;
        file.set_len(0).and_then(|()| file.rewind()).and_then(|()| file.write_all(holder.as_bytes())).ok();
        Ok(lock)
    }

    /// The lock for a release or rollback: taken, or for a dry run (`None`) only checked, since
    /// a dry run creates no lock file; either way a held lock fails the run (exit 2).
    pub fn for_run(git_dir: &Path, dry_run: bool) -> Result<Option<Lock>> {
        if !dry_run {
            return Lock::acquire(git_dir).map(Some);
        }
        if let Some(busy) = Lock::probe(git_dir)? {
            bail!("{busy}");
        }
        Ok(None)
    }

    /// Without taking it (and without creating anything): the message saying who holds the
    /// lock, if someone does. Used by dry runs, which must change nothing.
    pub fn probe(git_dir: &Path) -> Result<Option<String>> {
        let path = lock_path(git_dir);
        let mut file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("{}: cannot open the release lock", path.display())),
        };
        match file.try_lock_shared() {
            Ok(()) => Ok(None),
            Err(TryLockError::WouldBlock) => Ok(Some(busy_message(&mut file))),
            Err(TryLockError::Error(e)) => Err(e).with_context(|| format!("{}: cannot lock", path.display())),
        }
    }
}

fn busy_message(file: &mut File) -> String {
    let mut holder = String::new();
    let _ = file.read_to_string(&mut holder);
    let holder = holder.trim();
    // `pid N COMMAND`: a command other than release and rollback holds it.
    if let Some((pid, command)) = holder.strip_prefix("pid ").and_then(|rest| rest.split_once(' ')) {
        return format!("`{command}` is running in this repository (pid {pid}); wait for it to finish");
    }
    let who = if holder.is_empty() { String::new() } else { format!(" ({holder})") };
    format!("another release or rollback is running in this repository{who}; wait for it to finish")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Lock::probe(dir.path()).unwrap(), None);
        assert!(!state_dir(dir.path()).exists(), "probing creates nothing");
        let first = Lock::acquire(dir.path()).unwrap();
        let err = Lock::acquire(dir.path()).unwrap_err().to_string();
        assert!(err.contains("another release") && err.contains(&format!("pid {}", std::process::id())), "{err}");
        assert!(Lock::probe(dir.path()).unwrap().is_some());
        drop(first);
        assert_eq!(Lock::probe(dir.path()).unwrap(), None);
        let _again = Lock::acquire(dir.path()).unwrap();
    }

    #[test]
    fn a_bundle_holds_the_same_lock_and_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let bundle = Lock::acquire_for(dir.path(), "bundle").unwrap();
        let err = Lock::acquire(dir.path()).unwrap_err().to_string();
        assert_eq!(
            err,
            format!("`bundle` is running in this repository (pid {}); wait for it to finish", std::process::id())
        );
        assert_eq!(Lock::probe(dir.path()).unwrap(), Some(err));
        drop(bundle);
        let release = Lock::acquire(dir.path()).unwrap();
        let err = Lock::acquire_for(dir.path(), "bundle").unwrap_err().to_string();
        assert!(err.starts_with("another release or rollback is running in this repository (pid "), "{err}");
        drop(release);
    }
}
