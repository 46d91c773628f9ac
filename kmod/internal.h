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
 *   mshare_domain->migrate_lock (mutex: one migration, discard, policy
 *                                change or table move of a domain at a time)
 *   mmap_lock (or the per-VMA lock in faults that only fill)
 *     mshare_mm->link_mutex (mutex: one link fault of an mm at a time;
 *                            under the mmap lock, never a VMA lock alone:
 *                            fault.c, mshare_fault_link())
 *     mshare_domain->tables_sem (rwsem: read by faults that fill or link,
 *                                under a VMA or mmap lock; written while
 *                                the tables move, under migrate_lock)
 *       i_mmap_rwsem of the domain's mapping (read: unmap_mapping_pages()
 *                                             of an invalidation batch)
 *         mmu notifier callbacks (invalidate.c, attach.c)
 *           mshare_mm->lock (spinlock: links of one mm vs. invalidations)
 *             mm->page_table_lock (pud_lock) or the process PMD table's ptl
 *             xa_lock of mshare_mm->links
 *           mshare_inval_lock (spinlock: running invalidation batches)
 *       domain PTE table ptl (leaf PTE install/clear; never with the above;
 *                             also guards mshare_domain->mig_table)
 *   mshare_domain->mms_lock (spinlock: the domain's list of mms; may
 *                            take an mshare_mm->lock for the holders)
 *   mshare_mms_lock (spinlock: the mm -> mshare_mm hash; leaf)
 *   mshare_registry_lock (mutex: domain names; never held with the above)
 * No lock is global across slow work: a discard or migration batch holds
 * its domain's migrate_lock and, during unmap_mapping_pages(), the read
 * side of its domain's i_mmap_rwsem; nothing of other domains.
 * Registering an mm's notifier (mm_take_all_locks()) happens under that
 * mm's mmap_lock only, never in fork (attach.c).
 * TLB IPIs are sent with interrupts enabled, possibly under the spinlocks.
 */
#ifndef MSHARE_INTERNAL_H
#define MSHARE_INTERNAL_H

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/mshare.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/xarray.h>
#include <asm/pgtable.h>

#include "compat.h"

struct ipc_namespace;
struct sk_buff;
struct user_namespace;

/* What a link of a process (mshare_mm->links, attach.c) is. */
enum mshare_link_level {
	MSHARE_LINK_PMD = 1,	/* process PMD entry -> domain PTE table */
	MSHARE_LINK_COPY = 2,	/* process PMD entry = a domain 2 MiB leaf */
	MSHARE_LINK_PUD = 3,	/* process PUD entry -> domain PMD table */
};

struct mshare_table {
	struct page *page;
	atomic_t links;
	atomic_t resident;	/* data pages it maps (read-write tables) */
};

/* Event counters of a domain, reported by its stats. */
struct mshare_domain_stats {
	atomic64_t faults;		/* faults handled (link or fill) */
	atomic64_t shootdowns;		/* IPI rounds on its behalf */
	atomic64_t shootdown_cpus;	/* CPUs those rounds targeted */
	atomic64_t pages_flushed;	/* pages those rounds covered */
	atomic64_t flushes_ranged;	/* rounds that flushed a range */
	atomic64_t flushes_full;	/* rounds that flushed everything */
	atomic64_t migrations;		/* migrations run (user and auto) */
	atomic64_t pages_migrated;	/* pages they moved */
	atomic64_t migrate_skipped;	/* pinned pages they left in place */
	atomic64_t migrate_ns;		/* time they took */
};

/* A domain's NUMA policy (numa.c); replaced whole, freed after RCU. */
struct mshare_policy {
	struct rcu_head rcu;
	u32 mode;			/* MSHARE_NUMA_* */
	u32 nr_nodes;
	int nodes[] __counted_by(nr_nodes);
};

/* Automatic placement state of a domain (numa_auto.c). */
struct mshare_auto {
	struct delayed_work work;
	bool stop;			/* set before the work is cancelled */
	int candidate;			/* best other node of the last samples */
	unsigned int streak;		/* samples it stayed the best */
	unsigned long last_move;	/* jiffies of the last move */
	u32 *weight;			/* per node: runnable attachers, EWMA x256 */
	u64 e_home;			/* E of the home node, last sample */
};

