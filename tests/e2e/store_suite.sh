# SPDX-License-Identifier: GPL-2.0
# The store tests, the same for every engine: source it and call
# store_suite TARGET.  Needs lib.sh; runs in the test's scratch directory.
#
# Fixture: 20 A/A runs of the quick suite (80 result files, .json.gz) and the
# noise model they were judged with, copied into the scratch directory so the
# store's origins lie under it.

store_fixture() {
	mkdir -p res
	cp -r "$FB_SRC/docs/data/verdicts/aa" res/
	cp "$FB_SRC/docs/data/verdicts/model.json" model.json
	nfiles=$(find res -name '*.json*' | wc -l)
}

# same_output NAME CMD1 -- CMD2: both exit alike and print byte-identical stdout.
same_output() {
	local name=$1 a=() rc1=0 rc2=0; shift
	while [ "$1" != -- ]; do a+=("$1"); shift; done; shift
	"${a[@]}" >"$name.files" 2>/dev/null || rc1=$?
	"$@" >"$name.store" 2>/dev/null || rc2=$?
	[ "$rc1" = "$rc2" ] || die "$name: exit $rc1 from the files, $rc2 from the store"
	[ -s "$name.files" ] || die "$name: no output from the files"
	cmp -s "$name.files" "$name.store" || { diff "$name.files" "$name.store" | head; die "$name: the store's answer differs from the files'"; }
	echo "  $name: identical (exit $rc1, $(wc -l <"$name.files") lines)"
}

