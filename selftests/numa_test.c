// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA placement and live migration (Documentation/numa.rst), in the
 * 2-node VM (CPU 0 on node 0, CPU 1 on node 1):
 *
 * - placement per policy (bind, preferred, interleave, local with the
 *   toucher pinned, auto with a first home), read both from the module's
 *   per-node stats and from the kernel itself: move_pages(2) with nodes
 *   NULL (the node of each page) and /proc/self/numa_maps N0=/N1=; the
 *   table pages on the home node;
 * - malformed policies and migrations: EINVAL (ENOENT) and nothing
 *   changed;
 * - migration of a 64 MiB domain from node 0 to node 1 under 4 writer
 *   processes: every per-page counter equals what its writer recorded,
 *   the atomic shared one their sum, every page and table on node 1, the
 *   stats and the events agree;
 * - a range migration moves only the range;
 * - a pending signal cancels a migration of 512 MiB between batches
 *   (EINTR), the data intact, pages on both nodes, stats consistent;
 * - a page pinned by an io_uring fixed buffer is skipped and stays usable;
 * - auto: attachers on node 1 pull a domain homed on node 0 there; split
 *   attachers do not make it move.
 *
 * Everything but the kernel's own readings goes through libmshare; what
 * it cannot express (bad attributes) is built as raw libnl requests.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/io_uring.h>
#include <netlink/genl/ctrl.h>

#include "mshare.h"
#include "mshare_util.h"
#include "uring_util.h"
#include "kselftest_harness.h"

#define NODE1_PATH	"/sys/devices/system/node/node1"
#define NODE2_PATH	"/sys/devices/system/node/node2"

static bool two_nodes(void)
{
	return !access(NODE1_PATH, F_OK) && access(NODE2_PATH, F_OK);
}

static int pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static void unpin(void)
{
	cpu_set_t set;
	int i;

	CPU_ZERO(&set);
	for (i = 0; i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- where the kernel says the pages are ---- */

/*
 * move_pages(2) with nodes NULL: the node of each of @n pages at @p into
 * @status (-errno for a page not present).  0 or -errno.
 */
static int page_status(const char *p, uint64_t n, int *status)
{
	enum { CHUNK = 4096 };
	void *pages[CHUNK];
	uint64_t i, j;

	for (i = 0; i < n; i += CHUNK) {
		uint64_t m = n - i < CHUNK ? n - i : CHUNK;

		for (j = 0; j < m; j++)
			pages[j] = (void *)(p + (i + j) * PAGE);
		if (syscall(SYS_move_pages, 0, m, pages, NULL, status + i, 0))
			return -errno;
	}
	return 0;
}

/* Pages of [@from, @to) on node 0, node 1, elsewhere or absent. */
struct where {
	uint64_t n0, n1, other;
};

static int count_nodes(const char *p, uint64_t from, uint64_t to,
		       struct where *w)
{
	int *st = calloc(to - from, sizeof(int));
	uint64_t i;
	int ret;

	memset(w, 0, sizeof(*w));
	if (!st)
		return -ENOMEM;
	ret = page_status(p + from * PAGE, to - from, st);
	for (i = 0; !ret && i < to - from; i++) {
		if (st[i] == 0)
			w->n0++;
		else if (st[i] == 1)
			w->n1++;
		else
			w->other++;
	}
	free(st);
	return ret;
}

/* N0= and N1= of the /proc/self/numa_maps line of the VMA at @addr. */
static int numa_maps_nodes(const void *addr, long *n0, long *n1)
{
	char line[1024], head[32];
	FILE *f = fopen("/proc/self/numa_maps", "re");
	int found = -1;

	if (!f)
		return -1;
	snprintf(head, sizeof(head), "%lx ", (unsigned long)addr);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, head, strlen(head))) {
			*n0 = line_field(line, "N0", 0);
			*n1 = line_field(line, "N1", 0);
			found = 0;
			break;
		}
	fclose(f);
	return found;
}

/* ---- domains ---- */

static int create_numa(struct mshare_nl *nl, const char *name, uint64_t size,
		       unsigned int flags, int policy, const uint32_t *nodes,
		       unsigned int nr)
{
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;

	opts.flags = flags;
	opts.numa.policy = policy;
	opts.numa.nr_nodes = nr;
	memcpy(opts.numa.nodes, nodes, nr * sizeof(*nodes));
	return mshare_domain_create(nl, name, size, &opts, NULL);
}

/* Write a word into every page of the mapping (allocating it). */
static void touch_all(char *p, uint64_t pages)
{
	uint64_t i;

	for (i = 0; i < pages; i++)
		*(volatile uint64_t *)(p + i * PAGE) = i + 1;
}

/* The stats agree with themselves: resident and tables split by node. */
static void check_stats_sums(struct __test_metadata *_metadata,
			     const struct mshare_domain_stats *s)
{
	uint64_t pages = 0, tables = 0;
	int i;

	for (i = 0; i < MSHARE_STATS_NODES; i++) {
		pages += s->node_pages[i];
		tables += s->node_table_pages[i];
	}
	EXPECT_EQ(s->resident, pages);
	EXPECT_EQ(s->table_pages, tables);
}

/* ---- events ---- */

struct events {
	struct nl_sock *sk;
	const char *name;	/* only this domain's */
	int progress;		/* MIGRATE_PROGRESS seen */
	uint64_t last_done;
	bool done_increasing;
	int migrated;		/* MIGRATED seen */
	bool over_total;	/* an event said done + skipped > total */
	struct mshare_migrate_result result;
	uint32_t error, pid;
};

static int events_cb(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[MSHARE_A_MAX + 1];
	struct mshare_migrate_result r = MSHARE_INIT(r);
	struct events *e = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, MSHARE_A_MAX, NULL) ||
	    !tb[MSHARE_A_DOMAIN_NAME] ||
	    strcmp(nla_get_string(tb[MSHARE_A_DOMAIN_NAME]), e->name))
		return NL_SKIP;
	mshare_parse_migrate(tb, &r);
	if (r.done + r.skipped > r.total)
		e->over_total = true;
	if (gh->cmd == MSHARE_CMD_DOMAIN_MIGRATE_PROGRESS) {
		if (e->progress && r.done <= e->last_done)
			e->done_increasing = false;
		e->last_done = r.done;
		e->progress++;
	} else if (gh->cmd == MSHARE_CMD_DOMAIN_MIGRATED) {
		e->migrated++;
		e->result = r;
		e->error = tb[MSHARE_A_MIGRATE_ERROR] ?
			   nla_get_u32(tb[MSHARE_A_MIGRATE_ERROR]) : UINT32_MAX;
		e->pid = tb[MSHARE_A_EVENT_PID] ?
			 nla_get_u32(tb[MSHARE_A_EVENT_PID]) : UINT32_MAX;
	}
	return NL_OK;
}

/* A socket in the "events" group, non-blocking.  0 or -1. */
static int events_open(struct events *e, const char *name)
{
	int grp;

	memset(e, 0, sizeof(*e));
	e->name = name;
	e->done_increasing = true;
	e->sk = nl_socket_alloc();
	if (!e->sk || genl_connect(e->sk))
		return -1;
	grp = genl_ctrl_resolve_grp(e->sk, MSHARE_GENL_NAME, MSHARE_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(e->sk, grp))
		return -1;
	nl_socket_set_buffer_size(e->sk, 1 << 20, 0);
	nl_socket_disable_seq_check(e->sk);
	nl_socket_modify_cb(e->sk, NL_CB_VALID, NL_CB_CUSTOM, events_cb, e);
	nl_socket_set_nonblocking(e->sk);
	return 0;
}

/* Read events for up to @ms, or until @until returns true. */
static void events_read(struct events *e, int ms,
			bool (*until)(const struct events *))
{
	double end = now() + ms / 1000.0;

	while (!(until && until(e))) {
		struct pollfd pfd = { .fd = nl_socket_get_fd(e->sk),
				      .events = POLLIN };
		int left = (int)((end - now()) * 1000);

		if (left <= 0)
			break;
		if (poll(&pfd, 1, left) > 0)
			nl_recvmsgs_default(e->sk);
	}
}

static bool got_migrated(const struct events *e)
{
	return e->migrated > 0;
}

static bool got_progress(const struct events *e)
{
	return e->progress > 0;
}

static void events_close(struct events *e)
{
	if (e->sk)
		nl_socket_free(e->sk);
	e->sk = NULL;
}

/* ---- placement per policy ---- */

FIXTURE(place) {
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	char *p;
	size_t size;
};

FIXTURE_VARIANT(place) {
	int policy;
	uint32_t nodes[2];
	unsigned int nr;
	int cpu;		/* the toucher (and creator) pinned here, or -1 */
	int home;
	int expect;		/* node of every page, or -1: interleave 0,1 */
};

