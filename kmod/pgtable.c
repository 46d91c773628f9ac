// SPDX-License-Identifier: GPL-2.0
/*
 * A domain's page tables and data pages.
 *
 * At creation a domain gets all its tables: one PMD table per GiB and one
 * PTE table per 2 MiB, the PMD tables pointing at the PTE tables.  They are
 * ordinary page-table pages (PageTable type, counted in NR_PAGETABLE, with
 * a split lock) so that every kernel walker that reaches them through a
 * process link finds what it expects.  Data pages come later, one by one,
 * on first touch (or all at creation with MSHARE_DOMAIN_F_PREFAULT).
 *
 * A data page carries the domain inode's mapping and its page offset, as a
 * page-cache page would, so that shared futexes key on it; it is not on the
 * LRU and never in the rmap (its mapcount stays "unmapped": the kernel
 * never sees these PTEs except through links, and links are cleared before
 * any zap).  The domain holds one reference; GUP pins may hold more and
 * outlive the domain, so a page is freed by its last folio_put(), never
 * directly.
 *
 * A leaf entry is built from vm_get_page_prot() of a shared read-write
 * mapping (so it carries the memory-encryption bit where there is one):
 * present, user, RW, NX, and young and dirty (nothing cleans it; clear_refs
 * and MADV_COLD may clear its accessed bit, which changes nothing else:
 * Documentation/walkers.rst).
 *
 * A huge domain (MSHARE_DOMAIN_F_HUGE, only where the kernel has
 * transparent hugepages: compat.h) gets its PMD tables alone.  A first
 * touch fills a whole 2 MiB: a zeroed 2 MiB folio (large, rmappable, its
 * mapping and index set as for a page, the index that of its first page)
 * mapped by a PMD leaf in the domain's PMD table; where no such folio can
 * be had, a PTE table of its own for that 2 MiB, then 4 KiB pages as
 * above (no reservation pool).  Leaves are set and cleared with the
 * unchecked set_pmd()/pmd_clear(), as leaf PTEs are with set_pte(): the
 * kernel never counts them in page_table_check, and must never zap or
 * split them (the notifier unlinks every process before the kernel walks;
 * fault.c never pmd_populate()s a domain table; a discard clears a leaf
 * before its round's zap, as it does PTEs).  A discard that cuts a leaf
 * splits it by copy: the kept pages are copied into 4 KiB pages under a
 * PTE table of its own, made as a fallback's (struct mshare_split).  A
 * process that links at PMD level holds copies of the leaves (attach.c),
 * which every leaf batch clears; read-only twins of the leaves live in
 * the read-only PMD tables (rdonly.c); migration moves leaves whole
 * (migrate.c).
 *
 * The busy range: while a discard or a migration batch changes the leaves
 * of [busy_first, busy_last), a fault that finds an empty entry there
 * waits (on busy_wait) instead of filling it, so the range's leaves stay
 * clear until the batch has told every mapping (invalidate.c).
 *
 * Locking: a leaf PTE is set and cleared under its PTE table's split lock,
 * a 2 MiB leaf or a huge domain's PTE table entry under its PMD table's;
 * the busy range is set before and read under those locks.  The tables
 * change only when a migration moves them (migrate.c: under the domain's
 * tables_sem held for writing, every link cleared first) and at the
 * domain's release, which runs when no process links to them any more.
 * A discard holds the domain's migrate_lock.  A split clears its leaf,
 * and later installs the new PTE table (or the leaf again), under the
 * PMD table's lock, its 2 MiB busy throughout; the new table is filled
 * before it is published, like a fallback's, and its PTEs are not locked
 * until then.  The copies are made with no lock held but migrate_lock,
 * the folio frozen.
 */
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/page_ref.h>
#include <linux/pagemap.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <asm/pgalloc.h>

#include "internal.h"
#include "trace.h"

#define PTES_PER_TABLE	PTRS_PER_PTE
#define PMDS_PER_TABLE	PTRS_PER_PMD

/*
 * A zeroed page-table page on node @nid (or near it), counted in @dom and
 * charged to its creator's memory cgroup.
 */
struct page *mshare_table_alloc(struct mshare_domain *dom, int nid,
				bool pmd_table)
{
	struct mem_cgroup *old;
	struct page *page;

	old = set_active_memcg(dom->memcg);
	page = alloc_pages_node(nid, GFP_KERNEL | __GFP_ZERO | __GFP_ACCOUNT, 0);
	set_active_memcg(old);
	if (!page)
		return NULL;
	if (!mshare_pgtable_ctor(page, pmd_table)) {
		__free_page(page);
		return NULL;
	}
	atomic_long_inc(&mshare_stats.table_pages);
	atomic_long_inc(&dom->node_tables[page_to_nid(page)]);
	return page;
}

