#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Nightly regression run (docs/nightly.md): run configs/nightly.ini into
# $FB_RESULTS/nightly-YYYYMMDD/, check it against the last good night, and
# mail the verdict with the comparison table (or print it when there is no
# MAILTO or no mail command).  The night becomes the new baseline when check
# finds no regression; a regression keeps the old baseline, so the next
# nights keep being compared with a known-good one until it is fixed.
#
# Environment:
#   FAULTBENCH    the binary (default: faultbench in $PATH, else this repo's build)
#   FB_RESULTS    where results are kept (default: /var/lib/faultbench/results)
#   FB_CONFIG     the suite (default: configs/nightly.ini of this repo)
#   FB_THRESHOLD  smallest regression reported (default: 2%)
#   FB_GZIP_DAYS  gzip result files older than this many days (default: 14;
#                 history and compare read .json.gz transparently)
#   MAILTO        where to mail the report
# Exit status: that of 'faultbench check' (0 good, 1 regression, 125 undecided).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
FB=${FAULTBENCH:-$(command -v faultbench || echo "$here/build/faultbench")}
RESULTS=${FB_RESULTS:-/var/lib/faultbench/results}
CONFIG=${FB_CONFIG:-$here/configs/nightly.ini}
THRESHOLD=${FB_THRESHOLD:-2%}
label=nightly-$(date -u +%Y%m%d)
report=$(mktemp)
trap 'rm -f "$report"' EXIT

mkdir -p "$RESULTS" || exit 2
[ -e "$RESULTS/$label" ] && label=$label-$(date -u +%H%M%S)
"$FB" suite "$CONFIG" --label "$label" --results "$RESULTS" >"$RESULTS/$label.log" 2>&1
suite_rc=$?

good=$(cat "$RESULTS/last-good" 2>/dev/null || true)
if [ -z "$good" ] || [ ! -d "$RESULTS/$good" ]; then
	echo "$label" >"$RESULTS/last-good"
	status="first night: $label is the baseline"
	rc=0
	tail -n 20 "$RESULTS/$label.log" >"$report"
else
	"$FB" check --baseline "$RESULTS/$good" --candidate "$RESULTS/$label" \
		--threshold "$THRESHOLD" >"$report" 2>&1
	rc=$?
	case $rc in
	0) status="good"; echo "$label" >"$RESULTS/last-good" ;;
	1) status="REGRESSION against $good" ;;
	*) status="undecided (exit $rc)"; rc=125 ;;
	esac
	{
		echo
		echo "faultbench compare $good $label"
		"$FB" compare "$RESULTS/$good" "$RESULTS/$label" 2>&1
		echo
		echo "suite summary:"
		sed -n '/^suite /,$p' "$RESULTS/$label.log"
	} >>"$report"
fi
[ "$suite_rc" = 0 ] || status="$status; some jobs failed (see $RESULTS/$label.log)"

find "$RESULTS" -name '*.json' -mtime +"${FB_GZIP_DAYS:-14}" -exec gzip -q {} + 2>/dev/null

subject="faultbench nightly $label on $(hostname): $status"
if [ -n "${MAILTO:-}" ] && command -v mail >/dev/null; then
	mail -s "$subject" "$MAILTO" <"$report"
else
	echo "$subject"
	cat "$report"
fi
exit $rc
