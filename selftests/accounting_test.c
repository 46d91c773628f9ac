// SPDX-License-Identifier: GPL-2.0
/*
 * Where domain memory shows, measured: the table of
 * Documentation/accounting.rst, number by number.
 *
 * A domain is touched (written) by process A, which runs in a memory
 * cgroup of its own, and read by process B, in another; both keep it
 * mapped while the test reads, for each of them and for the system:
 * free's "shared" (sysinfo()), /proc/meminfo (Shmem, MemAvailable,
 * Cached), VmRSS and the Rss* lines of /proc/PID/status (what ps shows),
 * /proc/PID/smaps (the domain's VMA) and smaps_rollup (Rss, Pss,
 * Shared_*, Private_*), /proc/PID/numa_maps, the cgroups' memory.current
 * and memory.stat (shmem, kernel, file, anon), and the module's own
 * counters (GET_INFO data_pages, DOMAIN_GET resident).  Each assertion
 * states what the number is today, exactly or within a stated tolerance,
 * including where the kernel's own walkers are wrong (smaps counts a domain
 * page as private to every attacher).
 *
 * Then memory.max: a member of a cgroup limited to 32 MiB pins a 16 MiB
 * domain's pages (vmsplice into a pipe), discards them and touches the
 * domain again.  The discarded pages stay charged to its cgroup while the
 * pipe holds them (the module's orphan_pages counts them), so the refill
 * cannot take the cgroup over its limit: the member is OOM-killed in its
 * cgroup; memory.peak never passes memory.max; once the pipe is closed the
 * orphans go within a few seconds.
 *
 * Memory cgroups need cgroup v2: it is mounted on /sys/fs/cgroup if it is
 * not there, and +memory is enabled for the root's children.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "mshare.h"
#include "mshare_util.h"
#include "kselftest_harness.h"

#define CG_ROOT		"/sys/fs/cgroup"
#define KB(bytes)	((long long)(bytes) / 1024)	/* signed */
#define DSIZE		(64 * MiB)
#define DPAGES		(DSIZE / PAGE)
#define DKB		(DSIZE / KiB)

