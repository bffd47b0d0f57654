#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# faultbench stress: each race reproducer runs briefly and finds no corruption
# on this kernel, and its checker is proven live by --plant-corruption (exit 1).
# The kernel log and the watchdog have tests of their own:
# test_stress_kmsg.sh and test_stress_watchdog.sh.
. "$FB_SRC/tests/e2e/lib.sh"

expect_status 2 fb stress no-such-test
expect_status 2 fb stress invalidate --time 0
fb stress --help | grep -q plant-corruption || die "stress --help lacks --plant-corruption"

# --output: the verdict in a new file, never over an existing one.
quick="--time 0.3 --seed 7 --dir $FB_TMP --size 1M --workers 2 --quiet"
fb stress truncate $quick --output res.json
[ "$(jget res.json 'd["verdicts"]')" = "['ok']" ] || die "--output: verdicts not ['ok']"
[ "$(jget res.json 'd["exit_status"], d["test"], d["kernel_log"]["source"] != ""')" = \
	"(0, 'truncate', True)" ] || die "--output: exit_status, test or kernel_log missing"
expect_status 125 fb stress truncate $quick --output res.json

# --scale seed: only migrate has a seed recipe.
expect_status 2 fb stress invalidate --scale seed
expect_status 2 fb stress migrate --scale huge

# migrate --scale seed on tiny parameters: kernbench runs alongside (or the run
# says why not), is stopped at the end and leaves nothing behind in --dir.
rc=0
fb stress migrate --scale seed --time 3 --seed 7 --dir "$FB_TMP" --size 8M --workers 2 \
	--output seed.json >seed.out 2>&1 || rc=$?
cat seed.out
[ $rc = 0 ] || die "migrate --scale seed exited $rc, expected 0"
grep -q "^  kernbench  x1: [0-9]* builds\?\|^  kernbench: not run (" seed.out ||
	die "migrate --scale seed: kernbench neither ran nor said why not"
[ "$(jget seed.json 'd["options"]["scale"]')" = seed ] || die "the result lacks options.scale"
! ls -d "$FB_TMP"/fb-stress-kernbench.* 2>/dev/null || die "kernbench's directory was left behind"
! pgrep -f "run kernbench.*--dir $FB_TMP" >/dev/null || die "kernbench still runs after the stress run"

# anon-vma names every rmap walker, as run or not run (and why), in the
# output and the result; ksmd's setting is as it was before.
ksm_before=$(cat /sys/kernel/mm/ksm/run 2>/dev/null || echo none)
fb stress anon-vma --time 1 --seed 7 --size 1M --workers 2 --output av.json >av.out
cat av.out
for w in compact ksm pageout migrate_pages; do
	grep -q "^  $w " av.out || die "anon-vma: no line for the $w walker"
done
[ "$(jget av.json 'sorted(d["details"]["rmap_walkers"])')" = \
	"['compact', 'ksm', 'migrate_pages', 'pageout']" ] || die "anon-vma: walkers not in the result"
[ "$(cat /sys/kernel/mm/ksm/run 2>/dev/null || echo none)" = "$ksm_before" ] ||
	die "anon-vma: /sys/kernel/mm/ksm/run was not set back"

for t in invalidate truncate migrate zap-coherence thp-split-dio anon-vma; do
	# Small sizes: the point is the races, and the machine is shared.  anon-vma's
	# --size is per fork tree, whose 40 processes each check all of it twice.
	size=8M
	[ $t = anon-vma ] && size=1M
	args="--time 3 --seed 7 --dir $FB_TMP --size $size --workers 2"
	rc=0
	fb stress $t $args >"$t.out" 2>&1 || rc=$?
	cat "$t.out"
	[ $rc = 125 ] && skip "stress $t cannot run here: $(tail -n 1 "$t.out")"
	[ $rc = 0 ] || die "stress $t exited $rc, expected 0"
	grep -q "no corruption seen, no kernel bug reported" "$t.out" || die "stress $t: no verdict line"
	grep -q "kernel log (/dev/kmsg): no kernel bug reported\|kernel log: not readable" "$t.out" ||
		die "stress $t: the kernel log is not accounted for"

	rc=0
	fb stress $t $args --plant-corruption >"$t.plant" 2>&1 || rc=$?
	cat "$t.plant"
	[ $rc = 1 ] || die "stress $t --plant-corruption exited $rc, expected 1"
	grep -q "CORRUPTION seen by .*: offset 0x[0-9a-f]*: expected .*, seen " "$t.plant" ||
		die "stress $t: the planted corruption was not reported with offset/expected/seen"
done
echo "all stress tests passed and caught their planted corruption"
