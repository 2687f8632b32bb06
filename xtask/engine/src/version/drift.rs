//! Whether the version sources agree: the majority version, the sources that differ, and
//! the `versions` gate's findings.

use anyhow::{Result, bail};

use super::semver_pep440::Version;
use super::sources::{Reading, survey};
use super::text::SourceError;
use crate::project::Project;

/// Whether the readings agree, and with which version.
#[derive(Debug)]
pub struct Agreement<'a> {
    /// The version most sources hold (on a tie, the one the first source holds).
    pub version: Version,
    /// More sources hold `version` than any other version.
    pub majority: bool,
    pub agreeing: Vec<&'a Reading>,
    pub differing: Vec<&'a Reading>,
}

impl Agreement<'_> {
    pub fn in_sync(&self) -> bool {
        self.differing.is_empty()
    }

    /// `frontend/package.json:3 holds 0.2.0, backend/x.py:1 holds 0.1.1`
    pub fn describe_differing(&self) -> String {
        self.differing.iter().map(|r| format!("{}:{} holds {}", r.file, r.line, r.raw)).collect::<Vec<_>>().join(", ")
    }

    /// `the majority (0.1.0 in a, b)`, or on a tie `the first source (0.1.0 in a)`.
    pub fn describe_reference(&self) -> String {
        let files: Vec<&str> = self.agreeing.iter().map(|r| r.file.as_str()).collect();
        let who = if self.majority { "the majority" } else { "the first source" };
        format!("{who} ({} in {})", self.version, files.join(", "))
    }
}

/// Whether a reading holds `version`: a SemVer file the same SemVer version, a PEP 440 file
/// the same PEP 440 version (so `1.2.3rc1` in a pyproject holds `1.2.3-rc1` of a package.json).
pub fn holds(reading: &Reading, version: &Version) -> bool {
    version.is_held_as(&reading.version, reading.form)
}

/// The version most readings hold; `None` when there are none. Each reading's own value is a
/// candidate, in order; a SemVer file's exact value wins over the normalised one of a PEP 440
/// file whenever the PEP 440 files hold it too.
pub fn agreement(readings: &[Reading]) -> Option<Agreement<'_>> {
    let mut candidates: Vec<(&Version, usize)> = Vec::new();
    for r in readings {
        if !candidates.iter().any(|(v, _)| *v == &r.version) {
            candidates.push((&r.version, readings.iter().filter(|o| holds(o, &r.version)).count()));
        }
    }
    let best = candidates.iter().map(|(_, n)| *n).max()?;
    let chosen = candidates.iter().position(|(_, n)| *n == best)?;
    let majority = candidates.iter().filter(|(_, n)| *n == best).count() == 1;
    let version = candidates[chosen].0.clone();
    let (agreeing, differing) = readings.iter().partition(|r| holds(r, &version));
    Some(Agreement { version, majority, agreeing, differing })
}

/// The one version of the project.
pub fn current(readings: &[Reading]) -> Result<Version> {
    let Some(agreement) = agreement(readings) else {
        bail!("the project has no version sources; add [[version]] entries to xtask.toml (see docs/versions.md)");
    };
    if !agreement.in_sync() {
        bail!(
            "the version sources disagree: {}, unlike {}; make them agree (edit the files that differ; \
             `cargo xtask version` lists every source)",
            agreement.describe_differing(),
            agreement.describe_reference()
        );
    }
    Ok(agreement.version)
}

/// The versions gate: a finding per unreadable source and per source that differs. With
/// packages, each fixed group and each independent package must agree within itself.
pub fn findings(project: &Project) -> Vec<crate::report::Finding> {
    if project.packages.is_empty() {
        return survey_findings(project, &survey(project), "");
    }
    let mut findings = Vec::new();
    for unit in crate::packages::units(&project.packages) {
        let survey = super::sources::survey_of(project, &unit.sources(project));
        findings.extend(survey_findings(project, &survey, &format!(" of {}", unit.label())));
    }
    findings
}