FIXTURE_VARIANT_ADD(place, bind_0) {
	.policy = MSHARE_NUMA_BIND, .nodes = { 0 }, .nr = 1, .cpu = 1,
	.home = 0, .expect = 0,
};
FIXTURE_VARIANT_ADD(place, bind_1) {
	.policy = MSHARE_NUMA_BIND, .nodes = { 1 }, .nr = 1, .cpu = 0,
	.home = 1, .expect = 1,
};
FIXTURE_VARIANT_ADD(place, preferred_1) {
	.policy = MSHARE_NUMA_PREFERRED, .nodes = { 1 }, .nr = 1, .cpu = 0,
	.home = 1, .expect = 1,
};
FIXTURE_VARIANT_ADD(place, interleave_0_1) {
	.policy = MSHARE_NUMA_INTERLEAVE, .nodes = { 0, 1 }, .nr = 2,
	.cpu = -1, .home = 0, .expect = -1,
};
FIXTURE_VARIANT_ADD(place, local_on_cpu_1) {
	.policy = MSHARE_NUMA_LOCAL, .cpu = 1, .home = 1, .expect = 1,
};
FIXTURE_VARIANT_ADD(place, local_on_cpu_0) {
	.policy = MSHARE_NUMA_LOCAL, .cpu = 0, .home = 0, .expect = 0,
};
FIXTURE_VARIANT_ADD(place, auto_first_home_1) {
	.policy = MSHARE_NUMA_AUTO, .nodes = { 1 }, .nr = 1, .cpu = 0,
	.home = 1, .expect = 1,
};

#define PLACE_SIZE	(8 * MiB)
#define PLACE_PAGES	(PLACE_SIZE / PAGE)

FIXTURE_SETUP(place)
{
	if (!two_nodes())
		SKIP(return, "needs exactly 2 NUMA nodes");
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "numa-pl-%d", (int)getpid());
	if (variant->cpu >= 0)
		ASSERT_EQ(0, pin_cpu(variant->cpu));
	ASSERT_EQ(0, create_numa(self->nl, self->name, PLACE_SIZE, 0,
				 variant->policy, variant->nodes, variant->nr))
		TH_LOG("create: %s", mshare_nl_extack(self->nl));
	ASSERT_EQ(0, attach_dom(self->name, 0, (void **)&self->p, &self->size));
}

FIXTURE_TEARDOWN(place)
{
	unpin();
	if (self->p)
		munmap(self->p, self->size);
	if (self->nl) {
		char fill[MSHARE_NAME_MAX];

		/* bind_to_a_full_node_faults_with_sigbus's filler, if left */
		snprintf(fill, sizeof(fill), "numa-fill-%d", (int)getpid());
		mshare_domain_destroy(self->nl, fill);
		mshare_domain_destroy(self->nl, self->name);
		mshare_nl_close(self->nl);
	}
}

TEST_F_TIMEOUT(place, pages_and_tables_where_the_policy_says, 120)
{
	struct mshare_domain_stats s = MSHARE_INIT(s);
	struct mshare_domain_info d = MSHARE_INIT(d);
	struct where w;
	long n0 = -1, n1 = -1;
	int *st;
	uint64_t i;

	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(variant->policy, d.numa.policy);
	ASSERT_EQ(variant->nr, d.numa.nr_nodes);
	for (i = 0; i < variant->nr; i++)
		EXPECT_EQ(variant->nodes[i], d.numa.nodes[i]);
	EXPECT_EQ(variant->home, d.home_node);

	touch_all(self->p, PLACE_PAGES);

	/* the kernel: node of each page */
	st = calloc(PLACE_PAGES, sizeof(int));
	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, page_status(self->p, PLACE_PAGES, st));
	for (i = 0; i < PLACE_PAGES; i++) {
		int want = variant->expect >= 0 ? variant->expect :
			   (int)variant->nodes[i % variant->nr];

		if (st[i] != want) {
			TH_LOG("page %lu on node %d, expected %d",
			       (unsigned long)i, st[i], want);
			EXPECT_EQ(want, st[i]);
			break;
		}
	}
	free(st);
	ASSERT_EQ(0, count_nodes(self->p, 0, PLACE_PAGES, &w));
	EXPECT_EQ(0, w.other);
	ASSERT_EQ(0, numa_maps_nodes(self->p, &n0, &n1));
	EXPECT_EQ(w.n0, n0);
	EXPECT_EQ(w.n1, n1);
	if (variant->expect < 0) {
		/* half and half, within a page */
		EXPECT_GE(1, labs((long)w.n0 - (long)w.n1));
	} else {
		EXPECT_EQ(PLACE_PAGES, variant->expect ? w.n1 : w.n0);
	}

	/* the module says the same, and its tables are on the home node */
	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, &s));
	EXPECT_EQ(PLACE_PAGES, s.resident);
	EXPECT_EQ(w.n0, s.node_pages[0]);
	EXPECT_EQ(w.n1, s.node_pages[1]);
	EXPECT_EQ(variant->home, s.home_node);
	EXPECT_LT(0, s.table_pages);
	EXPECT_EQ(s.table_pages, s.node_table_pages[variant->home]);
	EXPECT_EQ(0, s.node_table_pages[!variant->home]);
	check_stats_sums(_metadata, &s);
	EXPECT_EQ(0, s.migrations);
	EXPECT_EQ(0, s.pages_migrated);
}

/* DOMAIN_SET changes the policy: pages allocated later follow it. */
TEST_F_TIMEOUT(place, set_policy_places_later_pages, 120)
{
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;
	struct mshare_domain_info d = MSHARE_INIT(d);
	struct where w;
	int target = variant->expect == 1 ? 0 : 1;

	touch_all(self->p, PLACE_PAGES / 2);
	opts.numa.policy = MSHARE_NUMA_BIND;
	opts.numa.nr_nodes = 1;
	opts.numa.nodes[0] = target;
	ASSERT_EQ(0, mshare_domain_set(self->nl, self->name, &opts, &d))
		TH_LOG("set: %s", mshare_nl_extack(self->nl));
	EXPECT_EQ(MSHARE_NUMA_BIND, d.numa.policy);
	ASSERT_EQ(1, d.numa.nr_nodes);
	EXPECT_EQ(target, d.numa.nodes[0]);
	touch_all(self->p, PLACE_PAGES);
	ASSERT_EQ(0, count_nodes(self->p, PLACE_PAGES / 2, PLACE_PAGES, &w));
	EXPECT_EQ(PLACE_PAGES / 2, target ? w.n1 : w.n0);
}

/*
 * No policy given: local.  The toucher on CPU 1 gets node 1 pages, as
 * move_pages(2) and numa_maps say (no NUMA attribute in the request).
 */
TEST(default_policy_is_local)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	struct where w;
	long n0 = -1, n1 = -1;
	size_t size;
	char *p;

	if (!two_nodes())
		SKIP(return, "needs exactly 2 NUMA nodes");
	ASSERT_EQ(0, nl_open(&nl));
	snprintf(name, sizeof(name), "numa-def-%d", (int)getpid());
	ASSERT_EQ(0, create_domain(nl, name, PLACE_SIZE, 0, &d));
	ASSERT_EQ(0, attach_dom(name, 0, (void **)&p, &size));
	ASSERT_EQ(0, pin_cpu(1));
	touch_all(p, PLACE_PAGES);
	unpin();
	ASSERT_EQ(0, count_nodes(p, 0, PLACE_PAGES, &w));
	EXPECT_EQ(PLACE_PAGES, w.n1);
	ASSERT_EQ(0, numa_maps_nodes(p, &n0, &n1));
	EXPECT_EQ(0, n0);
	EXPECT_EQ(PLACE_PAGES, n1);
	ASSERT_EQ(0, mshare_domain_get(nl, name, &d));
	EXPECT_EQ(MSHARE_NUMA_LOCAL, d.numa.policy);
	EXPECT_EQ(0, d.numa.nr_nodes);
	munmap(p, size);
	EXPECT_EQ(0, mshare_domain_destroy(nl, name));
	mshare_nl_close(nl);
}

/* ---- malformed requests: EINVAL and nothing changed ---- */

#define BAD_SIZE	(4 * MiB)

typedef int (*build_fn)(struct nl_msg *m, const char *name);

static int put_nodes(struct nl_msg *m, const uint32_t *nodes, unsigned int n)
{
	return nla_put(m, MSHARE_A_DOMAIN_NUMA_NODES, n * sizeof(uint32_t), nodes);
}

/* DOMAIN_NEW of "<name>-new" with @policy and @n of @nodes (@n < 0: none) */
static int new_req(struct nl_msg *m, const char *name, uint32_t policy,
		   const uint32_t *nodes, int n)
{
	char nn[MSHARE_NAME_MAX];

	snprintf(nn, sizeof(nn), "%.50s-new", name);
	return nla_put_string(m, MSHARE_A_DOMAIN_NAME, nn) ||
	       nla_put_u64(m, MSHARE_A_DOMAIN_SIZE, BAD_SIZE) ||
	       nla_put_u32(m, MSHARE_A_DOMAIN_NUMA_POLICY, policy) ||
	       (n >= 0 && put_nodes(m, nodes, n));
}

static int set_req(struct nl_msg *m, const char *name, uint32_t policy,
		   const uint32_t *nodes, int n)
{
	return nla_put_string(m, MSHARE_A_DOMAIN_NAME, name) ||
	       nla_put_u32(m, MSHARE_A_DOMAIN_NUMA_POLICY, policy) ||
	       (n >= 0 && put_nodes(m, nodes, n));
}

static const uint32_t N0[] = { 0 }, N01[] = { 0, 1 }, N00[] = { 0, 0 },
	N2[] = { 2 }, N1023[] = { 1023 }, N4096[] = { 4096 }, N1[] = { 1 };
