//! Several packages in one repository: the `[[package]]` and `[[group]]` model, resolved from
//! the configuration with its defaults, and what each package owns (its folder, its version
//! sources, its tags, the commits that touch it).
//!
//! `version` lists the packages, `changelog NAME` scopes the notes, and `release NAME` /
//! `release --all` release them by [`units`] (a fixed group, or an independent package). With
//! no `[[package]]` the model is empty and every command behaves as it always has (one
//! implicit fixed group).

pub mod config;
mod propose;
mod show;
mod sources;
pub mod units;

pub use config::{DEFAULT_GROUP, GroupEntry, Mode, PackageEntry};
pub use propose::{Proposal, proposal_text, propose};
pub use show::run as version;
pub use sources::{owner, pathspecs, sources};
pub use units::{Unit, units};

use crate::changelog::TagStyle;
use crate::config::{Config, VersionEntry};

/// One package as the commands see it, with its defaults filled in.
#[derive(Debug, Clone)]
pub struct Package {
    pub name: String,
    /// Root-relative folder, forward slashes; empty for the root.
    pub folder: String,
    pub group: String,
    pub mode: Mode,
    /// How its tags are written (a fixed group's packages share one).
    pub tag: TagStyle,
    /// Root-relative path of its changelog.
    pub changelog: String,
    /// Root-relative paths outside the folder whose commits count for it (its own and its group's).
    pub shared: Vec<String>,
    /// `[[package.version]]` when listed; `None` detects the sources inside the folder.
    pub listed: Option<Vec<VersionEntry>>,
    /// Its group is `linked`: `release --all` releases it too when a package it requires is
    /// released.
    pub linked: bool,
}

impl Package {
    /// The root-relative path of the file `name` in its folder.
    pub fn file(&self, name: &str) -> String {
        if self.folder.is_empty() { name.to_string() } else { format!("{}/{name}", self.folder) }
    }

    /// The folder as people read it: `.` for the root.
    pub fn shown_folder(&self) -> &str {
        if self.folder.is_empty() { "." } else { &self.folder }
    }
}

/// A fixed or independent group and its packages, in configuration order.
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub mode: Mode,
    pub packages: Vec<Package>,
}

/// The packages of a project: empty when `xtask.toml` declares none.
#[derive(Debug, Clone, Default)]
pub struct Packages {
    pub groups: Vec<Group>,
}

impl Packages {
    pub fn from_config(config: &Config) -> Packages {
        Packages { groups: model(config) }
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    pub fn all(&self) -> impl Iterator<Item = &Package> {
        self.groups.iter().flat_map(|g| &g.packages)
    }

    pub fn find(&self, name: &str) -> Option<&Package> {
        self.all().find(|p| p.name == name)
    }

    pub fn names(&self) -> Vec<&str> {
        self.all().map(|p| p.name.as_str()).collect()
    }
}

/// What a package takes from its group when it does not say.
#[derive(Clone, Copy)]
struct GroupDefaults<'a> {
    name: &'a str,
    mode: Mode,
    tag: &'a TagStyle,
    shared: &'a [String],
    changelog: Option<&'a str>,
    linked: bool,
}

