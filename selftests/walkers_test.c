// SPDX-License-Identifier: GPL-2.0
/*
 * Generic kernel walkers against a domain mapping.  A process's link puts
 * the domain's own tables under its PUD or PMD entries, so every generic
 * page-table walker of the process (procfs readers, madvise, mlock,
 * mbind and move_pages, the NUMA scanner, khugepaged) can reach the
 * tables every other attacher uses.  Documentation/walkers.rst gives, for each, the 6.12 function
 * that decides what it does with a VM_MIXEDMAP file VMA; each test here
 * proves that verdict: the walker either leaves the shared tables and the
 * data alone (the data stays intact for another attacher, the call has
 * its documented result) or is refused (its errno).  The VM runner fails
 * the run on any warning, bad pmd/pud or oops in the kernel log, so
 * "dmesg clean" is checked for every case.
 *
 * The domain is 1 GiB + 4 MiB, not prefaulted: its first GiB links at PUD
 * level where the kernel can (pud_links_possible(): THP built and not
 * "never", 6.6 or later), else as 512 PMD links; its tail as two PMD
 * links, so each walker crosses both kinds of link where there are two.
 * The fixture writes one page in each of its 514 2 MiB (tpage()).
 *
 * Every test runs twice (FIXTURE_VARIANT): "pages", a domain of 4 KiB
 * pages, where the fixture's writes leave 514 data pages, each PTE table
 * linked and most leaf entries empty; and "huge", the same domain created
 * with MSHARE_DOMAIN_F_HUGE (Documentation/design.rst, "2 MiB leaves"),
 * where each write fills a whole 2 MiB leaf: 514 leaves, 263168 pages, the
 * first GiB's in the domain's PMD table (linked at PUD level where the
 * kernel can), the tail's two as copies in this process's own PMD
 * entries.  A walker then meets PMD leaves, both shared and copied.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/mempolicy.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mshare.h"
#include "mshare_util.h"
#include "kselftest_harness.h"

#ifndef MADV_COLD
#define MADV_COLD		20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC	(1 << 15)
#endif

#define DSIZE		(1 * GiB + 4 * MiB)
#define NPAGES		(DSIZE / PAGE)
#define NTABLES		(DSIZE / (2 * MiB))	/* 514 PTE tables or leaves */
#define LEAF_PAGES	512
#define TAIL		(1 * GiB)		/* the PMD-linked tail */
#define TAIL_LEN	(4 * MiB)
#define SEED		41

/* /proc/PID/pagemap bits (Documentation/admin-guide/mm/pagemap.rst) */
#define PM_PRESENT	(1ULL << 63)
#define PM_FILE		(1ULL << 61)
#define PM_EXCLUSIVE	(1ULL << 56)
#define PM_SOFT_DIRTY	(1ULL << 55)
#define PM_PFN		((1ULL << 55) - 1)

#define KHUGEPAGED	THP_SYSFS "/khugepaged/"
#define NUMAB_SYSCTL	"/proc/sys/kernel/numa_balancing"
#define NUMAB_DEBUGFS	"/sys/kernel/debug/sched/numa_balancing/"

/* ---- the pages the tests write: one in each PTE table ---- */

static uint64_t tpage(unsigned int t)
{
	return (uint64_t)t * 512 + (t * 37) % 512;
}

static int is_tpage(uint64_t pg)
{
	return tpage(pg / 512) == pg;
}

static void fill_tables(char *p, uint64_t seed)
{
	unsigned int t;

	for (t = 0; t < NTABLES; t++)
		*(volatile uint64_t *)(p + tpage(t) * PAGE) = page_pattern(seed, tpage(t));
}

static unsigned int bad_tables(const char *p, uint64_t seed)
{
	unsigned int t, bad = 0;

	for (t = 0; t < NTABLES; t++)
		if (*(const volatile uint64_t *)(p + tpage(t) * PAGE) !=
		    page_pattern(seed, tpage(t)))
			bad++;
	return bad;
}

/*
 * Another attacher: a child that maps the domain itself (its own mapping,
 * its own links) and reads the page of every table.  Its exit status: 0
 * when each holds page_pattern(@seed), 1 otherwise, 2 if it could not
 * attach.
 */
static int other_attacher_verifies(const char *name, uint64_t seed)
{
	pid_t pid = flush_fork();

	if (pid == 0) {
		size_t size;
		void *q;

		if (attach_dom(name, 0, &q, &size) || size != DSIZE)
			_exit(2);
		_exit(bad_tables(q, seed) ? 1 : 0);
	}
	if (pid < 0)
		return -1;
	return wait_exit_code(pid);
}

/* ---- /proc readers ---- */

/* Does @line start a VMA ("hex-hex ...")? */
static int vma_header(const char *line)
{
	size_t n = strspn(line, "0123456789abcdef");

	return n > 0 && line[n] == '-';
}

/*
 * Copy the entry of the VMA that starts at @addr in /proc/@pid/@file
 * (smaps or maps; @pid 0: this process) into @buf.  0, or -1 if none.
 */
static int vma_entry(pid_t pid, const char *file, const void *addr, char *buf,
		     size_t len)
{
	char path[64], head[32], line[1024];
	size_t used = 0;
	int in = 0;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	else
		snprintf(path, sizeof(path), "/proc/self/%s", file);
	snprintf(head, sizeof(head), "%lx-", (unsigned long)addr);
	f = fopen(path, "re");
	if (!f)
		return -1;
	buf[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		if (vma_header(line)) {
			if (in)
				break;
			in = !strncmp(line, head, strlen(head));
		}
		if (in && used + strlen(line) < len) {
			strcpy(buf + used, line);
			used += strlen(line);
		}
	}
	fclose(f);
	return buf[0] ? 0 : -1;
}

/* "@key: N kB" of an smaps entry, or -1. */
static long entry_kb(const char *entry, const char *key)
{
	char pat[64];
	const char *s;
	long kb;

	snprintf(pat, sizeof(pat), "\n%s:", key);
	s = strstr(entry, pat);
	if (!s || sscanf(s + strlen(pat), " %ld kB", &kb) != 1)
		return -1;
	return kb;
}

/* @key (kB) of the smaps entry of the VMA at @addr of @pid, or -1. */
static long smaps_kb(pid_t pid, const void *addr, const char *key)
{
	char entry[4096];

	if (vma_entry(pid, "smaps", addr, entry, sizeof(entry)))
		return -1;
	return entry_kb(entry, key);
}

/* Does the VmFlags line of the VMA at @addr hold @flag?  -1: no entry. */
static int has_vmflag(const void *addr, const char *flag)
{
	char entry[4096], want[8];
	const char *s;

	if (vma_entry(0, "smaps", addr, entry, sizeof(entry)))
		return -1;
	s = strstr(entry, "\nVmFlags:");
	if (!s)
		return -1;
	snprintf(want, sizeof(want), " %s", flag);
	for (s += 9; (s = strstr(s, want)); s += strlen(want))
		if (s[strlen(want)] == ' ' || s[strlen(want)] == '\n')
			return 1;
	return 0;
}

/* The /proc/self/pagemap entry of @addr, or 0. */
static uint64_t pagemap_entry(const void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (uintptr_t)addr / PAGE * sizeof(e)) != sizeof(e))
		e = 0;
	close(fd);
	return e;
}

