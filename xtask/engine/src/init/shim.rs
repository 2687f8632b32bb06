//! The Cargo side of an adopting repository: the workspace manifest, the `cargo xtask` alias,
//! and the `xtask/` shim whose one dependency is the engine.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use toml_edit::{DocumentMut, InlineTable, Item, Value};

use super::merge::{self, Wanted};
use crate::cli::{EngineSource, InitArgs};

/// The shim's package and folder.
pub const SHIM: &str = "xtask";
/// What `cargo xtask` expands to.
pub const ALIAS: &str = "run --package xtask --";

/// Where the shim's `polyrelease` comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dependency {
    /// A local checkout: the path as written in `xtask/Cargo.toml`, and the folder itself.
    Path {
        written: String,
        dir: PathBuf,
    },
    Git {
        url: String,
        tag: String,
    },
    Crates {
        version: String,
    },
}

impl Dependency {
    /// What `init` would write, as the `polyrelease = ...` value.
    fn value(&self) -> Value {
        let mut t = InlineTable::new();
        match self {
            Dependency::Crates { version } => return Value::from(version.as_str()),
            Dependency::Path { written, .. } => {
                t.insert("path", Value::from(written.as_str()));
            }
            Dependency::Git { url, tag } => {
                t.insert("git", Value::from(url.as_str()));
                t.insert("tag", Value::from(tag.as_str()));
            }
        }
        Value::InlineTable(t)
    }

    /// The dependency as written already says the same.
    fn matches(&self, item: &Item) -> bool {
        let key = |k: &str| item.get(k).and_then(Item::as_str);
        match self {
            Dependency::Crates { version } => {
                item.as_str() == Some(version) || (key("version") == Some(version) && key("path").is_none())
            }
            Dependency::Path { written, .. } => key("path") == Some(written),
            Dependency::Git { url, tag } => key("git") == Some(url) && key("tag") == Some(tag),
        }
    }
}

/// The dependency `--from` (or its default) names. `root` is the adopting repository.
pub fn dependency(args: &InitArgs, root: &Path) -> Result<Dependency> {
    let version = crate::VERSION;
    let home = env!("CARGO_MANIFEST_DIR");
    let checkout = args.engine.clone().or_else(|| is_checkout(Path::new(home)).then(|| PathBuf::from(home)));
    let from = args.from.unwrap_or(if checkout.is_some() { EngineSource::Path } else { EngineSource::Crates });
    Ok(match from {
        EngineSource::Crates => Dependency::Crates { version: version.to_string() },
        EngineSource::Git => {
            let url =
                args.git.clone().or_else(|| Some(env!("CARGO_PKG_REPOSITORY").to_string()).filter(|u| !u.is_empty()));
            let Some(url) = url else { bail!("--from git needs the engine's repository: pass --git URL") };
            Dependency::Git { url, tag: format!("v{version}") }
        }
        EngineSource::Path => {
            let Some(dir) = checkout else {
                bail!(
                    "--from path needs a checkout of the polyrelease engine: pass --engine DIR (the folder of its Cargo.toml)"
                )
            };
            let dir = std::path::absolute(&dir).with_context(|| format!("{}: cannot resolve", dir.display()))?;
            if !is_engine(&dir) {
                bail!(
                    "{}: no Cargo.toml of the polyrelease package there; pass --engine with the engine's folder",
                    dir.display()
                );
            }
            let dir = dir.canonicalize().unwrap_or(dir);
            // Inside the repository a relative path survives a move or a copy; outside it, the
            // absolute path is the one that still resolves from a copy elsewhere.
            let written = match dir.strip_prefix(root) {
                Ok(rel) => relative_from_shim(rel),
                Err(_) => crate::repo::slash_path(&dir),
            };
            Dependency::Path { written, dir }
        }
    })
}

/// `rel` (from the root) as seen from `ROOT/xtask`.
fn relative_from_shim(rel: &Path) -> String {
    let rel = crate::repo::slash_path(rel);
    match rel.strip_prefix("xtask/") {
        Some(inside) => inside.to_string(),
        None if rel == "xtask" => ".".to_string(),
        None => format!("../{rel}"),
    }
}

