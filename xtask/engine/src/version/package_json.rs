//! `package.json`: the root `"version"` only (never a dependency's), located by byte span;
//! and the `package-lock.json` / `npm-shrinkwrap.json` entries that move with it.

use std::ops::Range;

use super::json;
use super::text::{Located, SourceError, Values};

/// The root `"version"` of a `package.json`.
pub fn read(path: &str, text: &str) -> Result<Values, SourceError> {
    json::validate(path, text)?;
    let spans = json::find(text, &["version"]);
    match spans.as_slice() {
        [] => Ok(Values::Absent("has no root \"version\"".into())),
        [span] => match json::plain_string(text, span) {
            Some(inner) => Ok(Values::Found(vec![Located::new(inner, "\"version\"")])),
            None => Err(SourceError::at(
                path,
                text,
                span.start,
                "the root \"version\" is not a plain string; write it as \"version\": \"X.Y.Z\"",
            )),
        },
        [_, second, ..] => {
            Err(SourceError::at(path, text, second.start, "\"version\" is written twice at the root; keep one"))
        }
    }
}

/// The lockfile names npm keeps beside a `package.json` (or at its workspace root).
pub const LOCKFILES: &[&str] = &["package-lock.json", "npm-shrinkwrap.json"];

/// The spans of a lockfile's own versions for the package at `key` (the member's folder
/// relative to the lockfile, `""` for the lockfile's own package): for `""` the root
/// `"version"` (v1, v2) and `packages[""].version` (v2, v3); for a workspace member
/// `packages["key"].version`. Dependencies are never touched, whatever number they carry.
pub fn lock_spans(path: &str, text: &str, key: &str) -> Result<Vec<Range<usize>>, SourceError> {
    json::validate(path, text)?;
    let mut spans = json::find(text, &["packages", key, "version"]);
    if key.is_empty() {
        spans.extend(json::find(text, &["version"]));
    }
    spans
        .into_iter()
        .map(|span| {
            json::plain_string(text, &span).ok_or_else(|| {
                SourceError::at(path, text, span.start, "a lockfile version is not a plain string; run `npm install`")
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_root_version_not_a_dependency() {
        let text = "{\n  \"dependencies\": {\"version\": \"9.9.9\"},\n  \"version\": \"0.1.0\"\n}";
        let Values::Found(found) = read("package.json", text).unwrap() else { panic!() };
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].span.clone()], "0.1.0");
    }

    #[test]
    fn no_version_duplicates_and_numbers() {
        assert!(matches!(read("p", "{\"private\": true}").unwrap(), Values::Absent(_)));
        let err = read("p", "{\n\"version\": \"1.0.0\",\n\"version\": \"1.0.1\"}").unwrap_err();
        assert!(err.line == 3 && err.message.contains("twice"), "{err}");
        let err = read("p", "{\"version\": 1}").unwrap_err();
        assert!(err.message.contains("plain string"), "{err}");
        let err = read("frontend/package.json", "{\n  \"version\": \"1.0.0\"\n  \"name\": \"x\"\n}").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
    }

    #[test]
    fn lockfile_v1_v2_v3_own_entries_only() {
        let v1 = "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 1,\n  \"dependencies\": {\"dep\": {\"version\": \"1.0.0\"}}\n}\n";
        let spans = lock_spans("package-lock.json", v1, "").unwrap();
        assert_eq!(spans.len(), 1);
        assert!(v1[..spans[0].start].ends_with("\"name\": \"app\",\n  \"version\": \""));
        let v3 = "{\"name\": \"app\", \"lockfileVersion\": 3, \"packages\": {\"\": {\"name\": \"app\", \"version\": \"1.0.0\"}, \"node_modules/dep\": {\"version\": \"1.0.0\"}, \"packages/ui\": {\"version\": \"1.0.0\"}}}";
        assert_eq!(lock_spans("l", v3, "").unwrap().len(), 1);
        let member = lock_spans("l", v3, "packages/ui").unwrap();
        assert_eq!(member.len(), 1);
        assert!(v3[..member[0].start].ends_with("\"packages/ui\": {\"version\": \""));
        let v2 = v3.replace("\"lockfileVersion\": 3,", "\"version\": \"1.0.0\", \"lockfileVersion\": 2,");
        assert_eq!(lock_spans("l", &v2, "").unwrap().len(), 2);
        assert_eq!(lock_spans("l", "{\"lockfileVersion\": 3}", "").unwrap(), Vec::<Range<usize>>::new());
        assert!(lock_spans("l", "{\"version\": 1}", "").is_err());
    }
}
