// SPDX-License-Identifier: GPL-2.0
/*
 * The "mshare" generic netlink family: its handlers, the family and the
 * "events" multicast group.  The family's single source is
 * Documentation/netlink/specs/mshare.yaml: the attribute policies and the
 * op table, which names the handlers, are generated from it into
 * kmod/netlink-gen.[ch] (`make regen`; Documentation/netlink.rst).  The
 * ABI is in uapi/linux/mshare.h, the permission model in
 * Documentation/permissions.rst.
 *
 * Every operation has a strict policy: an attribute an operation does not
 * take is rejected with an extack message before the handler runs (an
 * operation that takes none gets a reject-all policy, mshare_nl_init()),
 * and every rejection a handler makes carries one too.  Handlers run in the sender's context (so in its IPC
 * namespace, the scope of every lookup) and take no lock of their own; the
 * registry locks itself (domain.c).  The family is parallel_ops: genl_mutex
 * is not held around its handlers, so a long migration or discard does not
 * hold up every generic netlink request on the host.
 */
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <net/genetlink.h>

#include "compat.h"
#include "internal.h"
#include "netlink-gen.h"

/*
 * Joining "events" needs CAP_SYS_ADMIN, which ynl-gen-c (6.12) cannot
 * express: the group table is ours, not netlink-gen.c's.
 */
static const struct genl_multicast_group mshare_nl_mcgrps[] = {
	[MSHARE_NLGRP_EVENTS] = {
		.name	= MSHARE_MCGRP_EVENTS,
		.flags	= GENL_MCAST_CAP_SYS_ADMIN,
	},
};

static struct genl_family mshare_genl_family;

/*
 * The domain name of a request: present and valid, or NULL with the
 * extack set (the caller's error is EINVAL, a long name included).
 */
static const char *mshare_nl_name(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[MSHARE_A_DOMAIN_NAME];

	if (!attr) {
		GENL_SET_ERR_MSG(info, "missing domain name (or id)");
		return NULL;
	}
	/* The policy made sure a NUL ends it; nothing may follow that NUL. */
	if (!mshare_name_valid(nla_data(attr)) ||
	    strnlen(nla_data(attr), nla_len(attr)) + 1 != nla_len(attr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "name must be 1-63 characters of [A-Za-z0-9._-]");
		return NULL;
	}
	return nla_data(attr);
}

/*
 * The domain a request names, in the sender's IPC namespace, referenced;
 * or an ERR_PTR with the extack set.
 */
static struct mshare_domain *mshare_nl_domain(struct genl_info *info)
{
	struct nlattr *id = info->attrs[MSHARE_A_DOMAIN_ID];
	struct mshare_domain *dom;
	const char *name;

	if (id) {
		if (info->attrs[MSHARE_A_DOMAIN_NAME]) {
			NL_SET_ERR_MSG_ATTR(info->extack, id,
					    "give the domain's name or its id, not both");
			return ERR_PTR(-EINVAL);
		}
		/* Also a domain whose name was deleted, while it is held. */
		dom = mshare_domain_lookup_id(nla_get_u32(id));
		if (!dom) {
			NL_SET_ERR_MSG_ATTR(info->extack, id,
					    "no domain of this id");
			return ERR_PTR(-ENOENT);
		}
		return dom;
	}
	name = mshare_nl_name(info);
	if (!name)
		return ERR_PTR(-EINVAL);
	dom = mshare_domain_lookup(name);
	if (!dom) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[MSHARE_A_DOMAIN_NAME],
				    "no domain of this name");
		return ERR_PTR(-ENOENT);
	}
	return dom;
}

int mshare_nl_get_info_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mshare_genl_family, 0,
				MSHARE_CMD_GET_INFO);
	if (!hdr)
		goto nospace;
	if (nla_put_u32(msg, MSHARE_A_INFO_ABI_VERSION, MSHARE_GENL_VERSION) ||
	    nla_put_u32(msg, MSHARE_A_INFO_DOMAINS,
			atomic_read(&mshare_stats.domains)) ||
	    nla_put_u64_64bit(msg, MSHARE_A_INFO_DATA_PAGES,
			      atomic_long_read(&mshare_stats.data_pages),
			      MSHARE_A_PAD) ||
	    nla_put_u64_64bit(msg, MSHARE_A_INFO_ORPHAN_PAGES,
			      atomic_long_read(&mshare_stats.orphan_pages),
			      MSHARE_A_PAD) ||
	    nla_put_u64_64bit(msg, MSHARE_A_INFO_TABLE_PAGES,
			      atomic_long_read(&mshare_stats.table_pages),
			      MSHARE_A_PAD) ||
	    nla_put_u64_64bit(msg, MSHARE_A_INFO_MAX_SIZE,
			      READ_ONCE(mshare_max_domain_size),
			      MSHARE_A_PAD))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* What a message about a domain carries besides its name and id. */
enum mshare_fill {
	MSHARE_FILL_DOMAIN,	/* DOMAIN_GET's reply and events */
	MSHARE_FILL_STATS,	/* DOMAIN_STATS's reply */
};

static int mshare_put_u64(struct sk_buff *msg, int attr, u64 val)
{
	return nla_put_u64_64bit(msg, attr, val, MSHARE_A_PAD);
}

