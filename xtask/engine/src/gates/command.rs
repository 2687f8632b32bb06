//! The `tests` gate and every `[[gates.command]]`: run an argument vector (never through a
//! shell) in its folder with its environment, capture stdout and stderr together, and show the
//! tail of the output only when the command fails.

use std::collections::VecDeque;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use super::Outcome;
use crate::project::CommandSpec;
use crate::report::Finding;

/// Lines of output shown for a failed command.
pub const TAIL_LINES: usize = 60;

/// Bytes of output kept while a command runs (its tail; the rest is dropped as it streams).
const KEEP_BYTES: usize = 256 << 10;

/// Run the commands one after the other; each failure is a finding at the command's folder.
/// `extra_env` is added unless the command's own `env` sets the same variable.
pub fn run_all(root: &Path, commands: &[CommandSpec], extra_env: &[(&str, String)]) -> Outcome {
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    for spec in commands {
        match run_one(root, spec, extra_env) {
            Ok(None) => {}
            Ok(Some(f)) => findings.push(f),
            Err(why) => errors.push(why),
        }
    }
    match (findings.is_empty(), errors.is_empty()) {
        (_, true) => Outcome::Findings(findings),
        (true, false) => Outcome::Error(errors.join("; ")),
        (false, false) => {
            // Failures decide the status; what could not run is reported beside them.
            findings.extend(errors.into_iter().map(|e| Finding::new("", 0, 0, e)));
            Outcome::Findings(findings)
        }
    }
}

/// `Ok(None)`: it passed. `Ok(Some)`: it failed, with its output. `Err`: it could not start.
fn run_one(root: &Path, spec: &CommandSpec, extra_env: &[(&str, String)]) -> Result<Option<Finding>, String> {
    let ran = capture(root, spec, extra_env)?;
    if ran.status.success() {
        return Ok(None);
    }
    // `python -m pytest` without pytest installed: a missing program, not a failing suite.
    if let [_, flag, module, ..] = spec.run.as_slice()
        && flag == "-m"
        && ran.output.contains(&format!("No module named {module}"))
    {
        let shown = display(&spec.run);
        return Err(format!("`{shown}`: the Python module {module} is not installed (pip install {module})"));
    }
    Ok(Some(failure(spec, &ran)))
}

/// A command that ran to its end: how it ended, and the tail of what it printed (stdout and
/// stderr together).
pub struct Captured {
    pub status: std::process::ExitStatus,
    pub output: String,
}

/// Run one command in its folder and capture its output; `Err` when it could not start.
pub fn capture(root: &Path, spec: &CommandSpec, extra_env: &[(&str, String)]) -> Result<Captured, String> {
    let shown = display(&spec.run);
    let (program, args) = spec.run.split_first().ok_or_else(|| "an empty command".to_string())?;
    let dir = root.join(&spec.cwd);
    if !dir.is_dir() {
        return Err(format!("`{shown}`: its folder {:?} does not exist", spec.cwd));
    }
    let (mut reader, writer) = std::io::pipe().map_err(|e| format!("`{shown}`: cannot make a pipe: {e}"))?;
    crate::output::trace_command(root, &dir, program, args);
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(&dir).stdin(Stdio::null());
    for (key, value) in extra_env {
        if !spec.env.contains_key(*key) {
            cmd.env(key, value);
        }
    }
    cmd.envs(&spec.env);
    let writer2 = writer.try_clone().map_err(|e| format!("`{shown}`: cannot make a pipe: {e}"))?;
    cmd.stdout(writer2).stderr(writer);
    let spawned = cmd.spawn();
    // Our copies of the pipe's write end must be closed, or reading never ends.
    drop(cmd);
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!(
                "`{program}` was not found on PATH (needed by `{shown}`); install it or fix the command"
            ));
        }
        Err(e) => return Err(format!("cannot run `{shown}`: {e}")),
    };
    let output = read_tail(&mut reader);
    let status = child.wait().map_err(|e| format!("`{shown}` did not finish: {e}"))?;
    Ok(Captured { status, output: String::from_utf8_lossy(&output).into_owned() })
}

