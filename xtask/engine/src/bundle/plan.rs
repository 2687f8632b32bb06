//! Which artifacts a run makes (pure: from the bundle specs, `--only`, the name and version),
//! and making one bundle's artifacts: build, collect, archive.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};

use super::build::{self, BuildContext};
use super::checksums::{ArtifactKind, MANIFEST, SUMS};
use super::entry::Kind;
use super::normalize;
use super::select::{self, Rules};
use super::stage::Staging;
use super::{targz, zip};
use crate::output::Ui;
use crate::project::{BundleSpec, Origin};

/// The name `--only` uses for the source archive.
pub const SOURCE: &str = "source";

/// The archive format a bundle's name asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Zip,
    TarGz,
}

/// One `[[bundle]]` to make.
#[derive(Debug, Clone)]
pub struct BundlePlan {
    pub spec: BundleSpec,
    /// `None` when the bundle only collects what its build produced.
    pub format: Option<Format>,
}

/// Everything a run makes.
#[derive(Debug, Clone)]
pub struct Plan {
    pub bundles: Vec<BundlePlan>,
    /// The source archive's top folder, `NAME-VERSION`, when it is made.
    pub source: Option<String>,
    /// `NAME-VERSION`, which names the in-toto statement.
    pub top: String,
}

/// A file in the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub name: String,
    pub kind: ArtifactKind,
}

/// Decide what to make. Errors (exit 2) for bad bundle names and unknown `--only` names.
pub fn plan(specs: &[BundleSpec], only: &[String], project: &str, version: &str) -> Result<Plan> {
    let top = format!("{}-{version}", file_safe(project));
    let source_file = source_file(&top);
    let mut bundles = Vec::new();
    for spec in specs {
        check_file_name(&spec.name).with_context(|| format!("bundle `{}` ({})", spec.name, spec.origin.describe()))?;
        if spec.cwd.starts_with('/') || spec.cwd.split('/').any(|part| part == "..") {
            bail!(
                "bundle `{}`: cwd `{}` is outside the repository; give a folder relative to the root",
                spec.name,
                spec.cwd
            );
        }
        let format = if spec.include.is_empty() {
            None
        } else if spec.name.ends_with(".zip") {
            Some(Format::Zip)
        } else if spec.name.ends_with(".tar.gz") || spec.name.ends_with(".tgz") {
            Some(Format::TarGz)
        } else {
            bail!(
                "bundle `{}`: an archive's name ends with .zip or .tar.gz (it decides the format); rename it in xtask.toml",
                spec.name
            );
        };
        if format.is_none() && spec.collect.is_empty() {
            bail!(
                "bundle `{}` makes nothing: give it `include` globs to archive or `collect` globs for what its build produces",
                spec.name
            );
        }
        let mut spec = spec.clone();
        if matches!(spec.origin, Origin::Detected(_)) {
            spec.exclude.extend(select::tool_excludes(&spec.cwd));
        }
        bundles.push(BundlePlan { spec, format });
    }
    check_unique(bundles.iter().map(|b| b.spec.name.as_str()).chain([SOURCE]))
        .context("bundle names must be unique (`source` is the source archive)")?;
    let mut source = Some(top.clone());
    if !only.is_empty() {
        let known: Vec<&str> = bundles.iter().map(|b| b.spec.name.as_str()).chain([SOURCE]).collect();
        let unknown: Vec<&String> =
            only.iter().filter(|n| !known.contains(&n.as_str()) && **n != source_file).collect();
        if !unknown.is_empty() {
            bail!(
                "--only: no bundle named {}; the bundles are {}",
                unknown.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
                known.join(", ")
            );
        }
        bundles.retain(|b| only.contains(&b.spec.name));
        if !only.iter().any(|n| n == SOURCE || *n == source_file) {
            source = None;
        }
    }
    Ok(Plan { bundles, source, top })
}

/// The source archive's file name for its top folder `NAME-VERSION`: never the name of the
/// Python sdist (`NAME-VERSION.tar.gz`) of a project named like its package.
pub fn source_file(top: &str) -> String {
    format!("{top}-source.tar.gz")
}

/// The file names of a run's artifacts and what makes each: no two share a name, so none is
/// silently replaced by another in the output folder.
#[derive(Debug)]
pub struct Names {
    taken: BTreeMap<String, String>,
}

impl Names {
    /// The names known before anything is built: each archive bundle's, the source archive's,
    /// `SHA256SUMS` and `manifest.json`.
    pub fn planned(plan: &Plan) -> Result<Names> {
        let mut names = Names { taken: BTreeMap::new() };
        for name in [SUMS, MANIFEST] {
            names.claim(name, "the checksum list and manifest of the run".into())?;
        }
        for name in super::sign::FILES {
            names.claim(name, "the signature of SHA256SUMS".into())?;
        }
        names.claim(&super::intoto::file_name(&plan.top), "the in-toto statement of the run".into())?;
        if let Some(top) = &plan.source {
            names.claim(&source_file(top), "the source archive".into())?;
        }
        for b in plan.bundles.iter().filter(|b| b.format.is_some()) {
            names.claim(&b.spec.name, format!("bundle `{}` ({})", b.spec.name, b.spec.origin.describe()))?;
        }
        Ok(names)
    }

