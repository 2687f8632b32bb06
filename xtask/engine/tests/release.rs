//! `release` on a Lot Genius-like repository with a local bare remote: every target, every
//! version source in its own form, the changelog, one commit, an annotated tag, the atomic
//! push; dry runs that change nothing and show the plan the real run executes.

mod release_common;
mod support;

use release_common::{golden, lot_genius, planned_version};
use support::assert_same;

#[test]
fn minor_push_writes_every_source_in_its_form_commits_tags_and_pushes_atomically() {
    let p = lot_genius();
    p.change("feat(api): estimate whole lots");
    p.change("fix: round prices to cents");
    let before_head = p.git(&["rev-parse", "HEAD"]);
    let run = p.release(&["minor", "--push", "--no-verify"]);
    run.code(0);
    assert!(run.stdout.contains("released lot-genius") || run.stdout.contains("0.2.0"), "{run}");
    assert!(
        run.stderr.contains("wrote backend/pyproject.toml") && run.stderr.contains("pushed main and v0.2.0"),
        "{run}"
    );
    assert!(run.stderr.contains("--no-verify"), "skipping the gates is said loudly\n{run}");

    assert!(p.read("backend/pyproject.toml").contains("version = \"0.2.0\"  # kept in sync by cargo xtask release\n"));
    assert!(p.read("backend/pyproject.toml").contains("python_version = \"3.8\""), "other values stay");
    assert!(p.read("backend/lotgenius/__init__.py").contains("__version__ = \"0.2.0\"\n"));
    assert!(p.read("frontend/package.json").contains("\"version\": \"0.2.0\",\n  \"private\": true"));
    let lock: serde_json::Value = serde_json::from_str(&p.read("frontend/package-lock.json")).unwrap();
    assert_eq!(lock["version"], "0.2.0");
    assert_eq!(lock["packages"][""]["version"], "0.2.0");
    golden("CHANGELOG-minor.md", &p.read("CHANGELOG.md"));

    // One commit on top of the old HEAD, holding exactly the release's files.
    assert_eq!(p.subject(), "chore(release): v0.2.0");
    assert_eq!(p.git(&["rev-parse", "HEAD~1"]), before_head);
    let files = p.git(&["show", "--name-only", "--format=", "HEAD"]);
    let mut files: Vec<&str> = files.lines().collect();
    files.sort_unstable();
    assert_eq!(
        files,
        [
            "CHANGELOG.md",
            "backend/lotgenius/__init__.py",
            "backend/pyproject.toml",
            "frontend/package-lock.json",
            "frontend/package.json"
        ]
    );
    assert_eq!(p.git(&["status", "--porcelain"]), "", "the work tree is clean after a release");

    // An annotated tag whose message is the release notes.
    assert_eq!(p.git(&["cat-file", "-t", "v0.2.0"]), "tag");
    assert_eq!(p.git(&["rev-parse", "v0.2.0^{commit}"]), p.git(&["rev-parse", "HEAD"]));
    let message = p.git(&["tag", "-l", "--format=%(contents)", "v0.2.0"]);
    assert!(message.starts_with("v0.2.0\n\n### Features\n\n- **api:** estimate whole lots"), "{message}");
    assert!(message.contains("### Bug fixes") || message.contains("### Bug Fixes"), "{message}");

    // Branch and tag are both on the remote.
    let remote = p.remote_refs();
    assert!(remote.contains(&format!("refs/heads/main {}", p.git(&["rev-parse", "HEAD"]))), "{remote}");
    assert!(remote.contains(&format!("refs/tags/v0.2.0 {}", p.git(&["rev-parse", "v0.2.0"]))), "{remote}");
    assert!(p.journal().is_none(), "the journal is removed after a release");
}

#[test]
fn dry_run_shows_the_whole_plan_and_changes_nothing() {
    let p = lot_genius();
    p.change("feat(api): estimate whole lots");
    let before = p.snapshot();
    let remote_before = p.remote_refs();
    let run = p.release(&["minor", "--push", "--dry-run", "--no-verify"]);
    run.code(0);
    golden("dry-run-minor.txt", &run.stdout);
    assert!(run.stderr.contains("dry run: nothing was changed"), "{run}");
    assert_same(&before, &p.snapshot());
    assert_eq!(p.remote_refs(), remote_before);
    assert!(!p.path(".git/xtask").exists(), "a dry run creates no journal and no lock file");
}

#[test]
fn the_json_plan_of_a_dry_run_is_the_plan_the_real_run_journals() {
    let p = lot_genius();
    p.change("feat: lots");
    let before = p.snapshot();
    let dry = p.xtask(&["--json", "release", "minor", "--push", "--dry-run", "--no-verify"]);
    dry.code(0);
    let doc = dry.json();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["dry_run"], true);
    let plan = &doc["plan"];
    assert_eq!(plan["version"], "0.2.0");
    assert_eq!(plan["from"], "0.1.0");
    let steps: Vec<&str> = plan["steps"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["write", "write", "write", "write", "write", "commit", "tag", "push"]);
    assert_same(&before, &p.snapshot());
    // The real run, stopped (SIGKILL) after its first write: its journal holds the same plan.
    let killed = p.xtask_with(&["release", "minor", "--push", "--no-verify"], |cmd| {
        cmd.env("XTASK_FAULT", "after-write:1");
    });
    assert_ne!(killed.code, 0, "{killed}");
    let journal = p.journal().expect("the killed run left its journal");
    assert_eq!(&journal["plan"], plan);
    p.release(&["--abort"]).code(0);
    assert_same(&before, &p.snapshot());
}

