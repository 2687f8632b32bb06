//! What `bundle` refuses and how it fails: dirty trees, failing and missing build tools,
//! symlinks that leave the bundle, unreadable files, names outside the folder. Every failure
//! leaves the output folder as it was.

mod bundle_util;
mod support;

use std::process::Command;

use bundle_util::{files, lot_genius, names, python_zip_listing, tool};
use support::TestRepo;

/// Only the bundles that need no Python build: quick, and enough for these cases.
const QUICK: &str = "docs-bundle.zip,source";

fn config(repo: &TestRepo, bundles: &str) {
    repo.write("xtask.toml", format!("[release]\nname = \"lot-genius\"\n\n{bundles}"));
    repo.commit_all("chore: bundles");
}

#[test]
fn tracked_changes_are_refused_unless_allowed() {
    let repo = lot_genius();
    repo.write("docs/README.md", "# changed\n");
    let run = repo.xtask(&["bundle", "--only", QUICK]);
    run.code(2);
    assert!(run.stderr.contains("docs/README.md") && run.stderr.contains("--allow-dirty"), "{run}");
    assert!(!repo.path("dist").exists(), "nothing written\n{run}");

    let run = repo.xtask(&["bundle", "--only", QUICK, "--allow-dirty", "--json"]);
    run.code(0);
    let doc = run.json();
    assert_eq!(doc["manifest"]["dirty"], true);
    // The docs zip holds the work tree's file; the source archive holds the commit's.
    let listing = tool(&repo.path("dist"), "unzip", &["-p", "docs-bundle.zip", "docs/README.md"]);
    assert_eq!(listing, "# changed\n");
    let committed = tool(
        &repo.path("dist"),
        "tar",
        &["-xzOf", "lot-genius-0.1.0-source.tar.gz", "lot-genius-0.1.0/docs/README.md"],
    );
    assert!(committed.starts_with("# Lot Genius docs"), "{committed}");
    // Untracked files do not make a tree dirty.
    repo.git(&["checkout", "--", "docs/README.md"]);
    repo.write("notes.txt", "scratch\n");
    repo.xtask(&["bundle", "--only", QUICK]).code(0);
}

#[test]
fn a_failing_build_shows_its_output_and_keeps_the_previous_set() {
    let repo = lot_genius();
    repo.xtask(&["bundle", "--only", QUICK]).code(0);
    let before = files(&repo.path("dist"));
    config(
        &repo,
        "[[bundle]]\nname = \"docs-bundle.zip\"\ninclude = [\"docs/**\"]\n\n[[bundle]]\nname = \"app.zip\"\ncwd = \"frontend\"\nbuild = [[\"node\", \"-e\", \"console.log('compiling'); console.error('boom: missing module'); process.exit(3)\"]]\ninclude = [\"public/**\"]\n",
    );
    let run = repo.xtask(&["bundle"]);
    run.code(2);
    assert!(run.stderr.contains("| boom: missing module") && run.stderr.contains("| compiling"), "{run}");
    assert!(run.stderr.contains("failed in frontend/ (exit status 3)"), "{run}");
    // docs-bundle.zip and the source archive of this run were staged; none of them arrived.
    assert_eq!(files(&repo.path("dist")), before, "the output folder changed");
}

#[test]
fn missing_tools_exit_2_with_the_install_command() {
    let repo = lot_genius();
    config(
        &repo,
        "[[bundle]]\nname = \"x.zip\"\nbuild = [[\"xtask-no-such-tool\", \"build\"]]\ninclude = [\"docs\"]\n",
    );
    let run = repo.xtask(&["bundle", "--only", "x.zip"]);
    run.code(2);
    assert!(run.stderr.contains("`xtask-no-such-tool` is not installed"), "{run}");
    config(
        &repo,
        "[[bundle]]\nname = \"py\"\nbuild = [[\"python3\", \"-m\", \"xtask_no_such_module\"]]\ncollect = [\"*.whl\"]\n",
    );
    let run = repo.xtask(&["bundle", "--only", "py"]);
    run.code(2);
    assert!(run.stderr.contains("python3 -m pip install xtask_no_such_module"), "{run}");
    assert!(!repo.path("dist/py").exists());
}

