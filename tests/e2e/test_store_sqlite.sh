#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The results store on SQLite (tests/e2e/store_suite.sh): import, idempotent
# re-import, concurrent pushes, answers identical to the files', refusal of a
# corrupt or foreign file; and the default store a plain run leaves beside
# results/LABEL/.
. "$FB_SRC/tests/e2e/lib.sh"
. "$FB_SRC/tests/e2e/store_suite.sh"

store_suite "$PWD/lab.db"
corrupt_suite

echo "a run into results/LABEL/ is indexed into results/faultbench.db"
fb run pf1 --cpus 1 $TINY --label plain >/dev/null 2>&1
fb store info | grep -q ', 1 runs' || die "results/faultbench.db does not hold the run"
fb run pf1 --cpus 1 $TINY --label plain --store none >/dev/null 2>&1
fb store info | grep -q ', 1 runs' || die "--store none indexed the run"
fb store import results | grep -q ': 1 added, 1 already there' || die "import after runs"
echo "store sqlite e2e: ok"
