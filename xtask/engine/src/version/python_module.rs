//! Python modules (`__init__.py`, `_version.py`, the module a build backend reads): one
//! top-level `__version__ = "1.2.3"` (either quote, an optional type annotation), found by an
//! anchored pattern that must match exactly once.

use regex::Regex;

use super::text::{Located, SourceError, Values, line_column};

/// The string assigned to one of `names` (`__version__` unless a build backend names another).
pub fn read(path: &str, text: &str, names: &[&str]) -> Result<Values, SourceError> {
    let alternatives = names.iter().map(|n| regex::escape(n)).collect::<Vec<_>>().join("|");
    let target = format!(r"(?m)^(?:{alternatives})[ \t]*(?::[^=\n]*)?=");
    let assignment = Regex::new(&format!("{target}(?:[^=]|$)")).expect("valid regex");
    let literal = Regex::new(&format!(
        r#"(?m)^(?P<name>{alternatives})[ \t]*(?::[^=\n]*)?=[ \t]*(?:"(?P<d>[^"\\\n]*)"|'(?P<s>[^'\\\n]*)')[ \t]*(?:[#;][^\n]*)?\r?$"#
    ))
    .expect("valid regex");
    let shown = names.join(" or ");
    let lines: Vec<usize> = assignment.find_iter(text).map(|m| line_column(text, m.start()).0).collect();
    match lines.as_slice() {
        [] => return Ok(Values::Absent(format!("assigns no top-level {shown}"))),
        [_] => {}
        [_, second, ..] => {
            let all = lines.iter().map(usize::to_string).collect::<Vec<_>>().join(", ");
            return Err(SourceError::new(
                path,
                *second,
                1,
                format!("{shown} is assigned {} times (lines {all}); keep one assignment of a string", lines.len()),
            ));
        }
    }
    let Some(caps) = literal.captures(text) else {
        return Ok(Values::Absent(format!("computes {shown} (line {}) instead of assigning a string", lines[0])));
    };
    let value = caps.name("d").or_else(|| caps.name("s")).expect("one quote style matched");
    Ok(Values::Found(vec![Located::new(value.range(), &caps["name"])]))
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
    }

    #[test]
    fn missing_computed_and_repeated() {
        assert!(matches!(read("m.py", "x = 1\n", &["__version__"]).unwrap(), Values::Absent(_)));
        let computed = "from importlib.metadata import version\n__version__ = version(\"pkg\")\n";
        assert!(matches!(read("m.py", computed, &["__version__"]).unwrap(), Values::Absent(w) if w.contains("line 2")));
        let err =
            read("m.py", "__version__ = '1'\nif x == 1:\n    pass\n__version__ = '2'\n", &["__version__"]).unwrap_err();
        assert_eq!(err.line, 4);
        assert!(err.message.contains("2 times"), "{err}");
        // A comparison is not an assignment; an indented fallback is not the module's version.
        let text = "__version__ == '3'\ntry:\n    __version__ = 'x'\nexcept: pass\n__version__ = '1.0.0'\n";
        assert_eq!(value(text), "1.0.0");
    }

    #[test]
    fn other_names_for_build_backends() {
        let Values::Found(f) = read("a.py", "VERSION = \"2.0.0\"\n", &["__version__", "VERSION"]).unwrap() else {
            panic!()
        };
        assert_eq!(f[0].span, 11..16);
    }
}
