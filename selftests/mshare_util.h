/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the mshare selftests and their helper program
 * mshare_attacher: sizes, /dev/mshare, the module, /proc readings, the
 * page pattern mshare_attacher fills and verifies, and starting that
 * program and reading its report.
 */
#ifndef MSHARE_SELFTEST_UTIL_H
#define MSHARE_SELFTEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mshare_nl.h"

#define KiB	(1ULL << 10)
#define MiB	(1ULL << 20)
#define GiB	(1ULL << 30)
#define PAGE	4096UL

#define DEV_PATH	"/dev/" MSHARE_DEVICE_NAME

/* ---- /dev/mshare and domains ---- */

static inline int open_dev(void)
{
	return open(DEV_PATH, O_RDWR | O_CLOEXEC);
}

/* A zeroed MSHARE_IOC_ATTACH request for @name (cut to fit). */
static inline void attach_req(struct mshare_attach *at, const char *name)
{
	memset(at, 0, sizeof(*at));
	memcpy(at->name, name, strnlen(name, sizeof(at->name) - 1));
}

/* MSHARE_IOC_ATTACH @fd to @name: 0 or errno. */
static inline int attach_fd(int fd, const char *name)
{
	struct mshare_attach at;

	attach_req(&at, name);
	return ioctl(fd, MSHARE_IOC_ATTACH, &at) ? errno : 0;
}

/*
 * mshare_attach() in the form most tests want: 0 or -errno, the mapping in
 * *@addr (NULL on failure) and *@size.
 */
static inline int attach_dom(const char *name, unsigned int flags,
			     void **addr, size_t *size)
{
	*addr = mshare_attach(name, flags, size);
	return *addr ? 0 : -errno;
}

/* mshare_nl_open() as 0 or -errno; the handle (NULL on failure) in *@nl. */
static inline int nl_open(struct mshare_nl **nl)
{
	*nl = mshare_nl_open();
	return *nl ? 0 : -errno;
}

/* Create domain @name with default options but @flags: 0 or -errno. */
static inline int create_domain(struct mshare_nl *nl, const char *name,
				uint64_t size, unsigned int flags,
				struct mshare_domain_info *out)
{
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;

	opts.flags = flags;
	return mshare_domain_create(nl, name, size, &opts, out);
}

/*
 * Domains a test may have left behind: those named @prefix...@suffix
 * (either may be NULL), the first MAX_LEFTOVERS of them.
 */
#define MAX_LEFTOVERS	16

struct leftovers {
	const char *prefix, *suffix;
	char names[MAX_LEFTOVERS][MSHARE_NAME_MAX];
	int n;
};

static inline void leftover_cb(const struct mshare_domain_info *d, void *arg)
{
	struct leftovers *l = arg;
	const char *prefix = l->prefix ? l->prefix : "";
	const char *suffix = l->suffix ? l->suffix : "";
	size_t len = strlen(d->name), slen = strlen(suffix);

	if (!strncmp(d->name, prefix, strlen(prefix)) && len > slen &&
	    !strcmp(d->name + len - slen, suffix) && l->n < MAX_LEFTOVERS)
		strcpy(l->names[l->n++], d->name);
}

/* Fill in @l (its prefix and suffix set): mshare_domain_dump()'s result. */
static inline int find_leftovers(struct mshare_nl *nl, struct leftovers *l)
{
	l->n = 0;
	return mshare_domain_dump(nl, leftover_cb, l);
}

/* ---- the module ---- */

static inline int delete_module(const char *name, int flags)
{
	return syscall(__NR_delete_module, name, flags);
}

