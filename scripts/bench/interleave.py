#!/usr/bin/env python3
"""Time several commands in rounds, one run of each per round, so that a machine whose speed
drifts during the benchmark (a shared host, disk credits, page cache) slows all of them alike,
where hyperfine's runs of one command after the other would charge the drift to whichever
command ran then. Each command may have a preparation, run before each of its runs and not
timed. Writes hyperfine's JSON layout (results: command, median, mean, min, max, user, system,
times), which the bench scripts' reports read.

    interleave.py OUT.json ROUNDS WARMUP NAME PREPARE COMMAND [NAME PREPARE COMMAND]...

PREPARE and COMMAND are shell command lines (`true` for no preparation).
"""

import json
import os
import statistics
import subprocess
import sys
import time


def timed(command):
    """Wall, user and system seconds of one run of a shell command line; exits when it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(["sh", "-c", command])
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"interleave: `{command}` failed (exit {proc.returncode})")
    return wall, usage.ru_utime, usage.ru_stime


def main():
    out, rounds, warmup, rest = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
    if not rest or len(rest) % 3:
        sys.exit(__doc__)
    benches = [rest[i:i + 3] for i in range(0, len(rest), 3)]
    runs = {name: [] for name, _, _ in benches}
    for round_ in range(warmup + rounds):
        # A different order each round: no command always runs just after the same other one.
        order = benches[round_ % len(benches):] + benches[:round_ % len(benches)]
        for name, prepare, command in order:
            subprocess.run(["sh", "-c", prepare], check=True, stdout=subprocess.DEVNULL)
            result = timed(command)
            if round_ >= warmup:
                runs[name].append(result)
    results = []
    for name, _, _ in benches:
        walls = [r[0] for r in runs[name]]
        results.append({
            "command": name,
            "median": statistics.median(walls),
            "mean": statistics.mean(walls),
            "min": min(walls),
            "max": max(walls),
            "user": statistics.mean(r[1] for r in runs[name]),
            "system": statistics.mean(r[2] for r in runs[name]),
            "times": walls,
        })
    with open(out, "w") as f:
        json.dump({"results": results}, f, indent=2)
    for r in results:
        print(f"{r['command']:28s} median {r['median'] * 1000:8.1f} ms   min {r['min'] * 1000:8.1f}   max {r['max'] * 1000:8.1f}")


if __name__ == "__main__":
    main()