/* A number from the first line of a file, or -1. */
static long read_long(const char *path)
{
	char buf[64];
	long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtol(buf, NULL, 10);
	fclose(f);
	return v;
}

/* The value of "@key N" in /proc/vmstat, or -1. */
static long vmstat(const char *key)
{
	char line[128], k[64];
	long v, found = -1;
	FILE *f = fopen("/proc/vmstat", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", k, &v) == 2 && !strcmp(k, key)) {
			found = v;
			break;
		}
	fclose(f);
	return found;
}

/* mm->numa_scan_seq of this process (/proc/self/sched), or -1. */
static long numa_scan_seq(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/sched", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "mm->numa_scan_seq", 17)) {
			char *c = strchr(line, ':');

			if (c)
				v = strtol(c + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the fixture ---- */

#define MAX_KNOBS	8

struct knob {
	char path[128];
	char value[64];
};

FIXTURE(walk) {
	struct mshare_nl *nl;
	unsigned int flags;		/* the domain's: 0 or MSHARE_DOMAIN_F_HUGE */
	uint64_t fill;			/* pages a first touch fills: 1 or 512 */
	char name[MSHARE_NAME_MAX];
	char extra[2][MSHARE_NAME_MAX];	/* other domains a test made */
	char *p;
	pid_t child;
	struct knob knobs[MAX_KNOBS];	/* sysfs/debugfs values to restore */
	int nknobs;
};

FIXTURE_VARIANT(walk) {
	unsigned int flags;
};

/* A domain of 4 KiB pages in PTE tables. */
FIXTURE_VARIANT_ADD(walk, pages) {
	.flags = 0,
};

/* The same domain of 2 MiB leaves. */
FIXTURE_VARIANT_ADD(walk, huge) {
	.flags = MSHARE_DOMAIN_F_HUGE,
};

FIXTURE_SETUP(walk)
{
	struct mshare_domain_info info = MSHARE_INIT(info);
	size_t size;
	void *addr;

	snprintf(self->name, sizeof(self->name), "walkers-%d", getpid());
	self->extra[0][0] = self->extra[1][0] = 0;
	self->p = NULL;
	self->child = 0;
	self->nknobs = 0;
	self->flags = variant->flags;
	self->fill = variant->flags ? LEAF_PAGES : 1;
	ASSERT_EQ(0, nl_open(&self->nl));
	if (self->flags && !thp_built())
		SKIP(return, "no 2 MiB leaves here (no THP)");
	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE, self->flags, &info));
	ASSERT_EQ(0, attach_dom(self->name, 0, &addr, &size));
	ASSERT_EQ(DSIZE, size);
	self->p = addr;
	fill_tables(self->p, SEED);
	/* Every 2 MiB a leaf: none fell back to a PTE table. */
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &info));
	ASSERT_EQ(NTABLES * self->fill, info.resident);
	/* Two PMD tables, and a PTE table per 2 MiB of pages only. */
	ASSERT_EQ(self->flags ? 2 : 2 + NTABLES, info.table_pages);
}

static void restore_knobs(FIXTURE_DATA(walk) *self)
{
	while (self->nknobs > 0) {
		struct knob *k = &self->knobs[--self->nknobs];

		write_str(k->path, k->value);
	}
}

FIXTURE_TEARDOWN(walk)
{
	int i;

	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	restore_knobs(self);
	if (self->p)
		munmap(self->p, DSIZE);
	mshare_domain_destroy(self->nl, self->name);
	for (i = 0; i < 2; i++)
		if (self->extra[i][0])
			mshare_domain_destroy(self->nl, self->extra[i]);
	mshare_nl_close(self->nl);
}

/* Set @path to @value, remembering its old value for the teardown. */
static int set_knob(FIXTURE_DATA(walk) *self, const char *path, const char *value)
{
	struct knob *k;
	FILE *f;

	if (self->nknobs == MAX_KNOBS)
		return -1;
	k = &self->knobs[self->nknobs];
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(k->value, sizeof(k->value), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	k->value[strcspn(k->value, "\n")] = 0;
	snprintf(k->path, sizeof(k->path), "%s", path);
	self->nknobs++;
	return write_str(path, value);
}

static void dom_info(struct __test_metadata *_metadata, FIXTURE_DATA(walk) *self,
		     struct mshare_domain_info *info)
{
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, info));
}

/* Links to the domain's tables, counted in 2 MiB units (a PUD link: 512). */
static uint64_t link_units(struct __test_metadata *_metadata,
			   FIXTURE_DATA(walk) *self)
{
	struct mshare_domain_info info = MSHARE_INIT(info);

	dom_info(_metadata, self, &info);
	return (uint64_t)info.links_pud * 512 + info.links_pmd;
}

static uint64_t resident(struct __test_metadata *_metadata,
			 FIXTURE_DATA(walk) *self)
{
	struct mshare_domain_info info = MSHARE_INIT(info);

	dom_info(_metadata, self, &info);
	return info.resident;
}

/* The data is intact here and for a fresh attacher. */
static void check_data(struct __test_metadata *_metadata,
		       FIXTURE_DATA(walk) *self)
{
	EXPECT_EQ(0, bad_tables(self->p, SEED));
	EXPECT_EQ(0, other_attacher_verifies(self->name, SEED));
}

/* ---- 4: /proc/PID/maps ---- */

TEST_F_TIMEOUT(walk, maps_names_mapping_mshare_name, 120)
{
	char line[1024], want[MSHARE_NAME_MAX + 16], perms[8], *last;
	unsigned long start, end;
	unsigned long long off;

	ASSERT_EQ(0, vma_entry(0, "maps", self->p, line, sizeof(line)));
	line[strcspn(line, "\n")] = 0;
	TH_LOG("%s", line);
	ASSERT_EQ(4, sscanf(line, "%lx-%lx %7s %llx", &start, &end, perms, &off));
	EXPECT_EQ((unsigned long)self->p, start);
	EXPECT_EQ(start + DSIZE, end);
	EXPECT_STREQ("rw-s", perms);
	EXPECT_EQ(0, off);
	snprintf(want, sizeof(want), "mshare:[%s]", self->name);
	last = strrchr(line, ' ');
	ASSERT_NE(NULL, last);
	EXPECT_STREQ(want, last + 1);
	/* smaps uses the same header. */
	ASSERT_EQ(0, vma_entry(0, "smaps", self->p, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, want));
}

/* ---- 3: procfs readers ---- */

/*
 * smaps_pte_range() walks the linked tables: Rss is the domain pages this
 * process links (not the whole domain, not the ranges it has not linked),
 * and Pss equals Rss (the pages have no mapcount).  A leaf, shared or
 * copied, goes through smaps_pmd_entry(): 2 MiB of Rss, Pss,
 * Private_Dirty and FilePmdMapped.
 */
