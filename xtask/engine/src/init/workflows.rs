//! The GitHub workflows `init` writes: CI that builds the xtask once and fans the gates out,
//! the publishing of a release tag, and the manual Release and Rollback workflows.
//!
//! Everything a workflow varies on comes from `xtask.toml` (`[release]`, `[ci]`), so a change
//! is made there and `init` writes the workflows again; inputs reach scripts through `env`,
//! never spliced into the script text.

use std::fmt::Write as _;

use anyhow::{Result, bail};

use crate::config::CiConfig;
use crate::project::ReleaseSettings;

/// What the workflows depend on.
#[derive(Debug, Clone)]
pub struct Settings {
    pub tag_prefix: String,
    /// The branches pushes to which run CI (the literal names of `release.branches`).
    pub branches: Vec<String>,
    pub python: Option<String>,
    pub node: Option<String>,
    /// Shell lines, one per `[ci] setup` command.
    pub setup: Vec<String>,
    /// `[release] flow = "pull-request"`: the workflows of release branches and their tags too.
    pub pull_request: bool,
}

impl Settings {
    pub fn new(release: &ReleaseSettings, ci: &CiConfig) -> Result<Settings> {
        let mut branches: Vec<String> =
            release.branches.iter().filter(|b| !b.contains(['*', '?', '[', '{'])).cloned().collect();
        if branches.is_empty() {
            branches.push("main".into());
        }
        let mut setup = Vec::new();
        for argv in ci.setup.iter().flatten() {
            if argv.is_empty() {
                bail!(
                    "[ci] setup: an empty command; give each command as an array of strings, such as [\"npm\", \"ci\"]"
                );
            }
            if argv.iter().any(|a| a.contains("${{")) {
                bail!(
                    "[ci] setup: `${{{{` in {argv:?} would be expanded by GitHub Actions; pass the value through the environment instead"
                );
            }
            setup.push(argv.iter().map(|a| shell_word(a)).collect::<Vec<_>>().join(" "));
        }
        Ok(Settings {
            tag_prefix: release.tag_prefix.clone(),
            branches,
            python: ci.python.clone(),
            node: ci.node.clone(),
            setup,
            pull_request: release.flow == crate::config::Flow::PullRequest,
        })
    }
}

/// (path, contents without the header) of every workflow.
pub fn all(s: &Settings) -> Vec<(&'static str, String)> {
    let mut all = vec![
        (".github/workflows/ci.yml", ci(s)),
        (".github/workflows/release.yml", publish(s)),
        (".github/workflows/release-manual.yml", manual_release(s)),
        (".github/workflows/rollback.yml", rollback(s)),
    ];
    if s.pull_request {
        all.push((".github/workflows/release-pr.yml", super::pull_request::release_branch(s)));
        all.push((".github/workflows/release-tag.yml", super::pull_request::tag_merged(s)));
    }
    all
}

/// A word as the shell reads it back unchanged.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '=' | ':' | ',' | '+' | '@'));
    if plain { word.to_string() } else { format!("'{}'", word.replace('\'', r"'\''")) }
}

