// SPDX-License-Identifier: GPL-2.0
/*
 * Invalidation batches: telling every mm that maps a range of a domain,
 * and every secondary MMU of those mms, that the range changed, before
 * anything is freed or moved.
 *
 * A domain change (a discard, a migration batch, a table move, destroy's
 * unlink of every attacher) first changes the domain's tables, then runs
 * the kernel's own invalidation over every mapping of the range:
 * unmap_mapping_pages() on the domain's address space zaps the range in
 * each VMA of each mm that maps it (the domain's i_mmap tree), and each
 * zap runs that mm's mmu notifier chain: invalidate_range_start/end for
 * KVM, HMM mirrors and the like, and our own interval notifier
 * (attach.c).  The kernel offers modules no other way into the chain
 * (__mmu_notifier_invalidate_range_start() is not exported).
 *
 * Our notifier recognises the zaps of a batch by the task that runs it
 * (current): instead of flushing each mm on its own, it adds the mm to
 * the batch's shootdown (tlb.c), and one IPI round after the zaps flushes
 * every mm of the batch.  A batch is one of two kinds:
 *
 *  - leaf batch (discard, migration): the leaf entries of the range are
 *    already clear and cannot be refilled until the batch ends (the
 *    domain's busy range, pgtable.c), so the kernel's walk through a link
 *    finds nothing to zap: links stay, and the round flushes only the
 *    changed addresses (or everything, past MSHARE_FLUSH_CEILING);
 *  - link batch (table move, destroy): every link into the range is
 *    cleared, so the kernel's walk never enters a domain table, and the
 *    round flushes everything.
 *
 * Secondary TLBs.  An IOMMU that shares a process's page tables (SVA) is
 * told only through mmu_notifier_arch_invalidate_secondary_tlbs(), which
 * the kernel calls from flush_tlb_mm_range() alone; modules cannot call
 * either.  For an mm that may have such a subscriber, our notifier raises
 * mm->tlb_flush_pending when it changes what the mm
 * sees (it has changed entries whose flush is pending, which is what the
 * count means): the mmu_gather of the zap running it then finds the flush
 * "nested" (mm_tlb_flush_nested()) and flushes the whole mm through
 * flush_tlb_mm_range(), secondary TLBs included.  The count is dropped
 * later, once no gather of the mm is running (mshare_mm_settle()).
 *
 * Which mms: by default every one (secondary_tlbs=all), since any driver
 * may register that callback; each batch then also costs one kernel flush
 * per attached mm.  With secondary_tlbs=pasid only mms bound to an IOMMU
 * PASID get it (every in-tree user of the callback is an SVA bind, which
 * gives the mm its PASID first), and the other mms keep the module's one
 * round alone.
 *
 * Locking: mshare_inval_lock (spinlock) protects the list of running
 * batches; a batch's shootdown is touched only by its own task (the zaps
 * run in that task).  unmap_mapping_pages() takes the read side of the
 * domain mapping's i_mmap_rwsem; see the lock order in internal.h.
 */
#include <linux/mm.h>
#include <linux/mm_inline.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "internal.h"

static DEFINE_SPINLOCK(mshare_inval_lock);
static LIST_HEAD(mshare_invals);

static bool mshare_secondary_tlbs_all = true;

static int mshare_secondary_tlbs_set(const char *val,
				     const struct kernel_param *kp)
{
	if (sysfs_streq(val, "pasid"))
		WRITE_ONCE(mshare_secondary_tlbs_all, false);
	else if (sysfs_streq(val, "all"))
		WRITE_ONCE(mshare_secondary_tlbs_all, true);
	else
		return -EINVAL;
	return 0;
}

static int mshare_secondary_tlbs_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  READ_ONCE(mshare_secondary_tlbs_all) ? "all" : "pasid");
}

