//! Writing versions: every source kind and lockfile on files with comments, odd indentation,
//! CRLF, no final newline and dependencies that carry the same number; each compared byte
//! for byte with the expected file.

mod support;

use std::collections::BTreeMap;

use polyrelease::version::{Version, plan_edits, read_all};
use support::TestRepo;

fn load(repo: &TestRepo) -> polyrelease::project::Project {
    let r = polyrelease::repo::Repo::open(Some(repo.root())).unwrap();
    polyrelease::project::Project::load(r, None).unwrap()
}

/// path -> text after, for every file the plan changes.
fn plan(repo: &TestRepo, to: &str) -> BTreeMap<String, String> {
    let project = load(repo);
    let readings = read_all(&project).unwrap();
    let edits = plan_edits(&project, &readings, &Version::parse(to).unwrap()).unwrap();
    edits
        .into_iter()
        .map(|e| {
            assert_eq!(e.before, std::fs::read(repo.path(&e.path)).unwrap(), "{}: before is the file", e.path);
            (e.path, String::from_utf8(e.after).unwrap())
        })
        .collect()
}

fn plan_error(repo: &TestRepo, to: &str) -> String {
    let project = load(repo);
    let readings = read_all(&project).unwrap();
    format!("{:#}", plan_edits(&project, &readings, &Version::parse(to).unwrap()).unwrap_err())
}

#[test]
fn lot_genius_moves_every_source_and_the_lockfile() {
    let repo = TestRepo::from_fixture("lot-genius");
    let before = repo.snapshot();
    let edits = plan(&repo, "0.2.0-rc.1");
    support::assert_same(&before, &repo.snapshot());
    let keys: Vec<&str> = edits.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "backend/lotgenius/__init__.py",
            "backend/pyproject.toml",
            "frontend/package-lock.json",
            "frontend/package.json"
        ]
    );
    let expect = |path: &str, from: &str, to: &str| {
        let old = repo.read(path);
        assert_eq!(old.matches(from).count(), 1, "{path}");
        assert_eq!(edits[path], old.replace(from, to), "{path}");
    };
    expect("backend/pyproject.toml", "version = \"0.1.0\"", "version = \"0.2.0rc1\"");
    expect("backend/lotgenius/__init__.py", "\"0.1.0\"", "\"0.2.0rc1\"");
    expect("frontend/package.json", "\"version\": \"0.1.0\"", "\"version\": \"0.2.0-rc.1\"");
    let lock = repo.read("frontend/package-lock.json");
    assert_eq!(edits["frontend/package-lock.json"], lock.replace("\"0.1.0\"", "\"0.2.0-rc.1\""));
    assert!(edits["backend/pyproject.toml"].contains("python_version = \"3.8\""));
    // Already there: nothing to do.
    assert!(plan(&repo, "0.1.0").is_empty());
}

#[test]
fn pyproject_keeps_comments_crlf_indentation_and_dependencies() {
    let repo = TestRepo::new();
    let text = "# top comment\r\n[project]\r\nname = \"pkg\"\r\n  version   =   '0.1.0'   # the one\r\ndependencies = [\"dep==0.1.0\"]\r\n\r\n[tool.poetry.dependencies]\r\ndep = \"0.1.0\"\r\n[tool.mypy]\r\npython_version = \"3.8\"";
    repo.write("pyproject.toml", text);
    let edits = plan(&repo, "1.0.0-beta.2");
    let want = "# top comment\r\n[project]\r\nname = \"pkg\"\r\n  version   =   '1.0.0b2'   # the one\r\ndependencies = [\"dep==0.1.0\"]\r\n\r\n[tool.poetry.dependencies]\r\ndep = \"0.1.0\"\r\n[tool.mypy]\r\npython_version = \"3.8\"";
    assert_eq!(edits["pyproject.toml"], want);
}

