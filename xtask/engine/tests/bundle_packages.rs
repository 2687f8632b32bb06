//! Bundles of several packages: the repository of packages_release.rs (a fixed backend+frontend
//! pair at 0.1.0, an independent root app at 1.0.0), released with `release --all auto`, then
//! bundled: each released unit into its own `dist/NAME/`, named with its own version, with its
//! own `SHA256SUMS` and manifest, each verified; `--package NAME` builds one; bad requests are
//! exit 2 and change nothing.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use support::origin::Project;
use support::shop::{PACKAGES, npm, shop};
use support::{TestRepo, assert_same};

/// Small archives: one in each package's folder, and one at the root that belongs to the pair
/// because it says so.
const BUNDLES: &str = r#"
[[bundle]]
name = "backend-src.zip"
cwd = "backend"
include = ["pyproject.toml", "shop_api/**"]

[[bundle]]
name = "frontend-build.zip"
cwd = "frontend"
include = ["package.json", "style.css"]

[[bundle]]
name = "notes.zip"
package = "pair"
include = ["docs/CHANGELOG.md"]

[[bundle]]
name = "app.zip"
cwd = "src"
include = ["**"]
"#;

/// The shop released: the pair at 0.2.0 (tag v0.2.0), the app at 1.1.0 (tag app-v1.1.0).
fn released(config: &str, build: &str) -> Project {
    let p = shop(config, build);
    let run = p.xtask(&["release", "--all", "auto", "--no-verify"]);
    run.code(0);
    assert!(run.stdout.contains("released pair 0.2.0 (tag v0.2.0), app 1.1.0 (tag app-v1.1.0)"), "{run}");
    p
}

fn files_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect()
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

/// `ARTIFACT` and `ARTIFACT.cdx.json` for each artifact, the statement, the checksums, the manifest.
fn set_of(artifacts: &[&str], top: &str) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = artifacts.iter().flat_map(|a| [a.to_string(), format!("{a}.cdx.json")]).collect();
    names.extend([format!("{top}.intoto.json"), "SHA256SUMS".into(), "manifest.json".into()]);
    names
}

fn tar_top(dir: &Path, file: &str) -> BTreeSet<String> {
    let out = std::process::Command::new("tar").arg("-tzf").arg(dir.join(file)).output().unwrap();
    assert!(out.status.success(), "tar -tzf {file}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| l.split('/').next().unwrap().to_string()).collect()
}

#[test]
fn bundle_builds_each_released_unit_into_its_own_folder_with_its_own_version() {
    let p = released(&format!("{PACKAGES}{BUNDLES}"), "");
    let head = p.git(&["rev-parse", "HEAD"]);
    let run = p.xtask(&["bundle"]);
    run.code(0);
    assert!(run.stderr.contains(&format!("bundled pair 0.2.0 at {}", &head[..12])), "{run}");
    assert!(run.stderr.contains(&format!("bundled app 1.1.0 at {}", &head[..12])), "{run}");
    assert!(run.stdout.contains("dist/pair/notes.zip") && run.stdout.contains("dist/app/app.zip"), "{run}");

    let pair = p.path("dist/pair");
    let want = ["backend-src.zip", "frontend-build.zip", "notes.zip", "pair-0.2.0-source.tar.gz"];
    assert_eq!(files_in(&pair), set_of(&want, "pair-0.2.0"));
    let app = p.path("dist/app");
    assert_eq!(files_in(&app), set_of(&["app.zip", "app-1.1.0-source.tar.gz"], "app-1.1.0"));
    for (dir, project, version) in [(&pair, "pair", "0.2.0"), (&app, "app", "1.1.0")] {
        let m = manifest(dir);
        assert_eq!((m["project"].as_str(), m["version"].as_str()), (Some(project), Some(version)), "{m:#}");
        assert_eq!(m["commit"], head.as_str());
        let top = format!("{project}-{version}");
        assert_eq!(tar_top(dir, &format!("{top}-source.tar.gz")), BTreeSet::from([top.clone()]));
        let statement = std::fs::read_to_string(dir.join(format!("{top}.intoto.json"))).unwrap();
        assert!(statement.contains(&format!("pkg:generic/{project}@{version}")), "{statement}");
        let shown = format!("dist/{project}");
        let run = p.xtask(&["bundle", "--verify", &shown]);
        run.code(0);
        assert!(run.stdout.contains(&format!("{shown}: ")) && run.stdout.contains("verified"), "{run}");
    }
    // The folder above them is not a bundle folder: it says which are.
    let run = p.xtask(&["bundle", "--verify", "dist"]);
    run.code(2);
    assert!(
        run.stderr.contains(
            "dist: no manifest.json, so not a bundle folder; it holds the bundle folders dist/app, dist/pair: verify each, such as `cargo xtask bundle --verify dist/app`"
        ),
        "{run}"
    );
    // The frontend zip holds the pair's package.json, which --verify checks against 0.2.0.
    assert!(manifest(&pair)["files"].as_array().unwrap().iter().any(|f| f["bundle"] == "notes.zip"));

    // The same commit twice: the same bytes.
    let first = std::fs::read(pair.join("SHA256SUMS")).unwrap();
    p.xtask(&["bundle"]).code(0);
    assert_eq!(std::fs::read(pair.join("SHA256SUMS")).unwrap(), first);

    // --json: one document listing each package's folder and manifest.
    let doc = p.xtask(&["--json", "bundle"]).code(0).json();
    let sets: Vec<(&str, &str, &str)> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (s["package"].as_str().unwrap(), s["out"].as_str().unwrap(), s["manifest"]["version"].as_str().unwrap())
        })
        .collect();
    assert_eq!(sets, [("pair", "dist/pair", "0.2.0"), ("app", "dist/app", "1.1.0")]);
}

