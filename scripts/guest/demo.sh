#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (as /run.sh) for `make demo`.
# MSHARE_DEMO_ARGS passes options to mshare-demo; set it through the kernel
# command line, e.g. MSHARE_VM_APPEND=MSHARE_DEMO_ARGS=-n20 make demo.
set -e
echo "== load mshare.ko"
insmod /lib/mshare/mshare.ko
grep '^mshare ' /proc/modules
echo "== the device"
ls -l /dev/mshare
echo "== the generic netlink family, through msharectl (libnl)"
msharectl info
msharectl -j info
echo "== page tables shared: N attachers of one domain vs. of one memfd"
# shellcheck disable=SC2086
mshare-demo ${MSHARE_DEMO_ARGS:-}
echo "== unload"
rmmod mshare
echo "demo done"
