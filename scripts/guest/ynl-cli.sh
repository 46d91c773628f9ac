#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (as /run.sh) for scripts/ynl-vm-check: drive mshare.ko
# with nothing but the kernel's cli.py and the family's spec (every
# command, a dump of each kind, the events, two rejections), as
# Documentation/netlink.rst shows.  Exits non-zero on any failure.
insmod /lib/mshare/mshare.ko || exit 1
export PYTHONPATH=/opt/ynl-pylib
Y="python3 /opt/ynl/cli.py --spec /opt/ynl-spec/mshare.yaml --no-schema"
fail=0
# Run a cli.py command, its output kept in /tmp/out; has PATTERN: the last
# output has it (a fixed string).
run() {
	echo "=== $*"
	"$@" >/tmp/out 2>&1 || { echo "=== FAILED: $*"; fail=1; }
	cat /tmp/out
}
has() {
	grep -qF -- "$1" /tmp/out || { echo "=== FAILED: no \"$1\" in the output"; fail=1; }
}
run $Y --do get-info
has "'info-abi-version': 1"
run $Y --do domain-new --json '{"domain-name":"py","domain-size":4194304,"domain-mode":416,"domain-flags":["prefault"]}'
has "'domain-name': 'py'"
has "'domain-size': 4194304"
has "'domain-mode': 416"
has "'domain-flags': {'prefault'}"
has "'domain-resident': 1024"
run $Y --dump domain-get
has "'domain-name': 'py'"
run $Y --do domain-get --json '{"domain-name":"py"}'
has "'domain-creator-pid'"
has "'domain-ctime'"
run $Y --do domain-stats --json '{"domain-name":"py"}'
has "'stats-nodes': [{"
has "'pages': 1024"
run $Y --dump domain-stats
has "'stats-faults': 0"
run $Y --do domain-set --json '{"domain-name":"py","domain-numa-policy":3,"domain-numa-nodes":"0000000001000000"}'
has "'domain-numa-nodes': [0, 1]"
has "'domain-numa-policy': 3"
run $Y --dump domain-holders --json '{"domain-name":"py"}'
has "[]"
run $Y --do limit-set --json '{"limit-kind":1,"limit-id":1000,"limit-bytes":1073741824,"limit-domains":4}'
run $Y --dump limit-get
has "'limit-id': 1000"
has "'limit-bytes': 1073741824"
run $Y --do limit-del --json '{"limit-kind":1,"limit-id":1000}'
run $Y --do domain-discard --json '{"domain-name":"py","discard-offset":0,"discard-length":4096}'
echo "=== events: a listener for 40 s, in the background"
$Y --subscribe events --sleep 40 --output-json > /tmp/events.out 2>&1 &
lpid=$!
sleep 4
run $Y --do domain-migrate --json '{"domain-name":"py","migrate-node":0}'
has "'migrate-pages-total': 1023"
has "'migrate-node': 0"
run $Y --do domain-new --json '{"domain-name":"py2","domain-size":2097152}' --output-json
has "\"domain-name\": \"py2\""
run $Y --do domain-del --json '{"domain-name":"py2"}'
wait $lpid || fail=1
echo "=== events received:"
cat /tmp/events.out
grep -q domain-migrated /tmp/events.out || { echo "=== FAILED: no domain-migrated event"; fail=1; }
grep -q domain-created /tmp/events.out || { echo "=== FAILED: no domain-created event"; fail=1; }
grep -q domain-destroyed /tmp/events.out || { echo "=== FAILED: no domain-destroyed event"; fail=1; }
# A request the kernel must refuse: EINVAL, with its extack message.
refused() {
	msg=$1
	shift
	echo "=== expect EINVAL ($msg): $*"
	if "$@" >/tmp/out 2>&1; then
		echo "=== FAILED: accepted"
		fail=1
	fi
	cat /tmp/out
	has "error: -22"
	has "$msg"
}
refused "Attribute failed policy validation" $Y --do get-info --json '{"info-abi-version":1}'
refused "unknown NUMA policy" $Y --do domain-set --json '{"domain-name":"py","domain-numa-policy":9}'
run $Y --do domain-del --json '{"domain-name":"py"}'
rmmod mshare || fail=1
echo "=== cli.py result: fail=$fail"
exit $fail
