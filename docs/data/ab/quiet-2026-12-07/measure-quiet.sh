#!/bin/bash
# The paired within-run A/B of docs/compare.md on a quiet machine (coordinator, 2026-12-07):
# the same trials as measure.sh (abtest helper), each run in a session of its own.
FB=${FB:-/tmp/coord-fb/faultbench}
OUT=${OUT:-/tmp/coord-quiet}   # then copied to docs/data/ab/quiet-2026-12-07
cd $OUT || exit 1
COMMON="--samples 4 --sample-time 0.25 --warmup 0.2 --size 4M"
declare -A COST=( [pf1-1]=90 [pf1-2]=95 [nopage-1]=22 [nopage-2]=19 )
log() { echo "$(date -u +%FT%TZ) $* | $(uptime | sed 's/.*load/load/') | psi $(head -1 /proc/pressure/cpu)" >>$OUT/trials.log; }
within() { # bench cpus trial costB kind
	local b=$1 c=$2 t=$3 cost=$4 name=within-$1-$2cpu-$5-$3
	log "start $name"
	setsid $FB run $b --cpus $c $COMMON --repeat 12 --knob env:FB_TEST_FAULT_COST_NS=0,$cost \
		--progress=off --store none -o $name.json >/dev/null 2>>$OUT/$name.err
	$FB compare $name.json --primary >$name.compare.txt 2>&1
	log "end $name: $(grep -E ' vs ' $name.compare.txt | sed 's/  */ /g')"
}
for t in 1 2 3 4 5 6 7 8 9 10; do
	for bc in pf1-2 nopage-2; do
		within ${bc%-*} ${bc#*-} $t ${COST[$bc]} ab5pct
	done
	if [ $t -le 5 ]; then
		for bc in pf1-1 nopage-1; do
			within ${bc%-*} ${bc#*-} $t ${COST[$bc]} ab5pct
		done
	fi
done
for t in 1 2 3; do
	for bc in pf1-2 nopage-2; do
		within ${bc%-*} ${bc#*-} $t 00 aa
	done
done
log "all done"
