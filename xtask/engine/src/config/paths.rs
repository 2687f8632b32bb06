//! Every path `xtask.toml` configures stays inside the repository: a version source, the
//! changelog, a gate's paths, a command's or a bundle's folder and a bundle's globs. A path
//! that leaves it (`../outside.txt`, `/etc/passwd`) is an error at load, naming the key and its
//! line, before anything is read or written; so is a file the release writes (a version
//! source, the changelog) reached through a symlinked folder that leads elsewhere.

use std::path::{Component, Path};

use anyhow::{Result, bail};

use super::{Config, line_of};

/// One configured path: the key that holds it, the value, and how it is meant.
struct Configured<'a> {
    key: String,
    value: &'a str,
    /// A glob relative to a bundle's folder (`include`, `exclude`, `collect`), which must stay
    /// inside that folder; otherwise a path relative to the root.
    glob_in: Option<&'a str>,
    /// A file `release` writes: it must not lead outside through a symlink either. (A folder
    /// that is read, such as a bundle's, may be a link to a build elsewhere.)
    written: bool,
}

impl Config {
    fn configured_paths(&self) -> Vec<Configured<'_>> {
        let path = |key: &str, value| Configured { key: key.to_string(), value, glob_in: None, written: false };
        let written = |key: &str, value| Configured { written: true, ..path(key, value) };
        let mut all = Vec::new();
        if let Some(changelog) = &self.release.changelog {
            all.push(written("[release] changelog", changelog));
        }
        for v in self.versions.iter().flatten() {
            all.push(written("[[version]] path", &v.path));
        }
        for p in self.packages.iter().flatten() {
            all.push(path("[[package]] folder", &p.folder));
            all.extend(p.changelog.iter().map(|c| written("[[package]] changelog", c)));
            all.extend(p.versions.iter().flatten().map(|v| written("[[package.version]] path", &v.path)));
            all.extend(p.shared.iter().flatten().map(|s| path("[[package]] shared", s)));
        }
        for g in self.groups.iter().flatten() {
            all.extend(g.shared.iter().flatten().map(|s| path("[[group]] shared", s)));
            all.extend(g.changelog.iter().map(|c| written("[[group]] changelog", c)));
        }
        let g = &self.gates;
        let gate_paths = [
            ("ascii", g.ascii.as_ref().and_then(|x| x.paths.as_ref())),
            ("ellipsis", g.ellipsis.as_ref().and_then(|x| x.paths.as_ref())),
            ("compile", g.compile.as_ref().and_then(|x| x.paths.as_ref())),
            ("links", g.links.as_ref().and_then(|x| x.paths.as_ref())),
        ];
        for (gate, paths) in gate_paths {
            all.extend(paths.into_iter().flatten().map(|p| path(&format!("[gates.{gate}] paths"), p)));
        }
        for c in g.command.iter().flatten() {
            all.extend(c.cwd.iter().map(|p| path("[[gates.command]] cwd", p)));
        }
        for b in self.bundles.iter().flatten() {
            let cwd = b.cwd.as_deref().unwrap_or("");
            all.extend(b.cwd.iter().map(|p| path("[[bundle]] cwd", p)));
            for (key, globs) in [("include", &b.include), ("exclude", &b.exclude), ("collect", &b.collect)] {
                all.extend(globs.iter().map(|g| Configured {
                    key: format!("[[bundle]] {key}"),
                    // `{tmp}/...` is the bundle's scratch folder, outside the tree on purpose.
                    value: g.strip_prefix(crate::bundle::build::TMP).map(|r| r.trim_start_matches('/')).unwrap_or(g),
                    glob_in: Some(cwd),
                    written: false,
                }));
            }
        }
        all
    }

    /// Refuse, by key and line, a configured path that leaves the repository as written.
    pub(super) fn check_paths(&self, text: &str) -> Result<()> {
        for c in self.configured_paths() {
            let line = line_of(text, c.value).map(|l| format!("line {l}: ")).unwrap_or_default();
            match c.glob_in {
                None if leaves(c.value) => bail!(
                    "{line}{} {:?} is outside the repository; give a path relative to the root, inside it",
                    c.key,
                    c.value
                ),
                Some(_) if leaves(c.value) || c.value.split('/').any(|part| part == "..") => bail!(
                    "{line}{} {:?} leaves the bundle's folder; globs are relative to its `cwd` and stay inside it",
                    c.key,
                    c.value
                ),
                _ => {}
            }
        }
        Ok(())
    }

    /// Refuse a file `release` writes that is reached outside `root` through a symlink (a
    /// folder of the tree that links elsewhere). Only metadata is read.
    pub(super) fn check_symlinked_paths(&self, root: &Path, text: &str) -> Result<()> {
        let Ok(real_root) = root.canonicalize() else { return Ok(()) };
        for c in self.configured_paths().into_iter().filter(|c| c.written) {
            // The deepest part of the path that exists, resolved.
            let mut probe = root.join(c.value);
            let resolved = loop {
                match probe.canonicalize() {
                    Ok(real) => break Some(real),
                    Err(_) if probe.pop() && probe.starts_with(root) => continue,
                    Err(_) => break None,
                }
            };
            if resolved.is_some_and(|real| !real.starts_with(&real_root)) {
                let line = line_of(text, c.value).map(|l| format!("line {l}: ")).unwrap_or_default();
                bail!(
                    "{line}{} {:?} leads outside the repository through a symlink; give a path inside it",
                    c.key,
                    c.value
                );
            }
        }
        Ok(())
    }
}

