# SPDX-License-Identifier: GPL-2.0
# faultbench topo: the machine and the CPU plan, on a synthetic 128-PU machine,
# on an XML file and on this machine; bad --cpus and --topology exit 2.
. "$FB_SRC/tests/e2e/lib.sh"

big='pack:2 numa:2 core:16 pu:2'	# 2 packages x 2 nodes x 16 cores x 2 PUs = 128

fb topo --topology "$big" --cpus walk >walk.txt 2>err.txt || die "topo walk failed: $(cat err.txt)"
cat walk.txt
grep -q '2 packages, 4 nodes, 64 cores, 128 PUs' walk.txt || die "wrong summary"
grep -q 'node 1: 16 cores, PUs 32-63' walk.txt || die "node 1 not listed with its PUs"
# the walk: 1 PU, one core's two siblings, a node, a package, the machine
awk '$1 ~ /^[0-9]+$/ { print $1, $2 }' walk.txt >steps.txt
printf '%s\n' '1 1' '2 core' '32 node' '64 package' '128 machine' | diff - steps.txt ||
	die "unexpected walk steps"
grep -Eq '^ +128 +machine +4 +2 +64 +0-127$' walk.txt || die "machine step wrong"

# JSON output, spread placement: the first 4 workers are on 4 nodes in 2 packages
fb topo --topology "$big" --cpus 1,4,max --placement spread --format json >plan.json
[ "$(jget plan.json 'd["topology"]["pus"]')" = 128 ] || die "json pus"
[ "$(jget plan.json 'd["steps"][1]["nodes"]')" = 4 ] || die "spread: 4 workers not on 4 nodes"
[ "$(jget plan.json 'd["steps"][1]["packages"]')" = 2 ] || die "spread: not on both packages"
[ "$(jget plan.json 'd["topology"]["node_pus"]["2"]')" = 64-95 ] || die "node_pus"

# an XML file written by lstopo (what a user brings back from the big machine)
if command -v lstopo-no-graphics >/dev/null; then
	lstopo-no-graphics -f --input "$big" big.xml
	fb topo --topology big.xml --cpus pow2 >xml.txt || die "topo on XML failed"
	grep -q '128 PUs' xml.txt || die "XML topology not read"
fi

# bad input: exit 2 with a message naming the option
expect_status 2 fb topo --topology "$big" --cpus 0-x
fb topo --cpus 0-x 2>err.txt || true
grep -qx "faultbench: option '--cpus': '0-x' is not a CPU list" err.txt || die "message: $(cat err.txt)"
expect_status 2 fb topo --topology "$big" --cpus 129
fb topo --topology "$big" --cpus 129 2>err.txt || true
grep -q -- '--oversubscribe' err.txt || die "no --oversubscribe hint: $(cat err.txt)"
fb topo --topology "$big" --cpus 256 --oversubscribe | grep -q oversubscribed || die "oversubscribe"
expect_status 2 fb topo --topology 'bogus:3'
expect_status 2 fb topo --no-such-option
expect_status 2 fb topo stray-argument
fb topo --help | grep -q -- '--placement' || die "--help does not list options"

# this machine
fb topo >here.txt || die "topo on this machine failed"
grep -q '^this machine: ' here.txt || die "no machine line"
n=$(getconf _NPROCESSORS_ONLN)
fb topo --cpus max --format json >here.json
[ "$(jget here.json 'd["steps"][0]["ncpus"]')" -le "$n" ] || die "more workers than online CPUs"
echo "topo ok"
