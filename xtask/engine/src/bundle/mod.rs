//! `cargo xtask bundle`: the release artifacts of a commit (each `[[bundle]]`'s build and
//! archive, and the source archive), reproducible, with `SHA256SUMS` and `manifest.json`;
//! and `bundle --verify DIR`.
//!
//! Gather (commit, time, dirty files, version) -> plan (which artifacts, pure) -> build into a
//! staging folder -> move the complete set into the output folder.

pub mod build;
pub mod checksums;
pub mod describe;
pub mod entry;
pub mod intoto;
pub mod lockfiles;
pub mod members;
pub mod normalize;
pub mod pipeline;
pub mod plan;
pub mod sbom;
pub mod select;
pub mod settled;
pub mod sign;
pub mod source;
pub mod stage;
pub mod targz;
pub mod units;
pub mod unzip;
pub mod verify;
pub mod zip;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use self::checksums::{ArtifactKind, FileRecord, MANIFEST, Manifest, SUMS};
use self::plan::{Artifact, Names};
use self::settled::TreeState;
use self::stage::{Scratch, Staging};
use crate::apply::Lock;
use crate::cli::BundleArgs;
use crate::error::{Midway, Verdict};
use crate::interrupt;
use crate::output::Ui;
use crate::project::Project;
use crate::repo::Repo;

/// `cargo xtask bundle`.
pub fn run(project: &Project, args: &BundleArgs, ui: &Ui) -> Result<Verdict> {
    if let Some(dir) = &args.verify {
        return verify::run(dir, &project.bundle_settings, project.repo.root(), ui);
    }
    interrupt::watch();
    let result = build_all(project, args, ui);
    if interrupt::happened() || (result.is_err() && interrupt::happened_settled()) {
        let out = out_shown(project, args);
        bail!(Midway(format!(
            "interrupted: {out} holds the previous bundles unchanged (the staging folder and any temporary worktree were removed); run `cargo xtask bundle` again"
        )));
    }
    result
}

/// The commit being bundled and what is known about it before anything is built.
struct Facts {
    commit: String,
    epoch: i64,
    dirty: Vec<String>,
}

/// `before`: the work tree as read under the lock (`None` for a `--ref` worktree, which is
/// clean by construction).
fn gather(repo: &Repo, args: &BundleArgs, before: Option<&TreeState>) -> Result<Facts> {
    let rev = args.r#ref.as_deref().unwrap_or("HEAD");
    let commit = repo.rev_parse(rev).with_context(|| match &args.r#ref {
        Some(r) => format!("--ref {r}: no such commit, branch or tag"),
        None => "the repository has no commit yet; commit first, then bundle".to_string(),
    })?;
    let epoch = match std::env::var("SOURCE_DATE_EPOCH").ok().filter(|v| !v.trim().is_empty()) {
        Some(v) => v.trim().parse::<i64>().with_context(|| {
            format!("SOURCE_DATE_EPOCH={v} is not a number of seconds; unset it or set it to a Unix time")
        })?,
        None => repo.commit_time(&commit)?,
    };
    let dirty = before.map(|b| b.dirty.clone()).unwrap_or_default();
    Ok(Facts { commit, epoch, dirty })
}

fn out_shown(project: &Project, args: &BundleArgs) -> String {
    project.repo.display_path(&units::base_out(project, args))
}

/// One set planned: everything known before anything is built.
struct Prepared {
    set: units::Set,
    plan: plan::Plan,
    names: Names,
    locks: std::collections::BTreeMap<String, Vec<lockfiles::Component>>,
    source: Option<(String, Vec<source::Member>)>,
}

