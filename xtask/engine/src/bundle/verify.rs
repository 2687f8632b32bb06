//! `bundle --verify DIR`: every checksum, every archive's integrity (zip CRCs, the gzip trailer,
//! each tar member read in full), safe member names, and the version inside each artifact
//! against `manifest.json`. Every mismatch is listed; any mismatch is exit 1.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::checksums::{self, ArtifactKind, FileRecord, MANIFEST, Manifest, SUMS};
use super::entry;
use crate::config::Form;
use crate::error::Verdict;
use crate::output::{Style, Ui};
use crate::version::Version;

/// Check the bundle set in `dir`.
pub fn run(dir: &Path, ui: &Ui) -> Result<Verdict> {
    let shown = dir.display().to_string();
    if !dir.is_dir() {
        bail!("{shown}: no such folder; pass the output folder of `cargo xtask bundle` (dist by default)");
    }
    let manifest_path = dir.join(MANIFEST);
    if !manifest_path.exists() {
        bail!("{shown}: no {MANIFEST}, so not a bundle folder; build one with `cargo xtask bundle`");
    }
    let problems = check(dir);
    let files = std::fs::read_to_string(&manifest_path)
        .ok()
        .and_then(|t| serde_json::from_str::<Manifest>(&t).ok())
        .map(|m| m.files.len())
        .unwrap_or(0);
    if ui.json {
        ui.json_doc(
            &serde_json::json!({ "ok": problems.is_empty(), "dir": shown, "files": files, "mismatches": problems }),
        );
    } else if problems.is_empty() {
        ui.summary(format!("{shown}: {files} files verified (checksums, archives, versions)\n"));
    } else {
        let label = ui.paint(Style::Red, "mismatch:");
        let mut text = String::new();
        for p in &problems {
            text.push_str(&format!("{label} {p}\n"));
        }
        ui.out(text);
        ui.err_line(&format!("{shown}: {} mismatches; rebuild with `cargo xtask bundle`", problems.len()));
    }
    Ok(Verdict::from_ok(problems.is_empty()))
}

/// Every mismatch in the folder, one line each, naming the file.
pub fn check(dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let manifest = match std::fs::read_to_string(dir.join(MANIFEST)).map_err(anyhow::Error::from).and_then(|t| {
        serde_json::from_str::<Manifest>(&t).with_context(|| format!("{MANIFEST}: not a bundle manifest"))
    }) {
        Ok(m) => m,
        Err(err) => return vec![format!("{err:#}")],
    };
    match std::fs::read_to_string(dir.join(SUMS)).map_err(anyhow::Error::from).and_then(|t| checksums::parse_sums(&t)) {
        Ok(sums) => {
            for (name, digest) in &sums {
                match manifest.files.iter().find(|f| &f.name == name) {
                    None => problems.push(format!("{SUMS}: lists {name}, which {MANIFEST} does not")),
                    Some(f) if &f.sha256 != digest => {
                        problems.push(format!("{SUMS}: the digest of {name} differs from {MANIFEST}'s"))
                    }
                    Some(_) => {}
                }
            }
            for f in &manifest.files {
                if !sums.iter().any(|(n, _)| n == &f.name) {
                    problems.push(format!("{SUMS}: does not list {}", f.name));
                }
            }
        }
        Err(err) => problems.push(format!("{SUMS}: {err:#}")),
    }
    for f in &manifest.files {
        problems.extend(check_file(dir, f, &manifest).into_iter().map(|p| format!("{}: {p}", f.name)));
    }
    problems
}

fn check_file(dir: &Path, f: &FileRecord, manifest: &Manifest) -> Vec<String> {
    if f.name.contains('/') || f.name.starts_with('.') {
        return vec!["not a plain file name".into()];
    }
    let path = dir.join(&f.name);
    let (size, digest) = match checksums::digest_file(&path, &f.name) {
        Ok(found) => found,
        Err(_) if !path.exists() => return vec!["missing".into()],
        Err(err) => return vec![format!("{err:#}")],
    };
    let mut problems = Vec::new();
    if digest != f.sha256 {
        problems.push(format!("checksum mismatch (expected {}, found {digest})", f.sha256));
    }
    if size != f.size {
        problems.push(format!("size {size} bytes, the manifest says {}", f.size));
    }
    let inside = match f.kind {
        ArtifactKind::Wheel => zip_members(&path).and_then(|_| wheel_version(&f.name, &manifest.version)),
        ArtifactKind::Zip => zip_members(&path).and_then(|package_json| match package_json {
            Some(text) => package_version(&text, &manifest.version),
            None => Ok(()),
        }),
        ArtifactKind::Sdist => tar_members(&path).and_then(|names| {
            let stem = f.name.trim_end_matches(".tar.gz").trim_end_matches(".tgz");
            one_top(&names, stem)?;
            let version = stem.rsplit_once('-').map(|(_, v)| v).unwrap_or("");
            same_version(version, &manifest.version, "the sdist's name", Form::Pep440)
        }),
        ArtifactKind::Source => tar_members(&path).and_then(|names| {
            let top = format!("{}-{}", file_stem_project(&manifest.project), manifest.version);
            if f.name != format!("{top}.tar.gz") {
                bail!("the source archive should be named {top}.tar.gz for version {}", manifest.version);
            }
            one_top(&names, &top)
        }),
        ArtifactKind::TarGz => tar_members(&path).map(|_| ()),
        ArtifactKind::File => Ok(()),
    };
    if let Err(err) = inside {
        problems.push(format!("{err:#}"));
    }
    problems
}

