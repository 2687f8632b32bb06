//! Gate results as a table, JSON, GitHub annotations and a job summary.
//!
//! Everything here is a pure function of the results, so the exact text of every output form is
//! unit-tested; `gates::run` decides where each goes.

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use crate::output::safe;

/// One problem at one place. `line` and `column` are 1-based; `column` counts characters.
/// A finding about a whole file has line 0 and column 0 (printed without them).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// Root-relative, forward slashes.
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Finding {
    pub fn new(path: impl Into<String>, line: usize, column: usize, message: impl Into<String>) -> Finding {
        Finding { path: path.into(), line, column, message: message.into() }
    }

    /// `path:line:col: message` (the form editors and `bench.py verify` read).
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (0, _) => self.path.clone(),
            (l, 0) => format!("{}:{l}", self.path),
            (l, c) => format!("{}:{l}:{c}", self.path),
        }
    }
}

/// How a gate ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// It ran and found nothing.
    Passed,
    /// It ran and found something (exit 1).
    Failed,
    /// It did not run: `--skip`, or nothing to check. Not a failure.
    Skipped,
    /// It could not run: a missing interpreter or program, a bad path (exit 2 unless another
    /// gate failed).
    Error,
    /// It did not run: it passed before on exactly these inputs (the gate cache). A pass.
    Cached,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Error => "error",
            Status::Cached => "cached",
        }
    }
}

/// What `--fix` changed in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fixed {
    pub path: String,
    /// How many characters were replaced.
    pub count: usize,
    /// e.g. `2 x U+2019 -> ', 1 x U+2014 -> --`.
    pub summary: String,
}

/// The outcome of one gate.
#[derive(Debug, Clone, Serialize)]
pub struct GateResult {
    pub name: String,
    pub status: Status,
    #[serde(rename = "duration_ms", serialize_with = "millis")]
    pub duration: Duration,
    pub findings: Vec<Finding>,
    /// Why the gate was skipped or could not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What `--fix` changed (ascii).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<Fixed>,
    /// When the run whose pass a `cached` gate reports finished (UTC, `2026-12-01T23:40:12Z`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passed_at: Option<String>,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

impl GateResult {
    /// A gate that ran: failed when it has findings, passed otherwise. Findings are sorted.
    pub fn ran(name: &str, mut findings: Vec<Finding>, duration: Duration) -> GateResult {
        findings.sort();
        findings.dedup();
        let status = if findings.is_empty() { Status::Passed } else { Status::Failed };
        GateResult {
            name: name.to_string(),
            status,
            duration,
            findings,
            note: None,
            fixed: Vec::new(),
            passed_at: None,
        }
    }

    pub fn skipped(name: &str, why: impl Into<String>) -> GateResult {
        GateResult {
            name: name.to_string(),
            status: Status::Skipped,
            duration: Duration::ZERO,
            findings: Vec::new(),
            note: Some(why.into()),
            fixed: Vec::new(),
            passed_at: None,
        }
    }

    pub fn error(name: &str, why: impl Into<String>, duration: Duration) -> GateResult {
        GateResult {
            name: name.to_string(),
            status: Status::Error,
            duration,
            findings: Vec::new(),
            note: Some(why.into()),
            fixed: Vec::new(),
            passed_at: None,
        }
    }

