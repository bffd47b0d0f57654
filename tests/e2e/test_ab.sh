#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A/B designs: run's variants interleaved ABBA by repeat, --knob (the
# test-only env: pseudo-knob, and as root a harmless real one, restored on
# exit and on SIGTERM), compare's paired section, and 'faultbench ab': its
# ABBA order, its budget and its exit codes (0 within, 1 worse, 125 undecided,
# 2 bad usage).  No outcome depends on the machine's speed: "worse" is a
# 10 us per-page cost against none (several times the per-page time), "within" an A/A
# against a 95% threshold.
. "$FB_SRC/tests/e2e/lib.sh"

COST=env:FB_TEST_FAULT_COST_NS
# Short and small: a step counts a 2 MiB chunk at least every few ms.
RUN="run pf1 --cpus 1 --size 2M --samples 2 --sample-time 0.2 --warmup 0.05"

# --- run: ABBA by repeat, the knob's values innermost, the cost per variant
fb run pf1 --cpus 1 --size 2M $TINY --repeat 4 --knob $COST=0,100 --page=4k,thp \
	-o k.json >/dev/null 2>k.err
python3 - k.json <<'PY' || die "run: not ABBA by repeat, or the cost not per variant"
import json, sys
d = json.load(open(sys.argv[1]))
order = [s["variant"] for s in sorted(d["steps"], key=lambda s: s["index"])]
first = ["FB_TEST_FAULT_COST_NS=0/4k", "FB_TEST_FAULT_COST_NS=100/4k",
         "FB_TEST_FAULT_COST_NS=0/thp", "FB_TEST_FAULT_COST_NS=100/thp"]
want = first + first[::-1] + first + first[::-1]
assert order == want, order
for s in d["steps"]:
    cost = s["extra"].get("test_fault_cost_ns", 0)
    assert cost == (100 if "=100/" in s["variant"] else 0), (s["variant"], cost)
assert d["run"]["knob"] == "env:FB_TEST_FAULT_COST_NS=0,100"
PY
# a matrix option alone: 4k thp | thp 4k
fb run pf1 --cpus 1 --size 2M $TINY --repeat 2 --page=4k,thp -o m.json >/dev/null 2>&1
[ "$(jget m.json '",".join(s["variant"] for s in d["steps"])')" = "4k,thp,thp,4k" ] ||
	die "matrix variants not ABBA"
# compare judges each knob value against the first, within the run, per matrix value
fb compare k.json --primary >cmp.txt
grep -q "^Paired within each run" cmp.txt || die "compare: no paired section"
grep -q "FB_TEST_FAULT_COST_NS=100/4k vs FB_TEST_FAULT_COST_NS=0/4k" cmp.txt ||
	die "compare: 4k not paired with 4k"
grep -q "FB_TEST_FAULT_COST_NS=100/thp vs FB_TEST_FAULT_COST_NS=0/thp" cmp.txt ||
	die "compare: thp not paired with thp"
grep -q "FB_TEST_FAULT_COST_NS=100/4k vs FB_TEST_FAULT_COST_NS=0/4k  cpu-ns/page" cmp.txt ||
	die "compare: no paired row on the CPU time per page"

# --- --knob refusals: exit 2 for bad input
expect_status 2 fb run pf1 --cpus 1 $TINY --knob nonsense -o x.json
expect_status 2 fb run pf1 --cpus 1 $TINY --knob $COST= -o x.json
expect_status 2 fb run pf1 --cpus 1 $TINY --knob $COST=1,x -o x.json
expect_status 2 fb run pf1 --cpus 1 $TINY --knob env:PATH=1,2 -o x.json
expect_status 2 fb run pf1 --cpus 1 $TINY --knob /etc/passwd=1,2 -o x.json
expect_status 2 fb run pf1 --cpus 1 $TINY --knob /proc/sys/../../etc/passwd=1,2 -o x.json
printf '[pf]\nbench = pf1\nknob = /proc/sys/vm/stat_interval=1,2\n' >knob.ini
expect_status 2 fb suite knob.ini --label x
[ ! -e x.json ] || die "a refused knob ran"

# --- a real knob, as root: a harmless one (the vmstat update interval)
KNOB=/proc/sys/vm/stat_interval
if [ "$(id -u)" = 0 ] && [ -w $KNOB ]; then
	orig=$(cat $KNOB)
	a=$((orig + 1)) b=$((orig + 2))
	# links out of /proc are refused: a magic link, and root's files through it
	expect_status 2 fb run pf1 --cpus 1 $TINY --knob /proc/self/root/etc/hostname=a,b -o x.json
	expect_status 2 fb run pf1 --cpus 1 $TINY --knob /proc/self/cwd/knob.ini=a,b -o x.json
	# not root: refused as "cannot run here"
	if setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
		expect_status 4 setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$FAULTBENCH" run pf1 --cpus 1 $TINY --knob $KNOB=$a,$b -o /tmp/x.json
	fi
	fb run pf1 --cpus 1 --size 2M $TINY --repeat 2 --knob $KNOB=$a,$b -o r.json >/dev/null 2>&1
	[ "$(cat $KNOB)" = "$orig" ] || die "$KNOB not restored after the run"
	[ "$(jget r.json '",".join(s["variant"] for s in d["steps"])')" = \
		"stat_interval=$a,stat_interval=$b,stat_interval=$b,stat_interval=$a" ] ||
		die "real knob: wrong variants"
	# SIGTERM in the middle: restored, and what was measured kept as incomplete
	# the binary itself in the background (a backgrounded function is a subshell)
	"$FAULTBENCH" run pf1 --cpus 1 --size 2M --samples 3 --sample-time 0.1 --warmup 0 \
		--repeat 500 --progress=off --knob $KNOB=$a,$b -o t.json >/dev/null 2>&1 &
	pid=$!
	trap 'kill $pid 2>/dev/null || true' EXIT
	# B's value: A's step is measured, so there is something to keep
	for _ in $(seq 300); do
		[ "$(cat $KNOB)" = "$b" ] && break
		sleep 0.1
	done
	[ "$(cat $KNOB)" = "$b" ] || die "the knob never got B's value"
	kill -TERM $pid
	rc=0
	wait $pid || rc=$?
	[ "$rc" = 143 ] || die "SIGTERM: exit $rc, expected 143"
	trap - EXIT
	[ "$(cat $KNOB)" = "$orig" ] || die "$KNOB not restored after SIGTERM"
	[ "$(jget t.json 'd["complete"]')" = False ] || die "interrupted run not incomplete"
