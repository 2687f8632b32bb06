//! The plan of a release of packages, computed by a pure function: every unit's version edits
//! and changelog sections, one commit, one annotated tag per unit, and one atomic push of the
//! branch and all the tags. A file two units would write is refused before anything is planned.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};

use super::planner::{changelog_write, commit_message, role_of};
use crate::changelog::{self, Commit};
use crate::plan::{Bytes, FileChange, Plan, Step, UnitRelease};
use crate::version::FileEdit;

/// One changelog a unit writes: its path, its current bytes (`None`: it does not exist yet),
/// and the commits its section lists (those of the packages that write into it), newest first.
#[derive(Debug)]
pub struct ChangelogInput {
    pub path: String,
    pub before: Option<Vec<u8>>,
    pub commits: Vec<Commit>,
}

/// One fixed group or independent package being released.
#[derive(Debug)]
pub struct UnitInput {
    pub name: String,
    pub packages: Vec<String>,
    pub from: semver::Version,
    pub to: semver::Version,
    pub tag: String,
    pub previous_tag: Option<String>,
    /// Its version sources' and lockfiles' edits.
    pub edits: Vec<FileEdit>,
    pub changelogs: Vec<ChangelogInput>,
    /// The commits its tag's notes list (every commit of the unit), newest first.
    pub commits: Vec<Commit>,
}

/// Everything the plan is made from.
#[derive(Debug)]
pub struct Input<'a> {
    pub project: &'a str,
    pub branch: &'a str,
    pub head: &'a str,
    pub date: &'a str,
    pub gates: Vec<String>,
    pub sign: bool,
    /// `--push`: the remote.
    pub push: Option<&'a str>,
    /// Files among the edits and changelogs that are executable (their mode is kept).
    pub executable: &'a BTreeSet<String>,
    pub units: Vec<UnitInput>,
}

