#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM, before check.sh loads the module (check.sh runs it):
# the module installed as `make install` or DKMS does (updates/ + depmod),
# then loaded by what loads it on a host, never by insmod:
#   autoload-genl     resolving the "mshare" genl family (msharectl info)
#   autoload-devname  opening /dev/mshare, made from modules.devname the way
#                     systemd-tmpfiles does at boot (kmod static-nodes)
#   pkgconfig-shared, pkgconfig-static
#                     the program scripts/install-test built from pkg-config
#                     alone, linked shared and static, attaching a domain
# It leaves the module unloaded, /dev/mshare absent and the kernel's
# modprobe path as it found them.  Prints MSHARE-CASE lines for vm-check.
#
# The host's kmod (depmod, modprobe, static-nodes) comes as /usr/bin/kmod:
# busybox's depmod writes no modules.devname.
ko=${MSHARE_KO:-/lib/mshare/mshare.ko}
pkg=/opt/mshare-pkgtest
kver=$(uname -r)
moddir=/lib/modules/$kver
kbin=/usr/lib/mshare-kmod
version=$(cat /lib/mshare/VERSION)

case_result() { echo "MSHARE-CASE $1 $2"; }
loaded() { [ -d /sys/module/mshare ]; }
# $1: case name; the module must be loaded now, with the project's version.
expect_loaded() {
	if ! loaded; then
		echo "install-check: $1: the module was not loaded"
		case_result fail "$1"
	elif [ "$(cat /sys/module/mshare/version)" != "$version" ]; then
		echo "install-check: $1: module version '$(cat /sys/module/mshare/version)', want '$version'"
		case_result fail "$1"
	else
		case_result ok "$1"
	fi
}
unload() {
	loaded && rmmod mshare
	loaded && { echo "install-check: cannot unload mshare"; return 1; }
	return 0
}

mkdir -p $kbin "$moddir/updates"
for t in depmod modprobe; do ln -sf /usr/bin/kmod $kbin/$t; done
cp "$ko" "$moddir/updates/mshare.ko"

# depmod: the aliases must reach modules.alias and modules.devname.
$kbin/depmod -a "$kver" 2>&1 | grep -v 'could not open\|No such file' || true
minor=$(sed -n 's/^mshare mshare c10:\([0-9]*\)$/\1/p' "$moddir/modules.devname" 2>/dev/null)
if grep -q '^alias net-pf-16-proto-16-family-mshare mshare$' "$moddir/modules.alias" &&
   grep -q "^alias char-major-10-$minor mshare\$" "$moddir/modules.alias" &&
   [ -n "$minor" ]; then
	case_result ok depmod
else
	echo "install-check: modules.devname / modules.alias lack mshare:"
	cat "$moddir/modules.devname" "$moddir/modules.alias" 2>/dev/null | grep mshare
	case_result fail depmod
fi

old_modprobe=$(cat /proc/sys/kernel/modprobe)
echo $kbin/modprobe >/proc/sys/kernel/modprobe

# (a) The genl family: msharectl resolves it, the kernel asks modprobe.
unload
out=$($pkg/prefix/bin/msharectl info 2>&1)
rc=$?
echo "$out" | sed 's/^/install-check: msharectl info: /'
if [ $rc -eq 0 ]; then
	expect_loaded autoload-genl
else
	echo "install-check: msharectl info exited $rc"
	case_result fail autoload-genl
fi
unload

# (b) The static node: kmod static-nodes says what systemd-tmpfiles creates.
# (Its default output, /dev/stdout, is a link this /dev does not have.)
/usr/bin/kmod static-nodes --format=tmpfiles -o /tmp/static-nodes
nodes=$(cat /tmp/static-nodes)
echo "$nodes" | grep mshare | sed 's/^/install-check: static node: /'
spec=$(echo "$nodes" | awk '$2 == "/dev/mshare" && $1 ~ /^c/ {print $7}')
rm -f /dev/mshare
if [ -n "$spec" ] && mknod -m 0666 /dev/mshare c "${spec%%:*}" "${spec##*:}"; then
	if : </dev/mshare; then
		expect_loaded autoload-devname
	else
		echo "install-check: opening /dev/mshare ($spec) failed"
		case_result fail autoload-devname
	fi
else
	echo "install-check: no /dev/mshare in kmod static-nodes:"
	echo "$nodes"
	case_result fail autoload-devname
fi
unload
rm -f /dev/mshare

echo "$old_modprobe" >/proc/sys/kernel/modprobe

# (c) The external program, against the installed libmshare.
if $kbin/modprobe mshare; then
	for how in shared static; do
		if LD_LIBRARY_PATH=$pkg/prefix/lib $pkg/consumer-$how "consumer-$how"; then
			case_result ok pkgconfig-$how
		else
			case_result fail pkgconfig-$how
		fi
	done
else
	echo "install-check: modprobe mshare failed"
	case_result fail pkgconfig-shared
	case_result fail pkgconfig-static
fi
unload || true
rm -f /dev/mshare
