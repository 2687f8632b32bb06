//! Any other file: a configured pattern with one `{version}` (the rest is literal text), or a
//! build backend's regular expression with a `version` group. It must match exactly once.

use regex_lite::Regex;

use super::text::{Located, SourceError, Values, line_column};

/// What `{version}` matches: a version in either form, with an optional `v`.
const VERSION: &str = r"v?[0-9]+(?:\.[0-9]+)*[0-9A-Za-z.+_-]*";

/// The regular expression for a configured pattern such as `release = "{version}"`.
pub fn regex_for(pattern: &str) -> Regex {
    let (before, after) = pattern.split_once("{version}").unwrap_or((pattern, ""));
    let source = format!("{}(?P<version>{VERSION}){}", regex_lite::escape(before), regex_lite::escape(after));
    Regex::new(&source).expect("escaped text and a fixed group form a valid regex")
}

/// The one match of `regex` (which has a group named `version`) in `text`.
pub fn read(path: &str, text: &str, regex: &Regex, shown: &str) -> Result<Values, SourceError> {
    let found: Vec<_> = regex.captures_iter(text).filter_map(|c| c.name("version")).collect();
    match found.as_slice() {
        [] => Err(SourceError::file(
            path,
            format!("the pattern {shown} matches nothing; fix the pattern in xtask.toml or the file"),
        )),
        [one] => Ok(Values::Found(vec![Located::new(one.range(), format!("pattern {shown}"))])),
        many => {
            let lines: Vec<String> = many.iter().map(|m| line_column(text, m.start()).0.to_string()).collect();
            Err(SourceError::new(
                path,
                line_column(text, many[1].start()).0,
                0,
                format!(
                    "the pattern {shown} matches {} times (lines {}); make it match only the project's version",
                    many.len(),
                    lines.join(", ")
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_text_around_one_version() {
        let re = regex_for("release = \"{version}\"");
        let text = "# conf.py (x.y)\nversion = \"1.2\"\nrelease = \"1.2.0rc1\"\nrelease_date = \"2020\"\n";
        let Values::Found(f) = read("docs/conf.py", text, &re, "p").unwrap() else { panic!() };
        assert_eq!(&text[f[0].span.clone()], "1.2.0rc1");
        let re = regex_for("image: app:{version}");
        let Values::Found(f) = read("c.yml", "image: app:v1.0.0-rc.1\n", &re, "p").unwrap() else { panic!() };
        assert_eq!(f[0].span, 11..22);
        // Regex metacharacters in the pattern are literal.
        let re = regex_for("v({version})*");
        assert!(read("x", "v(1.0.0)*", &re, "p").is_ok());
        assert!(read("x", "v(1.0.0)", &re, "p").is_err());
    }

    #[test]
    fn zero_or_many_matches_are_errors() {
        let re = regex_for("release = \"{version}\"");
        assert!(read("f", "nothing here", &re, "`p`").unwrap_err().message.contains("matches nothing"));
        let err = read("f", "release = \"1.0.0\"\n\nrelease = \"1.0.0\"\n", &re, "`p`").unwrap_err();
        assert!(err.line == 3 && err.message.contains("2 times (lines 1, 3)"), "{err}");
    }
}
