//! The `commits` gate: every commit of the branch since its base follows Conventional Commits,
//! so that `release auto` and the changelog can trust the history. Messages are read by the
//! changelog's parser (`changelog::conventional`); this file only says what is wrong with the
//! ones it does not accept, or accepts with a part it would miss (a malformed breaking-change
//! footer). Merge commits and the tool's own release and rollback commits are accepted.

use std::time::Instant;

use anyhow::{Result, bail};

use crate::changelog::Commit;
use crate::project::{GateKind, GateSpec, Project};
use crate::report::{Finding, GateResult};

/// The types of the Conventional Commits convention (@commitlint/config-conventional).
pub const TYPES: &[&str] =
    &["feat", "fix", "docs", "style", "refactor", "perf", "test", "build", "ci", "chore", "revert"];

/// Where the checked commits start, and how it was chosen (said in the output).
#[derive(Debug, PartialEq, Eq)]
pub struct Base {
    /// `None`: the whole history.
    pub commit: Option<String>,
    pub how: String,
}

/// The gate's result; its note says which commits were checked, from which base.
pub fn result(project: &Project, name: &str, base: Option<&str>, types: &[String], start: Instant) -> GateResult {
    match run(project, base, types) {
        Ok((findings, note)) => {
            let mut r = GateResult::ran(name, findings, start.elapsed());
            r.note = Some(note);
            r
        }
        Err(e) => GateResult::error(name, format!("{e:#}"), start.elapsed()),
    }
}

/// `--base REF`: the gates with the commits gate's base replaced (`None` without the flag).
pub fn with_base(gates: &[GateSpec], base: Option<&str>) -> Result<Option<Vec<GateSpec>>> {
    let Some(base) = base else { return Ok(None) };
    if !gates.iter().any(|g| matches!(g.kind, GateKind::Commits { .. })) {
        bail!(
            "--base {base}: only the commits gate takes a base, and it is not configured; add [gates.commits] to xtask.toml"
        );
    }
    let mut gates = gates.to_vec();
    for gate in &mut gates {
        if let GateKind::Commits { base: b, .. } = &mut gate.kind {
            *b = Some(base.to_string());
        }
    }
    Ok(Some(gates))
}

/// The commits since the base and what is wrong with each; the note says how many were
/// checked and from where.
pub fn run(project: &Project, base: Option<&str>, types: &[String]) -> Result<(Vec<Finding>, String)> {
    let repo = &project.repo;
    if !repo.is_git() {
        bail!("the commits gate reads the git history, and {} is not a git repository", repo.root().display());
    }
    let base = resolve(project, base)?;
    let mut findings = Vec::new();
    let mut count = 0usize;
    repo.log_each(base.commit.as_deref(), "HEAD", |record| {
        count += 1;
        let commit = Commit::parse(record.hash, record.short, record.author, record.time, record.message);
        if let Some(what) = problem(&commit, record.message, types) {
            let subject = record.message.trim_start().lines().next().unwrap_or("").trim();
            findings.push(Finding::new("", 0, 0, format!("{} \"{subject}\": {what}", record.short)));
        }
        Ok(())
    })?;
    let commits = if count == 1 { "1 commit".to_string() } else { format!("{count} commits") };
    Ok((findings, format!("{commits} since {}", base.how)))
}

/// `--base` or `[gates.commits] base`; else the merge base with the upstream; else the newest
/// release tag HEAD reaches; else the whole history.
pub fn resolve(project: &Project, base: Option<&str>) -> Result<Base> {
    let repo = &project.repo;
    let short = |c: &str| c.chars().take(7).collect::<String>();
    if let Some(reference) = base {
        let Ok(commit) = repo.rev_parse(reference) else {
            bail!(
                "base {reference}: not a commit of this repository; give a branch, tag or commit (such as origin/main)"
            )
        };
        return Ok(Base { how: format!("{reference} ({})", short(&commit)), commit: Some(commit) });
    }
    if let Some(upstream) = repo.upstream()?
        && let Some(commit) = repo.merge_base("HEAD", &upstream)?
    {
        return Ok(Base {
            how: format!("the merge base of HEAD and {upstream} ({})", short(&commit)),
            commit: Some(commit),
        });
    }
    let tags = crate::changelog::reachable_release_tags(repo, &project.release.tag_prefix, "HEAD")?;
    if let Some(tag) = tags.last() {
        return Ok(Base { how: format!("the newest release tag {}", tag.name), commit: Some(tag.commit.clone()) });
    }
    Ok(Base { commit: None, how: "the first commit (no upstream and no release tag)".into() })
}

