// SPDX-License-Identifier: GPL-2.0
/*
 * mshare-bench: the benchmark harness (Documentation/benchmarks.rst).
 *
 *   mshare-bench [--smoke] [-s SIZE_MIB] [-r REPS] [--rbig REPS] [-b B1,B2,...]
 *                [-V VARIANT,...] [--n1 LIST] [--n5 LIST] [--n6 N]
 *                [--t7 SECS] [--n7 N] [--tree LABEL]
 *
 * Every scenario runs for six variants of one shared region:
 *   mshare-pud  an mshare domain, THP "madvise": attachers link PUD entries
 *   mshare-pmd  an mshare domain, THP "never": attachers link PMD entries
 *   memfd       a memfd mapped MAP_SHARED, shmem THP "never" (4 KiB PTEs)
 *   memfd-thp   the same with shmem_enabled "always" (PMD-mapped THPs)
 *   hugetlb     a MFD_HUGETLB memfd (2 MiB pages) mapped MAP_SHARED at a
 *               1 GiB-aligned address: the kernel's own PMD-table sharing
 *   mshare-huge an mshare domain with MSHARE_DOMAIN_F_HUGE (2 MiB leaves in
 *               its PMD tables), THP "madvise": attachers link PUD entries;
 *               skipped, with the module's reason, where the module refuses
 *               the flag (a kernel without THP, as PREEMPT_RT)
 *
 * B1 page-table bytes each attacher adds per GiB, N = 1, 10, 100, 1000
 * B2 a new attacher touches every page of the populated region; the first
 *    toucher of the emptied region (faults, time, the domain's tables)
 * B3 N attachers spawn + attach + touch: wall time and total PageTables
 *    (from the same runs as B1)
 * B4 a process that has touched the region forks; the child touches it
 * B5 discard and migrate the region while N attachers map it
 * B6 10,000 attachers of one domain
 * B7 munmap/mmap latency of a small unrelated domain while another process
 *    discards the whole region again and again (mshare variants only)
 * B8 8 threads of one process first-touch disjoint eighths of the region
 *
 * Attachers are fork()ed from this program (no exec).  In B1/B3 every
 * variant maps a descriptor inherited from the bench (mshare: a
 * /dev/mshare descriptor the bench attached), so that all of them do the
 * same steps; B3 also measures mshare attachers that attach by name
 * (mshare_attach(): open, two ioctls, mmap), as unrelated processes do,
 * and so do B2 and B4 to B8.  Every mapping is 1 GiB-aligned.  Results go to stdout: progress, CSV lines prefixed
 * "MSHARE-BENCH-CSV," (scripts/vm-bench collects them) and a table;
 * --tree names the module build the numbers are for (a CSV column, and the
 * table's headings), so that runs on two modules can be told apart.
 * Needs root: it creates domains and changes the THP and hugetlb sysctls
 * (restored at the end).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mshare_nl.h"
#include "bench_proc.h"

#define PAGE		4096UL
#define PMD_SZ		(2UL << 20)
#define GIB		(1UL << 30)
#define MIB		(1UL << 20)

#ifndef MFD_HUGETLB
#define MFD_HUGETLB	0x0004U
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#ifndef MPOL_MF_MOVE_ALL
#define MPOL_MF_MOVE_ALL	(1 << 2)
#endif

enum { V_PUD, V_PMD, V_MEMFD, V_THP, V_HUGETLB, V_HUGE, NVAR };
static const char *const var_name[NVAR] = {
	"mshare-pud", "mshare-pmd", "memfd", "memfd-thp", "hugetlb",
	"mshare-huge",
};

/* Is @var an mshare domain (as opposed to a memfd)? */
static int is_mshare(int var)
{
	return var == V_PUD || var == V_PMD || var == V_HUGE;
}

/* How an attacher touches the region. */
enum touch {
	TOUCH_NONE,
	TOUCH_2M,	/* one write per 2 MiB: every page-table page */
	TOUCH_ALL,	/* one write per 4 KiB page */
	TOUCH_POPULATE,	/* MADV_POPULATE_READ: every PTE present */
};

static const char *thp_dir = "/sys/kernel/mm/transparent_hugepage";
static const char *thp_enabled = "/sys/kernel/mm/transparent_hugepage/enabled";
static const char *thp_shmem = "/sys/kernel/mm/transparent_hugepage/shmem_enabled";
static const char *nr_hugepages = "/proc/sys/vm/nr_hugepages";

/* --- options ------------------------------------------------------------ */

static size_t size = GIB;
static int reps = 3;
static int smoke;
static int want_b[9] = { 0, 1, 1, 1, 1, 1, 1, 1, 1 };
static int want_v[NVAR] = { 1, 1, 1, 1, 1, 1 };
static int n1[8] = { 1, 10, 100, 1000 }, nn1 = 4;
static int n5[8] = { 1, 10, 100 }, nn5 = 3;
static int n6 = 10000;
static int cheap_n = 100;	/* runs with N <= this repeat @reps times */
static int reps_big = 3;	/* --rbig: runs with N > cheap_n (B1/B3) */
static double t7 = 4;		/* B7: seconds idle before the discards */
static int n7 = 8;		/* B7: discards */
static const char *tree;	/* --tree: the module build measured */

/* --- helpers ------------------------------------------------------------ */

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = 0;
	return 0;
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* "always [madvise] never" -> "madvise" */
static void sysfs_choice(const char *path, char *out, size_t len)
{
	char buf[256], *a, *b;

	out[0] = 0;
	if (read_file(path, buf, sizeof(buf)))
		return;
	a = strchr(buf, '[');
	b = a ? strchr(a, ']') : NULL;
	if (a && b && (size_t)(b - a) < len) {
		memcpy(out, a + 1, b - a - 1);
		out[b - a - 1] = 0;
	}
}

/* PageTables after folding the per-CPU counters. */
static long long pagetables_kb(void)
{
	write_file("/proc/sys/vm/stat_refresh", "1");
	return meminfo_kb("PageTables");
}

/* Sum of one /proc/interrupts row ("CAL", "TLB") over all CPUs. */
static long long irq_count(const char *row)
{
	char line[4096], *p, *end;
	size_t len = strlen(row);
	long long sum = -1;
	FILE *f = fopen("/proc/interrupts", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = line;
		while (*p == ' ')
			p++;
		if (strncmp(p, row, len) || p[len] != ':')
			continue;
		p += len + 1;
		sum = 0;
		for (;;) {
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			sum += v;
			p = end;
		}
		break;
	}
	fclose(f);
	return sum;
}

static int nr_nodes(void)
{
	char path[64];
	int n = 0;

	for (;;) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", n);
		if (access(path, F_OK))
			return n ? n : 1;
		n++;
	}
}

/* --- results ------------------------------------------------------------ */

#define MAXVALS	16
#define MAXRES	512

struct result {
	const char *scen, *metric;
	int var, n;
	int nvals;
	double vals[MAXVALS];
	double median;
	const char *note;	/* NULL, or why there is no number */
	int extrapolated;
};

static struct result results[MAXRES];
static int nresults;

struct metric {
	const char *id, *label, *unit;
};

static const struct metric metrics[] = {
	{ "pt_per_attacher", "page tables per attacher per GiB", "bytes" },
	{ "minflt", "minor faults, attach + touch all", "count" },
	{ "time", "time, attach + touch all", "ms" },
	{ "first_minflt", "first toucher of the emptied region: faults", "count" },
	{ "first_modflt", "first toucher: faults the module handled", "count" },
	{ "first_time", "first toucher: time, attach + touch all", "ms" },
	{ "domain_pt_gib", "the domain's own tables per GiB", "bytes" },
	{ "wall", "wall time (spawn+attach+touch)", "ms" },
	{ "wall_byname", "wall time, attach by name", "ms" },
	{ "pt_total", "PageTables, total delta", "KiB" },
	{ "fork_time", "fork() in the parent", "ms" },
	{ "child_minflt", "child's minor faults", "count" },
	{ "child_time", "child's touch time", "ms" },
	{ "mt_time", "8 threads first-touch disjoint 1/8s: time", "ms" },
	{ "mt_minflt", "8 threads first-touch disjoint 1/8s: faults", "count" },
	{ "discard_time", "discard: time", "ms" },
	{ "discard_cal", "discard: CAL IPIs", "count" },
	{ "discard_tlb", "discard: TLB IPIs", "count" },
	{ "discard_rounds", "discard: module rounds", "count" },
	{ "migrate_time", "migrate: time", "ms" },
	{ "migrate_cal", "migrate: CAL IPIs", "count" },
	{ "migrate_tlb", "migrate: TLB IPIs", "count" },
	{ "migrate_rounds", "migrate: module rounds", "count" },
	{ "migrate_pages", "migrate: pages moved", "count" },
	{ "map_pt", "PageTables the mapping adds", "KiB" },
	{ "proc_pt", "PageTables of the processes", "KiB" },
	{ "domain_pt", "the domain's own tables", "KiB" },
	{ "spawn_time", "spawn time", "ms" },
	{ "attach_time", "attach+touch time", "ms" },
	{ "b6_wall", "wall time (spawn+attach+touch)", "ms" },
	{ "b7_unmap_idle", "munmap of B, idle: median", "us" },
	{ "b7_unmap_disc", "munmap of B, during discards: median", "us" },
	{ "b7_unmap_ratio", "munmap of B, median: during/idle", "ratio" },
	{ "b7_unmap_idle_p99", "munmap of B, idle: p99", "us" },
	{ "b7_unmap_disc_p99", "munmap of B, during discards: p99", "us" },
	{ "b7_unmap_idle_max", "munmap of B, idle: max", "us" },
	{ "b7_unmap_disc_max", "munmap of B, during discards: max", "us" },
	{ "b7_unmap_max_ratio", "munmap of B, max: during/idle", "ratio" },
	{ "b7_map_idle", "mmap of B, idle: median", "us" },
	{ "b7_map_disc", "mmap of B, during discards: median", "us" },
	{ "b7_map_idle_max", "mmap of B, idle: max", "us" },
	{ "b7_map_disc_max", "mmap of B, during discards: max", "us" },
	{ "b7_worst_idle", "worst step of B's cycle per idle window", "us" },
	{ "b7_worst_disc", "worst step of B's cycle per discard", "us" },
	{ "b7_worst_ratio", "worst per discard / per idle window", "ratio" },
	{ "b7_samples_idle", "munmaps of B measured, idle", "count" },
	{ "b7_samples_disc", "munmaps of B measured, during discards", "count" },
	{ "b7_windows", "idle windows (a discard's length each)", "count" },
	{ "b7_discards", "discards of A", "count" },
	{ "b7_overlapped", "discards a step of B's cycle overlapped", "count" },
	{ "b7_discard_time", "discard of A: time, median", "ms" },
};

