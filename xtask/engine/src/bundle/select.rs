//! The files a bundle archives: its `include` globs minus its `exclude` globs, relative to its
//! folder, found by walking only the folders the globs can reach. A glob that names a folder
//! takes everything inside it.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::glob::{GlobBuilder, GlobSet, GlobSetBuilder};
use anyhow::{Context, Result, bail};

use super::entry::{self, Entry};

/// What to take from a folder.
#[derive(Debug)]
pub struct Rules {
    include: GlobSet,
    exclude: GlobSet,
    roots: Vec<String>,
}

impl Rules {
    /// `what` names the bundle in errors about a bad glob.
    pub fn new(include: &[String], exclude: &[String], what: &str) -> Result<Rules> {
        let set = |globs: &[String]| -> Result<GlobSet> {
            let mut b = GlobSetBuilder::new();
            for g in globs {
                let pattern = normalize(g);
                if pattern.starts_with('/') || pattern.split('/').any(|part| part == "..") {
                    bail!(
                        "{what}: the glob `{g}` leaves the bundle's folder; globs are relative to its `cwd` and stay inside it"
                    );
                }
                let glob = GlobBuilder::new(&pattern)
                    .literal_separator(true)
                    .build()
                    .with_context(|| format!("{what}: invalid glob `{g}`; fix it in xtask.toml"))?;
                b.add(glob);
            }
            Ok(b.build())
        };
        let mut roots: Vec<String> = include.iter().map(|g| literal_prefix(&normalize(g))).collect();
        roots.sort();
        roots.dedup();
        // A root inside another root is walked with it.
        let outer: Vec<String> = roots
            .iter()
            .filter(|r| !roots.iter().any(|o| o != *r && crate::repo::files::in_scope(r, o)))
            .cloned()
            .collect();
        Ok(Rules { include: set(include)?, exclude: set(exclude)?, roots: outer })
    }

    /// Whether the relative path `rel` (of a file or symlink) is taken.
    pub fn takes(&self, rel: &str) -> bool {
        let hit = |set: &GlobSet| ancestors(rel).any(|p| set.is_match(p));
        hit(&self.include) && !hit(&self.exclude)
    }
}

/// The tool's own files ([`crate::tooling`]): a detected bundle never archives them (the source
/// archive, being every tracked file, keeps them).
pub use crate::tooling::TOOL_PATHS;

/// The exclude globs, relative to a bundle's `cwd`, that keep [`TOOL_PATHS`] out of it.
pub fn tool_excludes(cwd: &str) -> Vec<String> {
    let cwd = normalize(cwd);
    TOOL_PATHS
        .iter()
        .filter_map(|tool| match cwd.as_str() {
            "" => Some(tool.to_string()),
            _ if crate::repo::files::in_scope(&cwd, tool) => Some("**".to_string()),
            _ => tool.strip_prefix(&format!("{cwd}/")).map(str::to_string),
        })
        .collect()
}

/// `./a/b/` -> `a/b`.
fn normalize(glob: &str) -> String {
    glob.trim_start_matches("./").trim_end_matches('/').to_string()
}

/// The folders (or file) a glob can reach: its components before the first with a wildcard.
fn literal_prefix(glob: &str) -> String {
    let mut parts = Vec::new();
    for part in glob.split('/') {
        if part.contains(['*', '?', '[', '{', '\\']) {
            break;
        }
        parts.push(part);
    }
    parts.join("/")
}

/// `a/b/c` -> `a/b/c`, `a/b`, `a`.
fn ancestors(rel: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(rel), |p| p.rfind('/').map(|i| &p[..i]))
}

