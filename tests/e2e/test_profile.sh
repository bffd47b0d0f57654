#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# --profile-cpus: the chosen steps each profiled into a perf.data of their own
# and the step's extra.profile; compare's per-step symbol and call-chain tables
# on those results and on stored results of the older shape (one run-wide
# evidence.profile).  Recording needs perf that may sample here; without it
# the rest runs and the test is skipped with perf's reason.
. "$FB_SRC/tests/e2e/lib.sh"

RUN="pf1 --cpus 1,2 --size 4M $TINY"

# --- bad lists are refused before anything runs
expect_status 2 fb run $RUN --profile-cpus 3 --output bad.json
fb run $RUN --profile-cpus 3 2>&1 | grep -q "option '--profile-cpus': 3 workers is not a step" ||
	die "no message for a count that is no step"
for bad in 1,x 0 '' ,1; do
	expect_status 2 fb run $RUN --profile-cpus "$bad" --output bad.json
done
[ ! -e bad.json ] || die "a refused run wrote a result"

# --- without perf: every chosen step says why, the run goes on
FB_PERF=/nonexistent/perf fb run $RUN --profile-cpus all --output noperf.json >/dev/null 2>&1 ||
	die "a run without perf failed"
jget noperf.json '[bool(s["extra"]["profile"]["skipped"]) for s in d["steps"]]' |
	grep -qx '\[True, True\]' || die "a step without its reason for no profile"

# --- the older shape: the stored reference results (evidence.profile of 2 CPUs)
REF=$FB_SRC/docs/data/profile-cpus
fb compare "$REF/pf3-ext4-threads.json" "$REF/pf3-ext4-threads-b.json" >old.txt ||
	die "compare of older profiled results failed"
grep -q '^Top profile symbols, 2 CPUs (% of samples) .* delta$' old.txt ||
	die "no per-step table for an older result: $(cat old.txt)"
grep -q '^      <- ' old.txt || die "no call chains for an older result"

# --- recording, when perf may sample here
why=$(perf record -e cpu-clock -C 0 -q -o probe.data -- true 2>&1) ||
	skip "perf cannot record here: ${why:-perf missing}"
for side in a b; do
	fb run $RUN --profile-cpus all --label $side --output $side.json >/dev/null 2>&1 ||
		die "profiled run $side failed"
	jget $side.json '[("top" in s["extra"]["profile"], s["extra"]["profile"]["cpus"]) for s in d["steps"]]' |
		grep -qx "\[(True, '0'), (True, '0,1')\]" ||
		die "run $side: a step without its profile: $(jget $side.json '[s["extra"]["profile"] for s in d["steps"]]')"
	for n in 1 2; do
		f=$(jget $side.json "[s['extra']['profile']['perf_data'] for s in d['steps'] if s['ncpus'] == $n][0]")
		case $f in *-${n}cpus.perf.data) ;; *) die "perf.data of step $n named $f" ;; esac
		[ -s "$f" ] || die "no perf.data for step $n"
	done
	jget $side.json '"profile" in d["evidence"]' | grep -qx False ||
		die "a run-wide profile was written too"
done
# only the largest step without --profile-cpus
fb run $RUN --profile --output one.json >/dev/null 2>&1 || die "--profile run failed"
jget one.json '["profile" in s["extra"] for s in d["steps"]]' | grep -qx '\[False, True\]' ||
	die "--profile alone should profile the largest step only"

fb compare a.json b.json >cmp.txt || die "compare of profiled runs failed"
for n in "1 CPU" "2 CPUs"; do
	grep -q "^Top profile symbols, $n (% of samples) .* delta$" cmp.txt ||
		die "no table for $n: $(cat cmp.txt)"
done
grep -q '^      <- .* [-+][0-9.]*$' cmp.txt || die "no call-chain rows with a change"
fb compare --format markdown a.json b.json | grep -q '^| Top profile symbols, 2 CPUs' ||
	die "no markdown profile table"
fb compare --format json a.json b.json >cmp.json || die "compare --format json failed"
jget cmp.json '[p["ncpus"] for p in d["groups"][0]["profiles"]]' | grep -qx '\[1, 2\]' ||
	die "json: profiles of steps 1 and 2 expected"
jget cmp.json 'all(len(s["percent"]) == 2 and len(s["chains"]) <= 3 and
	all(len(c["percent"]) == 2 and isinstance(c["callers"], list) for c in s["chains"])
	for p in d["groups"][0]["profiles"] for s in p["symbols"])' |
	grep -qx True || die "json: chains without two shares or callers"
# a step profiled in one run only has no table
fb compare a.json one.json >half.txt || die "compare a.json one.json failed"
! grep -q 'Top profile symbols, 1 CPU ' half.txt || die "a table for a step profiled on one side"
grep -q 'Top profile symbols, 2 CPUs' half.txt || die "no table for the step both profiled"
echo "profile e2e: ok"