static const struct metric *metric_of(const char *id)
{
	size_t i;

	for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		if (!strcmp(metrics[i].id, id))
			return &metrics[i];
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static struct result *find_result(const char *scen, const char *metric,
				  int var, int n)
{
	int i;

	for (i = 0; i < nresults; i++)
		if (!strcmp(results[i].scen, scen) &&
		    !strcmp(results[i].metric, metric) &&
		    results[i].var == var && results[i].n == n)
			return &results[i];
	return NULL;
}

static struct result *new_result(const char *scen, const char *metric,
				 int var, int n)
{
	struct result *r = find_result(scen, metric, var, n);

	if (r)
		return r;
	if (nresults == MAXRES)
		return NULL;
	r = &results[nresults++];
	memset(r, 0, sizeof(*r));
	r->scen = scen;
	r->metric = metric;
	r->var = var;
	r->n = n;
	return r;
}

static void add_val(const char *scen, const char *metric, int var, int n,
		    double v)
{
	struct result *r = new_result(scen, metric, var, n);

	if (r && r->nvals < MAXVALS)
		r->vals[r->nvals++] = v;
}

/* Print the CSV line of a finished result (median of its values). */
static void emit(const char *scen, const char *metric, int var, int n)
{
	struct result *r = find_result(scen, metric, var, n);
	const struct metric *m = metric_of(metric);
	double s[MAXVALS];

	if (!r)
		return;
	if (r->note) {
		printf("MSHARE-BENCH-CSV,%s,%s,%d,%s,%s,,,,0,%s,%s\n", scen,
		       var_name[var], n, metric, m ? m->unit : "", r->note,
		       tree ? tree : "this tree");
		return;
	}
	if (!r->nvals)
		return;
	memcpy(s, r->vals, r->nvals * sizeof(double));
	qsort(s, r->nvals, sizeof(double), cmp_double);
	r->median = r->nvals % 2 ? s[r->nvals / 2] :
		    (s[r->nvals / 2 - 1] + s[r->nvals / 2]) / 2;
	printf("MSHARE-BENCH-CSV,%s,%s,%d,%s,%s,%.6g,%.6g,%.6g,%d,%s,%s\n",
	       scen, var_name[var], n, metric, m ? m->unit : "", r->median, s[0],
	       s[r->nvals - 1], r->nvals,
	       r->extrapolated ? "extrapolated" : "measured",
	       tree ? tree : "this tree");
	fflush(stdout);
}

static void record(const char *scen, const char *metric, int var, int n,
		   double v)
{
	add_val(scen, metric, var, n, v);
}

static void not_available(const char *scen, const char *metric, int var,
			  int n, const char *why)
{
	struct result *r = new_result(scen, metric, var, n);

	if (r)
		r->note = why;
}

/* --- variants: sysctls and regions ---------------------------------------- */

static char orig_thp[32], orig_shmem[32], orig_hp[32];

static void sysctl_save(void)
{
	sysfs_choice(thp_enabled, orig_thp, sizeof(orig_thp));
	sysfs_choice(thp_shmem, orig_shmem, sizeof(orig_shmem));
	read_file(nr_hugepages, orig_hp, sizeof(orig_hp));
}

static void sysctl_restore(void)
{
	if (orig_thp[0])
		write_file(thp_enabled, orig_thp);
	if (orig_shmem[0])
		write_file(thp_shmem, orig_shmem);
	if (orig_hp[0])
		write_file(nr_hugepages, orig_hp);
}

struct region {
	int var;
	int fd;		/* memfd; mshare: a /dev/mshare fd attached to it */
	char name[MSHARE_NAME_MAX];
	struct mshare_nl *nl;
};

static struct mshare_nl *nl;
static int have_nl;

/*
 * Whether the kernel has THP at all: PREEMPT_RT kernels are built without
 * (no sysfs knobs): there mshare-pud links at PMD level like mshare-pmd,
 * and memfd-thp cannot exist.
 */
static int thp_built(void)
{
	return !access(thp_dir, F_OK);
}

/*
 * Whether faults can link whole GiBs at PUD level (selftests'
 * pud_links_possible(), Documentation/design.rst "Link levels"): THP built
 * (the variants set it to "madvise" or "never") and a 6.6 or later kernel.
 */
static int pud_links_possible(void)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (!thp_built() || uname(&u) ||
	    sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return 0;
	return ma > 6 || (ma == 6 && mi >= 6);
}

static int set_var_sysctls(int var)
{
	int err;

	if (!thp_built())
		return 0;
	err = write_file(thp_enabled, var == V_PMD ? "never" : "madvise");
	if (!err)
		err = write_file(thp_shmem, var == V_THP ? "always" : "never");
	if (err)
		fprintf(stderr, "mshare-bench: THP sysfs: %s\n", strerror(-err));
	return err;
}

/* Make sure the pool has @pages free 2 MiB pages. */
static int hugepages_reserve(unsigned long pages)
{
	long long total = meminfo_kb("HugePages_Total");
	long long freep = meminfo_kb("HugePages_Free");
	char buf[32];

	if (freep >= (long long)pages)
		return 0;
	snprintf(buf, sizeof(buf), "%lld", total + (long long)pages - freep);
	write_file(nr_hugepages, buf);
	return meminfo_kb("HugePages_Free") >= (long long)pages ? 0 : -ENOMEM;
}

/* An mshare region's descriptor for attachers to inherit: attached here. */
static int region_attach_fd(struct region *r)
{
	struct mshare_attach at = { .flags = 0 };

	snprintf(at.name, sizeof(at.name), "%s", r->name);
	r->fd = open("/dev/" MSHARE_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (r->fd < 0 || ioctl(r->fd, MSHARE_IOC_ATTACH, &at)) {
		fprintf(stderr, "mshare-bench: attach %s: %s\n", r->name,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* The flags of an mshare variant's domains (B7's region A too). */
static uint32_t var_domain_flags(int var)
{
	return MSHARE_DOMAIN_F_PREFAULT |
	       (var == V_HUGE ? MSHARE_DOMAIN_F_HUGE : 0);
}

/* Why mshare-huge is skipped (the module refused the flag), or "". */
static char huge_skip[256];

/*
 * Ask the module whether it makes a domain with 2 MiB leaves of the
 * region's size: create one (not prefaulted: one PMD table per GiB) and
 * destroy it.  The module refuses MSHARE_DOMAIN_F_HUGE with EOPNOTSUPP
 * on a kernel without THP (PREEMPT_RT), and a module that predates the
 * flag with EINVAL (the region's size is valid: main() checked it);
 * either way mshare-huge is
 * skipped, and huge_skip says why (so it is if the domain made lacks the
 * flag).  Only a refusal of the flag skips it:
 * any other error is the run's failure, as for the other variants.
 */
static int huge_probe(void)
{
	struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_INIT;
	struct mshare_domain_info d = MSHARE_INIT(d);
	char name[MSHARE_NAME_MAX];
	const char *ext;
	int err;

	snprintf(name, sizeof(name), "bench-%d-probe", (int)getpid());
	o.flags = MSHARE_DOMAIN_F_HUGE;
	err = mshare_domain_create(nl, name, size, &o, &d);
	if (!err) {
		if (!(d.flags & MSHARE_DOMAIN_F_HUGE))	/* never seen */
			snprintf(huge_skip, sizeof(huge_skip),
				 "the module made a domain without MSHARE_DOMAIN_F_HUGE");
		err = mshare_domain_destroy(nl, name);
		if (err)
			fprintf(stderr, "mshare-bench: destroy %s: %s\n", name,
				strerror(-err));
		return err ? -1 : 0;
	}
	ext = mshare_nl_extack(nl);
	if (err != -EOPNOTSUPP && err != -EINVAL) {
		fprintf(stderr, "mshare-bench: create %s: %s%s%s\n", name,
			strerror(-err), ext[0] ? ": " : "", ext);
		return -1;
	}
	snprintf(huge_skip, sizeof(huge_skip),
		 "the module refuses MSHARE_DOMAIN_F_HUGE for %zu MiB: %s%s%s",
		 size / MIB, err == -EOPNOTSUPP ? "EOPNOTSUPP" : "EINVAL",
		 ext[0] ? ", " : "", ext);
	return 0;
}

static int region_create(struct region *r, int var)
{
	static int seq;
	int err;

	memset(r, 0, sizeof(*r));
	r->var = var;
	r->fd = -1;
	if (set_var_sysctls(var))
		return -1;
	if (is_mshare(var)) {
		struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_INIT;

		snprintf(r->name, sizeof(r->name), "bench-%d-%d", (int)getpid(), seq++);
		o.flags = var_domain_flags(var);
		err = mshare_domain_create(nl, r->name, size, &o, NULL);
		if (err) {
			fprintf(stderr, "mshare-bench: create %s: %s%s%s\n", r->name,
				strerror(-err), mshare_nl_extack(nl)[0] ? ": " : "", mshare_nl_extack(nl));
			return -1;
		}
		r->nl = nl;
		return region_attach_fd(r);
	}
	if (var == V_HUGETLB && hugepages_reserve(size / PMD_SZ)) {
		fprintf(stderr, "mshare-bench: cannot reserve %zu huge pages\n",
			size / PMD_SZ);
		return -1;
	}
	r->fd = memfd_create("mshare-bench",
			     var == V_HUGETLB ? MFD_HUGETLB : 0);
	if (r->fd < 0 || ftruncate(r->fd, size) || fallocate(r->fd, 0, 0, size)) {
		fprintf(stderr, "mshare-bench: %s region: %s\n", var_name[var],
			strerror(errno));
		if (r->fd >= 0)
			close(r->fd);
		r->fd = -1;
		return -1;
	}
	return 0;
}

static void region_destroy(struct region *r)
{
	if (r->nl && r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
	if (r->nl) {
		int err = mshare_domain_destroy(r->nl, r->name);

		if (err)
			fprintf(stderr, "mshare-bench: destroy %s: %s\n", r->name,
				strerror(-err));
		r->nl = NULL;
	}
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	if (r->var == V_HUGETLB && orig_hp[0])
		write_file(nr_hugepages, orig_hp);	/* give the pool back */
}

/*
 * Map the region in this process, 1 GiB-aligned; NULL and errno on
 * failure.  An mshare region attaches by name (@by_name) or maps the
 * bench's attached descriptor (the kernel places it 1 GiB-aligned).
 */
static void *region_map_how(struct region *r, int by_name)
{
	size_t len = 0;
	char *res, *a;
	void *p;

	if (is_mshare(r->var)) {
		if (by_name)
			return mshare_attach(r->name, 0, &len);	/* NULL, errno */
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 r->fd, 0);
		return p == MAP_FAILED ? NULL : p;
	}
	res = mmap(NULL, size + GIB, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		return NULL;
	a = (char *)(((uintptr_t)res + GIB - 1) & ~(uintptr_t)(GIB - 1));
	p = mmap(a, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 r->fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (a > res)
		munmap(res, a - res);
	if (a + size < res + size + GIB)
		munmap(a + size, res + size + GIB - (a + size));
	return p;
}

static void *region_map(struct region *r)
{
	return region_map_how(r, 1);
}

static int touch(volatile char *p, enum touch how)
{
	size_t off, step = how == TOUCH_2M ? PMD_SZ : PAGE;

	if (how == TOUCH_NONE)
		return 0;
	if (how == TOUCH_POPULATE) {
		if (!madvise((void *)p, size, MADV_POPULATE_READ))
			return 0;
		for (off = 0; off < size; off += PAGE)
			(void)p[off];
		return 0;
	}
	for (off = 0; off < size; off += step)
		p[off + 64] = 1;
	return 0;
}

/* --- a gang of attachers ---------------------------------------------------- */

struct report {
	int err, stage;		/* errno, 1 map 2 other */
	long minflt;
	long vmpte_added_kb;
	double secs;
	uint64_t addr;
};

struct gang {
	int n;
	pid_t *pids;
	int rep[2], go[2], go2[2], rel[2];
	double spawn_secs, go_secs;
	long long minflt, vmpte_added_kb;
	uint64_t addr0;
	pid_t pid0;
	int by_name;		/* mshare attachers attach by name */
};

static void attacher(struct gang *g, struct region *r, enum touch how)
{
	struct report rep = { 0 };
	long f0, pte0;
	double t0;
	char c;
	void *p;

	close(g->rep[0]);
	close(g->go[1]);
	close(g->go2[1]);
	close(g->rel[1]);
	if (write(g->rep[1], &rep, sizeof(rep)) != sizeof(rep))	/* ready */
		_exit(1);
	if (read(g->go[0], &c, 1) != 1)
		_exit(0);
	f0 = minflt();
	pte0 = self_vmpte_kb();
	t0 = now();
	p = region_map_how(r, g->by_name);
	if (!p) {
		rep.err = errno;
		rep.stage = 1;
	} else {
		touch(p, how);
		rep.secs = now() - t0;
		rep.minflt = minflt() - f0;
		rep.vmpte_added_kb = self_vmpte_kb() - pte0;
		rep.addr = (uintptr_t)p;
	}
	if (write(g->rep[1], &rep, sizeof(rep)) != sizeof(rep))
		_exit(1);
	/* A second round (gang_go2): touch again, e.g. to link again. */
	if (!rep.err && read(g->go2[0], &c, 1) == 1) {
		touch(p, how);
		if (write(g->rep[1], &rep, sizeof(rep)) != sizeof(rep))
			_exit(1);
	}
	while (read(g->rel[0], &c, 1) > 0)
		;
	_exit(rep.err ? 1 : 0);
}

static int gang_read(struct gang *g, int count, int sum)
{
	int got = 0, status;

	while (got < count) {
		struct pollfd pfd = { .fd = g->rep[0], .events = POLLIN };
		struct report r;
		pid_t dead;

		if (poll(&pfd, 1, 1000) == 0) {
			dead = waitpid(-1, &status, WNOHANG);
			if (dead > 0) {
				fprintf(stderr, "mshare-bench: attacher %d died (status %#x)\n",
					(int)dead, status);
				for (int i = 0; i < g->n; i++)
					if (g->pids[i] == dead)
						g->pids[i] = 0;
				return -1;
			}
			continue;
		}
		if (read(g->rep[0], &r, sizeof(r)) != sizeof(r)) {
			fprintf(stderr, "mshare-bench: an attacher went away\n");
			return -1;
		}
		if (r.err) {
			fprintf(stderr, "mshare-bench: attacher: %s: %s\n",
				r.stage == 1 ? "attach/map" : "touch",
				strerror(r.err));
			return -1;
		}
		if (sum) {
			g->minflt += r.minflt;
			g->vmpte_added_kb += r.vmpte_added_kb;
			if (!g->addr0)
				g->addr0 = r.addr;
		}
		got++;
	}
	return 0;
}

/*
 * Fork @n attachers and wait until every one is ready (not yet attached);
 * mshare attachers attach by name if @by_name, else map the inherited
 * descriptor.
 */
static int gang_spawn(struct gang *g, int n, struct region *r, enum touch how,
		      int by_name)
{
	double t0;
	int i;

	memset(g, 0, sizeof(*g));
	g->by_name = by_name;
	g->pids = calloc(n, sizeof(*g->pids));
	if (!g->pids || pipe2(g->rep, O_CLOEXEC) || pipe2(g->go, O_CLOEXEC) ||
	    pipe2(g->go2, O_CLOEXEC) || pipe2(g->rel, O_CLOEXEC)) {
		perror("mshare-bench: pipe");
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	t0 = now();
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("mshare-bench: fork");
			return -1;
		}
		if (pid == 0)
			attacher(g, r, how);
		g->pids[g->n++] = pid;
	}
	close(g->rep[1]);
	g->rep[1] = -1;
	close(g->go[0]);
	g->go[0] = -1;
	close(g->go2[0]);
	g->go2[0] = -1;
	close(g->rel[0]);
	g->rel[0] = -1;
	if (gang_read(g, n, 0))
		return -1;
	g->spawn_secs = now() - t0;
	g->pid0 = g->pids[0];
	return 0;
}

/* Let every attacher attach and touch (@fd: go[1]) or touch again (go2[1]). */
static int gang_round(struct gang *g, int fd, int sum)
{
	char buf[4096];
	double t0 = now();
	int left = g->n;

	memset(buf, 'g', sizeof(buf));
	while (left > 0) {
		int k = left < (int)sizeof(buf) ? left : (int)sizeof(buf);
		ssize_t w = write(fd, buf, k);

		if (w <= 0) {
			perror("mshare-bench: go");
			return -1;
		}
		left -= w;
	}
	if (gang_read(g, g->n, sum))
		return -1;
	if (sum)
		g->go_secs = now() - t0;
	return 0;
}

static int gang_go(struct gang *g)
{
	return gang_round(g, g->go[1], 1);
}

static int gang_go2(struct gang *g)
{
	return gang_round(g, g->go2[1], 0);
}

/* Release (or kill, on failure) the attachers and reap them. */
static int gang_end(struct gang *g, int failed)
{
	int i, status, ret = failed ? -1 : 0;

	if (g->rel[1] >= 0)
		close(g->rel[1]);
	if (g->go[1] >= 0)
		close(g->go[1]);
	if (g->go2[1] >= 0)
		close(g->go2[1]);
	for (i = 0; i < g->n; i++) {
		if (!g->pids[i])
			continue;
		if (failed)
			kill(g->pids[i], SIGKILL);
		if (waitpid(g->pids[i], &status, 0) == g->pids[i] && !failed &&
		    !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
			fprintf(stderr, "mshare-bench: attacher %d: status %#x\n",
				(int)g->pids[i], status);
			ret = -1;
		}
	}
	if (g->rep[0] >= 0)
		close(g->rep[0]);
	free(g->pids);
	memset(g, 0, sizeof(*g));
	return ret;
}

/* --- B1 + B3 -------------------------------------------------------------- */

static int is_cheap(int n)
{
	return n <= cheap_n;
}

/* B3's by-name row: mshare attachers that open and attach by name. */
static int run_b3_byname(int var, struct region *r, int n)
{
	struct gang g;

	if (gang_spawn(&g, n, r, TOUCH_2M, 1) || gang_go(&g)) {
		gang_end(&g, 1);
		return -1;
	}
	record("B3", "wall_byname", var, n, (g.spawn_secs + g.go_secs) * 1e3);
	return gang_end(&g, 0);
}

static int run_b1(int var, struct region *r)
{
	double gib = (double)size / GIB;
	int mshare = is_mshare(var);
	int i, k;

	for (i = 0; i < nn1; i++) {
		int n = n1[i], rr = is_cheap(n) ? reps : reps_big;

		/*
		 * One unmeasured run first where N is large: the first 1,000
		 * processes of a boot grow the slab caches and page-table
		 * pools that later runs reuse, and would charge that to
		 * whichever variant runs first.
		 */
		if (!is_cheap(n)) {
			struct gang g;

			if (gang_spawn(&g, n, r, TOUCH_2M, 0) || gang_go(&g)) {
				gang_end(&g, 1);
				return -1;
			}
			if (gang_end(&g, 0))
				return -1;
		}
		for (k = 0; k < rr; k++) {
			struct gang g;
			long long pb, p0, p1;

			pb = pagetables_kb();
			if (gang_spawn(&g, n, r, TOUCH_2M, 0)) {
				gang_end(&g, 1);
				return -1;
			}
			p0 = pagetables_kb();
			if (gang_go(&g)) {
				gang_end(&g, 1);
				return -1;
			}
			p1 = pagetables_kb();
			record("B1", "pt_per_attacher", var, n,
			       (p1 - p0) * 1024.0 / n / gib);
			if (want_b[3] && n > 1) {
				record("B3", "wall", var, n,
				       (g.spawn_secs + g.go_secs) * 1e3);
				record("B3", "pt_total", var, n, p1 - pb);
			}
			if (gang_end(&g, 0))
				return -1;
			if (want_b[3] && n > 1 && mshare &&
			    run_b3_byname(var, r, n))
				return -1;
		}
		emit("B1", "pt_per_attacher", var, n);
		if (want_b[3] && n > 1) {
			emit("B3", "wall", var, n);
			if (mshare)
				emit("B3", "wall_byname", var, n);
			emit("B3", "pt_total", var, n);
		}
	}
	return 0;
}

/* --- B2 ------------------------------------------------------------------- */

/* Free every data page (DOMAIN_DISCARD; memfd: punch a hole); B2, B8. */
static int region_empty(const char *scen, struct region *r)
{
	int err;

	if (r->nl)
		err = mshare_domain_discard(r->nl, r->name, 0, size);
	else
		err = fallocate(r->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				0, size) ? -errno : 0;
	if (err)
		fprintf(stderr, "mshare-bench: %s %s: emptying the region: %s\n",
			scen, var_name[r->var], strerror(-err));
	return err;
}

/* The faults the module has handled on @r's domain (stats "faults"). */
static int mshare_faults(struct region *r, long long *out)
{
	struct mshare_domain_stats st = MSHARE_INIT(st);

	if (mshare_domain_stats(nl, r->name, &st))
		return -1;
	*out = st.faults;
	return 0;
}

/*
 * The first toucher: the region is emptied, then one new process attaches
 * (by name) and writes every 4 KiB page, so that each of its faults fills
 * (a 4 KiB page; a 2 MiB folio for memfd-thp, hugetlb and mshare-huge).
 * Its minor faults (getrusage), for mshare also the faults the module
 * handled (the domain's stats: links and fills), and the time; then the
 * domain's own tables per GiB as DOMAIN_GET counts them, every page
 * resident (a 2 MiB of a huge domain that got no folio has a PTE table).
 * Ends with the region populated again, as B4 and B8 expect.
 */
static int run_b2_first(int var, struct region *r)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	long long f0 = 0, f1 = 0;
	int k;

	for (k = 0; k < reps; k++) {
		struct gang g;

		if (region_empty("B2", r))
			return -1;
		if (gang_spawn(&g, 1, r, TOUCH_ALL, 1) ||
		    (r->nl && mshare_faults(r, &f0)) || gang_go(&g) ||
		    (r->nl && mshare_faults(r, &f1))) {
			gang_end(&g, 1);
			return -1;
		}
		record("B2", "first_minflt", var, 1, g.minflt);
		if (r->nl)
			record("B2", "first_modflt", var, 1, f1 - f0);
		record("B2", "first_time", var, 1, g.go_secs * 1e3);
		if (gang_end(&g, 0))
			return -1;
	}
	if (r->nl) {
		if (mshare_domain_get(nl, r->name, &d)) {
			fprintf(stderr, "mshare-bench: B2 %s: DOMAIN_GET failed\n",
				var_name[var]);
			return -1;
		}
		record("B2", "domain_pt_gib", var, 1,
		       d.table_pages * (double)PAGE / ((double)size / GIB));
	}
	emit("B2", "first_minflt", var, 1);
	emit("B2", "first_modflt", var, 1);
	emit("B2", "first_time", var, 1);
	emit("B2", "domain_pt_gib", var, 1);
	return 0;
}

static int run_b2(int var, struct region *r)
{
	int k;

	for (k = 0; k < reps; k++) {
		struct gang g;

		if (gang_spawn(&g, 1, r, TOUCH_ALL, 1) || gang_go(&g)) {
			gang_end(&g, 1);
			return -1;
		}
		record("B2", "minflt", var, 1, g.minflt);
		record("B2", "time", var, 1, g.go_secs * 1e3);
		if (gang_end(&g, 0))
			return -1;
	}
	emit("B2", "minflt", var, 1);
	emit("B2", "time", var, 1);
	return run_b2_first(var, r);
}

/* --- B4 ------------------------------------------------------------------- */

struct b4_report {
	int err;
	double fork_secs, child_secs;
	long child_minflt;
};

/* In a child of the bench: map and touch, fork, the grandchild touches. */
#define B4_FORKS	5

static void b4_parent(struct region *r, int out)
{
	struct b4_report rep = { 0 };
	double t0, forks[B4_FORKS];
	int p[2], status, k;
	void *m;
	pid_t c;

	m = region_map(r);
	if (!m || pipe(p)) {
		rep.err = errno;
		goto done;
	}
	touch(m, TOUCH_ALL);
	/*
	 * fork() alone: the median of B4_FORKS forks whose children exit at
	 * once (one fork is too noisy under TCG), then the measured child.
	 */
	for (k = 0; k < B4_FORKS; k++) {
		t0 = now();
		c = fork();
		if (c == 0)
			_exit(0);
		forks[k] = now() - t0;
		if (c < 0) {
			rep.err = errno;
			goto done;
		}
		waitpid(c, &status, 0);
	}
	qsort(forks, B4_FORKS, sizeof(forks[0]), cmp_double);
	rep.fork_secs = forks[B4_FORKS / 2];
	c = fork();
	if (c == 0) {
		struct b4_report cr = { 0 };
		long f0 = minflt();
		double t1 = now();

		touch(m, TOUCH_ALL);
		cr.child_secs = now() - t1;
		cr.child_minflt = minflt() - f0;
		if (write(p[1], &cr, sizeof(cr)) != sizeof(cr))
			_exit(1);
		_exit(0);
	}
	if (c < 0) {
		rep.err = errno;
		goto done;
	}
	{
		struct b4_report cr;

		if (read(p[0], &cr, sizeof(cr)) != sizeof(cr)) {
			rep.err = EIO;
		} else {
			rep.child_secs = cr.child_secs;
			rep.child_minflt = cr.child_minflt;
		}
	}
	waitpid(c, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		rep.err = EIO;
done:
	if (write(out, &rep, sizeof(rep)) != sizeof(rep))
		_exit(1);
	_exit(0);
}

/*
 * Run @child(@r, fd) in a new child of the bench and read the report it
 * writes to fd into *@rep; 0, or -1 (said on stderr) if the child gave no
 * report or reported an error.
 */
static int child_report(const char *scen, int var, struct region *r,
			void (*child)(struct region *, int),
			struct b4_report *rep)
{
	int p[2], status;
	pid_t pid;

	if (pipe(p))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		child(r, p[1]);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], rep, sizeof(*rep)) != sizeof(*rep)) {
		close(p[0]);
		if (pid > 0)
			waitpid(pid, &status, 0);
		fprintf(stderr, "mshare-bench: %s %s: the child failed\n", scen,
			var_name[var]);
		return -1;
	}
	close(p[0]);
	waitpid(pid, &status, 0);
	if (rep->err) {
		fprintf(stderr, "mshare-bench: %s %s: %s\n", scen, var_name[var],
			strerror(rep->err));
		return -1;
	}
	return 0;
}

static int run_b4(int var, struct region *r)
{
	int k;

	for (k = 0; k < reps; k++) {
		struct b4_report rep;

		if (child_report("B4", var, r, b4_parent, &rep))
			return -1;
		record("B4", "fork_time", var, 1, rep.fork_secs * 1e3);
		record("B4", "child_minflt", var, 1, rep.child_minflt);
		record("B4", "child_time", var, 1, rep.child_secs * 1e3);
	}
	emit("B4", "fork_time", var, 1);
	emit("B4", "child_minflt", var, 1);
	emit("B4", "child_time", var, 1);
	return 0;
}

/* --- B8 ------------------------------------------------------------------- */

#define B8_THREADS	8

struct b8_thread {
	volatile char *base;
	size_t len;
	pthread_barrier_t *start;
};

static void *b8_toucher(void *arg)
{
	struct b8_thread *t = arg;
	size_t off;

	pthread_barrier_wait(t->start);
	for (off = 0; off < t->len; off += PAGE)
		t->base[off + 64] = 1;
	return NULL;
}

/*
 * Empty the region (DOMAIN_DISCARD; memfd: punch a hole), then in a child
 * of the bench: map it, start 8 threads, each to write every 4 KiB page of
 * its own eighth, and time from their common start until all are done.
 */
static void b8_child(struct region *r, int out)
{
	struct b8_thread t[B8_THREADS];
	pthread_t tid[B8_THREADS];
	pthread_barrier_t start;
	struct b4_report rep = { 0 };
	long f0;
	double t0;
	char *m;
	int i;

	m = region_map(r);
	if (!m || pthread_barrier_init(&start, NULL, B8_THREADS + 1)) {
		rep.err = errno ? errno : EINVAL;
		goto done;
	}
	for (i = 0; i < B8_THREADS; i++) {
		t[i].base = m + (size / B8_THREADS) * i;
		t[i].len = size / B8_THREADS;
		t[i].start = &start;
		if (pthread_create(&tid[i], NULL, b8_toucher, &t[i])) {
			rep.err = EAGAIN;
			_exit(1);	/* the others wait at the barrier */
		}
	}
	f0 = minflt();
	t0 = now();
	pthread_barrier_wait(&start);
	for (i = 0; i < B8_THREADS; i++)
		pthread_join(tid[i], NULL);
	rep.child_secs = now() - t0;
	rep.child_minflt = minflt() - f0;
done:
	if (write(out, &rep, sizeof(rep)) != sizeof(rep))
		_exit(1);
	_exit(0);
}

static int run_b8(int var, struct region *r)
{
	int k;

	for (k = 0; k < reps; k++) {
		struct b4_report rep;

		if (region_empty("B8", r) ||
		    child_report("B8", var, r, b8_child, &rep))
			return -1;
		record("B8", "mt_time", var, B8_THREADS, rep.child_secs * 1e3);
		record("B8", "mt_minflt", var, B8_THREADS, rep.child_minflt);
	}
	emit("B8", "mt_time", var, B8_THREADS);
	emit("B8", "mt_minflt", var, B8_THREADS);
	return 0;
}

/* --- B5 ------------------------------------------------------------------- */

static int mshare_rounds(struct region *r, long long *out)
{
	struct mshare_domain_stats st = MSHARE_INIT(st);

	if (mshare_domain_stats(nl, r->name, &st))
		return -1;
	*out = st.shootdowns;
	return 0;
}

/*
 * Per variant: 1 until the module answers DOMAIN_MIGRATE with EOPNOTSUPP
 * (a module without migration; a huge domain, whose 2 MiB leaves the
 * module cannot migrate yet).
 */
static int have_migrate[NVAR] = { 1, 1, 1, 1, 1, 1 };

/* The node holding most of the region's pages, seen from pid's mapping. */
static int memfd_migrate(struct gang *g, int *moved, int *target)
{
	size_t count = size / PAGE, i;
	void **pages = malloc(count * sizeof(void *));
	int *nodes = malloc(count * sizeof(int));
	int *status = malloc(count * sizeof(int));
	int cnt[64] = { 0 }, from = 0, ret = -1;
	long rc;

	if (!pages || !nodes || !status)
		goto out;
	for (i = 0; i < count; i++)
		pages[i] = (void *)(uintptr_t)(g->addr0 + i * PAGE);
	rc = syscall(SYS_move_pages, g->pid0, count, pages, NULL, status, 0);
	if (rc) {
		perror("mshare-bench: move_pages (query)");
		goto out;
	}
	for (i = 0; i < count; i++)
		if (status[i] >= 0 && status[i] < 64)
			cnt[status[i]]++;
	for (i = 1; i < 64; i++)
		if (cnt[i] > cnt[from])
			from = i;
	*target = from ? 0 : 1;
	for (i = 0; i < count; i++)
		nodes[i] = *target;
	rc = syscall(SYS_move_pages, g->pid0, count, pages, nodes, status,
		     MPOL_MF_MOVE_ALL);
	if (rc < 0) {
		perror("mshare-bench: move_pages");
		goto out;
	}
	*moved = 0;
	for (i = 0; i < count; i++)
		*moved += status[i] == *target;
	ret = 0;
out:
	free(pages);
	free(nodes);
	free(status);
	return ret;
}

static int b5_one(int var, int n)
{
	long long cal0, tlb0, rounds0 = 0, rounds1 = 0;
	struct region r;
	struct gang g;
	double t0;
	int failed = 1, err;

	if (region_create(&r, var))
		return -1;
	if (gang_spawn(&g, n, &r, TOUCH_POPULATE, 1) || gang_go(&g))
		goto out;

	/* migrate first: it needs the pages */
	if (nr_nodes() < 2) {
		not_available("B5", "migrate_time", var, n, "not available (one NUMA node)");
	} else if (var == V_MEMFD) {
		int moved = 0, target = 0;

		cal0 = irq_count("CAL");
		tlb0 = irq_count("TLB");
		t0 = now();
		if (memfd_migrate(&g, &moved, &target))
			goto out;
		record("B5", "migrate_time", var, n, (now() - t0) * 1e3);
		record("B5", "migrate_cal", var, n, irq_count("CAL") - cal0);
		record("B5", "migrate_tlb", var, n, irq_count("TLB") - tlb0);
		record("B5", "migrate_pages", var, n, moved);
	} else if (have_migrate[var]) {
		struct mshare_domain_stats st = MSHARE_INIT(st);
		struct mshare_migrate_result mr = MSHARE_INIT(mr);
		int target = 1;

		/* to the node other than the one holding most pages */
		if (!mshare_domain_stats(nl, r.name, &st) &&
		    st.node_pages[1] > st.node_pages[0])
			target = 0;
		mshare_rounds(&r, &rounds0);
		cal0 = irq_count("CAL");
		tlb0 = irq_count("TLB");
		t0 = now();
		err = mshare_domain_migrate(nl, r.name, target, 0, 0, &mr);
		if (err == -EOPNOTSUPP) {
			have_migrate[var] = 0;
		} else if (err) {
			fprintf(stderr, "mshare-bench: migrate %s: %s%s%s\n", r.name,
				strerror(-err), mshare_nl_extack(nl)[0] ? ": " : "", mshare_nl_extack(nl));
			goto out;
		} else {
			record("B5", "migrate_time", var, n, (now() - t0) * 1e3);
			record("B5", "migrate_cal", var, n, irq_count("CAL") - cal0);
			record("B5", "migrate_tlb", var, n, irq_count("TLB") - tlb0);
			mshare_rounds(&r, &rounds1);
			record("B5", "migrate_rounds", var, n, rounds1 - rounds0);
			record("B5", "migrate_pages", var, n, mr.done);
		}
	}

	/*
	 * A whole-domain migration rebuilds the tables and unlinks everyone:
	 * let the attachers populate again, so that discard has N linked
	 * attachers (and the memfd N mappers with every PTE) to flush.
	 */
	if (gang_go2(&g))
		goto out;
	if (var != V_MEMFD)
		mshare_rounds(&r, &rounds0);
	cal0 = irq_count("CAL");
	tlb0 = irq_count("TLB");
	t0 = now();
	if (var == V_MEMFD)
		err = fallocate(r.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				0, size) ? -errno : 0;
	else
		err = mshare_domain_discard(nl, r.name, 0, size);
	if (err) {
		fprintf(stderr, "mshare-bench: discard: %s\n", strerror(-err));
		goto out;
	}
	record("B5", "discard_time", var, n, (now() - t0) * 1e3);
	record("B5", "discard_cal", var, n, irq_count("CAL") - cal0);
	record("B5", "discard_tlb", var, n, irq_count("TLB") - tlb0);
	if (var != V_MEMFD && !mshare_rounds(&r, &rounds1))
		record("B5", "discard_rounds", var, n, rounds1 - rounds0);
	failed = 0;
out:
	if (gang_end(&g, failed))
		failed = 1;
	region_destroy(&r);
	return failed ? -1 : 0;
}

static const char *const b5_metrics[] = {
	"discard_time", "discard_cal", "discard_tlb", "discard_rounds",
	"migrate_time", "migrate_cal", "migrate_tlb", "migrate_rounds",
	"migrate_pages",
};

static int run_b5(int var)
{
	int i, k;
	size_t m;

	for (i = 0; i < nn5; i++) {
		int n = n5[i], rr = n <= 1 ? reps : 1;

		for (k = 0; k < rr; k++)
			if (b5_one(var, n))
				return -1;
		if (var == V_HUGE && !have_migrate[var])
			not_available("B5", "migrate_time", var, n,
				      "refused (EOPNOTSUPP: the module does not migrate 2 MiB leaves)");
		else if (var != V_MEMFD && !have_migrate[var])
			not_available("B5", "migrate_time", var, n,
				      "not available (module has no migrate)");
		for (m = 0; m < sizeof(b5_metrics) / sizeof(b5_metrics[0]); m++)
			emit("B5", b5_metrics[m], var, n);
	}
	return 0;
}

/* --- B6 ------------------------------------------------------------------- */

static void raise_limits(int n)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	char buf[32];
	long long v = 0;

	setrlimit(RLIMIT_NPROC, &rl);
	if (!read_file("/proc/sys/kernel/pid_max", buf, sizeof(buf)))
		v = atoll(buf);
	if (v < 4LL * n) {
		snprintf(buf, sizeof(buf), "%d", 4 * n > 32768 ? 4 * n : 32768);
		write_file("/proc/sys/kernel/pid_max", buf);
	}
	if (!read_file("/proc/sys/kernel/threads-max", buf, sizeof(buf)) &&
	    atoll(buf) < 4LL * n) {
		snprintf(buf, sizeof(buf), "%d", 4 * n);
		write_file("/proc/sys/kernel/threads-max", buf);
	}
}

static int run_b6(int var, struct region *r)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	long long pb, p0, p1;
	struct gang g;

	raise_limits(n6);
	pb = pagetables_kb();
	if (gang_spawn(&g, n6, r, TOUCH_2M, 1)) {
		gang_end(&g, 1);
		return -1;
	}
	p0 = pagetables_kb();
	if (gang_go(&g)) {
		gang_end(&g, 1);
		return -1;
	}
	p1 = pagetables_kb();
	record("B6", "map_pt", var, n6, p1 - p0);
	record("B6", "proc_pt", var, n6, p0 - pb);
	record("B6", "spawn_time", var, n6, g.spawn_secs * 1e3);
	record("B6", "attach_time", var, n6, g.go_secs * 1e3);
	record("B6", "b6_wall", var, n6, (g.spawn_secs + g.go_secs) * 1e3);
	if (r->nl && !mshare_domain_get(nl, r->name, &d))
		record("B6", "domain_pt", var, n6, d.table_pages * 4.0);
	if (gang_end(&g, 0))
		return -1;
	emit("B6", "map_pt", var, n6);
	emit("B6", "proc_pt", var, n6);
	emit("B6", "spawn_time", var, n6);
	emit("B6", "attach_time", var, n6);
	emit("B6", "b6_wall", var, n6);
	emit("B6", "domain_pt", var, n6);
	return 0;
}

