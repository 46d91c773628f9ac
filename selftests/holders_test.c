// SPDX-License-Identifier: GPL-2.0
/*
 * Who holds a domain, and reaching a domain by its id: DOMAIN_HOLDERS
 * lists each process that maps a domain (pid, command, mappings, bytes its
 * links cover), for a named domain and for one whose name was deleted
 * while processes still map it; every per-domain command (get, stats,
 * set, discard, migrate, del, holders) takes DOMAIN_ID instead of the
 * name, and reaches a deleted domain that way too (deleting it again is
 * ENOENT); dumps list deleted domains, flagged DOMAIN_DELETED; the
 * DOMAIN_FREED event comes when the last holder of a deleted domain goes,
 * and not before; DOMAIN_CREATOR_PID is the creator's pid as the caller
 * sees it (as ipcs -p shows a segment's cpid) and DOMAIN_CTIME when it
 * was created.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <netlink/genl/ctrl.h>

#include "mshare.h"
#include "mshare_util.h"
#include "kselftest_harness.h"

#define DSIZE	(1 * GiB + 2 * MiB)	/* a PUD-linked GiB and a PMD-linked tail */

/* ---- holders: processes that attach on command ---- */

enum {
	H_ATTACH = 'a',		/* attach once more (a new mapping) */
	H_TOUCH_FIRST = 'f',	/* touch page 0 of the first mapping */
	H_TOUCH_TAIL = 't',	/* touch the last page of the first mapping */
	H_QUIT = 'q',
};

struct holder {
	pid_t pid;
	int cmd, reply;
};

static void holder_main(const char *name, const char *comm, int cmd,
			int reply)
{
	char *maps[4];
	int n = 0;
	size_t size = 0;
	char c, r;

	prctl(PR_SET_NAME, comm);
	while (read(cmd, &c, 1) == 1) {
		r = 0;
		switch (c) {
		case H_ATTACH: {
			void *p;

			if (n < 4 && !attach_dom(name, 0, &p, &size))
				maps[n++] = p;
			else
				r = 1;
			break;
		}
		case H_TOUCH_FIRST:
			maps[0][0] = 1;
			break;
		case H_TOUCH_TAIL:
			maps[0][size - 1] = 1;
			break;
		case H_QUIT:
			_exit(0);
		}
		if (write(reply, &r, 1) != 1)
			_exit(3);
	}
	_exit(0);
}

static int holder_start(struct holder *h, const char *name, const char *comm)
{
	int c[2], r[2];

	if (pipe2(c, O_CLOEXEC) || pipe2(r, O_CLOEXEC))
		return -1;
	h->pid = flush_fork();
	if (h->pid < 0)
		return -1;
	if (h->pid == 0) {
		close(c[1]);
		close(r[0]);
		holder_main(name, comm, c[0], r[1]);
	}
	close(c[0]);
	close(r[1]);
	h->cmd = c[1];
	h->reply = r[0];
	return 0;
}

/* 0 once the holder did @c, else -1. */
static int holder_do(struct holder *h, char c)
{
	char r;

	if (write(h->cmd, &c, 1) != 1 || read(h->reply, &r, 1) != 1)
		return -1;
	return r ? -1 : 0;
}

static int holder_stop(struct holder *h)
{
	char c = H_QUIT;
	int ret;

	if (h->pid <= 0)
		return -1;
	if (write(h->cmd, &c, 1) != 1)
		kill(h->pid, SIGKILL);
	close(h->cmd);
	close(h->reply);
	ret = wait_exit_code(h->pid);
	h->pid = 0;
	return ret;
}

struct holders {
	struct mshare_holder_info h[8];
	int n;
};

static void holders_cb(const struct mshare_holder_info *h, void *arg)
{
	struct holders *hs = arg;

	if (hs->n < 8)
		hs->h[hs->n++] = *h;
}

