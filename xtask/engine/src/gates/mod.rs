//! The quality gates: choosing them, running them in parallel, and reporting their results.
//!
//! Gates that read file contents (ascii, ellipsis, links) share one pass over the files
//! (`scan`): each file is read once, however many of them want it. The other gates (versions,
//! compile, tests, commands) are jobs of their own. At most `--jobs` jobs run at once, and the
//! shared pass reads files on `--jobs` threads.

pub mod ascii;
pub mod cache;
pub mod chars;
pub mod command;
pub mod commits;
pub mod compile;
pub mod ellipsis;
mod languages;
pub mod links;
pub mod lint;
pub mod list;
mod progress;
mod python_blocks;
pub mod scan;
pub mod select;
pub mod syntax;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Result, bail};

use crate::cli::QualityCheckArgs;
use crate::error::Verdict;
use crate::output::{Style, Ui};
use crate::project::{GateKind, GateSpec, Project};
use crate::report::{self, GateResult, Status};
use progress::Progress;
use select::Selector;

/// The names of the built-in gates (a `[[gates.command]]` may not take them).
pub const BUILTIN: &[&str] = &["versions", "ascii", "ellipsis", "compile", "links", "tests", "commits"];

/// What a gate that is not a file scan produced.
pub enum Outcome {
    Findings(Vec<report::Finding>),
    Skipped(String),
    Error(String),
}

/// How to run the gates.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Jobs at once, and threads of the shared file pass.
    pub jobs: usize,
    /// Rewrite what the ascii gate can fix.
    pub fix: bool,
}

/// `cargo xtask quality-check`.
pub fn run(project: &Project, args: &QualityCheckArgs, ui: &Ui) -> Result<Verdict> {
    let based = commits::with_base(&project.gates, args.base.as_deref())?;
    let chosen = choose(based.as_deref().unwrap_or(&project.gates), &args.only, &args.skip)?;
    if args.list {
        list::print(project, &chosen, ui);
        return Ok(Verdict::Passed);
    }
    let jobs = match args.jobs {
        Some(0) => bail!("--jobs 0: give at least 1"),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    if chosen.is_empty() {
        ui.warn("no gates to run: none configured in xtask.toml or detected (see `quality-check --list`)");
    }
    if args.fix && !chosen.iter().any(|g| matches!(g.kind, GateKind::Ascii { .. })) {
        ui.warn("--fix rewrites what the ascii gate checks, and the ascii gate is not running");
    }
    let opts = Options { jobs, fix: args.fix };
    // The gate cache and --changed answer for some gates; `check` runs the rest.
    let ran = cache::run(project, &chosen, args, ui, |gates| check(project, gates, opts, ui))?;
    // The table lists every gate of the project in order; those left out by --skip are skipped.
    let mut ran = ran.into_iter();
    let results: Vec<GateResult> = project
        .gates
        .iter()
        .filter_map(|g| {
            if chosen.iter().any(|c| c.name == g.name) {
                ran.next()
            } else if args.skip.contains(&g.name) {
                Some(GateResult::skipped(&g.name, "--skip"))
            } else {
                None
            }
        })
        .collect();
    print(&results, ui);
    Ok(verdict(&results))
}

/// Exit 1 when a gate failed; else exit 2 when a gate could not run; else 0.
pub fn verdict(results: &[GateResult]) -> Verdict {
    if results.iter().any(|r| r.status == Status::Failed) {
        Verdict::Failed
    } else if results.iter().any(|r| r.status == Status::Error) {
        Verdict::Incomplete
    } else {
        Verdict::Passed
    }
}

/// The gates `--only` and `--skip` leave, in the project's order. An unknown name is an error
/// that lists the gates there are.
pub fn choose<'a>(gates: &'a [GateSpec], only: &[String], skip: &[String]) -> Result<Vec<&'a GateSpec>> {
    let names: Vec<&str> = gates.iter().map(|g| g.name.as_str()).collect();
    let valid = || if names.is_empty() { "none".to_string() } else { names.join(", ") };
    for (flag, list) in [("--only", only), ("--skip", skip)] {
        for name in list.iter().filter(|n| !names.contains(&n.as_str())) {
            // Skipping a built-in gate that this project does not have is harmless.
            if flag == "--skip" && BUILTIN.contains(&name.as_str()) {
                continue;
            }
            let what = if BUILTIN.contains(&name.as_str()) {
                "is not configured or detected in this repository"
            } else {
                "is not a gate"
            };
            bail!("{flag} {name}: `{name}` {what}; the gates are: {}", valid());
        }
    }
    Ok(gates.iter().filter(|g| only.is_empty() || only.contains(&g.name)).filter(|g| !skip.contains(&g.name)).collect())
}

