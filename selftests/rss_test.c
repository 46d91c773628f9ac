// SPDX-License-Identifier: GPL-2.0
/*
 * Domain pages in each attacher's RSS (RssShmem, and so VmRSS), by the
 * rules of kmod/attach.c ("RSS"), as hugetlb counts pages behind shared
 * PMD tables: a link adds what its table maps then, the process's own
 * fills add one each, a discard lowers the count to what is left, an
 * unmap (or exit) takes it back; a page another process fills under a
 * table this one already links is not added, so the count is never above
 * the truth.  PMD links (a 64 MiB domain) and PUD links (1 GiB).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mshare.h"
#include "mshare_nl.h"
#include "mshare_util.h"

/*
 * RssShmem of this process, in pages.  In the VM the test binaries and
 * their libraries live on a tmpfs: each page of text a process faults in
 * counts in RssShmem too (a forked child faults its text in again).  So
 * every process that measures first faults in all it maps but domains
 * (settle()), and the count then moves with domain pages only.
 */
static long rss_pages(void)
{
	return status_kb(getpid(), "RssShmem") / (PAGE / KiB);
}

/*
 * Fault in every readable mapping of this process but the domains' (an
 * inherited domain mapping must stay untouched): 0 or -1.
 */
static int settle(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512], perms[8];
	unsigned long start, end;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) != 3 ||
		    perms[0] != 'r' || strstr(line, "mshare"))
			continue;
		/* [vvar] and the like refuse: nothing to fault in there */
		madvise((void *)start, end - start, MADV_POPULATE_READ);
	}
	fclose(f);
	return 0;
}

static char *map_dom(const char *name, uint64_t size, int *fd)
{
	char *p;

	*fd = open_dev();
	if (*fd < 0 || attach_fd(*fd, name))
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void touch(char *p, uint64_t from, uint64_t to, uint64_t step,
		  int write)
{
	volatile char *v = p;
	uint64_t off;

	for (off = from; off < to; off += step) {
		if (write)
			v[off] = 1;
		else
			(void)v[off];
	}
}

/* Run @fn in a child; its exit code (0 = passed). */
static int in_child(int (*fn)(const char *, uint64_t), const char *name,
		    uint64_t size)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(settle() ? 9 : fn(name, size));
	return wait_exit_code(pid);
}

FIXTURE(rss)
{
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	uint64_t size;
	char *p;
	int fd;
};

FIXTURE_VARIANT(rss)
{
	uint64_t size;
};

/* 64 MiB: 32 PMD links. */
FIXTURE_VARIANT_ADD(rss, pmd)
{
	.size = 64 * MiB,
};

/* 1 GiB: one PUD link. */
FIXTURE_VARIANT_ADD(rss, pud)
{
	.size = 1 * GiB,
};

FIXTURE_SETUP(rss)
{
	struct mshare_domain_info d = MSHARE_INIT(d);

	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "rss-%d", getpid());
	self->size = variant->size;
	ASSERT_EQ(0, mshare_domain_create(self->nl, self->name, self->size,
					  NULL, &d));
	self->p = NULL;
	self->fd = -1;
	ASSERT_EQ(0, settle());
}

FIXTURE_TEARDOWN(rss)
{
	if (self->p)
		munmap(self->p, self->size);
	if (self->fd >= 0)
		close(self->fd);
	mshare_domain_destroy(self->nl, self->name);
	mshare_nl_close(self->nl);
}

TEST_F(rss, own_touches_count_and_unmap_gives_them_back)
{
	long base = rss_pages();
	uint64_t n = 16 * MiB / PAGE;

	self->p = map_dom(self->name, self->size, &self->fd);
	ASSERT_NE(NULL, self->p);
	EXPECT_EQ(base, rss_pages());
	touch(self->p, 0, 16 * MiB, PAGE, 1);
	EXPECT_EQ(base + (long)n, rss_pages());
	/* Reads of present pages add nothing more. */
	touch(self->p, 0, 16 * MiB, PAGE, 0);
	EXPECT_EQ(base + (long)n, rss_pages());
	ASSERT_EQ(0, munmap(self->p, self->size));
	self->p = NULL;
	EXPECT_EQ(base, rss_pages());
}

