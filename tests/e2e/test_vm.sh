# SPDX-License-Identifier: GPL-2.0
#
# faultbench vm end to end: boot a Debian cloud kernel in qemu guests with 2
# and 4 NUMA nodes (and Debian's generic kernel, whose NVMe and ext4 are
# modules, in a 2-node guest) and check, inside them, what a 1-node 2-core machine cannot
# show: the topology seen, --mem placement (node:1, interleave, remote)
# measured with move_pages, workers on their planned PUs, and sweeps of 64
# pinned workers with plans that match hwloc's own view of the guest.  Two
# boots, about 2 minutes under TCG on a quiet 2-core host.
#
# FB_VM_BIG=1 (make check-vm-long) adds the 64-vCPU guest: 64 vCPUs under TCG
# on a 2-core host take minutes, and over 10 on a busy one, too long for make check.
# The kernel: $FB_VM_KERNEL, else scripts/vm/fetch-kernel.sh (apt-get download
# of Debian's linux-image-*-cloud-amd64 into ~/.cache/faultbench/kernels).
. "$FB_SRC/tests/e2e/lib.sh"

# --mem on this machine, before any guest: bad input is usage (2); a policy the
# machine cannot honour is a skip (4) with the reason, never a run of something else.
fb run pf1 --cpus 1 --mem bogus $TINY 2>mem.err && die "--mem bogus accepted"
expect_status 2 fb run pf1 --cpus 1 --mem bogus $TINY
grep -q -- "--mem" mem.err || die "the --mem error does not name --mem: $(cat mem.err)"
nodes=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
expect_status 4 fb run pf1 --cpus 1 --mem "node:$nodes" $TINY -o mem-skip.json

# scripts/faultbench-bisect-step needs a faultbench that runs: a missing one is
# no verdict on any commit, so the bisection stops (255) instead of skipping
# every commit; unset, it takes the one of its own tree and says when it does not.
rc=0; FAULTBENCH=/nonexistent/faultbench FB_LABEL=x FB_BUILD=false \
	bash "$FB_SRC/scripts/faultbench-bisect-step" >bs0.txt 2>&1 || rc=$?
[ "$rc" = 255 ] || { cat bs0.txt; die "bisect-step: a missing FAULTBENCH gave $rc, not 255"; }
grep -q "FAULTBENCH=/nonexistent/faultbench is not a faultbench that runs: abort" bs0.txt ||
	die "bisect-step: a missing FAULTBENCH is not named: $(cat bs0.txt)"
mkdir -p lone/scripts lone/bin
cp "$FB_SRC/scripts/faultbench-bisect-step" lone/scripts/
ln -s "$FAULTBENCH" lone/bin/faultbench
rc=0; env -u FAULTBENCH PATH="$PWD/lone/bin:$PATH" FB_LABEL=x FB_BUILD=false \
	bash lone/scripts/faultbench-bisect-step >bs00.txt 2>&1 || rc=$?
[ "$rc" = 125 ] || { cat bs00.txt; die "bisect-step: a build failure gave $rc, not 125"; }
grep -q "FAULTBENCH not set: using $PWD/lone/bin/faultbench from PATH" bs00.txt ||
	die "bisect-step: the faultbench taken from PATH is not said: $(cat bs00.txt)"

[ "${FB_SANITIZED:-0}" = 1 ] && skip "vm: not repeated under sanitizers (minutes of TCG)"
command -v qemu-system-x86_64 >/dev/null || skip "vm: qemu-system-x86_64 not installed"
command -v busybox >/dev/null || skip "vm: busybox-static not installed"
kernel=${FB_VM_KERNEL:-}
if [ -z "$kernel" ]; then
	kernel=$("$FB_SRC/scripts/vm/fetch-kernel.sh" 2>fetch.err) ||
		skip "vm: no kernel to boot: $(tail -n 1 fetch.err)"
fi
[ -r "$kernel" ] || skip "vm: kernel $kernel not readable"

