//! Grouping parsed commits into the fixed sections and rendering them as Keep a Changelog
//! Markdown.
//!
//! Sections, in order: Breaking changes, Features, Bug fixes, Performance, Reverts,
//! Documentation, Other. A breaking commit is listed once, under Breaking changes. Other holds
//! every remaining commit (refactor, chore, ci, build, test, style, any other type, and the
//! non-conventional ones), labelled with its type so nothing is hidden. Within a section the
//! entries keep git's order: newest first.

use super::conventional::{Commit, effective};

/// The text of a release that has no entries.
pub const NO_CHANGES: &str = "No changes.";

/// The sections, in the order they are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Breaking,
    Features,
    Fixes,
    Performance,
    Reverts,
    Documentation,
    Other,
}

impl Group {
    pub const ALL: [Group; 7] = [
        Group::Breaking,
        Group::Features,
        Group::Fixes,
        Group::Performance,
        Group::Reverts,
        Group::Documentation,
        Group::Other,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Group::Breaking => "Breaking changes",
            Group::Features => "Features",
            Group::Fixes => "Bug fixes",
            Group::Performance => "Performance",
            Group::Reverts => "Reverts",
            Group::Documentation => "Documentation",
            Group::Other => "Other",
        }
    }

    pub fn of(commit: &Commit) -> Group {
        if commit.breaking {
            return Group::Breaking;
        }
        match commit.kind.as_str() {
            "feat" => Group::Features,
            "fix" => Group::Fixes,
            "perf" => Group::Performance,
            "revert" => Group::Reverts,
            _ if commit.revert => Group::Reverts,
            "docs" => Group::Documentation,
            _ => Group::Other,
        }
    }
}

/// One non-empty section of the notes.
#[derive(Debug)]
pub struct Section<'a> {
    pub group: Group,
    pub entries: Vec<&'a Commit>,
}

/// The non-empty sections, in order; a commit reverted in the same range and its revert are
/// both left out.
pub fn group(commits: &[Commit]) -> Vec<Section<'_>> {
    let mut buckets: [Vec<&Commit>; 7] = Default::default();
    for commit in effective(commits) {
        buckets[Group::of(commit) as usize].push(commit);
    }
    Group::ALL
        .into_iter()
        .zip(buckets)
        .filter(|(_, entries)| !entries.is_empty())
        .map(|(group, entries)| Section { group, entries })
        .collect()
}

/// The grouped sections without a version heading (the annotated tag's message).
pub fn render_notes(commits: &[Commit]) -> String {
    let sections = group(commits);
    if sections.is_empty() {
        return format!("{NO_CHANGES}\n");
    }
    let mut out = String::with_capacity(commits.len() * 64 + 64);
    for (i, section) in sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("### ");
        out.push_str(section.group.title());
        out.push_str("\n\n");
        for commit in &section.entries {
            entry(&mut out, section.group, commit);
        }
    }
    out
}

/// `## [VERSION] - DATE` and the notes.
pub fn render_section(version: &str, date: &str, commits: &[Commit]) -> String {
    format!("## [{version}] - {date}\n\n{}", render_notes(commits))
}

/// `## [Unreleased]` and the notes.
pub fn render_unreleased(commits: &[Commit]) -> String {
    format!("## [Unreleased]\n\n{}", render_notes(commits))
}

