//! The tool is not the product: a repository that adopted `cargo xtask` after its last good
//! release rolls back to it and keeps the tool (the xtask crate, its workspace, `.cargo/`,
//! `xtask.toml`, `.github/`) as it is today, planning with today's configuration; `[rollback]
//! keep` keeps more; detection never takes the tool's files as version sources or scanner
//! inputs; and a `[[version]]` configured inside `xtask/` makes that crate the product.

mod support;

use std::collections::BTreeMap;

use support::{Snapshot, TestRepo, assert_same, findings};

/// The files an adopter adds with the tool (the shim, its workspace and lock, the alias, the
/// configuration, a workflow), with the workspace's own version 0.4.0.
const TOOL_FILES: [(&str, &str); 7] = [
    (
        "Cargo.toml",
        "[workspace]\nmembers = [\"xtask\"]\nresolver = \"3\"\n\n[workspace.package]\nversion = \"0.4.0\"\n",
    ),
    (
        "Cargo.lock",
        "version = 4\n\n[[package]]\nname = \"xtask\"\nversion = \"0.4.0\"\ndependencies = [\n \"polyrelease\",\n]\n",
    ),
    ("xtask/Cargo.toml", "[package]\nname = \"xtask\"\nversion.workspace = true\nedition = \"2024\"\n"),
    // A placeholder comment that the ellipsis gate would report in the product's code.
    (
        "xtask/src/main.rs",
        concat!("fn main() -> std::process::ExitCode {\n    polyrelease::main() // ", ".", "..", "\n}\n"),
    ),
    (".cargo/config.toml", "[alias]\nxtask = \"run --package xtask --\"\n"),
    ("xtask.toml", "[release]\nname = \"lot-genius\"\n"),
    (
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo xtask quality-check\n",
    ),
];

/// Released 1.0.0 without the tool's files; then the tool adopted along with a bad change
/// (a new module, an edited and a deleted page), released as 1.1.0.
fn adopted_after_the_last_good_release(config: &str) -> TestRepo {
    let repo = TestRepo::from_fixture("lot-genius");
    repo.xtask(&["release", "1.0.0", "--no-verify"]).code(0);
    for (path, text) in TOOL_FILES {
        repo.write(path, text);
    }
    repo.write("xtask.toml", format!("[release]\nname = \"lot-genius\"\n{config}"));
    repo.write("backend/lotgenius/checkout.py", "def pay():\n    return 'broken'\n");
    repo.write("docs/README.md", "# Lot Genius\n\nThe new checkout.\n");
    repo.git(&["rm", "-q", "docs/operations/release.md"]);
    repo.commit_all("feat: cargo xtask, and the new checkout");
    // Detection reads neither the workspace's 0.4.0 nor the shim's: the release agrees on 1.0.0.
    repo.xtask(&["release", "1.1.0", "--no-verify"]).code(0);
    repo
}

/// Every file under the tool's paths, from a snapshot.
fn tool_files(snapshot: &Snapshot) -> BTreeMap<String, (bool, Vec<u8>)> {
    let tool = |p: &str| {
        ["Cargo.toml", "Cargo.lock", "xtask.toml"].contains(&p)
            || [".cargo/", ".github/", "xtask/"].iter().any(|d| p.starts_with(d))
    };
    snapshot.files.iter().filter(|(p, _)| tool(p)).map(|(p, v)| (p.clone(), v.clone())).collect()
}

#[test]
fn a_dry_run_plans_with_todays_sources_and_deletes_none_of_the_tool() {
    let repo = adopted_after_the_last_good_release("");
    let before = repo.snapshot();
    let run = repo.xtask(&["rollback", "--dry-run", "--no-verify"]);
    run.code(0);
    assert_same(&before, &repo.snapshot());
    for tool in ["xtask.toml", "xtask/", "Cargo.toml", "Cargo.lock", ".cargo/", ".github/"] {
        assert!(!run.stdout.contains(&format!("delete {tool}")), "plans to delete {tool}\n{run}");
    }
    for restored in [
        "delete backend/lotgenius/checkout.py (restored)",
        "create docs/operations/release.md (restored)",
        "write docs/README.md (restored)",
        "write backend/pyproject.toml (version source)",
    ] {
        assert!(run.stdout.contains(restored), "missing {restored:?}\n{run}");
    }
    assert!(
        run.stderr.contains("keeps 7 paths that differ from v1.0.0 as they are today (the release tool's files and [rollback] keep): .cargo/config.toml, .github/workflows/ci.yml, Cargo.lock, Cargo.toml, xtask.toml, xtask/Cargo.toml, xtask/src/main.rs"),
        "{run}"
    );
    let plan = repo.xtask(&["--json", "rollback", "--dry-run", "--no-verify"]).code(0).json();
    let written: Vec<(&str, &str)> = plan["plan"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["role"] == "version" || s["role"] == "lockfile")
        .map(|s| (s["path"].as_str().unwrap(), s["role"].as_str().unwrap()))
        .collect();
    assert_eq!(
        written,
        [
            ("backend/lotgenius/__init__.py", "version"),
            ("backend/pyproject.toml", "version"),
            ("frontend/package-lock.json", "lockfile"),
            ("frontend/package.json", "version"),
        ],
        "today's sources, none of the tool's"
    );
    assert_same(&before, &repo.snapshot());
}

