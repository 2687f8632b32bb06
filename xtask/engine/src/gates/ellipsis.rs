//! The `ellipsis` gate: three ASCII dots left where code was never written.
//!
//! By default (`mode = "placeholders"`) a finding is a placeholder, read with the grammar of the
//! file's language ([`super::syntax`]): a line whose code is only the dots, dots inside a
//! comment (`# ... rest here`, `// ...`), and in Python a body of only `...` outside stubs,
//! `Protocol` classes and `@overload` / `@abstractmethod` definitions. Spreads, rest
//! parameters, `Field(...)`, `Tuple[int, ...]` and string literals such as `"Loading..."` are
//! code. `mode = "any"` is the strict check: every line of code that holds the dots (what
//! `rg -F` finds). In both modes a line may be allowed by a trailing `allow-ellipsis` comment or
//! a configured regex, and binary files (a NUL byte anywhere, ripgrep's rule) are skipped.

use memchr::memmem::Finder;

use super::python_blocks::{Blocks, Verdict};
use super::scan::{FileCheck, Found, chars_in, lines};
use super::syntax::{self, Kind, Lexer};
pub use crate::config::EllipsisMode as Mode;

/// Three ASCII dots, spelled so this file passes its own gate.
pub const DOTS: &str = concat!("..", ".");

/// The marker that allows one line.
pub const MARKER: &str = "allow-ellipsis";

/// The longest part of the line quoted in a finding.
const QUOTE: usize = 80;

pub struct Ellipsis {
    finder: Finder<'static>,
    allow: Vec<regex_lite::Regex>,
    mode: Mode,
}

impl Ellipsis {
    /// `allow`: regexes; a line matching one may hold the dots.
    pub fn new(allow: &[String], mode: Mode) -> anyhow::Result<Ellipsis> {
        let allow = allow
            .iter()
            .map(|re| {
                regex_lite::Regex::new(re).map_err(|e| anyhow::anyhow!("allow: {re:?} is not a valid regex: {e}"))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Ellipsis { finder: Finder::new(DOTS.as_bytes()), allow, mode })
    }

    fn allowed(&self, line: &[u8]) -> bool {
        if has_marker(line) {
            return true;
        }
        // One conversion of the line, however many patterns read it.
        let text = (!self.allow.is_empty()).then(|| String::from_utf8_lossy(line));
        text.is_some_and(|text| self.allow.iter().any(|re| re.is_match(&text)))
    }

    /// `mode = "any"`: every line that holds the dots, at the first of them.
    fn any(&self, bytes: &[u8], first: usize, out: &mut Found<'_>) {
        let (mut line_no, mut counted) = (1, 0);
        let mut at = first;
        loop {
            let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
            line_no += memchr::memchr_iter(b'\n', &bytes[counted..start]).count();
            counted = start;
            let line = &bytes[start..end];
            if !self.allowed(line) {
                let column = chars_in(&bytes[start..at]) + 1;
                out.push(line_no, column, format!("placeholder {DOTS} in code: {}", quote(line)));
            }
            if end >= bytes.len() {
                break;
            }
            match self.finder.find(&bytes[end + 1..]) {
                Some(i) => at = end + 1 + i,
                None => break,
            }
        }
    }

    /// `mode = "placeholders"`: the file read line by line with its language's grammar.
    fn placeholders(&self, bytes: &[u8], out: &mut Found<'_>) {
        let syntax = syntax::for_path(out.path());
        let mut lexer = Lexer::new(syntax);
        let mut python = syntax.python.then(|| Python::new(out.path().ends_with(".pyi")));
        for (line_no, line) in lines(bytes) {
            lexer.line(line);
            let dots: Vec<usize> = self.finder.find_iter(line).collect();
            if let Some(py) = python.as_mut() {
                py.line(line_no, line, &lexer, &dots, self, out);
                continue;
            }
            if dots.is_empty() || self.allowed(line) {
                continue;
            }
            // A line of only the dots has little code: a long one need not be copied.
            let mut code = Vec::new();
            let short = lexer.code(line, &mut code, 256);
            let lone = short && bare(&code) && !(syntax.yaml && line.starts_with(DOTS.as_bytes()));
            let found = dots.iter().find_map(|&at| match lexer.kind_at(at) {
                Kind::Comment => Some((at, "in a comment")),
                Kind::Code if lone => Some((at, "on a line of its own")),
                _ => None,
            });
            if let Some((at, what)) = found {
                out.push(line_no, chars_in(&line[..at]) + 1, format!("placeholder {DOTS} {what}: {}", quote(line)));
            }
        }
    }
}

impl FileCheck for Ellipsis {
    fn check(&self, bytes: &[u8], out: &mut Found<'_>) {
        // Search first: most files hold no dots at all, and then the NUL scan is not needed.
        let Some(first) = self.finder.find(bytes) else { return };
        if memchr::memchr(0, bytes).is_some() {
            return;
        }
        match self.mode {
            Mode::Any => self.any(bytes, first, out),
            Mode::Placeholders => self.placeholders(bytes, out),
        }
    }
}

/// The Python side of the placeholder check: physical lines joined into logical lines, fed to
/// the block tracker; a comment with dots is a finding on its own line.
struct Python {
    blocks: Blocks,
    /// The logical line so far: its code, its indentation, and the dots in its code
    /// (line number, column, the physical line quoted, allowed).
    code: Vec<u8>,
    indent: usize,
    dots: Option<(usize, usize, String, bool)>,
    open: bool,
    /// The logical line outgrew [`LOGICAL`]: too long to be a body of only the dots.
    long: bool,
}

/// The most of a logical line kept: enough for any header a person writes.
const LOGICAL: usize = 64 << 10;

impl Python {
    fn new(stub: bool) -> Python {
        Python { blocks: Blocks::new(stub), code: Vec::new(), indent: 0, dots: None, open: false, long: false }
    }