#[test]
fn release_candidates_in_pep440_and_semver_up_to_rc_10_then_ga() {
    let p = lot_genius();
    p.change("feat: lot estimates");
    p.release(&["minor", "--pre", "rc", "--no-verify"]).code(0);
    assert!(p.read("backend/pyproject.toml").contains("version = \"0.2.0rc1\""));
    assert!(p.read("backend/lotgenius/__init__.py").contains("__version__ = \"0.2.0rc1\""));
    assert!(p.read("frontend/package.json").contains("\"version\": \"0.2.0-rc.1\""));
    assert!(p.read("CHANGELOG.md").contains("## [0.2.0-rc.1] - "));
    assert_eq!(p.subject(), "chore(release): v0.2.0-rc.1");

    p.change("fix: candidate two");
    p.release(&["rc", "--no-verify"]).code(0);
    assert!(p.read("frontend/package.json").contains("\"version\": \"0.2.0-rc.2\""));
    for n in 3..=10 {
        p.release(&["rc", "--no-verify"]).code(0);
        assert!(p.tags().contains(&format!("v0.2.0-rc.{n}")), "{:?}", p.tags());
    }
    assert!(p.read("backend/pyproject.toml").contains("version = \"0.2.0rc10\""));
    assert!(p.read("frontend/package.json").contains("\"version\": \"0.2.0-rc.10\""));

    p.release(&["ga", "--no-verify"]).code(0);
    assert!(p.read("backend/pyproject.toml").contains("version = \"0.2.0\""));
    assert_eq!(p.tags().last().map(String::as_str), Some("v0.2.0"));
    // The final release's notes cover its release candidates: everything since v0.1.0.
    let notes = p.git(&["tag", "-l", "--format=%(contents)", "v0.2.0"]);
    assert!(notes.contains("lot estimates") && notes.contains("candidate two"), "{notes}");
    golden("CHANGELOG-rc-to-ga.md", &p.read("CHANGELOG.md"));
}

#[test]
fn pre_release_refusals_name_the_way_forward() {
    let p = lot_genius();
    let before = p.snapshot();
    let run = p.release(&["rc", "--no-verify"]);
    run.code(2);
    assert!(run.stderr.contains("release minor --pre rc") && run.stderr.contains("0.2.0-rc.1"), "{run}");
    let run = p.release(&["ga", "--no-verify"]);
    run.code(2);
    assert!(run.stderr.contains("already a final version"), "{run}");
    assert_same(&before, &p.snapshot());

    p.release(&["minor", "--pre", "rc", "--no-verify"]).code(0);
    let before = p.snapshot();
    let run = p.release(&["beta", "--no-verify"]);
    run.code(2);
    assert!(run.stderr.contains("0.2.0-beta.1") && run.stderr.contains("below"), "{run}");
    let run = p.release(&["minor", "--pre", "dev", "--no-verify"]);
    run.code(2);
    assert!(run.stderr.contains("alpha, beta, rc"), "{run}");
    assert_same(&before, &p.snapshot());
}

#[test]
fn auto_follows_conventional_commits() {
    let p = lot_genius();
    p.change("fix: round prices");
    assert_eq!(planned_version(&p, &["auto"]), "0.1.1");
    p.change("feat: estimate lots");
    assert_eq!(planned_version(&p, &["auto"]), "0.2.0");
    p.change("feat!: drop the v1 API");
    assert_eq!(planned_version(&p, &["auto"]), "0.2.0", "breaking changes give minor while the major is 0");
    assert_eq!(planned_version(&p, &["auto", "--pre", "beta"]), "0.2.0-beta.1");
    p.release(&["1.0.0", "--no-verify"]).code(0);
    p.change("refactor!: new storage");
    assert_eq!(planned_version(&p, &["auto"]), "2.0.0");
}

#[test]
fn auto_with_nothing_releasable_says_why() {
    let p = lot_genius();
    let before = p.snapshot();
    let run = p.release(&["auto", "--no-verify"]);
    run.code(2);
    assert!(run.stderr.contains("nothing to release") && run.stderr.contains("no commits since v0.1.0"), "{run}");
    assert_same(&before, &p.snapshot());
    p.change("docs: explain lots");
    p.change("chore: tidy");
    let before_two = p.snapshot();
    let run = p.release(&["auto", "--no-verify"]);
    run.code(2);
    assert!(run.stderr.contains("2 commits since v0.1.0 (chore: 1, docs: 1)"), "{run}");
    assert_same(&before_two, &p.snapshot());
}

