//! Channels by branch (seed S2): `[release.channels]` maps branch globs to pre-release labels;
//! `release auto` on `develop` gives the next beta of the version the commits call for
//! (`0.2.0-beta.1`, then `0.2.0-beta.2`; the PEP 440 files hold `0.2.0b1`, `0.2.0b2`), and on
//! `main`, once develop is merged, the final version. A branch matched by no channel and not
//! in `release.branches` is refused as before.

mod release_common;
mod support;

use release_common::{Project, lot_genius, planned_version};

fn with_channels() -> Project {
    let p = lot_genius();
    p.write(
        "xtask.toml",
        "[release]\nname = \"lot-genius\"\n\n[release.channels]\ndevelop = \"beta\"\n\"release/*\" = \"rc\"\n",
    );
    p.commit_all("chore: release channels");
    p
}

fn pyproject_version(p: &Project) -> String {
    let text = p.read("backend/pyproject.toml");
    let line = text.lines().find(|l| l.starts_with("version = ")).unwrap().to_string();
    line.split('"').nth(1).unwrap().to_string()
}

#[test]
fn auto_on_develop_gives_betas_and_on_main_the_final_version() {
    let p = with_channels();
    p.git(&["switch", "-q", "-c", "develop"]);
    p.change("feat(api): estimate whole lots");
    p.release(&["auto", "--no-verify"]).code(0);
    assert_eq!(p.subject(), "chore(release): v0.2.0-beta.1");
    assert_eq!(pyproject_version(&p), "0.2.0b1");
    assert!(p.read("frontend/package.json").contains("\"version\": \"0.2.0-beta.1\""));
    p.change("fix: round prices");
    // --pre still wins over the channel's label.
    assert_eq!(planned_version(&p, &["auto", "--pre", "rc"]), "0.2.0-rc.1");
    p.release(&["auto", "--no-verify"]).code(0);
    assert_eq!(p.subject(), "chore(release): v0.2.0-beta.2");
    assert_eq!(pyproject_version(&p), "0.2.0b2");

    p.tick();
    p.git(&["switch", "-q", "main"]);
    p.git(&["merge", "-q", "--no-ff", "-m", "Merge branch 'develop'", "develop"]);
    // No commit since 0.2.0-beta.2 but the merge: the commits since 0.1.0 decide.
    p.release(&["auto", "--no-verify"]).code(0);
    assert_eq!(p.subject(), "chore(release): v0.2.0");
    assert_eq!(pyproject_version(&p), "0.2.0");
    let tags = p.tags();
    assert!(["v0.2.0-beta.1", "v0.2.0-beta.2", "v0.2.0"].iter().all(|t| tags.contains(&t.to_string())), "{tags:?}");
    let log = p.read("CHANGELOG.md");
    let final_section = &log[log.find("## [0.2.0] -").expect("a 0.2.0 section")..];
    let final_section = &final_section[..final_section[3..].find("\n## ").map_or(final_section.len(), |n| n + 3)];
    assert!(final_section.contains("estimate whole lots") && final_section.contains("round prices"), "{log}");
}

#[test]
fn a_release_branch_channel_gives_release_candidates_and_other_branches_are_refused() {
    let p = with_channels();
    p.git(&["switch", "-q", "-c", "release/0.2"]);
    p.change("feat: bulk pricing");
    assert_eq!(planned_version(&p, &["auto"]), "0.2.0-rc.1");
    assert_eq!(planned_version(&p, &["minor"]), "0.2.0-rc.1", "the levels too");
    assert_eq!(planned_version(&p, &["0.2.0"]), "0.2.0", "an explicit version is as given");
    p.git(&["switch", "-q", "-c", "feature/x"]);
    let snapshot = p.snapshot();
    let run = p.release(&["auto", "--no-verify"]);
    run.code(2);
    assert!(
        run.stderr.contains("releases are cut from")
            && run.stderr.contains("(release.branches and release.channels), not feature/x"),
        "{run}"
    );
    support::assert_same(&snapshot, &p.snapshot());
}

#[test]
fn a_channel_with_a_label_no_ecosystem_spells_is_a_configuration_error() {
    let p = lot_genius();
    p.write("xtask.toml", "[release]\nname = \"lot-genius\"\n\n[release.channels]\ndevelop = \"nightly\"\n");
    p.commit_all("chore: a bad channel");
    let snapshot = p.snapshot();
    let run = p.release(&["auto", "--no-verify"]);
    run.code(2);
    assert!(
        run.stderr.contains("xtask.toml") && run.stderr.contains("line 5") && run.stderr.contains("nightly"),
        "{run}"
    );
    support::assert_same(&snapshot, &p.snapshot());
}
