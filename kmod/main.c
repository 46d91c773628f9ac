// SPDX-License-Identifier: GPL-2.0
/*
 * mshare: share page tables, not only memory, between unrelated processes.
 *
 * Module init and exit only; see internal.h for where everything else is.
 */
#include <linux/module.h>

#include "internal.h"

static int __init mshare_init(void)
{
	int err;

	err = mshare_nl_init();
	if (err)
		return err;
	err = mshare_dev_init();
	if (err) {
		mshare_nl_exit();
		return err;
	}
	return 0;
}

static void __exit mshare_exit(void)
{
	mshare_dev_exit();
	mshare_nl_exit();
}

module_init(mshare_init);
module_exit(mshare_exit);

MODULE_DESCRIPTION("Memory domains with page tables shared between processes");
MODULE_LICENSE("GPL");
