//! `changelog` on real temp repositories: the library API the release builds on, and the
//! command's output compared with golden files under `tests/golden/changelog/`
//! (`UPDATE_GOLDEN=1 cargo test --test changelog` rewrites them).

mod support;

use polyrelease::changelog::{self, Bump};
use polyrelease::repo::Repo;
use support::TestRepo;

fn open(repo: &TestRepo) -> Repo {
    Repo::open(Some(repo.root())).unwrap()
}

#[test]
fn commits_are_read_newest_first_with_merges_skipped() {
    let repo = TestRepo::new();
    repo.commit_all("chore: initial import");
    repo.git(&["checkout", "-q", "-b", "topic"]);
    repo.write("a.txt", "a");
    let feat = repo.commit_all("feat(api)!: new endpoint\n\nBody text.\n\nBREAKING CHANGE: v1 is gone\nRefs: #4");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("b.txt", "b");
    repo.commit_all("fix: on main");
    repo.tick();
    repo.git(&["merge", "-q", "--no-ff", "topic", "-m", "Merge branch 'topic'"]);

    let commits = changelog::commits(&open(&repo), None, "HEAD").unwrap();
    let headers: Vec<String> = commits.iter().map(|c| format!("{}:{}", c.kind, c.description)).collect();
    assert_eq!(headers, ["fix:on main", "feat:new endpoint", "chore:initial import"]);
    let c = &commits[1];
    assert_eq!(c.hash, feat);
    assert!(feat.starts_with(&c.short) && c.short.len() >= 7);
    assert_eq!(c.scope.as_deref(), Some("api"));
    assert!(c.breaking);
    assert_eq!(c.breaking_notes, ["v1 is gone"]);
    assert_eq!(c.body, "Body text.\n\nBREAKING CHANGE: v1 is gone\nRefs: #4");
    assert_eq!(c.author, "Test Author");
    assert_eq!(c.time, support::EPOCH as i64 + 2 * 3600);
    assert_eq!(changelog::bump(&commits), Some(Bump::Major));
}

#[test]
fn a_range_excludes_what_the_start_holds() {
    let repo = TestRepo::new();
    repo.commit_all("feat: one");
    repo.tag("v0.1.0");
    repo.commit_all("fix: two");
    repo.commit_all("docs: three");
    let commits = changelog::commits(&open(&repo), Some("v0.1.0"), "HEAD").unwrap();
    let d: Vec<&str> = commits.iter().map(|c| c.description.as_str()).collect();
    assert_eq!(d, ["three", "two"]);
    assert_eq!(changelog::bump(&commits), Some(Bump::Patch));
    assert!(changelog::commits(&open(&repo), Some("HEAD"), "HEAD").unwrap().is_empty());
}

#[test]
fn a_bad_range_names_it() {
    let repo = TestRepo::new();
    repo.commit_all("feat: one");
    let err = changelog::commits(&open(&repo), Some("v9.9.9"), "HEAD").unwrap_err().to_string();
    assert!(err.contains("v9.9.9..HEAD"), "{err}");
}

#[test]
fn release_tags_in_precedence_order_with_their_commits() {
    let repo = TestRepo::new();
    let first = repo.commit_all("feat: one");
    repo.tag("v1.2.0rc9");
    let second = repo.commit_all("fix: two");
    repo.git(&["tag", "v1.2.0-rc.10"]); // lightweight
    repo.tag("nightly");
    repo.tag("v1.2");
    let third = repo.commit_all("fix: three");
    repo.tag("v1.2.0");
    repo.git(&["tag", "tree-tag", "HEAD^{tree}"]);

    let tags = changelog::release_tags(&open(&repo), "v").unwrap();
    let got: Vec<(String, String, String)> =
        tags.iter().map(|t| (t.name.clone(), t.version.to_string(), t.commit.clone())).collect();
    assert_eq!(
        got,
        [
            ("v1.2.0rc9".to_string(), "1.2.0-rc.9".to_string(), first),
            ("v1.2.0-rc.10".to_string(), "1.2.0-rc.10".to_string(), second.clone()),
            ("v1.2.0".to_string(), "1.2.0".to_string(), third),
        ]
    );
    // Only what HEAD~1 can reach.
    let reachable = changelog::reachable_release_tags(&open(&repo), "v", "HEAD~1").unwrap();
    assert_eq!(reachable.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["v1.2.0rc9", "v1.2.0-rc.10"]);
    assert!(changelog::release_tags(&open(&repo), "release-").unwrap().is_empty());
}