store_suite() {
	local T=$1 out
	store_fixture

	echo "import, then again: idempotent by content hash"
	out=$(fb store import --store "$T" res)
	echo "  $out"
	echo "$out" | grep -q ": $nfiles added, 0 already there" || die "first import: $out"
	out=$(fb store import --store "$T" res res/aa/aa-01-a)
	echo "$out" | grep -q ": 0 added, $((nfiles + 4)) already there" || die "re-import: $out"
	fb store info --store "$T" | grep -q ", $nfiles runs" || die "info does not count $nfiles runs"

	echo "concurrent pushes: imports of overlapping trees and runs, at once"
	mkdir -p more
	for i in 1 2 3 4; do cp -r res/aa more/copy$i; done # the same bytes: no new runs
	local pids=() i
	for i in 1 2 3 4; do
		fb store import --store "$T" --batch 7 more/copy$i >push$i.log 2>&1 &
		pids+=($!)
	done
	for i in 1 2 3; do
		fb run pf1 --cpus 1 $TINY --label push$i -o runs/push$i/ --store "$T" >run$i.log 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || die "a concurrent push failed: $(cat push*.log run*.log)"; done
	fb store info --store "$T" | grep -q ", $((nfiles + 3)) runs" ||
		die "after concurrent pushes: $(fb store info --store "$T"), expected $((nfiles + 3))"
	grep -h 'added' push*.log | awk '{ s += $4 } END { exit s != 0 }' || die "copies of the same files were added twice"
	grep -q 'command_line' runs/push1/*.json && ! grep -q -- '--store' runs/push1/*.json ||
		die "the store target is recorded in the result"

	echo "answers from the store equal those from the files"
	same_output compare fb compare res/aa/aa-01-a res/aa/aa-01-b --noise model.json -- \
		fb compare store:label=aa-01-a store:label=aa-01-b --noise model.json --store "$T"
	same_output compare-md fb compare res/aa/aa-02-a res/aa/aa-02-b --format markdown --noise none -- \
		fb compare store:label=aa-02-a store:label=aa-02-b --format markdown --noise none --store "$T"
	same_output check fb check --baseline res/aa/aa-01-a --baseline res/aa/aa-02-a \
		--baseline res/aa/aa-03-a --candidate res/aa/aa-04-b --noise model.json -- \
		fb check --baseline store:label=aa-01-a --baseline store:label=aa-02-a \
		--baseline store:label=aa-03-a --candidate store:label=aa-04-b --noise model.json --store "$T"
	local b
	for b in pf1 nopage pagelock; do
		same_output history-$b fb history res --bench $b --noise model.json -- \
			fb history res --bench $b --noise model.json --store "$T"
	done
	same_output history-none fb history res --bench pf3 --noise none --cpus 1 -- \
		fb history res --bench pf3 --noise none --cpus 1 --store "$T"
	# a selector: the runs of one machine and day (the pushed runs have no 2-CPU step)
	fb history store:machine=vm,since=2026-12-02,until=2026-12-02 --bench pf1 --noise none \
		--store "$T" | grep -q "pf1 pages/s at 2 CPUs .*: 20 runs under store:" ||
		die "a selector's history does not hold the 20 pf1 runs at 2 CPUs of 2026-12-02"

	echo "bad selectors and targets: exit 2, a clear message"
	expect_status 2 fb compare store:lable=aa-01-a --store "$T"
	expect_status 2 fb compare store:label=nope --store "$T"
	expect_status 2 fb history store:since=2026-02-30 --bench pf1 --store "$T"
}

# corrupt_suite: an SQLite file that is not a store; nothing lost either way.
corrupt_suite() {
	echo "a corrupt or foreign SQLite file: refused (exit 2), left as it was"
	head -c 4096 /dev/urandom >corrupt.db
	cp corrupt.db corrupt.orig
	fb store import --store corrupt.db res 2>err.txt && die "a corrupt store was written to"
	expect_status 2 fb store import --store corrupt.db res
	grep -q "not a faultbench store" err.txt || die "no clear message: $(cat err.txt)"
	cmp -s corrupt.db corrupt.orig || die "the corrupt file was changed"
	expect_status 2 fb history res --bench pf1 --store corrupt.db
	sqlite3 foreign.db 'CREATE TABLE runs (who text); INSERT INTO runs VALUES ("mine");' 2>/dev/null ||
		python3 -c 'import sqlite3; c = sqlite3.connect("foreign.db"); c.execute("CREATE TABLE runs (who text)"); c.execute("INSERT INTO runs VALUES (\"mine\")"); c.commit()'
	cp foreign.db foreign.orig
	expect_status 2 fb store import --store foreign.db res
	expect_status 2 fb compare store: --store foreign.db
	cmp -s foreign.db foreign.orig || die "the foreign database was changed"
	echo "a run whose store is broken keeps its result"
	fb run pf1 --cpus 1 $TINY -o kept.json --store corrupt.db >/dev/null 2>err.txt ||
		die "a broken store failed the run"
	[ -s kept.json ] || die "the result was lost"
	grep -q "is kept but not in the store" err.txt || die "no warning: $(cat err.txt)"
}

# disturbed_suite TARGET SQL-FUNCTION: a run measured disturbed (issue 22) is
# marked the same from the store as from the files, by history and
# report --history; and a store left at schema 2 (before step_values had a
# disturbed column) is upgraded when it is first read, says so in one line,
# and answers the same.  SQL-FUNCTION runs one SQL text on TARGET and prints
# its rows.  The runs are real and tiny, their figures made steady and
# their interference set by tests/e2e/edit_results.py: nothing depends on
# the load of the machine.
disturbed_suite() {
	local T=$1 sqlf=$2 side i expect
	echo "a disturbed run: marked alike from the files and from the store"
	for side in A B; do
		for i in 1 2; do
			fb run pf1 --cpus 1 --repeat 2 --size 1M $TINY --label dist-$side -o dist/$side/ \
				--store none >/dev/null 2>&1 || die "run $side $i failed"
		done
	done
	python3 "$FB_SRC/tests/e2e/edit_results.py" quiet dist/A/*.json dist/B/*.json
	python3 "$FB_SRC/tests/e2e/edit_results.py" disturbed "$(ls dist/B/*.json | head -n 1)"
	fb store import --store "$T" dist >/dev/null || die "import of dist/ failed"
	same_output history-dist fb history dist --bench pf1 -- fb history dist --bench pf1 --store "$T"
	[ "$(grep -c '(disturbed)$' history-dist.store)" = 1 ] ||
		die "history from the store: not exactly one disturbed row: $(cat history-dist.store)"
	grep -q '^disturbed: 1 run measured' history-dist.store || die "history from the store: no count"
	fb history store:label=dist-B --bench pf1 --store "$T" >sel.txt 2>&1 || die "history store:label=dist-B failed"
	[ "$(grep -c '(disturbed)$' sel.txt)" = 1 ] || die "history of a selector: not one disturbed row: $(cat sel.txt)"
	fb report --history dist --bench pf1 -o DF >/dev/null 2>&1 || die "report --history of the files failed"
	fb report --history dist --bench pf1 --store "$T" -o DS >/dev/null 2>&1 || die "report --history --store failed"
	grep -v 'class="notes">written by' DF/index.html >DF.html
	grep -v 'class="notes">written by' DS/index.html >DS.html
	cmp -s DF.html DS.html || { diff DF.html DS.html | head; die "report --history: the store's page differs"; }
	[ "$(grep -c '<span class="dist">disturbed</span>' DS.html)" = 1 ] ||
		die "report --history --store: the disturbed run is not marked once"

	echo "a store at schema 2: upgraded when first read, in one line, the same answers"
	expect=$($sqlf "SELECT count(*), count(DISTINCT CASE WHEN disturbed = 1 THEN run_id END) FROM step_values")
	$sqlf "DROP INDEX step_values_disturbed; ALTER TABLE step_values DROP COLUMN disturbed;
		UPDATE fb_meta SET value = '2' WHERE key = 'schema_version'" >/dev/null
	fb history dist --bench pf1 --store "$T" >v2.out 2>v2.err || die "history of a schema-2 store failed: $(cat v2.err)"
	echo "  $(cat v2.err)"
	[ "$(wc -l <v2.err)" = 1 ] && grep -q "upgraded the store '.*' from schema 2 to 3: .* runs, ${expect#*|} of them" v2.err ||
		die "the upgrade is not said in one line: $(cat v2.err)"
	cmp -s history-dist.files v2.out || { diff history-dist.files v2.out | head; die "history after the upgrade differs"; }
	[ "$($sqlf "SELECT count(*), count(DISTINCT CASE WHEN disturbed = 1 THEN run_id END) FROM step_values")" = "$expect" ] ||
		die "the upgrade did not mark the steps the import did ($expect)"
	fb store info --store "$T" | grep -q ', schema 3, ' || die "not at schema 3 after the upgrade"
	fb history dist --bench pf1 --store "$T" 2>&1 >/dev/null | grep -q upgraded && die "upgraded twice"
	return 0
}
