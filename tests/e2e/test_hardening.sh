#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The reproducers of issue 13 (hardening), against the real binary: no string
# from the command line or a result file runs a command through gnuplot or
# reaches a path, result and plot files are never written through a planted
# link, every bad input exits 2 naming it (never a crash or a hang), suite
# passes its own SIGTERM on and exits 143.  No check depends on timing: waits
# poll for a state, bounded only by timeout(1) against a hang.
. "$FB_SRC/tests/e2e/lib.sh"

B="--cpus 1 --samples 1 --sample-time 0.05 --warmup 0 --size 64k --progress=off"
export HOME=$FB_TMP

# expect_usage WORDS cmd...: exit 2 and the message contains WORDS
expect_usage() {
	local want=$1 rc=0; shift
	"$@" >out.txt 2>err.txt || rc=$?
	[ "$rc" = 2 ] || { cat err.txt; die "'$*' exited $rc, expected 2"; }
	grep -qF -- "$want" err.txt || { cat err.txt; die "'$*': no '$want' in the message"; }
}
no_pwned() { ! ls pwned* P/pwned* /tmp/fb-e2e-pwned-$$ 2>/dev/null | grep -q . || die "a command ran: $*"; }

# 1. labels are names: no backquotes, quotes, '..', '/', non-UTF-8
expect_usage "is not a usable name" fb run pf1 $B --label '6.18-`touch pwned`' -o R/
expect_usage "is not a usable name" fb run pf1 $B --label '..'
expect_usage "is not a usable name" fb run pf1 $B --label '.'
expect_usage "is not a usable name" fb run pf1 $B --label $'6.18-\xff'
expect_usage "is not a usable name" fb run pf1 $B --label 'a/b'
expect_usage "is not a usable name" fb suite x.ini --label '..'
[ ! -e R ] && [ ! -e results ] || die "a refused label left a directory behind"
no_pwned "run --label"

