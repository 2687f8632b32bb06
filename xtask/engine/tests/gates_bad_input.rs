//! `quality-check` on awkward input: no commits, no git, symbolic link loops, unreadable and
//! huge files, a single file as a path, missing programs, and a finding count that would wrap
//! an exit status.

mod support;

use std::collections::BTreeSet;

use support::{TestRepo, findings};

fn set(items: &[(&str, &str, u64, u64)]) -> BTreeSet<(String, String, u64, u64)> {
    items.iter().map(|(g, p, l, c)| (g.to_string(), p.to_string(), *l, *c)).collect()
}

fn gate<'a>(doc: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    doc["gates"].as_array().unwrap().iter().find(|g| g["name"] == name).unwrap_or_else(|| panic!("{name}: {doc:#}"))
}

#[test]
fn a_repository_without_commits_checks_its_untracked_files() {
    let repo = TestRepo::new();
    repo.xtask(&["quality-check"]).code(0);
    let dots = ".".repeat(3);
    repo.write("docs/a.md", "don\u{2019}t\n");
    repo.write("src/x.py", format!("def x():\n    {dots}\n"));
    let run = repo.xtask(&["--json", "quality-check"]);
    run.code(1);
    assert_eq!(findings(&run.json()), set(&[("ascii", "docs/a.md", 1, 4), ("ellipsis", "src/x.py", 2, 5)]), "{run}");
}

#[test]
fn nothing_to_run_passes_with_a_warning() {
    let repo = TestRepo::new();
    let run = repo.xtask(&["quality-check"]);
    run.code(0);
    assert!(run.stderr.contains("no gates to run"), "{run}");
}

#[test]
fn a_folder_that_is_not_a_repository_honours_gitignore() {
    let repo = TestRepo::plain();
    let dots = ".".repeat(3);
    repo.write(".gitignore", "build/\n");
    repo.write("build/gen.py", format!("{dots}\n"));
    repo.write("src/a.py", format!("\nx = f()  # {dots}\n"));
    repo.write("docs/a.md", "\u{00A0}\n");
    let run = repo.xtask(&["--json", "quality-check"]);
    run.code(1);
    assert_eq!(findings(&run.json()), set(&[("ascii", "docs/a.md", 1, 1), ("ellipsis", "src/a.py", 2, 12)]), "{run}");
}

#[test]
fn outside_git_a_nested_repository_is_one_entry_and_ignored_folders_are_skipped() {
    let repo = TestRepo::plain();
    let dots = ".".repeat(3);
    repo.write(".gitignore", "*.log\n/out/\n");
    repo.write("out/gen.py", format!("{dots}\n"));
    repo.write("docs/x.log", "caf\u{00E9}\n");
    repo.write("docs/deep/.gitignore", "skip.md\n");
    repo.write("docs/deep/skip.md", "\u{00A0}\n");
    repo.write("docs/deep/keep.md", "\u{00A0}\n");
    // Another project's repository inside the folder is not part of this one (as git sees it).
    repo.write("docs/vendor/a.md", "\u{00A0}\n");
    let init = std::process::Command::new("git").args(["init", "-q"]).current_dir(repo.path("docs/vendor")).status();
    assert!(init.unwrap().success());
    let run = repo.xtask(&["--json", "quality-check", "--only", "ascii"]);
    run.code(1);
    assert_eq!(findings(&run.json()), set(&[("ascii", "docs/deep/keep.md", 1, 1)]), "{run}");
}

#[test]
fn without_git_on_the_machine_a_folder_is_walked_whole() {
    let repo = TestRepo::plain();
    repo.write(".gitignore", "build/\n");
    repo.write("docs/build/a.md", "\u{00A0}\n");
    repo.write("docs/b.md", "\u{00A0}\n");
    repo.write(".git/HEAD", "not a repository, and never read\n");
    // A PATH with no git on it: the walk falls back to reading every folder.
    let empty = tempfile::tempdir().unwrap();
    let run = repo.xtask_with(&["--json", "quality-check", "--only", "ascii"], |cmd| {
        cmd.env("PATH", empty.path());
    });
    run.code(1);
    assert_eq!(
        findings(&run.json()),
        set(&[("ascii", "docs/b.md", 1, 1), ("ascii", "docs/build/a.md", 1, 1)]),
        "{run}"
    );
}

