//! Every command in the fenced `sh` blocks of README.md and docs/adopting.md is run in CI, as
//! written: by `scripts/check-init.sh` (its `doc_cmd` lines) or by `.ci/run`. A command added
//! to the docs without a run fails here, naming the file and line.

use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// (line, command) of every command line in the ```sh blocks of `text`.
fn fenced_commands(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut inside = false;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            inside = !inside && trimmed == "```sh";
            continue;
        }
        if inside && !trimmed.is_empty() && !trimmed.starts_with('#') {
            out.push((i + 1, trimmed.to_string()));
        }
    }
    out
}

/// The command is a `doc_cmd DIR 'COMMAND'` of check-init.sh, or each of its `&&` parts is a
/// line of `.ci/run`.
fn is_run(command: &str, check_init: &str, ci_run: &str) -> bool {
    let quoted = format!("'{command}'");
    let in_script =
        check_init.lines().any(|l| l.trim_start().starts_with("doc_cmd ") && l.trim_end().ends_with(&quoted));
    let in_ci = command.split("&&").all(|part| ci_run.lines().any(|l| l.trim() == part.trim()));
    in_script || in_ci
}

#[test]
fn every_documented_command_is_run_in_ci() {
    let root = workspace_root();
    let read = |rel: &str| std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let check_init = read("scripts/check-init.sh");
    let ci_run = read(".ci/run");
    assert!(ci_run.lines().any(|l| l.trim() == "bash scripts/check-init.sh"), ".ci/run must run check-init.sh");
    let mut missing = Vec::new();
    let mut count = 0;
    for doc in ["README.md", "docs/adopting.md"] {
        for (line, command) in fenced_commands(&read(doc)) {
            count += 1;
            if !is_run(&command, &check_init, &ci_run) {
                missing.push(format!("{doc}:{line}: `{command}`"));
            }
        }
    }
    assert!(count >= 7, "the docs lost their commands ({count})");
    assert!(
        missing.is_empty(),
        "documented but never run in CI (add a doc_cmd line to scripts/check-init.sh):\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_extraction_finds_commands_and_the_check_can_fail() {
    let text = "intro\n```sh\n# a comment\ncargo xtask init\n\n```\n```toml\nx = 1\n```\n```sh\nmake it\n```\n";
    assert_eq!(fenced_commands(text), [(4, "cargo xtask init".to_string()), (11, "make it".to_string())]);
    let script = "doc_cmd \"$adopter\" 'cargo xtask init'\n";
    assert!(is_run("cargo xtask init", script, ""));
    assert!(!is_run("make it", script, "make\n"));
    assert!(is_run("a && b", "", "a\nb\n"));
}
