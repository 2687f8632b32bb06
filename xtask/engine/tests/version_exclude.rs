//! `[versions] exclude` drops one detected source and keeps the others detected; a private
//! `package.json` of a folder of tests that disagrees is reported with that hint.

mod support;

use support::TestRepo;

/// A Jupyter-style layout: the package at the root, and Playwright tests in `ui-tests/` with
/// a private `package.json` whose version is not the project's.
fn jupyter_like() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", "[project]\nname = \"ext\"\nversion = \"1.0.0\"\n")
        .write("package.json", "{\n  \"name\": \"ext\",\n  \"version\": \"1.0.0\"\n}\n")
        .write(
            "ui-tests/package.json",
            "{\n  \"name\": \"ext-ui-tests\",\n  \"version\": \"0.1.0\",\n  \"private\": true\n}\n",
        )
        .write("ui-tests/playwright.config.js", "module.exports = {};\n");
    repo.commit_all("chore: initial import");
    repo
}

#[test]
fn a_private_package_of_tests_that_disagrees_gets_the_exclude_hint() {
    let repo = jupyter_like();
    let run = repo.xtask(&["version", "--check"]);
    run.code(1);
    assert!(run.stderr.contains("ui-tests/package.json differs"), "{run}");
    assert!(
        run.stderr.contains(
            "hint: ui-tests/package.json is \"private\": true in a folder of tests (ui-tests/); if it is not \
             released with the project, leave it out with [versions] exclude = [\"ui-tests/package.json\"] in xtask.toml"
        ),
        "{run}"
    );

    let run = repo.xtask(&["--json", "quality-check", "--only", "versions"]);
    run.code(1);
    let text = run.stdout.clone();
    assert!(text.contains("0.1.0 differs from the majority") && text.contains("[versions] exclude"), "{run}");

    // The same private file in the folder of the released frontend gets no such hint.
    repo.write(
        "ui-tests/package.json",
        "{\n  \"name\": \"ext-ui-tests\",\n  \"version\": \"1.0.0\",\n  \"private\": true\n}\n",
    );
    repo.write("frontend/package.json", "{\n  \"name\": \"app\",\n  \"version\": \"0.9.0\",\n  \"private\": true\n}\n");
    let run = repo.xtask(&["version", "--check"]);
    run.code(1);
    assert!(run.stderr.contains("frontend/package.json differs") && !run.stderr.contains("hint:"), "{run}");
}

#[test]
fn versions_exclude_drops_one_detected_source_and_keeps_the_rest() {
    let repo = jupyter_like();
    repo.write("xtask.toml", "[versions]\nexclude = [\"ui-tests/package.json\"]\n");
    let run = repo.xtask(&["--json", "version", "--check"]);
    run.code(0);
    let doc = run.json();
    let mut files: Vec<&str> = doc["sources"].as_array().unwrap().iter().map(|s| s["file"].as_str().unwrap()).collect();
    files.sort();
    assert_eq!(files, ["package.json", "pyproject.toml"], "{run}");
    repo.xtask(&["quality-check", "--only", "versions"]).code(0);

    // A glob works too, and a release writes only the sources that are kept.
    repo.write("xtask.toml", "[versions]\nexclude = [\"ui-tests/**\"]\n");
    repo.commit_all("chore: configure");
    repo.xtask(&["release", "1.1.0", "--no-verify"]).code(0);
    assert!(repo.read("package.json").contains("\"1.1.0\""));
    assert!(repo.read("ui-tests/package.json").contains("\"0.1.0\""));
}

#[test]
fn a_version_table_or_exclude_beside_a_list_is_exit_2_and_changes_nothing() {
    let repo = jupyter_like();
    for (toml, want) in [
        ("# sources\n[version]\nexclude = [\"ui-tests/package.json\"]\n", "line 2: [version] is a table"),
        (
            "[versions]\nexclude = [\"ui-tests/package.json\"]\n\n[[version]]\npath = \"pyproject.toml\"\n",
            "line 1: [versions] exclude drops detected sources, but the [[version]] entries replace detection",
        ),
        ("[versions]\nexclude = [\"ui-tests/[\"]\n", "line 2: \"ui-tests/[\" is not a valid glob"),
    ] {
        repo.write("xtask.toml", toml);
        let before = repo.snapshot();
        let run = repo.xtask(&["version", "--check"]);
        run.code(2);
        assert!(run.stderr.contains("xtask.toml") && run.stderr.contains(want), "{toml}\n{run}");
        support::assert_same(&before, &repo.snapshot());
        let run = repo.xtask(&["release", "1.1.0", "--no-verify"]);
        run.code(2);
        support::assert_same(&before, &repo.snapshot());
    }
    repo.write("xtask.toml", "[version]\nexclude = [\"ui-tests/package.json\"]\n");
    assert!(repo.xtask(&["version"]).stderr.contains("write it as [versions] exclude = [...] (with an s)"));
}
