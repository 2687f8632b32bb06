#!/usr/bin/env bash
# Benchmark `cargo xtask rollback` on a 20,000-file repository with three releases (v1.2.0 is
# bad; the rollback restores v1.1.0, about 500 paths differ) against git doing the same move of
# the work tree: `git read-tree -m -u HEAD v1.1.0` (read the target's tree, check out only the
# changed paths), and the same followed by `git commit` and `git tag -a` (a rollback by hand),
# in one run, interleaved (scripts/bench/interleave.py); then the ratios of the medians.
#
#   scripts/bench-rollback.sh                  # RUNS=5 WARMUP=1 by default
#   RUNS=10 FILES=40000 scripts/bench-rollback.sh
#   GATES=1 scripts/bench-rollback.sh          # also time a real rollback that runs the gates
#                                              # (detected ones; for information, no ratio)
#   BASE_BIN=/tmp/xtask-old scripts/bench-rollback.sh
#                                              # also time another build (an older commit's) in
#                                              # the same run, under the same load: before/after
#
# Timed: `rollback --dry-run` (plan and print every diff, write nothing) and the real
# `rollback --no-verify` (plan, journal, write, commit, tag); each real run starts from the
# bad release again (a preparation before each run: reset --hard, tag deleted; not timed),
# and every command that writes has a clone of its own, kept from one run of the bench to the
# next (see clone_for below).
#
# Environment: BENCH_DATA (default: $TMPDIR/benchdata; the repository is generated there once,
# same bytes every time), FILES (default 20000), RUNS, WARMUP, GATES, XTASK_BIN (default: the
# debug build that `cargo xtask` runs), BASE_BIN (none by default). Needs python3, git, cargo.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${BENCH_DATA:-${TMPDIR:-/tmp}/benchdata}
FILES=${FILES:-20000}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
GATES=${GATES:-0}
SOURCE=$DATA/rollback-$FILES
OUT=$DATA/results

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

for tool in python3 git cargo; do
    command -v "$tool" >/dev/null || die "$tool is required"
done
if [ ! -d "$SOURCE/.git" ]; then
    say "generating the $FILES-file repository in $SOURCE"
    python3 "$ROOT/scripts/bench/rollback_repo.py" "$SOURCE" "$FILES"
fi
git -C "$SOURCE" rev-parse -q --verify refs/tags/v1.2.0 >/dev/null || die "$SOURCE is not the benchmark repository; remove it and rerun"

if [ -z "${XTASK_BIN:-}" ]; then
    say "building the xtask (dev profile, as cargo xtask runs it)"
    (cd "$ROOT" && cargo build -q -p xtask)
    XTASK_BIN=$ROOT/target/debug/xtask
fi

# One clone for each command that writes, and one that nothing writes (the dry runs, the
# diff), all of the same bytes; each written one is reset to the bad release before every run.
# One each, not one shared: ext4 without a journal (this machine's) skips the inodes freed in
# the last minutes when it allocates one, looking at each, so a clone that two commands write
# in pays, in every file it creates, for the deletions of both; here every written clone
# deletes the same files once a round (its reset, its run), and pays alike. For the same
# reason the clones are kept from one run of the bench to the next (reset, not cloned again):
# removing 100,000 files just before the rounds slowed every file creation for minutes after
# (`git read-tree` from 74 ms to 170 ms).
CLONES=()
clone_for() {
    local dir=$DATA/rollback-$1
    if [ -d "$dir/.git" ] && git -C "$dir" rev-parse -q --verify refs/tags/v1.2.0 >/dev/null; then
        git -C "$dir" reset -q --hard v1.2.0
        git -C "$dir" tag -d v1.2.1 >/dev/null 2>&1 || true
    else
        rm -rf "$dir"
        git clone -q --no-hardlinks "$SOURCE" "$dir"
        git -C "$dir" config user.name Bench
        git -C "$dir" config user.email bench@example.com
        # No background gc after a commit racing the next run's reset.
        git -C "$dir" config gc.auto 0
        git -C "$dir" config maintenance.auto false
        git -C "$dir" fetch -q --tags origin
    fi
    CLONES+=("$dir")
}
mkdir -p "$OUT"
x=$(printf %q "$XTASK_BIN")
# The command that prepares a written clone: back to the bad release, the rollback's tag gone.
reset() { echo "git -C $1 reset -q --hard v1.2.0 && (git -C $1 tag -d v1.2.1 >/dev/null 2>&1 || true)"; }
say "the move: $(git -C "$SOURCE" diff --shortstat v1.2.0 v1.1.0)"

