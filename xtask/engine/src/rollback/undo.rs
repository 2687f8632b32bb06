//! `rollback --undo`: remove the newest release while it has not left this machine. Its files
//! go back to the commit before it, the branch and the index move there, the tag is deleted:
//! the repository is as it was before `release` ran. Journaled like every release.

use anyhow::Result;

use super::planner::{self, Undo};
use super::tree::{self, Entry, file_change, read_entry};
use crate::apply;
use crate::changelog::tag_version;
use crate::error::Verdict;
use crate::output::Ui;
use crate::plan::{Plan, Role};
use crate::project::Project;
use crate::release::preconditions;
use crate::release::target::precedence;
use crate::repo::rollback_ops::TreeChange;

pub fn run(project: &Project, dry_run: bool, ui: &Ui) -> Result<Verdict> {
    let repo = &project.repo;
    let lock = apply::Lock::for_run(&repo.git_dir()?, dry_run)?;
    apply::refuse_if_interrupted(repo)?;
    let plan = gather_and_plan(project)?;
    let Some(lock) = lock else {
        crate::plan::show_dry_run(&plan, ui);
        return Ok(Verdict::Passed);
    };
    ui.info(format!(
        "removing release {} {} (tag {}) from {}",
        plan.project,
        plan.version,
        super::deleted_tag(&plan).unwrap_or_else(|| "?".into()),
        plan.branch
    ));
    let outcome = apply::execute(repo, &plan, ui, &lock)?;
    super::finished(project, &plan, &outcome, ui)
}

