#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What 'make run' runs after building: the quick suite (configs/quick.ini)
# into results/<label>/, then a comparison-ready table, the regression
# check against the previous run, the plots and the HTML report
# (reports/<label>/index.html, against the baseline when there is one).
#
#   LABEL=6.18-mypatch make run     label the run (default: the kernel release;
#                                   a timestamp is added when it exists already)
#   BASELINE=6.18-vanilla make run  compare against that run (default: the
#                                   previous quick run, if there is one)
#
# A star in the table is a claim about a kernel: it needs run-to-run
# information (a noise model in results/noise/, or several runs a side);
# the table says when it has none and how to get it.
#
# For tests: FAULTBENCH is the binary (default: build/faultbench), FB_OUT
# the directory that holds results/ and plots/ (default: this repository),
# FB_QUICK_CONFIG the suite (default: configs/quick.ini).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
fb=${FAULTBENCH:-$here/build/faultbench}
config=${FB_QUICK_CONFIG:-$here/configs/quick.ini}
[ -x "$fb" ] || { echo "quick-run: $fb is not built (run make)" >&2; exit 2; }
cd "${FB_OUT:-$here}" || exit 1

label=${LABEL:-$(uname -r)}
baseline=${BASELINE:-}
if [ -e "results/$label" ]; then
	# never mix two runs in one label: each run is one replicate of its own
	[ -n "$baseline" ] || baseline=$(ls -td results/"$label"* 2>/dev/null | head -n 1)
	label=$label-$(date -u +%Y%m%d%H%M%S)
fi

"$fb" suite "$config" --label "$label"
rc=$?

echo
if [ -n "$baseline" ]; then
	echo "== faultbench compare $baseline results/$label"
	table=$(mktemp)
	"$fb" compare "$baseline" "results/$label" >"$table" || "$fb" compare "results/$label" >"$table"
	cat "$table"
	# compare's footer names one benchmark's command; the suite's gives every one its runs
	if grep -q 'no run-to-run information' "$table"; then
		echo "== for a verdict on every benchmark, 3 runs a side (then 'make run' compares again):"
		echo "==   $fb suite $config --label ${baseline#results/} --runs 2"
		echo "==   $fb suite $config --label $label --runs 2"
	fi
	rm -f "$table"
	echo
	echo "== faultbench check --baseline $baseline --candidate results/$label"
	"$fb" check --baseline "$baseline" --candidate "results/$label" | sed -n '/^check:/p'
else
	# one column of (0.00%) compares nothing: the suite printed its tables above
	echo "== the first quick run of this kernel: 'make run' again compares against it"
	echo "==   (or: faultbench compare results/$label results/OTHER)"
fi
echo
if "$fb" plot "results/$label" -o "plots/$label" >/dev/null; then
	echo "plots: $PWD/plots/$label/ (PNG and SVG; edit the .gp beside each and re-run gnuplot)"
fi
report_runs="results/$label"
[ -n "$baseline" ] && report_runs="$baseline results/$label"
# shellcheck disable=SC2086 # two RUNs, neither with blanks (labels are names)
if "$fb" report $report_runs -o "reports/$label" >/dev/null; then
	echo "report: $PWD/reports/$label/index.html (open it in a browser; no server needed)"
fi
echo "results: $PWD/results/$label/"
exit $rc