TEST_F_TIMEOUT(walk, smaps_counts_linked_pages_in_rss_and_pss, 120)
{
	const long kb = NTABLES * 4 * self->fill, leaf_kb = self->flags ? 2048 : 0;

	EXPECT_EQ(NTABLES * self->fill, resident(_metadata, self));
	EXPECT_EQ(kb, smaps_kb(0, self->p, "Rss"));
	EXPECT_EQ(kb, smaps_kb(0, self->p, "Pss"));
	EXPECT_EQ(kb, smaps_kb(0, self->p, "Private_Dirty"));
	EXPECT_EQ(0, smaps_kb(0, self->p, "Shared_Dirty"));
	EXPECT_EQ(NTABLES * leaf_kb, smaps_kb(0, self->p, "FilePmdMapped"));
	TH_LOG("Referenced %ld kB", smaps_kb(0, self->p, "Referenced"));
	/* Unlink the tail: its two pages (leaves) leave Rss, not the domain. */
	ASSERT_EQ(0, madvise(self->p + TAIL, TAIL_LEN, MADV_DONTNEED));
	EXPECT_EQ(kb - 2 * 4 * self->fill, smaps_kb(0, self->p, "Rss"));
	EXPECT_EQ((NTABLES - 2) * leaf_kb, smaps_kb(0, self->p, "FilePmdMapped"));
	EXPECT_EQ(NTABLES * self->fill, resident(_metadata, self));
	check_data(_metadata, self);
}

/*
 * pte_to_pagemap_entry(): a written page is present, a file page, not
 * exclusive, with the same PFN in every attacher; an empty leaf entry of a
 * linked table is not present.  A 2 MiB leaf (pagemap_pmd_range()'s huge
 * branch): all its 512 pages are present, PFNs contiguous from a 2 MiB
 * aligned first one.
 */
TEST_F_TIMEOUT(walk, pagemap_reports_same_pfn_in_every_attacher, 120)
{
	static uint64_t pfn[NTABLES];
	unsigned int t, bad = 0;
	pid_t pid;

	for (t = 0; t < NTABLES; t++) {
		uint64_t e = pagemap_entry(self->p + tpage(t) * PAGE);
		uint64_t nb = t * 512 + (tpage(t) + 1) % 512;	/* its neighbour */
		uint64_t n = pagemap_entry(self->p + nb * PAGE);
		int ok;

		ok = (e & PM_PRESENT) && (e & PM_FILE) && !(e & PM_EXCLUSIVE) &&
		     (e & PM_PFN);
		if (self->flags)	/* the same leaf */
			ok = ok && (n & ~PM_PFN) == (e & ~PM_PFN) &&
			     (n & PM_PFN) - (e & PM_PFN) == nb - tpage(t) &&
			     (e & PM_PFN) % 512 == tpage(t) % 512;
		else			/* an empty entry */
			ok = ok && !(n & PM_PRESENT);
		if (!ok && bad++ < 4)
			TH_LOG("2 MiB %u: entry %#" PRIx64 ", neighbour %#" PRIx64,
			       t, e, n);
		pfn[t] = e & PM_PFN;
	}
	EXPECT_EQ(0, bad);

	/* Another attacher sees the same frames at its own addresses. */
	pid = flush_fork();
	if (pid == 0) {
		size_t size;
		void *q;

		if (attach_dom(self->name, 0, &q, &size) || q == self->p)
			_exit(2);
		if (bad_tables(q, SEED))
			_exit(3);
		for (t = 0; t < NTABLES; t++)
			if ((pagemap_entry((char *)q + tpage(t) * PAGE) & PM_PFN) != pfn[t])
				_exit(1);
		_exit(0);
	}
	ASSERT_GT(pid, 0);
	EXPECT_EQ(0, wait_exit_code(pid));
}

/*
 * show_numa_map() -> gather_pte_stats(): the mapping is named, and counts
 * each written page once, dirty, on its node; a leaf (gather_pte_stats()'s
 * PMD branch) as 512 dirty pages, still with kernelpagesize_kB 4.
 */
TEST_F_TIMEOUT(walk, numa_maps_counts_dirty_pages_per_node, 120)
{
	char line[1024], want[MSHARE_NAME_MAX + 32];
	long sum = 0, n;
	int nid;

	ASSERT_EQ(0, numa_maps_line(self->p, line, sizeof(line)));
	line[strcspn(line, "\n")] = 0;
	TH_LOG("%s", line);
	snprintf(want, sizeof(want), " file=mshare:[%s]", self->name);
	EXPECT_NE(NULL, strstr(line, want));
	EXPECT_EQ(NTABLES * self->fill, line_field(line, "dirty", -1));
	EXPECT_EQ(-1, line_field(line, "anon", -1));
	for (nid = 0; nid < 64; nid++) {
		char key[8];

		snprintf(key, sizeof(key), "N%d", nid);
		n = line_field(line, key, -1);
		if (n > 0)
			sum += n;
	}
	EXPECT_EQ(NTABLES * self->fill, sum);
	EXPECT_EQ(4, line_field(line, "kernelpagesize_kB", -1));
	check_data(_metadata, self);
}

/*
 * mincore_pte_range(): a present leaf entry is resident; an empty one is
 * looked up in the domain file's page cache (empty: 0).  A 2 MiB leaf is
 * 512 resident pages (huge: every page of the domain).
 */
TEST_F_TIMEOUT(walk, mincore_reports_linked_pages_resident, 120)
{
	unsigned char *vec = malloc(NPAGES);
	uint64_t i, wrong = 0;

	ASSERT_NE(NULL, vec);
	ASSERT_EQ(0, mincore(self->p, DSIZE, vec));
	for (i = 0; i < NPAGES; i++)
		if ((vec[i] & 1) != (self->flags ? 1 : is_tpage(i)) && wrong++ < 4)
			TH_LOG("page %" PRIu64 ": %u", i, vec[i]);
	EXPECT_EQ(0, wrong);
	free(vec);
	check_data(_metadata, self);
}

/*
 * mincore_unmapped_range(): a range this process has not linked reads as
 * not resident, even though the domain holds pages there (they are not in
 * a page cache).  A limitation, documented in walkers.rst.
 */
TEST_F_TIMEOUT(walk, mincore_reports_unlinked_range_absent, 120)
{
	unsigned char vec[TAIL_LEN / PAGE];
	unsigned int i, ones = 0;

	ASSERT_EQ(0, madvise(self->p + TAIL, TAIL_LEN, MADV_DONTNEED));
	EXPECT_EQ(NTABLES * self->fill, resident(_metadata, self));
	ASSERT_EQ(0, mincore(self->p + TAIL, TAIL_LEN, vec));
	for (i = 0; i < TAIL_LEN / PAGE; i++)
		ones += vec[i] & 1;
	EXPECT_EQ(0, ones);
	/* Relinked by a read, the written pages (leaves) are resident again. */
	EXPECT_EQ(0, bad_tables(self->p, SEED));
	ASSERT_EQ(0, mincore(self->p + TAIL, TAIL_LEN, vec));
	for (i = 0, ones = 0; i < TAIL_LEN / PAGE; i++)
		ones += vec[i] & 1;
	EXPECT_EQ(2 * self->fill, ones);
	check_data(_metadata, self);
}

/*
 * can_do_mincore(): a process that neither owns the domain's inode nor
 * could open it for writing gets "all resident", without a walk.
 */
TEST_F_TIMEOUT(walk, mincore_by_non_owner_reports_every_page_resident, 120)
{
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;
	struct mshare_domain_info info = MSHARE_INIT(info);
	pid_t pid;

	snprintf(self->extra[0], MSHARE_NAME_MAX, "walkers-%d-any", getpid());
	opts.mode = 0666;
	opts.flags = self->flags;
	ASSERT_EQ(0, mshare_domain_create(self->nl, self->extra[0], 8 * MiB,
					  &opts, &info));
	pid = flush_fork();
	if (pid == 0) {
		unsigned char vec[8 * MiB / PAGE];
		unsigned int i;
		size_t size;
		void *q;

		if (setgid(65534) || setuid(65534))
			_exit(4);
		if (attach_dom(self->extra[0], 0, &q, &size) || size != 8 * MiB)
			_exit(2);
		*(volatile char *)q = 1;
		if (mincore(q, size, vec))
			_exit(3);
		for (i = 0; i < size / PAGE; i++)
			if (!(vec[i] & 1))
				_exit(1);
		_exit(0);
	}
	ASSERT_GT(pid, 0);
	EXPECT_EQ(0, wait_exit_code(pid));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->extra[0], &info));
	EXPECT_EQ(self->fill, info.resident);
}

