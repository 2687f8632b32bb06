//! The journal `<git dir>/xtask/release.json`: the plan being executed, the state before it
//! began, and how far it got. Written before the first change (temp file, fsync, rename, fsync
//! of the folder) and after every step, removed when the run ends either way. The plan, which
//! holds every file's bytes, is written once and durably; after each step only the progress
//! (`release-progress.json`, a few bytes, rewritten in place and not fsynced) is, so a plan of
//! many files stays linear and costs no disk flush per step.
//!
//! The original bytes of every file the plan touches are the plan's own `before` fields
//! (checked against the disk before the journal is written); their permissions are kept here.
//! What the run creates in git is recorded by object id before the ref exists (the tag), or
//! right after it is made (the commit), so a restore removes only what this run made.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::lock::state_dir;
use crate::plan::Plan;

/// The journal format this build reads and writes.
const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    pub format: u32,
    /// The plan, exactly as `--dry-run --json` shows it.
    pub plan: Plan,
    /// The branch and the commit it pointed at before the first step.
    pub branch: String,
    pub head_before: String,
    /// Unix permissions of every planned file that existed, by path.
    pub modes: BTreeMap<String, u32>,
    /// How many steps are complete.
    pub done: usize,
    /// The commit the plan made, once made.
    pub commit: Option<String>,
    /// The tags this run made, by name: the object each ref was created to point at. Written
    /// before the ref is created, so a tag of that name pointing elsewhere is someone else's.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// A signed tag being made by `git tag --sign` (whose object id is known only after the
    /// ref exists): recognised by its content if the run was killed in between.
    #[serde(default)]
    pub pending_tag: Option<String>,
    /// The progress record as this process has it open (not part of the journal).
    #[serde(skip)]
    record: Record,
}

impl Journal {
    pub fn new(plan: Plan, modes: BTreeMap<String, u32>) -> Journal {
        Journal {
            format: FORMAT,
            branch: plan.branch.clone(),
            head_before: plan.head.clone(),
            plan,
            modes,
            done: 0,
            commit: None,
            tags: BTreeMap::new(),
            pending_tag: None,
            record: Record::default(),
        }
    }

    pub fn path(git_dir: &Path) -> PathBuf {
        state_dir(git_dir).join("release.json")
    }

    fn progress_path(git_dir: &Path) -> PathBuf {
        state_dir(git_dir).join("release-progress.json")
    }

    /// The journal of an interrupted run, if there is one.
    pub fn load(git_dir: &Path) -> Result<Option<Journal>> {
        let path = Journal::path(git_dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("{}: cannot read the release journal", path.display())),
        };
        let mut journal: Journal = serde_json::from_str(&text).with_context(|| {
            format!(
                "{}: the release journal is damaged; inspect the repository (git status, git log, git tag) and remove the file by hand",
                path.display()
            )
        })?;
        if journal.format != FORMAT {
            bail!(
                "{}: journal format {} was written by another version of xtask; finish with that version",
                path.display(),
                journal.format
            );
        }
        // A damaged progress record only loses the count: every step checks whether it is done.
        if let Some(progress) = std::fs::read(Journal::progress_path(git_dir))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Progress>(&bytes).ok())
        {
            journal.done = progress.done;
            journal.commit = progress.commit;
            journal.tags = progress.tags;
            journal.pending_tag = progress.pending_tag;
        }
        Ok(Some(journal))
    }

    /// Write the journal durably: a crash leaves either the old or the new one, never half.
    /// The plan is written when there is no journal yet; the progress every time (after the
    /// first save, one write of a few bytes into the record this process holds open).
    pub fn save(&self, git_dir: &Path) -> Result<()> {
        let progress = Progress {
            done: self.done,
            commit: self.commit.clone(),
            tags: self.tags.clone(),
            pending_tag: self.pending_tag.clone(),
        };
        let progress = serde_json::to_vec(&progress).context("cannot encode the release journal")?;
        let progress_path = Journal::progress_path(git_dir);
        let mut open = self.record.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(record) = open.as_mut().filter(|r| r.path == progress_path && r.removals == removals()) {
            return record
                .write(&progress)
                .with_context(|| format!("{}: cannot write the release journal", progress_path.display()));
        }
        let dir = state_dir(git_dir);
        std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create the folder", dir.display()))?;
        let mut record = OpenRecord::open(&progress_path)
            .with_context(|| format!("{}: cannot write the release journal", progress_path.display()))?;
        record
            .write(&progress)
            .with_context(|| format!("{}: cannot write the release journal", progress_path.display()))?;
        let path = Journal::path(git_dir);
        if !path.exists() {
            // Through a `Value`: its pretty printer is serde_json's own compiled code, while
            // `to_vec_pretty::<Journal>` is compiled into this crate, which the dev profile that
            // `cargo xtask` runs leaves unoptimised (ten times slower on a plan of many files).
            let value = serde_json::to_value(self).context("cannot encode the release journal")?;
            write_durably(&path, format!("{value:#}").as_bytes())?;
        }
        *open = Some(record);
        Ok(())
    }

    /// Remove the journal (the run is over).
    pub fn remove(git_dir: &Path) -> Result<()> {
        // The journal first: a crash in between leaves a progress record that nothing reads
        // (a new journal's first save replaces it).
        let (plan, progress) = (Journal::path(git_dir), Journal::progress_path(git_dir));
        // With the temporary files a kill between writing and renaming one of them leaves.
        let temps = [crate::atomic::temp_path(&plan), crate::atomic::temp_path(&progress)];
        for path in [plan, progress].into_iter().chain(temps) {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("{}: cannot remove the release journal", path.display()));
                }
            }
        }
        let _ = crate::atomic::sync_dir(&state_dir(git_dir));
        REMOVALS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// What the interrupted run was, for messages: `release 0.2.0 (v0.2.0), 3 of 8 steps done`.
    pub fn describe(&self) -> String {
        let tag = self.plan.tag_name().map(|t| format!(" ({t})")).unwrap_or_default();
        format!(
            "{} {}{tag}, {} of {} steps done",
            self.plan.command,
            self.plan.version,
            self.done,
            self.plan.steps.len()
        )
    }
}

