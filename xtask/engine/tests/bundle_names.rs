//! What artifacts are named and what they hold: the source archive never takes the Python
//! sdist's name, two artifacts never share one, a file named with a newline is an ordinary
//! input, the tool's own files are not part of detected bundles, and `-q` prints nothing.

mod bundle_util;
mod support;

use bundle_util::{names, python_zip_listing, tool};
use support::TestRepo;

/// The Lot Genius fixture named like its Python package, as most projects are.
fn lotgenius(extra: &str) -> TestRepo {
    let repo = TestRepo::new();
    support::copy_tree(&support::fixture("lot-genius"), repo.root());
    repo.write("xtask.toml", format!("[release]\nname = \"lotgenius\"\n{extra}"));
    repo.commit_all("chore: initial import");
    repo
}

#[test]
fn the_source_archive_and_the_sdist_have_different_names() {
    let repo = lotgenius("");
    let run = repo.xtask(&["bundle", "--only", "backend-dist,source", "--json"]);
    run.code(0);
    let dist = repo.path("dist");
    assert_eq!(
        names(&dist),
        [
            "SHA256SUMS",
            "lotgenius-0.1.0-py3-none-any.whl",
            "lotgenius-0.1.0-py3-none-any.whl.cdx.json",
            "lotgenius-0.1.0-source.tar.gz",
            "lotgenius-0.1.0-source.tar.gz.cdx.json",
            "lotgenius-0.1.0.intoto.json",
            "lotgenius-0.1.0.tar.gz",
            "lotgenius-0.1.0.tar.gz.cdx.json",
            "manifest.json"
        ]
    );
    let kinds: Vec<(String, String)> = run.json()["manifest"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap().to_string(), f["kind"].as_str().unwrap().to_string()))
        .collect();
    assert!(kinds.contains(&("lotgenius-0.1.0.tar.gz".into(), "sdist".into())), "{kinds:?}");
    assert!(kinds.contains(&("lotgenius-0.1.0-source.tar.gz".into(), "source".into())), "{kinds:?}");
    // Both have the top folder lotgenius-0.1.0/; the source archive holds every tracked file.
    let source = tool(&dist, "tar", &["-tzf", "lotgenius-0.1.0-source.tar.gz"]);
    assert!(source.lines().all(|l| l.starts_with("lotgenius-0.1.0/")), "{source}");
    assert!(source.contains("lotgenius-0.1.0/frontend/build.js"), "{source}");
    let sdist = tool(&dist, "tar", &["-tzf", "lotgenius-0.1.0.tar.gz"]);
    assert!(!sdist.contains("frontend/build.js"), "{sdist}");
    tool(&dist, "sha256sum", &["-c", "--strict", "SHA256SUMS"]);
    repo.xtask(&["bundle", "--verify", "dist"]).code(0);
    // --only takes the file name too.
    repo.xtask(&["bundle", "--only", "lotgenius-0.1.0-source.tar.gz"]).code(0);
    assert!(names(&dist).contains(&"lotgenius-0.1.0-source.tar.gz".to_string()));
}

#[test]
fn two_artifacts_with_one_name_are_refused_before_building() {
    let marker = tempfile::tempdir().unwrap();
    let built = marker.path().join("built");
    let repo = lotgenius(&format!(
        "\n[[bundle]]\nname = \"lotgenius-0.1.0-source.tar.gz\"\nbuild = [[\"python3\", \"-c\", \"open('{}', 'w')\"]]\ninclude = [\"docs\"]\n",
        built.display()
    ));
    let run = repo.xtask(&["bundle"]);
    run.code(2);
    assert!(
        run.stderr.contains("two artifacts would be named lotgenius-0.1.0-source.tar.gz: the source archive and bundle `lotgenius-0.1.0-source.tar.gz`"),
        "{run}"
    );
    assert!(!built.exists(), "a build ran\n{run}");
    assert!(!repo.path("dist").exists(), "{run}");
}

#[test]
fn a_file_named_with_a_newline_is_an_ordinary_input() {
    let repo = bundle_util::versioned(
        "odd",
        "1.0.0",
        "\n[[bundle]]\nname = \"docs.zip\"\ninclude = [\"docs\"]\n\n[[bundle]]\nname = \"notes\"\nbuild = [[\"python3\", \"-c\", \"open('{tmp}/release\\\\nnotes.txt', 'w').write('notes')\"]]\ncollect = [\"{tmp}/*.txt\"]\n",
    );
    repo.write("docs/line\nbreak.md", "# odd\n");
    repo.write("docs/plain.md", "# plain\n");
    repo.commit_all("docs: an odd name");
    let run = repo.xtask(&["bundle"]);
    run.code(0);
    // The report escapes the name: no line of it starts with what follows the newline.
    assert!(run.stdout.contains("dist/release\\nnotes.txt"), "{run}");
    assert!(run.stdout.lines().all(|l| l.starts_with("dist/")), "{run}");
    let dist = repo.path("dist");
    assert!(dist.join("release\nnotes.txt").exists());
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    assert!(sums.lines().any(|l| l.starts_with('\\') && l.ends_with("  release\\nnotes.txt")), "{sums}");
    tool(&dist, "sha256sum", &["-c", "--strict", "SHA256SUMS"]);
    let zip = python_zip_listing(&dist.join("docs.zip"));
    assert!(zip.contains("docs/line\nbreak.md 0o100644"), "{zip}");
    let tar = tool(
        &dist,
        "python3",
        &["-c", "import tarfile; print([m.name for m in tarfile.open('odd-1.0.0-source.tar.gz')])"],
    );
    assert!(tar.contains("'odd-1.0.0/docs/line\\nbreak.md'"), "{tar}");
    repo.xtask(&["bundle", "--verify", "dist"]).code(0);
}

#[test]
fn detected_bundles_leave_the_tool_out_and_quiet_prints_nothing() {
    let repo = lotgenius("");
    // An adopted repository: the xtask crate, its alias, its configuration and CI.
    repo.write("xtask/Cargo.toml", "[package]\nname = \"xtask\"\nversion = \"0.1.0\"\n");
    repo.write("xtask/src/main.rs", "fn main() {}\n");
    repo.write(".cargo/config.toml", "[alias]\nxtask = \"run -p xtask --\"\n");
    repo.write(".github/workflows/ci.yml", "on: push\n");
    repo.write("docs/xtask.md", "# how we release\n");
    repo.commit_all("chore: adopt the xtask");
    let run = repo.xtask(&["-q", "bundle", "--only", "docs-bundle.zip,source"]);
    run.code(0);
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""), "-q prints nothing but errors\n{run}");
    let dist = repo.path("dist");
    let docs = python_zip_listing(&dist.join("docs-bundle.zip"));
    assert!(docs.contains("docs/xtask.md"), "{docs}");
    assert!(docs.lines().all(|l| l.starts_with("docs/")), "{docs}");
    // The source archive is every tracked file, the tool's included.
    let source = tool(&dist, "tar", &["-tzf", "lotgenius-0.1.0-source.tar.gz"]);
    for kept in ["xtask/src/main.rs", ".cargo/config.toml", ".github/workflows/ci.yml", "xtask.toml"] {
        assert!(source.contains(&format!("lotgenius-0.1.0/{kept}")), "{kept}\n{source}");
    }
}
