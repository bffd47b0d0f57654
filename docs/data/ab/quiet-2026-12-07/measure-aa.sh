#!/bin/bash
# The A/A trials of measure-quiet.sh again: "0,00" (two names, no cost; "0,0" is refused as a value given twice).
FB=${FB:-/tmp/coord-fb/faultbench}
OUT=${OUT:-/tmp/coord-quiet}   # then copied to docs/data/ab/quiet-2026-12-07
cd $OUT || exit 1
COMMON="--samples 4 --sample-time 0.25 --warmup 0.2 --size 4M"
log() { echo "$(date -u +%FT%TZ) $* | $(uptime | sed 's/.*load/load/') | psi $(head -1 /proc/pressure/cpu)" >>$OUT/trials.log; }
for t in 1 2 3; do
	for bc in pf1-2 nopage-2 pf1-1 nopage-1; do
		b=${bc%-*} c=${bc#*-} name=within-${bc%-*}-${bc#*-}cpu-aa-$t
		log "start $name"
		setsid $FB run $b --cpus $c $COMMON --repeat 12 --knob env:FB_TEST_FAULT_COST_NS=0,00 \
			--progress=off --store none -o $name.json >/dev/null 2>>$OUT/$name.err
		$FB compare $name.json --primary >$name.compare.txt 2>&1
		log "end $name: $(grep -E ' vs ' $name.compare.txt | sed 's/  */ /g')"
	done
done
log "aa done"
