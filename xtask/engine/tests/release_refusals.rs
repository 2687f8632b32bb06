//! Every precondition `release` checks before its first write, and the gates: each refusal is
//! exit 2 (a failing gate exit 1) and leaves the repository byte for byte as it was.

mod release_common;
mod support;

use release_common::{Project, lot_genius};
use support::{Run, assert_same};

/// Run `release ARGS` and assert the exit code, that nothing changed (work tree, index, refs,
/// remote) and that no journal was left; returns the run for message checks.
#[track_caller]
fn refused(p: &Project, args: &[&str], code: i32) -> Run {
    let before = p.snapshot();
    let remote = p.remote_refs();
    let run = p.release(args);
    run.code(code);
    assert_same(&before, &p.snapshot());
    assert_eq!(p.remote_refs(), remote, "the remote changed");
    assert!(p.journal().is_none(), "a refused release leaves no journal");
    run
}

#[test]
fn a_dirty_tree_is_refused_naming_the_files() {
    let p = lot_genius();
    p.write("frontend/package.json", p.read("frontend/package.json").replace("private", "privat"));
    p.git(&["add", "frontend/package.json"]);
    p.write("docs/README.md", "changed\n");
    let run = refused(&p, &["minor", "--no-verify"], 2);
    assert!(run.stderr.contains("uncommitted changes to tracked files"), "{run}");
    assert!(run.stderr.contains("frontend/package.json") && run.stderr.contains("docs/README.md"), "{run}");
    // An untracked file is not a change to the release.
    let p = lot_genius();
    p.write("scratch.txt", "notes\n");
    p.release(&["minor", "--no-verify"]).code(0);
    assert_eq!(p.read("scratch.txt"), "notes\n");
}

#[test]
fn a_branch_outside_release_branches_needs_allow_branch() {
    let p = lot_genius();
    p.git(&["switch", "-q", "-c", "feature/x"]);
    let run = refused(&p, &["minor", "--no-verify"], 2);
    assert!(run.stderr.contains("not feature/x") && run.stderr.contains("--allow-branch"), "{run}");
    p.release(&["minor", "--allow-branch", "--no-verify"]).code(0);
    assert_eq!(p.subject(), "chore(release): v0.2.0");
    // Detached HEAD.
    let p = lot_genius();
    p.git(&["switch", "-q", "--detach"]);
    let run = refused(&p, &["minor", "--no-verify", "--allow-branch"], 2);
    assert!(run.stderr.contains("HEAD is detached"), "{run}");
}

#[test]
fn an_existing_tag_is_refused() {
    let p = lot_genius();
    p.git(&["tag", "v0.2.0"]);
    let run = refused(&p, &["minor", "--no-verify"], 2);
    assert!(run.stderr.contains("tag v0.2.0 already exists"), "{run}");
}

#[test]
fn a_tag_on_the_remote_is_refused_with_push() {
    let p = lot_genius();
    p.remote_git(&["tag", "v0.2.0", "main"]);
    let run = refused(&p, &["minor", "--push", "--no-verify"], 2);
    assert!(run.stderr.contains("tag v0.2.0 already exists on origin"), "{run}");
    let run = refused(&p, &["minor", "--push", "--dry-run", "--no-verify"], 2);
    assert!(run.stderr.contains("already exists on origin"), "{run}");
    p.git(&["remote", "remove", "origin"]);
    let run = refused(&p, &["minor", "--push", "--no-verify"], 2);
    assert!(run.stderr.contains("there is no remote origin"), "{run}");
}

#[test]
fn a_lower_or_equal_version_is_refused() {
    let p = lot_genius();
    let run = refused(&p, &["0.0.9", "--no-verify"], 2);
    assert!(run.stderr.contains("0.0.9 is not above the current version 0.1.0"), "{run}");
    let run = refused(&p, &["0.1.0", "--no-verify"], 2);
    assert!(run.stderr.contains("not above the current version"), "{run}");
    // Above the current version but not above an existing release tag.
    p.git(&["tag", "-a", "v0.5.0", "-m", "Release v0.5.0"]);
    let run = refused(&p, &["minor", "--no-verify"], 2);
    assert!(run.stderr.contains("not above the release tag v0.5.0"), "{run}");
}

