// SPDX-License-Identifier: GPL-2.0
/*
 * Domains of 2 MiB leaves (MSHARE_DOMAIN_F_HUGE, Documentation/design.rst
 * "2 MiB leaves").  A process that links a GiB at PUD level finds the
 * domain's PMD table holding 2 MiB leaves: a first touch fills a whole
 * 2 MiB folio, for every attacher; the domain has one PMD table per GiB
 * and no PTE table; a discard frees whole leaves, and splits by copy a
 * leaf it cuts (a PTE table and 4 KiB pages for the kept part; a pinned
 * leaf is zeroed in place instead).  A process that maps at PMD level
 * (not a whole GiB, a domain that is not whole GiBs, THP "never") holds
 * copies of the leaves in its own PMD entries.  Migration, the auto
 * policy and read-only attachments are tested with the rest of their
 * kind (numa_test, rdonly_test).
 * A kernel without transparent hugepages (PREEMPT_RT) refuses the flag.
 * The VM runner fails the run on any warning, bad pmd or oops, so a
 * kernel walker that took a leaf for a table would fail it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mshare.h"
#include "mshare_util.h"
#include "kselftest_harness.h"

#define LEAF		(2 * MiB)
#define LEAF_PAGES	(LEAF / PAGE)
#define PM_PRESENT	(1ULL << 63)
#define PM_FILE		(1ULL << 61)
#define PM_PFN		((1ULL << 55) - 1)

/*
 * Whether this kernel takes MSHARE_DOMAIN_F_HUGE: it needs transparent
 * hugepages.  Where it makes no PUD links (6.1), every attacher copies
 * the leaves (the tests of the "huge" fixture need PUD links).
 */
static int leaves_built(void)
{
	return thp_built();
}

/* The pagemap entry of @addr in this process. */
static uint64_t pagemap_of(void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (uintptr_t)addr / PAGE * sizeof(e)) !=
	    sizeof(e))
		e = 0;
	close(fd);
	return e;
}

/* The smaps field @key (kB) of the mapping starting at @addr, or -1. */
static long smaps_field(void *addr, const char *key)
{
	char line[256], start[32];
	FILE *f = fopen("/proc/self/smaps", "r");
	int in = 0;
	long v = -1;

	if (!f)
		return -1;
	snprintf(start, sizeof(start), "%lx-", (unsigned long)addr);
	while (fgets(line, sizeof(line), f)) {
		size_t n = strspn(line, "0123456789abcdef");

		if (n && line[n] == '-') {	/* a mapping's first line */
			in = !strncmp(line, start, strlen(start));
			continue;
		}
		if (in && !strncmp(line, key, strlen(key)) &&
		    line[strlen(key)] == ':') {
			v = strtol(line + strlen(key) + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

FIXTURE(huge) {
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	void *p;
	size_t size;
};

FIXTURE_SETUP(huge)
{
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "huge-%d", getpid());
	self->p = NULL;
	if (!leaves_built())
		SKIP(return, "no 2 MiB leaves here (no THP)");
	if (!pud_links_possible())
		SKIP(return, "no PUD links here: these tests count them (the global ones copy)");
	ASSERT_EQ(0, create_domain(self->nl, self->name, GiB,
				   MSHARE_DOMAIN_F_HUGE, NULL));
	ASSERT_EQ(0, attach_dom(self->name, 0, &self->p, &self->size));
	ASSERT_EQ(GiB, self->size);
}

FIXTURE_TEARDOWN(huge)
{
	if (self->p)
		munmap(self->p, self->size);
	mshare_domain_destroy(self->nl, self->name);
	mshare_nl_close(self->nl);
}

/* One touch fills one whole 2 MiB folio: 512 pages, no PTE table. */
TEST_F(huge, first_touch_fills_one_2mib_leaf)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char *p = self->p;
	uint64_t e0, e;
	unsigned long i;

	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(MSHARE_DOMAIN_F_HUGE, d.flags);
	EXPECT_EQ(0, d.resident);
	EXPECT_EQ(1, d.table_pages);	/* the PMD table, nothing else */

	p[3 * LEAF + 5 * PAGE] = 7;
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(LEAF_PAGES, d.resident);
	EXPECT_EQ(1, d.table_pages);
	EXPECT_EQ(1, d.links_pud);

	/* The folio is zeroed and physically contiguous, mapped by a leaf. */
	e0 = pagemap_of(p + 3 * LEAF);
	ASSERT_TRUE(e0 & PM_PRESENT);
	EXPECT_TRUE(e0 & PM_FILE);
	ASSERT_NE(0, e0 & PM_PFN);
	EXPECT_EQ(0, (e0 & PM_PFN) % LEAF_PAGES);
	for (i = 0; i < LEAF_PAGES; i++) {
		e = pagemap_of(p + 3 * LEAF + i * PAGE);
		ASSERT_TRUE(e & PM_PRESENT);
		ASSERT_EQ((e0 & PM_PFN) + i, e & PM_PFN);
		if (i != 5)
			ASSERT_EQ(0, p[3 * LEAF + i * PAGE + 11]);
	}
	EXPECT_EQ(7, p[3 * LEAF + 5 * PAGE]);
	/* The neighbours are untouched. */
	EXPECT_FALSE(pagemap_of(p + 2 * LEAF) & PM_PRESENT);
	EXPECT_FALSE(pagemap_of(p + 4 * LEAF) & PM_PRESENT);
	/* smaps sees a file PMD mapping of 2 MiB. */
	EXPECT_EQ(2048, smaps_field(p, "FilePmdMapped"));
	EXPECT_EQ(2048, smaps_field(p, "Rss"));
}

/*
 * Every attacher sees the same leaf: a second mapping and a forked child
 * (which relinks on its first touch) read what the first wrote, at the
 * same physical page, and a write through either is seen by the other.
 */
TEST_F(huge, attachers_share_the_leaf)
{
	char *p = self->p, *q;
	size_t qsize;
	pid_t pid;

	memset(p + 7 * LEAF, 0x5a, LEAF);
	ASSERT_EQ(0, attach_dom(self->name, 0, (void **)&q, &qsize));
	EXPECT_EQ(0x5a, q[7 * LEAF + LEAF - 1]);
	EXPECT_EQ(pagemap_of(p + 7 * LEAF + 9 * PAGE) & PM_PFN,
		  pagemap_of(q + 7 * LEAF + 9 * PAGE) & PM_PFN);
	q[7 * LEAF + 100] = 0x33;
	EXPECT_EQ(0x33, p[7 * LEAF + 100]);

	pid = flush_fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (p[7 * LEAF + 100] != 0x33 || p[8 * LEAF - 1] != 0x5a)
			_exit(1);
		p[9 * LEAF] = 0x44;	/* fills a new leaf */
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit_code(pid));
	EXPECT_EQ(0x44, q[9 * LEAF]);
	munmap(q, qsize);
}

/*
 * GUP through a leaf: a shared futex keys on the folio (FUTEX_WAKE on it
 * succeeds, no EFAULT), process_vm_readv and vmsplice read it.
 */
TEST_F(huge, gup_futex_and_vmsplice_reach_the_leaf)
{
	char *p = self->p, buf[64];
	struct iovec local = { buf, sizeof(buf) };
	struct iovec remote = { p + 11 * LEAF + 3 * PAGE, sizeof(buf) };
	struct iovec vec = { p + 11 * LEAF + 3 * PAGE, sizeof(buf) };
	int pfd[2];

	memset(p + 11 * LEAF + 3 * PAGE, 0x61, sizeof(buf));
	EXPECT_EQ(0, syscall(SYS_futex, (uint32_t *)(p + 11 * LEAF + 8 * PAGE),
			     FUTEX_WAKE, 1, NULL, NULL, 0));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(sizeof(buf), process_vm_readv(getpid(), &local, 1,
						&remote, 1, 0));
	EXPECT_EQ(0x61, buf[sizeof(buf) - 1]);
	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(sizeof(buf), vmsplice(pfd[1], &vec, 1, 0));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(sizeof(buf), read(pfd[0], buf, sizeof(buf)));
	EXPECT_EQ(0x61, buf[0]);
	close(pfd[0]);
	close(pfd[1]);
}

/*
 * munmap of 2 MiB of a second mapping unlinks that mapping only: the
 * leaves stay for the first, whose data is intact.  The second's rest no
 * longer covers its GiB, so a touch there copies the leaf into its own
 * PMD entry: the same data, the same physical pages.
 */
TEST_F(huge, partial_munmap_keeps_the_leaves_of_others)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char *p = self->p, *q;
	size_t qsize;
	pid_t pid;

	memset(p + 20 * LEAF, 0x17, 3 * LEAF);
	ASSERT_EQ(0, attach_dom(self->name, 0, (void **)&q, &qsize));
	EXPECT_EQ(0x17, q[21 * LEAF]);
	ASSERT_EQ(0, munmap(q + 21 * LEAF, LEAF));
	ASSERT_EQ(0, madvise(q, 20 * LEAF, MADV_DONTNEED));
	EXPECT_EQ(0x17, p[20 * LEAF]);
	EXPECT_EQ(0x17, p[22 * LEAF - 1]);
	EXPECT_EQ(0x17, p[23 * LEAF - 1]);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(3 * LEAF_PAGES, d.resident);

	EXPECT_EQ(0x17, q[20 * LEAF + 9]);
	EXPECT_EQ(pagemap_of(p + 20 * LEAF) & PM_PFN,
		  pagemap_of(q + 20 * LEAF) & PM_PFN);
	q[20 * LEAF + 9] = 0x18;
	EXPECT_EQ(0x18, p[20 * LEAF + 9]);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(1, d.links_pud);
	EXPECT_EQ(1, d.links_pmd);	/* the copy */
	pid = flush_fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(*(volatile char *)(q + 22 * LEAF));
	EXPECT_EQ(0x17, wait_exit_code(pid));
	munmap(q, 21 * LEAF);
	munmap(q + 22 * LEAF, qsize - 22 * LEAF);
	/* MADV_DONTNEED of the first unlinks it; the next touch relinks. */
	ASSERT_EQ(0, madvise(p, GiB, MADV_DONTNEED));
	EXPECT_EQ(0x17, p[21 * LEAF + 5]);
}

