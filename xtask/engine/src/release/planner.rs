//! The release plan, computed from facts by a pure function: the version edits, the
//! changelog section, the commit, the annotated tag, the push.

use std::collections::BTreeSet;

use anyhow::{Result, bail};

use crate::changelog::{self, Commit};
use crate::plan::{Bytes, FileChange, Plan, Role, Step};
use crate::version::FileEdit;

/// Everything the release plan is made from.
#[derive(Debug)]
pub struct Input<'a> {
    pub project: &'a str,
    /// How the new tag is spelled.
    pub tag_style: &'a changelog::TagStyle,
    pub from: &'a semver::Version,
    pub to: &'a semver::Version,
    pub branch: &'a str,
    pub head: &'a str,
    /// The tag the notes start after.
    pub previous_tag: Option<&'a str>,
    pub date: &'a str,
    /// The commits the notes list, newest first.
    pub commits: &'a [Commit],
    /// The version sources' and lockfiles' edits.
    pub edits: Vec<FileEdit>,
    pub changelog_path: &'a str,
    /// The changelog's current bytes (`None`: it does not exist yet).
    pub changelog: Option<&'a [u8]>,
    /// Files among the edits that are executable (their mode is kept).
    pub executable: &'a BTreeSet<String>,
    /// The gates that run before the first write.
    pub gates: Vec<String>,
    pub sign: bool,
    /// `--push`: the remote.
    pub push: Option<&'a str>,
    /// `--branch`: the commit goes on a new branch `release/TAG`, and there is no tag.
    pub on_branch: bool,
}

/// The commit message of a release.
pub fn commit_message(tag: &str) -> String {
    format!("chore(release): {tag}")
}

/// The tag a release plan names in its commit message (a `--branch` plan makes no tag).
pub fn tag_of(plan: &Plan) -> Option<&str> {
    plan.commit_message()?.lines().next()?.strip_prefix("chore(release): ")
}

pub fn plan_release(input: Input<'_>) -> Result<Plan> {
    let tag = input.tag_style.name(input.to);
    let notes = changelog::render_notes(input.commits);
    let mut steps = Vec::new();
    let release_branch = input.on_branch.then(|| super::branch::name(&tag));
    if let Some(name) = &release_branch {
        steps.push(Step::Branch { name: name.clone() });
    }
    let mut paths = Vec::new();
    for edit in input.edits {
        if edit.before == edit.after || edit.path == input.changelog_path {
            continue;
        }
        paths.push(edit.path.clone());
        steps.push(Step::Write(FileChange {
            role: role_of(&edit.path),
            executable: input.executable.contains(&edit.path),
            symlink: false,
            was_symlink: false,
            before: Some(Bytes(edit.before)),
            after: Some(Bytes(edit.after)),
            path: edit.path,
        }));
    }
    paths.push(input.changelog_path.to_string());
    steps.push(Step::Write(changelog_write(
        input.changelog_path,
        input.changelog,
        input.to,
        input.date,
        &notes,
        input.executable.contains(input.changelog_path),
    )?));
    steps.push(Step::Commit { message: commit_message(&tag), paths, tree: None });
    match (release_branch, input.push) {
        (Some(branch), Some(remote)) => steps.push(Step::PushBranch { remote: remote.to_string(), branch }),
        (Some(_), None) => {}
        (None, push) => {
            steps.push(Step::Tag { name: tag.clone(), message: format!("{tag}\n\n{notes}"), sign: input.sign });
            if let Some(remote) = push {
                steps.push(Step::Push {
                    remote: remote.to_string(),
                    branch: input.branch.to_string(),
                    tag,
                    more_tags: vec![],
                });
            }
        }
    }
    Ok(Plan {
        command: "release".into(),
        project: input.project.to_string(),
        from: Some(input.from.to_string()),
        version: input.to.to_string(),
        branch: input.branch.to_string(),
        head: input.head.to_string(),
        previous_tag: input.previous_tag.map(str::to_string),
        date: input.date.to_string(),
        gates: input.gates,
        notes,
        releases: Vec::new(),
        steps,
    })
}

