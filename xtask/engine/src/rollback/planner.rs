//! The plans of `rollback` and `rollback --undo`, computed from facts by pure functions: the
//! file writes, then the commit and tag (or the reset and the tag deletion), then the push.

use crate::plan::{FileChange, Plan, Step};

use super::notes::{self, Story};

/// Everything a rollback plan is made from.
#[derive(Debug)]
pub struct Rollback<'a> {
    pub project: &'a str,
    /// The new release's tag, in the repository's tag style.
    pub tag: &'a str,
    pub from: &'a semver::Version,
    pub branch: &'a str,
    pub head: &'a str,
    pub story: Story<'a>,
    /// Every file that differs from the tree the rollback commits (version sources,
    /// lockfiles and the changelog included).
    pub changes: Vec<FileChange>,
    pub gates: Vec<String>,
    /// `--push`: the remote.
    pub push: Option<&'a str>,
    /// The commit's tree, when it can be built from git's objects.
    pub tree: Option<crate::repo::planned_tree::TreeRecipe>,
}

pub fn plan_rollback(input: Rollback<'_>) -> Plan {
    let tag = input.tag.to_string();
    let notes = notes::notes(&input.story);
    let mut changes = input.changes;
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    let paths: Vec<String> = changes.iter().map(|c| c.path.clone()).collect();
    let mut steps: Vec<Step> = changes.into_iter().map(Step::Write).collect();
    steps.push(Step::Commit { message: notes::commit_message(&tag, &input.story), paths, tree: input.tree });
    steps.push(Step::Tag { name: tag.clone(), message: format!("{tag}\n\n{notes}"), sign: false });
    if let Some(remote) = input.push {
        steps.push(Step::Push { remote: remote.to_string(), branch: input.branch.to_string(), tag, more_tags: vec![] });
    }
    Plan {
        command: "rollback".into(),
        project: input.project.to_string(),
        from: Some(input.from.to_string()),
        version: input.story.new.to_string(),
        branch: input.branch.to_string(),
        head: input.head.to_string(),
        previous_tag: Some(input.story.target_tag.to_string()),
        date: input.story.date.to_string(),
        gates: input.gates,
        notes,
        releases: Vec::new(),
        steps,
    }
}

/// Everything an undo plan is made from.
#[derive(Debug)]
pub struct Undo<'a> {
    pub project: &'a str,
    /// The version of the release removed.
    pub version: &'a semver::Version,
    pub branch: &'a str,
    /// The release commit (HEAD).
    pub head: &'a str,
    /// The commit before it, where the branch goes back to.
    pub parent: &'a str,
    pub tag: &'a str,
    /// The object the tag points at (to recreate it if the undo is aborted).
    pub tag_object: &'a str,
    /// The other tags of the release commit (a release of several packages), with their objects.
    pub more_tags: Vec<(String, String)>,
    pub date: &'a str,
    /// The files as they were before the release commit.
    pub changes: Vec<FileChange>,
}

pub fn plan_undo(input: Undo<'_>) -> Plan {
    let mut changes = input.changes;
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    let mut steps: Vec<Step> = changes.into_iter().map(Step::Write).collect();
    steps.push(Step::Reset { to: input.parent.to_string() });
    steps.push(Step::DeleteTag { name: input.tag.to_string(), object: input.tag_object.to_string() });
    steps.extend(input.more_tags.into_iter().map(|(name, object)| Step::DeleteTag { name, object }));
    Plan {
        command: "rollback --undo".into(),
        project: input.project.to_string(),
        from: None,
        version: input.version.to_string(),
        branch: input.branch.to_string(),
        head: input.head.to_string(),
        previous_tag: None,
        date: input.date.to_string(),
        gates: Vec::new(),
        notes: String::new(),
        releases: Vec::new(),
        steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Bytes, Role};

    fn write(path: &str, before: Option<&str>, after: Option<&str>) -> FileChange {
        FileChange {
            path: path.into(),
            role: Role::Restore,
            before: before.map(|b| Bytes(b.as_bytes().to_vec())),
            after: after.map(|a| Bytes(a.as_bytes().to_vec())),
            executable: false,
            symlink: false,
            was_symlink: false,
        }
    }

    fn describe(plan: &Plan) -> Vec<String> {
        plan.steps
            .iter()
            .map(|s| match s {
                Step::Write(c) => format!("write {}", c.path),
                Step::Commit { message, paths, .. } => {
                    format!("commit {} [{}]", message.lines().next().unwrap(), paths.join(","))
                }
                Step::Tag { name, .. } => format!("tag {name}"),
                Step::Reset { to } => format!("reset {to}"),
                Step::DeleteTag { name, object } => format!("delete-tag {name} {object}"),
                Step::Push { remote, branch, tag, .. } => format!("push {remote} {branch} {tag}"),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_rollback_writes_commits_tags_and_pushes() {
        let (from, new, target) = (
            semver::Version::parse("2.5.1").unwrap(),
            semver::Version::parse("2.5.2").unwrap(),
            semver::Version::parse("2.5.0").unwrap(),
        );
        let yanked = [from.clone()];
        let story = Story {
            new: &new,
            target: &target,
            target_tag: "v2.5.0",
            date: "2026-03-04",
            reason: None,
            yanked: &yanked,
            kept: false,
        };
        let plan = plan_rollback(Rollback {
            project: "demo",
            tag: "v2.5.2",
            from: &from,
            branch: "main",
            head: "abc",
            story,
            changes: vec![write("z.txt", Some("new"), None), write("a.txt", None, Some("old"))],
            gates: vec![],
            push: Some("origin"),
            tree: None,
        });
        assert_eq!(
            describe(&plan),
            [
                "write a.txt",
                "write z.txt",
                "commit chore(release): v2.5.2 [a.txt,z.txt]",
                "tag v2.5.2",
                "push origin main v2.5.2",
            ]
        );
        assert_eq!((plan.command.as_str(), plan.version.as_str()), ("rollback", "2.5.2"));
        assert_eq!(plan.previous_tag.as_deref(), Some("v2.5.0"));
        let Step::Tag { message, .. } = &plan.steps[3] else { unreachable!() };
        assert!(message.starts_with("v2.5.2\n\nRollback to 2.5.0\n\n") && message.ends_with("Yanked: 2.5.1.\n"));
        assert_eq!(plan.notes, message["v2.5.2\n\n".len()..]);
    }

    #[test]
    fn an_undo_restores_files_then_moves_the_branch_then_deletes_the_tag() {
        let version = semver::Version::parse("2.5.1").unwrap();
        let plan = plan_undo(Undo {
            project: "demo",
            version: &version,
            branch: "main",
            head: "rel",
            parent: "par",
            tag: "v2.5.1",
            tag_object: "obj",
            more_tags: vec![],
            date: "2026-03-04",
            changes: vec![write("CHANGELOG.md", Some("new"), Some("old"))],
        });
        assert_eq!(describe(&plan), ["write CHANGELOG.md", "reset par", "delete-tag v2.5.1 obj"]);
        assert_eq!(
            (plan.command.as_str(), plan.version.as_str(), plan.head.as_str()),
            ("rollback --undo", "2.5.1", "rel")
        );
        assert_eq!(plan.tag_name(), None);
    }
}
