//! `changelog` on real temp repositories: the library API the release builds on, and the
//! command's output compared with golden files under `tests/golden/changelog/`
//! (`UPDATE_GOLDEN=1 cargo test --test changelog` rewrites them).

mod support;

use support::TestRepo;
use xtask::changelog::{self, Bump};
use xtask::repo::Repo;

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
