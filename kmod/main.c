// SPDX-License-Identifier: GPL-2.0
/*
 * mshare: share page tables, not only memory, between unrelated processes.
 *
 * Module init and exit, parameters and counters; see internal.h for where
 * everything else is.
 */
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/genetlink.h>
#include <linux/sizes.h>

#include "internal.h"

struct mshare_stats mshare_stats;

unsigned long mshare_max_domain_size = 64UL * SZ_1G;

/*
 * A multiple of 2 MiB, at most MSHARE_DOMAIN_SIZE_LIMIT, so that a domain's
 * table and page counts fit their types (internal.h).
 */
static int mshare_max_size_set(const char *val, const struct kernel_param *kp)
{
	unsigned long size;
	int err = kstrtoul(val, 0, &size);

	if (err)
		return err;
	if (!size || !IS_ALIGNED(size, MSHARE_SIZE_ALIGN) ||
	    size > MSHARE_DOMAIN_SIZE_LIMIT)
		return -EINVAL;
	WRITE_ONCE(mshare_max_domain_size, size);
	return 0;
}

static const struct kernel_param_ops mshare_max_size_ops = {
	.set	= mshare_max_size_set,
	.get	= param_get_ulong,
};
module_param_cb(max_domain_size, &mshare_max_size_ops,
		&mshare_max_domain_size, 0644);
MODULE_PARM_DESC(max_domain_size,
		 "Largest domain, in bytes: a multiple of 2 MiB up to 64 TiB (default 64 GiB)");

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
/* MSHARE_VERSION comes from the VERSION file, through Kbuild. */
MODULE_VERSION(MSHARE_VERSION);
/*
 * Autoloading: resolving the "mshare" generic netlink family, and opening
 * /dev/mshare (misc minor MSHARE_DEVICE_MINOR) before the module is loaded;
 * the devname alias puts the node in modules.devname, from which
 * "kmod static-nodes" creates it at boot.
 */
static_assert(MSHARE_DEVICE_MAJOR == MISC_MAJOR);
MODULE_ALIAS_GENL_FAMILY(MSHARE_GENL_NAME);
MODULE_ALIAS_MISCDEV(MSHARE_DEVICE_MINOR);
MODULE_ALIAS("devname:" MSHARE_DEVICE_NAME);
