#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The run command and the runner: results, exit statuses, interruption,
# oversubscription, and that the kernel-count method agrees with getrusage.
. "$FB_SRC/tests/e2e/lib.sh"

# list and help
fb list | grep -q nopage || die "list lacks nopage"
fb run nopage --help | grep -q -- "--cpus" || die "run --help lacks --cpus"

# Bad input: exit 2 with a message naming the option and the value.
for args in "--cpus 0-x" "--cpus 0" "--samples 0" "--sample-time x" "--mode fibers" \
	    "--bogus 1" "--label a/b" "--topology pu:4"; do
	rc=0
	fb run pf1 $args $TINY -o bad.json 2>err.txt >/dev/null || rc=$?
	[ "$rc" = 2 ] || die "'run pf1 $args' exited $rc, expected 2"
	grep -q "^faultbench: " err.txt || die "'run pf1 $args' printed no faultbench: message"
done
grep -q "option '--topology'" err.txt || die "no message naming --topology"
fb run pf1 --cpus 0-x 2>&1 | grep -q "option '--cpus': '0-x' is not a CPU list" ||
	die "bad --cpus message is not git-style"
expect_status 2 fb run nosuchbench
expect_status 2 fb nosuchcommand
[ ! -e bad.json ] || die "a failed usage check wrote a result"

# A run writes a complete result whose fault counts are the kernel's: the
# /proc counts each worker's samples use equal its own getrusage() at the end.
fb run pf1 --cpus 1,2 --size 4M $TINY -o r1.json >table.txt
grep -q "^# faultbench" table.txt || die "no table header"
python3 - r1.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema_version"] == 2, "schema_version %s" % d["schema_version"]
assert d["complete"] is True, "not complete"
assert [s["ncpus"] for s in d["steps"]] == [1, 2]
for s in d["steps"]:
    assert len(s["samples"]) == 2
    for smp in s["samples"]:
        assert smp["t"] > 0 and len(smp["workers"]) == s["ncpus"]
    for w in s["extra"]["workers"]:
        a, b = w["final_faults_proc"], w["final_faults_rusage"]
        assert abs(a - b) <= 0.01 * max(a, b), f"proc {a} vs rusage {b}"
    faults = sum(w["minflt"] + w["majflt"] for smp in s["samples"] for w in smp["workers"])
    t = sum(smp["t"] for smp in s["samples"])
    rate = s["metrics"]["faults/s"]["value"]
    assert abs(rate - faults / t) <= 0.01 * rate, "faults/s disagrees with samples"
    assert s["metrics"]["pages/s"]["value"] > 0
for k in ("kernel", "hostname", "thp"):
    assert k in d["system"], k
PY

# Monitors (on by default): system-wide /proc/vmstat, TLB and numastat deltas
# per sample; pf1 faults on anonymous memory, so pgfault grows.  They are
# metrics of the result (lower is better), not columns of the run's table.
python3 - r1.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["run"]["monitors"] is True
for s in d["steps"]:
    mon = s["monitors"]
    assert "vmstat:pgfault" in mon["names"], mon["names"]
    assert len(mon["samples"]) == len(s["samples"]) == len(mon["t"])
    assert all(len(row) == len(mon["names"]) for row in mon["samples"])
    i = mon["names"].index("vmstat:pgfault")
    assert mon["total"][i] == sum(row[i] for row in mon["samples"]) > 0
    m = s["metrics"]["vmstat:pgfault"]
    assert m["value"] > 0 and m["higher_better"] is False, m
PY
grep -q "vmstat:" table.txt && die "monitor metrics in the run's table"
fb run pf1 --cpus 1,2 --size 4M $TINY -o r1b.json >/dev/null
fb compare --metric vmstat:pgfault r1.json r1b.json >cmp.txt 2>&1 || die "compare --metric vmstat:pgfault failed: $(cat cmp.txt)"
grep -q "vmstat:pgfault-2" cmp.txt || die "compare --metric vmstat:pgfault has no row: $(cat cmp.txt)"
fb compare r1.json r1b.json 2>&1 | grep -q "vmstat:" && die "monitor rows in compare's default table"
fb run pf1 --cpus 1 --size 1M --monitors=off $TINY -o nomon.json >/dev/null
jget nomon.json '"monitors" in d["steps"][0] or any(k.startswith("vmstat:") for k in d["steps"][0]["metrics"])' |
	grep -qx False || die "--monitors=off still recorded monitors"

