//! Release tags: `PREFIX<version>` tags read as SemVer (PEP 440 spellings normalised), in
//! precedence order; every other tag is ignored.

use anyhow::Result;
use semver::{Prerelease, Version};

use crate::repo::Repo;
use crate::repo::history::TagRef;

/// A tag that names a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseTag {
    pub name: String,
    pub version: semver::Version,
    /// The commit the tag points at (annotated tags peeled).
    pub commit: String,
}

/// Every release tag of the repository, ascending by SemVer precedence.
pub fn release_tags(repo: &Repo, prefix: &str) -> Result<Vec<ReleaseTag>> {
    Ok(from_refs(&repo.tag_refs(None)?, prefix))
}

/// The release tags whose commit is reachable from `rev`, ascending by precedence.
pub fn reachable_release_tags(repo: &Repo, prefix: &str, rev: &str) -> Result<Vec<ReleaseTag>> {
    Ok(from_refs(&repo.tag_refs(Some(rev))?, prefix))
}

/// The release a range of notes starts after: the newest release tag by precedence whose
/// commit `rev` reaches, other than `rev` itself when `exclude_rev`. With `below`, only
/// versions lower than it, and only final releases when `below` is final (the notes of a GA
/// cover its release candidates too). Checks the candidates newest first, one
/// `git merge-base --is-ancestor` each, so the usual case costs one short walk.
pub fn previous_release(
    repo: &Repo,
    tags: &[ReleaseTag],
    rev: &str,
    exclude_rev: bool,
    below: Option<&Version>,
) -> Result<Option<ReleaseTag>> {
    for tag in tags.iter().rev() {
        if exclude_rev && tag.commit == rev {
            continue;
        }
        if let Some(v) = below
            && !(tag.version.cmp_precedence(v).is_lt() && (!v.pre.is_empty() || tag.version.pre.is_empty()))
        {
            continue;
        }
        if tag.commit == rev || repo.is_ancestor(&tag.commit, rev)? {
            return Ok(Some(tag.clone()));
        }
    }
    Ok(None)
}

/// The release tags among `refs`, ascending by precedence (ties by name, so the order is total).
pub fn from_refs(refs: &[TagRef], prefix: &str) -> Vec<ReleaseTag> {
    let mut tags: Vec<ReleaseTag> = refs
        .iter()
        .filter_map(|r| {
            Some(ReleaseTag { name: r.name.clone(), version: tag_version(&r.name, prefix)?, commit: r.commit.clone() })
        })
        .collect();
    tags.sort_by(|a, b| a.version.cmp_precedence(&b.version).then_with(|| a.name.cmp(&b.name)));
    tags
}

/// The version a tag names, when it is `prefix` followed by a SemVer or a PEP 440 release
/// (`1.2.0rc1`, `1.2.0b2`, `1.2.0.a1`, `1.2.0-rc1`: normalised to `1.2.0-rc.1`,
/// `1.2.0-beta.2`, ..., so pre-release numbers compare as numbers).
/// With the prefix `v` or none, a tag spelled the other way (`0.4.0`, `v1.2.0`) is read too:
/// older releases of many projects are spelled so. A custom prefix (`app-v`) stays strict.
pub fn tag_version(name: &str, prefix: &str) -> Option<Version> {
    let text = name
        .strip_prefix(prefix)
        .filter(|t| t.starts_with(|c: char| c.is_ascii_digit()))
        .or_else(|| ["", "v", "V"].contains(&prefix).then(|| name.strip_prefix(['v', 'V']).unwrap_or(name)))?;
    // PEP 440 first, so that `1.2.0-rc10` (valid SemVer, but ordered as text) becomes `rc.10`.
    pep440_release(text).or_else(|| Version::parse(text).ok())
}

