/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generated op table (kmod/netlink-gen.c) on every kernel mshare
 * builds for.  ynl-gen-c writes it as split ops (struct genl_split_ops:
 * a do and a dump of one command are separate entries), which Linux 6.2
 * added.  Before that, the table is an array of struct genl_ops, which has
 * the same members but one entry per command: mshare_genl_ops_init()
 * merges the split entries into one per command at module load, the do's
 * policy serving the dump too (as it did when the table was written by
 * hand).  Kbuild includes this header first in kmod/netlink-gen.c.
 */
#ifndef MSHARE_COMPAT_GENL_H
#define MSHARE_COMPAT_GENL_H

#include <linux/bug.h>
#include <linux/version.h>
#include <net/genetlink.h>
#include <linux/mshare.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0) /* no split ops */

/* GENL_CMD_CAP_DO/DUMP exist (uapi); the merged entries carry no flags. */
#define genl_split_ops		genl_ops

/* Replaced by the merged table in mshare_genl_ops_init(). */
#define MSHARE_GENL_OPS(ops) .ops = (ops), .n_ops = ARRAY_SIZE(ops)

static inline void mshare_genl_ops_init(struct genl_family *family,
					const struct genl_ops *ops,
					unsigned int n)
{
	/* One entry per command (netlink.c is its only caller). */
	static struct genl_ops merged[__MSHARE_CMD_MAX];
	unsigned int i, j, nr = 0;

	for (i = 0; i < n; i++) {
		struct genl_ops *m = NULL;

		for (j = 0; j < nr; j++)
			if (merged[j].cmd == ops[i].cmd)
				m = &merged[j];
		if (!m) {
			if (WARN_ON(nr == ARRAY_SIZE(merged)))
				break;
			m = &merged[nr++];
			m->cmd = ops[i].cmd;
		}
		if (ops[i].doit)
			m->doit = ops[i].doit;
		if (ops[i].dumpit)
			m->dumpit = ops[i].dumpit;
		if (ops[i].policy && (!m->policy || ops[i].doit)) {
			m->policy = ops[i].policy;
			m->maxattr = ops[i].maxattr;
		}
	}
	/* The family is __ro_after_init: written before registering it. */
	family->ops = merged;
	family->n_ops = nr;
}

#else

#define MSHARE_GENL_OPS(ops) \
	.split_ops = (ops), .n_split_ops = ARRAY_SIZE(ops)

static inline void mshare_genl_ops_init(struct genl_family *family,
					const struct genl_split_ops *ops,
					unsigned int n)
{
}

#endif

#endif /* MSHARE_COMPAT_GENL_H */
