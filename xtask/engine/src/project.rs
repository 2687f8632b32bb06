//! The project as the commands see it: the repository, plus configuration merged with
//! detection, resolved once per run.

use std::path::PathBuf;

use anyhow::Result;
use serde::Serialize;

use crate::config::{Config, Form};
use crate::detect;
use crate::repo::{FileList, Repo};
use crate::tooling::Tooling;

/// Why a gate, a version source or a bundle is part of the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "origin", content = "reason", rename_all = "lowercase")]
pub enum Origin {
    /// Written in `xtask.toml`.
    Configured,
    /// Found by detection; the text says what was found.
    Detected(String),
}

impl Origin {
    pub fn describe(&self) -> String {
        match self {
            Origin::Configured => "configured in xtask.toml".to_string(),
            Origin::Detected(why) => format!("detected: {why}"),
        }
    }
}

/// `[release]` with the defaults applied.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseSettings {
    pub name: String,
    pub tag_prefix: String,
    /// `[release] tag-format`, checked by the configuration.
    pub tag_format: Option<String>,
    pub branches: Vec<String>,
    pub changelog: String,
    pub remote: String,
    /// `[release] flow`.
    pub flow: crate::config::Flow,
    /// `[release.channels]`: (branch glob, pre-release label).
    pub channels: Vec<(String, String)>,
}

/// What kind of file holds a version, which decides how it is read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// `pyproject.toml`: `[project] version` or `[tool.poetry] version` (or, when dynamic,
    /// the file the build backend reads).
    PyProject,
    /// `__init__.py`, `_version.py`: `__version__ = "..."`.
    PythonModule,
    /// `package.json` (and the `package-lock.json` beside it).
    PackageJson,
    /// `Cargo.toml`: `[package] version` or `[workspace.package] version` (and `Cargo.lock`).
    CargoToml,
    /// A file that holds only the version (`VERSION`).
    Plain,
    /// Any file, with a configured pattern containing `{version}`.
    Pattern,
}

impl SourceKind {
    /// The kind a file name implies; `None` when only a pattern can say.
    pub fn from_path(path: &str) -> Option<SourceKind> {
        let name = path.rsplit('/').next().unwrap_or(path);
        Some(match name {
            "pyproject.toml" => SourceKind::PyProject,
            "package.json" => SourceKind::PackageJson,
            "Cargo.toml" => SourceKind::CargoToml,
            "__init__.py" | "_version.py" | "__version__.py" | "version.py" => SourceKind::PythonModule,
            "VERSION" | "VERSION.txt" | "version.txt" => SourceKind::Plain,
            _ => return None,
        })
    }

    /// The form the ecosystem uses when the configuration does not say.
    pub fn default_form(self) -> Form {
        match self {
            SourceKind::PyProject | SourceKind::PythonModule => Form::Pep440,
            _ => Form::Semver,
        }
    }
}

/// One place that holds the version.
#[derive(Debug, Clone, Serialize)]
pub struct VersionSpec {
    /// Root-relative, forward slashes.
    pub path: String,
    pub kind: SourceKind,
    pub pattern: Option<String>,
    pub form: Form,
    pub origin: Origin,
}

/// A command run as an argument vector, never through a shell.
#[derive(Debug, Clone, Serialize)]
pub struct CommandSpec {
    pub run: Vec<String>,
    /// Root-relative folder; empty is the root.
    pub cwd: String,
    pub env: std::collections::BTreeMap<String, String>,
}

/// What a gate checks.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum GateKind {
    Versions,
    Ascii {
        paths: Vec<String>,
        files: Vec<String>,
        exclude: Vec<String>,
    },
    Ellipsis {
        paths: Vec<String>,
        exclude: Vec<String>,
        allow: Vec<String>,
        mode: crate::config::EllipsisMode,
    },
    Compile {
        paths: Vec<String>,
        exclude: Vec<String>,
        python: String,
    },
    Links {
        paths: Vec<String>,
        exclude: Vec<String>,
    },
    /// The detected test runners, run one after the other.
    Tests {
        commands: Vec<CommandSpec>,
    },
    Command(CommandSpec),
    /// A linter or type checker found by its configuration (gates/lint).
    Lint(crate::gates::lint::LintSpec),
    /// Every commit since the base follows Conventional Commits (gates/commits.rs).
    Commits {
        /// `[gates.commits] base`; `None`: the upstream's merge base, else the newest release tag.
        base: Option<String>,
        /// Types accepted beside the standard ones.
        types: Vec<String>,
    },
}