/* ---- /proc/PID/clear_refs ---- */

/*
 * Types 1 and 3: clear_refs_pte_range() clears the young bit of the shared
 * leaf entries (accounting only; no notifier, so nothing is unlinked).  A
 * 2 MiB leaf: its huge branch, pmdp_test_and_clear_young() under
 * pmd_trans_huge_lock() (the domain PMD table's lock, or this process's
 * for a copy).
 */
static void clear_refs_young(struct __test_metadata *_metadata,
			     FIXTURE_DATA(walk) *self, const char *type)
{
	uint64_t units = link_units(_metadata, self);
	const long kb = NTABLES * 4 * self->fill;

	EXPECT_EQ(kb, smaps_kb(0, self->p, "Referenced"));
	ASSERT_EQ(0, write_str("/proc/self/clear_refs", type));
	EXPECT_EQ(0, smaps_kb(0, self->p, "Referenced"));
	EXPECT_EQ(kb, smaps_kb(0, self->p, "Rss"));
	EXPECT_EQ(units, link_units(_metadata, self));
	EXPECT_EQ(NTABLES * self->fill, resident(_metadata, self));
	check_data(_metadata, self);
}

TEST_F_TIMEOUT(walk, clear_refs_all_clears_referenced_keeps_data, 120)
{
	clear_refs_young(_metadata, self, "1");
}

TEST_F_TIMEOUT(walk, clear_refs_mapped_clears_referenced_keeps_data, 120)
{
	clear_refs_young(_metadata, self, "3");
}

/*
 * Type 4: clear_refs_write() invalidates the whole mm first
 * (MMU_NOTIFY_SOFT_DIRTY): every link goes, the walk finds empty entries.
 * On relinking, the shared leaf entries still carry their soft-dirty bit:
 * soft-dirty is not tracked for domain pages, they always read as dirty.
 */
TEST_F_TIMEOUT(walk, clear_refs_soft_dirty_unlinks_and_pages_stay_soft_dirty, 120)
{
	unsigned int t, clean = 0;

	EXPECT_EQ(NTABLES, link_units(_metadata, self));
	ASSERT_EQ(0, write_str("/proc/self/clear_refs", "4"));
	EXPECT_EQ(0, link_units(_metadata, self));
	EXPECT_EQ(0, pagemap_entry(self->p + tpage(0) * PAGE) & PM_PRESENT);
	/* Read only: relinks. */
	EXPECT_EQ(0, bad_tables(self->p, SEED));
	EXPECT_EQ(NTABLES, link_units(_metadata, self));
	for (t = 0; t < NTABLES; t++) {
		uint64_t e = pagemap_entry(self->p + tpage(t) * PAGE);

		if ((e & (PM_PRESENT | PM_SOFT_DIRTY)) != (PM_PRESENT | PM_SOFT_DIRTY))
			clean++;
	}
	EXPECT_EQ(0, clean);
	EXPECT_EQ(NTABLES * self->fill, resident(_metadata, self));
	check_data(_metadata, self);
}

/* Type 5: reset_mm_hiwater_rss() only; no walk. */
TEST_F_TIMEOUT(walk, clear_refs_hiwater_resets_peak_keeps_links, 120)
{
	uint64_t units = link_units(_metadata, self);
	long hwm, hwm2, rss2;
	size_t len = 16 * MiB;
	char *a;

	a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	memset(a, 1, len);
	ASSERT_EQ(0, munmap(a, len));
	hwm = status_kb(0, "VmHWM");
	ASSERT_EQ(0, write_str("/proc/self/clear_refs", "5"));
	hwm2 = status_kb(0, "VmHWM");
	rss2 = status_kb(0, "VmRSS");
	TH_LOG("VmHWM %ld -> %ld kB, VmRSS %ld kB", hwm, hwm2, rss2);
	EXPECT_LE(hwm2 + 8 * 1024, hwm);
	EXPECT_LE(hwm2, rss2 + 1024);
	EXPECT_EQ(units, link_units(_metadata, self));
	check_data(_metadata, self);
}

/* ---- madvise ---- */

/*
 * madvise_cold_or_pageout_pte_range() skips a folio that is not on the
 * LRU before it touches the entry: the young bits stay.  Its PMD branch
 * does not look at the LRU first: for a whole 2 MiB leaf (mapcount 0, so
 * not "likely mapped shared") MADV_COLD clears the leaf's young bit with
 * pmdp_test_and_clear_young(), as clear_refs 1 does, then
 * folio_deactivate() does nothing (not on the LRU).  Accounting only.
 */
TEST_F_TIMEOUT(walk, madvise_cold_leaves_shared_entries_alone, 120)
{
	uint64_t units = link_units(_metadata, self);

	ASSERT_EQ(0, madvise(self->p, DSIZE, MADV_COLD));
	/* 6.1 skips the leaf (page_mapcount() != 1): young it stays. */
	EXPECT_EQ(self->flags && kernel_at_least(6, 12) ? 0 : NTABLES * 4 * self->fill,
		  smaps_kb(0, self->p, "Referenced"));
	EXPECT_EQ(NTABLES * 4 * self->fill, smaps_kb(0, self->p, "Rss"));
	EXPECT_EQ(units, link_units(_metadata, self));
	EXPECT_EQ(NTABLES * self->fill, resident(_metadata, self));
	check_data(_metadata, self);
}

/*
 * The same walker with pageout: nothing is isolated or reclaimed (a leaf's
 * folio_isolate_lru() fails: not on the LRU), and pageout never clears a
 * young bit.
 */
TEST_F_TIMEOUT(walk, madvise_pageout_leaves_pages_resident, 120)
{
	uint64_t units = link_units(_metadata, self);

	ASSERT_EQ(0, madvise(self->p, DSIZE, MADV_PAGEOUT));
	EXPECT_EQ(NTABLES * self->fill, resident(_metadata, self));
	EXPECT_EQ(NTABLES * 4 * self->fill, smaps_kb(0, self->p, "Rss"));
	EXPECT_EQ(NTABLES * 4 * self->fill, smaps_kb(0, self->p, "Referenced"));
	EXPECT_EQ(units, link_units(_metadata, self));
	check_data(_metadata, self);
}

/*
 * zap_page_range_single() invalidates first: this process's links go,
 * another attacher's stay, the data stays.
 */
