//! The push, the last step: one `git push --atomic` of the branch and the tag. When it fails
//! the local release stays complete, and the advice depends on why, so that it can work: the
//! remote's branch moved ahead (pushing again cannot succeed: undo, pull, release again), the
//! remote has the tag (undo and release another version), or anything else (push again once
//! the cause is fixed). Each names `rollback --undo`, which removes an unpushed release.

use anyhow::Result;

use super::journal::Journal;
use crate::error::Midway;
use crate::interrupt;
use crate::output::Ui;
use crate::plan::push_command;
use crate::repo::Repo;

pub fn push(repo: &Repo, journal: &Journal, remote: &str, branch: &str, tags: &[&str], ui: &Ui) -> Result<()> {
    let head = repo.head_commit()?.unwrap_or_default();
    let command = &journal.plan.command;
    let tag = tags.join(", ");
    let (noun, them) = if tags.len() == 1 { ("tag", "both") } else { ("tags", "them all") };
    let local = format!("the local {command} is complete: commit {} on {branch} and {noun} {tag}", short(&head));
    let out = repo.push_atomic(remote, branch, tags);
    let why = match out {
        Ok(out) if out.success => {
            ui.info(format!("  pushed {branch} and {tag} to {remote} (atomic)"));
            return Ok(());
        }
        Ok(out) => out.stderr.trim().to_string(),
        Err(e) => format!("{e:#}"),
    };
    let why = if interrupt::happened_settled() { format!("interrupted by Ctrl-C ({why})") } else { why };
    let again = if command == "release" { "release again".to_string() } else { format!("run the {command} again") };
    let undo =
        format!("`cargo xtask rollback --undo` removes the local commit and {noun} (they never left this machine)");
    let how = match remote_state(repo, remote, branch, tags, &head) {
        RemoteState::Ahead(theirs) => format!(
            "{remote}'s {branch} moved ahead to {} while this ran, so pushing this commit cannot succeed: remove the local {command} with `cargo xtask rollback --undo`, bring {branch} up to date with `git pull --rebase {remote} {branch}`, then {again}",
            short(&theirs)
        ),
        RemoteState::HasTag(tag, theirs) => format!(
            "{remote} already has a tag {tag} (on {}), so pushing this one cannot succeed: remove the local {command} with `cargo xtask rollback --undo` and {again} with another version; or, if {remote}'s tag is the mistake, delete it there and push with:\n  {}",
            short(&theirs),
            push_command(remote, branch, tags)
        ),
        RemoteState::Unknown => format!(
            "once the cause is fixed, push {them} with:\n  {}\nor, to give up this {command}: {undo}",
            push_command(remote, branch, tags)
        ),
    };
    Err(anyhow::Error::new(Midway(format!(
        "the push to {remote} failed: {why}\n{local}; nothing was pushed (the push is atomic); {how}"
    ))))
}

/// What the remote holds that stops the push, read after it failed.
enum RemoteState {
    /// Its branch is at a commit that ours does not contain.
    Ahead(String),
    /// It has one of the tags: its name, and the commit it points at (or its object).
    HasTag(String, String),
    /// Nothing that explains it (a hook, the network, permissions).
    Unknown,
}

fn remote_state(repo: &Repo, remote: &str, branch: &str, tags: &[&str], head: &str) -> RemoteState {
    for tag in tags {
        if let Ok(Some(theirs)) = repo.remote_tag(remote, tag) {
            return RemoteState::HasTag(tag.to_string(), theirs);
        }
    }
    match repo.remote_branch(remote, branch) {
        Ok(Some(theirs)) if theirs != head && !repo.is_ancestor(&theirs, head).unwrap_or(false) => {
            RemoteState::Ahead(theirs)
        }
        _ => RemoteState::Unknown,
    }
}

fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}

/// The push of a release branch (`release --branch`) or of one tag (`release --tag-merged`),
/// the last step: the remote it went to. When it fails, what was made here stays, and the
/// message says how to push it again.
pub fn push_one(repo: &Repo, step: &crate::plan::Step, ui: &Ui) -> Result<String> {
    use crate::plan::{Step, push_branch_command, push_tag_command};
    let (remote, what, out, again, local) = match step {
        Step::PushBranch { remote, branch } => {
            let head = repo.branch_commit(branch)?.unwrap_or_default();
            (
                remote,
                branch.clone(),
                repo.push_branch(remote, branch),
                push_branch_command(remote, branch),
                format!("the release commit {} on {branch} is complete here", short(&head)),
            )
        }
        Step::PushTag { remote, tag } => (
            remote,
            format!("tag {tag}"),
            repo.push_tag(remote, tag),
            push_tag_command(remote, tag),
            format!("tag {tag} is made here"),
        ),
        _ => unreachable!("push_one pushes a branch or a tag"),
    };
    let why = match out {
        Ok(out) if out.success => {
            ui.info(format!("  pushed {what} to {remote}"));
            return Ok(remote.clone());
        }
        Ok(out) => out.stderr.trim().to_string(),
        Err(e) => format!("{e:#}"),
    };
    let why = if interrupt::happened_settled() { format!("interrupted by Ctrl-C ({why})") } else { why };
    Err(anyhow::Error::new(Midway(format!(
        "the push of {what} to {remote} failed: {why}\n{local}; once the cause is fixed, push it with:\n  {again}"
    ))))
}
