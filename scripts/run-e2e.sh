#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the end-to-end tests: every tests/e2e/test_*.sh, each against the real
# binary ($FAULTBENCH) in a scratch directory of its own ($FB_TMP).  A test exits
# 0 (passed), 77 (skipped: it printed why) or anything else (failed).
# FB_E2E=pattern runs only matching tests; FB_E2E_DIR another folder of them
# (tests/vm-long: make check-vm-long).  Under sanitizers FB_SANITIZED=1 is set.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
: "${FAULTBENCH:?}"
export FAULTBENCH FB_SRC=$here
pass=0 fail=0 skip=0
for t in "$here"/${FB_E2E_DIR:-tests/e2e}/test_*.sh; do
	name=$(basename "$t" .sh)
	case "$name" in *${FB_E2E:-}*) ;; *) continue ;; esac
	FB_TMP=$(mktemp -d /tmp/fb-e2e.XXXXXX)
	export FB_TMP
	start=$(date +%s)
	(cd "$FB_TMP" && bash "$t") >"$FB_TMP.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	case $rc in
	0) pass=$((pass + 1)); echo "ok    $name (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "skip  $name: $(tail -n 1 "$FB_TMP.log")" ;;
	*) fail=$((fail + 1)); echo "FAIL  $name (exit $rc, ${secs}s)"; sed 's/^/    | /' "$FB_TMP.log" | tail -n 40 ;;
	esac
	rm -rf "$FB_TMP" "$FB_TMP.log"
done
echo "e2e: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
