//! The git operations of releases and rollbacks: facts they check (identity, shallow history,
//! remote tags) and the few writes the executor makes (commit, tag, reset, push).

use anyhow::{Context, Result, bail};

use super::{GitOutput, Repo};

impl Repo {
    /// The commit HEAD points at; `None` on a branch with no commits yet.
    pub fn head_commit(&self) -> Result<Option<String>> {
        let out = self.git_output(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])?;
        Ok(out.success.then(|| out.stdout.trim().to_string()))
    }

    /// The commit a ref or revision points at (tags peeled); `None` when it does not exist.
    pub fn commit_of(&self, rev: &str) -> Result<Option<String>> {
        let out = self.git_output(["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])?;
        Ok(out.success.then(|| out.stdout.trim().to_string()))
    }

    /// The object a tag ref points at (the tag object of an annotated tag), if the tag exists.
    pub fn tag_object(&self, name: &str) -> Result<Option<String>> {
        let out = self.git_output(["rev-parse", "--verify", "--quiet", &format!("refs/tags/{name}")])?;
        Ok(out.success.then(|| out.stdout.trim().to_string()))
    }

    /// The first parent and the subject line of a commit.
    pub fn parent_and_subject(&self, commit: &str) -> Result<(Option<String>, String)> {
        let out = self.git(["log", "-1", "--format=%P%n%s", commit])?;
        let mut lines = out.lines();
        let parent = lines.next().and_then(|p| p.split_whitespace().next()).map(str::to_string);
        Ok((parent, lines.next().unwrap_or_default().to_string()))
    }

    /// `git var GIT_AUTHOR_IDENT` and `GIT_COMMITTER_IDENT`: `Err` with git's complaint when git
    /// has no identity to commit with.
    pub fn identity_problem(&self) -> Result<Option<String>> {
        for var in ["GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"] {
            let out = self.git_output(["var", var])?;
            if !out.success {
                let why = out.stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
                return Ok(Some(why.trim_start_matches("fatal: ").to_string()));
            }
        }
        Ok(None)
    }

    /// The URL of a remote, if it is configured.
    pub fn remote_url(&self, remote: &str) -> Result<Option<String>> {
        let out = self.git_output(["remote", "get-url", remote])?;
        Ok(out.success.then(|| out.stdout.trim().to_string()))
    }

    /// Whether `refs/tags/TAG` exists on the remote (`git ls-remote`, read-only).
    pub fn remote_has_tag(&self, remote: &str, tag: &str) -> Result<bool> {
        let refname = format!("refs/tags/{tag}");
        let out = self
            .git(["ls-remote", "--tags", remote, &refname])
            .with_context(|| format!("cannot read the tags of remote {remote}"))?;
        Ok(out.lines().any(|l| l.split_whitespace().nth(1) == Some(refname.as_str())))
    }

    /// Fetch `n` more commits of history (and the tags) from the remote.
    pub fn deepen(&self, remote: &str, n: u32) -> Result<()> {
        self.git(["fetch", "--quiet", "--tags", &format!("--deepen={n}"), remote])?;
        Ok(())
    }

    /// Fetch the whole history (and the tags) from the remote.
    pub fn unshallow(&self, remote: &str) -> Result<()> {
        self.git(["fetch", "--quiet", "--tags", "--unshallow", remote])?;
        Ok(())
    }

    /// Stage exactly `paths` (deletions included), then one commit with hooks; the new HEAD.
    /// `git update-index` looks each path up (`git add` matches every path against every index
    /// entry, which a rollback of hundreds of files in a large tree pays for in seconds), and
    /// staging a path again, or a deletion already staged, is no error.
    pub fn commit_paths(&self, message: &str, paths: &[String]) -> Result<String> {
        self.stage_paths(paths)?;
        let out = self.git_raw(["commit", "--quiet", "--file=-"], Some(message.as_bytes()))?;
        if !out.status.success() {
            let mut why = String::from_utf8_lossy(&out.stderr).trim().to_string();
            let stdout = String::from_utf8_lossy(&out.stdout);
            if !stdout.trim().is_empty() {
                why = format!("{}\n{why}", stdout.trim());
            }
            if why.is_empty() {
                why = out.status.to_string();
            }
            bail!("`git commit` failed (a hook, or git itself): {why}");
        }
        self.head_commit()?.context("git commit made no commit")
    }

    /// An annotated (or signed) tag on HEAD with `message` kept verbatim (git's default cleanup
    /// would strip the notes' `### Features` headings as comments).
    pub fn create_tag(&self, name: &str, message: &str, sign: bool) -> Result<()> {
        let kind = if sign { "--sign" } else { "--annotate" };
        let out = self.git_raw(["tag", kind, "--cleanup=verbatim", "--file=-", name], Some(message.as_bytes()))?;
        if !out.status.success() {
            bail!("`git tag {kind} {name}` failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(())
    }

    /// Delete a local tag.
    pub fn delete_tag(&self, name: &str) -> Result<()> {
        self.git(["update-ref", "-d", &format!("refs/tags/{name}")])?;
        Ok(())
    }

    /// Point a ref at an object (recreating a deleted tag, moving a branch).
    pub fn set_ref(&self, refname: &str, object: &str) -> Result<()> {
        self.git(["update-ref", refname, object])?;
        Ok(())
    }

    /// Move the checked-out branch and the index to `commit`; the work tree is left alone.
    pub fn reset_mixed(&self, commit: &str) -> Result<()> {
        self.git(["reset", "--quiet", "--mixed", commit])?;
        Ok(())
    }

    /// One `git push --atomic REMOTE refs/heads/BRANCH refs/tags/TAG`: both or neither.
    pub fn push_atomic(&self, remote: &str, branch: &str, tag: &str) -> Result<GitOutput> {
        let heads = format!("refs/heads/{branch}:refs/heads/{branch}");
        let tags = format!("refs/tags/{tag}:refs/tags/{tag}");
        self.git_output(["push", "--atomic", "--quiet", remote, &heads, &tags])
    }
}
