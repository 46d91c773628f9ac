// SPDX-License-Identifier: GPL-2.0
/*
 * libmshare itself (libmshare(3)): the error conventions (attach NULL +
 * errno, detach -1 + errno, management -errno, no pointer-encoded errors),
 * the size field of the growable structs (a size below the first release
 * refused before anything is sent, nothing written past the caller's size,
 * a newer caller's larger struct filled up to the library's size and told
 * so, an input struct's unknown tail refused unless zero), the opaque
 * handle and its extended-ack message, and the events API (create, attach,
 * destroy events; lost events reported as MSHARE_EVENT_LOST; EPERM without
 * CAP_SYS_ADMIN).
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mshare.h"
#include "mshare_util.h"
#include "kselftest_harness.h"

#define DSIZE	(2 * MiB)
#define GUARD	0xa5

FIXTURE(lib) {
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
};

FIXTURE_SETUP(lib)
{
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "lib-%d", (int)getpid());
}

FIXTURE_TEARDOWN(lib)
{
	if (self->nl) {
		mshare_domain_destroy(self->nl, self->name);
		mshare_nl_close(self->nl);
	}
}

/* Whether the @n bytes at @p are all GUARD. */
static int all_guard(const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		if (*c++ != GUARD)
			return 0;
	return 1;
}

/* ---- attach and detach: NULL / -1 with errno ---- */

TEST_F(lib, attach_unknown_name_is_null_enoent)
{
	size_t size = 12345;

	errno = 0;
	EXPECT_EQ(NULL, mshare_attach("lib-no-such-domain", 0, &size));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(12345, size);		/* untouched on failure */
	errno = 0;
	EXPECT_EQ(NULL, mshare_attach("#4000000000", 0, &size));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(lib, attach_bad_input_is_null_einval)
{
	char longname[MSHARE_NAME_MAX + 8];
	size_t size;

	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE, 0, NULL));
	errno = 0;
	EXPECT_EQ(NULL, mshare_attach(self->name, 0x80, &size));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(NULL, mshare_attach(NULL, 0, &size));
	EXPECT_EQ(EINVAL, errno);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	errno = 0;
	EXPECT_EQ(NULL, mshare_attach(longname, 0, &size));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(NULL, mshare_attach("bad/name", 0, &size));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(lib, attach_detach)
{
	size_t size = 0;
	char *p;

	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE, 0, NULL));
	p = mshare_attach(self->name, 0, &size);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(DSIZE, size);
	p[0] = 1;
	EXPECT_EQ(0, mshare_detach(p, size));
	/* Read-only, and without *size. */
	p = mshare_attach(self->name, MSHARE_ATTACH_F_RDONLY, NULL);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(1, p[0]);
	EXPECT_EQ(0, mshare_detach(p, DSIZE));
}

TEST(detach_bad_input_is_minus1_einval)
{
	errno = 0;
	EXPECT_EQ(-1, mshare_detach((void *)(PAGE + 1), PAGE));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, mshare_detach((void *)PAGE, 0));
	EXPECT_EQ(EINVAL, errno);
}

/* ---- the handle ---- */

TEST_F(lib, extack_of_the_last_failed_request)
{
	EXPECT_EQ(-EINVAL, create_domain(self->nl, "bad/name", DSIZE, 0, NULL));
	EXPECT_NE(NULL, strstr(mshare_nl_extack(self->nl), "name must be"))
		TH_LOG("extack \"%s\"", mshare_nl_extack(self->nl));
	/* A request that succeeds clears it. */
	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE, 0, NULL));
	EXPECT_STREQ("", mshare_nl_extack(self->nl));
	EXPECT_GT(mshare_nl_family(self->nl), 0);
	EXPECT_NE(NULL, mshare_nl_sock(self->nl));
}

TEST(close_null_is_nothing)
{
	mshare_nl_close(NULL);
	mshare_events_close(NULL);
}

TEST(numa_names)
{
	EXPECT_EQ(MSHARE_NUMA_BIND, mshare_numa_policy_parse("bind"));
	EXPECT_EQ(-EINVAL, mshare_numa_policy_parse("nosuch"));
	EXPECT_STREQ("interleave",
		     mshare_numa_policy_name(MSHARE_NUMA_INTERLEAVE));
	errno = 0;
	EXPECT_EQ(NULL, mshare_numa_policy_name(99));
	EXPECT_EQ(EINVAL, errno);
}

/* ---- the size field ---- */

/* A struct mshare_domain_info with guard bytes after it. */
struct guarded_info {
	struct mshare_domain_info d;
	unsigned char guard[64];
};

