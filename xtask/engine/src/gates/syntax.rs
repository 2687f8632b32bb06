//! Just enough of each language's grammar to tell code from comments and string literals, line
//! by line: what the `ellipsis` gate needs to tell a placeholder from a spread or a
//! `"Loading..."`. The language comes from the file name; a file of no known language has
//! neither comments nor strings.
//!
//! The lexer carries its state from line to line (a block comment, a triple-quoted or template
//! string, a Rust raw string), keeps the bracket depth (for Python's logical lines) and never
//! looks further than the line it is given. The languages are in [`super::languages`].

use super::languages::starts;
pub use super::languages::{Syntax, for_path};
use crate::bytes::ByteSet;

/// What a stretch of a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Code,
    Comment,
    Str,
}

/// Where a string ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Close {
    Quote(u8),
    Triple(u8),
    /// `"` and this many `#`.
    Raw(usize),
    /// The `/` of a regular expression literal.
    Regex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Code,
    LineComment,
    Block(usize),
    Str { close: Close, escapes: bool, multiline: bool },
}

/// The lexer of one file.
pub struct Lexer {
    syntax: &'static Syntax,
    starts: Option<&'static ByteSet>,
    state: State,
    /// Open brackets at the end of the last line.
    pub depth: usize,
    /// The stretches of the last line: kind and byte range, in order, covering the line.
    pub segments: Vec<(Kind, std::ops::Range<usize>)>,
}

impl Lexer {
    pub fn new(syntax: &'static Syntax) -> Lexer {
        Lexer { syntax, starts: starts(syntax), state: State::Code, depth: 0, segments: Vec::new() }
    }

    /// The line ended inside a string or comment that goes on (a docstring, a block comment).
    pub fn inside(&self) -> bool {
        self.state != State::Code
    }

    /// The kind of the stretch that holds byte `at` of the last line.
    pub fn kind_at(&self, at: usize) -> Kind {
        self.segments.iter().find(|(_, r)| r.contains(&at)).map_or(Kind::Code, |(k, _)| *k)
    }

    /// The code of the last line appended to `out` (strings as `""`, comments left out), as long
    /// as `out` stays within `max` bytes. Whether it all fit.
    pub fn code(&self, line: &[u8], out: &mut Vec<u8>, max: usize) -> bool {
        for (kind, range) in &self.segments {
            let part = match kind {
                Kind::Code => &line[range.clone()],
                Kind::Str => b"\"\"",
                Kind::Comment => continue,
            };
            if out.len() + part.len() > max {
                return false;
            }
            out.extend_from_slice(part);
        }
        true
    }

    /// Split one line (without its line break) into stretches of code, comments and strings.
    pub fn line(&mut self, b: &[u8]) {
        let syn = self.syntax;
        self.segments.clear();
        let mut i = 0;
        // Inside a regular expression's character class, `/` does not end it.
        let mut in_class = false;
        let mut search = self.starts.map(ByteSet::searcher);
        while i < b.len() {
            match self.state {
                State::LineComment => i = b.len(),
                State::Block(k) => {
                    let close = syn.block_comments[k].1.as_bytes();
                    match memchr::memmem::find(&b[i..], close) {
                        Some(j) => {
                            i += j + close.len();
                            self.switch(i, State::Code);
                        }
                        None => i = b.len(),
                    }
                }
                State::Str { close, escapes, .. } => {
                    // Straight to the next byte that may end the string or escape.
                    let end = match close {
                        Close::Quote(q) | Close::Triple(q) => q,
                        Close::Raw(_) => b'"',
                        Close::Regex => b'/',
                    };
                    let next = if close == Close::Regex {
                        Some(0)
                    } else if escapes {
                        memchr::memchr2(end, b'\\', &b[i..])
                    } else {
                        memchr::memchr(end, &b[i..])
                    };
                    match next {
                        Some(n) => i += n,
                        None => {
                            i = b.len();
                            continue;
                        }
                    }
                    if escapes && b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    let len = match close {
                        Close::Quote(q) => (b[i] == q).then_some(1),
                        Close::Triple(q) => b[i..].starts_with(&[q, q, q]).then_some(3),
                        Close::Raw(n) => (b[i] == b'"' && b[i + 1..].iter().take_while(|&&c| c == b'#').count() >= n)
                            .then_some(1 + n),
                        Close::Regex => {
                            match b[i] {
                                b'[' => in_class = true,
                                b']' => in_class = false,
                                _ => {}
                            }
                            (b[i] == b'/' && !in_class).then_some(1)
                        }
                    };
                    match len {
                        Some(len) => {
                            i += len;
                            self.switch(i, State::Code);
                        }
                        None => i += 1,
                    }
                }
                // Nothing can start before the next byte the search finds; nothing after none.
                State::Code => match search.as_mut().and_then(|s| s.find(b, i)) {
                    Some(at) => i = self.code_byte(b, at),
                    None => break,
                },
            }
        }
        let start = self.segments.last().map_or(0, |(_, r)| r.end);
        if start < b.len() || self.segments.is_empty() {
            self.segments.push((self.kind(), start..b.len()));
        }
        // A line comment ends with its line; so does a string that cannot go on.
        if matches!(self.state, State::LineComment | State::Str { multiline: false, .. }) {
            self.state = State::Code;
        }
    }

