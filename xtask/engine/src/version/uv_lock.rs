//! `uv.lock`: the project's own entry (a local `editable`, `virtual` or `directory` source)
//! moves with its `pyproject.toml`; registry packages are never touched.

use std::collections::BTreeSet;
use std::ops::Range;

use super::text::SourceError;
use super::toml;

/// PEP 503 normalisation, as uv writes package names.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The spans of the `version` of the `[[package]]` entries named `name` (normalised) with a
/// local source, at one of the `old` versions.
pub fn lock_spans(
    path: &str,
    text: &str,
    name: &str,
    old: &BTreeSet<String>,
) -> Result<Vec<Range<usize>>, SourceError> {
    toml::lock_version_spans(path, text, old, |package| {
        let same_name = package.get("name").and_then(|n| n.as_str()).is_some_and(|n| normalize_name(n) == name);
        let local = package
            .get("source")
            .and_then(|s| s.as_table_like())
            .is_some_and(|s| ["editable", "virtual", "directory"].iter().any(|k| s.contains_key(k)));
        same_name && local
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_projects_own_entry_only() {
        let lock = "version = 1\nrequires-python = \">=3.9\"\n\n[[package]]\nname = \"lot-genius\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\n\n[[package]]\nname = \"lot-genius\"\nversion = \"0.1.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n";
        let old: BTreeSet<String> = ["0.1.0".to_string()].into();
        let spans = lock_spans("uv.lock", lock, &normalize_name("Lot_Genius"), &old).unwrap();
        assert_eq!(spans.len(), 1);
        assert!(lock[..spans[0].start].ends_with("name = \"lot-genius\"\nversion = \""));
        assert!(lock[spans[0].end..].starts_with("\"\nsource = { editable"));
        assert_eq!(normalize_name("A.b__C"), "a-b-c");
    }
}
