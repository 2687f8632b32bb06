//! The next version for every `release` target: pure arithmetic on SemVer versions.
//!
//! The rules, which `docs/releasing.md` states for users:
//!
//! - `major | minor | patch` bump that part. From a pre-release the level first *finishes*
//!   the pre-release when it already is that level's version (node-semver's `inc`):
//!   `1.3.0-rc.2` + minor = `1.3.0`, + patch = `1.3.0`, + major = `2.0.0`.
//! - `LEVEL --pre L` is the first `L` pre-release of that version (`1.2.0` + `minor --pre rc`
//!   = `1.3.0-rc.1`); when the current pre-release already is that version it continues the
//!   channel instead (`1.3.0-rc.1` + `minor --pre rc` = `1.3.0-rc.2`).
//! - `alpha | beta | rc` continue a pre-release in its own spelling: the same label counts up
//!   (`rc.9` -> `rc.10`, `rc1` -> `rc2`, `rc09` -> `rc10`), a later label starts at 1 (`beta.3`
//!   -> `rc.1`, `beta3` -> `rc1`), an earlier one is refused; from a final version they need a
//!   level (`release minor --pre rc`). Whether every file's ecosystem orders the result above
//!   what it holds (npm puts `rc10` below `rc9`) is checked with the files:
//!   `crate::version::order_problems`.
//! - `ga` drops the pre-release (`1.3.0-rc.10` -> `1.3.0`).
//! - `hotfix` is `patch` cut from a `hotfix/*` branch of an older release line; its new version
//!   must be above every release tag of its own `MAJOR.MINOR` line but may be below the
//!   project's newest tag.
//! - `auto` is the level the commits since the last release call for, a breaking change
//!   giving minor while the major version is 0.

use std::cmp::Ordering;
use std::fmt;

use anyhow::{Result, bail};
use semver::{Prerelease, Version};

/// A part of the version to bump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Patch,
    Minor,
    Major,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Major => "major",
            Level::Minor => "minor",
            Level::Patch => "patch",
        }
    }
}

/// The pre-release labels every ecosystem can spell (PEP 440 `a`, `b`, `rc`).
pub const LABELS: &[&str] = &["alpha", "beta", "rc"];

/// What `release TARGET` asked for, before any version is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A version as the user typed it (SemVer or PEP 440 spelling, optional tag prefix).
    Explicit(String),
    Level(Level),
    /// `alpha`, `beta` or `rc`: continue a pre-release.
    Pre(String),
    Ga,
    Hotfix,
    Auto,
}

impl Target {
    /// The keyword targets; anything else is taken as a version.
    pub fn parse(text: &str) -> Target {
        match text {
            "major" => Target::Level(Level::Major),
            "minor" => Target::Level(Level::Minor),
            "patch" => Target::Level(Level::Patch),
            "alpha" | "beta" | "rc" => Target::Pre(text.to_string()),
            "ga" => Target::Ga,
            "hotfix" => Target::Hotfix,
            "auto" => Target::Auto,
            other => Target::Explicit(other.to_string()),
        }
    }

    /// The word the user typed, for messages.
    pub fn describe(&self) -> String {
        match self {
            Target::Explicit(v) => v.clone(),
            Target::Level(level) => level.name().to_string(),
            Target::Pre(label) => label.clone(),
            Target::Ga => "ga".into(),
            Target::Hotfix => "hotfix".into(),
            Target::Auto => "auto".into(),
        }
    }
}

/// The facts a target needs, besides the current version.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// `--pre LABEL`.
    pub pre: Option<String>,
    /// The explicit version, already parsed (for [`Target::Explicit`]).
    pub explicit: Option<Version>,
    /// The level the commits call for (for [`Target::Auto`]); `None` when nothing is
    /// releasable, with `auto_reason` saying why.
    pub auto_level: Option<Level>,
    pub auto_reason: String,
}

/// The version `release TEXT` names: a SemVer or PEP 440 version after the tag prefix, or
/// with one leading `v` (`vv2.5.0` is not a version).
pub fn explicit_version(text: &str, prefix: &str) -> Result<Version, String> {
    let parsed = match text.strip_prefix(prefix).filter(|_| !prefix.is_empty()) {
        Some(bare) if bare.starts_with(['v', 'V']) => {
            Err(anyhow::anyhow!("the tag prefix {prefix:?} is followed by another {:?}", &bare[..1]))
        }
        Some(bare) => crate::version::Version::parse(bare),
        None => crate::version::Version::parse(text),
    };
    parsed.map(|v| v.semver().clone()).map_err(|e| {
        format!(
            "{text}: not a version ({e:#}); give a version such as 1.2.3, v1.2.3, 1.2.3-rc.1 or 1.2.3rc1, or one of major, minor, patch, alpha, beta, rc, ga, hotfix, auto"
        )
    })
}

