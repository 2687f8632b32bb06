//! Byte spans of values in a JSON document, so that an edit replaces one value and never
//! re-serialises the document (indentation, key order and line endings stay as they are).

use std::ops::Range;

use super::text::SourceError;

/// Check that `text` is JSON; the error names the line and column where it breaks.
pub fn validate(path: &str, text: &str) -> Result<(), SourceError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    match serde_json::from_str::<serde::de::IgnoredAny>(body) {
        Ok(_) => Ok(()),
        Err(e) => {
            let msg = e.to_string();
            let msg = msg.rsplit_once(" at line ").map_or(msg.as_str(), |(m, _)| m);
            Err(SourceError::new(
                path,
                e.line(),
                e.column(),
                format!("invalid JSON ({msg}); fix the syntax (a trailing comma or a missing quote?)"),
            ))
        }
    }
}

/// The spans of the values at `keys` (object keys from the root), in document order. A key
/// written twice gives two spans. The text must be valid JSON (see [`validate`]).
pub fn find(text: &str, keys: &[&str]) -> Vec<Range<usize>> {
    let s = Scanner { b: text.as_bytes(), text };
    let start = s.ws(if text.starts_with('\u{feff}') { 3 } else { 0 });
    let root = start..s.value_end(start);
    let mut spans = vec![root];
    for key in keys {
        spans = spans
            .into_iter()
            .filter(|span| s.b[span.start] == b'{')
            .flat_map(|span| s.members(span.start))
            .filter(|(k, _)| k == key)
            .map(|(_, value)| value)
            .collect();
    }
    spans
}

/// The text inside a JSON string value's quotes, when it is a plain string (no escapes).
pub fn plain_string(text: &str, span: &Range<usize>) -> Option<Range<usize>> {
    let raw = &text[span.clone()];
    (raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"') && !raw.contains('\\'))
        .then(|| span.start + 1..span.end - 1)
}

struct Scanner<'a> {
    b: &'a [u8],
    text: &'a str,
}

impl Scanner<'_> {
    fn ws(&self, mut i: usize) -> usize {
        while i < self.b.len() && matches!(self.b[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        i
    }

    /// The end of the string starting at the quote at `i`.
    fn string_end(&self, mut i: usize) -> usize {
        i += 1;
        while i < self.b.len() {
            match self.b[i] {
                b'\\' => i += 2,
                b'"' => return i + 1,
                _ => i += 1,
            }
        }
        i
    }

    /// The end of the value starting at `i`.
    fn value_end(&self, mut i: usize) -> usize {
        match self.b.get(i) {
            Some(b'"') => self.string_end(i),
            Some(b'{' | b'[') => {
                let mut depth = 0usize;
                while i < self.b.len() {
                    match self.b[i] {
                        b'"' => {
                            i = self.string_end(i);
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return i + 1;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i
            }
            _ => {
                while i < self.b.len() && !matches!(self.b[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    i += 1;
                }
                i
            }
        }
    }

    /// (decoded key, value span) of each member of the object whose `{` is at `i`.
    fn members(&self, i: usize) -> Vec<(String, Range<usize>)> {
        let mut out = Vec::new();
        let mut i = self.ws(i + 1);
        while i < self.b.len() && self.b[i] == b'"' {
            let key_end = self.string_end(i);
            let key = serde_json::from_str::<String>(&self.text[i..key_end]).unwrap_or_default();
            i = self.ws(self.ws(key_end) + 1); // past the colon
            let end = self.value_end(i);
            out.push((key, i..end));
            i = self.ws(end);
            if self.b.get(i) == Some(&b',') {
                i = self.ws(i + 1);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\u{feff}{\r\n  \"name\": \"x\",\n\t\"dependencies\": {\"version\": \"1.0.0\", \"a\": [1, {\"b\": \"}\"}]},\n  \"vers\\u0069on\" :  \"1.0.0\" ,\n  \"packages\": {\"\": {\"version\": \"1.0.0\"}}\n}";

    #[test]
    fn finds_only_the_value_at_the_path() {
        validate("p", DOC).unwrap();
        let spans = find(DOC, &["version"]);
        assert_eq!(spans.len(), 1);
        let inner = plain_string(DOC, &spans[0]).unwrap();
        assert_eq!(&DOC[inner.clone()], "1.0.0");
        assert!(DOC[..inner.start].ends_with(":  \""));
        let nested = find(DOC, &["packages", "", "version"]);
        assert_eq!(nested.len(), 1);
        assert!(DOC[..nested[0].start].ends_with("{\"\": {\"version\": "));
        assert!(find(DOC, &["nope"]).is_empty());
    }

    #[test]
    fn duplicates_and_non_strings() {
        let doc = "{\"version\": 1, \"version\": \"2\"}";
        let spans = find(doc, &["version"]);
        assert_eq!(spans.len(), 2);
        assert_eq!(plain_string(doc, &spans[0]), None);
        assert_eq!(plain_string("\"a\\u0031\"", &(0..9)), None);
    }

    #[test]
    fn invalid_json_names_line_and_column() {
        let err = validate("frontend/package.json", "{\n  \"a\": 1,\n}\n").unwrap_err();
        assert_eq!((err.line, err.path.as_str()), (3, "frontend/package.json"));
        assert!(err.message.contains("invalid JSON"), "{err}");
        assert!(!err.message.contains("at line"), "{err}");
    }
}
