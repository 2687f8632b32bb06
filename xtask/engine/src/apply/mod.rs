//! The executor: the only code that writes files, commits, tags or pushes.
//!
//! `execute` checks that the plan still matches the repository, records the journal, runs the
//! steps in order (journaling each), and on any failure before the push restores every file,
//! the index, the branch and the tags, then fails with [`Midway`] (exit 3). The push is the
//! last step: when it fails the local release stays complete and the message says how to push
//! it. After a kill, the journal is found by the next run: `resume` finishes the plan,
//! `abort` restores the state before it began. Every step checks whether it is already done,
//! so both are safe to repeat.

mod fault;
pub(crate) mod files;
pub mod journal;
pub mod lock;
mod restore;

use std::path::Path;

use anyhow::{Result, anyhow, bail};

use crate::error::Midway;
use crate::interrupt;
use crate::output::Ui;
use crate::plan::{Plan, Step, push_command};
use crate::repo::Repo;
pub use journal::Journal;
pub use lock::Lock;

/// What a completed run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The commit the plan made (or the branch's new HEAD after a reset).
    pub head: Option<String>,
    pub tag: Option<String>,
    /// The remote the branch and tag were pushed to.
    pub pushed: Option<String>,
}

/// Exit 2 with the way out when an interrupted run left its journal (every release and
/// rollback calls this before anything else).
pub fn refuse_if_interrupted(repo: &Repo) -> Result<()> {
    let git_dir = repo.git_dir()?;
    if let Some(journal) = Journal::load(&git_dir)? {
        bail!(
            "an interrupted {} is waiting ({}): run `cargo xtask release --resume` to finish it, or `cargo xtask release --abort` to restore the repository as it was before it began (journal {})",
            journal.plan.command,
            journal.describe(),
            repo.display_path(&Journal::path(&git_dir))
        );
    }
    Ok(())
}

/// Run `plan`: the caller holds `lock` and has checked every precondition.
pub fn execute(repo: &Repo, plan: &Plan, ui: &Ui, lock: &Lock) -> Result<Outcome> {
    let _ = lock;
    let git_dir = repo.git_dir()?;
    refuse_if_interrupted(repo)?;
    restore::check_fresh(repo, plan)?;
    let mut modes = std::collections::BTreeMap::new();
    for change in plan.writes() {
        if let Some(mode) = files::mode_of(&repo.path(&change.path))? {
            modes.insert(change.path.clone(), mode);
        }
    }
    let mut journal = Journal::new(plan.clone(), modes);
    journal.save(&git_dir)?;
    interrupt::watch();
    run_steps(repo, &git_dir, &mut journal, ui)
}

/// `release --resume`: finish the plan of an interrupted run.
pub fn resume(repo: &Repo, ui: &Ui, lock: &Lock) -> Result<(Plan, Outcome)> {
    let _ = lock;
    let git_dir = repo.git_dir()?;
    let Some(mut journal) = Journal::load(&git_dir)? else {
        bail!("nothing to resume: no release or rollback was interrupted in this repository");
    };
    restore::check_resumable(repo, &journal)?;
    ui.info(format!("resuming {}", journal.describe()));
    interrupt::watch();
    journal.done = 0;
    let outcome = run_steps(repo, &git_dir, &mut journal, ui)?;
    Ok((journal.plan, outcome))
}

/// `release --abort`: restore the repository as it was before an interrupted run began.
pub fn abort(repo: &Repo, ui: &Ui, lock: &Lock) -> Result<Journal> {
    let _ = lock;
    let git_dir = repo.git_dir()?;
    let Some(journal) = Journal::load(&git_dir)? else {
        bail!("nothing to abort: no release or rollback was interrupted in this repository");
    };
    ui.info(format!("aborting {}", journal.describe()));
    interrupt::watch();
    restore::restore(repo, &journal, ui)?;
    Journal::remove(&git_dir)?;
    Ok(journal)
}

fn run_steps(repo: &Repo, git_dir: &Path, journal: &mut Journal, ui: &Ui) -> Result<Outcome> {
    let steps = journal.plan.steps.clone();
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    let mut outcome = Outcome::default();
    for (index, step) in steps.iter().enumerate() {
        if let Step::Push { remote, branch, tag } = step {
            // Everything local is done: the journal goes, and a failed push changes nothing.
            Journal::remove(git_dir)?;
            push(repo, journal, remote, branch, tag, ui)?;
            outcome.pushed = Some(remote.clone());
            continue;
        }
        let result = if interrupt::happened() {
            Err(anyhow!("interrupted by Ctrl-C"))
        } else {
            run_step(repo, journal, index, ui, &mut outcome).and_then(|()| {
                journal.done = index + 1;
                journal.save(git_dir)
            })
        };
        if let Err(err) = result {
            return Err(fail(repo, git_dir, journal, index, err, ui));
        }
        let kind = kind(step);
        let n = counts.entry(kind).or_default();
        *n += 1;
        fault::fault_point(&format!("after-{kind}:{n}"));
    }
    Journal::remove(git_dir)?;
    Ok(outcome)
}

