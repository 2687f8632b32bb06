//! `cargo xtask release`: gather the facts, check every precondition, plan, then show the
//! plan (`--dry-run`) or run the gates and hand the plan to the executor.

pub mod branch;
pub mod channels;
pub mod facts;
pub(crate) mod packages;
mod plan_packages;
pub mod planner;
pub mod preconditions;
pub mod tag_merged;
pub mod target;

use std::collections::BTreeSet;

use anyhow::{Result, bail};
use semver::Version;

use crate::apply::{self, Lock, Outcome};
use crate::changelog::{self, ReleaseTag};
use crate::cli::ReleaseArgs;
use crate::error::{CheckFailed, Verdict};
use crate::output::Ui;
use crate::plan::{self, Plan};
use crate::project::Project;
use crate::report;
use facts::Facts;
use target::{Inputs, Level, Target};

pub fn run(project: &Project, args: &ReleaseArgs, ui: &Ui) -> Result<Verdict> {
    let repo = &project.repo;
    repo.require_git("release")?;
    let git_dir = repo.git_dir()?;
    if args.resume {
        let lock = Lock::acquire(&git_dir)?;
        let (plan, outcome) = apply::resume(repo, ui, &lock)?;
        return match plan.command.as_str() {
            "release" => finished(project, &plan, &outcome, ui),
            tag_merged::COMMAND => tag_merged::finished(project, &plan, &outcome, ui),
            _ => crate::rollback::finished(project, &plan, &outcome, ui),
        };
    }
    if args.abort {
        let lock = Lock::acquire(&git_dir)?;
        let (journal, kept) = apply::abort(repo, ui, &lock)?;
        let short = journal.head_before.get(..7).unwrap_or(&journal.head_before);
        let message = format!(
            "aborted {} {}: the repository is as it was before it began ({} at {short}){}",
            journal.plan.command,
            journal.plan.version,
            journal.branch,
            apply::kept_note(&journal.plan.command, &kept)
        );
        if ui.json {
            ui.json_doc(&serde_json::json!({ "ok": true, "aborted": journal.plan, "kept": kept, "message": message }));
        } else {
            ui.summary(format!("{message}\n"));
        }
        return Ok(Verdict::Passed);
    }
    // One release at a time; a dry run only looks (it creates no lock file).
    let lock = Lock::for_run(&git_dir, args.dry_run)?;
    apply::refuse_if_interrupted(repo)?;
    if args.tag_merged {
        return tag_merged::run(project, args, ui, lock);
    }
    if !project.packages.is_empty() {
        return packages::run(project, args, ui, lock);
    }
    if let Some(problem) = packages::single_version_problem(args) {
        bail!("{problem}");
    }
    let target = Target::parse(args.target.as_deref().unwrap_or_default());
    let facts = Facts::gather(project, ui, args.dry_run)?;
    let scope = Scope { prefix: &project.release.tag_prefix, paths: None };
    let next = facts.current.as_ref().ok().map(|current| next_version(project, &facts, current, &target, args, &scope));
    let request = preconditions::Request {
        target: &target,
        next: next.as_ref(),
        allow_branch: args.allow_branch,
        push: args.push,
        branch: args.branch,
    };
    preconditions::check(project, &facts, &request)?;
    let Some(Ok(new)) = next else { bail!("the new version is unknown although every precondition holds") };
    let plan = make_plan(project, &facts, &new, args)?;
    let Some(lock) = lock else {
        plan::show_dry_run(&plan, ui);
        return Ok(Verdict::Passed);
    };
    verify(project, &project.gates.iter().collect::<Vec<_>>(), args, ui)?;
    let what = match plan.new_branch() {
        Some(branch) => format!("on branch {branch}, no tag until it is merged"),
        None => format!("tag {}", plan.tag_name().unwrap_or("?")),
    };
    ui.info(
        format!("releasing {} {} -> {} ({what})", plan.project, plan.from.as_deref().unwrap_or("?"), plan.version,),
    );
    let outcome = apply::execute(repo, &plan, ui, &lock)?;
    finished(project, &plan, &outcome, ui)
}

/// What a release moves: the tag prefix an explicit version may carry, and (for a package)
/// the paths whose commits count for `auto`.
pub(crate) struct Scope<'a> {
    pub prefix: &'a str,
    /// The pathspecs of the package's commits; `None`: every commit.
    pub paths: Option<&'a [String]>,
}