/// Walk `base` (absolute) for the entries `rules` take, sorted by name. `shown` is how `base`
/// appears in messages (root-relative); folders in `skip` (absolute) are never entered.
pub fn select(base: &Path, shown: &str, rules: &Rules, skip: &[PathBuf]) -> Result<Vec<Entry>> {
    let mut found: BTreeMap<String, Entry> = BTreeMap::new();
    let walker = Walker { shown, rules, skip };
    for root in &rules.roots {
        let path = if root.is_empty() { base.to_path_buf() } else { base.join(root) };
        // The bundle's own folder may be a symlink to a folder; what is inside is not followed.
        let meta = if root.is_empty() { std::fs::metadata(&path) } else { std::fs::symlink_metadata(&path) };
        match meta {
            Ok(meta) if meta.is_dir() => walker.walk_dir(&path, root, &mut found)?,
            Ok(meta) => walker.visit(&path, root, &meta, &mut found)?,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(err).with_context(|| format!("{}: cannot read", walker.show(root))),
        }
    }
    check_links(&found, |rel| walker.show(rel))?;
    Ok(found.into_values().collect())
}

/// Every symlink must point at an entry of the archive (or a folder holding some): a link to
/// anything else would dangle, or reach outside, wherever the archive is unpacked.
fn check_links(found: &BTreeMap<String, Entry>, show: impl Fn(&str) -> String) -> Result<()> {
    for e in found.values() {
        let entry::Kind::Symlink { target } = &e.kind else { continue };
        let shown = show(&e.name);
        let resolved = entry::check_symlink(&e.name, target, &shown)?;
        let prefix = format!("{resolved}/");
        let inside = found.contains_key(&resolved)
            || found.range(prefix.clone()..).next().is_some_and(|(name, _)| name.starts_with(&prefix));
        if !inside {
            bail!(
                "{shown}: symlink to {target} points outside the bundle (it holds nothing named {resolved}); include the target or replace the link with a copy"
            );
        }
    }
    Ok(())
}

struct Walker<'a> {
    shown: &'a str,
    rules: &'a Rules,
    skip: &'a [PathBuf],
}

