// SPDX-License-Identifier: GPL-2.0
/*
 * Per-mm attachments: linking a process's page table to domain tables,
 * and unlinking before the kernel can zap or free anything through a link.
 *
 * Each mm that maps a domain has one struct mshare_mm, shared by all its
 * mshare VMAs (vm_private_data), with one mmu_interval_notifier covering
 * the whole address space.  munmap, mremap, madvise, exit (as
 * MMU_NOTIFY_RELEASE) and every other path that zaps or frees page tables
 * invalidate first: mshare_mm_invalidate() clears every link the mm holds
 * in the range (a PUD link is cleared whole as soon as the range touches
 * its GiB) and flushes the mm's TLBs before it returns.  The kernel then
 * finds empty entries and frees only its own tables.  The domain's own
 * changes (invalidate.c) come through the same callback, recognised by
 * the task that runs them.
 *
 * Registration.  The first interval notifier of an mm registers the mm's
 * notifier subscriptions, which takes mm_take_all_locks(): every VMA lock
 * of the mm, and -EINTR on any pending signal.  ->mmap registers (with
 * only fatal signals able to interrupt it; otherwise the mmap restarts).
 * Fork does not: vm_ops->open runs in dup_mmap() while the child's VMA
 * tree still holds the parent's VMAs, whose locks a parent thread may hold
 * while it waits for a migration, and it cannot fail.  A child's VMAs get
 * an unregistered mshare_mm; the child's first fault on one registers it
 * (mshare_mm_register_fault(): drop the fault's lock, take the mmap lock
 * for writing, register, retry the fault).  Until then nothing links.
 *
 * A fault that links follows the interval-notifier protocol: it samples
 * the sequence with mmu_interval_read_begin() (which waits for a running
 * invalidation to end), and links only if mmu_interval_read_retry() says
 * no invalidation started since, checked under mshare_mm->lock, the lock
 * mshare_mm_invalidate() holds while it sets the sequence and unlinks.
 * Otherwise it returns VM_FAULT_NOPAGE and the access faults again.
 *
 * Links are recorded in mshare_mm->links, one struct mshare_link each
 * (the domain table, the link level, the link's RSS count), indexed by
 * the link's address counted down from the top of the user address space
 * in 2 MiB steps (mshare_link_idx()): mappings are placed top-down, so
 * the indexes stay small and the xarray shallow (two or three nodes for a
 * process's first link, not five).  A link is installed only together
 * with its entry: the entry is allocated and the slot reserved first (both
 * may allocate), under link_mutex, so that no other fault can release the
 * reservation before the store, which then cannot fail.  Each table counts
 * its links (struct mshare_table.links).  A link never outlives the VMAs
 * of its domain in the mm, because every unmap invalidates first, so a
 * table's domain is alive while the entry exists.
 *
 * Copies.  A process that links a domain of 2 MiB leaves at PMD level
 * copies each leaf into its own PMD entry (MSHARE_LINK_COPY, recorded and
 * counted like a PMD link, against the 2 MiB's entry of pte_tables): an
 * entry of the process's own table, set with set_pmd_at() and cleared
 * with pmdp_huge_get_and_clear(), so page_table_check counts it as any
 * leaf.  Unlike a link, it is a snapshot of the domain's entry, so a leaf
 * batch (discard, migration) clears every copy of its leaves, and moves
 * the sequence on so that no copy of a cleared leaf is installed after.
 * Its RSS count is the 512 pages it maps.
 *
 * RSS.  Domain pages count in each attacher's RssShmem (so VmRSS, the OOM
 * killer's view) as they do for hugetlb's shared PMD tables: a link adds
 * the pages its table maps at that moment, the process's own fills under
 * a link add one each, a discard lowers a link's count to what its table
 * still maps, and the unlink takes the link's count back.  A page another
 * process fills under a table this one already links is not added: the
 * count is never above the truth and exact again at the next link.  Each
 * link's count (mshare_link.rss) changes only together with the mm's
 * counter, under mshare_mm->lock.
 *
 * Each mshare_mm also counts, per domain, the VMAs of the mm that map it
 * (struct mshare_mm_dom, on both the mm's and the domain's list), so that
 * a domain knows how many mappings and distinct processes it has.
 *
 * Locking: see the lock order in internal.h.  mshare_mms_lock (spinlock)
 * protects only the hash of mshare_mm structures.  dom->mms_lock may be
 * held while taking an mm's lock (the holders' snapshot), never the other
 * way round.  An mm's mshare_mm is
 * created, registered and torn down, and its users and per-domain counts
 * change, only under that mm's mmap lock held for writing (or by a VMA
 * close, which excludes the same writers); dom->mms_lock guards the
 * domain's list.  No mshare lock is held while registering.
 */
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/mm_inline.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <asm/pgalloc.h>