/* memfd at N = 100 (B1/B3), scaled to n6 attachers. */
static void b6_extrapolate(int var)
{
	int nb = n1[nn1 - 1] >= 100 ? 100 : n1[nn1 - 1];
	struct result *pt = find_result("B1", "pt_per_attacher", var, nb);
	struct result *w = find_result("B3", "wall", var, nb);
	struct result *e;

	if (!pt || !pt->nvals)
		return;
	e = new_result("B6", "map_pt", var, n6);
	if (!e)
		return;
	e->extrapolated = nb;
	add_val("B6", "map_pt", var, n6,
		pt->median * ((double)size / GIB) / 1024 * n6);
	emit("B6", "map_pt", var, n6);
	if (w && w->nvals) {
		e = new_result("B6", "b6_wall", var, n6);
		e->extrapolated = nb;
		add_val("B6", "b6_wall", var, n6, w->median / nb * n6);
		emit("B6", "b6_wall", var, n6);
	}
}

/* --- B7 ------------------------------------------------------------------- */

/*
 * B7: is anything global held across slow work?  A measurer process maps a
 * 2 MiB domain B through its attached descriptor, touches one page and
 * unmaps it, in a loop, timing each mmap and munmap.  For the first t7 s
 * nothing else runs (idle); then a discarder process, n7 times: creates
 * the region A (prefaulted: every page populated), maps it and touches one
 * byte per 2 MiB (links), discards all of it (MSHARE_IOC_DISCARD, timed),
 * unmaps and destroys it.  The measurer stops after the discarder, so every
 * discard is measured across.  An mmap or munmap is "during discards" when
 * its interval overlaps a discard's.  A lock held across the discard
 * stalls the measurer once per discard: "worst per discard" (the longest
 * step of the cycle, mmap, touch or munmap, overlapping each discard,
 * median over the discards) shows it against the same worst in idle
 * windows of a discard's length.
 */