/*
 * An IPC namespace the module holds anything in: the scope of names, and
 * the creation grants made in it (domain.c, quota.c).  Holds one reference
 * on the namespace; all of it is under mshare_registry_lock.
 */
struct mshare_ns {
	struct list_head node;		/* the module's namespaces */
	struct mshare_ipc_ns_hold hold;	/* the namespace (compat.h) */
	unsigned int users;		/* domains alive, grants */
	bool dead;			/* only we held it: no process can reach it */
	struct list_head grants;	/* struct mshare_grant (quota.c) */
	bool has_total;			/* a namespace-wide limit is set */
	u64 total_bytes;
	u32 total_domains;
};

enum mshare_domain_state {
	MSHARE_DOMAIN_CREATING,		/* being made: counts, not visible */
	MSHARE_DOMAIN_NAMED,		/* in the registry by its name */
	MSHARE_DOMAIN_DELETED,		/* name gone, still held by attachers */
};

struct mshare_domain {
	struct list_head node;		/* registry, under mshare_registry_lock */
	struct list_head reap_node;	/* domain.c's reaper */
	enum mshare_domain_state state;	/* under mshare_registry_lock */
	char name[MSHARE_NAME_MAX];
	u32 id;
	struct pid *creator;		/* the creator's tgid (a reference) */
	kgid_t grant_gid;		/* the group grant that admitted it */
	time64_t ctime;			/* creation, seconds since the epoch */
	u32 flags;			/* MSHARE_DOMAIN_F_* */
	u64 size;			/* bytes, multiple of PMD_SIZE */
	unsigned long nr_pages;
	umode_t mode;			/* under mshare_registry_lock */
	kuid_t uid;
	kgid_t gid;
	int nid;			/* home node: its tables are there */
	struct mshare_policy __rcu *policy;
	atomic_long_t *node_pages;	/* data pages per node (nr_node_ids) */
	atomic_long_t *node_tables;	/* table pages per node */
	struct mutex migrate_lock;	/* see the lock order */
	struct rw_semaphore tables_sem;	/* see the lock order */
	/*
	 * Pages [busy_first, busy_last) whose leaves a discard or migration
	 * batch changes: a fault on an empty entry there waits on busy_wait
	 * (pgtable.c).
	 */
	pgoff_t busy_first, busy_last;
	wait_queue_head_t busy_wait;
	pgprot_t pgprot;		/* of every leaf entry */
	struct mshare_auto autonuma;
	struct mshare_ns *ns;		/* its scope; a user of it until freed */
	struct mem_cgroup *memcg;	/* the creator's (tables, prefault) */
	struct user_namespace *user_ns;	/* owner of the namespace; referenced */

	struct file *file;		/* its reference count is the domain's */
	struct inode *inode;

	unsigned int nr_pmd_tables;	/* one per GiB (rounded up) */
	unsigned int nr_pte_tables;	/* one per 2 MiB */
	/* huge: the PTE tables made (2 MiB that fell back to 4 KiB pages) */
	atomic_t pte_tables_made;
	struct mshare_table *pmd_tables;
	struct mshare_table *pte_tables;
	/* The read-only twins (rdonly.c), made on the first read-only attach */
	struct mshare_table *ro_pmd_tables;
	struct mshare_table *ro_pte_tables;
	pgprot_t ro_pgprot;		/* of their leaf entries */

	atomic_long_t resident;		/* data pages present */
	atomic_t attached;		/* descriptors attached */
	atomic_t nr_vmas;		/* mappings (VMAs) of it */
	atomic_t nr_mms;		/* distinct mms mapping it */
	spinlock_t mms_lock;		/* guards mms */
	struct list_head mms;		/* mshare_mm_dom (attach.c) */
	struct mshare_domain_stats stats;

	/* test builds' debug_skip_flush: discarded pages kept until it goes */
	spinlock_t deferred_lock;
	struct list_head deferred;
};

struct mshare_mm {
	struct hlist_node hnode;	/* under mshare_mms_lock */
	struct mm_struct *mm;
	unsigned int users;		/* VMAs; see attach.c */
	bool registered;		/* notifier inserted: links allowed */
	struct list_head doms;		/* mshare_mm_dom; see attach.c */
	struct mmu_interval_notifier notifier;
	struct mutex link_mutex;	/* one link fault at a time */
	spinlock_t lock;		/* links vs. invalidations */
	struct xarray links;		/* struct mshare_link; attach.c */
	bool owes_pending;		/* raised mm->tlb_flush_pending; lock */
	struct pid *pid;		/* a process of mm (holders) */
};

