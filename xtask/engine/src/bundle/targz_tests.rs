//! Unit tests of the tar.gz writer: read back by the `tar` crate and by GNU tar.

use std::io::{Cursor, Read};

use super::*;
use crate::bundle::entry::{Files, Source};

fn bytes_entry(name: &str, data: &[u8], executable: bool) -> Entry {
    Entry {
        name: name.into(),
        kind: Kind::File { executable },
        size: data.len() as u64,
        source: Source::Bytes(data.to_vec()),
    }
}

fn long_name() -> String {
    format!("{}/{}", "d".repeat(120), "f".repeat(90))
}

fn huge_name() -> String {
    format!("{}/{}.txt", "p".repeat(40), "n".repeat(150))
}

fn sample() -> Vec<Entry> {
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    vec![
        Entry::dir("pkg-1.0".into()),
        bytes_entry("pkg-1.0/README.md", b"# hello\n", false),
        bytes_entry("pkg-1.0/bin/run", b"#!/bin/sh\n", true),
        bytes_entry("pkg-1.0/big.bin", &big, false),
        bytes_entry(&long_name(), b"long", false),
        bytes_entry(&huge_name(), b"huge", false),
        Entry::symlink("pkg-1.0/link".into(), "README.md".into()),
        Entry::symlink("pkg-1.0/farlink".into(), format!("{}/x", "q".repeat(120))),
    ]
}

fn opts(threads: usize) -> Options {
    Options { epoch: 1_767_225_600, threads, piece: 4096, force_zip64: false }
}

fn write_vec(entries: &[Entry], o: &Options) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out, entries, &mut Files, o).unwrap();
    out
}

#[test]
fn members_read_back_with_modes_links_and_long_names() {
    let bytes = write_vec(&sample(), &opts(3));
    assert_eq!(&bytes[..10], &GZIP_HEADER, "no name, no time, fixed OS");
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(Cursor::new(&bytes)));
    let mut seen = Vec::new();
    for item in archive.entries().unwrap() {
        let mut item = item.unwrap();
        let h = item.header().clone();
        let path = item.path().unwrap().to_string_lossy().into_owned();
        let link = item.link_name().unwrap().map(|l| l.to_string_lossy().into_owned());
        let mut data = Vec::new();
        item.read_to_end(&mut data).unwrap();
        assert_eq!(h.mtime().unwrap(), 1_767_225_600, "{path}");
        assert_eq!((h.uid().unwrap(), h.gid().unwrap()), (0, 0), "{path}");
        assert_eq!(h.username().unwrap(), Some(""), "{path}");
        seen.push((path, h.mode().unwrap(), link, data.len()));
    }
    let want = vec![
        ("pkg-1.0/".to_string(), 0o755, None, 0),
        ("pkg-1.0/README.md".into(), 0o644, None, 8),
        ("pkg-1.0/bin/run".into(), 0o755, None, 10),
        ("pkg-1.0/big.bin".into(), 0o644, None, 200_000),
        (long_name(), 0o644, None, 4),
        (huge_name(), 0o644, None, 4),
        ("pkg-1.0/link".into(), 0o777, Some("README.md".to_string()), 0),
        ("pkg-1.0/farlink".into(), 0o777, Some(format!("{}/x", "q".repeat(120))), 0),
    ];
    assert_eq!(seen, want);
}

#[test]
fn the_stream_is_one_gzip_member_of_whole_records() {
    let bytes = write_vec(&sample(), &opts(2));
    let mut raw = Vec::new();
    // A single-member decoder: trailing members would be left unread and fail the length check.
    let mut dec = flate2::read::GzDecoder::new(Cursor::new(&bytes));
    dec.read_to_end(&mut raw).unwrap();
    assert_eq!(raw.len() % RECORD as usize, 0);
    let mut multi = Vec::new();
    flate2::read::MultiGzDecoder::new(Cursor::new(&bytes)).read_to_end(&mut multi).unwrap();
    assert_eq!(raw, multi);
}

#[test]
fn output_does_not_depend_on_threads() {
    let one = write_vec(&sample(), &opts(1));
    assert_eq!(one, write_vec(&sample(), &opts(4)));
    assert_eq!(one, write_vec(&sample(), &opts(2)));
}

#[test]
fn gnu_tar_lists_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.tar.gz");
    std::fs::write(&path, write_vec(&sample(), &opts(2))).unwrap();
    let out = std::process::Command::new("tar").arg("-tzvf").arg(&path).output().expect("tar is installed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(listing.contains(&huge_name()), "{listing}");
    assert!(listing.contains("pkg-1.0/link -> README.md"), "{listing}");
    assert!(listing.contains("-rwxr-xr-x 0/0"), "{listing}");
}

#[test]
fn pax_records_count_their_own_length() {
    for value in ["a", &"b".repeat(90), &"c".repeat(995)] {
        let r = record("path", value);
        let (len, _) = r.split_once(' ').unwrap();
        assert_eq!(len.parse::<usize>().unwrap(), r.len(), "{r}");
    }
}

#[test]
fn a_short_read_names_the_file() {
    let e =
        Entry { name: "a".into(), kind: Kind::File { executable: false }, size: 10, source: Source::Bytes(vec![1; 4]) };
    let err = write(&mut Vec::new(), &[e], &mut Files, &opts(2)).unwrap_err();
    assert!(err.to_string().contains("a: the file shrank"), "{err}");
}
