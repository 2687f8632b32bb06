//! Which release a rollback restores, the version it ships as, and the releases it yanks:
//! pure functions of the release tags, the current version and the changelog's marks.

use std::cmp::Ordering;

use semver::Version;

use crate::changelog::{ReleaseTag, tag_version};
use crate::release::target::precedence;

/// The release `--to` names (a tag name, or a version with or without the tag prefix, in
/// SemVer or PEP 440 spelling), or by default the newest final release older than `current`
/// that the changelog does not mark yanked. `Err` is the problem to report.
pub fn choose(
    tags: &[ReleaseTag],
    current: &Version,
    to: Option<&str>,
    prefix: &str,
    yanked: &[Version],
) -> Result<ReleaseTag, String> {
    let Some(to) = to else {
        return tags
            .iter()
            .filter(|t| t.version.pre.is_empty() && precedence(&t.version, current) == Ordering::Less)
            .filter(|t| !yanked.iter().any(|y| precedence(y, &t.version) == Ordering::Equal))
            .max_by(|a, b| precedence(&a.version, &b.version))
            .cloned()
            .ok_or_else(|| {
                format!(
                    "there is no final release older than the current version {current} to roll back to (release tags: {}); name one with --to TAG",
                    listing(tags)
                )
            });
    };
    let found = tags.iter().find(|t| t.name == to || t.name == format!("{prefix}{to}")).or_else(|| {
        let wanted = tag_version(to, prefix).or_else(|| tag_version(to, ""))?;
        tags.iter().find(|t| precedence(&t.version, &wanted) == Ordering::Equal)
    });
    let Some(found) = found else {
        return Err(format!("--to {to}: no release tag has that name or version (release tags: {})", listing(tags)));
    };
    if precedence(&found.version, current) != Ordering::Less {
        return Err(format!(
            "--to {to}: {} is not older than the current version {current}; a rollback goes back to an earlier release (to move forward, run `cargo xtask release`)",
            found.name
        ));
    }
    Ok(found.clone())
}

/// The rollback's version: the next patch version above every release tag and the current
/// version. Above a pre-release `2.6.0-rc.1` that is `2.6.1`: `2.6.0` stays the name of the
/// release the pre-release was heading for.
pub fn next_version(tags: &[ReleaseTag], current: &Version) -> Version {
    let top = tags.iter().map(|t| &t.version).chain([current]).max_by(|a, b| precedence(a, b)).unwrap_or(current);
    Version::new(top.major, top.minor, top.patch + 1)
}

/// The releases a rollback to `target` yanks: those reachable from HEAD above the target, up
/// to and including the current version, one per version, ascending.
pub fn yanked(reachable: &[ReleaseTag], target: &ReleaseTag, current: &Version) -> Vec<ReleaseTag> {
    let mut out: Vec<ReleaseTag> = reachable
        .iter()
        .filter(|t| precedence(&t.version, &target.version) == Ordering::Greater)
        .filter(|t| precedence(&t.version, current) != Ordering::Greater)
        .cloned()
        .collect();
    out.sort_by(|a, b| precedence(&a.version, &b.version));
    out.dedup_by(|a, b| precedence(&a.version, &b.version) == Ordering::Equal);
    out
}

