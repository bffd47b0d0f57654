#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run every cmocka unit-test binary given; fail if any fails.
failed=0
for t in "$@"; do
	"$t" || { echo "FAILED: $t" >&2; failed=$((failed + 1)); }
done
[ "$failed" = 0 ] || { echo "unit: $failed test binaries failed" >&2; exit 1; }
