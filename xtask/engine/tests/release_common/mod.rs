//! Shared by the release scenario tests: the Lot Genius fixture released once as v0.1.0, with
//! a local bare repository as its `origin` (see `support::origin`), and helpers for commits,
//! release runs and golden files.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub use crate::support::origin::Project;
use crate::support::{Run, TestRepo};

pub fn lot_genius() -> Project {
    let repo = TestRepo::from_fixture("lot-genius");
    // Named, so that plans do not carry the temp folder's name.
    repo.write("xtask.toml", "[release]\nname = \"lot-genius\"\n");
    repo.commit_all("chore: name the project");
    repo.tag("v0.1.0");
    Project::with_origin(repo, &["main", "v0.1.0"])
}

/// Eight fixes since v0.1.0, pushed, and a `--depth 1` clone of the remote (which holds no
/// tag); with the remote's `file://` URL, for more clones.
pub fn shallow_clone() -> (Project, TestRepo, String) {
    let p = lot_genius();
    for i in 0..8 {
        p.change(&format!("fix: step {i}"));
    }
    p.git(&["push", "-q", "origin", "main"]);
    let clone = TestRepo::plain();
    let url = format!("file://{}", p.remote.path().display());
    clone.git(&["clone", "-q", "--depth", "1", &url, "."]);
    assert_eq!(clone.git(&["rev-parse", "--is-shallow-repository"]), "true");
    (p, clone, url)
}

/// The Lot Genius project with one feature since v0.1.0: `release minor` makes 0.2.0.
pub fn ready() -> Project {
    let p = lot_genius();
    p.change("feat(api): estimate whole lots");
    p
}

/// Run the xtask `args` killed (SIGKILL) at the fault point `point` (see `apply/fault.rs`).
#[track_caller]
pub fn killed_at(p: &Project, args: &[&str], point: &str) {
    let run = p.xtask_with(args, |cmd| {
        cmd.env("XTASK_FAULT", point);
    });
    assert_eq!(run.code, -1, "the process was killed by a signal\n{run}");
    assert!(p.journal().is_some(), "a killed run leaves its journal");
}

impl Project {
    /// A commit that changes a file, with a Conventional Commits message.
    pub fn change(&self, message: &str) -> String {
        let n = self.repo.git(&["rev-list", "--count", "HEAD"]);
        self.repo.write(&format!("docs/notes-{n}.md"), format!("{message}\n"));
        self.repo.commit_all(message)
    }

    /// `xtask release ARGS`.
    pub fn release(&self, args: &[&str]) -> Run {
        let mut all = vec!["release"];
        all.extend_from_slice(args);
        self.repo.xtask(&all)
    }
}

/// The version the dry-run JSON plan of `args` would release (the dry run changes nothing).
pub fn planned_version(project: &Project, args: &[&str]) -> String {
    let mut all = vec!["--json", "release", "--dry-run", "--no-verify"];
    all.extend_from_slice(args);
    let before = project.repo.snapshot();
    let run = project.repo.xtask(&all);
    run.code(0);
    crate::support::assert_same(&before, &project.repo.snapshot());
    run.json()["plan"]["version"].as_str().unwrap().to_string()
}

/// Compare `actual` with the golden file `tests/golden/release/NAME`; `UPDATE_GOLDEN=1`
/// rewrites it.
#[track_caller]
pub fn golden(name: &str, actual: &str) {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/release").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 creates it)", path.display()));
    assert_eq!(actual, expected, "{} differs (UPDATE_GOLDEN=1 rewrites it)", path.display());
}
