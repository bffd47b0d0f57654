#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# compare, plot, check, history and suite on real tiny runs of this machine.
#
# What these tests assert is behaviour, not statistics: an A/A pair of real
# runs may be starred by chance (that rate is what tests/unit/test_verdict.c
# simulates and docs/compare.md measures), so A/A checks here only require a
# verdict that says how it was reached.  The slowed-down run (A's files with
# pages/s at a fifth) loses far more than any noise here: check must say 1.
. "$FB_SRC/tests/e2e/lib.sh"

# 1 MiB: a pass is short even on a loaded machine (a sample that counts
# nothing is left out of every verdict, analysis/validity.c)
RUN="pf1 --cpus 1 --repeat 1 --size 1M $TINY"

# --help comes from each command's options table: every option with its default
# help_has CMD OPTION DEFAULT
help_has() {
	fb "$1" --help >help.txt || die "'$1 --help' failed"
	grep -A2 -- "^  --$2[= ]" help.txt | grep -q "^ *default: $3" ||
		die "'$1 --help' does not show --$2 with default $3"
}
help_has compare format text
help_has compare view mmtests
help_has compare metric none
help_has compare primary off
help_has plot output plots
help_has plot metric none
help_has check baseline none
help_has check candidate none
help_has check threshold 2%
help_has check metric none
help_has check noise results/noise
help_has compare noise results/noise
help_has compare detect 5%
help_has noise runs '10; bounds: 3 to 1000'
help_has history bench none
help_has history cpus 'none; bounds: 1 to'
help_has history threshold 2%
help_has history min-segment '2; bounds: 1 to 64'
help_has history noise results/noise
help_has history plot none
help_has suite label none
help_has suite results results
help_has suite dry-run off

# A bad value exits 2 naming the option, wherever the option stands
# bad_value MESSAGE CMD ARGS...
bad_value() {
	local want=$1 rc=0
	shift
	fb "$@" >/dev/null 2>err.txt || rc=$?
	[ "$rc" = 2 ] || die "'$*' exited $rc, expected 2"
	grep -qF -- "$want" err.txt || die "'$*' says '$(cat err.txt)', not '$want'"
}
bad_value "option '--format': 'yaml' is not one of text|markdown|json" compare --format yaml A B
bad_value "option '--view': 'x' is not one of mmtests|lkp" compare A B --view x
bad_value "option '--primary': 'maybe' is not on or off" compare A --primary=maybe
bad_value "option '--metric' needs a value" plot A B --metric
bad_value "option '--threshold': 'x' is not a percentage" check --baseline A --candidate B --threshold x
bad_value "option '--threshold': '100' is not a percentage" history . --bench pf1 --threshold 100
bad_value "option '--threshold': '100%' is not a percentage below 100%: a change is a share of the baseline" check --baseline A --candidate B --threshold 100%
bad_value "option '--min-segment': '0' is out of range (1 to 64)" history . --bench pf1 --min-segment 0
bad_value "option '--cpus': 'two' is not an integer" history . --cpus two --bench pf1
bad_value "option '--dry-run': 'maybe' is not on or off" suite x.ini --dry-run=maybe
bad_value "option '--detect': 'x' is not a percentage" compare A B --detect x
bad_value "option '--runs': '2' is out of range (3 to 1000)" noise x.ini --runs 2
bad_value "cannot read noise model 'nosuch.json'" compare A B --noise nosuch.json
bad_value "unknown option '--bogus'" suite x.ini --bogus
# No RUN, no DIR, no FILE.ini, no --candidate: the usage, exit 2
expect_status 2 fb compare --format json
expect_status 2 fb plot -o plots
expect_status 2 fb history --bench pf1
expect_status 2 fb suite --dry-run
expect_status 2 fb check --baseline A
expect_status 2 fb noise
expect_status 2 fb noise x.ini --from A

# Four single-repeat runs per side, interleaved; a directory of them is one
# RUN whose runs are its files: the replicates of the significance test.
for i in 1 2 3 4; do
	fb run $RUN --label 6.18-a -o A/r$i.json >/dev/null 2>&1 || die "run A $i failed"
	fb run $RUN --label 6.18-b -o B/r$i.json >/dev/null 2>&1 || die "run B $i failed"
done