void mshare_table_free(struct mshare_domain *dom, struct page *page)
{
	atomic_long_dec(&dom->node_tables[page_to_nid(page)]);
	mshare_pgtable_dtor(page);
	__free_page(page);
	atomic_long_dec(&mshare_stats.table_pages);
}

static void mshare_data_pages_put(struct mshare_domain *dom,
				  struct list_head *pages)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, pages, lru) {
		list_del(&page->lru);
		mshare_data_page_put(dom, page);
	}
}

/*
 * A huge domain's 2 MiB leaves, at its end (no process links to its tables
 * any more): clear them and let their folios go.
 */
static void mshare_leaves_free(struct mshare_domain *dom)
{
	unsigned int i;

	if (!mshare_dom_huge(dom) || !dom->pmd_tables)
		return;
	for (i = 0; i < dom->nr_pte_tables; i++) {
		struct mshare_table *t = &dom->pmd_tables[i / PMDS_PER_TABLE];
		struct page *page;
		pmd_t *pmdp;
		pmd_t pmd;

		if (!t->page)
			continue;
		pmdp = (pmd_t *)page_address(t->page) + i % PMDS_PER_TABLE;
		pmd = pmdp_get_lockless(pmdp);
		if (!pmd_present(pmd) || !pmd_leaf(pmd))
			continue;
		/* Unchecked, as it was set (page_table_check: pgtable.c top). */
		pmd_clear(pmdp);
		page = pmd_page(pmd);
		mshare_node_pages_add(dom, page, -PTES_PER_TABLE);
		mshare_data_page_put(dom, page);
		atomic_long_sub(PTES_PER_TABLE, &dom->resident);
		cond_resched();
	}
}

/* Free what mshare_tables_alloc() made, including after a partial failure. */
void mshare_tables_free(struct mshare_domain *dom)
{
	unsigned int i, j;

	/* Pages a debug_skip_flush discard kept: no link is left to them. */
	mshare_data_pages_put(dom, &dom->deferred);
	mshare_leaves_free(dom);

	if (dom->pte_tables) {
		for (i = 0; i < dom->nr_pte_tables; i++) {
			struct mshare_table *t = &dom->pte_tables[i];
			pte_t *ptes;

			if (!t->page)
				continue;
			WARN_ON_ONCE(atomic_read(&t->links));
			ptes = page_address(t->page);
			for (j = 0; j < PTES_PER_TABLE; j++) {
				pte_t pte = ptep_get(&ptes[j]);

				if (pte_none(pte))
					continue;
				set_pte(&ptes[j], __pte(0));
				mshare_node_pages_add(dom, pte_page(pte), -1);
				mshare_data_page_put(dom, pte_page(pte));
				atomic_long_dec(&dom->resident);
			}
			cond_resched();
		}
	}
	/*
	 * No process links to any table any more, and each unlink was
	 * followed by a TLB flush of its mm; a lockless walker that read a
	 * link before it was cleared runs under RCU or with interrupts off.
	 */
	synchronize_rcu();
	mshare_ro_tables_free(dom);
	if (dom->pte_tables) {
		for (i = 0; i < dom->nr_pte_tables; i++)
			if (dom->pte_tables[i].page)
				mshare_table_free(dom, dom->pte_tables[i].page);
		kvfree(dom->pte_tables);
		dom->pte_tables = NULL;
	}
	if (dom->pmd_tables) {
		for (i = 0; i < dom->nr_pmd_tables; i++) {
			WARN_ON_ONCE(atomic_read(&dom->pmd_tables[i].links));
			if (dom->pmd_tables[i].page)
				mshare_table_free(dom, dom->pmd_tables[i].page);
		}
		kvfree(dom->pmd_tables);
		dom->pmd_tables = NULL;
	}
}

int mshare_tables_alloc(struct mshare_domain *dom)
{
	unsigned int i;

	dom->nr_pte_tables = dom->size >> PMD_SHIFT;
	dom->nr_pmd_tables = DIV_ROUND_UP(dom->size, PUD_SIZE);
	dom->pmd_tables = kvcalloc(dom->nr_pmd_tables, sizeof(*dom->pmd_tables),
				   GFP_KERNEL);
	dom->pte_tables = kvcalloc(dom->nr_pte_tables, sizeof(*dom->pte_tables),
				   GFP_KERNEL);
	if (!dom->pmd_tables || !dom->pte_tables)
		goto nomem;

	for (i = 0; i < dom->nr_pmd_tables; i++) {
		dom->pmd_tables[i].page = mshare_table_alloc(dom, dom->nid,
							     true);
		if (!dom->pmd_tables[i].page)
			goto nomem;
	}
	/* A huge domain makes a PTE table only where a 2 MiB falls back. */
	for (i = 0; !mshare_dom_huge(dom) && i < dom->nr_pte_tables; i++) {
		struct page *pte_page = mshare_table_alloc(dom, dom->nid, false);
		pmd_t *pmd;

		if (!pte_page)
			goto nomem;
		dom->pte_tables[i].page = pte_page;
		pmd = (pmd_t *)page_address(dom->pmd_tables[i / PMDS_PER_TABLE].page) +
		      i % PMDS_PER_TABLE;
		set_pmd(pmd, __pmd(page_to_phys(pte_page) | _PAGE_TABLE));
		if (i % PMDS_PER_TABLE == PMDS_PER_TABLE - 1) {
			if (fatal_signal_pending(current)) {
				mshare_tables_free(dom);
				return -EINTR;
			}
			cond_resched();
		}
	}
	return 0;

nomem:
	mshare_tables_free(dom);
	return -ENOMEM;
}

