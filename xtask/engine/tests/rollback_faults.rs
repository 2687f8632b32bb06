//! Faults in the middle of a rollback: a failing hook restores everything (exit 3); a kill
//! between steps leaves a journal that stops the next run, and `release --abort` restores,
//! `release --resume` finishes exactly as an uninterrupted rollback would have.

mod rollback_common;
mod support;

use rollback_common::{Project, with_bad_release};
use support::assert_same;

const ARGS: [&str; 5] = ["rollback", "--reason", "checkout broken", "--push", "--no-verify"];

/// Run the rollback killed (SIGKILL) at a fault point.
fn killed_at(p: &Project, point: &str) {
    let run = p.xtask_with(&ARGS, |cmd| {
        cmd.env("XTASK_FAULT", point);
    });
    assert_eq!(run.code, -1, "the process was killed by a signal\n{run}");
    assert!(p.journal().is_some(), "a killed rollback leaves its journal");
}

#[test]
fn a_failing_pre_commit_hook_restores_every_file_link_and_bit() {
    let p = with_bad_release("2.5.1");
    p.hook("pre-commit", "#!/bin/sh\necho 'policy: no rollbacks on Fridays' >&2\nexit 1\n");
    let before = p.snapshot();
    let remote = p.remote_refs();
    let run = p.xtask(&ARGS);
    run.code(3);
    assert!(run.stderr.contains("policy: no rollbacks on Fridays"), "the hook's output is shown\n{run}");
    assert!(run.stderr.contains("rollback 2.5.2 failed at step 15 of 17 (commit)"), "{run}");
    assert!(run.stderr.contains("the repository was restored"), "{run}");
    assert_same(&before, &p.snapshot());
    assert_eq!(p.kind("docs/latest.md"), "link -> README.md");
    assert_eq!(p.kind("scripts/check.sh"), "exec");
    assert_eq!(p.kind("docs/operations"), "-", "the folder the rollback created is gone again");
    assert!(p.journal().is_none());
    assert_eq!(p.remote_refs(), remote, "nothing was pushed");
    std::fs::remove_file(p.path(".git/hooks/pre-commit")).unwrap();
    p.xtask(&ARGS).code(0);
}

#[test]
fn a_kill_midway_stops_the_next_run_and_abort_restores_byte_for_byte() {
    let p = with_bad_release("2.5.1");
    let before = p.snapshot();
    killed_at(&p, "after-write:7");
    assert_eq!(p.kind("docs/guide"), "-", "the seventh write deleted the renamed page");
    let midway = p.snapshot();
    for args in [&["rollback", "--no-verify"][..], &["rollback", "--undo"], &["rollback", "--dry-run", "--no-verify"]] {
        let run = p.xtask(args);
        run.code(2);
        assert!(
            run.stderr.contains("an interrupted rollback is waiting (rollback 2.5.2 (v2.5.2), 7 of 17 steps done)"),
            "{run}"
        );
        assert!(run.stderr.contains("release --resume") && run.stderr.contains("release --abort"), "{run}");
        assert_same(&midway, &p.snapshot());
    }
    let run = p.xtask(&["release", "--abort"]);
    run.code(0);
    assert!(run.stdout.contains("aborted rollback 2.5.2"), "{run}");
    assert_same(&before, &p.snapshot());
    assert_eq!(p.kind("docs/operations"), "-");
    assert!(p.journal().is_none());
}

#[test]
fn a_kill_after_the_commit_then_resume_equals_an_uninterrupted_rollback() {
    let twin = with_bad_release("2.5.1");
    twin.xtask(&ARGS).code(0);

    let p = with_bad_release("2.5.1");
    killed_at(&p, "after-commit:1");
    assert_eq!(p.subject(), "chore(release): v2.5.2");
    assert!(!p.tags().contains(&"v2.5.2".to_string()));
    let run = p.xtask(&["release", "--resume"]);
    run.code(0);
    assert!(run.stdout.contains("rolled back lot-genius to v2.5.0 as 2.5.2"), "{run}");
    assert!(run.stdout.contains("pushed to origin"), "{run}");
    assert!(p.journal().is_none());
    assert_same(&twin.snapshot(), &p.snapshot());
    assert_eq!(p.git(&["rev-parse", "HEAD", "v2.5.2"]), twin.git(&["rev-parse", "HEAD", "v2.5.2"]));
    assert!(p.remote_refs().contains("refs/tags/v2.5.2 "));
}

#[test]
fn a_kill_between_writes_then_resume_finishes_the_tree() {
    let twin = with_bad_release("2.5.1");
    twin.xtask(&ARGS).code(0);
    let p = with_bad_release("2.5.1");
    killed_at(&p, "after-write:3");
    p.xtask(&["release", "--resume"]).code(0);
    assert_same(&twin.snapshot(), &p.snapshot());
    assert_eq!(p.kind("newdir"), "-");
}

#[test]
fn a_rejected_push_leaves_the_local_rollback_complete_and_says_how_to_push() {
    let p = with_bad_release("2.5.1");
    let hook = p.remote.path().join("hooks/pre-receive");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, "#!/bin/sh\necho 'frozen: no pushes today' >&2\nexit 1\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let remote = p.remote_refs();
    let run = p.xtask(&ARGS);
    run.code(3);
    assert!(run.stderr.contains("frozen: no pushes today"), "{run}");
    assert!(run.stderr.contains("the local rollback is complete"), "{run}");
    assert!(run.stderr.contains("git push --atomic origin refs/heads/main refs/tags/v2.5.2"), "{run}");
    assert_eq!(p.remote_refs(), remote, "nothing was pushed");
    assert_eq!(p.subject(), "chore(release): v2.5.2");
    assert!(p.tags().contains(&"v2.5.2".to_string()));
    assert!(p.journal().is_none());
    std::fs::remove_file(&hook).unwrap();
    p.git(&["push", "--atomic", "-q", "origin", "refs/heads/main", "refs/tags/v2.5.2"]);
    assert!(p.remote_refs().contains("refs/tags/v2.5.2 "));
}
