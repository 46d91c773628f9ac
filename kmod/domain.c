// SPDX-License-Identifier: GPL-2.0
/*
 * Domain lifecycle and the registry: names, ids, IPC namespaces.
 *
 * A domain is an inode of a small private pseudo filesystem, and a file on
 * it.  The file's reference count is the domain's (see internal.h); its
 * last fput() calls mshare_domain_release(), which frees data pages and
 * tables.  The file's operations carry .owner, and the module reference
 * taken when the file is made is dropped by the VFS after ->release()
 * returns, so a deferred fput() can never run after module exit.
 * /proc/PID/maps names a mapping "mshare:[NAME]".
 *
 * The registry lists every domain from its creation to its release:
 * while it is being made (invisible, but its name and size count), while
 * it is named (the registry holds a reference), and once its name is
 * deleted while attachers still hold it (listed, reachable by id, and
 * still charged to its owner, as a SysV segment marked for deletion is).
 *
 * Scope: a domain belongs to the IPC namespace of its creator, as a SysV
 * shared memory segment does; lookups see only the caller's namespace, and
 * two namespaces may use the same name.  The module keeps one struct
 * mshare_ns per IPC namespace it holds anything in (domains, creation
 * grants: quota.c), which holds the namespace's mqueue mount, not the
 * namespace itself (compat.h: a module cannot drop a namespace reference
 * on every kernel); the mount tells when the namespace dies (its last
 * process is gone).  Then its names and grants are removed, as
 * shm_exit_ns() would, by the next registry operation and within a second
 * by a reaper that runs while the module holds any namespace but the
 * initial one (no notifier tells a module that a namespace has died).
 * Each domain also holds a reference on the namespace's owning user
 * namespace until it is freed (permission checks use it).
 *
 * Locking: mshare_registry_lock (mutex) protects the registry, the
 * namespaces and their grants, names, owners and modes.  It is never held
 * across page-table or mm locks.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ipc_namespace.h>
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/pseudo_fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>

#include "internal.h"
#include "trace.h"

#define MSHARE_FS_MAGIC	0x6d736872	/* "mshr" */

static LIST_HEAD(mshare_domains);	/* every domain, from creation */
static LIST_HEAD(mshare_nss);		/* struct mshare_ns */
static DEFINE_MUTEX(mshare_registry_lock);
static u32 mshare_next_id = 1;
/* Namespaces other than the initial one that are not dead yet. */
static unsigned int mshare_nr_foreign;
static struct vfsmount *mshare_mnt;

void mshare_registry_assert_held(void)
{
	lockdep_assert_held(&mshare_registry_lock);
}

/* Names are 1-63 characters of ASCII [A-Za-z0-9._-]. */
static bool mshare_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool mshare_name_valid(const char *name)
{
	size_t i, len = strnlen(name, MSHARE_NAME_MAX);

	if (len == 0 || len >= MSHARE_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!mshare_name_char(name[i]))
			return false;
	return true;
}

/* ---- IPC namespaces ------------------------------------------------- */

#define MSHARE_REAP_PERIOD	HZ

static void mshare_reap_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(mshare_reaper, mshare_reap_work);

/*
 * The caller's namespace state, made if needed, with one more user; NULL
 * when memory is short.  Caller holds the registry lock.
 */
static struct mshare_ns *mshare_ns_get(void)
{
	struct ipc_namespace *ipc_ns = current->nsproxy->ipc_ns;
	struct mshare_ns *ns;

	lockdep_assert_held(&mshare_registry_lock);
	list_for_each_entry(ns, &mshare_nss, node) {
		if (!ns->dead && mshare_ipc_ns_is(&ns->hold, ipc_ns)) {
			ns->users++;
			return ns;
		}
	}
	ns = kzalloc(sizeof(*ns), GFP_KERNEL);
	if (!ns)
		return NULL;
	mshare_ipc_ns_hold(&ns->hold, ipc_ns);
	ns->users = 1;
	INIT_LIST_HEAD(&ns->grants);
	list_add(&ns->node, &mshare_nss);
	if (!ns->hold.init && !mshare_nr_foreign++)
		schedule_delayed_work(&mshare_reaper, MSHARE_REAP_PERIOD);
	return ns;
}

