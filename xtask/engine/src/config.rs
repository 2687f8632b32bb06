//! `xtask.toml`: the schema, and errors that name the file, the line and what to do.
//!
//! Sections that are present replace what detection would find for them; absent sections are
//! detected (see `detect`). Unknown keys are errors, so a typo never silently disables a gate.

mod paths;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// `xtask.toml` as written. Every field is optional; `None` means "not configured".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    #[serde(default)]
    pub release: ReleaseConfig,
    #[serde(rename = "version")]
    pub versions: Option<Vec<VersionEntry>>,
    /// `[versions]`: changes to the detected sources. A separate key because TOML cannot hold
    /// both a `[version]` table and the `[[version]]` array of tables.
    #[serde(default, rename = "versions")]
    pub version_filter: VersionFilter,
    #[serde(default)]
    pub gates: GatesConfig,
    #[serde(rename = "bundle")]
    pub bundles: Option<Vec<BundleEntry>>,
    /// `[bundles]`: settings of every bundle run (signing). A separate key because TOML cannot
    /// hold both a `[bundle]` table and the `[[bundle]]` array of tables.
    #[serde(default, rename = "bundles")]
    pub bundle_settings: BundleSettings,
    /// What the workflows `init` generates set up before running the tool.
    #[serde(default)]
    pub ci: CiConfig,
    #[serde(default)]
    pub rollback: RollbackConfig,
    /// `[[package]]`: the packages of a repository that holds several (see `packages`).
    #[serde(rename = "package")]
    pub packages: Option<Vec<crate::packages::PackageEntry>>,
    /// `[[group]]`: packages versioned together (`fixed`) or each on its own (`independent`).
    #[serde(rename = "group")]
    pub groups: Option<Vec<crate::packages::GroupEntry>>,
}

/// `[ci]`: read by `init` when it writes the GitHub workflows (edit this, not the workflows).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CiConfig {
    /// Commands every job runs after the checkout, before the tool (argument vectors).
    pub setup: Option<Vec<Vec<String>>>,
    /// The Python version of `actions/setup-python` (no Python step when absent).
    pub python: Option<String>,
    /// The Node.js version of `actions/setup-node` (no Node.js step when absent).
    pub node: Option<String>,
}

/// `[rollback]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RollbackConfig {
    /// Globs of root-relative paths that a rollback keeps at today's content (besides the
    /// tool's own files, which it always keeps).
    pub keep: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ReleaseConfig {
    /// The project's name, used in archive names (default: the root folder's name).
    pub name: Option<String>,
    pub tag_prefix: Option<String>,
    /// How new tags are written: a prefix and `{semver}`, `{semver-glued}` or `{pep440}`
    /// (default: as the newest release tag is written).
    pub tag_format: Option<String>,
    pub branches: Option<Vec<String>>,
    pub changelog: Option<String>,
    pub remote: Option<String>,
    /// How a release reaches the main branch: `"direct"` (the release commit and tag are pushed
    /// onto it, the default) or `"pull-request"` (`release --branch`, merged, then
    /// `release --tag-merged`); `init` writes the workflows of the flow.
    pub flow: Option<Flow>,
    /// `[release.channels]`: branch globs and the pre-release label `release auto` (and the
    /// levels) make on them, such as `develop = "beta"`, `"release/*" = "rc"`.
    pub channels: Option<std::collections::BTreeMap<String, String>>,
}

/// `[release] flow`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flow {
    /// The release commit and its tag go onto the branch in one push.
    #[default]
    Direct,
    /// The release commit goes onto a `release/TAG` branch for a pull request; the merged
    /// commit is tagged afterwards.
    PullRequest,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VersionEntry {
    pub path: String,
    /// A pattern with one `{version}` for files of no known kind.
    pub pattern: Option<String>,
    pub form: Option<Form>,
}

/// `[versions] exclude = [...]`: detected sources left out, as root-relative paths or globs.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VersionFilter {
    pub exclude: Option<Vec<String>>,
}

