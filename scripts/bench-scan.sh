#!/usr/bin/env bash
# Benchmark: `quality-check --only ascii,ellipsis` on the 300 MB, 20,000-file docs corpus,
# against ripgrep doing the same two searches and the Python checker (naive and fast), in one
# hyperfine run; then throughput, peak RSS, and the findings checked against the manifest.
#
#   scripts/bench-scan.sh              # RUNS=3 WARMUP=1 PROFILE=dev (what `cargo xtask` runs)
#   RUNS=5 PROFILE=release scripts/bench-scan.sh
#   BASELINE=/tmp/xtask-old scripts/bench-scan.sh   # also time an older build, same settings
#
# `xtask` runs the ellipsis gate in its strict mode (`mode = "any"`, every `...` as `rg -F`
# finds it), so its findings are checked line for line against the manifest and ripgrep;
# `xtask-placeholders` runs the default mode (the language-aware placeholder check) for its
# time. BASELINE is a binary from before `mode` existed: its configuration leaves `mode` out.
#
# Environment: SHARED (default: ../shared beside the repository) holds bench/gen_corpus.py,
# check_ascii.py and verify.py; BENCH_DATA (default: $TMPDIR/benchdata) holds the corpus, which
# is generated when missing (REGEN=1 generates it again).
set -euo pipefail

top="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
bench="${SHARED:-$top/../shared}/bench"
data="${BENCH_DATA:-${TMPDIR:-/tmp}/benchdata}"
runs="${RUNS:-3}"
warmup="${WARMUP:-1}"
profile="${PROFILE:-dev}"
helper="$top/scripts/bench/scan_report.py"
. "$top/scripts/bench/setups.sh"
out="$data/out/scan"
py="$(command -v python3)"

[ -f "$bench/gen_corpus.py" ] || { echo "bench-scan: $bench/gen_corpus.py not found; set SHARED" >&2; exit 2; }

# Tools: ripgrep and hyperfine for the run, GNU time for peak memory.
missing=()
command -v rg >/dev/null || missing+=(ripgrep)
command -v hyperfine >/dev/null || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench-scan: installing ${missing[*]}" >&2
  apt-get install -y "${missing[@]}" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "${missing[@]}" >/dev/null; }
fi

if [ -n "${REGEN:-}" ] || [ ! -f "$data/docs_manifest.tsv" ] || [ ! -d "$data/docs" ]; then
  "$py" "$bench/gen_corpus.py" docs --out "$data"
fi

echo "bench-scan: building the xtask ($profile profile)" >&2
(cd "$top" && cargo build --quiet --profile "$profile" --bin xtask)
dir="$profile"
[ "$profile" = dev ] && dir=debug
xtask="${CARGO_TARGET_DIR:-$top/target}/$dir/xtask"

config="$data/bench-scan.xtask.toml"
base_config="$data/bench-scan.default.xtask.toml"
scan_config "$base_config"
{ cat "$base_config"; echo 'mode = "any"'; } > "$config"

mkdir -p "$out"
xtask_cmd="$xtask --root docs --config $config quality-check --only ascii,ellipsis > $out/xtask.txt 2> /dev/null"
placeholders_cmd="$xtask --root docs --config $base_config quality-check --only ascii,ellipsis > $out/xtask-placeholders.txt 2> /dev/null"
extra=(-n xtask-placeholders "$placeholders_cmd")
pairs=("xtask-placeholders|$placeholders_cmd")
if [ -n "${BASELINE:-}" ]; then
  baseline_cmd="$BASELINE --root docs --config $base_config quality-check --only ascii,ellipsis > $out/baseline.txt 2> /dev/null"
  extra+=(-n xtask-baseline "$baseline_cmd")
  pairs+=("xtask-baseline|$baseline_cmd")
fi
rg_cmd="rg -n --no-heading '(?-u:[\x80-\xFF])' docs > $out/rg.ascii.txt; rg -n --no-heading -F '...' docs > $out/rg.ellipsis.txt" # allow-ellipsis
naive_cmd="$py $bench/check_ascii.py --mode naive docs > $out/naive.ascii.txt; $py $bench/check_ascii.py --mode naive --ellipsis docs > $out/naive.ellipsis.txt"
fast_cmd="$py $bench/check_ascii.py --mode fast docs > $out/fast.ascii.txt; $py $bench/check_ascii.py --mode fast --ellipsis docs > $out/fast.ellipsis.txt"

cd "$data"
# Warm the page cache once, so every command reads from memory.
find docs -type f -print0 | xargs -0 cat > /dev/null

hyperfine --ignore-failure --warmup "$warmup" --runs "$runs" --export-json "$out/hyperfine.json" \
  -n xtask "$xtask_cmd" "${extra[@]}" -n ripgrep "$rg_cmd" -n check_ascii.py-naive "$naive_cmd" -n check_ascii.py-fast "$fast_cmd"

# Peak memory: the largest process of each command (GNU time reports the biggest child).
: > "$out/rss.tsv"
for pair in "xtask|$xtask_cmd" "${pairs[@]}" "ripgrep|$rg_cmd" "check_ascii.py-naive|$naive_cmd" "check_ascii.py-fast|$fast_cmd"; do
  name="${pair%%|*}"
  cmd="${pair#*|}"
  /usr/bin/time -f "%M" -o "$out/rss.$name" sh -c "$cmd" 2> /dev/null || true
  printf '%s\t%s\n' "$name" "$(tail -1 "$out/rss.$name")" >> "$out/rss.tsv"
done

echo
"$py" "$helper" report "$out/hyperfine.json" "$data/docs_summary.json" "$out/rss.tsv"

echo
echo "findings vs docs_manifest.tsv:"
"$py" "$helper" split "$out/xtask.txt" "$out" > /dev/null
"$py" "$helper" manifest "$data" "$out/manifest"
status=0
"$py" "$bench/verify.py" --data "$data" --kind nonascii --cols char "$out/xtask.ascii.txt" || status=1
"$py" "$bench/verify.py" --data "$out/manifest" --kind ellipsis --cols char "$out/xtask.ellipsis.txt" || status=1
echo "ripgrep, for reference:"
"$py" "$bench/verify.py" --data "$data" --kind nonascii --cols none "$out/rg.ascii.txt" || true
"$py" "$bench/verify.py" --data "$out/manifest" --kind ellipsis --cols none "$out/rg.ellipsis.txt" || true
echo
echo "xtask command: (cd $data && $xtask_cmd)"
exit $status
