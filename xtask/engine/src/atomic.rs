//! Atomic file replacement: a temporary entry beside the target, then one rename, so a reader,
//! or a kill, sees the old file or the new one, never half of one. The durable form ([`write`]:
//! fsync of the file, rename, fsync of the folder) is for the release journal and
//! `quality-check --fix`. The executor's work-tree files are written without a flush and
//! without a rename over the old file (`apply::files`), since the journal holds their bytes.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Make `path` hold `bytes`; `mode` sets the permission bits (Unix), `None` leaves the
/// default of a new file.
pub fn write(path: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()> {
    replace_with(path, |tmp| write_file(tmp, bytes, mode))
}

/// Create `path` holding `bytes` (with `mode`), synced: the inside of [`write`], for a caller
/// that does more between writing the temporary file and renaming it.
pub fn write_file(path: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    if let Some(mode) = mode {
        set_mode(&file, mode)?;
    }
    file.sync_all()
}

/// Make `path` hold `bytes`, keeping the permissions it has now.
pub fn rewrite(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let perms = std::fs::metadata(path)?.permissions();
    replace_with(path, |tmp| {
        let mut file = std::fs::File::create(tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::set_permissions(tmp, perms)
    })
}

/// Replace `path` by the entry `make` creates at a temporary path beside it (a file, a
/// symbolic link), by one rename. The temporary entry is removed when anything fails.
pub fn replace_with(path: &Path, make: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
    let tmp = temp_path(path);
    // A run killed between creating and renaming leaves it behind; a link cannot be
    // created over it.
    let _ = std::fs::remove_file(&tmp);
    let result = make(&tmp).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// `.NAME.xtask-tmp` beside `path`: hidden, and named so nobody mistakes it for their own.
/// A run killed between creating and renaming it leaves it behind; the release journal names
/// the files it writes, so `--abort` and `--resume` know which of these are theirs.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.xtask-tmp"))
}

/// Make a rename or removal in `dir` durable (a no-op where folders cannot be opened as files).
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    if cfg!(unix) { std::fs::File::open(dir)?.sync_all() } else { Ok(()) }
}

#[cfg(unix)]
fn set_mode(file: &std::fs::File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &std::fs::File, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn write_sets_the_mode_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("run.sh");
        write(&p, b"one", Some(0o750)).unwrap();
        assert_eq!((std::fs::read(&p).unwrap(), mode(&p)), (b"one".to_vec(), 0o750));
        write(&p, b"two", None).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn rewrite_keeps_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.md");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        rewrite(&p, b"new").unwrap();
        assert_eq!((std::fs::read(&p).unwrap(), mode(&p)), (b"new".to_vec(), 0o640));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_make_leaves_the_target_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("keep");
        std::fs::write(&p, "kept").unwrap();
        std::fs::write(temp_path(&p), "stale from a killed run").unwrap();
        let err = replace_with(&p, |_| Err(io::Error::other("no"))).unwrap_err();
        assert_eq!(err.to_string(), "no");
        assert_eq!(std::fs::read(&p).unwrap(), b"kept");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
