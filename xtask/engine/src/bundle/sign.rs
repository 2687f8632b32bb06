//! The detached signature of `SHA256SUMS` (`[bundles] sign`): `gpg --detach-sign --armor`
//! (`SHA256SUMS.asc`) or `ssh-keygen -Y sign -n file` (`SHA256SUMS.sig`); the key and the tool
//! are checked before anything is built. And its check in `--verify`: `gpg --verify`, or
//! `ssh-keygen -Y verify` against an allowed-signers file (`check-novalidate`, with a note, when
//! none is given).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use xshell::{Shell, cmd};

use super::checksums::{SUMS, SignatureRecord};
use crate::config::{BundleSettings, SignMethod};

/// The names a signature can have; reserved in every output folder.
pub const FILES: [&str; 2] = ["SHA256SUMS.asc", "SHA256SUMS.sig"];
/// The signing key (gpg key id, or ssh private key file); wins over `[bundles] signing-key`.
pub const KEY_ENV: &str = "XTASK_SIGNING_KEY";
/// The ssh allowed-signers file of `--verify`; wins over `[bundles] allowed-signers`.
pub const ALLOWED_ENV: &str = "XTASK_ALLOWED_SIGNERS";

/// A checked way to sign: the tool is installed and the key is there.
#[derive(Debug)]
pub struct Signer {
    method: SignMethod,
    /// A gpg key id, or the absolute path of an ssh private key.
    key: String,
}

impl Signer {
    /// The signer `[bundles]` asks for (`None` without `sign`), or an error (exit 2) naming
    /// what to set or install. `root` resolves a key path written in `xtask.toml`.
    pub fn resolve(settings: &BundleSettings, root: &Path) -> Result<Option<Signer>> {
        let Some(method) = settings.sign else { return Ok(None) };
        let (key, from_env) = match std::env::var(KEY_ENV).ok().filter(|k| !k.trim().is_empty()) {
            Some(key) => (key, true),
            None => match &settings.signing_key {
                Some(key) => (key.clone(), false),
                None => bail!(
                    "[bundles] sign = \"{}\" needs a key: set [bundles] signing-key in xtask.toml or {KEY_ENV} ({})",
                    name(method),
                    what_key(method)
                ),
            },
        };
        let sh = shell()?;
        match method {
            SignMethod::Gpg => {
                require("gpg", "install GnuPG (apt-get install gnupg)")?;
                let found = cmd!(sh, "gpg --batch --list-secret-keys -- {key}").quiet().ignore_status().output()?;
                if !found.status.success() {
                    bail!(
                        "[bundles] sign = \"gpg\": gpg has no secret key {key} (from {}); set {} to a key that `gpg --list-secret-keys` shows (GNUPGHOME selects the keyring)",
                        source(from_env),
                        source(from_env)
                    );
                }
                Ok(Some(Signer { method, key }))
            }
            SignMethod::Ssh => {
                require("ssh-keygen", "install OpenSSH (apt-get install openssh-client)")?;
                let path = resolve_path(&key, if from_env { None } else { Some(root) });
                if !path.is_file() {
                    bail!(
                        "[bundles] sign = \"ssh\": the key file {} (from {}) does not exist; set {} to an ssh private key file",
                        path.display(),
                        source(from_env),
                        source(from_env)
                    );
                }
                Ok(Some(Signer { method, key: path.to_string_lossy().into_owned() }))
            }
        }
    }

    /// `SHA256SUMS.asc` or `SHA256SUMS.sig`.
    pub fn file_name(&self) -> &'static str {
        file_for(self.method)
    }

    /// Sign `dir/SHA256SUMS` into `dir/` under [`Signer::file_name`]; what `dir` holds.
    pub fn sign(&self, dir: &Path) -> Result<SignatureRecord> {
        let sh = shell()?;
        sh.change_dir(dir);
        let key = &self.key;
        let out = self.file_name();
        let run = match self.method {
            SignMethod::Gpg => {
                cmd!(sh, "gpg --batch --yes --armor --detach-sign --local-user {key} --output {out} {SUMS}")
            }
            // Writes SHA256SUMS.sig beside the file.
            SignMethod::Ssh => cmd!(sh, "ssh-keygen -Y sign -n file -f {key} {SUMS}"),
        };
        let done = run.quiet().ignore_status().output().with_context(|| format!("cannot run {}", name(self.method)))?;
        if !done.status.success() || !dir.join(out).is_file() {
            bail!(
                "signing {SUMS} with {} failed:\n{}",
                name(self.method),
                crate::output::safe_lines(String::from_utf8_lossy(&done.stderr).trim_end())
            );
        }
        Ok(SignatureRecord { name: out.to_string(), method: self.method, signs: SUMS.to_string() })
    }
}

