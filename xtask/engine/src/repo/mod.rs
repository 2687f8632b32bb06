//! The repository: its root, the files the tool reads, and every git invocation.
//!
//! This is the only module that runs `git`. Commands ask it for facts (`files`, `head_branch`,
//! `tags`) and, in `apply`, for the few writes git makes (commit, tag, push).

pub mod archive;
pub mod files;
pub mod history;
pub mod objects;
pub mod planned_tree;
mod process;
mod release_ops;
pub mod rollback_ops;
pub mod tree_files;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

pub use files::FileList;
pub use release_ops::{HEAD_REVS, branch_of};

/// A repository root, with or without git.
#[derive(Debug, Clone)]
pub struct Repo {
    root: PathBuf,
    /// The root is inside a git work tree.
    git: bool,
    /// Reads of the paths another tree has differently go there (a rollback's plan).
    view: Option<std::sync::Arc<tree_files::View>>,
    /// [`Repo::git_dir`], asked of git once (a run asks for it several times).
    git_dir: std::sync::OnceLock<PathBuf>,
    /// [`Repo::prefix`], asked of git with the probe that opened the repository.
    prefix: std::sync::OnceLock<String>,
    /// [`Repo::config`], asked of git once.
    config: std::sync::OnceLock<Option<std::sync::Arc<GitConfig>>>,
    /// [`Repo::tags_at_start`] (shared by the copies of this `Repo`, which see other trees of
    /// the same repository).
    tags_at_start: std::sync::Arc<std::sync::Mutex<Option<std::sync::Arc<history::TagListing>>>>,
    /// Reads started ahead of the code that needs them (see [`Repo::prefetch`]), with their
    /// arguments; shared by the copies of this `Repo`.
    prefetched: std::sync::Arc<std::sync::Mutex<Prefetched>>,
}

/// Gits started ahead of need, with their arguments (see [`Repo::prefetch`]).
#[derive(Default)]
struct Prefetched(Vec<(Vec<std::ffi::OsString>, process::Started)>);

impl std::fmt::Debug for Prefetched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.iter().map(|(args, _)| args)).finish()
    }
}

/// git's configuration as `git config --list` gives it (every file, includes followed): keys
/// with the section and the name in lower case, in the order git reads them.
#[derive(Debug, Default)]
pub struct GitConfig {
    entries: Vec<(String, Option<String>)>,
}

impl GitConfig {
    fn parse(listing: &[u8]) -> GitConfig {
        let entries = listing
            .split(|&b| b == 0)
            .filter(|e| !e.is_empty())
            .map(|entry| {
                let entry = String::from_utf8_lossy(entry);
                match entry.split_once('\n') {
                    Some((key, value)) => (key.to_string(), Some(value.to_string())),
                    None => (entry.to_string(), None),
                }
            })
            .collect();
        GitConfig { entries }
    }

    /// The value that counts (the last one), `Some(None)` for a key set without a value.
    pub fn get(&self, key: &str) -> Option<Option<&str>> {
        self.entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_deref())
    }

    /// Every key that is set (lowercase section and name, as `git config --list` prints them).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    /// A boolean as git reads it: `true`, `yes`, `on`, a number other than 0, or the key alone
    /// are true; `false`, `no`, `off`, `0` and the empty value false; anything else (which git
    /// refuses) is `None`, as is a key that is not set.
    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.get(key)? {
            None => Some(true),
            Some(value) => match value.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" => Some(true),
                "false" | "no" | "off" | "" => Some(false),
                number => number.parse::<i64>().ok().map(|n| n != 0),
            },
        }
    }
}

/// `git config --list`, every file, entries ended by NUL.
pub(crate) const CONFIG_LIST: [&str; 3] = ["config", "--list", "-z"];

/// `git status` of the tracked files, without optional locks: reading the status never writes
/// the index (a dry run, a full disk).
pub(crate) const STATUS: [&str; 5] = ["--no-optional-locks", "status", "--porcelain=v1", "-z", "--untracked-files=no"];

/// A `git status` running (see [`Repo::start_tracked_changes`]).
pub struct PendingChanges {
    git: process::Started,
}

