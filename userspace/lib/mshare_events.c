// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libmshare, events: a socket of its own in the family's "events"
 * multicast group, read without blocking into struct mshare_event.  See
 * mshare_nl.h and mshare_events_open(3).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netlink/genl/ctrl.h>

#include "mshare_internal.h"

/* Big enough for any event: they are a few hundred bytes. */
#define EVENTS_BUF	65536

struct mshare_events {
	struct nl_sock *sk;
	int family;
	int fd;
	long long seen_drops;	/* the socket's drop counter, or -1 */
	char buf[EVENTS_BUF];
};

/* The messages the kernel dropped on @fd (sk_drops), or -1 if unknown. */
static long long socket_drops(int fd)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) ||
	    len <= SK_MEMINFO_DROPS * sizeof(mem[0]))
		return -1;
	return mem[SK_MEMINFO_DROPS];
}

struct mshare_events *mshare_events_open(size_t rcvbuf)
{
	struct mshare_events *ev = calloc(1, sizeof(*ev));
	int err, grp, flags;

	if (!ev)
		return NULL;
	err = mshare_connect(&ev->sk, &ev->family);
	if (err)
		goto fail_free;
	ev->fd = nl_socket_get_fd(ev->sk);
	grp = genl_ctrl_resolve_grp(ev->sk, MSHARE_GENL_NAME,
				    MSHARE_MCGRP_EVENTS);
	if (grp < 0) {
		err = -ENOENT;
		goto fail;
	}
	if (rcvbuf) {
		int v = rcvbuf > INT32_MAX / 2 ? INT32_MAX / 2 : (int)rcvbuf;

		/* Forced if allowed (CAP_NET_ADMIN), else capped by rmem_max. */
		if (setsockopt(ev->fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)))
			setsockopt(ev->fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	}
	/* Directly, not through libnl, which turns errno into its own codes. */
	if (setsockopt(ev->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		       sizeof(grp))) {
		err = -errno;
		goto fail;
	}
	flags = fcntl(ev->fd, F_GETFL);
	if (flags < 0 || fcntl(ev->fd, F_SETFL, flags | O_NONBLOCK)) {
		err = -errno;
		goto fail;
	}
	ev->seen_drops = socket_drops(ev->fd);
	return ev;
fail:
	nl_socket_free(ev->sk);
fail_free:
	free(ev);
	errno = -err;
	return NULL;
}

void mshare_events_close(struct mshare_events *ev)
{
	if (!ev)
		return;
	nl_socket_free(ev->sk);
	free(ev);
}

int mshare_events_fd(const struct mshare_events *ev)
{
	return ev ? ev->fd : -EINVAL;
}

/* Report events lost since the last report (@overrun: ENOBUFS was seen). */
static int report_lost(struct mshare_events *ev, int overrun,
		       void (*fn)(const struct mshare_event *, void *),
		       void *arg)
{
	long long drops = socket_drops(ev->fd);
	struct mshare_event e = { .size = sizeof(e), .cmd = MSHARE_EVENT_LOST };

	if (drops >= 0 && ev->seen_drops >= 0 && drops > ev->seen_drops)
		e.lost = drops - ev->seen_drops;
	else if (overrun)
		e.lost = -1;
	else
		return 0;
	ev->seen_drops = drops;
	if (fn)
		fn(&e, arg);
	return 1;
}

/* Dispatch the event in @nlh: 1 if it was one, else 0. */
static int dispatch(struct mshare_events *ev, struct nlmsghdr *nlh,
		    void (*fn)(const struct mshare_event *, void *), void *arg)
{
	struct nlattr *tb[MSHARE_A_MAX + 1];
	struct mshare_migrate_result m;
	struct mshare_domain_info d;
	struct mshare_event e = { .size = sizeof(e) };

	if (nlh->nlmsg_type != ev->family ||
	    genlmsg_parse(nlh, 0, tb, MSHARE_A_MAX, NULL))
		return 0;
	e.cmd = ((struct genlmsghdr *)nlmsg_data(nlh))->cmd;
	mshare_fill_domain(tb, &d);
	e.domain = &d;
	e.nlh = nlh;
	if (tb[MSHARE_A_EVENT_PID])
		e.pid = nla_get_u32(tb[MSHARE_A_EVENT_PID]);
	if (tb[MSHARE_A_MIGRATE_ERROR])
		e.migrate_error = nla_get_u32(tb[MSHARE_A_MIGRATE_ERROR]);
	if (e.cmd == MSHARE_CMD_DOMAIN_MIGRATE_PROGRESS ||
	    e.cmd == MSHARE_CMD_DOMAIN_MIGRATED) {
		mshare_fill_migrate(tb, &m);
		e.migrate = &m;
	}
	if (fn)
		fn(&e, arg);
	return 1;
}

int mshare_events_read(struct mshare_events *ev,
		       void (*fn)(const struct mshare_event *, void *),
		       void *arg)
{
	int calls = 0;

	if (!ev || !fn)
		return -EINVAL;
	for (;;) {
		ssize_t n = recv(ev->fd, ev->buf, sizeof(ev->buf), MSG_DONTWAIT);
		struct nlmsghdr *nlh;
		int len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				calls += report_lost(ev, 1, fn, arg);
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		len = n;
		for (nlh = (struct nlmsghdr *)ev->buf; nlmsg_ok(nlh, len);
		     nlh = nlmsg_next(nlh, &len))
			calls += dispatch(ev, nlh, fn, arg);
	}
	return calls + report_lost(ev, 0, fn, arg);
}
