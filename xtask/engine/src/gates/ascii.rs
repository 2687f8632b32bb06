//! The `ascii` gate: every character of the checked files is ASCII; invalid UTF-8 is a finding
//! at the byte where decoding fails; `--fix` rewrites the characters that have an obvious ASCII
//! spelling.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::chars;
use super::scan::FileCheck;
use crate::report::{Finding, Fixed};

/// Characters of context on each side of a finding.
const CONTEXT: usize = 10;

/// The check itself (selection is the runner's job).
pub struct Ascii;

impl FileCheck for Ascii {
    fn check(&self, path: &str, bytes: &[u8], out: &mut Vec<Finding>) {
        if is_ascii(bytes) {
            return;
        }
        // Line by line (memchr finds the ends), looking closer only at lines that need it.
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
        for (i, end) in ends.enumerate() {
            let line = &bytes[start..end];
            if !is_ascii(line) {
                check_line(path, i + 1, line.strip_suffix(b"\r").unwrap_or(line), out);
            }
            start = end + 1;
        }
    }

    fn fix(&self, path: &str, bytes: &[u8]) -> Option<(Vec<u8>, Fixed)> {
        if is_ascii(bytes) {
            return None;
        }
        // A file that is not valid UTF-8 is never rewritten: its invalid bytes stay findings.
        let text = std::str::from_utf8(bytes).ok()?;
        let (fixed, counts) = fix_text(text);
        if counts.is_empty() {
            return None;
        }
        let count = counts.values().sum();
        let summary = counts
            .iter()
            .map(|(ch, n)| {
                let rep = match chars::ascii(*ch).unwrap_or("") {
                    " " => "a space",
                    rep => rep,
                };
                format!("{n} x U+{:04X} -> {rep}", *ch as u32)
            })
            .collect::<Vec<_>>()
            .join(", ");
        Some((fixed.into_bytes(), Fixed { path: path.to_string(), count, summary }))
    }
}

/// The fast path: almost every file is pure ASCII. Text is ASCII when it is valid UTF-8 with as
/// many characters as bytes. Both steps run inside the optimised standard library (SIMD-style,
/// tens of GB/s), even in the unoptimised build that `cargo xtask` runs, where the inlined
/// `<[u8]>::is_ascii` is compiled without optimisation and is some thirty times slower.
pub fn is_ascii(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|s| s.chars().count() == s.len())
}

/// Rewrite every character of the replacement table; count the replacements per character.
pub fn fix_text(text: &str) -> (String, BTreeMap<char, usize>) {
    let mut out = String::with_capacity(text.len());
    let mut counts = BTreeMap::new();
    for ch in text.chars() {
        match (!ch.is_ascii()).then(|| chars::ascii(ch)).flatten() {
            Some(rep) => {
                out.push_str(rep);
                *counts.entry(ch).or_insert(0) += 1;
            }
            None => out.push(ch),
        }
    }
    (out, counts)
}

/// One line that holds something other than ASCII. Columns count characters from 1; an
/// invalid UTF-8 sequence counts as one column (as an editor shows one replacement character).
fn check_line(path: &str, line_no: usize, line: &[u8], out: &mut Vec<Finding>) {
    // The line as characters, each invalid sequence one `None`, for columns and context.
    let mut cells: Vec<Option<char>> = Vec::with_capacity(line.len());
    let mut invalid: Vec<(usize, Vec<u8>)> = Vec::new(); // (cell, bytes) of each invalid run
    for chunk in line.utf8_chunks() {
        cells.extend(chunk.valid().chars().map(Some));
        let bad = chunk.invalid();
        if bad.is_empty() {
            continue;
        }
        // Adjacent invalid sequences are one finding and one column.
        if chunk.valid().is_empty() && matches!(cells.last(), Some(None)) {
            invalid.last_mut().expect("an invalid cell has its bytes").1.extend_from_slice(bad);
        } else {
            invalid.push((cells.len(), bad.to_vec()));
            cells.push(None);
        }
    }
    let mut invalid = invalid.into_iter();
    for (i, cell) in cells.iter().enumerate() {
        let message = match cell {
            Some(ch) if ch.is_ascii() => continue,
            Some(ch) => {
                let name = chars::name(*ch).map(|n| format!(" {n}")).unwrap_or_default();
                format!("non-ASCII character U+{:04X}{name} in {}", *ch as u32, context(&cells, i))
            }
            None => {
                let Some((_, bytes)) = invalid.next() else { continue };
                let hex: Vec<String> = bytes.iter().take(8).map(|b| format!("0x{b:02X}")).collect();
                let what = if bytes.len() == 1 { "byte" } else { "bytes" };
                format!(
                    "invalid UTF-8: {what} {}{} in {}; save the file as UTF-8",
                    hex.join(" "),
                    if bytes.len() > 8 { " (and more)" } else { "" },
                    context(&cells, i)
                )
            }
        };
        out.push(Finding::new(path, line_no, i + 1, message));
    }
}