static uint32_t N65[MSHARE_NUMA_NODES_MAX + 1];	/* 0, 1, 2... */

#define NEW(fn, pol, nodes, n) \
static int fn(struct nl_msg *m, const char *name) \
{ return new_req(m, name, pol, nodes, n); }
#define SET(fn, pol, nodes, n) \
static int fn(struct nl_msg *m, const char *name) \
{ return set_req(m, name, pol, nodes, n); }

NEW(b_new_policy_max, __MSHARE_NUMA_MAX, NULL, -1)
NEW(b_new_policy_huge, UINT32_MAX, NULL, -1)
NEW(b_new_bind_no_nodes, MSHARE_NUMA_BIND, NULL, -1)
NEW(b_new_bind_empty_list, MSHARE_NUMA_BIND, N0, 0)
NEW(b_new_bind_two, MSHARE_NUMA_BIND, N01, 2)
NEW(b_new_preferred_no_nodes, MSHARE_NUMA_PREFERRED, NULL, -1)
NEW(b_new_preferred_two, MSHARE_NUMA_PREFERRED, N01, 2)
NEW(b_new_interleave_no_nodes, MSHARE_NUMA_INTERLEAVE, NULL, -1)
NEW(b_new_interleave_dup, MSHARE_NUMA_INTERLEAVE, N00, 2)
NEW(b_new_interleave_65, MSHARE_NUMA_INTERLEAVE, N65, MSHARE_NUMA_NODES_MAX + 1)
NEW(b_new_interleave_0_2, MSHARE_NUMA_INTERLEAVE, ((const uint32_t[]){ 0, 2 }), 2)
NEW(b_new_bind_2, MSHARE_NUMA_BIND, N2, 1)
NEW(b_new_bind_1023, MSHARE_NUMA_BIND, N1023, 1)
NEW(b_new_bind_4096, MSHARE_NUMA_BIND, N4096, 1)
NEW(b_new_preferred_4096, MSHARE_NUMA_PREFERRED, N4096, 1)
NEW(b_new_local_with_node, MSHARE_NUMA_LOCAL, N0, 1)
NEW(b_new_auto_two, MSHARE_NUMA_AUTO, N01, 2)
NEW(b_new_auto_2, MSHARE_NUMA_AUTO, N2, 1)
SET(b_set_policy_max, __MSHARE_NUMA_MAX, NULL, -1)
SET(b_set_bind_two, MSHARE_NUMA_BIND, N01, 2)
SET(b_set_bind_2, MSHARE_NUMA_BIND, N2, 1)
SET(b_set_interleave_dup, MSHARE_NUMA_INTERLEAVE, N00, 2)
SET(b_set_local_with_node, MSHARE_NUMA_LOCAL, N1, 1)

static int b_new_nodes_odd_length(struct nl_msg *m, const char *name)
{
	return new_req(m, name, MSHARE_NUMA_BIND, NULL, -1) ||
	       nla_put(m, MSHARE_A_DOMAIN_NUMA_NODES, 6, "\0\0\0\0\0\0");
}

static int b_new_policy_as_u64(struct nl_msg *m, const char *name)
{
	char nn[MSHARE_NAME_MAX];

	snprintf(nn, sizeof(nn), "%.50s-new", name);
	return nla_put_string(m, MSHARE_A_DOMAIN_NAME, nn) ||
	       nla_put_u64(m, MSHARE_A_DOMAIN_SIZE, BAD_SIZE) ||
	       nla_put_u64(m, MSHARE_A_DOMAIN_NUMA_POLICY, MSHARE_NUMA_LOCAL);
}

static int b_new_numa_node(struct nl_msg *m, const char *name)
{
	return new_req(m, name, MSHARE_NUMA_BIND, N0, 1) ||
	       nla_put_u32(m, MSHARE_A_DOMAIN_NUMA_NODE, 0);
}

static int b_new_nodes_without_policy(struct nl_msg *m, const char *name)
{
	char nn[MSHARE_NAME_MAX];

	snprintf(nn, sizeof(nn), "%.50s-new", name);
	return nla_put_string(m, MSHARE_A_DOMAIN_NAME, nn) ||
	       nla_put_u64(m, MSHARE_A_DOMAIN_SIZE, BAD_SIZE) ||
	       put_nodes(m, N1, 1);
}

static int b_set_numa_node(struct nl_msg *m, const char *name)
{
	return nla_put_string(m, MSHARE_A_DOMAIN_NAME, name) ||
	       nla_put_u32(m, MSHARE_A_DOMAIN_NUMA_NODE, 1);
}

static int b_set_nodes_without_policy(struct nl_msg *m, const char *name)
{
	return nla_put_string(m, MSHARE_A_DOMAIN_NAME, name) ||
	       put_nodes(m, N1, 1);
}

/* DOMAIN_MIGRATE of the fixture's domain */
static int mig(struct nl_msg *m, const char *name, int64_t node,
	       int64_t off, int64_t len)
{
	return nla_put_string(m, MSHARE_A_DOMAIN_NAME, name) ||
	       (node >= 0 && nla_put_u32(m, MSHARE_A_MIGRATE_NODE, node)) ||
	       (off != -1 && nla_put_u64(m, MSHARE_A_MIGRATE_OFFSET, off)) ||
	       (len != -1 && nla_put_u64(m, MSHARE_A_MIGRATE_LENGTH, len));
}

#define MIG(fn, node, off, len) \
static int fn(struct nl_msg *m, const char *name) \
{ return mig(m, name, node, off, len); }

MIG(b_mig_no_node, -1, -1, -1)
MIG(b_mig_node_2, 2, -1, -1)
MIG(b_mig_node_1023, 1023, -1, -1)
MIG(b_mig_node_4096, 4096, -1, -1)
MIG(b_mig_node_u32_max, UINT32_MAX, -1, -1)
MIG(b_mig_off_unaligned, 1, 1, PAGE)
MIG(b_mig_len_unaligned, 1, 0, PAGE + 1)
MIG(b_mig_len_0, 1, 0, 0)
MIG(b_mig_past_end, 1, BAD_SIZE - PAGE, 2 * PAGE)
MIG(b_mig_off_at_end, 1, BAD_SIZE, PAGE)
MIG(b_mig_overflow, 1, -(int64_t)PAGE, 2 * PAGE)
MIG(b_mig_only_offset, 1, 0, -1)
MIG(b_mig_only_length, 1, -1, PAGE)

static int b_mig_node_as_u64(struct nl_msg *m, const char *name)
{
	return nla_put_string(m, MSHARE_A_DOMAIN_NAME, name) ||
	       nla_put_u64(m, MSHARE_A_MIGRATE_NODE, 1);
}

static int b_mig_numa_node(struct nl_msg *m, const char *name)
{
	return mig(m, name, 1, -1, -1) ||
	       nla_put_u32(m, MSHARE_A_DOMAIN_NUMA_NODE, 1);
}

static int b_mig_policy(struct nl_msg *m, const char *name)
{
	return mig(m, name, 1, -1, -1) ||
	       nla_put_u32(m, MSHARE_A_DOMAIN_NUMA_POLICY, MSHARE_NUMA_BIND);
}

static int b_mig_unknown(struct nl_msg *m, const char *name)
{
	return mig(m, "numa-no-such-domain", 1, -1, -1);
}

FIXTURE(bad) {
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
};

FIXTURE_VARIANT(bad) {
	int cmd;
	build_fn build;
	int err;
};

