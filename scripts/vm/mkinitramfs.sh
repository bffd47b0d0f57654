#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the initramfs `faultbench vm` boots:
#   mkinitramfs.sh [-m MODDIR] [-c CONF] OUT.cpio INIT CMD FILE...
# INIT becomes /init, CMD /fb/cmd (the shell script the guest runs), each FILE
# is copied into /fb/bin/ with the shared libraries ldd finds for it (at their
# host paths, with the dynamic loader), plus busybox-static as /bin/busybox.
# FILE may be "PATH=NAME" to give the copy another name.
#
# -m MODDIR: the kernel's modules (a lib/modules/<release> directory or a
# kernel build tree).  Only what the guest needs to reach its scratch disk is
# taken: nvme and ext4 with their dependencies, read from each module's own
# .modinfo (depends=, softdep=) rather than modules.dep, which a .deb unpacked
# with dpkg -x or a build tree does not have.  Compressed modules are
# unpacked here: busybox's insmod may not read .ko.xz or .ko.zst.  The guest's
# init insmods /lib/modules/load.order in order (dependencies first).
#
# -c CONF: a suite's config file, copied to /fb/conf/ (the guest's command
# names it there).
set -eu
modules= conf=
while [ $# -gt 1 ]; do
	case $1 in
	-m) modules=$2 ;;
	-c) conf=$2 ;;
	*) break ;;
	esac
	shift 2
done
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
if [ -n "$conf" ]; then
	mkdir -p "$stage/fb/conf"
	cp "$conf" "$stage/fb/conf/"
fi
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

# A module's name as the kernel knows it: '-' and '_' are the same.
mod_norm() { echo "$1" | tr - _; }

# "name path" for every module file below $modules (find does not follow the
# build/ and source/ links of lib/modules/<release>).
mod_index() {
	find "$modules" \( -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz' \) \
		-type f | awk -F/ '{ n = $NF; sub(/\.ko.*$/, "", n); gsub(/-/, "_", n); print n, $0 }' \
		>"$stage/.modindex"
}

# The .modinfo field $2 of the unpacked module $1 ("depends=a,b").
mod_field() { tr '\0' '\n' <"$1" | sed -n "s/^$2=//p" | head -n 1; }

# unpack TOOL PACKAGE SRC DST
unpack() {
	command -v "$1" >/dev/null ||
		{ echo "mkinitramfs: $3 is compressed with $1: apt-get install $2" >&2; exit 1; }
	"$1" -dc "$3" >"$4"
}

# Unpack module $1 (normalised name) into the image, its dependencies first,
# and add it to load.order.  1 when there is no such module file (built in).
mod_add() {
	local name path dst d t soft
	name=$1
	grep -qx "$name" "$stage/.modseen" 2>/dev/null && return 0
	path=$(sed -n "s/^$name //p" "$stage/.modindex" | head -n 1)
	[ -n "$path" ] || return 1
	echo "$name" >>"$stage/.modseen"
	dst=$stage/lib/modules/$name.ko
	case $path in
	*.ko.xz) unpack xz xz-utils "$path" "$dst" ;;
	*.ko.zst) unpack zstd zstd "$path" "$dst" ;;
	*.ko.gz) unpack gzip gzip "$path" "$dst" ;;
	*) cp "$path" "$dst" ;;
	esac
	for d in $(mod_field "$dst" depends | tr , ' '); do
		mod_add "$(mod_norm "$d")" ||
			echo "mkinitramfs: warning: $name needs $d, which is not in $modules" >&2
	done
	# "softdep=pre: crypto-crc32c": ext4's checksums load crc32c through the
	# crypto API, which the guest (no modprobe) cannot do on demand.
	soft=$(mod_field "$dst" softdep | sed 's/post:.*//; s/pre://')
	for t in $soft; do
		t=$(mod_norm "$t")
		mod_add "$t" || mod_add "${t}_generic" || mod_add "${t#crypto_}" ||
			mod_add "${t#crypto_}_generic" || true
	done
	echo "$name.ko" >>"$stage/lib/modules/load.order"
}

if [ -n "$modules" ]; then
	mkdir -p "$stage/lib/modules"
	: >"$stage/lib/modules/load.order"
	mod_index
	# The scratch disk's driver and filesystem; absent files are built in.
	for m in nvme ext4; do mod_add $m || true; done
	rm -f "$stage/.modindex" "$stage/.modseen"
	echo "mkinitramfs: modules from $modules: $(tr '\n' ' ' <"$stage/lib/modules/load.order")"
fi
# The dynamic loader is looked up at /lib64 on x86-64 whatever the merged-/usr layout.
if [ -e /lib64/ld-linux-x86-64.so.2 ]; then copy_lib /lib64/ld-linux-x86-64.so.2; fi
(cd "$stage" && find . | cpio -o -H newc --quiet) >"$out"
