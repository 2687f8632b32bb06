//! The source archive `NAME-VERSION.tar.gz`: exactly the files git tracks at the commit, read
//! from git's objects (never the work tree), under one top folder `NAME-VERSION/`.

use std::collections::BTreeSet;
use std::io::Write;

use anyhow::{Context, Result};

use super::entry::{self, Kind};
use super::targz;
use super::zip::{Options, Written};
use crate::repo::Repo;
use crate::repo::archive::TreeKind;

/// One member of the source archive, its bytes still in git.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The name inside the archive, under the top folder.
    pub name: String,
    pub kind: Kind,
    pub size: u64,
    /// The blob to read (files only).
    pub oid: Option<String>,
}

/// The source archive's members, checked: folders (each before its contents), files and
/// symlinks that stay inside, sorted by name. Submodules are skipped and returned by path.
pub fn gather(repo: &Repo, commit: &str, top: &str) -> Result<(Vec<Member>, Vec<String>)> {
    entry::check_name(top)?;
    let tree = repo.ls_tree(commit)?;
    let mut blobs = repo.blobs()?;
    let mut members = Vec::with_capacity(tree.len() + tree.len() / 4);
    let mut dirs = BTreeSet::new();
    let mut submodules = Vec::new();
    dirs.insert(format!("{top}/"));
    for t in tree {
        let name = format!("{top}/{}", t.path);
        entry::check_name(&name).with_context(|| format!("{}: cannot be put in the source archive", t.path))?;
        let mut parent = t.path.as_str();
        while let Some(i) = parent.rfind('/') {
            parent = &parent[..i];
            dirs.insert(format!("{top}/{parent}/"));
        }
        match t.kind {
            TreeKind::File { executable } => {
                members.push(Member { name, kind: Kind::File { executable }, size: t.size, oid: Some(t.oid) })
            }
            TreeKind::Symlink => {
                let target = String::from_utf8(blobs.read(&t.oid)?)
                    .with_context(|| format!("{}: the symlink target is not UTF-8", t.path))?;
                let shown = format!("{} (tracked symlink at {})", t.path, &commit[..commit.len().min(12)]);
                entry::check_symlink(&t.path, &target, &shown)?;
                members.push(Member { name, kind: Kind::Symlink { target }, size: 0, oid: None })
            }
            TreeKind::Submodule => submodules.push(t.path),
        }
    }
    members.extend(dirs.into_iter().map(|name| Member { name, kind: Kind::Dir, size: 0, oid: None }));
    members.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((members, submodules))
}

/// Write the members as a tar.gz, reading blobs through one `git cat-file --batch`.
pub fn write<W: Write>(repo: &Repo, members: &[Member], out: &mut W, opts: &Options) -> Result<Written> {
    let mut blobs = repo.blobs()?;
    targz::write_stream(out, opts, |tar| {
        for m in members {
            match &m.oid {
                Some(oid) => {
                    let mut content = blobs.open(oid)?;
                    tar.append(&m.name, &m.kind, m.size, &mut content, &m.name)?;
                }
                None => tar.append(&m.name, &m.kind, 0, &mut std::io::empty(), &m.name)?,
            }
        }
        Ok(())
    })
}