/*
 * The caller's namespace state if the module has one, without a new user
 * (valid under the registry lock only), or NULL.
 */
struct mshare_ns *mshare_ns_current(void)
{
	struct ipc_namespace *ipc_ns = current->nsproxy->ipc_ns;
	struct mshare_ns *ns;

	lockdep_assert_held(&mshare_registry_lock);
	list_for_each_entry(ns, &mshare_nss, node)
		if (!ns->dead && mshare_ipc_ns_is(&ns->hold, ipc_ns))
			return ns;
	return NULL;
}

/* A user fewer; the last one frees it. */
static void mshare_ns_put_locked(struct mshare_ns *ns)
{
	lockdep_assert_held(&mshare_registry_lock);
	if (--ns->users)
		return;
	WARN_ON_ONCE(!list_empty(&ns->grants));
	list_del(&ns->node);
	if (!ns->hold.init && !ns->dead)
		mshare_nr_foreign--;
	/* mntput() of the mqueue mount: fine under our mutex. */
	mshare_ipc_ns_release(&ns->hold);
	kfree(ns);
}

/* mshare_ns_get() for quota.c (grants are users): registry lock held. */
struct mshare_ns *mshare_ns_get_locked(void)
{
	return mshare_ns_get();
}

void mshare_ns_put_grant(struct mshare_ns *ns)
{
	mshare_ns_put_locked(ns);
}

/* Take the name away; the caller drops the registry's reference. */
static void mshare_unpublish_locked(struct mshare_domain *dom)
{
	lockdep_assert_held(&mshare_registry_lock);
	dom->state = MSHARE_DOMAIN_DELETED;
}

/*
 * Namespaces that only we keep alive are dead: no process can reach them
 * again.  Their names go (the domains whose registry reference the caller
 * must drop after unlocking are moved to @dead) and so do their grants.
 */
static void mshare_reap_locked(struct list_head *dead)
{
	struct mshare_ns *ns, *tmp;
	struct mshare_domain *dom;

	lockdep_assert_held(&mshare_registry_lock);
	if (!mshare_nr_foreign)
		return;
	list_for_each_entry_safe(ns, tmp, &mshare_nss, node) {
		if (ns->dead || ns->hold.init || !mshare_ipc_ns_dead(&ns->hold))
			continue;
		ns->dead = true;
		mshare_nr_foreign--;
		list_for_each_entry(dom, &mshare_domains, node) {
			if (dom->ns != ns || dom->state != MSHARE_DOMAIN_NAMED)
				continue;
			mshare_unpublish_locked(dom);
			list_add(&dom->reap_node, dead);
		}
		/* Grants are users of @ns: the last may free it. */
		ns->users++;
		mshare_quota_drop_locked(ns);
		mshare_ns_put_locked(ns);
	}
}

static void mshare_put_dead(struct list_head *dead)
{
	struct mshare_domain *dom, *tmp;

	list_for_each_entry_safe(dom, tmp, dead, reap_node) {
		list_del_init(&dom->reap_node);
		mshare_domain_put(dom);
	}
}

/* While the module holds other namespaces, look for dead ones every second. */
static void mshare_reap_work(struct work_struct *work)
{
	LIST_HEAD(dead);
	bool again;

	mutex_lock(&mshare_registry_lock);
	mshare_reap_locked(&dead);
	again = mshare_nr_foreign;
	mutex_unlock(&mshare_registry_lock);
	mshare_put_dead(&dead);
	if (again)
		schedule_delayed_work(&mshare_reaper, MSHARE_REAP_PERIOD);
}

