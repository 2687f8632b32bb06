//! The gate cache on real repositories: a second run with nothing changed reports every gate
//! `cached` and runs nothing; a failure is never cached; the command, a listed environment
//! variable, an input file, a new untracked file under the gate's folder and a followed version
//! file each invalidate; `--no-cache` and `cache = false`; bad settings; concurrent runs.

mod gate_cache_util;
mod support;

use gate_cache_util::{Counter, check, check_env, entries, gate_json, small, status, statuses};
use support::{TestRepo, assert_same};

#[test]
fn a_second_run_with_nothing_changed_reports_every_gate_cached() {
    let repo = TestRepo::from_fixture("lot-genius");
    let first = check(&repo, &[]);
    first.code(0);
    let names: Vec<String> = statuses(&first).into_iter().map(|(n, _)| n).collect();
    // mypy: the fixture's pyproject has a [tool.mypy] section.
    assert_eq!(names, ["versions", "ascii", "ellipsis", "compile", "links", "tests", "mypy"], "{first}");
    assert!(statuses(&first).iter().all(|(_, s)| s == "passed"), "{first}");
    let before = repo.snapshot();
    let second = check(&repo, &[]);
    second.code(0);
    assert!(statuses(&second).iter().all(|(_, s)| s == "cached"), "{second}");
    let tests = gate_json(&second, "tests");
    let passed_at = tests["passed_at"].as_str().unwrap();
    assert!(passed_at.len() == 20 && passed_at.ends_with('Z') && &passed_at[10..11] == "T", "{passed_at}");
    assert!(tests["note"].as_str().unwrap().starts_with(&format!("passed at {passed_at} in ")), "{second}");
    assert_eq!(tests["duration_ms"], 0);
    assert!(second.stderr.contains("quality-check passed (7 gates, 7 cached)"), "{second}");
    // The human table says so too, and nothing in the work tree changed.
    let table = repo.xtask(&["quality-check"]);
    let row = table.stdout.lines().find(|l| l.starts_with("tests")).unwrap().to_string();
    assert!(row.contains(" cached ") && row.contains(&format!("(passed at {passed_at} in ")), "{table}");
    assert_same(&before, &repo.snapshot());
    assert_eq!(repo.git(&["status", "--porcelain", "--ignored"]), "");
    assert_eq!(entries(&repo).len(), 7);
}

#[test]
fn a_failure_is_never_cached() {
    let counter = Counter::new();
    let flag = counter.flag();
    let repo = small(&counter.gate("lint", "cwd = \"backend\"", &format!("test -f \"{}\"", flag.display())));
    check(&repo, &[]).code(1);
    let again = check(&repo, &[]);
    again.code(1);
    assert_eq!(status(&again, "lint"), "failed", "{again}");
    assert_eq!(counter.runs("lint"), 2, "a failure is run again");
    // The same inputs now pass (what changed is outside them): the pass is recorded, once.
    std::fs::write(&flag, "").unwrap();
    assert_eq!(status(&check(&repo, &[]), "lint"), "passed");
    assert_eq!(status(&check(&repo, &[]), "lint"), "cached");
    assert_eq!(counter.runs("lint"), 3);
    assert_eq!(entries(&repo).len(), 3, "ascii, links and the pass of lint");
}

