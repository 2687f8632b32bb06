#!/usr/bin/env bash
# Benchmark: the gate cache on this repository. In a scratch clone of HEAD it times
# `quality-check` (1) with an empty cache, where every gate runs (the reference), (2) again with
# nothing changed, where every gate is cached, run as `target/debug/xtask` directly and through
# `cargo xtask` (which adds cargo's build check, timed alone as `cargo xtask --version`), (3)
# after a one-line change to a docs file, and (4) after a one-line change to a Rust file; it
# prints each time, its ratio to (1), and which gates ran. (2) and (3) are the median of RUNS
# runs; (3) changes the file before each run.
#
#   scripts/bench-gate-cache.sh          # RUNS=10
#
# Environment: BENCH_TARGET (default: $TMPDIR/bench-gate-cache-target) is the clone's
# CARGO_TARGET_DIR, kept between runs of the script so that only the first pays a cold build;
# KEEP=1 keeps the clone (its path is printed).
set -euo pipefail

top="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
runs="${RUNS:-10}"
export CARGO_TARGET_DIR="${BENCH_TARGET:-${TMPDIR:-/tmp}/bench-gate-cache-target}"
work="$(mktemp -d "${TMPDIR:-/tmp}/bench-gate-cache.XXXXXX")"
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
repo="$work/repo"
git clone -q --no-hardlinks "$top" "$repo"
echo "bench-gate-cache: clone of $(git -C "$repo" rev-parse --short HEAD) in $repo" >&2
echo "bench-gate-cache: building the xtask (target $CARGO_TARGET_DIR)" >&2
(cd "$repo" && cargo build --quiet --bin xtask)
xtask="$CARGO_TARGET_DIR/debug/xtask"
cd "$repo"

# Seconds (microseconds precision) that one run of the command took; its stdout goes to $out.
out="$work/out.json"
seconds() {
  local start end
  start=$EPOCHREALTIME
  "$@" > "$out" 2> "$work/err.txt" || { echo "bench-gate-cache: '$*' failed:" >&2; cat "$work/err.txt" >&2; exit 1; }
  end=$EPOCHREALTIME
  python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$start" "$end"
}

# The median of RUNS timed runs; `$prepare` (a function name, or `true`) runs before each.
median() {
  local prepare=$1; shift
  local times=()
  for _ in $(seq "$runs"); do
    "$prepare"
    times+=("$(seconds "$@")")
  done
  python3 -c "import statistics, sys; print(f'{statistics.median(map(float, sys.argv[1:])):.3f}')" "${times[@]}"
}

# `gate=status` of every gate of the last --json run, and the names of those that ran.
statuses() {
  python3 -c "import json, sys; print(' '.join(g['name'] + '=' + g['status'] for g in json.load(open(sys.argv[1]))['gates']))" "$out"
}
ran() {
  python3 -c "import json, sys; print(', '.join(g['name'] for g in json.load(open(sys.argv[1]))['gates'] if g['status'] in ('passed', 'failed', 'error')) or 'none')" "$out"
}
ratio() {
  python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.4f}x')" "$1" "$2"
}

change_docs() { echo "Benchmark line ${EPOCHREALTIME/./}." >> docs/architecture.md; }

rm -rf .git/xtask/gate-cache
echo "bench-gate-cache: (1) every gate runs" >&2
first=$(seconds "$xtask" --json quality-check)
first_ran=$(ran)

echo "bench-gate-cache: (2) nothing changed" >&2
unchanged=$(median true "$xtask" --json quality-check)
unchanged_statuses=$(statuses)
through_cargo=$(median true cargo xtask --json quality-check)
cargo_alone=$(median true cargo xtask --version)

echo "bench-gate-cache: (3) one docs file changed" >&2
docs=$(median change_docs "$xtask" --json quality-check)
docs_ran=$(ran)

echo "bench-gate-cache: (4) one Rust file changed" >&2
echo "// Benchmark line." >> xtask/engine/src/lib.rs
rust=$(seconds "$xtask" --json quality-check)
rust_ran=$(ran)

cat <<EOF
quality-check on $(git log -1 --format='%h %s' | cut -c1-60)
(1) empty cache:               ${first} s          ran: ${first_ran}
(2) nothing changed, xtask:    ${unchanged} s  $(ratio "$unchanged" "$first")   ${unchanged_statuses}
    nothing changed, cargo xtask: ${through_cargo} s  $(ratio "$through_cargo" "$first")   (cargo's build check alone, cargo xtask --version: ${cargo_alone} s)
(3) one docs file changed:     ${docs} s  $(ratio "$docs" "$first")   ran: ${docs_ran}
(4) one Rust file changed:     ${rust} s  $(ratio "$rust" "$first")   ran: ${rust_ran}
(2) and (3): median of ${runs} runs
EOF
[ -n "${KEEP:-}" ] && echo "bench-gate-cache: the clone is kept in $repo" >&2
exit 0
