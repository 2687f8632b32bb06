//! Unit tests of the zip reader: archives from our writer, Python's `zipfile` and Info-ZIP's
//! `zip`, Zip64, and damaged or crafted ones (each must be an error, never a panic).

use std::io::{Cursor, Read};
use std::path::Path;

use super::*;
use crate::bundle::entry::{Entry, Files, Kind, Source};
use crate::bundle::zip::{self, Options};

/// A member read back: name, mode, method, data.
type ReadBack = (String, Option<u32>, u16, Vec<u8>);

/// Every member, or the first error.
fn read_all(bytes: &[u8]) -> Result<Vec<ReadBack>> {
    let mut archive = Archive::new(Cursor::new(bytes))?;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut member = archive.open(i)?;
        let mut data = Vec::new();
        member.read_to_end(&mut data)?;
        let r = member.record;
        out.push((r.shown(), r.mode, r.method, data));
    }
    Ok(out)
}

fn error_of(bytes: &[u8]) -> String {
    match read_all(bytes) {
        Ok(members) => panic!("read without an error: {members:?}"),
        Err(err) => format!("{err:#}"),
    }
}

fn ours(force_zip64: bool) -> Vec<u8> {
    let text: Vec<u8> = b"let x = 1;\n".iter().cycle().take(50_000).copied().collect();
    let entries = vec![
        Entry {
            name: "a/x.js".into(),
            kind: Kind::File { executable: false },
            size: 50_000,
            source: Source::Bytes(text),
        },
        Entry {
            name: "a/run".into(),
            kind: Kind::File { executable: true },
            size: 3,
            source: Source::Bytes(b"hi\n".into()),
        },
        Entry::symlink("a/link".into(), "x.js".into()),
        Entry::dir("d/".into()),
    ];
    let opts = Options { epoch: 1_767_225_600, threads: 2, piece: 16 * 1024, force_zip64 };
    let mut out = Cursor::new(Vec::new());
    zip::write(&mut out, &entries, &mut Files, &opts).unwrap();
    out.into_inner()
}

fn python(dir: &Path, script: &str) -> Vec<u8> {
    let out =
        std::process::Command::new("python3").args(["-c", script]).current_dir(dir).output().expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::read(dir.join("t.zip")).unwrap()
}

/// Stored, deflated, a folder, a symlink, an archive comment holding the end record's
/// signature; with `zip64` every local header has Zip64 sizes; with `stream` the archive is
/// written to an unseekable file, so sizes come after the data (data descriptors).
fn python_zip(zip64: bool, stream: bool) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        r#"
import io, zipfile
class Pipe(io.RawIOBase):
    def __init__(self, f): self.f = f
    def writable(self): return True
    def write(self, b): return self.f.write(b)
raw = open("t.zip", "wb")
target = Pipe(raw) if {stream} else raw
with zipfile.ZipFile(target, "w") as z:
    def add(name, data, mode, method):
        info = zipfile.ZipInfo(name, date_time=(2024, 5, 6, 7, 8, 10))
        info.external_attr = mode << 16
        info.compress_type = method
        with z.open(info, "w", force_zip64={zip64}) as f:
            f.write(data)
    add("pkg/", b"", 0o40755, zipfile.ZIP_STORED)
    add("pkg/stored.txt", b"stored\n", 0o100644, zipfile.ZIP_STORED)
    add("pkg/deflated.txt", b"deflate me " * 1000, 0o100755, zipfile.ZIP_DEFLATED)
    add("pkg/link", b"stored.txt", 0o120777, zipfile.ZIP_STORED)
    z.comment = b"a comment with PK\x05\x06 inside"
raw.close()
"#,
        stream = if stream { "True" } else { "False" },
        zip64 = if zip64 { "True" } else { "False" },
    );
    python(dir.path(), &script)
}

fn python_members() -> Vec<ReadBack> {
    vec![
        ("pkg/".into(), Some(0o40755), STORED, Vec::new()),
        ("pkg/stored.txt".into(), Some(0o100644), STORED, b"stored\n".to_vec()),
        ("pkg/deflated.txt".into(), Some(0o100755), DEFLATED, b"deflate me ".repeat(1000)),
        ("pkg/link".into(), Some(0o120777), STORED, b"stored.txt".to_vec()),
    ]
}

#[test]
fn our_archives_read_back() {
    for zip64 in [false, true] {
        let members = read_all(&ours(zip64)).unwrap();
        let listed: Vec<(&str, Option<u32>, usize)> =
            members.iter().map(|(n, m, _, d)| (n.as_str(), *m, d.len())).collect();
        assert_eq!(
            listed,
            [
                ("a/x.js", Some(0o100644), 50_000),
                ("a/run", Some(0o100755), 3),
                ("a/link", Some(0o120777), 4),
                ("d/", Some(0o40755), 0)
            ],
            "zip64: {zip64}"
        );
        assert_eq!(members[0].2, DEFLATED);
    }
    let archive = Archive::new(Cursor::new(ours(false))).unwrap();
    let r = &archive.records()[3];
    assert!(r.is_dir() && !r.is_symlink() && r.year() == 2026);
    assert!(archive.records()[2].is_symlink());
}

