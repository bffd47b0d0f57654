#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The store benchmark (make store-bench; not part of make check):
#   scripts/store-bench.sh [N] [DIR]
# writes N synthetic pf1 results (default 100000; tests/tools/synth_results.py)
# under DIR (default a new /tmp/fb-store-bench.XXXXXX), imports them into an
# SQLite store, imports them again (idempotent: nothing added), and times
# history over all of them from the store, from one machine's selector, and,
# for scale, from the files of one machine.  Prints the machine, the commands
# and their times (elapsed seconds and peak memory, /usr/bin/time).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
FAULTBENCH=${FAULTBENCH:-$here/build/faultbench}
n=${1:-100000}
dir=${2:-$(mktemp -d /tmp/fb-store-bench.XXXXXX)}
db=$dir/store.db

timed() { # timed CMD...: run it, print its time and peak memory
	/usr/bin/time -f "  %e s elapsed, %M KB peak" -o "$dir/time" "$@" >"$dir/out" 2>"$dir/err" ||
		{ cat "$dir/err" >&2; exit 1; }
	echo "\$ $*" | sed "s|$dir|DIR|g; s|$FAULTBENCH|faultbench|"
	head -n 1 "$dir/out" | sed "s|$dir|DIR|g; s/^/  /"
	cat "$dir/time"
}

echo "machine: $(uname -n), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r)"
echo "faultbench $("$FAULTBENCH" --version | cut -d' ' -f2), SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
if [ ! -d "$dir/R" ]; then
	echo "writing $n synthetic results under $dir/R"
	python3 "$here/tests/tools/synth_results.py" "$dir/R" "$n"
fi
echo "$(find "$dir/R" -name '*.json' | wc -l) files, $(du -sh "$dir/R" | cut -f1)"
rm -f "$db"
timed "$FAULTBENCH" store import --store "$db" "$dir/R"
timed "$FAULTBENCH" store import --store "$db" "$dir/R"
echo "store: $(du -h "$db" | cut -f1)"
for i in 1 2 3; do
	timed "$FAULTBENCH" history "$dir/R" --bench pf1 --noise none --store "$db"
done
for i in 1 2 3; do
	timed "$FAULTBENCH" history store:machine=big1 --bench pf1 --noise none --store "$db"
done
timed "$FAULTBENCH" history "$dir/R/big1" --bench pf1 --noise none
echo "(DIR $dir kept; rm -rf it when done)"