/// Run `gates` (at most `opts.jobs` at once) and return their results in the same order.
/// This is what `release` calls before it writes anything.
pub fn check(project: &Project, gates: &[&GateSpec], opts: Options, ui: &Ui) -> Vec<GateResult> {
    // The file-reading gates are one job, the others one job each; the slowest kinds start
    // first (commands and tests, then compile, then the file pass, then versions), so the
    // run takes about as long as its slowest gate.
    let scanning =
        |g: &GateSpec| matches!(g.kind, GateKind::Ascii { .. } | GateKind::Ellipsis { .. } | GateKind::Links { .. });
    let rank = |g: &GateSpec| match g.kind {
        GateKind::Tests { .. } | GateKind::Command(_) | GateKind::Lint(_) => 0,
        GateKind::Compile { .. } => 1,
        GateKind::Ascii { .. } | GateKind::Ellipsis { .. } | GateKind::Links { .. } => 2,
        GateKind::Versions | GateKind::Commits { .. } => 3,
    };
    let mut jobs: Vec<Vec<usize>> = Vec::new();
    let mut order: Vec<usize> = (0..gates.len()).collect();
    order.sort_by_key(|&i| rank(gates[i]));
    for i in order {
        match jobs.last_mut() {
            Some(job) if scanning(gates[i]) && scanning(gates[job[0]]) => job.push(i),
            _ => jobs.push(vec![i]),
        }
    }

    let results: Mutex<Vec<Option<GateResult>>> = Mutex::new(vec![None; gates.len()]);
    let progress = Progress::new(ui, gates.len());
    let next = AtomicUsize::new(0);
    let worker = || {
        while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
            let names: Vec<&str> = job.iter().map(|&i| gates[i].name.as_str()).collect();
            progress.start(&names);
            let done: Vec<(usize, GateResult)> = if scanning(gates[job[0]]) {
                let group: Vec<&GateSpec> = job.iter().map(|&i| gates[i]).collect();
                job.iter().copied().zip(run_scan(project, &group, opts)).collect()
            } else {
                vec![(job[0], run_single(project, gates[job[0]]))]
            };
            progress.finish(&names);
            let mut slots = results.lock().unwrap_or_else(|e| e.into_inner());
            for (i, r) in done {
                slots[i] = Some(r);
            }
        }
    };
    let workers = opts.jobs.clamp(1, jobs.len().max(1));
    std::thread::scope(|s| {
        for _ in 1..workers {
            s.spawn(worker);
        }
        worker();
    });
    ui.progress_done();
    results.into_inner().unwrap_or_else(|e| e.into_inner()).into_iter().flatten().collect()
}

