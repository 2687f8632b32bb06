//! What `init` will do to each file, decided from what is there now: pure, so `--check`
//! and a real run cannot disagree.

use anyhow::Result;
use serde::Serialize;

use super::header;

/// Merges what `init` needs into a file's current text (`None`: the file does not exist).
pub type Merge = Box<dyn Fn(Option<&str>) -> Result<String>>;

/// How a file relates to `init`.
pub enum Target {
    /// Written whole by `init` (with the hash header): replaced while nobody edited it.
    Generated(String),
    /// The user's file: `init` adds what it needs (the function merges into the current text,
    /// or makes the file when there is none) and changes nothing else.
    Merged(Merge),
    /// Written once, when absent; the user's from then on.
    Seeded(String),
}

/// What happens to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Create,
    /// A generated file that an older `init` wrote.
    Update,
    Merge,
    Unchanged,
    /// A seeded file that exists: left as it is.
    Keep,
    /// A generated file edited by hand: refused (unless `--force`).
    Edited,
    /// A file in a generated file's place that `init` did not write (no header): refused
    /// (unless `--force`).
    Foreign,
    /// An edited generated file replaced by `--force`.
    Overwrite,
}

impl Action {
    /// The word for a run (`done`) or for `--check`.
    pub fn word(self, check: bool) -> &'static str {
        match (self, check) {
            (Action::Create, false) => "created",
            (Action::Create, true) => "missing",
            (Action::Update, false) => "updated",
            (Action::Update, true) => "outdated",
            (Action::Merge, false) => "merged",
            (Action::Merge, true) => "incomplete",
            (Action::Unchanged, _) => "unchanged",
            (Action::Keep, _) => "kept",
            (Action::Edited, _) => "edited by hand",
            (Action::Foreign, _) => "not init's",
            (Action::Overwrite, _) => "overwritten",
        }
    }

    /// `init` refuses to replace the file without `--force`.
    pub fn refused(self) -> bool {
        matches!(self, Action::Edited | Action::Foreign)
    }

    /// The file is as this version of `init` would leave it.
    pub fn in_step(self) -> bool {
        matches!(self, Action::Unchanged | Action::Keep)
    }
}

/// One file's decision, with the text to write when there is one.
pub struct Step {
    pub path: String,
    pub action: Action,
    pub text: Option<String>,
}

/// Decide for `path`, whose current text is `existing`.
pub fn decide(path: &str, target: &Target, existing: Option<&str>, force: bool) -> Result<Step> {
    let step = |action, text| Ok(Step { path: path.to_string(), action, text });
    match target {
        Target::Generated(body) => {
            let wanted = header::wrap(body);
            match existing {
                None => step(Action::Create, Some(wanted)),
                Some(old) if old == wanted => step(Action::Unchanged, None),
                Some(old) if header::is_pristine(old) => step(Action::Update, Some(wanted)),
                Some(_) if force => step(Action::Overwrite, Some(wanted)),
                Some(old) if header::has_header(old) => step(Action::Edited, None),
                Some(_) => step(Action::Foreign, None),
            }
        }
        Target::Merged(merge) => {
            let merged = merge(existing)?;
            match existing {
                None => step(Action::Create, Some(merged)),
                Some(old) if old == merged => step(Action::Unchanged, None),
                Some(_) => step(Action::Merge, Some(merged)),
            }
        }
        Target::Seeded(text) => match existing {
            None => step(Action::Create, Some(text.clone())),
            Some(_) => step(Action::Keep, None),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_files_are_replaced_only_while_pristine() {
        let target = Target::Generated("new: 2\n".into());
        let wanted = header::wrap("new: 2\n");
        assert_eq!(decide("w.yml", &target, None, false).unwrap().action, Action::Create);
        assert_eq!(decide("w.yml", &target, Some(&wanted), false).unwrap().action, Action::Unchanged);
        // Written by an older version, untouched since: brought up to date.
        let older = header::wrap("old: 1\n");
        let step = decide("w.yml", &target, Some(&older), false).unwrap();
        assert_eq!((step.action, step.text.as_deref()), (Action::Update, Some(wanted.as_str())));
        // Edited by hand: refused, unless forced.
        let edited = older.replace("old: 1", "old: 3");
        assert_eq!(decide("w.yml", &target, Some(&edited), false).unwrap().action, Action::Edited);
        assert_eq!(decide("w.yml", &target, Some("mine: 1\n"), false).unwrap().action, Action::Foreign);
        assert_eq!(decide("w.yml", &target, Some("mine: 1\n"), true).unwrap().action, Action::Overwrite);
        assert_eq!(decide("w.yml", &target, Some(&edited), true).unwrap().action, Action::Overwrite);
    }

    #[test]
    fn merged_and_seeded_files_keep_what_is_there() {
        let target = Target::Merged(Box::new(|old: Option<&str>| Ok(format!("{}x\n", old.unwrap_or("")))));
        assert_eq!(decide("f", &target, None, false).unwrap().action, Action::Create);
        assert_eq!(decide("f", &target, Some("a\n"), false).unwrap().action, Action::Merge);
        let seeded = Target::Seeded("seed\n".into());
        assert_eq!(decide("s", &seeded, Some("mine\n"), true).unwrap().action, Action::Keep);
    }
}
