// SPDX-License-Identifier: GPL-2.0
/*
 * Where domain memory is accounted (Documentation/accounting.rst).
 *
 * Memory cgroups: every page the module allocates is charged
 * (__GFP_ACCOUNT, with set_active_memcg()): a data page to the memory
 * cgroup of the mm whose fault brings it in, as shmem charges the first
 * toucher (so memory.max of a cgroup bounds what its members make the
 * kernel hold through a domain, whoever created it); a page made at
 * creation (prefault) and the domain's tables to the creator's cgroup; a
 * migrated page to the cgroup its old copy was charged to.  A charge goes
 * when the page is freed.
 *
 * Counters: a data page counts in the kernel's Shmem (node and memory
 * cgroup, so /proc/meminfo's Shmem, free's "shared" and memory.stat's shmem
 * show domain memory) and in the module's data_pages, from its allocation
 * to its release.
 *
 * Orphans: a page leaves its domain (discard, migration, the domain's
 * end) while a GUP pin (O_DIRECT, io_uring, vmsplice...) may still hold
 * it.  The module then keeps its own reference, with the page still
 * charged and counted, on an orphan list, and drops it (the last one) once
 * the pins are gone, checked every second; so a cgroup cannot make the
 * kernel hold more than it is charged for by pinning pages and discarding
 * them.  At module exit the orphans are let go (uncounted) to their pins.
 *
 * Locking: mshare_orphans_lock (spinlock, leaf) guards the orphan list.
 */
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/page_ref.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "internal.h"

static LIST_HEAD(mshare_orphans);
static DEFINE_SPINLOCK(mshare_orphans_lock);
static void mshare_orphans_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(mshare_orphans_reaper, mshare_orphans_work);

#define MSHARE_ORPHAN_PERIOD	HZ

/*
 * The memory cgroup of @mm (referenced; NULL without one): what a fault of
 * @mm charges.
 */
struct mem_cgroup *mshare_memcg_of_mm(struct mm_struct *mm)
{
	return mm ? get_mem_cgroup_from_mm(mm) : NULL;
}

/* A reference on @memcg unless it is going (a kernel without memcg: none). */
static bool mshare_memcg_tryget(struct mem_cgroup *memcg)
{
#ifdef CONFIG_MEMCG
	return css_tryget(&memcg->css);
#else
	return false;
#endif
}

/* The cgroup @page is charged to (referenced; NULL if none). */
struct mem_cgroup *mshare_memcg_of_page(struct page *page)
{
	struct mem_cgroup *memcg;

	rcu_read_lock();
	memcg = folio_memcg(page_folio(page));
	if (memcg && !mshare_memcg_tryget(memcg))
		memcg = NULL;
	rcu_read_unlock();
	return memcg;
}

/*
 * A page (a 2 MiB folio: its 512 pages) enters the domain's accounting (it
 * was just allocated).
 */
void mshare_account_page_add(struct page *page)
{
	struct folio *folio = page_folio(page);
	long nr = folio_nr_pages(folio);

	lruvec_stat_mod_folio(folio, NR_SHMEM, nr);
	atomic_long_add(nr, &mshare_stats.data_pages);
}

static void mshare_account_page_sub(struct page *page)
{
	struct folio *folio = page_folio(page);
	long nr = folio_nr_pages(folio);

	lruvec_stat_mod_folio(folio, NR_SHMEM, -nr);
	atomic_long_sub(nr, &mshare_stats.data_pages);
}

/* Drop our reference if it is the last one: whether it was. */
static bool mshare_page_release_if_last(struct page *page)
{
	struct folio *folio = page_folio(page);

	if (!folio_ref_freeze(folio, 1))
		return false;
	folio_ref_unfreeze(folio, 1);
	mshare_account_page_sub(page);
	folio_put(folio);
	return true;
}

/*
 * Drop the domain's reference to a data page that no entry maps any more
 * (the caller has done the per-node accounting): now if it is the last,
 * else once the pins are gone.
 */
void mshare_data_page_put(struct mshare_domain *dom, struct page *page)
{
	struct folio *folio = page_folio(page);

	/* Pins may outlive us: they must not find a dead mapping. */
	folio_lock(folio);
	folio->mapping = NULL;
	folio_unlock(folio);
	if (mshare_page_release_if_last(page))
		return;
	spin_lock(&mshare_orphans_lock);
	if (list_empty(&mshare_orphans))
		schedule_delayed_work(&mshare_orphans_reaper,
				      MSHARE_ORPHAN_PERIOD);
	list_add_tail(&page->lru, &mshare_orphans);
	atomic_long_add(folio_nr_pages(folio), &mshare_stats.orphan_pages);
	spin_unlock(&mshare_orphans_lock);
}

static void mshare_orphans_work(struct work_struct *work)
{
	struct page *page, *tmp;
	LIST_HEAD(done);
	bool again;

	spin_lock(&mshare_orphans_lock);
	list_for_each_entry_safe(page, tmp, &mshare_orphans, lru) {
		if (folio_ref_count(page_folio(page)) == 1)
			list_move(&page->lru, &done);
	}
	spin_unlock(&mshare_orphans_lock);

	list_for_each_entry_safe(page, tmp, &done, lru) {
		long nr = folio_nr_pages(page_folio(page));

		list_del_init(&page->lru);
		if (mshare_page_release_if_last(page)) {
			atomic_long_sub(nr, &mshare_stats.orphan_pages);
			continue;
		}
		/* Pinned again meanwhile: keep waiting. */
		spin_lock(&mshare_orphans_lock);
		list_add_tail(&page->lru, &mshare_orphans);
		spin_unlock(&mshare_orphans_lock);
	}

	spin_lock(&mshare_orphans_lock);
	again = !list_empty(&mshare_orphans);
	spin_unlock(&mshare_orphans_lock);
	if (again)
		schedule_delayed_work(&mshare_orphans_reaper,
				      MSHARE_ORPHAN_PERIOD);
}

/* Module exit: the pins keep their pages; we stop counting them. */
void mshare_account_exit(void)
{
	struct page *page, *tmp;

	cancel_delayed_work_sync(&mshare_orphans_reaper);
	list_for_each_entry_safe(page, tmp, &mshare_orphans, lru) {
		list_del_init(&page->lru);
		mshare_account_page_sub(page);
		atomic_long_sub(folio_nr_pages(page_folio(page)),
				&mshare_stats.orphan_pages);
		put_page(page);
	}
}