#[test]
fn explicit_versions_in_either_spelling() {
    let p = lot_genius();
    p.release(&["1.2.3rc1", "--no-verify"]).code(0);
    assert!(p.read("backend/pyproject.toml").contains("version = \"1.2.3rc1\""));
    assert!(p.read("frontend/package.json").contains("\"version\": \"1.2.3-rc.1\""));
    assert_eq!(p.tags().last().map(String::as_str), Some("v1.2.3-rc.1"));
    p.release(&["v1.2.3", "--no-verify"]).code(0);
    assert_eq!(p.tags().last().map(String::as_str), Some("v1.2.3"));
    let before = p.snapshot();
    let run = p.release(&["1.2.3.4.5", "--no-verify"]);
    run.code(2);
    assert!(run.stderr.contains("1.2.3.4.5: not a version"), "{run}");
    assert_same(&before, &p.snapshot());
}

#[test]
fn hotfix_patches_an_older_line_below_the_newest_tag() {
    let p = lot_genius();
    p.change("feat: lots");
    p.release(&["minor", "--no-verify"]).code(0);
    p.git(&["switch", "-q", "-c", "hotfix/0.1", "v0.1.0"]);
    p.change("fix: urgent rounding");
    let before = p.snapshot();
    let run = p.release(&["patch", "--no-verify"]);
    run.code(2);
    assert!(run.stderr.contains("v0.2.0") && run.stderr.contains("release hotfix"), "{run}");
    assert_same(&before, &p.snapshot());
    p.release(&["hotfix", "--no-verify"]).code(0);
    assert!(p.read("frontend/package.json").contains("\"version\": \"0.1.1\""));
    assert!(p.tags().contains(&"v0.1.1".to_string()));
    let notes = p.git(&["tag", "-l", "--format=%(contents)", "v0.1.1"]);
    assert!(notes.contains("urgent rounding") && !notes.contains("- lots"), "{notes}");
    // From a branch that is not hotfix/*, a hotfix is refused.
    p.git(&["switch", "-q", "main"]);
    let run = p.release(&["hotfix", "--no-verify"]);
    run.code(2);
    assert!(run.stderr.contains("hotfix/*"), "{run}");
}

#[test]
fn sign_makes_a_signed_tag() {
    let p = lot_genius();
    let key = p.path(".git/test-signing-key");
    let keygen = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f"])
        .arg(&key)
        .status();
    if !keygen.is_ok_and(|s| s.success()) {
        eprintln!("ssh-keygen is not available: skipping the signed-tag scenario");
        return;
    }
    p.git(&["config", "gpg.format", "ssh"]);
    p.git(&["config", "user.signingkey", key.to_str().unwrap()]);
    p.release(&["patch", "--sign", "--no-verify"]).code(0);
    let tag = p.git(&["cat-file", "tag", "v0.1.1"]);
    assert!(tag.contains("-----BEGIN SSH SIGNATURE-----"), "{tag}");
}

#[test]
fn a_shallow_clone_is_deepened_until_the_previous_tag_is_reachable() {
    let (_p, clone, url) = release_common::shallow_clone();
    // A dry run fetches nothing (tests/release_shallow.rs); the real run deepens the clone.
    let run = clone.xtask(&["--json", "release", "patch", "--no-verify"]);
    run.code(0);
    assert!(run.stderr.contains("shallow clone"), "{run}");
    let plan = &run.json()["plan"];
    assert_eq!(plan["previous_tag"], "v0.1.0");
    let notes = plan["notes"].as_str().unwrap();
    assert!(notes.contains("step 0") && notes.contains("step 7"), "{notes}");

    // Without a remote to fetch from, the release stops and says how to fix it.
    let lonely = support::TestRepo::plain();
    lonely.git(&["clone", "-q", "--depth", "1", &url, "."]);
    lonely.git(&["remote", "remove", "origin"]);
    let before = lonely.snapshot();
    let run = lonely.xtask(&["release", "patch", "--dry-run", "--no-verify"]);
    run.code(2);
    assert!(run.stderr.contains("shallow clone") && run.stderr.contains("fetch-depth: 0"), "{run}");
    assert_same(&before, &lonely.snapshot());
}

#[test]
fn json_reports_the_release_and_quiet_keeps_only_the_summary() {
    let p = lot_genius();
    p.change("fix: rounding");
    let run = p.xtask(&["--json", "-q", "release", "patch", "--no-verify"]);
    run.code(0);
    let doc = run.json();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["dry_run"], false);
    assert_eq!(doc["version"], "0.1.1");
    assert_eq!(doc["tag"], "v0.1.1");
    assert_eq!(doc["commit"], p.git(&["rev-parse", "HEAD"]));
    assert_eq!(doc["pushed"], serde_json::Value::Null);
    assert!(!run.stderr.contains("wrote "), "-q hides the steps\n{run}");
    // A refusal under --json is a JSON error with the exit code.
    let run = p.xtask(&["--json", "release", "0.0.1", "--no-verify"]);
    run.code(2);
    assert_eq!(run.json()["exit_code"], 2);
}
