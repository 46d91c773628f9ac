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
 * Each mshare_mm also counts, per domain, the VMAs of the mm that map it,
 * so that a domain knows how many mappings and distinct processes it has.
 *
 * Locking: see the lock order in internal.h.  mshare_mms_lock protects the
 * hash of mshare_mm structures, their user counts and their per-domain
 * counts; it is taken under the mmap lock (->mmap, vm_ops->open/close).
 */
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <asm/pgalloc.h>

#include "internal.h"

static DEFINE_HASHTABLE(mshare_mms, 8);
static DEFINE_MUTEX(mshare_mms_lock);

/* How many VMAs of one mm map one domain; on both their lists. */
struct mshare_mm_dom {
	struct list_head node;		/* mshare_mm->doms */
	struct list_head dom_node;	/* mshare_domain->mms */
	struct mshare_domain *dom;
	struct mshare_mm *mmm;
	unsigned int nr;
};

static struct mshare_mm_dom *mshare_mm_dom_find(struct mshare_mm *mmm,
						struct mshare_domain *dom)
{
	struct mshare_mm_dom *md;

	list_for_each_entry(md, &mmm->doms, node)
		if (md->dom == dom)
			return md;
	return NULL;
}

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
 * The mshare_mm of @mm with one more user, a VMA mapping @dom, created
 * (and its notifier registered) if needed.  Caller holds the mmap lock of
 * @mm for writing.  Returns NULL when that fails.
 */
struct mshare_mm *mshare_mm_get(struct mm_struct *mm,
				struct mshare_domain *dom)
{
	struct mshare_mm *mmm;
	struct mshare_mm_dom *md;
	bool created = false;

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
	INIT_LIST_HEAD(&mmm->doms);
	created = true;
found:
	md = mshare_mm_dom_find(mmm, dom);
	if (!md) {
		md = kzalloc(sizeof(*md), GFP_KERNEL);
		if (!md)
			goto fail;
		md->dom = dom;
		md->mmm = mmm;
		list_add(&md->node, &mmm->doms);
		list_add(&md->dom_node, &dom->mms);
		atomic_inc(&dom->nr_mms);
	}
	if (created) {
		if (mmu_interval_notifier_insert_locked(&mmm->notifier, mm, 0,
							ULONG_MAX,
							&mshare_mm_ops)) {
			list_del(&md->node);
			list_del(&md->dom_node);
			kfree(md);
			atomic_dec(&dom->nr_mms);
			goto fail;
		}
		hash_add(mshare_mms, &mmm->hnode, (unsigned long)mm);
	}
	md->nr++;
	mmm->users++;
	atomic_inc(&dom->nr_vmas);
out:
	mutex_unlock(&mshare_mms_lock);
	return mmm;
fail:
	if (created)
		kfree(mmm);
	mmm = NULL;
	goto out;
}