/// How a file spells pre-releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Form {
    /// `1.2.0-rc.1`
    Semver,
    /// `1.2.0rc1`
    Pep440,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GatesConfig {
    /// `false` turns off detection of gates: only configured gates run.
    pub detect: Option<bool>,
    pub versions: Option<ToggleGate>,
    pub ascii: Option<AsciiGate>,
    pub ellipsis: Option<EllipsisGate>,
    pub compile: Option<CompileGate>,
    pub links: Option<LinksGate>,
    pub tests: Option<TestsGate>,
    pub command: Option<Vec<CommandGate>>,
    // The detected lint and type-check gates (gates/lint): each section turns a tool's gates
    // off (`enabled = false`) or out of the gate cache (`cache = false`).
    pub ruff: Option<ToggleGate>,
    pub flake8: Option<ToggleGate>,
    pub black: Option<ToggleGate>,
    pub isort: Option<ToggleGate>,
    pub mypy: Option<ToggleGate>,
    pub bandit: Option<ToggleGate>,
    pub npm_lint: Option<ToggleGate>,
    pub npm_typecheck: Option<ToggleGate>,
    pub npm_format_check: Option<ToggleGate>,
    /// `[gates.commits]`: every commit since the base follows Conventional Commits (opt-in).
    pub commits: Option<CommitsGate>,
}

