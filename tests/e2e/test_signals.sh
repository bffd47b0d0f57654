#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A SIGTERM put exactly into the windows where one was lost or could be
# (issue 23 D6), by the FB_TEST_TERM_AT hook (lib/util.h) instead of a sleep
# racing the program: just after a fork and before the child's pid is known,
# in a child before its exec, while a worker starts, after a sample, and
# after the command's last look at the flag.  The signal goes to the top
# process alone (kill PID, a service manager) or to its whole process group
# (Ctrl-C, timeout(1)).  Every time: exit 143, the summary or a message, what
# was measured kept, and no process of the tree left.  No timing threshold:
# a hang is caught by timeout(1) only.  tests/tools/sigterm-storm.py is the
# random-delay hunt that found the last window.
. "$FB_SRC/tests/e2e/lib.sh"

G="cpus = 1
samples = 3
sample-time = 0.1
warmup = 0.05
size = 64k
progress = off"
printf '[global]\n%s\n[pf1]\n[pf3]\n' "$G" >two.ini
# where the signal comes while a job runs, the job has seconds left to stop
# in (it stops at once): a signal passed on late would find it still running
L=$(echo "$G" | sed 's/^samples = 3/samples = 40/')
printf '[global]\n%s\n[pf1]\n[pf3]\n' "$L" >long.ini
printf '[global]\n%s\nmode = processes\n[pf1]\n[pf3]\n' "$L" >procs.ini

# term_at POINT TO cmd...: run cmd in a session of its own with the hook set
# (TO: pid, the top process; group: all of it); out.txt has its output, rc its
# status.  Fails on a hang, or on any process of the session still there when
# the top one has exited: every process waits for its children, so none may
# be (that is no race: a lost signal leaves a job running for seconds).
term_at() {
	local point=$1 to=$2 sid left; shift 2
	rm -f sid
	rc=0
	timeout -s KILL 300 setsid -w bash -c '
		echo $$ >sid
		if [ "$1" = group ]; then t=-$$; else t=$$; fi
		export FB_TEST_TERM_AT=$2 FB_TEST_TERM_PID=$t
		shift 2
		exec "$@"' _ "$to" "$point" "$@" >out.txt 2>&1 || rc=$?
	sid=$(cat sid)
	left=$(pgrep -s "$sid" || true)
	if [ -n "$left" ]; then
		ps -o pid,stat,args -s "$sid" || true
		pkill -KILL -s "$sid" || true
		die "$point ($to): processes left after it exited $rc"
	fi
	[ "$rc" = 143 ] || { cat out.txt; die "$point ($to): exit $rc, expected 143"; }
}
has() { grep -qE -- "$1" out.txt || { cat out.txt; die "$2"; }; }

# suite INI LABEL / noise LABEL: the command line, for term_at
suite() { echo "$FAULTBENCH suite $1 --label $2 --results $FB_TMP/r"; }
noise() { echo "$FAULTBENCH noise two.ini --runs 3 --label $1 --results $FB_TMP/r"; }

# a signal to the suite just after it forked its job, before it knew the
# job's pid: passed on once it does; the job is interrupted, job 2 never runs
for to in pid group; do
	for point in fork child; do
		term_at $point $to $(suite two.ini s-$point-$to)
		has 'pf1  *INTERRUPTED' "$point ($to): job 1 not interrupted"
		has 'pf3  *not run' "$point ($to): the suite went on"
	done
done

# while a worker starts (threads, processes): the step is interrupted, not failed
for ini in long procs; do
	for to in pid group; do
		term_at worker $to $(suite $ini.ini w-$ini-$to)
		has 'pf1  *INTERRUPTED' "worker ($ini, $to): job 1 not interrupted"
		! grep -q 'failed to initialise' out.txt || die "worker ($ini, $to): a worker failed"
	done
done

# after the first sample: the job keeps it, marked incomplete
term_at sample pid $(suite long.ini part)
has 'pf1  *INTERRUPTED' "sample: job 1 not interrupted"
f=$(ls r/part/pf1-*.json) || die "sample: no partial result"
jget "$f" 'd["complete"]' | grep -qx False || die "sample: the result is not marked incomplete"
jget "$f" 'd["incomplete_reason"]' | grep -q SIGTERM || die "sample: incomplete for another reason"

# at the very end of a job (its result written whole): the suite stops after
# it; at the suite's own end (every job done, the summary printed): 143 all
# the same, not 0
term_at exit:run pid $(suite two.ini end1)
f=$(ls r/end1/pf1-*.json) || die "exit:run: no result"
jget "$f" 'd["complete"]' | grep -qx True || die "exit:run: a whole result marked incomplete"
has 'pf3  *not run' "exit:run: the suite went on"
term_at exit:suite pid $(suite two.ini end2)
has '2 ok, 0 skipped, 0 failed' "exit:suite: not every job ran"

# noise: during its check of the config, in the fork of its first suite's
# job (the signal reaches noise, which passes it to a suite that has not yet
# learnt its job's pid), and at its end (after the model was saved)
term_at fork:noise pid $(noise n1)
has 'interrupted while checking' "fork:noise: no message"
for to in pid group; do
	term_at fork:suite $to $(noise n2-$to)
	has 'interrupted in run 1 of 3' "fork:suite ($to): noise went on"
	has 'pf1  *INTERRUPTED' "fork:suite ($to): the job was not interrupted"
done
term_at exit:noise pid $(noise n3)
has '^model: ' "exit:noise: no model"

# run --runs: the first run forked, its pid not yet known; at a run's end
R="$FAULTBENCH run pf1 --runs 3 --cpus 1 $TINY --size 64k -o $FB_TMP/runs/"
term_at fork:run pid $R
has 'run 1 of 3 (killed by signal 15|exited with status 143)' "fork:run: the first run was not stopped"
! grep -q 'run 2 of 3' out.txt || die "fork:run: --runs went on"
term_at exit:run pid $R
! grep -q 'run 2 of 3' out.txt || die "exit:run: --runs went on"
echo ok
