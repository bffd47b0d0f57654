#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fetch a Debian kernel image for `faultbench vm` into a cache directory and
# print the path of its vmlinuz.  Only Debian's own package archive is used:
# apt-get download + dpkg -x, nothing is installed on the host.
#   fetch-kernel.sh [PACKAGE]
# PACKAGE defaults to what linux-image-cloud-amd64 depends on (the current
# cloud kernel: small, with NVMe and ext4 built in).  Other variants work too,
# e.g. linux-image-6.1.0-56-amd64 or linux-image-rt-amd64's dependency.
# Cache: $FB_VM_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/faultbench/kernels.
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
if [ -z "$k" ]; then
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/.dl.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1) ||
		{ echo "fetch-kernel: apt-get download $pkg failed" >&2; exit 1; }
	dpkg -x "$tmp"/*.deb "$tmp/x"
	# Only what booting needs: the image, its config (to check drivers) and System.map.
	mkdir -p "$dest"
	mv "$tmp/x/boot" "$dest/boot"
	k=$(ls "$dest"/boot/vmlinuz-* | head -n 1)
fi
# The guest needs its scratch disk driver and ext4 without modules.
cfg=$(ls "$dest"/boot/config-* 2>/dev/null | head -n 1 || true)
if [ -n "$cfg" ] && ! grep -q '^CONFIG_EXT4_FS=y' "$cfg"; then
	echo "fetch-kernel: warning: $pkg has ext4 as a module; the guest cannot mount its scratch disk" >&2
fi
if [ -n "$cfg" ] && ! grep -q '^CONFIG_BLK_DEV_NVME=y' "$cfg"; then
	echo "fetch-kernel: warning: $pkg has NVMe as a module; the guest cannot see its scratch disk" >&2
fi
echo "$k"
