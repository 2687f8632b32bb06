//! `quality-check --changed [REF]`: the files changed since a base commit (by default the merge
//! base of HEAD and its upstream), and which gates read one of them.

use anyhow::{Result, bail};

use super::inputs::Inputs;
use crate::project::{GateSpec, Project};

/// The files changed since the base.
#[derive(Debug)]
pub struct Changed {
    /// The base commit, abbreviated.
    pub base: String,
    /// How the base was chosen: `the merge base of HEAD and origin/main`.
    pub how: String,
    /// Every changed path, root-relative: modified, added (untracked ones too), deleted.
    pub paths: Vec<String>,
    /// A file was added or deleted (which files exist changed).
    pub shape: bool,
    /// The configuration file changed: every gate may have changed.
    pub config: bool,
}

impl Changed {
    /// The changes of the work tree since `reference` (or the default base); `untracked` are
    /// the project's files git does not track, all of them new.
    pub fn since(project: &Project, reference: Option<&str>, untracked: &[&str]) -> Result<Changed> {
        let repo = &project.repo;
        repo.require_git("--changed")?;
        if repo.rev_parse("HEAD").is_err() {
            bail!("--changed: the repository has no commits yet, so nothing to compare with; run without --changed");
        }
        let (base, how) = match reference {
            Some(r) => match repo.rev_parse(r) {
                Ok(commit) => (commit, r.to_string()),
                Err(_) => bail!(
                    "--changed {r}: not a commit of this repository; give a branch, tag or commit (such as origin/main)"
                ),
            },
            None => {
                let remote_head = format!("{}/HEAD", project.release.remote);
                let (upstream, why) = match repo.upstream()? {
                    Some(u) => (u, String::new()),
                    None if repo.rev_parse(&remote_head).is_ok() => {
                        (remote_head, " (the branch has no upstream)".to_string())
                    }
                    None => bail!(
                        "--changed: the branch has no upstream and {remote_head} does not exist, so there is no base to compare with; \
                         name one (--changed main) or set the upstream (git branch --set-upstream-to {}/main)",
                        project.release.remote
                    ),
                };
                match repo.merge_base("HEAD", &upstream)? {
                    Some(base) => (base, format!("the merge base of HEAD and {upstream}{why}")),
                    None => bail!("--changed: HEAD and {upstream} share no history; name a base: --changed REF"),
                }
            }
        };
        let changes = repo.changed_since(&base)?;
        let shape = !untracked.is_empty() || changes.iter().any(|c| matches!(c.status, 'A' | 'D'));
        let mut paths: Vec<String> = changes.into_iter().map(|c| c.path).collect();
        paths.extend(untracked.iter().map(|p| p.to_string()));
        paths.sort();
        paths.dedup();
        let config = project.config_file.as_deref().is_some_and(|f| paths.contains(&repo.display_path(f)));
        Ok(Changed { base: base.chars().take(12).collect(), how, paths, shape, config })
    }

    /// Why `gate` does not run, or `None` when it does: it reads a changed file, its inputs
    /// cannot be known, the configuration changed, or it is never cached (`cache = false`:
    /// it reads more than files).
    pub fn skip(&self, gate: &GateSpec, inputs: Option<&Inputs>) -> Option<String> {
        let inputs = inputs?;
        if self.config || !gate.cache.enabled || (inputs.tree && self.shape) {
            return None;
        }
        if self.paths.iter().any(|p| inputs.reads(p)) {
            return None;
        }
        Some(format!("--changed: reads none of the {} files changed since {}", self.paths.len(), self.base))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gates::cache::Settings;
    use crate::project::{CommandSpec, GateKind, Origin};
    use crate::repo::{FileList, Repo};

    fn gate(cwd: &str, cache: Settings) -> GateSpec {
        let kind = GateKind::Command(CommandSpec { run: vec!["x".into()], cwd: cwd.into(), env: Default::default() });
        GateSpec { name: "g".into(), kind, origin: Origin::Configured, cache, when_env: None }
    }

    #[test]
    fn a_gate_runs_when_it_reads_a_changed_file() {
        let dir = tempfile::tempdir().unwrap();
        let project =
            Project::resolve(Repo::open(Some(dir.path())).unwrap(), Default::default(), None, FileList::default());
        let changed = |paths: &[&str], shape: bool, config: bool| Changed {
            base: "abc".into(),
            how: "abc".into(),
            paths: paths.iter().map(|p| p.to_string()).collect(),
            shape,
            config,
        };
        let backend = gate("backend", Settings::default());
        let inputs = Inputs::of(&backend, &project).unwrap();
        let docs = changed(&["docs/a.md"], false, false);
        assert_eq!(
            docs.skip(&backend, Some(&inputs)).unwrap(),
            "--changed: reads none of the 1 files changed since abc"
        );
        assert_eq!(changed(&["backend/gone.py"], true, false).skip(&backend, Some(&inputs)), None);
        assert_eq!(changed(&["docs/a.md"], false, true).skip(&backend, Some(&inputs)), None, "xtask.toml changed");
        assert_eq!(docs.skip(&backend, None), None);
        let uncached = gate("backend", Settings { enabled: false, ..Settings::default() });
        assert_eq!(docs.skip(&uncached, Some(&inputs)), None, "cache = false always runs");
    }
}