/* STATS_NODES: pages and tables of each node that holds any. */
static int mshare_nl_put_nodes(struct sk_buff *msg, struct mshare_domain *dom)
{
	struct nlattr *nodes, *node;
	int nid, idx = 0;

	nodes = nla_nest_start(msg, MSHARE_A_STATS_NODES);
	if (!nodes)
		return -EMSGSIZE;
	for_each_node(nid) {
		long pages = atomic_long_read(&dom->node_pages[nid]);
		long tables = atomic_long_read(&dom->node_tables[nid]);

		if (!pages && !tables)
			continue;
		node = nla_nest_start(msg, ++idx);
		if (!node ||
		    nla_put_u32(msg, MSHARE_A_NODE_ID, nid) ||
		    nla_put_u64_64bit(msg, MSHARE_A_NODE_PAGES, max(pages, 0L),
				      MSHARE_A_NODE_PAD) ||
		    nla_put_u64_64bit(msg, MSHARE_A_NODE_TABLE_PAGES,
				      max(tables, 0L), MSHARE_A_NODE_PAD)) {
			nla_nest_cancel(msg, nodes);
			return -EMSGSIZE;
		}
		nla_nest_end(msg, node);
	}
	nla_nest_end(msg, nodes);
	return 0;
}

/* The policy, its node list (if any) and the home node. */
static int mshare_nl_put_policy(struct sk_buff *msg, struct mshare_domain *dom)
{
	const struct mshare_policy *pol;
	u32 nodes[MSHARE_NUMA_NODES_MAX];
	u32 mode, i, nr;

	rcu_read_lock();
	pol = rcu_dereference(dom->policy);
	mode = pol->mode;
	nr = pol->nr_nodes;
	for (i = 0; i < nr; i++)
		nodes[i] = pol->nodes[i];
	rcu_read_unlock();
	if (nla_put_u32(msg, MSHARE_A_DOMAIN_NUMA_POLICY, mode) ||
	    nla_put_u32(msg, MSHARE_A_DOMAIN_NUMA_NODE, READ_ONCE(dom->nid)))
		return -EMSGSIZE;
	if (nr && nla_put(msg, MSHARE_A_DOMAIN_NUMA_NODES, nr * sizeof(u32),
			  nodes))
		return -EMSGSIZE;
	return 0;
}

static int mshare_nl_put_stats(struct sk_buff *msg, struct mshare_domain *dom)
{
	struct mshare_domain_stats *st = &dom->stats;

	return nla_put_u32(msg, MSHARE_A_STATS_MAPPINGS,
			   atomic_read(&dom->nr_vmas)) ||
	       nla_put_u32(msg, MSHARE_A_STATS_PROCESSES,
			   atomic_read(&dom->nr_mms)) ||
	       mshare_put_u64(msg, MSHARE_A_STATS_FAULTS,
			      atomic64_read(&st->faults)) ||
	       mshare_put_u64(msg, MSHARE_A_STATS_SHOOTDOWNS,
			      atomic64_read(&st->shootdowns)) ||
	       mshare_put_u64(msg, MSHARE_A_STATS_SHOOTDOWN_CPUS,
			      atomic64_read(&st->shootdown_cpus)) ||
	       mshare_put_u64(msg, MSHARE_A_STATS_PAGES_FLUSHED,
			      atomic64_read(&st->pages_flushed)) ||
	       mshare_put_u64(msg, MSHARE_A_STATS_FLUSHES_RANGED,
			      atomic64_read(&st->flushes_ranged)) ||
	       mshare_put_u64(msg, MSHARE_A_STATS_FLUSHES_FULL,
			      atomic64_read(&st->flushes_full)) ||
	       mshare_put_u64(msg, MSHARE_A_STATS_MIGRATIONS,
			      atomic64_read(&st->migrations)) ||
	       mshare_put_u64(msg, MSHARE_A_STATS_PAGES_MIGRATED,
			      atomic64_read(&st->pages_migrated)) ||
	       mshare_put_u64(msg, MSHARE_A_STATS_MIGRATE_SKIPPED,
			      atomic64_read(&st->migrate_skipped)) ||
	       mshare_put_u64(msg, MSHARE_A_STATS_MIGRATE_NS,
			      atomic64_read(&st->migrate_ns)) ||
	       mshare_nl_put_nodes(msg, dom);
}

/*
 * Describe @dom in a new message of @msg; ids as seen from @user_ns, the
 * creator's pid as seen from @pid_ns (0 if it is not there); with
 * EVENT_PID if @pid is nonzero.  The
 * owner and mode are read without the registry lock (the caller may hold
 * it): a concurrent DOMAIN_SET may show half done.
 */
