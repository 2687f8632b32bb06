//! Differential test: the xtask's PEP 440 rendering, parsing and ordering against Python's
//! `packaging` (installed by scripts/setup.sh) on a generated set of versions; how a PEP 440
//! file is read (`Version::read`), and how a SemVer version is written into one.

mod differential;

use polyrelease::config::Form;
use polyrelease::version::Version;

/// Every major/minor/patch in 0..3 with no pre-release, and alpha/beta/rc 0..=12.
fn generated() -> Vec<Version> {
    let mut out = Vec::new();
    for major in 0..3 {
        for minor in 0..3 {
            for patch in 0..3 {
                out.push(Version::parse(&format!("{major}.{minor}.{patch}")).unwrap());
                for label in ["alpha", "beta", "rc"] {
                    for n in 0..=12 {
                        out.push(Version::parse(&format!("{major}.{minor}.{patch}-{label}.{n}")).unwrap());
                    }
                }
            }
        }
    }
    out
}

/// A fixed shuffle (no clock, no randomness): the order packaging receives.
fn shuffled<T: Clone>(items: &[T]) -> Vec<T> {
    let mut keyed: Vec<(u64, T)> = items
        .iter()
        .enumerate()
        .map(|(i, x)| ((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17), x.clone()))
        .collect();
    keyed.sort_by_key(|(k, _)| *k);
    keyed.into_iter().map(|(_, x)| x).collect()
}

const SPELLINGS: &[&str] = &[
    "1.2.3",
    "v1.2.3",
    " 1.2.3 ",
    "1.2.3rc1",
    "1.2.3RC1",
    "1.2.3.rc1",
    "1.2.3-rc1",
    "1.2.3_rc_1",
    "1.2.3-rc.1",
    "1.2.3c1",
    "1.2.3pre1",
    "1.2.3preview1",
    "1.2.3a1",
    "1.2.3alpha1",
    "1.2.3-alpha.1",
    "1.2.3.a.1",
    "1.2.3b2",
    "1.2.3beta2",
    "1.2.3-beta.2",
    "1.2.3rc",
    "1.2.3-rc10",
    "01.02.03",
    "1.2.3rc01",
    "1.2",
    "1",
    "1.2.3.4",
    "1.2.3.post1",
    "1.2.3-1",
    "1.2.3rc1.post2",
    "1.2.3.dev4",
    "1.2.3rc1.dev1",
    "1!1.2.3",
    "1.2.3+local.7",
    "1.2.3-dev.4",
    "1.2.3-x.7.z.92",
    "banana",
    // The cases: the dash forms are PEP 440's post, dev and local parts in a PEP 440 file.
    "1.2.3-rc",
    "0!1.2.3",
    "1.2.3-post1",
    "1.2.3-dev4",
    "1.2.3+local",
    "1.2.3.RC.1",
    "1.2.3-preview_2",
    "1.2.3rev",
    "1.2.3r2",
    "1.2.3a1-1",
    "1.2.3-rc.1.2",
    "v1.2.3rc01",
    "1.2.3 ",
    "vv1.2.3",
    "1.2.3-",
];

/// SemVer versions as SemVer files hold them: each is written into a PEP 440 file as what
/// packaging makes of the same string, when that is a pre-release (or a final version).
const SEMVER: &[&str] = &[
    "1.2.3",
    "1.2.3-rc.1",
    "1.2.3-rc1",
    "1.2.3-rc01",
    "1.2.3-RC.1",
    "1.2.3-rc",
    "1.2.3-rc.0",
    "1.2.3-rc9",
    "1.2.3-rc10",
    "1.2.3-c.2",
    "1.2.3-pre.3",
    "1.2.3-preview.4",
    "1.2.3-alpha",
    "1.2.3-alpha.1",
    "1.2.3-a1",
    "1.2.3-beta3",
    "1.2.3-b.2",
    "1.2.3-1",
    "1.2.3-post.1",
    "1.2.3-dev.4",
    "1.2.3-rc.1.2",
    "1.2.3-nightly.1",
    "1.2.3-x.7",
    "1.2.3-0",
    "1.2.4-rc.1",
    "1.2.10",
];

fn python_packaging(input: &serde_json::Value) -> serde_json::Value {
    let script = differential::script("pep440_differential.py");
    differential::run("python3", &script, input, "install python3, then run scripts/setup.sh for `packaging`")
}

