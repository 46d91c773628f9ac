// SPDX-License-Identifier: GPL-2.0
/*
 * Live migration of a domain: its data pages, and its tables when the
 * whole domain moves, to another node while attachers keep running.
 *
 * Shared tables make a page move one PTE write for every attacher.  Data
 * pages move in batches of up to MSHARE_MIGRATE_BATCH_TABLES PTE tables
 * (32 MiB; one table at a time if the batch's array cannot be had), one
 * shootdown round per batch:
 *
 *  1. mark the batch's range busy (pgtable.c): a fault on an empty entry
 *     there waits, so no new page appears in it; count its present pages
 *     that are not on the target yet;
 *  2. allocate that many pages on the target node;
 *  3. under each table's lock in turn, clear every present entry of the
 *     range (the busy range keeps cleared entries empty meanwhile);
 *  4. tell every mapping of the range and its secondary MMUs, and shoot
 *     down every mm linked to its tables in one round (invalidate.c);
 *     after it no CPU, KVM guest or IOMMU can write to the old pages
 *     through a stale translation, and GUP-fast walks that raced the clear
 *     are over;
 *  5. for each old page not on the target: if its only reference is the
 *     domain's (folio_ref_freeze()), copy it; a page pinned by GUP keeps
 *     its place (skipped: the pin may still write to it);
 *  6. under each table's lock, install the entries again (the new page, or
 *     the old one for pages already on the target and skipped ones), end
 *     the busy range and wake the waiters; free the old pages.
 * A process touching a page in flight faults, waits, and retries on the
 * new page; every write before step 4 is in the old page and is copied,
 * every write after step 6 goes to the new one: no write is lost.
 *
 * A domain of 2 MiB leaves (pgtable.c) moves each leaf whole, by the same
 * steps, its batch being the leaves of up to MSHARE_MIGRATE_BATCH_TABLES
 * 2 MiB (32 MiB, one round): a 2 MiB folio on the target (no harder try
 * than a THP fault: a leaf for which none can be had stays, counted as
 * skipped, as a pinned one does), every leaf of the batch cleared under
 * its PMD table's lock, also those that stay (the kernel's walk through a
 * PUD link would clear a leaf it finds; the round also clears every
 * attacher's copy of them, attach.c), the 512 pages copied once no pin
 * holds the folio, the leaves installed again, new or old.  A batch of
 * leaves ends before a 2 MiB that fell back to a PTE table (the walk
 * would zap its entries): that one moves as above, in a batch of its
 * own.  A range that cuts a leaf moves the whole leaf.
 *
 * A pending signal (not for the auto policy's work, which checks its stop
 * flag instead) ends a migration between batches with -EINTR; every page
 * is then valid, on one node or the other.
 *
 * Tables move after the data, when the range is the whole domain: with
 * tables_sem held for writing (faults that would link or fill wait), every
 * link of every attacher is cleared by one invalidation batch with one
 * shootdown round, the entries are copied into new tables on the target
 * node and the domain switches to them; the attachers re-link on their
 * next touch.  A walker that read a link before it was cleared may still
 * be inside an old table: the old tables are freed only after each
 * attached mm's mmap lock and each of its domain VMAs' locks were taken
 * for writing once (which waits for such walkers: faults, GUP, /proc
 * readers all hold one of them), and an RCU grace period (pte_offset_map()
 * readers).
 *
 * Locking: dom->migrate_lock for the whole migration (one at a time per
 * domain; discard and policy changes wait), then as in internal.h.
 */
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/page_ref.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "internal.h"
#include "trace.h"

/* Progress events: one per this many pages processed (32 MiB). */
#define MSHARE_MIGRATE_EVENT_PAGES	(SZ_32M >> PAGE_SHIFT)
/* PTE tables per batch, i.e. per shootdown round: 32 MiB, 33 rounds/GiB. */
#define MSHARE_MIGRATE_BATCH_TABLES	16

struct mshare_mig_page {
	pgoff_t pgoff;
	struct page *old;
	struct page *new;	/* NULL: the old page stays */
	bool moved;
};