/*
 * A discard of whole 2 MiB leaves clears them for every attacher and
 * frees them; the next touch fills a new, zeroed leaf.  A leaf next to the
 * range stays.
 */
TEST_F(huge, discard_of_whole_leaves_frees_them)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char *p = self->p, *q;
	size_t qsize;

	memset(p + 40 * LEAF, 0x21, 3 * LEAF);
	ASSERT_EQ(0, attach_dom(self->name, 0, (void **)&q, &qsize));
	EXPECT_EQ(0x21, q[41 * LEAF + 5]);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(3 * LEAF_PAGES, d.resident);

	ASSERT_EQ(0, mshare_domain_discard(self->nl, self->name, 40 * LEAF,
					   2 * LEAF));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(LEAF_PAGES, d.resident);
	EXPECT_FALSE(pagemap_of(p + 40 * LEAF) & PM_PRESENT);
	EXPECT_FALSE(pagemap_of(q + 41 * LEAF + 7 * PAGE) & PM_PRESENT);
	EXPECT_EQ(0x21, p[42 * LEAF]);
	EXPECT_EQ(0x21, q[43 * LEAF - 1]);
	EXPECT_EQ(0, q[41 * LEAF + 5]);		/* refilled: zeroes */
	EXPECT_EQ(0, p[41 * LEAF + 6]);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(2 * LEAF_PAGES, d.resident);
	EXPECT_EQ(1, d.table_pages);
	munmap(q, qsize);
}

/* Page @i of the 2 MiB at @leaf: a word that says where it is. */
static void fill_leaf(char *leaf)
{
	unsigned long i;

	for (i = 0; i < LEAF_PAGES; i++)
		*(uint64_t *)(leaf + i * PAGE + 8) = 0x5100000000ULL + i;
}

/* Pages of the 2 MiB at @leaf, [@lo, @hi) excepted, without their word. */
static unsigned long leaf_bad(const char *leaf, unsigned long lo,
			      unsigned long hi)
{
	unsigned long i, bad = 0;

	for (i = 0; i < LEAF_PAGES; i++)
		if ((i < lo || i >= hi) &&
		    *(const uint64_t *)(leaf + i * PAGE + 8) != 0x5100000000ULL + i)
			bad++;
	return bad;
}

/*
 * Pages of the 2 MiB at @leaf, [@lo, @hi) excepted, that are present and
 * outside the 2 MiB folio of PFN @pfn0, i.e. 4 KiB copies.
 */
static unsigned long leaf_copied(const char *leaf, uint64_t pfn0,
				 unsigned long lo, unsigned long hi)
{
	unsigned long i, n = 0;

	for (i = 0; i < LEAF_PAGES; i++) {
		uint64_t e = pagemap_of((void *)(leaf + i * PAGE));

		if (i >= lo && i < hi)
			continue;
		if ((e & PM_PRESENT) && ((e & PM_PFN) < pfn0 ||
					 (e & PM_PFN) >= pfn0 + LEAF_PAGES))
			n++;
	}
	return n;
}

