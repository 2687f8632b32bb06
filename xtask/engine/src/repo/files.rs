//! The list of files a gate reads, collected once per run and shared by every gate.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::Repo;

/// Root-relative paths (forward slashes), sorted, of the files the tool considers part of the
/// project. Deleted-but-tracked files are left out; directories and symlinks to directories
/// never appear.
#[derive(Debug, Clone, Default)]
pub struct FileList {
    paths: Vec<String>,
}

impl FileList {
    pub fn collect(repo: &Repo) -> Result<FileList> {
        let paths = if repo.is_git() { git_files(repo, Listing::WorkTree)? } else { walk_files(repo)? };
        Ok(FileList::from_paths(paths))
    }

    /// The files git tracks, from the index alone (no stat of the work tree, no walk for
    /// untracked files); outside git, the same as [`FileList::collect`].
    pub fn tracked(repo: &Repo) -> Result<FileList> {
        let paths = if repo.is_git() { git_files(repo, Listing::Tracked)? } else { walk_files(repo)? };
        Ok(FileList::from_paths(paths))
    }

    /// A list from known paths (tests, and gates given explicit files).
    pub fn from_paths(mut paths: Vec<String>) -> FileList {
        // git lists its files in order: checking is one pass, sorting many (and the sort is
        // compiled into this crate, unoptimised in the dev profile `cargo xtask` runs).
        if !paths.is_sorted() {
            paths.sort_unstable();
        }
        paths.dedup();
        FileList { paths }
    }

    /// This list without `removed` and with `added` (neither need be sorted): the files of
    /// a tree that differs from this one in a few paths, in one pass over this list.
    pub fn changed(&self, removed: &std::collections::BTreeSet<&str>, mut added: Vec<String>) -> FileList {
        added.sort_unstable();
        let mut paths = Vec::with_capacity(self.paths.len() + added.len());
        let mut added = added.into_iter().peekable();
        // Both sorted: the removed paths are passed over in step, not looked up for every file.
        let mut removed = removed.iter().peekable();
        for path in &self.paths {
            while removed.next_if(|r| **r < path.as_str()).is_some() {}
            if removed.next_if(|r| **r == path.as_str()).is_some() {
                continue;
            }
            while let Some(next) = added.next_if(|a| a < path) {
                paths.push(next);
            }
            if added.peek() == Some(path) {
                added.next();
            }
            paths.push(path.clone());
        }
        paths.extend(added);
        paths.dedup();
        FileList { paths }
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.paths.iter().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.paths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// The files under `scope` (a root-relative file or folder; `.` or empty is everything),
    /// found by binary search in the sorted list rather than by a look at every file.
    pub fn under<'a>(&'a self, scope: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let scope = normalize_scope(scope);
        let range = self.span(&scope);
        self.paths[range].iter().map(String::as_str).filter(move |p| in_scope(p, &scope))
    }

    /// The positions of the paths that can lie in `scope`: from the file `scope` itself to the
    /// last of the folder's files (`scope/...`, which sort before `scope0`, `0` following `/`),
    /// with the few names in between (`scope-x`, `scope.txt`) for the caller to pass over.
    fn span(&self, scope: &str) -> std::ops::Range<usize> {
        if scope.is_empty() {
            return 0..self.paths.len();
        }
        let end = format!("{scope}0");
        let first = self.paths.partition_point(|p| p.as_str() < scope);
        let last = self.paths.partition_point(|p| p.as_str() < end.as_str());
        first..last.max(first)
    }
}

/// `./docs/` -> `docs`; `.` -> ``.
pub fn normalize_scope(scope: &str) -> String {
    let s = scope.trim_start_matches("./").trim_end_matches('/');
    if s == "." { String::new() } else { s.to_string() }
}

/// Whether `path` is the file `scope` or lies under the folder `scope`.
pub fn in_scope(path: &str, scope: &str) -> bool {
    scope.is_empty()
        || path == scope
        || (path.len() > scope.len() && path.starts_with(scope) && path.as_bytes()[scope.len()] == b'/')
}

/// What a git listing holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listing {
    /// Tracked files present in the work tree, and untracked files that are not ignored.
    WorkTree,
    /// Tracked files, as the index has them.
    Tracked,
}

