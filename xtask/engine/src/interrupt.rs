//! Ctrl-C during a release, rollback or bundle: a flag the command checks between steps.
//!
//! Ctrl-C does not kill the process: the handler sets a flag, and the command stops at its next
//! step (the child running at the time, in the same process group, gets the signal too and
//! fails), then cleans up or restores like after any other failure.
//!
//! While a restore runs, the children it starts are shielded: they run in a process group of
//! their own, so a second Ctrl-C (which a terminal sends to its foreground group) cannot kill
//! the `git` that is putting the repository back halfway.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static SHIELDED: AtomicBool = AtomicBool::new(false);

/// Catch Ctrl-C (SIGINT) from now on; installed once per process.
pub fn watch() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe; the action
        // is zeroed and then filled as sigaction(2) asks. If it cannot be installed, Ctrl-C
        // ends the process as usual, and the release journal (or the bundle's staging folder)
        // makes the next run clean up after it.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
        }
    });
}

extern "C" fn on_interrupt(_signal: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Whether Ctrl-C was pressed.
pub fn happened() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// [`happened`], after giving a signal that has just ended the step's child a moment to reach
/// this process too. For failure paths only.
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

/// From now on (until the guard is dropped), children start in a process group of their own and
/// so do not receive the terminal's Ctrl-C; for the restore, which must finish.
pub fn shield_children() -> Shield {
    Shield { was: SHIELDED.swap(true, Ordering::SeqCst) }
}

/// Whether children are shielded from Ctrl-C now.
pub fn children_shielded() -> bool {
    SHIELDED.load(Ordering::SeqCst)
}

/// Shielding in effect; dropping it puts back what was before.
#[must_use = "the children are shielded only while the guard lives"]
pub struct Shield {
    was: bool,
}

impl Drop for Shield {
    fn drop(&mut self) {
        SHIELDED.store(self.was, Ordering::SeqCst);
    }
}
