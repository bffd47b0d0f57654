# SPDX-License-Identifier: GPL-2.0
# threads: events/s and latency percentiles at 1 and 2 CPUs; sysbench is wrapped
# when installed and skipped (exit 4, with the reason) when it is not.
. "$FB_SRC/tests/e2e/lib.sh"

fb run threads --cpus 1,2 $TINY --sample-time 0.25 --output t.json >t.txt || die "threads failed"
[ "$(jget t.json 'len(d["steps"])')" = 2 ] || die "expected 2 steps"
# A worker starved by a loaded machine may time no event in a step: then that
# step has no percentiles.  Every step that timed events must have all three.
timed='[s for s in d["steps"] if s["extra"]["latency_us"]["events_timed"] > 0]'
[ "$(jget t.json 'all("events/s" in s["metrics"] for s in d["steps"])')" = True ] ||
	die "a step without events/s"
[ "$(jget t.json "len($timed) > 0")" = True ] || die "no step timed any event"
for m in lat-p50-us lat-p95-us lat-p99-us; do
	[ "$(jget t.json "all(s['metrics']['$m']['value'] > 0 for s in $timed)")" = True ] ||
		die "a step without $m"
done
[ "$(jget t.json "all(s['metrics']['lat-p99-us']['value'] >= s['metrics']['lat-p50-us']['value'] for s in $timed)")" = True ] ||
	die "p99 below p50"

rc=0
fb run sysbench --test cpu --cpus 1 --samples 1 --sample-time 1 --warmup 0 --progress=off \
	--output s.json >s.txt 2>s.err || rc=$?
if command -v sysbench >/dev/null; then
	[ "$rc" = 0 ] || die "sysbench cpu failed ($rc): $(cat s.err)"
	[ "$(jget s.json 'd["steps"][0]["metrics"]["events/s"]["value"] > 0')" = True ] ||
		die "sysbench: no events/s"
else
	[ "$rc" = 4 ] || die "sysbench not installed: expected exit 4, got $rc"
	grep -q "sysbench is not installed" s.err || die "no reason given: $(cat s.err)"
fi
echo "threads ok"