#[test]
fn symbolic_links_are_never_followed_and_loops_do_not_hang() {
    let repo = TestRepo::new();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("far.md"), "caf\u{00E9}\n").unwrap();
    repo.write("docs/a.md", "# A\n");
    std::os::unix::fs::symlink("loop2.md", repo.path("docs/loop1.md")).unwrap();
    std::os::unix::fs::symlink("loop1.md", repo.path("docs/loop2.md")).unwrap();
    std::os::unix::fs::symlink("nowhere.md", repo.path("docs/gone.md")).unwrap();
    std::os::unix::fs::symlink("a.md", repo.path("docs/alias.md")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("far.md"), repo.path("docs/outside.md")).unwrap();
    repo.commit_all("docs with links");
    let run = repo.xtask(&["--json", "quality-check", "--only", "ascii"]);
    run.code(1);
    let doc = run.json();
    assert_eq!(
        findings(&doc),
        set(&[("ascii", "docs/gone.md", 0, 0), ("ascii", "docs/loop1.md", 0, 0), ("ascii", "docs/loop2.md", 0, 0)]),
        "{run}"
    );
    let messages: Vec<&str> =
        gate(&doc, "ascii")["findings"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert!(messages[0].starts_with("cannot read: symbolic link to \"nowhere.md\" does not resolve"), "{messages:?}");
    assert!(messages[1].contains("too many levels of symbolic links"), "{messages:?}");
}

