//! `quality-check` on real repositories: the fixture passes; planted defects are found at their
//! exact positions and nothing else is; JSON, GitHub annotations and the job summary; nothing is
//! left behind in the tree.

mod support;

use std::collections::BTreeSet;

use support::{TestRepo, findings};

fn status<'a>(doc: &'a serde_json::Value, gate: &str) -> &'a str {
    let gates = doc["gates"].as_array().unwrap();
    let g = gates.iter().find(|g| g["name"] == gate).unwrap_or_else(|| panic!("no gate {gate} in {doc:#}"));
    g["status"].as_str().unwrap()
}

fn message<'a>(doc: &'a serde_json::Value, gate: &str, path: &str) -> &'a str {
    let gates = doc["gates"].as_array().unwrap();
    let g = gates.iter().find(|g| g["name"] == gate).unwrap();
    let f = g["findings"].as_array().unwrap().iter().find(|f| f["path"] == path).unwrap();
    f["message"].as_str().unwrap()
}

fn set(items: &[(&str, &str, u64, u64)]) -> BTreeSet<(String, String, u64, u64)> {
    items.iter().map(|(g, p, l, c)| (g.to_string(), p.to_string(), *l, *c)).collect()
}

/// No `__pycache__` or `.pyc` anywhere in the work tree.
fn assert_no_bytecode(repo: &TestRepo) {
    fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if name == "__pycache__" || name.ends_with(".pyc") || name == ".pytest_cache" {
                found.push(e.path().display().to_string());
            }
            if e.file_type().unwrap().is_dir() && name != ".git" && name != "node_modules" {
                walk(&e.path(), found);
            }
        }
    }
    let mut found = Vec::new();
    walk(repo.root(), &mut found);
    assert!(found.is_empty(), "left behind: {found:?}");
}

#[test]
fn the_fixture_passes_every_gate_and_leaves_nothing_behind() {
    let repo = TestRepo::from_fixture("lot-genius");
    let run = repo.xtask(&["quality-check"]);
    run.code(0);
    for gate in ["versions", "ascii", "ellipsis", "compile", "links", "tests"] {
        let row = run.stdout.lines().find(|l| l.starts_with(gate)).unwrap_or_else(|| panic!("no row {gate}\n{run}"));
        assert!(row.contains(" passed "), "{row}\n{run}");
    }
    assert_eq!(repo.git(&["status", "--porcelain", "--ignored"]), "");
    assert_no_bytecode(&repo);
}

/// The fixture with one of every defect, and as many near-misses that must not be findings.
fn planted() -> TestRepo {
    let repo = TestRepo::from_fixture("lot-genius");
    let dots = ".".repeat(3);
    repo.write(
        "xtask.toml",
        "[gates.mypy]\nenabled = false\n\n[gates.ellipsis]\nallow = ['Field\\(\\.\\.\\.\\)']\n\n[[gates.command]]\nname = \"lint\"\n\
         run = [\"python3\", \"-c\", \"print('lint: 1 problem'); raise SystemExit(3)\"]\n",
    );
    repo.write("docs/guide.md", "# Guide\n\nIt\u{2019}s fine.\nUse caf\u{00E9} \u{2014} or \u{1F680}.\n");
    repo.write("docs/bad.md", b"# Bad\nab\xffcd\n");
    repo.write("docs/notes.md", format!("Wait{dots}\n"));
    let readme = repo.read("docs/README.md");
    repo.write("docs/README.md", format!("{readme}- [Missing](missing.md)\n"));
    repo.write(
        "backend/lotgenius/stub.py",
        format!("def todo():\n    {dots}\nx = print({dots})  # allow-ellipsis\ny = Field({dots})\n"),
    );
    repo.write("frontend/spread.js", format!("const a = {{ {dots}b }};\nconst s = \"Loading{dots}\";\n"));
    repo.write("frontend/todo.js", format!("function f() {{\n  // {dots} rest here\n}}\n"));
    repo.write("backend/lotgenius/broken.py", "def f(:\n    pass\n");
    repo.write("backend/.scratch.py", format!("x = {dots}\n"));
    repo.write(".github/workflows/x.yml", format!("# {dots}\n"));
    repo.write("backend/build/gen.py", format!("def (:\n{dots}\n"));
    repo.write("frontend/public/logo.bin", format!("{dots}\0\x01"));
    repo.write("backend/tests/test_fail.py", "def test_fail():\n    assert 1 == 2\n");
    repo.commit_all("test: plant defects");
    repo
}