fn build_all(project: &Project, args: &BundleArgs, ui: &Ui) -> Result<Verdict> {
    project.repo.require_git("bundle")?;
    // A bad XTASK_BUNDLE_THREADS fails before anything is taken or written.
    let mut opts = zip::Options::new(0)?;
    // So is a signing key or tool that is missing.
    let signer = sign::Signer::resolve(&project.bundle_settings, project.repo.root())?;
    // No release or rollback changes the tree while it is read, and none starts meanwhile.
    let _lock = Lock::acquire_for(&project.repo.git_dir()?, "bundle")?;
    // With --ref the builds run in a private worktree of a fixed commit; otherwise the work
    // tree is read, and read again at the end.
    let before = match &args.r#ref {
        Some(_) => None,
        None => Some(TreeState::read(project)?),
    };
    let facts = gather(&project.repo, args, before.as_ref())?;
    if !facts.dirty.is_empty() && !args.allow_dirty {
        bail!(
            "tracked files have changes that are not committed: {}; commit or stash them (the manifest records the commit), or pass --allow-dirty",
            list(&facts.dirty)
        );
    }
    opts.epoch = facts.epoch;
    let scratch = Scratch::create()?;
    // Built in a temporary worktree of --ref, removed afterwards whatever happens.
    let worktree = match &args.r#ref {
        Some(_) => Some(Worktree::add(&project.repo, &scratch.path().join("worktree"), &facts.commit)?),
        None => None,
    };
    let at_ref;
    let tree_project = match &worktree {
        Some(wt) => {
            at_ref = wt.project(project)?;
            &at_ref
        }
        None => project,
    };
    let request = units::Request {
        project: tree_project,
        repo: &project.repo,
        args,
        commit: &facts.commit,
        out: units::base_out(project, args),
    };
    // Every set is planned before any is built: a bad name or lockfile writes nothing.
    let mut prepared = Vec::new();
    for set in units::sets(&request, ui)? {
        let plan = plan::plan(&set.specs, &set.only, &set.name, &set.version)?;
        // Every name known before building is unique; each collected file is checked on arrival.
        let names = Names::planned(&plan)?;
        // The lockfiles the SBOMs are made from: a broken one stops the run before any build.
        let locks = describe::read_lockfiles(&plan, tree_project)?;
        // The source archive's members are checked (symlinks) before anything is built.
        let source = match &plan.source {
            Some(top) => {
                let (members, submodules) = source::gather(&project.repo, &facts.commit, top)?;
                for s in &submodules {
                    if !ui.quiet {
                        ui.warn(format!("{s}: a submodule; the source archive does not include its files"));
                    }
                }
                Some((plan::source_file(top), members))
            }
            None => None,
        };
        prepared.push(Prepared { set, plan, names, locks, source });
    }

    let mut stagings = Vec::new();
    for p in &prepared {
        let shown_out = project.repo.display_path(&p.set.out);
        stagings.push((Staging::create(&p.set.out, &shown_out)?, shown_out));
    }
    // No bundle archives an output folder of the run, or the folder that holds them.
    let mut skip: Vec<PathBuf> =
        stagings.iter().flat_map(|(s, _)| [s.out().to_path_buf(), s.dir().to_path_buf()]).collect();
    if let Ok(base) = request.out.canonicalize() {
        skip.push(base);
    }
    let mut built = Vec::new();
    for (n, (p, (staging, _))) in prepared.into_iter().zip(&stagings).enumerate() {
        let cx = SetContext {
            repo: &project.repo,
            tree_project,
            facts: &facts,
            opts: &opts,
            skip: &skip,
            scratch: scratch.path().join(format!("set-{n}")),
            ui,
        };
        let mut manifest = build_set(p, &cx, staging)?;
        if let Some(signer) = &signer {
            manifest.signature = Some(signer.sign(staging.dir())?);
        }
        staging.write(MANIFEST, |w| Ok(std::io::Write::write_all(w, manifest.to_json().as_bytes())?))?;
        built.push(manifest);
    }
    interrupt::check()?;
    if let Some(before) = &before {
        before.check_unchanged(project, &out_shown(project, args))?;
    }
    let several = !project.packages.is_empty();
    let mut shown = Vec::new();
    for ((staging, shown_out), manifest) in stagings.into_iter().zip(&built) {
        staging.commit(manifest)?;
        shown.push(shown_out);
    }
    drop(worktree);
    if several {
        report_units(&built, &shown, ui);
    } else {
        report(&built[0], &shown[0], ui);
    }
    Ok(Verdict::Passed)
}

/// What every set of a run shares.
struct SetContext<'a> {
    /// The repository whose objects the source archive is read from.
    repo: &'a Repo,
    tree_project: &'a Project,
    facts: &'a Facts,
    opts: &'a zip::Options,
    skip: &'a [PathBuf],
    /// This set's scratch folder (each bundle's `{tmp}` is inside it).
    scratch: PathBuf,
    ui: &'a Ui,
}

