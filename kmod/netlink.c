// SPDX-License-Identifier: GPL-2.0
/*
 * The "mshare" generic netlink family: operations, their attribute
 * policies and their handlers.  The ABI is described in uapi/linux/mshare.h.
 *
 * Every operation has a strict policy (the family's resv_start_op is 0):
 * an attribute an operation does not take is rejected with an extack
 * message before the handler runs.  Handlers run in the sender's context
 * and take no lock of their own; the registry locks itself (domain.c).
 */
#include <linux/cred.h>
#include <linux/module.h>
#include <net/genetlink.h>

#include "internal.h"

static const struct nla_policy mshare_info_policy[MSHARE_A_MAX + 1] = {
};

static const struct nla_policy mshare_new_policy[MSHARE_A_MAX + 1] = {
	[MSHARE_A_DOMAIN_NAME]	= { .type = NLA_NUL_STRING,
				    .len = MSHARE_NAME_MAX - 1 },
	[MSHARE_A_DOMAIN_SIZE]	= { .type = NLA_U64 },
	[MSHARE_A_DOMAIN_FLAGS]	= NLA_POLICY_MASK(NLA_U32, MSHARE_DOMAIN_F_ALL),
	[MSHARE_A_DOMAIN_MODE]	= NLA_POLICY_MASK(NLA_U32, 0777),
	[MSHARE_A_DOMAIN_UID]	= { .type = NLA_U32 },
	[MSHARE_A_DOMAIN_GID]	= { .type = NLA_U32 },
};

static const struct nla_policy mshare_name_policy[MSHARE_A_MAX + 1] = {
	[MSHARE_A_DOMAIN_NAME]	= { .type = NLA_NUL_STRING,
				    .len = MSHARE_NAME_MAX - 1 },
};

static struct genl_family mshare_genl_family;

/*
 * The domain name of a request: present and valid, or NULL with the
 * extack set.  The policy bounds its length; this checks its characters.
 */
static const char *mshare_nl_name(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[MSHARE_A_DOMAIN_NAME];

	if (!attr) {
		NL_SET_ERR_MSG(info->extack, "missing domain name");
		return NULL;
	}
	if (!mshare_name_valid(nla_data(attr))) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "name must be 1-63 characters of [A-Za-z0-9._-]");
		return NULL;
	}
	return nla_data(attr);
}

static int mshare_nl_get_info(struct sk_buff *skb, struct genl_info *info)
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
			      MSHARE_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, MSHARE_A_INFO_TABLE_PAGES,
			      atomic_long_read(&mshare_stats.table_pages),
			      MSHARE_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, MSHARE_A_INFO_MAX_SIZE,
			      READ_ONCE(mshare_max_domain_size),
			      MSHARE_A_UNSPEC))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int mshare_nl_fill_domain(struct sk_buff *msg,
				 struct mshare_domain *dom, u32 portid,
				 u32 seq, int flags, u8 cmd)
{
	u32 links_pud, links_pmd;
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &mshare_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	mshare_domain_links(dom, &links_pud, &links_pmd);
	if (nla_put_string(msg, MSHARE_A_DOMAIN_NAME, dom->name) ||
	    nla_put_u32(msg, MSHARE_A_DOMAIN_ID, dom->id) ||
	    nla_put_u64_64bit(msg, MSHARE_A_DOMAIN_SIZE, dom->size,
			      MSHARE_A_UNSPEC) ||
	    nla_put_u32(msg, MSHARE_A_DOMAIN_FLAGS, dom->flags) ||
	    nla_put_u32(msg, MSHARE_A_DOMAIN_MODE, dom->mode) ||
	    nla_put_u32(msg, MSHARE_A_DOMAIN_UID,
			from_kuid_munged(current_user_ns(), dom->uid)) ||
	    nla_put_u32(msg, MSHARE_A_DOMAIN_GID,
			from_kgid_munged(current_user_ns(), dom->gid)) ||
	    nla_put_u32(msg, MSHARE_A_DOMAIN_ATTACHED,
			atomic_read(&dom->attached)) ||
	    nla_put_u64_64bit(msg, MSHARE_A_DOMAIN_RESIDENT,
			      atomic_long_read(&dom->resident),
			      MSHARE_A_UNSPEC) ||
	    nla_put_u32(msg, MSHARE_A_DOMAIN_TABLE_PAGES,
			dom->nr_pmd_tables + dom->nr_pte_tables) ||
	    nla_put_u32(msg, MSHARE_A_DOMAIN_LINKS_PUD, links_pud) ||
	    nla_put_u32(msg, MSHARE_A_DOMAIN_LINKS_PMD, links_pmd)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

static int mshare_nl_reply_domain(struct genl_info *info,
				  struct mshare_domain *dom, u8 cmd)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	int err;

	if (!msg)
		return -ENOMEM;
	err = mshare_nl_fill_domain(msg, dom, info->snd_portid, info->snd_seq,
				    0, cmd);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int mshare_nl_domain_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	kuid_t uid = current_euid();
	kgid_t gid = current_egid();
	struct mshare_domain *dom;
	umode_t mode = 0600;
	const char *name;
	u32 flags = 0;
	u64 size;
	int err;

	if (!mshare_may_admin(skb)) {
		NL_SET_ERR_MSG(info->extack, "creating a domain needs CAP_SYS_ADMIN");
		return -EPERM;
	}
	name = mshare_nl_name(info);
	if (!name)
		return -EINVAL;
	if (!tb[MSHARE_A_DOMAIN_SIZE]) {
		NL_SET_ERR_MSG(info->extack, "missing domain size");
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
	if (tb[MSHARE_A_DOMAIN_MODE])
		mode = nla_get_u32(tb[MSHARE_A_DOMAIN_MODE]);
	if (tb[MSHARE_A_DOMAIN_UID]) {
		uid = make_kuid(current_user_ns(),
				nla_get_u32(tb[MSHARE_A_DOMAIN_UID]));
		if (!uid_valid(uid)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[MSHARE_A_DOMAIN_UID],
					    "uid not mapped");
			return -EINVAL;
		}
	}
	if (tb[MSHARE_A_DOMAIN_GID]) {
		gid = make_kgid(current_user_ns(),
				nla_get_u32(tb[MSHARE_A_DOMAIN_GID]));
		if (!gid_valid(gid)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[MSHARE_A_DOMAIN_GID],
					    "gid not mapped");
			return -EINVAL;
		}
	}

	dom = mshare_domain_create(name, size, flags, mode, uid, gid);
	if (IS_ERR(dom)) {
		err = PTR_ERR(dom);
		if (err == -EEXIST)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[MSHARE_A_DOMAIN_NAME],
					    "a domain of this name exists");
		else
			NL_SET_ERR_MSG(info->extack, "cannot create the domain");
		return err;
	}
	/*
	 * The domain exists whatever happens to the reply; the registry's
	 * reference keeps it alive while we describe it.
	 */
	mshare_nl_reply_domain(info, dom, MSHARE_CMD_DOMAIN_NEW);
	return 0;
}