    /// One step in code at byte `i`: a comment or string that starts there, or a bracket.
    /// Gives the index to go on from.
    fn code_byte(&mut self, b: &[u8], i: usize) -> usize {
        let syn = self.syntax;
        let rest = &b[i..];
        let at_word = i == 0 || b[i - 1].is_ascii_whitespace() || b[i - 1] == b';';
        if syn.line_comments.iter().any(|m| rest.starts_with(m.as_bytes())) && (!syn.comment_at_word || at_word) {
            self.switch(i, State::LineComment);
            return b.len();
        }
        if let Some(k) = syn.block_comments.iter().position(|(open, _)| rest.starts_with(open.as_bytes()))
            && (!syn.comment_at_word || at_word || syn.block_comments[k].0 == "<!--")
        {
            self.switch(i, State::Block(k));
            return i + syn.block_comments[k].0.len();
        }
        if let Some(next) = self.string_start(b, i) {
            return next;
        }
        match b[i] {
            b'(' | b'[' | b'{' => self.depth += 1,
            b')' | b']' | b'}' => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        i + 1
    }

    /// At a string's opening in code: switch to it and give the index after its opening.
    fn string_start(&mut self, b: &[u8], i: usize) -> Option<usize> {
        let syn = self.syntax;
        let c = b[i];
        let word_start = |at: usize| at == 0 || !is_ident(b[at - 1]);
        if syn.raw_strings && c == b'"' {
            // `r"`, `r#"`, `br##"`: the prefix before the quote is code already passed.
            let hashes = b[..i].iter().rev().take_while(|&&h| h == b'#').count();
            let r = i - hashes;
            if r > 0 && b[r - 1] == b'r' && (word_start(r - 1) || (b[r - 2] == b'b' && word_start(r - 2))) {
                self.switch(i, State::Str { close: Close::Raw(hashes), escapes: false, multiline: true });
                return Some(i + 1);
            }
        }
        if syn.regex && c == b'/' && regex_may_start(&b[..i]) {
            self.switch(i, State::Str { close: Close::Regex, escapes: true, multiline: false });
            return Some(i + 1);
        }
        if !syn.quotes.contains(&c) {
            return None;
        }
        if syn.triple.contains(&c) && b[i..].starts_with(&[c, c, c]) {
            self.switch(i, State::Str { close: Close::Triple(c), escapes: syn.escapes, multiline: true });
            return Some(i + 3);
        }
        if c == b'\'' && syn.char_literals {
            // `'a'`, `'\n'`, `'\u{e9}'` are characters; anything else (`'a`, `1'000`) is code.
            let rest = &b[i + 1..];
            let n = match rest.first()? {
                b'\\' => rest[1..].iter().take(12).position(|&x| x == b'\'').map(|p| p + 1),
                _ => {
                    let first = rest[..rest.len().min(4)].utf8_chunks().next().and_then(|c| c.valid().chars().next());
                    let n = first.map_or(1, char::len_utf8);
                    (rest.get(n) == Some(&b'\'')).then_some(n)
                }
            }?;
            self.switch(i, State::Str { close: Close::Quote(b'\''), escapes: true, multiline: false });
            self.switch(i + n + 2, State::Code);
            return Some(i + n + 2);
        }
        let escapes = syn.escapes && !(syn.comment_at_word && c == b'\'') && !(syn.name == "go" && c == b'`');
        let multiline = syn.multiline.contains(&c);
        self.switch(i, State::Str { close: Close::Quote(c), escapes, multiline });
        Some(i + 1)
    }

    fn kind(&self) -> Kind {
        match self.state {
            State::Code => Kind::Code,
            State::LineComment | State::Block(_) => Kind::Comment,
            State::Str { .. } => Kind::Str,
        }
    }

    /// End the open stretch (it starts where the last one ended) at `at` and go on in `state`.
    fn switch(&mut self, at: usize, state: State) {
        let start = self.segments.last().map_or(0, |(_, r)| r.end);
        if at > start {
            self.segments.push((self.kind(), start..at));
        }
        self.state = state;
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Whether a `/` after `before` starts a regular expression (rather than dividing): after an
/// operator, an opening bracket, a keyword, or at the start of the line.
fn regex_may_start(before: &[u8]) -> bool {
    let before = before.trim_ascii_end();
    let Some(&last) = before.last() else { return true };
    if is_ident(last) {
        let start = before.iter().rposition(|&c| !is_ident(c)).map_or(0, |p| p + 1);
        const KEYWORDS: &[&[u8]] = &[
            b"return", b"typeof", b"case", b"do", b"else", b"in", b"of", b"new", b"delete", b"void", b"throw",
            b"yield", b"await",
        ];
        return KEYWORDS.contains(&&before[start..]);
    }
    !matches!(last, b')' | b']' | b'}' | b'"' | b'\'' | b'`' | b'.')
}
