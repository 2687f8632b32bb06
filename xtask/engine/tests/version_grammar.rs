//! Each version file read by its own ecosystem's grammar (issue 11): PEP 440 files by PEP 440
//! with `packaging`'s normalisation, SemVer files by SemVer 2.0.0 only; pre-releases continued
//! in their own spelling while every ecosystem agrees the step moves forward; chained and
//! docstring `__version__` lines. Every refusal is exit 2 and leaves the repository as it was.

mod support;

use support::{TestRepo, assert_same};

const PYPROJECT: &str = "backend/pyproject.toml";
const MODULE: &str = "backend/lotgenius/__init__.py";
const PACKAGE: &str = "frontend/package.json";
const LOCK: &str = "frontend/package-lock.json";

/// The Lot Genius fixture with its three sources (and the lockfile) set to the given values,
/// committed; no release tag yet.
fn lot_genius_at(pyproject: &str, module: &str, package: &str) -> TestRepo {
    let repo = TestRepo::from_fixture("lot-genius");
    let set = |path: &str, from: &str, to: &str| {
        let text = repo.read(path);
        assert!(text.contains(from), "{path} holds {from:?}");
        repo.write(path, text.replace(from, to));
    };
    set(PYPROJECT, "version = \"0.1.0\"", &format!("version = \"{pyproject}\""));
    set(MODULE, "__version__ = \"0.1.0\"", &format!("__version__ = \"{module}\""));
    set(PACKAGE, "\"version\": \"0.1.0\"", &format!("\"version\": \"{package}\""));
    set(LOCK, "\"version\": \"0.1.0\"", &format!("\"version\": \"{package}\""));
    repo.write("xtask.toml", "[release]\nname = \"lot-genius\"\n");
    repo.commit_all("chore: set the versions");
    repo
}

/// The version the sources agree on (`version --check --json`).
fn agreed(repo: &TestRepo) -> String {
    let run = repo.xtask(&["--json", "version", "--check"]);
    run.code(0);
    run.json()["version"].as_str().unwrap_or_else(|| panic!("no version\n{run}")).to_string()
}

/// The source of `file` in a `version --json` document.
#[track_caller]
fn source_of(doc: &serde_json::Value, file: &str) -> serde_json::Value {
    let sources = doc["sources"].as_array().unwrap();
    sources.iter().find(|s| s["file"] == file).cloned().unwrap_or_else(|| panic!("{file} is not a source: {doc}"))
}

/// Commit `text` as the package module; its source in `version --check --json`.
fn module_source(repo: &TestRepo, text: &str, message: &str) -> serde_json::Value {
    repo.write(MODULE, text);
    repo.commit_all(message);
    source_of(&repo.xtask(&["--json", "version", "--check"]).code(0).json(), MODULE)
}

/// `release ARGS --no-verify` refused with exit 2, the repository unchanged; the message.
#[track_caller]
fn refused(repo: &TestRepo, args: &[&str]) -> String {
    let before = repo.snapshot();
    let mut all = vec!["release"];
    all.extend_from_slice(args);
    all.push("--no-verify");
    let run = repo.xtask(&all);
    run.code(2);
    assert_same(&before, &repo.snapshot());
    let mut dry = all.clone();
    dry.push("--dry-run");
    repo.xtask(&dry).code(2);
    assert_same(&before, &repo.snapshot());
    run.stderr
}

#[test]
fn a_pep440_file_reads_dash_forms_as_pep440_and_refuses_what_semver_cannot_hold() {
    for (value, part, normal, instead) in [
        ("1.2.3-1", "post-release", "1.2.3.post1", "such as 1.2.4 or 1.2.4rc1"),
        ("1.2.3-post1", "post-release", "1.2.3.post1", "such as 1.2.4 or 1.2.4rc1"),
        ("1.2.3-dev.4", "dev release", "1.2.3.dev4", "such as 1.2.3a1 or 1.2.3"),
        ("1.2.3+local", "local version label", "1.2.3+local", "such as 1.2.3 or 1.2.4"),
        ("1!1.2.3", "epoch", "1!1.2.3", "drop the epoch"),
    ] {
        let repo = lot_genius_at(value, "1.2.3", "1.2.3");
        let before = repo.snapshot();
        let run = repo.xtask(&["version"]);
        run.code(2);
        assert!(run.stderr.contains(&format!("{PYPROJECT}:7:")), "{value}: names the file and line\n{run}");
        assert!(run.stderr.contains(part) && run.stderr.contains(normal), "{value}: says what it is\n{run}");
        assert!(run.stderr.contains("PEP 440") && run.stderr.contains("no SemVer equivalent"), "{value}\n{run}");
        assert!(run.stderr.contains(instead), "{value}: says what to write instead\n{run}");
        assert_same(&before, &repo.snapshot());
        let stderr = refused(&repo, &["patch"]);
        assert!(stderr.contains(&format!("{PYPROJECT}:7:")), "{value}\n{stderr}");
    }
}

