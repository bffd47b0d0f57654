#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The robustness reproducers of issue 23 (C2-C4, D1, D4-D8) against the real
# binary: a size past its tmpfs, huge topologies and files, suite configs that
# lost or changed jobs, options refused only after something ran, signals
# that were lost, and a directory with one bad entry.  Each is a clean error
# (exit 2), or safe behaviour, before anything runs.  No check depends on
# timing: waits poll for a state, bounded only by timeout(1) against a hang.
. "$FB_SRC/tests/e2e/lib.sh"

B="--cpus 1 --samples 1 --sample-time 0.05 --warmup 0 --size 64k --progress=off"
export HOME=$FB_TMP

# expect_usage WORDS cmd...: exit 2 and the message contains WORDS
expect_usage() {
	local want=$1 rc=0; shift
	"$@" >out.txt 2>err.txt || rc=$?
	[ "$rc" = 2 ] || { cat out.txt err.txt; die "'$*' exited $rc, expected 2"; }
	grep -qF -- "$want" err.txt || { cat err.txt; die "'$*': no '$want' in the message"; }
}

# C2: a --size past the free space of its tmpfs is refused before it runs (it
# was a SIGBUS, exit 135, no message); a default --size is halved to fit.
if [ "$(id -u)" = 0 ] && mkdir small && mount -t tmpfs -o size=16m tmpfs small 2>/dev/null; then
	trap 'umount "$FB_TMP/small" 2>/dev/null' EXIT
	expect_usage "more than its 16 MiB free" \
		fb run nopage $B --size 64M --tmpfs-dir small -o c2.json
	[ ! -e c2.json ] || die "a refused run wrote a result"
	fb run pf2 --cpus 1,2 --samples 1 --sample-time 0.05 --warmup 0 --progress=off \
		--tmpfs-dir small -o c2-default.json >out.txt 2>err.txt || { cat err.txt; die "pf2 default size in 16 MiB"; }
	grep -q "running with --size 8 MiB" err.txt || { cat err.txt; die "pf2's default size not halved to the tmpfs"; }
	umount small
	trap - EXIT
else
	echo "C2: not root or no tmpfs mount: size-past-tmpfs checks skipped"
fi

