//! Shared by the release scenario tests: the Lot Genius fixture released once as v0.1.0, with
//! a local bare repository as its `origin`, and helpers for hooks, journals and golden files.
#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::support::{Run, TestRepo};

/// The fixture at v0.1.0 (tagged), pushed to a bare `origin`.
pub struct Project {
    pub repo: TestRepo,
    pub remote: tempfile::TempDir,
}

impl std::ops::Deref for Project {
    type Target = TestRepo;
    fn deref(&self) -> &TestRepo {
        &self.repo
    }
}

pub fn lot_genius() -> Project {
    let repo = TestRepo::from_fixture("lot-genius");
    // Named, so that plans do not carry the temp folder's name.
    repo.write("xtask.toml", "[release]\nname = \"lot-genius\"\n");
    repo.commit_all("chore: name the project");
    repo.tag("v0.1.0");
    let remote = tempfile::tempdir().unwrap();
    repo.git(&["init", "-q", "--bare", "-b", "main", remote.path().to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main", "v0.1.0"]);
    Project { repo, remote }
}

impl Project {
    /// git in the bare remote.
    pub fn remote_git(&self, args: &[&str]) -> String {
        let mut all = vec!["--git-dir", self.remote.path().to_str().unwrap()];
        all.extend_from_slice(args);
        self.repo.git(&all)
    }

    /// The remote's refs as `name hash` lines.
    pub fn remote_refs(&self) -> String {
        self.remote_git(&["for-each-ref", "--format=%(refname) %(objectname)"])
    }

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

    /// Install an executable hook script in `.git/hooks`.
    pub fn hook(&self, name: &str, script: &str) {
        let path = self.repo.path(".git/hooks").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    pub fn remove_hook(&self, name: &str) {
        std::fs::remove_file(self.repo.path(".git/hooks").join(name)).unwrap();
    }

    /// The journal of an interrupted release, if one is there.
    pub fn journal(&self) -> Option<serde_json::Value> {
        let text = std::fs::read_to_string(self.repo.path(".git/xtask/release.json")).ok()?;
        Some(serde_json::from_str(&text).unwrap())
    }

    /// HEAD's subject line.
    pub fn subject(&self) -> String {
        self.repo.git(&["log", "-1", "--format=%s"])
    }

    /// The tags in version order (pre-releases before their release).
    pub fn tags(&self) -> Vec<String> {
        self.repo
            .git(&["-c", "versionsort.suffix=-", "tag", "--list", "--sort=v:refname"])
            .lines()
            .map(str::to_string)
            .collect()
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