/* Each PTE table @t that [@first, @last) touches, and [@lo, @hi) of it. */
#define for_each_batch_table(first, last, t, lo, hi)			\
	for ((t) = (first) / PTRS_PER_PTE;				\
	     (lo) = max_t(pgoff_t, (first), (t) * PTRS_PER_PTE),	\
	     (hi) = min_t(pgoff_t, (last), ((t) + 1) * PTRS_PER_PTE),	\
	     (lo) < (last); (t)++)

/*
 * Steps 1-6 for pages [@first, @last), which lie in at most @cap /
 * PTRS_PER_PTE PTE tables.  @batch has room for @cap pages, followed by
 * @cap page pointers.  Each table's lock is taken on its own, in order;
 * none nests.
 */
static int mshare_migrate_batch(struct mshare_domain *dom,
				struct mshare_migrate *m, pgoff_t first,
				pgoff_t last, struct mshare_mig_page *batch,
				unsigned int cap)
{
	pgoff_t pgoffs[MSHARE_FLUSH_CEILING];
	unsigned int want = 0, n = 0, nr_move = 0, i, j;
	unsigned int present = 0, moved = 0, skipped = 0;
	pgoff_t pgoff, lo, hi;
	struct page **pages;
	unsigned long t;
	int err = 0;

	/*
	 * 1. Busy: no page appears in the range from now on, and none goes
	 * (discards wait for migrate_lock): note those to move.
	 */
	mshare_busy_begin(dom, first, last);
	pages = (struct page **)&batch[cap];
	for_each_batch_table(first, last, t, lo, hi) {
		struct mshare_table *table = &dom->pte_tables[t];
		pte_t *ptes = page_address(table->page);
		spinlock_t *ptl = mshare_table_ptl(table);

		spin_lock(ptl);
		for (pgoff = lo; pgoff < hi; pgoff++) {
			pte_t pte = ptep_get(&ptes[pgoff % PTRS_PER_PTE]);

			if (pte_none(pte))
				continue;
			present++;
			if (page_to_nid(pte_page(pte)) != m->node)
				pages[want++] = pte_page(pte);
		}
		spin_unlock(ptl);
	}
	if (!want) {
		/* All present pages are there: nothing changes. */
		m->done += present;
		goto end_busy;
	}

	/* 2. Each new page charged where its old copy is (account.c). */
	for (i = 0; i < want; i++) {
		struct mem_cgroup *memcg = mshare_memcg_of_page(pages[i]);
		struct mem_cgroup *old = set_active_memcg(memcg);

		pages[i] = alloc_pages_node(m->node, GFP_HIGHUSER |
					    __GFP_THISNODE | __GFP_NOWARN |
					    __GFP_NORETRY | __GFP_ACCOUNT, 0);
		set_active_memcg(old);
		mem_cgroup_put(memcg);
		if (!pages[i]) {
			while (i--)
				__free_page(pages[i]);
			err = -ENOMEM;
			goto end_busy;
		}
	}

	/*
	 * 3. Every present entry goes, so that the kernel's walk of the
	 * range (step 4) finds nothing to zap.
	 */
	for_each_batch_table(first, last, t, lo, hi) {
		struct mshare_table *table = &dom->pte_tables[t];
		pte_t *ptes = page_address(table->page);
		spinlock_t *ptl = mshare_table_ptl(table);

		spin_lock(ptl);
		for (pgoff = lo; pgoff < hi; pgoff++) {
			pte_t *ptep = &ptes[pgoff % PTRS_PER_PTE];
			pte_t pte = ptep_get(ptep);

			if (pte_none(pte))
				continue;
			set_pte(ptep, __pte(0));
			mshare_ro_set(dom, pgoff, NULL);
			batch[n].pgoff = pgoff;
			batch[n].old = pte_page(pte);
			batch[n].new = NULL;
			batch[n].moved = false;
			if (page_to_nid(batch[n].old) != m->node &&
			    !WARN_ON_ONCE(nr_move == want)) {	/* none can appear */
				batch[n].new = pages[nr_move];
				if (nr_move < MSHARE_FLUSH_CEILING)
					pgoffs[nr_move] = pgoff;
				nr_move++;
			}
			n++;
		}
		spin_unlock(ptl);
	}

	/* 4. One round for the whole batch. */
	mshare_invalidate(dom, first, last, 0, pgoffs, nr_move, nr_move);

	/* 5. */
	for (i = 0; i < n; i++) {
		struct folio *old = page_folio(batch[i].old);
		struct folio *new;

		if (!batch[i].new)
			continue;
		if (!folio_ref_freeze(old, 1))
			continue;	/* pinned: it stays */
		new = page_folio(batch[i].new);
		copy_highpage(batch[i].new, batch[i].old);
		folio_ref_unfreeze(old, 1);
		new->mapping = dom->inode->i_mapping;
		new->index = batch[i].pgoff;
		mshare_account_page_add(batch[i].new);
		batch[i].moved = true;
		if (!(i % PTRS_PER_PTE))
			cond_resched();
	}
	/* The copies must be visible before the entries are. */
	smp_wmb();

	/* 6. @batch is in the order of the range: one table after another. */
	for (i = 0; i < n; ) {
		struct mshare_table *table;
		spinlock_t *ptl;
		pte_t *ptes;

		t = batch[i].pgoff / PTRS_PER_PTE;
		table = &dom->pte_tables[t];
		ptes = page_address(table->page);
		ptl = mshare_table_ptl(table);
		spin_lock(ptl);
		for (; i < n && batch[i].pgoff / PTRS_PER_PTE == t; i++) {
			struct page *page = batch[i].moved ? batch[i].new :
							     batch[i].old;

			set_pte(&ptes[batch[i].pgoff % PTRS_PER_PTE],
				mshare_mkpte(dom, page));
			mshare_ro_set(dom, batch[i].pgoff, page);
		}
		spin_unlock(ptl);
	}
	mshare_busy_end(dom);

	for (i = 0, j = 0; i < n; i++) {
		if (batch[i].moved) {
			mshare_node_pages_add(dom, batch[i].old, -1);
			mshare_node_pages_add(dom, batch[i].new, 1);
			mshare_data_page_put(dom, batch[i].old);
			m->done++;
			moved++;
			atomic64_inc(&dom->stats.pages_migrated);
		} else if (batch[i].new) {
			__free_page(batch[i].new);
			m->skipped++;
			skipped++;
			atomic64_inc(&dom->stats.migrate_skipped);
		} else {
			m->done++;	/* already on the target */
		}
		j += !!batch[i].new;
	}
	/* Unused pages: entries that went meanwhile (cannot happen). */
	for (i = j; i < want; i++)
		__free_page(pages[i]);
	trace_mshare_migrate_batch(dom, m->node, (u64)first << PAGE_SHIFT,
				   (u64)(last - first) << PAGE_SHIFT, present,
				   moved, skipped, 0);
	return 0;

end_busy:
	mshare_busy_end(dom);
	trace_mshare_migrate_batch(dom, m->node, (u64)first << PAGE_SHIFT,
				   (u64)(last - first) << PAGE_SHIFT, present,
				   0, 0, err);
	return err;
}