#define BAD(n, c, b, e) \
	FIXTURE_VARIANT_ADD(bad, n) { .cmd = MSHARE_CMD_##c, .build = b, .err = e }

BAD(new_policy_out_of_range, DOMAIN_NEW, b_new_policy_max, EINVAL);
BAD(new_policy_u32_max, DOMAIN_NEW, b_new_policy_huge, EINVAL);
BAD(new_policy_as_u64, DOMAIN_NEW, b_new_policy_as_u64, EINVAL);
BAD(new_bind_without_nodes, DOMAIN_NEW, b_new_bind_no_nodes, EINVAL);
BAD(new_bind_empty_node_list, DOMAIN_NEW, b_new_bind_empty_list, EINVAL);
BAD(new_bind_two_nodes, DOMAIN_NEW, b_new_bind_two, EINVAL);
BAD(new_preferred_without_nodes, DOMAIN_NEW, b_new_preferred_no_nodes, EINVAL);
BAD(new_preferred_two_nodes, DOMAIN_NEW, b_new_preferred_two, EINVAL);
BAD(new_interleave_without_nodes, DOMAIN_NEW, b_new_interleave_no_nodes, EINVAL);
BAD(new_interleave_duplicate_node, DOMAIN_NEW, b_new_interleave_dup, EINVAL);
BAD(new_interleave_65_nodes, DOMAIN_NEW, b_new_interleave_65, EINVAL);
BAD(new_interleave_0_and_offline_2, DOMAIN_NEW, b_new_interleave_0_2, EINVAL);
BAD(new_nodes_length_not_multiple_of_4, DOMAIN_NEW, b_new_nodes_odd_length, EINVAL);
BAD(new_bind_node_2, DOMAIN_NEW, b_new_bind_2, EINVAL);
BAD(new_bind_node_1023, DOMAIN_NEW, b_new_bind_1023, EINVAL);
BAD(new_bind_node_4096, DOMAIN_NEW, b_new_bind_4096, EINVAL);
BAD(new_preferred_node_4096, DOMAIN_NEW, b_new_preferred_4096, EINVAL);
BAD(new_local_with_node_list, DOMAIN_NEW, b_new_local_with_node, EINVAL);
BAD(new_auto_two_nodes, DOMAIN_NEW, b_new_auto_two, EINVAL);
BAD(new_auto_node_2, DOMAIN_NEW, b_new_auto_2, EINVAL);
BAD(new_home_node_in_request, DOMAIN_NEW, b_new_numa_node, EINVAL);
BAD(new_nodes_without_policy, DOMAIN_NEW, b_new_nodes_without_policy, EINVAL);
BAD(set_policy_out_of_range, DOMAIN_SET, b_set_policy_max, EINVAL);
BAD(set_bind_two_nodes, DOMAIN_SET, b_set_bind_two, EINVAL);
BAD(set_bind_node_2, DOMAIN_SET, b_set_bind_2, EINVAL);
BAD(set_interleave_duplicate_node, DOMAIN_SET, b_set_interleave_dup, EINVAL);
BAD(set_local_with_node_list, DOMAIN_SET, b_set_local_with_node, EINVAL);
BAD(set_home_node_in_request, DOMAIN_SET, b_set_numa_node, EINVAL);
BAD(set_nodes_without_policy, DOMAIN_SET, b_set_nodes_without_policy, EINVAL);
BAD(migrate_without_node, DOMAIN_MIGRATE, b_mig_no_node, EINVAL);
BAD(migrate_to_node_2, DOMAIN_MIGRATE, b_mig_node_2, EINVAL);
BAD(migrate_to_node_1023, DOMAIN_MIGRATE, b_mig_node_1023, EINVAL);
BAD(migrate_to_node_4096, DOMAIN_MIGRATE, b_mig_node_4096, EINVAL);
BAD(migrate_to_node_u32_max, DOMAIN_MIGRATE, b_mig_node_u32_max, EINVAL);
BAD(migrate_node_as_u64, DOMAIN_MIGRATE, b_mig_node_as_u64, EINVAL);
BAD(migrate_offset_unaligned, DOMAIN_MIGRATE, b_mig_off_unaligned, EINVAL);
BAD(migrate_length_unaligned, DOMAIN_MIGRATE, b_mig_len_unaligned, EINVAL);
BAD(migrate_length_0, DOMAIN_MIGRATE, b_mig_len_0, EINVAL);
BAD(migrate_past_the_end, DOMAIN_MIGRATE, b_mig_past_end, EINVAL);
BAD(migrate_offset_at_the_end, DOMAIN_MIGRATE, b_mig_off_at_end, EINVAL);
BAD(migrate_overflowing_range, DOMAIN_MIGRATE, b_mig_overflow, EINVAL);
BAD(migrate_only_offset, DOMAIN_MIGRATE, b_mig_only_offset, EINVAL);
BAD(migrate_only_length, DOMAIN_MIGRATE, b_mig_only_length, EINVAL);
BAD(migrate_home_node_in_request, DOMAIN_MIGRATE, b_mig_numa_node, EINVAL);
BAD(migrate_policy_in_request, DOMAIN_MIGRATE, b_mig_policy, EINVAL);
BAD(migrate_unknown_domain, DOMAIN_MIGRATE, b_mig_unknown, ENOENT);

FIXTURE_SETUP(bad)
{
	unsigned int i;

	if (!two_nodes())
		SKIP(return, "needs exactly 2 NUMA nodes");
	for (i = 0; i < MSHARE_NUMA_NODES_MAX + 1; i++)
		N65[i] = i;
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "numa-bad-%d", (int)getpid());
	ASSERT_EQ(0, create_numa(self->nl, self->name, BAD_SIZE,
				 MSHARE_DOMAIN_F_PREFAULT, MSHARE_NUMA_BIND,
				 N0, 1))
		TH_LOG("create: %s", mshare_nl_extack(self->nl));
}

FIXTURE_TEARDOWN(bad)
{
	char nn[MSHARE_NAME_MAX];

	if (!self->nl)
		return;
	snprintf(nn, sizeof(nn), "%.50s-new", self->name);
	mshare_domain_destroy(self->nl, self->name);
	mshare_domain_destroy(self->nl, nn);
	mshare_nl_close(self->nl);
}

TEST_F(bad, fails_with_exact_errno_and_changes_nothing)
{
	struct mshare_domain_stats s0 = MSHARE_INIT(s0), s1 = MSHARE_INIT(s1);
	struct mshare_module_info before = MSHARE_INIT(before);
	struct mshare_module_info after = MSHARE_INIT(after);
	struct mshare_domain_info d0 = MSHARE_INIT(d0), d1 = MSHARE_INIT(d1);
	char nn[MSHARE_NAME_MAX];
	struct nl_msg *msg;

	ASSERT_EQ(0, mshare_module_info(self->nl, &before));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d0));
	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, &s0));
	msg = mshare_nl_msg(self->nl, variant->cmd, 0);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, variant->build(msg, self->name));
	EXPECT_EQ(-variant->err, mshare_nl_run(self->nl, msg, NULL, NULL));
	EXPECT_NE(0, mshare_nl_extack(self->nl)[0]);
	if (mshare_nl_extack(self->nl)[0])
		TH_LOG("extack: %s", mshare_nl_extack(self->nl));

	ASSERT_EQ(0, mshare_module_info(self->nl, &after));
	EXPECT_EQ(before.domains, after.domains);
	EXPECT_EQ(before.data_pages, after.data_pages);
	EXPECT_EQ(before.table_pages, after.table_pages);
	snprintf(nn, sizeof(nn), "%.50s-new", self->name);
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, nn, &d1));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d1));
	EXPECT_EQ(MSHARE_NUMA_BIND, d1.numa.policy);
	EXPECT_EQ(1, d1.numa.nr_nodes);
	EXPECT_EQ(0, d1.numa.nodes[0]);
	EXPECT_EQ(0, d1.home_node);
	EXPECT_EQ(d0.resident, d1.resident);
	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, &s1));
	EXPECT_EQ(BAD_SIZE / PAGE, s1.node_pages[0]);
	EXPECT_EQ(0, s1.node_pages[1]);
	EXPECT_EQ(s0.node_table_pages[0], s1.node_table_pages[0]);
	EXPECT_EQ(s0.migrations, s1.migrations);
	EXPECT_EQ(s0.pages_migrated, s1.pages_migrated);
}

/* ---- migration ---- */

FIXTURE(mig) {
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	char *p;
	size_t size;
	struct events ev;
};

FIXTURE_SETUP(mig)
{
	if (!two_nodes())
		SKIP(return, "needs exactly 2 NUMA nodes");
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "numa-mig-%d", (int)getpid());
	ASSERT_EQ(0, events_open(&self->ev, self->name));
}

FIXTURE_TEARDOWN(mig)
{
	events_close(&self->ev);
	if (self->p)
		munmap(self->p, self->size);
	if (self->nl) {
		mshare_domain_destroy(self->nl, self->name);
		mshare_nl_close(self->nl);
	}
}

/*
 * Create @size bytes bound to node 0, prefaulted, with @flags (2 MiB
 * leaves or not), and attach it.
 */
static void mig_domain_flags(struct __test_metadata *_metadata,
			     FIXTURE_DATA(mig) *self, uint64_t size,
			     unsigned int flags)
{
	ASSERT_EQ(0, create_numa(self->nl, self->name, size,
				 MSHARE_DOMAIN_F_PREFAULT | flags,
				 MSHARE_NUMA_BIND, N0, 1))
		TH_LOG("create: %s", mshare_nl_extack(self->nl));
	ASSERT_EQ(0, attach_dom(self->name, 0, (void **)&self->p, &self->size));
	ASSERT_EQ(size, self->size);
}

static void mig_domain(struct __test_metadata *_metadata,
		       FIXTURE_DATA(mig) *self, uint64_t size)
{
	mig_domain_flags(_metadata, self, size, 0);
}

/* The page of the writers' test: a counter per writer, one shared. */
#define WRITERS		4
struct wpage {
	uint64_t count[WRITERS];	/* writer w only: plain increments */
	uint64_t shared;		/* everyone: atomic increments */
};

struct wctl {
	int stop;
	int passes[WRITERS];		/* full passes over the domain */
};

#define MIG_SIZE	(64 * MiB)
#define MIG_PAGES	(MIG_SIZE / PAGE)

/*
 * Writer @w: increments its slot and the shared counter of every page,
 * pass after pass, until told to stop; then sends what it counted per
 * page into @fd.
 */
static void writer(char *p, int w, struct wctl *ctl, int fd)
{
	uint32_t *mine = calloc(MIG_PAGES, sizeof(*mine));
	uint64_t i;
	size_t off;
	ssize_t n;

	if (!mine)
		_exit(1);
	while (!__atomic_load_n(&ctl->stop, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < MIG_PAGES; i++) {
			struct wpage *pg = (struct wpage *)(p + i * PAGE);

			((volatile uint64_t *)pg->count)[w]++;
			__atomic_fetch_add(&pg->shared, 1, __ATOMIC_RELAXED);
			mine[i]++;
		}
		__atomic_fetch_add(&ctl->passes[w], 1, __ATOMIC_RELEASE);
	}
	for (off = 0; off < MIG_PAGES * sizeof(*mine); off += n) {
		n = write(fd, (char *)mine + off, MIG_PAGES * sizeof(*mine) - off);
		if (n <= 0)
			_exit(2);
	}
	_exit(0);
}

