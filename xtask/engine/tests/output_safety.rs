//! What the tool prints is safe to print: file names, commit subjects and messages from a
//! hostile repository never start a GitHub Actions workflow command (only the tool's own
//! `::error` annotations do) and never reach the terminal as control characters, while the JSON
//! carries the real names. `-v` shows every external command; `-q` leaves only errors and
//! findings.

mod support;

use std::collections::BTreeSet;

use support::{Run, TestRepo, findings};

/// File names that try to inject workflow commands or drive a terminal.
const NEWLINE: &str = "docs/evil\n::warning file=x::INJECTED.md";
const CR: &str = "docs/cr\r::warning::CR.md";
const COLON: &str = "::warning file=z::ROOT.py";
const ESCAPES: &str = "docs/esc\x1b]0;owned\x07\x1b[2J.md";
const LEGACY: &str = "docs/legacy##[warning]V1.md";
const SPACES: &str = "docs/  ::notice::SPACES.md";
const FOLDER: &str = "evil\n::warning::DIR";

fn hostile() -> TestRepo {
    let repo = TestRepo::new();
    let dots = ".".repeat(3);
    repo.write("VERSION", "0.1.0\n");
    repo.write("docs/README.md", "# Docs\n\n[broken](a%0A::warning::LINK.md)\n");
    repo.write(NEWLINE, "caf\u{e9}\n");
    repo.write(CR, "\u{2014}\n");
    repo.write(COLON, format!("def f():\n    {dots}\n"));
    repo.write(ESCAPES, "It\u{2019}s\n");
    repo.write(LEGACY, "\u{2019}\n");
    repo.write(SPACES, "\u{2019}\n");
    repo.commit_all("feat: first");
    repo.tag("v0.1.0");
    repo.write(&format!("{FOLDER}/package.json"), "{\n  \"name\": \"x\",\n  \"version\": \"0.2.0\"\n}\n");
    repo.write("docs/more.md", "ok\n");
    repo.commit_all("fix: ::warning::SUBJECT and x##[error]V1 \x1b[2J");
    repo
}

/// Every line as the Actions runner reads it (it breaks lines at CR as well as LF).
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split(['\n', '\r'])
}

/// The runner's unescaping of a property value.
fn unescape_property(s: &str) -> String {
    s.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
}

/// Assert that no line of the run starts a workflow command except a well-formed `::error`
/// annotation of the tool, that nothing else carries the legacy `##[` prefix, and that no
/// control character reaches the output. Gives the `file` of each annotation.
#[track_caller]
fn assert_safe(run: &Run, known: &BTreeSet<String>) -> Vec<String> {
    let mut files = Vec::new();
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let bad = text.chars().find(|&c| c.is_control() && c != '\n' && c != '\t');
        assert!(bad.is_none(), "{stream} holds the control character {bad:?}\n{run}");
        for line in lines(text) {
            // The runner trims leading white space before it looks for `::`.
            let trimmed = line.trim_start();
            if !trimmed.starts_with("::") {
                assert!(!line.contains("##["), "{stream}: a legacy workflow command: {line:?}\n{run}");
                continue;
            }
            let rest = trimmed.strip_prefix("::error ").unwrap_or_else(|| panic!("{stream}: {line:?}\n{run}"));
            let (props, _data) = rest.split_once("::").unwrap_or_else(|| panic!("{stream}: {line:?}\n{run}"));
            let mut title = None;
            for prop in props.split(',') {
                let (key, value) = prop.split_once('=').unwrap_or_else(|| panic!("{stream}: {line:?}"));
                match key {
                    "file" => files.push(unescape_property(value)),
                    "title" => title = Some(unescape_property(value)),
                    "line" | "col" => assert!(value.parse::<u64>().is_ok(), "{line:?}"),
                    other => panic!("{stream}: unexpected property {other} in {line:?}"),
                }
            }
            assert!(title.is_some(), "{stream}: {line:?}");
        }
    }
    // A name with control characters other than line breaks is annotated with them escaped.
    let escaped = "docs/esc\\u{1b}]0;owned\\u{7}\\u{1b}[2J.md";
    for file in &files {
        assert!(
            known.contains(file) || file == escaped,
            "an annotation names {file:?}, which is not a file of the repository\n{run}"
        );
    }
    files
}

