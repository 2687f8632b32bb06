//! The `commits` gate on real histories: the commits since the base (the upstream's merge base,
//! the newest release tag, the whole history, or `--base`) are Conventional Commits; a finding
//! names the commit and what is wrong; merges and the tool's release commits pass; the output
//! says which base it used; it is opt-in.

mod support;

use support::origin::Project;
use support::{TestRepo, assert_same, gate};

fn messages(doc: &serde_json::Value) -> Vec<String> {
    let g = gate(doc, "commits");
    g["findings"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap().to_string()).collect()
}

fn short(hash: &str) -> &str {
    &hash[..7]
}

/// `main` on `origin` with an old non-conventional commit, and a feature branch tracking it.
fn branch() -> Project {
    let repo = TestRepo::new();
    repo.write("xtask.toml", "[gates]\ndetect = false\n\n[gates.commits]\n");
    repo.commit_all("Initial import");
    let project = Project::with_origin(repo, &["main"]);
    project.git(&["checkout", "-q", "-b", "feature"]);
    project.git(&["branch", "-q", "--set-upstream-to", "origin/main"]);
    project
}

#[test]
fn each_commit_since_the_upstream_is_checked_and_named() {
    let p = branch();
    p.commit_all("feat: a good one");
    let no_type = p.commit_all("Add the thing");
    let unknown = p.commit_all("feature(ui): a new panel");
    let empty = p.commit_all("fix:");
    let footer = p.commit_all("feat!: drop the v1 API\n\nbreaking change: the v1 endpoints are gone");
    p.commit_all("chore(release): v1.1.0");
    // A merge commit, with git's own message.
    p.git(&["checkout", "-q", "-b", "side", "HEAD~1"]);
    p.commit_all("docs: side note");
    p.git(&["checkout", "-q", "feature"]);
    p.tick();
    p.git(&["merge", "-q", "--no-ff", "--no-edit", "side"]);
    let before = p.snapshot();
    let run = p.xtask(&["quality-check", "--json"]);
    run.code(1);
    let doc = run.json();
    assert_eq!(gate(&doc, "commits")["status"], "failed");
    let mut found = messages(&doc);
    found.sort();
    let mut want = vec![
        format!(
            "{} \"Add the thing\": no type: write the subject as `type: description` (feat, fix, docs, style, refactor, perf, test, build, ci, chore, revert)",
            short(&no_type)
        ),
        format!(
            "{} \"feature(ui): a new panel\": unknown type `feature`; the types are feat, fix, docs, style, refactor, perf, test, build, ci, chore, revert ([gates.commits] types adds more)",
            short(&unknown)
        ),
        format!("{} \"fix:\": empty description after `fix:`", short(&empty)),
        format!(
            "{} \"feat!: drop the v1 API\": malformed breaking-change footer `breaking change: the v1 endpoints are gone`; write `BREAKING CHANGE: what breaks` (uppercase, then a colon)",
            short(&footer)
        ),
    ];
    want.sort();
    assert_eq!(found, want, "{run}");
    // Seven: the merge is accepted and not counted.
    let base = p.git(&["rev-parse", "--short=7", "origin/main"]);
    assert_eq!(
        gate(&doc, "commits")["note"],
        format!("7 commits since the merge base of HEAD and origin/main ({base})")
    );
    // The commit before the base ("Initial import") is not the branch's.
    assert!(!run.stderr.contains("Initial import"), "{run}");
    assert!(run.stderr.contains(&format!("commits: {} \"Add the thing\": no type", short(&no_type))), "{run}");
    assert_same(&before, &p.snapshot());

    // GitHub annotations name the gate.
    let run = p.xtask_with(&["quality-check"], |c| {
        c.env("GITHUB_ACTIONS", "true");
    });
    run.code(1);
    let line = format!("::error title=commits::{} \"Add the thing\": no type", short(&no_type));
    assert!(run.stdout.contains(&line) || run.stderr.contains(&line), "{run}");
}

