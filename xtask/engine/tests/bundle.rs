//! `cargo xtask bundle` on a Lot Genius repository with real builds (`python -m build`,
//! `npm ci`, `npm run build`): every artifact, byte-identical rebuilds, checksums that
//! `sha256sum -c` accepts, archives that unzip, Python and tar read, and `--verify`.

mod bundle_util;
mod support;

use bundle_util::{files, lot_genius, names, python_zip_listing, tool, tool_ok};

const ARTIFACTS: [&str; 13] = [
    "SHA256SUMS",
    "docs-bundle.zip",
    "docs-bundle.zip.cdx.json",
    "frontend-build.zip",
    "frontend-build.zip.cdx.json",
    "lot-genius-0.1.0-source.tar.gz",
    "lot-genius-0.1.0-source.tar.gz.cdx.json",
    "lot-genius-0.1.0.intoto.json",
    "lotgenius-0.1.0-py3-none-any.whl",
    "lotgenius-0.1.0-py3-none-any.whl.cdx.json",
    "lotgenius-0.1.0.tar.gz",
    "lotgenius-0.1.0.tar.gz.cdx.json",
    "manifest.json",
];

#[test]
fn lot_genius_bundles_are_complete_reproducible_and_verified() {
    let repo = lot_genius();
    let dist = repo.path("dist");
    let run = repo.xtask(&["bundle"]);
    run.code(0);
    assert_eq!(names(&dist), ARTIFACTS, "{run}");
    let first = files(&dist);

    // The manifest: project, version, commit, time, and each file's size, digest and kind.
    let manifest: serde_json::Value = serde_json::from_slice(&first["manifest.json"]).unwrap();
    assert_eq!(manifest["project"], "lot-genius");
    assert_eq!(manifest["version"], "0.1.0");
    assert_eq!(manifest["commit"], repo.git(&["rev-parse", "HEAD"]));
    assert_eq!(manifest["dirty"], false);
    assert_eq!(manifest["source_date_epoch"].as_i64().unwrap().to_string(), repo.git(&["show", "-s", "--format=%ct"]));
    let kinds: Vec<(String, String)> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap().to_string(), f["kind"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("docs-bundle.zip", "zip"),
            ("docs-bundle.zip.cdx.json", "sbom"),
            ("frontend-build.zip", "zip"),
            ("frontend-build.zip.cdx.json", "sbom"),
            ("lot-genius-0.1.0-source.tar.gz", "source"),
            ("lot-genius-0.1.0-source.tar.gz.cdx.json", "sbom"),
            ("lot-genius-0.1.0.intoto.json", "statement"),
            ("lotgenius-0.1.0-py3-none-any.whl", "wheel"),
            ("lotgenius-0.1.0-py3-none-any.whl.cdx.json", "sbom"),
            ("lotgenius-0.1.0.tar.gz", "sdist"),
            ("lotgenius-0.1.0.tar.gz.cdx.json", "sbom"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    for f in manifest["files"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        assert_eq!(f["size"].as_u64().unwrap(), first[name].len() as u64, "{name}");
    }

    // Independent readers.
    tool(&dist, "sha256sum", &["-c", "--strict", "SHA256SUMS"]);
    assert_eq!(bundle_util::validate_sboms(&dist), 5);
    for zip in ["docs-bundle.zip", "frontend-build.zip", "lotgenius-0.1.0-py3-none-any.whl"] {
        tool(&dist, "unzip", &["-tq", zip]);
    }
    let frontend = python_zip_listing(&dist.join("frontend-build.zip"));
    let frontend_names: Vec<&str> = frontend.lines().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(
        frontend_names,
        [".next/BUILD_ID", ".next/static/app.js", "package-lock.json", "package.json", "public/index.html"]
    );
    assert!(frontend.lines().all(|l| l.ends_with(" 0o100644 2026")), "{frontend}");
    let docs = python_zip_listing(&dist.join("docs-bundle.zip"));
    assert!(docs.contains("docs/operations/release.md 0o100644"), "{docs}");
    let source = tool(&dist, "tar", &["-tzf", "lot-genius-0.1.0-source.tar.gz"]);
    let tracked = repo.git(&["ls-files"]);
    let mut want: Vec<String> = tracked.lines().map(|p| format!("lot-genius-0.1.0/{p}")).collect();
    let listed: Vec<&str> = source.lines().filter(|l| !l.ends_with('/')).collect();
    want.sort();
    assert_eq!(listed, want, "the source archive holds exactly the tracked files");
    let verbose = tool(&dist, "tar", &["-tvzf", "lot-genius-0.1.0-source.tar.gz"]);
    assert!(verbose.lines().all(|l| l.contains(" 0/0 ") && l.contains(" 2026-01-01 01:00")), "{verbose}");
    let sdist = tool(&dist, "tar", &["-tzf", "lotgenius-0.1.0.tar.gz"]);
    assert!(sdist.contains("lotgenius-0.1.0/pyproject.toml"), "{sdist}");
    assert_eq!(&first["lotgenius-0.1.0.tar.gz"][4..10], &[0, 0, 0, 0, 0, 3], "the sdist is re-stamped: no gzip time");

    // A second run after every source file was touched and the build outputs removed, under
    // another umask (which wheel builders copy into the wheel), gives byte-identical files.
    let later = "2030-06-01 12:00";
    for path in tracked.lines() {
        tool(repo.root(), "touch", &["-d", later, path]);
    }
    std::fs::remove_dir_all(repo.path("frontend/.next")).unwrap();
    let mut cmd = std::process::Command::new("sh");
    cmd.args(["-c", "umask 077 && exec \"$0\" \"$@\"", env!("CARGO_BIN_EXE_polyrelease"), "--root"])
        .arg(repo.root())
        .arg("bundle");
    repo.env(&mut cmd);
    let second_run = cmd.output().unwrap();
    assert!(second_run.status.success(), "{}", String::from_utf8_lossy(&second_run.stderr));
    let built = tool(repo.root(), "stat", &["-c", "%a", "frontend/.next/BUILD_ID"]);
    assert_eq!(built.trim(), "600", "the second build ran under umask 077");
    let second = files(&dist);
    for (name, bytes) in &first {
        assert!(second[name] == *bytes, "{name} differs between two runs");
    }
    assert_eq!(repo.git(&["status", "--porcelain"]), "", "the build changed tracked files");

    // --verify passes, then fails naming a tampered file (and sha256sum agrees).
    repo.xtask(&["bundle", "--verify", "dist"]).code(0);
    let mut bytes = first["frontend-build.zip"].clone();
    let at = bytes.len() / 3;
    bytes[at] ^= 0x55;
    std::fs::write(dist.join("frontend-build.zip"), bytes).unwrap();
    let run = repo.xtask(&["bundle", "--verify", "dist"]);
    run.code(1);
    assert!(run.stdout.contains("frontend-build.zip: checksum mismatch"), "{run}");
    assert!(!run.stdout.contains("docs-bundle.zip"), "only the tampered file is named\n{run}");
    assert!(!tool_ok(&dist, "sha256sum", &["-c", "--quiet", "SHA256SUMS"]));
}

#[test]
fn a_pre_release_carries_each_ecosystem_form() {
    let repo = lot_genius();
    for (path, from, to) in [
        ("backend/pyproject.toml", "\"0.1.0\"", "\"1.2.0rc1\""),
        ("backend/lotgenius/__init__.py", "\"0.1.0\"", "\"1.2.0rc1\""),
        ("frontend/package.json", "\"0.1.0\"", "\"1.2.0-rc.1\""),
        ("frontend/package-lock.json", "\"0.1.0\"", "\"1.2.0-rc.1\""),
    ] {
        let text = repo.read(path).replace(from, to);
        repo.write(path, text);
    }
    repo.commit_all("chore: release 1.2.0-rc.1");
    // The frontend build lands outside `dist`, inside the docs bundle's folder: never archived.
    let run = repo.xtask(&[
        "bundle",
        "--out",
        "docs/out",
        "--only",
        "backend-dist,frontend-build.zip,docs-bundle.zip,source",
    ]);
    run.code(0);
    let out = repo.path("docs/out");
    assert_eq!(
        names(&out),
        [
            "SHA256SUMS",
            "docs-bundle.zip",
            "docs-bundle.zip.cdx.json",
            "frontend-build.zip",
            "frontend-build.zip.cdx.json",
            "lot-genius-1.2.0-rc.1-source.tar.gz",
            "lot-genius-1.2.0-rc.1-source.tar.gz.cdx.json",
            "lot-genius-1.2.0-rc.1.intoto.json",
            "lotgenius-1.2.0rc1-py3-none-any.whl",
            "lotgenius-1.2.0rc1-py3-none-any.whl.cdx.json",
            "lotgenius-1.2.0rc1.tar.gz",
            "lotgenius-1.2.0rc1.tar.gz.cdx.json",
            "manifest.json"
        ]
    );
    let docs = python_zip_listing(&out.join("docs-bundle.zip"));
    assert!(!docs.contains("docs/out"), "{docs}");
    repo.xtask(&["bundle", "--verify", "docs/out"]).code(0);

    // A wheel that says another version is a mismatch even with matching checksums.
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    std::fs::write(
        out.join("manifest.json"),
        manifest.replace("\"version\": \"1.2.0-rc.1\"", "\"version\": \"1.2.0-rc.2\""),
    )
    .unwrap();
    let run = repo.xtask(&["bundle", "--verify", "docs/out"]);
    run.code(1);
    assert!(
        run.stdout.contains(
            "lotgenius-1.2.0rc1-py3-none-any.whl: the wheel's name says version 1.2.0rc1, the manifest 1.2.0-rc.2"
        ),
        "{run}"
    );
    assert!(run.stdout.contains("frontend-build.zip: package.json says version 1.2.0-rc.1"), "{run}");
    assert!(run.stdout.contains("lotgenius-1.2.0rc1.tar.gz: the sdist's name says version 1.2.0rc1"), "{run}");
}
