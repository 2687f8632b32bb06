//! `version` when `xtask.toml` declares packages: every package with its folder, group,
//! version (and the drift between its sources) and newest tag; `--check` fails when a
//! package's sources disagree, or the packages of a fixed group do.

use anyhow::{Result, bail};
use serde_json::{Value, json};

use super::{Mode, Package};
use crate::cli::VersionArgs;
use crate::error::Verdict;
use crate::output::{Style, Ui, safe};
use crate::project::Project;
use crate::version::{Reading, agreement, survey_of};

/// One package, read.
struct Row<'p> {
    package: &'p Package,
    readings: Vec<Reading>,
    newest_tag: Option<String>,
}

impl Row<'_> {
    fn version(&self) -> Option<String> {
        agreement(&self.readings).map(|a| a.version.to_string())
    }

    /// What is wrong with this package's version, if anything.
    fn problem(&self) -> Option<String> {
        match agreement(&self.readings) {
            None => Some(format!(
                "package {}: no version source in {}; list its files as [[package.version]] in xtask.toml",
                self.package.name,
                self.package.shown_folder()
            )),
            Some(a) if !a.in_sync() => Some(format!(
                "package {}: version sources out of sync: {}, unlike {}",
                self.package.name,
                a.describe_differing(),
                a.describe_reference()
            )),
            Some(_) => None,
        }
    }
}

pub fn run(project: &Project, args: &VersionArgs, ui: &Ui) -> Result<Verdict> {
    let tags = if project.repo.is_git() { project.repo.tag_refs(None)? } else { Vec::new() };
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for package in project.packages.all() {
        let survey = survey_of(project, &super::sources(project, package));
        errors.extend(survey.errors.iter().map(|e| format!("package {}: {e}", package.name)));
        let newest_tag = crate::changelog::from_refs(&tags, &package.tag.prefix).pop().map(|t| t.name);
        rows.push(Row { package, readings: survey.readings, newest_tag });
    }
    if !errors.is_empty() {
        bail!("{}", errors.join("\n"));
    }
    let mut problems: Vec<String> = rows.iter().filter_map(Row::problem).collect();
    for group in project.packages.groups.iter().filter(|g| g.mode == Mode::Fixed) {
        let versions: Vec<(String, &str)> = rows
            .iter()
            .filter(|r| r.package.group == group.name)
            .filter_map(|r| Some((r.version()?, r.package.name.as_str())))
            .collect();
        if versions.iter().any(|(v, _)| *v != versions[0].0) {
            let held: Vec<String> = versions.iter().map(|(v, n)| format!("{n} {v}")).collect();
            problems.push(format!("fixed group {}: its packages disagree ({})", group.name, held.join(", ")));
        }
    }
    if ui.json {
        ui.json_doc(&document(&rows, &problems));
    } else if !ui.quiet {
        ui.out(table(&rows, ui));
    }
    if problems.is_empty() {
        return Ok(Verdict::Passed);
    }
    if args.check {
        for p in &problems {
            ui.err_line(&format!("{} {p}", ui.paint(Style::Red, "error:")));
        }
        Ok(Verdict::Failed)
    } else {
        problems.iter().for_each(|p| ui.warn(p));
        Ok(Verdict::Passed)
    }
}

fn group_label(p: &Package) -> String {
    format!("{} ({})", p.group, p.mode.as_str())
}

fn table(rows: &[Row<'_>], ui: &Ui) -> String {
    let mut cells = vec![["PACKAGE", "FOLDER", "GROUP", "VERSION", "NEWEST TAG", "SOURCES"].map(String::from).to_vec()];
    for r in rows {
        let sources: Vec<String> = r.readings.iter().map(|x| format!("{} {}", safe(&x.file), x.raw)).collect();
        cells.push(vec![
            r.package.name.clone(),
            safe(r.package.shown_folder()).into_owned(),
            group_label(r.package),
            r.version().unwrap_or_else(|| "-".into()),
            r.newest_tag.clone().map(|t| safe(&t).into_owned()).unwrap_or_else(|| "-".into()),
            if sources.is_empty() { "-".into() } else { sources.join(", ") },
        ]);
    }
    let widths: Vec<usize> =
        (0..cells[0].len()).map(|c| cells.iter().map(|row| row[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for (i, row) in cells.iter().enumerate() {
        let line: Vec<String> = row.iter().enumerate().map(|(c, cell)| format!("{cell:<w$}", w = widths[c])).collect();
        let line = line.join("  ").trim_end().to_string();
        let drift = i > 0 && rows[i - 1].problem().is_some();
        match (i, drift) {
            (0, _) => out.push_str(&ui.paint(Style::Bold, &line)),
            (_, true) => out.push_str(&ui.paint(Style::Red, &format!("{line}  <- differs"))),
            _ => out.push_str(&line),
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "\n{} packages in {} groups (`release NAME TARGET` releases one, `release --all auto` every one with changes)\n",
        rows.len(),
        rows.iter().map(|r| r.package.group.as_str()).collect::<std::collections::BTreeSet<_>>().len()
    ));
    out
}

fn document(rows: &[Row<'_>], problems: &[String]) -> Value {
    let packages: Vec<Value> = rows
        .iter()
        .map(|r| {
            let a = agreement(&r.readings);
            let sources: Vec<Value> = r
                .readings
                .iter()
                .map(|x| {
                    let in_sync = a.as_ref().is_none_or(|a| !a.differing.iter().any(|d| std::ptr::eq(*d, x)));
                    json!({ "file": x.file, "line": x.line, "raw": x.raw, "version": x.version, "in_sync": in_sync })
                })
                .collect();
            json!({
                "name": r.package.name,
                "folder": r.package.shown_folder(),
                "group": r.package.group,
                "mode": r.package.mode.as_str(),
                "version": r.version(),
                "in_sync": r.problem().is_none(),
                "sources": sources,
                "tag_prefix": r.package.tag.prefix,
                "newest_tag": r.newest_tag,
                "changelog": r.package.changelog,
            })
        })
        .collect();
    json!({ "ok": problems.is_empty(), "packages": packages, "problems": problems })
}