#[test]
fn poetry_and_project_tables_both_move() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"pkg\"\nversion = \"0.1.0\"\n\n[tool.poetry]\nversion = \"0.1.0\" # legacy\n",
    );
    let edits = plan(&repo, "0.1.1");
    assert_eq!(
        edits["pyproject.toml"],
        "[project]\nname = \"pkg\"\nversion = \"0.1.1\"\n\n[tool.poetry]\nversion = \"0.1.1\" # legacy\n"
    );
}

#[test]
fn python_module_changes_only_the_version_assignment() {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", "[project]\nname = \"pkg\"\nversion = \"0.1.0\"\n");
    let module = "\"\"\"Pkg.\"\"\"\r\n\r\nMIN_DEP = \"0.1.0\"\r\n__version__: str = '0.1.0'  # bumped\r\n\r\ndef f():\r\n    __version__ = \"0.1.0\"\r\n    return __version__";
    repo.write("pkg/__init__.py", module);
    let edits = plan(&repo, "0.2.0-alpha.3");
    assert_eq!(edits["pkg/__init__.py"], module.replacen("'0.1.0'", "'0.2.0a3'", 1));
    assert_eq!(edits["pyproject.toml"], "[project]\nname = \"pkg\"\nversion = \"0.2.0a3\"\n");
}

#[test]
fn package_json_and_lockfiles_keep_their_bytes_and_leave_dependencies() {
    let repo = TestRepo::new();
    let manifest = "{\r\n\t\"name\": \"app\",\r\n\t\"version\":\"0.1.0\",\r\n\t\"engines\": {\"version\": \"0.1.0\"},\r\n\t\"dependencies\": {\r\n\t\t\"dep\": \"0.1.0\"\r\n\t}\r\n}";
    repo.write("web/package.json", manifest);
    let lock = "{\n    \"name\": \"app\",\n    \"version\": \"0.1.0\",\n    \"lockfileVersion\": 2,\n    \"packages\": {\n        \"\": {\"name\": \"app\", \"version\": \"0.1.0\", \"dependencies\": {\"dep\": \"0.1.0\"}},\n        \"node_modules/dep\": {\"version\": \"0.1.0\"}\n    },\n    \"dependencies\": {\"dep\": {\"version\": \"0.1.0\"}}\n}\n";
    repo.write("web/package-lock.json", lock);
    let shrinkwrap = "{\"name\": \"app\", \"version\": \"0.1.0\", \"lockfileVersion\": 1, \"dependencies\": {\"dep\": {\"version\": \"0.1.0\"}}}";
    repo.write("web/npm-shrinkwrap.json", shrinkwrap);
    let edits = plan(&repo, "1.0.0");
    assert_eq!(edits["web/package.json"], manifest.replacen("\"version\":\"0.1.0\"", "\"version\":\"1.0.0\"", 1));
    let want_lock = "{\n    \"name\": \"app\",\n    \"version\": \"1.0.0\",\n    \"lockfileVersion\": 2,\n    \"packages\": {\n        \"\": {\"name\": \"app\", \"version\": \"1.0.0\", \"dependencies\": {\"dep\": \"0.1.0\"}},\n        \"node_modules/dep\": {\"version\": \"0.1.0\"}\n    },\n    \"dependencies\": {\"dep\": {\"version\": \"0.1.0\"}}\n}\n";
    assert_eq!(edits["web/package-lock.json"], want_lock);
    assert_eq!(edits["web/npm-shrinkwrap.json"], shrinkwrap.replacen("0.1.0", "1.0.0", 1));
}