#include "internal.h"
#include "trace.h"

static DEFINE_HASHTABLE(mshare_mms, 8);
static DEFINE_SPINLOCK(mshare_mms_lock);

/* One link of an mm: an entry of mshare_mm->links. */
struct mshare_link {
	struct mshare_table *table;	/* the domain table linked to */
	enum mshare_link_level level;
	long rss;			/* pages in the mm's RSS; mmm->lock */
};

/*
 * The links index of the link at @addr (2 MiB-aligned): 2 MiB steps down
 * from the top of the user address space, where mappings are placed
 * first, so that a process's links have small indexes.  Lower addresses
 * have higher indexes: a range of addresses is a range of indexes the
 * other way round (mshare_link_range()).
 */
static unsigned long mshare_link_idx(unsigned long addr)
{
	return ((TASK_SIZE_MAX - 1) >> PMD_SHIFT) - (addr >> PMD_SHIFT);
}

static unsigned long mshare_link_addr(unsigned long idx)
{
	return (((TASK_SIZE_MAX - 1) >> PMD_SHIFT) - idx) << PMD_SHIFT;
}

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
	} else if (level == MSHARE_LINK_COPY) {
		pmd_t *pmd = pmd_offset(pud, addr);

		/* Set with set_pmd_at(): cleared the checked way too. */
		ptl = pmd_lock(mm, pmd);
		if (!WARN_ON_ONCE(!pmd_present(*pmd) || !pmd_leaf(*pmd)))
			pmdp_huge_get_and_clear(mm, addr, pmd);
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

/*
 * If @table (linked at @level) is one of @dom's, the range of domain pages
 * it maps: [*base, *base + *span).
 */
static bool mshare_table_in(struct mshare_table *table,
			    struct mshare_table *array, unsigned int nr,
			    pgoff_t span, pgoff_t *base)
{
	if (!array || table < array || table >= array + nr)
		return false;
	*base = (table - array) * span;
	return true;
}

/*
 * The read-only tables (rdonly.c) span the same pages as their twins.
 * Their arrays change only with no link to them left, so reading the
 * pointers for a comparison is safe here.
 */
static bool mshare_table_span(struct mshare_domain *dom,
			      struct mshare_table *table,
			      enum mshare_link_level level,
			      pgoff_t *base, pgoff_t *span)
{
	if (level == MSHARE_LINK_PUD) {
		*span = PTRS_PER_PMD * PTRS_PER_PTE;
		return mshare_table_in(table, dom->pmd_tables,
				       dom->nr_pmd_tables, *span, base) ||
		       mshare_table_in(table, READ_ONCE(dom->ro_pmd_tables),
				       dom->nr_pmd_tables, *span, base);
	}
	*span = PTRS_PER_PTE;
	return mshare_table_in(table, dom->pte_tables, dom->nr_pte_tables,
			       *span, base) ||
	       mshare_table_in(table, READ_ONCE(dom->ro_pte_tables),
			       dom->nr_pte_tables, *span, base);
}

/* The read-write table of @dom at @level that maps from page @base. */
static struct mshare_table *mshare_rw_table(struct mshare_domain *dom,
					    enum mshare_link_level level,
					    pgoff_t base)
{
	if (level == MSHARE_LINK_PUD)
		return &dom->pmd_tables[base >> (PUD_SHIFT - PAGE_SHIFT)];
	return &dom->pte_tables[base >> (PMD_SHIFT - PAGE_SHIFT)];
}

/*
 * Set the RSS count of @mmm's @link to its count plus @add, but not
 * above what its table @rw maps now; the mm's counter follows.  Caller
 * holds mmm->lock; the link exists.
 */
static void mshare_link_rss_clamp(struct mshare_mm *mmm,
				  struct mshare_link *link,
				  struct mshare_table *rw, long add)
{
	long old = link->rss;
	long new = min_t(long, old + add, atomic_read(&rw->resident));

	new = max(new, 0L);
	if (new == old)
		return;
	link->rss = new;
	mshare_mm_rss_add(mmm->mm, new - old);
}

/*
 * The link indexes an invalidation of [@start, @end) may touch: @end may
 * be beyond the user address space (MMU_NOTIFY_RELEASE covers it all); an
 * empty range (*@first > *@last) if none.
 */
static void mshare_link_range(unsigned long start, unsigned long end,
			      unsigned long *first, unsigned long *last)
{
	if (start >= TASK_SIZE_MAX || end <= start) {
		*first = 1;
		*last = 0;
		return;
	}
	*first = mshare_link_idx(min(end - 1, TASK_SIZE_MAX - 1));
	*last = mshare_link_idx(round_down(start, PUD_SIZE));
}

static unsigned long mshare_link_span(enum mshare_link_level level)
{
	return level == MSHARE_LINK_PUD ? PUD_SIZE : PMD_SIZE;
}

/* Clear @mmm's @link at links index @idx.  Caller holds mmm->lock. */
static void mshare_mm_unlink(struct mshare_mm *mmm, struct mshare_inval *inv,
			     unsigned long idx, struct mshare_link *link)
{
	unsigned long addr = mshare_link_addr(idx);

	mshare_unlink_one(mmm->mm, addr, link->level, link->table);
	trace_mshare_unlink(inv ? inv->dom->id : 0, mmm->mm, addr,
			    mshare_trace_level(link->level),
			    atomic_read(&link->table->links));
	xa_erase(&mmm->links, idx);
	mshare_mm_rss_add(mmm->mm, -link->rss);
	kfree(link);
}

/*
 * Clear the links of @mmm in the range; flush the mm now, or leave that to
 * @inv's round.  Whether anything was unlinked.
 */
static bool mshare_mm_unlink_range(struct mshare_mm *mmm,
				   struct mshare_inval *inv,
				   const struct mmu_notifier_range *range,
				   unsigned long cur_seq)
{
	unsigned long first, last, idx, unlinked = 0;
	struct mshare_link *link;

	mshare_link_range(range->start, range->end, &first, &last);
	spin_lock(&mmm->lock);
	mmu_interval_set_seq(&mmm->notifier, cur_seq);
	xa_for_each_range(&mmm->links, idx, link, first, last) {
		unsigned long addr = mshare_link_addr(idx);

		if (addr + mshare_link_span(link->level) <= range->start)
			continue;
		mshare_mm_unlink(mmm, inv, idx, link);
		unlinked++;
	}
	spin_unlock(&mmm->lock);
	if (!unlinked)
		return false;
	/* Links changed: everything must go (paging-structure caches). */
	if (!inv || !mshare_inval_add_mm(inv, mmm->mm))
		mshare_flush_mm(mmm->mm);
	return true;
}

/*
 * A leaf batch's zap of @mmm: the links stay (the kernel's walk finds the
 * batch's leaves clear), but copies of the batch's 2 MiB leaves go (they
 * are the mm's own entries; the link fault copies again after the batch);
 * add the mm and the batch's changed addresses in it to @inv's round.
 * The sequence moves on, as for an unlink, so that a copy made from a
 * leaf the batch cleared is never installed (mshare_mm_link()).  Whether
 * the mm links to the batch's range.
 */
static bool mshare_mm_leaf_targets(struct mshare_mm *mmm,
				   struct mshare_inval *inv,
				   const struct mmu_notifier_range *range,
				   unsigned long cur_seq)
{
	unsigned long first, last, idx;
	bool found = false, no_room = false;
	struct mshare_link *link;

	mshare_link_range(range->start, range->end, &first, &last);
	spin_lock(&mmm->lock);
	mmu_interval_set_seq(&mmm->notifier, cur_seq);
	xa_for_each_range(&mmm->links, idx, link, first, last) {
		unsigned long addr = mshare_link_addr(idx);
		struct mshare_flush_mm *e;
		pgoff_t base, span;
		unsigned int i;
		bool copy;

		if (addr + mshare_link_span(link->level) <= range->start ||
		    !mshare_table_span(inv->dom, link->table, link->level,
				       &base, &span) ||
		    base + span <= inv->first || base >= inv->last)
			continue;
		copy = link->level == MSHARE_LINK_COPY;
		if (copy)
			mshare_mm_unlink(mmm, inv, idx, link);
		else
			mshare_link_rss_clamp(mmm, link,
					      mshare_rw_table(inv->dom,
							      link->level,
							      base), 0);
		found = true;
		e = mshare_inval_add_mm(inv, mmm->mm);
		if (!e) {
			no_room = true;
			break;
		}
		/*
		 * A copy goes even where its leaf did not change (a leaf a
		 * migration leaves in place): its 2 MiB TLB entry must go
		 * too, or a later change of the leaf, which finds no copy
		 * here, would not flush this mm.
		 */
		if (copy) {
			mshare_flush_add_addr(&inv->flush, e, addr);
			continue;
		}
		for (i = 0; inv->pgoffs && i < inv->nr; i++)
			if (inv->pgoffs[i] >= base && inv->pgoffs[i] < base + span)
				mshare_flush_add_addr(&inv->flush, e, addr +
					((inv->pgoffs[i] - base) << PAGE_SHIFT));
	}
	spin_unlock(&mmm->lock);
	if (no_room)
		mshare_flush_mm(mmm->mm);
	return found;
}

/*
 * The mm's secondary TLBs must learn of a change: raise its pending-flush
 * count (see invalidate.c) so that the running mmu_gather flushes it all.
 */
static void mshare_mm_owe_flush(struct mshare_mm *mmm)
{
	spin_lock(&mmm->lock);
	if (!mmm->owes_pending) {
		inc_tlb_flush_pending(mmm->mm);
		mmm->owes_pending = true;
	}
	spin_unlock(&mmm->lock);
}

/*
 * Drop the pending-flush count mshare_mm_owe_flush() raised, once no
 * mmu_gather of the mm runs any more (the count is ours alone): the gather
 * that needed it has flushed.  Called where the module runs for the mm
 * outside any gather (faults).
 */
void mshare_mm_settle(struct mshare_mm *mmm)
{
	if (!READ_ONCE(mmm->owes_pending))
		return;
	spin_lock(&mmm->lock);
	if (mmm->owes_pending &&
	    atomic_read(&mmm->mm->tlb_flush_pending) == 1) {
		dec_tlb_flush_pending(mmm->mm);
		mmm->owes_pending = false;
	}
	spin_unlock(&mmm->lock);
}

static bool mshare_mm_invalidate(struct mmu_interval_notifier *sub,
				 const struct mmu_notifier_range *range,
				 unsigned long cur_seq)
{
	struct mshare_mm *mmm = container_of(sub, struct mshare_mm, notifier);
	struct mshare_inval *inv = mshare_inval_current();
	bool changed;

	if (inv && !inv->unlink)
		changed = mshare_mm_leaf_targets(mmm, inv, range, cur_seq);
	else
		changed = mshare_mm_unlink_range(mmm, inv, range, cur_seq);
	if (changed && mshare_mm_secondary_tlbs(mmm->mm))
		mshare_mm_owe_flush(mmm);
	return true;
}

static const struct mmu_interval_notifier_ops mshare_mm_ops = {
	.invalidate = mshare_mm_invalidate,
};

static struct mshare_mm *mshare_mm_lookup(struct mm_struct *mm)
{
	struct mshare_mm *mmm;

	spin_lock(&mshare_mms_lock);
	hash_for_each_possible(mshare_mms, mmm, hnode, (unsigned long)mm)
		if (mmm->mm == mm)
			goto out;
	mmm = NULL;
out:
	spin_unlock(&mshare_mms_lock);
	return mmm;
}

/*
 * Remember a process of @mmm's mm, the caller if it is one, for the
 * holders list where the kernel keeps no owner (mm->owner needs memory
 * cgroups).  Caller holds the mmap lock for writing.
 */
static void mshare_mm_note_task(struct mshare_mm *mmm)
{
	if (!mmm->pid && current->mm == mmm->mm)
		WRITE_ONCE(mmm->pid, get_pid(task_tgid(current)));
}

/*
 * The mshare_mm of @mm with one more user, a VMA mapping @dom; created
 * (unregistered) if needed.  Caller holds the mmap lock of @mm for
 * writing.  NULL when memory is short.  Cannot fail for an mm that already
 * maps @dom.
 */
struct mshare_mm *mshare_mm_get(struct mm_struct *mm,
				struct mshare_domain *dom)
{
	struct mshare_mm *mmm = mshare_mm_lookup(mm);
	struct mshare_mm_dom *md = NULL;
	bool created = false;

	mmap_assert_write_locked(mm);
	if (!mmm) {
		mmm = kzalloc(sizeof(*mmm), GFP_KERNEL);
		if (!mmm)
			return NULL;
		mmm->mm = mm;
		mutex_init(&mmm->link_mutex);
		spin_lock_init(&mmm->lock);
		xa_init(&mmm->links);
		INIT_LIST_HEAD(&mmm->doms);
		created = true;
	} else {
		md = mshare_mm_dom_find(mmm, dom);
	}
	if (!md) {
		md = kzalloc(sizeof(*md), GFP_KERNEL);
		if (!md) {
			if (created)
				kfree(mmm);
			return NULL;
		}
		md->dom = dom;
		md->mmm = mmm;
		list_add(&md->node, &mmm->doms);
		spin_lock(&dom->mms_lock);
		list_add(&md->dom_node, &dom->mms);
		spin_unlock(&dom->mms_lock);
		atomic_inc(&dom->nr_mms);
	}
	md->nr++;
	mmm->users++;
	atomic_inc(&dom->nr_vmas);
	if (created) {
		spin_lock(&mshare_mms_lock);
		hash_add(mshare_mms, &mmm->hnode, (unsigned long)mm);
		spin_unlock(&mshare_mms_lock);
	}
	return mmm;
}

/*
 * Register @mmm's notifier, so that its VMAs may link.  Caller holds the
 * mmap lock for writing.  Ordinary signals are blocked meanwhile, so that
 * only a fatal one (or a stop) can make mm_take_all_locks() give up:
 * 0, -EINTR, -ENOMEM.
 */
int mshare_mm_register(struct mshare_mm *mmm)
{
	sigset_t all, old;
	int err;

	mmap_assert_write_locked(mmm->mm);
	mshare_mm_note_task(mmm);
	if (mmm->registered)
		return 0;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	err = mmu_interval_notifier_insert_locked(&mmm->notifier, mmm->mm, 0,
						  ULONG_MAX, &mshare_mm_ops);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (err)
		return err;
	/* Pairs with mshare_fault_mm(): the notifier is in before links. */
	smp_store_release(&mmm->registered, true);
	return 0;
}

/* Drop a user; the last one (the mm's last mshare VMA) tears it down. */
void mshare_mm_put(struct mshare_mm *mmm, struct mshare_domain *dom)
{
	struct mshare_mm_dom *md;

	if (!mmm)
		return;
	atomic_dec(&dom->nr_vmas);
	md = mshare_mm_dom_find(mmm, dom);
	if (!WARN_ON_ONCE(!md) && !--md->nr) {
		list_del(&md->node);
		spin_lock(&dom->mms_lock);
		list_del(&md->dom_node);
		spin_unlock(&dom->mms_lock);
		kfree(md);
		atomic_dec(&dom->nr_mms);
	}
	if (--mmm->users)
		return;
	spin_lock(&mshare_mms_lock);
	hash_del(&mmm->hnode);
	spin_unlock(&mshare_mms_lock);

	/* Waits for a running invalidation; no callback runs after it. */
	if (mmm->registered)
		mmu_interval_notifier_remove(&mmm->notifier);
	/* The unmap that closes us has flushed: no gather needs it. */
	if (mmm->owes_pending)
		dec_tlb_flush_pending(mmm->mm);
	WARN_ON_ONCE(!xa_empty(&mmm->links));
	xa_destroy(&mmm->links);
	put_pid(mmm->pid);
	kfree(mmm);
}

/*
 * A fault on a VMA whose mm is not registered yet (a child's after fork):
 * register under the mmap lock held for writing, then have the fault
 * retried.  Only a fault that may drop its lock can do this; others get
 * SIGBUS (a remote access that cannot retry, before the process's own
 * first touch).  See "Registration" above.
 */
vm_fault_t mshare_mm_register_fault(struct vm_fault *vmf)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	unsigned long addr = vmf->address;
	struct vm_area_struct *vma;

	if (!(vmf->flags & FAULT_FLAG_ALLOW_RETRY) || !mmget_not_zero(mm))
		return VM_FAULT_SIGBUS;
	if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT) {
		mmput_async(mm);
		return VM_FAULT_RETRY;
	}
	release_fault_lock(vmf);

	if (mmap_write_lock_killable(mm))
		goto out;
	vma = vma_lookup(mm, addr);
	if (vma && mshare_vma_domain(vma)) {
		VMA_ITERATOR(vmi, mm, 0);

		/* Every mshare VMA of the mm, so that all of them can link. */
		for_each_vma(vmi, vma) {
			struct mshare_domain *dom = mshare_vma_domain(vma);
			struct mshare_mm *mmm;

			if (!dom)
				continue;
			mmm = vma->vm_private_data;
			if (!mmm) {
				mmm = mshare_mm_get(mm, dom);
				if (!mmm)
					break;	/* the retry tries again */
				vma_start_write(vma);
				vma->vm_private_data = mmm;
			}
			if (mshare_mm_register(mmm))
				break;
		}
	}
	mmap_write_unlock(mm);