/// How far a run got: rewritten after every step, beside the journal that holds the plan.
#[derive(Debug, Serialize, Deserialize)]
struct Progress {
    done: usize,
    commit: Option<String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    pending_tag: Option<String>,
}

/// The length the progress record is padded to (with spaces, which JSON ignores).
const PROGRESS_LEN: usize = 160;

/// How many journals this process removed: a record opened before a removal names a file
/// that is gone, and is opened again.
static REMOVALS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn removals() -> usize {
    REMOVALS.load(std::sync::atomic::Ordering::Relaxed)
}

/// The progress record a journal keeps open once it is saved, beside a plan that is on disk.
#[derive(Default)]
struct Record(std::sync::Mutex<Option<OpenRecord>>);

impl Clone for Record {
    /// A copy opens its own.
    fn clone(&self) -> Record {
        Record::default()
    }
}

impl PartialEq for Record {
    /// Not part of what a journal says.
    fn eq(&self, _: &Record) -> bool {
        true
    }
}

impl Eq for Record {}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Record")
    }
}

struct OpenRecord {
    path: PathBuf,
    file: std::fs::File,
    /// The file's length.
    len: u64,
    /// [`removals`] when it was opened.
    removals: usize,
}

impl OpenRecord {
    fn open(path: &Path) -> std::io::Result<OpenRecord> {
        let file = std::fs::OpenOptions::new().write(true).create(true).truncate(false).open(path)?;
        let len = file.metadata()?.len();
        Ok(OpenRecord { path: path.to_path_buf(), file, len, removals: removals() })
    }

    /// Only the count: losing it, or half of it, costs nothing (every step checks whether it
    /// is done), so it is rewritten in place at the same length every time: no new file, no
    /// truncation and no fsync per step (on ext4 a truncation or a rename over a file costs a
    /// flush, seconds over a plan of hundreds of files).
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let mut padded = bytes.to_vec();
        padded.resize(PROGRESS_LEN.max(bytes.len()), b' ');
        write_at(&self.file, &padded)?;
        if self.len > padded.len() as u64 {
            self.file.set_len(padded.len() as u64)?;
        }
        self.len = padded.len() as u64;
        Ok(())
    }
}

#[cfg(unix)]
fn write_at(file: &std::fs::File, bytes: &[u8]) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, 0)
}

#[cfg(not(unix))]
fn write_at(mut file: &std::fs::File, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::{Seek, Write};
    file.seek(std::io::SeekFrom::Start(0))?;
    file.write_all(bytes)
}

/// Temp file, fsync, rename, fsync of the folder.
fn write_durably(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::atomic::write(path, bytes, None)
        .with_context(|| format!("{}: cannot write the release journal", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Bytes, FileChange, Role, Step};

    #[test]
    fn save_load_remove() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Journal::load(dir.path()).unwrap(), None);
        let plan = Plan {
            command: "release".into(),
            project: "p".into(),
            from: None,
            version: "1.0.0".into(),
            branch: "main".into(),
            head: "abc".into(),
            previous_tag: None,
            date: "2026-01-01".into(),
            gates: vec![],
            notes: String::new(),
            releases: Vec::new(),
            steps: vec![Step::Write(FileChange {
                path: "VERSION".into(),
                role: Role::Version,
                before: Some(Bytes(vec![0xff, b'\n'])),
                after: Some(Bytes(b"1.0.0\n".to_vec())),
                executable: false,
                symlink: false,
                was_symlink: false,
            })],
        };
        let mut journal = Journal::new(plan, BTreeMap::from([("VERSION".to_string(), 0o644)]));
        journal.save(dir.path()).unwrap();
        journal.done = 1;
        journal.commit = Some("def".into());
        journal.tags.insert("v1.0.0".into(), "0123".into());
        journal.save(dir.path()).unwrap();
        let written: Journal = serde_json::from_slice(&std::fs::read(Journal::path(dir.path())).unwrap()).unwrap();
        assert_eq!((written.done, written.commit), (0, None), "the plan is written once, the progress beside it");
        let back = Journal::load(dir.path()).unwrap().unwrap();
        assert_eq!(back, journal);
        assert_eq!(back.describe(), "release 1.0.0, 1 of 1 steps done");
        Journal::remove(dir.path()).unwrap();
        assert_eq!(Journal::load(dir.path()).unwrap(), None);
        assert_eq!(std::fs::read_dir(state_dir(dir.path())).unwrap().count(), 0, "nothing left");
        Journal::remove(dir.path()).unwrap();
    }

    #[test]
    fn a_damaged_journal_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(state_dir(dir.path())).unwrap();
        std::fs::write(Journal::path(dir.path()), "{").unwrap();
        let err = format!("{:#}", Journal::load(dir.path()).unwrap_err());
        assert!(err.contains("damaged") && err.contains("release.json"), "{err}");
    }
}