/* Drop a user; the last one (the mm's last mshare VMA) tears it down. */
void mshare_mm_put(struct mshare_mm *mmm, struct mshare_domain *dom)
{
	struct mshare_mm_dom *md;

	if (!mmm)
		return;
	mutex_lock(&mshare_mms_lock);
	atomic_dec(&dom->nr_vmas);
	md = mshare_mm_dom_find(mmm, dom);
	if (!WARN_ON_ONCE(!md) && !--md->nr) {
		list_del(&md->node);
		list_del(&md->dom_node);
		kfree(md);
		atomic_dec(&dom->nr_mms);
	}
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

void mshare_lock_mms(void)
{
	mutex_lock(&mshare_mms_lock);
}

void mshare_unlock_mms(void)
{
	mutex_unlock(&mshare_mms_lock);
}

/*
 * If @table (linked at @level) is one of @dom's, the range of domain pages
 * it maps: [*base, *base + *span).
 */
static bool mshare_table_span(struct mshare_domain *dom,
			      struct mshare_table *table,
			      enum mshare_link_level level,
			      pgoff_t *base, pgoff_t *span)
{
	if (level == MSHARE_LINK_PUD) {
		if (table < dom->pmd_tables ||
		    table >= dom->pmd_tables + dom->nr_pmd_tables)
			return false;
		*span = PTRS_PER_PMD * PTRS_PER_PTE;
		*base = (table - dom->pmd_tables) * *span;
	} else {
		if (table < dom->pte_tables ||
		    table >= dom->pte_tables + dom->nr_pte_tables)
			return false;
		*span = PTRS_PER_PTE;
		*base = (table - dom->pte_tables) * *span;
	}
	return true;
}

/*
 * Add to @f every mm that links to a table of @dom covering domain pages
 * [@first, @last), with the addresses of the @nr pages @pgoffs in it (NULL:
 * the batch flushes everything).  Caller holds mshare_mms_lock, so the set
 * of mms mapping @dom cannot change; each mm's lock keeps its links still.
 */
void mshare_dom_flush_targets(struct mshare_domain *dom,
			      struct mshare_flush *f, pgoff_t first,
			      pgoff_t last, const pgoff_t *pgoffs,
			      unsigned int nr)
{
	struct mshare_mm_dom *md;

	lockdep_assert_held(&mshare_mms_lock);
	list_for_each_entry(md, &dom->mms, dom_node) {
		struct mshare_mm *mmm = md->mmm;
		unsigned long idx;
		void *entry;

		spin_lock(&mmm->lock);
		xa_for_each(&mmm->links, idx, entry) {
			struct mshare_flush_mm *e;
			pgoff_t base, span;
			unsigned int i;

			if (!mshare_table_span(dom, xa_untag_pointer(entry),
					       xa_pointer_tag(entry), &base, &span))
				continue;
			if (base + span <= first || base >= last)
				continue;
			e = mshare_flush_add_mm(f, mmm->mm);
			if (!e) {
				f->full = true;
				break;
			}
			for (i = 0; pgoffs && i < nr; i++)
				if (pgoffs[i] >= base && pgoffs[i] < base + span)
					mshare_flush_add_addr(f, e,
						(idx << PMD_SHIFT) +
						((pgoffs[i] - base) << PAGE_SHIFT));
		}
		spin_unlock(&mmm->lock);
	}
}

/*
 * Clear every link of every mm to @dom's tables, then one shootdown round
 * for all of them (a round per mm if the batch cannot be allocated).  The
 * processes keep their mappings and link again on their next touch.
 */
void mshare_dom_unlink_all(struct mshare_domain *dom)
{
	mutex_lock(&mshare_mms_lock);
	mshare_dom_unlink_all_locked(dom);
	mutex_unlock(&mshare_mms_lock);
}

/* The same, for a caller that holds mshare_mms_lock. */
void mshare_dom_unlink_all_locked(struct mshare_domain *dom)
{
	struct mshare_mm_dom *md;
	struct mshare_flush f;
	bool batched;

	lockdep_assert_held(&mshare_mms_lock);
	batched = !mshare_flush_init(&f, dom, atomic_read(&dom->nr_mms), true);
	list_for_each_entry(md, &dom->mms, dom_node) {
		struct mshare_mm *mmm = md->mmm;
		unsigned int unlinked = 0;
		unsigned long idx;
		void *entry;

		spin_lock(&mmm->lock);
		xa_for_each(&mmm->links, idx, entry) {
			struct mshare_table *table = xa_untag_pointer(entry);
			enum mshare_link_level level = xa_pointer_tag(entry);
			pgoff_t base, span;

			if (!mshare_table_span(dom, table, level, &base, &span))
				continue;
			mshare_unlink_one(mmm->mm, idx << PMD_SHIFT, level, table);
			xa_erase(&mmm->links, idx);
			unlinked++;
		}
		if (unlinked && !batched)
			mshare_flush_mm(mmm->mm);
		spin_unlock(&mmm->lock);
		if (unlinked && batched)
			mshare_flush_add_mm(&f, mmm->mm);
	}
	if (batched) {
		mshare_flush_run(&f);
		mshare_flush_destroy(&f);
	}
}

/*
 * A snapshot of the mms mapping @dom, each with an mmgrab() reference,
 * taken under one hold of mshare_mms_lock; *@nr is their number.  NULL
 * (and *@nr 0) when none maps it or the array cannot be allocated with
 * @gfp.  Release with mshare_mms_put().
 */
struct mm_struct **mshare_dom_mms(struct mshare_domain *dom, unsigned int *nr,
				  gfp_t gfp)
{
	struct mm_struct **mms = NULL;
	struct mshare_mm_dom *md;
	unsigned int n = 0;

	mutex_lock(&mshare_mms_lock);
	list_for_each_entry(md, &dom->mms, dom_node)
		n++;
	if (n)
		mms = kvcalloc(n, sizeof(*mms), gfp);
	if (mms) {
		n = 0;
		list_for_each_entry(md, &dom->mms, dom_node) {
			mmgrab(md->mmm->mm);
			mms[n++] = md->mmm->mm;
		}
	} else {
		n = 0;
	}
	mutex_unlock(&mshare_mms_lock);
	*nr = n;
	return mms;
}

void mshare_mms_put(struct mm_struct **mms, unsigned int nr)
{
	while (nr--)
		mmdrop(mms[nr]);
	kvfree(mms);
}
