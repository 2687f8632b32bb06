//! The executor on plans other than a release's: undoing a release is just another plan
//! (restore the files, move the branch back, delete the tag), and a failure in such a plan
//! restores the repository as well (the tag recreated, the branch moved forward again).
//!
//! These call the library (`polyrelease::apply`) directly; the plans need no git identity.

mod release_common;
mod support;

use polyrelease::apply::{self, Lock};
use polyrelease::output::Ui;
use polyrelease::plan::{Bytes, FileChange, Plan, Role, Step};
use polyrelease::repo::Repo;
use release_common::{Project, lot_genius};
use support::assert_same;

/// A plan that takes the newest release (HEAD, tag v0.2.0) away, plus `extra` steps.
fn undo_plan(p: &Project, extra: Vec<Step>) -> Plan {
    let head = p.git(&["rev-parse", "HEAD"]);
    let parent = p.git(&["rev-parse", "HEAD~1"]);
    let mut steps = Vec::new();
    for path in p.git(&["diff", "--name-only", "HEAD~1", "HEAD"]).lines() {
        let old = p.git_output(&["show", &format!("HEAD~1:{path}")]).stdout;
        steps.push(Step::Write(FileChange {
            path: path.to_string(),
            role: Role::Restore,
            before: Some(Bytes(std::fs::read(p.path(path)).unwrap())),
            after: Some(Bytes(old)),
            executable: false,
            symlink: false,
            was_symlink: false,
        }));
    }
    steps.push(Step::Reset { to: parent });
    steps.push(Step::DeleteTag { name: "v0.2.0".into(), object: p.git(&["rev-parse", "refs/tags/v0.2.0"]) });
    steps.extend(extra);
    Plan {
        command: "rollback --undo".into(),
        project: "lot-genius".into(),
        from: Some("0.2.0".into()),
        version: "0.1.0".into(),
        branch: "main".into(),
        head,
        previous_tag: None,
        date: "2026-01-01".into(),
        gates: vec![],
        notes: String::new(),
        releases: Vec::new(),
        steps,
    }
}

fn released() -> (Project, support::Snapshot) {
    let p = lot_genius();
    p.change("feat: lots");
    let before = p.snapshot();
    p.release(&["minor", "--no-verify"]).code(0);
    (p, before)
}

#[test]
fn undoing_a_release_is_a_plan_of_writes_a_reset_and_a_tag_deletion() {
    let (p, before) = released();
    let plan = undo_plan(&p, vec![]);
    let repo = Repo::open(Some(p.root())).unwrap();
    let lock = Lock::acquire(&repo.git_dir().unwrap()).unwrap();
    apply::execute(&repo, &plan, &Ui::plain(), &lock).unwrap();
    assert_same(&before, &p.snapshot());
    assert!(p.journal().is_none());
}

#[test]
fn a_failure_in_such_a_plan_puts_the_release_back() {
    let (p, _) = released();
    let after_release = p.snapshot();
    p.hook("pre-commit", "#!/bin/sh\nexit 1\n");
    let commit = Step::Commit { message: "chore: never made".into(), paths: vec!["CHANGELOG.md".into()], tree: None };
    let plan = undo_plan(&p, vec![commit]);
    let repo = Repo::open(Some(p.root())).unwrap();
    let lock = Lock::acquire(&repo.git_dir().unwrap()).unwrap();
    let err = apply::execute(&repo, &plan, &Ui::plain(), &lock).unwrap_err();
    assert_eq!(polyrelease::error::exit_code_of(&err), 3, "{err:#}");
    assert!(format!("{err:#}").contains("the repository was restored"), "{err:#}");
    assert_same(&after_release, &p.snapshot());
    assert_eq!(p.git(&["cat-file", "-t", "v0.2.0"]), "tag", "the annotated tag object is back");
}

#[test]
fn a_stale_plan_is_refused_before_anything_changes() {
    let (p, _) = released();
    let plan = undo_plan(&p, vec![]);
    p.change("fix: after the plan was made");
    let before = p.snapshot();
    let repo = Repo::open(Some(p.root())).unwrap();
    let lock = Lock::acquire(&repo.git_dir().unwrap()).unwrap();
    let err = apply::execute(&repo, &plan, &Ui::plain(), &lock).unwrap_err();
    assert_eq!(polyrelease::error::exit_code_of(&err), 2, "{err:#}");
    assert!(format!("{err:#}").contains("changed since the plan was made"), "{err:#}");
    assert_same(&before, &p.snapshot());
    assert!(p.journal().is_none());
}
