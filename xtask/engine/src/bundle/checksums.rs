//! `SHA256SUMS` (the format `sha256sum -c` reads) and `manifest.json` (what was built, from
//! which commit, and each file's size, digest and kind).

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const SUMS: &str = "SHA256SUMS";
pub const MANIFEST: &str = "manifest.json";

/// What an artifact is, which decides what `--verify` looks for inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    /// The source archive: every tracked file under `NAME-VERSION/`.
    Source,
    /// A Python wheel (the version is in its file name).
    Wheel,
    /// A Python sdist: one top folder `DIST-VERSION/`.
    Sdist,
    /// A zip bundle (the version of a `package.json` at its root is checked).
    Zip,
    /// A tar.gz bundle.
    #[serde(rename = "tar.gz")]
    TarGz,
    /// Any other collected file.
    File,
    /// The CycloneDX SBOM of an artifact (`ARTIFACT.cdx.json`).
    Sbom,
    /// The in-toto statement whose subjects are the artifacts and SBOMs.
    Statement,
}

/// One file of the bundle set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    pub name: String,
    pub size: u64,
    pub sha256: String,
    pub kind: ArtifactKind,
    /// The `[[bundle]]` it came from (`source` for the source archive).
    pub bundle: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub project: String,
    /// The canonical (SemVer) version; Python artifacts carry its PEP 440 form.
    pub version: String,
    pub commit: String,
    /// Built from a work tree whose tracked files had changes (`--allow-dirty`).
    pub dirty: bool,
    /// Every timestamp inside the archives (the commit time or `SOURCE_DATE_EPOCH`).
    pub source_date_epoch: i64,
    pub source_date: String,
    pub files: Vec<FileRecord>,
    /// The detached signature of `SHA256SUMS`, when `[bundles] sign` is set. Not in
    /// `files`: `SHA256SUMS` cannot list its own signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureRecord>,
}

/// `manifest.json`'s `signature`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureRecord {
    /// `SHA256SUMS.asc` (gpg) or `SHA256SUMS.sig` (ssh).
    pub name: String,
    pub method: crate::config::SignMethod,
    /// The file it signs: `SHA256SUMS`.
    pub signs: String,
}

impl Manifest {
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a manifest serialises");
        text.push('\n');
        text
    }

    /// `SHA256SUMS`: one `DIGEST  NAME` line per file, sorted by name; a name holding a
    /// newline, a carriage return or a backslash is escaped as `sha256sum` does it (the line
    /// starts with `\\`, and they are written `\\n`, `\\r`, `\\\\`).
    pub fn sums(&self) -> String {
        let mut files: Vec<&FileRecord> = self.files.iter().collect();
        files.sort_by(|a, b| a.name.cmp(&b.name));
        files
            .iter()
            .map(|f| {
                if f.name.contains(['\\', '\n', '\r']) {
                    let name = f.name.replace('\\', "\\\\").replace('\n', "\\n").replace('\r', "\\r");
                    format!("\\{}  {name}\n", f.sha256)
                } else {
                    format!("{}  {}\n", f.sha256, f.name)
                }
            })
            .collect()
    }
}

/// `a\\nb` -> `a` newline `b`: the names of `sha256sum`'s escaped lines.
fn unescape(name: &str, line: usize) -> Result<String> {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            _ => bail!("{SUMS}, line {line}: a `\\` that is not `\\\\`, `\\n` or `\\r` in an escaped name"),
        }
    }
    Ok(out)
}

/// Parse `SHA256SUMS` into (name, digest) pairs; malformed lines are errors with their number.
pub fn parse_sums(text: &str) -> Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (escaped, line) = match line.strip_prefix('\\') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let Some((digest, name)) = line.split_once(' ') else {
            bail!("{SUMS}, line {}: expected `DIGEST  NAME`", i + 1);
        };
        let name = name.strip_prefix(' ').or_else(|| name.strip_prefix('*')).unwrap_or(name);
        if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("{SUMS}, line {}: `{digest}` is not a SHA-256 digest", i + 1);
        }
        let name = if escaped { unescape(name, i + 1)? } else { name.to_string() };
        pairs.push((name, digest.to_ascii_lowercase()));
    }
    Ok(pairs)
}

/// Size and SHA-256 (lowercase hex) of a file.
pub fn digest_file(path: &Path, shown: &str) -> Result<(u64, String)> {
    let mut file = std::fs::File::open(path).with_context(|| format!("{shown}: cannot read the file"))?;
    digest_reader(&mut file, shown)
}

/// Size and SHA-256 (lowercase hex) of everything `file` reads.
pub fn digest_reader(file: &mut dyn Read, shown: &str) -> Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).with_context(|| format!("{shown}: cannot read the file"))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex(&hasher.finalize())))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `2026-01-01T00:00:00Z`.
pub fn rfc3339(epoch: i64) -> String {
    let (days, secs) = (epoch.div_euclid(86_400), epoch.rem_euclid(86_400));
    let (y, m, d) = super::zip::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A manifest of these files, each with its digest character repeated.
    fn manifest(files: &[(&str, char)]) -> Manifest {
        let rec = |&(name, c): &(&str, char)| FileRecord {
            name: name.into(),
            size: 1,
            sha256: c.to_string().repeat(64),
            kind: ArtifactKind::File,
            bundle: "b".into(),
        };
        Manifest {
            project: "p".into(),
            version: "1.0.0".into(),
            commit: "c".into(),
            dirty: false,
            source_date_epoch: 0,
            source_date: rfc3339(0),
            files: files.iter().map(rec).collect(),
            signature: None,
        }
    }

    #[test]
    fn sums_are_sorted_and_read_back() {
        let m = manifest(&[("z.zip", 'a'), ("a.whl", 'b')]);
        let sums = m.sums();
        assert_eq!(sums, format!("{}  a.whl\n{}  z.zip\n", "b".repeat(64), "a".repeat(64)));
        assert_eq!(parse_sums(&sums).unwrap()[1], ("z.zip".to_string(), "a".repeat(64)));
        assert!(parse_sums("xyz  a\n").unwrap_err().to_string().contains("line 1"));
        let back: Manifest = serde_json::from_str(&m.to_json()).unwrap();
        assert_eq!(back, m);
        assert!(m.to_json().contains("\"kind\": \"file\""));
    }

    #[test]
    fn names_with_newlines_are_escaped_as_sha256sum_does() {
        let m = manifest(&[("a\nb.whl", 'a'), ("c\\d\re", 'a')]);
        let sums = m.sums();
        let a = "a".repeat(64);
        assert_eq!(sums, format!("\\{a}  a\\nb.whl\n\\{a}  c\\\\d\\re\n"));
        let back = parse_sums(&sums).unwrap();
        assert_eq!(back, [("a\nb.whl".to_string(), a.clone()), ("c\\d\re".to_string(), a.clone())]);
        assert!(parse_sums(&format!("\\{a}  x\\q\n")).unwrap_err().to_string().contains("line 1"));
    }

    #[test]
    fn dates() {
        assert_eq!(rfc3339(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400 + 3661), "2000-02-29T01:01:01Z");
    }

    #[test]
    fn digests_match_sha256sum() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"abc").unwrap();
        let (size, digest) = digest_file(&p, "f").unwrap();
        assert_eq!(size, 3);
        assert_eq!(digest, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
