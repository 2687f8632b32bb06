//! Releasing several packages: a fixed backend+frontend pair (tag `v0.1.0`) and an independent
//! app at the root (tag `app-v1.0.0`). `release --all auto` releases each with releasable
//! commits in one commit, a tag each and one atomic push; `release NAME TARGET` releases one;
//! a kill at any point aborts to the repository as it was and resumes to the finished release;
//! ambiguous or impossible requests are exit 2 and change nothing.

mod support;

use support::origin::Project;
use support::{TestRepo, assert_same};

const CONFIG: &str = support::shop::PACKAGES;

fn shop() -> Project {
    support::shop::shop(CONFIG, "")
}

/// The first version after the word `version` (`version = "1.2.3"`, `"version": "1.2.3"`).
fn version_in(text: &str) -> String {
    let after = &text[text.find("version").expect("a version")..];
    let start = after.find(|c: char| c.is_ascii_digit()).expect("digits");
    after[start..].chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect()
}

#[test]
fn release_all_auto_releases_the_pair_and_the_app_in_one_commit_and_one_push() {
    let p = shop();
    let head = p.git(&["rev-parse", "HEAD"]);

    // The dry run: both units, a tag each, one push; nothing changes.
    let snapshot = p.snapshot();
    let run = p.xtask(&["release", "--all", "auto", "--push", "--dry-run"]);
    run.code(0);
    assert!(run.stdout.contains("pair (backend, frontend): 0.1.0 -> 0.2.0, tag v0.2.0, notes since v0.1.0"), "{run}");
    assert!(run.stdout.contains("app: 1.0.0 -> 1.1.0, tag app-v1.1.0, notes since app-v1.0.0"), "{run}");
    assert!(
        run.stdout.contains("git push --atomic origin refs/heads/main refs/tags/v0.2.0 refs/tags/app-v1.1.0"),
        "{run}"
    );
    let plan = p.xtask(&["--json", "release", "--all", "auto", "--push", "--dry-run"]).code(0).json()["plan"].clone();
    let releases: Vec<(String, String)> = plan["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap().to_string(), r["tag"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(releases, [("pair".to_string(), "v0.2.0".to_string()), ("app".into(), "app-v1.1.0".into())]);
    assert_same(&snapshot, &p.snapshot());

    // The release, with the quality gates (the versions gate checks each unit on its own).
    let run = p.xtask(&["release", "--all", "auto", "--push"]);
    run.code(0);
    assert!(run.stdout.contains("released pair 0.2.0 (tag v0.2.0), app 1.1.0 (tag app-v1.1.0)"), "{run}");
    assert!(run.stderr.contains("quality gates passed"), "{run}");
    assert_eq!(p.git(&["rev-parse", "HEAD~1"]), head, "one commit");
    assert_eq!(p.subject(), "chore(release): v0.2.0, app-v1.1.0");
    for (file, want) in [
        ("backend/pyproject.toml", "0.2.0"),
        ("backend/shop_api/__init__.py", "0.2.0"),
        ("frontend/package.json", "0.2.0"),
        ("frontend/package-lock.json", "0.2.0"),
        ("package.json", "1.1.0"),
        ("package-lock.json", "1.1.0"),
    ] {
        assert_eq!(version_in(&p.read(file)), want, "{file}");
    }
    let lock = p.read("package-lock.json");
    assert_eq!(lock.matches("1.1.0").count(), 2, "both versions of the lockfile move: {lock}");
    // Two changelogs, each with its own commits.
    let pair_log = p.read("docs/CHANGELOG.md");
    assert!(pair_log.contains("## [0.2.0]") && pair_log.contains("list the orders") && pair_log.contains("no margin"));
    assert!(!pair_log.contains("start page"), "{pair_log}");
    let app_log = p.read("CHANGELOG.md");
    assert!(app_log.contains("## [1.1.0]") && app_log.contains("a start page"), "{app_log}");
    assert!(!app_log.contains("list the orders") && !app_log.contains("no margin"), "{app_log}");
    // A tag each, annotated, with its own notes; both pushed with the branch.
    for (tag, has, lacks) in [("v0.2.0", "list the orders", "start page"), ("app-v1.1.0", "start page", "no margin")] {
        assert_eq!(p.git(&["cat-file", "-t", tag]), "tag");
        let message = p.git(&["tag", "-l", "--format=%(contents)", tag]);
        assert!(message.contains(has) && !message.contains(lacks), "{tag}: {message}");
    }
    let remote = p.remote_refs();
    let commit = p.git(&["rev-parse", "HEAD"]);
    assert!(remote.contains(&format!("refs/heads/main {commit}")), "{remote}");
    for tag in ["v0.2.0", "app-v1.1.0"] {
        let object = p.git(&["rev-parse", tag]);
        assert!(remote.contains(&format!("refs/tags/{tag} {object}")), "{tag}: {remote}");
    }
    assert_eq!(p.git(&["status", "--porcelain"]), "");

    // Nothing is left to release: exit 2, saying so for each.
    let snapshot = p.snapshot();
    let run = p.xtask(&["release", "--all", "auto"]);
    run.code(2);
    assert!(run.stderr.contains("no package has anything to release"), "{run}");
    assert!(run.stderr.contains("pair (backend, frontend): no commits since v0.2.0"), "{run}");
    assert_same(&snapshot, &p.snapshot());
}

#[test]
fn a_kill_at_any_point_aborts_to_before_and_resumes_to_the_whole_release() {
    let base = shop();
    let args = ["release", "--all", "auto", "--no-verify"];
    let plan =
        base.xtask(&["--json", "release", "--all", "auto", "--no-verify", "--dry-run"]).code(0).json()["plan"].clone();
    let writes = plan["steps"].as_array().unwrap().iter().filter(|s| s["step"] == "write").count();
    assert_eq!(writes, 8, "4 version files, 2 lockfiles, 2 changelogs: {plan:#}");
    let before = base.snapshot();
    let twin = base.duplicate();
    twin.xtask(&args).code(0);
    let done = twin.snapshot();
    let points =
        ["after-journal:1", "before-rename:3", "after-write:8", "after-stage:1", "after-commit:1", "after-tag:1"];
    for point in points {
        for (verb, expected) in [("--abort", &before), ("--resume", &done)] {
            let p = base.duplicate();
            let run = p.xtask_with(&args, |cmd| {
                cmd.env("XTASK_FAULT", point);
            });
            assert_eq!(run.code, -1, "killed at {point}\n{run}");
            assert!(p.journal().is_some(), "killed at {point}: the journal is left");
            p.xtask(&["release", verb]).code(0);
            assert_same(expected, &p.snapshot());
            assert!(p.journal().is_none(), "{point} {verb}: the journal is gone");
        }
    }
}

#[test]
fn release_name_target_releases_one_unit_and_a_package_of_a_fixed_group_releases_its_group() {
    let p = shop();
    let run = p.xtask(&["release", "app", "patch", "--no-verify"]);
    run.code(0);
    assert!(run.stdout.contains("released app 1.0.1 (tag app-v1.0.1)"), "{run}");
    assert_eq!(p.subject(), "chore(release): app-v1.0.1");
    assert_eq!(version_in(&p.read("package.json")), "1.0.1");
    assert_eq!(version_in(&p.read("frontend/package.json")), "0.1.0", "the pair is left alone");
    assert!(!p.read("docs/CHANGELOG.md").contains("##"), "the pair's changelog is left alone");

    // Naming a package of the fixed pair releases the pair.
    let run = p.xtask(&["release", "frontend", "1.0.0", "--no-verify"]);
    run.code(0);
    assert_eq!(p.subject(), "chore(release): v1.0.0");
    assert_eq!(version_in(&p.read("backend/pyproject.toml")), "1.0.0");
    assert_eq!(version_in(&p.read("frontend/package.json")), "1.0.0");
    assert_eq!(version_in(&p.read("package.json")), "1.0.1");

    // --all auto now finds only what is left: nothing for either.
    p.write("backend/shop_api/orders.py", "ORDERS = [1]\n");
    p.commit_all("fix(api): one order");
    let run = p.xtask(&["release", "--all", "auto", "--no-verify"]);
    run.code(0);
    assert!(run.stderr.contains("nothing to release for app:"), "{run}");
    assert_eq!(p.subject(), "chore(release): v1.0.1");
    assert_eq!(version_in(&p.read("package.json")), "1.0.1");
}

#[test]
fn requests_that_cannot_be_told_apart_or_kept_are_exit_2_and_change_nothing() {
    let p = shop();
    let snapshot = p.snapshot();
    for (args, wants) in [
        (
            &["release", "minor"][..],
            "this repository releases several packages (pair (backend, frontend), app): name one",
        ),
        (&["release", "--all", "2.0.0"][..], "release --all 2.0.0: one version for several packages"),
        (&["release", "web", "minor"][..], "\"web\" is not a package or group of xtask.toml"),
        (&["release", "app", "minor", "--branch"][..], "--branch does not release packages yet"),
        (&["release", "app", "0.9.0"][..], "app: the new version 0.9.0 is not above the current version 1.0.0"),
    ] {
        let run = p.xtask(args);
        run.code(2);
        assert!(run.stderr.contains(wants), "{args:?}\n{run}");
        assert_same(&snapshot, &p.snapshot());
    }
    // Without packages, --all and a package name say what to do instead.
    let single = TestRepo::new();
    single.write("VERSION", "1.0.0\n");
    single.commit_all("chore: start");
    for (args, wants) in [
        (
            &["release", "--all", "auto"][..],
            "--all releases the packages of xtask.toml, and it declares no [[package]]",
        ),
        (&["release", "app", "minor"][..], "xtask.toml declares no [[package]], so there is no package \"app\""),
    ] {
        let run = single.xtask(args);
        run.code(2);
        assert!(run.stderr.contains(wants), "{args:?}\n{run}");
    }
}

/// The shop, where the app requires the frontend (`^0.1.0`, in its manifest and its lockfile)
/// and a `tools` package requires the backend (`shop-backend>=0.1.0`, and in its uv.lock).
fn shop_with_dependents(linked: bool) -> Project {
    let config = format!(
        "{}\n[[package]]\nname = \"tools\"\nfolder = \"tools\"\n\n[[group]]\nname = \"helpers\"\npackages = [\"tools\"]\nmode = \"independent\"\n",
        CONFIG.replace("mode = \"independent\"\n", &format!("mode = \"independent\"\nlinked = {linked}\n"))
    );
    let repo = TestRepo::new();
    let (front, front_lock) = support::shop::npm("frontend", "0.1.0");
    let app = "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n  \"private\": true,\n  \"dependencies\": {\n    \"frontend\": \"^0.1.0\",\n    \"left-pad\": \"^0.1.0\"\n  }\n}\n";
    let app_lock = "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n    \"\": {\n      \"name\": \"app\",\n      \"version\": \"1.0.0\",\n      \"dependencies\": {\n        \"frontend\": \"^0.1.0\",\n        \"left-pad\": \"^0.1.0\"\n      }\n    }\n  }\n}\n";
    let tools = "[project]\nname = \"shop-tools\"\nversion = \"2.0.0\"\ndependencies = [\n    \"shop-backend>=0.1.0\",\n    \"requests>=0.1.0\",\n]\n";
    let uv_lock = "version = 1\nrequires-python = \">=3.9\"\n\n[[package]]\nname = \"shop-tools\"\nversion = \"2.0.0\"\nsource = { editable = \".\" }\ndependencies = [\n    { name = \"shop-backend\" },\n]\n\n[package.metadata]\nrequires-dist = [\n    { name = \"shop-backend\", specifier = \">=0.1.0\" },\n    { name = \"requests\", specifier = \">=0.1.0\" },\n]\n";
    repo.write("backend/pyproject.toml", "[project]\nname = \"shop-backend\"\nversion = \"0.1.0\"\n")
        .write("frontend/package.json", front)
        .write("frontend/package-lock.json", front_lock)
        .write("package.json", app)
        .write("package-lock.json", app_lock)
        .write("tools/pyproject.toml", tools)
        .write("tools/uv.lock", uv_lock)
        .write("docs/CHANGELOG.md", "# Changelog\n")
        .write("xtask.toml", config);
    repo.commit_all("chore: initial import");
    for tag in ["v0.1.0", "app-v1.0.0", "tools-v2.0.0"] {
        repo.tag(tag);
    }
    repo.write("backend/orders.py", "ORDERS = []\n");
    repo.commit_all("feat(api): list the orders");
    Project::with_origin(repo, &["main"])
}

#[test]
fn a_release_moves_the_requirements_on_it_and_releases_the_dependents_of_a_linked_group() {
    let p = shop_with_dependents(true);
    let run = p.xtask(&["release", "--all", "auto", "--no-verify"]);
    run.code(0);
    // The pair has a feature; the app has nothing of its own but is linked and requires the
    // frontend, so it is released too; tools (not linked) only has its requirement moved.
    assert!(run.stdout.contains("released pair 0.2.0 (tag v0.2.0), app 1.0.1 (tag app-v1.0.1)"), "{run}");
    assert!(run.stderr.contains("nothing to release for tools:"), "{run}");
    assert_eq!(p.subject(), "chore(release): v0.2.0, app-v1.0.1");
    let app = p.read("package.json");
    assert!(app.contains("\"frontend\": \"^0.2.0\"") && app.contains("\"left-pad\": \"^0.1.0\""), "{app}");
    assert!(app.contains("\"version\": \"1.0.1\""), "{app}");
    let lock = p.read("package-lock.json");
    assert!(lock.contains("\"frontend\": \"^0.2.0\"") && lock.contains("\"left-pad\": \"^0.1.0\""), "{lock}");
    assert_eq!(lock.matches("1.0.1").count(), 2, "{lock}");
    let tools = p.read("tools/pyproject.toml");
    assert!(tools.contains("\"shop-backend>=0.2.0\"") && tools.contains("\"requests>=0.1.0\""), "{tools}");
    assert!(tools.contains("version = \"2.0.0\""), "tools is not released: {tools}");
    let uv = p.read("tools/uv.lock");
    assert!(uv.contains("{ name = \"shop-backend\", specifier = \">=0.2.0\" }"), "{uv}");
    assert!(uv.contains("{ name = \"requests\", specifier = \">=0.1.0\" }"), "{uv}");
    // The app's notes say why it was released.
    let notes = p.read("CHANGELOG.md");
    assert!(notes.contains("## [1.0.1]") && notes.contains("### Dependencies"), "{notes}");
    assert!(notes.contains("package.json: frontend ^0.1.0 -> ^0.2.0"), "{notes}");
    let message = p.git(&["tag", "-l", "--format=%(contents)", "app-v1.0.1"]);
    assert!(message.contains("frontend ^0.1.0 -> ^0.2.0"), "{message}");
    assert_eq!(p.git(&["status", "--porcelain"]), "");
}

#[test]
fn without_linked_the_dependent_is_not_released_but_its_requirement_moves() {
    let p = shop_with_dependents(false);
    let plan =
        p.xtask(&["--json", "release", "--all", "auto", "--no-verify", "--dry-run"]).code(0).json()["plan"].clone();
    let roles: Vec<(String, String)> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["step"] == "write")
        .map(|s| (s["path"].as_str().unwrap().to_string(), s["role"].as_str().unwrap().to_string()))
        .collect();
    for (path, role) in [
        ("package.json", "dependency"),
        ("package-lock.json", "dependency"),
        ("tools/pyproject.toml", "dependency"),
        ("tools/uv.lock", "dependency"),
    ] {
        assert!(roles.contains(&(path.to_string(), role.to_string())), "{path}: {roles:?}");
    }
    p.xtask(&["release", "--all", "auto", "--no-verify"]).code(0);
    assert_eq!(p.subject(), "chore(release): v0.2.0");
    let app = p.read("package.json");
    assert!(app.contains("\"frontend\": \"^0.2.0\"") && app.contains("\"version\": \"1.0.0\""), "{app}");
    assert!(!p.path("CHANGELOG.md").exists(), "the app is not released, so its changelog is not made");
}

