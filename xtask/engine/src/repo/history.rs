//! History reads for changelogs and releases: the one streamed `git log` and the tag listing.
//!
//! `log_each` runs a single `git log -z` and hands every commit to a callback as borrowed
//! slices of one reused buffer while git is still writing, so parsing overlaps git's own work
//! and no per-commit git process is ever spawned.

use std::borrow::Cow;
use std::io::Read;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use super::Repo;

/// One commit as `git log` printed it (borrowed from the read buffer).
#[derive(Debug, Clone, Copy)]
pub struct LogRecord<'a> {
    pub hash: &'a str,
    /// The first 7 hex digits of the hash, as conventional-changelog and git-cliff print it.
    pub short: &'a str,
    /// Committer time, seconds since the epoch.
    pub time: i64,
    /// Author name after `.mailmap` (`%aN`).
    pub author: &'a str,
    /// The raw message (`%B`): subject, blank line, body, trailers.
    pub message: &'a str,
    /// A boundary commit (only from [`Repo::log_each_with_boundary`]): outside the range, the
    /// parent of a commit listed in it.
    pub boundary: bool,
}

/// A tag and the commit it points at (annotated tags peeled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRef {
    pub name: String,
    pub commit: String,
    /// The tagger date of an annotated tag, the commit date of a lightweight one.
    pub time: i64,
}

/// The tags of a repository: every name (in git's order), and those that point at commits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagListing {
    pub names: Vec<String>,
    pub refs: Vec<TagRef>,
}

/// The boundary mark, hash, committer time and author on their own lines (none can hold a
/// newline), then the raw message; `-z` ends every record with a NUL, which a message cannot
/// contain. No `%h`: a unique abbreviation costs git an object lookup per commit (10% of the
/// whole log).
const LOG_FORMAT: &str = "--format=%m%n%H%n%ct%n%aN%n%B";
/// The length of `LogRecord::short`.
const SHORT_HASH: usize = 7;
/// A pipe hands over at most 64 KiB per read on Linux.
const READ_CHUNK: usize = 64 * 1024;

