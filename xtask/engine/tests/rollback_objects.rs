//! A rollback builds its tree from git's objects and writes only the paths that differ, with
//! the bytes a checkout of the target writes: line-ending attributes and a repository-local
//! `core.autocrlf` apply (through a temporary index and `git checkout-index`), plain files are
//! git's blobs as they are, and odd path names (spaces, a newline) go through unharmed.

mod support;

use support::TestRepo;

/// A small project released as 1.0.0 (good) and 1.1.0 (bad: `notes.txt` and `docs/a b.md`
/// changed, `docs/new.md` added), with `extra` written (and committed) first.
fn two_releases(extra: &[(&str, &str)]) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("VERSION", "0.9.0\n");
    repo.write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n");
    repo.write("xtask.toml", "[release]\nname = \"demo\"\n\n[gates]\ndetect = false\n");
    for (path, text) in extra {
        repo.write(path, text);
    }
    repo.write("notes.txt", "one\ntwo\n");
    repo.write("docs/a b.md", "# A B\n");
    repo.write("docs/odd\nname.md", "# Odd\n");
    repo.commit_all("feat: first");
    repo.xtask(&["release", "1.0.0", "--no-verify"]).code(0);
    repo.write("notes.txt", "one\nbroken\n");
    repo.write("docs/a b.md", "# A B, broken\n");
    repo.write("docs/new.md", "# New\n");
    std::fs::remove_file(repo.path("docs/odd\nname.md")).unwrap();
    repo.commit_all("fix: broken");
    repo.xtask(&["release", "1.1.0", "--no-verify"]).code(0);
    repo
}

/// The commit's tree is the one the index holds (what `git write-tree` makes of it), and
/// nothing is left staged or changed; `from_objects` says how the run made it (`-v` shows the git
/// commands): from git's objects (`mktree`), or by writing the index (`write-tree`).
fn committed_as_staged(repo: &TestRepo, run: &support::Run, from_objects: bool) {
    assert_eq!(repo.git(&["write-tree"]), repo.git(&["rev-parse", "HEAD^{tree}"]), "{run}");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(run.stderr.contains("$ git mktree"), from_objects, "{run}");
    assert_eq!(run.stderr.contains("$ git write-tree"), !from_objects, "{run}");
}