/* ---- reading numbers ---- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The whole of a small file into @buf (NUL-terminated): 0 or -1. */
static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, got = 0;

	if (fd < 0)
		return -1;
	while (got < (ssize_t)len - 1 &&
	       (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	buf[got] = 0;
	close(fd);
	return 0;
}

/* The number after "@key " at the start of a line of @path, or -1. */
static long long keyed(const char *path, const char *key)
{
	static char buf[16384];
	size_t klen = strlen(key);
	char *line;

	if (read_file(path, buf, sizeof(buf)))
		return -1;
	for (line = buf; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return strtoll(line + klen + 1, NULL, 10);
	}
	return -1;
}

/* The first number in @path, or -1. */
static long long first_num(const char *path)
{
	char buf[64];

	if (read_file(path, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}

/* /proc/meminfo's @key, kB, after folding the per-CPU counters. */
static long meminfo(const char *key)
{
	vmstat_refresh();
	return meminfo_kb(key);
}

/* free(1)'s "shared": sysinfo()'s sharedram, in kB. */
static long free_shared_kb(void)
{
	struct sysinfo si;

	vmstat_refresh();
	if (sysinfo(&si))
		return -1;
	return (long)(si.sharedram * si.mem_unit / KiB);
}

/* "@key: N kB" of /proc/@pid/@file (status, smaps_rollup), or -1. */
static long pid_kb(pid_t pid, const char *file, const char *key)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return proc_kb(path, key);
}

/*
 * The /proc/@pid/@file (smaps or numa_maps) entry of the VMA that starts
 * at @addr, into @buf: 0, or -1 if there is none.  An smaps entry runs to
 * the next entry's header line.
 */
static int vma_entry(pid_t pid, const char *file, unsigned long addr,
		     char *buf, size_t len)
{
	static char all[1 << 18];
	char path[64], head[32], *s, *e;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if (read_file(path, all, sizeof(all)))
		return -1;
	snprintf(head, sizeof(head), "%lx%c", addr,
		 strcmp(file, "smaps") ? ' ' : '-');
	for (s = all; s; s = strchr(s, '\n')) {
		if (*s == '\n')
			s++;
		if (!strncmp(s, head, strlen(head)))
			break;
	}
	if (!s)
		return -1;
	if (strcmp(file, "smaps")) {
		e = strchr(s, '\n');
	} else {
		/* the next header: a line starting with a hex digit and '-' */
		for (e = strchr(s, '\n'); e && e[1]; e = strchr(e + 1, '\n')) {
			char *dash = strchr(e + 1, '-'), *sp = strchr(e + 1, ' ');

			if (dash && sp && dash < sp &&
			    strspn(e + 1, "0123456789abcdef") ==
			    (size_t)(dash - e - 1))
				break;
		}
	}
	if (e)
		*e = 0;
	n = strlen(s) < len - 1 ? strlen(s) : len - 1;
	memcpy(buf, s, n);
	buf[n] = 0;
	return 0;
}

/* "@key: N kB" in an smaps entry, or -1. */
static long entry_kb(const char *entry, const char *key)
{
	char pat[64];
	const char *s;

	snprintf(pat, sizeof(pat), "\n%s:", key);
	s = strstr(entry, pat);
	return s ? strtol(s + strlen(pat), NULL, 10) : -1;
}

/* Pages of a numa_maps line over every node (N0=...N63=). */
static long numa_sum(const char *line)
{
	long sum = 0, n;
	int nid;

	for (nid = 0; nid < 64; nid++) {
		char key[8];

		snprintf(key, sizeof(key), "N%d", nid);
		n = line_field(line, key, -1);
		if (n > 0)
			sum += n;
	}
	return sum;
}

static uint64_t module_data_pages(struct mshare_nl *nl)
{
	struct mshare_module_info m = MSHARE_INIT(m);

	return mshare_module_info(nl, &m) ? ~0ULL : m.data_pages;
}

static uint64_t module_orphan_pages(struct mshare_nl *nl)
{
	struct mshare_module_info m = MSHARE_INIT(m);

	return mshare_module_info(nl, &m) ? ~0ULL : m.orphan_pages;
}

/* ---- cgroup v2 ---- */

/* cgroup2 on CG_ROOT with the memory controller for its children: 0 or -errno. */
static int cg_init(void)
{
	char buf[512];
	struct statfs s;

	if (statfs(CG_ROOT, &s) || s.f_type != CGROUP2_SUPER_MAGIC) {
		mkdir(CG_ROOT, 0755);
		if (mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL))
			return -errno;
	}
	if (read_file(CG_ROOT "/cgroup.controllers", buf, sizeof(buf)) ||
	    !strstr(buf, "memory"))
		return -ENOENT;
	if (read_file(CG_ROOT "/cgroup.subtree_control", buf, sizeof(buf)))
		return -EIO;
	if (!strstr(buf, "memory") &&
	    write_str(CG_ROOT "/cgroup.subtree_control", "+memory"))
		return -EIO;
	return 0;
}

/* Make cgroup @path (memory.max @max, 0: none): 0 or -errno. */
static int cg_make(const char *path, unsigned long long max)
{
	char file[PATH_MAX], val[32];

	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	if (!max)
		return 0;
	snprintf(file, sizeof(file), "%s/memory.max", path);
	snprintf(val, sizeof(val), "%llu", max);
	return write_str(file, val) ? -EIO : 0;
}

/* Move the calling process into @path: 0 or -1. */
static int cg_enter(const char *path)
{
	char file[PATH_MAX];

	snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	return write_str(file, "0");
}

static long long cg_num(const char *path, const char *name)
{
	char file[PATH_MAX];

	snprintf(file, sizeof(file), "%s/%s", path, name);
	return first_num(file);
}

/* @key of @path's memory.stat (bytes) or memory.events, or -1. */
static long long cg_key(const char *path, const char *file, const char *key)
{
	char name[PATH_MAX];

	snprintf(name, sizeof(name), "%s/%s", path, file);
	return keyed(name, key);
}

/* ---- workers: processes that attach and touch on command ---- */

enum {
	W_ATTACH = 'a',		/* attach the domain (reply: its address) */
	W_WRITE = 'w',		/* write a word in every page */
	W_READ = 'r',		/* read a word of every page */
	W_SPLICE = 's',		/* vmsplice the whole mapping into fd 100 */
	W_DISCARD = 'd',	/* MSHARE_IOC_DISCARD the whole domain */
	W_QUIT = 'q',
};

#define SPLICE_FD	100

struct worker {
	pid_t pid;
	int cmd, reply;		/* our ends */
	unsigned long addr;	/* where it mapped the domain */
};

static void worker_main(const char *name, int cmd, int reply)
{
	volatile char *p = NULL;
	size_t size = 0;
	int64_t r;
	char c;

	while (read(cmd, &c, 1) == 1) {
		r = 0;
		switch (c) {
		case W_ATTACH: {
			void *q;

			r = attach_dom(name, 0, &q, &size);
			if (!r) {
				p = q;
				r = (int64_t)(unsigned long)q;
			}
			break;
		}
		case W_WRITE:
			for (size_t o = 0; o < size; o += PAGE)
				p[o] = 1;
			break;
		case W_READ:
			for (size_t o = 0; o < size; o += PAGE)
				r += p[o];
			r = 0;
			break;
		case W_SPLICE: {
			struct iovec iov = { .iov_base = (void *)p,
					     .iov_len = size };

			r = vmsplice(SPLICE_FD, &iov, 1, SPLICE_F_NONBLOCK);
			if (r < 0)
				r = -errno;
			break;
		}
		case W_DISCARD: {
			struct mshare_discard d = { .offset = 0, .length = size };
			int fd = open_dev();

			r = fd < 0 || attach_fd(fd, name) ||
			    ioctl(fd, MSHARE_IOC_DISCARD, &d) ? -errno : 0;
			if (fd >= 0)
				close(fd);
			break;
		}
		case W_QUIT:
			_exit(0);
		default:
			r = -EINVAL;
		}
		if (write(reply, &r, sizeof(r)) != sizeof(r))
			_exit(3);
	}
	_exit(0);
}

/* Start a worker for domain @name in cgroup @cg (NULL: ours): 0 or -1. */
static int worker_start(struct worker *w, const char *name, const char *cg)
{
	int c[2], r[2];

	if (pipe2(c, O_CLOEXEC) || pipe2(r, O_CLOEXEC))
		return -1;
	w->pid = flush_fork();
	if (w->pid < 0)
		return -1;
	if (w->pid == 0) {
		close(c[1]);
		close(r[0]);
		if (cg && cg_enter(cg))
			_exit(2);
		/*
		 * Its text is on the VM's tmpfs: faulted in later, it would
		 * move RssShmem.  Fault it all in now (not locked: the OOM
		 * test needs nothing pinned but what it pins).
		 */
		if (mlockall(MCL_CURRENT) || munlockall())
			_exit(4);
		worker_main(name, c[0], r[1]);
	}
	close(c[0]);
	close(r[1]);
	w->cmd = c[1];
	w->reply = r[0];
	return 0;
}

/*
 * Send @c and wait for the reply: its value (>= 0, or -errno), or
 * INT64_MIN when the worker died first.
 */
static int64_t worker_do(struct worker *w, char c)
{
	int64_t r;

	if (write(w->cmd, &c, 1) != 1 ||
	    read(w->reply, &r, sizeof(r)) != sizeof(r))
		return INT64_MIN;
	if (c == W_ATTACH && r > 0)
		w->addr = (unsigned long)r;
	return r;
}

/* Stop the worker (if it still runs): its exit status as wait_exit_code(). */
static int worker_stop(struct worker *w)
{
	int ret;

	char c = W_QUIT;

	if (w->pid <= 0)
		return -1;
	/* (not EOF: workers forked later hold our end too) */
	if (write(w->cmd, &c, 1) != 1)
		kill(w->pid, SIGKILL);
	close(w->cmd);
	close(w->reply);
	ret = wait_exit_code(w->pid);
	w->pid = 0;
	return ret;
}

/* ---- the two attachers ---- */

FIXTURE(acct) {
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	char cg_a[64], cg_b[64];
	struct worker a, b;
};

FIXTURE_SETUP(acct)
{
	int err = cg_init();

	signal(SIGPIPE, SIG_IGN);	/* a dead worker's pipe: EPIPE */
	if (err)
		SKIP(return, "no cgroup v2 memory controller: %s", strerror(-err));
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "acct-%d", (int)getpid());
	snprintf(self->cg_a, sizeof(self->cg_a), CG_ROOT "/mshare-a-%d",
		 (int)getpid());
	snprintf(self->cg_b, sizeof(self->cg_b), CG_ROOT "/mshare-b-%d",
		 (int)getpid());
	ASSERT_EQ(0, cg_make(self->cg_a, 0));
	ASSERT_EQ(0, cg_make(self->cg_b, 0));
}

