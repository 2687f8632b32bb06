#!/usr/bin/env bash
# Benchmark: `cargo xtask bundle` archiving the 200 MB frontend corpus, against Info-ZIP
# `zip -r -6` and Python's zipfile, in one hyperfine run; then output sizes and peak memory.
#
#   scripts/bench-bundle.sh [RUNS]        (default 5 counted runs, 1 warm-up)
#
# Environment: SHARED (default: <repo>/../shared, holding bench/gen_corpus.py and bench/pyzip.py),
# BENCH_DATA (default: $TMPDIR/benchdata, where the corpus is generated once), XTASK_BIN (default:
# the debug build, which is what `cargo xtask` runs), PAIRS (default 3: alternating runs of xtask
# and Info-ZIP after the hyperfine run, for a ratio that a busy shared machine disturbs less).
set -euo pipefail

runs="${1:-5}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
. "$repo/scripts/bench/setups.sh"
shared="${SHARED:-$repo/../shared}"
data="${BENCH_DATA:-${TMPDIR:-/tmp}/benchdata}"
work="$data/bundle-bench"
out="$data/out"

for tool in python3 zip unzip git cargo; do
  command -v "$tool" >/dev/null || { echo "bench-bundle: $tool is required" >&2; exit 2; }
done
if ! command -v hyperfine >/dev/null; then
  echo "bench-bundle: installing hyperfine" >&2
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq hyperfine
  else
    cargo install --locked hyperfine
  fi
fi

# The corpus: 2,765 files, 198.6 MiB (generated once; same bytes every time).
if [ ! -d "$data/frontend" ]; then
  python3 "$shared/bench/gen_corpus.py" frontend --out "$data"
fi

# The binary `cargo xtask` runs: a debug build whose runtime crates are optimised.
if [ -z "${XTASK_BIN:-}" ]; then
  cargo build --quiet --manifest-path "$repo/Cargo.toml" -p xtask
  XTASK_BIN="$repo/target/debug/xtask"
fi

mkdir -p "$out"
bundle_repo "$work" "$data/frontend"

xtask_cmd="$XTASK_BIN --root $work -q bundle --only frontend-build.zip --out $out/xtask"
infozip_cmd="rm -f $out/fe.infozip.zip && cd $data/frontend && zip -r -6 -q $out/fe.infozip.zip ."
python_cmd="rm -f $out/fe.python.zip && python3 $shared/bench/pyzip.py zip $data/frontend $out/fe.python.zip"

# Warm the page cache so every command reads the same cached input.
find "$data/frontend" -type f -print0 | xargs -0 cat > /dev/null

hyperfine --warmup 1 --runs "$runs" --export-json "$out/bench-bundle.json" \
  -n xtask "$xtask_cmd" -n infozip "$infozip_cmd" -n python "$python_cmd"

# On a shared machine the runs of one command can all land in a busy moment: also time xtask
# and Info-ZIP alternately (A B A B ..) and report the ratio of each pair.
pairs="${PAIRS:-3}"
if [ "$pairs" -gt 0 ]; then
  echo
  echo "Paired runs (xtask / Info-ZIP wall time, $pairs pairs):"
  for i in $(seq "$pairs"); do
    /usr/bin/time -f %e -o "$out/time-a.txt" sh -c "$xtask_cmd" >/dev/null 2>&1
    /usr/bin/time -f %e -o "$out/time-b.txt" sh -c "$infozip_cmd" >/dev/null 2>&1
    a=$(tail -1 "$out/time-a.txt")
    b=$(tail -1 "$out/time-b.txt")
    awk -v a="$a" -v b="$b" -v i="$i" 'BEGIN { printf "  pair %d: xtask %.2f s, infozip %.2f s, ratio %.3f\n", i, a, b, a / b }'
  done
fi

echo
echo "Peak memory (/usr/bin/time -v, one run each):"
for name in xtask infozip python; do
  cmd_var="${name}_cmd"
  rss=$(/usr/bin/time -v sh -c "${!cmd_var}" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p')
  awk -v n="$name" -v k="$rss" 'BEGIN { printf "  %-8s %6.1f MiB\n", n, k / 1024 }'
done

echo
unzip -tq "$out/xtask/frontend-build.zip"
"$XTASK_BIN" bundle --verify "$out/xtask"

python3 - "$out" <<'EOF'
import json, os, sys
out = sys.argv[1]
results = {r["command"]: r for r in json.load(open(os.path.join(out, "bench-bundle.json")))["results"]}
sizes = {
    "xtask": os.path.getsize(os.path.join(out, "xtask", "frontend-build.zip")),
    "infozip": os.path.getsize(os.path.join(out, "fe.infozip.zip")),
    "python": os.path.getsize(os.path.join(out, "fe.python.zip")),
}
base = results["infozip"]["median"]
print()
print("| command | median s | min-max s | vs Info-ZIP time | output bytes | vs Info-ZIP size |")
print("|---|---:|---|---:|---:|---:|")
for name in ["xtask", "infozip", "python"]:
    r = results[name]
    print("| %s | %.3f | %.3f-%.3f | %.2fx | %d | %+.2f%% |" % (
        name, r["median"], r["min"], r["max"], r["median"] / base, sizes[name],
        100.0 * (sizes[name] - sizes["infozip"]) / sizes["infozip"]))
EOF
