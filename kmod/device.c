// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/mshare misc device: attach a descriptor to a domain, describe
 * it, and map it.
 *
 * The device node is world-accessible (0666): opening it grants nothing by
 * itself; MSHARE_IOC_ATTACH checks the caller's rights to the domain.  The
 * file operations carry .owner, so an open descriptor pins the module.
 * An attached descriptor holds a reference on its domain (file->private_data,
 * set once with cmpxchg) until it is closed; a mapping holds its own.
 *
 * Attaching and closing an attached descriptor send the ATTACHED and
 * DETACHED events (netlink.c).  MSHARE_IOC_DISCARD needs a read-write
 * attachment, which needed read and write permission: it is a write.  A
 * read-only attachment (MSHARE_ATTACH_F_RDONLY) needs read permission and
 * maps PROT_READ only, through read-only tables (rdonly.c).
 *
 * No lock of this file: attaching is a single cmpxchg of the
 * descriptor's struct mshare_attachment.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mman.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "internal.h"

/* "#ID" (decimal, NUL-terminated within the name field): 0 or -EINVAL. */
static int mshare_parse_id_key(const char *key, u32 *id)
{
	size_t len = strnlen(key, MSHARE_NAME_MAX);

	/* Decimal digits only: no sign, no newline kstrtou32 would take. */
	if (len < 2 || len == MSHARE_NAME_MAX ||
	    strspn(key + 1, "0123456789") != len - 1)
		return -EINVAL;
	return kstrtou32(key + 1, 10, id);
}

/* An attached descriptor: file->private_data, set once. */
struct mshare_attachment {
	struct mshare_domain *dom;
	bool rdonly;		/* MSHARE_ATTACH_F_RDONLY */
};

/* The domain @file is attached to (and whether read-only), or NULL. */
static struct mshare_domain *mshare_file_domain(struct file *file,
						bool *rdonly)
{
	struct mshare_attachment *at = READ_ONCE(file->private_data);

	if (!at)
		return NULL;
	if (rdonly)
		*rdonly = at->rdonly;
	return at->dom;
}

static int mshare_dev_open(struct inode *inode, struct file *file)
{
	file->private_data = NULL;	/* not attached */
	return 0;
}

static int mshare_dev_release(struct inode *inode, struct file *file)
{
	struct mshare_attachment *at = file->private_data;

	if (at) {
		atomic_dec(&at->dom->attached);
		mshare_nl_notify(at->dom, MSHARE_CMD_DOMAIN_DETACHED);
		mshare_domain_put(at->dom);
		kfree(at);
	}
	return 0;
}

static long mshare_ioc_attach(struct file *file, void __user *uarg)
{
	struct mshare_attachment *at;
	struct mshare_attach arg;
	struct mshare_domain *dom;
	bool rdonly;
	u32 id = 0;
	int err;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	/* A name, or "#ID": the domain's id (also once its name is gone). */
	if ((arg.flags & ~MSHARE_ATTACH_F_ALL) || arg.reserved ||
	    (arg.name[0] == '#' ? mshare_parse_id_key(arg.name, &id) :
				  !mshare_name_valid(arg.name)))
		return -EINVAL;
	if (READ_ONCE(file->private_data))
		return -EBUSY;
	rdonly = arg.flags & MSHARE_ATTACH_F_RDONLY;

	at = kzalloc(sizeof(*at), GFP_KERNEL);
	if (!at)
		return -ENOMEM;
	dom = arg.name[0] == '#' ? mshare_domain_lookup_id(id) :
				   mshare_domain_lookup(arg.name);
	if (!dom) {
		kfree(at);
		return -ENOENT;
	}
	err = mshare_may_attach(dom, rdonly);
	if (!err && rdonly)
		err = mshare_ro_tables_get(dom);
	if (err)
		goto put;
	at->dom = dom;
	at->rdonly = rdonly;
	if (cmpxchg(&file->private_data, NULL, at)) {
		err = -EBUSY;
		goto put;
	}
	atomic_inc(&dom->attached);
	mshare_nl_notify(dom, MSHARE_CMD_DOMAIN_ATTACHED);
	return 0;
put:
	mshare_domain_put(dom);
	kfree(at);
	return err;
}

static long mshare_ioc_info(struct file *file, void __user *uarg)
{
	struct mshare_domain *dom = mshare_file_domain(file, NULL);
	struct mshare_info info = {};

	if (!dom)
		return -EINVAL;
	info.size = dom->size;
	info.id = dom->id;
	info.flags = dom->flags;
	strscpy(info.name, dom->name, sizeof(info.name));
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long mshare_ioc_discard(struct file *file, void __user *uarg)
{
	struct mshare_discard arg;
	struct mshare_domain *dom;
	bool rdonly = false;

	dom = mshare_file_domain(file, &rdonly);
	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (!dom || !mshare_range_valid(dom, arg.offset, arg.length))
		return -EINVAL;
	if (rdonly)
		return -EACCES;	/* a discard writes */
	return mshare_domain_discard(dom, arg.offset, arg.length);
}

static long mshare_dev_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	switch (cmd) {
	case MSHARE_IOC_ATTACH:
		return mshare_ioc_attach(file, (void __user *)arg);
	case MSHARE_IOC_INFO:
		return mshare_ioc_info(file, (void __user *)arg);
	case MSHARE_IOC_DISCARD:
		return mshare_ioc_discard(file, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

/*
 * Place mappings on a 1 GiB boundary, so that whole GiBs link at PUD
 * level.  A MAP_FIXED address must be 2 MiB-aligned (PMD links).
 */
static unsigned long mshare_get_unmapped_area(struct file *file,
					      unsigned long addr,
					      unsigned long len,
					      unsigned long pgoff,
					      unsigned long flags)
{
	unsigned long area;

	if (flags & MAP_FIXED)
		return IS_ALIGNED(addr, PMD_SIZE) ? addr : -EINVAL;
	if (len > TASK_SIZE - PUD_SIZE)
		return -ENOMEM;
	area = mshare_mm_get_unmapped_area(file, addr, len + PUD_SIZE, pgoff,
					   flags);
	if (IS_ERR_VALUE(area))
		return area;
	return ALIGN(area, PUD_SIZE);
}

static int mshare_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	bool rdonly = false;
	struct mshare_domain *dom = mshare_file_domain(file, &rdonly);

	if (!dom)
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != dom->size ||
	    !IS_ALIGNED(vma->vm_start, PMD_SIZE))
		return -EINVAL;
	/* Read-write, or read-only for a read-only attachment; never exec. */
	if ((vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC)) !=
	    (rdonly ? VM_READ : VM_READ | VM_WRITE))
		return -EACCES;
	return mshare_vma_setup(vma, dom, rdonly);
}

static const struct file_operations mshare_dev_fops = {
	.owner			= THIS_MODULE,
	.open			= mshare_dev_open,
	.release		= mshare_dev_release,
	.unlocked_ioctl		= mshare_dev_ioctl,
	.compat_ioctl		= compat_ptr_ioctl,
	.mmap			= mshare_dev_mmap,
	.get_unmapped_area	= mshare_get_unmapped_area,
	.llseek			= noop_llseek,
};

static struct miscdevice mshare_miscdev = {
	.minor	= MSHARE_DEVICE_MINOR,	/* fixed: see uapi/linux/mshare.h */
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