/// `'...text ar?und it...'`: a few characters each side, anything but printable ASCII as `?`.
fn context(cells: &[Option<char>], at: usize) -> String {
    let start = at.saturating_sub(CONTEXT);
    let end = (at + CONTEXT).min(cells.len());
    let dots = concat!("..", ".");
    let mut s = String::from("'");
    if start > 0 {
        s.push_str(dots);
    }
    for cell in &cells[start..end] {
        let c = match cell {
            Some(c) if c.is_ascii_graphic() || *c == ' ' => *c,
            _ => '?',
        };
        s.push(c);
    }
    if end < cells.len() {
        s.push_str(dots);
    }
    let _ = write!(s, "'");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(bytes: &[u8]) -> Vec<(usize, usize, String)> {
        let mut out = Vec::new();
        Ascii.check("f.md", bytes, &mut out);
        out.into_iter().map(|f| (f.line, f.column, f.message)).collect()
    }

    #[test]
    fn columns_count_characters() {
        let got = findings("ok\nI don\u{2019}t \u{1F680} caf\u{00E9}\n".as_bytes());
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!((got[0].0, got[0].1), (2, 6));
        assert_eq!(got[0].2, "non-ASCII character U+2019 RIGHT SINGLE QUOTATION MARK in 'I don?t ? caf?'");
        assert_eq!((got[1].0, got[1].1), (2, 9));
        assert!(got[1].2.starts_with("non-ASCII character U+1F680 ROCKET"));
        assert_eq!((got[2].0, got[2].1), (2, 14));
        assert!(findings(b"plain\nascii\r\n").is_empty());
        let crlf = findings("a\r\ncaf\u{00E9}\r\n".as_bytes());
        assert_eq!(crlf, vec![(2, 4, "non-ASCII character U+00E9 LATIN SMALL LETTER E WITH ACUTE in 'caf?'".into())]);
    }

    #[test]
    fn context_is_short_and_marked_when_cut() {
        let line = format!("{}\u{2014}{}", "a".repeat(30), "b".repeat(30));
        let got = findings(line.as_bytes());
        let dots = ".".repeat(3);
        assert_eq!(got[0].2, format!("non-ASCII character U+2014 EM DASH in '{dots}aaaaaaaaaa?bbbbbbbbb{dots}'"));
        assert_eq!(got[0].1, 31);
    }

    #[test]
    fn invalid_utf8_is_a_finding_where_decoding_fails_and_scanning_goes_on() {
        // A lone 0xFF, a truncated sequence, an encoded surrogate (three invalid bytes in a row).
        let got = findings(b"ab\xffcd\n\xe2\x80X \xc3\xa9\nx\xed\xa0\x80y\n");
        let short: Vec<(usize, usize)> = got.iter().map(|g| (g.0, g.1)).collect();
        assert_eq!(short, vec![(1, 3), (2, 1), (2, 4), (3, 2)], "{got:?}");
        assert!(got[0].2.starts_with("invalid UTF-8: byte 0xFF in 'ab?cd'"), "{}", got[0].2);
        assert!(got[1].2.starts_with("invalid UTF-8: bytes 0xE2 0x80"), "{}", got[1].2);
        assert!(got[2].2.starts_with("non-ASCII character U+00E9"), "{}", got[2].2);
        assert!(got[3].2.starts_with("invalid UTF-8: bytes 0xED 0xA0 0x80 in 'x?y'"), "{}", got[3].2);
    }

    #[test]
    fn a_byte_order_mark_is_reported() {
        let got = findings("\u{FEFF}# Title\n".as_bytes());
        assert_eq!((got[0].0, got[0].1), (1, 1));
        assert!(got[0].2.contains("U+FEFF"));
    }

    #[test]
    fn fix_rewrites_known_characters_and_leaves_the_rest() {
        let text = "\u{201C}Go\u{201D} \u{2014} it\u{2019}s \u{2192} done \u{2705} \u{1F680}\u{2026}\n";
        let (bytes, fixed) = Ascii.fix("f.md", text.as_bytes()).unwrap();
        let dots = ".".repeat(3);
        assert_eq!(String::from_utf8(bytes.clone()).unwrap(), format!("\"Go\" -- it's -> done [OK] \u{1F680}{dots}\n"));
        assert_eq!(fixed.count, 7);
        assert_eq!(
            fixed.summary,
            format!(
                "1 x U+2014 -> --, 1 x U+2019 -> ', 1 x U+201C -> \", 1 x U+201D -> \", 1 x U+2026 -> {dots}, \
                 1 x U+2192 -> ->, 1 x U+2705 -> [OK]"
            )
        );
        let left = findings(&bytes);
        assert_eq!(left.len(), 1);
        assert!(left[0].2.contains("U+1F680"));
        // Invalid UTF-8 is never rewritten; nothing to fix is `None`.
        assert!(Ascii.fix("f.md", b"\xe2\x80\x94 \xff").is_none());
        assert!(Ascii.fix("f.md", "\u{1F680}".as_bytes()).is_none());
        assert!(Ascii.fix("f.md", b"ascii").is_none());
    }
}