fn bytes(repo: &TestRepo, rel: &str) -> Vec<u8> {
    std::fs::read(repo.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn plain_files_odd_names_and_deletions_are_restored_from_the_objects() {
    let repo = two_releases(&[]);
    let plan = repo.xtask(&["--json", "rollback", "--dry-run"]).code(0).json();
    let paths: Vec<&str> =
        plan["plan"]["steps"].as_array().unwrap().iter().filter_map(|s| s["path"].as_str()).collect();
    assert_eq!(paths, ["CHANGELOG.md", "VERSION", "docs/a b.md", "docs/new.md", "docs/odd\nname.md", "notes.txt"]);
    let run = repo.xtask(&["-v", "rollback"]);
    run.code(0);
    committed_as_staged(&repo, &run, true);
    assert_eq!(bytes(&repo, "notes.txt"), b"one\ntwo\n");
    assert_eq!(bytes(&repo, "docs/a b.md"), b"# A B\n");
    assert_eq!(bytes(&repo, "docs/odd\nname.md"), b"# Odd\n");
    assert!(!repo.path("docs/new.md").exists());
    assert_eq!(repo.read("VERSION"), "1.1.1\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn line_ending_attributes_apply_as_a_checkout_applies_them() {
    let repo = two_releases(&[(".gitattributes", "*.txt text eol=crlf\n")]);
    assert_eq!(bytes(&repo, "notes.txt"), b"one\nbroken\n", "written by the test, not by a checkout");
    let run = repo.xtask(&["-v", "rollback"]);
    run.code(0);
    committed_as_staged(&repo, &run, false);
    assert_eq!(bytes(&repo, "notes.txt"), b"one\r\ntwo\r\n", "as `git checkout` writes it");
    assert_eq!(bytes(&repo, "docs/a b.md"), b"# A B\n", "no rule for Markdown");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(repo.git(&["show", "HEAD:notes.txt"]), "one\ntwo", "the blob is the target's");
}

#[test]
fn a_repository_local_autocrlf_applies() {
    let repo = two_releases(&[]);
    repo.git(&["config", "core.autocrlf", "true"]);
    let run = repo.xtask(&["-v", "rollback"]);
    run.code(0);
    committed_as_staged(&repo, &run, false);
    assert_eq!(bytes(&repo, "notes.txt"), b"one\r\ntwo\r\n");
    assert_eq!(bytes(&repo, "docs/odd\nname.md"), b"# Odd\r\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_changed_gitattributes_is_restored_and_the_targets_rules_apply() {
    let repo = TestRepo::new();
    repo.write("VERSION", "0.9.0\n");
    repo.write("xtask.toml", "[release]\nname = \"demo\"\n\n[gates]\ndetect = false\n");
    repo.write(".gitattributes", "*.txt text eol=crlf\n");
    repo.write("notes.txt", "one\n");
    repo.commit_all("feat: first");
    repo.xtask(&["release", "1.0.0"]).code(0);
    repo.write(".gitattributes", "*.txt -text\n");
    repo.write("notes.txt", "one\nbroken\n");
    repo.commit_all("fix: broken");
    repo.xtask(&["release", "1.1.0"]).code(0);
    repo.xtask(&["rollback"]).code(0);
    assert_eq!(repo.read(".gitattributes"), "*.txt text eol=crlf\n");
    assert_eq!(bytes(&repo, "notes.txt"), b"one\r\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_gate_that_writes_into_a_restored_file_writes_into_its_own_copy() {
    // A gate that writes into a tracked file, and fails when the tree is the bad one.
    let gate = "import pathlib, sys\n\
p = pathlib.Path('notes.txt')\n\
text = p.read_text()\n\
p.write_text(text + 'written by the gate\\n')\n\
sys.exit(1 if 'broken' in text else 0)\n";
    let config = "[release]\nname = \"demo\"\n\n[gates]\ndetect = false\n\n[[gates.command]]\nname = \"not-broken\"\nrun = [\"python3\", \"check.py\"]\n";
    let repo = two_releases(&[("check.py", gate), ("xtask.toml", config)]);
    repo.xtask(&["quality-check"]).code(1);
    repo.git(&["checkout", "-q", "--", "notes.txt"]);
    let run = repo.xtask(&["rollback"]);
    run.code(0);
    assert!(run.stderr.contains("quality gates passed (1)"), "{run}");
    assert_eq!(bytes(&repo, "notes.txt"), b"one\ntwo\n", "the gate wrote into its copy only");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_gate_that_writes_into_a_file_the_copy_shares_stops_the_rollback() {
    // The files that do not change are hard links to the work tree's: a gate that appends to
    // one is found, and the rollback stops before its first write, naming the file.
    let gate = "open('VERSION.txt', 'a').write('x')\n";
    let config = "[release]\nname = \"demo\"\n\n[gates]\ndetect = false\n\n[[gates.command]]\nname = \"writer\"\nrun = [\"python3\", \"check.py\"]\n";
    let repo = two_releases(&[("check.py", gate), ("xtask.toml", config), ("VERSION.txt", "same in every release\n")]);
    let refs = repo.snapshot().refs;
    let run = repo.xtask(&["rollback"]);
    run.code(2);
    assert!(
        run.stderr.contains("a quality gate wrote into VERSION.txt of the work tree, which the rollback's temporary copy of the tree shares (hard links); the rollback stopped before its first write"),
        "{run}"
    );
    assert!(run.stderr.contains("`git checkout -- VERSION.txt`"), "{run}");
    let after = repo.snapshot();
    assert_eq!(after.refs, refs, "no commit, no tag");
    assert_eq!(repo.git(&["status", "--porcelain"]), " M VERSION.txt", "only what the gate wrote");
}
