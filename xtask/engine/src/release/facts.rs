//! What a release needs to know about the repository, read once before anything is decided:
//! branch, HEAD, changes, version sources, release tags, identity. Reads only; in a shallow
//! clone a real run first fetches more history (new objects and tags, no branch or file), and
//! a dry run fetches nothing: it says what the real run will fetch.

use anyhow::{Context, Result, bail};

use crate::changelog::{self, ReleaseTag};
use crate::output::Ui;
use crate::project::Project;
use crate::repo::Repo;
use crate::version::{self, Reading};

/// The repository as the release found it.
#[derive(Debug)]
pub struct Facts {
    /// The checked-out branch (`None`: detached HEAD).
    pub branch: Option<String>,
    /// HEAD's commit (`None`: no commit yet).
    pub head: Option<String>,
    /// Tracked files with staged or unstaged changes.
    pub dirty: Vec<String>,
    pub readings: Vec<Reading>,
    /// The one version the sources agree on, or why there is none.
    pub current: Result<semver::Version, String>,
    /// Every release tag of the project, ascending.
    pub tags: Vec<ReleaseTag>,
    /// The release tags reachable from HEAD, ascending.
    pub reachable: Vec<ReleaseTag>,
    /// How the new tag is spelled (`[release] tag-format`, else as the newest release tag).
    pub tag_style: changelog::TagStyle,
    /// Why git cannot commit (no user identity), if it cannot.
    pub identity: Option<String>,
    /// The release date (`SOURCE_DATE_EPOCH`, else today, UTC).
    pub date: String,
    /// Gathered for a dry run: later checks must not fetch either.
    pub dry_run: bool,
}

impl Facts {
    /// The facts; `dry_run` changes nothing, not even by fetching history.
    pub fn gather(project: &Project, ui: &Ui, dry_run: bool) -> Result<Facts> {
        // Stats every tracked file: it runs while the rest is read.
        let changes = project.repo.start_tracked_changes()?;
        let mut facts = Facts::gather_but_changes(project, ui, dry_run)?;
        facts.dirty = changes.finish()?;
        Ok(facts)
    }

    /// [`Facts::gather`] but the changed files: `dirty` is empty, for a caller that runs that
    /// `git status` itself ([`crate::repo::Repo::start_tracked_changes`]) alongside more of its
    /// own work and sets `dirty` before any precondition is checked.
    pub fn gather_but_changes(project: &Project, ui: &Ui, dry_run: bool) -> Result<Facts> {
        let repo = &project.repo;
        let prefix = &project.release.tag_prefix;
        let (branch, head) = repo.head_state()?;
        if head.is_some() && dry_run {
            warn_if_too_shallow(repo, &project.release.remote, prefix, ui)?;
        } else if head.is_some() {
            ensure_history(repo, &project.release.remote, prefix, ui)?;
        }
        let (readings, current) = match version::read_all(project) {
            Ok(readings) if readings.is_empty() => (
                readings,
                Err("no version source found; list the files that hold the version as [[version]] in xtask.toml".into()),
            ),
            Ok(readings) => {
                let current = version::current(&readings).map(|v| v.semver().clone()).map_err(|e| format!("{e:#}"));
                (readings, current)
            }
            Err(e) => (Vec::new(), Err(format!("{e:#}"))),
        };
        let reachable = match head {
            Some(_) => changelog::reachable_release_tags(repo, prefix, "HEAD")?,
            None => Vec::new(),
        };
        let tags = changelog::from_refs(&repo.tags_at_start()?.refs, prefix);
        let tag_style = changelog::TagStyle::resolve(project.release.tag_format.as_deref(), prefix, &tags)?;
        let identity = repo.identity_problem()?;
        Ok(Facts {
            branch,
            dirty: Vec::new(),
            head,
            readings,
            current,
            tags,
            tag_style,
            reachable,
            identity,
            date: changelog::release_date(),
            dry_run,
        })
    }
}

/// Steps of history fetched from a shallow clone before giving up and fetching all of it.
const DEEPEN: [u32; 5] = [50, 200, 1000, 5000, 20000];

/// A dry run in a shallow clone that holds no release tag: say what the real run will fetch,
/// and that its plan can differ from this one; fetch nothing. When the real run could not
/// fetch at all (no such remote), stop as it would.
fn warn_if_too_shallow(repo: &Repo, remote: &str, prefix: &str, ui: &Ui) -> Result<()> {
    if !repo.is_shallow()? || !changelog::reachable_release_tags(repo, prefix, "HEAD")?.is_empty() {
        return Ok(());
    }
    let fix = format!(
        "fetch it (`git fetch --unshallow --tags {remote}`) or clone with full history (actions/checkout: fetch-depth: 0), then run the release again"
    );
    if repo.remote_url(remote)?.is_none() {
        bail!(
            "this is a shallow clone and no release tag is reachable in the history it holds; the release would fetch more from {remote}, which is not a remote of this repository; {fix}"
        );
    }
    let steps: Vec<String> = DEEPEN.iter().map(u32::to_string).collect();
    ui.warn(format!(
        "shallow clone: no release tag is reachable in the history this clone holds, and a dry run fetches nothing; the real run first fetches more history and the tags from {remote} (`git fetch --tags --deepen=N {remote}` with N = {}, then `--unshallow`) until the previous release tag is reachable, so its notes and version (with `auto`) can differ from this plan; to see the real plan now, run `git fetch --unshallow --tags {remote}` first",
        steps.join(", ")
    ));
    Ok(())
}

/// In a shallow clone, fetch history until a release tag is reachable from HEAD (or the whole
/// history is there: then this is the first release), or stop saying how to fix it.
pub fn ensure_history(repo: &Repo, remote: &str, prefix: &str, ui: &Ui) -> Result<()> {
    let reachable =
        |repo: &Repo| -> Result<bool> { Ok(!changelog::reachable_release_tags(repo, prefix, "HEAD")?.is_empty()) };
    let fix = format!(
        "fetch it (`git fetch --unshallow --tags {remote}`) or clone with full history (actions/checkout: fetch-depth: 0), then run the release again"
    );
    for depth in DEEPEN.iter().map(Some).chain([None]) {
        if !repo.is_shallow()? || reachable(repo)? {
            return Ok(());
        }
        let fetched = match depth {
            Some(&n) => {
                ui.info(format!("shallow clone: fetching {n} more commits and the tags from {remote} to find the previous release tag"));
                repo.deepen(remote, n)
            }
            None => {
                ui.info(format!("shallow clone: fetching the whole history from {remote}"));
                repo.unshallow(remote)
            }
        };
        fetched.with_context(|| {
            format!("this is a shallow clone and no release tag is reachable in the history it holds; fetching more from {remote} failed; {fix}")
        })?;
    }
    if repo.is_shallow()? && !reachable(repo)? {
        bail!(
            "this is a shallow clone and no release tag became reachable after fetching the history from {remote}; {fix}"
        );
    }
    Ok(())
}
