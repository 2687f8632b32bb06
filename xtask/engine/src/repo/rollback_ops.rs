//! The git operations of rollbacks: how two trees differ, index entries of a temporary index,
//! where a commit has been pushed, and a scratch repository for the gates that shares this
//! repository's objects without touching it. The changed paths themselves: `tree_files`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::Repo;

/// Git's mode of a symbolic link, and of a submodule (a commit inside the tree).
pub const MODE_LINK: &str = "120000";
pub const MODE_GITLINK: &str = "160000";

/// One path that differs between two trees (`None`: absent on that side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeChange {
    pub path: String,
    /// Git's mode on each side: `100644`, `100755`, `120000` (link), `160000` (submodule).
    pub old_mode: Option<String>,
    pub new_mode: Option<String>,
    /// The object on each side.
    pub old_oid: Option<String>,
    pub new_oid: Option<String>,
}

impl TreeChange {
    /// The same difference seen from the other side.
    pub fn reversed(self) -> TreeChange {
        TreeChange {
            path: self.path,
            old_mode: self.new_mode,
            new_mode: self.old_mode,
            old_oid: self.new_oid,
            new_oid: self.old_oid,
        }
    }
}

impl Repo {
    /// Every path whose content or mode differs between the trees of `from` and `to`
    /// (renames are a deletion and an addition), sorted by path.
    pub fn tree_changes(&self, from: &str, to: &str) -> Result<Vec<TreeChange>> {
        let out = self.git(["diff", "--raw", "-z", "--no-renames", "--no-abbrev", "--no-ext-diff", from, to, "--"])?;
        Ok(parse_raw_diff(&out))
    }

    /// Set entries of the index file `index`: `(path, Some((mode, object)))` adds or replaces,
    /// `(path, None)` removes.
    pub fn set_index_entries(&self, index: &Path, entries: &[(String, Option<(String, String)>)]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let format = self.git(["rev-parse", "--show-object-format"])?;
        let zero = if format.trim() == "sha256" { "0".repeat(64) } else { "0".repeat(40) };
        let mut info = Vec::new();
        for (path, entry) in entries {
            let line = match entry {
                Some((mode, oid)) => format!("{mode} {oid}\t{path}"),
                None => format!("0 {zero}\t{path}"),
            };
            info.extend_from_slice(line.as_bytes());
            info.push(0);
        }
        self.git_with_index(index, ["update-index", "-z", "--index-info"], Some(&info))?;
        Ok(())
    }

    /// A new repository in a temporary folder, with a copy of `index` as its index, that reads
    /// this one's objects (`objects/info/alternates`) and writes nothing here; the caller puts
    /// its files in. Removed when the [`Scratch`] is dropped.
    pub fn scratch_repository(&self, index: &Path) -> Result<Scratch> {
        let objects = self.git(["rev-parse", "--path-format=absolute", "--git-path", "objects"])?;
        let objects = PathBuf::from(objects.trim());
        let format = self.git(["rev-parse", "--show-object-format"])?;
        let dir = TempDir::new("xtask-rollback-tree")?;
        let path = dir.path().to_string_lossy().into_owned();
        self.git(["init", "--quiet", &format!("--object-format={}", format.trim()), &path])?;
        let alternates = dir.path().join(".git/objects/info/alternates");
        std::fs::write(&alternates, format!("{}\n", objects.display()))
            .with_context(|| format!("{}: cannot write", alternates.display()))?;
        std::fs::copy(index, dir.path().join(".git/index"))
            .with_context(|| format!("{}: cannot copy the index", index.display()))?;
        let repo = Repo::open(Some(dir.path()))?;
        Ok(Scratch { repo, _dir: dir })
    }

    /// How many commits `to` has that `from` has not.
    pub fn count_commits(&self, from: &str, to: &str) -> Result<usize> {
        let out = self.git(["rev-list", "--count", &format!("{from}..{to}")])?;
        out.trim().parse().with_context(|| format!("git gave no commit count for {from}..{to}"))
    }

    /// The parents of a commit.
    pub fn parents(&self, commit: &str) -> Result<Vec<String>> {
        let out = self.git(["rev-list", "--parents", "-n", "1", commit])?;
        Ok(out.split_whitespace().skip(1).map(str::to_string).collect())
    }

