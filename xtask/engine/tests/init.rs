//! `init` on real repositories: what it writes, that a second run changes nothing, what it
//! refuses, what `--check` reports, and that the repository it makes passes its own gates and
//! releases, with nothing of the tool among the version sources or gate findings.

mod support;

use std::path::Path;

use support::TestRepo;

/// This repository's engine: the checkout `--from path` points the shim at.
fn engine() -> String {
    env!("CARGO_MANIFEST_DIR").to_string()
}

/// `init --from path` with this engine.
fn init(repo: &TestRepo, extra: &[&str]) -> support::Run {
    let engine = engine();
    let mut args = vec!["init", "--from", "path", "--engine", engine.as_str()];
    args.extend_from_slice(extra);
    repo.xtask(&args)
}

/// The action `init` printed for `path`.
fn action<'a>(run: &'a support::Run, path: &str) -> &'a str {
    run.stdout
        .lines()
        .find_map(|l| l.trim().strip_suffix(path).map(str::trim))
        .unwrap_or_else(|| panic!("{path} is not in the output\n{run}"))
}

const GENERATED: &[&str] = &[
    ".github/workflows/ci.yml",
    ".github/workflows/release.yml",
    ".github/workflows/release-manual.yml",
    ".github/workflows/rollback.yml",
];

#[test]
fn a_fresh_repository_is_scaffolded_once() {
    let repo = TestRepo::from_fixture("lot-genius");
    let run = init(&repo, &[]);
    run.code(0);
    assert!(run.stderr.starts_with(&format!("init in {}\n", repo.root().canonicalize().unwrap().display())), "{run}");
    for path in
        ["Cargo.toml", ".cargo/config.toml", "xtask/Cargo.toml", "xtask/src/main.rs", "xtask.toml", "Cargo.lock"]
            .iter()
            .chain(GENERATED)
    {
        assert_eq!(action(&run, path), "created", "{path}\n{run}");
        assert!(repo.path(path).is_file(), "{path}");
    }
    assert_eq!(action(&run, ".gitignore"), "merged");
    let ignore = repo.read(".gitignore");
    assert!(ignore.starts_with(&std::fs::read_to_string(support::fixture("lot-genius").join(".gitignore")).unwrap()));
    assert!(ignore.ends_with("/target\n"), "the fixture ignores dist/ already:\n{ignore}");

    let manifest = repo.read("xtask/Cargo.toml");
    assert!(manifest.contains(&format!("polyrelease = {{ path = \"{}\" }}", engine())), "{manifest}");
    assert_eq!(repo.read(".cargo/config.toml"), "[alias]\nxtask = \"run --package xtask --\"\n");
    let lock = repo.read("Cargo.lock");
    assert!(lock.contains("name = \"polyrelease\"") && lock.contains("name = \"xtask\""), "{lock}");
    assert!(!lock.contains("name = \"tempfile\""), "the engine's test-only dependencies are trimmed:\n{lock}");

    let config = repo.read("xtask.toml");
    for source in ["backend/pyproject.toml", "backend/lotgenius/__init__.py", "frontend/package.json"] {
        assert!(config.contains(&format!("path = \"{source}\"")), "{config}");
    }
    assert!(!config.contains("path = \"xtask/") && !config.contains("path = \"Cargo.toml\""), "{config}");
    assert!(config.contains("name = \"tests-backend\"") && config.contains("name = \"tests-frontend\""), "{config}");
    assert!(!config.contains("\"cargo\""), "the shim's own tests are not a gate:\n{config}");

    // Again: nothing to do, nothing touched.
    let before = repo.snapshot();
    let again = init(&repo, &[]);
    again.code(0);
    for line in again.stdout.lines() {
        assert!(line.trim_start().starts_with("unchanged") || line.trim_start().starts_with("kept"), "{again}");
    }
    support::assert_same(&before, &repo.snapshot());
    let check = repo.xtask(&["init", "--check"]);
    check.code(0);
    assert!(!check.stderr.contains("init in"), "--check writes nothing and says no root line\n{check}");
}

