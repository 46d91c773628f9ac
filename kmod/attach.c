// SPDX-License-Identifier: GPL-2.0
/*
 * Per-mm attachments: linking a process's page table to domain tables,
 * and unlinking before the kernel can zap or free anything through a link.
 *
 * Each mm that maps a domain has one struct mshare_mm, shared by all its
 * mshare VMAs, with one mmu_interval_notifier covering the whole address
 * space (the first one per mm registers the mm's notifier subscriptions,
 * later inserts are cheap).  munmap, mremap, madvise, exit (as
 * MMU_NOTIFY_RELEASE) and every other path that zaps or frees page tables
 * invalidate first: mshare_mm_invalidate() clears every link the mm holds
 * in the range (a PUD link is cleared whole as soon as the range touches
 * its GiB), flushes the mm's TLBs, and only then returns.  The kernel then
 * finds empty entries and frees only its own tables.
 *
 * A fault that links follows the interval-notifier protocol: it samples
 * the sequence with mmu_interval_read_begin() (which waits for a running
 * invalidation to end), and links only if mmu_interval_read_retry() says
 * no invalidation started since, checked under mshare_mm->lock, the lock
 * mshare_mm_invalidate() holds while it sets the sequence and unlinks.
 * Otherwise it returns VM_FAULT_NOPAGE and the access faults again.
 *
 * Links are recorded in mshare_mm->links, indexed by address >> PMD_SHIFT,
 * the entry being the domain table tagged with the link level.  Each table
 * counts its links (struct mshare_table.links).  A link never outlives the
 * VMAs of its domain in the mm, because every unmap invalidates first, so
 * a table's domain is alive while the entry exists.
 *
 * Locking: see the lock order in internal.h.  mshare_mms_lock protects the
 * hash of mshare_mm structures and their user counts; it is taken under
 * the mmap lock (->mmap, vm_ops->open/close).
 */
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <asm/pgalloc.h>

#include "internal.h"

static DEFINE_HASHTABLE(mshare_mms, 8);
static DEFINE_MUTEX(mshare_mms_lock);

static void mshare_unlink_one(struct mm_struct *mm, unsigned long addr,
			      enum mshare_link_level level,
			      struct mshare_table *table)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d = p4d_offset(pgd, addr);
	pud_t *pud = pud_offset(p4d, addr);
	spinlock_t *ptl;

	if (level == MSHARE_LINK_PUD) {
		ptl = pud_lock(mm, pud);
		if (!WARN_ON_ONCE(!pud_present(*pud) ||
				  pud_pgtable(*pud) != page_address(table->page)))
			pud_clear(pud);
		spin_unlock(ptl);
	} else {
		pmd_t *pmd = pmd_offset(pud, addr);

		ptl = pmd_lock(mm, pmd);
		if (!WARN_ON_ONCE(!pmd_present(*pmd) ||
				  pmd_page(*pmd) != table->page))
			pmd_clear(pmd);
		spin_unlock(ptl);
	}
	atomic_dec(&table->links);
}

static bool mshare_mm_invalidate(struct mmu_interval_notifier *sub,
				 const struct mmu_notifier_range *range,
				 unsigned long cur_seq)
{
	struct mshare_mm *mmm = container_of(sub, struct mshare_mm, notifier);
	unsigned long first = round_down(range->start, PUD_SIZE) >> PMD_SHIFT;
	unsigned long last = (range->end - 1) >> PMD_SHIFT;
	unsigned long idx, unlinked = 0;
	void *entry;

	spin_lock(&mmm->lock);
	mmu_interval_set_seq(sub, cur_seq);
	xa_for_each_range(&mmm->links, idx, entry, first, last) {
		enum mshare_link_level level = xa_pointer_tag(entry);
		unsigned long addr = idx << PMD_SHIFT;
		unsigned long span = level == MSHARE_LINK_PUD ? PUD_SIZE : PMD_SIZE;

		if (addr + span <= range->start)
			continue;
		mshare_unlink_one(mmm->mm, addr, level, xa_untag_pointer(entry));
		xa_erase(&mmm->links, idx);
		unlinked++;
	}
	if (unlinked)
		mshare_flush_mm(mmm->mm);
	spin_unlock(&mmm->lock);
	return true;
}

