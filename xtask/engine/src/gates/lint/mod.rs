//! The lint and type-check gates: ruff, flake8, black, isort, mypy and bandit where the
//! repository configures them, and the `lint`, `typecheck` and `format:check` scripts of a
//! `package.json` (found by [`detect`]). Each runs the check-only form of its tool in its project
//! folder; a tool that is not installed is a gate error that names the install command.

pub mod detect;

use serde::Serialize;

use super::Outcome;
use super::command::{self, Captured};
use crate::project::{CommandSpec, Project};
use crate::report::Finding;

/// One detected lint gate as it will run.
#[derive(Debug, Clone, Serialize)]
pub struct LintSpec {
    /// The tool's key: `ruff`, `mypy`, `npm-lint`, ... (the `[gates.X]` section that toggles it).
    pub tool: String,
    /// The check-only command, in the project folder.
    #[serde(flatten)]
    pub command: CommandSpec,
    /// File-name globs of the files the tool checks under its folder (empty: every file).
    pub files: Vec<String>,
    /// Root-relative configuration files the tool reads.
    pub configs: Vec<String>,
    /// What installs the tool (`pip install ruff`, `npm ci`).
    pub install: String,
}

impl LintSpec {
    /// The files the gate reads (for the gate cache and `--changed`): the files of its kind under
    /// its folder, and its configuration files.
    pub fn reads(&self) -> (Vec<String>, Option<Vec<String>>) {
        let mut paths = vec![self.command.cwd.clone()];
        paths.extend(self.configs.iter().cloned());
        (paths, (!self.files.is_empty()).then(|| self.files.clone()))
    }

    fn is_npm(&self) -> bool {
        self.command.run.first().is_some_and(|p| p == "npm")
    }
}

/// Run one lint gate.
pub fn run(project: &Project, spec: &LintSpec) -> Outcome {
    let root = project.repo.root();
    let Some(program) = spec.command.run.first() else { return Outcome::Error("an empty command".into()) };
    let folder = if spec.command.cwd.is_empty() { "the root".to_string() } else { format!("{}/", spec.command.cwd) };
    if !program.contains('/') && !crate::detect::which(program) {
        let install = if spec.is_npm() { "install Node.js, which brings npm" } else { spec.install.as_str() };
        return Outcome::Error(format!("`{program}` is not installed (it is not on PATH); {install}"));
    }
    if spec.is_npm()
        && let Some(missing) = missing_node_modules(project, &spec.command.cwd)
    {
        return Outcome::Error(format!(
            "{missing}: the script's tools are not installed; run `{}` in {folder}",
            spec.install
        ));
    }
    let mut env = vec![("PYTHONDONTWRITEBYTECODE", "1".to_string())];
    if spec.tool == "mypy" {
        env.push(("MYPY_CACHE_DIR", mypy_cache(&root.join(&spec.command.cwd)).display().to_string()));
    }
    let ran = match command::capture(root, &spec.command, &env) {
        Ok(ran) => ran,
        Err(why) => return Outcome::Error(why),
    };
    if ran.status.success() {
        return Outcome::Findings(Vec::new());
    }
    // 127: the shell of an npm script did not find a program (the dependencies are missing).
    if spec.is_npm() && ran.status.code() == Some(127) {
        return Outcome::Error(format!(
            "`{}` in {folder}: a program the script runs is not installed (exit status 127); run `{}` in {folder}",
            command::display(&spec.command.run),
            spec.install
        ));
    }
    Outcome::Findings(findings(project, spec, &ran))
}

/// The findings of a failed run: one per `PATH:LINE[:COL]: MESSAGE` line that names a file of
/// the project (ruff, flake8 and mypy print those), else the tail of the output as one finding.
fn findings(project: &Project, spec: &LintSpec, ran: &Captured) -> Vec<Finding> {
    let mut found: Vec<Finding> =
        ran.output.lines().filter_map(|line| located(project, &spec.command.cwd, line)).collect();
    if found.is_empty() {
        return vec![command::failure(&spec.command, ran)];
    }
    found.dedup();
    found
}

