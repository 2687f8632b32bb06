//! Differential test: the tool's SemVer grammar (how a package.json, Cargo.toml or VERSION
//! file is read), its SemVer order, and the pre-release steps of `release`, against npm's own
//! `semver` package (installed into tests/npm by scripts/setup.sh).

mod differential;

use std::cmp::Ordering;

use polyrelease::config::Form;
use polyrelease::release::target::{Inputs, Level, Target, next_version};
use polyrelease::version::Version;

const SPELLINGS: &[&str] = &[
    "1.2.3",
    "v1.2.3",
    " 1.2.3 ",
    "V1.2.3",
    "vv1.2.3",
    "=1.2.3",
    "01.2.3",
    "1.02.3",
    "1.2.03",
    "1.2",
    "1.2.3.4",
    "1.2.3rc1",
    "1.2.3.rc1",
    "1.2.3-rc1",
    "1.2.3-rc01",
    "1.2.3-rc.1",
    "1.2.3-rc.01",
    "1.2.3-01",
    "1.2.3-0",
    "1.2.3-1",
    "1.2.3-rc",
    "1.2.3-RC.1",
    "1.2.3-dev.4",
    "1.2.3-post1",
    "1.2.3-x-y.7--z",
    "1.2.3-",
    "1.2.3-rc..1",
    "1.2.3-rc_1",
    "1.2.3+build.01",
    "1.2.3-rc.1+build.5",
    "1.2.3+",
    "1.2.3-\u{3b1}",
    "9007199254740991.0.0",
    "9007199254740992.0.0",
    "1.9007199254740992.0",
    "banana",
    "",
];

/// Versions whose every pair is ordered by both.
const VERSIONS: &[&str] = &[
    "0.9.9",
    "1.2.3-0",
    "1.2.3-1",
    "1.2.3-9",
    "1.2.3-10",
    "1.2.3-01a",
    "1.2.3-A",
    "1.2.3-RC.1",
    "1.2.3-a1",
    "1.2.3-alpha",
    "1.2.3-alpha.1",
    "1.2.3-alpha.1.1",
    "1.2.3-alpha1",
    "1.2.3-b2",
    "1.2.3-beta",
    "1.2.3-beta.2",
    "1.2.3-beta.11",
    "1.2.3-beta2",
    "1.2.3-rc",
    "1.2.3-rc.0",
    "1.2.3-rc.1",
    "1.2.3-rc.2",
    "1.2.3-rc.9",
    "1.2.3-rc.10",
    "1.2.3-rc.1.2",
    "1.2.3-rc1",
    "1.2.3-rc2",
    "1.2.3-rc9",
    "1.2.3-rc10",
    "1.2.3-rc09",
    "1.2.3-rc9.1",
    "1.2.3-rc-1",
    "1.2.3-x.7.z.92",
    "1.2.3",
    "1.2.4-rc.1",
    "1.2.10",
    "1.10.0",
    "2.0.0-alpha",
];

/// Pre-releases `release` continues (and the final versions it starts channels from).
const CURRENTS: &[&str] = &[
    "1.2.3",
    "1.2.3-rc",
    "1.2.3-rc.1",
    "1.2.3-rc.9",
    "1.2.3-rc1",
    "1.2.3-rc9",
    "1.2.3-rc09",
    "1.2.3-rc99",
    "1.2.3-beta3",
    "1.2.3-beta.3",
    "1.2.3-alpha.2",
    "1.2.3-a1",
    "1.2.3-RC1",
];

/// Explicit steps: the two cases and the versions the tool offers instead.
const EXPLICIT: &[[&str; 2]] = &[
    ["1.2.3-rc1", "1.2.3-rc.2"],
    ["1.2.3-rc9", "1.2.3-rc10"],
    ["1.2.3-rc9", "1.2.3-rc.10"],
    ["1.2.3-rc9", "1.2.3-rc9.1"],
    ["1.2.3-rc9", "1.2.3"],
    ["1.2.3-rc9", "1.2.4-rc.1"],
    ["1.2.3-rc1", "1.2.3-rc2"],
    ["1.2.3-rc09", "1.2.3-rc10"],
    ["1.2.3-rc.1", "1.2.3-rc1"],
];

