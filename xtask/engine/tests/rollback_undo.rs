//! `rollback --undo`: a release (or rollback) that has not left this machine is removed and
//! the repository is byte for byte as before it ran; one that was pushed, or that has commits
//! on top, or is not on the checked-out branch, is refused with nothing changed.

mod rollback_common;
mod support;

use rollback_common::{Project, released, with_bad_release};
use support::{Run, assert_same};

/// 2.5.0 released and pushed, then a commit to release.
fn ready() -> Project {
    let p = released();
    p.write("docs/notes.md", "notes\n");
    p.commit_all("fix(docs): notes");
    p
}

/// `rollback --undo ARGS` and its `--dry-run`: both exit 2 and change nothing.
#[track_caller]
fn refused(p: &Project) -> Run {
    let before = p.snapshot();
    p.rollback(&["--undo", "--dry-run"]).code(2);
    assert_same(&before, &p.snapshot());
    let run = p.rollback(&["--undo"]);
    run.code(2);
    assert!(run.stderr.contains("cannot undo the release ("), "{run}");
    assert_same(&before, &p.snapshot());
    assert!(p.journal().is_none());
    run
}

#[test]
fn undo_after_an_unpushed_release_restores_the_repository_exactly() {
    let p = ready();
    let before = p.snapshot();
    p.xtask(&["release", "patch", "--no-verify"]).code(0);
    let released = p.snapshot();
    let run = p.rollback(&["--undo", "--dry-run"]);
    run.code(0);
    assert!(run.stdout.contains("rollback --undo lot-genius: 2.5.1 on main at "), "{run}");
    assert!(run.stdout.contains("removes the newest release: its commit and its tag"), "{run}");
    assert!(run.stdout.contains("write CHANGELOG.md (restored)") && run.stdout.contains("delete tag v2.5.1"), "{run}");
    assert!(!run.stdout.contains("quality gates"), "{run}");
    assert_same(&released, &p.snapshot());

    let run = p.rollback(&["--undo"]);
    run.code(0);
    assert!(run.stdout.contains("removed release lot-genius 2.5.1: main is back at "), "{run}");
    assert!(run.stdout.contains("tag v2.5.1 is deleted"), "{run}");
    assert_same(&before, &p.snapshot());
    assert_eq!(p.git(&["status", "--porcelain"]), "");
    assert!(p.journal().is_none());
    // The same release can be made again.
    p.xtask(&["release", "patch", "--no-verify", "--push"]).code(0);
}

#[test]
fn undo_of_a_rollback_brings_back_every_file_link_and_bit() {
    let p = with_bad_release("2.5.1");
    let before = p.snapshot();
    p.rollback(&["--reason", "checkout broken", "--no-verify"]).code(0);
    assert_eq!(p.kind("docs/latest.md"), "link -> GETTING_STARTED.md");
    let run = p.xtask(&["--json", "rollback", "--undo"]);
    let doc = run.code(0).json();
    assert_eq!((doc["removed"].as_str(), doc["tag"].as_str()), (Some("2.5.2"), Some("v2.5.2")));
    assert_same(&before, &p.snapshot());
    assert_eq!(p.kind("docs/latest.md"), "link -> README.md");
    assert_eq!(p.kind("scripts/check.sh"), "exec");
    assert_eq!(p.kind("docs/operations"), "-", "the folder the rollback restored is gone again");
}

#[test]
fn a_pushed_release_is_never_removed() {
    let p = ready();
    p.xtask(&["release", "patch", "--no-verify", "--push"]).code(0);
    let run = refused(&p);
    assert!(run.stderr.contains("v2.5.1 is on origin: a pushed release is never deleted; ship the last good release again with `cargo xtask rollback`"), "{run}");
}

#[test]
fn a_release_whose_branch_was_pushed_without_its_tag_is_never_removed() {
    let p = ready();
    p.xtask(&["release", "patch", "--no-verify"]).code(0);
    p.git(&["push", "-q", "origin", "main"]);
    let run = refused(&p);
    assert!(run.stderr.contains(" of v2.5.1 is on origin/main: a pushed release is never deleted"), "{run}");
}

