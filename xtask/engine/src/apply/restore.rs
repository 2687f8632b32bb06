//! Checking that a plan (or a journal) still matches the repository, and putting the
//! repository back as it was before a plan began.

use anyhow::{Result, bail};

use super::files;
use super::journal::Journal;
use crate::output::Ui;
use crate::plan::{Plan, Step};
use crate::repo::Repo;

/// Before the first write: the repository is exactly what the plan was made from (exit 2,
/// nothing changed, when it is not).
pub fn check_fresh(repo: &Repo, plan: &Plan) -> Result<()> {
    let again = "the repository changed since the plan was made; run the command again";
    on_branch(repo, &plan.branch)?;
    if repo.head_commit()?.as_deref() != Some(plan.head.as_str()) {
        bail!("{} no longer points at {}: {again}", plan.branch, plan.head);
    }
    for change in plan.writes() {
        let before = change.before.as_ref().map(|b| b.0.as_slice());
        if !files::holds(&repo.path(&change.path), before, change.before_link())? {
            bail!("{}: its content is not what the plan was made from: {again}", change.path);
        }
    }
    for step in &plan.steps {
        match step {
            Step::Tag { name, .. } if repo.tag_object(name)?.is_some() => {
                bail!("tag {name} already exists: {again}")
            }
            Step::DeleteTag { name, object } if repo.tag_object(name)?.as_deref() != Some(object.as_str()) => {
                bail!("tag {name} no longer points at {object}: {again}")
            }
            _ => {}
        }
    }
    Ok(())
}

/// Before `--resume`: every file is either as before or as planned, and the branch is at the
/// commit before the plan or at the commit the plan made (exit 2, journal kept, otherwise).
pub fn check_resumable(repo: &Repo, journal: &Journal) -> Result<()> {
    let abort = "run `cargo xtask release --abort` to restore the state before it began";
    on_branch(repo, &journal.branch)?;
    let head = repo.head_commit()?.unwrap_or_default();
    let plan = &journal.plan;
    let resets = plan.steps.iter().filter_map(|s| match s {
        Step::Reset { to } => Some(to.as_str()),
        _ => None,
    });
    let known = std::iter::once(plan.head.as_str()).chain(resets).any(|c| c == head);
    let ours = |(index, message): (usize, &str)| -> Result<bool> {
        let (parent, subject) = repo.parent_and_subject(&head)?;
        Ok(parent.as_deref() == Some(plan.base_before(index)) && message.lines().next() == Some(subject.as_str()))
    };
    if !known && !plan.commit_step().map(ours).transpose()?.unwrap_or(false) {
        bail!(
            "{} moved to {} after the interruption, which is not a commit of the plan; {abort} (commits made since are kept in the reflog)",
            journal.branch,
            &head[..head.len().min(7)]
        );
    }
    for change in journal.plan.writes() {
        let path = repo.path(&change.path);
        let before = change.before.as_ref().map(|b| b.0.as_slice());
        let after = change.after.as_ref().map(|b| b.0.as_slice());
        if !files::holds(&path, before, change.before_link())? && !files::holds(&path, after, change.after_link())? {
            bail!(
                "{} was changed after the interruption: it is neither as before nor as planned; put it back, or {abort}",
                change.path
            );
        }
    }
    Ok(())
}

fn on_branch(repo: &Repo, branch: &str) -> Result<()> {
    match repo.head_branch()? {
        Some(current) if current == branch => Ok(()),
        Some(current) => bail!("{current} is checked out, not {branch}; run `git switch {branch}` first"),
        None => bail!("HEAD is detached, not on {branch}; run `git switch {branch}` first"),
    }
}

/// Put back what the plan changed, whatever step it reached: tags it made are deleted, tags
/// it deleted recreated, the branch and the index moved back to the commit before it, every
/// file it wrote restored byte for byte with its permissions. Safe to repeat.
pub fn restore(repo: &Repo, journal: &Journal, ui: &Ui) -> Result<()> {
    on_branch(repo, &journal.branch)?;
    for step in journal.plan.steps.iter().rev() {
        match step {
            Step::Tag { name, .. } if repo.tag_object(name)?.is_some() => {
                repo.delete_tag(name)?;
                ui.info(format!("  removed tag {name}"));
            }
            Step::DeleteTag { name, object } if repo.tag_object(name)?.is_none() => {
                repo.set_ref(&format!("refs/tags/{name}"), object)?;
                ui.info(format!("  recreated tag {name}"));
            }
            _ => {}
        }
    }
    let head = repo.head_commit()?;
    repo.reset_mixed(&journal.head_before)?;
    if head.as_deref() != Some(journal.head_before.as_str()) {
        ui.info(format!(
            "  moved {} back to {}",
            journal.branch,
            &journal.head_before[..journal.head_before.len().min(7)]
        ));
    }
    for change in journal.plan.writes() {
        let path = repo.path(&change.path);
        let before = change.before.as_ref().map(|b| b.0.as_slice());
        let mode = journal.modes.get(&change.path).copied();
        if files::holds(&path, before, change.before_link())? && files::mode_of(&path)? == mode {
            continue;
        }
        files::put(&path, before, change.was_symlink, mode.unwrap_or(0o644))?;
        if before.is_none() {
            files::prune_empty_dirs(repo.root(), &path);
        }
        ui.info(format!("  restored {}", crate::output::safe(&change.path)));
    }
    Ok(())
}
