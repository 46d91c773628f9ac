// SPDX-License-Identifier: GPL-2.0
/*
 * Domain lifecycle and the registry of names.
 *
 * A domain is an inode of a small private pseudo filesystem, and a file on
 * it.  The file's reference count is the domain's (see internal.h); its
 * last fput() calls mshare_domain_release(), which frees data pages and
 * tables.  The file's operations carry .owner, and the module reference
 * taken when the file is made is dropped by the VFS after ->release()
 * returns, so a deferred fput() can never run after module exit.
 * /proc/PID/maps names a mapping "mshare:[NAME]".
 *
 * Scope: a domain belongs to the IPC namespace of its creator, as a SysV
 * shared memory segment does; lookups see only the caller's namespace, and
 * two namespaces may use the same name.  A named domain holds its IPC
 * namespace's mqueue mount, not the namespace itself (compat.h: a module
 * cannot drop a namespace reference on every kernel), which tells when
 * the namespace dies; the domain holds a reference on the namespace's
 * owning user namespace until it is freed (permission checks use it).
 * When an IPC namespace dies (its last process is gone), its names are
 * removed, as shm_exit_ns() would: by the next registry operation, and
 * within a second by a reaper that runs while any domain of a namespace
 * other than the initial one is named (no notifier tells a module that a
 * namespace has died).
 *
 * Locking: mshare_registry_lock (mutex) protects the list of named
 * domains, their names and their owner/mode.  It is never held across
 * page-table or mm locks.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ipc_namespace.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/pseudo_fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>

#include "internal.h"

#define MSHARE_FS_MAGIC	0x6d736872	/* "mshr" */

static LIST_HEAD(mshare_domains);
static DEFINE_MUTEX(mshare_registry_lock);
static u32 mshare_next_id = 1;
/* Named domains of IPC namespaces other than the initial one. */
static unsigned int mshare_nr_foreign;
static struct vfsmount *mshare_mnt;

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

/* The caller's IPC namespace: the scope of every lookup. */
static struct ipc_namespace *mshare_cur_ns(void)
{
	return current->nsproxy->ipc_ns;
}

static struct mshare_domain *mshare_find_locked(struct ipc_namespace *ns,
						const char *name)
{
	struct mshare_domain *dom;

	lockdep_assert_held(&mshare_registry_lock);
	list_for_each_entry(dom, &mshare_domains, node)
		if (mshare_ipc_ns_is(&dom->ipc, ns) && !strcmp(dom->name, name))
			return dom;
	return NULL;
}

/* Take @dom's name away; the caller drops the registry's reference. */
static void mshare_unpublish_locked(struct mshare_domain *dom)
{
	lockdep_assert_held(&mshare_registry_lock);
	list_del_init(&dom->node);
	dom->named = false;
	if (!dom->ipc.init)
		mshare_nr_foreign--;
}

/*
 * Names of dead IPC namespaces (no process can reach them again): take
 * them away (moved to @dead; the caller puts them after unlocking).  A
 * dead namespace stays dead.
 */
static void mshare_reap_locked(struct list_head *dead)
{
	struct mshare_domain *dom, *tmp;

	lockdep_assert_held(&mshare_registry_lock);
	if (!mshare_nr_foreign)
		return;
	list_for_each_entry_safe(dom, tmp, &mshare_domains, node) {
		if (dom->ipc.init || !mshare_ipc_ns_dead(&dom->ipc))
			continue;
		mshare_unpublish_locked(dom);
		list_add(&dom->node, dead);
	}
}

static void mshare_put_dead(struct list_head *dead)
{
	struct mshare_domain *dom, *tmp;

	list_for_each_entry_safe(dom, tmp, dead, node) {
		list_del_init(&dom->node);
		mshare_ipc_ns_release(&dom->ipc);
		mshare_domain_put(dom);
	}
}

#define MSHARE_REAP_PERIOD	HZ

static void mshare_reap_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(mshare_reaper, mshare_reap_work);

/* While names of other namespaces exist, look for dead ones every second. */
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

/* Lock the registry, first reaping the names of dead IPC namespaces. */
static void mshare_registry_lock_reap(void)
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

static int mshare_domain_release(struct inode *inode, struct file *file)
{
	struct mshare_domain *dom = file->private_data;

	/* Files opened through /proc/PID/map_files carry no domain. */
	if (!dom)
		return 0;
	mshare_auto_stop(dom);
	mshare_tables_free(dom);
	mshare_numa_free_domain(dom);
	atomic_dec(&mshare_stats.domains);
	put_user_ns(dom->user_ns);
	kfree(dom);
	return 0;
}

static const struct file_operations mshare_domain_fops = {
	.owner		= THIS_MODULE,
	.release	= mshare_domain_release,
	.llseek		= noop_llseek,
};

static void mshare_domain_free_unfiled(struct mshare_domain *dom)
{
	put_user_ns(dom->user_ns);
	mshare_tables_free(dom);
	mshare_numa_free_domain(dom);
	atomic_dec(&mshare_stats.domains);
	kfree(dom);
}

