# SPDX-License-Identifier: GPL-2.0
# kernbench: a tiny generated tree, two jobs values, two iterations: kernbench's
# figures per variant, one sample per build, and the tree is removed afterwards.
. "$FB_SRC/tests/e2e/lib.sh"
command -v make >/dev/null || skip "make is not installed"
command -v cc >/dev/null || skip "cc is not installed"

mkdir work
fb run kernbench --iterations 2 --files 6 --functions 3 --jobs optimal,1 --cpus max \
	--progress=off --dir "$PWD/work" --output k.json >k.txt 2>k.err ||
	die "kernbench failed: $(cat k.err)"
[ "$(jget k.json 'len(d["steps"])')" = 2 ] || die "expected 2 steps (2 jobs values)"
for m in elapsed user system cpu% minflt majflt; do
	[ "$(jget k.json "all('$m' in s['metrics'] for s in d['steps'])")" = True ] ||
		die "a step without $m"
done
[ "$(jget k.json 'all(s["metrics"]["elapsed"]["value"] > 0 for s in d["steps"])')" = True ] ||
	die "elapsed is not positive"
[ "$(jget k.json 'all(len(s["samples"]) == 2 for s in d["steps"])')" = True ] ||
	die "expected one sample per build"
[ "$(jget k.json 'd["steps"][0]["extra"]["kernbench"]["builds"][0]["minflt"] > 0')" = True ] ||
	die "no page faults recorded for the build"
[ -z "$(ls work)" ] || die "kernbench left its tree behind: $(ls work)"

expect_status 2 fb run kernbench --jobs 5 --cpus max --output x.json
echo "kernbench ok"
