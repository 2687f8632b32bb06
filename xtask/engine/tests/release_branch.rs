//! Release branches merged by pull request (seed S1): `release X --branch` makes the release
//! commit on a new `release/TAG` branch (pushed with `--push`, upstream set) and no tag, the
//! original branch left where it was; once merged (`git merge` here, as a forge would),
//! `release --tag-merged` tags the merged release commit once, with its notes, and pushes the
//! tag; a second run is a no-op. A kill at any point of `--branch` aborts to the repository as
//! it was, byte for byte, and resumes to the uninterrupted result.

mod release_common;
mod support;

use release_common::{Project, ready};
use support::assert_same;

const BRANCH: &str = "release/v0.2.0";

fn steps(plan: &serde_json::Value) -> Vec<String> {
    plan["steps"].as_array().expect("steps").iter().map(|s| s["step"].as_str().unwrap().to_string()).collect()
}

/// The commit a tag points at, peeled.
fn tagged_commit(p: &Project, tag: &str) -> String {
    p.git(&["rev-parse", &format!("{tag}^{{commit}}")])
}

#[test]
fn the_pull_request_flow_runs_end_to_end_against_a_bare_remote() {
    let p = ready();
    let main_before = p.git(&["rev-parse", "main"]);
    let remote_before = p.remote_refs();

    // The dry run shows the branch, the commit and the push of the branch, no tag.
    let snapshot = p.snapshot();
    let run = p.xtask(&["--json", "release", "minor", "--branch", "--push", "--no-verify", "--dry-run"]);
    let plan = run.code(0).json()["plan"].clone();
    assert_same(&snapshot, &p.snapshot());
    let kinds = steps(&plan);
    assert_eq!(kinds.first().map(String::as_str), Some("branch"), "{plan:#}");
    assert_eq!(plan["steps"][0]["name"], BRANCH);
    assert_eq!(kinds.last().map(String::as_str), Some("push-branch"), "{plan:#}");
    assert!(!kinds.iter().any(|k| k.starts_with("tag")), "no tag before the merge: {kinds:?}");
    assert_eq!(plan["branch"], "main");
    let text = p.release(&["minor", "--branch", "--push", "--no-verify", "--dry-run"]);
    assert!(text.code(0).stdout.contains(&format!("create branch {BRANCH} at")), "{text}");

    let run = p.release(&["minor", "--branch", "--push", "--no-verify"]);
    run.code(0);
    assert!(run.stdout.contains(&format!("on branch {BRANCH}")) && run.stdout.contains("--tag-merged"), "{run}");
    assert_eq!(p.git(&["rev-parse", "main"]), main_before, "main is left where it was");
    assert_eq!(p.git(&["symbolic-ref", "--short", "HEAD"]), BRANCH);
    assert_eq!(p.subject(), "chore(release): v0.2.0");
    assert!(p.read("CHANGELOG.md").contains("## [0.2.0]"));
    assert!(!p.tags().contains(&"v0.2.0".to_string()), "no tag yet: {:?}", p.tags());
    let release_commit = p.git(&["rev-parse", BRANCH]);
    // Not merged yet: tagging on the release branch itself is refused.
    let snapshot = p.snapshot();
    let run = p.release(&["--tag-merged"]);
    run.code(2);
    assert!(run.stderr.contains("is the release branch of v0.2.0, not merged yet"), "{run}");
    assert_same(&snapshot, &p.snapshot());
    let remote = p.remote_refs();
    assert!(remote.contains(&format!("refs/heads/{BRANCH} {release_commit}")), "{remote}");
    assert!(!remote.contains("refs/tags/v0.2.0"), "{remote}");
    let main_line = |refs: &str| refs.lines().find(|l| l.starts_with("refs/heads/main ")).map(str::to_string);
    assert_eq!(main_line(&remote), main_line(&remote_before), "the remote's main is left alone");
    assert_eq!(
        p.git(&["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"]),
        format!("origin/{BRANCH}")
    );

    // The pull request is merged.
    p.tick();
    p.git(&["switch", "-q", "main"]);
    p.git(&["merge", "-q", "--no-ff", "-m", "Merge pull request #1 from acme/release/v0.2.0", BRANCH]);
    p.git(&["push", "-q", "origin", "main"]);

    let run = p.release(&["--tag-merged", "--push"]);
    run.code(0);
    assert!(run.stdout.contains("tagged lot-genius 0.2.0: v0.2.0 on"), "{run}");
    assert_eq!(tagged_commit(&p, "v0.2.0"), release_commit, "the release commit is tagged, not the merge");
    assert_eq!(p.git(&["cat-file", "-t", "v0.2.0"]), "tag", "annotated");
    let message = p.git(&["tag", "-l", "--format=%(contents)", "v0.2.0"]);
    assert!(message.starts_with("v0.2.0\n\n### Features") && message.contains("estimate whole lots"), "{message}");
    let tag_object = p.git(&["rev-parse", "v0.2.0"]);
    assert!(p.remote_refs().contains(&format!("refs/tags/v0.2.0 {tag_object}")), "{}", p.remote_refs());

    // Again: nothing to do, nothing changed, here or on the remote.
    let (snapshot, remote) = (p.snapshot(), p.remote_refs());
    for args in [&["--tag-merged", "--push"][..], &["--tag-merged"][..]] {
        let run = p.release(args);
        run.code(0);
        assert!(run.stdout.contains("nothing to tag: main holds 0.2.0, which is tagged v0.2.0 already"), "{run}");
        assert_same(&snapshot, &p.snapshot());
        assert_eq!(p.remote_refs(), remote);
    }
    let json = p.xtask(&["--json", "release", "--tag-merged"]).code(0).json();
    assert_eq!(json["tagged"], serde_json::Value::Null, "{json}");
}

