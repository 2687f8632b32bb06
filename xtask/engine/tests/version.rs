//! `cargo xtask version` on real repositories: every source kind, drift, broken files,
//! dynamic pyprojects, workspaces and vendored packages, and the `versions` gate's findings.

mod support;

use support::TestRepo;

fn sources(doc: &serde_json::Value) -> Vec<(String, u64, String)> {
    doc["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (s["file"].as_str().unwrap().to_string(), s["line"].as_u64().unwrap(), s["raw"].as_str().unwrap().into())
        })
        .collect()
}

fn files(doc: &serde_json::Value) -> Vec<String> {
    let mut f: Vec<String> = sources(doc).into_iter().map(|(f, _, _)| f).collect();
    f.sort();
    f
}

#[test]
fn lot_genius_has_three_sources_that_agree() {
    let repo = TestRepo::from_fixture("lot-genius");
    let run = repo.xtask(&["version"]);
    run.code(0);
    for (file, line) in
        [("backend/pyproject.toml", " 7 "), ("backend/lotgenius/__init__.py", " 3 "), ("frontend/package.json", " 3 ")]
    {
        let row = run.stdout.lines().find(|l| l.starts_with(file)).unwrap_or_else(|| panic!("no {file}\n{run}"));
        assert!(row.contains(line) && row.contains("0.1.0") && row.contains("detected"), "{row}\n{run}");
    }
    assert!(run.stdout.contains("version 0.1.0 (all 3 sources agree)"), "{run}");
    assert!(!run.stdout.contains("python_version"), "{run}");

    let run = repo.xtask(&["--json", "version", "--check"]);
    run.code(0);
    let doc = run.json();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["version"], "0.1.0");
    let pyproject = &doc["sources"][0];
    assert_eq!(pyproject["file"], "backend/pyproject.toml");
    assert_eq!((pyproject["line"].as_u64(), pyproject["column"].as_u64()), (Some(7), Some(12)));
    assert_eq!((pyproject["form"].as_str(), pyproject["kind"].as_str()), (Some("pep440"), Some("pyproject")));
    assert_eq!(files(&doc), ["backend/lotgenius/__init__.py", "backend/pyproject.toml", "frontend/package.json"]);

    let run = repo.xtask(&["-q", "version"]);
    run.code(0);
    assert_eq!(run.stdout, "0.1.0\n", "{run}");
}

#[test]
fn drift_fails_check_naming_the_file() {
    let repo = TestRepo::from_fixture("lot-genius");
    let text = repo.read("frontend/package.json").replace("\"version\": \"0.1.0\"", "\"version\": \"0.2.0\"");
    repo.write("frontend/package.json", text);
    let before = repo.snapshot();

    let run = repo.xtask(&["version", "--check"]);
    run.code(1);
    assert!(run.stderr.contains("frontend/package.json differs from the majority (0.1.0"), "{run}");
    let row = run.stdout.lines().find(|l| l.starts_with("frontend/package.json")).unwrap();
    assert!(row.ends_with("<- differs"), "{run}");
    assert!(!run.stdout.lines().find(|l| l.starts_with("backend/pyproject.toml")).unwrap().contains("differs"));

    let run = repo.xtask(&["--json", "version", "--check"]);
    run.code(1);
    let doc = run.json();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["version"], serde_json::Value::Null);
    assert_eq!(doc["majority"], "0.1.0");
    assert_eq!(doc["differing"], serde_json::json!(["frontend/package.json"]));

    // Without --check it only lists and warns.
    let run = repo.xtask(&["version"]);
    run.code(0);
    assert!(run.stderr.contains("warning: version sources out of sync"), "{run}");
    support::assert_same(&before, &repo.snapshot());
}

#[test]
fn github_actions_gets_an_annotation_per_differing_file() {
    let repo = TestRepo::from_fixture("lot-genius");
    let text = repo.read("frontend/package.json").replace("\"version\": \"0.1.0\"", "\"version\": \"0.2.0\"");
    repo.write("frontend/package.json", text);
    let run = repo.xtask_with(&["version", "--check"], |cmd| {
        cmd.env("GITHUB_ACTIONS", "true");
    });
    run.code(1);
    let line = run.stdout.lines().find(|l| l.starts_with("::error ")).unwrap_or_else(|| panic!("{run}"));
    assert_eq!(
        line,
        "::error file=frontend/package.json,line=3,col=15,title=versions::version 0.2.0 differs from the majority \
         (0.1.0 in backend/pyproject.toml, backend/lotgenius/__init__.py)"
    );
    let run = repo.xtask_with(&["--json", "version", "--check"], |cmd| {
        cmd.env("GITHUB_ACTIONS", "true");
    });
    run.code(1);
    assert_eq!(run.json()["ok"], false);
    assert!(run.stderr.contains("::error file=frontend/package.json,line=3,col=15"), "{run}");
}

