//! PEP 440, the grammar of Python's version files: the pattern and the normal form of
//! `packaging.version.Version`, and its order for the versions a project can release
//! (`X.Y.Z` with an optional `aN`, `bN` or `rcN`).

use std::cmp::Ordering;
use std::fmt;
use std::sync::LazyLock;

use regex_lite::Regex;

/// `packaging`'s `VERSION_PATTERN` (appendix B of the PEP), case-insensitive, whole string.
static PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^
        v?
        (?:(?P<epoch>[0-9]+)!)?
        (?P<release>[0-9]+(?:\.[0-9]+)*)
        (?P<pre>[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?
        (?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?))?
        (?P<dev>[-_.]?dev[-_.]?(?P<dev_n>[0-9]+)?)?
        (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
        $",
    )
    .expect("valid regex")
});

/// A PEP 440 pre-release kind, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pre {
    Alpha,
    Beta,
    Rc,
}

impl Pre {
    /// The normal spelling: `a`, `b`, `rc`.
    pub fn short(self) -> &'static str {
        match self {
            Pre::Alpha => "a",
            Pre::Beta => "b",
            Pre::Rc => "rc",
        }
    }

    /// The SemVer label the canonical version uses: `alpha`, `beta`, `rc`.
    pub fn semver_label(self) -> &'static str {
        match self {
            Pre::Alpha => "alpha",
            Pre::Beta => "beta",
            Pre::Rc => "rc",
        }
    }

    /// Any spelling PEP 440 accepts (`c`, `pre` and `preview` are `rc`), in any case.
    pub fn from_spelling(label: &str) -> Option<Pre> {
        Some(match label.to_ascii_lowercase().as_str() {
            "a" | "alpha" => Pre::Alpha,
            "b" | "beta" => Pre::Beta,
            "c" | "rc" | "pre" | "preview" => Pre::Rc,
            _ => return None,
        })
    }
}

/// A version as PEP 440 reads it, normalised as `packaging` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pep440 {
    pub epoch: u64,
    pub release: Vec<u64>,
    pub pre: Option<(Pre, u64)>,
    pub post: Option<u64>,
    pub dev: Option<u64>,
    /// Lowercase, separators as `.`, numeric parts without leading zeros.
    pub local: Option<String>,
}

impl Pep440 {
    /// Parse as `packaging.version.Version(text)` does; `None` when it is not PEP 440 (or a
    /// number does not fit in 64 bits).
    pub fn parse(text: &str) -> Option<Pep440> {
        let c = PATTERN.captures(text.trim())?;
        let number = |name: &str| -> Option<Option<u64>> {
            match c.name(name) {
                Some(m) => m.as_str().parse().ok().map(Some),
                None => Some(None),
            }
        };
        let release = c["release"].split('.').map(|n| n.parse().ok()).collect::<Option<Vec<u64>>>()?;
        let pre = match c.name("pre_l") {
            Some(l) => Some((Pre::from_spelling(l.as_str())?, number("pre_n")?.unwrap_or(0))),
            None => None,
        };
        let post = match (c.name("post"), number("post_n1")?, number("post_n2")?) {
            (None, _, _) => None,
            (Some(_), n1, n2) => Some(n1.or(n2).unwrap_or(0)),
        };
        let dev = match c.name("dev") {
            Some(_) => Some(number("dev_n")?.unwrap_or(0)),
            None => None,
        };
        let local = c.name("local").map(|l| {
            l.as_str()
                .split(['-', '_', '.'])
                .map(|part| match part.parse::<u128>() {
                    Ok(n) if part.bytes().all(|b| b.is_ascii_digit()) => n.to_string(),
                    _ => part.to_ascii_lowercase(),
                })
                .collect::<Vec<_>>()
                .join(".")
        });
        Some(Pep440 { epoch: number("epoch")?.unwrap_or(0), release, pre, post, dev, local })
    }

