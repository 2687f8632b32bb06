#!/usr/bin/env bash
# Benchmark `cargo xtask changelog` on the 50,000-commit corpus against `git log` reading the
# same range (the anchors of ../shared/bench/bench.py) and against git-cliff, in one hyperfine
# run; then the peak memory of each command (/usr/bin/time -v) and the ratios.
#
#   scripts/bench-changelog.sh                 # RUNS=5 WARMUP=1 ROUNDS=1 by default
#   RUNS=10 scripts/bench-changelog.sh
#   ROUNDS=3 scripts/bench-changelog.sh        # on a busy machine: the whole hyperfine run
#                                              # three times, ratios per round and their median
#   PROFILE=release scripts/bench-changelog.sh # time a release build instead of the debug
#                                              # build that `cargo xtask` runs
#
# Environment: SHARED (default: <repo>/../shared), BENCH_DATA (default: $TMPDIR/benchdata, the
# same place gen_corpus.py and bench.py use), RUNS, WARMUP, ROUNDS, PROFILE (dev | release).
# Needs python3, git, cargo; installs hyperfine (apt) and git-cliff (cargo install, about six
# minutes, started in the background first) when they are missing.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
BENCH=$SHARED/bench
DATA=${BENCH_DATA:-${TMPDIR:-/tmp}/benchdata}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
ROUNDS=${ROUNDS:-1}
PROFILE=${PROFILE:-dev}
export BENCH_DATA=$DATA

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

[ -f "$BENCH/gen_corpus.py" ] || die "$BENCH/gen_corpus.py not found; set SHARED to the folder that holds bench/"
command -v python3 >/dev/null || die "python3 not found (apt-get install python3)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"

# git-cliff takes minutes to build: start it first, in the background.
CLIFF_PID=
if ! command -v git-cliff >/dev/null; then
    say "git-cliff missing: cargo install git-cliff --locked (background, log in $DATA/cliff-install.log)"
    mkdir -p "$DATA"
    cargo install git-cliff --locked >"$DATA/cliff-install.log" 2>&1 &
    CLIFF_PID=$!
fi

if ! command -v hyperfine >/dev/null; then
    say "hyperfine missing: apt-get install hyperfine"
    if [ "$(id -u)" = 0 ]; then apt-get install -y hyperfine >/dev/null; else sudo apt-get install -y hyperfine >/dev/null; fi
fi

if [ ! -d "$DATA/gitrepo" ]; then
    say "generating the 50,000-commit repository in $DATA/gitrepo"
    python3 "$BENCH/gen_corpus.py" gitrepo --out "$DATA"
fi
[ "$(git -C "$DATA/gitrepo" rev-list --count HEAD)" -ge 50000 ] || die "$DATA/gitrepo is not the 50,000-commit corpus; remove it and rerun"

say "building the xtask ($PROFILE profile)"
if [ "$PROFILE" = release ]; then
    (cd "$ROOT" && cargo build -q --release -p xtask)
    XTASK=$ROOT/target/release/xtask
else
    (cd "$ROOT" && cargo build -q -p xtask)
    XTASK=$ROOT/target/debug/xtask
fi

if [ -n "$CLIFF_PID" ]; then
    say "waiting for cargo install git-cliff"
    wait "$CLIFF_PID" || die "cargo install git-cliff failed; see $DATA/cliff-install.log"
fi
command -v git-cliff >/dev/null || die "git-cliff is not on PATH (is ~/.cargo/bin in PATH?)"

OUT=$DATA/out
mkdir -p "$OUT" "$DATA/results"
anchor() { python3 "$BENCH/bench.py" --data "$DATA" cmd "$1"; }
LOGFMT='%H%x1f%an%x1f%s%x1f%b%x1e'
cd_data="cd $(printf %q "$DATA")"
x=$(printf %q "$XTASK")

# name|command: three ranges, each read by git log, by the xtask and (two of them) by git-cliff.
COMMANDS=(
    "log.since_first|$(anchor log.since_first)"
    "xtask.since_first|$cd_data && $x --root gitrepo changelog --since v0.1.0 > $OUT/xtask.since_first.md"
    "cliff.since_first|$(anchor cliff.since_first)"
    "log.since_last|$(anchor log.since_last)"
    "xtask.unreleased|$cd_data && $x --root gitrepo changelog > $OUT/xtask.unreleased.md"
    "cliff.unreleased|$(anchor cliff.unreleased)"
    "log.tag|$cd_data && git -C gitrepo log --format='$LOGFMT' v1.1.0..v1.2.0 > $OUT/log.tag.txt"
    "xtask.tag|$cd_data && $x --root gitrepo changelog --tag v1.2.0 > $OUT/xtask.tag.md"
)