// ---- the command, against golden files ----

/// Compare with `tests/golden/changelog/NAME`, or write it under `UPDATE_GOLDEN=1`.
#[track_caller]
fn golden(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/changelog").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_GOLDEN=1 to create it", path.display()));
    if expected != actual {
        panic!(
            "{} differs (UPDATE_GOLDEN=1 rewrites it)\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        );
    }
}

/// A history with two releases and every kind of commit after them:
///
/// v1.0.0: initial import
/// v1.1.0: feat, fix, perf (on a merged topic branch), docs
/// after:  breaking feat with footer, feat + its git revert (cancel out), non-conventional,
///         refactor, ci, a revert of a v1.1.0 fix, a scoped breaking fix via `!`
fn history() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("chore: initial import");
    repo.tag("v1.0.0");
    repo.commit_all("feat(cli): add --since");
    repo.write("src.txt", "fixed\n");
    repo.commit_all("fix: handle empty repositories\n\nRefs: #12");
    repo.git(&["checkout", "-q", "-b", "topic"]);
    repo.commit_all("perf(log): stream git log");
    repo.git(&["checkout", "-q", "main"]);
    repo.commit_all("docs: explain release tags");
    repo.tick();
    repo.git(&["merge", "-q", "--no-ff", "topic", "-m", "Merge branch 'topic'"]);
    repo.tick();
    repo.tag("v1.1.0");
    repo.commit_all("feat(api)!: drop the v1 endpoints\n\nBREAKING CHANGE: clients must call /v2;\nsee the migration guide.\n\nCo-authored-by: B <b@example.com>");
    repo.write("shiny.txt", "shiny\n");
    repo.commit_all("feat: shiny thing");
    repo.tick();
    repo.git(&["revert", "--no-edit", "HEAD"]);
    repo.commit_all("Update README.md");
    repo.commit_all("refactor(core): split the planner");
    repo.commit_all("ci: cache cargo");
    repo.commit_all("revert: fix: handle empty repositories");
    repo.commit_all("fix(db)!: new schema");
    repo
}

#[test]
fn unreleased_notes_by_default() {
    let repo = history();
    let run = repo.xtask(&["changelog"]);
    run.code(0);
    golden("unreleased.md", &run.stdout);
    assert!(run.stderr.contains("in v1.1.0..HEAD"), "{run}");
    // --unreleased is the default spelled out.
    assert_eq!(repo.xtask(&["changelog", "--unreleased"]).code(0).stdout, run.stdout);
    // -v adds the process's peak memory (read from /proc on Linux).
    let verbose = repo.xtask(&["-v", "changelog"]);
    assert_eq!(verbose.code(0).stdout, run.stdout);
    if cfg!(target_os = "linux") {
        assert!(verbose.stderr.contains("peak memory of this process: "), "{verbose}");
    }
}

#[test]
fn notes_of_a_release_tag() {
    let repo = history();
    let run = repo.xtask(&["changelog", "--tag", "v1.1.0"]);
    run.code(0);
    golden("tag-v1.1.0.md", &run.stdout);
    // The version alone finds the tag too.
    assert_eq!(repo.xtask(&["changelog", "--tag", "1.1.0"]).code(0).stdout, run.stdout);
    // The first release: everything up to it.
    let first = repo.xtask(&["changelog", "--tag", "v1.0.0"]);
    first.code(0);
    golden("tag-v1.0.0.md", &first.stdout);
}

#[test]
fn since_overrides_the_start() {
    let repo = history();
    let run = repo.xtask(&["changelog", "--since", "v1.0.0"]);
    run.code(0);
    golden("since-v1.0.0.md", &run.stdout);
    let tagged = repo.xtask(&["changelog", "--tag", "v1.1.0", "--since", "v1.0.0"]);
    assert_eq!(tagged.code(0).stdout, repo.xtask(&["changelog", "--tag", "v1.1.0"]).stdout);
}

