//! The gate cache and `quality-check --changed` on real repositories: a second run with nothing
//! changed reports every gate `cached` and runs nothing; a failure is never cached; the command,
//! a listed environment variable, an input file, a new untracked file under the gate's folder
//! and a followed version file each invalidate; `--no-cache` and `cache = false`; `--changed`
//! runs only the gates that read a changed file and says which base it used; concurrent runs;
//! JSON and the job summary.

mod support;

use std::path::{Path, PathBuf};

use support::origin::Project;
use support::{Run, TestRepo, assert_same};

/// A file outside the repository that a command gate appends a line to each time it runs.
struct Counter {
    dir: tempfile::TempDir,
}

impl Counter {
    fn new() -> Counter {
        Counter { dir: tempfile::tempdir().unwrap() }
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("runs.log")
    }

    /// A path outside the repository whose existence a gate can test.
    fn flag(&self) -> PathBuf {
        self.dir.path().join("flag")
    }

    /// How many times gate `name` ran.
    fn runs(&self, name: &str) -> usize {
        std::fs::read_to_string(self.log()).unwrap_or_default().lines().filter(|l| *l == name).count()
    }

    /// A `[[gates.command]]` named `name` that logs each run, then runs `then` (a shell line).
    fn gate(&self, name: &str, extra: &str, then: &str) -> String {
        format!(
            "[[gates.command]]\nname = \"{name}\"\nrun = [\"sh\", \"-c\", '''echo {name} >> \"{}\"; {then}''']\n{extra}\n",
            self.log().display()
        )
    }
}

/// (gate, status) of every gate of a `--json` run.
fn statuses(run: &Run) -> Vec<(String, String)> {
    run.json()["gates"]
        .as_array()
        .unwrap_or_else(|| panic!("no gates\n{run}"))
        .iter()
        .map(|g| (g["name"].as_str().unwrap().to_string(), g["status"].as_str().unwrap().to_string()))
        .collect()
}

fn status(run: &Run, gate: &str) -> String {
    let found = statuses(run).into_iter().find(|(n, _)| n == gate);
    found.unwrap_or_else(|| panic!("no gate {gate}\n{run}")).1
}

fn gate_json(run: &Run, gate: &str) -> serde_json::Value {
    let doc = run.json();
    let found = doc["gates"].as_array().unwrap().iter().find(|g| g["name"] == gate).cloned();
    found.unwrap_or_else(|| panic!("no gate {gate}\n{run}"))
}

fn check(repo: &TestRepo, args: &[&str]) -> Run {
    let mut all = vec!["--json", "quality-check"];
    all.extend_from_slice(args);
    repo.xtask(&all)
}

fn check_env(repo: &TestRepo, vars: &[(&str, &str)]) -> Run {
    repo.xtask_with(&["--json", "quality-check"], |cmd| {
        cmd.env_remove("MODE");
        for (k, v) in vars {
            cmd.env(k, v);
        }
    })
}

/// The entries of the gate cache (not its own bookkeeping).
fn entries(repo: &TestRepo) -> Vec<String> {
    let dir = repo.path(".git/xtask/gate-cache");
    let Ok(read) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut names: Vec<String> = read.map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.retain(|n| n != "engine");
    names.sort();
    names
}

/// A repository with a backend folder, docs, and the given xtask.toml, committed.
fn small(config: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("backend/app.py", "x = 1\n");
    repo.write("docs/guide.md", "# Guide\n\nSee [the app](../backend/app.py).\n");
    repo.write(".gitignore", "backend/build/\n");
    repo.write("xtask.toml", format!("[gates]\ndetect = false\n[gates.ascii]\n[gates.links]\n\n{config}"));
    repo.commit_all("chore: initial import");
    repo
}

#[test]
fn a_second_run_with_nothing_changed_reports_every_gate_cached() {
    let repo = TestRepo::from_fixture("lot-genius");
    let first = check(&repo, &[]);
    first.code(0);
    let names: Vec<String> = statuses(&first).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["versions", "ascii", "ellipsis", "compile", "links", "tests"], "{first}");
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
    assert!(second.stderr.contains("quality-check passed (6 gates, 6 cached)"), "{second}");
    // The human table says so too, and nothing in the work tree changed.
    let table = repo.xtask(&["quality-check"]);
    let row = table.stdout.lines().find(|l| l.starts_with("tests")).unwrap().to_string();
    assert!(row.contains(" cached ") && row.contains(&format!("(passed at {passed_at} in ")), "{table}");
    assert_same(&before, &repo.snapshot());
    assert_eq!(repo.git(&["status", "--porcelain", "--ignored"]), "");
    assert_eq!(entries(&repo).len(), 6);
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