#define B7_B_SIZE	PMD_SZ
#define B7_MAXSAMP	400000
#define B7_MAXDISC	64

enum { B7_SETUP, B7_IDLE, B7_DISCARD, B7_STOP };

struct b7_sample {
	double map0, map1, unmap0, unmap1;
};

/* Shared (MAP_SHARED) between the bench and its two children. */
struct b7_shared {
	int phase;		/* B7_*, written by the bench */
	int ready;		/* children set up */
	int err;		/* the first child error (errno) */
	int nsamp;		/* written by the measurer */
	int ndisc;		/* written by the discarder */
	double disc[B7_MAXDISC][2];
	struct b7_sample samp[B7_MAXSAMP];
};

static int b7_phase(struct b7_shared *sh)
{
	return __atomic_load_n(&sh->phase, __ATOMIC_ACQUIRE);
}

static void b7_set_phase(struct b7_shared *sh, int phase)
{
	__atomic_store_n(&sh->phase, phase, __ATOMIC_RELEASE);
}

static void b7_set_err(struct b7_shared *sh, const char *who, const char *what,
		       int e)
{
	int zero = 0;

	fprintf(stderr, "mshare-bench: B7 %s: %s: %s\n", who, what, strerror(e));
	__atomic_compare_exchange_n(&sh->err, &zero, e, 0, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
}

/* A descriptor of /dev/mshare attached to @name; -errno on failure. */
static int b7_attach_fd(const char *name, struct mshare_info *info)
{
	struct mshare_attach at = { 0 };
	int fd, e;

	snprintf(at.name, sizeof(at.name), "%s", name);
	fd = open("/dev/" MSHARE_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, MSHARE_IOC_ATTACH, &at) || ioctl(fd, MSHARE_IOC_INFO, info)) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

/* One discard cycle on a new domain @name; -errno and @what on failure. */
static int b7_cycle(struct b7_shared *sh, struct mshare_nl *dnl,
		    const char *name, uint32_t flags, const char **what)
{
	struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_INIT;
	struct mshare_discard d = { 0 };
	struct mshare_info info;
	int fd, err, err2;
	double t0, t1;
	size_t off;
	char *p;

	o.flags = flags;
	*what = "create A";
	err = mshare_domain_create(dnl, name, size, &o, NULL);
	if (err)
		return err;
	*what = "attach A";
	fd = b7_attach_fd(name, &info);
	if (fd < 0) {
		err = fd;
		goto destroy;
	}
	*what = "mmap A";
	p = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		goto close;
	}
	for (off = 0; off < info.size; off += PMD_SZ)	/* link every table */
		((volatile char *)p)[off] = 1;
	*what = "discard A";
	d.length = info.size;
	t0 = now();
	err = ioctl(fd, MSHARE_IOC_DISCARD, &d) ? -errno : 0;
	t1 = now();
	if (!err && sh->ndisc < B7_MAXDISC) {
		sh->disc[sh->ndisc][0] = t0;
		sh->disc[sh->ndisc][1] = t1;
		__atomic_store_n(&sh->ndisc, sh->ndisc + 1, __ATOMIC_RELEASE);
	}
	munmap(p, info.size);
close:
	close(fd);
destroy:
	err2 = mshare_domain_destroy(dnl, name);
	if (!err && err2) {
		*what = "destroy A";
		err = err2;
	}
	return err;
}

