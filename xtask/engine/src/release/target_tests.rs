//! Unit tests of the version arithmetic of every release target and of the ordering rules.

use super::*;

fn v(s: &str) -> Version {
    Version::parse(s).unwrap()
}

fn next(current: &str, target: &str, pre: Option<&str>) -> Result<Version> {
    let inputs = Inputs { pre: pre.map(String::from), ..Inputs::default() };
    next_version(&v(current), &Target::parse(target), &inputs)
}

fn ok(current: &str, target: &str, pre: Option<&str>) -> String {
    next(current, target, pre).unwrap_or_else(|e| panic!("{current} {target} {pre:?}: {e:#}")).to_string()
}

fn err(current: &str, target: &str, pre: Option<&str>) -> String {
    match next(current, target, pre) {
        Ok(got) => panic!("{current} {target} {pre:?} gave {got}, expected a refusal"),
        Err(e) => format!("{e:#}"),
    }
}

#[test]
fn levels_from_final_versions() {
    assert_eq!(ok("1.2.3", "major", None), "2.0.0");
    assert_eq!(ok("1.2.3", "minor", None), "1.3.0");
    assert_eq!(ok("1.2.3", "patch", None), "1.2.4");
    assert_eq!(ok("0.1.0", "minor", None), "0.2.0");
    assert_eq!(ok("0.0.0", "patch", None), "0.0.1");
    assert_eq!(ok("1.2.3+build.5", "patch", None), "1.2.4");
}

#[test]
fn levels_finish_a_pre_release_of_their_own_version() {
    assert_eq!(ok("1.3.0-rc.2", "minor", None), "1.3.0");
    assert_eq!(ok("1.3.0-rc.2", "patch", None), "1.3.0");
    assert_eq!(ok("1.3.0-rc.2", "major", None), "2.0.0");
    assert_eq!(ok("2.0.0-beta.1", "major", None), "2.0.0");
    assert_eq!(ok("1.3.1-rc.1", "minor", None), "1.4.0");
    assert_eq!(ok("1.3.1-rc.1", "patch", None), "1.3.1");
}

#[test]
fn levels_with_pre_start_a_channel() {
    assert_eq!(ok("1.2.0", "minor", Some("rc")), "1.3.0-rc.1");
    assert_eq!(ok("1.2.0", "major", Some("alpha")), "2.0.0-alpha.1");
    assert_eq!(ok("1.2.0", "patch", Some("beta")), "1.2.1-beta.1");
    assert_eq!(ok("0.1.0", "minor", Some("rc")), "0.2.0-rc.1");
}

#[test]
fn levels_with_pre_continue_the_current_channel() {
    assert_eq!(ok("1.3.0-rc.1", "minor", Some("rc")), "1.3.0-rc.2");
    assert_eq!(ok("1.3.0-rc.1", "patch", Some("rc")), "1.3.0-rc.2");
    assert_eq!(ok("1.3.0-beta.4", "minor", Some("rc")), "1.3.0-rc.1");
    assert_eq!(ok("1.3.0-rc.1", "major", Some("rc")), "2.0.0-rc.1");
    assert_eq!(ok("1.3.1-rc.1", "minor", Some("rc")), "1.4.0-rc.1");
    // A label below the current one gives a lower version; the ordering check refuses it.
    let lower = next("1.3.0-rc.1", "minor", Some("beta")).unwrap();
    assert_eq!(lower.to_string(), "1.3.0-beta.1");
    assert!(check_order(&lower, &v("1.3.0-rc.1"), &[], false).is_err());
}

#[test]
fn pre_release_steps() {
    assert_eq!(ok("1.3.0-rc.1", "rc", None), "1.3.0-rc.2");
    assert_eq!(ok("1.3.0-rc.9", "rc", None), "1.3.0-rc.10");
    assert_eq!(ok("1.3.0-rc.10", "rc", None), "1.3.0-rc.11");
    assert_eq!(ok("1.3.0-rc.1", "rc", Some("rc")), "1.3.0-rc.2");
    assert_eq!(ok("1.3.0-alpha.2", "beta", None), "1.3.0-beta.1");
    assert_eq!(ok("1.3.0-alpha.2", "rc", None), "1.3.0-rc.1");
    assert_eq!(ok("1.3.0-beta.7", "beta", None), "1.3.0-beta.8");
    assert_eq!(ok("1.3.0-rc", "rc", None), "1.3.0-rc.1");
}

