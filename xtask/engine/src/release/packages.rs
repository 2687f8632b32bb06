//! `release NAME TARGET` and `release --all TARGET` when `xtask.toml` declares packages: each
//! unit (a fixed group, or an independent package) gets its version from its own sources, its
//! tags and the commits that touch its folders; every precondition of every unit is checked
//! and reported together; then one plan (one commit, a tag per unit, one push) goes to the
//! executor, so a failure or a kill anywhere restores all of it.

use std::collections::BTreeSet;

use anyhow::{Result, bail};
use semver::Version;

use super::facts::Facts;
use super::plan_packages::{self, ChangelogInput, UnitInput};
use super::target::Target;
use super::{Scope, preconditions};
use crate::apply::{self, Lock, Outcome};
use crate::changelog;
use crate::cli::ReleaseArgs;
use crate::error::Verdict;
use crate::output::Ui;
use crate::packages::units::{self, Unit, pathspecs_of};
use crate::plan::{self, Plan};
use crate::project::Project;
use crate::repo::history::TagRef;

/// `release --all` or `release NAME TARGET` in a repository without packages: what to do instead.
pub(super) fn single_version_problem(args: &ReleaseArgs) -> Option<String> {
    let fix = "run `release TARGET` for the repository's one version, or declare the packages (docs/packages.md)";
    if args.all {
        return Some(format!("--all releases the packages of xtask.toml, and it declares no [[package]]; {fix}"));
    }
    let (name, target) = (args.target.as_deref()?, args.then.as_deref()?);
    Some(format!(
        "release {name} {target}: xtask.toml declares no [[package]], so there is no package {name:?} to release; {fix}"
    ))
}

/// One unit as the release found it, and the version it moves to when it is released.
struct Read<'u, 'p> {
    unit: &'u Unit<'p>,
    facts: Facts,
    paths: Vec<String>,
    next: Option<Result<Version, String>>,
}

pub(super) fn run(project: &Project, args: &ReleaseArgs, ui: &Ui, lock: Option<Lock>) -> Result<Verdict> {
    if args.branch {
        bail!(
            "--branch does not release packages yet: release them on the branch itself (`release NAME TARGET` or `release --all TARGET`, without --branch)"
        );
    }
    let all = units::units(&project.packages);
    let (name, text) = match (args.target.as_deref(), args.then.as_deref()) {
        (Some(name), Some(target)) => (Some(name), target),
        (Some(target), None) => (None, target),
        _ => bail!("give the TARGET to release (such as `release --all auto` or `release NAME minor`)"),
    };
    let chosen: Vec<&Unit> = match name {
        Some(name) => vec![units::find(&all, name)?],
        None if args.all || all.len() == 1 => all.iter().collect(),
        None => bail!(
            "this repository releases several packages ({}): name one (`release {} {text}`), or release every one that {text} moves with `release --all {text}`",
            all.iter().map(Unit::label).collect::<Vec<_>>().join(", "),
            all[0].name
        ),
    };
    let target = Target::parse(text);
    if args.all && matches!(target, Target::Explicit(_)) {
        bail!(
            "release --all {text}: one version for several packages is what a fixed [[group]] is for; release each with its own (`release NAME {text}`), or give a level (`--all minor`, `--all auto`)"
        );
    }
    let shared = Facts::gather(project, ui, args.dry_run)?;
    let repo = &project.repo;
    let refs = repo.tag_refs(None)?;
    let reachable = if shared.head.is_some() { repo.tag_refs(Some("HEAD"))? } else { Vec::new() };
    let mut problems =
        preconditions::workspace_problems(project, &shared, args.allow_branch, matches!(target, Target::Hotfix));
    let mut reads = Vec::new();
    let mut skipped = Vec::new();
    for unit in chosen {
        let read = read_unit(project, &shared, unit, (&refs, &reachable), &target, args)?;
        if let Some(why) = nothing_to_release(project, &read, &target, args)? {
            skipped.push(format!("{}: {why}", unit.label()));
            continue;
        }
        let request = preconditions::Request {
            target: &target,
            next: read.next.as_ref(),
            allow_branch: args.allow_branch,
            push: args.push,
            branch: false,
        };
        if let Err(why) = &read.facts.current {
            problems.push(format!("{}: {why}", unit.label()));
        }
        let found = preconditions::version_problems(project, &read.facts, &request)?;
        problems.extend(found.into_iter().map(|p| format!("{}: {p}", unit.label())));
        reads.push(read);
    }
    let mut seen = BTreeSet::new();
    problems.retain(|p| seen.insert(p.clone()));
    preconditions::report("release", &problems)?;
    for line in &skipped {
        ui.info(format!("nothing to release for {line}"));
    }
    if reads.is_empty() {
        bail!(
            "cannot release (nothing was changed): no package has anything to release:\n  - {}",
            skipped.join("\n  - ")
        );
    }
    let plan = make_plan(project, &shared, &reads, args)?;
    let Some(lock) = lock else {
        plan::show_dry_run(&plan, ui);
        return Ok(Verdict::Passed);
    };
    if args.no_verify {
        ui.warn("--no-verify: the quality gates were NOT run before this release");
    } else {
        super::run_gates(project, ui)?;
    }
    let moves: Vec<String> =
        plan.releases.iter().map(|r| format!("{} {} -> {} (tag {})", r.name, r.from, r.version, r.tag)).collect();
    ui.info(format!("releasing {}", moves.join(", ")));
    let outcome = apply::execute(repo, &plan, ui, &lock)?;
    finished(project, &plan, &outcome, ui)
}

