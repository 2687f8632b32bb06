//! File writes of the executor: a temp file beside the target, fsync, rename, fsync of the
//! folder; a reader sees the old bytes or the new ones, never a mix.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// The permission bits of a file, if it exists.
pub fn mode_of(path: &Path) -> Result<Option<u32>> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) => Ok(Some(mode_bits(&meta))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("{}: cannot read", path.display())),
    }
}

/// The current bytes of a file, `None` when it does not exist.
pub fn read(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("{}: cannot read", path.display())),
    }
}

/// The mode a written file gets: its current mode with the executable bits set or cleared,
/// or 0644 / 0755 for a new file.
pub fn mode_for(current: Option<u32>, executable: bool) -> u32 {
    match current {
        Some(mode) if executable => mode | ((mode & 0o444) >> 2),
        Some(mode) => mode & !0o111,
        None if executable => 0o755,
        None => 0o644,
    }
}

/// Make `path` hold `bytes` with `mode` (or not exist, for `None`), atomically.
pub fn replace(path: &Path, bytes: Option<&[u8]>, mode: u32) -> Result<()> {
    let dir = path.parent().context("a file to write has no folder")?;
    let Some(bytes) = bytes else {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("{}: cannot remove", path.display())),
        }
        return sync_dir(dir);
    };
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create the folder", dir.display()))?;
    let name = path.file_name().context("a file to write has no name")?.to_string_lossy();
    let tmp = dir.join(format!(".{name}.xtask-tmp"));
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        set_mode(&file, mode)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("{}: cannot write", path.display()));
    }
    sync_dir(dir)
}

#[cfg(unix)]
fn mode_bits(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

/// Without Unix modes, only "read-only" exists.
#[cfg(not(unix))]
fn mode_bits(meta: &std::fs::Metadata) -> u32 {
    if meta.permissions().readonly() { 0o444 } else { 0o644 }
}

#[cfg(unix)]
fn set_mode(file: &std::fs::File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &std::fs::File, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

/// Make a rename durable (a no-op where folders cannot be opened as files).
#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("{}: cannot sync the folder", dir.display()))
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        assert_eq!(mode_for(Some(0o640), false), 0o640);
        assert_eq!(mode_for(Some(0o755), false), 0o644);
        assert_eq!(mode_for(Some(0o644), true), 0o755);
        assert_eq!(mode_for(Some(0o600), true), 0o700);
        assert_eq!(mode_for(None, false), 0o644);
        assert_eq!(mode_for(None, true), 0o755);
    }

    #[cfg(unix)]
    #[test]
    fn replace_keeps_the_mode_and_leaves_no_temp_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.sh");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o750)).unwrap();
        replace(&path, Some(b"new"), mode_for(mode_of(&path).unwrap(), true)).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(mode_of(&path).unwrap(), Some(0o750));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        replace(&path, None, 0).unwrap();
        assert_eq!(read(&path).unwrap(), None);
        replace(&dir.path().join("sub/new.txt"), Some(b"x"), 0o644).unwrap();
        assert_eq!(read(&dir.path().join("sub/new.txt")).unwrap(), Some(b"x".to_vec()));
    }
}
