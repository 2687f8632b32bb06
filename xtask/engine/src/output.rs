//! Where text goes: human text, progress and warnings on stderr; stdout holds the command's
//! product (a table, notes, or the one JSON document under `--json`).
//!
//! Everything printed passes one gate ([`defuse`]): text from outside (a file name, a commit
//! subject, a command's output) can neither start a GitHub Actions workflow command nor drive
//! the terminal. Only [`Ui::annotations`] prints workflow commands, and only the tool's own.

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cli::{ColorChoice, GlobalArgs};

/// The output settings of one run, decided once from the flags and the environment.
#[derive(Debug)]
pub struct Ui {
    pub json: bool,
    pub color: bool,
    pub quiet: bool,
    pub verbose: bool,
    /// stderr is a terminal: live progress may be drawn.
    pub progress: bool,
    /// `GITHUB_ACTIONS=true`: findings also become workflow commands.
    pub github: bool,
    /// The file named by `GITHUB_STEP_SUMMARY`, when set.
    pub step_summary: Option<std::path::PathBuf>,
}

/// One line at a time on stdout and stderr, so parallel gates do not interleave.
static LOCK: Mutex<()> = Mutex::new(());

/// `-v`: every external command is printed ([`trace_command`]).
static TRACE: AtomicBool = AtomicBool::new(false);

fn lock() -> std::sync::MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

