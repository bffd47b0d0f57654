# SPDX-License-Identifier: GPL-2.0
# Shared helpers for end-to-end tests; source it: . "$FB_SRC/tests/e2e/lib.sh"
set -eu
fb() { "$FAULTBENCH" "$@"; }
die() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "$*"; exit 77; }
# expect_status N cmd...: run cmd, require exit status N
expect_status() {
	local want=$1 rc=0; shift
	"$@" || rc=$?
	[ "$rc" = "$want" ] || die "'$*' exited $rc, expected $want"
}
# jq-free JSON queries through python3 (always present on Debian's build machines)
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$@"; }
# Results record no interference (unknown, never "disturbed"): on a loaded
# machine every sample would be, and noise models and verdicts would depend on
# the load.  tests/e2e/test_interference.sh unsets it.
export FB_TEST_NO_INTERFERENCE=1
# Short sampling so a sweep takes a second or two.
TINY="--samples 2 --sample-time 0.1 --warmup 0.05 --progress=off"
# A faultbench that, with FB_TEST_SLOW=FACTOR set, divides every pages/s
# figure of the result files a command of it wrote under FB_TEST_SLOW_DIR by
# FACTOR (tests/e2e/slow_results.py): a slowed "kernel" made from real runs,
# whatever the load of the machine.  Sets FAULTBENCH to it.
use_slowing_faultbench() {
	cat >slowfb <<WRAP
#!/bin/bash
stamp=\$(mktemp)
"$FAULTBENCH" "\$@"; rc=\$?
if [ -n "\${FB_TEST_SLOW:-}" ]; then
	find "\$FB_TEST_SLOW_DIR" -name '*.json' -newer "\$stamp" -print0 |
		xargs -0 -r python3 "$FB_SRC/tests/e2e/slow_results.py" "\$FB_TEST_SLOW"
fi
rm -f "\$stamp"
exit \$rc
WRAP
	chmod +x slowfb
	FAULTBENCH=$PWD/slowfb
}
