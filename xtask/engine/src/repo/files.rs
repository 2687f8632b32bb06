//! The list of files a gate reads, collected once per run and shared by every gate.

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
        let mut paths = if repo.is_git() { git_files(repo)? } else { walk_files(repo.root())? };
        paths.sort_unstable();
        paths.dedup();
        Ok(FileList { paths })
    }

    /// A list from known paths (tests, and gates given explicit files).
    pub fn from_paths(mut paths: Vec<String>) -> FileList {
        paths.sort_unstable();
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

    /// The files under `scope` (a root-relative file or folder; `.` or empty is everything).
    pub fn under<'a>(&'a self, scope: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let scope = normalize_scope(scope);
        self.iter().filter(move |p| in_scope(p, &scope))
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

fn git_files(repo: &Repo) -> Result<Vec<String>> {
    let out =
        repo.git_raw(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--full-name", "--", "."], None)?;
    if !out.status.success() {
        anyhow::bail!(
            "{}: `git ls-files` failed: {}",
            repo.root().display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    // With --root pointing below the top of the work tree, git prints paths from the top.
    let prefix = repo.git(["rev-parse", "--show-prefix"])?.trim().to_string();
    let mut paths = Vec::new();
    for raw in out.stdout.split(|&b| b == 0).filter(|p| !p.is_empty()) {
        let full = String::from_utf8_lossy(raw);
        let Some(rel) = full.strip_prefix(prefix.as_str()) else { continue };
        // Tracked files deleted from the work tree, and submodules (folders), are not files.
        match std::fs::symlink_metadata(repo.path(rel)) {
            Ok(meta) if meta.is_file() || meta.file_type().is_symlink() => paths.push(rel.to_string()),
            _ => {}
        }
    }
    Ok(paths)
}

fn walk_files(root: &Path) -> Result<Vec<String>> {
    let mut paths = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    for entry in walker {
        let entry = entry.with_context(|| format!("{}: cannot walk the tree", root.display()))?;
        let is_file = entry.file_type().is_some_and(|t| t.is_file() || t.is_symlink());
        if !is_file {
            continue;
        }
        let rel: PathBuf = entry.path().strip_prefix(root).unwrap_or(entry.path()).to_path_buf();
        paths.push(super::slash_path(&rel));
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

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
