//! `VERSION`: a file that holds only the version (an optional `v`, one line, an optional
//! final newline).

use super::text::{Located, SourceError, Values};

pub fn read(path: &str, text: &str) -> Result<Values, SourceError> {
    let start = text.len() - text.trim_start().len();
    let end = text.trim_end().len();
    if start >= end {
        return Err(SourceError::file(path, "is empty; write the version (such as 1.2.3) on its one line"));
    }
    if let Some(nl) = text[start..end].find('\n') {
        return Err(SourceError::at(
            path,
            text,
            start + nl + 1,
            "holds more than one line; a version file holds only the version",
        ));
    }
    Ok(Values::Found(vec![Located::new(start..end, "the file's one line")]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_with_or_without_newline() {
        for text in ["v1.2.0-rc1\n", "1.2.0", "1.2.0\r\n", "  1.2.0  \n"] {
            let Values::Found(found) = read("VERSION", text).unwrap() else { panic!() };
            assert!(text[found[0].span.clone()].ends_with("1.2.0") || text.contains("rc1"), "{text:?}");
            assert_eq!(text[found[0].span.clone()].trim(), &text[found[0].span.clone()]);
        }
        assert!(read("VERSION", "\n").unwrap_err().message.contains("empty"));
        assert_eq!(read("VERSION", "1.0.0\n2.0.0\n").unwrap_err().line, 2);
    }
}