#[test]
fn pep440_forms_and_order_agree_with_packaging() {
    let versions = generated();
    assert!(versions.len() > 1000);
    let pep = |v: &Version| v.render(Form::Pep440).unwrap();
    let rendered: Vec<String> = shuffled(&versions).iter().map(pep).collect();
    let pairs: Vec<[String; 2]> = versions.iter().map(|v| [v.to_string(), pep(v)]).collect();
    let spellings: Vec<&str> = SPELLINGS.iter().chain(SEMVER).copied().collect();
    let renderable: Vec<&str> = SEMVER
        .iter()
        .copied()
        .filter(|s| Version::read(s, Form::Semver).unwrap().render(Form::Pep440).is_ok())
        .collect();
    let out = python_packaging(&serde_json::json!({
        "rendered": rendered,
        "pairs": pairs,
        "spellings": spellings,
        "versions": renderable,
    }));

    // Every rendered form is packaging's own normalised form, and names the same version
    // as the SemVer form.
    assert_eq!(out["errors"], serde_json::json!([]), "packaging {}", out["packaging"]);

    // Sorting by packaging equals sorting by our Ord.
    let mut ours = versions.clone();
    ours.sort();
    let ours: Vec<String> = ours.iter().map(pep).collect();
    let theirs: Vec<String> = serde_json::from_value(out["sorted"].clone()).unwrap();
    assert_eq!(theirs, ours);

    // Parsing every PEP 440 spelling gives packaging's version, or a refusal exactly where
    // the version has no SemVer equivalent.
    for spelling in SPELLINGS {
        let normalized = out["normalized"][spelling].as_str();
        match (Version::parse(spelling), normalized) {
            (Ok(v), Some(n)) if v.render(Form::Pep440).is_ok() => {
                assert_eq!(v.render(Form::Pep440).unwrap(), n, "{spelling:?}");
            }
            (Ok(v), _) => assert!(
                v.render(Form::Pep440).is_err() && v.is_prerelease() || !v.semver().build.is_empty(),
                "{spelling:?} was read as {v}, which PEP 440 spells {normalized:?}"
            ),
            (Err(e), Some(n)) => {
                let release = n.split(|c: char| !c.is_ascii_digit() && c != '.').next().unwrap_or("");
                let no_equivalent = ["!", "post", "dev", "+"].iter().any(|p| n.contains(p))
                    || release.trim_end_matches('.').split('.').count() != 3;
                assert!(no_equivalent, "{spelling:?} is {n} for packaging but the xtask refused it: {e:#}");
            }
            (Err(_), None) => {}
        }
    }

    // A PEP 440 file is read by packaging's grammar: its version, or a refusal exactly where
    // packaging's version has no SemVer equivalent, naming packaging's normal form.
    for spelling in &spellings {
        let parts = &out["parts"][spelling];
        let normal = out["normalized"][spelling].as_str();
        let plain = !parts.is_null()
            && parts["epoch"] == 0
            && parts["release"].as_array().unwrap().len() == 3
            && parts["post"].is_null()
            && parts["dev"].is_null()
            && parts["local"].is_null();
        match Version::read(spelling, Form::Pep440) {
            Ok(v) => {
                assert!(plain, "{spelling:?} was read as {v}, but packaging reads {normal:?} ({parts})");
                assert_eq!(v.render(Form::Pep440).unwrap(), normal.unwrap(), "{spelling:?}");
            }
            Err(e) => {
                assert!(!plain, "{spelling:?} is {normal:?} for packaging, but the tool refuses it: {e:#}");
                let three = !parts.is_null() && parts["release"].as_array().unwrap().len() == 3;
                if let (Some(n), true) = (normal, three) {
                    assert!(format!("{e:#}").contains(n), "{spelling:?}: the refusal names {n}: {e:#}");
                }
            }
        }
    }

    // A SemVer version is written into a PEP 440 file as packaging reads its string, and only
    // when packaging reads a pre-release (or a final version) there.
    for text in SEMVER {
        let parts = &out["parts"][text];
        let pre_only =
            !parts.is_null() && parts["post"].is_null() && parts["dev"].is_null() && parts["local"].is_null();
        match Version::read(text, Form::Semver).unwrap().render(Form::Pep440) {
            Ok(rendered) => assert_eq!(Some(rendered.as_str()), out["normalized"][text].as_str(), "{text}"),
            Err(e) => assert!(!pre_only, "{text} is {} for packaging, but cannot be written: {e:#}", parts),
        }
    }

    // The order of every pair, as pip orders what the PEP 440 files hold.
    let compared = differential::comparisons(&out["compare"]);
    assert_eq!(compared.len(), renderable.len() * renderable.len());
    let semver = |s: &str| Version::read(s, Form::Semver).unwrap();
    for (a, b, theirs) in compared {
        assert_eq!(semver(a).cmp_in(&semver(b), Form::Pep440), Some(theirs), "{a} vs {b}");
    }
}
