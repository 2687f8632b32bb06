//! `changelog PACKAGE`: the notes of one package of several. Its range starts at its own
//! newest tag (by its tag format) and only the commits that touch its folder or its shared
//! paths count; a commit that touches two packages counts for both.

use anyhow::{Result, bail};

use super::Commit;
use super::range::Range;
use crate::packages::Package;
use crate::project::Project;

/// The package `name`, or an error that lists the packages there are.
pub(super) fn package<'p>(project: &'p Project, name: &str) -> Result<&'p Package> {
    if project.packages.is_empty() {
        bail!(
            "changelog {name:?}: xtask.toml declares no [[package]], so the repository has one changelog; \
             run `changelog` without a package, or declare the packages (docs/packages.md)"
        );
    }
    match project.packages.find(name) {
        Some(p) => Ok(p),
        None => bail!(
            "changelog {name:?}: no such package; the packages of xtask.toml are {}",
            project.packages.names().join(", ")
        ),
    }
}

/// Keep the commits of `range` that touch the package (one `git log` with pathspecs).
pub(super) fn retain_touching(
    project: &Project,
    package: &Package,
    range: &Range,
    commits: &mut Vec<Commit>,
) -> Result<()> {
    let specs = crate::packages::pathspecs(&project.packages, package);
    let touching = project.repo.commits_touching(range.from_commit.as_deref(), &range.to_commit, &specs)?;
    commits.retain(|c| touching.contains(&c.hash));
    Ok(())
}
