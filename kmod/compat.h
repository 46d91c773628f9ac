/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that knows how kernels differ.  The rest of mshare reads
 * like mainline code for the kernel it builds against: an interface that
 * an older kernel lacks is provided here under its mainline name; where a
 * signature or a mechanism changed, a mshare_ helper hides it.
 *
 * Kernels built and tested (make check-kernels): Debian 12's 6.1, 6.12
 * (also PREEMPT_RT) and the newest of trixie-backports (7.3 when written).
 * A feature test (#ifdef of a macro the change introduced) is used where
 * one exists; otherwise the threshold is the upstream release that first
 * had the change, named with its source.  The releases between those
 * kernels are not built: a threshold is right for them only as far as the
 * source says.
 */
#ifndef MSHARE_COMPAT_H
#define MSHARE_COMPAT_H

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/ipc_namespace.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/pgtable.h>
#include <linux/proc_ns.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/version.h>
#include <linux/mshare.h>
#include <net/genetlink.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>

/*
 * Whether the kernel built against is release @major.@minor or later: the
 * one version test of the module.  (It reads the release's numbers from
 * linux/version.h, as every threshold below needs only those.)
 */
#ifndef LINUX_VERSION_PATCHLEVEL
#error "mshare needs a 6.1 or later kernel"
#endif
#define MSHARE_KERNEL_AT_LEAST(major, minor)				\
	(LINUX_VERSION_MAJOR > (major) ||				\
	 (LINUX_VERSION_MAJOR == (major) &&				\
	  LINUX_VERSION_PATCHLEVEL >= (minor)))

/* ---- VMAs and faults ------------------------------------------------- */

/*
 * 6.3 made vma->vm_flags writable only through these ("mm: introduce
 * vma->vm_flags wrapper functions", bc292ab00f6c, in the mm-stable pull
 * for 6.3).
 */
#if !MSHARE_KERNEL_AT_LEAST(6, 3)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma,
				  vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * Per-VMA locks came in 6.4 (Suren Baghdasaryan's series, "MM updates for
 * 6.4-rc1").  Before, every fault holds the mmap lock, which its writer
 * already excludes: nothing more to take.
 */
#if !MSHARE_KERNEL_AT_LEAST(6, 4)
static inline void vma_start_write(struct vm_area_struct *vma)
{
}
#endif

/*
 * release_fault_lock() is in linux/mm.h since 6.6 ("Per-VMA lock support
 * for swap and userfaults", MM updates for 6.6-rc1).  6.1 has no per-VMA
 * locks: a fault holds the mmap lock for reading.
 */
#if !MSHARE_KERNEL_AT_LEAST(6, 6)
static inline void release_fault_lock(struct vm_fault *vmf)
{
	mmap_read_unlock(vmf->vma->vm_mm);
}
#endif

/*
 * ->huge_fault() takes the folio order since 6.6 ("Change calling
 * convention for ->huge_fault", MM updates for 6.6-rc1); before, an enum
 * page_entry_size.  The handler takes an mshare_huge_fault_arg_t and
 * turns it into the order with mshare_huge_fault_order().  (On 6.1 the
 * kernel never calls it for a domain mapping: hugepage_vma_check()
 * refuses VM_MIXEDMAP and every non-DAX file mapping.)
 */
#if MSHARE_KERNEL_AT_LEAST(6, 6)
#define mshare_huge_fault_arg_t		unsigned int
#define mshare_huge_fault_order(order)	(order)
#else
#define mshare_huge_fault_arg_t		enum page_entry_size
#define mshare_huge_fault_order(pe)					\
	((pe) == PE_SIZE_PUD ? PUD_SHIFT - PAGE_SHIFT :			\
	 (pe) == PE_SIZE_PMD ? PMD_SHIFT - PAGE_SHIFT : 0)
#endif

/*
 * Drop what may be the last reference to @file now, from a system call:
 * __fput_sync() BUG()s outside kernel threads before 6.6 (the BUG_ON went
 * with "fs: use __fput_sync in close(2)", 021a160abf62c, 6.6-rc1).  There
 * fput() queues the release as task work of the caller, which runs before
 * the system call returns to user space (task_work_run() is not exported):
 * nobody in user space can tell the difference.
 */
static inline void mshare_fput_sync(struct file *file)
{
#if MSHARE_KERNEL_AT_LEAST(6, 6)
	__fput_sync(file);
#else
	fput(file);
#endif
}

/*
 * Whether a failed fork left @mm's VMA tree half made (an XA_ZERO_ENTRY
 * marks where dup_mmap() stopped, MMF_UNSTABLE is set): it must not be
 * walked.  mm->flags is a bitmap behind mm_flags_*() since Lorenzo
 * Stoakes's "mm: add bitmap mm->flags field" (posted August 2025), which
 * defined NUM_MM_FLAG_BITS.  On 6.1 dup_mmap() stores each VMA before
 * opening it and never leaves a marker: the flag stays clear.
 */
#ifdef NUM_MM_FLAG_BITS
#define mshare_mm_unstable(mm)	mm_flags_test(MMF_UNSTABLE, (mm))
#else
#define mshare_mm_unstable(mm)	test_bit(MMF_UNSTABLE, &(mm)->flags)
#endif

/*
 * The mm's own placement (bottom-up or top-down) for ->get_unmapped_area
 * of a file: mm->get_unmapped_area() until 6.10 replaced it with
 * mm_get_unmapped_area(mm, ...) ("mm: switch mm->get_unmapped_area() to
 * a flag", Rick Edgecombe, merged for 6.10); a later release dropped the
 * mm argument, which was always current->mm ("mm: Consistently use
 * current->mm in mm_get_unmapped_area()", Ryan Roberts, posted against
 * mm-unstable in October 2025, hence 6.19: inferred, not checked against
 * a 6.19 tree; 7.3 has the new form).  The kernel's exported
 * get_unmapped_area() would call our own f_op again.
 */
static inline unsigned long
mshare_mm_get_unmapped_area(struct file *file, unsigned long addr,
			    unsigned long len, unsigned long pgoff,
			    unsigned long flags)
{
#if MSHARE_KERNEL_AT_LEAST(6, 19)
	return mm_get_unmapped_area(file, addr, len, pgoff, flags);
#elif MSHARE_KERNEL_AT_LEAST(6, 10)
	return mm_get_unmapped_area(current->mm, file, addr, len, pgoff, flags);
#else
	return current->mm->get_unmapped_area(file, addr, len, pgoff, flags);
#endif
}

/* ---- page-table entries ---------------------------------------------- */

/* In linux/pgtable.h since 6.6 ("mm: move PMD_ORDER to pgtable.h"). */
#ifndef PMD_ORDER
#define PMD_ORDER	(PMD_SHIFT - PAGE_SHIFT)
#endif
#ifndef PUD_ORDER
#define PUD_ORDER	(PUD_SHIFT - PAGE_SHIFT)
#endif

/*
 * Whether this kernel can hold 2 MiB leaves in a domain's PMD tables
 * (MSHARE_DOMAIN_F_HUGE).  Only with CONFIG_TRANSPARENT_HUGEPAGE, which
 * PREEMPT_RT kernels lack (mm/Kconfig: "depends on ... !PREEMPT_RT"):
 * without it pmd_trans_huge() is 0, so every pte_offset_map() walker
 * (smaps, pagemap, mincore, zap) would take a leaf for a bad table and
 * pmd_clear_bad() it, wiping the shared entry for every attacher.  And
 * only where the CPU maps 2 MiB pages (x86: PSE, has_transparent_hugepage()).
 * PMD_ORDER is used, never HPAGE_PMD_ORDER (a BUILD_BUG without THP).
 */
static inline bool mshare_leaves_possible(void)
{
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
	return has_transparent_hugepage();
#else
	return false;
#endif
}

/*
 * 6.2 renamed pmd_read_atomic() to pmdp_get_lockless() ("mm: Rename
 * pmd_read_atomic()", Peter Zijlstra, x86/mm for 6.2); on x86-64 both
 * are one load of the entry.
 */
#if !MSHARE_KERNEL_AT_LEAST(6, 2)
#define pmdp_get_lockless(pmdp)	pmd_read_atomic(pmdp)
#endif

/* ---- page-table pages ------------------------------------------------ */

/*
 * Since 6.6 a page-table page is described by struct ptdesc, an overlay
 * of struct page, and typed with __folio_set_pgtable() ("Split ptdesc
 * from struct page", Vishal Moola, MM updates for 6.6-rc1); page_ptdesc()
 * is a macro wherever struct ptdesc exists.  Before, the same fields
 * (ptl, pmd_huge_pte) were in struct page, typed with __SetPageTable().
 * The constructor and destructor do what the kernel's
 * pagetable_pte_ctor() / pgtable_pte_page_ctor() do.
 *
 * Split page-table locks: with ALLOC_SPLIT_PTLOCKS (spinlock_t larger than
 * a long: lockdep, spinlock debugging, PREEMPT_RT) the kernel allocates
 * each table's lock with ptlock_alloc(), which is not exported: the module
 * owns the lock of its tables there.  Otherwise the lock is embedded.
 */
#ifdef page_ptdesc
#define mshare_page_ptdesc(page)	page_ptdesc(page)
#else
#define mshare_page_ptdesc(page)	(page)
#endif

static inline bool mshare_pgtable_ctor(struct page *page, bool pmd_table)
{
#if ALLOC_SPLIT_PTLOCKS
	spinlock_t *ptl = kmalloc(sizeof(*ptl), GFP_KERNEL);

	if (!ptl)
		return false;
	spin_lock_init(ptl);
	mshare_page_ptdesc(page)->ptl = ptl;
#else
	spin_lock_init(&mshare_page_ptdesc(page)->ptl);
#endif
	if (pmd_table)
		mshare_page_ptdesc(page)->pmd_huge_pte = NULL;
#ifdef page_ptdesc
	__folio_set_pgtable(page_folio(page));
	lruvec_stat_add_folio(page_folio(page), NR_PAGETABLE);
#else
	__SetPageTable(page);
	inc_lruvec_page_state(page, NR_PAGETABLE);
#endif
	return true;
}

static inline void mshare_pgtable_dtor(struct page *page)
{
#if ALLOC_SPLIT_PTLOCKS
	kfree(mshare_page_ptdesc(page)->ptl);
	mshare_page_ptdesc(page)->ptl = NULL;
#endif
#ifdef page_ptdesc
	__folio_clear_pgtable(page_folio(page));
	lruvec_stat_sub_folio(page_folio(page), NR_PAGETABLE);
#else
	__ClearPageTable(page);
	dec_lruvec_page_state(page, NR_PAGETABLE);
#endif
}

static inline spinlock_t *mshare_pgtable_ptl(struct page *page)
{
	return ptlock_ptr(mshare_page_ptdesc(page));
}

/* ---- secondary TLBs -------------------------------------------------- */

/*
 * How an IOMMU that shares a process's page tables (SVA) learns of a
 * change.  Until 6.6 its hook was mmu_notifier_ops.invalidate_range, which
 * mmu_notifier_invalidate_range_end() calls after every zap, over the
 * zapped range (mm/mmu_notifier.c, mn_hlist_invalidate_end()): a zap of a
 * domain mapping tells it by itself.  6.6 renamed it
 * arch_invalidate_secondary_tlbs and calls it only from the TLB flush of
 * the mm ("mmu_notifiers: don't invalidate secondary TLBs as part of
 * mmu_notifier_invalidate_range_end()" and "mmu_notifiers: rename
 * invalidate_range notifier", Alistair Popple, MM updates for 6.6-rc1):
 * there the module has the kernel's mmu_gather flush the whole mm
 * (invalidate.c).  On 6.1 it must not: a nested gather's flush calls
 * invalidate_range(mm, ~0, ~0), an empty range, on which intel-svm
 * warns (WARN_ON(!pages) in __flush_svm_range_dev()).
 */
#if MSHARE_KERNEL_AT_LEAST(6, 6)
#define MSHARE_SECONDARY_TLBS_BY_GATHER	true
#else
#define MSHARE_SECONDARY_TLBS_BY_GATHER	false
#endif

/*
 * Whether an IOMMU may share @mm's page tables (SVA): every in-tree user
 * of arch_invalidate_secondary_tlbs binds through iommu_sva_bind_device(),
 * which gives the mm a PASID first.  mm_valid_pasid() since 6.2
 * ("iommu/sva: Replace pasid_valid() helper with mm_valid_pasid()", x86/mm
 * for 6.2); 6.1 keeps the PASID in mm->pasid.
 */
static inline bool mshare_mm_iommu_sva(struct mm_struct *mm)
{
#if !IS_ENABLED(CONFIG_IOMMU_SVA)
	return false;
#elif MSHARE_KERNEL_AT_LEAST(6, 2)
	return mm_valid_pasid(mm);
#else
	return pasid_valid(READ_ONCE(mm->pasid));
#endif
}

/* ---- global ASIDs (x86 INVLPGB) -------------------------------------- */

/*
 * Since 6.15, with CONFIG_BROADCAST_TLB_FLUSH on a CPU with INVLPGB (AMD),
 * an mm that runs on several CPUs at once may get a global ASID: the same
 * PCID on every CPU, kept valid on CPUs the mm left, flushed only by
 * INVLPGB broadcasts (arch/x86/mm/tlb.c: choose_new_asid() loads it
 * without a flush and without reading tlb_gen; flush_tlb_func() skips it;
 * flush_tlb_mm_range() broadcasts instead of sending IPIs).  The module's
 * IPI round therefore misses CPUs that ran such an mm earlier: tlb.c adds
 * an INVLPGB of the mm's PCIDs.  Documentation/tlb.rst has the argument.
 *
 * What the kernel offers is not usable by a module: mm_global_asid() is
 * in the #ifndef MODULE part of asm/tlbflush.h, kern_pcid()/user_pcid()
 * are static in arch/x86/mm/tlb.c, and asm/tlb.h (INVLPGB and TLBSYNC)
 * cannot be included by a module (its tlb_flush() calls
 * flush_tlb_mm_range(), declared only #ifndef MODULE).  So this restates
 * them, as 7.3 has them; review on every new kernel:
 *  - mm->context.global_asid (asm/mmu.h), published with
 *    smp_store_release() by mm_assign_global_asid(): read with acquire;
 *  - kern_pcid(asid) = asid + 1, user_pcid(asid) = kern_pcid(asid) |
 *    1 << X86_CR3_PTI_PCID_USER_BIT;
 *  - __invlpgb_all(0, pcid, INVLPGB_FLAG_PCID): INVLPGB (0f 01 fe) with
 *    rax = PCID | ASID flags (bits 1, 2), ecx = 0, edx = pcid << 16, which
 *    drops the PCID's non-global TLB and paging-structure cache entries
 *    on every CPU; __tlbsync(): TLBSYNC (0f 01 ff), twice on X86_BUG_TLBI.
 */
#ifdef CONFIG_BROADCAST_TLB_FLUSH
/* @mm's global ASID, 0 if it has none (mm_global_asid()). */
static inline u16 mshare_mm_global_asid(struct mm_struct *mm)
{
	if (!cpu_feature_enabled(X86_FEATURE_INVLPGB))
		return 0;
	/* Pairs with mm_assign_global_asid()'s smp_store_release(). */
	return smp_load_acquire(&mm->context.global_asid);
}

static inline void mshare_invlpgb_pcid(unsigned long pcid)
{
	u64 rax = BIT(1) | BIT(2);	/* INVLPGB_FLAG_PCID | _ASID */
	u32 ecx = 0, edx = pcid << 16;

	asm volatile(".byte 0x0f, 0x01, 0xfe"
		     : : "a" (rax), "c" (ecx), "d" (edx) : "memory");
}

/*
 * Flush every TLB and paging-structure cache entry of global ASID @asid
 * (kernel PCID, and user PCID under PTI) on every CPU, and wait: what
 * broadcast_tlb_flush() does for TLB_FLUSH_ALL.
 */
static inline void mshare_invlpgb_asid(u16 asid)
{
	unsigned long pcid = asid + 1;		/* kern_pcid() */

	preempt_disable();	/* TLBSYNC waits for this CPU's INVLPGBs */
	mshare_invlpgb_pcid(pcid);
#ifdef X86_CR3_PTI_PCID_USER_BIT	/* CONFIG_MITIGATION_PAGE_TABLE_ISOLATION */
	if (cpu_feature_enabled(X86_FEATURE_PTI))
		mshare_invlpgb_pcid(pcid | BIT(X86_CR3_PTI_PCID_USER_BIT));
#endif
	asm volatile(".byte 0x0f, 0x01, 0xff" : : : "memory");
	if (static_cpu_has_bug(X86_BUG_TLBI))
		asm volatile(".byte 0x0f, 0x01, 0xff" : : : "memory");
	preempt_enable();
}

/*
 * Whether this CPU runs with global ASID @asid loaded (its CR3 holds the
 * kernel PCID of @asid).  Its local flush must then be left to INVLPGB,
 * as flush_tlb_func() leaves it: native_flush_tlb_local() would mark
 * kern_pcid(asid) in the 16-bit user_pcid_flush_mask under PTI.
 */
static inline bool mshare_cpu_on_global_asid(u16 asid)
{
	return asid && cpu_feature_enabled(X86_FEATURE_PCID) &&
	       (__read_cr3() & X86_CR3_PCID_MASK) == asid + 1;
}
#else
static inline u16 mshare_mm_global_asid(struct mm_struct *mm)
{
	return 0;
}

static inline void mshare_invlpgb_asid(u16 asid)
{
}

static inline bool mshare_cpu_on_global_asid(u16 asid)
{
	return false;
}
#endif

/* ---- IPC namespaces -------------------------------------------------- */

/* The initial IPC namespace (init_ipc_ns is not exported everywhere). */
static inline bool mshare_ipc_ns_is_init(const struct ipc_namespace *ns)
{
	return ns->ns.inum == PROC_IPC_INIT_INO;
}

/*
 * A named domain's hold on its IPC namespace, and whether the namespace
 * is dead (its last process is gone: its names must go).
 *
 * A counted reference (get_ipc_ns()) cannot be dropped by a module on
 * most kernels: put_ipc_ns() and init_ipc_ns are not exported by
 * mainline 6.1 or 6.12 (their export was proposed upstream only in 2026,
 * "ipc: export init_ipc_ns and put_ipc_ns", Alice Ryhl, for Rust Binder);
 * Debian's 6.12 and 7.3 export them through a patch of its own ("Export
 * symbols needed by Android drivers"), Debian's 6.1 does not.  A build
 * cannot test for an export, so on every kernel the domain holds the
 * namespace's mqueue mount instead (mntget(), exported everywhere) and no
 * reference on the namespace: put_ipc_ns() clears that mount's superblock s_fs_info
 * (mq_clear_sbinfo(), under mq_lock) when the last reference goes, before
 * a work item frees the namespace (ipc/namespace.c in 6.1, 6.12 and 7.3),
 * and a mount we hold keeps the superblock.  So the namespace is alive,
 * and is @ns, exactly while s_fs_info == @ns; once NULL it is dead, and
 * its address may be reused: the pointer is only ever compared, never
 * followed.  (The mqueue filesystem itself lives with a dead namespace's
 * superblock: s_fs_info NULL is the state a user's mqueue mount of a dead
 * namespace has.)  A namespace without a mount (CONFIG_POSIX_MQUEUE off)
 * cannot be followed: not supported.
 */
#if !IS_ENABLED(CONFIG_POSIX_MQUEUE)
#error "mshare needs CONFIG_POSIX_MQUEUE (it follows IPC namespaces by their mqueue mount)"
#endif

struct mshare_ipc_ns_hold {
	struct ipc_namespace *ns;	/* compared, never followed */
	struct vfsmount *mq_mnt;
	bool init;			/* the initial namespace */
};

/* Hold @ns, the caller's own namespace (alive). */
static inline void mshare_ipc_ns_hold(struct mshare_ipc_ns_hold *h,
				      struct ipc_namespace *ns)
{
	h->ns = ns;
	h->mq_mnt = mntget(ns->mq_mnt);
	h->init = mshare_ipc_ns_is_init(ns);
}

static inline void mshare_ipc_ns_release(struct mshare_ipc_ns_hold *h)
{
	mntput(h->mq_mnt);
}

/* Whether @h holds @ns, an alive namespace (the caller's). */
static inline bool mshare_ipc_ns_is(const struct mshare_ipc_ns_hold *h,
				    const struct ipc_namespace *ns)
{
	return h->ns == ns && READ_ONCE(h->mq_mnt->mnt_sb->s_fs_info) == ns;
}

static inline bool mshare_ipc_ns_dead(const struct mshare_ipc_ns_hold *h)
{
	return !READ_ONCE(h->mq_mnt->mnt_sb->s_fs_info);
}

/* ---- Accounting and holders (issue 14) ------------------------------- */

/*
 * Add @n pages to @mm's resident shared memory (RssShmem, part of VmRSS).
 * add_mm_counter() is no use: its tracepoint helper is not exported.  The
 * counters became per-CPU in 6.2 ("mm: convert mm's rss stats into
 * percpu_counter", f1a7941243c1).
 */
static inline void mshare_mm_rss_add(struct mm_struct *mm, long n)
{
#if MSHARE_KERNEL_AT_LEAST(6, 2)
	percpu_counter_add(&mm->rss_stat[MM_SHMEMPAGES], n);
#else
	atomic_long_add(n, &mm->rss_stat.count[MM_SHMEMPAGES]);
#endif
}

/*
 * A reference on @file unless its count already reached zero (it is being
 * released); the caller keeps the file's memory valid meanwhile.  6.13
 * made the count a file_ref_t ("fs: port files to file_ref").
 */
static inline bool mshare_file_get_unless_zero(struct file *file)
{
#if MSHARE_KERNEL_AT_LEAST(6, 13)
	return file_ref_get(&file->f_ref);
#else
	return atomic_long_inc_not_zero(&file->f_count);
#endif
}

/*
 * Does @vmf hold only the per-VMA lock, not the mmap lock?  (Per-VMA locks
 * came in 6.4; before, a fault always holds the mmap lock.)
 */
static inline bool mshare_fault_vma_locked(const struct vm_fault *vmf)
{
#if MSHARE_KERNEL_AT_LEAST(6, 4)
	return vmf->flags & FAULT_FLAG_VMA_LOCK;
#else
	return false;
#endif
}

/* ---- Generic netlink ------------------------------------------------ */

/*
 * The generated op table (kmod/netlink-gen.c) on every kernel mshare
 * builds for.  ynl-gen-c writes it as split ops (struct genl_split_ops:
 * a do and a dump of one command are separate entries), which Linux 6.2
 * added.  Before that, the table is an array of struct genl_ops, which has
 * the same members but one entry per command: mshare_genl_ops_init()
 * merges the split entries into one per command at module load, the do's
 * policy serving the dump too (as it did when the table was written by
 * hand).  Kbuild includes compat.h first in kmod/netlink-gen.c.
 */
#if !MSHARE_KERNEL_AT_LEAST(6, 2)	/* no split ops */

/* GENL_CMD_CAP_DO/DUMP exist (uapi); the merged entries carry no flags. */
#define genl_split_ops		genl_ops

/* Replaced by the merged table in mshare_genl_ops_init(). */
#define MSHARE_GENL_OPS(table) .ops = (table), .n_ops = ARRAY_SIZE(table)

static inline void mshare_genl_ops_init(struct genl_family *family,
					const struct genl_ops *ops,
					unsigned int n)
{
	/* One entry per command (netlink.c is its only caller). */
	static struct genl_ops merged[__MSHARE_CMD_MAX];
	unsigned int i, j, nr = 0;

	for (i = 0; i < n; i++) {
		struct genl_ops *m = NULL;

		for (j = 0; j < nr; j++)
			if (merged[j].cmd == ops[i].cmd)
				m = &merged[j];
		if (!m) {
			if (WARN_ON(nr == ARRAY_SIZE(merged)))
				break;
			m = &merged[nr++];
			m->cmd = ops[i].cmd;
		}
		if (ops[i].doit)
			m->doit = ops[i].doit;
		if (ops[i].dumpit)
			m->dumpit = ops[i].dumpit;
		if (ops[i].policy && (!m->policy || ops[i].doit)) {
			m->policy = ops[i].policy;
			m->maxattr = ops[i].maxattr;
		}
	}
	/* The family is __ro_after_init: written before registering it. */
	family->ops = merged;
	family->n_ops = nr;
}

#else

#define MSHARE_GENL_OPS(table) \
	.split_ops = (table), .n_split_ops = ARRAY_SIZE(table)

static inline void mshare_genl_ops_init(struct genl_family *family,
					const struct genl_split_ops *ops,
					unsigned int n)
{
}

#endif

/*
 * A dump's request as a struct genl_info (its attributes and extack):
 * genl_info_dump() since 6.6 ("genetlink: add struct genl_info to struct
 * genl_dumpit_info"); before, made in @buf from genl_dumpit_info().
 */
static inline const struct genl_info *
mshare_genl_info_dump(struct netlink_callback *cb, struct genl_info *buf)
{
#if MSHARE_KERNEL_AT_LEAST(6, 6)
	return genl_info_dump(cb);
#else
	memset(buf, 0, sizeof(*buf));
	buf->attrs = genl_dumpit_info(cb)->attrs;
	buf->extack = cb->extack;
	return buf;
#endif
}

#endif /* MSHARE_COMPAT_H */