static void b7_discarder(struct b7_shared *sh, int count, uint32_t flags)
{
	char name[MSHARE_NAME_MAX];
	struct mshare_nl *dnl;
	const char *what = "netlink";
	int i, err;

	dnl = mshare_nl_open();
	err = dnl ? 0 : -errno;
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	if (err)
		goto fail;
	while (b7_phase(sh) < B7_DISCARD)
		usleep(1000);
	for (i = 0; i < count && b7_phase(sh) == B7_DISCARD; i++) {
		snprintf(name, sizeof(name), "bench-%d-b7a%d", (int)getpid(), i);
		err = b7_cycle(sh, dnl, name, flags, &what);
		if (err)
			goto fail;
	}
	mshare_nl_close(dnl);
	_exit(0);
fail:
	b7_set_err(sh, "discarder", what, -err);
	_exit(1);
}

static void b7_measurer(struct b7_shared *sh, const char *name)
{
	struct mshare_info info;
	const char *what;
	int fd, err;
	char *p;

	fd = b7_attach_fd(name, &info);
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	if (fd < 0) {
		err = -fd;
		what = "attach B";
		goto fail;
	}
	while (b7_phase(sh) < B7_IDLE)
		usleep(1000);
	while (b7_phase(sh) < B7_STOP) {
		struct b7_sample *x;

		if (sh->nsamp == B7_MAXSAMP) {	/* full: wait to be told */
			usleep(1000);
			continue;
		}
		x = &sh->samp[sh->nsamp];
		x->map0 = now();
		p = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
		x->map1 = now();
		if (p == MAP_FAILED) {
			err = errno;
			what = "mmap B";
			goto fail;
		}
		p[64] = 1;
		x->unmap0 = now();
		if (munmap(p, info.size)) {
			err = errno;
			what = "munmap B";
			goto fail;
		}
		x->unmap1 = now();
		sh->nsamp++;
	}
	_exit(0);
fail:
	b7_set_err(sh, "measurer", what, err);
	_exit(1);
}

