# SPDX-License-Identifier: GPL-2.0
# run --runs N and suite --runs N: N separate runs into one label, each a
# faultbench process of its own, so that compare has N replicates a side.
. "$FB_SRC/tests/e2e/lib.sh"

expect_status 2 fb run pf1 --runs 0
expect_status 2 fb run pf1 --runs x
expect_status 2 fb run pf1 --runs 2 -o one.json
fb run pf1 --help | grep -q -- '--runs=N' || die "run --help does not list --runs"
fb suite --help 2>&1 | grep -q -- '--runs=N' || die "suite --help does not list --runs"

fb run pf1 $TINY --cpus 1 --size 4M --label r3 --runs 3 >run.txt 2>run.err || { cat run.err; die "run --runs 3 failed"; }
[ "$(ls results/r3/*.json | wc -l)" = 3 ] || die "run --runs 3 did not leave 3 result files"
[ "$(grep -c '^faultbench: run [123] of 3$' run.err)" = 3 ] || die "the runs are not counted: $(cat run.err)"
# each a process of its own: three start times, and compare counts three runs
fb compare results/r3 results/r3 2>/dev/null | grep -q '^Runs .* 3 .* 3$' || die "compare does not see 3 runs"

printf '[global]\ncpus = 1\nsamples = 2\nsample-time = 0.1\nwarmup = 0.05\nprogress = off\n[pf1]\nsize = 4M\n' >s.ini
fb suite s.ini --label s2 --runs 2 >suite.txt 2>&1 || { cat suite.txt; die "suite --runs 2 failed"; }
[ "$(ls results/s2/*.json | wc -l)" = 2 ] || die "suite --runs 2 did not leave 2 result files"
echo ok