static int read_full(int fd, void *buf, size_t len)
{
	size_t off;
	ssize_t n;

	for (off = 0; off < len; off += n) {
		n = read(fd, (char *)buf + off, len - off);
		if (n <= 0)
			return -1;
	}
	return 0;
}

/* A case of the mig fixture, run on a domain of @flags. */
typedef void mig_case(struct __test_metadata *_metadata,
		      FIXTURE_DATA(mig) *self, unsigned int flags);

/*
 * @run on a domain of 2 MiB leaves (none without THP): they move whole,
 * so the domain still has one table after, its PMD table.
 */
static void on_leaves(struct __test_metadata *_metadata,
		      FIXTURE_DATA(mig) *self, mig_case *run)
{
	struct mshare_domain_info d = MSHARE_INIT(d);

	if (!thp_built())
		SKIP(return, "no 2 MiB leaves here (no THP)");
	run(_metadata, self, MSHARE_DOMAIN_F_HUGE);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(1, d.table_pages);	/* still leaves: one PMD table */
}

/*
 * 4 writers increment counters in every page while the whole domain
 * (@flags: of 2 MiB leaves or not) moves to node 1: every write is there
 * after the move, every page and table is on node 1.
 */
static void writers_move(struct __test_metadata *_metadata,
			 FIXTURE_DATA(mig) *self, unsigned int flags)
{
	struct mshare_domain_stats s0 = MSHARE_INIT(s0), s1 = MSHARE_INIT(s1);
	struct mshare_migrate_result r = MSHARE_INIT(r);
	struct wctl *ctl;
	uint32_t *counts[WRITERS];
	pid_t pids[WRITERS];
	int fds[WRITERS][2];
	uint64_t i, bad = 0, bad_shared = 0;
	struct where w;
	double t0;
	int k, ret;

	mig_domain_flags(_metadata, self, MIG_SIZE, flags);
	ctl = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ctl);
	memset(ctl, 0, sizeof(*ctl));
	for (k = 0; k < WRITERS; k++) {
		ASSERT_EQ(0, pipe(fds[k]));
		pids[k] = flush_fork();
		ASSERT_LE(0, pids[k]);
		if (pids[k] == 0) {
			close(fds[k][0]);
			pin_cpu(k % 2);
			writer(self->p, k, ctl, fds[k][1]);
		}
		close(fds[k][1]);
	}
	/* every writer through the domain once before the move */
	t0 = now();
	for (k = 0; k < WRITERS; k++)
		while (!__atomic_load_n(&ctl->passes[k], __ATOMIC_ACQUIRE) &&
		       now() - t0 < 120)
			usleep(10000);

	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, &s0));
	ret = mshare_domain_migrate(self->nl, self->name, 1, 0, 0, &r);
	EXPECT_EQ(0, ret)
		TH_LOG("migrate: %s: %s", strerror(-ret), mshare_nl_extack(self->nl));
	usleep(300000);
	__atomic_store_n(&ctl->stop, 1, __ATOMIC_RELEASE);

	for (k = 0; k < WRITERS; k++) {
		counts[k] = calloc(MIG_PAGES, sizeof(uint32_t));
		ASSERT_NE(NULL, counts[k]);
		EXPECT_EQ(0, read_full(fds[k][0], counts[k],
				       MIG_PAGES * sizeof(uint32_t)));
		close(fds[k][0]);
		EXPECT_EQ(0, wait_exit_code(pids[k]));
	}
	TH_LOG("passes during the test: %d %d %d %d", ctl->passes[0],
	       ctl->passes[1], ctl->passes[2], ctl->passes[3]);

	EXPECT_EQ(1, r.node);
	EXPECT_EQ(MIG_PAGES, r.total);
	EXPECT_EQ(MIG_PAGES, r.done);
	EXPECT_EQ(0, r.skipped);

	/* no write lost */
	for (i = 0; i < MIG_PAGES; i++) {
		struct wpage *pg = (struct wpage *)(self->p + i * PAGE);
		uint64_t sum = 0;

		for (k = 0; k < WRITERS; k++) {
			if (pg->count[k] != counts[k][i] && bad++ < 5)
				TH_LOG("page %lu writer %d: %lu, it counted %u",
				       (unsigned long)i, k,
				       (unsigned long)pg->count[k], counts[k][i]);
			sum += counts[k][i];
		}
		if (pg->shared != sum && bad_shared++ < 5)
			TH_LOG("page %lu shared: %lu, sum %lu", (unsigned long)i,
			       (unsigned long)pg->shared, (unsigned long)sum);
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, bad_shared);
	for (k = 0; k < WRITERS; k++)
		free(counts[k]);

	/* all on node 1, as the kernel and the module see it */
	ASSERT_EQ(0, count_nodes(self->p, 0, MIG_PAGES, &w));
	EXPECT_EQ(MIG_PAGES, w.n1);
	EXPECT_EQ(0, w.n0);
	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, &s1));
	EXPECT_EQ(MIG_PAGES, s1.resident);
	EXPECT_EQ(MIG_PAGES, s1.node_pages[1]);
	EXPECT_EQ(0, s1.node_pages[0]);
	EXPECT_EQ(s0.migrations + 1, s1.migrations);
	EXPECT_EQ(s0.pages_migrated + MIG_PAGES, s1.pages_migrated);
	EXPECT_EQ(s0.migrate_skipped, s1.migrate_skipped);
	EXPECT_LT(s0.migrate_ns, s1.migrate_ns);
	/* the whole domain moved: its tables and home too */
	EXPECT_EQ(1, s1.home_node);
	EXPECT_EQ(s1.table_pages, s1.node_table_pages[1]);
	EXPECT_EQ(0, s1.node_table_pages[0]);
	check_stats_sums(_metadata, &s1);

	/* events: progress with growing counts, one MIGRATED, error 0 */
	events_read(&self->ev, 5000, got_migrated);
	EXPECT_LE(1, self->ev.progress);
	EXPECT_TRUE(self->ev.done_increasing);
	EXPECT_EQ(1, self->ev.migrated);
	EXPECT_EQ(0, self->ev.error);
	EXPECT_EQ(getpid(), self->ev.pid);
	EXPECT_EQ(1, self->ev.result.node);
	EXPECT_EQ(MIG_PAGES, self->ev.result.total);
	EXPECT_EQ(MIG_PAGES, self->ev.result.done);
	munmap(ctl, PAGE);
}

TEST_F_TIMEOUT(mig, whole_domain_under_4_writers_loses_no_write, 600)
{
	writers_move(_metadata, self, 0);
}

/* The same with 2 MiB leaves: each moves whole (32 leaves, 2 rounds). */
TEST_F_TIMEOUT(mig, huge_domain_under_4_writers_loses_no_write, 600)
{
	on_leaves(_metadata, self, writers_move);
}

/*
 * A range that cuts 2 MiB leaves moves them whole: [3 MiB, 5 MiB) of an
 * 8 MiB domain of leaves is the leaves [2 MiB, 6 MiB); the others stay.
 * The whole domain then moves its PMD table too.
 */
TEST_F_TIMEOUT(mig, huge_range_moves_whole_leaves, 300)
{
	const uint64_t size = 8 * MiB, pages = size / PAGE;
	const uint64_t from = 2 * MiB / PAGE, to = 6 * MiB / PAGE;
	struct mshare_domain_stats s = MSHARE_INIT(s);
	struct mshare_migrate_result r = MSHARE_INIT(r);
	struct where w;
	int ret;

	if (!thp_built())
		SKIP(return, "no 2 MiB leaves here (no THP)");
	mig_domain_flags(_metadata, self, size, MSHARE_DOMAIN_F_HUGE);
	fill_pattern(self->p, 0, pages, 8);
	ret = mshare_domain_migrate(self->nl, self->name, 1, 3 * MiB,
				    2 * MiB, &r);
	ASSERT_EQ(0, ret)
		TH_LOG("migrate: %s: %s", strerror(-ret), mshare_nl_extack(self->nl));
	EXPECT_EQ(to - from, r.total);
	EXPECT_EQ(to - from, r.done);
	EXPECT_EQ(0, r.skipped);
	EXPECT_EQ(0, count_bad(self->p, 0, pages, 8));
	ASSERT_EQ(0, count_nodes(self->p, from, to, &w));
	EXPECT_EQ(to - from, w.n1);
	ASSERT_EQ(0, count_nodes(self->p, 0, from, &w));
	EXPECT_EQ(from, w.n0);
	ASSERT_EQ(0, count_nodes(self->p, to, pages, &w));
	EXPECT_EQ(pages - to, w.n0);
	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, &s));
	EXPECT_EQ(to - from, s.node_pages[1]);
	EXPECT_EQ(to - from, s.pages_migrated);
	EXPECT_EQ(0, s.home_node);
	check_stats_sums(_metadata, &s);

	ASSERT_EQ(0, mshare_domain_migrate(self->nl, self->name, 1, 0, 0, &r));
	EXPECT_EQ(pages, r.total);
	EXPECT_EQ(pages, r.done);
	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, &s));
	EXPECT_EQ(pages, s.node_pages[1]);
	EXPECT_EQ(1, s.home_node);
	EXPECT_EQ(1, s.table_pages);
	EXPECT_EQ(1, s.node_table_pages[1]);
	EXPECT_EQ(0, count_bad(self->p, 0, pages, 8));
	ASSERT_EQ(0, count_nodes(self->p, 0, pages, &w));
	EXPECT_EQ(pages, w.n1);
	check_stats_sums(_metadata, &s);
}