#[test]
fn a_pre_release_step_from_a_final_version_explains_the_level() {
    let e = err("1.2.0", "rc", None);
    assert!(e.contains("release minor --pre rc"), "{e}");
    assert!(e.contains("1.3.0-rc.1"), "{e}");
    assert!(e.contains("1.2.1-rc.1") && e.contains("2.0.0-rc.1"), "{e}");
}

#[test]
fn a_lower_pre_release_label_is_refused() {
    let e = err("1.3.0-rc.1", "beta", None);
    assert!(e.contains("1.3.0-beta.1") && e.contains("below"), "{e}");
    let e = err("1.3.0-beta.1", "alpha", None);
    assert!(e.contains("below"), "{e}");
}

#[test]
fn odd_pre_releases_ask_for_an_explicit_version() {
    let e = err("1.3.0-rc.1.2", "rc", None);
    assert!(e.contains("LABEL.N"), "{e}");
    let e = err("1.3.0-0.3", "rc", None);
    assert!(e.contains("LABEL.N"), "{e}");
}

#[test]
fn contradicting_labels_and_unknown_labels() {
    assert!(err("1.3.0-rc.1", "rc", Some("beta")).contains("two labels"));
    let e = err("1.2.0", "minor", Some("dev"));
    assert!(e.contains("alpha, beta, rc"), "{e}");
}

#[test]
fn ga_promotes() {
    assert_eq!(ok("1.3.0-rc.10", "ga", None), "1.3.0");
    assert_eq!(ok("2.0.0-alpha.1", "ga", None), "2.0.0");
    assert!(err("1.3.0", "ga", None).contains("already a final version"));
    assert!(err("1.3.0-rc.1", "ga", Some("rc")).contains("--pre"));
}

#[test]
fn hotfix_is_a_patch() {
    assert_eq!(ok("1.2.3", "hotfix", None), "1.2.4");
    assert_eq!(ok("1.2.3", "hotfix", Some("rc")), "1.2.4-rc.1");
    assert_eq!(ok("1.2.4-rc.1", "hotfix", None), "1.2.4");
}

#[test]
fn auto_follows_the_commits_with_the_zero_major_rule() {
    let auto = |current: &str, level: Option<Level>, pre: Option<&str>| {
        let inputs = Inputs {
            pre: pre.map(String::from),
            auto_level: level,
            auto_reason: "3 commits since v0.1.0, none releasable".into(),
            ..Inputs::default()
        };
        next_version(&v(current), &Target::Auto, &inputs)
    };
    assert_eq!(auto("1.2.3", Some(Level::Major), None).unwrap().to_string(), "2.0.0");
    assert_eq!(auto("1.2.3", Some(Level::Minor), None).unwrap().to_string(), "1.3.0");
    assert_eq!(auto("1.2.3", Some(Level::Patch), None).unwrap().to_string(), "1.2.4");
    assert_eq!(auto("0.4.1", Some(Level::Major), None).unwrap().to_string(), "0.5.0");
    assert_eq!(auto("0.4.1", Some(Level::Minor), None).unwrap().to_string(), "0.5.0");
    assert_eq!(auto("0.4.1", Some(Level::Patch), None).unwrap().to_string(), "0.4.2");
    assert_eq!(auto("1.3.0-rc.1", Some(Level::Patch), Some("rc")).unwrap().to_string(), "1.3.0-rc.2");
    let e = format!("{:#}", auto("1.2.3", None, None).unwrap_err());
    assert!(e.contains("nothing to release") && e.contains("none releasable"), "{e}");
}

#[test]
fn explicit_versions() {
    let inputs = Inputs { explicit: Some(v("1.2.3-rc.1")), ..Inputs::default() };
    let got = next_version(&v("1.2.2"), &Target::parse("1.2.3rc1"), &inputs).unwrap();
    assert_eq!(got.to_string(), "1.2.3-rc.1");
    let e = next_version(&v("1.2.2"), &Target::parse("banana"), &Inputs::default()).unwrap_err();
    assert!(format!("{e:#}").contains("banana: not a version"), "{e:#}");
    let inputs = Inputs { explicit: Some(v("1.3.0")), pre: Some("rc".into()), ..Inputs::default() };
    assert!(next_version(&v("1.2.2"), &Target::parse("1.3.0"), &inputs).is_err());
}

