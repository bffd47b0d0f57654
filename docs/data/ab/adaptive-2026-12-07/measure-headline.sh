#!/bin/bash
# As measure.sh, on the headline metric (pages/s): faultbench ab's within design (each round one run with the knob's two values
# interleaved ABBA by repeat, each repeat a pair) against a +5% per-page CPU
# cost (FB_TEST_FAULT_COST_NS, test-only) and A/A (0 against 00: two names, no
# cost), pf1 and nopage at 1 and 2 CPUs, a 600 s budget each (coordinator,
# 2026-12-07).  COND names the condition (loaded, quiet); the load and CPU
# pressure are logged before and after every trial in trials.log.
FB=${FB:-/tmp/coord-fb/faultbench}
COND=${COND:?loaded or quiet}
OUT=${OUT:-/tmp/coord-adaptive}/$COND   # then copied to docs/data/ab/adaptive-2026-12-07/
AB_TRIALS=${AB_TRIALS:-10} AA_TRIALS=${AA_TRIALS:-3}
mkdir -p $OUT && cd $OUT || exit 1
COMMON="--samples 4 --sample-time 0.25 --warmup 0.2 --size 4M"
declare -A COST=( [pf1-1]=90 [pf1-2]=95 [nopage-1]=22 [nopage-2]=19 )
log() { echo "$(date -u +%FT%TZ) $* | $(uptime | sed 's/.*load/load/') | psi $(head -1 /proc/pressure/cpu)" >>$OUT/trials.log; }
trial() { # bench cpus costs name
	log "start $4"
	setsid $FB ab --a "run $1 --cpus $2 $COMMON" --knob env:FB_TEST_FAULT_COST_NS=$3 \
		--metric headline --max-time 600 -o $4 >$4.out 2>&1
	log "end $4: exit $? | $(grep -E '^ab: (worse|within|undecided)' $4.out) | $(grep '^ab: spent' $4.out)"
}
for t in $(seq $AB_TRIALS); do
	for bc in pf1-1 pf1-2 nopage-1 nopage-2; do
		trial ${bc%-*} ${bc#*-} 0,${COST[$bc]} ab-${bc%-*}-${bc#*-}cpu-hl5pct-$t
	done
done
for t in $(seq $AA_TRIALS); do
	for bc in pf1-1 pf1-2 nopage-1 nopage-2; do
		trial ${bc%-*} ${bc#*-} 0,00 ab-${bc%-*}-${bc#*-}cpu-hlaa-$t
	done
done
log "all done"
