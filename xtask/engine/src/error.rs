//! Exit codes and the few typed errors that decide them.
//!
//! Everything else is `anyhow`: an error without a typed marker means "could not do what was
//! asked, nothing changed" (exit 2). A command that ran to the end reports its verdict as a
//! [`Verdict`] instead of an error.

use std::fmt;

/// The outcome of a command that ran to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Done; every check passed (exit 0).
    Passed,
    /// A check failed: findings, versions out of sync, a bundle that does not verify, a gate
    /// that stopped a release before anything was written (exit 1).
    Failed,
    /// Part of the command could not run (a gate whose program is missing) and nothing else
    /// failed; what did run was reported (exit 2).
    Incomplete,
}

impl Verdict {
    pub fn from_ok(ok: bool) -> Verdict {
        if ok { Verdict::Passed } else { Verdict::Failed }
    }

    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Passed => 0,
            Verdict::Failed => 1,
            Verdict::Incomplete => 2,
        }
    }
}

/// Exit code 1 as an error: a gate failed before anything was written.
#[derive(Debug)]
pub struct CheckFailed(pub String);

impl fmt::Display for CheckFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CheckFailed {}

/// Exit code 3: something failed or was interrupted after the first write. The message says
/// what state the repository is in and which command restores or resumes it.
#[derive(Debug)]
pub struct Midway(pub String);

impl fmt::Display for Midway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Midway {}

/// The exit code for an error that ended a command.
pub fn exit_code_of(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if cause.is::<Midway>() {
            return 3;
        }
        if cause.is::<CheckFailed>() {
            return 1;
        }
    }
    2
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn typed_errors_keep_their_code_under_context() {
        let plain = anyhow::anyhow!("bad config");
        assert_eq!(exit_code_of(&plain), 2);
        let midway: anyhow::Error = anyhow::Error::new(Midway("restored".into()));
        let wrapped = Err::<(), _>(midway).context("release v1.2.3").unwrap_err();
        assert_eq!(exit_code_of(&wrapped), 3);
        let gate = anyhow::Error::new(CheckFailed("gate ascii failed".into()));
        assert_eq!(exit_code_of(&gate), 1);
    }
}
