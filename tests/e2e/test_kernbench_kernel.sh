# SPDX-License-Identifier: GPL-2.0
# kernbench --tree kernel on a fake kernel tree (nothing downloaded): its
# Makefile's config, vmlinux and clean targets only touch files and log their
# calls.  Proves the plumbing: the config made once per step into the O= build
# directory and kept by every make clean, one clean before each measured build,
# the table, the source never written; a tarball unpacked once into the cache
# (atomically: a dead run's .unpack-<pid> is removed, never used) and reused;
# --config FILE through olddefconfig; bad --config and FB_LINUX_SOURCE exit 2.
. "$FB_SRC/tests/e2e/lib.sh"
command -v make >/dev/null || skip "make is not installed"
command -v cc >/dev/null || skip "cc is not installed"

export HOME=$PWD/home CALLS=$PWD/calls
unset XDG_CACHE_HOME
mkdir -p fake/linux-fake home work
cat >fake/linux-fake/Makefile <<'EOF'
# A kernel tree's targets, as kernbench uses them; everything goes to $(O).
tinyconfig defconfig:
	echo $@ >>$(CALLS); echo CONFIG_FAKE_$@=y >$(O)/.config
olddefconfig:
	echo $@ >>$(CALLS); cat $(O)/.config >/dev/null
vmlinux:
	echo vmlinux >>$(CALLS); test -f $(O)/.config; echo obj >$(O)/vmlinux
clean:
	echo clean >>$(CALLS); rm -f $(O)/vmlinux
.PHONY: tinyconfig defconfig olddefconfig vmlinux clean
EOF
tree=$PWD/fake/linux-fake
before=$(ls -A "$tree")

# A source directory, used as is.
FB_LINUX_SOURCE=$tree fb run kernbench --tree kernel --iterations 2 --jobs 1 --cpus max \
	--progress=off --dir "$PWD/work" --output k.json >k.txt 2>k.err ||
	die "kernbench --tree kernel failed: $(cat k.err)"
# tinyconfig once, the warm-up build, then clean + vmlinux per iteration.
[ "$(echo $(cat calls))" = "tinyconfig vmlinux clean vmlinux clean vmlinux" ] ||
	die "unexpected make calls: $(echo $(cat calls))"
[ "$(ls -A "$tree")" = "$before" ] || die "the source tree was written: $(ls -A "$tree")"
[ -z "$(ls work)" ] || die "kernbench left its build directory behind: $(ls work)"
[ "$(jget k.json 'len(d["steps"][0]["samples"])')" = 2 ] || die "expected one sample per build"
[ "$(jget k.json 'd["steps"][0]["extra"]["kernbench"]["tree"]')" = kernel ] ||
	die "the result does not say which tree"
[ "$(jget k.json 'd["steps"][0]["extra"]["kernbench"]["config"]')" = tinyconfig ] ||
	die "the result does not say which config"
for m in elapsed user system cpu% minflt; do
	[ "$(jget k.json "'$m' in d['steps'][0]['metrics']")" = True ] || die "no $m"
done
grep -q "elapsed.*user.*system.*cpu%" k.txt || die "no kernbench table: $(cat k.txt)"

# A tarball: unpacked once into the cache; a dead run's leftover is removed.
tar -czf linux-fake.tar.gz -C fake linux-fake
cache=$HOME/.cache/faultbench/linux-source
dead=$(sh -c 'echo $$')
mkdir -p "$cache/.unpack-$dead/linux-fake"
cp "$tree/Makefile" "$cache/.unpack-$dead/linux-fake/"
: >calls
FB_LINUX_SOURCE=$PWD/linux-fake.tar.gz fb run kernbench --tree kernel --iterations 1 \
	--jobs 1 --cpus max --progress=off --dir "$PWD/work" --output t1.json >t.txt 2>t.err ||
	die "kernbench from a tarball failed: $(cat t.err)"
[ -f "$cache/linux-fake/Makefile" ] || die "the tarball was not unpacked into the cache"
[ ! -e "$cache/.unpack-$dead" ] || die "a dead run's unpack directory was left"
[ -z "$(ls -A "$cache" | grep unpack || true)" ] || die "an unpack directory was left"
grep -q "unpacking" t.err || die "no word about unpacking: $(cat t.err)"
touch "$cache/linux-fake/marker"
FB_LINUX_SOURCE=$PWD/linux-fake.tar.gz fb run kernbench --tree kernel --iterations 1 \
	--jobs 1 --cpus max --progress=off --dir "$PWD/work" --output t2.json >t.txt 2>t.err ||
	die "kernbench from the cached tarball failed: $(cat t.err)"
[ -f "$cache/linux-fake/marker" ] || die "the cached tree was unpacked again"
! grep -q "unpacking" t.err || die "unpacked again: $(cat t.err)"

# --config FILE: copied into the build directory, then olddefconfig.
echo CONFIG_MINE=y >my.config
: >calls
FB_LINUX_SOURCE=$tree fb run kernbench --tree kernel --config "$PWD/my.config" \
	--iterations 1 --jobs 1 --cpus max --progress=off --dir "$PWD/work" --output c.json \
	>c.txt 2>c.err || die "kernbench --config FILE failed: $(cat c.err)"
[ "$(head -n 1 calls)" = olddefconfig ] || die "--config FILE did not run olddefconfig: $(cat calls)"

# A failing build fails the run, with the build's own last words.
sed -i 's/echo obj >$(O)\/vmlinux/echo "fake.c:1: error: broken" >\&2; exit 1/' \
	"$tree/Makefile"
expect_status 1 env FB_LINUX_SOURCE="$tree" "$FAULTBENCH" run kernbench --tree kernel \
	--iterations 1 --jobs 1 --cpus max --progress=off --dir "$PWD/work" --output f.json
FB_LINUX_SOURCE=$tree fb run kernbench --tree kernel --iterations 1 --jobs 1 --cpus max \
	--progress=off --dir "$PWD/work" --output f2.json >/dev/null 2>f.err || true
grep -q "fake.c:1: error: broken" f.err || die "the build's error is not shown: $(cat f.err)"

expect_status 2 fb run kernbench --tree kernel --config nosuch.config --output x.json
expect_status 2 fb run kernbench --config "$PWD" --output x.json
expect_status 2 env FB_LINUX_SOURCE=$PWD/nosuch "$FAULTBENCH" run kernbench --tree kernel \
	--output x.json
expect_status 2 fb run kernbench --tree linux --output x.json
echo "kernbench --tree kernel ok"