#[test]
fn hostile_names_never_start_a_workflow_command() {
    let repo = hostile();
    let known: BTreeSet<String> = repo.git(&["ls-files", "-z"]).split('\0').map(str::to_string).collect();
    assert!(known.contains(NEWLINE) && known.contains(&format!("{FOLDER}/package.json")), "{known:?}");
    let commands: &[&[&str]] = &[
        &["quality-check"],
        &["quality-check", "--list"],
        &["version", "--check"],
        &["version"],
        &["changelog"],
        &["release", "patch", "--dry-run", "--no-verify"],
        &["bundle", "--out", "dist"],
        &["rollback", "--dry-run"],
    ];
    let mut annotated = BTreeSet::new();
    for args in commands {
        for github in [false, true] {
            for json in [false, true] {
                let mut all = Vec::new();
                if json {
                    all.push("--json");
                }
                all.extend_from_slice(args);
                let run = repo.xtask_with(&all, |cmd| {
                    if github {
                        cmd.env("GITHUB_ACTIONS", "true");
                    }
                });
                let files = assert_safe(&run, &known);
                if !github {
                    assert!(files.is_empty(), "annotations without GITHUB_ACTIONS\n{run}");
                }
                annotated.extend(files);
                if json {
                    // One JSON document on stdout, whatever happened.
                    run.json();
                }
            }
        }
    }
    // The annotations name the real files (GitHub places them on the diff by that name).
    for name in [NEWLINE, CR, COLON, LEGACY, SPACES, "docs/README.md", &format!("{FOLDER}/package.json")] {
        assert!(annotated.contains(name), "no annotation for {name:?}: {annotated:?}");
    }
}

#[test]
fn findings_keep_to_one_line_and_json_carries_the_real_names() {
    let repo = hostile();
    let run = repo.xtask(&["quality-check", "--only", "ascii,ellipsis,links"]);
    run.code(1);
    // One line per finding, the name escaped on it.
    assert!(run.stdout.contains("docs/evil\\n::warning file=x::INJECTED.md:1:4: ascii: "), "{run}");
    assert!(run.stdout.contains("docs/cr\\r::warning::CR.md:1:1: ascii: "), "{run}");
    assert!(run.stdout.contains("docs/esc\\u{1b}]0;owned\\u{7}\\u{1b}[2J.md:1:3: ascii: "), "{run}");
    assert!(run.stdout.contains("\\::warning file=z::ROOT.py:2:5: ellipsis: "), "{run}");
    assert!(run.stdout.contains("docs/legacy##\\[warning]V1.md:1:1: ascii: "), "{run}");
    assert!(
        run.stdout.contains(
            "docs/README.md:3:1: links: broken link \"a%0A::warning::LINK.md\": docs/a\\n::warning::LINK.md does not exist"
        ),
        "{run}"
    );
    let run = repo.xtask(&["--json", "quality-check", "--only", "ascii,ellipsis"]);
    let found = findings(&run.json());
    let paths: BTreeSet<&str> = found.iter().map(|f| f.1.as_str()).collect();
    for name in [NEWLINE, CR, COLON, ESCAPES, LEGACY, SPACES] {
        assert!(paths.contains(name), "{name:?} not in {paths:?}");
    }
}

/// A small project with a Python package, its tests, and a bundle built by a command.
fn project() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("backend/pyproject.toml", "[project]\nname = \"pkg\"\nversion = \"0.1.0\"\n");
    repo.write("backend/pkg/__init__.py", "X = 1\n");
    repo.write("backend/tests/test_x.py", "def test_x():\n    assert True\n");
    repo.write("docs/README.md", "# Docs\n");
    repo.write(
        "xtask.toml",
        "[[bundle]]\nname = \"web.zip\"\ncwd = \"web\"\nbuild = [[\"python3\", \"-c\", \"open('out.txt', 'w').write('x')\"]]\ninclude = [\"out.txt\"]\n",
    );
    repo.write("web/.gitignore", "out.txt\n");
    repo.write(".gitignore", "dist/\n");
    repo.commit_all("feat: first");
    repo.tag("v0.1.0");
    repo.write("backend/pkg/__init__.py", "X = 2\n");
    repo.commit_all("fix: second");
    repo
}