/* Does [@a, @b) overlap discard @i? */
static int b7_overlaps(const struct b7_shared *sh, int i, double a, double b)
{
	return a < sh->disc[i][1] && b > sh->disc[i][0];
}

/* Raise *@worst to the longest step of @x ([@a, @b) the window) in us. */
static void b7_worst(const struct b7_sample *x, const struct b7_shared *sh,
		     int disc, double a, double b, double *worst)
{
	const double t[4] = { x->map0, x->map1, x->unmap0, x->unmap1 };
	int j;

	for (j = 0; j < 3; j++) {
		double l = (t[j + 1] - t[j]) * 1e6;

		if (sh ? !b7_overlaps(sh, disc, t[j], t[j + 1]) :
			 t[j] < a || t[j] >= b)
			continue;
		if (l > *worst)
			*worst = l;
	}
}

/* The @q quantile (0 < q <= 1) of @n sorted values. */
static double b7_quantile(const double *s, int n, double q)
{
	int k = (int)ceil(q * n) - 1;

	return s[k < 0 ? 0 : k];
}

static double b7_median(double *v, int n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Median, p99 (100 values or more) and max of @n latencies. */
static void b7_stats(int var, const char *med, const char *p99,
		     const char *max, double *v, int n)
{
	if (!n) {
		not_available("B7", med, var, 1, "no sample");
		return;
	}
	record("B7", med, var, 1, b7_median(v, n));
	if (p99) {
		if (n >= 100)
			record("B7", p99, var, 1, b7_quantile(v, n, 0.99));
		else
			not_available("B7", p99, var, 1,
				      "fewer than 100 samples");
	}
	record("B7", max, var, 1, v[n - 1]);
}

static void b7_ratio(int var, const char *id, const char *a, const char *b)
{
	const struct result *x = find_result("B7", a, var, 1);
	const struct result *y = find_result("B7", b, var, 1);

	if (x && y && x->nvals && y->nvals && y->vals[0] > 0)
		record("B7", id, var, 1, x->vals[0] / y->vals[0]);
}

static void b7_analyse(int var, struct b7_shared *sh, double t_idle,
		       double t_disc)
{
	int n = sh->nsamp, nd = sh->ndisc, i, k;
	int ni = 0, nu = 0, nmi = 0, nmd = 0, nover = 0, nw = 0;
	double *ui = calloc(n + 1, sizeof(double));
	double *ud = calloc(n + 1, sizeof(double));
	double *mi = calloc(n + 1, sizeof(double));
	double *md = calloc(n + 1, sizeof(double));
	double dt[B7_MAXDISC], worst[B7_MAXDISC], wworst[B7_MAXDISC];
	double span = t_disc - t_idle, win;

	if (!ui || !ud || !mi || !md)
		goto out;
	for (k = 0; k < nd; k++) {
		dt[k] = sh->disc[k][1] - sh->disc[k][0];
		worst[k] = -1;
	}
	/* idle windows as long as the median discard (1 if it is longer) */
	win = nd ? b7_median(dt, nd) : span;
	nw = win > 0 && span > win ? (int)(span / win) : 1;
	if (nw > B7_MAXDISC)
		nw = B7_MAXDISC;
	if (nw == 1)
		win = span;
	for (k = 0; k < nw; k++)
		wworst[k] = -1;

	for (i = 0; i < n; i++) {
		const struct b7_sample *x = &sh->samp[i];
		double lm = (x->map1 - x->map0) * 1e6;
		double lu = (x->unmap1 - x->unmap0) * 1e6;
		int du = 0, dm = 0;

		if (x->map0 >= t_idle && x->unmap1 < t_disc) {
			ui[ni++] = lu;
			mi[nmi++] = lm;
			for (k = 0; k < nw; k++)
				b7_worst(x, NULL, 0, t_idle + k * win,
					 t_idle + (k + 1) * win, &wworst[k]);
			continue;
		}
		for (k = 0; k < nd; k++) {
			du |= b7_overlaps(sh, k, x->unmap0, x->unmap1);
			dm |= b7_overlaps(sh, k, x->map0, x->map1);
			b7_worst(x, sh, k, 0, 0, &worst[k]);
		}
		if (du)
			ud[nu++] = lu;
		if (dm)
			md[nmd++] = lm;
	}

	b7_stats(var, "b7_unmap_idle", "b7_unmap_idle_p99", "b7_unmap_idle_max",
		 ui, ni);
	b7_stats(var, "b7_unmap_disc", "b7_unmap_disc_p99", "b7_unmap_disc_max",
		 ud, nu);
	b7_stats(var, "b7_map_idle", NULL, "b7_map_idle_max", mi, nmi);
	b7_stats(var, "b7_map_disc", NULL, "b7_map_disc_max", md, nmd);
	b7_ratio(var, "b7_unmap_ratio", "b7_unmap_disc", "b7_unmap_idle");
	b7_ratio(var, "b7_unmap_max_ratio", "b7_unmap_disc_max",
		 "b7_unmap_idle_max");

	/* worst per discard / per idle window, over those that had any */
	for (i = k = 0; k < nd; k++)
		if (worst[k] >= 0)
			worst[i++] = worst[k];
	nover = i;
	if (nover)
		record("B7", "b7_worst_disc", var, 1, b7_median(worst, nover));
	for (i = k = 0; k < nw; k++)
		if (wworst[k] >= 0)
			wworst[i++] = wworst[k];
	if (i)
		record("B7", "b7_worst_idle", var, 1, b7_median(wworst, i));
	record("B7", "b7_windows", var, 1, i);
	b7_ratio(var, "b7_worst_ratio", "b7_worst_disc", "b7_worst_idle");

	record("B7", "b7_samples_idle", var, 1, ni);
	record("B7", "b7_samples_disc", var, 1, nu);
	record("B7", "b7_discards", var, 1, nd);
	record("B7", "b7_overlapped", var, 1, nover);
	for (k = 0; k < nd; k++)
		dt[k] = (sh->disc[k][1] - sh->disc[k][0]) * 1e3;
	if (nd)
		record("B7", "b7_discard_time", var, 1, b7_median(dt, nd));
out:
	free(ui);
	free(ud);
	free(mi);
	free(md);
}

static const char *const b7_metrics[] = {
	"b7_unmap_idle", "b7_unmap_disc", "b7_unmap_ratio",
	"b7_unmap_idle_p99", "b7_unmap_disc_p99", "b7_unmap_idle_max",
	"b7_unmap_disc_max", "b7_unmap_max_ratio", "b7_map_idle",
	"b7_map_disc", "b7_map_idle_max", "b7_map_disc_max",
	"b7_worst_idle", "b7_worst_disc", "b7_worst_ratio",
	"b7_samples_idle", "b7_samples_disc", "b7_windows", "b7_discards",
	"b7_overlapped", "b7_discard_time",
};

static void b7_sleep(double secs)
{
	struct timespec ts = {
		.tv_sec = (time_t)secs,
		.tv_nsec = (long)((secs - (time_t)secs) * 1e9),
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Wait for child *@pid (if any) and forget it; 1 if it exited with 0. */
static int b7_reap(pid_t *pid)
{
	int status;

	if (*pid <= 0)
		return 1;
	if (waitpid(*pid, &status, 0) != *pid)
		status = -1;
	*pid = -1;
	return WIFEXITED(status) && !WEXITSTATUS(status);
}

static int run_b7(int var)
{
	struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_INIT;
	char bname[MSHARE_NAME_MAX] = "";
	struct b7_shared *sh;
	pid_t pd = -1, pm = -1;
	double t_idle, t_disc;
	int failed = 1, ok, err;
	size_t m;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mshare-bench: B7");
		return -1;
	}
	if (set_var_sysctls(var))
		goto out;
	snprintf(bname, sizeof(bname), "bench-%d-b7b", (int)getpid());
	err = mshare_domain_create(nl, bname, B7_B_SIZE, &o, NULL);
	if (err) {
		fprintf(stderr, "mshare-bench: create %s: %s\n", bname,
			strerror(-err));
		bname[0] = 0;
		goto out;
	}
	fflush(stdout);
	fflush(stderr);
	pm = fork();
	if (pm == 0)
		b7_measurer(sh, bname);
	if (pm > 0)
		pd = fork();
	if (pd == 0)
		b7_discarder(sh, n7, var_domain_flags(var));
	if (pd < 0 || pm < 0) {
		perror("mshare-bench: B7 fork");
		goto out;
	}
	while (__atomic_load_n(&sh->ready, __ATOMIC_ACQUIRE) < 2) {
		pid_t dead = waitpid(-1, NULL, WNOHANG);

		if (dead > 0) {		/* died unready */
			if (dead == pd)
				pd = -1;
			if (dead == pm)
				pm = -1;
			goto out;
		}
		usleep(1000);
	}
	if (__atomic_load_n(&sh->err, __ATOMIC_ACQUIRE))
		goto out;
	t_idle = now();
	b7_set_phase(sh, B7_IDLE);
	b7_sleep(t7);
	t_disc = now();
	b7_set_phase(sh, B7_DISCARD);
	ok = b7_reap(&pd);
	b7_set_phase(sh, B7_STOP);
	ok &= b7_reap(&pm);
	if (!ok || sh->err)
		goto out;
	b7_analyse(var, sh, t_idle, t_disc);
	for (m = 0; m < sizeof(b7_metrics) / sizeof(b7_metrics[0]); m++)
		emit("B7", b7_metrics[m], var, 1);
	failed = 0;
out:
	if (failed) {
		fprintf(stderr, "mshare-bench: B7 %s failed\n", var_name[var]);
		b7_set_phase(sh, B7_STOP);
		b7_reap(&pd);
		b7_reap(&pm);
	}
	if (bname[0]) {
		err = mshare_domain_destroy(nl, bname);
		if (err)
			fprintf(stderr, "mshare-bench: destroy %s: %s\n", bname,
				strerror(-err));
	}
	munmap(sh, sizeof(*sh));
	return failed ? -1 : 0;
}

/* --- the table --------------------------------------------------------------- */

static void fmt_val(char *buf, size_t len, const struct result *r,
		    const char *unit)
{
	double v;

	if (!r) {
		snprintf(buf, len, "-");
		return;
	}
	if (r->note && !strncmp(r->note, "refused", 7)) {
		snprintf(buf, len, "refused");	/* the module said no */
		return;
	}
	if (r->note || !r->nvals) {
		snprintf(buf, len, "n/a");
		return;
	}
	v = r->median;
	if (!strcmp(unit, "bytes")) {
		if (fabs(v) >= 10 * MIB)
			snprintf(buf, len, "%.1fM", v / MIB);
		else if (fabs(v) >= 10 * 1024)
			snprintf(buf, len, "%.0fK", v / 1024);
		else
			snprintf(buf, len, "%.0f", v);
	} else if (!strcmp(unit, "KiB")) {
		if (fabs(v) >= 10 * 1024 * 1024)
			snprintf(buf, len, "%.1fG", v / 1024 / 1024);
		else if (fabs(v) >= 10 * 1024)
			snprintf(buf, len, "%.1fM", v / 1024);
		else
			snprintf(buf, len, "%.0fK", v);
	} else if (!strcmp(unit, "us")) {
		if (v >= 10000)
			snprintf(buf, len, "%.0fms", v / 1000);
		else if (v >= 1000)
			snprintf(buf, len, "%.1fms", v / 1000);
		else
			snprintf(buf, len, "%.0fus", v);
	} else if (!strcmp(unit, "ratio")) {
		snprintf(buf, len, v >= 10 ? "%.0fx" : "%.2fx", v);
	} else if (!strcmp(unit, "ms")) {
		if (v >= 10000)
			snprintf(buf, len, "%.1fs", v / 1000);
		else if (v >= 10)
			snprintf(buf, len, "%.0fms", v);
		else
			snprintf(buf, len, "%.2fms", v);
	} else {
		snprintf(buf, len, "%.0f", v);
	}
	if (r->extrapolated && strlen(buf) + 1 < len)
		strcat(buf, "*");
}

static void fmt_ratio(char *buf, size_t len, const struct result *a,
		      const struct result *b)
{
	double x, y;

	if (!a || !b || a->note || b->note || !a->nvals || !b->nvals) {
		snprintf(buf, len, "-");
		return;
	}
	x = a->median;
	y = b->median;
	if (y <= 0)
		snprintf(buf, len, "-");
	else if (x / y >= 0.01 || x <= 0)
		snprintf(buf, len, "%.2f", x < 0 ? 0 : x / y);
	else
		snprintf(buf, len, "1/%.0f", y / x);
}

static void print_row(const char *scen, const struct metric *m, int n,
		      int *any_extra)
{
	const struct result *cell[NVAR];
	char label[64], buf[32];
	int v, nv = 0;

	for (v = 0; v < NVAR; v++) {
		cell[v] = find_result(scen, m->id, v, n);
		if (cell[v] && cell[v]->nvals > nv)
			nv = cell[v]->nvals;
	}
	if (nv > 1)
		snprintf(label, sizeof(label), "  %s, N=%d [med %d]", m->label,
			 n, nv);
	else
		snprintf(label, sizeof(label), "  %s, N=%d", m->label, n);
	printf("%-50.50s", label);
	for (v = 0; v < NVAR; v++) {
		fmt_val(buf, sizeof(buf), cell[v], m->unit);
		if (cell[v] && cell[v]->extrapolated)
			*any_extra = 1;
		printf(" %10s", buf);
	}
	fmt_ratio(buf, sizeof(buf), cell[V_PUD], cell[V_MEMFD]);
	printf(" %9s", buf);
	fmt_ratio(buf, sizeof(buf), cell[V_PMD], cell[V_MEMFD]);
	printf(" %9s", buf);
	fmt_ratio(buf, sizeof(buf), cell[V_PUD], cell[V_HUGETLB]);
	printf(" %9s", buf);
	fmt_ratio(buf, sizeof(buf), cell[V_HUGE], cell[V_MEMFD]);
	printf(" %10s", buf);
	fmt_ratio(buf, sizeof(buf), cell[V_HUGE], cell[V_HUGETLB]);
	printf(" %9s\n", buf);
}

static void print_table(void)
{
	static const char *const scens[] = {
		"B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8",
	};
	size_t s, k;
	int i, j, v, any_extra = 0;

	printf("\n%-50s", "");
	for (v = 0; v < NVAR; v++)
		printf(" %10s", var_name[v]);
	printf(" %9s %9s %9s %10s %9s\n", "pud/memfd", "pmd/memfd", "pud/htlb",
	       "huge/memfd", "huge/htlb");
	for (s = 0; s < sizeof(scens) / sizeof(scens[0]); s++) {
		int header = 0;

		for (k = 0; k < sizeof(metrics) / sizeof(metrics[0]); k++) {
			int ns[MAXRES], nn = 0;

			for (i = 0; i < nresults; i++) {
				if (strcmp(results[i].scen, scens[s]) ||
				    strcmp(results[i].metric, metrics[k].id))
					continue;
				for (j = 0; j < nn && ns[j] != results[i].n; j++)
					;
				if (j == nn)
					ns[nn++] = results[i].n;
			}
			if (nn && !header) {
				if (tree)
					printf("%s (%s)\n", scens[s], tree);
				else
					printf("%s\n", scens[s]);
				header = 1;
			}
			qsort(ns, nn, sizeof(int), cmp_int);
			for (j = 0; j < nn; j++)
				print_row(scens[s], &metrics[k], ns[j], &any_extra);
		}
	}
	printf("[med k]: median of k runs; other rows: one run.  Ratios: mshare-pud, -pmd or\n"
	       "-huge over memfd (4 KiB), mshare-pud or -huge over hugetlb; below 0.01\n"
	       "written 1/x.  refused: the module answered EOPNOTSUPP (no number).\n");
	if (want_v[V_HUGE] && huge_skip[0])
		printf("mshare-huge: skipped: %s\n", huge_skip);
	if (any_extra)
		printf("* extrapolated linearly from the memfd run at N=%d (B1/B3), not measured\n",
		       n1[nn1 - 1] >= 100 ? 100 : n1[nn1 - 1]);
	for (i = 0; i < nresults; i++)
		if (results[i].note)
			printf("%s: %s %s %s N=%d: %s\n",
			       strncmp(results[i].note, "refused", 7) ? "n/a" :
								       "refused",
			       results[i].scen, var_name[results[i].var],
			       results[i].metric, results[i].n, results[i].note);
}

static void print_config(void)
{
	struct utsname u;
	char buf[256];

	uname(&u);
	printf("mshare-bench: kernel %s, %ld vCPUs, %d NUMA node(s), MemTotal %lld MiB\n",
	       u.release, sysconf(_SC_NPROCESSORS_ONLN), nr_nodes(),
	       meminfo_kb("MemTotal") / 1024);
	if (!read_file("/proc/cmdline", buf, sizeof(buf)))
		printf("mshare-bench: cmdline: %s\n", buf);
	printf("mshare-bench: region %zu MiB, repetitions %d (B1/B3 runs with N > %d: %d; B5 runs with N > 1: 1)%s\n",
	       size / MIB, reps, cheap_n, reps_big, smoke ? ", SMOKE run" : "");
	if (thp_built())
		printf("mshare-bench: THP as found: enabled [%s], shmem_enabled [%s]; nr_hugepages %s\n",
		       orig_thp, orig_shmem, orig_hp);
	else
		printf("mshare-bench: THP: not in this kernel (memfd-thp skipped); nr_hugepages %s\n",
		       orig_hp);
	if (!pud_links_possible())
		printf("mshare-bench: this kernel links at PMD level only: mshare-pud measures what mshare-pmd does\n");
	printf("mshare-bench: module: %s\n", tree ? tree : "this tree");
	printf("MSHARE-BENCH-CSV,scenario,variant,n,metric,unit,median,min,max,runs,kind,tree\n");
	fflush(stdout);
}

/* --- main ------------------------------------------------------------------- */

static int parse_list(const char *s, int *out, int max)
{
	int k = 0;
	char *end;

	while (*s) {
		long v = strtol(s, &end, 10);

		if (end == s || v < 1 || v > 100000 || k == max)
			return -1;
		out[k++] = v;
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return k ? k : -1;
}

static void usage_exit(const char *msg)
{
	fprintf(stderr, "mshare-bench: %s (see -h)\n", msg);
	exit(2);
}

static void help(void)
{
	printf("usage: mshare-bench [--smoke] [-s SIZE_MIB] [-r REPS] [--rbig REPS] [-b B1,...] [-V VARIANT,...]\n"
	       "                    [--n1 LIST] [--n5 LIST] [--n6 N] [--t7 SECS] [--n7 N]\n"
	       "                    [--tree LABEL]\n"
	       "  --smoke  tiny run: 16 MiB region, N <= 2, 1 repetition, B7: 0.3 s, 2 discards\n"
	       "  -s       region size in MiB, a multiple of 2 (default 1024)\n"
	       "  -r       repetitions of the cheap runs (default 3)\n"
	       "  --rbig   repetitions of B1/B3 runs with N > 100 (default 3)\n"
	       "  -b       scenarios (default B1,B2,B3,B4,B5,B6,B7,B8)\n"
	       "  -V       variants (default mshare-pud,mshare-pmd,memfd,memfd-thp,hugetlb,\n"
	       "           mshare-huge)\n"
	       "  --n1     attachers for B1/B3 (default 1,10,100,1000)\n"
	       "  --n5     attachers for B5 (default 1,10,100)\n"
	       "  --n6     attachers for B6 (default 10000)\n"
	       "  --t7     B7: seconds idle before the discards, 0.1 to 600 (default 4)\n"
	       "  --n7     B7: discards, 1 to 64 (default 8)\n"
	       "  --tree   the module build measured, for the CSV and table (default\n"
	       "           \"this tree\"; no commas)\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "smoke", no_argument, NULL, 'S' },
		{ "n1", required_argument, NULL, '1' },
		{ "n5", required_argument, NULL, '5' },
		{ "n6", required_argument, NULL, '6' },
		{ "rbig", required_argument, NULL, 'R' },
		{ "t7", required_argument, NULL, '7' },
		{ "n7", required_argument, NULL, 'D' },
		{ "tree", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long mib = 0;
	int opt, v, err, failed = 0, t7_given = 0, n7_given = 0;
	double t_start = now();
	char *tok, *save;

	while ((opt = getopt_long(argc, argv, "s:r:b:V:h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'S':
			smoke = 1;
			break;
		case 's':
			mib = strtoull(optarg, NULL, 10);
			if (mib < 2 || mib % 2 || mib > 65536)
				usage_exit("-s: size in MiB, a multiple of 2");
			break;
		case 'r':
			reps = atoi(optarg);
			if (reps < 1 || reps > MAXVALS)
				usage_exit("-r: 1 to 16 repetitions");
			break;
		case 'b':
			memset(want_b, 0, sizeof(want_b));
			for (tok = strtok_r(optarg, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if ((tok[0] != 'B' && tok[0] != 'b') || tok[1] < '1' ||
				    tok[1] > '8' || tok[2])
					usage_exit("-b: scenarios B1 to B8");
				want_b[tok[1] - '0'] = 1;
			}
			break;
		case 'V':
			memset(want_v, 0, sizeof(want_v));
			for (tok = strtok_r(optarg, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				for (v = 0; v < NVAR; v++)
					if (!strcmp(tok, var_name[v]))
						break;
				if (v == NVAR)
					usage_exit("-V: unknown variant");
				want_v[v] = 1;
			}
			break;
		case '1':
			nn1 = parse_list(optarg, n1, 8);
			if (nn1 < 0)
				usage_exit("--n1: a list of attacher counts");
			break;
		case '5':
			nn5 = parse_list(optarg, n5, 8);
			if (nn5 < 0)
				usage_exit("--n5: a list of attacher counts");
			break;
		case 'R':
			reps_big = atoi(optarg);
			if (reps_big < 1 || reps_big > MAXVALS)
				usage_exit("--rbig: 1 to 16 repetitions");
			break;
		case '6':
			n6 = atoi(optarg);
			if (n6 < 1 || n6 > 100000)
				usage_exit("--n6: 1 to 100000 attachers");
			break;
		case '7': {
			char *end;

			t7 = strtod(optarg, &end);
			if (end == optarg || *end || !(t7 >= 0.1 && t7 <= 600))
				usage_exit("--t7: 0.1 to 600 seconds");
			t7_given = 1;
			break;
		}
		case 'D':
			n7 = atoi(optarg);
			if (n7 < 1 || n7 > 64)
				usage_exit("--n7: 1 to 64 discards");
			n7_given = 1;
			break;
		case 'T':
			if (!*optarg || strlen(optarg) > 64 ||
			    strpbrk(optarg, ",\"\n\r"))
				usage_exit("--tree: 1 to 64 characters, no commas or quotes");
			tree = optarg;
			break;
		case 'h':
			help();
			return 0;
		default:
			usage_exit("unknown option");
		}
	}
	if (optind < argc)
		usage_exit("unexpected argument");
	if (smoke) {
		size = 16 * MIB;
		reps = 1;
		reps_big = 1;
		n1[0] = 1;
		n1[1] = 2;
		nn1 = 2;
		n5[0] = 1;
		n5[1] = 2;
		nn5 = 2;
		n6 = 2;
		if (!t7_given)
			t7 = 0.3;
		if (!n7_given)
			n7 = 2;
	}
	if (mib)
		size = mib * MIB;
	if (geteuid())
		usage_exit("needs root (domains, THP and hugetlb sysctls)");

	sysctl_save();
	print_config();
	nl = mshare_nl_open();
	err = nl ? 0 : -errno;
	if (err) {
		fprintf(stderr, "mshare-bench: %s\n", err == -ENOENT ?
			"the mshare module is not loaded" : strerror(-err));
		return 1;
	}
	have_nl = 1;
	if (want_v[V_HUGE]) {
		failed = huge_probe() != 0;
		if (huge_skip[0])
			say("== %s: skipped: %s\n", var_name[V_HUGE], huge_skip);
	}

	for (v = 0; v < NVAR && !failed; v++) {
		struct region r;

		if (!want_v[v] || !(want_b[1] || want_b[2] || want_b[3] ||
				    want_b[4] || want_b[8]))
			continue;
		if (v == V_THP && !thp_built()) {
			say("== %s: skipped, no THP in this kernel\n", var_name[v]);
			continue;
		}
		if (v == V_HUGE && huge_skip[0])
			continue;
		say("== %s: B1-B4, B8\n", var_name[v]);
		if (region_create(&r, v)) {
			failed = 1;
			break;
		}
		if (v == V_THP && meminfo_kb("ShmemHugePages") <= 0)
			say("   warning: memfd-thp: no shmem huge pages (ShmemHugePages 0)\n");
		if ((want_b[1] || want_b[3]) && run_b1(v, &r))
			failed = 1;
		if (!failed && want_b[2] && run_b2(v, &r))
			failed = 1;
		if (!failed && want_b[4] && run_b4(v, &r))
			failed = 1;
		if (!failed && want_b[8] && run_b8(v, &r))
			failed = 1;
		region_destroy(&r);
		say("   %s done at %.0f s\n", var_name[v], now() - t_start);
	}
	if (!failed && want_b[5]) {
		static const int b5v[] = { V_PUD, V_PMD, V_HUGE, V_MEMFD };

		for (size_t i = 0; i < 4 && !failed; i++) {
			if (!want_v[b5v[i]] || (b5v[i] == V_HUGE && huge_skip[0]))
				continue;
			say("== %s: B5\n", var_name[b5v[i]]);
			failed = run_b5(b5v[i]) != 0;
			say("   done at %.0f s\n", now() - t_start);
		}
	}
	if (!failed && want_b[6] && want_v[V_PUD]) {
		struct region r;

		say("== %s: B6, %d attachers\n", var_name[V_PUD], n6);
		if (region_create(&r, V_PUD))
			failed = 1;
		else {
			failed = run_b6(V_PUD, &r) != 0;
			region_destroy(&r);
		}
		if (want_v[V_MEMFD])
			b6_extrapolate(V_MEMFD);
		say("   done at %.0f s\n", now() - t_start);
	}
	if (!failed && want_b[7]) {
		static const int b7v[] = { V_PUD, V_PMD, V_HUGE };

		for (size_t i = 0; i < 3 && !failed; i++) {
			if (!want_v[b7v[i]] || (b7v[i] == V_HUGE && huge_skip[0]))
				continue;
			say("== %s: B7, %.1f s idle, then %d discards\n",
			    var_name[b7v[i]], t7, n7);
			failed = run_b7(b7v[i]) != 0;
			say("   done at %.0f s\n", now() - t_start);
		}
	}
	sysctl_restore();
	mshare_nl_close(nl);

	printf("MSHARE-BENCH-TABLE-BEGIN\n");
	print_table();
	printf("\nmshare-bench: %s in %.0f s\n", failed ? "FAILED" : "done",
	       now() - t_start);
	printf("MSHARE-BENCH-TABLE-END\n");
	return failed ? 1 : 0;
}