# a real result to tamper with
fb run pf1 $B --label 6.18-a -o R/ >/dev/null 2>&1 || die "tiny run failed"
good=$(ls R/*.json | head -n 1)
tamper() { python3 - "$good" "$1" "$2" "$3" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
keys = sys.argv[3].split('.')
o = d
for k in keys[:-1]:
    o = o[k]
o[keys[-1]] = sys.argv[4]
json.dump(d, open(sys.argv[2], 'w'))
EOF
}
mkdir -p H
tamper H/label.json label "x\`touch /tmp/fb-e2e-pwned-$$\`"
tamper H/preset.json preset 'x"; system("touch pwned"); print "y'
tamper H/escape.json preset '../../t'
for f in label preset escape; do
	expect_usage "refusing this result" fb plot H/$f.json -o P
	expect_usage "refusing this result" fb compare H/$f.json
done
[ ! -e t-throughput.gp ] && [ ! -e ../t-throughput.gp ] || die "a plot escaped -o"
no_pwned "plot of a tampered result"

# free text of a result (host name, CPU model) reaches titles, quoted
tamper H/host.json system.hostname "h\`touch pwned\`'\"@x"
if command -v gnuplot >/dev/null; then
	(cd H && fb plot host.json -o ../P >/dev/null) || die "plot of a result with an odd host name failed"
	! grep -q '`' P/pf1-throughput.gp || die "a backquote reached the gnuplot script"
fi
no_pwned "plot titles"

# 2. plot files replace a planted link, never write through it
echo precious >victim
mkdir -p P2
ln -s "$PWD/victim" P2/pf1-throughput.gp
ln -s "$PWD/victim" P2/pf1-throughput.png
fb plot R -o P2 >/dev/null 2>&1 || true
[ "$(cat victim)" = precious ] || die "plot wrote through a planted link"
[ ! -L P2/pf1-throughput.gp ] || die "the planted link is still there"
# a result is never written through a link at its name, nor over a file
ln -s "$PWD/victim" R/x.json
ln -s "$PWD/planted" R/y.json
expect_usage "exists; results are never overwritten" fb run pf1 $B -o R/x.json
expect_usage "exists; results are never overwritten" fb run pf1 $B -o R/y.json
[ "$(cat victim)" = precious ] && [ ! -e planted ] || die "run wrote through a planted link"
ls -A R | grep -q '^\.fb-tmp-' && die "a temporary file was left behind"

# 3. empty paths: exit 2, never an ASan report
expect_usage "option '--output' is empty" fb run pf1 $B -o ""
expect_usage "option '--dir' is empty" fb run pf1 $B --dir ""
expect_usage "option '--output' is empty" fb plot R -o ""
expect_usage "option '--results' is empty" fb suite x.ini --results ""

# 9. numbers are decimal
expect_usage "'0x10' is not an integer" fb run pf1 $B --repeat 0x10
expect_usage "'0x10' is not a number" fb run pf1 $B --warmup 0x10
fb run pf1 $B --samples 010 --format json -o R/ 2>/dev/null >ten.json || die "run --samples 010 failed"
[ "$(jget ten.json 'd["run"]["samples"]')" = 10 ] || die "--samples 010 is not 10"

# 10. concurrent runs into one directory all keep their result
mkdir C
pids=()
for i in 1 2 3 4; do
	fb run pf1 $B -o C/ >/dev/null 2>&1 & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || die "a concurrent run failed"; done
[ "$(ls C/*.json | wc -l)" = 4 ] || die "concurrent runs lost a result: $(ls C)"

# 6. symlink loops in a directory walk: each file once, no hang
mkdir -p L/d
cp "$good" L/d/
ln -s . L/d/a
ln -s . L/d/b
ln -s .. L/d/up
timeout 120 "$FAULTBENCH" history L --bench pf1 >hist.txt || die "history over symlink loops failed"
grep -q ': 1 runs under' hist.txt || { cat hist.txt; die "history read a file twice"; }

# 8. decompression bombs and devices
expect_usage "not a regular file" fb compare /dev/zero
python3 -c '
import gzip
with gzip.open("bomb.json.gz", "wb", compresslevel=1) as f:
    z = bytes(1 << 20)
    for _ in range(300):
        f.write(z)'
expect_usage "larger than 256 MiB" fb compare bomb.json.gz

# 12. history --plot names: no leading '-', no quotes (they reached gnuplot)
expect_usage "is not a usable name" fb history L --bench pf1 --plot -x.png
expect_usage "is not a usable name" fb history L --bench pf1 --plot 'h"; system("touch pwned"); print "x.png'
no_pwned "history --plot"

# 7. sizes against the memory available
expect_usage "more memory than this machine has available" fb run pagelock $B --size 1T
avail_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
if [ "$avail_kb" -lt $((60 * 1024 * 1024)) ]; then
	expect_usage "more memory than this machine has available" fb run nopage $B --size 64G
fi
expect_usage "more than the memory available" fb stress truncate --size 16T --dir .

# 11. kernbench --cc names a program, --cflags plain flags
expect_usage "is not a compiler" fb run kernbench --cc '' --cpus 1
expect_usage "is not an executable file" fb run kernbench --cc /tmp --cpus 1
expect_usage "make hands it to /bin/sh" fb run kernbench --cflags '-O2 $(touch pwned)' --cpus 1
no_pwned "kernbench --cflags"

# 12. --topology has a PU cap, checked before hwloc loads it
expect_usage "more than 8192 PUs" timeout 120 "$FAULTBENCH" topo --topology 'pack:16 numa:4 core:1024 pu:2'

# 5. suite --dry-run checks what run checks; configs inih would misread are refused
printf '[x]\nbench = pf1\ncpus = banana\n' >cpus.ini
printf '[x]\nbench = pf1\ntopology = pack:2\n' >topo.ini
printf '\xef\xbb\xbf[x]\nbench = pf1\n' >bom.ini
printf '[x]\nbench = pf1\n[y]\0\nbench = pf1\n' >nul.ini
printf '[x]\ncpus = 1 ; %0300d\n' 0 >long.ini
printf '[x]\nbench = pf\x1b[2J1\n' >ctl.ini
expect_usage "'banana' is not a CPU list" fb suite --dry-run cpus.ini
expect_usage "topo.ini:3: option 'topology'" fb suite --dry-run topo.ini
expect_usage "bom.ini:1: starts with a UTF-8 byte-order mark" fb suite --dry-run bom.ini
expect_usage "nul.ini:3: has a NUL byte" fb suite --dry-run nul.ini
expect_usage "long.ini:2: longer than" fb suite --dry-run long.ini
expect_usage "ctl.ini:2: control character 0x1b" fb suite --dry-run ctl.ini
! grep -q $'\x1b' err.txt || die "a control byte was echoed raw"

# 4. SIGTERM to suite's own pid: the job stops, summary, 143
printf '[global]\ncpus = 1\nsample-time = 0.05\nwarmup = 0\nprogress = off\nsize = 64k\n' >long.ini
printf '[a]\nbench = pf1\nsamples = 100000\n[b]\nbench = pf1\nsamples = 1\n' >>long.ini
"$FAULTBENCH" suite long.ini --label sig --results S >suite.txt 2>&1 &
suite=$!
# whatever fails below, no suite is left running
trap 'kill -TERM "$suite" 2>/dev/null || true' EXIT
# wait for the job to exist (a state, not a time), then signal the suite alone
for _ in $(seq 6000); do
	pgrep -P "$suite" >/dev/null && break
	sleep 0.05
done
pgrep -P "$suite" >/dev/null || { kill "$suite"; die "the suite never started its job"; }
kill -TERM "$suite"
rc=0
wait "$suite" || rc=$?
[ "$rc" = 143 ] || { cat suite.txt; die "suite exited $rc after SIGTERM, expected 143"; }
grep -q 'INTERRUPTED' suite.txt || { cat suite.txt; die "no summary after SIGTERM"; }
grep -q 'b  *pf1  *not run' suite.txt || { cat suite.txt; die "the suite went on after SIGTERM"; }

# --size against a cgroup v1 memory limit (this kind of machine has v1
# controllers): a child cgroup with 100 MiB refuses a 200 MiB run, exit 2
cg=/sys/fs/cgroup/memory/fb-e2e-$$
if [ "$(id -u)" = 0 ] && [ -w /sys/fs/cgroup/memory ] && mkdir "$cg" 2>/dev/null; then
	echo 104857600 >"$cg/memory.limit_in_bytes"
	rc=0
	sh -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' sh "$cg" "$FAULTBENCH" run pf1 \
		--size 200M --cpus 1 $TINY -o cg.json 2>cg.err || rc=$?
	sleep 0.2
	rmdir "$cg" 2>/dev/null || true
	[ "$rc" = 2 ] || die "a 200M run in a 100M v1 memory cgroup exited $rc"
	grep -q "is more memory than this machine has available" cg.err || die "$(cat cg.err)"
	# The preset's own --size (128M a worker) for 4 workers does not fit in
	# 256 MiB: it is halved until the largest step fits, with a warning, and
	# the result records the size that ran.  A --size the user gave is refused.
	mkdir "$cg" && echo 268435456 >"$cg/memory.limit_in_bytes"
	rc=0
	sh -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' sh "$cg" "$FAULTBENCH" run pf1 \
		--cpus 1,4 --oversubscribe $TINY -o fit.json 2>fit.err || rc=$?
	rc2=0
	sh -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' sh "$cg" "$FAULTBENCH" run pf1 \
		--size 128M --cpus 1,4 --oversubscribe $TINY -o nofit.json 2>nofit.err || rc2=$?
	sleep 0.2
	rmdir "$cg" 2>/dev/null || true
	[ "$rc" = 0 ] || { cat fit.err; die "a default pf1 sweep that fits once smaller exited $rc"; }
	grep -q "running with --size 32 MiB (give --size to choose)" fit.err || die "$(cat fit.err)"
	python3 -c 'import json,sys; sys.exit(json.load(open("fit.json"))["params"]["size"] != 32 << 20)' ||
		die "the result does not record the size that ran"
	[ "$rc2" = 2 ] || die "a --size the user gave that does not fit exited $rc2"
fi
exit 0