fn git_files(repo: &Repo, listing: Listing) -> Result<Vec<String>> {
    // One listing with each entry's state (`-t`) and mode (`-s`): tracked files deleted from
    // the work tree are listed again as `R`, submodules have mode 160000, so no file needs a
    // stat of its own.
    let work_tree: &[&str] = match listing {
        Listing::WorkTree => &["--deleted", "--others", "--exclude-standard"],
        Listing::Tracked => &[],
    };
    let args = ["ls-files", "-z", "-t", "-s", "--cached"].iter().chain(work_tree).chain(&["--full-name", "--", "."]);
    let out = repo.git_raw(args, None)?;
    if !out.status.success() {
        anyhow::bail!(
            "{}: `git ls-files` failed: {}",
            repo.root().display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    // With --root pointing below the top of the work tree, git prints paths from the top.
    let prefix = repo.prefix()?;
    let listed = parse_listing(&out.stdout);
    let deleted: std::collections::HashSet<&str> =
        listed.iter().filter(|e| e.state == State::Deleted).map(|e| &*e.path).collect();
    let mut paths = Vec::with_capacity(listed.len());
    for entry in &listed {
        let Some(rel) = entry.path.strip_prefix(prefix.as_str()) else { continue };
        let keep = match entry.state {
            State::Deleted | State::Submodule => false,
            State::Untracked => !rel.ends_with('/'),
            State::Tracked => deleted.is_empty() || !deleted.contains(&*entry.path),
            // Outside a sparse checkout's cone the file may be absent: git does not say.
            State::SkipWorktree => std::fs::symlink_metadata(repo.path(rel))
                .is_ok_and(|meta| meta.is_file() || meta.file_type().is_symlink()),
        };
        if keep {
            paths.push(rel.to_string());
        }
    }
    Ok(paths)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Tracked,
    SkipWorktree,
    Deleted,
    Submodule,
    Untracked,
}

#[derive(Debug, PartialEq, Eq)]
struct Listed<'a> {
    state: State,
    /// Borrowed from git's output (one allocation per file, for the list itself, not two).
    path: std::borrow::Cow<'a, str>,
}

/// The records of `git ls-files -z -t -s`: `TAG MODE OID STAGE<TAB>PATH` for index entries,
/// `? PATH` for untracked files.
fn parse_listing(out: &[u8]) -> Vec<Listed<'_>> {
    // memchr for the separators and std's UTF-8 check: both compiled with optimisation, unlike
    // a closure over the bytes in this crate (the dev profile), which cost ten times as much on
    // a listing of 20,000 files.
    let mut listed = Vec::with_capacity(out.len() / 64);
    let mut start = 0;
    for end in memchr::memchr_iter(0, out).chain((!out.ends_with(b"\0")).then_some(out.len())) {
        let raw = &out[start..end];
        start = end + 1;
        if raw.len() <= 2 {
            continue;
        }
        let (tag, rest) = (raw[0], &raw[2..]);
        let (mode, path) = match memchr::memchr(b'\t', rest) {
            Some(tab) if tag != b'?' => (&rest[..memchr::memchr(b' ', rest).unwrap_or(0)], &rest[tab + 1..]),
            _ => (&b""[..], rest),
        };
        let state = match tag {
            b'?' => State::Untracked,
            b'R' => State::Deleted,
            _ if mode == b"160000" => State::Submodule,
            b'S' => State::SkipWorktree,
            _ => State::Tracked,
        };
        let path = match std::str::from_utf8(path) {
            Ok(path) => std::borrow::Cow::Borrowed(path),
            Err(_) => String::from_utf8_lossy(path),
        };
        listed.push(Listed { state, path });
    }
    listed
}

/// Outside a git repository: the files git would list as untracked there, by its own ignore
/// rules (`.gitignore` in every folder, `core.excludesFile`), read through an empty scratch
/// repository whose work tree is the root; without git on the machine, every file.
fn walk_files(repo: &Repo) -> Result<Vec<String>> {
    let scratch = super::rollback_ops::TempDir::new("xtask-walk")?;
    let git_dir = scratch.path();
    // The smallest folder git takes for a repository: HEAD, objects and refs.
    for dir in ["objects", "refs"] {
        std::fs::create_dir(git_dir.join(dir)).with_context(|| format!("{}: cannot create", git_dir.display()))?;
    }
    std::fs::write(git_dir.join("HEAD"), "ref: refs/heads/main\n")
        .with_context(|| format!("{}: cannot write", git_dir.display()))?;
    let listed = repo.git_raw(
        [OsStr::new("--git-dir"), git_dir.as_os_str()]
            .into_iter()
            .chain(["--work-tree=.", "ls-files", "-z", "--others", "--exclude-standard"].map(OsStr::new)),
        None,
    );
    let out = match listed {
        Ok(out) => out,
        Err(_) if which_git().is_none() => return plain_walk(repo.root()),
        Err(e) => return Err(e),
    };
    if !out.status.success() {
        anyhow::bail!(
            "{}: `git ls-files` failed listing the folder: {}",
            repo.root().display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out
        .stdout
        .split(|&b| b == 0)
        // A folder that holds a repository of its own is listed as `name/`.
        .filter(|p| !p.is_empty() && !p.ends_with(b"/"))
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect())
}

/// The `git` on PATH, if any.
fn which_git() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("git")).find(|p| p.is_file())
}