/*
 * A 4 KiB discard in the middle of a leaf splits it by copy: the page
 * reads 0, the other 511 keep their data in 4 KiB pages (outside the old
 * folio) under a new PTE table; 511 pages resident, 512 after a touch;
 * no PMD mapping is left there.  A second attacher (a PUD link too) sees
 * the same pages.  The module's data pages follow.
 */
TEST_F(huge, discard_of_4k_in_a_leaf_splits_it)
{
	struct mshare_module_info m0 = MSHARE_INIT(m0), m1 = MSHARE_INIT(m1);
	struct mshare_domain_info d = MSHARE_INIT(d);
	char *p = self->p, *leaf = p + 3 * LEAF, *q;
	uint64_t pfn0;
	size_t qsize;

	fill_leaf(leaf);
	pfn0 = pagemap_of(leaf) & PM_PFN;
	ASSERT_NE(0, pfn0);
	ASSERT_EQ(0, attach_dom(self->name, 0, (void **)&q, &qsize));
	EXPECT_EQ(0x5100000000ULL + 100, *(uint64_t *)(q + 3 * LEAF + 100 * PAGE + 8));
	EXPECT_EQ(2048, smaps_field(p, "FilePmdMapped"));
	ASSERT_EQ(0, mshare_module_info(self->nl, &m0));

	ASSERT_EQ(0, mshare_domain_discard(self->nl, self->name,
					   3 * LEAF + 100 * PAGE, PAGE));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(LEAF_PAGES - 1, d.resident);
	EXPECT_EQ(2, d.table_pages);		/* the PMD table, the new one */
	ASSERT_EQ(0, mshare_module_info(self->nl, &m1));
	EXPECT_EQ(m0.data_pages - 1, m1.data_pages);
	EXPECT_EQ(m0.table_pages + 1, m1.table_pages);
	EXPECT_FALSE(pagemap_of(leaf + 100 * PAGE) & PM_PRESENT);
	EXPECT_EQ(0, leaf_bad(leaf, 100, 101));
	EXPECT_EQ(LEAF_PAGES - 1, leaf_copied(leaf, pfn0, 100, 101));
	EXPECT_EQ(0, smaps_field(p, "FilePmdMapped"));
	EXPECT_EQ(0, leaf_bad(q + 3 * LEAF, 100, 101));
	EXPECT_EQ(pagemap_of(leaf + 7 * PAGE) & PM_PFN,
		  pagemap_of(q + 3 * LEAF + 7 * PAGE) & PM_PFN);
	EXPECT_EQ(0, smaps_field(q, "FilePmdMapped"));

	/* The discarded page reads 0, and a touch makes it a 4 KiB page. */
	EXPECT_EQ(0, *(uint64_t *)(q + 3 * LEAF + 100 * PAGE + 8));
	leaf[100 * PAGE] = 5;
	EXPECT_EQ(5, q[3 * LEAF + 100 * PAGE]);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(LEAF_PAGES, d.resident);
	EXPECT_EQ(2, d.table_pages);
	EXPECT_EQ(LEAF_PAGES, leaf_copied(leaf, pfn0, 0, 0));
	EXPECT_EQ(2048, smaps_field(p, "Rss"));
	ASSERT_EQ(0, mshare_module_info(self->nl, &m1));
	EXPECT_EQ(m0.data_pages, m1.data_pages);
	munmap(q, qsize);
}

/*
 * Maps the domain @name 2 MiB past a GiB boundary of a 3 GiB PROT_NONE
 * reservation (*@area): there it cannot link at PUD level.  Returns the
 * mapping; its descriptor, still open, is *@fd.
 */
static char *map_off_a_gib(struct __test_metadata *_metadata,
			   const char *name, char **area, int *fd)
{
	char *q;

	*area = mmap(NULL, 3 * GiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		     MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, *area);
	q = (char *)(((uintptr_t)*area + GiB - 1) / GiB * GiB + LEAF);
	*fd = open_dev();
	ASSERT_LE(0, *fd);
	ASSERT_EQ(0, attach_fd(*fd, name));
	ASSERT_EQ(q, mmap(q, GiB, PROT_READ | PROT_WRITE, MAP_SHARED |
			  MAP_FIXED, *fd, 0));
	return q;
}

/*
 * The same through a PMD-level mapping (2 MiB off a GiB boundary) that
 * held a copy of the leaf: the discard clears the copy, the next touch
 * links the new PTE table (a PMD link), and the mapping reads 0 at the
 * discarded page and the kept data elsewhere, in the same 4 KiB pages as
 * the PUD-linked first mapping.
 */