#[test]
fn an_unreadable_file_is_a_finding() {
    use std::os::unix::fs::PermissionsExt;
    let repo = TestRepo::new();
    repo.write("docs/secret.md", "plain\n");
    std::fs::set_permissions(repo.path("docs/secret.md"), std::fs::Permissions::from_mode(0o000)).unwrap();
    // A file nobody can read, root included: its content is gone.
    std::os::unix::fs::symlink("deleted.md", repo.path("docs/gone.md")).unwrap();
    let root = std::fs::read(repo.path("docs/secret.md")).is_ok();
    let run = repo.xtask(&["--json", "quality-check", "--only", "ascii"]);
    run.code(1);
    let doc = run.json();
    let messages: Vec<&str> =
        gate(&doc, "ascii")["findings"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert!(messages[0].starts_with("cannot read: symbolic link to \"deleted.md\" does not resolve"), "{run}");
    if root {
        eprintln!(
            "running as root: mode 000 does not stop root from reading docs/secret.md; only the dangling link is unreadable"
        );
        assert_eq!(findings(&doc), set(&[("ascii", "docs/gone.md", 0, 0)]));
    } else {
        assert_eq!(findings(&doc), set(&[("ascii", "docs/gone.md", 0, 0), ("ascii", "docs/secret.md", 0, 0)]));
        assert_eq!(messages[1], "cannot read: permission denied");
    }
}

#[test]
fn a_50_mb_file_is_checked_whole() {
    let repo = TestRepo::new();
    repo.write(
        "xtask.toml",
        "[gates]\ndetect = false\n[gates.ascii]\n[gates.ellipsis]\npaths = [\"docs\"]\nexclude = []\nmode = \"any\"\n",
    );
    let line = format!("{}\n", "x".repeat(99));
    let mut text = String::with_capacity(50_000_100);
    for i in 1..=500_000 {
        match i {
            250_000 => text.push_str(&format!("{}{}\n", ".".repeat(3), "x".repeat(96))),
            499_999 => text.push_str(&format!("abcd\u{2014}{}\n", "x".repeat(94))),
            _ => text.push_str(&line),
        }
    }
    repo.write("docs/big.md", &text);
    let run = repo.xtask(&["--json", "quality-check"]);
    run.code(1);
    assert_eq!(
        findings(&run.json()),
        set(&[("ascii", "docs/big.md", 499_999, 5), ("ellipsis", "docs/big.md", 250_000, 1)]),
        "{run}"
    );
}

#[test]
fn a_single_file_as_a_path_is_checked_and_a_missing_path_is_an_error() {
    let repo = TestRepo::new();
    repo.write("RELEASE_NOTES.md", "# Notes\n\n- faster \u{2192} better\n");
    repo.write("xtask.toml", "[gates]\ndetect = false\n[gates.ascii]\npaths = [\"RELEASE_NOTES.md\"]\n");
    let run = repo.xtask(&["--json", "quality-check"]);
    run.code(1);
    assert_eq!(findings(&run.json()), set(&[("ascii", "RELEASE_NOTES.md", 3, 10)]));
    repo.write("xtask.toml", "[gates]\ndetect = false\n[gates.ascii]\npaths = [\"RELEASE_NOTE.md\"]\n");
    let run = repo.xtask(&["--json", "quality-check"]);
    run.code(2);
    let doc = run.json();
    assert_eq!(gate(&doc, "ascii")["status"], "error");
    let note = gate(&doc, "ascii")["note"].as_str().unwrap();
    assert!(note.contains("\"RELEASE_NOTE.md\" is not a file or folder of the project"), "{note}");
}

#[test]
fn exactly_256_findings_exit_1() {
    let repo = TestRepo::new();
    repo.write("docs/many.md", "\u{2019}\n".repeat(256));
    let run = repo.xtask(&["--json", "quality-check"]);
    run.code(1);
    assert_eq!(gate(&run.json(), "ascii")["findings"].as_array().unwrap().len(), 256);
    repo.xtask(&["quality-check"]).code(1);
}

#[test]
fn a_missing_program_is_an_error_unless_something_failed() {
    let repo = TestRepo::new();
    repo.write("pkg/a.py", "x = 1\n");
    repo.write(
        "xtask.toml",
        "[gates]\ndetect = false\n[gates.compile]\npaths = [\"pkg\"]\npython = \"no-such-python\"\n\
         [[gates.command]]\nname = \"lint\"\nrun = [\"no-such-linter\", \"--check\"]\n",
    );
    let run = repo.xtask(&["--json", "quality-check"]);
    run.code(2);
    let doc = run.json();
    assert_eq!(doc["ok"], false);
    assert_eq!(gate(&doc, "compile")["status"], "error");
    assert!(gate(&doc, "compile")["note"].as_str().unwrap().contains("apt-get install python3"));
    assert_eq!(gate(&doc, "lint")["status"], "error");
    assert!(gate(&doc, "lint")["note"].as_str().unwrap().contains("`no-such-linter` was not found on PATH"));
    // A gate that failed decides the exit code.
    repo.write("docs/a.md", "\u{2019}\n");
    let toml = repo.read("xtask.toml");
    repo.write("xtask.toml", format!("{toml}[gates.ascii]\n"));
    repo.xtask(&["quality-check"]).code(1);
}

#[test]
fn a_120_mib_single_line_file_is_checked_in_bounded_memory() {
    let repo = TestRepo::new();
    repo.write(
        "xtask.toml",
        "[gates]\ndetect = false\n[gates.ascii]\n[gates.links]\n[gates.ellipsis]\npaths = [\"docs\"]\nexclude = []\n",
    );
    // One line of 120 MiB: prose with a dash, a broken link and three dots every 64 KiB.
    let words = "the quick brown fox jumps over the lazy dog ".repeat(1490);
    let piece = format!("{words}\u{2014} [x](missing.md) `code [y](inside.md)` {}", ".".repeat(3));
    let mut text = String::with_capacity(120 << 20);
    while text.len() + piece.len() <= 120 << 20 {
        text.push_str(&piece);
    }
    let pieces = text.len() / piece.len();
    repo.write("docs/big.md", &text);
    drop(text);
    let mut cmd = std::process::Command::new("/usr/bin/time");
    cmd.args(["-f", "peak-kb=%M", "--"]).arg(env!("CARGO_BIN_EXE_polyrelease"));
    cmd.arg("--root").arg(repo.root()).args(["--json", "quality-check"]).current_dir(repo.root());
    repo.env(&mut cmd);
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let peak: u64 = stderr.rsplit("peak-kb=").next().unwrap().trim().parse().unwrap();
    assert!(peak < 200 * 1024, "peak memory {peak} KiB for a 120 MiB file");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed = |name: &str| gate(&doc, name)["findings"].as_array().unwrap().clone();
    // Every dash and every broken link outside inline code is found: the first thousand listed,
    // one more finding counting the rest.
    for name in ["ascii", "links"] {
        let findings = listed(name);
        assert_eq!(findings.len(), 1001, "{name}");
        let last = findings.last().unwrap()["message"].as_str().unwrap().to_string();
        assert!(last.starts_with(&format!("{} more findings in this file", pieces - 1000)), "{name}: {last}");
    }
    let first = &listed("ascii")[0];
    assert_eq!(first["column"], words.len() + 1);
    let dots = ".".repeat(3);
    assert_eq!(
        first["message"],
        format!("non-ASCII character U+2014 EM DASH in '{dots} lazy dog \u{2014} [x](miss{dots}'")
    );
    assert!(listed("links")[0]["message"].as_str().unwrap().contains("docs/missing.md does not exist"));
    // Dots inside prose are not a placeholder (the default mode).
    assert_eq!(gate(&doc, "ellipsis")["status"], "passed");
}