/* Whether page @pgoff of @dom is in its busy range. */
static bool mshare_busy(struct mshare_domain *dom, pgoff_t pgoff)
{
	pgoff_t last = READ_ONCE(dom->busy_last);

	smp_rmb();	/* pairs with mshare_busy_begin() */
	return pgoff < last && pgoff >= READ_ONCE(dom->busy_first);
}

/* Pages [@first, @last) of @dom are busy.  Caller holds migrate_lock. */
void mshare_busy_begin(struct mshare_domain *dom, pgoff_t first, pgoff_t last)
{
	WRITE_ONCE(dom->busy_first, first);
	smp_wmb();	/* an empty range stays empty meanwhile */
	WRITE_ONCE(dom->busy_last, last);
}

void mshare_busy_end(struct mshare_domain *dom)
{
	WRITE_ONCE(dom->busy_last, 0);
	wake_up_all(&dom->busy_wait);
}

static void mshare_busy_wait(struct mshare_domain *dom, pgoff_t pgoff)
{
	wait_event_killable(dom->busy_wait, !mshare_busy(dom, pgoff));
}

/*
 * A fill finds page @pgoff busy (its range is being migrated): wait for
 * the range to be done and return true; the caller then returns 0 (the
 * fault is retried and finds the moved page).
 */
static bool mshare_busy_waited(struct mshare_domain *dom, pgoff_t pgoff)
{
	if (!mshare_busy(dom, pgoff))
		return false;
	mshare_busy_wait(dom, pgoff);
	return true;
}

/*
 * Charge what is allocated until mshare_charge_end() to @mm's memory
 * cgroup, or to the creator's (@dom->memcg) when @mm is NULL.
 */
static struct mem_cgroup *mshare_charge_begin(struct mshare_domain *dom,
					      struct mm_struct *mm,
					      struct mem_cgroup **memcg)
{
	*memcg = mm ? mshare_memcg_of_mm(mm) : NULL;
	return set_active_memcg(mm ? *memcg : dom->memcg);
}

static void mshare_charge_end(struct mem_cgroup *old, struct mem_cgroup *memcg)
{
	set_active_memcg(old);
	mem_cgroup_put(memcg);
}

/*
 * A huge domain: make sure the 2 MiB of page @pgoff has a leaf or a PTE
 * table.  A new leaf's folio is charged to @mm's memory cgroup (NULL: the
 * creator's); when no 2 MiB folio can be had, that 2 MiB gets a PTE table
 * of its own (charged to the creator, as every table), which the caller
 * fills with 4 KiB pages.  Returns the pages it mapped (PTRS_PER_PTE for
 * a leaf), 0 if something was there (or a busy range was waited for), or
 * -ENOMEM.
 *
 * The leaf and the table entry are set under the domain PMD table's split
 * lock, the lock the kernel's own walkers take for a PMD entry
 * (pmd_lock()), with an unchecked set_pmd(), as leaf PTEs are set.
 */
static int mshare_fill_pmd(struct mshare_domain *dom, pgoff_t pgoff,
			   struct mm_struct *mm)
{
	struct mshare_table *pmd_table = mshare_pmd_table_of(dom, pgoff);
	struct mshare_table *pte_table = &dom->pte_tables[pgoff / PTES_PER_TABLE];
	pgoff_t first = round_down(pgoff, PTES_PER_TABLE);
	pmd_t *pmdp = mshare_pmdp(dom, pgoff);
	struct page *table_page = NULL, *ro_page = NULL;
	struct mem_cgroup *memcg, *old;
	bool busy = false, table = false;
	struct folio *folio;
	spinlock_t *ptl;
	int ret = 0;

	if (!pmd_none(pmdp_get_lockless(pmdp)))
		return 0;
	if (mshare_busy_waited(dom, pgoff))
		return 0;