static int mshare_nl_fill_domain(struct sk_buff *msg,
				 struct mshare_domain *dom, u32 portid,
				 u32 seq, int flags, u8 cmd,
				 enum mshare_fill what,
				 struct user_namespace *user_ns,
				 struct pid_namespace *pid_ns, u32 pid)
{
	u32 links_pud, links_pmd;
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &mshare_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	mshare_domain_links(dom, &links_pud, &links_pmd);
	if (nla_put_string(msg, MSHARE_A_DOMAIN_NAME, dom->name) ||
	    nla_put_u32(msg, MSHARE_A_DOMAIN_ID, dom->id) ||
	    nla_put_u32(msg, MSHARE_A_DOMAIN_ATTACHED,
			atomic_read(&dom->attached)) ||
	    mshare_put_u64(msg, MSHARE_A_DOMAIN_RESIDENT,
			   atomic_long_read(&dom->resident)) ||
	    nla_put_u32(msg, MSHARE_A_DOMAIN_TABLE_PAGES,
			mshare_dom_table_pages(dom)) ||
	    nla_put_u32(msg, MSHARE_A_DOMAIN_LINKS_PUD, links_pud) ||
	    nla_put_u32(msg, MSHARE_A_DOMAIN_LINKS_PMD, links_pmd))
		goto cancel;
	if (dom->state == MSHARE_DOMAIN_DELETED &&
	    nla_put_flag(msg, MSHARE_A_DOMAIN_DELETED))
		goto cancel;
	if (what == MSHARE_FILL_STATS) {
		if (mshare_nl_put_stats(msg, dom) ||
		    nla_put_u32(msg, MSHARE_A_DOMAIN_NUMA_NODE,
				READ_ONCE(dom->nid)))
			goto cancel;
	} else if (mshare_nl_put_policy(msg, dom) ||
		   mshare_put_u64(msg, MSHARE_A_DOMAIN_SIZE, dom->size) ||
		   nla_put_u32(msg, MSHARE_A_DOMAIN_FLAGS, dom->flags) ||
		   nla_put_u32(msg, MSHARE_A_DOMAIN_MODE, READ_ONCE(dom->mode)) ||
		   nla_put_u32(msg, MSHARE_A_DOMAIN_UID,
			       from_kuid_munged(user_ns, READ_ONCE(dom->uid))) ||
		   nla_put_u32(msg, MSHARE_A_DOMAIN_GID,
			       from_kgid_munged(user_ns, READ_ONCE(dom->gid))) ||
		   nla_put_u32(msg, MSHARE_A_DOMAIN_CREATOR_PID,
			       pid_nr_ns(dom->creator, pid_ns)) ||
		   mshare_put_u64(msg, MSHARE_A_DOMAIN_CTIME, dom->ctime)) {
		goto cancel;
	}

	if (pid && nla_put_u32(msg, MSHARE_A_EVENT_PID, pid))
		goto cancel;
	genlmsg_end(msg, hdr);
	return 0;

cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

static int mshare_nl_reply_domain(struct genl_info *info,
				  struct mshare_domain *dom, u8 cmd,
				  enum mshare_fill what)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	int err;

	if (!msg)
		return -ENOMEM;
	err = mshare_nl_fill_domain(msg, dom, info->snd_portid, info->snd_seq,
				    0, cmd, what, current_user_ns(),
				    task_active_pid_ns(current), 0);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * Send event @cmd about @dom to the "events" group of the initial network
 * namespace.  Best effort: a listener that misses one sees ENOBUFS.
 */
void mshare_nl_notify(struct mshare_domain *dom, u8 cmd)
{
	u32 pid = 0;
	struct sk_buff *msg;

	if (!genl_has_listeners(&mshare_genl_family, &init_net,
				MSHARE_NLGRP_EVENTS))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (cmd == MSHARE_CMD_DOMAIN_ATTACHED ||
	    cmd == MSHARE_CMD_DOMAIN_DETACHED) {
		if (!(current->flags & PF_KTHREAD))
			pid = task_tgid_nr(current);
	}
	if (mshare_nl_fill_domain(msg, dom, 0, 0, 0, cmd, MSHARE_FILL_DOMAIN,
				  &init_user_ns, &init_pid_ns, pid)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast(&mshare_genl_family, msg, 0, MSHARE_NLGRP_EVENTS,
			  GFP_KERNEL);
}

/* DOMAIN_MIGRATE's reply and events: @err < 0 adds MIGRATE_ERROR. */
static int mshare_nl_fill_migrate(struct sk_buff *msg,
				  struct mshare_domain *dom, u32 portid,
				  u32 seq, u8 cmd,
				  const struct mshare_migrate *m, int err,
				  bool event)
{
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &mshare_genl_family, 0, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(msg, MSHARE_A_DOMAIN_NAME, dom->name) ||
	    nla_put_u32(msg, MSHARE_A_DOMAIN_ID, dom->id) ||
	    nla_put_u32(msg, MSHARE_A_MIGRATE_NODE, m->node) ||
	    mshare_put_u64(msg, MSHARE_A_MIGRATE_PAGES_TOTAL, m->total) ||
	    mshare_put_u64(msg, MSHARE_A_MIGRATE_PAGES_DONE, m->done) ||
	    mshare_put_u64(msg, MSHARE_A_MIGRATE_PAGES_SKIPPED, m->skipped) ||
	    (event && cmd == MSHARE_CMD_DOMAIN_MIGRATED &&
	     (nla_put_u32(msg, MSHARE_A_MIGRATE_ERROR, -err) ||
	      nla_put_u32(msg, MSHARE_A_EVENT_PID, m->pid)))) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

void mshare_nl_notify_migrate(struct mshare_domain *dom, u8 cmd,
			      const struct mshare_migrate *m, int err)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&mshare_genl_family, &init_net,
				MSHARE_NLGRP_EVENTS))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (mshare_nl_fill_migrate(msg, dom, 0, 0, cmd, m, err, true)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast(&mshare_genl_family, msg, 0, MSHARE_NLGRP_EVENTS,
			  GFP_KERNEL);
}

