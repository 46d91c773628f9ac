// SPDX-License-Identifier: GPL-2.0
/*
 * TLB shootdown for one mm, from a module.
 *
 * flush_tlb_mm_range() and its helpers are not available to modules
 * (asm/tlbflush.h hides them behind #ifndef MODULE), so mshare follows the
 * same protocol with what is exported:
 *
 *  1. the caller has already written the page-table entries;
 *  2. bump mm->context.tlb_gen (a full barrier): a CPU that switches to
 *     the mm later sees a newer generation than it flushed to and flushes,
 *     and without PCID every switch reloads CR3 anyway;
 *  3. read mm_cpumask(mm) and IPI those CPUs, waiting: each one whose CR3
 *     holds the mm's PGD (it runs the mm, or borrows it lazily) flushes
 *     its non-global entries and paging-structure caches, user ASID
 *     included under PTI.
 *
 * switch_mm_irqs_off() sets a CPU's bit in mm_cpumask() before it reads
 * tlb_gen, so every CPU either receives the IPI or sees the new
 * generation.  Waiting for the IPIs also waits out any GUP-fast walk,
 * which runs with interrupts off on a CPU that has the mm loaded.
 *
 * Takes no locks; callable with spinlocks held and interrupts enabled.
 */
#include <linux/mm_types.h>
#include <linux/smp.h>
#include <asm/tlbflush.h>

#include "internal.h"

static void mshare_flush_ipi(void *info)
{
	struct mm_struct *mm = info;

	if (read_cr3_pa() == __pa(mm->pgd))
		__flush_tlb_local();
}

void mshare_flush_mm(struct mm_struct *mm)
{
	atomic64_inc_return(&mm->context.tlb_gen);
	on_each_cpu_mask(mm_cpumask(mm), mshare_flush_ipi, mm, true);
}