	old = mshare_charge_begin(dom, mm, &memcg);
	folio = mshare_data_folio_alloc(dom, first);
	mshare_charge_end(old, memcg);
	if (folio) {
		mshare_account_page_add(&folio->page);
		folio->mapping = dom->inode->i_mapping;
		folio->index = first;
		/* The zeroed contents must be visible before the leaf is. */
		smp_wmb();
	} else {
		table_page = mshare_table_alloc(dom, dom->nid, false);
		if (!table_page)
			return -ENOMEM;
		/* Its read-only twin too, if the domain has them (rdonly.c). */
		if (mshare_ro_exists(dom)) {
			ro_page = mshare_table_alloc(dom, dom->nid, false);
			if (!ro_page) {
				mshare_table_free(dom, table_page);
				return -ENOMEM;
			}
		}
	}

	ptl = mshare_table_ptl(pmd_table);
	spin_lock(ptl);
	if (mshare_busy(dom, pgoff)) {
		busy = true;
	} else if (pmd_none(pmdp_get_lockless(pmdp))) {
		if (folio) {
			set_pmd(pmdp, mshare_mkpmd(dom, folio));
			mshare_ro_leaf_set(dom, pgoff, folio);
			ret = PTES_PER_TABLE;
		} else {
			WRITE_ONCE(pte_table->page, table_page);
			/* pairs with mshare_fill()'s smp_rmb() */
			smp_wmb();
			set_pmd(pmdp, __pmd(page_to_phys(table_page) |
					    _PAGE_TABLE));
			if (ro_page)
				mshare_ro_table_set(dom, pgoff, ro_page);
			table = true;
		}
	}
	spin_unlock(ptl);

	if (ret) {
		atomic_long_add(ret, &dom->resident);
		atomic_add(ret, &pmd_table->resident);
		mshare_node_pages_add(dom, &folio->page, ret);
		return ret;
	}
	if (table) {
		atomic_inc(&dom->pte_tables_made);
	} else if (table_page) {
		mshare_table_free(dom, table_page);
		if (ro_page)
			mshare_table_free(dom, ro_page);
	}
	if (folio)
		mshare_data_page_put(dom, &folio->page);
	if (busy)
		mshare_busy_wait(dom, pgoff);
	return 0;
}

/*
 * Make sure page @pgoff of @dom is present, a new page being charged to
 * @mm's memory cgroup (NULL: the creator's).  Returns the number of pages
 * it mapped (1, or PTRS_PER_PTE for a 2 MiB leaf of a huge domain), 0 if
 * the page was there, -ENOMEM, or -ENOSPC when the domain's policy binds
 * the page to a node that is full.
 * An empty entry in the busy range waits for the batch to end (a migrated
 * page comes back, on its new node; a discarded one is filled then).
 */
int mshare_fill(struct mshare_domain *dom, pgoff_t pgoff, struct mm_struct *mm)
{
	struct mem_cgroup *memcg, *old;
	struct mshare_table *table;
	bool installed = false, busy = false;
	struct folio *folio;
	struct page *page;
	spinlock_t *ptl;
	pte_t *ptep;

	if (mshare_dom_huge(dom)) {
		int ret = mshare_fill_pmd(dom, pgoff, mm);
		pmd_t pmd;

		if (ret)
			return ret;
		/* A leaf, or still nothing (a busy range ended): done. */
		pmd = pmdp_get_lockless(mshare_pmdp(dom, pgoff));
		if (!pmd_present(pmd) || pmd_leaf(pmd))
			return 0;
		/* pairs with mshare_fill_pmd()'s smp_wmb(): the table's page */
		smp_rmb();
	}
	ptep = mshare_ptep(dom, pgoff, &table);
	if (!pte_none(ptep_get(ptep)))
		return 0;
	if (mshare_busy_waited(dom, pgoff))
		return 0;

	old = mshare_charge_begin(dom, mm, &memcg);
	page = mshare_data_page_alloc(dom, pgoff);
	mshare_charge_end(old, memcg);
	if (IS_ERR(page))
		return PTR_ERR(page);
	mshare_account_page_add(page);
	folio = page_folio(page);
	folio->mapping = dom->inode->i_mapping;
	folio->index = pgoff;
	/* The zeroed contents must be visible before the PTE is. */
	smp_wmb();

	ptl = mshare_table_ptl(table);
	spin_lock(ptl);
	if (mshare_busy(dom, pgoff)) {
		busy = true;
	} else if (pte_none(ptep_get(ptep))) {
		set_pte(ptep, mshare_mkpte(dom, page));
		mshare_ro_set(dom, pgoff, page);
		installed = true;
	}
	spin_unlock(ptl);

	if (installed) {
		atomic_long_inc(&dom->resident);
		atomic_inc(&table->resident);
		atomic_inc(&mshare_pmd_table_of(dom, pgoff)->resident);
		mshare_node_pages_add(dom, page, 1);
		return 1;
	}
	mshare_data_page_put(dom, page);
	if (busy)
		mshare_busy_wait(dom, pgoff);
	return 0;
}