#[test]
fn without_tags_every_commit_counts() {
    let repo = TestRepo::new();
    repo.commit_all("Initial commit");
    repo.commit_all("feat: first feature");
    repo.commit_all("fix(parser): odd whitespace");
    repo.commit_all("wip");
    let run = repo.xtask(&["changelog"]);
    run.code(0);
    golden("no-tags.md", &run.stdout);
    assert!(run.stderr.contains("all history"), "{run}");
}

#[test]
fn a_tagged_head_has_nothing_unreleased() {
    let repo = TestRepo::new();
    repo.commit_all("feat: one");
    repo.tag("v0.1.0");
    let run = repo.xtask(&["changelog"]);
    assert_eq!(run.code(0).stdout, "## [Unreleased]\n\nNo changes.\n");
}

#[test]
fn a_final_release_covers_its_release_candidates() {
    let repo = TestRepo::new();
    repo.commit_all("feat: base");
    repo.tag("v1.0.0");
    repo.commit_all("feat: in rc1");
    repo.tag("v1.1.0-rc.1");
    repo.commit_all("fix: in rc2");
    repo.tag("v1.1.0rc2"); // PEP 440 spelling
    repo.commit_all("fix: after rc2");
    repo.tag("v1.1.0");
    repo.commit_all("docs: later");

    let ga = repo.xtask(&["--json", "changelog", "--tag", "v1.1.0"]);
    let doc = ga.code(0).json();
    assert_eq!(doc["range"]["from"], "v1.0.0", "{ga}");
    let rc2 = repo.xtask(&["--json", "changelog", "--tag", "v1.1.0rc2"]);
    let doc = rc2.code(0).json();
    assert_eq!(doc["version"], "1.1.0-rc.2");
    assert_eq!(doc["range"]["from"], "v1.1.0-rc.1");
    let unreleased = repo.xtask(&["--json", "changelog"]).code(0).json();
    assert_eq!(unreleased["range"]["from"], "v1.1.0");
    assert_eq!(unreleased["commits"], 1);
}

#[test]
fn the_newest_release_reachable_from_head_starts_the_notes() {
    // A hotfix branch cut from v1.0.0 while main went on to v1.1.0: on the branch, the
    // unreleased notes start at v1.0.1, not at the higher v1.1.0 it cannot reach.
    let repo = TestRepo::new();
    repo.commit_all("feat: base");
    repo.tag("v1.0.0");
    repo.git(&["checkout", "-q", "-b", "hotfix/1.0"]);
    repo.commit_all("fix: urgent");
    repo.tag("v1.0.1");
    repo.commit_all("fix: more urgent");
    repo.git(&["checkout", "-q", "main"]);
    repo.commit_all("feat: next");
    repo.tag("v1.1.0");
    repo.git(&["checkout", "-q", "hotfix/1.0"]);
    let run = repo.xtask(&["changelog"]);
    assert!(run.code(0).stdout.contains("- more urgent ("), "{run}");
    assert!(run.stderr.contains("v1.0.1..HEAD"), "{run}");
}

#[test]
fn a_release_whose_only_child_is_a_merge() {
    // v1.0.0's only child is the merge of a branch that forked before it, so git's boundary
    // does not show the tag; the notes must still start at v1.0.0.
    let repo = TestRepo::new();
    repo.commit_all("chore: root");
    repo.git(&["branch", "topic"]);
    repo.commit_all("feat: released");
    repo.tag("v1.0.0");
    repo.git(&["checkout", "-q", "topic"]);
    repo.commit_all("fix: from the topic branch");
    repo.git(&["checkout", "-q", "main"]);
    repo.tick();
    repo.git(&["merge", "-q", "--no-ff", "topic", "-m", "Merge branch 'topic'"]);
    repo.commit_all("docs: after the merge");
    let run = repo.xtask(&["changelog"]);
    run.code(0);
    assert!(run.stderr.contains("2 commits in v1.0.0..HEAD"), "{run}");
    assert_eq!(
        run.stdout,
        format!(
            "## [Unreleased]\n\n### Bug fixes\n\n- from the topic branch ({})\n\n### Documentation\n\n- after the merge ({})\n",
            &repo.git(&["rev-parse", "HEAD~1^2"])[..7],
            &repo.git(&["rev-parse", "HEAD"])[..7]
        )
    );
}

#[test]
fn json_document() {
    let repo = history();
    let run = repo.xtask(&["--json", "changelog"]);
    let doc = run.code(0).json();
    golden("unreleased.json", &format!("{:#}\n", doc));
    assert_eq!(doc["markdown"], repo.xtask(&["changelog"]).stdout);
    assert_eq!(doc["bump"], "major");
}

