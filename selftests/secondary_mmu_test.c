// SPDX-License-Identifier: GPL-2.0
/*
 * Secondary MMUs (KVM, HMM mirrors, IOMMUs that share page tables) must
 * learn of every change to what an attacher maps before the old page or
 * table can be reused.  mshare_mmu_test.ko (selftests/kmod/) plays two of
 * them on this process's mm: one told through invalidate_range_start/end,
 * as KVM is, one through arch_invalidate_secondary_tlbs, as an IOMMU
 * sharing the page tables is.  Each case mirrors the translation of one
 * domain page, changes the domain (discard, range migration, table move,
 * destroy, munmap), and asserts that an invalidation covering the page
 * came while the page (or table) was still the domain's, and that it is
 * gone now (so the order was what mattered).
 *
 * Variants "all_*" run with the default secondary_tlbs=all (every mm is
 * flushed through the kernel, which calls arch_invalidate_secondary_tlbs);
 * variant "pasid_pmd" sets secondary_tlbs=pasid (only mms bound to an
 * IOMMU PASID, which a VM without one never has): there the range
 * callbacks are asserted, and the absence of the kernel's flush.
 *
 * Before 6.6 the secondary-TLB hook was ->invalidate_range, which the
 * kernel calls at the end of every zap (kmod/compat.h): there every
 * variant sees it, told by the zap itself, and the parameter changes
 * nothing (zap_tells_secondary_tlbs()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mshare.h"
#include "mshare_nl.h"
#include "mshare_util.h"
#include "kmod/mshare_mmu_test.h"

#define SECONDARY_PARAM	"/sys/module/mshare/parameters/secondary_tlbs"
#define OFF		(1 * MiB + 5 * PAGE)	/* the page mirrored */

#define PAGE_BIT	(1u << MSHARE_MMU_OBJ_PAGE)
#define PTE_BIT		(1u << MSHARE_MMU_OBJ_PTE_TABLE)
#define PMD_BIT		(1u << MSHARE_MMU_OBJ_PMD_TABLE)

/* Load the test module from next to this binary (once). */
static int load_mmu_test(void)
{
	char path[4096];
	ssize_t n;
	char *slash;
	int fd, ret;

	if (!access(MSHARE_MMU_TEST_DEV, F_OK))
		return 0;
	n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	if (n < 0)
		return -1;
	path[n] = 0;
	slash = strrchr(path, '/');
	strcpy(slash ? slash + 1 : path, "mshare_mmu_test.ko");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(__NR_finit_module, fd, "", 0);
	close(fd);
	return ret && errno != EEXIST ? -1 : 0;
}

static int numa_nodes(void)
{
	int n = 0;
	char p[64];

	while (snprintf(p, sizeof(p), "/sys/devices/system/node/node%d", n),
	       !access(p, F_OK))
		n++;
	return n;
}

FIXTURE(smmu)
{
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	int fd, mt;
	char *p;
	uint64_t size;
};

FIXTURE_VARIANT(smmu)
{
	const char *secondary;	/* secondary_tlbs */
	uint64_t size;		/* 4 MiB: PMD links; 1 GiB: PUD links */
};

FIXTURE_VARIANT_ADD(smmu, all_pmd) { .secondary = "all", .size = 4 * MiB };
FIXTURE_VARIANT_ADD(smmu, all_pud) { .secondary = "all", .size = 1 * GiB };
FIXTURE_VARIANT_ADD(smmu, pasid_pmd) { .secondary = "pasid", .size = 4 * MiB };

