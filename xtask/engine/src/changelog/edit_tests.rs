//! Unit tests of the CHANGELOG.md edits: inserting a section, absorbing Unreleased, yanking.

use super::*;

const SECTION: &str = "## [1.3.0] - 2026-11-22\n\n### Features\n\n- **cli:** add --since (abc1234)\n";

const KEEP: &str = "\
# Changelog

All notable changes to this project will be documented in this file.

## [1.2.0] - 2026-10-01

### Added

- Old things.

[1.2.0]: https://example.com/compare/v1.1.0...v1.2.0
";

#[test]
fn a_section_goes_above_the_previous_release() {
    let want = "\
# Changelog

All notable changes to this project will be documented in this file.

## [1.3.0] - 2026-11-22

### Features

- **cli:** add --since (abc1234)

## [1.2.0] - 2026-10-01

### Added

- Old things.

[1.2.0]: https://example.com/compare/v1.1.0...v1.2.0
";
    assert_eq!(insert_section(KEEP, SECTION), want);
}

#[test]
fn unreleased_entries_move_into_the_new_section() {
    let changelog = "\
# Changelog

## [Unreleased]

Highlights: faster scans.

### Features

- Hand-written feature note.

### Security

- Patched the parser.

## [1.2.0] - 2026-10-01

- Old things.
";
    let want = "\
# Changelog

## [Unreleased]

## [1.3.0] - 2026-11-22

Highlights: faster scans.

### Features

- Hand-written feature note.
- **cli:** add --since (abc1234)

### Security

- Patched the parser.

## [1.2.0] - 2026-10-01

- Old things.
";
    assert_eq!(insert_section(changelog, SECTION), want);
}

#[test]
fn an_empty_unreleased_heading_stays() {
    let changelog = "# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2026-10-01\n\n- Old.\n";
    let want = "# Changelog\n\n## [Unreleased]\n\n## [1.3.0] - 2026-11-22\n\n### Features\n\n- **cli:** add --since (abc1234)\n\n## [1.2.0] - 2026-10-01\n\n- Old.\n";
    assert_eq!(insert_section(changelog, SECTION), want);
    // Unreleased as the last thing in the file, without a final newline.
    let changelog = "# Changelog\n\n## Unreleased";
    assert_eq!(insert_section(changelog, SECTION), format!("# Changelog\n\n## Unreleased\n\n{SECTION}"));
}

#[test]
fn placeholder_text_gives_way_to_hand_written_entries() {
    let changelog = "# Changelog\n\n## [Unreleased]\n\n### Fixed\n\n- A manual note.\n";
    let section = "## [1.3.1] - 2026-11-23\n\nNo changes.\n";
    let want = "# Changelog\n\n## [Unreleased]\n\n## [1.3.1] - 2026-11-23\n\n### Fixed\n\n- A manual note.\n";
    assert_eq!(insert_section(changelog, section), want);
}

#[test]
fn an_empty_file_gets_a_title() {
    for empty in ["", "\n", "  \n\n"] {
        let out = insert_section(empty, SECTION);
        assert!(out.starts_with("# Changelog\n\nAll notable changes"), "{out}");
        assert!(
            out.ends_with(&format!("Semantic Versioning](https://semver.org/spec/v2.0.0.html).\n\n{SECTION}")),
            "{out}"
        );
    }
}

#[test]
fn title_only() {
    assert_eq!(insert_section("# Changelog\n", SECTION), format!("# Changelog\n\n{SECTION}"));
    assert_eq!(insert_section("# Changelog", SECTION), format!("# Changelog\n\n{SECTION}"));
    assert_eq!(insert_section("# Changelog\n\nIntro.\n\n", SECTION), format!("# Changelog\n\nIntro.\n\n{SECTION}"));
}

#[test]
fn no_release_yet_but_link_definitions_at_the_bottom() {
    let changelog = "# Changelog\n\nIntro.\n\n[keep]: https://keepachangelog.com\n";
    assert_eq!(
        insert_section(changelog, SECTION),
        format!("# Changelog\n\nIntro.\n\n{SECTION}\n[keep]: https://keepachangelog.com\n")
    );
}

#[test]
fn crlf_files_stay_crlf() {
    let crlf = KEEP.replace('\n', "\r\n");
    let out = insert_section(&crlf, SECTION);
    assert_eq!(out, insert_section(KEEP, SECTION).replace('\n', "\r\n"));
    assert!(!out.replace("\r\n", "").contains('\n'), "a bare LF slipped in");
    let unreleased =
        "# Changelog\r\n\r\n## [Unreleased]\r\n\r\n### Features\r\n\r\n- Manual.\r\n\r\n## [1.0.0] - 2026-01-01\r\n";
    let out = insert_section(unreleased, SECTION);
    assert_eq!(
        out,
        "# Changelog\r\n\r\n## [Unreleased]\r\n\r\n## [1.3.0] - 2026-11-22\r\n\r\n### Features\r\n\r\n- Manual.\r\n- **cli:** add --since (abc1234)\r\n\r\n## [1.0.0] - 2026-01-01\r\n"
    );
}

#[test]
fn everything_else_is_byte_for_byte() {
    // Odd spacing, trailing spaces, a non-release `## ` heading in the intro, headings inside
    // a code block, no final newline: all kept.
    let changelog = "# Changes  \n\n## How to read this\n\n```\n## [9.9.9] - not a heading\n```\n\n\n## v1.2.0 (2026-10-01)\n* old  \n\n\n## 1.1.0\n* older";
    let out = insert_section(changelog, SECTION);
    let at = changelog.find("## v1.2.0").unwrap();
    assert_eq!(out, format!("{}{SECTION}\n{}", &changelog[..at], &changelog[at..]));
}

#[test]
fn yanked_heading() {
    let out = mark_yanked(KEEP, "1.2.0").unwrap();
    assert_eq!(out, KEEP.replace("## [1.2.0] - 2026-10-01", "## [1.2.0] - 2026-10-01 [YANKED]"));
    // Idempotent; `v` prefix accepted; CRLF and trailing spaces kept.
    assert_eq!(mark_yanked(&out, "v1.2.0").unwrap(), out);
    let crlf = "# C\r\n\r\n## v2.0.0 - 2026-01-01  \r\n";
    assert_eq!(mark_yanked(crlf, "2.0.0").unwrap(), "# C\r\n\r\n## v2.0.0 - 2026-01-01 [YANKED]  \r\n");
}

#[test]
fn yanking_a_missing_release_is_an_error() {
    let err = mark_yanked(KEEP, "1.2").unwrap_err().to_string();
    assert!(err.contains("## [1.2]"), "{err}");
    assert!(mark_yanked(KEEP, "1.2.0-rc.1").is_err());
    assert!(mark_yanked("", "1.0.0").is_err());
}
