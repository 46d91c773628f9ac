/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mshare: domains of memory whose page tables are shared by every process
 * that attaches them.  This header is the module's whole ABI: the character
 * device, its ioctls, and the "mshare" generic netlink family.
 *
 * Character device
 * ----------------
 * /dev/mshare (mode 0666; access to a domain is checked per domain).
 * An ioctl number this header does not define fails with ENOTTY.
 *
 * Generic netlink family MSHARE_GENL_NAME, version MSHARE_GENL_VERSION
 * ----------------------------------------------------------------------
 * MSHARE_CMD_GET_INFO (do)
 *	Request: no attributes.
 *	Reply:   MSHARE_A_INFO_ABI_VERSION (u32) = MSHARE_GENL_VERSION.
 *	Needs no privilege.
 *
 * Attributes are validated strictly: an unknown attribute or one of the
 * wrong type or length fails with EINVAL and an extack message.
 */
#ifndef _UAPI_LINUX_MSHARE_H
#define _UAPI_LINUX_MSHARE_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define MSHARE_DEVICE_NAME	"mshare"

/* ioctl type byte; see Documentation/userspace-api/ioctl/ioctl-number.rst */
#define MSHARE_IOC_MAGIC	0xE6

#define MSHARE_GENL_NAME	"mshare"
#define MSHARE_GENL_VERSION	1

enum mshare_cmd {
	MSHARE_CMD_UNSPEC,
	MSHARE_CMD_GET_INFO,

	__MSHARE_CMD_MAX,
};

#define MSHARE_CMD_MAX (__MSHARE_CMD_MAX - 1)

enum mshare_attr {
	MSHARE_A_UNSPEC,
	MSHARE_A_INFO_ABI_VERSION,	/* u32 */

	__MSHARE_A_MAX,
};

#define MSHARE_A_MAX (__MSHARE_A_MAX - 1)

#endif /* _UAPI_LINUX_MSHARE_H */
