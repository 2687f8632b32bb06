//! What each gate reads, for its cache key and for `--changed`: which files (by path), whether
//! it also depends on which files exist, the environment variables and programs its result
//! depends on, and its definition.
//!
//! - `ascii`, `ellipsis`, `compile`: the files their runner selects (`paths`, `files`,
//!   `exclude`); `compile` also runs the interpreter.
//! - `links`: its Markdown files, and which files exist (a link may point at any of them).
//! - `versions`: every version source's file, and the file a dynamic pyproject points to.
//! - `tests` and `[[gates.command]]`: every file under their folders (`cwd`), or the `inputs`
//!   globs; the program each runs; the `env` variables listed; the tests gate also reads
//!   `PYTEST_ADDOPTS`.
//!
//! Every gate's definition (its settings as configured or detected) is part of its key.

use std::collections::BTreeSet;

use crate::glob::GlobSet;
use anyhow::Result;

use crate::gates::select::{Selector, globs};
use crate::project::{GateKind, GateSpec, Project};
use crate::repo::files::{in_scope, normalize_scope};

/// What one gate reads.
#[derive(Debug)]
pub struct Inputs {
    files: Reads,
    /// The result depends on which files exist, not only on what the gate's files hold.
    pub tree: bool,
    /// Environment variables whose values are part of the key.
    pub env: Vec<String>,
    /// The programs the gate runs, each with the root-relative folder it runs in.
    pub programs: Vec<(String, String)>,
    /// The gate's settings as text (commands, paths, globs; the version sources).
    pub definition: String,
}

/// Which files of the project a gate reads, by root-relative path.
#[derive(Debug)]
enum Reads {
    /// The runner's own selection.
    Selected(Selector),
    /// `inputs` globs.
    Globs(GlobSet),
    /// Everything under these folders (empty: the root).
    Under(Vec<String>),
    /// Exactly these files.
    Paths(BTreeSet<String>),
}

impl Inputs {
    /// The inputs of `gate` in `project`. An error (a glob that does not parse) means the gate
    /// cannot be keyed; it then runs, and reports the error itself.
    pub fn of(gate: &GateSpec, project: &Project) -> Result<Inputs> {
        let mut definition = serde_json::to_string(&(&gate.kind, &gate.cache))?;
        let mut env = gate.cache.env.clone();
        let mut programs = Vec::new();
        let mut tree = false;
        let configured = |default: Reads| -> Result<Reads> {
            match &gate.cache.inputs {
                Some(patterns) => {
                    let patterns: Vec<String> =
                        patterns.iter().map(|p| p.strip_prefix("./").unwrap_or(p).to_string()).collect();
                    Ok(Reads::Globs(globs(&patterns, "inputs")?))
                }
                None => Ok(default),
            }
        };
        let files = match &gate.kind {
            GateKind::Versions => {
                definition.push_str(&serde_json::to_string(&project.versions)?);
                Reads::Paths(crate::version::gate_inputs(project).into_iter().collect())
            }
            GateKind::Tests { commands } => {
                env.push("PYTEST_ADDOPTS".to_string());
                programs.extend(commands.iter().map(|c| (c.run.first().cloned().unwrap_or_default(), c.cwd.clone())));
                configured(Reads::Under(commands.iter().map(|c| normalize_scope(&c.cwd)).collect()))?
            }
            GateKind::Command(spec) => {
                programs.push((spec.run.first().cloned().unwrap_or_default(), spec.cwd.clone()));
                configured(Reads::Under(vec![normalize_scope(&spec.cwd)]))?
            }
            GateKind::Commits { .. } => Reads::Paths(Default::default()),
            // A lint gate reads the files of its kind under its folder and its config files.
            GateKind::Lint(spec) => {
                programs.push((spec.command.run.first().cloned().unwrap_or_default(), spec.command.cwd.clone()));
                Reads::Selected(Selector::of(&gate.kind).expect("a lint gate reads files")?)
            }
            kind => {
                if let GateKind::Compile { python, .. } = kind {
                    programs.push((python.clone(), String::new()));
                }
                tree = matches!(kind, GateKind::Links { .. });
                match Selector::of(kind) {
                    Some(selector) => Reads::Selected(selector?),
                    None => unreachable!("every other gate reads a selection of files"),
                }
            }
        };
        // An opt-in gate skips or runs by its variable.
        env.extend(gate.when_env.iter().cloned());
        env.sort();
        env.dedup();
        Ok(Inputs { files, tree, env, programs, definition })
    }

