//! `release --tag-merged`: once the pull request of a release branch is merged, tag the merged
//! release commit on this branch with its notes (annotated, or signed with `--sign`) and, with
//! `--push`, push the tag. The commit is the tool's own `chore(release): TAG` commit (also as a
//! squash merge names it, `chore(release): TAG (#12)`), else the commit that set the version
//! this branch holds. Idempotent: when that version is tagged already there is nothing to do
//! (exit 0, one line saying so); a tag made here whose push failed is pushed.

use std::cmp::Ordering;

use anyhow::Result;

use super::facts::Facts;
use super::preconditions;
use super::target::precedence;
use crate::apply::{self, Lock, Outcome};
use crate::changelog::{self, ReleaseTag};
use crate::cli::ReleaseArgs;
use crate::error::Verdict;
use crate::output::Ui;
use crate::plan::{self, Plan, Step};
use crate::project::Project;

/// The command a tag-merged plan records (its journal, `--resume`).
pub const COMMAND: &str = "release --tag-merged";

pub fn run(project: &Project, args: &ReleaseArgs, ui: &Ui, lock: Option<Lock>) -> Result<Verdict> {
    let repo = &project.repo;
    let facts = Facts::gather(project, ui, args.dry_run)?;
    let problems = preconditions::repository_problems(project, &facts, args.allow_branch, false);
    preconditions::report("tag the merged release", &problems)?;
    let (Some(branch), Some(head), Ok(version)) = (&facts.branch, &facts.head, &facts.current) else {
        anyhow::bail!("the facts are incomplete after the preconditions passed");
    };
    let remote = &project.release.remote;
    if let Some(tagged) = facts.tags.iter().find(|t| precedence(&t.version, version) == Ordering::Equal) {
        let unpushed = args.push && !repo.remote_has_tag(remote, &tagged.name)?;
        if !unpushed {
            return nothing(
                ui,
                &format!(
                    "nothing to tag: {branch} holds {version}, which is tagged {} already (on {})",
                    tagged.name,
                    short(&tagged.commit)
                ),
            );
        }
        let steps = vec![Step::PushTag { remote: remote.clone(), tag: tagged.name.clone() }];
        return execute(project, args, ui, lock, plan_of(project, &facts, version, None, String::new(), steps));
    }
    if let Some(newer) = facts.reachable.iter().rev().find(|t| precedence(&t.version, version) == Ordering::Greater) {
        preconditions::report(
            "tag the merged release",
            &[format!(
                "{branch} holds {version}, below its own release tag {} (on {}); nothing can be tagged {version} here: check the version sources",
                newer.name,
                short(&newer.commit)
            )],
        )?;
    }
    let tag = facts.tag_style.name(version);
    if *branch == super::branch::name(&tag) && !args.allow_branch {
        preconditions::report(
            "tag the merged release",
            &[format!(
                "{branch} is the release branch of {tag}, not merged yet: merge its pull request, then run `release --tag-merged` on the branch it was merged into (or pass --allow-branch to tag it here)"
            )],
        )?;
    }
    let since = facts.reachable.last();
    let range = since.map_or_else(|| head.clone(), |t| format!("{}..{head}", t.commit));
    let prefix = &project.release.tag_prefix;
    let mut found = repo.subjects(&range, None)?.into_iter().find(|(_, s)| names_release(s, version, prefix));
    if found.is_none() {
        for reading in &facts.readings {
            found = repo.subjects(&range, Some((&reading.raw, &reading.file)))?.into_iter().next();
            if found.is_some() {
                break;
            }
        }
    }
    let since_text = since.map_or_else(|| "in its history".to_string(), |t| format!("since {}", t.name));
    let Some((commit, subject)) = found else {
        preconditions::report(
            "tag the merged release",
            &[format!(
                "{branch} holds {version}, which has no tag, but no commit {since_text} is its release: none is `chore(release): {tag}` and none changed the version files to it; release it with `cargo xtask release {version}`"
            )],
        )?;
        unreachable!("report fails with a problem");
    };
    let mut problems = preconditions::tag_problems(project, &facts, &tag, false)?;
    if args.push {
        problems.extend(preconditions::remote_problem(project, &tag));
        problems.extend(remote_lacks_commit(project, &facts, branch, &commit));
    }
    preconditions::report("tag the merged release", &problems)?;
    let reachable = changelog::reachable_release_tags(repo, prefix, &commit)?;
    let previous = super::notes_start(&reachable, version);
    let mut commits = changelog::commits(repo, previous.map(|t| t.commit.as_str()), &commit)?;
    commits.retain(|c| !c.is_release());
    let notes = changelog::render_notes(&commits);
    let mut steps = vec![Step::TagCommit {
        name: tag.clone(),
        commit: commit.clone(),
        message: format!("{tag}\n\n{notes}"),
        sign: args.sign,
    }];
    if args.push {
        steps.push(Step::PushTag { remote: remote.clone(), tag: tag.clone() });
    }
    ui.info(format!("tagging {} {version}: {tag} on {} ({subject})", project.release.name, short(&commit)));
    execute(project, args, ui, lock, plan_of(project, &facts, version, previous, notes, steps))
}

