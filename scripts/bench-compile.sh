#!/usr/bin/env bash
# Compile-time benchmark: a cold debug build of `cargo xtask` (the shim and the engine, as a
# fresh clone's first `cargo xtask --help` builds them) against a cold build of their
# dependencies alone (the same workspace with the engine's sources emptied: cargo still builds
# every dependency). The engine's own share is the difference. Runs are paired (deps, xtask,
# deps, xtask, ...) so a shared machine's drift hits both sides alike. For the critical path,
# `cargo build --package xtask --timings` in a fresh clone.
#
# usage: scripts/bench-compile.sh [PAIRS]   (default 2)
set -euo pipefail
pairs="${1:-2}"
top="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
work="$(mktemp -d "${TMPDIR:-/tmp}/xtask-bench-compile.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Two copies of the committed tree: one as it is, one with empty sources.
for side in full deps; do
  mkdir -p "$work/$side"
  git -C "$top" archive HEAD | tar -x -C "$work/$side"
done
# The engine (xtask/engine) and the shim (xtask) emptied: the shim still depends on the
# engine, which still depends on every crate, so cargo builds all of them.
engine="$work/deps/xtask/engine"
rm -rf "$engine/src" "$engine/tests" "$engine/examples" "$engine/benches"
mkdir -p "$engine/src"
echo '//! Empty: measures the dependencies alone.' > "$engine/src/lib.rs"
echo 'fn main() {}' > "$engine/src/main.rs"
echo 'fn main() {}' > "$work/deps/xtask/src/main.rs"

# Fetch once so no timing includes the network.
(cd "$work/full" && cargo fetch --locked -q)

now() { date +%s.%N; }
declare -a t_full t_deps
for i in $(seq "$pairs"); do
  for side in deps full; do
    rm -rf "$work/$side/target"
    start=$(now)
    # What a newcomer's first `cargo xtask --help` compiles (the alias builds the shim).
    (cd "$work/$side" && cargo build --offline --locked -q --package xtask)
    end=$(now)
    secs=$(python3 -c "print(f'{$end - $start:.2f}')")
    echo "pair $i: $side cold build ${secs}s"
    if [ "$side" = full ]; then t_full+=("$secs"); else t_deps+=("$secs"); fi
  done
done
python3 - "${t_deps[*]}" "${t_full[*]}" <<'PY'
import statistics, sys
deps = [float(x) for x in sys.argv[1].split()]
full = [float(x) for x in sys.argv[2].split()]
ratios = [f / d for d, f in zip(deps, full)]
print(f"dependencies alone: median {statistics.median(deps):.2f}s  ({', '.join(f'{x:.2f}' for x in deps)})")
print(f"xtask (cold):       median {statistics.median(full):.2f}s  ({', '.join(f'{x:.2f}' for x in full)})")
print(f"ratio xtask/deps:   median {statistics.median(ratios):.2f}  (per pair: {', '.join(f'{r:.2f}' for r in ratios)}; the engine's own share)")
PY
