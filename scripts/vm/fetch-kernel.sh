#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fetch a Debian kernel package for `faultbench vm` into a cache directory and
# print the path of its vmlinuz.  Only Debian's own package archive is used:
# apt-get download + dpkg -x, nothing is installed on the host.
#   fetch-kernel.sh [PACKAGE]
# PACKAGE defaults to what linux-image-cloud-amd64 depends on (the current
# cloud kernel: small, with NVMe and ext4 built in).  Other flavours
# (linux-image-6.1.0-57-amd64, the -rt-amd64 ones) have NVMe and ext4 as
# modules: their lib/modules/<release> is kept beside boot/, where
# `faultbench vm --kernel .../boot/vmlinuz-<release>` finds it by itself and
# puts the few modules the guest needs into its initramfs.
# Cache: $FB_VM_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/faultbench/kernels;
# a package is kept as PACKAGE/boot and PACKAGE/lib/modules/<release>.
set -eu
cache=${FB_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultbench/kernels}
pkg=${1:-}

resolve_meta() {
	apt-cache depends "$1" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1
}

if [ -z "$pkg" ]; then
	# An existing download answers without touching apt at all.
	for d in "$cache"/linux-image-*-cloud-amd64; do
		[ -d "$d" ] || continue
		k=$(ls "$d"/boot/vmlinuz-* 2>/dev/null | head -n 1)
		[ -n "$k" ] && { echo "$k"; exit 0; }
	done
	pkg=$(resolve_meta linux-image-cloud-amd64)
	if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
		apt-get update -qq >/dev/null 2>&1 || true
		pkg=$(resolve_meta linux-image-cloud-amd64)
	fi
	[ -n "$pkg" ] || { echo "fetch-kernel: apt-cache knows no linux-image-cloud-amd64 (run apt-get update)" >&2; exit 1; }
fi
dest=$cache/$pkg
k=$(ls "$dest"/boot/vmlinuz-* 2>/dev/null | head -n 1 || true)
# Caches written before modules were kept have boot/ only: fetch those again.
if [ -z "$k" ] || [ ! -d "$dest/lib/modules" ]; then
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/.dl.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1) ||
		{ echo "fetch-kernel: apt-get download $pkg failed" >&2; exit 1; }
	dpkg -x "$tmp"/*.deb "$tmp/x"
	# The image, its config and System.map, and the modules; not usr/ (docs).
	rm -rf "$dest"
	mkdir -p "$dest/lib"
	mv "$tmp/x/boot" "$dest/boot"
	if [ -d "$tmp/x/lib/modules" ]; then
		mv "$tmp/x/lib/modules" "$dest/lib/modules"
	else
		mkdir -p "$dest/lib/modules"
	fi
	k=$(ls "$dest"/boot/vmlinuz-* | head -n 1)
fi
rel=${k##*/vmlinuz-}
cfg=$dest/boot/config-$rel
if [ -f "$cfg" ] && ! grep -q '^CONFIG_BLK_DEV_NVME=y' "$cfg"; then
	echo "fetch-kernel: $pkg has NVMe and ext4 as modules: faultbench vm takes them from $dest/lib/modules/$rel" >&2
fi
echo "$k"
