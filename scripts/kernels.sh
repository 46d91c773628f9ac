#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch and cache the kernels `make check-kernels` tests the module on, and
# write their list to .cache/kernels.  scripts/deps.sh --kernels runs this;
# nothing else needs it.
#
#   scripts/kernels.sh           resolve, fetch what is missing, write the list
#   scripts/kernels.sh --print   print the list (after fetching)
#
# The kernels, resolved at run time from the archives:
#   6.1      Debian 12's default: the newest linux-image-6.1.0-N-amd64
#            (-unsigned, else the signed one) that has linux-headers of the
#            same version
#   6.12     the kernel scripts/deps.sh chose for `make check` (.cache/kver)
#   6.12-rt  the newest linux-image-6.12.*+deb12-rt-amd64-unsigned with headers
#   newest   the newest amd64 kernel in trixie-backports
# Headers of the bookworm kernels are apt-installed on this host (their
# kbuild tools are bookworm's).  The newest kernel's kbuild tools need
# trixie's libc and gcc-14, so its headers live in a trixie chroot
# (debootstrap --variant=minbase), where the module is built for it.  No
# kernel image is installed on the host: each image .deb is unpacked
# (dpkg-deb -x) into the cache, which is all the VM needs (vmlinuz and the
# modules directory, depmod'ed there).
#
# Cache, shared by the clones on this machine:
#   ${MSHARE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mshare}/
#     kernels/<kver>/boot/vmlinuz-<kver>, kernels/<kver>/lib/modules/<kver>/
#     chroot/trixie/
# The mirror is the host's own (scripts/debian-mirror), and so is apt's
# HTTP proxy, if one is configured.
#
# List format, one kernel a line (.cache/kernels):
#   NAME KVER VMLINUZ KMODDIR KDIR CHROOT
# where KDIR is the headers tree (inside CHROOT when CHROOT is not "-").
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
mcache=${MSHARE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mshare}
kcache="$mcache/kernels"
chroot_dir="$mcache/chroot/trixie"
list="$top/.cache/kernels"
suite=trixie

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "kernels.sh: need root or sudo" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
say() { echo "kernels.sh: $*" >&2; }
die() { say "$*"; exit 1; }

mkdir -p "$kcache" "$top/.cache"
exec 9>"$mcache/.kernels.lock"
flock 9

proxy=$("$top/scripts/debian-mirror" --proxy)
[ -n "$proxy" ] && export http_proxy="$proxy"

host_pkg_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

host_install() {
	local p missing=()
	for p in "$@"; do
		host_pkg_installed "$p" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing ${missing[*]}"
	$SUDO apt-get install -o DPkg::Lock::Timeout=900 -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
}

# newest_with_headers REGEX: the newest KVER among the host's
# linux-image-KVER[-unsigned] packages matching ^linux-image-REGEX that
# have linux-headers-KVER.
newest_with_headers() {
	local v
	for v in $(apt-cache search --names-only "^linux-image-$1(-unsigned)?\$" |
		   sed -n 's/^linux-image-\([^ ]*\) .*/\1/p' | sed 's/-unsigned$//' |
		   sort -Vru); do
		if apt-cache show "linux-headers-$v" >/dev/null 2>&1; then
			echo "$v"
			return 0
		fi
	done
	return 1
}

# image_pkgs KVER [in_chroot]: the packages that hold the image of KVER:
# linux-image-KVER-unsigned (else the signed one) and, from 7.x on, the
# linux-binary-KVER / linux-modules-KVER / linux-base-KVER it depends on.
image_pkgs() {
	local kver=$1 pkg
	shift
	pkg="linux-image-$kver-unsigned"
	"$@" apt-cache show "$pkg" >/dev/null 2>&1 || pkg="linux-image-$kver"
	echo "$pkg"
	"$@" apt-cache depends "$pkg" |
		awk -v k="-$kver" '$1 == "Depends:" &&
			substr($2, length($2) - length(k) + 1) == k { print $2 }'
}