# Each benchmark: a name, what runs before each run (not timed), the command.
names=(git.diff-stat git.read-tree-checkout git.by-hand xtask.dry-run xtask.rollback)
for name in dry git hand xtask; do clone_for "$name"; done
dry=$(printf %q "$DATA/rollback-dry"); ref=$(printf %q "$DATA/rollback-git")
hand=$(printf %q "$DATA/rollback-hand"); w=$(printf %q "$DATA/rollback-xtask")
WORK=$DATA/rollback-xtask
prepares=(true "$(reset "$ref")" "$(reset "$hand")" true "$(reset "$w")")
commands=(
    "git -C $dry diff --stat v1.2.0 v1.1.0 >/dev/null"
    "git -C $ref read-tree -m -u HEAD v1.1.0"
    "git -C $hand read-tree -m -u HEAD v1.1.0 && git -C $hand commit -q -m rollback && git -C $hand tag -a v1.2.1 -m rollback"
    "$x --root $dry -q rollback --dry-run --no-verify >/dev/null"
    "$x --root $w -q rollback --no-verify"
)
if [ -n "${BASE_BIN:-}" ]; then
    b=$(printf %q "$BASE_BIN")
    clone_for base
    base=$(printf %q "$DATA/rollback-base")
    names+=(base.dry-run base.rollback)
    prepares+=(true "$(reset "$base")")
    commands+=("$b --root $dry -q rollback --dry-run --no-verify >/dev/null" "$b --root $base -q rollback --no-verify")
fi
if [ "$GATES" = 1 ]; then
    clone_for gates
    gates=$(printf %q "$DATA/rollback-gates")
    names+=(xtask.rollback-with-gates)
    prepares+=("$(reset "$gates")")
    commands+=("$x --root $gates -q rollback")
fi
say "warming the page cache"
# A second later, `git status` writes each clone's index again: the clone (or the reset) wrote
# it in the same second as the files, which makes their entries "racily clean" (git compares each file's bytes,
# not its stat, in every status: 20,000 files read by each dry run, where nothing rewrites it).
sleep 1
for dir in "${CLONES[@]}"; do
    find "$dir" -type f -print0 | xargs -0 cat >/dev/null
    git -C "$dir" status >/dev/null
done
# In rounds, one run of each command per round (scripts/bench/interleave.py): a drift of the
# machine's speed during the benchmark slows them all alike.
args=()
for i in "${!names[@]}"; do
    args+=("${names[$i]}" "${prepares[$i]}" "${commands[$i]}")
done

JSON=$OUT/rollback.json
say "$WARMUP warm-up + $RUNS rounds, every command once a round; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$ROOT/scripts/bench/interleave.py" "$JSON" "$RUNS" "$WARMUP" "${args[@]}"
say "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# The real rollback did what git did: the same tree, apart from the versions and the changelog.
sh -c "$(reset "$w")"
"$XTASK_BIN" --root "$WORK" -q rollback --no-verify
differ=$(git -C "$WORK" diff --name-only v1.1.0 HEAD | tr '\n' ' ')
say "v1.1.0 -> the rollback commit differs in: $differ"

python3 - "$JSON" <<'EOF'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
print("\n| command | median s | mean s | min-max s | user+sys s |")
print("|---|---:|---:|---|---:|")
for name, r in results.items():
    print("| %s | %.3f | %.3f | %.3f-%.3f | %.3f |" % (name, r["median"], r["mean"], r["min"], r["max"], r["user"] + r["system"]))
cpu = lambda r: r["user"] + r["system"]
print("\n| xtask | reference | median wall | user+sys | per round (median, min-max) |")
print("|---|---|---:|---:|---|")
pairs = [("xtask.dry-run", "git.read-tree-checkout"), ("xtask.rollback", "git.read-tree-checkout"),
         ("xtask.rollback", "git.by-hand")]
if "base.rollback" in results:
    pairs += [("base.dry-run", "git.read-tree-checkout"), ("base.rollback", "git.read-tree-checkout"),
              ("xtask.dry-run", "base.dry-run"), ("xtask.rollback", "base.rollback")]
for name, ref in pairs:
    r, g = results[name], results[ref]
    # The two runs of one round ran a few seconds apart: their ratio is the least touched by
    # the machine's drift.
    rounds = sorted(a / b for a, b in zip(r["times"], g["times"]))
    print("| %s | %s | %.2fx | %.2fx | %.2fx, %.2f-%.2fx |" % (name, ref, r["median"] / g["median"], cpu(r) / cpu(g),
          rounds[len(rounds) // 2], rounds[0], rounds[-1]))
print("\ntarget: within 3x of git read-tree + checkout of the changed paths;")
print("git.by-hand also commits and tags, as the real rollback does")
EOF