fi

# expect_ab STATUS DIR ARGS...: ab into DIR, its output in DIR.out, shown on failure
expect_ab() {
	local want=$1 dir=$2 rc=0
	shift 2
	fb ab "$@" -o "$dir" >"$dir.out" 2>&1 || rc=$?
	[ "$rc" = "$want" ] || { cat "$dir.out" "$dir"/*.log 2>/dev/null | tail -n 30; die "ab $*: exit $rc, expected $want"; }
}

# --- ab: usage
expect_status 2 fb ab
expect_status 2 fb ab --a "$RUN"
expect_status 2 fb ab --a "compare x y" --b "$RUN"
expect_status 2 fb ab --a "$RUN -o x.json" --b "$RUN"
expect_status 2 fb ab --a "$RUN" --b "$RUN" --threshold 0
expect_status 2 fb ab --a "$RUN" --b "$RUN" --threshold lots
expect_status 2 fb ab --a "$RUN" --knob $COST=1
expect_status 2 fb ab --a "$RUN" --b "$RUN" --design within
expect_status 2 fb ab --a "$RUN" --knob $COST=0,1 --round-repeats 3
expect_status 2 fb ab --a "$RUN --repeat 2" --knob $COST=0,1
expect_status 2 fb ab --a "$RUN --knob $COST=0,2" --knob $COST=0,1

# --- ab: the run budget, ABBA order of the pairs, undecided is 125
expect_ab 125 budget --a "$RUN" --knob $COST=0,0 --max-runs 4 --design separate
grep -q "^ab: undecided" budget.out || die "no undecided verdict"
python3 - budget/ab.json <<'PY' || die "ab: budget or order wrong"
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["runs"] <= 4 and d["decision"] == "undecided", d
# the counted pairs alternate AB, BA (a redone pair keeps its order)
valid = [p["order"] for p in d["pairs_log"] if not p["disturbed"]]
assert valid == ["AB", "BA"][:len(valid)], d["pairs_log"]
runs = [f for f in os.listdir(os.path.dirname(sys.argv[1])) if f.endswith(".json") and f != "ab.json"]
assert len(runs) == d["runs"] <= 4, runs
PY
# the time budget: never exceeded (a run still going is stopped)
expect_ab 125 time --a "$RUN" --knob $COST=0,0 --max-time 2 --design separate
[ "$(jget time/ab.json 'd["seconds"] <= 2')" = True ] || die "ab: time budget exceeded"

# --- ab: worse (exit 1) and within (exit 0)
# on the workers' CPU time per page, which a loaded machine does not move
expect_ab 1 worse --a "$RUN" --knob $COST=0,10000 --max-runs 60 --metric cpu --design separate
grep -q "^ab: worse" worse.out || die "no worse verdict"
grep -q "cpu-ns/page" worse.out || die "ab --metric cpu: not on cpu-ns/page"
grep -q "^ab: spent [0-9]* runs" worse.out || die "ab does not say what it spent"
[ "$(jget worse/a-001.json 'd["steps"][0]["extra"].get("test_fault_cost_ns", 0)')" = 0 ] ||
	die "A ran with B's cost"
[ "$(jget worse/b-001.json 'd["steps"][0]["extra"]["test_fault_cost_ns"]')" = 10000 ] ||
	die "B ran without its cost"
expect_ab 0 within --a "$RUN" --b "$RUN" --threshold 95% --max-runs 60
grep -q "^ab: within" within.out || die "no within verdict"

# --- ab's within design (the default with --knob): each round one run of
# both values interleaved ABBA, each repeat a pair
expect_ab 1 rounds --a "$RUN" --knob $COST=0,10000 --max-runs 20 --metric cpu
grep -q "^round   1: " rounds.out || die "ab within: no round line"
grep -q "^ab: worse" rounds.out || die "ab within: no worse verdict"
grep -q "rounds of 4 repeats" rounds.out || die "ab within: does not say what it spent"
python3 - rounds/ab.json rounds/r-001.json <<'PY' || die "ab within: rounds wrong"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["design"] == "within" and d["decision"] == "worse", d
assert d["runs"] == len(d["pairs_log"]) <= 20, d
assert d["pairs"] + d["left_out"] == 4 * d["runs"], d
r = json.load(open(sys.argv[2]))
costs = [s["extra"].get("test_fault_cost_ns", 0) for s in r["steps"]]
# ABBA by repeat: A B | B A | A B | B A
assert costs == [0, 10000, 10000, 0, 0, 10000, 10000, 0], costs
PY
expect_ab 125 rtime --a "$RUN" --knob $COST=0,00 --max-time 3
[ "$(jget rtime/ab.json 'd["seconds"] <= 3')" = True ] || die "ab within: time budget exceeded"
exit 0
