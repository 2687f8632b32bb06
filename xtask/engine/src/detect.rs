//! The layout found when `xtask.toml` is silent: the Lot Genius shape (a Python package, an
//! npm frontend, a docs tree), generalised to any top-level folder and declared workspaces.

use std::collections::BTreeSet;

use crate::config::GatesConfig;
use crate::project::{BundleSpec, CommandSpec, GateKind, GateSpec, Origin, SourceKind, VersionSpec};
use crate::repo::{FileList, Repo};
use crate::tooling::Tooling;

/// Folders whose contents are never the project's own.
const FOREIGN: &[&str] = &["node_modules", "vendor", "third_party", ".venv", "venv", "target", "dist", "build"];

/// Whether `path` lies in a folder of vendored or generated files (`node_modules`, `vendor`).
pub fn is_foreign(path: &str) -> bool {
    path.split('/').any(|part| FOREIGN.contains(&part))
}

/// `a/b/c` -> `a/b`; `c` -> ``.
pub fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") }
}

/// Manifests at the root or one folder down, plus declared workspace members; never the
/// tool's own (`tooling`).
pub fn version_sources(repo: &Repo, files: &FileList, tooling: &Tooling) -> Vec<VersionSpec> {
    let files = &tooling.product_files(files);
    let known: BTreeSet<&str> = files.iter().collect();
    let mut found: Vec<(String, String)> = Vec::new(); // (path, why)
    let push = |path: String, why: String, found: &mut Vec<(String, String)>| {
        if !found.iter().any(|(p, _)| *p == path) {
            found.push((path, why));
        }
    };
    for path in files.iter() {
        let depth = path.matches('/').count();
        let name = path.rsplit('/').next().unwrap_or(path);
        let top = depth == 0 || (depth == 1 && !path.starts_with('.'));
        if !top || is_foreign(path) {
            continue;
        }
        match name {
            "pyproject.toml" | "package.json" | "Cargo.toml" => {
                push(path.to_string(), format!("{name} at {}", where_(path)), &mut found)
            }
            "VERSION" if depth == 0 => push(path.to_string(), "VERSION at the root".into(), &mut found),
            _ => {}
        }
    }
    // Workspace members declared by the manifests found so far.
    let manifests: Vec<String> = found.iter().map(|(p, _)| p.clone()).collect();
    for manifest in &manifests {
        for member in workspace_members(repo, manifest) {
            let dir =
                if parent(manifest).is_empty() { member.clone() } else { format!("{}/{member}", parent(manifest)) };
            for candidate in member_dirs(&known, &dir) {
                let name = manifest.rsplit('/').next().unwrap_or(manifest);
                let path = join(&candidate, name);
                if known.contains(path.as_str()) && !is_foreign(&path) {
                    push(path, format!("member of the workspace in {manifest}"), &mut found);
                }
            }
        }
    }
    // The module that defines __version__ beside each pyproject.toml.
    for (manifest, _) in found.clone() {
        if manifest.ends_with("pyproject.toml")
            && let Some(module) = python_version_module(repo, &known, parent(&manifest))
        {
            push(module, format!("__version__ of the package beside {manifest}"), &mut found);
        }
    }
    found
        .into_iter()
        .filter(|(path, _)| tooling.may_hold_the_version(path))
        .filter_map(|(path, why)| {
            let kind = SourceKind::from_path(&path)?;
            Some(VersionSpec { form: kind.default_form(), path, kind, pattern: None, origin: Origin::Detected(why) })
        })
        .collect()
}

fn where_(path: &str) -> String {
    let dir = parent(path);
    if dir.is_empty() { "the root".into() } else { format!("{dir}/") }
}

