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
