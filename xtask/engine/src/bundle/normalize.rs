//! Collected artifacts made reproducible: a `.tar.gz` or a zip (`.whl`, `.zip`) that a build
//! tool wrote with the build's time (setuptools' sdist) or the build machine's umask (wheels)
//! is rewritten with the same members, in the same order, with the same contents, but our fixed
//! time, normalised modes, no owners, and our gzip header or zip fields. Other files are copied
//! as they are.

use std::collections::BTreeSet;
use std::io::{Read, Seek, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::entry::{self, Entry, Kind, Open, Source};
use super::unzip::Archive;
use super::zip::{Options, Written};
use super::{targz, zip};

/// Whether [`rewrite_zip`] applies to a collected file of this name.
pub fn is_zip(name: &str) -> bool {
    name.ends_with(".whl") || name.ends_with(".zip")
}

/// Whether [`rewrite_targz`] applies to a collected file of this name.
pub fn is_targz(name: &str) -> bool {
    name.ends_with(".tar.gz") || name.ends_with(".tgz")
}

/// Rewrite the tar.gz at `src` (shown as `shown`) into `out`; returns the top folders (first
/// name components) of its members too.
pub fn rewrite_targz<W: Write>(
    src: &Path,
    shown: &str,
    out: &mut W,
    opts: &Options,
) -> Result<(Written, BTreeSet<String>)> {
    let file = std::fs::File::open(src).with_context(|| format!("{shown}: cannot read the file"))?;
    let decoder = flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file));
    let mut archive = tar::Archive::new(decoder);
    let mut tops = BTreeSet::new();
    let tops_ref = &mut tops;
    let written = targz::write_stream(out, opts, move |tar| {
        let entries = archive.entries().with_context(|| format!("{shown}: not a tar.gz archive"))?;
        for item in entries {
            let mut item = item.with_context(|| format!("{shown}: the archive is damaged"))?;
            let header = item.header();
            let path = item.path_bytes();
            let name = String::from_utf8(path.to_vec())
                .with_context(|| format!("{shown}: a member name is not UTF-8"))?
                .trim_end_matches('/')
                .to_string();
            let member = format!("{shown}: {name}");
            let mode = header.mode().with_context(|| format!("{member}: bad mode"))?;
            let kind = match header.entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => Kind::File { executable: mode & 0o111 != 0 },
                tar::EntryType::Directory => Kind::Dir,
                tar::EntryType::Symlink => {
                    let target = item
                        .link_name_bytes()
                        .map(|l| String::from_utf8_lossy(&l).into_owned())
                        .with_context(|| format!("{member}: a symlink without a target"))?;
                    entry::check_symlink(&name, &target, &member)?;
                    Kind::Symlink { target }
                }
                tar::EntryType::XGlobalHeader => continue,
                other => bail!("{member}: unsupported member type {other:?} in a collected archive"),
            };
            let size = if matches!(kind, Kind::File { .. }) { item.size() } else { 0 };
            entry::check_name(&name).with_context(|| format!("{shown}: cannot be normalised"))?;
            tops_ref.insert(name.split('/').next().unwrap_or_default().to_string());
            tar.append(&name, &kind, size, &mut item, &member)?;
        }
        Ok(())
    })?;
    Ok((written, tops))
}

/// Rewrite the zip at `src` (shown as `shown`) into `out`: each member decompressed (its CRC
/// checked) and written again by our zip writer, in the original order.
pub fn rewrite_zip<W: Write + Seek>(src: &Path, shown: &str, out: &mut W, opts: &Options) -> Result<Written> {
    let file = std::fs::File::open(src).with_context(|| format!("{shown}: cannot read the file"))?;
    let mut archive =
        Archive::new(std::io::BufReader::new(file)).with_context(|| format!("{shown}: not a zip archive"))?;
    let mut entries = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut member = archive.open(i).with_context(|| format!("{shown}: member {i} is damaged"))?;
        let record = member.record;
        let name = String::from_utf8(record.name.clone())
            .with_context(|| format!("{shown}: member {i} has a name that is not UTF-8"))?;
        let member_shown = format!("{shown}: {name}");
        let mode = record.mode.unwrap_or(0o644);
        let e = if record.is_dir() {
            Entry::dir(name.trim_end_matches('/').to_string() + "/")
        } else if record.is_symlink() {
            let mut target = String::new();
            member.read_to_string(&mut target).with_context(|| format!("{member_shown}: cannot read the link"))?;
            entry::check_symlink(&name, &target, &member_shown)?;
            Entry::symlink(name, target)
        } else {
            Entry {
                name,
                kind: Kind::File { executable: mode & 0o111 != 0 },
                size: record.size,
                source: Source::Member(i),
            }
        };
        entry::check_name(&e.name).with_context(|| format!("{shown}: cannot be normalised"))?;
        entries.push(e);
    }
    zip::write(out, &entries, &mut Members { archive, shown: shown.to_string() }, opts)
}

