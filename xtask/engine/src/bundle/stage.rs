//! The output folder, changed all at once: every artifact of a run is written into a staging
//! folder inside it (each under a temporary name, renamed when complete) and moved into place
//! only when the whole set is ready. A failed run removes its staging folder and leaves the
//! previous set (or nothing) in place, never a mix.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::checksums::{MANIFEST, Manifest, SUMS};
use crate::error::Midway;

const STAGING: &str = ".xtask-staging-";

/// A staging folder inside the output folder; removed on drop unless committed.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    /// How messages name the output folder.
    shown: String,
    committed: bool,
}

impl Staging {
    /// Create `out` when needed and a fresh staging folder in it; remove the staging folders of
    /// runs that were killed.
    pub fn create(out: &Path, shown: &str) -> Result<Staging> {
        std::fs::create_dir_all(out).with_context(|| format!("{shown}: cannot create the output folder"))?;
        let out = out.canonicalize().with_context(|| format!("{shown}: cannot resolve the output folder"))?;
        remove_abandoned(&out);
        let dir = out.join(format!("{STAGING}{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("{}: cannot remove", dir.display()))?;
        }
        std::fs::create_dir(&dir).with_context(|| format!("{shown}: cannot create a staging folder in it"))?;
        Ok(Staging { out, dir, shown: shown.to_string(), committed: false })
    }

    /// The output folder (absolute).
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// The staging folder (absolute): builds and walks must not look inside it.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Write `name` through `fill` as `NAME.tmp-PID`, renamed to `NAME` once complete; the
    /// temporary file is removed when `fill` fails.
    pub fn write<T>(&self, name: &str, fill: impl FnOnce(&mut BufWriter<File>) -> Result<T>) -> Result<T> {
        let tmp = self.dir.join(format!("{name}.tmp-{}", std::process::id()));
        let result = (|| {
            let file = File::create(&tmp).with_context(|| format!("{}: cannot create", tmp.display()))?;
            let mut writer = BufWriter::with_capacity(1 << 20, file);
            let value = fill(&mut writer)?;
            writer.flush().with_context(|| format!("{}/{name}: cannot write", self.shown))?;
            writer.get_ref().sync_all().with_context(|| format!("{}/{name}: cannot write", self.shown))?;
            Ok(value)
        })();
        match result {
            Ok(value) => {
                std::fs::rename(&tmp, self.dir.join(name))
                    .with_context(|| format!("{}/{name}: cannot rename", self.shown))?;
                Ok(value)
            }
            Err(err) => {
                let _ = std::fs::remove_file(&tmp);
                Err(err)
            }
        }
    }

    /// Move the staged set into the output folder: the old `SHA256SUMS`, its signature and
    /// `manifest.json` go first (so no checksum file ever describes a mix), then the new
    /// artifacts replace or join the old ones, the previous set's files that are not rebuilt are
    /// removed, and the new `SHA256SUMS`, its signature and `manifest.json` arrive last.
    pub fn commit(mut self, manifest: &Manifest) -> Result<()> {
        let previous: Vec<String> = std::fs::read_to_string(self.out.join(MANIFEST))
            .ok()
            .and_then(|text| serde_json::from_str::<Manifest>(&text).ok())
            .map(|m| m.files.into_iter().map(|f| f.name).collect())
            .unwrap_or_default();
        let result = (|| -> std::io::Result<()> {
            for name in [SUMS, MANIFEST].iter().chain(&super::sign::FILES) {
                remove_if_there(&self.out.join(name))?;
            }
            for f in &manifest.files {
                std::fs::rename(self.dir.join(&f.name), self.out.join(&f.name))?;
            }
            for name in previous.iter().filter(|n| !manifest.files.iter().any(|f| &f.name == *n)) {
                // Only plain names from our own manifest: never a path outside the folder.
                if !name.contains('/') && !name.starts_with('.') {
                    remove_if_there(&self.out.join(name))?;
                }
            }
            let signature = manifest.signature.iter().map(|s| s.name.as_str());
            for name in [SUMS].into_iter().chain(signature).chain([MANIFEST]) {
                std::fs::rename(self.dir.join(name), self.out.join(name))?;
            }
            Ok(())
        })();
        self.committed = true;
        let _ = std::fs::remove_dir_all(&self.dir);
        result.map_err(|err| {
            anyhow::Error::new(Midway(format!(
                "{}: moving the new bundles into place failed ({err}); the folder now holds part of them and no {SUMS}: run `cargo xtask bundle` again",
                self.shown
            )))
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn remove_if_there(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err),
        _ => Ok(()),
    }
}

/// Staging folders whose process is gone (killed runs). Only checked where `/proc` exists.
fn remove_abandoned(out: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(read) = std::fs::read_dir(out) else { return };
    for item in read.flatten() {
        let name = item.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(STAGING)) else { continue };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(item.path());
        }
    }
}

/// A scratch folder outside the work tree (`{tmp}` of the builds, the `--ref` worktree),
/// removed on drop.
pub struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    pub fn create() -> Result<Scratch> {
        let base = std::env::temp_dir();
        for attempt in 0..100u32 {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            let dir = base.join(format!("xtask-bundle-{}-{nanos:x}-{attempt}", std::process::id()));
            match std::fs::create_dir(&dir) {
                Ok(()) => return Ok(Scratch { dir }),
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(err) => {
                    return Err(err).with_context(|| format!("{}: cannot create a scratch folder", base.display()));
                }
            }
        }
        anyhow::bail!("{}: cannot create a scratch folder", base.display())
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
