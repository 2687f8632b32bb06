//! Differential test: the xtask's PEP 440 rendering, parsing and ordering against Python's
//! `packaging` (installed by scripts/setup.sh) on a generated set of versions.

use std::io::Write;
use std::process::{Command, Stdio};

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
];

fn python_packaging(input: &serde_json::Value) -> serde_json::Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pep440_differential.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (install it, then run scripts/setup.sh)");
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the differential script failed (is `packaging` installed? run scripts/setup.sh):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn pep440_forms_and_order_agree_with_packaging() {
    let versions = generated();
    assert!(versions.len() > 1000);
    let pep = |v: &Version| v.render(Form::Pep440).unwrap();
    let rendered: Vec<String> = shuffled(&versions).iter().map(pep).collect();
    let pairs: Vec<[String; 2]> = versions.iter().map(|v| [v.to_string(), pep(v)]).collect();
    let out = python_packaging(&serde_json::json!({
        "rendered": rendered,
        "pairs": pairs,
        "spellings": SPELLINGS,
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
}