TEST_F_TIMEOUT(walk, madvise_dontneed_unlinks_only_this_process, 120)
{
	int go[2], ready[2];
	char c = 0;

	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	self->child = flush_fork();
	if (self->child == 0) {
		struct pollfd pfd = { .fd = go[0], .events = POLLIN };
		size_t size;
		void *q;

		if (attach_dom(self->name, 0, &q, &size) || size != DSIZE)
			_exit(2);
		if (bad_tables(q, SEED))
			_exit(3);
		if (write(ready[1], "r", 1) != 1 || poll(&pfd, 1, 60000) != 1 ||
		    read(go[0], &c, 1) != 1)
			_exit(4);
		_exit(bad_tables(q, SEED) ? 1 : 0);
	}
	ASSERT_GT(self->child, 0);
	close(ready[1]);	/* so that a dead child reads as end of file */
	close(go[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("the child failed early");
	close(ready[0]);
	EXPECT_EQ(2 * NTABLES, link_units(_metadata, self));
	ASSERT_EQ(0, madvise(self->p, DSIZE, MADV_DONTNEED));
	EXPECT_EQ(NTABLES, link_units(_metadata, self));
	EXPECT_EQ(NTABLES * self->fill, resident(_metadata, self));
	EXPECT_EQ(0, bad_tables(self->p, SEED));
	EXPECT_EQ(2 * NTABLES, link_units(_metadata, self));
	ASSERT_EQ(1, write(go[1], "g", 1));
	close(go[1]);
	EXPECT_EQ(0, wait_exit_code(self->child));
	self->child = 0;
	check_data(_metadata, self);
}

/*
 * madvise_willneed() -> vfs_fadvise() -> generic_fadvise(): the pseudo
 * file's backing device is noop_backing_dev_info, so the advice is
 * ignored: no page is added, nothing is linked or unlinked.
 */
TEST_F_TIMEOUT(walk, madvise_willneed_changes_nothing, 120)
{
	uint64_t units = link_units(_metadata, self);

	ASSERT_EQ(0, madvise(self->p, DSIZE, MADV_WILLNEED));
	EXPECT_EQ(NTABLES * self->fill, resident(_metadata, self));
	EXPECT_EQ(units, link_units(_metadata, self));
	check_data(_metadata, self);
}

/*
 * The huge variant's fixture filled every 2 MiB: discard the leaves of the
 * TAIL_LEN at @off (whole leaves: cleared for every attacher, copies
 * included), so that a populating walker has something to fill.  The
 * pages variant keeps its two written pages there.
 */
static void empty_range(struct __test_metadata *_metadata,
			FIXTURE_DATA(walk) *self, uint64_t off)
{
	if (!self->flags)
		return;
	ASSERT_EQ(0, mshare_domain_discard(self->nl, self->name, off, TAIL_LEN));
	ASSERT_EQ((NTABLES - 2) * LEAF_PAGES, resident(_metadata, self));
	EXPECT_EQ(0, pagemap_entry(self->p + off) & PM_PRESENT);
}

/*
 * After a populating walker: the whole domain is resident, the range reads
 * as zeroes but for the pages the fixture wrote (huge: all zeroes, then
 * the fixture's pages written again, for check_data()).
 */
static void range_filled(struct __test_metadata *_metadata,
			 FIXTURE_DATA(walk) *self, uint64_t off)
{
	const uint64_t first = off / PAGE, n = TAIL_LEN / PAGE;
	uint64_t i, nonzero = 0;

	EXPECT_EQ(self->flags ? NTABLES * LEAF_PAGES : NTABLES - 2 + n,
		  resident(_metadata, self));
	for (i = first; i < first + n; i++)
		if ((self->flags || !is_tpage(i)) &&
		    *(volatile uint64_t *)(self->p + i * PAGE))
			nonzero++;
	EXPECT_EQ(0, nonzero);
	if (self->flags)
		fill_tables(self->p, SEED);
}

/*
 * madvise_populate() -> faultin_page_range(): our fault fills each page
 * (huge: each 2 MiB leaf, or its copy in the tail).
 */
static void populate(struct __test_metadata *_metadata,
		     FIXTURE_DATA(walk) *self, int advice, uint64_t off)
{
	uint64_t units = link_units(_metadata, self);

	empty_range(_metadata, self, off);
	ASSERT_EQ(0, madvise(self->p + off, TAIL_LEN, advice));
	range_filled(_metadata, self, off);
	/* Every page the domain holds is linked here. */
	EXPECT_EQ(4 * (long)resident(_metadata, self), smaps_kb(0, self->p, "Rss"));
	EXPECT_EQ(units, link_units(_metadata, self));
	check_data(_metadata, self);
}

TEST_F_TIMEOUT(walk, madvise_populate_read_fills_range, 120)
{
	populate(_metadata, self, MADV_POPULATE_READ, TAIL);
}

TEST_F_TIMEOUT(walk, madvise_populate_write_fills_range, 120)
{
	populate(_metadata, self, MADV_POPULATE_WRITE, 512 * MiB);
}

/*
 * hugepage_madvise() sets VM_NOHUGEPAGE; thp_vma_allowable_order() then
 * refuses ->huge_fault, and ->fault links PMD tables only.  A kernel built
 * without THP (PREEMPT_RT) refuses the madvise (EINVAL) and links PMD
 * tables only anyway.
 */
TEST_F_TIMEOUT(walk, madvise_nohugepage_makes_faults_link_pmd_tables, 120)
{
	struct mshare_domain_info info = MSHARE_INIT(info);

	if (thp_built()) {
		ASSERT_EQ(0, madvise(self->p, DSIZE, MADV_NOHUGEPAGE));
		EXPECT_EQ(1, has_vmflag(self->p, "nh"));
		EXPECT_EQ(0, has_vmflag(self->p, "hg"));
	} else {
		EXPECT_EQ(-1, madvise(self->p, DSIZE, MADV_NOHUGEPAGE));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(0, has_vmflag(self->p, "nh"));
	}
	ASSERT_EQ(0, madvise(self->p, DSIZE, MADV_DONTNEED));
	EXPECT_EQ(0, bad_tables(self->p, SEED));
	dom_info(_metadata, self, &info);
	EXPECT_EQ(0, info.links_pud);
	/* Huge: ->fault copies each leaf into this process's PMD entry. */
	EXPECT_EQ(NTABLES, info.links_pmd);
	EXPECT_EQ(self->flags ? NTABLES * 2048 : 0,
		  smaps_kb(0, self->p, "FilePmdMapped"));
	check_data(_metadata, self);
}

/*
 * MADV_HUGEPAGE (back from NOHUGEPAGE) lets faults link the whole GiB at
 * PUD level where the kernel can (pud_links_possible()); elsewhere they
 * link PMD tables only: THP "never", 6.1 (no ->huge_fault for a
 * VM_MIXEDMAP VMA), or no THP at all (PREEMPT_RT: the madvise fails
 * EINVAL; the VMA keeps the VM_HUGEPAGE that mmap gave it).
 */
TEST_F_TIMEOUT(walk, madvise_hugepage_makes_faults_link_at_the_best_level, 120)
{
	struct mshare_domain_info info = MSHARE_INIT(info);

	if (thp_built()) {
		ASSERT_EQ(0, madvise(self->p, DSIZE, MADV_NOHUGEPAGE));
		ASSERT_EQ(0, madvise(self->p, DSIZE, MADV_HUGEPAGE));
	} else {
		EXPECT_EQ(-1, madvise(self->p, DSIZE, MADV_HUGEPAGE));
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EQ(1, has_vmflag(self->p, "hg"));
	EXPECT_EQ(0, has_vmflag(self->p, "nh"));
	ASSERT_EQ(0, madvise(self->p, DSIZE, MADV_DONTNEED));
	EXPECT_EQ(0, bad_tables(self->p, SEED));
	dom_info(_metadata, self, &info);
	if (pud_links_possible()) {
		EXPECT_EQ(1, info.links_pud);
		EXPECT_EQ(2, info.links_pmd);
	} else {
		EXPECT_EQ(0, info.links_pud);
		EXPECT_EQ(NTABLES, info.links_pmd);
	}
	EXPECT_EQ(self->flags ? NTABLES * 2048 : 0,
		  smaps_kb(0, self->p, "FilePmdMapped"));
	check_data(_metadata, self);
}

/* The flag change would split the VMA where ->may_split refuses. */
TEST_F_TIMEOUT(walk, madvise_nohugepage_on_unaligned_part_fails_einval, 120)
{
	EXPECT_EQ(-1, madvise(self->p + PAGE, 2 * MiB, MADV_NOHUGEPAGE));
	EXPECT_EQ(EINVAL, errno);
	/* Still one VMA, without the flag. */
	EXPECT_EQ(DSIZE / 1024, smaps_kb(0, self->p, "Size"));
	EXPECT_EQ(0, has_vmflag(self->p, "nh"));
	check_data(_metadata, self);
}

/*
 * madvise_collapse(): thp_vma_allowable_order() is 0 outside the fault
 * path for VM_NO_KHUGEPAGED (VM_SPECIAL) VMAs.
 */
TEST_F_TIMEOUT(walk, madvise_collapse_fails_einval, 120)
{
	uint64_t units = link_units(_metadata, self);

	EXPECT_EQ(-1, madvise(self->p, DSIZE, MADV_COLLAPSE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, madvise(self->p + TAIL, 2 * MiB, MADV_COLLAPSE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(units, link_units(_metadata, self));
	EXPECT_EQ(NTABLES * self->fill, resident(_metadata, self));
	check_data(_metadata, self);
}

/* ---- mlock ---- */

/*
 * mlock_fixup() does not set VM_LOCKED on a VM_SPECIAL VMA (nothing is
 * counted as locked), but do_mlock() still runs __mm_populate(), which
 * faults every page of the range in.
 */
TEST_F_TIMEOUT(walk, mlock_populates_range_without_locking, 120)
{
	long vmlck = status_kb(0, "VmLck");

	empty_range(_metadata, self, TAIL);
	ASSERT_EQ(0, mlock(self->p + TAIL, TAIL_LEN));
	range_filled(_metadata, self, TAIL);
	EXPECT_EQ(0, smaps_kb(0, self->p, "Locked"));
	EXPECT_EQ(0, has_vmflag(self->p, "lo"));
	EXPECT_EQ(vmlck, status_kb(0, "VmLck"));
	ASSERT_EQ(0, munlock(self->p + TAIL, TAIL_LEN));
	check_data(_metadata, self);
}

/*
 * mlockall(MCL_CURRENT) populates every mapping (apply_mlockall_flags()
 * then __mm_populate()); after MCL_FUTURE a new mapping arrives VM_LOCKED
 * from def_flags, __mmap_region() drops VM_LOCKED again (VM_SPECIAL), and
 * do_mmap() populates it.  In a child, which maps only small domains.
 */
TEST_F_TIMEOUT(walk, mlockall_populates_domains_without_locking, 120)
{
	struct mshare_domain_info info = MSHARE_INIT(info);
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(self->extra[i], MSHARE_NAME_MAX, "walkers-%d-ml%d", getpid(), i);
		ASSERT_EQ(0, create_domain(self->nl, self->extra[i], 8 * MiB,
					   self->flags, &info));
	}
	self->child = flush_fork();
	if (self->child == 0) {
		size_t size;
		void *a, *b;
		int ret = 0;

		if (munmap(self->p, DSIZE))
			_exit(2);
		if (attach_dom(self->extra[0], 0, &a, &size))
			_exit(3);
		if (mlockall(MCL_CURRENT | MCL_FUTURE))
			_exit(4);
		if (attach_dom(self->extra[1], 0, &b, &size))
			ret = 5;
		else if (smaps_kb(0, a, "Locked") != 0 || smaps_kb(0, b, "Locked") != 0)
			ret = 6;
		else if (has_vmflag(a, "lo") != 0 || has_vmflag(b, "lo") != 0)
			ret = 7;
		munlockall();
		_exit(ret);
	}
	ASSERT_GT(self->child, 0);
	EXPECT_EQ(0, wait_exit_code(self->child));
	self->child = 0;
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, mshare_domain_get(self->nl, self->extra[i], &info));
		EXPECT_EQ(8 * MiB / PAGE, info.resident) TH_LOG("domain %d", i);
	}
	check_data(_metadata, self);
}

/* ---- NUMA policy: mbind(), move_pages() ---- */

/* The node of the page at @addr (move_pages() with nodes NULL), or -errno. */
static int page_node(const void *addr)
{
	void *pages[1] = { (void *)addr };
	int status = -1;

	if (syscall(SYS_move_pages, 0, 1, pages, NULL, &status, 0))
		return -errno;
	return status;
}

/*
 * The node of the fixture's page in each 2 MiB into @nid (a domain short
 * of memory on its home node, a huge one above all, has some elsewhere).
 */
static void tpage_nodes(const char *p, int *nid)
{
	unsigned int t;

	for (t = 0; t < NTABLES; t++)
		nid[t] = page_node(p + tpage(t) * PAGE);
}

/* Pages of the fixture no longer on the node @nid says. */
static unsigned int tpages_moved(const char *p, const int *nid)
{
	unsigned int t, moved = 0;

	for (t = 0; t < NTABLES; t++)
		if (page_node(p + tpage(t) * PAGE) != nid[t])
			moved++;
	return moved;
}

/* mbind() of [@addr, + @len) to node @nid, or nodes 0 and 1 (-2), or none (-1). */
static long do_mbind(void *addr, unsigned long len, int mode, int nid,
		     unsigned int flags)
{
	unsigned long mask = nid == -2 ? 3 : nid < 0 ? 0 : 1UL << nid;

	return syscall(SYS_mbind, addr, len, mode, nid == -1 ? NULL : &mask,
		       nid == -1 ? 0 : 8 * sizeof(mask), flags);
}

/*
 * The policy word of the numa_maps line of the VMA at @addr ("default",
 * "bind:1"...) into @buf; 0/-1.
 */
static int numa_maps_policy(const void *addr, char *buf, size_t len)
{
	char line[1024], *sp;
	size_t n;

	if (numa_maps_line(addr, line, sizeof(line)))
		return -1;
	sp = strchr(line, ' ');
	if (!sp)
		return -1;
	n = strcspn(sp + 1, " \n");
	if (n >= len)
		return -1;
	memcpy(buf, sp + 1, n);
	buf[n] = 0;
	return 0;
}

/*
 * do_mbind() -> queue_pages_range() walks the domain's tables read only
 * (queue_folios_pte_range() under the table's lock; a 2 MiB leaf through
 * queue_folios_pmd() under pmd_trans_huge_lock()) and counts each page on
 * a node outside the new policy as a failure: vma_migratable() accepts the
 * VMA (VM_MIXEDMAP, GFP_HIGHUSER_MOVABLE mapping), but
 * migrate_folio_add() cannot isolate a folio that is not on the LRU.  So
 * MPOL_MF_STRICT fails with EIO, alone or with MPOL_MF_MOVE_ALL, and with
 * MPOL_MF_MOVE from 6.12 (folio_likely_mapped_shared() is false for
 * mapcount 0; 6.1's migrate_page_add() takes a page whose mapcount is not
 * 1 for shared and skips it, not a failure: 0);
 * MPOL_MF_MOVE and MPOL_MF_MOVE_ALL alone return 0 and move nothing;
 * mbind_range() sets the VMA's policy (numa_maps shows it).  The tables,
 * links and data are untouched.  (The module places domain pages by the
 * domain's own policy, never the VMA's.)
 */
TEST_F_TIMEOUT(walk, mbind_walks_and_moves_nothing, 120)
{
	uint64_t units = link_units(_metadata, self);
	static int nid[NTABLES];
	char pol[64], want[64];
	int home, other;

	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "one NUMA node: nothing to move to");
	tpage_nodes(self->p, nid);
	home = nid[0];	/* at least this page is misplaced for "other" */
	ASSERT_LE(0, home);
	other = home ? 0 : 1;

	EXPECT_EQ(-1, do_mbind(self->p, DSIZE, MPOL_BIND, other, MPOL_MF_STRICT));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, do_mbind(self->p, DSIZE, MPOL_BIND, other,
			       MPOL_MF_STRICT | MPOL_MF_MOVE_ALL));
	EXPECT_EQ(EIO, errno);
	if (kernel_at_least(6, 12)) {
		EXPECT_EQ(-1, do_mbind(self->p, DSIZE, MPOL_BIND, other,
				       MPOL_MF_STRICT | MPOL_MF_MOVE));
		EXPECT_EQ(EIO, errno);
	} else {
		EXPECT_EQ(0, do_mbind(self->p, DSIZE, MPOL_BIND, other,
				      MPOL_MF_STRICT | MPOL_MF_MOVE));
	}
	EXPECT_EQ(0, do_mbind(self->p, DSIZE, MPOL_BIND, other, MPOL_MF_MOVE_ALL))
		TH_LOG("MPOL_MF_MOVE_ALL: %s", strerror(errno));
	EXPECT_EQ(0, do_mbind(self->p, DSIZE, MPOL_BIND, other, MPOL_MF_MOVE))
		TH_LOG("MPOL_MF_MOVE: %s", strerror(errno));
	ASSERT_EQ(0, numa_maps_policy(self->p, pol, sizeof(pol)));
	snprintf(want, sizeof(want), "bind:%d", other);
	EXPECT_STREQ(want, pol);
	EXPECT_EQ(0, tpages_moved(self->p, nid));
	EXPECT_EQ(NTABLES * self->fill, resident(_metadata, self));
	EXPECT_EQ(NTABLES * 4 * self->fill, smaps_kb(0, self->p, "Rss"));
	EXPECT_EQ(units, link_units(_metadata, self));

	/* Nothing misplaced (both nodes): STRICT succeeds; then the default. */
	EXPECT_EQ(0, do_mbind(self->p, DSIZE, MPOL_BIND, -2,
			      MPOL_MF_STRICT | MPOL_MF_MOVE));
	EXPECT_EQ(0, do_mbind(self->p, DSIZE, MPOL_DEFAULT, -1, 0));
	ASSERT_EQ(0, numa_maps_policy(self->p, pol, sizeof(pol)));
	EXPECT_STREQ("default", pol);
	EXPECT_EQ(units, link_units(_metadata, self));
	check_data(_metadata, self);
}

/*
 * move_pages() to another node: add_folio_for_migration() finds each
 * page (folio_walk_start(): vm_normal_page(), a leaf's through
 * vm_normal_page_pmd()) on its node, not shared by mapcount, and fails to
 * isolate it from the LRU: every status is -EBUSY, the call returns 0, no
 * page moves.  (Only DOMAIN_MIGRATE moves domain pages.)
 */
TEST_F_TIMEOUT(walk, move_pages_to_other_node_fails_ebusy, 120)
{
	enum { N = 8 };
	uint64_t units = link_units(_metadata, self);
	void *pages[N];
	static int nid[NTABLES];
	int nodes[N], status[N], i, n;

	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "one NUMA node: nothing to move to");
	tpage_nodes(self->p, nid);
	/*
	 * Written pages of the first GiB and of the tail; huge: also two
	 * pages next to written ones (of the same leaves).
	 */
	n = self->flags ? N : N - 2;
	for (i = 0; i < N; i++) {
		static const unsigned int t[N] = { 0, 100, 200, 300, NTABLES - 2,
						   NTABLES - 1, 7, NTABLES - 1 };

		pages[i] = self->p + (tpage(t[i]) + (i >= N - 2)) * PAGE;
		ASSERT_LE(0, nid[t[i]]);
		nodes[i] = nid[t[i]] ? 0 : 1;	/* the other node */
		status[i] = 1000;
	}
	EXPECT_EQ(0, syscall(SYS_move_pages, 0, n, pages, nodes, status, MPOL_MF_MOVE))
		TH_LOG("%s", strerror(errno));
	for (i = 0; i < n; i++)
		EXPECT_EQ(-EBUSY, status[i]) TH_LOG("page %d", i);
	EXPECT_EQ(0, syscall(SYS_move_pages, 0, n, pages, nodes, status, MPOL_MF_MOVE_ALL))
		TH_LOG("%s", strerror(errno));
	for (i = 0; i < n; i++)
		EXPECT_EQ(-EBUSY, status[i]) TH_LOG("page %d, MOVE_ALL", i);
	EXPECT_EQ(0, tpages_moved(self->p, nid));
	EXPECT_EQ(NTABLES * self->fill, resident(_metadata, self));
	EXPECT_EQ(units, link_units(_metadata, self));
	check_data(_metadata, self);
}

