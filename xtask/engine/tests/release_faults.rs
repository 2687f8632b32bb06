//! Faults in the middle of a release: a failing hook, a kill -9 between steps (`--resume`,
//! `--abort`), Ctrl-C, a tag that reaches the remote first, a second release at the same time.
//! Each leaves the repository as it was, or resumable, or (after a failed push) released
//! locally with the command that pushes it.

mod release_common;
mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use release_common::{Project, ready};
use support::assert_same;

/// Run `release minor` killed (SIGKILL) at a fault point.
#[track_caller]
fn killed_at(p: &Project, point: &str) {
    release_common::killed_at(p, &["release", "minor", "--no-verify"], point);
}

#[test]
fn a_failing_pre_commit_hook_restores_everything() {
    let p = ready();
    p.hook("pre-commit", "#!/bin/sh\necho 'lint: trailing whitespace in CHANGELOG.md' >&2\nexit 1\n");
    let before = p.snapshot();
    let run = p.release(&["minor", "--no-verify"]);
    run.code(3);
    assert!(run.stderr.contains("lint: trailing whitespace"), "the hook's output is shown\n{run}");
    assert!(run.stderr.contains("the repository was restored"), "{run}");
    assert_same(&before, &p.snapshot());
    assert!(p.journal().is_none());
    assert!(!p.tags().contains(&"v0.2.0".to_string()));
    // Fixed hook, same command: the release goes through.
    p.remove_hook("pre-commit");
    p.release(&["minor", "--no-verify"]).code(0);
}

#[test]
fn a_kill_between_two_writes_stops_the_next_run_and_resume_finishes_it() {
    // The same repository released without interruption, for comparison: pinned clocks make
    // the commit and the tag byte-identical.
    let twin = ready();
    twin.release(&["minor", "--no-verify"]).code(0);

    let p = ready();
    killed_at(&p, "after-write:2");
    let written = ["backend/pyproject.toml", "backend/lotgenius/__init__.py", "frontend/package.json"]
        .iter()
        .filter(|f| p.read(f).contains("0.2.0"))
        .count();
    assert_eq!(written, 2, "killed between the second and the third write");
    let before = p.snapshot();
    let run = p.release(&["patch", "--no-verify"]);
    run.code(2);
    assert!(run.stderr.contains("release --resume") && run.stderr.contains("release --abort"), "{run}");
    let run = p.release(&["patch", "--dry-run", "--no-verify"]);
    run.code(2);
    assert_same(&before, &p.snapshot());

    let run = p.release(&["--resume"]);
    run.code(0);
    assert!(run.stdout.contains("0.2.0"), "{run}");
    assert!(p.journal().is_none());
    assert_same(&twin.snapshot(), &p.snapshot());
    assert_eq!(p.git(&["rev-parse", "HEAD", "v0.2.0"]), twin.git(&["rev-parse", "HEAD", "v0.2.0"]));
}

#[test]
fn a_kill_between_two_writes_then_abort_restores_byte_for_byte() {
    let p = ready();
    let before = p.snapshot();
    killed_at(&p, "after-write:3");
    let run = p.release(&["--abort"]);
    run.code(0);
    assert!(run.stdout.contains("as it was before it began"), "{run}");
    assert_same(&before, &p.snapshot());
    assert!(p.journal().is_none());
    p.release(&["minor", "--no-verify"]).code(0);
}

#[test]
fn a_kill_after_the_commit_resumes_with_the_tag_or_aborts_removing_the_commit() {
    let p = ready();
    killed_at(&p, "after-commit:1");
    assert_eq!(p.subject(), "chore(release): v0.2.0");
    p.release(&["--resume"]).code(0);
    assert_eq!(p.git(&["rev-parse", "v0.2.0^{commit}"]), p.git(&["rev-parse", "HEAD"]));
    assert_eq!(p.git(&["rev-list", "--count", "v0.1.0..HEAD"]), "2", "the feature and one release commit");

    let p = ready();
    let before = p.snapshot();
    killed_at(&p, "after-tag:1");
    assert!(p.tags().contains(&"v0.2.0".to_string()));
    p.release(&["--abort"]).code(0);
    assert_same(&before, &p.snapshot());
}