/// The finding of a failed command: how it ended and the tail of its output, at its folder.
pub fn failure(spec: &CommandSpec, ran: &Captured) -> Finding {
    let shown = display(&spec.run);
    let how = match ran.status.code() {
        Some(code) => format!("exit status {code}"),
        None => format!("{}", ran.status),
    };
    let lines: Vec<&str> = ran.output.lines().collect();
    let tail = &lines[lines.len().saturating_sub(TAIL_LINES)..];
    let mut message = format!("`{shown}` failed ({how})");
    if tail.is_empty() {
        message.push_str(" and printed nothing");
    } else if tail.len() < lines.len() {
        message.push_str(&format!("; the last {} lines of its output:\n{}", tail.len(), tail.join("\n")));
    } else {
        message.push_str(&format!("; its output:\n{}", tail.join("\n")));
    }
    Finding::new(spec.cwd.clone(), 0, 0, message)
}

/// Read until the writers close, keeping only the last [`KEEP_BYTES`].
fn read_tail(reader: &mut impl Read) -> Vec<u8> {
    let mut kept: VecDeque<u8> = VecDeque::new();
    let mut chunk = [0u8; 16 << 10];
    loop {
        match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                kept.extend(&chunk[..n]);
                if kept.len() > KEEP_BYTES {
                    kept.drain(..kept.len() - KEEP_BYTES);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    kept.into()
}

/// An argument vector as a person would type it.
pub fn display(run: &[String]) -> String {
    crate::output::command_line(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(run: &[&str], cwd: &str) -> CommandSpec {
        CommandSpec { run: run.iter().map(|s| s.to_string()).collect(), cwd: cwd.into(), env: Default::default() }
    }

    #[test]
    fn passing_failing_and_missing_programs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let ok = spec(&["true"], "sub");
        let script = "for i in $(seq 1 100); do echo out $i; done; echo err >&2; exit 3";
        let bad = spec(&["sh", "-c", script], "");
        let missing = spec(&["no-such-program-xyz"], "");
        assert!(matches!(run_all(dir.path(), std::slice::from_ref(&ok), &[]), Outcome::Findings(f) if f.is_empty()));
        let Outcome::Findings(f) = run_all(dir.path(), &[ok.clone(), bad.clone()], &[]) else { panic!() };
        assert_eq!(f.len(), 1);
        let lines: Vec<&str> = f[0].message.lines().collect();
        assert!(lines[0].starts_with("`sh -c \"for i in"), "{}", lines[0]);
        assert!(lines[0].ends_with("failed (exit status 3); the last 60 lines of its output:"), "{}", lines[0]);
        assert_eq!(lines[1], "out 42");
        assert_eq!(lines.last(), Some(&"err"));
        assert_eq!(lines.len(), 61);
        let Outcome::Error(why) = run_all(dir.path(), std::slice::from_ref(&missing), &[]) else { panic!() };
        assert!(why.contains("`no-such-program-xyz` was not found on PATH"), "{why}");
        let python = crate::detect::python();
        if crate::detect::which(&python) {
            let module = spec(&[python.as_str(), "-m", "no_such_module_xyz", "-q"], "");
            let Outcome::Error(why) = run_all(dir.path(), &[module], &[]) else { panic!() };
            assert!(
                why.ends_with("the Python module no_such_module_xyz is not installed (pip install no_such_module_xyz)")
            );
        }
        // A failure and a missing program: the failure decides, the other is reported beside it.
        let Outcome::Findings(f) = run_all(dir.path(), &[bad, missing], &[]) else { panic!() };
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn env_and_cwd() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let mut s = spec(&["sh", "-c", "test \"$A$B\" = 12 && test \"$(basename \"$PWD\")\" = sub"], "sub");
        s.env.insert("B".into(), "2".into());
        let extra = [("A", "1".to_string()), ("B", "overridden".to_string())];
        assert!(matches!(run_all(dir.path(), &[s], &extra), Outcome::Findings(f) if f.is_empty()));
        let Outcome::Error(why) = run_all(dir.path(), &[spec(&["true"], "nope")], &[]) else { panic!() };
        assert!(why.contains("\"nope\" does not exist"), "{why}");
    }
}
