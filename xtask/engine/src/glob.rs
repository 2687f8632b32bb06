//! Globs, read as `globset` reads them: `*`, `?`, `[...]` (`[!...]` or `[^...]` negated, with
//! ranges), `{a,b}` alternatives (not nested), `\` escapes, and `**` as a whole path component
//! (`**/x`, `x/**`, `x/**/y`, or `**` alone for everything). With a literal separator, `*`, `?`
//! and classes never match `/`; without one, `*` crosses folders (globset's default). Matching is
//! case-sensitive and whole-string.
//!
//! The common shapes (a plain name, `*.md`, `**/name`, `dir/**`) are matched by a string
//! comparison; the rest by a short backtracking walk over the pattern.

use std::fmt;

/// A glob that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    glob: String,
    kind: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error parsing glob '{}': {}", self.glob, self.kind)
    }
}

impl std::error::Error for Error {}

/// How many patterns the alternatives of one glob may spell out.
const MAX_ALTERNATIVES: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Char(char),
    /// `?`
    Any,
    /// `*`
    Star,
    /// `**` at the end: anything, `/` included.
    Deep,
    /// `**/` at the start or `/**/` inside: no folder or any number of whole folders (`a/b/`).
    Dirs,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

#[derive(Debug, Clone)]
enum Matcher {
    /// The pattern is this text.
    Exact(String),
    /// `*` then text (`*.md`).
    StarThen(String),
    /// `**/` then text without `/` (`**/name`): the path or its last component is the text.
    AnyFolderThen(String),
    /// Text ending in `/` then `**` (`docs/**`).
    Under(String),
    /// Anything else, or one of several spelled-out alternatives.
    Walk(Vec<Vec<Token>>),
}

/// One compiled glob.
#[derive(Debug, Clone)]
pub struct Glob {
    literal_separator: bool,
    matcher: Matcher,
}

/// A glob with options, as `globset::GlobBuilder`.
#[derive(Debug)]
pub struct GlobBuilder<'a> {
    pattern: &'a str,
    literal_separator: bool,
}

impl<'a> GlobBuilder<'a> {
    pub fn new(pattern: &'a str) -> GlobBuilder<'a> {
        GlobBuilder { pattern, literal_separator: false }
    }

    /// Whether `*`, `?` and classes stop at `/`.
    pub fn literal_separator(&mut self, yes: bool) -> &mut GlobBuilder<'a> {
        self.literal_separator = yes;
        self
    }

    pub fn build(&self) -> Result<Glob, Error> {
        let error = |kind: String| Error { glob: self.pattern.to_string(), kind };
        let alternatives = parse(self.pattern).map_err(error)?;
        let plain = match &alternatives[..] {
            [one] => shape(one, self.literal_separator),
            _ => None,
        };
        let matcher = plain.unwrap_or(Matcher::Walk(alternatives));
        Ok(Glob { literal_separator: self.literal_separator, matcher })
    }
}

impl Glob {
    /// A glob whose `*` crosses folders.
    pub fn new(pattern: &str) -> Result<Glob, Error> {
        GlobBuilder::new(pattern).build()
    }

    pub fn is_match(&self, path: impl AsRef<str>) -> bool {
        let path = path.as_ref();
        let sep = self.literal_separator;
        match &self.matcher {
            Matcher::Exact(text) => path == text,
            Matcher::StarThen(text) => path.strip_suffix(text.as_str()).is_some_and(|head| !sep || !head.contains('/')),
            Matcher::AnyFolderThen(name) => {
                path.strip_suffix(name.as_str()).is_some_and(|head| head.is_empty() || head.ends_with('/'))
            }
            Matcher::Under(prefix) => path.starts_with(prefix.as_str()),
            Matcher::Walk(alternatives) => alternatives.iter().any(|tokens| walk(tokens, path, sep)),
        }
    }
}

/// Several globs; a path matches when one of them does.
#[derive(Debug, Clone, Default)]
pub struct GlobSet {
    globs: Vec<Glob>,
}

impl GlobSet {
    pub fn is_match(&self, path: impl AsRef<str>) -> bool {
        let path = path.as_ref();
        self.globs.iter().any(|g| g.is_match(path))
    }
}

/// Collects the globs of a [`GlobSet`], as `globset::GlobSetBuilder`.
#[derive(Debug, Default)]
pub struct GlobSetBuilder {
    globs: Vec<Glob>,
}

impl GlobSetBuilder {
    pub fn new() -> GlobSetBuilder {
        GlobSetBuilder::default()
    }

    pub fn add(&mut self, glob: Glob) -> &mut GlobSetBuilder {
        self.globs.push(glob);
        self
    }

    /// The set (each glob was checked when it was built).
    pub fn build(self) -> GlobSet {
        GlobSet { globs: self.globs }
    }
}

