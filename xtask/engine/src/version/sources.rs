//! Reading every version source of a project, and whether they agree.
//!
//! Each source is read on its own, so one broken file is one error (or one gate finding) and
//! the others are still reported. A detected file that holds no version of its own is
//! dropped; a dynamic version that no file holds is a note.

use std::ops::Range;

use anyhow::{Result, bail};
use regex_lite::Regex;

use super::pyproject::{self, FollowReader, PyProject};
use super::semver_pep440::Version;
use super::text::{Located, SourceError, Values, line_column};
use super::{cargo_toml, package_json, pattern, plain, python_module};
use crate::config::Form;
use crate::project::{Origin, Project, SourceKind, VersionSpec};

/// One version value found in one file.
#[derive(Debug, Clone)]
pub struct Reading {
    /// The configured or detected source this value was read for.
    pub spec: VersionSpec,
    /// The file that holds the value (for a dynamic pyproject, the file its backend reads).
    pub file: String,
    /// 1-based line and column (in characters) of the value's first character.
    pub line: usize,
    pub column: usize,
    /// The value as written, such as `1.2.0rc1`.
    pub raw: String,
    pub version: Version,
    /// The kind of `file` (differs from `spec.kind` when a pyproject was followed).
    pub kind: SourceKind,
    /// The form `file` is written in.
    pub form: Form,
    /// What holds the value: `[project] version`, `"version"`, `__version__`.
    pub field: String,
    /// How a dynamic pyproject led to `file`: `backend/pyproject.toml (setuptools attr x.__version__)`.
    pub via: Option<String>,
    /// The byte range of `raw` in `file`.
    pub span: Range<usize>,
    pub(crate) reader: Reader,
}

/// A source that is not read, and why (shown, never an error).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Note {
    pub path: String,
    pub message: String,
}

/// Everything reading the sources found.
#[derive(Debug, Default)]
pub struct Survey {
    pub readings: Vec<Reading>,
    /// Dynamic versions no file holds (setuptools-scm and the like).
    pub notes: Vec<Note>,
    /// Detected files with no version of their own (shown with `-v`).
    pub skipped: Vec<Note>,
    /// Sources that could not be read.
    pub errors: Vec<SourceError>,
}

/// How a file's values are located; kept with each reading so an edit can be re-checked.
#[derive(Debug, Clone)]
pub(crate) enum Reader {
    PyProject,
    Module(Vec<String>),
    PackageJson,
    CargoToml,
    Plain,
    Pattern(Regex, String),
}

impl Reader {
    pub(crate) fn values(&self, path: &str, text: &str) -> Result<Values, SourceError> {
        match self {
            Reader::PyProject => pyproject::read_static(path, text),
            Reader::Module(names) => {
                python_module::read(path, text, &names.iter().map(String::as_str).collect::<Vec<_>>())
            }
            Reader::PackageJson => package_json::read(path, text),
            Reader::CargoToml => cargo_toml::read(path, text),
            Reader::Plain => plain::read(path, text),
            Reader::Pattern(re, shown) => pattern::read(path, text, re, shown),
        }
    }
}

/// Read every version source of the project.
pub fn survey(project: &Project) -> Survey {
    survey_of(project, &project.versions)
}

/// Read the sources `specs` (one package's) of the project.
pub fn survey_of(project: &Project, specs: &[VersionSpec]) -> Survey {
    let mut survey = Survey::default();
    for spec in specs {
        if let Err(e) = read_source(project, spec, &mut survey) {
            survey.errors.push(e);
        }
    }
    // A file reached twice (a module that is both detected and named by the pyproject's
    // `attr`) is one source, kept at its first place; the configured reading wins, then the
    // one that says which pyproject reads it.
    let rank = |r: &Reading| (r.spec.origin == Origin::Configured, r.via.is_some());
    let mut kept: Vec<Reading> = Vec::new();
    for r in std::mem::take(&mut survey.readings) {
        match kept.iter_mut().find(|k| k.file == r.file && k.span.start == r.span.start) {
            Some(k) if rank(&r) > rank(k) => *k = r,
            Some(_) => {}
            None => kept.push(r),
        }
    }
    survey.readings = kept;
    survey
}