/* ---- NUMA balancing and khugepaged ---- */

/*
 * task_numa_work() skips VM_MIXEDMAP VMAs.  Had it scanned the domain,
 * change_prot_numa() would have invalidated it and our links would be
 * gone: they must all still be there after several full scans, during
 * which the scanner demonstrably changed other (anonymous) PTEs.
 */
TEST_F_TIMEOUT(walk, numa_balancing_scanner_skips_domain, 120)
{
	uint64_t units = link_units(_metadata, self);
	long seq0, seq, upd0, upd;
	size_t len = 16 * MiB, i;
	double deadline;
	char *a;

	if (access(NUMAB_SYSCTL, W_OK) || access(NUMAB_DEBUGFS "scan_delay_ms", W_OK))
		SKIP(return, "no NUMA balancing knobs");
	ASSERT_EQ(0, set_knob(self, NUMAB_SYSCTL, "1"));
	ASSERT_EQ(0, set_knob(self, NUMAB_DEBUGFS "scan_delay_ms", "0"));
	ASSERT_EQ(0, set_knob(self, NUMAB_DEBUGFS "scan_period_min_ms", "10"));
	ASSERT_EQ(0, set_knob(self, NUMAB_DEBUGFS "scan_period_max_ms", "100"));
	ASSERT_EQ(0, set_knob(self, NUMAB_DEBUGFS "scan_size_mb", "256"));

	a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	memset(a, 1, len);
	seq0 = numa_scan_seq();
	upd0 = vmstat("numa_pte_updates");
	ASSERT_GE(seq0, 0);
	/* Run (the scanner works from this task's ticks), never touching p. */
	deadline = now_s() + 60;
	do {
		for (i = 0; i < len; i += PAGE)
			a[i]++;
		seq = numa_scan_seq();
	} while (seq < seq0 + 3 && now_s() < deadline);
	upd = vmstat("numa_pte_updates");
	TH_LOG("numa_scan_seq %ld -> %ld, numa_pte_updates %ld -> %ld",
	       seq0, seq, upd0, upd);
	ASSERT_GE(seq, seq0 + 3) TH_LOG("the scanner did not run");
	EXPECT_GT(upd, upd0);
	EXPECT_EQ(units, link_units(_metadata, self));
	EXPECT_EQ(NTABLES * self->fill, resident(_metadata, self));
	EXPECT_EQ(NTABLES * 4 * self->fill, smaps_kb(0, self->p, "Rss"));
	munmap(a, len);
	restore_knobs(self);
	check_data(_metadata, self);
}

