//! What describes a built set, written into the staging folder beside it: the SBOM of each
//! artifact from the lockfiles read before the builds, then the in-toto statement over the
//! artifacts and the SBOMs.

use std::collections::BTreeMap;

use anyhow::Result;

use super::checksums::{self, ArtifactKind, FileRecord};
use super::lockfiles::Component;
use super::plan::{Names, Plan};
use super::stage::Staging;
use super::{intoto, sbom};
use crate::project::Project;

/// The lockfiles every artifact of `plan` may be described from, read and parsed before
/// anything is built: a broken one stops the run with nothing written.
pub fn read_lockfiles(plan: &Plan, project: &Project) -> Result<BTreeMap<String, Vec<Component>>> {
    let of = |kind, cwd: &str| sbom::lockfiles_for(kind, cwd, &project.files, &project.tooling);
    let mut paths: Vec<String> = plan
        .bundles
        .iter()
        .flat_map(|b| [of(ArtifactKind::Wheel, &b.spec.cwd), of(ArtifactKind::Zip, &b.spec.cwd)])
        .flatten()
        .collect();
    if plan.source.is_some() {
        paths.extend(of(ArtifactKind::Source, ""));
    }
    paths.sort();
    paths.dedup();
    sbom::read_lockfiles(project.repo.root(), &paths)
}

/// The facts the documents record.
pub struct Context<'a> {
    pub project: &'a Project,
    /// The set's name (`[release] name`, or the package's): the statement's purl.
    pub name: &'a str,
    pub plan: &'a Plan,
    pub locks: &'a BTreeMap<String, Vec<Component>>,
    pub version: &'a str,
    pub commit: &'a str,
    pub epoch: i64,
}

/// Write the SBOM of each of `artifacts` and the statement; their records.
pub fn write(
    cx: &Context<'_>,
    artifacts: &[FileRecord],
    staging: &Staging,
    names: &mut Names,
) -> Result<Vec<FileRecord>> {
    let mut written = Vec::new();
    for f in artifacts {
        let cwd = cx.plan.bundles.iter().find(|b| b.spec.name == f.bundle).map_or("", |b| b.spec.cwd.as_str());
        let paths = sbom::lockfiles_for(f.kind, cwd, &cx.project.files, &cx.project.tooling);
        let inputs: Vec<(&str, &[Component])> =
            paths.iter().map(|p| (p.as_str(), cx.locks.get(p).map_or(&[][..], Vec::as_slice))).collect();
        let name = sbom::file_name(&f.name);
        names.claim(&name, format!("the SBOM of {}", crate::output::safe(&f.name)))?;
        let text = sbom::document(f, cx.version, cx.epoch, &inputs);
        written.push(put(staging, name, &text, ArtifactKind::Sbom, &f.bundle)?);
    }
    let mut subjects = artifacts.to_vec();
    subjects.extend(written.iter().cloned());
    let text = intoto::document(cx.name, cx.version, cx.commit, &subjects);
    written.push(put(staging, intoto::file_name(&cx.plan.top), &text, ArtifactKind::Statement, "statement")?);
    Ok(written)
}

fn put(staging: &Staging, name: String, text: &str, kind: ArtifactKind, bundle: &str) -> Result<FileRecord> {
    staging.write(&name, |w| Ok(std::io::Write::write_all(w, text.as_bytes())?))?;
    let (size, sha256) = checksums::digest_reader(&mut text.as_bytes(), &name)?;
    Ok(FileRecord { name, size, sha256, kind, bundle: bundle.to_string() })
}
