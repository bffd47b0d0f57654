#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# faultbench selftest on tiny sizes: the structure of what it prints and
# keeps, with bounds so loose that no timing decides the outcome; then that
# it fails, naming the preset, when a test-only switch makes the harness do
# what the bare loop does not: a large per-page cost (FB_TEST_FAULT_COST_NS,
# 100 us a page: the harness is ~100x slower) or an madvise() that changes
# the pages per fault (FB_TEST_HARNESS_MADVISE=hugepage: 512 pages a fault
# where THP is "madvise").
. "$FB_SRC/tests/e2e/lib.sh"

tiny="--size 4M --time 0.2 --warmup 0.05 --rounds 1"
mkdir disk
fb selftest --presets nopage,pf1,pf3 --dir "$PWD/disk" $tiny --bound 100 --count-bound 100 \
	--output st >st.out 2>st.err || die "selftest with loose bounds exited $?: $(cat st.err)"
grep -Eq "^pf1 +anon +1 CPUs +ratio" st.out || die "no pf1 line: $(cat st.out)"
python3 - st/selftest-*.json <<'PY' || die "selftest JSON"
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["selftest_version"] == 1 and d["ok"] is True and d["complete"] is True, d["failed"]
assert d["bounds"] == {"ratio": 100.0, "pages_per_fault": 100.0}
assert "kernel" in d["system"]
seen = {(p["preset"], p["backing"], p["ncpus"]) for p in d["points"]}
ncpu = len(os.sched_getaffinity(0))
for preset, backing in (("nopage", "tmpfs"), ("pf1", "anon"), ("pf3", "tmpfs")):
    for n in sorted({1, ncpu}):
        assert (preset, backing, n) in seen, (preset, backing, n, seen)
for p in d["points"]:
    if "skipped" in p:       # a --dir that is not a disk filesystem here
        assert p["backing"] == "file", p
        continue
    assert p["ok"] is True and p["ratio"] > 0 and p["harness_pages_per_fault"] > 0, p
    for r in p["rounds"]:
        assert os.path.exists(r["harness_result"]), r
        assert r["bare_pages_per_s"] > 0 and r["harness_pages_per_s"] > 0, r
PY

# a per-page cost only the harness pays: exit 1, naming the preset
rc=0
FB_TEST_FAULT_COST_NS=100000 fb selftest --presets pf1 --size 4M --time 0.4 --warmup 0.05 \
	--rounds 1 --bound 0.9 --count-bound 100 --output cost >cost.out 2>cost.err || rc=$?
[ $rc = 1 ] || die "selftest with FB_TEST_FAULT_COST_NS exited $rc: $(cat cost.err)"
grep -q "does not measure what a bare loop measures: pf1/anon/1" cost.err ||
	die "the failure does not name pf1: $(cat cost.err)"
grep -q "^pf1 .*FAIL: pages/s ratio" cost.out || die "no FAIL line: $(cat cost.out)"
[ "$(jget cost/selftest-*.json 'd["ok"]')" = False ] || die "cost: ok in the JSON"

# an madvise only the harness makes
thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || true)
case $thp in
*"[madvise]"*) ;;
*) skip "THP is not in madvise mode here ($thp): the madvise case needs it" ;;
esac
rc=0
FB_TEST_HARNESS_MADVISE=hugepage fb selftest --presets pf1 $tiny --bound 100 --count-bound 0.5 \
	--output adv >adv.out 2>adv.err || rc=$?
[ $rc = 1 ] || die "selftest with FB_TEST_HARNESS_MADVISE exited $rc: $(cat adv.err)"
grep -q "does not measure what a bare loop measures: pf1/anon/1" adv.err ||
	die "the failure does not name pf1: $(cat adv.err)"
grep -q "^pf1 .*FAIL: pages/fault" adv.out || die "no pages/fault FAIL line: $(cat adv.out)"
