//! The SBOMs and the in-toto statement of a bundle set: a CycloneDX 1.5 document per artifact
//! from the lockfiles of its ecosystem (validated by cyclonedx-python-lib's JSON schema
//! validator), the same bytes on every run, and `--verify` failing (exit 1, naming the file)
//! on a tampered SBOM or statement even when the checksums were made to agree.

mod bundle_util;
mod support;

use bundle_util::{mismatches, names, rehash, tool};
use serde_json::Value;
use support::TestRepo;

const LEFT_PAD_B64: &str = "XRcglhh3p2lHAu4gFg75i5owZ3/uttIZh11iKj+W2fqc4Iu8OvwIHkDSftaw4gURo0WA2fT2oguwTa4HChLwJw==";
const LEFT_PAD_HEX: &str = "5d1720961877a7694702ee20160ef98b9a30677feeb6d219875d622a3f96d9fa9ce08bbc3afc081e40d27ed6b0e20511a34580d9f4f6a20bb04dae070a12f027";

/// Three bundles, one per ecosystem, each with its lockfiles; and a docs bundle with none.
fn described() -> TestRepo {
    let a = "a".repeat(64);
    let b = "b".repeat(64);
    let c = "c".repeat(64);
    let repo = bundle_util::versioned(
        "described",
        "1.2.0",
        r#"
[[bundle]]
name = "web.zip"
cwd = "web"
include = ["package.json"]

[[bundle]]
name = "py.tar.gz"
cwd = "py"
include = ["pyproject.toml"]

[[bundle]]
name = "rs.tar.gz"
cwd = "rs"
include = ["Cargo.toml"]

[[bundle]]
name = "docs.zip"
include = ["docs"]
"#,
    );
    repo.write("web/package.json", "{\"name\": \"web\", \"version\": \"1.2.0\"}\n");
    repo.write(
        "web/package-lock.json",
        format!(
            r#"{{"name": "web", "version": "1.2.0", "lockfileVersion": 3, "packages": {{
  "": {{"name": "web", "version": "1.2.0"}},
  "node_modules/left-pad": {{"version": "1.3.0", "integrity": "sha512-{LEFT_PAD_B64}"}},
  "node_modules/@scope/pkg": {{"version": "2.0.0"}}
}}}}
"#
        ),
    );
    repo.write("py/pyproject.toml", "[project]\nname = \"py\"\nversion = \"1.2.0\"\n");
    repo.write(
        "py/uv.lock",
        format!(
            "version = 1\n\n[[package]]\nname = \"py\"\nversion = \"1.2.0\"\nsource = {{ editable = \".\" }}\n\n[[package]]\nname = \"Typing_Extensions\"\nversion = \"4.12.2\"\nsource = {{ registry = \"https://pypi.org/simple\" }}\nsdist = {{ url = \"https://x/t.tar.gz\", hash = \"sha256:{a}\" }}\nwheels = [{{ url = \"https://x/t.whl\", hash = \"sha256:{b}\" }}]\n"
        ),
    );
    repo.write("py/requirements.txt", "flask>=2\nrequests==2.32.3\n");
    repo.write("rs/Cargo.toml", "[package]\nname = \"rs\"\nversion = \"1.2.0\"\n");
    repo.write(
        "rs/Cargo.lock",
        format!("version = 4\n\n[[package]]\nname = \"rs\"\nversion = \"1.2.0\"\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{c}\"\n"),
    );
    repo.write("docs/index.md", "# Docs\n");
    repo.commit_all("feat: three ecosystems");
    repo
}

