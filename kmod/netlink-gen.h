/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/mshare.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_MSHARE_GEN_H
#define _LINUX_MSHARE_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/mshare.h>
#include <linux/stat.h>

/* Ops table for mshare */
extern const struct genl_split_ops mshare_nl_ops[14];

int mshare_nl_get_info_doit(struct sk_buff *skb, struct genl_info *info);
int mshare_nl_domain_new_doit(struct sk_buff *skb, struct genl_info *info);
int mshare_nl_domain_del_doit(struct sk_buff *skb, struct genl_info *info);
int mshare_nl_domain_get_doit(struct sk_buff *skb, struct genl_info *info);
int mshare_nl_domain_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int mshare_nl_domain_set_doit(struct sk_buff *skb, struct genl_info *info);
int mshare_nl_domain_stats_doit(struct sk_buff *skb, struct genl_info *info);
int mshare_nl_domain_stats_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb);
int mshare_nl_domain_discard_doit(struct sk_buff *skb, struct genl_info *info);
int mshare_nl_domain_migrate_doit(struct sk_buff *skb, struct genl_info *info);
int mshare_nl_limit_set_doit(struct sk_buff *skb, struct genl_info *info);
int mshare_nl_limit_del_doit(struct sk_buff *skb, struct genl_info *info);
int mshare_nl_limit_get_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb);
int mshare_nl_domain_holders_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb);

enum {
	MSHARE_NLGRP_EVENTS,
};

#endif /* _LINUX_MSHARE_GEN_H */