TEST_F(huge, split_is_seen_through_a_pmd_level_copy)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char *area, *q, *p = self->p;
	uint64_t pfn0;
	int fd;

	q = map_off_a_gib(_metadata, self->name, &area, &fd);
	fill_leaf(q + 5 * LEAF);		/* q's copy */
	pfn0 = pagemap_of(q + 5 * LEAF) & PM_PFN;
	ASSERT_NE(0, pfn0);
	EXPECT_EQ(0x5100000000ULL + 1, *(uint64_t *)(p + 5 * LEAF + PAGE + 8));
	EXPECT_EQ(pfn0, pagemap_of(p + 5 * LEAF) & PM_PFN);
	EXPECT_EQ(2048, smaps_field(q, "FilePmdMapped"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(1, d.links_pmd);

	ASSERT_EQ(0, mshare_domain_discard(self->nl, self->name,
					   5 * LEAF + 300 * PAGE, PAGE));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(0, d.links_pmd);		/* the copy went */
	EXPECT_EQ(LEAF_PAGES - 1, d.resident);
	EXPECT_EQ(2, d.table_pages);
	EXPECT_EQ(0, *(uint64_t *)(q + 5 * LEAF + 300 * PAGE + 8));
	EXPECT_EQ(0, leaf_bad(q + 5 * LEAF, 300, 301));
	EXPECT_EQ(LEAF_PAGES - 1, leaf_copied(q + 5 * LEAF, pfn0, 300, 301));
	EXPECT_EQ(0, smaps_field(q, "FilePmdMapped"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(1, d.links_pmd);		/* the new PTE table */
	EXPECT_EQ(pagemap_of(q + 5 * LEAF + 9 * PAGE) & PM_PFN,
		  pagemap_of(p + 5 * LEAF + 9 * PAGE) & PM_PFN);
	EXPECT_EQ(0, leaf_bad(p + 5 * LEAF, 300, 301));
	munmap(area, 3 * GiB);
	close(fd);
	EXPECT_EQ(0, leaf_bad(p + 5 * LEAF, 300, 301));
}

/*
 * One discard that cuts two leaves (the last 2 pages of one, the first 3
 * of another) and covers a whole leaf between them: both ends are split,
 * the middle goes whole, the neighbours keep their data; one inside an
 * empty 2 MiB changes nothing.
 */
TEST_F(huge, discard_cutting_two_leaves_and_a_whole_one)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char *p = self->p;
	uint64_t pfn10, pfn12;

	fill_leaf(p + 10 * LEAF);
	fill_leaf(p + 11 * LEAF);
	fill_leaf(p + 12 * LEAF);
	pfn10 = pagemap_of(p + 10 * LEAF) & PM_PFN;
	pfn12 = pagemap_of(p + 12 * LEAF) & PM_PFN;
	ASSERT_EQ(0, mshare_domain_discard(self->nl, self->name,
					   11 * LEAF - 2 * PAGE,
					   2 * PAGE + LEAF + 3 * PAGE));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(3 * LEAF_PAGES - 2 - LEAF_PAGES - 3, d.resident);
	EXPECT_EQ(3, d.table_pages);
	EXPECT_EQ(0, leaf_bad(p + 10 * LEAF, LEAF_PAGES - 2, LEAF_PAGES));
	EXPECT_EQ(LEAF_PAGES - 2, leaf_copied(p + 10 * LEAF, pfn10,
					      LEAF_PAGES - 2, LEAF_PAGES));
	EXPECT_EQ(0, leaf_bad(p + 12 * LEAF, 0, 3));
	EXPECT_EQ(LEAF_PAGES - 3, leaf_copied(p + 12 * LEAF, pfn12, 0, 3));
	EXPECT_FALSE(pagemap_of(p + 11 * LEAF - PAGE) & PM_PRESENT);
	EXPECT_FALSE(pagemap_of(p + 11 * LEAF) & PM_PRESENT);
	EXPECT_FALSE(pagemap_of(p + 12 * LEAF + 2 * PAGE) & PM_PRESENT);
	EXPECT_EQ(0, smaps_field(p, "FilePmdMapped"));
	EXPECT_EQ(0, p[11 * LEAF - PAGE + 8]);
	EXPECT_EQ(0, p[11 * LEAF + 8]);		/* a new leaf */
	EXPECT_EQ(0, p[12 * LEAF + 2 * PAGE + 8]);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(3 * LEAF_PAGES - 3, d.resident);
	EXPECT_EQ(2048, smaps_field(p, "FilePmdMapped"));

	ASSERT_EQ(0, mshare_domain_discard(self->nl, self->name,
					   60 * LEAF + PAGE, PAGE));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(3 * LEAF_PAGES - 3, d.resident);
	EXPECT_EQ(3, d.table_pages);
	EXPECT_FALSE(pagemap_of(p + 60 * LEAF) & PM_PRESENT);
}

/*
 * A leaf with a page referenced by a pipe (vmsplice: a GUP reference)
 * cannot be frozen: the discard zeroes its pages in place and the leaf
 * stays (same folio, PMD-mapped, 512 resident, no PTE table); the pipe
 * still returns what was spliced.  Once the reference is gone, the same
 * discard splits it.
 */
TEST_F(huge, pinned_leaf_is_zeroed_in_place)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char *leaf = (char *)self->p + 15 * LEAF, buf[64];
	struct iovec vec = { leaf + 200 * PAGE, sizeof(buf) };
	uint64_t pfn0;
	unsigned long i;
	int pfd[2];

	fill_leaf(leaf);
	pfn0 = pagemap_of(leaf) & PM_PFN;
	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(sizeof(buf), vmsplice(pfd[1], &vec, 1, 0));
	ASSERT_EQ(0, mshare_domain_discard(self->nl, self->name,
					   15 * LEAF + 100 * PAGE, 2 * PAGE));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(LEAF_PAGES, d.resident);
	EXPECT_EQ(1, d.table_pages);
	EXPECT_EQ(2048, smaps_field(self->p, "FilePmdMapped"));
	for (i = 0; i < LEAF_PAGES; i++)
		ASSERT_EQ(pfn0 + i, pagemap_of(leaf + i * PAGE) & PM_PFN);
	EXPECT_EQ(0, *(uint64_t *)(leaf + 100 * PAGE + 8));
	EXPECT_EQ(0, *(uint64_t *)(leaf + 101 * PAGE + 8));
	EXPECT_EQ(0, leaf_bad(leaf, 100, 102));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(sizeof(buf), read(pfd[0], buf, sizeof(buf)));
	EXPECT_EQ(0x5100000000ULL + 200, *(uint64_t *)(buf + 8));
	close(pfd[0]);
	close(pfd[1]);

	ASSERT_EQ(0, mshare_domain_discard(self->nl, self->name,
					   15 * LEAF + 100 * PAGE, 2 * PAGE));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(LEAF_PAGES - 2, d.resident);
	EXPECT_EQ(2, d.table_pages);
	EXPECT_EQ(0, leaf_bad(leaf, 100, 102));
	EXPECT_EQ(LEAF_PAGES - 2, leaf_copied(leaf, pfn0, 100, 102));
}

/* ---- generic walkers on a leaf (Documentation/walkers.rst) ---- */

/*
 * numa_maps: gather_pte_stats()'s PMD branch counts a leaf as 512 dirty
 * pages on the folio's node (kernelpagesize_kB stays 4).
 */
TEST_F(huge, numa_maps_counts_a_leaf_as_512_dirty_pages)
{
	char line[1024], key[8];
	long sum = 0, n;
	int nid;

	((char *)self->p)[5 * LEAF] = 1;
	ASSERT_EQ(0, numa_maps_line(self->p, line, sizeof(line)));
	EXPECT_EQ(LEAF_PAGES, line_field(line, "dirty", -1));
	for (nid = 0; nid < 64; nid++) {
		snprintf(key, sizeof(key), "N%d", nid);
		n = line_field(line, key, -1);
		if (n > 0)
			sum += n;
	}
	EXPECT_EQ(LEAF_PAGES, sum);
	EXPECT_EQ(4, line_field(line, "kernelpagesize_kB", -1));
}

/* mincore: a leaf's 512 pages are resident, the empty 2 MiB next to it not. */
TEST_F(huge, mincore_reports_a_leaf_resident)
{
	unsigned char vec[2 * LEAF_PAGES];
	char *p = self->p;
	unsigned long i, in = 0;

	p[12 * LEAF + PAGE] = 1;
	ASSERT_EQ(0, mincore(p + 12 * LEAF, 2 * LEAF, vec));
	for (i = 0; i < LEAF_PAGES; i++)
		in += vec[i] & 1;
	EXPECT_EQ(LEAF_PAGES, in);
	for (i = LEAF_PAGES; i < 2 * LEAF_PAGES; i++)
		ASSERT_EQ(0, vec[i] & 1);
}

/*
 * clear_refs 1 (young bits of the shared leaf, unchecked) and 4 (the
 * notifier unlinks the whole mm first), MADV_COLD and MADV_PAGEOUT on a
 * whole leaf and on part of one (split_folio() fails on a domain folio):
 * the data stays, every page stays resident, the leaf keeps its folio.
 */
TEST_F(huge, clear_refs_cold_and_pageout_keep_the_leaf)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char *p = self->p;
	uint64_t pfn;

	memset(p + 14 * LEAF, 0x71, LEAF);
	pfn = pagemap_of(p + 14 * LEAF) & PM_PFN;
	ASSERT_EQ(0, write_str("/proc/self/clear_refs", "4"));
	EXPECT_EQ(0x71, p[14 * LEAF + 7]);	/* relinks */
	ASSERT_EQ(0, write_str("/proc/self/clear_refs", "1"));
	EXPECT_EQ(0x71, p[14 * LEAF + 8]);
	ASSERT_EQ(0, madvise(p + 14 * LEAF, LEAF, MADV_COLD));
	ASSERT_EQ(0, madvise(p + 14 * LEAF + PAGE, 4 * PAGE, MADV_COLD));
	ASSERT_EQ(0, madvise(p + 14 * LEAF, LEAF, MADV_PAGEOUT));
	ASSERT_EQ(0, madvise(p + 14 * LEAF + PAGE, 4 * PAGE, MADV_PAGEOUT));
	EXPECT_EQ(0x71, p[14 * LEAF]);
	EXPECT_EQ(0x71, p[15 * LEAF - 1]);
	EXPECT_EQ(pfn, pagemap_of(p + 14 * LEAF) & PM_PFN);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(LEAF_PAGES, d.resident);
}

