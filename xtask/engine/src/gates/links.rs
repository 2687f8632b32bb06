//! The `links` gate: every relative link in the checked Markdown resolves to an existing file
//! or folder.
//!
//! Inline links and images (`[text](target "title")`, `![alt](<a b.png>)`) and reference
//! definitions (`[id]: target`) are checked; URLs with a scheme (`https:`, `mailto:`), pure
//! `#anchors`, and anything inside fenced code blocks or inline code are not. `#fragment` and
//! `?query` are dropped; `%20`-style escapes are decoded; a target starting with `/` is relative
//! to the root.

use std::path::{Component, Path, PathBuf};

use super::scan::{FileCheck, Found, chars_in, lines};
use crate::output::safe;

pub struct Links {
    root: PathBuf,
}

impl Links {
    pub fn new(root: &Path) -> Links {
        Links { root: root.to_path_buf() }
    }
}

/// How far a bracket, a link's target or the end of an inline code span is looked for. Real
/// links are far shorter; the bound keeps a pathological line (a megabyte of `[`) linear.
const REACH: usize = 64 << 10;

/// One link found in a line: its 1-based column (of `[` or `!`) and its raw target.
#[derive(Debug, PartialEq, Eq)]
pub struct Link {
    pub column: usize,
    pub target: String,
}

impl FileCheck for Links {
    fn check(&self, bytes: &[u8], out: &mut Found<'_>) {
        let path = out.path();
        let dir = Path::new(path).parent().unwrap_or(Path::new("")).to_path_buf();
        let mut fence: Option<(u8, usize)> = None;
        for (line_no, line) in lines(bytes) {
            if let Some(f) = fence_of(line) {
                match fence {
                    None => fence = Some(f),
                    Some((c, n)) if f.0 == c && f.1 >= n && line.trim_ascii().iter().all(|&b| b == c) => fence = None,
                    _ => {}
                }
                continue;
            }
            if fence.is_some() {
                continue;
            }
            for link in links_in(line) {
                let Some(rel) = local_target(&link.target) else { continue };
                let resolved = if let Some(abs) = rel.strip_prefix('/') { PathBuf::from(abs) } else { dir.join(&rel) };
                let resolved = normalize(&resolved);
                if !self.root.join(&resolved).exists() {
                    // The decoded target may hold a line break (`%0A`): it is shown escaped.
                    let shown = crate::repo::slash_path(&resolved);
                    let message = format!("broken link {:?}: {} does not exist", link.target, safe(&shown));
                    out.push(line_no, link.column, message);
                }
            }
        }
    }
}

/// A line that opens or closes a fenced code block: its fence character and length.
fn fence_of(line: &[u8]) -> Option<(u8, usize)> {
    let indent = line.iter().take_while(|&&b| b == b' ').count();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let c = *rest.first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = rest.iter().take_while(|&&b| b == c).count();
    (n >= 3).then_some((c, n))
}

/// Columns of byte offsets in one line, counted forward as the offsets grow.
struct Columns<'a> {
    line: &'a [u8],
    byte: usize,
    column: usize,
}

impl Columns<'_> {
    /// The 1-based column (in characters) of byte `at`, not before the last one asked for.
    fn at(&mut self, at: usize) -> usize {
        self.column += chars_in(&self.line[self.byte..at]);
        self.byte = at;
        self.column + 1
    }
}

/// The links of one line outside inline code, in order.
pub fn links_in(line: &[u8]) -> Vec<Link> {
    let b = line;
    let mut cols = Columns { line, byte: 0, column: 0 };
    let text = |s: &[u8]| String::from_utf8_lossy(s).into_owned();
    let mut links = Vec::new();
    // A reference definition: up to three spaces, `[label]:`, the target.
    let indent = b.iter().take_while(|&&c| c == b' ').count();
    if indent <= 3
        && b.get(indent) == Some(&b'[')
        && let Some(close) = matching(b, indent)
        && b.get(close + 1) == Some(&b':')
    {
        let rest = b[close + 2..].trim_ascii_start();
        let target = match rest.strip_prefix(b"<") {
            Some(r) => r.split(|&c| c == b'>').next().unwrap_or_default(),
            None => rest.split(|c| c.is_ascii_whitespace()).next().unwrap_or_default(),
        };
        if !target.is_empty() {
            links.push(Link { column: cols.at(indent), target: text(target) });
        }
        return links;
    }
    let mut i = 0;
    while let Some(next) = memchr::memchr2(b'`', b'[', &b[i..]) {
        i += next;
        match b[i] {
            b'`' => {
                // An inline code span: no links inside it. A run that does not close is text.
                let n = b[i..].iter().take_while(|&&c| c == b'`').count();
                i = code_span_end(b, i, n).unwrap_or(i + n);
                continue;
            }
            b'[' if i == 0 || b[i - 1] != b'\\' => {
                if let Some(close) = matching(b, i)
                    && b.get(close + 1) == Some(&b'(')
                    && let Some(target) = destination(&b[close + 2..])
                {
                    let start = if i > 0 && b[i - 1] == b'!' { i - 1 } else { i };
                    links.push(Link { column: cols.at(start), target: text(target) });
                }
            }
            _ => {}
        }
        i += 1;
    }
    links
}

/// The end of the code span whose opening run of `n` backticks is at `open`: after the next run
/// of exactly `n`.
fn code_span_end(b: &[u8], open: usize, n: usize) -> Option<usize> {
    let mut j = open + n;
    let end = b.len().min(open + REACH);
    while j < end {
        if b[j] == b'`' {
            let m = b[j..].iter().take_while(|&&c| c == b'`').count();
            if m == n {
                return Some(j + m);
            }
            j += m;
        } else {
            j += 1;
        }
    }
    None
}