#[test]
fn commits_on_top_of_the_release_commit() {
    let p = ready();
    p.xtask(&["release", "patch", "--no-verify"]).code(0);
    p.write("docs/after.md", "after\n");
    p.commit_all("docs: after the release");
    let run = refused(&p);
    assert!(run.stderr.contains("1 commit on main sits on top of v2.5.1's release commit"), "{run}");
}

#[test]
fn another_branch_a_dirty_tree_and_a_tag_on_a_plain_commit() {
    let p = ready();
    p.xtask(&["release", "patch", "--no-verify"]).code(0);
    p.git(&["switch", "-q", "-c", "other", "HEAD~1"]);
    p.write("docs/notes.md", "edited\n");
    let run = refused(&p);
    assert!(run.stderr.contains("(2 problems; nothing was changed)"), "{run}");
    assert!(run.stderr.contains("other is not the branch of v2.5.1"), "{run}");
    assert!(run.stderr.contains("switch to it first (`git switch main`)"), "{run}");
    assert!(run.stderr.contains("uncommitted changes to tracked files: docs/notes.md"), "{run}");

    // A tag made by hand on an ordinary commit (the seed's rollback) is not a release commit.
    let p = ready();
    p.tag("v2.5.1");
    let run = refused(&p);
    assert!(run.stderr.contains("v2.5.1 points at"), "{run}");
    assert!(
        run.stderr.contains("(\"fix(docs): notes\"), not at a release commit (\"chore(release): v2.5.1\")"),
        "{run}"
    );
    assert!(run.stderr.contains("`git tag -d v2.5.1`"), "{run}");
}

#[test]
fn no_release_at_all_and_an_unreachable_remote() {
    let p = rollback_common::unreleased("");
    let run = refused(&p);
    assert!(run.stderr.contains("there is no release to undo"), "{run}");

    let p = ready();
    p.xtask(&["release", "patch", "--no-verify"]).code(0);
    p.git(&["remote", "set-url", "origin", p.path("no-such-remote").to_str().unwrap()]);
    let run = refused(&p);
    assert!(run.stderr.contains("cannot tell whether v2.5.1 was pushed to origin"), "{run}");
    // No remote at all: nothing was pushed anywhere.
    p.git(&["remote", "remove", "origin"]);
    p.rollback(&["--undo"]).code(0);
    assert_eq!(p.tags(), ["v2.5.0"]);
}

#[test]
fn a_kill_midway_through_an_undo_resumes_or_aborts() {
    let p = ready();
    let before = p.snapshot();
    p.xtask(&["release", "patch", "--no-verify"]).code(0);
    let released = p.snapshot();

    let run = p.xtask_with(&["rollback", "--undo"], |cmd| {
        cmd.env("XTASK_FAULT", "after-write:2");
    });
    assert_eq!(run.code, -1, "{run}");
    let run = p.rollback(&["--undo"]);
    run.code(2);
    assert!(run.stderr.contains("an interrupted rollback --undo is waiting"), "{run}");
    p.xtask(&["release", "--abort"]).code(0);
    assert_same(&released, &p.snapshot());

    let run = p.xtask_with(&["rollback", "--undo"], |cmd| {
        cmd.env("XTASK_FAULT", "after-reset:1");
    });
    assert_eq!(run.code, -1, "{run}");
    let run = p.xtask(&["release", "--resume"]);
    run.code(0);
    assert!(run.stdout.contains("removed release lot-genius 2.5.1"), "{run}");
    assert_same(&before, &p.snapshot());
}

#[test]
fn undo_of_a_first_release_removes_the_changelog_it_created() {
    let p = rollback_common::unreleased("");
    p.git(&["rm", "-q", "CHANGELOG.md"]);
    p.commit_all("docs: no changelog yet");
    let before = p.snapshot();
    p.xtask(&["release", "1.0.0", "--no-verify"]).code(0);
    assert_eq!(p.kind("CHANGELOG.md"), "file");
    let run = p.rollback(&["--undo", "--dry-run"]);
    assert!(run.code(0).stdout.contains("delete CHANGELOG.md (restored)"), "{run}");
    p.rollback(&["--undo"]).code(0);
    assert_same(&before, &p.snapshot());
    assert!(p.tags().is_empty());
}
