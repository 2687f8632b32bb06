//! Unit tests of the version grammars, forms and orders.

use super::*;

fn v(s: &str) -> Version {
    Version::parse(s).unwrap_or_else(|e| panic!("{s}: {e:#}"))
}

fn read(s: &str, form: Form) -> Result<String> {
    Version::read(s, form).map(|v| v.to_string())
}

#[test]
fn typed_versions_are_semver_first_then_pep440() {
    for s in ["1.2.3rc1", "1.2.3.rc1", "1.2.3_rc_1", "v1.2.3rc1", "V1.2.3-rc.1", " 1.2.3c1 ", "1.2.3-rc.1"] {
        assert_eq!(v(s).to_string(), "1.2.3-rc.1", "{s}");
    }
    assert_eq!(v("1.2.3a1").to_string(), "1.2.3-alpha.1");
    assert_eq!(v("1.2.3b2").to_string(), "1.2.3-beta.2");
    assert_eq!(v("1.2.3pre4").to_string(), "1.2.3-rc.4");
    assert_eq!(v("v1.2.3").to_string(), "1.2.3");
    assert_eq!(v("1.2.3rc").to_string(), "1.2.3-rc.0", "PEP 440: a missing number is 0");
    assert_eq!(v("1.02.3").to_string(), "1.2.3", "not SemVer, so PEP 440, which drops leading zeros");
    // Valid SemVer stays SemVer, as typed.
    assert_eq!(v("1.2.3-rc1").semver().pre.as_str(), "rc1");
    assert_eq!(v("1.2.3-rc").semver().pre.as_str(), "rc");
    assert_eq!(v("1.2.3-x.7.z.92+build.5").to_string(), "1.2.3-x.7.z.92+build.5");
    for s in ["vv1.2.3", "banana", "1.2.3.post1", "1.2"] {
        assert!(Version::parse(s).is_err(), "{s}");
    }
    assert!(Version::parse("").unwrap_err().to_string().contains("empty"));
}

#[test]
fn a_pep440_file_is_read_by_pep440() {
    let pep = |s: &str| read(s, Form::Pep440);
    for (s, want) in [
        ("1.2.3-rc1", "1.2.3-rc.1"),
        ("1.2.3-rc", "1.2.3-rc.0"),
        ("0!1.2.3", "1.2.3"),
        ("1.2.3.RC.1", "1.2.3-rc.1"),
        ("v1.2.3a1", "1.2.3-alpha.1"),
        ("01.2.3", "1.2.3"),
    ] {
        assert_eq!(pep(s).unwrap(), want, "{s}");
    }
    for (s, part, normal) in [
        ("1.2.3-1", "post-release 1 of 1.2.3", "1.2.3.post1"),
        ("1.2.3-post1", "post-release", "1.2.3.post1"),
        ("1.2.3rc1.post2", "post-release 2 of the pre-release 1.2.3rc1", "1.2.3rc1.post2"),
        ("1.2.3-dev.4", "dev release 4 before 1.2.3", "1.2.3.dev4"),
        ("1.2.3+local", "local version label +local", "1.2.3+local"),
        ("1!1.2.3", "epoch 1!", "1!1.2.3"),
    ] {
        let err = pep(s).unwrap_err().to_string();
        assert!(err.contains(part) && err.contains(normal) && err.contains("no SemVer equivalent"), "{s}: {err}");
    }
    assert!(pep("1.2.3-1").unwrap_err().to_string().contains("such as 1.2.4 or 1.2.4rc1"));
    assert!(pep("1.2.3-dev.4").unwrap_err().to_string().contains("such as 1.2.3a1 or 1.2.3"));
    let err = pep("1.2").unwrap_err().to_string();
    assert!(err.contains("exactly three") && err.contains("1.2.0"), "{err}");
    assert!(pep("1.2.3.4").unwrap_err().to_string().contains("4 release numbers"));
    assert!(pep("1.2.3-x.1").unwrap_err().to_string().contains("not a PEP 440 version"));
}