#[test]
fn resume_and_abort_refuse_a_file_changed_after_the_kill() {
    let p = ready();
    let before = p.snapshot();
    killed_at(&p, "after-write:1");
    p.write("backend/pyproject.toml", "edited by hand\n");
    let edited = p.snapshot();
    for verb in ["--resume", "--abort"] {
        let run = p.release(&[verb]);
        run.code(2);
        assert!(run.stderr.contains("backend/pyproject.toml changed after the interruption"), "{run}");
        assert!(run.stderr.contains("git stash push -- backend/pyproject.toml"), "{run}");
        assert!(run.stderr.contains("the journal .git/xtask/release.json is kept"), "{run}");
        assert!(p.journal().is_some(), "the journal is kept");
        assert_same(&edited, &p.snapshot());
    }
    // As the message says: put the work aside, abort, take it back.
    p.git(&["stash", "push", "-q", "--", "backend/pyproject.toml"]);
    p.release(&["--abort"]).code(0);
    p.git(&["stash", "pop", "-q"]);
    assert_eq!(p.read("backend/pyproject.toml"), "edited by hand\n", "the edit survived");
    p.git(&["checkout", "--", "backend/pyproject.toml"]);
    assert_same(&before, &p.snapshot());
}

#[test]
fn a_tag_that_reaches_the_remote_first_leaves_a_complete_local_release() {
    let p = ready();
    // Between the preconditions and the push, someone pushes v0.2.0.
    let remote = p.remote.path().display().to_string();
    p.hook("pre-push", &format!("#!/bin/sh\ngit --git-dir='{remote}' tag v0.2.0 main\n"));
    let remote_main = p.remote_git(&["rev-parse", "main"]);
    let run = p.release(&["minor", "--push", "--no-verify"]);
    run.code(3);
    assert!(run.stderr.contains("the push to origin failed"), "{run}");
    assert!(run.stderr.contains("the local release is complete"), "{run}");
    assert!(run.stderr.contains("git push --atomic origin refs/heads/main refs/tags/v0.2.0"), "{run}");
    assert!(run.stderr.contains("origin already has a tag v0.2.0") && run.stderr.contains("rollback --undo"), "{run}");
    assert_eq!(p.subject(), "chore(release): v0.2.0");
    assert_eq!(p.git(&["rev-parse", "v0.2.0^{commit}"]), p.git(&["rev-parse", "HEAD"]));
    assert_eq!(p.git(&["status", "--porcelain"]), "");
    assert!(p.journal().is_none());
    assert_eq!(p.remote_git(&["rev-parse", "main"]), remote_main, "atomic: the branch was not pushed either");
    // Once the remote is sorted out, the printed command pushes both.
    p.remove_hook("pre-push");
    p.remote_git(&["tag", "-d", "v0.2.0"]);
    p.git(&["push", "--atomic", "origin", "refs/heads/main", "refs/tags/v0.2.0"]);
    assert_eq!(p.remote_git(&["rev-parse", "main"]), p.git(&["rev-parse", "HEAD"]));
}

#[test]
fn ctrl_c_restores_and_exits_3() {
    let p = ready();
    // A terminal's Ctrl-C sends SIGINT to xtask and to the git it runs (here: to exactly those
    // two processes, the hook's parent and grandparent, and to nothing outside the test).
    p.hook(
        "pre-commit",
        "#!/bin/sh\nxtask=$(ps -o ppid= -p \"$PPID\" | tr -d ' ')\n\
         [ \"$(ps -o comm= -p \"$xtask\")\" = polyrelease ] || exit 1\n\
         kill -INT \"$PPID\" \"$xtask\"\n",
    );
    let before = p.snapshot();
    let run = p.release(&["minor", "--no-verify"]);
    run.code(3);
    assert!(run.stderr.contains("interrupted by Ctrl-C"), "{run}");
    assert!(run.stderr.contains("the repository was restored"), "{run}");
    assert_same(&before, &p.snapshot());
    assert!(p.journal().is_none());
}

