#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/faultbench-bisect-step on this machine (FB_VM=0): a baseline of
# three runs, then a step of three runs.  An unchanged "commit" is good or
# undecided, never bad; one slowed down on purpose (four busy loops on the
# worker's CPU: about a fifth of it) is bad (exit 1).  An unchanged step
# gets a verdict (good, undecided, or by chance bad: how often is simulated
# in tests/unit/test_verdict.c), never an error.
. "$FB_SRC/tests/e2e/lib.sh"

command -v taskset >/dev/null || skip "taskset (util-linux) is not installed"
export FAULTBENCH FB_VM=0 FB_WORK=$PWD/W FB_RUNS=3 FB_THRESHOLD=30%
export FB_RUN_OPTS="--cpus 1 --repeat 1 $TINY"
step=$FB_SRC/scripts/faultbench-bisect-step
busy=()
cleanup() { for p in "${busy[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

FB_LABEL=good bash "$step" >base.txt 2>&1 || { cat base.txt; die "baseline step failed"; }
[ "$(find W/good -name '*.json' | wc -l)" = 3 ] || die "the baseline should hold 3 runs"
export FB_BASELINE=$PWD/W/good
rc=0
FB_LABEL=same bash "$step" >same.txt 2>&1 || rc=$?
cat same.txt
case $rc in 0 | 1 | 125) ;; *) die "an unchanged step exited $rc" ;; esac
grep -q '^check: ' same.txt || die "the step gives no verdict line"

pu=$(jget "$(find W/good -name '*.json' | head -n 1)" 'd["steps"][0]["pus"][0]')
for i in 1 2 3 4; do
	taskset -c "$pu" sh -c 'while :; do :; done' &
	busy+=($!)
done
rc=0
FB_LABEL=slow bash "$step" >slow.txt 2>&1 || rc=$?
cleanup
busy=()
cat slow.txt
[ "$rc" = 1 ] || die "a step slowed to a fifth exited $rc, expected 1"
echo "bisect e2e: ok"