/* The 2 MiB entry of @dom from page @pgoff, read under its table's lock. */
static pmd_t mshare_leaf_get(struct mshare_domain *dom, pgoff_t pgoff)
{
	spinlock_t *ptl = mshare_table_ptl(mshare_pmd_table_of(dom, pgoff));
	pmd_t pmd;

	spin_lock(ptl);
	pmd = pmdp_get_lockless(mshare_pmdp(dom, pgoff));
	spin_unlock(ptl);
	return pmd;
}

/*
 * Set (@folio NULL: clear) the 2 MiB leaf of @dom from page @pgoff and its
 * read-only twin (unchecked, as fills do).
 */
static void mshare_leaf_set(struct mshare_domain *dom, pgoff_t pgoff,
			    struct folio *folio)
{
	spinlock_t *ptl = mshare_table_ptl(mshare_pmd_table_of(dom, pgoff));
	pmd_t *pmdp = mshare_pmdp(dom, pgoff);

	spin_lock(ptl);
	if (folio)
		set_pmd(pmdp, mshare_mkpmd(dom, folio));
	else
		pmd_clear(pmdp);
	mshare_ro_leaf_set(dom, pgoff, folio);
	spin_unlock(ptl);
}

/*
 * A 2 MiB folio on @nid for @old's contents, charged where @old is (no
 * zeroing: it is copied over), or NULL.
 */
