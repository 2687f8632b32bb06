#!/usr/bin/env bash
# The adoption path with a real cargo build of the generated shim, as a new user takes it (too
# slow for the test suite: the engine is compiled as a dependency, with the adopter's profile):
#   1. `cargo run -p polyrelease -- init --root DIR --from path` on a fresh copy of the Lot Genius
#      fixture (a Python + npm + docs repository);
#   2. `cargo xtask quality-check` there passes, with no finding from the tool's own files;
#   3. `cargo xtask release minor` releases it, and `cargo xtask init --check` still passes;
#   4. a `cp -a` copy of the repository acts on the copy, the original is untouched;
#   5. the shim binary built there, run in another repository, acts on that repository.
# The dependencies are shared with this checkout's target folder (same profile), so only the
# engine and the shim are compiled. Offline: nothing is fetched. Called by .ci/run.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="${CHECK_INIT_TARGET:-$repo/target/check-init}"
export CARGO_NET_OFFLINE=true
export GIT_CONFIG_GLOBAL="$work/gitconfig" GIT_CONFIG_NOSYSTEM=1
printf '[user]\n\tname = Check Init\n\temail = check-init@example.com\n[init]\n\tdefaultBranch = main\n' > "$GIT_CONFIG_GLOBAL"
passed=0
step() { echo "check-init: $*" >&2; }
ok() { passed=$((passed + 1)); step "ok: $*"; }
fail() { step "FAILED: $*"; echo "$passed passed, 1 failed"; exit 1; }

fixture() {
  mkdir -p "$1"
  cp -R "$repo/xtask/engine/tests/fixtures/lot-genius/." "$1/"
  git -C "$1" init -q
  git -C "$1" add -A
  git -C "$1" commit -q -m "chore: initial import"
}

# The commands of README.md and docs/adopting.md, run as written (tests/docs_commands.rs checks
# that every fenced command there is run here, or by .ci/run); `path/to/your-repo` is the
# repository made here. In this checkout they use its own target folder.
adopter="$work/your-repo"
doc_cmd() {
  local dir="$1" cmd="${2//path\/to\/your-repo/$adopter}"
  step "documented: $2"
  (
    cd "$dir"
    if [ "$dir" = "$repo" ]; then unset CARGO_TARGET_DIR; fi
    eval "$cmd"
  ) || fail "the documented command \`$2\`"
}

fixture "$adopter"
doc_cmd "$repo" 'cargo run -p polyrelease -- init --root path/to/your-repo'
git -C "$adopter" add -A
git -C "$adopter" commit -q -m "chore: adopt polyrelease"
doc_cmd "$adopter" 'cargo xtask quality-check'
ok "init, then quality-check (the shim built by cargo)"

report="$work/report.json"
(cd "$adopter" && cargo xtask --json quality-check > "$report") || { cat "$report"; fail "quality-check --json"; }
python3 - "$report" <<'PY' || fail "quality-check found something"
import json, sys
doc = json.load(open(sys.argv[1]))
findings = [(g["name"], f["path"]) for g in doc["gates"] for f in g["findings"]]
assert doc["ok"] and not findings, findings
PY
ok "quality-check passed with zero findings"

doc_cmd "$adopter" 'cargo update -p polyrelease'
doc_cmd "$adopter" 'cargo xtask init --check'
doc_cmd "$adopter" 'cargo xtask init'
[ -z "$(git -C "$adopter" status --porcelain)" ] || { git -C "$adopter" status --short; fail "the upgrade path changed files"; }
ok "the upgrade path (cargo update, init --check, init) on an up-to-date repository changes nothing"

(cd "$adopter" && cargo xtask release minor) || fail "release minor"
[ "$(git -C "$adopter" tag --list)" = "v0.2.0" ] || fail "release minor made no v0.2.0 tag"
(cd "$adopter" && cargo xtask init --check > /dev/null) || fail "init --check after the release"
ok "release minor tagged v0.2.0; init --check passes"

copy="$work/copy"
cp -a "$adopter" "$copy"
(cd "$copy/frontend" && cargo xtask release patch --no-verify) 2> "$work/copy.err" || { cat "$work/copy.err"; fail "release in the copy"; }
grep -q "^release in $copy\$" "$work/copy.err" || { cat "$work/copy.err"; fail "the copy's release did not name the copy"; }
[ "$(git -C "$copy" tag --list | tail -1)" = "v0.2.1" ] || fail "the copy was not released"
[ "$(git -C "$adopter" tag --list)" = "v0.2.0" ] || fail "the original was released instead of the copy"
ok "a cp -a copy acts on itself; the original is untouched"

other="$work/other"
fixture "$other"
git -C "$other" mv backend service
git -C "$other" commit -q -m "refactor: rename the backend"
out="$(cd "$other/frontend" && "$CARGO_TARGET_DIR/debug/xtask" version)" || fail "the shim binary in another repository"
echo "$out" | grep -q "service/pyproject.toml" || { echo "$out"; fail "the shim binary read another repository"; }
version="$("$CARGO_TARGET_DIR/debug/xtask" --version)"
[ "$version" = "polyrelease $(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/xtask/engine/Cargo.toml" | head -1)" ] || fail "--version: $version"
ok "the shim binary acts on the repository it runs in; --version is the engine's ($version)"

# The shim with a command of its own, as docs/adopting.md shows it.
python3 - "$repo/docs/adopting.md" > "$copy/xtask/src/main.rs" <<'PY'
import sys
text = open(sys.argv[1]).read()
print(text.split("```rust\n", 1)[1].split("```", 1)[0], end="")
PY
(cd "$copy" && cargo xtask codegen && cargo xtask version > /dev/null) || fail "the shim of docs/adopting.md"
ok "a shim with its own command beside the built-in ones (docs/adopting.md)"

doc_cmd "$repo" 'bash scripts/setup.sh && cargo xtask quality-check'
ok "this repository's own gates (README.md)"

echo "check-init: $passed passed, 0 failed"