#[test]
fn a_custom_tag_prefix() {
    let repo = TestRepo::new();
    repo.write("xtask.toml", "[release]\ntag-prefix = \"app-v\"\n");
    repo.commit_all("feat: one");
    repo.tag("app-v2.0.0");
    repo.tag("v9.0.0"); // not ours
    repo.commit_all("fix: two");
    let run = repo.xtask(&["changelog", "--tag", "2.0.0"]);
    assert!(run.code(0).stdout.starts_with("## [2.0.0] - 2026-01-01\n"), "{run}");
    let unreleased = repo.xtask(&["changelog"]);
    assert!(unreleased.code(0).stderr.contains("app-v2.0.0..HEAD"), "{unreleased}");
}

#[test]
fn a_missing_tag_is_exit_2_naming_it() {
    let repo = history();
    for args in [["changelog", "--tag", "v9.9.9"], ["changelog", "--since", "v9.9.9"]] {
        let run = repo.xtask(&args);
        run.code(2);
        assert!(run.stderr.contains("tag `v9.9.9` not found"), "{run}");
        assert!(run.stderr.contains("v1.1.0, v1.0.0"), "{run}");
        assert!(run.stdout.is_empty(), "{run}");
    }
    let json = repo.xtask(&["--json", "changelog", "--tag", "nope"]);
    assert_eq!(json.code(2).json()["exit_code"], 2);
}

#[test]
fn outside_git_or_before_the_first_commit_is_exit_2() {
    let plain = TestRepo::plain();
    let run = plain.xtask(&["changelog"]);
    run.code(2);
    assert!(run.stderr.contains("not a git work tree"), "{run}");
    assert!(run.stderr.contains("changelog needs git"), "{run}");

    let empty = TestRepo::new();
    let run = empty.xtask(&["changelog"]);
    run.code(2);
    assert!(run.stderr.contains("no commits yet"), "{run}");
}

/// A clone of `repo` (`git clone ARGS`), in a new temp folder.
fn clone(repo: &TestRepo, args: &[&str]) -> TestRepo {
    let clone = TestRepo::plain();
    let url = format!("file://{}", repo.root().display());
    let mut all = vec!["clone", "-q"];
    all.extend_from_slice(args);
    all.extend([url.as_str(), clone.root().to_str().unwrap()]);
    clone.git(&all);
    clone
}

#[test]
fn a_shallow_clone_that_cuts_the_range_off_is_refused() {
    let repo = history();
    // The unreleased notes of a depth-2 clone: v1.1.0 and the commits before the cut are missing.
    let shallow = clone(&repo, &["--depth", "2"]);
    let before = shallow.snapshot();
    let run = shallow.xtask(&["changelog"]);
    run.code(2);
    assert!(run.stderr.contains("shallow clone") && run.stderr.contains("cut off"), "{run}");
    assert!(run.stderr.contains("git fetch --unshallow --tags") && run.stderr.contains("fetch-depth: 0"), "{run}");
    assert_eq!(run.stdout, "", "no notes are printed\n{run}");
    support::assert_same(&before, &shallow.snapshot());

    // What CI's default checkout of a tag is (depth 1): only the release commit, which printed
    // its own subject as the notes before.
    let tag = clone(&repo, &["--depth", "1", "--branch", "v1.1.0"]);
    let run = tag.xtask(&["changelog", "--tag", "v1.1.0"]);
    run.code(2);
    assert!(run.stderr.contains("v1.1.0 (all history: no earlier release tag) is cut off"), "{run}");
}

#[test]
fn a_shallow_clone_deep_enough_for_the_range_gives_the_full_notes() {
    let repo = history();
    let full = repo.xtask(&["changelog"]);
    full.code(0);
    // Deep enough to hold v1.1.0's commit: the cut lies below the start of the range.
    let shallow = clone(&repo, &["--depth", "9"]);
    assert_eq!(shallow.git(&["rev-parse", "--is-shallow-repository"]), "true");
    let run = shallow.xtask(&["changelog"]);
    run.code(0);
    assert_eq!(run.stdout, full.stdout, "{run}");
}