impl Ui {
    pub fn from_args(args: &GlobalArgs) -> Ui {
        let tty = std::io::stderr().is_terminal();
        let color = match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && tty,
        };
        let github = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
        let step_summary = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()).map(Into::into);
        TRACE.store(args.verbose, Ordering::Relaxed);
        Ui {
            json: args.json,
            color,
            quiet: args.quiet,
            verbose: args.verbose,
            progress: tty && !args.quiet,
            github,
            step_summary,
        }
    }

    /// A quiet, colourless Ui for tests and library callers.
    pub fn plain() -> Ui {
        Ui {
            json: false,
            color: false,
            quiet: true,
            verbose: false,
            progress: false,
            github: false,
            step_summary: None,
        }
    }

    /// A line of human information on stderr (suppressed by `-q`).
    pub fn info(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            self.err_line(msg.as_ref());
        }
    }

    /// A line shown only with `-v`.
    pub fn debug(&self, msg: impl AsRef<str>) {
        if self.verbose {
            self.err_line(&self.paint(Style::Dim, msg.as_ref()));
        }
    }

    /// A warning on stderr, always shown.
    pub fn warn(&self, msg: impl AsRef<str>) {
        let label = self.paint(Style::Yellow, "warning:");
        self.err_line(&format!("{label} {}", msg.as_ref()));
    }

    /// A whole line on stderr, written at once so parallel gates do not interleave.
    pub fn err_line(&self, line: &str) {
        stderr_line(line);
    }

    /// Text for the human on stdout (never under `--json`, where it goes to stderr).
    pub fn out(&self, text: impl AsRef<str>) {
        let text = defuse(text.as_ref());
        let _guard = lock();
        if self.json {
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
        } else {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
    }

    /// What a command did, for the human (on stdout like [`Ui::out`]); left out by `-q`, which
    /// keeps only errors, warnings, findings and what was asked for (notes, a plan, a version).
    pub fn summary(&self, text: impl AsRef<str>) {
        if !self.quiet {
            self.out(text);
        }
    }

    /// The tool's own GitHub Actions workflow commands (built by `report::annotation`, which
    /// escapes what they carry), one per line: stdout, or stderr when `--json` owns stdout.
    /// The only way a line that starts a workflow command is printed.
    pub fn annotations(&self, text: &str) {
        debug_assert!(text.lines().all(|l| l.starts_with("::error ")), "not an annotation: {text}");
        let _guard = lock();
        if self.json {
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
        } else {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
    }

    /// The one JSON document of a `--json` run.
    pub fn json_doc(&self, value: &serde_json::Value) {
        let text = serde_json::to_string_pretty(value)
            .unwrap_or_else(|e| format!("{{\"ok\": false, \"error\": {:?}}}", e.to_string()));
        let text = json_safe(&text);
        let _guard = lock();
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
    }

    /// A transient progress line on a terminal (overwritten by the next one).
    pub fn progress(&self, msg: impl AsRef<str>) {
        if self.progress {
            let msg = safe(msg.as_ref());
            let _guard = lock();
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{msg}");
            let _ = err.flush();
        }
    }

    /// Clear the progress line.
    pub fn progress_done(&self) {
        if self.progress {
            let _guard = lock();
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }

    pub fn paint(&self, style: Style, text: &str) -> String {
        if !self.color {
            return text.to_string();
        }
        let code = match style {
            Style::Red => "31",
            Style::Green => "32",
            Style::Yellow => "33",
            Style::Bold => "1",
            Style::Dim => "2",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Style {
    Red,
    Green,
    Yellow,
    Bold,
    Dim,
}

/// A whole line on stderr through [`defuse`], for code that has no [`Ui`] (a `Drop`).
pub fn stderr_line(line: &str) {
    let _guard = lock();
    let _ = writeln!(std::io::stderr().lock(), "{}", defuse(line));
}

/// With `-v`: one line on stderr (what the tool chose, and why).
pub fn trace_line(line: &str) {
    if TRACE.load(Ordering::Relaxed) {
        stderr_line(&safe(line));
    }
}

/// With `-v`: the external command about to run, one line on stderr, as a person would type
/// it in its folder: `$ git status --porcelain`, `backend$ python3 -m pytest -q`. The folder and
/// every argument that is a path inside `root` are shown relative to it.
pub fn trace_command<S: AsRef<std::ffi::OsStr>>(root: &Path, cwd: &Path, program: &str, args: &[S]) {
    if !TRACE.load(Ordering::Relaxed) {
        return;
    }
    let relative = |p: &Path| match p.strip_prefix(root) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".to_string(),
        Ok(rel) => crate::repo::slash_path(rel),
        Err(_) => p.display().to_string(),
    };
    let mut words = vec![program.to_string()];
    for arg in args {
        let arg = Path::new(arg.as_ref());
        words.push(if arg.is_absolute() { relative(arg) } else { arg.to_string_lossy().into_owned() });
    }
    let folder = if cwd == root { String::new() } else { relative(cwd) };
    stderr_line(&safe(&format!("{folder}$ {}", command_line(&words))));
}

/// An argument vector as a person would type it: empty words and words with spaces are quoted.
pub fn command_line<S: AsRef<str>>(words: &[S]) -> String {
    words
        .iter()
        .map(|w| {
            let w = w.as_ref();
            if w.is_empty() || w.contains(char::is_whitespace) { format!("{w:?}") } else { w.to_string() }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A value from outside (a path, a name, a message) made safe to print on one line: control
/// characters (line breaks, carriage returns, tabs, escape sequences) and the invisible
/// characters that reorder or break lines are written as escapes (`\n`, `\r`, `\t`,
/// `\u{1b}`, `\u{202e}`). Everything else, other non-ASCII text included, is kept as it is.
pub fn safe(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) || !s.chars().any(escaped) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_char(&mut out, c);
    }
    Cow::Owned(out)
}

/// [`safe`] for text that keeps its line breaks and tabs (what a workflow command escapes in
/// its own way).
pub fn safe_lines(s: &str) -> Cow<'_, str> {
    let kept = |c: char| matches!(c, '\n' | '\r' | '\t');
    if !s.chars().any(|c| escaped(c) && !kept(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if kept(c) { out.push(c) } else { push_char(&mut out, c) }
    }
    Cow::Owned(out)
}

/// Characters [`safe`] escapes.
fn escaped(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn push_char(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if escaped(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        c => out.push(c),
    }
}

/// The colour codes [`Ui::paint`] writes: the only escape sequences that reach the terminal.
const OWN_SGR: &[&str] = &["\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[32m", "\x1b[33m"];

/// Text about to be printed, line by line: control characters other than the line breaks, tabs
/// and the tool's own colours are escaped as [`safe`] does (CRLF becomes a line break); a line
/// that would start a GitHub Actions workflow command (`::`, after any leading spaces) gets a
/// backslash before it (`\::warning`), and the legacy `##[` prefix, recognised anywhere in a
/// line, is written `##\[`. Text that needs none of this is returned as it is.
pub fn defuse(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut marked = lines_needing_work(bytes).into_iter();
    let Some(first) = marked.next() else { return Cow::Borrowed(text) };
    let mut out = String::with_capacity(text.len() + 16);
    // `done`: the bytes of `text` handled so far; the lines between two marked ones (with their
    // line breaks) are copied as they are.
    let mut done = 0;
    for start in std::iter::once(first).chain(marked) {
        if start < done {
            continue;
        }
        out.push_str(&text[done..start]);
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(text.len(), |i| start + i);
        escape_line(&mut out, &text[start..end]);
        done = end;
    }
    out.push_str(&text[done..]);
    Cow::Owned(out)
}

/// The starts of the lines that need work: a byte outside printable ASCII and tab (a control,
/// a colour, any non-ASCII character, a carriage return), `##[`, or `::` after the leading
/// blanks. Each is found by searches the optimised `memchr` and standard library make (a check
/// of every byte here would not be optimised, in the dev profile `cargo xtask` runs).
fn lines_needing_work(bytes: &[u8]) -> Vec<usize> {
    // Built once: `defuse` runs on every line printed.
    static LEGACY: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"##["));
    static COMMAND: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"::"));
    static CONTROLS: std::sync::LazyLock<crate::bytes::ByteSet> = std::sync::LazyLock::new(|| {
        crate::bytes::ByteSet::new((0..0x20).filter(|b| !matches!(b, b'\t' | b'\n')).chain([0x7f]).collect())
    });
    let line_start = |at: usize| memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
    let next_line = |at: usize| memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i + 1);
    let mut starts = Vec::new();
    let mut controls = CONTROLS.searcher();
    let mut at = 0;
    while let Some(hit) = controls.find(bytes, at) {
        starts.push(line_start(hit));
        at = next_line(hit);
    }
    at = 0;
    while let Some(hit) = crate::bytes::next_non_ascii(bytes, at) {
        starts.push(line_start(hit));
        at = next_line(hit);
    }
    starts.extend(LEGACY.find_iter(bytes).map(line_start));
    for hit in COMMAND.find_iter(bytes) {
        let start = line_start(hit);
        if bytes[start..hit].iter().all(|b| matches!(b, b' ' | b'\t')) {
            starts.push(start);
        }
    }
    starts.sort_unstable();
    starts.dedup();
    starts
}

/// One line of [`defuse`] that needs work, escaped onto `out`.
fn escape_line(out: &mut String, line: &str) {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut escaped_line = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if c == '\x1b'
            && let Some(code) = OWN_SGR.iter().find(|code| rest.starts_with(**code))
        {
            escaped_line.push_str(code);
            rest = &rest[code.len()..];
            continue;
        }
        if c == '\t' {
            escaped_line.push(c)
        } else {
            push_char(&mut escaped_line, c)
        }
        rest = &rest[c.len_utf8()..];
    }
    let lead = escaped_line.len() - escaped_line.trim_start().len();
    if escaped_line[lead..].starts_with("::") {
        escaped_line.insert(lead, '\\');
    }
    out.push_str(&escaped_line.replace("##[", "##\\["));
}

