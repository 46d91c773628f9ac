// SPDX-License-Identifier: GPL-2.0
/*
 * Who may create, manage and attach domains.  The model is written down in
 * Documentation/permissions.rst; in short:
 *
 * - Creating needs CAP_SYS_ADMIN in the initial user namespace, or a grant
 *   of the caller's IPC namespace that covers it, within its limits
 *   (quota.c; grants are made by that namespace's ns-admin).
 * - Deleting, discarding and changing the mode need CAP_SYS_ADMIN in the
 *   user namespace that owns the domain's IPC namespace, or being the
 *   domain's owner (effective uid), as IPC_RMID and IPC_SET do for SysV
 *   IPC.  Changing the owner or the group needs that capability.
 * - Attaching is checked like SysV IPC (ipcperms()): the owner, group and
 *   other bits of the domain's mode, with CAP_IPC_OWNER in that user
 *   namespace overriding them.  A read-write attachment needs both bits,
 *   a read-only one (MSHARE_ATTACH_F_RDONLY) the read bit.
 *
 * Capabilities of a netlink request are checked by netlink_ns_capable():
 * the sender must hold them, and the opener of the socket too when the
 * request was written without a destination address (libnl always sends
 * to one, so for it only the sender counts).  The owner test is stricter:
 * the sender's and the opener's effective uids must both be the owner's.
 *
 * Locking: the owner and mode are read under mshare_registry_lock through
 * mshare_domain_owner().
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <net/sock.h>

#include "internal.h"

/* Whether the sender may create without a grant: 0 or -EPERM. */
int mshare_may_create(const struct sk_buff *skb)
{
	return netlink_capable(skb, CAP_SYS_ADMIN) ? 0 : -EPERM;
}

static bool mshare_nl_sender_is(const struct sk_buff *skb, kuid_t uid)
{
	struct sock *sk = NETLINK_CB(skb).sk;
	const struct file *file = sk && sk->sk_socket ? sk->sk_socket->file :
							NULL;

	return uid_eq(current_euid(), uid) && file &&
	       uid_eq(file->f_cred->euid, uid);
}

/*
 * May the sender of @skb manage @dom: CAP_SYS_ADMIN over its namespace, or
 * (if @owner_may) being its owner.  0 or -EPERM.
 */
int mshare_may_manage(const struct sk_buff *skb, struct mshare_domain *dom,
		      bool owner_may)
{
	umode_t mode;
	kuid_t uid;
	kgid_t gid;

	if (netlink_ns_capable(skb, dom->user_ns, CAP_SYS_ADMIN))
		return 0;
	if (!owner_may)
		return -EPERM;
	mshare_domain_owner(dom, &mode, &uid, &gid);
	return mshare_nl_sender_is(skb, uid) ? 0 : -EPERM;
}

int mshare_may_attach(struct mshare_domain *dom, bool rdonly)
{
	const umode_t want = rdonly ? 04 : 06;	/* read (+ write) */
	umode_t granted, mode;
	kuid_t uid;
	kgid_t gid;

	mshare_domain_owner(dom, &mode, &uid, &gid);
	if (uid_eq(current_euid(), uid))
		granted = mode >> 6;
	else if (in_group_p(gid))
		granted = mode >> 3;
	else
		granted = mode;

	if ((granted & want) == want || ns_capable(dom->user_ns, CAP_IPC_OWNER))
		return 0;
	return -EACCES;
}
