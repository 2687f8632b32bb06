//! Detection proposes packages, never imposes them: the members of npm (`workspaces`), uv
//! (`[tool.uv.workspace] members`) and Cargo (`[workspace] members`) workspaces that carry a
//! version of their own. `version` shows them with the `xtask.toml` snippet that adopts them;
//! the single version stays in force until the snippet is written.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::detect::{member_dirs, parent, workspace_members};
use crate::repo::{FileList, Repo};

/// A package detection would propose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    pub name: String,
    pub folder: String,
    /// The manifest that holds its version.
    pub manifest: String,
    /// The workspace manifest that lists it.
    pub workspace: String,
}

/// The packages the workspaces at the root or one folder down declare, in path order.
pub fn propose(repo: &Repo, files: &FileList) -> Vec<Proposal> {
    let known: BTreeSet<&str> = files.iter().collect();
    let mut out: Vec<Proposal> = Vec::new();
    let roots = files.iter().filter(|p| {
        p.matches('/').count() <= 1
            && !crate::detect::is_foreign(p)
            && matches!(p.rsplit('/').next(), Some("package.json" | "pyproject.toml" | "Cargo.toml"))
    });
    for workspace in roots {
        let name = workspace.rsplit('/').next().unwrap_or(workspace);
        for member in workspace_members(repo, workspace) {
            let base = parent(workspace);
            let pattern = if base.is_empty() { member } else { format!("{base}/{member}") };
            for dir in member_dirs(&known, &pattern) {
                let manifest = format!("{dir}/{name}");
                if crate::detect::is_foreign(&manifest) || !known.contains(manifest.as_str()) {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(repo.path(&manifest)) else { continue };
                let Some(package) = own_name_if_versioned(name, &text) else { continue };
                if out.iter().any(|p| p.folder == dir) {
                    continue;
                }
                let package = tag_safe_name(&package).unwrap_or_else(|| dir.rsplit('/').next().unwrap_or(&dir).into());
                out.push(Proposal { name: package, folder: dir, manifest, workspace: workspace.to_string() });
            }
        }
    }
    // Two members of one name (`packages/a/ui`, `apps/b/ui`) get their folder's path instead.
    let names: Vec<String> = out.iter().map(|p| p.name.clone()).collect();
    for p in &mut out {
        if names.iter().filter(|n| **n == p.name).count() > 1 {
            p.name = p.folder.replace('/', "-");
        }
    }
    out
}

/// The manifest's package name when it carries a version of its own (not inherited from the
/// workspace): `"version"` in package.json, `[project] version` in pyproject.toml, a string
/// `[package] version` in Cargo.toml.
fn own_name_if_versioned(kind: &str, text: &str) -> Option<String> {
    if kind == "package.json" {
        let json: serde_json::Value = serde_json::from_str(text).ok()?;
        json.get("version")?.as_str()?;
        return Some(json.get("name").and_then(|n| n.as_str()).unwrap_or_default().to_string());
    }
    let doc = text.parse::<toml_edit::DocumentMut>().ok()?;
    let table = doc.get(if kind == "Cargo.toml" { "package" } else { "project" })?;
    table.get("version")?.as_str()?;
    Some(table.get("name").and_then(|n| n.as_str()).unwrap_or_default().to_string())
}

/// `@scope/ui` -> `ui`; `None` when nothing tag-safe is left.
fn tag_safe_name(name: &str) -> Option<String> {
    let name = name.rsplit('/').next().unwrap_or(name);
    let clean: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '-' }).collect();
    let clean = clean.trim_matches(['-', '.']).to_string();
    (!clean.is_empty()).then_some(clean)
}

/// The `xtask.toml` lines that adopt the proposals: every proposed package, in one
/// independent group (each keeps its own version and tags).
pub fn snippet(proposals: &[Proposal]) -> String {
    let mut out = String::new();
    for p in proposals {
        out.push_str(&format!("[[package]]\nname = {:?}\nfolder = {:?}\n\n", p.name, p.folder));
    }
    let names: Vec<String> = proposals.iter().map(|p| format!("{:?}", p.name)).collect();
    out.push_str(&format!(
        "[[group]]\nname = \"workspace\"\npackages = [{}]\nmode = \"independent\"\n",
        names.join(", ")
    ));
    out
}

/// What `version` prints under its table: the proposal, and the snippet that adopts it.
pub fn proposal_text(proposals: &[Proposal]) -> String {
    let mut out = String::from(
        "\nproposal: the workspaces declare packages with versions of their own; the single version above \
         stays in force until xtask.toml declares them (docs/packages.md):\n",
    );
    for p in proposals {
        out.push_str(&format!(
            "  {} in {}/ (listed by {})\n",
            crate::output::safe(&p.name),
            crate::output::safe(&p.folder),
            crate::output::safe(&p.workspace)
        ));
    }
    out.push_str("to adopt them, add to xtask.toml:\n\n");
    out.push_str(&snippet(proposals));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_tag_safe_and_versions_must_be_the_members_own() {
        assert_eq!(tag_safe_name("@acme/ui").as_deref(), Some("ui"));
        assert_eq!(tag_safe_name("my pkg").as_deref(), Some("my-pkg"));
        assert_eq!(tag_safe_name("@@"), None);
        assert_eq!(own_name_if_versioned("package.json", r#"{"name":"a","version":"1.0.0"}"#).as_deref(), Some("a"));
        assert_eq!(own_name_if_versioned("package.json", r#"{"name":"a"}"#), None);
        assert_eq!(own_name_if_versioned("Cargo.toml", "[package]\nname = \"c\"\nversion.workspace = true\n"), None);
        assert_eq!(
            own_name_if_versioned("Cargo.toml", "[package]\nname = \"c\"\nversion = \"0.1.0\"\n").as_deref(),
            Some("c")
        );
        assert_eq!(
            own_name_if_versioned("pyproject.toml", "[project]\nname = \"p\"\nversion = \"2.0\"\n").as_deref(),
            Some("p")
        );
    }

    #[test]
    fn the_snippet_declares_every_proposal() {
        let p = |name: &str, folder: &str| Proposal {
            name: name.into(),
            folder: folder.into(),
            manifest: format!("{folder}/package.json"),
            workspace: "package.json".into(),
        };
        let text = snippet(&[p("ui", "packages/ui"), p("lib", "packages/lib")]);
        let config = crate::config::Config::parse(&text).unwrap();
        assert_eq!(config.packages.unwrap().len(), 2);
        assert_eq!(config.groups.unwrap()[0].packages, ["ui", "lib"]);
    }
}