#[test]
fn package_builds_one_unit_and_only_applies_within_each() {
    let p = released(&format!("{PACKAGES}{BUNDLES}"), "");
    let run = p.xtask(&["bundle", "--package", "app"]);
    run.code(0);
    assert!(run.stderr.contains("bundled app 1.1.0"), "{run}");
    assert!(!p.path("dist/pair").exists(), "only the app is built");
    assert_eq!(files_in(&p.path("dist/app")), set_of(&["app.zip", "app-1.1.0-source.tar.gz"], "app-1.1.0"));
    p.xtask(&["bundle", "--verify", "dist/app"]).code(0);

    // A package of the fixed pair bundles the pair; --out is the folder itself.
    let out = p.path("out");
    let run = p.xtask(&["bundle", "--package", "frontend", "--out", out.to_str().unwrap(), "--only", "notes.zip"]);
    run.code(0);
    assert_eq!(files_in(&out), set_of(&["notes.zip"], "pair-0.2.0"));
    assert_eq!(manifest(&out)["project"], "pair");

    // Without --package, --only picks within each unit; a unit with none of the names is left out.
    std::fs::remove_dir_all(p.path("dist")).unwrap();
    p.xtask(&["bundle", "--only", "app.zip"]).code(0);
    assert_eq!(files_in(&p.path("dist")), BTreeSet::from(["app".to_string()]));
    assert_eq!(files_in(&p.path("dist/app")), set_of(&["app.zip"], "app-1.1.0"));
    p.xtask(&["bundle", "--only", "source"]).code(0);
    assert_eq!(files_in(&p.path("dist/pair")), set_of(&["pair-0.2.0-source.tar.gz"], "pair-0.2.0"));

    // An older commit with --ref: both were released there, and --only picks the app.
    let run = p.xtask(&["bundle", "--ref", "app-v1.0.0", "--only", "app.zip"]);
    run.code(0);
    assert_eq!(manifest(&p.path("dist/app"))["version"], "1.0.0", "{run}");
    assert_eq!(manifest(&p.path("dist/app"))["commit"], p.git(&["rev-parse", "app-v1.0.0^{commit}"]).as_str());
}

#[test]
fn detected_bundles_belong_to_the_package_whose_folder_holds_them() {
    // No [[bundle]]: the backend's wheel and sdist are the pair's, the docs zip (at the root) the app's.
    let build = "[build-system]\nrequires = [\"setuptools>=61\"]\nbuild-backend = \"setuptools.build_meta\"\n\n\
                 [tool.setuptools]\npackages = [\"shop_api\"]\n\n";
    let p = released(PACKAGES, build);
    let run = p.xtask(&["bundle"]);
    run.code(0);
    let pair = files_in(&p.path("dist/pair"));
    for name in ["shop_backend-0.2.0-py3-none-any.whl", "shop_backend-0.2.0.tar.gz", "pair-0.2.0-source.tar.gz"] {
        assert!(pair.contains(name), "{name} in {pair:?}\n{run}");
    }
    let app = files_in(&p.path("dist/app"));
    assert_eq!(app, set_of(&["docs-bundle.zip", "app-1.1.0-source.tar.gz"], "app-1.1.0"));
    p.xtask(&["bundle", "--verify", "dist/pair"]).code(0);
    p.xtask(&["bundle", "--verify", "dist/app"]).code(0);
}

