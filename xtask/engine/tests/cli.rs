//! The command line as a user meets it: help, bad arguments, roots that are not repositories.

mod support;

use support::TestRepo;

#[test]
fn bad_arguments_exit_2() {
    let repo = TestRepo::new();
    let run = repo.xtask(&["quality-check", "--no-such-flag"]);
    run.code(2);
    assert!(run.stderr.contains("--no-such-flag"), "{run}");
}

#[test]
fn a_missing_root_is_exit_2_naming_it() {
    let repo = TestRepo::plain();
    let missing = repo.path("nope");
    let run = repo.xtask_with(&["version"], |cmd| {
        // The last --root wins with clap; point it at a folder that does not exist.
        cmd.arg("--root").arg(&missing);
    });
    run.code(2);
    assert!(run.stderr.contains("nope"), "{run}");
}

#[test]
fn a_broken_config_names_file_line_and_fix() {
    let repo = TestRepo::new();
    repo.write("xtask.toml", "[release]\ntag-prefix = \"v\"\nbranchs = [\"main\"]\n");
    let run = repo.xtask(&["version"]);
    run.code(2);
    assert!(run.stderr.contains("xtask.toml"), "{run}");
    assert!(run.stderr.contains("line 3"), "{run}");
    assert!(run.stderr.contains("branchs"), "{run}");
}

#[test]
fn json_errors_are_json() {
    let repo = TestRepo::new();
    repo.write("xtask.toml", "[nope]\n");
    let run = repo.xtask(&["--json", "version"]);
    run.code(2);
    let doc = run.json();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["exit_code"], 2);
}

#[test]
fn resume_and_abort_take_no_release_flags() {
    // The journal holds the whole plan (push and signing included): a flag beside --resume
    // or --abort would be silently ignored, so it is refused instead.
    let repo = TestRepo::new();
    for args in
        [["release", "--resume", "--push"], ["release", "--abort", "--sign"], ["release", "--resume", "--no-verify"]]
    {
        let run = repo.xtask(&args);
        run.code(2);
        assert!(run.stderr.contains("cannot be used with"), "{run}");
    }
}
