//! Conventional Commits -> sections -> Keep a Changelog Markdown, and the `changelog` command.
//!
//! The pieces `release` and `rollback` build on: [`release_tags`] and [`commits`] gather the
//! facts (one `for-each-ref`, one `git log`); [`bump`], [`render_notes`], [`render_section`],
//! [`insert_section`] and [`mark_yanked`] are pure; [`release_date`] is the one impure date.

mod conventional;
mod date;
mod edit;
mod render;
mod tags;

use anyhow::{Result, bail};
use serde_json::json;

use crate::cli::ChangelogArgs;
use crate::error::Verdict;
use crate::output::Ui;
use crate::project::Project;
use crate::repo::Repo;
use crate::repo::history::TagRef;

pub use conventional::{Bump, Commit, bump, commits, effective};
pub use date::{date_of, release_date, source_date_epoch};
pub use edit::{insert_section, mark_yanked};
pub use render::{Group, NO_CHANGES, Section, group, render_notes, render_section, render_unreleased};
pub use tags::{ReleaseTag, from_refs, previous_release, reachable_release_tags, release_tags, tag_version};

/// `cargo xtask changelog`: the notes of the unreleased commits (default) or of a release tag,
/// as Markdown on stdout or one JSON document.
pub fn run(project: &Project, args: &ChangelogArgs, ui: &Ui) -> Result<Verdict> {
    let repo = &project.repo;
    repo.require_git("changelog")?;
    let (range, shallow) = Range::resolve(repo, &project.release.tag_prefix, args)?;
    if shallow {
        ui.warn(
            "this is a shallow clone: older commits are missing, so the notes may be incomplete; \
             run `git fetch --unshallow --tags` first",
        );
    }
    let commits = commits(repo, range.from_commit.as_deref(), &range.to_commit)?;
    let markdown = match &range.version {
        Some(version) => render_section(version, range.date.as_deref().unwrap_or_default(), &commits),
        None => render_unreleased(&commits),
    };
    ui.info(format!("{} commits in {}", commits.len(), range.describe()));
    if ui.json {
        ui.json_doc(&json_doc(&range, &commits, &markdown));
    } else {
        ui.out(&markdown);
    }
    Ok(Verdict::Passed)
}

/// What the notes cover: the start (exclusive) and the end, as names and commits.
#[derive(Debug)]
struct Range {
    /// The release's version (`--tag`); `None` for the unreleased notes.
    version: Option<String>,
    /// The tag's date (`--tag`).
    date: Option<String>,
    from: Option<String>,
    from_commit: Option<String>,
    to: String,
    to_commit: String,
}

impl Range {
    /// The range the arguments ask for, and whether the clone is shallow. Few git calls: the
    /// default needs only HEAD and the tags it reaches.
    fn resolve(repo: &Repo, prefix: &str, args: &ChangelogArgs) -> Result<(Range, bool)> {
        let all_tags = repo.tag_refs(None)?;
        let releases = from_refs(&all_tags, prefix);
        let since = args.since.as_deref().map(|name| find_tag(&all_tags, name, prefix)).transpose()?;
        let (mut range, shallow) = match &args.tag {
            Some(name) => {
                let tag = find_tag(&all_tags, name, prefix)?;
                let version = tag_version(&tag.name, prefix);
                let previous = match since {
                    Some(_) => None,
                    None => previous_release(repo, &releases, &tag.commit, true, version.as_ref())?,
                };
                let range = Range {
                    version: Some(version.map_or_else(|| tag.name.clone(), |v| v.to_string())),
                    date: Some(date_of(tag.time)),
                    from: previous.as_ref().map(|t| t.name.clone()),
                    from_commit: previous.map(|t| t.commit),
                    to: tag.name.clone(),
                    to_commit: tag.commit.clone(),
                };
                (range, repo.is_shallow()?)
            }
            None => {
                let (head, shallow) = repo.head_commit_and_shallow()?;
                let Some(head) = head else {
                    bail!("{}: the repository has no commits yet; commit something first", repo.root().display());
                };
                let previous = match since {
                    Some(_) => None,
                    None => previous_release(repo, &releases, &head, false, None)?,
                };
                let range = Range {
                    version: None,
                    date: None,
                    from: previous.as_ref().map(|t| t.name.clone()),
                    from_commit: previous.map(|t| t.commit),
                    to: "HEAD".to_string(),
                    to_commit: head,
                };
                (range, shallow)
            }
        };
        if let Some(tag) = since {
            range.from = Some(tag.name.clone());
            range.from_commit = Some(tag.commit.clone());
        }
        Ok((range, shallow))
    }

    fn describe(&self) -> String {
        match &self.from {
            Some(from) => format!("{from}..{}", self.to),
            None => format!("{} (all history: no earlier release tag)", self.to),
        }
    }
}

/// A tag by its name, or by its version with the prefix added (`1.2.0` for `v1.2.0`).
fn find_tag<'a>(tags: &'a [TagRef], name: &str, prefix: &str) -> Result<&'a TagRef> {
    let with_prefix = format!("{prefix}{name}");
    if let Some(tag) = tags.iter().find(|t| t.name == name).or_else(|| tags.iter().find(|t| t.name == with_prefix)) {
        return Ok(tag);
    }
    let releases = from_refs(tags, prefix);
    let known = if releases.is_empty() {
        "there are no release tags".to_string()
    } else {
        let names: Vec<&str> = releases.iter().rev().take(5).map(|t| t.name.as_str()).collect();
        format!("the newest release tags are {}", names.join(", "))
    };
    bail!("tag `{name}` not found ({known}); list them with `git tag --list`, or fetch them with `git fetch --tags`")
}

/// The `--json` document: range, sections with their entries, and the Markdown.
fn json_doc(range: &Range, commits: &[Commit], markdown: &str) -> serde_json::Value {
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
        "range": { "from": range.from, "from_commit": range.from_commit, "to": range.to, "to_commit": range.to_commit },
        "commits": commits.len(),
        "bump": bump(commits).map(Bump::as_str),
        "sections": sections,
        "markdown": markdown,
    })
}