/// The changelog with the release's section (`## [TO] - DATE` and `notes`) added: `before` is
/// its current bytes (`None`: it is created). Refused when it is not text or already has a
/// section for `to`.
pub(super) fn changelog_write(
    path: &str,
    before: Option<&[u8]>,
    to: &semver::Version,
    date: &str,
    notes: &str,
    executable: bool,
) -> Result<FileChange> {
    let old = match before.map(std::str::from_utf8) {
        None => "",
        Some(Ok(text)) => text,
        Some(Err(e)) => bail!(
            "{path}: not UTF-8 (at byte {}); the changelog must be text to add the release notes",
            e.valid_up_to()
        ),
    };
    if let Some((line, heading)) = changelog::existing_section(old, &to.to_string()) {
        bail!(
            "{path}:{line}: the changelog already has a section for {to} ({heading:?}); remove it (entries under \
             `## [Unreleased]` are moved into the release's section), or release another version"
        );
    }
    let section = format!("## [{to}] - {date}\n\n{notes}");
    let new = changelog::insert_section(old, &section);
    Ok(FileChange {
        path: path.to_string(),
        role: Role::Changelog,
        before: before.map(|b| Bytes(b.to_vec())),
        after: Some(Bytes(new.into_bytes())),
        executable,
        symlink: false,
        was_symlink: false,
    })
}