fn planted_findings() -> BTreeSet<(String, String, u64, u64)> {
    set(&[
        ("ascii", "docs/guide.md", 3, 3),
        ("ascii", "docs/guide.md", 4, 8),
        ("ascii", "docs/guide.md", 4, 10),
        ("ascii", "docs/guide.md", 4, 15),
        ("ascii", "docs/bad.md", 2, 3),
        ("ellipsis", "backend/lotgenius/stub.py", 2, 5),
        ("ellipsis", "frontend/todo.js", 2, 6),
        ("compile", "backend/lotgenius/broken.py", 1, 7),
        ("links", "docs/README.md", 5, 3),
        ("tests", "backend", 0, 0),
        ("lint", "", 0, 0),
    ])
}

#[test]
fn planted_defects_are_found_exactly_and_nothing_else() {
    let repo = planted();
    let summary = tempfile::NamedTempFile::new().unwrap();
    let run = repo.xtask_with(&["--json", "quality-check"], |cmd| {
        cmd.env("GITHUB_ACTIONS", "true").env("GITHUB_STEP_SUMMARY", summary.path());
    });
    run.code(1);
    let doc = run.json();
    assert_eq!(findings(&doc), planted_findings(), "{run}");
    assert_eq!(doc["ok"], false);
    for gate in doc["gates"].as_array().unwrap() {
        let keys: BTreeSet<&str> = gate.as_object().unwrap().keys().map(String::as_str).collect();
        assert!(["name", "status", "duration_ms", "findings"].iter().all(|k| keys.contains(k)), "{gate}");
        assert!(gate["duration_ms"].is_u64());
    }
    assert_eq!(status(&doc, "versions"), "passed");
    assert_eq!(status(&doc, "ascii"), "failed");
    assert_eq!(
        message(&doc, "ascii", "docs/bad.md"),
        "invalid UTF-8: byte 0xFF in 'ab\u{FFFD}cd'; save the file as UTF-8"
    );
    assert!(message(&doc, "links", "docs/README.md").contains("docs/missing.md does not exist"));
    assert!(message(&doc, "compile", "backend/lotgenius/broken.py").starts_with("SyntaxError: "));
    let tests = message(&doc, "tests", "backend");
    assert!(tests.starts_with("`python3 -m pytest -q` failed (exit status 1)"), "{tests}");
    assert!(tests.contains("assert 1 == 2"), "{tests}");
    let lint = message(&doc, "lint", "");
    assert!(lint.contains("failed (exit status 3); its output:\nlint: 1 problem"), "{lint}");

    // Under --json the annotations go to stderr, one per finding.
    let annotations: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(annotations.len(), planted_findings().len(), "{run}");
    assert!(annotations.contains(
        &"::error file=docs/guide.md,line=3,col=3,title=ascii::non-ASCII character U+2019 RIGHT SINGLE QUOTATION MARK in 'It\u{2019}s fine.'"
    ), "{run}");
    assert!(
        annotations
            .iter()
            .any(|a| a.starts_with("::error title=lint::`python3 -c ") && a.contains("%0Alint: 1 problem"))
    );
    assert!(!run.stdout.contains("::error"), "{run}");
    let md = std::fs::read_to_string(summary.path()).unwrap();
    assert!(md.starts_with("## quality-check: failed\n"), "{md}");
    assert!(md.contains("| ascii | failed | 5 |"), "{md}");

    // Nothing is left in the tree: no __pycache__, no .pytest_cache, no changed file.
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_no_bytecode(&repo);
}

