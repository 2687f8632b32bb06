//! `cargo xtask`: parse the arguments, run the command, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use xtask::cli::{Cli, Command};
use xtask::error::{Verdict, exit_code_of};
use xtask::output::{Style, Ui};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ui = Ui::from_args(&cli.global);
    match run(&cli, &ui) {
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

fn run(cli: &Cli, ui: &Ui) -> anyhow::Result<Verdict> {
    let repo = xtask::repo::Repo::open(cli.global.root.as_deref())?;
    let config = cli.global.config.as_deref();
    let project = match &cli.command {
        // History only: no file listing or detection.
        Command::Changelog(_) => xtask::project::Project::load_settings(repo, config)?,
        _ => xtask::project::Project::load(repo, config)?,
    };
    match &cli.command {
        Command::QualityCheck(args) => xtask::gates::run(&project, args, ui),
        Command::Version(args) => xtask::version::run(&project, args, ui),
        Command::Changelog(args) => xtask::changelog::run(&project, args, ui),
        Command::Release(args) => xtask::release::run(&project, args, ui),
        Command::Bundle(args) => xtask::bundle::run(&project, args, ui),
        Command::Rollback(args) => xtask::rollback::run(&project, args, ui),
    }
}
