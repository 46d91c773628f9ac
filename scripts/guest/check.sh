#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (as /run.sh): load the module, run every selftest
# binary under /selftests, unload the module.  scripts/vm-check reads the
# markers this prints and counts the TAP results.
ko=/lib/mshare/mshare.ko
export MSHARE_KO=$ko

case_result() { echo "MSHARE-CASE $1 $2"; }

if insmod "$ko"; then
	case_result ok insmod
else
	case_result fail insmod
	exit 1
fi

for t in /selftests/*_test; do
	[ -x "$t" ] || continue
	n=${t##*/}
	echo "MSHARE-TEST-BEGIN $n"
	"$t"
	echo "MSHARE-TEST-END $n $?"
done

if rmmod mshare; then
	case_result ok rmmod
else
	case_result fail rmmod
	exit 1
fi
exit 0
