// SPDX-License-Identifier: GPL-2.0
/*
 * mshare_mmu_test.ko: a test-only module, in the spirit of lib/test_hmm.c,
 * that plays two secondary MMUs on the mm of whoever opens
 * /dev/mshare_mmu_test (ABI and semantics: mshare_mmu_test.h).  It is
 * built by the selftests target and loaded only by the test suite; it is
 * never installed.
 *
 * Locking: each open descriptor's records are under its spinlock, taken
 * with interrupts off because arch_invalidate_secondary_tlbs() may come
 * from any context the kernel flushes TLBs in.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/pgtable.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/version.h>

#include "mshare_mmu_test.h"

/*
 * Kernel differences, kept here (this is a test module, not kmod/): until
 * 6.6 the secondary-TLB hook was .invalidate_range, which
 * mmu_notifier_invalidate_range_end() also called after every zap; 6.6
 * renamed it .arch_invalidate_secondary_tlbs and calls it only from TLB
 * flushes (kmod/compat.h has the sources).  pmdp_get_lockless() was
 * pmd_read_atomic() before 6.2.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define arch_invalidate_secondary_tlbs	invalidate_range
#endif
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define pmdp_get_lockless(pmdp)		pmd_read_atomic(pmdp)
#endif

struct mmu_test {
	struct mmu_notifier range_mn;	/* as KVM: range_start/end */
	struct mmu_notifier tlb_mn;	/* as an IOMMU: secondary TLBs */
	struct mm_struct *mm;		/* registered on, or NULL */
	spinlock_t lock;
	/* The mirrored translation of va. */
	u64 va;
	u32 objs;
	struct page *obj[MSHARE_MMU_NR_OBJS];
	struct address_space *mapping;	/* of the data page */
	pgoff_t index;
	/* What the callbacks saw. */
	u64 count[MSHARE_MMU_NR_EVS];
	u64 total[MSHARE_MMU_NR_EVS];
	u32 alive_at_first[MSHARE_MMU_NR_EVS];
};

/* Bit per tracked object that is still what it was when tracked. */
static u32 mmu_test_alive(struct mmu_test *t)
{
	u32 alive = 0;
	int i;

	for (i = 0; i < MSHARE_MMU_NR_OBJS; i++) {
		struct page *page = t->obj[i];

		if (!(t->objs & BIT(i)) || !page_ref_count(page))
			continue;
		if (i == MSHARE_MMU_OBJ_PAGE) {
			struct folio *folio = page_folio(page);

			if (READ_ONCE(folio->mapping) == t->mapping &&
			    READ_ONCE(folio->index) == t->index)
				alive |= BIT(i);
		} else if (PageTable(page)) {
			alive |= BIT(i);
		}
	}
	return alive;
}

static void mmu_test_record(struct mmu_test *t, int ev, unsigned long start,
			    unsigned long end)
{
	unsigned long flags;

	spin_lock_irqsave(&t->lock, flags);
	t->total[ev]++;
	if (t->objs && start <= t->va && t->va < end) {
		if (!t->count[ev]++)
			t->alive_at_first[ev] = mmu_test_alive(t);
	}
	spin_unlock_irqrestore(&t->lock, flags);
}

static int mmu_test_start(struct mmu_notifier *mn,
			  const struct mmu_notifier_range *range)
{
	mmu_test_record(container_of(mn, struct mmu_test, range_mn),
			MSHARE_MMU_EV_START, range->start, range->end);
	return 0;
}

static void mmu_test_end(struct mmu_notifier *mn,
			 const struct mmu_notifier_range *range)
{
	mmu_test_record(container_of(mn, struct mmu_test, range_mn),
			MSHARE_MMU_EV_END, range->start, range->end);
}

static void mmu_test_secondary(struct mmu_notifier *mn, struct mm_struct *mm,
			       unsigned long start, unsigned long end)
{
	mmu_test_record(container_of(mn, struct mmu_test, tlb_mn),
			MSHARE_MMU_EV_SECONDARY, start, end);
}

static const struct mmu_notifier_ops mmu_test_range_ops = {
	.invalidate_range_start	= mmu_test_start,
	.invalidate_range_end	= mmu_test_end,
};

static const struct mmu_notifier_ops mmu_test_tlb_ops = {
	.arch_invalidate_secondary_tlbs = mmu_test_secondary,
};

