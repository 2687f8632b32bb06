//! Which lint gates a repository has: a gate per tool and project folder where the tool's own
//! configuration is (`[tool.ruff]` in a pyproject.toml, `setup.cfg`'s `[flake8]`, `mypy.ini`,
//! ...), and one per `lint`, `typecheck` and `format:check` script of a `package.json`.

use std::collections::BTreeMap;

use super::LintSpec;
use crate::config::{GatesConfig, ToggleGate};
use crate::detect::{is_foreign, parent};
use crate::project::{CommandSpec, GateKind, GateSpec, Origin};
use crate::repo::{FileList, Repo};

/// The Python tools, in the order their gates are listed.
const PYTHON_TOOLS: &[&str] = &["ruff", "flake8", "black", "isort", "mypy", "bandit"];

/// The package.json scripts that are lint gates, with the gate's key.
const NPM_SCRIPTS: &[(&str, &str)] =
    &[("lint", "npm-lint"), ("typecheck", "npm-typecheck"), ("format:check", "npm-format-check")];

/// The files a Python tool checks.
const PYTHON_FILES: &[&str] = &["*.py", "*.pyi"];

/// The `[gates.X]` section that toggles the gates of `tool`.
pub fn toggle<'a>(config: &'a GatesConfig, tool: &str) -> Option<&'a ToggleGate> {
    match tool {
        "ruff" => config.ruff.as_ref(),
        "flake8" => config.flake8.as_ref(),
        "black" => config.black.as_ref(),
        "isort" => config.isort.as_ref(),
        "mypy" => config.mypy.as_ref(),
        "bandit" => config.bandit.as_ref(),
        "npm-lint" => config.npm_lint.as_ref(),
        "npm-typecheck" => config.npm_typecheck.as_ref(),
        "npm-format-check" => config.npm_format_check.as_ref(),
        _ => None,
    }
}

/// One tool configured in one folder.
#[derive(Debug, Default)]
struct Found {
    /// Root-relative config files, with the section that names the tool (`[tool.ruff]`).
    configs: Vec<(String, String)>,
    /// mypy's configuration lists the files to check.
    mypy_files: bool,
    /// The npm script, for the npm tools.
    script: Option<String>,
}

/// The lint gates of the project, except those named in `taken` (a configured gate of the same
/// name replaces the detected one).
pub fn gates(repo: &Repo, files: &FileList, config: &GatesConfig, taken: &[String]) -> Vec<GateSpec> {
    let detect = config.detect.unwrap_or(true);
    let mut found: BTreeMap<(usize, String), Found> = BTreeMap::new(); // (tool index, folder)
    let order = |tool: &str| {
        PYTHON_TOOLS.iter().chain(NPM_SCRIPTS.iter().map(|(_, k)| k)).position(|t| *t == tool).unwrap_or(usize::MAX)
    };
    for path in files.iter().filter(|p| !is_foreign(p)) {
        let name = path.rsplit('/').next().unwrap_or(path);
        let dir = parent(path).to_string();
        let mut add = |tool: &str, section: &str, f: &dyn Fn(&mut Found)| {
            let entry = found.entry((order(tool), dir.clone())).or_default();
            entry.configs.push((path.to_string(), section.to_string()));
            f(entry);
        };
        let read = || std::fs::read_to_string(repo.path(path)).unwrap_or_default();
        match name {
            "pyproject.toml" => {
                let Ok(doc) = read().parse::<toml_edit::DocumentMut>() else { continue };
                let Some(tools) = doc.get("tool") else { continue };
                for tool in ["ruff", "black", "isort", "mypy", "bandit"] {
                    if let Some(section) = tools.get(tool) {
                        let files = section.get("files").is_some();
                        add(tool, &format!("[tool.{tool}]"), &|e| e.mypy_files |= tool == "mypy" && files);
                    }
                }
            }
            "ruff.toml" | ".ruff.toml" => add("ruff", "", &|_| {}),
            ".flake8" => add("flake8", "", &|_| {}),
            ".isort.cfg" => add("isort", "", &|_| {}),
            ".bandit" => add("bandit", "", &|_| {}),
            "mypy.ini" | ".mypy.ini" | "setup.cfg" | "tox.ini" => {
                let text = read();
                let sections = ini_sections(&text);
                let has = |s: &str| sections.iter().any(|(name, _)| name == s);
                if name != "tox.ini" && has("mypy") {
                    let files = sections.iter().any(|(n, keys)| n == "mypy" && keys.iter().any(|k| k == "files"));
                    add("mypy", "[mypy]", &|e| e.mypy_files |= files);
                }
                if name != "mypy.ini" && name != ".mypy.ini" {
                    if has("flake8") {
                        add("flake8", "[flake8]", &|_| {});
                    }
                    for s in ["isort", "tool:isort"] {
                        if has(s) {
                            add("isort", &format!("[{s}]"), &|_| {});
                        }
                    }
                }
            }
            "package.json" => {
                let Ok(json) = serde_json::from_str::<serde_json::Value>(&read()) else { continue };
                for (script, tool) in NPM_SCRIPTS {
                    let body = json.get("scripts").and_then(|s| s.get(*script)).and_then(|s| s.as_str());
                    if body.is_some_and(|b| !b.trim().is_empty()) {
                        add(tool, &format!("script `{script}`"), &|e| e.script = Some(script.to_string()));
                    }
                }
            }
            _ => {}
        }
    }
    let tool_name = |index: usize| -> &str {
        PYTHON_TOOLS.get(index).copied().unwrap_or_else(|| NPM_SCRIPTS[index - PYTHON_TOOLS.len()].1)
    };
    let mut per_tool: BTreeMap<usize, usize> = BTreeMap::new();
    for (tool, _) in found.keys() {
        *per_tool.entry(*tool).or_default() += 1;
    }
    let mut gates = Vec::new();
    for ((index, dir), f) in &found {
        let tool = tool_name(*index);
        let toggle = toggle(config, tool);
        let on = match toggle {
            Some(t) => t.enabled.unwrap_or(true),
            None => detect,
        };
        let name = if per_tool[index] == 1 { tool.to_string() } else { format!("{tool}-{}", super::slug(dir)) };
        if !on || taken.contains(&name) {
            continue;
        }
        let spec = spec(tool, dir, f, files);
        let why: Vec<String> = f
            .configs
            .iter()
            .map(|(path, section)| if section.is_empty() { path.clone() } else { format!("{section} in {path}") })
            .collect();
        gates.push(GateSpec {
            name,
            kind: GateKind::Lint(spec),
            origin: Origin::Detected(why.join(", ")),
            cache: Default::default(),
            when_env: None,
        });
    }
    gates
}