/*
 * MADV_POPULATE_WRITE (GUP through the fault path) fills whole leaves;
 * /proc/self/mem (remote GUP) reads one.
 */
TEST_F(huge, populate_and_proc_mem_reach_leaves)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char *p = self->p, buf[16];
	int fd;

	ASSERT_EQ(0, madvise(p + 16 * LEAF, 2 * LEAF, 23 /* POPULATE_WRITE */));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(2 * LEAF_PAGES, d.resident);
	EXPECT_EQ(4096, smaps_field(p, "FilePmdMapped"));
	memset(p + 17 * LEAF + 3 * PAGE, 0x4d, sizeof(buf));
	fd = open("/proc/self/mem", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(buf), pread(fd, buf, sizeof(buf),
				     (uintptr_t)(p + 17 * LEAF + 3 * PAGE)));
	EXPECT_EQ(0x4d, buf[sizeof(buf) - 1]);
	close(fd);
}

/*
 * A mapping placed (MAP_FIXED) 2 MiB off a GiB boundary cannot link at
 * PUD level: its touches copy the domain's leaves (one PMD entry each,
 * the same physical 2 MiB), its munmap leaves the domain unharmed.
 */
TEST_F(huge, pmd_level_mapping_copies_the_leaves)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char *area, *q, *p = self->p;
	int fd;

	((char *)self->p)[0] = 9;
	q = map_off_a_gib(_metadata, self->name, &area, &fd);
	close(fd);
	EXPECT_EQ(9, q[0]);
	EXPECT_EQ(pagemap_of(p) & PM_PFN, pagemap_of(q) & PM_PFN);
	EXPECT_EQ(pagemap_of(p) & PM_PFN, (pagemap_of(q + 77 * PAGE) & PM_PFN) - 77);
	/* The first touch through q fills the leaf p then finds. */
	q[5 * LEAF + 3] = 4;
	EXPECT_EQ(4, p[5 * LEAF + 3]);
	EXPECT_EQ(pagemap_of(p + 5 * LEAF) & PM_PFN,
		  pagemap_of(q + 5 * LEAF) & PM_PFN);
	EXPECT_EQ(4096, smaps_field(q, "FilePmdMapped"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(2 * LEAF_PAGES, d.resident);
	EXPECT_EQ(1, d.table_pages);
	EXPECT_EQ(2, d.links_pmd);
	munmap(area, 3 * GiB);
	EXPECT_EQ(9, p[0]);
	EXPECT_EQ(4, p[5 * LEAF + 3]);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(2 * LEAF_PAGES, d.resident);
	EXPECT_EQ(0, d.links_pmd);
}

#define FPA	"/sys/kernel/debug/fail_page_alloc/"

/* Fail this process's allocations of order >= 9 (@on), or stop. */
static int fail_2mib(int on)
{
	if (on && (write_str(FPA "task-filter", "Y") ||
		   write_str(FPA "verbose", "0") ||
		   write_str(FPA "interval", "1") ||
		   write_str(FPA "times", "-1") ||
		   write_str(FPA "space", "0") ||
		   write_str(FPA "ignore-gfp-wait", "N") ||
		   write_str(FPA "ignore-gfp-highmem", "N") ||
		   write_str(FPA "min-order", "9") ||
		   write_str(FPA "probability", "100")))
		return -1;
	if (write_str("/proc/self/make-it-fail", on ? "1" : "0"))
		return -1;
	return on ? 0 : write_str(FPA "probability", "0");
}

/*
 * No 2 MiB folio to be had (fail_page_alloc, order 9 and up, this process
 * only): that 2 MiB falls back to a PTE table of 4 KiB pages, filled page
 * by page; the next 2 MiB, with folios again, is a leaf.  All of it goes
 * back at the domain's end.
 */
TEST_F(huge, no_2mib_folio_falls_back_to_a_pte_table)
{
	struct mshare_module_info before = MSHARE_INIT(before);
	struct mshare_module_info after = MSHARE_INIT(after);
	struct mshare_domain_info d = MSHARE_INIT(d);
	char *p = self->p, *area, *q;
	int fd;

	if (access(FPA "probability", W_OK) ||
	    access("/proc/self/make-it-fail", W_OK))
		SKIP(return, "this kernel has no fail_page_alloc");
	ASSERT_EQ(0, mshare_module_info(self->nl, &before));
	ASSERT_EQ(0, fail_2mib(1));
	p[30 * LEAF + 4 * PAGE] = 1;
	p[30 * LEAF + 9 * PAGE] = 2;
	ASSERT_EQ(0, fail_2mib(0));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(2, d.resident);
	EXPECT_EQ(2, d.table_pages);	/* the PMD table and one PTE table */
	EXPECT_TRUE(pagemap_of(p + 30 * LEAF + 4 * PAGE) & PM_PRESENT);
	EXPECT_FALSE(pagemap_of(p + 30 * LEAF + 5 * PAGE) & PM_PRESENT);
	EXPECT_EQ(0, smaps_field(p, "FilePmdMapped"));
	EXPECT_EQ(8, smaps_field(p, "Rss"));

	/* The rest of that 2 MiB fills page by page, zeroed. */
	EXPECT_EQ(0, p[31 * LEAF - 1]);
	EXPECT_EQ(1, p[30 * LEAF + 4 * PAGE]);
	EXPECT_EQ(2, p[30 * LEAF + 9 * PAGE]);
	/* A 4 KiB discard there frees one page. */
	ASSERT_EQ(0, mshare_domain_discard(self->nl, self->name,
					   30 * LEAF + 4 * PAGE, PAGE));
	EXPECT_EQ(0, p[30 * LEAF + 4 * PAGE]);
	EXPECT_EQ(2, p[30 * LEAF + 9 * PAGE]);
	p[31 * LEAF] = 3;	/* a leaf again */
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(3 + LEAF_PAGES, d.resident);
	EXPECT_EQ(2, d.table_pages);
	EXPECT_EQ(2048, smaps_field(p, "FilePmdMapped"));

	/*
	 * A PMD-level mapping links the fallback's PTE table and copies the
	 * leaf: the same pages, one process PMD entry each.
	 */
	q = map_off_a_gib(_metadata, self->name, &area, &fd);
	close(fd);
	EXPECT_EQ(2, q[30 * LEAF + 9 * PAGE]);
	EXPECT_EQ(3, q[31 * LEAF]);
	q[30 * LEAF + 10 * PAGE] = 5;
	EXPECT_EQ(5, p[30 * LEAF + 10 * PAGE]);
	EXPECT_EQ(pagemap_of(p + 30 * LEAF + 9 * PAGE) & PM_PFN,
		  pagemap_of(q + 30 * LEAF + 9 * PAGE) & PM_PFN);
	EXPECT_EQ(pagemap_of(p + 31 * LEAF) & PM_PFN,
		  pagemap_of(q + 31 * LEAF) & PM_PFN);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(4 + LEAF_PAGES, d.resident);
	EXPECT_EQ(2, d.links_pmd);
	EXPECT_EQ(2048, smaps_field(q, "FilePmdMapped"));
	ASSERT_EQ(0, munmap(area, 3 * GiB));

	ASSERT_EQ(0, munmap(self->p, self->size));
	self->p = NULL;
	ASSERT_EQ(0, mshare_domain_destroy(self->nl, self->name));
	ASSERT_EQ(0, mshare_module_info(self->nl, &after));
	EXPECT_EQ(before.data_pages, after.data_pages);
	EXPECT_EQ(before.table_pages - 1, after.table_pages);
}

/*
 * Discard @disc of @name in a child whose every allocation fails
 * (fail_page_alloc, every order), through its inherited descriptor; ours
 * do not fail.  The child's exit code (0: the discard succeeded), or -1
 * where the kernel has no fail_page_alloc.
 */
static int discard_without_memory(struct __test_metadata *_metadata,
				  const char *name, struct mshare_discard *disc)
{
	pid_t pid;
	int fd, ret;

	if (access(FPA "probability", W_OK) ||
	    access("/proc/self/make-it-fail", W_OK))
		return -1;
	fd = open_dev();
	if (fd < 0 || attach_fd(fd, name))
		return -2;
	if (write_str(FPA "task-filter", "Y") ||
	    write_str(FPA "verbose", "0") || write_str(FPA "interval", "1") ||
	    write_str(FPA "times", "-1") || write_str(FPA "space", "0") ||
	    write_str(FPA "ignore-gfp-wait", "N") ||
	    write_str(FPA "ignore-gfp-highmem", "N") ||
	    write_str(FPA "min-order", "0") ||
	    write_str(FPA "probability", "100"))
		return -3;
	pid = fork();
	if (pid < 0)
		return -4;
	if (!pid) {
		char stack[64 * 1024];
		int mf = open("/proc/self/make-it-fail", O_WRONLY);

		/* No page to allocate from here on: touch them first. */
		memset(stack, 1, sizeof(stack));
		if (mf < 0 || write(mf, "1", 1) != 1)
			_exit(100);
		if (ioctl(fd, MSHARE_IOC_DISCARD, disc))
			_exit(errno);
		_exit(stack[100] == 1 ? 0 : 101);
	}
	ret = wait_exit_code(pid);
	if (fail_2mib(0))
		ret = -5;
	close(fd);
	return ret;
}

/*
 * @disc, discarded without memory, leaves the domain one leaf, @leaf's
 * (the same folio, mapped whole through the fixture's mapping).  False if
 * the kernel has no fail_page_alloc (nothing was done).
 */
static bool discard_keeps_one_leaf(struct __test_metadata *_metadata,
				   FIXTURE_DATA(huge) *self,
				   struct mshare_discard *disc, char *leaf)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	uint64_t pfn0 = pagemap_of(leaf) & PM_PFN;
	int ret = discard_without_memory(_metadata, self->name, disc);

	if (ret == -1)
		return false;
	EXPECT_EQ(0, ret);
	EXPECT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(LEAF_PAGES, d.resident);
	EXPECT_EQ(1, d.table_pages);
	EXPECT_EQ(2048, smaps_field(self->p, "FilePmdMapped"));
	EXPECT_EQ(pfn0 + 100, pagemap_of(leaf + 100 * PAGE) & PM_PFN);
	return true;
}