say "warming the page cache"
find "$DATA/gitrepo" -type f -print0 | xargs -0 cat >/dev/null

args=()
for entry in "${COMMANDS[@]}"; do
    args+=(-n "${entry%%|*}" "${entry#*|}")
done
JSONS=()
for round in $(seq 1 "$ROUNDS"); do
    JSON=$DATA/results/changelog-$round.json
    JSONS+=("$JSON")
    say "round $round/$ROUNDS: hyperfine, $WARMUP warm-up + $RUNS runs each; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    hyperfine --style basic --warmup "$WARMUP" --runs "$RUNS" --export-json "$JSON" "${args[@]}"
    say "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
done

say "peak memory (/usr/bin/time -v: the largest process of each command; for the xtask also its own, from -v)"
MEM=$DATA/results/changelog-memory.tsv
: >"$MEM"
for entry in "${COMMANDS[@]}"; do
    name=${entry%%|*}
    cmd=${entry#*|}
    kb=$(/usr/bin/time -v sh -c "$cmd" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}')
    own=
    if [ "${name%%.*}" = xtask ]; then
        own=$(sh -c "${cmd/ changelog/ -v changelog}" 2>&1 >/dev/null | awk '/peak memory of this process/ {print $(NF-1)}')
    fi
    printf '%s\t%s\t%s\n' "$name" "$kb" "$own" >>"$MEM"
done

# What the xtask printed, against what git says the ranges hold.
entries() { grep -c '^- ' "$1" || true; }
say "output check"
printf 'since v0.1.0: %s non-merge commits, %s entries\n' \
    "$(git -C "$DATA/gitrepo" rev-list --count --no-merges v0.1.0..HEAD)" "$(entries "$OUT/xtask.since_first.md")"
printf 'unreleased:   %s non-merge commits, %s entries\n' \
    "$(git -C "$DATA/gitrepo" rev-list --count --no-merges v1.2.0..HEAD)" "$(entries "$OUT/xtask.unreleased.md")"
printf '(a revert and the commit it reverts, both in the range, leave no entry)\n'

python3 - "$MEM" "${JSONS[@]}" <<'EOF'
import json, statistics, sys
mem = {}
for line in open(sys.argv[1]):
    name, kb, own = (line.rstrip("\n").split("\t") + ["", ""])[:3]
    mem[name] = (kb, own)
rounds = [{r["command"]: r for r in json.load(open(path))["results"]} for path in sys.argv[2:]]
for n, results in enumerate(rounds, 1):
    print("\nround %d" % n)
    print("\n| command | mean s | median s | min-max s | user+sys s | peak RSS MiB (own) |")
    print("|---|---:|---:|---|---:|---:|")
    for name, r in results.items():
        kb, own = mem.get(name, ("", ""))
        rss = "%.0f" % (int(kb) / 1024) if kb.isdigit() else "?"
        if own:
            rss += " (%s)" % own
        print("| %s | %.3f | %.3f | %.3f-%.3f | %.3f | %s |" % (
            name, r["mean"], r["median"], r["min"], r["max"], r["user"] + r["system"], rss))
pairs = [("since v0.1.0 (46,293 commits)", "xtask.since_first", "log.since_first", "cliff.since_first"),
         ("unreleased, v1.2.0..HEAD (4,813)", "xtask.unreleased", "log.since_last", "cliff.unreleased"),
         ("--tag v1.2.0, v1.1.0..v1.2.0", "xtask.tag", "log.tag", None)]
cpu = lambda r: r["user"] + r["system"]
print("\n| range | xtask / git log, median wall | mean wall | user+sys | xtask / git-cliff, median wall |")
print("|---|---:|---:|---:|---:|")
for label, xt, log, cliff in pairs:
    med = lambda f: statistics.median(f(res) for res in rounds)
    wall = med(lambda res: res[xt]["median"] / res[log]["median"])
    mean = med(lambda res: res[xt]["mean"] / res[log]["mean"])
    work = med(lambda res: cpu(res[xt]) / cpu(res[log]))
    vs_cliff = "%.3fx" % med(lambda res: res[xt]["median"] / res[cliff]["median"]) if cliff else "-"
    print("| %s | %.2fx | %.2fx | %.2fx | %s |" % (label, wall, mean, work, vs_cliff))
if len(rounds) > 1:
    print("\n(ratios: the median over %d rounds)" % len(rounds))
EOF
