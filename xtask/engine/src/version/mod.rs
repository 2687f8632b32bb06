//! The canonical version (SemVer 2.0.0), its PEP 440 form, and every file that holds it.
//!
//! Reading: [`read_all`] finds each configured or detected source's value (following a dynamic
//! `pyproject.toml` to the file its build backend reads), [`current`] is the one version they
//! agree on, [`gate_findings`] is the `versions` gate. The `version` command shows them.
//!
//! Writing: [`plan_edits`] gives the new bytes of every source file (each in its ecosystem's
//! form) and of the lockfiles that move with them, changing nothing but the values.

mod cargo_toml;
mod command;
mod drift;
mod edits;
mod exclude;
mod json;
mod order;
mod package_json;
mod pattern;
mod pep440;
mod plain;
mod pyproject;
mod python_module;
mod requirements;
mod semver_pep440;
mod sources;
mod text;
mod toml;
mod uv_lock;

use anyhow::Result;

use crate::cli::VersionArgs;
use crate::error::Verdict;
use crate::output::Ui;
use crate::project::Project;

pub use drift::{Agreement, agreement, current};
pub use edits::{FileEdit, plan_edits};
pub use exclude::drop_excluded;
pub use order::order_problems;
pub use requirements::{Changed, Moved, requirement_edits};
pub use semver_pep440::Version;
pub use sources::{Note, Reading, Survey, read_all, survey, survey_of};
pub use text::SourceError;
pub use uv_lock::normalize_name as pep503;

/// `cargo xtask version`.
pub fn run(project: &Project, args: &VersionArgs, ui: &Ui) -> Result<Verdict> {
    if !project.packages.is_empty() {
        return crate::packages::version(project, args, ui);
    }
    command::run(project, args, ui)
}

/// The `versions` gate: one finding per source that disagrees with the majority (at the
/// value's line and column), and one per source that cannot be read.
pub fn gate_findings(project: &Project) -> Result<Vec<crate::report::Finding>> {
    Ok(drift::findings(project))
}

/// The files the `versions` gate reads (for the gate cache): every source's file and, for a
/// dynamic pyproject, the file its build backend reads the version from.
pub fn gate_inputs(project: &Project) -> Vec<String> {
    let survey = sources::survey(project);
    let mut files: Vec<String> = project.versions.iter().map(|v| v.path.clone()).collect();
    files.extend(survey.readings.into_iter().map(|r| r.file));
    for unit in crate::packages::units(&project.packages) {
        let specs = unit.sources(project);
        files.extend(specs.iter().map(|s| s.path.clone()));
        files.extend(sources::survey_of(project, &specs).readings.into_iter().map(|r| r.file));
    }
    files.sort();
    files.dedup();
    files
}
