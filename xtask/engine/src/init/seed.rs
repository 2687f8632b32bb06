//! The first `xtask.toml` of an adopting repository, written from detection: the version
//! sources, a project name that no Python package shares, the gates, and what CI sets up. The
//! tool's own files (the shim, its workspace, `.cargo/`, `.github/`) are left out of all of it.

use std::fmt::Write as _;

use crate::detect;
use crate::project::{CommandSpec, GateKind, Project, SourceKind};

/// The text of `xtask.toml`.
pub fn xtask_toml(project: &Project) -> String {
    let mut out = String::from(
        "# polyrelease configuration, written by `init` from what it detected. Edit freely:\n\
         # `cargo xtask quality-check --list` and `cargo xtask version` show what it resolves to.\n",
    );
    let name = project_name(project);
    let _ = write!(
        out,
        "\n[release]\n# The name of the source archive; no Python package of this repository shares it.\nname = {}\n",
        q(&name)
    );

    let sources: Vec<_> = project.versions.iter().filter(|v| !project.tooling.contains(&v.path)).collect();
    if !sources.is_empty() {
        out.push_str("\n# Every file that holds the version; `cargo xtask release` moves them together.\n");
    }
    for v in sources {
        let _ = write!(out, "[[version]]\npath = {}\n", q(&v.path));
        if let Some(pattern) = &v.pattern {
            let _ = writeln!(out, "pattern = {}", q(pattern));
        }
    }

    out.push_str("\n[gates]\ndetect = false                   # the gates below, and only them, run\n");
    let mut commands: Vec<(String, &CommandSpec)> = Vec::new();
    for gate in &project.gates {
        match &gate.kind {
            GateKind::Versions => out.push_str("\n[gates.versions]\n"),
            GateKind::Ascii { paths, files, exclude } => {
                let _ = write!(out, "\n[gates.ascii]\npaths = {}\n", list(paths));
                if files != &["*.md"] {
                    let _ = writeln!(out, "files = {}", list(files));
                }
                if !exclude.is_empty() {
                    let _ = writeln!(out, "exclude = {}", list(exclude));
                }
            }
            GateKind::Ellipsis { paths, exclude, allow, .. } => {
                let mut exclude = exclude.clone();
                exclude.push("xtask/**".to_string());
                let _ = write!(out, "\n[gates.ellipsis]\npaths = {}\nexclude = {}\n", list(paths), list(&exclude));
                if !allow.is_empty() {
                    let _ = writeln!(out, "allow = {}", list(allow));
                }
            }
            GateKind::Compile { paths, exclude, .. } => {
                let _ = write!(out, "\n[gates.compile]\npaths = {}\n", list(paths));
                if !exclude.is_empty() {
                    let _ = writeln!(out, "exclude = {}", list(exclude));
                }
            }
            GateKind::Links { paths, exclude } => {
                let _ = write!(out, "\n[gates.links]\npaths = {}\n", list(paths));
                if !exclude.is_empty() {
                    let _ = writeln!(out, "exclude = {}", list(exclude));
                }
            }
            GateKind::Tests { commands: tests } => {
                let product: Vec<&CommandSpec> = tests.iter().filter(|c| !is_the_shims_tests(project, c)).collect();
                let one = product.len() == 1;
                for c in product {
                    let name = if one { "tests".to_string() } else { format!("tests-{}", slug(&c.cwd)) };
                    commands.push((name, c));
                }
            }
            GateKind::Command(c) => commands.push((gate.name.clone(), c)),
            // A detected lint gate, written out: `detect = false` would drop it.
            GateKind::Lint(l) => commands.push((gate.name.clone(), &l.command)),
            GateKind::Commits { .. } => out.push_str("\n[gates.commits]\n"),
        }
    }
    for (name, c) in commands {
        let _ = write!(out, "\n[[gates.command]]\nname = {}\nrun = {}\n", q(&name), list(&c.run));
        if !c.cwd.is_empty() {
            let _ = writeln!(out, "cwd = {}", q(&c.cwd));
        }
    }
    out.push_str(&ci_section(project));
    out
}

/// `cargo test` at the root of a workspace that is only the shim tests the tool, not the product.
fn is_the_shims_tests(project: &Project, c: &CommandSpec) -> bool {
    c.run.first().is_some_and(|p| p == "cargo") && c.cwd.is_empty() && project.tooling.contains("Cargo.toml")
}

