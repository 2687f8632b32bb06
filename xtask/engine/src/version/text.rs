//! Positions in a file's text: the located value (a byte span), its line and column, and the
//! one edit every writer makes (replace that span, keep every other byte).

use std::fmt;
use std::ops::Range;

/// A version value found in a file: the byte span of its text (inside any quotes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub span: Range<usize>,
    /// What holds it, for people: `[project] version`, `"version"`, `__version__`.
    pub field: String,
}

impl Located {
    pub fn new(span: Range<usize>, field: impl Into<String>) -> Located {
        Located { span, field: field.into() }
    }
}

/// What a file holds: its version values, or why it holds none of its own (a package.json
/// without `"version"`, a virtual Cargo workspace, a module that computes `__version__`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Values {
    Found(Vec<Located>),
    Absent(String),
}

/// A problem with one version source, at a place in one file. Line 0 is the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl SourceError {
    pub fn new(path: &str, line: usize, column: usize, message: impl Into<String>) -> SourceError {
        SourceError { path: path.to_string(), line, column, message: message.into() }
    }

    /// An error about the whole file.
    pub fn file(path: &str, message: impl Into<String>) -> SourceError {
        SourceError::new(path, 0, 0, message)
    }

    /// An error at byte `offset` of `text`.
    pub fn at(path: &str, text: &str, offset: usize, message: impl Into<String>) -> SourceError {
        let (line, column) = line_column(text, offset);
        SourceError::new(path, line, column, message)
    }

    pub fn finding(&self) -> crate::report::Finding {
        crate::report::Finding::new(&self.path, self.line, self.column, &self.message)
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.path, self.message),
            l => write!(f, "{}:{l}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for SourceError {}

/// The 1-based line and 1-based column (in characters) of byte `offset`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `text` with the byte ranges replaced (ranges must not overlap); every other byte is kept.
pub fn replace_spans(text: &[u8], edits: &[(Range<usize>, String)]) -> Vec<u8> {
    let mut sorted: Vec<&(Range<usize>, String)> = edits.iter().collect();
    sorted.sort_by_key(|(r, _)| r.start);
    let mut out = Vec::with_capacity(text.len() + 16);
    let mut at = 0;
    for (range, new) in sorted {
        out.extend_from_slice(&text[at..range.start]);
        out.extend_from_slice(new.as_bytes());
        at = range.end;
    }
    out.extend_from_slice(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_character_columns() {
        let text = "a\n\u{e9}t\u{e9} = \"1\"\r\nz";
        let offset = text.find('"').unwrap() + 1;
        assert_eq!(line_column(text, offset), (2, 8));
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, text.len()), (3, 2));
    }

    #[test]
    fn replacing_keeps_the_rest() {
        let text = b"x = \"1.0.0\"\r\ny = \"1.0.0\"";
        let out = replace_spans(text, &[(18..23, "2.0.0".into()), (5..10, "2.0.0".into())]);
        assert_eq!(out, b"x = \"2.0.0\"\r\ny = \"2.0.0\"");
    }
}
