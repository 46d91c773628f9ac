/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that knows how kernels differ.  The rest of mshare reads
 * like mainline code for the kernel it builds against.
 */
#ifndef MSHARE_COMPAT_H
#define MSHARE_COMPAT_H

#include <linux/iommu.h>
#include <linux/ipc_namespace.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

/*
 * Split page-table locks.  With ALLOC_SPLIT_PTLOCKS (lockdep, spinlock
 * debugging, PREEMPT_RT) the kernel allocates each table's lock with
 * ptlock_alloc(), which is not exported: the module owns the lock of its
 * tables there.  Otherwise the lock is embedded in the ptdesc.
 */
#if ALLOC_SPLIT_PTLOCKS
static inline bool mshare_ptlock_init(struct ptdesc *ptdesc)
{
	spinlock_t *ptl = kmalloc(sizeof(*ptl), GFP_KERNEL);

	if (!ptl)
		return false;
	spin_lock_init(ptl);
	ptdesc->ptl = ptl;
	return true;
}

static inline void mshare_ptlock_free(struct ptdesc *ptdesc)
{
	kfree(ptdesc->ptl);
	ptdesc->ptl = NULL;
}
#else
static inline bool mshare_ptlock_init(struct ptdesc *ptdesc)
{
	spin_lock_init(&ptdesc->ptl);
	return true;
}

static inline void mshare_ptlock_free(struct ptdesc *ptdesc)
{
}
#endif

/* References to @ns (all of them ours means: no process can reach it). */
static inline unsigned int mshare_ipc_ns_refs(struct ipc_namespace *ns)
{
	return refcount_read(&ns->ns.count);
}

/*
 * Whether an IOMMU may share @mm's page tables (SVA): every in-tree user
 * of mmu_notifier_ops.arch_invalidate_secondary_tlbs binds through
 * iommu_sva_bind_device(), which gives the mm a PASID first.
 */
static inline bool mshare_mm_iommu_sva(struct mm_struct *mm)
{
#ifdef CONFIG_IOMMU_SVA
	return mm_valid_pasid(mm);
#else
	return false;
#endif
}

#endif /* MSHARE_COMPAT_H */