# The initramfs' modules (no boot): mkinitramfs.sh -m takes nvme and ext4 with
# their dependencies (depends=, and softdep= crypto-crc32c -> crc32c_generic)
# from each module's .modinfo, unpacks .ko.xz/.ko.zst/.ko.gz, and writes the
# load order, dependencies first.  Fake modules: only their .modinfo strings.
fakemod() { mkdir -p "$(dirname "$1")"; printf 'junk\0%s\0name=x\0' "$2" >"${1%.ko*}.ko"; }
m=mods/lib/modules/9.9.9-fake/kernel
fakemod $m/drivers/nvme/host/nvme.ko.xz "depends=nvme-core"
fakemod $m/drivers/nvme/host/nvme-core.ko.zst "depends="
fakemod $m/fs/ext4/ext4.ko.gz "softdep=pre: crypto-crc32c"
fakemod $m/crypto/crc32c_generic.ko "depends="
fakemod $m/fs/unrelated.ko "depends="
xz $m/drivers/nvme/host/nvme.ko && zstd -q --rm $m/drivers/nvme/host/nvme-core.ko &&
	gzip $m/fs/ext4/ext4.ko || die "cannot compress the fake modules"
echo "true" >cmd.sh
sh "$FB_SRC/scripts/vm/mkinitramfs.sh" -m mods/lib/modules/9.9.9-fake initrd.cpio \
	"$FB_SRC/scripts/vm/init" cmd.sh >mkinit.out || die "mkinitramfs.sh -m failed"
mkdir -p initrd && (cd initrd && cpio -id --quiet <../initrd.cpio) || die "cannot unpack the initramfs"
[ "$(tr '\n' ' ' <initrd/lib/modules/load.order)" = "nvme_core.ko nvme.ko crc32c_generic.ko ext4.ko " ] ||
	die "module load order: $(cat initrd/lib/modules/load.order)"
grep -qa "depends=nvme-core" initrd/lib/modules/nvme.ko || die "nvme.ko.xz was not unpacked"
grep -qa "softdep=" initrd/lib/modules/ext4.ko || die "ext4.ko.gz was not unpacked"
[ -e initrd/lib/modules/unrelated.ko ] && die "a module the guest does not need was packed"

# Bad usage is refused before anything boots.
expect_status 2 fb vm -- topo
expect_status 2 fb vm --kernel "$kernel" --numa 4y16 -- topo
expect_status 2 fb vm --kernel "$kernel" --numa 2x4 --smt 3 -- topo
expect_status 2 fb vm --kernel "$kernel" --numa 2x4
expect_status 2 fb vm --kernel "$kernel" --numa 2x4 --host-nodes 0,0,0 -- topo
expect_status 2 fb vm --kernel "$kernel" --numa 2x4 --host-nodes 999 -- topo
expect_status 2 fb vm --kernel "$kernel" --numa 2x4 --host-nodes 0,x -- topo
# the guest's run is prepared on the host (engine/prepare.c) against the guest's
# topology: what its run would refuse is refused before a boot, saying so last
rc=0; fb vm --kernel "$kernel" --numa 2x4 --qemu /nonexistent/qemu -- run pf1 --cpus 9 \
	>gr.out 2>gr.err || rc=$?
[ "$rc" = 2 ] || { cat gr.err; die "a guest plan of 9 workers on 8 vCPUs gave $rc, not 2"; }
grep -q "option '--cpus'" gr.err || die "the guest's --cpus refusal is not shown: $(cat gr.err)"
tail -n 1 gr.err | grep -q "vm: the guest's command was refused on the host, before a boot" ||
	die "vm's last line does not say the guest's command was refused: $(cat gr.err)"
grep -q "booting" gr.err && die "vm booted a guest whose command it refuses"
expect_status 2 fb vm --kernel "$kernel" --qemu /nonexistent/qemu -- run pf9
expect_status 2 fb vm --kernel "$kernel" --qemu /nonexistent/qemu -- run pf1 --bogus
# a file that is not a kernel: exit 2 naming it, before qemu is started
head -c 4096 /dev/zero >notakernel
expect_status 2 fb vm --kernel notakernel -- run pf1
fb vm --kernel notakernel -- run pf1 2>&1 | grep -q "not an x86 Linux kernel image" ||
	die "a non-kernel --kernel is not named as such"