#[test]
fn version_drift_is_refused_naming_the_files() {
    let p = lot_genius();
    p.write("frontend/package.json", p.read("frontend/package.json").replace("\"0.1.0\"", "\"0.1.1\""));
    p.commit_all("chore: bump the frontend by hand");
    let run = refused(&p, &["minor", "--no-verify"], 2);
    assert!(run.stderr.contains("frontend/package.json"), "{run}");
}

#[test]
fn every_problem_is_reported_together() {
    let p = lot_genius();
    p.git(&["switch", "-q", "-c", "wip"]);
    p.write("docs/README.md", "changed\n");
    let run = refused(&p, &["0.0.1", "--no-verify"], 2);
    assert!(run.stderr.contains("3 problems"), "{run}");
    assert!(run.stderr.contains("not wip"), "{run}");
    assert!(run.stderr.contains("docs/README.md"), "{run}");
    assert!(run.stderr.contains("not above the current version"), "{run}");
}

#[test]
fn git_needs_an_identity() {
    let p = lot_genius();
    let config = p.path(".git/no-identity.gitconfig");
    std::fs::write(&config, "[user]\n\tuseConfigOnly = true\n").unwrap();
    let before = p.snapshot();
    let run = p.xtask_with(&["release", "minor", "--no-verify"], |cmd| {
        cmd.env("GIT_CONFIG_GLOBAL", &config)
            .env_remove("EMAIL")
            .env_remove("GIT_AUTHOR_NAME")
            .env_remove("GIT_AUTHOR_EMAIL")
            .env_remove("GIT_COMMITTER_NAME")
            .env_remove("GIT_COMMITTER_EMAIL");
    });
    run.code(2);
    assert!(run.stderr.contains("git has no identity") && run.stderr.contains("git config user.email"), "{run}");
    assert_same(&before, &p.snapshot());
}

#[test]
fn a_failing_gate_stops_the_release_with_exit_1() {
    let p = lot_genius();
    p.write(
        "xtask.toml",
        "[release]\nname = \"lot-genius\"\n\n[gates]\ndetect = false\n\n[[gates.command]]\nname = \"unit\"\nrun = [\"python3\", \"-c\", \"import sys; print('assertion failed: lots'); sys.exit(1)\"]\n",
    );
    p.commit_all("chore: a gate that fails");
    let run = refused(&p, &["minor"], 1);
    assert!(run.stderr.contains("quality gates did not pass (unit)"), "{run}");
    assert!(run.stderr.contains("assertion failed: lots"), "the gate's output is shown\n{run}");
    // --no-verify skips it, loudly.
    let run = p.release(&["minor", "--no-verify"]);
    run.code(0);
    assert!(run.stderr.contains("NOT run"), "{run}");
}

#[test]
fn passing_gates_run_before_the_release_and_stay_quiet() {
    let p = lot_genius();
    p.write(
        "xtask.toml",
        "[release]\nname = \"lot-genius\"\n\n[gates]\ndetect = false\n\n[[gates.command]]\nname = \"unit\"\nrun = [\"python3\", \"-c\", \"print('all good')\"]\n",
    );
    p.commit_all("chore: a gate that passes");
    let run = p.release(&["minor"]);
    run.code(0);
    assert!(run.stderr.contains("quality gates passed"), "{run}");
    assert!(!run.stderr.contains("all good") && !run.stdout.contains("all good"), "{run}");
    let dry = p.release(&["patch", "--dry-run"]);
    dry.code(0);
    assert!(
        dry.stdout.contains("quality gates before the first write: versions, unit") || dry.stdout.contains("unit"),
        "{dry}"
    );
}