# finish_image KVER DIR: check the unpacked DIR and make it the cache's
# entry for KVER.  usrmerge'd packages ship /usr/lib/modules.
finish_image() {
	local kver=$1 dir=$2
	if [ -d "$dir/usr/lib/modules/$kver" ] && [ ! -d "$dir/lib/modules/$kver" ]; then
		mkdir -p "$dir/lib/modules"
		mv "$dir/usr/lib/modules/$kver" "$dir/lib/modules/$kver"
	fi
	# From 7.x the image is lib/modules/KVER/vmlinuz (and config, System.map)
	if [ ! -f "$dir/boot/vmlinuz-$kver" ] && [ -f "$dir/lib/modules/$kver/vmlinuz" ]; then
		mkdir -p "$dir/boot"
		ln -s "../lib/modules/$kver/vmlinuz" "$dir/boot/vmlinuz-$kver"
		[ -f "$dir/lib/modules/$kver/config" ] &&
			ln -s "../lib/modules/$kver/config" "$dir/boot/config-$kver"
	fi
	[ -f "$dir/boot/vmlinuz-$kver" ] || die "no vmlinuz in the image packages of $kver"
	[ -d "$dir/lib/modules/$kver/kernel" ] || die "no lib/modules/$kver in the image packages"
	rm -rf "${kcache:?}/$kver"
	mv "$dir" "$kcache/$kver"
}

# fetch_host_kernel KVER: headers on the host, the image unpacked in the
# cache and depmod'ed there.
fetch_host_kernel() {
	local kver=$1 tmp d pkgs
	host_install "linux-headers-$kver"
	[ -f "$kcache/$kver/.done" ] && return 0
	mapfile -t pkgs < <(image_pkgs "$kver")
	tmp=$(mktemp -d)
	chmod 777 "$tmp"	# apt's _apt user downloads into it
	say "downloading ${pkgs[*]}"
	(cd "$tmp" && apt-get download -qq "${pkgs[@]}")
	rm -rf "$kcache/$kver.tmp"
	mkdir -p "$kcache/$kver.tmp"
	for d in "$tmp"/*.deb; do
		dpkg-deb -x "$d" "$kcache/$kver.tmp"
	done
	rm -rf "$tmp"
	finish_image "$kver" "$kcache/$kver.tmp"
	depmod -b "$kcache/$kver" "$kver"
	touch "$kcache/$kver/.done"
}

in_chroot() {
	$SUDO env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C \
		DEBIAN_FRONTEND=noninteractive ${http_proxy:+http_proxy=$http_proxy} \
		chroot "$chroot_dir" "$@"
}

# The trixie chroot: minbase + trixie-backports, gcc-14 and make.  Made
# once; its package lists are refreshed on each run.
make_chroot() {
	local mirror
	mirror=$("$top/scripts/debian-mirror")
	if [ ! -f "$chroot_dir/.done" ]; then
		host_install debootstrap debian-archive-keyring
		say "debootstrap $suite from $mirror into $chroot_dir"
		! mountpoint -q "$chroot_dir/proc" || $SUDO umount "$chroot_dir/proc"
		$SUDO rm -rf "$chroot_dir"
		mkdir -p "$(dirname "$chroot_dir")"
		$SUDO ${http_proxy:+env http_proxy=$http_proxy} debootstrap \
			--variant=minbase "$suite" "$chroot_dir" "$mirror" >&2
		$SUDO touch "$chroot_dir/.done"
	fi
	# The sources follow the host's mirror on every run.
	printf 'deb %s %s main\ndeb %s %s-backports main\n' \
		"$mirror" "$suite" "$mirror" "$suite" |
		$SUDO tee "$chroot_dir/etc/apt/sources.list" >/dev/null
	in_chroot apt-get update -qq >&2
	in_chroot apt-get install -y -qq --no-install-recommends \
		gcc-14 make libc6-dev kmod >/dev/null
}

# The newest amd64 kernel (generic flavour) trixie-backports has, with headers.
newest_chroot_kver() {
	local v
	for v in $(in_chroot apt-cache search --names-only \
			'^linux-image-[0-9][^ ]*-amd64(-unsigned)?$' |
		   sed -n 's/^linux-image-\([^ ]*\) .*/\1/p' | sed 's/-unsigned$//' |
		   grep -v -e '-rt-' -e '-cloud-' | sort -Vru); do
		if in_chroot apt-cache madison "linux-image-$v-unsigned" "linux-image-$v" |
		   grep -q -- "$suite-backports" &&
		   in_chroot apt-cache show "linux-headers-$v" >/dev/null 2>&1; then
			echo "$v"
			return 0
		fi
	done
	return 1
}