/* Lock the registry, first reaping dead IPC namespaces. */
void mshare_registry_lock_reap(void)
{
	LIST_HEAD(dead);

	mutex_lock(&mshare_registry_lock);
	mshare_reap_locked(&dead);
	if (list_empty(&dead))
		return;
	mutex_unlock(&mshare_registry_lock);
	mshare_put_dead(&dead);
	mutex_lock(&mshare_registry_lock);
}

void mshare_registry_unlock(void)
{
	mutex_unlock(&mshare_registry_lock);
}

/*
 * Bytes and domains charged in @ns: all of them (@uid NULL) or those
 * owned by @uid.  Every domain counts from its creation to its release.
 */
void mshare_ns_usage(struct mshare_ns *ns, const kuid_t *uid, u64 *bytes,
		     u32 *count)
{
	struct mshare_domain *dom;

	lockdep_assert_held(&mshare_registry_lock);
	*bytes = 0;
	*count = 0;
	list_for_each_entry(dom, &mshare_domains, node) {
		if (dom->ns != ns || (uid && !uid_eq(dom->uid, *uid)))
			continue;
		*bytes += dom->size;
		(*count)++;
	}
}

/* The same for the domains a grant of group @gid admitted. */
void mshare_ns_usage_group(struct mshare_ns *ns, kgid_t gid, u64 *bytes,
			   u32 *count)
{
	struct mshare_domain *dom;

	lockdep_assert_held(&mshare_registry_lock);
	*bytes = 0;
	*count = 0;
	list_for_each_entry(dom, &mshare_domains, node) {
		if (dom->ns != ns || !gid_eq(dom->grant_gid, gid))
			continue;
		*bytes += dom->size;
		(*count)++;
	}
}

/* ---- domains -------------------------------------------------------- */

static struct mshare_domain *mshare_find_locked(struct mshare_ns *ns,
						const char *name)
{
	struct mshare_domain *dom;

	lockdep_assert_held(&mshare_registry_lock);
	list_for_each_entry(dom, &mshare_domains, node)
		if (dom->ns == ns && dom->state != MSHARE_DOMAIN_DELETED &&
		    !strcmp(dom->name, name))
			return dom;
	return NULL;
}

static int mshare_domain_release(struct inode *inode, struct file *file)
{
	struct mshare_domain *dom = file->private_data;

	/* Files opened through /proc/PID/map_files carry no domain. */
	if (!dom)
		return 0;
	mshare_auto_stop(dom);
	/* Its memory goes now (a pinned page may outlive it: pgtable.c). */
	mshare_nl_notify(dom, MSHARE_CMD_DOMAIN_FREED);
	trace_mshare_domain_free(dom);
	mutex_lock(&mshare_registry_lock);
	list_del(&dom->node);
	mshare_ns_put_locked(dom->ns);
	mutex_unlock(&mshare_registry_lock);
	mshare_tables_free(dom);
	mshare_numa_free_domain(dom);
	atomic_dec(&mshare_stats.domains);
	put_user_ns(dom->user_ns);
	put_pid(dom->creator);
	mem_cgroup_put(dom->memcg);
	kfree(dom);
	return 0;
}

static const struct file_operations mshare_domain_fops = {
	.owner		= THIS_MODULE,
	.release	= mshare_domain_release,
	.llseek		= noop_llseek,
};

/* Undo a domain that never got its file, as far as it got. */
static void mshare_domain_free_unfiled(struct mshare_domain *dom)
{
	mutex_lock(&mshare_registry_lock);
	list_del(&dom->node);
	mshare_ns_put_locked(dom->ns);
	mutex_unlock(&mshare_registry_lock);
	put_user_ns(dom->user_ns);
	mshare_tables_free(dom);
	mshare_numa_free_domain(dom);
	atomic_dec(&mshare_stats.domains);
	put_pid(dom->creator);
	mem_cgroup_put(dom->memcg);
	kfree(dom);
}

