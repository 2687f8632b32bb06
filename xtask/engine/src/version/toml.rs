//! TOML values located by the parser's own spans: the byte range of a version string, so an
//! edit replaces exactly those bytes (comments, spacing and line endings stay as written).

use std::collections::BTreeSet;
use std::ops::Range;

use toml_edit::{Document, Item, Table};

use super::text::{Located, SourceError};

/// Parse `text`; a syntax error names the line and column where it breaks.
pub fn parse<'t>(path: &str, text: &'t str) -> Result<Document<&'t str>, SourceError> {
    Document::parse(text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        let msg = e.message().trim().trim_end_matches('.');
        SourceError::at(path, text, at, format!("invalid TOML ({msg}); fix the syntax"))
    })
}

/// The string at `item`, located inside its quotes. `field` names it in messages.
pub fn string(path: &str, text: &str, item: &Item, field: &str) -> Result<Located, SourceError> {
    let Some(span) = item.span() else {
        return Err(SourceError::file(
            path,
            format!("{field}: the parser gave no position; write it as `key = \"X.Y.Z\"`"),
        ));
    };
    let Some(value) = item.as_str() else {
        return Err(SourceError::at(path, text, span.start, format!("{field} is not a string; write it as \"X.Y.Z\"")));
    };
    let raw = &text[span.clone()];
    let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") { 3 } else { 1 };
    let inner = span.start + quote..span.end - quote;
    if inner.start > inner.end || text[inner.clone()] != *value {
        return Err(SourceError::at(
            path,
            text,
            span.start,
            format!("{field} is written with escapes or line breaks; write it plainly as \"{value}\""),
        ));
    }
    Ok(Located::new(inner, field))
}

/// `doc[a][b]` (any depth), when every step is a table.
pub fn get<'d>(doc: &'d Document<&str>, keys: &[&str]) -> Option<&'d Item> {
    let mut item = doc.as_item();
    for key in keys {
        item = item.as_table_like()?.get(key)?;
    }
    Some(item)
}

/// The spans of the `version` of every `[[package]]` of a lock file (`Cargo.lock`, `uv.lock`)
/// that is at one of the `old` versions and for which `wanted` holds.
pub fn lock_version_spans(
    path: &str,
    text: &str,
    old: &BTreeSet<String>,
    wanted: impl Fn(&Table) -> bool,
) -> Result<Vec<Range<usize>>, SourceError> {
    let doc = parse(path, text)?;
    let Some(packages) = doc.get("package").and_then(|p| p.as_array_of_tables()) else {
        return Ok(Vec::new());
    };
    let mut spans = Vec::new();
    for package in packages.iter() {
        let version = package.get("version").filter(|v| v.as_str().is_some_and(|v| old.contains(v)));
        if let Some(version) = version.filter(|_| wanted(package)) {
            spans.push(string(path, text, version, "[[package]] version")?.span);
        }
    }
    Ok(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_located_inside_their_quotes() {
        let text = "[project]\r\nversion   =  '1.0.0'   # here\r\n[tool.poetry]\nversion = \"\"\"2.0.0\"\"\"\n";
        let doc = parse("p", text).unwrap();
        let a = string("p", text, get(&doc, &["project", "version"]).unwrap(), "[project] version").unwrap();
        assert_eq!(&text[a.span], "1.0.0");
        let b = string("p", text, get(&doc, &["tool", "poetry", "version"]).unwrap(), "x").unwrap();
        assert_eq!(&text[b.span], "2.0.0");
    }

    #[test]
    fn escapes_numbers_and_syntax_errors() {
        let text = "version = \"1.0\\u002e0\"\nother = 3\n";
        let doc = parse("p", text).unwrap();
        let err = string("p", text, get(&doc, &["version"]).unwrap(), "version").unwrap_err();
        assert!(err.message.contains("escapes"), "{err}");
        let err = string("p", text, get(&doc, &["other"]).unwrap(), "other").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("not a string"), "{err}");
        let err = parse("backend/pyproject.toml", "[project]\nname = \"x\"\nversion = \n").unwrap_err();
        assert_eq!((err.path.as_str(), err.line), ("backend/pyproject.toml", 3));
        assert!(err.message.starts_with("invalid TOML"), "{err}");
    }
}
