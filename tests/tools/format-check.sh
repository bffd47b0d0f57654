#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The tree is formatted by its own .clang-format (Linux kernel style, 100
# columns): every C file git tracks, so that no change brings drift in and
# "make format" never rewrites lines a change did not touch.  Run by
# "make check"; a failure lists the files and the command that fixes them.
set -u
cd "$(dirname "$0")/../.."
command -v clang-format >/dev/null ||
	{ echo "format-check: clang-format is missing (apt-get install clang-format)" >&2; exit 1; }
files=$(git ls-files '*.c' '*.h' 2>/dev/null | grep -v '^tests/fuzz/corpus/')
[ -n "$files" ] || files=$(find lib engine bench stress analysis store cmd tests -name '*.[ch]' \
	-not -path 'tests/fuzz/corpus/*')
bad=""
for f in $files; do
	clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad="$bad $f"
done
if [ -n "$bad" ]; then
	echo "format-check: these files drift from .clang-format:$bad" >&2
	echo "format-check: run: clang-format -i$bad" >&2
	exit 1
fi
echo "format-check: $(echo $files | wc -w) files as .clang-format has them"
