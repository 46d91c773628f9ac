// SPDX-License-Identifier: GPL-2.0
/*
 * sysv_victim: the program sysv_test runs with LD_PRELOAD set to
 * libmshare-preload.so.  It knows nothing of mshare: it makes the System V
 * shared memory calls its arguments say, one after the other, and prints
 * one line per call (what the test parses):
 *
 *   get:KEY:SIZE:FLAGS   shmget(KEY, SIZE, FLAGS); the id becomes current
 *                        "get errno=E id=ID"
 *   id:ID                make ID current ("id id=ID")
 *   at:ADDR:FLAGS        shmat(current, ADDR, FLAGS); the address becomes
 *                        current.  ADDR: 0, or "free+OFF": a free 2 MiB-
 *                        aligned address plus OFF bytes
 *                        "at errno=E addr=A asked=A domain=NAME|- vma=BYTES"
 *   dt                   shmdt(current address) "dt errno=E"
 *   fill:SEED:LEN        write page_pattern(SEED) into LEN bytes' pages
 *   check:SEED:LEN       "check bad=PAGES" (SEED 0: every page must read 0)
 *   write                a child writes the current address: "write sig=S"
 *                        (0 if the write worked)
 *   stat                 shmctl(IPC_STAT): "stat errno=E key=K uid=U gid=G
 *                        cuid=U cgid=G mode=M segsz=S nattch=N cpid=P
 *                        lpid=P ctime=T atime=T dtime=T"
 *   set:MODE[:UID:GID]   shmctl(IPC_SET) "set errno=E"
 *   rmid                 shmctl(IPC_RMID) "rmid errno=E"
 *   ctl:CMD              shmctl(current, CMD, buffer) "ctl errno=E ret=R"
 *   info                 shmctl(0, SHM_INFO): "info errno=E used_ids=N
 *                        shm_tot=PAGES"
 *   fork:SEED:LEN        a child checks the inherited attachment (SEED),
 *                        attaches the id itself and checks that too, then
 *                        shmdt()s both: "fork bad=N at_errno=E bad2=N dt=E dt2=E"
 *   wait                 "waiting", then wait for a byte (or EOF) on stdin
 *   pid                  "pid pid=PID"
 *
 * Numbers take C prefixes (0x, 0); SIZE and LEN also K, M, G suffixes and
 * a "+N" tail ("8M+100").  Exit status: 0.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mshare_util.h"

static int cur_id = -1;
static char *cur_addr;

static unsigned long long num(const char *s, const char **end)
{
	char *e;
	unsigned long long v = strtoull(s, &e, 0);

	switch (*e) {
	case 'G': v <<= 10; /* fall through */
	case 'M': v <<= 10; /* fall through */
	case 'K': v <<= 10; e++; break;
	}
	if (*e == '+')
		v += strtoull(e + 1, &e, 0);
	if (end)
		*end = e;
	return v;
}

/* Field @i (0-based) of "op:a:b:c", or NULL. */
static const char *field(const char *op, int i)
{
	while (i-- > 0) {
		op = strchr(op, ':');
		if (!op)
			return NULL;
		op++;
	}
	return op;
}

static unsigned long long fnum(const char *op, int i, unsigned long long def)
{
	const char *f = field(op, i);

	return f && *f && *f != ':' ? num(f, NULL) : def;
}

/* The maps line holding @p: its length and its domain name (or "-"). */
static void maps_lookup(const void *p, unsigned long long *vma, char *name,
			size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");

	*vma = 0;
	snprintf(name, len, "-");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		char *m = strstr(line, "mshare:[");

		if (sscanf(line, "%lx-%lx", &s, &e) != 2 ||
		    (unsigned long)p < s || (unsigned long)p >= e)
			continue;
		*vma = e - s;
		if (m) {
			char *end = strchr(m, ']');

			m += strlen("mshare:[");
			if (end && (size_t)(end - m) < len) {
				memcpy(name, m, end - m);
				name[end - m] = 0;
			}
		}
	}
	fclose(f);
}