/// Member globs of an npm (`workspaces`), Cargo (`[workspace] members`) or uv
/// (`[tool.uv.workspace] members`) workspace, relative to the manifest's folder.
pub(crate) fn workspace_members(repo: &Repo, manifest: &str) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(repo.path(manifest)) else { return Vec::new() };
    let strings = |v: Option<&toml_edit::Item>| -> Vec<String> {
        v.and_then(|i| i.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    if manifest.ends_with("package.json") {
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else { return Vec::new() };
        let ws = json.get("workspaces");
        let list = ws.and_then(|w| w.as_array().or_else(|| w.get("packages").and_then(|p| p.as_array())));
        return list.map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default();
    }
    let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else { return Vec::new() };
    if manifest.ends_with("Cargo.toml") {
        strings(doc.get("workspace").and_then(|w| w.get("members")))
    } else {
        strings(
            doc.get("tool").and_then(|t| t.get("uv")).and_then(|u| u.get("workspace")).and_then(|w| w.get("members")),
        )
    }
}

/// Folders matching a member glob (`packages/*`, `crates/foo`), among the folders that hold files.
pub(crate) fn member_dirs(known: &BTreeSet<&str>, pattern: &str) -> Vec<String> {
    let pattern = pattern.trim_end_matches('/');
    let Ok(glob) = crate::glob::GlobBuilder::new(pattern).literal_separator(true).build() else { return Vec::new() };
    let dirs: BTreeSet<&str> = known.iter().map(|p| parent(p)).filter(|d| !d.is_empty()).collect();
    dirs.into_iter().filter(|d| glob.is_match(d)).map(str::to_string).collect()
}

/// The `__init__.py` or `_version.py` that assigns `__version__`, in the package folder beside
/// a `pyproject.toml` (flat or `src/` layout).
fn python_version_module(repo: &Repo, known: &BTreeSet<&str>, dir: &str) -> Option<String> {
    let mut candidates: Vec<&str> = known
        .iter()
        .copied()
        .filter(|p| {
            let rel = if dir.is_empty() { Some(*p) } else { p.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) };
            let Some(rel) = rel else { return false };
            let rel = rel.strip_prefix("src/").unwrap_or(rel);
            let parts: Vec<&str> = rel.split('/').collect();
            parts.len() == 2
                && matches!(parts[1], "__init__.py" | "_version.py" | "__version__.py")
                && !parts[0].starts_with('.')
                && parts[0] != "tests"
        })
        .collect();
    // `_version.py` wins over `__init__.py` when both assign the version.
    candidates.sort_by_key(|p| (!p.ends_with("_version.py"), *p));
    candidates.into_iter().find(|p| defines_version(repo, p)).map(str::to_string)
}

fn defines_version(repo: &Repo, path: &str) -> bool {
    std::fs::read_to_string(repo.path(path))
        .map(|t| t.lines().any(|l| l.trim_start().starts_with("__version__") && l.contains('=')))
        .unwrap_or(false)
}

/// The Python interpreter to run: `python3` when on PATH, else `python`.
pub fn python() -> String {
    for name in ["python3", "python"] {
        if which(name) {
            return name.to_string();
        }
    }
    "python3".to_string()
}

/// Whether an executable named `name` is on PATH.
pub fn which(name: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else { return false };
    std::env::split_paths(&path).any(|dir| {
        let p = dir.join(name);
        p.is_file() && {
            use std::os::unix::fs::PermissionsExt;
            p.metadata().map(|m| m.permissions().mode() & 0o111 != 0).unwrap_or(false)
        }
    })
}

