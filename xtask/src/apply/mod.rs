//! The executor: journal, writes, commit, tag, push; restore on failure; resume and abort.
