//! Conventional Commits -> sections -> Keep a Changelog Markdown.

use anyhow::Result;

use crate::cli::ChangelogArgs;
use crate::error::Verdict;
use crate::output::Ui;
use crate::project::Project;

pub fn run(project: &Project, args: &ChangelogArgs, ui: &Ui) -> Result<Verdict> {
    let _ = (project, args, ui);
    anyhow::bail!("changelog is not implemented yet")
}