#[test]
fn a_pep440_file_normalises_as_packaging_does() {
    // `1.2.3-rc` is 1.2.3rc0, and the zero epoch is the default one.
    let repo = lot_genius_at("1.2.3-rc", "1.2.3rc0", "1.2.3-rc.0");
    assert_eq!(agreed(&repo), "1.2.3-rc.0");
    let repo = lot_genius_at("0!1.2.3", "1.2.3", "1.2.3");
    assert_eq!(agreed(&repo), "1.2.3");
    let repo = lot_genius_at("1.2.3.RC.1", "1.2.3c1", "1.2.3-rc.1");
    assert_eq!(agreed(&repo), "1.2.3-rc.1");
}

#[test]
fn a_semver_file_is_read_by_semver_only() {
    for (value, why) in [("01.2.3", "leading zero"), ("1.2.3rc1", "SemVer"), ("1.2", "SemVer"), ("vv1.2.3", "SemVer")] {
        let repo = lot_genius_at("1.2.3", "1.2.3", value);
        let run = repo.xtask(&["version"]);
        run.code(2);
        assert!(run.stderr.contains(&format!("{PACKAGE}:3:")), "{value}: names the file and line\n{run}");
        assert!(run.stderr.contains(why), "{value}\n{run}");
    }
    // A dash pre-release in a SemVer file is the SemVer pre-release, kept as written.
    let repo = lot_genius_at("1.2.3rc1", "1.2.3rc1", "1.2.3-rc1");
    assert_eq!(agreed(&repo), "1.2.3-rc1");
    let doc = repo.xtask(&["--json", "version"]).code(0).json();
    assert_eq!(source_of(&doc, PACKAGE)["version"], "1.2.3-rc1");
}

#[test]
fn a_glued_pre_release_continues_in_its_own_spelling() {
    let repo = lot_genius_at("1.2.3rc1", "1.2.3rc1", "1.2.3-rc1");
    let run = repo.xtask(&["release", "rc", "--no-verify"]);
    run.code(0);
    assert!(repo.read(PACKAGE).contains("\"version\": \"1.2.3-rc2\""), "{run}");
    assert!(repo.read(LOCK).contains("\"version\": \"1.2.3-rc2\""), "{run}");
    assert!(repo.read(PYPROJECT).contains("version = \"1.2.3rc2\""), "{run}");
    assert!(repo.read(MODULE).contains("__version__ = \"1.2.3rc2\""), "{run}");
    assert_eq!(repo.git(&["tag", "--list"]), "v1.2.3-rc2");
    assert!(repo.read("CHANGELOG.md").contains("## [1.2.3-rc2] - "), "{run}");
    assert_eq!(agreed(&repo), "1.2.3-rc2");
}

#[test]
fn a_step_npm_would_order_lower_is_refused_with_versions_that_work() {
    // rc9 -> rc10: SemVer compares the identifiers as text, so npm sorts rc10 below rc9.
    let repo = lot_genius_at("1.2.3rc9", "1.2.3rc9", "1.2.3-rc9");
    let stderr = refused(&repo, &["rc"]);
    assert!(stderr.contains("1.2.3-rc10") && stderr.contains(PACKAGE), "{stderr}");
    assert!(stderr.contains("npm"), "says which ordering disagrees\n{stderr}");
    assert!(stderr.contains("release 1.2.3") || stderr.contains("release ga"), "{stderr}");
    assert!(stderr.contains("1.2.4-rc.1"), "offers a version that works\n{stderr}");

    // rc1 -> rc.2 (typed): `rc` sorts below `rc1`.
    let repo = lot_genius_at("1.2.3rc1", "1.2.3rc1", "1.2.3-rc1");
    let stderr = refused(&repo, &["1.2.3-rc.2"]);
    assert!(stderr.contains("1.2.3-rc.2") && stderr.contains(PACKAGE), "{stderr}");
    assert!(stderr.contains("1.2.3-rc2"), "offers the step in its own spelling\n{stderr}");
}

