# SPDX-License-Identifier: GPL-2.0
#
# faultbench campaign through real kexec, inside one qemu guest whose init
# plays systemd's part: at every boot it runs the guest command again, which
# starts the campaign on the first boot and resumes it on the others.  Two
# "kernels" (Debian's cloud kernel under two labels: the loop is tested, not
# a kernel difference), two boots each, switched with kexec_file_load and
# reboot(LINUX_REBOOT_CMD_KEXEC) (the guest has neither kexec-tools nor
# systemctl); the boot facts are the guest's own (/proc boot id and command
# line).  On the third boot faultbench is killed during its resume (a crash
# mid-campaign), and the boot's init runs the resume again, which recovers.
# At the end the compare table of the labels.  Run by make check-vm-long:
# 5 boots of a 1x2 guest in one vm run, a few minutes under TCG.
. "$FB_SRC/tests/e2e/lib.sh"

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
kernel=${FB_VM_KERNEL:-$("$FB_SRC/scripts/vm/fetch-kernel.sh" 2>fetch.err)} ||
	skip "no kernel to boot: $(tail -n 1 fetch.err)"
rel=$(basename "$kernel")
rel=${rel#vmlinuz-}
cfg=$(dirname "$kernel")/config-$rel
[ -r "$cfg" ] && ! grep -q '^CONFIG_KEXEC_FILE=y' "$cfg" && skip "$rel has no CONFIG_KEXEC_FILE"

# The guest needs the kernel it kexecs: the initramfs gets it as /fb/bin/kernel
# (vm's scripts, with mkinitramfs.sh given one more file).
mkdir -p vmscripts
cp "$FB_SRC/scripts/vm/init" vmscripts/init
cat >vmscripts/mkinitramfs.sh <<EOF
#!/bin/sh
exec sh "$FB_SRC/scripts/vm/mkinitramfs.sh" "\$@" "$kernel=kernel"
EOF
export FB_VM_SCRIPTS=$PWD/vmscripts

T="--cpus 1 --size 1M --samples 2 --sample-time 0.1 --warmup 0.05 --progress=off --mode processes"
guest=$(cat <<EOF
S=/scratch
if [ ! -e \$S/camp/state.json ]; then
	# the kernel and initrd of every kexec'ed boot, on the disk: this initramfs, less the kernel
	cp /fb/bin/kernel \$S/kernel
	(cd / && find . -xdev ! -path ./fb/bin/kernel | cpio -o -H newc >\$S/initrd.cpio 2>/dev/null)
	printf '[campaign]\nboots = 2\ncommand = run pf1 $T\nquiet-load = 1000\nquiet-timeout = 1\nthreshold = 30\n[kernel a]\nkernel = /scratch/kernel\ninitrd = /scratch/initrd.cpio\n[kernel b]\nkernel = /scratch/kernel\ninitrd = /scratch/initrd.cpio\n' >\$S/plan.ini
	echo "FB-TEST: start"
	faultbench campaign start \$S/plan.ini --dir \$S/camp --unit-dir \$S/units
fi
echo "FB-TEST: boot \$(cat /proc/sys/kernel/random/boot_id) cmdline \$(cat /proc/cmdline)"
if grep -q 'fb_campaign=[0-9a-f]*\.2' /proc/cmdline && [ ! -e \$S/crashed ]; then
	touch \$S/crashed
	echo "FB-TEST: killing faultbench mid-resume"
	timeout -s KILL 1 faultbench campaign resume --dir \$S/camp --unit-dir \$S/units || true
fi
faultbench campaign resume --dir \$S/camp --unit-dir \$S/units
faultbench campaign status --dir \$S/camp --unit-dir \$S/units
EOF
)
rc=0
fb vm --kernel "$kernel" --numa 1x2 --mem 1G --accel tcg --timeout 1200 --boot-timeout 300 \
	--results res --shell -- "$guest" >vm.out 2>vm.err || rc=$?
cat vm.err
cat vm.out
[ "$rc" = 4 ] && skip "vm: $(grep -m1 'cannot start\|did not boot' vm.err || tail -n 1 vm.err)"
[ "$rc" = 0 ] || die "the campaign's guest exited $rc"
con=$(ls res/camp/runs/*/results/*/console-*.log res/*/console-*.log res/console-*.log 2>/dev/null | head -n 1)
[ -n "$con" ] || con=$(find res -name 'console-*.log' | head -n 1)
[ -n "$con" ] || die "no console log"
# five boots: the first, and one per campaign boot, each with its own boot id
[ "$(grep -c 'FB-VM: init' "$con")" = 5 ] || die "not 5 boots: $(grep 'FB-VM: init' "$con")"
# the four campaign boots (the first boot kexecs before it says its id), each its own
[ "$(grep -o 'FB-TEST: boot [0-9a-f-]*' "$con" | sort -u | wc -l)" = 4 ] || die "not 4 boot ids"
for i in 0 1 2 3; do
	grep -q "FB-TEST: boot .*fb_campaign=[0-9a-f]*\.$i" "$con" || die "boot $((i + 1)) never came up"
done
grep -q "FB-TEST: killing faultbench mid-resume" "$con" || die "the crash was not simulated"
jget res/camp/state.json 'd["phase"]' | grep -qx finished || die "the campaign did not finish"
jget res/camp/state.json '[b["state"] for b in d["boots"]]' |
	grep -qx "\['done', 'done', 'done', 'done'\]" || die "not every boot done: $(cat res/camp/state.json)"
# a run measured disturbed (a loaded host) is counted as "2 (1 dist)": still two runs a side
grep -q '^Runs  *pages/s-1  *2\( ([0-9] dist)\)\?  *2\( ([0-9] dist)\)\?$' vm.out ||
	die "no compare table of 2 runs a side"
grep -q '^check: ' vm.out || die "no check verdict"
echo "campaign through kexec in a guest: 2 kernels x 2 boots, a crash recovered, the table: ok"