impl Repo {
    /// Every non-merge commit of `from..to` (or all of `to`), newest first, through `each`.
    /// One `git log` process, read as it writes.
    pub fn log_each(&self, from: Option<&str>, to: &str, each: impl FnMut(LogRecord<'_>) -> Result<()>) -> Result<()> {
        self.log_walk(from, to, false, each)
    }

    /// [`Repo::log_each`], followed by the boundary commits (`--boundary`): the excluded
    /// parents of the commits listed, and the merges `--no-merges` left out. A `from` among
    /// them is proof that `to` reaches it, at no extra cost.
    pub fn log_each_with_boundary(
        &self,
        from: &str,
        to: &str,
        each: impl FnMut(LogRecord<'_>) -> Result<()>,
    ) -> Result<()> {
        self.log_walk(Some(from), to, true, each)
    }

    fn log_walk(
        &self,
        from: Option<&str>,
        to: &str,
        boundary: bool,
        mut each: impl FnMut(LogRecord<'_>) -> Result<()>,
    ) -> Result<()> {
        let range = match from {
            Some(from) => format!("{from}..{to}"),
            None => to.to_string(),
        };
        let mut args =
            vec!["-c", "log.showSignature=false", "log", "-z", "--no-merges", "--no-color", "--encoding=UTF-8"];
        args.extend([LOG_FORMAT].into_iter().chain(boundary.then_some("--boundary")));
        args.extend(["--end-of-options", &range]);
        crate::output::trace_command(self.root(), self.root(), "git", &args);
        let mut child = Command::new("git")
            .current_dir(self.root())
            .args(&args)
            .env("GIT_TERMINAL_PROMPT", "0")
            // Into a pipe git flushes after every commit (48,000 tiny writes and as many wake-ups
            // here); fully buffered output is what it does into a file.
            .env("GIT_FLUSH", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("cannot run `git`: is git installed and on PATH? (apt-get install git)")?;
        let mut stdout = child.stdout.take().expect("stdout is piped");
        // Reads land in `chunk` (zeroed once) and are appended to `buf`, which holds at most
        // one incomplete record between reads.
        let mut chunk = vec![0u8; READ_CHUNK];
        let mut buf: Vec<u8> = Vec::with_capacity(READ_CHUNK * 2);
        let mut parsed = Ok(());
        loop {
            let n = match stdout.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(e).context("cannot read the output of `git log`");
                }
            };
            let filled = buf.len();
            buf.extend_from_slice(&chunk[..n]);
            // Hand over every complete record; keep the incomplete tail for the next read.
            if let Some(last) = memchr::memrchr(0, &buf[filled..]).map(|i| filled + i) {
                parsed = for_each_record(&buf[..=last], &mut each);
                buf.drain(..=last);
                if parsed.is_err() {
                    let _ = child.kill();
                    break;
                }
            }
        }
        drop(stdout);
        let mut stderr = String::new();
        if let Some(mut err) = child.stderr.take() {
            let _ = err.read_to_string(&mut stderr);
        }
        let status = child.wait().context("`git log` did not finish")?;
        parsed?;
        if !status.success() {
            bail!("`git log {range}` failed: {}", stderr.trim());
        }
        if !buf.is_empty() {
            bail!("`git log {range}` ended in the middle of a commit record");
        }
        Ok(())
    }

    /// The hashes of the non-merge commits of `from..to` (all of `to` without `from`) that
    /// touch `pathspecs` (git pathspecs, such as `:(top)app` and `:(top,exclude)app/vendor`).
    pub fn commits_touching(
        &self,
        from: Option<&str>,
        to: &str,
        pathspecs: &[String],
    ) -> Result<std::collections::HashSet<String>> {
        let range = match from {
            Some(from) => format!("{from}..{to}"),
            None => to.to_string(),
        };
        let mut args: Vec<String> =
            ["log", "--no-merges", "--format=%H", "--end-of-options", &range, "--"].map(String::from).to_vec();
        args.extend(pathspecs.iter().cloned());
        Ok(self.git(&args)?.lines().map(str::to_string).collect())
    }

    /// Tags under `refs/tags/` with the commit each points at; with `merged`, only the tags
    /// whose commit is reachable from that revision. Tags of trees or blobs are left out.
    pub fn tag_refs(&self, merged: Option<&str>) -> Result<Vec<TagRef>> {
        Ok(self.tag_listing(merged)?.refs)
    }

    /// Every tag as this process first asked for them (or last fetched them), read once: for
    /// the planning of a run, which looks at the tags from several places (the tag style, the
    /// release tags, whether the new tag exists) before anything is written; what a run checks
    /// just before it writes, it asks git again.
    pub fn tags_at_start(&self) -> Result<std::sync::Arc<TagListing>> {
        let mut kept = self.tags_at_start.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(listing) = kept.as_ref() {
            return Ok(listing.clone());
        }
        let listing = std::sync::Arc::new(self.tag_listing(None)?);
        *kept = Some(listing.clone());
        Ok(listing)
    }

    /// The tags changed (a fetch): [`Repo::tags_at_start`] reads them again.
    pub(super) fn forget_tags(&self) {
        *self.tags_at_start.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.forget_prefetched();
    }

    fn tag_listing(&self, merged: Option<&str>) -> Result<TagListing> {
        let out = self.git(tag_listing_args(merged))?;
        let mut listing = TagListing::default();
        for line in out.lines() {
            let fields: Vec<&str> = line.split('\0').collect();
            let [name, kind, object, peeled_kind, peeled, time] = fields[..] else {
                continue;
            };
            listing.names.push(name.to_string());
            let commit = match (kind, peeled_kind) {
                ("commit", _) => object,
                ("tag", "commit") => peeled,
                _ => continue,
            };
            listing.refs.push(TagRef {
                name: name.to_string(),
                commit: commit.to_string(),
                time: time.parse().unwrap_or(0),
            });
        }
        Ok(listing)
    }

    /// `ancestor` is reachable from `descendant` (or is the same commit).
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool> {
        let out = self.git_raw(["merge-base", "--is-ancestor", ancestor, descendant], None)?;
        match out.status.code() {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => bail!(
                "`git merge-base --is-ancestor {ancestor} {descendant}` failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        }
    }

    /// The clone is shallow: history below the graft point is missing. At the top of an
    /// ordinary work tree that is the file `.git/shallow`; elsewhere git is asked.
    pub fn is_shallow(&self) -> Result<bool> {
        let dot_git = self.path(".git");
        if dot_git.is_dir() {
            return Ok(dot_git.join("shallow").is_file());
        }
        Ok(self.git(["rev-parse", "--is-shallow-repository"])?.trim() == "true")
    }

    /// The commits of a shallow clone whose parents were not fetched (git's `shallow` file);
    /// empty for a full clone.
    pub fn shallow_grafts(&self) -> Result<Vec<String>> {
        let file = self.git(["rev-parse", "--git-path", "shallow"])?;
        let file = self.path(file.trim());
        match std::fs::read_to_string(&file) {
            Ok(text) => Ok(text.split_whitespace().map(str::to_string).collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e).with_context(|| format!("{}: cannot read", file.display())),
        }
    }
}

/// Split NUL-ended records and parse the five header lines of each.
fn for_each_record(bytes: &[u8], each: &mut impl FnMut(LogRecord<'_>) -> Result<()>) -> Result<()> {
    let mut start = 0;
    for end in memchr::memchr_iter(0, bytes) {
        let raw = &bytes[start..end];
        start = end + 1;
        // git separates records with NUL and may put a newline before the next one.
        let raw = raw.strip_prefix(b"\n").unwrap_or(raw);
        if raw.is_empty() {
            continue;
        }
        let text = match std::str::from_utf8(raw) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(raw),
        };
        let record = parse_record(&text).with_context(|| {
            format!("cannot read a commit record of `git log`: {:?}", text.chars().take(80).collect::<String>())
        })?;
        each(record)?;
    }
    Ok(())
}

fn parse_record(text: &str) -> Option<LogRecord<'_>> {
    let mut rest = text;
    let mut field = || {
        let nl = memchr::memchr(b'\n', rest.as_bytes())?;
        let value = &rest[..nl];
        rest = &rest[nl + 1..];
        Some(value)
    };
    let boundary = field()? == "-";
    let hash = field()?;
    let short = hash.get(..SHORT_HASH).unwrap_or(hash);
    let time = field()?.parse().ok()?;
    let author = field()?;
    Some(LogRecord { hash, short, time, author, message: rest, boundary })
}

/// The `git for-each-ref` of [`Repo::tag_refs`] (tags whose commit `merged` reaches, or all).
pub(super) fn tag_listing_args(merged: Option<&str>) -> Vec<String> {
    let format = "--format=%(refname:lstrip=2)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)%00%(creatordate:unix)";
    let mut args = vec!["for-each-ref".to_string(), format.to_string()];
    if let Some(rev) = merged {
        args.push(format!("--merged={rev}"));
    }
    args.push("refs/tags/".to_string());
    args
}
