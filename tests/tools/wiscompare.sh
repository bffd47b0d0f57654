#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Does faultbench's pfN measure what will-it-scale's page_faultN measures?
# Runs both, interleaved (will-it-scale first in odd rounds, faultbench
# first in even ones), under `perf stat -e page-faults -I 1000` (the
# kernel's count of every fault of the whole process tree, one line per
# second) and compares their steady-state faults/s: the median of the
# per-second counts after the warm-up (5 s in both) and before the last,
# partial second.  It also compares the tools' own figures: will-it-scale's
# "average" (pages touched per second) and faultbench's pages/s.
#
# will-it-scale keeps its file in /tmp; each run gets a mount namespace in
# which /tmp is the filesystem under test (a fresh tmpfs, or a bind mount of
# the disk directory), so both tools see the same filesystem.  Needs root.
#
# OUT must not be under /tmp (the namespace hides it).
#
#   tests/tools/wiscompare.sh -w /work/wis -d /tmp -o OUT [-t "1 2"] [-p "1 2 3"]
#       [-f "tmpfs file"] [-s 10] [-r 2] [-m threads|processes] [-q] [-- fb options]
#
# -S only summarises the runs already in OUT (with the same -t/-p/-f/-r).
# -F N numbers the rounds from N: more rounds into an OUT that has some
# (then summarise all of them with -S -r).
# Each run's line shows the spread (CoV) of its per-second counts: a run
# another tenant disturbed shows up there, and the median over the rounds
# is what to quote.
#
# -q lowers the autogroups of every other session (nice 19) before each run:
# the kernel's autogroups make plain nice useless across sessions.  Everything goes to OUT: one perf log, one will-it-scale
# log and one faultbench result per run, and summary.txt.
set -eu
fb=${FAULTBENCH:-$(dirname "$0")/../../build/faultbench}
wis='' dir=/tmp out='' tasks='1 2' tests='1 2 3' fss='tmpfs file' secs=10 rounds=2
mode=threads quiet=0 only_summary=0 first=1
while getopts w:d:o:t:p:f:s:r:m:qSF: c; do
	case $c in
	w) wis=$OPTARG ;; d) dir=$OPTARG ;; o) out=$OPTARG ;; t) tasks=$OPTARG ;;
	p) tests=$OPTARG ;; f) fss=$OPTARG ;; s) secs=$OPTARG ;; r) rounds=$OPTARG ;;
	m) mode=$OPTARG ;; q) quiet=1 ;; S) only_summary=1 ;; F) first=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$out" ] && { [ -n "$wis" ] || [ "$only_summary" = 1 ]; } || { echo "usage: $0 -w WIS_DIR -o OUT [options]" >&2; exit 2; }
case $mode in threads | processes) ;; *) echo "-m: threads or processes" >&2; exit 2 ;; esac
mkdir -p "$out"

quiet_others() {
	local mine p
	[ "$quiet" = 1 ] || return 0
	mine=$(cut -d' ' -f1 /proc/self/autogroup)
	for p in /proc/[0-9]*; do
		[ "$(cut -d' ' -f1 "$p/autogroup" 2>/dev/null)" = "$mine" ] && continue
		{ echo 19 >"$p/autogroup"; } 2>/dev/null || true
	done
}