/// The unit's version, tags and new version, read with its own sources and tag prefix.
fn read_unit<'u, 'p>(
    project: &Project,
    shared: &Facts,
    unit: &'u Unit<'p>,
    (refs, reachable): (&[TagRef], &[TagRef]),
    target: &Target,
    args: &ReleaseArgs,
) -> Result<Read<'u, 'p>> {
    let survey = crate::version::survey_of(project, &unit.sources(project));
    let current = if let Some(e) = survey.errors.first() {
        Err(format!("{e}"))
    } else if survey.readings.is_empty() {
        Err(format!(
            "no version source found in {}; list the files that hold its version as [[package.version]] in xtask.toml",
            unit.packages.iter().map(|p| p.shown_folder()).collect::<Vec<_>>().join(", ")
        ))
    } else {
        crate::version::current(&survey.readings).map(|v| v.semver().clone()).map_err(|e| format!("{e:#}"))
    };
    let prefix = &unit.tag().prefix;
    let facts = Facts {
        branch: shared.branch.clone(),
        head: shared.head.clone(),
        dirty: shared.dirty.clone(),
        readings: survey.readings,
        current,
        tags: changelog::from_refs(refs, prefix),
        reachable: changelog::from_refs(reachable, prefix),
        tag_style: unit.tag().clone(),
        identity: shared.identity.clone(),
        date: shared.date.clone(),
        dry_run: shared.dry_run,
    };
    let paths = pathspecs_of(&project.packages, &unit.packages);
    let scope = Scope { prefix, paths: Some(&paths) };
    let next = facts.current.as_ref().ok().map(|c| super::next_version(project, &facts, c, target, args, &scope));
    Ok(Read { unit, facts, paths, next })
}

/// With `--all auto`: why a unit with no releasable commit is left out (`None`: it releases).
fn nothing_to_release(
    project: &Project,
    read: &Read<'_, '_>,
    target: &Target,
    args: &ReleaseArgs,
) -> Result<Option<String>> {
    let (true, Target::Auto, Ok(current)) = (args.all, target, &read.facts.current) else { return Ok(None) };
    let scope = Scope { prefix: &read.unit.tag().prefix, paths: Some(&read.paths) };
    let (level, why) = super::auto_level(project, &read.facts, current, args.pre.is_some(), &scope)?;
    Ok(level.is_none().then_some(why))
}

