//! `bundle` and `release` never overlap: bundle takes the repository lock, and refuses a tree
//! that changed while it was built (HEAD, a version source, tracked files), so no artifact is
//! ever labelled with a version it does not hold.

mod bundle_util;
mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bundle_util::files;
use support::TestRepo;

/// A repository at 2.4.1 (VERSION and package.json) with a fix to release.
fn repo_at_2_4_1(extra: &str) -> TestRepo {
    let repo = bundle_util::versioned(
        "shop",
        "2.4.1",
        &format!(
            "[[version]]\npath = \"package.json\"\n\n[gates]\ndetect = false\n\n[[bundle]]\nname = \"app.zip\"\ninclude = [\"package.json\", \"VERSION\"]\n{extra}"
        ),
    );
    repo.write("package.json", "{\n  \"name\": \"shop\",\n  \"version\": \"2.4.1\"\n}\n");
    repo.write("CHANGELOG.md", "# Changelog\n");
    repo.commit_all("feat: the shop");
    repo.tag("v2.4.1");
    repo.write("fix.txt", "fixed\n");
    repo.commit_all("fix: a fix");
    repo
}

/// A Python program (as an argument vector in TOML) that creates `started` and waits until
/// `go` exists, both outside the repository.
fn waiting_command(signals: &Path) -> String {
    let started = signals.join("started").display().to_string();
    let go = signals.join("go").display().to_string();
    let script = format!(
        "import os, time\\nopen('{started}', 'w').close()\\nt = time.time()\\nwhile not os.path.exists('{go}') and time.time() - t < 60: time.sleep(0.05)\\n"
    );
    format!("[\"python3\", \"-c\", \"{script}\"]")
}

fn spawn(repo: &TestRepo, args: &[&str]) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_polyrelease"));
    cmd.arg("--root").arg(repo.root()).args(args).current_dir(repo.root());
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    repo.env(&mut cmd);
    cmd.spawn().unwrap()
}

fn wait_for(path: &Path) {
    let start = Instant::now();
    while !path.exists() {
        assert!(start.elapsed() < Duration::from_secs(30), "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn finish(child: Child) -> (i32, String) {
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_bundle_during_a_release_is_refused() {
    let signals = tempfile::tempdir().unwrap();
    let gate = format!("\n[[gates.command]]\nname = \"slow\"\nrun = {}\n", waiting_command(signals.path()));
    let repo = repo_at_2_4_1(&gate);
    let release = spawn(&repo, &["release", "patch"]);
    wait_for(&signals.path().join("started"));
    // The release holds the lock (its gates run before it writes): the bundle does not start.
    let run = repo.xtask(&["bundle"]);
    std::fs::write(signals.path().join("go"), "").unwrap();
    run.code(2);
    assert!(run.stderr.contains("another release or rollback is running in this repository (pid "), "{run}");
    assert!(!repo.path("dist").exists(), "{run}");
    let (code, stderr) = finish(release);
    assert_eq!(code, 0, "{stderr}");
    // Afterwards it bundles the released version, consistently.
    repo.xtask(&["bundle"]).code(0);
    let manifest = repo.read("dist/manifest.json");
    assert!(manifest.contains("\"version\": \"2.4.2\""), "{manifest}");
    let inside = bundle_util::tool(&repo.path("dist"), "unzip", &["-p", "app.zip", "package.json"]);
    assert!(inside.contains("\"version\": \"2.4.2\""), "{inside}");
    repo.xtask(&["bundle", "--verify", "dist"]).code(0);
}

#[test]
fn a_release_during_a_bundle_is_refused_naming_the_bundle() {
    let signals = tempfile::tempdir().unwrap();
    let slow = format!(
        "\n[[bundle]]\nname = \"slow.zip\"\nbuild = [{}]\ninclude = [\"VERSION\"]\n",
        waiting_command(signals.path())
    );
    let repo = repo_at_2_4_1(&slow);
    let bundle = spawn(&repo, &["bundle"]);
    wait_for(&signals.path().join("started"));
    let mut before = repo.snapshot();
    before.files.retain(|path, _| !path.starts_with("dist/"));
    let run = repo.xtask(&["release", "patch"]);
    std::fs::write(signals.path().join("go"), "").unwrap();
    run.code(2);
    assert!(run.stderr.contains("`bundle` is running in this repository (pid "), "{run}");
    let (code, stderr) = finish(bundle);
    assert_eq!(code, 0, "{stderr}");
    // Nothing of the release happened; the bundle is whole and says 2.4.1 everywhere.
    let mut after = repo.snapshot();
    after.files.retain(|path, _| !path.starts_with("dist/"));
    support::assert_same(&before, &after);
    repo.xtask(&["bundle", "--verify", "dist"]).code(0);
    assert!(repo.read("dist/manifest.json").contains("\"version\": \"2.4.1\""));
    // The dry run, which takes no lock, says the same while a bundle runs.
    std::fs::remove_file(signals.path().join("go")).unwrap();
    std::fs::remove_file(signals.path().join("started")).unwrap();
    let bundle = spawn(&repo, &["bundle"]);
    wait_for(&signals.path().join("started"));
    let run = repo.xtask(&["release", "patch", "--dry-run"]);
    std::fs::write(signals.path().join("go"), "").unwrap();
    run.code(2);
    assert!(run.stderr.contains("`bundle` is running in this repository"), "{run}");
    assert_eq!(finish(bundle).0, 0);
}

#[test]
fn a_tree_that_changes_while_it_is_bundled_is_refused() {
    // A build step that edits a version source, as a release from elsewhere would.
    let bump = "\n[[bundle]]\nname = \"edit.zip\"\nbuild = [[\"python3\", \"-c\", \"p = open('package.json').read().replace('2.4.1', '2.4.2'); open('package.json', 'w').write(p)\"]]\ninclude = [\"VERSION\"]\n";
    let repo = repo_at_2_4_1(bump);
    repo.xtask(&["bundle", "--only", "app.zip"]).code(0);
    let before = files(&repo.path("dist"));
    let run = repo.xtask(&["bundle"]);
    run.code(2);
    assert!(run.stderr.contains("the repository changed while the bundles were built (package.json changed)"), "{run}");
    assert!(run.stderr.contains("nothing was written to dist"), "{run}");
    assert_eq!(files(&repo.path("dist")), before, "the previous set is kept");

    // A commit made meanwhile moves HEAD.
    let repo = repo_at_2_4_1(
        "\n[[bundle]]\nname = \"commit.zip\"\nbuild = [[\"git\", \"commit\", \"-q\", \"--allow-empty\", \"-m\", \"meanwhile\"]]\ninclude = [\"VERSION\"]\n",
    );
    let head = repo.git(&["rev-parse", "HEAD"]);
    let run = repo.xtask(&["bundle"]);
    run.code(2);
    assert!(run.stderr.contains(&format!("HEAD moved from {}", &head[..12])), "{run}");
    assert!(!repo.path("dist/manifest.json").exists(), "{run}");
}
