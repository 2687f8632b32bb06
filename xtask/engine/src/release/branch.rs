//! `release X --branch`: the release commit on a new branch `release/TAG` for a pull request,
//! and no tag (`release --tag-merged` tags it once merged). The name, what must hold before the
//! branch is made, and the summary of a run.

use anyhow::Result;

use super::facts::Facts;
use crate::apply::Outcome;
use crate::error::Verdict;
use crate::output::Ui;
use crate::plan::Plan;
use crate::project::Project;

/// The release branch of a tag: `release/v1.4.0`.
pub fn name(tag: &str) -> String {
    format!("release/{tag}")
}

/// The release branch can be made: git accepts its name, it exists neither here nor (with
/// `--push`) on the remote, and the remote is there to push to without the tag.
pub fn problems(project: &Project, facts: &Facts, tag: &str, push: bool) -> Result<Vec<String>> {
    let repo = &project.repo;
    let branch = name(tag);
    if !repo.is_valid_branch_name(&branch)? {
        return Ok(vec![format!(
            "the release branch name {branch:?} is not a name git accepts (`git check-ref-format --branch`); change the tag format ([release] tag-format or tag-prefix)"
        )]);
    }
    let mut problems = Vec::new();
    if let Some(commit) = repo.branch_commit(&branch)? {
        problems.push(format!(
            "branch {branch} already exists (at {}); delete it (`git branch -D {branch}`) or release another version",
            short(&commit)
        ));
    }
    if facts.branch.as_deref() == Some(branch.as_str()) {
        problems
            .push(format!("{branch} is checked out: run `release --branch` from the branch it will be merged into"));
    }
    if push {
        let remote = &project.release.remote;
        match super::preconditions::remote_problem(project, tag) {
            Some(problem) => problems.push(problem),
            None => match repo.remote_branch(remote, &branch) {
                Ok(Some(commit)) => problems.push(format!(
                    "--push: {remote} already has a branch {branch} (at {}); delete it there or release another version",
                    short(&commit)
                )),
                Ok(None) => {}
                Err(e) => problems.push(format!("--push: {e:#}; check the network and the remote, or release without --push")),
            },
        }
    }
    Ok(problems)
}

/// The summary of a completed `release --branch`: stdout, or the JSON document.
pub fn finished(project: &Project, plan: &Plan, outcome: &Outcome, ui: &Ui) -> Result<Verdict> {
    let branch = plan.new_branch().unwrap_or_default();
    let head = project.repo.branch_commit(branch)?.unwrap_or_default();
    let tag = super::planner::tag_of(plan).unwrap_or_default();
    if ui.json {
        ui.json_doc(&serde_json::json!({
            "ok": true,
            "dry_run": false,
            "version": plan.version,
            "branch": branch,
            "tag": serde_json::Value::Null,
            "commit": head,
            "pushed": outcome.pushed,
            "plan": plan,
        }));
        return Ok(Verdict::Passed);
    }
    let pushed = outcome.pushed.as_ref().map(|r| format!(", pushed to {r}")).unwrap_or_default();
    ui.summary(format!(
        "prepared {} {} on branch {branch}: commit {} ({} stays at {}){pushed}; open a pull request from {branch} into {}, and once it is merged run `cargo xtask release --tag-merged{}` on {} to tag it {tag}\n",
        plan.project,
        plan.version,
        short(&head),
        plan.branch,
        short(&plan.head),
        plan.branch,
        if outcome.pushed.is_some() { " --push" } else { "" },
        plan.branch,
    ));
    Ok(Verdict::Passed)
}

fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}