/* Load mshare.ko from $MSHARE_KO (default /lib/mshare/mshare.ko). */
static inline int load_module(void)
{
	const char *ko = getenv("MSHARE_KO");
	int fd, ret;

	fd = open(ko ? ko : "/lib/mshare/mshare.ko", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(__NR_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

/* ---- /proc and /sys ---- */

/* Write @s to @path: 0, or -1 unless all of it was written. */
static inline int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return ret;
}

/* The line of /proc/self/numa_maps for the VMA at @addr into @buf; 0/-1. */
static inline int numa_maps_line(const void *addr, char *buf, size_t len)
{
	char head[32];
	FILE *f = fopen("/proc/self/numa_maps", "re");
	int found = -1;

	if (!f)
		return -1;
	snprintf(head, sizeof(head), "%lx ", (unsigned long)addr);
	while (fgets(buf, len, f))
		if (!strncmp(buf, head, strlen(head))) {
			found = 0;
			break;
		}
	fclose(f);
	return found;
}

/*
 * N of " @key=N" in @line (a numa_maps line: "dirty=", "N0=", ...), or
 * @missing when @line has no such field.
 */
static inline long line_field(const char *line, const char *key, long missing)
{
	char pat[32];
	const char *s;

	snprintf(pat, sizeof(pat), " %s=", key);
	s = strstr(line, pat);
	return s ? strtol(s + strlen(pat), NULL, 10) : missing;
}

/* Fold the per-CPU vmstat deltas into the global counters (best effort). */
static inline void vmstat_refresh(void)
{
	write_str("/proc/sys/vm/stat_refresh", "1");
}

/* N of the line "@key: N kB" in @path, or -1. */
static inline long proc_kb(const char *path, const char *key)
{
	char line[256], fmt[64];
	long kb = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	snprintf(fmt, sizeof(fmt), "%s: %%ld kB", key);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, fmt, &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* @key (e.g. "PageTables") of /proc/meminfo, kB, or -1. */
static inline long meminfo_kb(const char *key)
{
	return proc_kb("/proc/meminfo", key);
}

/* @key (e.g. "VmPTE") of /proc/@pid/status (0: this process), kB, or -1. */
static inline long status_kb(pid_t pid, const char *key)
{
	char path[64];

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	return proc_kb(path, key);
}

/* ---- what the running kernel can do ---- */

/* Whether the running kernel is release @major.@minor or later. */
static inline int kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return 0;
	return ma > major || (ma == major && mi >= minor);
}

#define THP_SYSFS	"/sys/kernel/mm/transparent_hugepage"
#define THP_ENABLED	THP_SYSFS "/enabled"

/*
 * Whether the kernel has transparent huge pages at all (PREEMPT_RT kernels
 * are built without: no sysfs directory, MADV_[NO]HUGEPAGE fail EINVAL).
 */
static inline int thp_built(void)
{
	return !access(THP_SYSFS, F_OK);
}

/* The selected word of THP_ENABLED ("always", "madvise", "never"), or "". */
static inline const char *thp_enabled(void)
{
	static char word[16];
	char buf[128], *a, *b;
	FILE *f = fopen(THP_ENABLED, "re");

	word[0] = 0;
	if (!f)
		return word;
	if (fgets(buf, sizeof(buf), f)) {
		a = strchr(buf, '[');
		b = a ? strchr(a, ']') : NULL;
		if (b && b - a - 1 < (long)sizeof(word)) {
			*b = 0;
			snprintf(word, sizeof(word), "%s", a + 1);
		}
	}
	fclose(f);
	return word;
}

/*
 * The kernel's side of PUD links (Documentation/design.rst, "Link levels"):
 * a fault links a whole GiB at PUD level only through ->huge_fault(), which
 * runs for a domain mapping when THP is built in (not PREEMPT_RT) and not
 * "never" (domain VMAs are VM_HUGEPAGE, so "madvise" is enough), on 6.6
 * and later.  6.1's hugepage_vma_check() refuses VM_MIXEDMAP and every
 * non-DAX file mapping before ->huge_fault() is considered (fixed upstream
 * in 2023, Zach O'Keefe's 'mm/thp: fix "mm: thp: kill
 * __transhuge_page_enabled()"'; the kernels in between are not tested).
 * Elsewhere every fault links at PMD level: one link per 2 MiB.
 */
static inline int pud_links_possible(void)
{
	return kernel_at_least(6, 6) && thp_built() &&
	       strcmp(thp_enabled(), "never") != 0;
}

/*
 * Whether io_uring accepts fixed buffers in file-backed memory that is not
 * shmem or hugetlbfs (a domain mapping).  6.1's io_pin_pages() refuses
 * them with EOPNOTSUPP ("don't support file backed memory"); since
 * Lorenzo Stoakes's "io_uring: rsrc: delegate VMA file-backed check to
 * GUP" (2023, with "mm/gup: disallow FOLL_LONGTERM GUP-nonfast writing to
 * file-backed mappings", merged for 6.5) GUP decides, and allows a domain
 * (no dirty tracking).  The kernels between 6.1 and 6.12 are not tested.
 */
static inline int uring_file_buffers(void)
{
	return kernel_at_least(6, 5);
}

/* ---- the page pattern of mshare_attacher --fill and --verify ---- */

/* The word expected at the start of page @idx for @seed. */
static inline uint64_t page_pattern(uint64_t seed, uint64_t idx)
{
	return (seed * 0x9e3779b97f4a7c15ULL) ^ (idx * 0x100000001b3ULL) ^ 0x6d736861ULL;
}

/* Write page_pattern(@seed) into pages [@from, @to) of the mapping at @p. */
static inline void fill_pattern(char *p, uint64_t from, uint64_t to, uint64_t seed)
{
	uint64_t i;

	for (i = from; i < to; i++)
		*(volatile uint64_t *)(p + i * PAGE) = page_pattern(seed, i);
}

/* Pages in [@from, @to) whose first word is not page_pattern(@seed). */
static inline uint64_t count_bad(const char *p, uint64_t from, uint64_t to,
				 uint64_t seed)
{
	uint64_t i, bad = 0;

	for (i = from; i < to; i++)
		if (*(const volatile uint64_t *)(p + i * PAGE) != page_pattern(seed, i))
			bad++;
	return bad;
}

/* ---- processes ---- */

/* fork(), with stdio flushed first so that the child repeats nothing. */
static inline pid_t flush_fork(void)
{
	fflush(stdout);
	fflush(stderr);
	return fork();
}

/* Reap @pid: its exit status, 128 + the signal that killed it, or -1. */
static inline int wait_exit_code(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* mshare_attacher, next to this program (exec'd from /selftests by default). */
static inline const char *helper_path(void)
{
	static char path[PATH_MAX];
	ssize_t n;
	char *slash;

	if (path[0])
		return path;
	n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	if (n <= 0)
		return "/selftests/mshare_attacher";
	path[n] = 0;
	slash = strrchr(path, '/');
	strcpy(slash ? slash + 1 : path, "mshare_attacher");
	return path;
}

/*
 * Fork and exec mshare_attacher @argv at once.  Its stdin is a pipe whose
 * write end goes to *@in, its stdout one whose read end goes to *@out; with
 * @in or @out NULL that side is /dev/null.  The pid, or -1.
 */
static inline pid_t spawn_attacher(char *const argv[], int *in, int *out)
{
	int ip[2] = { -1, -1 }, op[2] = { -1, -1 };
	pid_t pid;

	if (in && pipe2(ip, O_CLOEXEC))
		return -1;
	if (out && pipe2(op, O_CLOEXEC)) {
		if (in) {
			close(ip[0]);
			close(ip[1]);
		}
		return -1;
	}
	pid = flush_fork();
	if (pid == 0) {
		int devnull = in && out ? -1 : open("/dev/null", O_RDWR | O_CLOEXEC);

		/* dup2 clears O_CLOEXEC on 0 and 1 only. */
		if ((!(in && out) && devnull < 0) ||
		    dup2(in ? ip[0] : devnull, STDIN_FILENO) < 0 ||
		    dup2(out ? op[1] : devnull, STDOUT_FILENO) < 0)
			_exit(126);
		execv(helper_path(), argv);
		_exit(127);
	}
	if (in) {
		close(ip[0]);
		if (pid < 0)
			close(ip[1]);
		else
			*in = ip[1];
	}
	if (out) {
		close(op[1]);
		if (pid < 0)
			close(op[0]);
		else
			*out = op[0];
	}
	return pid;
}

/* What mshare_attacher reports on its one line of stdout. */
struct attacher_result {
	long vmpte_before, vmpte, minflt, majflt;
	unsigned long long size, bad;
};

/* Read and parse that line from @f: 0, or -1 when there was none. */
static inline int read_attacher_result(FILE *f, struct attacher_result *r)
{
	char line[512];

	if (!f || !fgets(line, sizeof(line), f))
		return -1;
	if (sscanf(line, "vmpte_before=%ld vmpte=%ld minflt=%ld majflt=%ld size=%llu bad=%llu",
		   &r->vmpte_before, &r->vmpte, &r->minflt, &r->majflt,
		   &r->size, &r->bad) != 6)
		return -1;
	return 0;
}

#endif /* MSHARE_SELFTEST_UTIL_H */
