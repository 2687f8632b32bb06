//! Shared by the differential tests against the ecosystems' own version libraries (Python's
//! `packaging`, npm's `semver`): run a script that reads JSON on stdin and prints JSON, and
//! read the comparisons it prints.
#![allow(dead_code)]

use std::cmp::Ordering;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `tests/NAME` of this crate.
pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(name)
}

/// Run `program script` with `input` on stdin; its stdout as JSON. `setup` says what to
/// install when the program or its library is missing.
pub fn run(program: &str, script: &Path, input: &serde_json::Value, setup: &str) -> serde_json::Value {
    let mut child = Command::new(program)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} does not run ({e}); {setup}"));
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{} failed ({setup}):\n{}", script.display(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The `[a, b, -1 | 0 | 1]` rows a script prints for every ordered pair, as orderings.
pub fn comparisons(rows: &serde_json::Value) -> Vec<(&str, &str, Ordering)> {
    rows.as_array()
        .expect("an array of comparisons")
        .iter()
        .map(|row| {
            let order = match row[2].as_i64().unwrap() {
                -1 => Ordering::Less,
                0 => Ordering::Equal,
                _ => Ordering::Greater,
            };
            (row[0].as_str().unwrap(), row[1].as_str().unwrap(), order)
        })
        .collect()
}