/// The version `target` moves `current` to. Errors are refusals (exit 2) that say what to run
/// instead. The result is not yet checked against the tags: see [`check_order`].
pub fn next_version(current: &Version, target: &Target, inputs: &Inputs) -> Result<Version> {
    if let Some(label) = &inputs.pre {
        check_label(label)?;
    }
    let current = &strip_build(current);
    match target {
        Target::Explicit(text) => {
            if inputs.pre.is_some() {
                bail!(
                    "--pre applies to a level (major, minor, patch, hotfix, auto), not to the explicit version {text}; write the pre-release into the version (such as 1.2.0-rc.1)"
                );
            }
            match &inputs.explicit {
                Some(v) => Ok(v.clone()),
                None => bail!(
                    "{text}: not a version; give a version such as 1.2.3, v1.2.3, 1.2.3-rc.1 or 1.2.3rc1, or one of major, minor, patch, alpha, beta, rc, ga, hotfix, auto"
                ),
            }
        }
        Target::Level(level) => Ok(level_version(current, *level, inputs.pre.as_deref())),
        Target::Hotfix => Ok(level_version(current, Level::Patch, inputs.pre.as_deref())),
        Target::Auto => match inputs.auto_level {
            Some(level) => {
                let level = if current.major == 0 && level == Level::Major { Level::Minor } else { level };
                Ok(level_version(current, level, inputs.pre.as_deref()))
            }
            None => bail!("nothing to release: {}", inputs.auto_reason),
        },
        Target::Pre(label) => {
            if let Some(pre) = &inputs.pre
                && pre != label
            {
                bail!("`release {label} --pre {pre}` asks for two labels; run `release {pre}` or `release {label}`");
            }
            if current.pre.is_empty() {
                bail!(
                    "{current} is a final version and `release {label}` continues a pre-release; start one with `release minor --pre {label}` ({}), `release patch --pre {label}` ({}) or `release major --pre {label}` ({})",
                    level_version(current, Level::Minor, Some(label)),
                    level_version(current, Level::Patch, Some(label)),
                    level_version(current, Level::Major, Some(label)),
                );
            }
            let next = continue_pre(current, label)?;
            // The same label counting up may still sort lower (`rc10` below `rc9` as text):
            // that is refused with the files, which know who orders how.
            let same_label = pre_label(current).is_some_and(|p| same_label(p.label, label));
            if !same_label && next <= *current {
                bail!(
                    "{next} would be below the current version {current}: pre-releases go alpha, beta, rc; run `release {}` or `release ga`",
                    pre_label(current).map(|p| p.label).unwrap_or("rc")
                );
            }
            Ok(next)
        }
        Target::Ga => {
            if inputs.pre.is_some() {
                bail!("`release ga` makes a final version; --pre does not apply");
            }
            if current.pre.is_empty() {
                bail!(
                    "{current} is already a final version; `release ga` promotes a pre-release (such as 1.3.0-rc.2 to 1.3.0)"
                );
            }
            Ok(Version::new(current.major, current.minor, current.patch))
        }
    }
}

/// `current` bumped by `level`, finishing a pre-release of that level's version; with a label,
/// the first pre-release of the result, or the next one of the current channel.
pub fn level_version(current: &Version, level: Level, label: Option<&str>) -> Version {
    let pre = !current.pre.is_empty();
    let (major, minor, patch) = (current.major, current.minor, current.patch);
    let base = match level {
        Level::Major if pre && minor == 0 && patch == 0 => Version::new(major, 0, 0),
        Level::Major => Version::new(major + 1, 0, 0),
        Level::Minor if pre && patch == 0 => Version::new(major, minor, 0),
        Level::Minor => Version::new(major, minor + 1, 0),
        Level::Patch if pre => Version::new(major, minor, patch),
        Level::Patch => Version::new(major, minor, patch + 1),
    };
    let Some(label) = label else { return base };
    let same_release = pre && base == Version::new(major, minor, patch);
    if same_release && let Ok(next) = continue_pre(current, label) {
        return next;
    }
    // A new channel is spelled as the current one is (`rc1` after `rc9`, else `rc.1`).
    let glued = pre_label(current).is_some_and(|p| p.glued.is_some());
    let mut next = base;
    let first = if glued { format!("{label}1") } else { format!("{label}.1") };
    next.pre = Prerelease::new(&first).expect("LABEL1 and LABEL.1 are valid pre-releases");
    next
}