/*
 * The whole domain of @pages pages, filled with fill_pattern(@seed), moves
 * to node 1: every page done and none skipped, every page's data intact
 * and on node 1, as the kernel and the module see it; *@s, the domain's
 * stats after.
 */
static void whole_domain_moves_intact(struct __test_metadata *_metadata,
				      FIXTURE_DATA(mig) *self, uint64_t pages,
				      uint64_t seed,
				      struct mshare_domain_stats *s)
{
	struct mshare_migrate_result r = MSHARE_INIT(r);
	struct where w;
	int ret;

	ret = mshare_domain_migrate(self->nl, self->name, 1, 0, 0, &r);
	ASSERT_EQ(0, ret)
		TH_LOG("migrate: %s: %s", strerror(-ret), mshare_nl_extack(self->nl));
	EXPECT_EQ(pages, r.total);
	EXPECT_EQ(pages, r.done);
	EXPECT_EQ(0, r.skipped);
	EXPECT_EQ(0, count_bad(self->p, 0, pages, seed));
	ASSERT_EQ(0, count_nodes(self->p, 0, pages, &w));
	EXPECT_EQ(pages, w.n1);
	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, s));
	EXPECT_EQ(pages, s->resident);
	EXPECT_EQ(pages, s->node_pages[1]);
}

/*
 * A 2 MiB split into a PTE table (a discard of one page) moves beside the
 * leaves, in a batch of its own: the batch of leaves ends before it, so
 * the kernel's walk through the attacher's PMD link to that table never
 * zaps the domain's entries.  Every page keeps its data and moves; the
 * domain keeps its PMD table and the split's PTE table.
 */
TEST_F_TIMEOUT(mig, huge_split_leaf_moves_beside_the_leaves, 300)
{
	const uint64_t size = 8 * MiB, pages = size / PAGE;
	struct mshare_domain_stats s = MSHARE_INIT(s);

	if (!thp_built())
		SKIP(return, "no 2 MiB leaves here (no THP)");
	mig_domain_flags(_metadata, self, size, MSHARE_DOMAIN_F_HUGE);
	fill_pattern(self->p, 0, pages, 21);
	ASSERT_EQ(0, mshare_domain_discard(self->nl, self->name, 2 * MiB + 5 * PAGE,
					   PAGE));
	/* the page again, through a PMD link to the split's PTE table */
	fill_pattern(self->p, 512 + 5, 512 + 6, 21);
	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, &s));
	ASSERT_EQ(2, s.table_pages);

	whole_domain_moves_intact(_metadata, self, pages, 21, &s);
	EXPECT_EQ(2, s.table_pages);
	EXPECT_EQ(2, s.node_table_pages[1]);
	check_stats_sums(_metadata, &s);
}

/*
 * 1 GiB of leaves linked at PUD level (where the kernel links whole GiBs),
 * two of them on the target already: the batch clears them too while it
 * runs (the kernel's walk through the PUD link would clear a leaf it
 * finds), puts them back as they were, and counts them done.
 */
TEST_F_TIMEOUT(mig, huge_leaves_already_there_stay_through_a_pud_link, 600)
{
	const uint64_t pages = GiB / PAGE;
	struct mshare_migrate_result r = MSHARE_INIT(r);
	struct mshare_domain_stats s = MSHARE_INIT(s);
	struct mshare_domain_info d = MSHARE_INIT(d);

	if (!thp_built())
		SKIP(return, "no 2 MiB leaves here (no THP)");
	mig_domain_flags(_metadata, self, GiB, MSHARE_DOMAIN_F_HUGE);
	fill_pattern(self->p, 0, pages, 23);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	if (pud_links_possible())
		EXPECT_EQ(1, d.links_pud);
	ASSERT_EQ(0, mshare_domain_migrate(self->nl, self->name, 1, 0,
					   4 * MiB, &r));
	EXPECT_EQ(1024, r.done);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	if (pud_links_possible())
		EXPECT_EQ(1, d.links_pud);	/* a leaf batch keeps links */

	whole_domain_moves_intact(_metadata, self, pages, 23, &s);
	EXPECT_EQ(pages, s.pages_migrated);
	EXPECT_EQ(1, s.table_pages);
	check_stats_sums(_metadata, &s);
}

/*
 * A leaf with a page pinned (vmsplice) stays whole where it is, counted
 * as 512 skipped pages, its data intact; the other leaf moves.
 */
TEST_F_TIMEOUT(mig, huge_pinned_leaf_is_skipped_whole, 300)
{
	const uint64_t size = 4 * MiB, pages = size / PAGE;
	struct mshare_migrate_result r = MSHARE_INIT(r);
	struct mshare_domain_stats s = MSHARE_INIT(s);
	struct iovec iov;
	uint64_t buf[PAGE / sizeof(uint64_t)];
	struct where w;
	int pfd[2], ret;

	if (!thp_built())
		SKIP(return, "no 2 MiB leaves here (no THP)");
	mig_domain_flags(_metadata, self, size, MSHARE_DOMAIN_F_HUGE);
	fill_pattern(self->p, 0, pages, 14);
	ASSERT_EQ(0, pipe(pfd));
	iov.iov_base = self->p + 9 * PAGE;
	iov.iov_len = PAGE;
	ASSERT_EQ(PAGE, vmsplice(pfd[1], &iov, 1, SPLICE_F_NONBLOCK));

	ret = mshare_domain_migrate(self->nl, self->name, 1, 0, 0, &r);
	ASSERT_EQ(0, ret)
		TH_LOG("migrate: %s: %s", strerror(-ret), mshare_nl_extack(self->nl));
	EXPECT_EQ(pages, r.total);
	EXPECT_EQ(512, r.skipped);
	EXPECT_EQ(512, r.done);
	EXPECT_EQ(0, count_bad(self->p, 0, pages, 14));
	ASSERT_EQ(0, count_nodes(self->p, 0, 512, &w));
	EXPECT_EQ(512, w.n0);
	ASSERT_EQ(0, count_nodes(self->p, 512, pages, &w));
	EXPECT_EQ(512, w.n1);
	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, &s));
	EXPECT_EQ(512, s.migrate_skipped);
	EXPECT_EQ(512, s.node_pages[0]);
	EXPECT_EQ(512, s.node_pages[1]);
	check_stats_sums(_metadata, &s);
	ASSERT_EQ(PAGE, read(pfd[0], buf, PAGE));
	EXPECT_EQ(page_pattern(14, 9), buf[0]);
	close(pfd[0]);
	close(pfd[1]);
}

/*
 * Pages that appear while a domain moves are moved too, and counted: no
 * reply or event ever says more pages done than its total.
 */
TEST_F_TIMEOUT(mig, pages_filled_during_the_move_count_in_its_total, 300)
{
	struct mshare_migrate_result r = MSHARE_INIT(r);
	uint64_t i;
	pid_t pid;
	int ret;

	ASSERT_EQ(0, create_numa(self->nl, self->name, MIG_SIZE, 0,
				 MSHARE_NUMA_BIND, N0, 1));
	ASSERT_EQ(0, attach_dom(self->name, 0, (void **)&self->p, &self->size));
	touch_all(self->p, MIG_PAGES / 4);
	pid = flush_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Fill the rest from the end, as the move goes from the start. */
		for (i = MIG_PAGES - 1; i >= MIG_PAGES / 4; i--)
			*(volatile uint64_t *)(self->p + i * PAGE) = i;
		pause();
	}
	ret = mshare_domain_migrate(self->nl, self->name, 1, 0, 0, &r);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ASSERT_EQ(0, ret) TH_LOG("migrate: %s", mshare_nl_extack(self->nl));
	TH_LOG("total %lu done %lu skipped %lu", (unsigned long)r.total,
	       (unsigned long)r.done, (unsigned long)r.skipped);
	EXPECT_LE(r.done + r.skipped, r.total);
	EXPECT_LE(MIG_PAGES / 4, r.total);
	events_read(&self->ev, 5000, got_migrated);
	EXPECT_EQ(1, self->ev.migrated);
	EXPECT_FALSE(self->ev.over_total);
}

/* Node @nid's MemFree in KiB, or -1. */
static long node_free_kb(int nid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo",
		 nid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "MemFree:"))
			sscanf(strstr(line, "MemFree:") + 8, "%ld", &kb);
	fclose(f);
	return kb;
}

static sigjmp_buf bus_jmp;

static void on_bus(int sig)
{
	siglongjmp(bus_jmp, 1);
}

