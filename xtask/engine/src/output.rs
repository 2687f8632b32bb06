//! Where text goes: human text, progress and warnings on stderr; stdout holds the command's
//! product (a table, notes, or the one JSON document under `--json`).

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

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
    lock: Mutex<()>,
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
        Ui {
            json: args.json,
            color,
            quiet: args.quiet,
            verbose: args.verbose,
            progress: tty && !args.quiet,
            github,
            step_summary,
            lock: Mutex::new(()),
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
            lock: Mutex::new(()),
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
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
    }

    /// Text for the human on stdout (never under `--json`, where it goes to stderr).
    pub fn out(&self, text: impl AsRef<str>) {
        let text = text.as_ref();
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if self.json {
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
        } else {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
    }

    /// The one JSON document of a `--json` run.
    pub fn json_doc(&self, value: &serde_json::Value) {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = std::io::stdout().lock();
        let _ = serde_json::to_writer_pretty(&mut out, value);
        let _ = writeln!(out);
    }

    /// A transient progress line on a terminal (overwritten by the next one).
    pub fn progress(&self, msg: impl AsRef<str>) {
        if self.progress {
            let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{}", msg.as_ref());
            let _ = err.flush();
        }
    }

    /// Clear the progress line.
    pub fn progress_done(&self) {
        if self.progress {
            let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
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
