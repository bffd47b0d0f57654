#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The architecture as a test (docs/hacking.md): which folder may include
# headers of which, and no include circle anywhere.  Run by "make check".
#   lib/       includes lib/ only
#   store/     lib/, store/: the index of result files, below both sides
#   engine/    lib/, store/, engine/ and the benchmark contract bench/bench.h
#   bench/     lib/, engine/, bench/
#   stress/    lib/, engine/, stress/
#   analysis/  lib/, store/, analysis/: it reads results, never benchmark code
#   cmd/       anything
set -u
cd "$(dirname "$0")/../.."
declare -A allowed=(
	[lib]="lib"
	[engine]="lib store engine bench/bench.h"
	[bench]="lib engine bench"
	[stress]="lib engine stress"
	[analysis]="lib store analysis"
	[store]="lib store"
	[cmd]="lib engine bench stress analysis store cmd"
)
declare -A where
for f in $(ls -d lib engine bench stress analysis store cmd 2>/dev/null | xargs -I{} find {} -maxdepth 1 -name '*.h'); do
	where[$(basename "$f")]=$f
done
bad=0
for dir in "${!allowed[@]}"; do
	[ -d "$dir" ] || continue
	for f in "$dir"/*.[ch]; do
		[ -e "$f" ] || continue
		for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
			p=${where[$h]:-}
			[ -n "$p" ] || continue
			ok=0
			for a in ${allowed[$dir]}; do
				case $p in "$a" | "$a"/*) ok=1 ;; esac
			done
			if [ $ok = 0 ]; then
				echo "layers: $f includes $p ($dir/ may include: ${allowed[$dir]})"
				bad=1
			fi
		done
	done
done
# Include circles among headers: a depth-first walk from every header.
python3 - "${where[@]}" <<'PY' || bad=1
import re, sys
paths = {p.split('/')[-1]: p for p in sys.argv[1:]}
inc = {}
for name, p in paths.items():
    inc[name] = [h for h in re.findall(r'^#include "([^"]+)"', open(p).read(), re.M) if h in paths]
state, bad = {}, False
def walk(n, stack):
    global bad
    state[n] = 1
    for h in inc[n]:
        if state.get(h) == 1:
            print("layers: include circle: " + " -> ".join(stack[stack.index(h):] + [h]))
            bad = True
        elif not state.get(h):
            walk(h, stack + [h])
    state[n] = 2
for n in sorted(inc):
    if not state.get(n):
        walk(n, [n])
sys.exit(1 if bad else 0)
PY
exit $bad