FIXTURE_TEARDOWN(acct)
{
	if (self->a.pid > 0)
		worker_stop(&self->a);
	if (self->b.pid > 0)
		worker_stop(&self->b);
	mshare_domain_destroy(self->nl, self->name);
	rmdir(self->cg_a);
	rmdir(self->cg_b);
	mshare_nl_close(self->nl);
}

/* kB within [@lo, @hi], logged either way. */
#define EXPECT_KB_IN(what, v, lo, hi) do {				\
	long long _v = (v);						\
	TH_LOG("%-44s %10lld kB (expected %lld..%lld)", what, _v,	\
	       (long long)(lo), (long long)(hi));			\
	EXPECT_LE((long long)(lo), _v);					\
	EXPECT_GE((long long)(hi), _v);					\
} while (0)

/*
 * A writes every page of a 64 MiB domain, B reads every page; both keep
 * it mapped.  What every counter shows for the domain's 64 MiB.
 */
TEST_F_TIMEOUT(acct, two_attachers_every_counter, 300)
{
	long shmem0, shared0, avail0, cached0, rss_a0, rss_b0;
	long rss_shm_a0, rss_shm_b0, rss_file_a0;
	long long cur_a0, cur_b0, shm_a0, kern_a0, file_a0, anon_a0;
	struct mshare_domain_info d = MSHARE_INIT(d);
	char entry[4096], line[1024], want[MSHARE_NAME_MAX + 16];
	uint64_t data0;
	long v;
	int i;

	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE, 0, &d));
	ASSERT_EQ(0, worker_start(&self->a, self->name, self->cg_a));
	ASSERT_EQ(0, worker_start(&self->b, self->name, self->cg_b));
	ASSERT_LT(0, worker_do(&self->a, W_ATTACH));
	ASSERT_LT(0, worker_do(&self->b, W_ATTACH));

	/* Before anyone touches it (the tables are the creator's: ours). */
	shmem0 = meminfo("Shmem");
	shared0 = free_shared_kb();
	avail0 = meminfo("MemAvailable");
	cached0 = meminfo("Cached");
	rss_a0 = status_kb(self->a.pid, "VmRSS");
	rss_b0 = status_kb(self->b.pid, "VmRSS");
	rss_shm_a0 = status_kb(self->a.pid, "RssShmem");
	rss_shm_b0 = status_kb(self->b.pid, "RssShmem");
	rss_file_a0 = status_kb(self->a.pid, "RssFile");
	cur_a0 = cg_num(self->cg_a, "memory.current");
	cur_b0 = cg_num(self->cg_b, "memory.current");
	shm_a0 = cg_key(self->cg_a, "memory.stat", "shmem");
	kern_a0 = cg_key(self->cg_a, "memory.stat", "kernel");
	file_a0 = cg_key(self->cg_a, "memory.stat", "file");
	anon_a0 = cg_key(self->cg_a, "memory.stat", "anon");
	data0 = module_data_pages(self->nl);

	ASSERT_EQ(0, worker_do(&self->a, W_WRITE));
	ASSERT_EQ(0, worker_do(&self->b, W_READ));
	/* memory.stat is flushed every 2 s (and on reads past a threshold) */
	sleep(3);

	/* The module: 16384 data pages, resident in the domain. */
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(DPAGES, d.resident);
	EXPECT_EQ(DPAGES, module_data_pages(self->nl) - data0);

	/* meminfo Shmem and free's shared: the domain once, not per attacher. */
	EXPECT_KB_IN("meminfo Shmem", meminfo("Shmem") - shmem0,
		     DKB - 256, DKB + 256);
	EXPECT_KB_IN("free shared (sysinfo sharedram)",
		     free_shared_kb() - shared0, DKB - 256, DKB + 256);
	/*
	 * Not reclaimable, not page cache: MemAvailable drops, Cached stays.
	 * MemAvailable also moves with whatever else the system does
	 * meanwhile (72064 and 55640 kB seen for 64 MiB): half to 1.5 times.
	 */
	EXPECT_KB_IN("meminfo MemAvailable drop", avail0 - meminfo("MemAvailable"),
		     DKB / 2, DKB + DKB / 2);
	EXPECT_KB_IN("meminfo Cached", meminfo("Cached") - cached0,
		     -2048, 2048);

	/*
	 * VmRSS (ps): every domain page in each attacher, as RssShmem (as
	 * for a shared memory segment): A filled them, B linked the tables
	 * once they were full (kmod/attach.c, "RSS").
	 */
	EXPECT_KB_IN("A VmRSS", status_kb(self->a.pid, "VmRSS") - rss_a0,
		     DKB, DKB + 1024);
	EXPECT_KB_IN("B VmRSS", status_kb(self->b.pid, "VmRSS") - rss_b0,
		     DKB, DKB + 1024);
	EXPECT_KB_IN("A RssShmem", status_kb(self->a.pid, "RssShmem") - rss_shm_a0,
		     DKB, DKB);
	EXPECT_KB_IN("B RssShmem", status_kb(self->b.pid, "RssShmem") - rss_shm_b0,
		     DKB, DKB);
	EXPECT_EQ(rss_file_a0, status_kb(self->a.pid, "RssFile"));

	/*
	 * smaps of the domain's VMA: in each attacher every page it links,
	 * counted as private to it (refcount 1, no rmap): Rss = Pss =
	 * Private_Dirty = 64 MiB, Shared_* = 0.  Summed, Pss says 128 MiB.
	 */
	for (i = 0; i < 2; i++) {
		struct worker *w = i ? &self->b : &self->a;

		ASSERT_EQ(0, vma_entry(w->pid, "smaps", w->addr, entry,
				       sizeof(entry)));
		TH_LOG("%c: smaps Rss %ld Pss %ld Shared_Clean %ld Shared_Dirty %ld Private_Clean %ld Private_Dirty %ld Referenced %ld",
		       'A' + i, entry_kb(entry, "Rss"), entry_kb(entry, "Pss"),
		       entry_kb(entry, "Shared_Clean"),
		       entry_kb(entry, "Shared_Dirty"),
		       entry_kb(entry, "Private_Clean"),
		       entry_kb(entry, "Private_Dirty"),
		       entry_kb(entry, "Referenced"));
		EXPECT_EQ(DKB, entry_kb(entry, "Rss"));
		EXPECT_EQ(DKB, entry_kb(entry, "Pss"));
		EXPECT_EQ(0, entry_kb(entry, "Shared_Clean"));
		EXPECT_EQ(0, entry_kb(entry, "Shared_Dirty"));
		EXPECT_EQ(DKB, entry_kb(entry, "Private_Clean") +
			       entry_kb(entry, "Private_Dirty"));
		EXPECT_EQ(DKB, entry_kb(entry, "Private_Dirty"));

		/* smaps_rollup: the same 64 MiB on top of the process's own */
		v = pid_kb(w->pid, "smaps_rollup", "Rss");
		EXPECT_KB_IN(i ? "B smaps_rollup Rss" : "A smaps_rollup Rss",
			     v, DKB, DKB + 8192);
		v = pid_kb(w->pid, "smaps_rollup", "Pss");
		EXPECT_KB_IN(i ? "B smaps_rollup Pss" : "A smaps_rollup Pss",
			     v, DKB, DKB + 8192);
		v = pid_kb(w->pid, "smaps_rollup", "Private_Dirty");
		EXPECT_KB_IN(i ? "B smaps_rollup Private_Dirty" :
				 "A smaps_rollup Private_Dirty",
			     v, DKB, DKB + 8192);

		/* numa_maps: every page once per attacher, dirty, per node */
		ASSERT_EQ(0, vma_entry(w->pid, "numa_maps", w->addr, line,
				       sizeof(line)));
		TH_LOG("%c: numa_maps %s", 'A' + i, line);
		snprintf(want, sizeof(want), " file=mshare:[%s]", self->name);
		EXPECT_NE(NULL, strstr(line, want));
		EXPECT_EQ(DPAGES, line_field(line, "dirty", -1));
		EXPECT_EQ(-1, line_field(line, "anon", -1));
		EXPECT_EQ(DPAGES, numa_sum(line));
	}

	/*
	 * memory cgroups: A, the first toucher, is charged the 64 MiB, as
	 * kernel memory (__GFP_ACCOUNT) that counts as shmem; B nothing.
	 */
	EXPECT_KB_IN("A memory.current",
		     KB(cg_num(self->cg_a, "memory.current") - cur_a0),
		     DKB, DKB + 2048);
	EXPECT_KB_IN("A memory.stat shmem",
		     KB(cg_key(self->cg_a, "memory.stat", "shmem") - shm_a0),
		     DKB - 1024, DKB + 1024);
	EXPECT_KB_IN("A memory.stat kernel",
		     KB(cg_key(self->cg_a, "memory.stat", "kernel") - kern_a0),
		     DKB - 1024, DKB + 2048);
	EXPECT_KB_IN("A memory.stat file",
		     KB(cg_key(self->cg_a, "memory.stat", "file") - file_a0),
		     -1024, 1024);
	EXPECT_KB_IN("A memory.stat anon",
		     KB(cg_key(self->cg_a, "memory.stat", "anon") - anon_a0),
		     -1024, 1024);
	EXPECT_KB_IN("B memory.current",
		     KB(cg_num(self->cg_b, "memory.current") - cur_b0),
		     -2048, 2048);
	EXPECT_KB_IN("B memory.stat shmem",
		     KB(cg_key(self->cg_b, "memory.stat", "shmem")), 0, 0);

	/* A leaves: the pages stay, and stay charged to A's cgroup. */
	EXPECT_EQ(0, worker_stop(&self->a));
	sleep(3);
	EXPECT_KB_IN("A memory.stat shmem, A gone",
		     KB(cg_key(self->cg_a, "memory.stat", "shmem")),
		     DKB - 1024, DKB + 1024);
	EXPECT_KB_IN("meminfo Shmem, A gone", meminfo("Shmem") - shmem0,
		     DKB - 256, DKB + 256);

	/* The domain goes (deleted, B detaches): every count comes back. */
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, self->name));
	EXPECT_EQ(0, worker_stop(&self->b));
	EXPECT_EQ(0, module_data_pages(self->nl) - data0);
	EXPECT_KB_IN("meminfo Shmem, domain freed", meminfo("Shmem") - shmem0,
		     -256, 256);
	sleep(3);
	EXPECT_KB_IN("A memory.stat shmem, domain freed",
		     KB(cg_key(self->cg_a, "memory.stat", "shmem")),
		     -1024, 1024);
	EXPECT_KB_IN("A memory.current, domain freed",
		     KB(cg_num(self->cg_a, "memory.current") - cur_a0),
		     -2048, 2048);
}