/*
 * khugepaged_scan_mm_slot() asks thp_vma_allowable_order(), which is 0
 * for VM_NO_KHUGEPAGED VMAs: the domain is skipped, while an anonymous
 * range of the same mm is collapsed (proof that the mm was scanned).
 */
TEST_F_TIMEOUT(walk, khugepaged_skips_domain, 120)
{
	uint64_t units = link_units(_metadata, self);
	long full0, full, huge = 0;
	size_t len = 4 * MiB, i;
	double deadline;
	char *a, *h;

	if (!thp_built())
		SKIP(return, "no THP in this kernel (PREEMPT_RT): no khugepaged");
	if (!strcmp(thp_enabled(), "never"))
		SKIP(return, "THP is 'never': khugepaged does not run");
	if (access(KHUGEPAGED "scan_sleep_millisecs", W_OK))
		SKIP(return, "no khugepaged knobs");
	ASSERT_EQ(0, set_knob(self, KHUGEPAGED "pages_to_scan", "8192"));
	ASSERT_EQ(0, set_knob(self, KHUGEPAGED "alloc_sleep_millisecs", "10"));
	ASSERT_EQ(0, set_knob(self, KHUGEPAGED "scan_sleep_millisecs", "10"));

	a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	h = (char *)(((uintptr_t)a + 2 * MiB - 1) & ~(uintptr_t)(2 * MiB - 1));
	ASSERT_EQ(0, madvise(h, 2 * MiB, MADV_NOHUGEPAGE));
	for (i = 0; i < 2 * MiB; i += 64 * KiB)
		h[i] = 1;
	ASSERT_EQ(0, madvise(h, 2 * MiB, MADV_HUGEPAGE));
	EXPECT_EQ(0, madvise(self->p, DSIZE, MADV_HUGEPAGE));

	full0 = read_long(KHUGEPAGED "full_scans");
	deadline = now_s() + 60;
	do {
		usleep(100000);
		full = read_long(KHUGEPAGED "full_scans");
		huge = smaps_kb(0, h, "AnonHugePages");
	} while ((full < full0 + 2 || huge < 2048) && now_s() < deadline);
	TH_LOG("full_scans %ld -> %ld, anonymous range collapsed: %ld kB",
	       full0, full, huge);
	EXPECT_GE(full, full0 + 2);
	EXPECT_EQ(2048, huge);
	EXPECT_EQ(units, link_units(_metadata, self));
	EXPECT_EQ(NTABLES * self->fill, resident(_metadata, self));
	EXPECT_EQ(NTABLES * 4 * self->fill, smaps_kb(0, self->p, "Rss"));
	munmap(a, len);
	restore_knobs(self);
	check_data(_metadata, self);
}