# C4: files read whole have a size bound, checked before parsing (a 35 MB
# noise model took 27 s and 3 GB; /dev/zero was read forever)
fb run pf1 $B --label base1 -o R/ >/dev/null 2>&1 || die "tiny run failed"
r=$(ls R/*.json | head -n 1)
truncate -s 17M big-model.json
expect_usage "larger than 16 MiB" fb compare "$r" "$r" --noise big-model.json
expect_usage "not a regular file" timeout 60 "$FAULTBENCH" compare "$r" "$r" --noise /dev/zero
truncate -s 2M big.ini
expect_usage "larger than 1 MiB" fb suite --dry-run big.ini
expect_usage "not a regular file" timeout 60 "$FAULTBENCH" suite --dry-run /dev/zero

# D1: suite configs that lost or changed jobs with exit 0 are errors naming the line
printf '[pf1]\rcpus=1\r[pf3]\rcpus=1\r' >cr.ini
expect_usage "cr.ini:1: a carriage return inside a line" fb suite --dry-run cr.ini
printf '[pf1] pf3\ncpus=1\n' >after.ini
expect_usage "after.ini:1: text after the section header" fb suite --dry-run after.ini
printf '[pf1]\ncpus=1\n  [pf3]\ncpus=1\n' >indent.ini
expect_usage "indent.ini:3: an indented section header" fb suite --dry-run indent.ini
printf '[pf1]\ncpus=1\n[pf1]\ncpus=2\n' >twice.ini
expect_usage "twice.ini:3: a second [pf1] section (the first is at line 1)" fb suite --dry-run twice.ini
printf '[global]\nsamples=1\n[global]\n[pf1]\n' >global2.ini
expect_usage "global2.ini:3: a second [global]" fb suite --dry-run global2.ini
# what stays allowed: CRLF line endings, a comment after the header
printf '[pf1] ; the first\r\ncpus=1\r\n[pf3]\r\ncpus=1\r\n' >ok.ini
fb suite --dry-run ok.ini >out.txt 2>err.txt || { cat err.txt; die "CRLF config refused"; }

# D6: SIGTERM at several points of a suite and of noise: always exit 143 with
# a summary or a message, never a job left running.  A config of 8000 jobs
# takes seconds to check: a signal then hit the default action (143, nothing
# printed).  Each point is reached by polling the output, not by a delay.
python3 -c "
print('[global]\ncpus = 1\nsamples = 40\nsample-time = 0.05\nwarmup = 0\nsize = 64k\nprogress = off')
for i in range(8000): print('[j%d]\nbench = pf1' % i)" >many.ini
wait_for() { # wait_for FILE TEXT PID: until FILE has TEXT (or PID ended)
	for _ in $(seq 1 600); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 0
		sleep 0.05
	done
}
# until PID is faultbench (exec'd) and catches SIGTERM (its handler is installed:
# SigCgt bit 15)
wait_caught() {
	local fb_exe
	fb_exe=$(readlink -f "$FAULTBENCH")
	for _ in $(seq 1 600); do
		local cgt
		[ "$(readlink /proc/$1/exe 2>/dev/null)" = "$fb_exe" ] || { sleep 0.02; continue; }
		cgt=$(awk '/^SigCgt/ {print $2}' /proc/$1/status 2>/dev/null) || return 0
		[ -n "$cgt" ] || return 0
		(( (16#$cgt >> 14) & 1 )) && return 0
		sleep 0.02
	done
}
term_at() { # term_at WHAT TEXT cmd...: SIGTERM once the output has TEXT ("": once it catches it)
	local what=$1 text=$2 pid rc=0; shift 2
	"$@" >sig.txt 2>&1 &
	pid=$!
	wait_caught $pid
	[ -z "$text" ] || wait_for sig.txt "$text" $pid
	kill -TERM $pid 2>/dev/null || true
	timeout 120 tail --pid=$pid -f /dev/null || die "$what: still running 120 s after SIGTERM"
	wait $pid || rc=$?
	[ "$rc" = 143 ] || { cat sig.txt; die "$what: exit $rc after SIGTERM, expected 143"; }
	grep -qE "interrupted|not run" sig.txt || { cat sig.txt; die "$what: no summary or message"; }
	! pgrep -f "results $FB_TMP/sig" >/dev/null || die "$what: a job outlived its suite"
}
term_at "suite while checking its config" "" \
	"$FAULTBENCH" suite many.ini --label s --results "$FB_TMP/sig"
term_at "suite during job 1" "== job 1/" \
	"$FAULTBENCH" suite many.ini --label s --results "$FB_TMP/sig"
grep -q "INTERRUPTED" sig.txt || { cat sig.txt; die "suite: job 1 not shown as interrupted"; }
printf '[global]\ncpus = 1\nsamples = 40\nsample-time = 0.05\nwarmup = 0\nsize = 64k\nprogress = off\n[pf1]\n[pf3]\n' >two.ini
term_at "noise before its first run" "" \
	"$FAULTBENCH" noise many.ini --runs 3 --label n --results "$FB_TMP/sig"
term_at "noise during run 1" "== job 1/" \
	"$FAULTBENCH" noise two.ini --runs 3 --label n --results "$FB_TMP/sig"
term_at "noise during run 2" "== noise: run 2" \
	"$FAULTBENCH" noise two.ini --runs 3 --label n2 --results "$FB_TMP/sig"

# D4/D5: every option is checked before anything runs (noise started its suite
# first; vm started qemu)
expect_usage "option '--label'" fb noise two.ini --label '../../esc' --results "$FB_TMP/d4"
expect_usage "option '--results' is empty" fb noise two.ini --results ''
printf '[pf1]\ncpus = x\n' >badjob.ini
expect_usage "badjob.ini:1" fb noise badjob.ini --results "$FB_TMP/d4"
[ ! -e d4 ] || die "noise created its results before its checks"
expect_usage "option '--labels'" fb vm --labels '../x' -- run nopage
expect_usage "option '--labels'" fb vm --labels '' -- run nopage
expect_usage "option '--labels'" fb vm --labels 'a,,b' -- run nopage
expect_usage "option '--mem'" fb vm --mem 4T -- run nopage
expect_usage "option '--modules'" fb vm --modules /etc -- run nopage
expect_usage "option '--results' is empty" fb vm --results '' -- run nopage

# D7: one rule for a directory walk (history, report --history, compare DIR,
# store import): a bad entry below the directory is skipped with a warning and
# counted; history and compare DIR exited 2 on one
mkdir -p W/a W/b
cp "$r" W/a/
cp "$r" W/b/
echo '{bad' >W/a/zz-bad.json
ln -s /proc/self W/p
fb history W --bench pf1 >out.txt 2>err.txt || { cat err.txt; die "history: a bad entry ended it"; }
grep -q "'W': [0-9]* entr.* skipped" err.txt || { cat err.txt; die "history: skipped entries not counted"; }
fb compare W/a W/b >out.txt 2>err.txt || { cat err.txt; die "compare DIR: a malformed file ended it"; }
grep -q "zz-bad.json.*skipped" err.txt || { cat err.txt; die "compare DIR: no warning"; }
fb report --history W -o rep >out.txt 2>err.txt || { cat err.txt; die "report --history: a bad entry ended it"; }
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	# an unreadable subdirectory, for a user who cannot read it
	mkdir -p U/good U/locked && cp "$r" U/good/ && chmod 000 U/locked && chmod 755 . U U/good &&
		chmod 644 U/good/*.json
	setpriv --reuid=65534 --regid=65534 --clear-groups "$FAULTBENCH" history U --bench pf1 \
		--noise none >out.txt 2>err.txt || { cat err.txt; die "history: an unreadable directory ended it"; }
	grep -q "cannot read directory 'U/locked'.*skipped" err.txt || { cat err.txt; die "no warning for U/locked"; }
fi

# D8: options refused before anything is printed or read
expect_usage "option '--plot' is empty" fb history W --bench pf1 --plot ''
[ ! -s out.txt ] || die "history printed its table before refusing --plot ''"
expect_usage "option '--store' is empty" fb compare "$r" "$r" --store ''
expect_usage "option '--store' is empty" fb check --baseline "$r" --candidate "$r" --store ''
expect_usage "option '--store' is empty" fb store import --store '' W
expect_usage "option '--results' is empty" fb noise two.ini --results ''
# compare's --metric all is report's too
fb report "$r" --metric all -o rep-all >out.txt 2>err.txt || { cat err.txt; die "report --metric all refused"; }
! grep -q "metric 'all'" err.txt || { cat err.txt; die "report --metric all: 'all' taken as a metric name"; }

# Fuzzing: an XML file on which libhwloc's reader crashed (SIGSEGV) is refused,
# read first in a child (the input is in the topoxml corpus)
cp "$FB_SRC/tests/fuzz/corpus/topoxml/hwloc-segv-null-cpuset" crash.xml
expect_usage "hwloc crashed reading" fb topo --topology crash.xml
