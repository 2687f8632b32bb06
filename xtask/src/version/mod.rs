//! The canonical version (SemVer 2.0.0), its PEP 440 form, and every file that holds it.

use anyhow::Result;

use crate::cli::VersionArgs;
use crate::error::Verdict;
use crate::output::Ui;
use crate::project::Project;

/// `cargo xtask version`.
pub fn run(project: &Project, args: &VersionArgs, ui: &Ui) -> Result<Verdict> {
    let _ = (project, args, ui);
    anyhow::bail!("version is not implemented yet")
}

/// The `versions` gate: one finding per source that disagrees with the majority.
/// (Filled in with the version sources; the signature is what the gate runner calls.)
pub fn gate_findings(project: &Project) -> Result<Vec<crate::report::Finding>> {
    let _ = project;
    Ok(Vec::new())
}
