//! Git operations for bundles: the files of a commit with their modes, blob contents as a
//! stream (`git cat-file --batch`), and temporary worktrees for `bundle --ref`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use anyhow::{Context, Result, bail};

use super::Repo;

/// What a tree entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeKind {
    File {
        executable: bool,
    },
    Symlink,
    /// A submodule: a commit of another repository, not a file of this one.
    Submodule,
}

/// One file of a commit (`git ls-tree -r`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    /// Relative to the repository root (the `--root` folder), forward slashes.
    pub path: String,
    pub kind: TreeKind,
    pub oid: String,
    pub size: u64,
}

impl Repo {
    /// Every file git tracks at `commit` under the root, in git's order (by path).
    pub fn ls_tree(&self, commit: &str) -> Result<Vec<TreeEntry>> {
        let prefix = self.prefix()?;
        let treeish = if prefix.is_empty() { commit.to_string() } else { format!("{commit}:{prefix}") };
        let out = self.git_raw(["ls-tree", "-r", "-z", "-l", &treeish], None)?;
        if !out.status.success() {
            bail!("`git ls-tree {treeish}` failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        parse_ls_tree(&out.stdout)
    }

    /// A reader of blob contents by object id, kept open for many blobs.
    pub fn blobs(&self) -> Result<Blobs> {
        crate::output::trace_command(self.root(), self.root(), "git", &["cat-file", "--batch"]);
        let mut child = Command::new("git")
            .args(["cat-file", "--batch"])
            .current_dir(self.root())
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("cannot run `git cat-file`: is git installed and on PATH? (apt-get install git)")?;
        let stdin = child.stdin.take().context("git cat-file has no stdin")?;
        let stdout = BufReader::with_capacity(256 * 1024, child.stdout.take().context("git cat-file has no stdout")?);
        Ok(Blobs { child, stdin: Some(stdin), stdout, left: None })
    }

    /// Check out `commit` into a new detached worktree at `path` (which must not exist).
    pub fn worktree_add(&self, path: &Path, commit: &str) -> Result<()> {
        let path_arg = path.as_os_str();
        let out = self.git_raw(
            [
                std::ffi::OsStr::new("worktree"),
                "add".as_ref(),
                "--detach".as_ref(),
                "--quiet".as_ref(),
                path_arg,
                commit.as_ref(),
            ],
            None,
        )?;
        if !out.status.success() {
            bail!(
                "`git worktree add {} {commit}` failed: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(())
    }

    /// Remove a worktree made by [`Repo::worktree_add`], with whatever the build left in it.
    pub fn worktree_remove(&self, path: &Path) -> Result<()> {
        let out = self.git_raw(
            [std::ffi::OsStr::new("worktree"), "remove".as_ref(), "--force".as_ref(), path.as_os_str()],
            None,
        )?;
        if !out.status.success() || path.exists() {
            // A worktree git no longer recognises: remove the folder and let git forget it.
            if path.exists() {
                std::fs::remove_dir_all(path)
                    .with_context(|| format!("{}: cannot remove the worktree", path.display()))?;
            }
            self.git(["worktree", "prune"])?;
        }
        Ok(())
    }
}

fn parse_ls_tree(raw: &[u8]) -> Result<Vec<TreeEntry>> {
    let mut entries = Vec::new();
    for record in raw.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let record = String::from_utf8(record.to_vec()).map_err(|e| {
            anyhow::anyhow!("{}: the path is not UTF-8; rename it", String::from_utf8_lossy(e.as_bytes()))
        })?;
        let (meta, path) =
            record.split_once('\t').with_context(|| format!("unexpected `git ls-tree` output: {record}"))?;
        let fields: Vec<&str> = meta.split_whitespace().collect();
        let [mode, _type, oid, size] = fields[..] else { bail!("unexpected `git ls-tree` output: {record}") };
        let kind = match mode {
            "100644" | "100664" => TreeKind::File { executable: false },
            "100755" => TreeKind::File { executable: true },
            "120000" => TreeKind::Symlink,
            "160000" => TreeKind::Submodule,
            other => bail!("{path}: unexpected git mode {other}"),
        };
        let size =
            if kind == TreeKind::Submodule { 0 } else { size.parse().with_context(|| format!("{path}: bad size"))? };
        entries.push(TreeEntry { path: path.to_string(), kind, oid: oid.to_string(), size });
    }
    Ok(entries)
}

/// `git cat-file --batch`, one blob at a time.
pub struct Blobs {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    /// Bytes of the current blob not read yet (plus the newline after it).
    left: Option<u64>,
}

impl Blobs {
    /// The content of blob `oid` as a reader; reading the next blob skips what is left of it.
    pub fn open(&mut self, oid: &str) -> Result<BlobReader<'_>> {
        if let Some(left) = self.left.take() {
            std::io::copy(&mut (&mut self.stdout).take(left + 1), &mut std::io::sink())
                .context("cannot read from git cat-file")?;
        }
        let stdin = self.stdin.as_mut().context("git cat-file was closed")?;
        writeln!(stdin, "{oid}").and_then(|_| stdin.flush()).context("cannot write to git cat-file")?;
        let mut line = String::new();
        self.stdout.read_line(&mut line).context("cannot read from git cat-file")?;
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields[..] {
            [_, "blob", size] => {
                let size: u64 = size.parse().with_context(|| format!("git cat-file: bad header {line}"))?;
                self.left = Some(size);
                Ok(BlobReader { blobs: self })
            }
            _ => bail!("git object {oid} is not a readable blob: {}", line.trim()),
        }
    }

    /// The whole content of a small blob.
    pub fn read(&mut self, oid: &str) -> Result<Vec<u8>> {
        let mut data = Vec::new();
        self.open(oid)?.read_to_end(&mut data).with_context(|| format!("cannot read git object {oid}"))?;
        Ok(data)
    }
}

impl Drop for Blobs {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The content of one blob.
pub struct BlobReader<'a> {
    blobs: &'a mut Blobs,
}

impl Read for BlobReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.blobs.left.unwrap_or(0);
        if left == 0 {
            return Ok(0);
        }
        let want = buf.len().min(left as usize);
        let n = self.blobs.stdout.read(&mut buf[..want])?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "git cat-file ended early"));
        }
        self.blobs.left = Some(left - n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ls_tree_records() {
        let raw = b"100644 blob aaaa     12\ta b.txt\x00100755 blob bbbb 3\tbin/run\x00120000 blob cccc 6\tlink\x00160000 commit dddd       -\tsub\0";
        let entries = parse_ls_tree(raw).unwrap();
        assert_eq!(entries.len(), 4);
        assert_eq!(entries[0].path, "a b.txt");
        assert_eq!(entries[0].size, 12);
        assert_eq!(entries[1].kind, TreeKind::File { executable: true });
        assert_eq!(entries[2].kind, TreeKind::Symlink);
        assert_eq!(entries[3].kind, TreeKind::Submodule);
    }
}
