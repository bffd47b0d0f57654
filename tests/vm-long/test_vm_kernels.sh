# SPDX-License-Identifier: GPL-2.0
#
# faultbench vm with the Debian kernels beyond the cloud one (issue 27):
# the rt flavour, which has no transparent huge pages (the fault benchmark's
# default makes no madvise, so pf1 and nopage run; --page=thp is refused
# before booting), and a 6.12 kernel of bookworm-security with its .ko.xz
# modules, in a 2-node guest.  Two boots of small guests under TCG, about a
# minute; run by 'make check-vm-long'.  A package that cannot be fetched is
# a skip of that kernel, with the reason.
#   FB_VM_RT=PATH, FB_VM_612=PATH name the kernels instead of fetching them.
. "$FB_SRC/tests/e2e/lib.sh"

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
fetch() { "$FB_SRC/scripts/vm/fetch-kernel.sh" "$1" 2>>fetch.err; }
meta() { apt-cache depends "$1" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1; }
T="--size 1M --samples 2 --sample-time 0.1 --warmup 0.05 --progress=off --mode processes"
VM="--mem 1G --kvm-probe 5 --timeout 600 --boot-timeout 300"
booted=0

# --- rt: no THP ---
rt=${FB_VM_RT:-}
[ -n "$rt" ] || { p=$(meta linux-image-rt-amd64) && [ -n "$p" ] && rt=$(fetch "$p"); } || rt=""
if [ -z "$rt" ]; then
	echo "SKIP rt kernel: $(tail -n 1 fetch.err 2>/dev/null)"
else
	rrel=$(basename "$rt")
	rrel=${rrel#vmlinuz-}
	cfg=$(dirname "$rt")/config-$rrel
	if [ -r "$cfg" ] && ! grep -q '^CONFIG_TRANSPARENT_HUGEPAGE=y' "$cfg"; then
		rc=0
		fb vm --kernel "$rt" --numa 1x2 $VM -- run fault --page=thp --cpus 1 $T 2>thp.err || rc=$?
		[ "$rc" = 2 ] || die "--page=thp on $rrel (no THP) gave $rc, not 2 before booting"
		grep -q "lacks CONFIG_TRANSPARENT_HUGEPAGE" thp.err || die "no THP refusal: $(cat thp.err)"
	fi
	rc=0
	fb vm --kernel "$rt" --numa 1x2 $VM --results resrt --shell -- \
		"faultbench run nopage --cpus 1,2 $T -o results/nopage.json &&
		 faultbench run pf1 --cpus 1,2 $T -o results/pf1.json" >rt.out 2>rt.err || rc=$?
	cat rt.err
	[ "$rc" = 4 ] && skip "vm rt: $(grep -m1 'cannot start\|did not boot' rt.err || tail -n 1 rt.err)"
	[ "$rc" = 0 ] || { cat rt.out; die "pf1 and nopage on the rt kernel exited $rc"; }
	for b in nopage pf1; do
		[ "$(jget resrt/$b.json 'd["vm"]["kernel_release"]')" = "$rrel" ] || die "$b: not the rt kernel"
		jget resrt/$b.json '[s["complete"] for s in d["steps"]]' | grep -qx '\[True, True\]' ||
			die "$b on the rt kernel: incomplete steps"
	done
	[ -s "resrt/console-$rrel.log" ] || die "no console log beside the rt kernel's results"
	booted=$((booted + 1))
	echo "rt kernel ($rrel): nopage and pf1 ran"
fi

# --- 6.12 from bookworm-security, generic flavour: .ko.xz modules ---
k612=${FB_VM_612:-}
if [ -z "$k612" ]; then
	p=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9.]*\+deb[0-9]*-amd64$' 2>/dev/null |
		cut -d' ' -f1 | sort -V | tail -n 1)
	[ -n "$p" ] && k612=$(fetch "$p") || k612=""
fi
if [ -z "$k612" ]; then
	echo "SKIP 6.12 kernel: $(tail -n 1 fetch.err 2>/dev/null || echo 'apt-cache knows none')"
else
	krel=$(basename "$k612")
	krel=${krel#vmlinuz-}
	rc=0
	fb vm --kernel "$k612" --numa 2x2 $VM --results res612 --shell -- \
		"faultbench run nopage --cpus 1,4 $T -o results/nopage.json &&
		 faultbench run pf1 --cpus 1,4 $T --mem interleave -o results/pf1.json" >k612.out 2>k612.err ||
		rc=$?
	cat k612.err
	[ "$rc" = 4 ] && skip "vm 6.12: $(grep -m1 'cannot start\|did not boot' k612.err || tail -n 1 k612.err)"
	[ "$rc" = 0 ] || { cat k612.out; die "the 6.12 kernel exited $rc"; }
	grep -q "modules of $krel from " k612.err || die "the 6.12 kernel's modules were not used"
	[ "$(jget res612/pf1.json 'd["vm"]["nodes"]')" = 2 ] || die "the 6.12 guest has not 2 nodes"
	jget res612/pf1.json '[s["complete"] for s in d["steps"]]' | grep -qx '\[True, True\]' ||
		die "pf1 on the 6.12 kernel: incomplete steps"
	booted=$((booted + 1))
	echo "6.12 kernel ($krel): nopage and pf1 --mem interleave ran in a 2x2 guest"
fi
[ "$booted" -gt 0 ] || skip "no rt or 6.12 kernel could be fetched"
