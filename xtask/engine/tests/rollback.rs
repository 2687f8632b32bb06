//! `cargo xtask rollback` on real repositories: 2.5.0, a bad 2.5.1 that adds, changes,
//! deletes and renames files, then a rollback that ships 2.5.0's files as 2.5.2 and pushes it;
//! `--to` over two bad releases; dry runs and JSON plans; gates on the tree that is shipped.

mod rollback_common;
mod support;

use rollback_common::{LOCKFILE, LOGO_GOOD, SOURCES, released, unreleased, with_bad_release};
use support::assert_same;

/// The version files at `good` with the version moved to `new` (the lockfile by its JSON).
fn assert_versions_moved(p: &rollback_common::Project, good: &str, new: &str) {
    let old = good.trim_start_matches('v');
    for source in SOURCES {
        let expected = p.show_text(good, source).replace(old, new);
        assert_eq!(p.show_text(&format!("v{new}"), source), expected, "{source}");
    }
    let mut expected: serde_json::Value = serde_json::from_slice(&p.show(good, LOCKFILE)).unwrap();
    expected["version"] = new.into();
    expected["packages"][""]["version"] = new.into();
    let actual: serde_json::Value = serde_json::from_slice(&p.show(&format!("v{new}"), LOCKFILE)).unwrap();
    assert_eq!(actual, expected, "{LOCKFILE}");
}

#[test]
fn a_rollback_ships_the_last_good_release_as_a_new_version_and_pushes_it() {
    let p = with_bad_release("2.5.1");
    let log_before = p.read("CHANGELOG.md");
    let run = p.rollback(&["--reason", "checkout broken", "--push", "--no-verify"]);
    run.code(0);
    assert!(run.stdout.contains("rolled back lot-genius to v2.5.0 as 2.5.2"), "{run}");
    assert!(run.stdout.contains("pushed to origin"), "{run}");

    // The tree is 2.5.0's except the version files and the changelog.
    let status = p.git(&["diff", "--name-status", "v2.5.0", "v2.5.2"]);
    assert_eq!(
        status.lines().collect::<Vec<_>>(),
        [
            "M\tCHANGELOG.md",
            "M\tbackend/lotgenius/__init__.py",
            "M\tbackend/pyproject.toml",
            "M\tfrontend/package-lock.json",
            "M\tfrontend/package.json"
        ],
        "{status}"
    );
    assert_eq!(
        p.tree_differences("v2.5.0", "v2.5.2"),
        ["CHANGELOG.md", "backend/lotgenius/__init__.py", "backend/pyproject.toml", LOCKFILE, "frontend/package.json"]
    );
    assert_versions_moved(&p, "v2.5.0", "2.5.2");
    assert!(!p.show_text("v2.5.2", "backend/pyproject.toml").contains("requests"), "the dependency went back too");
    let tree = p.tree("v2.5.2");
    assert_eq!(tree["scripts/deploy.sh"].0, "100755");
    assert_eq!(tree["scripts/check.sh"].0, "100644");
    assert_eq!(tree["docs/latest.md"].0, "120000");
    assert_eq!(p.show("v2.5.2", "docs/latest.md"), b"GETTING_STARTED.md");
    assert_eq!(p.show("v2.5.2", "assets/logo.png"), LOGO_GOOD);

    // The work tree is that commit, exactly: emptied folders are gone, restored ones back.
    assert_eq!(p.git(&["status", "--porcelain", "--ignored"]), "");
    assert_eq!(std::fs::read(p.path("assets/logo.png")).unwrap(), LOGO_GOOD);
    assert_eq!(p.kind("scripts/deploy.sh"), "exec");
    assert_eq!(p.kind("scripts/check.sh"), "file");
    assert_eq!(p.kind("docs/latest.md"), "link -> GETTING_STARTED.md");
    assert_eq!(p.kind("docs/checkout.md"), "file");
    for gone in ["docs/guide", "newdir", "backend/lotgenius/checkout.py"] {
        assert_eq!(p.kind(gone), "-", "{gone}");
    }
    assert_eq!(p.read("docs/operations/release.md"), p.show_text("v2.5.0", "docs/operations/release.md"));

    // The changelog is today's, with the rollback's section and the bad release yanked.
    let log = p.read("CHANGELOG.md");
    let section = "## [2.5.2] - 2026-01-01\n\nRollback to 2.5.0: checkout broken\n\nEvery file is as it was in 2.5.0 except the version, now 2.5.2, and this changelog. Yanked: 2.5.1.\n\n";
    assert!(log.contains(&format!("## [Unreleased]\n\n{section}## [2.5.1] - 2026-01-01 [YANKED]\n")), "{log}");
    assert!(log.contains("\n## [2.5.0] - 2026-01-01\n"), "the good release is not yanked:\n{log}");
    assert_eq!(log.replace(section, "").replace(" [YANKED]", ""), log_before, "nothing else changed");

    // One commit, an annotated tag that tells the same story, both pushed.
    assert_eq!(p.subject(), "chore(release): v2.5.2");
    assert_eq!(p.git(&["rev-list", "--count", "v2.5.1..HEAD"]), "1");
    assert_eq!(p.git(&["cat-file", "-t", "v2.5.2"]), "tag");
    let message = p.git(&["tag", "-l", "--format=%(contents)", "v2.5.2"]);
    assert!(message.starts_with("v2.5.2\n\nRollback to 2.5.0: checkout broken\n"), "{message}");
    assert!(message.contains("Yanked: 2.5.1."), "{message}");
    let head = p.git(&["rev-parse", "HEAD"]);
    let remote = p.remote_refs();
    assert!(remote.contains(&format!("refs/heads/main {head}")), "{remote}");
    assert!(remote.contains("refs/tags/v2.5.2 "), "{remote}");
    p.xtask(&["version", "--check"]).code(0);
    assert!(p.journal().is_none());
}