# fetch_chroot_kernel KVER: headers in the chroot, the image unpacked
# (by the chroot's dpkg-deb, which knows its compression) in the cache and
# depmod'ed with the chroot's kmod, which knows its module format.
fetch_chroot_kernel() {
	local kver=$1 pkgs
	in_chroot apt-get install -y -qq --no-install-recommends \
		"linux-headers-$kver" >/dev/null
	[ -f "$kcache/$kver/.done" ] && return 0
	pkgs=$(image_pkgs "$kver" in_chroot | xargs)
	say "downloading $pkgs ($suite-backports)"
	in_chroot sh -ec "rm -rf /tmp/img; mkdir -p /tmp/img/x; chmod 777 /tmp/img; cd /tmp/img
		apt-get download -qq $pkgs
		for d in ./*.deb; do dpkg-deb -x \$d x; done"
	rm -rf "$kcache/$kver.tmp"
	$SUDO cp -a "$chroot_dir/tmp/img/x" "$kcache/$kver.tmp"
	in_chroot rm -rf /tmp/img
	finish_image "$kver" "$kcache/$kver.tmp"
	$SUDO mkdir -p "$chroot_dir/tmp/dm"
	$SUDO mount --bind "$kcache/$kver" "$chroot_dir/tmp/dm"
	if ! in_chroot depmod -b /tmp/dm "$kver"; then
		$SUDO umount "$chroot_dir/tmp/dm"
		die "depmod failed for $kver"
	fi
	$SUDO umount "$chroot_dir/tmp/dm"
	touch "$kcache/$kver/.done"
}

fetch_all() {
	local k61 k612 krt knew
	$SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
	host_install kmod

	k61=$(newest_with_headers '6\.1\.0-[0-9]+-amd64') ||
		die "no linux-image-6.1.0-*-amd64 with matching headers"
	fetch_host_kernel "$k61"

	k612=${KVER:-$("$top/scripts/deps.sh" --print-kver)}

	krt=$(newest_with_headers '6\.12\.[0-9]+\+deb12-rt-amd64') ||
		die "no linux-image-6.12.*+deb12-rt-amd64 with matching headers"
	fetch_host_kernel "$krt"

	make_chroot
	knew=$(newest_chroot_kver) || die "no kernel with headers in $suite-backports"
	fetch_chroot_kernel "$knew"

	{
		echo "6.1 $k61 $kcache/$k61/boot/vmlinuz-$k61 $kcache/$k61/lib/modules/$k61 /usr/src/linux-headers-$k61 -"
		echo "6.12 $k612 /boot/vmlinuz-$k612 /lib/modules/$k612 /lib/modules/$k612/build -"
		echo "6.12-rt $krt $kcache/$krt/boot/vmlinuz-$krt $kcache/$krt/lib/modules/$krt /usr/src/linux-headers-$krt -"
		echo "newest $knew $kcache/$knew/boot/vmlinuz-$knew $kcache/$knew/lib/modules/$knew /usr/src/linux-headers-$knew $chroot_dir"
	} >"$list.tmp"
	mv "$list.tmp" "$list"
	say "ok: $k61, $k612, $krt, $knew"
}

fetch_all
[ "${1:-}" = "--print" ] && cat "$list"
exit 0
