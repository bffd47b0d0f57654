#!/bin/bash
# The A/B measurements of docs/compare.md (abtest helper), fourth script: 'ab' trials
# (--metric cpu --threshold 1%, 180 s budget each), as many as the deadline left.
FB=/tmp/abtest-x/fb-measure	# a copy of build/faultbench at cb230cb (rebased: e8f36b6)
OUT=/work/wt/abtest/docs/data/ab
cd $OUT || exit 1
COMMON="--samples 4 --sample-time 0.25 --warmup 0.2 --size 4M"
log() { echo "$(date -u +%FT%TZ) $* | $(uptime | sed 's/.*load/load/') | psi $(head -1 /proc/pressure/cpu)" >>$OUT/trials.log; }
abtrial() { # bench cpus trial costs kind maxtime
	local b=$1 c=$2 t=$3 costs=$4 name=ab-$1-$2cpu-$5-$3
	log "start $name"
	$FB ab --a "run $b --cpus $c $COMMON" --knob env:FB_TEST_FAULT_COST_NS=$costs \
		--metric cpu --threshold 1% --max-time $6 --max-runs 400 -o $name >$name.out 2>&1
	log "end $name: exit $? $(grep '^ab:' $name.out | tr '\n' ' ')"
}
log "measure4: faultbench $($FB --version 2>&1 | head -1)"
abtrial pf1 1 4 0,90 ab5pct 180
abtrial nopage 1 4 0,22 ab5pct 180
abtrial pf1 1 5 0,0 aa 180
abtrial pf1 2 4 0,95 ab5pct 180
log "all done"
