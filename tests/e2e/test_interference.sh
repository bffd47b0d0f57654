# SPDX-License-Identifier: GPL-2.0
# interference (issue 22): every sample records each worker's CPU share, run-queue
# wait and context switches, other tasks' time and steal on each pinned PU, PSI;
# steps and the run say whether they were disturbed, in JSON, table and CSV.  A
# busy loop pinned to the only worker's PU for the whole run takes about half of
# that PU (CFS shares it between two runnable tasks): no timing threshold, a 50%
# share, far below the 0.97 bound, so every step must be marked disturbed; and
# --retry-disturbed re-measures its samples and records that it did.
. "$FB_SRC/tests/e2e/lib.sh"
unset FB_TEST_NO_INTERFERENCE

hog=
cleanup() { [ -z "$hog" ] || kill "$hog" 2>/dev/null || true; }
trap cleanup EXIT
# pf1 on 16 MiB: a pass fits in a sample even on a loaded machine
TINY="$TINY --size 16M"

# the keys of the contract, with sane values, whatever the load of the machine
fb run pf1 --cpus 1 $TINY -o quiet.json >quiet.txt || die "pf1 failed"
python3 - quiet.json <<'PY' || die "interference keys missing or insane"
import json, math, sys
d = json.load(open(sys.argv[1]))
top = d["interference"]
assert {"bounds", "steps", "steps_disturbed", "disturbed", "retries"} <= set(top), top
assert top["bounds"]["share_min"] == 0.97 and top["bounds"]["steal_max"] == 0.02, top
assert top["steps"] == 1 and top["retries"] == 0, top
assert top["disturbed"] == (top["steps_disturbed"] > 0)
st = d["steps"][0]["interference"]
for k in ("share_min", "wait_max", "other_max", "steal_max", "psi_some", "samples",
          "samples_disturbed", "disturbed", "retries"):
    assert k in st, k
assert st["samples"] == 2 and 0 <= st["samples_disturbed"] <= 2
for s in d["steps"][0]["samples"]:
    i = s["interference"]
    assert len(i["share"]) == len(i["wait"]) == len(i["nivcsw"]) == 1, i
    assert len(i["other"]) == len(i["steal"]) == 1, i
    # the CPU clock and the sample's wall time are read in one pass: <= 1 but for rounding
    assert 0 <= i["share"][0] <= 1.05, i
    # run_delay is added when a wait ends: one begun in the previous sample may exceed 1
    assert i["wait"][0] >= 0 and i["nivcsw"][0] >= 0, i
    assert i["other"][0] >= 0 and i["steal"][0] >= 0, i
    assert i["psi_some"] is None or 0 <= i["psi_some"] <= 1.05, i
    assert isinstance(i["disturbed"], bool)
PY
grep -q '^# interference: [01] of 1 steps disturbed (bounds: worker share >= 0.97' quiet.txt ||
	die "no interference footer: $(cat quiet.txt)"

# CSV and JSON on stdout carry it
fb run pf1 --cpus 1 $TINY -o quiet2.json --format csv >quiet.csv || die "pf1 csv failed"
python3 - quiet.csv <<'PY' || die "CSV has no interference columns"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert rows and all(r["disturbed"] in ("true", "false") for r in rows), rows[0]
assert all(r["samples_disturbed"].isdigit() and r["retries"] == "0" for r in rows)
PY
fb run pf1 --cpus 1 $TINY -o quiet3.json --format json >quiet-stdout.json || die "pf1 json failed"
[ "$(jget quiet-stdout.json '"interference" in d and "interference" in d["steps"][0]')" = True ] ||
	die "--format json without interference"

# worker processes: their CPU clock is the process's
fb run pf1 --cpus 1 $TINY --mode processes -o procs.json >/dev/null || die "processes failed"
[ "$(jget procs.json 'all(0 <= s["interference"]["share"][0] <= 1.05 for s in d["steps"][0]["samples"])')" = True ] ||
	die "no share in processes mode"

# a busy loop on the worker's PU for the whole run: every step disturbed
pu=$(jget quiet.json 'd["steps"][0]["pus"][0]')
command -v taskset >/dev/null || skip "no taskset to pin the competing busy loop"
taskset -c "$pu" sh -c 'while :; do :; done' &
hog=$!
fb run pf1 --cpus 1 --size 16M --samples 3 --sample-time 0.2 --warmup 0.1 --progress=off \
	-o hog.json \
	>hog.txt || die "pf1 with a hog failed"
fb run pf1 --cpus 1 --size 16M --samples 2 --sample-time 0.2 --warmup 0.1 --progress=off \
	--retry-disturbed 1 -o retry.json >retry.txt || die "pf1 --retry-disturbed failed"
kill "$hog"
hog=
python3 - hog.json retry.json <<'PY' || die "a hog on the worker's PU went unnoticed"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["interference"]["disturbed"] and d["interference"]["steps_disturbed"] == 1, d["interference"]
st = d["steps"][0]["interference"]
assert st["disturbed"] and st["samples_disturbed"] == 3 and st["share_min"] < 0.97, st
# retried: each sample measured again at most once, the replaced one kept in the file
d = json.load(open(sys.argv[2]))
st = d["steps"][0]["interference"]
assert st["retries"] >= 1 and st["retries"] <= 2 and d["interference"]["retries"] == st["retries"], st
samples = d["steps"][0]["samples"]
assert len(samples) == 2, len(samples)
assert sum(s["interference"].get("retries", 0) for s in samples) == st["retries"]
for s in samples:
    i = s["interference"]
    assert len(i.get("retried", [])) == i.get("retries", 0), i
    assert all(r["disturbed"] and "t" in r for r in i.get("retried", [])), i
PY
grep -q '^ *1 .*(disturbed)$' hog.txt || die "the table does not mark the step: $(cat hog.txt)"
grep -q '^#   disturbed: 1 CPUs repeat 0: 3 of 3 samples' hog.txt ||
	die "the footer does not name the step: $(cat hog.txt)"
grep -q 'disturbed samples re-measured' retry.txt || die "retries not in the footer"
exit 0
