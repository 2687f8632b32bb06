//! The tree a rollback commits, built from git objects: the paths that differ between HEAD and
//! the target (one `git diff` of the two trees), less the ones it keeps at today's content (the
//! tool's own files, `[rollback] keep`, a configured version source the target lacks); those
//! paths read from git's objects as a checkout writes them (never a full checkout); then today's
//! configuration and detection over that tree, its version sources at the new version, and
//! today's changelog with the rollback's section. Reads only; the executor writes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::glob::{Glob, GlobSet, GlobSetBuilder};
use anyhow::{Context, Result};

use super::notes::{self, Story};
use super::tree::{self, Entry, file_change, read_entry};
use crate::changelog::ReleaseTag;
use crate::config::Config;
use crate::plan::{FileChange, Role};
use crate::project::{Detect, Origin, Project};
use crate::repo::FileList;
use crate::repo::planned_tree::TreeRecipe;
use crate::repo::rollback_ops::{MODE_GITLINK, TreeChange};
use crate::repo::tree_files::{TreeFiles, View};

/// The paths that differ between HEAD and the target, split into those the rollback restores
/// and those it keeps as they are today.
#[derive(Debug)]
pub struct Split {
    pub restored: Vec<TreeChange>,
    pub kept: Vec<TreeChange>,
    /// Every path that differs between HEAD and the target, restored or not; `None` when a
    /// submodule does (see [`Split::tree_recipe`]).
    pub differing: Option<Vec<String>>,
    /// Today's configuration (the rollback plans with it, never the target's).
    pub config: Config,
}

/// Compare HEAD's tree with the target's and decide what is restored.
pub fn split(project: &Project, head: &str, target: &ReleaseTag) -> Result<Split> {
    let repo = &project.repo;
    let loaded = Config::load(repo.root(), project.config_file.as_deref())?;
    let keep = keep_globs(loaded.config.rollback.keep.as_deref().unwrap_or_default())?;
    let sources: BTreeSet<&str> =
        project.versions.iter().filter(|v| v.origin == Origin::Configured).map(|v| v.path.as_str()).collect();
    let all = if head.is_empty() { Vec::new() } else { repo.tree_changes(head, &target.commit)? };
    let submodule = all.iter().any(|c| [&c.old_mode, &c.new_mode].into_iter().flatten().any(|m| m == MODE_GITLINK));
    let differing = (!submodule).then(|| all.iter().map(|c| c.path.clone()).collect());
    let (kept, restored) = all.into_iter().partition(|c: &TreeChange| {
        project.tooling.contains(&c.path)
            || keep.is_match(&c.path)
            // Today's configuration names it: it stays, and gets the new version.
            || (c.new_mode.is_none() && sources.contains(c.path.as_str()))
    });
    Ok(Split { restored, kept, differing, config: loaded.config })
}

impl Split {
    /// The rollback commit's tree as the target's with the paths that differ from it at the
    /// end (those it keeps, the versions, the changelog: a few, where the restored ones can be
    /// hundreds), for the executor to build from git's objects; `None` where that could differ
    /// from writing the index as a tree because of the tree itself: a submodule that changes,
    /// an attributes file (which can convert a file's content). What git's settings and the
    /// root decide, [`crate::repo::Repo::planned_tree`] checks.
    pub fn tree_recipe(
        &self,
        project: &Project,
        target: &ReleaseTag,
        changes: &[FileChange],
    ) -> Result<Option<TreeRecipe>> {
        let Some(differing) = &self.differing else { return Ok(None) };
        let attributes = |p: &str| p == ".gitattributes" || p.ends_with("/.gitattributes");
        if differing.iter().any(|p| attributes(p)) || project.files.iter().any(attributes) {
            return Ok(None);
        }
        let restored: BTreeSet<&str> =
            changes.iter().filter(|c| c.role == Role::Restore).map(|c| c.path.as_str()).collect();
        let mut edits: BTreeSet<String> =
            differing.iter().filter(|p| !restored.contains(p.as_str())).cloned().collect();
        edits.extend(changes.iter().filter(|c| c.role != Role::Restore).map(|c| c.path.clone()));
        Ok(Some(TreeRecipe { base: target.commit.clone(), edits: edits.into_iter().collect() }))
    }
}