# A kernel whose .config lacks what the guest needs is refused before booting
# (exit 2, naming the option): a copy of the kernel beside a doctored config.
rel=$(basename "$kernel")
rel=${rel#vmlinuz-}
if [ -r "$(dirname "$kernel")/config-$rel" ]; then
	mkdir -p nocfg/boot
	cp "$kernel" nocfg/boot/
	grep -v '^CONFIG_EXT4_FS=' "$(dirname "$kernel")/config-$rel" >"nocfg/boot/config-$rel"
	expect_status 2 fb vm --kernel "nocfg/boot/vmlinuz-$rel" -- run pf1
	fb vm --kernel "nocfg/boot/vmlinuz-$rel" -- run pf1 2>&1 | grep -q "lacks CONFIG_EXT4_FS=y" ||
		die "a kernel without ext4 is not refused naming CONFIG_EXT4_FS"
	sed -i 's/^CONFIG_BLK_DEV_NVME=y/CONFIG_BLK_DEV_NVME=m/; $a CONFIG_EXT4_FS=y' "nocfg/boot/config-$rel"
	fb vm --kernel "nocfg/boot/vmlinuz-$rel" -- run pf1 2>&1 | grep -q "CONFIG_BLK_DEV_NVME=m.*--modules" ||
		die "a kernel with NVMe as a module and no modules does not ask for --modules"
fi
mkdir -p nomods
expect_status 2 fb vm --kernel "$kernel" --modules nomods -- run pf1

# What the guest's command asks of the kernel is checked against its .config
# before booting (lib/kneeds.c): a kernel without THP (Debian's rt flavour) and
# --page=thp or 4k (madvise would fail with EINVAL in the guest), a kernel
# without NUMA and a guest of 2 nodes or --mem.  Nothing is booted.
if [ -r "$(dirname "$kernel")/config-$rel" ]; then
	mkdir -p nothp/boot
	cp "$kernel" nothp/boot/
	grep -v '^CONFIG_TRANSPARENT_HUGEPAGE=\|^CONFIG_NUMA=' "$(dirname "$kernel")/config-$rel" \
		>"nothp/boot/config-$rel"
	k="nothp/boot/vmlinuz-$rel"
	for cmd in "-- run fault --page=thp" "-- run fault --page 4k,thp" "--shell -- faultbench run dio --buffer=thp"; do
		rc=0
		# shellcheck disable=SC2086 # cmd is a list of words
		fb vm --kernel "$k" --numa 1x2 $cmd 2>needs.err || rc=$?
		[ "$rc" = 2 ] || die "vm $cmd on a kernel without THP gave $rc, not 2"
		grep -q "lacks CONFIG_TRANSPARENT_HUGEPAGE, which .*thp.* needs" needs.err ||
			die "vm $cmd: the refusal does not name THP: $(cat needs.err)"
	done
	printf '[global]\ncpus = 1\n[fault]\npage = thp\n' >thp.ini
	expect_status 2 fb vm --kernel "$k" --numa 1x2 -- suite thp.ini
	fb vm --kernel "$k" --numa 2x4 -- run pf1 2>&1 | grep -q "lacks CONFIG_NUMA, which a guest of 2 nodes" ||
		die "a 2-node guest of a kernel without NUMA is not refused"
	expect_status 2 fb vm --kernel "$k" --numa 1x2 -- run pf1 --mem interleave
fi

# A bzImage cut short (an interrupted copy) is refused by its header's size.
head -c 1000000 "$kernel" >short.bz
fb vm --kernel short.bz -- run pf1 2>short.err && die "a truncated kernel was accepted"
grep -q "option '--kernel': 'short.bz' is truncated: 1000000 bytes" short.err ||
	die "a truncated kernel is not refused as such: $(cat short.err)"

# scripts/faultbench-bisect-step with vm: a commit that does not build, or a
# kernel vm cannot boot, is bisect's skip (125); no boot needed for either.
# (Two kernels booted by the step: tests/vm-long, make check-vm-long.)
bstep() { FB_WORK=$PWD/bisect FB_LABEL=x FB_NUMA=1x2 bash "$FB_SRC/scripts/faultbench-bisect-step" "$@"; }
rc=0; FB_BUILD=false bstep >bs1.txt 2>&1 || rc=$?
[ "$rc" = 125 ] || { cat bs1.txt; die "bisect-step: a build failure gave $rc, not 125"; }
rc=0; FB_BUILD=none FB_KERNEL=notakernel bstep >bs2.txt 2>&1 || rc=$?
[ "$rc" = 125 ] || { cat bs2.txt; die "bisect-step: a kernel that cannot boot gave $rc, not 125"; }

# Processes, not threads: threads share one mm, so every MADV_DONTNEED of pf1
# sends TLB-shootdown IPIs to the other vCPUs, and under TCG on a loaded host
# those vCPUs may be descheduled for seconds: progress collapses (seen once in
# CI: a 2x4 guest made no progress for 10 minutes).
TINY_VM="--samples 2 --sample-time 0.1 --warmup 0.05 --progress=off --mode processes"
check() { python3 "$FB_TMP/check.py" "$@"; }
cat >check.py <<'EOF'
import json, sys, xml.etree.ElementTree as ET

def load(p):
    return json.load(open(p))

def ranges(s):
    out = set()
    for part in str(s).split(","):
        if "-" in part:
            a, b = part.split("-")
            out.update(range(int(a), int(b) + 1))
        elif part:
            out.add(int(part))
    return out

def hwloc_sets(xmlpath):
    """PU -> (node, core) from hwloc's XML of the guest."""
    def bits(mask):
        v = 0
        for word in mask.split(","):
            v = (v << 32) | int(word, 16)
        return {i for i in range(v.bit_length()) if v >> i & 1}
    node, core = {}, {}
    for o in ET.parse(xmlpath).iter("object"):
        t, cs = o.get("type"), o.get("cpuset")
        if t == "NUMANode":
            for pu in bits(cs):
                node[pu] = int(o.get("os_index"))
        elif t == "Core":
            for pu in bits(cs):
                core[pu] = (o.get("os_index"), tuple(sorted(bits(cs))))
    return node, core

def fail(msg):
    sys.exit("FAIL: " + msg)

def workers_on_plan(d):
    """Every worker started on, and was sampled on, its planned PU."""
    for s in d["steps"]:
        if not s["complete"]:
            fail("step %d incomplete" % s["ncpus"])
        ws = s["extra"].get("workers", [])
        if len(ws) != s["ncpus"]:
            fail("step %d: %d workers recorded" % (s["ncpus"], len(ws)))
        for i, w in enumerate(ws):
            if w["cpu_at_start"] != s["pus"][i]:
                fail("worker %d started on CPU %s, planned %s" % (i, w["cpu_at_start"], s["pus"][i]))
        for smp in s["samples"]:
            for i, w in enumerate(smp["workers"]):
                if w["cpu"] != s["pus"][i]:
                    fail("worker %d sampled on CPU %s, planned %s" % (i, w["cpu"], s["pus"][i]))

def placement(d, policy):
    """Per-worker page histograms: node:1 >= 95% on node 1, interleave even within 10%,
    remote >= 95% on the other node of a 2-node guest."""
    node_of = {pu: int(n) for n, r in d["topology"]["node_pus"].items() for pu in ranges(r)}
    seen = 0
    for s in d["steps"]:
        chk = s["extra"].get("placement_check")
        if chk is not None and not chk["ok"]:
            fail("--mem %s: placement_check %s" % (policy, chk))
        pl = s["extra"].get("placement")
        if pl is None:
            continue
        hists = pl if isinstance(pl, list) else [pl[k] for k in sorted(pl, key=int)]
        for i, h in enumerate(hists):
            total = sum(h.values())
            if not total:
                continue
            seen += 1
            if policy == "node:1" and h.get("1", 0) < 0.95 * total:
                fail("--mem node:1: %s" % h)
            if policy == "remote" and h.get(str(1 - node_of[s["pus"][i]]), 0) < 0.95 * total:
                fail("--mem remote: worker on PU %d: %s" % (s["pus"][i], h))
            if policy == "interleave":
                for n in ("0", "1"):
                    if abs(h.get(n, 0) / total - 0.5) > 0.10:
                        fail("--mem interleave: %s" % h)
    if not seen:
        # The runner records extra "placement" from mem_placement_query() after worker_init.
        fail("--mem %s: no per-worker placement recorded in the result" % policy)

cmd = sys.argv[1]
if cmd == "nodes":
    t = load(sys.argv[2])
    if t["topology"]["nodes"] != int(sys.argv[3]):
        fail("guest topology has %s nodes: %s" % (t["topology"]["nodes"], t["topology"]["summary"]))
elif cmd == "vm":
    d = load(sys.argv[2])
    vm = d.get("vm") or fail("no vm metadata")
    for k in ("accel", "numa", "smt", "mem", "kernel", "kernel_release"):
        if k not in vm:
            fail("vm metadata lacks %s" % k)
    if vm["numa"] != sys.argv[3]:
        fail("vm.numa %s" % vm["numa"])
    print(vm["accel"])
elif cmd == "placement":
    d = load(sys.argv[2])
    workers_on_plan(d)
    placement(d, sys.argv[3])
elif cmd == "plan":
    # plan RESULT.json GUEST.xml TOPO-PLAN.json spread|compact
    d, plan = load(sys.argv[2]), load(sys.argv[4])
    node, core = hwloc_sets(sys.argv[3])
    workers_on_plan(d)
    steps = {s["ncpus"]: s for s in d["steps"]}
    want = [1, 16, 64]
    if sorted(steps) != want:
        fail("steps %s, expected %s" % (sorted(steps), want))
    if 64 in steps and len(set(steps[64]["pus"])) != 64:
        fail("64-worker step does not use 64 distinct PUs")
    smt = {len(c[1]) for c in core.values()}
    if smt != {2}:
        fail("hwloc sees %s threads per core in the 4x16 SMT-2 guest" % smt)
    for p in plan["steps"]:
        if p["ncpus"] not in steps:
            continue
        if ranges(p["pus"]) != set(steps[p["ncpus"]]["pus"]):
            fail("%d CPUs: ran on %s, hwloc's view plans %s" % (p["ncpus"], steps[p["ncpus"]]["pus"], p["pus"]))
    pus16 = steps[16]["pus"]
    nodes16 = {node[p] for p in pus16}
    cores16 = {core[p] for p in pus16}
    if sys.argv[5] == "spread" and (len(nodes16) != 4 or len(cores16) != 16):
        fail("spread 16: nodes %s, %d cores" % (nodes16, len(cores16)))
    if sys.argv[5] == "compact" and len(nodes16) != 1:
        fail("compact 16: nodes %s" % nodes16)
elif cmd == "sameplan":
    # The plan faultbench made from the live guest == the one from hwloc's XML of it.
    a, b = load(sys.argv[2]), load(sys.argv[3])
    pa = [(p["ncpus"], p["pus"]) for p in a["steps"]]
    pb = [(p["ncpus"], p["pus"]) for p in b["steps"]]
    if pa != pb:
        fail("live plan %s != plan from the XML %s" % (pa, pb))
else:
    fail("unknown check " + cmd)
EOF

# --- two kernels booted in turn: each boot one run of its label, then compare ---
# The same kernel under two names (the loop is what is tested, not a kernel
# difference), two boots each in a 1x2 guest.  Refusals come before any boot.
ln -s "$kernel" kA
ln -s "$kernel" kB
expect_status 2 fb vm --kernel kA --kernel "$kernel" --labels a -- run pf1
expect_status 2 fb vm --kernel kA --kernel kB --labels a,a -- run pf1
expect_status 2 fb vm --kernel kA --kernel kB --labels 'a,../b' -- run pf1
expect_status 2 fb vm --kernel kA --kernel kB --labels a,b --shell -- "true"
expect_status 2 fb vm --kernel kA --kernel kB --labels a,b -- topo
expect_status 2 fb vm --kernel kA --kernel kB --labels a,b -- run pf1 --label x
# The guest runs a suite: its config is a host file, which vm packs into the
# initramfs and names there.
cat >tiny.ini <<'INI'
[global]
cpus = 1
size = 1M
samples = 2
sample-time = 0.1
warmup = 0.05
progress = off
mode = processes

[pf1]
INI
rc=0
fb vm --kernel kA --kernel kB --labels 6.1-a,6.1-b --boots 2 --numa 1x2 --mem 1G --kvm-probe 5 \
	--timeout 300 --boot-timeout 60 --results resab -- suite tiny.ini >ab.out 2>ab.err || rc=$?
cat ab.err
[ "$rc" = 4 ] && skip "vm: $(grep -m1 'cannot start\|did not boot' ab.err || tail -n 1 ab.err)"
[ "$rc" = 0 ] || die "interleaved boots exited $rc"
grep 'faultbench: vm: boot [0-9] of 2 of' ab.err | sed 's/ (label.*//; s/.* of //' | tr '\n' ' ' |
	grep -qx 'kA kB kA kB ' || die "the boots were not interleaved A, B, A, B"
[ "$(ls resab/6.1-a/*.json | wc -l)" = 2 ] || die "kernel A: 2 boots should give 2 runs"
[ "$(ls resab/6.1-b/*.json | wc -l)" = 2 ] || die "kernel B: 2 boots should give 2 runs"
cat ab.out
grep -q '^== faultbench compare resab/6.1-a resab/6.1-b' ab.out || die "no compare after the boots"
# a run measured disturbed is counted as "2 (1 dist)": still two runs a side
grep -q '^Runs  *pages/s-1  *2\( ([0-9] dist)\)\?  *2\( ([0-9] dist)\)\?$' ab.out ||
	die "the boots are not the runs of compare"

# --shell runs with set -e: a benchmark that fails mid-line fails the boot.
# acpi=off: the guest kernel cannot power off and halts; vm ends qemu itself
# once the guest said it was done (else it would wait out --timeout and fail
# with status 1), and brings the results back with the console log beside them.
rc=0
fb vm --kernel "$kernel" --numa 1x2 --mem 1G --kvm-probe 5 --timeout 300 --boot-timeout 60 \
	--append acpi=off --results ressh --shell -- \
	"faultbench run nopage --cpus 1 --size 1M $TINY_VM -o results/nopage.json;
	 faultbench run nosuchbench; echo after" >sh.out 2>sh.err || rc=$?
cat sh.err
[ "$rc" = 4 ] && skip "vm: $(grep -m1 'cannot start\|did not boot' sh.err || tail -n 1 sh.err)"
[ "$rc" = 2 ] || die "a failing command in --shell gave exit $rc, not its own 2"
grep -q '^after' sh.out && die "--shell went on after a failing command"
grep -q "the guest finished but did not power off (its kernel halted instead); qemu stopped" sh.err ||
	die "vm did not end the halted guest itself"
[ -s ressh/nopage.json ] || die "the halted guest's results were not brought back"
[ "$(jget ressh/nopage.json 'd["vm"]["console_log"]')" = "ressh/console-$rel.log" ] ||
	die "the result does not name its console log"
grep -q "FB-VM: done 2" "ressh/console-$rel.log" || die "the console log is not kept beside the results"

# A kernel that crashes before printing anything (qemu exits 0 at the reset):
# the kernel's failure (1), not "qemu cannot start" (4).  This one is cut short
# with its header made to agree, so it passes the size check; it resets at once.
python3 - "$kernel" crash.bz <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
setup = (d[0x1f1] or 4) + 1
sys16 = (1000000 - setup * 512) // 16
d[0x1f4:0x1f8] = struct.pack("<I", sys16)
open(sys.argv[2], "wb").write(d[:setup * 512 + sys16 * 16])
PY
rc=0
fb vm --kernel crash.bz --numa 1x1 --mem 256M --accel tcg --timeout 120 --boot-timeout 60 \
	-- run pf1 >crash.out 2>crash.err || rc=$?
[ "$rc" = 1 ] || { cat crash.err; die "a kernel that resets at once gave $rc, not 1"; }
grep -q "the kernel crashed or reset before printing anything" crash.err ||
	die "a kernel that resets at once is not told from qemu failing: $(cat crash.err)"

# --- a 2-node, 8-vCPU guest: topology, --mem node:1 and interleave, pinning ---
rc=0
# --host-nodes binds each guest node's memory to a host node (here node 0 for
# both: qemu's policy=bind works on a 1-node host too); recorded as vm.host_nodes.
hostnodes=""
[ -d /sys/devices/system/node/node0 ] && hostnodes="--host-nodes 0"
fb vm --kernel "$kernel" --numa 2x4 --mem 2G --kvm-probe 5 --timeout 600 --boot-timeout 60 $hostnodes \
	--results res2 --shell -- \
	"faultbench topo --format json > results/topo.json &&
	 faultbench run pf1 --cpus 1,4,8 --mem node:1 $TINY_VM --size 1M -o results/node1.json &&
	 faultbench run pf1 --cpus 2,8 --mem interleave $TINY_VM --size 1M -o results/interleave.json &&
	 faultbench run pf1 --cpus 8 --mem remote $TINY_VM --size 1M -o results/remote.json" \
	>vm2.out 2>vm2.err || rc=$?
cat vm2.err
[ "$rc" = 4 ] && skip "vm: $(grep -m1 'cannot start\|did not boot' vm2.err || tail -n 1 vm2.err)"
[ "$rc" = 0 ] || die "vm 2x4 exited $rc"
check nodes res2/topo.json 2
accel=$(check vm res2/node1.json 2x4)
[ -z "$hostnodes" ] || [ "$(jget res2/node1.json 'd["vm"]["host_nodes"]')" = "[0, 0]" ] ||
	die "vm.host_nodes is not [0, 0]"
check placement res2/node1.json node:1
check placement res2/interleave.json interleave
check placement res2/remote.json remote
grep -q "faultbench: vm: result res2/node1.json" vm2.err || die "result not reported"
echo "2x4 guest ($accel): topology, node:1, interleave, remote and pinning ok"

# --- Debian's generic kernel: NVMe and ext4 are modules, packed from the .deb ---
# The release of the cloud kernel above, generic flavour; fetch-kernel.sh keeps
# its lib/modules/<release> beside boot/, where vm finds it.  In the same boot:
# a nopage sweep, an OOM kill (dd of 1G with overcommit on, in a 1G guest) that
# vm must report from the guest's kernel log, and a run whose largest step
# cannot fit, which the guest's run refuses: its exit 2 is vm's.
grel=${rel%-cloud-amd64}-amd64
generic=""
if [ -n "${FB_VM_GENERIC:-}" ]; then
	generic=$FB_VM_GENERIC
elif [ "$grel" != "$rel-amd64" ]; then
	generic=$("$FB_SRC/scripts/vm/fetch-kernel.sh" "linux-image-$grel" 2>gfetch.err) || generic=""
fi
if [ -z "$generic" ]; then
	echo "SKIP generic kernel: no linux-image-$grel: $(tail -n 1 gfetch.err 2>/dev/null)"
else
	rc=0
	fb vm --kernel "$generic" --numa 2x4 --mem 1G --accel "$accel" --timeout 600 --boot-timeout 120 \
		--results resg --shell -- \
		"faultbench run nopage --cpus 1,8 $TINY_VM --size 1M -o results/nopage.json &&
		 echo 1 > /proc/sys/vm/overcommit_memory &&
		 { dd if=/dev/zero of=/dev/null bs=1G count=1 || true; } &&
		 echo 0 > /proc/sys/vm/overcommit_memory &&
		 faultbench run pf1 --cpus 8 --size 200M $TINY_VM" >vmg.out 2>vmg.err || rc=$?
	cat vmg.err
	[ "$rc" = 4 ] && skip "vm generic: $(grep -m1 'did not boot\|cannot start' vmg.err || tail -n 1 vmg.err)"
	cat vmg.out
	[ "$rc" = 2 ] || die "vm with the generic kernel exited $rc, not the guest run's refusal (2)"
	grep -q "modules of .* from .*lib/modules/" vmg.err || die "vm did not name the modules it used"
	grep -q "needs about .* GiB, more than this machine has" vmg.out ||
		die "the guest's refusal of a plan too large is not shown"
	tail -n 1 vmg.err | grep -q "the command in the guest exited with status 2" ||
		die "the guest's status is not vm's last line"
	grep -q "in the guest: Out of memory: Killed process [0-9]* (dd)" vmg.err ||
		die "the guest's OOM kill is not reported"
	[ "$(jget resg/nopage.json 'd["vm"]["kernel_release"]')" = "$grel" ] || die "not the generic kernel"
	jget resg/nopage.json 'd["vm"]["modules"]' | grep -q "lib/modules/$grel" ||
		die "the result does not record the modules"
	jget resg/nopage.json '[s["complete"] for s in d["steps"]]' | grep -qx '\[True, True\]' ||
		die "the nopage sweep on the generic kernel is incomplete"
	echo "generic kernel ($grel) with its modules: nopage sweep, OOM report and refusal ok"
fi

[ "${FB_VM_BIG:-0}" = 1 ] || { echo "the 4x16 guest is booted by make check-vm-long (FB_VM_BIG=1)"; exit 0; }

# --- a 4-node, 64-vCPU SMT guest: sweeps of 64 pinned workers, plans as hwloc sees it ---
# The accelerator the first guest ended up with, so a broken KVM is probed once.
# The guest's own faultbench plans its sweeps on the topology it sees; the
# workers must run where planned, and the plans must match hwloc's view of the
# guest (read back as XML).
#
# Cost under TCG on a 2-core host: every reading of a busy worker's counters
# is an IPI to a vCPU the host may not be running.  With one grouped read per
# worker (engine/evidence.c) a 64-worker step takes about half a minute; with one
# read per event it took minutes.  Read faults of anonymous memory map the
# zero page, so workers share no lock; one sample, no warm-up.
quick="--samples 1 --sample-time 0.01 --warmup 0 --progress=off"
sweep="fault --backing=anon --map=private --touch=read --size 4k --mode processes $quick"
guest="lstopo-no-graphics --of xml > results/guest.xml"
for pl in spread compact; do
	guest="$guest && faultbench topo --cpus 1,16,64 --placement $pl --format json \
		> results/plan-$pl-guest.json &&
		faultbench run $sweep --cpus 1,16,64 --placement $pl -o results/$pl.json"
done
rc=0
fb vm --kernel "$kernel" --numa 4x16 --smt 2 --mem 4G --accel "$accel" --timeout 600 \
	--boot-timeout 120 --results res4 --shell -- "$guest" >vm4.out 2>vm4.err || rc=$?
cat vm4.err
[ "$rc" = 4 ] && skip "vm 4x16: $(grep -m1 'did not boot\|cannot start' vm4.err || tail -n 1 vm4.err)"
[ "$rc" = 0 ] || die "vm 4x16 exited $rc"
[ -s res4/guest.xml ] || die "no hwloc XML of the guest"
for pl in spread compact; do
	check nodes res4/plan-$pl-guest.json 4
	fb topo --topology res4/guest.xml --cpus 1,16,64 --placement $pl --format json >plan-$pl.json
	check sameplan res4/plan-$pl-guest.json plan-$pl.json
	check plan res4/$pl.json res4/guest.xml plan-$pl.json $pl
	check vm res4/$pl.json 4x16 >/dev/null
done
echo "4x16 SMT guest: spread and compact sweeps of 1, 16 and 64 pinned workers ran on"
echo "the planned PUs, and the guest's plans match hwloc's view of it"
