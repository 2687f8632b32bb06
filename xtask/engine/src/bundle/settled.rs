//! The tree a bundle reads, read again at the end: a commit or an edit made while the bundle
//! was being built (by hand, by a hook, by a tool that does not take the repository lock)
//! would give artifacts that disagree with the manifest, so the run is refused instead.

use anyhow::{Result, bail};

use crate::project::Project;

/// What the manifest and the artifacts depend on: HEAD, which tracked files have changes, and
/// the bytes of every version source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeState {
    pub head: Option<String>,
    pub dirty: Vec<String>,
    /// Root-relative path and bytes (`None`: the file could not be read).
    pub sources: Vec<(String, Option<Vec<u8>>)>,
}

impl TreeState {
    /// Read the state of `project`'s work tree.
    pub fn read(project: &Project) -> Result<TreeState> {
        let repo = &project.repo;
        let mut paths: Vec<String> = project.versions.iter().map(|v| v.path.clone()).collect();
        // A dynamic pyproject's version lives in the file its backend reads.
        if let Ok(readings) = crate::version::read_all(project) {
            paths.extend(readings.into_iter().map(|r| r.file));
        }
        paths.sort();
        paths.dedup();
        let sources = paths.into_iter().map(|p| (p.clone(), std::fs::read(repo.path(&p)).ok())).collect();
        Ok(TreeState { head: repo.head_commit()?, dirty: repo.tracked_changes()?, sources })
    }

    /// What differs between `self` (read before) and `now`, one phrase each.
    pub fn changes(&self, now: &TreeState) -> Vec<String> {
        let mut changes = Vec::new();
        if self.head != now.head {
            let short = |h: &Option<String>| h.as_deref().map(|h| h[..h.len().min(12)].to_string());
            changes.push(format!(
                "HEAD moved from {} to {}",
                short(&self.head).unwrap_or_else(|| "no commit".into()),
                short(&now.head).unwrap_or_else(|| "no commit".into())
            ));
        }
        for (path, bytes) in &self.sources {
            let after = now.sources.iter().find(|(p, _)| p == path).map(|(_, b)| b);
            if after != Some(bytes) {
                changes.push(format!("{path} changed"));
            }
        }
        let moved: Vec<&String> = now
            .dirty
            .iter()
            .filter(|p| !self.dirty.contains(p))
            .chain(self.dirty.iter().filter(|p| !now.dirty.contains(p)))
            .filter(|p| !changes.iter().any(|c| c == &format!("{p} changed")))
            .collect();
        if !moved.is_empty() {
            let shown: Vec<&str> = moved.iter().take(10).map(|p| p.as_str()).collect();
            let more = if moved.len() > 10 { format!(" and {} more", moved.len() - 10) } else { String::new() };
            changes.push(format!("tracked files changed: {}{more}", shown.join(", ")));
        }
        changes
    }

    /// Fail (exit 2) when the tree is no longer the one the bundle read.
    pub fn check_unchanged(&self, project: &Project, out: &str) -> Result<()> {
        let changes = self.changes(&TreeState::read(project)?);
        if !changes.is_empty() {
            bail!(
                "the repository changed while the bundles were built ({}), so they may not match the manifest; nothing was written to {out}: run `cargo xtask bundle` again once nothing else is changing the tree",
                changes.join("; ")
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(head: &str, dirty: &[&str], sources: &[(&str, &str)]) -> TreeState {
        TreeState {
            head: Some(head.to_string()),
            dirty: dirty.iter().map(|s| s.to_string()).collect(),
            sources: sources.iter().map(|(p, b)| (p.to_string(), Some(b.as_bytes().to_vec()))).collect(),
        }
    }

    #[test]
    fn every_change_is_named_once() {
        let before = state("aaaaaaaaaaaaaaaa", &[], &[("frontend/package.json", "2.4.1"), ("VERSION", "2.4.1")]);
        assert!(before.changes(&before.clone()).is_empty());
        let after = state(
            "bbbbbbbbbbbbbbbb",
            &["frontend/package.json", "docs/a.md"],
            &[("frontend/package.json", "2.4.2"), ("VERSION", "2.4.1")],
        );
        assert_eq!(
            before.changes(&after),
            [
                "HEAD moved from aaaaaaaaaaaa to bbbbbbbbbbbb",
                "frontend/package.json changed",
                "tracked files changed: docs/a.md"
            ]
        );
    }
}
