#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What 'make run' runs after building: the quick suite (configs/quick.ini)
# into results/<label>/, then a comparison-ready table and the plots.
#
#   LABEL=6.18-mypatch make run     label the run (default: the kernel release;
#                                   a timestamp is added when it exists already)
#   BASELINE=6.18-vanilla make run  compare against that run (default: the
#                                   previous quick run, if there is one)
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 1
fb=$here/build/faultbench
[ -x "$fb" ] || { echo "quick-run: $fb is not built (run make)" >&2; exit 2; }

label=${LABEL:-$(uname -r)}
baseline=${BASELINE:-}
if [ -e "results/$label" ]; then
	# never mix two runs in one label: the repeats of a label must be one experiment
	[ -n "$baseline" ] || baseline=$(ls -td results/"$label"* 2>/dev/null | head -n 1)
	label=$label-$(date -u +%Y%m%d%H%M%S)
fi

"$fb" suite configs/quick.ini --label "$label"
rc=$?

echo
if [ -n "$baseline" ]; then
	echo "== faultbench compare $baseline results/$label"
	"$fb" compare "$baseline" "results/$label" || "$fb" compare "results/$label"
else
	echo "== faultbench compare results/$label   (add a second run to compare against:"
	echo "==   faultbench compare results/$label results/OTHER)"
	"$fb" compare "results/$label"
fi
echo
if "$fb" plot "results/$label" -o "plots/$label" >/dev/null; then
	echo "plots: $here/plots/$label/ (PNG and SVG; edit the .gp beside each and re-run gnuplot)"
fi
echo "results: $here/results/$label/"
exit $rc