/// The new version `target` asks for, or why there is none (reported with the other
/// preconditions).
fn next_version(
    project: &Project,
    facts: &Facts,
    current: &Version,
    target: &Target,
    args: &ReleaseArgs,
    scope: &Scope<'_>,
) -> Result<Version, String> {
    // On a channel's branch, `auto` and the levels make pre-releases of its label.
    let channel = facts.branch.as_deref().and_then(|b| channels::label_for(b, &project.release.channels));
    let pre = match target {
        Target::Auto | Target::Level(_) => args.pre.clone().or(channel.map(str::to_string)),
        _ => args.pre.clone(),
    };
    let mut inputs = Inputs { pre, ..Inputs::default() };
    match target {
        Target::Explicit(text) => inputs.explicit = Some(target::explicit_version(text, scope.prefix)?),
        Target::Auto if facts.head.is_none() => inputs.auto_reason = "the branch has no commits yet".into(),
        Target::Auto => {
            (inputs.auto_level, inputs.auto_reason) =
                auto_level(project, facts, current, inputs.pre.is_some(), scope).map_err(|e| format!("{e:#}"))?;
        }
        _ => {}
    }
    target::next_version(current, target, &inputs).map_err(|e| format!("{e:#}"))
}

/// The level `auto` releases at, from the Conventional Commits since the last release (in
/// `scope`), or `None` and why there is nothing to release. `pre`: a pre-release label is given.
pub(crate) fn auto_level(
    project: &Project,
    facts: &Facts,
    current: &Version,
    pre: bool,
    scope: &Scope<'_>,
) -> Result<(Option<Level>, String)> {
    // Off the channels, a pre-release is finished by the commits since the last final
    // release (a merged `develop` gives the final version of its betas).
    let finishing = !pre && !project.release.channels.is_empty() && !current.pre.is_empty();
    let since = match finishing {
        true => facts.reachable.iter().rev().find(|t| t.version.pre.is_empty()),
        false => facts.reachable.last(),
    };
    let from = since.map(|t| t.commit.as_str());
    let mut commits = changelog::commits(&project.repo, from, "HEAD")?;
    if let Some(paths) = scope.paths {
        let touching = project.repo.commits_touching(from, "HEAD", paths)?;
        commits.retain(|c| touching.contains(&c.hash));
    }
    let level = changelog::bump(&commits).map(|b| match b {
        changelog::Bump::Major => Level::Major,
        changelog::Bump::Minor => Level::Minor,
        changelog::Bump::Patch => Level::Patch,
    });
    Ok((level, nothing_releasable(&commits, since)))
}

/// Why `release auto` found nothing to release.
fn nothing_releasable(commits: &[changelog::Commit], since: Option<&ReleaseTag>) -> String {
    let since =
        since.map_or_else(|| "in the history (no release tag yet)".to_string(), |t| format!("since {}", t.name));
    if commits.is_empty() {
        return format!("no commits {since}");
    }
    let mut kinds = std::collections::BTreeMap::<&str, usize>::new();
    for commit in commits {
        *kinds.entry(if commit.kind.is_empty() { "non-conventional" } else { commit.kind.as_str() }).or_default() += 1;
    }
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k}: {n}")).collect();
    format!(
        "{} commit{} {since} ({}), none a feature, fix, performance change, refactor, revert or breaking change; give the level (`release patch`) to release anyway",
        commits.len(),
        if commits.len() == 1 { "" } else { "s" },
        kinds.join(", ")
    )
}

/// The release tag the notes start after: for a final release the previous final release
/// reachable from HEAD (the notes of `1.3.0` cover its release candidates too), for a
/// pre-release the previous release of any kind.
pub(crate) fn notes_start<'a>(reachable: &'a [ReleaseTag], new: &Version) -> Option<&'a ReleaseTag> {
    reachable.iter().rev().find(|t| {
        target::precedence(&t.version, new) == std::cmp::Ordering::Less
            && (!new.pre.is_empty() || t.version.pre.is_empty())
    })
}

