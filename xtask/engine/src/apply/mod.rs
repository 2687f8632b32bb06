//! The executor: the only code that writes files, commits, tags or pushes.
//!
//! `execute` checks that the plan still matches the repository, records the journal, runs the
//! steps in order (journaling each), and on any failure before the push restores every file,
//! the index, the branch and the tags, then fails with [`Midway`] (exit 3). The push is the
//! last step: when it fails the local release stays complete and the message says how to go
//! on. After a kill, the journal is found by the next run: `resume` finishes the plan,
//! `abort` restores the state before it began. Every step checks whether it is already done,
//! so both are safe to repeat; both refuse (exit 2, journal kept) rather than run over work
//! made since (commits, edits, staged changes), and a restore takes away only what the run
//! made (its tag is recognised by object id, see `tags`).

mod branch;
mod checks;
mod fault;
pub(crate) mod files;
mod gitlocks;
pub mod journal;
pub mod lock;
mod push;
mod restore;
mod steps;
mod tags;

use std::path::Path;

use anyhow::{Result, anyhow, bail};

use crate::error::Midway;
use crate::interrupt;
use crate::output::Ui;
use crate::plan::{Plan, Step};
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
    // What was read ahead of the plan is not read again once the plan writes.
    repo.forget_prefetched();
    // From before the first write: a Ctrl-C is a failure that is restored, never a death that
    // leaves a journal behind.
    interrupt::watch();
    let git_dir = repo.git_dir()?;
    refuse_if_interrupted(repo)?;
    let modes = checks::check_fresh(repo, plan)?;
    let mut journal = Journal::new(plan.clone(), modes);
    if let Err(err) = journal.save(&git_dir) {
        let _ = Journal::remove(&git_dir);
        bail!(
            "{}; nothing was changed{}",
            cause_of(&err),
            if is_disk_full(&err) { ": free some space, then run the command again" } else { "" }
        );
    }
    fault::reached("after-journal");
    run_steps(repo, &git_dir, &mut journal, Run::Fresh, ui)
}

/// `release --resume`: finish the plan of an interrupted run.
pub fn resume(repo: &Repo, ui: &Ui, lock: &Lock) -> Result<(Plan, Outcome)> {
    let _ = lock;
    interrupt::watch();
    let git_dir = repo.git_dir()?;
    let Some(mut journal) = Journal::load(&git_dir)? else {
        bail!("nothing to resume: no release or rollback was interrupted in this repository");
    };
    checks::check_resumable(repo, &journal)?;
    ui.info(format!("resuming {}", journal.describe()));
    restore::remove_temps(repo, &journal, ui)?;
    journal.done = 0;
    let outcome = run_steps(repo, &git_dir, &mut journal, Run::Resumed, ui)?;
    Ok((journal.plan, outcome))
}

/// `release --abort`: restore the repository as it was before an interrupted run began. The
/// journal, and what the restore kept because the run did not make it.
pub fn abort(repo: &Repo, ui: &Ui, lock: &Lock) -> Result<(Journal, Vec<String>)> {
    let _ = lock;
    interrupt::watch();
    let git_dir = repo.git_dir()?;
    let Some(journal) = Journal::load(&git_dir)? else {
        bail!("nothing to abort: no release or rollback was interrupted in this repository");
    };
    // The checks already run git: a Ctrl-C from now on must not kill it halfway.
    let _shield = interrupt::shield_children();
    checks::check_abortable(repo, &journal)?;
    ui.info(format!("aborting {}", journal.describe()));
    match restore::restore(repo, &journal, ui) {
        Ok(kept) => {
            Journal::remove(&git_dir)?;
            Ok((journal, kept))
        }
        Err(err) => Err(anyhow::Error::new(Midway(format!(
            "restoring the repository did not finish: {}\nnow: {}\nthe journal {} is kept: {}, then run `cargo xtask release --abort` again",
            cause_of(&err),
            restore::state_now(repo, &journal),
            repo.display_path(&Journal::path(&git_dir)),
            fix_hint(&err)
        )))),
    }
}

/// How a run of the steps starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    /// Just after the checks that every planned file holds its `before` bytes: no step is done.
    Fresh,
    /// After an interruption: any step may be done already, and each one checks.
    Resumed,
}

