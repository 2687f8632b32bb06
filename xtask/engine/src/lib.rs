//! polyrelease: quality gates, one version across ecosystems, changelogs, releases, bundles and
//! rollbacks for polyglot repositories.
//!
//! An adopting repository's `xtask/` crate is a thin shim over this library:
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     polyrelease::main()
//! }
//! ```
//!
//! A shim that adds commands of its own flattens [`cli::Command`] into its own clap enum and
//! hands the built-in ones to [`execute`]; see `docs/adopting.md`.
pub mod apply;
pub mod atomic;
pub mod bundle;
pub mod bytes;
pub mod changelog;
pub mod cli;
pub mod config;
pub mod detect;
pub mod error;
pub mod gates;
pub mod glob;
pub mod init;
pub mod interrupt;
pub mod output;
pub mod packages;
pub mod plan;
pub mod project;
pub mod release;
pub mod repo;
pub mod report;
pub mod rollback;
pub mod tooling;
pub mod version;

/// Re-exported so a shim that extends the command line uses the same clap as the engine.
pub use clap;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::error::{Verdict, exit_code_of};
use crate::output::{Style, Ui};

/// The version of this engine (what `--version` prints).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Parse the process arguments as `cargo xtask`, run the command, and give its exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    execute(&cli.global, &cli.command)
}

/// Run one built-in command with the global options; errors are printed, and the exit code
/// follows the contract (0 passed, 1 a check failed, 2 nothing was done, 3 failed midway).
pub fn execute(global: &GlobalArgs, command: &Command) -> ExitCode {
    let ui = Ui::from_args(global);
    match run(global, command, &ui) {
        Ok(verdict) => ExitCode::from(verdict.exit_code()),
        Err(err) => {
            let code = exit_code_of(&err);
            let label = ui.paint(Style::Red, "error:");
            ui.err_line(&format!("{label} {err:#}"));
            if ui.json {
                ui.json_doc(&serde_json::json!({ "ok": false, "exit_code": code, "error": format!("{err:#}") }));
            }
            ExitCode::from(code)
        }
    }
}

fn run(global: &GlobalArgs, command: &Command, ui: &Ui) -> anyhow::Result<Verdict> {
    let repo = repo::Repo::open(global.root.as_deref())?;
    if let Some(what) = writer_name(command) {
        // A command that writes says where, before anything else: the root is found from the
        // current directory, and acting on the wrong repository must never be silent.
        ui.info(format!("{what} in {}", repo.root().display()));
    }
    if repo.is_git() && plans_a_run(command) {
        repo.prefetch_run_facts();
    }
    let config = global.config.as_deref();
    let project = match command {
        // History only: no file listing or detection.
        Command::Changelog(_) => project::Project::load_settings(repo, config)?,
        // Its gates run on the tree it commits (detected there), never on this one.
        Command::Rollback(_) => project::Project::load_with(repo, config, project::Detect::VERSIONS)?,
        _ => project::Project::load(repo, config)?,
    };
    match command {
        Command::QualityCheck(args) => gates::run(&project, args, ui),
        Command::Version(args) => version::run(&project, args, ui),
        Command::Changelog(args) => changelog::run(&project, args, ui),
        Command::Release(args) => release::run(&project, args, ui),
        Command::Bundle(args) => bundle::run(&project, args, ui),
        Command::Rollback(args) => rollback::run(&project, args, ui),
        Command::Init(args) => init::run(&project, args, ui),
    }
}

/// Whether the command plans a release or a rollback, reading HEAD, the tags and the identity
/// before it plans (see [`repo::Repo::prefetch_run_facts`]); not for what resumes, aborts or
/// undoes one.
fn plans_a_run(command: &Command) -> bool {
    match command {
        Command::Release(args) => !args.resume && !args.abort,
        Command::Rollback(args) => !args.undo,
        _ => false,
    }
}

/// The name a command that writes to the repository goes by in its first line; `None` for
/// the commands that only read (and for `bundle --verify`, `init --check`).
fn writer_name(command: &Command) -> Option<&'static str> {
    match command {
        Command::Release(_) => Some("release"),
        Command::Rollback(_) => Some("rollback"),
        Command::Bundle(args) if args.verify.is_none() => Some("bundle"),
        Command::Init(args) if !args.check => Some("init"),
        Command::QualityCheck(args) if args.fix => Some("quality-check --fix"),
        _ => None,
    }
}