TEST_F(lib, size_below_first_release_is_einval_and_nothing_sent)
{
	struct guarded_info g;
	struct mshare_domain_info d = MSHARE_INIT(d);

	memset(&g, GUARD, sizeof(g));
	g.d.size = sizeof(g.d) - 1;
	EXPECT_EQ(-EINVAL, create_domain(self->nl, self->name, DSIZE, 0, &g.d));
	/* Refused before the request: no domain, and nothing written. */
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(sizeof(g.d) - 1, g.d.size);
	EXPECT_TRUE(all_guard((char *)&g + sizeof(g.d.size),
			      sizeof(g) - sizeof(g.d.size)));

	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE, 0, NULL));
	g.d.size = 0;
	EXPECT_EQ(-EINVAL, mshare_domain_get(self->nl, self->name, &g.d));
	EXPECT_TRUE(all_guard((char *)&g + sizeof(g.d.size),
			      sizeof(g) - sizeof(g.d.size)));
	EXPECT_EQ(-EINVAL, mshare_domain_get(self->nl, self->name, NULL));
}

TEST_F(lib, exact_size_fills_it_and_nothing_past_it)
{
	struct guarded_info g;

	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE, 0, NULL));
	memset(&g, GUARD, sizeof(g));
	g.d.size = sizeof(g.d);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &g.d));
	EXPECT_EQ(sizeof(g.d), g.d.size);
	EXPECT_STREQ(self->name, g.d.name);
	EXPECT_EQ(DSIZE, g.d.bytes);
	EXPECT_TRUE(all_guard(g.guard, sizeof(g.guard)));
}

/*
 * A caller built against a later header (a larger struct) gets what this
 * library knows, is told so through size, and its later fields are left.
 */
TEST_F(lib, larger_size_filled_up_to_the_library_size)
{
	struct guarded_info g;
	struct {
		struct mshare_domain_stats s;
		unsigned char guard[64];
	} gs;
	struct {
		struct mshare_module_info m;
		unsigned char guard[64];
	} gm;

	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE, 0, NULL));
	memset(&g, GUARD, sizeof(g));
	g.d.size = sizeof(g);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &g.d));
	EXPECT_EQ(sizeof(g.d), g.d.size);
	EXPECT_EQ(DSIZE, g.d.bytes);
	EXPECT_TRUE(all_guard(g.guard, sizeof(g.guard)));

	memset(&gs, GUARD, sizeof(gs));
	gs.s.size = sizeof(gs);
	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, &gs.s));
	EXPECT_EQ(sizeof(gs.s), gs.s.size);
	EXPECT_STREQ(self->name, gs.s.name);
	EXPECT_TRUE(all_guard(gs.guard, sizeof(gs.guard)));

	memset(&gm, GUARD, sizeof(gm));
	gm.m.size = sizeof(gm);
	ASSERT_EQ(0, mshare_module_info(self->nl, &gm.m));
	EXPECT_EQ(sizeof(gm.m), gm.m.size);
	EXPECT_LE(1, gm.m.domains);
	EXPECT_TRUE(all_guard(gm.guard, sizeof(gm.guard)));
	gm.m.size = sizeof(gm.m) - 8;
	EXPECT_EQ(-EINVAL, mshare_module_info(self->nl, &gm.m));
}

TEST_F(lib, input_struct_size_rules)
{
	struct {
		struct mshare_domain_opts o;
		unsigned char tail[16];
	} in;
	struct mshare_domain_opts dflt = MSHARE_DOMAIN_OPTS_INIT;
	struct mshare_domain_info d = MSHARE_INIT(d);

	/* Below the first release: refused, nothing created. */
	in.o = dflt;
	in.o.size = sizeof(in.o) - 4;
	EXPECT_EQ(-EINVAL, mshare_domain_create(self->nl, self->name, DSIZE,
						&in.o, NULL));
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, self->name, &d));
	/* A later caller's field this library does not know: EOPNOTSUPP. */
	memset(in.tail, 0, sizeof(in.tail));
	in.tail[3] = 1;
	in.o.size = sizeof(in);
	EXPECT_EQ(-EOPNOTSUPP, mshare_domain_create(self->nl, self->name,
						    DSIZE, &in.o, NULL));
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, self->name, &d));
	/* ...unless zero ("not given"). */
	in.tail[3] = 0;
	in.o.mode = 0640;
	ASSERT_EQ(0, mshare_domain_create(self->nl, self->name, DSIZE, &in.o,
					  &d));
	EXPECT_EQ(0640, d.mode);
}

static void count_dump(const struct mshare_domain_info *d, void *arg)
{
	int *bad = arg;

	if (d->size != sizeof(*d))
		(*bad)++;
}

TEST_F(lib, callback_structs_carry_their_size)
{
	int bad = 0;

	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE, 0, NULL));
	EXPECT_LE(1, mshare_domain_dump(self->nl, count_dump, &bad));
	EXPECT_EQ(0, bad);
}

/* ---- events ---- */

struct seen {
	const char *name;
	int created, attached, destroyed, lost_reports, others;
	int bad_size;
	long long lost;
	uint32_t attach_pid;
};

