#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (as /run.sh) for `make bench`: load the module, lift
# the process limits B6 needs, run mshare-bench with the arguments
# scripts/vm-bench wrote to /etc/mshare-bench.args, unload.
insmod /lib/mshare/mshare.ko || exit 1
ulimit -u unlimited 2>/dev/null
ulimit -n 65536 2>/dev/null
echo 65536 >/proc/sys/kernel/pid_max
echo 65536 >/proc/sys/kernel/threads-max
args=$(cat /etc/mshare-bench.args 2>/dev/null)
echo "mshare-bench args: ${args:-(none)}"
# shellcheck disable=SC2086
mshare-bench $args
rc=$?
rmmod mshare || rc=1
exit $rc