/// The plain shapes that need no walk.
fn shape(tokens: &[Token], sep: bool) -> Option<Matcher> {
    let text = |ts: &[Token]| -> Option<String> {
        ts.iter().map(|t| if let Token::Char(c) = t { Some(*c) } else { None }).collect()
    };
    match tokens {
        [Token::Star, rest @ ..] => text(rest).filter(|t| !sep || !t.contains('/')).map(Matcher::StarThen),
        [Token::Dirs, rest @ ..] => text(rest).filter(|t| !t.contains('/')).map(Matcher::AnyFolderThen),
        [head @ .., Token::Deep] => text(head).filter(|t| t.ends_with('/')).map(Matcher::Under),
        _ => text(tokens).map(Matcher::Exact),
    }
}

/// Whether `tokens` match all of `s`.
fn walk(tokens: &[Token], s: &str, sep: bool) -> bool {
    let Some((first, rest)) = tokens.split_first() else { return s.is_empty() };
    let one = |s: &str, ok: &dyn Fn(char) -> bool| {
        s.chars().next().is_some_and(|c| ok(c) && !(sep && c == '/') && walk(rest, &s[c.len_utf8()..], sep))
    };
    match first {
        Token::Char(c) => s.strip_prefix(*c).is_some_and(|after| walk(rest, after, sep)),
        Token::Any => one(s, &|_| true),
        Token::Class { negated, ranges } => one(s, &|c| ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated),
        Token::Star => {
            for (i, c) in s.char_indices() {
                if walk(rest, &s[i..], sep) {
                    return true;
                }
                if sep && c == '/' {
                    return false;
                }
            }
            walk(rest, "", sep)
        }
        Token::Deep => {
            rest.is_empty() || s.char_indices().any(|(i, _)| walk(rest, &s[i..], sep)) || walk(rest, "", sep)
        }
        Token::Dirs => walk(rest, s, sep) || s.match_indices('/').any(|(i, _)| walk(rest, &s[i + 1..], sep)),
    }
}

/// A piece of a parsed pattern: a token, or a group of alternatives.
enum Piece {
    Token(Token),
    Alternatives(Vec<Vec<Token>>),
}

/// The token lists the pattern spells out (one per combination of alternatives).
fn parse(pattern: &str) -> Result<Vec<Vec<Token>>, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut pieces = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '{' => {
                let mut alternatives = Vec::new();
                let mut current = Vec::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unclosed alternate group; missing '}'".into()),
                        Some('{') => return Err("nested alternate groups are not allowed".into()),
                        Some('}') => {
                            alternatives.push(std::mem::take(&mut current));
                            i += 1;
                            break;
                        }
                        Some(',') => {
                            alternatives.push(std::mem::take(&mut current));
                            i += 1;
                        }
                        Some(_) => i = token(&chars, i, &mut current)?,
                    }
                }
                pieces.push(Piece::Alternatives(alternatives));
            }
            '}' => return Err("unopened alternate group; missing '{'".into()),
            _ => {
                let mut tokens = Vec::new();
                i = token(&chars, i, &mut tokens)?;
                pieces.extend(tokens.into_iter().map(Piece::Token));
            }
        }
    }
    let mut spelled: Vec<Vec<Token>> = vec![Vec::new()];
    for piece in pieces {
        match piece {
            Piece::Token(t) => spelled.iter_mut().for_each(|s| s.push(t.clone())),
            Piece::Alternatives(alternatives) => {
                if spelled.len() * alternatives.len() > MAX_ALTERNATIVES {
                    return Err(format!("more than {MAX_ALTERNATIVES} alternatives"));
                }
                spelled = spelled
                    .iter()
                    .flat_map(|s| alternatives.iter().map(move |a| s.iter().chain(a).cloned().collect()))
                    .collect();
            }
        }
    }
    Ok(spelled)
}

/// Read the token at `chars[i]` into `out`; where the next one starts.
fn token(chars: &[char], i: usize, out: &mut Vec<Token>) -> Result<usize, String> {
    match chars[i] {
        '\\' => match chars.get(i + 1) {
            Some(&c) => {
                out.push(Token::Char(c));
                Ok(i + 2)
            }
            None => Err("dangling '\\'".into()),
        },
        '?' => {
            out.push(Token::Any);
            Ok(i + 1)
        }
        '*' if chars.get(i + 1) == Some(&'*') => {
            let starts_component = i == 0 || chars[i - 1] == '/';
            match chars.get(i + 2) {
                _ if !starts_component => Err("invalid use of **; must be one path component".into()),
                None => {
                    out.push(Token::Deep);
                    Ok(i + 2)
                }
                Some('/') => {
                    out.push(Token::Dirs);
                    Ok(i + 3)
                }
                Some(_) => Err("invalid use of **; must be one path component".into()),
            }
        }
        '*' => {
            out.push(Token::Star);
            Ok(i + 1)
        }
        '[' => class(chars, i, out),
        c => {
            out.push(Token::Char(c));
            Ok(i + 1)
        }
    }
}

