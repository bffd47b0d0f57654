#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The layer check (tests/tools/layers.py) itself: the tree passes, and each
# way around it found so far fails it: an include spelled '# include', a
# bare prototype that links another folder's object with no include at
# all, and a new folder that no rule names.  Planted in a copy of the tree
# and of the built objects, never in the tree itself.
. "$FB_SRC/tests/e2e/lib.sh"
objdir=$(dirname "$FAULTBENCH")
layers() { python3 "$FB_SRC/tests/tools/layers.py" --root tree --objdir objs; }

mkdir tree objs
for d in lib engine bench stress analysis store cmd; do
	cp -r "$FB_SRC/$d" tree/
	[ -d "$objdir/$d" ] && cp -r "$objdir/$d" objs/
done
cp "$objdir/version.o" objs/
layers >out.txt || { cat out.txt; die "the tree as built fails the layer check"; }

# 1. an include with a space after '#', of a benchmark header into analysis/
printf '# include "bench.h"\n' >tree/analysis/zz_spaced.c
expect_status 1 layers >out.txt
grep -q 'analysis/zz_spaced.c includes bench/bench.h' out.txt || die "spaced include not seen"
rm tree/analysis/zz_spaced.c

# 2. a bare extern prototype: analysis/ calling the runner, no include
cat >tree/analysis/zz_extern.c <<'C'
extern int runner_run_step(void);
int zz_bypass(void);
int zz_bypass(void) { return runner_run_step(); }
C
cc -c -o objs/analysis/zz_extern.o tree/analysis/zz_extern.c
expect_status 1 layers >out.txt
grep -q 'analysis/zz_extern.o needs runner_run_step from engine/runner.o' out.txt ||
	die "link edge analysis -> engine not seen"
rm tree/analysis/zz_extern.c objs/analysis/zz_extern.o

# 3. a folder no rule names
mkdir tree/newpart
printf 'int newpart(void);\n' >tree/newpart/np.h
expect_status 1 layers >out.txt
grep -q 'folder newpart/ has no rule' out.txt || die "a new folder went unchecked"
rm -r tree/newpart

# 4. bench/helper/ is checked too: a static program includes nothing of ours
printf '#include "util.h"\n' >>tree/bench/helper/exec_helper.c
expect_status 1 layers >out.txt
grep -q 'bench/helper/exec_helper.c includes lib/util.h' out.txt || die "bench/helper unchecked"
echo "layers: all checks passed"
