//! Requirements on a package that moves to a new version, in other packages' manifests and
//! their lockfiles: an npm range in `dependencies` (and `devDependencies`, `peerDependencies`,
//! `optionalDependencies`), a PEP 508 requirement in a pyproject's `[project] dependencies`,
//! `optional-dependencies` or `dependency-groups`. Each keeps its operator (`^0.1.0` ->
//! `^0.2.0`, `>=0.1.0` -> `>=0.2.0`, `==0.1.0` -> `==0.2.0`); a requirement that is not one
//! version after an operator (`*`, `workspace:*`, `file:../x`, `>=0.1,<0.2`) is left as it is.
//! The lockfile beside (`package-lock.json`, `uv.lock`) moves its copy of the requirement with
//! it. Only the requirement's bytes change. (Cargo path dependencies move with the version
//! itself, in [`super::plan_edits`].)

use std::ops::Range;

use anyhow::{Result, anyhow};

use super::text::replace_spans;
use super::{FileEdit, Version, json, toml};
use crate::config::Form;
use crate::project::Project;

/// A package that moves, by the names other manifests require it by.
#[derive(Debug, Clone)]
pub struct Moved {
    /// Its `package.json` name.
    pub npm: Option<String>,
    /// Its pyproject `[project] name`.
    pub python: Option<String>,
    pub to: Version,
}

/// One requirement rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// The manifest.
    pub path: String,
    /// The name required.
    pub on: String,
    pub before: String,
    pub after: String,
}

/// Byte ranges of a file and the text that replaces each.
type Replacements = Vec<(Range<usize>, String)>;

/// A manifest's replacements and the requirements they change.
type Found = (Replacements, Vec<Changed>);

const NPM_SECTIONS: [&str; 4] = ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"];

/// The edits of `manifests` (root-relative `package.json` and `pyproject.toml` files) and their
/// lockfiles that move every requirement on `moved`, and what changed. Reads; writes nothing.
pub fn requirement_edits(
    project: &Project,
    manifests: &[String],
    moved: &[Moved],
) -> Result<(Vec<FileEdit>, Vec<Changed>)> {
    let mut edits: Vec<FileEdit> = Vec::new();
    let mut changed = Vec::new();
    for manifest in manifests {
        let Ok(text) = std::fs::read_to_string(project.repo.path(manifest)) else { continue };
        let (spans, found) = if manifest.ends_with("package.json") {
            npm_requirements(manifest, &text, moved)?
        } else {
            python_requirements(manifest, &text, moved)?
        };
        if spans.is_empty() {
            continue;
        }
        edits.push(FileEdit {
            path: manifest.clone(),
            before: text.clone().into_bytes(),
            after: replace_spans(text.as_bytes(), &spans),
        });
        for lock in lockfiles_of(project, manifest) {
            let before = match edits.iter().find(|e| e.path == lock) {
                Some(edit) => String::from_utf8(edit.after.clone()).map_err(|_| anyhow!("{lock}: not UTF-8"))?,
                None => std::fs::read_to_string(project.repo.path(&lock))
                    .map_err(|e| anyhow!("{lock}: cannot be read ({e})"))?,
            };
            let spans = lock_requirements(&lock, &before, manifest, &text, &found)?;
            if spans.is_empty() {
                continue;
            }
            let after = replace_spans(before.as_bytes(), &spans);
            match edits.iter_mut().find(|e| e.path == lock) {
                Some(edit) => edit.after = after,
                None => edits.push(FileEdit { path: lock.clone(), before: before.into_bytes(), after }),
            }
        }
        changed.extend(found);
    }
    Ok((edits, changed))
}

/// An npm range on one version with its operator kept: `^0.1.0` -> `^0.2.0`; `None` when it
/// is not such a range or already names `to`.
fn npm_range(old: &str, to: &str) -> Option<String> {
    let (protocol, rest) = old.strip_prefix("workspace:").map_or(("", old), |r| ("workspace:", r));
    let (op, version) = rest.split_at(rest.find(|c: char| c.is_ascii_digit())?);
    if !["", "^", "~", ">=", "="].contains(&op) || semver::Version::parse(version).is_err() || version == to {
        return None;
    }
    Some(format!("{protocol}{op}{to}"))
}

