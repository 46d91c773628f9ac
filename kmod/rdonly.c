// SPDX-License-Identifier: GPL-2.0
/*
 * Read-only attachments (MSHARE_ATTACH_F_RDONLY): a second set of tables.
 *
 * Every attacher links to the domain's tables, whose leaf entries are
 * writable.  A process that may only read (SHM_RDONLY, or read permission
 * alone) needs entries without the write bit; the upper levels cannot
 * carry that restriction (x86's pmd_bad()/pud_bad() take a table entry
 * without RW for a corrupt one), so read-only attachers link to tables of
 * their own: one PMD table per GiB and one PTE table per 2 MiB, as for the
 * domain, whose leaf entries map the same pages read-only, clean and
 * young.  A domain of 2 MiB leaves (pgtable.c) has read-only twins of its
 * leaves in the read-only PMD tables, and a read-only PTE table only
 * where it has a PTE table (a 2 MiB that fell back to 4 KiB pages); a
 * process that copies leaves (PMD level) copies read-only ones.  All
 * read-only attachers share them.  They are made on the first
 * read-only attach and live until the domain goes; a migration of the
 * whole domain moves them with the domain's (migrate.c).
 *
 * Every change to a leaf entry of the domain (fill, discard, migration,
 * the domain's end) is made to both sets: under the domain table's lock,
 * then the read-only table's (nested: both are page-table locks).  The
 * invalidation batches (invalidate.c) cover links to either set, since a
 * read-only table spans the same pages as its writable twin.
 *
 * Locking: the read-only tables are made with the domain's migrate_lock
 * and tables_sem (for writing) held, so that no fill, discard or
 * migration runs meanwhile; they are published with a release store and
 * read with an acquire load.
 */
#include <linux/mm.h>
#include <linux/slab.h>

#include "internal.h"

/* A read-only leaf entry for @page. */
pte_t mshare_mkpte_ro(struct mshare_domain *dom, struct page *page)
{
	return pte_mkyoung(mk_pte(page, dom->ro_pgprot));
}

/* A read-only 2 MiB leaf entry for @folio. */
pmd_t mshare_mkpmd_ro(struct mshare_domain *dom, struct folio *folio)
{
	return pmd_mkyoung(pmd_mkhuge(pfn_pmd(folio_pfn(folio),
				pgprot_4k_2_large(dom->ro_pgprot))));
}

/* The read-only twin of the 2 MiB entry of @pgoff in huge @dom, or NULL. */
static pmd_t *mshare_ro_pmdp(struct mshare_domain *dom, pgoff_t pgoff,
			     spinlock_t **ptl)
{
	/* Pairs with mshare_ro_build_locked(): the tables are complete. */
	struct mshare_table *ro = smp_load_acquire(&dom->ro_pte_tables);
	struct mshare_table *pmd;

	if (!ro)
		return NULL;
	pmd = &dom->ro_pmd_tables[pgoff >> (PUD_SHIFT - PAGE_SHIFT)];
	*ptl = mshare_table_ptl(pmd);
	return (pmd_t *)page_address(pmd->page) +
	       (pgoff >> PMD_ORDER) % PTRS_PER_PMD;
}

/*
 * Set (@folio NULL: clear) the read-only twin of huge @dom's 2 MiB leaf
 * of @pgoff.  Caller holds the domain PMD table's lock of @pgoff.
 */
void mshare_ro_leaf_set(struct mshare_domain *dom, pgoff_t pgoff,
			struct folio *folio)
{
	spinlock_t *ptl;
	pmd_t *pmdp = mshare_ro_pmdp(dom, pgoff, &ptl);

	if (!pmdp)
		return;
	spin_lock_nested(ptl, SINGLE_DEPTH_NESTING);
	/* Unchecked, as the domain's own leaves (pgtable.c). */
	if (folio)
		set_pmd(pmdp, mshare_mkpmd_ro(dom, folio));
	else
		pmd_clear(pmdp);
	spin_unlock(ptl);
}

/*
 * Whether huge @dom has read-only twins, so that a 2 MiB falling back to
 * (or split into) a PTE table needs a read-only one too
 * (mshare_ro_table_set()).  Stable while tables_sem or migrate_lock is
 * held: the twins are made with both held (tables_sem for writing).
 */
bool mshare_ro_exists(struct mshare_domain *dom)
{
	/* Pairs with mshare_ro_build_locked(): the tables are complete. */
	return smp_load_acquire(&dom->ro_pte_tables);
}

/*
 * Give huge @dom's 2 MiB of @pgoff the empty read-only PTE table @page,
 * the twin of the PTE table it just got.  Caller holds the domain PMD
 * table's lock of @pgoff, and tables_sem.
 */
void mshare_ro_table_set(struct mshare_domain *dom, pgoff_t pgoff,
			 struct page *page)
{
	spinlock_t *ptl;
	pmd_t *pmdp = mshare_ro_pmdp(dom, pgoff, &ptl);

	if (WARN_ON_ONCE(!pmdp))
		return;
	WRITE_ONCE(dom->ro_pte_tables[pgoff / PTRS_PER_PTE].page, page);
	/* pairs with the smp_rmb() of the readers of the PMD entry */
	smp_wmb();
	spin_lock_nested(ptl, SINGLE_DEPTH_NESTING);
	set_pmd(pmdp, __pmd(page_to_phys(page) | _PAGE_TABLE));
	spin_unlock(ptl);
}

