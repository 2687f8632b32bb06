//! The key of a gate's run: a SHA-256 of everything its result depends on. Files are named by
//! git's object ids: for a tracked file that is unchanged since the index, the id the index
//! holds (the file is not read); for the others (modified, untracked), the id `git add` would
//! give them, so committing a file does not change a key.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::Result;
use sha2::{Digest, Sha256};

use super::inputs::Inputs;
use crate::bundle::checksums::{digest_file, hex};
use crate::repo::objects::Indexed;
use crate::repo::{FileList, Repo};

/// The version of what goes into a key; a change here orphans every old entry.
const FORMAT: &str = "polyrelease gate cache 1";

/// The id of every file of the project at one moment: `MODE ID` by root-relative path, in the
/// file list's (sorted) order.
#[derive(Debug, PartialEq, Eq)]
pub struct Facts {
    ids: Vec<(String, String)>,
}

impl Facts {
    /// Ask git (never reading a file it knows to be unchanged) for the id of every file in `files`.
    pub fn gather(repo: &Repo, files: &FileList, index: &HashMap<String, Indexed>) -> Result<Facts> {
        let unstaged: HashSet<String> = repo.unstaged_paths()?.into_iter().collect();
        let mut ids: Vec<(String, Option<String>)> = Vec::with_capacity(files.len());
        let mut to_hash: Vec<(usize, &str, &'static str)> = Vec::new();
        for path in files.iter() {
            let known = index.get(path).filter(|_| !unstaged.contains(path));
            let id = match known {
                Some(entry) => Some(format!("{} {}", entry.mode, entry.id)),
                None => match std::fs::symlink_metadata(repo.path(path)) {
                    Ok(meta) if meta.file_type().is_symlink() => {
                        let target = std::fs::read_link(repo.path(path)).unwrap_or_default();
                        Some(format!("120000 link:{}", target.to_string_lossy()))
                    }
                    Ok(meta) => {
                        let mode = if meta.permissions().mode() & 0o111 != 0 { "100755" } else { "100644" };
                        if path.contains('\n') || path.starts_with('"') {
                            Some(own_id(&repo.path(path), mode))
                        } else {
                            to_hash.push((ids.len(), path, mode));
                            None
                        }
                    }
                    Err(e) => Some(format!("missing {:?}", e.kind())),
                },
            };
            ids.push((path.to_string(), id));
        }
        let paths: Vec<&str> = to_hash.iter().map(|(_, p, _)| *p).collect();
        // A file that vanished or cannot be read makes git refuse the whole list; then each is
        // hashed here (its id differs from git's, which only costs a cache miss).
        let hashed = repo.hash_files(&paths).ok();
        for (n, (slot, path, mode)) in to_hash.iter().enumerate() {
            ids[*slot].1 = Some(match &hashed {
                Some(h) => format!("{mode} {}", h[n]),
                None => own_id(&repo.path(path), mode),
            });
        }
        Ok(Facts { ids: ids.into_iter().map(|(p, id)| (p, id.unwrap_or_default())).collect() })
    }

    /// Facts from known ids (tests).
    pub fn from_ids(mut ids: Vec<(String, String)>) -> Facts {
        ids.sort();
        Facts { ids }
    }

    fn get(&self, path: &str) -> Option<&str> {
        self.ids.binary_search_by(|(p, _)| p.as_str().cmp(path)).ok().map(|i| self.ids[i].1.as_str())
    }
}

/// A file's SHA-256 when git cannot name it.
fn own_id(path: &Path, mode: &str) -> String {
    match digest_file(path, "") {
        Ok((_, digest)) => format!("{mode} sha256:{digest}"),
        Err(_) => format!("{mode} unreadable"),
    }
}

/// The key of a gate with `inputs` over `facts`, run by the engine `engine` in `root`. `env`
/// reads the environment (`PATH` included, to find the programs).
pub fn key(
    inputs: &Inputs,
    facts: &Facts,
    engine: &str,
    root: &Path,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> String {
    let mut h = Fields(Sha256::new());
    h.field(FORMAT);
    h.field(engine);
    h.field(&inputs.definition);
    for name in &inputs.env {
        h.field(name);
        match env(name) {
            Some(value) => h.field(&format!("={}", value.to_string_lossy())),
            None => h.field("unset"),
        }
    }
    for (program, cwd) in &inputs.programs {
        h.field(&program_identity(program, cwd, root, facts, env));
    }
    h.field("files");
    for (path, id) in facts.ids.iter().filter(|(p, _)| inputs.reads(p)) {
        h.field(path);
        h.field(id);
    }
    if inputs.tree {
        h.field("tree");
        for (path, _) in &facts.ids {
            h.field(path);
        }
    }
    hex(&h.0.finalize())
}

/// NUL-terminated fields, so no two different lists of fields hash alike.
struct Fields(Sha256);

impl Fields {
    fn field(&mut self, s: &str) {
        self.0.update(s.as_bytes());
        self.0.update([0]);
    }
}

/// What identifies the program a gate runs. A program inside the root is named by its path and
/// object id; one found on `PATH` (or given by an absolute path) by where it resolves to, its
/// size and modification time, so an upgrade or another `PATH` changes the key. A tool manager's
/// shim (rustup, pyenv) stays the same when the toolchain behind it changes: list what selects
/// it in the gate's `env` or `inputs`.
fn program_identity(
    program: &str,
    cwd: &str,
    root: &Path,
    facts: &Facts,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> String {
    let found: Option<PathBuf> = if program.contains('/') {
        Some(root.join(cwd).join(program))
    } else {
        env("PATH").and_then(|path| {
            std::env::split_paths(&path).map(|dir| root.join(cwd).join(dir).join(program)).find(|p| is_executable(p))
        })
    };
    let Some(found) = found else { return format!("program {program}: not found") };
    let real = found.canonicalize().unwrap_or_else(|_| found.clone());
    // A program the project tracks (or holds untracked) is named by its content; one in an
    // ignored folder (`.venv/bin/python`) by its file, like a program from outside.
    if let Ok(rel) = real.strip_prefix(root) {
        let rel = crate::repo::slash_path(rel);
        if let Some(id) = facts.get(&rel) {
            return format!("program {program}: {rel} {id}");
        }
    }
    match std::fs::metadata(&real) {
        Ok(meta) => {
            format!("program {program}: {} {} {}.{}", real.display(), meta.len(), meta.mtime(), meta.mtime_nsec())
        }
        Err(e) => format!("program {program}: {} {:?}", real.display(), e.kind()),
    }
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gates::cache::Settings;
    use crate::project::{CommandSpec, GateKind, GateSpec, Origin, Project};

    fn inputs(cwd: &str, program: &str, settings: Settings) -> Inputs {
        let dir = tempfile::tempdir().unwrap();
        let project =
            Project::resolve(Repo::open(Some(dir.path())).unwrap(), Default::default(), None, FileList::default());
        let run = vec![program.to_string()];
        let gate = GateSpec {
            name: "lint".into(),
            kind: GateKind::Command(CommandSpec { run, cwd: cwd.into(), env: Default::default() }),
            origin: Origin::Configured,
            cache: settings,
            when_env: None,
        };
        Inputs::of(&gate, &project).unwrap()
    }

    fn facts(pairs: &[(&str, &str)]) -> Facts {
        Facts::from_ids(pairs.iter().map(|(p, id)| (p.to_string(), id.to_string())).collect())
    }

    #[test]
    fn the_key_follows_the_files_read_the_env_listed_and_the_engine() {
        let root = Path::new("/nonexistent-root");
        let no_env = |_: &str| None;
        let inp = inputs("backend", "lint", Settings { env: vec!["MODE".into()], ..Settings::default() });
        let base = facts(&[("backend/a.py", "100644 aa"), ("docs/x.md", "100644 dd")]);
        let k = key(&inp, &base, "e1", root, &no_env);
        assert_eq!(k.len(), 64);
        assert_eq!(k, key(&inp, &base, "e1", root, &no_env), "the same facts give the same key");
        let docs = facts(&[("backend/a.py", "100644 aa"), ("docs/x.md", "100644 d2")]);
        assert_eq!(k, key(&inp, &docs, "e1", root, &no_env), "a file it does not read");
        let edited = facts(&[("backend/a.py", "100644 a2"), ("docs/x.md", "100644 dd")]);
        assert_ne!(k, key(&inp, &edited, "e1", root, &no_env));
        let chmod = facts(&[("backend/a.py", "100755 aa"), ("docs/x.md", "100644 dd")]);
        assert_ne!(k, key(&inp, &chmod, "e1", root, &no_env));
        let added = facts(&[("backend/a.py", "100644 aa"), ("backend/b.py", "100644 bb"), ("docs/x.md", "100644 dd")]);
        assert_ne!(k, key(&inp, &added, "e1", root, &no_env));
        assert_ne!(k, key(&inp, &base, "e2", root, &no_env), "another engine");
        let mode = |v: &'static str| move |name: &str| (name == "MODE").then(|| OsString::from(v));
        assert_ne!(k, key(&inp, &base, "e1", root, &mode("")), "set to empty is not unset");
        assert_ne!(key(&inp, &base, "e1", root, &mode("a")), key(&inp, &base, "e1", root, &mode("b")));
        let other = |name: &str| (name == "OTHER").then(|| OsString::from("x"));
        assert_eq!(k, key(&inp, &base, "e1", root, &other), "a variable it does not list");
    }

    #[test]
    fn programs_are_found_on_path_and_in_the_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("bin")).unwrap();
        std::fs::write(root.join("bin/tool"), "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(root.join("bin/tool"), std::fs::Permissions::from_mode(0o755)).unwrap();
        let f = facts(&[("bin/tool", "100755 t1")]);
        let path = |name: &str| (name == "PATH").then(|| OsString::from("/nonexistent:bin"));
        assert_eq!(program_identity("tool", "", &root, &f, &path), "program tool: bin/tool 100755 t1");
        assert_eq!(program_identity("./bin/tool", "", &root, &f, &|_| None), "program ./bin/tool: bin/tool 100755 t1");
        assert_eq!(program_identity("tool", "", &root, &f, &|_| None), "program tool: not found");
        let sh = |name: &str| (name == "PATH").then(|| OsString::from("/bin:/usr/bin"));
        assert!(program_identity("sh", "", &root, &f, &sh).starts_with("program sh: /"));
    }
}
