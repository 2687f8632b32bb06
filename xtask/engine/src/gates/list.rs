//! `quality-check --list`: the gates that would run, what each checks and why it was chosen.
//! With `--json` it is the list a CI matrix of `quality-check --only GATE` jobs fans out over.

use std::fmt::Write as _;

use crate::output::{Style, Ui};
use crate::project::{GateKind, GateSpec, Origin, Project};

/// One sentence: what the gate checks, with its settings.
pub fn describe(gate: &GateSpec, project: &Project) -> String {
    let list = |v: &[String]| v.join(", ");
    match &gate.kind {
        GateKind::Versions => {
            let paths: Vec<&str> = project.versions.iter().map(|v| v.path.as_str()).collect();
            format!("all {} version sources agree ({})", paths.len(), paths.join(", "))
        }
        GateKind::Ascii { paths, files, exclude } => {
            format!("every character of {} under {} is ASCII{}", list(files), list(paths), except(exclude))
        }
        GateKind::Ellipsis { paths, exclude, allow } => format!(
            "no line of code under {} holds three dots (skipped: {}hidden and binary files){}",
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
    }
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
