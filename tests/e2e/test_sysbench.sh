#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# faultbench run sysbench --test oltp-ro,oltp-rw: sysbench OLTP against a
# throw-away PostgreSQL server faultbench starts, prepares once and stops
# itself; transactions/s and latency per step, the server gone afterwards.
# Skipped where sysbench or PostgreSQL is not installed.
. "$FB_SRC/tests/e2e/lib.sh"

pgdir=/tmp/fb-e2e-pg.$$
# the server is faultbench's to stop; should faultbench die, stop it here
trap '"$FB_SRC/scripts/pg-server.sh" stop "$pgdir" >/dev/null 2>&1; rm -rf "$pgdir"' EXIT

expect_status 2 fb run sysbench --test oltp-ro --server-cpus '0;true' --cpus 1 $TINY -o bad.json
expect_status 2 fb run sysbench --test oltp-ro --pg-dir '/tmp/a b' --cpus 1 $TINY -o bad.json

rc=0
fb run sysbench --test oltp-ro,oltp-rw --cpus 1,2 --table-size 1000 --pg-dir "$pgdir" \
	--samples 2 --sample-time 1 --warmup 0 --progress=off -o oltp.json >out.txt 2>err.txt || rc=$?
cat out.txt err.txt
[ $rc = 4 ] && skip "sysbench oltp cannot run here: $(tail -n 1 err.txt)"
[ $rc = 0 ] || die "sysbench oltp exited $rc"
jget oltp.json 'sorted((s["ncpus"], s["variant"]) for s in d["steps"])' |
	grep -qx "\[(1, 'oltp-ro'), (1, 'oltp-rw'), (2, 'oltp-ro'), (2, 'oltp-rw')\]" ||
	die "expected oltp-ro and oltp-rw at 1 and 2 CPUs"
jget oltp.json 'all(s["metrics"]["events/s"]["value"] > 0 and s["metrics"]["lat-p95-ms"]["value"] > 0
	for s in d["steps"])' | grep -qx True || die "no transactions/s or latency"
jget oltp.json 'd["steps"][0]["extra"]["sysbench"]["server"]["table_size"]' | grep -qx 1000 ||
	die "server and tables not recorded"
[ ! -e "$pgdir/data/postmaster.pid" ] || die "the server still runs after the run"
echo "sysbench oltp: ok"
