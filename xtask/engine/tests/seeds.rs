//! The seeds' repositories as they are: a Jupyter extension's changelog markers, and tags
//! spelled the way each team spells them.

mod support;

use support::TestRepo;

/// A project holding `py` in pyproject.toml and `npm` in package.json, tagged `tags` on its
/// first commit (`feat: the first panel`), with one commit `change` since.
fn released(py: &str, npm: &str, tags: &[&str], changelog: &str, change: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", format!("[project]\nname = \"ext\"\nversion = \"{py}\"\n"))
        .write("package.json", format!("{{\n  \"name\": \"ext\",\n  \"version\": \"{npm}\"\n}}\n"))
        .write("CHANGELOG.md", changelog)
        .write("xtask.toml", "[release]\nname = \"ext\"\n");
    repo.commit_all("feat: the first panel");
    for tag in tags {
        repo.tag(tag);
    }
    repo.tick();
    repo.write("src/feature.txt", "new\n");
    repo.commit_all(change);
    repo
}

fn jupyter(py: &str, npm: &str, tag: &str, changelog: &str) -> TestRepo {
    released(py, npm, &[tag], changelog, "feat: a new panel")
}

/// The tags of the repository, in git's order.
fn tags(repo: &TestRepo) -> Vec<String> {
    repo.git(&["tag", "--list"]).lines().map(str::to_string).collect()
}

#[test]
fn s0_release_candidates_are_tagged_glued_and_the_ga_plain() {
    let repo = released("1.2.0rc1", "1.2.0-rc1", &["v1.1.0", "v1.2.0-rc1"], "", "fix: a crash");
    repo.xtask(&["release", "rc", "--no-verify"]).code(0);
    assert!(tags(&repo).contains(&"v1.2.0-rc2".to_string()), "{:?}", tags(&repo));
    assert!(repo.read("package.json").contains("\"1.2.0-rc2\""));
    assert!(repo.read("pyproject.toml").contains("\"1.2.0rc2\""));
    repo.xtask(&["release", "ga", "--no-verify"]).code(0);
    assert_eq!(tags(&repo), ["v1.1.0", "v1.2.0", "v1.2.0-rc1", "v1.2.0-rc2"]);
    // The GA's notes cover what came since v1.1.0, release candidates included.
    let notes = repo.git(&["tag", "-l", "--format=%(contents)", "v1.2.0"]);
    assert!(notes.contains("a crash"), "{notes}");
}

#[test]
fn a_python_only_project_tagged_glued_keeps_its_tag_spelling() {
    // Only a PEP 440 file: nothing but the tags says `-rc2` rather than `-rc.2`.
    let repo = released("1.2.0rc1", "1.2.0-rc1", &["v1.1.0", "v1.2.0-rc1"], "", "fix: a crash");
    std::fs::remove_file(repo.path("package.json")).unwrap();
    repo.commit_all("chore: no frontend");
    repo.xtask(&["release", "rc", "--no-verify"]).code(0);
    assert!(tags(&repo).contains(&"v1.2.0-rc2".to_string()), "{:?}", tags(&repo));
    assert!(repo.read("pyproject.toml").contains("\"1.2.0rc2\""));
}

#[test]
fn a_jupyter_project_tags_pep440_while_package_json_keeps_semver() {
    let repo = released("0.54.0", "0.54.0", &["v0.54.0a1", "v0.54.0"], "", "feat: a new panel");
    repo.xtask(&["release", "0.55.0a1", "--no-verify"]).code(0);
    assert!(tags(&repo).contains(&"v0.55.0a1".to_string()), "{:?}", tags(&repo));
    assert!(repo.read("pyproject.toml").contains("\"0.55.0a1\""));
    // A tag that exists in another spelling is still the same release.
    let run = repo.xtask(&["release", "0.55.0-alpha.1", "--no-verify", "--dry-run"]);
    run.code(2);
    // A configured format wins over the repository's style.
    repo.write("xtask.toml", "[release]\nname = \"ext\"\ntag-format = \"v{semver}\"\n");
    repo.commit_all("chore: tag as SemVer");
    let run = repo.xtask(&["--json", "release", "0.55.0a2", "--no-verify", "--dry-run"]);
    run.code(0);
    assert!(run.stdout.contains("\"v0.55.0-alpha.2\""), "{run}");
}

#[test]
fn a_prefix_less_history_is_seen_by_changelog_and_auto_and_continued() {
    let repo = released("0.4.0", "0.4.0", &["0.3.0", "0.4.0"], "", "fix: a crash");
    let run = repo.xtask(&["changelog"]);
    run.code(0);
    assert!(run.stdout.contains("a crash") && !run.stdout.contains("the first panel"), "{run}");
    let run = repo.xtask(&["--json", "release", "auto", "--no-verify", "--dry-run"]);
    run.code(0);
    assert_eq!(run.json()["plan"]["version"], "0.4.1", "{run}");
    repo.xtask(&["release", "auto", "--no-verify"]).code(0);
    assert_eq!(tags(&repo), ["0.3.0", "0.4.0", "0.4.1"]);
}