static struct folio *mshare_leaf_alloc(struct page *old, int nid)
{
	struct mem_cgroup *memcg = mshare_memcg_of_page(old);
	struct mem_cgroup *prev = set_active_memcg(memcg);
	struct folio *folio;

	folio = __folio_alloc_node(GFP_HIGHUSER | __GFP_THISNODE |
				   __GFP_NOWARN | __GFP_NORETRY |
				   __GFP_ACCOUNT, PMD_ORDER, nid);
	set_active_memcg(prev);
	mem_cgroup_put(memcg);
	return folio;
}

/*
 * Steps 1-6 for the leaves of huge @dom from @first (2 MiB-aligned) up to
 * @last or the first 2 MiB that is a PTE table, whichever comes first;
 * returns where it stopped.  @batch has room for (@last - @first) /
 * PTRS_PER_PTE entries.  Every leaf of the range is cleared while the
 * batch runs, also one that stays (on the target already, or no folio for
 * it), and no PTE table is in the range: the kernel's walk of the range
 * through a process's PUD link (step 4) must find nothing, or it would
 * clear a leaf itself (zap_huge_pmd() of a VM_MIXEDMAP VMA) or zap the
 * domain's PTEs.
 */
static pgoff_t mshare_migrate_leaves(struct mshare_domain *dom,
				     struct mshare_migrate *m, pgoff_t first,
				     pgoff_t last, struct mshare_mig_page *batch)
{
	pgoff_t pgoffs[MSHARE_FLUSH_CEILING];
	unsigned int n = 0, nr = 0, present = 0, moved = 0, skipped = 0, i;
	pgoff_t pgoff;

	/* 1.  No leaf and no table appears in the busy range meanwhile. */
	mshare_busy_begin(dom, first, last);
	for (pgoff = first; pgoff < last; pgoff += PTRS_PER_PTE) {
		pmd_t pmd = mshare_leaf_get(dom, pgoff);

		if (!pmd_present(pmd))
			continue;
		if (!pmd_leaf(pmd))
			break;	/* a PTE table: mshare_migrate_batch()'s */
		present += PTRS_PER_PTE;
		batch[n].pgoff = pgoff;
		batch[n].old = pmd_page(pmd);
		batch[n].new = NULL;
		batch[n].moved = false;
		n++;
	}
	last = pgoff;

	/* 2.  A leaf for which no folio can be had stays: skipped below. */
	for (i = 0; i < n; i++) {
		struct folio *new;

		if (page_to_nid(batch[i].old) == m->node)
			continue;
		new = mshare_leaf_alloc(batch[i].old, m->node);
		if (!new)
			continue;
		batch[i].new = &new->page;
		if (nr < MSHARE_FLUSH_CEILING)
			pgoffs[nr] = batch[i].pgoff;
		nr++;
	}

	/*
	 * 3.  Every leaf of the range goes (nothing can change one meanwhile:
	 * busy, migrate_lock), so that the walk of step 4 finds none.
	 */
	for (i = 0; nr && i < n; i++)
		mshare_leaf_set(dom, batch[i].pgoff, NULL);

	/* 4.  The changed leaves' addresses; the others' TLB entries stay good. */
	if (nr)
		mshare_invalidate(dom, first, last, 0, pgoffs, nr,
				  (unsigned long)nr * PTRS_PER_PTE);

	/* 5. */
	for (i = 0; i < n; i++) {
		struct folio *old = page_folio(batch[i].old);
		struct folio *new;
		unsigned int k;

		if (!batch[i].new || !folio_ref_freeze(old, 1))
			continue;	/* pinned: it stays */
		new = page_folio(batch[i].new);
		for (k = 0; k < PTRS_PER_PTE; k++) {
			copy_highpage(batch[i].new + k, batch[i].old + k);
			if (!(k % 64))
				cond_resched();
		}
		folio_ref_unfreeze(old, 1);
		new->mapping = dom->inode->i_mapping;
		new->index = batch[i].pgoff;
		mshare_account_page_add(batch[i].new);
		batch[i].moved = true;
	}
	/* The copies must be visible before the leaves are. */
	smp_wmb();

	/* 6. */
	for (i = 0; nr && i < n; i++)
		mshare_leaf_set(dom, batch[i].pgoff,
				page_folio(batch[i].moved ? batch[i].new :
							    batch[i].old));
	mshare_busy_end(dom);

	for (i = 0; i < n; i++) {
		if (batch[i].moved) {
			mshare_node_pages_add(dom, batch[i].old, -PTRS_PER_PTE);
			mshare_node_pages_add(dom, batch[i].new, PTRS_PER_PTE);
			mshare_data_page_put(dom, batch[i].old);
			m->done += PTRS_PER_PTE;
			moved += PTRS_PER_PTE;
			atomic64_add(PTRS_PER_PTE, &dom->stats.pages_migrated);
			continue;
		}
		if (batch[i].new) {
			folio_put(page_folio(batch[i].new));
		} else if (page_to_nid(batch[i].old) == m->node) {
			m->done += PTRS_PER_PTE;	/* already there */
			continue;
		}
		m->skipped += PTRS_PER_PTE;
		skipped += PTRS_PER_PTE;
		atomic64_add(PTRS_PER_PTE, &dom->stats.migrate_skipped);
	}
	if (last > first)
		trace_mshare_migrate_batch(dom, m->node,
					   (u64)first << PAGE_SHIFT,
					   (u64)(last - first) << PAGE_SHIFT,
					   present, moved, skipped, 0);
	return last;
}

