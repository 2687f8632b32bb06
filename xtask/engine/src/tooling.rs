//! The tool is not the product: the paths that hold the release tool itself (the `xtask/`
//! crate, its Cargo workspace, `.cargo/`, `xtask.toml`, `.github/`), which detection never takes
//! as version sources or scanner inputs, and which `rollback` keeps at today's content.
//!
//! Configuration wins over detection: a folder inside those paths that holds a configured
//! `[[version]]` (this repository's own `xtask/engine/Cargo.toml`) is the product, not the tool.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::repo::files::in_scope;
use crate::repo::{FileList, Repo};

/// The files and folders of the tool, whatever the repository: the in-repo xtask crate, cargo's
/// alias folder, the tool's configuration and the forge's workflows.
pub const TOOL_PATHS: &[&str] = &["xtask", ".cargo", "xtask.toml", ".github"];

/// The root manifests of a Cargo workspace, which are the tool's when every member is.
const WORKSPACE_FILES: &[&str] = &["Cargo.toml", "Cargo.lock"];

/// Which paths of one repository are the tool's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tooling {
    /// Root-relative files and folders of the tool (present in the repository or not).
    pub paths: Vec<String>,
    /// Folders inside `paths` that configuration names as the product.
    pub product: Vec<String>,
    /// The root `Cargo.toml` has a `[workspace.package] version` that no product crate uses, so
    /// it is not a version of the product (even when the workspace also holds product crates).
    pub workspace_version_is_tools: bool,
    /// The tool's files in the repository, sorted.
    pub files: Vec<String>,
}

impl Tooling {
    /// The tool's paths in `repo`, whose files are `files`; `configured` are the paths of the
    /// configured `[[version]]` entries (empty when versions are detected).
    pub fn of(repo: &Repo, files: &FileList, configured: &[String]) -> Tooling {
        let mut tooling = Tooling {
            paths: TOOL_PATHS.iter().map(|p| p.to_string()).collect(),
            product: configured
                .iter()
                .map(|p| crate::detect::parent(p).to_string())
                .filter(|dir| !dir.is_empty() && TOOL_PATHS.iter().any(|t| in_scope(dir, t)))
                .collect(),
            workspace_version_is_tools: false,
            files: Vec::new(),
        };
        tooling.product.sort();
        tooling.product.dedup();
        if let Some(workspace) = root_workspace(repo, files) {
            tooling.add_workspace(&workspace, configured);
        }
        // Each of the tool's paths is a file or a folder: its files are found in the sorted
        // list, never by a look at every file of a large tree.
        let mut found: Vec<String> = (tooling.paths.iter())
            .flat_map(|path| files.under(path))
            .filter(|f| tooling.contains(f))
            .map(str::to_string)
            .collect();
        found.sort_unstable();
        found.dedup();
        tooling.files = found;
        tooling
    }

    /// The root manifests are the tool's when every member of their workspace is.
    fn add_workspace(&mut self, workspace: &Workspace, configured: &[String]) {
        let members_are_tools = workspace.members.iter().all(|m| self.contains(m));
        let configured_root = configured.iter().any(|p| WORKSPACE_FILES.contains(&p.as_str()));
        if workspace.package.is_none() && members_are_tools && !configured_root {
            self.paths.extend(WORKSPACE_FILES.iter().map(|p| p.to_string()));
        }
        self.workspace_version_is_tools =
            workspace.package.is_none() && !configured_root && !workspace.inheriting.iter().any(|m| !self.contains(m));
    }

    /// Whether the root-relative `path` (a file or a folder) is the tool's.
    pub fn contains(&self, path: &str) -> bool {
        // The tool's paths are top-level names: one comparison each, for lists of many files.
        let top = path.find('/').map_or(path, |i| &path[..i]);
        self.paths.iter().any(|t| t == top || (t.contains('/') && in_scope(path, t)))
            && !self.product.iter().any(|p| in_scope(path, p))
    }

    /// The files that are the product's: `files` (the list the tooling was made from) without
    /// the tool's.
    pub fn product_files(&self, files: &FileList) -> FileList {
        if self.files.is_empty() {
            return files.clone();
        }
        let tool = |p: &&str| self.files.binary_search_by(|t| t.as_str().cmp(p)).is_ok();
        FileList::from_paths(files.iter().filter(|p| !tool(p)).map(str::to_string).collect())
    }

