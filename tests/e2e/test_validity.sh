#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# No verdict from an impossible value (issue 22 item 2, issue 23 C1/D2): a
# repeat that counted nothing, a negative rate and a NaN in a result file are
# each named (file, step, metric) and left out; check exits 125 when nothing
# valid remains, never 0 or 1; such a night never joins the nightly
# reference; a store document that is not a result is refused, not crashed
# on.  The runs are real and tiny; their figures are then made steady and
# broken on purpose by tests/e2e/edit_results.py (a loaded machine may count
# nothing in a tiny sample by itself).
. "$FB_SRC/tests/e2e/lib.sh"
EDIT="python3 $FB_SRC/tests/e2e/edit_results.py"

for i in 1 2 3 4 5; do
	fb run pf1 --cpus 1 --repeat 2 --size 1M $TINY --label base >/dev/null 2>&1 ||
		die "run $i failed"
	sleep 1 # one file a second: names carry the time
done
$EDIT steady results/base/*.json
fb noise --from results/base -o model.json >noise.txt 2>&1 || { cat noise.txt; die "noise failed"; }
grep -q 'warning: .*5 runs' noise.txt || die "noise did not warn about a model of fewer than 8 runs"

one=$(ls results/base/*.json | head -n 1)
for mode in zero negative nan; do
	mkdir -p "cand-$mode"
	cp "$one" "cand-$mode/pf1-$mode.json"
	$EDIT "$mode" "cand-$mode/pf1-$mode.json"
	rc=0
	fb check --baseline results/base --candidate "cand-$mode" --noise model.json \
		--threshold 30% >"check-$mode.txt" 2>&1 || rc=$?
	[ "$rc" = 125 ] || { cat "check-$mode.txt"; die "check of a $mode value exited $rc, not 125"; }
	case $mode in
	zero) want='pages/s is zero' ;;
	negative) want='pages/s is negative' ;;
	nan) want='pages/s is NaN' ;;
	esac
	grep -q "cand-$mode/pf1-$mode.json: pf1 repeat [01], 1 CPU: $want" "check-$mode.txt" ||
		{ cat "check-$mode.txt"; die "check did not name the $mode value, its file and step"; }
	grep -q 'check: not a reference' "check-$mode.txt" || die "$mode: not marked as no reference"
	# compare shows it too, and never a star or a nan
	fb compare results/base "cand-$mode" --noise model.json >"cmp-$mode.txt" 2>&1 ||
		die "compare with a $mode value failed"
	grep -q 'left out: 1 run' "cmp-$mode.txt" || { cat "cmp-$mode.txt"; die "compare footer silent on $mode"; }
	! grep -qi 'nan%\|\*.*%\*' "cmp-$mode.txt" || { cat "cmp-$mode.txt"; die "compare starred or printed nan for $mode"; }
done

# documents read back from the store pass the same checks (C1: '{}' crashed compare)
fb store import --store s.db results/base >/dev/null 2>&1 || die "store import failed"
python3 - <<'PY'
import sqlite3
db = sqlite3.connect('s.db')
db.execute("update documents set document='{}'")
db.commit()
PY
rc=0
fb compare store:label=base --store s.db >store.txt 2>&1 || rc=$?
[ "$rc" = 2 ] || { cat store.txt; die "compare of a '{}' store document exited $rc, not 2"; }
grep -q 'not a faultbench result' store.txt || die "no message for a '{}' store document"
python3 - "$one" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect('s.db')
d = json.load(open(sys.argv[1]))
d['label'] = '../../x |<b>'
db.execute("update documents set document=?", (json.dumps(d),))
db.commit()
PY
rc=0
fb compare store:label=base --store s.db >store.txt 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q "is not a name faultbench writes" store.txt ||
	{ cat store.txt; die "a store label '../../x |<b>' was accepted (exit $rc)"; }

# broken noise models are refused with the reason (D3), not blamed on the machine
python3 -c 'import json; d=json.load(open("model.json")); d["entries"][0]["var_run"]=-0.5; json.dump(d,open("neg.json","w"))'
python3 -c 'import json; d=json.load(open("model.json")); d["noise_model"]=99; json.dump(d,open("v99.json","w"))'
rc=0
fb check --baseline results/base --candidate results/base --noise neg.json >m.txt 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q 'var_run is negative.*a broken model' m.txt ||
	{ cat m.txt; die "a negative variance was not refused as a broken model (exit $rc)"; }
rc=0
fb check --baseline results/base --candidate results/base --noise v99.json >m.txt 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q 'noise_model 99 is not a version' m.txt ||
	{ cat m.txt; die "noise_model 99 was used (exit $rc)"; }
# a model that fits no row says why
python3 -c 'import json; d=json.load(open("model.json")); d["machine"]["hostname"]="elsewhere"; json.dump(d,open("other.json","w"))'
fb check --baseline results/base --candidate results/base --noise other.json >m.txt 2>&1 || true
grep -q "check: noise model not used: 'other.json' is of host 'elsewhere'" m.txt ||
	{ cat m.txt; die "check does not say why the model was not used"; }

# history: impossible values left out (said), no nan%, no 300-digit level (D8)
mkdir -p H
cp results/base/*.json H/
cp cand-zero/pf1-zero.json H/
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [m.__setitem__("value", 1e300) for s in d["steps"] for n,m in s["metrics"].items() if n=="pages/s"]; json.dump(d,open("H/huge.json","w"))' "$one"
fb history H --bench pf1 --noise none >h.txt 2>&1 || { cat h.txt; die "history failed"; }
grep -q '^left out: 1 value' h.txt || { cat h.txt; die "history does not say what it left out"; }
! grep -qi 'nan%' h.txt || { cat h.txt; die "history printed nan%"; }
! grep -q '[0-9]\{20\}' h.txt || { cat h.txt; die "history printed a 300-digit level"; }
mkdir -p H1
cp "$one" H1/
fb history H1 --bench pf1 --noise none >h1.txt 2>&1 || { cat h1.txt; die "history of one run failed"; }
grep -q 'run-to-run noise: unknown' h1.txt || { cat h1.txt; die "history of one run: noise not 'unknown'"; }

# impossible documents: schema_version 99 and -1, duplicate keys
for bad in 99 -1; do
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["schema_version"]=int(sys.argv[2]); json.dump(d,open("sv.json","w"))' "$one" "$bad"
	rc=0
	fb compare sv.json >sv.txt 2>&1 || rc=$?
	[ "$rc" = 2 ] && grep -q "schema_version $bad is not one" sv.txt ||
		{ cat sv.txt; die "schema_version $bad accepted (exit $rc)"; }
done
sed '0,/"bench":/s//"bench": "x", "bench":/' "$one" >dup.json
rc=0
fb compare dup.json >dup.txt 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -qi 'duplicate' dup.txt || { cat dup.txt; die "duplicate keys accepted (exit $rc)"; }

# nightly: a broken night never joins the reference, first night or not
printf '[global]\nrepeat = 2\nsamples = 2\nsample-time = 0.1\nwarmup = 0.05\nprogress = off\n[pf1]\ncpus = 1\nsize = 1M\n' >n.ini
cat >editfb <<WRAP
#!/bin/bash
stamp=\$(mktemp)
"$FAULTBENCH" "\$@"; rc=\$?
find "\$FB_RESULTS" -name '*.json' -newer "\$stamp" -not -path '*/noise/*' -print0 |
	xargs -0 -r $EDIT "\${FB_TEST_BREAK:-steady}"
rm -f "\$stamp"
exit \$rc
WRAP
chmod +x editfb
export FAULTBENCH=$PWD/editfb FB_RESULTS=$PWD/R FB_CONFIG=$PWD/n.ini FB_REFERENCE_NIGHTS=5 FB_THRESHOLD=30%
night() { # night EXPECTED_STATUS
	local rc=0
	bash "$FB_SRC/scripts/nightly.sh" >night.txt 2>&1 || rc=$?
	[ "$rc" = "$1" ] || { cat night.txt; die "nightly exited $rc, expected $1"; }
	sleep 1 # a new label each night
}
refs() { cat R/reference 2>/dev/null | grep -c . || true; }
FB_TEST_BREAK=zero night 125
[ "$(refs)" = 0 ] || die "a first night with a zero repeat became the reference"
grep -q 'not a reference night' night.txt || die "the broken first night is not said"
night 0
[ "$(refs)" = 1 ] || die "a steady first night did not start the reference"
for mode in zero negative nan; do
	FB_TEST_BREAK=$mode night 125
	[ "$(refs)" = 1 ] || die "a night with a $mode value joined the reference"
	grep -q 'not a reference' night.txt || die "nightly did not say why the $mode night stays out"
done
echo "validity e2e: ok"
