#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the VM, chrooted into the Debian tree, for `make realclient`
# (scripts/guest/realclient.sh starts it, mshare.ko is loaded).  One
# PostgreSQL 15 cluster on tmpfs; two runs of the same workload, stock and
# then with libmshare-preload.so:
#   start the server; pgbench -i -s 20; pg_prewarm the table and its index;
#   pgbench -S -c 100 -j 2 -T 60, sampling page tables while it runs; stop.
# Prints the two runs side by side and exits non-zero unless the preload run
# worked (server, pgbench and the segment really on a domain) and its
# page tables, PageTables over the idle baseline, are at least 3x lower.
#
# Both servers run as postgres with no capability at all.  For the preload
# run the administrator (root here) grants the postgres group domain
# creation under a limit, `msharectl limit set group postgres bytes 1G
# domains 4`, and takes the grant back afterwards; the run fails if the
# postmaster holds any capability.  Documentation/realclient.rst says more.
#
# run() sets the *_stock and *_mshare results through printf -v:
# shellcheck disable=SC2154
set -euo pipefail

export PATH=/usr/lib/postgresql/15/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C PAGER=cat PSQL_PAGER=cat
exec </dev/null		# the serial console is no terminal for a pager
M=/run/mshare
PGDATA=/tmp/pgdata
SOCK=/run/postgresql
export PGHOST=$SOCK PGUSER=postgres PGDATABASE=postgres
SCALE=${MSHARE_RC_SCALE:-20}
CLIENTS=${MSHARE_RC_CLIENTS:-100}
SECS=${MSHARE_RC_SECS:-60}
MIN_RATIO=3

die() { echo "realclient: FAIL: $*"; exit 1; }

# As postgres (its groups, no capability: setpriv clears them with the uid).
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

# The administrator's grant for the preload run (Documentation/realclient.rst).
GRANT_BYTES=1G
GRANT_DOMAINS=4

