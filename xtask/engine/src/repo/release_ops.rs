//! The git operations of releases and rollbacks: facts they check (identity, shallow history,
//! remote tags and branches) and the few writes the executor makes (stage, commit, tag, reset,
//! push), each checked so that it changes only what it was asked to.

use anyhow::{Context, Result, bail};

use super::planned_tree::TreeRecipe;
use super::{GitOutput, Repo};

/// HEAD's commit and what it names (see [`Repo::head_state`]).
const HEAD_STATE: [&str; 4] = ["rev-parse", HEAD_REVS[0], HEAD_REVS[1], HEAD_REVS[2]];

/// The `git rev-parse` arguments that print HEAD's commit, then what HEAD names (read by
/// [`branch_of`]).
pub const HEAD_REVS: [&str; 3] = ["HEAD^{commit}", "--symbolic-full-name", "HEAD"];

/// The branch checked out, from what `git rev-parse --symbolic-full-name HEAD` printed (`HEAD`
/// itself: detached, `None`).
pub fn branch_of(symbolic: &str) -> Option<String> {
    (symbolic != "HEAD").then(|| symbolic.strip_prefix("refs/heads/").unwrap_or(symbolic).to_string())
}

/// The identities a commit and a tag are made with (see [`Repo::identity_problem`]).
const IDENTS: [&str; 2] = ["GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"];

