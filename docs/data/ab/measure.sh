#!/bin/bash
# The A/B measurements of docs/compare.md "Deciding adaptively" (abtest helper).
FB=/work/wt/abtest/build/faultbench
OUT=/work/wt/abtest/docs/data/ab
cd $OUT || exit 1
COMMON="--samples 4 --sample-time 0.25 --warmup 0.2 --size 4M"
declare -A COST=( [pf1-1]=90 [pf1-2]=95 [nopage-1]=27 [nopage-2]=23 )
log() { echo "$(date -u +%FT%TZ) $* | $(uptime | sed 's/.*load/load/') | psi $(head -1 /proc/pressure/cpu)" >>$OUT/trials.log; }
within() { # bench cpus trial costB
	local b=$1 c=$2 t=$3 cost=$4 name=within-$1-$2cpu-$5-$3
	log "start $name"
	$FB run $b --cpus $c $COMMON --repeat 12 --knob env:FB_TEST_FAULT_COST_NS=0,$cost \
		--progress=off --store none -o $name.json >/dev/null 2>>$OUT/$name.err
	$FB compare $name.json --primary >$name.compare.txt 2>&1
	log "end $name: $(grep -E ' vs ' $name.compare.txt | sed 's/  */ /g')"
}
abtrial() { # bench cpus trial costB kind maxtime
	local b=$1 c=$2 t=$3 cost=$4 name=ab-$1-$2cpu-$5-$3
	log "start $name"
	$FB ab --a "run $b --cpus $c $COMMON" --knob env:FB_TEST_FAULT_COST_NS=0,$cost \
		--max-time $6 --max-runs 400 -o $name >$name.out 2>&1
	log "end $name: exit $? $(grep '^ab:' $name.out | tr '\n' ' ')"
}
for t in 1 2 3 4 5; do
	for bc in pf1-1 nopage-1 pf1-2 nopage-2; do
		within ${bc%-*} ${bc#*-} $t ${COST[$bc]} ab5pct
	done
done
for t in 1 2; do
	for bc in pf1-1 nopage-1 pf1-2 nopage-2; do
		within ${bc%-*} ${bc#*-} $t 0 aa
	done
done
for t in 1; do
	for bc in pf1-1 nopage-1 pf1-2 nopage-2; do
		abtrial ${bc%-*} ${bc#*-} $t ${COST[$bc]} ab5pct 240
	done
	for bc in pf1-1 nopage-1; do
		abtrial ${bc%-*} ${bc#*-} $t 0 aa 120
	done
done
log "all done"
