//! A plan as a person reads it: each step numbered, each file edit as a unified diff.

use std::fmt::Write;

use super::{Plan, Role, Step, diff, push_command};
use crate::output::{Style, Ui};

/// The plan as text (the `--dry-run` output), coloured when `ui` says so.
pub fn render(plan: &Plan, ui: &Ui) -> String {
    let mut out = String::new();
    let tag = match plan.tag_names()[..] {
        [] => String::new(),
        [one] => format!(" (tag {one})"),
        _ => " (a tag each)".to_string(),
    };
    let from = plan.from.as_deref().map(|f| format!("{f} -> ")).unwrap_or_default();
    let head = plan.head.get(..7).unwrap_or(&plan.head);
    let _ = writeln!(
        out,
        "{}",
        ui.paint(
            Style::Bold,
            &format!("{} {}: {from}{}{tag} on {} at {head}", plan.command, plan.project, plan.version, plan.branch)
        )
    );
    match &plan.previous_tag {
        _ if !plan.releases.is_empty() => {
            for r in &plan.releases {
                let since = r.previous_tag.as_deref().map_or("the first commit".to_string(), |p| p.to_string());
                let members = if r.packages.len() > 1 || r.packages[0] != r.name {
                    format!(" ({})", r.packages.join(", "))
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "{}{members}: {} -> {}, tag {}, notes since {since}",
                    r.name, r.from, r.version, r.tag
                );
            }
            let _ = writeln!(out, "dated {}", plan.date);
        }
        _ if plan.command == "rollback --undo" => {
            let _ = writeln!(out, "removes the newest release: its commit and its tag");
        }
        Some(prev) if plan.command == "rollback" => {
            let _ = writeln!(out, "restores the files of {prev}, dated {}", plan.date);
        }
        Some(prev) => {
            let _ = writeln!(out, "notes since {prev}, dated {}", plan.date);
        }
        None => {
            let _ = writeln!(out, "notes from the first commit (no earlier release tag), dated {}", plan.date);
        }
    }
    if plan.command == "rollback --undo" {
        // Removing a release checks nothing: it goes back to a state that existed.
    } else if plan.command == "release --tag-merged" {
        let _ = writeln!(out, "quality gates: none (the release commit was checked before it was merged)");
    } else if plan.gates.is_empty() {
        let _ = writeln!(out, "quality gates: none (--no-verify)");
    } else {
        let _ = writeln!(out, "quality gates before the first write: {}", plan.gates.join(", "));
    }
    for (n, step) in plan.steps.iter().enumerate() {
        let n = n + 1;
        out.push('\n');
        match step {
            Step::Write(change) => {
                let what = match (&change.before, &change.after) {
                    (None, _) => "create",
                    (_, None) => "delete",
                    _ => "write",
                };
                let role = match change.role {
                    Role::Version => "version source",
                    Role::Lockfile => "lockfile",
                    Role::Changelog => "changelog",
                    Role::Restore => "restored",
                    Role::Dependency => "dependency requirement",
                };
                let link = if change.symlink || change.was_symlink { ", symbolic link" } else { "" };
                let _ = writeln!(
                    out,
                    "{}",
                    ui.paint(Style::Bold, &format!("{n}. {what} {} ({role}{link})", crate::output::safe(&change.path)))
                );
                if change.before == change.after && change.symlink == change.was_symlink {
                    let bit = if change.executable { "set" } else { "cleared" };
                    let _ = writeln!(out, "   same content; the executable bit is {bit}");
                }
                let text = diff::unified(
                    &change.path,
                    change.before.as_ref().map(|b| b.0.as_slice()),
                    change.after.as_ref().map(|b| b.0.as_slice()),
                );
                for line in text.lines() {
                    let style = match line.as_bytes().first() {
                        Some(b'+') if !line.starts_with("+++") => Some(Style::Green),
                        Some(b'-') if !line.starts_with("---") => Some(Style::Red),
                        Some(b'@') => Some(Style::Dim),
                        _ => None,
                    };
                    let _ = writeln!(out, "{}", style.map_or_else(|| line.to_string(), |s| ui.paint(s, line)));
                }
            }
            Step::Commit { message, paths, .. } => {
                let (subject, body) = message.split_once('\n').unwrap_or((message, ""));
                let _ = writeln!(out, "{}", ui.paint(Style::Bold, &format!("{n}. commit \"{subject}\"")));
                for line in body.trim_matches('\n').lines() {
                    let _ = writeln!(out, "   |{}{line}", if line.is_empty() { "" } else { " " });
                }
                let _ = writeln!(out, "   git add {}", paths.join(" "));
            }
            Step::Tag { name, message, sign } => {
                let kind = if *sign { "signed" } else { "annotated" };
                let _ = writeln!(out, "{}", ui.paint(Style::Bold, &format!("{n}. tag {name} ({kind}), message:")));
                for line in message.lines() {
                    let _ = writeln!(out, "   |{}{line}", if line.is_empty() { "" } else { " " });
                }
            }
            Step::Reset { to } => {
                let short = to.get(..7).unwrap_or(to);
                let _ = writeln!(out, "{}", ui.paint(Style::Bold, &format!("{n}. move {} to {short}", plan.branch)));
            }
            Step::DeleteTag { name, .. } => {
                let _ = writeln!(out, "{}", ui.paint(Style::Bold, &format!("{n}. delete tag {name}")));
            }
            Step::Push { remote, branch, tag, more_tags } => {
                let tags = super::push_tags(tag, more_tags);
                let what = format!("{n}. push {branch} and {} to {remote}", tags.join(", "));
                let _ = writeln!(out, "{}", ui.paint(Style::Bold, &what));
                let _ = writeln!(out, "   {}", push_command(remote, branch, &tags));
            }
            Step::Branch { name } => {
                let short = plan.head.get(..7).unwrap_or(&plan.head);
                let what = format!(
                    "{n}. create branch {name} at {short} and switch to it ({} stays where it is)",
                    plan.branch
                );
                let _ = writeln!(out, "{}", ui.paint(Style::Bold, &what));
            }
            Step::PushBranch { remote, branch } => {
                let _ = writeln!(out, "{}", ui.paint(Style::Bold, &format!("{n}. push {branch} to {remote} (no tag)")));
                let _ = writeln!(out, "   {}", crate::plan::push_branch_command(remote, branch));
            }
            Step::TagCommit { name, commit, message, sign } => {
                let kind = if *sign { "signed" } else { "annotated" };
                let short = commit.get(..7).unwrap_or(commit);
                let what = format!("{n}. tag {name} ({kind}) on {short}, message:");
                let _ = writeln!(out, "{}", ui.paint(Style::Bold, &what));
                for line in message.lines() {
                    let _ = writeln!(out, "   |{}{line}", if line.is_empty() { "" } else { " " });
                }
            }
            Step::PushTag { remote, tag } => {
                let _ = writeln!(out, "{}", ui.paint(Style::Bold, &format!("{n}. push {tag} to {remote}")));
                let _ = writeln!(out, "   {}", crate::plan::push_tag_command(remote, tag));
            }
        }
    }
    out
}