# Never overwrite: the same file name again is refused before measuring.
expect_status 2 fb run pf1 --cpus 1 $TINY -o r1.json
# A directory output gets a new file each time.
fb run pf1 --cpus 1 --size 1M $TINY -o outdir >/dev/null
fb run pf1 --cpus 1 --size 1M $TINY -o outdir >/dev/null
[ "$(ls outdir/*.json | wc -l)" = 2 ] || die "directory output did not make two files"

# 64 workers on this machine's few CPUs, as threads and as processes.
for mode in threads processes; do
	fb run pf1 --cpus 64 --oversubscribe --mode $mode --size 256k $TINY -o over-$mode.json >/dev/null
	jget over-$mode.json 'len(d["steps"][0]["samples"][0]["workers"])' | grep -qx 64 ||
		die "64 $mode workers did not all report"
done
expect_status 2 fb run pf1 --cpus 4096 $TINY -o x.json

# Ctrl-C mid-run: an incomplete but valid result, exit 130, nothing left behind.
"$FAULTBENCH" run pf1 --cpus 1,2 --mode processes --size 4M --samples 100 --sample-time 0.1 --warmup 0 \
	--progress=off -o int.json >/dev/null 2>&1 &
pid=$!
for i in $(seq 100); do
	sleep 0.1
	[ "$(pgrep -c -P $pid)" -ge 1 ] && break
done
sleep 0.5
kill -INT $pid
rc=0
wait $pid || rc=$?
[ "$rc" = 130 ] || die "interrupted run exited $rc, expected 130"
jget int.json 'd["complete"]' | grep -qx False || die "interrupted result not marked incomplete"
jget int.json 'd["incomplete_reason"]' | grep -q SIGINT || die "no reason for incompleteness"
sleep 0.2
[ -z "$(pgrep -P $pid)" ] || die "worker processes left behind"
ls -A | grep -q '^\.fb-tmp-' && die "temporary file left behind"
# SIGTERM: 143
"$FAULTBENCH" run pf1 --cpus 1 --size 4M --samples 100 --sample-time 0.1 --warmup 0 --progress=off -o term.json \
	>/dev/null 2>&1 &
pid=$!
# a step under way (a worker thread beside the main one; no warm-up, so its
# samples start at once), however loaded the machine: a signal before the
# first sample leaves nothing measured to keep
for i in $(seq 300); do
	sleep 0.1
	[ "$(ls /proc/$pid/task 2>/dev/null | wc -l)" -ge 2 ] && break
done
sleep 0.5
kill -TERM $pid
rc=0
wait $pid || rc=$?
[ "$rc" = 143 ] || die "terminated run exited $rc, expected 143"
jget term.json 'd["complete"]' | grep -qx False || die "terminated result not incomplete"

# hold-keys keeps the default counters open on itself until killed (exit 0).
expect_status 2 fb hold-keys extra
expect_status 2 fb hold-keys --seconds -1
fb hold-keys --seconds 0.1 2>hold.err || die "hold-keys --seconds 0.1 failed"
grep -q "events held by pid" hold.err || die "hold-keys said: $(cat hold.err)"
"$FAULTBENCH" hold-keys 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for i in $(seq 1 50); do
	held=$(ls -l /proc/$pid/fd 2>/dev/null | grep -c 'perf_event' || true)
	[ "$held" -ge 6 ] && break
	sleep 0.1
done
[ "$held" -ge 6 ] || die "hold-keys holds $held perf counters, expected at least 6"
kill -TERM $pid
wait $pid || die "hold-keys exited $? on SIGTERM, expected 0"
trap - EXIT
echo ok
