//! Conventional Commits: parsing one message, reading a range of history, and the bump rules.
//!
//! The header is `type(scope)!: description` (type case-insensitive, spaces tolerated around
//! the parts); breaking changes come from `!` or a `BREAKING CHANGE:` / `BREAKING-CHANGE:` /
//! `BREAKING CHANGES:` footer; reverts are `revert: ...` or git's `Revert "..."`. Anything else
//! is kept as a non-conventional commit (type `""`), never dropped.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use anyhow::Result;
use memchr::memmem;

use crate::repo::Repo;
use crate::repo::history::LogRecord;

/// One commit of the history, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Commit {
    pub hash: String,
    /// The first 7 hex digits of the hash (as conventional-changelog and git-cliff show it).
    pub short: String,
    /// The Conventional Commits type, lowercase; `""` when the header is not conventional.
    pub kind: String,
    pub scope: Option<String>,
    pub breaking: bool,
    /// The header's description (the whole header when not conventional).
    pub description: String,
    /// Everything after the header, without the surrounding blank lines.
    pub body: String,
    /// The text of each `BREAKING CHANGE:` footer (a `!` alone adds none).
    pub breaking_notes: Vec<String>,
    /// `revert:` or git's `Revert "..."`.
    pub revert: bool,
    /// The author's name, after `.mailmap`.
    pub author: String,
    /// Committer time, seconds since the epoch.
    pub time: i64,
}

/// How far a set of commits moves the version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bump {
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// The non-merge commits of `from..to` (all of `to` without `from`), newest first: one
/// `git log`, parsed here.
pub fn commits(repo: &Repo, from: Option<&str>, to: &str) -> Result<Vec<Commit>> {
    let mut out = Vec::new();
    repo.log_each(from, to, |record| {
        out.push(Commit::from_record(record));
        Ok(())
    })?;
    Ok(out)
}

/// The release a set of commits calls for: a breaking change is major, `feat` minor,
/// `fix`/`perf`/`refactor`/`revert` patch, anything else nothing. A commit reverted inside the
/// same set counts for nothing, and neither does its revert. (While the major version is 0 the
/// caller turns major into minor.)
pub fn bump(commits: &[Commit]) -> Option<Bump> {
    effective(commits).filter_map(Commit::bump).max()
}

impl Commit {
    /// Parse a raw message (`%B`) with the commit's identity.
    pub fn parse(hash: &str, short: &str, author: &str, time: i64, message: &str) -> Commit {
        let message = message.trim_ascii_start();
        let (header, rest) = match memchr::memchr(b'\n', message.as_bytes()) {
            Some(nl) => (&message[..nl], &message[nl + 1..]),
            None => (message, ""),
        };
        let header = header.trim_ascii();
        let body = rest.trim_start_matches(['\n', '\r']).trim_ascii_end();
        let mut commit = Commit {
            hash: hash.to_string(),
            short: short.to_string(),
            author: author.to_string(),
            time,
            body: body.to_string(),
            ..Commit::default()
        };
        if let Some(inner) = git_revert_subject(header, "Revert") {
            commit.kind = "revert".into();
            commit.revert = true;
            commit.description = inner.to_string();
        } else if let Some(h) = parse_header(git_revert_subject(header, "Reapply").unwrap_or(header)) {
            commit.kind = h.kind.to_ascii_lowercase();
            commit.scope = h.scope.map(str::to_string);
            commit.breaking = h.bang;
            commit.description = h.description.to_string();
            commit.revert = commit.kind == "revert";
        } else {
            commit.description = header.to_string();
        }
        let (footer, notes) = breaking_footers(body);
        commit.breaking |= footer;
        commit.breaking_notes = notes;
        commit
    }

    pub(crate) fn from_record(r: LogRecord<'_>) -> Commit {
        Commit::parse(r.hash, r.short, r.author, r.time, r.message)
    }

    /// Written as a Conventional Commit.
    pub fn is_conventional(&self) -> bool {
        !self.kind.is_empty()
    }