/// Every reading, or one error that lists every source that could not be read.
pub fn read_all(project: &Project) -> Result<Vec<Reading>> {
    let survey = survey(project);
    fail_on_errors(&survey.errors)?;
    Ok(survey.readings)
}

pub(crate) fn fail_on_errors(errors: &[SourceError]) -> Result<()> {
    match errors {
        [] => Ok(()),
        [one] => Err(anyhow::Error::new(one.clone())),
        many => bail!("{} version sources cannot be read:\n{}", many.len(), join_lines(many)),
    }
}

fn join_lines<T: std::fmt::Display>(items: &[T]) -> String {
    items.iter().map(|i| format!("  {i}")).collect::<Vec<_>>().join("\n")
}

fn read_source(project: &Project, spec: &VersionSpec, survey: &mut Survey) -> Result<(), SourceError> {
    let path = spec.path.as_str();
    let configured = spec.origin == Origin::Configured;
    let reader = match spec.kind {
        SourceKind::PyProject => {
            let text = load(project, path, configured)?;
            return match pyproject::read(path, &text)? {
                PyProject::Static(found) => {
                    let made = make_readings(
                        spec,
                        path,
                        &text,
                        found,
                        SourceKind::PyProject,
                        spec.form,
                        None,
                        Reader::PyProject,
                    );
                    survey.readings.extend(made?);
                    Ok(())
                }
                PyProject::Follow(follow) => read_followed(project, spec, &text, follow, survey),
                PyProject::Unfollowable(why) => {
                    survey.notes.push(Note { path: path.into(), message: format!("the version is dynamic: {why}") });
                    Ok(())
                }
                PyProject::Absent(why) => absent(spec, why, survey),
            };
        }
        SourceKind::PythonModule => Reader::Module(vec!["__version__".into()]),
        SourceKind::PackageJson => Reader::PackageJson,
        SourceKind::CargoToml => Reader::CargoToml,
        SourceKind::Plain => Reader::Plain,
        SourceKind::Pattern => match &spec.pattern {
            Some(p) => Reader::Pattern(pattern::regex_for(p), format!("{p:?}")),
            None => {
                return Err(SourceError::file(
                    path,
                    "is not a kind of file the tool knows; give its [[version]] entry a pattern such as 'release = \"{version}\"'",
                ));
            }
        },
    };
    let text = load(project, path, configured)?;
    match reader.values(path, &text)? {
        Values::Found(found) => {
            survey.readings.extend(make_readings(spec, path, &text, found, spec.kind, spec.form, None, reader)?);
            Ok(())
        }
        Values::Absent(why) => absent(spec, why, survey),
    }
}

/// A file with no version of its own: an error when configured, dropped when detected.
fn absent(spec: &VersionSpec, why: String, survey: &mut Survey) -> Result<(), SourceError> {
    if spec.origin == Origin::Configured {
        return Err(SourceError::file(
            &spec.path,
            format!("{why}; add the version, or remove this [[version]] entry from xtask.toml"),
        ));
    }
    survey.skipped.push(Note { path: spec.path.clone(), message: why });
    Ok(())
}

