//! Whether a plan, or an interrupted run's journal, still matches the repository: before the
//! first write (`check_fresh`), before `--resume` and before a restore (`--abort`, or after a
//! failed step). Each refuses, changing nothing, when going on would lose or take over work
//! that is not the run's: commits made on the branch since, files edited since, changes staged
//! since, a tag of the release's name made by someone else, a lock file git holds.

use anyhow::{Result, bail};

use super::files;
use super::gitlocks;
use super::journal::Journal;
use super::tags::{self, TagState};
use crate::plan::{Plan, Step};
use crate::repo::Repo;

/// Before the first write: the repository is exactly what the plan was made from (exit 2,
/// nothing changed, when it is not). The permission bits of every planned file that exists,
/// by path, read in the same look.
pub fn check_fresh(repo: &Repo, plan: &Plan) -> Result<std::collections::BTreeMap<String, u32>> {
    let again = "the repository changed since the plan was made; run the command again";
    // One git for the lock files in the way and HEAD (reported in this order: the branch, its
    // commit, the files, the tags, the locks).
    let (locks, head) = gitlocks::lock_files(repo, &plan.branch, &plan_tags(plan), true)?;
    let (commit, branch) = match head {
        Some((commit, branch)) => (Some(commit), branch),
        None => (repo.head_commit()?, repo.checked_out_branch()?),
    };
    match branch {
        Some(current) if current == plan.branch => {}
        Some(current) => bail!("{current} is checked out, not {0}; run `git switch {0}` first", plan.branch),
        None => bail!("HEAD is detached, not on {0}; run `git switch {0}` first", plan.branch),
    }
    if commit.as_deref() != Some(plan.head.as_str()) {
        bail!("{} no longer points at {}: {again}", plan.branch, plan.head);
    }
    let mut modes = std::collections::BTreeMap::new();
    for change in plan.writes() {
        let before = change.before.as_ref().map(|b| b.0.as_slice());
        let (holds, mode) = files::holds_with_mode(&repo.path(&change.path), before, change.before_link())?;
        if !holds {
            bail!("{}: its content is not what the plan was made from: {again}", change.path);
        }
        if let Some(mode) = mode {
            modes.insert(change.path.clone(), mode);
        }
        let tmp = files::temp_of(&repo.path(&change.path));
        if std::fs::symlink_metadata(&tmp).is_ok() {
            bail!(
                "{} is in the way: the {} writes {} through a temporary file of that name, and this one is not its own (no run is interrupted); move or remove it, then run the command again",
                repo.display_path(&tmp),
                plan.command,
                change.path
            );
        }
    }
    for step in &plan.steps {
        match step {
            Step::Tag { name, .. } | Step::TagCommit { name, .. } if repo.tag_object(name)?.is_some() => {
                bail!("tag {name} already exists: {again}")
            }
            Step::Branch { name } if repo.branch_commit(name)?.is_some() => {
                bail!("branch {name} already exists: {again}")
            }
            Step::DeleteTag { name, object } if repo.tag_object(name)?.as_deref() != Some(object.as_str()) => {
                bail!("tag {name} no longer points at {object}: {again}")
            }
            _ => {}
        }
    }
    if let Some(lock) = gitlocks::describe(repo, &locks, "run the command again") {
        bail!("{lock}; nothing was changed");
    }
    Ok(modes)
}

/// Before `--resume`: the branch is at a commit of the plan, every file is as before or as
/// planned, nothing else is staged, no tag of the plan's name is someone else's, and no git
/// lock is in the way (exit 2, journal kept, otherwise).
pub fn check_resumable(repo: &Repo, journal: &Journal) -> Result<()> {
    super::branch::on_run_branch(repo, journal)?;
    let mut problems = common_problems(repo, journal, "release --resume")?;
    for step in &journal.plan.steps {
        if let Some((name, message, on)) = step.created_tag()
            && let TagState::Foreign(what) = tags::state_on(repo, journal, name, message, on)?
        {
            problems.push(format!(
                "tag {name} was made after the interruption by someone else ({what}); the {} would not take it as its own: delete or rename it (`git tag -d {name}`), or run `cargo xtask release --abort`, which keeps it",
                journal.plan.command
            ));
        }
    }
    refuse("resume", journal, repo, &problems)
}

/// Before a restore: the branch is at a commit of the plan, every file is as before or as
/// planned, nothing else is staged, and no git lock is in the way (exit 2, journal kept,
/// otherwise). Tags the run did not make are kept by the restore, so they are no obstacle.
pub fn check_abortable(repo: &Repo, journal: &Journal) -> Result<()> {
    super::branch::on_run_branch(repo, journal)?;
    let problems = common_problems(repo, journal, "release --abort")?;
    refuse("abort", journal, repo, &problems)
}

/// Only the branch and git's locks: what a restore right after a failed step must not run
/// over (a hook cannot have edited files for long, but it can have committed or be running).
pub fn check_restorable(repo: &Repo, journal: &Journal) -> Result<()> {
    super::branch::on_run_branch(repo, journal)?;
    let mut problems = Vec::new();
    problems.extend(branch_problem(repo, journal, "release --abort")?);
    problems.extend(gitlocks::problem(
        repo,
        &journal.branch,
        &plan_tags(&journal.plan),
        "run `cargo xtask release --abort`",
    )?);
    refuse("restore", journal, repo, &problems)
}

