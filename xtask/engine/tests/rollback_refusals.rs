//! Every rollback that must not happen: exit 2, every problem named at once, and the
//! repository byte for byte as it was (the dry run of each too).

mod rollback_common;
mod support;

use rollback_common::{Project, released, with_bad_release};
use support::{Run, assert_same};

/// Run `rollback ARGS` and its `--dry-run`: both exit 2 and change nothing; the real run's
/// output is returned.
#[track_caller]
fn refused(p: &Project, args: &[&str]) -> Run {
    let before = p.snapshot();
    let mut dry = args.to_vec();
    dry.push("--dry-run");
    let run = p.rollback(&dry);
    run.code(2);
    assert_same(&before, &p.snapshot());
    let run = p.rollback(args);
    run.code(2);
    assert!(run.stderr.contains("cannot roll back ("), "{run}");
    assert!(run.stderr.contains("nothing was changed"), "{run}");
    assert_same(&before, &p.snapshot());
    assert!(p.journal().is_none());
    run
}

#[test]
fn no_final_release_older_than_the_current_one() {
    let p = rollback_common::unreleased("");
    p.xtask(&["release", "2.5.0-rc.1", "--no-verify"]).code(0);
    p.xtask(&["release", "2.5.0", "--no-verify"]).code(0);
    let run = refused(&p, &["--no-verify"]);
    assert!(
        run.stderr.contains("there is no final release older than the current version 2.5.0 to roll back to (release tags: v2.5.0-rc.1, v2.5.0); name one with --to TAG"),
        "{run}"
    );
    // A pre-release can still be named.
    p.rollback(&["--to", "v2.5.0-rc.1", "--dry-run", "--no-verify"]).code(0);
}

#[test]
fn an_unknown_tag_or_one_that_is_not_older() {
    let p = with_bad_release("2.5.1");
    let run = refused(&p, &["--to", "v9.9.9", "--no-verify"]);
    assert!(
        run.stderr.contains("--to v9.9.9: no release tag has that name or version (release tags: v2.5.0, v2.5.1)"),
        "{run}"
    );
    let run = refused(&p, &["--to", "v2.5.1", "--no-verify"]);
    assert!(run.stderr.contains("--to v2.5.1: v2.5.1 is not older than the current version 2.5.1"), "{run}");
    let run = refused(&p, &["--to", "main", "--no-verify"]);
    assert!(run.stderr.contains("--to main: no release tag"), "{run}");
}

#[test]
fn a_dirty_tree_a_wrong_branch_and_a_stray_file_are_reported_together() {
    let p = with_bad_release("2.5.1");
    p.git(&["switch", "-q", "-c", "feature/x"]);
    p.write("docs/README.md", "edited\n");
    // Not tracked now, but 2.5.0 has a file there: the rollback would overwrite it.
    p.write("docs/checkout.md", "my notes\n");
    let run = refused(&p, &["--no-verify"]);
    assert!(run.stderr.contains("cannot roll back (3 problems; nothing was changed)"), "{run}");
    assert!(run.stderr.contains("not feature/x; switch branch or pass --allow-branch"), "{run}");
    assert!(run.stderr.contains("uncommitted changes to tracked files: docs/README.md"), "{run}");
    assert!(run.stderr.contains("docs/checkout.md: not tracked here, but v2.5.0 has a file there"), "{run}");
}

#[test]
fn a_dirty_tree_alone() {
    let p = with_bad_release("2.5.1");
    p.write("backend/pyproject.toml", p.read("backend/pyproject.toml").replace("lotgenius", "lotgenius2"));
    let run = refused(&p, &["--no-verify"]);
    assert!(run.stderr.contains("(1 problem; nothing was changed)"), "{run}");
    assert!(run.stderr.contains("uncommitted changes to tracked files: backend/pyproject.toml"), "{run}");
}

#[test]
fn a_wrong_branch_alone_and_allow_branch() {
    let p = with_bad_release("2.5.1");
    p.git(&["switch", "-q", "-c", "experiment"]);
    let run = refused(&p, &["--no-verify"]);
    assert!(run.stderr.contains("(1 problem; nothing was changed)"), "{run}");
    assert!(
        run.stderr
            .contains("releases are cut from main, master, release/*, hotfix/* (release.branches), not experiment")
    );
    let before = p.snapshot();
    p.rollback(&["--allow-branch", "--dry-run", "--no-verify"]).code(0);
    assert_same(&before, &p.snapshot());
}

#[test]
fn a_detached_head() {
    let p = with_bad_release("2.5.1");
    p.git(&["switch", "-q", "--detach", "HEAD"]);
    let run = refused(&p, &["--no-verify"]);
    assert!(run.stderr.contains("HEAD is detached"), "{run}");
}

#[test]
fn a_folder_that_was_a_file() {
    let p = released();
    // 2.5.0 has docs/checkout.md as a file; 2.5.1 turns it into a folder.
    p.git(&["rm", "-q", "docs/checkout.md"]);
    p.write("docs/checkout.md/index.md", "# Checkout\n");
    p.commit_all("docs: checkout folder");
    p.xtask(&["release", "2.5.1", "--no-verify"]).code(0);
    let run = refused(&p, &["--no-verify"]);
    assert!(run.stderr.contains("docs/checkout.md: a folder here, but a file in v2.5.0"), "{run}");
}

#[test]
fn a_file_that_was_a_folder() {
    let p = released();
    // 2.5.0 has docs/operations/ as a folder; 2.5.1 makes it a file.
    p.git(&["rm", "-q", "-r", "docs/operations"]);
    p.write("docs/operations", "operations\n");
    p.commit_all("docs: operations page");
    p.xtask(&["release", "2.5.1", "--no-verify"]).code(0);
    let run = refused(&p, &["--no-verify"]);
    assert!(run.stderr.contains("docs/operations: a file here, but a folder in v2.5.0"), "{run}");
}

#[test]
fn push_without_a_remote() {
    let p = with_bad_release("2.5.1");
    p.git(&["remote", "remove", "origin"]);
    let run = refused(&p, &["--push", "--no-verify"]);
    assert!(run.stderr.contains("--push: there is no remote origin (release.remote)"), "{run}");
    // Without --push the same rollback is fine.
    p.rollback(&["--dry-run", "--no-verify"]).code(0);
}

#[test]
fn unknown_version_sources() {
    let p = with_bad_release("2.5.1");
    p.write("frontend/package.json", p.read("frontend/package.json").replace("2.5.1", "2.5.9"));
    p.commit_all("chore: drift");
    let run = refused(&p, &["--no-verify"]);
    assert!(run.stderr.contains("2.5.9"), "the disagreement is named\n{run}");
}
