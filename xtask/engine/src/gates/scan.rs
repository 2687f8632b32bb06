//! The one pass over file contents that the scanning gates (ascii, ellipsis, links) share:
//! every selected file is read once, by a pool of threads, and handed to each gate that wants it.
//!
//! Reading never crashes and never skips silently: a file that cannot be read (a broken or
//! looping symbolic link, a FIFO, a permission error, a file over [`MAX_FILE`]) is a finding of
//! every gate that wanted it. Symbolic links are never followed: the file they point to is
//! checked under its own path when it is part of the project, and nothing outside the tree is
//! read. Each thread reuses one buffer, so memory is bounded by the largest file per thread;
//! the gates look at a file in place, and list at most [`MAX_PER_FILE`] findings of it (one
//! more finding counts the rest), so a huge file with a problem on every line costs no more.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::report::{Finding, Fixed};

/// Files larger than this are a finding instead of being read (they are almost never text that
/// a person maintains; exclude them from the gate).
pub const MAX_FILE: u64 = 128 << 20;

/// A buffer that grew past this is released after its file, so one big file does not keep
/// memory for the rest of the run.
const KEEP_BUFFER: usize = 8 << 20;

/// At most this many findings of one gate in one file are listed; one more finding, at the
/// first one left out, says how many were left out.
pub const MAX_PER_FILE: usize = 1000;

/// Where a gate puts the findings of one file: listed up to [`MAX_PER_FILE`], counted after.
pub struct Found<'a> {
    path: &'a str,
    out: &'a mut Vec<Finding>,
    listed: usize,
    more: usize,
    first_more: (usize, usize),
}

impl<'a> Found<'a> {
    pub fn new(path: &'a str, out: &'a mut Vec<Finding>) -> Found<'a> {
        Found { path, out, listed: 0, more: 0, first_more: (0, 0) }
    }

    /// The file, root-relative.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// Whether the next finding is listed (when not, building its message can be skipped and
    /// [`Found::count`] called instead).
    pub fn listing(&self) -> bool {
        self.room() > 0
    }

    /// How many more findings are listed.
    pub fn room(&self) -> usize {
        MAX_PER_FILE - self.listed
    }

    /// A finding at `line`:`column` of the file.
    pub fn push(&mut self, line: usize, column: usize, message: impl Into<String>) {
        if self.listing() {
            self.out.push(Finding::new(self.path, line, column, message));
            self.listed += 1;
        } else {
            self.count(line, column);
        }
    }

    /// A finding that is only counted.
    pub fn count(&mut self, line: usize, column: usize) {
        if self.more == 0 {
            self.first_more = (line, column);
        }
        self.more += 1;
    }

    /// Add the finding that counts the ones left out.
    pub fn finish(self) {
        if self.more > 0 {
            let (line, column) = self.first_more;
            let message = format!(
                "{} more findings in this file from here on are not listed (the first {MAX_PER_FILE} are)",
                self.more
            );
            self.out.push(Finding::new(self.path, line, column, message));
        }
    }
}

/// A gate that looks at file contents.
pub trait FileCheck: Sync {
    /// Report the findings of one file. `bytes` is the whole file.
    fn check(&self, bytes: &[u8], out: &mut Found<'_>);

    /// With `--fix`: the rewritten file and what changed, when there is something to fix.
    fn fix(&self, _path: &str, _bytes: &[u8]) -> Option<(Vec<u8>, Fixed)> {
        None
    }
}

/// One file and the checks (bit `i` = `checks[i]`) that want it.
pub struct Wanted<'a> {
    pub path: &'a str,
    pub mask: u32,
}

/// What the pass found, per check.
pub struct Scanned {
    pub findings: Vec<Vec<Finding>>,
    pub fixed: Vec<Vec<Fixed>>,
}