/* Walk the caller's page table to @va: what a secondary MMU would cache. */
static int mmu_test_track(struct mmu_test *t, u64 va, u32 *objs)
{
	struct mm_struct *mm = current->mm;
	struct page *obj[MSHARE_MMU_NR_OBJS] = {};
	struct address_space *mapping = NULL;
	pgoff_t index = 0;
	unsigned long flags;
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud, pudv;
	pmd_t *pmd, pmdv;
	pte_t pte;
	u32 found = 0;

	mmap_read_lock(mm);
	pgd = pgd_offset(mm, va);
	if (pgd_none(*pgd))
		goto out;
	p4d = p4d_offset(pgd, va);
	if (p4d_none(*p4d))
		goto out;
	pud = pud_offset(p4d, va);
	pudv = READ_ONCE(*pud);
	if (!pud_present(pudv) || pud_leaf(pudv))
		goto out;
	obj[MSHARE_MMU_OBJ_PMD_TABLE] = pud_page(pudv);
	found |= BIT(MSHARE_MMU_OBJ_PMD_TABLE);
	pmd = pmd_offset(pud, va);
	pmdv = pmdp_get_lockless(pmd);
	if (!pmd_present(pmdv) || pmd_leaf(pmdv))
		goto out;
	obj[MSHARE_MMU_OBJ_PTE_TABLE] = pmd_page(pmdv);
	found |= BIT(MSHARE_MMU_OBJ_PTE_TABLE);
	/* (__pte_offset_map() is not exported; tables are in the direct map.) */
	pte = ptep_get((pte_t *)page_address(pmd_page(pmdv)) + pte_index(va));
	if (pte_present(pte)) {
		struct page *page = pte_page(pte);
		struct folio *folio = page_folio(page);

		obj[MSHARE_MMU_OBJ_PAGE] = page;
		mapping = READ_ONCE(folio->mapping);
		index = READ_ONCE(folio->index);
		found |= BIT(MSHARE_MMU_OBJ_PAGE);
	}
out:
	mmap_read_unlock(mm);

	spin_lock_irqsave(&t->lock, flags);
	t->va = va;
	memcpy(t->obj, obj, sizeof(obj));
	t->mapping = mapping;
	t->index = index;
	memset(t->count, 0, sizeof(t->count));
	memset(t->total, 0, sizeof(t->total));
	memset(t->alive_at_first, 0, sizeof(t->alive_at_first));
	t->objs = found;
	spin_unlock_irqrestore(&t->lock, flags);
	*objs = found;
	return 0;
}

static long mmu_test_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct mmu_test *t = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MSHARE_MMU_TEST_TRACK: {
		struct mshare_mmu_track tr;
		int err;

		if (copy_from_user(&tr, uarg, sizeof(tr)))
			return -EFAULT;
		if (!t->mm) {
			err = mmu_notifier_register(&t->range_mn, current->mm);
			if (err)
				return err;
			err = mmu_notifier_register(&t->tlb_mn, current->mm);
			if (err) {
				mmu_notifier_unregister(&t->range_mn,
							current->mm);
				return err;
			}
			t->mm = current->mm;
		} else if (t->mm != current->mm) {
			return -EINVAL;
		}
		err = mmu_test_track(t, tr.va, &tr.objs);
		if (err)
			return err;
		return copy_to_user(uarg, &tr, sizeof(tr)) ? -EFAULT : 0;
	}
	case MSHARE_MMU_TEST_RESULT: {
		struct mshare_mmu_result r = {};
		unsigned long flags;

		spin_lock_irqsave(&t->lock, flags);
		memcpy(r.count, t->count, sizeof(r.count));
		memcpy(r.total, t->total, sizeof(r.total));
		memcpy(r.alive_at_first, t->alive_at_first,
		       sizeof(r.alive_at_first));
		r.objs = t->objs;
		r.alive_now = mmu_test_alive(t);
		spin_unlock_irqrestore(&t->lock, flags);
		return copy_to_user(uarg, &r, sizeof(r)) ? -EFAULT : 0;
	}
	default:
		return -ENOTTY;
	}
}

static int mmu_test_open(struct inode *inode, struct file *file)
{
	struct mmu_test *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	spin_lock_init(&t->lock);
	t->range_mn.ops = &mmu_test_range_ops;
	t->tlb_mn.ops = &mmu_test_tlb_ops;
	file->private_data = t;
	return 0;
}

static int mmu_test_release(struct inode *inode, struct file *file)
{
	struct mmu_test *t = file->private_data;

	if (t->mm) {
		mmu_notifier_unregister(&t->tlb_mn, t->mm);
		mmu_notifier_unregister(&t->range_mn, t->mm);
	}
	kfree(t);
	return 0;
}

static const struct file_operations mmu_test_fops = {
	.owner		= THIS_MODULE,
	.open		= mmu_test_open,
	.release	= mmu_test_release,
	.unlocked_ioctl	= mmu_test_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice mmu_test_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "mshare_mmu_test",
	.fops	= &mmu_test_fops,
	.mode	= 0600,
};

module_misc_device(mmu_test_dev);

MODULE_DESCRIPTION("mshare tests: two secondary MMUs that record invalidations");
MODULE_LICENSE("GPL");
