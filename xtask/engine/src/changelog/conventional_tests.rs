//! Unit tests of Conventional Commits parsing, reverts and the bump rules.

use super::*;

fn parse(message: &str) -> Commit {
    Commit::parse(&"0".repeat(40), "0000000", "A U Thor", 1_767_225_600, message)
}

fn with_hash(hash_digit: char, message: &str) -> Commit {
    let hash = hash_digit.to_string().repeat(40);
    Commit::parse(&hash, &hash[..7], "A U Thor", 0, message)
}

#[test]
fn type_scope_bang_description() {
    let c = parse("feat(api)!: drop the v1 endpoints");
    assert_eq!((c.kind.as_str(), c.scope.as_deref(), c.breaking), ("feat", Some("api"), true));
    assert_eq!(c.description, "drop the v1 endpoints");
    assert!(c.breaking_notes.is_empty());
    assert!(!c.revert);

    let c = parse("fix: off by one");
    assert_eq!((c.kind.as_str(), c.scope, c.breaking), ("fix", None, false));
    assert_eq!(c.description, "off by one");

    let c = parse("chore!: require Python 3.11");
    assert_eq!((c.kind.as_str(), c.breaking), ("chore", true));
}

#[test]
fn type_is_case_insensitive_and_normalised() {
    for header in ["FEAT: x", "Feat: x", "fEaT(Scope): x"] {
        let c = parse(header);
        assert_eq!(c.kind, "feat", "{header}");
        assert_eq!(c.description, "x", "{header}");
    }
    assert_eq!(parse("fEaT(Scope): x").scope.as_deref(), Some("Scope"));
}

#[test]
fn odd_whitespace_is_tolerated() {
    let cases = [
        "  feat(api): x",
        "feat (api): x",
        "feat( api ): x",
        "feat(api) : x",
        "feat(api)!  :   x   ",
        "feat(api):x",
        "feat(api):\tx",
        "\n\nfeat(api): x\r\n",
    ];
    for header in cases {
        let c = parse(header);
        assert_eq!(
            (c.kind.as_str(), c.scope.as_deref(), c.description.as_str()),
            ("feat", Some("api"), "x"),
            "{header:?}"
        );
    }
    assert!(parse("feat(api) ! : x").breaking);
    assert_eq!(parse("feat(): x").scope, None);
}

#[test]
fn non_conventional_headers_are_kept_whole() {
    let cases = [
        "Update README.md",
        "oops",
        "Merge branch 'main' into dev",
        "feat:",
        "feat:   ",
        ": no type",
        "feat(api: unclosed",
        "2fa: digits first",
        "add feature: two words before the colon",
        "feat((nested)): x",
    ];
    for header in cases {
        let c = parse(header);
        assert_eq!(c.kind, "", "{header}");
        assert_eq!(c.scope, None, "{header}");
        assert_eq!(c.description, header.trim(), "{header}");
        assert!(!c.breaking && !c.revert, "{header}");
        assert!(!c.is_conventional());
    }
}

#[test]
fn body_is_everything_after_the_header() {
    let c = parse("fix(io): close files\n\nThe reader leaked handles.\n\nRefs: #12\n");
    assert_eq!(c.body, "The reader leaked handles.\n\nRefs: #12");
    assert_eq!(c.author, "A U Thor");
    assert_eq!(c.time, 1_767_225_600);
    assert_eq!(parse("fix: x").body, "");
}

#[test]
fn breaking_change_footers() {
    for key in ["BREAKING CHANGE", "BREAKING-CHANGE", "BREAKING CHANGES"] {
        let c = parse(&format!("feat(config): rename keys\n\nLonger text.\n\n{key}: `branch` is now `branches`\n"));
        assert!(c.breaking, "{key}");
        assert_eq!(c.breaking_notes, ["`branch` is now `branches`"], "{key}");
    }
}

#[test]
fn a_footer_note_runs_to_the_next_trailer_or_blank_line() {
    let c = parse(
        "refactor: new planner\n\nBREAKING CHANGE: plans are JSON now\n  and keys are kebab-case.\nRefs: #7\nCo-authored-by: B <b@example.com>\n\nBREAKING-CHANGE: --plan is gone\n",
    );
    assert!(c.breaking);
    assert_eq!(c.breaking_notes, ["plans are JSON now and keys are kebab-case.", "--plan is gone"]);
    // The note may start on the next line.
    let c = parse("feat: x\n\nBREAKING CHANGE:\nthe config moved\n");
    assert_eq!(c.breaking_notes, ["the config moved"]);
}

#[test]
fn a_bare_footer_still_breaks() {
    let c = parse("feat: x\n\nBREAKING CHANGE:");
    assert!(c.breaking);
    assert!(c.breaking_notes.is_empty());
}

#[test]
fn breaking_must_be_an_uppercase_footer_at_line_start() {
    for body in [
        "Breaking change: not a footer",
        "This is a BREAKING CHANGE: in prose",
        "BREAKING: only the word",
        "  BREAKING CHANGE: indented",
    ] {
        let c = parse(&format!("feat: x\n\n{body}"));
        assert!(!c.breaking, "{body}");
    }
}

#[test]
fn the_bang_and_a_footer_together() {
    let c = parse("fix(db)!: new schema\n\nBREAKING CHANGE: run the migration first");
    assert!(c.breaking);
    assert_eq!(c.breaking_notes, ["run the migration first"]);
}

