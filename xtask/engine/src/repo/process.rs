//! Running one git process to the end and keeping what it said, whatever happens to its input.
//!
//! xshell's own `output()` drops git's output when writing its stdin fails: a git that exits
//! early (a full disk, a lock it cannot take) closes the pipe, the write fails with "Broken
//! pipe", and the only message left was a guess that git is not installed. Here the input is
//! written on a thread whose broken pipe is not an error, and git's stderr is what is reported.

use std::io::{ErrorKind, Write};
use std::process::{Command, Output, Stdio};

use anyhow::{Context, Result, bail};

/// A process started and not yet waited for (see [`start`]).
pub struct Started {
    child: Option<std::process::Child>,
    writer: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

/// Start `cmd` with `stdin` as its input (written on a thread of its own) and return at once:
/// [`Started::finish`] collects what it printed, so that the caller's other work overlaps it.
pub fn start(mut cmd: Command, stdin: Option<Vec<u8>>) -> Result<Started> {
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if crate::interrupt::children_shielded() {
        shield(&mut cmd);
    }
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            bail!("cannot run `git`: it is not installed or not on PATH (apt-get install git)")
        }
        Err(e) => return Err(e).context("cannot start `git`"),
    };
    let writer = match (stdin, child.stdin.take()) {
        (Some(bytes), Some(mut pipe)) => Some(std::thread::spawn(move || match pipe.write_all(&bytes) {
            // git exited without reading all of it: what it printed says why.
            Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
            other => other,
        })),
        _ => None,
    };
    Ok(Started { child: Some(child), writer })
}

impl Started {
    /// Wait for the process; its output and status.
    pub fn finish(mut self) -> Result<Output> {
        let child = self.child.take().expect("a started process is finished once");
        let out = child.wait_with_output().context("cannot read the output of `git`")?;
        if let Some(writer) = self.writer.take() {
            let written = writer.join().unwrap_or(Ok(()));
            // A failed write matters only when git did not fail on its own.
            if out.status.success() {
                written.context("cannot write the input of `git`")?;
            }
        }
        Ok(out)
    }
}

impl Drop for Started {
    /// Not finished (the caller failed first, or no longer needs it): stop it, and leave no
    /// zombie.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

#[cfg(unix)]
fn shield(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
}

#[cfg(not(unix))]
fn shield(_cmd: &mut Command) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_child_that_exits_without_reading_keeps_its_message() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo 'fatal: No space left on device' >&2; exit 128"]);
        // Far more than a pipe holds, so the write fails if the child does not read.
        let input = vec![b'x'; 1 << 20];
        let out = start(cmd, Some(input)).unwrap().finish().unwrap();
        assert_eq!(out.status.code(), Some(128));
        assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), "fatal: No space left on device");
    }

    #[test]
    fn a_missing_program_says_so() {
        let err = start(Command::new("no-such-git-xtask"), None).err().unwrap().to_string();
        assert!(err.contains("not installed or not on PATH"), "{err}");
    }
}
