//! A dry run in a shallow clone changes nothing, not even by fetching: no ref (no tag), no
//! file, no object, the same `.git/shallow`; it says what the real run will fetch. The real
//! run deepens the clone until the previous release tag is reachable.

mod release_common;
mod support;

use support::{TestRepo, assert_same};

/// What a fetch would change besides the work tree, refs and index: the shallow boundary and
/// the objects.
fn git_state(repo: &TestRepo) -> (String, String) {
    let shallow = std::fs::read_to_string(repo.path(".git/shallow")).unwrap_or_default();
    let objects = repo.git(&["count-objects", "-v"]);
    (shallow, objects)
}

#[test]
fn a_dry_run_in_a_shallow_clone_fetches_nothing_and_says_what_the_real_run_will() {
    let (_p, clone, _url) = release_common::shallow_clone();
    let before = clone.snapshot();
    let state = git_state(&clone);
    assert!(!before.refs.contains("refs/tags/"), "the shallow clone holds no tag\n{:?}", before);
    for args in [
        &["release", "patch", "--dry-run", "--no-verify"][..],
        &["--json", "release", "auto", "--dry-run", "--no-verify"],
    ] {
        let run = clone.xtask(args);
        run.code(0);
        assert!(run.stderr.contains("shallow clone: no release tag is reachable"), "{run}");
        assert!(
            run.stderr.contains("git fetch --tags --deepen=N origin") && run.stderr.contains("--unshallow"),
            "{run}"
        );
        assert_same(&before, &clone.snapshot());
        assert_eq!(git_state(&clone), state, "no object fetched and the same shallow boundary\n{run}");
    }
    // With --push too (its checks read the remote with ls-remote only).
    let run = clone.xtask(&["release", "patch", "--push", "--dry-run", "--no-verify"]);
    run.code(0);
    assert_same(&before, &clone.snapshot());
    assert_eq!(git_state(&clone), state);

    // The real run fetches what the dry run announced and finds the previous release.
    let run = clone.xtask(&["--json", "release", "patch", "--no-verify"]);
    run.code(0);
    assert_eq!(run.json()["plan"]["previous_tag"], "v0.1.0");
}
