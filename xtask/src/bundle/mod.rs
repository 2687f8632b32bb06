//! `cargo xtask bundle`: reproducible archives, SHA256SUMS, manifest.json, and `--verify`.

pub mod entry;
pub mod pipeline;
pub mod select;
pub mod targz;
pub mod zip;

use anyhow::Result;

use crate::cli::BundleArgs;
use crate::error::Verdict;
use crate::output::Ui;
use crate::project::Project;

pub fn run(project: &Project, args: &BundleArgs, ui: &Ui) -> Result<Verdict> {
    let _ = (project, args, ui);
    anyhow::bail!("bundle is not implemented yet")
}