    /// A commit the tool made itself: `chore(release): v1.2.3` from `release`, and a rollback's
    /// commit, which has the same header. Release notes never list one.
    pub fn is_release(&self) -> bool {
        self.kind == "chore" && self.scope.as_deref() == Some("release") && !self.breaking
    }

    /// This commit's own bump, ignoring every other commit.
    pub fn bump(&self) -> Option<Bump> {
        if self.breaking {
            return Some(Bump::Major);
        }
        match self.kind.as_str() {
            "feat" => Some(Bump::Minor),
            "fix" | "perf" | "refactor" | "revert" => Some(Bump::Patch),
            _ if self.revert => Some(Bump::Patch),
            _ => None,
        }
    }

    /// The commit a revert undoes, from git's `This reverts commit HASH.` line.
    pub fn reverted_hash(&self) -> Option<&str> {
        if !self.revert {
            return None;
        }
        let at = memchr::memmem::find(self.body.as_bytes(), b"This reverts commit ")?;
        let rest = &self.body[at + "This reverts commit ".len()..];
        let len = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
        (len >= MIN_ABBREV).then(|| &rest[..len])
    }
}

/// The commits that count: a revert whose target is older in the same set cancels out with it
/// (matched by git's `This reverts commit` hash, else by the reverted header). One pass,
/// newest first, so a revert is always seen before what it reverts.
pub fn effective(commits: &[Commit]) -> impl Iterator<Item = &Commit> {
    let mut cancelled = vec![false; commits.len()];
    if commits.iter().any(|c| c.revert) {
        let mut by_hash: HashMap<&str, Vec<(usize, &str)>> = HashMap::new();
        let mut by_header: HashMap<HeaderKey<'_>, Vec<usize>> = HashMap::new();
        // Most commits are nobody's target: a bit test spares hashing their text.
        let (mut hashes, mut headers) = (Filter::new(), Filter::new());
        for (i, commit) in commits.iter().enumerate() {
            let key = hash_key(&commit.hash);
            if hashes.may_contain(key)
                && let Some(pending) = by_hash.get_mut(key)
                && let Some(at) = pending.iter().position(|(_, h)| commit.hash.starts_with(h))
            {
                let (revert, _) = pending.remove(at);
                cancelled[revert] = true;
                cancelled[i] = true;
                continue;
            }
            if headers.may_contain(&commit.description) {
                let key = (Cow::Borrowed(commit.kind.as_str()), commit.scope.as_deref(), commit.description.as_str());
                if let Some(revert) = by_header.get_mut(&key).and_then(Vec::pop) {
                    cancelled[revert] = true;
                    cancelled[i] = true;
                    continue;
                }
            }
            if !commit.revert {
                continue;
            }
            match commit.reverted_hash() {
                Some(hash) => {
                    hashes.insert(hash_key(hash));
                    by_hash.entry(hash_key(hash)).or_default().push((i, hash));
                }
                None => {
                    let target = match parse_header(&commit.description) {
                        Some(h) => (Cow::Owned(h.kind.to_ascii_lowercase()), h.scope, h.description),
                        None => (Cow::Borrowed(""), None, commit.description.as_str()),
                    };
                    headers.insert(target.2);
                    by_header.entry(target).or_default().push(i);
                }
            }
        }
    }
    commits.iter().zip(cancelled).filter(|(_, gone)| !gone).map(|(c, _)| c)
}

/// A 65,536-bit Bloom-style filter over a cheap signature of a text (length, first, middle
/// and last byte): no false negatives, few false positives for a few hundred entries.
struct Filter(Vec<u64>);

impl Filter {
    fn new() -> Filter {
        Filter(vec![0; 1024])
    }

    fn signature(text: &str) -> usize {
        let b = text.as_bytes();
        let Some(&first) = b.first() else { return 0 };
        let (mid, last) = (b[b.len() / 2] as usize, b[b.len() - 1] as usize);
        (b.len().wrapping_mul(131) ^ (first as usize).wrapping_mul(31) ^ mid.wrapping_mul(7919) ^ (last << 5)) & 0xFFFF
    }

    fn insert(&mut self, text: &str) {
        let sig = Filter::signature(text);
        self.0[sig >> 6] |= 1 << (sig & 63);
    }