/*
 * The NUMA policy a request gives (DOMAIN_NUMA_POLICY and its
 * DOMAIN_NUMA_NODES): NULL if none, a new policy, or an ERR_PTR with the
 * extack set.
 */
static struct mshare_policy *mshare_nl_policy(struct genl_info *info)
{
	struct nlattr *mode = info->attrs[MSHARE_A_DOMAIN_NUMA_POLICY];
	struct nlattr *nodes = info->attrs[MSHARE_A_DOMAIN_NUMA_NODES];
	struct mshare_policy *pol;
	const char *why = NULL;
	u32 nr = 0;

	if (!mode) {
		if (nodes) {
			NL_SET_ERR_MSG_ATTR(info->extack, nodes,
					    "a node list needs a NUMA policy");
			return ERR_PTR(-EINVAL);
		}
		return NULL;
	}
	if (nodes) {
		if (!nla_len(nodes) || nla_len(nodes) % sizeof(u32) ||
		    nla_len(nodes) > MSHARE_NUMA_NODES_MAX * sizeof(u32)) {
			NL_SET_ERR_MSG_ATTR(info->extack, nodes,
					    "the node list is an array of 1 to 64 u32 node ids");
			return ERR_PTR(-EINVAL);
		}
		nr = nla_len(nodes) / sizeof(u32);
	}
	/* nla_data() is 4-byte aligned. */
	pol = mshare_policy_new(nla_get_u32(mode),
				nodes ? nla_data(nodes) : NULL, nr, &why);
	/* @why is a string literal of numa.c, as the macros would make. */
	if (IS_ERR(pol) && why && info->extack) {
		info->extack->_msg = why;
		NL_SET_BAD_ATTR(info->extack, nodes ?: mode);
	}
	return pol;
}

/* The uid of attribute @attr, mapped in the sender's user namespace. */
static int mshare_nl_uid(struct genl_info *info, int attr, kuid_t *uid)
{
	*uid = make_kuid(current_user_ns(), nla_get_u32(info->attrs[attr]));
	if (!uid_valid(*uid)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[attr],
				    "uid not mapped");
		return -EINVAL;
	}
	return 0;
}

static int mshare_nl_gid(struct genl_info *info, int attr, kgid_t *gid)
{
	*gid = make_kgid(current_user_ns(), nla_get_u32(info->attrs[attr]));
	if (!gid_valid(*gid)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[attr],
				    "gid not mapped");
		return -EINVAL;
	}
	return 0;
}

int mshare_nl_domain_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	kuid_t uid = current_euid();
	kgid_t gid = current_egid();
	bool privileged = mshare_may_create(skb) == 0;
	struct mshare_policy *pol;
	struct mshare_domain *dom;
	const char *why = NULL;
	umode_t mode = 0600;
	const char *name;
	u32 flags = 0;
	u64 size;
	int err;

	name = mshare_nl_name(info);
	if (!name)
		return -EINVAL;
	if (!tb[MSHARE_A_DOMAIN_SIZE]) {
		GENL_SET_ERR_MSG(info, "missing domain size");
		return -EINVAL;
	}
	size = nla_get_u64(tb[MSHARE_A_DOMAIN_SIZE]);
	if (size < MSHARE_SIZE_ALIGN || !IS_ALIGNED(size, MSHARE_SIZE_ALIGN)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MSHARE_A_DOMAIN_SIZE],
				    "size must be a nonzero multiple of 2 MiB");
		return -EINVAL;
	}
	if (size > READ_ONCE(mshare_max_domain_size)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MSHARE_A_DOMAIN_SIZE],
				    "size exceeds max_domain_size");
		return -E2BIG;
	}
	if (tb[MSHARE_A_DOMAIN_FLAGS])
		flags = nla_get_u32(tb[MSHARE_A_DOMAIN_FLAGS]);
	if ((flags & MSHARE_DOMAIN_F_HUGE) && !mshare_leaves_supported()) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MSHARE_A_DOMAIN_FLAGS],
				    "2 MiB leaves need transparent hugepages");
		return -EOPNOTSUPP;
	}
	if (tb[MSHARE_A_DOMAIN_MODE])
		mode = nla_get_u32(tb[MSHARE_A_DOMAIN_MODE]);
	if (tb[MSHARE_A_DOMAIN_UID]) {
		err = mshare_nl_uid(info, MSHARE_A_DOMAIN_UID, &uid);
		if (err)
			return err;
	}
	if (tb[MSHARE_A_DOMAIN_GID]) {
		err = mshare_nl_gid(info, MSHARE_A_DOMAIN_GID, &gid);
		if (err)
			return err;
	}
	/* A delegated creator owns what it makes (chgrp-like for the group). */
	if (!privileged && (!uid_eq(uid, current_euid()) ||
			    (!gid_eq(gid, current_egid()) && !in_egroup_p(gid)))) {
		GENL_SET_ERR_MSG(info,
				 "only CAP_SYS_ADMIN creates a domain for another owner or group");
		return -EPERM;
	}
	pol = mshare_nl_policy(info);
	if (IS_ERR(pol))
		return PTR_ERR(pol);
	if (!pol) {
		const char *why;	/* cannot be refused: only -ENOMEM */

		pol = mshare_policy_new(MSHARE_NUMA_LOCAL, NULL, 0, &why);
		if (IS_ERR(pol))
			return PTR_ERR(pol);
	}

	/* Consumes @pol. */
	dom = mshare_domain_create(name, size, flags, mode, uid, gid, pol,
				   privileged, &why);
	if (IS_ERR(dom)) {
		err = PTR_ERR(dom);
		if (err == -EEXIST)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[MSHARE_A_DOMAIN_NAME],
					    "a domain of this name exists");
		else if (why && info->extack)
			info->extack->_msg = why;	/* a literal of quota.c */
		else
			GENL_SET_ERR_MSG(info, "cannot create the domain");
		return err;
	}
	/* The domain exists whatever happens to the reply. */
	mshare_nl_reply_domain(info, dom, MSHARE_CMD_DOMAIN_NEW,
			       MSHARE_FILL_DOMAIN);
	mshare_nl_notify(dom, MSHARE_CMD_DOMAIN_CREATED);
	mshare_domain_put(dom);
	return 0;
}

