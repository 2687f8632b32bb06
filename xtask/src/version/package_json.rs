//! `package.json`: the root `"version"` only (never a dependency's), located by byte span.

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
}