/// The groups the configuration declares, then the implicit fixed group of the packages no
/// group lists. Pure: defaults come from the configuration alone.
pub(crate) fn model(config: &Config) -> Vec<Group> {
    let packages = config.packages.as_deref().unwrap_or_default();
    let groups = config.groups.as_deref().unwrap_or_default();
    let release = &config.release;
    let release_tag = match (&release.tag_format, &release.tag_prefix) {
        (Some(format), _) => config::tag_style(format).ok(),
        (None, Some(prefix)) => Some(TagStyle { prefix: prefix.clone(), spelling: crate::changelog::Spelling::Semver }),
        (None, None) => None,
    }
    .unwrap_or(TagStyle { prefix: "v".into(), spelling: crate::changelog::Spelling::Semver });
    let build = |entry: &PackageEntry, group: &GroupDefaults<'_>| {
        let GroupDefaults {
            name: group_name,
            mode,
            tag: group_tag,
            shared: group_shared,
            changelog: group_changelog,
            linked,
        } = *group;
        let folder = config::folder_of(&entry.folder);
        let tag = match (&entry.tag_format, mode) {
            (Some(format), _) => config::tag_style(format).unwrap_or_else(|_| group_tag.clone()),
            (None, Mode::Fixed) => group_tag.clone(),
            (None, Mode::Independent) => {
                TagStyle { prefix: format!("{}-v", entry.name), spelling: crate::changelog::Spelling::Semver }
            }
        };
        let changelog =
            entry.changelog.as_deref().or(group_changelog).map(crate::repo::files::normalize_scope).unwrap_or_else(
                || {
                    if folder.is_empty() {
                        release.changelog.clone().unwrap_or_else(|| "CHANGELOG.md".into())
                    } else {
                        format!("{folder}/CHANGELOG.md")
                    }
                },
            );
        let shared = group_shared
            .iter()
            .chain(entry.shared.iter().flatten())
            .map(|s| crate::repo::files::normalize_scope(s))
            .collect();
        Package {
            name: entry.name.clone(),
            folder,
            group: group_name.to_string(),
            mode,
            tag,
            changelog,
            shared,
            listed: entry.versions.clone(),
            linked,
        }
    };
    let mut out = Vec::new();
    for group in groups {
        let mode = group.mode.unwrap_or(Mode::Fixed);
        let tag = group.tag_format.as_deref().and_then(|f| config::tag_style(f).ok()).unwrap_or(release_tag.clone());
        let shared = group.shared.clone().unwrap_or_default();
        let members = group
            .packages
            .iter()
            .filter_map(|name| packages.iter().find(|p| &p.name == name))
            .map(|p| {
                let defaults = GroupDefaults {
                    name: &group.name,
                    mode,
                    tag: &tag,
                    shared: &shared,
                    changelog: group.changelog.as_deref(),
                    linked: group.linked.unwrap_or(false),
                };
                build(p, &defaults)
            })
            .collect();
        out.push(Group { name: group.name.clone(), mode, packages: members });
    }
    let ungrouped: Vec<Package> = packages
        .iter()
        .filter(|p| !groups.iter().any(|g| g.packages.contains(&p.name)))
        .map(|p| {
            let defaults = GroupDefaults {
                name: DEFAULT_GROUP,
                mode: Mode::Fixed,
                tag: &release_tag,
                shared: &[],
                changelog: None,
                linked: false,
            };
            build(p, &defaults)
        })
        .collect();
    if !ungrouped.is_empty() {
        out.push(Group { name: DEFAULT_GROUP.into(), mode: Mode::Fixed, packages: ungrouped });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_groups_tags_and_changelogs() {
        let text = "[release]\ntag-format = \"rel-{semver}\"\n\n[[package]]\nname = \"app\"\nfolder = \".\"\n\
                    [[package]]\nname = \"lib\"\nfolder = \"./lib/\"\nshared = [\"common\"]\n\
                    [[package]]\nname = \"ui\"\nfolder = \"ui\"\n\
                    [[group]]\nname = \"solo\"\npackages = [\"lib\", \"ui\"]\nmode = \"independent\"\nshared = [\"proto\"]\n";
        let packages = Packages::from_config(&Config::parse(text).unwrap());
        let app = packages.find("app").unwrap();
        assert_eq!((app.group.as_str(), app.mode, app.tag.prefix.as_str()), (DEFAULT_GROUP, Mode::Fixed, "rel-"));
        assert_eq!((app.folder.as_str(), app.shown_folder(), app.changelog.as_str()), ("", ".", "CHANGELOG.md"));
        let lib = packages.find("lib").unwrap();
        assert_eq!((lib.folder.as_str(), lib.tag.prefix.as_str()), ("lib", "lib-v"));
        assert_eq!(lib.changelog, "lib/CHANGELOG.md");
        assert_eq!(lib.shared, ["proto", "common"]);
        assert_eq!(
            pathspecs(&packages, app),
            [":(top)", ":(top,exclude)lib", ":(top,exclude)ui"],
            "the root package leaves out its nested packages"
        );
        assert_eq!(pathspecs(&packages, lib), [":(top)lib", ":(top)proto", ":(top)common"]);
        assert!(Packages::from_config(&Config::default()).is_empty());
    }

    #[test]
    fn tag_formats_take_version_as_semver() {
        let style = config::tag_style("app-v{version}").unwrap();
        assert_eq!((style.prefix.as_str(), style.spelling), ("app-v", crate::changelog::Spelling::Semver));
        assert!(config::tag_style("app-{major}").is_err());
    }
}
