// SPDX-License-Identifier: GPL-2.0
/*
 * The operations of a domain mapping (VMA): faults, and the rules that keep
 * every mapping linkable.
 *
 * A domain VMA is VM_MIXEDMAP with normal (not special) PTEs, so GUP and
 * shared futexes work on it; VM_WIPEONFORK, so fork never copies its
 * entries (the child re-links on its first touch, re-armed in ->open since
 * MADV_KEEPONFORK can clear it); VM_DONTEXPAND, VM_DONTDUMP; VM_HUGEPAGE so
 * that THP "madvise" still offers PUD faults.  It never holds a PTE of its
 * own: every fault either links (a process PUD entry to a domain PMD
 * table, or a process PMD entry to a domain PTE table) or fills a leaf
 * entry in a domain table, and returns VM_FAULT_NOPAGE.
 *
 * Every VMA starts and ends on a 2 MiB boundary and its address is
 * congruent to its domain offset modulo 2 MiB, so a PMD link is always
 * possible: ->get_unmapped_area and ->mmap make it so, ->may_split refuses
 * other boundaries, ->mremap refuses other targets.  PUD links are used
 * where a VMA covers a whole GiB congruent modulo 1 GiB.  At PMD level, a
 * domain of 2 MiB leaves is copied leaf by leaf into the process's own
 * PMD entries (attach.c).
 *
 * Faults run under the per-VMA lock alone where the kernel has one (6.4
 * and later): ->map_pages, which maps nothing, is there to tell the kernel
 * that ->fault needs no mmap lock (vmf_can_call_fault()).  A fill then
 * takes no mmap lock at all; a fault that links is retried under the mmap
 * lock (mshare_link_range() says why).  They hold the domain's
 * tables_sem for reading while they fill or link, so that a migration
 * cannot move the tables under them (lock order in internal.h).  A fault
 * on a VMA whose mm has no registered notifier yet (a child after fork)
 * registers it first (attach.c) and is retried.
 *
 * A fault whose data page cannot be had fails as the kernel's own faults
 * do: VM_FAULT_OOM (the allocator has already tried reclaim and the OOM
 * killer) for an ordinary allocation, SIGBUS when the domain's policy
 * binds it to a node that is full (no OOM kill can help there).
 */
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>

#include "internal.h"
#include "trace.h"

static const struct vm_operations_struct mshare_vm_ops;

static inline struct mshare_domain *vma_domain(struct vm_area_struct *vma)
{
	return vma->vm_file->private_data;
}

/* The domain @vma maps, or NULL if it is not a domain mapping. */
struct mshare_domain *mshare_vma_domain(struct vm_area_struct *vma)
{
	return vma->vm_ops == &mshare_vm_ops ? vma_domain(vma) : NULL;
}

/* The fault's error for mshare_fill()'s @err. */
static vm_fault_t mshare_fill_error(int err)
{
	return err == -ENOSPC ? VM_FAULT_SIGBUS : VM_FAULT_OOM;
}

/* The registered state of the fault's mm, or NULL: register it first. */
static struct mshare_mm *mshare_fault_mm(struct vm_fault *vmf)
{
	struct mshare_mm *mmm = vmf->vma->vm_private_data;

	/* Pairs with mshare_mm_register(). */
	if (!mmm || !smp_load_acquire(&mmm->registered))
		return NULL;
	mshare_mm_settle(mmm);
	return mmm;
}