    /// The refs under `prefix` (`refs/heads/`, `refs/remotes/`) whose history holds `commit`,
    /// by short name.
    pub fn refs_containing(&self, commit: &str, prefix: &str) -> Result<Vec<String>> {
        let out = self.git(["for-each-ref", "--format=%(refname:short)", &format!("--contains={commit}"), prefix])?;
        Ok(out.lines().filter(|l| !l.is_empty() && !l.ends_with("/HEAD")).map(str::to_string).collect())
    }
}

/// A repository in a temporary folder (see [`Repo::scratch_repository`]).
#[derive(Debug)]
pub struct Scratch {
    pub repo: Repo,
    _dir: TempDir,
}

/// A folder under the system's temporary folder, removed (with everything in it) on drop.
#[derive(Debug)]
pub(super) struct TempDir(PathBuf);

impl TempDir {
    pub(super) fn new(prefix: &str) -> Result<TempDir> {
        let base = std::env::temp_dir();
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        for n in 0..100u32 {
            let path = base.join(format!("{prefix}-{}-{nanos}-{n}", std::process::id()));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(TempDir(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(e).with_context(|| format!("{}: cannot create a temporary folder", path.display()));
                }
            }
        }
        bail!("{}: cannot create a temporary folder (too many exist)", base.display())
    }

    pub(super) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Paths for `--stdin -z`.
pub(super) fn nul_list(paths: &[&str]) -> Vec<u8> {
    let mut list = Vec::new();
    for path in paths {
        list.extend_from_slice(path.as_bytes());
        list.push(0);
    }
    list
}

/// `git diff --raw -z`: `:OLD NEW OLDSHA NEWSHA STATUS\0PATH\0` per path.
fn parse_raw_diff(out: &str) -> Vec<TreeChange> {
    let mut changes = Vec::new();
    let mut fields = out.split('\0');
    while let (Some(header), Some(path)) = (fields.next(), fields.next()) {
        let parts: Vec<&str> = header.trim_start_matches([':', '\n']).split(' ').collect();
        let [old, new, old_oid, new_oid, ..] = parts[..] else { continue };
        let mode = |m: &str| (m != "000000").then(|| m.to_string());
        let oid = |m: &str, o: &str| (m != "000000").then(|| o.to_string());
        changes.push(TreeChange {
            path: path.to_string(),
            old_mode: mode(old),
            new_mode: mode(new),
            old_oid: oid(old, old_oid),
            new_oid: oid(new, new_oid),
        });
    }
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_diffs_are_parsed_with_both_modes_and_objects() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let out = format!(
            ":100644 100755 {a} {b} M\0run.sh\0:000000 120000 {z} {a} A\0docs/latest\0:100644 000000 {a} {z} D\0a b.txt\0"
        );
        let changes = parse_raw_diff(&out);
        let got: Vec<(&str, Option<&str>, Option<&str>)> =
            changes.iter().map(|c| (c.path.as_str(), c.old_mode.as_deref(), c.new_mode.as_deref())).collect();
        assert_eq!(
            got,
            [
                ("a b.txt", Some("100644"), None),
                ("docs/latest", None, Some("120000")),
                ("run.sh", Some("100644"), Some("100755")),
            ]
        );
        assert_eq!((changes[0].old_oid.as_deref(), changes[0].new_oid.as_deref()), (Some(a.as_str()), None));
        assert_eq!(changes[2].new_oid.as_deref(), Some(b.as_str()));
        let back = changes[1].clone().reversed();
        assert_eq!((back.old_mode.as_deref(), back.new_mode.as_deref()), (Some("120000"), None));
        assert_eq!((back.old_oid.as_deref(), back.new_oid), (Some(a.as_str()), None));
        assert!(parse_raw_diff("").is_empty());
    }

    #[test]
    fn a_temporary_folder_goes_away_with_its_content() {
        let dir = TempDir::new("xtask-test").unwrap();
        let path = dir.path().to_path_buf();
        std::fs::create_dir_all(path.join("a/b")).unwrap();
        std::fs::write(path.join("a/b/c"), "x").unwrap();
        drop(dir);
        assert!(!path.exists());
    }
}