#[test]
fn pep440_and_semver_spellings_of_one_version_agree() {
    let repo = TestRepo::from_fixture("lot-genius");
    let set = |path: &str, from: &str, to: &str| repo.write(path, repo.read(path).replace(from, to));
    set("backend/pyproject.toml", "version = \"0.1.0\"", "version = \"1.2.0rc10\"");
    set("backend/lotgenius/__init__.py", "\"0.1.0\"", "'1.2.0.rc10'");
    set("frontend/package.json", "\"version\": \"0.1.0\"", "\"version\": \"1.2.0-rc.10\"");
    let run = repo.xtask(&["--json", "version", "--check"]);
    run.code(0);
    assert_eq!(run.json()["version"], "1.2.0-rc.10");
    set("frontend/package.json", "1.2.0-rc.10", "1.2.0-rc.9");
    repo.xtask(&["version", "--check"]).code(1);
}

#[test]
fn broken_manifests_are_exit_2_with_file_and_line() {
    let repo = TestRepo::from_fixture("lot-genius");
    repo.write("frontend/package.json", "{\n  \"name\": \"x\",\n  \"version\": \"0.1.0\",\n}\n");
    let run = repo.xtask(&["version"]);
    run.code(2);
    assert!(run.stderr.contains("frontend/package.json:4: invalid JSON"), "{run}");

    let repo = TestRepo::from_fixture("lot-genius");
    let text = repo.read("backend/pyproject.toml").replace("version = \"0.1.0\"", "version = \"0.1.0");
    repo.write("backend/pyproject.toml", text);
    let run = repo.xtask(&["--json", "version"]);
    run.code(2);
    assert!(run.stderr.contains("backend/pyproject.toml:7: invalid TOML"), "{run}");
    assert_eq!(run.json()["exit_code"], 2);

    let repo = TestRepo::from_fixture("lot-genius");
    let text = repo.read("backend/lotgenius/__init__.py").replace("\"0.1.0\"", "\"0.1.0.post1\"");
    repo.write("backend/lotgenius/__init__.py", text);
    let run = repo.xtask(&["version"]);
    run.code(2);
    assert!(run.stderr.contains("backend/lotgenius/__init__.py:3: __version__:"), "{run}");
    assert!(run.stderr.contains("post-release"), "{run}");

    let repo = TestRepo::from_fixture("lot-genius");
    repo.write("backend/lotgenius/__init__.py", b"\"\"\"Lot \xe9.\"\"\"\n__version__ = \"0.1.0\"\n");
    repo.write("xtask.toml", "[[version]]\npath = \"backend/lotgenius/__init__.py\"\n");
    let run = repo.xtask(&["version"]);
    run.code(2);
    assert!(run.stderr.contains("backend/lotgenius/__init__.py:1: is not valid UTF-8"), "{run}");
}

#[test]
fn a_dynamic_setuptools_attr_is_read_where_setuptools_reads_it() {
    let repo = TestRepo::from_fixture("lot-genius");
    let text = repo
        .read("backend/pyproject.toml")
        .replace("version = \"0.1.0\"  # kept in sync by cargo xtask release\n", "dynamic = [\"version\"]\n")
        + "\n[tool.setuptools.dynamic]\nversion = {attr = \"lotgenius.__version__\"}\n";
    repo.write("backend/pyproject.toml", text);
    repo.commit_all("build: dynamic version");
    let run = repo.xtask(&["--json", "version", "--check"]);
    run.code(0);
    let doc = run.json();
    assert_eq!(files(&doc), ["backend/lotgenius/__init__.py", "frontend/package.json"], "{run}");
    let module = &doc["sources"][0];
    assert_eq!(module["path"], "backend/pyproject.toml");
    assert_eq!(module["file"], "backend/lotgenius/__init__.py");
    assert_eq!(module["via"], "backend/pyproject.toml (setuptools attr lotgenius.__version__)");

    let run = repo.xtask(&["version"]);
    assert!(run.stdout.contains("read through backend/pyproject.toml (setuptools attr"), "{run}");

    // The attr names a module that does not exist: an error at the setting's line.
    let text = repo.read("backend/pyproject.toml").replace("lotgenius.__version__", "lotgenius.about.__version__");
    repo.write("backend/pyproject.toml", text);
    let run = repo.xtask(&["version"]);
    run.code(2);
    assert!(run.stderr.contains("backend/pyproject.toml:19:"), "{run}");
    assert!(run.stderr.contains("backend/lotgenius/about/__init__.py"), "{run}");
}