    /// Whether the gate reads the file at `path` (root-relative; it need not exist, so a
    /// deleted file is matched too).
    pub fn reads(&self, path: &str) -> bool {
        match &self.files {
            Reads::Selected(selector) => selector.matches(path),
            Reads::Globs(set) => set.is_match(path),
            Reads::Under(scopes) => scopes.iter().any(|scope| in_scope(path, scope)),
            Reads::Paths(paths) => paths.contains(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gates::cache::Settings;
    use crate::project::{CommandSpec, Origin};
    use crate::repo::{FileList, Repo};

    fn project(gates: Vec<GateSpec>) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::open(Some(dir.path())).unwrap();
        let mut p = Project::resolve(repo, Default::default(), None, FileList::default());
        p.gates = gates;
        p
    }

    fn gate(name: &str, kind: GateKind, cache: Settings) -> GateSpec {
        GateSpec { name: name.into(), kind, origin: Origin::Configured, cache, when_env: None }
    }

    fn command(cwd: &str) -> GateKind {
        GateKind::Command(CommandSpec { run: vec!["lint".into()], cwd: cwd.into(), env: Default::default() })
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn a_command_reads_its_folder_unless_inputs_say_otherwise() {
        let p = project(vec![]);
        let plain = Inputs::of(&gate("lint", command("backend"), Settings::default()), &p).unwrap();
        assert!(plain.reads("backend/app.py") && plain.reads("backend/deleted.py"));
        assert!(!plain.reads("docs/a.md") && !plain.reads("backendx/a.py"));
        assert_eq!(plain.programs, vec![("lint".to_string(), "backend".to_string())]);
        let settings = Settings { inputs: Some(s(&["./xtask/**", "Cargo.toml"])), ..Settings::default() };
        let globbed = Inputs::of(&gate("lint", command(""), settings), &p).unwrap();
        assert!(globbed.reads("xtask/engine/src/lib.rs") && globbed.reads("Cargo.toml"));
        assert!(!globbed.reads("docs/a.md") && !globbed.reads("xtask.toml"));
        let root = Inputs::of(&gate("lint", command(""), Settings::default()), &p).unwrap();
        assert!(root.reads("docs/a.md"), "a command at the root reads everything");
    }

    #[test]
    fn file_gates_read_their_selection_and_links_the_tree() {
        let p = project(vec![]);
        let ascii = GateKind::Ascii { paths: s(&["docs"]), files: s(&["*.md"]), exclude: vec![] };
        let links = GateKind::Links { paths: s(&["docs"]), exclude: vec![] };
        let a = Inputs::of(&gate("ascii", ascii, Settings::default()), &p).unwrap();
        let l = Inputs::of(&gate("links", links, Settings::default()), &p).unwrap();
        assert!(a.reads("docs/x.md") && !a.reads("docs/x.txt") && !a.reads("src/x.md"));
        assert!(!a.tree && l.tree);
    }

    #[test]
    fn the_definition_holds_the_settings_and_env_is_sorted() {
        let p = project(vec![]);
        let settings = Settings { env: s(&["B", "A"]), ..Settings::default() };
        let one = Inputs::of(&gate("lint", command("a"), settings.clone()), &p).unwrap();
        let other = Inputs::of(&gate("lint", command("b"), settings), &p).unwrap();
        assert_eq!(one.env, s(&["A", "B"]));
        assert_ne!(one.definition, other.definition);
        let tests = GateKind::Tests { commands: vec![] };
        let t = Inputs::of(&gate("tests", tests, Settings::default()), &p).unwrap();
        assert_eq!(t.env, s(&["PYTEST_ADDOPTS"]));
    }
}