    /// Take `name` for `what`; an error (exit 2) naming both makers when it is taken.
    pub fn claim(&mut self, name: &str, what: String) -> Result<()> {
        if let Some(first) = self.taken.get(name) {
            bail!(
                "two artifacts would be named {}: {first} and {what}; rename one (a bundle's `name`, or what its build produces) so that neither replaces the other",
                crate::output::safe(name)
            );
        }
        self.taken.insert(name.to_string(), what);
        Ok(())
    }
}

/// Names in the output folder are plain file names, and not ours.
fn check_file_name(name: &str) -> Result<()> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') || name.chars().any(char::is_control) {
        bail!("the name must be a plain file name (no folders, not hidden)");
    }
    if name == SUMS || name == MANIFEST || name == SOURCE || super::sign::FILES.contains(&name) {
        bail!("`{name}` is reserved");
    }
    Ok(())
}

/// `my project` -> `my-project`; a leading dot dropped.
pub fn file_safe(name: &str) -> String {
    let safe: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "._-+".contains(c) { c } else { '-' }).collect();
    let safe = safe.trim_start_matches('.');
    if safe.is_empty() { "project".to_string() } else { safe.to_string() }
}

/// An error naming every duplicate.
fn check_unique<'a>(names: impl Iterator<Item = &'a str>) -> Result<()> {
    let mut seen = BTreeSet::new();
    let dups: BTreeSet<&str> = names.filter(|n| !seen.insert(*n)).collect();
    if !dups.is_empty() {
        bail!("two artifacts are named {}", dups.into_iter().collect::<Vec<_>>().join(", "));
    }
    Ok(())
}

/// Build one bundle and write its artifacts into the staging folder.
pub fn make_bundle(
    b: &BundlePlan,
    cx: &BuildContext<'_>,
    staging: &Staging,
    opts: &zip::Options,
    names: &mut Names,
    ui: &Ui,
) -> Result<Vec<Artifact>> {
    let spec = &b.spec;
    build::run_commands(spec, cx)?;
    let mut artifacts = Vec::new();
    for c in build::collect(spec, cx)? {
        names.claim(&c.name, format!("a file collected by bundle `{}`", spec.name))?;
        let shown = format!("{}/{}", spec.name, c.name);
        let mut kind = if c.name.ends_with(".whl") { ArtifactKind::Wheel } else { ArtifactKind::File };
        if normalize::is_zip(&c.name) {
            staging.write(&c.name, |w| normalize::rewrite_zip(&c.path, &shown, w, opts))?;
            if kind == ArtifactKind::File {
                kind = ArtifactKind::Zip;
            }
        } else if normalize::is_targz(&c.name) {
            let (_, tops) = staging.write(&c.name, |w| normalize::rewrite_targz(&c.path, &shown, w, opts))?;
            // An sdist holds one folder named like the file: `DIST-VERSION/`.
            let stem = c.name.trim_end_matches(".tar.gz").trim_end_matches(".tgz");
            let sdist = tops.len() == 1 && tops.contains(stem);
            kind = if sdist { ArtifactKind::Sdist } else { ArtifactKind::TarGz };
        } else {
            staging.write(&c.name, |w| {
                let mut file =
                    std::fs::File::open(&c.path).with_context(|| format!("{shown}: cannot read the file"))?;
                std::io::copy(&mut file, w).with_context(|| format!("{shown}: cannot copy"))?;
                Ok(())
            })?;
        }
        artifacts.push(Artifact { name: c.name, kind });
    }
    let Some(format) = b.format else { return Ok(artifacts) };
    let base = cx.tree.join(&spec.cwd);
    let rules = Rules::new(&spec.include, &spec.exclude, &format!("bundle {}", spec.name))?;
    let entries = select::select(&base, &spec.cwd, &rules, cx.skip)?;
    if entries.is_empty() {
        let where_ = if spec.cwd.is_empty() { "the root".to_string() } else { format!("{}/", spec.cwd) };
        bail!(
            "bundle {}: nothing under {where_} matches {} (after the build); check `include` in xtask.toml",
            spec.name,
            spec.include.join(", ")
        );
    }
    ui.progress(format!("{}: archiving {} files", spec.name, entries.len()));
    let written = match format {
        Format::Zip => staging.write(&spec.name, |w| zip::write(w, &entries, &mut super::entry::Files, opts))?,
        Format::TarGz => {
            let mut with_dirs = entries.clone();
            add_parent_dirs(&mut with_dirs);
            staging.write(&spec.name, |w| targz::write(w, &with_dirs, &mut super::entry::Files, opts))?
        }
    };
    ui.progress_done();
    ui.debug(format!(
        "{}: {} entries, {} bytes in, {} bytes out",
        spec.name, written.entries, written.bytes_in, written.bytes_out
    ));
    let kind = if format == Format::Zip { ArtifactKind::Zip } else { ArtifactKind::TarGz };
    artifacts.push(Artifact { name: spec.name.clone(), kind });
    Ok(artifacts)
}

