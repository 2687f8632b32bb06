//! `[[package]]` and `[[group]]` as written in `xtask.toml`, and the checks that refuse a
//! package model that cannot hold: each error names the line and what to do.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};
use serde::Deserialize;

use crate::config::{Config, VersionEntry};

/// `[[package]]`: one package of the repository.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackageEntry {
    /// The package's name (letters, digits, `-`, `_`, `.`): the default tag prefix of an
    /// independent package and the argument of `changelog NAME`.
    pub name: String,
    /// Its folder, relative to the root (`.` is the root itself).
    pub folder: String,
    /// `[[package.version]]`: the files that hold its version (root-relative); default: the
    /// sources detected inside its folder.
    #[serde(rename = "version")]
    pub versions: Option<Vec<VersionEntry>>,
    /// Its changelog (root-relative; default: its group's `changelog`, else
    /// `FOLDER/CHANGELOG.md`, or `[release] changelog` for the root folder).
    pub changelog: Option<String>,
    /// Its tags: a prefix and `{version}` (or `{semver}`, `{semver-glued}`, `{pep440}`);
    /// default `NAME-v{version}` in an independent group, the group's tags in a fixed one.
    pub tag_format: Option<String>,
    /// Paths outside its folder whose commits count for it (root-relative).
    pub shared: Option<Vec<String>>,
}

/// How the packages of a group are versioned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// One version for every package of the group, one tag.
    Fixed,
    /// Each package its own version and its own tags.
    Independent,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Fixed => "fixed",
            Mode::Independent => "independent",
        }
    }
}

/// `[[group]]`: packages bound together.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GroupEntry {
    pub name: String,
    /// The names of its packages (each in one group at most).
    pub packages: Vec<String>,
    /// `fixed` (the default) or `independent`.
    pub mode: Option<Mode>,
    /// The tags of a fixed group (default: `[release] tag-format`, `v{version}`).
    pub tag_format: Option<String>,
    /// Paths outside the packages' folders whose commits count for every package of the group.
    pub shared: Option<Vec<String>>,
    /// The changelog of every package of the group that names none of its own (root-relative):
    /// a fixed group releasing with one changelog.
    pub changelog: Option<String>,
    /// `release --all` also releases (a patch) each package of the group that requires a
    /// package being released, with the requirement moved (default false: the requirement
    /// moves, the package is not released).
    pub linked: Option<bool>,
}

/// The name of the group that holds the packages no `[[group]]` lists.
pub const DEFAULT_GROUP: &str = "default";

/// `NAME-v{version}` and the other spellings: `{version}` is `{semver}`.
pub fn tag_style(format: &str) -> Result<crate::changelog::TagStyle> {
    crate::changelog::TagStyle::parse_format(&format.replace("{version}", "{semver}"))
}

/// Where a value sits: the line of a key's value in the n-th table of an array of tables.
pub(crate) struct Lines<'t> {
    text: &'t str,
    doc: Option<toml_edit::Document<&'t str>>,
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str) -> Lines<'t> {
        Lines { text, doc: toml_edit::Document::parse(text).ok() }
    }

    /// `line N: ` of `array[index].key` (its `index`-th element when `element` is given), or
    /// of the table itself when the key is absent; empty when unknown.
    pub fn at(&self, array: &str, index: usize, key: &str, element: Option<usize>) -> String {
        let table = self
            .doc
            .as_ref()
            .and_then(|d| d.get(array))
            .and_then(|i| i.as_array_of_tables())
            .and_then(|a| a.get(index));
        let Some(table) = table else { return String::new() };
        let item = table.get(key);
        let span = match (item, element) {
            (Some(item), Some(n)) => item.as_array().and_then(|a| a.get(n)).and_then(|v| v.span()),
            (Some(item), None) => item.span(),
            (None, _) => None,
        }
        .or_else(|| table.span());
        self.line(span)
    }

    fn line(&self, span: Option<std::ops::Range<usize>>) -> String {
        span.map(|s| format!("line {}: ", self.text[..s.start].matches('\n').count() + 1)).unwrap_or_default()
    }
}

