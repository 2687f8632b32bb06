//! `cargo xtask version [--check]`: every source with its file, line, raw and canonical value,
//! and whether they agree (a table, or one JSON document with `--json`).

use anyhow::{Result, bail};
use serde_json::{Value, json};

use super::drift::{self, Agreement};
use super::sources::{self, Reading, Survey};
use crate::cli::VersionArgs;
use crate::config::Form;
use crate::error::Verdict;
use crate::output::{Style, Ui};
use crate::project::{Origin, Project, SourceKind};
use crate::report::{self, Finding};

pub fn run(project: &Project, args: &VersionArgs, ui: &Ui) -> Result<Verdict> {
    let survey = sources::survey(project);
    sources::fail_on_errors(&survey.errors)?;
    for skipped in &survey.skipped {
        ui.debug(format!("skipped {}: {}", skipped.path, skipped.message));
    }
    let Some(agreement) = drift::agreement(&survey.readings) else {
        let mut msg = String::from("the project has no version sources");
        for note in &survey.notes {
            msg.push_str(&format!("\n  {}: {}", note.path, note.message));
        }
        bail!(
            "{msg}\nadd [[version]] entries to xtask.toml naming the files that hold the version (see docs/versions.md)"
        );
    };
    // Workspaces detection would turn into packages: shown, never applied.
    let proposals = crate::packages::propose(&project.repo, &project.files);
    if ui.json {
        let mut doc = document(&survey, &agreement);
        if !proposals.is_empty() {
            doc["proposed_packages"] = json!(proposals);
        }
        ui.json_doc(&doc);
    } else if ui.quiet {
        if agreement.in_sync() {
            ui.out(format!("{}\n", agreement.version));
        }
    } else {
        ui.out(table(&survey, &agreement, ui));
        if !proposals.is_empty() {
            ui.out(crate::packages::proposal_text(&proposals));
        }
    }
    if agreement.in_sync() {
        return Ok(Verdict::Passed);
    }
    let files: Vec<&str> = agreement.differing.iter().map(|r| r.file.as_str()).collect();
    let msg = format!(
        "version sources out of sync: {} {} from {}",
        files.join(", "),
        if files.len() == 1 { "differs" } else { "differ" },
        agreement.describe_reference()
    );
    let hints: Vec<String> =
        agreement.differing.iter().filter_map(|r| super::exclude::private_hint(project, r)).collect();
    let msg = hints.iter().fold(msg, |msg, hint| format!("{msg}\nhint: {hint}"));
    if args.check {
        ui.err_line(&format!("{} {msg}", ui.paint(Style::Red, "error:")));
        if ui.github {
            for r in &agreement.differing {
                let text = format!("version {} differs from {}", r.raw, agreement.describe_reference());
                let command = report::annotation("versions", &Finding::new(&r.file, r.line, r.column, text));
                ui.annotations(&format!("{command}\n"));
            }
        }
        Ok(Verdict::Failed)
    } else {
        ui.warn(msg);
        Ok(Verdict::Passed)
    }
}

fn kind_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::PyProject => "pyproject",
        SourceKind::PythonModule => "python-module",
        SourceKind::PackageJson => "package-json",
        SourceKind::CargoToml => "cargo-toml",
        SourceKind::Plain => "plain",
        SourceKind::Pattern => "pattern",
    }
}

fn form_name(form: Form) -> &'static str {
    match form {
        Form::Semver => "semver",
        Form::Pep440 => "pep440",
    }
}

fn origin_name(origin: &Origin) -> &'static str {
    match origin {
        Origin::Configured => "configured",
        Origin::Detected(_) => "detected",
    }
}

fn table(survey: &Survey, agreement: &Agreement<'_>, ui: &Ui) -> String {
    let header = ["FILE", "LINE", "VALUE", "VERSION", "KIND", "FORM", "ORIGIN"].map(String::from).to_vec();
    let mut rows = vec![header];
    for r in &survey.readings {
        rows.push(vec![
            crate::output::safe(&r.file).into_owned(),
            r.line.to_string(),
            r.raw.clone(),
            r.version.to_string(),
            kind_name(r.kind).into(),
            form_name(r.form).into(),
            origin_name(&r.spec.origin).into(),
        ]);
    }
    let widths: Vec<usize> =
        (0..rows[0].len()).map(|c| rows.iter().map(|row| row[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c == 1 {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                if c + 1 < row.len() {
                    line.push_str(&" ".repeat(pad));
                }
            }
            if c + 1 < row.len() {
                line.push_str("  ");
            }
        }
        let line = line.trim_end().to_string();
        let reading = i.checked_sub(1).map(|k| &survey.readings[k]);
        match reading {
            None => out.push_str(&ui.paint(Style::Bold, &line)),
            Some(r) if differs(agreement, r) => {
                out.push_str(&ui.paint(Style::Red, &format!("{line}  <- differs")));
            }
            Some(_) => out.push_str(&line),
        }
        out.push('\n');
        if let Some(via) = reading.and_then(|r| r.via.as_deref()) {
            out.push_str(&ui.paint(Style::Dim, &format!("  read through {via}\n")));
        }
    }
    for note in &survey.notes {
        out.push_str(&format!("note: {}: {}\n", note.path, note.message));
    }
    let n = survey.readings.len();
    if agreement.in_sync() {
        let all = if n == 1 { "1 source".to_string() } else { format!("all {n} sources agree") };
        out.push_str(&format!("\nversion {} ({all})\n", ui.paint(Style::Green, &agreement.version.to_string())));
    } else {
        out.push_str(&format!(
            "\n{}: {}, unlike {}\n",
            ui.paint(Style::Red, "versions disagree"),
            agreement.describe_differing(),
            agreement.describe_reference()
        ));
    }
    out
}

fn differs(agreement: &Agreement<'_>, r: &Reading) -> bool {
    agreement.differing.iter().any(|d| std::ptr::eq(*d, r))
}

fn document(survey: &Survey, agreement: &Agreement<'_>) -> Value {
    let sources: Vec<Value> = survey
        .readings
        .iter()
        .map(|r| {
            json!({
                "path": r.spec.path,
                "file": r.file,
                "line": r.line,
                "column": r.column,
                "field": r.field,
                "raw": r.raw,
                "version": r.version,
                "kind": kind_name(r.kind),
                "form": form_name(r.form),
                "origin": origin_name(&r.spec.origin),
                "reason": match &r.spec.origin { Origin::Detected(why) => Some(why.as_str()), Origin::Configured => None },
                "via": r.via,
                "in_sync": !differs(agreement, r),
            })
        })
        .collect();
    json!({
        "ok": agreement.in_sync(),
        "version": agreement.in_sync().then(|| agreement.version.to_string()),
        "majority": agreement.version,
        "sources": sources,
        "differing": agreement.differing.iter().map(|r| r.file.as_str()).collect::<Vec<_>>(),
        "notes": survey.notes,
    })
}
