#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (as /run.sh) for `make bench`: load the module, lift
# the process limits B6 needs, run mshare-bench with the arguments
# scripts/vm-bench wrote to /etc/mshare-bench.args, unload.  With a
# baseline module (/lib/mshare/mshare-baseline.ko, named by
# /etc/mshare-bench.baseline) and B7 among the scenarios, B7 first runs
# once on the baseline: rmmod, insmod the baseline, B7, rmmod, insmod
# mshare.ko again.
insmod /lib/mshare/mshare.ko || exit 1
ulimit -u unlimited 2>/dev/null
ulimit -n 65536 2>/dev/null
echo 65536 >/proc/sys/kernel/pid_max
echo 65536 >/proc/sys/kernel/threads-max
args=$(cat /etc/mshare-bench.args 2>/dev/null)
echo "mshare-bench args: ${args:-(none)}"

# Does this argument list run B7 (no -b runs every scenario)?
wants_b7() {
	want=1
	while [ $# -gt 0 ]; do
		case $1 in
		-b) want=0; case ",$2," in *,[Bb]7,*) want=1 ;; esac; shift ;;
		-b*) want=0; case ",${1#-b}," in *,[Bb]7,*) want=1 ;; esac ;;
		esac
		shift
	done
	[ $want = 1 ]
}

rc=0
tree=
# shellcheck disable=SC2086
if [ -f /lib/mshare/mshare-baseline.ko ] && wants_b7 $args; then
	base=$(cat /etc/mshare-bench.baseline 2>/dev/null)
	base=${base:-baseline}
	echo "mshare-bench baseline: B7 on the module of the $base"
	if rmmod mshare && insmod /lib/mshare/mshare-baseline.ko; then
		# shellcheck disable=SC2086
		mshare-bench $args -b B7 --tree "$base" || rc=1
		rmmod mshare || rc=1
	else
		rc=1
	fi
	insmod /lib/mshare/mshare.ko || exit 1
	tree="this tree"
fi
# shellcheck disable=SC2086
mshare-bench $args ${tree:+--tree "$tree"} || rc=1
rmmod mshare || rc=1
exit $rc