/*
 * Huge @dom's pages from *@pgoff to @last (whole 2 MiB): each run of
 * leaves in one batch (one round), each 2 MiB that fell back to a PTE
 * table in a batch of its own (they are few).  *@pgoff advances past
 * what is done: to @last, or, on an error, to the PTE table that failed
 * (nothing of it changed), so that a retry does not count twice.
 */
static int mshare_migrate_huge_batch(struct mshare_domain *dom,
				     struct mshare_migrate *m, pgoff_t *pgoff,
				     pgoff_t last,
				     struct mshare_mig_page *batch,
				     unsigned int cap)
{
	pgoff_t table;
	int err;

	while (*pgoff < last) {
		table = mshare_migrate_leaves(dom, m, *pgoff, last, batch);
		*pgoff = table;
		if (table >= last)
			break;
		/* pairs with mshare_fill_pmd(): the table's page */
		smp_rmb();
		err = mshare_migrate_batch(dom, m, table, table + PTRS_PER_PTE,
					   batch, cap);
		if (err)
			return err;
		*pgoff = table + PTRS_PER_PTE;
	}
	return 0;
}

/*
 * Wait until no walker can still be inside a table that no process links
 * to any more: take each attached mm's mmap lock and each of its VMAs of
 * @dom for writing once.  Caller holds dom->migrate_lock only.
 */
static void mshare_migrate_quiesce(struct mshare_domain *dom)
{
	struct mm_struct **mms;
	unsigned int nr, i;

	/* Small, and freeing the tables must wait for every attacher. */
	while (!(mms = mshare_dom_mms(dom, &nr, GFP_KERNEL)) && nr)
		cond_resched();
	for (i = 0; i < nr; i++) {
		struct mm_struct *mm = mms[i];
		struct vm_area_struct *vma;

		VMA_ITERATOR(vmi, mm, 0);
		mmap_write_lock(mm);
		/*
		 * A child whose fork failed in dup_mmap() is on the list (its
		 * copy of our VMA was opened) but its tree is half made (an
		 * XA_ZERO_ENTRY marks the failure, the parent's VMAs follow):
		 * nothing can walk it, and it must not be walked.
		 */
		if (!mshare_mm_unstable(mm))
			for_each_vma(vmi, vma)
				if (mshare_vma_of(vma, dom))
					vma_start_write(vma);
		mmap_write_unlock(mm);
	}
	mshare_mms_put(mms, nr);
	synchronize_rcu();
}

