#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Nightly regression run (docs/nightly.md): run configs/nightly.ini into
# $FB_RESULTS/nightly-YYYYMMDD/, check it against the reference nights, and
# mail the verdict with the comparison table (or print it when there is no
# MAILTO or no mail command).
#
# The reference is a fixed set of nights ($FB_RESULTS/reference, one label a
# line), not "last night": against a moving baseline a slow drift never
# fails, and a loss that was merely not significant would become the new
# normal.  While the reference has fewer than $FB_REFERENCE_NIGHTS nights,
# each night that is not a regression joins it; then it stays as it is, and
# every night is checked against all of its nights (several runs a side:
# their spread is run-to-run information, pooled with the machine's noise
# model when there is one).  After an intended change, start a new
# reference: FB_NEW_REFERENCE=1 (tonight becomes its first night).  A night
# with a value no measurement gives (a repeat that counted nothing, a zero,
# negative or NaN rate) or measured disturbed never joins the reference.
#
# Environment:
#   FAULTBENCH          the binary (default: the one installed beside this script,
#                       or this repo's build, else faultbench in $PATH)
#   FB_RESULTS          where results are kept (default: /var/lib/faultbench/results)
#   FB_CONFIG           the suite (default: configs/nightly.ini of this repo)
#   FB_THRESHOLD        smallest regression reported (default: 2%)
#   FB_REFERENCE_NIGHTS nights in the reference (default: 5)
#   FB_NEW_REFERENCE    1: tonight starts a new reference
#   FB_NOISE            the noise model (default: $FB_RESULTS/noise)
#   FB_STORE            the results store each result is indexed into (default:
#                       $FB_RESULTS/faultbench.db; postgresql://... for a lab's
#                       server: docs/store.md)
#   FB_GZIP_DAYS        gzip result files older than this many days (default: 14;
#                       history and compare read .json.gz transparently)
#   MAILTO              where to mail the report
# Exit status: that of 'faultbench check' (0 good, 1 regression, 125 undecided,
# 2 a usage error such as a bad FB_THRESHOLD).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
# installed (make install): PREFIX/share/faultbench/scripts, the binary in PREFIX/bin;
# cron's PATH has no /usr/local/bin
case $here in
*/share/faultbench) own=${here%/share/faultbench}/bin/faultbench ;;
*) own=$here/build/faultbench ;;
esac
[ -x "$own" ] || own=$(command -v faultbench || echo "$own")
FB=${FAULTBENCH:-$own}
RESULTS=${FB_RESULTS:-/var/lib/faultbench/results}
CONFIG=${FB_CONFIG:-$here/configs/nightly.ini}
THRESHOLD=${FB_THRESHOLD:-2%}
NIGHTS=${FB_REFERENCE_NIGHTS:-5}
NOISE=${FB_NOISE:-$RESULTS/noise}
label=nightly-$(date -u +%Y%m%d)
report=$(mktemp)
trap 'rm -f "$report"' EXIT

case $NIGHTS in '' | *[!0-9]* | 0) echo "nightly: FB_REFERENCE_NIGHTS='$NIGHTS' is not a count" >&2; exit 2 ;; esac
mkdir -p "$RESULTS" || exit 2
[ -e "$RESULTS/$label" ] && label=$label-$(date -u +%H%M%S)
base=$label
i=1
while [ -e "$RESULTS/$label" ]; do label=$base-$((i++)); done
"$FB" suite "$CONFIG" --label "$label" --results "$RESULTS" ${FB_STORE:+--store "$FB_STORE"} \
	>"$RESULTS/$label.log" 2>&1
suite_rc=$?

ref=$RESULTS/reference
# a reference from before reference windows: the old last-good night
[ -e "$ref" ] || [ ! -s "$RESULTS/last-good" ] || cp "$RESULTS/last-good" "$ref"
[ "${FB_NEW_REFERENCE:-0}" = 1 ] && : >"$ref"
args=()
nref=0
while read -r night; do
	[ -n "$night" ] && [ -d "$RESULTS/$night" ] || continue
	args+=(--baseline "$RESULTS/$night")
	nref=$((nref + 1))
