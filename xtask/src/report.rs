//! Gate results as a table, JSON, GitHub annotations and a job summary.

use serde::Serialize;

/// One problem at one place. `line` and `column` are 1-based; `column` counts characters.
/// A finding about a whole file has line 0 and column 0 (printed without them).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// Root-relative, forward slashes.
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Finding {
    pub fn new(path: impl Into<String>, line: usize, column: usize, message: impl Into<String>) -> Finding {
        Finding { path: path.into(), line, column, message: message.into() }
    }

    /// `path:line:col: message` (the form editors and `bench.py verify` read).
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (0, _) => self.path.clone(),
            (l, 0) => format!("{}:{l}", self.path),
            (l, c) => format!("{}:{l}:{c}", self.path),
        }
    }
}