impl Walker<'_> {
    fn show(&self, rel: &str) -> String {
        match (self.shown.is_empty(), rel.is_empty()) {
            (true, _) => rel.to_string(),
            (false, true) => self.shown.to_string(),
            (false, false) => format!("{}/{rel}", self.shown),
        }
    }

    fn walk_dir(&self, dir: &Path, rel: &str, found: &mut BTreeMap<String, Entry>) -> Result<()> {
        if self.skip.iter().any(|s| s == dir) {
            return Ok(());
        }
        let read = std::fs::read_dir(dir).with_context(|| format!("{}: cannot read the folder", self.show(rel)))?;
        for item in read {
            let item = item.with_context(|| format!("{}: cannot read the folder", self.show(rel)))?;
            let name = item.file_name();
            let Some(name) = name.to_str() else {
                bail!("{}/{}: the name is not UTF-8; rename it", self.show(rel), name.to_string_lossy());
            };
            if name == ".git" {
                continue;
            }
            let child_rel = if rel.is_empty() { name.to_string() } else { format!("{rel}/{name}") };
            let path = item.path();
            let meta =
                std::fs::symlink_metadata(&path).with_context(|| format!("{}: cannot read", self.show(&child_rel)))?;
            if meta.is_dir() {
                self.walk_dir(&path, &child_rel, found)?;
            } else {
                self.visit(&path, &child_rel, &meta, found)?;
            }
        }
        Ok(())
    }

    fn visit(
        &self,
        path: &Path,
        rel: &str,
        meta: &std::fs::Metadata,
        found: &mut BTreeMap<String, Entry>,
    ) -> Result<()> {
        if !self.rules.takes(rel) {
            return Ok(());
        }
        let shown = self.show(rel);
        entry::check_name(rel).with_context(|| format!("{shown}: cannot be archived"))?;
        let kind = meta.file_type();
        let e = if kind.is_symlink() {
            let target = std::fs::read_link(path).with_context(|| format!("{shown}: cannot read the symlink"))?;
            let Some(target) = target.to_str() else { bail!("{shown}: the symlink target is not UTF-8") };
            entry::check_symlink(rel, target, &shown)?;
            Entry::symlink(rel.to_string(), target.to_string())
        } else if kind.is_file() {
            let executable = meta.permissions().mode() & 0o111 != 0;
            Entry::file(rel.to_string(), path.to_path_buf(), shown, meta.len(), executable)
        } else {
            bail!(
                "{shown}: not a regular file, folder or symlink (a socket, pipe or device); exclude it from the bundle"
            );
        };
        found.insert(rel.to_string(), e);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(include: &[&str], exclude: &[&str]) -> Rules {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Rules::new(&s(include), &s(exclude), "test").unwrap()
    }

    #[test]
    fn globs_take_files_and_folders() {
        let r = rules(&[".next/**", "public", "package.json", "*.md"], &[".next/cache/**"]);
        assert!(r.takes(".next/static/app.js"));
        assert!(!r.takes(".next/cache/x"));
        assert!(r.takes("public/a/b.png"));
        assert!(r.takes("package.json"));
        assert!(!r.takes("sub/package.json"));
        assert!(r.takes("README.md"));
        assert!(!r.takes("docs/README.md"));
        assert!(!r.takes("node_modules/x.js"));
        // `*.md` reaches the whole folder.
        assert_eq!(r.roots, [""]);
    }

    #[test]
    fn roots_are_literal_prefixes() {
        let r = rules(&["./docs/", "docs/api/**", "public/**/*.png", "package.json"], &[]);
        assert_eq!(r.roots, ["docs", "package.json", "public"]);
        assert!(Rules::new(&["a/[".to_string()], &[], "bundle x.zip").is_err());
        for outside in ["../secrets/**", "/etc/**", "a/../../b"] {
            let err = Rules::new(&[outside.to_string()], &[], "bundle x.zip").unwrap_err().to_string();
            assert!(err.contains("leaves the bundle's folder"), "{err}");
        }
    }

    #[test]
    fn the_tool_is_excluded_from_wherever_a_bundle_starts() {
        assert_eq!(tool_excludes(""), TOOL_PATHS);
        assert_eq!(tool_excludes("docs"), Vec::<String>::new());
        assert_eq!(tool_excludes("xtask/engine"), ["**"]);
        let r = Rules::new(&["**".to_string()], &tool_excludes(""), "test").unwrap();
        for tool in [
            "xtask/src/main.rs",
            "xtask/engine/Cargo.toml",
            ".cargo/config.toml",
            "xtask.toml",
            ".github/workflows/ci.yml",
        ] {
            assert!(!r.takes(tool), "{tool}");
        }
        assert!(r.takes("docs/xtask.md") && r.takes("xtask-notes.txt") && r.takes("public/.github"));
    }

    #[test]
    fn walks_sorted_and_skips_git_and_out() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        for f in ["b/2.txt", "b/1.txt", "a.txt", ".git/config", "dist/old.zip", "b/.git/x"] {
            let p = base.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, f).unwrap();
        }
        std::os::unix::fs::symlink("1.txt", base.join("b/link")).unwrap();
        let entries = select(base, "front", &rules(&["**"], &[]), &[base.join("dist")]).unwrap();
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["a.txt", "b/1.txt", "b/2.txt", "b/link"]);
        assert_eq!(entries[3].kind, entry::Kind::Symlink { target: "1.txt".into() });
        let err = select(base, "front", &rules(&["b/link"], &[]), &[]).unwrap_err().to_string();
        assert!(err.contains("front/b/link") && err.contains("holds nothing named b/1.txt"), "{err}");
        std::os::unix::fs::symlink("../../etc/passwd", base.join("b/escape")).unwrap();
        let err = select(base, "front", &rules(&["**"], &[]), &[]).unwrap_err().to_string();
        assert!(err.contains("front/b/escape") && err.contains("outside"), "{err}");
    }
}
