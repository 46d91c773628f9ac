// SPDX-License-Identifier: GPL-2.0
/*
 * Delegated creation: who may create domains without CAP_SYS_ADMIN, and
 * how much, per IPC namespace (Documentation/permissions.rst).
 *
 * An ns-admin (CAP_SYS_ADMIN in the user namespace that owns the IPC
 * namespace) grants creation to a user or to a group, with a limit on the
 * bytes and on the number of domains each such user may own there, like
 * SysV's shmmax/shmall/shmmni; and may set the namespace's total, which
 * binds every creator, CAP_SYS_ADMIN included (as shmall does).  A caller
 * without CAP_SYS_ADMIN creates a domain when a grant covers it: its own
 * user grant, else the most generous grant of a group it is in.  It then
 * owns the domain, and the domain's size counts against its owner from
 * creation until the memory goes (the last attacher is gone: a deleted
 * domain still held counts, as a SysV segment marked for deletion does);
 * an owner change moves the charge to the new owner.  Usage is computed
 * from the registry each time (domains per namespace are few).
 *
 * Errors: EPERM (no grant covers the caller), EDQUOT (the caller's grant
 * is used up), ENOSPC (the namespace's total is).
 *
 * Grants live with their namespace (struct mshare_ns, domain.c), each a
 * user of it; they go with it when it dies.
 *
 * Locking: everything here runs under mshare_registry_lock (domain.c).
 */
#include <linux/cred.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#include "internal.h"

struct mshare_grant {
	struct list_head node;		/* mshare_ns->grants */
	u32 kind;			/* MSHARE_LIMIT_USER or _GROUP */
	kuid_t uid;
	kgid_t gid;
	u64 bytes;
	u32 domains;
};

static struct mshare_grant *mshare_grant_find(struct mshare_ns *ns, u32 kind,
					      kuid_t uid, kgid_t gid)
{
	struct mshare_grant *g;

	list_for_each_entry(g, &ns->grants, node)
		if (g->kind == kind &&
		    (kind == MSHARE_LIMIT_USER ? uid_eq(g->uid, uid) :
						 gid_eq(g->gid, gid)))
			return g;
	return NULL;
}

/* The grant that covers the caller: its own, else its best group's. */
static struct mshare_grant *mshare_grant_of_caller(struct mshare_ns *ns)
{
	struct mshare_grant *g, *best = NULL;

	list_for_each_entry(g, &ns->grants, node) {
		if (g->kind == MSHARE_LIMIT_USER &&
		    uid_eq(g->uid, current_euid()))
			return g;
		if (g->kind == MSHARE_LIMIT_GROUP && in_egroup_p(g->gid) &&
		    (!best || g->bytes > best->bytes))
			best = g;
	}
	return best;
}

/*
 * May the caller make a domain of @size bytes, owned by @uid, in @ns?
 * @privileged: it has CAP_SYS_ADMIN (only the namespace's total binds it).
 * 0 (*@group: the group whose grant admitted it, or INVALID_GID) or an
 * error with *@why set.
 */
int mshare_quota_check_locked(struct mshare_ns *ns, kuid_t uid, u64 size,
			      bool privileged, kgid_t *group,
			      const char **why)
{
	struct mshare_grant *g;
	u64 bytes;
	u32 count;

	mshare_registry_assert_held();
	*group = INVALID_GID;
	if (ns->has_total) {
		mshare_ns_usage(ns, NULL, &bytes, &count);
		if (count >= ns->total_domains ||
		    size > ns->total_bytes - min(bytes, ns->total_bytes)) {
			*why = "the IPC namespace's limit on domains is reached";
			return -ENOSPC;
		}
	}
	if (privileged)
		return 0;
	g = mshare_grant_of_caller(ns);
	if (!g) {
		*why = "creating a domain needs CAP_SYS_ADMIN or a grant (msharectl limit)";
		return -EPERM;
	}
	mshare_ns_usage(ns, &uid, &bytes, &count);
	if (count >= g->domains ||
	    size > g->bytes - min(bytes, g->bytes)) {
		*why = g->kind == MSHARE_LIMIT_USER ?
		       "over the user's limit on domains (msharectl limit show)" :
		       "over the group's limit on domains per user (msharectl limit show)";
		return -EDQUOT;
	}
	if (g->kind == MSHARE_LIMIT_GROUP)
		*group = g->gid;
	return 0;
}

