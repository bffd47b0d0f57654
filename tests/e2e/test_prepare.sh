#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One way to prepare a run (issue 26 item 1): "faultbench suite --dry-run"
# and "faultbench run" prepare a job through the same function
# (engine/prepare.c), so on the same options they give the same answer:
# runs (0), refused (2) or skipped here (run exits 4, the dry run warns
# "would be skipped").  Both copies once disagreed on presets, run defaults,
# --profile-cpus and the size rule.  Each option set below is run both ways,
# on tiny parameters; a few then go through a real suite too.
. "$FB_SRC/tests/e2e/lib.sh"

export HOME=$FB_TMP
QUICK="samples=1 sample-time=0.05 warmup=0 progress=off"

# A small tmpfs for the size rule (root only): a --size given that does not
# fit is refused, a default one is halved to fit, by run and suite alike.
small=
if [ "$(id -u)" = 0 ] && mkdir small && mount -t tmpfs -o size=16m tmpfs small 2>/dev/null; then
	trap 'umount "$FB_TMP/small" 2>/dev/null' EXIT
	small=$FB_TMP/small
fi

# "BENCH|key=value ...": a benchmark or preset and its options, as config keys.
sets=(
	"pf1|cpus=1"                          # a preset, as it is
	"pf2|cpus=1 tmpfs-dir=/tmp"           # the preset's tmpfs is refused on ext4
	"fault|cpus=1 tmpfs-dir=/tmp"         # anon: the tmpfs directory is unused
	"pf1|cpus=1 profile-cpus=3"           # no step of 3 workers
	"pf1|cpus=1 profile-cpus=abc"
	"fault|cpus=1 profile-cpus=0"
	"fault|cpus=0-x"
	"fault|cpus=99999"
	"fault|cpus=1 page=thp size=3M"       # thp needs a 2M multiple
	"fault|cpus=1 backing=tmpfs page=thp size=4M" # thp on tmpfs
	"fault|cpus=1 backing=anon sharing=same"
	"fault|cpus=1 backing=file dir=/dev/shm" # file backing needs a disk: skipped
	"fault|cpus=1 mem=node:7"
	"fault|cpus=1 mem=bogus"
	"fault|cpus=1 label=../x"
	"fault|cpus=1 topology=4x2"
	"aim9|cpus=1 tests=page"              # run defaults: --mode=processes
	"aim9|cpus=1 tests=page mode=threads"
	"nopage|cpus=1 samples=0"
)
# Sizes past the memory and /dev/shm, only where they are (a large machine
# would run them, slowly, instead of refusing them).
mem_gib=$(awk '/^MemAvailable:/ { print int($2 / 1048576) }' /proc/meminfo)
shm_gib=$(df -P -k /dev/shm 2>/dev/null | awk 'NR == 2 { print int($4 / 1048576) }')
[ "$mem_gib" -lt 60 ] && sets+=("fault|cpus=1 size=64G")
[ "${shm_gib:-0}" -lt 40 ] && [ "$mem_gib" -lt 60 ] && sets+=("pf2|cpus=1 size=48G")
if [ -n "$small" ]; then
	sets+=("pf2|cpus=1 tmpfs-dir=$small size=64M" # given: refused
		"pf2|cpus=1 tmpfs-dir=$small")          # the preset's 128M: halved
fi

# The class of an answer: ok, refused, skipped, or the raw status.
run_class() {
	case $1 in 0) echo ok ;; 2) echo refused ;; 4) echo skipped ;; *) echo "exit $1" ;; esac
}
suite_class() {
	case $1 in
	0) if grep -q "would be skipped" "$2"; then echo skipped; else echo ok; fi ;;
	2) echo refused ;;
	*) echo "exit $1" ;;
	esac
}

n=0 seen_ok=0 seen_refused=0 seen_skipped=0
for s in "${sets[@]}"; do
	n=$((n + 1))
	bench=${s%%|*} keys="${s#*|} $QUICK"
	{
		echo "[job$n]"
		echo "bench = $bench"
		for kv in $keys; do echo "${kv%%=*} = ${kv#*=}"; done
	} >"p$n.ini"
	args=()
	for kv in $keys; do args+=("--$kv"); done
	rc=0
	fb suite "p$n.ini" --dry-run >"s$n.out" 2>"s$n.err" || rc=$?
	want=$(suite_class $rc "s$n.err")
	rc=0
	fb run "$bench" "${args[@]}" -o "r$n.json" >"r$n.out" 2>"r$n.err" || rc=$?
	got=$(run_class $rc)
	if [ "$want" != "$got" ]; then
		cat "s$n.err" "r$n.err"
		die "'$s': suite --dry-run says $want, run says $got"
	fi
	eval "seen_$got=\$((seen_$got + 1))" 2>/dev/null || true
	echo "$s: $got"
done
# the sets must cover every class, or the comparison proves little
[ "$seen_ok" -ge 3 ] && [ "$seen_refused" -ge 10 ] && [ "$seen_skipped" -ge 1 ] ||
	die "classes: $seen_ok ok, $seen_refused refused, $seen_skipped skipped"

# The real suite agrees with its dry run: a job refused there never starts,
# and a job the dry run passed does not end "FAILED (bad options)".
printf '[pf1]\ncpus = 1\nsamples = 1\nsample-time = 0.05\nwarmup = 0\nprogress = off\n' >real.ini
expect_status 0 fb suite real.ini --dry-run
fb suite real.ini --results res >real.out 2>&1 || { cat real.out; die "the real suite failed"; }
! grep -q "bad options" real.out || { cat real.out; die "a validated job had bad options"; }
printf '[pf1]\ncpus = 1\nprofile-cpus = 3\n' >bad.ini
expect_status 2 fb suite bad.ini --results res2
[ ! -e res2 ] || [ -z "$(find res2 -name '*.json')" ] || die "a refused suite ran a job"
echo "$n option sets: suite --dry-run and run agree"