fn tag_safe(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(['.', '-'])
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// The root-relative folder as the model keeps it: forward slashes, no `./`, empty for the root.
pub fn folder_of(folder: &str) -> String {
    let f = crate::repo::files::normalize_scope(folder);
    if f == "." { String::new() } else { f }
}

/// Refuse a package model that cannot hold, naming the line.
pub fn validate(config: &Config, text: &str) -> Result<()> {
    let packages = config.packages.as_deref().unwrap_or_default();
    let groups = config.groups.as_deref().unwrap_or_default();
    let lines = Lines::new(text);
    if packages.is_empty() && !groups.is_empty() {
        bail!(
            "{}[[group]] lists packages, but there is no [[package]]; declare each package first",
            lines.at("group", 0, "name", None)
        );
    }
    let mut names = BTreeMap::new();
    let mut folders: BTreeMap<String, &str> = BTreeMap::new();
    for (i, p) in packages.iter().enumerate() {
        if !tag_safe(&p.name) {
            bail!(
                "{}[[package]] name {:?} must be letters, digits, `-`, `_` or `.` (it is part of tag names)",
                lines.at("package", i, "name", None),
                p.name
            );
        }
        if names.insert(p.name.as_str(), i).is_some() {
            bail!(
                "{}[[package]] name {:?} is declared twice; give each package its own name",
                lines.at("package", i, "name", None),
                p.name
            );
        }
        let folder = folder_of(&p.folder);
        if let Some(other) = folders.insert(folder.clone(), &p.name) {
            bail!(
                "{}[[package]] {:?} has the folder {:?} of package {other:?}; two packages cannot share a folder",
                lines.at("package", i, "folder", None),
                p.name,
                p.folder
            );
        }
        if let Some(format) = &p.tag_format {
            tag_style(format).map_err(|e| anyhow::anyhow!("{}{e}", lines.at("package", i, "tag-format", None)))?;
        }
    }
    // Listed sources: one package each.
    let mut sources: BTreeMap<String, &str> = BTreeMap::new();
    for (i, p) in packages.iter().enumerate() {
        for (n, v) in p.versions.iter().flatten().enumerate() {
            let path = crate::repo::files::normalize_scope(&v.path);
            if let Some(other) = sources.insert(path, &p.name)
                && other != p.name
            {
                let at = lines.doc_line_of_version(i, n);
                bail!(
                    "{at}[[package.version]] {:?} of package {:?} is already a version source of package {other:?}; \
                     a file holds the version of one package: list it under one of them",
                    v.path,
                    p.name
                );
            }
        }
    }
    let mut group_of: BTreeMap<&str, &str> = BTreeMap::new();
    let mut group_names = BTreeSet::new();
    for (g, group) in groups.iter().enumerate() {
        if !group_names.insert(group.name.as_str()) || group.name == DEFAULT_GROUP {
            bail!(
                "{}[[group]] name {:?} is taken (by another group, or by the default group of ungrouped packages); pick another",
                lines.at("group", g, "name", None),
                group.name
            );
        }
        if let Some(format) = &group.tag_format {
            tag_style(format).map_err(|e| anyhow::anyhow!("{}{e}", lines.at("group", g, "tag-format", None)))?;
        }
        for (n, name) in group.packages.iter().enumerate() {
            let at = lines.at("group", g, "packages", Some(n));
            if !names.contains_key(name.as_str()) {
                let known: Vec<&str> = names.keys().copied().collect();
                bail!(
                    "{at}[[group]] {:?} lists {name:?}, which no [[package]] declares (the packages are {}); \
                     fix the name or add the [[package]]",
                    group.name,
                    known.join(", ")
                );
            }
            if let Some(other) = group_of.insert(name, &group.name) {
                bail!(
                    "{at}package {name:?} is in group {other:?} and in group {:?}; a package belongs to one group",
                    group.name
                );
            }
        }
    }
    // One tag prefix per tag series: a fixed group shares one, every independent package has its own.
    let mut prefixes: BTreeMap<String, String> = BTreeMap::new();
    for model in super::model(config) {
        let Some(first) = model.packages.first() else { continue };
        let series: Vec<&super::Package> =
            if model.mode == Mode::Fixed { vec![first] } else { model.packages.iter().collect() };
        if model.mode == Mode::Fixed
            && let Some(odd) = model.packages.iter().find(|p| p.tag.prefix != first.tag.prefix)
        {
            let i = names[odd.name.as_str()];
            bail!(
                "{}package {:?} has its own tag-format, but the fixed group {:?} has one tag for all; \
                 set tag-format on the [[group]] instead",
                lines.at("package", i, "tag-format", None),
                odd.name,
                model.name
            );
        }
        for p in series {
            let owner = if model.mode == Mode::Fixed {
                format!("group {:?}", model.name)
            } else {
                format!("package {:?}", p.name)
            };
            if let Some(other) = prefixes.insert(p.tag.prefix.clone(), owner.clone()) {
                let at = match names.get(p.name.as_str()) {
                    Some(&i) if packages[i].tag_format.is_some() || model.mode == Mode::Independent => {
                        lines.at("package", i, "tag-format", None)
                    }
                    _ => groups
                        .iter()
                        .position(|g| g.name == model.name)
                        .map(|g| lines.at("group", g, "tag-format", None))
                        .unwrap_or_default(),
                };
                bail!(
                    "{at}{owner} and {other} would both write tags `{}<version>`; give one of them its own tag-format",
                    p.tag.prefix
                );
            }
        }
    }
    Ok(())
}

impl Lines<'_> {
    fn doc_line_of_version(&self, package: usize, n: usize) -> String {
        let span = self
            .doc
            .as_ref()
            .and_then(|d| d.get("package"))
            .and_then(|i| i.as_array_of_tables())
            .and_then(|a| a.get(package))
            .and_then(|t| t.get("version"))
            .and_then(|v| v.as_array_of_tables())
            .and_then(|a| a.get(n))
            .and_then(|t| t.get("path"))
            .and_then(|p| p.span());
        self.line(span)
    }
}

/// Every package folder exists in the work tree (checked at load, where the root is known).
pub fn check_folders(config: &Config, root: &std::path::Path, text: &str) -> Result<()> {
    let lines = Lines::new(text);
    for (i, p) in config.packages.iter().flatten().enumerate() {
        if !root.join(folder_of(&p.folder)).is_dir() {
            bail!(
                "{}[[package]] {:?} has the folder {:?}, which does not exist in the repository; \
                 give the package's folder relative to the root",
                lines.at("package", i, "folder", None),
                p.name,
                p.folder
            );
        }
    }
    Ok(())
}
