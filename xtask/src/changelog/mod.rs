//! Conventional Commits -> sections -> Keep a Changelog Markdown, and the `changelog` command.
//!
//! The pieces `release` and `rollback` build on: [`release_tags`] and [`commits`] gather the
//! facts (one `for-each-ref`, one `git log`); [`bump`], [`render_notes`], [`render_section`],
//! [`insert_section`] and [`mark_yanked`] are pure; [`release_date`] is the one impure date.

mod conventional;
mod date;
mod edit;
mod render;
mod tags;

use anyhow::Result;

use crate::cli::ChangelogArgs;
use crate::error::Verdict;
use crate::output::Ui;
use crate::project::Project;

pub use conventional::{Bump, Commit, bump, commits, effective};
pub use date::{date_of, release_date, source_date_epoch};
pub use edit::{insert_section, mark_yanked};
pub use render::{Group, NO_CHANGES, Section, group, render_notes, render_section, render_unreleased};
pub use tags::{ReleaseTag, reachable_release_tags, release_tags, tag_version};

pub fn run(project: &Project, args: &ChangelogArgs, ui: &Ui) -> Result<Verdict> {
    let _ = (project, args, ui);
    anyhow::bail!("changelog is not implemented yet")
}
