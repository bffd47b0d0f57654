#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# faultbench as an installed tool: make install into a staging DESTDIR, the
# installed binary runs (and finds fb-exec-helper), its man pages render
# without a groff warning, and bash completion offers the expected words.
. "$FB_SRC/tests/e2e/lib.sh"

command -v make >/dev/null || skip "no make"
# a relink with other flags would break a sanitizer tree; the plain build tests it
[ -z "${FB_SANITIZED:-}" ] || skip "make install is tested with the plain build"
# install the build tree this binary came from (build/ or build-san/)
bindir=$(cd "$(dirname "$FAULTBENCH")" && pwd)
case $bindir in
"$FB_SRC"/*) o=${bindir#"$FB_SRC"/} ;;
*) skip "$FAULTBENCH is not in a build tree of $FB_SRC" ;;
esac
stage=$PWD/stage
make -s --no-print-directory -C "$FB_SRC" O="$o" DESTDIR="$stage" PREFIX=/usr/local install \
	>install.log 2>&1 || { cat install.log; die "make install failed"; }
inst=$stage/usr/local
for f in bin/faultbench bin/fb-exec-helper share/man/man1/faultbench.1 \
	share/man/man1/faultbench-run.1 share/man/man1/faultbench-compare.1 \
	share/bash-completion/completions/faultbench share/faultbench/configs/quick.ini \
	share/faultbench/scripts/nightly.sh share/faultbench/vm/init; do
	[ -e "$inst/$f" ] || die "make install did not install $f"
done

# The installed binary runs: list, a tiny run, and aim9 exec finds its helper.
FAULTBENCH=$inst/bin/faultbench
fb list | grep -q '^  nopage ' || die "installed faultbench list lacks nopage"
fb run pf1 --cpus 1 $TINY -o tiny >tiny.txt || die "installed faultbench run failed"
grep -q '^ *1 ' tiny.txt || die "no 1-CPU row in the table"
fb run aim9 --tests exec --cpus 1 $TINY -o tiny >aim9.txt 2>aim9.err ||
	die "installed aim9 exec failed: $(cat aim9.err)"

# Man pages: every one renders without a warning, and run's lists the preset defaults.
for page in "$inst"/share/man/man1/*.1; do
	groff -ww -man -Tutf8 -z "$page" 2>groff.err || die "groff failed on $page"
	[ ! -s groff.err ] || die "groff warns on $(basename "$page"): $(cat groff.err)"
done
if command -v man >/dev/null; then
	MANWIDTH=80 man -l "$inst/share/man/man1/faultbench-run.1" 2>man.err >man.txt ||
		die "man -l failed"
	[ ! -s man.err ] || die "man -l warns: $(cat man.err)"
	grep -q 'sample' man.txt || die "faultbench-run(1) lacks --sample-time"
fi
grep -q 'fb-exec-helper\|nopage' "$inst/share/man/man1/faultbench.1" || die "faultbench(1) lacks the presets"
# help COMMAND off a terminal: the command's --help
fb help compare | grep -q -- '--format' || die "faultbench help compare lacks --format"

# Completion through the installed script, as bash calls it.
complete_words() {	# LINE: the command line up to the cursor
	bash -c '
		. "$1"; line=$2
		COMP_LINE=$line; COMP_POINT=${#line}
		read -ra COMP_WORDS <<<"${line//=/ = }"
		[[ $line == *" " || $line == *= ]] && COMP_WORDS+=("")
		[[ $line == *= ]] && COMP_WORDS[-1]="="
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_WORDS[0]=$3
		_faultbench; echo "${COMPREPLY[*]}"' _ \
		"$inst/share/bash-completion/completions/faultbench" "$1" "$FAULTBENCH"
}
[ "$(complete_words 'faultbench comp')" = compare ] || die "completion of 'comp'"
[ "$(complete_words 'faultbench run nop')" = nopage ] || die "completion of 'nop'"
[ "$(complete_words 'faultbench run nopage --sample-t')" = --sample-time= ] ||
	die "completion of --sample-t"
[ "$(complete_words 'faultbench run nopage --backing=tm')" = tmpfs ] ||
	die "completion of --backing=tm: '$(complete_words 'faultbench run nopage --backing=tm')'"
[ "$(complete_words 'faultbench run fault --page=4k,t')" = 4k,thp ] || die "completion of a list"
[ "$(complete_words 'faultbench compare --format ')" = "text markdown json csv" ] ||
	die "completion of compare --format"
[ "$(complete_words 'faultbench run kernbench --jo')" = --jobs= ] || die "completion of --jo"

# uninstall removes what install put there and the directories it created,
# and leaves a directory that was there before (empty or not)
mkdir -p stage2/usr/local/share/man
make -s --no-print-directory -C "$FB_SRC" O="$o" DESTDIR="$PWD/stage2" PREFIX=/usr/local install \
	>install2.log 2>&1 || { cat install2.log; die "make install into stage2 failed"; }
for s in "$stage" "$PWD/stage2"; do
	make -s --no-print-directory -C "$FB_SRC" O="$o" DESTDIR="$s" PREFIX=/usr/local uninstall \
		>uninstall.log 2>&1 || { cat uninstall.log; die "make uninstall failed"; }
done
[ -z "$(find "$stage" -mindepth 1 2>/dev/null)" ] ||
	die "make uninstall left: $(find "$stage" -mindepth 1 | head -5)"
[ -d stage2/usr/local/share/man ] || die "make uninstall removed a directory it did not create"
[ -z "$(find stage2 -mindepth 1 -not -type d)" ] || die "make uninstall left files in stage2"
[ ! -e stage2/usr/local/bin ] || die "make uninstall left bin/ it created"
echo "install: ok"
