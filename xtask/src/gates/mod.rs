//! The quality gates: the parallel runner, results, and one module per gate.

use anyhow::Result;

use crate::cli::QualityCheckArgs;
use crate::error::Verdict;
use crate::output::Ui;
use crate::project::Project;

/// The names of the built-in gates (a `[[gates.command]]` may not take them).
pub const BUILTIN: &[&str] = &["versions", "ascii", "ellipsis", "compile", "links", "tests"];

/// `cargo xtask quality-check`.
pub fn run(project: &Project, args: &QualityCheckArgs, ui: &Ui) -> Result<Verdict> {
    let _ = (project, args, ui);
    anyhow::bail!("quality-check is not implemented yet")
}