/// Build one set into its staging folder: its bundles, its source archive, what describes them
/// and `SHA256SUMS`; its manifest (written by the caller, after the signature).
fn build_set(p: Prepared, cx: &SetContext<'_>, staging: &Staging) -> Result<Manifest> {
    let Prepared { set, plan, mut names, locks, source } = p;
    let (facts, ui) = (cx.facts, cx.ui);
    let mut records = Vec::new();
    for (i, bundle) in plan.bundles.iter().enumerate() {
        let tmp = cx.scratch.join(format!("build-{i}"));
        std::fs::create_dir_all(&tmp).with_context(|| format!("{}: cannot create", tmp.display()))?;
        let bx =
            build::BuildContext { tree: cx.tree_project.repo.root(), tmp: &tmp, epoch: facts.epoch, skip: cx.skip, ui };
        let artifacts = plan::make_bundle(bundle, &bx, staging, cx.opts, &mut names, ui)?;
        records.extend(artifacts.into_iter().map(|a| (a, bundle.spec.name.clone())));
    }
    if let Some((name, members)) = source {
        ui.progress(format!("source archive {name}"));
        staging.write(&name, |w| source::write(cx.repo, &members, w, cx.opts))?;
        ui.progress_done();
        records.push((Artifact { name, kind: ArtifactKind::Source }, plan::SOURCE.to_string()));
    }
    let mut files = Vec::new();
    for (artifact, bundle) in records {
        let (size, sha256) = checksums::digest_file(&staging.path(&artifact.name), &artifact.name)?;
        files.push(FileRecord { name: artifact.name, size, sha256, kind: artifact.kind, bundle });
    }
    let described = describe::Context {
        project: cx.tree_project,
        name: &set.name,
        plan: &plan,
        locks: &locks,
        version: &set.version,
        commit: &facts.commit,
        epoch: facts.epoch,
    };
    let descriptions = describe::write(&described, &files, staging, &mut names)?;
    files.extend(descriptions);
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let manifest = Manifest {
        project: set.name,
        version: set.version,
        commit: facts.commit.clone(),
        dirty: !facts.dirty.is_empty(),
        source_date_epoch: facts.epoch,
        source_date: checksums::rfc3339(facts.epoch),
        files,
        signature: None,
    };
    staging.write(SUMS, |w| Ok(std::io::Write::write_all(w, manifest.sums().as_bytes())?))?;
    Ok(manifest)
}

/// With packages: each set's files and summary, or one JSON document listing every set.
fn report_units(manifests: &[Manifest], outs: &[String], ui: &Ui) {
    if ui.json {
        let sets: Vec<serde_json::Value> = manifests
            .iter()
            .zip(outs)
            .map(|(m, out)| serde_json::json!({ "package": m.project, "out": out, "manifest": m }))
            .collect();
        ui.json_doc(&serde_json::json!({ "ok": true, "packages": sets }));
        return;
    }
    for (m, out) in manifests.iter().zip(outs) {
        report(m, out, ui);
    }
}

fn report(manifest: &Manifest, out: &str, ui: &Ui) {
    if ui.json {
        ui.json_doc(&serde_json::json!({ "ok": true, "out": out, "manifest": manifest }));
        return;
    }
    // -q: nothing but errors.
    if ui.quiet {
        return;
    }
    let shown: Vec<String> = manifest.files.iter().map(|f| crate::output::safe(&f.name).into_owned()).collect();
    let width = shown.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let mut text = String::new();
    for (f, name) in manifest.files.iter().zip(&shown) {
        text.push_str(&format!("{out}/{name:width$}  {:>10}  sha256:{}\n", human_size(f.size), &f.sha256[..16]));
    }
    ui.summary(text);
    let dirty = if manifest.dirty { " (dirty work tree)" } else { "" };
    ui.info(format!(
        "bundled {} {} at {}{dirty}: {} files, {out}/{SUMS}, {out}/{MANIFEST}",
        manifest.project,
        manifest.version,
        &manifest.commit[..manifest.commit.len().min(12)],
        manifest.files.len()
    ));
}

fn human_size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
    }
}

fn list(items: &[String]) -> String {
    let shown: Vec<&str> = items.iter().take(10).map(String::as_str).collect();
    let more = if items.len() > 10 { format!(" and {} more", items.len() - 10) } else { String::new() };
    format!("{}{more}", shown.join(", "))
}

/// A temporary worktree of the commit being bundled; removed on drop, even after a failure.
struct Worktree<'r> {
    repo: &'r Repo,
    path: PathBuf,
}

impl<'r> Worktree<'r> {
    fn add(repo: &'r Repo, path: &Path, commit: &str) -> Result<Worktree<'r>> {
        repo.worktree_add(path, commit)?;
        Ok(Worktree { repo, path: path.to_path_buf() })
    }

    /// The project as it was at the commit: its own configuration and detected layout. A
    /// `--config` inside the repository is read at the same place in the worktree.
    fn project(&self, current: &Project) -> Result<Project> {
        let repo = Repo::open(Some(&self.path))?;
        let config = current.config_file.as_ref().map(|file| match file.strip_prefix(current.repo.root()) {
            Ok(rel) => self.path.join(rel),
            Err(_) => file.clone(),
        });
        let config = config.filter(|c| c.exists() || !c.starts_with(&self.path));
        Project::load(repo, config.as_deref())
    }
}

impl Drop for Worktree<'_> {
    fn drop(&mut self) {
        if let Err(err) = self.repo.worktree_remove(&self.path) {
            crate::output::stderr_line(&format!("warning: {err:#}"));
        }
    }
}
