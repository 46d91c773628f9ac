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
# PostgreSQL refuses to run as root, and DOMAIN_NEW needs CAP_SYS_ADMIN in
# the initial user namespace (Documentation/permissions.rst), so the server
# of the preload run is started as postgres with that one capability made
# ambient: setpriv --reuid ... --inh-caps +sys_admin --ambient-caps
# +sys_admin keeps it across the uid change and every exec (pg_ctl, sh,
# postgres); Documentation/realclient.rst says more.
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

# As postgres, without and with CAP_SYS_ADMIN (ambient, so that it survives
# the exec of pg_ctl, of its shell and of postgres).
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
as_pg_cap() {
	setpriv --reuid=postgres --regid=postgres --init-groups \
		--inh-caps=+sys_admin --ambient-caps=+sys_admin "$@"
}

meminfo_kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# One sample of every postgres process, as "processes vmpte_kb_summed
# client_backends client_backend_mean_vmpte_kb processes_mapping_a_domain".
# Under TCG a fork costs milliseconds, so this reads /proc with builtins and
# grep -s (which skips a process that has just exited) and sums in one awk.
pg_sample() {
	local d c pids=()
	for d in /proc/[0-9]*; do
		read -r c 2>/dev/null <"$d/comm" || continue
		[ "$c" = postgres ] && pids+=("${d#/proc/}")
	done
	[ ${#pids[@]} -gt 0 ] || return 1
	{
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
		printf "%d %d %d %d %d\n", n, v, b, b ? bv / b : 0, d }'
}

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
# bepte_MODE (mean per client backend), dom_MODE (processes mapping a domain).
run() {
	local mode=$1 log start pid s out rc t
	log=/tmp/pg-$mode.log
	local pt0 pt=0 vm=0 np=0 nb=0 bpte=0 nd=0 info='' n1 n2 n3 n4 n5 p1 t1
	echo "== $mode: start the server"
	pt0=$(meminfo_kb PageTables)
	if [ "$mode" = mshare ]; then
		start=(as_pg_cap env "LD_PRELOAD=$M/libmshare-preload.so"
		       MSHARE_PRELOAD_MIN=256M MSHARE_PRELOAD_DEBUG=1)
	else
		start=(as_pg)
	fi
	"${start[@]}" pg_ctl -D "$PGDATA" -l "$log" -w -t 900 start >/dev/null ||
		{ cat "$log"; die "$mode: the server did not start"; }
	pid=$(head -1 "$PGDATA/postmaster.pid")
	echo "postmaster $pid: $(grep -E '^Cap(Eff|Amb)' /proc/"$pid"/status | tr '\t\n' '  ')"
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
	as_pg pgbench -n -S -c "$CLIENTS" -j 2 -T "$SECS" >"/tmp/pgbench-$mode.out" 2>&1 &
	s=$!
	# Sample every 3 s while all the clients are connected, at a higher
	# priority than the 100 busy backends (under TCG a sample still takes
	# seconds); the last one (the largest: a backend's tables only grow
	# while it lives) is kept.  PageTables is read first (so it errs low,
	# against the stock run more than the mshare one), and the sample is
	# dropped unless every client backend is still there after.
	renice --priority -10 -p $BASHPID >/dev/null
	t=$SECONDS
	while kill -0 $s 2>/dev/null; do
		sleep 3
		t1=$SECONDS
		p1=$(meminfo_kb PageTables)
		out=$(pg_sample) || continue
		read -r n1 n2 n3 n4 n5 <<<"$out"
		[ "$n3" -ge "$CLIENTS" ] || { echo "sample at $((SECONDS - t)) s: $n3 client backends"; continue; }
		pt=$p1 np=$n1 vm=$n2 nb=$n3 bpte=$n4 nd=$n5
		[ "$mode" = mshare ] && info=$($M/msharectl info | tail -1)
		echo "sample at $((SECONDS - t)) s: PageTables $pt kB, $np postgres processes," \
			"VmPTE $vm kB (client backends: $nb, $bpte kB each), $nd mapping a domain" \
			"(took $((SECONDS - t1)) s)"
	done
	renice --priority 0 -p $BASHPID >/dev/null
	set +e
	wait $s
	rc=$?
	set -e
	cat "/tmp/pgbench-$mode.out"
	[ $rc -eq 0 ] || die "$mode: pgbench -S exited $rc"
	[ "$nb" -ge "$CLIENTS" ] || die "$mode: no sample with $CLIENTS client backends"
	[ -z "$info" ] || echo "module during the run: $info"
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
}

run stock
run mshare
echo "== module after the runs"
$M/msharectl info

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
row "PageTables, during the run" "$pt_stock" "$pt_mshare" kB
row "PageTables, run - idle (compared)" "$d_stock" "$d_mshare" kB
row "VmPTE, summed over postgres processes" "$vmpte_stock" "$vmpte_mshare" kB
row "VmPTE, per client backend (mean)" "$bepte_stock" "$bepte_mshare" kB
printf '%-40s%14s%14s\n' "postgres processes mapping a domain" \
	"$dom_stock of $procs_stock" "$dom_mshare of $procs_mshare"
ratio=$(awk -v a="$d_stock" -v b="$d_mshare" 'BEGIN { printf "%.1f", a / b }')
[ "$dom_mshare" -ge "$procs_mshare" ] ||
	die "only $dom_mshare of $procs_mshare postgres processes map the domain"
if awk -v a="$d_stock" -v b="$d_mshare" -v r=$MIN_RATIO 'BEGIN { exit !(a >= r * b) }'; then
	echo "realclient: PASS: page tables (PageTables over idle) ${ratio}x lower with mshare (need ${MIN_RATIO}x)"
else
	die "page tables (PageTables over idle) only ${ratio}x lower with mshare (need ${MIN_RATIO}x)"
fi
