//! What release and rollback will do, as data: shown by `--dry-run`, executed by `apply`.
//!
//! A plan is an ordered list of [`Step`]s over one branch, computed from facts by a pure
//! function. `--dry-run` renders it (as text with diffs, or as JSON), the executor runs the
//! very same value and records it in its journal. Every step can be checked against the
//! repository ("is it done?") and undone, which is what makes restore, `--resume` and
//! `--abort` possible; a rollback is just another list of the same steps.

pub mod diff;
mod render;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use render::{render, show_dry_run};

/// Everything one `release` (or `rollback`) will do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The command that made it: `release`, `rollback`, `rollback --undo`.
    pub command: String,
    /// The project name (from `[release] name` or the root folder).
    pub project: String,
    /// The current version (canonical SemVer), when there is one.
    pub from: Option<String>,
    /// The new version (canonical SemVer); for a release of several packages, their tags.
    pub version: String,
    /// The branch that moves; it must be checked out.
    pub branch: String,
    /// The commit the plan was made on; the executor refuses to run it on another.
    pub head: String,
    /// The release tag the notes start after.
    pub previous_tag: Option<String>,
    /// The release date written into the changelog.
    pub date: String,
    /// The quality gates run before the first write (empty with `--no-verify`).
    pub gates: Vec<String>,
    /// The release notes (the tag message's body).
    pub notes: String,
    /// A release of packages (`[[package]]`): each fixed group or independent package it
    /// moves, with its own versions, tag and notes. Empty for a release of the repository.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub releases: Vec<UnitRelease>,
    pub steps: Vec<Step>,
}

/// One fixed group or independent package in a release of packages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRelease {
    /// The group's name (fixed) or the package's (independent).
    pub name: String,
    /// Its packages.
    pub packages: Vec<String>,
    pub from: String,
    pub version: String,
    pub tag: String,
    /// Its release tag the notes start after.
    pub previous_tag: Option<String>,
    pub notes: String,
}

/// One thing the executor does. Writes come first; the push, when there is one, last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum Step {
    /// Replace (or create, or delete) one file, atomically.
    Write(FileChange),
    /// `git add` exactly `paths`, then one commit (hooks run). `tree`: what the commit's tree
    /// is, when the planner knows it from git's objects (see [`crate::repo::planned_tree`]);
    /// not kept in the journal (a resumed run writes the index as a tree).
    Commit {
        message: String,
        paths: Vec<String>,
        #[serde(skip)]
        tree: Option<crate::repo::planned_tree::TreeRecipe>,
    },
    /// An annotated tag on the new HEAD (`git tag -a`, or `-s` when `sign`).
    Tag { name: String, message: String, sign: bool },
    /// Move the branch and the index to `to`, leaving the work tree (written before) alone.
    Reset { to: String },
    /// Delete a tag; `object` is what it pointed at, to recreate it on restore.
    DeleteTag { name: String, object: String },
    /// `git push --atomic REMOTE refs/heads/BRANCH refs/tags/TAG`, with the other tags of a
    /// release of several packages in the same push.
    Push {
        remote: String,
        branch: String,
        tag: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        more_tags: Vec<String>,
    },
    /// Create the branch `name` at the plan's HEAD (only if there is none) and check it out;
    /// the work tree and the index stay as they are (`release --branch`).
    Branch { name: String },
    /// `git push --set-upstream REMOTE refs/heads/BRANCH`: the release branch, no tag.
    PushBranch { remote: String, branch: String },
    /// An annotated tag on `commit`, which need not be HEAD (`release --tag-merged`).
    TagCommit { name: String, commit: String, message: String, sign: bool },
    /// `git push REMOTE refs/tags/TAG`: the tag alone.
    PushTag { remote: String, tag: String },
}

impl Step {
    /// The tag this step creates: its name, its message, and the commit it goes on when that
    /// is not the run's own HEAD (`TagCommit`).
    pub fn created_tag(&self) -> Option<(&str, &str, Option<&str>)> {
        match self {
            Step::Tag { name, message, .. } => Some((name, message, None)),
            Step::TagCommit { name, commit, message, .. } => Some((name, message, Some(commit))),
            _ => None,
        }
    }
}