/*
 * No memory for a split: the leaf stays, its discarded page zeroed in
 * place, the rest of its data kept.
 */
TEST_F(huge, no_memory_for_a_split_zeroes_in_place)
{
	struct mshare_discard disc = { .offset = 34 * LEAF + 77 * PAGE,
				       .length = PAGE };
	char *leaf = (char *)self->p + 34 * LEAF;

	fill_leaf(leaf);
	if (!discard_keeps_one_leaf(_metadata, self, &disc, leaf))
		SKIP(return, "this kernel has no fail_page_alloc");
	EXPECT_EQ(0, *(uint64_t *)(leaf + 77 * PAGE + 8));
	EXPECT_EQ(0, leaf_bad(leaf, 77, 78));
}

/*
 * The same where the discard also takes a whole leaf: the range is
 * invalidated, but not the 2 MiB zeroed in place, which the kernel's walk
 * through the PUD link would clear (its leaf only partly in the range):
 * that leaf stays with its kept data, the whole one goes.
 */
TEST_F(huge, zeroed_in_place_leaf_survives_the_invalidation)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	struct mshare_discard disc = { .offset = 34 * LEAF + 77 * PAGE,
				       .length = LEAF - 77 * PAGE + LEAF };
	char *leaf = (char *)self->p + 34 * LEAF;

	fill_leaf(leaf);
	fill_leaf(leaf + LEAF);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	ASSERT_EQ(2 * LEAF_PAGES, d.resident);
	if (!discard_keeps_one_leaf(_metadata, self, &disc, leaf))
		SKIP(return, "this kernel has no fail_page_alloc");
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(1, d.links_pud);
	EXPECT_EQ(0, leaf_bad(leaf, 77, LEAF_PAGES));
	EXPECT_EQ(0, *(uint64_t *)(leaf + 77 * PAGE + 8));
	EXPECT_EQ(0, *(uint64_t *)(leaf + 511 * PAGE + 8));
	/* the whole leaf went: a touch fills a new one, of zeroes */
	EXPECT_EQ(0, *(uint64_t *)(leaf + LEAF + 8));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(2 * LEAF_PAGES, d.resident);
}

