#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/faultbench-bisect-step on this machine (FB_VM=0): a baseline of
# three runs, then a step of three runs.  An unchanged "commit" is good or
# undecided, never bad; one slowed down on purpose is bad (exit 1).  An
# unchanged step gets a verdict (good, undecided, or by chance bad: how often
# is simulated in tests/unit/test_verdict.c), never an error.  The slowed
# step's runs are real runs whose pages/s figures a wrapper around the binary
# divides by 1000 (a broken kernel): busy loops would slow it by however
# loaded the machine is, and a loaded machine slows the baseline too.
. "$FB_SRC/tests/e2e/lib.sh"

export FAULTBENCH FB_VM=0 FB_WORK=$PWD/W FB_RUNS=3 FB_THRESHOLD=30%
export FB_RUN_OPTS="--cpus 1 --repeat 1 $TINY"
step=$FB_SRC/scripts/faultbench-bisect-step
use_slowing_faultbench

FB_LABEL=good bash "$step" >base.txt 2>&1 || { cat base.txt; die "baseline step failed"; }
[ "$(find W/good -name '*.json' | wc -l)" = 3 ] || die "the baseline should hold 3 runs"
export FB_BASELINE=$PWD/W/good
rc=0
FB_LABEL=same bash "$step" >same.txt 2>&1 || rc=$?
cat same.txt
case $rc in 0 | 1 | 125) ;; *) die "an unchanged step exited $rc" ;; esac
grep -q '^check: ' same.txt || die "the step gives no verdict line"

rc=0
FB_TEST_SLOW=1000 FB_TEST_SLOW_DIR=$PWD/W FB_LABEL=slow bash "$step" >slow.txt 2>&1 || rc=$?
cat slow.txt
[ "$rc" = 1 ] || die "a step slowed a thousandfold exited $rc, expected 1"
echo "bisect e2e: ok"
