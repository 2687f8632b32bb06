//! The gate cache and `quality-check --changed`: gates that skip what has not changed.
//!
//! A gate's key is a hash of what its result depends on ([`inputs`]): the files it reads (by git
//! object id, see [`key`]), the environment variables it lists, the programs it runs, its
//! definition and the engine's build. A gate whose key passed before is reported `cached` and
//! not run; a failure is never recorded, nor a pass whose files changed while it ran. Entries
//! live under `.git/xtask/gate-cache/` ([`store`]). `--changed` runs only the gates that read a
//! file changed since a base commit ([`changed`]). Both only decide which gates the runner runs.

pub mod changed;
pub mod inputs;
pub mod key;
pub mod store;

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

use crate::bundle::checksums::rfc3339;
use crate::cli::QualityCheckArgs;
use crate::config::GatesConfig;
use crate::output::Ui;
use crate::project::{GateKind, GateSpec, Project};
use crate::repo::objects::Indexed;
use crate::report::{GateResult, Status};
use changed::Changed;
use inputs::Inputs;
use key::Facts;
use store::{Entry, Store};

/// How the gate cache treats one gate: `cache`, `inputs` and `env` in xtask.toml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// `cache = false`: the gate always runs (it reads the network or the clock).
    pub enabled: bool,
    /// Globs (relative to the root) of the files the gate reads, instead of its default inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Vec<String>>,
    /// Environment variables whose values are part of the key.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { enabled: true, inputs: None, env: Vec::new() }
    }
}

impl Settings {
    pub fn is_default(&self) -> bool {
        *self == Settings::default()
    }
}

/// Give each gate the cache settings its section of `[gates]` holds.
pub fn configure(gates: &mut [GateSpec], config: &GatesConfig) {
    for gate in gates.iter_mut() {
        let (cache, inputs, env) = match &gate.kind {
            GateKind::Versions => (config.versions.as_ref().and_then(|g| g.cache), None, None),
            GateKind::Ascii { .. } => (config.ascii.as_ref().and_then(|g| g.cache), None, None),
            GateKind::Ellipsis { .. } => (config.ellipsis.as_ref().and_then(|g| g.cache), None, None),
            GateKind::Compile { .. } => (config.compile.as_ref().and_then(|g| g.cache), None, None),
            GateKind::Links { .. } => (config.links.as_ref().and_then(|g| g.cache), None, None),
            GateKind::Tests { .. } => match &config.tests {
                Some(t) => (t.cache, t.inputs.clone(), t.env.clone()),
                None => (None, None, None),
            },
            GateKind::Command(_) => match config.command.iter().flatten().find(|c| c.name == gate.name) {
                Some(c) => (c.cache, c.inputs.clone(), Some(c.env.keyed.clone())),
                None => (None, None, None),
            },
            // It reads history, not files: never cached, always run under --changed.
            GateKind::Commits { .. } => (Some(false), None, None),
            GateKind::Lint(spec) => {
                (crate::gates::lint::detect::toggle(config, &spec.tool).and_then(|t| t.cache), None, None)
            }
        };
        gate.cache = Settings { enabled: cache.unwrap_or(true), inputs, env: env.unwrap_or_default() };
    }
}

/// The cache of one run: where it lives, who runs the gates, and the files as they were when
/// the run began.
struct Cache {
    store: Store,
    engine: String,
    facts: Facts,
}

impl Cache {
    fn open(project: &Project, index: &HashMap<String, Indexed>) -> Result<Cache> {
        let store = Store::at(project.repo.common_dir()?.join("xtask").join("gate-cache"));
        let engine = store.engine_id()?;
        let facts = Facts::gather(&project.repo, &project.files, index)?;
        Ok(Cache { store, engine, facts })
    }

    fn key(&self, inputs: &Inputs, facts: &Facts, project: &Project) -> String {
        key::key(inputs, facts, &self.engine, project.repo.root(), &|name| std::env::var_os(name))
    }
}

/// What becomes of one gate.
enum Plan {
    /// `--changed`: it reads none of the changed files.
    Skip(String),
    /// It passed before on these inputs.
    Cached(Entry),
    /// It runs; a pass is recorded under the key, when it has one.
    Run(Option<String>),
}

