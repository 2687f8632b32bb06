//! A disk that fills up during a release, on a real small tmpfs: the message says what failed
//! (no space left on device, never "is git installed" or a bare "Broken pipe") and what state
//! the repository is in, and once there is space again the repository can be put back exactly.
//!
//! The tmpfs is mounted in a mount namespace of its own (`unshare --user --map-root-user
//! --mount`), which needs no privileges where user namespaces are enabled and vanishes with the
//! test. Where they are not, the test says so and checks nothing.

mod release_common;
mod support;

use std::process::Command;

use release_common::lot_genius;
use support::{TestRepo, assert_same};

/// The run inside the namespace: mount, copy the repository in; release on a full disk (and
/// copy the result out); release again, this time with a pre-commit hook filling the disk, so
/// that git's commit finds no space; free the space, abort, copy the repository back out.
const SCRIPT: &str = r#"
set -e
mnt=$1 src=$2 bin=$3 out=$4
mount -t tmpfs -o size=8m tmpfs "$mnt"
mkdir "$mnt/repo"
cp -a "$src/." "$mnt/repo/"
cd "$mnt/repo"
set +e
dd if=/dev/zero of="$mnt/fill" bs=4096 2>/dev/null
"$bin" --root "$mnt/repo" release minor --no-verify >"$out/full.out" 2>"$out/full.err"
echo $? >"$out/full.code"
rm -f "$mnt/fill"
cp -a "$mnt/repo/." "$out/full/"
touch "$mnt/repo/.git/hook-fills"
"$bin" --root "$mnt/repo" release minor --no-verify >"$out/release.out" 2>"$out/release.err"
echo $? >"$out/release.code"
rm -f "$mnt/fill"
"$bin" --root "$mnt/repo" release --abort >"$out/abort.out" 2>"$out/abort.err"
echo $? >"$out/abort.code"
cp -a "$mnt/repo/." "$out/repo/"
"#;

fn namespaces_work() -> bool {
    Command::new("unshare")
        .args([
            "--user",
            "--map-root-user",
            "--mount",
            "sh",
            "-c",
            "mount -t tmpfs tmpfs /mnt 2>/dev/null || mount -t tmpfs tmpfs \"$(mktemp -d)\"",
        ])
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn a_full_disk_midway_says_so_and_what_state_the_repository_is_in() {
    if !namespaces_work() {
        eprintln!("skipped: this system cannot mount a tmpfs in a user namespace (unshare -rm)");
        return;
    }
    let p = lot_genius();
    p.change("feat(api): estimate whole lots");
    let mnt = tempfile::tempdir().unwrap();
    let fill = mnt.path().join("fill");
    // Everything the release writes itself fits; then the hook takes the rest of the disk.
    p.hook(
        "pre-commit",
        &format!(
            "#!/bin/sh\n[ -f .git/hook-fills ] || exit 0\ndd if=/dev/zero of='{}' bs=4096 2>/dev/null\nexit 0\n",
            fill.display()
        ),
    );
    let before = p.snapshot();
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir(out.path().join("repo")).unwrap();
    std::fs::create_dir(out.path().join("full")).unwrap();
    let mut cmd = Command::new("unshare");
    cmd.args(["--user", "--map-root-user", "--mount", "sh", "-c", SCRIPT, "sh"])
        .arg(mnt.path())
        .arg(p.root())
        .arg(env!("CARGO_BIN_EXE_polyrelease"))
        .arg(out.path());
    p.env(&mut cmd);
    let status = cmd.status().unwrap();
    assert!(status.success(), "the namespace script failed: {status}");
    let read = |name: &str| std::fs::read_to_string(out.path().join(name)).unwrap();
    let copied = |name: &str| {
        let copy = TestRepo::plain();
        support::copy_exactly(&out.path().join(name), copy.root());
        copy.snapshot()
    };
    // Full before the first write: the journal cannot be written, and nothing was changed.
    let (code, stderr) = (read("full.code"), read("full.err"));
    assert_eq!(code.trim(), "2", "{stderr}");
    assert!(stderr.contains("no space left on device") && stderr.contains("nothing was changed"), "{stderr}");
    assert!(stderr.contains("free some space"), "{stderr}");
    assert_same(&before, &copied("full"));
    // Full midway.
    let (code, stderr) = (read("release.code"), read("release.err"));
    assert_eq!(code.trim(), "3", "{stderr}");
    assert!(stderr.contains("no space left on device"), "{stderr}");
    assert!(!stderr.contains("is git installed") && !stderr.contains("Broken pipe"), "{stderr}");
    // Either the restore went through, or it says exactly where things stand and what to do.
    let restored = stderr.contains("the repository was restored");
    if !restored {
        assert!(stderr.contains("now: main is at"), "{stderr}");
        assert!(stderr.contains("free some space") && stderr.contains("release --abort"), "{stderr}");
        assert_eq!(read("abort.code").trim(), "0", "{}", read("abort.err"));
    }
    // Copied back out: byte for byte as before.
    assert_same(&before, &copied("repo"));
}
