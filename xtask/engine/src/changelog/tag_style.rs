//! How release tags are spelled: the prefix (`v`, none) and the pre-release spelling
//! (`v1.2.0-rc.1`, `v1.2.0-rc1`, `v0.54.0a1`). Written as `[release] tag-format` says, else as
//! the repository's newest release tag does; the files keep their own spellings either way.

use anyhow::{Result, bail};
use semver::Version;

use super::tags::ReleaseTag;
use crate::config::Form;

/// How a tag spells the pre-release part of a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// SemVer as the version sources spell it (`1.2.0-rc.1`, or `1.2.0-rc1` when they do).
    Semver,
    /// SemVer with the number glued to the label (`1.2.0-rc1`).
    Glued,
    /// PEP 440 (`1.2.0rc1`, `0.54.0a1`).
    Pep440,
}

/// The prefix and spelling of the tags a release writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagStyle {
    pub prefix: String,
    pub spelling: Spelling,
}

/// The placeholders `tag-format` accepts, and the spelling each writes.
const PLACEHOLDERS: [(&str, Spelling); 3] =
    [("{semver}", Spelling::Semver), ("{semver-glued}", Spelling::Glued), ("{pep440}", Spelling::Pep440)];

impl TagStyle {
    /// `tag-format` such as `"v{pep440}"`: a prefix, then one placeholder at the end.
    pub fn parse_format(format: &str) -> Result<TagStyle> {
        for (placeholder, spelling) in PLACEHOLDERS {
            if let Some(prefix) = format.strip_suffix(placeholder)
                && !prefix.contains('{')
            {
                return Ok(TagStyle { prefix: prefix.to_string(), spelling });
            }
        }
        bail!(
            "tag-format {format:?} must be a prefix followed by one of {{semver}}, {{semver-glued}}, {{pep440}} \
             at the end, such as \"v{{semver}}\""
        )
    }

    /// The configured format, else the style of the newest release tag (its prefix; the
    /// pre-release spelling of the newest pre-release tag), else `prefix` with SemVer.
    pub fn resolve(format: Option<&str>, prefix: &str, tags: &[ReleaseTag]) -> Result<TagStyle> {
        if let Some(format) = format {
            return TagStyle::parse_format(format);
        }
        let Some(newest) = tags.last() else {
            return Ok(TagStyle { prefix: prefix.to_string(), spelling: Spelling::Semver });
        };
        let prefix = newest.name[..newest.name.find(|c: char| c.is_ascii_digit()).unwrap_or(0)].to_string();
        let spelling = tags.iter().rev().find(|t| !t.version.pre.is_empty()).map_or(Spelling::Semver, spelling_of);
        Ok(TagStyle { prefix, spelling })
    }

    /// The tag of `version`.
    pub fn name(&self, version: &Version) -> String {
        let text = match self.spelling {
            Spelling::Semver => version.to_string(),
            Spelling::Glued => glued(version),
            Spelling::Pep440 => crate::version::Version::from_semver(version.clone())
                .render(Form::Pep440)
                .unwrap_or_else(|_| version.to_string()),
        };
        format!("{}{text}", self.prefix)
    }
}

/// How a pre-release tag spells its pre-release: PEP 440 without a `-`, glued without a `.`
/// after the label.
fn spelling_of(tag: &ReleaseTag) -> Spelling {
    let digits = tag.name.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
    let text = &tag.name[digits..];
    let core_end = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    match text[core_end..].strip_prefix('-') {
        None => Spelling::Pep440,
        Some(pre) if pre.contains('.') => Spelling::Semver,
        Some(_) => Spelling::Glued,
    }
}

/// `1.2.0-rc.2` as `1.2.0-rc2` (a pre-release of one label and one number; others as they are).
fn glued(version: &Version) -> String {
    let mut core = Version::new(version.major, version.minor, version.patch);
    core.build = version.build.clone();
    let pre = version.pre.as_str();
    let glued = match pre.split_once('.') {
        Some((label, n))
            if !label.is_empty()
                && label.bytes().all(|b| b.is_ascii_alphabetic())
                && n.bytes().all(|b| b.is_ascii_digit()) =>
        {
            format!("{label}{n}")
        }
        _ => pre.to_string(),
    };
    if glued.is_empty() {
        return version.to_string();
    }
    core.pre = semver::Prerelease::new(&glued).unwrap_or_else(|_| version.pre.clone());
    core.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(name: &str) -> ReleaseTag {
        ReleaseTag { name: name.into(), version: super::super::tag_version(name, "v").unwrap(), commit: String::new() }
    }

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn the_newest_tags_decide_prefix_and_spelling() {
        let style =
            |names: &[&str]| TagStyle::resolve(None, "v", &names.iter().map(|n| tag(n)).collect::<Vec<_>>()).unwrap();
        let s0 = style(&["v1.1.0", "v1.2.0-rc1"]);
        assert_eq!((s0.name(&v("1.2.0-rc.2")), s0.name(&v("1.2.0"))), ("v1.2.0-rc2".into(), "v1.2.0".into()));
        let jupyter = style(&["v0.53.0", "v0.54.0a1", "v0.54.0"]);
        assert_eq!(jupyter.name(&v("0.55.0-alpha.1")), "v0.55.0a1");
        assert_eq!(jupyter.name(&v("0.55.0-a1")), "v0.55.0a1");
        let bare = style(&["v0.3.0", "0.4.0"]);
        assert_eq!(bare.name(&v("0.5.0")), "0.5.0");
        let dotted = style(&["v1.0.0-rc.1", "v1.0.0"]);
        assert_eq!(dotted.name(&v("1.1.0-beta.1")), "v1.1.0-beta.1");
        assert_eq!(style(&[]).name(&v("1.0.0-rc.1")), "v1.0.0-rc.1");
    }

    #[test]
    fn a_configured_format_wins_and_a_bad_one_says_what_is_accepted() {
        let tags = [tag("v1.0.0-rc.1")];
        let style = TagStyle::resolve(Some("v{pep440}"), "v", &tags).unwrap();
        assert_eq!(style.name(&v("1.2.0-rc.1")), "v1.2.0rc1");
        let style = TagStyle::resolve(Some("{semver-glued}"), "v", &tags).unwrap();
        assert_eq!(style.name(&v("1.2.0-beta.3")), "1.2.0-beta3");
        assert_eq!(TagStyle::parse_format("v{semver}").unwrap().name(&v("1.2.0-rc1")), "v1.2.0-rc1");
        for bad in ["v", "{semver}-x", "v{calver}", "{pep440}{semver}"] {
            let err = TagStyle::parse_format(bad).unwrap_err().to_string();
            assert!(err.contains("{semver-glued}"), "{bad}: {err}");
        }
    }
}
