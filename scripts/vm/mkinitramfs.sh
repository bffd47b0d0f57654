#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the initramfs `faultbench vm` boots:
#   mkinitramfs.sh OUT.cpio INIT CMD FILE...
# INIT becomes /init, CMD /fb/cmd (the shell script the guest runs), each FILE
# is copied into /fb/bin/ with the shared libraries ldd finds for it (at their
# host paths, with the dynamic loader), plus busybox-static as /bin/busybox.
# FILE may be "PATH=NAME" to give the copy another name.
set -eu
out=$1 init=$2 cmd=$3
shift 3
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || { echo "busybox not found: apt-get install busybox-static" >&2; exit 1; }
# A dynamically linked busybox would need its libraries too: insist on the static one.
if ldd "$busybox" >/dev/null 2>&1; then
	echo "$busybox is not static: apt-get install busybox-static" >&2
	exit 1
fi
stage=$(mktemp -d "${TMPDIR:-/tmp}/fb-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/fb/bin" "$stage/dev" "$stage/proc" "$stage/sys"
cp "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
cp "$init" "$stage/init"
cp "$cmd" "$stage/fb/cmd"
chmod 755 "$stage/init" "$stage/bin/busybox"

copy_lib() {
	[ -e "$stage$1" ] && return 0
	mkdir -p "$stage$(dirname "$1")"
	cp -L "$1" "$stage$1"
}

for f in "$@"; do
	src=${f%%=*} name=$(basename "$src")
	case $f in *=*) name=${f#*=} ;; esac
	cp -L "$src" "$stage/fb/bin/$name"
	chmod 755 "$stage/fb/bin/$name"
	# "libx.so => /path (0x..)" and "/lib64/ld-linux-x86-64.so.2 (0x..)"
	for lib in $(ldd "$src" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
		copy_lib "$lib"
	done
done
# The dynamic loader is looked up at /lib64 on x86-64 whatever the merged-/usr layout.
if [ -e /lib64/ld-linux-x86-64.so.2 ]; then copy_lib /lib64/ld-linux-x86-64.so.2; fi
(cd "$stage" && find . | cpio -o -H newc --quiet) >"$out"
