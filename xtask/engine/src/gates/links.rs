//! The `links` gate: every relative link in the checked Markdown resolves to an existing file
//! or folder.
//!
//! Inline links and images (`[text](target "title")`, `![alt](<a b.png>)`) and reference
//! definitions (`[id]: target`) are checked; URLs with a scheme (`https:`, `mailto:`), pure
//! `#anchors`, and anything inside fenced code blocks or inline code are not. `#fragment` and
//! `?query` are dropped; `%20`-style escapes are decoded; a target starting with `/` is relative
//! to the root.

use std::path::{Component, Path, PathBuf};

use super::scan::FileCheck;
use crate::report::Finding;

pub struct Links {
    root: PathBuf,
}

impl Links {
    pub fn new(root: &Path) -> Links {
        Links { root: root.to_path_buf() }
    }
}

/// One link found in a line: its 1-based column (of `[` or `!`) and its raw target.
#[derive(Debug, PartialEq, Eq)]
pub struct Link {
    pub column: usize,
    pub target: String,
}

impl FileCheck for Links {
    fn check(&self, path: &str, bytes: &[u8], out: &mut Vec<Finding>) {
        let text = String::from_utf8_lossy(bytes);
        let dir = Path::new(path).parent().unwrap_or(Path::new(""));
        let mut fence: Option<(u8, usize)> = None;
        for (i, line) in text.lines().enumerate() {
            if let Some(f) = fence_of(line) {
                match fence {
                    None => fence = Some(f),
                    Some((c, n)) if f.0 == c && f.1 >= n && line.trim().bytes().all(|b| b == c) => fence = None,
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
                    let shown = crate::repo::slash_path(&resolved);
                    out.push(Finding::new(
                        path,
                        i + 1,
                        link.column,
                        format!("broken link {:?}: {shown} does not exist", link.target),
                    ));
                }
            }
        }
    }
}

/// A line that opens or closes a fenced code block: its fence character and length.
fn fence_of(line: &str) -> Option<(u8, usize)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let c = *rest.as_bytes().first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = rest.bytes().take_while(|&b| b == c).count();
    (n >= 3).then_some((c, n))
}

/// The links of one line outside inline code, in order.
pub fn links_in(line: &str) -> Vec<Link> {
    let b = line.as_bytes();
    let code = code_spans(b);
    let in_code = |i: usize| code.iter().any(|&(s, e)| s <= i && i < e);
    let mut links = Vec::new();
    // A reference definition: up to three spaces, `[label]:`, the target.
    let indent = b.iter().take_while(|&&c| c == b' ').count();
    if indent <= 3
        && b.get(indent) == Some(&b'[')
        && let Some(close) = matching(b, indent)
        && b.get(close + 1) == Some(&b':')
    {
        let rest = line[close + 2..].trim_start();
        let target = rest
            .strip_prefix('<')
            .and_then(|r| r.split('>').next())
            .unwrap_or_else(|| rest.split_whitespace().next().unwrap_or(""));
        if !target.is_empty() {
            links.push(Link { column: column(line, indent), target: target.to_string() });
        }
        return links;
    }
    for i in 0..b.len() {
        if b[i] != b'[' || in_code(i) || (i > 0 && b[i - 1] == b'\\') {
            continue;
        }
        let Some(close) = matching(b, i) else { continue };
        if b.get(close + 1) != Some(&b'(') {
            continue;
        }
        let Some(target) = destination(&line[close + 2..]) else { continue };
        let start = if i > 0 && b[i - 1] == b'!' { i - 1 } else { i };
        links.push(Link { column: column(line, start), target });
    }
    links
}

/// Byte ranges of inline code spans (backtick runs closed by a run of the same length).
fn code_spans(b: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'`' {
            i += 1;
            continue;
        }
        let n = b[i..].iter().take_while(|&&c| c == b'`').count();
        let mut j = i + n;
        let mut end = None;
        while j < b.len() {
            if b[j] == b'`' {
                let m = b[j..].iter().take_while(|&&c| c == b'`').count();
                if m == n {
                    end = Some(j + m);
                    break;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        match end {
            Some(e) => {
                spans.push((i, e));
                i = e;
            }
            None => i += n,
        }
    }
    spans
}

/// The `]` that closes the `[` at `open` (nested brackets allowed, `\]` escaped).
fn matching(b: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0;
    let mut i = open;
    while i < b.len() {
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
fn destination(rest: &str) -> Option<String> {
    let rest = rest.trim_start();
    if let Some(inner) = rest.strip_prefix('<') {
        let end = inner.find('>')?;
        return Some(inner[..end].to_string());
    }
    let mut depth = 0;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(rest[..i].to_string()),
            ')' => depth -= 1,
            c if c.is_whitespace() => {
                // A title follows; the link must still close.
                return rest[i..].contains(')').then(|| rest[..i].to_string());
            }
            _ => {}
        }
    }
    None
}

fn column(line: &str, byte: usize) -> usize {
    line[..byte].chars().count() + 1
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
        links_in(line).into_iter().map(|l| (l.column, l.target)).collect()
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

    #[test]
    fn fenced_blocks_are_skipped_and_paths_resolve_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("docs/sub")).unwrap();
        std::fs::write(dir.path().join("docs/sub/b.md"), "").unwrap();
        std::fs::write(dir.path().join("README.md"), "").unwrap();
        let text = "[ok](sub/b.md#x)\n```md\n[in code](nope.md)\n````\n~~~\n[root](/README.md) [up](../README.md)\n[dir](sub/)\n[bad](sub/c.md)\n[out](../../x.md)\n";
        let mut out = Vec::new();
        Links::new(dir.path()).check("docs/a.md", text.as_bytes(), &mut out);
        let got: Vec<String> = out.iter().map(|f| format!("{}:{}: {}", f.line, f.column, f.message)).collect();
        // Line 4 is a longer fence of the same character: it closes the block; `~~~` opens one
        // that never closes, so nothing after it counts.
        assert!(got.is_empty(), "{got:?}");
        let text = "[ok](sub/b.md#x)\n```md\n[in code](nope.md)\n```\n[root](/README.md) [up](../README.md)\n[dir](sub/)\n[bad](sub/c.md)\n[out](../../x.md)\n";
        let mut out = Vec::new();
        Links::new(dir.path()).check("docs/a.md", text.as_bytes(), &mut out);
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
