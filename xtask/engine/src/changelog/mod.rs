//! Conventional Commits -> sections -> Keep a Changelog Markdown, and the `changelog` command.
//!
//! The pieces `release` and `rollback` build on: [`release_tags`] and [`commits`] gather the
//! facts (one `for-each-ref`, one `git log`); [`bump`], [`render_notes`], [`render_section`],
//! [`insert_section`] and [`mark_yanked`] are pure; [`release_date`] is the one impure date.

mod conventional;
mod date;
mod edit;
mod markers;
mod range;
mod render;
mod scoped;
mod tag_style;
mod tags;

use anyhow::Result;
use serde_json::json;

use crate::cli::ChangelogArgs;
use crate::error::Verdict;
use crate::output::Ui;
use crate::project::Project;
use range::Range;

pub use conventional::{Bump, Commit, bump, commits, effective};
pub use date::{date_of, release_date, source_date_epoch};
pub use edit::{existing_section, insert_section, mark_yanked};
pub use render::{Group, NO_CHANGES, Section, group, render_notes, render_section, render_unreleased};
pub use tag_style::{Spelling, TagStyle};
pub use tags::{ReleaseTag, from_refs, previous_release, reachable_release_tags, release_tags, tag_version};

/// `cargo xtask changelog`: the notes of the unreleased commits (default) or of a release tag,
/// as Markdown on stdout or one JSON document.
pub fn run(project: &Project, args: &ChangelogArgs, ui: &Ui) -> Result<Verdict> {
    let repo = &project.repo;
    repo.require_git("changelog")?;
    let package = args.package.as_deref().map(|name| scoped::package(project, name)).transpose()?;
    let prefix = package.map_or(project.release.tag_prefix.as_str(), |p| p.tag.prefix.as_str());
    let (range, mut commits) = range::gather(repo, prefix, args)?;
    range::refuse_cut_off(repo, &range)?;
    if let Some(package) = package {
        scoped::retain_touching(project, package, &range, &mut commits)?;
    }
    let markdown = match &range.version {
        Some(version) => render_section(version, range.date.as_deref().unwrap_or_default(), &commits),
        None => render_unreleased(&commits),
    };
    ui.info(format!("{} commits in {}", commits.len(), range.describe()));
    if let Some(peak) = peak_memory() {
        ui.debug(format!("peak memory of this process: {:.1} MiB", peak as f64 / 1024.0));
    }
    if ui.json {
        let to_commit = repo.rev_parse(&range.to_commit)?;
        let mut doc = json_doc(&range, &to_commit, &commits, &markdown);
        if let Some(package) = package {
            doc["package"] = json!(package.name);
        }
        ui.json_doc(&doc);
    } else {
        ui.out(&markdown);
    }
    // The process ends next: freeing tens of thousands of commits one by one costs more (up to
    // 15 ms on the 50,000-commit benchmark) than the system reclaiming the pages at exit.
    std::mem::forget(commits);
    Ok(Verdict::Passed)
}

/// This process's peak resident memory in KiB (`VmHWM`), where the system says (Linux).
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse().ok()
}

/// The `--json` document: range, sections with their entries, and the Markdown.
fn json_doc(range: &Range, to_commit: &str, commits: &[Commit], markdown: &str) -> serde_json::Value {
    let sections: Vec<serde_json::Value> = group(commits)
        .iter()
        .map(|section| {
            let entries: Vec<serde_json::Value> = section
                .entries
                .iter()
                .map(|c| {
                    json!({
                        "hash": c.hash, "short": c.short, "type": c.kind, "scope": c.scope,
                        "description": c.description, "breaking": c.breaking,
                        "breaking_notes": c.breaking_notes, "revert": c.revert,
                        "author": c.author, "time": c.time,
                    })
                })
                .collect();
            json!({ "title": section.group.title(), "entries": entries })
        })
        .collect();
    json!({
        "ok": true,
        "version": range.version,
        "date": range.date,
        "range": { "from": range.from, "from_commit": range.from_commit, "to": range.to, "to_commit": to_commit },
        "commits": commits.len(),
        "bump": bump(commits).map(Bump::as_str),
        "sections": sections,
        "markdown": markdown,
    })
}
