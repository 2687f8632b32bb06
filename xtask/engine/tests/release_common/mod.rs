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
