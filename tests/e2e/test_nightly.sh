#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/nightly.sh on tiny suites: the reference fills up with nights that
# are no regression, then stays fixed; a night slowed down on purpose is a
# regression against the reference and does not join it; FB_NEW_REFERENCE
# starts over.  The slowed night is the real night's result files with every
# pages/s figure divided by 1000 (a broken kernel), made by a wrapper around
# the binary: slowing a real run with busy loops depends on how loaded the
# machine is, and a loaded machine slows the reference nights too.
. "$FB_SRC/tests/e2e/lib.sh"

printf '[global]\nrepeat = 1\nsamples = 2\nsample-time = 0.1\nwarmup = 0.05\nprogress = off\n[pf1]\ncpus = 1\nsize = 1M\n' >n.ini
# a 30% threshold: only the slowed night (a thousandth) is beyond it; an
# unchanged night that is significant by chance must also be 30% worse
export FAULTBENCH FB_RESULTS=$PWD/R FB_CONFIG=$PWD/n.ini FB_REFERENCE_NIGHTS=3 FB_THRESHOLD=30%
use_slowing_faultbench

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
# the first night's report is the night's summary, not the tail of its log
grep -q '^what ran: ' night.txt || die "the first night does not say what ran"
grep -q '^reference: this night is night 1 of 3' night.txt || die "the reference's state is not said"
grep -q 'pf1.pages/s' night.txt || die "no headline figure in the first night's report"
! grep -q 'result written to' night.txt || die "the first night's report is the log's tail"
night 0 125
night 0 125
[ "$(refs)" = 3 ] || die "nights that are no regression should fill the reference to 3"
night 0 1 125 # tested against 3 reference runs now: a chance star is possible
[ "$(refs)" = 3 ] || die "a full reference must stay fixed"
grep -q 'noise model\|run-to-run\|check:' night.txt || die "no verdict in the report"

FB_TEST_SLOW=1000 FB_TEST_SLOW_DIR=$PWD/R night 1
grep -q 'REGRESSION pf1' night.txt || die "the slowed night is not named a regression"
[ "$(refs)" = 3 ] || die "a regression must not join the reference"

FB_NEW_REFERENCE=1 night 0
[ "$(refs)" = 1 ] || die "FB_NEW_REFERENCE did not start a new reference"
echo "nightly e2e: ok"