    fn line(
        &mut self,
        line_no: usize,
        line: &[u8],
        lexer: &Lexer,
        dots: &[usize],
        gate: &Ellipsis,
        out: &mut Found<'_>,
    ) {
        let allowed = !dots.is_empty() && gate.allowed(line);
        if !self.open {
            self.code.clear();
            self.dots = None;
            self.long = false;
            self.indent = indentation(line);
        }
        self.long |= !lexer.code(line, &mut self.code, LOGICAL);
        for &at in dots {
            match lexer.kind_at(at) {
                Kind::Comment if !allowed => {
                    let column = chars_in(&line[..at]) + 1;
                    out.push(line_no, column, format!("placeholder {DOTS} in a comment: {}", quote(line)));
                    break;
                }
                // The last dots in code are the body's, when a body is the dots.
                Kind::Code => self.dots = Some((line_no, chars_in(&line[..at]) + 1, quote(line), allowed)),
                _ => {}
            }
        }
        // The logical line goes on inside brackets, a string, or after a backslash.
        let backslash = self.code.last() == Some(&b'\\');
        if backslash {
            self.code.pop();
        }
        self.open = lexer.depth > 0 || lexer.inside() || backslash;
        if self.open {
            self.code.push(b' ');
            return;
        }
        let verdict = self.blocks.line(self.indent, &self.code);
        if let (Verdict::Placeholder(name), Some((line_no, column, quoted, false)), false) =
            (verdict, self.dots.take(), self.long)
        {
            out.push(line_no, column, format!("placeholder {DOTS} as the body of {name}: {quoted}"));
        }
    }
}

/// Code that is only the dots, perhaps behind a comment marker (for files of no known
/// language, where `# ...` is not known to be a comment).
fn bare(code: &[u8]) -> bool {
    let mut c = code.trim_ascii();
    for open in [&b"#"[..], b"//", b"--", b";", b"/*", b"<!--"] {
        if let Some(rest) = c.strip_prefix(open) {
            c = rest.trim_ascii_start();
            break;
        }
    }
    for close in [&b"*/"[..], b"-->"] {
        if let Some(rest) = c.strip_suffix(close) {
            c = rest.trim_ascii_end();
        }
    }
    c == DOTS.as_bytes()
}

/// The indentation of a line in columns (a tab to the next multiple of 8, as Python reads it).
fn indentation(line: &[u8]) -> usize {
    let mut col = 0;
    for &b in line {
        match b {
            b' ' => col += 1,
            b'\t' => col = (col / 8 + 1) * 8,
            b'\x0c' => col = 0,
            _ => break,
        }
    }
    col
}

/// The line ends with the marker, possibly inside a comment that closes (`*/`, `-->`).
fn has_marker(line: &[u8]) -> bool {
    let mut l = line.trim_ascii_end();
    for close in [&b"*/"[..], b"-->"] {
        if let Some(rest) = l.strip_suffix(close) {
            l = rest.trim_ascii_end();
        }
    }
    l.ends_with(MARKER.as_bytes())
}

/// The line as it is (printing escapes control characters), trimmed and cut, in quotes; an
/// invalid UTF-8 sequence shows as U+FFFD. Only the quoted part of the line is read.
fn quote(line: &[u8]) -> String {
    let line = line.trim_ascii();
    let mut s = String::from("'");
    let mut n = 0;
    'chunks: for chunk in line[..line.len().min(QUOTE * 4 + 4)].utf8_chunks() {
        for c in chunk.valid().chars().chain((!chunk.invalid().is_empty()).then_some(char::REPLACEMENT_CHARACTER)) {
            if n == QUOTE {
                s.push_str(DOTS);
                break 'chunks;
            }
            s.push(c);
            n += 1;
        }
    }
    s.push('\'');
    s
}

#[cfg(test)]
#[path = "ellipsis_tests.rs"]
mod tests;