#[test]
fn the_work_tree_is_never_touched() {
    let repo = history();
    let before = repo.snapshot();
    repo.xtask(&["changelog"]).code(0);
    repo.xtask(&["--json", "changelog", "--tag", "v1.1.0"]).code(0);
    repo.xtask(&["changelog", "--since", "nope"]).code(2);
    support::assert_same(&before, &repo.snapshot());
}

// ---- the tool's own release commits, and a release that is already in the changelog ----

/// A `VERSION` project released twice by the tool itself: v0.1.0 by hand, then `release patch`
/// (v0.1.1) and `release minor` (v0.2.0), each after one change.
fn released_twice() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("VERSION", "0.1.0\n");
    repo.commit_all("chore: initial import");
    repo.tag("v0.1.0");
    repo.write("a.txt", "a");
    repo.commit_all("fix: two");
    repo.xtask(&["release", "patch", "--no-verify"]).code(0);
    repo.write("b.txt", "b");
    repo.commit_all("feat: three");
    repo.xtask(&["release", "minor", "--no-verify"]).code(0);
    repo
}

#[test]
fn the_notes_of_a_tag_are_the_notes_it_was_released_with() {
    let repo = released_twice();
    let run = repo.xtask(&["changelog", "--tag", "v0.2.0"]);
    run.code(0);
    let message = repo.git(&["tag", "-l", "--format=%(contents)", "v0.2.0"]);
    let notes = message.strip_prefix("v0.2.0\n\n").unwrap_or_else(|| panic!("{message}"));
    let body = run.stdout.split_once("\n\n").map(|(_, b)| b).unwrap_or_default();
    assert_eq!(body.trim_end(), notes.trim_end(), "{run}");
    assert!(!run.stdout.contains("chore(release)"), "{run}");
    let section = repo.read("CHANGELOG.md");
    let section = section.split("## [0.2.0]").nth(1).unwrap().split("## [0.1.1]").next().unwrap();
    assert_eq!(section.split_once("\n\n").unwrap().1.trim_end(), body.trim_end());
    let doc = repo.xtask(&["--json", "changelog", "--tag", "v0.2.0"]).code(0).json();
    assert_eq!(doc["commits"], 1, "{doc}");
}

#[test]
fn since_leaves_out_every_release_commit_of_the_tool() {
    let repo = released_twice();
    for args in [&["changelog", "--since", "v0.1.0"][..], &["changelog", "--tag", "v0.2.0", "--since", "v0.1.0"]] {
        let run = repo.xtask(args);
        run.code(0);
        assert!(run.stdout.contains("- three (") && run.stdout.contains("- two ("), "{run}");
        assert!(!run.stdout.contains("chore(release)") && !run.stdout.contains("### Other"), "{run}");
    }
    // A rollback's commit is a release commit too.
    repo.xtask(&["rollback", "--to", "v0.1.1", "--reason", "b broke", "--no-verify"]).code(0);
    let run = repo.xtask(&["changelog", "--since", "v0.1.0"]);
    run.code(0);
    assert!(!run.stdout.contains("chore(release)") && !run.stdout.contains("Rollback"), "{run}");
}

#[test]
fn a_release_already_in_the_changelog_is_refused_before_any_write() {
    let repo = TestRepo::new();
    repo.write("VERSION", "0.1.0\n");
    repo.write(
        "CHANGELOG.md",
        "# Changelog\n\n## [Unreleased]\n\n## [0.1.1] - 2025-12-24\n\n- drafted by hand\n\n## [0.1.0] - 2025-12-01\n",
    );
    repo.commit_all("chore: initial import");
    repo.tag("v0.1.0");
    repo.commit_all("fix: two");
    let before = repo.snapshot();
    for args in [&["release", "patch", "--no-verify"][..], &["release", "patch", "--no-verify", "--dry-run"]] {
        let run = repo.xtask(args);
        run.code(2);
        assert!(run.stderr.contains("CHANGELOG.md:5:") && run.stderr.contains("0.1.1"), "{run}");
        assert!(run.stderr.contains("already"), "{run}");
        support::assert_same(&before, &repo.snapshot());
    }
    // Another version goes ahead.
    repo.xtask(&["release", "minor", "--no-verify"]).code(0);
    assert_eq!(repo.read("CHANGELOG.md").matches("## [0.1.1]").count(), 1);
}