/// `dir` is the engine inside a git checkout: the source this binary was built from, still
/// there. (A crate built from crates.io lives in cargo's registry folder, which is no checkout
/// to point a shim at.)
fn is_checkout(dir: &Path) -> bool {
    is_engine(dir) && dir.ancestors().any(|d| d.join(".git").exists())
}

/// `dir` holds the manifest of the `polyrelease` package.
fn is_engine(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("Cargo.toml")) else { return false };
    let Ok(doc) = text.parse::<DocumentMut>() else { return false };
    doc.get("package").and_then(|p| p.get("name")).and_then(Item::as_str) == Some("polyrelease")
}

/// The keys the workspace manifest needs besides the member: dependencies compiled with
/// optimisation (the debug build `cargo xtask` runs scans and compresses at release speed).
/// Keep in step with this repository's own root `Cargo.toml` (a test compares them).
/// The crates `cargo xtask` needs optimised, and at which level: the ones that do the heavy
/// lifting at run time. Every other dependency, above all the proc macros and their parser,
/// compiles at opt-level 0, which keeps a cold build short.
const OPTIMISED: &[(&[&str], i64)] = &[
    (&["profile", "dev", "package", "zlib-rs"], 3),
    (&["profile", "dev", "package", "flate2"], 3),
    (&["profile", "dev", "package", "sha2"], 3),
    (&["profile", "dev", "package", "memchr"], 3),
    (&["profile", "dev", "package", "serde_json"], 1),
];

/// Profile entries earlier versions wrote for crates the engine no longer depends on (cargo
/// warns about a profile entry that matches no package): removed where they are unchanged.
const RETIRED: &[(&[&str], &str, i64)] = &[
    (&["profile", "dev", "package", "aho-corasick"], "opt-level", 1),
    (&["profile", "dev", "package", "regex-automata"], "opt-level", 1),
    (&["profile", "dev", "package", "bstr"], "opt-level", 1),
    (&["profile", "dev", "package", "globset"], "opt-level", 1),
    (&["profile", "dev", "package", "ignore"], "opt-level", 1),
    (&["profile", "dev", "package", "crossbeam-deque"], "opt-level", 1),
    (&["profile", "dev", "package", "crc32fast"], "opt-level", 3),
];

fn profile() -> Vec<Wanted> {
    const WHY: &str = "# `cargo xtask` runs a debug build: the crates that do the heavy lifting at run time (deflate,\n# CRC, SHA-256, byte search, JSON) are optimised, so the engine's scanners,\n# compressors and hashers run at release speed; the rest, above all the proc macros, compiles\n# unoptimised, which keeps a cold build short. serde_json builds without debug assertions.";
    let mut wanted = vec![
        Wanted { path: &["profile", "dev"], key: "debug", value: Value::from("line-tables-only"), comment: WHY },
        Wanted { path: &["profile", "dev", "package", "*"], key: "debug", value: Value::from(false), comment: "" },
    ];
    wanted.extend(OPTIMISED.iter().map(|&(path, level)| Wanted {
        path,
        key: "opt-level",
        value: Value::from(level),
        comment: "",
    }));
    // Its checks of every slice access tripled the time of the journal's string escaping.
    wanted.push(Wanted {
        path: &["profile", "dev", "package", "serde_json"],
        key: "debug-assertions",
        value: Value::from(false),
        comment: "",
    });
    wanted
}

/// The root `Cargo.toml`: created as a workspace of the shim, or merged into.
pub fn workspace(existing: Option<&str>) -> Result<String> {
    let existing = existing.map(|text| merge::retire(text, RETIRED)).transpose()?;
    let existing = existing.as_deref();
    let base = format!("[workspace]\nmembers = [\"{SHIM}\"]\nresolver = \"3\"\n");
    merge::toml(existing.unwrap_or(&base), &profile(), Some(SHIM))
}

/// `.cargo/config.toml` with the alias.
pub fn cargo_config(existing: Option<&str>) -> Result<String> {
    let wanted = [Wanted { path: &["alias"], key: "xtask", value: Value::from(ALIAS), comment: "" }];
    merge::toml(existing.unwrap_or(""), &wanted, None)
}

