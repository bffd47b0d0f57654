#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages faultbench needs, if any are missing.  As root it
# runs apt-get and says so; otherwise it prints the exact command and fails, so
# that `make run` and `make check` never half-work on a machine without them.
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "faultbench: missing Debian packages:$missing" >&2
	echo "faultbench: run: sudo apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
echo "faultbench: installing missing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true
apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
	# linux-perf is optional: profiles are skipped without it.
	rest=$(echo "$missing" | sed 's/ linux-perf//')
	[ "$rest" != "$missing" ] && apt-get install -y -qq --no-install-recommends $rest >/dev/null
} || { echo "faultbench: apt-get install failed" >&2; exit 1; }