fn npm_requirements(path: &str, text: &str, moved: &[Moved]) -> Result<Found> {
    json::validate(path, text).map_err(|e| anyhow!("{e}"))?;
    let mut spans = Vec::new();
    let mut changed = Vec::new();
    for m in moved {
        let Some(name) = &m.npm else { continue };
        let to = m.to.render(Form::Semver)?;
        for section in NPM_SECTIONS {
            for span in json::find(text, &[section, name]) {
                let Some(inner) = json::plain_string(text, &span) else { continue };
                let old = &text[inner.clone()];
                if let Some(new) = npm_range(old, &to) {
                    changed.push(Changed {
                        path: path.into(),
                        on: name.clone(),
                        before: old.into(),
                        after: new.clone(),
                    });
                    spans.push((inner, new));
                }
            }
        }
    }
    Ok((spans, changed))
}

/// The span of the version in a PEP 508 requirement on `name` with one specifier (`==`, `>=`,
/// `~=`, `===`), and the requirement with `to` there; `None` otherwise.
fn pep508_version(requirement: &str, name: &str) -> Option<Range<usize>> {
    let name_end =
        requirement.find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c))).unwrap_or(requirement.len());
    if name_end == 0 || super::pep503(&requirement[..name_end]) != super::pep503(name) {
        return None;
    }
    let mut i = name_end + (requirement[name_end..].len() - requirement[name_end..].trim_start().len());
    if requirement[i..].starts_with('[') {
        i += requirement[i..].find(']')? + 1;
    }
    let end = requirement[i..].find(';').map_or(requirement.len(), |j| i + j);
    let spec = requirement[i..end].trim();
    let offset = i + requirement[i..].find(spec)?;
    if spec.contains(',') {
        return None;
    }
    let op = ["===", "==", "~=", ">="].into_iter().find(|op| spec.starts_with(op))?;
    let version = spec[op.len()..].trim_start();
    let start = offset + spec.len() - version.len();
    let plain = version.starts_with(|c: char| c.is_ascii_digit())
        && version.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    plain.then_some(start..start + version.len())
}

fn python_requirements(path: &str, text: &str, moved: &[Moved]) -> Result<Found> {
    let doc = toml::parse(path, text).map_err(|e| anyhow!("{e}"))?;
    let mut arrays = Vec::new();
    arrays.extend(toml::get(&doc, &["project", "dependencies"]));
    for table in [&["project", "optional-dependencies"][..], &["dependency-groups"][..]] {
        if let Some(groups) = toml::get(&doc, table).and_then(|t| t.as_table_like()) {
            arrays.extend(groups.iter().map(|(_, item)| item));
        }
    }
    let mut spans = Vec::new();
    let mut changed = Vec::new();
    for item in arrays {
        let Some(array) = item.as_array() else { continue };
        for value in array.iter() {
            let (Some(span), Some(requirement)) = (value.span(), value.as_str()) else { continue };
            let raw = &text[span.clone()];
            let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") { 3 } else { 1 };
            if text.get(span.start + quote..span.end - quote) != Some(requirement) {
                continue;
            }
            for m in moved {
                let Some(name) = &m.python else { continue };
                let Some(at) = pep508_version(requirement, name) else { continue };
                let to = m.to.render(Form::Pep440)?;
                if requirement[at.clone()] == to {
                    continue;
                }
                let after = format!("{}{to}{}", &requirement[..at.start], &requirement[at.end..]);
                changed.push(Changed { path: path.into(), on: name.clone(), before: requirement.into(), after });
                let start = span.start + quote + at.start;
                spans.push((start..start + at.len(), to));
            }
        }
    }
    Ok((spans, changed))
}

/// The lockfiles that may hold `manifest`'s requirements: npm's beside it or at a workspace
/// root above it; `uv.lock` likewise.
fn lockfiles_of(project: &Project, manifest: &str) -> Vec<String> {
    let names: &[&str] = if manifest.ends_with("package.json") { &["package-lock.json"] } else { &["uv.lock"] };
    let mut dir = crate::detect::parent(manifest);
    let mut out = Vec::new();
    loop {
        for name in names {
            let lock = if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") };
            if project.files.iter().any(|f| f == lock) {
                out.push(lock);
            }
        }
        if dir.is_empty() {
            return out;
        }
        dir = crate::detect::parent(dir);
    }
}