/// Read every wanted file once on `threads` threads and run the checks that want it.
/// With `fix`, a check's rewrite is written (atomically) before the checks look at the file.
pub fn scan(root: &Path, files: &[Wanted], checks: &[&dyn FileCheck], fix: bool, threads: usize) -> Scanned {
    let next = AtomicUsize::new(0);
    let threads = threads.clamp(1, files.len().max(1));
    let worker = || {
        let mut local = Scanned { findings: vec![Vec::new(); checks.len()], fixed: vec![Vec::new(); checks.len()] };
        let mut buf = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(file) = files.get(i) else { break };
            visit(root, file, checks, fix, &mut buf, &mut local);
            if buf.capacity() > KEEP_BUFFER {
                buf = Vec::new();
            }
        }
        local
    };
    let parts: Vec<Scanned> = if threads == 1 {
        vec![worker()]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads).map(|_| s.spawn(worker)).collect();
            handles.into_iter().map(|h| h.join().expect("a scanning thread panicked")).collect()
        })
    };
    let mut all = Scanned { findings: vec![Vec::new(); checks.len()], fixed: vec![Vec::new(); checks.len()] };
    for part in parts {
        for (i, f) in part.findings.into_iter().enumerate() {
            all.findings[i].extend(f);
        }
        for (i, f) in part.fixed.into_iter().enumerate() {
            all.fixed[i].extend(f);
        }
    }
    for f in &mut all.findings {
        f.sort();
    }
    for f in &mut all.fixed {
        f.sort_by(|a, b| a.path.cmp(&b.path));
    }
    all
}

fn visit(root: &Path, file: &Wanted, checks: &[&dyn FileCheck], fix: bool, buf: &mut Vec<u8>, out: &mut Scanned) {
    let wanted = || (0..checks.len()).filter(|i| file.mask & (1 << i) != 0);
    let full = root.join(file.path);
    match read(&full, buf) {
        Ok(true) => {}
        Ok(false) => return,
        Err(why) => {
            for i in wanted() {
                out.findings[i].push(Finding::new(file.path, 0, 0, why.clone()));
            }
            return;
        }
    }
    if fix {
        for i in wanted() {
            let Some((bytes, fixed)) = checks[i].fix(file.path, buf) else { continue };
            match crate::atomic::rewrite(&full, &bytes) {
                Ok(()) => {
                    *buf = bytes;
                    out.fixed[i].push(fixed);
                }
                Err(e) => out.findings[i].push(Finding::new(file.path, 0, 0, format!("cannot write the fix: {e}"))),
            }
        }
    }
    for i in wanted() {
        let mut found = Found::new(file.path, &mut out.findings[i]);
        checks[i].check(buf, &mut found);
        found.finish();
    }
}

/// Read a regular file into `buf`. `Ok(false)`: a symbolic link that resolves (not followed).
/// `Err`: why it cannot be read, as a finding message.
fn read(path: &Path, buf: &mut Vec<u8>) -> Result<bool, String> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| format!("cannot read: {}", io_reason(&e)))?;
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_default();
        return match std::fs::canonicalize(path) {
            Ok(_) => Ok(false),
            Err(e) => Err(format!("cannot read: symbolic link to {target:?} does not resolve ({})", io_reason(&e))),
        };
    }
    if !meta.is_file() {
        return Err("cannot read: not a regular file (a FIFO, socket or device); exclude it".to_string());
    }
    if meta.len() > MAX_FILE {
        return Err(format!(
            "not checked: {} MiB is over the {} MiB limit for checked files; exclude it",
            meta.len() >> 20,
            MAX_FILE >> 20
        ));
    }
    buf.clear();
    let f = std::fs::File::open(path).map_err(|e| format!("cannot read: {}", io_reason(&e)))?;
    buf.reserve(meta.len() as usize + 1);
    // `take` keeps a file that grows while we read it within the limit.
    f.take(MAX_FILE + 1).read_to_end(buf).map_err(|e| format!("cannot read: {}", io_reason(&e)))?;
    if buf.len() as u64 > MAX_FILE {
        return Err(format!("not checked: over the {} MiB limit for checked files; exclude it", MAX_FILE >> 20));
    }
    Ok(true)
}