#[test]
fn a_clean_branch_passes_and_says_its_base() {
    let p = branch();
    p.commit_all("feat(api): x");
    p.commit_all("fix: y\n\nBREAKING CHANGE: z changed");
    let run = p.xtask(&["quality-check"]);
    run.code(0);
    let base = p.git(&["rev-parse", "--short=7", "origin/main"]);
    let row = run.stdout.lines().find(|l| l.starts_with("commits")).unwrap();
    assert!(row.contains("passed"), "{run}");
    assert!(row.ends_with(&format!("(2 commits since the merge base of HEAD and origin/main ({base}))")), "{row}");
}

#[test]
fn without_an_upstream_the_base_is_the_newest_release_tag_else_the_first_commit() {
    let repo = TestRepo::new();
    repo.write("xtask.toml", "[gates]\ndetect = false\n\n[gates.commits]\n");
    let old = repo.commit_all("Initial import");
    let doc = repo.xtask(&["quality-check", "--json"]).json();
    assert_eq!(gate(&doc, "commits")["note"], "1 commit since the first commit (no upstream and no release tag)");
    assert_eq!(messages(&doc).len(), 1, "{doc:#}");
    assert!(messages(&doc)[0].starts_with(&format!("{} \"Initial import\": no type", short(&old))));
    repo.tag("v1.0.0");
    repo.commit_all("fix: after the release");
    let run = repo.xtask(&["quality-check", "--json"]);
    run.code(0);
    assert_eq!(gate(&run.json(), "commits")["note"], "1 commit since the newest release tag v1.0.0");
    // --base wins.
    let run = repo.xtask(&["quality-check", "--json", "--base", "HEAD~1"]);
    run.code(0);
    let at = repo.git(&["rev-parse", "--short=7", "HEAD~1"]);
    assert_eq!(gate(&run.json(), "commits")["note"], format!("1 commit since HEAD~1 ({at})"));
}

#[test]
fn types_and_base_come_from_the_section_and_a_bad_base_is_an_error() {
    let repo = TestRepo::new();
    repo.write("xtask.toml", "[gates]\ndetect = false\n\n[gates.commits]\ntypes = [\"wip\"]\nbase = \"nope\"\n");
    repo.commit_all("wip: configured type");
    let before = repo.snapshot();
    let run = repo.xtask(&["quality-check"]);
    run.code(2);
    assert!(
        run.stdout.contains("commits: error: base nope: not a commit of this repository; give a branch, tag or commit"),
        "{run}"
    );
    assert_same(&before, &repo.snapshot());
    let run = repo.xtask(&["quality-check", "--base", "HEAD"]);
    run.code(0);
    let run = repo.xtask(&["quality-check", "--json", "--base", "HEAD~0"]);
    assert_eq!(gate(&run.json(), "commits")["note"].as_str().unwrap().split(' ').next(), Some("0"));
    let list = repo.xtask(&["quality-check", "--list"]);
    assert!(list.stdout.contains("every commit since nope is a Conventional Commit (also the types wip)"), "{list}");
}

#[test]
fn the_gate_is_opt_in() {
    let repo = TestRepo::new();
    repo.write("a.txt", "x\n");
    repo.commit_all("Not conventional at all");
    let doc = repo.xtask(&["quality-check", "--list", "--json"]).json();
    assert!(doc["gates"].as_array().unwrap().iter().all(|g| g["name"] != "commits"), "{doc:#}");
    let run = repo.xtask(&["quality-check", "--base", "HEAD"]);
    run.code(2);
    assert!(run.stderr.contains("--base HEAD: only the commits gate takes a base, and it is not configured"), "{run}");
    repo.write("xtask.toml", "[gates.commits]\nenabled = false\n");
    let doc = repo.xtask(&["quality-check", "--list", "--json"]).json();
    assert!(doc["gates"].as_array().unwrap().iter().all(|g| g["name"] != "commits"), "{doc:#}");
}
