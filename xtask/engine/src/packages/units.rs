//! Release units: what one release moves together. A fixed group is one unit (one version for
//! all of its packages, one tag); each package of an independent group is a unit of its own.

use anyhow::{Result, bail};

use super::{Mode, Package, Packages};
use crate::changelog::TagStyle;
use crate::project::{Project, VersionSpec};
use crate::repo::files::in_scope;

/// One fixed group, or one independent package.
#[derive(Debug, Clone)]
pub struct Unit<'p> {
    /// The group's name (fixed) or the package's (independent).
    pub name: String,
    pub mode: Mode,
    pub packages: Vec<&'p Package>,
}

impl<'p> Unit<'p> {
    /// How its tags are written (a fixed group's packages share one style).
    pub fn tag(&self) -> &'p TagStyle {
        &self.packages[0].tag
    }

    /// `pair (backend, frontend)`, or `app`.
    pub fn label(&self) -> String {
        match self.mode {
            Mode::Independent => self.name.clone(),
            Mode::Fixed => format!("{} ({})", self.name, self.package_names().join(", ")),
        }
    }

    pub fn package_names(&self) -> Vec<String> {
        self.packages.iter().map(|p| p.name.clone()).collect()
    }

    /// The version sources of all of its packages.
    pub fn sources(&self, project: &Project) -> Vec<VersionSpec> {
        self.packages.iter().flat_map(|p| super::sources(project, p)).collect()
    }

    /// Its changelogs, each with the packages that write their notes into it, in order.
    pub fn changelogs(&self) -> Vec<(String, Vec<&'p Package>)> {
        let mut out: Vec<(String, Vec<&'p Package>)> = Vec::new();
        for &p in &self.packages {
            match out.iter_mut().find(|(path, _)| *path == p.changelog) {
                Some((_, members)) => members.push(p),
                None => out.push((p.changelog.clone(), vec![p])),
            }
        }
        out
    }
}

/// The git pathspecs of the commits that count for any of `members`: their folders (less the
/// folders of nested packages that are not members too) and their shared paths.
pub fn pathspecs_of(packages: &Packages, members: &[&Package]) -> Vec<String> {
    let mut specs: Vec<String> = Vec::new();
    for member in members {
        for spec in super::pathspecs(packages, member) {
            let excluded_member = spec
                .strip_prefix(":(top,exclude)")
                .is_some_and(|folder| members.iter().any(|m| m.folder == folder || in_scope(&m.folder, folder)));
            if !excluded_member && !specs.contains(&spec) {
                specs.push(spec);
            }
        }
    }
    specs
}

/// Every unit, in configuration order.
pub fn units(packages: &Packages) -> Vec<Unit<'_>> {
    let mut out = Vec::new();
    for group in &packages.groups {
        match group.mode {
            Mode::Fixed if !group.packages.is_empty() => out.push(Unit {
                name: group.name.clone(),
                mode: Mode::Fixed,
                packages: group.packages.iter().collect(),
            }),
            Mode::Fixed => {}
            Mode::Independent => out.extend(group.packages.iter().map(|p| Unit {
                name: p.name.clone(),
                mode: Mode::Independent,
                packages: vec![p],
            })),
        }
    }
    out
}

/// The unit `name` names: an independent package, a fixed group, or a package of a fixed group
/// (which releases with its group). Unknown: an error that lists what there is.
pub fn find<'u, 'p>(units: &'u [Unit<'p>], name: &str) -> Result<&'u Unit<'p>> {
    let found = units
        .iter()
        .find(|u| u.name == name)
        .or_else(|| units.iter().find(|u| u.mode == Mode::Fixed && u.packages.iter().any(|p| p.name == name)));
    match found {
        Some(unit) => Ok(unit),
        None => bail!(
            "{name:?} is not a package or group of xtask.toml; what releases on its own is: {}",
            units.iter().map(Unit::label).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The unit of the package whose folder holds `path` (the deepest such folder; a root package
/// holds what no other does); `None` when no package's folder holds it.
pub fn of_path<'u, 'p>(units: &'u [Unit<'p>], path: &str) -> Option<&'u Unit<'p>> {
    units
        .iter()
        .flat_map(|u| u.packages.iter().map(move |p| (u, p)))
        .filter(|(_, p)| in_scope(path, &p.folder))
        .max_by_key(|(_, p)| p.folder.len())
        .map(|(u, _)| u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    const PAIR_AND_APP: &str = "[[package]]\nname = \"backend\"\nfolder = \"backend\"\n\
        [[package]]\nname = \"frontend\"\nfolder = \"frontend\"\n\
        [[package]]\nname = \"app\"\nfolder = \".\"\n\
        [[group]]\nname = \"pair\"\npackages = [\"backend\", \"frontend\"]\nchangelog = \"CHANGES.md\"\n\
        [[group]]\nname = \"apps\"\npackages = [\"app\"]\nmode = \"independent\"\n";

    #[test]
    fn a_fixed_group_is_one_unit_and_each_independent_package_another() {
        let packages = Packages::from_config(&Config::parse(PAIR_AND_APP).unwrap());
        let units = units(&packages);
        let labels: Vec<String> = units.iter().map(Unit::label).collect();
        assert_eq!(labels, ["pair (backend, frontend)", "app"]);
        assert_eq!(units[0].tag().prefix, "v");
        assert_eq!(units[1].tag().prefix, "app-v");
        let changelogs: Vec<(String, Vec<String>)> = units[0]
            .changelogs()
            .into_iter()
            .map(|(path, members)| (path, members.iter().map(|p| p.name.clone()).collect()))
            .collect();
        assert_eq!(changelogs, [("CHANGES.md".to_string(), vec!["backend".to_string(), "frontend".to_string()])]);
        assert_eq!(units[1].changelogs()[0].0, "CHANGELOG.md");
        assert_eq!(find(&units, "frontend").unwrap().name, "pair", "a package of a fixed group releases with it");
        assert_eq!(find(&units, "app").unwrap().name, "app");
        assert_eq!(of_path(&units, "frontend/src").unwrap().name, "pair", "the deepest folder holds it");
        assert_eq!(of_path(&units, "docs").unwrap().name, "app", "the root package holds the rest");
        assert_eq!(of_path(&units, "").unwrap().name, "app");
        let err = find(&units, "nope").unwrap_err().to_string();
        assert!(err.contains("what releases on its own is: pair (backend, frontend), app"), "{err}");
    }

    #[test]
    fn the_pathspecs_of_a_unit_keep_the_folders_of_its_own_nested_packages() {
        let text = "[[package]]\nname = \"root\"\nfolder = \".\"\n[[package]]\nname = \"lib\"\nfolder = \"lib\"\n\
                    [[package]]\nname = \"ui\"\nfolder = \"ui\"\n\
                    [[group]]\nname = \"g\"\npackages = [\"root\", \"lib\"]\n\
                    [[group]]\nname = \"solo\"\npackages = [\"ui\"]\nmode = \"independent\"\n";
        let packages = Packages::from_config(&Config::parse(text).unwrap());
        let units = units(&packages);
        assert_eq!(pathspecs_of(&packages, &units[0].packages), [":(top)", ":(top,exclude)ui", ":(top)lib"]);
        assert_eq!(pathspecs_of(&packages, &units[1].packages), [":(top)ui"]);
    }
}