/* Module-wide counters, reported by MSHARE_CMD_GET_INFO. */
struct mshare_stats {
	atomic_t domains;
	atomic_long_t data_pages;	/* orphans included */
	atomic_long_t orphan_pages;	/* left their domain, still pinned */
	atomic_long_t table_pages;
};

extern struct mshare_stats mshare_stats;
extern unsigned long mshare_max_domain_size;
/*
 * The largest max_domain_size: 2^25 PTE tables and 2^34 pages, within
 * unsigned int table counts and any pgoff_t (and within TASK_SIZE).
 */
#define MSHARE_DOMAIN_SIZE_LIMIT	(64ULL << 40)

/* device.c: the /dev/mshare misc device and its file operations */
int mshare_dev_init(void);
void mshare_dev_exit(void);

/* netlink.c: the "mshare" generic netlink family */
int mshare_nl_init(void);
void mshare_nl_exit(void);
/* Multicast event @cmd (MSHARE_CMD_DOMAIN_CREATED...) about @dom. */
void mshare_nl_notify(struct mshare_domain *dom, u8 cmd);
struct mshare_migrate;
/* DOMAIN_MIGRATE_PROGRESS or DOMAIN_MIGRATED (with @err) about @m. */
void mshare_nl_notify_migrate(struct mshare_domain *dom, u8 cmd,
			      const struct mshare_migrate *m, int err);

/* domain.c: domain lifecycle, registry (per IPC namespace), pseudo fs */
int mshare_domain_init(void);
void mshare_domain_exit(void);
bool mshare_name_valid(const char *name);
/* In the caller's IPC namespace; returned with a reference for the caller. */
struct mshare_domain *mshare_domain_create(const char *name, u64 size,
					   u32 flags, umode_t mode,
					   kuid_t uid, kgid_t gid,
					   struct mshare_policy *pol,
					   bool privileged, const char **why);
int mshare_domain_destroy(struct mshare_domain *dom);
struct mshare_domain *mshare_domain_lookup(const char *name);
struct mshare_domain *mshare_domain_lookup_id(u32 id);
void mshare_registry_lock_reap(void);
void mshare_registry_unlock(void);
void mshare_registry_assert_held(void);
struct mshare_ns *mshare_ns_current(void);
struct mshare_ns *mshare_ns_get_locked(void);
void mshare_ns_put_grant(struct mshare_ns *ns);
void mshare_ns_usage(struct mshare_ns *ns, const kuid_t *uid, u64 *bytes,
		     u32 *count);
void mshare_ns_usage_group(struct mshare_ns *ns, kgid_t gid, u64 *bytes,
			   u32 *count);

/* quota.c: who may create without CAP_SYS_ADMIN, and how much */
int mshare_quota_check_locked(struct mshare_ns *ns, kuid_t uid, u64 size,
			      bool privileged, kgid_t *group,
			      const char **why);
void mshare_quota_drop_locked(struct mshare_ns *ns);
struct mshare_limit {
	u32 kind;			/* MSHARE_LIMIT_* */
	u32 id;				/* as seen by the caller */
	u64 bytes;
	u32 domains;
	u64 used_bytes;
	u32 used_domains;
};
int mshare_limit_set(u32 kind, kuid_t uid, kgid_t gid, u64 bytes,
		     u32 domains);
int mshare_limit_del(u32 kind, kuid_t uid, kgid_t gid);
int mshare_limit_for_each(unsigned long skip,
			  int (*fn)(const struct mshare_limit *l, void *arg),
			  void *arg);
void mshare_domain_put(struct mshare_domain *dom);
void mshare_domain_owner(struct mshare_domain *dom, umode_t *mode,
			 kuid_t *uid, kgid_t *gid);
int mshare_domain_set_owner(struct mshare_domain *dom, const umode_t *mode,
			    const kuid_t *uid, const kgid_t *gid);
/*
 * Calls @fn for each named domain of the caller's IPC namespace from the
 * @skip-th on, under the lock.
 */