/*
 * Make a domain in the caller's IPC namespace and publish its name.  All
 * the checks a caller can get wrong are made by the netlink layer before
 * this is called, except for the name being taken and the creation limits
 * (@privileged: the caller has CAP_SYS_ADMIN; else it needs a grant:
 * quota.c), checked here under the registry lock, where the new domain
 * is then entered at once, so that it counts while it is being made.
 * *@why says what a refusal was about.  Returns the domain with a
 * reference for the caller (mshare_domain_put() it) besides the
 * registry's.
 */
struct mshare_domain *mshare_domain_create(const char *name, u64 size,
					   u32 flags, umode_t mode,
					   kuid_t uid, kgid_t gid,
					   struct mshare_policy *pol,
					   bool privileged, const char **why)
{
	struct mshare_domain *dom;
	struct mshare_ns *ns;
	struct inode *inode;
	struct file *file;
	int err;

	*why = NULL;
	dom = kzalloc(sizeof(*dom), GFP_KERNEL);
	if (!dom) {
		kfree(pol);
		return ERR_PTR(-ENOMEM);
	}
	strscpy(dom->name, name, sizeof(dom->name));
	dom->size = size;
	dom->nr_pages = size >> PAGE_SHIFT;
	dom->flags = flags;
	dom->mode = mode;
	dom->uid = uid;
	dom->gid = gid;
	dom->memcg = mshare_memcg_of_mm(current->mm);
	dom->ctime = ktime_get_real_seconds();
	dom->state = MSHARE_DOMAIN_CREATING;
	INIT_LIST_HEAD(&dom->reap_node);
	spin_lock_init(&dom->mms_lock);
	INIT_LIST_HEAD(&dom->mms);
	dom->pgprot = vm_get_page_prot(VM_READ | VM_WRITE | VM_SHARED);
	dom->ro_pgprot = vm_get_page_prot(VM_READ | VM_SHARED);
	INIT_LIST_HEAD(&dom->deferred);
	spin_lock_init(&dom->deferred_lock);

	mshare_registry_lock_reap();
	ns = mshare_ns_get();
	if (!ns) {
		mutex_unlock(&mshare_registry_lock);
		mem_cgroup_put(dom->memcg);
		kfree(dom);
		kfree(pol);
		return ERR_PTR(-ENOMEM);
	}
	/* May it create at all?  Then: is the name free? */
	err = mshare_quota_check_locked(ns, uid, size, privileged,
					&dom->grant_gid, why);
	if (!err && mshare_find_locked(ns, name)) {
		*why = NULL;
		err = -EEXIST;
	}
	if (err) {
		mshare_ns_put_locked(ns);
		mutex_unlock(&mshare_registry_lock);
		mem_cgroup_put(dom->memcg);
		kfree(dom);
		kfree(pol);
		return ERR_PTR(err);
	}
	dom->ns = ns;
	dom->user_ns = get_user_ns(current->nsproxy->ipc_ns->user_ns);
	dom->creator = get_pid(task_tgid(current));
	dom->id = mshare_next_id++;
	/* Counted (name, size) from now on, invisible until published. */
	list_add_tail(&dom->node, &mshare_domains);
	mutex_unlock(&mshare_registry_lock);
	atomic_inc(&mshare_stats.domains);

	/* The home node (dom->nid) comes from the policy. */
	err = mshare_numa_init_domain(dom, pol);
	if (err)
		goto free_dom;
	err = mshare_tables_alloc(dom);
	if (err)
		goto free_dom;

	inode = alloc_anon_inode(mshare_mnt->mnt_sb);
	if (IS_ERR(inode)) {
		err = PTR_ERR(inode);
		goto free_dom;
	}
	inode->i_size = size;
	dom->inode = inode;
	file = alloc_file_pseudo(inode, mshare_mnt, dom->name, O_RDWR,
				 &mshare_domain_fops);
	if (IS_ERR(file)) {
		iput(inode);
		err = PTR_ERR(file);
		goto free_dom;
	}
	/* Dropped by __fput() through fops->owner, after ->release(). */
	__module_get(THIS_MODULE);
	file->private_data = dom;
	dom->file = file;

	if (flags & MSHARE_DOMAIN_F_PREFAULT) {
		err = mshare_prefault(dom);
		if (err)
			goto put_file;
	}

	mutex_lock(&mshare_registry_lock);
	dom->state = MSHARE_DOMAIN_NAMED;
	get_file(dom->file);	/* the caller's */
	mutex_unlock(&mshare_registry_lock);
	trace_mshare_domain_create(dom);
	mshare_auto_start_if_auto(dom);
	return dom;

put_file:
	mshare_fput_sync(file);	/* mshare_domain_release() undoes it all */
	return ERR_PTR(err);
free_dom:
	mshare_domain_free_unfiled(dom);
	return ERR_PTR(err);
}