#[test]
fn human_output_lists_every_finding_then_the_table() {
    let repo = planted();
    let summary = tempfile::NamedTempFile::new().unwrap();
    let run = repo.xtask_with(&["quality-check", "--skip", "tests,lint", "--jobs", "1"], |cmd| {
        cmd.env("GITHUB_ACTIONS", "true").env("GITHUB_STEP_SUMMARY", summary.path());
    });
    run.code(1);
    let out = &run.stdout;
    assert!(out.contains("docs/guide.md:4:15: ascii: non-ASCII character U+1F680 ROCKET in "), "{run}");
    assert!(out.contains("backend/lotgenius/stub.py:2:5: ellipsis: placeholder "), "{run}");
    assert!(out.contains("docs/README.md:5:3: links: broken link \"missing.md\": docs/missing.md does not exist"));
    // Sorted by path, then line, within each gate.
    let ascii: Vec<&str> = out.lines().filter(|l| l.contains(": ascii: ")).collect();
    assert!(ascii[0].starts_with("docs/bad.md:2:3:") && ascii[1].starts_with("docs/guide.md:3:3:"), "{ascii:?}");
    // On stdout (no --json), the annotations follow the table.
    assert!(out.contains("::error file=backend/lotgenius/broken.py,line=1,col=7,title=compile::SyntaxError: "));
    let table: Vec<&str> = out.lines().skip_while(|l| !l.starts_with("gate ")).collect();
    assert!(table[1].starts_with("versions  passed"), "{run}");
    assert!(table.iter().any(|l| l.starts_with("tests") && l.contains("skipped") && l.contains("(--skip)")));
    assert!(run.stderr.contains("quality-check: of 7 gates, 4 failed with 9 findings"), "{run}");
}