/*
 * Prefault at creation, and the domain's tables: charged to the creator's
 * cgroup (here a child that creates the domain from inside cgroup A).
 */
TEST_F_TIMEOUT(acct, prefault_and_tables_charge_the_creator, 300)
{
	long long cur0, shm0, pt0;
	pid_t pid;

	cur0 = cg_num(self->cg_a, "memory.current");
	shm0 = cg_key(self->cg_a, "memory.stat", "shmem");
	pt0 = cg_key(self->cg_a, "memory.stat", "pagetables");
	pid = flush_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct mshare_nl *nl;

		if (cg_enter(self->cg_a) || nl_open(&nl))
			_exit(2);
		_exit(create_domain(nl, self->name, DSIZE,
				    MSHARE_DOMAIN_F_PREFAULT, NULL) ? 1 : 0);
	}
	ASSERT_EQ(0, wait_exit_code(pid));
	sleep(3);
	/* 64 MiB of data + 32 PTE tables + 1 PMD table (132 kB) */
	EXPECT_KB_IN("creator's memory.current",
		     KB(cg_num(self->cg_a, "memory.current") - cur0),
		     DKB + 132, DKB + 2048);
	EXPECT_KB_IN("creator's memory.stat shmem",
		     KB(cg_key(self->cg_a, "memory.stat", "shmem") - shm0),
		     DKB - 1024, DKB + 1024);
	/* the domain's 33 table pages; the creator's own went with it */
	EXPECT_KB_IN("creator's memory.stat pagetables",
		     KB(cg_key(self->cg_a, "memory.stat", "pagetables") - pt0),
		     132, 132);
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, self->name));
	sleep(3);
	EXPECT_KB_IN("creator's memory.current, domain freed",
		     KB(cg_num(self->cg_a, "memory.current") - cur0),
		     -2048, 1024);
}