#[test]
fn to_reaches_over_two_bad_releases_and_yanks_both() {
    let p = with_bad_release("2.5.1");
    p.write("docs/notes-2.6.md", "more\n");
    p.commit_all("feat: notes");
    p.xtask(&["release", "2.6.0", "--no-verify", "--push"]).code(0);
    // Without --to the newest final release below 2.6.0 would be chosen.
    let plan = p.xtask(&["--json", "rollback", "--dry-run", "--no-verify"]);
    assert_eq!(plan.code(0).json()["plan"]["previous_tag"], "v2.5.1");

    let run = p.rollback(&["--to", "2.5.0", "--reason", "both broke checkout", "--no-verify"]);
    run.code(0);
    assert!(run.stdout.contains("rolled back lot-genius to v2.5.0 as 2.6.1"), "{run}");
    assert_eq!(
        p.tree_differences("v2.5.0", "v2.6.1"),
        ["CHANGELOG.md", "backend/lotgenius/__init__.py", "backend/pyproject.toml", LOCKFILE, "frontend/package.json"]
    );
    assert_versions_moved(&p, "v2.5.0", "2.6.1");
    assert_eq!(p.kind("docs/notes-2.6.md"), "-");
    let log = p.read("CHANGELOG.md");
    assert!(log.contains("Rollback to 2.5.0: both broke checkout\n"), "{log}");
    assert!(log.contains("Yanked: 2.5.1, 2.6.0.\n"), "{log}");
    assert!(
        log.contains("\n## [2.6.0] - 2026-01-01 [YANKED]\n") && log.contains("\n## [2.5.1] - 2026-01-01 [YANKED]\n")
    );
    assert!(log.contains("\n## [2.5.0] - 2026-01-01\n"), "{log}");
    // Not pushed without --push.
    assert!(!p.remote_refs().contains("v2.6.1"));
}