out:
	mmput_async(mm);
	return VM_FAULT_RETRY;
}

/*
 * Point the faulting process's entry (vmf->pud for a PUD link, vmf->pmd
 * for a PMD link) at @table, which maps the domain from the address
 * @start; @rw is @table or its read-write twin.  A copy (huge domain,
 * PMD level): vmf->pmd becomes a copy of the domain's 2 MiB leaf at
 * @start, @table and @rw that 2 MiB's entry of pte_tables (which counts
 * the copies as links); the leaf is read after the sequence is sampled, so that
 * a leaf batch that clears it either finds the copy installed or makes
 * the retry check fail.  The copy is set_pmd_at(), a leaf entry of the
 * process's own table like any other (page_table_check counts it).
 * Returns VM_FAULT_NOPAGE, linked or not: the access is retried.
 */
vm_fault_t mshare_mm_link(struct mshare_mm *mmm, struct vm_fault *vmf,
			  enum mshare_link_level level, unsigned long start,
			  struct mshare_table *table, struct mshare_table *rw)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	unsigned long idx = mshare_link_idx(start);
	struct mshare_link *link;
	unsigned long seq;
	bool linked = false;
	spinlock_t *ptl;

	mshare_mm_settle(mmm);
	link = kmalloc(sizeof(*link), GFP_KERNEL);
	if (!link)
		return VM_FAULT_OOM;
	link->table = table;
	link->level = level;
	link->rss = 0;
	mutex_lock(&mmm->link_mutex);
	if (xa_reserve(&mmm->links, idx, GFP_KERNEL)) {
		mutex_unlock(&mmm->link_mutex);
		kfree(link);
		return VM_FAULT_OOM;
	}
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
	} else if (level == MSHARE_LINK_COPY) {
		struct mshare_domain *dom = mshare_vma_domain(vmf->vma);
		pmd_t leaf = pmdp_get_lockless(mshare_pmdp(dom,
				linear_page_index(vmf->vma, start)));

		ptl = pmd_lock(mm, vmf->pmd);
		if (pmd_none(*vmf->pmd) && pmd_present(leaf) &&
		    pmd_leaf(leaf)) {
			/* A read-only mapping copies the read-only twin. */
			if (mshare_vma_rdonly(vmf->vma))
				leaf = mshare_mkpmd_ro(dom,
						page_folio(pmd_page(leaf)));
			set_pmd_at(mm, start, vmf->pmd, leaf);
			linked = true;
		}
	} else {
		ptl = pmd_lock(mm, vmf->pmd);
		if (pmd_none(*vmf->pmd)) {
			pmd_populate(mm, vmf->pmd, table->page);
			linked = true;
		}
	}
	if (linked) {
		/*
		 * Our reservation (link_mutex: nobody released it) makes this
		 * a store without allocation: it cannot fail.
		 */
		WARN_ON_ONCE(xa_is_err(xa_store(&mmm->links, idx, link,
						GFP_NOWAIT)));
		atomic_inc(&table->links);
	}
	spin_unlock(ptl);
	if (linked) {
		link->rss = level == MSHARE_LINK_COPY ? PTRS_PER_PTE :
						       atomic_read(&rw->resident);
		mshare_mm_rss_add(mm, link->rss);
	}