#[test]
fn npm_workspace_root_lockfile_moves_the_member_entry() {
    let repo = TestRepo::new();
    repo.write("package.json", "{\"private\": true, \"workspaces\": [\"packages/*\"]}\n");
    repo.write("packages/ui/package.json", "{\"name\": \"ui\", \"version\": \"0.1.0\"}\n");
    let lock = "{\"lockfileVersion\": 3, \"packages\": {\"\": {\"workspaces\": [\"packages/*\"]}, \"node_modules/ui\": {\"resolved\": \"packages/ui\", \"link\": true}, \"packages/ui\": {\"name\": \"ui\", \"version\": \"0.1.0\"}, \"node_modules/other\": {\"version\": \"0.1.0\"}}}\n";
    repo.write("package-lock.json", lock);
    let edits = plan(&repo, "0.2.0");
    assert_eq!(edits.len(), 2, "{edits:?}");
    assert_eq!(
        edits["package-lock.json"],
        lock.replace("\"name\": \"ui\", \"version\": \"0.1.0\"", "\"name\": \"ui\", \"version\": \"0.2.0\"")
    );
}

#[test]
fn cargo_workspace_and_lockfile_move_own_packages_only() {
    let repo = TestRepo::new();
    let root = "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"0.1.0\"   # shared\n\n[workspace.dependencies]\nserde = { version = \"0.1.0\" }\n";
    repo.write("Cargo.toml", root);
    repo.write("crates/a/Cargo.toml", "[package]\nname = \"a\"\nversion.workspace = true\n");
    repo.write("crates/b/Cargo.toml", "[package]\r\nname = \"b\"\r\nversion = \"0.1.0\"\r\n[dependencies]\r\na = { path = \"../a\", version = \"0.1.0\" }");
    let lock = "# This file is automatically @generated by Cargo.\nversion = 4\n\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"b\"\nversion = \"0.1.0\"\ndependencies = [\n \"a\",\n \"serde\",\n]\n\n[[package]]\nname = \"serde\"\nversion = \"0.1.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"00\"\n";
    repo.write("Cargo.lock", lock);
    let edits = plan(&repo, "0.2.0");
    assert_eq!(
        edits["Cargo.toml"],
        root.replacen("version = \"0.1.0\"   # shared", "version = \"0.2.0\"   # shared", 1)
    );
    // b's own version moves, and so does its requirement on a, which would stop matching.
    assert_eq!(
        edits["crates/b/Cargo.toml"],
        "[package]\r\nname = \"b\"\r\nversion = \"0.2.0\"\r\n[dependencies]\r\na = { path = \"../a\", version = \"0.2.0\" }"
    );
    assert!(!edits.contains_key("crates/a/Cargo.toml"));
    let want = lock
        .replace("name = \"a\"\nversion = \"0.1.0\"", "name = \"a\"\nversion = \"0.2.0\"")
        .replace("name = \"b\"\nversion = \"0.1.0\"", "name = \"b\"\nversion = \"0.2.0\"");
    assert_eq!(edits["Cargo.lock"], want);
    assert!(edits["Cargo.lock"].contains("name = \"serde\"\nversion = \"0.1.0\""));
}

#[test]
fn cargo_requirements_on_own_packages_move_in_manifests_without_a_version() {
    let repo = TestRepo::new();
    repo.write("Cargo.toml", "[workspace]\nmembers = [\"core\", \"cli\"]\n\n[workspace.package]\nversion = \"1.0.0\"\n\n[workspace.dependencies]\ncore = { path = \"core\", version = \"=1.0.0\" }\nserde = { version = \"1.0.0\" }\n");
    repo.write("core/Cargo.toml", "[package]\nname = \"core\"\nversion.workspace = true\n");
    let cli = "[package]\nname = \"cli\"\nversion.workspace = true\n\n[dependencies]\ncore.workspace = true\nserde = { path = \"../vendored-serde\", version = \"1.0.0\" }\n\n[dev-dependencies]\ncore = { path = \"../core\", version = \"^1.0.0\", features = [\"x\"] }\n";
    repo.write("cli/Cargo.toml", cli);
    let edits = plan(&repo, "1.1.0-rc.1");
    assert_eq!(
        edits["Cargo.toml"],
        "[workspace]\nmembers = [\"core\", \"cli\"]\n\n[workspace.package]\nversion = \"1.1.0-rc.1\"\n\n[workspace.dependencies]\ncore = { path = \"core\", version = \"=1.1.0-rc.1\" }\nserde = { version = \"1.0.0\" }\n"
    );
    assert_eq!(edits["cli/Cargo.toml"], cli.replace("\"^1.0.0\"", "\"^1.1.0-rc.1\""));
    assert_eq!(edits.len(), 2, "{edits:?}");
}