/*
 * Move every table of @dom to node @nid (all data moved already): each PMD
 * table is copied whole (a huge domain's holds its 2 MiB leaves), each PTE
 * table is copied and its new PMD table entry pointed at the copy; the
 * read-only twins (rdonly.c) likewise.  A huge domain has PTE tables only
 * where a 2 MiB fell back or was split.  The new tables are allocated with
 * tables_sem held, so that no such table appears meanwhile.
 */
static int mshare_migrate_tables(struct mshare_domain *dom, int nid)
{
	unsigned int npte = dom->nr_pte_tables, npmd = dom->nr_pmd_tables;
	unsigned int sets, per, set, i;
	struct page **pages;
	int err = 0;

	down_write(&dom->tables_sem);
	/* The read-only twins move too; made under migrate_lock. */
	sets = dom->ro_pte_tables ? 2 : 1;
	if (atomic_long_read(&dom->node_tables[nid]) ==
	    sets * mshare_dom_table_pages(dom)) {
		WRITE_ONCE(dom->nid, nid);
		up_write(&dom->tables_sem);
		return 0;
	}
	/* Per set: [0, npte) a PTE table's copy or NULL; the PMD tables. */
	per = npte + npmd;
	pages = kvcalloc(sets * per, sizeof(*pages), GFP_KERNEL);
	if (!pages) {
		up_write(&dom->tables_sem);
		return -ENOMEM;
	}
	for (i = 0; i < sets * per; i++) {
		struct mshare_table *pte = i < per ? dom->pte_tables :
						     dom->ro_pte_tables;

		if (i % per < npte && !pte[i % per].page)
			continue;
		pages[i] = mshare_table_alloc(dom, nid, i % per >= npte);
		if (!pages[i]) {
			err = -ENOMEM;
			up_write(&dom->tables_sem);
			goto free;
		}
	}

	mshare_invalidate(dom, 0, dom->nr_pages, MSHARE_INVAL_UNLINK, NULL, 0,
			  0);
	for (set = 0; set < sets; set++) {
		struct mshare_table *pte = set ? dom->ro_pte_tables :
						 dom->pte_tables;
		struct mshare_table *pmd = set ? dom->ro_pmd_tables :
						 dom->pmd_tables;
		struct page **p = &pages[set * per];

		for (i = 0; i < npmd; i++)
			copy_page(page_address(p[npte + i]),
				  page_address(pmd[i].page));
		for (i = 0; i < npte; i++) {
			pmd_t *pmdp;

			if (!p[i])
				continue;
			pmdp = (pmd_t *)page_address(p[npte + i / PTRS_PER_PMD]) +
			       i % PTRS_PER_PMD;
			copy_page(page_address(p[i]), page_address(pte[i].page));
			set_pmd(pmdp, __pmd(page_to_phys(p[i]) | _PAGE_TABLE));
			swap(p[i], pte[i].page);
		}
		for (i = 0; i < npmd; i++)
			swap(p[npte + i], pmd[i].page);
	}
	WRITE_ONCE(dom->nid, nid);
	up_write(&dom->tables_sem);

	/* @pages now holds the old tables. */
	mshare_migrate_quiesce(dom);
	i = sets * per;
free:
	while (i--)
		if (pages[i])
			mshare_table_free(dom, pages[i]);
	kvfree(pages);
	return err;
}

/*
 * The pages present in [@first, @last) of @dom: a leaf counts 512 (the
 * range holds whole 2 MiB then), a PTE table its present entries.
 */
static unsigned long mshare_migrate_count(struct mshare_domain *dom,
					  pgoff_t first, pgoff_t last)
{
	unsigned long total = 0;
	pgoff_t pgoff;

	for (pgoff = first; pgoff < last; pgoff++) {
		struct mshare_table *table;

		if (mshare_dom_huge(dom) && !(pgoff % PTRS_PER_PTE)) {
			pmd_t pmd = mshare_leaf_get(dom, pgoff);

			if (!pmd_present(pmd) || pmd_leaf(pmd)) {
				if (pmd_present(pmd))
					total += PTRS_PER_PTE;
				pgoff += PTRS_PER_PTE - 1;
				continue;
			}
			/* pairs with mshare_fill_pmd(): the table's page */
			smp_rmb();
		}
		if (!pte_none(ptep_get(mshare_ptep(dom, pgoff, &table))))
			total++;
	}
	return total;
}