int mshare_domain_for_each(unsigned long skip,
			   int (*fn)(struct mshare_domain *dom, void *arg),
			   void *arg);
void mshare_domain_links(struct mshare_domain *dom, u32 *pud, u32 *pmd);
bool mshare_range_valid(struct mshare_domain *dom, u64 offset, u64 len);

/* perm.c: who may create, manage and attach (Documentation/permissions.rst) */
int mshare_may_create(const struct sk_buff *skb);
int mshare_may_manage(const struct sk_buff *skb, struct mshare_domain *dom,
		      bool owner_may);
int mshare_may_attach(struct mshare_domain *dom, bool rdonly);

/* pgtable.c: domain tables and data pages */
int mshare_tables_alloc(struct mshare_domain *dom);
void mshare_tables_free(struct mshare_domain *dom);
int mshare_fill(struct mshare_domain *dom, pgoff_t pgoff,
		struct mm_struct *mm);
int mshare_prefault(struct mshare_domain *dom);
/*
 * Free the data pages of [@offset, @offset + @len) (checked by the caller
 * with mshare_range_valid()) in every attacher.
 */
int mshare_domain_discard(struct mshare_domain *dom, u64 offset, u64 len);

/*
 * Whether DOMAIN_NEW may take MSHARE_DOMAIN_F_HUGE (2 MiB leaves,
 * pgtable.c) on this kernel: not where it cannot hold leaves (no
 * transparent hugepages: compat.h), which refuses it with EOPNOTSUPP.
 */
static inline bool mshare_leaves_supported(void)
{
	return mshare_leaves_possible();
}

/*
 * Whether @dom holds 2 MiB leaves in its PMD tables (pgtable.c); always
 * false, at compile time, on a kernel that cannot hold them.
 */
static inline bool mshare_dom_huge(const struct mshare_domain *dom)
{
	return mshare_leaves_possible() && (dom->flags & MSHARE_DOMAIN_F_HUGE);
}

/*
 * The leaf entry of a 2 MiB folio: present, user, RW, NX, young, dirty,
 * PSE; never devmap (GUP would look for a pgmap) and never special (GUP
 * and vm_normal_page_pmd() would refuse it).  PAT moves from bit 7 to bit
 * 12 in a large entry: pgprot_4k_2_large().
 */
static inline pmd_t mshare_mkpmd(struct mshare_domain *dom,
				 struct folio *folio)
{
	return pmd_mkyoung(pmd_mkdirty(pmd_mkhuge(pfn_pmd(folio_pfn(folio),
				pgprot_4k_2_large(dom->pgprot)))));
}

/* A data page's leaf entry: present, user, RW, NX, young and dirty. */
static inline pte_t mshare_mkpte(struct mshare_domain *dom, struct page *page)
{
	return pte_mkyoung(pte_mkdirty(mk_pte(page, dom->pgprot)));
}

void mshare_busy_begin(struct mshare_domain *dom, pgoff_t first,
		       pgoff_t last);
void mshare_busy_end(struct mshare_domain *dom);

/* Where page @pgoff of @dom is, and its PTE table. */
static inline pte_t *mshare_ptep(struct mshare_domain *dom, pgoff_t pgoff,
				 struct mshare_table **table)
{
	*table = &dom->pte_tables[pgoff / PTRS_PER_PTE];
	return (pte_t *)page_address((*table)->page) + pgoff % PTRS_PER_PTE;
}

/* The PMD table (read-write) over page @pgoff of @dom. */
static inline struct mshare_table *
mshare_pmd_table_of(struct mshare_domain *dom, pgoff_t pgoff)
{
	return &dom->pmd_tables[pgoff >> (PUD_SHIFT - PAGE_SHIFT)];
}

/* The tables @dom has (not counting the read-only twins). */
static inline unsigned long mshare_dom_table_pages(struct mshare_domain *dom)
{
	return dom->nr_pmd_tables +
	       (mshare_dom_huge(dom) ? atomic_read(&dom->pte_tables_made) :
				       dom->nr_pte_tables);
}

/* The entry of the domain PMD table over page @pgoff of @dom. */
static inline pmd_t *mshare_pmdp(struct mshare_domain *dom, pgoff_t pgoff)
{
	return (pmd_t *)page_address(mshare_pmd_table_of(dom, pgoff)->page) +
	       (pgoff >> PMD_ORDER) % PTRS_PER_PMD;
}

