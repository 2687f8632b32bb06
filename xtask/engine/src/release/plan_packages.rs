//! The plan of a release of packages, computed by a pure function: every unit's version edits
//! and changelog sections, one commit, one annotated tag per unit, and one atomic push of the
//! branch and all the tags. Two edits of one file (a manifest whose version moves with one
//! unit and whose requirement on another moves with it) are combined line by line; a changelog
//! two units would write is refused before anything is planned.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};

use super::planner::{changelog_write, commit_message, role_of};
use crate::changelog::{self, Commit};
use crate::plan::{Bytes, FileChange, Plan, Role, Step, UnitRelease};
use crate::version::FileEdit;

/// One changelog a unit writes: its path, its current bytes (`None`: it does not exist yet),
/// and the commits its section lists (those of the packages that write into it), newest first.
#[derive(Debug)]
pub struct ChangelogInput {
    pub path: String,
    pub before: Option<Vec<u8>>,
    pub commits: Vec<Commit>,
    /// The requirements of its packages that move with this release (`shop-api ^0.2.0 in
    /// frontend/package.json`), listed under Dependencies.
    pub dependencies: Vec<String>,
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
    /// The requirements on the released packages in other manifests (and their lockfiles).
    pub requirements: Vec<FileEdit>,
}

pub fn plan_packages(input: Input<'_>) -> Result<Plan> {
    let mut changelog_of: BTreeMap<&str, &str> = BTreeMap::new();
    for unit in &input.units {
        for log in &unit.changelogs {
            if let Some(other) = changelog_of.insert(&log.path, &unit.name) {
                bail!(
                    "{}: {other} and {} would both write their notes into it in one release; give each its own changelog \
                     (`changelog` of the [[package]] or [[group]]), or release them one at a time (`release NAME TARGET`)",
                    log.path,
                    unit.name
                );
            }
        }
    }
    let mut writes: Vec<FileChange> = Vec::new();
    let mut add = |edit: &FileEdit, role: Role, owner: &str| -> Result<()> {
        if edit.before == edit.after || changelog_of.contains_key(edit.path.as_str()) {
            return Ok(());
        }
        match writes.iter_mut().find(|w| w.path == edit.path) {
            Some(write) => {
                let ours = write.after.as_ref().map(|b| b.0.as_slice()).unwrap_or_default();
                let Some(merged) = merge_lines(&edit.before, ours, &edit.after) else {
                    bail!(
                        "{}: {owner} changes the same lines as another part of this release; release them one at a time",
                        edit.path
                    );
                };
                write.after = Some(Bytes(merged));
            }
            None => writes.push(FileChange {
                role,
                executable: input.executable.contains(&edit.path),
                symlink: false,
                was_symlink: false,
                before: Some(Bytes(edit.before.clone())),
                after: Some(Bytes(edit.after.clone())),
                path: edit.path.clone(),
            }),
        }
        Ok(())
    };
    for unit in &input.units {
        for edit in &unit.edits {
            add(edit, role_of(&edit.path), &unit.name)?;
        }
    }
    for edit in &input.requirements {
        add(edit, Role::Dependency, "a dependency requirement")?;
    }
    let mut steps: Vec<Step> = Vec::new();
    let mut paths: Vec<String> = writes.iter().map(|w| w.path.clone()).collect();
    steps.extend(writes.into_iter().map(Step::Write));
    let mut tags = Vec::new();
    let mut releases = Vec::new();
    for unit in &input.units {
        for log in &unit.changelogs {
            paths.push(log.path.clone());
            let notes = notes_with(&log.commits, &log.dependencies);
            steps.push(Step::Write(changelog_write(
                &log.path,
                log.before.as_deref(),
                &unit.to,
                input.date,
                &notes,
                input.executable.contains(&log.path),
            )?));
        }
        let dependencies: Vec<String> = unit.changelogs.iter().flat_map(|c| c.dependencies.iter().cloned()).collect();
        let notes = notes_with(&unit.commits, &dependencies);
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
    steps.push(Step::Commit { message: commit_message(&names.join(", ")), paths, tree: None });
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

/// The notes of `commits`, and a Dependencies section listing the requirements that moved.
fn notes_with(commits: &[Commit], dependencies: &[String]) -> String {
    if dependencies.is_empty() {
        return changelog::render_notes(commits);
    }
    let list: String = dependencies.iter().map(|d| format!("- {d}\n")).collect();
    let section = format!("### Dependencies\n\n{list}");
    if commits.is_empty() { section } else { format!("{}\n{section}", changelog::render_notes(commits)) }
}

/// Two edits of one file made from the same bytes, combined line by line: `None` when they
/// change the same line differently, or a line count (a version edit changes values inside
/// lines, never the number of lines).
fn merge_lines(base: &[u8], ours: &[u8], theirs: &[u8]) -> Option<Vec<u8>> {
    let lines = |b: &[u8]| -> Vec<Vec<u8>> { b.split_inclusive(|&c| c == b'\n').map(<[u8]>::to_vec).collect() };
    let (base, ours, theirs) = (lines(base), lines(ours), lines(theirs));
    if base.len() != ours.len() || base.len() != theirs.len() {
        return None;
    }
    let mut out = Vec::new();
    for ((b, o), t) in base.iter().zip(&ours).zip(&theirs) {
        let line = match (o == b, t == b) {
            (true, _) => t,
            (false, true) => o,
            (false, false) if o == t => o,
            (false, false) => return None,
        };
        out.extend_from_slice(line);
    }
    Some(out)
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
            changelogs: vec![ChangelogInput {
                path: changelog.into(),
                before: None,
                commits: commits.clone(),
                dependencies: vec![],
            }],
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
            requirements: vec![],
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
                Step::Commit { message, paths, .. } => format!("commit {message} [{}]", paths.join(",")),
                Step::Tag { name, .. } => format!("tag {name}"),
                Step::Push { tag, more_tags, .. } => format!("push {tag} {}", more_tags.join(",")),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "write backend/VERSION",
                "write VERSION",
                "write CHANGES.md",
                "write CHANGELOG.md",
                "commit chore(release): v0.2.0, app-v1.1.0 [backend/VERSION,VERSION,CHANGES.md,CHANGELOG.md]",
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
        let Step::Write(log) = &plan.steps[2] else { unreachable!() };
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
        assert!(err.starts_with("CHANGELOG.md: pair and app would both write their notes into it"), "{err}");
    }

    #[test]
    fn two_edits_of_one_file_merge_by_line_unless_they_collide() {
        let base = b"{\n  \"version\": \"1.0.0\",\n  \"dep\": \"^0.1.0\"\n}\n";
        let version = b"{\n  \"version\": \"1.0.1\",\n  \"dep\": \"^0.1.0\"\n}\n";
        let dep = b"{\n  \"version\": \"1.0.0\",\n  \"dep\": \"^0.2.0\"\n}\n";
        let merged = merge_lines(base, version, dep).unwrap();
        assert_eq!(merged, b"{\n  \"version\": \"1.0.1\",\n  \"dep\": \"^0.2.0\"\n}\n");
        assert_eq!(merge_lines(base, version, version).unwrap(), version, "the same change twice is one");
        let other = b"{\n  \"version\": \"2.0.0\",\n  \"dep\": \"^0.1.0\"\n}\n";
        assert_eq!(merge_lines(base, version, other), None, "one line changed two ways");
        assert_eq!(merge_lines(base, version, b"{}\n"), None, "another line count");
    }
}