int mshare_prefault(struct mshare_domain *dom)
{
	pgoff_t pgoff;
	int err;

	for (pgoff = 0; pgoff < dom->nr_pages; pgoff++) {
		err = mshare_fill(dom, pgoff, NULL);
		if (err < 0)
			return err;
		/* A 2 MiB leaf: on to the next 2 MiB. */
		if (mshare_dom_huge(dom) &&
		    pmd_leaf(pmdp_get_lockless(mshare_pmdp(dom, pgoff))))
			pgoff |= PTES_PER_TABLE - 1;
		if (pgoff % PTES_PER_TABLE == PTES_PER_TABLE - 1) {
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
	}
	return 0;
}

/*
 * The folio of the leaf over page @pgoff of huge @dom, or NULL (a PTE table
 * or nothing); read under its PMD table's lock, so that a fill that set it
 * before the busy range began is seen (and one after it sees the busy
 * range).  Caller holds migrate_lock with the 2 MiB busy: the leaf stays.
 */
static struct folio *mshare_leaf_at(struct mshare_domain *dom, pgoff_t pgoff)
{
	spinlock_t *ptl = mshare_table_ptl(mshare_pmd_table_of(dom, pgoff));
	struct folio *folio = NULL;
	pmd_t pmd;

	spin_lock(ptl);
	pmd = pmdp_get_lockless(mshare_pmdp(dom, pgoff));
	if (pmd_present(pmd) && pmd_leaf(pmd))
		folio = page_folio(pmd_page(pmd));
	spin_unlock(ptl);
	return folio;
}

/*
 * A discard that cuts a 2 MiB leaf ("split by copy"): pages [@lo, @hi) of
 * the 2 MiB from @base go, the others are copied into 4 KiB pages that a
 * PTE table of its own maps from then on, and the folio is freed.  The
 * table and the pages are allocated before anything changes; the leaf is
 * cleared with the discard's other entries (the 2 MiB is busy), the copy
 * is made after the discard's round, with the folio frozen (no pin, no
 * mapping can reach it).  A folio that is pinned (it cannot be frozen) or
 * a split that found no memory keeps its leaf, and the discarded pages
 * are zeroed in place: they read as zeros as after any discard, but the
 * memory stays (counted in the trace event's "zeroed").
 */
struct mshare_split {
	pgoff_t base, lo, hi;
	struct folio *folio;		/* the leaf */
	struct page *table;		/* NULL: zero in place, keep the leaf */
	struct page *ro_table;		/* its read-only twin, if any */
	struct list_head pages;		/* the kept pages' copies */
	pmd_t pmd;			/* the leaf entry, once cleared */
	bool cleared;
};

/* Undo what mshare_split_prepare() allocated. */
static void mshare_split_drop(struct mshare_domain *dom,
			      struct mshare_split *s)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, &s->pages, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	if (s->table)
		mshare_table_free(dom, s->table);
	if (s->ro_table)
		mshare_table_free(dom, s->ro_table);
	s->table = NULL;
	s->ro_table = NULL;
}

/* The copies' memory, on the folio's node and charged where it is. */
static void mshare_split_prepare(struct mshare_domain *dom,
				 struct mshare_split *s, struct folio *folio,
				 pgoff_t base, pgoff_t lo, pgoff_t hi)
{
	unsigned int i, kept = PTES_PER_TABLE - (hi - lo);
	struct mem_cgroup *memcg, *old;
	struct page *page;

	s->base = base;
	s->lo = lo;
	s->hi = hi;
	s->folio = folio;
	s->cleared = false;
	s->ro_table = NULL;
	INIT_LIST_HEAD(&s->pages);
	s->table = mshare_table_alloc(dom, folio_nid(folio), false);
	if (!s->table)
		return;
	/* The read-only twin of the new table (rdonly.c), if twins exist. */
	if (mshare_ro_exists(dom)) {
		s->ro_table = mshare_table_alloc(dom, folio_nid(folio), false);
		if (!s->ro_table) {
			mshare_split_drop(dom, s);
			return;
		}
	}
	memcg = mshare_memcg_of_page(&folio->page);
	old = set_active_memcg(memcg);
	for (i = 0; i < kept; i++) {
		page = alloc_pages_node(folio_nid(folio), GFP_HIGHUSER |
					__GFP_THISNODE | __GFP_NOWARN |
					__GFP_NORETRY | __GFP_ACCOUNT, 0);
		if (!page)
			break;
		list_add_tail(&page->lru, &s->pages);
	}
	mshare_charge_end(old, memcg);
	if (i != kept)
		mshare_split_drop(dom, s);
}

static void mshare_split_zero(struct mshare_split *s)
{
	pgoff_t i;

	for (i = s->lo; i < s->hi; i++)
		clear_highpage(folio_page(s->folio, i - s->base));
}

/*
 * In the discard's loop, with the other entries: clear the leaf (or, with
 * no memory for the split, zero its discarded pages in place, which
 * changes no entry).  Returns the pages cleared (PTRS_PER_PTE or 0); one
 * flush address goes into @pgoffs (an INVLPG of any address of a 2 MiB
 * page drops it).
 */