/// One gate that is not a file scan.
fn run_single(project: &Project, gate: &GateSpec) -> GateResult {
    let start = Instant::now();
    let root = project.repo.root();
    // `when-env`: an opt-in gate runs only when its variable is set and not empty.
    if let Some(var) = &gate.when_env
        && std::env::var_os(var).is_none_or(|v| v.is_empty())
    {
        return GateResult::skipped(&gate.name, format!("when-env: {var} is not set"));
    }
    let outcome = match &gate.kind {
        GateKind::Versions => match crate::version::gate_findings(project) {
            Ok(findings) => Outcome::Findings(findings),
            Err(e) => Outcome::Error(format!("{e:#}")),
        },
        GateKind::Compile { paths, python, .. } => {
            // The same selection the gate cache keys (Selector::of), so the two cannot drift.
            match Selector::of(&gate.kind).expect("compile is a file gate") {
                Err(e) => Outcome::Error(format!("{e:#}")),
                Ok(sel) => match missing(&sel, project) {
                    Some(why) => Outcome::Error(why),
                    None => {
                        let files: Vec<&str> = sel.files(project).collect();
                        if files.is_empty() {
                            Outcome::Skipped(format!("no Python files under {}", paths.join(", ")))
                        } else {
                            compile::run(root, python, &files)
                        }
                    }
                },
            }
        }
        // pytest leaves neither __pycache__ nor .pytest_cache in the tree.
        GateKind::Tests { commands } => {
            let addopts = std::env::var("PYTEST_ADDOPTS").map(|v| format!("{v} ")).unwrap_or_default();
            let env = [
                ("PYTHONDONTWRITEBYTECODE", "1".to_string()),
                ("PYTEST_ADDOPTS", format!("{addopts}-p no:cacheprovider")),
            ];
            command::run_all(root, commands, &env)
        }
        GateKind::Command(spec) => command::run_all(root, std::slice::from_ref(spec), &[]),
        GateKind::Lint(spec) => lint::run(project, spec),
        GateKind::Commits { base, types } => {
            return commits::result(project, &gate.name, base.as_deref(), types, start);
        }
        GateKind::Ascii { .. } | GateKind::Ellipsis { .. } | GateKind::Links { .. } => {
            unreachable!("file gates run in the shared pass")
        }
    };
    let elapsed = start.elapsed();
    match outcome {
        Outcome::Findings(f) => GateResult::ran(&gate.name, f, elapsed),
        Outcome::Skipped(why) => GateResult::skipped(&gate.name, why),
        Outcome::Error(why) => GateResult::error(&gate.name, why, elapsed),
    }
}

/// The shared pass of the file-reading gates. Each gate's duration is the pass's.
fn run_scan(project: &Project, gates: &[&GateSpec], opts: Options) -> Vec<GateResult> {
    let start = Instant::now();
    let root = project.repo.root();
    let mut results: Vec<Option<GateResult>> = vec![None; gates.len()];
    let mut checks: Vec<(usize, Box<dyn scan::FileCheck>, Selector)> = Vec::new();
    for (i, gate) in gates.iter().enumerate() {
        let check: Result<Box<dyn scan::FileCheck>> = match &gate.kind {
            GateKind::Ascii { .. } => Ok(Box::new(ascii::Ascii)),
            GateKind::Ellipsis { allow, mode, .. } => ellipsis::Ellipsis::new(allow, *mode).map(|e| Box::new(e) as _),
            GateKind::Links { .. } => Ok(Box::new(links::Links::new(root))),
            _ => unreachable!("only file gates are scanned"),
        };
        // The same selection the gate cache keys (Selector::of), so the two cannot drift.
        let built = check.and_then(|c| Ok((c, Selector::of(&gate.kind).expect("a file gate")?)));
        match built {
            Err(e) => results[i] = Some(GateResult::error(&gate.name, format!("{e:#}"), start.elapsed())),
            Ok((check, sel)) => match missing(&sel, project) {
                Some(why) => results[i] = Some(GateResult::error(&gate.name, why, start.elapsed())),
                None => checks.push((i, check, sel)),
            },
        }
    }
    let mut counts = vec![0usize; checks.len()];
    let wanted: Vec<scan::Wanted> = project
        .files
        .iter()
        .filter_map(|path| {
            let mut mask = 0u32;
            for (bit, (_, _, sel)) in checks.iter().enumerate() {
                if sel.matches(path) {
                    mask |= 1 << bit;
                    counts[bit] += 1;
                }
            }
            (mask != 0).then_some(scan::Wanted { path, mask })
        })
        .collect();
    let refs: Vec<&dyn scan::FileCheck> = checks.iter().map(|(_, c, _)| c.as_ref()).collect();
    let scanned = scan::scan(root, &wanted, &refs, opts.fix, opts.jobs);
    let elapsed = start.elapsed();
    let (findings, fixed) = (scanned.findings.into_iter(), scanned.fixed.into_iter());
    for (((i, _, _), (found, fixed)), count) in checks.iter().zip(findings.zip(fixed)).zip(counts) {
        let gate = gates[*i];
        results[*i] = Some(if count == 0 {
            GateResult::skipped(&gate.name, "no files to check")
        } else {
            let mut r = GateResult::ran(&gate.name, found, elapsed);
            r.fixed = fixed;
            r
        });
    }
    results.into_iter().map(|r| r.expect("every gate has a result")).collect()
}

