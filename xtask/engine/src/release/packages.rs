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
use crate::project::{GateSpec, Project};
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

/// `release --all`: a unit of a linked group that has nothing of its own to release but
/// requires a package being released is released too, a patch (and so on, until no more).
fn promote_linked<'u, 'p>(
    project: &Project,
    reads: &mut Vec<Read<'u, 'p>>,
    skipped: &mut Vec<(Read<'u, 'p>, String)>,
) -> Result<()> {
    let manifests = manifests(project);
    loop {
        let (_, changed) = crate::version::requirement_edits(project, &manifests, &moved(project, reads))?;
        let requires = |read: &Read<'_, '_>| {
            read.unit.packages.iter().any(|p| p.linked)
                && changed.iter().any(|c| {
                    crate::packages::owner(&project.packages, &c.path)
                        .is_some_and(|o| read.unit.packages.iter().any(|p| p.name == o.name))
                })
        };
        let Some(at) = skipped.iter().position(|(read, _)| requires(read)) else { return Ok(()) };
        let (mut read, _) = skipped.remove(at);
        let patch = Target::Level(super::target::Level::Patch);
        read.next = read.facts.current.as_ref().ok().map(|current| {
            super::target::next_version(current, &patch, &super::target::Inputs::default())
                .map_err(|e| format!("{e:#}"))
        });
        reads.push(read);
    }
}

/// The gates that check the packages being released: every gate but those whose folders (a
/// command's, a linter's, the test runners', a scanner's paths) all lie in packages that are
/// not being released; and those left out, as `NAME (PACKAGE)`. A gate of the root or of the
/// whole repository always runs.
fn gates_of<'g>(project: &'g Project, reads: &[Read<'_, '_>]) -> (Vec<&'g GateSpec>, Vec<String>) {
    use crate::project::GateKind;
    let released = |name: &str| reads.iter().any(|r| r.unit.packages.iter().any(|p| p.name == name));
    let mut kept = Vec::new();
    let mut left_out = Vec::new();
    for gate in &project.gates {
        let folders: Vec<&str> = match &gate.kind {
            GateKind::Command(c) => vec![c.cwd.as_str()],
            GateKind::Lint(l) => vec![l.command.cwd.as_str()],
            GateKind::Tests { commands } => commands.iter().map(|c| c.cwd.as_str()).collect(),
            GateKind::Ascii { paths, .. }
            | GateKind::Ellipsis { paths, .. }
            | GateKind::Compile { paths, .. }
            | GateKind::Links { paths, .. } => paths.iter().map(String::as_str).collect(),
            GateKind::Versions | GateKind::Commits { .. } => Vec::new(),
        };
        let owners: Vec<Option<&crate::packages::Package>> = folders
            .iter()
            .map(|f| match f.trim_matches('/') {
                "" | "." => None,
                f => crate::packages::owner(&project.packages, f).filter(|o| !o.folder.is_empty()),
            })
            .collect();
        let elsewhere = !owners.is_empty() && owners.iter().all(|o| o.is_some_and(|o| !released(&o.name)));
        if elsewhere {
            let names: BTreeSet<&str> = owners.iter().flatten().map(|o| o.name.as_str()).collect();
            left_out.push(format!("{} ({})", gate.name, names.into_iter().collect::<Vec<_>>().join(", ")));
        } else {
            kept.push(gate);
        }
    }
    (kept, left_out)
}

/// The manifests that may require another package: each package's `package.json` and
/// `pyproject.toml`.
fn manifests(project: &Project) -> Vec<String> {
    let mut out = Vec::new();
    for package in project.packages.all() {
        for name in ["package.json", "pyproject.toml"] {
            let path = package.file(name);
            if project.files.iter().any(|f| f == path) {
                out.push(path);
            }
        }
    }
    out
}

