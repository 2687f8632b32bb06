//! What goes into an archive: entries with safe names, normalised modes, and where their bytes
//! come from (a file in the tree, or bytes in memory).

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};

/// One archive member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name inside the archive: relative, `/`-separated, checked by [`check_name`].
    pub name: String,
    pub kind: Kind,
    /// Bytes of content (a symlink's is its target).
    pub size: u64,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A regular file; mode 0755 when executable, else 0644.
    File { executable: bool },
    /// A symlink whose target stays inside the archive.
    Symlink { target: String },
    /// A folder (mode 0755); tar archives list them, zip archives need not.
    Dir,
}

/// Where an entry's bytes come from (the source archive streams git blobs on its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file on disk (absolute path; `shown` is how errors name it).
    Path { path: PathBuf, shown: String },
    /// Bytes already in memory (symlink targets, small generated files).
    Bytes(Vec<u8>),
    /// Member `n` of a collected zip being normalised (read by its own opener).
    Member(usize),
    /// Nothing (folders).
    None,
}

impl Entry {
    pub fn file(name: String, path: PathBuf, shown: String, size: u64, executable: bool) -> Entry {
        Entry { name, kind: Kind::File { executable }, size, source: Source::Path { path, shown } }
    }

    pub fn symlink(name: String, target: String) -> Entry {
        let bytes = target.clone().into_bytes();
        Entry { name, kind: Kind::Symlink { target }, size: bytes.len() as u64, source: Source::Bytes(bytes) }
    }

    pub fn dir(name: String) -> Entry {
        Entry { name, kind: Kind::Dir, size: 0, source: Source::None }
    }

    /// The Unix mode with the file type bits, as zip and tar store it.
    pub fn unix_mode(&self) -> u32 {
        match self.kind {
            Kind::File { executable: true } => 0o100_755,
            Kind::File { executable: false } => 0o100_644,
            Kind::Symlink { .. } => 0o120_777,
            Kind::Dir => 0o040_755,
        }
    }
}

/// Opens the content of entries; moved to the archive reader thread.
pub trait Open: Send {
    fn open<'a>(&'a mut self, entry: &Entry) -> Result<Box<dyn Read + 'a>>;
}

/// Opens files on disk and in-memory bytes.
pub struct Files;

impl Open for Files {
    fn open<'a>(&'a mut self, entry: &Entry) -> Result<Box<dyn Read + 'a>> {
        open_plain(entry)
    }
}

/// Content that needs no outside help: files on disk, bytes, nothing.
pub fn open_plain<'a>(entry: &Entry) -> Result<Box<dyn Read + 'a>> {
    match &entry.source {
        Source::Path { path, shown } => {
            let file = std::fs::File::open(path).with_context(|| format!("{shown}: cannot read the file"))?;
            Ok(Box::new(file))
        }
        Source::Bytes(bytes) => Ok(Box::new(std::io::Cursor::new(bytes.clone()))),
        Source::None => Ok(Box::new(std::io::empty())),
        Source::Member(n) => bail!("{}: member {n} of a collected archive needs that archive's reader", entry.name),
    }
}

/// How errors name an entry: the path on disk when there is one, else the archive name.
pub fn shown(entry: &Entry) -> &str {
    match &entry.source {
        Source::Path { shown, .. } => shown,
        _ => &entry.name,
    }
}

/// Refuse names that could land outside the folder an archive is unpacked into, or that mean
/// different things to different unpackers.
pub fn check_name(name: &str) -> Result<()> {
    match name_problem(name) {
        Some(why) => {
            bail!(
                "archive entry name `{}` {why}; rename the file or change the bundle's include globs",
                crate::output::safe(name)
            )
        }
        None => Ok(()),
    }
}

/// What makes `name` unsafe as an archive member's name, if anything.
pub fn name_problem(name: &str) -> Option<&'static str> {
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    if trimmed.is_empty() {
        Some("is empty")
    } else if trimmed.starts_with('/') {
        Some("is absolute")
    } else if trimmed.contains('\\') {
        Some("contains a backslash, which Windows unpackers read as a folder separator")
    } else if trimmed.contains('\0') {
        Some("contains a NUL byte")
    } else if trimmed.split('/').any(|part| part == "..") {
        Some("contains `..`")
    } else if trimmed.split('/').any(|part| part.is_empty() || part == ".") {
        Some("has an empty or `.` component")
    } else if trimmed.len() >= 2 && trimmed.as_bytes()[1] == b':' {
        Some("starts with a drive letter")
    } else {
        None
    }
}

/// Where a symlink named `link` (an archive name) with `target` points, as an archive name;
/// an error when it leaves the archive's root or is absolute.
pub fn check_symlink(link: &str, target: &str, shown: &str) -> Result<String> {
    if target.starts_with('/') {
        bail!(
            "{shown}: symlink to an absolute path ({target}) points outside the bundle; replace it with a copy or a relative link inside"
        );
    }
    let mut parts: Vec<&str> = link.split('/').collect();
    parts.pop();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    bail!(
                        "{shown}: symlink to {target} points outside the bundle; replace it with a copy or a relative link inside"
                    );
                }
            }
            other => parts.push(other),
        }
    }
    Ok(parts.join("/"))
}

/// Already-compressed formats by file name: stored without trying deflate.
pub fn compressed_by_name(name: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        "png", "jpg", "jpeg", "gif", "webp", "avif", "heic", "heif", "jxl", "woff", "woff2", "gz", "tgz", "zip", "jar",
        "whl", "br", "zst", "xz", "txz", "bz2", "tbz2", "7z", "rar", "lz4", "lzma", "mp4", "m4v", "mov", "webm", "mkv",
        "mp3", "m4a", "aac", "ogg", "oga", "opus", "flac", "docx", "xlsx", "pptx", "odt", "ods", "epub", "apk",
    ];
    let base = name.rsplit('/').next().unwrap_or(name);
    match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(ext)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names_are_refused() {
        for bad in ["", "/etc/passwd", "a/../../b", "..", "a//b", "./a", "a\\..\\b", "C:/x", "a\0b"] {
            assert!(check_name(bad).is_err(), "{bad:?} passed");
        }
        // A newline is an ordinary character of a Unix file name.
        for good in ["a", "a/b.txt", ".next/static/app.js", "dir/", "a..b/c", "docs/a\nb.md"] {
            check_name(good).unwrap();
        }
        // Names in messages go through the one printer of outside values.
        let safe = |s: &str| crate::output::safe(s).into_owned();
        let once = safe("docs/a\n::warning x\u{1b}[31m\r.md");
        assert_eq!(once, "docs/a\\n::warning x\\u{1b}[31m\\r.md");
        assert_eq!(safe(&once), once);
        assert_eq!(safe("plain/é.md"), "plain/é.md");
    }

    #[test]
    fn symlinks_resolve_inside_or_fail() {
        assert_eq!(check_symlink("a/b/link", "../c", "x").unwrap(), "a/c");
        assert_eq!(check_symlink("link", "./a/./b", "x").unwrap(), "a/b");
        let err = check_symlink("a/link", "../../etc", "frontend/a/link").unwrap_err().to_string();
        assert!(err.contains("frontend/a/link") && err.contains("outside"), "{err}");
        assert!(check_symlink("a/link", "/etc/passwd", "x").is_err());
    }

    #[test]
    fn compressed_formats_by_extension() {
        assert!(compressed_by_name("static/media/logo.PNG"));
        assert!(compressed_by_name("fonts/a.woff2"));
        assert!(!compressed_by_name("app.js"));
        assert!(!compressed_by_name(".png"));
        assert!(!compressed_by_name("png"));
    }
}