/*
 * Remove @dom's name (the caller holds a reference); the memory goes with
 * the last reference.  -ENOENT if the name went meanwhile.
 */
int mshare_domain_destroy(struct mshare_domain *dom)
{
	bool named;

	mutex_lock(&mshare_registry_lock);
	named = dom->state == MSHARE_DOMAIN_NAMED;
	if (named)
		mshare_unpublish_locked(dom);
	mutex_unlock(&mshare_registry_lock);
	if (!named)
		return -ENOENT;
	trace_mshare_domain_destroy(dom);
	/*
	 * Every mapping is told (secondary MMUs too) and unlinked; the
	 * attachers relink on their next touch; one shootdown for all.
	 */
	mshare_invalidate(dom, 0, dom->nr_pages, MSHARE_INVAL_UNLINK, NULL, 0,
			  0);
	mshare_domain_put(dom);
	return 0;
}

/* A domain named @name in the caller's IPC namespace, referenced, or NULL. */
struct mshare_domain *mshare_domain_lookup(const char *name)
{
	struct mshare_domain *dom = NULL;
	struct mshare_ns *ns;

	mshare_registry_lock_reap();
	ns = mshare_ns_current();
	if (ns)
		dom = mshare_find_locked(ns, name);
	if (dom && dom->state == MSHARE_DOMAIN_NAMED)
		get_file(dom->file);
	else
		dom = NULL;
	mutex_unlock(&mshare_registry_lock);
	return dom;
}

/*
 * The domain of id @id in the caller's IPC namespace, named or deleted but
 * still held, referenced; or NULL.
 */
struct mshare_domain *mshare_domain_lookup_id(u32 id)
{
	struct mshare_domain *dom, *found = NULL;
	struct mshare_ns *ns;

	mshare_registry_lock_reap();
	ns = mshare_ns_current();
	list_for_each_entry(dom, &mshare_domains, node) {
		if (!ns || dom->ns != ns || dom->id != id)
			continue;
		if (dom->state == MSHARE_DOMAIN_NAMED)
			get_file(dom->file);
		else if (dom->state != MSHARE_DOMAIN_DELETED ||
			 !mshare_file_get_unless_zero(dom->file))
			break;	/* being made, or being released */
		found = dom;
		break;
	}
	mutex_unlock(&mshare_registry_lock);
	return found;
}

void mshare_domain_put(struct mshare_domain *dom)
{
	fput(dom->file);
}

/* Owner, group and mode of @dom, read consistently. */
void mshare_domain_owner(struct mshare_domain *dom, umode_t *mode,
			 kuid_t *uid, kgid_t *gid)
{
	mutex_lock(&mshare_registry_lock);
	*mode = dom->mode;
	*uid = dom->uid;
	*gid = dom->gid;
	mutex_unlock(&mshare_registry_lock);
}

/*
 * Change what is not NULL (a new owner takes the domain's charge over);
 * -ENOENT if the domain is being released.
 */