/// A YAML string in single quotes.
pub(super) fn yaml_str(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The steps that make a runner ready for the gates: interpreters, then `[ci] setup`.
pub(super) fn setup_steps(s: &Settings) -> String {
    let mut out = String::new();
    if let Some(v) = &s.python {
        let _ = write!(
            out,
            "      - uses: actions/setup-python@v6\n        with:\n          python-version: {}\n",
            yaml_str(v)
        );
    }
    if let Some(v) = &s.node {
        let _ = write!(
            out,
            "      - uses: actions/setup-node@v6\n        with:\n          node-version: {}\n",
            yaml_str(v)
        );
    }
    if !s.setup.is_empty() {
        out.push_str("      - name: Set up (xtask.toml [ci] setup)\n        run: |\n");
        for line in &s.setup {
            let _ = writeln!(out, "          {line}");
        }
    }
    out
}

fn ci(s: &Settings) -> String {
    let branches = s.branches.iter().map(|b| yaml_str(b)).collect::<Vec<_>>().join(", ");
    format!(
        r#"name: CI

on:
  pull_request:
  push:
    branches: [{branches}]

permissions:
  contents: read

concurrency:
  group: ci-${{{{ github.ref }}}}
  cancel-in-progress: true

defaults:
  run:
    shell: bash

jobs:
  # The xtask is compiled once per run (dependencies cached) and handed to the gate jobs.
  build:
    name: Build the xtask
    runs-on: ubuntu-latest
    outputs:
      gates: ${{{{ steps.list.outputs.gates }}}}
    steps:
      - uses: actions/checkout@v6
      - uses: Swatinem/rust-cache@v2
      - name: Build
        run: cargo build --package xtask --locked
      - name: List the gates
        id: list
        run: |
          mkdir -p "$RUNNER_TEMP/xtask"
          cp target/debug/xtask "$RUNNER_TEMP/xtask/"
          "$RUNNER_TEMP/xtask/xtask" --json quality-check --list > "$RUNNER_TEMP/xtask/gates.json"
          echo "gates=$(jq -c '[.gates[].name]' "$RUNNER_TEMP/xtask/gates.json")" >> "$GITHUB_OUTPUT"
      - uses: actions/upload-artifact@v6
        with:
          name: xtask
          path: ${{{{ runner.temp }}}}/xtask
          retention-days: 1

  # One job per gate that `quality-check --list --json` names, all running the one binary.
  gate:
    name: ${{{{ matrix.gate }}}}
    needs: build
    if: needs.build.outputs.gates != '[]'
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        gate: ${{{{ fromJSON(needs.build.outputs.gates) }}}}
    steps:
      - uses: actions/checkout@v6
      - uses: actions/download-artifact@v7
        with:
          name: xtask
          path: ${{{{ runner.temp }}}}/xtask
      # The gate cache is keyed on content, so a result restored from an earlier run of this
      # branch (or, failing that, of any branch) is reused only where its inputs are unchanged.
      - uses: actions/cache@v5
        with:
          path: .git/xtask/gate-cache
          key: gate-cache-${{{{ runner.os }}}}-${{{{ matrix.gate }}}}-${{{{ github.head_ref || github.ref_name }}}}-${{{{ github.sha }}}}
          restore-keys: |
            gate-cache-${{{{ runner.os }}}}-${{{{ matrix.gate }}}}-${{{{ github.head_ref || github.ref_name }}}}-
            gate-cache-${{{{ runner.os }}}}-${{{{ matrix.gate }}}}-
{setup}      - name: Gate
        env:
          GATE: ${{{{ matrix.gate }}}}
        run: |
          chmod +x "$RUNNER_TEMP/xtask/xtask"
          "$RUNNER_TEMP/xtask/xtask" quality-check --only "$GATE"
"#,
        setup = setup_steps(s),
    )
}

fn publish(s: &Settings) -> String {
    let pattern = format!("{}[0-9]*", glob_escape(&s.tag_prefix));
    format!(
        r#"name: Publish

# A release tag (pushed by hand, or by the Release and Rollback workflows, which call this one):
# gates, bundles, a draft GitHub release with the notes, every bundle file uploaded, downloaded
# back and verified, then published. Safe to re-run: the release and its files are reused.
on:
  push:
    tags: [{pattern}]
  workflow_call:
    inputs:
      tag:
        description: The release tag to publish
        required: true
        type: string

permissions:
  contents: write

concurrency:
  group: publish-${{{{ inputs.tag || github.ref_name }}}}
  cancel-in-progress: false

defaults:
  run:
    shell: bash

jobs:
  publish:
    name: Publish ${{{{ inputs.tag || github.ref_name }}}}
    runs-on: ubuntu-latest
    env:
      TAG: ${{{{ inputs.tag || github.ref_name }}}}
      GH_TOKEN: ${{{{ github.token }}}}
    steps:
      - uses: actions/checkout@v6
        with:
          ref: ${{{{ inputs.tag || github.ref }}}}
          # The notes are the commits since the previous release tag: all history and tags.
          fetch-depth: 0
      - uses: Swatinem/rust-cache@v2
{setup}      - name: Gates
        run: cargo xtask quality-check
      - name: Bundle
        run: cargo xtask bundle --out "$RUNNER_TEMP/dist"
      - name: Release notes
        run: cargo xtask changelog --tag "$TAG" > "$RUNNER_TEMP/notes.md"
      - name: Draft the release and upload the bundles
        run: |
          if gh release view "$TAG" > /dev/null 2>&1; then
            gh release edit "$TAG" --notes-file "$RUNNER_TEMP/notes.md"
          else
            gh release create "$TAG" --draft --verify-tag --title "$TAG" --notes-file "$RUNNER_TEMP/notes.md"
          fi
          gh release upload "$TAG" "$RUNNER_TEMP"/dist/* --clobber
      - name: Verify what was uploaded
        run: |
          rm -rf "$RUNNER_TEMP/published"
          gh release download "$TAG" --dir "$RUNNER_TEMP/published"
          cargo xtask bundle --verify "$RUNNER_TEMP/published"
      - name: Publish
        run: |
          case "$TAG" in
            *-alpha*|*-beta*|*-rc*) prerelease=true ;;
            *) prerelease=false ;;
          esac
          gh release edit "$TAG" --draft=false --prerelease="$prerelease"
"#,
        pattern = yaml_str(&pattern),
        setup = setup_steps(s),
    )
}

/// A tag pattern of GitHub's filter syntax that matches `prefix` literally.
fn glob_escape(prefix: &str) -> String {
    prefix.chars().fold(String::new(), |mut out, c| {
        if matches!(c, '*' | '?' | '[' | ']' | '+' | '!' | '\\') {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

/// A release workflow's concurrency (one release at a time, never cancelled) and shell.
pub(super) const SERIAL: &str =
    "concurrency:\n  group: release\n  cancel-in-progress: false\n\ndefaults:\n  run:\n    shell: bash\n";

/// The steps that check out the whole history (notes and tags need it) and cache the build.
pub(super) const CHECKOUT_ALL: &str = "      - uses: actions/checkout@v6\n        with:\n          fetch-depth: 0\n      - uses: Swatinem/rust-cache@v2\n";

/// The script lines that give git the bot's identity.
pub(super) const IDENTITY: &str = "          git config user.name \"github-actions[bot]\"\n          git config user.email \"41898282+github-actions[bot]@users.noreply.github.com\"\n";

/// The job that publishes the tag the job `needs` made (when `condition` holds).
pub(super) fn publish_job(needs: &str, condition: Option<&str>) -> String {
    let condition = condition.map(|c| format!("    if: {c}\n")).unwrap_or_default();
    format!(
        "  # A tag pushed with the workflow's token starts no workflow: publish it from here.\n  publish:\n    needs: {needs}\n{condition}    permissions:\n      contents: write\n    uses: ./.github/workflows/release.yml\n    with:\n      tag: ${{{{ needs.{needs}.outputs.tag }}}}\n"
    )
}

/// A manual workflow that makes a release commit and tag with `cargo xtask`, pushes them, and
/// publishes the tag through `release.yml` (a tag pushed with the workflow's own token starts
/// no workflow by itself).
struct Pushing<'a> {
    name: &'a str,
    /// The comment under the name.
    about: &'a str,
    /// The `workflow_dispatch` inputs, as YAML at their indentation.
    inputs: &'a str,
    job_name: &'a str,
    /// The step's `env:` lines (each input, never spliced into the script).
    env: &'a str,
    /// The script after the git identity; it leaves HEAD on the new tag.
    script: &'a str,
}

fn pushing(s: &Settings, p: &Pushing) -> String {
    format!(
        r#"name: {name}

{about}
on:
  workflow_dispatch:
    inputs:
{inputs}
permissions:
  contents: write

{serial}
jobs:
  release:
    name: {job_name}
    runs-on: ubuntu-latest
    outputs:
      tag: ${{{{ steps.push.outputs.tag }}}}
    steps:
{checkout}{setup}      - name: {job_name}
        id: push
        env:
{env}        run: |
{identity}{script}          echo "tag=$(git describe --tags --exact-match HEAD)" >> "$GITHUB_OUTPUT"

{publish}"#,
        serial = SERIAL,
        checkout = CHECKOUT_ALL,
        identity = IDENTITY,
        publish = publish_job("release", None),
        name = p.name,
        about = p.about,
        inputs = p.inputs,
        job_name = p.job_name,
        setup = setup_steps(s),
        env = p.env,
        script = p.script,
    )
}

fn manual_release(s: &Settings) -> String {
    pushing(
        s,
        &Pushing {
            name: "Release",
            about: "# Actions > Release > Run workflow, with the version: the release commit and tag are pushed,\n# then published by release.yml.",
            inputs: "      version:\n        description: 'The version: 1.2.3, 1.2.3-rc.1, major, minor, patch, alpha, beta, rc, ga or auto'\n        required: true\n        type: string\n",
            job_name: "Release ${{ inputs.version }}",
            env: "          VERSION: ${{ inputs.version }}\n",
            script: "          cargo xtask release \"$VERSION\" --push\n",
        },
    )
}

fn rollback(s: &Settings) -> String {
    let inputs = format!(
        "      version:\n        description: 'The release to restore (1.2.2 or {}1.2.2); empty: the newest final release before the current one'\n        required: false\n        type: string\n      reason:\n        description: Why (written into the changelog and the tag message)\n        required: false\n        type: string\n",
        s.tag_prefix.replace('\'', "''")
    );
    pushing(
        s,
        &Pushing {
            name: "Rollback",
            about: "# Actions > Rollback > Run workflow, with the release to restore: a new version whose content is\n# that release is committed, tagged, pushed, then published by release.yml.",
            inputs: &inputs,
            job_name: "Roll back",
            env: "          VERSION: ${{ inputs.version }}\n          REASON: ${{ inputs.reason }}\n",
            script: "          args=()\n          if [ -n \"$VERSION\" ]; then args+=(--to \"$VERSION\"); fi\n          if [ -n \"$REASON\" ]; then args+=(--reason \"$REASON\"); fi\n          cargo xtask rollback \"${args[@]}\" --push\n",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_words_are_quoted_for_the_shell() {
        assert_eq!(shell_word("--prefix"), "--prefix");
        assert_eq!(shell_word("it's here"), r"'it'\''s here'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(glob_escape("v"), "v");
        assert_eq!(glob_escape("rel+"), r"rel\+");
    }

    /// `main`, the `v` prefix, no interpreters or setup, both flows' workflows.
    fn plain() -> Settings {
        Settings {
            tag_prefix: "v".into(),
            branches: vec!["main".into()],
            python: None,
            node: None,
            setup: vec![],
            pull_request: true,
        }
    }

    #[test]
    fn each_gate_job_restores_its_gate_cache_keyed_on_the_branch() {
        let s = plain();
        let ci = ci(&s);
        let gate_job = &ci[ci.find("\n  gate:").expect("a gate job")..];
        let cache = &gate_job[gate_job.find("actions/cache@").expect("a cache step in the gate job")..];
        let before_gate = &cache[..cache.find("- name: Gate").expect("the cache is restored before the gate runs")];
        assert!(before_gate.contains("path: .git/xtask/gate-cache"), "{before_gate}");
        assert!(
            before_gate.contains(
                "key: gate-cache-${{ runner.os }}-${{ matrix.gate }}-${{ github.head_ref || github.ref_name }}-"
            ),
            "{before_gate}"
        );
        assert!(before_gate.contains("restore-keys:"), "{before_gate}");
    }

    #[test]
    fn inputs_reach_scripts_only_through_the_environment() {
        let s = plain();
        for (path, text) in all(&s) {
            for line in text.lines().filter(|l| l.contains("${{")) {
                let trimmed = line.trim_start();
                assert!(
                    !trimmed.starts_with("cargo") && !trimmed.starts_with("echo") && !trimmed.starts_with("gh "),
                    "{path}: an expression inside a script line: {line}"
                );
            }
        }
    }
}