#[test]
fn a_jupyterlab_extension_keeps_its_python_version_in_package_json() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[build-system]\nrequires = [\"hatchling\", \"hatch-nodejs-version\"]\nbuild-backend = \"hatchling.build\"\n\n[project]\nname = \"ext\"\ndynamic = [\"version\"]\n\n[tool.hatch.version]\nsource = \"nodejs\"\n",
    );
    repo.write("package.json", "{\n  \"name\": \"ext\",\n  \"version\": \"4.1.0-beta.1\"\n}\n");
    let doc = repo.xtask(&["--json", "version", "--check"]).code(0).json();
    assert_eq!(sources(&doc), [("package.json".to_string(), 3, "4.1.0-beta.1".to_string())]);
    assert_eq!(doc["sources"][0]["path"], "pyproject.toml");
    assert_eq!(doc["sources"][0]["form"], "semver");
    assert_eq!(doc["sources"][0]["via"], "pyproject.toml (hatch-nodejs-version package.json)");
}

#[test]
fn git_tag_versions_are_a_note_not_an_error() {
    let repo = TestRepo::from_fixture("lot-genius");
    let text = repo
        .read("backend/pyproject.toml")
        .replace("version = \"0.1.0\"  # kept in sync by cargo xtask release\n", "dynamic = [\"version\"]\n")
        .replace("requires = [\"setuptools>=61\"]", "requires = [\"setuptools>=64\", \"setuptools_scm>=8\"]");
    repo.write("backend/pyproject.toml", text);
    let run = repo.xtask(&["version"]);
    run.code(0);
    assert!(run.stdout.contains("note: backend/pyproject.toml: the version is dynamic: setuptools-scm"), "{run}");
    assert!(run.stdout.contains("all 2 sources agree"), "{run}");
    let doc = repo.xtask(&["--json", "version"]).json();
    assert_eq!(doc["notes"][0]["path"], "backend/pyproject.toml");
}

#[test]
fn cargo_workspaces_read_the_shared_version_and_own_versions() {
    let repo = TestRepo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"2.0.0-beta.3\" # shared\n\n[workspace.dependencies]\nserde = \"2.0.0\"\n",
    );
    repo.write("crates/a/Cargo.toml", "[package]\nname = \"a\"\nversion.workspace = true\n");
    repo.write("crates/a/src/lib.rs", "");
    repo.write("crates/b/Cargo.toml", "[package]\nname = \"b\"\nversion = \"2.0.0-beta.3\"\n");
    repo.write("crates/b/src/lib.rs", "");
    let run = repo.xtask(&["--json", "version", "--check"]);
    run.code(0);
    let doc = run.json();
    assert_eq!(
        sources(&doc),
        [
            ("Cargo.toml".to_string(), 5, "2.0.0-beta.3".to_string()),
            ("crates/b/Cargo.toml".into(), 3, "2.0.0-beta.3".into())
        ]
    );
    assert_eq!(doc["sources"][0]["field"], "[workspace.package] version");
}

#[test]
fn npm_workspace_members_count_and_vendored_packages_do_not() {
    let repo = TestRepo::from_fixture("lot-genius");
    repo.write("package.json", "{\n  \"private\": true,\n  \"workspaces\": [\"packages/*\"]\n}\n");
    repo.write("packages/ui/package.json", "{\"name\": \"ui\", \"version\": \"0.1.0\"}\n");
    repo.write("frontend/node_modules/left-pad/package.json", "{\"name\": \"left-pad\", \"version\": \"9.9.9\"}\n");
    repo.write("vendor/lib/package.json", "{\"name\": \"lib\", \"version\": \"7.0.0\"}\n");
    repo.git(&["add", "-f", "frontend/node_modules/left-pad/package.json"]);
    repo.commit_all("chore: workspace");
    let run = repo.xtask(&["--json", "version", "--check"]);
    run.code(0);
    assert_eq!(
        files(&run.json()),
        [
            "backend/lotgenius/__init__.py",
            "backend/pyproject.toml",
            "frontend/package.json",
            "packages/ui/package.json"
        ]
    );
}