pub fn plan_packages(input: Input<'_>) -> Result<Plan> {
    let mut writer: BTreeMap<&str, &str> = BTreeMap::new();
    for unit in &input.units {
        let written = unit.edits.iter().filter(|e| e.before != e.after).map(|e| e.path.as_str());
        for path in written.chain(unit.changelogs.iter().map(|c| c.path.as_str())) {
            match writer.insert(path, &unit.name) {
                Some(other) if other != unit.name => bail!(
                    "{path}: {other} and {} would both write it in one release; give each its own changelog \
                     (`changelog` of the [[package]] or [[group]]), or release them one at a time (`release NAME TARGET`)",
                    unit.name
                ),
                _ => {}
            }
        }
    }
    let mut steps = Vec::new();
    let mut paths = Vec::new();
    let mut tags = Vec::new();
    let mut releases = Vec::new();
    for unit in &input.units {
        let changelog_paths: Vec<&str> = unit.changelogs.iter().map(|c| c.path.as_str()).collect();
        for edit in &unit.edits {
            if edit.before == edit.after || changelog_paths.contains(&edit.path.as_str()) {
                continue;
            }
            paths.push(edit.path.clone());
            steps.push(Step::Write(FileChange {
                role: role_of(&edit.path),
                executable: input.executable.contains(&edit.path),
                symlink: false,
                was_symlink: false,
                before: Some(Bytes(edit.before.clone())),
                after: Some(Bytes(edit.after.clone())),
                path: edit.path.clone(),
            }));
        }
        for log in &unit.changelogs {
            paths.push(log.path.clone());
            steps.push(Step::Write(changelog_write(
                &log.path,
                log.before.as_deref(),
                &unit.to,
                input.date,
                &log.commits,
                input.executable.contains(&log.path),
            )?));
        }
        let notes = changelog::render_notes(&unit.commits);
        tags.push(Step::Tag { name: unit.tag.clone(), message: format!("{}\n\n{notes}", unit.tag), sign: input.sign });
        releases.push(UnitRelease {
            name: unit.name.clone(),
            packages: unit.packages.clone(),
            from: unit.from.to_string(),
            version: unit.to.to_string(),
            tag: unit.tag.clone(),
            previous_tag: unit.previous_tag.clone(),
            notes,
        });
    }
    let names: Vec<String> = releases.iter().map(|r| r.tag.clone()).collect();
    steps.push(Step::Commit { message: commit_message(&names.join(", ")), paths });
    steps.extend(tags);
    if let (Some(remote), Some((first, rest))) = (input.push, names.split_first()) {
        steps.push(Step::Push {
            remote: remote.to_string(),
            branch: input.branch.to_string(),
            tag: first.clone(),
            more_tags: rest.to_vec(),
        });
    }
    let single = (releases.len() == 1).then(|| releases[0].clone());
    Ok(Plan {
        command: "release".into(),
        project: input.project.to_string(),
        from: single.as_ref().map(|r| r.from.clone()),
        version: single.as_ref().map_or_else(|| names.join(", "), |r| r.version.clone()),
        branch: input.branch.to_string(),
        head: input.head.to_string(),
        previous_tag: single.as_ref().and_then(|r| r.previous_tag.clone()),
        date: input.date.to_string(),
        gates: input.gates,
        notes: single.map(|r| r.notes).unwrap_or_default(),
        releases,
        steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(kind: &str, description: &str, hash: &str) -> Commit {
        Commit {
            hash: hash.repeat(40),
            short: hash.repeat(7),
            kind: kind.into(),
            description: description.into(),
            ..Commit::default()
        }
    }

    fn unit(
        name: &str,
        tag: &str,
        from: &str,
        to: &str,
        file: &str,
        changelog: &str,
        commits: Vec<Commit>,
    ) -> UnitInput {
        UnitInput {
            name: name.into(),
            packages: vec![name.into()],
            from: semver::Version::parse(from).unwrap(),
            to: semver::Version::parse(to).unwrap(),
            tag: tag.into(),
            previous_tag: None,
            edits: vec![FileEdit {
                path: file.into(),
                before: format!("{from}\n").into_bytes(),
                after: format!("{to}\n").into_bytes(),
            }],
            changelogs: vec![ChangelogInput { path: changelog.into(), before: None, commits: commits.clone() }],
            commits,
        }
    }

    fn input(units: Vec<UnitInput>, exec: &BTreeSet<String>) -> Input<'_> {
        Input {
            project: "demo",
            branch: "main",
            head: "0123456789012345678901234567890123456789",
            date: "2026-01-02",
            gates: vec![],
            sign: false,
            push: Some("origin"),
            executable: exec,
            units,
        }
    }

    #[test]
    fn two_units_make_one_commit_a_tag_each_and_one_push() {
        let exec = BTreeSet::new();
        let pair =
            unit("pair", "v0.2.0", "0.1.0", "0.2.0", "backend/VERSION", "CHANGES.md", vec![commit("feat", "api", "a")]);
        let app =
            unit("app", "app-v1.1.0", "1.0.0", "1.1.0", "VERSION", "CHANGELOG.md", vec![commit("feat", "ui", "b")]);
        let plan = plan_packages(input(vec![pair, app], &exec)).unwrap();
        let kinds: Vec<String> = plan
            .steps
            .iter()
            .map(|s| match s {
                Step::Write(c) => format!("write {}", c.path),
                Step::Commit { message, paths } => format!("commit {message} [{}]", paths.join(",")),
                Step::Tag { name, .. } => format!("tag {name}"),
                Step::Push { tag, more_tags, .. } => format!("push {tag} {}", more_tags.join(",")),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "write backend/VERSION",
                "write CHANGES.md",
                "write VERSION",
                "write CHANGELOG.md",
                "commit chore(release): v0.2.0, app-v1.1.0 [backend/VERSION,CHANGES.md,VERSION,CHANGELOG.md]",
                "tag v0.2.0",
                "tag app-v1.1.0",
                "push v0.2.0 app-v1.1.0",
            ]
        );
        assert_eq!((plan.version.as_str(), plan.from.as_deref()), ("v0.2.0, app-v1.1.0", None));
        assert_eq!(plan.releases.len(), 2);
        let Step::Tag { message, .. } = &plan.steps[6] else { unreachable!() };
        assert!(
            message.starts_with("app-v1.1.0\n\n") && message.contains("ui") && !message.contains("api"),
            "{message}"
        );
        let Step::Write(log) = &plan.steps[1] else { unreachable!() };
        assert!(String::from_utf8_lossy(&log.after.as_ref().unwrap().0).contains("## [0.2.0] - 2026-01-02"));
    }

    #[test]
    fn one_unit_reads_as_a_release_of_one_version() {
        let exec = BTreeSet::new();
        let app = unit("app", "app-v1.1.0", "1.0.0", "1.1.0", "VERSION", "CHANGELOG.md", vec![]);
        let mut only = input(vec![app], &exec);
        only.push = None;
        let plan = plan_packages(only).unwrap();
        assert_eq!(
            (plan.version.as_str(), plan.from.as_deref(), plan.tag_name()),
            ("1.1.0", Some("1.0.0"), Some("app-v1.1.0"))
        );
        assert!(plan.push().is_none());
    }

    #[test]
    fn a_file_two_units_write_is_refused() {
        let exec = BTreeSet::new();
        let pair = unit("pair", "v0.2.0", "0.1.0", "0.2.0", "backend/VERSION", "CHANGELOG.md", vec![]);
        let app = unit("app", "app-v1.1.0", "1.0.0", "1.1.0", "VERSION", "CHANGELOG.md", vec![]);
        let err = plan_packages(input(vec![pair, app], &exec)).unwrap_err().to_string();
        assert!(err.starts_with("CHANGELOG.md: pair and app would both write it in one release"), "{err}");
    }
}
