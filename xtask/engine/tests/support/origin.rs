//! A test repository with a local bare `origin`, and what the release and rollback scenarios
//! read back from both: remote refs, the journal, the last subject, the tags, hooks.

use std::os::unix::fs::PermissionsExt;

use super::TestRepo;

/// A repository and its bare `origin`.
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

impl Project {
    /// `repo` with a new bare `origin` (branch `main`), and `refs` pushed to it.
    pub fn with_origin(repo: TestRepo, refs: &[&str]) -> Project {
        let remote = tempfile::tempdir().unwrap();
        repo.git(&["init", "-q", "--bare", "-b", "main", remote.path().to_str().unwrap()]);
        repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
        let mut push = vec!["push", "-q", "origin"];
        push.extend_from_slice(refs);
        repo.git(&push);
        Project { repo, remote }
    }

    /// A copy of the repository and of its remote, the copy's `origin` being the remote's copy.
    pub fn duplicate(&self) -> Project {
        let repo = self.repo.duplicate();
        let remote = tempfile::tempdir().unwrap();
        super::copy_exactly(self.remote.path(), remote.path());
        repo.git(&["remote", "set-url", "origin", remote.path().to_str().unwrap()]);
        Project { repo, remote }
    }

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

    /// The journal of an interrupted release or rollback, if one is there.
    pub fn journal(&self) -> Option<serde_json::Value> {
        let text = std::fs::read_to_string(self.repo.path(".git/xtask/release.json")).ok()?;
        Some(serde_json::from_str(&text).unwrap())
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
}
