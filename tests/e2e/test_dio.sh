#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# faultbench run dio: the thp/4k matrix runs and records what really backed the
# buffers, the shared variant and the disk-free drivers run, and what cannot run
# here is skipped (exit 4) with a reason rather than measured wrongly.
. "$FB_SRC/tests/e2e/lib.sh"

common="$TINY --file-size 32M --dir $FB_TMP"

rc=0
fb run dio --cpus 1,2 --buffer 4k,thp --io-size 1M $common --output "$FB_TMP/m.json" \
	>m.out 2>m.err || rc=$?
cat m.out m.err
[ $rc = 4 ] && skip "dio cannot run here: $(tail -n 1 m.err)"
[ $rc = 0 ] || die "dio 4k,thp exited $rc"
[ "$(jget m.json 'len(d["steps"])')" = 4 ] || die "expected 4 steps (2 CPU counts x 2 buffers)"
for i in 0 1 2 3; do
	v=$(jget m.json "d['steps'][$i]['variant']")
	req=$(jget m.json "d['steps'][$i]['extra']['backing']['requested']")
	case "$v" in "$req"/*|"$req") ;; *) die "step $i: variant $v but backing.requested $req" ;; esac
	frac=$(jget m.json "d['steps'][$i]['extra']['backing']['thp_fraction']")
	jget m.json "d['steps'][$i]['metrics']['MiB/s']['value'] > 0" | grep -q True ||
		die "step $i: no MiB/s"
	# CPU per pin, from the workers' task-clock counters, when perf counts them
	jget m.json "('task-clock' not in d['steps'][$i]['events'] or
		(d['steps'][$i]['metrics']['cpu_us/io']['value'] > 0 and
		 d['steps'][$i]['metrics']['cpu_ns/page']['value'] > 0))" | grep -qx True ||
		die "step $i: no CPU per I/O and per page"
	jget m.json "d['steps'][$i]['extra']['io']['driver']" | grep -qx file ||
		die "step $i: the driver that ran is not recorded"
	# A THP step that did not get huge pages must say so, never pass as THP.
	if [ "$req" = thp ] && python3 -c "import sys; sys.exit(not float('$frac') < 0.999)"; then
		grep -q "warning: dio --buffer=thp" m.err || die "THP not obtained but no warning"
	fi
done
grep -q "thp vs 4k at 1 CPUs" m.out || die "no thp/4k ratio in the table"

fb run dio --cpus 1,2 --buffer thp --sharing shared --io-size 64k $common \
	--output "$FB_TMP/s.json" >/dev/null
jget s.json "d['steps'][1]['extra']['backing']['whose']" | grep -q "shared huge page" ||
	die "shared variant: backing not recorded for the shared page"

for drv in process_vm_readv vmsplice; do
	fb run dio --cpus 1 --buffer 4k --driver $drv --io-size 256k $TINY \
		--output "$FB_TMP/$drv.json" >/dev/null
	[ "$(jget $drv.json "d['steps'][0]['extra']['io']['driver']")" = $drv ] ||
		die "$drv: the driver that ran is not recorded"
done

expect_status 2 fb run dio --io-size 5000 $common
expect_status 2 fb run dio --driver vmsplice --engine io_uring $common
if [ "$(cat /proc/sys/vm/nr_hugepages)" = 0 ]; then
	expect_status 4 fb run dio --buffer hugetlb $common
fi
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
	expect_status 4 fb run dio --cpus 1 $TINY --dir /dev/shm
fi
echo "dio: matrix, shared, GUP drivers and skips behave"
