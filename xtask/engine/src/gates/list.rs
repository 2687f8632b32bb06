//! `quality-check --list`: the gates that would run, what each checks and why it was chosen.
//! With `--json` it is the list a CI matrix of `quality-check --only GATE` jobs fans out over.

use std::fmt::Write as _;

use crate::config::EllipsisMode;
use crate::output::{Style, Ui};
use crate::project::{GateKind, GateSpec, Origin, Project};

/// One sentence: what the gate checks, with its settings.
pub fn describe(gate: &GateSpec, project: &Project) -> String {
    let list = |v: &[String]| v.join(", ");
    let checks = match &gate.kind {
        GateKind::Versions => versions(project),
        GateKind::Ascii { paths, files, exclude } => {
            format!("every character of {} under {} is ASCII{}", list(files), list(paths), except(exclude))
        }
        GateKind::Ellipsis { paths, exclude, allow, mode } => format!(
            "{} under {} (skipped: {}hidden and binary files){}",
            match mode {
                EllipsisMode::Placeholders =>
                    "no placeholder of three dots (a line of only dots, dots in a comment, a Python body of dots) in code",
                EllipsisMode::Any => "no line of code holds three dots",
            },
            list(paths),
            exclude.iter().map(|e| format!("{e}, ")).collect::<String>(),
            if allow.is_empty() {
                String::new()
            } else {
                format!("; lines matching {} are allowed", allow.join(" or "))
            }
        ),
        GateKind::Compile { paths, exclude, python } => {
            format!("every .py under {} byte-compiles with {python}{}", list(paths), except(exclude))
        }
        GateKind::Links { paths, exclude } => {
            format!("relative links in Markdown under {} resolve{}", list(paths), except(exclude))
        }
        GateKind::Tests { commands } => {
            let each: Vec<String> = commands.iter().map(command_in).collect();
            format!("{} exit 0", each.join("; "))
        }
        GateKind::Command(spec) => format!("{} exits 0", command_in(spec)),
        GateKind::Lint(spec) => super::lint::describe(spec),
        GateKind::Commits { base, types } => {
            let from = base.as_ref().map_or_else(
                || "the merge base with the upstream, else the newest release tag, else the first commit".to_string(),
                |b| b.to_string(),
            );
            let extra =
                if types.is_empty() { String::new() } else { format!(" (also the types {})", types.join(", ")) };
            format!("every commit since {from} is a Conventional Commit{extra}; merges and release commits pass")
        }
    };
    match &gate.when_env {
        Some(var) => {
            let now = if std::env::var_os(var).is_some_and(|v| !v.is_empty()) { "it is now" } else { "it is not now" };
            format!("{checks}; runs only when {var} is set and not empty ({now})")
        }
        None => checks,
    }
}

/// The sources `version` lists (read the same way, so the count is the same) must agree, and
/// whether they do now.
fn versions(project: &Project) -> String {
    let survey = crate::version::survey(project);
    let files: Vec<&str> = survey.readings.iter().map(|r| r.file.as_str()).collect();
    let n = files.len();
    let mut s = match n {
        0 => "the version sources must agree; none can be read now".to_string(),
        1 => format!(
            "the one version source ({}) must be readable; it is now ({})",
            files[0], survey.readings[0].version
        ),
        n => format!("the {n} version sources must agree ({})", files.join(", ")),
    };
    if n > 1
        && let Some(agreement) = crate::version::agreement(&survey.readings)
    {
        if agreement.in_sync() {
            s.push_str(&format!("; they do now ({})", agreement.version));
        } else {
            s.push_str(&format!(
                "; they do not now: {}, unlike {}",
                agreement.describe_differing(),
                agreement.describe_reference()
            ));
        }
    }
    if !survey.errors.is_empty() {
        let shown: Vec<String> = survey.errors.iter().map(|e| e.to_string()).collect();
        s.push_str(&format!("; {} cannot be read: {}", plural(survey.errors.len(), "source"), shown.join("; ")));
    }
    s
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

fn except(exclude: &[String]) -> String {
    if exclude.is_empty() { String::new() } else { format!(" (except {})", exclude.join(", ")) }
}

fn command_in(spec: &crate::project::CommandSpec) -> String {
    let cwd = if spec.cwd.is_empty() { "the root".to_string() } else { format!("{}/", spec.cwd) };
    format!("`{}` in {cwd}", super::command::display(&spec.run))
}

/// The `--list` JSON: every gate's settings, what it checks, where it came from, and the
/// matrix (`{"gate": [names]}`) for `strategy.matrix` in GitHub Actions.
pub fn json(project: &Project, gates: &[&GateSpec]) -> serde_json::Value {
    let entries: Vec<serde_json::Value> = gates
        .iter()
        .map(|g| {
            let mut v = serde_json::to_value(g).unwrap_or_default();
            if let Some(obj) = v.as_object_mut() {
                obj.insert("checks".into(), describe(g, project).into());
                if matches!(g.origin, Origin::Configured) {
                    obj.insert("reason".into(), "configured in xtask.toml".into());
                }
            }
            v
        })
        .collect();
    let names: Vec<&str> = gates.iter().map(|g| g.name.as_str()).collect();
    serde_json::json!({ "gates": entries, "matrix": { "gate": names } })
}

pub fn print(project: &Project, gates: &[&GateSpec], ui: &Ui) {
    if ui.json {
        ui.json_doc(&json(project, gates));
        return;
    }
    let width = gates.iter().map(|g| g.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    if gates.is_empty() {
        out.push_str("no gates: none configured in xtask.toml, and nothing detected\n");
    }
    for g in gates {
        let _ = writeln!(out, "{}  {}", ui.paint(Style::Bold, &format!("{:<width$}", g.name)), describe(g, project));
        let _ = writeln!(out, "{:<width$}  {}", "", ui.paint(Style::Dim, &g.origin.describe()));
    }
    ui.out(out);
}