/* Link the range of @level around the fault, filling the faulting page. */
static vm_fault_t mshare_link_range(struct vm_fault *vmf,
				    enum mshare_link_level level)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mshare_domain *dom = vma_domain(vma);
	struct mshare_mm *mmm = vma->vm_private_data;
	unsigned long span = level == MSHARE_LINK_PUD ? PUD_SIZE : PMD_SIZE;
	unsigned long start = vmf->address & ~(span - 1);
	vm_fault_t nolink = level == MSHARE_LINK_PUD ? VM_FAULT_FALLBACK :
						       VM_FAULT_SIGBUS;
	struct mshare_table *table, *rw;
	pgoff_t pgoff;
	vm_fault_t ret;
	int err;

	if (start < vma->vm_start || start + span > vma->vm_end)
		return nolink;
	pgoff = linear_page_index(vma, start);
	if (!IS_ALIGNED(pgoff, span >> PAGE_SHIFT) ||
	    ((u64)pgoff << PAGE_SHIFT) + span > dom->size)
		return nolink;

	/*
	 * Linking waits for a running invalidation of the mm to end
	 * (mmu_interval_read_begin(), attach.c), and an invalidation may
	 * itself wait for this VMA's lock: clear_refs starts one over the
	 * whole mm, then write-locks each VMA it walks (PGWALK_WRLOCK).  So
	 * link only under the mmap lock: a fault that holds just the per-VMA
	 * lock drops it and is retried.
	 */
	if (mshare_fault_vma_locked(vmf)) {
		release_fault_lock(vmf);
		return VM_FAULT_RETRY;
	}

	/* The tables stay put while we fill and link (migrate.c). */
	down_read(&dom->tables_sem);
	/* One fault, not two: fill the page before linking. */
	err = mshare_fill(dom, vmf->pgoff, vmf->vma->vm_mm);
	if (err < 0) {
		up_read(&dom->tables_sem);
		return mshare_fill_error(err);
	}

	/* A read-only mapping links to the read-only tables (rdonly.c). */
	if (level == MSHARE_LINK_PUD) {
		rw = &dom->pmd_tables[pgoff >> (PUD_SHIFT - PAGE_SHIFT)];
		table = mshare_vma_rdonly(vma) ?
			&dom->ro_pmd_tables[pgoff >> (PUD_SHIFT - PAGE_SHIFT)] : rw;
	} else if (mshare_dom_huge(dom)) {
		/*
		 * A huge domain at PMD level: a 2 MiB leaf is copied, the
		 * PTE table of a 2 MiB that fell back is linked; nothing
		 * there any more (a discard ran since the fill): try again.
		 */
		pmd_t pmd = pmdp_get_lockless(mshare_pmdp(dom, pgoff));

		if (!pmd_present(pmd)) {
			up_read(&dom->tables_sem);
			return VM_FAULT_NOPAGE;
		}
		rw = &dom->pte_tables[pgoff >> (PMD_SHIFT - PAGE_SHIFT)];
		table = rw;
		if (pmd_leaf(pmd)) {
			level = MSHARE_LINK_COPY;
		} else {
			smp_rmb();	/* pairs with mshare_fill_pmd() */
			if (mshare_vma_rdonly(vma))
				table = &dom->ro_pte_tables[pgoff >>
						(PMD_SHIFT - PAGE_SHIFT)];
		}
	} else {
		rw = &dom->pte_tables[pgoff >> (PMD_SHIFT - PAGE_SHIFT)];
		table = mshare_vma_rdonly(vma) ?
			&dom->ro_pte_tables[pgoff >> (PMD_SHIFT - PAGE_SHIFT)] : rw;
	}
	ret = mshare_mm_link(mmm, vmf, level, start, table, rw);
	up_read(&dom->tables_sem);
	return ret;
}

static vm_fault_t mshare_fault_link(struct vm_fault *vmf,
				    enum mshare_link_level level)
{
	vm_fault_t ret = mshare_link_range(vmf, level);

	trace_mshare_fault(vma_domain(vmf->vma), vmf->address,
			   (u64)vmf->pgoff << PAGE_SHIFT, MSHARE_TRACE_LINK,
			   mshare_trace_level(level), ret);
	return ret;
}

/* Fill the leaf entry of the fault in the domain's (linked) table. */
static vm_fault_t mshare_fault_fill(struct vm_fault *vmf,
				    struct mshare_domain *dom,
				    struct mshare_mm *mmm)
{
	int err;

	if (vmf->pgoff >= dom->nr_pages)
		return VM_FAULT_SIGBUS;
	down_read(&dom->tables_sem);
	err = mshare_fill(dom, vmf->pgoff, vmf->vma->vm_mm);
	up_read(&dom->tables_sem);
	if (err < 0)
		return mshare_fill_error(err);
	if (err)
		mshare_mm_filled(mmm, dom, vmf->address, err);
	return VM_FAULT_NOPAGE;
}

/*
 * Whether the fault's PMD entry is huge @dom's own (of its read-only
 * twin for a read-only mapping): the process links the GiB at PUD level.
 * Caller holds tables_sem.
 */
