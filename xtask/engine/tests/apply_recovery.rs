//! Recovery never loses work that is not the run's: `--abort` after a kill refuses to take
//! away commits and tags made by hand since; a restore removes only the tag the run made
//! (recognised by object, not by name); a rollback killed while committing resumes; the
//! temporary file of a write killed before its rename is removed, and nobody else's; a stale
//! git lock is explained; Ctrl-C right after the journal, and a second Ctrl-C during the
//! restore, still end restored.

mod release_common;
mod rollback_common;
mod support;

use std::os::unix::fs::PermissionsExt;

use release_common::{killed_at, ready};
use support::assert_same;

const RELEASE: [&str; 3] = ["release", "minor", "--no-verify"];

#[test]
fn abort_refuses_to_take_away_a_commit_and_a_tag_made_by_hand_after_the_kill() {
    let p = ready();
    let before = p.snapshot();
    let head_before = p.git(&["rev-parse", "HEAD"]);
    killed_at(&p, &RELEASE, "after-write:2");
    // The user finishes by hand: commits what is there and tags it.
    p.git(&["commit", "-q", "-am", "chore: release by hand"]);
    p.git(&["tag", "v0.2.0"]);
    let mine = p.git(&["rev-parse", "HEAD"]);
    let by_hand = p.snapshot();
    let run = p.release(&["--abort"]);
    run.code(2);
    assert!(
        run.stderr.contains(&format!(
            "1 commit made on main after the interruption: {} chore: release by hand (tag: v0.2.0)",
            &mine[..7]
        )),
        "{run}"
    );
    assert!(run.stderr.contains("the journal .git/xtask/release.json is kept"), "{run}");
    assert_same(&by_hand, &p.snapshot());
    assert_eq!(p.git(&["rev-parse", "v0.2.0"]), mine, "the hand-made tag is untouched");
    // As the message says: keep the work on a branch, move main back, abort.
    p.git(&["branch", "keep-work", &mine]);
    p.git(&["reset", "-q", "--keep", &head_before]);
    let run = p.release(&["--abort"]);
    run.code(0);
    assert!(
        run.stdout.contains("kept what the release did not make: tag v0.2.0 (a lightweight tag on commit"),
        "{run}"
    );
    assert_eq!(p.git(&["rev-parse", "v0.2.0", "keep-work"]), format!("{mine}\n{mine}"));
    p.git(&["tag", "-d", "v0.2.0"]);
    p.git(&["branch", "-q", "-D", "keep-work"]);
    assert_same(&before, &p.snapshot());
}

#[test]
fn a_tag_a_hook_makes_during_the_run_survives_the_restore_and_is_never_taken_as_the_release_tag() {
    // A pre-commit hook tags HEAD and fails: the restore must not delete that tag.
    let p = ready();
    p.hook("pre-commit", "#!/bin/sh\ngit tag v0.2.0\nexit 1\n");
    let head = p.git(&["rev-parse", "HEAD"]);
    let run = p.release(&["minor", "--no-verify"]);
    run.code(3);
    assert!(run.stderr.contains("the repository was restored"), "{run}");
    assert!(
        run.stderr.contains("kept what the release did not make: tag v0.2.0 (a lightweight tag on commit"),
        "{run}"
    );
    assert_eq!(p.git(&["rev-parse", "v0.2.0"]), head, "the hook's tag survived");
    assert!(p.journal().is_none());

    // A post-commit hook makes a lightweight tag of the release's name on the release commit:
    // the release does not report it as its annotated tag; it fails, restores, keeps the tag.
    let p = ready();
    p.hook("post-commit", "#!/bin/sh\ngit tag v0.2.0\n");
    let before = p.snapshot();
    let run = p.release(&["minor", "--no-verify"]);
    run.code(3);
    assert!(!run.stdout.contains("released"), "{run}");
    assert!(
        run.stderr.contains("tag v0.2.0 exists and this run did not make it (a lightweight tag on commit"),
        "{run}"
    );
    assert_eq!(p.git(&["cat-file", "-t", "v0.2.0"]), "commit", "someone else's lightweight tag, kept");
    p.git(&["tag", "-d", "v0.2.0"]);
    assert_same(&before, &p.snapshot());
}

