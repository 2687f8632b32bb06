//! What a package owns: the version sources inside its folder (or listed), and the paths whose
//! commits count for it. A file or a commit inside a nested package's folder is that package's.

use super::{Package, Packages};
use crate::project::{Project, VersionSpec};
use crate::repo::files::in_scope;

/// Manifests that hold a package's version, looked for directly in its folder.
const MANIFESTS: [&str; 4] = ["pyproject.toml", "package.json", "Cargo.toml", "VERSION"];

/// The deepest package folder that holds `path`.
pub fn owner<'p>(packages: &'p Packages, path: &str) -> Option<&'p Package> {
    packages.all().filter(|p| in_scope(path, &p.folder)).max_by_key(|p| p.folder.len())
}

/// The version sources of `package`: its `[[package.version]]` entries, else the manifests in
/// its folder and the sources detection finds inside it, less those of a nested package and
/// those another package lists.
pub fn sources(project: &Project, package: &Package) -> Vec<VersionSpec> {
    if let Some(listed) = &package.listed {
        return listed.iter().map(crate::project::configured_spec).collect();
    }
    let listed_elsewhere: Vec<String> = project
        .packages
        .all()
        .flat_map(|p| p.listed.iter().flatten())
        .map(|v| crate::repo::files::normalize_scope(&v.path))
        .collect();
    let mut found = crate::detect::version_sources(&project.repo, &project.files, &project.tooling);
    let direct: Vec<String> = MANIFESTS.iter().map(|m| package.file(m)).collect();
    let mut in_folder: Vec<VersionSpec> = project
        .files
        .iter()
        .filter(|f| direct.iter().any(|d| d == f) && project.tooling.may_hold_the_version(f))
        .filter(|f| !found.iter().any(|s| s.path == *f))
        .filter_map(|f| {
            let kind = crate::project::SourceKind::from_path(f)?;
            let why = format!("{} in the folder of package {}", f.rsplit('/').next().unwrap_or(f), package.name);
            Some(VersionSpec {
                form: kind.default_form(),
                path: f.to_string(),
                kind,
                pattern: None,
                origin: crate::project::Origin::Detected(why),
            })
        })
        .collect();
    found.append(&mut in_folder);
    found
        .into_iter()
        .filter(|s| owner(&project.packages, &s.path).is_some_and(|o| o.name == package.name))
        .filter(|s| !listed_elsewhere.contains(&s.path))
        .collect()
}

/// The git pathspecs of the commits that count for `package`: its folder (less the folders of
/// packages nested in it) and its shared paths.
pub fn pathspecs(packages: &Packages, package: &Package) -> Vec<String> {
    let top = |p: &str| if p.is_empty() { ":(top)".to_string() } else { format!(":(top){p}") };
    let mut specs = vec![top(&package.folder)];
    specs.extend(package.shared.iter().map(|s| top(s)));
    for nested in packages.all() {
        if nested.name != package.name
            && nested.folder.len() > package.folder.len()
            && in_scope(&nested.folder, &package.folder)
            && !package.shared.iter().any(|s| in_scope(s, &nested.folder))
        {
            specs.push(format!(":(top,exclude){}", nested.folder));
        }
    }
    specs
}