/// Whether a relative path, read from the root, is absolute or climbs above the root.
fn leaves(path: &str) -> bool {
    let path = Path::new(path);
    if path.is_absolute() || path.as_os_str().to_string_lossy().starts_with('\\') {
        return true;
    }
    let mut depth = 0usize;
    for part in path.components() {
        match part {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir if depth == 0 => return true,
            Component::ParentDir => depth -= 1,
            Component::RootDir | Component::Prefix(_) => return true,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        Config::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn paths_outside_the_repository_name_key_and_line() {
        let e = err("[release]\nname = \"x\"\n\n[[version]]\npath = \"../outside.txt\"\n");
        assert_eq!(
            e,
            "line 5: [[version]] path \"../outside.txt\" is outside the repository; give a path relative to the root, inside it"
        );
        assert!(err("[release]\nchangelog = \"../X.md\"\n").starts_with("line 2: [release] changelog \"../X.md\""));
        assert!(
            err("[[version]]\npath = \"/etc/hostname\"\n").contains("[[version]] path \"/etc/hostname\" is outside")
        );
        assert!(err("[gates.links]\npaths = [\"docs\", \"a/../../b\"]\n").starts_with("line 2: [gates.links] paths"));
        assert!(err("[gates.ascii]\npaths = [\"/srv\"]\n").contains("[gates.ascii] paths"));
        assert!(
            err("[[gates.command]]\nname = \"t\"\nrun = [\"true\"]\ncwd = \"..\"\n")
                .contains("line 4: [[gates.command]] cwd")
        );
        assert!(
            err("[[bundle]]\nname = \"x.zip\"\ncwd = \"../elsewhere\"\ninclude = [\"**\"]\n")
                .contains("line 3: [[bundle]] cwd")
        );
        let e = err("[[bundle]]\nname = \"x.zip\"\ncwd = \"docs\"\n\ninclude = [\"../backend/**\"]\n");
        assert!(e.starts_with("line 5: [[bundle]] include \"../backend/**\" leaves the bundle's folder"), "{e}");
        assert!(err("[[bundle]]\nname = \"d\"\ncollect = [\"{tmp}/../x\"]\n").contains("[[bundle]] collect"));
    }

    #[test]
    fn paths_inside_are_accepted() {
        let text = "[release]\nchangelog = \"docs/CHANGES.md\"\n[[version]]\npath = \"./backend/../VERSION\"\n[gates.ellipsis]\npaths = [\".\"]\n[[bundle]]\nname = \"d\"\ncwd = \"backend\"\ncollect = [\"{tmp}/*.whl\", \"dist/*.tar.gz\"]\n";
        Config::parse(text).unwrap();
        assert!(!leaves("a/b/.."));
        assert!(leaves("a/../.."));
    }

    #[test]
    fn a_folder_that_links_outside_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("shared")).unwrap();
        std::fs::create_dir(root.path().join("docs")).unwrap();
        let text = "[[version]]\npath = \"shared/VERSION\"\n";
        let config = Config::parse(text).unwrap();
        let e = config.check_symlinked_paths(root.path(), text).unwrap_err().to_string();
        assert_eq!(
            e,
            "line 2: [[version]] path \"shared/VERSION\" leads outside the repository through a symlink; give a path inside it"
        );
        let text = "[gates.links]\npaths = [\"docs\", \"docs/missing/deeper\"]\n";
        Config::parse(text).unwrap().check_symlinked_paths(root.path(), text).unwrap();
        // A folder that is only read may link to a build elsewhere.
        let text = "[[bundle]]\nname = \"x.zip\"\ncwd = \"shared\"\ninclude = [\"**\"]\n";
        Config::parse(text).unwrap().check_symlinked_paths(root.path(), text).unwrap();
    }
}