/// A `[...]` class starting at `chars[i]`.
fn class(chars: &[char], i: usize, out: &mut Vec<Token>) -> Result<usize, String> {
    let mut j = i + 1;
    let negated = matches!(chars.get(j), Some('!' | '^'));
    if negated {
        j += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let Some(&c) = chars.get(j) else { return Err("unclosed character class; missing ']'".into()) };
        if c == ']' && !first {
            out.push(Token::Class { negated, ranges });
            return Ok(j + 1);
        }
        first = false;
        match (chars.get(j + 1), chars.get(j + 2)) {
            (Some('-'), Some(&hi)) if hi != ']' => {
                if hi < c {
                    return Err(format!("invalid range; '{c}' > '{hi}'"));
                }
                ranges.push((c, hi));
                j += 3;
            }
            _ => {
                ranges.push((c, c));
                j += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, sep: bool, path: &str) -> bool {
        GlobBuilder::new(pattern).literal_separator(sep).build().unwrap().is_match(path)
    }

    #[test]
    fn stars_stop_at_a_separator_only_when_asked() {
        assert!(m("*.md", false, "docs/a.md") && !m("*.md", true, "docs/a.md"));
        assert!(m("*.md", true, "a.md") && !m("*.md", true, "a.txt"));
        assert!(m("docs/*.md", true, "docs/a.md") && !m("docs/*.md", true, "docs/x/a.md"));
        assert!(m("release/*", false, "release/1.2") && m("release/*", false, "release/a/b"));
        assert!(m("a*b*c", true, "aXbYc") && !m("a*b*c", true, "aX/bYc") && m("a*b*c", false, "aX/bYc"));
        assert!(m("?.py", true, "a.py") && !m("?.py", true, "/.py") && !m("?.py", true, "ab.py"));
        assert!(m("caf?", true, "caf\u{e9}"));
    }

    #[test]
    fn double_stars_are_whole_components() {
        assert!(m("**", true, "a/b/c") && m("**", true, ""));
        assert!(m("**/x.py", true, "x.py") && m("**/x.py", true, "a/b/x.py") && !m("**/x.py", true, "ax.py"));
        assert!(m("docs/**", true, "docs/a") && m("docs/**", true, "docs/a/b") && !m("docs/**", true, "docs"));
        assert!(m("a/**/b", true, "a/b") && m("a/**/b", true, "a/x/y/b") && !m("a/**/b", true, "a/xb"));
        assert!(m("**/*.md", true, "a/b.md") && m("**/*.md", true, "b.md") && !m("**/*.md", true, "a/b.mdx"));
        assert!(m("src/**/*.rs", true, "src/a/b.rs") && m("src/**/*.rs", true, "src/b.rs"));
        for bad in ["a**", "**a", "a/**b", "a**/b"] {
            assert!(Glob::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn classes_alternatives_and_escapes() {
        assert!(m("[ab].md", true, "a.md") && !m("[ab].md", true, "c.md"));
        assert!(m("[!ab].md", true, "c.md") && !m("[!ab].md", true, "a.md") && m("[^a].md", true, "b.md"));
        assert!(m("v[0-9]*", true, "v1.2") && !m("v[0-9]*", true, "vx"));
        assert!(m("[]]", true, "]") && m("[[]", true, "[") && m("[*]", true, "*") && !m("[*]", true, "a"));
        assert!(m("[a-]", true, "-") && m("[a-]", true, "a"));
        assert!(!m("a[/]b", true, "a/b") && m("a[/]b", false, "a/b"));
        assert!(m("*.{md,txt}", true, "a.txt") && m("*.{md,txt}", true, "a.md") && !m("*.{md,txt}", true, "a.rs"));
        assert!(m("{docs,site}/**", true, "site/x") && !m("{docs,site}/**", true, "src/x"));
        assert!(m(r"\*.md", true, "*.md") && !m(r"\*.md", true, "a.md"));
        assert!(m("a,b", true, "a,b"));
    }

    #[test]
    fn bad_globs_say_what_is_wrong() {
        let err = |p: &str| Glob::new(p).unwrap_err().to_string();
        assert_eq!(err("src/[a"), "error parsing glob 'src/[a': unclosed character class; missing ']'");
        assert!(err("{a,b").contains("unclosed alternate group"));
        assert!(err("a}").contains("unopened alternate group"));
        assert!(err("{a,{b}}").contains("nested"));
        assert!(err("a\\").contains("dangling"));
        assert!(err("[z-a]").contains("invalid range"));
    }

    #[test]
    fn sets_match_when_any_glob_does() {
        let mut b = GlobSetBuilder::new();
        b.add(Glob::new("*.md").unwrap()).add(GlobBuilder::new("docs/**").literal_separator(true).build().unwrap());
        let set = b.build();
        assert!(set.is_match("x/a.md") && set.is_match("docs/x.py") && !set.is_match("src/x.py"));
        assert!(!GlobSet::default().is_match("a"));
    }
}
