//! The tree a rollback commits, on disk for its quality gates: a repository in a temporary
//! folder whose index is that tree (the target's index with the kept paths and the version
//! edits). The files that differ from the work tree are written there; every other file is a
//! hard link to the work tree's (a copy where the temporary folder is on another filesystem),
//! so nothing is written for it. A gate that wrote into such a file in place would change the
//! work tree's too: [`GateTree::changed_links`] finds that afterwards. Only a real run with
//! gates pays for this; a dry run and `--no-verify` never do.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::build::{Built, Split};
use crate::config::Config;
use crate::plan::FileChange;
use crate::project::Project;
use crate::repo::rollback_ops::{MODE_GITLINK, MODE_LINK, Scratch};
use crate::repo::tree_files::write_entry;

/// The gates' tree: the scratch repository, the project there, and the work tree's files it
/// shares by hard link, with what they were once linked.
pub struct GateTree {
    /// Removed (with the folder) when the gates are done.
    _scratch: Scratch,
    pub project: Project,
    links: Vec<(PathBuf, Stamp)>,
}

impl GateTree {
    /// The work tree's files (root-relative) that changed since they were linked: a gate wrote
    /// into them in place.
    pub fn changed_links(&self, root: &Path) -> Vec<String> {
        let rel = |p: &Path| crate::repo::slash_path(p.strip_prefix(root).unwrap_or(p));
        self.links.iter().filter(|(path, stamp)| Stamp::of(path).as_ref() != Some(stamp)).map(|(p, _)| rel(p)).collect()
    }
}

/// Write the tree to commit into a scratch repository, and the project there (today's
/// configuration, the files of `built.project`).
pub fn materialize(project: &Project, split: &Split, built: &Built) -> Result<GateTree> {
    let repo = &project.repo;
    let index = built.restored.index(repo)?;
    // The checkout's index holds the target's tree: the kept paths go back to today's.
    let kept: Vec<(String, Option<(String, String)>)> = split
        .kept
        .iter()
        .filter(|c| c.old_mode.as_deref() != Some(MODE_GITLINK) && c.new_mode.as_deref() != Some(MODE_GITLINK))
        .map(|c| (c.path.clone(), c.old_mode.clone().zip(c.old_oid.clone())))
        .collect();
    repo.set_index_entries(&index, &kept)?;
    let scratch = repo.scratch_repository(&index)?;
    let root = scratch.repo.root().to_path_buf();
    let changed: BTreeMap<&str, &FileChange> = built.changes.iter().map(|c| (c.path.as_str(), c)).collect();
    let mut folders = BTreeSet::new();
    let mut links = Vec::new();
    let mut can_link = true;
    for path in built.project.files.iter() {
        let to = root.join(path);
        if let Some(dir) = to.parent()
            && folders.insert(dir.to_path_buf())
        {
            std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create the folder", dir.display()))?;
        }
        match (changed.get(path), built.restored.get(path)?) {
            (Some(change), _) => write_change(change, &to)?,
            // Restored with the bytes the work tree has already (a line-ending rule, say).
            (None, Some((bytes, mode))) => {
                write_entry(&to, &bytes, &mode).with_context(|| format!("{}: cannot write", to.display()))?
            }
            (None, None) => {
                let from = repo.root().join(path);
                if share_entry(&from, &to, &mut can_link)? {
                    links.extend(Stamp::of(&from).map(|stamp| (from, stamp)));
                }
            }
        }
    }
    // The version edits and the changelog: their new content in the index too.
    let written: Vec<String> =
        built.changes.iter().filter(|c| c.role != crate::plan::Role::Restore).map(|c| c.path.clone()).collect();
    scratch.repo.stage_paths(&written)?;
    let there = Project::resolve(
        scratch.repo.clone(),
        Config::load(repo.root(), project.config_file.as_deref())?.config,
        project.config_file.clone(),
        built.project.files.clone(),
    );
    Ok(GateTree { _scratch: scratch, project: there, links })
}

/// A file or link as the plan writes it (nothing, for a deletion).
fn write_change(change: &FileChange, to: &Path) -> Result<()> {
    let Some(after) = &change.after else { return Ok(()) };
    let mode = if change.symlink {
        MODE_LINK
    } else if change.executable {
        "100755"
    } else {
        "100644"
    };
    write_entry(to, &after.0, mode).with_context(|| format!("{}: cannot write", to.display()))
}

/// The file or link at `from`, at `to`: a hard link to the file while the filesystem allows
/// it (then `true`), else a copy; a symbolic link is made again.
fn share_entry(from: &Path, to: &Path, can_link: &mut bool) -> Result<bool> {
    let meta = std::fs::symlink_metadata(from).with_context(|| format!("{}: cannot read", from.display()))?;
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(from).with_context(|| format!("{}: cannot read the link", from.display()))?;
        write_entry(to, target.as_os_str().as_encoded_bytes(), MODE_LINK)
            .with_context(|| format!("{}: cannot create the link", to.display()))?;
        return Ok(false);
    }
    if *can_link {
        match std::fs::hard_link(from, to) {
            Ok(()) => return Ok(true),
            // Another filesystem, or one without links: copies from here on.
            Err(_) => *can_link = false,
        }
    }
    std::fs::copy(from, to).with_context(|| format!("{}: cannot copy to {}", from.display(), to.display()))?;
    Ok(false)
}

/// What a write or a change of permissions moves: size, modification and change times, mode.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    changed: (i64, i64),
    mode: u32,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        Some(Stamp { len: meta.len(), modified: meta.modified().ok(), changed: changed(&meta), mode: mode(&meta) })
    }
}

#[cfg(unix)]
fn changed(meta: &std::fs::Metadata) -> (i64, i64) {
    use std::os::unix::fs::MetadataExt;
    (meta.ctime(), meta.ctime_nsec())
}

#[cfg(not(unix))]
fn changed(_meta: &std::fs::Metadata) -> (i64, i64) {
    (0, 0)
}

#[cfg(unix)]
fn mode(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::MetadataExt;
    meta.mode()
}

#[cfg(not(unix))]
fn mode(_meta: &std::fs::Metadata) -> u32 {
    0
}
