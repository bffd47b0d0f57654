#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A run measured disturbed (issue 22 item 1) is shown as disturbed wherever a
# run is listed: compare's mmtests and LKP views, its CSV, check, history,
# and the HTML report (its cells, its legend, its table of runs, its history
# page), history and report --history from the store as from the files; and compare's CSV carries the within-run paired rows as one table
# (kind "paired"), formula-escaped.  The runs are real and tiny; their
# figures are then made steady and given interference figures by
# tests/e2e/edit_results.py (quiet, or one step disturbed), so nothing
# depends on the load of the machine.
. "$FB_SRC/tests/e2e/lib.sh"
EDIT="python3 $FB_SRC/tests/e2e/edit_results.py"
export HOME=$FB_TMP

for side in A B; do
	for i in 1 2 3; do
		fb run pf1 --cpus 1 --repeat 2 --size 1M $TINY --label "6.18-$side" -o "$side/" \
			>/dev/null 2>&1 || die "run $side $i failed"
	done
done
$EDIT quiet A/*.json B/*.json
dist=$(ls B/*.json | head -n 1)
$EDIT disturbed "$dist"

# --- compare: the mmtests view's Runs row, the LKP view's line, CSV and JSON
fb compare A B --primary >mm.txt 2>&1 || die "compare failed: $(cat mm.txt)"
grep -q '^Runs  *pages/s-1  *3  *3 (1 dist)$' mm.txt || die "mmtests view: no '3 (1 dist)': $(cat mm.txt)"
fb compare A B --primary --view lkp >lkp.txt 2>&1 || die "compare --view lkp failed"
grep -q ' pf1\.pages/s-1  \[runs 3 vs 3 (1 dist)\]$' lkp.txt ||
	die "lkp view: the disturbed run is not marked: $(cat lkp.txt)"
grep -q '^disturbed: 1 cell hold' lkp.txt || die "lkp view: no footer on disturbed runs: $(cat lkp.txt)"
# a quiet comparison has no mark
fb compare A A --primary --view lkp >quiet.txt 2>&1
! grep -q 'dist' quiet.txt || die "a quiet comparison is marked: $(cat quiet.txt)"
fb compare A B --primary --format csv >cmp.csv
python3 - cmp.csv <<'PY' || die "compare CSV: disturbed runs not counted"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert rows and all(r["kind"] == "cell" for r in rows), rows[:1]
assert [r["disturbed_runs"] for r in rows] == ["0", "1"], rows
PY

# --- compare --format csv: the paired rows of a run with interleaved variants, in the
# same table; the variants' names made formulas: they must reach the sheet as text
python3 - "$FB_SRC/docs/data/ab/within-pf1-1cpu-ab5pct-1.json.gz" w.json <<'PY'
import gzip, json, sys
d = json.load(gzip.open(sys.argv[1]))
names = {"FB_TEST_FAULT_COST_NS=0": "=cmd|' -C calc'!A0", "FB_TEST_FAULT_COST_NS=90": "@SUM(1)"}
for s in d["steps"]:
    s["variant"] = names[s["variant"]]
json.dump(d, open(sys.argv[2], "w"))
PY
fb compare w.json --primary --format json >w.json.out || die "compare --format json failed"
fb compare w.json --primary --format csv >w.csv || die "compare --format csv failed"
python3 - w.json.out w.csv <<'PY' || die "compare CSV: the paired rows differ from the JSON's"
import csv, json, sys
j = json.load(open(sys.argv[1]))["paired"]
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
head = list(rows[0].keys())
# the columns of before keep their place; the paired ones come after them
assert head[:25][-2:] == ["disturbed_runs", "broken_runs"] and head[25] == "kind", head
cells = [r for r in rows if r["kind"] == "cell"]
paired = [r for r in rows if r["kind"] == "paired"]
assert cells and len(paired) == len(j) >= 2, (len(paired), len(j))
for r, p in zip(paired, j):
    assert r["metric"] == p["metric"] and int(r["cpus"]) == p["ncpus"], (r, p)
    assert r["variant"] == "'" + p["variant"] and r["base_variant"] == "'" + p["base"], r
    assert int(r["n"]) == p["pairs"] and int(r["left_out"]) == p["left_out"], r
    assert abs(float(r["pdiff_pct"]) - p["change_pct"]) < 1e-9, r
    assert abs(float(r["p"]) - p["p"]) < 1e-12 and r["verdict"] == p["verdict"], r
    assert abs(float(r["interval_lo_pct"]) - p["interval_pct"][0]) < 1e-9, r
    assert r["label"] == p["label"] and r["run"] == p["run"] and r["column"] == "0", r
    assert r["hmean"] == "" and r["min"] == "", r
PY
! grep -q ',=cmd\|,@SUM' w.csv || die "a raw formula cell: $(grep ',=cmd\|,@SUM' w.csv | head -n 1)"

# --- check: under the row, the disturbed runs; not a reference
rc=0
fb check --baseline A --candidate B >check.txt 2>&1 || rc=$?
[ "$rc" = 125 ] || [ "$rc" = 0 ] || [ "$rc" = 1 ] || die "check exited $rc: $(cat check.txt)"
grep -q '^ *disturbed: runs 3 vs 3 (1 dist) (baseline vs candidate' check.txt ||
	die "check does not mark the disturbed run: $(cat check.txt)"
grep -q '^check: not a reference: the candidate was measured disturbed' check.txt ||
	die "check: a disturbed candidate could become a reference: $(cat check.txt)"
fb check --baseline A --candidate A >checkq.txt 2>&1 || true
! grep -q 'dist' checkq.txt || die "check marks quiet runs: $(cat checkq.txt)"

# --- history: the disturbed run's row, and the count
fb history . --bench pf1 >hist.txt 2>&1 || die "history failed: $(cat hist.txt)"
[ "$(grep -c '(disturbed)$' hist.txt)" = 1 ] || die "history: not exactly one disturbed row: $(cat hist.txt)"
grep -q '^disturbed: 1 run measured' hist.txt || die "history: no count of disturbed runs"
# ... and the same from the store's index (step_values.disturbed; both engines: store_suite.sh)
fb store import --store st.db A B >/dev/null || die "store import failed"
fb history . --bench pf1 --store st.db >hist-st.txt 2>&1 || die "history --store failed: $(cat hist-st.txt)"
cmp -s hist.txt hist-st.txt || { diff hist.txt hist-st.txt; die "history: the store marks other runs than the files"; }

# --- the HTML report: the mark on the cell, the legend, the runs table per file
fb report A B -o R >/dev/null 2>&1 || die "report failed"
grep -q '<span class="dist" title="1 of its runs measured disturbed">&#8224;</span>' R/index.html ||
	die "report: the disturbed cell is not marked"
grep -q '<td class="aux disturbed">3 (1 dist)</td>' R/index.html || die "report: Runs does not say '3 (1 dist)'"
grep -q '<p class="notes legend"><span class="dist">&#8224;</span> after a mean' R/index.html ||
	die "report: no legend for the mark"
grep -q '<span class="dist">&#8224; 1 of 2 steps disturbed; worst share 0.620, wait 0.300, other 0.350, steal 0.010</span>' \
	R/index.html || die "report: the runs table does not say which file was disturbed"
[ "$(grep -o '0 of 2 steps disturbed; worst share 0.995' R/index.html | wc -l)" = 5 ] ||
	die "report: the quiet files are not listed as quiet"
fb report A -o Q >/dev/null 2>&1 || die "report of quiet runs failed"
! grep -q 'class="dist"\|notes legend' Q/index.html || die "report: quiet runs are marked"
fb report --history B --bench pf1 -o H >/dev/null 2>&1 || die "report --history failed"
[ "$(grep -c '<span class="dist">disturbed</span>' H/index.html)" = 1 ] ||
	die "report --history: the disturbed run is not marked once"
fb report --history store:label=6.18-B --bench pf1 --store st.db -o HS >/dev/null 2>&1 ||
	die "report --history store: failed"
[ "$(grep -c '<span class="dist">disturbed</span>' HS/index.html)" = 1 ] ||
	die "report --history store:: the disturbed run is not marked once"
echo "disturbed runs marked in compare (mmtests, lkp, csv), check, history and the report"
