//! The test-only fault injection point of the executor.
//!
//! `XTASK_FAULT=after-KIND:N` (KIND one of `write`, `commit`, `tag`, `reset`, `delete-tag`)
//! kills the process with SIGKILL right after the N-th step of that kind is done and
//! journaled: the test suite's stand-in for a power cut. It is not meant for users.

/// The fault injection point named `point` (such as `after-write:2`).
pub fn fault_point(point: &str) {
    if std::env::var("XTASK_FAULT").is_ok_and(|f| f == point) {
        let pid = std::process::id().to_string();
        let _ = std::process::Command::new("kill").args(["-KILL", &pid]).status();
        // `kill` missing: end as abruptly.
        std::process::abort();
    }
}
