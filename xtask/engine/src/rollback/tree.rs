//! Moving a work tree from one tree to another as plan steps: what each path holds (bytes,
//! executable bit, or a link's target), the file changes between two sides, and the paths
//! that would be in the way.

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::plan::{Bytes, FileChange, Role};
use crate::repo::rollback_ops::{MODE_GITLINK, MODE_LINK, TreeChange};

/// What one path holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The file's bytes, or the link's target.
    pub bytes: Vec<u8>,
    pub link: bool,
    pub executable: bool,
}

impl Entry {
    /// An entry as git stores it: `mode` is `100644`, `100755` or `120000`.
    pub fn from_git(bytes: Vec<u8>, mode: &str) -> Entry {
        Entry { bytes, link: mode == MODE_LINK, executable: mode == "100755" }
    }
}

/// The `(path, mode, object)` of the side each change moves to, for [`crate::repo::Repo::tree_files`]
/// (submodules and absent paths left out).
pub fn new_entries(changes: &[TreeChange]) -> Vec<(&str, &str, &str)> {
    changes
        .iter()
        .filter_map(|c| match (c.new_mode.as_deref(), c.new_oid.as_deref()) {
            (Some(mode), Some(oid)) if mode != MODE_GITLINK => Some((c.path.as_str(), mode, oid)),
            _ => None,
        })
        .collect()
}

/// What `ROOT/rel` holds (`None`: nothing), without following a link.
pub fn read_entry(root: &Path, rel: &str) -> Result<Option<Entry>> {
    let path = root.join(rel);
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("{rel}: cannot read")),
    };
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(&path).with_context(|| format!("{rel}: cannot read the link"))?;
        return Ok(Some(Entry { bytes: link_bytes(&target), link: true, executable: false }));
    }
    if meta.is_dir() {
        bail!("{rel}: is a folder, where a file is expected");
    }
    let bytes = std::fs::read(&path).with_context(|| format!("{rel}: cannot read"))?;
    Ok(Some(Entry { bytes, link: false, executable: executable(&meta) }))
}