#[test]
fn python_archives_read_back() {
    for (zip64, stream) in [(false, false), (true, false), (false, true), (true, true)] {
        let bytes = python_zip(zip64, stream);
        assert_eq!(read_all(&bytes).unwrap(), python_members(), "zip64 {zip64}, stream {stream}");
        let archive = Archive::new(Cursor::new(&bytes)).unwrap();
        let flags: Vec<u16> = archive.records().iter().map(|r| r.flags & FLAG_DATA_DESCRIPTOR).collect();
        assert_eq!(flags.contains(&FLAG_DATA_DESCRIPTOR), stream, "zip64 {zip64}, stream {stream}");
    }
}

#[test]
fn info_zip_archives_read_back() {
    if std::process::Command::new("zip").arg("-v").output().is_err() {
        eprintln!("skipped: the zip command is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    std::fs::create_dir_all(tree.join("sub")).unwrap();
    std::fs::write(tree.join("sub/a.txt"), b"info-zip ".repeat(500)).unwrap();
    std::os::unix::fs::symlink("a.txt", tree.join("sub/l")).unwrap();
    // To a file (extra fields differ between local and central headers), with Zip64 extra
    // fields, and to a pipe (data descriptors; Info-ZIP follows symlinks there).
    let run = |command: &str| {
        let out = std::process::Command::new("sh").arg("-c").arg(command).current_dir(&tree).output().unwrap();
        assert!(out.status.success(), "{command}: {}", String::from_utf8_lossy(&out.stderr));
        std::fs::read(dir.path().join("out.zip")).unwrap()
    };
    let text = b"info-zip ".repeat(500);
    let link = [("sub/l", 0o120_000, &b"a.txt"[..]), ("sub/l", 0o100_000, &text[..])];
    for (command, link) in [
        ("zip -qry ../out.zip sub", link[0]),
        ("rm ../out.zip; zip -qry -fz ../out.zip sub", link[0]),
        ("rm ../out.zip; zip -qr - sub | cat > ../out.zip", link[1]),
    ] {
        let members = read_all(&run(command)).unwrap();
        let mut listed: Vec<(&str, u32, &[u8])> =
            members.iter().map(|(n, m, _, d)| (n.as_str(), m.unwrap() & 0o170_000, d.as_slice())).collect();
        listed.sort();
        assert_eq!(listed, [("sub/", 0o40_000, &b""[..]), ("sub/a.txt", 0o100_000, &text[..]), link], "{command}");
    }
}

#[test]
fn more_than_65535_members_from_python() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = python(
        dir.path(),
        "import zipfile\nwith zipfile.ZipFile('t.zip', 'w') as z:\n    for i in range(65_540): z.writestr(f'f/{i}', b'')\n",
    );
    let archive = Archive::new(Cursor::new(&bytes)).unwrap();
    assert_eq!(archive.len(), 65_540);
    assert_eq!(archive.records()[65_539].shown(), "f/65539");
}

/// Where central record `i` starts, in an archive without a comment.
fn central(bytes: &[u8], i: usize) -> usize {
    let eocd = bytes.len() - 22;
    let mut at = match u32_at(bytes, eocd + 16) {
        u32::MAX => u64_at(bytes, eocd - 20 - 56 + 48) as usize,
        offset => offset as usize,
    };
    for _ in 0..i {
        at += 46 + u16_at(bytes, at + 28) as usize + u16_at(bytes, at + 30) as usize + u16_at(bytes, at + 32) as usize;
    }
    at
}

fn patched(bytes: &[u8], at: usize, with: &[u8]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[at..at + with.len()].copy_from_slice(with);
    b
}

#[test]
fn a_wrong_crc_is_an_error() {
    let bytes = ours(false);
    let crc_at = central(&bytes, 1) + 16;
    let wrong = patched(&bytes, crc_at, &0u32.to_le_bytes());
    // The local header carries the CRC too; make it agree so the data check is what fails.
    let local = u32_at(&bytes, central(&bytes, 1) + 42) as usize;
    let wrong = patched(&wrong, local + 14, &0u32.to_le_bytes());
    let err = error_of(&wrong);
    assert!(err.contains("CRC-32 ") && err.contains("the archive lists 00000000"), "{err}");
    // Only the central one changed: the headers disagree.
    let err = error_of(&patched(&bytes, crc_at, &0u32.to_le_bytes()));
    assert!(err.contains("differ from the central directory's"), "{err}");
    // A damaged byte of the data itself.
    let data = local + 30 + "a/run".len();
    let err = error_of(&patched(&bytes, data, b"H"));
    assert!(err.contains("CRC-32 "), "{err}");
}

#[test]
fn a_truncated_or_damaged_archive_is_an_error_never_a_panic() {
    let bytes = python_zip(false, true);
    for len in 0..bytes.len() {
        assert!(read_all(&bytes[..len]).is_err(), "{len} of {} bytes read", bytes.len());
    }
    let err = error_of(&bytes[..bytes.len() - 1]);
    assert!(err.contains("no end of central directory record"), "{err}");
    let small = ours(true);
    for at in 0..small.len() {
        for flip in [0xFFu8, 0x01, 0x80] {
            let mut b = small.clone();
            b[at] ^= flip;
            let _ = read_all(&b);
        }
    }
}

#[test]
fn a_central_directory_past_the_end_is_an_error() {
    let bytes = ours(false);
    let eocd = bytes.len() - 22;
    let err = error_of(&patched(&bytes, eocd + 16, &(bytes.len() as u32).to_le_bytes()));
    assert!(err.contains("lies outside the file"), "{err}");
    // A count that the central directory cannot hold.
    let err = error_of(&patched(&bytes, eocd + 10, &0xFFFEu16.to_le_bytes()));
    assert!(err.contains("lists 65534 members, more than"), "{err}");
    // A member whose local header is past the data.
    let err = error_of(&patched(&bytes, central(&bytes, 1) + 42, &(bytes.len() as u32 - 40).to_le_bytes()));
    assert!(err.contains("a/run: the local header (at offset"), "{err}");
}

#[test]
fn sizes_claiming_4_gib_in_a_small_file_are_errors() {
    let bytes = ours(false);
    assert!(bytes.len() < 4096);
    let huge = 0xFFFF_FFF0u32.to_le_bytes();
    let c = central(&bytes, 1);
    // Compressed size: the data would run past the file.
    let err = error_of(&patched(&patched(&bytes, c + 20, &huge), c + 24, &huge));
    assert!(err.contains("lies outside the archive"), "{err}");
    // A deflated member's uncompressed size, in both headers: the data runs out first.
    let (c0, l0) = (central(&bytes, 0), u32_at(&bytes, central(&bytes, 0) + 42) as usize);
    let err = error_of(&patched(&patched(&bytes, c0 + 24, &huge), l0 + 22, &huge));
    assert!(err.contains("50000 bytes of data, the archive lists 4294967280"), "{err}");
    // A Zip64 count of 2^64 - 1 members.
    let z = ours(true);
    let eocd64 = z.len() - 22 - 20 - 56;
    let err = error_of(&patched(&z, eocd64 + 32, &u64::MAX.to_le_bytes()));
    assert!(err.contains("more than its"), "{err}");
    // Zip64 sizes of 2^40 in the central record's extra field.
    let c = central(&z, 1);
    let extra = c + 46 + "a/run".len() + 4;
    let both = [(1u64 << 40).to_le_bytes(), (1u64 << 40).to_le_bytes()].concat();
    let err = error_of(&patched(&z, extra, &both));
    assert!(err.contains("lies outside the archive"), "{err}");
}

#[test]
fn unsupported_members_are_named() {
    let bytes = ours(false);
    let (c, l) = (central(&bytes, 1), u32_at(&bytes, central(&bytes, 1) + 42) as usize);
    let err = error_of(&patched(&bytes, c + 8, &1u16.to_le_bytes()));
    assert!(err.contains("a/run: encrypted members cannot be read"), "{err}");
    let err = error_of(&patched(&bytes, c + 10, &12u16.to_le_bytes()));
    assert!(err.contains("a/run: compression method 12 is not supported"), "{err}");
    // The local header names another file than the central directory.
    let err = error_of(&patched(&bytes, l + 30, b"b"));
    assert!(err.contains("a/run: the local header names it `b/run`"), "{err}");
    // Sizes marked as Zip64 without the extra field.
    let err = error_of(&patched(&bytes, c + 24, &u32::MAX.to_le_bytes()));
    assert!(err.contains("without a Zip64 extra field"), "{err}");
}

#[test]
fn modes_by_host() {
    assert_eq!(unix_mode(HOST_UNIX, 0o100644 << 16), Some(0o100644));
    assert_eq!(unix_mode(HOST_UNIX, 0), Some(0));
    assert_eq!(unix_mode(HOST_DOS, (0o120777 << 16) | 0x20), None);
    // NTFS (11) with Unix bits, as the zip crate writes on Windows.
    assert_eq!(unix_mode(11, 0o120777 << 16), Some(0o120777));
    assert_eq!(unix_mode(11, 0x20), None);
}

#[test]
fn bytes_before_or_after_the_archive_are_allowed() {
    for zip64 in [false, true] {
        let bytes = ours(zip64);
        let want = read_all(&bytes).unwrap();
        let junk = b"#!/bin/sh\nexit 0\nPK\x05\x06 not an end record\n".to_vec();
        let after = [bytes.clone(), junk.clone()].concat();
        assert_eq!(read_all(&after).unwrap(), want, "zip64 {zip64}: junk after");
        let before = [junk.clone(), bytes.clone()].concat();
        assert_eq!(read_all(&before).unwrap(), want, "zip64 {zip64}: a stub before");
    }
    // Python's archive with a comment, and junk after it.
    let bytes = [python_zip(false, false), b"junk".to_vec()].concat();
    assert_eq!(read_all(&bytes).unwrap(), python_members());
}
