# SPDX-License-Identifier: GPL-2.0
# aim9: a tiny sweep of a few tests (each a variant) gives ops/s for every step,
# the exec helper is found beside the binary, and a bad test name is bad usage.
. "$FB_SRC/tests/e2e/lib.sh"

fb run aim9 --tests fork,signal --cpus 1,2 $TINY --output a.json >a.txt ||
	die "aim9 fork,signal failed"
[ "$(jget a.json 'len(d["steps"])')" = 4 ] || die "expected 4 steps (2 tests x 2 CPU counts)"
[ "$(jget a.json 'all(s["metrics"]["ops/s"]["value"] > 0 for s in d["steps"])')" = True ] ||
	die "a step without ops/s"
[ "$(jget a.json 'sorted(set(s["variant"] for s in d["steps"]))')" = \
	"['fork', 'signal']" ] || die "variants are not fork and signal"

# exec needs build/fb-exec-helper; creat-clo and link create files in --dir.
mkdir files
fb run aim9 --tests exec,creat-clo,link,page,fork-faults --fork-mem 1M --cpus 1 $TINY \
	--dir "$PWD/files" --output b.json >b.txt || die "aim9 exec,creat-clo,link,page failed"
[ "$(jget b.json 'all(s["metrics"]["ops/s"]["value"] > 0 for s in d["steps"])')" = True ] ||
	die "a step without ops/s"
[ -z "$(ls files)" ] || die "aim9 left files behind: $(ls files)"

expect_status 2 fb run aim9 --tests nosuch --cpus 1 $TINY --output c.json
echo "aim9 ok"