# The changelog table
fb compare A B >table.txt || die "compare failed"
cat table.txt
# rows are metric-step, with the variant (pf1's page size/fault-around) in front
grep -q '^Hmean  *\([^ ]*:\)\?pages/s-1 ' table.txt || die "no Hmean row for pages/s-1"
grep -q '(   0.00%)' table.txt || die "no baseline column"
# Profiles side by side with the change in percentage points: the symbols are
# put into copies of two results (a profile needs perf and root to record)
mkdir -p PA PB
python3 - A/r1.json B/r1.json PA/r.json PB/r.json <<'EOF2'
import json, sys
for src, dst, top in ((sys.argv[1], sys.argv[3], [("clear_page_erms", 30.0), ("sym_a", 5.0)]),
                      (sys.argv[2], sys.argv[4], [("clear_page_erms", 31.5), ("sym_b", 2.0)])):
    d = json.load(open(src))
    d["evidence"]["profile"] = {"top": [{"symbol": s, "percent": p, "callers": []} for s, p in top]}
    json.dump(d, open(dst, "w"))
EOF2
fb compare PA PB >prof.txt || die "compare of profiled runs failed"
grep -q 'Top profile symbols.* delta$' prof.txt || die "no delta column: $(cat prof.txt)"
grep -q '^  clear_page_erms .* +1.50$' prof.txt || die "wrong delta for clear_page_erms"
grep -q '^  sym_a .* -5.00$' prof.txt || die "a symbol gone from the top should count as 0"
fb compare --format json A B >table.json || die "compare --format json failed"
jget table.json 'd["groups"][0]["rows"][0]["cells"][1]["n"]' | grep -qx 4 ||
	die "json: the candidate should have 4 values"
jget table.json 'd["groups"][0]["rows"][0]["cells"][1]["runs"]' | grep -qx 4 ||
	die "json: the candidate should have 4 runs"
jget table.json 'd["groups"][0]["rows"][0]["cells"][1]["variance_from"]' | grep -qx 'the runs' ||
	die "json: 4 runs a side and no model: the variance comes from the runs"
grep -q '^Runs  *\([^ ]*:\)\?pages/s-1  *4  *4' table.txt || die "no Runs row"
# a busy machine may make it more than 100%: then '>100%' (cmp_fmt_detect)
grep -q '^Detect  *\([^ ]*:\)\?pages/s-1  *-  *\(+-[0-9.]*%\|>100%\)' table.txt || die "no Detect row"
grep -q 'Benjamini-Hochberg' table.txt || die "the method is not named"
# options after the RUNs, and --metric repeated, as getopt_long() took them
fb compare A B --format json --metric pages/s --metric sleeps/1000faults >table2.json ||
	die "compare with options after the RUNs failed"
jget table2.json 'sorted({r["metric"] for g in d["groups"] for r in g["rows"]})' |
	grep -qx "\['pages/s', 'sleeps/1000faults'\]" || die "repeated --metric not all taken"
fb compare --format markdown A B | grep -q '^| Hmean | \([^ ]*:\)\?pages/s-1 |' || die "markdown table"
fb compare --view lkp A B | grep -q 'pf1\.\([^ ]*:\)\?pages/s-1' || die "lkp view"
# One run a side, no noise model: no stars, and the reason said with the remedy
fb compare A/r1.json B/r1.json >one.txt
grep -q 'no star where a row has no run-to-run information' one.txt || die "no note on runs"
grep -q "faultbench noise" one.txt || die "the remedy is not named"
grep -q '^Hmean .*\*' one.txt && die "a star with one run a side and no model"

# A noise model from runs made already, then used for one run a side
fb noise --from A -o model.json >noise.txt || { cat noise.txt; die "noise --from failed"; }
grep -q 'pf1 .*pages/s-1 *4 ' noise.txt || die "noise does not list pf1 at 1 CPU with 4 runs"
jget model.json 'd["entries"][0]["df_run"]' | grep -qx 3.0 || die "model: 4 runs are 3 df"
expect_status 1 fb noise --from A -o model.json # never over an existing file
fb compare --noise model.json A/r1.json B/r1.json >m.txt || die "compare with a model failed"
grep -q '^noise model: model.json' m.txt || die "the model used is not named"
grep -q '^Detect  *\([^ ]*:\)\?pages/s-1  *-  *\(+-\|>100%\)' m.txt || die "no Detect with the model"
rc=0
fb check --noise model.json --baseline A/r1.json --candidate B/r1.json >c.txt || rc=$?
cat c.txt
case $rc in 0 | 1 | 125) ;; *) die "check with a model exited $rc" ;; esac
grep -q '^noise model: model.json' c.txt || die "check does not name the model it used"
grep -q '^check: ' c.txt || die "check gives no verdict line"

# Plots: non-empty PNG and SVG, with their script and data
fb plot A B -o plots >/dev/null || die "plot failed"
for f in plots/pf1-throughput.png plots/pf1-throughput.svg plots/pf1-efficiency.png \
	plots/pf1-throughput.gp plots/pf1-throughput.dat; do
	[ -s "$f" ] || die "$f missing or empty"
done

