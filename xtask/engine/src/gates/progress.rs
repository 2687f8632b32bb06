//! Live progress of a quality-check on a terminal: which gates run, how many are done.

use std::collections::BTreeSet;
use std::sync::Mutex;

use crate::output::Ui;

/// Live progress on a terminal: which gates run, how many are done.
pub struct Progress<'a> {
    ui: &'a Ui,
    total: usize,
    state: Mutex<(usize, BTreeSet<String>)>,
}

impl<'a> Progress<'a> {
    pub fn new(ui: &'a Ui, total: usize) -> Progress<'a> {
        Progress { ui, total, state: Mutex::new((0, BTreeSet::new())) }
    }

    pub fn start(&self, names: &[&str]) {
        self.update(|s| s.1.extend(names.iter().map(|n| n.to_string())));
    }

    pub fn finish(&self, names: &[&str]) {
        self.update(|s| {
            s.0 += names.len();
            for n in names {
                s.1.remove(*n);
            }
        });
    }

    fn update(&self, change: impl FnOnce(&mut (usize, BTreeSet<String>))) {
        if !self.ui.progress {
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        change(&mut state);
        let running: Vec<&str> = state.1.iter().map(String::as_str).collect();
        self.ui.progress(format!("quality-check: {}/{} done; running {}", state.0, self.total, running.join(", ")));
    }
}