fn json(repo: &TestRepo, rel: &str) -> Value {
    serde_json::from_str(&repo.read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn purls(sbom: &Value) -> Vec<String> {
    sbom["components"].as_array().unwrap().iter().map(|c| c["purl"].as_str().unwrap().to_string()).collect()
}

#[test]
fn every_artifact_gets_a_valid_sbom_from_its_lockfiles() {
    let repo = described();
    let run = repo.xtask(&["bundle"]);
    run.code(0);
    let dist = repo.path("dist");
    let source = "described-1.2.0-source.tar.gz";
    let statement = "described-1.2.0.intoto.json";
    let mut expected: Vec<String> = ["docs.zip", "py.tar.gz", "rs.tar.gz", "web.zip", source]
        .iter()
        .flat_map(|a| [a.to_string(), format!("{a}.cdx.json")])
        .chain(["SHA256SUMS", "manifest.json", statement].map(String::from))
        .collect();
    expected.sort();
    assert_eq!(names(&dist), expected, "{run}");
    assert_eq!(bundle_util::validate_sboms(&dist), 5);

    let manifest = json(&repo, "dist/manifest.json");
    let sha_of = |name: &str| {
        manifest["files"].as_array().unwrap().iter().find(|f| f["name"] == name).unwrap()["sha256"].clone()
    };
    let web = json(&repo, "dist/web.zip.cdx.json");
    assert_eq!(web["specVersion"], "1.5");
    assert_eq!(web["metadata"]["component"]["name"], "web.zip");
    assert_eq!(web["metadata"]["component"]["hashes"][0]["content"], sha_of("web.zip"));
    assert_eq!(web["metadata"]["timestamp"], manifest["source_date"]);
    assert_eq!(purls(&web), ["pkg:npm/%40scope/pkg@2.0.0", "pkg:npm/left-pad@1.3.0"]);
    assert_eq!(web["components"][1]["hashes"][0], serde_json::json!({"alg": "SHA-512", "content": LEFT_PAD_HEX}));
    let py = json(&repo, "dist/py.tar.gz.cdx.json");
    assert_eq!(purls(&py), ["pkg:pypi/requests@2.32.3", "pkg:pypi/typing-extensions@4.12.2"]);
    assert_eq!(py["components"][1]["hashes"].as_array().unwrap().len(), 2);
    let rs = json(&repo, "dist/rs.tar.gz.cdx.json");
    assert_eq!(purls(&rs), ["pkg:cargo/serde@1.0.200"]);
    assert_eq!(json(&repo, "dist/docs.zip.cdx.json")["components"], serde_json::json!([]));
    let all = json(&repo, &format!("dist/{source}.cdx.json"));
    assert_eq!(purls(&all).len(), 5, "{all:#}");

    // The statement: every artifact and SBOM with its digest, nothing else.
    let st = json(&repo, &format!("dist/{statement}"));
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    let subjects: Vec<(String, Value)> = st["subject"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap().to_string(), s["digest"]["sha256"].clone()))
        .collect();
    let want: Vec<(String, Value)> = expected
        .iter()
        .filter(|n| !["SHA256SUMS", "manifest.json", statement].contains(&n.as_str()))
        .map(|n| (n.clone(), sha_of(n)))
        .collect();
    assert_eq!(subjects, want);
    // SHA256SUMS lists the SBOMs and the statement, and sha256sum agrees.
    let sums = repo.read("dist/SHA256SUMS");
    assert!(sums.contains("  web.zip.cdx.json\n") && sums.contains(&format!("  {statement}\n")), "{sums}");
    tool(&dist, "sha256sum", &["--check", "--quiet", "SHA256SUMS"]);
    let verified = repo.xtask(&["bundle", "--verify", "dist"]);
    verified.code(0);
    assert!(verified.stdout.contains("11 files verified"), "{verified}");

    // The same commit gives the same documents, byte for byte.
    repo.xtask(&["bundle", "--out", "again"]).code(0);
    for name in ["web.zip.cdx.json", &format!("{source}.cdx.json"), statement] {
        assert_eq!(repo.read(&format!("dist/{name}")), repo.read(&format!("again/{name}")), "{name}");
    }
}

#[test]
fn a_tampered_sbom_or_statement_fails_verify() {
    let repo = described();
    repo.xtask(&["bundle", "--only", "web.zip,docs.zip"]).code(0);
    let statement = "described-1.2.0.intoto.json";

    // Changed, and nothing else: its checksum.
    let saved = repo.read("dist/web.zip.cdx.json");
    repo.write("dist/web.zip.cdx.json", saved.replace("left-pad", "right-pad"));
    let found = mismatches(&repo);
    assert!(found.iter().any(|m| m.starts_with("web.zip.cdx.json: checksum mismatch")), "{found:?}");

    // Claims another file's hash, with the checksums made to agree: the SBOM's reference.
    repo.write("dist/web.zip.cdx.json", &saved);
    rehash(
        &repo,
        r#"
import json
doc = json.load(open("web.zip.cdx.json"))
doc["metadata"]["component"]["hashes"][0]["content"] = "0" * 64
json.dump(doc, open("web.zip.cdx.json", "w"), indent=2)
"#,
    );
    let found = mismatches(&repo);
    assert!(
        found.iter().any(|m| m
            .starts_with(&format!("web.zip.cdx.json: metadata.component's SHA-256 of web.zip is {}", "0".repeat(64)))),
        "{found:?}"
    );

    // A fresh set, then a statement that names a wrong digest and leaves out a subject.
    repo.xtask(&["bundle", "--only", "web.zip,docs.zip"]).code(0);
    rehash(
        &repo,
        &format!(
            r#"
import json
doc = json.load(open("{statement}"))
doc["subject"] = [s for s in doc["subject"] if s["name"] != "docs.zip"]
doc["subject"][0]["digest"]["sha256"] = "1" * 64
json.dump(doc, open("{statement}", "w"), indent=2)
"#
        ),
    );
    let found = mismatches(&repo);
    assert!(found.contains(&format!("{statement}: docs.zip is not one of its subjects")), "{found:?}");
    assert!(
        found
            .iter()
            .any(|m| m.starts_with(&format!("{statement}: subject docs.zip.cdx.json: sha256 {}", "1".repeat(64)))),
        "{found:?}"
    );
}

#[test]
fn a_broken_lockfile_stops_the_run_before_anything_is_written() {
    let repo = described();
    repo.write("web/package-lock.json", "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n");
    repo.commit_all("chore: a broken lockfile");
    let before = repo.snapshot();
    let run = repo.xtask(&["bundle"]);
    run.code(2);
    assert!(
        run.stderr.contains("web/package-lock.json: cannot read the lockfile for the SBOM")
            && run.stderr.contains("line 4"),
        "{run}"
    );
    support::assert_same(&before, &repo.snapshot());
}
