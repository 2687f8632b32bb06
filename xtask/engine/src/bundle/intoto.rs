//! The in-toto v1 Statement of a bundle set (`NAME-VERSION.intoto.json`): every artifact and
//! every SBOM, with its SHA-256, as the subjects; the predicate is in-toto's release predicate
//! (the project's purl and the commit). And the check `--verify` makes of one.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::checksums::{ArtifactKind, FileRecord, Manifest};

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PREDICATE_TYPE: &str = "https://in-toto.io/attestation/release/v0.1";

/// The statement's file name for the source archive's top folder `NAME-VERSION`.
pub fn file_name(top: &str) -> String {
    format!("{top}.intoto.json")
}

/// The statement over `subjects` (the artifacts and SBOMs, sorted by name).
pub fn document(project: &str, version: &str, commit: &str, subjects: &[FileRecord]) -> String {
    let mut subjects: Vec<&FileRecord> = subjects.iter().collect();
    subjects.sort_by(|a, b| a.name.cmp(&b.name));
    let subject: Vec<Value> =
        subjects.iter().map(|f| json!({ "name": f.name, "digest": { "sha256": f.sha256 } })).collect();
    let doc = json!({
        "_type": STATEMENT_TYPE,
        "subject": subject,
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "purl": format!("pkg:generic/{}@{}", super::plan::file_safe(project), version),
            "releaseId": commit,
        },
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("a JSON value serialises");
    text.push('\n');
    text
}

/// Whether a manifest entry is one of the statement's subjects.
pub fn is_subject(f: &FileRecord) -> bool {
    f.kind != ArtifactKind::Statement
}

/// What is wrong with the statement `text`: its type, and its subjects against the files of the
/// manifest as the folder holds them (`digests`: name -> the digest of the file found). Every
/// artifact and SBOM is a subject, and no subject is anything else.
pub fn check(text: &str, manifest: &Manifest, digests: &BTreeMap<String, String>) -> Vec<String> {
    let doc: Value = match serde_json::from_str(text) {
        Ok(doc) => doc,
        Err(err) => return vec![format!("not a JSON document ({err})")],
    };
    if doc.get("_type").and_then(Value::as_str) != Some(STATEMENT_TYPE) {
        return vec![format!("not an in-toto statement (`_type` is not {STATEMENT_TYPE})")];
    }
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for s in doc.get("subject").and_then(Value::as_array).into_iter().flatten() {
        let name = s.get("name").and_then(Value::as_str).unwrap_or("");
        let digest = s.pointer("/digest/sha256").and_then(Value::as_str).unwrap_or("");
        seen.push(name.to_string());
        match manifest.files.iter().find(|f| f.name == name && is_subject(f)) {
            None => {
                problems.push(format!("subject {name:?} is not an artifact or SBOM of {}", super::checksums::MANIFEST))
            }
            Some(f) => match digests.get(&f.name) {
                Some(actual) if actual != digest => {
                    problems.push(format!("subject {name}: sha256 {digest}, the file's is {actual}"))
                }
                _ => {}
            },
        }
    }
    for f in manifest.files.iter().filter(|f| is_subject(f)) {
        if !seen.contains(&f.name) {
            problems.push(format!("{} is not one of its subjects", f.name));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(name: &str, c: char, kind: ArtifactKind) -> FileRecord {
        FileRecord { name: name.into(), size: 1, sha256: c.to_string().repeat(64), kind, bundle: "b".into() }
    }

    #[test]
    fn subjects_are_every_artifact_and_sbom() {
        let files = vec![rec("b.zip", 'b', ArtifactKind::Zip), rec("b.zip.cdx.json", 'c', ArtifactKind::Sbom)];
        let text = document("my app", "1.0.0", "abc", &files);
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["_type"], STATEMENT_TYPE);
        assert_eq!(doc["subject"][1]["name"], "b.zip.cdx.json");
        assert_eq!(doc["predicate"]["purl"], "pkg:generic/my-app@1.0.0");
        let mut all = files.clone();
        all.push(rec("p-1.0.0.intoto.json", 'd', ArtifactKind::Statement));
        let manifest = Manifest {
            project: "p".into(),
            version: "1.0.0".into(),
            commit: "abc".into(),
            dirty: false,
            source_date_epoch: 0,
            source_date: String::new(),
            files: all,
            signature: None,
        };
        let mut digests: BTreeMap<String, String> =
            manifest.files.iter().map(|f| (f.name.clone(), f.sha256.clone())).collect();
        assert!(check(&text, &manifest, &digests).is_empty());
        digests.insert("b.zip".into(), "e".repeat(64));
        let found = check(&text, &manifest, &digests);
        assert_eq!(found, [format!("subject b.zip: sha256 {}, the file's is {}", "b".repeat(64), "e".repeat(64))]);
        let fewer = document("p", "1.0.0", "abc", &files[..1]);
        assert_eq!(check(&fewer, &manifest, &BTreeMap::new()), ["b.zip.cdx.json is not one of its subjects"]);
        assert!(check("{\"_type\": \"x\"}", &manifest, &digests)[0].starts_with("not an in-toto statement"));
    }
}