static unsigned long mshare_split_clear(struct mshare_domain *dom,
					struct mshare_split *s,
					pgoff_t *pgoffs, unsigned long *n)
{
	struct mshare_table *pmd_table = mshare_pmd_table_of(dom, s->base);
	spinlock_t *ptl = mshare_table_ptl(pmd_table);
	pmd_t *pmdp = mshare_pmdp(dom, s->base);

	if (!s->table) {
		mshare_split_zero(s);
		return 0;
	}
	spin_lock(ptl);
	s->pmd = pmdp_get_lockless(pmdp);
	/* Busy, under migrate_lock: the leaf mshare_leaf_at() saw. */
	if (WARN_ON_ONCE(!pmd_leaf(s->pmd) ||
			 page_folio(pmd_page(s->pmd)) != s->folio)) {
		spin_unlock(ptl);
		mshare_split_drop(dom, s);
		return 0;
	}
	/* Unchecked, as it was set. */
	pmd_clear(pmdp);
	mshare_ro_leaf_set(dom, s->base, NULL);
	s->cleared = true;
	spin_unlock(ptl);
	mshare_node_pages_add(dom, &s->folio->page, -PTES_PER_TABLE);
	/* Before the round: attachers' RSS follows (attach.c). */
	atomic_sub(PTES_PER_TABLE, &pmd_table->resident);
	if (*n < MSHARE_FLUSH_CEILING)
		pgoffs[*n] = s->lo;
	(*n)++;
	return PTES_PER_TABLE;
}

/*
 * After the discard's round: copy the kept pages of a cleared leaf into
 * their new pages and install the PTE table that maps them (the folio goes
 * onto @pages, freed by the caller), or, if the folio is pinned, zero the
 * discarded pages in place and install the leaf again.  Returns the pages
 * now mapped there (the kept ones, or PTRS_PER_PTE).
 */
static unsigned long mshare_split_finish(struct mshare_domain *dom,
					 struct mshare_split *s,
					 struct list_head *pages)
{
	struct mshare_table *pmd_table = mshare_pmd_table_of(dom, s->base);
	struct mshare_table *pte_table = &dom->pte_tables[s->base /
							  PTES_PER_TABLE];
	spinlock_t *ptl = mshare_table_ptl(pmd_table);
	pmd_t *pmdp = mshare_pmdp(dom, s->base);
	pte_t *ptes = page_address(s->table);
	unsigned long kept = 0;
	unsigned int i;

	if (!folio_ref_freeze(s->folio, 1)) {
		/* Pinned: the pin may still use it; it stays whole. */
		mshare_split_drop(dom, s);
		mshare_split_zero(s);
		/* The zeroes must be visible before the leaf is. */
		smp_wmb();
		spin_lock(ptl);
		set_pmd(pmdp, s->pmd);
		mshare_ro_leaf_set(dom, s->base, s->folio);
		spin_unlock(ptl);
		mshare_node_pages_add(dom, &s->folio->page, PTES_PER_TABLE);
		atomic_add(PTES_PER_TABLE, &pmd_table->resident);
		return PTES_PER_TABLE;
	}
	for (i = 0; i < PTES_PER_TABLE; i++) {
		struct page *page;
		struct folio *new;

		if (s->base + i >= s->lo && s->base + i < s->hi)
			continue;
		page = list_first_entry(&s->pages, struct page, lru);
		list_del(&page->lru);
		copy_highpage(page, folio_page(s->folio, i));
		new = page_folio(page);
		new->mapping = dom->inode->i_mapping;
		new->index = s->base + i;
		mshare_account_page_add(page);
		mshare_node_pages_add(dom, page, 1);
		/* The tables are not published yet: no lock. */
		set_pte(&ptes[i], mshare_mkpte(dom, page));
		if (s->ro_table)
			set_pte((pte_t *)page_address(s->ro_table) + i,
				mshare_mkpte_ro(dom, page));
		kept++;
	}
	folio_ref_unfreeze(s->folio, 1);
	atomic_add(kept, &pte_table->resident);
	/* The copies and their entries must be visible before the table. */
	smp_wmb();
	spin_lock(ptl);
	WRITE_ONCE(pte_table->page, s->table);
	/* pairs with mshare_fill()'s smp_rmb() */
	smp_wmb();
	set_pmd(pmdp, __pmd(page_to_phys(s->table) | _PAGE_TABLE));
	if (s->ro_table)
		mshare_ro_table_set(dom, s->base, s->ro_table);
	spin_unlock(ptl);
	atomic_inc(&dom->pte_tables_made);
	atomic_add(kept, &pmd_table->resident);
	s->table = NULL;
	s->ro_table = NULL;
	list_add_tail(&s->folio->page.lru, pages);
	return kept;
}

