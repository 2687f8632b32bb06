//! The tag a run makes, recognised by its object id and never by its name.
//!
//! An annotated tag is built as an object first (`git mktag`, byte for byte what
//! `git tag --annotate` makes), its id goes into the journal, and only then is the ref created,
//! and only if no tag of that name exists. So after any failure or kill, a tag of that name is
//! the run's exactly when it points at the recorded object: a tag a hook made meanwhile, or
//! another party's lightweight tag of the same name, is someone else's, kept by every restore
//! and never reported as "tagged". A signed tag is made by `git tag --sign` (the user's signing
//! setup); the journal marks it pending first, and in the moment between the ref and the
//! journal it is recognised by its content (a tag object of that name on the run's commit whose
//! message is the planned one).

use std::path::Path;

use anyhow::{Context, Result, bail};

use super::journal::Journal;
use crate::repo::Repo;

/// What a tag of the name a run makes is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagState {
    Absent,
    /// The run made it: its object.
    Ours(String),
    /// Someone else's, described (`a lightweight tag on commit abc1234`).
    Foreign(String),
}

/// The tag `name` as it is now, and whether this run made it; `on` is the commit the run
/// tags (`None`: the commit the run made, or its HEAD).
pub fn state_on(repo: &Repo, journal: &Journal, name: &str, message: &str, on: Option<&str>) -> Result<TagState> {
    let Some(object) = repo.tag_object(name)? else { return Ok(TagState::Absent) };
    if journal.tags.get(name) == Some(&object) {
        return Ok(TagState::Ours(object));
    }
    if journal.pending_tag.as_deref() == Some(name) && signed_by_this_run(repo, journal, name, &object, message, on)? {
        return Ok(TagState::Ours(object));
    }
    Ok(TagState::Foreign(describe(repo, &object)?))
}

/// Make the tag `name` on HEAD: the Tag step. Fails, leaving any tag of that name alone,
/// when one appears that this run did not make.
/// With `on`, the tag goes on that commit instead of HEAD.
pub fn create(
    repo: &Repo,
    journal: &mut Journal,
    git_dir: &Path,
    (name, message, on): (&str, &str, Option<&str>),
    sign: bool,
) -> Result<()> {
    // The commit the run made is HEAD: its step has just recorded it.
    let head = match on.or(journal.commit.as_deref()) {
        Some(commit) => commit.to_string(),
        None => repo.head_commit()?.context("there is no commit to tag")?,
    };
    if sign || repo.signs_tags_by_default()? {
        journal.pending_tag = Some(name.to_string());
        journal.save(git_dir)?;
        let made = match on {
            Some(commit) => repo.create_signed_tag_on(name, commit, message),
            None => repo.create_signed_tag(name, message),
        };
        let object = repo.tag_object(name)?;
        if let Err(err) = made {
            if let Some(object) = object {
                bail!("{err:#}\ntag {name} exists and this run did not make it ({})", describe(repo, &object)?);
            }
            return Err(err);
        }
        journal.tags.insert(name.to_string(), object.context("git tag --sign made no tag")?);
        journal.pending_tag = None;
        return Ok(());
    }
    let object = repo.make_tag_object(name, &head, message)?;
    journal.tags.insert(name.to_string(), object.clone());
    journal.save(git_dir)?;
    if !repo.create_tag_ref(name, &object)? {
        let other = repo.tag_object(name)?.unwrap_or_default();
        bail!(
            "tag {name} exists and this run did not make it ({}); someone (a hook?) made it during the run, and it is left as it is",
            describe(repo, &other)?
        );
    }
    Ok(())
}

/// A tag object for people: `a lightweight tag on commit abc1234` or `an annotated tag
/// (object 0123abc) on commit abc1234`.
pub fn describe(repo: &Repo, object: &str) -> Result<String> {
    Ok(match repo.object_type(object)?.as_deref() {
        Some("commit") => format!("a lightweight tag on commit {}", short(object)),
        Some("tag") => {
            let commit = repo.commit_of(object)?.unwrap_or_default();
            format!("an annotated tag (object {}) on commit {}", short(object), short(&commit))
        }
        Some(other) => format!("a tag of a {other} ({})", short(object)),
        None => format!("a tag of a missing object {}", short(object)),
    })
}

/// A signed tag made by `git tag --sign` before the run could record its id: a tag object named
/// `name` on the run's commit whose message starts with the planned one (the signature follows).
fn signed_by_this_run(
    repo: &Repo,
    journal: &Journal,
    name: &str,
    object: &str,
    message: &str,
    on: Option<&str>,
) -> Result<bool> {
    let Some(content) = repo.tag_content(object)? else { return Ok(false) };
    let Some((header, body)) = content.split_once("\n\n") else { return Ok(false) };
    let commit = on.or(journal.commit.as_deref()).unwrap_or(&journal.head_before);
    let has = |line: String| header.lines().any(|l| l == line);
    Ok(has(format!("object {commit}")) && has(format!("tag {name}")) && body.starts_with(message))
}

fn short(object: &str) -> &str {
    object.get(..7).unwrap_or(object)
}