# in_fs FS: the command prefix that runs a command with /tmp replaced by the
# filesystem under test (perf stat then counts the faults of it all)
in_fs() {
	if [ "$1" = tmpfs ]; then
		ns=(unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs fbwis /tmp && exec "$@"' sh)
	else
		ns=(unshare -m sh -c 'mount --make-rprivate / && mount --bind "$0" /tmp && exec "$@"' "$dir")
	fi
}

# the globals id, n, t, ns and back name the point; run_fb passes its arguments to faultbench
run_wis() {
	quiet_others
	perf stat -x, -I 1000 -e page-faults -o "$out/wis-$id.perf" -- \
		"${ns[@]}" stdbuf -oL "$wis/page_fault${n}_$mode" -t "$t" -s "$secs" \
		>"$out/wis-$id.txt"
}

run_fb() {
	quiet_others
	perf stat -x, -I 1000 -e page-faults -o "$out/fb-$id.perf" -- \
		"${ns[@]}" "$fb" run "pf$n" "${back[@]}" --tmpfs-dir=/tmp \
		--cpus "$t" --mode "$mode" --warmup 5 --samples "$secs" --sample-time 1 \
		--progress=off -o "$out/fb-$id.json" "$@" >"$out/fb-$id.txt" 2>&1
}

[ "$only_summary" = 1 ] || {
	echo "# wiscompare $(date -u +%FT%TZ) $(uname -r) $(hostname) nproc $(nproc)"
	echo "# will-it-scale $wis, disk dir $dir ($(df -T "$dir" | awk 'NR==2{print $2}')), mode $mode, $secs s, $rounds rounds"
	echo "# faultbench $("$fb" --version 2>/dev/null || echo "$fb") options: $*"
	uptime
} >>"$out/summary.txt"

for r in $(seq "$first" $((first + rounds - 1))); do
	[ "$only_summary" = 1 ] && break
	for fs in $fss; do
		for n in $tests; do
			for t in $tasks; do
				id="pf$n-$fs-t$t-r$r"
				# page_fault1 is anonymous memory: the same on every filesystem
				[ "$n" = 1 ] && [ "$fs" != "${fss%% *}" ] && continue
				in_fs "$fs"
				if [ "$fs" = tmpfs ]; then
					back=(--backing=$([ "$n" = 1 ] && echo anon || echo tmpfs))
				else
					back=(--backing=$([ "$n" = 1 ] && echo anon || echo file) --dir=/tmp)
				fi
				# odd rounds will-it-scale first, even ones faultbench first: a
				# slow spell of the host, or what one run leaves the next (a
				# disk file's pages to free, a journal commit), then falls on
				# both tools alike over the rounds
				if [ $((r % 2)) = 1 ]; then
					run_wis
					run_fb "$@"
				else
					run_fb "$@"
					run_wis
				fi
			done
		done
	done
done

[ "$only_summary" = 1 ] || [ "$first" = 1 ] || exit 0
python3 - "$out" "$rounds" "$tests" "$tasks" "$fss" <<'EOF' | tee -a "$out/summary.txt"
import json, statistics, sys
out, rounds, tests, tasks, fss = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split(), sys.argv[5].split()

def steady(path):
    """median faults/s of the per-second perf counts after the 5 s warm-up, without the
    last, and their CoV in %"""
    v = [int(l.split(",")[1]) for l in open(path) if ",page-faults," in l and l.split(",")[1].isdigit()]
    v = v[6:-1]
    if len(v) < 2:
        return float("nan"), float("nan")
    return statistics.median(v), 100 * statistics.stdev(v) / statistics.mean(v)

def wis_avg(path):
    for l in open(path):
        if l.startswith("average:"):
            return int(l.split(":")[1])
    return float("nan")

def fb_pages(path):
    d = json.load(open(path))
    return d["steps"][0]["metrics"]["pages/s"]["value"]

print("%-6s %-6s %-5s %-5s %12s %6s %12s %6s %7s %12s %12s %7s" % ("test", "fs", "tasks", "round",
      "wis faults/s", "cov%", "fb faults/s", "cov%", "fb/wis", "wis pages/s", "fb pages/s", "fb/wis"))
for fs in fss:
    for n in tests:
        for t in tasks:
            if n == "1" and fs != fss[0]:
                continue
            ratios, own = [], []
            for r in range(1, rounds + 1):
                i = "pf%s-%s-t%s-r%d" % (n, fs, t, r)
                (wf, wc), (ff, fc) = steady("%s/wis-%s.perf" % (out, i)), steady("%s/fb-%s.perf" % (out, i))
                try:
                    wp, fp = wis_avg("%s/wis-%s.txt" % (out, i)), fb_pages("%s/fb-%s.json" % (out, i))
                except (OSError, KeyError, ValueError, IndexError):
                    wp = fp = float("nan")
                ratios.append(ff / wf)
                own.append(fp / wp if wp else float("nan"))
                print("pf%-4s %-6s %-5s %-5d %12.0f %6.1f %12.0f %6.1f %7.3f %12.0f %12.0f %7.3f" % (n, fs, t, r,
                      wf, wc, ff, fc, ff / wf, wp, fp, fp / wp if wp else float("nan")))
            print("pf%-4s %-6s %-5s %-5s %12s %6s %12s %6s %7.3f %25s %7.3f  (medians over rounds)" % (n, fs, t,
                  "all", "", "", "", "", statistics.median(ratios), "", statistics.median(own)))
EOF