static bool mshare_pud_linked(struct vm_fault *vmf, struct mshare_domain *dom,
			      pgoff_t pgoff)
{
	unsigned long g = pgoff >> (PUD_SHIFT - PAGE_SHIFT);
	struct mshare_table *pmd = mshare_vma_rdonly(vmf->vma) ?
				   &dom->ro_pmd_tables[g] : &dom->pmd_tables[g];

	return virt_to_page(vmf->pmd) == pmd->page;
}

/*
 * A huge domain (2 MiB leaves, pgtable.c), an empty PMD entry.  Where that
 * entry is the domain's own (the process links the GiB at PUD level),
 * fill the 2 MiB there for every attacher: a leaf, or a PTE table and the
 * faulting page; never pmd_populate() a domain table.  A process that
 * links at PMD level (its mapping does not cover the whole GiB, or THP is
 * "never" for it) gets a copy of the leaf in its own PMD entry, or a link
 * to the 2 MiB's PTE table (mshare_link_range()).
 */
static vm_fault_t mshare_fault_huge_pmd(struct vm_fault *vmf,
					struct mshare_domain *dom,
					struct mshare_mm *mmm)
{
	pgoff_t pgoff = vmf->pgoff;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	int err;

	if (pgoff >= dom->nr_pages)
		goto out;
	down_read(&dom->tables_sem);
	if (!mshare_pud_linked(vmf, dom, pgoff)) {
		up_read(&dom->tables_sem);
		return mshare_fault_link(vmf, MSHARE_LINK_PMD);
	}
	err = mshare_fill(dom, pgoff, vmf->vma->vm_mm);
	up_read(&dom->tables_sem);
	if (err < 0) {
		ret = mshare_fill_error(err);
		goto out;
	}
	if (err)
		mshare_mm_filled(mmm, dom, vmf->address, err);
	ret = VM_FAULT_NOPAGE;
out:
	trace_mshare_fault(dom, vmf->address, (u64)pgoff << PAGE_SHIFT,
			   MSHARE_TRACE_FILL, MSHARE_TRACE_PMD, ret);
	return ret;
}

static vm_fault_t mshare_huge_fault(struct vm_fault *vmf,
				    mshare_huge_fault_arg_t arg)
{
	unsigned int order = mshare_huge_fault_order(arg);
	struct mshare_domain *dom = vma_domain(vmf->vma);
	struct mshare_mm *mmm = mshare_fault_mm(vmf);

	if (!mmm)
		return mshare_mm_register_fault(vmf);
	atomic64_inc(&dom->stats.faults);
	if (order == PUD_ORDER)
		return mshare_fault_link(vmf, MSHARE_LINK_PUD);
	if (order == PMD_ORDER && mshare_dom_huge(dom))
		return mshare_fault_huge_pmd(vmf, dom, mmm);
	if (order == PMD_ORDER)
		return mshare_fault_link(vmf, MSHARE_LINK_PMD);
	return VM_FAULT_FALLBACK;
}

static vm_fault_t mshare_fault(struct vm_fault *vmf)
{
	struct mshare_domain *dom = vma_domain(vmf->vma);
	pmd_t pmd = pmdp_get_lockless(vmf->pmd);
	struct mshare_mm *mmm = mshare_fault_mm(vmf);
	vm_fault_t ret;

	if (!mmm)
		return mshare_mm_register_fault(vmf);
	atomic64_inc(&dom->stats.faults);
	if (pmd_none(pmd) && mshare_dom_huge(dom))
		return mshare_fault_huge_pmd(vmf, dom, mmm);
	/* THP "never" (or a PMD fault that fell back): link here. */
	if (pmd_none(pmd))
		return mshare_fault_link(vmf, MSHARE_LINK_PMD);

	/*
	 * A missing leaf entry inside a linked domain table: fill it in the
	 * shared table, for every attacher at once.
	 */
	ret = mshare_fault_fill(vmf, dom, mmm);
	trace_mshare_fault(dom, vmf->address, (u64)vmf->pgoff << PAGE_SHIFT,
			   MSHARE_TRACE_FILL, MSHARE_TRACE_PTE, ret);
	return ret;
}