out:
	spin_unlock(&mmm->lock);
	if (!linked)
		xa_release(&mmm->links, idx);
	mutex_unlock(&mmm->link_mutex);
	if (!linked)
		kfree(link);
	if (linked)
		trace_mshare_link(mshare_vma_domain(vmf->vma), mm, start,
				  (u64)linear_page_index(vmf->vma, start) <<
				  PAGE_SHIFT, mshare_trace_level(level),
				  table != rw);
	return VM_FAULT_NOPAGE;
}

/*
 * This process filled @nr pages of @dom at @addr (a page, or a 2 MiB leaf)
 * through one of its links: the link's RSS count grows by them (see "RSS"
 * above).
 */
void mshare_mm_filled(struct mshare_mm *mmm, struct mshare_domain *dom,
		      unsigned long addr, long nr)
{
	struct mshare_link *link;
	pgoff_t base, span;

	spin_lock(&mmm->lock);
	link = xa_load(&mmm->links, mshare_link_idx(round_down(addr, PMD_SIZE)));
	if (!link) {
		link = xa_load(&mmm->links,
			       mshare_link_idx(round_down(addr, PUD_SIZE)));
		if (link && link->level != MSHARE_LINK_PUD)
			link = NULL;
	}
	/* A copy maps its 2 MiB whole: nothing fills under it. */
	if (link && link->level == MSHARE_LINK_COPY)
		link = NULL;
	if (link && mshare_table_span(dom, link->table, link->level, &base,
				      &span))
		mshare_link_rss_clamp(mmm, link,
				      mshare_rw_table(dom, link->level, base),
				      nr);
	spin_unlock(&mmm->lock);
}

