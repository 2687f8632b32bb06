//! One step of a plan, skipped when the repository shows it is already done, so that a resumed
//! run can start again from any point: a file already written, a commit already made (its
//! parent is the plan's base and its subject the plan's), a deletion already staged, the run's
//! own tag already there (by object id), a branch already moved, a tag already deleted.

use std::path::Path;

use anyhow::{Result, bail};

use super::journal::Journal;
use super::tags::{self, TagState};
use super::{Outcome, Run, fault, files};
use crate::output::Ui;
use crate::plan::Step;
use crate::repo::Repo;

pub fn run(
    repo: &Repo,
    git_dir: &Path,
    journal: &mut Journal,
    index: usize,
    run: Run,
    ui: &Ui,
    outcome: &mut Outcome,
) -> Result<()> {
    // A file write borrows its step (which holds the file's bytes); the others change the
    // journal and work on a copy.
    if let Step::Write(change) = &journal.plan.steps[index] {
        return write(repo, journal, change, run, ui);
    }
    let step = journal.plan.steps[index].clone();
    match &step {
        Step::Write(_) => unreachable!("written above"),
        Step::Commit { message, paths, tree } => {
            let (head, on_head) = repo.head_for_commit()?;
            let head = head.unwrap_or_default();
            let base = journal.plan.base_before(index).to_string();
            if head != base {
                // Made before an interruption: its parent is the base, its subject ours.
                let (parent, subject) = repo.parent_and_subject(&head)?;
                if parent.as_deref() != Some(base.as_str()) || message.lines().next() != Some(subject.as_str()) {
                    bail!("{} is at {}, not at {} where the plan commits", journal.branch, short(&head), short(&base));
                }
                journal.commit = Some(head.clone());
                outcome.head = Some(head);
                return Ok(());
            }
            let staging = repo.start_staging(paths)?;
            let parent = Some(head.as_str()).filter(|h| !h.is_empty());
            let prepared = repo.prepare_commit(on_head, tree.as_ref())?;
            staging.finish()?;
            fault::reached("after-stage");
            let commit = repo.commit_staged(message, parent, prepared)?;
            ui.info(format!("  committed {} {}", short(&commit), message.lines().next().unwrap_or_default()));
            journal.commit = Some(commit.clone());
            outcome.head = Some(commit);
        }
        Step::Tag { sign, .. } | Step::TagCommit { sign, .. } => {
            let Some((name, message, on)) = step.created_tag() else { unreachable!("a tag step") };
            outcome.tag = Some(name.to_string());
            // A fresh run has not begun this tag: `create` makes it only where no tag of that
            // name is (and says whose one is there), without a look first.
            let begun = journal.tags.contains_key(name) || journal.pending_tag.as_deref() == Some(name);
            if run == Run::Resumed || begun {
                match tags::state_on(repo, journal, name, message, on)? {
                    TagState::Ours(_) => return Ok(()),
                    TagState::Foreign(what) => bail!(
                        "tag {name} exists and this run did not make it ({what}); someone (a hook?) made it during the run, and it is left as it is"
                    ),
                    TagState::Absent => {}
                }
            }
            tags::create(repo, journal, git_dir, (name, message, on), *sign)?;
            let on = on.map(|c| format!(" on {}", short(c))).unwrap_or_default();
            ui.info(format!("  tagged {name}{on} ({})", if *sign { "signed" } else { "annotated" }));
        }
        Step::Branch { name } => super::branch::create(repo, journal, index, name, ui)?,
        Step::Reset { to } => {
            outcome.head = Some(to.clone());
            if repo.head_commit()?.as_deref() == Some(to.as_str()) {
                return Ok(());
            }
            repo.reset_mixed(to)?;
            ui.info(format!("  moved {} to {}", journal.branch, short(to)));
        }
        Step::DeleteTag { name, object } => match repo.tag_object(name)? {
            None => {}
            Some(now) if now == *object && repo.delete_tag_if(name, object)? => {
                ui.info(format!("  deleted tag {name}"));
            }
            Some(now) if now == *object => {}
            Some(now) => bail!(
                "tag {name} now points at {}, not at {} which the plan deletes: someone made it again, and it is left as it is",
                short(&now),
                short(object)
            ),
        },
        Step::Push { .. } | Step::PushBranch { .. } | Step::PushTag { .. } => {
            unreachable!("the pushes are run by run_steps")
        }
    }
    Ok(())
}

/// A file step: skipped when the file already holds what the plan writes (in a fresh run it
/// cannot: the checks found every file holding its `before` bytes, and a plan writes only
/// files whose bytes change).
fn write(repo: &Repo, journal: &Journal, change: &crate::plan::FileChange, run: Run, ui: &Ui) -> Result<()> {
    let path = repo.path(&change.path);
    let after = change.after.as_ref().map(|b| b.0.as_slice());
    // A link's permissions say nothing about the file that replaces it.
    let old_mode = journal.modes.get(&change.path).copied().filter(|_| !change.was_symlink);
    let mode = files::mode_for(old_mode, change.executable);
    if run == Run::Resumed {
        let current_mode = files::mode_of(&path)?;
        if files::holds(&path, after, change.after_link())?
            && (after.is_none() || change.symlink || current_mode == Some(mode))
        {
            return Ok(());
        }
    }
    files::put(&path, after, change.symlink, mode)?;
    if after.is_none() {
        files::prune_empty_dirs(repo.root(), &path);
    }
    let verb = match (&change.before, after) {
        (None, _) => "created",
        (_, None) => "deleted",
        _ => "wrote",
    };
    ui.info(format!("  {verb} {}", crate::output::safe(&change.path)));
    Ok(())
}

fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}
