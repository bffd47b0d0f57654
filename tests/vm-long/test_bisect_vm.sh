# SPDX-License-Identifier: GPL-2.0
#
# scripts/faultbench-bisect-step with 'faultbench vm' and two prebuilt
# kernels (FB_BUILD=none): Debian's cloud kernel as the good commit's, the
# generic kernel of the same release, with its modules, as the step's.  Run
# by 'make check-vm-long' (about 5 boots of a 1x2 guest: minutes under TCG),
# not by 'make check'.
#
# The kernels are the same source, so the step's verdict is whatever check
# finds (good, undecided, or by chance bad): asserted is that it is a
# verdict, never an error.  The exit statuses bisect relies on are asserted
# exactly: a kernel that cannot boot is skipped (125), the guest refusing the
# step's options stops the bisection (255).
. "$FB_SRC/tests/e2e/lib.sh"

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
cloud=${FB_VM_KERNEL:-$("$FB_SRC/scripts/vm/fetch-kernel.sh" 2>fetch.err)} ||
	skip "no kernel to boot: $(tail -n 1 fetch.err)"
rel=$(basename "$cloud")
rel=${rel#vmlinuz-}
generic=${FB_VM_GENERIC:-$("$FB_SRC/scripts/vm/fetch-kernel.sh" "linux-image-${rel%-cloud-amd64}-amd64" 2>fetch.err)} ||
	skip "no generic kernel: $(tail -n 1 fetch.err)"

export FAULTBENCH FB_WORK=$PWD/W FB_RUNS=2 FB_THRESHOLD=30% FB_BUILD=none FB_NUMA=1x2
export FB_VM_OPTS="--mem 1G --kvm-probe 5 --boot-timeout 300 --timeout 900"
export FB_RUN_OPTS="--cpus 1 --repeat 1 --size 1M --samples 2 --sample-time 0.1 --warmup 0.05 --progress=off --mode processes"
step=$FB_SRC/scripts/faultbench-bisect-step

# the good commit's kernel: the baseline
FB_KERNEL=$cloud FB_LABEL=good bash "$step" >base.txt 2>&1 || { cat base.txt; die "baseline step failed"; }
[ "$(find W/good -name '*.json' | wc -l)" = 2 ] || die "the baseline should hold 2 runs"
export FB_BASELINE=$PWD/W/good

# the step's kernel: the other one, with its modules found beside it
rc=0
FB_KERNEL=$generic FB_LABEL=generic bash "$step" >gen.txt 2>&1 || rc=$?
cat gen.txt
case $rc in 0 | 1 | 125) ;; *) die "a step on the generic kernel exited $rc" ;; esac
grep -q '^check: ' gen.txt || die "the step on the generic kernel gives no verdict line"
grep -q "modules of .* from " gen.txt || die "the generic kernel's modules were not used"
for f in $(find W/generic -name '*.json'); do
	jget "$f" 'd["vm"]["kernel_release"]' | grep -qx "${rel%-cloud-amd64}-amd64" ||
		die "$f: not the generic kernel's run"
done

# cannot boot: the generic kernel without its modules is refused before booting
mkdir -p nomods
rc=0
FB_KERNEL=$generic FB_MODULES=$PWD/nomods FB_LABEL=nomods bash "$step" >nomods.txt 2>&1 || rc=$?
cat nomods.txt
[ "$rc" = 125 ] || die "a kernel that cannot boot gave $rc, not 125 (skip)"

# the guest refuses the options (a step too large for the guest): stop, 255
rc=0
FB_KERNEL=$cloud FB_LABEL=toolarge FB_RUNS=1 FB_RUN_OPTS="--cpus 2 --size 600M --progress=off" \
	bash "$step" >large.txt 2>&1 || rc=$?
cat large.txt
[ "$rc" = 255 ] || die "options the guest refuses gave $rc, not 255 (abort)"
# refused on the host before a boot (vm prepares the guest's run): the same abort
rc=0
FB_KERNEL=$cloud FB_LABEL=toomany FB_RUNS=1 FB_RUN_OPTS="--cpus 9 --progress=off" \
	bash "$step" >many.txt 2>&1 || rc=$?
cat many.txt
[ "$rc" = 255 ] || die "options refused on the host gave $rc, not 255 (abort)"
grep -q "booting" many.txt && die "vm booted for options it refuses"
echo "bisect with two prebuilt kernels in vm: ok"