    /// `X.Y.Z` with at most a pre-release: what a release can be and SemVer can say.
    pub fn is_plain(&self) -> bool {
        self.epoch == 0 && self.release.len() == 3 && self.post.is_none() && self.dev.is_none() && self.local.is_none()
    }

    /// PEP 440 order between two plain versions (`None` when either is not plain).
    pub fn cmp_plain(&self, other: &Pep440) -> Option<Ordering> {
        if !self.is_plain() || !other.is_plain() {
            return None;
        }
        // A final release sorts after every pre-release of it.
        let key = |v: &Pep440| (v.release.clone(), v.pre.map_or((1, Pre::Rc, 0), |(p, n)| (0, p, n)));
        Some(key(self).cmp(&key(other)))
    }
}

impl fmt::Display for Pep440 {
    /// `str(packaging.version.Version(...))`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.epoch != 0 {
            write!(f, "{}!", self.epoch)?;
        }
        let release: Vec<String> = self.release.iter().map(u64::to_string).collect();
        f.write_str(&release.join("."))?;
        if let Some((pre, n)) = self.pre {
            write!(f, "{}{n}", pre.short())?;
        }
        if let Some(n) = self.post {
            write!(f, ".post{n}")?;
        }
        if let Some(n) = self.dev {
            write!(f, ".dev{n}")?;
        }
        if let Some(local) = &self.local {
            write!(f, "+{local}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normal(text: &str) -> Option<String> {
        Pep440::parse(text).map(|v| v.to_string())
    }

    #[test]
    fn normal_forms_as_packaging_writes_them() {
        for (text, want) in [
            ("1.2.3", "1.2.3"),
            ("v1.2.3", "1.2.3"),
            (" 1.2.3\n", "1.2.3"),
            ("1.2.3-rc", "1.2.3rc0"),
            ("1.2.3.RC.1", "1.2.3rc1"),
            ("1.2.3-preview_2", "1.2.3rc2"),
            ("1.2.3alpha1", "1.2.3a1"),
            ("0!1.2.3", "1.2.3"),
            ("1!1.2.3", "1!1.2.3"),
            ("1.2.3-1", "1.2.3.post1"),
            ("1.2.3-post1", "1.2.3.post1"),
            ("1.2.3.rev", "1.2.3.post0"),
            ("1.2.3r2", "1.2.3.post2"),
            ("1.2.3-dev.4", "1.2.3.dev4"),
            ("1.2.3dev", "1.2.3.dev0"),
            ("1.2.3+Local_07-x", "1.2.3+local.7.x"),
            ("01.02.03", "1.2.3"),
            ("1.2", "1.2"),
        ] {
            assert_eq!(normal(text).as_deref(), Some(want), "{text}");
        }
        for text in ["", "banana", "1.2.3-", "vv1.2.3", "1.2.3-rc.1.2", "1.2.3+", "1..2", "1.2.3-x.7"] {
            assert_eq!(normal(text), None, "{text}");
        }
    }

    #[test]
    fn plain_versions_and_their_order() {
        let v = |s: &str| Pep440::parse(s).unwrap();
        assert!(v("1.2.3rc1").is_plain() && v("0!1.2.3").is_plain());
        for s in ["1.2.3.post1", "1.2.3.dev1", "1.2.3+x", "1!1.2.3", "1.2"] {
            assert!(!v(s).is_plain(), "{s}");
        }
        assert_eq!(v("1.2.3rc10").cmp_plain(&v("1.2.3rc9")), Some(Ordering::Greater));
        assert_eq!(v("1.2.3").cmp_plain(&v("1.2.3rc9")), Some(Ordering::Greater));
        assert_eq!(v("1.2.3b9").cmp_plain(&v("1.2.3rc1")), Some(Ordering::Less));
        assert_eq!(v("1.2.3-rc").cmp_plain(&v("1.2.3rc0")), Some(Ordering::Equal));
        assert_eq!(v("1.2.3").cmp_plain(&v("1.2.3.post1")), None);
    }
}