int mshare_nl_domain_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mshare_domain *dom;
	int err;

	dom = mshare_nl_domain(info);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	err = mshare_may_manage(skb, dom, true);
	if (err) {
		GENL_SET_ERR_MSG(info,
				 "deleting a domain needs CAP_SYS_ADMIN or being its owner");
		goto put;
	}
	err = mshare_domain_destroy(dom);
	if (err) {
		/* Deleted meanwhile, or (by id) already deleted. */
		GENL_SET_ERR_MSG(info, "the domain's name is already deleted");
		goto put;
	}
	mshare_nl_notify(dom, MSHARE_CMD_DOMAIN_DESTROYED);
put:
	mshare_domain_put(dom);
	return err;
}

int mshare_nl_domain_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mshare_domain *dom;
	int err;

	dom = mshare_nl_domain(info);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	err = mshare_nl_reply_domain(info, dom, MSHARE_CMD_DOMAIN_GET,
				     MSHARE_FILL_DOMAIN);
	mshare_domain_put(dom);
	return err;
}

int mshare_nl_domain_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mshare_domain *dom;
	int err;

	dom = mshare_nl_domain(info);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	err = mshare_nl_reply_domain(info, dom, MSHARE_CMD_DOMAIN_STATS,
				     MSHARE_FILL_STATS);
	mshare_domain_put(dom);
	return err;
}

int mshare_nl_domain_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	umode_t mode, *modep = NULL;
	kuid_t uid, *uidp = NULL;
	kgid_t gid, *gidp = NULL;
	struct mshare_policy *pol = NULL;
	struct mshare_domain *dom;
	int err;

	dom = mshare_nl_domain(info);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	err = -EINVAL;
	if (!tb[MSHARE_A_DOMAIN_MODE] && !tb[MSHARE_A_DOMAIN_UID] &&
	    !tb[MSHARE_A_DOMAIN_GID] && !tb[MSHARE_A_DOMAIN_NUMA_POLICY]) {
		GENL_SET_ERR_MSG(info,
				 "nothing to change: give mode, uid, gid or a NUMA policy");
		goto put;
	}
	if (tb[MSHARE_A_DOMAIN_MODE]) {
		mode = nla_get_u32(tb[MSHARE_A_DOMAIN_MODE]);
		modep = &mode;
	}
	if (tb[MSHARE_A_DOMAIN_UID]) {
		err = mshare_nl_uid(info, MSHARE_A_DOMAIN_UID, &uid);
		if (err)
			goto put;
		uidp = &uid;
	}
	if (tb[MSHARE_A_DOMAIN_GID]) {
		err = mshare_nl_gid(info, MSHARE_A_DOMAIN_GID, &gid);
		if (err)
			goto put;
		gidp = &gid;
	}
	pol = mshare_nl_policy(info);
	if (IS_ERR(pol)) {
		err = PTR_ERR(pol);
		pol = NULL;
		goto put;
	}
	/*
	 * The owner may change the mode and the policy; owner and group
	 * need the capability.
	 */
	err = mshare_may_manage(skb, dom, !uidp && !gidp);
	if (err) {
		if (uidp || gidp)
			GENL_SET_ERR_MSG(info,
					 "changing owner or group needs CAP_SYS_ADMIN");
		else
			GENL_SET_ERR_MSG(info,
					 "changing the mode or policy needs CAP_SYS_ADMIN or being the owner");
		goto put;
	}
	if (modep || uidp || gidp) {
		err = mshare_domain_set_owner(dom, modep, uidp, gidp);
		if (err) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[MSHARE_A_DOMAIN_NAME],
					    "no domain of this name");
			goto put;
		}
	}
	if (pol) {
		mshare_domain_set_policy(dom, pol);
		pol = NULL;
	}
	mshare_nl_reply_domain(info, dom, MSHARE_CMD_DOMAIN_SET,
			       MSHARE_FILL_DOMAIN);