/// Every file and symbolic link under `root` but `.git`, links never followed.
fn plain_walk(root: &Path) -> Result<Vec<String>> {
    let mut paths = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(rel) = pending.pop() {
        let dir = root.join(&rel);
        let entries = std::fs::read_dir(&dir).with_context(|| format!("{}: cannot walk the tree", dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("{}: cannot walk the tree", dir.display()))?;
            if entry.file_name() == ".git" {
                continue;
            }
            let kind = entry.file_type().with_context(|| format!("{}: cannot read", entry.path().display()))?;
            let child = rel.join(entry.file_name());
            if kind.is_dir() {
                pending.push(child);
            } else if kind.is_file() || kind.is_symlink() {
                paths.push(super::slash_path(&child));
            }
        }
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listing_says_which_entries_are_files() {
        let out = b"? new file\0H 100644 78981922613b2afb6025042ff6bd878ac1994e85 0\ta\tb\0\
R 100644 61780798228d17af2d34fce4cfbdf35556832472 0\tgone\0H 160000 1111111111111111111111111111111111111111 0\tsub\0\
S 100755 f2ad6c76f0115a6ba5b00456a849810e7ec0af20 0\tsparse/x\0? nested/\0";
        let listed = parse_listing(out);
        let states: Vec<(State, &str)> = listed.iter().map(|e| (e.state, &*e.path)).collect();
        assert_eq!(
            states,
            [
                (State::Untracked, "new file"),
                (State::Tracked, "a\tb"),
                (State::Deleted, "gone"),
                (State::Submodule, "sub"),
                (State::SkipWorktree, "sparse/x"),
                (State::Untracked, "nested/"),
            ]
        );
    }

    #[test]
    fn a_changed_list_stays_sorted_and_unique() {
        let list = FileList::from_paths(["b", "d", "f", "a"].map(String::from).to_vec());
        assert_eq!(list.iter().collect::<Vec<_>>(), ["a", "b", "d", "f"]);
        let removed = ["d"].into_iter().collect();
        let changed = list.changed(&removed, ["g", "c", "a", "0"].map(String::from).to_vec());
        assert_eq!(changed.iter().collect::<Vec<_>>(), ["0", "a", "b", "c", "f", "g"]);
    }

    #[test]
    fn the_files_under_a_scope_are_found_among_their_neighbours() {
        let names =
            ["docs", "docs a", "docs-x/a.md", "docs.md", "docs/a.md", "docs/z/b.md", "docs0", "docsx/a.md", "a", "z"];
        let list = FileList::from_paths(names.map(String::from).to_vec());
        assert_eq!(list.under("docs").collect::<Vec<_>>(), ["docs", "docs/a.md", "docs/z/b.md"]);
        assert_eq!(list.under("./docs/z/").collect::<Vec<_>>(), ["docs/z/b.md"]);
        assert_eq!(list.under("docs/a.md").collect::<Vec<_>>(), ["docs/a.md"]);
        assert_eq!(list.under(".").count(), names.len());
        assert_eq!(list.under("nothing").count(), 0);
        assert_eq!(list.under("zz").count(), 0);
        // The same as a look at every file.
        for scope in names.iter().chain(&["doc", "docs/", "docs/z", ""]) {
            let slow: Vec<&str> = list.iter().filter(|p| in_scope(p, &normalize_scope(scope))).collect();
            assert_eq!(list.under(scope).collect::<Vec<_>>(), slow, "{scope}");
        }
    }

    #[test]
    fn scopes() {
        assert!(in_scope("docs/a.md", "docs"));
        assert!(in_scope("docs", "docs"));
        assert!(!in_scope("docsx/a.md", "docs"));
        assert!(in_scope("anything", ""));
        assert_eq!(normalize_scope("./docs/"), "docs");
        assert_eq!(normalize_scope("."), "");
    }
}
