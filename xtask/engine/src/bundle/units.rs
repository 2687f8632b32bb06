//! Bundles of several packages: which bundle belongs to which release unit (its `package`, else
//! the package whose folder holds its `cwd`), and which units a run bundles (the one
//! `--package` names, else those whose release tag is on the commit), each as a set with its own
//! name, version and output folder. Without packages a run is one set, as it always was.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};

use super::plan::{SOURCE, file_safe, source_file};
use crate::cli::BundleArgs;
use crate::config::Config;
use crate::output::Ui;
use crate::packages::config::Lines;
use crate::packages::units::{self, Unit};
use crate::packages::{Mode, Packages};
use crate::project::{BundleSpec, Origin, Project};
use crate::repo::Repo;

/// What one run builds into one output folder, with one `SHA256SUMS` and `manifest.json`.
#[derive(Debug, Clone)]
pub struct Set {
    /// The manifest's `project`: `[release] name`, or the unit's name.
    pub name: String,
    /// SemVer, as the manifest and the source archive's folder spell it.
    pub version: String,
    pub specs: Vec<BundleSpec>,
    pub out: PathBuf,
    /// `--only` within this set (empty: everything).
    pub only: Vec<String>,
}

/// `[[bundle]] package = NAME` names a package or a fixed group of `xtask.toml`.
pub fn check_config(config: &Config, text: &str) -> Result<()> {
    let bundles = config.bundles.as_deref().unwrap_or_default();
    let packages = Packages::from_config(config);
    let all = units::units(&packages);
    let lines = Lines::new(text);
    for (i, b) in bundles.iter().enumerate() {
        let Some(name) = &b.package else { continue };
        let at = lines.at("bundle", i, "package", None);
        if packages.is_empty() {
            bail!(
                "{at}[[bundle]] {:?} has package = {name:?}, but there is no [[package]]; declare the packages, or remove the key",
                b.name
            );
        }
        unit_named(&packages, &all, name)
            .map_err(|why| anyhow!("{at}[[bundle]] {:?}: package = {why}; set it to one of them", b.name))?;
    }
    Ok(())
}

/// The unit `name` names (a package, or a fixed group); the reason when it names none.
fn unit_named<'u, 'p>(packages: &Packages, all: &'u [Unit<'p>], name: &str) -> Result<&'u Unit<'p>, String> {
    if let Some(group) = packages.groups.iter().find(|g| g.name == name && g.mode == Mode::Independent)
        && !all.iter().any(|u| u.name == name)
    {
        let members: Vec<&str> = group.packages.iter().map(|p| p.name.as_str()).collect();
        return Err(format!(
            "{name:?} is an independent group, whose packages ({}) are bundled each with its own version; what releases on its own is: {}",
            members.join(", "),
            labels(all)
        ));
    }
    units::find(all, name).map_err(|e| e.to_string())
}

fn labels(all: &[Unit<'_>]) -> String {
    all.iter().map(Unit::label).collect::<Vec<_>>().join(", ")
}

/// Where a run's sets come from.
pub struct Request<'a> {
    /// The project as it is at the commit (the `--ref` worktree's, or the work tree's).
    pub project: &'a Project,
    /// The repository whose tags are read.
    pub repo: &'a Repo,
    pub args: &'a BundleArgs,
    pub commit: &'a str,
    /// `--out`, or `dist` at the root.
    pub out: PathBuf,
}

/// The sets a run builds. Without packages: one, named by `[release] name` with the project's
/// one version. With packages: the unit `--package` names, else every unit whose release tag
/// is on the commit; each in `OUT/NAME` (`--package` with `--out`: in `OUT`).
pub fn sets(req: &Request<'_>, ui: &Ui) -> Result<Vec<Set>> {
    let project = req.project;
    if project.packages.is_empty() {
        if let Some(name) = &req.args.package {
            bail!("--package {name}: xtask.toml declares no [[package]]; run `cargo xtask bundle` without --package");
        }
        let set = Set {
            name: project.release.name.clone(),
            version: project_version(project)?,
            specs: project.bundles.clone(),
            out: req.out.clone(),
            only: req.args.only.clone(),
        };
        return Ok(vec![set]);
    }
    let all = units::units(&project.packages);
    let owners = owners(project, &all, ui)?;
    let chosen: Vec<(&Unit<'_>, String)> = match &req.args.package {
        Some(name) => {
            let unit = unit_named(&project.packages, &all, name).map_err(|why| anyhow!("--package: {why}"))?;
            vec![(unit, unit_version(project, unit)?.to_string())]
        }
        None => tagged(req, &all)?,
    };
    let mut sets = Vec::new();
    for (unit, version) in chosen {
        let specs = owners
            .iter()
            .filter(|(_, o)| o.as_deref() == Some(unit.name.as_str()))
            .map(|(s, _)| (*s).clone())
            .collect();
        let out = match (&req.args.package, &req.args.out) {
            (Some(_), Some(dir)) => dir.clone(),
            _ => req.out.join(&unit.name),
        };
        sets.push(Set { name: unit.name.clone(), version, specs, out, only: req.args.only.clone() });
    }
    // One unit named: `--only` is checked against its bundles alone, as without packages.
    if req.args.package.is_none() {
        only_within(&mut sets, &req.args.only)?;
    }
    Ok(sets)
}