/* DOMAIN_HOLDERS of @key into @hs: their number, or -errno. */
static int get_holders(struct mshare_nl *nl, const char *key,
		       struct holders *hs)
{
	hs->n = 0;
	return mshare_domain_holders(nl, key, holders_cb, hs);
}

static const struct mshare_holder_info *find_holder(const struct holders *hs,
						    pid_t pid)
{
	int i;

	for (i = 0; i < hs->n; i++)
		if (hs->h[i].pid == (uint32_t)pid)
			return &hs->h[i];
	return NULL;
}

/* Is a domain of id @id in the dump?  1 deleted, 0 named, -1 absent. */
struct find_id {
	uint32_t id;
	int state;
};

static void find_id_cb(const struct mshare_domain_info *d, void *arg)
{
	struct find_id *f = arg;

	if (d->id == f->id)
		f->state = d->deleted ? 1 : 0;
}

static int dump_state(struct mshare_nl *nl, uint32_t id)
{
	struct find_id f = { .id = id, .state = -1 };

	if (mshare_domain_dump(nl, find_id_cb, &f) < 0)
		return -2;
	return f.state;
}

FIXTURE(hold) {
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	char key[16];			/* "#ID" */
	struct mshare_domain_info d;
	struct holder h1, h2;
};

FIXTURE_SETUP(hold)
{
	signal(SIGPIPE, SIG_IGN);
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "hold-%d", (int)getpid());
	self->d.size = sizeof(self->d);
	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE, 0, &self->d));
	mshare_id_key(self->d.id, self->key);
}

FIXTURE_TEARDOWN(hold)
{
	if (self->h1.pid > 0)
		holder_stop(&self->h1);
	if (self->h2.pid > 0)
		holder_stop(&self->h2);
	mshare_domain_destroy(self->nl, self->name);
	mshare_nl_close(self->nl);
}

/*
 * Two processes: one with two mappings, having touched only the first
 * page of the first (one PUD link: 1 GiB), the other with one mapping
 * touched at both ends (the GiB and the 2 MiB tail).  HOLDERS lists each
 * once, by name and by id alike; a process that only attached and
 * unmapped is not listed.
 */
TEST_F(hold, lists_each_process_that_maps_the_domain)
{
	const struct mshare_holder_info *a, *b;
	struct holders hs;
	int i;

	EXPECT_EQ(0, get_holders(self->nl, self->name, &hs));
	ASSERT_EQ(0, holder_start(&self->h1, self->name, "holder-one"));
	ASSERT_EQ(0, holder_start(&self->h2, self->name, "holder-two"));
	ASSERT_EQ(0, holder_do(&self->h1, H_ATTACH));
	ASSERT_EQ(0, holder_do(&self->h1, H_ATTACH));
	ASSERT_EQ(0, holder_do(&self->h1, H_TOUCH_FIRST));
	ASSERT_EQ(0, holder_do(&self->h2, H_ATTACH));
	ASSERT_EQ(0, holder_do(&self->h2, H_TOUCH_FIRST));
	ASSERT_EQ(0, holder_do(&self->h2, H_TOUCH_TAIL));

	for (i = 0; i < 2; i++) {
		const char *key = i ? self->key : self->name;

		ASSERT_EQ(2, get_holders(self->nl, key, &hs)) TH_LOG("%s", key);
		a = find_holder(&hs, self->h1.pid);
		b = find_holder(&hs, self->h2.pid);
		ASSERT_NE(NULL, a);
		ASSERT_NE(NULL, b);
		EXPECT_STREQ("holder-one", a->comm);
		EXPECT_EQ(2, a->mappings);
		EXPECT_EQ(1 * GiB, a->linked);
		EXPECT_STREQ("holder-two", b->comm);
		EXPECT_EQ(1, b->mappings);
		EXPECT_EQ(DSIZE, b->linked);
	}

	/* the first goes: one holder left */
	EXPECT_EQ(0, holder_stop(&self->h1));
	ASSERT_EQ(1, get_holders(self->nl, self->name, &hs));
	EXPECT_EQ((uint32_t)self->h2.pid, hs.h[0].pid);
	EXPECT_EQ(0, holder_stop(&self->h2));
	EXPECT_EQ(0, get_holders(self->nl, self->name, &hs));
}

