//! Which files a gate reads: its `paths` (files or folders) within the project's file list,
//! narrowed by file-name globs and `exclude` globs.

use crate::glob::{Glob, GlobSet, GlobSetBuilder};
use anyhow::{Context, Result};

use crate::project::{GateKind, Project};
use crate::repo::files::{in_scope, normalize_scope};

/// A gate's choice of files. A path named exactly in `paths` is always checked (the seed
/// script silently checked nothing when given a file); inside folders, `names` (file-name
/// globs) and `exclude` (globs on the root-relative path or the file name) decide, and hidden
/// files are left out when `skip_hidden` is set.
#[derive(Debug)]
pub struct Selector {
    scopes: Vec<String>,
    names: Option<GlobSet>,
    exclude: GlobSet,
    skip_hidden: bool,
}

impl Selector {
    pub fn new(paths: &[String], names: Option<&[String]>, exclude: &[String], skip_hidden: bool) -> Result<Selector> {
        let names = names.map(|n| globs(n, "files")).transpose()?;
        Ok(Selector {
            scopes: paths.iter().map(|p| normalize_scope(p)).collect(),
            names,
            exclude: globs(exclude, "exclude")?,
            skip_hidden,
        })
    }

    /// Whether the gate checks `path` (root-relative, forward slashes).
    pub fn matches(&self, path: &str) -> bool {
        let name = path.rsplit('/').next().unwrap_or(path);
        let mut inside = None;
        for scope in &self.scopes {
            if path == scope {
                return true;
            }
            if in_scope(path, scope) {
                inside = Some(scope);
            }
        }
        let Some(scope) = inside else { return false };
        if self.skip_hidden {
            let below = if scope.is_empty() { path } else { &path[scope.len() + 1..] };
            if below.split('/').any(|part| part.starts_with('.')) {
                return false;
            }
        }
        if self.names.as_ref().is_some_and(|n| !n.is_match(name)) {
            return false;
        }
        !(self.exclude.is_match(path) || self.exclude.is_match(name))
    }

    /// The files of the project this gate checks, in the file list's (sorted) order.
    pub fn files<'a>(&'a self, project: &'a Project) -> impl Iterator<Item = &'a str> + 'a {
        project.files.iter().filter(move |p| self.matches(p))
    }

    /// Configured paths that name nothing: neither a file of the project, nor a folder holding
    /// some, nor a folder on disk. A typo here would otherwise check nothing and pass.
    pub fn missing(&self, project: &Project) -> Vec<String> {
        self.scopes
            .iter()
            .filter(|scope| {
                !scope.is_empty()
                    && project.files.under(scope).next().is_none()
                    && !project.repo.path(scope.as_str()).is_dir()
            })
            .map(|s| s.to_string())
            .collect()
    }
}

impl Selector {
    /// The files a file-reading gate (ascii, ellipsis, links, compile) checks, as its runner
    /// selects them; `None` for the gates that read no selection of files.
    pub fn of(kind: &GateKind) -> Option<Result<Selector>> {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Some(match kind {
            GateKind::Ascii { paths, files, exclude } => Selector::new(paths, Some(files), exclude, false),
            GateKind::Ellipsis { paths, exclude, .. } => Selector::new(paths, None, exclude, true),
            GateKind::Links { paths, exclude } => {
                Selector::new(paths, Some(&names(&["*.md", "*.markdown"])), exclude, false)
            }
            GateKind::Compile { paths, exclude, .. } => Selector::new(paths, Some(&names(&["*.py"])), exclude, false),
            GateKind::Lint(spec) => {
                let (paths, names) = spec.reads();
                Selector::new(&paths, names.as_deref(), &[], false)
            }
            GateKind::Versions | GateKind::Tests { .. } | GateKind::Command(_) | GateKind::Commits { .. } => {
                return None;
            }
        })
    }
}

pub fn globs(patterns: &[String], key: &str) -> Result<GlobSet> {
    let mut set = GlobSetBuilder::new();
    for p in patterns {
        set.add(Glob::new(p).with_context(|| format!("{key}: {p:?} is not a valid glob"))?);
    }
    Ok(set.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn names_exclude_and_hidden() {
        let sel = Selector::new(&s(&["docs"]), Some(&s(&["*.md"])), &s(&["docs/old/**"]), false).unwrap();
        assert!(sel.matches("docs/a.md"));
        assert!(sel.matches("docs/.hidden/a.md"));
        assert!(!sel.matches("docs/a.MD"), "file-name globs are case-sensitive");
        assert!(!sel.matches("docs/a.txt"));
        assert!(!sel.matches("docs/old/a.md"));
        assert!(!sel.matches("docsx/a.md"));
        let code = Selector::new(&s(&["."]), None, &s(&["*.md"]), true).unwrap();
        assert!(code.matches("src/a.py"));
        assert!(!code.matches("src/deep/README.md"));
        assert!(code.matches("README.MD"));
        assert!(!code.matches(".github/x.yml"));
        assert!(!code.matches("src/.env"));
        // Hidden folders named in `paths` are checked; hidden files inside them are not.
        let hidden = Selector::new(&s(&[".github"]), None, &[], true).unwrap();
        assert!(hidden.matches(".github/workflows/ci.yml"));
        assert!(!hidden.matches(".github/.secret"));
    }

    #[test]
    fn a_file_named_in_paths_is_always_checked() {
        let sel =
            Selector::new(&s(&["RELEASE_NOTES.txt", "./docs/"]), Some(&s(&["*.md"])), &s(&["*.txt"]), true).unwrap();
        assert!(sel.matches("RELEASE_NOTES.txt"));
        assert!(sel.matches("docs/x.md"));
        assert!(!sel.matches("docs/x.txt"));
    }

    #[test]
    fn bad_globs_name_the_key() {
        let err = Selector::new(&s(&["."]), None, &s(&["a[b"]), false).unwrap_err();
        assert!(format!("{err:#}").contains("exclude: \"a[b\""), "{err:#}");
    }
}
