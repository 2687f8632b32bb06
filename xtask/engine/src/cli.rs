//! The command line. The doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Quality gates, one version everywhere, changelogs, releases, bundles and rollbacks.
#[derive(Debug, Parser)]
// `name` is what --version prints (`polyrelease X.Y.Z`, the engine's own version); `bin_name`
// is how the usage lines spell the command.
#[command(name = "polyrelease", bin_name = "cargo xtask", version, about, disable_help_subcommand = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// The repository to work on (default: the git work tree of the current directory).
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The configuration file (default: ROOT/xtask.toml, optional).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print one JSON document on stdout; human text goes to stderr.
    #[arg(long, global = true)]
    pub json: bool,
    /// When to colour the output (then NO_COLOR, then whether stderr is a terminal).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Print only errors and findings.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print every step and every external command.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the quality gates (in parallel) and report every finding.
    QualityCheck(QualityCheckArgs),
    /// List every version source with its value; --check fails when they disagree.
    Version(VersionArgs),
    /// Print release notes from Conventional Commits without releasing.
    Changelog(ChangelogArgs),
    /// Cut a release: versions, changelog, commit, annotated tag, optional atomic push.
    Release(ReleaseArgs),
    /// Build reproducible release bundles with SHA256SUMS and manifest.json, or verify them.
    Bundle(BundleArgs),
    /// Ship a new version that restores the last good release, or undo an unpushed release.
    Rollback(RollbackArgs),
    /// Scaffold the xtask shim, cargo alias, xtask.toml and CI workflows in ROOT, or --check them.
    Init(InitArgs),
}

#[derive(Debug, Clone, Default, Args)]
pub struct QualityCheckArgs {
    /// Run only these gates (comma-separated names, see --list).
    #[arg(long, value_delimiter = ',', value_name = "GATE,..")]
    pub only: Vec<String>,
    /// Skip these gates (comma-separated names).
    #[arg(long, value_delimiter = ',', value_name = "GATE,..")]
    pub skip: Vec<String>,
    /// Rewrite fixable findings in place (the ascii gate's replacement table) and report them.
    #[arg(long)]
    pub fix: bool,
    /// How many gates run at once (default: the number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Print the gates that would run, what each checks and why it was chosen.
    #[arg(long)]
    pub list: bool,
    /// Run every gate, neither reading nor recording results in the gate cache (.git/xtask/gate-cache).
    #[arg(long)]
    pub no_cache: bool,
    /// Run only the gates that read a file changed since REF (default: the merge base with the
    /// upstream); list the others as skipped.
    #[arg(long, value_name = "REF")]
    pub changed: Option<Option<String>>,
    /// The commits gate checks the commits since REF (default: the merge base with the
    /// upstream, else the newest release tag, else every commit).
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
}