/*
 * Make a domain in the caller's IPC namespace and publish its name.  All
 * the checks a caller can get wrong are made by the netlink layer before
 * this is called, except for the name being taken, which is checked here
 * under the registry lock.  Returns the domain with a reference for the
 * caller (mshare_domain_put() it) besides the registry's.
 */
struct mshare_domain *mshare_domain_create(const char *name, u64 size,
					   u32 flags, umode_t mode,
					   kuid_t uid, kgid_t gid,
					   struct mshare_policy *pol)
{
	struct ipc_namespace *ns = mshare_cur_ns();
	struct mshare_domain *dom;
	struct inode *inode;
	struct file *file;
	int err;

	mshare_registry_lock_reap();
	dom = mshare_find_locked(ns, name);
	mutex_unlock(&mshare_registry_lock);
	if (dom) {
		kfree(pol);
		return ERR_PTR(-EEXIST);
	}

	dom = kzalloc(sizeof(*dom), GFP_KERNEL);
	if (!dom) {
		kfree(pol);
		return ERR_PTR(-ENOMEM);
	}
	atomic_inc(&mshare_stats.domains);
	strscpy(dom->name, name, sizeof(dom->name));
	dom->size = size;
	dom->nr_pages = size >> PAGE_SHIFT;
	dom->flags = flags;
	dom->mode = mode;
	dom->uid = uid;
	dom->gid = gid;
	dom->user_ns = get_user_ns(ns->user_ns);
	INIT_LIST_HEAD(&dom->node);
	spin_lock_init(&dom->mms_lock);
	INIT_LIST_HEAD(&dom->mms);
	dom->pgprot = vm_get_page_prot(VM_READ | VM_WRITE | VM_SHARED);
	INIT_LIST_HEAD(&dom->deferred);
	spin_lock_init(&dom->deferred_lock);

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
	if (mshare_find_locked(ns, name)) {
		mutex_unlock(&mshare_registry_lock);
		err = -EEXIST;
		goto put_file;
	}
	dom->id = mshare_next_id++;
	dom->named = true;
	mshare_ipc_ns_hold(&dom->ipc, ns);
	if (!mshare_ipc_ns_is_init(ns) && !mshare_nr_foreign++)
		schedule_delayed_work(&mshare_reaper, MSHARE_REAP_PERIOD);
	list_add_tail(&dom->node, &mshare_domains);
	get_file(dom->file);	/* the caller's */
	mutex_unlock(&mshare_registry_lock);
	mshare_auto_start_if_auto(dom);
	return dom;

put_file:
	mshare_fput_sync(file);
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
	named = dom->named;
	if (named)
		mshare_unpublish_locked(dom);
	mutex_unlock(&mshare_registry_lock);
	if (!named)
		return -ENOENT;
	/*
	 * Every mapping is told (secondary MMUs too) and unlinked; the
	 * attachers relink on their next touch; one shootdown for all.
	 */
	mshare_invalidate(dom, 0, dom->nr_pages, MSHARE_INVAL_UNLINK, NULL, 0,
			  0);
	mshare_ipc_ns_release(&dom->ipc);
	mshare_domain_put(dom);
	return 0;
}

/* A domain named @name in the caller's IPC namespace, referenced, or NULL. */
struct mshare_domain *mshare_domain_lookup(const char *name)
{
	struct mshare_domain *dom;

	mshare_registry_lock_reap();
	dom = mshare_find_locked(mshare_cur_ns(), name);
	if (dom)
		get_file(dom->file);
	mutex_unlock(&mshare_registry_lock);
	return dom;
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

/* Change what is not NULL; -ENOENT if the name went meanwhile. */
int mshare_domain_set_owner(struct mshare_domain *dom, const umode_t *mode,
			    const kuid_t *uid, const kgid_t *gid)
{
	int err = -ENOENT;

	mutex_lock(&mshare_registry_lock);
	if (dom->named) {
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

/* Calls @fn for the caller's namespace's domains from the @skip-th on. */
int mshare_domain_for_each(unsigned long skip,
			   int (*fn)(struct mshare_domain *dom, void *arg),
			   void *arg)
{
	struct ipc_namespace *ns = mshare_cur_ns();
	struct mshare_domain *dom;
	unsigned long i = 0;
	int err = 0;

	mshare_registry_lock_reap();
	list_for_each_entry(dom, &mshare_domains, node) {
		if (!mshare_ipc_ns_is(&dom->ipc, ns) || i++ < skip)
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
	unsigned int i;

	*pud = 0;
	*pmd = 0;
	for (i = 0; i < dom->nr_pmd_tables; i++)
		*pud += atomic_read(&dom->pmd_tables[i].links);
	for (i = 0; i < dom->nr_pte_tables; i++)
		*pmd += atomic_read(&dom->pte_tables[i].links);
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
