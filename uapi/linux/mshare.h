/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mshare: domains of memory whose page tables are shared by every process
 * that attaches them.  This header is the module's whole ABI: the character
 * device, its ioctls, and the "mshare" generic netlink family.
 *
 * Character device /dev/mshare (mode 0666; rights are checked per domain)
 * -----------------------------------------------------------------------
 * MSHARE_IOC_ATTACH (struct mshare_attach, in)
 *	Bind this descriptor to the domain @name, or to the domain of id N
 *	when @name is "#N" (also a domain whose name was deleted while it is
 *	still held).  Needs read and write permission on the domain
 *	(owner/group/other mode bits as for SysV IPC; CAP_IPC_OWNER
 *	overrides); with MSHARE_ATTACH_F_RDONLY, read permission: the
 *	descriptor then maps PROT_READ only (through read-only tables of the
 *	domain's) and cannot discard.  Errors: EINVAL (name not a valid
 *	domain name or "#N", unknown flags, nonzero reserved bytes), ENOENT
 *	(no such domain), EACCES (mode bits deny), EBUSY (descriptor already
 *	attached), ENOMEM.
 * MSHARE_IOC_INFO (struct mshare_info, out)
 *	Describe the attached domain.  Errors: EINVAL (not attached).
 * mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
 *	Map the whole attached domain; may be repeated.  The address is
 *	1 GiB-aligned so whole GiBs link at PUD level.  Errors: EINVAL (not
 *	attached, length other than info.size, offset other than 0,
 *	MAP_PRIVATE, MAP_FIXED address not 2 MiB-aligned), EACCES (PROT_EXEC,
 *	or no PROT_WRITE or no PROT_READ; PROT_WRITE on a read-only
 *	attachment).  On the mapping: mprotect() to
 *	anything but PROT_READ | PROT_WRITE fails with EACCES; munmap() or
 *	mremap() of a part must split it at a 2 MiB boundary (else EINVAL);
 *	mremap() cannot grow it (EFAULT); a move must keep the address
 *	congruent to the offset modulo 2 MiB (else EINVAL; with MREMAP_FIXED
 *	the kernel may already have unmapped the target range).
 *	madvise(MADV_DONTNEED) succeeds and keeps the data (the range is
 *	unlinked for this process only and relinks on the next touch).  A
 *	forked child inherits the mapping and links to the same tables on its
 *	first touch.
 * MSHARE_IOC_DISCARD (struct mshare_discard, in)
 *	Free the data pages of [offset, offset + length) of the attached
 *	domain, for every attacher (the range reads as zeroes afterwards).
 *	Anyone attached read-write may discard: attaching needed write
 *	permission.  Errors: EINVAL (not attached; offset or length not
 *	page-aligned, length 0, beyond the domain's end), EACCES (a
 *	read-only attachment), EFAULT.  In a MSHARE_DOMAIN_F_HUGE domain a
 *	range that cuts a 2 MiB page splits it: the rest is copied into
 *	4 KiB pages (a pinned one is zeroed in place and stays whole).
 * Any other ioctl number fails with ENOTTY.
 *
 * Generic netlink family MSHARE_GENL_NAME, version MSHARE_GENL_VERSION
 * ----------------------------------------------------------------------
 * Described by Documentation/netlink/specs/mshare.yaml, the family's single
 * source: the enums and defines below carry the values ynl-gen-c renders
 * from it (`make check-regen` compares them; Documentation/netlink.rst).
 * Attributes are validated strictly: an attribute the command does not
 * take, of the wrong type or length, or
 * out of range fails with EINVAL and an extack message, and changes
 * nothing.  Every rejection carries an extack message.  An unknown command
 * fails with EOPNOTSUPP.
 *
 * Scope: a domain belongs to the IPC namespace of the process that created
 * it.  Every command and MSHARE_IOC_ATTACH see only the domains of the
 * caller's IPC namespace: a domain of another namespace is ENOENT.
 * "ns-admin" below means CAP_SYS_ADMIN in the user namespace that owns the
 * domain's IPC namespace (checked for the sender, and for the socket's
 * opener when a request is written without a destination address);
 * "owner" means the caller's effective uid is the domain's uid.  See
 * Documentation/permissions.rst.
 *
 * A command about one domain names it by DOMAIN_NAME or by DOMAIN_ID (not
 * both: EINVAL).  By id it also reaches a domain whose name was deleted
 * while processes still hold it.
 *
 * MSHARE_CMD_GET_INFO (do; anyone)
 *	Reply: INFO_ABI_VERSION, INFO_DOMAINS, INFO_DATA_PAGES,
 *	INFO_TABLE_PAGES, INFO_MAX_SIZE, INFO_ORPHAN_PAGES (module-wide, all
 *	namespaces; orphans are pages a discard or destroy took out of a
 *	domain while something still pinned them).
 * MSHARE_CMD_DOMAIN_NEW (do; CAP_SYS_ADMIN in the initial user namespace,
 *	or a grant of the caller's IPC namespace: see LIMIT_SET)
 *	Request: DOMAIN_NAME (required), DOMAIN_SIZE (required),
 *	DOMAIN_FLAGS, DOMAIN_MODE (default 0600), DOMAIN_UID, DOMAIN_GID
 *	(default: the caller's effective ids; a caller without
 *	CAP_SYS_ADMIN may only name its own uid and a group it is in),
 *	DOMAIN_NUMA_POLICY and DOMAIN_NUMA_NODES (default:
 *	MSHARE_NUMA_LOCAL; see "NUMA" below).  The size counts against the
 *	owner's grant and the namespace's total until the memory is freed
 *	(DOMAIN_FREED).  Reply: the new domain, as for DOMAIN_GET.
 *	Notifies DOMAIN_CREATED.
 *	Errors: EINVAL (bad name; size 0, below 2 MiB or not a multiple of
 *	2 MiB; unknown flag; mode above 0777; uid/gid not mapped; bad NUMA
 *	policy or node list, a node not online with memory), E2BIG (size
 *	above the module parameter max_domain_size), EPERM (no CAP_SYS_ADMIN
 *	and no grant covers the caller, or it names another owner), EDQUOT
 *	(over the caller's grant), ENOSPC (over the namespace's total;
 *	DOMAIN_F_PREFAULT with a policy bound to nodes that are full),
 *	EEXIST (name taken in this IPC namespace), EOPNOTSUPP
 *	(MSHARE_DOMAIN_F_HUGE on a kernel without transparent hugepages),
 *	ENOMEM.  Limits are
 *	checked before the name: a caller that may not create learns
 *	nothing about the names in use.
 * MSHARE_CMD_DOMAIN_DEL (do; ns-admin or owner)
 *	Request: DOMAIN_NAME or DOMAIN_ID.  The name goes at once (a new
 *	attach by name fails with ENOENT); attached processes keep the
 *	memory until they unmap it and close their descriptors, and the
 *	domain is listed with DOMAIN_DELETED until then.  Notifies
 *	DOMAIN_DESTROYED.  Errors: EINVAL, ENOENT (also: already deleted),
 *	EPERM.
 * MSHARE_CMD_DOMAIN_GET (do with DOMAIN_NAME or DOMAIN_ID, or dump;
 *	anyone)
 *	Reply, per domain (a dump lists deleted domains still held, too):
 *	DOMAIN_NAME, DOMAIN_ID, DOMAIN_SIZE, DOMAIN_FLAGS, DOMAIN_MODE,
 *	DOMAIN_UID, DOMAIN_GID, DOMAIN_ATTACHED, DOMAIN_RESIDENT,
 *	DOMAIN_TABLE_PAGES, DOMAIN_LINKS_PUD, DOMAIN_LINKS_PMD,
 *	DOMAIN_NUMA_POLICY, DOMAIN_NUMA_NODES (not for MSHARE_NUMA_LOCAL),
 *	DOMAIN_NUMA_NODE (the home node), DOMAIN_CREATOR_PID, DOMAIN_CTIME,
 *	DOMAIN_DELETED (only when its name was deleted).
 *	Errors: EINVAL, ENOENT.
 * MSHARE_CMD_DOMAIN_HOLDERS (dump; anyone)
 *	Request: DOMAIN_NAME or DOMAIN_ID.  One message per process (mm)
 *	that maps the domain: DOMAIN_NAME, DOMAIN_ID and DOMAIN_HOLDERS with
 *	one entry: HOLDER_PID (a thread group using the mm, as the caller's
 *	pid namespace sees it; 0 if it sees none), HOLDER_COMM,
 *	HOLDER_MAPPINGS, HOLDER_LINKED.  Errors: EINVAL, ENOENT.
 * MSHARE_CMD_DOMAIN_SET (do; mode, NUMA policy: ns-admin or owner; uid,
 *	gid: ns-admin)
 *	Request: DOMAIN_NAME and at least one of DOMAIN_MODE, DOMAIN_UID,
 *	DOMAIN_GID, DOMAIN_NUMA_POLICY (with DOMAIN_NUMA_NODES as it needs).
 *	Reply: the domain as for DOMAIN_GET.  Existing attachments are not
 *	revoked; a new policy places the pages allocated from then on (move
 *	the present ones with DOMAIN_MIGRATE).  Errors: EINVAL (nothing to
 *	change, mode above 0777, id not mapped, bad policy or node list),
 *	ENOENT, EPERM.
 * MSHARE_CMD_DOMAIN_STATS (do with DOMAIN_NAME, or dump; anyone)
 *	Reply, per domain: DOMAIN_NAME, DOMAIN_ID, DOMAIN_ATTACHED
 *	(descriptors), STATS_MAPPINGS (VMAs), STATS_PROCESSES (distinct mms),
 *	DOMAIN_LINKS_PUD, DOMAIN_LINKS_PMD, DOMAIN_RESIDENT,
 *	DOMAIN_TABLE_PAGES, STATS_FAULTS, STATS_SHOOTDOWNS,
 *	STATS_SHOOTDOWN_CPUS, STATS_PAGES_FLUSHED, STATS_FLUSHES_RANGED,
 *	STATS_FLUSHES_FULL, DOMAIN_NUMA_NODE (home), STATS_NODES (an entry
 *	per node that holds any of its pages or tables: NODE_ID, NODE_PAGES,
 *	NODE_TABLE_PAGES), STATS_MIGRATIONS, STATS_PAGES_MIGRATED,
 *	STATS_MIGRATE_SKIPPED, STATS_MIGRATE_NS.  Errors: EINVAL, ENOENT.
 * MSHARE_CMD_DOMAIN_DISCARD (do; ns-admin or owner)
 *	Request: DOMAIN_NAME, DISCARD_OFFSET, DISCARD_LENGTH (bytes, page
 *	aligned, length > 0, offset + length <= size).  Frees the data pages
 *	of the range in every attacher at once; the range reads as zeroes
 *	afterwards.  Errors: EINVAL, ENOENT, EPERM.
 * MSHARE_CMD_DOMAIN_MIGRATE (do; ns-admin or owner)
 *	Request: DOMAIN_NAME, MIGRATE_NODE (target, online with memory),
 *	optionally MIGRATE_OFFSET and MIGRATE_LENGTH (both or neither; bytes,
 *	page-aligned, length > 0, within the domain; default: all of it).
 *	Moves the present data pages of the range to the node while attachers
 *	keep running, and the domain's tables too when the range is the whole
 *	domain (the node becomes its home; attachers re-link on their next
 *	touch).  Per batch of up to 512 pages: the leaf entries are cleared,
 *	one TLB shootdown covers every attacher, the pages are copied and the
 *	new entries installed; an access to a page in flight waits for its
 *	batch and sees the new page, so no write is lost.  A page pinned by
 *	GUP (O_DIRECT, io_uring...) stays where it is and counts as skipped.
 *	Progress goes to the "events" group as DOMAIN_MIGRATE_PROGRESS.  A
 *	signal pending for the caller stops it between batches (EINTR); every
 *	page is valid then, on the old node or the new one.  One migration
 *	per domain at a time; another waits.  Reply: DOMAIN_NAME,
 *	MIGRATE_NODE, MIGRATE_PAGES_TOTAL, MIGRATE_PAGES_DONE,
 *	MIGRATE_PAGES_SKIPPED.  Notifies DOMAIN_MIGRATED (with MIGRATE_ERROR,
 *	0 or the positive errno it ended with).  Errors: EINVAL (bad node or
 *	range), ENOENT, EPERM, EINTR, ENOMEM.
 *
 * Limits (Documentation/permissions.rst, "Delegated creation")
 * -----------------------------------------------------------
 * Per IPC namespace, an ns-admin grants creation to a user
 * (MSHARE_LIMIT_USER, LIMIT_ID a uid) or to each member of a group
 * (MSHARE_LIMIT_GROUP, LIMIT_ID a gid), with LIMIT_BYTES and
 * LIMIT_DOMAINS the most that user may own there at once; and may set the
 * namespace's total (MSHARE_LIMIT_NAMESPACE, no LIMIT_ID), which binds
 * every creator, CAP_SYS_ADMIN included.  A caller without CAP_SYS_ADMIN
 * is covered by its own user grant, else by the most generous grant of a
 * group it is in.  Ids are read in the caller's user namespace.
 * MSHARE_CMD_LIMIT_SET (do; ns-admin)
 *	Request: LIMIT_KIND, LIMIT_ID (user, group), LIMIT_BYTES,
 *	LIMIT_DOMAINS.  Adds or replaces the limit; domains that exist stay
 *	(a usage above a lowered limit only refuses new ones).
 *	Errors: EINVAL (missing or unknown kind, id for the namespace, id
 *	not mapped, missing value), EPERM, ENOMEM.
 * MSHARE_CMD_LIMIT_DEL (do; ns-admin)
 *	Request: LIMIT_KIND, LIMIT_ID (user, group).  Existing domains stay.
 *	Errors: EINVAL (as LIMIT_SET, or a value given), ENOENT (no such
 *	limit), EPERM.
 * MSHARE_CMD_LIMIT_GET (dump; anyone)
 *	Reply, per limit of the caller's IPC namespace: LIMIT_KIND, LIMIT_ID
 *	(not for the namespace), LIMIT_BYTES, LIMIT_DOMAINS,
 *	LIMIT_USED_BYTES, LIMIT_USED_DOMAINS (for a user: what it owns; for
 *	a group: what its grant admitted, all members together; for the
 *	namespace: every domain of it).
 *
 * NUMA (Documentation/numa.rst)
 * -----------------------------
 * DOMAIN_NUMA_POLICY says where new data pages go; DOMAIN_NUMA_NODES is a
 * binary array of __u32 node ids (1 to MSHARE_NUMA_NODES_MAX, distinct,
 * each online with memory):
 *	MSHARE_NUMA_LOCAL	node of the CPU that touches the page first;
 *				no node list.  Home: the creator's node.
 *	MSHARE_NUMA_BIND	exactly one node; only that node (the fault
 *				fails with OOM when it is full).
 *	MSHARE_NUMA_PREFERRED	exactly one node, others when it is full.
 *	MSHARE_NUMA_INTERLEAVE	one or more nodes; page N of the domain goes
 *				to node list[N % count].  Home: list[0].
 *	MSHARE_NUMA_AUTO	at most one node (the first home; default the
 *				creator's node); pages go to the home node,
 *				and the module moves the whole domain to the
 *				node its attachers run on when the expected
 *				saving outweighs the cost of moving.
 * The home node holds the domain's page tables.  DOMAIN_NUMA_NODE (u32)
 * reports it and is never accepted in a request (EINVAL).
 *
 * Multicast group MSHARE_MCGRP_EVENTS ("events"): joining needs
 * CAP_SYS_ADMIN in the user namespace of the socket's network namespace;
 * events are sent in the initial network namespace only, for the domains
 * of every IPC namespace (uid and gid as seen from the initial user
 * namespace).  Each event carries the domain as for DOMAIN_GET:
 *	MSHARE_CMD_DOMAIN_CREATED	after DOMAIN_NEW
 *	MSHARE_CMD_DOMAIN_DESTROYED	after DOMAIN_DEL (the name is gone)
 *	MSHARE_CMD_DOMAIN_FREED	the last holder went: the memory is being
 *				freed (after DESTROYED, or at once when the
 *				IPC namespace died)
 *	MSHARE_CMD_DOMAIN_ATTACHED	a descriptor attached (+ EVENT_PID)
 *	MSHARE_CMD_DOMAIN_DETACHED	an attached descriptor was closed
 *	MSHARE_CMD_DOMAIN_MIGRATE_PROGRESS  a migration moved another 32 MiB
 *				(+ MIGRATE_NODE, MIGRATE_PAGES_TOTAL,
 *				MIGRATE_PAGES_DONE, MIGRATE_PAGES_SKIPPED)
 *	MSHARE_CMD_DOMAIN_MIGRATED	a migration ended (as the reply, plus
 *				MIGRATE_ERROR and EVENT_PID, 0 for auto)
 * An event lost to a full receive buffer shows as ENOBUFS on the socket.
 */
#ifndef _UAPI_LINUX_MSHARE_H
#define _UAPI_LINUX_MSHARE_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define MSHARE_DEVICE_NAME	"mshare"
/*
 * /dev/mshare is character device 10 (misc), minor 248: a fixed number from
 * the misc range reserved for local use (243-254), so that a static node
 * made at boot from modules.devname loads the module when opened.
 */
#define MSHARE_DEVICE_MAJOR	10
#define MSHARE_DEVICE_MINOR	248

/* A domain name: 1-63 characters of [A-Za-z0-9._-], NUL-terminated. */
#define MSHARE_NAME_MAX		64

/* Domain sizes are multiples of this, and at least this. */
#define MSHARE_SIZE_ALIGN	(2ULL << 20)

struct mshare_attach {
	char	name[MSHARE_NAME_MAX];
	__u32	flags;		/* MSHARE_ATTACH_F_* */
	__u32	reserved;	/* must be 0 */
};

/* mshare_attach.flags */
#define MSHARE_ATTACH_F_RDONLY	(1U << 0)	/* read-only: PROT_READ maps */
#define MSHARE_ATTACH_F_ALL	MSHARE_ATTACH_F_RDONLY

struct mshare_info {
	__u64	size;		/* bytes: the length mmap() must use */
	__u32	id;		/* the domain's id (as DOMAIN_ID) */
	__u32	flags;		/* MSHARE_DOMAIN_F_* given at creation */
	char	name[MSHARE_NAME_MAX];
};

struct mshare_discard {
	__u64	offset;		/* bytes into the domain, page-aligned */
	__u64	length;		/* bytes, page-aligned, nonzero */
};

/* ioctl type byte; see Documentation/userspace-api/ioctl/ioctl-number.rst */
#define MSHARE_IOC_MAGIC	0xE6
#define MSHARE_IOC_ATTACH	_IOW(MSHARE_IOC_MAGIC, 1, struct mshare_attach)
#define MSHARE_IOC_INFO		_IOR(MSHARE_IOC_MAGIC, 2, struct mshare_info)
#define MSHARE_IOC_DISCARD	_IOW(MSHARE_IOC_MAGIC, 3, struct mshare_discard)

/* MSHARE_A_DOMAIN_NUMA_POLICY */
enum mshare_numa_policy {
	MSHARE_NUMA_LOCAL,
	MSHARE_NUMA_BIND,
	MSHARE_NUMA_PREFERRED,
	MSHARE_NUMA_INTERLEAVE,
	MSHARE_NUMA_AUTO,

	__MSHARE_NUMA_MAX,
};

#define MSHARE_NUMA_MAX (__MSHARE_NUMA_MAX - 1)

/* The most node ids MSHARE_A_DOMAIN_NUMA_NODES may hold. */
#define MSHARE_NUMA_NODES_MAX	64

/* MSHARE_A_DOMAIN_FLAGS */
#define MSHARE_DOMAIN_F_PREFAULT	(1U << 0)	/* populate at creation */
#define MSHARE_DOMAIN_F_HUGE		(1U << 1)	/* 2 MiB leaves */
#define MSHARE_DOMAIN_F_ALL		(MSHARE_DOMAIN_F_PREFAULT | \
					 MSHARE_DOMAIN_F_HUGE)

#define MSHARE_FAMILY_NAME	"mshare"
#define MSHARE_FAMILY_VERSION	1
#define MSHARE_GENL_NAME	MSHARE_FAMILY_NAME
#define MSHARE_GENL_VERSION	MSHARE_FAMILY_VERSION

#define MSHARE_MCGRP_EVENTS	"events"

enum mshare_cmd {
	MSHARE_CMD_UNSPEC,
	MSHARE_CMD_GET_INFO,
	MSHARE_CMD_DOMAIN_NEW,
	MSHARE_CMD_DOMAIN_DEL,
	MSHARE_CMD_DOMAIN_GET,
	MSHARE_CMD_DOMAIN_SET,
	MSHARE_CMD_DOMAIN_STATS,
	MSHARE_CMD_DOMAIN_DISCARD,
	MSHARE_CMD_DOMAIN_CREATED,	/* notification, group "events" */
	MSHARE_CMD_DOMAIN_DESTROYED,	/* notification, group "events" */
	MSHARE_CMD_DOMAIN_ATTACHED,	/* notification, group "events" */
	MSHARE_CMD_DOMAIN_DETACHED,	/* notification, group "events" */
	MSHARE_CMD_DOMAIN_MIGRATE,
	MSHARE_CMD_DOMAIN_MIGRATE_PROGRESS, /* notification, "events" */
	MSHARE_CMD_DOMAIN_MIGRATED,	/* notification, group "events" */
	MSHARE_CMD_LIMIT_SET,
	MSHARE_CMD_LIMIT_DEL,
	MSHARE_CMD_LIMIT_GET,
	MSHARE_CMD_DOMAIN_FREED,	/* notification, group "events" */
	MSHARE_CMD_DOMAIN_HOLDERS,

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
	MSHARE_A_PAD,			/* alignment of 64-bit attributes */
	MSHARE_A_DOMAIN_NUMA_NODE,	/* u32: home node (replies only) */
	MSHARE_A_DOMAIN_NUMA_POLICY,	/* u32, enum mshare_numa_policy */
	MSHARE_A_DISCARD_OFFSET,	/* u64, bytes */
	MSHARE_A_DISCARD_LENGTH,	/* u64, bytes */
	MSHARE_A_STATS_MAPPINGS,	/* u32: VMAs mapping the domain */
	MSHARE_A_STATS_PROCESSES,	/* u32: distinct mms mapping it */
	MSHARE_A_STATS_FAULTS,		/* u64: faults handled */
	MSHARE_A_STATS_SHOOTDOWNS,	/* u64: TLB IPI rounds */
	MSHARE_A_STATS_SHOOTDOWN_CPUS,	/* u64: CPUs those rounds targeted */
	MSHARE_A_STATS_PAGES_FLUSHED,	/* u64: pages those rounds covered */
	MSHARE_A_STATS_FLUSHES_RANGED,	/* u64: rounds that flushed a range */
	MSHARE_A_STATS_FLUSHES_FULL,	/* u64: rounds that flushed it all */
	MSHARE_A_EVENT_PID,		/* u32: process that caused the event */
	MSHARE_A_DOMAIN_NUMA_NODES,	/* binary: __u32 node ids */
	MSHARE_A_MIGRATE_NODE,		/* u32: target node */
	MSHARE_A_MIGRATE_OFFSET,	/* u64, bytes */
	MSHARE_A_MIGRATE_LENGTH,	/* u64, bytes */
	MSHARE_A_MIGRATE_PAGES_TOTAL,	/* u64: present pages in the range */
	MSHARE_A_MIGRATE_PAGES_DONE,	/* u64: pages moved so far */
	MSHARE_A_MIGRATE_PAGES_SKIPPED,	/* u64: pinned pages left in place */
	MSHARE_A_MIGRATE_ERROR,		/* u32: 0 or a positive errno */
	MSHARE_A_STATS_NODES,		/* indexed array of nests, see below */
	MSHARE_A_STATS_MIGRATIONS,	/* u64: migrations run (user + auto) */
	MSHARE_A_STATS_PAGES_MIGRATED,	/* u64: pages they moved */
	MSHARE_A_STATS_MIGRATE_SKIPPED,	/* u64: pinned pages they skipped */
	MSHARE_A_STATS_MIGRATE_NS,	/* u64: time they took, ns */
	MSHARE_A_LIMIT_KIND,		/* u32, enum mshare_limit_kind */
	MSHARE_A_LIMIT_ID,		/* u32: uid or gid (user, group) */
	MSHARE_A_LIMIT_BYTES,		/* u64: most bytes of domains */
	MSHARE_A_LIMIT_DOMAINS,		/* u32: most domains */
	MSHARE_A_LIMIT_USED_BYTES,	/* u64: bytes charged (replies) */
	MSHARE_A_LIMIT_USED_DOMAINS,	/* u32: domains charged (replies) */
	MSHARE_A_DOMAIN_DELETED,	/* flag: its name was deleted */
	MSHARE_A_DOMAIN_CREATOR_PID,	/* u32: creator tgid in the reader's pid ns (0: not there; events: the initial pid ns) */
	MSHARE_A_DOMAIN_CTIME,		/* u64: creation, seconds since 1970 */
	MSHARE_A_DOMAIN_HOLDERS,	/* indexed array of nests, see below */
	MSHARE_A_INFO_ORPHAN_PAGES,	/* u64: pinned pages out of a domain */

	__MSHARE_A_MAX,
};

#define MSHARE_A_MAX (__MSHARE_A_MAX - 1)

/*
 * MSHARE_A_STATS_NODES holds one nest per node (its type is the entry's
 * index, 1, 2...; ignore it), each holding these:
 */
enum mshare_node_attr {
	MSHARE_A_NODE_UNSPEC,
	MSHARE_A_NODE_ID,		/* u32 */
	MSHARE_A_NODE_PAGES,		/* u64: data pages on the node */
	MSHARE_A_NODE_TABLE_PAGES,	/* u64: table pages on the node */
	MSHARE_A_NODE_PAD,

	__MSHARE_A_NODE_MAX,
};

#define MSHARE_A_NODE_MAX (__MSHARE_A_NODE_MAX - 1)

/*
 * MSHARE_A_DOMAIN_HOLDERS holds one nest per process that maps the domain
 * (as MSHARE_A_STATS_NODES: the entry's type is its index), each holding:
 */
enum mshare_holder_attr {
	MSHARE_A_HOLDER_UNSPEC,
	MSHARE_A_HOLDER_PID,		/* u32: a thread group using the mm */
	MSHARE_A_HOLDER_COMM,		/* string: its command name */
	MSHARE_A_HOLDER_MAPPINGS,	/* u32: its VMAs mapping the domain */
	MSHARE_A_HOLDER_LINKED,		/* u64: bytes its links cover */
	MSHARE_A_HOLDER_PAD,

	__MSHARE_A_HOLDER_MAX,
};

#define MSHARE_A_HOLDER_MAX (__MSHARE_A_HOLDER_MAX - 1)

/* MSHARE_A_LIMIT_KIND */
enum mshare_limit_kind {
	MSHARE_LIMIT_UNSPEC,
	MSHARE_LIMIT_USER,		/* LIMIT_ID is a uid */
	MSHARE_LIMIT_GROUP,		/* LIMIT_ID is a gid: each member */
	MSHARE_LIMIT_NAMESPACE,		/* the IPC namespace's total */

	__MSHARE_LIMIT_MAX,
};

#define MSHARE_LIMIT_MAX (__MSHARE_LIMIT_MAX - 1)

#endif /* _UAPI_LINUX_MSHARE_H */
