#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (as /run.sh) for `make demo`.
set -e
echo "== load mshare.ko"
insmod /lib/mshare/mshare.ko
grep '^mshare ' /proc/modules
echo "== the device"
ls -l /dev/mshare
echo "== the generic netlink family, through msharectl (libnl)"
msharectl info
msharectl -j info
echo "== unload"
rmmod mshare
echo "demo done"