static void on_event(const struct mshare_event *e, void *arg)
{
	struct seen *s = arg;

	if (e->size != sizeof(*e))
		s->bad_size++;
	if (e->cmd == MSHARE_EVENT_LOST) {
		s->lost_reports++;
		s->lost += e->lost > 0 ? e->lost : 0;
		if (e->domain || e->nlh)
			s->bad_size++;
		return;
	}
	if (!e->domain || e->domain->size != sizeof(*e->domain) || !e->nlh) {
		s->bad_size++;
		return;
	}
	if (strcmp(e->domain->name, s->name)) {
		s->others++;
		return;
	}
	switch (e->cmd) {
	case MSHARE_CMD_DOMAIN_CREATED:
		s->created++;
		break;
	case MSHARE_CMD_DOMAIN_ATTACHED:
		s->attached++;
		s->attach_pid = e->pid;
		break;
	case MSHARE_CMD_DOMAIN_DESTROYED:
		s->destroyed++;
		break;
	}
}

/* Read what @ev has queued (waiting up to 1 s for the first). */
static int drain(struct mshare_events *ev, struct seen *s)
{
	struct pollfd pfd = { .fd = mshare_events_fd(ev), .events = POLLIN };
	int n, total = 0;

	poll(&pfd, 1, 1000);
	while ((n = mshare_events_read(ev, on_event, s)) > 0)
		total += n;
	return n < 0 ? n : total;
}

TEST_F(lib, events_create_attach_destroy)
{
	struct seen s = { .name = self->name };
	struct mshare_events *ev = mshare_events_open(0);
	size_t size;
	void *p;

	ASSERT_NE(NULL, ev) TH_LOG("mshare_events_open: %s", strerror(errno));
	EXPECT_LE(0, mshare_events_fd(ev));
	EXPECT_EQ(0, mshare_events_read(ev, on_event, &s));	/* nothing yet */
	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE, 0, NULL));
	p = mshare_attach(self->name, 0, &size);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, mshare_detach(p, size));
	ASSERT_EQ(0, mshare_domain_destroy(self->nl, self->name));
	EXPECT_LE(3, drain(ev, &s));
	EXPECT_EQ(1, s.created);
	EXPECT_EQ(1, s.attached);
	EXPECT_EQ(getpid(), s.attach_pid);
	EXPECT_EQ(1, s.destroyed);
	EXPECT_EQ(0, s.lost_reports);
	EXPECT_EQ(0, s.bad_size);
	mshare_events_close(ev);
}

/*
 * With the smallest receive buffer, a burst of events overflows it: the
 * read reports MSHARE_EVENT_LOST with how many, then later events arrive.
 */
TEST_F(lib, events_lost_are_reported)
{
	struct seen s = { .name = self->name };
	struct mshare_events *ev = mshare_events_open(1);
	char name[MSHARE_NAME_MAX];
	int i, n;

	ASSERT_NE(NULL, ev) TH_LOG("mshare_events_open: %s", strerror(errno));
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "lib-burst-%d-%d", getpid(), i);
		ASSERT_EQ(0, create_domain(self->nl, name, DSIZE, 0, NULL));
		ASSERT_EQ(0, mshare_domain_destroy(self->nl, name));
	}
	n = drain(ev, &s);
	TH_LOG("%d calls, %d others, %d lost reports, %lld lost", n, s.others,
	       s.lost_reports, s.lost);
	EXPECT_LE(1, s.lost_reports);
	EXPECT_LT(s.others, 300);	/* 100 x CREATED, DESTROYED, FREED */
	EXPECT_EQ(0, s.bad_size);
	/* The listener keeps working. */
	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE, 0, NULL));
	EXPECT_LE(1, drain(ev, &s));
	EXPECT_EQ(1, s.created);
	mshare_events_close(ev);
}

TEST(events_need_cap_sys_admin)
{
	pid_t pid = flush_fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct mshare_events *ev;

		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(10);
		ev = mshare_events_open(0);
		_exit(ev ? 11 : errno == EPERM ? 0 : 12);
	}
	EXPECT_EQ(0, wait_exit_code(pid));
}

/* A NULL events handle or callback is EINVAL, not a crash. */
TEST(events_null_handle_is_einval)
{
	struct mshare_events *ev;

	EXPECT_EQ(-EINVAL, mshare_events_fd(NULL));
	EXPECT_EQ(-EINVAL, mshare_events_read(NULL, NULL, NULL));
	ev = mshare_events_open(0);
	ASSERT_NE(NULL, ev) TH_LOG("mshare_events_open: %s", strerror(errno));
	EXPECT_LE(0, mshare_events_fd(ev));
	EXPECT_EQ(-EINVAL, mshare_events_read(ev, NULL, NULL));
	mshare_events_close(ev);
	mshare_events_close(NULL);	/* nothing */
}

TEST_HARNESS_MAIN
