//! Shared by the rollback scenario tests: the Lot Genius fixture with a binary file, two
//! scripts, a symbolic link and a page to rename, released as 2.5.0 and pushed to a local bare
//! `origin`; a bad release that adds, changes, deletes and renames files; tree comparisons.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;

pub use crate::support::origin::Project;
use crate::support::{Run, TestRepo};

/// The logo at 2.5.0 (not UTF-8, with a NUL) and after the bad release.
pub const LOGO_GOOD: &[u8] = &[0x89, b'P', b'N', b'G', 0x00, 0xff, 0x01, 0x02];
pub const LOGO_BAD: &[u8] = &[0x89, b'P', b'N', b'G', 0x00, 0xfe, 0x07];

/// The version files the fixture's sources and lockfile live in.
pub const SOURCES: [&str; 3] = ["backend/pyproject.toml", "backend/lotgenius/__init__.py", "frontend/package.json"];
pub const LOCKFILE: &str = "frontend/package-lock.json";

/// The project before its first release: the fixture plus the files the bad release will
/// touch, with `extra_config` appended to `xtask.toml`, pushed to `origin`.
pub fn unreleased(extra_config: &str) -> Project {
    let repo = TestRepo::from_fixture("lot-genius");
    repo.write("xtask.toml", format!("[release]\nname = \"lot-genius\"\n{extra_config}"));
    repo.write("assets/logo.png", LOGO_GOOD);
    repo.write("scripts/deploy.sh", "#!/bin/sh\necho deploy\n");
    chmod(&repo, "scripts/deploy.sh", 0o755);
    repo.write("scripts/check.sh", "#!/bin/sh\necho check\n");
    repo.write("docs/checkout.md", "# Checkout\n\nHow the checkout works.\n");
    std::os::unix::fs::symlink("GETTING_STARTED.md", repo.path("docs/latest.md")).unwrap();
    repo.commit_all("feat: assets, scripts and the checkout page");
    Project::with_origin(repo, &["main"])
}

/// Released and pushed as 2.5.0.
pub fn released() -> Project {
    let p = unreleased("");
    p.xtask(&["release", "2.5.0", "--no-verify", "--push"]).code(0);
    p
}

/// Released 2.5.0, then the bad release `version` (pushed).
pub fn with_bad_release(version: &str) -> Project {
    let p = released();
    p.bad_release(version);
    p
}

pub fn chmod(repo: &TestRepo, rel: &str, mode: u32) {
    std::fs::set_permissions(repo.path(rel), std::fs::Permissions::from_mode(mode)).unwrap();
}

impl Project {
    /// A release that adds, changes, deletes and renames files (a binary, two executable
    /// bits, a symbolic link, a dependency in a version source), pushed.
    pub fn bad_release(&self, version: &str) {
        self.write("assets/logo.png", LOGO_BAD);
        chmod(self, "scripts/deploy.sh", 0o644);
        chmod(self, "scripts/check.sh", 0o755);
        std::fs::create_dir_all(self.path("docs/guide")).unwrap();
        self.git(&["mv", "docs/checkout.md", "docs/guide/checkout.md"]);
        std::fs::remove_file(self.path("docs/latest.md")).unwrap();
        std::os::unix::fs::symlink("README.md", self.path("docs/latest.md")).unwrap();
        self.git(&["rm", "-q", "docs/operations/release.md"]);
        self.write("backend/lotgenius/checkout.py", "def pay():\n    return 'broken'\n");
        self.write("newdir/nested/flow.txt", "new flow\n");
        let pyproject =
            self.read("backend/pyproject.toml").replace("dependencies = []", "dependencies = [\"requests\"]");
        self.write("backend/pyproject.toml", pyproject);
        self.commit_all("fix(checkout): the new checkout flow");
        self.xtask(&["release", version, "--no-verify", "--push"]).code(0);
    }

    /// `xtask rollback ARGS`.
    pub fn rollback(&self, args: &[&str]) -> Run {
        let mut all = vec!["rollback"];
        all.extend_from_slice(args);
        self.xtask(&all)
    }

    /// `git show REV:PATH` as bytes.
    pub fn show(&self, rev: &str, path: &str) -> Vec<u8> {
        self.git_output(&["show", &format!("{rev}:{path}")]).stdout
    }

    pub fn show_text(&self, rev: &str, path: &str) -> String {
        String::from_utf8(self.show(rev, path)).unwrap()
    }

    /// `git ls-tree -r REV`: path -> (mode, object).
    pub fn tree(&self, rev: &str) -> BTreeMap<String, (String, String)> {
        self.git(&["ls-tree", "-r", rev])
            .lines()
            .map(|line| {
                let (meta, path) = line.split_once('\t').unwrap();
                let mut parts = meta.split(' ');
                let mode = parts.next().unwrap().to_string();
                let object = parts.nth(1).unwrap().to_string();
                (path.to_string(), (mode, object))
            })
            .collect()
    }

    /// The paths whose mode or content differ between two trees (either side missing too).
    pub fn tree_differences(&self, a: &str, b: &str) -> Vec<String> {
        let (ta, tb) = (self.tree(a), self.tree(b));
        let mut paths: Vec<String> = ta.keys().chain(tb.keys()).filter(|p| ta.get(*p) != tb.get(*p)).cloned().collect();
        paths.sort();
        paths.dedup();
        paths
    }

    /// What a path of the work tree is: `file`, `exec` or `link -> TARGET`; `-` when missing.
    pub fn kind(&self, rel: &str) -> String {
        match std::fs::symlink_metadata(self.path(rel)) {
            Err(_) => "-".into(),
            Ok(m) if m.file_type().is_symlink() => {
                format!("link -> {}", std::fs::read_link(self.path(rel)).unwrap().display())
            }
            Ok(m) if m.is_dir() => "dir".into(),
            Ok(m) if m.permissions().mode() & 0o111 != 0 => "exec".into(),
            Ok(_) => "file".into(),
        }
    }
}
