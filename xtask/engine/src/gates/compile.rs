//! The `compile` gate: the real Python interpreter byte-compiles every `.py` file, in one
//! process, without writing anything (no `.pyc`, no `__pycache__`): the program below calls
//! `compile()` on each file's source, which only builds the code object in memory.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde::Deserialize;

use super::Outcome;
use crate::report::Finding;

/// Reads NUL-separated paths on stdin; prints one JSON line per file that does not compile.
/// `-I` (isolated: no PYTHON* variables, no user site) and `-B` keep the run hermetic.
const PROGRAM: &str = r#"
import json, sys, warnings
warnings.simplefilter("ignore")
paths = sys.stdin.buffer.read().decode("utf-8", "surrogateescape").split("\0")
for i, path in enumerate(paths):
    if not path:
        continue
    try:
        with open(path, "rb") as f:
            source = f.read()
        compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as e:
        print(json.dumps({"i": i, "line": e.lineno or 0, "col": e.offset or 0, "kind": type(e).__name__, "msg": e.msg}))
    except Exception as e:
        print(json.dumps({"i": i, "line": 0, "col": 0, "kind": type(e).__name__, "msg": str(e)}))
"#;

#[derive(Deserialize)]
struct Failure {
    i: usize,
    line: usize,
    col: usize,
    kind: String,
    msg: String,
}

/// Compile `files` (root-relative) with `python`, from the root.
pub fn run(root: &Path, python: &str, files: &[&str]) -> Outcome {
    crate::output::trace_command(root, root, python, &["-I", "-B", "-c", "(compile each path read from stdin)"]);
    let mut child = match Command::new(python)
        .args(["-I", "-B", "-c", PROGRAM])
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Outcome::Error(format!(
                "the Python interpreter `{python}` was not found on PATH; install Python 3 \
                 (apt-get install python3) or set `python` in [gates.compile] of xtask.toml"
            ));
        }
        Err(e) => return Outcome::Error(format!("cannot run `{python}`: {e}")),
    };
    let list = files.join("\0").into_bytes();
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // Written from a thread, so a long list cannot deadlock against the output pipes.
    let writer = std::thread::spawn(move || stdin.write_all(&list));
    let out = match child.wait_with_output() {
        Ok(out) => out,
        Err(e) => return Outcome::Error(format!("`{python}` did not finish: {e}")),
    };
    let _ = writer.join();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut findings = Vec::new();
    for line in stdout.lines().filter(|l| l.starts_with('{')) {
        let Ok(f) = serde_json::from_str::<Failure>(line) else { continue };
        let Some(path) = files.get(f.i) else { continue };
        findings.push(Finding::new(*path, f.line, f.col, format!("{}: {}", f.kind, f.msg)));
    }
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect();
        return Outcome::Error(format!("`{python}` failed ({}):\n{}", out.status, tail.join("\n")));
    }
    Outcome::Findings(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_with_lines_and_columns_and_nothing_written() {
        let python = crate::detect::python();
        if !crate::detect::which(&python) {
            eprintln!("skipped: no Python interpreter on PATH");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("pkg")).unwrap();
        std::fs::write(dir.path().join("pkg/ok.py"), "x = 1\n").unwrap();
        std::fs::write(dir.path().join("pkg/bad.py"), "x = 1\ndef f(:\n    pass\n").unwrap();
        std::fs::write(dir.path().join("pkg/indent.py"), "if True:\npass\n").unwrap();
        std::fs::write(dir.path().join("pkg/uni.py"), "s = '\u{00E9}\u{00E9}' +\n").unwrap();
        let files = ["pkg/ok.py", "pkg/bad.py", "pkg/indent.py", "pkg/uni.py", "pkg/missing.py"];
        let Outcome::Findings(found) = run(dir.path(), &python, &files) else { panic!("the interpreter ran") };
        let got: Vec<String> =
            found.iter().map(|f| format!("{}:{}:{}: {}", f.path, f.line, f.column, f.message)).collect();
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(got[0].starts_with("pkg/bad.py:2:7: SyntaxError: "), "{got:?}");
        assert!(got[1].starts_with("pkg/indent.py:2:1: IndentationError: "), "{got:?}");
        assert!(got[2].starts_with("pkg/uni.py:1:"), "{got:?}");
        assert!(got[3].starts_with("pkg/missing.py:0:0: FileNotFoundError: "), "{got:?}");
        let mut names: Vec<String> = std::fs::read_dir(dir.path().join("pkg"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["bad.py", "indent.py", "ok.py", "uni.py"]);
    }

    #[test]
    fn a_missing_interpreter_is_an_error_naming_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let Outcome::Error(why) = run(dir.path(), "no-such-python-xyz", &["a.py"]) else { panic!("an error") };
        assert!(why.contains("no-such-python-xyz") && why.contains("apt-get install python3"), "{why}");
    }
}