/// A gate as it will run.
#[derive(Debug, Clone, Serialize)]
pub struct GateSpec {
    pub name: String,
    #[serde(flatten)]
    pub kind: GateKind,
    #[serde(flatten)]
    pub origin: Origin,
    /// What the gate cache keys it on (`cache`, `inputs`, `env`).
    #[serde(skip_serializing_if = "crate::gates::cache::Settings::is_default")]
    pub cache: crate::gates::cache::Settings,
    /// `when-env`: the gate runs only when this variable is set and not empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when_env: Option<String>,
}

/// A release bundle as it will be built.
#[derive(Debug, Clone, Serialize)]
pub struct BundleSpec {
    pub name: String,
    /// Root-relative folder; empty is the root.
    pub cwd: String,
    pub build: Vec<Vec<String>>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub collect: Vec<String>,
    /// `package = NAME`: the package or group whose bundles it is (default: the package whose
    /// folder holds `cwd`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    #[serde(flatten)]
    pub origin: Origin,
}

/// What a resolution finds beyond the configuration and the version sources: a command that
/// never runs gates or builds bundles (a rollback, which runs its gates on another tree) skips
/// their detection over every file of a large tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detect {
    /// The quality gates (configured and detected); `false` leaves `gates` empty.
    pub gates: bool,
    /// The release bundles (configured and detected); `false` leaves `bundles` empty.
    pub bundles: bool,
    /// Only the files git tracks (read from the index, no scan of the work tree for untracked
    /// ones): what a rollback, which commits tracked content, looks at.
    pub tracked_only: bool,
}

impl Detect {
    pub const ALL: Detect = Detect { gates: true, bundles: true, tracked_only: false };
    /// The configuration, the version sources and the tool's files only, over tracked files.
    pub const VERSIONS: Detect = Detect { gates: false, bundles: false, tracked_only: true };
}

/// Everything a command needs to know about the repository, read once.
#[derive(Debug)]
pub struct Project {
    pub repo: Repo,
    pub config_file: Option<PathBuf>,
    pub release: ReleaseSettings,
    pub versions: Vec<VersionSpec>,
    pub gates: Vec<GateSpec>,
    pub bundles: Vec<BundleSpec>,
    pub files: FileList,
    /// The paths of the release tool itself, never the product's (see `tooling`).
    pub tooling: Tooling,
    /// `[bundles]`: how bundles are signed and verified.
    pub bundle_settings: crate::config::BundleSettings,
    /// `[[package]]` and `[[group]]`; empty when the repository has one version.
    pub packages: crate::packages::Packages,
}

impl Project {
    /// Open the repository, read `xtask.toml` (or `config`), and fill every absent section
    /// by detection.
    pub fn load(repo: Repo, config: Option<&std::path::Path>) -> Result<Project> {
        Project::load_with(repo, config, Detect::ALL)
    }

    /// [`Project::load`], detecting only what `detect` asks for (the rest stays empty).
    pub fn load_with(repo: Repo, config: Option<&std::path::Path>, detect: Detect) -> Result<Project> {
        let loaded = Config::load(repo.root(), config)?;
        let files = if detect.tracked_only { FileList::tracked(&repo)? } else { repo.files()? };
        let release = release_settings(&repo, &loaded.config);
        Ok(Project::resolve_with(repo, loaded.config, loaded.file, files, release, detect))
    }

    /// Only the configuration and the `[release]` settings, no file listing or detection (empty
    /// versions, gates, bundles and files): for `changelog`, which reads history, not the work
    /// tree, so that a large tree costs it nothing.
    pub fn load_settings(repo: Repo, config: Option<&std::path::Path>) -> Result<Project> {
        let loaded = Config::load(repo.root(), config)?;
        let release = release_settings(&repo, &loaded.config);
        let (versions, gates, bundles, files, tooling) = Default::default();
        let packages = crate::packages::Packages::from_config(&loaded.config);
        let bundle_settings = loaded.config.bundle_settings;
        Ok(Project {
            repo,
            config_file: loaded.file,
            release,
            versions,
            gates,
            bundles,
            files,
            tooling,
            bundle_settings,
            packages,
        })
    }

    /// Merge a parsed configuration with detection over `files`.
    pub fn resolve(repo: Repo, config: Config, config_file: Option<PathBuf>, files: FileList) -> Project {
        let release = release_settings(&repo, &config);
        Project::resolve_with(repo, config, config_file, files, release, Detect::ALL)
    }