/* A free 2 MiB-aligned address with 64 MiB free after it. */
static uintptr_t free_address(void)
{
	void *p = mmap(NULL, 68 * MiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return 0;
	a = ((uintptr_t)p + 2 * MiB - 1) & ~(uintptr_t)(2 * MiB - 1);
	munmap(p, 68 * MiB);
	return a;
}

static uint64_t check_pages(const char *p, uint64_t len, uint64_t seed)
{
	uint64_t i, pages = len / PAGE, bad = 0;

	if (seed)
		return count_bad(p, 0, pages, seed);
	for (i = 0; i < pages; i++)
		if (*(const volatile uint64_t *)(p + i * PAGE))
			bad++;
	return bad;
}

static void do_stat(void)
{
	struct shmid_ds ds;
	int e = shmctl(cur_id, IPC_STAT, &ds) ? errno : 0;

	if (e) {
		memset(&ds, 0, sizeof(ds));
		ds.shm_perm.__key = -1;
	}
	printf("stat errno=%d key=0x%08x uid=%u gid=%u cuid=%u cgid=%u mode=0%o segsz=%zu nattch=%lu cpid=%d lpid=%d ctime=%lld atime=%lld dtime=%lld\n",
	       e, (unsigned int)ds.shm_perm.__key, ds.shm_perm.uid,
	       ds.shm_perm.gid, ds.shm_perm.cuid, ds.shm_perm.cgid,
	       ds.shm_perm.mode, ds.shm_segsz, (unsigned long)ds.shm_nattch,
	       ds.shm_cpid, ds.shm_lpid, (long long)ds.shm_ctime,
	       (long long)ds.shm_atime, (long long)ds.shm_dtime);
}

static void do_fork(const char *op)
{
	uint64_t seed = fnum(op, 1, 0), len = fnum(op, 2, 0);
	pid_t pid = flush_fork();

	if (pid == 0) {
		uint64_t bad = check_pages(cur_addr, len, seed), bad2 = ~0ULL;
		char *q = shmat(cur_id, NULL, 0);
		int at_e = q == (void *)-1 ? errno : 0, dt, dt2 = -1;

		if (!at_e) {
			bad2 = check_pages(q, len, seed);
			dt2 = shmdt(q) ? errno : 0;
		}
		dt = shmdt(cur_addr) ? errno : 0;
		printf("fork bad=%llu at_errno=%d bad2=%lld dt=%d dt2=%d\n",
		       (unsigned long long)bad, at_e, (long long)bad2, dt, dt2);
		fflush(stdout);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static void run(const char *op)
{
	char name[MSHARE_NAME_MAX + 16];
	unsigned long long vma;
	int e;

	if (!strncmp(op, "get:", 4)) {
		int id = shmget((key_t)fnum(op, 1, 0), fnum(op, 2, 0), fnum(op, 3, 0));

		e = id < 0 ? errno : 0;
		if (id >= 0)
			cur_id = id;
		printf("get errno=%d id=%d\n", e, id);
	} else if (!strncmp(op, "id:", 3)) {
		cur_id = fnum(op, 1, 0);
		printf("id id=%d\n", cur_id);
	} else if (!strncmp(op, "at:", 3)) {
		const char *a = field(op, 1);
		uintptr_t asked = 0;
		char *p;

		if (a && !strncmp(a, "free", 4))
			asked = free_address() + (a[4] == '+' ? num(a + 5, NULL) : 0);
		else
			asked = fnum(op, 1, 0);
		p = shmat(cur_id, (void *)asked, fnum(op, 2, 0));
		e = p == (void *)-1 ? errno : 0;
		if (!e)
			cur_addr = p;
		maps_lookup(e ? NULL : p, &vma, name, sizeof(name));
		printf("at errno=%d addr=%#lx asked=%#lx domain=%s vma=%llu\n", e,
		       e ? 0UL : (unsigned long)p, (unsigned long)asked, name, vma);
	} else if (!strcmp(op, "dt")) {
		printf("dt errno=%d\n", shmdt(cur_addr) ? errno : 0);
	} else if (!strncmp(op, "fill:", 5)) {
		fill_pattern(cur_addr, 0, fnum(op, 2, 0) / PAGE, fnum(op, 1, 0));
		printf("fill\n");
	} else if (!strncmp(op, "check:", 6)) {
		printf("check bad=%llu\n", (unsigned long long)
		       check_pages(cur_addr, fnum(op, 2, 0), fnum(op, 1, 0)));
	} else if (!strcmp(op, "write")) {
		pid_t pid = flush_fork();

		if (pid == 0) {
			*(volatile uint64_t *)cur_addr = 42;
			_exit(0);
		}
		e = wait_exit_code(pid);
		printf("write sig=%d\n", e >= 128 ? e - 128 : 0);
	} else if (!strcmp(op, "stat")) {
		do_stat();
	} else if (!strncmp(op, "set:", 4)) {
		struct shmid_ds ds;

		e = shmctl(cur_id, IPC_STAT, &ds) ? errno : 0;
		if (!e) {
			ds.shm_perm.mode = fnum(op, 1, 0);
			ds.shm_perm.uid = fnum(op, 2, ds.shm_perm.uid);
			ds.shm_perm.gid = fnum(op, 3, ds.shm_perm.gid);
			e = shmctl(cur_id, IPC_SET, &ds) ? errno : 0;
		}
		printf("set errno=%d\n", e);
	} else if (!strcmp(op, "rmid")) {
		printf("rmid errno=%d\n", shmctl(cur_id, IPC_RMID, NULL) ? errno : 0);
	} else if (!strncmp(op, "ctl:", 4)) {
		struct shmid_ds ds;
		int r = shmctl(cur_id, fnum(op, 1, 0), &ds);

		printf("ctl errno=%d ret=%d\n", r < 0 ? errno : 0, r);
	} else if (!strcmp(op, "info")) {
		struct shm_info si;

		memset(&si, 0, sizeof(si));
		e = shmctl(0, SHM_INFO, (struct shmid_ds *)&si) < 0 ? errno : 0;
		printf("info errno=%d used_ids=%d shm_tot=%lu\n", e, si.used_ids,
		       si.shm_tot);
	} else if (!strncmp(op, "fork:", 5)) {
		do_fork(op);
	} else if (!strcmp(op, "wait")) {
		char c;

		printf("waiting\n");
		fflush(stdout);
		if (read(STDIN_FILENO, &c, 1) < 0)
			perror("read");
	} else if (!strcmp(op, "pid")) {
		printf("pid pid=%d\n", (int)getpid());
	} else {
		printf("unknown op %s\n", op);
	}
}

int main(int argc, char **argv)
{
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++)
		run(argv[i]);
	printf("done\n");
	return 0;
}