/*
 * Deleted while held: the name is gone (by name: ENOENT everywhere), the
 * domain is still listed, flagged deleted, and every per-domain command
 * reaches it by its id; deleting it again is ENOENT.  When its holder
 * goes, the id is gone too.
 */
TEST_F(hold, deleted_domain_is_reached_by_its_id)
{
	struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_INIT;
	struct mshare_migrate_result mr = MSHARE_INIT(mr);
	struct mshare_domain_stats st = MSHARE_INIT(st);
	struct mshare_domain_info d = MSHARE_INIT(d);
	struct holders hs;

	ASSERT_EQ(0, holder_start(&self->h1, self->name, "holder-del"));
	ASSERT_EQ(0, holder_do(&self->h1, H_ATTACH));
	ASSERT_EQ(0, holder_do(&self->h1, H_TOUCH_TAIL));
	EXPECT_EQ(0, dump_state(self->nl, self->d.id));

	ASSERT_EQ(0, mshare_domain_destroy(self->nl, self->name));
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(-ENOENT, get_holders(self->nl, self->name, &hs));
	EXPECT_EQ(-ENOENT, mshare_domain_destroy(self->nl, self->name));
	EXPECT_EQ(1, dump_state(self->nl, self->d.id));

	ASSERT_EQ(0, mshare_domain_get(self->nl, self->key, &d));
	EXPECT_TRUE(d.deleted);
	EXPECT_EQ(self->d.id, d.id);
	EXPECT_STREQ(self->name, d.name);
	EXPECT_EQ(1, d.resident);
	ASSERT_EQ(1, get_holders(self->nl, self->key, &hs));
	EXPECT_EQ((uint32_t)self->h1.pid, hs.h[0].pid);
	EXPECT_STREQ("holder-del", hs.h[0].comm);
	EXPECT_EQ(1, hs.h[0].mappings);
	/* the deletion unlinked every attacher; a touch links again */
	EXPECT_EQ(0, hs.h[0].linked);
	ASSERT_EQ(0, holder_do(&self->h1, H_TOUCH_TAIL));
	ASSERT_EQ(1, get_holders(self->nl, self->key, &hs));
	EXPECT_EQ(2 * MiB, hs.h[0].linked);
	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->key, &st));
	EXPECT_EQ(1, st.processes);
	o.mode = 0640;
	ASSERT_EQ(0, mshare_domain_set(self->nl, self->key, &o, &d));
	EXPECT_EQ(0640, d.mode);
	EXPECT_TRUE(d.deleted);
	EXPECT_EQ(0, mshare_domain_migrate(self->nl, self->key, 0, 0, 0, &mr));
	EXPECT_EQ(1, mr.total);
	EXPECT_EQ(0, mshare_domain_discard(self->nl, self->key, DSIZE - 2 * MiB,
					   2 * MiB));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->key, &d));
	EXPECT_EQ(0, d.resident);
	/* deleted already */
	EXPECT_EQ(-ENOENT, mshare_domain_destroy(self->nl, self->key));
	TH_LOG("del of a deleted domain: %s", mshare_nl_extack(self->nl));
	EXPECT_NE(0, mshare_nl_extack(self->nl)[0]);

	EXPECT_EQ(0, holder_stop(&self->h1));
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, self->key, &d));
	EXPECT_EQ(-ENOENT, get_holders(self->nl, self->key, &hs));
	EXPECT_EQ(-1, dump_state(self->nl, self->d.id));
}

