//! Unified diffs of the plan's file edits, for `--dry-run` (line-based, git's hunk format).

/// One line of a file, without its end of line; `eol` is false for a last line without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Line<'a> {
    text: &'a str,
    eol: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same(usize, usize),
    Del(usize),
    Add(usize),
}

/// Lines of context around each change, as `diff -u` and git use.
const CONTEXT: usize = 3;
/// Above this many cells the middle of a file is shown as replaced rather than aligned.
const MAX_CELLS: usize = 4_000_000;

/// A unified diff from `before` to `after` (`None`: the file does not exist). Empty when
/// equal. Files that are not UTF-8 are summarised, not printed.
pub fn unified(path: &str, before: Option<&[u8]>, after: Option<&[u8]>) -> String {
    if before == after {
        return String::new();
    }
    let old_name = if before.is_some() { format!("a/{path}") } else { "/dev/null".into() };
    let new_name = if after.is_some() { format!("b/{path}") } else { "/dev/null".into() };
    let (Ok(old), Ok(new)) =
        (std::str::from_utf8(before.unwrap_or_default()), std::str::from_utf8(after.unwrap_or_default()))
    else {
        return format!(
            "binary file {path}: {} -> {} bytes\n",
            before.map_or(0, <[u8]>::len),
            after.map_or(0, <[u8]>::len)
        );
    };
    let a = lines(old);
    let b = lines(new);
    let ops = align(&a, &b);
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    for hunk in hunks(&ops) {
        render_hunk(&mut out, &ops[hunk.0..hunk.1], &a, &b);
    }
    out
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find('\n') {
            Some(i) => {
                out.push(Line { text: &rest[..i], eol: true });
                rest = &rest[i + 1..];
            }
            None => {
                out.push(Line { text: rest, eol: false });
                rest = "";
            }
        }
    }
    out
}

