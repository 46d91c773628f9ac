// SPDX-License-Identifier: LGPL-2.1-or-later
/* libmshare, the management handle and its requests: see mshare_nl.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>

#include "mshare_internal.h"

struct run_ctx {
	struct mshare_nl *nl;
	mshare_nl_parse_fn parse;
	void *arg;
	int error;
	int replies;
	int done;	/* the ACK, error or end of dump arrived */
};

int mshare_connect(struct nl_sock **skp, int *family)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1;

	if (!sk)
		return -ENOMEM;
	if (genl_connect(sk)) {
		nl_socket_free(sk);
		return -EIO;
	}
	/* libnl 3.7 has no setter for extended acks. */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	*family = genl_ctrl_resolve(sk, MSHARE_GENL_NAME);
	if (*family < 0) {
		nl_socket_free(sk);
		return -ENOENT;
	}
	*skp = sk;
	return 0;
}

struct mshare_nl *mshare_nl_open(void)
{
	struct mshare_nl *nl = calloc(1, sizeof(*nl));
	int err;

	if (!nl)
		return NULL;
	err = mshare_connect(&nl->sk, &nl->family);
	if (err) {
		free(nl);
		errno = -err;
		return NULL;
	}
	return nl;
}

void mshare_nl_close(struct mshare_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

const char *mshare_nl_extack(const struct mshare_nl *nl)
{
	return nl ? nl->extack : "";
}

int mshare_nl_family(const struct mshare_nl *nl)
{
	return nl ? nl->family : -EINVAL;
}

struct nl_sock *mshare_nl_sock(struct mshare_nl *nl)
{
	if (!nl)
		errno = EINVAL;
	return nl ? nl->sk : NULL;
}

struct nl_msg *mshare_nl_msg(struct mshare_nl *nl, int cmd, int flags)
{
	struct nl_msg *msg;

	if (!nl) {
		errno = EINVAL;
		return NULL;
	}
	msg = nlmsg_alloc();
	if (!msg) {
		errno = ENOMEM;
		return NULL;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 NLM_F_REQUEST | NLM_F_ACK | flags, cmd,
			 MSHARE_GENL_VERSION)) {
		nlmsg_free(msg);
		errno = ENOMEM;
		return NULL;
	}
	return msg;
}

static void extack_msg(struct run_ctx *c, char *attrs, int len);

static int err_cb(struct sockaddr_nl *who, struct nlmsgerr *err, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	struct run_ctx *c = arg;
	char *attrs = (char *)(err + 1);
	int len = nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(*err);

	(void)who;
	c->error = err->error;
	c->done = 1;
	/* Without NLM_F_CAPPED the request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		attrs += err->msg.nlmsg_len - NLMSG_HDRLEN;
		len -= err->msg.nlmsg_len - NLMSG_HDRLEN;
	}
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		extack_msg(c, attrs, len);
	return NL_STOP;
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MSHARE_A_MAX + 1];
	struct run_ctx *c = arg;

	c->replies++;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, MSHARE_A_MAX, NULL))
		return NL_SKIP;
	if (c->parse && c->parse(tb, c->arg))
		return NL_SKIP;
	return NL_OK;
}

/*
 * The extack message among the TLVs at @attrs (@len bytes) of an error or
 * of the end of a dump, into nl->extack.
 */
static void extack_msg(struct run_ctx *c, char *attrs, int len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	if (len > 0 &&
	    !nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)attrs, len,
		       NULL) && tb[NLMSGERR_ATTR_MSG])
		snprintf(c->nl->extack, sizeof(c->nl->extack), "%s",
			 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
}

/*
 * The ACK, or the end of a dump (NLMSG_DONE), which carries the error a
 * dump ended with (e.g. the domain of a per-domain dump was not found)
 * and its extack message.
 */
static int stop_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct run_ctx *c = arg;
	int err;

	c->done = 1;
	if (nlh->nlmsg_type != NLMSG_DONE ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(err))
		return NL_STOP;
	memcpy(&err, nlmsg_data(nlh), sizeof(err));
	if (err < 0) {
		c->error = err;
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
			extack_msg(c, (char *)nlmsg_data(nlh) + NLA_ALIGN(sizeof(err)),
				   nlh->nlmsg_len - NLMSG_HDRLEN -
				   NLA_ALIGN(sizeof(err)));
	}
	return NL_STOP;
}

int mshare_nl_run(struct mshare_nl *nl, struct nl_msg *msg,
		  mshare_nl_parse_fn parse, void *arg)
{
	struct run_ctx c = { .nl = nl, .parse = parse, .arg = arg };
	struct nl_cb *cb;
	int err;

	if (!nl) {
		nlmsg_free(msg);
		return -EINVAL;
	}
	nl->extack[0] = 0;
	if (!msg)
		return -ENOMEM;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, err_cb, &c);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, &c);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, stop_cb, &c);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, stop_cb, &c);
	err = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	/*
	 * nl_recvmsgs() returns after a single (non-multipart) reply: keep
	 * reading until the ACK, the error or the end of the dump, so that
	 * nothing of this request is left for the next one.
	 */
	while (err >= 0 && !c.done)
		err = nl_recvmsgs(nl->sk, cb);
	nl_cb_put(cb);
	if (c.error)
		return c.error;
	if (err < 0)
		return -EIO;
	return c.replies;
}

/* ---- growable structs (mshare_nl.h, "Conventions") ---- */

int mshare_size_ok(const void *p, size_t min)
{
	uint32_t size;

	memcpy(&size, p, sizeof(size));
	return size < min ? -EINVAL : 0;
}

void mshare_copy_out(void *out, const void *full, size_t full_size)
{
	uint32_t size;

	memcpy(&size, out, sizeof(size));
	if (size > full_size)
		size = full_size;
	memcpy((char *)out + sizeof(size), (const char *)full + sizeof(size),
	       size - sizeof(size));
	memcpy(out, &size, sizeof(size));
}

int mshare_copy_in(void *dst, size_t dst_size, const void *in, size_t min)
{
	const char *p = in;
	uint32_t size, i;

	memcpy(&size, in, sizeof(size));
	if (size < min)
		return -EINVAL;
	for (i = dst_size; i < size; i++)
		if (p[i])
			return -EOPNOTSUPP;
	if (size > dst_size)
		size = dst_size;
	memcpy((char *)dst + sizeof(size), p + sizeof(size),
	       size - sizeof(size));
	memcpy(dst, &size, sizeof(size));
	return 0;
}