/// Why a file is part of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A version source.
    Version,
    /// A lockfile moved with its manifest.
    Lockfile,
    /// The changelog.
    Changelog,
    /// A file restored to another release's content (rollback).
    Restore,
    /// A manifest (or lockfile) whose requirement on a released package moves with it.
    Dependency,
}

/// One file edit with the exact bytes before and after (`None`: the file does not exist).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    /// Root-relative, forward slashes.
    pub path: String,
    pub role: Role,
    pub before: Option<Bytes>,
    pub after: Option<Bytes>,
    /// The executable bit after the write (existing files keep their other permissions).
    #[serde(default)]
    pub executable: bool,
    /// `after` is the target of a symbolic link, not file content (a rollback restoring one).
    #[serde(default, skip_serializing_if = "is_false")]
    pub symlink: bool,
    /// `before` is the target of a symbolic link.
    #[serde(default, skip_serializing_if = "is_false")]
    pub was_symlink: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl FileChange {
    /// How `before` is compared with the disk: `None` reads through a symbolic link (the
    /// version files of a release), `Some(true)` wants the link itself, `Some(false)` a file.
    pub fn before_link(&self) -> Option<bool> {
        (self.symlink || self.was_symlink).then_some(self.was_symlink)
    }

    /// How `after` is compared with the disk (as [`FileChange::before_link`]).
    pub fn after_link(&self) -> Option<bool> {
        (self.symlink || self.was_symlink).then_some(self.symlink)
    }
}