#[test]
fn a_new_version_must_be_newer_for_pep440_files_too() {
    // 1.2.3-rc1 is above 1.2.3-rc.1 for SemVer, but both are 1.2.3rc1 for PEP 440.
    let repo = lot_genius_at("1.2.3rc1", "1.2.3rc1", "1.2.3-rc.1");
    assert_eq!(agreed(&repo), "1.2.3-rc.1");
    let stderr = refused(&repo, &["1.2.3-rc1"]);
    assert!(stderr.contains(PYPROJECT) && stderr.contains(MODULE), "names every PEP 440 file\n{stderr}");
    assert!(stderr.contains("1.2.3rc1") && stderr.contains("PEP 440"), "{stderr}");
    assert!(!stderr.contains(&format!("{PACKAGE}:")), "npm agrees, so package.json is not named\n{stderr}");
}

#[test]
fn a_doubled_prefix_is_not_a_version() {
    let repo = lot_genius_at("1.2.3", "1.2.3", "1.2.3");
    let stderr = refused(&repo, &["vv2.5.0"]);
    assert!(stderr.contains("vv2.5.0") && stderr.contains("not a version"), "{stderr}");
    let stderr = refused(&repo, &["v2.5.0rc1.post1"]);
    assert!(stderr.contains("post-release"), "{stderr}");
    // One prefix is fine.
    let run = repo.xtask(&["--json", "release", "v2.5.0", "--dry-run", "--no-verify"]);
    run.code(0);
    assert_eq!(run.json()["plan"]["version"], "2.5.0");
}

#[test]
fn a_chained_module_assignment_is_read_and_written() {
    let repo = lot_genius_at("1.2.3", "1.2.3", "1.2.3");
    let chained = "\"\"\"Lot Genius backend package.\"\"\"\n\n__version__ = VERSION = \"1.2.3\"  # both names\n";
    let module = module_source(&repo, chained, "refactor: one line for both names");
    assert_eq!((module["line"].as_u64(), module["raw"].as_str()), (Some(3), Some("1.2.3")));
    repo.xtask(&["release", "patch", "--no-verify"]).code(0);
    assert_eq!(repo.read(MODULE), chained.replace("1.2.3", "1.2.4"));

    // Configured, under the other name of the chain.
    repo.write(
        "xtask.toml",
        "[release]\nname = \"lot-genius\"\n\n[[version]]\npath = \"backend/lotgenius/__init__.py\"\n",
    );
    repo.write(MODULE, "VERSION = __version__ = '1.2.4'\n");
    repo.commit_all("refactor: the other order");
    let doc = repo.xtask(&["--json", "version"]).code(0).json();
    assert_eq!(doc["version"], "1.2.4", "{doc}");
}

#[test]
fn a_docstring_line_is_not_an_assignment() {
    let repo = lot_genius_at("1.2.3", "1.2.3", "1.2.3");
    let text = "\"\"\"Lot Genius backend package.\n\nUsage:\n\n__version__ = \"9.9.9\"\n\"\"\"\n\n__version__ = \"1.2.3\"\n\nHELP = '''\n__version__ = \"0.0.1\"\n'''\n";
    let module = module_source(&repo, text, "docs: usage in the docstring");
    assert_eq!(module["line"], 8, "{module}");
    repo.xtask(&["release", "patch", "--no-verify"]).code(0);
    assert_eq!(repo.read(MODULE), text.replace("__version__ = \"1.2.3\"", "__version__ = \"1.2.4\""));
}

#[test]
fn a_pattern_is_semver_unless_configured_and_says_how_to_configure_it() {
    let repo = TestRepo::new();
    repo.write("docs/conf.py", "project = 'x'\nrelease = \"1.2.3rc1\"\n");
    let entry = "[[version]]\npath = \"docs/conf.py\"\npattern = 'release = \"{version}\"'\n";
    repo.write("xtask.toml", entry);
    repo.commit_all("docs: sphinx");
    let run = repo.xtask(&["version"]);
    run.code(2);
    assert!(run.stderr.contains("docs/conf.py:2:") && run.stderr.contains("form = \"pep440\""), "{run}");
    repo.write("xtask.toml", format!("{entry}form = \"pep440\"\n"));
    let doc = repo.xtask(&["--json", "version"]).code(0).json();
    assert_eq!(doc["version"], "1.2.3-rc.1");
}
