#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (as /run.sh): load the module, run every selftest
# binary under /selftests, unload the module.  scripts/vm-check reads the
# markers this prints and counts the TAP results.
#
# Before insmod it records the free memory (MemFree plus the pages on the
# per-CPU free lists) and PageTables in /tmp/mshare-baseline;
# lifetime_test compares with them at its end, unloads and reloads the
# module, so it runs last.
ko=/lib/mshare/mshare.ko
export MSHARE_KO=$ko

case_result() { echo "MSHARE-CASE $1 $2"; }

# Shell builtins only while reading: no other process exists meanwhile.
# lifetime_test settles the same way (drop caches, shrink every slab cache,
# which also empties KASAN's quarantine, fold the per-CPU counters).
record_baseline() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	for s in /sys/kernel/slab/*/shrink; do
		[ -w "$s" ] && echo 1 >"$s"
	done 2>/dev/null
	echo 1 >/proc/sys/vm/stat_refresh
	free=0 pt=0 pcp=0
	while read -r k v _; do
		case $k in
		MemFree:) free=$v ;;
		PageTables:) pt=$v ;;
		esac
	done </proc/meminfo
	while read -r k v _; do
		[ "$k" = "count:" ] && pcp=$((pcp + v))
	done </proc/zoneinfo
	echo "memfree_pcp_kb $((free + pcp * 4))" >/tmp/mshare-baseline
	echo "pagetables_kb $pt" >>/tmp/mshare-baseline
}

run_test() {
	n=${1##*/}
	echo "MSHARE-TEST-BEGIN $n"
	"$1"
	echo "MSHARE-TEST-END $n $?"
}

# Debug kernels: forget what kmemleak suspects from boot, so that the scan
# at the end reports only what the suite leaked.
kmemleak=/sys/kernel/debug/kmemleak
if [ -w "$kmemleak" ]; then
	echo scan >"$kmemleak"
	echo clear >"$kmemleak"
fi

# Installed and autoloaded as on a host, then unloaded again.
[ -f /lib/mshare/install-check.sh ] && sh /lib/mshare/install-check.sh

record_baseline

if insmod "$ko"; then
	case_result ok insmod
else
	case_result fail insmod
	exit 1
fi

for t in /selftests/*_test; do
	[ -x "$t" ] || continue
	[ "${t##*/}" = lifetime_test ] && continue
	run_test "$t"
done
# The benchmark harness, tiny (mshare-bench --smoke): one case, asserting
# only that it ran and printed well-formed results for every scenario, never
# a number's size.
bench_smoke() {
	out=/tmp/mshare-bench-smoke.out
	mshare-bench --smoke >$out 2>&1
	brc=$?
	sed 's/^/bench-smoke: /' $out
	[ $brc -eq 0 ] || { echo "bench-smoke: exit status $brc"; return 1; }
	awk -F, '
	/^MSHARE-BENCH-CSV,/ {
		if (NF != 12 || $12 == "") { print "bench-smoke: bad CSV line: " $0; bad++; next }
		if ($2 == "scenario") { hdr++; next }
		if ($11 != "measured" && $11 != "extrapolated") { next }
		if ($7 !~ /^-?[0-9][0-9.e+-]*$/) { print "bench-smoke: bad value: " $0; bad++ }
		seen[$2]++
	}
	/^MSHARE-BENCH-TABLE-END$/ { table++ }
	END {
		if (hdr != 1) { print "bench-smoke: no CSV header"; bad++ }
		if (!table) { print "bench-smoke: no table"; bad++ }
		for (i = 1; i <= 7; i++)
			if (!seen["B" i]) { print "bench-smoke: no result for B" i; bad++ }
		exit bad ? 1 : 0
	}' $out
}
if [ -x /bin/mshare-bench ]; then
	if bench_smoke; then
		case_result ok bench-smoke
	else
		case_result fail bench-smoke
	fi
fi

[ -x /selftests/lifetime_test ] && run_test /selftests/lifetime_test

rc=0
if rmmod mshare; then
	case_result ok rmmod
else
	case_result fail rmmod
	rc=1
fi

# kmemleak reports go to its debugfs file, not to the kernel log: copy them
# there (prefixed "kmemleak-report:") so the host's log scan sees them.
if [ -w "$kmemleak" ]; then
	echo scan >"$kmemleak"
	sleep 2
	echo scan >"$kmemleak"
	while IFS= read -r line; do
		echo "kmemleak-report: $line" >/dev/kmsg
	done <"$kmemleak"
fi
exit $rc