/// `pkg/a.py:3:8: F401 ...` (relative to `cwd`) as a finding at its root-relative path.
fn located(project: &Project, cwd: &str, line: &str) -> Option<Finding> {
    let mut parts = line.splitn(4, ':');
    let path = parts.next()?.trim();
    let line_no: usize = parts.next()?.trim().parse().ok()?;
    let third = parts.next()?;
    let (column, message) = match third.trim().parse::<usize>() {
        Ok(col) => (col, parts.next()?.trim().to_string()),
        Err(_) => (0, std::iter::once(third).chain(parts).collect::<Vec<_>>().join(":").trim().to_string()),
    };
    if path.is_empty() || path.contains(' ') || message.is_empty() {
        return None;
    }
    let rel = path.strip_prefix("./").unwrap_or(path);
    let full = if cwd.is_empty() { rel.to_string() } else { format!("{cwd}/{rel}") };
    project.files.iter().any(|f| f == full).then(|| Finding::new(full, line_no, column, message))
}

/// Where mypy keeps its incremental cache for the project folder `dir`: in the system's temp
/// folder, one per folder, never in the work tree or under `.git` (a release that runs the gates
/// writes nothing into the repository).
fn mypy_cache(dir: &std::path::Path) -> std::path::PathBuf {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(dir.as_os_str().as_encoded_bytes());
    let name: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    std::env::temp_dir().join("polyrelease-mypy-cache").join(name)
}

/// `node_modules` is absent from a package that declares dependencies.
fn missing_node_modules(project: &Project, cwd: &str) -> Option<String> {
    let dir = project.repo.path(cwd);
    let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let declares = ["dependencies", "devDependencies"]
        .iter()
        .any(|k| json.get(k).and_then(|d| d.as_object()).is_some_and(|d| !d.is_empty()));
    let modules = if cwd.is_empty() { "node_modules".to_string() } else { format!("{cwd}/node_modules") };
    (declares && !dir.join("node_modules").is_dir()).then(|| format!("{modules} does not exist"))
}

/// A folder as one word of a gate name: `backend/api` -> `backend-api`; the root -> `root`.
pub fn slug(dir: &str) -> String {
    if dir.is_empty() { "root".to_string() } else { dir.replace('/', "-") }
}

/// What `--list` says the gate checks.
pub fn describe(spec: &LintSpec) -> String {
    let cwd = if spec.command.cwd.is_empty() { "the root".to_string() } else { format!("{}/", spec.command.cwd) };
    let tools =
        if spec.is_npm() { format!("its tools from `{}`", spec.install) } else { format!("from `{}`", spec.install) };
    format!("`{}` in {cwd} exits 0 ({} {tools})", command::display(&spec.command.run), spec.tool)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::{FileList, Repo};

    #[test]
    fn tool_output_lines_become_findings_at_their_files() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::open(Some(dir.path())).unwrap();
        let files = FileList::from_paths(vec!["backend/pkg/a.py".to_string(), "backend/b.py".to_string()]);
        let project = Project::resolve(repo, Default::default(), None, files);
        let at = |line: &str| located(&project, "backend", line);
        let f = at("pkg/a.py:3:8: F401 [*] `os` imported but unused").unwrap();
        assert_eq!((f.path.as_str(), f.line, f.column), ("backend/pkg/a.py", 3, 8));
        assert_eq!(f.message, "F401 [*] `os` imported but unused");
        let m = at("./b.py:2: error: Incompatible types in assignment  [assignment]").unwrap();
        assert_eq!((m.path.as_str(), m.line, m.column), ("backend/b.py", 2, 0));
        assert_eq!(m.message, "error: Incompatible types in assignment  [assignment]");
        assert!(at("Found 1 error.").is_none());
        assert!(at("other.py:1:1: E1 not a file of the project").is_none());
        assert!(at("pkg/a.py:x:1: no line").is_none());
    }

    #[test]
    fn slugs() {
        assert_eq!(slug(""), "root");
        assert_eq!(slug("services/api"), "services-api");
    }
}