#[cfg(unix)]
fn link_bytes(target: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    target.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn link_bytes(target: &Path) -> Vec<u8> {
    target.to_string_lossy().replace('\\', "/").into_bytes()
}

#[cfg(unix)]
fn executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

/// Without Unix modes there is no executable bit to restore.
#[cfg(not(unix))]
fn executable(_meta: &std::fs::Metadata) -> bool {
    false
}

/// The write that turns `before` into `after`, or `None` when they are the same.
pub fn file_change(path: &str, role: Role, before: Option<Entry>, after: Option<Entry>) -> Option<FileChange> {
    let same = match (&before, &after) {
        (Some(b), Some(a)) => b.bytes == a.bytes && b.link == a.link && (a.link || b.executable == a.executable),
        (None, None) => true,
        _ => false,
    };
    if same {
        return None;
    }
    Some(FileChange {
        path: path.to_string(),
        role,
        executable: after.as_ref().is_some_and(|a| a.executable && !a.link),
        symlink: after.as_ref().is_some_and(|a| a.link),
        was_symlink: before.as_ref().is_some_and(|b| b.link),
        before: before.map(|b| Bytes(b.bytes)),
        after: after.map(|a| Bytes(a.bytes)),
    })
}

/// Lockfiles are named for their ecosystem (as the release planner names them).
pub fn version_role(path: &str) -> Role {
    match path.rsplit('/').next().unwrap_or(path) {
        "package-lock.json" | "npm-shrinkwrap.json" | "Cargo.lock" | "uv.lock" | "poetry.lock" => Role::Lockfile,
        _ => Role::Version,
    }
}

/// The problems with moving the work tree at `root` across `changes` (the side named
/// `old_mode` is the work tree's now, `new_mode` the one it moves to): submodules, which a
/// rollback does not move, and files that are not tracked now but stand where a file will
/// be written, or where a folder is needed.
pub fn obstacles(root: &Path, changes: &[TreeChange], target: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for change in changes {
        if [&change.old_mode, &change.new_mode].into_iter().flatten().any(|m| m == MODE_GITLINK) {
            problems.push(format!(
                "{}: a submodule that differs from {target}; a rollback moves files, not submodules (update it by hand first)",
                change.path
            ));
            continue;
        }
        if change.old_mode.is_some() || change.new_mode.is_none() {
            continue;
        }
        match std::fs::symlink_metadata(root.join(&change.path)) {
            Ok(meta) if meta.is_dir() => {
                problems.push(format!(
                    "{}: a folder here, but a file in {target}; a rollback cannot turn one into the other (do it by hand)",
                    change.path
                ));
                continue;
            }
            Ok(_) => {
                problems.push(format!(
                    "{}: not tracked here, but {target} has a file there; move it away (or delete it) first",
                    change.path
                ));
                continue;
            }
            Err(_) => {}
        }
        let mut dir = Path::new(&change.path).parent();
        while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
            if std::fs::symlink_metadata(root.join(d)).is_ok_and(|m| !m.is_dir()) {
                problems.push(format!(
                    "{}: a file here, but a folder in {target}; a rollback cannot turn one into the other (do it by hand)",
                    d.display()
                ));
                break;
            }
            dir = d.parent();
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(bytes: &str, executable: bool) -> Option<Entry> {
        Some(Entry { bytes: bytes.as_bytes().to_vec(), link: false, executable })
    }

    fn change(path: &str, old: Option<&str>, new: Option<&str>) -> TreeChange {
        TreeChange {
            path: path.into(),
            old_mode: old.map(String::from),
            new_mode: new.map(String::from),
            old_oid: None,
            new_oid: None,
        }
    }

    #[test]
    fn changes_cover_content_mode_and_kind() {
        assert_eq!(file_change("a", Role::Restore, entry("x", false), entry("x", false)), None);
        assert_eq!(file_change("a", Role::Restore, None, None), None);
        let mode = file_change("a", Role::Restore, entry("x", true), entry("x", false)).unwrap();
        assert!(!mode.executable && mode.before == mode.after);
        let link = Some(Entry { bytes: b"x".to_vec(), link: true, executable: false });
        let to_link = file_change("a", Role::Restore, entry("x", true), link.clone()).unwrap();
        assert!(to_link.symlink && !to_link.was_symlink && !to_link.executable);
        let from_link = file_change("a", Role::Restore, link, None).unwrap();
        assert!(from_link.was_symlink && from_link.after.is_none());
        let created = file_change("a", Role::Restore, None, entry("y", true)).unwrap();
        assert!(created.executable && created.before.is_none());
        assert_eq!(version_role("web/package-lock.json"), Role::Lockfile);
        assert_eq!(version_role("pyproject.toml"), Role::Version);
    }

    #[cfg(unix)]
    #[test]
    fn entries_read_files_links_and_bits() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("run.sh"), "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(dir.path().join("run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::symlink("missing", dir.path().join("link")).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert_eq!(read_entry(dir.path(), "run.sh").unwrap(), entry("#!/bin/sh\n", true));
        let link = read_entry(dir.path(), "link").unwrap().unwrap();
        assert!(link.link && link.bytes == b"missing");
        assert_eq!(read_entry(dir.path(), "nothing").unwrap(), None);
        assert!(read_entry(dir.path(), "sub").unwrap_err().to_string().contains("is a folder"));
    }

    #[test]
    fn obstacles_are_untracked_files_swaps_and_submodules() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("stray.txt"), "mine").unwrap();
        std::fs::write(dir.path().join("a"), "file").unwrap();
        let changes = [
            change("stray.txt", None, Some("100644")),
            change("a/b.txt", None, Some("100644")),
            change("fresh/new.txt", None, Some("100644")),
            change("vendor/lib", Some("160000"), Some("160000")),
            change("gone.txt", Some("100644"), None),
        ];
        let problems = obstacles(dir.path(), &changes, "v1.0.0");
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems[0].starts_with("a: a file here, but a folder in v1.0.0"), "{problems:#?}");
        assert!(problems[1].starts_with("stray.txt: not tracked here"), "{problems:#?}");
        assert!(problems[2].starts_with("vendor/lib: a submodule"), "{problems:#?}");
    }
}