impl PendingChanges {
    /// The changed tracked files, once `git status` is done.
    pub fn finish(self) -> Result<Vec<String>> {
        let out = self.git.finish()?;
        if !out.status.success() {
            bail!("`git status` failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        let out = String::from_utf8_lossy(&out.stdout);
        let mut paths = Vec::new();
        let mut fields = out.split('\0').filter(|f| !f.is_empty());
        while let Some(entry) = fields.next() {
            let (status, path) = entry.split_at(3.min(entry.len()));
            paths.push(path.to_string());
            // A rename or copy is followed by its source path.
            if status.starts_with('R') || status.starts_with('C') {
                fields.next();
            }
        }
        Ok(paths)
    }
}

/// What a git command printed, whatever its exit status.
#[derive(Debug)]
pub struct GitOutput {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Repo {
    /// Open the repository at `root` (or, with `None`, the repository of the current directory).
    pub fn open(root: Option<&Path>) -> Result<Repo> {
        let (root, found_git_dir) = match root {
            Some(root) => (root.to_path_buf(), None),
            None => default_root()?,
        };
        let meta =
            std::fs::metadata(&root).with_context(|| format!("{}: cannot open the repository root", root.display()))?;
        if !meta.is_dir() {
            bail!("{}: not a directory; pass --root DIR with the repository's folder", root.display());
        }
        let root =
            root.canonicalize().with_context(|| format!("{}: cannot resolve the repository root", root.display()))?;
        let mut repo = Repo {
            root,
            git: false,
            view: None,
            git_dir: std::sync::OnceLock::new(),
            prefix: std::sync::OnceLock::new(),
            config: std::sync::OnceLock::new(),
            tags_at_start: Default::default(),
            prefetched: Default::default(),
        };
        // The top of a work tree found from the current directory: its git dir is known, and
        // the root's path in the tree is empty.
        if let Some(git_dir) = found_git_dir {
            repo.git = true;
            let _ = repo.git_dir.set(git_dir);
            let _ = repo.prefix.set(String::new());
            return Ok(repo);
        }
        // One git for three facts: inside a work tree, the git dir, the root's path in the tree.
        let probe = repo.git_output(["rev-parse", "--is-inside-work-tree", "--absolute-git-dir", "--show-prefix"]);
        if let Ok(out) = &probe
            && out.success
        {
            repo.git = out.stdout.starts_with("true\n");
            // Unless a name in them holds a line break that leaves them ambiguous (then each
            // is asked on its own when needed).
            if let Some((git_dir, prefix)) = parse_probe(&out.stdout) {
                let _ = repo.git_dir.set(git_dir);
                let _ = repo.prefix.set(prefix);
            }
        }
        Ok(repo)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The root is inside a git work tree.
    pub fn is_git(&self) -> bool {
        self.git
    }

    /// `ROOT/rel` (or, in a repository seen through a [`tree_files::View`], where the
    /// other tree has it).
    pub fn path(&self, rel: impl AsRef<Path>) -> PathBuf {
        if let Some(path) = self.view.as_ref().and_then(|v| v.redirect(rel.as_ref())) {
            return path;
        }
        self.root.join(rel)
    }

    /// A path as the tool prints it: relative to the root, with forward slashes.
    pub fn display_path(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        slash_path(rel)
    }

    /// Fail with a clear message unless the root is a git work tree.
    pub fn require_git(&self, what: &str) -> Result<()> {
        if !self.git {
            bail!(
                "{}: not a git work tree; {what} needs git (run `git init` or pass --root with a repository)",
                self.root.display()
            );
        }
        Ok(())
    }

    /// Run git in the root; its stdout on success, an error naming the command and git's
    /// message otherwise.
    pub fn git<I, S>(&self, args: I) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let out = self.git_output(&args)?;
        if !out.success {
            bail!(
                "`git {}` failed: {}",
                args.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" "),
                out.stderr.trim()
            );
        }
        Ok(out.stdout)
    }

    /// Run git in the root and return what it printed and whether it succeeded.
    pub fn git_output<I, S>(&self, args: I) -> Result<GitOutput>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let out = self.git_raw(args, None)?;
        Ok(GitOutput {
            success: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    /// Run git with raw bytes in and out (for `cat-file`, `hash-object --stdin`, archives).
    pub fn git_raw<I, S>(&self, args: I, stdin: Option<&[u8]>) -> Result<std::process::Output>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.start_git(args, stdin.map(<[u8]>::to_vec))?.finish()
    }

    /// Start `git ARGS` with `stdin` as its input and return at once (see [`process::start`]).
    pub(crate) fn start_git<I, S>(&self, args: I, stdin: Option<Vec<u8>>) -> Result<process::Started>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        if stdin.is_none()
            && let Some(started) = self.take_prefetched(&args)
        {
            return Ok(started);
        }
        process::start(self.git_command(args)?, stdin)
    }

    /// Start the read-only gits `reads` now, each one's output kept for the first later run
    /// of the same command (same arguments, no input), which then waits only for what is left
    /// of it: a run that reads many facts of the repository one after the other (a release, a
    /// rollback) pays for their start-up once, all together, while it lists the files. Only for
    /// reads of a repository nothing has changed yet: [`Repo::forget_prefetched`] drops what
    /// is left before a run's first write (and after a fetch).
    pub fn prefetch(&self, reads: Vec<Vec<String>>) {
        let mut started = Vec::new();
        for args in reads {
            let args: Vec<std::ffi::OsString> = args.into_iter().map(std::ffi::OsString::from).collect();
            // A read that cannot start now is run (and fails, with its message) when needed.
            if let Ok(git) = self.git_command(&args).and_then(|cmd| process::start(cmd, None)) {
                started.push((args, git));
            }
        }
        self.prefetched.lock().unwrap_or_else(|e| e.into_inner()).0.extend(started);
    }

    /// Stop the prefetched reads nothing took (see [`Repo::prefetch`]): what they read may no
    /// longer be so.
    pub fn forget_prefetched(&self) {
        // git's configuration is not what a run changes: its read is kept, for the commit.
        let config = CONFIG_LIST.map(std::ffi::OsString::from);
        let pending = self.prefetched.lock().unwrap_or_else(|e| e.into_inner()).0.iter().any(|(a, _)| a == &config);
        if pending {
            let _ = self.config();
        }
        let left = std::mem::take(&mut self.prefetched.lock().unwrap_or_else(|e| e.into_inner()).0);
        drop(left);
    }

    fn take_prefetched(&self, args: &[std::ffi::OsString]) -> Option<process::Started> {
        let mut prefetched = self.prefetched.lock().unwrap_or_else(|e| e.into_inner());
        let at = prefetched.0.iter().position(|(a, _)| a == args)?;
        Some(prefetched.0.remove(at).1)
    }

    /// `git ARGS` in the root, shown with `-v`.
    fn git_command<I, S>(&self, args: I) -> Result<std::process::Command>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let sh = xshell::Shell::new().context("cannot start a shell for git")?;
        sh.change_dir(&self.root);
        let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        crate::output::trace_command(&self.root, &self.root, "git", &args);
        let cmd = xshell::cmd!(sh, "git {args...}").quiet().ignore_status().env("GIT_TERMINAL_PROMPT", "0");
        Ok(cmd.into())
    }

    /// The files the gates read: inside git, the tracked files plus untracked files that are
    /// not ignored; outside git, every file under the root that git would not ignore there.
    pub fn files(&self) -> Result<FileList> {
        FileList::collect(self)
    }

    /// The checked-out branch, or `None` on a detached HEAD.
    pub fn head_branch(&self) -> Result<Option<String>> {
        let out = self.git_output(["symbolic-ref", "--quiet", "--short", "HEAD"])?;
        Ok(out.success.then(|| out.stdout.trim().to_string()))
    }

    /// The full hash of a revision.
    pub fn rev_parse(&self, rev: &str) -> Result<String> {
        Ok(self.git(["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])?.trim().to_string())
    }

    /// Tracked files with staged or unstaged changes (`git status --porcelain`, untracked
    /// files excluded), as root-relative paths.
    pub fn tracked_changes(&self) -> Result<Vec<String>> {
        self.start_tracked_changes()?.finish()
    }

    /// [`Repo::tracked_changes`], started now and read by [`PendingChanges::finish`]: `git
    /// status` stats every tracked file, which on a large tree is worth doing while the rest
    /// is read.
    pub fn start_tracked_changes(&self) -> Result<PendingChanges> {
        Ok(PendingChanges { git: self.start_git(STATUS, None)? })
    }
    /// The commit time (seconds since the epoch) of a revision.
    pub fn commit_time(&self, rev: &str) -> Result<i64> {
        let out = self.git(["show", "-s", "--format=%ct", rev])?;
        out.trim().parse().with_context(|| format!("git gave no commit time for {rev}"))
    }

    /// Where the root lies in the work tree, as git prints paths (`sub/dir/`; empty at the top).
    pub fn prefix(&self) -> Result<String> {
        if let Some(prefix) = self.prefix.get() {
            return Ok(prefix.clone());
        }
        let prefix = self.git(["rev-parse", "--show-prefix"])?.trim().to_string();
        Ok(self.prefix.get_or_init(|| prefix).clone())
    }

    /// git's configuration, read once (`git config --list`); `None` when git cannot read it
    /// (then a caller takes the path that does not depend on it).
    pub fn config(&self) -> Option<std::sync::Arc<GitConfig>> {
        self.config
            .get_or_init(|| {
                let out = self.git_raw(CONFIG_LIST, None).ok()?;
                out.status.success().then(|| std::sync::Arc::new(GitConfig::parse(&out.stdout)))
            })
            .clone()
    }

    /// The `.git` directory (or the worktree's git dir), where journals and locks live.
    pub fn git_dir(&self) -> Result<PathBuf> {
        if let Some(dir) = self.git_dir.get() {
            return Ok(dir.clone());
        }
        let dir = PathBuf::from(self.git(["rev-parse", "--absolute-git-dir"])?.trim());
        Ok(self.git_dir.get_or_init(|| dir).clone())
    }
}

/// The repository of the current directory: the top of its git work tree, else the nearest
/// folder upwards that holds an `xtask.toml`, else the current directory itself. Never a path
/// fixed when the binary was built, so a copy of a repository (or an installed binary run in
/// another one) acts on the repository it is run in.
/// With the top of a work tree, its git dir, asked in the same `git rev-parse`.
fn default_root() -> Result<(PathBuf, Option<PathBuf>)> {
    let cwd = std::env::current_dir().context("cannot read the current directory; pass --root DIR")?;
    let sh = xshell::Shell::new().context("cannot start a shell for git")?;
    sh.change_dir(&cwd);
    crate::output::trace_command(&cwd, &cwd, "git", &["rev-parse", "--show-toplevel", "--absolute-git-dir"]);
    let out = xshell::cmd!(sh, "git rev-parse --show-toplevel --absolute-git-dir").quiet().ignore_stderr().read();
    if let Ok(out) = out {
        if let [top, git_dir] = out.lines().collect::<Vec<_>>()[..]
            && Path::new(top).is_dir()
            && Path::new(git_dir).is_dir()
        {
            return Ok((PathBuf::from(top), Some(PathBuf::from(git_dir))));
        }
        // A folder whose name holds a line break: the top alone, the git dir asked later.
        crate::output::trace_command(&cwd, &cwd, "git", &["rev-parse", "--show-toplevel"]);
        let top = xshell::cmd!(sh, "git rev-parse --show-toplevel").quiet().ignore_stderr().read();
        if let Ok(top) = top
            && !top.is_empty()
        {
            return Ok((PathBuf::from(top), None));
        }
    }
    Ok((cwd.ancestors().find(|dir| dir.join("xtask.toml").is_file()).unwrap_or(&cwd).to_path_buf(), None))
}

/// The git dir and the prefix from `git rev-parse --is-inside-work-tree --absolute-git-dir
/// --show-prefix` in a work tree: `true`, the git dir, the prefix (an empty line at the top),
/// each ended by a line break, where the git dir's own path may hold one.
fn parse_probe(out: &str) -> Option<(PathBuf, String)> {
    let rest = out.strip_prefix("true\n")?;
    let (git_dir, prefix) = rest.strip_suffix('\n')?.rsplit_once('\n')?;
    let git_dir = PathBuf::from(git_dir);
    (git_dir.is_absolute() && git_dir.is_dir()).then(|| (git_dir, prefix.to_string()))
}

/// A relative path with forward slashes.
pub fn slash_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' { s.into_owned() } else { s.replace(std::path::MAIN_SEPARATOR, "/") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_is_read_when_a_folder_name_holds_a_line_break() {
        let dir = tempfile::tempdir().unwrap();
        let git_dir = dir.path().join("two\nlines").join(".git");
        std::fs::create_dir_all(&git_dir).unwrap();
        let shown = git_dir.display().to_string();
        assert_eq!(parse_probe(&format!("true\n{shown}\n\n")), Some((git_dir.clone(), String::new())));
        assert_eq!(parse_probe(&format!("true\n{shown}\nsub/dir/\n")), Some((git_dir.clone(), "sub/dir/".into())));
        // A prefix with a line break: the split finds no folder, and nothing is taken from it.
        assert_eq!(parse_probe(&format!("true\n{shown}\nsub\nx/\n")), None);
        assert_eq!(parse_probe("false\n"), None);
    }
}