#[test]
fn uv_lock_moves_the_projects_own_entry() {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", "[project]\nname = \"Lot_Genius\"\nversion = \"0.1.0\"\n");
    let lock = "version = 1\n\n[[package]]\nname = \"idna\"\nversion = \"0.1.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n\n[[package]]\nname = \"lot-genius\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\n";
    repo.write("uv.lock", lock);
    let edits = plan(&repo, "0.2.0-rc.2");
    assert_eq!(
        edits["uv.lock"],
        lock.replace("\"lot-genius\"\nversion = \"0.1.0\"", "\"lot-genius\"\nversion = \"0.2.0rc2\"")
    );
}

#[test]
fn plain_and_pattern_files_keep_their_shape() {
    let repo = TestRepo::new();
    repo.write("VERSION", "v0.1.0\r\n");
    repo.write("docs/conf.py", "version = \"0.1\"\nrelease = \"0.1.0\"\nother = \"0.1.0\"");
    repo.write(
        "xtask.toml",
        "[[version]]\npath = \"VERSION\"\n[[version]]\npath = \"docs/conf.py\"\npattern = 'release = \"{version}\"'\nform = \"pep440\"\n",
    );
    let edits = plan(&repo, "0.2.0-rc.3");
    assert_eq!(edits["VERSION"], "v0.2.0-rc.3\r\n");
    assert_eq!(edits["docs/conf.py"], "version = \"0.1\"\nrelease = \"0.2.0rc3\"\nother = \"0.1.0\"");
}

#[test]
fn a_dynamic_pyproject_is_written_where_the_backend_reads() {
    let repo = TestRepo::new();
    let pyproject =
        "[project]\nname = \"pkg\"\ndynamic = [\"version\"]\n\n[tool.hatch.version]\npath = \"src/pkg/__about__.py\"\n";
    repo.write("pyproject.toml", pyproject);
    repo.write("src/pkg/__about__.py", "__version__ = \"0.1.0\"\n");
    repo.write("src/pkg/__init__.py", "from .__about__ import __version__\n");
    let edits = plan(&repo, "0.1.1");
    assert_eq!(edits.len(), 1, "{edits:?}");
    assert_eq!(edits["src/pkg/__about__.py"], "__version__ = \"0.1.1\"\n");
}

#[test]
fn a_version_a_file_cannot_hold_is_an_error_naming_every_such_file() {
    let repo = TestRepo::from_fixture("lot-genius");
    let err = plan_error(&repo, "0.2.0-nightly.1");
    assert!(
        err.contains("backend/pyproject.toml:7 cannot hold 0.2.0-nightly.1 (it is written in PEP 440 form)"),
        "{err}"
    );
    assert!(err.contains("backend/lotgenius/__init__.py:3 cannot hold"), "{err}");
    assert!(!err.contains("package.json"), "{err}");
    let err = plan_error(&repo, "0.2.0+build.5");
    assert!(err.contains("build metadata"), "{err}");
}

#[test]
fn a_file_changed_after_reading_is_refused() {
    let repo = TestRepo::from_fixture("lot-genius");
    let project = load(&repo);
    let readings = read_all(&project).unwrap();
    repo.write("frontend/package.json", repo.read("frontend/package.json").replace("0.1.0", "0.1.5"));
    let err = plan_edits(&project, &readings, &Version::parse("0.2.0").unwrap()).unwrap_err().to_string();
    assert!(err.contains("frontend/package.json:3: changed since it was read"), "{err}");
}