/// The lines of a file, numbered from 1, without their line break (LF or CRLF), found by
/// memchr. A file that ends with a line break ends with an empty line.
pub fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    let mut start = 0;
    ends.enumerate().map(move |(i, end)| {
        let line = &bytes[start..end];
        start = end + 1;
        (i + 1, line.strip_suffix(b"\r").unwrap_or(line))
    })
}

/// Characters (not bytes) in a slice: every byte that does not continue a UTF-8 sequence. Valid
/// text is counted by the (optimised) standard library, which the debug build of this crate
/// would otherwise do some thirty times slower.
pub fn chars_in(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.chars().count(),
        Err(_) => bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count(),
    }
}

/// `Permission denied (os error 13)` -> `permission denied`.
fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    let s = s.split(" (os error").next().unwrap_or(&s).to_string();
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Count;
    impl FileCheck for Count {
        fn check(&self, bytes: &[u8], out: &mut Found<'_>) {
            out.push(1, 1, format!("{} bytes", bytes.len()));
        }
    }

    /// One finding per byte.
    struct Each;
    impl FileCheck for Each {
        fn check(&self, bytes: &[u8], out: &mut Found<'_>) {
            for i in 0..bytes.len() {
                out.push(1, i + 1, "a byte");
            }
        }
    }

    #[test]
    fn findings_per_file_are_capped_with_a_count_of_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), vec![b'x'; MAX_PER_FILE + 25]).unwrap();
        std::fs::write(dir.path().join("b"), vec![b'x'; 3]).unwrap();
        let files = [Wanted { path: "a", mask: 1 }, Wanted { path: "b", mask: 1 }];
        let out = scan(dir.path(), &files, &[&Each], false, 2);
        let a: Vec<&Finding> = out.findings[0].iter().filter(|f| f.path == "a").collect();
        assert_eq!(a.len(), MAX_PER_FILE + 1);
        let last = a.last().unwrap();
        assert_eq!((last.line, last.column), (1, MAX_PER_FILE + 1));
        assert_eq!(
            last.message,
            format!("25 more findings in this file from here on are not listed (the first {MAX_PER_FILE} are)")
        );
        assert_eq!(out.findings[0].iter().filter(|f| f.path == "b").count(), 3);
    }

    #[test]
    fn every_file_once_and_unreadable_ones_are_findings() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), "abc").unwrap();
        std::fs::write(dir.path().join("b"), "").unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("link")).unwrap();
        std::os::unix::fs::symlink("nowhere", dir.path().join("dangling")).unwrap();
        std::os::unix::fs::symlink("loop2", dir.path().join("loop1")).unwrap();
        std::os::unix::fs::symlink("loop1", dir.path().join("loop2")).unwrap();
        let names = ["a", "b", "link", "dangling", "loop1", "missing"];
        let files: Vec<Wanted> = names.iter().map(|p| Wanted { path: p, mask: 0b11 }).collect();
        for threads in [1, 3] {
            let out = scan(dir.path(), &files, &[&Count, &Count], false, threads);
            for findings in &out.findings {
                let got: Vec<String> = findings.iter().map(|f| format!("{}: {}", f.path, f.message)).collect();
                assert_eq!(got[0], "a: 3 bytes");
                assert_eq!(got[1], "b: 0 bytes");
                assert!(got[2].starts_with("dangling: cannot read: symbolic link to \"nowhere\""), "{got:?}");
                assert!(got[3].starts_with("loop1: cannot read: symbolic link to \"loop2\""), "{got:?}");
                assert_eq!(got[4], "missing: cannot read: no such file or directory");
                assert_eq!(got.len(), 5, "{got:?}");
            }
        }
    }
}
