//! The detected lint and type-check gates on real repositories with the real tools (ruff, mypy,
//! flake8, black, isort, bandit from scripts/requirements-test.txt, and npm): listed, run, failed
//! with the tool's findings, an error naming the install command when a tool is missing, turned
//! off or replaced in xtask.toml, keyed by the gate cache; and `when-env` opt-in gates.

mod support;

use support::{TestRepo, assert_same, findings, gate};

/// A Python backend with ruff (pyproject) and mypy (mypy.ini) configured, and a frontend whose
/// `lint` script is plain node.
fn repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "backend/pyproject.toml",
        "[project]\nname = \"pkg\"\nversion = \"0.1.0\"\n\n[tool.ruff]\nline-length = 100\n",
    );
    repo.write("backend/mypy.ini", "[mypy]\nstrict = True\n");
    repo.write("backend/pkg/__init__.py", "def add(a: int, b: int) -> int:\n    return a + b\n");
    repo.write(
        "frontend/package.json",
        "{\n  \"name\": \"fe\",\n  \"version\": \"0.1.0\",\n  \"scripts\": {\n    \"lint\": \"node lint.js\"\n  }\n}\n",
    );
    // A lint of its own: fails on a `var` in src/.
    repo.write(
        "frontend/lint.js",
        "const fs = require('fs');\nconst text = fs.readFileSync('src/app.js', 'utf8');\n\
         if (text.includes('var ')) { console.log('src/app.js:1:1: no var'); process.exit(1); }\n",
    );
    repo.write("frontend/src/app.js", "const x = 1;\nconsole.log(x);\n");
    repo.write(".gitignore", "node_modules/\n");
    repo.commit_all("chore: initial import");
    repo
}

fn names(doc: &serde_json::Value) -> Vec<String> {
    doc["gates"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap().to_string()).collect()
}

/// PATH without the folders that hold `tool`.
fn path_without(tool: &str) -> String {
    let path = std::env::var_os("PATH").unwrap();
    let kept: Vec<_> = std::env::split_paths(&path).filter(|dir| !dir.join(tool).exists()).collect();
    std::env::join_paths(kept).unwrap().into_string().unwrap()
}

#[test]
fn ruff_mypy_and_an_npm_lint_script_are_listed_and_run() {
    let repo = repo();
    let list = repo.xtask(&["quality-check", "--list", "--json"]);
    list.code(0);
    let doc = list.json();
    let all = names(&doc);
    for name in ["ruff", "mypy", "npm-lint"] {
        assert!(all.contains(&name.to_string()), "{name} not in {all:?}");
        assert!(doc["matrix"]["gate"].as_array().unwrap().iter().any(|g| g == name), "{doc:#}");
    }
    let ruff = gate(&doc, "ruff");
    assert_eq!(ruff["kind"], "lint");
    assert_eq!(ruff["cwd"], "backend");
    assert_eq!(ruff["run"][0], "ruff");
    assert_eq!(ruff["run"][1], "check");
    assert_eq!(ruff["install"], "pip install ruff");
    assert_eq!(ruff["reason"], "[tool.ruff] in backend/pyproject.toml");
    assert_eq!(gate(&doc, "mypy")["reason"], "[mypy] in backend/mypy.ini");
    assert_eq!(gate(&doc, "npm-lint")["run"], serde_json::json!(["npm", "run", "--silent", "lint"]));
    assert_eq!(gate(&doc, "npm-lint")["cwd"], "frontend");
    let text = repo.xtask(&["quality-check", "--list"]);
    assert!(
        text.stdout.contains("ruff      `ruff check --no-cache --output-format concise .` in backend/ exits 0"),
        "{text}"
    );

    let before = repo.snapshot();
    let run = repo.xtask(&["quality-check", "--only", "ruff,mypy,npm-lint", "--json"]);
    run.code(0);
    let doc = run.json();
    for name in ["ruff", "mypy", "npm-lint"] {
        assert_eq!(gate(&doc, name)["status"], "passed", "{run}");
    }
    // Neither .ruff_cache, .mypy_cache nor __pycache__ is left in the tree.
    assert_same(&before, &repo.snapshot());
    assert_eq!(repo.git(&["status", "--porcelain", "--ignored"]), "");
}