    fn may_contain(&self, text: &str) -> bool {
        let sig = Filter::signature(text);
        self.0[sig >> 6] & (1 << (sig & 63)) != 0
    }
}

/// Type (lowercase), scope and description: what a `revert: HEADER` names.
type HeaderKey<'a> = (Cow<'a, str>, Option<&'a str>, &'a str);

/// The part of a hash that every abbreviation `reverted_hash` accepts shares.
fn hash_key(hash: &str) -> &str {
    &hash[..hash.len().min(MIN_ABBREV)]
}

const MIN_ABBREV: usize = 7;

struct Header<'a> {
    kind: &'a str,
    scope: Option<&'a str>,
    bang: bool,
    description: &'a str,
}

/// `type(scope)!: description`, tolerating spaces between the parts; `None` when the header
/// is not conventional (no type word, no colon, or an empty description).
fn parse_header(header: &str) -> Option<Header<'_>> {
    // Plain byte loops: this runs once per commit, and `cargo xtask` is a debug build.
    let bytes = header.as_bytes();
    let mut i = 0;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-' || bytes[i] == b'_') {
        i += 1;
    }
    if i == 0 || !bytes[0].is_ascii_alphabetic() {
        return None;
    }
    let kind = &header[..i];
    i = skip_spaces(bytes, i);
    let mut scope = None;
    if bytes.get(i) == Some(&b'(') {
        let close = i + 1 + memchr::memchr(b')', &bytes[i + 1..])?;
        let inner = header[i + 1..close].trim();
        if inner.contains('(') {
            return None;
        }
        scope = (!inner.is_empty()).then_some(inner);
        i = skip_spaces(bytes, close + 1);
    }
    let bang = bytes.get(i) == Some(&b'!');
    if bang {
        i = skip_spaces(bytes, i + 1);
    }
    if bytes.get(i) != Some(&b':') {
        return None;
    }
    let description = header[i + 1..].trim_ascii();
    if description.is_empty() {
        return None;
    }
    Some(Header { kind, scope, bang, description })
}

fn skip_spaces(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    i
}

/// The quoted subject of git's `Revert "subject"` (or `Reapply "subject"`) header.
fn git_revert_subject<'a>(header: &'a str, word: &str) -> Option<&'a str> {
    let inner = header.strip_prefix(word)?.strip_prefix(" \"")?.strip_suffix('"')?;
    (!inner.trim().is_empty()).then_some(inner)
}

const BREAKING_KEYS: [&str; 3] = ["BREAKING CHANGE:", "BREAKING-CHANGE:", "BREAKING CHANGES:"];

/// Whether the body has a breaking-change footer, and the text of each: the rest of its line
/// and the lines that follow up to a blank line or the next trailer, joined with spaces.
fn breaking_footers(body: &str) -> (bool, Vec<String>) {
    let mut found = false;
    let mut notes = Vec::new();
    static BREAKING: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new("BREAKING"));
    if BREAKING.find(body.as_bytes()).is_none() {
        return (found, notes);
    }
    let mut lines = body.lines().map(str::trim_end).peekable();
    while let Some(line) = lines.next() {
        let Some(text) = BREAKING_KEYS.iter().find_map(|key| line.strip_prefix(key)) else {
            continue;
        };
        found = true;
        let mut note = text.trim().to_string();
        while let Some(next) = lines.peek() {
            if next.trim().is_empty() || is_trailer(next) || BREAKING_KEYS.iter().any(|k| next.starts_with(k)) {
                break;
            }
            if !note.is_empty() {
                note.push(' ');
            }
            note.push_str(next.trim());
            lines.next();
        }
        if !note.is_empty() {
            notes.push(note);
        }
    }
    (found, notes)
}

/// A git trailer line: `Token: value` or `Token #value`, the token without spaces.
fn is_trailer(line: &str) -> bool {
    let token_len = line.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'-').count();
    token_len > 0 && (line[token_len..].starts_with(": ") || line[token_len..].starts_with(" #"))
}

#[cfg(test)]
#[path = "conventional_tests.rs"]
mod tests;