/// Find the release to remove, check that it may be removed (every problem reported at once,
/// exit 2), and plan its removal.
fn gather_and_plan(project: &Project) -> Result<Plan> {
    let repo = &project.repo;
    let prefix = &project.release.tag_prefix;
    // With packages, a release tag is one of any unit's tag series.
    let prefixes: Vec<String> = match project.packages.is_empty() {
        true => vec![prefix.clone()],
        false => crate::packages::units(&project.packages).iter().map(|u| u.tag().prefix.clone()).collect(),
    };
    let mut problems = Vec::new();
    let branch = repo.head_branch()?;
    let head = repo.head_commit()?;
    let dirty = repo.tracked_changes()?;
    if !dirty.is_empty() {
        let mut list = dirty.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
        if dirty.len() > 10 {
            list.push_str(&format!(" and {} more", dirty.len() - 10));
        }
        problems.push(format!("uncommitted changes to tracked files: {list}; commit or stash them first"));
    }
    // The newest release: the one on HEAD if there is one, else the last one made.
    let releases: Vec<_> = repo
        .tag_refs(None)?
        .into_iter()
        .filter_map(|r| prefixes.iter().find_map(|p| tag_version(&r.name, p)).map(|v| (r, v)))
        .collect();
    let newest = |on_head: bool| {
        releases
            .iter()
            .filter(|(r, _)| !on_head || Some(&r.commit) == head.as_ref())
            .max_by(|(a, av), (b, bv)| a.time.cmp(&b.time).then_with(|| precedence(av, bv)))
    };
    let Some((release, version)) = newest(true).or_else(|| newest(false)) else {
        problems.push(format!("there is no release to undo: no tag is a release tag ({prefix}<version>)"));
        preconditions::report("undo the release", &problems)?;
        anyhow::bail!("there is no release to undo");
    };
    let (name, commit) = (&release.name, &release.commit);
    let short = &commit[..commit.len().min(7)];
    let (_, subject) = repo.parent_and_subject(commit)?;
    // A release of several packages tags its one commit once per unit: all of them go.
    let mut others: Vec<&str> =
        releases.iter().filter(|(r, _)| r.commit == *commit && r.name != *name).map(|(r, _)| r.name.as_str()).collect();
    let listed: Vec<&str> =
        subject.strip_prefix("chore(release): ").map(|t| t.split(", ").collect()).unwrap_or_default();
    others.retain(|o| listed.contains(o));
    let mut all: Vec<&str> = others.iter().copied().chain([name.as_str()]).collect();
    all.sort_by_key(|t| listed.iter().position(|l| l == t));
    let expected = crate::release::planner::commit_message(&all.join(", "));
    if subject != expected {
        problems.push(format!(
            "{name} points at {short} (\"{subject}\"), not at a release commit (\"{expected}\"); only a release made by `cargo xtask release` or `rollback` can be undone (a wrong tag is deleted with `git tag -d {name}`)"
        ));
    }
    let parents = repo.parents(commit)?;
    let parent = match parents.as_slice() {
        [parent] => Some(parent.clone()),
        _ => {
            problems.push(format!("the release commit {short} of {name} has {} parents, not one", parents.len()));
            None
        }
    };
    match (&branch, &head) {
        (None, _) => problems.push(format!("HEAD is detached: switch to the branch {name} was released on first")),
        (Some(_), Some(h)) if h == commit => {}
        (Some(b), Some(h)) if repo.is_ancestor(commit, h)? => {
            let n = repo.count_commits(commit, h)?;
            problems.push(format!(
                "{n} commit{} on {b} sit{} on top of {name}'s release commit {short}; an undo removes only a release that is the last commit (ship the last good release again with `cargo xtask rollback`, or revert by hand)",
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" }
            ));
        }
        (Some(b), _) => {
            let holders = repo.refs_containing(commit, "refs/heads/")?;
            let hint = match holders.first() {
                Some(h) => format!("; switch to it first (`git switch {h}`)"),
                None => String::new(),
            };
            problems.push(format!("{b} is not the branch of {name} (its commit {short} is not on {b}){hint}"));
        }
    }
    for tag in &all {
        problems.extend(pushed_problems(project, tag, commit)?);
    }
    let changes = match &parent {
        Some(parent) => {
            // From the release's side (the work tree now) to its parent's.
            let moves: Vec<TreeChange> =
                repo.tree_changes(parent, commit)?.into_iter().map(TreeChange::reversed).collect();
            problems.extend(tree::obstacles(repo.root(), &moves, &format!("the commit before {name}")));
            moves
        }
        None => Vec::new(),
    };
    preconditions::report("undo the release", &problems)?;
    let (Some(parent), Some(branch), Some(head)) = (parent, branch, head) else {
        anyhow::bail!("the undo's facts are incomplete after the preconditions passed (please report this)");
    };
    let previous = repo.tree_files(&parent, &tree::new_entries(&changes))?;
    let mut writes = Vec::new();
    for change in &changes {
        let before = read_entry(repo.root(), &change.path)?;
        let after = previous.get(&change.path)?.map(|(bytes, mode)| Entry::from_git(bytes, &mode));
        writes.extend(file_change(&change.path, Role::Restore, before, after));
    }
    // In the order the release commit names them.
    let first = all.first().copied().unwrap_or(name.as_str());
    let version = releases.iter().find(|(r, _)| r.name == first).map_or(version, |(_, v)| v);
    let tag_object = repo.tag_object(first)?.unwrap_or_default();
    let mut more_tags = Vec::new();
    for other in all.iter().skip(1) {
        more_tags.push((other.to_string(), repo.tag_object(other)?.unwrap_or_default()));
    }
    Ok(planner::plan_undo(Undo {
        project: &project.release.name,
        version,
        branch: &branch,
        head: &head,
        parent: &parent,
        tag: first,
        tag_object: &tag_object,
        more_tags,
        date: &crate::changelog::release_date(),
        changes: writes,
    }))
}

/// A release that left this machine is never removed: its tag is on the remote, or its commit
/// is on a remote-tracking branch. No remote configured: nothing was pushed.
fn pushed_problems(project: &Project, name: &str, commit: &str) -> Result<Vec<String>> {
    let repo = &project.repo;
    let remote = &project.release.remote;
    let mut problems = Vec::new();
    let never = "a pushed release is never deleted; ship the last good release again with `cargo xtask rollback`";
    if repo.remote_url(remote)?.is_some() {
        match repo.remote_has_tag(remote, name) {
            Ok(true) => problems.push(format!("{name} is on {remote}: {never}")),
            Ok(false) => {}
            Err(e) => problems.push(format!(
                "cannot tell whether {name} was pushed to {remote} ({e:#}); check the network and the remote (release.remote), then undo again"
            )),
        }
    }
    let tracking = repo.refs_containing(commit, "refs/remotes/")?;
    if problems.is_empty() && !tracking.is_empty() {
        problems.push(format!(
            "the release commit {} of {name} is on {}: {never}",
            &commit[..commit.len().min(7)],
            tracking.join(", ")
        ));
    }
    Ok(problems)
}
