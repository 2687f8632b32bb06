//! `cargo xtask release`: gather facts, plan, show or apply.

pub mod target;

use anyhow::Result;

use crate::cli::ReleaseArgs;
use crate::error::Verdict;
use crate::output::Ui;
use crate::project::Project;

pub fn run(project: &Project, args: &ReleaseArgs, ui: &Ui) -> Result<Verdict> {
    let _ = (project, args, ui);
    anyhow::bail!("release is not implemented yet")
}