/*
 * A snapshot of the mms mapping @dom, each with an mmgrab() reference,
 * taken under one hold of dom->mms_lock; *@nr is their number.  NULL (and
 * *@nr 0) when none maps it or the array cannot be allocated with @gfp.
 * Release with mshare_mms_put().
 */
struct mm_struct **mshare_dom_mms(struct mshare_domain *dom, unsigned int *nr,
				  gfp_t gfp)
{
	struct mm_struct **mms = NULL;
	struct mshare_mm_dom *md;
	unsigned int room = 0, n;

	for (;;) {
		n = 0;
		spin_lock(&dom->mms_lock);
		list_for_each_entry(md, &dom->mms, dom_node)
			n++;
		if (n && n <= room) {
			n = 0;
			list_for_each_entry(md, &dom->mms, dom_node) {
				mmgrab(md->mmm->mm);
				mms[n++] = md->mmm->mm;
			}
		}
		spin_unlock(&dom->mms_lock);
		if (!n || n <= room)
			break;
		kvfree(mms);
		room = n + 8;
		mms = kvcalloc(room, sizeof(*mms), gfp);
		if (!mms) {
			n = 0;
			break;
		}
	}
	if (!n) {
		kvfree(mms);
		mms = NULL;
	}
	*nr = n;
	return mms;
}