/* Every per-domain command by id, on a named domain; del by id deletes. */
TEST_F(hold, every_command_takes_the_id_of_a_named_domain)
{
	struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_INIT;
	struct mshare_migrate_result mr = MSHARE_INIT(mr);
	struct mshare_domain_stats st = MSHARE_INIT(st);
	struct mshare_domain_info d = MSHARE_INIT(d);
	struct holders hs;
	size_t size;
	char *p;

	ASSERT_EQ(0, attach_dom(self->name, 0, (void **)&p, &size));
	p[0] = 1;
	p[PAGE] = 1;
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->key, &d));
	EXPECT_STREQ(self->name, d.name);
	EXPECT_FALSE(d.deleted);
	EXPECT_EQ(2, d.resident);
	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->key, &st));
	EXPECT_EQ(1, st.mappings);
	EXPECT_EQ(1, get_holders(self->nl, self->key, &hs));
	EXPECT_EQ((uint32_t)getpid(), hs.h[0].pid);
	o.mode = 0604;
	ASSERT_EQ(0, mshare_domain_set(self->nl, self->key, &o, NULL));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(0604, d.mode);
	ASSERT_EQ(0, mshare_domain_discard(self->nl, self->key, PAGE, PAGE));
	EXPECT_EQ(0, p[PAGE]);
	EXPECT_EQ(1, p[0]);
	ASSERT_EQ(0, mshare_domain_migrate(self->nl, self->key, 0, 0, PAGE,
					   &mr));
	EXPECT_EQ(1, mr.total);
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, self->key));
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(1, p[0]);
	mshare_detach(p, size);
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, self->key, &d));
}

/* The id belongs to the namespace: another IPC namespace cannot reach it. */
TEST_F(hold, id_of_another_ipc_namespace_is_enoent)
{
	pid_t pid = flush_fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct mshare_domain_info d = MSHARE_INIT(d);
		struct mshare_nl *nl;

		if (unshare(CLONE_NEWIPC) || nl_open(&nl))
			_exit(2);
		_exit(mshare_domain_get(nl, self->key, &d) == -ENOENT ? 0 : 1);
	}
	EXPECT_EQ(0, wait_exit_code(pid));
}

/* ---- creator pid, creation time ---- */

/*
 * DOMAIN_CTIME is the creation time; DOMAIN_CREATOR_PID the creator's
 * pid, here ours.
 */
TEST(creator_pid_and_ctime)
{
	struct mshare_domain_info d = MSHARE_INIT(d), g = MSHARE_INIT(g);
	char name[MSHARE_NAME_MAX];
	struct mshare_nl *nl;
	time_t t0, t1;

	ASSERT_EQ(0, nl_open(&nl));
	snprintf(name, sizeof(name), "hold-ctime-%d", (int)getpid());
	t0 = time(NULL);
	ASSERT_EQ(0, create_domain(nl, name, 2 * MiB, 0, &d));
	t1 = time(NULL);
	EXPECT_EQ((uint32_t)getpid(), d.creator_pid);
	EXPECT_LE((uint64_t)t0, d.ctime);
	EXPECT_GE((uint64_t)t1, d.ctime);
	ASSERT_EQ(0, mshare_domain_get(nl, name, &g));
	EXPECT_EQ(d.creator_pid, g.creator_pid);
	EXPECT_EQ(d.ctime, g.ctime);
	EXPECT_EQ(0, mshare_domain_destroy(nl, name));
	mshare_nl_close(nl);
}

/*
 * As ipcs -p shows a segment's cpid in the reader's pid namespace: a
 * process that is pid 1 of a new pid namespace creates a domain and reads
 * DOMAIN_CREATOR_PID 1; we, outside, read its pid as we see it.
 */
TEST(creator_pid_as_the_caller_sees_it)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char name[MSHARE_NAME_MAX];
	struct mshare_nl *nl;
	int status, rep[2];
	uint32_t inner = 0;
	pid_t pid;

	ASSERT_EQ(0, nl_open(&nl));
	snprintf(name, sizeof(name), "hold-pidns-%d", (int)getpid());
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, unshare(CLONE_NEWPID));	/* for our next child */
	pid = flush_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct mshare_domain_info cd = MSHARE_INIT(cd);
		struct mshare_nl *cnl;

		if (getpid() != 1 || nl_open(&cnl) ||
		    create_domain(cnl, name, 2 * MiB, 0, &cd))
			_exit(2);
		if (write(rep[1], &cd.creator_pid, 4) != 4)
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(4, read(rep[0], &inner, 4));
	EXPECT_EQ(1, inner);
	ASSERT_EQ(0, mshare_domain_get(nl, name, &d));
	EXPECT_EQ((uint32_t)pid, d.creator_pid);
	EXPECT_EQ(0, mshare_domain_destroy(nl, name));
	mshare_nl_close(nl);
}