#[test]
fn only_the_gates_of_the_packages_being_released_run() {
    let p = shop();
    let config =
        format!("{CONFIG}\n[[gates.command]]\nname = \"frontend-check\"\nrun = [\"false\"]\ncwd = \"frontend\"\n");
    p.write("xtask.toml", config);
    p.commit_all("chore: a frontend gate");
    // The app's release leaves out the frontend's failing gate, and says so.
    let run = p.xtask(&["release", "app", "patch"]);
    run.code(0);
    assert!(
        run.stderr.contains(
            "gates of packages not being released are left out: compile (backend), frontend-check (frontend)"
        ),
        "{run}"
    );
    assert!(run.stderr.contains("quality gates passed"), "{run}");
    // The pair's release runs it, and stops before the first write.
    let snapshot = p.snapshot();
    let run = p.xtask(&["release", "pair", "minor"]);
    run.code(1);
    assert!(run.stderr.contains("the quality gates did not pass (frontend-check)"), "{run}");
    assert_same(&snapshot, &p.snapshot());
}

#[test]
fn each_file_of_a_unit_gets_the_new_version_in_its_own_ecosystems_form() {
    let p = shop();
    p.xtask(&["release", "pair", "minor", "--pre", "rc", "--no-verify"]).code(0);
    assert!(p.read("backend/pyproject.toml").contains("version = \"0.2.0rc1\""));
    assert!(p.read("backend/shop_api/__init__.py").contains("__version__ = \"0.2.0rc1\""));
    assert!(p.read("frontend/package.json").contains("\"version\": \"0.2.0-rc.1\""));
    assert_eq!(p.subject(), "chore(release): v0.2.0-rc.1");
    // The final release's notes cover the release candidate's commits too.
    p.xtask(&["release", "pair", "ga", "--no-verify"]).code(0);
    assert!(p.read("backend/pyproject.toml").contains("version = \"0.2.0\""));
    let message = p.git(&["tag", "-l", "--format=%(contents)", "v0.2.0"]);
    assert!(message.contains("list the orders") && message.contains("no margin"), "{message}");
}