meminfo_kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# One sample of every postgres process, as "processes vmpte_kb_summed
# client_backends client_backend_mean_vmpte_kb processes_mapping_a_domain
# processes_still_there": the last field counts the sampled processes whose
# status still shows an address space (VmPTE) after the whole sample was
# read, so that a process that exited meanwhile (its maps read empty)
# shows as a sample to drop, not as a process without the domain.
# Under TCG a fork costs milliseconds, so this reads /proc with builtins and
# grep -s (which skips a process that has just exited) and sums in one awk.
pg_sample() {
	local d c res alive pids=()
	for d in /proc/[0-9]*; do
		read -r c 2>/dev/null <"$d/comm" || continue
		[ "$c" = postgres ] && pids+=("${d#/proc/}")
	done
	[ ${#pids[@]} -gt 0 ] || return 1
	res=$({
		(cd /proc && grep -sH '^VmPTE:' "${pids[@]/%//status}") || true
		(cd /proc && grep -sal '^postgres: postgres postgres \[local\]' \
			"${pids[@]/%//cmdline}") || true
		(cd /proc && grep -sl 'mshare:\[' "${pids[@]/%//maps}") || true
	} | awk -F'[/:]' '
	$2 == "status" { pte[$1] = $4 + 0 }
	$2 == "cmdline" { be[$1] = 1 }
	$2 == "maps" { dom[$1] = 1 }
	END { for (p in pte) { n++; v += pte[p]; if (p in be) { b++; bv += pte[p] }
			if (p in dom) d++ }
		printf "%d %d %d %d %d\n", n, v, b, b ? bv / b : 0, d }')
	alive=$( (cd /proc && grep -sl '^VmPTE:' "${pids[@]/%//status}") | wc -l)
	echo "$res $alive"
}

# Seconds (3 decimals) since $1, an $EPOCHREALTIME reading.
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

echo "== guest: $(uname -r), $(nproc) vCPUs, $(meminfo_kb MemTotal) kB," \
	"THP $(cat /sys/kernel/mm/transparent_hugepage/enabled)," \
	"shmem THP $(cat /sys/kernel/mm/transparent_hugepage/shmem_enabled)"
postgres --version
pgbench --version

mkdir -p "$SOCK"
chown postgres:postgres "$SOCK"
echo "== initdb (PGDATA $PGDATA on tmpfs)"
as_pg initdb -D "$PGDATA" -A trust -U postgres --locale=C -E UTF8 --no-sync >/tmp/initdb.log ||
	{ cat /tmp/initdb.log; die "initdb"; }
# shared_buffers makes the main segment ~813 MiB, the size where page tables
# matter; durability is off (tmpfs, TCG) and WAL minimal so that loading
# the table stays short.  huge_pages=try (the default): the MAP_HUGETLB try
# fails (no huge pages reserved) and PostgreSQL falls back to
# MAP_SHARED|MAP_ANONYMOUS, which is the call the preload library takes.
cat >>"$PGDATA/postgresql.conf" <<CONF
shared_buffers = 768MB
max_connections = 110
huge_pages = try
listen_addresses = ''
unix_socket_directories = '$SOCK'
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = 4GB
CONF

# run MODE: sets tps_MODE, pt0_MODE (idle PageTables), pt_MODE (during the
# run), vmpte_MODE (summed), procs_MODE, be_MODE (client backends),
# bepte_MODE (mean per client backend), dom_MODE and domprocs_MODE (the
# fewest processes mapping a domain, of how many, over the judged samples),
# samples_MODE (how many were judged), window_MODE (when they were taken).
#
# Every judged number comes from samples taken while pgbench ran: a sample
# counts only if pgbench was still running when it ended, all $CLIENTS
# client backends were there, and every process it read was still there
# after it (see pg_sample).  The others are printed and dropped.  Of the
# judged samples, the one with the most PageTables gives the page-table
# numbers (a backend's tables only grow while it lives, so that is the
# latest one, as a rule); the domain check holds in every judged sample.
run() {
	local mode=$1 log start pid s out rc t0 ts te why k=0
	log=/tmp/pg-$mode.log
	local pt0 pt=0 vm=0 np=0 nb=0 bpte=0 nd=-1 ndp=0 info='' n1 n2 n3 n4 n5 n6 p1
	local judged=0 first='' last='' pts=() caps grant=''
	echo "== $mode: start the server"
	pt0=$(meminfo_kb PageTables)
	if [ "$mode" = mshare ]; then
		echo "== $mode: the administrator grants the postgres group domain creation"
		$M/msharectl limit set group postgres bytes $GRANT_BYTES domains $GRANT_DOMAINS
		$M/msharectl limit show
		start=(as_pg env "LD_PRELOAD=$M/libmshare-preload.so"
		       MSHARE_PRELOAD_MIN=256M MSHARE_PRELOAD_DEBUG=1)
	else
		start=(as_pg)
	fi
	"${start[@]}" pg_ctl -D "$PGDATA" -l "$log" -w -t 900 start >/dev/null ||
		{ cat "$log"; die "$mode: the server did not start"; }
	pid=$(head -1 "$PGDATA/postmaster.pid")
	caps=$(grep -E '^Cap(Inh|Prm|Eff|Amb)' /proc/"$pid"/status | tr '\t\n' '  ')
	echo "postmaster $pid: uid $(awk '/^Uid:/ { print $3 }' /proc/"$pid"/status), $caps"
	# No capability at all: inheritable, permitted, effective, ambient 0.
	grep -E '^Cap(Inh|Prm|Eff|Amb)' /proc/"$pid"/status | grep -vq '0000000000000000$' &&
		die "$mode: the postmaster holds a capability: $caps"
	if grep 'mshare:\[' /proc/"$pid"/maps; then
		[ "$mode" = mshare ] || die "stock: the segment is a domain"
		$M/msharectl info
	else
		grep -E ' /dev/zero| \(deleted\)' /proc/"$pid"/maps | head -3 || true
		[ "$mode" = stock ] || { cat "$log"; die "mshare: the segment is not a domain"; }
	fi
	echo "== $mode: pgbench -i -s $SCALE"
	as_pg pgbench -i -s "$SCALE" -q >"/tmp/init-$mode.out" 2>&1 ||
		{ cat "/tmp/init-$mode.out"; die "$mode: pgbench -i"; }
	tail -2 "/tmp/init-$mode.out"
	as_pg psql -X -qAt -c 'CREATE EXTENSION IF NOT EXISTS pg_prewarm' \
		-c "SELECT 'prewarmed ' || (pg_prewarm('pgbench_accounts') + pg_prewarm('pgbench_accounts_pkey')) * 8 / 1024 || ' MiB'"
	echo "== $mode: pgbench -S -c $CLIENTS -j 2 -T $SECS"
	t0=$EPOCHREALTIME
	as_pg pgbench -n -S -c "$CLIENTS" -j 2 -T "$SECS" >"/tmp/pgbench-$mode.out" 2>&1 &
	s=$!
	# Sample every 3 s, at a higher priority than the 100 busy backends
	# (under TCG a sample still takes seconds).  Times are seconds since
	# pgbench started.  PageTables is read first (so it errs low, against
	# the stock run more than the mshare one).
	renice --priority -10 -p $BASHPID >/dev/null
	while kill -0 $s 2>/dev/null; do
		sleep 3
		k=$((k + 1))
		ts=$(since "$t0")
		p1=$(meminfo_kb PageTables)
		out=$(pg_sample) || continue
		te=$(since "$t0")
		read -r n1 n2 n3 n4 n5 n6 <<<"$out"
		why=
		kill -0 $s 2>/dev/null || why="pgbench had ended"
		[ -n "$why" ] || [ "$n3" -ge "$CLIENTS" ] || why="$n3 client backends"
		[ -n "$why" ] || [ "$n6" -eq "$n1" ] ||
			why="$((n1 - n6)) of $n1 processes exited during the sample"
		echo "sample $k at $ts-$te s: PageTables $p1 kB, $n1 postgres processes," \
			"VmPTE $n2 kB (client backends: $n3, $n4 kB each), $n5 mapping a domain:" \
			"${why:+dropped, }${why:-judged}"
		[ -z "$why" ] || continue
		judged=$((judged + 1))
		pts+=("$p1")
		[ -n "$first" ] || first=$ts
		last=$te
		if [ "$p1" -ge "$pt" ]; then
			pt=$p1 np=$n1 vm=$n2 nb=$n3 bpte=$n4
		fi
		if [ "$nd" -lt 0 ] || [ $((n1 - n5)) -gt $((ndp - nd)) ]; then
			nd=$n5 ndp=$n1
		fi
		[ "$mode" = mshare ] && info=$($M/msharectl info | tail -1) &&
			grant=$($M/msharectl limit show | tr "\n" " ")
	done
	renice --priority 0 -p $BASHPID >/dev/null
	set +e
	wait $s
	rc=$?
	set -e
	echo "pgbench ended after $(since "$t0") s"
	cat "/tmp/pgbench-$mode.out"
	[ $rc -eq 0 ] || die "$mode: pgbench -S exited $rc"
	[ "$judged" -gt 0 ] || die "$mode: no sample taken while pgbench ran with $CLIENTS client backends"
	echo "$mode: judged $judged of $k samples, taken $first-$last s into pgbench's run;" \
		"PageTables over them: max $pt kB, median $(printf '%s\n' "${pts[@]}" | sort -n |
		awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }') kB"
	[ -z "$info" ] || echo "module during the run: $info"
	[ -z "$grant" ] || echo "the postgres group's grant during the run: $grant"
	echo "== $mode: stop"
	as_pg pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
	if grep -E 'PANIC|FATAL|ERROR|terminated by signal|was terminated' "$log"; then
		die "$mode: the server log shows errors ($log above)"
	fi
	[ "$mode" = stock ] || grep 'libmshare-preload' "$log" | head -5 || true
	printf -v "tps_$mode" '%s' "$(awk '/^tps = / { print $3; exit }' "/tmp/pgbench-$mode.out")"
	printf -v "pt0_$mode" '%s' "$pt0"
	printf -v "pt_$mode" '%s' "$pt"
	printf -v "vmpte_$mode" '%s' "$vm"
	printf -v "procs_$mode" '%s' "$np"
	printf -v "be_$mode" '%s' "$nb"
	printf -v "bepte_$mode" '%s' "$bpte"
	printf -v "dom_$mode" '%s' "$nd"
	printf -v "domprocs_$mode" '%s' "$ndp"
	printf -v "samples_$mode" '%s' "$judged"
	printf -v "window_$mode" '%s' "$first-$last s"
}

run stock
run mshare
echo "== module after the runs"
$M/msharectl info
$M/msharectl limit show
$M/msharectl limit del group postgres

d_stock=$((pt_stock - pt0_stock))
d_mshare=$((pt_mshare - pt0_mshare))
[ "$d_mshare" -gt 0 ] || d_mshare=1
row() { # label stock mshare unit (kB, or "" for a rate)
	awk -v l="$1" -v a="$2" -v b="$3" -v u="$4" 'BEGIN {
		f = u == "" ? "%.1f" : "%d " u
		printf "%-40s%14s%14s", l, sprintf(f, a), sprintf(f, b)
		if (a > 0) printf "%14.2f", b / a
		printf "\n" }'
}
echo
echo "== realclient: PostgreSQL 15, pgbench -S -c $CLIENTS -j 2 -T $SECS, scale $SCALE," \
	"shared_buffers 768MB"
printf '%-40s%14s%14s%14s\n' "" stock mshare mshare/stock
row "tps (without initial connection time)" "$tps_stock" "$tps_mshare" ""
row "PageTables, idle (before the server)" "$pt0_stock" "$pt0_mshare" kB
printf '%-40s%14s%14s\n' "samples judged (taken while pgbench ran)" \
	"$samples_stock" "$samples_mshare"
printf '%-40s%14s%14s\n' "  taken, seconds into pgbench's run" "$window_stock" "$window_mshare"
row "PageTables, during the run (max)" "$pt_stock" "$pt_mshare" kB
row "PageTables, run - idle (compared)" "$d_stock" "$d_mshare" kB
row "VmPTE, summed over postgres processes" "$vmpte_stock" "$vmpte_mshare" kB
row "VmPTE, per client backend (mean)" "$bepte_stock" "$bepte_mshare" kB
printf '%-40s%14s%14s\n' "postgres processes mapping a domain" \
	"$dom_stock of $domprocs_stock" "$dom_mshare of $domprocs_mshare"
ratio=$(awk -v a="$d_stock" -v b="$d_mshare" 'BEGIN { printf "%.1f", a / b }')
[ "$dom_mshare" -ge "$domprocs_mshare" ] ||
	die "only $dom_mshare of $domprocs_mshare postgres processes map the domain (in a sample taken while pgbench ran)"
if awk -v a="$d_stock" -v b="$d_mshare" -v r=$MIN_RATIO 'BEGIN { exit !(a >= r * b) }'; then
	echo "realclient: PASS: page tables (PageTables over idle) ${ratio}x lower with mshare (need ${MIN_RATIO}x)"
else
	die "page tables (PageTables over idle) only ${ratio}x lower with mshare (need ${MIN_RATIO}x)"
fi