/* The read-only twin of the leaf entry of @pgoff, or NULL if none exist. */
pte_t *mshare_ro_ptep(struct mshare_domain *dom, pgoff_t pgoff,
		      struct mshare_table **table)
{
	/* Pairs with mshare_ro_build_locked(): the tables are complete. */
	struct mshare_table *ro = smp_load_acquire(&dom->ro_pte_tables);

	if (!ro)
		return NULL;
	*table = &ro[pgoff / PTRS_PER_PTE];
	return (pte_t *)page_address((*table)->page) + pgoff % PTRS_PER_PTE;
}

/*
 * Set (@pte_none: clear) the read-only twin of @pgoff to map @page.
 * Caller holds the domain table's lock of @pgoff.
 */
void mshare_ro_set(struct mshare_domain *dom, pgoff_t pgoff,
		   struct page *page)
{
	struct mshare_table *table;
	pte_t *ptep = mshare_ro_ptep(dom, pgoff, &table);
	spinlock_t *ptl;

	if (!ptep)
		return;
	ptl = mshare_table_ptl(table);
	spin_lock_nested(ptl, SINGLE_DEPTH_NESTING);
	set_pte(ptep, page ? mshare_mkpte_ro(dom, page) : __pte(0));
	spin_unlock(ptl);
}

/* Free a set of read-only tables (no link to any is left). */
static void mshare_ro_free(struct mshare_domain *dom,
			   struct mshare_table *pmd, struct mshare_table *pte)
{
	unsigned int i;

	for (i = 0; pte && i < dom->nr_pte_tables; i++) {
		WARN_ON_ONCE(atomic_read(&pte[i].links));
		if (pte[i].page)
			mshare_table_free(dom, pte[i].page);
	}
	for (i = 0; pmd && i < dom->nr_pmd_tables; i++) {
		WARN_ON_ONCE(atomic_read(&pmd[i].links));
		if (pmd[i].page)
			mshare_table_free(dom, pmd[i].page);
	}
	kvfree(pte);
	kvfree(pmd);
}

/*
 * Make the read-only tables from the domain's, on its home node.  Caller
 * holds migrate_lock and tables_sem for writing: no leaf changes.
 */
int mshare_ro_build_locked(struct mshare_domain *dom)
{
	struct mshare_table *pmd, *pte;
	unsigned int i, j;

	lockdep_assert_held(&dom->migrate_lock);
	lockdep_assert_held_write(&dom->tables_sem);
	pmd = kvcalloc(dom->nr_pmd_tables, sizeof(*pmd), GFP_KERNEL);
	pte = kvcalloc(dom->nr_pte_tables, sizeof(*pte), GFP_KERNEL);
	if (!pmd || !pte)
		goto nomem;
	for (i = 0; i < dom->nr_pmd_tables; i++) {
		pmd[i].page = mshare_table_alloc(dom, dom->nid, true);
		if (!pmd[i].page)
			goto nomem;
	}
	for (i = 0; i < dom->nr_pte_tables; i++) {
		pmd_t *pmdp = (pmd_t *)page_address(pmd[i / PTRS_PER_PMD].page) +
			      i % PTRS_PER_PMD;
		pte_t *src, *dst;

		cond_resched();
		if (mshare_dom_huge(dom)) {
			/* A leaf's twin; nothing; or a table as below. */
			pmd_t e = pmdp_get_lockless(mshare_pmdp(dom,
						(pgoff_t)i * PTRS_PER_PTE));

			if (pmd_present(e) && pmd_leaf(e))
				set_pmd(pmdp, mshare_mkpmd_ro(dom,
						page_folio(pmd_page(e))));
			if (!pmd_present(e) || pmd_leaf(e))
				continue;
		}
		src = page_address(dom->pte_tables[i].page);
		pte[i].page = mshare_table_alloc(dom, dom->nid, false);
		if (!pte[i].page)
			goto nomem;
		dst = page_address(pte[i].page);
		for (j = 0; j < PTRS_PER_PTE; j++) {
			pte_t e = ptep_get(&src[j]);

			if (!pte_none(e))
				set_pte(&dst[j], mshare_mkpte_ro(dom,
								 pte_page(e)));
		}
		set_pmd(pmdp, __pmd(page_to_phys(pte[i].page) | _PAGE_TABLE));
	}
	dom->ro_pmd_tables = pmd;
	/* The tables are complete before faults can find them. */
	smp_store_release(&dom->ro_pte_tables, pte);
	return 0;

nomem:
	mshare_ro_free(dom, pmd, pte);
	return -ENOMEM;
}

/* Make the read-only tables if they do not exist yet (a read-only attach). */
int mshare_ro_tables_get(struct mshare_domain *dom)
{
	int err = 0;

	/* Pairs with mshare_ro_build_locked(). */
	if (smp_load_acquire(&dom->ro_pte_tables))
		return 0;
	if (mutex_lock_interruptible(&dom->migrate_lock))
		return -EINTR;
	down_write(&dom->tables_sem);
	if (!dom->ro_pte_tables)
		err = mshare_ro_build_locked(dom);
	up_write(&dom->tables_sem);
	mutex_unlock(&dom->migrate_lock);
	return err;
}

/* The domain's end: no link to any table is left. */
void mshare_ro_tables_free(struct mshare_domain *dom)
{
	mshare_ro_free(dom, dom->ro_pmd_tables, dom->ro_pte_tables);
	dom->ro_pmd_tables = NULL;
	dom->ro_pte_tables = NULL;
}