    /// Whether detection may take `path` as a version source.
    pub fn may_hold_the_version(&self, path: &str) -> bool {
        let unused_workspace_version = path == "Cargo.toml" && self.workspace_version_is_tools;
        !(self.contains(path) || unused_workspace_version)
    }

    /// `exclude` globs that keep the tool's files out of a gate that checks `scopes` (`.` is
    /// everything): a whole folder as `DIR/**`, or, where configuration names a product folder
    /// inside it, each of the tool's files there.
    pub fn exclude_globs(&self, scopes: &[String]) -> Vec<String> {
        let scopes: Vec<String> = scopes.iter().map(|s| crate::repo::files::normalize_scope(s)).collect();
        let reaches = |path: &str| scopes.iter().any(|s| in_scope(path, s) || in_scope(s, path));
        let mut globs = BTreeSet::new();
        for file in &self.files {
            let top = file.find('/').map_or(file.as_str(), |i| &file[..i]);
            if !reaches(top) {
                continue;
            }
            // A file at the top, or one beside a product folder: by name; else the whole folder.
            if top == file || self.product.iter().any(|p| in_scope(p, top)) {
                globs.insert(escape_glob(file));
            } else {
                globs.insert(format!("{}/**", escape_glob(top)));
            }
        }
        globs.into_iter().collect()
    }
}

/// A glob that matches exactly `path`.
fn escape_glob(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if "*?[]{}\\".contains(c) {
            out.push('[');
            out.push(c);
            out.push(']');
        } else {
            out.push(c);
        }
    }
    out
}

/// What the root `Cargo.toml` says about its workspace.
struct Workspace {
    /// `[package] name`, when the root is a crate too.
    package: Option<String>,
    /// The folders of its members.
    members: Vec<String>,
    /// The members whose version is `version.workspace = true`.
    inheriting: Vec<String>,
}