/// File contents in a plan: JSON text when they are UTF-8 (exact, CRLF and all), else hex.
#[derive(Clone, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(&self.0))
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(&self.0) {
            Ok(text) => serializer.serialize_str(text),
            Err(_) => {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("hex", &hex(&self.0))?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Bytes, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Text(String),
            Hex { hex: String },
        }
        match Repr::deserialize(deserializer)? {
            Repr::Text(text) => Ok(Bytes(text.into_bytes())),
            Repr::Hex { hex } => unhex(&hex).map(Bytes).ok_or_else(|| serde::de::Error::custom("invalid hex bytes")),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

impl Plan {
    /// The file edits, in order.
    pub fn writes(&self) -> impl Iterator<Item = &FileChange> {
        self.steps.iter().filter_map(|s| match s {
            Step::Write(change) => Some(change),
            _ => None,
        })
    }

    /// The tag the plan creates, if any.
    pub fn tag_name(&self) -> Option<&str> {
        self.steps.iter().find_map(|s| match s {
            Step::Tag { name, .. } | Step::TagCommit { name, .. } => Some(name.as_str()),
            _ => None,
        })
    }

    /// The commit message, if the plan commits.
    pub fn commit_message(&self) -> Option<&str> {
        self.steps.iter().find_map(|s| match s {
            Step::Commit { message, .. } => Some(message.as_str()),
            _ => None,
        })
    }

    /// The commit the branch points at when step `index` starts in an uninterrupted run, up to
    /// the plan's commit: the starting HEAD, moved by the `Reset` steps before it.
    pub fn base_before(&self, index: usize) -> &str {
        self.steps[..index.min(self.steps.len())]
            .iter()
            .filter_map(|s| match s {
                Step::Reset { to } => Some(to.as_str()),
                _ => None,
            })
            .next_back()
            .unwrap_or(&self.head)
    }

    /// The index and message of the commit step, if the plan commits.
    pub fn commit_step(&self) -> Option<(usize, &str)> {
        self.steps.iter().enumerate().find_map(|(i, s)| match s {
            Step::Commit { message, .. } => Some((i, message.as_str())),
            _ => None,
        })
    }

    /// The branch a `release --branch` plan creates, if any.
    pub fn new_branch(&self) -> Option<&str> {
        self.steps.iter().find_map(|s| match s {
            Step::Branch { name } => Some(name.as_str()),
            _ => None,
        })
    }

    /// The push step, if any.
    pub fn push(&self) -> Option<(&str, &str, &str)> {
        self.steps.iter().find_map(|s| match s {
            Step::Push { remote, branch, tag, .. } => Some((remote.as_str(), branch.as_str(), tag.as_str())),
            _ => None,
        })
    }

    /// Every tag the plan creates, in order.
    pub fn tag_names(&self) -> Vec<&str> {
        self.steps.iter().filter_map(|s| s.created_tag().map(|(name, _, _)| name)).collect()
    }
}

/// The command that pushes a release branch (`release --branch`) and sets its upstream.
pub fn push_branch_command(remote: &str, branch: &str) -> String {
    format!("git push --set-upstream {remote} refs/heads/{branch}")
}

/// The command that pushes one tag (`release --tag-merged`).
pub fn push_tag_command(remote: &str, tag: &str) -> String {
    format!("git push {remote} refs/tags/{tag}")
}

/// The command that pushes a release's branch and tags together.
pub fn push_command(remote: &str, branch: &str, tags: &[&str]) -> String {
    let tags: String = tags.iter().map(|t| format!(" refs/tags/{t}")).collect();
    format!("git push --atomic {remote} refs/heads/{branch}{tags}")
}

/// The tags of a push step: the first, then the others.
pub fn push_tags<'a>(tag: &'a str, more_tags: &'a [String]) -> Vec<&'a str> {
    std::iter::once(tag).chain(more_tags.iter().map(String::as_str)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Plan {
        Plan {
            command: "release".into(),
            project: "demo".into(),
            from: Some("0.1.0".into()),
            version: "0.2.0".into(),
            branch: "main".into(),
            head: "0123456789abcdef0123456789abcdef01234567".into(),
            previous_tag: Some("v0.1.0".into()),
            date: "2026-01-01".into(),
            gates: vec!["ascii".into()],
            notes: "### Features\n\n- thing (abc1234)\n".into(),
            steps: vec![
                Step::Write(FileChange {
                    path: "pyproject.toml".into(),
                    role: Role::Version,
                    before: Some(Bytes(b"version = \"0.1.0\"\r\n".to_vec())),
                    after: Some(Bytes(b"version = \"0.2.0\"\r\n".to_vec())),
                    executable: false,
                    symlink: false,
                    was_symlink: false,
                }),
                Step::Write(FileChange {
                    path: "blob.bin".into(),
                    role: Role::Restore,
                    before: Some(Bytes(vec![0xff, 0x00, 0x10])),
                    after: None,
                    executable: true,
                    symlink: false,
                    was_symlink: false,
                }),
                Step::Commit {
                    message: "chore(release): v0.2.0".into(),
                    paths: vec!["pyproject.toml".into()],
                    tree: None,
                },
                Step::Tag { name: "v0.2.0".into(), message: "v0.2.0\n\nnotes\n".into(), sign: false },
                Step::Push { remote: "origin".into(), branch: "main".into(), tag: "v0.2.0".into(), more_tags: vec![] },
            ],
            releases: vec![],
        }
    }

    #[test]
    fn plans_round_trip_through_json_byte_for_byte() {
        let plan = sample();
        let json = serde_json::to_string(&plan).unwrap();
        assert!(json.contains(r#""before":"version = \"0.1.0\"\r\n""#), "{json}");
        assert!(json.contains(r#""before":{"hex":"ff0010"}"#), "{json}");
        assert!(json.contains(r#""step":"write""#) && json.contains(r#""step":"push""#), "{json}");
        let back: Plan = serde_json::from_str(&json).unwrap();
        assert_eq!(back, plan);
    }

    #[test]
    fn accessors_find_the_steps() {
        let plan = sample();
        assert_eq!(plan.writes().count(), 2);
        assert_eq!(plan.tag_name(), Some("v0.2.0"));
        assert_eq!(plan.commit_message(), Some("chore(release): v0.2.0"));
        assert_eq!(plan.push(), Some(("origin", "main", "v0.2.0")));
        assert_eq!(
            push_command("origin", "main", &["v0.2.0"]),
            "git push --atomic origin refs/heads/main refs/tags/v0.2.0"
        );
    }

    #[test]
    fn bad_hex_is_an_error() {
        assert!(serde_json::from_str::<Bytes>(r#"{"hex":"f"}"#).is_err());
        assert!(serde_json::from_str::<Bytes>(r#"{"hex":"zz"}"#).is_err());
        assert_eq!(serde_json::from_str::<Bytes>(r#"{"hex":"00ff"}"#).unwrap().0, vec![0, 255]);
    }
}
