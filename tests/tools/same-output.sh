#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Outputs that a refactoring must leave byte-for-byte unchanged: topo plans on
# synthetic machines, and compare/history/check/plot data on the stored
# reference results.  Run it with the old and the new binary into two
# directories and diff them:
#   tests/tools/same-output.sh OLD/faultbench /tmp/before
#   tests/tools/same-output.sh build/faultbench /tmp/after
#   diff -r /tmp/before /tmp/after
# Lines that carry the binary's own version are dropped.
set -u
fb=$(realpath "$1")
out=$2
mkdir -p "$out"
n=0
run() {
	n=$((n + 1))
	"$fb" "$@" >"$out/$n.out" 2>"$out/$n.err"
	echo "rc=$? $*" >>"$out/index"
	sed -i '/faultbench_version\|^# faultbench [0-9a-f]/d' "$out/$n.out"
}
for t in 'pack:1 pu:1' 'pack:2 numa:2 core:16 pu:2' 'pack:8 numa:8 core:16 pu:8' 'numa:4 core:16 pu:2'; do
	for c in walk pow2 max 1,3,7-9; do
		for p in compact spread; do
			run topo --topology="$t" --cpus=$c --placement=$p
			run topo --topology="$t" --cpus=$c --placement=$p --format=json
		done
	done
done
R=docs/data
run compare $R/verdicts/aa-*/a1* $R/verdicts/aa-*/b1* 2>/dev/null
# explicit files: results added to docs/data later change no input here
for set in "fault/nopage-20261121-092451.json" "pagelock/pagelock-20261121-092420.json" \
	"dio/dio10m.json dio/dioshared.json" \
	"vm/interleaved/6.1-a/pf1-20261202-063405.json vm/interleaved/6.1-a/pf1-20261202-063425.json"; do
	files=$(for f in $set; do echo "$R/$f"; done)
	run compare $files
	run compare --format=markdown $files
	run compare --format=json $files
done
for d in $(find $R/verdicts $R/verdicts-review -mindepth 1 -maxdepth 1 -type d | sort | head -6); do
	set -- $(find "$d" -mindepth 1 -maxdepth 1 -type d | sort | head -2)
	[ $# -eq 2 ] || continue
	run compare "$1" "$2"
	run check --baseline "$1" --candidate "$2"
done
run history $(find $R/verdicts -mindepth 1 -maxdepth 1 -type d | sort | head -3)
exit 0
