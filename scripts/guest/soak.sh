#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (as /run.sh) for `make soak` (scripts/vm-soak): load
# the module, run mshare-soak for MSHARE_SOAK_SECS seconds (from the kernel
# command line), then check that the module holds nothing (msharectl info:
# domains, data pages, table pages all 0), unload it, and copy kmemleak's
# report into the kernel log.  Prints MSHARE-SOAK-* lines that
# scripts/vm-soak reads; exits non-zero when any step failed.
ko=/lib/mshare/mshare.ko
secs=${MSHARE_SOAK_SECS:-120}
kmemleak=/sys/kernel/debug/kmemleak
rc=0

# Warnings and worse (lockdep's reports are pr_warn) go to the console as
# they happen, so that a guest that dies later still shows them.
echo 5 >/proc/sys/kernel/printk
# NUMA balancing scans every process (it must skip domains).
[ -w /proc/sys/kernel/numa_balancing ] && echo 1 >/proc/sys/kernel/numa_balancing

# Debug kernels: forget what kmemleak suspects from boot.
if [ -w "$kmemleak" ]; then
	echo scan >"$kmemleak"
	echo clear >"$kmemleak"
fi

onoff() { [ -e "$1" ] && echo on || echo off; }
echo "MSHARE-SOAK-KERNEL $(uname -r), $(nproc) vCPUs," \
	"$(find /sys/devices/system/node -maxdepth 1 -name 'node[0-9]*' | wc -l) NUMA nodes," \
	"lockdep $(onoff /proc/lockdep), kmemleak $(onoff $kmemleak)"
# shellcheck disable=SC2086 # one word or none
if ! insmod "$ko" ${MSHARE_SOAK_KO_ARGS:-}; then
	echo "MSHARE-SOAK-STEP fail insmod"
	exit 1
fi
echo "MSHARE-SOAK-STEP ok insmod"

t0=$(date +%s)
# shellcheck disable=SC2086 # options, split on purpose
/bin/mshare-soak -t "$secs" ${MSHARE_SOAK_ARGS:-}
src=$?
echo "MSHARE-SOAK-STEP $([ $src -eq 0 ] && echo ok || echo fail) mshare-soak (exit $src, $(( $(date +%s) - t0 )) s)"
[ $src -eq 0 ] || rc=1

info=$(msharectl info | tail -1)
echo "MSHARE-SOAK-INFO $info"
# "abi_version N domains N data_pages N table_pages N max_size N": the
# value after each key (msharectl's field names, msharectl(8)).
field() {
	echo "$info" | awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'
}
if [ "$(field domains)" = 0 ] && [ "$(field data_pages)" = 0 ] &&
   [ "$(field table_pages)" = 0 ]; then
	echo "MSHARE-SOAK-STEP ok module counters 0"
else
	echo "MSHARE-SOAK-STEP fail module counters not 0: $info"
	rc=1
fi

if rmmod mshare; then
	echo "MSHARE-SOAK-STEP ok rmmod"
else
	echo "MSHARE-SOAK-STEP fail rmmod"
	lsmod
	rc=1
fi

# kmemleak reports go to its debugfs file, not to the kernel log: copy
# them there (prefixed "kmemleak-report:") so the host's log scan sees them.
if [ -w "$kmemleak" ]; then
	echo scan >"$kmemleak"
	sleep 2
	echo scan >"$kmemleak"
	n=0
	while IFS= read -r line; do
		echo "kmemleak-report: $line" >/dev/kmsg
		n=$((n + 1))
	done <"$kmemleak"
	echo "MSHARE-SOAK-STEP ok kmemleak scanned ($n report lines)"
fi
exit $rc