static bool mshare_migrate_stop(struct mshare_domain *dom,
				struct mshare_migrate *m, int *err)
{
	if (m->automatic ? READ_ONCE(dom->autonuma.stop) :
			   signal_pending(current)) {
		*err = -EINTR;
		return true;
	}
	return false;
}

int mshare_migrate(struct mshare_domain *dom, struct mshare_migrate *m)
{
	unsigned int cap = MSHARE_MIGRATE_BATCH_TABLES * PTRS_PER_PTE;
	struct mshare_mig_page *batch;
	u64 start = ktime_get_ns();
	u64 next_event = MSHARE_MIGRATE_EVENT_PAGES;
	pgoff_t pgoff;
	int err = 0;

	/*
	 * The pages of a batch, then as many new pages (see above): 320 KiB,
	 * or one table's worth if that cannot be had.
	 */
	batch = kvmalloc_array(cap, sizeof(*batch) + sizeof(struct page *),
			       GFP_KERNEL | __GFP_NOWARN);
	if (!batch) {
		cap = PTRS_PER_PTE;
		batch = kvmalloc_array(cap, sizeof(*batch) +
				       sizeof(struct page *), GFP_KERNEL);
	}
	if (!batch)
		return -ENOMEM;
	if (m->automatic ? !mutex_trylock(&dom->migrate_lock) :
			   mutex_lock_interruptible(&dom->migrate_lock)) {
		kvfree(batch);
		return m->automatic ? -EBUSY : -EINTR;
	}

	/* Counted at the start: stats never show a move before its count. */
	atomic64_inc(&dom->stats.migrations);
	m->done = 0;
	m->skipped = 0;
	if (mshare_dom_huge(dom)) {
		/* A leaf moves whole. */
		m->first = round_down(m->first, PTRS_PER_PTE);
		m->last = min_t(pgoff_t, dom->nr_pages,
				round_up(m->last, PTRS_PER_PTE));
	}
	m->total = mshare_migrate_count(dom, m->first, m->last);

	for (pgoff = m->first; pgoff < m->last; ) {
		/* Whole tables from the one of @pgoff: at most @cap pages. */
		pgoff_t end = min_t(pgoff_t, m->last,
				    round_down(pgoff, PTRS_PER_PTE) + cap);

		if (mshare_migrate_stop(dom, m, &err))
			break;
		if (mshare_dom_huge(dom))
			err = mshare_migrate_huge_batch(dom, m, &pgoff, end,
							batch, cap);
		else
			err = mshare_migrate_batch(dom, m, pgoff, end, batch,
						   cap);
		if (err == -ENOMEM && cap > PTRS_PER_PTE) {
			/*
			 * No room for a batch's new pages (a memory cgroup
			 * near its limit): a table at a time from here on,
			 * as much in flight as before batching, from the
			 * table that failed (a huge domain's batch moved on
			 * to it).
			 */
			cap = PTRS_PER_PTE;
			continue;
		}
		if (err)
			break;
		pgoff = end;
		/* Pages that appeared meanwhile are moved too. */
		m->total = max(m->total, m->done + m->skipped);
		if (m->done + m->skipped >= next_event) {
			mshare_nl_notify_migrate(dom,
						 MSHARE_CMD_DOMAIN_MIGRATE_PROGRESS,
						 m, 0);
			next_event = m->done + m->skipped +
				     MSHARE_MIGRATE_EVENT_PAGES;
		}
		cond_resched();
	}
	if (!err && m->first == 0 && m->last == dom->nr_pages)
		err = mshare_migrate_tables(dom, m->node);
	m->total = max(m->total, m->done + m->skipped);

	atomic64_add(ktime_get_ns() - start, &dom->stats.migrate_ns);
	mutex_unlock(&dom->migrate_lock);
	kvfree(batch);
	mshare_nl_notify_migrate(dom, MSHARE_CMD_DOMAIN_MIGRATED, m, err);
	return err;
}
