// SPDX-License-Identifier: GPL-2.0
/*
 * libmshare-preload.so: an unmodified program (preload_victim) run with
 * LD_PRELOAD gets its big MAP_SHARED | MAP_ANONYMOUS mappings from fresh
 * mshare domains, its small ones from the kernel as usual; the data is
 * shared with forked children; the domains leave no name behind and their
 * memory goes with the last mapping.
 *
 * The library and the helper are looked up next to this program (in the VM:
 * /selftests/libmshare-preload.so and /selftests/preload_victim).
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mshare.h"
#include "mshare_util.h"
#include "preload_util.h"
#include "kselftest_harness.h"

#define MAX_LINES	16
#define UNPRIV_UID	1000

/* As the old helper did: preload_victim as @uid (0: root). */
static int victim_start(struct victim *v, const char *const *env, uid_t uid,
			char *const args[])
{
	struct victim_opts o = { .prog = "preload_victim", .env = env,
				 .uid = uid, .gid = uid };

	return victim_spawn(v, &o, args);
}

struct map_line {
	unsigned long long size, vma, zero_bad, bad;
	char domain[MSHARE_NAME_MAX + 16];
};

static int parse_map(const char *line, struct map_line *m)
{
	int i;

	return sscanf(line, "map i=%d size=%llu domain=%79s vma=%llu zero_bad=%llu bad=%llu",
		      &i, &m->size, m->domain, &m->vma, &m->zero_bad, &m->bad) == 6 ? 0 : -1;
}

static int is_preloaded(const struct map_line *m, const char *prefix, pid_t pid)
{
	char want[MSHARE_NAME_MAX];

	snprintf(want, sizeof(want), "%s-%d-", prefix, (int)pid);
	return !strncmp(m->domain, want, strlen(want));
}

struct named {
	char prefix[MSHARE_NAME_MAX];
	int names;			/* not deleted */
	int n;				/* all of them, deleted too */
	struct mshare_domain_info d;	/* the last one */
};

static void named_cb(const struct mshare_domain_info *d, void *arg)
{
	struct named *f = arg;

	if (strncmp(d->name, f->prefix, strlen(f->prefix)))
		return;
	f->n++;
	if (!d->deleted)
		f->names++;
	f->d = *d;
}

/*
 * Names @prefix-* left behind (a dump also lists the domains whose names
 * were deleted while they are mapped: those are not counted).
 */
static int leftovers(struct mshare_nl *nl, const char *prefix)
{
	struct named f = { .names = 0 };

	snprintf(f.prefix, sizeof(f.prefix), "%s-", prefix);
	if (mshare_domain_dump(nl, named_cb, &f) < 0)
		return -1;
	return f.names;
}

#define GROUP	1500		/* granted in the tests that say so */

FIXTURE(pre) {
	struct mshare_nl *nl;
	int grant;
	struct mshare_module_info base;
	struct victim v;
	char lines[MAX_LINES][256];
};

FIXTURE_SETUP(pre)
{
	char lib[PATH_MAX];

	self->v.pid = 0;
	self->grant = 0;
	if (access(next_to_self("libmshare-preload.so", lib, sizeof(lib)), R_OK))
		SKIP(return, "libmshare-preload.so not next to this program");
	ASSERT_EQ(0, nl_open(&self->nl));
	self->base.size = sizeof(self->base);
	ASSERT_EQ(0, mshare_module_info(self->nl, &self->base));
}

FIXTURE_TEARDOWN(pre)
{
	if (self->v.pid > 0) {
		kill(self->v.pid, SIGKILL);
		waitpid(self->v.pid, NULL, 0);
	}
	if (self->grant)
		mshare_limit_del(self->nl, MSHARE_LIMIT_GROUP, GROUP);
	mshare_nl_close(self->nl);
}