#[test]
fn rollback_name_restores_only_that_units_folders_with_its_own_version_tag_and_changelog() {
    let p = shop();
    p.xtask(&["release", "--all", "auto", "--no-verify"]).code(0);
    let pair_log = p.read("docs/CHANGELOG.md");
    let snapshot = p.snapshot();
    for (args, wants) in [
        (&["rollback", "--no-verify"][..], "name the one to roll back (`rollback pair`)"),
        (&["rollback", "web", "--no-verify"][..], "\"web\" is not a package or group of xtask.toml"),
    ] {
        let run = p.xtask(args);
        run.code(2);
        assert!(run.stderr.contains(wants), "{args:?}\n{run}");
        assert_same(&snapshot, &p.snapshot());
    }
    let run = p.xtask(&["rollback", "app", "--no-verify", "--reason", "the start page breaks"]);
    run.code(0);
    assert!(run.stdout.contains("rolled back app to app-v1.0.0 as 1.1.1"), "{run}");
    assert_eq!(p.git(&["cat-file", "-t", "app-v1.1.1"]), "tag");
    // The app's files are those of app-v1.0.0, at the new version.
    assert!(!p.path("src/start.js").exists(), "added after app-v1.0.0");
    assert_eq!(version_in(&p.read("package.json")), "1.1.1");
    assert_eq!(version_in(&p.read("package-lock.json")), "1.1.1");
    let log = p.read("CHANGELOG.md");
    assert!(log.contains("## [1.1.1]") && log.contains("the start page breaks") && log.contains("## [1.1.0]"), "{log}");
    // The pair is left as it is: its files, its versions, its changelog.
    assert!(p.path("backend/shop_api/orders.py").exists() && p.path("frontend/style.css").exists());
    assert_eq!(version_in(&p.read("backend/pyproject.toml")), "0.2.0");
    assert_eq!(version_in(&p.read("frontend/package.json")), "0.2.0");
    assert_eq!(p.read("docs/CHANGELOG.md"), pair_log);
    assert_eq!(p.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_refused_push_of_a_release_of_packages_is_undone_with_every_tag() {
    let p = shop();
    let before = p.snapshot();
    let head = p.git(&["rev-parse", "HEAD"]);
    let hook = p.remote.path().join("hooks/pre-receive");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, "#!/bin/sh\necho 'protected by policy' >&2\nexit 1\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = p.xtask(&["release", "--all", "auto", "--push", "--no-verify"]);
    run.code(3);
    assert!(run.stderr.contains("tags v0.2.0, app-v1.1.0"), "{run}");
    assert!(
        run.stderr.contains("git push --atomic origin refs/heads/main refs/tags/v0.2.0 refs/tags/app-v1.1.0"),
        "{run}"
    );
    let run = p.xtask(&["rollback", "--undo"]);
    run.code(0);
    assert!(run.stdout.contains("removed release shop 0.2.0: main is back at"), "{run}");
    assert!(run.stdout.contains("tags v0.2.0, app-v1.1.0 are deleted"), "{run}");
    assert_eq!(p.git(&["rev-parse", "HEAD"]), head);
    assert!(p.tags().iter().all(|t| t == "v0.1.0" || t == "app-v1.0.0"), "{:?}", p.tags());
    assert_same(&before, &p.snapshot());
}