fn npm_semver(input: &serde_json::Value) -> serde_json::Value {
    let installed = differential::script("npm/node_modules/semver/package.json");
    assert!(
        installed.is_file(),
        "npm's semver package is not installed ({}); run scripts/setup.sh",
        installed.display()
    );
    let script = differential::script("semver_differential.js");
    differential::run("node", &script, input, "install node and npm, then run scripts/setup.sh")
}

fn v(s: &str) -> Version {
    Version::read(s, Form::Semver).unwrap_or_else(|e| panic!("{s}: {e:#}"))
}

/// Every pre-release step `release` offers from `current`: `alpha`, `beta`, `rc`, and the
/// levels with `--pre rc`; the refusals of the arithmetic itself are left out.
fn steps(current: &str) -> Vec<(String, String)> {
    let targets = [
        (Target::Pre("alpha".into()), None),
        (Target::Pre("beta".into()), None),
        (Target::Pre("rc".into()), None),
        (Target::Level(Level::Patch), Some("rc")),
        (Target::Level(Level::Minor), Some("rc")),
    ];
    let current_semver = v(current).semver().clone();
    targets
        .into_iter()
        .filter_map(|(target, pre)| {
            let inputs = Inputs { pre: pre.map(String::from), ..Inputs::default() };
            let next = next_version(&current_semver, &target, &inputs).ok()?;
            Some((format!("{target:?} {pre:?}"), next.to_string()))
        })
        .collect()
}

#[test]
fn semver_grammar_order_and_steps_agree_with_npm() {
    let mut all_steps: Vec<[String; 2]> = Vec::new();
    let mut described: Vec<String> = Vec::new();
    for current in CURRENTS {
        for (how, next) in steps(current) {
            described.push(format!("{current} -> {next} ({how})"));
            all_steps.push([current.to_string(), next]);
        }
    }
    for [current, next] in EXPLICIT {
        described.push(format!("{current} -> {next} (explicit)"));
        all_steps.push([current.to_string(), next.to_string()]);
    }
    assert!(all_steps.len() > 40, "{described:#?}");
    let out = npm_semver(&serde_json::json!({
        "spellings": SPELLINGS,
        "versions": VERSIONS,
        "steps": all_steps,
    }));

    // A SemVer file holds exactly what npm accepts, read as npm reads it.
    for spelling in SPELLINGS {
        let npm = out["valid"][spelling].as_str();
        match (Version::read(spelling, Form::Semver), npm) {
            (Ok(ours), Some(theirs)) => {
                let mut bare = ours.semver().clone();
                bare.build = semver::BuildMetadata::EMPTY;
                assert_eq!(bare.to_string(), theirs, "{spelling:?} (npm {})", out["semver"]);
            }
            (Err(_), None) => {}
            (Ok(ours), None) => panic!("{spelling:?} is read as {ours}, but npm refuses it"),
            (Err(e), Some(theirs)) => panic!("{spelling:?} is {theirs} for npm, but the tool refuses it: {e:#}"),
        }
    }

    // Every pair is ordered as npm orders it.
    let pairs = differential::comparisons(&out["compare"]);
    assert_eq!(pairs.len(), VERSIONS.len() * VERSIONS.len());
    for (a, b, theirs) in pairs {
        assert_eq!(v(a).cmp_in(&v(b), Form::Semver), Some(theirs), "{a} vs {b}");
    }

    // The tool lets a step through for a SemVer file exactly when npm says it is newer.
    let gt = out["gt"].as_array().unwrap();
    for (([current, next], npm), what) in all_steps.iter().zip(gt).zip(&described) {
        let ours = v(next).cmp_in(&v(current), Form::Semver) == Some(Ordering::Greater);
        assert_eq!(ours, npm.as_bool().unwrap(), "{what}");
    }

    // The cases: rc1 continues as rc2; rc9 -> rc10 and rc1 -> rc.2 are refused by npm.
    assert!(described.contains(&"1.2.3-rc1 -> 1.2.3-rc2 (Pre(\"rc\") None)".to_string()), "{described:#?}");
    assert!(described.contains(&"1.2.3-rc09 -> 1.2.3-rc10 (Pre(\"rc\") None)".to_string()), "{described:#?}");
    let refused = |from: &str, to: &str| {
        let i = all_steps.iter().position(|s| s[0] == from && s[1] == to).unwrap();
        !gt[i].as_bool().unwrap()
    };
    assert!(refused("1.2.3-rc9", "1.2.3-rc10") && refused("1.2.3-rc1", "1.2.3-rc.2"));
}
