/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by the files of mshare.ko.  Each file owns one
 * responsibility; this header is the only coupling between them.
 *
 * Objects and lifetimes
 * ---------------------
 * struct mshare_domain: a named region.  It owns its data pages and its
 *   page-table pages (one PMD table per GiB, one PTE table per 2 MiB, all
 *   allocated at creation).  Its lifetime is that of its pseudo file
 *   (dom->file): the registry holds one file reference while the domain is
 *   named, each attached /dev/mshare descriptor one, each VMA one (as
 *   vm_file).  The last fput() frees data pages and tables, then the VFS
 *   drops the module reference the file holds.
 * struct mshare_table: one domain table page and its link count: how many
 *   process page-table entries point at it (never the page refcount).
 * struct mshare_mm: per-mm state, one per mm that maps any domain: the
 *   links the mm holds (an xarray keyed by address >> PMD_SHIFT) and the
 *   interval notifier through which every invalidation of the mm clears
 *   them before the kernel can zap or free anything through them.
 *   Referenced by each of the mm's mshare VMAs (vm_private_data).
 *
 * Lock order (outermost first)
 * ----------------------------
 *   mmap_lock (or the per-VMA lock in faults)
 *     mshare_mms_lock (mutex: mshare_mm lookup, creation, teardown)
 *   mshare_mm->lock (spinlock: links of one mm; held across unlink + flush)
 *     mm->page_table_lock (pud_lock) or the process PMD table's ptl
 *       xa_lock of mshare_mm->links
 *   domain PTE table ptl (leaf PTE install/clear; taken alone)
 *   mshare_registry_lock (mutex: domain names; taken alone)
 */
#ifndef MSHARE_INTERNAL_H
#define MSHARE_INTERNAL_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mmu_notifier.h>
#include <linux/mshare.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/xarray.h>

#include "compat.h"

struct sk_buff;

/*
 * Link levels, also the xarray pointer tags of mshare_mm->links (tag 2 is
 * reserved for the xarray's internal entries).
 */
enum mshare_link_level {
	MSHARE_LINK_PMD = 1,	/* process PMD entry -> domain PTE table */
	MSHARE_LINK_PUD = 3,	/* process PUD entry -> domain PMD table */
};

struct mshare_table {
	struct page *page;
	atomic_t links;
};

struct mshare_domain {
	struct list_head node;		/* registry, under mshare_registry_lock */
	bool named;			/* in the registry */
	char name[MSHARE_NAME_MAX];
	u32 id;
	u32 flags;			/* MSHARE_DOMAIN_F_* */
	u64 size;			/* bytes, multiple of PMD_SIZE */
	unsigned long nr_pages;
	umode_t mode;			/* under mshare_registry_lock */
	kuid_t uid;
	kgid_t gid;
	int nid;			/* home node of tables and data */

	struct file *file;		/* its reference count is the domain's */
	struct inode *inode;

	unsigned int nr_pmd_tables;	/* one per GiB (rounded up) */
	unsigned int nr_pte_tables;	/* one per 2 MiB */
	struct mshare_table *pmd_tables;
	struct mshare_table *pte_tables;

	atomic_long_t resident;		/* data pages present */
	atomic_t attached;		/* descriptors attached */
};

struct mshare_mm {
	struct hlist_node hnode;	/* under mshare_mms_lock */
	struct mm_struct *mm;
	unsigned int users;		/* VMAs, under mshare_mms_lock */
	struct mmu_interval_notifier notifier;
	spinlock_t lock;		/* links vs. invalidations */
	struct xarray links;
};

/* Module-wide counters, reported by MSHARE_CMD_GET_INFO. */
struct mshare_stats {
	atomic_t domains;
	atomic_long_t data_pages;
	atomic_long_t table_pages;
};

extern struct mshare_stats mshare_stats;
extern unsigned long mshare_max_domain_size;

/* device.c: the /dev/mshare misc device and its file operations */
int mshare_dev_init(void);
void mshare_dev_exit(void);

/* netlink.c: the "mshare" generic netlink family */
int mshare_nl_init(void);
void mshare_nl_exit(void);

/* domain.c: domain lifecycle, registry, pseudo filesystem */
int mshare_domain_init(void);
void mshare_domain_exit(void);
bool mshare_name_valid(const char *name);
struct mshare_domain *mshare_domain_create(const char *name, u64 size,
					   u32 flags, umode_t mode,
					   kuid_t uid, kgid_t gid);
int mshare_domain_destroy(const char *name);
struct mshare_domain *mshare_domain_lookup(const char *name);
void mshare_domain_put(struct mshare_domain *dom);
/* Calls @fn for each named domain from the @skip-th on, under the lock. */
int mshare_domain_for_each(unsigned long skip,
			   int (*fn)(struct mshare_domain *dom, void *arg),
			   void *arg);
void mshare_domain_links(struct mshare_domain *dom, u32 *pud, u32 *pmd);

/* perm.c: who may administer and who may attach */
bool mshare_may_admin(const struct sk_buff *skb);
int mshare_may_attach(struct mshare_domain *dom);

/* pgtable.c: domain tables and data pages */
int mshare_tables_alloc(struct mshare_domain *dom);
void mshare_tables_free(struct mshare_domain *dom);
int mshare_fill(struct mshare_domain *dom, pgoff_t pgoff);
int mshare_prefault(struct mshare_domain *dom);

/* fault.c: the domain VMAs' operations */
int mshare_vma_setup(struct vm_area_struct *vma, struct mshare_domain *dom);

/* attach.c: per-mm state, linking and unlinking */
struct mshare_mm *mshare_mm_get(struct mm_struct *mm);
void mshare_mm_put(struct mshare_mm *mmm);
vm_fault_t mshare_mm_link(struct mshare_mm *mmm, struct vm_fault *vmf,
			  enum mshare_link_level level, unsigned long start,
			  struct mshare_table *table);

/* tlb.c: TLB shootdown */
void mshare_flush_mm(struct mm_struct *mm);

#endif /* MSHARE_INTERNAL_H */