#[test]
fn a_second_release_at_the_same_time_is_refused() {
    let p = ready();
    let started = p.path(".git/hook-started");
    let go = p.path(".git/hook-go");
    p.hook(
        "pre-commit",
        &format!(
            "#!/bin/sh\ntouch '{}'\nn=0\nwhile [ ! -f '{}' ] && [ $n -lt 400 ]; do sleep 0.05; n=$((n+1)); done\n",
            started.display(),
            go.display()
        ),
    );
    let mut first = Command::new(env!("CARGO_BIN_EXE_polyrelease"));
    first.arg("--root").arg(p.root()).args(["release", "minor", "--no-verify"]).current_dir(p.root());
    p.env(&mut first);
    let first = first.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !started.exists() {
        assert!(Instant::now() < deadline, "the first release never reached its commit");
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = p.release(&["minor", "--no-verify"]);
    second.code(2);
    assert!(second.stderr.contains("another release or rollback is running"), "{second}");
    let dry = p.release(&["minor", "--dry-run", "--no-verify"]);
    dry.code(2);
    assert!(dry.stderr.contains("another release or rollback is running"), "{dry}");
    std::fs::write(&go, "").unwrap();
    let out = first.wait_with_output().unwrap();
    assert!(out.status.success(), "the first release finished: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(p.subject(), "chore(release): v0.2.0");
}

#[test]
fn a_resumed_release_finishes_with_the_push() {
    let p = ready();
    let run = p.xtask_with(&["release", "minor", "--push", "--no-verify"], |cmd| {
        cmd.env("XTASK_FAULT", "after-tag:1");
    });
    assert_eq!(run.code, -1, "{run}");
    assert!(!p.remote_refs().contains("v0.2.0"), "killed before the push");
    let run = p.release(&["--resume"]);
    run.code(0);
    assert!(run.stdout.contains("pushed to origin"), "{run}");
    let remote = p.remote_refs();
    assert!(remote.contains(&format!("refs/heads/main {}", p.git(&["rev-parse", "HEAD"]))), "{remote}");
    assert!(remote.contains("refs/tags/v0.2.0"), "{remote}");
}

#[test]
fn resume_refuses_a_branch_moved_after_the_kill() {
    let p = ready();
    killed_at(&p, "after-commit:1");
    let release_commit = p.git(&["rev-parse", "HEAD"]);
    p.git(&["commit", "-q", "--allow-empty", "-m", "wip: something else"]);
    let wip = p.git(&["rev-parse", "--short", "HEAD"]);
    let moved = p.snapshot();
    for verb in ["--resume", "--abort"] {
        let run = p.release(&[verb]);
        run.code(2);
        assert!(
            run.stderr.contains(&format!("1 commit made on main after the interruption: {wip} wip: something else")),
            "{run}"
        );
        assert!(run.stderr.contains(&format!("git reset --keep {}", &release_commit[..7])), "{run}");
        assert!(p.journal().is_some(), "the journal is kept");
        assert_same(&moved, &p.snapshot());
    }
    // As the message says: keep the commit on a branch of its own, move main back, resume.
    p.git(&["branch", "keep-work", &wip]);
    p.git(&["reset", "-q", "--keep", &release_commit]);
    p.release(&["--resume"]).code(0);
    assert_eq!(p.git(&["rev-parse", "v0.2.0^{commit}"]), release_commit);
    assert_eq!(p.git(&["log", "-1", "--format=%s", "keep-work"]), "wip: something else");
}

#[test]
fn a_push_refused_because_origin_moved_ahead_gives_advice_that_works() {
    let p = ready();
    // Between the preconditions and the push, someone pushes a commit to origin's main.
    let remote = p.remote.path().display().to_string();
    p.hook(
        "pre-push",
        &format!(
            "#!/bin/sh\nr='{remote}'\nnew=$(git --git-dir=\"$r\" commit-tree -p main -m 'docs: theirs' 'main^{{tree}}')\ngit --git-dir=\"$r\" update-ref refs/heads/main \"$new\"\n"
        ),
    );
    let run = p.release(&["minor", "--push", "--no-verify"]);
    run.code(3);
    let theirs = p.remote_git(&["rev-parse", "main"]);
    assert!(run.stderr.contains(&format!("origin's main moved ahead to {}", &theirs[..7])), "{run}");
    assert!(run.stderr.contains("cargo xtask rollback --undo"), "{run}");
    assert!(run.stderr.contains("git pull --rebase origin main"), "{run}");
    assert!(!run.stderr.contains("push both with"), "pushing again cannot succeed, so it is not advised\n{run}");
    assert!(!p.remote_refs().contains("v0.2.0"), "nothing was pushed");
    // The advice, step by step.
    p.remove_hook("pre-push");
    p.xtask(&["rollback", "--undo"]).code(0);
    p.git(&["pull", "-q", "--rebase", "origin", "main"]);
    p.release(&["minor", "--push", "--no-verify"]).code(0);
    assert_eq!(p.remote_git(&["rev-parse", "main"]), p.git(&["rev-parse", "HEAD"]));
    assert_eq!(p.git(&["log", "-1", "--format=%s", "HEAD~2"]), "docs: theirs");
}
