//! git's own lock files (`index.lock`, `HEAD.lock`, a branch's or tag's `.lock`) in the way of
//! the executor's steps: found before the steps run, with whether a git process is running in
//! this repository now (then the lock is live) or none is (then it was left by a killed git).
//!
//! git's own message for them is a raw "File exists"; this one says which file it is, what it
//! means and how to go on.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::repo::Repo;

/// A lock file in the way, described with what to do; `None` when there is none. `branch` and
/// `tags` are the refs the run moves; `then` is the command to run once it is sorted out.
pub fn problem(repo: &Repo, branch: &str, tags: &[&str], then: &str) -> Result<Option<String>> {
    let found = lock_files(repo, branch, tags, false)?.0;
    Ok(describe(repo, &found, then))
}

/// HEAD as the same `git rev-parse` saw it: its commit, and the branch checked out (`None`:
/// detached).
pub type Head = (String, Option<String>);

/// The lock files in the way of a run that moves `branch` and `tags`, and (with `head`) HEAD,
/// in one `git rev-parse`; HEAD is `None` when it has no commit yet.
pub fn lock_files(repo: &Repo, branch: &str, tags: &[&str], head: bool) -> Result<(Vec<PathBuf>, Option<Head>)> {
    let mut names = vec!["index.lock".to_string(), "HEAD.lock".to_string(), "packed-refs.lock".to_string()];
    names.push(format!("refs/heads/{branch}.lock"));
    names.extend(tags.iter().map(|t| format!("refs/tags/{t}.lock")));
    let mut args = vec!["rev-parse".to_string()];
    for name in &names {
        args.push("--git-path".into());
        args.push(name.clone());
    }
    let mut out = None;
    if head {
        let mut with_head = args.clone();
        with_head.extend(crate::repo::HEAD_REVS.map(String::from));
        // Fails on a branch with no commit: then the locks alone.
        out = Some(repo.git_output(&with_head)?).filter(|o| o.success);
    }
    let (out, head) = match out {
        Some(out) => {
            let lines: Vec<&str> = out.stdout.lines().collect();
            let [paths @ .., commit, symbolic] = &lines[..] else {
                anyhow::bail!("`git rev-parse` printed less than asked for: {}", out.stdout.trim());
            };
            let paths = paths.iter().map(|p| p.to_string()).collect::<Vec<_>>();
            (paths, Some((commit.to_string(), crate::repo::branch_of(symbolic))))
        }
        None => (repo.git(&args)?.lines().map(str::to_string).collect(), None),
    };
    let found = out
        .iter()
        .map(|line| {
            let path = Path::new(line);
            if path.is_absolute() { path.to_path_buf() } else { repo.path(path) }
        })
        .filter(|path| path.exists())
        .collect();
    Ok((found, head))
}

/// What to do about the lock files `found`; `None` when there is none.
pub fn describe(repo: &Repo, found: &[PathBuf], then: &str) -> Option<String> {
    let first = found.first()?;
    let shown = repo.display_path(first);
    let others = if found.len() > 1 { format!(" (and {} more lock files)", found.len() - 1) } else { String::new() };
    let message = match git_processes(repo.root()) {
        Some(pids) if !pids.is_empty() => {
            let list = pids.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
            format!(
                "git's lock file {shown} exists{others} and a git process is running in this repository (pid {list}): wait for it to finish, then {then}"
            )
        }
        Some(_) => format!(
            "git's lock file {shown} exists{others}, left by a git process that was killed while holding it (no git process is running in this repository now): remove it (`rm {shown}`), then {then}"
        ),
        None => format!(
            "git's lock file {shown} exists{others}: a git process holds it, or one was killed while holding it (this system cannot tell which); make sure no git is running here, remove it (`rm {shown}`), then {then}"
        ),
    };
    Some(message)
}

/// The ids of the `git` processes whose working folder is inside `root`; `None` where the
/// processes cannot be listed (no `/proc`).
fn git_processes(root: &Path) -> Option<Vec<u32>> {
    let entries = std::fs::read_dir("/proc").ok()?;
    let me = std::process::id();
    let mut pids = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        if pid == me {
            continue;
        }
        let dir = entry.path();
        let is_git =
            std::fs::read_to_string(dir.join("comm")).is_ok_and(|c| c.trim() == "git" || c.starts_with("git-"));
        if is_git && std::fs::read_link(dir.join("cwd")).is_ok_and(|cwd| cwd.starts_with(root)) {
            pids.push(pid);
        }
    }
    pids.sort_unstable();
    Some(pids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_git_running_in_the_folder_is_found_and_none_elsewhere() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        assert_eq!(git_processes(&root), Some(vec![]));
        // `git hash-object --stdin` waits for its input: a git that is running here.
        let mut child = std::process::Command::new("git")
            .args(["hash-object", "--stdin"])
            .current_dir(&root)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // The parent may run again a moment before the child's exec has renamed it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while git_processes(&root) != Some(vec![child.id()]) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(git_processes(&root), Some(vec![child.id()]));
        drop(child.stdin.take());
        child.wait().unwrap();
        assert_eq!(git_processes(&root), Some(vec![]));
    }
}