/// What stops both `--resume` and `--abort`: `then` is the command to run again.
fn common_problems(repo: &Repo, journal: &Journal, then: &str) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let again = format!("run `cargo xtask {then}` again");
    problems.extend(gitlocks::problem(repo, &journal.branch, &plan_tags(&journal.plan), &again)?);
    problems.extend(branch_problem(repo, journal, then)?);
    let mut edited = Vec::new();
    for change in journal.plan.writes() {
        let path = repo.path(&change.path);
        let before = change.before.as_ref().map(|b| b.0.as_slice());
        let after = change.after.as_ref().map(|b| b.0.as_slice());
        // A write stopped between removing the old file and renaming the new one in is the
        // run's own doing, not someone's work.
        if !files::holds(&path, before, change.before_link())?
            && !files::holds(&path, after, change.after_link())?
            && !files::midway(&path, after, change.after_link())?
        {
            edited.push(change.path.clone());
        }
    }
    if !edited.is_empty() {
        problems.push(format!(
            "{} changed after the interruption: neither as before nor as planned, so it holds someone's work; put it aside (`git stash push -- {}`), {again}, then take it back (`git stash pop`)",
            list(&edited),
            edited.join(" ")
        ));
    }
    let planned: std::collections::BTreeSet<&str> = journal.plan.writes().map(|c| c.path.as_str()).collect();
    let staged: Vec<String> = repo.staged_paths()?.into_iter().filter(|p| !planned.contains(p.as_str())).collect();
    if !staged.is_empty() {
        problems.push(format!(
            "changes to {} were staged after the interruption and are not part of the {}; commit them elsewhere or unstage them (`git restore --staged {}`), then {again}",
            list(&staged),
            journal.plan.command,
            staged.join(" ")
        ));
    }
    Ok(problems)
}

/// The branch is at a commit the plan knows (where it started, where a reset step puts it, the
/// commit it made), or why not: the commits made on it since, which a restore would take away
/// and a resume would build on.
fn branch_problem(repo: &Repo, journal: &Journal, then: &str) -> Result<Option<String>> {
    let head = repo.head_commit()?.unwrap_or_default();
    let plan = &journal.plan;
    let mut known: Vec<&str> = vec![plan.head.as_str()];
    known.extend(plan.steps.iter().filter_map(|s| match s {
        Step::Reset { to } => Some(to.as_str()),
        _ => None,
    }));
    known.extend(journal.commit.as_deref());
    if known.contains(&head.as_str()) || made_by_plan(repo, plan, &head)? {
        return Ok(None);
    }
    let base = known.iter().rev().find(|k| repo.is_ancestor(k, &head).unwrap_or(false)).copied();
    let what = match base {
        Some(base) => {
            let added = repo.commit_lines(&format!("{base}..{head}"), 10)?;
            let count = repo.git(["rev-list", "--count", &format!("{base}..{head}")])?.trim().to_string();
            let (s, them) = if count == "1" { ("", "it") } else { ("s", "them") };
            (format!("{count} commit{s} made on {} after the interruption: {}", journal.branch, added.join("; ")), them)
        }
        None => (format!("{} was moved to {} after the interruption", journal.branch, short(&head)), "it"),
    };
    let (what, them) = what;
    let keep = base.unwrap_or(&journal.head_before);
    Ok(Some(format!(
        "{what}; the {} would not keep {them}: keep {them} on a branch of its own and move {} back (`git branch keep-work {}` then `git reset --keep {}`), then run `cargo xtask {then}` again",
        if then.ends_with("--abort") { "restore" } else { "resume" },
        journal.branch,
        short(&head),
        short(keep),
    )))
}

/// `head` is the plan's commit, made before the interruption could record it: its parent is
/// where the plan commits and its subject the plan's.
fn made_by_plan(repo: &Repo, plan: &Plan, head: &str) -> Result<bool> {
    let Some((index, message)) = plan.commit_step() else { return Ok(false) };
    if head.is_empty() {
        return Ok(false);
    }
    let (parent, subject) = repo.parent_and_subject(head)?;
    Ok(parent.as_deref() == Some(plan.base_before(index)) && message.lines().next() == Some(subject.as_str()))
}

/// The branch is checked out (exit 2 otherwise; a git that cannot tell is an error, not a
/// detached HEAD).
pub fn on_branch(repo: &Repo, branch: &str) -> Result<()> {
    match repo.checked_out_branch()? {
        Some(current) if current == branch => Ok(()),
        Some(current) => bail!("{current} is checked out, not {branch}; run `git switch {branch}` first"),
        None => bail!("HEAD is detached, not on {branch}; run `git switch {branch}` first"),
    }
}

/// The tags a plan creates or deletes.
fn plan_tags(plan: &Plan) -> Vec<&str> {
    plan.steps
        .iter()
        .filter_map(|s| match s {
            Step::Tag { name, .. } | Step::TagCommit { name, .. } | Step::DeleteTag { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect()
}

fn refuse(verb: &str, journal: &Journal, repo: &Repo, problems: &[String]) -> Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    let list: String = problems.iter().map(|p| format!("\n  - {p}")).collect();
    bail!(
        "cannot {verb} the interrupted {} ({}); nothing was changed and the journal {} is kept:{list}",
        journal.plan.command,
        journal.describe(),
        repo.display_path(&Journal::path(&repo.git_dir()?))
    )
}

fn list(paths: &[String]) -> String {
    match paths {
        [one] => one.clone(),
        _ => format!("{} files ({})", paths.len(), paths.join(", ")),
    }
}

fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}
