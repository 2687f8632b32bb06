//! `[bundles] sign`: a detached signature of `SHA256SUMS` made with the real gpg and ssh-keygen
//! and throwaway keys made here, checked by `bundle --verify`; a `SHA256SUMS` tampered with
//! (with every digest made to agree) fails verify; a missing key or tool is exit 2 before
//! anything is written.

mod bundle_util;
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use bundle_util::{names, tamper};
use support::TestRepo;

/// A gpg home of its own with one passphrase-less signing key; its agent is stopped on drop.
struct Gpg {
    home: tempfile::TempDir,
}

const GPG_USER: &str = "Bundle Test <bundle@example.com>";

impl Gpg {
    fn new() -> Gpg {
        let home = tempfile::Builder::new().prefix("gpg").tempdir_in("/tmp").unwrap();
        std::fs::set_permissions(home.path(), std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
        let gpg = Gpg { home };
        gpg.run(&["--batch", "--passphrase", "", "--quick-gen-key", GPG_USER, "ed25519", "sign", "never"]);
        gpg
    }

    #[track_caller]
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("gpg").args(args).env("GNUPGHOME", self.home.path()).output().expect("gpg runs");
        assert!(out.status.success(), "gpg {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf").args(["--kill", "all"]).env("GNUPGHOME", self.home.path()).output();
    }
}

/// An ed25519 key pair without a passphrase, and an allowed-signers file naming it.
struct SshKey {
    dir: tempfile::TempDir,
}

impl SshKey {
    fn new() -> SshKey {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("id");
        let out = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "bundle@example.com", "-f"])
            .arg(&key)
            .output()
            .expect("ssh-keygen runs");
        assert!(out.status.success(), "ssh-keygen: {}", String::from_utf8_lossy(&out.stderr));
        let public = std::fs::read_to_string(dir.path().join("id.pub")).unwrap();
        std::fs::write(dir.path().join("allowed_signers"), format!("bundle@example.com {public}")).unwrap();
        SshKey { dir }
    }

    fn key(&self) -> PathBuf {
        self.dir.path().join("id")
    }

    fn allowed(&self) -> PathBuf {
        self.dir.path().join("allowed_signers")
    }
}

/// A repository with one zip bundle and these `[bundles]` settings.
fn signed_repo(settings: &str) -> TestRepo {
    let repo = bundle_util::versioned(
        "signed",
        "1.0.0",
        &format!("\n[bundles]\n{settings}\n[[bundle]]\nname = \"site.zip\"\ninclude = [\"site\"]\n"),
    );
    repo.write("site/index.html", "<p>hi</p>\n");
    repo.commit_all("feat: a site");
    repo
}

fn run_with(repo: &TestRepo, args: &[&str], env: &[(&str, &Path)]) -> support::Run {
    repo.xtask_with(args, |cmd| {
        for (k, v) in env {
            cmd.env(k, v);
        }
    })
}

#[test]
fn gpg_signs_and_verify_checks_the_signature() {
    let gpg = Gpg::new();
    let repo = signed_repo("sign = \"gpg\"\nsigning-key = \"bundle@example.com\"\n");
    let env = [("GNUPGHOME", gpg.home.path())];
    let run = run_with(&repo, &["bundle"], &env);
    run.code(0);
    let dist = repo.path("dist");
    assert!(names(&dist).contains(&"SHA256SUMS.asc".to_string()), "{run}");
    let manifest: serde_json::Value = serde_json::from_str(&repo.read("dist/manifest.json")).unwrap();
    assert_eq!(
        manifest["signature"],
        serde_json::json!({"name": "SHA256SUMS.asc", "method": "gpg", "signs": "SHA256SUMS"})
    );
    assert!(repo.read("dist/SHA256SUMS.asc").starts_with("-----BEGIN PGP SIGNATURE-----"));
    // gpg itself agrees.
    let asc = dist.join("SHA256SUMS.asc");
    gpg.run(&["--batch", "--verify", asc.to_str().unwrap(), dist.join("SHA256SUMS").to_str().unwrap()]);
    let ok = run_with(&repo, &["bundle", "--verify", "dist"], &env);
    ok.code(0);
    assert!(ok.stdout.contains("(checksums, signature,"), "{ok}");

    // A manifest that points the signature at another file.
    let saved = repo.read("dist/manifest.json");
    repo.write("dist/manifest.json", saved.replace("\"name\": \"SHA256SUMS.asc\"", "\"name\": \"site.zip\""));
    let moved = run_with(&repo, &["bundle", "--verify", "dist"], &env);
    moved.code(1);
    assert!(
        moved
            .stdout
            .contains("manifest.json: a gpg signature is SHA256SUMS.asc of SHA256SUMS, not site.zip of SHA256SUMS"),
        "{moved}"
    );
    repo.write("dist/manifest.json", saved);

    // Every digest made to agree with a changed site: only the signature can tell.
    tamper(&repo, "open('site.zip', 'ab').write(b'junk')");
    let bad = run_with(&repo, &["bundle", "--verify", "dist"], &env);
    bad.code(1);
    let lines: Vec<&str> = bad.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{bad}");
    assert!(lines[0].starts_with("mismatch: SHA256SUMS.asc: does not verify SHA256SUMS (gpg: "), "{bad}");
    assert!(lines[0].contains("BAD signature"), "{bad}");

    // A signature the manifest names that is not there.
    std::fs::remove_file(&asc).unwrap();
    let gone = run_with(&repo, &["bundle", "--verify", "dist"], &env);
    gone.code(1);
    assert!(gone.stdout.contains("SHA256SUMS.asc: missing (manifest.json says SHA256SUMS is signed)"), "{gone}");

    // Without signing, the next set has no signature, and no stale one is left beside it.
    run_with(&repo, &["bundle"], &env).code(0);
    assert!(dist.join("SHA256SUMS.asc").exists());
    repo.write("xtask.toml", repo.read("xtask.toml").replace("sign = \"gpg\"\n", ""));
    run_with(&repo, &["bundle", "--allow-dirty"], &env).code(0);
    assert!(!dist.join("SHA256SUMS.asc").exists());
    run_with(&repo, &["bundle", "--verify", "dist"], &env).code(0);
}