/// Each bundle with the name of its unit: its `package`, else the unit whose package folder
/// holds its `cwd`. A configured bundle that no package holds is an error; a detected one is
/// left out with a warning.
fn owners<'s>(project: &'s Project, all: &[Unit<'_>], ui: &Ui) -> Result<Vec<(&'s BundleSpec, Option<String>)>> {
    let mut out = Vec::new();
    for spec in &project.bundles {
        let unit = match &spec.package {
            Some(name) => Some(unit_named(&project.packages, all, name).map_err(|why| {
                anyhow!("bundle `{}`: package = {why}; set it to one of them in xtask.toml", spec.name)
            })?),
            None => units::of_path(all, &spec.cwd),
        };
        match (unit, &spec.origin) {
            (Some(u), _) => out.push((spec, Some(u.name.clone()))),
            (None, Origin::Configured) => bail!(
                "bundle `{}` (configured in xtask.toml): no package's folder holds its cwd `{}`; give it `package = NAME`, one of: {}",
                spec.name,
                shown_cwd(&spec.cwd),
                labels(all)
            ),
            (None, Origin::Detected(_)) => {
                if !ui.quiet {
                    ui.warn(format!(
                        "bundle `{}` ({}): no package's folder holds `{}`, so no package bundles it; declare it as a [[bundle]] with `package = NAME` to build it",
                        spec.name,
                        spec.origin.describe(),
                        shown_cwd(&spec.cwd)
                    ));
                }
                out.push((spec, None));
            }
        }
    }
    Ok(out)
}

fn shown_cwd(cwd: &str) -> &str {
    if cwd.is_empty() { "." } else { cwd }
}

/// The units whose release tag (their tag style, their version at the commit) is on the
/// commit, with that version. None: an error that lists the units and says what to do.
fn tagged<'u, 'p>(req: &Request<'_>, all: &'u [Unit<'p>]) -> Result<Vec<(&'u Unit<'p>, String)>> {
    let tags = req.repo.tags_at(req.commit)?;
    let mut chosen = Vec::new();
    let mut states = Vec::new();
    for unit in all {
        let prefix = &unit.tag().prefix;
        let released_here = tags
            .iter()
            .any(|t| t.strip_prefix(prefix.as_str()).is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit())));
        match unit_version(req.project, unit) {
            Ok(version) => {
                let tag = unit.tag().name(version.semver());
                if tags.contains(&tag) {
                    chosen.push((unit, version.to_string()));
                } else {
                    states.push(format!("{} is at {version} (tag {tag})", unit.label()));
                }
            }
            // A unit released on this commit must be bundled; one that is not may be broken.
            Err(err) if released_here => return Err(err),
            Err(_) => states.push(format!("{} has no version that can be read", unit.label())),
        }
    }
    if chosen.is_empty() {
        let rev = req.args.r#ref.as_deref().unwrap_or("HEAD");
        bail!(
            "no package's release tag is on {rev} ({}): {}; bundle a released commit (`--ref TAG`), or one package with `--package NAME`",
            &req.commit[..req.commit.len().min(12)],
            states.join(", ")
        );
    }
    Ok(chosen)
}

/// `--only` over several sets: each name must be one of some set's bundles (or `source`, or a
/// set's source archive); each set builds the names it knows, and a set that knows none of
/// them is left out.
fn only_within(sets: &mut Vec<Set>, only: &[String]) -> Result<()> {
    if only.is_empty() {
        return Ok(());
    }
    let known = |set: &Set| -> Vec<String> {
        let top = format!("{}-{}", file_safe(&set.name), set.version);
        set.specs.iter().map(|s| s.name.clone()).chain([SOURCE.to_string(), source_file(&top)]).collect()
    };
    let unknown: Vec<&String> = only.iter().filter(|n| !sets.iter().any(|s| known(s).contains(n))).collect();
    if !unknown.is_empty() {
        let each: Vec<String> = sets
            .iter()
            .map(|s| {
                let names: Vec<&str> = s.specs.iter().map(|b| b.name.as_str()).chain([SOURCE]).collect();
                format!("{}: {}", s.name, names.join(", "))
            })
            .collect();
        bail!(
            "--only: no bundle named {} in the packages being bundled; their bundles are {}",
            unknown.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
            each.join("; ")
        );
    }
    for set in sets.iter_mut() {
        let names = known(set);
        set.only = only.iter().filter(|n| names.contains(n)).cloned().collect();
    }
    sets.retain(|s| !s.only.is_empty());
    Ok(())
}

