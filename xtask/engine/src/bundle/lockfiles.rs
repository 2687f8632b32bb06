//! The dependencies a lockfile pins, as SBOM components: package-lock.json (v2, v3), uv.lock,
//! poetry.lock, Cargo.lock, and requirements files with `==` pins. Text in, components out;
//! a lockfile that cannot be read is an error naming the file (and the line where the format
//! gives one).

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};

/// Where a component comes from, which decides its purl.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ecosystem {
    Npm,
    Pypi,
    Cargo,
}

impl Ecosystem {
    /// The lockfiles of the ecosystem in one folder, by file name.
    pub fn owns(self, file_name: &str) -> bool {
        match self {
            Ecosystem::Npm => file_name == "package-lock.json",
            Ecosystem::Pypi => {
                file_name == "uv.lock"
                    || file_name == "poetry.lock"
                    || (file_name.starts_with("requirements") && file_name.ends_with(".txt"))
            }
            Ecosystem::Cargo => file_name == "Cargo.lock",
        }
    }

    /// The manifest files that make a folder a project of the ecosystem.
    pub fn manifests(self) -> &'static [&'static str] {
        match self {
            Ecosystem::Npm => &["package.json"],
            Ecosystem::Pypi => &["pyproject.toml", "setup.py", "setup.cfg"],
            Ecosystem::Cargo => &["Cargo.toml"],
        }
    }

    pub const ALL: [Ecosystem; 3] = [Ecosystem::Npm, Ecosystem::Pypi, Ecosystem::Cargo];
}

/// One pinned dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub version: String,
    /// (CycloneDX algorithm name, lowercase hex), sorted, without repeats.
    pub hashes: Vec<(String, String)>,
}

impl Component {
    /// The package URL: `pkg:npm/%40scope/name@1.0.0`, `pkg:pypi/name@1.0`, `pkg:cargo/name@1.0.0`.
    pub fn purl(&self) -> String {
        let (kind, name) = match self.ecosystem {
            Ecosystem::Npm => ("npm", self.name.to_lowercase()),
            Ecosystem::Pypi => ("pypi", crate::version::pep503(&self.name)),
            Ecosystem::Cargo => ("cargo", self.name.clone()),
        };
        let name = name.split('/').map(encode).collect::<Vec<_>>().join("/");
        format!("pkg:{kind}/{name}@{}", encode(&self.version))
    }
}

/// The components of one lockfile; `path` (root-relative) names it in errors.
pub fn parse(path: &str, text: &str) -> Result<Vec<Component>> {
    let file_name = path.rsplit('/').next().unwrap_or(path);
    let found = match file_name {
        "package-lock.json" => package_lock(text),
        "uv.lock" => uv_lock(text),
        "poetry.lock" => poetry_lock(text),
        "Cargo.lock" => cargo_lock(text),
        _ => requirements(text),
    };
    found.with_context(|| format!("{path}: cannot read the lockfile for the SBOM"))
}

fn package_lock(text: &str) -> Result<Vec<Component>> {
    let json: serde_json::Value = serde_json::from_str(text).context("not valid JSON")?;
    let version = json.get("lockfileVersion").and_then(|v| v.as_u64()).unwrap_or(1);
    let Some(packages) = json.get("packages").and_then(|p| p.as_object()) else {
        bail!(
            "lockfileVersion {version} has no \"packages\"; regenerate it with npm 7 or later (`npm install --lockfile-version 3`)"
        );
    };
    let mut out = Vec::new();
    for (key, entry) in packages {
        // "" is the project itself; paths without node_modules/ are workspace members; links
        // point at them.
        let Some(at) = key.rfind("node_modules/") else { continue };
        if entry.get("link").and_then(|l| l.as_bool()) == Some(true) {
            continue;
        }
        let name = entry.get("name").and_then(|n| n.as_str()).unwrap_or(&key[at + "node_modules/".len()..]);
        let Some(version) = entry.get("version").and_then(|v| v.as_str()) else { continue };
        let mut hashes = Vec::new();
        for sri in entry.get("integrity").and_then(|i| i.as_str()).unwrap_or("").split_whitespace() {
            let (alg, b64) =
                sri.split_once('-').with_context(|| format!("{key}: integrity {sri:?} is not `ALG-BASE64`"))?;
            let alg = match alg {
                "sha512" => "SHA-512",
                "sha384" => "SHA-384",
                "sha256" => "SHA-256",
                "sha1" => "SHA-1",
                _ => continue,
            };
            let bytes = base64(b64).with_context(|| format!("{key}: integrity {sri:?} is not base64"))?;
            hashes.push((alg.to_string(), super::checksums::hex(&bytes)));
        }
        out.push(component(Ecosystem::Npm, name, version, hashes));
    }
    Ok(out)
}

/// The `[[package]]` tables of a TOML lockfile.
fn toml_packages(text: &str) -> Result<Vec<serde_json::Value>> {
    #[derive(serde::Deserialize)]
    struct Lock {
        #[serde(default)]
        package: Vec<serde_json::Value>,
    }
    let lock: Lock = toml_edit::de::from_str(text).map_err(|e| anyhow::anyhow!("{}", e.to_string().trim_end()))?;
    Ok(lock.package)
}

fn str_of<'a>(table: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    table.get(key).and_then(|v| v.as_str())
}