/* The module's counts are back to what they were before the test. */
static void expect_baseline(struct __test_metadata *_metadata, FIXTURE_DATA(pre) *self)
{
	struct mshare_module_info now = MSHARE_INIT(now);

	ASSERT_EQ(0, mshare_module_info(self->nl, &now));
	EXPECT_EQ(self->base.domains, now.domains);
	EXPECT_EQ(self->base.data_pages, now.data_pages);
	EXPECT_EQ(self->base.table_pages, now.table_pages);
}

/*
 * MSHARE_PRELOAD_MIN=8M: 17 MiB + 4 KiB and 8 MiB go to domains (the first
 * rounded up to 18 MiB), 1 MiB and 8 MiB - 4 KiB do not.  While the program
 * runs, the module holds two domains more (with no names left) and the data
 * pages the children wrote; when it exits, all of it goes.
 */
TEST_F(pre, big_mappings_in_domains)
{
	const char *env[] = { "MSHARE_PRELOAD_MIN=8M", NULL };
	char *args[] = { "--hold", "17409K", "1M", "8M", "8188K", NULL };
	struct mshare_module_info now = MSHARE_INIT(now);
	struct map_line m[4];
	int i;

	ASSERT_EQ(0, victim_start(&self->v, env, 0, args));
	ASSERT_EQ(4, victim_read(&self->v, self->lines, MAX_LINES, "ready"));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, parse_map(self->lines[i], &m[i])) TH_LOG("%s", self->lines[i]);
		EXPECT_EQ(0, m[i].zero_bad);
		EXPECT_EQ(0, m[i].bad);
	}
	EXPECT_TRUE(is_preloaded(&m[0], "preload", self->v.pid)) TH_LOG("%s", m[0].domain);
	EXPECT_EQ(18 * MiB, m[0].vma);
	EXPECT_STREQ("-", m[1].domain);
	EXPECT_EQ(1 * MiB, m[1].vma);
	EXPECT_TRUE(is_preloaded(&m[2], "preload", self->v.pid)) TH_LOG("%s", m[2].domain);
	EXPECT_EQ(8 * MiB, m[2].vma);
	EXPECT_STREQ("-", m[3].domain);

	ASSERT_EQ(0, mshare_module_info(self->nl, &now));
	EXPECT_EQ(self->base.domains + 2, now.domains);
	/* every page of 17 MiB + 4 KiB and 8 MiB was written by a child */
	EXPECT_EQ(self->base.data_pages + (17 * MiB + 4 * KiB + 8 * MiB) / PAGE,
		  now.data_pages);
	EXPECT_EQ(0, leftovers(self->nl, "preload"));

	EXPECT_EQ(0, victim_end(&self->v));
	expect_baseline(_metadata, self);
}

/*
 * The victim, run with @env and @args (--hold and two sizes), maps the
 * first size in a domain named with @prefix and the second one not: both
 * read back what the children wrote, and the module holds one domain
 * more.  @m: the two mappings' lines.
 */
static void first_of_two_preloaded(struct __test_metadata *_metadata,
				   FIXTURE_DATA(pre) *self, const char *const *env,
				   char **args, const char *prefix,
				   struct map_line *m)
{
	struct mshare_module_info now = MSHARE_INIT(now);

	ASSERT_EQ(0, victim_start(&self->v, env, 0, args));
	ASSERT_EQ(2, victim_read(&self->v, self->lines, MAX_LINES, "ready"));
	ASSERT_EQ(0, parse_map(self->lines[0], &m[0]));
	ASSERT_EQ(0, parse_map(self->lines[1], &m[1]));
	EXPECT_TRUE(is_preloaded(&m[0], prefix, self->v.pid)) TH_LOG("%s", m[0].domain);
	EXPECT_STREQ("-", m[1].domain);
	EXPECT_EQ(0, m[0].bad + m[0].zero_bad + m[1].bad + m[1].zero_bad);
	ASSERT_EQ(0, mshare_module_info(self->nl, &now));
	EXPECT_EQ(self->base.domains + 1, now.domains);
}

/*
 * MSHARE_PRELOAD_MIN is decimal (or 0x hexadecimal), never octal: "010M" is
 * 10 MiB, so 10 MiB goes to a domain and 9 MiB (above octal's 8 MiB) does
 * not.
 */