/// tar archives list each folder before its contents, as `git archive` and `tar` do.
fn add_parent_dirs(entries: &mut Vec<super::entry::Entry>) {
    let mut dirs = BTreeSet::new();
    for e in entries.iter() {
        let mut p = e.name.as_str();
        while let Some(i) = p.rfind('/') {
            p = &p[..i];
            dirs.insert(format!("{p}/"));
        }
    }
    entries.extend(dirs.into_iter().map(super::entry::Entry::dir));
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    debug_assert!(entries.iter().all(|e| !matches!(e.kind, Kind::Dir) || e.name.ends_with('/')));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, include: &[&str], collect: &[&str]) -> BundleSpec {
        BundleSpec {
            name: name.into(),
            cwd: String::new(),
            build: vec![],
            include: include.iter().map(|s| s.to_string()).collect(),
            exclude: vec![],
            collect: collect.iter().map(|s| s.to_string()).collect(),
            package: None,
            origin: Origin::Configured,
        }
    }

    fn specs() -> Vec<BundleSpec> {
        vec![
            spec("backend-dist", &[], &["{tmp}/*.whl"]),
            spec("frontend-build.zip", &["dist/**"], &[]),
            spec("docs.tar.gz", &["docs"], &[]),
        ]
    }

    #[test]
    fn everything_by_default() {
        let p = plan(&specs(), &[], "lot genius", "1.2.0-rc.1").unwrap();
        assert_eq!(p.bundles.len(), 3);
        assert_eq!(p.bundles[0].format, None);
        assert_eq!(p.bundles[1].format, Some(Format::Zip));
        assert_eq!(p.bundles[2].format, Some(Format::TarGz));
        assert_eq!(p.source.as_deref(), Some("lot-genius-1.2.0-rc.1"));
    }

    #[test]
    fn only_picks_bundles_and_the_source() {
        let p = plan(&specs(), &["docs.tar.gz".into()], "p", "1.0.0").unwrap();
        assert_eq!(p.bundles.len(), 1);
        assert_eq!(p.source, None);
        let p = plan(&specs(), &["source".into()], "p", "1.0.0").unwrap();
        assert!(p.bundles.is_empty());
        assert!(p.source.is_some());
        let p = plan(&specs(), &["p-1.0.0-source.tar.gz".into()], "p", "1.0.0").unwrap();
        assert!(p.source.is_some());
        let err = plan(&specs(), &["nope".into()], "p", "1.0.0").unwrap_err().to_string();
        assert!(err.contains("`nope`") && err.contains("frontend-build.zip, docs.tar.gz, source"), "{err}");
    }

    #[test]
    fn bad_names_are_config_errors() {
        for bad in ["../x.zip", "a/b.zip", ".hidden.zip", "SHA256SUMS", "x.rar"] {
            let s = vec![spec(bad, &["**"], &[])];
            assert!(plan(&s, &[], "p", "1.0.0").is_err(), "{bad}");
        }
        assert!(plan(&[spec("x.zip", &["a"], &[]), spec("x.zip", &["b"], &[])], &[], "p", "1.0.0").is_err());
        assert!(plan(&[spec("x", &[], &[])], &[], "p", "1.0.0").unwrap_err().to_string().contains("makes nothing"));
    }

    #[test]
    fn no_two_artifacts_share_a_name() {
        // A project named like its Python package: the sdist is `lotgenius-0.1.0.tar.gz`.
        let p = plan(&specs(), &[], "lotgenius", "0.1.0").unwrap();
        assert_eq!(source_file(p.source.as_deref().unwrap()), "lotgenius-0.1.0-source.tar.gz");
        let mut names = Names::planned(&p).unwrap();
        names.claim("lotgenius-0.1.0.tar.gz", "a file collected by bundle `backend-dist`".into()).unwrap();
        let err = names.claim("docs.tar.gz", "a file collected by bundle `backend-dist`".into()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "two artifacts would be named docs.tar.gz: bundle `docs.tar.gz` (configured in xtask.toml) and a file collected by bundle `backend-dist`; rename one (a bundle's `name`, or what its build produces) so that neither replaces the other"
        );
        let clash = vec![spec("lotgenius-0.1.0-source.tar.gz", &["docs"], &[])];
        let err = Names::planned(&plan(&clash, &[], "lotgenius", "0.1.0").unwrap()).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "two artifacts would be named lotgenius-0.1.0-source.tar.gz: the source archive and bundle"
            ),
            "{err}"
        );
    }

    #[test]
    fn tar_bundles_list_their_folders() {
        let mut entries = vec![super::super::entry::Entry::symlink("a/b/c".into(), "x".into())];
        add_parent_dirs(&mut entries);
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["a/", "a/b/", "a/b/c"]);
    }
}
