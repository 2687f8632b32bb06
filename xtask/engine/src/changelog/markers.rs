//! jupyter-releaser's changelog markers: the newest release sits between
//! `<!-- <START NEW CHANGELOG ENTRY> -->` and `<!-- <END NEW CHANGELOG ENTRY> -->`, and a new
//! release goes right after the START marker while the END marker moves up to close it (what
//! that tool does, so a project can switch between the two tools).

pub const START: &str = "<!-- <START NEW CHANGELOG ENTRY> -->";
pub const END: &str = "<!-- <END NEW CHANGELOG ENTRY> -->";

/// `changelog` with `section` (ending in one newline, `\n` line endings) right after the START
/// marker and the END marker after it, the old END marker line removed; `None` when the file
/// has no START marker line outside code blocks. `eol` is the file's line ending.
pub fn insert_between(changelog: &str, section: &str, eol: &str) -> Option<String> {
    let lines = marker_lines(changelog);
    let start = lines.iter().find(|l| l.is_start)?;
    let end = lines.iter().find(|l| !l.is_start && l.begin > start.begin);
    let mut out = String::with_capacity(changelog.len() + section.len() + END.len() + 8);
    out.push_str(&changelog[..start.end]);
    if !out.ends_with('\n') {
        out.push_str(eol);
    }
    out.push_str(eol);
    out.push_str(&section.replace('\n', eol));
    out.push_str(eol);
    out.push_str(END);
    out.push_str(eol);
    // What followed the START marker, without the old END marker's line; when that line sat
    // between two blank lines, one of them goes with it.
    let rest = match end {
        None => changelog[start.end..].to_string(),
        Some(end) => {
            let (before, after) = (&changelog[start.end..end.begin], &changelog[end.end..]);
            let blank_before = before.ends_with("\n\n") || before.ends_with("\n\r\n");
            let after = match after.strip_prefix("\r\n").or_else(|| after.strip_prefix('\n')) {
                Some(stripped) if blank_before => stripped,
                _ => after,
            };
            format!("{before}{after}")
        }
    };
    // The previous release follows after a blank line.
    if !rest.is_empty() && !rest.starts_with(['\n', '\r']) {
        out.push_str(eol);
    }
    out.push_str(&rest);
    Some(out)
}

/// A marker alone on its line, outside fenced code blocks.
struct MarkerLine {
    is_start: bool,
    begin: usize,
    end: usize,
}

fn marker_lines(text: &str) -> Vec<MarkerLine> {
    let mut found = Vec::new();
    let mut begin = 0;
    let mut fenced = false;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim();
        if line.starts_with("```") || line.starts_with("~~~") {
            fenced = !fenced;
        } else if !fenced && (line == START || line == END) {
            found.push(MarkerLine { is_start: line == START, begin, end: begin + raw.len() });
        }
        begin += raw.len();
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const JUPYTER: &str = include_str!("../../tests/fixtures/changelog/jupyter-markers.md");

    #[test]
    fn the_new_section_goes_after_start_and_the_markers_move_with_it() {
        let out = insert_between(JUPYTER, "## 0.55.0\n\n- New things\n", "\n").unwrap();
        assert_eq!(
            out,
            "\
# Changelog

<!-- <START NEW CHANGELOG ENTRY> -->

## 0.55.0

- New things

<!-- <END NEW CHANGELOG ENTRY> -->

## 0.54.0

- Old things (#12)

## 0.53.0

- Older things
"
        );
        assert_eq!(out.matches(START).count(), 1);
        assert_eq!(out.matches(END).count(), 1);
    }

    #[test]
    fn crlf_a_missing_end_marker_and_markers_in_code_blocks() {
        let crlf = JUPYTER.replace('\n', "\r\n");
        let out = insert_between(&crlf, "## 0.55.0\n\n- New\n", "\r\n").unwrap();
        assert_eq!(out, insert_between(JUPYTER, "## 0.55.0\n\n- New\n", "\n").unwrap().replace('\n', "\r\n"));

        let only_start = "# Changelog\n\n<!-- <START NEW CHANGELOG ENTRY> -->\n\n## 0.1.0\n";
        let out = insert_between(only_start, "## 0.2.0\n\n- New\n", "\n").unwrap();
        assert_eq!(
            out,
            "# Changelog\n\n<!-- <START NEW CHANGELOG ENTRY> -->\n\n## 0.2.0\n\n- New\n\n<!-- <END NEW CHANGELOG ENTRY> -->\n\n## 0.1.0\n"
        );

        let fenced = "# Changelog\n\n```\n<!-- <START NEW CHANGELOG ENTRY> -->\n```\n";
        assert!(insert_between(fenced, "## 0.2.0\n", "\n").is_none());
        assert!(insert_between("# Changelog\n\n## 0.1.0\n", "## 0.2.0\n", "\n").is_none());
    }
}
