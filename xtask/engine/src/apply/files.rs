//! File writes of the executor: a temp file beside the target, then the old file removed and
//! the temp renamed in its place, so a reader (or a kill) sees the old bytes, no file, or the
//! new ones, never a mix (see [`swap_in`]).
//!
//! The writes are not flushed to the disk, as git's checkouts are not: every byte the executor
//! writes into the work tree, and every byte it replaces, is in the journal, which is written
//! durably before the first of them, and from the commit on in git's objects as well; the
//! bytes a restore puts back are the commit's the run started from. After a power loss the
//! journal is there (`--resume` writes each file again, `--abort` puts each back, and refuses,
//! naming it, a file that holds neither) or the commit is, whose files `git status` compares.
//! Flushing each file cost two disk flushes per file: seconds on a rollback of hundreds.

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

/// Make `path` hold `bytes` with `mode` (or not exist, for `None`), through a temporary file
/// (see [`swap_in`]).
pub fn replace(path: &Path, bytes: Option<&[u8]>, mode: u32) -> Result<()> {
    let Some(bytes) = bytes else {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("{}: cannot remove", path.display())),
        }
        return Ok(());
    };
    swap_in(path, |tmp| create_file(tmp, bytes, mode))
}

/// Put the entry `make` creates at the temporary path (complete: a file with all its bytes, or
/// a link; it fails when something is there already) in the place of `path`: the old file is
/// removed, then the temporary one renamed. Never a rename over a file: on ext4 that starts
/// writing the new file out to the disk at once (its guard for programs that do not flush),
/// which doubled the cost of a write; the journal holds the bytes instead. A reader sees the
/// old file, no file, or the new one, never a mix; a kill leaves one of those, or no file
/// with the new bytes complete beside it, which [`midway`] recognises.
fn swap_in(path: &Path, mut make: impl FnMut(&Path) -> std::io::Result<()>) -> Result<()> {
    let tmp = temp_of(path);
    let mut made = make(&tmp);
    if matches!(&made, Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists) {
        // Left by a run killed between creating and renaming it.
        let _ = std::fs::remove_file(&tmp);
        made = make(&tmp);
    }
    if matches!(&made, Err(e) if e.kind() == std::io::ErrorKind::NotFound) {
        // A new file in a new folder.
        let dir = path.parent().context("a file to write has no folder")?;
        std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create the folder", dir.display()))?;
        made = make(&tmp);
    }
    let made = made.and_then(|()| {
        super::fault::reached("before-rename");
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    });
    if let Err(e) = made {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("{}: cannot write", path.display()));
    }
    super::fault::reached("after-unlink");
    // On failure the new bytes stay beside the missing file: the state `midway` knows.
    std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot write", path.display()))
}

/// Create `path` (it must not exist) holding `bytes` with permissions `mode`, not flushed.
fn create_file(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    // The umask took bits away (or cannot be read): set them.
    if umask().is_none_or(|mask| mode & mask != 0) {
        set_mode(&file, mode)?;
    }
    Ok(())
}

/// This process's umask (`/proc/self/status` has it; reading it by `umask()` would set it).
fn umask() -> Option<u32> {
    static UMASK: std::sync::OnceLock<Option<u32>> = std::sync::OnceLock::new();
    *UMASK.get_or_init(|| {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find_map(|l| l.strip_prefix("Umask:"))?;
        u32::from_str_radix(line.trim(), 8).ok()
    })
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

/// A write of `path` stopped between removing the old file and renaming the new one into its
/// place: nothing at `path`, and its temporary file holds `bytes` (as a link with
/// `link == Some(true)`). The run's own state, neither as before nor as planned.
pub fn midway(path: &Path, bytes: Option<&[u8]>, link: Option<bool>) -> Result<bool> {
    if bytes.is_none() {
        return Ok(false);
    }
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => holds(&temp_of(path), bytes, Some(link == Some(true))),
        Err(e) => Err(e).with_context(|| format!("{}: cannot read", path.display())),
        Ok(_) => Ok(false),
    }
}

/// Whether `path` holds `bytes` (`None`: nothing is there). `link` says how: `None` reads
/// through a symbolic link, `Some(true)` wants a symbolic link whose target is `bytes`,
/// `Some(false)` a file that is not a link.
pub fn holds(path: &Path, bytes: Option<&[u8]>, link: Option<bool>) -> Result<bool> {
    let Some(want_link) = link else { return Ok(read(path)?.as_deref() == bytes) };
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(bytes.is_none()),
        Err(e) => return Err(e).with_context(|| format!("{}: cannot read", path.display())),
    };
    let Some(bytes) = bytes else { return Ok(false) };
    if meta.file_type().is_symlink() != want_link {
        return Ok(false);
    }
    if want_link {
        let target = std::fs::read_link(path).with_context(|| format!("{}: cannot read the link", path.display()))?;
        return Ok(link_bytes(&target) == bytes);
    }
    Ok(read(path)?.as_deref() == Some(bytes))
}

/// [`holds`], and the permission bits of what is at `path` (`None`: nothing is), from one
/// look at it: a file of another length is not read.
pub fn holds_with_mode(path: &Path, bytes: Option<&[u8]>, link: Option<bool>) -> Result<(bool, Option<u32>)> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((bytes.is_none(), None)),
        Err(e) => return Err(e).with_context(|| format!("{}: cannot read", path.display())),
    };
    let mode = Some(mode_bits(&meta));
    let Some(expected) = bytes else { return Ok((false, mode)) };
    if meta.is_file() && (link == Some(true) || meta.len() != expected.len() as u64) {
        return Ok((false, mode));
    }
    Ok((holds(path, bytes, link)?, mode))
}

