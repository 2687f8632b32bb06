//! `init`: make a repository an adopter, or check that it still is one. It scaffolds the
//! workspace `Cargo.toml`, the `cargo xtask` alias, the `xtask/` shim, `.gitignore` lines, an
//! `xtask.toml` from detection and the GitHub workflows; prints what it did to each file; is
//! idempotent; refuses to replace a generated file edited by hand; `--check` changes nothing
//! and exits 1 naming every file that differs from what this version would write.

mod header;
mod lockfile;
mod merge;
mod plan;
mod pull_request;
mod seed;
mod shim;
mod workflows;

use anyhow::{Context, Result, bail};
use serde_json::json;

use crate::cli::InitArgs;
use crate::config::Config;
use crate::error::Verdict;
use crate::output::Ui;
use crate::project::Project;
use plan::{Action, Step, Target};

pub use header::is_pristine;
pub use workflows::Settings as WorkflowSettings;

/// Lines every adopting repository ignores: the build folder and the bundles.
const IGNORED: &[&str] = &["/target", "/dist"];

pub fn run(project: &Project, args: &InitArgs, ui: &Ui) -> Result<Verdict> {
    let root = project.repo.root();
    let dep = shim::dependency(args, root)?;
    let (targets, seeded) = targets(project, args, &dep)?;
    let mut steps = Vec::new();
    for (path, target) in &targets {
        let existing = read(&project.repo.path(path))?;
        let step = plan::decide(path, target, existing.as_deref(), args.force)
            .with_context(|| format!("{path}: cannot merge what init needs into it; fix the file"))?;
        steps.push(step);
    }
    if args.check {
        return Ok(check(&steps, ui));
    }
    let refused: Vec<String> = steps
        .iter()
        .filter(|s| s.action.refused())
        .map(|s| match s.action {
            Action::Edited => format!("{}: edited by hand since init wrote it", s.path),
            _ => format!("{}: not written by init", s.path),
        })
        .collect();
    if !refused.is_empty() {
        bail!(
            "{}; nothing was changed. Put the change into xtask.toml ([release], [ci]) and run init again, \
             move the file aside, or pass --force to overwrite it (its contents are lost)",
            refused.join("; ")
        );
    }
    for step in &steps {
        if let Some(text) = &step.text {
            write(&project.repo.path(&step.path), text)?;
        }
    }
    let mut rows: Vec<(String, &'static str)> = steps.iter().map(|s| (s.path.clone(), s.action.word(false))).collect();
    if let shim::Dependency::Path { dir, .. } = &dep {
        rows.push(("Cargo.lock".into(), lock(root, dir, ui)));
    }
    print(ui, &rows, true);
    if seeded {
        ui.info("next: review xtask.toml, then run `cargo xtask quality-check` (the first run builds the shim)");
    }
    Ok(Verdict::Passed)
}

/// Every file `init` looks after, in the order it reports them; and whether `xtask.toml` is new.
fn targets(project: &Project, args: &InitArgs, dep: &shim::Dependency) -> Result<(Vec<(String, Target)>, bool)> {
    let own_config = project.config_file.is_some();
    // `--config` elsewhere: that file is the configuration, and init leaves ROOT/xtask.toml alone.
    let at_root = project.config_file.as_ref().is_none_or(|f| *f == project.repo.path("xtask.toml"));
    let config_text = match &project.config_file {
        Some(file) => std::fs::read_to_string(file).with_context(|| format!("{}: cannot read", file.display()))?,
        None => seed::xtask_toml(project),
    };
    let config = Config::parse(&config_text).context("the xtask.toml init would write does not parse")?;
    let settings = workflows::Settings::new(&project.release, &config.ci).map_err(|e| {
        let file = project.config_file.as_ref().map_or_else(|| "xtask.toml".into(), |f| f.display().to_string());
        anyhow::anyhow!("{file}: {e}")
    })?;
    let replace = args.from.is_some();
    let dep = dep.clone();
    let mut targets: Vec<(String, Target)> = vec![
        ("Cargo.toml".into(), Target::Merged(Box::new(shim::workspace))),
        (".cargo/config.toml".into(), Target::Merged(Box::new(shim::cargo_config))),
        ("xtask/Cargo.toml".into(), Target::Merged(Box::new(move |old| shim::manifest(old, &dep, replace)))),
        ("xtask/src/main.rs".into(), Target::Seeded(shim::MAIN_RS.into())),
        (".gitignore".into(), Target::Merged(Box::new(|old| Ok(merge::gitignore(old.unwrap_or(""), IGNORED))))),
    ];
    if at_root {
        targets.push(("xtask.toml".into(), Target::Seeded(config_text)));
    }
    for (path, body) in workflows::all(&settings) {
        targets.push((path.into(), Target::Generated(body)));
    }
    Ok((targets, !own_config))
}

/// `--check`: every file named with what a run would do; exit 1 when any is out of step.
fn check(steps: &[Step], ui: &Ui) -> Verdict {
    let rows: Vec<(String, &'static str)> = steps.iter().map(|s| (s.path.clone(), s.action.word(true))).collect();
    print(ui, &rows, false);
    let drifted: Vec<&str> = steps.iter().filter(|s| !s.action.in_step()).map(|s| s.path.as_str()).collect();
    if drifted.is_empty() {
        ui.info(format!("init --check: every file is as polyrelease {} writes it", crate::VERSION));
        return Verdict::Passed;
    }
    let edited = steps.iter().any(|s| s.action.refused());
    ui.err_line(&format!(
        "init --check: {} differ from what polyrelease {} writes: {}; run `cargo xtask init` to bring them up to date{}",
        if drifted.len() == 1 { "1 file".to_string() } else { format!("{} files", drifted.len()) },
        crate::VERSION,
        drifted.join(", "),
        if edited { " (a file init did not write, or one edited by hand, needs its change moved into xtask.toml, or --force)" } else { "" },
    ));
    Verdict::Failed
}

fn print(ui: &Ui, rows: &[(String, &'static str)], done: bool) {
    if ui.json {
        let files: Vec<_> = rows.iter().map(|(path, word)| json!({ "path": path, "action": word })).collect();
        let ok = done || rows.iter().all(|(_, w)| matches!(*w, "unchanged" | "kept"));
        ui.json_doc(&json!({ "ok": ok, "files": files }));
        return;
    }
    let mut text = String::new();
    for (path, word) in rows {
        text.push_str(&format!("  {word:<15} {path}\n"));
    }
    ui.out(text);
}

/// `Cargo.lock` with `--from path`: seeded from the engine checkout when the repository has none.
fn lock(root: &std::path::Path, engine: &std::path::Path, ui: &Ui) -> &'static str {
    if root.join("Cargo.lock").exists() {
        return "kept";
    }
    match lockfile::seed(root, engine) {
        Ok(true) => "created",
        Ok(false) => {
            ui.info("Cargo.lock: the engine checkout has none to start from; the first `cargo xtask` writes it");
            "not written"
        }
        Err(e) => {
            ui.warn(format!("Cargo.lock: {e:#}; the first `cargo xtask` writes it (online)"));
            "not written"
        }
    }
}

/// The text of a file, `None` when it does not exist.
fn read(path: &std::path::Path) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| anyhow::anyhow!("{}: not valid UTF-8; init only merges into UTF-8 text", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("{}: cannot read", path.display())),
    }
}

fn write(path: &std::path::Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create the folder", dir.display()))?;
    }
    let done = if path.exists() {
        crate::atomic::rewrite(path, text.as_bytes())
    } else {
        crate::atomic::write(path, text.as_bytes(), None)
    };
    done.with_context(|| format!("{}: cannot write", path.display()))
}