/*
 * A huge domain's discard of the 2 MiB from page *@pgoff (2 MiB-aligned,
 * the whole 2 MiB in the range): clear its leaf, if any, under its PMD
 * table's lock, and advance *@pgoff past it; or, if it is a PTE table
 * (a 2 MiB that fell back), leave *@pgoff for the caller's PTE loop and
 * return false.  One address per leaf goes into @pgoffs (an INVLPG of
 * any address of a 2 MiB page drops it), its folio onto @pages.
 */
static bool mshare_discard_pmd(struct mshare_domain *dom, pgoff_t *pgoff,
			       struct list_head *pages, pgoff_t *pgoffs,
			       unsigned long *n, unsigned long *nr_pages)
{
	struct mshare_table *pmd_table = mshare_pmd_table_of(dom, *pgoff);
	spinlock_t *ptl = mshare_table_ptl(pmd_table);
	pmd_t *pmdp = mshare_pmdp(dom, *pgoff);
	pmd_t pmd;

	spin_lock(ptl);
	pmd = pmdp_get_lockless(pmdp);
	if (pmd_present(pmd) && !pmd_leaf(pmd)) {
		spin_unlock(ptl);
		return false;
	}
	if (pmd_leaf(pmd)) {
		/* Unchecked, as it was set. */
		pmd_clear(pmdp);
		mshare_ro_leaf_set(dom, *pgoff, NULL);
		mshare_node_pages_add(dom, pmd_page(pmd), -PTES_PER_TABLE);
		list_add_tail(&pmd_page(pmd)->lru, pages);
		if (*n < MSHARE_FLUSH_CEILING)
			pgoffs[*n] = *pgoff;
		(*n)++;
		*nr_pages += PTES_PER_TABLE;
	}
	spin_unlock(ptl);
	if (pmd_leaf(pmd))	/* before the round: RSS follows */
		atomic_sub(PTES_PER_TABLE, &pmd_table->resident);
	*pgoff += PTES_PER_TABLE;
	return true;
}

/*
 * A huge domain: the 2 MiB around each end of [@first, @last) that the
 * range cuts, if it is a leaf, goes into @split (prepared: its memory is
 * allocated).  Returns how many (0 to 2).
 */
static unsigned int mshare_splits_prepare(struct mshare_domain *dom,
					  pgoff_t first, pgoff_t last,
					  struct mshare_split *split)
{
	pgoff_t ends[2] = { round_down(first, PTES_PER_TABLE),
			    round_down(last - 1, PTES_PER_TABLE) };
	unsigned int i, nr = 0;

	for (i = 0; i < 2; i++) {
		pgoff_t base = ends[i];
		struct folio *folio;

		if ((i && base == ends[0]) ||
		    (first <= base && base + PTES_PER_TABLE <= last))
			continue;
		folio = mshare_leaf_at(dom, base);
		if (folio)
			mshare_split_prepare(dom, &split[nr++], folio, base,
					     max(first, base),
					     min(last, base + PTES_PER_TABLE));
	}
	return nr;
}

/*
 * Discard domain bytes [@offset, @offset + @len), page-aligned and within
 * the domain (checked by the caller): clear the leaf entries (the range is
 * busy meanwhile), tell every mapping and its secondary MMUs and shoot
 * down every attacher's TLBs in one round (invalidate.c), then free the
 * pages.  The next touch of a discarded page sees zeros.  A write that
 * races the discard may land in the old page and be lost, as with hole
 * punching.  In a huge domain a 2 MiB leaf inside the range goes whole;
 * one the range cuts (at either end) is split by copy (struct
 * mshare_split), or, pinned or short of memory, zeroed in place.
 */