done < <(cat "$ref" 2>/dev/null)

# check prints "check: not a reference: ..." for a candidate with a value no
# measurement gives (a repeat that counted nothing, a negative or NaN rate) or
# measured disturbed: such a night never joins the reference
not_reference() { grep '^check: not a reference:' "$1"; }

if [ "$nref" = 0 ]; then
	# the night against itself: only to validate it, the verdict means nothing
	"$FB" check --baseline "$RESULTS/$label" --candidate "$RESULTS/$label" --noise none \
		>"$report.first" 2>&1
	if [ ! -d "$RESULTS/$label" ] || not_reference "$report.first" >/dev/null; then
		status="not a reference night: $label"
		rc=125
		{
			not_reference "$report.first"
			grep 'warning:' "$report.first"
			tail -n 20 "$RESULTS/$label.log"
		} >"$report"
	else
		echo "$label" >"$ref"
		status="first night of a new reference: $label"
		rc=0
		# the night's summary, not the log's tail: what ran, where the reference
		# stands, and each benchmark's headline (one column: nothing to compare yet)
		{
			echo "what ran: $CONFIG on $(hostname), $(uname -r); log: $RESULTS/$label.log"
			sed -n '/^suite /,$p' "$RESULTS/$label.log"
			echo
			echo "reference: this night is night 1 of $NIGHTS of a new reference ($ref)."
			echo "Each night that is no regression joins it until it has $NIGHTS; from the next"
			echo "night on, every night is checked against all of its nights (faultbench check,"
			echo "threshold $THRESHOLD); docs/nightly.md says how to test the gate."
			echo
			echo "tonight's headline of each benchmark:"
			"$FB" compare --view=lkp --primary "$RESULTS/$label" 2>&1
		} >"$report"
	fi
	rm -f "$report.first"
else
	noise=(--noise none)
	[ -e "$NOISE" ] && noise=(--noise "$NOISE")
	"$FB" check "${args[@]}" --candidate "$RESULTS/$label" --threshold "$THRESHOLD" \
		"${noise[@]}" >"$report" 2>&1
	rc=$?
	case $rc in
	0) status="good" ;;
	1) status="REGRESSION against the $nref reference night(s)" ;;
	125) status="undecided" ;;
	*) status="check failed (exit $rc)" ;;
	esac
	# building the reference: every night that is no regression joins it
	if not_reference "$report" >/dev/null; then
		status="$status; not a reference night (see check: not a reference)"
	elif { [ "$rc" = 0 ] || [ "$rc" = 125 ]; } && [ "$nref" -lt "$NIGHTS" ]; then
		echo "$label" >>"$ref"
		status="$status; reference night $((nref + 1)) of $NIGHTS"
	fi
	first=${args[1]}
	{
		echo
		echo "faultbench compare $first $RESULTS/$label   (the first reference night)"
		"$FB" compare "${noise[@]}" "$first" "$RESULTS/$label" 2>&1
		echo
		echo "suite summary:"
		sed -n '/^suite /,$p' "$RESULTS/$label.log"
	} >>"$report"
fi
[ "$suite_rc" = 0 ] || status="$status; some jobs failed (see $RESULTS/$label.log)"

find "$RESULTS" -name '*.json' -mtime +"${FB_GZIP_DAYS:-14}" -not -path "$NOISE/*" \
	-exec gzip -q {} + 2>/dev/null

subject="faultbench nightly $label on $(hostname): $status"
if [ -n "${MAILTO:-}" ] && command -v mail >/dev/null; then
	mail -s "$subject" "$MAILTO" <"$report"
else
	echo "$subject"
	cat "$report"
fi
exit $rc