#[test]
fn the_new_repository_passes_its_gates_with_nothing_from_the_tool_and_releases() {
    let repo = TestRepo::from_fixture("lot-genius");
    init(&repo, &[]).code(0);
    repo.commit_all("chore: adopt polyrelease");

    let version = repo.xtask(&["--json", "version"]);
    let sources: Vec<String> = version.code(0).json()["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap().into())
        .collect();
    assert_eq!(sources.len(), 3, "{version}");
    assert!(sources.iter().all(|p| !p.starts_with("xtask") && p != "Cargo.toml"), "{sources:?}");

    let gates = repo.xtask(&["--json", "quality-check"]);
    let doc = gates.json();
    assert_eq!(doc["ok"], true, "{gates}");
    assert!(support::findings(&doc).is_empty(), "{gates}");
    let names: Vec<&str> = doc["gates"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 8, "versions, ascii, ellipsis, compile, links, two test commands and mypy: {names:?}");

    let release = repo.xtask(&["release", "minor"]);
    release.code(0);
    assert_eq!(repo.git(&["tag", "--list"]), "v0.2.0");
    assert!(repo.read("backend/pyproject.toml").contains("version = \"0.2.0\""));
    assert!(repo.read("xtask/Cargo.toml").contains("version = \"0.0.0\""), "the shim's version is not the product's");
    // The release leaves the adoption as init wrote it.
    repo.xtask(&["init", "--check"]).code(0);
}

#[test]
fn what_is_there_is_merged_into_never_replaced() {
    let repo = TestRepo::from_fixture("lot-genius");
    let cargo = "# our Rust tools\n[workspace]\nmembers = [\"crates/a\"]  # keep\n\n[profile.dev]\nopt-level = 1\n";
    repo.write("Cargo.toml", cargo);
    repo.write("crates/a/Cargo.toml", "[package]\nname = \"a\"\nversion = \"0.3.0\"\nedition = \"2021\"\n");
    repo.write("crates/a/src/lib.rs", "");
    repo.write(".cargo/config.toml", "[alias]\nb = \"build --release\"\n\n[build]\njobs = 2\n");
    repo.write("xtask.toml", "[release]\nname = \"lot\"\n");
    repo.commit_all("chore: tools");
    let run = init(&repo, &[]);
    run.code(0);
    assert_eq!(action(&run, "Cargo.toml"), "merged");
    assert_eq!(action(&run, ".cargo/config.toml"), "merged");
    assert_eq!(action(&run, "xtask.toml"), "kept");
    let merged = repo.read("Cargo.toml");
    assert!(
        merged.starts_with("# our Rust tools\n[workspace]\nmembers = [\"crates/a\", \"xtask\"]  # keep\n"),
        "{merged}"
    );
    assert!(merged.contains("[profile.dev]\nopt-level = 1\n"), "the user's value wins:\n{merged}");
    assert!(merged.contains("[profile.dev.package.\"*\"]\ndebug = false\n"), "{merged}");
    assert!(merged.contains("[profile.dev.package.zlib-rs]\nopt-level = 3\n"), "{merged}");
    assert_eq!(
        repo.read(".cargo/config.toml"),
        "[alias]\nb = \"build --release\"\nxtask = \"run --package xtask --\"\n\n[build]\njobs = 2\n"
    );
    assert_eq!(repo.read("xtask.toml"), "[release]\nname = \"lot\"\n");
    let lock = repo.read("Cargo.lock");
    assert!(lock.contains("name = \"a\"") && lock.contains("name = \"polyrelease\""), "{lock}");
    init(&repo, &[]).code(0);
    repo.xtask(&["init", "--check"]).code(0);
}

#[test]
fn a_workflow_edited_by_hand_is_refused_and_named_by_check() {
    let repo = TestRepo::from_fixture("lot-genius");
    init(&repo, &[]).code(0);
    let ci = repo.read(".github/workflows/ci.yml");
    repo.write(".github/workflows/ci.yml", ci.replace("cancel-in-progress: true", "cancel-in-progress: false"));
    // Something else to do as well: a run that refuses must not do that either.
    std::fs::remove_file(repo.path(".github/workflows/rollback.yml")).unwrap();
    let before = repo.snapshot();

    let run = init(&repo, &[]);
    run.code(2);
    assert!(run.stderr.contains(".github/workflows/ci.yml: edited by hand"), "{run}");
    assert!(run.stderr.contains("--force") && run.stderr.contains("xtask.toml"), "{run}");
    support::assert_same(&before, &repo.snapshot());

    let check = repo.xtask(&["init", "--check"]);
    check.code(1);
    assert_eq!(action(&check, ".github/workflows/ci.yml"), "edited by hand");
    assert_eq!(action(&check, ".github/workflows/rollback.yml"), "missing");
    assert!(check.stderr.contains("2 files differ"), "{check}");
    assert!(check.stderr.contains(".github/workflows/ci.yml, .github/workflows/rollback.yml"), "{check}");
    support::assert_same(&before, &repo.snapshot());

    let forced = init(&repo, &["--force"]);
    forced.code(0);
    assert_eq!(action(&forced, ".github/workflows/ci.yml"), "overwritten");
    assert_eq!(repo.read(".github/workflows/ci.yml"), ci);
    repo.xtask(&["init", "--check"]).code(0);
}

#[test]
fn a_workflow_of_the_repository_own_is_never_replaced_silently() {
    let repo = TestRepo::from_fixture("lot-genius");
    let ours = "name: CI\non: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n";
    let engine = engine();
    let args = ["init", "--from", "path", "--engine", engine.as_str()];
    refused(
        &repo,
        Some((".github/workflows/ci.yml", ours)),
        &args,
        &[".github/workflows/ci.yml: not written by init", "move the file aside"],
    );
    let check = repo.xtask(&["init", "--check"]);
    check.code(1);
    assert_eq!(action(&check, ".github/workflows/ci.yml"), "not init's");
    assert_eq!(action(init(&repo, &["--force"]).code(0), ".github/workflows/ci.yml"), "overwritten");
    assert!(repo.read(".github/workflows/ci.yml").starts_with("# Generated by polyrelease init"));
}

#[test]
fn a_workflow_follows_xtask_toml() {
    let repo = TestRepo::from_fixture("lot-genius");
    init(&repo, &[]).code(0);
    let config = repo.read("xtask.toml").replace("python = \"3.12\"", "python = \"3.13\"");
    repo.write("xtask.toml", config);
    let check = repo.xtask(&["init", "--check"]);
    check.code(1);
    assert_eq!(action(&check, ".github/workflows/ci.yml"), "outdated");
    let run = init(&repo, &[]);
    run.code(0);
    assert_eq!(action(&run, ".github/workflows/release.yml"), "updated");
    assert!(repo.read(".github/workflows/ci.yml").contains("python-version: '3.13'"));
}

/// Write `file` (when given), run `init ARGS`, and assert exit 2 with every one of `said` on
/// stderr and the repository byte for byte as before.
fn refused(repo: &TestRepo, file: Option<(&str, &str)>, args: &[&str], said: &[&str]) {
    if let Some((path, text)) = file {
        repo.write(path, text);
    }
    let before = repo.snapshot();
    let run = repo.xtask(args);
    run.code(2);
    for text in said {
        assert!(run.stderr.contains(text), "{text:?} not said\n{run}");
    }
    support::assert_same(&before, &repo.snapshot());
}

#[test]
fn bad_input_is_exit_2_naming_the_file_and_changes_nothing() {
    let engine = engine();
    let init = ["init", "--from", "path", "--engine", engine.as_str()];
    let repo = TestRepo::from_fixture("lot-genius");
    refused(&repo, Some(("Cargo.toml", "[workspace\nmembers = []\n")), &init, &["Cargo.toml: cannot merge", "line 1"]);

    let repo = TestRepo::from_fixture("lot-genius");
    refused(&repo, Some(("xtask.toml", "[release]\nnmae = \"x\"\n")), &init, &["xtask.toml", "nmae"]);
    let injected = "[ci]\nsetup = [[\"echo\", \"${{ github.token }}\"]]\n";
    refused(&repo, Some(("xtask.toml", injected)), &init, &["xtask.toml: [ci] setup", "environment"]);
    refused(&repo, None, &["init", "--from", "git"], &["--git URL"]);
    let not_an_engine = repo.root().to_str().unwrap().to_string();
    refused(
        &repo,
        None,
        &["init", "--from", "path", "--engine", &not_an_engine],
        &["no Cargo.toml of the polyrelease package"],
    );
}

#[test]
fn the_shim_can_depend_on_a_release_or_a_tag() {
    let version = env!("CARGO_PKG_VERSION");
    let repo = TestRepo::from_fixture("lot-genius");
    let run = repo.xtask(&["init", "--from", "crates"]);
    run.code(0);
    assert!(!run.stdout.contains("Cargo.lock"), "only a path engine has a lockfile to start from\n{run}");
    assert!(repo.read("xtask/Cargo.toml").contains(&format!("polyrelease = \"{version}\"\n")));
    // Without --from, an existing dependency stays as it is.
    assert_eq!(action(&init_plain(&repo), "xtask/Cargo.toml"), "unchanged");
    let url = "https://example.com/polyrelease.git";
    let run = repo.xtask(&["init", "--from", "git", "--git", url]);
    assert_eq!(action(&run, "xtask/Cargo.toml"), "merged");
    assert!(
        repo.read("xtask/Cargo.toml").contains(&format!("polyrelease = {{ git = \"{url}\", tag = \"v{version}\" }}\n"))
    );
}

fn init_plain(repo: &TestRepo) -> support::Run {
    let run = repo.xtask(&["init"]);
    run.code(0);
    run
}

#[test]
fn the_project_name_is_never_the_python_package_name() {
    let outer = TestRepo::plain();
    let root = outer.path("lotgenius");
    std::fs::create_dir_all(&root).unwrap();
    support::copy_tree(&support::fixture("lot-genius"), &root);
    outer.git(&["init", "-q", "lotgenius"]);
    let engine = engine();
    let run = outer.xtask_in(&root, &["init", "--from", "path", "--engine", &engine]);
    run.code(0);
    let config = std::fs::read_to_string(root.join("xtask.toml")).unwrap();
    assert!(config.contains("name = \"lotgenius-project\""), "{config}");
}

#[test]
fn a_copy_of_an_adopted_repository_acts_on_the_copy() {
    let repo = TestRepo::from_fixture("lot-genius");
    init(&repo, &[]).code(0);
    repo.commit_all("chore: adopt polyrelease");
    let before = repo.snapshot();
    let place = tempfile::tempdir().unwrap();
    let copy = place.path().join("copy");
    let status = std::process::Command::new("cp").arg("-a").arg(repo.root()).arg(&copy).status().unwrap();
    assert!(status.success());

    // Run from a folder inside the copy, without --root, the way a person types it.
    let run = repo.xtask_in(&copy.join("backend"), &["release", "minor", "--no-verify"]);
    run.code(0);
    assert!(run.stderr.starts_with(&format!("release in {}\n", copy.canonicalize().unwrap().display())), "{run}");
    support::assert_same(&before, &repo.snapshot());
    let tags = std::process::Command::new("git").args(["tag", "--list"]).current_dir(&copy).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&tags.stdout).trim(), "v0.2.0");
}