/// `[gates.commits]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CommitsGate {
    pub enabled: Option<bool>,
    /// The commit the branch starts from (default: the merge base with the upstream, else the
    /// newest release tag, else the whole history); `quality-check --base` wins over it.
    pub base: Option<String>,
    /// Types accepted beside the standard ones (feat, fix, docs, ...).
    pub types: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ToggleGate {
    /// `false` turns the gate off.
    pub enabled: Option<bool>,
    /// `false`: never take this gate's result from the gate cache.
    pub cache: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AsciiGate {
    pub enabled: Option<bool>,
    pub paths: Option<Vec<String>>,
    /// File-name globs inside the folders (default `["*.md"]`).
    pub files: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    /// `false`: never take this gate's result from the gate cache.
    pub cache: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EllipsisGate {
    pub enabled: Option<bool>,
    pub paths: Option<Vec<String>>,
    /// Globs of files not checked (default `["*.md"]`).
    pub exclude: Option<Vec<String>>,
    /// Regexes: a line matching one may hold `...`.
    pub allow: Option<Vec<String>>,
    /// What counts: placeholders (the default) or every `...` in code.
    pub mode: Option<EllipsisMode>,
    /// `false`: never take this gate's result from the gate cache.
    pub cache: Option<bool>,
}

/// What the `ellipsis` gate reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EllipsisMode {
    /// A line of only `...`, `...` in a comment, a Python body of only `...` (outside stubs,
    /// Protocols, overloads and abstract methods); never spreads, rest parameters or strings.
    #[default]
    Placeholders,
    /// Every `...` in code, as `rg -F '...'` finds it.
    Any,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CompileGate {
    pub enabled: Option<bool>,
    pub paths: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    /// The interpreter (default: `python3`, else `python`).
    pub python: Option<String>,
    /// `false`: never take this gate's result from the gate cache.
    pub cache: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LinksGate {
    pub enabled: Option<bool>,
    pub paths: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    /// `false`: never take this gate's result from the gate cache.
    pub cache: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TestsGate {
    pub enabled: Option<bool>,
    /// `false`: never take this gate's result from the gate cache.
    pub cache: Option<bool>,
    /// Globs (relative to the root) of the files the suites read, instead of every file under
    /// their folders.
    pub inputs: Option<Vec<String>>,
    /// Environment variables whose values are part of the cache key.
    pub env: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CommandGate {
    pub name: String,
    pub run: Vec<String>,
    pub cwd: Option<String>,
    #[serde(default)]
    pub env: CommandEnv,
    /// `false`: never take this gate's result from the gate cache.
    pub cache: Option<bool>,
    /// Globs (relative to the root) of the files the command reads, instead of every file
    /// under `cwd`.
    pub inputs: Option<Vec<String>>,
    /// Run only when this environment variable is set and not empty (opt-in gates such as
    /// smoke tests); otherwise the gate is listed as skipped.
    pub when_env: Option<String>,
}

/// `env` of a command gate. A table sets variables (`env = { A = "1" }`); a list names
/// variables whose values are part of the cache key (`env = ["CI"]`) and may set some as
/// `NAME=VALUE` (`env = ["CI", "A=1"]`).
#[derive(Debug, Clone, Default)]
pub struct CommandEnv {
    /// Set for the command.
    pub set: std::collections::BTreeMap<String, String>,
    /// Read from the environment into the cache key.
    pub keyed: Vec<String>,
}

impl<'de> Deserialize<'de> for CommandEnv {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<CommandEnv, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = CommandEnv;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table of variables to set or a list of variable names")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<CommandEnv, A::Error> {
                let mut env = CommandEnv::default();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    env.set.insert(k, v);
                }
                Ok(env)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<CommandEnv, A::Error> {
                let mut env = CommandEnv::default();
                while let Some(item) = seq.next_element::<String>()? {
                    let (name, value) = match item.split_once('=') {
                        Some((name, value)) => (name, Some(value)),
                        None => (item.as_str(), None),
                    };
                    if !is_env_name(name) {
                        return Err(serde::de::Error::custom(format!(
                            "env: {item:?} is not a variable name (letters, digits and _) nor NAME=VALUE"
                        )));
                    }
                    match value {
                        Some(value) => {
                            env.set.insert(name.to_string(), value.to_string());
                        }
                        None => env.keyed.push(name.to_string()),
                    }
                }
                Ok(env)
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// `NAME` of an environment variable: letters, digits and `_`, not starting with a digit.
pub fn is_env_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BundleEntry {
    /// The archive's file name; `.zip` or `.tar.gz` decides the format.
    pub name: String,
    pub cwd: Option<String>,
    /// Commands run in order in `cwd` before archiving.
    #[serde(default)]
    pub build: Vec<Vec<String>>,
    /// Globs relative to `cwd` of what goes into the archive.
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Globs relative to `cwd` of files the build produced that are release artifacts as they
    /// are (a wheel, an sdist): copied into the output folder instead of archived.
    #[serde(default)]
    pub collect: Vec<String>,
    /// The package or group (of `[[package]]` / `[[group]]`) whose bundles it is; default:
    /// the package whose folder holds `cwd`.
    pub package: Option<String>,
}

/// `[bundles]`: how `bundle` signs `SHA256SUMS` and how `bundle --verify` checks it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BundleSettings {
    /// `"gpg"` (`SHA256SUMS.asc`) or `"ssh"` (`SHA256SUMS.sig`); no signature when absent.
    pub sign: Option<SignMethod>,
    /// The gpg key id, or the ssh private key file; env `XTASK_SIGNING_KEY` wins over it.
    pub signing_key: Option<String>,
    /// The ssh allowed-signers file `--verify` checks the signer against (relative to the
    /// root); env `XTASK_ALLOWED_SIGNERS` wins over it.
    pub allowed_signers: Option<String>,
}

/// How `SHA256SUMS` is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SignMethod {
    Gpg,
    Ssh,
}

/// A loaded configuration and where it came from.
#[derive(Debug, Default)]
pub struct Loaded {
    pub config: Config,
    /// The file it was read from; `None` when there is no `xtask.toml`.
    pub file: Option<PathBuf>,
}

impl Config {
    /// Read `explicit` (which must exist) or `ROOT/xtask.toml` (which may not).
    pub fn load(root: &Path, explicit: Option<&Path>) -> Result<Loaded> {
        let (file, required) = match explicit {
            Some(p) => (if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir()?.join(p) }, true),
            None => (root.join("xtask.toml"), false),
        };
        let text = match std::fs::read(&file) {
            Ok(bytes) => String::from_utf8(bytes)
                .map_err(|e| anyhow::anyhow!("{}: not valid UTF-8 ({e}); save it as UTF-8", file.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(Loaded::default()),
            Err(e) => return Err(e).with_context(|| format!("{}: cannot read the configuration", file.display())),
        };
        let config = Config::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        config.check_symlinked_paths(root, &text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        crate::packages::config::check_folders(&config, root, &text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        Ok(Loaded { config, file: Some(file) })
    }

    /// Parse and validate the text of an `xtask.toml`. Errors carry the line and what to do.
    pub fn parse(text: &str) -> Result<Config> {
        refuse_version_table(text)?;
        refuse_bundle_table(text)?;
        let config: Config = toml_edit::de::from_str(text).map_err(|e| {
            let msg = e.to_string();
            let hint = if msg.contains("unknown field") {
                "\nremove or rename the key (docs/configuration.md lists every key)"
            } else {
                "\nsee docs/configuration.md for the schema"
            };
            anyhow::anyhow!("{}{hint}", msg.trim_end())
        })?;
        config.validate(text)?;
        config.check_paths(text)?;
        crate::packages::config::validate(&config, text)?;
        crate::bundle::units::check_config(&config, text)?;
        Ok(config)
    }

    fn validate(&self, text: &str) -> Result<()> {
        let at = |needle: &str| line_of(text, needle).map(|l| format!("line {l}: ")).unwrap_or_default();
        if let Some(prefix) = &self.release.tag_prefix
            && prefix.chars().any(|c| c.is_whitespace() || "~^:?*[\\".contains(c))
        {
            bail!(
                "{}tag-prefix {prefix:?} cannot be part of a git tag name; use letters such as \"v\"",
                at("tag-prefix")
            );
        }
        if let Some(format) = &self.release.tag_format {
            if self.release.tag_prefix.is_some() {
                bail!("{}set tag-format or tag-prefix, not both; tag-format holds the prefix", at("tag-format"));
            }
            let style = crate::changelog::TagStyle::parse_format(format)
                .map_err(|e| anyhow::anyhow!("{}{e}", at("tag-format")))?;
            if style.prefix.chars().any(|c| c.is_whitespace() || "~^:?*[\\".contains(c)) {
                bail!("{}tag-format {format:?} has a prefix that cannot be part of a git tag name", at("tag-format"));
            }
        }
        for (glob, label) in self.release.channels.iter().flatten() {
            if let Err(e) = crate::glob::Glob::new(glob) {
                bail!(
                    "{}[release.channels] {glob:?} is not a branch glob ({e}); write a name or a glob such as \"release/*\"",
                    at(glob)
                );
            }
            if !crate::release::target::LABELS.contains(&label.as_str()) {
                bail!(
                    "{}[release.channels] {glob:?} = {label:?}: not a pre-release label every ecosystem can spell; use one of {}",
                    at(glob),
                    crate::release::target::LABELS.join(", ")
                );
            }
        }
        for entry in self.versions.iter().flatten() {
            if entry.path.trim().is_empty() {
                bail!("{}[[version]] path is empty; give the file's path relative to the root", at("[[version]]"));
            }
            if let Some(pattern) = &entry.pattern
                && pattern.matches("{version}").count() != 1
            {
                bail!("{}[[version]] pattern {pattern:?} must contain `{{version}}` exactly once", at(pattern));
            }
        }
        if let Some(ell) = &self.gates.ellipsis {
            for allow in ell.allow.iter().flatten() {
                if let Err(e) = regex_lite::Regex::new(allow) {
                    bail!("{}[gates.ellipsis] allow pattern {allow:?} is not a valid regex: {e}", at(allow));
                }
            }
        }
        if let Some(exclude) = &self.version_filter.exclude {
            if self.versions.is_some() {
                bail!(
                    "{}[versions] exclude drops detected sources, but the [[version]] entries replace detection; \
                     remove the file from the [[version]] list instead, or remove the [[version]] entries",
                    at("[versions]")
                );
            }
            for glob in exclude {
                if glob.trim().is_empty() || glob.starts_with('/') {
                    bail!("{}[versions] exclude {glob:?} must be a path relative to the root", at("exclude"));
                }
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for gate in self.gates.command.iter().flatten() {
            if gate.run.is_empty() {
                bail!(
                    "{}[[gates.command]] {:?} has an empty `run`; give the program and its arguments",
                    at(&gate.name),
                    gate.name
                );
            }
            if let Some(name) = &gate.when_env
                && !is_env_name(name)
            {
                bail!("{}[[gates.command]] when-env {name:?} is not a variable name (letters, digits and _)", at(name));
            }
            if crate::gates::BUILTIN.contains(&gate.name.as_str()) || !seen.insert(gate.name.clone()) {
                bail!("{}[[gates.command]] name {:?} is already taken; pick another name", at(&gate.name), gate.name);
            }
        }
        let globs = self
            .bundles
            .iter()
            .flatten()
            .flat_map(|b| b.include.iter().chain(&b.exclude).chain(&b.collect))
            .chain(self.gates.ascii.iter().flat_map(|g| g.files.iter().flatten().chain(g.exclude.iter().flatten())))
            .chain(self.gates.ellipsis.iter().flat_map(|g| g.exclude.iter().flatten()))
            .chain(self.version_filter.exclude.iter().flatten())
            .chain(self.rollback.keep.iter().flatten());
        for glob in globs {
            if let Err(e) = crate::glob::Glob::new(glob) {
                bail!("{}{glob:?} is not a valid glob: {e}", at(glob));
            }
        }
        // The gate cache: `inputs` globs stay inside the root; `env` lists variable names.
        let inputs = (self.gates.tests.iter().flat_map(|t| t.inputs.iter().flatten()))
            .chain(self.gates.command.iter().flatten().flat_map(|c| c.inputs.iter().flatten()));
        for glob in inputs {
            if glob.starts_with('/') || glob.split('/').any(|part| part == "..") {
                bail!("{}inputs: {glob:?} leaves the root; give globs relative to the root", at(glob));
            }
            if let Err(e) = crate::glob::Glob::new(glob) {
                bail!("{}inputs: {glob:?} is not a valid glob: {e}", at(glob));
            }
        }
        for name in self.gates.tests.iter().flat_map(|t| t.env.iter().flatten()) {
            if !is_env_name(name) {
                bail!("{}[gates.tests] env: {name:?} is not a variable name (letters, digits and _)", at(name));
            }
        }
        for bundle in self.bundles.iter().flatten() {
            if !(bundle.name.ends_with(".zip") || bundle.name.ends_with(".tar.gz") || !bundle.collect.is_empty()) {
                bail!("{}[[bundle]] name {:?} must end in .zip or .tar.gz", at(&bundle.name), bundle.name);
            }
            if bundle.build.iter().any(Vec::is_empty) {
                bail!("{}[[bundle]] {:?} has an empty build command", at(&bundle.name), bundle.name);
            }
        }
        Ok(())
    }
}

/// `[version]` as a table (the spelling of the issue that asked for exclusion) cannot sit beside
/// `[[version]]` in TOML, so it is not the key; say which key is.
fn refuse_version_table(text: &str) -> Result<()> {
    let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else { return Ok(()) };
    if let Some(toml_edit::Item::Table(table)) = doc.get("version") {
        let keys: Vec<&str> = table.iter().map(|(k, _)| k).collect();
        let line = line_of(text, "[version]").map(|l| format!("line {l}: ")).unwrap_or_default();
        let fix = if keys.contains(&"exclude") {
            "write it as [versions] exclude = [...] (with an s)"
        } else {
            "list each source as [[version]] (double brackets) with a path"
        };
        bail!(
            "{line}[version] is a table here, but [[version]] entries are an array of tables and TOML cannot \
             hold both; {fix}"
        );
    }
    Ok(())
}

/// `[bundle] sign = ...` (the issue's spelling) cannot sit beside `[[bundle]]` in TOML; say
/// which key holds the bundle settings.
fn refuse_bundle_table(text: &str) -> Result<()> {
    let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else { return Ok(()) };
    if let Some(toml_edit::Item::Table(_)) = doc.get("bundle") {
        let line = line_of(text, "[bundle]").map(|l| format!("line {l}: ")).unwrap_or_default();
        bail!(
            "{line}[bundle] is a table here, but [[bundle]] entries are an array of tables and TOML cannot \
             hold both; write the signing settings as [bundles] sign = ... (with an s), and each bundle as [[bundle]]"
        );
    }
    Ok(())
}

/// The 1-based line of the first occurrence of `needle`, for messages about values.
/// A quoted occurrence (`"needle"` or `'needle'`) wins over a bare one, so a value is found
/// on its own line rather than in a comment that mentions it.
pub fn line_of(text: &str, needle: &str) -> Option<usize> {
    let pos = [format!("\"{needle}\""), format!("'{needle}'")]
        .iter()
        .filter_map(|q| text.find(q.as_str()))
        .min()
        .or_else(|| text.find(needle))?;
    Some(text[..pos].matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_example_parses() {
        let text = r#"
[release]
tag-prefix = "v"
branches = ["main", "release/*", "hotfix/*"]
changelog = "CHANGELOG.md"
remote = "origin"

[[version]]
path = "backend/pyproject.toml"
[[version]]
path = "docs/conf.py"
pattern = 'release = "{version}"'
form = "pep440"

[gates.ascii]
paths = ["docs"]
files = ["*.md"]

[gates.ellipsis]
paths = ["."]
exclude = ["*.md"]
allow = ['Field\(\.\.\.\)']

[gates.compile]
paths = ["backend"]

[gates.links]
paths = ["docs"]

[[gates.command]]
name = "backend-tests"
run = ["python", "-m", "pytest", "-q"]
cwd = "backend"

[[bundle]]
name = "frontend-build.zip"
cwd = "frontend"
build = [["npm", "ci"], ["npm", "run", "build"]]
include = [".next/**", "public/**", "package.json", "package-lock.json"]
"#;
        let c = Config::parse(text).unwrap();
        assert_eq!(c.versions.unwrap().len(), 2);
        assert_eq!(c.gates.command.unwrap()[0].cwd.as_deref(), Some("backend"));
        assert_eq!(c.bundles.unwrap()[0].build.len(), 2);
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = Config::parse("[release]\ntag-prefix = \"v\"\ntag-prefx = \"x\"\n").unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("tag-prefx"), "{err}");
        assert!(err.contains("remove or rename"), "{err}");
    }

    #[test]
    fn versions_exclude_parses_and_its_misuse_says_what_to_write() {
        let c = Config::parse("[versions]\nexclude = [\"ui-tests/package.json\"]\n").unwrap();
        assert_eq!(c.version_filter.exclude.unwrap(), ["ui-tests/package.json"]);
        assert!(c.versions.is_none());
        let err =
            Config::parse("# sources\n[version]\nexclude = [\"ui-tests/package.json\"]\n").unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("[versions] exclude"), "{err}");
        let err = Config::parse("[version]\npath = \"VERSION\"\n").unwrap_err().to_string();
        assert!(err.contains("[[version]] (double brackets)"), "{err}");
        let both = "[versions]\nexclude = [\"a/package.json\"]\n[[version]]\npath = \"VERSION\"\n";
        let err = Config::parse(both).unwrap_err().to_string();
        assert!(err.contains("line 1") && err.contains("replace detection"), "{err}");
        let err = Config::parse("[versions]\nexclude = [\"a/[\"]\n").unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("not a valid glob"), "{err}");
        let err = Config::parse("[versions]\nexlude = []\n").unwrap_err().to_string();
        assert!(err.contains("exlude") && err.contains("line 2"), "{err}");
    }

    #[test]
    fn bad_values_are_errors_with_lines() {
        let err = Config::parse("[[version]]\npath = \"a\"\nform = \"calver\"\n").unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
        let err = Config::parse("[gates.ellipsis]\nallow = ['(']\n").unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("not a valid regex"), "{err}");
        let err = Config::parse("[[version]]\npath = \"x\"\npattern = \"v = 1\"\n").unwrap_err().to_string();
        assert!(err.contains("{version}"), "{err}");
        let err = Config::parse("# the ascii gate\n[[gates.command]]\nname = \"ascii\"\nrun = [\"true\"]\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("already taken") && err.contains("line 3"), "{err}");
    }

    #[test]
    fn bundle_signing_settings_and_the_table_that_cannot_be() {
        let c = Config::parse(
            "[bundles]\nsign = \"ssh\"\nsigning-key = \"~/.ssh/id\"\nallowed-signers = \"keys\"\n\n[[bundle]]\nname = \"a.zip\"\ninclude = [\"a\"]\n",
        )
        .unwrap();
        assert_eq!(c.bundle_settings.sign, Some(SignMethod::Ssh));
        assert_eq!(c.bundle_settings.signing_key.as_deref(), Some("~/.ssh/id"));
        assert_eq!(c.bundles.unwrap().len(), 1);
        let err = Config::parse("[release]\nname = \"x\"\n[bundle]\nsign = \"gpg\"\n").unwrap_err().to_string();
        assert!(err.starts_with("line 3: [bundle] is a table") && err.contains("[bundles] sign = "), "{err}");
        let err = Config::parse("[bundles]\nsign = \"pgp\"\n").unwrap_err().to_string();
        assert!(err.contains("pgp") && err.contains("line 2"), "{err}");
    }
}
