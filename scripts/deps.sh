#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything mshare's build, tests and demo need on Debian 12 x86-64,
# idempotently and non-interactively, then extract the few files the project
# uses from the linux-source tarball into .cache/linux-<version>/.
#
#   scripts/deps.sh            install what is missing (root, or sudo)
#   KVER=6.12.117+deb12-amd64 scripts/deps.sh
#                              pin the kernel the VM boots and builds against
#   scripts/deps.sh --print-kver
#                              print the kernel version that would be used
#   scripts/deps.sh --kernels  also fetch the kernels `make check-kernels`
#                              tests on (scripts/kernels.sh: 6.1, 6.12-rt,
#                              the newest of trixie-backports, in a chroot)
#
# The kernel is resolved as the newest linux-image-6.12.*-amd64-unsigned that
# has a linux-headers package of the same version.  The chosen version is
# recorded in .cache/kver so that later runs (and the Makefile) agree.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache="$top/.cache"
mkdir -p "$cache"

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "deps.sh: need root or sudo" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return 0
	$SUDO apt-get update -qq
	apt_updated=1
}

# Newest 6.12 amd64 flavour with both an unsigned image and matching headers.
resolve_kver() {
	local v
	apt_update
	for v in $(apt-cache search --names-only \
			'^linux-image-6\.12\.[0-9.]+\+deb12-amd64-unsigned$' |
		   sed -n 's/^linux-image-\(6\.12\.[^ ]*-amd64\)-unsigned .*/\1/p' |
		   sort -Vr); do
		if apt-cache show "linux-headers-$v" >/dev/null 2>&1; then
			echo "$v"
			return 0
		fi
	done
	echo "deps.sh: no linux-image-6.12.*-amd64-unsigned with matching headers" >&2
	return 1
}

if [ -z "${KVER:-}" ]; then
	if [ -s "$cache/kver" ]; then
		KVER=$(cat "$cache/kver")
	else
		KVER=$(resolve_kver)
	fi
fi

case "${1:-}" in
--print-kver)
	echo "$KVER"
	exit 0 ;;
--kernels|"") ;;
*)
	echo "usage: scripts/deps.sh [--print-kver | --kernels]" >&2
	exit 2 ;;
esac

pkgs=(
	gcc make libc6-dev pkg-config perl xz-utils ca-certificates
	kmod cpio busybox-static qemu-system-x86
	libnl-3-dev libnl-genl-3-dev
	sparse linux-source-6.12
	flex bison bc libelf-dev
	gnuplot-nox
	python3 python3-yaml python3-jsonschema
	"linux-image-$KVER-unsigned" "linux-headers-$KVER"
)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps.sh: installing ${missing[*]}"
	apt_update
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -f "/boot/vmlinuz-$KVER" ] || { echo "deps.sh: /boot/vmlinuz-$KVER missing" >&2; exit 1; }
[ -d "/lib/modules/$KVER/build" ] || { echo "deps.sh: headers for $KVER missing" >&2; exit 1; }
echo "$KVER" >"$cache/kver"

# Files from the kernel tree the project uses, never committed.
tarball=$(ls -1 /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -1)
[ -n "$tarball" ] || { echo "deps.sh: linux-source-6.12 tarball missing" >&2; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 | sed 's/-.*//')
dest="$cache/linux-$srcver"
want=(
	linux-source-6.12/tools/testing/selftests/kselftest_harness.h
	linux-source-6.12/tools/testing/selftests/kselftest.h
	linux-source-6.12/scripts/checkpatch.pl
	linux-source-6.12/scripts/spelling.txt
	linux-source-6.12/scripts/const_structs.checkpatch
)
if [ ! -f "$dest/.done" ]; then
	echo "deps.sh: extracting selftest harness and checkpatch from $tarball"
	rm -rf "$dest.tmp"
	mkdir -p "$dest.tmp"
	tar -xf "$tarball" -C "$dest.tmp" --strip-components=1 "${want[@]}"
	rm -rf "$dest"
	mv "$dest.tmp" "$dest"
	touch "$dest/.done"
fi
ln -sfn "linux-$srcver" "$cache/linux"
echo "deps.sh: ok (kernel $KVER, kernel source files in .cache/linux-$srcver)"

if [ "${1:-}" = "--kernels" ]; then
	KVER=$KVER "$top/scripts/kernels.sh"
fi