static inline spinlock_t *mshare_table_ptl(struct mshare_table *table)
{
	return mshare_pgtable_ptl(table->page);
}

struct page *mshare_table_alloc(struct mshare_domain *dom, int nid,
				bool pmd_table);
void mshare_table_free(struct mshare_domain *dom, struct page *page);

/* account.c: memory cgroups, counters, pages that outlive their domain */
struct mem_cgroup *mshare_memcg_of_mm(struct mm_struct *mm);
struct mem_cgroup *mshare_memcg_of_page(struct page *page);
void mshare_account_page_add(struct page *page);
void mshare_data_page_put(struct mshare_domain *dom, struct page *page);
void mshare_account_exit(void);

/* rdonly.c: read-only attachments' tables */
pte_t mshare_mkpte_ro(struct mshare_domain *dom, struct page *page);
pte_t *mshare_ro_ptep(struct mshare_domain *dom, pgoff_t pgoff,
		      struct mshare_table **table);
pmd_t mshare_mkpmd_ro(struct mshare_domain *dom, struct folio *folio);
void mshare_ro_leaf_set(struct mshare_domain *dom, pgoff_t pgoff,
			struct folio *folio);
bool mshare_ro_exists(struct mshare_domain *dom);
void mshare_ro_table_set(struct mshare_domain *dom, pgoff_t pgoff,
			 struct page *page);
void mshare_ro_set(struct mshare_domain *dom, pgoff_t pgoff,
		   struct page *page);
int mshare_ro_build_locked(struct mshare_domain *dom);
int mshare_ro_tables_get(struct mshare_domain *dom);
void mshare_ro_tables_free(struct mshare_domain *dom);

/* numa.c: NUMA policies, page placement, per-node counts */
bool mshare_node_valid(int nid);
/*
 * A policy of @mode over @nodes, or an ERR_PTR (-EINVAL with *@why set,
 * -ENOMEM).  Checks the node list against the mode and the online nodes.
 */
struct mshare_policy *mshare_policy_new(u32 mode, const u32 *nodes,
					     u32 nr_nodes, const char **why);
int mshare_policy_home(const struct mshare_policy *pol);
int mshare_numa_init_domain(struct mshare_domain *dom,
			    struct mshare_policy *pol);
void mshare_numa_free_domain(struct mshare_domain *dom);
/* Replace @dom's policy with @pol (consumed). */
void mshare_domain_set_policy(struct mshare_domain *dom,
			      struct mshare_policy *pol);
void mshare_auto_start_if_auto(struct mshare_domain *dom);
/*
 * A new zeroed data page for @pgoff of @dom, placed as its policy says, or
 * ERR_PTR(-ENOMEM), or ERR_PTR(-ENOSPC) when the policy binds it to a node
 * that is full.
 */
struct page *mshare_data_page_alloc(struct mshare_domain *dom, pgoff_t pgoff);
struct folio *mshare_data_folio_alloc(struct mshare_domain *dom,
				      pgoff_t pgoff);
void mshare_node_pages_add(struct mshare_domain *dom, struct page *page,
			   long nr);

/* migrate.c: live migration of a domain's pages and tables */
struct mshare_migrate {
	int node;			/* target */
	pgoff_t first, last;		/* page range [first, last) */
	bool automatic;			/* by the auto policy (no signals) */
	u32 pid;			/* requester, for the events */
	u64 total, done, skipped;	/* as MSHARE_A_MIGRATE_PAGES_* */
};

/* Move @m's range of @dom to @m->node.  0, -EINTR, -ENOMEM. */
int mshare_migrate(struct mshare_domain *dom, struct mshare_migrate *m);

/* numa_auto.c: the "auto" policy */
void mshare_auto_init(struct mshare_domain *dom);
void mshare_auto_start(struct mshare_domain *dom);
void mshare_auto_stop(struct mshare_domain *dom);

/* fault.c: the domain VMAs' operations */
int mshare_vma_setup(struct vm_area_struct *vma, struct mshare_domain *dom,
		     bool rdonly);
