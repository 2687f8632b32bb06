//! `bundle --verify DIR`: every checksum, every archive's integrity (zip CRCs, the gzip trailer,
//! each tar member read in full), every member safe to unpack, the version inside each
//! artifact against `manifest.json`, each SBOM's artifact hash, the in-toto statement's
//! subjects, and the signature of `SHA256SUMS`. Only regular files inside DIR are read, never
//! through a symlink. Every mismatch is listed; any mismatch is exit 1.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::checksums::{self, ArtifactKind, FileRecord, MANIFEST, Manifest, SUMS};
use super::members::{Member, Members};
use super::unzip::Archive;
use crate::config::{BundleSettings, Form};
use crate::error::Verdict;
use crate::output::safe as escaped;
use crate::output::{Style, Ui};
use crate::version::Version;

/// Check the bundle set in `dir`; `settings` and `root` say how a signature is checked.
pub fn run(dir: &Path, settings: &BundleSettings, root: &Path, ui: &Ui) -> Result<Verdict> {
    let shown = escaped(&dir.display().to_string()).into_owned();
    if !dir.is_dir() {
        bail!("{shown}: no such folder; pass the output folder of `cargo xtask bundle` (dist by default)");
    }
    // DIR itself may be a link to the folder; nothing inside it is followed.
    let dir = dir.canonicalize().with_context(|| format!("{shown}: cannot resolve the folder"))?;
    if std::fs::symlink_metadata(dir.join(MANIFEST)).is_err() {
        // With packages, `dist` holds a bundle folder per package.
        let sets = bundle_folders(&dir);
        if let Some(first) = sets.first() {
            let shown_sets: Vec<String> = sets.iter().map(|s| format!("{shown}/{s}")).collect();
            bail!(
                "{shown}: no {MANIFEST}, so not a bundle folder; it holds the bundle folders {}: verify each, such as `cargo xtask bundle --verify {shown}/{first}`",
                shown_sets.join(", ")
            );
        }
        bail!("{shown}: no {MANIFEST}, so not a bundle folder; build one with `cargo xtask bundle`");
    }
    let Checked { files, problems, notes, signed } = check(&dir, settings, root);
    if ui.json {
        ui.json_doc(&serde_json::json!({
            "ok": problems.is_empty(), "dir": shown, "files": files, "mismatches": problems, "notes": notes,
        }));
        return Ok(Verdict::from_ok(problems.is_empty()));
    }
    if !ui.quiet {
        for note in &notes {
            ui.warn(escaped(note));
        }
    }
    if problems.is_empty() {
        let what = if signed {
            "checksums, signature, archives, versions, SBOMs, statement"
        } else {
            "checksums, archives, versions, SBOMs, statement"
        };
        ui.summary(format!("{shown}: {files} files verified ({what})\n"));
    } else {
        let label = ui.paint(Style::Red, "mismatch:");
        let mut text = String::new();
        for p in &problems {
            text.push_str(&format!("{label} {}\n", escaped(p)));
        }
        ui.out(text);
        ui.err_line(&format!("{shown}: {} mismatches; rebuild with `cargo xtask bundle`", problems.len()));
    }
    Ok(Verdict::from_ok(problems.is_empty()))
}

/// The sub-folders of `dir` that hold a `manifest.json` (the packages' bundle folders), sorted.
fn bundle_folders(dir: &Path) -> Vec<String> {
    let Ok(read) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut found: Vec<String> = read
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()) && e.path().join(MANIFEST).is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    found.sort();
    found
}

/// What `check` found.
pub struct Checked {
    /// The number of files the manifest lists.
    pub files: usize,
    /// Every mismatch, one line each, naming the file.
    pub problems: Vec<String>,
    /// What passed but should be known (a signer that was not checked).
    pub notes: Vec<String>,
    /// The manifest lists a signature.
    pub signed: bool,
}

