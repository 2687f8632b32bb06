//! The tree a commit records, built from git's objects instead of the index: a known tree with
//! a few paths as the work tree has them now. `git write-tree` reads the whole index, hashes
//! every folder a change touched and writes the index back (its cache of trees): on a rollback
//! that restores hundreds of files in a large tree, a tenth of the run. A rollback's commit is
//! the target release's tree with a handful of files changed (the versions, the changelog, the
//! paths it keeps), so only the folders above those are written, by one `git mktree`, while
//! `git update-index` brings the index to the same content beside it.
//!
//! Used only where it is sure to give the tree `write-tree` would: no attributes or settings
//! that convert content (a restored file's blob is then the target's, byte for byte, as the
//! index gets it), the executable bit trusted, no sparse index; every path plain enough for
//! git's line-based inputs. Otherwise `None`, and the index is written as a tree.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use anyhow::{Context, Result, bail};

use super::Repo;

/// The commit's tree: `base`'s (a commit), with each path of `edits` (root-relative) as the
/// work tree has it when the commit is made (a file, or absent: removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRecipe {
    pub base: String,
    pub edits: Vec<String>,
}

/// An entry of a tree: git's mode (`100644`, `40000`, ...) and object id.
type Entry = (String, String);

impl Repo {
    /// The tree `recipe` describes, written to the object database; `None` when this
    /// repository's settings or the paths make it differ possibly from what `git write-tree`
    /// would write after staging the same files (the caller writes the index as a tree then).
    pub fn planned_tree(&self, recipe: &TreeRecipe) -> Result<Option<String>> {
        // Below the top of the work tree, the recipe's paths are not the tree's.
        if !self.tree_is_plain() || !self.prefix()?.is_empty() {
            return Ok(None);
        }
        let mut files = Vec::new();
        let mut removed = Vec::new();
        for path in &recipe.edits {
            if path.is_empty() || path.contains('\n') || path.starts_with('"') {
                return Ok(None);
            }
            match std::fs::symlink_metadata(self.path(path)) {
                Ok(meta) if meta.is_file() => files.push((path.as_str(), executable(&meta))),
                Ok(_) => return Ok(None),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => removed.push(path.as_str()),
                Err(e) => return Err(e).with_context(|| format!("{path}: cannot read")),
            }
        }
        // Written with the attributes of their own paths, as `git update-index` stages them.
        let paths: Vec<&str> = files.iter().map(|(p, _)| *p).collect();
        let ids = self.write_blobs(&paths)?;
        // Folder -> name -> the entry it gets, or `None`: removed.
        let mut changes: BTreeMap<String, BTreeMap<String, Option<Entry>>> = BTreeMap::new();
        let mut change = |path: String, entry: Option<Entry>| {
            let (dir, name) =
                path.rsplit_once('/').map_or((String::new(), path.clone()), |(d, n)| (d.to_string(), n.to_string()));
            changes.entry(dir).or_default().insert(name, entry);
        };
        for ((path, exec), id) in files.iter().zip(ids) {
            change(path.to_string(), Some((if *exec { "100755" } else { "100644" }.to_string(), id)));
        }
        for path in removed {
            change(path.to_string(), None);
        }
        let mut dirs: BTreeSet<String> = BTreeSet::new();
        for dir in changes.keys() {
            let mut dir = dir.as_str();
            loop {
                dirs.insert(dir.to_string());
                let Some((parent, _)) = dir.rsplit_once('/') else { break };
                dir = parent;
            }
            dirs.insert(String::new());
        }
        let dirs: Vec<String> = dirs.into_iter().collect();
        let mut base = self.read_trees(&recipe.base, &dirs)?;
        // Deepest first: a folder's new id is in its parent's entries before the parent is written.
        let mut order: Vec<&String> = dirs.iter().collect();
        order.sort_by_key(|d| std::cmp::Reverse(if d.is_empty() { 0 } else { d.matches('/').count() + 1 }));
        let mut mktree = MkTree::start(self)?;
        let mut written: BTreeMap<&str, Option<String>> = BTreeMap::new();
        for dir in order {
            let mut entries = base.remove(dir.as_str()).unwrap_or_default();
            for (sub, id) in written.iter().filter(|(d, _)| parent_of(d) == Some(dir.as_str())) {
                let name = sub.rsplit('/').next().unwrap_or(sub).to_string();
                match id {
                    Some(id) => entries.insert(name, ("40000".to_string(), id.clone())),
                    None => entries.remove(&name),
                };
            }
            for (name, entry) in changes.get(dir.as_str()).into_iter().flatten() {
                let subfolder = written.get(format!("{}{name}", join(dir)).as_str()).is_some_and(Option::is_some);
                match entry {
                    // A file where the tree now has a folder: not a change this recipe knows.
                    Some(_) if subfolder => return Ok(None),
                    Some(entry) => entries.insert(name.clone(), entry.clone()),
                    None if subfolder => continue,
                    None => entries.remove(name),
                };
            }
            let id = if entries.is_empty() { None } else { Some(mktree.write(&entries)?) };
            written.insert(dir.as_str(), id);
        }
        mktree.finish()?;
        Ok(written.remove("").flatten())
    }

