// SPDX-License-Identifier: GPL-2.0
/*
 * The "mshare" generic netlink family: operations, their attribute
 * policies and their handlers.  The ABI is described in uapi/linux/mshare.h.
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include "internal.h"

static const struct nla_policy mshare_info_policy[MSHARE_A_MAX + 1] = {
	[MSHARE_A_INFO_ABI_VERSION] = { .type = NLA_REJECT },
};

static struct genl_family mshare_genl_family;

static int mshare_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mshare_genl_family, 0,
				MSHARE_CMD_GET_INFO);
	if (!hdr)
		goto nospace;
	if (nla_put_u32(msg, MSHARE_A_INFO_ABI_VERSION, MSHARE_GENL_VERSION))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_small_ops mshare_genl_ops[] = {
	{
		.cmd	= MSHARE_CMD_GET_INFO,
		.doit	= mshare_nl_get_info,
	},
};

static struct genl_family mshare_genl_family __ro_after_init = {
	.name		= MSHARE_GENL_NAME,
	.version	= MSHARE_GENL_VERSION,
	.maxattr	= MSHARE_A_MAX,
	.policy		= mshare_info_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.small_ops	= mshare_genl_ops,
	.n_small_ops	= ARRAY_SIZE(mshare_genl_ops),
};

int mshare_nl_init(void)
{
	return genl_register_family(&mshare_genl_family);
}

void mshare_nl_exit(void)
{
	genl_unregister_family(&mshare_genl_family);
}