#[test]
fn a_squash_merged_release_is_found_by_its_subject_and_a_failed_tag_push_is_pushed_again() {
    let p = ready();
    p.release(&["minor", "--branch", "--no-verify"]).code(0);
    assert!(!p.remote_refs().contains(BRANCH), "no --push: the branch stays here");
    p.tick();
    p.git(&["switch", "-q", "main"]);
    p.git(&["merge", "-q", "--squash", BRANCH]);
    let squashed = p.commit_all("chore(release): v0.2.0 (#7)");
    // Not on the remote yet: --push refuses to tag a commit only this clone has.
    let snapshot = p.snapshot();
    let run = p.release(&["--tag-merged", "--push"]);
    run.code(2);
    assert!(run.stderr.contains("is not on origin's main yet") && run.stderr.contains("git push origin main"), "{run}");
    assert_same(&snapshot, &p.snapshot());
    // Tagged here only; a later run with --push pushes the existing tag.
    p.release(&["--tag-merged"]).code(0);
    assert_eq!(tagged_commit(&p, "v0.2.0"), squashed);
    p.git(&["push", "-q", "origin", "main"]);
    let run = p.release(&["--tag-merged", "--push"]);
    run.code(0);
    assert!(run.stdout.contains("pushed the existing tag"), "{run}");
    assert!(p.remote_refs().contains("refs/tags/v0.2.0"), "{}", p.remote_refs());
}

#[test]
fn a_hand_made_version_bump_is_tagged_on_the_commit_that_made_it() {
    let p = ready();
    let text = p.read("backend/pyproject.toml");
    assert!(text.contains("version = \"0.1.0\""), "{text}");
    let mut bumped = Vec::new();
    for path in p.xtask(&["--json", "version"]).code(0).json()["sources"].as_array().unwrap() {
        bumped.push(path["file"].as_str().unwrap().to_string());
    }
    for file in &bumped {
        let text = p.read(file).replacen("0.1.0", "0.2.0", 1);
        p.write(file, text);
    }
    let bump = p.commit_all("build: version 0.2.0");
    p.change("docs: after the bump");
    let run = p.release(&["--tag-merged"]);
    run.code(0);
    assert_eq!(tagged_commit(&p, "v0.2.0"), bump, "{run}");
}

#[test]
fn nothing_to_tag_is_exit_0_and_changes_nothing() {
    let p = ready();
    let snapshot = p.snapshot();
    let run = p.release(&["--tag-merged", "--push"]);
    run.code(0);
    assert!(run.stdout.contains("nothing to tag: main holds 0.1.0, which is tagged v0.1.0 already"), "{run}");
    assert_same(&snapshot, &p.snapshot());
}

