#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The results store on SQLite (tests/e2e/store_suite.sh): import, idempotent
# re-import, concurrent pushes, answers identical to the files', disturbed
# runs marked alike and the upgrade of a schema-2 store, refusal of a
# corrupt or foreign file; and the default store a plain run leaves beside
# results/LABEL/.
. "$FB_SRC/tests/e2e/lib.sh"
. "$FB_SRC/tests/e2e/store_suite.sh"

# one SQL text on lab.db, its rows as 'a|b' (sqlite3's way, without sqlite3 installed)
lab_sql() {
	python3 - "$PWD/lab.db" "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = c.execute(sys.argv[2]).fetchall() if ';' not in sys.argv[2] else c.executescript(sys.argv[2]).fetchall()
c.commit()
for r in rows:
    print('|'.join('' if v is None else str(v) for v in r))
PY
}

store_suite "$PWD/lab.db"
disturbed_suite "$PWD/lab.db" lab_sql
corrupt_suite

echo "a run into results/LABEL/ is indexed into results/faultbench.db"
fb run pf1 --cpus 1 $TINY --label plain >/dev/null 2>&1
fb store info | grep -q ', 1 runs' || die "results/faultbench.db does not hold the run"
fb run pf1 --cpus 1 $TINY --label plain --store none >/dev/null 2>&1
fb store info | grep -q ', 1 runs' || die "--store none indexed the run"
fb store import results | grep -q ': 1 added, 1 already there' || die "import after runs"
echo "store sqlite e2e: ok"