put:
	kfree(pol);
	mshare_domain_put(dom);
	return err;
}

int mshare_nl_domain_discard_doit(struct sk_buff *skb,
				    struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct mshare_domain *dom;
	u64 offset, len;
	int err;

	dom = mshare_nl_domain(info);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	err = -EINVAL;
	if (GENL_REQ_ATTR_CHECK(info, MSHARE_A_DISCARD_OFFSET) ||
	    GENL_REQ_ATTR_CHECK(info, MSHARE_A_DISCARD_LENGTH)) {
		GENL_SET_ERR_MSG(info, "missing discard offset or length");
		goto put;
	}
	offset = nla_get_u64(tb[MSHARE_A_DISCARD_OFFSET]);
	len = nla_get_u64(tb[MSHARE_A_DISCARD_LENGTH]);
	if (!mshare_range_valid(dom, offset, len)) {
		GENL_SET_ERR_MSG(info,
				 "range must be page-aligned, nonempty and inside the domain");
		goto put;
	}
	err = mshare_may_manage(skb, dom, true);
	if (err) {
		GENL_SET_ERR_MSG(info,
				 "discarding needs CAP_SYS_ADMIN or being the owner");
		goto put;
	}
	err = mshare_domain_discard(dom, offset, len);
	if (err)
		GENL_SET_ERR_MSG(info, "cannot discard the range");
put:
	mshare_domain_put(dom);
	return err;
}

int mshare_nl_domain_migrate_doit(struct sk_buff *skb,
				    struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct mshare_migrate m = { };
	struct mshare_domain *dom;
	struct sk_buff *msg;
	u64 offset = 0, len;
	int err;

	dom = mshare_nl_domain(info);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	err = -EINVAL;
	if (GENL_REQ_ATTR_CHECK(info, MSHARE_A_MIGRATE_NODE)) {
		GENL_SET_ERR_MSG(info, "missing target node");
		goto put;
	}
	m.node = nla_get_u32(tb[MSHARE_A_MIGRATE_NODE]);
	if (nla_get_u32(tb[MSHARE_A_MIGRATE_NODE]) >= MAX_NUMNODES ||
	    !mshare_node_valid(m.node)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MSHARE_A_MIGRATE_NODE],
				    "node is not online with memory");
		goto put;
	}
	len = dom->size;
	if (!!tb[MSHARE_A_MIGRATE_OFFSET] != !!tb[MSHARE_A_MIGRATE_LENGTH]) {
		GENL_SET_ERR_MSG(info, "give both offset and length, or neither");
		goto put;
	}
	if (tb[MSHARE_A_MIGRATE_OFFSET]) {
		offset = nla_get_u64(tb[MSHARE_A_MIGRATE_OFFSET]);
		len = nla_get_u64(tb[MSHARE_A_MIGRATE_LENGTH]);
		if (!mshare_range_valid(dom, offset, len)) {
			GENL_SET_ERR_MSG(info,
					 "range must be page-aligned, nonempty and inside the domain");
			goto put;
		}
	}
	err = mshare_may_manage(skb, dom, true);
	if (err) {
		GENL_SET_ERR_MSG(info,
				 "migrating needs CAP_SYS_ADMIN or being the owner");
		goto put;
	}
	m.first = offset >> PAGE_SHIFT;
	m.last = m.first + (len >> PAGE_SHIFT);
	m.pid = task_tgid_nr(current);
	err = mshare_migrate(dom, &m);
	if (err == -EINTR) {
		/*
		 * netlink_rcv_skb() sends no ack for -EINTR (it means "a dump
		 * started"): ack here, so the caller learns of the signal.
		 */
		GENL_SET_ERR_MSG(info,
				 "interrupted by a signal; pages moved so far stay moved");
		netlink_ack(skb, (struct nlmsghdr *)info->nlhdr, err,
			    info->extack);
		goto put;
	}
	if (err) {
		GENL_SET_ERR_MSG(info, "cannot migrate the range");
		goto put;
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto put;
	}
	err = mshare_nl_fill_migrate(msg, dom, info->snd_portid, info->snd_seq,
				     MSHARE_CMD_DOMAIN_MIGRATE, &m, 0, false);
	if (err)
		nlmsg_free(msg);
	else
		err = genlmsg_reply(msg, info);
put:
	mshare_domain_put(dom);
	return err;
}

struct mshare_dump_ctx {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	unsigned long done;
	enum mshare_fill what;
	u8 cmd;
};

static int mshare_nl_dump_one(struct mshare_domain *dom, void *arg)
{
	struct mshare_dump_ctx *c = arg;
	int err;

	err = mshare_nl_fill_domain(c->skb, dom,
				    NETLINK_CB(c->cb->skb).portid,
				    c->cb->nlh->nlmsg_seq, NLM_F_MULTI,
				    c->cmd, c->what, current_user_ns(),
				    task_active_pid_ns(current), 0);
	if (!err)
		c->done++;
	return err;
}