fn survey_findings(project: &Project, survey: &super::sources::Survey, of: &str) -> Vec<crate::report::Finding> {
    let mut findings: Vec<_> = survey.errors.iter().map(SourceError::finding).collect();
    if let Some(agreement) = agreement(&survey.readings) {
        for r in &agreement.differing {
            let want = agreement.version.render(r.form).unwrap_or_else(|_| agreement.version.to_string());
            let mut message =
                format!("version {} differs from {}{of}; set it to {want}", r.raw, agreement.describe_reference());
            if let Some(hint) = super::exclude::private_hint(project, r) {
                message.push_str(&format!(" (or: {hint})"));
            }
            findings.push(crate::report::Finding::new(&r.file, r.line, r.column, message));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Form;
    use crate::project::{Origin, SourceKind, VersionSpec};
    use crate::version::sources::Reader;

    /// A reading of `raw` in a file of the form whose grammar reads it (SemVer first).
    fn reading(file: &str, raw: &str) -> Reading {
        let form = if Version::read(raw, Form::Semver).is_ok() { Form::Semver } else { Form::Pep440 };
        let spec =
            VersionSpec { path: file.into(), kind: SourceKind::Plain, pattern: None, form, origin: Origin::Configured };
        Reading {
            spec,
            file: file.into(),
            line: 1,
            column: 1,
            raw: raw.into(),
            version: Version::read(raw, form).unwrap(),
            kind: SourceKind::Plain,
            form,
            field: "x".into(),
            via: None,
            span: 0..raw.len(),
            reader: Reader::Plain,
        }
    }

    #[test]
    fn the_majority_wins_and_the_others_are_named() {
        let readings = vec![reading("a", "1.2.0rc1"), reading("b", "1.3.0"), reading("c", "1.2.0-rc.1")];
        let agreement = agreement(&readings).unwrap();
        assert!(agreement.majority && !agreement.in_sync());
        assert_eq!(agreement.version.to_string(), "1.2.0-rc.1");
        assert_eq!(agreement.differing.iter().map(|r| r.file.as_str()).collect::<Vec<_>>(), ["b"]);
        let err = current(&readings).unwrap_err().to_string();
        assert!(err.contains("b:1 holds 1.3.0, unlike the majority (1.2.0-rc.1 in a, c)"), "{err}");
        assert_eq!(current(&readings[..1]).unwrap().to_string(), "1.2.0-rc.1");
        assert!(current(&[]).unwrap_err().to_string().contains("no version sources"));
    }

    #[test]
    fn a_semver_spelling_is_agreed_on_when_the_pep440_files_hold_it_too() {
        // 1.2.0rc1 (PEP 440) holds both 1.2.0-rc.1 and 1.2.0-rc1; the SemVer files decide.
        let readings = vec![reading("py", "1.2.0rc1"), reading("npm", "1.2.0-rc1")];
        let agreed = agreement(&readings).unwrap();
        assert!(agreed.in_sync() && agreed.majority);
        assert_eq!(agreed.version.to_string(), "1.2.0-rc1");
        // Two SemVer spellings are two versions: npm orders them.
        let readings = vec![reading("py", "1.2.0rc1"), reading("npm", "1.2.0-rc1"), reading("cargo", "1.2.0-rc.1")];
        let agreed = agreement(&readings).unwrap();
        assert!(!agreed.in_sync() && !agreed.majority);
        assert_eq!(agreed.version.to_string(), "1.2.0-rc.1");
        assert_eq!(agreed.differing.iter().map(|r| r.file.as_str()).collect::<Vec<_>>(), ["npm"]);
    }

    #[test]
    fn a_tie_is_broken_by_the_first_source() {
        let readings = vec![reading("a", "1.0.0"), reading("b", "2.0.0")];
        let agreement = agreement(&readings).unwrap();
        assert!(!agreement.majority);
        assert_eq!(agreement.version.to_string(), "1.0.0");
        assert!(agreement.describe_reference().starts_with("the first source"));
    }
}