/// Check the folder.
pub fn check(dir: &Path, settings: &BundleSettings, root: &Path) -> Checked {
    let manifest = match read_regular(dir, MANIFEST).and_then(|t| {
        serde_json::from_str::<Manifest>(&t).with_context(|| format!("{MANIFEST}: not a bundle manifest"))
    }) {
        Ok(m) => m,
        Err(err) => return Checked { files: 0, problems: vec![format!("{err:#}")], notes: vec![], signed: false },
    };
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let sums_text = read_regular(dir, SUMS);
    let expected = manifest.signature.as_ref().map(|sig| super::sign::file_for(sig.method));
    if let (Some(sig), Some(expected)) = (&manifest.signature, expected)
        && (sig.name != expected || sig.signs != SUMS)
    {
        problems.push(format!(
            "{MANIFEST}: a {} signature is {expected} of {SUMS}, not {} of {}",
            super::sign::name(sig.method),
            escaped(&sig.name),
            escaped(&sig.signs)
        ));
    } else if let Some(sig) = &manifest.signature {
        match (&sums_text, open_regular(dir, &sig.name)) {
            (Ok(text), Ok(Some(_))) => {
                match super::sign::verify(sig, &dir.join(&sig.name), text.as_bytes(), settings, root) {
                    Ok(note) => notes.extend(note),
                    Err(err) => problems.push(format!("{}: {err:#}", sig.name)),
                }
            }
            (Err(_), _) => problems.push(format!("{}: {SUMS}, which it signs, cannot be read", sig.name)),
            (_, Ok(None)) => problems.push(format!("{}: missing ({MANIFEST} says {SUMS} is signed)", sig.name)),
            (_, Err(err)) => problems.push(format!("{}: {err:#}", sig.name)),
        }
    }
    match sums_text.and_then(|t| checksums::parse_sums(&t)) {
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
        Err(err) => problems.push(format!("{err:#}")),
    }
    let mut digests = BTreeMap::new();
    for f in &manifest.files {
        let (digest, found) = check_file(dir, f, &manifest);
        problems.extend(found.into_iter().map(|p| format!("{}: {p}", f.name)));
        digests.extend(digest.map(|d| (f.name.clone(), d)));
    }
    // What describes the artifacts, against the files as they are.
    for f in &manifest.files {
        let found = match f.kind {
            ArtifactKind::Sbom => super::sbom::check(&f.name, &text_of(dir, &f.name), &manifest, &digests),
            ArtifactKind::Statement => super::intoto::check(&text_of(dir, &f.name), &manifest, &digests),
            _ => continue,
        };
        problems.extend(found.into_iter().map(|p| format!("{}: {p}", f.name)));
    }
    Checked { files: manifest.files.len(), problems, notes, signed: manifest.signature.is_some() }
}

/// The text of a file already found (or reported missing) by `check_file`; empty when it
/// cannot be read, which the document checks then report as not a JSON document.
fn text_of(dir: &Path, name: &str) -> String {
    read_regular(dir, name).unwrap_or_default()
}

/// A file of the folder, opened only when it is a regular file there: not a symlink (to
/// `/etc/passwd` or anywhere), not a pipe or a device. `Ok(None)`: there is no such file.
fn open_regular(dir: &Path, name: &str) -> Result<Option<File>> {
    if name.contains('/') || name.starts_with('.') || name.is_empty() {
        bail!("not a plain file name");
    }
    let path = dir.join(name);
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err).context("cannot read the file"),
    };
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(&path).map(|t| t.display().to_string()).unwrap_or_default();
        bail!("a symlink (to {}), not a file; verify reads only regular files inside the folder", escaped(&target));
    }
    // No following a link swapped in since, and no waiting on a pipe.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(&path)
        .context("cannot read the file (not a regular file?)")?;
    if !file.metadata().context("cannot read the file")?.is_file() {
        bail!("not a regular file; verify reads only regular files inside the folder");
    }
    Ok(Some(file))
}

/// The text of `name` in the folder (`manifest.json`, `SHA256SUMS`), as a regular file.
fn read_regular(dir: &Path, name: &str) -> Result<String> {
    let mut file =
        open_regular(dir, name).with_context(|| name.to_string())?.with_context(|| format!("{name}: missing"))?;
    let mut text = String::new();
    file.read_to_string(&mut text).with_context(|| format!("{name}: cannot read the file (not UTF-8?)"))?;
    Ok(text)
}

/// The digest of the file as found, and what is wrong with it.
fn check_file(dir: &Path, f: &FileRecord, manifest: &Manifest) -> (Option<String>, Vec<String>) {
    let mut file = match open_regular(dir, &f.name) {
        Ok(Some(file)) => file,
        Ok(None) => return (None, vec!["missing".into()]),
        Err(err) => return (None, vec![format!("{err:#}")]),
    };
    let (size, digest) = match checksums::digest_reader(&mut file, &f.name) {
        Ok(found) => found,
        Err(err) => return (None, vec![format!("{err:#}")]),
    };
    let problems = check_contents(file, f, manifest, &digest, size);
    (Some(digest), problems)
}

