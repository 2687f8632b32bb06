//! The canonical version (SemVer 2.0.0) and its two written forms: SemVer and PEP 440.
//!
//! A file is read by its own ecosystem's grammar ([`Version::read`]): a PEP 440 file by PEP 440
//! with `packaging`'s normalisation (`1.2.3-1` is the post-release `1.2.3.post1` there), a SemVer
//! file by SemVer 2.0.0 only (`1.2.3-rc1` is the pre-release `rc1`, kept as written). What a
//! PEP 440 file holds that SemVer cannot say (an epoch, a post or dev release, a local label)
//! is an error that names the part. A version a person types ([`Version::parse`]) is SemVer
//! when it is SemVer, else PEP 440. Writing renders the form a file's ecosystem expects, and
//! [`Version::cmp_in`] orders versions as that ecosystem does.

use std::cmp::Ordering;
use std::fmt;

use anyhow::{Result, anyhow, bail};

use super::pep440::{Pep440, Pre};
use crate::config::Form;

/// The longest version npm reads, and its largest number (`Number.MAX_SAFE_INTEGER`).
const NPM_MAX_LENGTH: usize = 256;
const NPM_MAX_NUMBER: u64 = (1 << 53) - 1;

/// A version of the project: SemVer 2.0.0, ordered by SemVer precedence (numeric pre-release
/// identifiers compare as numbers, so `rc.10` is newer than `rc.9`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Version(semver::Version);

impl Version {
    /// A version a person typed (a release target): SemVer 2.0.0 when it is one (with one
    /// optional leading `v`), otherwise a PEP 440 spelling that has a SemVer equivalent
    /// (`1.2.3rc1` is `1.2.3-rc.1`).
    pub fn parse(input: &str) -> Result<Version> {
        let text = input.trim();
        if text.is_empty() {
            bail!("{input:?} is not a version: it is empty; write one such as 1.2.3");
        }
        let bare = text.strip_prefix(['v', 'V']).unwrap_or(text);
        if let Ok(v) = semver::Version::parse(bare) {
            return Ok(Version(v));
        }
        match Pep440::parse(text) {
            Some(pep) => Version::from_pep440(&pep, input),
            None => bail!(
                "{input:?} is not a version; write SemVer such as 1.2.3 or 1.2.3-rc.1, or PEP 440 such as 1.2.3rc1"
            ),
        }
    }

    /// A version as a file of `form` holds it, read by that ecosystem's grammar only.
    pub fn read(input: &str, form: Form) -> Result<Version> {
        match form {
            Form::Pep440 => match Pep440::parse(input) {
                Some(pep) => Version::from_pep440(&pep, input),
                None => bail!(
                    "{input:?} is not a PEP 440 version, the grammar of this file; write one such as 1.2.3 or 1.2.3rc1"
                ),
            },
            Form::Semver => {
                let text = input.trim();
                let bare = text.strip_prefix('v').unwrap_or(text);
                let v = semver::Version::parse(bare).map_err(|e| {
                    anyhow!(
                        "{input:?} is not SemVer 2.0.0 ({e}), the grammar of this file (npm and Cargo read it so); {}",
                        semver_hint(text)
                    )
                })?;
                // npm's own limits: its numbers are JavaScript's exact integers.
                if text.len() > NPM_MAX_LENGTH || [v.major, v.minor, v.patch].iter().any(|n| *n > NPM_MAX_NUMBER) {
                    bail!(
                        "{input:?} is SemVer, but npm refuses it (longer than {NPM_MAX_LENGTH} characters or a \
                         number above {NPM_MAX_NUMBER}); write a smaller version"
                    );
                }
                Ok(Version(v))
            }
        }
    }