/// Read every member (the zip crate checks each CRC); the root `package.json`, if any.
fn zip_members(path: &Path) -> Result<Option<String>> {
    let file = std::fs::File::open(path).context("cannot read the file")?;
    let mut archive = ::zip::ZipArchive::new(std::io::BufReader::new(file)).context("not a valid zip archive")?;
    let mut package_json = None;
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).with_context(|| format!("member {i} is damaged"))?;
        let name = member.name().map(|n| n.into_owned()).unwrap_or_default();
        entry::check_name(&name).with_context(|| "an unsafe member name".to_string())?;
        let mut data = Vec::new();
        if name == "package.json" {
            member.read_to_end(&mut data).with_context(|| format!("{name}: damaged (CRC or data)"))?;
            package_json = Some(String::from_utf8_lossy(&data).into_owned());
        } else {
            std::io::copy(&mut member, &mut std::io::sink())
                .with_context(|| format!("{name}: damaged (CRC or data)"))?;
        }
    }
    Ok(package_json)
}

/// Read the whole gzip stream (its CRC and length) and every tar member; their names.
fn tar_members(path: &Path) -> Result<Vec<String>> {
    let file = std::fs::File::open(path).context("cannot read the file")?;
    let gz = flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file));
    let mut archive = tar::Archive::new(gz);
    let mut names = Vec::new();
    for item in archive.entries().context("not a tar.gz archive")? {
        let mut item = item.context("a damaged tar member")?;
        let name = String::from_utf8_lossy(&item.path_bytes()).into_owned();
        entry::check_name(&name).with_context(|| "an unsafe member name".to_string())?;
        std::io::copy(&mut item, &mut std::io::sink()).with_context(|| format!("{name}: damaged"))?;
        names.push(name);
    }
    // The rest of the stream (end blocks, padding), so the gzip trailer's CRC is checked too.
    std::io::copy(&mut archive.into_inner(), &mut std::io::sink()).context("the gzip stream is damaged")?;
    Ok(names)
}

fn one_top(names: &[String], top: &str) -> Result<()> {
    let outside: Vec<&String> = names.iter().filter(|n| n.split('/').next() != Some(top)).collect();
    if let Some(first) = outside.first() {
        bail!("{} members are outside the folder {top}/ (first: {first})", outside.len());
    }
    Ok(())
}

/// `lotgenius-1.2.0rc1-py3-none-any.whl`: the second dash-separated field.
fn wheel_version(name: &str, version: &str) -> Result<()> {
    let found = name.split('-').nth(1).context("not a wheel file name (DIST-VERSION-TAGS.whl)")?;
    same_version(found, version, "the wheel's name", Form::Pep440)
}

fn package_version(text: &str, version: &str) -> Result<()> {
    let json: serde_json::Value = serde_json::from_str(text).context("package.json is not valid JSON")?;
    let found = json.get("version").and_then(|v| v.as_str()).context("package.json has no version")?;
    same_version(found, version, "package.json", Form::Semver)
}

/// `found`, read by the grammar of where it is (a wheel says `1.2.0rc1`, package.json
/// `1.2.0-rc.1`), is `version`.
fn same_version(found: &str, version: &str, what: &str, form: Form) -> Result<()> {
    let expected = Version::parse(version).with_context(|| format!("{MANIFEST}: bad version"))?;
    match Version::read(found, form) {
        Ok(v) if expected.is_held_as(&v, form) => Ok(()),
        Ok(_) => bail!("{what} says version {found}, the manifest {version}"),
        Err(_) => bail!("{what} says version {found}, which is not a version; the manifest says {version}"),
    }
}

fn file_stem_project(project: &str) -> String {
    super::plan::file_safe(project)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_across_forms() {
        wheel_version("lotgenius-1.2.0rc1-py3-none-any.whl", "1.2.0-rc.1").unwrap();
        wheel_version("lotgenius-1.2.0-py3-none-any.whl", "1.2.0").unwrap();
        // A glued SemVer pre-release (npm style) is the same PEP 440 version in a wheel's name.
        wheel_version("lotgenius-1.2.0rc1-py3-none-any.whl", "1.2.0-rc1").unwrap();
        assert!(package_version(r#"{"version": "1.2.0-rc.1"}"#, "1.2.0-rc1").is_err());
        let err = wheel_version("lotgenius-1.1.0-py3-none-any.whl", "1.2.0").unwrap_err().to_string();
        assert_eq!(err, "the wheel's name says version 1.1.0, the manifest 1.2.0");
        package_version(r#"{"name": "x", "version": "1.2.0-rc.1"}"#, "1.2.0-rc.1").unwrap();
        assert!(package_version(r#"{"name": "x"}"#, "1.0.0").is_err());
        assert!(same_version("banana", "1.0.0", "x", Form::Semver).unwrap_err().to_string().contains("not a version"));
    }

    #[test]
    fn one_top_folder() {
        one_top(&["p-1/".into(), "p-1/a".into()], "p-1").unwrap();
        let err = one_top(&["p-1/a".into(), "evil".into()], "p-1").unwrap_err().to_string();
        assert!(err.contains("1 members are outside the folder p-1/ (first: evil)"), "{err}");
    }
}