/// `small` with a backend gate, pushed to an `origin` that the branch tracks.
fn tracked(counter: &Counter) -> Project {
    let repo = small(&counter.gate("lint", "cwd = \"backend\"", "true"));
    let project = Project::with_origin(repo, &["main"]);
    project.git(&["branch", "-q", "--set-upstream-to", "origin/main"]);
    project
}

#[test]
fn changed_runs_only_the_gates_that_read_a_changed_file() {
    let counter = Counter::new();
    let project = tracked(&counter);
    let base = project.git(&["rev-parse", "HEAD"]);
    project.write("docs/guide.md", "# Guide\n\nNow longer.\n");
    let run = check(&project, &["--changed", "--no-cache"]);
    run.code(0);
    assert_eq!(status(&run, "ascii"), "passed", "{run}");
    assert_eq!(status(&run, "links"), "passed", "{run}");
    assert_eq!(status(&run, "lint"), "skipped", "{run}");
    let note = gate_json(&run, "lint")["note"].as_str().unwrap().to_string();
    assert_eq!(note, format!("--changed: reads none of the 1 files changed since {}", &base[..12]));
    let said = format!(
        "--changed: 1 files changed since {} (the merge base of HEAD and origin/main); 2 of 3 gates read them",
        &base[..12]
    );
    assert!(run.stderr.contains(&said), "{run}");
    assert_eq!(counter.runs("lint"), 0);
    // A commit on top changes nothing: the base is still the merge base with the upstream.
    project.write("backend/app.py", "x = 5\n");
    project.commit_all("fix: five");
    let run = check(&project, &["--changed"]);
    assert_eq!(status(&run, "lint"), "passed", "{run}");
    // An explicit base, and the configuration: every gate runs when xtask.toml changed.
    let run = check(&project, &["--changed", "HEAD"]);
    assert!(statuses(&run).iter().all(|(_, s)| s == "skipped"), "{run}");
    assert!(run.stderr.contains("--changed: 0 files changed since") && run.stderr.contains("(HEAD); 0 of 3"), "{run}");
    let config = project.read("xtask.toml");
    project.write("xtask.toml", format!("{config}\n# a comment\n"));
    let run = check(&project, &["--changed", "HEAD", "--no-cache"]);
    assert!(statuses(&run).iter().all(|(_, s)| s == "passed"), "{run}");
}

#[test]
fn changed_without_a_base_or_with_a_bad_one_changes_nothing() {
    let counter = Counter::new();
    let repo = small(&counter.gate("lint", "", "true"));
    let before = repo.snapshot();
    let run = repo.xtask(&["quality-check", "--changed"]);
    run.code(2);
    assert!(
        run.stderr.contains("--changed: the branch has no upstream and origin/HEAD does not exist")
            && run.stderr.contains("--changed main"),
        "{run}"
    );
    let run = repo.xtask(&["quality-check", "--changed", "no-such-branch"]);
    run.code(2);
    assert!(run.stderr.contains("--changed no-such-branch: not a commit of this repository"), "{run}");
    assert_same(&before, &repo.snapshot());
    assert_eq!(counter.runs("lint"), 0);
    assert!(entries(&repo).is_empty());
    let plain = TestRepo::plain();
    let run = plain.xtask(&["quality-check", "--changed"]);
    run.code(2);
    assert!(run.stderr.contains("--changed needs git"), "{run}");
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

#[test]
fn the_job_summary_shows_cached_and_skipped_gates() {
    let counter = Counter::new();
    let project = tracked(&counter);
    check(&project, &[]).code(0);
    project.write("docs/guide.md", "# Guide\n\nEdited.\n");
    let summary = tempfile::NamedTempFile::new().unwrap();
    let path: &Path = summary.path();
    let run = project.xtask_with(&["quality-check", "--changed"], |cmd| {
        cmd.env("GITHUB_ACTIONS", "true").env("GITHUB_STEP_SUMMARY", path);
    });
    run.code(0);
    let md = std::fs::read_to_string(path).unwrap();
    assert!(md.contains("| lint | skipped (--changed: reads none of the 1 files changed since "), "{md}");
    assert!(md.contains("| ascii | passed | 0 |"), "{md}");
    let run = project.xtask_with(&["quality-check"], |cmd| {
        cmd.env("GITHUB_ACTIONS", "true").env("GITHUB_STEP_SUMMARY", path);
    });
    run.code(0);
    let md = std::fs::read_to_string(path).unwrap();
    assert!(md.contains("| lint | cached (passed at "), "{md}");
}