bool mshare_vma_rdonly(struct vm_area_struct *vma);
bool mshare_vma_of(struct vm_area_struct *vma, struct mshare_domain *dom);
struct mshare_domain *mshare_vma_domain(struct vm_area_struct *vma);

/* attach.c: per-mm state, registration, linking and unlinking */
struct mshare_mm *mshare_mm_get(struct mm_struct *mm,
				struct mshare_domain *dom);
int mshare_mm_register(struct mshare_mm *mmm);
vm_fault_t mshare_mm_register_fault(struct vm_fault *vmf);
void mshare_mm_put(struct mshare_mm *mmm, struct mshare_domain *dom);
void mshare_mm_settle(struct mshare_mm *mmm);
vm_fault_t mshare_mm_link(struct mshare_mm *mmm, struct vm_fault *vmf,
			  enum mshare_link_level level, unsigned long start,
			  struct mshare_table *table, struct mshare_table *rw);
void mshare_mm_filled(struct mshare_mm *mmm, struct mshare_domain *dom,
		      unsigned long addr, long nr);
struct mshare_holder {
	pid_t pid;			/* 0 if no task uses the mm any more */
	char comm[TASK_COMM_LEN];
	u32 mappings;
	u64 linked;			/* bytes its links cover */
};

struct mshare_holder *mshare_dom_holders(struct mshare_domain *dom,
					 unsigned int *nr);
/* The mms mapping @dom, referenced; see attach.c. */
struct mm_struct **mshare_dom_mms(struct mshare_domain *dom, unsigned int *nr,
				  gfp_t gfp);
void mshare_mms_put(struct mm_struct **mms, unsigned int nr);

/* tlb.c: TLB shootdown batches */
#define MSHARE_FLUSH_CEILING	32	/* addresses per mm before a full flush */

struct mshare_flush_mm {
	struct mm_struct *mm;
	u16 global_asid;		/* read by the round (tlb.c) */
	unsigned int nr_addrs;
	unsigned long addrs[MSHARE_FLUSH_CEILING];
};

struct mshare_flush {
	struct mshare_domain *dom;	/* counters; may be NULL */
	bool full;			/* flush everything, not addresses */
	unsigned long pages;		/* pages the batch covers (counters) */
	unsigned int nr_mms, max_mms;
	struct mshare_flush_mm *mms;
	cpumask_var_t cpus;
};

#ifdef MSHARE_TEST_HOOKS
extern bool mshare_debug_skip_flush;
#else
#define mshare_debug_skip_flush false
#endif
int mshare_flush_init(struct mshare_flush *f, struct mshare_domain *dom,
		      unsigned int max_mms, bool full);
void mshare_flush_destroy(struct mshare_flush *f);
struct mshare_flush_mm *mshare_flush_add_mm(struct mshare_flush *f,
					    struct mm_struct *mm);
void mshare_flush_add_addr(struct mshare_flush *f, struct mshare_flush_mm *e,
			   unsigned long addr);
void mshare_flush_run(struct mshare_flush *f);
void mshare_flush_mm(struct mm_struct *mm);

/* invalidate.c: invalidation batches (mappings, secondary MMUs, TLBs) */
struct mshare_inval {
	struct list_head node;		/* running batches */
	struct task_struct *task;	/* whose zaps are the batch's */
	struct mshare_domain *dom;
	bool unlink;			/* a link batch; else a leaf batch */
	pgoff_t first, last;		/* domain pages it changes */
	const pgoff_t *pgoffs;		/* leaf batch: those to flush, or NULL */
	unsigned int nr;
	struct mshare_flush flush;	/* its shootdown round */
};

#define MSHARE_INVAL_UNLINK	0x1	/* clear every link into the range */
#define MSHARE_INVAL_NOFLUSH	0x2	/* test builds: no shootdown round */

void mshare_invalidate(struct mshare_domain *dom, pgoff_t first,
		       pgoff_t last, unsigned int flags, const pgoff_t *pgoffs,
		       unsigned int nr, unsigned long pages);
struct mshare_inval *mshare_inval_current(void);
struct mshare_flush_mm *mshare_inval_add_mm(struct mshare_inval *inv,
					    struct mm_struct *mm);
bool mshare_mm_secondary_tlbs(struct mm_struct *mm);

#endif /* MSHARE_INTERNAL_H */