/// The edit script: common prefix and suffix, and an LCS alignment of the middle.
fn align(a: &[Line<'_>], b: &[Line<'_>]) -> Vec<Op> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (am, bm) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<Op> = (0..prefix).map(|i| Op::Same(i, i)).collect();
    // Each distinct line as a number (when the middles are small enough to align): the table
    // compares numbers, not text, this crate being unoptimised in the dev profile `cargo xtask`
    // runs. The lines of `bm` that `am` lacks get none.
    let (mut na, mut nb) = (Vec::new(), Vec::new());
    if am.len().saturating_mul(bm.len()) <= MAX_CELLS {
        let mut numbers: std::collections::HashMap<Line<'_>, u32> = std::collections::HashMap::new();
        for line in am {
            let next = numbers.len() as u32;
            na.push(*numbers.entry(*line).or_insert(next));
        }
        nb = bm.iter().map(|line| numbers.get(line).copied().unwrap_or(u32::MAX)).collect();
    }
    // Too large, or no line in common: all of one replaced by all of the other.
    if !nb.iter().any(|&n| n != u32::MAX) {
        ops.extend((0..am.len()).map(|i| Op::Del(prefix + i)));
        ops.extend((0..bm.len()).map(|j| Op::Add(prefix + j)));
    } else {
        let (am, bm) = (&na, &nb);
        // lcs[i][j]: the longest common subsequence of am[i..] and bm[j..].
        let w = bm.len() + 1;
        let mut lcs = vec![0u32; (am.len() + 1) * w];
        for i in (0..am.len()).rev() {
            for j in (0..bm.len()).rev() {
                lcs[i * w + j] = if am[i] == bm[j] {
                    lcs[(i + 1) * w + j + 1] + 1
                } else {
                    lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < am.len() || j < bm.len() {
            if i < am.len() && j < bm.len() && am[i] == bm[j] {
                ops.push(Op::Same(prefix + i, prefix + j));
                i += 1;
                j += 1;
            } else if i < am.len() && (j == bm.len() || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
                ops.push(Op::Del(prefix + i));
                i += 1;
            } else {
                ops.push(Op::Add(prefix + j));
                j += 1;
            }
        }
    }
    let (a0, b0) = (a.len() - suffix, b.len() - suffix);
    ops.extend((0..suffix).map(|k| Op::Same(a0 + k, b0 + k)));
    ops
}

/// Ranges of `ops` to print: each change with its context, nearby changes merged.
fn hunks(ops: &[Op]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (k, op) in ops.iter().enumerate() {
        if matches!(op, Op::Same(..)) {
            continue;
        }
        let start = k.saturating_sub(CONTEXT);
        let end = (k + 1 + CONTEXT).min(ops.len());
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = end,
            _ => out.push((start, end)),
        }
    }
    out
}

fn render_hunk(out: &mut String, ops: &[Op], a: &[Line<'_>], b: &[Line<'_>]) {
    let old_start = ops.iter().find_map(|op| match op {
        Op::Same(i, _) | Op::Del(i) => Some(*i),
        Op::Add(_) => None,
    });
    let new_start = ops.iter().find_map(|op| match op {
        Op::Same(_, j) | Op::Add(j) => Some(*j),
        Op::Del(_) => None,
    });
    let old_len = ops.iter().filter(|op| !matches!(op, Op::Add(_))).count();
    let new_len = ops.iter().filter(|op| !matches!(op, Op::Del(_))).count();
    // A side with no line in the hunk is an empty file (any other would give context): `-0,0`.
    let old_line = old_start.map_or(0, |i| i + 1);
    let new_line = new_start.map_or(0, |j| j + 1);
    out.push_str(&format!("@@ -{} +{} @@\n", range(old_line, old_len), range(new_line, new_len)));
    for op in ops {
        let (mark, line) = match *op {
            Op::Same(i, _) => (' ', a[i]),
            Op::Del(i) => ('-', a[i]),
            Op::Add(j) => ('+', b[j]),
        };
        out.push(mark);
        out.push_str(line.text.strip_suffix('\r').unwrap_or(line.text));
        out.push('\n');
        if !line.eol {
            out.push_str("\\ No newline at end of file\n");
        }
    }
}

fn range(start: usize, len: usize) -> String {
    if len == 1 { start.to_string() } else { format!("{start},{len}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_line_change_with_context() {
        let before = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let after = "a\nb\nc\nd\nE\nf\ng\nh\n";
        let d = unified("x.txt", Some(before.as_bytes()), Some(after.as_bytes()));
        assert_eq!(d, "--- a/x.txt\n+++ b/x.txt\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n");
    }

    #[test]
    fn an_insertion_and_separate_hunks() {
        let before: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let after: String = (1..=20)
            .map(|i| match i {
                2 => "2\nnew\n".to_string(),
                19 => "nineteen\n".to_string(),
                _ => format!("{i}\n"),
            })
            .collect();
        let d = unified("n", Some(before.as_bytes()), Some(after.as_bytes()));
        assert!(d.contains("@@ -1,5 +1,6 @@\n 1\n 2\n+new\n 3\n 4\n 5\n"), "{d}");
        assert!(d.contains("@@ -16,5 +17,5 @@\n 16\n 17\n 18\n-19\n+nineteen\n 20\n"), "{d}");
    }

    #[test]
    fn missing_final_newline_and_crlf() {
        let d = unified("v", Some(b"version = 1\r\nx = 2"), Some(b"version = 2\r\nx = 2"));
        assert_eq!(
            d,
            "--- a/v\n+++ b/v\n@@ -1,2 +1,2 @@\n-version = 1\n+version = 2\n x = 2\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn created_and_deleted_files() {
        let d = unified("new.md", None, Some(b"hello\n"));
        assert_eq!(d, "--- /dev/null\n+++ b/new.md\n@@ -0,0 +1 @@\n+hello\n");
        let d = unified("old.md", Some(b"bye\n"), None);
        assert_eq!(d, "--- a/old.md\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n");
        assert_eq!(unified("same", Some(b"x"), Some(b"x")), "");
    }

    #[test]
    fn binary_files_are_summarised() {
        let d = unified("logo.png", Some(&[0xff, 0xfe, 0]), Some(&[0xff]));
        assert_eq!(d, "binary file logo.png: 3 -> 1 bytes\n");
    }
}
