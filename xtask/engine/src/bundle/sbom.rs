//! A CycloneDX 1.5 JSON SBOM per artifact (`ARTIFACT.cdx.json`): the artifact itself as
//! `metadata.component` with its SHA-256, and the dependencies the lockfiles of its ecosystem
//! pin as `components`. Deterministic: the serial number is derived from the content and the
//! timestamp is the bundle's one time. And the check `--verify` makes of one.

use std::collections::BTreeMap;

use anyhow::Result;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::checksums::{ArtifactKind, FileRecord, MANIFEST, Manifest, rfc3339};
use super::lockfiles::{self, Component, Ecosystem};
use crate::repo::FileList;
use crate::tooling::Tooling;

/// The SBOM of `artifact`.
pub fn file_name(artifact: &str) -> String {
    format!("{artifact}{SUFFIX}")
}

pub const SUFFIX: &str = ".cdx.json";

/// Which tracked lockfiles describe an artifact of `kind` made by a bundle in `cwd`: for a
/// wheel or an sdist the Python ones; for another bundle's artifact those of each ecosystem
/// whose manifest (package.json, pyproject.toml, Cargo.toml) is in `cwd`; each from the nearest
/// folder at or above `cwd` that holds one. The source archive: every lockfile of the product.
/// The tool's own files (`tooling`) never count.
pub fn lockfiles_for(kind: ArtifactKind, cwd: &str, files: &FileList, tooling: &Tooling) -> Vec<String> {
    let product = |path: &&str| !tooling.contains(path);
    let name_of = |path: &str| path.rsplit('/').next().unwrap_or(path).to_string();
    if kind == ArtifactKind::Source {
        return files
            .iter()
            .filter(product)
            .filter(|p| Ecosystem::ALL.iter().any(|e| e.owns(&name_of(p))))
            .map(str::to_string)
            .collect();
    }
    let ecosystems: Vec<Ecosystem> = match kind {
        ArtifactKind::Wheel | ArtifactKind::Sdist => vec![Ecosystem::Pypi],
        _ => Ecosystem::ALL
            .into_iter()
            .filter(|e| e.manifests().iter().any(|m| files.iter().any(|p| p == join(cwd, m))))
            .collect(),
    };
    let mut found = Vec::new();
    for eco in ecosystems {
        let mut dir = cwd.to_string();
        loop {
            let here: Vec<String> = files
                .iter()
                .filter(product)
                .filter(|p| crate::detect::parent(p) == dir && eco.owns(&name_of(p)))
                .map(str::to_string)
                .collect();
            if !here.is_empty() || dir.is_empty() {
                found.extend(here);
                break;
            }
            dir = crate::detect::parent(&dir).to_string();
        }
    }
    found.sort();
    found.dedup();
    found
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") }
}

/// Read and parse `paths` (root-relative) under `root`: each lockfile's components.
pub fn read_lockfiles(root: &std::path::Path, paths: &[String]) -> Result<BTreeMap<String, Vec<Component>>> {
    use anyhow::Context;
    let mut out = BTreeMap::new();
    for path in paths {
        let text = std::fs::read_to_string(root.join(path))
            .with_context(|| format!("{path}: cannot read the lockfile for the SBOM (not UTF-8?)"))?;
        out.insert(path.clone(), lockfiles::parse(path, &text)?);
    }
    Ok(out)
}

/// The SBOM document of `artifact` (version `version`, made at `epoch`) from the components of
/// `lockfiles` (their paths are recorded as properties).
pub fn document(artifact: &FileRecord, version: &str, epoch: i64, lockfiles: &[(&str, &[Component])]) -> String {
    let components = lockfiles::merge(lockfiles.iter().flat_map(|(_, c)| c.iter().cloned()));
    let component_type = match artifact.kind {
        ArtifactKind::Wheel | ArtifactKind::Sdist => "library",
        ArtifactKind::Source => "file",
        _ => "application",
    };
    let hashes = |list: &[(String, String)]| -> Vec<Value> {
        list.iter().map(|(alg, content)| json!({ "alg": alg, "content": content })).collect()
    };
    let mut metadata = json!({
        "timestamp": rfc3339(epoch),
        "tools": { "components": [
            { "type": "application", "name": "polyrelease", "version": env!("CARGO_PKG_VERSION") }
        ] },
        "component": {
            "type": component_type,
            "bom-ref": artifact.name,
            "name": artifact.name,
            "version": version,
            "hashes": [{ "alg": "SHA-256", "content": artifact.sha256 }],
        },
    });
    if !lockfiles.is_empty() {
        let props: Vec<Value> =
            lockfiles.iter().map(|(path, _)| json!({ "name": "polyrelease:lockfile", "value": path })).collect();
        metadata["properties"] = Value::Array(props);
    }
    let components: Vec<Value> = components
        .iter()
        .map(|c| {
            let mut v = json!({
                "type": "library",
                "bom-ref": c.purl(),
                "name": c.name,
                "version": c.version,
                "purl": c.purl(),
            });
            if !c.hashes.is_empty() {
                v["hashes"] = Value::Array(hashes(&c.hashes));
            }
            v
        })
        .collect();
    let mut doc = json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.5.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "metadata": metadata,
        "components": components,
    });
    // The serial number names this content: the same inputs give the same document.
    let digest = Sha256::digest(pretty(&doc).as_bytes());
    doc["serialNumber"] = Value::String(uuid(&digest));
    pretty(&doc)
}

fn pretty(doc: &Value) -> String {
    let mut text = serde_json::to_string_pretty(doc).expect("a JSON value serialises");
    text.push('\n');
    text
}

