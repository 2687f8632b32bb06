//! What `changelog` covers: the range the arguments name, resolved to tags and commits, and
//! the commits of that range, in as few git calls as the case allows.

use anyhow::{Result, bail};

use super::conventional::{Commit, commits};
use super::date::date_of;
use super::tags::{ReleaseTag, from_refs, previous_release, tag_version};
use crate::cli::ChangelogArgs;
use crate::repo::Repo;
use crate::repo::history::TagRef;

/// What the notes cover: the start (exclusive) and the end, as names and commits.
#[derive(Debug)]
pub(super) struct Range {
    /// The release's version (`--tag`); `None` for the unreleased notes.
    pub version: Option<String>,
    /// The tag's date (`--tag`).
    pub date: Option<String>,
    pub from: Option<String>,
    pub from_commit: Option<String>,
    pub to: String,
    /// The end as git reads it: a commit hash, or `HEAD`.
    pub to_commit: String,
}

/// The range the arguments ask for, and its commits.
/// The tool's own release commits (`chore(release): ...`, a rollback's too) are left out, as
/// the notes written at release time leave them out.
pub(super) fn gather(repo: &Repo, prefix: &str, args: &ChangelogArgs) -> Result<(Range, Vec<Commit>)> {
    let (range, mut commits) = gather_range(repo, prefix, args).map_err(|e| explain_empty(repo, e))?;
    commits.retain(|c| !c.is_release());
    Ok((range, commits))
}

fn gather_range(repo: &Repo, prefix: &str, args: &ChangelogArgs) -> Result<(Range, Vec<Commit>)> {
    let all_tags = repo.tag_refs(None)?;
    let releases = from_refs(&all_tags, prefix);
    let since = args.since.as_deref().map(|name| find_tag(&all_tags, name, prefix)).transpose()?;
    let mut range = match &args.tag {
        Some(name) => {
            let tag = find_tag(&all_tags, name, prefix)?;
            let version = tag_version(&tag.name, prefix);
            Range {
                version: Some(version.as_ref().map_or_else(|| tag.name.clone(), |v| v.to_string())),
                date: Some(date_of(tag.time)),
                from: None,
                from_commit: None,
                to: tag.name.clone(),
                to_commit: tag.commit.clone(),
            }
        }
        None => Range {
            version: None,
            date: None,
            from: None,
            from_commit: None,
            to: "HEAD".to_string(),
            to_commit: "HEAD".to_string(),
        },
    };
    if let Some(tag) = since {
        range.from = Some(tag.name.clone());
        range.from_commit = Some(tag.commit.clone());
        let commits = commits(repo, range.from_commit.as_deref(), &range.to_commit)?;
        return Ok((range, commits));
    }
    // The releases that may start the notes: for a tag, those below it (only final ones below
    // a final release, so a GA's notes cover its release candidates) on other commits.
    let below = range.version.as_deref().and_then(|v| semver::Version::parse(v).ok());
    let candidates: Vec<ReleaseTag> = releases
        .into_iter()
        .filter(|t| match &below {
            Some(v) => {
                t.commit != range.to_commit
                    && t.version.cmp_precedence(v).is_lt()
                    && (!v.pre.is_empty() || t.version.pre.is_empty())
            }
            None => args.tag.is_none() || t.commit != range.to_commit,
        })
        .collect();
    let (previous, commits) = newest_reached(repo, &candidates, &range.to_commit)?;
    range.from = previous.as_ref().map(|t| t.name.clone());
    range.from_commit = previous.map(|t| t.commit);
    Ok((range, commits))
}

/// The newest of `candidates` (ascending by precedence) that `to` reaches, and the commits
/// after it. The likely answer, the newest candidate, is tried by the same `git log` that reads
/// the commits: the candidate among the boundary commits proves `to` reaches it. Only when
/// that proof is missing are the candidates checked one by one (`merge-base --is-ancestor`).
fn newest_reached(repo: &Repo, candidates: &[ReleaseTag], to: &str) -> Result<(Option<ReleaseTag>, Vec<Commit>)> {
    let Some(newest) = candidates.last() else {
        return Ok((None, commits(repo, None, to)?));
    };
    let mut reached = false;
    let mut found = Vec::new();
    repo.log_each_with_boundary(&newest.commit, to, |record| {
        if record.boundary {
            reached |= record.hash == newest.commit;
        } else {
            found.push(Commit::from_record(record));
        }
        Ok(())
    })?;
    if reached {
        return Ok((Some(newest.clone()), found));
    }
    match previous_release(repo, candidates, to, false, None)? {
        Some(tag) if tag.commit == newest.commit => Ok((Some(tag), found)),
        Some(tag) => {
            let commits = commits(repo, Some(&tag.commit), to)?;
            Ok((Some(tag), commits))
        }
        None => Ok((None, commits(repo, None, to)?)),
    }
}

impl Range {
    pub fn describe(&self) -> String {
        match &self.from {
            Some(from) => format!("{from}..{}", self.to),
            None => format!("{} (all history: no earlier release tag)", self.to),
        }
    }
}

/// In a shallow clone, stop when the range reaches a commit whose parents were not fetched:
/// the previous release tag, and the commits before the cut, are missing, so the notes would be
/// wrong (a depth-1 tag checkout gives only the release commit). A cut below the start of the
/// range costs nothing.
pub(super) fn refuse_cut_off(repo: &Repo, range: &Range) -> Result<()> {
    for graft in repo.shallow_grafts()? {
        let in_range = repo.is_ancestor(&graft, &range.to_commit)?
            && match &range.from_commit {
                Some(from) => !repo.is_ancestor(&graft, from)?,
                None => true,
            };
        if in_range {
            let short = graft.get(..7).unwrap_or(&graft);
            bail!(
                "{}: a shallow clone: the history of {} is cut off at {short} (its parents were not fetched), \
                 so the notes would miss commits and the previous release; fetch the full history first \
                 (`git fetch --unshallow --tags`; in GitHub Actions, `fetch-depth: 0` on actions/checkout)",
                repo.root().display(),
                range.describe()
            );
        }
    }
    Ok(())
}

/// A git error on a repository without commits, said plainly.
fn explain_empty(repo: &Repo, err: anyhow::Error) -> anyhow::Error {
    match repo.git_output(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]) {
        Ok(out) if !out.success => {
            anyhow::anyhow!("{}: the repository has no commits yet; commit something first", repo.root().display())
        }
        _ => err,
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
