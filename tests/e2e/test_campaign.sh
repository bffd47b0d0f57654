# SPDX-License-Identifier: GPL-2.0
#
# faultbench campaign end to end on a simulated machine: kexec and systemctl
# are stand-ins in PATH that log what they are asked, and the boot's facts
# (boot id, command line, load) come from files the test rewrites at each
# "reboot" (FB_TEST_CAMPAIGN_PROC).  Two kernels, two boots each, interleaved;
# the third boot's kernel "does not come back" (the machine returns in its
# default kernel), which is recorded as a failed boot and the campaign goes
# on; at the end the compare table, check's verdict, the return to the
# default kernel and the unit's removal.  The runs are real, tiny pf1 runs on
# this machine.  Through real kexec in a qemu guest:
# tests/vm-long/test_campaign_vm.sh.
. "$FB_SRC/tests/e2e/lib.sh"

mkdir -p bin proc units
for tool in kexec systemctl; do
	cat >bin/$tool <<EOF
#!/bin/sh
echo "$tool \$*" >>"$PWD/calls.log"
EOF
	chmod +x bin/$tool
done
export PATH=$PWD/bin:$PATH FB_TEST_CAMPAIGN_PROC=$PWD/proc
boots=0
reboot_into() { # the kernel command line the machine comes up with
	boots=$((boots + 1))
	echo "00000000-0000-0000-0000-00000000000$boots" >proc/boot_id
	echo "$1" >proc/cmdline
	echo "6.18.0-sim" >proc/osrelease
	echo "12.5 20.0" >proc/uptime
	echo "0.10 0.20 0.30 1/100 1000" >proc/loadavg
}
# the boot loader's BOOT_IMAGE= is not passed on; a kernel without append = gets the rest
reboot_into "BOOT_IMAGE=/boot/vmlinuz-default root=/dev/sda1 ro"
: >calls.log
touch ka kb
cat >plan.ini <<EOF
[campaign]
boots = 2
command = run pf1 --cpus 1 --size 1M $TINY --mode processes
quiet-load = 1
quiet-timeout = 10
threshold = 30
[kernel a]
kernel = $PWD/ka
append = root=/dev/sda1 ro
[kernel b]
kernel = $PWD/kb
initrd = $PWD/kb
EOF
D=$PWD/camp
C="--dir $D --unit-dir $PWD/units"

# refusals before anything is written
printf '[campaign]\ncommand = topo\n[kernel a]\nkernel = %s/ka\n' "$PWD" >bad.ini
expect_status 2 fb campaign start bad.ini $C
printf '[campaign]\ncommand = run pf1\n[kernel a]\nkernel = %s/nosuch\n' "$PWD" >bad2.ini
expect_status 2 fb campaign start bad2.ini $C
expect_status 2 fb campaign start plan.ini --dir rel/dir --unit-dir "$PWD/units"
expect_status 2 fb campaign start plan.ini --dir "$PWD/a b" --unit-dir "$PWD/units"
expect_status 2 fb campaign status $C
[ -e "$D" ] && die "a refused start left $D"

# start: state, unit, and the switch to boot 1
fb campaign start plan.ini $C >start.out 2>start.err || { cat start.out start.err; die "start failed"; }
[ -s units/faultbench-campaign.service ] || die "no unit installed"
grep -q "^ExecStart=.* campaign resume --dir $D " units/faultbench-campaign.service || die "unit's ExecStart"
grep -q '^systemctl enable faultbench-campaign.service$' calls.log || die "the unit was not enabled"
expect_status 2 fb campaign start plan.ini $C

# every boot: come up in the kernel kexec was given (its command line), resume
last_cmdline() { sed -n 's/^kexec -l .* --command-line=\(.*\)$/\1/p' calls.log | tail -n 1 | sed 's/ --initrd=.*//'; }
for n in 1 2 3 4; do
	grep -q '^systemctl kexec$' calls.log || die "boot $n: no switch asked for"
	cl=$(last_cmdline)
	case $n in
	1) echo "$cl" | grep -q "^root=/dev/sda1 ro fb_campaign=[0-9a-f]*\.0$" || die "boot 1's command line: $cl" ;;
	2) grep -q "^kexec -l $PWD/kb --command-line=root=/dev/sda1 ro fb_campaign=[0-9a-f]*\.1 --initrd=$PWD/kb\$" calls.log ||
		die "boot 2 (kernel b with its initrd): $(tail -n 3 calls.log)" ;;
	esac
	: >calls.log
	if [ $n = 3 ]; then
		reboot_into "root=/dev/sda1 ro" # kernel a did not come back: the default kernel is up
	else
		reboot_into "$cl"
	fi
	fb campaign resume $C >resume$n.out 2>&1 || { cat resume$n.out; die "resume $n failed"; }
