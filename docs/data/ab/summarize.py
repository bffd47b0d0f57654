#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Summarize the A/B trials of this directory (docs/compare.md): per benchmark
# and CPU count, how often the within-run paired verdict (compare) and 'ab'
# found the +5% per-page cost, and the A/A false alarms.  Reads the
# *.compare.txt files compare wrote and the ab-*/ab.json summaries.
import glob, gzip, json, os, re, sys
from collections import defaultdict

here = os.path.dirname(os.path.abspath(__file__))
within = defaultdict(lambda: defaultdict(list))
for f in sorted(glob.glob(os.path.join(here, "within-*.compare.txt"))):
    m = re.match(r"within-(\w+)-(\d)cpu-(ab5pct|aa)-(\d+)\.compare\.txt", os.path.basename(f))
    knob = json.load(gzip.open(f.replace(".compare.txt", ".json.gz")))["run"]["knob"]
    key = (m.group(1), int(m.group(2)), m.group(3) + " C=" + knob.split(",")[-1])
    for line in open(f):
        r = re.search(r" vs \S+\s+(\S+) ([-+][\d.]+)%.*?(\d+) pairs.*  (worse|better|no difference shown)$", line.rstrip())
        if r:
            within[key][r.group(1)].append((r.group(4), float(r.group(2)), int(m.group(4))))
print("within-run (run --repeat 12 --knob env:FB_TEST_FAULT_COST_NS=0,C; compare's paired verdict)")
for key in sorted(within):
    for metric, res in sorted(within[key].items()):
        n = len(res)
        w = sum(1 for r in res if r[0] == "worse")
        b = sum(1 for r in res if r[0] == "better")
        print("  %-6s %d CPU %-11s %-12s trials %2d  worse %2d  better %2d  changes %s" % (
            key[0], key[1], key[2], metric, n, w, b, " ".join("%+.1f" % r[1] for r in res)))
print("ab (--metric cpu, alpha 0.05; threshold per trial)")
for f in sorted(glob.glob(os.path.join(here, "ab-*/ab.json"))):
    d = json.load(open(f))
    print("  %-28s thr %g%% %-9s runs %3d (pairs %3d, redone %2d)  %4.0f s of %3.0f  change %s  interval %s" % (
        os.path.basename(os.path.dirname(f)), round(d["threshold_pct"], 2), d["decision"], d["runs"], d["pairs"], d["redone"],
        d["seconds"], d["budget"]["seconds"],
        "%+.2f%%" % d["change_pct"] if "change_pct" in d else "-",
        "[%+.2f%%, %+.2f%%]" % tuple(d["interval_pct"]) if "interval_pct" in d else "-"))
