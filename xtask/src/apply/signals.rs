//! Ctrl-C during a run, and the test-only fault injection point.
//!
//! Ctrl-C does not kill the executor: it sets a flag the executor checks between steps (the
//! git child of the step in progress gets the signal too and fails), and the run then fails
//! and restores like any other failure.
//!
//! `XTASK_FAULT=after-KIND:N` (KIND one of `write`, `commit`, `tag`, `reset`, `delete-tag`)
//! kills the process with SIGKILL right after the N-th step of that kind is done and
//! journaled: the test suite's stand-in for a power cut. It is not meant for users.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Catch Ctrl-C from now on (once per process).
pub fn catch_interrupts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // If a handler cannot be installed, Ctrl-C kills the process as usual and the
        // journal makes the next run stop and offer --resume / --abort.
        let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    });
}

/// Ctrl-C was pressed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Ctrl-C was pressed, allowing the handler (which runs on its own thread) a moment to record
/// a signal that has just killed the step's git child. Called only on failure paths.
pub fn interrupted_settled() -> bool {
    for _ in 0..10 {
        if interrupted() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    interrupted()
}

/// The fault injection point named `point` (such as `after-write:2`).
pub fn fault_point(point: &str) {
    if std::env::var("XTASK_FAULT").is_ok_and(|f| f == point) {
        let pid = std::process::id().to_string();
        let _ = std::process::Command::new("kill").args(["-KILL", &pid]).status();
        // `kill` missing: end as abruptly.
        std::process::abort();
    }
}
