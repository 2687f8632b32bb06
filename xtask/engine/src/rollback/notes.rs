//! What a rollback says: its changelog section, tag message and commit message, and the
//! changelog edit (the new section under `## [Unreleased]`, which stays as it is, and
//! `[YANKED]` on every release it takes back). Pure text in, text out.

use semver::Version;

use crate::changelog::{self, tag_version};

/// Everything the texts are made from.
#[derive(Debug, Clone)]
pub struct Story<'a> {
    pub new: &'a Version,
    pub target: &'a Version,
    pub target_tag: &'a str,
    pub date: &'a str,
    /// `--reason`, already one line.
    pub reason: Option<&'a str>,
    /// The releases taken back, ascending.
    pub yanked: &'a [Version],
    /// Some files that differ from the target stay as they are today (the release tool's own,
    /// `[rollback] keep`).
    pub kept: bool,
}

/// `--reason` as one line of plain text (`None` when it is blank).
pub fn clean_reason(reason: Option<&str>) -> Option<String> {
    let text = reason?.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// The release notes: the section's body and the tag message's body.
pub fn notes(story: &Story<'_>) -> String {
    let mut out = format!("Rollback to {}", story.target);
    if let Some(reason) = story.reason {
        out.push_str(": ");
        out.push_str(reason);
    }
    let kept =
        if story.kept { ", this changelog and the files kept as they are today" } else { ", and this changelog" };
    out.push_str(&format!(
        "\n\nEvery file is as it was in {} except the version, now {}{kept}.",
        story.target, story.new
    ));
    if !story.yanked.is_empty() {
        let list: Vec<String> = story.yanked.iter().map(Version::to_string).collect();
        out.push_str(&format!(" Yanked: {}.", list.join(", ")));
    }
    out.push('\n');
    out
}

/// `## [2.5.2] - DATE` and the notes.
pub fn section(story: &Story<'_>) -> String {
    format!("## [{}] - {}\n\n{}", story.new, story.date, notes(story))
}

/// The commit message: the release subject, and the story in one line.
pub fn commit_message(tag: &str, story: &Story<'_>) -> String {
    let first = notes(story).lines().next().unwrap_or_default().to_string();
    format!("{}\n\n{} ({})\n", crate::release::planner::commit_message(tag), first, story.target_tag)
}

/// The changelog after the rollback: the section above the newest release (below an
/// `## [Unreleased]` section, whose entries stay where they are: the rollback does not ship
/// them), every yanked release's heading marked. Yanked releases with no heading are skipped.
pub fn edit_changelog(changelog: &str, story: &Story<'_>) -> String {
    let mut text = insert_below_unreleased(changelog, &section(story));
    for version in story.yanked {
        if let Ok(marked) = changelog::mark_yanked(&text, &version.to_string()) {
            text = marked;
        }
    }
    text
}

/// The versions whose headings the changelog marks `[YANKED]`.
pub fn yanked_versions(changelog: &str) -> Vec<Version> {
    changelog
        .lines()
        .filter(|l| l.starts_with("## ") && l.contains("[YANKED]"))
        .filter_map(|l| {
            let text = l[3..].trim_start().trim_start_matches('[');
            let end = text.find([']', ' ', '\t']).unwrap_or(text.len());
            tag_version(text[..end].trim_start_matches(['v', 'V']), "")
        })
        .collect()
}

/// [`changelog::insert_section`], except that an `## [Unreleased]` section keeps its entries.
fn insert_below_unreleased(changelog: &str, section: &str) -> String {
    let eol = if changelog.contains("\r\n") { "\r\n" } else { "\n" };
    let mut offset = 0;
    let mut unreleased = None;
    let mut fenced = false;
    for line in changelog.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let text = line.trim_end_matches(['\r', '\n']);
        if text.trim_start().starts_with("```") || text.trim_start().starts_with("~~~") {
            fenced = !fenced;
        }
        if fenced || !text.starts_with("## ") {
            continue;
        }
        let name = text[3..].trim_start().trim_start_matches('[');
        match unreleased {
            None if name.get(..10).is_some_and(|w| w.eq_ignore_ascii_case("unreleased")) => unreleased = Some(start),
            None => return changelog::insert_section(changelog, section),
            Some(_) => {
                // The next heading after Unreleased: the section goes right above it.
                let body = format!("{}\n", section.trim_end()).replace('\n', eol);
                let mut head = changelog[..start].to_string();
                while head.ends_with(eol) && head[..head.len() - eol.len()].ends_with(eol) {
                    head.truncate(head.len() - eol.len());
                }
                return format!("{head}{eol}{body}{eol}{}", &changelog[start..]);
            }
        }
    }
    match unreleased {
        // Unreleased is the last section: the new one goes after it.
        Some(_) => {
            let body = format!("{}\n", section.trim_end()).replace('\n', eol);
            let mut head = changelog.trim_end_matches(['\r', '\n']).to_string();
            head.push_str(eol);
            format!("{head}{eol}{body}")
        }
        None => changelog::insert_section(changelog, section),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn story<'a>(new: &'a Version, target: &'a Version, yanked: &'a [Version], reason: Option<&'a str>) -> Story<'a> {
        Story { new, target, target_tag: "v2.5.0", date: "2026-03-04", reason, yanked, kept: false }
    }

    const LOG: &str = "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n### Features\n\n- not shipped yet\n\n## [2.5.1] - 2026-03-01\n\n### Bug fixes\n\n- checkout (abc1234)\n\n## [2.5.0] - 2026-02-01\n\n- First.\n\n[2.5.1]: https://example.com/2.5.1\n";

    #[test]
    fn the_section_says_what_was_restored_why_and_what_is_yanked() {
        let (new, target, yanked) = (v("2.5.2"), v("2.5.0"), [v("2.5.1")]);
        let s = story(&new, &target, &yanked, Some("checkout broken"));
        assert_eq!(
            section(&s),
            "## [2.5.2] - 2026-03-04\n\nRollback to 2.5.0: checkout broken\n\nEvery file is as it was in 2.5.0 except the version, now 2.5.2, and this changelog. Yanked: 2.5.1.\n"
        );
        assert_eq!(
            commit_message("v2.5.2", &s),
            "chore(release): v2.5.2\n\nRollback to 2.5.0: checkout broken (v2.5.0)\n"
        );
        let none = story(&new, &target, &[], None);
        assert!(notes(&none).starts_with("Rollback to 2.5.0\n\n"), "{}", notes(&none));
        assert!(!notes(&none).contains("Yanked"));
        let kept = Story { kept: true, ..none };
        assert!(
            notes(&kept).contains(
                "as it was in 2.5.0 except the version, now 2.5.2, this changelog and the files kept as they are today."
            ),
            "{}",
            notes(&kept)
        );
        assert_eq!(clean_reason(Some("  checkout\n broken \t")), Some("checkout broken".into()));
        assert_eq!(clean_reason(Some(" \n")), None);
    }

    #[test]
    fn the_changelog_keeps_unreleased_and_marks_the_bad_releases() {
        let (new, target, yanked) = (v("2.5.2"), v("2.5.0"), [v("2.5.1")]);
        let text = edit_changelog(LOG, &story(&new, &target, &yanked, Some("checkout broken")));
        let expected = "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n### Features\n\n- not shipped yet\n\n## [2.5.2] - 2026-03-04\n\nRollback to 2.5.0: checkout broken\n\nEvery file is as it was in 2.5.0 except the version, now 2.5.2, and this changelog. Yanked: 2.5.1.\n\n## [2.5.1] - 2026-03-01 [YANKED]\n\n### Bug fixes\n\n- checkout (abc1234)\n\n## [2.5.0] - 2026-02-01\n\n- First.\n\n[2.5.1]: https://example.com/2.5.1\n";
        assert_eq!(text, expected);
        assert_eq!(yanked_versions(&text), [v("2.5.1")]);
        // CRLF stays CRLF.
        let crlf = LOG.replace('\n', "\r\n");
        assert_eq!(
            edit_changelog(&crlf, &story(&new, &target, &yanked, Some("checkout broken"))),
            expected.replace('\n', "\r\n")
        );
    }

    #[test]
    fn without_unreleased_or_without_any_release() {
        let (new, target) = (v("1.0.2"), v("1.0.0"));
        let yanked = [v("1.0.1"), v("0.9.9")];
        let s = story(&new, &target, &yanked, None);
        let log = "# Changelog\n\n## 1.0.1\n\n- bad\n\n## v1.0.0 - 2026-01-01\n\n- good\n";
        let text = edit_changelog(log, &s);
        assert!(text.starts_with("# Changelog\n\n## [1.0.2] - 2026-03-04\n\nRollback to 1.0.0\n"), "{text}");
        assert!(text.contains("\n## 1.0.1 [YANKED]\n") && text.contains("\n## v1.0.0 - 2026-01-01\n"), "{text}");
        let only_unreleased = edit_changelog("# Changelog\n\n## [Unreleased]\n\n- wip\n", &s);
        assert!(
            only_unreleased.starts_with("# Changelog\n\n## [Unreleased]\n\n- wip\n\n## [1.0.2] - "),
            "{only_unreleased}"
        );
        let created = edit_changelog("", &s);
        assert!(created.starts_with("# Changelog\n") && created.contains("## [1.0.2] - 2026-03-04"), "{created}");
        let fenced = "# C\n\n```\n## [Unreleased]\n```\n\n## [1.0.1]\n";
        assert!(edit_changelog(fenced, &s).contains("```\n\n## [1.0.2]"), "{}", edit_changelog(fenced, &s));
    }

    #[test]
    fn yanked_headings_in_any_spelling() {
        let text = "## [1.2.0] - 2026-01-01 [YANKED]\n## v1.1.0 [YANKED]\n## [1.0.0rc1] [YANKED]\n## [0.9.0] - x\n  ## [0.8.0] [YANKED]\n";
        assert_eq!(yanked_versions(text), [v("1.2.0"), v("1.1.0"), v("1.0.0-rc.1")]);
    }
}
