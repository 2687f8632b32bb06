//! Unit tests of the zip writer: read back by our reader (`unzip.rs`) and by Info-ZIP's `unzip -t`.

use std::io::{Cursor, Read};

use super::*;
use crate::bundle::entry::{Entry, Files};
use crate::bundle::unzip::{Archive, STORED};

fn bytes_entry(name: &str, data: Vec<u8>, executable: bool) -> Entry {
    Entry {
        name: name.to_string(),
        kind: Kind::File { executable },
        size: data.len() as u64,
        source: entry::Source::Bytes(data),
    }
}

fn text(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| b"export const value = compute(alpha, beta);\n"[i % 43].wrapping_add(seed * ((i / 4096) % 2) as u8))
        .collect()
}

fn noise(n: usize) -> Vec<u8> {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn write_to_vec(entries: &[Entry], opts: &Options) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    write(&mut out, entries, &mut Files, opts).unwrap();
    out.into_inner()
}

fn small_opts() -> Options {
    Options { epoch: 1_767_225_600, threads: 3, piece: 64 * 1024, force_zip64: false }
}

fn sample() -> Vec<Entry> {
    vec![
        bytes_entry("a/empty.txt", Vec::new(), false),
        bytes_entry("a/big.js", text(300_000, 3), false),
        bytes_entry("a/run.sh", b"#!/bin/sh\necho hi\n".to_vec(), true),
        bytes_entry("img/logo.png", noise(70_000), false),
        bytes_entry("img/raw.bin", noise(10_000), false),
        bytes_entry("caf\u{e9}.txt", text(5000, 1), false),
        Entry::symlink("a/link.js".into(), "big.js".into()),
        Entry::dir("dir/".into()),
    ]
}

fn read_back(bytes: &[u8]) -> Vec<(String, Vec<u8>, u32, u16, u16, bool)> {
    let mut archive = Archive::new(Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.open(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        let r = f.record;
        out.push((r.shown(), data, r.mode.unwrap(), r.year(), r.method, r.extra_len > 0));
    }
    out
}

#[test]
fn entries_read_back_with_modes_time_and_methods() {
    let entries = sample();
    let bytes = write_to_vec(&entries, &small_opts());
    let back = read_back(&bytes);
    let names: Vec<&str> = back.iter().map(|b| b.0.as_str()).collect();
    assert_eq!(
        names,
        ["a/empty.txt", "a/big.js", "a/run.sh", "img/logo.png", "img/raw.bin", "caf\u{e9}.txt", "a/link.js", "dir/"]
    );
    for (entry, (name, data, mode, year, method, extra)) in entries.iter().zip(&back) {
        assert_eq!(*mode, entry.unix_mode(), "{name}");
        assert_eq!(*year, 2026, "{name}");
        assert!(!extra, "{name} has extra fields");
        if let entry::Source::Bytes(want) = &entry.source {
            assert_eq!(data, want, "{name}");
        }
        // Tiny files do not shrink either.
        let stored =
            matches!(name.as_str(), "a/empty.txt" | "a/run.sh" | "img/logo.png" | "img/raw.bin" | "a/link.js" | "dir/");
        assert_eq!(*method == STORED, stored, "{name}: method {method}");
    }
}

#[test]
fn output_does_not_depend_on_threads_or_runs() {
    let entries = sample();
    let one = write_to_vec(&entries, &Options { threads: 1, ..small_opts() });
    let four = write_to_vec(&entries, &Options { threads: 4, ..small_opts() });
    assert_eq!(one, four);
    assert_eq!(one, write_to_vec(&entries, &small_opts()));
}

#[test]
fn zip64_records_read_back() {
    let entries = sample();
    let bytes = write_to_vec(&entries, &Options { force_zip64: true, ..small_opts() });
    let back = read_back(&bytes);
    assert_eq!(back.len(), entries.len());
    assert_eq!(back[1].1, text(300_000, 3));
    unzip_test(&bytes);
}

#[test]
fn more_than_65535_entries_use_zip64_counts() {
    let entries: Vec<Entry> = (0..65_540).map(|i| bytes_entry(&format!("f/{i:06}"), Vec::new(), false)).collect();
    let bytes = write_to_vec(&entries, &small_opts());
    let archive = Archive::new(Cursor::new(&bytes)).unwrap();
    assert_eq!(archive.len(), 65_540);
}

#[test]
fn info_zip_accepts_the_archive() {
    unzip_test(&write_to_vec(&sample(), &small_opts()));
}

fn unzip_test(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.zip");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("unzip").arg("-tq").arg(&path).output().expect("unzip is installed");
    assert!(
        out.status.success(),
        "unzip -t: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn unsafe_names_write_nothing() {
    let mut out = Cursor::new(Vec::new());
    let err = write(&mut out, &[bytes_entry("../evil", vec![1], false)], &mut Files, &small_opts()).unwrap_err();
    assert!(err.to_string().contains("`../evil`"), "{err}");
    assert!(out.into_inner().is_empty());
}

#[test]
fn a_file_that_cannot_be_read_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("gone.js");
    let e = Entry::file("gone.js".into(), missing, "frontend/gone.js".into(), 10, false);
    let mut out = Cursor::new(Vec::new());
    let err = write(&mut out, &[e], &mut Files, &small_opts()).unwrap_err();
    assert!(format!("{err:#}").contains("frontend/gone.js: cannot read the file"), "{err:#}");
}

#[test]
fn a_file_that_changed_size_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.js");
    std::fs::write(&path, text(200_000, 2)).unwrap();
    for listed in [100_000u64, 300_000, 10] {
        let e = Entry::file("a.js".into(), path.clone(), "a.js".into(), listed, false);
        let err = write(&mut Cursor::new(Vec::new()), &[e], &mut Files, &small_opts()).unwrap_err();
        assert!(err.to_string().contains("while it was archived"), "{listed}: {err}");
    }
}

#[test]
fn dos_times() {
    // 2026-01-01T00:00:00Z
    let (time, date) = dos_time(1_767_225_600);
    assert_eq!(time, 0);
    assert_eq!(date, ((2026 - 1980) << 9 | 1 << 5 | 1) as u16);
    // Before 1980 clamps to its first second.
    assert_eq!(dos_time(0), (0, (1 << 5 | 1) as u16));
    assert_eq!(civil_from_days(0), (1970, 1, 1));
    assert_eq!(civil_from_days(19_782), (2024, 2, 29));
}