static const struct kernel_param_ops mshare_secondary_tlbs_ops = {
	.set	= mshare_secondary_tlbs_set,
	.get	= mshare_secondary_tlbs_get,
};
module_param_cb(secondary_tlbs, &mshare_secondary_tlbs_ops, NULL, 0644);
MODULE_PARM_DESC(secondary_tlbs,
		 "Which attached mms get the kernel's flush that tells secondary TLBs: all (default) or pasid (only those bound to an IOMMU PASID)");

/*
 * Whether a change that @mm sees must be pushed to its secondary TLBs
 * through the kernel's flush (not on kernels whose zaps tell them
 * themselves: compat.h).
 */
bool mshare_mm_secondary_tlbs(struct mm_struct *mm)
{
	return MSHARE_SECONDARY_TLBS_BY_GATHER &&
	       (READ_ONCE(mshare_secondary_tlbs_all) || mshare_mm_iommu_sva(mm));
}

/* The batch that current runs, or NULL. */
struct mshare_inval *mshare_inval_current(void)
{
	struct mshare_inval *inv, *found = NULL;

	/* current's own batch, if any, was added by current itself. */
	if (list_empty_careful(&mshare_invals))
		return NULL;
	spin_lock(&mshare_inval_lock);
	list_for_each_entry(inv, &mshare_invals, node) {
		if (inv->task == current) {
			found = inv;
			break;
		}
	}
	spin_unlock(&mshare_inval_lock);
	return found;
}

/*
 * @inv's shootdown entry for @mm (referenced until the round), or NULL if
 * the batch has no room: the caller then flushes @mm itself.
 */
struct mshare_flush_mm *mshare_inval_add_mm(struct mshare_inval *inv,
					    struct mm_struct *mm)
{
	unsigned int nr = inv->flush.nr_mms;
	struct mshare_flush_mm *e = mshare_flush_add_mm(&inv->flush, mm);

	if (e && inv->flush.nr_mms != nr)
		mmgrab(mm);
	return e;
}

/*
 * Run the kernel's invalidation of domain pages [@first, @last) of @dom in
 * every mm that maps them, then one shootdown round for the mms our
 * notifier found linked to it.  @flags: MSHARE_INVAL_UNLINK for a link
 * batch, else a leaf batch whose changed pages are @pgoffs (@nr of them;
 * NULL: flush everything) and whose leaves stay clear meanwhile;
 * MSHARE_INVAL_NOFLUSH (test builds: debug_skip_flush) skips the round.
 * @pages counts the changed pages for the domain's statistics.
 */
void mshare_invalidate(struct mshare_domain *dom, pgoff_t first,
		       pgoff_t last, unsigned int flags, const pgoff_t *pgoffs,
		       unsigned int nr, unsigned long pages)
{
	bool unlink = flags & MSHARE_INVAL_UNLINK;
	struct mshare_inval inv = {
		.task = current, .dom = dom, .unlink = unlink,
		.first = first, .last = last,
		.pgoffs = nr <= MSHARE_FLUSH_CEILING ? pgoffs : NULL, .nr = nr,
	};
	bool batched;
	unsigned int i;

	/* Room for the mms mapping it now, and some that may come. */
	batched = !mshare_flush_init(&inv.flush, dom,
				     atomic_read(&dom->nr_mms) + 16,
				     unlink || !inv.pgoffs);
	if (batched) {
		inv.flush.pages = pages;
		spin_lock(&mshare_inval_lock);
		list_add(&inv.node, &mshare_invals);
		spin_unlock(&mshare_inval_lock);
	}

	/*
	 * Without a batch our notifier sees an ordinary invalidation: it
	 * unlinks and flushes each mm itself, which is also correct.
	 */
	unmap_mapping_pages(dom->inode->i_mapping, first, last - first, false);

	if (!batched)
		return;
	spin_lock(&mshare_inval_lock);
	list_del(&inv.node);
	spin_unlock(&mshare_inval_lock);

	if (!(flags & MSHARE_INVAL_NOFLUSH))
		mshare_flush_run(&inv.flush);
	for (i = 0; i < inv.flush.nr_mms; i++)
		mmdrop(inv.flush.mms[i].mm);
	mshare_flush_destroy(&inv.flush);
}
