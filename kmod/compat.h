/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that knows how kernels differ.  The rest of mshare reads
 * like mainline code for the kernel it builds against.
 */
#ifndef MSHARE_COMPAT_H
#define MSHARE_COMPAT_H

#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/ipc_namespace.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/version.h>

/*
 * Split page-table locks.  With ALLOC_SPLIT_PTLOCKS (lockdep, spinlock
 * debugging, PREEMPT_RT) the kernel allocates each table's lock with
 * ptlock_alloc(), which is not exported: the module owns the lock of its
 * tables there.  Otherwise the lock is embedded in the ptdesc.
 */
#if ALLOC_SPLIT_PTLOCKS
static inline bool mshare_ptlock_init(struct ptdesc *ptdesc)
{
	spinlock_t *ptl = kmalloc(sizeof(*ptl), GFP_KERNEL);

	if (!ptl)
		return false;
	spin_lock_init(ptl);
	ptdesc->ptl = ptl;
	return true;
}

static inline void mshare_ptlock_free(struct ptdesc *ptdesc)
{
	kfree(ptdesc->ptl);
	ptdesc->ptl = NULL;
}
#else
static inline bool mshare_ptlock_init(struct ptdesc *ptdesc)
{
	spin_lock_init(&ptdesc->ptl);
	return true;
}

static inline void mshare_ptlock_free(struct ptdesc *ptdesc)
{
}
#endif

/* References to @ns (all of them ours means: no process can reach it). */
static inline unsigned int mshare_ipc_ns_refs(struct ipc_namespace *ns)
{
	return refcount_read(&ns->ns.count);
}

/*
 * Whether an IOMMU may share @mm's page tables (SVA): every in-tree user
 * of mmu_notifier_ops.arch_invalidate_secondary_tlbs binds through
 * iommu_sva_bind_device(), which gives the mm a PASID first.
 */
static inline bool mshare_mm_iommu_sva(struct mm_struct *mm)
{
#ifdef CONFIG_IOMMU_SVA
	return mm_valid_pasid(mm);
#else
	return false;
#endif
}

/*
 * A process using @mm: its tgid as the caller sees it and its command
 * (pid 0, "?" without memory cgroups, which keep mm->owner, or once no
 * task uses the mm).
 */
static inline void mshare_mm_owner(struct mm_struct *mm, pid_t *pid,
				   char comm[TASK_COMM_LEN])
{
#ifdef CONFIG_MEMCG
	struct task_struct *t;

	rcu_read_lock();
	t = rcu_dereference(mm->owner);
	if (t) {
		*pid = task_tgid_vnr(t);
		/* As get_task_comm() since 6.13: a racy copy stays a string. */
		strscpy_pad(comm, t->comm, TASK_COMM_LEN);
	}
	rcu_read_unlock();
	if (t)
		return;
#endif
	*pid = 0;
	strscpy(comm, "?", TASK_COMM_LEN);
}

/*
 * Add @n pages to @mm's resident shared memory (RssShmem, part of VmRSS).
 * add_mm_counter() is no use: its tracepoint helper is not exported.
 */
static inline void mshare_mm_rss_add(struct mm_struct *mm, long n)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
	atomic_long_add(n, &mm->rss_stat.count[MM_SHMEMPAGES]);
#else
	percpu_counter_add(&mm->rss_stat[MM_SHMEMPAGES], n);
#endif
}

/*
 * A reference on @file unless its count already reached zero (it is being
 * released); the caller keeps the file's memory valid meanwhile.
 */
static inline bool mshare_file_get_unless_zero(struct file *file)
{
	return atomic_long_inc_not_zero(&file->f_count);
}

#endif /* MSHARE_COMPAT_H */
