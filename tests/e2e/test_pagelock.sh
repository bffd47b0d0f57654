#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pagelock end to end: every invalidation method really drops the pages
# (mincore before > 0, after = 0, checked by the benchmark every round), the
# same/disjoint ratio is printed, evidence counters and derived figures land
# in the result, and --profile either names kernel symbols or says why not.
# Behaviour only: no timing thresholds.
. "$FB_SRC/tests/e2e/lib.sh"

[ "$(id -u)" = 0 ] || skip "pagelock e2e: needs root for tracepoints and perf -a"
ncpu=$(nproc)
cpus=1,2
[ "$ncpu" -ge 2 ] || cpus=1
top=${cpus##*,}

# checked OUT: every step of OUT that completed a round inside its samples
# proved the drop, and at least one did.  A round is checked only when one
# completes inside the samples; on a loaded machine a tiny run may complete
# none, which proves nothing either way: the caller then runs again with
# longer samples (LONGER) rather than fail on the machine's load.
checked() {
	jget "$1" '(any(s["extra"]["invalidation"]["rounds_checked"] > 0 for s in d["steps"]) and
		all(s["extra"]["invalidation"]["resident_before_min"] > 0 and
		s["extra"]["invalidation"]["resident_after_max"] == 0
		for s in d["steps"] if s["extra"]["invalidation"]["rounds_checked"] > 0))'
}
no_round_done() {
	[ "$(jget "$1" 'sum(s["extra"]["invalidation"]["rounds_checked"] for s in d["steps"])')" = 0 ]
}
LONGER="--samples 3 --sample-time 1 --warmup 0.2 --progress=off"

# --- bad input: usage errors, never a crash
expect_status 2 fb run pagelock --size 1000 $TINY --cpus 1
expect_status 2 fb run pagelock --size 5000 $TINY --cpus 1
expect_status 2 fb run pagelock --invalidate bogus $TINY --cpus 1
expect_status 2 fb run pagelock --pattern sideways $TINY --cpus 1
expect_status 2 fb run pagelock --event sched:no_such_tracepoint $TINY --cpus 1 --output bad.json

# --- punch on tmpfs, the acceptance run in small
punch() {
	rm -f punch.json
	# --counters=full: every default event, the per-fault ones too, checked below
	fb run pagelock --cpus $cpus --invalidate punch --pattern disjoint,same "$@" --counters=full \
		--event sched:sched_switch,mmap_lock:mmap_lock_start_locking --output punch.json >punch.txt
}
punch $TINY
no_round_done punch.json && punch $LONGER
grep -q "same vs disjoint at $top CPUs" punch.txt || die "no same/disjoint ratio in the table"
grep -q "sleeps/round" punch.txt || die "no sleeps/round column"
jget punch.json 'all(s["extra"]["invalidation"]["method"] == "punch" for s in d["steps"])' |
	grep -qx True || die "invalidation method not recorded"
# rounds after the first prove the drop: resident before > 0, after == 0
checked punch.json | grep -qx True || die "punch: pages not shown to leave the page cache"
jget punch.json 'all(e in d["steps"][0]["events"] for e in ["page-faults", "minor-faults",
	"major-faults", "context-switches", "cpu-migrations", "task-clock",
	"sched:sched_switch/D", "sched:sched_switch", "mmap_lock:mmap_lock_start_locking"])' |
	grep -qx True || die "events missing: $(jget punch.json 'd["steps"][0]["events"]')"
for m in sleeps/1000faults ctxsw/1000faults mmap_lock/fault sleeps/round faults/round \
	round_ms_p50 round_ms_p90 round_ms_p99 round_ms_max rounds/s pages/s \
	inval_ms_p50 inval_ms_p99 inval_share% inval_pages/s; do
	jget punch.json "all('$m' in s['metrics'] for s in d['steps'])" | grep -qx True ||
		die "metric $m missing"