/*
 * Fault-around: nothing to map, a domain VMA holds no PTE of its own (the
 * fault that follows fills or links).  Having it lets ->fault run under
 * the per-VMA lock: every leaf entry ->fault writes is in a domain table,
 * under that table's lock, and nothing it does needs the mmap lock but
 * the link and the registration, which drop the VMA lock and retry.
 */
static vm_fault_t mshare_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff,
				   pgoff_t end_pgoff)
{
	return 0;
}

static void mshare_vm_open(struct vm_area_struct *vma)
{
	struct mshare_mm *mmm = vma->vm_private_data;

	if (!(vma->vm_flags & VM_WIPEONFORK))
		vm_flags_set(vma, VM_WIPEONFORK);
	if (mmm && mmm->mm == vma->vm_mm) {
		/* split or mremap within the same mm: cannot fail */
		mshare_mm_get(vma->vm_mm, vma_domain(vma));
		return;
	}
	/*
	 * fork: the child's own state, registered on the child's first
	 * fault; NULL if memory is short (that fault makes it then).
	 */
	vma->vm_private_data = mshare_mm_get(vma->vm_mm, vma_domain(vma));
}

static void mshare_vm_close(struct vm_area_struct *vma)
{
	mshare_mm_put(vma->vm_private_data, vma_domain(vma));
}

static int mshare_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return IS_ALIGNED(addr, PMD_SIZE) ? 0 : -EINVAL;
}

static int mshare_mremap(struct vm_area_struct *vma)
{
	/* The pieces are 2 MiB-aligned in the domain: keep the congruence. */
	return IS_ALIGNED(vma->vm_start, PMD_SIZE) ? 0 : -EINVAL;
}

/*
 * Every attacher shares the same read-write, no-exec leaf entries: refuse
 * any change, protection keys included.  change_protection() would also
 * walk through a PUD link that its own notifier call clears under it.
 */
static int mshare_mprotect(struct vm_area_struct *vma, unsigned long start,
			   unsigned long end, unsigned long newflags)
{
	return newflags == vma->vm_flags ? 0 : -EACCES;
}

static const struct vm_operations_struct mshare_vm_ops = {
	.open		= mshare_vm_open,
	.close		= mshare_vm_close,
	.may_split	= mshare_may_split,
	.mremap		= mshare_mremap,
	.mprotect	= mshare_mprotect,
	.fault		= mshare_fault,
	.huge_fault	= mshare_huge_fault,
	.map_pages	= mshare_map_pages,
};

/*
 * Whether @vma is a read-only mapping (of a read-only attachment): it can
 * never be made writable, and links to the read-only tables.
 */
bool mshare_vma_rdonly(struct vm_area_struct *vma)
{
	return !(vma->vm_flags & VM_MAYWRITE);
}

/*
 * ->mmap of an attached /dev/mshare descriptor, after its checks: make
 * @vma a mapping of @dom (@rdonly: of a read-only attachment, whose
 * read-only tables exist).  Caller holds the mmap lock for writing.  A
 * registration that a signal interrupted restarts the mmap once the signal
 * is handled (only a stop or a fatal signal can interrupt it).
 */
int mshare_vma_setup(struct vm_area_struct *vma, struct mshare_domain *dom,
		     bool rdonly)
{
	struct mshare_mm *mmm = mshare_mm_get(vma->vm_mm, dom);
	int err;

	if (!mmm)
		return -ENOMEM;
	err = mshare_mm_register(mmm);
	if (err) {
		mshare_mm_put(mmm, dom);
		if (err == -EINTR && !fatal_signal_pending(current))
			err = -ERESTARTNOINTR;
		return err;
	}
	vma_set_file(vma, dom->file);
	vm_flags_set(vma, VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP |
			  VM_HUGEPAGE | VM_WIPEONFORK);
	vm_flags_clear(vma, VM_MAYEXEC | (rdonly ? VM_MAYWRITE : 0));
	vma->vm_ops = &mshare_vm_ops;
	vma->vm_private_data = mmm;
	return 0;
}

/* Whether @vma maps @dom. */
bool mshare_vma_of(struct vm_area_struct *vma, struct mshare_domain *dom)
{
	return mshare_vma_domain(vma) == dom;
}
