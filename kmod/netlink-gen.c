// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/mshare.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/mshare.h>
#include <linux/stat.h>

/* MSHARE_CMD_DOMAIN_NEW - do */
static const struct nla_policy mshare_domain_new_nl_policy[MSHARE_A_DOMAIN_NUMA_NODES + 1] = {
	[MSHARE_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING, },
	[MSHARE_A_DOMAIN_SIZE] = { .type = NLA_U64, },
	[MSHARE_A_DOMAIN_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x3),
	[MSHARE_A_DOMAIN_MODE] = NLA_POLICY_MASK(NLA_U32, 0x1ff),
	[MSHARE_A_DOMAIN_UID] = { .type = NLA_U32, },
	[MSHARE_A_DOMAIN_GID] = { .type = NLA_U32, },
	[MSHARE_A_DOMAIN_NUMA_POLICY] = { .type = NLA_U32, },
	[MSHARE_A_DOMAIN_NUMA_NODES] = { .type = NLA_BINARY, },
};

/* MSHARE_CMD_DOMAIN_DEL - do */
static const struct nla_policy mshare_domain_del_nl_policy[MSHARE_A_DOMAIN_ID + 1] = {
	[MSHARE_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING, },
	[MSHARE_A_DOMAIN_ID] = { .type = NLA_U32, },
};

/* MSHARE_CMD_DOMAIN_GET - do */
static const struct nla_policy mshare_domain_get_nl_policy[MSHARE_A_DOMAIN_ID + 1] = {
	[MSHARE_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING, },
	[MSHARE_A_DOMAIN_ID] = { .type = NLA_U32, },
};

/* MSHARE_CMD_DOMAIN_SET - do */
static const struct nla_policy mshare_domain_set_nl_policy[MSHARE_A_DOMAIN_NUMA_NODES + 1] = {
	[MSHARE_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING, },
	[MSHARE_A_DOMAIN_ID] = { .type = NLA_U32, },
	[MSHARE_A_DOMAIN_MODE] = NLA_POLICY_MASK(NLA_U32, 0x1ff),
	[MSHARE_A_DOMAIN_UID] = { .type = NLA_U32, },
	[MSHARE_A_DOMAIN_GID] = { .type = NLA_U32, },
	[MSHARE_A_DOMAIN_NUMA_POLICY] = { .type = NLA_U32, },
	[MSHARE_A_DOMAIN_NUMA_NODES] = { .type = NLA_BINARY, },
};

/* MSHARE_CMD_DOMAIN_STATS - do */
static const struct nla_policy mshare_domain_stats_nl_policy[MSHARE_A_DOMAIN_ID + 1] = {
	[MSHARE_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING, },
	[MSHARE_A_DOMAIN_ID] = { .type = NLA_U32, },
};

/* MSHARE_CMD_DOMAIN_DISCARD - do */
static const struct nla_policy mshare_domain_discard_nl_policy[MSHARE_A_DISCARD_LENGTH + 1] = {
	[MSHARE_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING, },
	[MSHARE_A_DOMAIN_ID] = { .type = NLA_U32, },
	[MSHARE_A_DISCARD_OFFSET] = { .type = NLA_U64, },
	[MSHARE_A_DISCARD_LENGTH] = { .type = NLA_U64, },
};

/* MSHARE_CMD_DOMAIN_MIGRATE - do */
static const struct nla_policy mshare_domain_migrate_nl_policy[MSHARE_A_MIGRATE_LENGTH + 1] = {
	[MSHARE_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING, },
	[MSHARE_A_DOMAIN_ID] = { .type = NLA_U32, },
	[MSHARE_A_MIGRATE_NODE] = { .type = NLA_U32, },
	[MSHARE_A_MIGRATE_OFFSET] = { .type = NLA_U64, },
	[MSHARE_A_MIGRATE_LENGTH] = { .type = NLA_U64, },
};

/* MSHARE_CMD_LIMIT_SET - do */
static const struct nla_policy mshare_limit_set_nl_policy[MSHARE_A_LIMIT_DOMAINS + 1] = {
	[MSHARE_A_LIMIT_KIND] = { .type = NLA_U32, },
	[MSHARE_A_LIMIT_ID] = { .type = NLA_U32, },
	[MSHARE_A_LIMIT_BYTES] = { .type = NLA_U64, },
	[MSHARE_A_LIMIT_DOMAINS] = { .type = NLA_U32, },
};

