//! Everything that must hold before a release writes anything, checked together and reported
//! together (exit 2): a maintainer fixes every problem in one go, not one per run.

use crate::glob::{Glob, GlobSetBuilder};
use anyhow::{Result, bail};

use super::facts::Facts;
use super::target::{self, TagVersion, Target};
use crate::project::Project;
use crate::version::Version;

/// What the checks need besides the facts.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub target: &'a Target,
    /// The new version, or why it cannot be computed (`None`: the current version is unknown,
    /// which is reported on its own).
    pub next: Option<&'a Result<semver::Version, String>>,
    pub allow_branch: bool,
    /// `--push`: the tag must be absent on the remote too.
    pub push: bool,
    /// `--branch`: the release branch must be new, and the push takes no tag.
    pub branch: bool,
}

/// Check every precondition of a release; the error lists every problem found.
pub fn check(project: &Project, facts: &Facts, request: &Request<'_>) -> Result<()> {
    let hotfix = matches!(request.target, Target::Hotfix);
    let mut problems = repository_problems(project, facts, request.allow_branch, hotfix);
    problems.extend(version_problems(project, facts, request)?);
    report("release", &problems)
}

/// The problems of the new version and its tag: newer than the current version, every file
/// and every release tag; a tag git accepts that exists neither here nor (with `--push`) on
/// the remote.
pub fn version_problems(project: &Project, facts: &Facts, request: &Request<'_>) -> Result<Vec<String>> {
    let hotfix = matches!(request.target, Target::Hotfix);
    let mut problems = Vec::new();
    match (request.next, &facts.current) {
        (Some(Err(why)), _) => problems.push(why.clone()),
        (Some(Ok(new)), Ok(current)) => {
            let tags: Vec<TagVersion> =
                facts.tags.iter().map(|t| TagVersion { name: t.name.clone(), version: t.version.clone() }).collect();
            // Newer for every file, as its own ecosystem orders versions (npm puts rc10 below
            // rc9); then above the current version and every release tag.
            let (from, to) = (Version::from_semver(current.clone()), Version::from_semver(new.clone()));
            let per_file = crate::version::order_problems(&facts.readings, &from, &to);
            if per_file.is_empty()
                && let Err(problem) = target::check_order(new, current, &tags, hotfix)
            {
                problems.push(problem.0);
            }
            problems.extend(per_file);
            let tag = facts.tag_style.name(new);
            if request.branch {
                problems.extend(tag_problems(project, facts, &tag, false)?);
                problems.extend(super::branch::problems(project, facts, &tag, request.push)?);
            } else {
                problems.extend(tag_problems(project, facts, &tag, request.push)?);
            }
        }
        _ => {}
    }
    Ok(problems)
}

/// The problems every release and rollback shares: a branch checked out (and allowed), no
/// changes to tracked files, version sources in sync, a git identity.
pub fn repository_problems(project: &Project, facts: &Facts, allow_branch: bool, hotfix: bool) -> Vec<String> {
    let mut problems = workspace_problems(project, facts, allow_branch, hotfix);
    if let Err(why) = &facts.current {
        problems.insert(problems.len() - usize::from(facts.identity.is_some()), why.clone());
    }
    problems
}

/// The problems of the work tree and the branch alone (not of any version): a branch checked
/// out (and allowed), no changes to tracked files, a git identity.
pub fn workspace_problems(project: &Project, facts: &Facts, allow_branch: bool, hotfix: bool) -> Vec<String> {
    let mut problems = Vec::new();
    match (&facts.branch, &facts.head) {
        (None, _) => {
            problems.push("HEAD is detached: check out the branch to release (such as `git switch main`)".into())
        }
        (Some(branch), None) => problems.push(format!("{branch} has no commits yet: commit the project first")),
        (Some(branch), Some(_)) => {
            let mut allowed = project.release.branches.clone();
            allowed.extend(super::channels::globs(&project.release.channels).map(str::to_string));
            let from = if project.release.channels.is_empty() {
                "release.branches"
            } else {
                "release.branches and release.channels"
            };
            if let Some(problem) = branch_problem(branch, &allowed, from, allow_branch, hotfix) {
                problems.push(problem);
            }
        }
    }
    if !facts.dirty.is_empty() {
        let mut list = facts.dirty.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
        if facts.dirty.len() > 10 {
            list.push_str(&format!(" and {} more", facts.dirty.len() - 10));
        }
        problems.push(format!("uncommitted changes to tracked files: {list}; commit or stash them first"));
    }
    if let Some(identity) = &facts.identity {
        problems.push(format!(
            "git has no identity to commit with ({identity}); set it with `git config user.name \"Your Name\"` and `git config user.email you@example.com`"
        ));
    }
    problems
}

/// The tag a release creates must be a name git accepts, must not exist, here nor (with
/// `--push`) on the remote, and the remote must be there to push to, with a branch that the
/// release's commit can be pushed onto.
pub fn tag_problems(project: &Project, facts: &Facts, tag: &str, push: bool) -> Result<Vec<String>> {
    if let Some(problem) = tag_name_problem(project, tag)? {
        return Ok(vec![problem]);
    }
    let mut problems = Vec::new();
    if let Some(existing) = facts.tags.iter().find(|t| t.name == tag) {
        problems.push(format!("tag {tag} already exists (on commit {})", short(&existing.commit)));
    } else if project.repo.tags_at_start()?.names.iter().any(|t| t == tag) {
        problems.push(format!("tag {tag} already exists"));
    }
    if push {
        match remote_problem(project, tag) {
            Some(problem) => problems.push(problem),
            None => problems.extend(upstream_problem(project, facts)),
        }
    }
    Ok(problems)
}