static const struct mmu_interval_notifier_ops mshare_mm_ops = {
	.invalidate = mshare_mm_invalidate,
};

/*
 * The mshare_mm of @mm with one more user, created (and its notifier
 * registered) if needed.  Caller holds the mmap lock of @mm for writing.
 * Returns NULL when that fails.
 */
struct mshare_mm *mshare_mm_get(struct mm_struct *mm)
{
	struct mshare_mm *mmm;

	mmap_assert_write_locked(mm);
	mutex_lock(&mshare_mms_lock);
	hash_for_each_possible(mshare_mms, mmm, hnode, (unsigned long)mm)
		if (mmm->mm == mm)
			goto found;

	mmm = kzalloc(sizeof(*mmm), GFP_KERNEL);
	if (!mmm)
		goto out;
	mmm->mm = mm;
	spin_lock_init(&mmm->lock);
	xa_init(&mmm->links);
	if (mmu_interval_notifier_insert_locked(&mmm->notifier, mm, 0,
						ULONG_MAX, &mshare_mm_ops)) {
		kfree(mmm);
		mmm = NULL;
		goto out;
	}
	hash_add(mshare_mms, &mmm->hnode, (unsigned long)mm);
found:
	mmm->users++;
out:
	mutex_unlock(&mshare_mms_lock);
	return mmm;
}

/* Drop a user; the last one (the mm's last mshare VMA) tears it down. */
void mshare_mm_put(struct mshare_mm *mmm)
{
	if (!mmm)
		return;
	mutex_lock(&mshare_mms_lock);
	if (--mmm->users) {
		mutex_unlock(&mshare_mms_lock);
		return;
	}
	hash_del(&mmm->hnode);
	mutex_unlock(&mshare_mms_lock);

	/* Waits for a running invalidation; no callback runs after it. */
	mmu_interval_notifier_remove(&mmm->notifier);
	WARN_ON_ONCE(!xa_empty(&mmm->links));
	xa_destroy(&mmm->links);
	kfree(mmm);
}

/*
 * Point the faulting process's entry (vmf->pud for a PUD link, vmf->pmd
 * for a PMD link) at @table, which maps the domain from the address
 * @start.  Returns VM_FAULT_NOPAGE, linked or not: the access is retried.
 */
vm_fault_t mshare_mm_link(struct mshare_mm *mmm, struct vm_fault *vmf,
			  enum mshare_link_level level, unsigned long start,
			  struct mshare_table *table)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	unsigned long idx = start >> PMD_SHIFT;
	unsigned long seq;
	bool linked = false;
	spinlock_t *ptl;

	if (xa_reserve(&mmm->links, idx, GFP_KERNEL))
		return VM_FAULT_OOM;
	seq = mmu_interval_read_begin(&mmm->notifier);

	spin_lock(&mmm->lock);
	if (mmu_interval_read_retry(&mmm->notifier, seq))
		goto out;
	if (level == MSHARE_LINK_PUD) {
		ptl = pud_lock(mm, vmf->pud);
		if (pud_none(*vmf->pud)) {
			pud_populate(mm, vmf->pud, page_address(table->page));
			linked = true;
		}
	} else {
		ptl = pmd_lock(mm, vmf->pmd);
		if (pmd_none(*vmf->pmd)) {
			pmd_populate(mm, vmf->pmd, table->page);
			linked = true;
		}
	}
	spin_unlock(ptl);
	if (linked) {
		/* The slot is reserved: this cannot allocate or fail. */
		xa_store(&mmm->links, idx, xa_tag_pointer(table, level),
			 GFP_NOWAIT);
		atomic_inc(&table->links);
	}
out:
	spin_unlock(&mmm->lock);
	if (!linked)
		xa_release(&mmm->links, idx);
	return VM_FAULT_NOPAGE;
}
