//! Whether a new version moves forward in every file it is written to, as that file's
//! ecosystem orders versions (npm and Cargo by SemVer precedence, pip by PEP 440), and which
//! versions would when it does not. `1.2.3-rc9` to `1.2.3-rc10` is forward for pip and
//! backward for npm, which compares `rc10` and `rc9` as text.

use std::cmp::Ordering;

use super::semver_pep440::Version;
use super::sources::Reading;
use crate::config::Form;
use crate::project::SourceKind;

/// Nothing, or one problem naming every file for which `new` is not newer than what it holds
/// (or which cannot hold it), with the versions that would be newer for every file. When the
/// ecosystems agree that `new` is not above the current version, the problem says just that.
pub fn order_problems(readings: &[Reading], current: &Version, new: &Version) -> Vec<String> {
    let backwards: Vec<Backward> = readings.iter().filter_map(|r| backward(r, new)).collect();
    if backwards.is_empty() {
        return Vec::new();
    }
    let fits = |v: &Version| v != new && readings.iter().all(|r| backward(r, v).is_none());
    let alternatives: Vec<String> = candidates(current)
        .into_iter()
        .filter(|(v, _)| fits(v))
        .map(|(v, how)| format!("{v} (`release {how}`)"))
        .collect();
    let instead = if alternatives.is_empty() {
        "give a version that every file's ecosystem orders above what it holds".to_string()
    } else {
        format!("versions newer for every file: {}", alternatives.join(", "))
    };
    let head = format!("the new version {new} is not above the current version {current}");
    if backwards.len() == readings.len() && backwards.iter().all(|b| b.plain) {
        return vec![format!("{head}; releases only move forward ({instead})")];
    }
    let clauses: Vec<&str> = backwards.iter().map(|b| b.clause.as_str()).collect();
    vec![format!("{head} in every file it would be written to: {}; {instead}", clauses.join("; "))]
}

/// Why a new version does not move one file forward.
struct Backward {
    clause: String,
    /// Simply lower or equal, as every ecosystem would say.
    plain: bool,
}

/// Why `new` would not move `reading`'s file forward, or `None` when it would.
fn backward(reading: &Reading, new: &Version) -> Option<Backward> {
    let at = format!("{}:{}", reading.file, reading.line);
    let who = ecosystem(reading);
    let written = match new.render(reading.form) {
        Ok(text) => text,
        Err(e) => return Some(Backward { clause: format!("{at} cannot hold it ({e:#})"), plain: false }),
    };
    let order = new.cmp_in(&reading.version, reading.form)?;
    if order == Ordering::Greater {
        return None;
    }
    let how = if order == Ordering::Equal { "the same as" } else { "below" };
    let grammar = match reading.form {
        Form::Semver => "SemVer",
        Form::Pep440 => "PEP 440",
    };
    let mut clause = format!("{at} would hold {written}, which {who} ({grammar}) orders {how} its {}", reading.raw);
    let as_text =
        reading.form == Form::Semver && (mixes_letters_and_digits(new) || mixes_letters_and_digits(&reading.version));
    if as_text {
        clause.push_str(" (SemVer compares pre-release identifiers that hold letters as text, character by character)");
    }
    Some(Backward { clause, plain: !as_text })
}

/// The tool that orders the versions of a reading's file.
fn ecosystem(reading: &Reading) -> &'static str {
    match (reading.kind, reading.form) {
        (SourceKind::PackageJson, _) => "npm",
        (SourceKind::CargoToml, _) => "Cargo",
        (_, Form::Pep440) => "pip",
        (_, Form::Semver) => "a SemVer tool",
    }
}

fn mixes_letters_and_digits(v: &Version) -> bool {
    v.semver()
        .pre
        .split('.')
        .any(|id| id.bytes().any(|b| b.is_ascii_digit()) && id.bytes().any(|b| !b.is_ascii_digit()))
}

