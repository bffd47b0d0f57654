#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The command line's manners: "did you mean" for mistyped options, commands
# and benchmarks (exit 2), a preset's own defaults and plain bounds in
# --help, kernbench's unused options, CSV output, and progress lines in a log.
. "$FB_SRC/tests/e2e/lib.sh"

# "did you mean": options, commands, benchmarks; each exits 2
expect_status 2 fb run pf1 --sampletime 1
fb run pf1 --sampletime 1 2>&1 | grep -q "did you mean '--sample-time'?" || die "no suggestion for --sampletime"
fb comapre 2>&1 | grep -q "did you mean 'compare'?" || die "no suggestion for comapre"
expect_status 2 fb comapre
fb run nopag 2>&1 | grep -q "did you mean 'nopage'?" || die "no suggestion for nopag"
expect_status 2 fb run nopag
# a preset's --help shows its own defaults, bounds in the units one types
fb run nopage --help | grep -A3 -- '--backing' | grep -q 'default: tmpfs' ||
	die "nopage --help does not show --backing's default as tmpfs"
fb run nopage --help | grep -q 'bounds: 1 to 100000' || die "integer bounds not as integers"
! fb run nopage --help | grep -q 'e+0' || die "a bound in %g notation"
# kernbench's header leaves out options it does not use
fb run kernbench --help | grep -q 'not used by this benchmark.*--sample-time' ||
	die "kernbench --help does not list the options it ignores"

# CSV: a header and one record per step and metric
fb run pf1 --cpus 1 $TINY -o tiny --format csv >run.csv
head -n1 run.csv | grep -q '^label,bench,preset,variant,cpus,repeat,metric,value,' || die "run CSV header"
python3 - run.csv <<'PY' || die "run CSV does not parse"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert rows and all(r["bench"] == "fault" and r["preset"] == "pf1" for r in rows), rows[:1]
assert any(r["metric"] == "pages/s" and float(r["value"]) >= 0 for r in rows)
PY
fb compare tiny tiny --format csv >cmp.csv
python3 - cmp.csv <<'PY' || die "compare CSV does not parse"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert rows and {"metric", "cpus", "label", "hmean", "amean", "pdiff_pct", "significant"} <= set(rows[0])
# each mean under its own name: harmonic for rates (higher is better), else arithmetic
for r in rows:
    assert (r["hmean"] != "") == (r["higher_better"] == "true"), r
    assert (r["amean"] != "") == (r["higher_better"] == "false"), r
PY
# pages/fault is neither better higher nor lower: null in the result, blank in the CSVs
# (a run long enough to count pages on a loaded machine: pages/fault needs a count)
fb run pf1 --cpus 1 --samples 2 --sample-time 0.5 --warmup 0.05 --progress=off --size 4M \
	-o perfault/ >/dev/null 2>&1 || die "run for pages/fault failed"
fb compare perfault --metric all --format csv >all.csv
python3 - all.csv perfault/*.json <<'PY' || die "pages/fault is marked better one way"
import csv, json, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], newline="")) if r["metric"] == "pages/fault"]
assert rows and all(r["higher_better"] == "" for r in rows), rows[:1]
for f in sys.argv[2:]:
    for st in json.load(open(f))["steps"]:
        assert st["metrics"]["pages/fault"]["higher_better"] is None, f
PY

# progress: stderr not a terminal, one line per finished step
fb run pf1 --cpus 1 --samples 2 --sample-time 0.1 --warmup 0.05 --repeat 2 -o tiny \
	2>progress.txt >/dev/null
[ "$(grep -c '^\[[12]/2\] pf1: 1 CPUs, repeat [12]/2, .* pages/s, ETA ' progress.txt)" = 2 ] ||
	die "expected two progress lines: $(cat progress.txt)"
! grep -q $'\r' progress.txt || die "carriage returns in a log"
echo "cli: ok"