/// The error for configured paths that name nothing.
fn missing(sel: &Selector, project: &Project) -> Option<String> {
    let missing = sel.missing(project);
    (!missing.is_empty()).then(|| {
        format!(
            "paths: {} is not a file or folder of the project; fix `paths` in xtask.toml",
            missing.iter().map(|m| format!("{m:?}")).collect::<Vec<_>>().join(", ")
        )
    })
}

/// Print the results: findings and table for people (stdout, or stderr under --json), the JSON
/// document, GitHub annotations and the job summary.
fn print(results: &[GateResult], ui: &Ui) {
    if ui.json {
        ui.json_doc(&report::json(results));
    }
    let text = report::findings_text(results);
    if !text.is_empty() {
        ui.out(&text);
    }
    if !ui.quiet && !results.is_empty() {
        let paint = |status: Status, s: &str| {
            let style = match status {
                Status::Passed | Status::Cached => Style::Green,
                Status::Failed | Status::Error => Style::Red,
                Status::Skipped => Style::Dim,
            };
            ui.paint(style, s)
        };
        ui.out(report::table(results, &paint));
    }
    if ui.github {
        let annotations = report::annotations(results);
        if !annotations.is_empty() {
            ui.annotations(&annotations);
        }
        if let Some(path) = &ui.step_summary {
            use std::io::Write;
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| f.write_all(report::step_summary(results).as_bytes()));
            if let Err(e) = written {
                ui.warn(format!("{}: cannot append the job summary: {e}", path.display()));
            }
        }
    }
    let count = |s: Status| results.iter().filter(|r| r.status == s).count();
    let findings: usize = results.iter().map(|r| r.findings.len()).sum();
    let (failed, errors) = (count(Status::Failed), count(Status::Error));
    if failed + errors == 0 {
        let mut counts = format!("{} gates", results.len());
        for (status, n) in [(Status::Cached, count(Status::Cached)), (Status::Skipped, count(Status::Skipped))] {
            if n > 0 {
                counts.push_str(&format!(", {n} {}", status.as_str()));
            }
        }
        ui.info(ui.paint(Style::Green, &format!("quality-check passed ({counts})")));
    } else {
        let mut parts = Vec::new();
        if failed > 0 {
            parts.push(format!("{failed} failed with {findings} findings"));
        }
        if errors > 0 {
            parts.push(format!("{errors} could not run"));
        }
        ui.info(ui.paint(Style::Red, &format!("quality-check: of {} gates, {}", results.len(), parts.join(", "))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Origin;

    fn gate(name: &str) -> GateSpec {
        GateSpec {
            name: name.into(),
            kind: GateKind::Versions,
            origin: Origin::Configured,
            cache: Default::default(),
            when_env: None,
        }
    }

    #[test]
    fn only_and_skip() {
        let gates = vec![gate("versions"), gate("ascii"), gate("lint")];
        let names = |v: Vec<&GateSpec>| v.iter().map(|g| g.name.clone()).collect::<Vec<_>>();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(names(choose(&gates, &[], &[]).unwrap()), ["versions", "ascii", "lint"]);
        assert_eq!(names(choose(&gates, &s(&["lint", "ascii"]), &[]).unwrap()), ["ascii", "lint"]);
        assert_eq!(names(choose(&gates, &[], &s(&["ascii", "compile"])).unwrap()), ["versions", "lint"]);
        let err = choose(&gates, &s(&["nope"]), &[]).unwrap_err().to_string();
        assert_eq!(err, "--only nope: `nope` is not a gate; the gates are: versions, ascii, lint");
        let err = choose(&gates, &s(&["compile"]), &[]).unwrap_err().to_string();
        assert!(err.contains("is not configured or detected"), "{err}");
        assert!(choose(&gates, &[], &s(&["typo"])).is_err());
    }

    #[test]
    fn exit_codes() {
        use std::time::Duration;
        let pass = GateResult::ran("a", vec![], Duration::ZERO);
        let fail = GateResult::ran("b", vec![report::Finding::new("x", 1, 1, "m")], Duration::ZERO);
        let err = GateResult::error("c", "missing", Duration::ZERO);
        let skip = GateResult::skipped("d", "--skip");
        assert_eq!(verdict(&[pass.clone(), skip.clone()]), Verdict::Passed);
        assert_eq!(verdict(&[pass.clone(), err.clone()]), Verdict::Incomplete);
        assert_eq!(verdict(&[err, fail, pass]), Verdict::Failed);
    }
}