fn read_followed(
    project: &Project,
    spec: &VersionSpec,
    pyproject_text: &str,
    follow: pyproject::Follow,
    survey: &mut Survey,
) -> Result<(), SourceError> {
    let dir = crate::detect::parent(&spec.path);
    let candidates: Vec<String> = follow.candidates.iter().filter_map(|c| join_normalized(dir, c)).collect();
    let Some(file) = candidates.iter().find(|c| project.repo.path(c).is_file()) else {
        return Err(SourceError::at(
            &spec.path,
            pyproject_text,
            follow.at,
            format!(
                "the version is dynamic ({}) but none of {} exists; fix the setting or the package layout",
                follow.via,
                candidates.join(", ")
            ),
        ));
    };
    let (reader, kind, form) = match &follow.reader {
        FollowReader::Module(names) => (Reader::Module(names.clone()), SourceKind::PythonModule, spec.form),
        FollowReader::Regex(re) => {
            let regex = Regex::new(re).map_err(|e| {
                SourceError::at(
                    &spec.path,
                    pyproject_text,
                    follow.at,
                    format!("the hatch pattern is not a regex the tool reads ({e})"),
                )
            })?;
            (Reader::Pattern(regex, format!("{re:?}")), SourceKind::Pattern, spec.form)
        }
        FollowReader::PackageJson => (Reader::PackageJson, SourceKind::PackageJson, Form::Semver),
        FollowReader::CargoToml => (Reader::CargoToml, SourceKind::CargoToml, Form::Semver),
        FollowReader::Plain => (Reader::Plain, SourceKind::Plain, spec.form),
    };
    let via = Some(format!("{} ({})", spec.path, follow.via));
    let text = load(project, file, true)?;
    match reader.values(file, &text)? {
        Values::Found(found) => {
            survey.readings.extend(make_readings(spec, file, &text, found, kind, form, via, reader)?);
        }
        Values::Absent(why) => survey.notes.push(Note {
            path: spec.path.clone(),
            message: format!("the version is dynamic ({}), and {file} {why}", follow.via),
        }),
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn make_readings(
    spec: &VersionSpec,
    file: &str,
    text: &str,
    found: Vec<Located>,
    kind: SourceKind,
    form: Form,
    via: Option<String>,
    reader: Reader,
) -> Result<Vec<Reading>, SourceError> {
    found
        .into_iter()
        .map(|located| {
            let raw = text[located.span.clone()].to_string();
            let (line, column) = line_column(text, located.span.start);
            let version = Version::read(&raw, form).map_err(|e| {
                // A pattern source is SemVer unless configured: a Python file needs saying so.
                let hint =
                    if kind == SourceKind::Pattern && form == Form::Semver && Version::read(&raw, Form::Pep440).is_ok()
                    {
                        "; if Python tools read this file, give its [[version]] entry form = \"pep440\""
                    } else {
                        ""
                    };
                SourceError::new(file, line, column, format!("{}: {e:#}{hint}", located.field))
            })?;
            Ok(Reading {
                spec: spec.clone(),
                file: file.to_string(),
                line,
                column,
                raw,
                version,
                kind,
                form,
                field: located.field,
                via: via.clone(),
                span: located.span,
                reader: reader.clone(),
            })
        })
        .collect()
}

/// The text of a root-relative file.
fn load(project: &Project, path: &str, configured: bool) -> Result<String, SourceError> {
    let bytes = std::fs::read(project.repo.path(path)).map_err(|e| {
        let fix = if configured { "fix the path in xtask.toml" } else { "check the file's permissions" };
        if e.kind() == std::io::ErrorKind::NotFound {
            SourceError::file(path, format!("does not exist; {fix}"))
        } else {
            SourceError::file(path, format!("cannot be read ({e}); {fix}"))
        }
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_column(&String::from_utf8_lossy(e.as_bytes()), e.utf8_error().valid_up_to());
        SourceError::new(path, line, column, "is not valid UTF-8; save it as UTF-8")
    })
}

/// `dir/rel` with `.` and `..` resolved; `None` when it leaves the root.
fn join_normalized(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split('/').chain(rel.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_inside_the_root_only() {
        assert_eq!(join_normalized("python", "../frontend/package.json").as_deref(), Some("frontend/package.json"));
        assert_eq!(join_normalized("", "./VERSION").as_deref(), Some("VERSION"));
        assert_eq!(join_normalized("a", "../../x"), None);
    }
}
