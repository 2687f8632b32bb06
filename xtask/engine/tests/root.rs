//! Always the right repository, said out loud: every command that writes names the root it acts
//! on before anything else, and `--version` is the engine's own.

mod support;

use support::TestRepo;

fn root_line(repo: &TestRepo, what: &str) -> String {
    format!("{what} in {}\n", repo.root().canonicalize().unwrap().display())
}

#[test]
fn every_command_that_writes_names_its_root_first() {
    let repo = TestRepo::from_fixture("lot-genius");
    repo.tag("v0.1.0");
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().join("dist");
    let runs = [
        ("release", repo.xtask(&["release", "minor", "--dry-run", "--no-verify"])),
        ("rollback", repo.xtask(&["rollback", "--dry-run", "--no-verify"])),
        ("bundle", repo.xtask(&["bundle", "--only", "docs-bundle.zip", "--out", out_dir.to_str().unwrap()])),
        ("quality-check --fix", repo.xtask(&["quality-check", "--fix", "--only", "ascii"])),
        ("init", repo.xtask(&["init", "--from", "crates"])),
    ];
    for (what, run) in &runs {
        assert!(run.stderr.starts_with(&root_line(&repo, what)), "{what}\n{run}");
    }
    // Even a command that then fails says where it looked (rollback has nothing to go back to).
    assert_eq!(runs[1].1.code, 2, "{}", runs[1].1);
}

#[test]
fn commands_that_only_read_print_no_root_line() {
    let repo = TestRepo::from_fixture("lot-genius");
    let dist = tempfile::tempdir().unwrap();
    for args in [
        vec!["version"],
        vec!["quality-check", "--list"],
        vec!["changelog"],
        vec!["init", "--check"],
        vec!["bundle", "--verify", dist.path().to_str().unwrap()],
    ] {
        let run = repo.xtask(&args);
        assert!(!run.stderr.contains(" in /"), "{run}");
    }
}

#[test]
fn version_is_the_engines() {
    let repo = TestRepo::new();
    for flag in ["--version", "-V"] {
        let run = repo.xtask(&[flag]);
        run.code(0);
        assert_eq!(run.stdout, format!("polyrelease {}\n", env!("CARGO_PKG_VERSION")), "{run}");
    }
    // The usage keeps the command people type.
    let help = repo.xtask(&["--help"]);
    assert!(help.stdout.contains("Usage: cargo xtask"), "{help}");
}