/// The check-only command of `tool` in `dir`.
fn spec(tool: &str, dir: &str, f: &Found, files: &FileList) -> LintSpec {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<String>>();
    let config_named = |names: &[&str]| {
        f.configs.iter().map(|(p, _)| p.rsplit('/').next().unwrap_or(p)).find(|n| names.contains(n)).map(str::to_string)
    };
    let run: Vec<String> = match tool {
        // --no-cache: ruff would write .ruff_cache into the tree.
        "ruff" => s(&["ruff", "check", "--no-cache", "--output-format", "concise", "."]),
        "flake8" => s(&["flake8", "."]),
        "black" => s(&["black", "--check", "--diff", "."]),
        "isort" => s(&["isort", "--check-only", "--diff", "."]),
        "mypy" if f.mypy_files => s(&["mypy"]),
        "mypy" => s(&["mypy", "."]),
        "bandit" => {
            // One `PATH:LINE:COL: ID message` line per issue, as ruff and flake8 print them.
            let template = "{relpath}:{line}:{col}: {test_id} [{severity}] {msg}";
            let mut run = s(&["bandit", "-q"]);
            match config_named(&["pyproject.toml"]) {
                Some(c) => run.extend([String::from("-c"), c]),
                None => run.extend(s(&["--ini", ".bandit"])),
            }
            run.extend(s(&["--format", "custom", "--msg-template", template]));
            run.push("-r".into());
            run.extend(python_packages(dir, files));
            run
        }
        npm => {
            let script = f.script.clone().unwrap_or_else(|| npm.trim_start_matches("npm-").to_string());
            vec!["npm".into(), "run".into(), "--silent".into(), script]
        }
    };
    let npm = run[0] == "npm";
    let install = if npm {
        let lock = if dir.is_empty() { "package-lock.json".to_string() } else { format!("{dir}/package-lock.json") };
        if files.iter().any(|p| p == lock) { "npm ci" } else { "npm install" }.to_string()
    } else {
        format!("pip install {tool}")
    };
    LintSpec {
        tool: tool.to_string(),
        command: CommandSpec { run, cwd: dir.to_string(), env: Default::default() },
        files: if npm { Vec::new() } else { s(PYTHON_FILES) },
        configs: if npm { Vec::new() } else { f.configs.iter().map(|(p, _)| p.clone()).collect() },
        install,
    }
}

/// What bandit scans in `dir`: `src` in a src layout, else the package folders (a folder
/// holding `__init__.py`, tests left out), else the whole folder.
fn python_packages(dir: &str, files: &FileList) -> Vec<String> {
    let mut packages: Vec<String> = files
        .under(dir)
        .filter_map(|p| {
            let rel = if dir.is_empty() { p } else { &p[dir.len() + 1..] };
            let parts: Vec<&str> = rel.split('/').collect();
            match parts.as_slice() {
                ["src", ..] if rel.ends_with(".py") => Some("src".to_string()),
                [pkg, "__init__.py"] if !pkg.starts_with('.') && !pkg.starts_with("test") => Some(pkg.to_string()),
                _ => None,
            }
        })
        .collect();
    packages.sort();
    packages.dedup();
    if packages.iter().any(|p| p == "src") {
        return vec!["src".into()];
    }
    if packages.is_empty() { vec![".".into()] } else { packages }
}

/// The sections of an INI file (`[flake8]`), each with its keys.
fn ini_sections(text: &str) -> Vec<(String, Vec<String>)> {
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sections.push((name.trim().to_string(), Vec::new()));
        } else if let Some((key, _)) = line.split_once(['=', ':'])
            && !line.starts_with(['#', ';'])
            && let Some(last) = sections.last_mut()
        {
            last.1.push(key.trim().to_string());
        }
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_sections_and_keys() {
        let s = ini_sections("[metadata]\nname = x\n\n[mypy]\nfiles = src\n# c: d\n[tool:isort]\nprofile=black\n");
        let names: Vec<&str> = s.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["metadata", "mypy", "tool:isort"]);
        assert_eq!(s[1].1, ["files"]);
    }

    #[test]
    fn bandit_scans_the_packages() {
        let files = |v: &[&str]| FileList::from_paths(v.iter().map(|s| s.to_string()).collect());
        let flat = files(&["b/pkg/__init__.py", "b/pkg/x.py", "b/tests/__init__.py", "b/setup.py"]);
        assert_eq!(python_packages("b", &flat), ["pkg"]);
        let src = files(&["src/pkg/__init__.py", "tests/test_x.py"]);
        assert_eq!(python_packages("", &src), ["src"]);
        assert_eq!(python_packages("", &files(&["x.py"])), ["."]);
    }
}