/// `--dry-run` of a release or rollback: the plan, as text or JSON; nothing else happens.
pub fn show_dry_run(plan: &Plan, ui: &Ui) {
    if ui.json {
        ui.json_doc(&serde_json::json!({ "ok": true, "dry_run": true, "plan": plan }));
    } else {
        ui.out(render(plan, ui));
    }
    ui.info(ui.paint(Style::Bold, "dry run: nothing was changed"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Bytes, FileChange};

    #[test]
    fn every_step_is_shown_with_its_details() {
        let plan = Plan {
            command: "release".into(),
            project: "demo".into(),
            from: Some("0.1.0".into()),
            version: "0.2.0".into(),
            branch: "main".into(),
            head: "0123456789abcdef".into(),
            previous_tag: None,
            date: "2026-01-01".into(),
            gates: vec![],
            notes: String::new(),
            releases: Vec::new(),
            steps: vec![
                Step::Write(FileChange {
                    path: "VERSION".into(),
                    role: Role::Version,
                    before: Some(Bytes(b"0.1.0\n".to_vec())),
                    after: Some(Bytes(b"0.2.0\n".to_vec())),
                    executable: false,
                    symlink: false,
                    was_symlink: false,
                }),
                Step::Write(FileChange {
                    path: "CHANGELOG.md".into(),
                    role: Role::Changelog,
                    before: None,
                    after: Some(Bytes(b"# Changelog\n".to_vec())),
                    executable: false,
                    symlink: false,
                    was_symlink: false,
                }),
                Step::Commit { message: "chore(release): v0.2.0".into(), paths: vec!["VERSION".into()], tree: None },
                Step::Tag { name: "v0.2.0".into(), message: "v0.2.0\n\n### Features\n".into(), sign: true },
                Step::Push { remote: "origin".into(), branch: "main".into(), tag: "v0.2.0".into(), more_tags: vec![] },
            ],
        };
        let text = render(&plan, &Ui::plain());
        let expected = "release demo: 0.1.0 -> 0.2.0 (tag v0.2.0) on main at 0123456
notes from the first commit (no earlier release tag), dated 2026-01-01
quality gates: none (--no-verify)

1. write VERSION (version source)
--- a/VERSION
+++ b/VERSION
@@ -1 +1 @@
-0.1.0
+0.2.0

2. create CHANGELOG.md (changelog)
--- /dev/null
+++ b/CHANGELOG.md
@@ -0,0 +1 @@
+# Changelog

3. commit \"chore(release): v0.2.0\"
   git add VERSION

4. tag v0.2.0 (signed), message:
   | v0.2.0
   |
   | ### Features

5. push main and v0.2.0 to origin
   git push --atomic origin refs/heads/main refs/tags/v0.2.0
";
        assert_eq!(text, expected);
    }
}
