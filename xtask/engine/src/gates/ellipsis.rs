//! The `ellipsis` gate: no line of code holds three ASCII dots, the placeholder for code that
//! was never written. A line may be allowed by a trailing `allow-ellipsis` comment or by a
//! configured regex (for idioms such as `Field(...)` or a JavaScript spread); binary files (a NUL
//! byte anywhere, ripgrep's rule) are skipped.

use memchr::memmem::Finder;
use regex::bytes::RegexSet;

use super::scan::FileCheck;
use crate::report::Finding;

/// Three ASCII dots, spelled so this file passes its own gate.
pub const DOTS: &str = concat!("..", ".");

/// The marker that allows one line.
pub const MARKER: &str = "allow-ellipsis";

/// The longest part of the line quoted in a finding.
const QUOTE: usize = 80;

pub struct Ellipsis {
    finder: Finder<'static>,
    allow: RegexSet,
}

impl Ellipsis {
    /// `allow`: regexes; a line matching one may hold the dots.
    pub fn new(allow: &[String]) -> anyhow::Result<Ellipsis> {
        let allow = RegexSet::new(allow).map_err(|e| anyhow::anyhow!("allow: not a valid regex: {e}"))?;
        Ok(Ellipsis { finder: Finder::new(DOTS.as_bytes()), allow })
    }

    fn allowed(&self, line: &[u8]) -> bool {
        has_marker(line) || self.allow.is_match(line)
    }
}

impl FileCheck for Ellipsis {
    fn check(&self, path: &str, bytes: &[u8], out: &mut Vec<Finding>) {
        // Search first: most files hold no dots at all, and then the NUL scan is not needed.
        let Some(first) = self.finder.find(bytes) else { return };
        if memchr::memchr(0, bytes).is_some() {
            return;
        }
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
                out.push(Finding::new(path, line_no, column, format!("placeholder {DOTS} in code: {}", quote(line))));
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

/// Characters (not bytes) in a slice: every byte that does not continue a UTF-8 sequence.
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

/// The line, trimmed and cut, anything but printable ASCII as `?`, in quotes.
fn quote(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line.trim_ascii());
    let mut s: String =
        text.chars().take(QUOTE).map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' }).collect();
    if text.chars().count() > QUOTE {
        s.push_str(DOTS);
    }
    format!("'{s}'")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(allow: &[&str], text: &str) -> Vec<(usize, usize)> {
        let gate = Ellipsis::new(&allow.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        let mut out = Vec::new();
        gate.check("f.py", text.as_bytes(), &mut out);
        out.iter().map(|f| (f.line, f.column)).collect()
    }

    #[test]
    fn one_finding_per_line_at_the_first_dots() {
        let d = DOTS;
        let text = format!("a = 1\ndef f():\n    {d}\nx = [{d}, {d}]\n\u{00E9}\u{00E9}{d}\n{d}.\n\nlast{d}");
        assert_eq!(run(&[], &text), vec![(3, 5), (4, 6), (5, 3), (6, 1), (8, 5)]);
        assert!(run(&[], "a..b\n\u{2026}\n. . .\n").is_empty());
    }

    #[test]
    fn markers_and_allow_patterns() {
        let d = DOTS;
        let text = format!(
            "x = Field({d})\ny = f({d})  # {MARKER}\nz = {{{d}a}} // {MARKER}\n/* {d} {MARKER} */\n<!-- {d} {MARKER} -->\nw = {d}\n"
        );
        assert_eq!(run(&[r"Field\(\.\.\.\)"], &text), vec![(6, 5)]);
        assert_eq!(run(&[], &text), vec![(1, 11), (6, 5)]);
    }

    #[test]
    fn binary_files_are_skipped_even_when_the_dots_come_first() {
        let text = format!("{}\n\0", DOTS);
        assert!(run(&[], &text).is_empty());
    }

    #[test]
    fn crlf_lines() {
        let text = format!("a\r\nb = {}\r\nc\r\n", DOTS);
        assert_eq!(run(&[], &text), vec![(2, 5)]);
        let text = format!("a\r\nb = {}  # {MARKER}\r\n", DOTS);
        assert!(run(&[], &text).is_empty());
    }
}