#[test]
fn symlinks_inside_are_kept_and_outside_are_errors() {
    let repo = lot_genius();
    std::os::unix::fs::symlink("GETTING_STARTED.md", repo.path("docs/START.md")).unwrap();
    repo.commit_all("docs: a link");
    repo.xtask(&["bundle", "--only", QUICK]).code(0);
    let listing = python_zip_listing(&repo.path("dist/docs-bundle.zip"));
    assert!(listing.contains("docs/START.md 0o120777"), "{listing}");
    tool(&repo.path("dist"), "unzip", &["-tq", "docs-bundle.zip"]);
    let tar = tool(&repo.path("dist"), "tar", &["-tvzf", "lot-genius-0.1.0-source.tar.gz"]);
    assert!(tar.contains("lot-genius-0.1.0/docs/START.md -> GETTING_STARTED.md"), "{tar}");
    repo.xtask(&["bundle", "--verify", "dist"]).code(0);
    let before = files(&repo.path("dist"));

    std::os::unix::fs::symlink("../../CHANGELOG.md", repo.path("docs/operations/escape.md")).unwrap();
    let run = repo.xtask(&["bundle", "--only", "docs-bundle.zip", "--allow-dirty"]);
    run.code(2);
    assert!(
        run.stderr.contains("docs/operations/escape.md: symlink to ../../CHANGELOG.md points outside the bundle"),
        "{run}"
    );
    repo.commit_all("docs: a link out of the repository");
    std::fs::remove_file(repo.path("docs/operations/escape.md")).unwrap();
    std::os::unix::fs::symlink("../../../etc/passwd", repo.path("docs/operations/escape.md")).unwrap();
    repo.commit_all("docs: a link out of the repository");
    let run = repo.xtask(&["bundle", "--only", "source"]);
    run.code(2);
    assert!(run.stderr.contains("docs/operations/escape.md") && run.stderr.contains("outside"), "{run}");
    assert_eq!(files(&repo.path("dist")), before);
}

