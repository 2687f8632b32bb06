//! `rollback NAME` in a repository of several packages: what one unit (a fixed group, or an
//! independent package) owns, so that its rollback restores only its folders, reads and tags
//! only its versions, and writes only its changelog.

use anyhow::{Result, bail};

use crate::packages::units::{self, Unit};
use crate::project::Project;
use crate::release::facts::Facts;

/// The unit a rollback restores; `None` for a repository without packages.
pub fn resolve<'p>(project: &'p Project, name: Option<&str>) -> Result<Option<Unit<'p>>> {
    if project.packages.is_empty() {
        if let Some(name) = name {
            bail!(
                "rollback {name}: xtask.toml declares no [[package]], so there is no package {name:?}; run `rollback` for the repository's one version, or declare the packages (docs/packages.md)"
            );
        }
        return Ok(None);
    }
    let all = units::units(&project.packages);
    let unit = match name {
        Some(name) => units::find(&all, name)?.clone(),
        None if all.len() == 1 => all[0].clone(),
        None => bail!(
            "this repository releases several packages ({}): name the one to roll back (`rollback {}`)",
            all.iter().map(Unit::label).collect::<Vec<_>>().join(", "),
            all[0].name
        ),
    };
    Ok(Some(unit))
}

/// The repository's facts as `unit` sees them (its version, tags and tag style).
pub fn facts(project: &Project, shared: Facts, unit: &Unit<'_>) -> Result<Facts> {
    let repo = &project.repo;
    let refs = repo.tag_refs(None)?;
    let reachable = if shared.head.is_some() { repo.tag_refs(Some("HEAD"))? } else { Vec::new() };
    Ok(crate::release::packages::unit_facts(project, &shared, unit, (&refs, &reachable)))
}

/// Whether `path` is the unit's to restore: inside one of its packages' folders (not in a
/// nested package of another unit), and neither another package's changelog nor a file
/// another package lists as its version source.
pub fn owns(project: &Project, unit: &Unit<'_>, path: &str) -> bool {
    let mine = |name: &str| unit.packages.iter().any(|p| p.name == name);
    let Some(owner) = crate::packages::owner(&project.packages, path) else { return false };
    if !mine(&owner.name) {
        return false;
    }
    !project.packages.all().filter(|p| !mine(&p.name)).any(|p| {
        p.changelog == path || p.listed.iter().flatten().any(|v| crate::repo::files::normalize_scope(&v.path) == path)
    })
}
