#!/usr/bin/env bash
# Cold-build benchmark of an adopted repository: what a newcomer's first `cargo xtask --help`
# compiles in a fresh clone of a repository that adopted the engine with `init`. The fixture
# (the Lot Genius backend, frontend and docs) gets the shim from `polyrelease init`, with the
# engine as a dependency by path (a checkout next to it) or by git (a local clone of this
# repository, tagged as init expects: what adopters who depend on a tag or on crates.io build,
# where the engine is not a local crate). Each run removes target/ and times
# `cargo build --package xtask`; the last run is made with `--timings`, and the script prints
# the units that took longest, their sum (the CPU work) and the wall time.
#
# usage: scripts/bench-adopted-build.sh [RUNS] [path|git]   (default: 3 git)
#        TIMINGS=FILE keeps the HTML report of the --timings run.
set -euo pipefail
runs="${1:-3}"
from="${2:-git}"
top="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
work="$(mktemp -d "${TMPDIR:-/tmp}/xtask-bench-adopted.XXXXXX")"
trap 'rm -rf "$work"' EXIT

say() { printf '\n== %s\n' "$*" >&2; }

say "the engine at $(git -C "$top" rev-parse --short HEAD), adopted by $from"
(cd "$top" && cargo build -q --package polyrelease --bin polyrelease)
bin="$top/target/debug/polyrelease"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$top/xtask/engine/Cargo.toml" | head -1)"

# The engine as the adopter gets it: a clean copy of the committed tree.
engine="$work/engine"
git clone -q --no-hardlinks "$top" "$engine"
git -C "$engine" tag -f "v$version" >/dev/null

repo="$work/repo"
cp -a "$top/xtask/engine/tests/fixtures/lot-genius" "$repo"
git -C "$repo" init -q -b main
git -C "$repo" -c user.name=Bench -c user.email=bench@example.com add -A
git -C "$repo" -c user.name=Bench -c user.email=bench@example.com commit -q -m "chore: import"
case "$from" in
  path) "$bin" --root "$repo" -q init --from path --engine "$engine" ;;
  git) "$bin" --root "$repo" -q init --from git --git "file://$engine" ;;
  *) echo "error: the engine comes by path or git, not $from" >&2; exit 2 ;;
esac
say "fetching once, so that no timing includes a download"
(cd "$repo" && cargo fetch -q)

now() { date +%s.%N; }
declare -a walls
for i in $(seq "$runs"); do
  rm -rf "$repo/target"
  timings=()
  [ "$i" = "$runs" ] && timings=(--timings)
  say "run $i of $runs; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  start=$(now)
  (cd "$repo" && cargo build --offline -q --package xtask "${timings[@]}")
  end=$(now)
  walls+=("$(python3 -c "print(f'{$end - $start:.2f}')")")
  echo "run $i: ${walls[-1]}s"
done

[ -n "${TIMINGS:-}" ] && cp "$repo/target/cargo-timings/cargo-timing.html" "$TIMINGS"
python3 - "$repo/target/cargo-timings/cargo-timing.html" "${walls[*]}" <<'PY'
import json, re, statistics, sys
html = open(sys.argv[1]).read()
units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", html, re.S).group(1))
walls = [float(w) for w in sys.argv[2].split()]
print(f"\ncold build: median {statistics.median(walls):.2f}s ({', '.join(f'{w:.2f}' for w in walls)})")
print(f"units: {len(units)}, sum of their times (CPU work) {sum(u['duration'] for u in units):.1f}s in the --timings run")
print("\n| unit | start s | took s |\n|---|---:|---:|")
for u in sorted(units, key=lambda u: -u["duration"])[:int(__import__('os').environ.get('TOP', '12'))]:
    print(f"| {u['name']} {u.get('target', '').strip()} | {u['start']:.1f} | {u['duration']:.1f} |")

# The critical path: from the unit that ended last, back through the unit whose end (or whose
# metadata, for a pipelined start) let each one start, the latest such.
by_index = {u["i"]: u for u in units}
unblocked_by = {}
for u in units:
    for i in u["unblocked_units"] + u["unblocked_rmeta_units"]:
        unblocked_by.setdefault(i, []).append(u)
def name(u):
    return f"{u['name']}{' ' + u['target'].strip() if u['target'].strip() else ''}"
path = [max(units, key=lambda u: u["start"] + u["duration"])]
while unblocked_by.get(path[-1]["i"]):
    path.append(max(unblocked_by[path[-1]["i"]], key=lambda u: u["start"] + u["duration"]))
print("\ncritical path (start s + took s):")
print(" <- ".join(f"{name(u)} ({u['start']:.1f}+{u['duration']:.1f})" for u in path))
PY