/// Opens the members of the zip being normalised.
struct Members<R> {
    archive: Archive<R>,
    shown: String,
}

impl<R: Read + Seek + Send> Open for Members<R> {
    fn open<'a>(&'a mut self, e: &Entry) -> Result<Box<dyn Read + 'a>> {
        match e.source {
            Source::Member(i) => {
                let member = self
                    .archive
                    .open(i)
                    .with_context(|| format!("{}: {}: cannot read the member", self.shown, e.name))?;
                Ok(Box::new(member))
            }
            _ => entry::open_plain(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A zip and a tar.gz as Python writes them: build-time stamps, a 0600 file, an executable.
    fn python_archives(dir: &Path) {
        let script = r#"
import io, tarfile, zipfile, sys, time
d = sys.argv[1]
with zipfile.ZipFile(d + "/w.whl", "w", zipfile.ZIP_DEFLATED) as z:
    for name, mode, data in [("pkg/b.py", 0o600, b"b = 2\n" * 50), ("pkg/a.py", 0o755, b"a = 1\n"), ("pkg-1.0.dist-info/RECORD", 0o644, b"r\n")]:
        info = zipfile.ZipInfo(name, date_time=(2024, 5, 6, 7, 8, 10))
        info.external_attr = (0o100000 | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)
with tarfile.open(d + "/s.tar.gz", "w:gz") as t:
    for name, mode, data in [("s-1.0/z.txt", 0o600, b"z"), ("s-1.0/a.txt", 0o664, b"a" * 3000)]:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime, info.uname, info.uid = len(data), mode, time.time(), "builder", 1000
        t.addfile(info, io.BytesIO(data))
"#;
        let out = std::process::Command::new("python3").args(["-c", script]).arg(dir).output().expect("python3 runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    #[test]
    fn collected_archives_keep_order_and_contents_with_our_stamps() {
        let dir = tempfile::tempdir().unwrap();
        python_archives(dir.path());
        let opts = Options { epoch: 1_767_225_600, threads: 2, piece: 1 << 20, force_zip64: false };

        let mut zip_out = Cursor::new(Vec::new());
        rewrite_zip(&dir.path().join("w.whl"), "w.whl", &mut zip_out, &opts).unwrap();
        let mut z = Archive::new(Cursor::new(zip_out.into_inner())).unwrap();
        let mut seen = Vec::new();
        for i in 0..z.len() {
            let mut f = z.open(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            seen.push((f.record.shown(), f.record.mode.unwrap(), f.record.year(), data.len()));
        }
        assert_eq!(
            seen,
            [
                ("pkg/b.py".to_string(), 0o100644, 2026, 300),
                ("pkg/a.py".to_string(), 0o100755, 2026, 6),
                ("pkg-1.0.dist-info/RECORD".to_string(), 0o100644, 2026, 2),
            ]
        );

        let mut tar_out = Vec::new();
        let (_, tops) = rewrite_targz(&dir.path().join("s.tar.gz"), "s.tar.gz", &mut tar_out, &opts).unwrap();
        assert_eq!(tops.into_iter().collect::<Vec<_>>(), ["s-1.0"]);
        let mut t = tar::Archive::new(flate2::read::GzDecoder::new(&tar_out[..]));
        let members: Vec<(String, u32, u64, u64)> = t
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let h = e.header();
                (
                    e.path().unwrap().to_string_lossy().into_owned(),
                    h.mode().unwrap(),
                    h.mtime().unwrap(),
                    h.uid().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            members,
            [
                ("s-1.0/z.txt".to_string(), 0o644, 1_767_225_600, 0),
                ("s-1.0/a.txt".to_string(), 0o644, 1_767_225_600, 0)
            ]
        );
    }
}