/// The gates: configured ones as written, the rest detected (unless `[gates] detect = false`).
/// Detection looks at the product's files only, and keeps the tool's (`tooling`) out of the
/// scanners it sets up.
pub fn gates(
    repo: &Repo,
    all_files: &FileList,
    config: &GatesConfig,
    has_versions: bool,
    tooling: &Tooling,
) -> Vec<GateSpec> {
    let files = &tooling.product_files(all_files);
    let not_tool = |paths: &[String], mut exclude: Vec<String>| {
        exclude.extend(tooling.exclude_globs(paths));
        exclude
    };
    let detect = config.detect.unwrap_or(true);
    // The docs gates read Markdown: a docs/ of images or reStructuredText alone has none.
    let docs_md = files.under("docs").filter(|p| p.ends_with(".md") || p.ends_with(".markdown")).count();
    let has_docs = docs_md > 0;
    let docs_reason = || format!("docs/ holds {docs_md} Markdown file{}", if docs_md == 1 { "" } else { "s" });
    let mut gates = Vec::new();
    let on = |enabled: Option<bool>| enabled.unwrap_or(true);
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    match &config.versions {
        Some(g) if on(g.enabled) => gates.push(gate("versions", GateKind::Versions, Origin::Configured)),
        None if detect && has_versions => {
            gates.push(gate("versions", GateKind::Versions, Origin::Detected("version sources found".into())))
        }
        _ => {}
    }
    match &config.ascii {
        Some(g) if on(g.enabled) => gates.push(gate(
            "ascii",
            GateKind::Ascii {
                paths: g.paths.clone().unwrap_or_else(|| strings(&["docs"])),
                files: g.files.clone().unwrap_or_else(|| strings(&["*.md"])),
                exclude: g.exclude.clone().unwrap_or_default(),
            },
            Origin::Configured,
        )),
        None if detect && has_docs => gates.push(gate(
            "ascii",
            GateKind::Ascii {
                paths: strings(&["docs"]),
                files: strings(&["*.md"]),
                exclude: not_tool(&strings(&["docs"]), vec![]),
            },
            Origin::Detected(docs_reason()),
        )),
        _ => {}
    }
    match &config.ellipsis {
        Some(g) if on(g.enabled) => gates.push(gate(
            "ellipsis",
            GateKind::Ellipsis {
                paths: g.paths.clone().unwrap_or_else(|| strings(&["."])),
                exclude: g.exclude.clone().unwrap_or_else(|| strings(&["*.md"])),
                allow: g.allow.clone().unwrap_or_default(),
                mode: g.mode.unwrap_or_default(),
            },
            Origin::Configured,
        )),
        None if detect && !files.is_empty() => gates.push(gate(
            "ellipsis",
            GateKind::Ellipsis {
                paths: strings(&["."]),
                exclude: not_tool(&strings(&["."]), strings(&["*.md"])),
                allow: vec![],
                mode: Default::default(),
            },
            Origin::Detected("every project has code".into()),
        )),
        _ => {}
    }
    let py_roots = python_roots(files);
    match &config.compile {
        Some(g) if on(g.enabled) => gates.push(gate(
            "compile",
            GateKind::Compile {
                paths: g
                    .paths
                    .clone()
                    .unwrap_or_else(|| if py_roots.is_empty() { strings(&["."]) } else { py_roots.clone() }),
                exclude: g.exclude.clone().unwrap_or_default(),
                python: g.python.clone().unwrap_or_else(python),
            },
            Origin::Configured,
        )),
        None if detect && !py_roots.is_empty() => gates.push(gate(
            "compile",
            GateKind::Compile { paths: py_roots.clone(), exclude: not_tool(&py_roots, vec![]), python: python() },
            Origin::Detected(format!("Python code in {}", py_roots.join(", "))),
        )),
        _ => {}
    }
    match &config.links {
        Some(g) if on(g.enabled) => gates.push(gate(
            "links",
            GateKind::Links {
                paths: g.paths.clone().unwrap_or_else(|| strings(&["docs"])),
                exclude: g.exclude.clone().unwrap_or_default(),
            },
            Origin::Configured,
        )),
        None if detect && has_docs => gates.push(gate(
            "links",
            GateKind::Links { paths: strings(&["docs"]), exclude: not_tool(&strings(&["docs"]), vec![]) },
            Origin::Detected(docs_reason()),
        )),
        _ => {}
    }
    let tests_on = config.tests.as_ref().map_or(detect, |t| on(t.enabled));
    if tests_on {
        let (commands, why) = test_commands(repo, files);
        if !commands.is_empty() {
            let origin = if config.tests.is_some() { Origin::Configured } else { Origin::Detected(why) };
            gates.push(gate("tests", GateKind::Tests { commands }, origin));
        }
    }
    for c in config.command.iter().flatten() {
        gates.push(gate(
            &c.name,
            GateKind::Command(CommandSpec {
                run: c.run.clone(),
                cwd: c.cwd.as_deref().map(crate::repo::files::normalize_scope).unwrap_or_default(),
                env: c.env.set.clone(),
            }),
            Origin::Configured,
        ));
        if let Some(last) = gates.last_mut() {
            last.when_env = c.when_env.clone();
        }
    }
    // `[gates.commits]`: opt-in, never detected (docs/gates.md says why).
    if let Some(c) = config.commits.as_ref().filter(|c| on(c.enabled)) {
        let kind = GateKind::Commits { base: c.base.clone(), types: c.types.clone().unwrap_or_default() };
        gates.push(gate("commits", kind, Origin::Configured));
    }
    // Lint and type-check gates from the tools' own configuration (gates/lint/detect.rs).
    let taken: Vec<String> = gates.iter().map(|g| g.name.clone()).collect();
    gates.extend(crate::gates::lint::detect::gates(repo, files, config, &taken));
    gates
}

fn gate(name: &str, kind: GateKind, origin: Origin) -> GateSpec {
    GateSpec { name: name.to_string(), kind, origin, cache: Default::default(), when_env: None }
}

/// Folders of Python packages: each folder with a `pyproject.toml` (or `setup.py`) that holds
/// Python files; the root when Python files exist but no such folder does.
fn python_roots(files: &FileList) -> Vec<String> {
    let py: Vec<&str> = files.iter().filter(|p| p.ends_with(".py") && !is_foreign(p)).collect();
    if py.is_empty() {
        return Vec::new();
    }
    let mut roots: Vec<String> = files
        .iter()
        .filter(|p| (p.ends_with("pyproject.toml") || p.ends_with("setup.py")) && !is_foreign(p))
        .map(|p| parent(p).to_string())
        .collect();
    roots.sort();
    roots.dedup();
    // A root inside another root is covered by it.
    let outer: Vec<String> = roots
        .iter()
        .filter(|r| !roots.iter().any(|o| o != *r && (o.is_empty() || r.starts_with(&format!("{o}/")))))
        .cloned()
        .collect();
    if outer.is_empty() {
        return vec![".".to_string()];
    }
    outer.into_iter().map(|r| if r.is_empty() { ".".to_string() } else { r }).collect()
}