/// Lockfiles are named for their ecosystem; every other edited file is a version source.
pub(super) fn role_of(path: &str) -> Role {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name {
        "package-lock.json" | "npm-shrinkwrap.json" | "Cargo.lock" | "uv.lock" | "poetry.lock" => Role::Lockfile,
        _ => Role::Version,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(kind: &str, description: &str, hash: &str) -> Commit {
        Commit {
            hash: hash.repeat(40 / hash.len()),
            short: hash.repeat(7 / hash.len() + 1)[..7].to_string(),
            kind: kind.into(),
            description: description.into(),
            ..Commit::default()
        }
    }

    static STYLE: std::sync::LazyLock<changelog::TagStyle> =
        std::sync::LazyLock::new(|| changelog::TagStyle { prefix: "v".into(), spelling: changelog::Spelling::Semver });

    fn input<'a>(
        edits: Vec<FileEdit>,
        changelog: Option<&'a [u8]>,
        commits: &'a [Commit],
        exec: &'a BTreeSet<String>,
        from: &'a semver::Version,
        to: &'a semver::Version,
    ) -> Input<'a> {
        Input {
            project: "demo",
            tag_style: &STYLE,
            from,
            to,
            branch: "main",
            head: "0123456789012345678901234567890123456789",
            previous_tag: Some("v0.1.0"),
            date: "2026-01-02",
            commits,
            edits,
            changelog_path: "CHANGELOG.md",
            changelog,
            executable: exec,
            gates: vec!["ascii".into()],
            sign: false,
            push: Some("origin"),
            on_branch: false,
        }
    }

    #[test]
    fn writes_then_changelog_then_commit_tag_push() {
        let from = semver::Version::parse("0.1.0").unwrap();
        let to = semver::Version::parse("0.2.0").unwrap();
        let commits = [commit("feat", "add lots", "a"), commit("fix", "round prices", "b")];
        let edits = vec![
            FileEdit {
                path: "pyproject.toml".into(),
                before: b"version = \"0.1.0\"\n".to_vec(),
                after: b"version = \"0.2.0\"\n".to_vec(),
            },
            FileEdit { path: "web/package-lock.json".into(), before: b"{}".to_vec(), after: b"{ }".to_vec() },
            FileEdit { path: "same.txt".into(), before: b"x".to_vec(), after: b"x".to_vec() },
        ];
        let exec = BTreeSet::new();
        let plan = plan_release(input(edits, Some(b"# Changelog\n"), &commits, &exec, &from, &to)).unwrap();
        let kinds: Vec<String> = plan
            .steps
            .iter()
            .map(|s| match s {
                Step::Write(c) => format!("write {} {:?}", c.path, c.role),
                Step::Commit { message, paths, .. } => format!("commit {message} {}", paths.join(",")),
                Step::Tag { name, .. } => format!("tag {name}"),
                Step::Push { remote, branch, tag, .. } => format!("push {remote} {branch} {tag}"),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "write pyproject.toml Version",
                "write web/package-lock.json Lockfile",
                "write CHANGELOG.md Changelog",
                "commit chore(release): v0.2.0 pyproject.toml,web/package-lock.json,CHANGELOG.md",
                "tag v0.2.0",
                "push origin main v0.2.0",
            ]
        );
        let Step::Write(log) = &plan.steps[2] else { unreachable!() };
        let text = String::from_utf8(log.after.clone().unwrap().0).unwrap();
        assert!(text.contains("## [0.2.0] - 2026-01-02"), "{text}");
        assert!(text.contains("add lots") && text.contains("round prices"), "{text}");
        let Step::Tag { message, .. } = &plan.steps[4] else { unreachable!() };
        assert!(message.starts_with("v0.2.0\n\n### "), "{message}");
        assert_eq!(plan.notes, message["v0.2.0\n\n".len()..]);
        assert_eq!(plan.from.as_deref(), Some("0.1.0"));
    }

    #[test]
    fn a_branch_release_makes_the_branch_first_and_pushes_it_without_a_tag() {
        let from = semver::Version::parse("0.1.0").unwrap();
        let to = semver::Version::parse("0.2.0").unwrap();
        let exec = BTreeSet::new();
        let mut branched = input(vec![], Some(b"# Changelog\n"), &[], &exec, &from, &to);
        branched.on_branch = true;
        let plan = plan_release(branched).unwrap();
        let kinds: Vec<String> = plan
            .steps
            .iter()
            .map(|s| match s {
                Step::Branch { name } => format!("branch {name}"),
                Step::Write(c) => format!("write {}", c.path),
                Step::Commit { message, .. } => format!("commit {message}"),
                Step::PushBranch { remote, branch } => format!("push {remote} {branch}"),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "branch release/v0.2.0",
                "write CHANGELOG.md",
                "commit chore(release): v0.2.0",
                "push origin release/v0.2.0"
            ]
        );
        assert_eq!((plan.branch.as_str(), plan.new_branch(), plan.tag_name()), ("main", Some("release/v0.2.0"), None));
        assert_eq!(tag_of(&plan), Some("v0.2.0"));
        let mut local = input(vec![], Some(b"# Changelog\n"), &[], &exec, &from, &to);
        (local.on_branch, local.push) = (true, None);
        assert_eq!(plan_release(local).unwrap().steps.len(), 3, "no push, no tag");
    }

    #[test]
    fn a_missing_changelog_is_created_and_a_binary_one_refused() {
        let from = semver::Version::parse("1.0.0").unwrap();
        let to = semver::Version::parse("1.0.1").unwrap();
        let exec = BTreeSet::new();
        let plan = plan_release(input(vec![], None, &[], &exec, &from, &to)).unwrap();
        let Step::Write(log) = &plan.steps[0] else { unreachable!() };
        assert_eq!(log.before, None);
        assert!(String::from_utf8_lossy(&log.after.as_ref().unwrap().0).contains("## [1.0.1] - 2026-01-02"));
        let err = plan_release(input(vec![], Some(&[b'#', 0xff]), &[], &exec, &from, &to)).unwrap_err();
        assert!(format!("{err:#}").contains("CHANGELOG.md: not UTF-8 (at byte 1)"), "{err:#}");
    }

    #[test]
    fn a_release_the_changelog_already_has_is_refused() {
        let from = semver::Version::parse("1.0.0").unwrap();
        let to = semver::Version::parse("1.0.1").unwrap();
        let exec = BTreeSet::new();
        for text in ["# Changelog\n\n## [1.0.1] - 2025-01-01\n", "# Changelog\n\n## [Unreleased]\n\n## v1.0.1\n"] {
            let err = plan_release(input(vec![], Some(text.as_bytes()), &[], &exec, &from, &to)).unwrap_err();
            let err = format!("{err:#}");
            assert!(err.starts_with("CHANGELOG.md:") && err.contains("already has a section for 1.0.1"), "{err}");
        }
        // In a code block, or another version, it is not a section of this release.
        for text in ["# Changelog\n\n```\n## [1.0.1]\n```\n", "# Changelog\n\n## [1.0.10] - 2025-01-01\n"] {
            assert!(plan_release(input(vec![], Some(text.as_bytes()), &[], &exec, &from, &to)).is_ok(), "{text}");
        }
    }
}
