//! `rollback`: gather the facts, check every precondition, build the tree the rollback commits
//! in a scratch checkout of the target (its files, the new version in each version source and
//! lockfile, today's changelog with the new section), plan the move of the work tree to it,
//! then show the plan or run the gates on that tree and hand the plan to the executor.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use semver::Version;

use super::notes::{self, Story};
use super::planner::{self, Rollback};
use super::target;
use super::tree::{self, file_change, read_entry};
use crate::apply;
use crate::changelog::ReleaseTag;
use crate::cli::RollbackArgs;
use crate::error::Verdict;
use crate::output::Ui;
use crate::plan::{FileChange, Role};
use crate::project::Project;
use crate::release::facts::Facts;
use crate::release::preconditions;
use crate::repo::Repo;
use crate::repo::rollback_ops::Scratch;

pub fn run(project: &Project, args: &RollbackArgs, ui: &Ui) -> Result<Verdict> {
    let repo = &project.repo;
    let lock = apply::Lock::for_run(&repo.git_dir()?, args.dry_run)?;
    apply::refuse_if_interrupted(repo)?;
    let facts = Facts::gather(project, ui, args.dry_run)?;
    let changelog_path = &project.release.changelog;
    let mut problems = preconditions::repository_problems(project, &facts, args.allow_branch, false);
    let changelog = match std::fs::read(repo.path(changelog_path)) {
        Ok(bytes) => String::from_utf8(bytes).unwrap_or_else(|e| {
            problems.push(format!(
                "{changelog_path}: not UTF-8 (at byte {}); the changelog must be text to record the rollback",
                e.utf8_error().valid_up_to()
            ));
            String::new()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("{changelog_path}: cannot read")),
    };
    let prefix = &project.release.tag_prefix;
    let mut chosen = None;
    if let Ok(current) = &facts.current {
        let yanked = notes::yanked_versions(&changelog);
        match target::choose(&facts.tags, current, args.to.as_deref(), prefix, &yanked) {
            Ok(target) => chosen = Some((current, target, target::next_version(&facts.tags, current))),
            Err(problem) => problems.push(problem),
        }
    }
    let Some((current, target, new)) = chosen else {
        preconditions::report("roll back", &problems)?;
        anyhow::bail!("cannot roll back: the current version is unknown");
    };
    let tag = format!("{prefix}{new}");
    problems.extend(preconditions::tag_problems(project, &facts, &tag, args.push)?);
    let reason = notes::clean_reason(args.reason.as_deref());
    let yanked: Vec<Version> =
        target::yanked(&facts.reachable, &target, current).into_iter().map(|t| t.version).collect();
    let story = Story {
        new: &new,
        target: &target.version,
        target_tag: &target.name,
        date: &facts.date,
        reason: reason.as_deref(),
        yanked: &yanked,
    };
    let head = facts.head.as_deref().unwrap_or_default();
    let built = build(project, head, &target, &story, &changelog, &mut problems)?;
    preconditions::report("roll back", &problems)?;
    let (Some(built), Some(branch), Some(head)) = (built, &facts.branch, &facts.head) else {
        anyhow::bail!("the rollback's facts are incomplete after the preconditions passed (please report this)");
    };
    let gates = if args.no_verify { Vec::new() } else { built.project.gates.iter().map(|g| g.name.clone()).collect() };
    let plan = planner::plan_rollback(Rollback {
        project: &project.release.name,
        tag_prefix: prefix,
        from: current,
        branch,
        head,
        story: story.clone(),
        changes: built.changes,
        gates,
        push: args.push.then_some(project.release.remote.as_str()),
    });
    let Some(lock) = lock else {
        crate::plan::show_dry_run(&plan, ui);
        return Ok(Verdict::Passed);
    };
    if args.no_verify {
        ui.warn("--no-verify: the quality gates were NOT run before this rollback");
    } else {
        let checked = scratch_project(project, &built.scratch.repo)?;
        crate::release::run_gates(&checked, ui).with_context(|| {
            format!(
                "the quality gates ran on the files the rollback would commit ({} with version {new}), in a temporary checkout",
                target.name
            )
        })?;
    }
    drop(built.scratch);
    ui.info(format!(
        "rolling back {} {current} -> {new} (tag {tag}): the files of {}{}",
        plan.project,
        target.name,
        reason.as_deref().map(|r| format!(", because: {r}")).unwrap_or_default()
    ));
    let outcome = apply::execute(repo, &plan, ui, &lock)?;
    super::finished(project, &plan, &outcome, ui)
}

/// The tree the rollback commits, built in a scratch checkout, and the file changes that move
/// the work tree to it.
struct Built {
    scratch: Scratch,
    /// The project as the target's files describe it (its version sources and gates).
    project: Project,
    changes: Vec<FileChange>,
}

/// Check out the target, set its version sources to the new version, put today's changelog
/// with the rollback's section in, and compare with the work tree. Problems (the target's
/// versions, files in the way) are added to `problems`; `None` when there are any (found here
/// or before).
fn build(
    project: &Project,
    head: &str,
    target: &ReleaseTag,
    story: &Story<'_>,
    changelog: &str,
    problems: &mut Vec<String>,
) -> Result<Option<Built>> {
    let repo = &project.repo;
    let tree = if head.is_empty() { Vec::new() } else { repo.tree_changes(head, &target.commit)? };
    problems.extend(tree::obstacles(repo.root(), &tree, &target.name));
    let scratch = repo.scratch_checkout(&target.commit)?;
    let there = match scratch_project(project, &scratch.repo) {
        Ok(there) => there,
        Err(e) => {
            problems.push(format!("{}: {e:#}", target.name));
            return Ok(None);
        }
    };
    let edits = match version_edits(&there, story.new) {
        Ok(edits) => edits,
        Err(e) => {
            problems.push(format!("the version sources of {}: {e:#}", target.name));
            return Ok(None);
        }
    };
    if !problems.is_empty() {
        // Reported together; the files are compared only in a repository fit to roll back.
        return Ok(None);
    }
    let mut roles: BTreeMap<String, Role> = tree.iter().map(|c| (c.path.clone(), Role::Restore)).collect();
    for edit in &edits {
        std::fs::write(scratch.repo.path(&edit.path), &edit.after)
            .with_context(|| format!("{}: cannot write in the temporary checkout", edit.path))?;
        roles.insert(edit.path.clone(), tree::version_role(&edit.path));
    }
    let changelog_path = &project.release.changelog;
    let log = scratch.repo.path(changelog_path);
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create the folder", dir.display()))?;
    }
    std::fs::write(&log, notes::edit_changelog(changelog, story))
        .with_context(|| format!("{changelog_path}: cannot write in the temporary checkout"))?;
    roles.insert(changelog_path.clone(), Role::Changelog);
    let mut changes = Vec::new();
    for (path, role) in roles {
        let before = read_entry(repo.root(), &path)?;
        let after = read_entry(scratch.repo.root(), &path)?;
        changes.extend(file_change(&path, role, before, after));
    }
    Ok(Some(Built { scratch, project: there, changes }))
}

/// The version sources (and lockfiles) of `there`, which must agree, moved to `new`.
fn version_edits(there: &Project, new: &Version) -> Result<Vec<crate::version::FileEdit>> {
    let readings = crate::version::read_all(there)?;
    if readings.is_empty() {
        anyhow::bail!("none found (list them as [[version]] in its xtask.toml)");
    }
    crate::version::current(&readings)?;
    crate::version::plan_edits(there, &readings, &crate::version::Version::from_semver(new.clone()))
}

/// The project of a scratch checkout: its own `xtask.toml` (or detection, when it has none);
/// a `--config` file outside the repository applies to every release, so to this one too.
fn scratch_project(project: &Project, scratch: &Repo) -> Result<Project> {
    let config = match &project.config_file {
        Some(file) => match file.strip_prefix(project.repo.root()) {
            Ok(rel) => Some(scratch.root().join(rel)).filter(|f| f.exists()),
            Err(_) => Some(file.clone()),
        },
        None => None,
    };
    Project::load(scratch.clone(), config.as_deref())
}