    /// No attributes, filters or end-of-line settings that could make a file's staged blob
    /// differ from the bytes a checkout wrote, the executable bit trusted, no sparse index.
    fn tree_is_plain(&self) -> bool {
        let Some(config) = self.config() else { return false };
        let set = |key: &str| config.get(key).is_some();
        let converts = config.bool("core.autocrlf").unwrap_or(false)
            || config.get("core.autocrlf").flatten().is_some_and(|v| v.eq_ignore_ascii_case("input"));
        let filters = config.keys().any(|k| k.starts_with("filter."));
        if converts
            || filters
            || set("core.attributesfile")
            || config.bool("core.filemode") == Some(false)
            || config.bool("core.sparsecheckout") == Some(true)
            || config.bool("index.sparse") == Some(true)
        {
            return false;
        }
        let global_attributes = std::env::var_os("XDG_CONFIG_HOME")
            .map(std::path::PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".config")))
            .map(|dir| dir.join("git/attributes"));
        let info = self.git_dir().map(|d| d.join("info/attributes"));
        !global_attributes.is_some_and(|p| p.exists()) && !info.is_ok_and(|p| p.exists())
    }

    /// Blobs of the work-tree files `paths` (root-relative), written; their ids in order.
    fn write_blobs(&self, paths: &[&str]) -> Result<Vec<String>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let mut input = paths.join("\n");
        input.push('\n');
        let out = self.git_raw(["hash-object", "-w", "--stdin-paths"], Some(input.as_bytes()))?;
        if !out.status.success() {
            bail!("`git hash-object -w` failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        let ids: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect();
        if ids.len() != paths.len() {
            bail!("`git hash-object` gave {} ids for {} files", ids.len(), paths.len());
        }
        Ok(ids)
    }

    /// The entries of the folders `dirs` (from the top; `""` is the top) of commit `base`, by
    /// name; a folder `base` does not have is absent.
    fn read_trees(&self, base: &str, dirs: &[String]) -> Result<BTreeMap<String, BTreeMap<String, Entry>>> {
        let mut input = Vec::new();
        for dir in dirs {
            let request = if dir.is_empty() { format!("{base}^{{tree}}") } else { format!("{base}:{dir}") };
            input.extend_from_slice(request.as_bytes());
            input.push(b'\n');
        }
        let out = self.git_raw(["cat-file", "--batch"], Some(&input))?;
        if !out.status.success() {
            bail!("`git cat-file --batch` failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        let id_len = base.len() / 2;
        let mut trees = BTreeMap::new();
        for (dir, record) in dirs.iter().zip(super::tree_files::batch_records(&out.stdout, dirs.len())?) {
            if let super::tree_files::BatchRecord::Object { kind: "tree", body, .. } = record {
                trees.insert(dir.clone(), parse_tree(body, id_len)?);
            }
        }
        Ok(trees)
    }
}

/// The entries of a tree object: `MODE NAME\0ID` (the id in binary), repeated.
fn parse_tree(mut body: &[u8], id_len: usize) -> Result<BTreeMap<String, Entry>> {
    let mut entries = BTreeMap::new();
    while !body.is_empty() {
        let space = memchr::memchr(b' ', body).context("a malformed tree object")?;
        let nul = memchr::memchr(0, body).context("a malformed tree object")?;
        let id = body.get(nul + 1..nul + 1 + id_len).context("a malformed tree object")?;
        let name = std::str::from_utf8(&body[space + 1..nul]).context("a tree entry's name is not UTF-8")?;
        let mode = String::from_utf8_lossy(&body[..space]).to_string();
        entries.insert(name.to_string(), (mode, crate::bundle::checksums::hex(id)));
        body = &body[nul + 1 + id_len..];
    }
    Ok(entries)
}

fn executable(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o100 != 0
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

fn parent_of(dir: &str) -> Option<&str> {
    if dir.is_empty() {
        return None;
    }
    Some(dir.rsplit_once('/').map_or("", |(parent, _)| parent))
}

/// `dir/`, or nothing at the top.
fn join(dir: &str) -> String {
    if dir.is_empty() { String::new() } else { format!("{dir}/") }
}

/// One `git mktree --batch -z`, asked one tree at a time (a folder's id goes into its parent).
struct MkTree {
    child: std::process::Child,
    stdout: BufReader<std::process::ChildStdout>,
}

impl MkTree {
    fn start(repo: &Repo) -> Result<MkTree> {
        let mut cmd = repo.git_command(["mktree", "--batch", "-z"])?;
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null());
        let mut child = cmd.spawn().context("cannot start `git mktree`")?;
        let stdout = BufReader::new(child.stdout.take().context("git mktree has no output")?);
        Ok(MkTree { child, stdout })
    }

    /// Write the tree of `entries`; its id.
    fn write(&mut self, entries: &BTreeMap<String, Entry>) -> Result<String> {
        let mut record = Vec::new();
        for (name, (mode, id)) in entries {
            let kind = match mode.as_str() {
                "40000" | "040000" => "tree",
                "160000" => "commit",
                _ => "blob",
            };
            record.extend_from_slice(format!("{mode} {kind} {id}\t{name}").as_bytes());
            record.push(0);
        }
        record.push(0);
        let stdin = self.child.stdin.as_mut().context("git mktree has no input")?;
        stdin.write_all(&record).and_then(|()| stdin.flush()).context("cannot write to `git mktree`")?;
        let mut line = String::new();
        self.stdout.read_line(&mut line).context("cannot read from `git mktree`")?;
        let id = line.trim();
        if id.is_empty() {
            bail!("`git mktree` wrote no tree");
        }
        Ok(id.to_string())
    }

    fn finish(mut self) -> Result<()> {
        drop(self.child.stdin.take());
        let status = self.child.wait().context("cannot wait for `git mktree`")?;
        if !status.success() {
            bail!("`git mktree` failed ({status})");
        }
        Ok(())
    }
}

impl Drop for MkTree {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::process::Command;

    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git").args(args).current_dir(dir).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    fn write(dir: &Path, path: &str, text: &str) {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A repository whose one commit has files in nested folders; its id.
    fn repository(dir: &Path) -> String {
        git(dir, &["init", "-q", "-b", "main"]);
        git(dir, &["config", "user.name", "Rel Ease"]);
        git(dir, &["config", "user.email", "rel@example.com"]);
        for path in ["README.md", "a/one.txt", "a/b/two.txt", "a/b/c/three.txt", "gone/only.txt", "z/keep.txt"] {
            write(dir, path, &format!("{path}\n"));
        }
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", "first"]);
        git(dir, &["rev-parse", "HEAD"])
    }

    /// The tree `git add -A` and `git write-tree` make of the work tree as it is.
    fn written_tree(dir: &Path) -> String {
        git(dir, &["add", "-A"]);
        git(dir, &["write-tree"])
    }

    #[test]
    fn the_planned_tree_is_the_tree_git_writes_from_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let base = repository(dir.path());
        write(dir.path(), "a/b/two.txt", "changed\n");
        write(dir.path(), "new/deep/file name.txt", "added in new folders\n");
        write(dir.path(), "run.sh", "#!/bin/sh\n");
        #[cfg(unix)]
        std::fs::set_permissions(dir.path().join("run.sh"), std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        std::fs::remove_file(dir.path().join("gone/only.txt")).unwrap();
        std::fs::remove_file(dir.path().join("a/b/c/three.txt")).unwrap();
        let edits =
            ["a/b/two.txt", "new/deep/file name.txt", "run.sh", "gone/only.txt", "a/b/c/three.txt", "README.md"];
        let recipe = TreeRecipe { base, edits: edits.iter().map(|e| e.to_string()).collect() };
        let repo = Repo::open(Some(dir.path())).unwrap();
        let planned = repo.planned_tree(&recipe).unwrap().expect("a plain repository");
        assert_eq!(planned, written_tree(dir.path()));
        assert_eq!(git(dir.path(), &["cat-file", "-t", &planned]), "tree", "written to the object database");
    }

    #[test]
    fn a_root_below_the_top_of_the_work_tree_is_left_to_write_tree() {
        let dir = tempfile::tempdir().unwrap();
        let base = repository(dir.path());
        write(dir.path(), "a/one.txt", "changed\n");
        let recipe = TreeRecipe { base, edits: vec!["one.txt".into()] };
        let repo = Repo::open(Some(&dir.path().join("a"))).unwrap();
        assert_eq!(repo.planned_tree(&recipe).unwrap(), None);
    }

    #[test]
    fn a_setting_or_a_path_that_can_make_the_trees_differ_is_left_to_write_tree() {
        type Setup = fn(&Path);
        let setups: [(&str, Setup); 4] = [
            ("info/attributes", |d| write(d, ".git/info/attributes", "*.txt text eol=crlf\n")),
            ("core.fileMode false", |d| drop(git(d, &["config", "core.fileMode", "false"]))),
            ("core.autocrlf", |d| drop(git(d, &["config", "core.autocrlf", "input"]))),
            ("a link", |d| {
                #[cfg(unix)]
                std::os::unix::fs::symlink("README.md", d.join("a/one.txt")).unwrap();
            }),
        ];
        for (what, setup) in setups {
            let dir = tempfile::tempdir().unwrap();
            let base = repository(dir.path());
            std::fs::remove_file(dir.path().join("a/one.txt")).unwrap();
            setup(dir.path());
            if !dir.path().join("a/one.txt").exists() {
                write(dir.path(), "a/one.txt", "changed\n");
            }
            let recipe = TreeRecipe { base, edits: vec!["a/one.txt".into()] };
            let repo = Repo::open(Some(dir.path())).unwrap();
            assert_eq!(repo.planned_tree(&recipe).unwrap(), None, "{what}");
        }
    }
}