/// A tag name git refuses (`v..1.2.3`, `-1.2.3`, a prefix with `@{`), named with the setting
/// that made it: `[release] tag-prefix` in the configuration file, with its line.
fn tag_name_problem(project: &Project, tag: &str) -> Result<Option<String>> {
    if project.repo.is_valid_tag_name(tag)? {
        return Ok(None);
    }
    let prefix = &project.release.tag_prefix;
    let at = match &project.config_file {
        Some(file) => {
            let line = std::fs::read_to_string(file)
                .ok()
                .and_then(|text| crate::config::line_of(&text, "tag-prefix"))
                .map(|l| format!(" line {l}"))
                .unwrap_or_default();
            format!("{}{line}: ", project.repo.display_path(file))
        }
        None => String::new(),
    };
    let why = if tag.starts_with('-') {
        "a tag name cannot start with `-`".to_string()
    } else {
        format!(
            "`git check-ref-format refs/tags/{tag}` refuses it: no `..`, `@{{`, `//`, control characters, or a component that starts with `.` or ends with `.lock`"
        )
    };
    Ok(Some(format!(
        "{at}[release] tag-prefix {prefix:?} makes the tag name {tag:?}, which git refuses ({why}); set a prefix such as \"v\" (or \"\" for bare versions)"
    )))
}

/// With `--push`: the remote's branch must not be ahead of HEAD, or the push at the end would
/// be refused after the release was made. Read with `git ls-remote`; a commit not here is
/// fetched (objects only, no ref changes) unless this is a dry run.
fn upstream_problem(project: &Project, facts: &Facts) -> Option<String> {
    let (Some(branch), Some(head)) = (&facts.branch, &facts.head) else { return None };
    let repo = &project.repo;
    let remote = &project.release.remote;
    let theirs = match repo.remote_branch(remote, branch) {
        Ok(Some(theirs)) => theirs,
        Ok(None) => return None,
        Err(e) => return Some(format!("--push: {e:#}; check the network and the remote, or release without --push")),
    };
    if theirs == *head {
        return None;
    }
    let local = |c: &str| repo.object_type(c).ok().flatten().is_some();
    if !local(&theirs) && repo.is_shallow().unwrap_or(false) {
        if facts.dry_run {
            return None;
        }
        if let Err(e) = repo.fetch_branch_objects(remote, branch) {
            return Some(format!("--push: cannot fetch {remote}'s {branch} to compare it with {branch}: {e:#}"));
        }
    }
    if local(&theirs) && repo.is_ancestor(&theirs, head).unwrap_or(false) {
        return None;
    }
    let subject = if local(&theirs) {
        repo.parent_and_subject(&theirs).map(|(_, s)| format!(" ({s})")).unwrap_or_default()
    } else {
        String::new()
    };
    Some(format!(
        "--push: {remote}'s {branch} is at {}{subject}, which {branch} here (at {}) does not contain, so the push would be refused after the release was made; run `git pull --rebase {remote} {branch}`, then release again",
        short(&theirs),
        short(head)
    ))
}

/// Nothing, or one error (exit 2) listing every problem: `cannot COMMAND (N problems; ...)`.
pub fn report(command: &str, problems: &[String]) -> Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    let count = if problems.len() == 1 { "1 problem".to_string() } else { format!("{} problems", problems.len()) };
    let list: String = problems.iter().map(|p| format!("\n  - {p}")).collect();
    bail!("cannot {command} ({count}; nothing was changed):{list}")
}

fn branch_problem(branch: &str, patterns: &[String], from: &str, allow_branch: bool, hotfix: bool) -> Option<String> {
    if allow_branch {
        return None;
    }
    if hotfix && !branch.starts_with("hotfix/") {
        return Some(format!(
            "hotfix releases are cut from a hotfix/* branch of the release line (such as `git switch -c hotfix/1.2 v1.2.3`), not {branch}; pass --allow-branch to override"
        ));
    }
    let mut set = GlobSetBuilder::new();
    for pattern in patterns {
        match Glob::new(pattern) {
            Ok(glob) => {
                set.add(glob);
            }
            Err(e) => return Some(format!("{from}: {pattern}: not a glob ({e})")),
        }
    }
    let set = set.build();
    if set.is_match(branch) {
        return None;
    }
    Some(format!(
        "releases are cut from {} ({from}), not {branch}; switch branch or pass --allow-branch",
        patterns.join(", ")
    ))
}

/// With `--push`: the remote is configured and reachable and does not have the tag yet.
pub(super) fn remote_problem(project: &Project, tag: &str) -> Option<String> {
    let remote = &project.release.remote;
    match project.repo.remote_url(remote) {
        Ok(Some(_)) => {}
        Ok(None) => {
            return Some(format!(
                "--push: there is no remote {remote} (release.remote); add it with `git remote add {remote} URL` or release without --push"
            ));
        }
        Err(e) => return Some(format!("--push: {e:#}")),
    }
    match project.repo.remote_has_tag(remote, tag) {
        Ok(true) => Some(format!("tag {tag} already exists on {remote}")),
        Ok(false) => None,
        Err(e) => Some(format!("--push: {e:#}; check the network and the remote, or release without --push")),
    }
}

fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}