/// The plan: tag (and push) on the branch as it is; it moves nothing else.
fn plan_of(
    project: &Project,
    facts: &Facts,
    version: &semver::Version,
    previous: Option<&ReleaseTag>,
    notes: String,
    steps: Vec<Step>,
) -> Plan {
    Plan {
        command: COMMAND.into(),
        project: project.release.name.clone(),
        from: previous.map(|t| t.version.to_string()),
        version: version.to_string(),
        branch: facts.branch.clone().unwrap_or_default(),
        head: facts.head.clone().unwrap_or_default(),
        previous_tag: previous.map(|t| t.name.clone()),
        date: facts.date.clone(),
        gates: Vec::new(),
        notes,
        releases: Vec::new(),
        steps,
    }
}

fn execute(project: &Project, args: &ReleaseArgs, ui: &Ui, lock: Option<Lock>, plan: Plan) -> Result<Verdict> {
    let Some(lock) = lock.filter(|_| !args.dry_run) else {
        plan::show_dry_run(&plan, ui);
        return Ok(Verdict::Passed);
    };
    let outcome = apply::execute(&project.repo, &plan, ui, &lock)?;
    finished(project, &plan, &outcome, ui)
}

/// A subject that names the release of `version`: `chore(release): v1.4.0`, with anything after
/// the tag (a squash merge's ` (#12)`, ` [skip ci]`).
pub fn names_release(subject: &str, version: &semver::Version, prefix: &str) -> bool {
    let Some(rest) = subject.strip_prefix(&planner_prefix()) else { return false };
    let Some(word) = rest.split_whitespace().next() else { return false };
    changelog::tag_version(word, prefix).is_some_and(|v| precedence(&v, version) == Ordering::Equal)
}

fn planner_prefix() -> String {
    super::planner::commit_message("")
}

/// With `--push`: the commit to tag is on the remote's branch, or the tag would point at a commit
/// nobody else has.
fn remote_lacks_commit(project: &Project, facts: &Facts, branch: &str, commit: &str) -> Option<String> {
    let repo = &project.repo;
    let remote = &project.release.remote;
    let theirs = match repo.remote_branch(remote, branch) {
        Ok(theirs) => theirs,
        Err(e) => return Some(format!("--push: {e:#}; check the network and the remote, or tag without --push")),
    };
    let push_first = format!(
        "--push: {} is not on {remote}'s {branch} yet, so the tag would name a commit only this clone has; push {branch} first (`git push {remote} {branch}`), then tag",
        short(commit)
    );
    let Some(theirs) = theirs else { return Some(push_first) };
    if theirs == commit {
        return None;
    }
    if repo.object_type(&theirs).ok().flatten().is_none() && !facts.dry_run {
        let _ = repo.fetch_branch_objects(remote, branch);
    }
    if repo.is_ancestor(commit, &theirs).unwrap_or(false) { None } else { Some(push_first) }
}

/// Exit 0 with the line that says why nothing was done.
fn nothing(ui: &Ui, message: &str) -> Result<Verdict> {
    if ui.json {
        ui.json_doc(&serde_json::json!({ "ok": true, "tagged": serde_json::Value::Null, "message": message }));
    } else {
        ui.summary(format!("{message}\n"));
    }
    Ok(Verdict::Passed)
}

/// The summary of a completed `release --tag-merged`: stdout, or the JSON document.
pub fn finished(project: &Project, plan: &Plan, outcome: &Outcome, ui: &Ui) -> Result<Verdict> {
    let (tag, commit) = plan
        .steps
        .iter()
        .find_map(|s| match s {
            Step::TagCommit { name, commit, .. } => Some((name.clone(), commit.clone())),
            Step::PushTag { tag, .. } => {
                Some((tag.clone(), project.repo.commit_of(tag).ok().flatten().unwrap_or_default()))
            }
            _ => None,
        })
        .unwrap_or_default();
    if ui.json {
        ui.json_doc(&serde_json::json!({
            "ok": true,
            "dry_run": false,
            "version": plan.version,
            "tagged": tag,
            "commit": commit,
            "pushed": outcome.pushed,
            "plan": plan,
        }));
        return Ok(Verdict::Passed);
    }
    let pushed = outcome.pushed.as_ref().map(|r| format!(", pushed to {r}")).unwrap_or_default();
    let made = if plan.tag_name().is_some() { "tagged" } else { "pushed the existing tag" };
    ui.summary(format!("{made} {} {}: {tag} on {}{pushed}\n", plan.project, plan.version, short(&commit)));
    Ok(Verdict::Passed)
}

fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_subjects_name_their_version_with_or_without_a_merge_suffix() {
        let v = semver::Version::parse("1.4.0").unwrap();
        assert!(names_release("chore(release): v1.4.0", &v, "v"));
        assert!(names_release("chore(release): v1.4.0 (#12)", &v, "v"));
        assert!(names_release("chore(release): 1.4.0 [skip ci]", &v, "v"));
        assert!(!names_release("chore(release): v1.4.1", &v, "v"));
        assert!(!names_release("chore(release): v1.4.0-rc.1", &v, "v"));
        assert!(!names_release("feat: v1.4.0", &v, "v"));
        assert!(!names_release("chore(release):", &v, "v"));
        let rc = semver::Version::parse("1.4.0-rc.1").unwrap();
        assert!(names_release("chore(release): v1.4.0rc1", &rc, "v"), "PEP 440 tags read too");
    }
}
