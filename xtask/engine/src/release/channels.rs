//! Channels by branch (`[release.channels]`): the pre-release label a branch releases, such as
//! `develop = "beta"` and `"release/*" = "rc"`. On such a branch `release auto` (and a level)
//! makes the next pre-release of that label; a branch matched by a channel may release even
//! when `release.branches` does not list it. Pure: the branch name and the table in, the label
//! out.

use crate::glob::Glob;

/// The label of the channel `branch` is on: a name written out wins over a glob, a longer glob
/// over a shorter one (`release/1.*` over `release/*`), then the first in `channels` (the
/// configuration lists them by name).
pub fn label_for<'a>(branch: &str, channels: &'a [(String, String)]) -> Option<&'a str> {
    let literal = |g: &str| !g.contains(['*', '?', '[', '{']);
    channels
        .iter()
        .filter(|(glob, _)| Glob::new(glob).is_ok_and(|g| g.is_match(branch)))
        .max_by(|(a, _), (b, _)| (literal(a), a.len()).cmp(&(literal(b), b.len())).then(std::cmp::Ordering::Greater))
        .map(|(_, label)| label.as_str())
}

/// The globs of every channel: branches a release may run on besides `release.branches`.
pub fn globs(channels: &[(String, String)]) -> impl Iterator<Item = &str> {
    channels.iter().map(|(glob, _)| glob.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(g, l)| (g.to_string(), l.to_string())).collect()
    }

    #[test]
    fn a_branch_gets_the_label_of_its_most_specific_channel() {
        let channels = table(&[("develop", "beta"), ("release/*", "rc"), ("release/1.*", "alpha"), ("dev*", "alpha")]);
        assert_eq!(label_for("develop", &channels), Some("beta"), "a name beats a glob");
        assert_eq!(label_for("devel", &channels), Some("alpha"));
        assert_eq!(label_for("release/2.0", &channels), Some("rc"));
        assert_eq!(label_for("release/1.4", &channels), Some("alpha"), "the longer glob");
        assert_eq!(label_for("main", &channels), None);
        assert_eq!(label_for("feature/develop", &channels), None);
        let tie = table(&[("a*", "beta"), ("*b", "rc")]);
        assert_eq!(label_for("ab", &tie), Some("beta"), "a tie goes to the first");
        assert_eq!(globs(&channels).collect::<Vec<_>>(), ["develop", "release/*", "release/1.*", "dev*"]);
    }
}