static int mshare_nl_dump(struct sk_buff *skb, struct netlink_callback *cb,
			  u8 cmd, enum mshare_fill what)
{
	struct mshare_dump_ctx c = {
		.skb = skb, .cb = cb, .cmd = cmd, .what = what,
	};
	int err;

	err = mshare_domain_for_each(cb->args[0], mshare_nl_dump_one, &c);
	cb->args[0] += c.done;
	if (err && !c.done)
		return err;
	return skb->len;
}

int mshare_nl_domain_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	return mshare_nl_dump(skb, cb, MSHARE_CMD_DOMAIN_GET,
			      MSHARE_FILL_DOMAIN);
}

int mshare_nl_domain_stats_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	return mshare_nl_dump(skb, cb, MSHARE_CMD_DOMAIN_STATS,
			      MSHARE_FILL_STATS);
}

/*
 * DOMAIN_HOLDERS (dump): one message per process that maps the domain,
 * from a snapshot taken at each step of the dump (cb->args[0]: holders
 * sent so far).
 */
int mshare_nl_domain_holders_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct genl_info buf;
	const struct genl_info *info = mshare_genl_info_dump(cb, &buf);
	struct mshare_holder *h;
	struct mshare_domain *dom;
	unsigned int nr, i;
	int err = 0;

	dom = mshare_nl_domain((struct genl_info *)info);
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	h = mshare_dom_holders(dom, &nr);
	if (IS_ERR(h)) {
		err = PTR_ERR(h);
		goto put;
	}
	for (i = cb->args[0]; i < nr; i++) {
		struct nlattr *nest, *one;
		void *hdr;

		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &mshare_genl_family,
				  NLM_F_MULTI, MSHARE_CMD_DOMAIN_HOLDERS);
		if (!hdr)
			break;
		if (nla_put_string(skb, MSHARE_A_DOMAIN_NAME, dom->name) ||
		    nla_put_u32(skb, MSHARE_A_DOMAIN_ID, dom->id))
			goto cancel;
		nest = nla_nest_start(skb, MSHARE_A_DOMAIN_HOLDERS);
		one = nest ? nla_nest_start(skb, 1) : NULL;
		if (!one ||
		    nla_put_u32(skb, MSHARE_A_HOLDER_PID, h[i].pid) ||
		    nla_put_string(skb, MSHARE_A_HOLDER_COMM, h[i].comm) ||
		    nla_put_u32(skb, MSHARE_A_HOLDER_MAPPINGS, h[i].mappings) ||
		    nla_put_u64_64bit(skb, MSHARE_A_HOLDER_LINKED, h[i].linked,
				      MSHARE_A_HOLDER_PAD))
			goto cancel;
		nla_nest_end(skb, one);
		nla_nest_end(skb, nest);
		genlmsg_end(skb, hdr);
		continue;
cancel:
		genlmsg_cancel(skb, hdr);
		break;
	}
	if (i == cb->args[0] && i < nr)
		err = -EMSGSIZE;	/* not even one fits */
	cb->args[0] = i;
	kvfree(h);
put:
	mshare_domain_put(dom);
	return err ?: skb->len;
}

/* The kind, id and (for LIMIT_SET) limits of a LIMIT_* request. */
static int mshare_nl_limit(struct genl_info *info, bool set, u32 *kind,
			   kuid_t *uid, kgid_t *gid, u64 *bytes, u32 *domains)
{
	struct nlattr **tb = info->attrs;

	if (GENL_REQ_ATTR_CHECK(info, MSHARE_A_LIMIT_KIND)) {
		GENL_SET_ERR_MSG(info, "missing limit kind (user, group or namespace)");
		return -EINVAL;
	}
	*kind = nla_get_u32(tb[MSHARE_A_LIMIT_KIND]);
	*uid = INVALID_UID;
	*gid = INVALID_GID;
	switch (*kind) {
	case MSHARE_LIMIT_USER:
	case MSHARE_LIMIT_GROUP:
		if (GENL_REQ_ATTR_CHECK(info, MSHARE_A_LIMIT_ID)) {
			GENL_SET_ERR_MSG(info, "a user or group limit needs its id");
			return -EINVAL;
		}
		if (*kind == MSHARE_LIMIT_USER &&
		    mshare_nl_uid(info, MSHARE_A_LIMIT_ID, uid))
			return -EINVAL;
		if (*kind == MSHARE_LIMIT_GROUP &&
		    mshare_nl_gid(info, MSHARE_A_LIMIT_ID, gid))
			return -EINVAL;
		break;
	case MSHARE_LIMIT_NAMESPACE:
		if (tb[MSHARE_A_LIMIT_ID]) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[MSHARE_A_LIMIT_ID],
					    "the namespace limit takes no id");
			return -EINVAL;
		}
		break;
	default:
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MSHARE_A_LIMIT_KIND],
				    "unknown limit kind");
		return -EINVAL;
	}
	if (!set) {
		if (tb[MSHARE_A_LIMIT_BYTES] || tb[MSHARE_A_LIMIT_DOMAINS]) {
			GENL_SET_ERR_MSG(info, "removing a limit takes no values");
			return -EINVAL;
		}
		return 0;
	}
	if (GENL_REQ_ATTR_CHECK(info, MSHARE_A_LIMIT_BYTES) ||
	    GENL_REQ_ATTR_CHECK(info, MSHARE_A_LIMIT_DOMAINS)) {
		GENL_SET_ERR_MSG(info, "a limit needs both bytes and domains");
		return -EINVAL;
	}
	*bytes = nla_get_u64(tb[MSHARE_A_LIMIT_BYTES]);
	*domains = nla_get_u32(tb[MSHARE_A_LIMIT_DOMAINS]);
	return 0;
}