/// The next pre-release of `label` on the current version, in the current spelling (`rc.9` ->
/// `rc.10`, `rc9` -> `rc10`, `beta.2` -> `rc.1`, `beta2` -> `rc1`).
fn continue_pre(current: &Version, label: &str) -> Result<Version> {
    let base = Version::new(current.major, current.minor, current.patch);
    let Some(pre) = pre_label(current) else {
        bail!(
            "the pre-release `{}` of {current} is not of the form LABEL.N; give the next version explicitly (such as `release {base}-{label}.1`)",
            current.pre
        )
    };
    let (label, n) = match pre.number {
        Some(n) if same_label(pre.label, label) => (pre.label, n + 1),
        _ if same_label(pre.label, label) => (pre.label, 1),
        _ => (label, 1),
    };
    let text = match pre.glued {
        Some(width) => format!("{label}{n:0width$}"),
        None => format!("{label}.{n}"),
    };
    let mut next = base;
    next.pre = Prerelease::new(&text).expect("letters then digits make a valid pre-release");
    Ok(next)
}

/// A pre-release `release` can continue: `alpha.3` (dotted), `rc` (a label alone), or `rc3`
/// (glued: one identifier, whose digits' width is kept, `rc09` -> `rc10`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreRelease<'a> {
    pub label: &'a str,
    pub number: Option<u64>,
    /// The number of digits of a glued number.
    pub glued: Option<usize>,
}

/// The pre-release of `version` in one of the forms `release` continues; `None` for a final
/// version or any other pre-release (`rc.1.2`, `0.3`).
pub fn pre_label(version: &Version) -> Option<PreRelease<'_>> {
    let pre = version.pre.as_str();
    let letters = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphabetic());
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match pre.split_once('.') {
        Some((label, n)) if letters(label) && digits(n) => {
            Some(PreRelease { label, number: Some(n.parse().ok()?), glued: None })
        }
        Some(_) => None,
        None if letters(pre) => Some(PreRelease { label: pre, number: None, glued: None }),
        None => {
            let (label, n) = pre.split_at(pre.find(|c: char| c.is_ascii_digit())?);
            if !letters(label) || !digits(n) {
                return None;
            }
            Some(PreRelease { label, number: Some(n.parse().ok()?), glued: Some(n.len()) })
        }
    }
}

/// `a` is `alpha`, `b` is `beta`, `c`, `pre` and `preview` are `rc`, as in PEP 440; any case.
fn same_label(written: &str, label: &str) -> bool {
    let kind = |l: &str| match l.to_ascii_lowercase().as_str() {
        "a" | "alpha" => "alpha".to_string(),
        "b" | "beta" => "beta".to_string(),
        "c" | "rc" | "pre" | "preview" => "rc".to_string(),
        other => other.to_string(),
    };
    kind(written) == kind(label)
}

fn check_label(label: &str) -> Result<()> {
    if !LABELS.contains(&label) {
        bail!(
            "--pre {label}: not a pre-release label every ecosystem can spell; use one of {} (PEP 440 a, b, rc)",
            LABELS.join(", ")
        );
    }
    Ok(())
}

fn strip_build(v: &Version) -> Version {
    let mut v = v.clone();
    v.build = semver::BuildMetadata::EMPTY;
    v
}

/// SemVer precedence: build metadata does not count.
pub fn precedence(a: &Version, b: &Version) -> Ordering {
    (a.major, a.minor, a.patch).cmp(&(b.major, b.minor, b.patch)).then_with(|| {
        match (a.pre.is_empty(), b.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => a.pre.cmp(&b.pre),
        }
    })
}

/// A release tag as the ordering check sees it.
#[derive(Debug, Clone)]
pub struct TagVersion {
    pub name: String,
    pub version: Version,
}

/// Why a new version may not be released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderProblem(pub String);

impl fmt::Display for OrderProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The new version must be above the current version and above every release tag; a hotfix
/// only above the tags of its own `MAJOR.MINOR` line.
pub fn check_order(new: &Version, current: &Version, tags: &[TagVersion], hotfix: bool) -> Result<(), OrderProblem> {
    if precedence(new, current) != Ordering::Greater {
        return Err(OrderProblem(format!(
            "the new version {new} is not above the current version {current}; releases only move forward"
        )));
    }
    let relevant = tags.iter().filter(|t| !hotfix || (t.version.major, t.version.minor) == (new.major, new.minor));
    if let Some(top) = relevant.max_by(|a, b| precedence(&a.version, &b.version))
        && precedence(new, &top.version) != Ordering::Greater
    {
        return Err(OrderProblem(if hotfix {
            format!(
                "the hotfix version {new} is not above {}, the newest release of the {}.{} line; update the hotfix branch from it",
                top.name, new.major, new.minor
            )
        } else {
            format!(
                "the new version {new} is not above the release tag {}; releases only move forward (to patch an older release line, run `release hotfix` from a hotfix/* branch)",
                top.name
            )
        }));
    }
    Ok(())
}

#[cfg(test)]
#[path = "target_tests.rs"]
mod tests;