/* ---- userfaultfd ---- */

/*
 * vma_can_userfault() refuses VM_SPECIAL VMAs before anything else, even
 * for asynchronous write-protection (which accepts any other memory
 * type): registering the domain range fails with EINVAL.  Had it been
 * accepted, UFFDIO_WRITEPROTECT would run change_protection() over the
 * shared tables (see the protection-key tests below).
 */
TEST_F_TIMEOUT(walk, userfaultfd_register_fails_einval, 120)
{
	static const __u64 modes[] = { UFFDIO_REGISTER_MODE_WP, UFFDIO_REGISTER_MODE_MISSING };
	uint64_t units = link_units(_metadata, self);
	struct uffdio_register reg;
	struct uffdio_api api;
	unsigned int i;
	int uffd;

	uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	if (uffd < 0)
		SKIP(return, "no userfaultfd: %s", strerror(errno));
	memset(&api, 0, sizeof(api));
	api.api = UFFD_API;
	api.features = UFFD_FEATURE_WP_ASYNC;
	i = 0;
	if (ioctl(uffd, UFFDIO_API, &api)) {
		/* No write-protect support (PTE_MARKER_UFFD_WP): MISSING only. */
		close(uffd);
		uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
		ASSERT_LE(0, uffd);
		memset(&api, 0, sizeof(api));
		api.api = UFFD_API;
		ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api)) TH_LOG("UFFDIO_API: %s", strerror(errno));
		i = 1;
	}
	for (; i < ARRAY_SIZE(modes); i++) {
		memset(&reg, 0, sizeof(reg));
		reg.range.start = (uintptr_t)self->p;
		reg.range.len = DSIZE;
		reg.mode = modes[i];
		EXPECT_EQ(-1, ioctl(uffd, UFFDIO_REGISTER, &reg)) TH_LOG("mode %u", i);
		EXPECT_EQ(EINVAL, errno);
	}
	close(uffd);
	EXPECT_EQ(units, link_units(_metadata, self));
	check_data(_metadata, self);
}

/* ---- change_protection(): protection keys ---- */

/*
 * pkey_mprotect() to another key keeps the access bits, so a ->mprotect
 * that only checks those lets it through and mprotect_fixup() runs
 * change_protection() over the shared tables.  change_pud_range() reads
 * a PUD entry, then starts the invalidation (which clears the link), then
 * descends through pmd_offset() of the entry, now empty: physical page 0
 * taken for a PMD table.  And a key cannot apply to leaf entries every
 * attacher shares.  The ABI refuses any change of protection: EACCES.
 * The PMD-linked part comes first (it cannot crash); the PUD-linked GiB
 * last.
 */
static int pkey_or_skip(void)
{
	return pkey_alloc(0, 0);
}

static void pkey_mprotect_refused(struct __test_metadata *_metadata,
				  FIXTURE_DATA(walk) *self, uint64_t off,
				  uint64_t len, int pkey)
{
	uint64_t units = link_units(_metadata, self);

	EXPECT_EQ(-1, pkey_mprotect(self->p + off, len, PROT_READ | PROT_WRITE, pkey));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(units, link_units(_metadata, self));
	pkey_free(pkey);
	check_data(_metadata, self);
}

TEST_F_TIMEOUT(walk, pkey_mprotect_of_pmd_linked_part_fails_eacces, 120)
{
	int pkey = pkey_or_skip();

	if (pkey < 0)
		SKIP(return, "no protection keys: %s", strerror(errno));
	pkey_mprotect_refused(_metadata, self, TAIL, TAIL_LEN, pkey);
}

TEST_F_TIMEOUT(walk, pkey_mprotect_of_pud_linked_gib_fails_eacces, 120)
{
	int pkey = pkey_or_skip();

	if (pkey < 0)
		SKIP(return, "no protection keys: %s", strerror(errno));
	pkey_mprotect_refused(_metadata, self, 0, DSIZE, pkey);
}

TEST_HARNESS_MAIN