/// `sha256:HEX` -> ("SHA-256", hex).
fn prefixed_hash(hash: &str) -> Option<(String, String)> {
    let (alg, hex) = hash.split_once(':')?;
    let alg = match alg {
        "sha256" => "SHA-256",
        "sha384" => "SHA-384",
        "sha512" => "SHA-512",
        _ => return None,
    };
    hex.bytes().all(|b| b.is_ascii_hexdigit()).then(|| (alg.to_string(), hex.to_ascii_lowercase()))
}

fn uv_lock(text: &str) -> Result<Vec<Component>> {
    let mut out = Vec::new();
    for p in toml_packages(text)? {
        let (Some(name), Some(version)) = (str_of(&p, "name"), str_of(&p, "version")) else { continue };
        // The project itself and local folders are not dependencies from an index.
        let source = p.get("source");
        if ["editable", "virtual", "directory", "path"].iter().any(|k| source.and_then(|s| s.get(k)).is_some()) {
            continue;
        }
        let files = p.get("sdist").into_iter().chain(p.get("wheels").and_then(|w| w.as_array()).into_iter().flatten());
        let hashes = files.filter_map(|f| str_of(f, "hash")).filter_map(prefixed_hash).collect();
        out.push(component(Ecosystem::Pypi, name, version, hashes));
    }
    Ok(out)
}

fn poetry_lock(text: &str) -> Result<Vec<Component>> {
    let mut out = Vec::new();
    for p in toml_packages(text)? {
        let (Some(name), Some(version)) = (str_of(&p, "name"), str_of(&p, "version")) else { continue };
        if p.get("source").and_then(|s| str_of(s, "type")) == Some("directory") {
            continue;
        }
        let files = p.get("files").and_then(|f| f.as_array()).into_iter().flatten();
        let hashes = files.filter_map(|f| str_of(f, "hash")).filter_map(prefixed_hash).collect();
        out.push(component(Ecosystem::Pypi, name, version, hashes));
    }
    Ok(out)
}

fn cargo_lock(text: &str) -> Result<Vec<Component>> {
    let mut out = Vec::new();
    for p in toml_packages(text)? {
        let (Some(name), Some(version)) = (str_of(&p, "name"), str_of(&p, "version")) else { continue };
        // Packages without a source are the workspace's own crates.
        if p.get("source").is_none() {
            continue;
        }
        let hashes =
            str_of(&p, "checksum").map(|c| ("SHA-256".to_string(), c.to_ascii_lowercase())).into_iter().collect();
        out.push(component(Ecosystem::Cargo, name, version, hashes));
    }
    Ok(out)
}

/// `name[extra]==1.0 ; marker --hash=sha256:HEX`, with `\` continuations and `#` comments;
/// options (`-r`, `-e`, `--index-url`) and lines without an `==` pin are skipped.
fn requirements(text: &str) -> Result<Vec<Component>> {
    let mut out = Vec::new();
    let mut logical = String::new();
    let mut first_line = 0;
    for (i, raw) in text.lines().enumerate() {
        if logical.is_empty() {
            first_line = i + 1;
        }
        let line = match raw.find(" #") {
            Some(at) => &raw[..at],
            None if raw.trim_start().starts_with('#') => "",
            None => raw,
        };
        if let Some(rest) = line.trim_end().strip_suffix('\\') {
            logical.push_str(rest);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let entry = std::mem::take(&mut logical);
        if let Some(c) = requirement(entry.trim()).with_context(|| format!("line {first_line}"))? {
            out.push(c);
        }
    }
    Ok(out)
}

fn requirement(line: &str) -> Result<Option<Component>> {
    if line.is_empty() || line.starts_with('-') {
        return Ok(None);
    }
    let Some((name, rest)) = line.split_once("==") else { return Ok(None) };
    let name = name.split('[').next().unwrap_or("").trim();
    let rest = rest.strip_prefix('=').unwrap_or(rest);
    let version = rest.split(|c: char| c.is_whitespace() || c == ';').next().unwrap_or("").trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        bail!("{line:?} does not start with a package name");
    }
    if version.is_empty() || version.contains('*') {
        return Ok(None);
    }
    let hashes =
        rest.split_whitespace().filter_map(|word| word.strip_prefix("--hash=")).filter_map(prefixed_hash).collect();
    Ok(Some(component(Ecosystem::Pypi, name, version, hashes)))
}

fn component(ecosystem: Ecosystem, name: &str, version: &str, mut hashes: Vec<(String, String)>) -> Component {
    hashes.sort();
    hashes.dedup();
    Component { ecosystem, name: name.to_string(), version: version.to_string(), hashes }
}

/// Merge components with the same purl (their hashes together), sorted by purl.
pub fn merge(components: impl IntoIterator<Item = Component>) -> Vec<Component> {
    let mut by_purl: BTreeMap<String, Component> = BTreeMap::new();
    for c in components {
        match by_purl.get_mut(&c.purl()) {
            Some(seen) => {
                seen.hashes.extend(c.hashes);
                seen.hashes.sort();
                seen.hashes.dedup();
            }
            None => {
                by_purl.insert(c.purl(), c);
            }
        }
    }
    by_purl.into_values().collect()
}

/// Percent-encoding of a purl segment: everything but letters, digits and `.-_~`.
fn encode(segment: &str) -> String {
    let mut out = String::new();
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b".-_~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Standard base64 (with or without padding).
fn base64(text: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => bail!("{:?} is not a base64 character", c as char),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Ok(out)
}

#[cfg(test)]
#[path = "lockfiles_tests.rs"]
mod tests;