/*
 * A page bound to a node that is full cannot come from anywhere else, and
 * no OOM kill elsewhere can help: the fault gets SIGBUS (as abi.rst says),
 * it does not retry forever.  A prefaulted domain bound there fails to be
 * created with ENOSPC.
 */
TEST_F_TIMEOUT(mig, bind_to_a_full_node_faults_with_sigbus, 300)
{
	const uint32_t n1[] = { 1 };
	char big[MSHARE_NAME_MAX];
	volatile uint64_t off = 0;
	long kb = node_free_kb(1);
	uint64_t fill;
	int ret, bus = 0;

	ASSERT_LT(512 * 1024, kb);
	/*
	 * A prefaulted domain bound to node 1 takes all but about 160 MiB of
	 * it (less if the watermarks keep more of it back).
	 */
	snprintf(big, sizeof(big), "numa-fill-%d", (int)getpid());
	for (fill = ((uint64_t)kb * 1024 - 160 * MiB) & ~(2 * MiB - 1);;
	     fill -= 64 * MiB) {
		ret = create_numa(self->nl, big, fill, MSHARE_DOMAIN_F_PREFAULT,
				  MSHARE_NUMA_BIND, n1, 1);
		if (ret != -ENOSPC || fill < 512 * MiB)
			break;
	}
	ASSERT_EQ(0, ret) TH_LOG("fill node 1: %s", mshare_nl_extack(self->nl));
	TH_LOG("%lu MiB of node 1 held, %ld MiB free now",
	       (unsigned long)(fill >> 20), node_free_kb(1) >> 10);
	/* More than what is left, prefaulted: cannot be made. */
	EXPECT_EQ(-ENOSPC, create_numa(self->nl, self->name, 512 * MiB,
				       MSHARE_DOMAIN_F_PREFAULT,
				       MSHARE_NUMA_BIND, n1, 1));
	ASSERT_EQ(0, create_numa(self->nl, self->name, 512 * MiB, 0,
				 MSHARE_NUMA_BIND, n1, 1));
	ASSERT_EQ(0, attach_dom(self->name, 0, (void **)&self->p, &self->size));
	signal(SIGBUS, on_bus);
	if (sigsetjmp(bus_jmp, 1))
		bus = 1;
	else
		for (off = 0; off < 512 * MiB; off += PAGE)
			*(volatile uint64_t *)(self->p + off) = off;
	signal(SIGBUS, SIG_DFL);
	TH_LOG("SIGBUS %s at %lu MiB", bus ? "came" : "did not come",
	       (unsigned long)(off >> 20));
	EXPECT_EQ(1, bus);
	EXPECT_LT(0, off);
	EXPECT_GT(512 * MiB, off);
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, big));
}

TEST_F_TIMEOUT(mig, range_moves_only_the_range, 300)
{
	const uint64_t size = 8 * MiB, pages = size / PAGE;
	const uint64_t from = 2 * MiB / PAGE, to = 3 * MiB / PAGE;
	struct mshare_domain_stats s = MSHARE_INIT(s);
	struct mshare_migrate_result r = MSHARE_INIT(r);
	struct where w;
	int ret;

	mig_domain(_metadata, self, size);
	fill_pattern(self->p, 0, pages, 7);
	ret = mshare_domain_migrate(self->nl, self->name, 1, 2 * MiB, MiB, &r);
	ASSERT_EQ(0, ret)
		TH_LOG("migrate: %s: %s", strerror(-ret), mshare_nl_extack(self->nl));
	EXPECT_EQ(1, r.node);
	EXPECT_EQ(to - from, r.total);
	EXPECT_EQ(to - from, r.done);
	EXPECT_EQ(0, r.skipped);
	EXPECT_EQ(0, count_bad(self->p, 0, pages, 7));

	ASSERT_EQ(0, count_nodes(self->p, from, to, &w));
	EXPECT_EQ(to - from, w.n1);
	ASSERT_EQ(0, count_nodes(self->p, 0, from, &w));
	EXPECT_EQ(from, w.n0);
	ASSERT_EQ(0, count_nodes(self->p, to, pages, &w));
	EXPECT_EQ(pages - to, w.n0);

	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, &s));
	EXPECT_EQ(to - from, s.node_pages[1]);
	EXPECT_EQ(pages - (to - from), s.node_pages[0]);
	EXPECT_EQ(1, s.migrations);
	EXPECT_EQ(to - from, s.pages_migrated);
	/* a part moved: tables and home stay */
	EXPECT_EQ(0, s.home_node);
	EXPECT_EQ(s.table_pages, s.node_table_pages[0]);
	EXPECT_EQ(0, s.node_table_pages[1]);
	check_stats_sums(_metadata, &s);

	/* and back: the node holds nothing any more */
	ASSERT_EQ(0, mshare_domain_migrate(self->nl, self->name, 0, 2 * MiB,
					   MiB, &r));
	EXPECT_EQ(to - from, r.done);
	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, &s));
	EXPECT_EQ(pages, s.node_pages[0]);
	EXPECT_EQ(0, s.node_pages[1]);
	EXPECT_EQ(0, count_bad(self->p, 0, pages, 7));
}

static void on_usr1(int sig)
{
	(void)sig;
}

#define CANCEL_SIZE	(512 * MiB)
#define CANCEL_PAGES	(CANCEL_SIZE / PAGE)

/*
 * A migration of 512 MiB started by a child process that a signal (with
 * a handler: pending, not fatal) reaches once the first progress event
 * is out: it stops between batches with EINTR.
 */
TEST_F_TIMEOUT(mig, pending_signal_cancels_between_batches, 600)
{
	struct mshare_module_info mi = MSHARE_INIT(mi);
	double t0, worst;
	int i;
	struct mshare_domain_stats s = MSHARE_INIT(s);
	struct where w;
	int pipefd[2], res[2] = { 1, 0 };
	pid_t pid;
	char c;

	mig_domain(_metadata, self, CANCEL_SIZE);
	fill_pattern(self->p, 0, CANCEL_PAGES, 11);
	ASSERT_EQ(0, pipe(pipefd));
	pid = flush_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_usr1 };
		struct mshare_migrate_result r = MSHARE_INIT(r);
		struct mshare_nl *nl;
		int ret;

		close(pipefd[0]);
		sigaction(SIGUSR1, &sa, NULL);
		if (nl_open(&nl))
			_exit(1);
		if (write(pipefd[1], "r", 1) != 1)
			_exit(1);
		ret = mshare_domain_migrate(nl, self->name, 1, 0, 0, &r);
		res[0] = ret;
		res[1] = (int)r.done;
		if (write(pipefd[1], res, sizeof(res)) != sizeof(res))
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	events_read(&self->ev, 120000, got_progress);
	EXPECT_LE(1, self->ev.progress);
	/*
	 * Other requests do not wait for the migration (the family runs its
	 * handlers without genl_mutex): GET_INFO answers while it runs.
	 */
	worst = 0;
	for (i = 0; i < 5; i++) {
		t0 = now();
		ASSERT_EQ(0, mshare_module_info(self->nl, &mi));
		if (now() - t0 > worst)
			worst = now() - t0;
	}
	EXPECT_EQ(0, waitpid(pid, NULL, WNOHANG));
	TH_LOG("GET_INFO during the migration: worst %.1f ms", worst * 1e3);
	EXPECT_GT(0.5, worst);
	kill(pid, SIGUSR1);
	ASSERT_EQ(0, read_full(pipefd[0], res, sizeof(res)));
	close(pipefd[0]);
	EXPECT_EQ(0, wait_exit_code(pid));
	EXPECT_EQ(-EINTR, res[0]);

	/* every page valid, some on each node, the stats agree */
	EXPECT_EQ(0, count_bad(self->p, 0, CANCEL_PAGES, 11));
	ASSERT_EQ(0, count_nodes(self->p, 0, CANCEL_PAGES, &w));
	TH_LOG("after the cancel: %lu pages on node 0, %lu on node 1",
	       (unsigned long)w.n0, (unsigned long)w.n1);
	EXPECT_EQ(CANCEL_PAGES, w.n0 + w.n1);
	EXPECT_LT(0, w.n0);
	EXPECT_LT(0, w.n1);
	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, &s));
	EXPECT_EQ(CANCEL_PAGES, s.resident);
	EXPECT_EQ(w.n0, s.node_pages[0]);
	EXPECT_EQ(w.n1, s.node_pages[1]);
	EXPECT_EQ(w.n1, s.pages_migrated);
	check_stats_sums(_metadata, &s);

	events_read(&self->ev, 5000, got_migrated);
	EXPECT_EQ(1, self->ev.migrated);
	EXPECT_EQ(EINTR, self->ev.error);
	EXPECT_EQ(pid, self->ev.pid);
	EXPECT_EQ(w.n1, self->ev.result.done);
	EXPECT_TRUE(self->ev.done_increasing);
}

/* ---- pinned pages ---- */

/*
 * Page 5 registered as an io_uring fixed buffer (a long-term FOLL_PIN),
 * page 9 referenced by a pipe through vmsplice: the pinned page stays on
 * node 0 and counts as skipped; io_uring then writes through the pin and
 * the mapping sees it (the pin and the mapping are still the same page);
 * the pipe returns what was spliced; every page keeps its data.  A kernel
 * that refuses io_uring buffers in file-backed memory (6.1:
 * uring_file_buffers()) fails the registration with EOPNOTSUPP: page 5
 * is not pinned and moves, page 9 alone is skipped.
 */