/* MSHARE_CMD_LIMIT_DEL - do */
static const struct nla_policy mshare_limit_del_nl_policy[MSHARE_A_LIMIT_DOMAINS + 1] = {
	[MSHARE_A_LIMIT_KIND] = { .type = NLA_U32, },
	[MSHARE_A_LIMIT_ID] = { .type = NLA_U32, },
	[MSHARE_A_LIMIT_BYTES] = { .type = NLA_U64, },
	[MSHARE_A_LIMIT_DOMAINS] = { .type = NLA_U32, },
};

/* MSHARE_CMD_DOMAIN_HOLDERS - dump */
static const struct nla_policy mshare_domain_holders_nl_policy[MSHARE_A_DOMAIN_ID + 1] = {
	[MSHARE_A_DOMAIN_NAME] = { .type = NLA_NUL_STRING, },
	[MSHARE_A_DOMAIN_ID] = { .type = NLA_U32, },
};

/* Ops table for mshare */
const struct genl_split_ops mshare_nl_ops[14] = {
	{
		.cmd	= MSHARE_CMD_GET_INFO,
		.doit	= mshare_nl_get_info_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MSHARE_CMD_DOMAIN_NEW,
		.doit		= mshare_nl_domain_new_doit,
		.policy		= mshare_domain_new_nl_policy,
		.maxattr	= MSHARE_A_DOMAIN_NUMA_NODES,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MSHARE_CMD_DOMAIN_DEL,
		.doit		= mshare_nl_domain_del_doit,
		.policy		= mshare_domain_del_nl_policy,
		.maxattr	= MSHARE_A_DOMAIN_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MSHARE_CMD_DOMAIN_GET,
		.doit		= mshare_nl_domain_get_doit,
		.policy		= mshare_domain_get_nl_policy,
		.maxattr	= MSHARE_A_DOMAIN_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= MSHARE_CMD_DOMAIN_GET,
		.dumpit	= mshare_nl_domain_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= MSHARE_CMD_DOMAIN_SET,
		.doit		= mshare_nl_domain_set_doit,
		.policy		= mshare_domain_set_nl_policy,
		.maxattr	= MSHARE_A_DOMAIN_NUMA_NODES,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MSHARE_CMD_DOMAIN_STATS,
		.doit		= mshare_nl_domain_stats_doit,
		.policy		= mshare_domain_stats_nl_policy,
		.maxattr	= MSHARE_A_DOMAIN_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= MSHARE_CMD_DOMAIN_STATS,
		.dumpit	= mshare_nl_domain_stats_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= MSHARE_CMD_DOMAIN_DISCARD,
		.doit		= mshare_nl_domain_discard_doit,
		.policy		= mshare_domain_discard_nl_policy,
		.maxattr	= MSHARE_A_DISCARD_LENGTH,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MSHARE_CMD_DOMAIN_MIGRATE,
		.doit		= mshare_nl_domain_migrate_doit,
		.policy		= mshare_domain_migrate_nl_policy,
		.maxattr	= MSHARE_A_MIGRATE_LENGTH,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MSHARE_CMD_LIMIT_SET,
		.doit		= mshare_nl_limit_set_doit,
		.policy		= mshare_limit_set_nl_policy,
		.maxattr	= MSHARE_A_LIMIT_DOMAINS,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= MSHARE_CMD_LIMIT_DEL,
		.doit		= mshare_nl_limit_del_doit,
		.policy		= mshare_limit_del_nl_policy,
		.maxattr	= MSHARE_A_LIMIT_DOMAINS,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= MSHARE_CMD_LIMIT_GET,
		.dumpit	= mshare_nl_limit_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= MSHARE_CMD_DOMAIN_HOLDERS,
		.dumpit		= mshare_nl_domain_holders_dumpit,
		.policy		= mshare_domain_holders_nl_policy,
		.maxattr	= MSHARE_A_DOMAIN_ID,
		.flags		= GENL_CMD_CAP_DUMP,
	},
};

static const struct genl_multicast_group mshare_nl_mcgrps[] = {
	[MSHARE_NLGRP_EVENTS] = { "events", },
};