#[test]
fn resume_and_abort_without_an_interrupted_release() {
    let p = lot_genius();
    let run = refused(&p, &["--resume"], 2);
    assert!(run.stderr.contains("nothing to resume"), "{run}");
    let run = refused(&p, &["--abort"], 2);
    assert!(run.stderr.contains("nothing to abort"), "{run}");
    let run = p.xtask(&["release"]);
    run.code(2);
}

#[test]
fn outside_git_release_is_refused() {
    let plain = support::TestRepo::plain();
    support::copy_tree(&support::fixture("lot-genius"), plain.root());
    let before = plain.snapshot();
    let run = plain.xtask(&["release", "minor", "--no-verify"]);
    run.code(2);
    assert!(run.stderr.contains("not a git work tree"), "{run}");
    assert_same(&before, &plain.snapshot());
}

#[test]
fn a_gate_that_cannot_run_stops_the_release_with_exit_2() {
    let p = lot_genius();
    p.write(
        "xtask.toml",
        "[release]\nname = \"lot-genius\"\n\n[gates]\ndetect = false\n\n[[gates.command]]\nname = \"lint\"\nrun = [\"no-such-linter-xtask\"]\n",
    );
    p.commit_all("chore: a gate whose program is missing");
    let run = refused(&p, &["minor"], 2);
    assert!(run.stderr.contains("quality gates did not pass (lint)"), "{run}");
}

#[test]
fn a_tag_prefix_git_refuses_is_refused_naming_the_setting_and_its_line() {
    for prefix in ["v..", "-", "rel/.v", "v@{"] {
        let p = lot_genius();
        p.write("xtask.toml", format!("[release]\nname = \"lot-genius\"\ntag-prefix = \"{prefix}\"\n"));
        p.commit_all("chore: a tag prefix git refuses");
        let run = refused(&p, &["minor", "--no-verify"], 2);
        assert!(run.stderr.contains("xtask.toml line 3: [release] tag-prefix"), "{run}");
        assert!(run.stderr.contains(&format!("the tag name \"{prefix}0.2.0\", which git refuses")), "{run}");
        assert!(!run.stderr.contains("git tag"), "refused before git was asked to tag\n{run}");
        refused(&p, &["minor", "--dry-run", "--no-verify"], 2);
    }
}

#[test]
fn with_push_a_branch_behind_its_remote_is_refused_before_any_write() {
    let p = lot_genius();
    p.change("feat: lots");
    let ours = p.git(&["rev-parse", "HEAD"]);
    // Someone else pushed to origin's main meanwhile (a commit this clone does not have).
    let other = support::TestRepo::new();
    other.git(&["fetch", "-q", p.remote.path().to_str().unwrap(), "main"]);
    other.git(&["reset", "-q", "--hard", "FETCH_HEAD"]);
    other.write("docs/theirs.md", "theirs\n");
    let theirs = other.commit_all("docs: their change");
    other.git(&["push", "-q", p.remote.path().to_str().unwrap(), "HEAD:main"]);
    for args in [&["minor", "--push", "--no-verify"][..], &["minor", "--push", "--dry-run", "--no-verify"]] {
        let run = refused(&p, args, 2);
        assert!(
            run.stderr.contains(&format!("origin's main is at {}", &theirs[..7]))
                && run.stderr.contains(&format!("main here (at {}) does not contain", &ours[..7])),
            "{run}"
        );
        assert!(run.stderr.contains("git pull --rebase origin main"), "{run}");
    }
    // Without --push the release is local and goes through; after pulling, --push does too.
    p.git(&["pull", "-q", "--rebase", "origin", "main"]);
    p.release(&["minor", "--push", "--no-verify"]).code(0);
    assert!(p.remote_refs().contains("refs/tags/v0.2.0 "));
}