    /// Another tree of this repository (a rollback's, seen through a view) with the same
    /// configuration: the `[release]` settings are this project's (the tags they are read from
    /// are the same), detection runs over `files` as `detect` asks.
    pub fn resolve_tree(&self, repo: Repo, config: Config, files: FileList, detect: Detect) -> Project {
        Project::resolve_with(repo, config, self.config_file.clone(), files, self.release.clone(), detect)
    }

    fn resolve_with(
        repo: Repo,
        config: Config,
        config_file: Option<PathBuf>,
        files: FileList,
        release: ReleaseSettings,
        what: Detect,
    ) -> Project {
        let configured: Vec<String> =
            config.versions.iter().flatten().map(|e| crate::repo::files::normalize_scope(&e.path)).collect();
        let tooling = Tooling::of(&repo, &files, &configured);
        let versions = match &config.versions {
            Some(entries) => entries.iter().map(configured_spec).collect(),
            None => crate::version::drop_excluded(
                detect::version_sources(&repo, &files, &tooling),
                config.version_filter.exclude.as_deref().unwrap_or_default(),
            ),
        };
        let mut gates = Vec::new();
        if what.gates {
            gates = detect::gates(&repo, &files, &config.gates, !versions.is_empty(), &tooling);
            crate::gates::cache::configure(&mut gates, &config.gates);
        }
        let bundles = match &config.bundles {
            _ if !what.bundles => Vec::new(),
            Some(entries) => entries
                .iter()
                .map(|b| BundleSpec {
                    name: b.name.clone(),
                    cwd: b.cwd.as_deref().map(crate::repo::files::normalize_scope).unwrap_or_default(),
                    build: b.build.clone(),
                    include: b.include.clone(),
                    exclude: b.exclude.clone(),
                    collect: b.collect.clone(),
                    package: b.package.clone(),
                    origin: Origin::Configured,
                })
                .collect(),
            None => detect::bundles(&repo, &files, &versions),
        };
        let packages = crate::packages::Packages::from_config(&config);
        let bundle_settings = config.bundle_settings;
        Project { repo, config_file, release, versions, gates, bundles, files, tooling, bundle_settings, packages }
    }
}

/// A `[[version]]` (or `[[package.version]]`) entry as a source.
pub fn configured_spec(e: &crate::config::VersionEntry) -> VersionSpec {
    let path = crate::repo::files::normalize_scope(&e.path);
    let kind = if e.pattern.is_some() {
        SourceKind::Pattern
    } else {
        SourceKind::from_path(&path).unwrap_or(SourceKind::Pattern)
    };
    VersionSpec {
        form: e.form.unwrap_or(kind.default_form()),
        path,
        kind,
        pattern: e.pattern.clone(),
        origin: Origin::Configured,
    }
}

/// The prefix of lerna-style release tags (`@scope/pkg@1.2.0`), when they are the only release
/// tags of the repository and share one prefix; `None` when a tag spelled `v1.2.0` or `1.2.0`
/// exists, or none of either kind.
fn lerna_prefix(repo: &Repo) -> Option<String> {
    if !repo.is_git() {
        return None;
    }
    let tags = &repo.tags_at_start().ok()?.names;
    if tags.iter().any(|t| crate::changelog::tag_version(t, "v").is_some()) {
        return None;
    }
    let mut prefixes = tags.iter().filter_map(|t| {
        let prefix = &t[..t.rfind('@')? + 1];
        crate::changelog::tag_version(t, prefix).map(|_| prefix)
    });
    let first = prefixes.next()?;
    prefixes.all(|p| p == first).then(|| first.to_string())
}

/// `[release]` with its defaults filled in.
fn release_settings(repo: &Repo, config: &Config) -> ReleaseSettings {
    let r = &config.release;
    ReleaseSettings {
        name: r.name.clone().unwrap_or_else(|| {
            repo.root().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "project".into())
        }),
        tag_prefix: r
            .tag_prefix
            .clone()
            .or_else(|| {
                r.tag_format.as_deref().and_then(|f| crate::changelog::TagStyle::parse_format(f).ok()).map(|s| s.prefix)
            })
            .unwrap_or_else(|| lerna_prefix(repo).unwrap_or_else(|| "v".into())),
        tag_format: r.tag_format.clone(),
        branches: r
            .branches
            .clone()
            .unwrap_or_else(|| ["main", "master", "release/*", "hotfix/*"].map(String::from).to_vec()),
        changelog: r.changelog.clone().unwrap_or_else(|| "CHANGELOG.md".into()),
        remote: r.remote.clone().unwrap_or_else(|| "origin".into()),
        flow: r.flow.unwrap_or_default(),
        channels: r.channels.iter().flatten().map(|(g, l)| (g.clone(), l.clone())).collect(),
    }
}
