//! Putting the repository back as it was before a plan began, whatever step it reached, taking
//! away only what the run made: its tag (recognised by object id), its commit, its files and
//! the temporary files it left beside them. Tags it did not make are kept and reported.
//! Safe to repeat, and shielded from a second Ctrl-C: the `git` it runs cannot be killed by one.

use anyhow::Result;

use super::files;
use super::journal::Journal;
use super::tags::{self, TagState};
use crate::interrupt;
use crate::output::Ui;
use crate::plan::Step;
use crate::repo::Repo;

/// What a restore left as it found it because the run did not make it (`tag v1.2.3 (a
/// lightweight tag on commit abc1234)`), for the final message.
pub type Kept = Vec<String>;

/// Put back what the plan changed: tags it made are deleted, tags it deleted recreated, the
/// branch and the index moved back to the commit before it, every file it wrote restored byte
/// for byte with its permissions, its temporary files removed. The caller has checked (see
/// `checks`) that the branch holds nothing but the plan's commits.
pub fn restore(repo: &Repo, journal: &Journal, ui: &Ui) -> Result<Kept> {
    let _shield = interrupt::shield_children();
    super::branch::on_run_branch(repo, journal)?;
    let mut kept = Vec::new();
    for step in journal.plan.steps.iter().rev() {
        if let Some((name, message, on)) = step.created_tag() {
            match tags::state_on(repo, journal, name, message, on)? {
                TagState::Ours(object) => {
                    if repo.delete_tag_if(name, &object)? {
                        ui.info(format!("  removed tag {name}"));
                    }
                }
                TagState::Foreign(what) => kept.push(format!("tag {name} ({what})")),
                TagState::Absent => {}
            }
            continue;
        }
        if let Step::DeleteTag { name, object } = step {
            match repo.tag_object(name)? {
                None => {
                    repo.create_ref(&format!("refs/tags/{name}"), object)?;
                    ui.info(format!("  recreated tag {name}"));
                }
                Some(now) if now != *object => {
                    kept.push(format!("tag {name} ({}), made after it was deleted", tags::describe(repo, &now)?))
                }
                Some(_) => {}
            }
        }
    }
    let head = repo.head_commit()?;
    repo.reset_mixed(&journal.head_before)?;
    if head.as_deref() != Some(journal.head_before.as_str()) {
        ui.info(format!("  moved {} back to {}", journal.branch, short(&journal.head_before)));
    }
    for change in journal.plan.writes() {
        let path = repo.path(&change.path);
        if files::remove_temp(&path)? {
            ui.info(format!("  removed the temporary file of {}", crate::output::safe(&change.path)));
        }
        let before = change.before.as_ref().map(|b| b.0.as_slice());
        let mode = journal.modes.get(&change.path).copied();
        if files::holds(&path, before, change.before_link())? && files::mode_of(&path)? == mode {
            if before.is_none() {
                // A kill before the rename can leave the folders made for a new file.
                files::prune_empty_dirs(repo.root(), &path);
            }
            continue;
        }
        files::put(&path, before, change.was_symlink, mode.unwrap_or(0o644))?;
        if before.is_none() {
            files::prune_empty_dirs(repo.root(), &path);
        }
        ui.info(format!("  restored {}", crate::output::safe(&change.path)));
    }
    super::branch::undo(repo, journal, ui)?;
    Ok(kept)
}

/// Remove the temporary files an interrupted run left beside the files it writes (before
/// `--resume` carries on); only those the journal names.
pub fn remove_temps(repo: &Repo, journal: &Journal, ui: &Ui) -> Result<()> {
    for change in journal.plan.writes() {
        if files::remove_temp(&repo.path(&change.path))? {
            ui.info(format!(
                "  removed the temporary file of {} left by the interruption",
                crate::output::safe(&change.path)
            ));
        }
    }
    Ok(())
}

/// Where the repository stands now, as precisely as can be read: for a message after a restore
/// that did not finish. Best effort: what cannot be read is said to be unknown.
pub fn state_now(repo: &Repo, journal: &Journal) -> String {
    let mut parts = Vec::new();
    let head = repo.head_commit().ok().flatten().unwrap_or_default();
    let at = if head == journal.head_before {
        "the commit before the run".to_string()
    } else if journal.commit.as_deref() == Some(head.as_str()) {
        "the commit the run made".to_string()
    } else {
        "a commit the run did not make".to_string()
    };
    parts.push(format!("{} is at {} ({at})", journal.branch, short(&head)));
    for step in &journal.plan.steps {
        if let Some((name, message, on)) = step.created_tag() {
            match tags::state_on(repo, journal, name, message, on) {
                Ok(TagState::Ours(_)) => parts.push(format!("the run's tag {name} exists")),
                Ok(TagState::Foreign(what)) => parts.push(format!("tag {name} is someone else's ({what})")),
                Ok(TagState::Absent) => parts.push(format!("there is no tag {name}")),
                Err(_) => parts.push(format!("tag {name}: unknown")),
            }
        }
    }
    let (mut before, mut after, mut midway, mut other, mut temps) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for change in journal.plan.writes() {
        let path = repo.path(&change.path);
        let was = change.before.as_ref().map(|b| b.0.as_slice());
        let will = change.after.as_ref().map(|b| b.0.as_slice());
        match (files::holds(&path, was, change.before_link()), files::holds(&path, will, change.after_link())) {
            (Ok(true), _) => before.push(change.path.as_str()),
            (_, Ok(true)) => after.push(change.path.as_str()),
            _ if files::midway(&path, will, change.after_link()).unwrap_or(false) => midway.push(change.path.as_str()),
            _ => other.push(change.path.as_str()),
        }
        if std::fs::symlink_metadata(files::temp_of(&path)).is_ok() {
            temps.push(repo.display_path(&files::temp_of(&path)));
        }
    }
    for (label, paths) in [
        ("as before", before),
        ("as planned", after),
        ("removed, the planned bytes in the temporary file beside it", midway),
        ("neither (unknown)", other),
    ] {
        if !paths.is_empty() {
            parts.push(format!("{label}: {}", paths.join(", ")));
        }
    }
    if !temps.is_empty() {
        parts.push(format!("temporary files left: {}", temps.join(", ")));
    }
    parts.join("; ")
}

fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}