/// Make `path` hold `bytes`: a symbolic link to them with `link`, else a file with `mode`
/// (`None`: remove it); atomically either way.
pub fn put(path: &Path, bytes: Option<&[u8]>, link: bool, mode: u32) -> Result<()> {
    let Some(target) = bytes.filter(|_| link) else { return replace(path, bytes, mode) };
    swap_in(path, |tmp| make_link(target, tmp))
}

/// The temporary file a write of `path` makes beside it (see [`crate::atomic::temp_path`]).
pub fn temp_of(path: &Path) -> std::path::PathBuf {
    crate::atomic::temp_path(path)
}

/// Remove the temporary file a write of `path` left behind when it was killed before its
/// rename; whether there was one. Only the one named after a file of the plan is touched.
pub fn remove_temp(path: &Path) -> Result<bool> {
    let tmp = temp_of(path);
    match std::fs::symlink_metadata(&tmp) {
        Ok(meta) if meta.is_dir() => Ok(false),
        Ok(_) => {
            std::fs::remove_file(&tmp).with_context(|| format!("{}: cannot remove", tmp.display()))?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e).with_context(|| format!("{}: cannot read", tmp.display())),
    }
}

/// A link's target as git stores it.
#[cfg(unix)]
fn link_bytes(target: &Path) -> &[u8] {
    use std::os::unix::ffi::OsStrExt;
    target.as_os_str().as_bytes()
}

#[cfg(not(unix))]
fn link_bytes(target: &Path) -> &[u8] {
    target.to_str().unwrap_or_default().as_bytes()
}

#[cfg(unix)]
fn make_link(target: &[u8], at: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    std::os::unix::fs::symlink(std::ffi::OsStr::from_bytes(target), at)
}

#[cfg(not(unix))]
fn make_link(_target: &[u8], _at: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "symbolic links are written on Unix only"))
}

/// After a file was removed: remove the folders it leaves empty, up to (not including) `root`,
/// as git does when a checkout removes a file.
pub fn prune_empty_dirs(root: &Path, path: &Path) {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_path_holds_and_its_mode_in_one_look() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a");
        std::fs::write(&file, b"abc").unwrap();
        let mode = mode_of(&file).unwrap();
        for (bytes, link) in [(Some(&b"abc"[..]), None), (Some(b"abc"), Some(false))] {
            assert_eq!(holds_with_mode(&file, bytes, link).unwrap(), (true, mode));
        }
        // Another length, other bytes of the same length, a link wanted, nothing wanted.
        for (bytes, link) in
            [(Some(&b"abcd"[..]), None), (Some(b"abd"), None), (Some(b"abc"), Some(true)), (None, None)]
        {
            assert_eq!(holds_with_mode(&file, bytes, link).unwrap(), (false, mode));
            assert!(!holds(&file, bytes, link).unwrap());
        }
        let gone = dir.path().join("gone");
        assert_eq!(holds_with_mode(&gone, None, None).unwrap(), (true, None));
        assert_eq!(holds_with_mode(&gone, Some(b"x"), None).unwrap(), (false, None));
        #[cfg(unix)]
        {
            let link = dir.path().join("l");
            std::os::unix::fs::symlink("a", &link).unwrap();
            assert!(holds_with_mode(&link, Some(b"a"), Some(true)).unwrap().0);
            assert!(holds_with_mode(&link, Some(b"abc"), None).unwrap().0);
            assert!(!holds_with_mode(&link, Some(b"abc"), Some(false)).unwrap().0);
        }
    }

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

    #[cfg(unix)]
    #[test]
    fn links_are_written_and_compared_as_links() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("a/latest");
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/target.md"), "text").unwrap();
        put(&link, Some(b"target.md"), true, 0).unwrap();
        assert!(holds(&link, Some(b"target.md"), Some(true)).unwrap());
        assert!(!holds(&link, Some(b"target.md"), Some(false)).unwrap(), "a link is not a file");
        assert!(holds(&link, Some(b"text"), None).unwrap(), "read through the link");
        // A file replaces the link (not the file it points at), and a link the file.
        put(&link, Some(b"target.md"), false, 0o644).unwrap();
        assert!(holds(&link, Some(b"target.md"), Some(false)).unwrap());
        assert_eq!(std::fs::read(dir.path().join("a/target.md")).unwrap(), b"text");
        put(&link, Some(b"elsewhere"), true, 0).unwrap();
        assert!(holds(&link, Some(b"elsewhere"), Some(true)).unwrap(), "a dangling link is still a link");
        put(&link, None, true, 0).unwrap();
        assert!(holds(&link, None, Some(true)).unwrap());
        assert_eq!(std::fs::read_dir(dir.path().join("a")).unwrap().count(), 1, "no temp file left");
    }

    #[test]
    fn removing_the_last_file_of_a_folder_removes_the_folder_up_to_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        let file = root.join("x/y/z.txt");
        replace(&file, Some(b"z"), 0o644).unwrap();
        std::fs::write(root.join("x/keep.txt"), "k").unwrap();
        replace(&file, None, 0).unwrap();
        prune_empty_dirs(&root, &file);
        assert!(!root.join("x/y").exists() && root.join("x/keep.txt").exists());
        replace(&root.join("only.txt"), Some(b"o"), 0o644).unwrap();
        std::fs::remove_dir_all(root.join("x")).unwrap();
        replace(&root.join("only.txt"), None, 0).unwrap();
        prune_empty_dirs(&root, &root.join("only.txt"));
        assert!(root.exists(), "the root itself stays");
    }
}
