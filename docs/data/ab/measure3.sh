#!/bin/bash
# The A/B measurements of docs/compare.md (abtest helper), third script:
# more within-run trials (the cheaper design), A/A within-run trials
# (FB_TEST_FAULT_COST_NS=0,00: two names, the same zero cost) and, if time
# is left, 'ab' trials with --threshold 1%.
FB=/tmp/abtest-x/fb-measure	# a copy of build/faultbench at cb230cb (rebased: e8f36b6)
OUT=/work/wt/abtest/docs/data/ab
cd $OUT || exit 1
COMMON="--samples 4 --sample-time 0.25 --warmup 0.2 --size 4M"
declare -A COST=( [pf1-1]=90 [pf1-2]=95 [nopage-1]=22 [nopage-2]=19 )
log() { echo "$(date -u +%FT%TZ) $* | $(uptime | sed 's/.*load/load/') | psi $(head -1 /proc/pressure/cpu)" >>$OUT/trials.log; }
within() { # bench cpus trial costs kind
	local b=$1 c=$2 t=$3 costs=$4 name=within-$1-$2cpu-$5-$3
	log "start $name"
	$FB run $b --cpus $c $COMMON --repeat 12 --knob env:FB_TEST_FAULT_COST_NS=$costs \
		--progress=off --store none -o $name.json >/dev/null 2>>$OUT/$name.err
	$FB compare $name.json --primary >$name.compare.txt 2>&1
	log "end $name: $(grep -E ' vs ' $name.compare.txt | sed 's/  */ /g' | tr '\n' ' ')"
}
abtrial() { # bench cpus trial costB kind maxtime
	local b=$1 c=$2 t=$3 cost=$4 name=ab-$1-$2cpu-$5-$3
	log "start $name"
	$FB ab --a "run $b --cpus $c $COMMON" --knob env:FB_TEST_FAULT_COST_NS=0,$cost \
		--metric cpu --threshold 1% --max-time $6 --max-runs 400 -o $name >$name.out 2>&1
	log "end $name: exit $? $(grep '^ab:' $name.out | tr '\n' ' ')"
}
log "measure3: faultbench $($FB --version 2>&1 | head -1)"
for t in 4 5 6 7 8 9 10; do
	for bc in pf1-1 nopage-1 pf1-2 nopage-2; do
		within ${bc%-*} ${bc#*-} $t 0,${COST[$bc]} ab5pct
	done
	if [ $((t % 2)) = 1 ]; then
		for bc in pf1-1 nopage-1 pf1-2 nopage-2; do
			within ${bc%-*} ${bc#*-} $t 0,00 aa
		done
	fi
done
log "all done"
