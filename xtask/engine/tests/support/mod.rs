//! The scenario-test harness: real git repositories in temp dirs, the real binary, and
//! failure messages that show the command, the directory and what it printed.
#![allow(dead_code)]

pub mod origin;
pub mod shop;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

/// A git repository (or a plain folder) in a temp dir, with pinned identity and dates.
pub struct TestRepo {
    dir: tempfile::TempDir,
    /// Where the test's git configuration lives (GIT_CONFIG_GLOBAL).
    home: tempfile::TempDir,
    clock: AtomicU64,
}

/// What one run of the binary did.
pub struct Run {
    pub args: Vec<String>,
    pub dir: PathBuf,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "command: xtask {}", self.args.join(" "))?;
        writeln!(f, "root:    {}", self.dir.display())?;
        writeln!(f, "exit:    {}", self.code)?;
        writeln!(f, "--- stdout ---\n{}", self.stdout)?;
        writeln!(f, "--- stderr ---\n{}", self.stderr)
    }
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Run {
    /// Assert the exit code, printing everything when it differs.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Run {
        assert_eq!(self.code, expected, "unexpected exit code\n{self}");
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{self}"))
    }
}

/// The start of the pinned clock: 2026-01-01T00:00:00Z.
pub const EPOCH: u64 = 1_767_225_600;

/// The path of the fixture folder `name` under `xtask/tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

impl TestRepo {
    /// A fresh git repository on branch `main`, no commits.
    pub fn new() -> TestRepo {
        let repo = TestRepo::plain();
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// A plain folder (no git).
    pub fn plain() -> TestRepo {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join("gitconfig"),
            "[user]\n\tname = Test Author\n\temail = author@example.com\n[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n[tag]\n\tgpgsign = false\n[advice]\n\tdetachedHead = false\n",
        )
        .unwrap();
        TestRepo { dir: tempfile::tempdir().unwrap(), home, clock: AtomicU64::new(EPOCH) }
    }

