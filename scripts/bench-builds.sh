#!/usr/bin/env bash
# Two builds of the xtask on the warm benchmarks, in one hyperfine run per benchmark, so that a
# change of the build (the dev profile, a dependency) is shown not to slow what `cargo xtask`
# does at run time: the scan (`quality-check --only ascii,ellipsis` on the 300 MB docs corpus),
# the zip (`bundle` of the 200 MB frontend corpus) and the changelog (50,000 commits, since the
# first tag). Prints the medians and the ratio NEW/OLD of each.
#
#   scripts/bench-builds.sh OLD_BINARY NEW_BINARY        # RUNS=5 WARMUP=1 by default
#
# Environment: SHARED (default: <repo>/../shared, holding bench/gen_corpus.py), BENCH_DATA
# (default: $TMPDIR/benchdata; the corpora are generated there when missing), RUNS, WARMUP.
# Needs python3, git and hyperfine.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 OLD_BINARY NEW_BINARY" >&2; exit 2; }
old=$(realpath "$1")
new=$(realpath "$2")
top="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
bench="${SHARED:-$top/../shared}/bench"
data="${BENCH_DATA:-${TMPDIR:-/tmp}/benchdata}"
runs="${RUNS:-5}"
warmup="${WARMUP:-1}"
command -v hyperfine >/dev/null || { echo "bench-builds: hyperfine is required (apt-get install hyperfine)" >&2; exit 2; }
for corpus in docs frontend gitrepo; do
  [ -e "$data/$corpus" ] || python3 "$bench/gen_corpus.py" "$corpus" --out "$data"
done
work=$(mktemp -d "${TMPDIR:-/tmp}/xtask-bench-builds.XXXXXX")
trap 'rm -rf "$work"' EXIT

. "$top/scripts/bench/setups.sh"
scan_config "$work/scan.toml"
repo="$work/bundle-repo"
bundle_repo "$repo" "$data/frontend"

find "$data/docs" "$data/frontend/" "$data/gitrepo" -type f -print0 | xargs -0 cat > /dev/null

q() { printf %q "$1"; }
run() {
  local name=$1 old_cmd=$2 new_cmd=$3
  hyperfine --style basic --ignore-failure --warmup "$warmup" --runs "$runs" --export-json "$work/$name.json" \
    -n "$name.old" "$old_cmd" -n "$name.new" "$new_cmd" > "$work/$name.log"
}
scan_cmd() { echo "$1 --root $(q "$data/docs") --config $(q "$work/scan.toml") quality-check --only ascii,ellipsis > /dev/null 2>&1"; }
zip_cmd() { echo "$1 --root $(q "$repo") -q bundle --only frontend-build.zip --out $(q "$work/out-$2") && rm -rf $(q "$work/out-$2")"; }
changelog_cmd() { echo "$1 --root $(q "$data/gitrepo") changelog --since v0.1.0 > /dev/null"; }
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
run scan "$(scan_cmd "$old")" "$(scan_cmd "$new")"
run zip "$(zip_cmd "$old" old)" "$(zip_cmd "$new" new)"
run changelog "$(changelog_cmd "$old")" "$(changelog_cmd "$new")"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work" <<'PY'
import json, sys
print("\n| benchmark | old median s | new median s | new/old | new user+sys / old |")
print("|---|---:|---:|---:|---:|")
for name in ["scan", "zip", "changelog"]:
    r = {x["command"]: x for x in json.load(open(f"{sys.argv[1]}/{name}.json"))["results"]}
    o, n = r[f"{name}.old"], r[f"{name}.new"]
    cpu = lambda x: x["user"] + x["system"]
    print(f"| {name} | {o['median']:.3f} | {n['median']:.3f} | {n['median'] / o['median']:.2f} | {cpu(n) / cpu(o):.2f} |")
PY