fn run_steps(repo: &Repo, git_dir: &Path, journal: &mut Journal, run: Run, ui: &Ui) -> Result<Outcome> {
    let mut outcome = Outcome::default();
    // By index, not over a copy of the steps: a plan holds the bytes of every file it writes.
    for index in 0..journal.plan.steps.len() {
        let step = &journal.plan.steps[index];
        let kind = kind(step);
        if let Step::Push { remote, branch, tag, more_tags } = step {
            // Everything local is done: the journal goes, and a failed push changes nothing.
            let (remote, branch, tags) = (remote.clone(), branch.clone(), crate::plan::push_tags(tag, more_tags));
            Journal::remove(git_dir)?;
            push::push(repo, journal, &remote, &branch, &tags, ui)?;
            outcome.pushed = Some(remote);
            continue;
        }
        if matches!(step, Step::PushBranch { .. } | Step::PushTag { .. }) {
            Journal::remove(git_dir)?;
            outcome.pushed = Some(push::push_one(repo, step, ui)?);
            continue;
        }
        let result = if interrupt::happened() {
            Err(anyhow!("interrupted by Ctrl-C"))
        } else {
            steps::run(repo, git_dir, journal, index, run, ui, &mut outcome).and_then(|()| {
                journal.done = index + 1;
                journal.save(git_dir)
            })
        };
        if let Err(err) = result {
            return Err(fail(repo, git_dir, journal, index, err, ui));
        }
        fault::reached(&format!("after-{kind}"));
    }
    Journal::remove(git_dir)?;
    Ok(outcome)
}

fn kind(step: &Step) -> &'static str {
    match step {
        Step::Write(_) => "write",
        Step::Commit { .. } => "commit",
        Step::Tag { .. } | Step::TagCommit { .. } => "tag",
        Step::Branch { .. } => "branch",
        Step::PushBranch { .. } => "push-branch",
        Step::PushTag { .. } => "push-tag",
        Step::Reset { .. } => "reset",
        Step::DeleteTag { .. } => "delete-tag",
        Step::Push { .. } => "push",
    }
}

/// Restore after a failed step and say so; if the branch holds commits the run did not make,
/// or restoring fails too, keep the journal and say precisely what is left and how to go on.
fn fail(repo: &Repo, git_dir: &Path, journal: &Journal, index: usize, err: anyhow::Error, ui: &Ui) -> anyhow::Error {
    // A second Ctrl-C must not kill the git that checks or restores.
    let _shield = interrupt::shield_children();
    let cause = cause_of(&err);
    let command = &journal.plan.command;
    let what = format!(
        "{command} {} failed at step {} of {} ({})",
        journal.plan.version,
        index + 1,
        journal.plan.steps.len(),
        kind(&journal.plan.steps[index])
    );
    let journal_path = repo.display_path(&Journal::path(git_dir));
    if let Err(blocked) = checks::check_restorable(repo, journal) {
        return anyhow::Error::new(Midway(format!(
            "{what}: {cause}\nthe repository was not restored: {blocked:#}\nnow: {}",
            restore::state_now(repo, journal)
        )));
    }
    ui.info(format!("  {what}; restoring the repository"));
    let restored = restore::restore(repo, journal, ui).and_then(|kept| Journal::remove(git_dir).map(|()| kept));
    match restored {
        Ok(kept) => anyhow::Error::new(Midway(format!(
            "{what}: {cause}\nthe repository was restored: every file, the index, {} at {} and the tags are as they were before the {command} began{}",
            journal.branch,
            short(&journal.head_before),
            kept_note(command, &kept)
        ))),
        Err(restore_err) => anyhow::Error::new(Midway(format!(
            "{what}: {cause}\nrestoring the repository failed too: {}\nnow: {}\nthe journal {journal_path} is kept: {}, then run `cargo xtask release --abort` to restore the repository or `cargo xtask release --resume` to finish",
            cause_of(&restore_err),
            restore::state_now(repo, journal),
            if is_disk_full(&err) { fix_hint(&err) } else { fix_hint(&restore_err) }
        ))),
    }
}

/// `; kept what the release did not make: tag v1.2.3 (...)`, or nothing.
pub fn kept_note(command: &str, kept: &[String]) -> String {
    if kept.is_empty() {
        return String::new();
    }
    format!("; kept what the {command} did not make: {}", kept.join(", "))
}

/// An error as the cause of a failure: Ctrl-C, a full disk, or the error itself.
fn cause_of(err: &anyhow::Error) -> String {
    if interrupt::happened_settled() {
        return format!("interrupted by Ctrl-C ({err:#})");
    }
    if is_disk_full(err) {
        return format!("no space left on device ({err:#})");
    }
    format!("{err:#}")
}

/// What to fix before going on.
fn fix_hint(err: &anyhow::Error) -> &'static str {
    if is_disk_full(err) { "free some space on the disk that holds the repository" } else { "fix the cause" }
}

/// The disk (or quota) is full, in our own writes or in git's.
fn is_disk_full(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|e| {
            e.kind() == std::io::ErrorKind::StorageFull || e.kind() == std::io::ErrorKind::QuotaExceeded
        })
    }) || ["No space left on device", "Out of diskspace", "Disk quota exceeded"]
        .iter()
        .any(|m| format!("{err:#}").contains(m))
}

fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}
