#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The fault family (bench/fault*.c): every preset runs a tiny sweep and writes
# a result whose fault rates are the kernel's counts; fault-around on/off,
# file backing on a disk filesystem, processes, 64 oversubscribed workers,
# THP honesty and the usage errors.
. "$FB_SRC/tests/e2e/lib.sh"

# Per step: faults/s is the workers' minflt + majflt over the sampled time,
# pages were counted, and the bench's findings are in extra.
check_result() {
	python3 - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["bench"] == "fault", d["bench"]
assert d["steps"], "no steps"
for s in d["steps"]:
    faults = sum(w["minflt"] + w["majflt"] for smp in s["samples"] for w in smp["workers"])
    pages = sum(w["count"][0] for smp in s["samples"] for w in smp["workers"])
    t = sum(smp["t"] for smp in s["samples"])
    v = s["metrics"]["faults/s"]["value"]
    assert faults > 0 and pages > 0, (faults, pages)
    assert abs(faults / t - v) <= 1e-6 * v, ("faults/s", faults / t, v)
    for key in ("fault_around", "folios", "thp_requested"):
        assert key in s["extra"], key
EOF
}

pages_per_fault() {
	jget "$1" 'min(s["metrics"]["pages/fault"]["value"] for s in d["steps"])'
}

for preset in nopage pf1 pf2 pf3 pf4; do
	fb run $preset --cpus 1,2 --size 4M $TINY -o "$FB_TMP/$preset.json" >/dev/null
	check_result "$FB_TMP/$preset.json" || die "$preset: bad result"
	[ "$(jget "$FB_TMP/$preset.json" 'len(d["steps"])')" = 2 ] || die "$preset: not 2 steps"
done

# A sparse --sharing=same file is read once by the parent (bench/fault.c
# setup_shared_file): its 1,024 first faults (4 MiB of holes, one page each)
# are the harness's, and the worker's first touch finds the page cache
# filled, 16 pages a fault.  The second half is left to the plain build:
# under ASan the workers' threads also fault in the sanitizer's shadow
# memory before the samples.
fb run nopage --cpus 1 --size 4M --warmup 0 --samples 2 --sample-time 0.1 --progress=off \
	-o read1.json >/dev/null
jget read1.json 'd["faults"]["harness"] >= 1024' | grep -qx True ||
	die "nopage: the parent did not read the shared file first: $(jget read1.json 'd["faults"]')"
[ -n "${FB_SANITIZED:-}" ] ||
	jget read1.json 'd["steps"][0]["extra"]["faults"]["before_samples"] < 512' | grep -qx True ||
	die "nopage: the worker's first touch did not find the page cache filled: $(jget read1.json \
		'd["steps"][0]["extra"]["faults"]')"

# Fault-around: on by default (64 KiB: 16 pages per read fault on tmpfs),
# off through userfaultfd: one page per fault.  Both as variants of one run.
fb run nopage --cpus 1 --size 4M $TINY --fault-around on,off -o fa.json >/dev/null
check_result fa.json || die "fault-around on,off: bad result"
python3 - fa.json <<'EOF2' || die "fault-around: wrong pages/fault"
import json, sys
steps = json.load(open(sys.argv[1]))["steps"]
assert len(steps) == 2, len(steps)
for s in steps:
    ppf, fa = s["metrics"]["pages/fault"]["value"], s["extra"]["fault_around"]
    if s["variant"].endswith("off"):
        assert fa == "off (userfaultfd wp)" and ppf < 1.5, (s["variant"], fa, ppf)
    else:
        assert fa == "on" and ppf > 1.5, (s["variant"], fa, ppf)
EOF2

# The file's state and the zap are matrix options: four variants, each with
# its own values recorded; sparse is the default (will-it-scale's pattern).
fb run pf3 --cpus 1 --size 4M $TINY --file-state sparse,filled --zap munmap,dontneed \
	-o fz.json >/dev/null
check_result fz.json || die "file-state x zap: bad result"
jget fz.json 'sorted(s["variant"] for s in d["steps"])' |
	grep -qx "\['filled/dontneed', 'filled/munmap', 'sparse/dontneed', 'sparse/munmap'\]" ||
	die "file-state x zap: variants $(jget fz.json '[s["variant"] for s in d["steps"]]')"