int mshare_domain_set_owner(struct mshare_domain *dom, const umode_t *mode,
			    const kuid_t *uid, const kgid_t *gid)
{
	int err = -ENOENT;

	mutex_lock(&mshare_registry_lock);
	if (dom->state != MSHARE_DOMAIN_CREATING) {
		if (mode)
			dom->mode = *mode;
		if (uid)
			dom->uid = *uid;
		if (gid)
			dom->gid = *gid;
		err = 0;
	}
	mutex_unlock(&mshare_registry_lock);
	return err;
}

/*
 * Calls @fn for the caller's namespace's domains, named or deleted, from
 * the @skip-th on, under the registry lock.
 */
int mshare_domain_for_each(unsigned long skip,
			   int (*fn)(struct mshare_domain *dom, void *arg),
			   void *arg)
{
	struct mshare_domain *dom;
	struct mshare_ns *ns;
	unsigned long i = 0;
	int err = 0;

	mshare_registry_lock_reap();
	ns = mshare_ns_current();
	list_for_each_entry(dom, &mshare_domains, node) {
		if (!ns || dom->ns != ns ||
		    dom->state == MSHARE_DOMAIN_CREATING || i++ < skip)
			continue;
		err = fn(dom, arg);
		if (err)
			break;
	}
	mutex_unlock(&mshare_registry_lock);
	return err;
}

/*
 * Whether [@offset, @offset + @len) is a nonempty, page-aligned range
 * inside @dom: what mshare_domain_discard() takes.
 */
bool mshare_range_valid(struct mshare_domain *dom, u64 offset, u64 len)
{
	return len && PAGE_ALIGNED(offset) && PAGE_ALIGNED(len) &&
	       offset < dom->size && len <= dom->size - offset;
}

void mshare_domain_links(struct mshare_domain *dom, u32 *pud, u32 *pmd)
{
	/* Pairs with mshare_ro_build_locked(): the arrays are complete. */
	struct mshare_table *ro_pte = smp_load_acquire(&dom->ro_pte_tables);
	struct mshare_table *ro_pmd = ro_pte ? dom->ro_pmd_tables : NULL;
	unsigned int i;

	*pud = 0;
	*pmd = 0;
	for (i = 0; i < dom->nr_pmd_tables; i++)
		*pud += atomic_read(&dom->pmd_tables[i].links) +
			(ro_pmd ? atomic_read(&ro_pmd[i].links) : 0);
	for (i = 0; i < dom->nr_pte_tables; i++)
		*pmd += atomic_read(&dom->pte_tables[i].links) +
			(ro_pte ? atomic_read(&ro_pte[i].links) : 0);
}

/* As dynamic_dname() (not exported): the name ends at the buffer's end. */
static char *mshare_dname(struct dentry *dentry, char *buffer, int buflen)
{
	char name[MSHARE_NAME_MAX + 16];
	int len = snprintf(name, sizeof(name), "mshare:[%s]",
			   dentry->d_name.name) + 1;

	if (len > sizeof(name) || len > buflen)
		return ERR_PTR(-ENAMETOOLONG);
	return memcpy(buffer + buflen - len, name, len);
}

static const struct dentry_operations mshare_dops = {
	.d_dname	= mshare_dname,
};

static int mshare_init_fs_context(struct fs_context *fc)
{
	struct pseudo_fs_context *ctx = init_pseudo(fc, MSHARE_FS_MAGIC);

	if (!ctx)
		return -ENOMEM;
	ctx->dops = &mshare_dops;
	return 0;
}

/* No .owner: kern_mount() would pin the module until module exit. */
static struct file_system_type mshare_fs_type = {
	.name			= "mshare",
	.init_fs_context	= mshare_init_fs_context,
	.kill_sb		= kill_anon_super,
};

int mshare_domain_init(void)
{
	mshare_mnt = kern_mount(&mshare_fs_type);
	return PTR_ERR_OR_ZERO(mshare_mnt);
}

void mshare_domain_exit(void)
{
	/* No name is left (each pins the module): the reaper is idle. */
	cancel_delayed_work_sync(&mshare_reaper);
	kern_unmount(mshare_mnt);
}