fn keep_globs(patterns: &[String]) -> Result<GlobSet> {
    let mut set = GlobSetBuilder::new();
    for p in patterns {
        let glob = crate::glob::GlobBuilder::new(p)
            .literal_separator(true)
            .build()
            .with_context(|| format!("[rollback] keep: {p:?} is not a valid glob"))?;
        set.add(glob);
        // `docs` keeps the folder as well as a file of that name.
        if !p.ends_with("/**") {
            set.add(Glob::new(&format!("{}/**", p.trim_end_matches('/')))?);
        }
    }
    Ok(set.build())
}

/// The tree to commit, and the file changes that move the work tree to it.
pub struct Built {
    /// Today's configuration and detection over the tree to commit (read through a view).
    pub project: Project,
    pub changes: Vec<FileChange>,
    /// The restored paths as a checkout of the target writes them.
    pub restored: Arc<TreeFiles>,
}

/// What the rollback writes besides the restored files: the changelog (its path and today's
/// text) and, for `rollback NAME`, the unit whose version sources move.
pub struct Written<'a> {
    pub changelog_path: &'a str,
    pub changelog: &'a str,
    pub unit: Option<&'a str>,
}

/// Build the tree to commit from `split` (whose configuration it takes), detecting in it what
/// `detect` asks for (no gates for `--no-verify`). Problems (files in the way, unreadable version
/// sources) are added to `problems`; `None` when there are any (found here or before).
pub fn build(
    project: &Project,
    split: &mut Split,
    target: &ReleaseTag,
    story: &Story<'_>,
    written: &Written<'_>,
    detect: Detect,
    problems: &mut Vec<String>,
) -> Result<Option<Built>> {
    let repo = &project.repo;
    problems.extend(tree::obstacles(repo.root(), &split.restored, &target.name));
    let restored = Arc::new(repo.tree_files(&target.commit, &tree::new_entries(&split.restored))?);
    let absent: BTreeSet<String> =
        split.restored.iter().filter(|c| c.new_mode.is_none()).map(|c| c.path.clone()).collect();
    let files = files_after(&project.files, &split.restored);
    let view = View::new(restored.clone(), absent);
    let config = std::mem::take(&mut split.config);
    let there = project.resolve_tree(repo.with_view(view), config, files, detect);
    let edits = match version_edits(&there, story.new, written.unit) {
        Ok(edits) => edits,
        Err(e) => {
            problems.push(format!("the version sources after the rollback to {}: {e:#}", target.name));
            return Ok(None);
        }
    };
    if !problems.is_empty() {
        // Reported together; the files are compared only in a repository fit to roll back.
        return Ok(None);
    }
    let mut after: BTreeMap<String, (Role, Option<Entry>)> = BTreeMap::new();
    for change in &split.restored {
        let entry = restored.get(&change.path)?.map(|(bytes, mode)| Entry::from_git(bytes, &mode));
        after.insert(change.path.clone(), (Role::Restore, entry));
    }
    let mut write = |path: &str, role: Role, bytes: Vec<u8>| -> Result<()> {
        // The file keeps the executable bit it has in the tree to commit.
        let executable = match after.get(path) {
            Some((_, entry)) => entry.as_ref().is_some_and(|e| e.executable),
            None => read_entry(repo.root(), path)?.is_some_and(|e| e.executable),
        };
        after.insert(path.to_string(), (role, Some(Entry { bytes, link: false, executable })));
        Ok(())
    };
    for edit in edits {
        write(&edit.path, tree::version_role(&edit.path), edit.after)?;
    }
    let changelog = notes::edit_changelog(written.changelog, story).into_bytes();
    write(written.changelog_path, Role::Changelog, changelog)?;
    let mut changes = Vec::new();
    for (path, (role, entry)) in after {
        changes.extend(file_change(&path, role, read_entry(repo.root(), &path)?, entry));
    }
    Ok(Some(Built { project: there, changes, restored }))
}