#[test]
fn fix_rewrites_known_characters_and_a_second_run_passes() {
    let repo = TestRepo::new();
    let text = "\u{201C}Quoted\u{201D} \u{2014} it\u{2019}s \u{2192} done \u{2705}\u{00A0}ok \u{2264} 3 \u{1F680}\n";
    repo.write("docs/a.md", text);
    repo.write("docs/b.md", b"caf\xc3\xa9 \xff \xe2\x80\x94\n");
    repo.commit_all("docs");
    let invalid_before = std::fs::read(repo.path("docs/b.md")).unwrap();
    let run = repo.xtask(&["--json", "quality-check", "--only", "ascii", "--fix"]);
    run.code(1);
    let doc = run.json();
    // What stays: the rocket (no ASCII spelling) and the file that is not valid UTF-8.
    assert_eq!(
        findings(&doc),
        set(&[
            ("ascii", "docs/a.md", 1, 39),
            ("ascii", "docs/b.md", 1, 4),
            ("ascii", "docs/b.md", 1, 6),
            ("ascii", "docs/b.md", 1, 8)
        ])
    );
    let fixed = &doc["gates"][0]["fixed"];
    assert_eq!(fixed.as_array().unwrap().len(), 1, "{doc:#}");
    assert_eq!(fixed[0]["path"], "docs/a.md");
    assert_eq!(fixed[0]["count"], 8);
    assert_eq!(repo.read("docs/a.md"), "\"Quoted\" -- it's -> done [OK] ok <= 3 \u{1F680}\n");
    assert_eq!(std::fs::read(repo.path("docs/b.md")).unwrap(), invalid_before, "invalid UTF-8 is never rewritten");
    assert!(
        run.stderr.contains("docs/a.md: ascii: fixed 8 characters (1 x U+00A0 -> a space, 1 x U+2014 -> --"),
        "{run}"
    );

    repo.write("docs/a.md", repo.read("docs/a.md").replace('\u{1F680}', "rocket"));
    repo.write("docs/b.md", "cafe\n");
    repo.xtask(&["quality-check", "--only", "ascii"]).code(0);
    // No temporary files were left beside the rewritten one.
    let names: Vec<String> =
        std::fs::read_dir(repo.path("docs")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn list_says_what_runs_and_why() {
    let repo = planted();
    let run = repo.xtask(&["quality-check", "--list"]);
    run.code(0);
    assert!(run.stdout.contains("ascii     every character of *.md under docs is ASCII\n"), "{run}");
    assert!(run.stdout.contains("          detected: docs/ holds 6 Markdown files\n"), "{run}");
    assert!(run.stdout.contains("ellipsis  no placeholder of three dots (a line of only dots, dots in a comment, a Python body of dots) in code under ."), "{run}");
    assert!(run.stdout.contains("lint      `python3 -c "), "{run}");
    assert!(run.stdout.contains("configured in xtask.toml"), "{run}");
    let run = repo.xtask(&["--json", "quality-check", "--list", "--skip", "tests"]);
    run.code(0);
    let doc = run.json();
    let names: Vec<&str> = doc["gates"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["versions", "ascii", "ellipsis", "compile", "links", "lint"]);
    assert_eq!(doc["matrix"]["gate"].as_array().unwrap().len(), 6);
    let ellipsis = &doc["gates"][2];
    assert_eq!(ellipsis["origin"], "configured");
    assert_eq!(ellipsis["allow"][0], "Field\\(\\.\\.\\.\\)");
    assert_eq!(doc["gates"][1]["origin"], "detected");
    assert_eq!(doc["gates"][1]["reason"], "docs/ holds 6 Markdown files");
    assert_eq!(
        doc["gates"][0]["checks"],
        "the 3 version sources must agree (backend/pyproject.toml, frontend/package.json, \
         backend/lotgenius/__init__.py); they do now (0.1.0)"
    );
    assert_eq!(ellipsis["mode"], "placeholders");
}

#[test]
fn list_counts_the_sources_version_lists_and_says_whether_they_agree() {
    let repo = TestRepo::new();
    repo.write("VERSION", "0.1.0\n");
    repo.write("backend/pyproject.toml", "[project]\nname = \"b\"\nversion = \"0.2.0\"\n");
    // A package.json without a version of its own is not a source (`version` skips it).
    repo.write("web/package.json", "{\n  \"name\": \"web\",\n  \"private\": true\n}\n");
    // A docs folder with an image and no Markdown: nothing for the ascii and links gates.
    repo.write("docs/logo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;");
    repo.commit_all("feat: first");
    let run = repo.xtask(&["--json", "version"]);
    let doc = run.json();
    let listed: Vec<&str> = doc["sources"].as_array().unwrap().iter().map(|s| s["file"].as_str().unwrap()).collect();
    assert_eq!(listed, ["VERSION", "backend/pyproject.toml"], "{run}");
    let run = repo.xtask(&["quality-check", "--list"]);
    run.code(0);
    assert!(
        run.stdout.starts_with(
            "versions  the 2 version sources must agree (VERSION, backend/pyproject.toml); they do not now: \
             backend/pyproject.toml:3 holds 0.2.0, unlike the first source (0.1.0 in VERSION)\n"
        ),
        "{run}"
    );
    assert!(
        !run.stdout.contains("ascii") && !run.stdout.contains("links") && !run.stdout.contains("Markdown"),
        "{run}"
    );
    // With Markdown in docs/, the gates come back and say how much.
    repo.write("docs/index.md", "# Docs\n");
    let run = repo.xtask(&["quality-check", "--list"]);
    assert!(run.stdout.contains("          detected: docs/ holds 1 Markdown file\n"), "{run}");
}

#[test]
fn only_and_skip_take_known_names() {
    let repo = planted();
    let run = repo.xtask(&["quality-check", "--only", "ascii,nope"]);
    run.code(2);
    assert!(
        run.stderr.contains(
            "--only nope: `nope` is not a gate; the gates are: versions, ascii, ellipsis, compile, links, tests, lint"
        ),
        "{run}"
    );
    repo.xtask(&["quality-check", "--skip", "typo"]).code(2);
    let run = repo.xtask(&["--json", "quality-check", "--only", "links,versions"]);
    run.code(1);
    let doc = run.json();
    let names: Vec<&str> = doc["gates"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["versions", "links"]);
    repo.xtask(&["quality-check", "--only", "versions", "--jobs", "0"]).code(2);
}

#[test]
fn the_context_is_the_real_text_in_json_and_on_the_terminal() {
    let repo = TestRepo::new();
    repo.write("docs/a.md", "It\u{2019}s\tcaf\u{e9} \u{1F680}\n");
    repo.commit_all("docs");
    let run = repo.xtask(&["--json", "quality-check", "--only", "ascii"]);
    run.code(1);
    let doc = run.json();
    let messages: Vec<&str> =
        doc["gates"][0]["findings"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert_eq!(
        messages,
        [
            "non-ASCII character U+2019 RIGHT SINGLE QUOTATION MARK in 'It\u{2019}s\tcaf\u{e9} \u{1F680}'",
            "non-ASCII character U+00E9 LATIN SMALL LETTER E WITH ACUTE in 'It\u{2019}s\tcaf\u{e9} \u{1F680}'",
            "non-ASCII character U+1F680 ROCKET in 'It\u{2019}s\tcaf\u{e9} \u{1F680}'",
        ]
    );
    // The terminal shows the characters too, and the tab as an escape.
    let run = repo.xtask(&["quality-check", "--only", "ascii"]);
    assert!(
        run.stdout.starts_with(
            "docs/a.md:1:3: ascii: non-ASCII character U+2019 RIGHT SINGLE QUOTATION MARK in 'It\u{2019}s\\tcaf\u{e9} \u{1F680}'\n"
        ),
        "{run}"
    );
}
