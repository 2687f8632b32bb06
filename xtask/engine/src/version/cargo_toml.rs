//! `Cargo.toml`: `[package] version` and `[workspace.package] version`. A member that
//! inherits (`version.workspace = true`) and a virtual workspace hold no version of their own.
//! `Cargo.lock` moves with them: the workspace's own packages, never a registry dependency;
//! and so do path dependencies on those packages (`a = { path = "../a", version = "0.1.0" }`),
//! whose requirement would otherwise stop matching.

use std::collections::BTreeSet;
use std::ops::Range;

use super::text::{SourceError, Values};
use super::toml;

/// The versions a `Cargo.toml` holds itself.
pub fn read(path: &str, text: &str) -> Result<Values, SourceError> {
    let doc = toml::parse(path, text)?;
    let mut found = Vec::new();
    for (keys, field) in [
        (&["package", "version"][..], "[package] version"),
        (&["workspace", "package", "version"][..], "[workspace.package] version"),
    ] {
        // `version.workspace = true` is a table: the value lives in the workspace root.
        if let Some(item) = toml::get(&doc, keys).filter(|i| !i.is_table_like()) {
            found.push(toml::string(path, text, item, field)?);
        }
    }
    if found.is_empty() {
        let why = if toml::get(&doc, &["package", "version"]).is_some() {
            "inherits its version from the workspace (version.workspace = true)"
        } else if toml::get(&doc, &["package"]).is_some() {
            "has no [package] version"
        } else {
            "has no [package] or [workspace.package] version"
        };
        return Ok(Values::Absent(why.into()));
    }
    Ok(Values::Found(found))
}

/// The package name of a `Cargo.toml`, and whether its version is inherited from the workspace.
pub fn package(text: &str) -> Option<(String, bool)> {
    let doc = toml_edit::Document::parse(text).ok()?;
    let name = toml::get(&doc, &["package", "name"])?.as_str()?.to_string();
    let inherits = toml::get(&doc, &["package", "version", "workspace"]).and_then(|i| i.as_bool()) == Some(true);
    Some((name, inherits))
}

/// The spans of the `version` of every `[[package]]` in a `Cargo.lock` that is one of the
/// workspace's own packages (`names`, no `source`) at one of the `old` versions.
pub fn lock_spans(
    path: &str,
    text: &str,
    names: &BTreeSet<String>,
    old: &BTreeSet<String>,
) -> Result<Vec<Range<usize>>, SourceError> {
    toml::lock_version_spans(path, text, old, |package| {
        let name = package.get("name").and_then(|n| n.as_str()).unwrap_or_default();
        names.contains(name) && !package.contains_key("source")
    })
}

/// The spans of the version numbers in requirements of path dependencies on `names` that
/// pin one of the `old` versions (`"0.1.0"`, `"=0.1.0"`, `"^0.1.0"`, `"~0.1.0"`). A registry
/// dependency (no `path`) and a range such as `">=0.1"` are left alone.
pub fn dependency_spans(
    path: &str,
    text: &str,
    names: &BTreeSet<String>,
    old: &BTreeSet<String>,
) -> Result<Vec<Range<usize>>, SourceError> {
    let doc = toml::parse(path, text)?;
    const KINDS: &[&str] = &["dependencies", "dev-dependencies", "build-dependencies"];
    let mut items: Vec<Option<&toml_edit::Item>> = KINDS.iter().map(|k| doc.get(k)).collect();
    items.push(toml::get(&doc, &["workspace", "dependencies"]));
    if let Some(targets) = doc.get("target").and_then(|t| t.as_table_like()) {
        for (_, target) in targets.iter() {
            items.extend(KINDS.iter().map(|k| target.get(k)));
        }
    }
    let tables = items.into_iter().flatten().filter_map(|i| i.as_table_like());
    let mut spans = Vec::new();
    for table in tables {
        for (key, dep) in table.iter() {
            let Some(dep) = dep.as_table_like().filter(|d| d.contains_key("path")) else { continue };
            let name = dep.get("package").and_then(|p| p.as_str()).unwrap_or(key);
            let Some(version) = dep.get("version").filter(|_| names.contains(name)) else { continue };
            let located = toml::string(path, text, version, &format!("the requirement on {name}"))?;
            let requirement = &text[located.span.clone()];
            let number = requirement.trim_start_matches(['=', '^', '~', ' ']);
            if old.contains(number) {
                spans.push(located.span.end - number.len()..located.span.end);
            }
        }
    }
    Ok(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_and_workspace_versions() {
        let text = "[package]\nname = \"a\"\nversion = \"1.0.0\" # own\n\n[workspace.package]\nversion = \"1.0.0\"\n\n[dependencies]\nserde = { version = \"1.0.0\" }\n";
        let Values::Found(found) = read("Cargo.toml", text).unwrap() else { panic!() };
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].field, "[package] version");
        assert!(found.iter().all(|l| &text[l.span.clone()] == "1.0.0"));
        assert!(text[..found[1].span.start].ends_with("[workspace.package]\nversion = \""));
    }

    #[test]
    fn inherited_and_virtual_hold_none() {
        let member = "[package]\nname = \"m\"\nversion.workspace = true\n";
        assert!(matches!(read("m/Cargo.toml", member).unwrap(), Values::Absent(w) if w.contains("inherits")));
        assert_eq!(package(member), Some(("m".to_string(), true)));
        let virt = "[workspace]\nmembers = [\"m\"]\n";
        assert!(matches!(read("Cargo.toml", virt).unwrap(), Values::Absent(_)));
        let err = read("Cargo.toml", "[package]\nversion = 1\n").unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn lock_entries_of_own_packages_only() {
        let lock = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\n \"serde\",\n]\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"b\"\nversion = \"0.3.0\"\n";
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        let spans = lock_spans("Cargo.lock", lock, &set(&["a", "b", "serde"]), &set(&["1.0.0"])).unwrap();
        assert_eq!(spans.len(), 1, "serde has a source; b is at another version");
        assert!(lock[..spans[0].start].ends_with("name = \"a\"\nversion = \""));
        assert!(lock_spans("Cargo.lock", "[[package]\n", &set(&[]), &set(&[])).is_err());
    }

    #[test]
    fn path_dependencies_on_own_packages_only() {
        let text = "[dependencies]\na = { path = \"../a\", version = \"=0.1.0\" }\nserde = \"0.1.0\"\nreg = { version = \"0.1.0\" }\nrange = { path = \"../r\", version = \">=0.1.0\" }\n\n[target.'cfg(unix)'.dev-dependencies.b]\npath = \"../b\"\nversion = \"0.1.0\"\n\n[workspace.dependencies]\nalias = { path = \"a\", package = \"a\", version = \"^0.1.0\" }\n";
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        let spans = dependency_spans("Cargo.toml", text, &set(&["a", "b", "range", "reg"]), &set(&["0.1.0"])).unwrap();
        let found: Vec<&str> = spans.iter().map(|s| &text[s.clone()]).collect();
        assert_eq!(found, ["0.1.0"; 3]);
        assert!(text[..spans[0].start].ends_with("version = \"="));
        assert!(
            text[..spans[2].start].ends_with("[target.'cfg(unix)'.dev-dependencies.b]\npath = \"../b\"\nversion = \"")
        );
        assert!(text[..spans[1].start].ends_with("package = \"a\", version = \"^"));
    }
}
