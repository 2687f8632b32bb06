//! `rollback`: gather the facts, check every precondition, build the tree the rollback commits
//! from git objects (see `build`), plan the move of the work tree to it, then show the plan, or
//! run the gates on a copy of that tree and hand the plan to the executor.

use anyhow::{Context, Result};
use semver::Version;

use super::build::{self, describe_paths};
use super::notes::{self, Story};
use super::planner::{self, Rollback};
use super::target;
use crate::apply;
use crate::cli::RollbackArgs;
use crate::error::Verdict;
use crate::output::Ui;
use crate::project::{Detect, Project};
use crate::release::facts::Facts;
use crate::release::preconditions;

pub fn run(project: &Project, args: &RollbackArgs, ui: &Ui) -> Result<Verdict> {
    let repo = &project.repo;
    let lock = apply::Lock::for_run(&repo.git_dir()?, args.dry_run)?;
    apply::refuse_if_interrupted(repo)?;
    let unit = super::scope::resolve(project, args.package.as_deref())?;
    // `git status` stats every tracked file: it runs while the facts are read and the tree to
    // commit is built, and the repository's problems are known once it is done.
    let changes = repo.start_tracked_changes()?;
    let mut facts = Facts::gather_but_changes(project, ui, args.dry_run)?;
    if let Some(unit) = &unit {
        facts = super::scope::facts(project, facts, unit)?;
    }
    let mut changes = Some(changes);
    let mut settle = |facts: &mut Facts, later: Vec<String>| -> Result<Vec<String>> {
        if let Some(changes) = changes.take() {
            facts.dirty = changes.finish()?;
        }
        let mut problems = preconditions::repository_problems(project, facts, args.allow_branch, false);
        problems.extend(later);
        Ok(problems)
    };
    let changelog_path = match &unit {
        Some(unit) => unit.changelogs()[0].0.clone(),
        None => project.release.changelog.clone(),
    };
    let changelog_path = &changelog_path;
    let mut problems = Vec::new();
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
    let prefix = unit.as_ref().map_or(&project.release.tag_prefix, |u| &u.tag().prefix);
    let mut chosen = None;
    // Owned: the facts gain their changed files later.
    let (current, date) = (facts.current.clone(), facts.date.clone());
    if let Ok(current) = &current {
        let yanked = notes::yanked_versions(&changelog);
        match target::choose(&facts.tags, current, args.to.as_deref(), prefix, &yanked) {
            Ok(target) => chosen = Some((current, target, target::next_version(&facts.tags, current))),
            Err(problem) => problems.push(problem),
        }
    }
    let Some((current, target, new)) = chosen else {
        preconditions::report("roll back", &settle(&mut facts, problems)?)?;
        anyhow::bail!("cannot roll back: the current version is unknown");
    };
    // In the style the repository tags in (`[release] tag-format`, else its newest release tag).
    let tag = facts.tag_style.name(&new);
    problems.extend(preconditions::tag_problems(project, &facts, &tag, args.push)?);
    let reason = notes::clean_reason(args.reason.as_deref());
    let yanked: Vec<Version> =
        target::yanked(&facts.reachable, &target, current).into_iter().map(|t| t.version).collect();
    let head = facts.head.as_deref().unwrap_or_default();
    let mut split = build::split(project, head, &target)?;
    if let Some(unit) = &unit {
        split.restored.retain(|c| super::scope::owns(project, unit, &c.path));
        split.kept.retain(|c| super::scope::owns(project, unit, &c.path));
    }
    let story = Story {
        new: &new,
        target: &target.version,
        target_tag: &target.name,
        date: &date,
        reason: reason.as_deref(),
        yanked: &yanked,
        kept: !split.kept.is_empty(),
    };
    if !split.kept.is_empty() {
        ui.info(format!(
            "keeps {} path{} from {} as they are today (the release tool's files and [rollback] keep): {}",
            split.kept.len(),
            if split.kept.len() == 1 { " that differs" } else { "s that differ" },
            target.name,
            describe_paths(split.kept.iter().map(|c| c.path.as_str()))
        ));
    }
    let written =
        build::Written { changelog_path, changelog: &changelog, unit: unit.as_ref().map(|u| u.name.as_str()) };
    // Without gates to run (or show), they are not looked for over every file of the tree.
    let detect = Detect { gates: !args.no_verify, bundles: false, tracked_only: true };
    let built = build::build(project, &mut split, &target, &story, &written, detect, &mut problems)?;
    let problems = settle(&mut facts, problems)?;
    preconditions::report("roll back", &problems)?;
    let (Some(built), Some(branch), Some(head)) = (built, &facts.branch, &facts.head) else {
        anyhow::bail!("the rollback's facts are incomplete after the preconditions passed (please report this)");
    };
    let gates = if args.no_verify { Vec::new() } else { built.project.gates.iter().map(|g| g.name.clone()).collect() };
    let name = unit.as_ref().map_or(&project.release.name, |u| &u.name);
    let plan = planner::plan_rollback(Rollback {
        project: name,
        tag: &tag,
        from: current,
        branch,
        head,
        story: story.clone(),
        changes: built.changes.clone(),
        gates,
        push: args.push.then_some(project.release.remote.as_str()),
        tree: split.tree_recipe(project, &target, &built.changes)?,
    });
    let Some(lock) = lock else {
        crate::plan::show_dry_run(&plan, ui);
        return Ok(Verdict::Passed);
    };
    if args.no_verify {
        ui.warn("--no-verify: the quality gates were NOT run before this rollback");
    } else if !built.project.gates.is_empty() {
        let tree = super::scratch::materialize(project, &split, &built)?;
        let verdict = crate::release::run_gates(&tree.project, ui);
        let touched = tree.changed_links(repo.root());
        drop(tree);
        if !touched.is_empty() {
            anyhow::bail!(
                "a quality gate wrote into {} of the work tree, which the rollback's temporary copy of the tree shares (hard links); the rollback stopped before its first write: make the gate leave tracked files alone (or pass --no-verify), and bring {} back with `git checkout -- {}`",
                describe_paths(touched.iter().map(String::as_str)),
                if touched.len() == 1 { "it" } else { "them" },
                touched.join(" ")
            );
        }
        verdict.with_context(|| {
            format!(
                "the quality gates ran on the files the rollback would commit ({} with version {new}), in a temporary copy of that tree",
                target.name
            )
        })?;
    }
    drop(built);
    ui.info(format!(
        "rolling back {} {current} -> {new} (tag {tag}): the files of {}{}",
        plan.project,
        target.name,
        reason.as_deref().map(|r| format!(", because: {r}")).unwrap_or_default()
    ));
    let outcome = apply::execute(repo, &plan, ui, &lock)?;
    super::finished(project, &plan, &outcome, ui)
}