/// The results of `chosen` in their order: the gates the cache or `--changed` answer for, and
/// those `check` runs (given in their order, it returns one result per gate).
pub fn run<'a>(
    project: &Project,
    chosen: &[&'a GateSpec],
    args: &QualityCheckArgs,
    ui: &Ui,
    check: impl FnOnce(&[&'a GateSpec]) -> Vec<GateResult>,
) -> Result<Vec<GateResult>> {
    let repo = &project.repo;
    if args.changed.is_some() {
        repo.require_git("--changed")?;
    }
    // Outside git there is no cache (it lives under .git/) and no --changed.
    let index = match repo.is_git() {
        false => None,
        true => match repo.index_entries() {
            Ok(index) => Some(index),
            Err(e) if args.changed.is_some() => return Err(e),
            Err(e) => {
                ui.warn(format!("the gate cache is off for this run: {e:#}"));
                None
            }
        },
    };
    let changed = match (&args.changed, &index) {
        (Some(reference), Some(index)) => {
            let untracked: Vec<&str> = project.files.iter().filter(|p| !index.contains_key(*p)).collect();
            Some(Changed::since(project, reference.as_deref(), &untracked)?)
        }
        _ => None,
    };
    let cache = match (&index, args.no_cache) {
        (Some(index), false) => match Cache::open(project, index) {
            Ok(cache) => Some(cache),
            Err(e) => {
                ui.warn(format!("the gate cache is off for this run: {e:#}"));
                None
            }
        },
        _ => None,
    };
    if let Some(cache) = &cache {
        ui.debug(format!("gate cache: {} ({})", cache.store.dir().display(), cache.engine));
    }
    let inputs: Vec<Option<Inputs>> = match cache.is_some() || changed.is_some() {
        true => chosen.iter().map(|g| Inputs::of(g, project).ok()).collect(),
        false => chosen.iter().map(|_| None).collect(),
    };

    let plans: Vec<Plan> = chosen
        .iter()
        .zip(&inputs)
        .map(|(gate, inputs)| {
            if let Some(note) = changed.as_ref().and_then(|c| c.skip(gate, inputs.as_ref())) {
                return Plan::Skip(note);
            }
            let key = match (&cache, inputs) {
                (Some(cache), Some(inputs)) if gate.cache.enabled => Some(cache.key(inputs, &cache.facts, project)),
                _ => None,
            };
            match (&cache, &key) {
                (Some(cache), Some(k)) => cache.store.get(k).map_or(Plan::Run(key), Plan::Cached),
                _ => Plan::Run(key),
            }
        })
        .collect();
    if let Some(c) = &changed {
        let running = plans.iter().filter(|p| !matches!(p, Plan::Skip(_))).count();
        ui.info(format!(
            "--changed: {} files changed since {} ({}); {running} of {} gates read them",
            c.paths.len(),
            c.base,
            c.how,
            chosen.len()
        ));
    }

    let to_run: Vec<&'a GateSpec> =
        chosen.iter().zip(&plans).filter(|(_, p)| matches!(p, Plan::Run(_))).map(|(g, _)| *g).collect();
    let mut ran = if to_run.is_empty() { Vec::new() } else { check(&to_run) }.into_iter();
    let mut results = Vec::with_capacity(chosen.len());
    // (result, key, gate) of each pass to record.
    let mut passes: Vec<(usize, String, usize)> = Vec::new();
    for (i, (gate, plan)) in chosen.iter().zip(plans).enumerate() {
        match plan {
            Plan::Skip(note) => results.push(GateResult::skipped(&gate.name, note)),
            Plan::Cached(e) => {
                results.push(GateResult::cached(&gate.name, rfc3339(e.passed_at), Duration::from_millis(e.duration_ms)))
            }
            Plan::Run(key) => {
                let Some(result) = ran.next() else { continue };
                if let Some(key) = key
                    && result.status == Status::Passed
                {
                    passes.push((results.len(), key, i));
                }
                results.push(result);
            }
        }
    }
    if let Some(cache) = &cache
        && !passes.is_empty()
    {
        record(project, cache, &passes, &results, &inputs, ui, args.fix);
    }
    Ok(results)
}

/// Record the passes whose files are the same now as when the run began (a gate that read a
/// file while someone edited it, or wrote into what it reads, proves nothing about either).
fn record(
    project: &Project,
    cache: &Cache,
    passes: &[(usize, String, usize)],
    results: &[GateResult],
    inputs: &[Option<Inputs>],
    ui: &Ui,
    fix: bool,
) {
    let repo = &project.repo;
    let now = repo.files().and_then(|files| Facts::gather(repo, &files, &repo.index_entries()?));
    let now = match now {
        Ok(facts) => facts,
        Err(e) => return ui.warn(format!("the gate cache recorded nothing: {e:#}")),
    };
    let finished = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    for (slot, key, gate) in passes {
        let result = &results[*slot];
        let Some(inputs) = &inputs[*gate] else { continue };
        if cache.key(inputs, &now, project) != *key {
            // --fix rewrites what the gates read: expected, not worth a line.
            if !fix {
                ui.info(format!(
                    "{}: not recorded in the gate cache: files it reads changed while it ran",
                    result.name
                ));
            }
            continue;
        }
        let duration_ms = u64::try_from(result.duration.as_millis()).unwrap_or(u64::MAX);
        let entry = Entry { gate: result.name.clone(), passed_at: finished, duration_ms };
        if let Err(e) = cache.store.put(key, &entry) {
            return ui.warn(format!("the gate cache recorded nothing more: {e:#}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::project::{CommandSpec, Origin};

    #[test]
    fn each_gate_takes_the_settings_of_its_section() {
        let config = Config::parse(
            "[gates.ascii]\ncache = false\n[gates.tests]\ninputs = [\"src/**\"]\nenv = [\"CI\"]\n\
             [[gates.command]]\nname = \"lint\"\nrun = [\"ruff\"]\nenv = [\"B\", \"A=1\"]\n",
        )
        .unwrap();
        let spec = |kind: GateKind, name: &str| GateSpec {
            name: name.into(),
            kind,
            origin: Origin::Configured,
            cache: Settings::default(),
            when_env: None,
        };
        let lint = CommandSpec { run: vec!["ruff".into()], cwd: String::new(), env: Default::default() };
        let ascii = GateKind::Ascii { paths: vec![], files: vec![], exclude: vec![] };
        let mut gates = vec![
            spec(ascii, "ascii"),
            spec(GateKind::Tests { commands: vec![] }, "tests"),
            spec(GateKind::Command(lint), "lint"),
            spec(GateKind::Versions, "versions"),
        ];
        configure(&mut gates, &config.gates);
        assert!(!gates[0].cache.enabled);
        let tests = Settings { enabled: true, inputs: Some(vec!["src/**".into()]), env: vec!["CI".into()] };
        assert_eq!(gates[1].cache, tests);
        assert_eq!(gates[2].cache, Settings { env: vec!["B".into()], ..Settings::default() });
        assert!(gates[3].cache.is_default());
        let set = &config.gates.command.as_ref().unwrap()[0].env.set;
        assert_eq!(set.get("A").map(String::as_str), Some("1"));
    }
}