#[test]
fn an_unreadable_file_is_named_and_nothing_is_written() {
    let repo = lot_genius();
    // Untracked (a build output), so `git status` need not read it either.
    repo.write("frontend/public/secret.txt", "x");
    let path = repo.path("frontend/public/secret.txt");
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    // Root reads anything: drop the capabilities that let it, so permissions apply.
    let euid = tool(repo.root(), "id", &["-u"]);
    let mut cmd = if euid.trim() == "0" {
        let mut c = Command::new("setpriv");
        c.args(["--bounding-set", "-dac_override,-dac_read_search", "--"]).arg(env!("CARGO_BIN_EXE_polyrelease"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_polyrelease"))
    };
    cmd.arg("--root").arg(repo.root()).args(["bundle", "--only", "frontend-build.zip"]).current_dir(repo.root());
    repo.env(&mut cmd);
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("frontend/public/secret.txt: cannot read the file"), "{stderr}");
    assert!(names(&repo.path("dist")).is_empty(), "{:?}", names(&repo.path("dist")));
}

#[test]
fn globs_and_folders_outside_the_bundle_are_refused() {
    let repo = lot_genius();
    let run = repo.xtask(&["bundle", "--only", "nope"]);
    run.code(2);
    assert!(run.stderr.contains("no bundle named `nope`") && run.stderr.contains("docs-bundle.zip, source"), "{run}");
    config(&repo, "[[bundle]]\nname = \"x.zip\"\ncwd = \"docs\"\ninclude = [\"../backend/**\"]\n");
    let run = repo.xtask(&["bundle", "--only", "x.zip"]);
    run.code(2);
    assert!(run.stderr.contains("line 7: [[bundle]] include \"../backend/**\" leaves the bundle's folder"), "{run}");
    config(&repo, "[[bundle]]\nname = \"x.zip\"\ncwd = \"../elsewhere\"\ninclude = [\"**\"]\n");
    let run = repo.xtask(&["bundle", "--only", "x.zip"]);
    run.code(2);
    assert!(run.stderr.contains("outside the repository"), "{run}");
}

#[test]
fn tar_gz_bundles_and_verify_failures() {
    let repo = lot_genius();
    config(&repo, "[[bundle]]\nname = \"docs.tar.gz\"\ninclude = [\"docs\"]\nexclude = [\"docs/operations\"]\n");
    repo.xtask(&["bundle"]).code(0);
    let dist = repo.path("dist");
    assert_eq!(
        names(&dist),
        [
            "SHA256SUMS",
            "docs.tar.gz",
            "docs.tar.gz.cdx.json",
            "lot-genius-0.1.0-source.tar.gz",
            "lot-genius-0.1.0-source.tar.gz.cdx.json",
            "lot-genius-0.1.0.intoto.json",
            "manifest.json"
        ]
    );
    let listing = tool(&dist, "tar", &["-tzf", "docs.tar.gz"]);
    assert_eq!(listing, "docs/\ndocs/GETTING_STARTED.md\ndocs/README.md\n");
    tool(&dist, "python3", &["-c", "import tarfile; tarfile.open('docs.tar.gz').extractall('x', filter='data')"]);

    // A manifest that claims another version: every artifact that carries it is named.
    let manifest = std::fs::read_to_string(dist.join("manifest.json")).unwrap();
    std::fs::write(dist.join("manifest.json"), manifest.replace("\"version\": \"0.1.0\"", "\"version\": \"0.2.0\""))
        .unwrap();
    std::fs::remove_file(dist.join("docs.tar.gz")).unwrap();
    let run = repo.xtask(&["bundle", "--verify", "dist"]);
    run.code(1);
    assert!(run.stdout.contains("docs.tar.gz: missing"), "{run}");
    assert!(
        run.stdout.contains(
            "lot-genius-0.1.0-source.tar.gz: the source archive should be named lot-genius-0.2.0-source.tar.gz"
        ),
        "{run}"
    );
    let run = repo.xtask(&["bundle", "--verify", "nowhere"]);
    run.code(2);
    let run = repo.xtask(&["bundle", "--verify", "docs"]);
    run.code(2);
    assert!(run.stderr.contains("no manifest.json"), "{run}");
}

#[test]
fn ctrl_c_during_a_build_keeps_the_previous_set_and_exits_3() {
    use std::os::unix::process::CommandExt;
    let repo = lot_genius();
    repo.xtask(&["bundle", "--only", "docs-bundle.zip"]).code(0);
    let before = files(&repo.path("dist"));
    config(
        &repo,
        "[[bundle]]\nname = \"docs-bundle.zip\"\ninclude = [\"docs/**\"]\n\n[[bundle]]\nname = \"slow.zip\"\nbuild = [[\"node\", \"-e\", \"require('fs').writeFileSync('started', ''); setTimeout(() => {}, 30000)\"]]\ninclude = [\"docs\"]\n",
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_polyrelease"));
    cmd.arg("--root").arg(repo.root()).arg("bundle").current_dir(repo.root()).process_group(0);
    cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    repo.env(&mut cmd);
    let started = std::time::Instant::now();
    let child = cmd.spawn().unwrap();
    while !repo.path("started").exists() {
        assert!(started.elapsed().as_secs() < 20, "the slow build never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Ctrl-C on a terminal reaches the whole process group: the xtask and its build command.
    let group = child.id();
    assert!(group > 1);
    tool(repo.root(), "kill", &["-s", "INT", "--", &format!("-{group}")]);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("interrupted: dist holds the previous bundles unchanged"), "{stderr}");
    assert!(started.elapsed().as_secs() < 20, "the build was not stopped");
    assert_eq!(files(&repo.path("dist")), before);
}

#[test]
fn a_large_file_streams_in_bounded_memory() {
    let repo = lot_genius();
    config(&repo, "[[bundle]]\nname = \"big.zip\"\ninclude = [\"data\"]\n");
    // 160 MiB of zeros (a sparse file: nothing on disk), and a 5 MiB file of mixed bytes.
    std::fs::create_dir_all(repo.path("data")).unwrap();
    std::fs::File::create(repo.path("data/zeros.bin")).unwrap().set_len(160 << 20).unwrap();
    let mixed: Vec<u8> = (0..5u32 << 20).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 & 0x3f).collect();
    std::fs::write(repo.path("data/mixed.bin"), &mixed).unwrap();
    let mut cmd = Command::new("/usr/bin/time");
    cmd.args(["-f", "peak-kb=%M", "--"]).arg(env!("CARGO_BIN_EXE_polyrelease"));
    cmd.arg("--root").arg(repo.root()).args(["bundle", "--only", "big.zip"]).current_dir(repo.root());
    repo.env(&mut cmd);
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let peak: u64 = stderr.rsplit("peak-kb=").next().unwrap().trim().parse().unwrap();
    assert!(peak < 64 * 1024, "peak memory {peak} KiB for a 165 MiB input");
    let dist = repo.path("dist");
    tool(&dist, "unzip", &["-tq", "big.zip"]);
    let listing = python_zip_listing(&dist.join("big.zip"));
    assert_eq!(listing, "data/mixed.bin 0o100644 2026\ndata/zeros.bin 0o100644 2026\n");
    let back = Command::new("unzip").args(["-p", "big.zip", "data/mixed.bin"]).current_dir(&dist).output().unwrap();
    assert!(back.stdout == mixed, "data/mixed.bin came back different");
}