/// Versions that may follow `current`, with the `release` target that gives each: the next
/// pre-release in the current spelling and in the dotted one, one more identifier, the final
/// version, the next patch's first release candidate; after a final version, the next patch.
fn candidates(current: &Version) -> Vec<(Version, String)> {
    let v = current.semver();
    let base = semver::Version::new(v.major, v.minor, v.patch);
    let next_patch = semver::Version::new(v.major, v.minor, v.patch + 1);
    let with_pre = |base: &semver::Version, pre: &str| -> Option<(Version, String)> {
        let mut next = base.clone();
        next.pre = semver::Prerelease::new(pre).ok()?;
        Some((Version::from_semver(next.clone()), next.to_string()))
    };
    if v.pre.is_empty() {
        return with_pre(&next_patch, "").into_iter().collect();
    }
    let pre = v.pre.as_str();
    let digits = pre.len() - pre.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (head, number) = pre.split_at(pre.len() - digits);
    let mut pres = Vec::new();
    if let Ok(n) = number.parse::<u64>() {
        pres.push(format!("{head}{:0width$}", n + 1, width = digits));
        pres.push(format!("{}.{}", head.trim_end_matches('.'), n + 1));
    }
    pres.push(format!("{pre}.1"));
    let mut out: Vec<(Version, String)> = pres.iter().filter_map(|p| with_pre(&base, p)).collect();
    out.push((Version::from_semver(base), "ga".into()));
    out.extend(with_pre(&next_patch, "rc.1"));
    let mut seen: Vec<Version> = Vec::new();
    out.retain(|(v, _)| {
        let fresh = !seen.contains(v);
        seen.push(v.clone());
        fresh
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::{Origin, VersionSpec};
    use crate::version::sources::Reader;

    fn reading(file: &str, kind: SourceKind, form: Form, raw: &str) -> Reading {
        let spec = VersionSpec { path: file.into(), kind, pattern: None, form, origin: Origin::Configured };
        Reading {
            spec,
            file: file.into(),
            line: 3,
            column: 1,
            raw: raw.into(),
            version: Version::read(raw, form).unwrap(),
            kind,
            form,
            field: "x".into(),
            via: None,
            span: 0..raw.len(),
            reader: Reader::Plain,
        }
    }

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn npm(raw: &str) -> Reading {
        reading("package.json", SourceKind::PackageJson, Form::Semver, raw)
    }

    fn pip(raw: &str) -> Reading {
        reading("pyproject.toml", SourceKind::PyProject, Form::Pep440, raw)
    }

    #[test]
    fn forward_everywhere_is_no_problem() {
        let readings = [npm("1.2.3-rc1"), pip("1.2.3rc1")];
        assert!(order_problems(&readings, &v("1.2.3-rc1"), &v("1.2.3-rc2")).is_empty());
        assert!(order_problems(&readings, &v("1.2.3-rc1"), &v("1.2.3")).is_empty());
    }

    #[test]
    fn lower_for_everyone_is_said_plainly() {
        let readings = [npm("1.2.3"), pip("1.2.3")];
        let problems = order_problems(&readings, &v("1.2.3"), &v("1.2.2"));
        assert_eq!(
            problems,
            [
                "the new version 1.2.2 is not above the current version 1.2.3; releases only move forward (versions newer for every file: 1.2.4 (`release 1.2.4`))"
            ]
        );
    }

    #[test]
    fn text_order_in_npm_is_refused_with_what_works() {
        let readings = [npm("1.2.3-rc9"), pip("1.2.3rc9")];
        let problems = order_problems(&readings, &v("1.2.3-rc9"), &v("1.2.3-rc10"));
        let [problem] = problems.as_slice() else { panic!("{problems:?}") };
        assert!(
            problem.contains("package.json:3 would hold 1.2.3-rc10, which npm (SemVer) orders below its 1.2.3-rc9")
        );
        assert!(
            problem.contains("as text, character by character") && !problem.contains("pyproject.toml:3"),
            "{problem}"
        );
        assert!(
            problem.ends_with("versions newer for every file: 1.2.3 (`release ga`), 1.2.4-rc.1 (`release 1.2.4-rc.1`)"),
            "{problem}"
        );
        // Without a PEP 440 file, an extra identifier works too.
        let problems = order_problems(&readings[..1], &v("1.2.3-rc9"), &v("1.2.3-rc10"));
        assert!(problems[0].contains("1.2.3-rc9.1 (`release 1.2.3-rc9.1`), 1.2.3 (`release ga`)"), "{problems:?}");
    }

    #[test]
    fn the_dotted_spelling_below_a_glued_one_is_refused() {
        let readings = [npm("1.2.3-rc1")];
        let problems = order_problems(&readings, &v("1.2.3-rc1"), &v("1.2.3-rc.2"));
        assert!(problems[0].contains("newer for every file: 1.2.3-rc2 (`release 1.2.3-rc2`)"), "{problems:?}");
        // Zero-padded numbers keep their width.
        let problems = order_problems(&[npm("1.2.3-rc09")], &v("1.2.3-rc09"), &v("1.2.3-rc.1"));
        assert!(problems[0].contains("1.2.3-rc10 (`release 1.2.3-rc10`)"), "{problems:?}");
    }

    #[test]
    fn the_same_pep440_version_is_not_newer() {
        let readings = [npm("1.2.3-rc.1"), pip("1.2.3rc1")];
        let problems = order_problems(&readings, &v("1.2.3-rc.1"), &v("1.2.3-rc1"));
        let problem = &problems[0];
        assert!(
            problem
                .contains("pyproject.toml:3 would hold 1.2.3rc1, which pip (PEP 440) orders the same as its 1.2.3rc1")
        );
        assert!(!problem.contains("package.json:3"), "{problem}");
        assert!(problem.contains("1.2.3-rc.2 (`release 1.2.3-rc.2`)"), "{problem}");
        let problems = order_problems(&readings, &v("1.2.3-rc.1"), &v("1.2.3-nightly.1"));
        assert!(problems[0].contains("pyproject.toml:3 cannot hold it"), "{problems:?}");
    }
}