#[test]
fn a_rollback_tags_in_the_repositorys_style() {
    let repo = released("0.3.0", "0.3.0", &["0.3.0"], "", "fix: a crash");
    repo.xtask(&["release", "auto", "--no-verify"]).code(0);
    let run = repo.xtask(&["--json", "rollback", "--no-verify", "--dry-run"]);
    run.code(0);
    assert_eq!(run.json()["plan"]["version"], "0.3.2", "{run}");
    repo.xtask(&["rollback", "--no-verify"]).code(0);
    assert_eq!(tags(&repo), ["0.3.0", "0.3.1", "0.3.2"], "no `v` the repository never wrote");
    assert_eq!(repo.read("pyproject.toml"), "[project]\nname = \"ext\"\nversion = \"0.3.2\"\n");
}

#[test]
fn lerna_style_tags_are_read_and_written_through_the_tag_format() {
    let repo = released("1.2.0", "1.2.0", &["@scope/ext@1.2.0"], "", "fix: a crash");
    repo.write("xtask.toml", "[release]\nname = \"ext\"\ntag-format = \"@scope/ext@{semver}\"\n");
    repo.commit_all("chore: lerna-style tags");
    let run = repo.xtask(&["changelog"]);
    run.code(0);
    assert!(run.stdout.contains("a crash") && !run.stdout.contains("the first panel"), "{run}");
    repo.xtask(&["release", "auto", "--no-verify"]).code(0);
    assert_eq!(tags(&repo), ["@scope/ext@1.2.0", "@scope/ext@1.2.1"]);
}

#[test]
fn lerna_style_tags_alone_are_read_and_continued_without_configuration() {
    let repo = released("1.2.0", "1.2.0", &["@scope/ext@1.1.0", "@scope/ext@1.2.0"], "", "feat: a panel");
    let run = repo.xtask(&["changelog"]);
    run.code(0);
    assert!(run.stdout.contains("a panel") && !run.stdout.contains("the first panel"), "{run}");
    repo.xtask(&["release", "auto", "--no-verify"]).code(0);
    assert_eq!(tags(&repo), ["@scope/ext@1.1.0", "@scope/ext@1.2.0", "@scope/ext@1.3.0"]);
}

#[test]
fn a_bad_tag_format_is_exit_2_naming_the_line() {
    let repo = released("0.4.0", "0.4.0", &["0.4.0"], "", "fix: a crash");
    repo.write("xtask.toml", "[release]\nname = \"ext\"\ntag-format = \"v{calver}\"\n");
    let before = repo.snapshot();
    let run = repo.xtask(&["release", "patch", "--no-verify"]);
    run.code(2);
    assert!(
        run.stderr.contains("xtask.toml") && run.stderr.contains("line 3") && run.stderr.contains("{semver-glued}"),
        "{run}"
    );
    support::assert_same(&before, &repo.snapshot());
}

/// A jupyter-releaser changelog: the newest release between its markers.
const MARKED: &str = include_str!("fixtures/changelog/jupyter-markers.md");

#[test]
fn a_jupyter_releaser_changelog_gets_the_section_between_its_markers() {
    let repo = jupyter("0.54.0", "0.54.0", "v0.54.0", MARKED);
    let before = repo.snapshot();
    repo.xtask(&["release", "minor", "--no-verify", "--dry-run"]).code(0);
    support::assert_same(&before, &repo.snapshot());

    repo.xtask(&["release", "minor", "--no-verify"]).code(0);
    let text = repo.read("CHANGELOG.md");
    let start = text.find("<!-- <START NEW CHANGELOG ENTRY> -->").unwrap();
    let end = text.find("<!-- <END NEW CHANGELOG ENTRY> -->").unwrap();
    assert_eq!(text.matches("<!-- <START NEW CHANGELOG ENTRY> -->").count(), 1, "{text}");
    assert_eq!(text.matches("<!-- <END NEW CHANGELOG ENTRY> -->").count(), 1, "{text}");
    let newest = &text[start..end];
    assert!(newest.contains("## [0.55.0]") && newest.contains("a new panel"), "{text}");
    assert!(!newest.contains("0.54.0"), "{text}");
    assert!(text[end..].contains("\n\n## 0.54.0\n\n- Old things (#12)\n\n## 0.53.0\n"), "{text}");
    assert!(text.starts_with("# Changelog\n\n<!-- <START NEW CHANGELOG ENTRY> -->\n\n## [0.55.0]"), "{text}");
}