/*
 * With a read-only attacher, a 2 MiB that falls back to a PTE table gets
 * a read-only twin of it too: the reader sees the 4 KiB pages as they
 * fill, and the module counts both tables.
 */
TEST_F(huge, a_fallback_table_has_a_read_only_twin)
{
	struct mshare_module_info before = MSHARE_INIT(before);
	struct mshare_module_info mid = MSHARE_INIT(mid);
	char *p = self->p, *r;
	size_t rsize;

	if (access(FPA "probability", W_OK) ||
	    access("/proc/self/make-it-fail", W_OK))
		SKIP(return, "this kernel has no fail_page_alloc");
	ASSERT_EQ(0, attach_dom(self->name, MSHARE_ATTACH_F_RDONLY,
				(void **)&r, &rsize));
	ASSERT_EQ(0, mshare_module_info(self->nl, &before));
	ASSERT_EQ(0, fail_2mib(1));
	p[30 * LEAF + 4 * PAGE] = 1;
	ASSERT_EQ(0, fail_2mib(0));
	ASSERT_EQ(0, mshare_module_info(self->nl, &mid));
	EXPECT_EQ(before.table_pages + 2, mid.table_pages);
	EXPECT_EQ(1, r[30 * LEAF + 4 * PAGE]);
	EXPECT_EQ(0, r[30 * LEAF + 5 * PAGE]);
	p[30 * LEAF + 9 * PAGE] = 2;
	EXPECT_EQ(2, r[30 * LEAF + 9 * PAGE]);
	p[31 * LEAF] = 3;	/* a leaf, and its read-only twin */
	EXPECT_EQ(3, r[31 * LEAF]);
	EXPECT_EQ(pagemap_of(p + 31 * LEAF) & PM_PFN,
		  pagemap_of(r + 31 * LEAF) & PM_PFN);
	ASSERT_EQ(0, munmap(r, rsize));
}

/* The module's data pages, table pages and domains are back at @before. */
static void expect_counts_back(struct __test_metadata *_metadata,
			       struct mshare_nl *nl,
			       const struct mshare_module_info *before)
{
	struct mshare_module_info after = MSHARE_INIT(after);

	ASSERT_EQ(0, mshare_module_info(nl, &after));
	EXPECT_EQ(before->data_pages, after.data_pages);
	EXPECT_EQ(before->table_pages, after.table_pages);
	EXPECT_EQ(before->domains, after.domains);
}

/*
 * A prefaulted huge domain holds every 2 MiB as a leaf: its pages count in
 * the module's data pages and go back when it goes, also while still
 * mapped at the destroy (they go with the last mapping).
 */
TEST(prefault_fills_leaves_and_destroy_frees_them)
{
	struct mshare_module_info before = MSHARE_INIT(before);
	struct mshare_module_info mid = MSHARE_INIT(mid);
	struct mshare_domain_info d = MSHARE_INIT(d);
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	size_t size;
	char *p;

	if (!leaves_built() || !pud_links_possible())
		SKIP(return, "no 2 MiB leaves or no PUD links here");
	ASSERT_EQ(0, nl_open(&nl));
	snprintf(name, sizeof(name), "huge-pf-%d", getpid());
	ASSERT_EQ(0, mshare_module_info(nl, &before));
	ASSERT_EQ(0, create_domain(nl, name, GiB, MSHARE_DOMAIN_F_HUGE |
				   MSHARE_DOMAIN_F_PREFAULT, &d));
	EXPECT_EQ(GiB / PAGE, d.resident);
	EXPECT_EQ(1, d.table_pages);
	ASSERT_EQ(0, mshare_module_info(nl, &mid));
	EXPECT_EQ(before.data_pages + GiB / PAGE, mid.data_pages);
	EXPECT_EQ(before.table_pages + 1, mid.table_pages);

	ASSERT_EQ(0, attach_dom(name, 0, (void **)&p, &size));
	EXPECT_EQ(0, p[GiB - 1]);
	p[GiB - 1] = 3;
	EXPECT_EQ(GiB / KiB, smaps_field(p, "FilePmdMapped"));
	ASSERT_EQ(0, mshare_domain_destroy(nl, name));
	EXPECT_EQ(3, p[GiB - 1]);
	ASSERT_EQ(0, munmap(p, size));
	expect_counts_back(_metadata, nl, &before);
	mshare_nl_close(nl);
}

/*
 * The pages and the table of a split leaf go with the domain: the module's
 * data and table page counts are back where they were.
 */
TEST(split_leaf_goes_with_the_domain)
{
	struct mshare_module_info before = MSHARE_INIT(before);
	struct mshare_module_info mid = MSHARE_INIT(mid);
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	size_t size;
	char *p;

	if (!leaves_built())
		SKIP(return, "no 2 MiB leaves here (no THP)");
	ASSERT_EQ(0, nl_open(&nl));
	snprintf(name, sizeof(name), "huge-split-%d", getpid());
	ASSERT_EQ(0, mshare_module_info(nl, &before));
	ASSERT_EQ(0, create_domain(nl, name, GiB, MSHARE_DOMAIN_F_HUGE, NULL));
	ASSERT_EQ(0, attach_dom(name, 0, (void **)&p, &size));
	memset(p + 2 * LEAF, 0x66, 2 * LEAF);
	ASSERT_EQ(0, mshare_domain_discard(nl, name, 3 * LEAF - PAGE,
					   2 * PAGE));
	ASSERT_EQ(0, mshare_module_info(nl, &mid));
	EXPECT_EQ(before.data_pages + 2 * LEAF_PAGES - 2, mid.data_pages);
	EXPECT_EQ(before.table_pages + 3, mid.table_pages);
	EXPECT_EQ(0x66, p[3 * LEAF - PAGE - 1]);
	EXPECT_EQ(0, p[3 * LEAF - PAGE]);
	EXPECT_EQ(0x66, p[3 * LEAF + PAGE]);
	ASSERT_EQ(0, munmap(p, size));
	ASSERT_EQ(0, mshare_domain_destroy(nl, name));
	expect_counts_back(_metadata, nl, &before);
	mshare_nl_close(nl);
}

