//! Helpers shared by the bundle scenario tests: the Lot Genius fixture with a fixed project
//! name, the output folder's files, and the independent readers (unzip, Python, tar).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::support::TestRepo;

/// The Lot Genius fixture, committed, with `[release] name = "lot-genius"` so archive names do
/// not depend on the temp folder's name.
pub fn lot_genius() -> TestRepo {
    let repo = TestRepo::new();
    crate::support::copy_tree(&crate::support::fixture("lot-genius"), repo.root());
    repo.write("xtask.toml", "[release]\nname = \"lot-genius\"\n");
    repo.commit_all("chore: initial import");
    repo
}

/// A repository whose one version source is `VERSION`, named `name` in `xtask.toml`, with
/// `rest` (more sources, gates, bundles) after that; nothing committed yet.
pub fn versioned(name: &str, version: &str, rest: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("VERSION", format!("{version}\n"));
    repo.write("xtask.toml", format!("[release]\nname = \"{name}\"\n\n[[version]]\npath = \"VERSION\"\n{rest}"));
    repo
}

/// Every file of a folder (not recursive) with its bytes.
pub fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let Ok(read) = std::fs::read_dir(dir) else { return out };
    for item in read {
        let item = item.unwrap();
        let name = item.file_name().to_string_lossy().into_owned();
        let bytes =
            if item.file_type().unwrap().is_dir() { b"<dir>".to_vec() } else { std::fs::read(item.path()).unwrap() };
        out.insert(name, bytes);
    }
    out
}

pub fn names(dir: &Path) -> Vec<String> {
    files(dir).into_keys().collect()
}

/// Run a tool, assert it succeeded, return its stdout.
#[track_caller]
pub fn tool(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("TZ", "UTC")
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {} failed in {}:\n{}{}",
        args.join(" "),
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether a tool succeeds.
pub fn tool_ok(dir: &Path, program: &str, args: &[&str]) -> bool {
    Command::new(program).args(args).current_dir(dir).output().map(|o| o.status.success()).unwrap_or(false)
}

/// Python's zipfile: `testzip()` (every CRC) and the member names with their Unix modes.
pub fn python_zip_listing(path: &Path) -> String {
    let script = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nbad = z.testzip()\nassert bad is None, bad\nfor i in z.infolist():\n    print(i.filename, oct(i.external_attr >> 16), i.date_time[0])\n";
    tool(path.parent().unwrap(), "python3", &["-c", script, path.to_str().unwrap()])
}