#[test]
fn a_missing_gpg_key_or_tool_is_refused_before_anything_is_written() {
    let gpg = Gpg::new();
    let repo = signed_repo("sign = \"gpg\"\n");
    let before = repo.snapshot();
    let home = [("GNUPGHOME", gpg.home.path())];
    let run = run_with(&repo, &["bundle"], &home);
    run.code(2);
    assert!(
        run.stderr.contains(
            "[bundles] sign = \"gpg\" needs a key: set [bundles] signing-key in xtask.toml or XTASK_SIGNING_KEY"
        ),
        "{run}"
    );
    let run = repo.xtask_with(&["bundle"], |cmd| {
        cmd.env("GNUPGHOME", gpg.home.path()).env("XTASK_SIGNING_KEY", "nobody@example.com");
    });
    run.code(2);
    assert!(run.stderr.contains("gpg has no secret key nobody@example.com (from XTASK_SIGNING_KEY)"), "{run}");
    // A PATH with git and nothing else.
    let bin = tempfile::tempdir().unwrap();
    let git = String::from_utf8(Command::new("sh").args(["-c", "command -v git"]).output().unwrap().stdout).unwrap();
    std::os::unix::fs::symlink(git.trim(), bin.path().join("git")).unwrap();
    let run = repo.xtask_with(&["bundle"], |cmd| {
        cmd.env("PATH", bin.path()).env("XTASK_SIGNING_KEY", "bundle@example.com");
    });
    run.code(2);
    assert!(run.stderr.contains("`gpg` is not installed; install GnuPG"), "{run}");
    support::assert_same(&before, &repo.snapshot());
    assert!(!repo.path("dist").exists());
}

#[test]
fn ssh_signs_and_verify_checks_the_signer_when_it_is_given() {
    let ssh = SshKey::new();
    let other = SshKey::new();
    let repo = signed_repo("sign = \"ssh\"\n");
    // The key from the environment.
    let key = ssh.key();
    let run = run_with(&repo, &["bundle"], &[("XTASK_SIGNING_KEY", &key)]);
    run.code(0);
    let dist = repo.path("dist");
    assert!(repo.read("dist/SHA256SUMS.sig").starts_with("-----BEGIN SSH SIGNATURE-----"), "{run}");
    let manifest: serde_json::Value = serde_json::from_str(&repo.read("dist/manifest.json")).unwrap();
    assert_eq!(manifest["signature"]["method"], "ssh");

    let allowed = ssh.allowed();
    let ok = run_with(&repo, &["bundle", "--verify", "dist"], &[("XTASK_ALLOWED_SIGNERS", &allowed)]);
    ok.code(0);
    assert!(!ok.stderr.contains("not checked"), "{ok}");
    // No allowed signers: the signature is checked against SHA256SUMS, with a note.
    let unchecked = repo.xtask(&["bundle", "--verify", "dist"]);
    unchecked.code(0);
    assert!(
        unchecked.stderr.contains("SHA256SUMS.sig: the signature matches SHA256SUMS, but who made it was not checked"),
        "{unchecked}"
    );
    // Signed, but by a key the allowed-signers file does not hold.
    let stranger = other.allowed();
    let run = run_with(&repo, &["bundle", "--verify", "dist"], &[("XTASK_ALLOWED_SIGNERS", &stranger)]);
    run.code(1);
    assert!(run.stdout.contains("SHA256SUMS.sig: was not made by a key of the allowed-signers file"), "{run}");

    // Every digest made to agree with a changed site: only the signature can tell.
    tamper(&repo, "open('site.zip', 'ab').write(b'junk')");
    for env in [vec![("XTASK_ALLOWED_SIGNERS", allowed.as_path())], vec![]] {
        let bad = run_with(&repo, &["bundle", "--verify", "dist"], &env);
        bad.code(1);
        let lines: Vec<&str> = bad.stdout.lines().collect();
        assert_eq!(lines.len(), 1, "{bad}");
        assert!(lines[0].starts_with("mismatch: SHA256SUMS.sig: does not verify SHA256SUMS (ssh-keygen: "), "{bad}");
    }
    assert!(dist.join("site.zip").exists());
}

#[test]
fn a_missing_ssh_key_file_is_refused_before_anything_is_written() {
    let repo = signed_repo("sign = \"ssh\"\nsigning-key = \"keys/id_ed25519\"\n");
    let before = repo.snapshot();
    let run = repo.xtask(&["bundle"]);
    run.code(2);
    let want =
        format!("the key file {} (from [bundles] signing-key) does not exist", repo.path("keys/id_ed25519").display());
    assert!(run.stderr.contains(&want), "{run}");
    support::assert_same(&before, &repo.snapshot());
    assert!(!repo.path("dist").exists());
}
