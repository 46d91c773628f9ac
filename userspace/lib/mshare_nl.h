/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmshare, netlink part: a thin layer over libnl-genl-3 for the "mshare"
 * generic netlink family.  It runs one request and hands back the kernel's
 * own errno and extack message, which libnl's helpers do not keep.
 */
#ifndef MSHARE_NL_H
#define MSHARE_NL_H

#include <linux/mshare.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>

struct mshare_nl {
	struct nl_sock *sk;
	int family;
	char extack[256];	/* message of the last failed request */
};

/* Called for each reply message with its attributes parsed. */
typedef int (*mshare_nl_parse_fn)(struct nlattr **tb, void *arg);

/* Connect and resolve the family: 0 or -errno (-ENOENT: module not loaded). */
int mshare_nl_open(struct mshare_nl *nl);
void mshare_nl_close(struct mshare_nl *nl);

/* A request for @cmd (NLM_F_REQUEST | NLM_F_ACK | @flags), or NULL. */
struct nl_msg *mshare_nl_msg(struct mshare_nl *nl, int cmd, int flags);

/*
 * Send @msg (consumed) and read all replies, calling @parse for each.
 * Returns the number of reply messages, or -errno as the kernel said it.
 */
int mshare_nl_run(struct mshare_nl *nl, struct nl_msg *msg,
		  mshare_nl_parse_fn parse, void *arg);

#endif /* MSHARE_NL_H */