#[test]
fn configured_sources_version_file_and_pattern() {
    let repo = TestRepo::from_fixture("lot-genius");
    repo.write("VERSION", "v0.1.0\n");
    repo.write("docs/conf.py", "project = \"x\"\nversion = \"0.1\"\nrelease = \"0.1.0\"\n");
    repo.write(
        "xtask.toml",
        "[[version]]\npath = \"VERSION\"\n[[version]]\npath = \"docs/conf.py\"\npattern = 'release = \"{version}\"'\nform = \"pep440\"\n[[version]]\npath = \"frontend/package.json\"\n",
    );
    let run = repo.xtask(&["--json", "version", "--check"]);
    run.code(0);
    let doc = run.json();
    assert_eq!(
        sources(&doc),
        [
            ("VERSION".to_string(), 1, "v0.1.0".to_string()),
            ("docs/conf.py".into(), 3, "0.1.0".into()),
            ("frontend/package.json".into(), 3, "0.1.0".into())
        ]
    );
    assert!(doc["sources"].as_array().unwrap().iter().all(|s| s["origin"] == "configured"));
    assert_eq!(doc["sources"][1]["form"], "pep440");

    // A pattern that matches twice, a file without a version, a missing file: exit 2, each named.
    repo.write("docs/conf.py", "release = \"0.1.0\"\nrelease = \"0.1.0\"\n");
    repo.write("VERSION", "\n");
    repo.write(
        "xtask.toml",
        "[[version]]\npath = \"VERSION\"\n[[version]]\npath = \"docs/conf.py\"\npattern = 'release = \"{version}\"'\n[[version]]\npath = \"backend/missing/__init__.py\"\n",
    );
    let run = repo.xtask(&["version"]);
    run.code(2);
    assert!(run.stderr.contains("3 version sources cannot be read"), "{run}");
    assert!(run.stderr.contains("VERSION: is empty"), "{run}");
    assert!(run.stderr.contains("docs/conf.py:2: the pattern"), "{run}");
    assert!(run.stderr.contains("backend/missing/__init__.py: does not exist; fix the path in xtask.toml"), "{run}");
}

#[test]
fn a_configured_file_without_its_version_is_an_error_but_a_detected_one_is_dropped() {
    let repo = TestRepo::from_fixture("lot-genius");
    repo.write("frontend/package.json", "{\n  \"name\": \"lotgenius-frontend\",\n  \"private\": true\n}\n");
    let run = repo.xtask(&["--json", "version"]);
    run.code(0);
    assert_eq!(files(&run.json()), ["backend/lotgenius/__init__.py", "backend/pyproject.toml"]);
    repo.write("xtask.toml", "[[version]]\npath = \"frontend/package.json\"\n");
    let run = repo.xtask(&["version"]);
    run.code(2);
    assert!(run.stderr.contains("frontend/package.json: has no root \"version\"; add the version"), "{run}");
}

#[test]
fn no_sources_is_exit_2_saying_what_to_do() {
    let repo = TestRepo::new();
    repo.write("README.md", "hello\n");
    let run = repo.xtask(&["version"]);
    run.code(2);
    assert!(run.stderr.contains("no version sources") && run.stderr.contains("[[version]]"), "{run}");
}

#[test]
fn works_outside_git() {
    let repo = TestRepo::plain();
    support::copy_tree(&support::fixture("lot-genius"), repo.root());
    let run = repo.xtask(&["version", "--check"]);
    run.code(0);
    assert!(run.stdout.contains("all 3 sources agree"), "{run}");
}

#[test]
fn the_versions_gate_reports_drift_and_broken_sources_at_their_place() {
    let repo = TestRepo::from_fixture("lot-genius");
    let text = repo.read("backend/lotgenius/__init__.py").replace("\"0.1.0\"", "\"0.1.1\"");
    repo.write("backend/lotgenius/__init__.py", text);
    let load = || {
        let repo = polyrelease::repo::Repo::open(Some(repo.root())).unwrap();
        polyrelease::project::Project::load(repo, None).unwrap()
    };
    let findings = polyrelease::version::gate_findings(&load()).unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!((f.path.as_str(), f.line, f.column), ("backend/lotgenius/__init__.py", 3, 16));
    assert!(f.message.contains("0.1.1 differs from the majority (0.1.0 in"), "{}", f.message);
    assert!(f.message.ends_with("set it to 0.1.0"), "{}", f.message);

    repo.write("frontend/package.json", "{\n  \"version\": \"0.1.0\"\n  \"name\": \"x\"\n}\n");
    let mut findings = polyrelease::version::gate_findings(&load()).unwrap();
    findings.sort();
    let places: Vec<(&str, usize)> = findings.iter().map(|f| (f.path.as_str(), f.line)).collect();
    assert_eq!(places, [("backend/lotgenius/__init__.py", 3), ("frontend/package.json", 3)]);
}