#[test]
fn a_dry_run_prints_the_plan_a_real_run_executes_and_changes_nothing() {
    let p = with_bad_release("2.5.1");
    let before = p.snapshot();
    let run = p.rollback(&["--dry-run", "--reason", "checkout broken", "--push", "--no-verify"]);
    run.code(0);
    assert_same(&before, &p.snapshot());
    let text = &run.stdout;
    for expected in [
        "rollback lot-genius: 2.5.1 -> 2.5.2 (tag v2.5.2) on main at ",
        "restores the files of v2.5.0, dated 2026-01-01",
        "quality gates: none (--no-verify)",
        "write assets/logo.png (restored)\nbinary file assets/logo.png: 7 -> 8 bytes\n",
        "write scripts/deploy.sh (restored)\n   same content; the executable bit is set\n",
        "write scripts/check.sh (restored)\n   same content; the executable bit is cleared\n",
        "write docs/latest.md (restored, symbolic link)\n",
        "create docs/checkout.md (restored)\n",
        "delete docs/guide/checkout.md (restored)\n",
        "delete backend/lotgenius/checkout.py (restored)\n",
        "create docs/operations/release.md (restored)\n",
        "write backend/pyproject.toml (version source)\n",
        "-dependencies = [\"requests\"]\n+dependencies = []\n",
        "write frontend/package-lock.json (lockfile)\n",
        "write CHANGELOG.md (changelog)\n",
        "+## [2.5.1] - 2026-01-01 [YANKED]\n",
        "commit \"chore(release): v2.5.2\"\n   | Rollback to 2.5.0: checkout broken (v2.5.0)\n",
        "tag v2.5.2 (annotated), message:\n   | v2.5.2\n",
        "push main and v2.5.2 to origin\n   git push --atomic origin refs/heads/main refs/tags/v2.5.2\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?}\n{run}");
    }
    assert!(run.stderr.contains("dry run: nothing was changed"), "{run}");

    // The JSON plan is the plan the real run journals and executes.
    let json = p.xtask(&["--json", "rollback", "--dry-run", "--reason", "checkout broken", "--push", "--no-verify"]);
    let doc = json.code(0).json();
    assert_same(&before, &p.snapshot());
    let plan = &doc["plan"];
    assert_eq!((plan["command"].as_str(), plan["version"].as_str()), (Some("rollback"), Some("2.5.2")));
    let steps = plan["steps"].as_array().unwrap();
    let logo = steps.iter().find(|s| s["path"] == "assets/logo.png").unwrap();
    assert_eq!(logo["after"]["hex"], "89504e4700ff0102");
    let link = steps.iter().find(|s| s["path"] == "docs/latest.md").unwrap();
    assert_eq!((link["symlink"].as_bool(), link["was_symlink"].as_bool()), (Some(true), Some(true)));
    assert_eq!(link["after"], "GETTING_STARTED.md");
    let deleted = steps.iter().find(|s| s["path"] == "newdir/nested/flow.txt").unwrap();
    assert!(deleted["after"].is_null() && deleted["role"] == "restore");
    assert_eq!(steps.last().unwrap()["step"], "push");

    let real = p.xtask(&["--json", "rollback", "--reason", "checkout broken", "--push", "--no-verify"]);
    let done = real.code(0).json();
    assert_eq!(done["plan"]["steps"], plan["steps"], "the real run executed the plan the dry run showed");
    assert_eq!((done["restored"].as_str(), done["tag"].as_str()), (Some("v2.5.0"), Some("v2.5.2")));
    assert_eq!(done["pushed"], "origin");
    assert_eq!(done["commit"].as_str().unwrap(), p.git(&["rev-parse", "HEAD"]));
}