#[test]
fn the_command_a_listed_variable_and_an_input_file_invalidate() {
    let counter = Counter::new();
    let lint = counter.gate("lint", "cwd = \"backend\"\nenv = [\"MODE\"]", "true");
    let repo = small(&lint);
    let runs = || counter.runs("lint");
    check_env(&repo, &[]).code(0);
    assert_eq!(status(&check_env(&repo, &[]), "lint"), "cached");
    assert_eq!(runs(), 1);
    // A variable it lists; then one it does not.
    assert_eq!(status(&check_env(&repo, &[("MODE", "strict")]), "lint"), "passed");
    assert_eq!(status(&check_env(&repo, &[("MODE", "strict")]), "lint"), "cached");
    assert_eq!(status(&check_env(&repo, &[("MODE", "strict"), ("UNLISTED", "1")]), "lint"), "cached");
    assert_eq!(status(&check_env(&repo, &[("MODE", "")]), "lint"), "passed", "empty is not unset");
    assert_eq!(runs(), 3);
    // An input file, edited; committing it changes nothing; a file outside its folder neither.
    repo.write("backend/app.py", "x = 2\n");
    assert_eq!(status(&check_env(&repo, &[]), "lint"), "passed");
    repo.commit_all("fix: two");
    let committed = check_env(&repo, &[]);
    assert_eq!(status(&committed, "lint"), "cached", "{committed}");
    repo.write("docs/guide.md", "# Guide, edited\n");
    let docs = check_env(&repo, &[]);
    assert_eq!((status(&docs, "lint"), status(&docs, "ascii")), ("cached".into(), "passed".into()), "{docs}");
    // The executable bit is part of a file's identity.
    let app = repo.path("backend/app.py");
    std::fs::set_permissions(&app, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    assert_eq!(status(&check_env(&repo, &[]), "lint"), "passed");
    assert_eq!(runs(), 5);
    // The gate's command.
    let config = repo.read("xtask.toml").replace("; true", "; true --changed-command");
    repo.write("xtask.toml", config);
    assert_eq!(status(&check_env(&repo, &[]), "lint"), "passed");
    assert_eq!(runs(), 6);
}

#[test]
fn an_untracked_file_under_the_folder_invalidates_an_ignored_one_does_not() {
    let counter = Counter::new();
    let repo = small(&counter.gate("lint", "cwd = \"backend\"", "true"));
    check(&repo, &[]).code(0);
    repo.write("backend/build/generated.py", "ignored = True\n");
    repo.write("notes.txt", "outside the folder\n");
    assert_eq!(status(&check(&repo, &[]), "lint"), "cached");
    repo.write("backend/new.py", "y = 1\n");
    assert_eq!(status(&check(&repo, &[]), "lint"), "passed");
    assert_eq!(status(&check(&repo, &[]), "lint"), "cached");
    std::fs::remove_file(repo.path("backend/new.py")).unwrap();
    assert_eq!(status(&check(&repo, &[]), "lint"), "cached", "back to a state that passed");
    std::fs::remove_file(repo.path("backend/app.py")).unwrap();
    assert_eq!(status(&check(&repo, &[]), "lint"), "passed", "a deleted input");
    assert_eq!(counter.runs("lint"), 3);
}

#[test]
fn inputs_globs_replace_the_folder() {
    let counter = Counter::new();
    let repo = small(&counter.gate("build", "inputs = [\"src/**\", \"Cargo.toml\"]", "true"));
    repo.write("src/lib.rs", "fn a() {}\n");
    repo.commit_all("feat: src");
    check(&repo, &[]).code(0);
    repo.write("backend/app.py", "x = 3\n");
    repo.write("docs/guide.md", "# Another guide\n");
    assert_eq!(status(&check(&repo, &[]), "build"), "cached");
    repo.write("Cargo.toml", "[workspace]\n");
    assert_eq!(status(&check(&repo, &[]), "build"), "passed");
    repo.write("src/lib.rs", "fn b() {}\n");
    assert_eq!(status(&check(&repo, &[]), "build"), "passed");
    assert_eq!(counter.runs("build"), 3);
}

#[test]
fn no_cache_and_cache_false_run_every_time() {
    let counter = Counter::new();
    let config = format!("{}{}", counter.gate("lint", "", "true"), counter.gate("clock", "cache = false", "true"));
    let repo = small(&config);
    let first = check(&repo, &["--no-cache"]);
    assert!(statuses(&first).iter().all(|(_, s)| s == "passed"), "{first}");
    assert!(entries(&repo).is_empty(), "--no-cache records nothing");
    assert!(!repo.path(".git/xtask").exists(), "--no-cache writes nothing under .git");
    check(&repo, &[]).code(0);
    let cached = check(&repo, &[]);
    assert_eq!((status(&cached, "lint"), status(&cached, "clock")), ("cached".into(), "passed".into()));
    assert_eq!(status(&check(&repo, &["--no-cache"]), "lint"), "passed");
    assert_eq!((counter.runs("lint"), counter.runs("clock")), (3, 4));
}

#[test]
fn a_dynamic_pyproject_follows_its_version_file_into_the_key() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"pkg\"\ndynamic = [\"version\"]\n\n[tool.setuptools.dynamic]\nversion = {attr = \"pkg.__version__\"}\n",
    );
    repo.write("pkg/__init__.py", "__version__ = \"1.0.0\"\n");
    repo.write("package.json", "{\n  \"name\": \"web\",\n  \"version\": \"1.0.0\"\n}\n");
    repo.write(
        "xtask.toml",
        "[[version]]\npath = \"pyproject.toml\"\n[[version]]\npath = \"package.json\"\n[gates]\ndetect = false\n[gates.versions]\n",
    );
    repo.commit_all("chore: initial import");
    check(&repo, &[]).code(0);
    assert_eq!(status(&check(&repo, &[]), "versions"), "cached");
    repo.write("pkg/__init__.py", "__version__ = \"1.1.0\"\n");
    let run = check(&repo, &[]);
    run.code(1);
    assert_eq!(status(&run, "versions"), "failed", "{run}");
}

