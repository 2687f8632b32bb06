//! `quality-check --changed` on real repositories: only the gates that read a file changed since
//! the base run, the others are skipped with the reason, the base used is named; no base or a
//! bad one is exit 2 with nothing changed; `cached` and `skipped` in the GitHub job summary.

mod gate_cache_util;
mod support;

use std::path::Path;

use gate_cache_util::{Counter, check, entries, gate_json, small, status, statuses, tracked};
use support::{TestRepo, assert_same};

#[test]
fn changed_runs_only_the_gates_that_read_a_changed_file() {
    let counter = Counter::new();
    let project = tracked(&counter);
    let base = project.git(&["rev-parse", "HEAD"]);
    project.write("docs/guide.md", "# Guide\n\nNow longer.\n");
    let run = check(&project, &["--changed", "--no-cache"]);
    run.code(0);
    assert_eq!(status(&run, "ascii"), "passed", "{run}");
    assert_eq!(status(&run, "links"), "passed", "{run}");
    assert_eq!(status(&run, "lint"), "skipped", "{run}");
    let note = gate_json(&run, "lint")["note"].as_str().unwrap().to_string();
    assert_eq!(note, format!("--changed: reads none of the 1 files changed since {}", &base[..12]));
    let said = format!(
        "--changed: 1 files changed since {} (the merge base of HEAD and origin/main); 2 of 3 gates read them",
        &base[..12]
    );
    assert!(run.stderr.contains(&said), "{run}");
    assert_eq!(counter.runs("lint"), 0);
    // A commit on top changes nothing: the base is still the merge base with the upstream.
    project.write("backend/app.py", "x = 5\n");
    project.commit_all("fix: five");
    let run = check(&project, &["--changed"]);
    assert_eq!(status(&run, "lint"), "passed", "{run}");
    // An explicit base, and the configuration: every gate runs when xtask.toml changed.
    let run = check(&project, &["--changed", "HEAD"]);
    assert!(statuses(&run).iter().all(|(_, s)| s == "skipped"), "{run}");
    assert!(run.stderr.contains("--changed: 0 files changed since") && run.stderr.contains("(HEAD); 0 of 3"), "{run}");
    let config = project.read("xtask.toml");
    project.write("xtask.toml", format!("{config}\n# a comment\n"));
    let run = check(&project, &["--changed", "HEAD", "--no-cache"]);
    assert!(statuses(&run).iter().all(|(_, s)| s == "passed"), "{run}");
}

#[test]
fn changed_without_a_base_or_with_a_bad_one_changes_nothing() {
    let counter = Counter::new();
    let repo = small(&counter.gate("lint", "", "true"));
    let before = repo.snapshot();
    let run = repo.xtask(&["quality-check", "--changed"]);
    run.code(2);
    assert!(
        run.stderr.contains("--changed: the branch has no upstream and origin/HEAD does not exist")
            && run.stderr.contains("--changed main"),
        "{run}"
    );
    let run = repo.xtask(&["quality-check", "--changed", "no-such-branch"]);
    run.code(2);
    assert!(run.stderr.contains("--changed no-such-branch: not a commit of this repository"), "{run}");
    assert_same(&before, &repo.snapshot());
    assert_eq!(counter.runs("lint"), 0);
    assert!(entries(&repo).is_empty());
    let plain = TestRepo::plain();
    let run = plain.xtask(&["quality-check", "--changed"]);
    run.code(2);
    assert!(run.stderr.contains("--changed needs git"), "{run}");
}

#[test]
fn the_job_summary_shows_cached_and_skipped_gates() {
    let counter = Counter::new();
    let project = tracked(&counter);
    check(&project, &[]).code(0);
    project.write("docs/guide.md", "# Guide\n\nEdited.\n");
    let summary = tempfile::NamedTempFile::new().unwrap();
    let path: &Path = summary.path();
    let run = project.xtask_with(&["quality-check", "--changed"], |cmd| {
        cmd.env("GITHUB_ACTIONS", "true").env("GITHUB_STEP_SUMMARY", path);
    });
    run.code(0);
    let md = std::fs::read_to_string(path).unwrap();
    assert!(md.contains("| lint | skipped (--changed: reads none of the 1 files changed since "), "{md}");
    assert!(md.contains("| ascii | passed | 0 |"), "{md}");
    let run = project.xtask_with(&["quality-check"], |cmd| {
        cmd.env("GITHUB_ACTIONS", "true").env("GITHUB_STEP_SUMMARY", path);
    });
    run.code(0);
    let md = std::fs::read_to_string(path).unwrap();
    assert!(md.contains("| lint | cached (passed at "), "{md}");
}