impl Repo {
    /// The commit HEAD points at; `None` on a branch with no commits yet.
    pub fn head_commit(&self) -> Result<Option<String>> {
        let out = self.git_output(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])?;
        Ok(out.success.then(|| out.stdout.trim().to_string()))
    }

    /// Start the reads a release or a rollback makes before it plans (HEAD, the tags, the
    /// identity to commit with, git's configuration, `git status`: see [`Repo::prefetch`]), to
    /// run while the files are listed.
    pub fn prefetch_run_facts(&self) {
        let mut reads = vec![
            HEAD_STATE.map(String::from).to_vec(),
            super::history::tag_listing_args(None),
            super::history::tag_listing_args(Some("HEAD")),
            super::CONFIG_LIST.map(String::from).to_vec(),
            super::STATUS.map(String::from).to_vec(),
        ];
        reads.extend(IDENTS.map(|var| vec!["var".to_string(), var.to_string()]));
        self.prefetch(reads);
    }

    /// The checked-out branch (`None`: detached) and HEAD's commit (`None`: none yet), from one
    /// `git rev-parse` (two gits where that cannot answer: a branch with no commit).
    pub fn head_state(&self) -> Result<(Option<String>, Option<String>)> {
        let out = self.git_output(HEAD_STATE)?;
        let lines: Vec<&str> = out.stdout.lines().collect();
        if let (true, [commit, symbolic]) = (out.success, &lines[..]) {
            return Ok((branch_of(symbolic), Some(commit.to_string())));
        }
        Ok((self.head_branch()?, self.head_commit()?))
    }

    /// The checked-out branch, `None` on a detached HEAD; an error when git cannot tell (a git
    /// killed by a signal), never a detached HEAD by mistake.
    pub fn checked_out_branch(&self) -> Result<Option<String>> {
        let out = self.git_raw(["symbolic-ref", "--quiet", "--short", "HEAD"], None)?;
        match out.status.code() {
            Some(0) => Ok(Some(String::from_utf8_lossy(&out.stdout).trim().to_string())),
            Some(1) => Ok(None),
            _ => bail!(
                "cannot tell which branch is checked out: `git symbolic-ref HEAD` failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        }
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
        // Both at once.
        let started = IDENTS.map(|var| self.start_git(["var", var], None));
        for started in started {
            let out = started?.finish()?;
            if !out.status.success() {
                let stderr = String::from_utf8_lossy(&out.stderr);
                let why = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
                return Ok(Some(why.trim_start_matches("fatal: ").to_string()));
            }
        }
        Ok(None)
    }

    /// Whether git accepts `name` as a tag name, as `git tag` checks it: a valid ref name
    /// under `refs/tags/` (`git check-ref-format`) that does not start with `-`.
    pub fn is_valid_tag_name(&self, name: &str) -> Result<bool> {
        self.is_valid_ref_name("refs/tags", name)
    }

    /// `git check-ref-format NAMESPACE/NAME` (see [`is_ref_name`]), and no leading `-` (git
    /// takes it for an option).
    fn is_valid_ref_name(&self, namespace: &str, name: &str) -> Result<bool> {
        Ok(!name.starts_with('-') && is_ref_name(&format!("{namespace}/{name}")))
    }

    /// The URL of a remote, if it is configured.
    pub fn remote_url(&self, remote: &str) -> Result<Option<String>> {
        let out = self.git_output(["remote", "get-url", remote])?;
        Ok(out.success.then(|| out.stdout.trim().to_string()))
    }

    /// Whether `refs/tags/TAG` exists on the remote (`git ls-remote`, read-only).
    pub fn remote_has_tag(&self, remote: &str, tag: &str) -> Result<bool> {
        Ok(self.remote_tag(remote, tag)?.is_some())
    }

    /// The object `refs/tags/TAG` points at on the remote (`git ls-remote`, read-only).
    pub fn remote_tag(&self, remote: &str, tag: &str) -> Result<Option<String>> {
        self.remote_ref(remote, &format!("refs/tags/{tag}"))
    }

    /// The commit `refs/heads/BRANCH` points at on the remote (`git ls-remote`, read-only),
    /// `None` when the remote has no such branch.
    pub fn remote_branch(&self, remote: &str, branch: &str) -> Result<Option<String>> {
        self.remote_ref(remote, &format!("refs/heads/{branch}"))
    }

    /// The object the remote's `refname` points at: the `git ls-remote` line naming exactly it.
    fn remote_ref(&self, remote: &str, refname: &str) -> Result<Option<String>> {
        let out = self
            .git(["ls-remote", remote, refname])
            .with_context(|| format!("cannot read {refname} of remote {remote}"))?;
        Ok(out.lines().find_map(|l| {
            let mut fields = l.split_whitespace();
            let (object, name) = (fields.next()?, fields.next()?);
            (name == refname).then(|| object.to_string())
        }))
    }

    /// Fetch the objects of the remote's `BRANCH` without changing any ref (no
    /// remote-tracking branch, no FETCH_HEAD, no tags), to compare it with HEAD.
    pub fn fetch_branch_objects(&self, remote: &str, branch: &str) -> Result<()> {
        let refspec = format!("refs/heads/{branch}");
        self.git(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--refmap=", remote, &refspec])?;
        Ok(())
    }

    /// Fetch `n` more commits of history (and the tags) from the remote.
    pub fn deepen(&self, remote: &str, n: u32) -> Result<()> {
        self.forget_tags();
        self.git(["fetch", "--quiet", "--tags", &format!("--deepen={n}"), remote])?;
        Ok(())
    }

    /// Fetch the whole history (and the tags) from the remote.
    pub fn unshallow(&self, remote: &str) -> Result<()> {
        self.forget_tags();
        self.git(["fetch", "--quiet", "--tags", "--unshallow", remote])?;
        Ok(())
    }

    /// Stage exactly `paths` as they are in the work tree: changed and new files added,
    /// missing ones removed from the index. Safe to repeat: a deletion staged already, or a
    /// path in neither the index nor the work tree, is no error (`git add` says "pathspec did
    /// not match"), and paths are taken literally, never as globs.
    pub fn stage_paths(&self, paths: &[String]) -> Result<()> {
        self.start_staging(paths)?.finish()
    }

    /// [`Repo::stage_paths`], started now and waited for by [`Staging::finish`].
    pub fn start_staging(&self, paths: &[String]) -> Result<Staging> {
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        let list = super::rollback_ops::nul_list(&paths);
        Ok(Staging(self.start_git(["update-index", "--add", "--remove", "-z", "--stdin"], Some(list))?))
    }

    /// What a commit on `base` takes, found while the files are staged (see
    /// [`Repo::start_staging`]): the tree `recipe` describes (see [`Repo::planned_tree`]; when
    /// it cannot be built, the index is written as a tree).
    pub fn prepare_commit(&self, base: Option<CommitBase>, recipe: Option<&TreeRecipe>) -> Result<Prepared> {
        let tree = match recipe {
            Some(recipe) => self.planned_tree(recipe).unwrap_or_else(|e| {
                crate::output::trace_line(&format!(
                    "the commit's tree from git's objects: {e:#}; the index is written as a tree instead"
                ));
                None
            }),
            None => None,
        };
        Ok(Prepared { base, tree })
    }

    /// HEAD's commit (`None` on a branch with no commit yet) and what a commit on it takes
    /// (its tree, the hooks folder), from one `git rev-parse`.
    pub fn head_for_commit(&self) -> Result<(Option<String>, Option<CommitBase>)> {
        match self.commit_base("HEAD")? {
            Some(base) => Ok((Some(base.parent.clone()), Some(base))),
            None => Ok((self.head_commit()?, None)),
        }
    }

    /// `rev`'s commit, its tree and the hooks folder; `None` when `rev` is no commit.
    fn commit_base(&self, rev: &str) -> Result<Option<CommitBase>> {
        let out = self.git_output([
            "rev-parse",
            "--git-path",
            "hooks",
            &format!("{rev}^{{commit}}"),
            &format!("{rev}^{{tree}}"),
        ])?;
        let mut lines = out.stdout.lines();
        Ok(match (out.success, lines.next(), lines.next(), lines.next()) {
            // `--git-path` answers relative to where git ran (the root), or absolute (core.hooksPath).
            (true, Some(hooks), Some(commit), Some(tree)) => Some(CommitBase {
                parent: commit.to_string(),
                hooks: self.root.join(hooks),
                parent_tree: tree.to_string(),
            }),
            _ => None,
        })
    }

    /// One commit of the index with `message` on `parent` (HEAD, `None` on a branch with no
    /// commit yet), hooks run; the new HEAD. `prepared`: what [`Repo::prepare_commit`] found
    /// (or nothing, [`Prepared::default`]).
    pub fn commit_staged(&self, message: &str, parent: Option<&str>, prepared: Prepared) -> Result<String> {
        if let Some(parent) = parent
            && let Some(commit) = self.commit_by_plumbing(message, parent, prepared)?
        {
            return Ok(commit);
        }
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

    /// The commit `git commit --quiet --file=-` makes, made by plumbing when nothing of it can
    /// differ: no commit hook, no signing, no message cleanup or encoding configured, and a tree
    /// that differs from the parent's. `write-tree`, `commit-tree` (the message cleaned up as
    /// `git commit` does, see [`stripspace`]) and one `update-ref` of HEAD checked against
    /// `parent` (with `git commit`'s reflog line) make the same commit object byte for byte,
    /// without the stat of every tracked file that `git commit` makes to refresh the index
    /// (most of its time on a large tree). `None`: `git commit` is needed.
    fn commit_by_plumbing(&self, message: &str, parent: &str, prepared: Prepared) -> Result<Option<String>> {
        let base = match prepared.base {
            Some(base) if base.parent == parent => Some(base),
            _ => self.commit_base(parent)?,
        };
        let Some(base) = base else { return Ok(None) };
        if COMMIT_HOOKS.iter().any(|hook| std::fs::symlink_metadata(base.hooks.join(hook)).is_ok()) {
            return Ok(None);
        }
        let Some(config) = self.config() else { return Ok(None) };
        let configured = ["commit.cleanup", "i18n.commitencoding"].iter().any(|k| config.get(k).is_some());
        if configured || config.get("commit.gpgsign").is_some_and(|_| config.bool("commit.gpgsign") != Some(false)) {
            return Ok(None);
        }
        let message = stripspace(message);
        if message.is_empty() {
            return Ok(None);
        }
        let tree = match prepared.tree {
            Some(tree) => tree,
            None => self.git(["write-tree"])?.trim().to_string(),
        };
        if tree == base.parent_tree {
            // Nothing to commit: `git commit` says so.
            return Ok(None);
        }
        let out = self.git_raw(["commit-tree", &tree, "-p", parent, "-F", "-"], Some(message.as_bytes()))?;
        if !out.status.success() {
            bail!("`git commit-tree` failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        let commit = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let subject = message.lines().next().unwrap_or_default();
        let out = self.git_output(["update-ref", "-m", &format!("commit: {subject}"), "HEAD", &commit, parent])?;
        if !out.success {
            bail!("cannot move HEAD to the new commit {commit}: `git update-ref` failed: {}", out.stderr.trim());
        }
        Ok(Some(commit))
    }

    /// Paths whose staged content differs from HEAD (everything staged on a branch with no
    /// commit yet).
    pub fn staged_paths(&self) -> Result<Vec<String>> {
        let out = match self.head_commit()? {
            Some(_) => self.git(["diff", "--cached", "--name-only", "--no-renames", "-z", "HEAD"])?,
            None => self.git(["ls-files", "--cached", "-z"])?,
        };
        Ok(out.split('\0').filter(|p| !p.is_empty()).map(str::to_string).collect())
    }

    /// The tag object an annotated tag `name` on `commit` with `message` (verbatim) is, as
    /// `git tag --annotate --cleanup=verbatim` makes it (same tagger line, same bytes), written
    /// to the object store but not yet pointed at by any ref.
    pub fn make_tag_object(&self, name: &str, commit: &str, message: &str) -> Result<String> {
        let tagger = self.git(["var", "GIT_COMMITTER_IDENT"]).context("git has no identity to tag with")?;
        let object = format!("object {commit}\ntype commit\ntag {name}\ntagger {}\n\n{message}", tagger.trim());
        let out = self.git_raw(["mktag"], Some(object.as_bytes()))?;
        if !out.status.success() {
            bail!("`git mktag` refused the tag {name}: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Create `refs/tags/NAME` pointing at `object`, only if no such tag exists (one atomic
    /// `git update-ref` with an empty old value); `false` when one does.
    pub fn create_tag_ref(&self, name: &str, object: &str) -> Result<bool> {
        let refname = format!("refs/tags/{name}");
        let out = self.git_output(["update-ref", &refname, object, ""])?;
        if out.success {
            return Ok(true);
        }
        if self.tag_object(name)?.is_some() {
            return Ok(false);
        }
        bail!("`git update-ref {refname}` failed: {}", out.stderr.trim())
    }

    /// A signed tag on HEAD (`git tag --sign`, the user's signing configuration) with
    /// `message` kept verbatim (git's default cleanup would strip the notes' `### Features`
    /// headings as comments).
    pub fn create_signed_tag(&self, name: &str, message: &str) -> Result<()> {
        let out = self.git_raw(["tag", "--sign", "--cleanup=verbatim", "--file=-", name], Some(message.as_bytes()))?;
        if !out.status.success() {
            bail!("`git tag --sign {name}` failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(())
    }

    /// Whether git signs annotated tags without being asked (`tag.gpgSign`).
    pub fn signs_tags_by_default(&self) -> Result<bool> {
        Ok(self.config().is_some_and(|c| c.bool("tag.gpgsign") == Some(true)))
    }

    /// The raw content of a tag object (`git cat-file tag`), `None` when `object` is not a tag.
    pub fn tag_content(&self, object: &str) -> Result<Option<String>> {
        if self.object_type(object)?.as_deref() != Some("tag") {
            return Ok(None);
        }
        Ok(Some(self.git(["cat-file", "tag", object])?))
    }

    /// The type of an object (`commit`, `tag`, ...), `None` when it does not exist.
    pub fn object_type(&self, object: &str) -> Result<Option<String>> {
        let out = self.git_output(["cat-file", "-t", object])?;
        Ok(out.success.then(|| out.stdout.trim().to_string()))
    }

    /// Delete a local tag, but only while it still points at `object` (someone else's tag of
    /// the same name is left alone); whether it was deleted.
    pub fn delete_tag_if(&self, name: &str, object: &str) -> Result<bool> {
        let refname = format!("refs/tags/{name}");
        let out = self.git_output(["update-ref", "-d", &refname, object])?;
        if out.success {
            return Ok(true);
        }
        if self.tag_object(name)?.as_deref() != Some(object) {
            return Ok(false);
        }
        bail!("`git update-ref -d {refname}` failed: {}", out.stderr.trim())
    }

    /// Tags pointing (peeled) at `commit`.
    pub fn tags_at(&self, commit: &str) -> Result<Vec<String>> {
        Ok(self.git(["tag", "--list", "--points-at", commit])?.lines().map(str::to_string).collect())
    }

    /// One line per commit of `range` (`abc1234 subject (tag: v1.2.3)`, with the tags on it),
    /// newest first, at most `max`.
    pub fn commit_lines(&self, range: &str, max: usize) -> Result<Vec<String>> {
        let max = format!("--max-count={max}");
        let out = self.git(["log", &max, "--decorate-refs=refs/tags/", "--format=%h %s%d", range, "--"])?;
        Ok(out.lines().map(str::to_string).collect())
    }

    /// Point a ref at an object, only if it does not exist (recreating a deleted tag).
    pub fn create_ref(&self, refname: &str, object: &str) -> Result<()> {
        self.git(["update-ref", refname, object, ""])?;
        Ok(())
    }

    /// Move the checked-out branch and the index to `commit`; the work tree is left alone.
    pub fn reset_mixed(&self, commit: &str) -> Result<()> {
        self.git(["reset", "--quiet", "--mixed", commit])?;
        Ok(())
    }

    /// One `git push --atomic REMOTE refs/heads/BRANCH refs/tags/TAG`: both or neither.
    pub fn push_atomic(&self, remote: &str, branch: &str, tags: &[&str]) -> Result<GitOutput> {
        let mut args = vec!["push".to_string(), "--atomic".into(), "--quiet".into(), remote.into()];
        args.push(format!("refs/heads/{branch}:refs/heads/{branch}"));
        args.extend(tags.iter().map(|tag| format!("refs/tags/{tag}:refs/tags/{tag}")));
        self.git_output(args)
    }

    // Release branches (`release --branch`) and tags on merged commits (`release --tag-merged`).

    /// Whether git accepts `name` as a branch name (a valid ref name under `refs/heads/`).
    pub fn is_valid_branch_name(&self, name: &str) -> Result<bool> {
        self.is_valid_ref_name("refs/heads", name)
    }

    /// The commit the local branch `name` points at, if it exists.
    pub fn branch_commit(&self, name: &str) -> Result<Option<String>> {
        let out = self.git_output(["rev-parse", "--verify", "--quiet", &format!("refs/heads/{name}^{{commit}}")])?;
        Ok(out.success.then(|| out.stdout.trim().to_string()))
    }

    /// Create the branch `name` at `commit`, only if there is none (one `git update-ref` with
    /// an empty old value); `false` when one exists.
    pub fn create_branch_ref(&self, name: &str, commit: &str) -> Result<bool> {
        let refname = format!("refs/heads/{name}");
        let out = self.git_output(["update-ref", "-m", "xtask: release branch", &refname, commit, ""])?;
        if out.success {
            return Ok(true);
        }
        if self.branch_commit(name)?.is_some() {
            return Ok(false);
        }
        bail!("`git update-ref {refname}` failed: {}", out.stderr.trim())
    }

    /// Check out the branch `name` by pointing HEAD at it, the index and the work tree left as
    /// they are: the caller knows it is at the commit HEAD is at.
    pub fn point_head_at(&self, name: &str) -> Result<()> {
        self.git(["symbolic-ref", "-m", "xtask: switch branch", "HEAD", &format!("refs/heads/{name}")])?;
        Ok(())
    }

    /// Delete the local branch `name`, but only while it points at `commit`; whether it was.
    pub fn delete_branch_if(&self, name: &str, commit: &str) -> Result<bool> {
        let refname = format!("refs/heads/{name}");
        let out = self.git_output(["update-ref", "-d", &refname, commit])?;
        if out.success {
            return Ok(true);
        }
        if self.branch_commit(name)?.as_deref() != Some(commit) {
            return Ok(false);
        }
        bail!("`git update-ref -d {refname}` failed: {}", out.stderr.trim())
    }

    /// `git push --set-upstream REMOTE refs/heads/BRANCH`: the branch alone, tracked after.
    pub fn push_branch(&self, remote: &str, branch: &str) -> Result<GitOutput> {
        let heads = format!("refs/heads/{branch}:refs/heads/{branch}");
        self.git_output(["push", "--quiet", "--set-upstream", remote, &heads])
    }

    /// `git push REMOTE refs/tags/TAG`: the tag alone.
    pub fn push_tag(&self, remote: &str, tag: &str) -> Result<GitOutput> {
        let tags = format!("refs/tags/{tag}:refs/tags/{tag}");
        self.git_output(["push", "--quiet", remote, &tags])
    }

    /// A signed tag on `commit` (as [`Repo::create_signed_tag`] on HEAD).
    pub fn create_signed_tag_on(&self, name: &str, commit: &str, message: &str) -> Result<()> {
        let out =
            self.git_raw(["tag", "--sign", "--cleanup=verbatim", "--file=-", name, commit], Some(message.as_bytes()))?;
        if !out.status.success() {
            bail!("`git tag --sign {name}` failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(())
    }

    /// (commit, subject) of every commit of `range` (`A..B`, or a single revision), newest
    /// first; with `touching`, only the commits whose diff changes how often `needle` occurs in
    /// that file (`git log -S`), merges left out (their sides are listed).
    pub fn subjects(&self, range: &str, touching: Option<(&str, &str)>) -> Result<Vec<(String, String)>> {
        let mut args = vec!["log".to_string(), "--format=%H%x00%s".to_string()];
        if let Some((needle, _)) = touching {
            args.push(format!("-S{needle}"));
            args.push("--no-merges".into());
        }
        args.push(range.to_string());
        args.push("--".into());
        if let Some((_, path)) = touching {
            args.push(path.to_string());
        }
        let out = self.git(&args)?;
        Ok(out.lines().filter_map(|l| l.split_once('\0').map(|(h, s)| (h.to_string(), s.to_string()))).collect())
    }
}

/// What [`Repo::prepare_commit`] found.
#[derive(Debug, Default)]
pub struct Prepared {
    /// The parent's tree and the hooks folder; `None`: not looked for, or no parent.
    base: Option<CommitBase>,
    /// The tree to commit, when it was built from git's objects.
    tree: Option<String>,
}

/// A commit to commit on, with its tree and the hooks folder (see [`Repo::head_for_commit`]).
#[derive(Debug)]
pub struct CommitBase {
    parent: String,
    hooks: std::path::PathBuf,
    parent_tree: String,
}

/// A `git update-index` of the release's paths, running.
pub struct Staging(super::process::Started);

impl Staging {
    /// Wait for it: an error when git could not stage them.
    pub fn finish(self) -> Result<()> {
        let out = self.0.finish()?;
        if !out.status.success() {
            bail!("`git update-index --add --remove` failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(())
    }
}

/// Whether git accepts `name` as a full ref name (`git check-ref-format NAME`, its rules in
/// git-check-ref-format(1)): two components or more, none empty, none starting with `.` or
/// ending with `.lock`; no `..`, no `@{`, no control character, space, `~ ^ : ? * [ \\`; not
/// ending with `.`, not `@`.
pub fn is_ref_name(name: &str) -> bool {
    let bad_byte = |b: u8| b < 0x20 || b == 0x7f || b" ~^:?*[\\".contains(&b);
    let components: Vec<&str> = name.split('/').collect();
    components.len() >= 2
        && components.iter().all(|c| !c.is_empty() && !c.starts_with('.') && !c.ends_with(".lock"))
        && !name.contains("..")
        && !name.contains("@{")
        && !name.bytes().any(bad_byte)
        && !name.ends_with('.')
        && name != "@"
}

/// The hooks `git commit` runs, any of which makes a commit `git commit`'s to make.
const COMMIT_HOOKS: [&str; 4] = ["pre-commit", "prepare-commit-msg", "commit-msg", "post-commit"];

/// A commit message as `git commit --file` keeps it (its default `whitespace` cleanup, `git
/// stripspace`): trailing whitespace removed from every line, runs of empty lines made one,
/// leading and trailing empty lines removed, and every line ending in a newline.
pub fn stripspace(message: &str) -> String {
    let mut out = String::with_capacity(message.len() + 1);
    let mut empties = 0;
    for line in message.split_inclusive('\n') {
        // git's whitespace: not the vertical tab nor the form feed.
        let line = line.trim_end_matches([' ', '\t', '\n', '\r']);
        if line.is_empty() {
            empties += 1;
            continue;
        }
        if empties > 0 && !out.is_empty() {
            out.push('\n');
        }
        empties = 0;
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::process::Command;

    use super::*;

    fn git(dir: &Path, args: &[&str], stdin: Option<&str>) -> String {
        let mut cmd = Command::new("git");
        cmd.args(args).current_dir(dir).env("GIT_AUTHOR_DATE", "1700000000 +0100");
        cmd.env("GIT_COMMITTER_DATE", "1700000000 +0100");
        let out = super::super::process::start(cmd, stdin.map(|s| s.as_bytes().to_vec())).unwrap().finish().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// A repository with one commit and a change staged on top of it; its HEAD.
    fn staged(dir: &Path) -> String {
        git(dir, &["init", "-q", "-b", "main"], None);
        git(dir, &["config", "user.name", "Rel Ease"], None);
        git(dir, &["config", "user.email", "rel@example.com"], None);
        std::fs::write(dir.join("a.txt"), "one\n").unwrap();
        git(dir, &["add", "a.txt"], None);
        git(dir, &["commit", "-q", "-m", "first"], None);
        std::fs::write(dir.join("a.txt"), "two\n").unwrap();
        std::fs::write(dir.join("b.txt"), "new\n").unwrap();
        git(dir, &["add", "a.txt", "b.txt"], None);
        git(dir, &["rev-parse", "HEAD"], None).trim().to_string()
    }

    #[test]
    fn a_prefetched_read_answers_once_and_a_forgotten_one_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let head = staged(dir.path());
        let repo = Repo::open(Some(dir.path())).unwrap();
        repo.prefetch_run_facts();
        assert_eq!(repo.head_state().unwrap(), (Some("main".into()), Some(head.clone())));
        // Taken by the first run: the next run of the same read asks git again.
        git(dir.path(), &["commit", "-q", "-m", "second"], None);
        let second = git(dir.path(), &["rev-parse", "HEAD"], None).trim().to_string();
        assert_eq!(repo.head_state().unwrap(), (Some("main".into()), Some(second.clone())));
        assert_eq!(repo.identity_problem().unwrap(), None);
        repo.prefetch_run_facts();
        repo.forget_prefetched();
        git(dir.path(), &["tag", "v9.9.9"], None);
        let tags = repo.tag_refs(Some("HEAD")).unwrap();
        assert_eq!(tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["v9.9.9"]);
        assert_eq!(repo.head_state().unwrap().1, Some(second));
        // git's configuration is kept: a run does not change it.
        repo.prefetch_run_facts();
        repo.forget_prefetched();
        assert!(repo.prefetched.lock().unwrap().0.is_empty());
        assert!(
            repo.config.get().is_some_and(|c| c.as_ref().is_some_and(|c| c.get("user.name") == Some(Some("Rel Ease"))))
        );
    }

    /// The commit HEAD points at, without its two dates (the test's git sets them, the
    /// repository's does not).
    fn head_object(dir: &Path) -> String {
        let text = git(dir, &["cat-file", "commit", "HEAD"], None);
        text.lines()
            .map(|l| match l.split_once("> ") {
                Some((who, _)) if l.starts_with("author ") || l.starts_with("committer ") => format!("{who}>"),
                _ => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    const MESSAGE: &str = "\n\nchore(release): v1.2.1  \n\n\n### Features\n\n- a thing\t\n\n\n";

    #[test]
    fn ref_names_are_checked_as_git_checks_them() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "refs/tags/v1.2.3",
            "refs/tags/v..1",
            "refs/tags/.v1",
            "refs/tags/v1.lock",
            "refs/tags/v1.",
            "refs/tags/v@{1}",
            "refs/tags/v@1",
            "refs/tags/a b",
            "refs/tags/a~1",
            "refs/tags/a^",
            "refs/tags/a:b",
            "refs/tags/a?",
            "refs/tags/a*",
            "refs/tags/a[1",
            "refs/tags/a\\b",
            "refs/tags/a\tb",
            "refs/tags/a\u{7f}",
            "refs/tags//a",
            "refs/tags/a/",
            "refs/tags/",
            "refs",
            "@",
            "refs/tags/@",
            "refs/tags/caf\u{e9}-1.0",
            "refs/tags/pkg@1.0.0",
            "refs/tags/@scope/pkg@1.0.0",
            "refs/heads/release/v1.2.3",
            "refs/tags/v1.2.3-rc.1+build.5",
            "refs/tags/x.lock/y",
            "refs/tags/a.b.c",
        ];
        for name in names {
            let out = Command::new("git").args(["check-ref-format", name]).current_dir(dir.path()).output().unwrap();
            assert_eq!(is_ref_name(name), out.status.success(), "{name:?}");
        }
    }

    #[test]
    fn stripspace_is_gits() {
        let dir = tempfile::tempdir().unwrap();
        for message in [MESSAGE, "", "\n\n", "one", "a\r\nb\r\n", "x \u{b}\u{c}\n \n\ty", "# kept\n\n\u{a0}\n"] {
            assert_eq!(stripspace(message), git(dir.path(), &["stripspace"], Some(message)), "{message:?}");
        }
    }

    #[test]
    fn a_plumbing_commit_is_the_commit_git_commit_makes() {
        let (ours, theirs) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let parent = staged(ours.path());
        assert_eq!(staged(theirs.path()), parent);
        let repo = Repo::open(Some(ours.path())).unwrap();
        let commit = repo.commit_by_plumbing(MESSAGE, &parent, Prepared::default()).unwrap().expect("made by plumbing");
        git(theirs.path(), &["commit", "--quiet", "--file=-"], Some(MESSAGE));
        assert_eq!(git(ours.path(), &["rev-parse", "HEAD"], None).trim(), commit);
        assert_eq!(head_object(ours.path()), head_object(theirs.path()));
        for dir in [ours.path(), theirs.path()] {
            assert_eq!(git(dir, &["status", "--porcelain"], None), "", "nothing left staged or changed");
        }
        let reflog = |dir: &Path, r: &str| git(dir, &["reflog", "-1", "--format=%gs", r], None);
        for r in ["HEAD", "main"] {
            assert_eq!(reflog(ours.path(), r), reflog(theirs.path(), r));
            assert_eq!(reflog(ours.path(), r), "commit: chore(release): v1.2.1\n");
        }
    }

    #[test]
    fn git_commit_makes_the_commit_when_a_hook_signing_or_cleanup_could_change_it() {
        let setups: [(&str, &[&str]); 4] = [
            ("hook", &[]),
            ("hooks path", &["config", "core.hooksPath", "my-hooks"]),
            ("signing", &["config", "commit.gpgSign", "true"]),
            ("cleanup", &["config", "commit.cleanup", "strip"]),
        ];
        for (what, config) in setups {
            let dir = tempfile::tempdir().unwrap();
            let parent = staged(dir.path());
            match what {
                "hook" => std::fs::write(dir.path().join(".git/hooks/commit-msg"), "#!/bin/sh\n").unwrap(),
                "hooks path" => {
                    std::fs::create_dir(dir.path().join("my-hooks")).unwrap();
                    std::fs::write(dir.path().join("my-hooks/pre-commit"), "#!/bin/sh\n").unwrap();
                }
                _ => {}
            }
            if !config.is_empty() {
                git(dir.path(), config, None);
            }
            let repo = Repo::open(Some(dir.path())).unwrap();
            assert_eq!(repo.commit_by_plumbing(MESSAGE, &parent, Prepared::default()).unwrap(), None, "{what}");
            assert_eq!(git(dir.path(), &["rev-parse", "HEAD"], None).trim(), parent, "{what}: nothing moved");
        }
        // Signing switched off is no obstacle; nothing staged is `git commit`'s to refuse.
        let dir = tempfile::tempdir().unwrap();
        let parent = staged(dir.path());
        git(dir.path(), &["config", "commit.gpgSign", "false"], None);
        let repo = Repo::open(Some(dir.path())).unwrap();
        let commit = repo.commit_by_plumbing(MESSAGE, &parent, Prepared::default()).unwrap().expect("made by plumbing");
        assert_eq!(repo.commit_by_plumbing("again", &commit, Prepared::default()).unwrap(), None);
    }
}