/// What is wrong with one commit, or `None` when it is a Conventional Commit of a known type.
pub fn problem(commit: &Commit, message: &str, extra_types: &[String]) -> Option<String> {
    if commit.is_release() {
        return None;
    }
    let header = message.trim_start().lines().next().unwrap_or("").trim();
    let known =
        || TYPES.iter().map(|t| t.to_string()).chain(extra_types.iter().cloned()).collect::<Vec<_>>().join(", ");
    if !commit.is_conventional() {
        let Some((prefix, rest)) = header.split_once(':') else {
            return Some(format!("no type: write the subject as `type: description` ({})", known()));
        };
        let word = prefix.split(['(', '!']).next().unwrap_or("").trim();
        let is_type = !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        return Some(if !is_type {
            format!("no type: `{prefix}` is not a type; write the subject as `type: description` ({})", known())
        } else if prefix.contains('(') && !prefix.trim_end_matches('!').trim_end().ends_with(')') {
            format!("malformed scope in `{prefix}`; write `{word}(scope): description`")
        } else if rest.trim().is_empty() {
            format!("empty description after `{prefix}:`")
        } else {
            format!("malformed header; write `{word}(scope): description`")
        });
    }
    let kind = commit.kind.as_str();
    if !commit.revert && !TYPES.contains(&kind) && !extra_types.iter().any(|t| t.eq_ignore_ascii_case(kind)) {
        return Some(format!("unknown type `{kind}`; the types are {} ([gates.commits] types adds more)", known()));
    }
    if let Some(open) = header.find('(')
        && header[open + 1..].trim_start().starts_with(')')
        && header.find(':').is_some_and(|colon| open < colon)
    {
        return Some(format!("empty scope `()`: name the scope or leave out the parentheses (`{kind}: ...`)"));
    }
    breaking_footer(&commit.body)
}

/// A line of the body that looks like a breaking-change footer but is not one the changelog
/// reads (`BREAKING CHANGE: what breaks`, uppercase, a colon and a text).
fn breaking_footer(body: &str) -> Option<String> {
    for line in body.lines().map(str::trim_end) {
        let upper = line.to_ascii_uppercase();
        let Some(key) =
            ["BREAKING CHANGES", "BREAKING CHANGE", "BREAKING-CHANGE"].into_iter().find(|k| upper.starts_with(k))
        else {
            continue;
        };
        let rest = &line[key.len()..];
        let well_formed = line.starts_with(key) && rest.starts_with(':');
        if !well_formed {
            return Some(format!(
                "malformed breaking-change footer `{line}`; write `BREAKING CHANGE: what breaks` (uppercase, then a colon)"
            ));
        }
        if rest[1..].trim().is_empty() {
            return Some(format!("the breaking-change footer `{line}` has no text; say what breaks after the colon"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(message: &str) -> Option<String> {
        let commit = Commit::parse("0123456789abcdef", "0123456", "A", 0, message);
        problem(&commit, message, &["wip".to_string()])
    }

    #[test]
    fn conventional_commits_pass() {
        for ok in [
            "feat: add x",
            "fix(api): handle y",
            "feat!: drop z\n\nBREAKING CHANGE: z is gone",
            "Feat(ui): case does not matter",
            "chore(release): v1.2.3",
            "Revert \"feat: add x\"\n\nThis reverts commit 0123456789abcdef.",
            "wip: a configured type",
            "refactor: x\n\nBREAKING-CHANGE: the y API",
        ] {
            assert_eq!(check(ok), None, "{ok}");
        }
    }

    #[test]
    fn each_problem_is_named() {
        let p = |m: &str| check(m).unwrap_or_else(|| panic!("{m} passed"));
        assert!(p("Add a feature").starts_with("no type: write the subject as `type: description` (feat, fix,"));
        assert!(p("Update the readme: typos").starts_with("no type: `Update the readme` is not a type"));
        assert_eq!(p("feat:"), "empty description after `feat:`");
        assert_eq!(p("feat(api: x"), "malformed scope in `feat(api`; write `feat(scope): description`");
        assert!(p("feature: x").starts_with("unknown type `feature`; the types are feat, fix,"), "{}", p("feature: x"));
        assert!(p("feat(): x").starts_with("empty scope `()`"));
        assert!(
            p("feat: x\n\nBreaking change: y").starts_with("malformed breaking-change footer `Breaking change: y`")
        );
        assert!(p("feat: x\n\nBREAKING CHANGE y").starts_with("malformed breaking-change footer"));
        assert!(
            p("feat: x\n\nBREAKING CHANGE:").starts_with("the breaking-change footer `BREAKING CHANGE:` has no text")
        );
    }
}