done
cat resume4.out
grep -q '^systemctl reboot$' calls.log || die "not back to the default kernel at the end"
fb campaign status $C >status.txt
cat status.txt
grep -q "^campaign [0-9a-f]* in $D: finished" status.txt || die "status does not say finished"
grep -qE '^ +3 +a +failed .*kernel a did not come back' status.txt || die "boot 3 is not a failed boot"
[ "$(grep -cE '^ +[0-9]+ +[ab] +done ' status.txt)" = 3 ] || die "three boots should be done"
grep -q '^Runs  *pages/s-1  *1  *2$' "$D/table.txt" || die "the table is not of the done boots: $(cat "$D/table.txt")"
grep -q '^check: ' "$D/table.txt" || die "no check verdict in the table"
# the default kernel's resume removes the unit and does nothing else
: >calls.log
reboot_into "root=/dev/sda1 ro"
fb campaign resume $C >resume5.out 2>&1 || die "the last resume failed"
[ -e units/faultbench-campaign.service ] && die "the unit was not removed"
grep -q '^systemctl disable faultbench-campaign.service$' calls.log || die "the unit was not disabled"
grep -q 'kexec\|reboot' calls.log && die "the ended campaign switched again"

# stop: in a campaign kernel, every result stays and the machine goes back
: >calls.log
D2=$PWD/camp2
fb campaign start plan.ini --dir "$D2" --unit-dir "$PWD/units" >start2.out 2>&1 || die "second start"
reboot_into "$(last_cmdline)"
: >calls.log
fb campaign stop --dir "$D2" --unit-dir "$PWD/units" >stop.out 2>&1 || die "stop failed"
grep -q '^systemctl reboot$' calls.log || die "stop did not return to the default kernel"
fb campaign status --dir "$D2" --unit-dir "$PWD/units" | grep -q "stopped: stopped by 'campaign stop'" ||
	die "status does not say stopped"
reboot_into "root=/dev/sda1 ro"
fb campaign resume --dir "$D2" --unit-dir "$PWD/units" >/dev/null 2>&1 || die "resume after stop"
[ -e units/faultbench-campaign.service ] && die "the unit outlived the stopped campaign"
# stop while a resume runs (it holds the campaign's lock): the resume stops
# at its next act, after the run in progress, and goes back to the default kernel
: >calls.log
D3=$PWD/camp3
fb campaign start plan.ini --dir "$D3" --unit-dir "$PWD/units" >start3.out 2>&1 || die "third start"
reboot_into "$(last_cmdline)"
: >calls.log
flock "$D3/lock" sleep 3 &
sleep 0.5
fb campaign stop --dir "$D3" --unit-dir "$PWD/units" >stop3.out 2>&1 || die "stop during a resume failed"
grep -q "a resume is running" stop3.out || die "stop did not see the running resume: $(cat stop3.out)"
grep -q 'reboot' calls.log && die "stop rebooted under a running resume"
wait
fb campaign resume --dir "$D3" --unit-dir "$PWD/units" >resume3.out 2>&1 || die "resume after a stop request"
grep -q '^systemctl reboot$' calls.log || die "the stopped campaign did not go back to the default kernel"
grep -q '^kexec' calls.log && die "the stopped campaign switched again"
fb campaign status --dir "$D3" --unit-dir "$PWD/units" | grep -q "stopped: stopped by 'campaign stop'" ||
	die "the stop request is not in the state"
fb campaign status --dir "$D3" --unit-dir "$PWD/units" | grep -qE '^ +1 +a +planned ' ||
	die "the boot switched to but not run is not planned again"
# SIGTERM to resume alone while its run samples (issue 23 D6: resume died of
# it and its run went on): the run stops, resume exits 143 without switching,
# the boot stays "running", and the next resume in this boot runs it again
: >calls.log
D4=$PWD/camp4
fb campaign start plan.ini --dir "$D4" --unit-dir "$PWD/units" >start4.out 2>&1 || die "fourth start"
reboot_into "$(last_cmdline)"
: >calls.log
rc=0
timeout -s KILL 300 setsid -w bash -c 'echo $$ >sid
	FB_TEST_TERM_AT=sample:run FB_TEST_TERM_PID=$$ exec "$@"' _ \
	"$FAULTBENCH" campaign resume --dir "$D4" --unit-dir "$PWD/units" >resume4i.out 2>&1 || rc=$?
[ "$rc" = 143 ] || { cat resume4i.out; die "SIGTERM to resume: exit $rc, expected 143"; }
# resume waits for its run: nothing of its session is left when it has exited
! pgrep -s "$(cat sid)" >/dev/null || die "the run outlived its interrupted resume"
grep -q 'kexec\|reboot' calls.log && die "an interrupted resume switched on"
fb campaign status --dir "$D4" --unit-dir "$PWD/units" | grep -qE '^ +1 +a +running ' ||
	die "the interrupted boot is not left running"
fb campaign resume --dir "$D4" --unit-dir "$PWD/units" >resume4j.out 2>&1 || die "resume after SIGTERM"
grep -q '^kexec -l' calls.log || die "the resume after SIGTERM did not go on to the next boot"
fb campaign status --dir "$D4" --unit-dir "$PWD/units" | grep -qE '^ +1 +a +done ' ||
	die "the interrupted boot was not run again"
echo "campaign: 4 boots (one that did not come back), table, verdict, return, stop and SIGTERM: ok"