/*
 * A migrated page is charged where its old copy was: the toucher's cgroup
 * keeps the charge when an administrator moves the domain to the other
 * node (the administrator's cgroup, ours, gets none of it).
 */
TEST_F_TIMEOUT(acct, migration_keeps_the_charge, 300)
{
	struct mshare_migrate_result res = MSHARE_INIT(res);
	struct mshare_domain_stats st = MSHARE_INIT(st);
	long long cur0, cur1, shm1;
	char line[1024];
	int target;

	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "one NUMA node");
	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE, 0, NULL));
	ASSERT_EQ(0, worker_start(&self->a, self->name, self->cg_a));
	ASSERT_LT(0, worker_do(&self->a, W_ATTACH));
	cur0 = cg_num(self->cg_a, "memory.current");
	ASSERT_EQ(0, worker_do(&self->a, W_WRITE));
	sleep(3);
	cur1 = cg_num(self->cg_a, "memory.current");
	shm1 = cg_key(self->cg_a, "memory.stat", "shmem");
	EXPECT_KB_IN("toucher's memory.current", KB(cur1 - cur0),
		     DKB, DKB + 2048);

	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, &st));
	target = st.home_node == 0 ? 1 : 0;
	ASSERT_EQ(0, mshare_domain_migrate(self->nl, self->name, target, 0,
					   0, &res));
	EXPECT_EQ(DPAGES, res.total);
	ASSERT_EQ(0, worker_do(&self->a, W_READ));
	sleep(3);
	EXPECT_KB_IN("toucher's memory.current after migration",
		     KB(cg_num(self->cg_a, "memory.current") - cur1),
		     -2048, 2048);
	EXPECT_KB_IN("toucher's memory.stat shmem after migration",
		     KB(cg_key(self->cg_a, "memory.stat", "shmem") - shm1),
		     -1024, 1024);
	ASSERT_EQ(0, vma_entry(self->a.pid, "numa_maps", self->a.addr, line,
			       sizeof(line)));
	TH_LOG("numa_maps after migration to node %d: %s", target, line);
	{
		char key[8];

		snprintf(key, sizeof(key), "N%d", target);
		EXPECT_EQ(DPAGES - res.skipped, line_field(line, key, -1));
	}
}