TEST_F(pre, min_with_a_leading_zero_is_decimal)
{
	const char *env[] = { "MSHARE_PRELOAD_MIN=010M", NULL };
	char *args[] = { "--hold", "10M", "9M", NULL };
	struct map_line m[2];

	first_of_two_preloaded(_metadata, self, env, args, "preload", m);
	EXPECT_EQ(10 * MiB, m[0].vma);
	EXPECT_EQ(0, victim_end(&self->v));
	expect_baseline(_metadata, self);
}

/* The default threshold is 64 MiB; MSHARE_PRELOAD_PREFIX names the domains. */
TEST_F(pre, default_min_and_prefix)
{
	const char *env[] = { "MSHARE_PRELOAD_PREFIX=pretest", NULL };
	char *args[] = { "--hold", "64M", "63M", NULL };
	struct map_line m[2];

	first_of_two_preloaded(_metadata, self, env, args, "pretest", m);
	EXPECT_EQ(0, leftovers(self->nl, "pretest"));
	EXPECT_EQ(0, victim_end(&self->v));
	expect_baseline(_metadata, self);
}

/* MSHARE_PRELOAD=0: nothing goes to a domain. */
TEST_F(pre, off_switch)
{
	const char *env[] = { "MSHARE_PRELOAD=0", "MSHARE_PRELOAD_MIN=4M", NULL };
	char *args[] = { "--hold", "16M", NULL };
	struct mshare_module_info now = MSHARE_INIT(now);
	struct map_line m;

	ASSERT_EQ(0, victim_start(&self->v, env, 0, args));
	ASSERT_EQ(1, victim_read(&self->v, self->lines, MAX_LINES, "ready"));
	ASSERT_EQ(0, parse_map(self->lines[0], &m));
	EXPECT_STREQ("-", m.domain);
	EXPECT_EQ(0, m.bad + m.zero_bad);
	ASSERT_EQ(0, mshare_module_info(self->nl, &now));
	EXPECT_EQ(self->base.domains, now.domains);
	EXPECT_EQ(0, victim_end(&self->v));
	expect_baseline(_metadata, self);
}

/*
 * munmap(p, len) of a mapping of 9 MiB + 4 KiB unmaps the whole 10 MiB
 * domain; a child forked before keeps the memory and its data; once the
 * children are gone the memory is freed while the program still runs.
 */
TEST_F(pre, munmap_whole_and_fork_survivor)
{
	const char *env[] = { "MSHARE_PRELOAD_MIN=4M", NULL };
	char *args[] = { "--hold", "--unmap", "9220K", "8M", NULL };
	int i, ret, left, rc;

	ASSERT_EQ(0, victim_start(&self->v, env, 0, args));
	ASSERT_EQ(2, victim_read(&self->v, self->lines, MAX_LINES, "ready"));
	for (i = 0; i < 2; i++) {
		struct map_line m;

		ASSERT_EQ(0, parse_map(self->lines[i], &m));
		EXPECT_TRUE(is_preloaded(&m, "preload", self->v.pid)) TH_LOG("%s", m.domain);
		EXPECT_EQ(0, m.bad + m.zero_bad);
	}
	victim_go(&self->v);
	ASSERT_EQ(2, victim_read(&self->v, self->lines, MAX_LINES, "unmapped"));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(3, sscanf(self->lines[i], "unmap i=%*d ret=%d mshare_left=%d survivor=%d",
				    &ret, &left, &rc)) TH_LOG("%s", self->lines[i]);
		EXPECT_EQ(0, ret);
		EXPECT_EQ(0, left);
		EXPECT_EQ(0, rc);
	}
	ASSERT_EQ(0, victim_read(&self->v, self->lines, MAX_LINES, "ready"));
	/* still running, nothing mapped: everything is freed */
	expect_baseline(_metadata, self);
	EXPECT_EQ(0, victim_end(&self->v));
	expect_baseline(_metadata, self);
}