/* A later attacher gets, at its link, every page present under it. */
static int later_attacher(const char *name, uint64_t size)
{
	long base = rss_pages();
	char *p;
	int fd;

	p = map_dom(name, size, &fd);
	if (!p)
		return 10;
	/* One read per 2 MiB: a link each (one in all at PUD level). */
	touch(p, 0, 16 * MiB, 2 * MiB, 0);
	if (rss_pages() != base + (long)(16 * MiB / PAGE)) {
		fprintf(stderr, "later attacher: %ld pages, want %llu\n",
			rss_pages() - base,
			(unsigned long long)(16 * MiB / PAGE));
		return 11;
	}
	munmap(p, size);
	return rss_pages() == base ? 0 : 12;
}

TEST_F(rss, a_later_attacher_counts_what_its_links_map)
{
	self->p = map_dom(self->name, self->size, &self->fd);
	ASSERT_NE(NULL, self->p);
	touch(self->p, 0, 16 * MiB, PAGE, 1);
	EXPECT_EQ(0, in_child(later_attacher, self->name, self->size));
}

TEST_F(rss, discard_lowers_every_attachers_count)
{
	long base = rss_pages();
	struct mshare_discard d = { .offset = 4 * MiB, .length = 8 * MiB };

	self->p = map_dom(self->name, self->size, &self->fd);
	ASSERT_NE(NULL, self->p);
	touch(self->p, 0, 16 * MiB, PAGE, 1);
	ASSERT_EQ(base + (long)(16 * MiB / PAGE), rss_pages());
	ASSERT_EQ(0, ioctl(self->fd, MSHARE_IOC_DISCARD, &d));
	EXPECT_EQ(base + (long)(8 * MiB / PAGE), rss_pages());
	/* Filling them again counts again. */
	touch(self->p, 4 * MiB, 12 * MiB, PAGE, 1);
	EXPECT_EQ(base + (long)(16 * MiB / PAGE), rss_pages());
}

/* Fills by another process under this one's links: never over-counted. */
static int other_filler(const char *name, uint64_t size)
{
	char *p;
	int fd;

	p = map_dom(name, size, &fd);
	if (!p)
		return 10;
	touch(p, 0, 16 * MiB, PAGE, 1);
	return 0;
}

TEST_F(rss, others_fills_are_not_over_counted_and_a_relink_is_exact)
{
	long base = rss_pages(), mid;

	self->p = map_dom(self->name, self->size, &self->fd);
	ASSERT_NE(NULL, self->p);
	/* Link every 2 MiB of the first 16 MiB with one page each. */
	touch(self->p, 0, 16 * MiB, 2 * MiB, 1);
	mid = rss_pages();
	EXPECT_EQ(base + 8, mid);
	ASSERT_EQ(0, in_child(other_filler, self->name, self->size));
	/* Every page is present now; this process's count may lag. */
	EXPECT_LE(rss_pages(), base + (long)(16 * MiB / PAGE));
	EXPECT_GE(rss_pages(), mid);
	/* A fresh mapping links again and counts them all. */
	ASSERT_EQ(0, munmap(self->p, self->size));
	EXPECT_EQ(base, rss_pages());
	self->p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->p);
	touch(self->p, 0, 16 * MiB, 2 * MiB, 0);
	EXPECT_EQ(base + (long)(16 * MiB / PAGE), rss_pages());
}

/* Exit without unmapping: the kernel's rss-counter check stays quiet. */
static int exit_mapped(const char *name, uint64_t size)
{
	char *p;
	int fd;

	p = map_dom(name, size, &fd);
	if (!p)
		return 10;
	touch(p, 0, 8 * MiB, PAGE, 1);
	return rss_pages() >= (long)(8 * MiB / PAGE) ? 0 : 11;
}

TEST_F(rss, exit_with_links_leaves_no_counter_behind)
{
	int i;

	/* The VM runner fails the run on "BUG: Bad rss-counter state". */
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, in_child(exit_mapped, self->name, self->size));
}

TEST_F(rss, a_forked_child_counts_only_what_it_links)
{
	pid_t pid;

	self->p = map_dom(self->name, self->size, &self->fd);
	ASSERT_NE(NULL, self->p);
	touch(self->p, 0, 16 * MiB, PAGE, 1);
	pid = fork();
	if (pid == 0) {
		long base = settle() ? -1000000 : rss_pages();

		/* Nothing is linked in the child until it touches. */
		touch(self->p, 0, 16 * MiB, 2 * MiB, 0);
		_exit(rss_pages() == base + (long)(16 * MiB / PAGE) ? 0 : 1);
	}
	EXPECT_EQ(0, wait_exit_code(pid));
}

TEST_HARNESS_MAIN