#[test]
fn a_rollback_to_before_adoption_keeps_the_tool_byte_for_byte() {
    let repo = adopted_after_the_last_good_release("");
    let tool_before = tool_files(&repo.snapshot());
    assert_eq!(tool_before.len(), TOOL_FILES.len());
    let run = repo.xtask(&["rollback", "--reason", "checkout broken", "--no-verify"]);
    run.code(0);
    assert!(run.stdout.contains("rolled back lot-genius to v1.0.0 as 1.1.1"), "{run}");
    assert_eq!(tool_files(&repo.snapshot()), tool_before, "the tool's files are as they were");
    let differ = repo.git(&["diff", "--name-only", "v1.0.0", "HEAD"]);
    assert_eq!(
        differ.lines().collect::<Vec<_>>(),
        [
            ".cargo/config.toml",
            ".github/workflows/ci.yml",
            "CHANGELOG.md",
            "Cargo.lock",
            "Cargo.toml",
            "backend/lotgenius/__init__.py",
            "backend/pyproject.toml",
            "frontend/package-lock.json",
            "frontend/package.json",
            "xtask.toml",
            "xtask/Cargo.toml",
            "xtask/src/main.rs",
        ],
        "everything else is 1.0.0's"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(repo.read("Cargo.toml"), TOOL_FILES[0].1, "no downgrade of the tooling");
    let notes = repo.git(&["log", "-1", "--format=%b"]);
    assert!(notes.contains("Rollback to 1.0.0: checkout broken (v1.0.0)"), "{notes}");
    let log = repo.read("CHANGELOG.md");
    assert!(log.contains("this changelog and the files kept as they are today. Yanked: 1.1.0."), "{log}");
    repo.xtask(&["version", "--check"]).code(0);
}

#[test]
fn rollback_keep_globs_keep_more_at_todays_content() {
    let config = "\n[rollback]\nkeep = [\"docs/operations\", \"backend/lotgenius/check*.py\"]\n";
    let repo = adopted_after_the_last_good_release(config);
    let plan = repo.xtask(&["rollback", "--dry-run", "--no-verify"]);
    plan.code(0);
    assert!(plan.stderr.contains("keeps 9 paths that differ from v1.0.0"), "{plan}");
    assert!(!plan.stdout.contains("checkout.py") && !plan.stdout.contains("docs/operations"), "{plan}");
    repo.xtask(&["rollback", "--no-verify"]).code(0);
    assert_eq!(repo.read("backend/lotgenius/checkout.py"), "def pay():\n    return 'broken'\n");
    assert!(!repo.path("docs/operations/release.md").exists(), "kept as it is today: deleted");
    let good = repo.git_output(&["show", "v1.0.0:docs/README.md"]).stdout;
    assert_eq!(repo.read("docs/README.md").as_bytes(), good, "the rest is restored");
}

#[test]
fn a_bad_keep_glob_is_refused_with_its_line_and_changes_nothing() {
    let repo = adopted_after_the_last_good_release("");
    repo.write("xtask.toml", "[release]\nname = \"lot-genius\"\n\n[rollback]\nkeep = [\"docs/[ops\"]\n");
    repo.commit_all("chore: keep the operations pages");
    let before = repo.snapshot();
    for args in [&["rollback", "--dry-run", "--no-verify"][..], &["rollback", "--no-verify"]] {
        let run = repo.xtask(args);
        run.code(2);
        assert!(run.stderr.contains("xtask.toml: line 5: \"docs/[ops\" is not a valid glob"), "{run}");
        assert_same(&before, &repo.snapshot());
    }
    let run = repo.xtask(&["rollback", "--dry-run", "--no-verify", "--to", "v1.0.0"]);
    assert!(run.stderr.contains("not a valid glob"), "{run}");
    repo.write("xtask.toml", "[release]\nname = \"lot-genius\"\n\n[rollback]\nkeeps = [\"docs\"]\n");
    repo.commit_all("chore: a typo");
    let run = repo.xtask(&["rollback", "--dry-run", "--no-verify"]);
    run.code(2);
    assert!(run.stderr.contains("unknown field `keeps`") && run.stderr.contains("line 5"), "{run}");
}

#[test]
fn the_tools_files_give_no_findings_and_no_version_sources() {
    let repo = adopted_after_the_last_good_release("");
    // A broken Python file and a placeholder inside the vendored tool are not the product's.
    repo.write("xtask/scripts/gen.py", concat!("def broken(:\n    ", ".", "..", "\n"));
    repo.write("xtask/engine/tests/fixtures/app/pyproject.toml", "[project]\nname = \"x\"\nversion = \"9.9.9\"\n");
    repo.write("xtask/engine/tests/fixtures/app/package.json", "{\"name\": \"x\", \"version\": \"9.9.9\"}\n");
    repo.commit_all("chore: vendor the tool's tests");
    let doc = repo.xtask(&["--json", "quality-check", "--skip", "tests"]).json();
    let found = findings(&doc);
    let tool: Vec<_> = found
        .iter()
        .filter(|(_, path, _, _)| path.starts_with("xtask") || path.starts_with('.') || path.starts_with("Cargo"))
        .collect();
    assert!(tool.is_empty(), "{tool:#?}");
    let version = repo.xtask(&["--json", "version", "--check"]);
    version.code(0);
    let sources: Vec<String> =
        version.json()["sources"].as_array().unwrap().iter().map(|s| s["path"].as_str().unwrap().to_string()).collect();
    assert_eq!(sources, ["backend/pyproject.toml", "frontend/package.json", "backend/lotgenius/__init__.py"]);
    let list = repo.xtask(&["--json", "quality-check", "--list"]).code(0).json();
    let ellipsis = list["gates"].as_array().unwrap().iter().find(|g| g["name"] == "ellipsis").unwrap().clone();
    let exclude: Vec<&str> = ellipsis["exclude"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    assert_eq!(exclude, ["*.md", ".cargo/**", ".github/**", "Cargo.lock", "Cargo.toml", "xtask.toml", "xtask/**"]);
}

/// This repository's own shape: the product is the engine under `xtask/engine`, configured as
/// the version source; the shim beside it is the tool.
fn engine_repository() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("Cargo.toml", "[workspace]\nmembers = [\"xtask\", \"xtask/engine\"]\nresolver = \"3\"\n");
    repo.write(
        "Cargo.lock",
        "version = 4\n\n[[package]]\nname = \"polyrelease\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"xtask\"\nversion = \"0.0.0\"\n",
    );
    repo.write("xtask/Cargo.toml", "[package]\nname = \"xtask\"\nversion = \"0.0.0\"\n");
    repo.write("xtask/src/main.rs", "fn main() {}\n");
    repo.write("xtask/engine/Cargo.toml", "[package]\nname = \"polyrelease\"\nversion = \"0.1.0\"\n");
    repo.write("xtask/engine/src/lib.rs", "pub fn good() {}\n");
    repo.write("xtask.toml", "[release]\nname = \"polyrelease\"\n\n[[version]]\npath = \"xtask/engine/Cargo.toml\"\n");
    repo.write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n");
    repo.commit_all("feat: the engine");
    repo
}

#[test]
fn a_version_configured_inside_xtask_is_the_product() {
    let repo = engine_repository();
    let doc = repo.xtask(&["--json", "version", "--check"]).code(0).json();
    assert_eq!(doc["sources"][0]["path"], "xtask/engine/Cargo.toml", "configuration wins over detection");
    repo.xtask(&["release", "0.2.0", "--no-verify"]).code(0);
    repo.write("xtask/engine/src/lib.rs", "pub fn bad() {}\n");
    repo.write("xtask/src/main.rs", "fn main() { polyrelease::bad() }\n");
    repo.commit_all("feat: bad engine, new shim");
    repo.xtask(&["release", "0.3.0", "--no-verify"]).code(0);
    let shim = repo.read("xtask/src/main.rs");

    let run = repo.xtask(&["rollback", "--no-verify"]);
    run.code(0);
    assert!(run.stderr.contains("keeps 1 path that differs from v0.2.0"), "{run}");
    assert_eq!(repo.read("xtask/engine/src/lib.rs"), "pub fn good() {}\n", "the product is rolled back");
    assert_eq!(repo.read("xtask/src/main.rs"), shim, "the shim is the tool: kept");
    assert_eq!(repo.read("xtask/engine/Cargo.toml"), "[package]\nname = \"polyrelease\"\nversion = \"0.3.1\"\n");
    assert!(
        repo.read("Cargo.lock").contains("name = \"polyrelease\"\nversion = \"0.3.1\""),
        "{}",
        repo.read("Cargo.lock")
    );

    // Without the configuration, detection finds no version in the tool's folder.
    repo.write("xtask.toml", "[release]\nname = \"polyrelease\"\n");
    let run = repo.xtask(&["version"]);
    run.code(2);
    assert!(run.stderr.contains("the project has no version sources"), "{run}");
}