/// The files of the tree to commit: today's, with the restored paths added or removed.
fn files_after(files: &FileList, restored: &[TreeChange]) -> FileList {
    let removed: BTreeSet<&str> = restored.iter().filter(|c| c.new_mode.is_none()).map(|c| c.path.as_str()).collect();
    let added = restored
        .iter()
        .filter(|c| c.new_mode.as_deref().is_some_and(|m| m != MODE_GITLINK))
        .map(|c| c.path.clone())
        .collect();
    files.changed(&removed, added)
}

/// The version sources (and lockfiles) of `there` (of the unit named `unit`, when one is),
/// moved to `new`. They need not agree: a file kept at today's content holds today's version,
/// a restored one the target's.
fn version_edits(there: &Project, new: &semver::Version, unit: Option<&str>) -> Result<Vec<crate::version::FileEdit>> {
    let readings = match unit {
        None => crate::version::read_all(there)?,
        Some(name) => {
            let all = crate::packages::units(&there.packages);
            let unit = crate::packages::units::find(&all, name)?;
            let survey = crate::version::survey_of(there, &unit.sources(there));
            if let Some(e) = survey.errors.first() {
                anyhow::bail!("{e}");
            }
            survey.readings
        }
    };
    if readings.is_empty() {
        anyhow::bail!("none found (list them as [[version]] in xtask.toml)");
    }
    crate::version::plan_edits(there, &readings, &crate::version::Version::from_semver(new.clone()))
}

/// Paths for messages: the first few, and how many more.
pub fn describe_paths<'a>(paths: impl IntoIterator<Item = &'a str>) -> String {
    let all: Vec<&str> = paths.into_iter().collect();
    let shown = all.len().min(8);
    let text = all[..shown].join(", ");
    if all.len() > shown { format!("{text}, and {} more", all.len() - shown) } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(path: &str, old: Option<&str>, new: Option<&str>) -> TreeChange {
        TreeChange {
            path: path.into(),
            old_mode: old.map(String::from),
            new_mode: new.map(String::from),
            old_oid: old.map(|_| "a".repeat(40)),
            new_oid: new.map(|_| "b".repeat(40)),
        }
    }

    #[test]
    fn the_files_after_a_rollback_gain_and_lose_the_restored_paths() {
        let files = FileList::from_paths(["a.txt", "gone.txt", "notes.txt"].map(String::from).to_vec());
        let restored = [
            change("gone.txt", Some("100644"), None),
            change("back.txt", None, Some("100755")),
            change("vendor/lib", None, Some(MODE_GITLINK)),
        ];
        let after = files_after(&files, &restored);
        assert_eq!(after.iter().collect::<Vec<_>>(), ["a.txt", "back.txt", "notes.txt"]);
    }

    #[test]
    fn keep_globs_match_files_and_folders() {
        let set = keep_globs(&["docs/ops".into(), "*.lock".into(), "assets/**".into()]).unwrap();
        assert!(set.is_match("docs/ops/run.md") && set.is_match("docs/ops"));
        assert!(set.is_match("uv.lock") && !set.is_match("web/yarn.lock"), "`*` stays in one folder");
        assert!(set.is_match("assets/a/b.png"));
        assert!(!set.is_match("docs/opsx.md"));
        let err = keep_globs(&["a[".into()]).unwrap_err();
        assert!(format!("{err:#}").contains("[rollback] keep: \"a[\""), "{err:#}");
    }

    #[test]
    fn long_path_lists_are_cut() {
        let few = [change("a", None, Some("100644")), change("b", None, Some("100644"))];
        assert_eq!(describe_paths(few.iter().map(|c| c.path.as_str())), "a, b");
        let many: Vec<String> = (0..10).map(|i| format!("f{i}")).collect();
        assert_eq!(describe_paths(many.iter().map(String::as_str)), "f0, f1, f2, f3, f4, f5, f6, f7, and 2 more");
    }
}
