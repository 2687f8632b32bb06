//! `cargo xtask rollback`: a new release whose content is the last good one; `--undo`.

use anyhow::Result;

use crate::cli::RollbackArgs;
use crate::error::Verdict;
use crate::output::Ui;
use crate::project::Project;

pub fn run(project: &Project, args: &RollbackArgs, ui: &Ui) -> Result<Verdict> {
    let _ = (project, args, ui);
    anyhow::bail!("rollback is not implemented yet")
}