/// The `]` that closes the `[` at `open` (nested brackets allowed, `\]` escaped).
fn matching(b: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0;
    let mut i = open;
    let end = b.len().min(open + REACH);
    while i < end {
        match b[i] {
            b'\\' => i += 1,
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The target of `(target "title")`, given the text after `(`; `None` when it does not close.
fn destination(rest: &[u8]) -> Option<&[u8]> {
    let rest = rest.trim_ascii_start();
    let rest = &rest[..rest.len().min(REACH)];
    if let Some(inner) = rest.strip_prefix(b"<") {
        let end = memchr::memchr(b'>', inner)?;
        return Some(&inner[..end]);
    }
    let mut depth = 0;
    for (i, &c) in rest.iter().enumerate() {
        match c {
            b'(' => depth += 1,
            b')' if depth == 0 => return Some(&rest[..i]),
            b')' => depth -= 1,
            // A title follows; the link must still close.
            c if c.is_ascii_whitespace() => return memchr::memchr(b')', &rest[i..]).map(|_| &rest[..i]),
            _ => {}
        }
    }
    None
}

/// The local path a target names, or `None` for URLs, anchors and empty targets.
pub fn local_target(target: &str) -> Option<String> {
    let t = target.trim();
    let scheme = t.find(':').is_some_and(|i| {
        i > 0
            && t[..i].bytes().all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b))
            && t.as_bytes()[0].is_ascii_alphabetic()
    });
    if t.is_empty() || t.starts_with('#') || t.starts_with("//") || scheme {
        return None;
    }
    let end = t.find(['#', '?']).unwrap_or(t.len());
    let path = percent_decode(&t[..end]);
    (!path.is_empty()).then_some(path)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `docs/../a/./b` -> `a/b`, lexically (`..` above the root stays, and then does not exist).
fn normalize(p: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(line: &str) -> Vec<(usize, String)> {
        links_in(line.as_bytes()).into_iter().map(|l| (l.column, l.target)).collect()
    }

    #[test]
    fn inline_links_images_titles_and_angle_brackets() {
        assert_eq!(
            targets("See [a](x.md) and ![img](<my pic.png> \"t\") or [b](y.md 'title')."),
            vec![(5, "x.md".into()), (19, "my pic.png".into()), (47, "y.md".into())]
        );
        assert_eq!(targets("[![badge](b.svg)](ci.md)"), vec![(1, "ci.md".into()), (2, "b.svg".into())]);
        assert_eq!(targets("[f](a_(b).md)"), vec![(1, "a_(b).md".into())]);
        assert_eq!(targets("\u{00E9} [x](z.md)"), vec![(3, "z.md".into())]);
    }

    #[test]
    fn code_and_non_links_are_ignored() {
        assert!(targets("`[a](x.md)` and ``[b](`y`)``").is_empty());
        assert!(targets("[a] (x.md) \\[b](y.md) [c](unclosed").is_empty());
        assert_eq!(targets("`code` [a](x.md)"), vec![(8, "x.md".into())]);
    }

    #[test]
    fn reference_definitions() {
        assert_eq!(targets("[id]: ../x.md \"T\""), vec![(1, "../x.md".into())]);
        assert_eq!(targets("  [id]: <a b.md>"), vec![(3, "a b.md".into())]);
    }

    #[test]
    fn which_targets_are_local() {
        for url in ["https://x.org/a", "http://x", "mailto:a@b", "ftp://x", "#anchor", "//cdn.x/y", "tel:+1", ""] {
            assert_eq!(local_target(url), None, "{url}");
        }
        assert_eq!(local_target("a.md#part").as_deref(), Some("a.md"));
        assert_eq!(local_target("a.md?raw=1").as_deref(), Some("a.md"));
        assert_eq!(local_target("my%20file.md").as_deref(), Some("my file.md"));
        assert_eq!(local_target("../up/").as_deref(), Some("../up/"));
    }

    fn check(root: &Path, text: &str) -> Vec<crate::report::Finding> {
        let mut out = Vec::new();
        let mut found = Found::new("docs/a.md", &mut out);
        Links::new(root).check(text.as_bytes(), &mut found);
        found.finish();
        out
    }

    #[test]
    fn fenced_blocks_are_skipped_and_paths_resolve_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("docs/sub")).unwrap();
        std::fs::write(dir.path().join("docs/sub/b.md"), "").unwrap();
        std::fs::write(dir.path().join("README.md"), "").unwrap();
        let text = "[ok](sub/b.md#x)\n```md\n[in code](nope.md)\n````\n~~~\n[root](/README.md) [up](../README.md)\n[dir](sub/)\n[bad](sub/c.md)\n[out](../../x.md)\n";
        let out = check(dir.path(), text);
        let got: Vec<String> = out.iter().map(|f| format!("{}:{}: {}", f.line, f.column, f.message)).collect();
        // Line 4 is a longer fence of the same character: it closes the block; `~~~` opens one
        // that never closes, so nothing after it counts.
        assert!(got.is_empty(), "{got:?}");
        let text = "[ok](sub/b.md#x)\n```md\n[in code](nope.md)\n```\n[root](/README.md) [up](../README.md)\n[dir](sub/)\n[bad](sub/c.md)\n[out](../../x.md)\n";
        let out = check(dir.path(), text);
        let got: Vec<String> = out.iter().map(|f| format!("{}:{}: {}", f.line, f.column, f.message)).collect();
        assert_eq!(
            got,
            vec![
                "7:1: broken link \"sub/c.md\": docs/sub/c.md does not exist".to_string(),
                "8:1: broken link \"../../x.md\": ../x.md does not exist".to_string(),
            ]
        );
    }
}