/*
 * Partial munmap: 4 KiB inside a domain mapping fails with EINVAL (the
 * module splits at 2 MiB only); the first 2 MiB, then the rest up to the
 * requested length, unmap everything including the hidden tail.
 */
TEST_F(pre, partial_munmap)
{
	const char *env[] = { "MSHARE_PRELOAD_MIN=4M", NULL };
	char *args[] = { "--hold", "--partial", "7M", NULL };
	int e, first, rest, left;

	ASSERT_EQ(0, victim_start(&self->v, env, 0, args));
	ASSERT_EQ(1, victim_read(&self->v, self->lines, MAX_LINES, "ready"));
	victim_go(&self->v);
	ASSERT_EQ(1, victim_read(&self->v, self->lines, MAX_LINES, "unmapped"));
	ASSERT_EQ(4, sscanf(self->lines[0], "partial i=0 small_errno=%d first=%d rest=%d mshare_left=%d",
			    &e, &first, &rest, &left)) TH_LOG("%s", self->lines[0]);
	EXPECT_EQ(EINVAL, e);
	EXPECT_EQ(0, first);
	EXPECT_EQ(0, rest);
	EXPECT_EQ(0, left);
	ASSERT_EQ(0, victim_read(&self->v, self->lines, MAX_LINES, "ready"));
	expect_baseline(_metadata, self);
	EXPECT_EQ(0, victim_end(&self->v));
	expect_baseline(_metadata, self);
}

/* Four threads mapping and unmapping at once: all data right, nothing left. */
TEST_F(pre, threads)
{
	const char *env[] = { "MSHARE_PRELOAD_MIN=4M", NULL };
	char *args[] = { "--unmap", "--threads", "4", "4M", NULL };
	int bad, left, in_domain;

	ASSERT_EQ(0, victim_start(&self->v, env, 0, args));
	ASSERT_EQ(1, victim_read(&self->v, self->lines, MAX_LINES, "ready"));
	ASSERT_EQ(1, victim_read(&self->v, self->lines, MAX_LINES, "unmapped"));
	ASSERT_EQ(1, victim_read(&self->v, self->lines, MAX_LINES, NULL));
	ASSERT_EQ(3, sscanf(self->lines[0], "threads bad=%d mshare_left=%d in_domain=%d",
			    &bad, &left, &in_domain)) TH_LOG("%s", self->lines[0]);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(4 * 4, in_domain);	/* 4 threads, ROUNDS (4) each */
	EXPECT_EQ(0, left);
	EXPECT_EQ(0, victim_end(&self->v));
	expect_baseline(_metadata, self);
	EXPECT_EQ(0, leftovers(self->nl, "preload"));
}

/*
 * Without CAP_SYS_ADMIN and without a creation grant the domain cannot be
 * created: the library falls back to the real mmap silently, and the
 * program works as before.
 */
TEST_F(pre, unprivileged_falls_back)
{
	const char *env[] = { "MSHARE_PRELOAD_MIN=4M", NULL };
	char *args[] = { "--hold", "8M", "16M", NULL };
	struct mshare_module_info now = MSHARE_INIT(now);
	struct map_line m;
	int i;

	ASSERT_EQ(0, victim_start(&self->v, env, UNPRIV_UID, args));
	ASSERT_EQ(2, victim_read(&self->v, self->lines, MAX_LINES, "ready"));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, parse_map(self->lines[i], &m)) TH_LOG("%s", self->lines[i]);
		EXPECT_STREQ("-", m.domain);
		EXPECT_EQ(0, m.bad + m.zero_bad);
	}
	ASSERT_EQ(0, mshare_module_info(self->nl, &now));
	EXPECT_EQ(self->base.domains, now.domains);
	EXPECT_EQ(0, victim_end(&self->v));
	expect_baseline(_metadata, self);
}

/*
 * A user with no capability at all whose group has a creation grant of
 * 24 MiB and 2 domains (what `msharectl limit set group G bytes 24M
 * domains 2` makes): its first two mappings become domains it owns, the
 * third, over the grant, is the kernel's; the grant is given back when
 * the program ends.
 */
