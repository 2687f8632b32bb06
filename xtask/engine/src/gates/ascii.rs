//! The `ascii` gate: every character of the checked files is ASCII; invalid UTF-8 is a finding
//! at the byte where decoding fails; `--fix` rewrites the characters that have an obvious ASCII
//! spelling.
//!
//! A line is read once, as a stream of characters: a finding keeps only the few characters of
//! context around it, so a file that is one 100 MiB line costs no memory beyond the file itself.

use std::collections::{BTreeMap, VecDeque};

use super::chars;
use super::scan::{FileCheck, Found, lines};
use crate::report::Fixed;

/// Characters of context on each side of a finding.
const CONTEXT: usize = 10;

/// The check itself (selection is the runner's job).
pub struct Ascii;

impl FileCheck for Ascii {
    fn check(&self, bytes: &[u8], out: &mut Found<'_>) {
        if is_ascii(bytes) {
            return;
        }
        // Line by line, looking closer only at lines that need it.
        for (line_no, line) in lines(bytes) {
            if !is_ascii(line) {
                check_line(line_no, line, out);
            }
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

/// The fast path: almost every file is pure ASCII.
use crate::bytes::is_ascii;

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

/// One cell of a line: a character, or one run of invalid UTF-8 (shown as U+FFFD).
type Cell = Option<char>;

/// Three ASCII dots, spelled so this file passes the ellipsis gate in any mode.
const DOTS: &str = concat!("..", ".");

/// A finding whose context still waits for the characters after it.
struct Pending {
    column: usize,
    /// The message so far: up to and into the quoted context.
    text: String,
    /// What follows the closing quote.
    tail: &'static str,
    /// Characters of context still to come.
    wanted: usize,
}

/// The findings of one line, read as a stream of cells: each finding keeps the few cells of
/// context on each side, never the line.
struct LineCheck<'o, 'f> {
    line_no: usize,
    out: &'o mut Found<'f>,
    before: VecDeque<Cell>,
    pending: VecDeque<Pending>,
}

impl LineCheck<'_, '_> {
    /// A run of ASCII characters, at once: the context of the findings before it, and the
    /// context of the next one.
    fn ascii(&mut self, run: &[u8]) {
        while let Some(p) = self.pending.front()
            && p.wanted < run.len()
        {
            let mut p = self.pending.pop_front().expect("checked");
            p.text.push_str(&String::from_utf8_lossy(&run[..p.wanted]));
            self.out.push(self.line_no, p.column, format!("{}{DOTS}'{}", p.text, p.tail));
        }
        for p in self.pending.iter_mut() {
            p.text.push_str(&String::from_utf8_lossy(run));
            p.wanted -= run.len();
        }
        let keep = &run[run.len().saturating_sub(CONTEXT)..];
        self.before.extend(keep.iter().map(|&b| Some(b as char)));
        while self.before.len() > CONTEXT {
            self.before.pop_front();
        }
    }

    /// The next cell, at `column`; `invalid` holds the bytes of an invalid run.
    fn cell(&mut self, c: Cell, column: usize, invalid: Option<&[u8]>) {
        // A further cell means the line goes on past a complete context: dots, and done.
        while self.pending.front().is_some_and(|p| p.wanted == 0) {
            let p = self.pending.pop_front().expect("checked");
            self.out.push(self.line_no, p.column, format!("{}{DOTS}'{}", p.text, p.tail));
        }
        for p in self.pending.iter_mut() {
            push_cell(&mut p.text, c);
            p.wanted -= 1;
        }
        if c.is_some_and(|ch| ch.is_ascii()) {
        } else if self.out.room() <= self.pending.len() {
            self.out.count(self.line_no, column);
        } else {
            let mut text = match (c, invalid) {
                (Some(ch), _) => format!(
                    "non-ASCII character U+{:04X}{} in '",
                    ch as u32,
                    chars::name(ch).map(|n| format!(" {n}")).unwrap_or_default()
                ),
                (None, bytes) => {
                    let bytes = bytes.unwrap_or_default();
                    let hex: Vec<String> = bytes.iter().take(8).map(|b| format!("0x{b:02X}")).collect();
                    let what = if bytes.len() == 1 { "byte" } else { "bytes" };
                    let more = if bytes.len() > 8 { " (and more)" } else { "" };
                    format!("invalid UTF-8: {what} {}{more} in '", hex.join(" "))
                }
            };
            if column > CONTEXT + 1 {
                text.push_str(DOTS);
            }
            for b in &self.before {
                push_cell(&mut text, *b);
            }
            push_cell(&mut text, c);
            let tail = if c.is_none() { "; save the file as UTF-8" } else { "" };
            self.pending.push_back(Pending { column, text, tail, wanted: CONTEXT - 1 });
        }
        self.before.push_back(c);
        if self.before.len() > CONTEXT {
            self.before.pop_front();
        }
    }

    /// The end of the line closes every waiting context.
    fn finish(mut self) {
        for p in std::mem::take(&mut self.pending) {
            self.out.push(self.line_no, p.column, format!("{}'{}", p.text, p.tail));
        }
    }
}

/// The context shows the text as it is (the JSON carries it; printing escapes control
/// characters); an invalid run shows as U+FFFD.
fn push_cell(text: &mut String, c: Cell) {
    text.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
}

/// One line that holds something other than ASCII. Columns count characters from 1; an
/// invalid UTF-8 sequence counts as one column (as an editor shows one replacement character),
/// and adjacent invalid sequences are one finding.
fn check_line(line_no: usize, line: &[u8], out: &mut Found<'_>) {
    let mut check = LineCheck { line_no, out, before: VecDeque::with_capacity(CONTEXT + 1), pending: VecDeque::new() };
    let mut column = 0;
    // The invalid run being read: its column and bytes.
    let mut open: Option<(usize, Vec<u8>)> = None;
    // ASCII runs are taken whole (skipped a chunk at a time by the optimised standard library);
    // only the bytes between them are decoded one character at a time.
    let mut at = 0;
    let runs = non_ascii_runs(line).chain(std::iter::once((line.len(), line.len())));
    for (start, end) in runs {
        if start > at {
            if let Some((col, bytes)) = open.take() {
                check.cell(None, col, Some(&bytes));
            }
            check.ascii(&line[at..start]);
            column += start - at;
        }
        at = end;
        decode(&line[start..end], &mut check, &mut column, &mut open);
    }
    if let Some((col, bytes)) = open.take() {
        check.cell(None, col, Some(&bytes));
    }
    check.finish();
}

/// The runs of bytes that are not ASCII, as `(start, end)`.
fn non_ascii_runs(line: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = crate::bytes::next_non_ascii(line, at)?;
        let end = line[start..].iter().position(|b| b.is_ascii()).map_or(line.len(), |n| start + n);
        at = end;
        Some((start, end))
    })
}

/// Feed the cells of `bytes` (no ASCII run of any length inside) to the check.
fn decode(bytes: &[u8], check: &mut LineCheck<'_, '_>, column: &mut usize, open: &mut Option<(usize, Vec<u8>)>) {
    for chunk in bytes.utf8_chunks() {
        for ch in chunk.valid().chars() {
            if let Some((col, bytes)) = open.take() {
                check.cell(None, col, Some(&bytes));
            }
            *column += 1;
            check.cell(Some(ch), *column, None);
        }
        let bad = chunk.invalid();
        match open {
            _ if bad.is_empty() => {}
            // Enough bytes to show (eight) and to know there are more.
            Some((_, bytes)) => bytes.extend(bad.iter().take(9usize.saturating_sub(bytes.len()))),
            None => {
                *column += 1;
                *open = Some((*column, bad.iter().take(9).copied().collect()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(bytes: &[u8]) -> Vec<(usize, usize, String)> {
        let mut out = Vec::new();
        let mut found = Found::new("f.md", &mut out);
        Ascii.check(bytes, &mut found);
        found.finish();
        out.into_iter().map(|f| (f.line, f.column, f.message)).collect()
    }

    #[test]
    fn runs_of_other_bytes_are_found_across_chunks() {
        let mut line = vec![b'a'; 1000];
        line[0] = 0xC3;
        line[255..258].copy_from_slice("\u{00E9}x".as_bytes());
        line[999] = 0x80;
        assert_eq!(non_ascii_runs(&line).collect::<Vec<_>>(), [(0, 1), (255, 257), (999, 1000)]);
        assert_eq!(non_ascii_runs(b"plain").count(), 0);
        assert_eq!(non_ascii_runs("\u{4E2D}\u{6587}".as_bytes()).collect::<Vec<_>>(), [(0, 6)]);
    }

    #[test]
    fn columns_count_characters() {
        let got = findings("ok\nI don\u{2019}t \u{1F680} caf\u{00E9}\n".as_bytes());
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!((got[0].0, got[0].1), (2, 6));
        assert_eq!(
            got[0].2,
            "non-ASCII character U+2019 RIGHT SINGLE QUOTATION MARK in 'I don\u{2019}t \u{1F680} caf\u{e9}'"
        );
        assert_eq!((got[1].0, got[1].1), (2, 9));
        assert!(got[1].2.starts_with("non-ASCII character U+1F680 ROCKET"));
        assert_eq!((got[2].0, got[2].1), (2, 14));
        assert!(findings(b"plain\nascii\r\n").is_empty());
        let crlf = findings("a\r\ncaf\u{00E9}\r\n".as_bytes());
        assert_eq!(
            crlf,
            vec![(2, 4, "non-ASCII character U+00E9 LATIN SMALL LETTER E WITH ACUTE in 'caf\u{e9}'".into())]
        );
    }

    #[test]
    fn context_is_short_and_marked_when_cut() {
        let line = format!("{}\u{2014}{}", "a".repeat(30), "b".repeat(30));
        let got = findings(line.as_bytes());
        let dots = ".".repeat(3);
        assert_eq!(
            got[0].2,
            format!("non-ASCII character U+2014 EM DASH in '{dots}aaaaaaaaaa\u{2014}bbbbbbbbb{dots}'")
        );
        assert_eq!(got[0].1, 31);
    }

    #[test]
    fn invalid_utf8_is_a_finding_where_decoding_fails_and_scanning_goes_on() {
        // A lone 0xFF, a truncated sequence, an encoded surrogate (three invalid bytes in a row).
        let got = findings(b"ab\xffcd\n\xe2\x80X \xc3\xa9\nx\xed\xa0\x80y\n");
        let short: Vec<(usize, usize)> = got.iter().map(|g| (g.0, g.1)).collect();
        assert_eq!(short, vec![(1, 3), (2, 1), (2, 4), (3, 2)], "{got:?}");
        assert_eq!(got[0].2, "invalid UTF-8: byte 0xFF in 'ab\u{FFFD}cd'; save the file as UTF-8");
        assert!(got[1].2.starts_with("invalid UTF-8: bytes 0xE2 0x80"), "{}", got[1].2);
        assert!(got[2].2.starts_with("non-ASCII character U+00E9"), "{}", got[2].2);
        assert!(got[3].2.starts_with("invalid UTF-8: bytes 0xED 0xA0 0x80 in 'x\u{FFFD}y'"), "{}", got[3].2);
    }

    #[test]
    fn the_context_shows_the_real_text_and_long_lines_cost_only_the_context() {
        // Near both ends of a long line; a control character in the context stays as it is (the
        // printers escape it), an invalid run shows as U+FFFD.
        let line = format!("\u{e9}\t{}\u{2019}{}\u{ff}", "a".repeat(100_000), "b".repeat(5));
        let got = findings(line.as_bytes());
        let dots = ".".repeat(3);
        assert_eq!(
            got[0].2,
            format!("non-ASCII character U+00E9 LATIN SMALL LETTER E WITH ACUTE in '\u{e9}\taaaaaaaa{dots}'")
        );
        assert_eq!(got[1].1, 100_003);
        assert_eq!(
            got[1].2,
            format!("non-ASCII character U+2019 RIGHT SINGLE QUOTATION MARK in '{dots}aaaaaaaaaa\u{2019}bbbbb\u{ff}'")
        );
        // A megabyte of invalid bytes is one finding that shows eight of them.
        let mut bytes = b"ok ".to_vec();
        bytes.extend(std::iter::repeat_n(0xFF, 1 << 20));
        bytes.extend(b" end");
        let got = findings(&bytes);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(
            got[0].2,
            "invalid UTF-8: bytes 0xFF 0xFF 0xFF 0xFF 0xFF 0xFF 0xFF 0xFF (and more) in 'ok \u{FFFD} end'; save the file as UTF-8"
        );
    }

    #[test]
    fn a_line_of_findings_lists_the_first_thousand_and_counts_the_rest() {
        let got = findings("\u{2014}".repeat(1500).as_bytes());
        assert_eq!(got.len(), 1001);
        assert_eq!((got[999].0, got[999].1), (1, 1000));
        assert_eq!((got[1000].0, got[1000].1), (1, 1001));
        assert_eq!(got[1000].2, "500 more findings in this file from here on are not listed (the first 1000 are)");
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