/// The packages that move, each by the names other manifests require it by.
fn moved(project: &Project, reads: &[Read<'_, '_>]) -> Vec<crate::version::Moved> {
    let mut out = Vec::new();
    for read in reads {
        let Some(Ok(to)) = &read.next else { continue };
        for package in &read.unit.packages {
            let at = |name: &str| {
                let path = package.file(name);
                std::fs::read_to_string(project.repo.path(&path)).ok()
            };
            let npm = at("package.json")
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_string));
            let python = at("pyproject.toml").and_then(|t| t.parse::<toml_edit::DocumentMut>().ok()).and_then(|d| {
                d.get("project").and_then(|p| p.get("name")).and_then(|n| n.as_str()).map(str::to_string)
            });
            out.push(crate::version::Moved { npm, python, to: crate::version::Version::from_semver(to.clone()) });
        }
    }
    out
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
        match nothing_to_release(project, &read, &target, args)? {
            Some(why) => skipped.push((read, why)),
            None => reads.push(read),
        }
    }
    if args.all {
        promote_linked(project, &mut reads, &mut skipped)?;
    }
    let skipped: Vec<String> = skipped.iter().map(|(read, why)| format!("{}: {why}", read.unit.label())).collect();
    for read in &reads {
        let unit = read.unit;
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
    let (gates, left_out) = gates_of(project, &reads);
    let plan = make_plan(project, &shared, &reads, &gates, args)?;
    let Some(lock) = lock else {
        plan::show_dry_run(&plan, ui);
        return Ok(Verdict::Passed);
    };
    if !left_out.is_empty() && !args.no_verify {
        ui.info(format!("gates of packages not being released are left out: {}", left_out.join(", ")));
    }
    super::verify(project, &gates, args, ui)?;
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
    let facts = unit_facts(project, shared, unit, (refs, reachable));
    let paths = pathspecs_of(&project.packages, &unit.packages);
    let scope = Scope { prefix: &unit.tag().prefix, paths: Some(&paths) };
    let next = facts.current.as_ref().ok().map(|c| super::next_version(project, &facts, c, target, args, &scope));
    Ok(Read { unit, facts, paths, next })
}

/// The facts of the repository (`shared`) as one unit sees them: its version (from its own
/// sources, which must agree), its release tags (by its tag prefix) and how it tags.
pub(crate) fn unit_facts(
    project: &Project,
    shared: &Facts,
    unit: &Unit<'_>,
    (refs, reachable): (&[TagRef], &[TagRef]),
) -> Facts {
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
    Facts {
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
    }
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

fn make_plan(
    project: &Project,
    shared: &Facts,
    reads: &[Read<'_, '_>],
    gates: &[&GateSpec],
    args: &ReleaseArgs,
) -> Result<Plan> {
    let repo = &project.repo;
    let (Some(branch), Some(head)) = (&shared.branch, &shared.head) else {
        bail!("the release facts are incomplete after the preconditions passed");
    };
    let (requirements, changed) =
        crate::version::requirement_edits(project, &manifests(project), &moved(project, reads))?;
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
            let dependencies: Vec<String> = changed
                .iter()
                .filter(|c| {
                    crate::packages::owner(&project.packages, &c.path)
                        .is_some_and(|o| members.iter().any(|m| m.name == o.name))
                })
                .map(|c| match c.before.starts_with(&c.on) {
                    true => format!("{}: {} -> {}", c.path, c.before, c.after),
                    false => format!("{}: {} {} -> {}", c.path, c.on, c.before, c.after),
                })
                .collect();
            changelogs.push(ChangelogInput { path, before, commits: listed, dependencies });
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
        .chain(requirements.iter().map(|e| e.path.as_str()))
        .filter(|p| apply::files::mode_of(&repo.path(p)).ok().flatten().is_some_and(|m| m & 0o111 != 0))
        .map(str::to_string)
        .collect();
    plan_packages::plan_packages(plan_packages::Input {
        project: &project.release.name,
        branch,
        head,
        date: &shared.date,
        gates: if args.no_verify { Vec::new() } else { gates.iter().map(|g| g.name.clone()).collect() },
        sign: args.sign,
        push: args.push.then_some(project.release.remote.as_str()),
        executable: &executable,
        units: inputs,
        requirements,
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