    /// A gate the gate cache answers for: it passed at `passed_at` (its run took `took`).
    pub fn cached(name: &str, passed_at: String, took: Duration) -> GateResult {
        GateResult {
            name: name.to_string(),
            status: Status::Cached,
            duration: Duration::ZERO,
            findings: Vec::new(),
            note: Some(format!("passed at {passed_at} in {}", seconds(took))),
            fixed: Vec::new(),
            passed_at: Some(passed_at),
        }
    }
}

/// Whether every gate passed (or was skipped, or passed before on the same inputs).
pub fn all_ok(results: &[GateResult]) -> bool {
    results.iter().all(|r| matches!(r.status, Status::Passed | Status::Skipped | Status::Cached))
}

/// The `--json` document.
pub fn json(results: &[GateResult]) -> serde_json::Value {
    serde_json::json!({ "ok": all_ok(results), "gates": results })
}

/// Every finding as `path:line:col: gate: message` (continuation lines of a multi-line message,
/// such as a failed command's output, indented by four spaces), then what `--fix` changed and
/// why gates could not run. Paths and first lines are [`safe`]: a file name holding a line
/// break stays on its finding's line.
pub fn findings_text(results: &[GateResult]) -> String {
    let mut out = String::new();
    for r in results {
        for f in &r.findings {
            let loc = safe(&f.location()).into_owned();
            let mut lines = f.message.lines();
            let first = safe(lines.next().unwrap_or(""));
            if loc.is_empty() {
                let _ = writeln!(out, "{}: {first}", r.name);
            } else {
                let _ = writeln!(out, "{loc}: {}: {first}", r.name);
            }
            for line in lines {
                let _ = writeln!(out, "    {line}");
            }
        }
        for fix in &r.fixed {
            let (path, count) = (safe(&fix.path), plural(fix.count, "character"));
            let _ = writeln!(out, "{path}: {}: fixed {count} ({})", r.name, fix.summary);
        }
        if r.status == Status::Error
            && let Some(note) = &r.note
        {
            let _ = writeln!(out, "{}: error: {note}", r.name);
        }
    }
    out
}

/// The table: gate, status, findings, duration.
pub fn table(results: &[GateResult], paint: &dyn Fn(Status, &str) -> String) -> String {
    let width = results.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    let mut out = String::new();
    let _ = writeln!(out, "{:<width$}  {:<7}  {:>8}  {:>9}", "gate", "status", "findings", "duration");
    for r in results {
        let status = format!("{:<7}", r.status.as_str());
        let _ = write!(
            out,
            "{:<width$}  {}  {:>8}  {:>9}",
            r.name,
            paint(r.status, &status),
            r.findings.len(),
            seconds(r.duration)
        );
        // An error's note is printed under the findings; a gate that ran may say what it checked.
        if let Some(note) = r.note.as_ref().filter(|_| r.status != Status::Error) {
            let _ = write!(out, "  ({note})");
        }
        out.push('\n');
    }
    out
}

/// `0.04s`, `12.3s`.
pub fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 10.0 { format!("{s:.2}s") } else { format!("{s:.1}s") }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

/// One GitHub Actions workflow command per finding (and per gate that could not run).
pub fn annotations(results: &[GateResult]) -> String {
    let mut out = String::new();
    for r in results {
        for f in &r.findings {
            let _ = writeln!(out, "{}", annotation(&r.name, f));
        }
        if r.status == Status::Error {
            let note = r.note.as_deref().unwrap_or("the gate could not run");
            let _ = writeln!(out, "{}", annotation(&r.name, &Finding::new("", 0, 0, note)));
        }
    }
    out
}

/// One GitHub Actions `::error` workflow command for `finding`, titled `title`: `file`, `line`
/// and `col` only when known (values escaped as the runner expects).
pub fn annotation(title: &str, finding: &Finding) -> String {
    let mut props = Vec::new();
    if !finding.path.is_empty() {
        props.push(format!("file={}", escape_property(&finding.path)));
    }
    if finding.line > 0 {
        props.push(format!("line={}", finding.line));
        if finding.column > 0 {
            props.push(format!("col={}", finding.column));
        }
    }
    props.push(format!("title={}", escape_property(title)));
    format!("::error {}::{}", props.join(","), escape_data(&finding.message))
}

/// A workflow command's message: `%`, CR and LF escaped as the runner expects; the other
/// control characters (an escape sequence in a file name) as [`crate::output::safe`] does.
pub fn escape_data(s: &str) -> String {
    crate::output::safe_lines(s).replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A workflow command's property value: as data, plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// At most this many findings per gate go into the job summary (GitHub caps it at 1 MiB).
const SUMMARY_FINDINGS: usize = 50;

/// The Markdown appended to `GITHUB_STEP_SUMMARY`.
pub fn step_summary(results: &[GateResult]) -> String {
    let mut out = String::new();
    let verdict = if all_ok(results) { "passed" } else { "failed" };
    let _ = writeln!(out, "## quality-check: {verdict}\n");
    let _ = writeln!(out, "| gate | status | findings | duration |\n| --- | --- | ---: | ---: |");
    for r in results {
        // Why a gate did not run (skipped, cached) is part of its status.
        let status = match r.note.as_ref().filter(|_| matches!(r.status, Status::Skipped | Status::Cached)) {
            Some(note) => format!("{} ({})", r.status.as_str(), md_cell(note)),
            None => r.status.as_str().to_string(),
        };
        let _ = writeln!(out, "| {} | {status} | {} | {} |", md_cell(&r.name), r.findings.len(), seconds(r.duration));
    }
    out.push('\n');
    for r in results.iter().filter(|r| !r.findings.is_empty() || r.status == Status::Error) {
        let mut body = String::new();
        for f in r.findings.iter().take(SUMMARY_FINDINGS) {
            let loc = safe(&f.location()).into_owned();
            let _ = writeln!(body, "{}{}{}", loc, if loc.is_empty() { "" } else { ": " }, f.message);
        }
        if r.findings.len() > SUMMARY_FINDINGS {
            let _ = writeln!(body, "(and {} more)", r.findings.len() - SUMMARY_FINDINGS);
        }
        if let Some(note) = r.note.as_ref().filter(|_| r.status == Status::Error) {
            let _ = writeln!(body, "error: {note}");
        }
        let fence = "`".repeat(longest_run(&body, '`').max(2) + 1);
        let _ = writeln!(
            out,
            "<details><summary>{}: {}</summary>\n\n{fence}text\n{body}{fence}\n\n</details>\n",
            md_cell(&r.name),
            if r.status == Status::Error { "could not run".to_string() } else { plural(r.findings.len(), "finding") }
        );
    }
    out
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('<', "&lt;")
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for ch in s.chars() {
        if ch == c {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results() -> Vec<GateResult> {
        vec![
            GateResult::ran(
                "ascii",
                vec![
                    Finding::new("docs/b.md", 2, 1, "non-ASCII character U+00E9"),
                    Finding::new("docs/a,b:c.md", 10, 7, "100% wrong\nsecond line"),
                ],
                Duration::from_millis(41),
            ),
            GateResult::ran("tests", vec![Finding::new("", 0, 0, "`pytest` failed\nE assert 1 == 2")], Duration::ZERO),
            GateResult::error("compile", "python3 not found", Duration::ZERO),
            GateResult::skipped("links", "--skip"),
        ]
    }

    #[test]
    fn findings_are_sorted_and_printed_with_gate_names() {
        let text = findings_text(&results());
        assert_eq!(
            text,
            "docs/a,b:c.md:10:7: ascii: 100% wrong\n    second line\ndocs/b.md:2:1: ascii: non-ASCII character U+00E9\n\
             tests: `pytest` failed\n    E assert 1 == 2\ncompile: error: python3 not found\n"
        );
    }

    #[test]
    fn annotations_escape_data_and_properties() {
        let text = annotations(&results());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "::error file=docs/a%2Cb%3Ac.md,line=10,col=7,title=ascii::100%25 wrong%0Asecond line");
        assert_eq!(lines[1], "::error file=docs/b.md,line=2,col=1,title=ascii::non-ASCII character U+00E9");
        assert_eq!(lines[2], "::error title=tests::`pytest` failed%0AE assert 1 == 2");
        assert_eq!(lines[3], "::error title=compile::python3 not found");
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn json_shape() {
        let doc = json(&results());
        assert_eq!(doc["ok"], false);
        let gate = &doc["gates"][0];
        assert_eq!(gate["name"], "ascii");
        assert_eq!(gate["status"], "failed");
        assert_eq!(gate["duration_ms"], 41);
        assert_eq!(gate["findings"][0]["path"], "docs/a,b:c.md");
        assert_eq!(gate["findings"][0]["line"], 10);
        assert_eq!(gate["findings"][0]["column"], 7);
        assert!(gate.get("note").is_none());
        assert_eq!(doc["gates"][2]["status"], "error");
        assert_eq!(doc["gates"][3]["status"], "skipped");
        assert!(json(&[GateResult::ran("x", vec![], Duration::ZERO)])["ok"].as_bool().unwrap());
    }

    #[test]
    fn table_and_summary() {
        let table = table(&results(), &|_, s| s.to_string());
        assert!(table.starts_with("gate     status   findings   duration\n"), "{table}");
        assert!(table.contains("ascii    failed          2      0.04s\n"), "{table}");
        assert!(table.contains("links    skipped         0      0.00s  (--skip)\n"), "{table}");
        let md = step_summary(&results());
        assert!(md.starts_with("## quality-check: failed\n"), "{md}");
        assert!(md.contains("| ascii | failed | 2 | 0.04s |"), "{md}");
        assert!(md.contains("<details><summary>compile: could not run</summary>"), "{md}");
        // The command output holds a backtick; the fence is longer than any run in it.
        assert!(md.contains("```text\n`pytest` failed\nE assert 1 == 2\n```\n"), "{md}");
    }
}
