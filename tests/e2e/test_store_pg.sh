#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The results store on a real PostgreSQL server (scripts/pg-server.sh: initdb
# into a temporary directory, a Unix socket there only), the same tests as on
# SQLite (tests/e2e/store_suite.sh, disturbed runs and the upgrade of a
# schema-2 store included), and the lab setup of docs/store.md: a role per
# machine that can add runs and not read them, and that upgrades only its
# owner can make.  The server is
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

# one SQL text on the lab database, its rows as 'a|b'
lab_sql() { psql -qtA "$T" -c "$1"; }

store_suite "$T"
disturbed_suite "$T" lab_sql

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

echo "a schema-2 store only its owner upgrades: a machine keeps its file, a reader is told how"
psql -q "$T" -c 'CREATE ROLE reviewer LOGIN' -c 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO reviewer'
lab_sql "DROP INDEX step_values_disturbed; ALTER TABLE step_values DROP COLUMN disturbed;
	UPDATE fb_meta SET value = '2' WHERE key = 'schema_version'"
RV="$T&user=reviewer"
RV=${RV/&user=postgres/}
fb history dist --bench pf1 --store "$RV" >/dev/null 2>rv.err && die "a reader altered the store"
expect_status 2 fb history dist --bench pf1 --store "$RV"
grep -q "has store schema 2, this faultbench reads 3 and cannot upgrade it (.*owner.*): 'faultbench store init --store .*' as its owner upgrades it" rv.err ||
	die "the reader is not told how: $(cat rv.err)"
fb run pf1 --cpus 1 $TINY --label big1 -o big1/ --store "$B1" >/dev/null 2>big1.err || die "a push to a schema-2 store failed the run"
grep -q "is kept but not in the store" big1.err || die "big1 pushed into a schema-2 store: $(cat big1.err)"
[ "$(ls big1/*.json | wc -l)" = 2 ] || die "big1's second result is not kept"
[ "$(lab_sql "SELECT value FROM fb_meta WHERE key = 'schema_version'")" = 2 ] || die "the store was changed"
fb store init --store "$T" 2>init.err | grep -q ', schema 3' || die "store init as the owner did not upgrade"
grep -q 'upgraded the store .* from schema 2 to 3' init.err || die "store init did not say it upgraded: $(cat init.err)"
fb history dist --bench pf1 --store "$RV" >rv.out 2>/dev/null || die "the reader cannot read the upgraded store"
cmp -s history-dist.files rv.out || die "history after the owner's upgrade differs"
echo "store postgresql e2e: ok"