#[test]
fn a_binary_built_here_acts_on_the_repository_it_runs_in() {
    let repo = TestRepo::from_fixture("lot-genius");
    let run = repo.xtask_in(&repo.path("frontend"), &["--json", "version"]);
    let doc = run.code(0).json();
    let paths: Vec<&str> = doc["sources"].as_array().unwrap().iter().map(|s| s["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["backend/pyproject.toml", "frontend/package.json", "backend/lotgenius/__init__.py"], "{run}");
    assert!(!Path::new(&engine()).starts_with(repo.root()));
}

#[test]
fn a_repository_in_a_folder_named_with_a_line_break_is_found_from_inside() {
    let repo = TestRepo::from_fixture("lot-genius");
    let place = tempfile::tempdir().unwrap();
    let copy = place.path().join("two\nlines");
    let status = std::process::Command::new("cp").arg("-a").arg(repo.root()).arg(&copy).status().unwrap();
    assert!(status.success());
    let run = repo.xtask_in(&copy.join("frontend"), &["-v", "--json", "version"]);
    let doc = run.code(0).json();
    assert_eq!(doc["sources"].as_array().unwrap().len(), 3, "{run}");
    // And in a plain one, one git finds the top and the git dir.
    let run = repo.xtask_in(&repo.path("frontend"), &["-v", "version"]);
    assert_eq!(run.code(0).stderr.matches("$ git rev-parse").count(), 1, "{run}");
}