/// The root `Cargo.toml`'s workspace, when it has one.
fn root_workspace(repo: &Repo, files: &FileList) -> Option<Workspace> {
    if !files.iter().any(|p| p == "Cargo.toml") {
        return None;
    }
    let text = std::fs::read_to_string(repo.path("Cargo.toml")).ok()?;
    let doc = text.parse::<toml_edit::DocumentMut>().ok()?;
    let workspace = doc.get("workspace")?;
    let package = doc.get("package").map(|p| p.get("name").and_then(|n| n.as_str()).unwrap_or_default().to_string());
    let patterns: Vec<&str> = workspace
        .get("members")
        .and_then(|m| m.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let known: BTreeSet<&str> = files.iter().collect();
    let mut members = Vec::new();
    for pattern in patterns {
        for dir in crate::detect::member_dirs(&known, pattern) {
            if known.contains(format!("{dir}/Cargo.toml").as_str()) {
                members.push(dir);
            }
        }
    }
    let inheriting = members.iter().filter(|m| inherits_version(repo, m)).cloned().collect();
    Some(Workspace { package, members, inheriting })
}

/// Whether `DIR/Cargo.toml` takes its version from the workspace.
fn inherits_version(repo: &Repo, dir: &str) -> bool {
    let Ok(text) = std::fs::read_to_string(repo.path(format!("{dir}/Cargo.toml"))) else { return false };
    let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else { return false };
    let version = doc.get("package").and_then(|p| p.get("version"));
    version.and_then(|v| v.get("workspace")).and_then(|w| w.as_bool()) == Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Repo, FileList) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        let repo = Repo::open(Some(dir.path())).unwrap();
        let list = FileList::from_paths(files.iter().map(|(p, _)| p.to_string()).collect());
        (dir, repo, list)
    }

    const SHIM: &str = "[package]\nname = \"xtask\"\nversion = \"0.1.0\"\n";

    #[test]
    fn the_xtask_crate_its_workspace_and_the_forge_are_the_tool() {
        let (_dir, repo, files) = repo_with(&[
            ("Cargo.toml", "[workspace]\nmembers = [\"xtask\"]\n\n[workspace.package]\nversion = \"0.3.0\"\n"),
            ("Cargo.lock", "version = 4\n"),
            ("xtask/Cargo.toml", "[package]\nname = \"xtask\"\nversion.workspace = true\n"),
            ("xtask/src/main.rs", "fn main() {}\n"),
            (".cargo/config.toml", "[alias]\n"),
            (".github/workflows/ci.yml", "on: push\n"),
            ("xtask.toml", "[release]\n"),
            ("backend/pyproject.toml", "[project]\nversion = \"1.0.0\"\n"),
            ("xtaskish/notes.md", "not the tool\n"),
        ]);
        let tooling = Tooling::of(&repo, &files, &[]);
        let tool: Vec<&str> = files.iter().filter(|p| tooling.contains(p)).collect();
        assert_eq!(
            tool,
            [
                ".cargo/config.toml",
                ".github/workflows/ci.yml",
                "Cargo.lock",
                "Cargo.toml",
                "xtask.toml",
                "xtask/Cargo.toml",
                "xtask/src/main.rs"
            ]
        );
        assert!(!tooling.may_hold_the_version("Cargo.toml"));
        assert!(tooling.may_hold_the_version("backend/pyproject.toml"));
        let product: Vec<String> = tooling.product_files(&files).iter().map(String::from).collect();
        assert_eq!(product, ["backend/pyproject.toml", "xtaskish/notes.md"]);
        assert_eq!(
            tooling.exclude_globs(&[".".into()]),
            [".cargo/**", ".github/**", "Cargo.lock", "Cargo.toml", "xtask.toml", "xtask/**"]
        );
        assert!(tooling.exclude_globs(&["docs".into()]).is_empty(), "docs/ holds none of the tool");
    }

    #[test]
    fn a_workspace_with_product_crates_is_the_product() {
        let (_dir, repo, files) = repo_with(&[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"xtask\", \"crates/*\"]\n\n[workspace.package]\nversion = \"2.0.0\"\n",
            ),
            ("xtask/Cargo.toml", SHIM),
            ("crates/core/Cargo.toml", "[package]\nname = \"core\"\nversion.workspace = true\n"),
        ]);
        let tooling = Tooling::of(&repo, &files, &[]);
        assert!(!tooling.contains("Cargo.toml") && !tooling.contains("Cargo.lock"));
        assert!(tooling.may_hold_the_version("Cargo.toml"), "a product crate inherits the version");
        assert!(tooling.contains("xtask/Cargo.toml"));
    }

    #[test]
    fn a_workspace_version_only_the_tool_inherits_is_not_the_products() {
        let (_dir, repo, files) = repo_with(&[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"xtask\", \"tools/gen\"]\n\n[workspace.package]\nversion = \"0.3.0\"\n",
            ),
            ("xtask/Cargo.toml", "[package]\nname = \"xtask\"\nversion.workspace = true\n"),
            ("tools/gen/Cargo.toml", "[package]\nname = \"gen\"\nversion = \"1.0.0\"\n"),
        ]);
        let tooling = Tooling::of(&repo, &files, &[]);
        assert!(!tooling.contains("Cargo.toml"), "tools/gen is a product crate");
        assert!(!tooling.may_hold_the_version("Cargo.toml"), "only the xtask uses the workspace version");
    }

    #[test]
    fn a_configured_version_inside_the_tool_makes_its_folder_the_product() {
        let (_dir, repo, files) = repo_with(&[
            ("Cargo.toml", "[workspace]\nmembers = [\"xtask\", \"xtask/engine\"]\n"),
            ("xtask/Cargo.toml", SHIM),
            ("xtask/src/main.rs", "fn main() {}\n"),
            ("xtask/engine/Cargo.toml", "[package]\nname = \"polyrelease\"\nversion = \"0.1.0\"\n"),
            ("xtask/engine/src/lib.rs", "\n"),
            ("xtask/engine/tests/[odd].rs", "\n"),
        ]);
        let tooling = Tooling::of(&repo, &files, &["xtask/engine/Cargo.toml".into()]);
        assert!(!tooling.contains("xtask/engine/src/lib.rs"));
        assert!(tooling.contains("xtask/src/main.rs"));
        assert!(!tooling.contains("Cargo.toml"), "the workspace holds the product");
        assert_eq!(
            tooling.exclude_globs(&[".".into()]),
            ["xtask/Cargo.toml", "xtask/src/main.rs"],
            "the shim's files one by one, the engine checked"
        );
        assert_eq!(escape_glob("a/[odd]*.rs"), "a/[[]odd[]][*].rs");
        let glob = crate::glob::Glob::new(&escape_glob("xtask/engine/tests/[odd].rs")).unwrap();
        assert!(glob.is_match("xtask/engine/tests/[odd].rs") && !glob.is_match("xtask/engine/tests/o.rs"));
    }
}