#[test]
fn resume_refuses_another_partys_tag_of_the_release_name() {
    let p = ready();
    killed_at(&p, &RELEASE, "after-commit:1");
    p.git(&["tag", "v0.2.0"]);
    let run = p.release(&["--resume"]);
    run.code(2);
    assert!(
        run.stderr.contains("tag v0.2.0 was made after the interruption by someone else (a lightweight tag"),
        "{run}"
    );
    assert_eq!(p.git(&["cat-file", "-t", "v0.2.0"]), "commit");
    assert!(p.journal().is_some());
    // Its owner deletes it: the resume makes the real, annotated tag.
    p.git(&["tag", "-d", "v0.2.0"]);
    p.release(&["--resume"]).code(0);
    assert_eq!(p.git(&["cat-file", "-t", "v0.2.0"]), "tag");
}

#[test]
fn a_rollback_killed_after_staging_its_deletions_resumes() {
    let args = ["rollback", "--reason", "checkout broken", "--no-verify"];
    let p = rollback_common::with_bad_release("2.5.1");
    let twin = p.duplicate();
    twin.xtask(&args).code(0);
    // Killed after the last write; then staged as the commit step does before `git commit`
    // (the kill between the two leaves exactly this).
    let writes = p.xtask(&["--json", "rollback", "--reason", "checkout broken", "--no-verify", "--dry-run"]).json()["plan"]
        ["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["step"] == "write")
        .count();
    killed_at(&p, &args, &format!("after-write:{writes}"));
    let journal = p.journal().unwrap();
    let paths: Vec<String> =
        journal["plan"]["steps"].as_array().unwrap().iter().find(|s| s["step"] == "commit").unwrap()["paths"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
    let mut add = vec!["add", "--all", "--"];
    add.extend(paths.iter().map(String::as_str));
    p.git(&add);
    let run = p.xtask(&["release", "--resume"]);
    run.code(0);
    assert_same(&twin.snapshot(), &p.snapshot());
}

#[test]
fn abort_and_resume_remove_the_temporary_file_of_a_write_killed_before_its_rename_and_nobody_elses() {
    let p = ready();
    // Someone's own file that merely looks like ours.
    p.write("docs/.draft.md.xtask-tmp", "mine\n");
    let before = p.snapshot();
    killed_at(&p, &RELEASE, "before-rename:2");
    let temps: Vec<String> = p
        .snapshot()
        .files
        .into_keys()
        .filter(|f| f.ends_with(".xtask-tmp") && f != "docs/.draft.md.xtask-tmp")
        .collect();
    let [temp] = &temps[..] else { panic!("one temporary file of the run: {temps:?}") };
    let tmp = p.path(temp);
    assert!(std::fs::read_to_string(&tmp).unwrap().contains("0.2.0"), "the new bytes wait beside the file");
    let target = temp.replacen(".xtask-tmp", "", 1).replace("/.", "/");
    let run = p.release(&["--abort"]);
    run.code(0);
    assert!(run.stderr.contains(&format!("removed the temporary file of {target}")), "{run}");
    assert_same(&before, &p.snapshot());
    assert_eq!(p.read("docs/.draft.md.xtask-tmp"), "mine\n");

    killed_at(&p, &RELEASE, "before-rename:2");
    p.release(&["--resume"]).code(0);
    assert!(!tmp.exists());
    assert_eq!(p.read("docs/.draft.md.xtask-tmp"), "mine\n");
    assert!(p.read(&target).contains("0.2.0"));

    // A file of that name that no interrupted run made is in the way: refused, kept.
    let p = ready();
    p.write("frontend/.package.json.xtask-tmp", "not the tool's\n");
    let before = p.snapshot();
    let run = p.release(&["minor", "--no-verify"]);
    run.code(2);
    assert!(run.stderr.contains("frontend/.package.json.xtask-tmp is in the way"), "{run}");
    assert_same(&before, &p.snapshot());
}

#[test]
fn a_stale_git_lock_is_explained_and_the_journal_kept() {
    let p = ready();
    let before = p.snapshot();
    killed_at(&p, &RELEASE, "after-write:2");
    let midway = p.snapshot();
    for lock in [".git/index.lock", ".git/HEAD.lock"] {
        std::fs::write(p.path(lock), "").unwrap();
        for verb in ["--abort", "--resume"] {
            let run = p.release(&[verb]);
            run.code(2);
            assert!(!run.stderr.contains("File exists"), "not git's raw message\n{run}");
            assert!(run.stderr.contains(&format!("git's lock file {lock} exists")), "{run}");
            assert!(run.stderr.contains("no git process is running in this repository now"), "{run}");
            assert!(run.stderr.contains(&format!("`rm {lock}`")) && run.stderr.contains(verb), "{run}");
            assert!(run.stderr.contains("the journal .git/xtask/release.json is kept"), "{run}");
            assert_same(&midway, &p.snapshot());
        }
        // A git still running here: the lock may be its own; wait for it.
        let mut git = std::process::Command::new("git");
        git.args(["hash-object", "--stdin"]).current_dir(p.root()).stdin(std::process::Stdio::piped());
        let mut git = git.stdout(std::process::Stdio::null()).spawn().unwrap();
        let run = p.release(&["--abort"]);
        run.code(2);
        assert!(
            run.stderr.contains(&format!("a git process is running in this repository (pid {})", git.id())),
            "{run}"
        );
        drop(git.stdin.take());
        git.wait().unwrap();
        std::fs::remove_file(p.path(lock)).unwrap();
    }
    p.release(&["--abort"]).code(0);
    assert_same(&before, &p.snapshot());
}

#[test]
fn ctrl_c_right_after_the_journal_is_written_restores_and_exits_3() {
    let p = ready();
    let before = p.snapshot();
    let run = p.xtask_with(&RELEASE, |cmd| {
        cmd.env("XTASK_FAULT", "after-journal:1").env("XTASK_FAULT_SIGNAL", "INT");
    });
    run.code(3);
    assert!(run.stderr.contains("interrupted by Ctrl-C"), "{run}");
    assert!(run.stderr.contains("the repository was restored"), "{run}");
    assert!(p.journal().is_none(), "no journal left behind");
    assert_same(&before, &p.snapshot());
}

#[test]
fn a_second_ctrl_c_during_the_restore_does_not_stop_it() {
    let p = ready();
    let marker = p.path(".git/first-ctrl-c");
    // The first Ctrl-C, as a terminal sends it, while the commit's hook runs.
    p.hook(
        "pre-commit",
        &format!(
            "#!/bin/sh\nxtask=$(ps -o ppid= -p \"$PPID\" | tr -d ' ')\ntouch '{}'\nkill -INT \"$PPID\" \"$xtask\"\n",
            marker.display()
        ),
    );
    // The second one arrives while the restore's first git runs: a `git` on PATH that, once
    // the first Ctrl-C happened, sends SIGINT to the whole foreground group of xtask (xtask is
    // its leader) and then does its work.
    let bin = p.path(".git/test-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let real_git =
        String::from_utf8(std::process::Command::new("sh").args(["-c", "command -v git"]).output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_string();
    let done = p.path(".git/second-ctrl-c");
    std::fs::write(
        bin.join("git"),
        format!(
            "#!/bin/sh\nif [ -f '{}' ] && [ ! -f '{}' ]; then touch '{}'; kill -INT -\"$PPID\"; sleep 0.2; fi\nexec '{real_git}' \"$@\"\n",
            marker.display(),
            done.display(),
            done.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(bin.join("git"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let before = p.snapshot();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let run = p.xtask_with(&RELEASE, |cmd| {
        use std::os::unix::process::CommandExt;
        cmd.env("PATH", &path).process_group(0);
    });
    assert!(done.exists(), "the second Ctrl-C was sent\n{run}");
    run.code(3);
    assert!(!run.stderr.contains("HEAD is detached"), "{run}");
    assert!(run.stderr.contains("interrupted by Ctrl-C"), "{run}");
    assert!(run.stderr.contains("the repository was restored"), "{run}");
    assert!(p.journal().is_none());
    assert_same(&before, &p.snapshot());
}