#[test]
fn a_branch_that_exists_already_is_refused_before_anything_is_written() {
    let p = ready();
    p.git(&["branch", BRANCH]);
    let snapshot = p.snapshot();
    let run = p.release(&["minor", "--branch", "--no-verify"]);
    run.code(2);
    assert!(run.stderr.contains(&format!("branch {BRANCH} already exists")), "{run}");
    assert_same(&snapshot, &p.snapshot());
    p.git(&["branch", "-D", BRANCH]);
    p.git(&["push", "-q", "origin", &format!("main:refs/heads/{BRANCH}")]);
    let run = p.release(&["minor", "--branch", "--push", "--no-verify"]);
    run.code(2);
    assert!(run.stderr.contains(&format!("origin already has a branch {BRANCH}")), "{run}");
}

#[test]
fn a_branch_release_killed_at_any_point_aborts_to_before_and_resumes_to_the_uninterrupted_result() {
    let base = ready();
    let args = ["release", "minor", "--branch", "--no-verify"];
    let plan =
        base.xtask(&["--json", "release", "minor", "--branch", "--no-verify", "--dry-run"]).code(0).json()["plan"]
            .clone();
    let writes = steps(&plan).iter().filter(|k| *k == "write").count();
    let mut points = vec!["after-journal:1".to_string(), "after-branch-ref:1".into(), "after-branch:1".into()];
    points.extend((1..=writes).map(|n| format!("before-rename:{n}")));
    points.extend((1..=writes).map(|n| format!("after-write:{n}")));
    points.extend(["after-stage:1".to_string(), "after-commit:1".into()]);
    let before = base.snapshot();
    let twin = base.duplicate();
    twin.xtask(&args).code(0);
    let done = twin.snapshot();
    for point in &points {
        let p = base.duplicate();
        for (verb, expected) in [("--abort", &before), ("--resume", &done)] {
            let run = p.xtask_with(&args, |cmd| {
                cmd.env("XTASK_FAULT", point);
            });
            assert_eq!(run.code, -1, "killed at {point}\n{run}");
            assert!(p.journal().is_some(), "killed at {point}: the journal is left");
            p.release(&[verb]).code(0);
            assert_same(expected, &p.snapshot());
            assert!(p.journal().is_none(), "{point} {verb}: the journal is gone");
        }
    }
}

#[test]
fn a_tag_merged_run_killed_midway_aborts_to_before_and_resumes_to_the_tag() {
    let base = ready();
    base.release(&["minor", "--branch", "--no-verify"]).code(0);
    base.tick();
    base.git(&["switch", "-q", "main"]);
    base.git(&["merge", "-q", "--no-ff", "-m", "Merge pull request #1", BRANCH]);
    let release_commit = base.git(&["rev-parse", BRANCH]);
    let before = base.snapshot();
    let twin = base.duplicate();
    twin.release(&["--tag-merged"]).code(0);
    let done = twin.snapshot();
    for point in ["after-journal:1", "after-tag:1"] {
        let p = base.duplicate();
        for (verb, expected) in [("--abort", &before), ("--resume", &done)] {
            let run = p.xtask_with(&["release", "--tag-merged"], |cmd| {
                cmd.env("XTASK_FAULT", point);
            });
            assert_eq!(run.code, -1, "killed at {point}\n{run}");
            let run = p.release(&[verb]);
            run.code(0);
            assert_same(expected, &p.snapshot());
        }
        assert_eq!(tagged_commit(&p, "v0.2.0"), release_commit);
    }
}

#[test]
fn a_refused_push_of_the_release_branch_keeps_it_here_and_says_how_to_push_it() {
    use std::os::unix::fs::PermissionsExt;
    let p = ready();
    let hook = p.remote.path().join("hooks/pre-receive");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, "#!/bin/sh\necho 'protected by policy' >&2\nexit 1\n").unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let remote = p.remote_refs();
    let run = p.release(&["minor", "--branch", "--push", "--no-verify"]);
    run.code(3);
    assert!(run.stderr.contains(&format!("the push of {BRANCH} to origin failed")), "{run}");
    assert!(run.stderr.contains(&format!("git push --set-upstream origin refs/heads/{BRANCH}")), "{run}");
    assert_eq!(p.remote_refs(), remote, "nothing reached the remote");
    assert_eq!(p.git(&["symbolic-ref", "--short", "HEAD"]), BRANCH, "the release branch is kept here");
    assert_eq!(p.subject(), "chore(release): v0.2.0");
    assert!(p.journal().is_none(), "the local part is complete: no journal waits");
    std::fs::remove_file(&hook).unwrap();
    p.git(&["push", "-q", "--set-upstream", "origin", &format!("refs/heads/{BRANCH}")]);
    assert!(p.remote_refs().contains(BRANCH));
}
