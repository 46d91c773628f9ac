// SPDX-License-Identifier: GPL-2.0
/*
 * TLB shootdown batches: one IPI round for a whole batch of page-table
 * changes, across every mm that may cache a translation through them.
 *
 * flush_tlb_mm_range() and its helpers are not available to modules
 * (asm/tlbflush.h hides them behind #ifndef MODULE), so mshare follows the
 * same protocol with what is exported.  For a batch (struct mshare_flush):
 *
 *  1. the caller has already written every page-table entry of the batch;
 *  2. for each mm of the batch, bump mm->context.tlb_gen (a full barrier):
 *     a CPU that switches to the mm later sees a newer generation than it
 *     flushed to and flushes (and without PCID every switch reloads CR3);
 *  3. then read the mm_cpumask()s, OR them, and send one IPI round to
 *     those CPUs, waiting: each CPU whose CR3 holds the PGD of one of the
 *     batch's mms (it runs that mm, or borrows it lazily) flushes, either
 *     the batch's addresses in that mm (INVLPG, user ASID included under
 *     PTI) or, for a large batch or a change of a PUD/PMD entry, all its
 *     non-global entries and paging-structure caches;
 *  4. only then does the caller free a page or a table.
 *
 * Why every CPU is covered: switch_mm_irqs_off() sets a CPU's bit in
 * mm_cpumask() before it reads tlb_gen; we bump tlb_gen before we read the
 * mask.  So a CPU either is in the mask we read (and gets the IPI) or reads
 * the new generation when it switches to the mm (and flushes).  A CPU can
 * cache a translation of an mm only while that mm is loaded, and it is
 * loaded only after the switch.  Waiting for the IPIs also waits out any
 * GUP-fast walk, which runs with interrupts off on a CPU that has the mm
 * loaded.
 *
 * Shared tables make this one round for all attachers: a batch of N PTE
 * changes in a domain costs one round whatever the number of processes
 * (the per-mm alternative costs one round per process).
 *
 * Takes no locks; callable with spinlocks held and interrupts enabled.
 */
#include <linux/cpumask.h>
#include <linux/mm_types.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/tlbflush.h>

#include "internal.h"
#include "trace.h"

#ifdef MSHARE_TEST_HOOKS
/*
 * Test builds only (make test-module): skip the shootdown of discard
 * batches, so the stale-TLB test can prove it detects a missing flush.
 * The discarded pages are then kept until the domain is freed, never
 * reused while a TLB may map them.
 */
bool mshare_debug_skip_flush;
module_param_named(debug_skip_flush, mshare_debug_skip_flush, bool, 0600);
MODULE_PARM_DESC(debug_skip_flush,
		 "Test builds only: do not shoot down TLBs after a discard (default N)");
#endif

static void mshare_flush_ipi(void *info)
{
	struct mshare_flush *f = info;
	unsigned long cr3 = read_cr3_pa();
	unsigned int i, j;

	for (i = 0; i < f->nr_mms; i++) {
		struct mshare_flush_mm *e = &f->mms[i];

		if (__pa(e->mm->pgd) != cr3)
			continue;
		if (f->full) {
			__flush_tlb_local();
		} else {
			for (j = 0; j < e->nr_addrs; j++)
				__flush_tlb_one_user(e->addrs[j]);
		}
		return;	/* one CR3 is loaded: one mm at most */
	}
}

static void mshare_flush_send(struct mshare_flush *f,
			      const struct cpumask *cpus)
{
	struct mshare_domain_stats *st = f->dom ? &f->dom->stats : NULL;
	unsigned int nr_cpus = cpumask_weight(cpus);
	u32 dom_id = f->dom ? f->dom->id : 0;

	trace_mshare_shootdown_begin(dom_id, f->nr_mms, nr_cpus, f->pages,
				     f->full);
	on_each_cpu_mask(cpus, mshare_flush_ipi, f, true);
	trace_mshare_shootdown_end(dom_id, f->nr_mms, nr_cpus, f->pages,
				   f->full);
	if (st) {
		atomic64_inc(&st->shootdowns);
		atomic64_add(nr_cpus, &st->shootdown_cpus);
		atomic64_add(f->pages, &st->pages_flushed);
		atomic64_inc(f->full ? &st->flushes_full : &st->flushes_ranged);
	}
}

/* Run the batch: one IPI round to the CPUs of all its mms. */
void mshare_flush_run(struct mshare_flush *f)
{
	unsigned int i;

	if (!f->nr_mms)
		return;
	for (i = 0; i < f->nr_mms; i++)
		atomic64_inc_return(&f->mms[i].mm->context.tlb_gen);
	cpumask_clear(f->cpus);
	for (i = 0; i < f->nr_mms; i++)
		cpumask_or(f->cpus, f->cpus, mm_cpumask(f->mms[i].mm));
	mshare_flush_send(f, f->cpus);
}

/*
 * A batch for up to @max_mms mms, on behalf of @dom (for its counters; may
 * be NULL).  @full: flush everything (links changed), else addresses.
 */
int mshare_flush_init(struct mshare_flush *f, struct mshare_domain *dom,
		      unsigned int max_mms, bool full)
{
	memset(f, 0, sizeof(*f));
	f->dom = dom;
	f->full = full;
	f->max_mms = max_mms;
	if (!zalloc_cpumask_var(&f->cpus, GFP_KERNEL))
		return -ENOMEM;
	if (!max_mms)
		return 0;
	f->mms = kvcalloc(max_mms, sizeof(*f->mms), GFP_KERNEL);
	if (!f->mms) {
		free_cpumask_var(f->cpus);
		return -ENOMEM;
	}
	return 0;
}

void mshare_flush_destroy(struct mshare_flush *f)
{
	kvfree(f->mms);
	f->mms = NULL;
	free_cpumask_var(f->cpus);
}

/*
 * The batch's entry for @mm, added if needed; NULL if the batch is full
 * (the caller then flushes @mm on its own).
 */
struct mshare_flush_mm *mshare_flush_add_mm(struct mshare_flush *f,
					    struct mm_struct *mm)
{
	unsigned int i;

	for (i = 0; i < f->nr_mms; i++)
		if (f->mms[i].mm == mm)
			return &f->mms[i];
	if (f->nr_mms == f->max_mms)
		return NULL;
	f->mms[f->nr_mms].mm = mm;
	return &f->mms[f->nr_mms++];
}

/* Flush @addr in @e's mm; past the ceiling the batch flushes everything. */
void mshare_flush_add_addr(struct mshare_flush *f, struct mshare_flush_mm *e,
			   unsigned long addr)
{
	if (f->full)
		return;
	if (e->nr_addrs == MSHARE_FLUSH_CEILING) {
		f->full = true;
		return;
	}
	e->addrs[e->nr_addrs++] = addr;
}

/*
 * One mm, everything (links were cleared), for the unlink path: it runs
 * in notifier context, allocates nothing and IPIs the mm's own mask.
 */
void mshare_flush_mm(struct mm_struct *mm)
{
	struct mshare_flush_mm e = { .mm = mm };
	struct mshare_flush f = {
		.full = true, .nr_mms = 1, .max_mms = 1, .mms = &e,
	};

	atomic64_inc_return(&mm->context.tlb_gen);
	mshare_flush_send(&f, mm_cpumask(mm));
}
