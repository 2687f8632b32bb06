//! `Cargo.lock` for a shim that depends on a local engine checkout: the engine's own lockfile
//! (the versions its tests ran with), trimmed to this workspace by cargo, offline. Where that
//! cannot be done offline, the first `cargo xtask` writes the lockfile instead.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Write `ROOT/Cargo.lock` from the lockfile of the workspace that holds `engine`. `Ok(false)`
/// when there is none to start from; an error when cargo could not settle it offline (the
/// lockfile is then removed again).
pub fn seed(root: &Path, engine: &Path) -> Result<bool> {
    let Some(source) = engine.ancestors().map(|d| d.join("Cargo.lock")).find(|p| p.is_file()) else {
        return Ok(false);
    };
    let target = root.join("Cargo.lock");
    std::fs::copy(&source, &target).with_context(|| format!("cannot copy {}", source.display()))?;
    match settle(root) {
        Ok(()) => Ok(true),
        Err(e) => {
            let _ = std::fs::remove_file(&target);
            Err(e)
        }
    }
}

/// `cargo update --workspace --offline`: the workspace's own packages re-resolved, every other
/// version kept as locked.
fn settle(root: &Path) -> Result<()> {
    let cargo = std::env::var_os("CARGO").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("cargo"));
    let sh = xshell::Shell::new().context("cannot start a shell for cargo")?;
    sh.change_dir(root);
    let out = xshell::cmd!(sh, "{cargo} update --workspace --offline --quiet")
        .quiet()
        .ignore_status()
        .output()
        .context("cannot run cargo")?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        bail!("`cargo update --workspace --offline` failed: {}", err.trim());
    }
    Ok(())
}