/* Only an ns-admin of the caller's IPC namespace changes its limits. */
static int mshare_nl_limit_may(struct sk_buff *skb, struct genl_info *info)
{
	if (netlink_ns_capable(skb, current->nsproxy->ipc_ns->user_ns,
			       CAP_SYS_ADMIN))
		return 0;
	GENL_SET_ERR_MSG(info,
			 "changing limits needs CAP_SYS_ADMIN over the IPC namespace");
	return -EPERM;
}

int mshare_nl_limit_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 kind, domains;
	kuid_t uid;
	kgid_t gid;
	u64 bytes;
	int err;

	err = mshare_nl_limit(info, true, &kind, &uid, &gid, &bytes, &domains);
	if (!err)
		err = mshare_nl_limit_may(skb, info);
	if (!err)
		err = mshare_limit_set(kind, uid, gid, bytes, domains);
	return err;
}

int mshare_nl_limit_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 kind, domains;
	kuid_t uid;
	kgid_t gid;
	u64 bytes;
	int err;

	err = mshare_nl_limit(info, false, &kind, &uid, &gid, &bytes, &domains);
	if (!err)
		err = mshare_nl_limit_may(skb, info);
	if (err)
		return err;
	err = mshare_limit_del(kind, uid, gid);
	if (err)
		GENL_SET_ERR_MSG(info, "no such limit in this IPC namespace");
	return err;
}

struct mshare_limit_ctx {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	unsigned long done;
};

static int mshare_nl_limit_one(const struct mshare_limit *l, void *arg)
{
	struct mshare_limit_ctx *c = arg;
	void *hdr;

	hdr = genlmsg_put(c->skb, NETLINK_CB(c->cb->skb).portid,
			  c->cb->nlh->nlmsg_seq, &mshare_genl_family,
			  NLM_F_MULTI, MSHARE_CMD_LIMIT_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(c->skb, MSHARE_A_LIMIT_KIND, l->kind) ||
	    (l->kind != MSHARE_LIMIT_NAMESPACE &&
	     nla_put_u32(c->skb, MSHARE_A_LIMIT_ID, l->id)) ||
	    mshare_put_u64(c->skb, MSHARE_A_LIMIT_BYTES, l->bytes) ||
	    nla_put_u32(c->skb, MSHARE_A_LIMIT_DOMAINS, l->domains) ||
	    mshare_put_u64(c->skb, MSHARE_A_LIMIT_USED_BYTES, l->used_bytes) ||
	    nla_put_u32(c->skb, MSHARE_A_LIMIT_USED_DOMAINS, l->used_domains)) {
		genlmsg_cancel(c->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(c->skb, hdr);
	c->done++;
	return 0;
}

int mshare_nl_limit_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct mshare_limit_ctx c = { .skb = skb, .cb = cb };
	int err;

	err = mshare_limit_for_each(cb->args[0], mshare_nl_limit_one, &c);
	cb->args[0] += c.done;
	if (err && !c.done)
		return err;
	return skb->len;
}

/*
 * An operation that takes no attribute has no policy in the generated
 * table, and the core then accepts any attribute (it gives a reject-all
 * policy only to legacy ops): the table the family registers is a copy in
 * which those get this one, as the core's genl_policy_reject_all.
 */
static const struct nla_policy mshare_nl_reject_all[] = {
	{ .type = NLA_REJECT },
	{ .type = NLA_REJECT },
};

static struct genl_split_ops mshare_nl_strict_ops[ARRAY_SIZE(mshare_nl_ops)]
	__ro_after_init;

static struct genl_family mshare_genl_family __ro_after_init = {
	.name		= MSHARE_GENL_NAME,
	.version	= MSHARE_GENL_VERSION,
	.maxattr	= MSHARE_A_MAX,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	MSHARE_GENL_OPS(mshare_nl_strict_ops),
	.mcgrps		= mshare_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(mshare_nl_mcgrps),
};

int mshare_nl_init(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mshare_nl_ops); i++) {
		mshare_nl_strict_ops[i] = mshare_nl_ops[i];
		if (!mshare_nl_ops[i].policy) {
			mshare_nl_strict_ops[i].policy = mshare_nl_reject_all;
			mshare_nl_strict_ops[i].maxattr =
				ARRAY_SIZE(mshare_nl_reject_all) - 1;
		}
	}
	mshare_genl_ops_init(&mshare_genl_family, mshare_nl_strict_ops,
			     ARRAY_SIZE(mshare_nl_strict_ops));
	return genl_register_family(&mshare_genl_family);
}

void mshare_nl_exit(void)
{
	genl_unregister_family(&mshare_genl_family);
}
