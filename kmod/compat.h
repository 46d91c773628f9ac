/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that knows how kernels differ.  The rest of mshare reads
 * like mainline code for the kernel it builds against.
 */
#ifndef MSHARE_COMPAT_H
#define MSHARE_COMPAT_H

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

#endif /* MSHARE_COMPAT_H */