done
# the invalidation side is timed: a drop takes time, and is a share of the cycle
jget punch.json 'all(s["metrics"]["inval_ms_p50"]["value"] > 0 and
	0 < s["metrics"]["inval_share%"]["value"] < 100 and
	s["metrics"]["inval_pages/s"]["value"] > 0 for s in d["steps"])' |
	grep -qx True || die "invalidation side not timed"
# every sample says when it started on the wall clock
jget punch.json 'all(smp["start_unix"] > 1.5e9 for s in d["steps"] for smp in s["samples"])' |
	grep -qx True || die "samples without a wall-clock start"
# hardware events: counted, or recorded as not counted with the reason
jget punch.json '[e for e in ("cycles", "instructions") if e not in d["steps"][0]["events"] and
	e not in d["steps"][0]["extra"]["evidence"]["not_counted"]]' | grep -qx '\[\]' ||
	die "cycles/instructions neither counted nor explained"
# the round log is summarised, not stored
jget punch.json 'any("round_log" in s["extra"] for s in d["steps"])' | grep -qx False ||
	die "raw round log left in the result"

# --- disk methods, threads and processes: the pages must go each round
for spec in "fadvise threads" "odirect threads" "fadvise processes"; do
	set -- $spec
	rc=0
	fb run pagelock --cpus $top --invalidate $1 --mode $2 --dir "$FB_TMP" --pattern same \
		$TINY --output "$1-$2.json" >/dev/null 2>err.txt || rc=$?
	if [ $rc = 4 ]; then
		echo "note: $1 skipped here: $(cat err.txt)"
		continue
	fi
	[ $rc = 0 ] || die "--invalidate $1 --mode $2 exited $rc: $(cat err.txt)"
	if no_round_done "$1-$2.json"; then
		rm -f "$1-$2.json"
		fb run pagelock --cpus $top --invalidate $1 --mode $2 --dir "$FB_TMP" --pattern same \
			$LONGER --output "$1-$2.json" >/dev/null 2>err.txt ||
			die "--invalidate $1 --mode $2 exited $?: $(cat err.txt)"
	fi
	checked "$1-$2.json" |
		grep -qx True || die "$1 ($2): pages not shown to leave the page cache"
done

# --- fault-around off: runs, or is skipped with the reason
rc=0
fb run pagelock --cpus 1 --fault-around=off --pattern same $TINY --output nofa.json \
	>/dev/null 2>err.txt || rc=$?
[ $rc = 0 ] || [ $rc = 4 ] || die "--fault-around=off exited $rc: $(cat err.txt)"
[ $rc = 0 ] && { jget nofa.json 'd["steps"][0]["extra"]["fault_around"]' | grep -qx False ||
	die "fault_around not recorded"; }

# --- profile: without perf the run goes on and says why (the largest step's extra.profile)
FB_PERF=/nonexistent/perf fb run pagelock --cpus 1 --pattern same --profile $TINY \
	--output noperf.json >/dev/null
jget noperf.json 'd["steps"][-1]["extra"]["profile"]["skipped"]' | grep -q . ||
	die "no reason recorded for the missing profile"
if command -v perf >/dev/null; then
	fb run pagelock --cpus $top --pattern same --profile $TINY --output prof.json >/dev/null
	if jget prof.json '"top" in d["steps"][-1]["extra"]["profile"]' | grep -qx True; then
		jget prof.json 'd["steps"][-1]["extra"]["profile"]["command"].startswith("perf record -C ")' |
			grep -qx True || die "profile not limited to the step's CPUs"
		jget prof.json '(len(d["steps"][-1]["extra"]["profile"]["top"]) > 0 and
			all(t["percent"] > 0 and t["symbol"] for t in d["steps"][-1]["extra"]["profile"]["top"]))' |
			grep -qx True || die "profile without kernel symbols"
		f=$(jget prof.json 'd["steps"][-1]["extra"]["profile"]["perf_data"]')
		[ -s "$f" ] || die "perf.data $f not kept"
	else
		echo "note: no profile here: $(jget prof.json 'd["steps"][-1]["extra"]["profile"]')"
	fi
fi
echo "pagelock e2e ok"
