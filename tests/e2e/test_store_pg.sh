#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The results store on a real PostgreSQL server (scripts/pg-server.sh: initdb
# into a temporary directory, a Unix socket there only), the same tests as on
# SQLite (tests/e2e/store_suite.sh), and the lab setup of docs/store.md: a
# role per machine that can add runs and not read them.  The server is
# stopped however the test ends.
. "$FB_SRC/tests/e2e/lib.sh"
. "$FB_SRC/tests/e2e/store_suite.sh"

command -v psql >/dev/null || skip "psql is not installed (apt-get install postgresql)"
pgdir=$(mktemp -d /tmp/fb-pg.XXXXXX)
chmod 755 "$pgdir"
cleanup() { bash "$FB_SRC/scripts/pg-server.sh" stop "$pgdir/pg" || true; rm -rf "$pgdir"; }
trap cleanup EXIT
rc=0
conn=$(bash "$FB_SRC/scripts/pg-server.sh" start "$pgdir/pg" 2>pg.err) || rc=$?
[ "$rc" != 4 ] || skip "$(cat pg.err)"
[ "$rc" = 0 ] || die "the PostgreSQL server did not start: $(cat pg.err)"
echo "server: $conn"
psql -q "$conn" -c 'CREATE DATABASE lab' -c 'CREATE DATABASE other'
T=${conn/\/postgres\?/\/lab?}

store_suite "$T"

echo "a foreign database: refused (exit 2), left as it was"
O=${conn/\/postgres\?/\/other?}
psql -q "$O" -c "CREATE TABLE runs (who text); INSERT INTO runs VALUES ('mine')"
expect_status 2 fb store import --store "$O" res
[ "$(psql -tA "$O" -c 'SELECT who FROM runs')" = mine ] || die "the foreign table was changed"
fb store import --store "$O" res 2>&1 | grep -q "not a faultbench store" || die "no clear message"
expect_status 2 fb store info --store "${conn/\/postgres\?/\/nosuchdb?}"

echo "a machine's role adds runs and cannot read them (docs/store.md)"
psql -q "$T" <<'SQL'
CREATE ROLE big1 LOGIN;
GRANT SELECT ON fb_meta TO big1;
GRANT SELECT (id, content_hash) ON runs TO big1;
GRANT INSERT ON runs, documents, step_values TO big1;
SQL
B1="$T&user=big1"
B1=${B1/&user=postgres/}
fb run pf1 --cpus 1 $TINY --label big1 -o big1/ --store "$B1" >/dev/null 2>big1.err || die "push as big1: $(cat big1.err)"
grep -q "not in the store" big1.err && die "big1 could not push: $(cat big1.err)"
fb store import --store "$B1" res | grep -q ': 0 added' || die "big1's re-import of known runs"
expect_status 2 fb compare store:label=big1 --store "$B1"
[ "$(psql -tA "$T" -c "SELECT count(*) FROM runs WHERE label = 'big1'")" = 1 ] || die "big1's run is not there"
echo "store postgresql e2e: ok"