/* @ns is going (dead): drop its grants and its total. */
void mshare_quota_drop_locked(struct mshare_ns *ns)
{
	struct mshare_grant *g, *tmp;

	mshare_registry_assert_held();
	list_for_each_entry_safe(g, tmp, &ns->grants, node) {
		list_del(&g->node);
		kfree(g);
		ns->users--;
	}
	if (ns->has_total) {
		ns->has_total = false;
		ns->users--;
	}
}

/*
 * Grant (or change) creation in the caller's IPC namespace: @kind user
 * (@uid), group (@gid) or the namespace's total.  The caller checked that
 * it is an ns-admin.
 */
int mshare_limit_set(u32 kind, kuid_t uid, kgid_t gid, u64 bytes,
		     u32 domains)
{
	struct mshare_grant *g = NULL;
	struct mshare_ns *ns;
	int err = 0;

	mshare_registry_lock_reap();
	ns = mshare_ns_get_locked();
	if (!ns) {
		err = -ENOMEM;
		goto out;
	}
	if (kind == MSHARE_LIMIT_NAMESPACE) {
		if (ns->has_total)
			mshare_ns_put_grant(ns);	/* already a user */
		ns->has_total = true;
		ns->total_bytes = bytes;
		ns->total_domains = domains;
		goto out;
	}
	g = mshare_grant_find(ns, kind, uid, gid);
	if (g) {
		mshare_ns_put_grant(ns);	/* already a user */
	} else {
		g = kzalloc(sizeof(*g), GFP_KERNEL);
		if (!g) {
			mshare_ns_put_grant(ns);
			err = -ENOMEM;
			goto out;
		}
		g->kind = kind;
		g->uid = uid;
		g->gid = gid;
		list_add_tail(&g->node, &ns->grants);
	}
	g->bytes = bytes;
	g->domains = domains;
out:
	mshare_registry_unlock();
	return err;
}

/* Remove a grant or the total: 0 or -ENOENT.  Domains made stay. */
int mshare_limit_del(u32 kind, kuid_t uid, kgid_t gid)
{
	struct mshare_grant *g;
	struct mshare_ns *ns;
	int err = -ENOENT;

	mshare_registry_lock_reap();
	ns = mshare_ns_current();
	if (!ns)
		goto out;
	if (kind == MSHARE_LIMIT_NAMESPACE) {
		if (ns->has_total) {
			ns->has_total = false;
			mshare_ns_put_grant(ns);
			err = 0;
		}
		goto out;
	}
	g = mshare_grant_find(ns, kind, uid, gid);
	if (g) {
		list_del(&g->node);
		kfree(g);
		mshare_ns_put_grant(ns);
		err = 0;
	}
out:
	mshare_registry_unlock();
	return err;
}

/*
 * Calls @fn for the caller's namespace's total (if set) and grants, from
 * the @skip-th on, with their usage: the namespace's whole, a user's
 * domains, or for a group the domains its grant admitted.
 */
int mshare_limit_for_each(unsigned long skip,
			  int (*fn)(const struct mshare_limit *l, void *arg),
			  void *arg)
{
	struct user_namespace *user_ns = current_user_ns();
	struct mshare_limit l;
	struct mshare_grant *g;
	struct mshare_ns *ns;
	unsigned long i = 0;
	int err = 0;

	mshare_registry_lock_reap();
	ns = mshare_ns_current();
	if (!ns)
		goto out;
	if (ns->has_total && i++ >= skip) {
		memset(&l, 0, sizeof(l));
		l.kind = MSHARE_LIMIT_NAMESPACE;
		l.bytes = ns->total_bytes;
		l.domains = ns->total_domains;
		mshare_ns_usage(ns, NULL, &l.used_bytes, &l.used_domains);
		err = fn(&l, arg);
		if (err)
			goto out;
	}
	list_for_each_entry(g, &ns->grants, node) {
		if (i++ < skip)
			continue;
		memset(&l, 0, sizeof(l));
		l.kind = g->kind;
		l.bytes = g->bytes;
		l.domains = g->domains;
		if (g->kind == MSHARE_LIMIT_USER) {
			l.id = from_kuid_munged(user_ns, g->uid);
			mshare_ns_usage(ns, &g->uid, &l.used_bytes,
					&l.used_domains);
		} else {
			l.id = from_kgid_munged(user_ns, g->gid);
			mshare_ns_usage_group(ns, g->gid, &l.used_bytes,
					      &l.used_domains);
		}
		err = fn(&l, arg);
		if (err)
			break;
	}
out:
	mshare_registry_unlock();
	return err;
}
