//! The canonical version (SemVer 2.0.0) and its two written forms: SemVer and PEP 440.
//!
//! Reading accepts either spelling (`1.2.0-rc.1`, `1.2.0rc1`, `1.2.0.rc1`, `v1.2.0-rc1`) and
//! normalises it; writing renders the form a file's ecosystem expects. A PEP 440 version with
//! no SemVer equivalent (epoch, post-release, dev release, local label, not three numbers) is
//! an error that names the part, and so is a SemVer pre-release label that PEP 440 cannot hold.

use std::cmp::Ordering;
use std::fmt;
use std::sync::LazyLock;

use anyhow::{Result, bail};
use regex::Regex;

use crate::config::Form;

/// A version of the project: SemVer 2.0.0, ordered by SemVer precedence (numeric pre-release
/// identifiers compare as numbers, so `rc.10` is newer than `rc.9`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Version(semver::Version);

/// A PEP 440 pre-release written in one piece: `rc1`, `.rc1`, `-rc.1`, `a1`, `b2`, `c3`.
static PEP440_PRE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u)^(\d+)\.(\d+)\.(\d+)[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\d+)$").expect("valid regex")
});

/// The whole PEP 440 grammar (appendix B of the PEP), to explain what a version holds.
static PEP440: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix-u)^
        (?:(?P<epoch>\d+)!)?
        (?P<release>\d+(?:\.\d+)*)
        (?:[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>\d+)?)?
        (?P<post>-\d+|[-_.]?(?:post|rev|r)[-_.]?\d*)?
        (?P<dev>[-_.]?dev[-_.]?\d*)?
        (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
        $",
    )
    .expect("valid regex")
});

impl Version {
    /// Parse a version written in SemVer or PEP 440 form, with or without a leading `v`.
    pub fn parse(input: &str) -> Result<Version> {
        let trimmed = input.trim();
        let text = trimmed.strip_prefix(['v', 'V']).unwrap_or(trimmed);
        if text.is_empty() {
            bail!("{input:?} is not a version: it is empty; write one such as 1.2.3");
        }
        if let Some(c) = PEP440_PRE.captures(text) {
            return Version::from_parts(&c[1], &c[2], &c[3], Some((&c[4], &c[5])), input);
        }
        let semver_error = match semver::Version::parse(text) {
            Ok(v) => return Ok(Version(v)),
            Err(e) => e,
        };
        let Some(c) = PEP440.captures(text) else {
            bail!(
                "{input:?} is not a version ({semver_error}); write SemVer such as 1.2.3 or 1.2.3-rc.1, \
                 or PEP 440 such as 1.2.3rc1"
            );
        };
        let no_equivalent = |what: String| {
            anyhow::anyhow!(
                "{input:?} is a PEP 440 version with {what}, which has no SemVer equivalent; \
                 use X.Y.Z with an optional alpha, beta or rc pre-release (1.2.3rc1)"
            )
        };
        if let Some(epoch) = c.name("epoch") {
            return Err(no_equivalent(format!("an epoch ({}!)", epoch.as_str())));
        }
        if let Some(post) = c.name("post") {
            return Err(no_equivalent(format!("a post-release ({})", post.as_str())));
        }
        if let Some(dev) = c.name("dev") {
            return Err(no_equivalent(format!("a dev release ({})", dev.as_str())));
        }
        if let Some(local) = c.name("local") {
            return Err(no_equivalent(format!("a local label (+{})", local.as_str())));
        }
        let release: Vec<&str> = c["release"].split('.').collect();
        if release.len() != 3 {
            let padded = release.iter().copied().chain(["0", "0"]).take(3).collect::<Vec<_>>().join(".");
            bail!(
                "{input:?} has {} release numbers; a version needs exactly three (major.minor.patch), \
                 such as {padded}",
                release.len()
            );
        }
        let pre = c.name("pre_l").map(|l| (l.as_str(), c.name("pre_n").map_or("0", |n| n.as_str())));
        Version::from_parts(release[0], release[1], release[2], pre, input)
    }

