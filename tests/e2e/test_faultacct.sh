#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every fault accounted for (engine/faultacct.c): each step's workers'
# sampled + unsampled faults, plus the harness's own, equal the kernel's
# count of the whole run as perf counts it (page-faults of the process tree),
# within 1%, for nopage, pf1 and pf3 with no warm-up, threads and processes.
# perf counts a little more than the result: what the process does after
# making the result (writing it, indexing it, exiting), a few hundred faults.
# The default --page gives no madvise and the result says so.
. "$FB_SRC/tests/e2e/lib.sh"

common="--warmup 0 --samples 4 --sample-time 0.1 --size 4M --progress=off"

# --format json shows the accounting too (the result file is the same document)
fb run pf1 --cpus 1 $common --format json -o fmt.json >fmt.out
python3 - fmt.out fmt.json <<'PY'
import json, sys
for path in sys.argv[1:]:
    d = json.load(open(path))
    assert set(d["faults"]) >= {"workers_sampled", "workers_unsampled", "harness", "total"}, path
    f = d["steps"][0]["extra"]["faults"]
    assert f["sampled"] + f["unsampled"] == f["total"], f
    assert f["before_samples"] + f["between_samples"] + f["after_samples"] == f["unsampled"], f
    # the first touch of 4 MiB is outside the samples: at least 1024 faults
    assert f["before_samples"] >= 1024, f
    e = d["steps"][0]["extra"]
    assert e["thp_advice"] == "none" and d["params"]["page"] == "default", (e["thp_advice"], d["params"]["page"])
PY
[ $? = 0 ] || die "accounting missing from --format json"
fb run pf1 --cpus 1 --page 4k $common -o 4k.json >/dev/null
[ "$(jget 4k.json 'd["steps"][0]["extra"]["thp_advice"]')" = MADV_NOHUGEPAGE ] || die "--page=4k advice"

command -v perf >/dev/null || skip "perf is not installed (linux-perf)"
perf stat -x, -e page-faults -o probe.perf -- true 2>probe.err ||
	skip "perf stat cannot count page-faults here: $(head -1 probe.err)"
# Under the sanitizers LeakSanitizer's scan at exit takes thousands of faults
# after the result is made: not the harness's, so off for the counted runs
# (the runs above, and every other test, still check for leaks).
leaks=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
for mode in threads processes; do
	for preset in nopage pf1 pf3; do
		rm -f acct.json
		ASAN_OPTIONS=$leaks perf stat -x, -e page-faults -o acct.perf -- \
			"$FAULTBENCH" run $preset --cpus 1,2 --mode $mode $common -o acct.json >/dev/null ||
			die "$preset $mode failed"
		python3 - acct.json acct.perf "$preset $mode" <<'PY' || die "$preset $mode: faults not accounted for"
import json, sys
d = json.load(open(sys.argv[1]))
perf = [int(l.split(",")[0]) for l in open(sys.argv[2]) if ",page-faults," in l][0]
f = d["faults"]
steps = [s["extra"]["faults"] for s in d["steps"]]
assert f["workers_sampled"] == sum(s["sampled"] for s in steps)
assert f["workers_unsampled"] == sum(s["unsampled"] for s in steps)
total = f["workers_sampled"] + f["workers_unsampled"] + f["harness"]
assert total == f["total"], f
print("%s: perf %d, result %d (workers %d + %d unsampled, harness %d): %+.3f%%" % (sys.argv[3],
      perf, total, f["workers_sampled"], f["workers_unsampled"], f["harness"], 100.0 * (perf - total) / perf))
assert abs(perf - total) <= 0.01 * perf, (perf, total)
PY
	done
done
