#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/nightly.sh on tiny suites: the reference fills up with nights that
# are no regression, then stays fixed; a night slowed down on purpose (four
# busy loops on the worker's CPU: about a fifth of it) is a regression
# against the reference and does not join it; FB_NEW_REFERENCE starts over.
. "$FB_SRC/tests/e2e/lib.sh"

command -v taskset >/dev/null || skip "taskset (util-linux) is not installed"
printf '[global]\nrepeat = 1\nsamples = 2\nsample-time = 0.1\nwarmup = 0.05\nprogress = off\n[pf1]\ncpus = 1\n' >n.ini
# a 30% threshold: only the slowed night (a fifth of a CPU) is beyond it; an
# unchanged night that is significant by chance must also be 30% worse
export FAULTBENCH FB_RESULTS=$PWD/R FB_CONFIG=$PWD/n.ini FB_REFERENCE_NIGHTS=3 FB_THRESHOLD=30%
busy=()
cleanup() { for p in "${busy[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

night() { # night EXPECTED_STATUSES...
	local rc=0
	bash "$FB_SRC/scripts/nightly.sh" >night.txt 2>&1 || rc=$?
	head -n 1 night.txt
	for want in "$@"; do [ "$rc" = "$want" ] && return 0; done
	cat night.txt
	die "nightly exited $rc, expected one of: $*"
}
refs() { wc -l <R/reference; }

night 0
[ "$(refs)" = 1 ] || die "the first night did not start the reference"
grep -q 'first night of a new reference' night.txt || die "first night not said"
night 0 125
night 0 125
[ "$(refs)" = 3 ] || die "nights that are no regression should fill the reference to 3"
night 0 1 125 # tested against 3 reference runs now: a chance star is possible
[ "$(refs)" = 3 ] || die "a full reference must stay fixed"
grep -q 'noise model\|run-to-run\|check:' night.txt || die "no verdict in the report"

pu=$(python3 -c 'import json,glob; print(json.load(open(sorted(glob.glob("R/nightly-*/*.json"))[0]))["steps"][0]["pus"][0])')
for i in 1 2 3 4; do
	taskset -c "$pu" sh -c 'while :; do :; done' &
	busy+=($!)
done
night 1
cleanup
busy=()
grep -q 'REGRESSION pf1' night.txt || die "the slowed night is not named a regression"
[ "$(refs)" = 3 ] || die "a regression must not join the reference"

FB_NEW_REFERENCE=1 night 0
[ "$(refs)" = 1 ] || die "FB_NEW_REFERENCE did not start a new reference"
echo "nightly e2e: ok"
