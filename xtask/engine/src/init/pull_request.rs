//! The workflows of `[release] flow = "pull-request"`, written by `init` besides the others: a
//! manual one that puts the release commit on a `release/TAG` branch and opens its pull request,
//! and one that, on a push that merged it, tags the release commit and publishes the tag.

use super::workflows::{CHECKOUT_ALL, IDENTITY, SERIAL, Settings, publish_job, setup_steps, yaml_str};

/// `[release] flow = "pull-request"`, first half: a manual workflow that makes the release
/// commit on a `release/TAG` branch, pushes it and opens the pull request.
pub fn release_branch(s: &Settings) -> String {
    format!(
        r#"name: Release (pull request)

# Actions > Release (pull request) > Run workflow, with the version: the release commit goes onto
# a new release/TAG branch and a pull request opens; merging it tags it (release-tag.yml).
# A pull request opened with the workflow's own token starts no CI run: give a token of your
# own as the RELEASE_TOKEN secret for that.
on:
  workflow_dispatch:
    inputs:
      version:
        description: 'The version: 1.2.3, 1.2.3-rc.1, major, minor, patch, alpha, beta, rc, ga or auto'
        required: true
        type: string

permissions:
  contents: write
  pull-requests: write

{serial}
jobs:
  release:
    name: Release ${{{{ inputs.version }}}} (pull request)
    runs-on: ubuntu-latest
    steps:
{checkout}{setup}      - name: Release branch and pull request
        env:
          VERSION: ${{{{ inputs.version }}}}
          BASE: ${{{{ github.ref_name }}}}
          GH_TOKEN: ${{{{ secrets.RELEASE_TOKEN || github.token }}}}
        run: |
{identity}          cargo xtask --json release "$VERSION" --branch --push > "$RUNNER_TEMP/release.json"
          branch=$(jq -r '.branch' "$RUNNER_TEMP/release.json")
          title=$(git log -1 --format=%s "$branch")
          jq -r '.plan.notes' "$RUNNER_TEMP/release.json" > "$RUNNER_TEMP/notes.md"
          gh pr create --base "$BASE" --head "$branch" --title "$title" --body-file "$RUNNER_TEMP/notes.md"
"#,
        setup = setup_steps(s),
        serial = SERIAL,
        checkout = CHECKOUT_ALL,
        identity = IDENTITY,
    )
}

/// `[release] flow = "pull-request"`, second half: on every push to a release branch of
/// `release.branches`, tag a merged release commit (nothing to do otherwise) and publish it.
pub fn tag_merged(s: &Settings) -> String {
    let branches = s.branches.iter().map(|b| yaml_str(b)).collect::<Vec<_>>().join(", ");
    format!(
        r#"name: Tag merged release

# A push to {names} that merged a release pull request (release-pr.yml): its release commit is
# tagged with its notes and the tag pushed, then published by release.yml. Any other push finds
# nothing to tag and stops there.
on:
  push:
    branches: [{branches}]

permissions:
  contents: write

{serial}
jobs:
  tag:
    name: Tag the merged release
    runs-on: ubuntu-latest
    outputs:
      tag: ${{{{ steps.tag.outputs.tag }}}}
    steps:
{checkout}      - name: Tag
        id: tag
        run: |
{identity}          cargo xtask --json release --tag-merged --push > "$RUNNER_TEMP/tag.json"
          echo "tag=$(jq -r '.tagged // empty' "$RUNNER_TEMP/tag.json")" >> "$GITHUB_OUTPUT"

{publish}"#,
        publish = publish_job("tag", Some("needs.tag.outputs.tag != ''")),
        names = s.branches.join(", "),
        serial = SERIAL,
        checkout = CHECKOUT_ALL,
        identity = IDENTITY,
    )
}
