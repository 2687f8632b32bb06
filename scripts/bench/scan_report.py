#!/usr/bin/env python3
"""Helpers of scripts/bench-scan.sh (the quality-check scan benchmark).

  scan_report.py split XTASK_OUTPUT OUTDIR
      Split `quality-check` output into OUTDIR/xtask.ascii.txt and OUTDIR/xtask.ellipsis.txt
      (the `PATH:LINE:COL: GATE: MESSAGE` lines of each gate, paths prefixed with `docs/` as
      ripgrep prints them).

  scan_report.py manifest DATA OUTDIR
      Write OUTDIR/docs_manifest.tsv for verify.py: the non-ASCII rows as they are, and for the
      ellipsis kind the first three-dot run of each line. The ellipsis gate reports one finding
      per line at its first three dots; U+2026 is the ascii gate's business (it is in the
      non-ASCII rows).

  scan_report.py report HYPERFINE_JSON SUMMARY_JSON RSS_TSV
      Print the table: median and min-max seconds, ratio to ripgrep, MB/s, files/s, peak RSS.
"""
import json
import os
import statistics
import sys

DOTS = "." * 3


def split(output, outdir):
    gates = {"ascii": [], "ellipsis": []}
    with open(output, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.split(": ", 2)
            if len(parts) == 3 and parts[1] in gates and parts[0].count(":") == 2:
                gates[parts[1]].append("docs/" + line)
    for gate, lines in gates.items():
        with open(os.path.join(outdir, "xtask.%s.txt" % gate), "w", encoding="utf-8") as f:
            f.writelines(lines)
        print("%s: %d findings" % (gate, len(lines)))


def manifest(data, outdir):
    os.makedirs(outdir, exist_ok=True)
    seen = set()
    with open(os.path.join(data, "docs_manifest.tsv")) as f, open(os.path.join(outdir, "docs_manifest.tsv"), "w") as out:
        out.write(next(f))
        for row in f:
            kind, path, line, _, _, what, _ = row.rstrip("\n").split("\t")
            if kind == "ellipsis":
                if what != DOTS or (path, line) in seen:
                    continue
                seen.add((path, line))
            out.write(row)


def report(hyperfine_json, summary_json, rss_tsv):
    with open(hyperfine_json) as f:
        results = json.load(f)["results"]
    with open(summary_json) as f:
        summary = json.load(f)
    rss = {}
    with open(rss_tsv) as f:
        for row in f:
            name, kb = row.rstrip("\n").split("\t")
            rss[name] = int(kb)
    mb, files = summary["bytes"] / 1e6, summary["files"]
    med = {r["command"]: statistics.median(r["times"]) for r in results}
    rg = med.get("ripgrep")
    print("| command | median s | min-max s | vs ripgrep | MB/s | files/s | peak RSS |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for r in results:
        name, m = r["command"], med[r["command"]]
        ratio = "%.2fx" % (m / rg) if rg else "-"
        kb = rss.get(name)
        print("| %s | %.3f | %.3f-%.3f | %s | %.0f | %.0f | %s |" % (
            name, m, min(r["times"]), max(r["times"]), ratio, mb / m, files / m,
            "%.1f MiB" % (kb / 1024) if kb else "-"))
    if rg and "xtask" in med:
        print()
        print("xtask / ripgrep (both searches): %.2f (%.3f s vs %.3f s); corpus %.1f MB, %d files"
              % (med["xtask"] / rg, med["xtask"], rg, mb, files))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"split": split, "manifest": manifest, "report": report}[cmd](*args)


if __name__ == "__main__":
    main()