#[test]
fn a_lint_error_fails_its_gate_with_the_tools_finding() {
    let repo = repo();
    repo.write("backend/pkg/__init__.py", "import os\n\n\ndef add(a: int, b: int) -> int:\n    return a + b\n");
    repo.write("backend/pkg/typed.py", "x: int = \"text\"\n");
    repo.write("frontend/src/app.js", "var x = 1;\n");
    let run = repo.xtask(&["quality-check", "--only", "ruff,mypy,npm-lint", "--json"]);
    run.code(1);
    let doc = run.json();
    for name in ["ruff", "mypy", "npm-lint"] {
        assert_eq!(gate(&doc, name)["status"], "failed", "{run}");
    }
    let found = findings(&doc);
    assert!(found.contains(&("ruff".into(), "backend/pkg/__init__.py".into(), 1, 8)), "{found:?}");
    assert!(found.contains(&("mypy".into(), "backend/pkg/typed.py".into(), 1, 0)), "{found:?}");
    let ruff = &gate(&doc, "ruff")["findings"][0]["message"];
    assert!(ruff.as_str().unwrap().starts_with("F401"), "{ruff}");
    // The script's `PATH:LINE:COL: message` lines are findings at their files too.
    assert!(found.contains(&("npm-lint".into(), "frontend/src/app.js".into(), 1, 1)), "{found:?}");
    assert_eq!(gate(&doc, "npm-lint")["findings"][0]["message"], "no var");
    // People read the finding on stderr under --json, with its place.
    assert!(run.stderr.contains("backend/pkg/__init__.py:1:8: ruff: F401"), "{run}");
}

#[test]
fn a_missing_tool_is_an_error_that_names_the_install_command() {
    let repo = repo();
    let path = path_without("ruff");
    let run = repo.xtask_with(&["quality-check", "--only", "ruff", "--json"], |cmd| {
        cmd.env("PATH", &path);
    });
    run.code(2);
    let ruff = gate(&run.json(), "ruff").clone();
    assert_eq!(ruff["status"], "error", "{run}");
    assert!(run.stderr.contains("ruff: error: `ruff` is not installed (it is not on PATH); pip install ruff"), "{run}");

    // An npm package that declares dependencies but has no node_modules.
    repo.write(
        "frontend/package.json",
        "{\"name\": \"fe\", \"version\": \"0.1.0\", \"scripts\": {\"lint\": \"eslint .\"},\n \
         \"devDependencies\": {\"eslint\": \"9.0.0\"}}\n",
    );
    let run = repo.xtask(&["quality-check", "--only", "npm-lint"]);
    run.code(2);
    assert!(
        run.stdout.contains(
            "npm-lint: error: frontend/node_modules does not exist: the script's tools are not installed; \
             run `npm install` in frontend/"
        ),
        "{run}"
    );
}