/// `xtask/Cargo.toml`: created, or given the dependency when it has none. An existing
/// dependency is replaced only when `--from` asked for another (`replace`).
pub fn manifest(existing: Option<&str>, dep: &Dependency, replace: bool) -> Result<String> {
    let created = format!(
        "[package]\nname = \"{SHIM}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         # `cargo xtask`: the polyrelease engine. Upgrade with `cargo update -p polyrelease`, then\n\
         # `cargo xtask init --check` (and `cargo xtask init` to bring the workflows up to date).\n\
         [dependencies]\n"
    );
    let text = existing.unwrap_or(&created);
    let mut doc: DocumentMut = text.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(deps) = doc.entry("dependencies").or_insert_with(toml_edit::table).as_table_mut() else {
        bail!("[dependencies] is not a table")
    };
    let keep = deps.get("polyrelease").is_some_and(|item| !replace || dep.matches(item));
    if !keep {
        deps.insert("polyrelease", Item::Value(dep.value()));
    }
    Ok(doc.to_string())
}

/// `xtask/src/main.rs`, written once: the user's from then on (their own commands go here).
pub const MAIN_RS: &str = "//! `cargo xtask` of this repository: the polyrelease engine. To add commands of your own,\n\
//! flatten `polyrelease::cli::Command` into a clap enum and hand it to `polyrelease::execute`.\n\
\n\
fn main() -> std::process::ExitCode {\n    polyrelease::main()\n}\n";

#[cfg(test)]
mod tests {
    use super::*;

    fn path_dep() -> Dependency {
        Dependency::Path { written: "/src/polyrelease/xtask/engine".into(), dir: PathBuf::from("/src") }
    }

    #[test]
    fn a_new_shim_depends_on_the_engine() {
        let text = manifest(None, &path_dep(), false).unwrap();
        assert!(
            text.contains("[dependencies]\npolyrelease = { path = \"/src/polyrelease/xtask/engine\" }\n"),
            "{text}"
        );
        assert_eq!(manifest(Some(&text), &path_dep(), true).unwrap(), text);
    }

    #[test]
    fn an_existing_dependency_changes_only_when_asked() {
        let text = "[package]\nname = \"xtask\"\n\n[dependencies]\npolyrelease = \"0.1\"\nanyhow = \"1\"\n";
        assert_eq!(manifest(Some(text), &path_dep(), false).unwrap(), text);
        let crates = Dependency::Crates { version: "0.2.0".into() };
        let out = manifest(Some(text), &crates, true).unwrap();
        assert!(out.contains("polyrelease = \"0.2.0\"\nanyhow = \"1\"\n"), "{out}");
    }

    #[test]
    fn only_an_engine_in_a_git_checkout_is_a_default_source() {
        let dir = tempfile::tempdir().unwrap();
        let engine = dir.path().join("polyrelease-0.1.0");
        std::fs::create_dir_all(&engine).unwrap();
        std::fs::write(engine.join("Cargo.toml"), "[package]\nname = \"polyrelease\"\n").unwrap();
        assert!(is_engine(&engine) && !is_checkout(&engine), "a registry copy");
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        assert!(is_checkout(&engine));
        assert!(is_checkout(Path::new(env!("CARGO_MANIFEST_DIR"))));
    }

    #[test]
    fn paths_inside_the_repository_are_relative_to_the_shim() {
        assert_eq!(relative_from_shim(Path::new("xtask/engine")), "engine");
        assert_eq!(relative_from_shim(Path::new("tools/polyrelease")), "../tools/polyrelease");
    }

    #[test]
    fn a_new_workspace_has_the_member_and_the_profile() {
        let text = workspace(None).unwrap();
        assert!(text.starts_with("[workspace]\nmembers = [\"xtask\"]\nresolver = \"3\"\n"), "{text}");
        assert!(text.contains("[profile.dev.package.\"*\"]\ndebug = false\n"), "{text}");
        assert!(text.contains("[profile.dev.package.zlib-rs]\nopt-level = 3\n"), "{text}");
        assert!(!text.contains("syn") && !text.contains("derive"), "proc macros stay unoptimised: {text}");
        assert_eq!(workspace(Some(&text)).unwrap(), text);
        let older = format!("{text}[profile.dev.package.globset]\nopt-level = 1\n");
        assert_eq!(workspace(Some(&older)).unwrap(), text, "what an older init wrote for a crate no longer used goes");
        assert_eq!(cargo_config(None).unwrap(), "[alias]\nxtask = \"run --package xtask --\"\n");
    }
}
