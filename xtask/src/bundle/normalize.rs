//! Collected artifacts made reproducible: a `.tar.gz` that a build tool wrote with the time of
//! the build (setuptools' sdist does) is rewritten with the same members, in the same order and
//! with the same bytes, but our fixed time, modes, owners and gzip header. Other files (wheels,
//! whose builders honour `SOURCE_DATE_EPOCH`) are copied as they are.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::entry::{self, Kind};
use super::targz;
use super::zip::{Options, Written};

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