/// Check the signature `sig` (a regular file at `sig_path`) of the `sums` bytes. `Err` is a
/// mismatch; `Ok(Some(note))` passed with something the user should know.
pub fn verify(
    sig: &SignatureRecord,
    sig_path: &Path,
    sums: &[u8],
    settings: &BundleSettings,
    root: &Path,
) -> Result<Option<String>> {
    let sh = shell()?;
    match sig.method {
        SignMethod::Gpg => {
            require("gpg", "install GnuPG (apt-get install gnupg) to check it")?;
            checks(cmd!(sh, "gpg --batch --verify -- {sig_path} -"), sums, "gpg")?;
            Ok(None)
        }
        SignMethod::Ssh => {
            require("ssh-keygen", "install OpenSSH (apt-get install openssh-client) to check it")?;
            let allowed = match std::env::var(ALLOWED_ENV).ok().filter(|v| !v.trim().is_empty()) {
                Some(path) => Some(resolve_path(&path, None)),
                None => settings.allowed_signers.as_deref().map(|p| resolve_path(p, Some(root))),
            };
            let Some(allowed) = allowed else {
                checks(cmd!(sh, "ssh-keygen -Y check-novalidate -n file -s {sig_path}"), sums, "ssh-keygen")?;
                return Ok(Some(format!(
                    "{}: the signature matches {SUMS}, but who made it was not checked: no allowed-signers file (set {ALLOWED_ENV} or [bundles] allowed-signers)",
                    sig.name
                )));
            };
            if !allowed.is_file() {
                bail!("cannot be checked: the allowed-signers file {} does not exist", allowed.display());
            }
            let found = cmd!(sh, "ssh-keygen -Y find-principals -s {sig_path} -f {allowed}")
                .quiet()
                .ignore_status()
                .output()?;
            let principals = String::from_utf8_lossy(&found.stdout).into_owned();
            let Some(principal) = principals.lines().map(str::trim).find(|l| !l.is_empty()) else {
                bail!("was not made by a key of the allowed-signers file {}", allowed.display());
            };
            let verify = cmd!(sh, "ssh-keygen -Y verify -f {allowed} -I {principal} -n file -s {sig_path}");
            checks(verify, sums, "ssh-keygen")?;
            Ok(None)
        }
    }
}

/// Run a check that reads the signed bytes on stdin; its complaint (stderr, one line) when it
/// fails.
fn checks(check: xshell::Cmd<'_>, sums: &[u8], tool: &str) -> Result<()> {
    let done = check.stdin(sums).quiet().ignore_status().output()?;
    if !done.status.success() {
        let said = String::from_utf8_lossy(&done.stderr);
        let said: Vec<&str> = said.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        bail!("does not verify {SUMS} ({tool}: {})", said.join("; "));
    }
    Ok(())
}

/// The signature's file name for `method`.
pub fn file_for(method: SignMethod) -> &'static str {
    match method {
        SignMethod::Gpg => FILES[0],
        SignMethod::Ssh => FILES[1],
    }
}

fn shell() -> Result<Shell> {
    Shell::new().context("cannot start a process")
}

fn require(tool: &str, install: &str) -> Result<()> {
    if !crate::detect::which(tool) {
        bail!("`{tool}` is not installed; {install}");
    }
    Ok(())
}

/// `~/x` under HOME; a relative path under `base` (the root, for paths in `xtask.toml`) or the
/// current folder.
fn resolve_path(path: &str, base: Option<&Path>) -> PathBuf {
    if let (Some(rest), Some(home)) = (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        return PathBuf::from(home).join(rest);
    }
    let p = PathBuf::from(path);
    match base {
        Some(base) if p.is_relative() => base.join(p),
        _ => p,
    }
}

/// `gpg` or `ssh`, as `[bundles] sign` spells it.
pub fn name(method: SignMethod) -> &'static str {
    match method {
        SignMethod::Gpg => "gpg",
        SignMethod::Ssh => "ssh",
    }
}

fn what_key(method: SignMethod) -> &'static str {
    match method {
        SignMethod::Gpg => "a gpg key id or fingerprint",
        SignMethod::Ssh => "the path of an ssh private key",
    }
}

fn source(from_env: bool) -> &'static str {
    if from_env { KEY_ENV } else { "[bundles] signing-key" }
}