fn kind(step: &Step) -> &'static str {
    match step {
        Step::Write(_) => "write",
        Step::Commit { .. } => "commit",
        Step::Tag { .. } => "tag",
        Step::Reset { .. } => "reset",
        Step::DeleteTag { .. } => "delete-tag",
        Step::Push { .. } => "push",
    }
}

/// One step, skipped when the repository shows it is already done (a resumed run).
fn run_step(repo: &Repo, journal: &mut Journal, index: usize, ui: &Ui, outcome: &mut Outcome) -> Result<()> {
    let step = journal.plan.steps[index].clone();
    match &step {
        Step::Write(change) => {
            let path = repo.path(&change.path);
            let after = change.after.as_ref().map(|b| b.0.as_slice());
            // A link's permissions say nothing about the file that replaces it.
            let old_mode = journal.modes.get(&change.path).copied().filter(|_| !change.was_symlink);
            let mode = files::mode_for(old_mode, change.executable);
            let current_mode = files::mode_of(&path)?;
            if files::holds(&path, after, change.after_link())?
                && (after.is_none() || change.symlink || current_mode == Some(mode))
            {
                return Ok(());
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
        }
        Step::Commit { message, paths } => {
            let head = repo.head_commit()?.unwrap_or_default();
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
            let commit = repo.commit_paths(message, paths)?;
            ui.info(format!("  committed {} {}", short(&commit), message.lines().next().unwrap_or_default()));
            journal.commit = Some(commit.clone());
            outcome.head = Some(commit);
        }
        Step::Tag { name, message, sign } => {
            outcome.tag = Some(name.clone());
            let head = repo.head_commit()?;
            if repo.tag_object(name)?.is_some() {
                if repo.commit_of(&format!("refs/tags/{name}"))? == head {
                    return Ok(());
                }
                bail!("tag {name} appeared during the release and points at another commit");
            }
            repo.create_tag(name, message, *sign)?;
            ui.info(format!("  tagged {name} ({})", if *sign { "signed" } else { "annotated" }));
        }
        Step::Reset { to } => {
            outcome.head = Some(to.clone());
            if repo.head_commit()?.as_deref() == Some(to.as_str()) {
                return Ok(());
            }
            repo.reset_mixed(to)?;
            ui.info(format!("  moved {} to {}", journal.branch, short(to)));
        }
        Step::DeleteTag { name, .. } => {
            if repo.tag_object(name)?.is_some() {
                repo.delete_tag(name)?;
                ui.info(format!("  deleted tag {name}"));
            }
        }
        Step::Push { .. } => unreachable!("the push is run by run_steps"),
    }
    Ok(())
}

fn push(repo: &Repo, journal: &Journal, remote: &str, branch: &str, tag: &str, ui: &Ui) -> Result<()> {
    let head = repo.head_commit()?.unwrap_or_default();
    let local =
        format!("the local {} is complete: commit {} on {branch} and tag {tag}", journal.plan.command, short(&head));
    let how = format!("push both with:\n  {}", push_command(remote, branch, tag));
    let out = repo.push_atomic(remote, branch, tag);
    let why = match out {
        Ok(out) if out.success => {
            ui.info(format!("  pushed {branch} and {tag} to {remote} (atomic)"));
            return Ok(());
        }
        Ok(out) => out.stderr.trim().to_string(),
        Err(e) => format!("{e:#}"),
    };
    let why = if interrupt::happened_settled() { format!("interrupted by Ctrl-C ({why})") } else { why };
    Err(anyhow::Error::new(Midway(format!(
        "the push to {remote} failed: {why}\n{local}; nothing was pushed (the push is atomic); {how}"
    ))))
}

/// Restore after a failed step and say so; if restoring fails too, keep the journal and say
/// how to finish by hand.
fn fail(repo: &Repo, git_dir: &Path, journal: &Journal, index: usize, err: anyhow::Error, ui: &Ui) -> anyhow::Error {
    let cause = if interrupt::happened_settled() { "interrupted by Ctrl-C".to_string() } else { format!("{err:#}") };
    let what = format!(
        "{} {} failed at step {} of {} ({})",
        journal.plan.command,
        journal.plan.version,
        index + 1,
        journal.plan.steps.len(),
        kind(&journal.plan.steps[index])
    );
    ui.info(format!("  {what}; restoring the repository"));
    let restored = restore::restore(repo, journal, ui).and_then(|()| Journal::remove(git_dir));
    match restored {
        Ok(()) => anyhow::Error::new(Midway(format!(
            "{what}: {cause}\nthe repository was restored: every file, the index, {} at {} and the tags are as they were before the {} began",
            journal.branch,
            short(&journal.head_before),
            journal.plan.command
        ))),
        Err(restore_err) => anyhow::Error::new(Midway(format!(
            "{what}: {cause}\nrestoring the repository failed too: {restore_err:#}\nthe journal {} is kept: fix the cause, then run `cargo xtask release --abort` to restore the repository or `cargo xtask release --resume` to finish",
            repo.display_path(&Journal::path(git_dir))
        ))),
    }
}

fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}
