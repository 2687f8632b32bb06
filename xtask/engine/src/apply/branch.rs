//! The release branch of `release --branch`: made at the plan's HEAD and checked out without
//! touching the work tree or the index (both are at that commit already), so the original
//! branch never moves. The plan is refused when a branch of that name exists, so afterwards a
//! branch of that name at the plan's HEAD or at the commit the run made is the run's; a restore
//! checks the original branch out again and deletes it.

use anyhow::{Result, bail};

use super::checks;
use super::fault;
use super::journal::Journal;
use crate::output::Ui;
use crate::repo::Repo;

/// The Branch step: create `name` at the plan's HEAD and check it out. Safe to repeat.
pub fn create(repo: &Repo, journal: &Journal, index: usize, name: &str, ui: &Ui) -> Result<()> {
    if repo.checked_out_branch()?.as_deref() == Some(name) {
        return Ok(());
    }
    checks::on_branch(repo, &journal.branch)?;
    let base = journal.plan.base_before(index).to_string();
    let head = repo.head_commit()?.unwrap_or_default();
    if head != base {
        bail!("{} is at {}, not at {} where the plan makes branch {name}", journal.branch, short(&head), short(&base));
    }
    match repo.branch_commit(name)? {
        None => {
            if !repo.create_branch_ref(name, &base)? {
                bail!("branch {name} appeared while the run was making it, made by someone else; it is left as it is");
            }
        }
        // Made before an interruption.
        Some(commit) if commit == base => {}
        Some(commit) => {
            bail!("branch {name} exists at {} and this run did not make it; it is left as it is", short(&commit))
        }
    }
    fault::reached("after-branch-ref");
    repo.point_head_at(name)?;
    ui.info(format!(
        "  created branch {name} at {} and switched to it ({} stays at {})",
        short(&base),
        journal.branch,
        short(&base)
    ));
    Ok(())
}

/// The branch checked out is the run's: the plan's branch, or the release branch it made.
pub fn on_run_branch(repo: &Repo, journal: &Journal) -> Result<()> {
    if let Some(name) = journal.plan.new_branch()
        && repo.checked_out_branch()?.as_deref() == Some(name)
    {
        return Ok(());
    }
    checks::on_branch(repo, &journal.branch)
}

/// After a restore put the files and the index back at the plan's HEAD: check the original
/// branch out again (it never moved, so nothing in the work tree changes) and delete the
/// release branch the run made.
pub fn undo(repo: &Repo, journal: &Journal, ui: &Ui) -> Result<()> {
    let Some(name) = journal.plan.new_branch() else { return Ok(()) };
    let before = journal.head_before.as_str();
    if repo.checked_out_branch()?.as_deref() == Some(name) {
        let original = repo.branch_commit(&journal.branch)?;
        if original.as_deref() != Some(before) {
            bail!(
                "{} moved to {} during the run, so switching back to it would change files; {name} is left checked out at {}: run `git switch {}` yourself",
                journal.branch,
                original.as_deref().map_or("nowhere (deleted)", short),
                short(before),
                journal.branch
            );
        }
        repo.point_head_at(&journal.branch)?;
        ui.info(format!("  switched back to {}", journal.branch));
    }
    for commit in [Some(before), journal.commit.as_deref()].into_iter().flatten() {
        if repo.delete_branch_if(name, commit)? {
            ui.info(format!("  deleted branch {name}"));
            break;
        }
    }
    Ok(())
}

fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}
