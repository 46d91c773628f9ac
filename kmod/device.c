// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/mshare misc device: open, ioctl and release of a descriptor.
 *
 * The device node is world-accessible (0666): opening it grants nothing by
 * itself; every operation on a domain checks the caller's rights to that
 * domain.  The file operations carry .owner, so an open descriptor pins the
 * module and rmmod fails until it is closed.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "internal.h"

static long mshare_dev_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	/* No ioctl is defined by this ABI version. */
	return -ENOTTY;
}

static const struct file_operations mshare_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= mshare_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice mshare_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= MSHARE_DEVICE_NAME,
	.fops	= &mshare_dev_fops,
	.mode	= 0666,
};

int mshare_dev_init(void)
{
	return misc_register(&mshare_miscdev);
}

void mshare_dev_exit(void)
{
	misc_deregister(&mshare_miscdev);
}