#[test]
fn nothing_released_on_the_commit_and_unknown_names_are_exit_2_and_change_nothing() {
    let p = shop(&format!("{PACKAGES}{BUNDLES}"), "");
    let snapshot = p.snapshot();
    let run = p.xtask(&["bundle"]);
    run.code(2);
    assert!(run.stderr.contains("no package's release tag is on HEAD"), "{run}");
    assert!(
        run.stderr.contains("pair (backend, frontend) is at 0.1.0 (tag v0.1.0), app is at 1.0.0 (tag app-v1.0.0)"),
        "{run}"
    );
    assert!(run.stderr.contains("`--package NAME`"), "{run}");
    assert_same(&snapshot, &p.snapshot());

    let run = p.xtask(&["bundle", "--package", "nope"]);
    run.code(2);
    assert!(
        run.stderr.contains("\"nope\" is not a package or group of xtask.toml; what releases on its own is: pair (backend, frontend), app"),
        "{run}"
    );
    let run = p.xtask(&["bundle", "--package", "apps"]);
    run.code(2);
    assert!(run.stderr.contains("\"apps\" is an independent group"), "{run}");
    let run = p.xtask(&["bundle", "--package", "app", "--only", "notes.zip"]);
    run.code(2);
    assert!(run.stderr.contains("--only: no bundle named `notes.zip`; the bundles are app.zip, source"), "{run}");
    assert_same(&snapshot, &p.snapshot());

    // `package = NAME` in xtask.toml that names nothing: the file and the line.
    let config = format!("{PACKAGES}{BUNDLES}").replace("package = \"pair\"", "package = \"web\"");
    p.write("xtask.toml", &config);
    let snapshot = p.snapshot();
    let line = config.lines().position(|l| l == "package = \"web\"").unwrap() + 1;
    let run = p.xtask(&["bundle", "--allow-dirty"]);
    run.code(2);
    assert!(run.stderr.contains("xtask.toml: "), "{run}");
    assert!(
        run.stderr.contains(&format!(
            "line {line}: [[bundle]] \"notes.zip\": package = \"web\" is not a package or group of xtask.toml; what releases on its own is: pair (backend, frontend), app; set it to one of them"
        )),
        "{run}"
    );
    assert_same(&snapshot, &p.snapshot());
}

#[test]
fn after_the_release_an_unknown_only_name_lists_each_units_bundles() {
    let p = released(&format!("{PACKAGES}{BUNDLES}"), "");
    let snapshot = p.snapshot();
    let run = p.xtask(&["bundle", "--only", "nope.zip"]);
    run.code(2);
    assert!(
        run.stderr.contains(
            "--only: no bundle named `nope.zip` in the packages being bundled; their bundles are pair: backend-src.zip, frontend-build.zip, notes.zip, source; app: app.zip, source"
        ),
        "{run}"
    );
    assert_same(&snapshot, &p.snapshot());
}

#[test]
fn a_unit_that_fails_to_build_leaves_every_output_folder_as_it_was() {
    let p = released(&format!("{PACKAGES}{BUNDLES}"), "");
    p.xtask(&["bundle"]).code(0);
    // The app's zip now matches nothing, after the pair's set is built (the pair's comes first).
    std::fs::remove_dir_all(p.path("src")).unwrap();
    let snapshot = p.snapshot();
    let run = p.xtask(&["bundle", "--allow-dirty"]);
    run.code(2);
    assert!(run.stderr.contains("bundle app.zip: nothing under src/ matches"), "{run}");
    assert!(!run.stderr.contains("bundled pair"), "{run}");
    assert_same(&snapshot, &p.snapshot());
    assert_eq!(manifest(&p.path("dist/pair"))["dirty"], false, "the pair's previous set is in place");
}

#[test]
fn a_bundle_that_no_package_holds_is_an_error_when_configured_and_left_out_when_detected() {
    let repo = TestRepo::new();
    let (front, _) = npm("frontend", "0.1.0");
    let pair = "[[package]]\nname = \"backend\"\nfolder = \"backend\"\n\n\
                [[package]]\nname = \"frontend\"\nfolder = \"frontend\"\n\n\
                [[group]]\nname = \"pair\"\npackages = [\"backend\", \"frontend\"]\n";
    repo.write("backend/pyproject.toml", "[project]\nname = \"b\"\nversion = \"0.1.0\"\n")
        .write("frontend/package.json", front)
        .write("docs/guide.md", "# Guide\n")
        .write(".gitignore", "dist/\n")
        .write("xtask.toml", format!("{pair}\n[[bundle]]\nname = \"guide.zip\"\ncwd = \"docs\"\ninclude = [\"**\"]\n"));
    repo.commit_all("chore: initial import");
    repo.tag("v0.1.0");
    let snapshot = repo.snapshot();
    let run = repo.xtask(&["bundle"]);
    run.code(2);
    assert!(
        run.stderr.contains(
            "bundle `guide.zip` (configured in xtask.toml): no package's folder holds its cwd `docs`; give it `package = NAME`, one of: pair (backend, frontend)"
        ),
        "{run}"
    );
    assert_same(&snapshot, &repo.snapshot());

    // Detected: the docs zip (at the root) is no package's; the pair's source archive is built.
    repo.write("xtask.toml", pair);
    repo.commit_all("chore: detected bundles");
    repo.git(&["tag", "-f", "v0.1.0"]);
    let run = repo.xtask(&["bundle", "--only", "source"]);
    run.code(0);
    assert!(run.stderr.contains("warning: bundle `docs-bundle.zip` (detected: docs/ exists): no package's folder holds `.`, so no package bundles it"), "{run}");
    assert_eq!(files_in(&repo.path("dist/pair")), set_of(&["pair-0.1.0-source.tar.gz"], "pair-0.1.0"));

    // --package in a repository without packages says so.
    repo.write("xtask.toml", "");
    repo.commit_all("chore: no packages");
    let run = repo.xtask(&["bundle", "--package", "pair"]);
    run.code(2);
    assert!(run.stderr.contains("--package pair: xtask.toml declares no [[package]]"), "{run}");
}