#[derive(Debug, Clone, Default, Args)]
pub struct VersionArgs {
    /// Exit 1 when the version sources disagree, naming the files that differ.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Clone, Default, Args)]
pub struct ChangelogArgs {
    /// The notes of one package ([[package]] in xtask.toml): its tags, and only the commits
    /// that touch its folder or its shared paths.
    #[arg(value_name = "PACKAGE")]
    pub package: Option<String>,
    /// Only the commits since the last release tag (the default).
    #[arg(long, conflicts_with = "tag")]
    pub unreleased: bool,
    /// The notes of an existing release tag (from the tag before it).
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// Start after this tag instead of the previous release tag.
    #[arg(long, value_name = "TAG")]
    pub since: Option<String>,
}

#[derive(Debug, Clone, Default, Args)]
pub struct ReleaseArgs {
    /// VERSION (1.2.3, v1.2.3, 1.2.3-rc.1, 1.2.3rc1) or major, minor, patch, alpha, beta, rc,
    /// ga, hotfix, auto. With [[package]]s in xtask.toml: PACKAGE (or group), then its TARGET.
    #[arg(value_name = "TARGET", required_unless_present_any = ["resume", "abort", "tag_merged"])]
    pub target: Option<String>,
    /// The TARGET of the PACKAGE named first (`release app minor`).
    #[arg(value_name = "TARGET", hide_short_help = true)]
    pub then: Option<String>,
    /// Release every package of xtask.toml that TARGET moves (with auto: each fixed group and
    /// independent package that has releasable commits) in one commit and one push, a tag each.
    #[arg(long, conflicts_with_all = ["then", "branch", "tag_merged"])]
    pub all: bool,
    /// Make the new version a pre-release with this label (alpha, beta, rc).
    #[arg(long, value_name = "LABEL")]
    pub pre: Option<String>,
    /// Print the full plan (diffs, changelog, commit, tag, push) and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Push the branch and the tag with one `git push --atomic`.
    #[arg(long)]
    pub push: bool,
    /// Skip the quality gates (said loudly).
    #[arg(long)]
    pub no_verify: bool,
    /// Make the tag a signed tag (`git tag -s`).
    #[arg(long)]
    pub sign: bool,
    /// Release from a branch that `release.branches` does not list.
    #[arg(long)]
    pub allow_branch: bool,
    /// Finish a release that was interrupted (the journal under .git/ holds the plan).
    #[arg(long, conflicts_with_all = ["target", "abort", "dry_run", "pre", "push", "no_verify", "sign", "allow_branch", "branch", "tag_merged", "all"])]
    pub resume: bool,
    /// Restore the repository as it was before an interrupted release began.
    #[arg(long, conflicts_with_all = ["target", "resume", "dry_run", "pre", "push", "no_verify", "sign", "allow_branch", "branch", "tag_merged", "all"])]
    pub abort: bool,
    /// Make the release commit on a new branch release/TAG (pushed with --push) and no tag, for
    /// a pull request; the current branch stays where it is. Tag it once merged: --tag-merged.
    #[arg(long, conflicts_with_all = ["sign", "tag_merged"])]
    pub branch: bool,
    /// Tag the merged release commit on this branch (the `chore(release): TAG` commit, or the
    /// one that set an untagged version) with its notes; push the tag with --push. Exit 0 and
    /// a line saying so when there is nothing to tag.
    #[arg(long, conflicts_with_all = ["target", "pre", "no_verify"])]
    pub tag_merged: bool,
}

#[derive(Debug, Clone, Default, Args)]
pub struct BundleArgs {
    /// Build the bundles of this commit, in a temporary worktree (default: the work tree).
    #[arg(long, value_name = "REF", conflicts_with = "verify")]
    pub r#ref: Option<String>,
    /// The output folder (default: dist).
    #[arg(long, value_name = "DIR", conflicts_with = "verify")]
    pub out: Option<PathBuf>,
    /// Build only these bundles (comma-separated names).
    #[arg(long, value_delimiter = ',', value_name = "NAME,..", conflicts_with = "verify")]
    pub only: Vec<String>,
    /// Build even when tracked files have changes (the manifest then records a dirty tree).
    #[arg(long, conflicts_with = "verify")]
    pub allow_dirty: bool,
    /// Build the bundles of this package or group (of xtask.toml) with its version, into
    /// dist/NAME (default: every package whose release tag is on the commit).
    #[arg(long, value_name = "NAME", conflicts_with = "verify")]
    pub package: Option<String>,
    /// Check the checksums, archives and versions of the bundles in DIR.
    #[arg(long, value_name = "DIR")]
    pub verify: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Args)]
pub struct RollbackArgs {
    /// With [[package]]s in xtask.toml: the package (or group) to roll back; only its folders
    /// are restored, with its own versions, tags and changelog.
    #[arg(value_name = "PACKAGE")]
    pub package: Option<String>,
    /// The release to restore (default: the newest final release older than the current one).
    #[arg(long, value_name = "TAG", conflicts_with = "undo")]
    pub to: Option<String>,
    /// Why: written into the changelog and the tag message.
    #[arg(long, value_name = "TEXT", conflicts_with = "undo")]
    pub reason: Option<String>,
    /// Print the plan and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Push the branch and the tag with one `git push --atomic`.
    #[arg(long, conflicts_with = "undo")]
    pub push: bool,
    /// Skip the quality gates (said loudly).
    #[arg(long)]
    pub no_verify: bool,
    /// Release from a branch that `release.branches` does not list.
    #[arg(long)]
    pub allow_branch: bool,
    /// Remove the newest release when its tag has not been pushed: as if it never ran.
    #[arg(long)]
    pub undo: bool,
}

/// Where the shim's `polyrelease` dependency comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineSource {
    /// `path = "..."`: a local checkout of the engine (see --engine).
    Path,
    /// `git = URL, tag = "vX.Y.Z"`: a tag of the engine's repository (see --git).
    Git,
    /// `version = "X.Y.Z"`: the release on crates.io.
    Crates,
}

#[derive(Debug, Clone, Default, Args)]
pub struct InitArgs {
    /// How the shim depends on the engine (default: path when this binary's engine checkout
    /// exists, else crates). On an adopted repository the dependency is changed only when given.
    #[arg(long, value_enum, value_name = "SOURCE")]
    pub from: Option<EngineSource>,
    /// The engine checkout for --from path (default: the checkout this binary was built from).
    #[arg(long, value_name = "DIR")]
    pub engine: Option<PathBuf>,
    /// The engine's git repository for --from git.
    #[arg(long, value_name = "URL")]
    pub git: Option<String>,
    /// Change nothing; exit 1 naming every file that differs from what this version writes.
    #[arg(long, conflicts_with = "force")]
    pub check: bool,
    /// Overwrite generated files that were edited by hand (init refuses to, otherwise).
    #[arg(long)]
    pub force: bool,
}