#[test]
fn a_second_rollback_never_goes_back_to_a_yanked_release() {
    let p = with_bad_release("2.5.1");
    p.rollback(&["--no-verify"]).code(0);
    let plan = p.xtask(&["--json", "rollback", "--dry-run", "--no-verify"]).code(0).json();
    assert_eq!(plan["plan"]["previous_tag"], "v2.5.0", "2.5.1 is marked [YANKED]");
    assert_eq!(plan["plan"]["version"], "2.5.3");
    // Rolling back to the same content again changes only the version files and the changelog.
    let paths: Vec<&str> =
        plan["plan"]["steps"].as_array().unwrap().iter().filter_map(|s| s["path"].as_str()).collect();
    assert_eq!(
        paths,
        ["CHANGELOG.md", "backend/lotgenius/__init__.py", "backend/pyproject.toml", LOCKFILE, "frontend/package.json"]
    );
}

#[test]
fn the_gates_check_the_tree_that_is_shipped_not_the_bad_one() {
    // One gate: no file named BROKEN. 2.4.0 had one, 2.5.0 did not, the bad 2.5.1 has one.
    let gate = "\n[gates]\ndetect = false\n\n[[gates.command]]\nname = \"not-broken\"\nrun = [\"test\", \"!\", \"-e\", \"BROKEN\"]\n";
    let p = unreleased(gate);
    p.write("BROKEN", "yes\n");
    p.commit_all("chore: broken");
    p.xtask(&["release", "2.4.0", "--no-verify"]).code(0);
    std::fs::remove_file(p.path("BROKEN")).unwrap();
    p.commit_all("fix: not broken");
    p.xtask(&["release", "2.5.0"]).code(0);
    p.write("BROKEN", "again\n");
    p.commit_all("feat: broken again");
    p.xtask(&["release", "2.5.1", "--no-verify"]).code(0);
    p.xtask(&["quality-check"]).code(1);

    let before = p.snapshot();
    let run = p.rollback(&["--to", "v2.4.0"]);
    run.code(1);
    assert!(run.stderr.contains("not-broken"), "{run}");
    assert!(run.stderr.contains("the quality gates ran on the files the rollback would commit (v2.4.0 with version 2.5.2), in a temporary copy of that tree"), "{run}");
    assert_same(&before, &p.snapshot());

    let run = p.rollback(&["--reason", "broken again"]);
    run.code(0);
    assert!(run.stderr.contains("quality gates passed (1)"), "{run}");
    assert_eq!(p.kind("BROKEN"), "-");
    p.xtask(&["quality-check"]).code(0);
}

#[test]
fn a_version_source_added_after_the_target_stays_with_todays_configuration() {
    // 2.5.1 adds a VERSION file listed as a source in its xtask.toml. The rollback plans with
    // today's configuration (xtask.toml is the tool's, kept as it is): the VERSION file it names
    // stays, at the new version, with the other sources, which are 2.5.0's at 2.5.2.
    let p = released();
    p.write("VERSION", "2.5.0\n");
    let config = format!("{}\n[[version]]\npath = \"VERSION\"\n", p.read("xtask.toml"));
    let sources = SOURCES.iter().map(|s| format!("[[version]]\npath = \"{s}\"\n")).collect::<String>();
    p.write("xtask.toml", format!("{config}{sources}"));
    p.commit_all("build: a VERSION file");
    p.xtask(&["release", "2.5.1", "--no-verify"]).code(0);
    assert_eq!(p.read("VERSION"), "2.5.1\n");
    let today = p.read("xtask.toml");
    p.rollback(&["--no-verify"]).code(0);
    assert_eq!(p.read("VERSION"), "2.5.2\n");
    assert_eq!(p.read("xtask.toml"), today);
    assert_versions_moved(&p, "v2.5.0", "2.5.2");
    p.xtask(&["version", "--check"]).code(0);
    let notes = p.git(&["tag", "-l", "--format=%(contents)", "v2.5.2"]);
    assert!(notes.contains("this changelog and the files kept as they are today."), "{notes}");
}