/// One list item: `- **scope:** description (abc1234)`; under Other the type leads the label
/// (`- **chore(deps):** ...`); a breaking change's footer notes follow as indented lines.
fn entry(out: &mut String, group: Group, commit: &Commit) {
    // push_str, not write!: this runs once per commit and `cargo xtask` is a debug build.
    let kind = if group == Group::Other { commit.kind.as_str() } else { "" };
    out.push_str("- ");
    match (kind.is_empty(), commit.scope.as_deref()) {
        (true, None) => {}
        (true, Some(scope)) => {
            out.push_str("**");
            out.push_str(scope);
            out.push_str(":** ");
        }
        (false, scope) => {
            out.push_str("**");
            out.push_str(kind);
            if let Some(scope) = scope {
                out.push('(');
                out.push_str(scope);
                out.push(')');
            }
            out.push_str(":** ");
        }
    }
    out.push_str(if commit.description.is_empty() { "(empty message)" } else { &commit.description });
    out.push_str(" (");
    out.push_str(&commit.short);
    if let Some(reverted) = commit.reverted_hash() {
        out.push_str(", reverts ");
        out.push_str(&reverted[..reverted.len().min(commit.short.len().max(7))]);
    }
    out.push_str(")\n");
    if group == Group::Breaking {
        for note in &commit.breaking_notes {
            if *note != commit.description {
                out.push_str("  ");
                out.push_str(note);
                out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(short: &str, message: &str) -> Commit {
        let hash = format!("{short:0<40}");
        Commit::parse(&hash, short, "A U Thor", 0, message)
    }

    #[test]
    fn sections_in_the_fixed_order_with_scopes_and_hashes() {
        let commits = [
            c("a000001", "docs: explain the release flow"),
            c("a000002", "chore(deps): bump serde"),
            c("a000003", "fix(api): handle empty bodies"),
            c("a000004", "feat!: drop Python 3.8"),
            c("a000005", "perf(scan): read files once"),
            c("a000006", "feat(cli): add --since"),
            c("a000007", "Update README.md"),
            c("a000008", "revert: feat(ui): dark mode"),
            c("a000009", "refactor: split the planner"),
        ];
        let want = "\
### Breaking changes

- drop Python 3.8 (a000004)

### Features

- **cli:** add --since (a000006)

### Bug fixes

- **api:** handle empty bodies (a000003)

### Performance

- **scan:** read files once (a000005)

### Reverts

- feat(ui): dark mode (a000008)

### Documentation

- explain the release flow (a000001)

### Other

- **chore(deps):** bump serde (a000002)
- Update README.md (a000007)
- **refactor:** split the planner (a000009)
";
        assert_eq!(render_notes(&commits), want);
    }

    #[test]
    fn a_section_has_a_version_heading() {
        let commits = [c("b000001", "fix: one")];
        assert_eq!(
            render_section("1.2.3", "2026-11-22", &commits),
            "## [1.2.3] - 2026-11-22\n\n### Bug fixes\n\n- one (b000001)\n"
        );
        assert_eq!(render_unreleased(&commits), "## [Unreleased]\n\n### Bug fixes\n\n- one (b000001)\n");
    }

    #[test]
    fn nothing_to_say_is_said() {
        assert_eq!(render_notes(&[]), "No changes.\n");
        assert_eq!(render_section("0.1.0", "2026-01-01", &[]), "## [0.1.0] - 2026-01-01\n\nNo changes.\n");
    }

    #[test]
    fn breaking_notes_are_indented_under_their_entry() {
        let commits = [c(
            "c000001",
            "feat(config): rename keys\n\nBREAKING CHANGE: `tag_prefix` is now `tag-prefix`\nand `branch` is `branches`.\n\nRefs: #12",
        )];
        assert_eq!(
            render_notes(&commits),
            "### Breaking changes\n\n- **config:** rename keys (c000001)\n  `tag_prefix` is now `tag-prefix` and `branch` is `branches`.\n"
        );
    }

    #[test]
    fn git_reverts_name_what_they_revert() {
        let target = "d".repeat(40);
        let commits = [c("e000001", &format!("Revert \"feat: x\"\n\nThis reverts commit {target}."))];
        assert_eq!(render_notes(&commits), "### Reverts\n\n- feat: x (e000001, reverts ddddddd)\n");
    }

    #[test]
    fn a_commit_and_its_revert_in_one_range_cancel_out() {
        let feat = c("f000001", "feat: shiny");
        let revert = c("f000002", &format!("Revert \"feat: shiny\"\n\nThis reverts commit {}.", feat.hash));
        let fix = c("f000003", "fix: real");
        let notes = render_notes(&[revert, fix, feat]);
        assert_eq!(notes, "### Bug fixes\n\n- real (f000003)\n");
    }

    #[test]
    fn empty_messages_are_visible() {
        assert_eq!(render_notes(&[c("a1b2c3d", "")]), "### Other\n\n- (empty message) (a1b2c3d)\n");
    }
}
