#!/usr/bin/env python3
# Summarise the ab trials of measure.sh: per condition, benchmark, CPUs and
# kind (ab5pct: +5% per-page cost; aa: no cost), the decisions, what each
# trial spent and the changes it estimated, from every trial's ab.json.
import glob, json, os, re, statistics, sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
rows = {}
for path in sorted(glob.glob(os.path.join(root, "*", "ab-*", "ab.json"))):
    cond = path.split(os.sep)[-3]
    m = re.match(r"ab-(\w+)-(\d)cpu-(\w+)-(\d+)$", path.split(os.sep)[-2])
    if not m:  # first-headline/: named without a trial number
        continue
    d = json.load(open(path))
    rows.setdefault((cond, m.group(1), m.group(2), m.group(3)), []).append(d)
print("condition bench cpus kind | trials | worse within undecided | runs median/max | "
      "seconds median/max | pairs left out | change % min..max")
for (cond, bench, cpus, kind), ds in sorted(rows.items()):
    dec = [d["decision"] for d in ds]
    runs = [d["runs"] for d in ds]
    secs = [d["seconds"] for d in ds]
    ch = [d["change_pct"] for d in ds if "change_pct" in d]
    print(f"{cond} {bench} {cpus} {kind} | {len(ds)} | {dec.count('worse')} {dec.count('within')} "
          f"{dec.count('undecided')} | {statistics.median(runs):.0f}/{max(runs)} | "
          f"{statistics.median(secs):.0f}/{max(secs):.0f} | "
          f"{sum(d['pairs'] for d in ds)} {sum(d['left_out'] for d in ds)} | "
          f"{min(ch):+.2f}..{max(ch):+.2f}")