FIXTURE_SETUP(smmu)
{
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;
	size_t sz;
	void *p;

	ASSERT_EQ(0, load_mmu_test());
	ASSERT_EQ(0, write_str(SECONDARY_PARAM, variant->secondary));
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "smmu-%d", getpid());
	self->size = variant->size;
	/* Pages on node 0, so that migrating to node 1 moves them. */
	opts.numa.policy = MSHARE_NUMA_BIND;
	opts.numa.nodes[0] = 0;
	opts.numa.nr_nodes = 1;
	ASSERT_EQ(0, mshare_domain_create(self->nl, self->name, self->size,
					  &opts, NULL)) TH_LOG("%s", mshare_nl_extack(self->nl));
	ASSERT_EQ(0, attach_dom(self->name, 0, &p, &sz));
	self->p = p;
	self->fd = -1;
	memset(self->p + OFF, 0x5a, PAGE);
	self->mt = open(MSHARE_MMU_TEST_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->mt);
}

FIXTURE_TEARDOWN(smmu)
{
	if (self->p)
		munmap(self->p, self->size);
	close(self->mt);
	mshare_domain_destroy(self->nl, self->name);
	mshare_nl_close(self->nl);
	write_str(SECONDARY_PARAM, "all");
}

/* Whether every zap tells secondary TLBs (6.1: ->invalidate_range). */
static int zap_tells_secondary_tlbs(void)
{
	return !kernel_at_least(6, 6);
}

/* Whether this variant's mm gets secondary-TLB callbacks. */
static int secondary_told(const FIXTURE_VARIANT(smmu) *variant)
{
	return zap_tells_secondary_tlbs() || !strcmp(variant->secondary, "all");
}

/* Mirror the translation of the page at OFF: the objects found. */
static uint32_t track(struct __test_metadata *_metadata, int mt, char *p)
{
	struct mshare_mmu_track tr = { .va = (uintptr_t)(p + OFF) };

	/* The translation exists: the page is linked and present. */
	EXPECT_EQ(0x5a, *(volatile char *)(p + OFF));
	EXPECT_EQ(0, ioctl(mt, MSHARE_MMU_TEST_TRACK, &tr));
	return tr.objs;
}

static void result(struct __test_metadata *_metadata, int mt,
		   struct mshare_mmu_result *r)
{
	ASSERT_EQ(0, ioctl(mt, MSHARE_MMU_TEST_RESULT, r));
	TH_LOG("covering start/end/secondary %llu/%llu/%llu of %llu/%llu/%llu; alive at first %#x/%#x/%#x, now %#x",
	       (unsigned long long)r->count[0], (unsigned long long)r->count[1],
	       (unsigned long long)r->count[2], (unsigned long long)r->total[0],
	       (unsigned long long)r->total[1], (unsigned long long)r->total[2],
	       r->alive_at_first[0], r->alive_at_first[1], r->alive_at_first[2],
	       r->alive_now);
}

/*
 * Object(s) @objs were freed by the operation, and each kind of secondary
 * MMU was told while they were alive.
 */
static void told_before_free(struct __test_metadata *_metadata,
			     const FIXTURE_VARIANT(smmu) *variant,
			     struct mshare_mmu_result *r, uint32_t objs)
{
	EXPECT_EQ(objs, r->objs & objs);
	EXPECT_LE(1, r->count[MSHARE_MMU_EV_START]);
	EXPECT_EQ(objs, r->alive_at_first[MSHARE_MMU_EV_START] & objs);
	EXPECT_LE(1, r->count[MSHARE_MMU_EV_END]);
	if (secondary_told(variant)) {
		EXPECT_LE(1, r->count[MSHARE_MMU_EV_SECONDARY]);
		EXPECT_EQ(objs, r->alive_at_first[MSHARE_MMU_EV_SECONDARY] & objs);
	} else {
		/* No PASID: the shootdown stays the module's one round. */
		EXPECT_EQ(0, r->total[MSHARE_MMU_EV_SECONDARY]);
	}
	EXPECT_EQ(0, r->alive_now & objs);
}

TEST_F(smmu, discard_tells_secondary_mmus_before_the_page_is_freed)
{
	struct mshare_discard d = { .offset = OFF, .length = PAGE };
	struct mshare_mmu_result r;
	int fd;

	ASSERT_EQ(PAGE_BIT, track(_metadata, self->mt, self->p) & PAGE_BIT);
	fd = open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, attach_fd(fd, self->name));
	ASSERT_EQ(0, ioctl(fd, MSHARE_IOC_DISCARD, &d));
	close(fd);
	result(_metadata, self->mt, &r);
	told_before_free(_metadata, variant, &r, PAGE_BIT);
	EXPECT_EQ(0, self->p[OFF]);
}