#[test]
fn every_python_tool_is_detected_from_its_own_configuration() {
    let repo = TestRepo::new();
    repo.write(
        "api/pyproject.toml",
        "[project]\nname = \"api\"\nversion = \"1.0.0\"\n\n[tool.black]\nline-length = 88\n\n\
         [tool.bandit]\nskips = []\n",
    );
    repo.write("api/setup.cfg", "[flake8]\nmax-line-length = 100\n\n[isort]\nprofile = black\n");
    repo.write(
        "api/service/__init__.py",
        "import json\nimport os\n\n\ndef env() -> str:\n    return json.dumps(dict(os.environ))\n",
    );
    repo.write("api/tests/test_service.py", "def test_x():\n    assert True\n");
    repo.commit_all("chore: initial import");
    let list = repo.xtask(&["quality-check", "--list", "--json"]);
    let doc = list.json();
    let lint: Vec<String> =
        names(&doc).into_iter().filter(|n| ["flake8", "black", "isort", "bandit"].contains(&n.as_str())).collect();
    assert_eq!(lint, ["flake8", "black", "isort", "bandit"], "{list}");
    assert_eq!(gate(&doc, "flake8")["reason"], "[flake8] in api/setup.cfg");
    assert_eq!(gate(&doc, "isort")["run"], serde_json::json!(["isort", "--check-only", "--diff", "."]));
    assert_eq!(gate(&doc, "black")["run"], serde_json::json!(["black", "--check", "--diff", "."]));
    // bandit scans the package with the pyproject's settings, not the tests.
    let bandit =
        gate(&doc, "bandit")["run"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect::<Vec<_>>();
    assert_eq!(bandit[..4], ["bandit", "-q", "-c", "pyproject.toml"]);
    assert_eq!(bandit[bandit.len() - 2..], ["-r", "service"]);
    let run = repo.xtask(&["quality-check", "--only", "flake8,black,isort,bandit", "--json"]);
    run.code(0);

    // Unsorted imports, a line black would wrap, and a shell call bandit reports.
    repo.write(
        "api/service/__init__.py",
        "import os\nimport json\nimport subprocess\n\n\ndef env() -> str:\n    \
         subprocess.call(\"ls\", shell=True)\n    return json.dumps(dict(os.environ), indent=2, sort_keys=True, ensure_ascii=False, default=str, separators=None)\n",
    );
    let run = repo.xtask(&["quality-check", "--only", "flake8,black,isort,bandit", "--json"]);
    run.code(1);
    let doc = run.json();
    for name in ["flake8", "black", "isort", "bandit"] {
        assert_eq!(gate(&doc, name)["status"], "failed", "{name}\n{run}");
    }
    assert!(findings(&doc).contains(&("flake8".into(), "api/service/__init__.py".into(), 8, 101)), "{run}");
    let black = gate(&doc, "black")["findings"][0]["message"].as_str().unwrap();
    assert!(black.contains("would reformat"), "{black}");
    let bandit: Vec<&str> =
        gate(&doc, "bandit")["findings"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert!(bandit.iter().any(|m| m.starts_with("B602 ")), "{bandit:?}");
    assert!(findings(&doc).contains(&("bandit".into(), "api/service/__init__.py".into(), 7, 4)), "{run}");
}

#[test]
fn lint_gates_are_turned_off_or_replaced_in_xtask_toml() {
    let repo = repo();
    repo.write(
        "xtask.toml",
        "[gates.ruff]\nenabled = false\n\n[[gates.command]]\nname = \"mypy\"\nrun = [\"true\"]\ncwd = \"backend\"\n",
    );
    repo.commit_all("chore: configure");
    let doc = repo.xtask(&["quality-check", "--list", "--json"]).json();
    let all = names(&doc);
    assert!(!all.contains(&"ruff".to_string()), "{all:?}");
    assert_eq!(gate(&doc, "mypy")["kind"], "command");
    assert!(all.contains(&"npm-lint".to_string()));
    // [gates] detect = false drops them, unless their section asks for them.
    repo.write("xtask.toml", "[gates]\ndetect = false\n\n[gates.ruff]\ncache = false\n");
    let doc = repo.xtask(&["quality-check", "--list", "--json"]).json();
    assert_eq!(names(&doc), ["ruff"]);
    assert_eq!(gate(&doc, "ruff")["cache"]["enabled"], false);
}

#[test]
fn the_gate_cache_keys_a_lint_gate_on_its_files_and_config() {
    let repo = repo();
    let status = |run: &support::Run, name: &str| gate(&run.json(), name)["status"].as_str().unwrap().to_string();
    let only = ["quality-check", "--only", "ruff,mypy", "--json"];
    repo.xtask(&only).code(0);
    let again = repo.xtask(&only);
    assert_eq!((status(&again, "ruff"), status(&again, "mypy")), ("cached".into(), "cached".into()), "{again}");
    // A frontend file is not theirs.
    repo.write("frontend/src/app.js", "const y = 2;\n");
    let run = repo.xtask(&only);
    assert_eq!((status(&run, "ruff"), status(&run, "mypy")), ("cached".into(), "cached".into()), "{run}");
    // mypy's config is mypy's, not ruff's.
    repo.write("backend/mypy.ini", "[mypy]\nstrict = True\nwarn_unreachable = True\n");
    let run = repo.xtask(&only);
    assert_eq!((status(&run, "ruff"), status(&run, "mypy")), ("cached".into(), "passed".into()), "{run}");
    // A Python file is both.
    repo.write("backend/pkg/more.py", "Y: int = 2\n");
    let run = repo.xtask(&only);
    assert_eq!((status(&run, "ruff"), status(&run, "mypy")), ("passed".into(), "passed".into()), "{run}");
}

#[test]
fn when_env_gates_run_only_when_their_variable_is_set() {
    let repo = TestRepo::new();
    repo.write(
        "xtask.toml",
        "[gates]\ndetect = false\n\n[[gates.command]]\nname = \"smoke\"\n\
         run = [\"python3\", \"-c\", \"print('smoke ran')\"]\nwhen-env = \"RUN_SMOKE\"\n",
    );
    repo.commit_all("chore: configure");
    let list = repo.xtask_with(&["quality-check", "--list"], |c| {
        c.env_remove("RUN_SMOKE");
    });
    assert!(list.stdout.contains("runs only when RUN_SMOKE is set and not empty (it is not now)"), "{list}");
    for value in [None, Some("")] {
        let run = repo.xtask_with(&["quality-check", "--json"], |c| {
            match value {
                None => c.env_remove("RUN_SMOKE"),
                Some(v) => c.env("RUN_SMOKE", v),
            };
        });
        run.code(0);
        let smoke = gate(&run.json(), "smoke").clone();
        assert_eq!(smoke["status"], "skipped", "{run}");
        assert_eq!(smoke["note"], "when-env: RUN_SMOKE is not set", "{run}");
    }
    let run = repo.xtask_with(&["quality-check", "--json"], |c| {
        c.env("RUN_SMOKE", "1");
    });
    run.code(0);
    assert_eq!(gate(&run.json(), "smoke")["status"], "passed", "{run}");
    // The pass is cached for RUN_SMOKE=1 only: unset, the gate is skipped again.
    let run = repo.xtask_with(&["quality-check", "--json"], |c| {
        c.env_remove("RUN_SMOKE");
    });
    assert_eq!(gate(&run.json(), "smoke")["status"], "skipped", "{run}");
    let run = repo.xtask_with(&["quality-check", "--json"], |c| {
        c.env("RUN_SMOKE", "1");
    });
    assert_eq!(gate(&run.json(), "smoke")["status"], "cached", "{run}");
}

#[test]
fn a_bad_when_env_is_refused_with_its_line_and_nothing_changes() {
    let repo = TestRepo::new();
    repo.write("xtask.toml", "[[gates.command]]\nname = \"smoke\"\nrun = [\"true\"]\nwhen-env = \"1 BAD\"\n");
    repo.commit_all("chore: configure");
    let before = repo.snapshot();
    let run = repo.xtask(&["quality-check"]);
    run.code(2);
    assert!(
        run.stderr.contains("xtask.toml: line 4: [[gates.command]] when-env \"1 BAD\" is not a variable name"),
        "{run}"
    );
    assert_same(&before, &repo.snapshot());
}

#[test]
fn init_writes_the_lint_gates_and_installs_their_tools_in_ci() {
    let repo = repo();
    let engine = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).display().to_string();
    repo.xtask(&["init", "--from", "path", "--engine", &engine]).code(0);
    let toml = repo.read("xtask.toml");
    // `detect = false` in the written file: the lint gates are written out as commands.
    for (name, run) in [("ruff", "\"ruff\", \"check\""), ("mypy", "\"mypy\", \".\""), ("npm-lint", "\"npm\", \"run\"")]
    {
        assert!(toml.contains(&format!("name = \"{name}\"\nrun = [{run}")), "{name}\n{toml}");
    }
    let ci = &toml[toml.find("[ci]").expect("a [ci] section")..];
    let pip = ci.lines().find(|l| l.contains("\"pip\", \"install\"")).unwrap_or_else(|| panic!("{ci}"));
    assert!(pip.contains("\"ruff\"") && pip.contains("\"mypy\""), "{pip}");
    assert!(ci.contains("\"npm\", \"install\", \"--prefix\", \"frontend\""), "{ci}");
    assert!(ci.contains("python = ") && ci.contains("node = "), "{ci}");
    let doc = repo.xtask(&["quality-check", "--list", "--json"]).json();
    assert_eq!(gate(&doc, "ruff")["kind"], "command");
}
