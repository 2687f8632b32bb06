//! A bundle's build commands: argument vectors run in order in the bundle's folder, output
//! captured and shown when one fails; then the files they produced that `collect` names.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::entry::Kind;
use super::select::{self, Rules};
use crate::output::Ui;
use crate::project::BundleSpec;

/// The placeholder for the bundle's scratch folder, outside the work tree.
pub const TMP: &str = "{tmp}";

/// Where and how a bundle's commands run.
pub struct BuildContext<'a> {
    /// The tree the bundle is built in (the root, or the `--ref` worktree).
    pub tree: &'a Path,
    /// A scratch folder for this bundle, outside the tree (`{tmp}`).
    pub tmp: &'a Path,
    /// Given to every command as `SOURCE_DATE_EPOCH`, so the tools that honour it (wheel
    /// builders, bundlers) stamp the commit's time.
    pub epoch: i64,
    /// Folders no bundle archives: the output folders of the run and their staging folders.
    pub skip: &'a [std::path::PathBuf],
    pub ui: &'a Ui,
}

/// Run `spec.build` in order; the first failure stops with its output shown.
pub fn run_commands(spec: &BundleSpec, cx: &BuildContext<'_>) -> Result<()> {
    let dir = cx.tree.join(&spec.cwd);
    let where_ = if spec.cwd.is_empty() { "the root".to_string() } else { format!("{}/", spec.cwd) };
    for argv in &spec.build {
        let argv: Vec<String> = argv.iter().map(|a| a.replace(TMP, &cx.tmp.to_string_lossy())).collect();
        let Some((program, args)) = argv.split_first() else {
            bail!(
                "bundle {}: an empty build command; give each command as [\"program\", \"arg\", ..] in xtask.toml",
                spec.name
            );
        };
        let shown = show_command(&argv);
        cx.ui.progress(format!("{}: {shown}", spec.name));
        crate::output::trace_command(cx.tree, &dir, program, args);
        let output = Command::new(program)
            .args(args)
            .current_dir(&dir)
            .env("SOURCE_DATE_EPOCH", cx.epoch.to_string())
            .stdin(std::process::Stdio::null())
            .output();
        cx.ui.progress_done();
        crate::interrupt::check()?;
        let output = match output {
            Ok(output) => output,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                bail!(
                    "bundle {}: `{program}` is not installed (needed by `{shown}`); {}",
                    spec.name,
                    install_hint(program, None)
                )
            }
            Err(err) => {
                return Err(err).with_context(|| format!("bundle {}: cannot run `{shown}` in {where_}", spec.name));
            }
        };
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if output.status.success() {
            if cx.ui.verbose {
                for line in stdout.lines().chain(stderr.lines()) {
                    cx.ui.debug(format!("  {line}"));
                }
            }
            continue;
        }
        // `python -m build` without the `build` package: a missing tool, not a failing build.
        if let [flag, module, ..] = args
            && flag == "-m"
            && stderr.contains(&format!("No module named {module}"))
        {
            bail!(
                "bundle {}: `{shown}` needs the Python package `{module}`; {}",
                spec.name,
                install_hint(program, Some(module))
            );
        }
        for line in stdout.lines().chain(stderr.lines()) {
            cx.ui.err_line(&format!("  | {line}"));
        }
        let status = match output.status.code() {
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal".to_string(),
        };
        bail!("bundle {}: `{shown}` failed in {where_} ({status}); its output is above", spec.name);
    }
    Ok(())
}

/// The command that installs a missing tool.
fn install_hint(program: &str, module: Option<&str>) -> String {
    let base = Path::new(program).file_name().and_then(|n| n.to_str()).unwrap_or(program);
    match (base, module) {
        (_, Some(module)) => format!("install it with `{program} -m pip install {module}`"),
        ("npm" | "npx" | "node", _) => {
            "install Node.js and npm (`apt-get install nodejs npm`, or https://nodejs.org)".into()
        }
        ("python" | "python3", _) => "install Python 3 (`apt-get install python3 python3-pip`)".into(),
        ("cargo", _) => "install Rust with rustup (https://rustup.rs)".into(),
        ("pnpm" | "yarn", _) => format!("install it with `npm install -g {base}` (or `corepack enable`)"),
        _ => format!("install `{base}` or change the bundle's build command in xtask.toml"),
    }
}

fn show_command(argv: &[String]) -> String {
    argv.iter()
        .map(|a| if a.is_empty() || a.contains(char::is_whitespace) { format!("{a:?}") } else { a.clone() })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A file the build produced that is a release artifact as it is (a wheel, an sdist).
#[derive(Debug, Clone)]
pub struct Collected {
    pub path: PathBuf,
    /// Its file name, which becomes its name in the output folder.
    pub name: String,
}

/// The files each `collect` glob names (relative to the bundle's folder, or under `{tmp}/`);
/// a glob that matches nothing is an error.
pub fn collect(spec: &BundleSpec, cx: &BuildContext<'_>) -> Result<Vec<Collected>> {
    let mut found = Vec::new();
    for glob in &spec.collect {
        let (base, shown_base, pattern) = match glob.strip_prefix(TMP) {
            Some(rest) => (cx.tmp.to_path_buf(), TMP.to_string(), rest.trim_start_matches('/').to_string()),
            None => (cx.tree.join(&spec.cwd), spec.cwd.clone(), glob.clone()),
        };
        let rules = Rules::new(std::slice::from_ref(&pattern), &[], &format!("bundle {}", spec.name))?;
        let entries = select::select(&base, &shown_base, &rules, &[])?;
        let files: Vec<_> = entries.into_iter().filter(|e| matches!(e.kind, Kind::File { .. })).collect();
        if files.is_empty() {
            bail!(
                "bundle {}: the build produced no file matching `{glob}`; check the build commands and `collect` in xtask.toml",
                spec.name
            );
        }
        for e in files {
            let name = e.name.rsplit('/').next().unwrap_or(&e.name).to_string();
            found.push(Collected { path: base.join(&e.name), name });
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_name_the_install_command() {
        assert_eq!(install_hint("python3", Some("build")), "install it with `python3 -m pip install build`");
        assert!(install_hint("npm", None).contains("nodejs"));
        assert!(install_hint("/opt/bin/zz", None).contains("`zz`"));
    }

    #[test]
    fn commands_are_shown_as_typed() {
        let argv = ["npm", "run", "build", "a b"].map(String::from);
        assert_eq!(show_command(&argv), "npm run build \"a b\"");
    }
}