    /// A git repository holding a copy of the fixture `name`, committed once.
    pub fn from_fixture(name: &str) -> TestRepo {
        let repo = TestRepo::new();
        copy_tree(&fixture(name), repo.root());
        repo.commit_all("chore: initial import");
        repo
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A copy of this repository (every file, `.git` included, links and modes kept) with the
    /// same configuration and clock, so that the same commands make the same commits in it.
    pub fn duplicate(&self) -> TestRepo {
        let copy = TestRepo::plain();
        copy_exactly(self.root(), copy.root());
        copy_exactly(self.home.path(), copy.home.path());
        copy.clock.store(self.clock.load(Ordering::SeqCst), Ordering::SeqCst);
        copy
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The environment every git and xtask process of this test gets.
    pub fn env(&self, cmd: &mut Command) {
        let now = self.clock.load(Ordering::SeqCst);
        let date = format!("{now} +0000");
        cmd.env("GIT_CONFIG_GLOBAL", self.home.path().join("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("HOME", self.home.path())
            .env("SOURCE_DATE_EPOCH", now.to_string())
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_ACTIONS")
            .env_remove("GITHUB_STEP_SUMMARY")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            // The bundle signing settings of whoever runs the tests.
            .env_remove("XTASK_SIGNING_KEY")
            .env_remove("XTASK_ALLOWED_SIGNERS");
    }

    /// Move the pinned clock forward (one hour per commit by default).
    pub fn tick(&self) {
        self.clock.fetch_add(3600, Ordering::SeqCst);
    }

    /// Write a file (creating folders).
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> &TestRepo {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Run git in the repository; panics (with git's output) when it fails.
    #[track_caller]
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_output(args);
        assert!(
            out.status.success(),
            "git {} failed:\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim_end().to_string()
    }

    pub fn git_output(&self, args: &[&str]) -> std::process::Output {
        let mut cmd = Command::new("git");
        cmd.args(args).current_dir(self.root());
        self.env(&mut cmd);
        cmd.output().expect("git runs")
    }

    /// `git add -A && git commit -m msg`; returns the new commit's hash.
    pub fn commit_all(&self, msg: &str) -> String {
        self.tick();
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", msg]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// An annotated tag on HEAD.
    pub fn tag(&self, name: &str) {
        self.git(&["tag", "-a", name, "-m", &format!("Release {name}")]);
    }

    /// Run the xtask binary on this repository (`--root` is added).
    pub fn xtask(&self, args: &[&str]) -> Run {
        self.xtask_with(args, |_| {})
    }

    /// Run the binary with extra environment or settings.
    pub fn xtask_with(&self, args: &[&str], setup: impl FnOnce(&mut Command)) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_polyrelease"));
        cmd.arg("--root").arg(self.root()).args(args).current_dir(self.root());
        self.env(&mut cmd);
        setup(&mut cmd);
        let out = cmd.output().expect("the xtask binary runs");
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            dir: self.root().to_path_buf(),
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Run the binary in `cwd` without `--root`, as a person would: the root is whatever the
    /// binary finds from there. The environment is this repository's (identity, clock).
    pub fn xtask_in(&self, cwd: &Path, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_polyrelease"));
        cmd.args(args).current_dir(cwd);
        self.env(&mut cmd);
        let out = cmd.output().expect("the xtask binary runs");
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            dir: cwd.to_path_buf(),
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Everything that "the repository is as it was" means: every file of the work tree
    /// (bytes and executable bit), every ref, HEAD, the index and the stash.
    pub fn snapshot(&self) -> Snapshot {
        let mut files = BTreeMap::new();
        collect(self.root(), self.root(), &mut files);
        let refs = if self.path(".git").exists() {
            let out = self.git_output(&["for-each-ref", "--format=%(refname) %(objectname)"]);
            let head = self.git_output(&["symbolic-ref", "-q", "HEAD"]);
            let index = self.git_output(&["ls-files", "--stage"]);
            format!(
                "{}\nHEAD={}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&head.stdout),
                String::from_utf8_lossy(&index.stdout)
            )
        } else {
            String::new()
        };
        Snapshot { files, refs }
    }
}

/// A comparable picture of a repository.
#[derive(PartialEq, Eq)]
pub struct Snapshot {
    pub files: BTreeMap<String, (bool, Vec<u8>)>,
    pub refs: String,
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (path, (exec, bytes)) in &self.files {
            writeln!(f, "{path}{} ({} bytes)", if *exec { " [x]" } else { "" }, bytes.len())?;
        }
        writeln!(f, "{}", self.refs)
    }
}

/// Assert two snapshots are equal, naming the first file that differs.
#[track_caller]
pub fn assert_same(before: &Snapshot, after: &Snapshot) {
    for (path, value) in &before.files {
        match after.files.get(path) {
            None => panic!("{path} was removed"),
            Some(v) if v != value => panic!(
                "{path} changed:\n--- before\n{}\n--- after\n{}",
                String::from_utf8_lossy(&value.1),
                String::from_utf8_lossy(&v.1)
            ),
            _ => {}
        }
    }
    for path in after.files.keys() {
        assert!(before.files.contains_key(path), "{path} was added");
    }
    assert_eq!(before.refs, after.refs, "refs, HEAD or the index changed");
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeMap<String, (bool, Vec<u8>)>) {
    use std::os::unix::fs::PermissionsExt;
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap()).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        if rel == ".git" {
            continue;
        }
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            collect(root, &path, out);
        } else if meta.file_type().is_symlink() {
            out.insert(rel, (false, std::fs::read_link(&path).unwrap().to_string_lossy().into_owned().into_bytes()));
        } else {
            let exec = meta.permissions().mode() & 0o111 != 0;
            out.insert(rel, (exec, std::fs::read(&path).unwrap()));
        }
    }
}

/// Copy everything in `from` into `to` (`cp -a`: links, modes and times kept).
pub fn copy_exactly(from: &Path, to: &Path) {
    let status = Command::new("cp").arg("-a").arg(format!("{}/.", from.display())).arg(to).status().unwrap();
    assert!(status.success(), "cp -a {} {} failed", from.display(), to.display());
}

/// Copy a folder tree (files and folders only).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// (gate, path, line, column) of every finding in a `quality-check --json` document.
pub fn findings(doc: &serde_json::Value) -> BTreeSet<(String, String, u64, u64)> {
    let mut set = BTreeSet::new();
    for gate in doc["gates"].as_array().expect("gates") {
        for f in gate["findings"].as_array().expect("findings") {
            set.insert((
                gate["name"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            ));
        }
    }
    set
}

/// The entry of gate `name` in a `quality-check --json` or `--list --json` document.
pub fn gate<'a>(doc: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    let gates = doc["gates"].as_array().expect("gates");
    gates.iter().find(|g| g["name"] == name).unwrap_or_else(|| panic!("no gate {name} in {doc:#}"))
}
