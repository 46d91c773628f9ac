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
 *  4. for each mm of the batch that has a global ASID (x86 INVLPGB, 6.15
 *     and later; compat.h), broadcast a flush of that ASID's PCIDs to
 *     every CPU and wait for it (TLBSYNC): such an mm's translations
 *     survive on CPUs it left, and a CPU that switches back to it reloads
 *     them without a flush and without reading tlb_gen, so neither the
 *     IPIs nor the generation reach them (Documentation/tlb.rst);
 *  5. only then does the caller free a page or a table.
 *
 * Why every CPU is covered: switch_mm_irqs_off() sets a CPU's bit in
 * mm_cpumask() before it reads tlb_gen; we bump tlb_gen before we read the
 * mask.  So a CPU either is in the mask we read (and gets the IPI) or reads
 * the new generation when it switches to the mm (and flushes).  A CPU can
 * cache a translation of an mm only while that mm is loaded, and it is
 * loaded only after the switch.  Waiting for the IPIs also waits out any
 * GUP-fast walk, which runs with interrupts off on a CPU that has the mm
 * loaded.  An mm with a global ASID is the exception to the generation
 * half of the argument: step 4 covers it, and a CPU running it under that
 * ASID leaves its local flush to the broadcast (as the kernel's own
 * flush_tlb_func() does).  The ASID is read after the generation bump: one
 * assigned later can only hold translations made after our writes.
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
#include <linux/sysfs.h>
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

/*
 * Test builds only: treat every mm without a global ASID as having one,
 * MSHARE_DEBUG_ASID (no real ASID: PCIDs have 12 bits), whose broadcast
 * is counted in debug_global_flushes instead of executed, so that a VM
 * without INVLPGB runs the global-ASID step of every round (tlb_test).
 */
#define MSHARE_DEBUG_ASID	0xffff
static bool mshare_debug_global_asid;
module_param_named(debug_global_asid, mshare_debug_global_asid, bool, 0600);
MODULE_PARM_DESC(debug_global_asid,
		 "Test builds only: give every mm a pretend global ASID whose broadcast flushes are counted, not executed (default N)");
static atomic_long_t mshare_debug_global_flushes;

static int mshare_debug_flushes_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n",
			  atomic_long_read(&mshare_debug_global_flushes));
}

static const struct kernel_param_ops mshare_debug_flushes_ops = {
	.get	= mshare_debug_flushes_get,
};
module_param_cb(debug_global_flushes, &mshare_debug_flushes_ops, NULL, 0400);
MODULE_PARM_DESC(debug_global_flushes,
		 "Test builds only: broadcast flushes of pretend global ASIDs so far");
#endif

/* The global ASID whose broadcast the round owes @mm, or 0. */
static u16 mshare_flush_global_asid(struct mm_struct *mm)
{
	u16 asid = mshare_mm_global_asid(mm);

#ifdef MSHARE_TEST_HOOKS
	if (!asid && READ_ONCE(mshare_debug_global_asid))
		asid = MSHARE_DEBUG_ASID;
#endif
	return asid;
}

/* Flush global ASID @asid on every CPU (INVLPGB), and wait (TLBSYNC). */
static void mshare_flush_broadcast(u16 asid)
{
#ifdef MSHARE_TEST_HOOKS
	if (asid == MSHARE_DEBUG_ASID) {
		atomic_long_inc(&mshare_debug_global_flushes);
		return;
	}
#endif
	mshare_invlpgb_asid(asid);
}

static void mshare_flush_ipi(void *info)
{
	struct mshare_flush *f = info;
	unsigned long cr3 = read_cr3_pa();
	unsigned int i, j;

	for (i = 0; i < f->nr_mms; i++) {
		struct mshare_flush_mm *e = &f->mms[i];

		if (__pa(e->mm->pgd) != cr3)
			continue;
		/*
		 * On its global ASID: leave the flush to the broadcast, as
		 * flush_tlb_func() does.  The ASID is read again here, not
		 * taken from e->global_asid: one assigned after the round
		 * read it is loaded only after our page-table writes, so
		 * this CPU holds nothing stale under it, and a local flush
		 * would mark it in user_pcid_flush_mask under PTI.
		 */
		if (mshare_cpu_on_global_asid(mshare_mm_global_asid(e->mm)))
			return;
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

/*
 * The round's last step: a broadcast flush of each mm that has a global
 * ASID (read after the generation bump).
 */
static void mshare_flush_global(struct mshare_flush *f)
{
	unsigned int i;

	for (i = 0; i < f->nr_mms; i++)
		if (f->mms[i].global_asid)
			mshare_flush_broadcast(f->mms[i].global_asid);
}

/* Run the batch: one IPI round to the CPUs of all its mms. */
void mshare_flush_run(struct mshare_flush *f)
{
	unsigned int i;

	if (!f->nr_mms)
		return;
	for (i = 0; i < f->nr_mms; i++) {
		struct mshare_flush_mm *e = &f->mms[i];

		atomic64_inc_return(&e->mm->context.tlb_gen);
		e->global_asid = mshare_flush_global_asid(e->mm);
	}
	cpumask_clear(f->cpus);
	for (i = 0; i < f->nr_mms; i++)
		cpumask_or(f->cpus, f->cpus, mm_cpumask(f->mms[i].mm));
	mshare_flush_send(f, f->cpus);
	mshare_flush_global(f);
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
	e.global_asid = mshare_flush_global_asid(mm);
	mshare_flush_send(&f, mm_cpumask(mm));
	mshare_flush_global(&f);
}