/* ---- memory.max and the pin + discard + refill pattern ---- */

#define MAX_CG		(32 * MiB)
#define PSIZE		(16 * MiB)
#define PPAGES		(PSIZE / PAGE)

FIXTURE(limit) {
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	char cg[64];
	struct worker m;
	int pipe_fd[2];
};

FIXTURE_SETUP(limit)
{
	int err = cg_init();

	signal(SIGPIPE, SIG_IGN);	/* a dead worker's pipe: EPIPE */
	self->pipe_fd[0] = self->pipe_fd[1] = -1;
	if (err)
		SKIP(return, "no cgroup v2 memory controller: %s", strerror(-err));
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "acct-max-%d", (int)getpid());
	snprintf(self->cg, sizeof(self->cg), CG_ROOT "/mshare-max-%d",
		 (int)getpid());
	ASSERT_EQ(0, cg_make(self->cg, MAX_CG));
}

FIXTURE_TEARDOWN(limit)
{
	if (self->m.pid > 0)
		worker_stop(&self->m);
	if (self->pipe_fd[0] >= 0)
		close(self->pipe_fd[0]);
	if (self->pipe_fd[1] >= 0)
		close(self->pipe_fd[1]);
	mshare_domain_destroy(self->nl, self->name);
	rmdir(self->cg);
	mshare_nl_close(self->nl);
}