#[test]
fn links_rerun_when_a_file_they_point_to_goes() {
    let repo = small("");
    repo.write("docs/diagram.png", "not really a png");
    repo.write("docs/guide.md", "# Guide\n\n![diagram](diagram.png)\n");
    repo.commit_all("docs: diagram");
    check(&repo, &[]).code(0);
    assert_eq!(status(&check(&repo, &[]), "links"), "cached");
    std::fs::remove_file(repo.path("docs/diagram.png")).unwrap();
    let run = check(&repo, &[]);
    run.code(1);
    assert_eq!(status(&run, "links"), "failed", "{run}");
    assert_eq!(status(&run, "ascii"), "cached", "{run}");
}

#[test]
fn a_gate_that_writes_into_its_inputs_is_not_recorded() {
    let counter = Counter::new();
    let repo = small(&counter.gate("gen", "cwd = \"backend\"", "echo $$ > generated.txt"));
    let run = repo.xtask(&["quality-check"]);
    run.code(0);
    assert!(run.stderr.contains("gen: not recorded in the gate cache: files it reads changed while it ran"), "{run}");
    assert_eq!(status(&check(&repo, &[]), "gen"), "passed");
    assert_eq!(counter.runs("gen"), 2);
}

#[test]
fn concurrent_runs_share_the_cache_safely() {
    let counter = Counter::new();
    let config: String = (0..4).map(|i| counter.gate(&format!("g{i}"), "", "sleep 0.1")).collect();
    let repo = small(&config);
    let bin = env!("CARGO_BIN_EXE_polyrelease");
    let children: Vec<_> = (0..4)
        .map(|_| {
            let mut cmd = std::process::Command::new(bin);
            cmd.arg("--root").arg(repo.root()).args(["-q", "quality-check"]);
            repo.env(&mut cmd);
            cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let run = check(&repo, &[]);
    assert!(statuses(&run).iter().all(|(_, s)| s == "cached"), "{run}");
    let names = entries(&repo);
    assert_eq!(names.len(), 6, "one entry per gate, no temporary files: {names:?}");
    for name in names {
        let text = std::fs::read_to_string(repo.path(".git/xtask/gate-cache").join(&name)).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap_or_else(|e| panic!("{name}: {e}: {text}"));
    }
}

#[test]
fn bad_cache_settings_name_the_file_and_line() {
    let repo = small("");
    for (config, says) in [
        (
            "[[gates.command]]\nname = \"a\"\nrun = [\"true\"]\ninputs = [\"../shared/**\"]\n",
            "line 4: inputs: \"../shared/**\" leaves the root",
        ),
        (
            "[[gates.command]]\nname = \"a\"\nrun = [\"true\"]\ninputs = [\"src/[a\"]\n",
            "line 4: inputs: \"src/[a\" is not a valid glob",
        ),
        (
            "[[gates.command]]\nname = \"a\"\nrun = [\"true\"]\nenv = [\"NOT-A-NAME\"]\n",
            "env: \"NOT-A-NAME\" is not a variable name",
        ),
        ("[gates.tests]\nenv = [\"1X\"]\n", "line 2: [gates.tests] env: \"1X\" is not a variable name"),
        ("[gates.ascii]\ncache = \"no\"\n", "line 2"),
    ] {
        repo.write("xtask.toml", config);
        let before = repo.snapshot();
        let run = repo.xtask(&["quality-check"]);
        run.code(2);
        assert!(run.stderr.contains("xtask.toml") && run.stderr.contains(says), "{says}\n{run}");
        assert_same(&before, &repo.snapshot());
    }
    // A list may also set a variable.
    let counter = Counter::new();
    repo.write("xtask.toml", counter.gate("a", "env = [\"KEYED\", \"SET=1\"]", "test \"$SET\" = 1"));
    repo.xtask(&["quality-check"]).code(0);
}