/// `[ci]`: the interpreters the gates and bundles use, and what they install.
fn ci_section(project: &Project) -> String {
    let runs: Vec<&Vec<String>> = project
        .gates
        .iter()
        .flat_map(|g| match &g.kind {
            GateKind::Tests { commands } => commands.iter().map(|c| &c.run).collect(),
            GateKind::Command(c) => vec![&c.run],
            GateKind::Lint(l) => vec![&l.command.run],
            _ => vec![],
        })
        .chain(project.bundles.iter().flat_map(|b| b.build.iter()))
        .collect();
    let uses = |word: &str| runs.iter().any(|r| r.iter().any(|a| a == word));
    let py = detect::python();
    let mut setup: Vec<Vec<String>> = Vec::new();
    let mut pip: Vec<String> = Vec::new();
    if uses("pytest") {
        pip.push("pytest".into());
    }
    if runs.iter().any(|r| r.first() == Some(&py) && r.iter().any(|a| a == "build")) {
        pip.push("build".into());
    }
    // The Python tools of the lint gates (ruff, mypy, ...), once each.
    let lint_tools: Vec<&str> = project
        .gates
        .iter()
        .filter_map(|g| match &g.kind {
            GateKind::Lint(l) => l.install.strip_prefix("pip install "),
            _ => None,
        })
        .collect();
    for tool in &lint_tools {
        if !pip.iter().any(|p| p == tool) {
            pip.push(tool.to_string());
        }
    }
    for v in project.versions.iter().filter(|v| v.kind == SourceKind::PyProject && !project.tooling.contains(&v.path)) {
        let dir = detect::parent(&v.path);
        pip.push(if dir.is_empty() { ".".into() } else { format!("./{dir}") });
    }
    if !pip.is_empty() {
        let mut cmd = vec![py.clone(), "-m".into(), "pip".into(), "install".into()];
        cmd.extend(pip);
        setup.push(cmd);
    }
    let mut npm_tests: Vec<&CommandSpec> = project
        .gates
        .iter()
        .flat_map(|g| match &g.kind {
            GateKind::Tests { commands } => {
                commands.iter().filter(|c| c.run.first().is_some_and(|p| p == "npm")).collect()
            }
            GateKind::Lint(l) if l.command.run.first().is_some_and(|p| p == "npm") => vec![&l.command],
            _ => vec![],
        })
        .collect();
    // One install per package, whether its tests or its lint scripts need it.
    npm_tests.sort_by(|a, b| a.cwd.cmp(&b.cwd));
    npm_tests.dedup_by(|a, b| a.cwd == b.cwd);
    for c in npm_tests {
        let lock =
            if c.cwd.is_empty() { "package-lock.json".to_string() } else { format!("{}/package-lock.json", c.cwd) };
        let install = if project.files.iter().any(|p| p == lock) { "ci" } else { "install" };
        let prefix = if c.cwd.is_empty() { ".".to_string() } else { c.cwd.clone() };
        setup.push(vec!["npm".into(), install.into(), "--prefix".into(), prefix]);
    }
    let python =
        project.gates.iter().any(|g| matches!(g.kind, GateKind::Compile { .. })) || uses(&py) || !lint_tools.is_empty();
    let node = uses("npm") || uses("node");
    let mut out = String::from(
        "\n# What the CI workflows set up before the gates (`init` writes them from this section).\n[ci]\n",
    );
    if python {
        out.push_str("python = \"3.12\"\n");
    }
    if node {
        out.push_str("node = \"22\"\n");
    }
    let lines: Vec<String> = setup.iter().map(|c| format!("  {},\n", list(c))).collect();
    let _ = write!(out, "setup = [\n{}]\n", lines.concat());
    out
}

/// The root folder's name as a package-like name, kept apart from every Python package's name
/// (the source archive `NAME-VERSION.tar.gz` must never be mistaken for the sdist).
fn project_name(project: &Project) -> String {
    let folder = project.repo.root().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut name = slug(&folder);
    if name.is_empty() {
        name = "project".into();
    }
    let python: Vec<String> = project
        .versions
        .iter()
        .filter(|v| v.kind == SourceKind::PyProject)
        .filter_map(|v| std::fs::read_to_string(project.repo.path(&v.path)).ok())
        .filter_map(|text| text.parse::<toml_edit::DocumentMut>().ok())
        .filter_map(|doc| {
            doc.get("project").and_then(|p| p.get("name")).and_then(|n| n.as_str()).map(crate::version::pep503)
        })
        .collect();
    if python.contains(&crate::version::pep503(&name)) { format!("{name}-project") } else { name }
}

/// Lowercase letters, digits and single dashes.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn q(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| q(s)).collect();
    format!("[{}]", quoted.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_compared_as_pep_503_says() {
        assert_eq!(crate::version::pep503("Lot_Genius.Core"), "lot-genius-core");
        assert_eq!(slug(".tmpAB_c"), "tmpab-c");
        assert_eq!(slug("lotgenius"), "lotgenius");
    }
}