/* Bytes of @dom that @mmm's links cover.  Caller holds mmm->lock. */
static u64 mshare_mm_linked(struct mshare_mm *mmm, struct mshare_domain *dom)
{
	struct mshare_link *link;
	unsigned long idx;
	u64 bytes = 0;

	xa_for_each(&mmm->links, idx, link) {
		pgoff_t base, span;

		if (mshare_table_span(dom, link->table, link->level, &base,
				      &span))
			bytes += (u64)min_t(pgoff_t, span,
					    dom->nr_pages - base) << PAGE_SHIFT;
	}
	return bytes;
}

/*
 * A process using @mmm's mm: its tgid as the caller sees it and its
 * command; pid 0 and "?" once none is known to use it.  The mm's owner
 * where the kernel keeps one (memory cgroups), else the process
 * mshare_mm_note_task() saw, while it still uses the mm.
 */
static void mshare_mm_owner(struct mshare_mm *mmm, pid_t *pid,
			    char comm[TASK_COMM_LEN])
{
	struct task_struct *t = NULL;
	struct pid *p;

	rcu_read_lock();
#ifdef CONFIG_MEMCG
	t = rcu_dereference(mmm->mm->owner);
#endif
	p = READ_ONCE(mmm->pid);
	if (!t && p) {
		t = pid_task(p, PIDTYPE_TGID);
		if (t && READ_ONCE(t->mm) != mmm->mm)
			t = NULL;
	}
	if (t) {
		*pid = task_tgid_vnr(t);
		/* As get_task_comm() since 6.13: a racy copy stays a string. */
		strscpy_pad(comm, t->comm, TASK_COMM_LEN);
	} else {
		*pid = 0;
		strscpy(comm, "?", TASK_COMM_LEN);
	}
	rcu_read_unlock();
}

