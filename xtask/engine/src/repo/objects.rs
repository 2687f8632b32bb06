//! What git knows about the files of the work tree without reading them, for the gate cache and
//! `quality-check --changed`: the object id of every file in the index, the files that differ
//! from it, the ids `git add` would give the others, the git dir all worktrees share, and the
//! files changed since a commit.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::{Result, bail};

use super::Repo;

/// A file as the index holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indexed {
    /// `100644`, `100755` or `120000` (a symbolic link).
    pub mode: String,
    /// The blob's object id.
    pub id: String,
}

/// How a path differs from a commit: git's status letter (`A`, `D`, `M`, `T`) and the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub status: char,
    pub path: String,
}

impl Repo {
    /// The index entries under the root, by root-relative path. Conflicted paths (stages 1 to
    /// 3) are left out: their content is not settled.
    pub fn index_entries(&self) -> Result<HashMap<String, Indexed>> {
        let out = self.git_bytes(&["ls-files", "--stage", "-z"], None)?;
        let mut entries = HashMap::new();
        for record in out.split(|&b| b == 0).filter(|r| !r.is_empty()) {
            let record = String::from_utf8_lossy(record);
            // `MODE ID STAGE\tPATH`
            let Some((meta, path)) = record.split_once('\t') else { continue };
            let mut fields = meta.split(' ');
            let (Some(mode), Some(id), Some("0")) = (fields.next(), fields.next(), fields.next()) else { continue };
            entries.insert(path.to_string(), Indexed { mode: mode.to_string(), id: id.to_string() });
        }
        Ok(entries)
    }

    /// Indexed files under the root whose work-tree content or mode differs from the index
    /// (`git diff`, which never writes the index here).
    pub fn unstaged_paths(&self) -> Result<Vec<String>> {
        let args = ["--no-optional-locks", "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--relative"];
        let out = self.git_bytes(&args, None)?;
        Ok(split_paths(&out))
    }

    /// The object ids `git add` would store for these root-relative files, in their order.
    /// Paths git cannot read from its `--stdin-paths` list (a newline, a leading quote) are
    /// the caller's to hash.
    pub fn hash_files(&self, paths: &[&str]) -> Result<Vec<String>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let mut input = paths.join("\n");
        input.push('\n');
        let out = self.git_bytes(&["hash-object", "--stdin-paths"], Some(input.as_bytes()))?;
        let ids: Vec<String> = String::from_utf8_lossy(&out).lines().map(str::to_string).collect();
        if ids.len() != paths.len() {
            bail!("`git hash-object` gave {} ids for {} files", ids.len(), paths.len());
        }
        Ok(ids)
    }

    /// The git dir every worktree of the repository shares (where the gate cache lives).
    pub fn common_dir(&self) -> Result<PathBuf> {
        let dir = self.git(["rev-parse", "--path-format=absolute", "--git-common-dir"])?;
        Ok(PathBuf::from(dir.trim()))
    }

    /// The upstream of the checked-out branch (`origin/main`), when it has one.
    pub fn upstream(&self) -> Result<Option<String>> {
        let out = self.git_output(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"])?;
        Ok(out.success.then(|| out.stdout.trim().to_string()).filter(|s| !s.is_empty()))
    }

    /// The best common ancestor of two commits, or `None` when they share no history.
    pub fn merge_base(&self, a: &str, b: &str) -> Result<Option<String>> {
        let out = self.git_output(["merge-base", a, b])?;
        match (out.success, out.stdout.trim()) {
            (true, base) if !base.is_empty() => Ok(Some(base.to_string())),
            // Exit 1 and no output: no common ancestor.
            (false, "") if out.stderr.trim().is_empty() => Ok(None),
            _ => bail!("`git merge-base {a} {b}` failed: {}", out.stderr.trim()),
        }
    }

    /// The paths under the root that differ between the commit `base` and the work tree,
    /// staged or not (a rename is a deletion and an addition). Untracked files are not here.
    pub fn changed_since(&self, base: &str) -> Result<Vec<Change>> {
        let args = [
            "--no-optional-locks",
            "diff",
            "--name-status",
            "-z",
            "--no-renames",
            "--no-ext-diff",
            "--relative",
            base,
            "--",
        ];
        let out = self.git_bytes(&args, None)?;
        let fields = split_paths(&out);
        Ok(fields
            .chunks_exact(2)
            .map(|pair| Change { status: pair[0].chars().next().unwrap_or('M'), path: pair[1].clone() })
            .collect())
    }

    /// Run git in the root; its stdout as bytes, or an error naming the command and git's message.
    fn git_bytes(&self, args: &[&str], stdin: Option<&[u8]>) -> Result<Vec<u8>> {
        let out = self.git_raw(args, stdin)?;
        if !out.status.success() {
            bail!("`git {}` failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(out.stdout)
    }
}

/// NUL-separated paths (`-z` output).
fn split_paths(out: &[u8]) -> Vec<String> {
    out.split(|&b| b == 0).filter(|p| !p.is_empty()).map(|p| String::from_utf8_lossy(p).into_owned()).collect()
}
