//! What the gate cache scenarios share: a command gate that counts its runs, the statuses of a
//! `--json` run, the cache's entries, and small repositories to run on.
#![allow(dead_code)]

use std::path::PathBuf;

use crate::support::origin::Project;
use crate::support::{Run, TestRepo};

/// A file outside the repository that a command gate appends a line to each time it runs.
pub struct Counter {
    dir: tempfile::TempDir,
}

impl Counter {
    pub fn new() -> Counter {
        Counter { dir: tempfile::tempdir().unwrap() }
    }

    pub fn log(&self) -> PathBuf {
        self.dir.path().join("runs.log")
    }

    /// A path outside the repository whose existence a gate can test.
    pub fn flag(&self) -> PathBuf {
        self.dir.path().join("flag")
    }

    /// How many times gate `name` ran.
    pub fn runs(&self, name: &str) -> usize {
        std::fs::read_to_string(self.log()).unwrap_or_default().lines().filter(|l| *l == name).count()
    }

    /// A `[[gates.command]]` named `name` that logs each run, then runs `then` (a shell line).
    pub fn gate(&self, name: &str, extra: &str, then: &str) -> String {
        format!(
            "[[gates.command]]\nname = \"{name}\"\nrun = [\"sh\", \"-c\", '''echo {name} >> \"{}\"; {then}''']\n{extra}\n",
            self.log().display()
        )
    }
}

/// (gate, status) of every gate of a `--json` run.
pub fn statuses(run: &Run) -> Vec<(String, String)> {
    run.json()["gates"]
        .as_array()
        .unwrap_or_else(|| panic!("no gates\n{run}"))
        .iter()
        .map(|g| (g["name"].as_str().unwrap().to_string(), g["status"].as_str().unwrap().to_string()))
        .collect()
}

pub fn status(run: &Run, gate: &str) -> String {
    let found = statuses(run).into_iter().find(|(n, _)| n == gate);
    found.unwrap_or_else(|| panic!("no gate {gate}\n{run}")).1
}

pub fn gate_json(run: &Run, gate: &str) -> serde_json::Value {
    let doc = run.json();
    let found = doc["gates"].as_array().unwrap().iter().find(|g| g["name"] == gate).cloned();
    found.unwrap_or_else(|| panic!("no gate {gate}\n{run}"))
}

pub fn check(repo: &TestRepo, args: &[&str]) -> Run {
    let mut all = vec!["--json", "quality-check"];
    all.extend_from_slice(args);
    repo.xtask(&all)
}

pub fn check_env(repo: &TestRepo, vars: &[(&str, &str)]) -> Run {
    repo.xtask_with(&["--json", "quality-check"], |cmd| {
        cmd.env_remove("MODE");
        for (k, v) in vars {
            cmd.env(k, v);
        }
    })
}

/// The entries of the gate cache (not its own bookkeeping).
pub fn entries(repo: &TestRepo) -> Vec<String> {
    let dir = repo.path(".git/xtask/gate-cache");
    let Ok(read) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut names: Vec<String> = read.map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.retain(|n| n != "engine");
    names.sort();
    names
}

/// A repository with a backend folder, docs, and the given xtask.toml, committed.
pub fn small(config: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("backend/app.py", "x = 1\n");
    repo.write("docs/guide.md", "# Guide\n\nSee [the app](../backend/app.py).\n");
    repo.write(".gitignore", "backend/build/\n");
    repo.write("xtask.toml", format!("[gates]\ndetect = false\n[gates.ascii]\n[gates.links]\n\n{config}"));
    repo.commit_all("chore: initial import");
    repo
}

/// `small` with a backend gate, pushed to an `origin` that the branch tracks.
pub fn tracked(counter: &Counter) -> Project {
    let repo = small(&counter.gate("lint", "cwd = \"backend\"", "true"));
    let project = Project::with_origin(repo, &["main"]);
    project.git(&["branch", "-q", "--set-upstream-to", "origin/main"]);
    project
}
