#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What does faultbench's harness cost?  Alternates N times between
# `faultbench run pf1 --cpus 1` (5 samples of 0.5 s after 1 s of warm-up)
# and tests/tools/rawloop.c (the same loop, 2.5 s after 1 s of warm-up), both
# on CPU 0 with 64 MiB, and prints pages/s (wall time) and pages per
# CPU-second (faultbench: the worker's task-clock; rawloop: getrusage), then
# the medians.  Alternating pairs share whatever else the machine is doing.
#
#   tests/tools/harnesscost.sh [pairs=5]
set -eu
n=${1:-5}
here=$(cd "$(dirname "$0")/../.." && pwd)
fb=${FAULTBENCH:-$here/build/faultbench}
out=$(mktemp -d /tmp/harnesscost.XXXXXX)
trap 'rm -rf "$out"' EXIT
cc -O2 -o "$out/rawloop" "$here/tests/tools/rawloop.c"
for i in $(seq "$n"); do
	# rawloop is the earlier pf1 loop: 64 MiB, MADV_DONTNEED
	"$fb" run pf1 --cpus 1 --size 64M --zap dontneed --progress=off -o "$out/fb$i.json" >/dev/null 2>&1
	"$out/rawloop" 2.5 64 0 >"$out/raw$i.txt"
done
python3 - "$out" "$n" <<'EOF'
import json, statistics, sys
out, n = sys.argv[1], int(sys.argv[2])
rows = []
for i in range(1, n + 1):
    s = json.load(open(f"{out}/fb{i}.json"))["steps"][0]
    tc = s["events"].index("task-clock")
    pages = sum(w["count"][0] for smp in s["samples"] for w in smp["workers"])
    cpu_s = sum(w["ev"][tc] for smp in s["samples"] for w in smp["workers"]) / 1e9
    f = open(f"{out}/raw{i}.txt").read().split()
    rows.append((s["metrics"]["pages/s"]["value"], pages / cpu_s,
                 float(f[f.index("pages/s") + 1]), float(f[f.index("pages/cpu-s") + 1])))
    print("pair %d: faultbench %.0f pages/s %.0f pages/cpu-s | rawloop %.0f pages/s %.0f pages/cpu-s"
          % ((i,) + rows[-1]))
med = [statistics.median(r[k] for r in rows) for k in range(4)]
print("median: faultbench %.0f pages/s %.0f pages/cpu-s | rawloop %.0f pages/s %.0f pages/cpu-s"
      % tuple(med))
print("faultbench / rawloop: %.3f (pages/s), %.3f (pages/cpu-s)" % (med[0] / med[2], med[1] / med[3]))
EOF