/* ---- the freed event ---- */

struct events {
	struct nl_sock *sk;
	uint32_t id;
	int destroyed, freed, detached;
};

static int events_cb(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[MSHARE_A_MAX + 1];
	struct events *e = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, MSHARE_A_MAX, NULL) ||
	    !tb[MSHARE_A_DOMAIN_ID] ||
	    nla_get_u32(tb[MSHARE_A_DOMAIN_ID]) != e->id)
		return NL_SKIP;
	if (gh->cmd == MSHARE_CMD_DOMAIN_DESTROYED)
		e->destroyed++;
	else if (gh->cmd == MSHARE_CMD_DOMAIN_FREED)
		e->freed++;
	else if (gh->cmd == MSHARE_CMD_DOMAIN_DETACHED)
		e->detached++;
	return NL_OK;
}

static int events_open(struct events *e, uint32_t id)
{
	int grp;

	memset(e, 0, sizeof(*e));
	e->id = id;
	e->sk = nl_socket_alloc();
	if (!e->sk || genl_connect(e->sk))
		return -1;
	grp = genl_ctrl_resolve_grp(e->sk, MSHARE_GENL_NAME, MSHARE_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(e->sk, grp))
		return -1;
	nl_socket_disable_seq_check(e->sk);
	nl_socket_modify_cb(e->sk, NL_CB_VALID, NL_CB_CUSTOM, events_cb, e);
	nl_socket_set_nonblocking(e->sk);
	return 0;
}

/* Read events for @ms milliseconds, or until one FREED. */
static void events_read(struct events *e, int ms)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(e->sk), .events = POLLIN };
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int left;

		clock_gettime(CLOCK_MONOTONIC, &t);
		left = ms - (int)((t.tv_sec - t0.tv_sec) * 1000 +
				  (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || e->freed)
			break;
		if (poll(&pfd, 1, left) > 0)
			nl_recvmsgs_default(e->sk);
	}
}

/*
 * FREED comes once, when the memory goes: not at DOMAIN_DEL while a
 * process still maps the domain, but when that process lets go.
 */
TEST_F(hold, freed_event_when_the_last_holder_goes)
{
	struct events e;

	ASSERT_EQ(0, events_open(&e, self->d.id));
	ASSERT_EQ(0, holder_start(&self->h1, self->name, "holder-free"));
	ASSERT_EQ(0, holder_do(&self->h1, H_ATTACH));
	ASSERT_EQ(0, holder_do(&self->h1, H_TOUCH_FIRST));
	ASSERT_EQ(0, mshare_domain_destroy(self->nl, self->name));
	events_read(&e, 1500);
	EXPECT_EQ(1, e.destroyed);
	EXPECT_EQ(0, e.freed);
	EXPECT_EQ(0, holder_stop(&self->h1));
	events_read(&e, 5000);
	EXPECT_EQ(1, e.freed);
	nl_socket_free(e.sk);
}

/* Without holders, FREED follows DOMAIN_DEL at once. */
TEST_F(hold, freed_event_at_del_without_holders)
{
	struct events e;

	ASSERT_EQ(0, events_open(&e, self->d.id));
	ASSERT_EQ(0, mshare_domain_destroy(self->nl, self->name));
	events_read(&e, 5000);
	EXPECT_EQ(1, e.destroyed);
	EXPECT_EQ(1, e.freed);
	nl_socket_free(e.sk);
}

TEST_HARNESS_MAIN