    /// The SemVer equivalent of a PEP 440 version: `X.Y.Z` and an optional `aN`, `bN`, `rcN`
    /// (a zero epoch is the default one); anything else is an error that names the part.
    fn from_pep440(pep: &Pep440, input: &str) -> Result<Version> {
        let normal = pep.to_string();
        let plain = || Pep440 { epoch: 0, post: None, dev: None, local: None, ..pep.clone() };
        let refuse = |what: String, instead: String| {
            anyhow!(
                "{input:?} is, by PEP 440 (the grammar of this file), {normal}: {what}, which has no SemVer \
                 equivalent; {instead}"
            )
        };
        let carry = "set a version every ecosystem can hold, X.Y.Z with an optional aN, bN or rcN pre-release";
        if pep.epoch != 0 {
            return Err(refuse(
                format!("a version with the epoch {}!", pep.epoch),
                format!("the tool cannot carry an epoch to npm or Cargo; {carry}, and drop the epoch from the project"),
            ));
        }
        if pep.release.len() != 3 {
            let padded: Vec<String> = pep.release.iter().chain(&[0, 0]).take(3).map(u64::to_string).collect();
            bail!(
                "{input:?} has {} release numbers; a version needs exactly three (major.minor.patch), such as {}",
                pep.release.len(),
                padded.join(".")
            );
        }
        let base = plain();
        let after = next_after(&base);
        if let Some(n) = pep.post {
            let of = if pep.pre.is_none() { "" } else { "the pre-release " };
            return Err(refuse(
                format!("the post-release {n} of {of}{base}"),
                format!("{carry}, such as {}", after.join(" or ")),
            ));
        }
        if let Some(n) = pep.dev {
            let instead = match pep.pre {
                Some(_) => base.to_string(),
                None => format!("{base}a1 or {base}"),
            };
            return Err(refuse(format!("the dev release {n} before {base}"), format!("{carry}, such as {instead}")));
        }
        if let Some(local) = &pep.local {
            return Err(refuse(
                format!("the local version label +{local}"),
                format!("{carry}, such as {base} or {}", after[0]),
            ));
        }
        let r = &pep.release;
        let mut v = semver::Version::new(r[0], r[1], r[2]);
        if let Some((pre, n)) = pep.pre {
            let text = format!("{}.{n}", pre.semver_label());
            v.pre = semver::Prerelease::new(&text).expect("label.number is a valid pre-release");
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

    /// The version as a file of the given form spells it.
    pub fn render(&self, form: Form) -> Result<String> {
        match form {
            Form::Semver => Ok(self.0.to_string()),
            Form::Pep440 => self.pep440().map(|p| p.to_string()),
        }
    }

    /// Whether a file of `form` whose value reads as `held` holds this version: the same
    /// SemVer version, or for PEP 440 the same PEP 440 version (`1.2.3-rc1` and `1.2.3-rc.1`
    /// are both `1.2.3rc1` there).
    pub fn is_held_as(&self, held: &Version, form: Form) -> bool {
        match form {
            Form::Semver => self == held,
            Form::Pep440 => matches!((self.pep440(), held.pep440()), (Ok(a), Ok(b)) if a == b),
        }
    }

    /// The order of two versions as the ecosystem of `form` sees them: SemVer precedence
    /// (npm, Cargo), or PEP 440's (pip); `None` when PEP 440 cannot hold either.
    pub fn cmp_in(&self, other: &Version, form: Form) -> Option<Ordering> {
        match form {
            Form::Semver => Some(self.0.cmp_precedence(&other.0)),
            Form::Pep440 => self.pep440().ok()?.cmp_plain(&other.pep440().ok()?),
        }
    }

    /// The PEP 440 version a Python tool reads from this version's SemVer string: what
    /// `packaging` makes of `X.Y.Z-PRE`, which must be a pre-release (`rc.1`, `rc1`, `RC-1`
    /// and `c1` are all `rc1`; `rc` is `rc0`).
    fn pep440(&self) -> Result<Pep440> {
        let v = &self.0;
        if !v.build.is_empty() {
            bail!(
                "{self} has build metadata (+{}), which PEP 440 cannot hold (its local versions are \
                 refused by package indexes); drop the +{} part",
                v.build,
                v.build
            );
        }
        let base = Pep440 {
            epoch: 0,
            release: vec![v.major, v.minor, v.patch],
            pre: None,
            post: None,
            dev: None,
            local: None,
        };
        if v.pre.is_empty() {
            return Ok(base);
        }
        match Pep440::parse(&format!("{}.{}.{}-{}", v.major, v.minor, v.patch, v.pre)) {
            Some(pep) if pep.is_plain() => Ok(pep),
            Some(pep) => bail!(
                "{self}: PEP 440 reads the pre-release {:?} as {pep}, a {}, not as a pre-release; use alpha.N, \
                 beta.N or rc.N (written aN, bN, rcN)",
                v.pre.as_str(),
                if pep.post.is_some() { "post-release" } else { "dev release" }
            ),
            None => bail!(
                "{self}: the pre-release {:?} has no PEP 440 equivalent; PEP 440 knows only alpha, beta and rc \
                 pre-releases with a number (alpha.N, beta.N, rc.N, written aN, bN, rcN)",
                v.pre.as_str()
            ),
        }
    }
}

/// The plain versions just after `v`: `1.2.3rc2` or `1.2.3` after a pre-release `1.2.3rc1`,
/// `1.2.4` or `1.2.4rc1` after `1.2.3`.
fn next_after(v: &Pep440) -> Vec<String> {
    let r = &v.release;
    match v.pre {
        Some((pre, n)) => {
            vec![format!("{}.{}.{}{}{}", r[0], r[1], r[2], pre.short(), n + 1), format!("{}.{}.{}", r[0], r[1], r[2])]
        }
        None => vec![
            format!("{}.{}.{}", r[0], r[1], r[2] + 1),
            format!("{}.{}.{}{}1", r[0], r[1], r[2] + 1, Pre::Rc.short()),
        ],
    }
}

/// What to write instead of a string SemVer refuses.
fn semver_hint(text: &str) -> String {
    match Pep440::parse(text).map(|pep| Version::from_pep440(&pep, text)) {
        Some(Ok(v)) => format!("write it {v}"),
        Some(Err(_)) | None => "write it X.Y.Z with an optional pre-release, such as 1.2.3 or 1.2.3-rc.1".into(),
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
#[path = "semver_pep440_tests.rs"]
mod tests;
