//! The test-only fault injection points of the executor.
//!
//! `XTASK_FAULT=POINT:N` stops the process the N-th time it passes POINT: the test suite's
//! stand-in for a power cut (or, with `XTASK_FAULT_SIGNAL=INT`, for a Ctrl-C at exactly that
//! moment). The points:
//!
//! - `after-KIND` (KIND one of `write`, `commit`, `tag`, `reset`, `delete-tag`, `branch`): right
//!   after a step of that kind is done and journaled;
//! - `after-branch-ref`: inside a branch step, after the branch is made and before it is
//!   checked out;
//! - `after-journal`: right after the journal is first written, before any step;
//! - `after-stage`: inside a commit step, after `git add` and before `git commit`;
//! - `before-rename`: inside a file write, when the temporary file beside the target holds the
//!   new bytes and the old file is still there (also when a restore writes);
//! - `after-unlink`: inside a file write, when the old file is removed and the temporary one
//!   not yet renamed into its place (also when a restore writes).
//!
//! It is not meant for users.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// How many times each point was passed in this process.
static PASSED: Mutex<BTreeMap<String, usize>> = Mutex::new(BTreeMap::new());

/// Passing the fault point `point`; stops the process when `XTASK_FAULT` names this pass.
pub fn reached(point: &str) {
    let Ok(wanted) = std::env::var("XTASK_FAULT") else { return };
    if !wanted.starts_with(point) {
        return;
    }
    let n = {
        let mut passed = PASSED.lock().unwrap_or_else(|e| e.into_inner());
        let n = passed.entry(point.to_string()).or_default();
        *n += 1;
        *n
    };
    if wanted != format!("{point}:{n}") {
        return;
    }
    let signal = std::env::var("XTASK_FAULT_SIGNAL").unwrap_or_else(|_| "KILL".into());
    let pid = std::process::id().to_string();
    let _ = std::process::Command::new("kill").arg(format!("-{signal}")).arg(&pid).status();
    if signal == "KILL" {
        // `kill` missing: end as abruptly.
        std::process::abort();
    }
    // Any other signal is a Ctrl-C stand-in: wait until its handler (if one is installed; if
    // not, the signal has ended the process already) has recorded it.
    crate::interrupt::happened_settled();
}