#[test]
fn ordering_against_current_and_tags() {
    let tags = |names: &[&str]| -> Vec<TagVersion> {
        names.iter().map(|n| TagVersion { name: format!("v{n}"), version: v(n) }).collect()
    };
    let all = tags(&["1.2.3", "1.3.0", "2.0.0-rc.1"]);
    assert!(check_order(&v("2.0.0"), &v("1.3.0"), &all, false).is_ok());
    let e = check_order(&v("1.3.1"), &v("1.3.0"), &all, false).unwrap_err();
    assert!(e.0.contains("v2.0.0-rc.1") && e.0.contains("hotfix"), "{e}");
    let e = check_order(&v("1.2.3"), &v("1.2.3"), &all, false).unwrap_err();
    assert!(e.0.contains("not above the current version"), "{e}");
    assert!(check_order(&v("1.2.2"), &v("1.2.3"), &[], false).is_err());
    // rc.10 is above rc.9: numeric identifiers compare as numbers.
    assert!(check_order(&v("1.0.0-rc.10"), &v("1.0.0-rc.9"), &tags(&["1.0.0-rc.9"]), false).is_ok());
    // Build metadata does not make a version newer.
    assert!(check_order(&v("1.3.0+b2"), &v("1.3.0+b1"), &[], false).is_err());
}

#[test]
fn hotfix_ordering_is_per_line() {
    let all: Vec<TagVersion> = ["1.2.3", "1.2.4", "1.3.0", "2.0.0"]
        .iter()
        .map(|n| TagVersion { name: format!("v{n}"), version: v(n) })
        .collect();
    assert!(check_order(&v("1.2.5"), &v("1.2.4"), &all, true).is_ok());
    assert!(check_order(&v("1.2.5"), &v("1.2.4"), &all, false).is_err());
    let e = check_order(&v("1.2.4"), &v("1.2.3"), &all, true).unwrap_err();
    assert!(e.0.contains("v1.2.4") && e.0.contains("1.2 line"), "{e}");
}

#[test]
fn a_glued_pre_release_continues_in_its_own_spelling() {
    assert_eq!(ok("1.3.0-rc1", "rc", None), "1.3.0-rc2");
    assert_eq!(ok("1.3.0-rc09", "rc", None), "1.3.0-rc10");
    assert_eq!(ok("1.3.0-RC1", "rc", None), "1.3.0-RC2");
    assert_eq!(ok("1.3.0-a1", "alpha", None), "1.3.0-a2");
    assert_eq!(ok("1.3.0-beta3", "rc", None), "1.3.0-rc1");
    assert_eq!(ok("1.3.0-rc1", "patch", Some("rc")), "1.3.0-rc2");
    assert_eq!(ok("1.2.3-rc1", "minor", Some("rc")), "1.3.0-rc1", "a new channel in the same spelling");
    assert_eq!(ok("1.3.0-rc1", "ga", None), "1.3.0");
    // The arithmetic gives rc10; the files refuse it where npm orders it below rc9.
    assert_eq!(ok("1.3.0-rc9", "rc", None), "1.3.0-rc10");
    assert!(err("1.3.0-rc1", "beta", None).contains("below"));
}

#[test]
fn an_explicit_version_takes_one_prefix() {
    let parsed = |text: &str, prefix: &str| explicit_version(text, prefix).map(|v| v.to_string());
    assert_eq!(parsed("v2.5.0", "v").unwrap(), "2.5.0");
    assert_eq!(parsed("2.5.0rc1", "v").unwrap(), "2.5.0-rc.1");
    assert_eq!(parsed("2.5.0-rc1", "v").unwrap(), "2.5.0-rc1");
    assert_eq!(parsed("app-v2.5.0", "app-v").unwrap(), "2.5.0");
    assert_eq!(parsed("v2.5.0", "app-v").unwrap(), "2.5.0");
    assert_eq!(parsed("2.5.0", "").unwrap(), "2.5.0");
    for (text, prefix) in [("vv2.5.0", "v"), ("vV2.5.0", "v"), ("app-vv2.5.0", "app-v"), ("v2.5.0.post1", "v")] {
        let e = parsed(text, prefix).unwrap_err();
        assert!(e.starts_with(&format!("{text}: not a version")), "{e}");
    }
}