/// A serialised JSON document made as safe as [`defuse`] makes text, without changing what it
/// means: `##[` and the characters JSON leaves raw (DEL, the C1 controls, the invisible line and
/// direction marks) are written as `\u` escapes. They can only occur inside strings, where the
/// escape is the same character.
pub fn json_safe(text: &str) -> Cow<'_, str> {
    if text.is_ascii() && !text.contains("##[") && !text.contains('\x7f') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.replace("##[", "##\\u005b").chars() {
        // Below U+0020 serde_json has escaped everything inside strings; the rest is layout.
        if c >= ' ' && escaped(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_escapes_controls_and_keeps_other_text() {
        assert!(matches!(safe("docs/a b.md"), Cow::Borrowed(_)));
        assert!(matches!(safe("docs/caf\u{e9}.md"), Cow::Borrowed(_)));
        assert_eq!(safe("docs/evil\n::warning file=x::INJECTED.md"), "docs/evil\\n::warning file=x::INJECTED.md");
        assert_eq!(safe("a\rb\tc\x1b[2Jd\x7f\u{9b}e"), "a\\rb\\tc\\u{1b}[2Jd\\u{7f}\\u{9b}e");
        assert_eq!(safe("x\u{202E}y\u{2028}z"), "x\\u{202e}y\\u{2028}z");
        assert_eq!(safe("It\u{2019}s \u{1F680}"), "It\u{2019}s \u{1F680}");
    }

    #[test]
    fn defuse_stops_workflow_commands_and_terminal_escapes() {
        assert!(matches!(defuse("a: b\n    c\td\n"), Cow::Borrowed(_)));
        assert_eq!(defuse("ok\n::warning file=x::INJECTED\n"), "ok\n\\::warning file=x::INJECTED\n");
        assert_eq!(defuse("    ::error::x"), "    \\::error::x");
        assert_eq!(defuse("\u{a0}::set-output name=a::b"), "\u{a0}\\::set-output name=a::b");
        assert_eq!(defuse("path x##[warning]y"), "path x##\\[warning]y");
        // A carriage return starts a line for the runner too; CRLF is a line break.
        assert_eq!(defuse("a\r::warning::x\r\nb"), "a\\r::warning::x\nb");
        assert_eq!(defuse("\x1b[31merror:\x1b[0m \x1b]0;title\x07"), "\x1b[31merror:\x1b[0m \\u{1b}]0;title\\u{7}");
        assert_eq!(defuse("a :: b"), "a :: b");
        // Plain lines around and between the ones escaped are kept as they are.
        assert_eq!(defuse("a\n::x\nb\n\tc ##[y\x07\n\nd\r\ne"), "a\n\\::x\nb\n\tc ##\\[y\\u{7}\n\nd\ne");
    }

    #[test]
    fn json_keeps_its_meaning() {
        let value = serde_json::json!({ "path": "x##[warning]y\u{9b}\u{2028}\n" });
        let text = serde_json::to_string_pretty(&value).unwrap();
        let text = json_safe(&text);
        assert!(!text.contains("##[") && !text.contains('\u{9b}') && !text.contains('\u{2028}'), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn command_lines_quote_what_needs_it() {
        assert_eq!(command_line(&["git", "commit", "-m", "a b", ""]), "git commit -m \"a b\" \"\"");
    }
}
