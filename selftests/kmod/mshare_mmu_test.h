/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ABI of mshare_mmu_test.ko, a test-only module (built and loaded only by
 * the test suite) that plays two secondary MMUs on the caller's mm: one
 * told through invalidate_range_start/end (as KVM is), one through
 * arch_invalidate_secondary_tlbs (as an IOMMU sharing the page tables is).
 *
 * MSHARE_MMU_TEST_TRACK registers both on the caller's mm (once per open
 * descriptor) and starts "mirroring" the caller's translation of @va: it
 * records the data page @va maps and the page-table pages the walk to it
 * passes through (the PMD table a PUD entry points at, the PTE table a PMD
 * entry points at), and forgets earlier records.  Every later callback
 * whose range covers @va is counted, and for the first one of each kind
 * the module notes whether each recorded object was still alive then: the
 * data page still the domain's page (same mapping and index, referenced),
 * a table still a page-table page.  MSHARE_MMU_TEST_RESULT reads that,
 * and whether each object is alive now.
 */
#ifndef MSHARE_MMU_TEST_H
#define MSHARE_MMU_TEST_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MSHARE_MMU_TEST_DEV	"/dev/mshare_mmu_test"

enum {
	MSHARE_MMU_OBJ_PAGE,		/* the data page */
	MSHARE_MMU_OBJ_PTE_TABLE,	/* the PTE table mapping it */
	MSHARE_MMU_OBJ_PMD_TABLE,	/* the PMD table above that */
	MSHARE_MMU_NR_OBJS,
};

enum {
	MSHARE_MMU_EV_START,		/* invalidate_range_start */
	MSHARE_MMU_EV_END,		/* invalidate_range_end */
	MSHARE_MMU_EV_SECONDARY,	/* arch_invalidate_secondary_tlbs */
	MSHARE_MMU_NR_EVS,
};

struct mshare_mmu_track {
	__u64 va;
	/* out: which objects were found (bit per MSHARE_MMU_OBJ_*) */
	__u32 objs;
	__u32 pad;
};

struct mshare_mmu_result {
	__u64 count[MSHARE_MMU_NR_EVS];	/* callbacks covering va */
	__u64 total[MSHARE_MMU_NR_EVS];	/* callbacks of any range */
	/* bit per object: alive at the first covering callback of each kind */
	__u32 alive_at_first[MSHARE_MMU_NR_EVS];
	__u32 objs;			/* objects tracked */
	__u32 alive_now;		/* bit per object */
};

#define MSHARE_MMU_TEST_TRACK	_IOWR('m', 0x40, struct mshare_mmu_track)
#define MSHARE_MMU_TEST_RESULT	_IOR('m', 0x41, struct mshare_mmu_result)

#endif /* MSHARE_MMU_TEST_H */