/*
 * The member (in a cgroup with memory.max 32M) touches all of a 16 MiB
 * domain, vmsplices it into a pipe (which we hold too), discards it and
 * touches it again.  The discarded pages are orphans: out of the domain,
 * held by the pipe, still charged to the member's cgroup and counted by
 * the module.  So the refill runs into memory.max: the cgroup's OOM killer
 * kills the member (SIGKILL; memory.events oom_kill); memory.peak stays
 * within memory.max.  When we close the pipe the orphans are freed within
 * a few seconds and uncharged.  The OOM report's stack dump is expected:
 * the test brackets it for scripts/vm-run's log check.
 */
TEST_F_TIMEOUT(limit, pin_discard_refill_stays_within_memory_max, 300)
{
	uint64_t data0, orphan0;
	long long peak, oom0;
	struct mshare_domain_info d = MSHARE_INIT(d);
	int64_t r;
	double end;
	int status;

	ASSERT_EQ(0, create_domain(self->nl, self->name, PSIZE, 0, NULL));
	ASSERT_EQ(0, pipe2(self->pipe_fd, O_CLOEXEC));
	ASSERT_LE((int)PSIZE, fcntl(self->pipe_fd[1], F_SETPIPE_SZ, PSIZE));
	/* the member's vmsplice() target */
	ASSERT_EQ(SPLICE_FD, dup2(self->pipe_fd[1], SPLICE_FD));
	data0 = module_data_pages(self->nl);
	orphan0 = module_orphan_pages(self->nl);
	oom0 = cg_key(self->cg, "memory.events", "oom_kill");

	ASSERT_EQ(0, worker_start(&self->m, self->name, self->cg));
	close(SPLICE_FD);
	ASSERT_LT(0, worker_do(&self->m, W_ATTACH));
	ASSERT_EQ(0, worker_do(&self->m, W_WRITE));
	EXPECT_KB_IN("member's memory.current, domain touched",
		     KB(cg_num(self->cg, "memory.current")),
		     PSIZE / KiB, PSIZE / KiB + 4096);
	/* the pipe takes a reference on every page */
	ASSERT_EQ((int64_t)PSIZE, worker_do(&self->m, W_SPLICE));
	/* discard: the pages leave the domain, the pipe keeps them */
	ASSERT_EQ(0, worker_do(&self->m, W_DISCARD));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(0, d.resident);
	EXPECT_EQ(PPAGES, module_orphan_pages(self->nl) - orphan0);
	EXPECT_EQ(PPAGES, module_data_pages(self->nl) - data0);
	EXPECT_KB_IN("member's memory.current, discarded while pinned",
		     KB(cg_num(self->cg, "memory.current")),
		     PSIZE / KiB, PSIZE / KiB + 4096);

	/* the refill: 16 MiB more would pass 32M (scripts/vm-run: expected) */
	write_str("/dev/kmsg", "mshare-selftest: expect oom-kill\n");
	r = worker_do(&self->m, W_WRITE);
	EXPECT_EQ(INT64_MIN, r) TH_LOG("the refill returned %lld", (long long)r);
	ASSERT_EQ(self->m.pid, waitpid(self->m.pid, &status, 0));
	write_str("/dev/kmsg", "mshare-selftest: expect end\n");
	self->m.pid = 0;
	close(self->m.cmd);
	close(self->m.reply);
	TH_LOG("member: %s %d", WIFSIGNALED(status) ? "signal" : "exit",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	EXPECT_EQ(oom0 + 1, cg_key(self->cg, "memory.events", "oom_kill"));
	peak = cg_num(self->cg, "memory.peak");
	TH_LOG("memory.peak %lld kB, memory.max %llu kB", KB(peak),
	       (unsigned long long)MAX_CG / KiB);
	EXPECT_GE((long long)MAX_CG, peak);
	EXPECT_LE((long long)(PSIZE + PSIZE / 2), peak);

	/* the pins hold: the orphans are still counted and charged */
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	TH_LOG("refilled before the kill: %llu pages",
	       (unsigned long long)d.resident);
	EXPECT_GT(PPAGES, d.resident);
	EXPECT_EQ(PPAGES, module_orphan_pages(self->nl) - orphan0);
	EXPECT_EQ(PPAGES + d.resident, module_data_pages(self->nl) - data0);
	EXPECT_KB_IN("memory.current, member dead, pipe open",
		     KB(cg_num(self->cg, "memory.current")),
		     (PSIZE + d.resident * PAGE) / KiB,
		     (PSIZE + d.resident * PAGE) / KiB + 4096);

	/* release the pins: the orphans go within a few seconds */
	close(self->pipe_fd[0]);
	close(self->pipe_fd[1]);
	self->pipe_fd[0] = self->pipe_fd[1] = -1;
	end = now() + 5;
	while (module_orphan_pages(self->nl) != orphan0 && now() < end)
		usleep(100 * 1000);
	EXPECT_EQ(orphan0, module_orphan_pages(self->nl));
	EXPECT_EQ(d.resident, module_data_pages(self->nl) - data0);
	EXPECT_KB_IN("memory.current, pins released",
		     KB(cg_num(self->cg, "memory.current")),
		     d.resident * PAGE / KiB, d.resident * PAGE / KiB + 4096);
}

TEST_HARNESS_MAIN