fn make_plan(project: &Project, facts: &Facts, new: &Version, args: &ReleaseArgs) -> Result<Plan> {
    let repo = &project.repo;
    let (Some(branch), Some(head), Ok(current)) = (&facts.branch, &facts.head, &facts.current) else {
        bail!("the release facts are incomplete after the preconditions passed");
    };
    let edits =
        crate::version::plan_edits(project, &facts.readings, &crate::version::Version::from_semver(new.clone()))?;
    let previous = notes_start(&facts.reachable, new);
    let mut commits = changelog::commits(repo, previous.map(|t| t.commit.as_str()), "HEAD")?;
    // The release commits of the pre-releases in the range are not news.
    commits.retain(|c| !c.is_release());
    let changelog_path = &project.release.changelog;
    let changelog_bytes = match std::fs::read(repo.path(changelog_path)) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => bail!("{changelog_path}: cannot read ({e})"),
    };
    let executable: BTreeSet<String> = edits
        .iter()
        .map(|e| e.path.as_str())
        .chain([changelog_path.as_str()])
        .filter(|p| apply::files::mode_of(&repo.path(p)).ok().flatten().is_some_and(|m| m & 0o111 != 0))
        .map(str::to_string)
        .collect();
    let gates = if args.no_verify { Vec::new() } else { project.gates.iter().map(|g| g.name.clone()).collect() };
    planner::plan_release(planner::Input {
        project: &project.release.name,
        tag_style: &facts.tag_style,
        from: current,
        to: new,
        branch,
        head,
        previous_tag: previous.map(|t| t.name.as_str()),
        date: &facts.date,
        commits: &commits,
        edits,
        changelog_path,
        changelog: changelog_bytes.as_deref(),
        executable: &executable,
        gates,
        sign: args.sign,
        push: args.push.then_some(project.release.remote.as_str()),
        on_branch: args.branch,
    })
}

/// All the gates, before the first write, quiet unless one fails: a failing gate stops the
/// release (exit 1), a gate that cannot run too (exit 2).
pub fn run_gates(project: &Project, ui: &Ui) -> Result<()> {
    run_these_gates(project, &project.gates.iter().collect::<Vec<_>>(), ui)
}

/// The gates before the first write, or the warning that `--no-verify` skipped them.
fn verify(project: &Project, gates: &[&crate::project::GateSpec], args: &ReleaseArgs, ui: &Ui) -> Result<()> {
    if args.no_verify {
        ui.warn("--no-verify: the quality gates were NOT run before this release");
        return Ok(());
    }
    run_these_gates(project, gates, ui)
}

/// [`run_gates`] with these gates only.
pub(crate) fn run_these_gates(project: &Project, gates: &[&crate::project::GateSpec], ui: &Ui) -> Result<()> {
    if gates.is_empty() {
        ui.info("no quality gates to run (none configured or detected)");
        return Ok(());
    }
    ui.info(format!("running {} quality gates before the first write (--no-verify skips them)", gates.len()));
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let results = crate::gates::check(project, gates, crate::gates::Options { jobs, fix: false }, ui);
    let verdict = crate::gates::verdict(&results);
    if verdict == Verdict::Passed {
        ui.info(format!("quality gates passed ({})", results.len()));
        return Ok(());
    }
    let findings = report::findings_text(&results);
    for line in findings.lines() {
        ui.err_line(line);
    }
    let table = report::table(&results, &|_, s: &str| s.to_string());
    for line in table.lines() {
        ui.err_line(line);
    }
    let failed: Vec<&str> = results
        .iter()
        .filter(|r| r.status != report::Status::Passed && r.status != report::Status::Skipped)
        .map(|r| r.name.as_str())
        .collect();
    let message = format!(
        "the quality gates did not pass ({}), so nothing was released or changed; fix them (cargo xtask quality-check) or pass --no-verify",
        failed.join(", ")
    );
    if verdict == Verdict::Failed {
        return Err(CheckFailed(message).into());
    }
    bail!("{message}")
}

/// The summary of a completed release: stdout, or the JSON document.
fn finished(project: &Project, plan: &Plan, outcome: &Outcome, ui: &Ui) -> Result<Verdict> {
    if !plan.releases.is_empty() {
        return packages::finished(project, plan, outcome, ui);
    }
    if plan.new_branch().is_some() {
        return branch::finished(project, plan, outcome, ui);
    }
    let head = project.repo.head_commit()?.unwrap_or_default();
    let short = head.get(..7).unwrap_or(&head);
    let tag = plan.tag_name().unwrap_or_default();
    let pushed = outcome.pushed.as_ref().map(|r| format!(", pushed to {r}")).unwrap_or_default();
    if ui.json {
        ui.json_doc(&serde_json::json!({
            "ok": true,
            "dry_run": false,
            "version": plan.version,
            "tag": tag,
            "commit": head,
            "pushed": outcome.pushed,
            "plan": plan,
        }));
    } else {
        ui.summary(format!(
            "released {} {}: commit {short} on {}, tag {tag}{pushed}\n",
            plan.project, plan.version, plan.branch
        ));
    }
    Ok(Verdict::Passed)
}