/// The lines of `-v` that show an external command: `FOLDER$ COMMAND`.
fn traced(run: &Run) -> Vec<&str> {
    run.stderr.lines().filter(|l| l.contains("$ ")).collect()
}

#[test]
fn verbose_prints_every_external_command_relative_to_the_root() {
    let repo = project();
    let root = repo.root().to_string_lossy().into_owned();
    let run = repo.xtask(&["-v", "quality-check"]);
    run.code(0);
    let lines = traced(&run);
    for want in [
        "$ git rev-parse --is-inside-work-tree --absolute-git-dir --show-prefix",
        "backend$ python3 -m pytest -q",
        "$ python3 -I -B -c \"(compile each path read from stdin)\"",
    ] {
        assert!(lines.contains(&want), "no {want:?} in\n{run}");
    }
    assert!(lines.iter().any(|l| l.starts_with("$ git ls-files")), "{run}");
    assert!(lines.iter().all(|l| !l.contains(&root)), "absolute paths in\n{run}");
    // Without -v, none of it.
    assert!(traced(&repo.xtask(&["quality-check"])).is_empty());

    let run = repo.xtask(&["-v", "changelog"]);
    run.code(0);
    assert!(traced(&run).iter().any(|l| l.starts_with("$ git -c log.showSignature=false log -z ")), "{run}");

    let run = repo.xtask(&["-v", "bundle", "--only", "web.zip"]);
    run.code(0);
    let lines = traced(&run);
    assert!(lines.contains(&"web$ python3 -c \"open('out.txt', 'w').write('x')\""), "{run}");
    assert!(lines.iter().all(|l| !l.contains(&root)), "absolute paths in\n{run}");
}

#[test]
fn quiet_prints_only_errors_findings_and_what_was_asked_for() {
    let repo = project();
    let quiet = |args: &[&str]| {
        let mut all = vec!["-q"];
        all.extend_from_slice(args);
        repo.xtask(&all)
    };
    let silent = |run: &Run| assert!(run.stdout.is_empty() && run.stderr.is_empty(), "not quiet\n{run}");
    silent(quiet(&["quality-check"]).code(0));
    silent(quiet(&["bundle", "--only", "web.zip"]).code(0));
    silent(quiet(&["bundle", "--verify", "dist"]).code(0));
    let run = quiet(&["version"]);
    assert_eq!(run.code(0).stdout, "0.1.0\n");
    assert!(run.stderr.is_empty(), "{run}");
    let run = quiet(&["changelog"]);
    assert!(run.code(0).stdout.contains("second"), "{run}");
    assert!(run.stderr.is_empty(), "{run}");
    let run = quiet(&["release", "patch", "--dry-run", "--no-verify"]);
    assert!(run.code(0).stdout.contains("chore(release): v0.1.1"), "the plan is what --dry-run asks for\n{run}");
    assert!(run.stderr.lines().all(|l| l.starts_with("warning: ")), "{run}");
    let run = quiet(&["release", "patch", "--no-verify"]);
    run.code(0);
    assert!(run.stdout.is_empty(), "{run}");
    assert!(run.stderr.lines().all(|l| l.starts_with("warning: ")), "{run}");
    silent(quiet(&["rollback", "--undo"]).code(0));
    // Findings and errors stay.
    repo.write("docs/README.md", "caf\u{e9}\n");
    let run = quiet(&["quality-check", "--only", "ascii"]);
    run.code(1);
    assert_eq!(run.stdout.lines().count(), 1, "{run}");
    assert!(run.stdout.starts_with("docs/README.md:1:4: ascii: "), "{run}");
    assert!(run.stderr.is_empty(), "{run}");
    let run = quiet(&["release", "nope"]);
    run.code(2);
    assert!(run.stdout.is_empty() && run.stderr.starts_with("error: "), "{run}");
}