/// pytest where a Python package has tests; `npm test` where a package.json has a real test
/// script; `cargo test` where there is a Cargo workspace.
fn test_commands(repo: &Repo, files: &FileList) -> (Vec<CommandSpec>, String) {
    let mut commands = Vec::new();
    let mut why = Vec::new();
    let cmd = |run: &[&str], cwd: &str| CommandSpec {
        run: run.iter().map(|s| s.to_string()).collect(),
        cwd: cwd.to_string(),
        env: Default::default(),
    };
    for manifest in files.iter().filter(|p| p.ends_with("pyproject.toml") && !is_foreign(p)) {
        let dir = parent(manifest);
        let has_tests = files.under(dir).any(|p| {
            let name = p.rsplit('/').next().unwrap_or(p);
            p.ends_with(".py") && (name.starts_with("test_") || name.ends_with("_test.py"))
        });
        if has_tests {
            let py = python();
            commands.push(cmd(&[py.as_str(), "-m", "pytest", "-q"], dir));
            why.push(format!("pytest in {}", where_(manifest)));
        }
    }
    for manifest in files.iter().filter(|p| p.ends_with("package.json") && !is_foreign(p)) {
        let Ok(text) = std::fs::read_to_string(repo.path(manifest)) else { continue };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        let script = json.pointer("/scripts/test").and_then(|v| v.as_str()).unwrap_or("");
        if !script.is_empty() && !script.contains("no test specified") {
            commands.push(cmd(&["npm", "test", "--silent"], parent(manifest)));
            why.push(format!("npm test in {}", where_(manifest)));
        }
    }
    if files.iter().any(|p| p == "Cargo.toml") {
        commands.push(cmd(&["cargo", "test", "--workspace", "--quiet"], ""));
        why.push("cargo test at the root".into());
    }
    (commands, why.join(", "))
}

/// The Lot Genius bundles: wheel and sdist of each Python package, the frontend build zip,
/// the docs zip.
pub fn bundles(repo: &Repo, files: &FileList, versions: &[VersionSpec]) -> Vec<BundleSpec> {
    let mut bundles = Vec::new();
    let py = python();
    for v in versions.iter().filter(|v| v.kind == SourceKind::PyProject) {
        let dir = parent(&v.path).to_string();
        bundles.push(BundleSpec {
            name: if dir.is_empty() { "python-dist".into() } else { format!("{}-dist", dir.replace('/', "-")) },
            cwd: dir.clone(),
            build: vec![vec![py.clone(), "-m".into(), "build".into(), "--outdir".into(), "{tmp}".into()]],
            include: vec![],
            exclude: vec![],
            collect: vec!["{tmp}/*.whl".into(), "{tmp}/*.tar.gz".into()],
            package: None,
            origin: Origin::Detected(format!("Python package at {}", where_(&v.path))),
        });
    }
    for v in versions.iter().filter(|v| v.kind == SourceKind::PackageJson) {
        let Ok(text) = std::fs::read_to_string(repo.path(&v.path)) else { continue };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        if json.pointer("/scripts/build").and_then(|s| s.as_str()).is_none() {
            continue;
        }
        let dir = parent(&v.path).to_string();
        let name = if dir.is_empty() {
            "frontend-build.zip".to_string()
        } else {
            format!("{}-build.zip", dir.replace('/', "-"))
        };
        let install = if files.iter().any(|p| p == join(&dir, "package-lock.json")) { "ci" } else { "install" };
        bundles.push(BundleSpec {
            name,
            cwd: dir,
            build: vec![vec!["npm".into(), install.into()], vec!["npm".into(), "run".into(), "build".into()]],
            include: [".next/**", "public/**", "dist/**", "build/**", "package.json", "package-lock.json"]
                .map(String::from)
                .to_vec(),
            exclude: vec![".next/cache/**".into()],
            collect: vec![],
            package: None,
            origin: Origin::Detected(format!("package.json with a build script at {}", where_(&v.path))),
        });
    }
    if files.under("docs").next().is_some() {
        bundles.push(BundleSpec {
            name: "docs-bundle.zip".into(),
            cwd: String::new(),
            build: vec![],
            include: vec!["docs/**".into()],
            exclude: vec![],
            collect: vec![],
            package: None,
            origin: Origin::Detected("docs/ exists".into()),
        });
    }
    bundles
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_folders() {
        assert!(is_foreign("frontend/node_modules/x/package.json"));
        assert!(!is_foreign("frontend/package.json"));
    }

    #[test]
    fn python_roots_take_the_outermost() {
        let files = FileList::from_paths(
            ["backend/pyproject.toml", "backend/pkg/__init__.py", "backend/sub/pyproject.toml", "tools/x.py"]
                .map(String::from)
                .to_vec(),
        );
        assert_eq!(python_roots(&files), vec!["backend".to_string()]);
    }
}
