//! A kill at every step boundary of a release and of a rollback with deletions (after the
//! journal, before every rename, between removing a file and renaming its new bytes in, after
//! every write, between staging and committing, after the commit, after the tag): `release --abort` then gives back the repository as it was, byte for
//! byte, and, killed again at the same point, `release --resume` gives exactly what the
//! uninterrupted run gives. No temporary file is left either way.

mod release_common;
mod rollback_common;
mod support;

use support::assert_same;
use support::origin::Project;

/// Every fault point a run of `plan` passes, in order.
fn points(plan: &serde_json::Value) -> Vec<String> {
    let steps = plan["steps"].as_array().expect("steps");
    let writes: Vec<&serde_json::Value> = steps.iter().filter(|s| s["step"] == "write").collect();
    let renames = writes.iter().filter(|w| !w["after"].is_null()).count();
    let mut points = vec!["after-journal:1".to_string()];
    for n in 1..=renames {
        points.push(format!("before-rename:{n}"));
        points.push(format!("after-unlink:{n}"));
    }
    points.extend((1..=writes.len()).map(|n| format!("after-write:{n}")));
    for kind in ["commit", "tag"] {
        if steps.iter().any(|s| s["step"] == kind) {
            if kind == "commit" {
                points.push("after-stage:1".into());
            }
            points.push(format!("after-{kind}:1"));
        }
    }
    points
}

/// Kill the run of `args` at `point`, abort, check; kill it again, resume, check.
fn kill_abort_resume(base: &Project, args: &[&str], points: &[String]) {
    let before = base.snapshot();
    let twin = base.duplicate();
    twin.xtask(args).code(0);
    let done = twin.snapshot();
    for point in points {
        eprintln!("fault point {point}");
        let p = base.duplicate();
        for (verb, expected) in [("--abort", &before), ("--resume", &done)] {
            let run = p.xtask_with(args, |cmd| {
                cmd.env("XTASK_FAULT", point);
            });
            assert_eq!(run.code, -1, "killed at {point}\n{run}");
            assert!(p.journal().is_some(), "killed at {point}: the journal is left");
            let run = p.xtask(&["release", verb]);
            run.code(0);
            assert_same(expected, &p.snapshot());
            assert!(p.journal().is_none(), "{point} {verb}: the journal is gone");
            assert!(
                !std::fs::read_dir(p.path(".git/xtask"))
                    .unwrap()
                    .any(|e| { e.unwrap().file_name().to_string_lossy().contains("xtask-tmp") })
            );
        }
        assert_eq!(p.git(&["rev-parse", "HEAD"]), twin.git(&["rev-parse", "HEAD"]), "{point}");
    }
}

fn plan_of(p: &Project, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    all.push("--dry-run");
    let run = p.xtask(&all);
    run.code(0);
    run.json()["plan"].clone()
}

#[test]
fn a_release_killed_at_any_point_aborts_to_before_and_resumes_to_the_uninterrupted_result() {
    let p = release_common::lot_genius();
    p.change("feat(api): estimate whole lots");
    let args = ["release", "minor", "--no-verify"];
    let points = points(&plan_of(&p, &args));
    assert_eq!(points.len(), 1 + 5 * 2 + 5 + 3, "{points:?}");
    kill_abort_resume(&p, &args, &points);
}

const ROLLBACK: [&str; 4] = ["rollback", "--reason", "checkout broken", "--no-verify"];

/// The rollback's points, `part` of three (the harness runs the parts side by side).
fn rollback_part(part: usize) {
    let p = rollback_common::with_bad_release("2.5.1");
    let plan = plan_of(&p, &ROLLBACK);
    let steps = plan["steps"].as_array().unwrap();
    let deletions = steps.iter().filter(|s| s["step"] == "write" && s["after"].is_null()).count();
    assert!(deletions >= 2, "the rollback deletes files\n{plan:#}");
    let points: Vec<String> = points(&plan).into_iter().skip(part).step_by(3).collect();
    kill_abort_resume(&p, &ROLLBACK, &points);
}

#[test]
fn a_rollback_with_deletions_killed_at_any_point_aborts_and_resumes_part_1() {
    rollback_part(0);
}

#[test]
fn a_rollback_with_deletions_killed_at_any_point_aborts_and_resumes_part_2() {
    rollback_part(1);
}

#[test]
fn a_rollback_with_deletions_killed_at_any_point_aborts_and_resumes_part_3() {
    rollback_part(2);
}