/// Release tags for messages: the last ten, newest last.
fn listing(tags: &[ReleaseTag]) -> String {
    if tags.is_empty() {
        return "none".into();
    }
    let skip = tags.len().saturating_sub(10);
    let names: Vec<&str> = tags[skip..].iter().map(|t| t.name.as_str()).collect();
    let more = if skip > 0 { format!("{skip} older and ") } else { String::new() };
    format!("{more}{}", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn tags(names: &[&str]) -> Vec<ReleaseTag> {
        names
            .iter()
            .map(|n| ReleaseTag { name: n.to_string(), version: tag_version(n, "v").unwrap(), commit: format!("c{n}") })
            .collect()
    }

    fn pick(names: &[&str], current: &str, to: Option<&str>, yanked: &[&str]) -> Result<String, String> {
        let yanked: Vec<Version> = yanked.iter().map(|y| v(y)).collect();
        choose(&tags(names), &v(current), to, "v", &yanked).map(|t| t.name)
    }

    #[test]
    fn the_default_is_the_newest_final_release_below_the_current_one_not_yanked() {
        let all = ["v2.4.0", "v2.5.0-rc.1", "v2.5.0", "v2.5.1-rc.1", "v2.5.1"];
        assert_eq!(pick(&all, "2.5.1", None, &[]).unwrap(), "v2.5.0");
        assert_eq!(pick(&all, "2.5.1", None, &["2.5.0"]).unwrap(), "v2.4.0");
        // After a rollback 2.5.2 (to 2.5.0, yanking 2.5.1) the bad release is never chosen.
        let after = ["v2.4.0", "v2.5.0", "v2.5.1", "v2.5.2"];
        assert_eq!(pick(&after, "2.5.2", None, &["2.5.1"]).unwrap(), "v2.5.0");
        let err = pick(&["v2.5.0-rc.1", "v2.5.0"], "2.5.0", None, &[]).unwrap_err();
        assert!(err.contains("no final release older than the current version 2.5.0"), "{err}");
        assert!(err.contains("v2.5.0-rc.1, v2.5.0") && err.contains("--to TAG"), "{err}");
        assert!(pick(&[], "0.1.0", None, &[]).unwrap_err().contains("(release tags: none)"));
    }

    #[test]
    fn to_takes_a_tag_or_a_version_in_either_spelling() {
        let all = ["v2.4.0", "v2.5.0-rc.1", "v2.5.0", "v2.5.1"];
        assert_eq!(pick(&all, "2.5.1", Some("v2.4.0"), &[]).unwrap(), "v2.4.0");
        assert_eq!(pick(&all, "2.5.1", Some("2.4.0"), &[]).unwrap(), "v2.4.0");
        assert_eq!(pick(&all, "2.5.1", Some("2.5.0rc1"), &[]).unwrap(), "v2.5.0-rc.1");
        assert_eq!(pick(&all, "2.5.1", Some("v2.5.0"), &["2.5.0"]).unwrap(), "v2.5.0", "asked for by name");
        let err = pick(&all, "2.5.1", Some("v9.9.9"), &[]).unwrap_err();
        assert!(err.starts_with("--to v9.9.9: no release tag") && err.contains("v2.4.0, v2.5.0-rc.1"), "{err}");
        assert!(pick(&all, "2.5.1", Some("nightly"), &[]).is_err());
        let err = pick(&all, "2.5.1", Some("v2.5.1"), &[]).unwrap_err();
        assert!(err.contains("v2.5.1 is not older than the current version 2.5.1"), "{err}");
    }

    #[test]
    fn the_new_version_is_the_next_patch_above_every_tag() {
        assert_eq!(next_version(&tags(&["v2.5.0", "v2.5.1"]), &v("2.5.1")), v("2.5.2"));
        assert_eq!(next_version(&tags(&["v2.5.0", "v2.5.1", "v2.5.2"]), &v("2.5.1")), v("2.5.3"));
        assert_eq!(next_version(&tags(&["v2.5.0", "v3.0.0"]), &v("2.5.0")), v("3.0.1"), "a tag on another branch");
        assert_eq!(next_version(&tags(&["v2.5.0", "v2.6.0-rc.1"]), &v("2.6.0-rc.1")), v("2.6.1"));
        assert_eq!(next_version(&tags(&["v1.0.0"]), &v("1.0.4")), v("1.0.5"), "an untagged current version");
        let with_build = next_version(&tags(&["v1.0.0+build.7"]), &v("0.9.0"));
        assert_eq!(with_build, v("1.0.1"));
    }

    #[test]
    fn yanked_are_the_releases_above_the_target_up_to_the_current_one() {
        let reachable = tags(&["v2.4.0", "v2.5.0", "v2.5.1-rc.1", "v2.5.1", "v2.5.1rc1"]);
        let target = &tags(&["v2.4.0"])[0];
        let names: Vec<String> = yanked(&reachable, target, &v("2.5.1")).into_iter().map(|t| t.name).collect();
        assert_eq!(names, ["v2.5.0", "v2.5.1-rc.1", "v2.5.1"]);
        let names: Vec<String> = yanked(&reachable, target, &v("2.5.0")).into_iter().map(|t| t.name).collect();
        assert_eq!(names, ["v2.5.0"]);
    }
}
