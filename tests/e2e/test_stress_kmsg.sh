#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# faultbench stress judges the kernel log: a WARNING logged during a run ends
# it with exit 1, the line printed and stored in the result, with --quiet too
# and when /dev/kmsg is unreadable and klogctl is the fallback.  The injected
# line is harmless (a process writes it; the kernel prints nothing itself) and
# carries a token of this test's own, so that a stress run of another test
# at the same time ignores it (proven here by one that runs alongside).
. "$FB_SRC/tests/e2e/lib.sh"

[ "$(id -u)" = 0 ] || skip "not root: cannot write a test line to /dev/kmsg"
[ -w /dev/kmsg ] || skip "/dev/kmsg is not writable here"

token="fbtok-$$-$RANDOM-$(date +%s%N)"
line="<4>WARNING: CPU: 0 PID: 1 at faultbench-test:1 fake_warning_for_test $token"

# inject PID: write the line until the run PID has ended.  Repeated, because
# with --quiet nothing tells when the run has opened the log; the run stops
# at the first line it sees.
inject() {
	while kill -0 "$1" 2>/dev/null; do
		echo "$line" >/dev/kmsg
		sleep 0.2
	done
}

# run_injected NAME ARGS...: a stress run that must fail on the injected line.
run_injected() {
	local name=$1 rc=0 pid
	shift
	FB_STRESS_KMSG_TOKEN=$token "$FAULTBENCH" stress "$@" --output "$name.json" \
		>"$name.out" 2>"$name.err" &
	pid=$!
	inject $pid
	wait $pid || rc=$?
	cat "$name.out" "$name.err"
	[ $rc = 1 ] || die "$name: exited $rc with a WARNING in the kernel log, expected 1"
	grep -q "\[WARNING\] .*fake_warning_for_test $token" "$name.err" ||
		die "$name: the kernel log line was not printed"
	[ "$(jget "$name.json" '"kernel-bug" in d["verdicts"]')" = True ] ||
		die "$name: the result's verdicts lack kernel-bug"
	[ "$(jget "$name.json" 'any(l["kind"] == "match" and "'"$token"'" in l["text"] for l in d["kernel_log"]["lines"])')" = True ] ||
		die "$name: the line is not stored in the result"
	[ "$(jget "$name.json" 'd["exit_status"]')" = 1 ] || die "$name: exit_status in the result"
}

# A run of "another test" alongside, with a token of its own: it must not fail.
other_rc=0
FB_STRESS_KMSG_TOKEN="other-$token" "$FAULTBENCH" stress truncate --time 4 --seed 3 \
	--dir "$FB_TMP" --size 1M --workers 2 --output other.json >other.out 2>&1 &
other=$!

args="--time 120 --seed 7 --dir $FB_TMP --size 1M --workers 2"
run_injected truncate truncate $args
grep -q "KERNEL BUG REPORTED (exit 1)" truncate.out || die "no verdict line on stdout"
[ "$(jget truncate.json 'd["kernel_log"]["source"]')" = /dev/kmsg ] || die "source not /dev/kmsg"

run_injected quiet invalidate $args --quiet
[ ! -s quiet.out ] || die "--quiet printed on stdout"

# /dev/kmsg unreadable: klogctl's buffer is read instead, and judged the same.
FB_TEST_KMSG_DEV=/nonexistent/kmsg run_injected klogctl truncate $args
[ "$(jget klogctl.json 'd["kernel_log"]["source"]')" = klogctl ] || die "source not klogctl"
grep -q "klogctl, because /nonexistent/kmsg" klogctl.out || die "fallback not said"

wait $other || other_rc=$?
cat other.out
[ $other_rc = 0 ] || die "a run with another token exited $other_rc: the injected line leaked"
[ "$(jget other.json 'd["kernel_log"]["matches"]')" = 0 ] || die "other run matched a line"
# Neither /dev/kmsg nor klogctl (an unprivileged user with dmesg_restrict=1):
# the run says so, --quiet or not, and the result records why.
if command -v setpriv >/dev/null && [ "$(cat /proc/sys/kernel/dmesg_restrict)" = 1 ]; then
	nobody=$(mktemp -d /tmp/fb-stress-nobody.XXXXXX)
	chmod 1777 "$nobody"
	rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups "$FAULTBENCH" stress truncate \
		--time 0.3 --seed 7 --dir "$nobody" --size 1M --workers 2 --quiet \
		--output "$nobody/r.json" 2>nobody.err || rc=$?
	cat nobody.err
	source=$(jget "$nobody/r.json" 'd["kernel_log"]["source"]') || source=missing
	rm -rf "$nobody"
	[ $rc = 0 ] || die "unprivileged run exited $rc"
	grep -q "kernel log not readable.*a kernel bug would go unseen" nobody.err ||
		die "an unreadable kernel log was not said with --quiet"
	[ "$source" = none ] || die "the result's kernel_log source is '$source', expected none"
fi
echo "stress: WARNING in the kernel log -> exit 1, printed and stored (devkmsg, --quiet, klogctl)"