TEST_F_TIMEOUT(mig, pinned_page_is_skipped_and_keeps_its_data, 300)
{
	const uint64_t size = 4 * MiB, pages = size / PAGE;
	const int uring_pins = uring_file_buffers();
	struct mshare_migrate_result r = MSHARE_INIT(r);
	struct mshare_domain_stats s = MSHARE_INIT(s);
	struct uring ring;
	struct iovec iov;
	int pfd[2], mfd, st = -1, ret;
	char *buf;

	ret = uring_init(&ring, 4);
	if (ret == -ENOSYS || ret == -EPERM)
		SKIP(return, "io_uring unavailable: %s", strerror(-ret));
	ASSERT_EQ(0, ret);
	mig_domain(_metadata, self, size);
	fill_pattern(self->p, 0, pages, 13);

	iov.iov_base = self->p + 5 * PAGE;
	iov.iov_len = PAGE;
	ret = syscall(__NR_io_uring_register, ring.fd, IORING_REGISTER_BUFFERS,
		      &iov, 1);
	if (uring_pins) {
		ASSERT_EQ(0, ret)
			TH_LOG("IORING_REGISTER_BUFFERS: %s", strerror(errno));
	} else {
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EOPNOTSUPP, errno);
	}
	ASSERT_EQ(0, pipe(pfd));
	iov.iov_base = self->p + 9 * PAGE;
	ASSERT_EQ(PAGE, vmsplice(pfd[1], &iov, 1, SPLICE_F_NONBLOCK));

	ret = mshare_domain_migrate(self->nl, self->name, 1, 0, 0, &r);
	ASSERT_EQ(0, ret)
		TH_LOG("migrate: %s: %s", strerror(-ret), mshare_nl_extack(self->nl));
	TH_LOG("total %lu done %lu skipped %lu", (unsigned long)r.total,
	       (unsigned long)r.done, (unsigned long)r.skipped);
	EXPECT_EQ(pages, r.total);
	EXPECT_LE(1, r.skipped);
	EXPECT_EQ(pages, r.done + r.skipped);
	EXPECT_EQ(0, count_bad(self->p, 0, pages, 13));
	ASSERT_EQ(0, page_status(self->p + 5 * PAGE, 1, &st));
	EXPECT_EQ(uring_pins ? 0 : 1, st);
	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, &s));
	EXPECT_EQ(r.skipped, s.migrate_skipped);
	EXPECT_EQ(r.skipped, s.node_pages[0]);
	EXPECT_EQ(r.done, s.node_pages[1]);
	check_stats_sums(_metadata, &s);

	/* io_uring writes through its pin: the mapping sees it */
	buf = malloc(PAGE);
	ASSERT_NE(NULL, buf);
	if (uring_pins) {
		memset(buf, 0x3c, PAGE);
		mfd = memfd_create("numa-uring", MFD_CLOEXEC);
		ASSERT_LE(0, mfd);
		ASSERT_EQ(PAGE, pwrite(mfd, buf, PAGE, 0));
		EXPECT_EQ(PAGE, uring_rw_fixed(&ring, IORING_OP_READ_FIXED, mfd,
						 self->p + 5 * PAGE, PAGE, 0));
		EXPECT_EQ(0, memcmp(self->p + 5 * PAGE, buf, PAGE));
		close(mfd);
	}

	/* the pipe gives back what was spliced */
	ASSERT_EQ(PAGE, read(pfd[0], buf, PAGE));
	EXPECT_EQ(page_pattern(13, 9), *(uint64_t *)buf);
	EXPECT_EQ(0, count_bad(self->p, 9, 10, 13));

	if (uring_pins)
		EXPECT_EQ(0, syscall(__NR_io_uring_register, ring.fd,
				     IORING_UNREGISTER_BUFFERS, NULL, 0));
	uring_exit(&ring);
	close(pfd[0]);
	close(pfd[1]);
	free(buf);
}

/* ---- automatic placement ---- */

/* Touch every page (read and write) until *@stop. */
static void toucher(char *p, uint64_t pages, int cpu, volatile int *stop)
{
	uint64_t i;

	pin_cpu(cpu);
	while (!*stop)
		for (i = 0; i < pages; i++)
			((volatile uint64_t *)(p + i * PAGE))[1]++;
	_exit(0);
}

#define AUTO_SIZE	(16 * MiB)
#define AUTO_PAGES	(AUTO_SIZE / PAGE)

/* Run one toucher per entry of @cpus for up to @secs, polling the stats. */
static void run_touchers(struct __test_metadata *_metadata,
			 FIXTURE_DATA(mig) *self, const int *cpus, int n,
			 double secs, bool until_home_1,
			 struct mshare_domain_stats *s)
{
	volatile int *stop;
	pid_t pids[4];
	double t0;
	int k;

	stop = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, stop);
	*stop = 0;
	for (k = 0; k < n; k++) {
		pids[k] = flush_fork();
		ASSERT_LE(0, pids[k]);
		if (pids[k] == 0)
			toucher(self->p, AUTO_PAGES, cpus[k], stop);
	}
	t0 = now();
	while (now() - t0 < secs) {
		usleep(500000);
		ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, s));
		/*
		 * The migration counts itself after it moved the pages and
		 * the tables: wait for the count too.
		 */
		if (until_home_1 && s->home_node == 1 &&
		    s->node_pages[1] == s->resident && s->migrations)
			break;
	}
	TH_LOG("after %.1f s: home %d, node 0 %lu pages, node 1 %lu, migrations %lu",
	       now() - t0, s->home_node, (unsigned long)s->node_pages[0],
	       (unsigned long)s->node_pages[1], (unsigned long)s->migrations);
	*stop = 1;
	for (k = 0; k < n; k++)
		EXPECT_EQ(0, wait_exit_code(pids[k]));
	munmap((void *)stop, PAGE);
}

/* Two touchers on node 1's CPU bring a domain (@flags) home there. */
static void auto_follows(struct __test_metadata *_metadata,
			 FIXTURE_DATA(mig) *self, unsigned int flags)
{
	const int cpus[] = { 1, 1 };
	struct mshare_domain_stats s = MSHARE_INIT(s);
	struct where w;

	ASSERT_EQ(0, create_numa(self->nl, self->name, AUTO_SIZE,
				 MSHARE_DOMAIN_F_PREFAULT | flags,
				 MSHARE_NUMA_AUTO, N0, 1))
		TH_LOG("create: %s", mshare_nl_extack(self->nl));
	ASSERT_EQ(0, attach_dom(self->name, 0, (void **)&self->p, &self->size));
	fill_pattern(self->p, 0, AUTO_PAGES, 17);
	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, &s));
	ASSERT_EQ(0, s.home_node);
	ASSERT_EQ(AUTO_PAGES, s.node_pages[0]);

	run_touchers(_metadata, self, cpus, 2, 40, true, &s);
	EXPECT_EQ(1, s.home_node);
	EXPECT_EQ(AUTO_PAGES, s.node_pages[1]);
	EXPECT_LE(1, s.migrations);
	EXPECT_EQ(s.table_pages, s.node_table_pages[1]);
	/*
	 * The move of the tables unlinked this process (only the touchers
	 * linked again): read every page first, so that move_pages() finds
	 * them through our own links.
	 */
	EXPECT_EQ(0, count_bad(self->p, 0, AUTO_PAGES, 17));
	ASSERT_EQ(0, count_nodes(self->p, 0, AUTO_PAGES, &w));
	EXPECT_EQ(AUTO_PAGES, w.n1);

	/* its MIGRATED event says "automatic": pid 0 */
	events_read(&self->ev, 2000, got_migrated);
	EXPECT_LE(1, self->ev.migrated);
	EXPECT_EQ(0, self->ev.pid);
	EXPECT_EQ(0, self->ev.error);
}

TEST_F_TIMEOUT(mig, auto_follows_attachers_on_node_1, 120)
{
	auto_follows(_metadata, self, 0);
}

/* The same with 2 MiB leaves: 8 leaves and one PMD table move. */
TEST_F_TIMEOUT(mig, auto_moves_a_huge_domain_too, 120)
{
	on_leaves(_metadata, self, auto_follows);
}

TEST_F_TIMEOUT(mig, auto_does_not_flap_with_split_attachers, 120)
{
	const int cpus[] = { 0, 1 };
	struct mshare_domain_stats s = MSHARE_INIT(s);

	ASSERT_EQ(0, create_numa(self->nl, self->name, AUTO_SIZE,
				 MSHARE_DOMAIN_F_PREFAULT, MSHARE_NUMA_AUTO,
				 N0, 1))
		TH_LOG("create: %s", mshare_nl_extack(self->nl));
	ASSERT_EQ(0, attach_dom(self->name, 0, (void **)&self->p, &self->size));
	run_touchers(_metadata, self, cpus, 2, 15, false, &s);
	EXPECT_EQ(0, s.migrations);
	EXPECT_EQ(0, s.home_node);
	EXPECT_EQ(AUTO_PAGES, s.node_pages[0]);
	events_read(&self->ev, 500, NULL);
	EXPECT_EQ(0, self->ev.migrated);
}

TEST_HARNESS_MAIN