/// In a lockfile, the spans of `manifest`'s copies of the requirements that changed.
fn lock_requirements(
    lock: &str,
    text: &str,
    manifest: &str,
    manifest_text: &str,
    changed: &[Changed],
) -> Result<Replacements> {
    let mut spans = Vec::new();
    let lock_dir = crate::detect::parent(lock);
    let manifest_dir = crate::detect::parent(manifest);
    let key = if lock_dir.is_empty() {
        manifest_dir
    } else {
        manifest_dir.strip_prefix(lock_dir).unwrap_or(manifest_dir).trim_start_matches('/')
    };
    if lock.ends_with("package-lock.json") {
        json::validate(lock, text).map_err(|e| anyhow!("{e}"))?;
        for c in changed {
            for section in NPM_SECTIONS {
                for span in json::find(text, &["packages", key, section, &c.on]) {
                    if let Some(inner) = json::plain_string(text, &span).filter(|i| text[i.clone()] == c.before) {
                        spans.push((inner, c.after.clone()));
                    }
                }
            }
        }
        return Ok(spans);
    }
    // uv.lock: the dependent's own entry lists its requirements under `metadata.requires-dist`.
    let Some(own) = ::toml_edit::Document::parse(manifest_text)
        .ok()
        .and_then(|d| d.get("project").and_then(|p| p.get("name")).and_then(|n| n.as_str()).map(super::pep503))
    else {
        return Ok(spans);
    };
    let doc = toml::parse(lock, text).map_err(|e| anyhow!("{e}"))?;
    let Some(packages) = doc.get("package").and_then(|p| p.as_array_of_tables()) else { return Ok(spans) };
    for package in packages.iter() {
        if package.get("name").and_then(|n| n.as_str()).map(super::pep503).as_deref() != Some(own.as_str()) {
            continue;
        }
        let Some(requires) = package.get("metadata").and_then(|m| m.get("requires-dist")).and_then(|r| r.as_array())
        else {
            continue;
        };
        for entry in requires.iter().filter_map(|e| e.as_inline_table()) {
            let Some(name) = entry.get("name").and_then(|n| n.as_str()) else { continue };
            let Some(spec) = entry.get("specifier") else { continue };
            for c in changed.iter().filter(|c| super::pep503(&c.on) == super::pep503(name)) {
                let (Some(old), Some(new)) = (specifier_of(&c.before), specifier_of(&c.after)) else { continue };
                if spec.as_str() == Some(old.as_str())
                    && let Some(span) = spec.span()
                {
                    spans.push((span.start + 1..span.end - 1, new));
                }
            }
        }
    }
    Ok(spans)
}

/// The specifier of a PEP 508 requirement as uv.lock writes it (`>=0.1.0`): after the name and
/// extras, before any marker, without spaces.
fn specifier_of(requirement: &str) -> Option<String> {
    let name_end = requirement.find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))?;
    let mut rest = requirement[name_end..].trim_start();
    if rest.starts_with('[') {
        rest = &rest[rest.find(']')? + 1..];
    }
    let spec = rest.split(';').next()?.trim();
    Some(spec.chars().filter(|c| !c.is_whitespace()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_ranges_keep_their_operator_and_leave_other_ranges_alone() {
        assert_eq!(npm_range("^0.1.0", "0.2.0").as_deref(), Some("^0.2.0"));
        assert_eq!(npm_range("~0.1.0", "0.2.0").as_deref(), Some("~0.2.0"));
        assert_eq!(npm_range("0.1.0", "0.2.0").as_deref(), Some("0.2.0"));
        assert_eq!(npm_range("workspace:^0.1.0", "0.2.0").as_deref(), Some("workspace:^0.2.0"));
        for kept in ["*", "workspace:*", "file:../backend", ">=0.1.0 <0.2.0", "^0.2.0", "latest", "<0.3.0"] {
            assert_eq!(npm_range(kept, "0.2.0"), None, "{kept}");
        }
    }

    #[test]
    fn pep508_requirements_on_one_version_are_found_by_normalised_name() {
        let at = |r: &str| pep508_version(r, "Shop_Backend").map(|s| r[s].to_string());
        assert_eq!(at("shop-backend>=0.1.0").as_deref(), Some("0.1.0"));
        assert_eq!(at("shop.backend == 0.1.0 ; python_version >= '3.9'").as_deref(), Some("0.1.0"));
        assert_eq!(at("shop-backend[fast]~=0.1").as_deref(), Some("0.1"));
        for kept in
            ["shop-backend", "shop-backend>=0.1,<0.2", "shop-backend<0.2", "shop-backends>=0.1.0", "other==0.1.0"]
        {
            assert_eq!(at(kept), None, "{kept}");
        }
        assert_eq!(specifier_of("shop-backend >= 0.1.0 ; python_version > '3'").as_deref(), Some(">=0.1.0"));
    }
}