int mshare_domain_discard(struct mshare_domain *dom, u64 offset, u64 len)
{
	pgoff_t first = offset >> PAGE_SHIFT;
	pgoff_t last = first + (len >> PAGE_SHIFT);
	pgoff_t busy_first = first, busy_last = last;
	pgoff_t inv_first = first, inv_last = last;
	pgoff_t pgoffs[MSHARE_FLUSH_CEILING];
	bool skip_flush = mshare_debug_skip_flush;
	bool huge = mshare_dom_huge(dom);
	unsigned long n = 0, nr_pages = 0, gone = 0;
	struct mshare_split split[2];
	unsigned int nr_split = 0, nr_splits = 0, nr_zeroed = 0, i;
	pgoff_t pgoff = first;
	LIST_HEAD(pages);

	/*
	 * A huge domain: no leaf may appear in the 2 MiB around either end
	 * meanwhile (a fill anywhere in a 2 MiB makes its leaf), and a leaf
	 * there that the range cuts is split: its whole 2 MiB is busy.
	 */
	if (huge) {
		busy_first = round_down(first, PTES_PER_TABLE);
		busy_last = min_t(pgoff_t, round_up(last, PTES_PER_TABLE),
				  dom->nr_pages);
	}
	mutex_lock(&dom->migrate_lock);
	mshare_busy_begin(dom, busy_first, busy_last);
	if (huge)
		nr_split = mshare_splits_prepare(dom, first, last, split);
	while (pgoff < last) {
		struct mshare_table *table, *pmd_table;
		unsigned long before = n;
		spinlock_t *ptl;
		pte_t *ptep;

		for (i = 0; i < nr_split; i++)
			if (split[i].base == round_down(pgoff, PTES_PER_TABLE))
				break;
		if (i < nr_split) {
			nr_pages += mshare_split_clear(dom, &split[i], pgoffs,
						       &n);
			pgoff = split[i].hi;
			continue;
		}
		if (huge && !(pgoff % PTES_PER_TABLE) &&
		    pgoff + PTES_PER_TABLE <= last &&
		    mshare_discard_pmd(dom, &pgoff, &pages, pgoffs, &n,
				       &nr_pages)) {
			cond_resched();
			continue;
		}
		/* A huge domain's 2 MiB with nothing in it: nothing to do. */
		if (huge && pmd_none(pmdp_get_lockless(mshare_pmdp(dom, pgoff)))) {
			pgoff = min(round_down(pgoff, PTES_PER_TABLE) +
				    PTES_PER_TABLE, last);
			continue;
		}
		/* pairs with mshare_fill_pmd()'s smp_wmb(): the table's page */
		smp_rmb();
		ptep = mshare_ptep(dom, pgoff, &table);
		ptl = mshare_table_ptl(table);
		pmd_table = mshare_pmd_table_of(dom, pgoff);
		spin_lock(ptl);
		do {
			pte_t pte = ptep_get(ptep);

			if (!pte_none(pte)) {
				set_pte(ptep, __pte(0));
				mshare_ro_set(dom, pgoff, NULL);
				mshare_node_pages_add(dom, pte_page(pte), -1);
				list_add_tail(&pte_page(pte)->lru, &pages);
				if (n < MSHARE_FLUSH_CEILING)
					pgoffs[n] = pgoff;
				n++;
				nr_pages++;
			}
			ptep++;
			pgoff++;
		} while (pgoff < last && pgoff % PTES_PER_TABLE);
		spin_unlock(ptl);
		/* Before the round: attachers' RSS follows (attach.c). */
		atomic_sub(n - before, &table->resident);
		atomic_sub(n - before, &pmd_table->resident);
		cond_resched();
	}
	atomic_long_sub(nr_pages, &dom->resident);

	/*
	 * A leaf zeroed in place stays, and the kernel's walk of the range
	 * through a PUD link would clear it (its 2 MiB only partly in the
	 * range: __split_huge_pmd() of a VM_MIXEDMAP VMA clears and returns):
	 * the walk leaves out its 2 MiB, whose entries did not change.
	 */
	for (i = 0; i < nr_split; i++) {
		if (split[i].cleared)
			continue;
		if (split[i].base <= inv_first)
			inv_first = split[i].base + PTES_PER_TABLE;
		if (split[i].base + PTES_PER_TABLE >= inv_last)
			inv_last = split[i].base;
	}

	/*
	 * Nothing was present: no mapping can have seen anything.  A split
	 * leaf's 2 MiB has pages in [first, last): the notifier sees it, and
	 * clears the leaf's copies there (attach.c).
	 */
	if (n && inv_first < inv_last)
		mshare_invalidate(dom, inv_first, inv_last,
				  skip_flush ? MSHARE_INVAL_NOFLUSH : 0,
				  pgoffs, min_t(unsigned long, n, UINT_MAX),
				  nr_pages);
	/* Still busy: the split 2 MiB stay empty until their new entries. */
	gone = nr_pages;
	for (i = 0; i < nr_split; i++) {
		unsigned long mapped;

		if (!split[i].cleared) {
			nr_zeroed += !split[i].table;
			mshare_split_drop(dom, &split[i]);
			continue;
		}
		mapped = mshare_split_finish(dom, &split[i], &pages);
		atomic_long_add(mapped, &dom->resident);
		gone -= mapped;
		if (mapped == PTES_PER_TABLE)
			nr_zeroed++;
		else
			nr_splits++;
	}
	if (skip_flush) {
		/* Test builds: kept until the domain goes, never reused. */
		spin_lock(&dom->deferred_lock);
		list_splice_tail_init(&pages, &dom->deferred);
		spin_unlock(&dom->deferred_lock);
	}
	mshare_busy_end(dom);
	mutex_unlock(&dom->migrate_lock);
	/* After the round: no TLB can reach these pages any more. */
	mshare_data_pages_put(dom, &pages);
	trace_mshare_discard(dom, offset, len, gone, nr_splits, nr_zeroed);
	return 0;
}
