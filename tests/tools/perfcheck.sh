#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Do faultbench's fault counts agree with perf's?  Runs a fault preset under
# `perf stat -e page-faults` (all threads and child processes) with one long
# sample per step and no warm-up, then compares:
#   perf   - every page fault of the whole faultbench process tree;
#   bench  - the faults faultbench reports for its measured samples (the
#            workers' min_flt + maj_flt), summed over all steps;
#   ev     - the per-worker perf "page-faults" counters faultbench itself
#            records for the same samples (evidence), summed likewise.
# perf - bench is what faultbench does not measure on purpose: start-up,
# setup and first touch (size / 4k faults per worker and step), teardown.
#
#   tests/tools/perfcheck.sh nopage --cpus 1,2
#   tests/tools/perfcheck.sh pf1 --cpus 1 --size 64M
set -eu
fb=${FAULTBENCH:-$(dirname "$0")/../../build/faultbench}
out=$(mktemp -d /tmp/perfcheck.XXXXXX)
trap 'rm -rf "$out"' EXIT
perf stat -x, -e page-faults -o "$out/perf.csv" -- \
	"$fb" run "$@" --samples 1 --sample-time 5 --warmup 0 --progress=off \
	-o "$out/r.json" >/dev/null
python3 - "$out/perf.csv" "$out/r.json" "$*" <<'EOF'
import json, sys
perf = next(int(l.split(",")[0]) for l in open(sys.argv[1]) if "page-faults" in l)
d = json.load(open(sys.argv[2]))
bench = ev = first = 0
size = d["params"]["size"]
for s in d["steps"]:
    first += s["ncpus"] * size / 4096 / s["metrics"]["pages/fault"]["value"]
    evi = s["events"].index("page-faults") if "page-faults" in s["events"] else None
    for smp in s["samples"]:
        for w in smp["workers"]:
            bench += w["minflt"] + w["majflt"]
            if evi is not None:
                ev += w["ev"][evi]
    t = sum(smp["t"] for smp in s["samples"])
    print("  %d cpus: faults/s %.0f over %.2f s" % (s["ncpus"], s["metrics"]["faults/s"]["value"], t))
print("faultbench run %s: perf %d, bench %d, ev %d; bench/perf %.4f, ev/bench %.6f"
      % (sys.argv[3], perf, bench, ev, bench / perf, ev / bench if bench else float("nan")))
print("  not measured: perf - bench = %d, of which first touch in worker_init about %.0f;"
      " bench / (perf - first touch) %.4f" % (perf - bench, first, bench / (perf - first)))
EOF
