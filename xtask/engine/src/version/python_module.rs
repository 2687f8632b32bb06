//! Python modules (`__init__.py`, `_version.py`, the module a build backend reads): one
//! top-level assignment of a string to `__version__` (either quote, an optional type
//! annotation, or a chain such as `__version__ = VERSION = "1.2.3"`). Statements are found by
//! a small lexer, so a line inside a docstring or another string is never taken for one.

use std::ops::Range;

use super::text::{Located, SourceError, Values, line_column};

/// The string assigned to one of `names` (`__version__` unless a build backend names another).
pub fn read(path: &str, text: &str, names: &[&str]) -> Result<Values, SourceError> {
    let shown = names.join(" or ");
    let assignments: Vec<(Range<usize>, Assignment<'_>)> = top_level_statements(text)
        .into_iter()
        .filter_map(|range| {
            let assignment = assignment(&text[range.clone()])?;
            assignment.targets.iter().any(|t| names.contains(t)).then_some((range, assignment))
        })
        .collect();
    let lines: Vec<usize> = assignments.iter().map(|(r, _)| line_column(text, r.start).0).collect();
    let (range, found) = match assignments.as_slice() {
        [] => return Ok(Values::Absent(format!("assigns no top-level {shown}"))),
        [one] => one,
        [_, _, ..] => {
            let all = lines.iter().map(usize::to_string).collect::<Vec<_>>().join(", ");
            return Err(SourceError::new(
                path,
                lines[1],
                1,
                format!("{shown} is assigned {} times (lines {all}); keep one assignment of a string", lines.len()),
            ));
        }
    };
    let Some(value) = found.literal.clone() else {
        return Ok(Values::Absent(format!("computes {shown} (line {}) instead of assigning a string", lines[0])));
    };
    let field = found.targets.iter().find(|t| names.contains(t)).copied().unwrap_or_default();
    Ok(Values::Found(vec![Located::new(range.start + value.start..range.start + value.end, field)]))
}

/// One assignment statement: its targets, and the span of its string's contents (relative to
/// the statement) when the value is one plain string literal.
struct Assignment<'a> {
    targets: Vec<&'a str>,
    literal: Option<Range<usize>>,
}

/// `NAME [: ANNOTATION] = [NAME = ...] VALUE`, or `None` when the statement assigns no name.
fn assignment(statement: &str) -> Option<Assignment<'_>> {
    let bytes = statement.as_bytes();
    let mut at = 0;
    let mut targets = Vec::new();
    loop {
        let start = skip_blanks(bytes, at);
        let end = identifier_end(bytes, start);
        if end == start {
            break;
        }
        let mut next = skip_blanks(bytes, end);
        if targets.is_empty() && bytes.get(next) == Some(&b':') {
            // An annotation runs to the `=` (an annotated statement has one target).
            next = next + 1 + statement[next + 1..].find('=')?;
        }
        if bytes.get(next) != Some(&b'=') || bytes.get(next + 1) == Some(&b'=') {
            break;
        }
        targets.push(&statement[start..end]);
        at = next + 1;
    }
    if targets.is_empty() {
        return None;
    }
    Some(Assignment { targets, literal: string_value(statement, skip_blanks(bytes, at)) })
}

/// The contents of a one-line string literal starting at `at` that is the whole rest of the
/// statement (a trailing comment or `;` statement allowed).
fn string_value(statement: &str, at: usize) -> Option<Range<usize>> {
    let quote = *statement.as_bytes().get(at)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let len = statement[at + 1..].find([quote as char, '\\', '\n'])?;
    let end = at + 1 + len;
    if statement.as_bytes()[end] != quote || statement[end + 1..].starts_with(quote as char) {
        return None;
    }
    let rest = statement[end + 1..].trim_start_matches([' ', '\t']);
    let rest = rest.trim_end_matches(['\r', '\n']);
    (rest.is_empty() || rest.starts_with(['#', ';'])).then_some(at + 1..end)
}

fn skip_blanks(bytes: &[u8], mut at: usize) -> usize {
    while matches!(bytes.get(at), Some(b' ' | b'\t')) {
        at += 1;
    }
    at
}

fn identifier_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while let Some(&b) = bytes.get(end) {
        let ok = b == b'_' || b.is_ascii_alphabetic() || (end > start && b.is_ascii_digit());
        if !ok {
            break;
        }
        end += 1;
    }
    end
}

/// The byte ranges of the module's top-level statements (starting in column 0), each up to and
/// including its final newline; strings, comments, brackets and `\` continuations are lexed,
/// so a docstring's lines are inside its statement.
fn top_level_statements(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut depth = 0usize;
    let mut line_start = true;
    let mut current: Option<usize> = None;
    // The statement being lexed started in column 0.
    let mut top = false;
    while i < bytes.len() {
        let b = bytes[i];
        if line_start && depth == 0 && current.is_none() && !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'#' | b'\x0c')
        {
            current = Some(i);
            top = true;
        } else if line_start && depth == 0 && current.is_none() && matches!(b, b' ' | b'\t') {
            // An indented statement: lexed, not kept.
            let first = skip_blanks(bytes, i);
            if !matches!(bytes.get(first), None | Some(b'\r' | b'\n' | b'#')) {
                current = Some(first);
                top = false;
            }
        }
        line_start = false;
        match b {
            b'#' => {
                // To the end of the line, which is lexed next.
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'"' | b'\'' => {
                i = string_end(bytes, i);
                continue;
            }
            b'\\' if bytes.get(i + 1) == Some(&b'\n') => i += 1,
            b'\\' if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') => i += 2,
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' if depth == 0 => {
                if let Some(start) = current.take()
                    && top
                {
                    out.push(start..i + 1);
                }
                line_start = true;
            }
            _ => {}
        }
        i += 1;
    }
    if let Some(start) = current
        && top
    {
        out.push(start..bytes.len());
    }
    out
}

