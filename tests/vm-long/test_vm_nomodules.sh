# SPDX-License-Identifier: GPL-2.0
#
# A kernel whose NVMe and ext4 are modules, booted without them and without
# a .config for vm to check first (a bare copy of Debian's generic kernel):
# the guest's init names what the kernel lacks and that --modules would
# help; that is vm's last line, exit 1, the console tail printed once and
# the work directory kept.  One boot (make check-vm-long).
. "$FB_SRC/tests/e2e/lib.sh"

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
cloud=${FB_VM_KERNEL:-$("$FB_SRC/scripts/vm/fetch-kernel.sh" 2>fetch.err)} ||
	skip "no kernel to boot: $(tail -n 1 fetch.err)"
rel=$(basename "$cloud")
rel=${rel#vmlinuz-}
generic=${FB_VM_GENERIC:-$("$FB_SRC/scripts/vm/fetch-kernel.sh" "linux-image-${rel%-cloud-amd64}-amd64" 2>fetch.err)} ||
	skip "no generic kernel: $(tail -n 1 fetch.err)"
cp "$generic" bare-bzImage
rc=0
fb vm --kernel bare-bzImage --numa 1x2 --mem 1G --kvm-probe 5 --boot-timeout 300 --timeout 600 \
	-- run pf1 >out.txt 2>err.txt || rc=$?
cat err.txt
[ "$rc" = 4 ] && skip "vm: $(grep -m1 'cannot start\|did not boot' err.txt || tail -n 1 err.txt)"
[ "$rc" = 1 ] || die "a kernel that cannot see its disk gave exit $rc, not 1"
tail -n 1 err.txt | grep -q "vm: the guest: no scratch disk: this kernel has no CONFIG_BLK_DEV_NVME and CONFIG_EXT4_FS.*--modules" ||
	die "the guest's reason is not the last line"
[ "$(grep -c -- '---- last lines of the guest console' err.txt)" = 1 ] || die "the console tail is not printed once"
dir=$(sed -n 's/.*work directory kept: //p' err.txt)
[ -n "$dir" ] && [ -s "$dir/console.log" ] || die "the work directory is not kept"
rm -rf "$dir"
echo "a kernel without its modules: the guest says what it lacks"
