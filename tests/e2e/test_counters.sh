#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --counters=full|minimal|none (engine/evidence.c, docs/selftest.md "What the
# perf counters cost"): each mode opens the perf counters it says and records
# which; the faults of the result (the kernel's per-thread min_flt + maj_flt,
# in every mode) are perf's count of the whole run within 1%, as
# test_faultacct.sh checks for the default; in full mode the per-worker
# page-faults counters agree with min_flt + maj_flt sample by sample
# (both are read at each sample's end, one after the other: a few faults
# apart at most).  No timing decides anything.
. "$FB_SRC/tests/e2e/lib.sh"

common="--warmup 0 --samples 4 --sample-time 0.1 --size 4M --progress=off"

rc=0
fb run pf1 --cpus 1 --counters some $common -o bad.json >/dev/null 2>bad.err || rc=$?
[ $rc = 2 ] || die "--counters some exited $rc"
grep -q "option '--counters'" bad.err || die "no message naming --counters: $(cat bad.err)"

# --event adds to any mode, none too
fb run pf1 --cpus 1 --counters none --event context-switches $common -o ev.json >/dev/null ||
	die "--counters none --event failed"
[ "$(jget ev.json 'd["steps"][0]["events"]')" = "['context-switches']" ] ||
	die "none + --event: $(jget ev.json 'd["steps"][0]["events"]')"

have_perf=yes
command -v perf >/dev/null || have_perf=
[ -z "$have_perf" ] || perf stat -x, -e page-faults -o probe.perf -- true 2>probe.err || have_perf=
leaks=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
for mode in full minimal none; do
	rm -f "$mode.json" "$mode.perf"
	if [ -n "$have_perf" ]; then
		ASAN_OPTIONS=$leaks perf stat -x, -e page-faults -o "$mode.perf" -- \
			"$FAULTBENCH" run pf1 --cpus 1,2 --counters $mode $common -o "$mode.json" \
			>/dev/null || die "pf1 --counters $mode failed"
	else
		fb run pf1 --cpus 1,2 --counters $mode $common -o "$mode.json" >/dev/null ||
			die "pf1 --counters $mode failed"
	fi
	python3 - "$mode.json" "$mode" "$mode.perf" <<'PY' || die "--counters $mode"
import json, os, sys
d = json.load(open(sys.argv[1]))
mode = sys.argv[2]
assert d["run"]["counters"] == mode, d["run"]
per_fault = {"page-faults", "minor-faults", "major-faults"}
for s in d["steps"]:
    ev = s["extra"]["evidence"]
    assert ev["counters"] == mode, ev
    names = set(s["events"])
    if mode == "full":
        assert per_fault | {"task-clock", "context-switches"} <= names, names
    elif mode == "minimal":
        assert not names & per_fault and {"task-clock", "context-switches"} <= names, names
        assert "page-faults" in ev["counters_left_out"], ev
    else:
        assert names == set(), names
    # the fault figures come from the kernel's counts in every mode
    assert s["metrics"]["faults/s"]["value"] > 0, s["metrics"]["faults/s"]
    assert 0.99 <= s["metrics"]["pages/fault"]["value"] <= 1.01, s["metrics"]["pages/fault"]
    assert ("ctxsw/1000faults" in s["metrics"]) == (mode != "none"), sorted(s["metrics"])
    if mode == "full":
        # perf's page-faults of each worker against its min_flt + maj_flt, per sample
        k = s["events"].index("page-faults")
        for smp in s["samples"]:
            for w in smp["workers"]:
                kernel = w["minflt"] + w["majflt"]
                assert abs(w["ev"][k] - kernel) <= 0.01 * kernel + 16, (w["ev"][k], kernel)
if os.path.exists(sys.argv[3]):
    perf = [int(l.split(",")[0]) for l in open(sys.argv[3]) if ",page-faults," in l][0]
    f = d["faults"]
    total = f["workers_sampled"] + f["workers_unsampled"] + f["harness"]
    print("%s: perf %d, result %d: %+.3f%%" % (mode, perf, total, 100.0 * (perf - total) / perf))
    assert abs(perf - total) <= 0.01 * perf, (perf, total)
PY
done
# compare says when the counters differ (full costs one-page faults 2-3%)
fb compare full.json minimal.json >cmp.out 2>cmp.err || die "compare failed: $(cat cmp.err)"
grep -q "run option 'counters' differs (full in .*, minimal in" cmp.err ||
	die "compare does not warn that the counters differ: $(cat cmp.err)"
[ -n "$have_perf" ] || skip "perf stat cannot count page-faults here: the modes were checked without it"