# check: 4 runs a side give a verdict (undecided says what would decide);
# one run a side and no model is always undecided
rc=0
fb check --baseline A --candidate B --threshold 30% >aa.txt || rc=$?
cat aa.txt
case $rc in 0 | 1 | 125) ;; *) die "check exited $rc" ;; esac
if [ "$rc" = 125 ]; then
	grep -q 'runs a side would decide' aa.txt || die "undecided without saying what would decide"
fi
expect_status 125 fb check --baseline A/r1.json --candidate B/r1.json
fb check --baseline A/r1.json --candidate B/r1.json | grep -q 'faultbench noise' ||
	die "undecided check does not say how to get run-to-run information"

# Different parameters are refused, naming the parameter
fb run pf1 --cpus 1 $TINY --size 8M --label other -o O/r.json >/dev/null 2>&1 || die "run O failed"
expect_status 2 fb compare A O
fb compare A O 2>&1 | grep -q "'size'" || die "the differing parameter is not named"
expect_status 125 fb check --baseline A --candidate O
# a model of other parameters is not used, and the table says why (which one differs)
fb compare --noise model.json O O | grep -q "noise model not used: .*other pf1 parameters ('size' differs)" ||
	die "an unused noise model is not explained"
# nothing in common: an error naming both, not an empty column
fb run nopage --cpus 1 $TINY --size 1M --label 6.18-np -o N/r.json >/dev/null 2>&1 || die "run N failed"
expect_status 2 fb compare A N
fb compare A N 2>&1 | grep -q "6.18-np has no benchmark in common with the baseline 6.18-a" ||
	die "compare of different benchmarks does not say so"

# A slowed-down run: A's own result files with every pages/s figure at a
# fifth.  Made from the files, not by slowing a real run with busy loops: on
# a loaded machine the baseline is slowed too, and a test must not depend on
# how fast anything ran.
cp -r A C
python3 "$FB_SRC/tests/e2e/slow_results.py" 5 --label 6.18-slow C/*.json ||
	die "cannot make the slowed copies"
rc=0
fb check --baseline A --candidate C --threshold 30% >check.txt || rc=$?
cat check.txt
[ "$rc" = 1 ] || die "check on the slowed run exited $rc, expected 1"
grep -q 'REGRESSION pf1 \([^ ]*:\)\?pages/s-1' check.txt || die "check does not name metric and step"

# history over all of it, with a trend plot
fb history . --bench pf1 --plot trend/pf1.png >history.txt || die "history failed"
cat history.txt
grep -q '6.18-slow' history.txt || die "history misses runs"
grep -q '^run-to-run noise: ' history.txt || die "history does not say the noise it used"
grep -q 'binary segmentation' history.txt || die "history does not name its method"
[ -s trend/pf1.png ] && [ -s trend/pf1.svg ] || die "no trend plot"

# suite: a bad key names file and line; a one-job suite runs into results/LABEL/
printf '[global]\nrepeat = 1\n[pf1]\ncpus = 1\nbogus = 1\n' >bad.ini
expect_status 2 fb suite bad.ini --label s
fb suite bad.ini --label s 2>&1 | grep -q 'bad.ini:5' || die "suite error without file:line"
printf '[global]\nrepeat = 1\nsamples = 2\nsample-time = 0.1\nwarmup = 0.05\n[pf1]\ncpus = 1\nsize = 1M\n' >one.ini
fb suite one.ini --label s >suite.txt || { cat suite.txt; die "suite failed"; }
grep -q '1 ok, 0 skipped, 0 failed' suite.txt || die "suite summary"
ls results/s/*.json >/dev/null || die "suite wrote no result"

# noise CONFIG: K separate suite runs into one label, then the model in RESULTS/noise/
fb noise one.ini --runs 3 --label nz --results R >nz.txt || { cat nz.txt; die "noise failed"; }
[ "$(ls R/nz/*.json | wc -l)" = 3 ] || die "noise: 3 runs should give 3 result files"
ls R/noise/*.json >/dev/null || die "noise wrote no model under R/noise/"
grep -q '^model: R/noise/' nz.txt || die "noise does not print the model's path"
# SIGTERM to noise alone stops the suite it runs, and noise: 143, no further run
printf '[global]\nrepeat = 1\nsamples = 200\nsample-time = 0.1\nwarmup = 0\nprogress = off\n[pf1]\ncpus = 1\nsize = 1M\n' >long.ini
fb noise long.ini --runs 3 --results RS >sig.txt 2>&1 &
npid=$!
sleep 2
kill -TERM "$npid"
rc=0
wait "$npid" || rc=$?
[ "$rc" = 143 ] || { cat sig.txt; die "noise exited $rc after SIGTERM, expected 143"; }
[ "$(grep -c '^== noise: run' sig.txt)" = 1 ] || die "noise went on after SIGTERM"
echo "compare e2e: ok"