    /// Build from decimal parts and an optional PEP 440 pre-release (label spelling, number).
    fn from_parts(major: &str, minor: &str, patch: &str, pre: Option<(&str, &str)>, input: &str) -> Result<Version> {
        let number = |s: &str| -> Result<u64> {
            s.parse().map_err(|_| anyhow::anyhow!("{input:?}: the number {s} is too large for a version"))
        };
        let mut v = semver::Version::new(number(major)?, number(minor)?, number(patch)?);
        if let Some((label, n)) = pre {
            let label = match label.to_ascii_lowercase().as_str() {
                "a" | "alpha" => "alpha",
                "b" | "beta" => "beta",
                _ => "rc", // c, rc, pre, preview: PEP 440 spells them all rc
            };
            let pre = format!("{label}.{}", number(n)?);
            v.pre = semver::Prerelease::new(&pre).expect("label.number is a valid pre-release");
        }
        Ok(Version(v))
    }

    pub fn from_semver(v: semver::Version) -> Version {
        Version(v)
    }

    pub fn semver(&self) -> &semver::Version {
        &self.0
    }

    pub fn is_prerelease(&self) -> bool {
        !self.0.pre.is_empty()
    }

    /// `("rc", 10)` for `1.2.0-rc.10`; `None` for a final version or a pre-release that is not
    /// one label and one number.
    pub fn pre_label_number(&self) -> Option<(&str, u64)> {
        let (label, number) = self.0.pre.as_str().split_once('.')?;
        if label.is_empty() || !label.bytes().all(|b| b.is_ascii_alphabetic()) {
            return None;
        }
        Some((label, number.parse().ok()?))
    }

    /// The version as a file of the given form spells it.
    pub fn render(&self, form: Form) -> Result<String> {
        match form {
            Form::Semver => Ok(self.0.to_string()),
            Form::Pep440 => self.pep440(),
        }
    }

    fn pep440(&self) -> Result<String> {
        let v = &self.0;
        if !v.build.is_empty() {
            bail!(
                "{self} has build metadata (+{}), which PEP 440 cannot hold (its local versions are \
                 refused by package indexes); drop the +{} part",
                v.build,
                v.build
            );
        }
        let base = format!("{}.{}.{}", v.major, v.minor, v.patch);
        if v.pre.is_empty() {
            return Ok(base);
        }
        let short = match self.pre_label_number() {
            Some(("alpha", n)) => format!("a{n}"),
            Some(("beta", n)) => format!("b{n}"),
            Some(("rc", n)) => format!("rc{n}"),
            _ => bail!(
                "{self}: the pre-release {:?} has no PEP 440 equivalent; PEP 440 knows only alpha.N, \
                 beta.N and rc.N (written aN, bN, rcN)",
                v.pre.as_str()
            ),
        };
        Ok(format!("{base}{short}"))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        // semver's order is SemVer precedence, with build metadata as the last tie-breaker so
        // that Ord agrees with Eq.
        self.0.cmp(&other.0)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Version({})", self.0)
    }
}

impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl std::str::FromStr for Version {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Version> {
        Version::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|e| panic!("{s}: {e:#}"))
    }

    #[test]
    fn every_spelling_of_one_version_is_one_version() {
        for s in
            ["1.2.3-rc.1", "1.2.3rc1", "1.2.3.rc1", "1.2.3-rc1", "1.2.3_rc_1", "v1.2.3rc1", "V1.2.3-RC.1", " 1.2.3c1 "]
        {
            assert_eq!(v(s).to_string(), "1.2.3-rc.1", "{s}");
        }
        assert_eq!(v("1.2.3a1").to_string(), "1.2.3-alpha.1");
        assert_eq!(v("1.2.3alpha1").to_string(), "1.2.3-alpha.1");
        assert_eq!(v("1.2.3b2").to_string(), "1.2.3-beta.2");
        assert_eq!(v("1.2.3-beta.2").to_string(), "1.2.3-beta.2");
        assert_eq!(v("1.2.3pre4").to_string(), "1.2.3-rc.4");
        assert_eq!(v("v1.2.3").to_string(), "1.2.3");
        assert_eq!(v("1.2.3rc").to_string(), "1.2.3-rc.0", "PEP 440: a missing number is 0");
        assert_eq!(v("1.02.3").to_string(), "1.2.3", "PEP 440 normalises leading zeros");
    }

    #[test]
    fn semver_that_is_not_a_pep440_spelling_stays_semver() {
        assert_eq!(v("1.2.3-rc").semver().pre.as_str(), "rc");
        assert_eq!(v("1.2.3-dev.4").semver().pre.as_str(), "dev.4");
        assert_eq!(v("1.2.3-x.7.z.92+build.5").to_string(), "1.2.3-x.7.z.92+build.5");
        assert_eq!(v("1.2.3-1").semver().pre.as_str(), "1");
    }

    #[test]
    fn pep440_without_semver_equivalent_is_a_clear_error() {
        for (s, part) in [
            ("1.2.3.dev4", "dev release"),
            ("1.2.3.post1", "post-release"),
            ("1.2.3rc1.post2", "post-release"),
            ("1!1.2.3", "epoch"),
            ("1.2.3+ubuntu.1_x", "local label"),
        ] {
            let err = Version::parse(s).unwrap_err().to_string();
            assert!(err.contains(part) && err.contains("no SemVer equivalent"), "{s}: {err}");
        }
        let err = Version::parse("1.2").unwrap_err().to_string();
        assert!(err.contains("exactly three") && err.contains("1.2.0"), "{err}");
        let err = Version::parse("1.2.3.4").unwrap_err().to_string();
        assert!(err.contains("4 release numbers"), "{err}");
        let err = Version::parse("banana").unwrap_err().to_string();
        assert!(err.contains("not a version") && err.contains("1.2.3rc1"), "{err}");
        assert!(Version::parse("").unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn forms_follow_the_spec_table() {
        for (canonical, pep) in [
            ("1.2.0", "1.2.0"),
            ("1.2.0-alpha.1", "1.2.0a1"),
            ("1.2.0-beta.2", "1.2.0b2"),
            ("1.2.0-rc.10", "1.2.0rc10"),
        ] {
            assert_eq!(v(canonical).render(Form::Pep440).unwrap(), pep);
            assert_eq!(v(canonical).render(Form::Semver).unwrap(), canonical);
            assert_eq!(v(pep), v(canonical));
        }
    }

    #[test]
    fn labels_pep440_cannot_hold_are_errors() {
        for s in ["1.2.0-nightly.1", "1.2.0-rc", "1.2.0-rc.1.2", "1.2.0-0.3", "1.2.0+build.7"] {
            let err = v(s).render(Form::Pep440).unwrap_err().to_string();
            assert!(err.contains("PEP 440"), "{s}: {err}");
        }
    }

    #[test]
    fn order_is_semver_precedence_with_numeric_pre_releases() {
        let sorted = ["1.0.0-alpha.1", "1.0.0-alpha.2", "1.0.0-alpha.10", "1.0.0-beta.1", "1.0.0-rc.9", "1.0.0-rc.10"];
        let mut shuffled: Vec<Version> = sorted.iter().rev().map(|s| v(s)).collect();
        shuffled.push(v("1.0.0"));
        shuffled.push(v("0.9.9"));
        shuffled.sort();
        let got: Vec<String> = shuffled.iter().map(Version::to_string).collect();
        let mut want = vec!["0.9.9".to_string()];
        want.extend(sorted.iter().map(|s| s.to_string()));
        want.push("1.0.0".into());
        assert_eq!(got, want);
        assert!(v("1.2.0rc10") > v("1.2.0rc9"));
    }

    #[test]
    fn serializes_as_the_semver_string() {
        assert_eq!(serde_json::to_string(&v("1.2.0rc1")).unwrap(), "\"1.2.0-rc.1\"");
        assert_eq!(v("1.3.0-rc.2").pre_label_number(), Some(("rc", 2)));
        assert_eq!(v("1.3.0").pre_label_number(), None);
        assert!(v("1.3.0b1").is_prerelease());
    }
}
