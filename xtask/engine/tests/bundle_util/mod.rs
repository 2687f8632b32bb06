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

/// Run a Python program in `dist`, then make everything that records a digest agree with the
/// files as they now are (following links, as an attacker would make them agree): each SBOM's
/// `metadata.component` hash, the in-toto statement's subjects, `manifest.json` and
/// `SHA256SUMS`. Only a signature of `SHA256SUMS` can then tell.
pub fn tamper(repo: &TestRepo, program: &str) {
    let agree = r#"
import hashlib, json
m = json.load(open("manifest.json"))
sha = lambda name: hashlib.sha256(open(name, "rb").read()).hexdigest()
for f in m["files"]:
    if f["kind"] == "sbom":
        doc = json.load(open(f["name"]))
        doc["metadata"]["component"]["hashes"] = [{"alg": "SHA-256", "content": sha(doc["metadata"]["component"]["name"])}]
        json.dump(doc, open(f["name"], "w"), indent=2)
for f in m["files"]:
    if f["kind"] == "statement":
        doc = json.load(open(f["name"]))
        for s in doc["subject"]:
            s["digest"]["sha256"] = sha(s["name"])
        json.dump(doc, open(f["name"], "w"), indent=2)
"#;
    rehash(repo, &format!("{program}\n{agree}"));
}

/// Run a Python program in `dist`, then make `manifest.json` and `SHA256SUMS` (only those)
/// agree with the files as they now are.
pub fn rehash(repo: &TestRepo, program: &str) {
    let resign = r#"
import hashlib, json, os
m = json.load(open("manifest.json"))
for f in m["files"]:
    data = open(f["name"], "rb").read()
    f["size"], f["sha256"] = len(data), hashlib.sha256(data).hexdigest()
json.dump(m, open("manifest.json", "w"), indent=2)
open("SHA256SUMS", "w").write("".join(f"{f['sha256']}  {f['name']}\n" for f in m["files"]))
"#;
    tool(&repo.path("dist"), "python3", &["-c", &format!("{program}\n{resign}")]);
}

/// Validate every `*.cdx.json` of `dir` against the CycloneDX 1.5 JSON schema with
/// cyclonedx-python-lib's validator; how many there are.
pub fn validate_sboms(dir: &Path) -> usize {
    const VALIDATE: &str = r#"
import glob, sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
validator = JsonStrictValidator(SchemaVersion.V1_5)
files = sorted(glob.glob("*.cdx.json"))
for name in files:
    error = validator.validate_str(open(name).read())
    if error is not None:
        sys.exit(f"{name}: {error}")
print(len(files))
"#;
    tool(dir, "python3", &["-c", VALIDATE]).trim().parse().unwrap()
}

/// The mismatch lines of a failing `bundle --verify dist` (exit 1), each without its
/// `mismatch: ` label.
#[track_caller]
pub fn mismatches(repo: &TestRepo) -> Vec<String> {
    let run = repo.xtask(&["bundle", "--verify", "dist"]);
    run.code(1);
    run.stdout.lines().map(|l| l.strip_prefix("mismatch: ").unwrap_or(l).to_string()).collect()
}
