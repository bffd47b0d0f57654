#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# faultbench stress's watchdog: a worker that stops making progress (the test
# hook FB_STRESS_TEST_STALL=1 makes the first one sleep for good, as a worker
# stuck in the kernel would) ends the run with exit 1 and a report naming
# it, with its kernel stack (as root) or why there is none; the stuck worker
# is not waited for, so the run ends although it never returns.  The run's
# --time is long: only the watchdog can end it early.
. "$FB_SRC/tests/e2e/lib.sh"

expect_status 2 fb stress truncate --watchdog 3601
expect_status 2 fb stress truncate --watchdog -1

# check_hang NAME WORKER: the run's exit, report and result.
check_hang() {
	local name=$1 worker=$2 rc=$3
	cat "$name.out" "$name.err"
	[ "$rc" = 1 ] || die "$name: a stalled worker: exited $rc, expected 1"
	grep -q "HUNG: $worker (pid [0-9]*, tid [0-9]*): no progress for" "$name.err" ||
		die "$name: the hung worker is not reported"
	[ "$(jget "$name.json" '"hang" in d["verdicts"]')" = True ] || die "$name: no hang verdict"
	[ "$(jget "$name.json" 'd["watchdog"]["hung"][0]["worker"]')" = "$worker" ] ||
		die "$name: the result names another worker"
	if [ "$(id -u)" = 0 ]; then
		grep -q '\[<0>\]' "$name.err" || die "$name: no kernel stack as root"
	fi
}

for t in invalidate:"O_DIRECT writer 0" truncate:"truncating thread" migrate:"faulter child 0" \
	anon-vma:"tree child 0"; do
	name=${t%%:*} worker=${t#*:} rc=0
	FB_STRESS_TEST_STALL=1 "$FAULTBENCH" stress "$name" --time 600 --watchdog 2 --seed 5 \
		--dir "$FB_TMP" --size 2M --workers 2 --output "$name.json" \
		>"$name.out" 2>"$name.err" || rc=$?
	check_hang "$name" "$worker" $rc
done
echo "stress: a stalled worker -> exit 1 with its stack, for threads and child processes"