#[test]
fn a_semver_file_is_read_by_semver_only() {
    let sem = |s: &str| read(s, Form::Semver);
    assert_eq!(sem("1.2.3-rc1").unwrap(), "1.2.3-rc1");
    assert_eq!(sem("1.2.3-1").unwrap(), "1.2.3-1");
    assert_eq!(sem("v1.2.3-dev.4").unwrap(), "1.2.3-dev.4");
    let err = sem("01.2.3").unwrap_err().to_string();
    assert!(err.contains("leading zero") && err.contains("write it 1.2.3"), "{err}");
    let err = sem("1.2.3rc1").unwrap_err().to_string();
    assert!(err.contains("not SemVer 2.0.0") && err.contains("write it 1.2.3-rc.1"), "{err}");
    for s in ["vv1.2.3", "V1.2.3", "1.2", "1.2.3-01", "1.2.3.post1"] {
        assert!(sem(s).is_err(), "{s}");
    }
}

#[test]
fn forms_follow_the_spec_table() {
    for (canonical, pep) in
        [("1.2.0", "1.2.0"), ("1.2.0-alpha.1", "1.2.0a1"), ("1.2.0-beta.2", "1.2.0b2"), ("1.2.0-rc.10", "1.2.0rc10")]
    {
        assert_eq!(v(canonical).render(Form::Pep440).unwrap(), pep);
        assert_eq!(v(canonical).render(Form::Semver).unwrap(), canonical);
        assert_eq!(v(pep), v(canonical));
    }
    // A glued SemVer pre-release is what packaging makes of the same string.
    assert_eq!(v("1.2.0-rc1").render(Form::Pep440).unwrap(), "1.2.0rc1");
    assert_eq!(v("1.2.0-beta3").render(Form::Pep440).unwrap(), "1.2.0b3");
    assert_eq!(v("1.2.0-rc").render(Form::Pep440).unwrap(), "1.2.0rc0");
}

#[test]
fn labels_pep440_cannot_hold_are_errors() {
    for (s, why) in [
        ("1.2.0-nightly.1", "no PEP 440 equivalent"),
        ("1.2.0-rc.1.2", "no PEP 440 equivalent"),
        ("1.2.0-0.3", "no PEP 440 equivalent"),
        ("1.2.0-1", "post-release"),
        ("1.2.0-dev.4", "dev release"),
        ("1.2.0+build.7", "build metadata"),
    ] {
        let err = v(s).render(Form::Pep440).unwrap_err().to_string();
        assert!(err.contains("PEP 440") && err.contains(why), "{s}: {err}");
    }
}

#[test]
fn held_as_and_ordered_in_each_ecosystem() {
    assert!(v("1.2.3-rc1").is_held_as(&v("1.2.3-rc.1"), Form::Pep440));
    assert!(!v("1.2.3-rc1").is_held_as(&v("1.2.3-rc.1"), Form::Semver));
    assert!(v("1.2.3-rc").is_held_as(&v("1.2.3rc0"), Form::Pep440));
    assert!(!v("1.2.3-nightly").is_held_as(&v("1.2.3-nightly"), Form::Pep440));
    let cmp = |a: &str, b: &str, form| v(a).cmp_in(&v(b), form);
    assert_eq!(cmp("1.2.3-rc10", "1.2.3-rc9", Form::Semver), Some(Ordering::Less));
    assert_eq!(cmp("1.2.3-rc10", "1.2.3-rc9", Form::Pep440), Some(Ordering::Greater));
    assert_eq!(cmp("1.2.3-rc.2", "1.2.3-rc1", Form::Semver), Some(Ordering::Less));
    assert_eq!(cmp("1.2.3-rc1", "1.2.3-rc.1", Form::Semver), Some(Ordering::Greater));
    assert_eq!(cmp("1.2.3-rc1", "1.2.3-rc.1", Form::Pep440), Some(Ordering::Equal));
    assert_eq!(cmp("1.2.3+b2", "1.2.3+b1", Form::Semver), Some(Ordering::Equal));
    assert_eq!(cmp("1.2.3-nightly", "1.2.3", Form::Pep440), None);
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
    assert!(v("1.3.0b1").is_prerelease());
}