/// `X.Y.Z` followed by an optional `a|alpha|b|beta|c|rc|pre|preview` pre-release with an
/// optional number, separators `.`, `-`, `_` allowed (PEP 440 normalisation rules).
fn pep440_release(text: &str) -> Option<Version> {
    let lower = text.to_ascii_lowercase();
    let digits_end = lower.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(lower.len());
    let (release, pre) = lower.split_at(digits_end);
    let release = release.strip_suffix('.').unwrap_or(release);
    let mut parts = release.split('.');
    let mut number = || -> Option<u64> {
        let part = parts.next()?;
        (!part.is_empty()).then(|| part.parse().ok()).flatten()
    };
    let (major, minor, patch) = (number()?, number()?, number()?);
    if parts.next().is_some() {
        return None;
    }
    let mut version = Version::new(major, minor, patch);
    if pre.is_empty() {
        return (!text.ends_with('.')).then_some(version);
    }
    let pre = pre.trim_start_matches(['-', '_', '.']);
    let label_len = pre.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(pre.len());
    let label = match &pre[..label_len] {
        "a" | "alpha" => "alpha",
        "b" | "beta" => "beta",
        "c" | "rc" | "pre" | "preview" => "rc",
        _ => return None,
    };
    let num = pre[label_len..].trim_start_matches(['-', '_', '.']);
    let num: u64 = if num.is_empty() { 0 } else { num.parse().ok()? };
    version.pre = Prerelease::new(&format!("{label}.{num}")).ok()?;
    Some(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(name: &str) -> TagRef {
        TagRef { name: name.into(), commit: format!("c-{name}"), time: 0 }
    }

    #[test]
    fn semver_and_pep440_spellings_are_release_tags() {
        let cases = [
            ("v1.2.3", "1.2.3"),
            ("v1.2.3-rc.1", "1.2.3-rc.1"),
            ("v1.2.0rc1", "1.2.0-rc.1"),
            ("v1.2.0RC10", "1.2.0-rc.10"),
            ("v1.2.0a1", "1.2.0-alpha.1"),
            ("v1.2.0.b2", "1.2.0-beta.2"),
            ("v1.2.0-beta3", "1.2.0-beta.3"),
            ("v1.2.0c1", "1.2.0-rc.1"),
            ("v1.2.0rc", "1.2.0-rc.0"),
            ("v1.2.3+build.5", "1.2.3+build.5"),
            ("v1.2.3-rc.1.2", "1.2.3-rc.1.2"),
            ("v1.2.3-nightly", "1.2.3-nightly"),
        ];
        for (tag, want) in cases {
            assert_eq!(tag_version(tag, "v").map(|v| v.to_string()).as_deref(), Some(want), "{tag}");
        }
    }

    #[test]
    fn other_tags_are_ignored() {
        for tag in ["v1.2", "vNext", "v1.2.3.4", "v1.2.0.post1", "v1.2.0.dev3", "release-1", "v1.2.3.", "v"] {
            assert_eq!(tag_version(tag, "v"), None, "{tag}");
        }
        assert_eq!(tag_version("1.2.3", "").map(|v| v.to_string()).as_deref(), Some("1.2.3"));
        // Without the prefix, or with a `v` when the prefix is another: still a release.
        assert_eq!(tag_version("0.4.0", "v").map(|v| v.to_string()).as_deref(), Some("0.4.0"));
        assert_eq!(tag_version("v0.54.0a1", "").map(|v| v.to_string()).as_deref(), Some("0.54.0-alpha.1"));
        assert_eq!(tag_version("v2.0.0", "app-v"), None);
        assert_eq!(tag_version("app-v2.0.0", "app-v").map(|v| v.major), Some(2));
    }

    #[test]
    fn sorted_by_precedence_not_by_name() {
        let refs = [
            r("v1.10.0"),
            r("v1.2.0"),
            r("v1.2.0-rc.10"),
            r("v1.2.0-rc.9"),
            r("v1.2.0rc2"),
            r("v1.2.0-rc11"),
            r("nightly"),
            r("v0.9.0"),
        ];
        let names: Vec<String> = from_refs(&refs, "v").into_iter().map(|t| t.name).collect();
        assert_eq!(names, ["v0.9.0", "v1.2.0rc2", "v1.2.0-rc.9", "v1.2.0-rc.10", "v1.2.0-rc11", "v1.2.0", "v1.10.0"]);
    }

    #[test]
    fn the_commit_comes_from_the_ref() {
        let tags = from_refs(&[r("v1.0.0")], "v");
        assert_eq!(tags[0].commit, "c-v1.0.0");
        assert_eq!(tags[0].version, Version::new(1, 0, 0));
    }
}
