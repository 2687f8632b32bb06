//! The tree a rollback commits, on disk for its quality gates: a repository in a temporary
//! folder whose index is that tree (the target's index with the kept paths and the version
//! edits) and whose files are copies: the changed ones from the plan, every other one from the
//! work tree (a copy, so a gate that writes cannot touch the work tree). Only a real run with
//! gates pays for it; a dry run and `--no-verify` never do.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result};

use super::build::{Built, Split};
use crate::config::Config;
use crate::plan::FileChange;
use crate::project::Project;
use crate::repo::rollback_ops::{MODE_GITLINK, MODE_LINK, Scratch};
use crate::repo::tree_files::write_entry;

/// Write the tree to commit into a scratch repository, and the project there (today's
/// configuration, the files of `built.project`).
pub fn materialize(project: &Project, split: &Split, built: &Built) -> Result<(Scratch, Project)> {
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
            (None, None) => copy_entry(&repo.root().join(path), &to)?,
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
    Ok((scratch, there))
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

/// A copy of the file or link at `from`.
fn copy_entry(from: &Path, to: &Path) -> Result<()> {
    let meta = std::fs::symlink_metadata(from).with_context(|| format!("{}: cannot read", from.display()))?;
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(from).with_context(|| format!("{}: cannot read the link", from.display()))?;
        return write_entry(to, target.as_os_str().as_encoded_bytes(), MODE_LINK)
            .with_context(|| format!("{}: cannot create the link", to.display()));
    }
    std::fs::copy(from, to).with_context(|| format!("{}: cannot copy to {}", from.display(), to.display()))?;
    Ok(())
}