TEST_F(smmu, range_migration_tells_secondary_mmus_before_the_page_is_freed)
{
	struct mshare_migrate_result m = MSHARE_INIT(m);
	struct mshare_mmu_result r;
	int ret;

	if (numa_nodes() < 2)
		SKIP(return, "needs two NUMA nodes");
	ASSERT_EQ(PAGE_BIT, track(_metadata, self->mt, self->p) & PAGE_BIT);
	ret = mshare_domain_migrate(self->nl, self->name, 1, 0, 2 * MiB, &m);
	ASSERT_EQ(0, ret) TH_LOG("%s", mshare_nl_extack(self->nl));
	EXPECT_LE(1, m.done);
	result(_metadata, self->mt, &r);
	told_before_free(_metadata, variant, &r, PAGE_BIT);
	EXPECT_EQ(0x5a, self->p[OFF]);
}

TEST_F(smmu, table_move_tells_secondary_mmus_before_the_table_is_freed)
{
	struct mshare_migrate_result m = MSHARE_INIT(m);
	struct mshare_mmu_result r;
	uint32_t objs, table;
	int ret;

	if (numa_nodes() < 2)
		SKIP(return, "needs two NUMA nodes");
	objs = track(_metadata, self->mt, self->p);
	/*
	 * The domain's own table on the walk: its PMD table under a PUD link
	 * (a whole GiB, where the kernel runs huge faults), else its PTE
	 * table under the process's own PMD table (6.1, PREEMPT_RT, THP
	 * "never": pud_links_possible()).
	 */
	table = self->size >= GiB && pud_links_possible() ? PMD_BIT : PTE_BIT;
	ASSERT_EQ(table | PAGE_BIT, objs & (table | PAGE_BIT));
	ret = mshare_domain_migrate(self->nl, self->name, 1, 0, 0, &m);
	ASSERT_EQ(0, ret) TH_LOG("%s", mshare_nl_extack(self->nl));
	result(_metadata, self->mt, &r);
	told_before_free(_metadata, variant, &r, table | PAGE_BIT);
	EXPECT_EQ(0x5a, self->p[OFF]);
}

TEST_F(smmu, destroy_tells_secondary_mmus_of_the_unlink)
{
	struct mshare_mmu_result r;

	ASSERT_EQ(PAGE_BIT, track(_metadata, self->mt, self->p) & PAGE_BIT);
	ASSERT_EQ(0, mshare_domain_destroy(self->nl, self->name));
	result(_metadata, self->mt, &r);
	EXPECT_LE(1, r.count[MSHARE_MMU_EV_START]);
	EXPECT_LE(1, r.count[MSHARE_MMU_EV_END]);
	if (secondary_told(variant))
		EXPECT_LE(1, r.count[MSHARE_MMU_EV_SECONDARY]);
	/* Still mapped: nothing is freed, the data stays. */
	EXPECT_EQ(PAGE_BIT, r.alive_now & PAGE_BIT);
	EXPECT_EQ(0x5a, self->p[OFF]);
}

TEST_F(smmu, munmap_tells_secondary_tlbs_after_the_unlink)
{
	struct mshare_mmu_result r;

	ASSERT_EQ(PAGE_BIT, track(_metadata, self->mt, self->p) & PAGE_BIT);
	ASSERT_EQ(0, munmap(self->p, self->size));
	self->p = NULL;
	result(_metadata, self->mt, &r);
	EXPECT_LE(1, r.count[MSHARE_MMU_EV_START]);
	if (secondary_told(variant))
		EXPECT_LE(1, r.count[MSHARE_MMU_EV_SECONDARY]);
}

TEST_HARNESS_MAIN