/// `urn:uuid:` of a name-based (version 5 layout) UUID from the first 16 bytes of `digest`.
fn uuid(digest: &[u8]) -> String {
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = super::checksums::hex(&b);
    format!("urn:uuid:{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// What is wrong with the SBOM `text` named `name`: it must be a CycloneDX document whose
/// `metadata.component` is the artifact it is named for, with that artifact's SHA-256 as the
/// folder holds it (`digests`: name -> the digest of the file found).
pub fn check(name: &str, text: &str, manifest: &Manifest, digests: &BTreeMap<String, String>) -> Vec<String> {
    let doc: Value = match serde_json::from_str(text) {
        Ok(doc) => doc,
        Err(err) => return vec![format!("not a JSON document ({err})")],
    };
    if doc.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
        return vec!["not a CycloneDX SBOM (no \"bomFormat\": \"CycloneDX\")".into()];
    }
    let component = doc.pointer("/metadata/component");
    let described = component.and_then(|c| c.get("name")).and_then(Value::as_str).unwrap_or("");
    let want = name.strip_suffix(SUFFIX).unwrap_or(name);
    if described != want {
        return vec![format!("describes {:?}, not {want}", described)];
    }
    let artifact = |f: &&FileRecord| f.name == want && !matches!(f.kind, ArtifactKind::Sbom | ArtifactKind::Statement);
    if !manifest.files.iter().any(|f| artifact(&f)) {
        return vec![format!("describes {want}, which {MANIFEST} does not list as an artifact")];
    }
    let sha256 = component
        .and_then(|c| c.get("hashes"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|h| h.get("alg").and_then(Value::as_str) == Some("SHA-256"))
        .and_then(|h| h.get("content"))
        .and_then(Value::as_str);
    match (sha256, digests.get(want)) {
        (None, _) => vec![format!("metadata.component has no SHA-256 hash of {want}")],
        // A missing artifact is reported for the artifact itself.
        (Some(_), None) => vec![],
        (Some(found), Some(actual)) if found != actual => {
            vec![format!("metadata.component's SHA-256 of {want} is {found}, the file's is {actual}")]
        }
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(name: &str, kind: ArtifactKind) -> FileRecord {
        FileRecord { name: name.into(), size: 3, sha256: "a".repeat(64), kind, bundle: "b".into() }
    }

    #[test]
    fn documents_are_deterministic_and_checked() {
        let c = vec![Component {
            ecosystem: Ecosystem::Npm,
            name: "left-pad".into(),
            version: "1.3.0".into(),
            hashes: vec![("SHA-512".into(), "b".repeat(128))],
        }];
        let rec = record("site.zip", ArtifactKind::Zip);
        let one = document(&rec, "1.0.0", 0, &[("web/package-lock.json", &c)]);
        assert_eq!(one, document(&rec, "1.0.0", 0, &[("web/package-lock.json", &c)]));
        assert_ne!(one, document(&rec, "1.0.0", 1, &[("web/package-lock.json", &c)]));
        let doc: Value = serde_json::from_str(&one).unwrap();
        let serial = doc["serialNumber"].as_str().unwrap();
        assert!(serial.starts_with("urn:uuid:") && serial.len() == 45 && &serial[23..24] == "5", "{serial}");
        assert_eq!(doc["components"][0]["purl"], "pkg:npm/left-pad@1.3.0");
        assert_eq!(doc["metadata"]["timestamp"], "1970-01-01T00:00:00Z");
        let mut manifest = Manifest {
            project: "p".into(),
            version: "1.0.0".into(),
            commit: "c".into(),
            dirty: false,
            source_date_epoch: 0,
            source_date: String::new(),
            files: vec![rec.clone(), record("site.zip.cdx.json", ArtifactKind::Sbom)],
            signature: None,
        };
        let mut digests = BTreeMap::from([("site.zip".to_string(), "a".repeat(64))]);
        assert!(check("site.zip.cdx.json", &one, &manifest, &digests).is_empty());
        digests.insert("site.zip".into(), "c".repeat(64));
        let found = check("site.zip.cdx.json", &one, &manifest, &digests);
        assert!(found[0].starts_with("metadata.component's SHA-256 of site.zip is aaaa"), "{found:?}");
        assert_eq!(check("other.zip.cdx.json", &one, &manifest, &digests), ["describes \"site.zip\", not other.zip"]);
        assert!(check("x.cdx.json", "{}", &manifest, &digests)[0].contains("not a CycloneDX SBOM"));
        manifest.files.remove(0);
        assert_eq!(
            check("site.zip.cdx.json", &one, &manifest, &digests),
            ["describes site.zip, which manifest.json does not list as an artifact"]
        );
    }

    #[test]
    fn lockfiles_by_artifact() {
        let files = FileList::from_paths(
            [
                "uv.lock",
                "backend/pyproject.toml",
                "backend/requirements.txt",
                "web/package.json",
                "web/package-lock.json",
                "docs/index.md",
                "xtask/Cargo.lock",
                "Cargo.lock",
                "Cargo.toml",
            ]
            .map(String::from)
            .to_vec(),
        );
        let tooling = Tooling { paths: vec!["xtask".into()], ..Tooling::default() };
        let of = |kind, cwd| lockfiles_for(kind, cwd, &files, &tooling);
        assert_eq!(of(ArtifactKind::Wheel, "backend"), ["backend/requirements.txt"]);
        assert_eq!(of(ArtifactKind::Zip, "web"), ["web/package-lock.json"]);
        assert!(of(ArtifactKind::Zip, "docs").is_empty());
        // A uv workspace: the lock is at the root.
        assert_eq!(of(ArtifactKind::Sdist, "lib"), ["uv.lock"]);
        assert_eq!(
            of(ArtifactKind::Source, ""),
            ["Cargo.lock", "backend/requirements.txt", "uv.lock", "web/package-lock.json"]
        );
    }
}
