/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mshare: domains of memory whose page tables are shared by every process
 * that attaches them.  This header is the module's whole ABI: the character
 * device, its ioctls, and the "mshare" generic netlink family.
 *
 * Character device /dev/mshare (mode 0666; rights are checked per domain)
 * -----------------------------------------------------------------------
 * MSHARE_IOC_ATTACH (struct mshare_attach, in)
 *	Bind this descriptor to the domain @name.  Needs read and write
 *	permission on the domain (owner/group/other mode bits as for SysV
 *	IPC; CAP_IPC_OWNER overrides).  Errors: EINVAL (name not a valid
 *	domain name, nonzero flags or reserved bytes), ENOENT (no such
 *	domain), EACCES (mode bits deny), EBUSY (descriptor already attached).
 * MSHARE_IOC_INFO (struct mshare_info, out)
 *	Describe the attached domain.  Errors: EINVAL (not attached).
 * mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
 *	Map the whole attached domain; may be repeated.  The address is
 *	1 GiB-aligned so whole GiBs link at PUD level.  Errors: EINVAL (not
 *	attached, length other than info.size, offset other than 0,
 *	MAP_PRIVATE, MAP_FIXED address not 2 MiB-aligned), EACCES (PROT_EXEC,
 *	or no PROT_WRITE or no PROT_READ).  On the mapping: mprotect() to
 *	anything but PROT_READ | PROT_WRITE fails with EACCES; munmap() or
 *	mremap() of a part must split it at a 2 MiB boundary (else EINVAL);
 *	mremap() cannot grow it (EFAULT); a move must keep the address
 *	congruent to the offset modulo 2 MiB (else EINVAL; with MREMAP_FIXED
 *	the kernel may already have unmapped the target range).
 *	madvise(MADV_DONTNEED) succeeds and keeps the data (the range is
 *	unlinked for this process only and relinks on the next touch).  A
 *	forked child inherits the mapping and links to the same tables on its
 *	first touch.
 * Any other ioctl number fails with ENOTTY.
 *
 * Generic netlink family MSHARE_GENL_NAME, version MSHARE_GENL_VERSION
 * ----------------------------------------------------------------------
 * Attributes are validated strictly: an attribute the command does not
 * take, of the wrong type or length, or out of range fails with EINVAL and
 * an extack message, and changes nothing.
 *
 * MSHARE_CMD_GET_INFO (do; no privilege)
 *	Reply: INFO_ABI_VERSION, INFO_DOMAINS, INFO_DATA_PAGES,
 *	INFO_TABLE_PAGES, INFO_MAX_SIZE.
 * MSHARE_CMD_DOMAIN_NEW (do; CAP_SYS_ADMIN)
 *	Request: DOMAIN_NAME (required), DOMAIN_SIZE (required),
 *	DOMAIN_FLAGS, DOMAIN_MODE (default 0600), DOMAIN_UID, DOMAIN_GID
 *	(default: the caller's effective ids).
 *	Reply: the new domain, as for DOMAIN_GET.
 *	Errors: EINVAL (bad name; size 0, below 2 MiB or not a multiple of
 *	2 MiB; unknown flag; mode above 0777; uid/gid not mapped), E2BIG (size
 *	above the module parameter max_domain_size), EEXIST (name taken),
 *	EPERM (no CAP_SYS_ADMIN), ENOMEM.
 * MSHARE_CMD_DOMAIN_DEL (do; CAP_SYS_ADMIN)
 *	Request: DOMAIN_NAME.  The name goes at once (a new attach fails with
 *	ENOENT); attached processes keep the memory until they unmap it and
 *	close their descriptors.  Errors: EINVAL, ENOENT, EPERM.
 * MSHARE_CMD_DOMAIN_GET (do with DOMAIN_NAME, or dump; no privilege)
 *	Reply, per domain: DOMAIN_NAME, DOMAIN_ID, DOMAIN_SIZE, DOMAIN_FLAGS,
 *	DOMAIN_MODE, DOMAIN_UID, DOMAIN_GID, DOMAIN_ATTACHED,
 *	DOMAIN_RESIDENT, DOMAIN_TABLE_PAGES, DOMAIN_LINKS_PUD,
 *	DOMAIN_LINKS_PMD.  Errors: EINVAL, ENOENT.
 */
#ifndef _UAPI_LINUX_MSHARE_H
#define _UAPI_LINUX_MSHARE_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define MSHARE_DEVICE_NAME	"mshare"

/* A domain name: 1-63 characters of [A-Za-z0-9._-], NUL-terminated. */
#define MSHARE_NAME_MAX		64

/* Domain sizes are multiples of this, and at least this. */
#define MSHARE_SIZE_ALIGN	(2ULL << 20)

struct mshare_attach {
	char	name[MSHARE_NAME_MAX];
	__u32	flags;		/* must be 0 */
	__u32	reserved;	/* must be 0 */
};

struct mshare_info {
	__u64	size;		/* bytes: the length mmap() must use */
	__u32	id;		/* the domain's id (as DOMAIN_ID) */
	__u32	flags;		/* MSHARE_DOMAIN_F_* given at creation */
	char	name[MSHARE_NAME_MAX];
};

/* ioctl type byte; see Documentation/userspace-api/ioctl/ioctl-number.rst */
#define MSHARE_IOC_MAGIC	0xE6
#define MSHARE_IOC_ATTACH	_IOW(MSHARE_IOC_MAGIC, 1, struct mshare_attach)
#define MSHARE_IOC_INFO		_IOR(MSHARE_IOC_MAGIC, 2, struct mshare_info)

/* MSHARE_A_DOMAIN_FLAGS */
#define MSHARE_DOMAIN_F_PREFAULT	(1U << 0)	/* populate at creation */
#define MSHARE_DOMAIN_F_ALL		MSHARE_DOMAIN_F_PREFAULT

#define MSHARE_GENL_NAME	"mshare"
#define MSHARE_GENL_VERSION	1

enum mshare_cmd {
	MSHARE_CMD_UNSPEC,
	MSHARE_CMD_GET_INFO,
	MSHARE_CMD_DOMAIN_NEW,
	MSHARE_CMD_DOMAIN_DEL,
	MSHARE_CMD_DOMAIN_GET,

	__MSHARE_CMD_MAX,
};

#define MSHARE_CMD_MAX (__MSHARE_CMD_MAX - 1)

enum mshare_attr {
	MSHARE_A_UNSPEC,
	MSHARE_A_INFO_ABI_VERSION,	/* u32 */
	MSHARE_A_INFO_DOMAINS,		/* u32: domains alive (named or not) */
	MSHARE_A_INFO_DATA_PAGES,	/* u64: data pages the module holds */
	MSHARE_A_INFO_TABLE_PAGES,	/* u64: page-table pages it holds */
	MSHARE_A_INFO_MAX_SIZE,		/* u64: max_domain_size, bytes */
	MSHARE_A_DOMAIN_NAME,		/* string, 1-63 chars [A-Za-z0-9._-] */
	MSHARE_A_DOMAIN_ID,		/* u32 */
	MSHARE_A_DOMAIN_SIZE,		/* u64, bytes */
	MSHARE_A_DOMAIN_FLAGS,		/* u32, MSHARE_DOMAIN_F_* */
	MSHARE_A_DOMAIN_MODE,		/* u32, 0-0777 */
	MSHARE_A_DOMAIN_UID,		/* u32 */
	MSHARE_A_DOMAIN_GID,		/* u32 */
	MSHARE_A_DOMAIN_ATTACHED,	/* u32: descriptors attached */
	MSHARE_A_DOMAIN_RESIDENT,	/* u64: data pages present */
	MSHARE_A_DOMAIN_TABLE_PAGES,	/* u32: its PMD + PTE table pages */
	MSHARE_A_DOMAIN_LINKS_PUD,	/* u32: process PUD entries -> its tables */
	MSHARE_A_DOMAIN_LINKS_PMD,	/* u32: process PMD entries -> its tables */

	__MSHARE_A_MAX,
};

#define MSHARE_A_MAX (__MSHARE_A_MAX - 1)

#endif /* _UAPI_LINUX_MSHARE_H */