/// The index just past the string literal whose opening quote is at `i` (triple-quoted or
/// not; a backslash escapes the next byte). An unterminated one-line string ends at its line.
fn string_end(bytes: &[u8], i: usize) -> usize {
    let quote = bytes[i];
    let triple = bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote);
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'\n' if !triple => return j,
            c if c == quote && !triple => return j + 1,
            c if c == quote && bytes.get(j + 1) == Some(&quote) && bytes.get(j + 2) == Some(&quote) => return j + 3,
            _ => j += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> String {
        match read("m.py", text, &["__version__"]).unwrap() {
            Values::Found(found) => text[found[0].span.clone()].to_string(),
            Values::Absent(why) => panic!("absent: {why}"),
        }
    }

    #[test]
    fn quotes_annotations_comments_and_crlf() {
        assert_eq!(value("\"\"\"Doc.\"\"\"\n\n__version__ = \"0.1.0\"\n"), "0.1.0");
        assert_eq!(value("__version__='0.1.0'  # bumped by release\r\nx = 1\r\n"), "0.1.0");
        assert_eq!(value("__version__: str = \"1.2.0rc1\""), "1.2.0rc1");
        assert_eq!(value("__version__: Final[str] = '1.0.0'\n"), "1.0.0");
        assert_eq!(value("VERSION_INFO = (1, 0)\nmy__version__ = '9'\n__version__ = \"1.0.0\"\n"), "1.0.0");
        assert_eq!(value("__version__ = '1.0.0'; x = 1\n"), "1.0.0");
    }

    #[test]
    fn missing_computed_and_repeated() {
        assert!(matches!(read("m.py", "x = 1\n", &["__version__"]).unwrap(), Values::Absent(_)));
        let computed = "from importlib.metadata import version\n__version__ = version(\"pkg\")\n";
        assert!(matches!(read("m.py", computed, &["__version__"]).unwrap(), Values::Absent(w) if w.contains("line 2")));
        for computed in
            ["__version__ = '1' + '2'\n", "__version__ = \"\"\"1.0\"\"\"\n", "__version__ = (\n    '1.0'\n)\n"]
        {
            assert!(matches!(read("m.py", computed, &["__version__"]).unwrap(), Values::Absent(_)), "{computed}");
        }
        let err =
            read("m.py", "__version__ = '1'\nif x == 1:\n    pass\n__version__ = '2'\n", &["__version__"]).unwrap_err();
        assert_eq!(err.line, 4);
        assert!(err.message.contains("2 times"), "{err}");
        // A comparison is not an assignment; an indented fallback is not the module's version.
        let text = "__version__ == '3'\ntry:\n    __version__ = 'x'\nexcept: pass\n__version__ = '1.0.0'\n";
        assert_eq!(value(text), "1.0.0");
    }

    #[test]
    fn chained_assignments_are_one_assignment_of_each_name() {
        let text = "__version__ = VERSION = \"1.2.3\"  # both\n";
        assert_eq!(value(text), "1.2.3");
        assert_eq!(value("VERSION = __version__ = '1.2.3'\n"), "1.2.3");
        let Values::Found(f) = read("a.py", text, &["__version__", "VERSION"]).unwrap() else { panic!() };
        assert_eq!((f.len(), f[0].field.as_str()), (1, "__version__"));
        let computed = "__version__ = VERSION = get()\n";
        assert!(matches!(read("m.py", computed, &["__version__"]).unwrap(), Values::Absent(_)));
    }

    #[test]
    fn strings_are_not_statements() {
        let text = "\"\"\"Usage:\n\n__version__ = \"9.9.9\"\n\"\"\"\n__version__ = \"1.0.0\"\nHELP = '''\n__version__ = '0'\n'''\nx = (\n__version__ == 1)\nNOTE = \"a \\\" \" \\\n    '__version__ = 2'\n";
        assert_eq!(value(text), "1.0.0");
        let Values::Found(f) = read("m.py", text, &["__version__"]).unwrap() else { panic!() };
        assert_eq!(line_column(text, f[0].span.start).0, 5);
        assert_eq!(value("# __version__ = '2'\n__version__ = '1'\n"), "1");
    }

    #[test]
    fn other_names_for_build_backends() {
        let Values::Found(f) = read("a.py", "VERSION = \"2.0.0\"\n", &["__version__", "VERSION"]).unwrap() else {
            panic!()
        };
        assert_eq!(f[0].span, 11..16);
    }
}
