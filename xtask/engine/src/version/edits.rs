//! Writing a new version, as a plan: the new bytes of every source file, each value in its
//! file's form, and of the lockfiles that move with them (`package-lock.json`, `Cargo.lock`,
//! `uv.lock`). Only the value's bytes change; this reads files and writes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use anyhow::{Context, Result, anyhow, bail};

use super::sources::Reading;
use super::text::{Values, replace_spans};
use super::{Version, cargo_toml, json, package_json, toml, uv_lock};
use crate::config::Form;
use crate::detect::{is_foreign, parent};
use crate::project::{Project, SourceKind};

/// Byte ranges of a file and the text that replaces each.
type Replacements = Vec<(Range<usize>, String)>;

/// One file's bytes before and after the version change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEdit {
    /// Root-relative, forward slashes.
    pub path: String,
    pub before: Vec<u8>,
    pub after: Vec<u8>,
}

/// The edits that move every reading (and the lockfiles beside them) to `to`. Files that
/// already hold `to` are left out. Every problem is reported at once; nothing is written.
pub fn plan_edits(project: &Project, readings: &[Reading], to: &Version) -> Result<Vec<FileEdit>> {
    let mut by_file: Vec<(&str, Vec<&Reading>)> = Vec::new();
    for r in readings {
        match by_file.iter_mut().find(|(f, _)| *f == r.file) {
            Some((_, group)) => group.push(r),
            None => by_file.push((&r.file, vec![r])),
        }
    }
    let mut edits = Vec::new();
    let mut errors = Vec::new();
    let mut requirements = match cargo_requirements(project, readings, to) {
        Ok(found) => found,
        Err(e) => {
            errors.push(e);
            BTreeMap::new()
        }
    };
    for (file, group) in &by_file {
        let extra = requirements.remove(*file).unwrap_or_default();
        match source_edit(project, file, group, &extra, to) {
            Ok(Some(edit)) => edits.push(edit),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    for (file, extra) in requirements {
        match manifest_edit(project, &file, &extra) {
            Ok(Some(edit)) => edits.push(edit),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    match lock_edits(project, readings, to) {
        Ok(locks) => edits.extend(locks),
        Err(e) => errors.push(e),
    }
    match errors.as_slice() {
        [] => Ok(edits),
        [one] => Err(anyhow!("{one:#}")),
        many => bail!(
            "cannot set the version to {to}:\n{}",
            many.iter().map(|e| format!("  {e:#}")).collect::<Vec<_>>().join("\n")
        ),
    }
}

fn read_text(project: &Project, path: &str) -> Result<(Vec<u8>, String)> {
    let bytes = std::fs::read(project.repo.path(path)).with_context(|| format!("{path}: cannot be read"))?;
    let text = String::from_utf8(bytes.clone()).map_err(|_| anyhow!("{path}: is not valid UTF-8; save it as UTF-8"))?;
    Ok((bytes, text))
}

fn source_edit(
    project: &Project,
    file: &str,
    readings: &[&Reading],
    extra: &[(Range<usize>, String)],
    to: &Version,
) -> Result<Option<FileEdit>> {
    let (before, text) = read_text(project, file)?;
    let mut replacements: Vec<(Range<usize>, String)> = extra.to_vec();
    for r in readings {
        if text.get(r.span.clone()) != Some(r.raw.as_str()) {
            bail!("{file}:{}: changed since it was read (expected {:?}); run the command again", r.line, r.raw);
        }
        let form = match r.form {
            Form::Semver => "SemVer",
            Form::Pep440 => "PEP 440",
        };
        let rendered = to
            .render(r.form)
            .map_err(|e| anyhow!("{file}:{} cannot hold {to} (it is written in {form} form): {e:#}", r.line))?;
        // Keep a leading `v` where the file has one (`VERSION` holding `v1.2.0`).
        let prefix = if r.raw.starts_with(['v', 'V']) { &r.raw[..1] } else { "" };
        if !replacements.iter().any(|(span, _)| *span == r.span) {
            replacements.push((r.span.clone(), format!("{prefix}{rendered}")));
        }
    }
    let after = replace_spans(&before, &replacements);
    let after_text = String::from_utf8(after.clone()).expect("UTF-8 in, UTF-8 out");
    for r in readings {
        let values = r.reader.values(file, &after_text).map_err(|e| anyhow!("{e}"));
        check_values(file, values, &after_text, r.form, to)?;
    }
    Ok((after != before).then(|| FileEdit { path: file.to_string(), before, after }))
}

/// A manifest whose only change is a requirement on one of the project's own packages.
fn manifest_edit(project: &Project, file: &str, replacements: &[(Range<usize>, String)]) -> Result<Option<FileEdit>> {
    let (before, _) = read_text(project, file)?;
    let after = replace_spans(&before, replacements);
    let after_text = String::from_utf8(after.clone()).expect("UTF-8 in, UTF-8 out");
    if let Err(e) = toml::parse(file, &after_text) {
        bail!("{file}: the edit would break the manifest ({e}); nothing was written (please report this)");
    }
    Ok((after != before).then(|| FileEdit { path: file.to_string(), before, after }))
}

/// The Cargo packages whose version moves: their names, and the versions they move from.
fn cargo_moves(project: &Project, readings: &[Reading]) -> Result<(BTreeSet<String>, BTreeSet<String>)> {
    let mut names = BTreeSet::new();
    let mut old = BTreeSet::new();
    for r in readings.iter().filter(|r| r.kind == SourceKind::CargoToml) {
        old.insert(r.raw.clone());
        if r.field.starts_with("[package]") {
            names.extend(cargo_toml::package(&read_text(project, &r.file)?.1).map(|(name, _)| name));
        } else {
            let dir = parent(&r.file);
            for manifest in project.files.under(dir).filter(|p| p.ends_with("Cargo.toml") && !is_foreign(p)) {
                if let Some((name, true)) = cargo_toml::package(&read_text(project, manifest)?.1) {
                    names.insert(name);
                }
            }
        }
    }
    Ok((names, old))
}

/// Requirements on the moving Cargo packages, by manifest.
fn cargo_requirements(project: &Project, readings: &[Reading], to: &Version) -> Result<BTreeMap<String, Replacements>> {
    let (names, old) = cargo_moves(project, readings)?;
    let mut found = BTreeMap::new();
    if names.is_empty() {
        return Ok(found);
    }
    let value = to.render(Form::Semver)?;
    for manifest in project.files.iter().filter(|p| p.ends_with("Cargo.toml") && !is_foreign(p)) {
        let text = read_text(project, manifest)?.1;
        let spans = cargo_toml::dependency_spans(manifest, &text, &names, &old).map_err(|e| anyhow!("{e}"))?;
        if !spans.is_empty() {
            found.insert(manifest.to_string(), spans.into_iter().map(|s| (s, value.clone())).collect());
        }
    }
    Ok(found)
}

/// Re-read an edited file by its grammar: it must still parse and hold `to` wherever a
/// version is read.
fn check_values(file: &str, values: Result<Values>, text: &str, form: Form, to: &Version) -> Result<()> {
    let broken = |why: String| anyhow!("{file}: the edit would leave {why}; nothing was written (please report this)");
    match values {
        Ok(Values::Found(found)) => {
            for located in found {
                let raw = &text[located.span];
                if !Version::read(raw, form).is_ok_and(|held| to.is_held_as(&held, form)) {
                    return Err(broken(format!("{} = {raw:?} instead of {to}", located.field)));
                }
            }
            Ok(())
        }
        Ok(Values::Absent(why)) => Err(broken(format!("a file that {why}"))),
        Err(e) => Err(broken(format!("a broken file ({e:#})"))),
    }
}

/// `a/b` -> `a/b`, `a`, ``.
fn ancestors(dir: &str) -> Vec<&str> {
    let mut out = vec![dir];
    let mut d = dir;
    while !d.is_empty() {
        d = parent(d);
        out.push(d);
    }
    out
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") }
}

/// A lockfile's planned replacements.
#[derive(Default)]
struct LockPlan {
    replacements: Vec<(Range<usize>, String)>,
}

impl LockPlan {
    fn add(&mut self, spans: Vec<Range<usize>>, value: &str) {
        for span in spans {
            if !self.replacements.iter().any(|(s, _)| *s == span) {
                self.replacements.push((span, value.to_string()));
            }
        }
    }
}

fn lock_edits(project: &Project, readings: &[Reading], to: &Version) -> Result<Vec<FileEdit>> {
    let known: BTreeSet<&str> = project.files.iter().collect();
    let mut plans: BTreeMap<String, LockPlan> = BTreeMap::new();
    let mut texts: BTreeMap<String, (Vec<u8>, String)> = BTreeMap::new();
    let mut text_of = |path: &str| -> Result<String> {
        if !texts.contains_key(path) {
            texts.insert(path.to_string(), read_text(project, path)?);
        }
        Ok(texts[path].1.clone())
    };

    // npm: the lockfile beside each package.json, and a workspace root's lockfile.
    let semver = to.render(Form::Semver)?;
    for r in readings.iter().filter(|r| r.kind == SourceKind::PackageJson) {
        let dir = parent(&r.file);
        for ancestor in ancestors(dir) {
            for name in package_json::LOCKFILES {
                let path = join(ancestor, name);
                if !known.contains(path.as_str()) {
                    continue;
                }
                let key = if ancestor.is_empty() { dir } else { dir.strip_prefix(ancestor).unwrap_or(dir) };
                let key = key.trim_start_matches('/');
                let spans = package_json::lock_spans(&path, &text_of(&path)?, key).map_err(|e| anyhow!("{e}"))?;
                plans.entry(path).or_default().add(spans, &semver);
            }
        }
    }

    // Cargo: the workspace's own packages whose version is a reading's.
    let (names, old) = cargo_moves(project, readings)?;
    let mut cargo_locks = BTreeSet::new();
    for r in readings.iter().filter(|r| r.kind == SourceKind::CargoToml) {
        let found =
            ancestors(parent(&r.file)).into_iter().map(|a| join(a, "Cargo.lock")).find(|p| known.contains(p.as_str()));
        cargo_locks.extend(found);
    }
    for lock in cargo_locks {
        let spans = cargo_toml::lock_spans(&lock, &text_of(&lock)?, &names, &old).map_err(|e| anyhow!("{e}"))?;
        plans.entry(lock).or_default().add(spans, &semver);
    }

    // uv: the project's own entry, written normalised (PEP 440) as uv writes it.
    for r in readings.iter().filter(|r| r.kind == SourceKind::PyProject) {
        let dir = parent(&r.file);
        let Some(lock) = ancestors(dir).into_iter().map(|a| join(a, "uv.lock")).find(|p| known.contains(p.as_str()))
        else {
            continue;
        };
        let manifest = text_of(&r.file)?;
        let Some(name) = toml_edit::Document::parse(manifest.as_str())
            .ok()
            .and_then(|d| toml::get(&d, &["project", "name"]).and_then(|n| n.as_str()).map(uv_lock::normalize_name))
        else {
            continue;
        };
        let old: BTreeSet<String> =
            [Some(r.raw.clone()), r.version.render(Form::Pep440).ok()].into_iter().flatten().collect();
        let spans = uv_lock::lock_spans(&lock, &text_of(&lock)?, &name, &old).map_err(|e| anyhow!("{e}"))?;
        if !spans.is_empty() {
            let pep = to.render(Form::Pep440).map_err(|e| anyhow!("{lock} cannot hold {to}: {e:#}"))?;
            plans.entry(lock).or_default().add(spans, &pep);
        }
    }

    let mut edits = Vec::new();
    for (path, plan) in plans {
        let (before, _) = texts.get(&path).cloned().expect("read while planning");
        let after = replace_spans(&before, &plan.replacements);
        let after_text = String::from_utf8(after.clone()).expect("UTF-8 in, UTF-8 out");
        let reparsed = if path.ends_with(".json") {
            json::validate(&path, &after_text).err()
        } else {
            toml::parse(&path, &after_text).err()
        };
        if let Some(e) = reparsed {
            bail!("{path}: the edit would break the lockfile ({e}); nothing was written (please report this)");
        }
        if after != before {
            edits.push(FileEdit { path, before, after });
        }
    }
    Ok(edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_up_to_the_root() {
        assert_eq!(ancestors("a/b"), ["a/b", "a", ""]);
        assert_eq!(ancestors(""), [""]);
    }
}