static int mshare_nl_domain_del(struct sk_buff *skb, struct genl_info *info)
{
	const char *name;
	int err;

	if (!mshare_may_admin(skb)) {
		NL_SET_ERR_MSG(info->extack, "destroying a domain needs CAP_SYS_ADMIN");
		return -EPERM;
	}
	name = mshare_nl_name(info);
	if (!name)
		return -EINVAL;
	err = mshare_domain_destroy(name);
	if (err)
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[MSHARE_A_DOMAIN_NAME],
				    "no domain of this name");
	return err;
}

static int mshare_nl_domain_get(struct sk_buff *skb, struct genl_info *info)
{
	struct mshare_domain *dom;
	const char *name;
	int err;

	name = mshare_nl_name(info);
	if (!name)
		return -EINVAL;
	dom = mshare_domain_lookup(name);
	if (!dom) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[MSHARE_A_DOMAIN_NAME],
				    "no domain of this name");
		return -ENOENT;
	}
	err = mshare_nl_reply_domain(info, dom, MSHARE_CMD_DOMAIN_GET);
	mshare_domain_put(dom);
	return err;
}

struct mshare_dump_ctx {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	unsigned long done;
};

static int mshare_nl_dump_one(struct mshare_domain *dom, void *arg)
{
	struct mshare_dump_ctx *c = arg;
	int err;

	err = mshare_nl_fill_domain(c->skb, dom,
				    NETLINK_CB(c->cb->skb).portid,
				    c->cb->nlh->nlmsg_seq, NLM_F_MULTI,
				    MSHARE_CMD_DOMAIN_GET);
	if (!err)
		c->done++;
	return err;
}

static int mshare_nl_domain_dump(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct mshare_dump_ctx c = { .skb = skb, .cb = cb };
	int err;

	err = mshare_domain_for_each(cb->args[0], mshare_nl_dump_one, &c);
	cb->args[0] += c.done;
	if (err && !c.done)
		return err;
	return skb->len;
}

static const struct genl_ops mshare_genl_ops[] = {
	{
		.cmd		= MSHARE_CMD_GET_INFO,
		.doit		= mshare_nl_get_info,
		.policy		= mshare_info_policy,
		.maxattr	= MSHARE_A_MAX,
	},
	{
		.cmd		= MSHARE_CMD_DOMAIN_NEW,
		.doit		= mshare_nl_domain_new,
		.policy		= mshare_new_policy,
		.maxattr	= MSHARE_A_MAX,
	},
	{
		.cmd		= MSHARE_CMD_DOMAIN_DEL,
		.doit		= mshare_nl_domain_del,
		.policy		= mshare_name_policy,
		.maxattr	= MSHARE_A_MAX,
	},
	{
		.cmd		= MSHARE_CMD_DOMAIN_GET,
		.doit		= mshare_nl_domain_get,
		.dumpit		= mshare_nl_domain_dump,
		.policy		= mshare_name_policy,
		.maxattr	= MSHARE_A_MAX,
	},
};

static struct genl_family mshare_genl_family __ro_after_init = {
	.name		= MSHARE_GENL_NAME,
	.version	= MSHARE_GENL_VERSION,
	.maxattr	= MSHARE_A_MAX,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= mshare_genl_ops,
	.n_ops		= ARRAY_SIZE(mshare_genl_ops),
};

int mshare_nl_init(void)
{
	return genl_register_family(&mshare_genl_family);
}

void mshare_nl_exit(void)
{
	genl_unregister_family(&mshare_genl_family);
}
