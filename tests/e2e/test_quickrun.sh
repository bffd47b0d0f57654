#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'make run' twice in a row (scripts/quick-run.sh on a tiny suite): the
# second compares itself with the first.  Two runs of one kernel minutes
# apart are one run a side: with no noise model there is no run-to-run
# information, so the table must carry no star and check must not say
# "regression"; the table says why and how to get stars.
. "$FB_SRC/tests/e2e/lib.sh"

printf '[global]\ncpus = 1\nrepeat = 3\nsamples = 2\nsample-time = 0.1\nwarmup = 0.05\nprogress = off\n[pf1]\nsize = 1M\n[nopage]\nsize = 1M\n' >q.ini
export FAULTBENCH FB_OUT=$PWD FB_QUICK_CONFIG=$PWD/q.ini LABEL=6.18-aa
sh "$FB_SRC/scripts/quick-run.sh" >first.txt 2>&1 || { cat first.txt; die "first run failed"; }
sh "$FB_SRC/scripts/quick-run.sh" >second.txt 2>&1 || { cat second.txt; die "second run failed"; }
cat second.txt
grep -q '^== faultbench compare results/6.18-aa results/6.18-aa-' second.txt ||
	die "the second run did not compare itself with the first"
grep -q '^Hmean .*\*' second.txt && die "a star with one run a side and no noise model"
grep -q 'REGRESSION' second.txt && die "check found a regression between two runs of one kernel"
grep -q '^check: cannot decide' second.txt || die "check's verdict is not printed"
# (on a loaded machine a tiny repeat may count nothing: its run is left out, and said so)
grep -q 'no star where a row has no run-to-run information\|^left out: ' second.txt ||
	die "no reason for the missing stars"
grep -q '^report: .*/reports/6.18-aa-.*/index.html' second.txt || die "make run does not print its report"
[ -s "$(sed -n 's/^report: \([^ ]*\) .*/\1/p' second.txt)" ] || die "the report printed is not there"
# the first run compares nothing: no table of one column of (0.00%)
! grep -q '(   0.00%)' first.txt || die "the first run printed an empty comparison"
# the second names the exact commands that give a verdict; run them and look
grep -q '^  faultbench run [a-z0-9]* .*--label 6.18-aa .*--runs 2$' second.txt ||
	die "compare's footer does not name the command for the baseline's runs"
grep -q '^  faultbench run [a-z0-9]* .*--label 6.18-aa-[0-9]* .*--runs 2$' second.txt ||
	die "compare's footer does not name the command for the candidate's runs"
grep '^==   .* suite .* --runs 2$' second.txt | sed 's/^==   //' >more.sh
[ "$(wc -l <more.sh)" = 2 ] || die "make run does not print the suite commands for a verdict"
sh -e more.sh >more.txt 2>&1 || { cat more.txt; die "the printed commands failed"; }
cand=$(ls -d results/6.18-aa-* | head -n 1)
fb compare results/6.18-aa "$cand" >verdict.txt 2>&1 || die "compare after more runs failed"
grep -q '^Runs .* 3 .* 3$' verdict.txt || die "not 3 runs a side: $(grep ^Runs verdict.txt)"
! grep -q 'no run-to-run information' verdict.txt || die "still no verdict after the printed commands"
echo "quick-run e2e: ok"