#[test]
fn conventional_reverts() {
    let c = parse("revert: feat(ui): dark mode\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.");
    assert_eq!((c.kind.as_str(), c.revert, c.description.as_str()), ("revert", true, "feat(ui): dark mode"));
    assert_eq!(c.reverted_hash(), Some("0123456789abcdef0123456789abcdef01234567"));
    let c = parse("Revert(ui): dark mode");
    assert_eq!((c.kind.as_str(), c.scope.as_deref(), c.revert), ("revert", Some("ui"), true));
    assert_eq!(c.reverted_hash(), None);
}

#[test]
fn git_style_reverts() {
    let c = parse("Revert \"feat(ui): dark mode\"\n\nThis reverts commit 89abcdef0123456789abcdef0123456789abcdef.\n");
    assert_eq!((c.kind.as_str(), c.scope.as_deref(), c.revert), ("revert", None, true));
    assert_eq!(c.description, "feat(ui): dark mode");
    assert_eq!(c.reverted_hash(), Some("89abcdef0123456789abcdef0123456789abcdef"));
    // A short hash in hand-written text is still recognised; a too-short one is not.
    assert_eq!(parse("Revert \"x\"\n\nThis reverts commit abc1234.").reverted_hash(), Some("abc1234"));
    assert_eq!(parse("Revert \"x\"\n\nThis reverts commit abc.").reverted_hash(), None);
    // git's "Reapply" (a revert of a revert) is the original change again.
    let c = parse("Reapply \"feat(ui): dark mode\"\n\nThis reverts commit 1111111111111111111111111111111111111111.");
    assert_eq!((c.kind.as_str(), c.scope.as_deref(), c.revert), ("feat", Some("ui"), false));
}

#[test]
fn bump_rules() {
    let cases: [(&str, Option<Bump>); 14] = [
        ("feat: x", Some(Bump::Minor)),
        ("fix: x", Some(Bump::Patch)),
        ("perf: x", Some(Bump::Patch)),
        ("refactor: x", Some(Bump::Patch)),
        ("revert: x", Some(Bump::Patch)),
        ("Revert \"x\"", Some(Bump::Patch)),
        ("feat!: x", Some(Bump::Major)),
        ("docs!: x", Some(Bump::Major)),
        ("chore: x\n\nBREAKING CHANGE: y", Some(Bump::Major)),
        ("docs: x", None),
        ("chore(deps): x", None),
        ("build: x", None),
        ("style: x", None),
        ("Update README.md", None),
    ];
    for (message, want) in cases {
        assert_eq!(bump(&[parse(message)]), want, "{message}");
    }
}

#[test]
fn bump_takes_the_highest() {
    let set = |messages: &[&str]| messages.iter().map(|m| parse(m)).collect::<Vec<_>>();
    assert_eq!(bump(&set(&["docs: a", "fix: b", "feat: c", "chore: d"])), Some(Bump::Minor));
    assert_eq!(bump(&set(&["fix: b", "feat(x)!: c", "feat: d"])), Some(Bump::Major));
    assert_eq!(bump(&set(&["docs: a", "ci: b"])), None);
    assert_eq!(bump(&[]), None);
    assert!(Bump::Major > Bump::Minor && Bump::Minor > Bump::Patch);
}

#[test]
fn a_revert_and_its_target_cancel_out() {
    let feat = with_hash('a', "feat: shiny");
    let revert = with_hash('b', &format!("Revert \"feat: shiny\"\n\nThis reverts commit {}.", feat.hash));
    let fix = with_hash('c', "docs: words");
    let commits = [revert.clone(), fix.clone(), feat.clone()];
    assert_eq!(effective(&commits).map(|c| c.hash.as_str()).collect::<Vec<_>>(), [fix.hash.as_str()]);
    assert_eq!(bump(&commits), None);
    // Without its target in the range, a revert is a patch release of its own.
    assert_eq!(bump(&[revert]), Some(Bump::Patch));
}

#[test]
fn reverts_match_by_header_when_there_is_no_hash() {
    let commits = [
        with_hash('d', "revert: Feat(ui): dark mode"),
        with_hash('e', "feat(ui): dark mode"),
        with_hash('f', "feat(ui): dark mode"),
    ];
    // The revert takes the nearest older match; the oldest one stays.
    let left: Vec<&str> = effective(&commits).map(|c| c.short.as_str()).collect();
    assert_eq!(left, ["fffffff"]);
    // Scopes are compared as written.
    let commits = [with_hash('d', "revert: feat(UI): dark mode"), with_hash('e', "feat(ui): dark mode")];
    assert_eq!(effective(&commits).count(), 2);
    let non_conventional = [with_hash('1', "revert: oops"), with_hash('2', "oops")];
    assert_eq!(effective(&non_conventional).count(), 0);
}

#[test]
fn a_revert_of_a_revert_brings_the_change_back() {
    let feat = with_hash('a', "feat: shiny");
    let revert = with_hash('b', &format!("Revert \"feat: shiny\"\n\nThis reverts commit {}.", feat.hash));
    let again = with_hash('c', &format!("Revert \"Revert \"feat: shiny\"\"\n\nThis reverts commit {}.", revert.hash));
    let commits = [again, revert, feat.clone()];
    let left: Vec<&Commit> = effective(&commits).collect();
    assert_eq!(left, [&feat]);
    assert_eq!(bump(&commits), Some(Bump::Minor));
}

#[test]
fn a_revert_never_cancels_a_newer_commit() {
    let feat = with_hash('a', "feat: shiny");
    let revert = with_hash('b', "revert: feat: shiny");
    // The feature came back after the revert: both stay.
    let commits = [feat, revert];
    assert_eq!(effective(&commits).count(), 2);
}
