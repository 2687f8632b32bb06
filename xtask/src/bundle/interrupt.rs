//! Ctrl-C during a bundle: stop at the next step, remove the staging folder and the temporary
//! worktree, and leave the output folder as it was.

use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Start noticing Ctrl-C (the build commands, in the same process group, get it too).
pub fn watch() {
    // Another command of this process may have installed the handler already; either way a
    // Ctrl-C then sets the flag or ends the process, and the next run cleans up after it.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
}

/// Whether Ctrl-C was pressed during this run.
pub fn happened() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// [`happened`], after giving the handler (on its own thread) a moment to record a signal that
/// has just ended a build command. For failure paths only.
pub fn happened_settled() -> bool {
    for _ in 0..10 {
        if happened() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    happened()
}

/// An error when Ctrl-C was pressed.
pub fn check() -> anyhow::Result<()> {
    if happened() {
        anyhow::bail!("interrupted");
    }
    Ok(())
}