fn check_contents(mut file: File, f: &FileRecord, manifest: &Manifest, digest: &str, size: u64) -> Vec<String> {
    let mut problems = Vec::new();
    if digest != f.sha256 {
        problems.push(format!("checksum mismatch (expected {}, found {digest})", f.sha256));
    }
    if size != f.size {
        problems.push(format!("size {size} bytes, the manifest says {}", f.size));
    }
    if let Err(err) = file.rewind() {
        problems.push(format!("cannot read the file again ({err})"));
        return problems;
    }
    let mut members = Members::default();
    let inside = match f.kind {
        ArtifactKind::Wheel => zip_members(file, &mut members).and_then(|_| wheel_version(&f.name, &manifest.version)),
        ArtifactKind::Zip => zip_members(file, &mut members).and_then(|package_json| match package_json {
            Some(text) => package_version(&text, &manifest.version),
            None => Ok(()),
        }),
        ArtifactKind::Sdist => tar_members(file, &mut members).and_then(|names| {
            let stem = f.name.trim_end_matches(".tar.gz").trim_end_matches(".tgz");
            one_top(&names, stem)?;
            let version = stem.rsplit_once('-').map(|(_, v)| v).unwrap_or("");
            same_version(version, &manifest.version, "the sdist's name", Form::Pep440)
        }),
        ArtifactKind::Source => tar_members(file, &mut members).and_then(|names| {
            let top = format!("{}-{}", super::plan::file_safe(&manifest.project), manifest.version);
            let want = super::plan::source_file(&top);
            if f.name != want {
                bail!("the source archive should be named {want} for version {}", manifest.version);
            }
            one_top(&names, &top)
        }),
        ArtifactKind::TarGz => tar_members(file, &mut members).map(|_| ()),
        // The documents are checked against the files they describe, after every digest.
        ArtifactKind::File | ArtifactKind::Sbom | ArtifactKind::Statement => Ok(()),
    };
    problems.extend(members.findings);
    if let Err(err) = inside {
        problems.push(format!("{err:#}"));
    }
    problems
}

/// Read every member (each CRC and size checked), checking each is safe to unpack; the root
/// `package.json`, if any.
fn zip_members(file: File, members: &mut Members) -> Result<Option<String>> {
    let mut archive = Archive::new(std::io::BufReader::new(file)).context("not a valid zip archive")?;
    let mut package_json = None;
    for i in 0..archive.len() {
        let mut member = archive.open(i).with_context(|| format!("member {i} is damaged"))?;
        let name = member.record.shown();
        let shown = escaped(&name);
        let mode = member.record.mode.unwrap_or(0);
        let mut data = Vec::new();
        match mode & 0o170_000 {
            0o120_000 => {
                member.by_ref().take(4096).read_to_end(&mut data).with_context(|| format!("{shown}: damaged"))?;
                members.check(&name, Member::Symlink(&String::from_utf8_lossy(&data)));
                continue;
            }
            0o010_000 => members.check(&name, Member::Other("named pipe")),
            0o020_000 => members.check(&name, Member::Other("character device")),
            0o060_000 => members.check(&name, Member::Other("block device")),
            0o140_000 => members.check(&name, Member::Other("socket")),
            _ if member.record.is_dir() => members.check(&name, Member::Dir),
            _ => members.check(&name, Member::File),
        }
        if name == "package.json" {
            member.read_to_end(&mut data).with_context(|| format!("{shown}: damaged (CRC or data)"))?;
            package_json = Some(String::from_utf8_lossy(&data).into_owned());
        } else {
            std::io::copy(&mut member, &mut std::io::sink())
                .with_context(|| format!("{shown}: damaged (CRC or data)"))?;
        }
    }
    Ok(package_json)
}

/// Read the whole gzip stream (its CRC and length) and every tar member, checking each is
/// safe to unpack; their names.
fn tar_members(file: File, members: &mut Members) -> Result<Vec<String>> {
    let gz = flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file));
    let mut archive = tar::Archive::new(gz);
    let mut names = Vec::new();
    for item in archive.entries().context("not a tar.gz archive")? {
        let mut item = item.context("a damaged tar member")?;
        let name = String::from_utf8_lossy(&item.path_bytes()).into_owned();
        let link = item.link_name_bytes().map(|l| String::from_utf8_lossy(&l).into_owned()).unwrap_or_default();
        let member = match item.header().entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous => Member::File,
            tar::EntryType::Directory => Member::Dir,
            tar::EntryType::Symlink => Member::Symlink(&link),
            tar::EntryType::Link => Member::HardLink(&link),
            tar::EntryType::Char => Member::Other("character device"),
            tar::EntryType::Block => Member::Other("block device"),
            tar::EntryType::Fifo => Member::Other("named pipe"),
            tar::EntryType::XGlobalHeader => continue,
            _ => Member::Other("member of an unsupported tar type"),
        };
        members.check(&name, member);
        std::io::copy(&mut item, &mut std::io::sink()).with_context(|| format!("{}: damaged", escaped(&name)))?;
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