/*
 * Who maps @dom: per mm, a process using it (pid as the caller sees it,
 * and command), its VMAs of @dom and the bytes its links cover; taken
 * under one hold of dom->mms_lock.  Release with kvfree(); *@nr holders.
 */
struct mshare_holder *mshare_dom_holders(struct mshare_domain *dom,
					 unsigned int *nr)
{
	struct mshare_holder *h = NULL;
	struct mshare_mm_dom *md;
	unsigned int room = 0, n;

	for (;;) {
		n = 0;
		spin_lock(&dom->mms_lock);
		list_for_each_entry(md, &dom->mms, dom_node)
			n++;
		if (n <= room) {
			n = 0;
			list_for_each_entry(md, &dom->mms, dom_node) {
				struct mshare_holder *o = &h[n++];

				mshare_mm_owner(md->mmm, &o->pid, o->comm);
				o->mappings = md->nr;
				spin_lock(&md->mmm->lock);
				o->linked = mshare_mm_linked(md->mmm, dom);
				spin_unlock(&md->mmm->lock);
			}
		}
		spin_unlock(&dom->mms_lock);
		if (n <= room)
			break;
		kvfree(h);
		room = n + 8;
		h = kvcalloc(room, sizeof(*h), GFP_KERNEL);
		if (!h)
			return ERR_PTR(-ENOMEM);
	}
	*nr = n;
	return h;
}

void mshare_mms_put(struct mm_struct **mms, unsigned int nr)
{
	while (nr--)
		mmdrop(mms[nr]);
	kvfree(mms);
}
