# SPDX-License-Identifier: GPL-2.0
# aim9: a tiny sweep of a few tests (each a variant) gives ops/s for every step,
# the exec helper is found beside the binary, and a bad test name is bad usage.
# On a loaded machine a slow test (exec, fork-faults) may finish no op within a
# short sample, so only "some step counted ops" is required, not every step.
. "$FB_SRC/tests/e2e/lib.sh"
has_ops='all("ops/s" in s["metrics"] for s in d["steps"]) and any(s["metrics"]["ops/s"]["value"] > 0 for s in d["steps"])'

fb run aim9 --tests fork,signal --cpus 1,2 $TINY --output a.json >a.txt ||
	die "aim9 fork,signal failed"
[ "$(jget a.json 'len(d["steps"])')" = 4 ] || die "expected 4 steps (2 tests x 2 CPU counts)"
[ "$(jget a.json "$has_ops")" = True ] || die "no ops/s"
[ "$(jget a.json 'sorted(set(s["variant"] for s in d["steps"]))')" = \
	"['fork', 'signal']" ] || die "variants are not fork and signal"

# exec needs build/fb-exec-helper; creat-clo and link create files in --dir.
mkdir files
fb run aim9 --tests exec,creat-clo,link,page,fork-faults --fork-mem 1M --cpus 1 $TINY \
	--sample-time 0.25 --dir "$PWD/files" --output b.json >b.txt ||
	die "aim9 exec,creat-clo,link,page,fork-faults failed"
[ "$(jget b.json "$has_ops")" = True ] || die "no ops/s"
[ "$(jget b.json 'len(d["steps"])')" = 5 ] || die "expected 5 steps (5 tests)"
[ -z "$(ls files)" ] || die "aim9 left files behind: $(ls files)"

expect_status 2 fb run aim9 --tests nosuch --cpus 1 $TINY --output c.json
echo "aim9 ok"
