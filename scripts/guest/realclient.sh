#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (as /run.sh, busybox) for `make realclient`: loads the
# module, mounts the Debian root filesystem that scripts/realclient/build-rootfs
# made (/dev/vda, read-only) with tmpfs where PostgreSQL writes, and runs
# realclient-pg.sh in a chroot there.  The initramfs keeps the rest: the
# closing dmesg dump and the exit status that scripts/vm-run judges.
set -e
echo "== load mshare.ko"
insmod /lib/mshare/mshare.ko
r=/mnt/debian
mkdir -p $r
i=0
while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
mount -t ext4 -o ro /dev/vda $r
mount -t proc proc $r/proc
mount -t sysfs sysfs $r/sys
mount -o bind /dev $r/dev
mount -t tmpfs tmpfs $r/dev/shm
mount -t tmpfs -o mode=1777 tmpfs $r/tmp
mount -t tmpfs -o mode=755 tmpfs $r/run
mkdir -p $r/run/mshare
cp /lib/mshare/msharectl /lib/mshare/libmshare-preload.so /lib/mshare/realclient-pg.sh \
	$r/run/mshare/
echo "== chroot into the Debian tree: $(cat $r/etc/debian_version)"
chroot $r /bin/bash /run/mshare/realclient-pg.sh
