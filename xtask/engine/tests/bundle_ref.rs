//! `bundle --ref`: the artifacts of an older commit, built in a temporary worktree that is
//! removed afterwards (also when the build fails), stamped with that commit's time.

mod bundle_util;
mod support;

use bundle_util::{lot_genius, names, tool};

fn bump(repo: &support::TestRepo, from: &str, to: &str) {
    for path in [
        "backend/pyproject.toml",
        "backend/lotgenius/__init__.py",
        "frontend/package.json",
        "frontend/package-lock.json",
    ] {
        let text = repo.read(path).replace(&format!("\"{from}\""), &format!("\"{to}\""));
        repo.write(path, text);
    }
}

fn worktrees(repo: &support::TestRepo) -> usize {
    repo.git(&["worktree", "list", "--porcelain"]).lines().filter(|l| l.starts_with("worktree ")).count()
}

#[test]
fn an_older_tag_is_bundled_in_a_temporary_worktree() {
    let repo = lot_genius();
    repo.tag("v0.1.0");
    bump(&repo, "0.1.0", "0.2.0");
    repo.commit_all("chore: release 0.2.0");
    // The work tree's own changes do not matter for another commit.
    repo.write("docs/README.md", "# work in progress\n");

    let scratch = tempfile::tempdir().unwrap();
    let args = ["bundle", "--ref", "v0.1.0", "--only", "frontend-build.zip,docs-bundle.zip,source", "--json"];
    let run = repo.xtask_with(&args, |cmd| {
        cmd.env_remove("SOURCE_DATE_EPOCH").env("TMPDIR", scratch.path());
    });
    run.code(0);
    assert_eq!(names(scratch.path()), Vec::<String>::new(), "the scratch folder was left behind");
    let manifest = &run.json()["manifest"];
    assert_eq!(manifest["version"], "0.1.0");
    assert_eq!(manifest["commit"], repo.git(&["rev-parse", "v0.1.0^{commit}"]));
    assert_eq!(manifest["dirty"], false);
    assert_eq!(manifest["source_date_epoch"].to_string(), repo.git(&["show", "-s", "--format=%ct", "v0.1.0^{commit}"]));
    let dist = repo.path("dist");
    assert_eq!(
        names(&dist),
        [
            "SHA256SUMS",
            "docs-bundle.zip",
            "docs-bundle.zip.cdx.json",
            "frontend-build.zip",
            "frontend-build.zip.cdx.json",
            "lot-genius-0.1.0-source.tar.gz",
            "lot-genius-0.1.0-source.tar.gz.cdx.json",
            "lot-genius-0.1.0.intoto.json",
            "manifest.json"
        ]
    );
    let package = tool(&dist, "unzip", &["-p", "frontend-build.zip", "package.json"]);
    assert!(package.contains("\"version\": \"0.1.0\""), "{package}");
    let readme = tool(&dist, "unzip", &["-p", "docs-bundle.zip", "docs/README.md"]);
    assert!(readme.starts_with("# Lot Genius docs"), "the commit's docs, not the work tree's: {readme}");
    repo.xtask(&["bundle", "--verify", "dist"]).code(0);

    assert!(!repo.path("frontend/.next").exists(), "the build ran in the work tree");
    assert_eq!(worktrees(&repo), 1, "the temporary worktree is still registered");
    assert_eq!(repo.git(&["status", "--porcelain", "--untracked-files=no"]), " M docs/README.md");
}

#[test]
fn a_failing_build_at_a_ref_removes_the_worktree() {
    let repo = lot_genius();
    repo.git(&["checkout", "-q", "-b", "broken"]);
    repo.write(
        "xtask.toml",
        "[release]\nname = \"lot-genius\"\n\n[[bundle]]\nname = \"x.zip\"\nbuild = [[\"node\", \"-e\", \"process.exit(1)\"]]\ninclude = [\"docs\"]\n",
    );
    repo.commit_all("chore: a broken bundle");
    repo.git(&["checkout", "-q", "main"]);

    let scratch = tempfile::tempdir().unwrap();
    let run = repo.xtask_with(&["bundle", "--ref", "broken"], |cmd| {
        cmd.env("TMPDIR", scratch.path());
    });
    run.code(2);
    assert_eq!(names(scratch.path()), Vec::<String>::new(), "the scratch folder was left behind");
    assert!(run.stderr.contains("bundle x.zip: `node -e"), "{run}");
    assert_eq!(worktrees(&repo), 1);
    assert_eq!(repo.git(&["worktree", "prune", "--dry-run", "-v"]), "");
    assert!(names(&repo.path("dist")).is_empty());

    let run = repo.xtask(&["bundle", "--ref", "no-such-tag"]);
    run.code(2);
    assert!(run.stderr.contains("--ref no-such-tag: no such commit"), "{run}");
}
