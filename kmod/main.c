// SPDX-License-Identifier: GPL-2.0
/*
 * mshare: share page tables, not only memory, between unrelated processes.
 *
 * Module init and exit, parameters and counters; see internal.h for where
 * everything else is.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>

#include "internal.h"

struct mshare_stats mshare_stats;

unsigned long mshare_max_domain_size = 64UL * SZ_1G;
module_param_named(max_domain_size, mshare_max_domain_size, ulong, 0644);
MODULE_PARM_DESC(max_domain_size, "Largest domain, in bytes (default 64 GiB)");

static int __init mshare_init(void)
{
	int err;

	err = mshare_domain_init();
	if (err)
		return err;
	err = mshare_nl_init();
	if (err)
		goto domain_exit;
	err = mshare_dev_init();
	if (err)
		goto nl_exit;
	return 0;

nl_exit:
	mshare_nl_exit();
domain_exit:
	mshare_domain_exit();
	return err;
}

/* Every domain and every descriptor pins the module: none is left here. */
static void __exit mshare_exit(void)
{
	mshare_dev_exit();
	mshare_nl_exit();
	mshare_domain_exit();
}

module_init(mshare_init);
module_exit(mshare_exit);

MODULE_DESCRIPTION("Memory domains with page tables shared between processes");
MODULE_LICENSE("GPL");