fn make_plan(project: &Project, shared: &Facts, reads: &[Read<'_, '_>], args: &ReleaseArgs) -> Result<Plan> {
    let repo = &project.repo;
    let (Some(branch), Some(head)) = (&shared.branch, &shared.head) else {
        bail!("the release facts are incomplete after the preconditions passed");
    };
    let mut inputs = Vec::new();
    for read in reads {
        let (Some(Ok(new)), Ok(current)) = (&read.next, &read.facts.current) else {
            bail!("the new version of {} is unknown although every precondition holds", read.unit.name);
        };
        let edits = crate::version::plan_edits(
            project,
            &read.facts.readings,
            &crate::version::Version::from_semver(new.clone()),
        )?;
        let previous = super::notes_start(&read.facts.reachable, new);
        let from = previous.map(|t| t.commit.as_str());
        let mut commits = changelog::commits(repo, from, "HEAD")?;
        commits.retain(|c| !c.is_release());
        let touching = repo.commits_touching(from, "HEAD", &read.paths)?;
        commits.retain(|c| touching.contains(&c.hash));
        let mut changelogs = Vec::new();
        for (path, members) in read.unit.changelogs() {
            let mut listed = commits.clone();
            if members.len() < read.unit.packages.len() {
                let theirs = repo.commits_touching(from, "HEAD", &pathspecs_of(&project.packages, &members))?;
                listed.retain(|c| theirs.contains(&c.hash));
            }
            let before = match std::fs::read(repo.path(&path)) {
                Ok(bytes) => Some(bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => bail!("{path}: cannot read ({e})"),
            };
            changelogs.push(ChangelogInput { path, before, commits: listed });
        }
        inputs.push(UnitInput {
            name: read.unit.name.clone(),
            packages: read.unit.package_names(),
            from: current.clone(),
            to: new.clone(),
            tag: read.facts.tag_style.name(new),
            previous_tag: previous.map(|t| t.name.clone()),
            edits,
            changelogs,
            commits,
        });
    }
    let executable: BTreeSet<String> = inputs
        .iter()
        .flat_map(|u| u.edits.iter().map(|e| e.path.as_str()).chain(u.changelogs.iter().map(|c| c.path.as_str())))
        .filter(|p| apply::files::mode_of(&repo.path(p)).ok().flatten().is_some_and(|m| m & 0o111 != 0))
        .map(str::to_string)
        .collect();
    plan_packages::plan_packages(plan_packages::Input {
        project: &project.release.name,
        branch,
        head,
        date: &shared.date,
        gates: if args.no_verify { Vec::new() } else { project.gates.iter().map(|g| g.name.clone()).collect() },
        sign: args.sign,
        push: args.push.then_some(project.release.remote.as_str()),
        executable: &executable,
        units: inputs,
    })
}

/// The summary of a completed release of packages: stdout, or the JSON document.
pub(super) fn finished(project: &Project, plan: &Plan, outcome: &Outcome, ui: &Ui) -> Result<Verdict> {
    let head = project.repo.head_commit()?.unwrap_or_default();
    let short = head.get(..7).unwrap_or(&head);
    if ui.json {
        ui.json_doc(&serde_json::json!({
            "ok": true,
            "dry_run": false,
            "releases": plan.releases,
            "tags": plan.tag_names(),
            "commit": head,
            "pushed": outcome.pushed,
            "plan": plan,
        }));
    } else {
        let moved: Vec<String> =
            plan.releases.iter().map(|r| format!("{} {} (tag {})", r.name, r.version, r.tag)).collect();
        let pushed = outcome.pushed.as_ref().map(|r| format!(", pushed to {r}")).unwrap_or_default();
        ui.summary(format!("released {}: commit {short} on {}{pushed}\n", moved.join(", "), plan.branch));
    }
    Ok(Verdict::Passed)
}