/*
 * A domain of 2 MiB leaves need not be whole GiBs: 6 MiB is three leaves
 * in one PMD table, which every mapping copies (no GiB to link at PUD
 * level); two mappings share the folios; a discard of a whole leaf takes
 * it from both (their copies go), the next touch copies the new leaf.
 */
TEST(huge_domain_of_three_leaves_is_copied)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	struct mshare_discard disc = { .offset = LEAF, .length = LEAF };
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	size_t size, qsize;
	char *p, *q;
	int fd;

	if (!leaves_built())
		SKIP(return, "no 2 MiB leaves here (no THP)");
	ASSERT_EQ(0, nl_open(&nl));
	snprintf(name, sizeof(name), "huge-6m-%d", getpid());
	ASSERT_EQ(0, create_domain(nl, name, 3 * LEAF, MSHARE_DOMAIN_F_HUGE,
				   NULL));
	ASSERT_EQ(0, attach_dom(name, 0, (void **)&p, &size));
	ASSERT_EQ(3 * LEAF, size);
	ASSERT_EQ(0, attach_dom(name, 0, (void **)&q, &qsize));
	p[0] = 1;
	p[LEAF + 1] = 2;
	p[3 * LEAF - 1] = 3;
	EXPECT_EQ(1, q[0]);
	EXPECT_EQ(2, q[LEAF + 1]);
	EXPECT_EQ(3, q[3 * LEAF - 1]);
	EXPECT_EQ(pagemap_of(p + LEAF) & PM_PFN, pagemap_of(q + LEAF) & PM_PFN);
	EXPECT_EQ(0, (pagemap_of(p + LEAF) & PM_PFN) % LEAF_PAGES);
	EXPECT_EQ(6144, smaps_field(q, "FilePmdMapped"));
	ASSERT_EQ(0, mshare_domain_get(nl, name, &d));
	EXPECT_EQ(3 * LEAF_PAGES, d.resident);
	EXPECT_EQ(1, d.table_pages);
	EXPECT_EQ(0, d.links_pud);
	EXPECT_EQ(6, d.links_pmd);

	fd = open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, attach_fd(fd, name));
	ASSERT_EQ(0, ioctl(fd, MSHARE_IOC_DISCARD, &disc));
	close(fd);
	ASSERT_EQ(0, mshare_domain_get(nl, name, &d));
	EXPECT_EQ(2 * LEAF_PAGES, d.resident);
	EXPECT_EQ(4, d.links_pmd);
	EXPECT_FALSE(pagemap_of(q + LEAF) & PM_PRESENT);
	EXPECT_EQ(0, q[LEAF + 1]);
	EXPECT_EQ(0, p[LEAF + 1]);
	EXPECT_EQ(pagemap_of(p + LEAF) & PM_PFN, pagemap_of(q + LEAF) & PM_PFN);
	EXPECT_EQ(1, p[0]);
	EXPECT_EQ(3, q[3 * LEAF - 1]);
	ASSERT_EQ(0, munmap(p, size));
	ASSERT_EQ(0, munmap(q, qsize));
	ASSERT_EQ(0, mshare_domain_get(nl, name, &d));
	EXPECT_EQ(0, d.links_pmd);
	EXPECT_EQ(3 * LEAF_PAGES, d.resident);
	ASSERT_EQ(0, mshare_domain_destroy(nl, name));
	mshare_nl_close(nl);
}

/*
 * THP "never" takes no PUD or PMD fault for the mapping: every touch
 * comes through ->fault, which copies the domain's leaf all the same.
 */
TEST(thp_never_copies_the_leaves)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX], old[16];
	size_t size;
	char *p;

	if (!leaves_built())
		SKIP(return, "no 2 MiB leaves here (no THP)");
	snprintf(old, sizeof(old), "%s", thp_enabled());
	ASSERT_NE(0, old[0]);
	ASSERT_EQ(0, nl_open(&nl));
	snprintf(name, sizeof(name), "huge-never-%d", getpid());
	ASSERT_EQ(0, create_domain(nl, name, GiB, MSHARE_DOMAIN_F_HUGE, NULL));
	ASSERT_EQ(0, write_str(THP_ENABLED, "never"));
	ASSERT_EQ(0, attach_dom(name, 0, (void **)&p, &size));
	p[7 * LEAF + 5] = 6;
	EXPECT_EQ(6, p[7 * LEAF + 5]);
	ASSERT_EQ(0, mshare_domain_get(nl, name, &d));
	EXPECT_EQ(LEAF_PAGES, d.resident);
	EXPECT_EQ(0, d.links_pud);
	EXPECT_EQ(1, d.links_pmd);
	EXPECT_EQ(2048, smaps_field(p, "FilePmdMapped"));
	ASSERT_EQ(0, write_str(THP_ENABLED, old));
	ASSERT_EQ(0, munmap(p, size));
	ASSERT_EQ(0, mshare_domain_destroy(nl, name));
	mshare_nl_close(nl);
}

/*
 * Creation: no THP, EOPNOTSUPP for the flag, with the reason; with THP,
 * any policy, the auto one included (migration moves leaves whole).
 */
TEST(huge_creation_refusals)
{
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;
	struct mshare_domain_info d = MSHARE_INIT(d);
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];

	ASSERT_EQ(0, nl_open(&nl));
	snprintf(name, sizeof(name), "huge-bad-%d", getpid());
	opts.flags = MSHARE_DOMAIN_F_HUGE;
	if (!leaves_built()) {
		EXPECT_EQ(-EOPNOTSUPP, mshare_domain_create(nl, name, 2 * MiB,
							    &opts, NULL));
		EXPECT_STREQ("2 MiB leaves need transparent hugepages",
			     mshare_nl_extack(nl));
	}
	opts.numa.policy = MSHARE_NUMA_AUTO;
	if (!leaves_built()) {
		EXPECT_EQ(-EOPNOTSUPP, mshare_domain_create(nl, name, GiB,
							    &opts, NULL));
		EXPECT_EQ(-ENOENT, mshare_domain_get(nl, name, &d));
	} else {
		ASSERT_EQ(0, mshare_domain_create(nl, name, GiB, &opts, &d));
		EXPECT_EQ(MSHARE_DOMAIN_F_HUGE, d.flags);
		EXPECT_EQ(MSHARE_NUMA_AUTO, d.numa.policy);
		EXPECT_EQ(0, mshare_domain_destroy(nl, name));
	}
	mshare_nl_close(nl);
}

TEST_HARNESS_MAIN
