//! `cargo xtask rollback`: ship the last good release again under a new, higher version, or
//! (`--undo`) remove the newest release while it has not left this machine.
//!
//! Both make a [`Plan`] of the executor's steps (file writes, then commit and tag, or reset and
//! tag deletion), so they share the release's dry-run, JSON plan, lock, journal, restore on
//! failure, and `release --resume` / `release --abort` after a kill.

mod build;
mod forward;
mod notes;
mod planner;
mod scope;
mod scratch;
mod target;
mod tree;
mod undo;

use anyhow::Result;

use crate::apply::Outcome;
use crate::cli::RollbackArgs;
use crate::error::Verdict;
use crate::output::Ui;
use crate::plan::{Plan, Step};
use crate::project::Project;

pub fn run(project: &Project, args: &RollbackArgs, ui: &Ui) -> Result<Verdict> {
    project.repo.require_git("rollback")?;
    if args.undo { undo::run(project, args.dry_run, ui) } else { forward::run(project, args, ui) }
}

/// The tags an undo plan deletes (`v0.2.0, app-v1.1.0`), if any.
fn deleted_tag(plan: &Plan) -> Option<String> {
    let names: Vec<&str> = plan
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::DeleteTag { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// The summary of a completed rollback or undo (also after `release --resume`): stdout, or
/// the JSON document.
pub fn finished(project: &Project, plan: &Plan, outcome: &Outcome, ui: &Ui) -> Result<Verdict> {
    let head = match &outcome.head {
        Some(head) => head.clone(),
        None => project.repo.head_commit()?.unwrap_or_default(),
    };
    let short = head.get(..7).unwrap_or(&head);
    if let Some(removed) = deleted_tag(plan) {
        let released = plan.head.get(..7).unwrap_or(&plan.head);
        if ui.json {
            ui.json_doc(&serde_json::json!({
                "ok": true,
                "dry_run": false,
                "command": plan.command,
                "removed": plan.version,
                "tag": removed,
                "commit": head,
                "plan": plan,
            }));
        } else {
            ui.summary(format!(
                "removed release {} {}: {} is back at {short} and {} {removed} {} deleted (the release commit {released} stays in git's reflog until it expires)\n",
                plan.project,
                plan.version,
                plan.branch,
                if removed.contains(", ") { "tags" } else { "tag" },
                if removed.contains(", ") { "are" } else { "is" },
            ));
        }
        return Ok(Verdict::Passed);
    }
    let tag = plan.tag_name().unwrap_or_default();
    let restored = plan.previous_tag.as_deref().unwrap_or_default();
    if ui.json {
        ui.json_doc(&serde_json::json!({
            "ok": true,
            "dry_run": false,
            "command": plan.command,
            "version": plan.version,
            "restored": restored,
            "tag": tag,
            "commit": head,
            "pushed": outcome.pushed,
            "plan": plan,
        }));
    } else {
        let pushed = outcome.pushed.as_ref().map(|r| format!(", pushed to {r}")).unwrap_or_default();
        ui.summary(format!(
            "rolled back {} to {restored} as {}: commit {short} on {}, tag {tag}{pushed}\n",
            plan.project, plan.version, plan.branch
        ));
    }
    Ok(Verdict::Passed)
}