/// The project's one version (its sources must agree), as the manifest and the source
/// archive's folder spell it: SemVer.
fn project_version(project: &Project) -> Result<String> {
    let readings = crate::version::read_all(project)?;
    Ok(crate::version::current(&readings)?.to_string())
}

/// A unit's version, read from its own sources (as `release` reads it).
fn unit_version(project: &Project, unit: &Unit<'_>) -> Result<crate::version::Version> {
    let survey = crate::version::survey_of(project, &unit.sources(project));
    if let Some(e) = survey.errors.first() {
        return Err(anyhow::Error::new(e.clone())).with_context(|| format!("the version of {}", unit.label()));
    }
    if survey.readings.is_empty() {
        bail!(
            "{}: no version source found in {}; list the files that hold its version as [[package.version]] in xtask.toml",
            unit.label(),
            unit.packages.iter().map(|p| p.shown_folder()).collect::<Vec<_>>().join(", ")
        );
    }
    crate::version::current(&survey.readings).with_context(|| format!("the version of {}", unit.label()))
}

/// `dist`, or `--out`.
pub fn base_out(project: &Project, args: &BundleArgs) -> PathBuf {
    match &args.out {
        Some(dir) => dir.clone(),
        None => project.repo.path("dist"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PACKAGES: &str = "[[package]]\nname = \"backend\"\nfolder = \"backend\"\n\
        [[package]]\nname = \"app\"\nfolder = \"app\"\n\
        [[group]]\nname = \"pair\"\npackages = [\"backend\"]\n\
        [[group]]\nname = \"apps\"\npackages = [\"app\"]\nmode = \"independent\"\n";

    fn bundle(name: &str, package: &str) -> String {
        format!("\n[[bundle]]\nname = \"{name}\"\ninclude = [\"x\"]\npackage = \"{package}\"\n")
    }

    #[test]
    fn a_bundles_package_names_a_package_or_a_fixed_group() {
        for ok in ["backend", "pair", "app"] {
            Config::parse(&format!("{PACKAGES}{}", bundle("a.zip", ok))).unwrap();
        }
        let err = Config::parse(&format!("{PACKAGES}{}{}", bundle("a.zip", "app"), bundle("b.zip", "web")))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "line 23: [[bundle]] \"b.zip\": package = \"web\" is not a package or group of xtask.toml; \
             what releases on its own is: pair (backend), app; set it to one of them"
        );
        let err = Config::parse(&format!("{PACKAGES}{}", bundle("a.zip", "apps"))).unwrap_err().to_string();
        assert!(err.starts_with("line 18: [[bundle]] \"a.zip\": package = \"apps\" is an independent group"), "{err}");
        let err = Config::parse(&bundle("a.zip", "app")).unwrap_err().to_string();
        assert!(
            err.starts_with("line 5: [[bundle]] \"a.zip\" has package = \"app\", but there is no [[package]]"),
            "{err}"
        );
    }

    fn set(name: &str, bundles: &[&str]) -> Set {
        let spec = |b: &&str| BundleSpec {
            name: b.to_string(),
            cwd: String::new(),
            build: vec![],
            include: vec!["x".into()],
            exclude: vec![],
            collect: vec![],
            package: None,
            origin: Origin::Configured,
        };
        Set {
            name: name.into(),
            version: "1.0.0".into(),
            specs: bundles.iter().map(spec).collect(),
            out: PathBuf::new(),
            only: vec![],
        }
    }

    #[test]
    fn only_picks_within_each_set_and_leaves_out_a_set_with_none() {
        let only = |names: &[&str]| -> Result<Vec<(String, Vec<String>)>> {
            let mut sets = vec![set("pair", &["a.zip", "b.zip"]), set("app", &["c.zip"])];
            only_within(&mut sets, &names.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
            Ok(sets.into_iter().map(|s| (s.name, s.only)).collect())
        };
        assert_eq!(only(&[]).unwrap(), [("pair".into(), vec![]), ("app".into(), vec![])]);
        assert_eq!(only(&["c.zip"]).unwrap(), [("app".to_string(), vec!["c.zip".to_string()])]);
        assert_eq!(
            only(&["a.zip", "source"]).unwrap(),
            [("pair".into(), vec!["a.zip".to_string(), "source".into()]), ("app".into(), vec!["source".to_string()])]
        );
        assert_eq!(only(&["pair-1.0.0-source.tar.gz"]).unwrap().len(), 1, "a set's source archive by its file name");
        let err = only(&["a.zip", "z.zip"]).unwrap_err().to_string();
        assert_eq!(
            err,
            "--only: no bundle named `z.zip` in the packages being bundled; their bundles are pair: a.zip, b.zip, source; app: c.zip, source"
        );
    }
}
