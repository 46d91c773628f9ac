// SPDX-License-Identifier: GPL-2.0
/*
 * Who may administer domains and who may attach them.
 *
 * Creating and destroying a domain changes memory the whole system shares,
 * so it needs CAP_SYS_ADMIN, checked with netlink_capable(): both the
 * opener of the netlink socket and the sender must hold it.  Attaching is
 * checked like SysV IPC (ipcperms()): the owner, group and other bits of
 * the domain's mode, with CAP_IPC_OWNER overriding them.  An attachment is
 * always read-write, so both bits are needed.
 *
 * Locking: the owner and mode are read under mshare_registry_lock by the
 * caller's lookup; they do not change in this version.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/netlink.h>

#include "internal.h"

bool mshare_may_admin(const struct sk_buff *skb)
{
	return netlink_capable(skb, CAP_SYS_ADMIN);
}

int mshare_may_attach(struct mshare_domain *dom)
{
	const umode_t want = 06;	/* read + write */
	kuid_t euid = current_euid();
	umode_t granted;

	if (uid_eq(euid, dom->uid))
		granted = dom->mode >> 6;
	else if (in_group_p(dom->gid))
		granted = dom->mode >> 3;
	else
		granted = dom->mode;

	if ((granted & want) == want || capable(CAP_IPC_OWNER))
		return 0;
	return -EACCES;
}