# pf1-pf4 map 128 MiB per task like will-it-scale, unless told otherwise
fb list | grep -A1 '^  pf3 ' | grep -q -- '--size=128M' || die "pf3 preset is not 128 MiB"
expect_status 2 fb run pf3 --file-state holes --cpus 1 $TINY -o bad.json
expect_status 2 fb run pf3 --zap unmap --cpus 1 $TINY -o bad.json

# A disk file in $FB_TMP, or a skip (status 4) when $FB_TMP is on tmpfs.
if [ "$(stat -f -c %T "$FB_TMP")" = tmpfs ]; then
	expect_status 4 fb run pf3 --backing file --dir "$FB_TMP" --cpus 1 $TINY -o file.json
else
	fb run pf3 --backing file --dir "$FB_TMP" --cpus 1,2 --size 4M $TINY \
		--file-state sparse,filled -o file.json >/dev/null
	check_result file.json || die "--backing file: bad result"
	fb run nopage --backing file --sharing disjoint --fault-around off --dir "$FB_TMP" \
		--cpus 2 --size 4M $TINY -o file-off.json >/dev/null
	python3 -c "import sys; sys.exit(not $(pages_per_fault file-off.json) < 1.5)" ||
		die "file, fault-around off: $(pages_per_fault file-off.json) pages/fault"
fi
# files are unnamed (O_TMPFILE) or unlinked at once: nothing is left behind
[ -z "$(ls -A "$FB_TMP" | grep -v '\.json$')" ] || die "files left in $FB_TMP: $(ls -A "$FB_TMP")"

fb run pf2 --mode processes --cpus 1,2 --size 4M $TINY -o proc.json >/dev/null
check_result proc.json || die "--mode processes: bad result"
fb run nopage --mode processes --sharing disjoint --cpus 2 --size 4M $TINY -o proc2.json >/dev/null
check_result proc2.json || die "--mode processes, disjoint: bad result"

fb run pf1 --cpus 64 --oversubscribe --size 256k $TINY -o many.json >/dev/null
check_result many.json || die "64 workers: bad result"
[ "$(jget many.json 'len(d["steps"][0]["samples"][0]["workers"])')" = 64 ] || die "not 64 workers"

# THP is a request: the result says what the kernel gave, and warns when it fell short.
if [ "$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)" != "always madvise [never]" ]; then
	fb run pf4 --page thp --cpus 1 --size 4M $TINY -o thp.json >/dev/null 2>thp.err
	[ "$(jget thp.json 'd["steps"][0]["extra"]["thp_requested"]')" = True ] || die "thp_requested"
	if [ "$(jget thp.json 'd["steps"][0]["extra"]["thp_fraction"] < 0.9')" = True ]; then
		grep -q "warning: --page=thp requested" thp.err || die "no warning for THP not obtained"
	fi
fi

expect_status 2 fb run pf1 --sharing same --cpus 1 $TINY -o bad.json
expect_status 2 fb run pf1 --fault-around off --cpus 1 $TINY -o bad.json
expect_status 2 fb run pf1 --size 5000 --cpus 1 $TINY -o bad.json
expect_status 2 fb run pf1 --page thp --size 3M --cpus 1 $TINY -o bad.json
expect_status 2 fb run nopage --tmpfs-dir "$FB_SRC" --cpus 1 $TINY -o bad.json
if [ -d /dev/shm ] && [ "$(stat -f -c %T /dev/shm)" = tmpfs ]; then
	expect_status 4 fb run nopage --backing file --dir /dev/shm --cpus 1 $TINY -o bad.json
fi
FB_TEST_FAULT_COST_NS=abc expect_status 2 fb run pf1 --cpus 1 $TINY -o bad.json
FB_TEST_FAULT_COST_NS=-5 expect_status 2 fb run pf1 --cpus 1 $TINY -o bad.json
[ ! -e bad.json ] || die "a refused run wrote a result"

# The test-only per-page cost (docs/compare.md) is recorded and announced.
FB_TEST_FAULT_COST_NS=100 fb run pf1 --cpus 1 --size 4M $TINY -o cost.json 2>cost.err
[ "$(jget cost.json 'd["steps"][0]["extra"]["test_fault_cost_ns"]')" = 100 ] ||
	die "test_fault_cost_ns not recorded"
grep -q "FB_TEST_FAULT_COST_NS=100" cost.err || die "no warning for the test-only cost"
echo "fault: all checks passed"
