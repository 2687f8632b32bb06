//! `Cargo.toml`: `[package] version` and `[workspace.package] version`. A member that
//! inherits (`version.workspace = true`) and a virtual workspace hold no version of their own.

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
        let virt = "[workspace]\nmembers = [\"m\"]\n";
        assert!(matches!(read("Cargo.toml", virt).unwrap(), Values::Absent(_)));
        let err = read("Cargo.toml", "[package]\nversion = 1\n").unwrap_err();
        assert_eq!(err.line, 2);
    }
}