TEST_F(pre, unprivileged_under_a_grant)
{
	const char *env[] = { "MSHARE_PRELOAD_MIN=4M", NULL };
	char *args[] = { "--hold", "8M", "16M", "8M", NULL };
	struct victim_opts o = { .prog = "preload_victim", .env = env,
				 .uid = UNPRIV_UID, .gid = UNPRIV_UID, .group = GROUP };
	struct named f = { .n = 0 };
	struct mshare_module_info now = MSHARE_INIT(now);
	struct map_line m[3];
	int i;

	ASSERT_EQ(0, mshare_limit_set(self->nl, MSHARE_LIMIT_GROUP, GROUP, 24 * MiB, 2));
	self->grant = 1;
	ASSERT_EQ(0, victim_spawn(&self->v, &o, args));
	ASSERT_EQ(3, victim_read(&self->v, self->lines, MAX_LINES, "ready"));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, parse_map(self->lines[i], &m[i])) TH_LOG("%s", self->lines[i]);
		EXPECT_EQ(0, m[i].bad + m[i].zero_bad);
	}
	EXPECT_TRUE(is_preloaded(&m[0], "preload", self->v.pid)) TH_LOG("%s", m[0].domain);
	EXPECT_TRUE(is_preloaded(&m[1], "preload", self->v.pid)) TH_LOG("%s", m[1].domain);
	EXPECT_STREQ("-", m[2].domain);		/* over the grant */
	snprintf(f.prefix, sizeof(f.prefix), "preload-%d-", (int)self->v.pid);
	ASSERT_EQ(0, mshare_domain_dump(self->nl, named_cb, &f) < 0);
	EXPECT_EQ(2, f.n);
	EXPECT_EQ(0, f.names);
	EXPECT_EQ(UNPRIV_UID, f.d.uid);
	ASSERT_EQ(0, mshare_module_info(self->nl, &now));
	EXPECT_EQ(self->base.domains + 2, now.domains);
	EXPECT_EQ(0, victim_end(&self->v));
	expect_baseline(_metadata, self);
}

/*
 * MSHARE_PRELOAD_NUMA=bind:1 gives every domain the library makes that
 * policy: the domain says so, and all its pages are on node 1.
 */
TEST_F(pre, numa_knob)
{
	const char *env[] = { "MSHARE_PRELOAD_MIN=4M", "MSHARE_PRELOAD_NUMA=bind:1", NULL };
	char *args[] = { "--hold", "8M", NULL };
	struct mshare_domain_stats st = MSHARE_INIT(st);
	struct named f = { .n = 0 };
	struct map_line m;
	char key[16];

	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "one NUMA node");
	ASSERT_EQ(0, victim_start(&self->v, env, 0, args));
	ASSERT_EQ(1, victim_read(&self->v, self->lines, MAX_LINES, "ready"));
	ASSERT_EQ(0, parse_map(self->lines[0], &m)) TH_LOG("%s", self->lines[0]);
	EXPECT_TRUE(is_preloaded(&m, "preload", self->v.pid)) TH_LOG("%s", m.domain);
	snprintf(f.prefix, sizeof(f.prefix), "preload-%d-", (int)self->v.pid);
	ASSERT_EQ(0, mshare_domain_dump(self->nl, named_cb, &f) < 0);
	ASSERT_EQ(1, f.n);
	EXPECT_EQ(MSHARE_NUMA_BIND, f.d.numa.policy);
	EXPECT_EQ(1, f.d.numa.nr_nodes);
	EXPECT_EQ(1, f.d.numa.nodes[0]);
	ASSERT_EQ(0, mshare_domain_stats(self->nl, mshare_id_key(f.d.id, key), &st));
	EXPECT_EQ(8 * MiB / PAGE, st.node_pages[1]);
	EXPECT_EQ(0, st.node_pages[0]);
	EXPECT_EQ(0, victim_end(&self->v));
	expect_baseline(_metadata, self);
}

TEST_HARNESS_MAIN
