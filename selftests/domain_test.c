// SPDX-License-Identifier: GPL-2.0
/*
 * Domain management over the "mshare" generic netlink family, through
 * libmshare: DOMAIN_NEW, DOMAIN_DEL, DOMAIN_GET (do and dump) and the
 * module-wide counters of GET_INFO.  Bad requests must fail with their exact
 * errno and change nothing.  Every test destroys the domains it made; names
 * carry the test's pid so no two tests (or runs) share one.
 */
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mshare.h"
#include "mshare_util.h"
#include "kselftest_harness.h"

#define NOBODY		65534
#define MAX_NAMES	4

/* --- helpers ----------------------------------------------------------- */

/* Names of domains a test may have created, destroyed at teardown. */
struct names {
	char name[MAX_NAMES][MSHARE_NAME_MAX];
	int n;
};

/* A fresh valid name "dt-<pid>-<tag>", remembered for cleanup. */
static char *new_name(struct names *ns, const char *tag)
{
	char *p;

	if (ns->n >= MAX_NAMES)
		ns->n = MAX_NAMES - 1;	/* a test uses fewer */
	p = ns->name[ns->n++];
	snprintf(p, MSHARE_NAME_MAX, "dt-%d-%s", (int)getpid(), tag);
	return p;
}

static void destroy_all(struct mshare_nl *nl, struct names *ns)
{
	int i;

	for (i = 0; i < ns->n; i++)
		mshare_domain_destroy(nl, ns->name[i]);	/* -ENOENT is fine */
	ns->n = 0;
}

struct find_ctx {
	const char *name;
	struct mshare_domain_info found;
	int matches;
	int total;
};

static void find_cb(const struct mshare_domain_info *d, void *arg)
{
	struct find_ctx *c = arg;

	c->total++;
	if (!strncmp(d->name, c->name, MSHARE_NAME_MAX - 1)) {
		c->matches++;
		c->found = *d;
	}
}

/* How many domains the dump lists under @name (-errno if the dump fails). */
static int dump_count(struct mshare_nl *nl, const char *name,
		      struct mshare_domain_info *out)
{
	struct find_ctx c = { .name = name };
	int ret = mshare_domain_dump(nl, find_cb, &c);

	if (ret < 0)
		return ret;
	if (out)
		*out = c.found;
	return c.matches;
}

/*
 * Run @fn in a child that has dropped to uid/gid 65534 (no supplementary
 * groups, hence no capabilities) and opened its own netlink socket.  Returns
 * the child's exit status: -(what @fn returned), or 200+ if the child could
 * not get that far.
 */
static int as_nobody(int (*fn)(struct mshare_nl *nl, const char *name),
		     const char *name)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 255;
	if (pid == 0) {
		struct mshare_nl *nl;
		int ret;

		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(201);
		if (nl_open(&nl))
			_exit(202);
		ret = fn(nl, name);
		mshare_nl_close(nl);
		_exit(ret > 0 ? 203 : -ret);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 254;
	return WEXITSTATUS(status);
}

static int create_2mib(struct mshare_nl *nl, const char *name)
{
	return mshare_domain_create(nl, name, 2 * MiB, NULL, NULL);
}

static int destroy(struct mshare_nl *nl, const char *name)
{
	return mshare_domain_destroy(nl, name);
}

static int get(struct mshare_nl *nl, const char *name)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	int ret = mshare_domain_get(nl, name, &d);

	if (ret)
		return ret;
	return strcmp(d.name, name) || d.bytes != 2 * MiB ? -EBADMSG : 0;
}

static int info(struct mshare_nl *nl, const char *name)
{
	struct mshare_module_info m = MSHARE_INIT(m);

	return mshare_module_info(nl, &m);
}

/* --- the domain commands ---------------------------------------------- */

FIXTURE(dom) {
	struct mshare_nl *nl;
	struct names names;
};

FIXTURE_SETUP(dom)
{
	ASSERT_EQ(0, nl_open(&self->nl));
}

FIXTURE_TEARDOWN(dom)
{
	destroy_all(self->nl, &self->names);
	mshare_nl_close(self->nl);
}

TEST_F(dom, new_replies_with_the_new_domain)
{
	const char *name = new_name(&self->names, "new");
	struct mshare_domain_info d = MSHARE_INIT(d);

	memset(&d, 0xa5, sizeof(d));
	d.size = sizeof(d);
	ASSERT_EQ(0, mshare_domain_create(self->nl, name, 4 * MiB, NULL, &d));
	EXPECT_STREQ(name, d.name);
	EXPECT_EQ(4 * MiB, d.bytes);
	EXPECT_EQ(0, d.flags);
	EXPECT_EQ(0600, d.mode);
	EXPECT_EQ(geteuid(), d.uid);
	EXPECT_EQ(getegid(), d.gid);
	EXPECT_EQ(0, d.attached);
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, name));
}

TEST_F(dom, get_reports_defaults_mode_0600_and_creator_ids)
{
	const char *name = new_name(&self->names, "get");
	struct mshare_domain_info created = MSHARE_INIT(created);
	struct mshare_domain_info d = MSHARE_INIT(d);

	ASSERT_EQ(0, mshare_domain_create(self->nl, name, 2 * MiB, NULL,
					  &created));
	ASSERT_EQ(0, mshare_domain_get(self->nl, name, &d));
	EXPECT_STREQ(name, d.name);
	EXPECT_EQ(created.id, d.id);
	EXPECT_EQ(2 * MiB, d.bytes);
	EXPECT_EQ(0, d.flags);
	EXPECT_EQ(0600, d.mode);
	EXPECT_EQ(geteuid(), d.uid);
	EXPECT_EQ(getegid(), d.gid);
	EXPECT_EQ(0, d.attached);
	EXPECT_EQ(0, d.links_pud);
	EXPECT_EQ(0, d.links_pmd);
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, name));
}

TEST_F(dom, new_with_mode_uid_gid_reports_them)
{
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;
	const char *name = new_name(&self->names, "ids");
	struct mshare_domain_info d = MSHARE_INIT(d);

	opts.mode = 0640;
	opts.uid = 1234;
	opts.gid = 4321;
	ASSERT_EQ(0, mshare_domain_create(self->nl, name, 2 * MiB, &opts, NULL));
	ASSERT_EQ(0, mshare_domain_get(self->nl, name, &d));
	EXPECT_EQ(0640, d.mode);
	EXPECT_EQ(1234, d.uid);
	EXPECT_EQ(4321, d.gid);
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, name));
}

TEST_F(dom, dump_lists_each_domain_once_with_its_attributes)
{
	const char *a = new_name(&self->names, "dump-a");
	const char *b = new_name(&self->names, "dump-b");
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;
	struct mshare_domain_info da = MSHARE_INIT(da);
	struct mshare_domain_info db = MSHARE_INIT(db);
	struct mshare_domain_info d = MSHARE_INIT(d);
	struct find_ctx c = { .name = a };
	int n;

	opts.mode = 0660;
	ASSERT_EQ(0, mshare_domain_create(self->nl, a, 2 * MiB, NULL, &da));
	ASSERT_EQ(0, mshare_domain_create(self->nl, b, 6 * MiB, &opts, &db));
	EXPECT_NE(da.id, db.id);

	n = mshare_domain_dump(self->nl, find_cb, &c);
	EXPECT_GE(n, 2);
	EXPECT_EQ(n, c.total);

	ASSERT_EQ(1, dump_count(self->nl, a, &d));
	EXPECT_EQ(da.id, d.id);
	EXPECT_EQ(2 * MiB, d.bytes);
	EXPECT_EQ(0600, d.mode);
	EXPECT_EQ(geteuid(), d.uid);
	EXPECT_EQ(getegid(), d.gid);

	ASSERT_EQ(1, dump_count(self->nl, b, &d));
	EXPECT_EQ(db.id, d.id);
	EXPECT_EQ(6 * MiB, d.bytes);
	EXPECT_EQ(0660, d.mode);
	EXPECT_EQ(geteuid(), d.uid);
	EXPECT_EQ(getegid(), d.gid);

	EXPECT_EQ(0, mshare_domain_destroy(self->nl, a));
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, b));
}

TEST_F(dom, destroy_removes_the_domain)
{
	const char *name = new_name(&self->names, "del");
	struct mshare_module_info before = MSHARE_INIT(before);
	struct mshare_module_info mid = MSHARE_INIT(mid);
	struct mshare_module_info after = MSHARE_INIT(after);
	struct mshare_domain_info d = MSHARE_INIT(d);

	ASSERT_EQ(0, mshare_module_info(self->nl, &before));
	ASSERT_EQ(0, mshare_domain_create(self->nl, name, 2 * MiB, NULL, NULL));
	ASSERT_EQ(0, mshare_module_info(self->nl, &mid));
	EXPECT_EQ(before.domains + 1, mid.domains);

	ASSERT_EQ(0, mshare_domain_destroy(self->nl, name));
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, name, &d));
	EXPECT_EQ(0, dump_count(self->nl, name, NULL));
	ASSERT_EQ(0, mshare_module_info(self->nl, &after));
	EXPECT_EQ(before.domains, after.domains);
}

TEST_F(dom, destroy_twice_fails_with_enoent)
{
	const char *name = new_name(&self->names, "del2");

	ASSERT_EQ(0, mshare_domain_create(self->nl, name, 2 * MiB, NULL, NULL));
	ASSERT_EQ(0, mshare_domain_destroy(self->nl, name));
	EXPECT_EQ(-ENOENT, mshare_domain_destroy(self->nl, name));
}

TEST_F(dom, destroy_unknown_fails_with_enoent)
{
	const char *name = new_name(&self->names, "never-made");
	struct mshare_module_info before = MSHARE_INIT(before);
	struct mshare_module_info after = MSHARE_INIT(after);

	ASSERT_EQ(0, mshare_module_info(self->nl, &before));
	EXPECT_EQ(-ENOENT, mshare_domain_destroy(self->nl, name));
	ASSERT_EQ(0, mshare_module_info(self->nl, &after));
	EXPECT_EQ(before.domains, after.domains);
}

TEST_F(dom, destroy_invalid_name_fails_with_einval)
{
	EXPECT_EQ(-EINVAL, mshare_domain_destroy(self->nl, "a/b"));
	EXPECT_NE(0, mshare_nl_extack(self->nl)[0]);
	EXPECT_EQ(-EINVAL, mshare_domain_destroy(self->nl, ""));
	EXPECT_NE(0, mshare_nl_extack(self->nl)[0]);
}

TEST_F(dom, get_unknown_fails_with_enoent)
{
	const char *name = new_name(&self->names, "never-made");
	struct mshare_domain_info d = MSHARE_INIT(d);

	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, name, &d));
}

TEST_F(dom, get_invalid_name_fails_with_einval)
{
	struct mshare_domain_info d = MSHARE_INIT(d);

	EXPECT_EQ(-EINVAL, mshare_domain_get(self->nl, "a b", &d));
	EXPECT_NE(0, mshare_nl_extack(self->nl)[0]);
}

TEST_F(dom, duplicate_name_fails_with_eexist)
{
	const char *name = new_name(&self->names, "dup");
	struct mshare_module_info before = MSHARE_INIT(before);
	struct mshare_module_info after = MSHARE_INIT(after);
	struct mshare_domain_info first = MSHARE_INIT(first);
	struct mshare_domain_info d = MSHARE_INIT(d);

	ASSERT_EQ(0, mshare_domain_create(self->nl, name, 2 * MiB, NULL, &first));
	ASSERT_EQ(0, mshare_module_info(self->nl, &before));
	EXPECT_EQ(-EEXIST, mshare_domain_create(self->nl, name, 4 * MiB, NULL, NULL));
	ASSERT_EQ(0, mshare_module_info(self->nl, &after));
	EXPECT_EQ(before.domains, after.domains);
	EXPECT_EQ(before.table_pages, after.table_pages);
	EXPECT_EQ(before.data_pages, after.data_pages);
	/* the first domain is untouched */
	ASSERT_EQ(0, mshare_domain_get(self->nl, name, &d));
	EXPECT_EQ(first.id, d.id);
	EXPECT_EQ(2 * MiB, d.bytes);
	EXPECT_EQ(1, dump_count(self->nl, name, NULL));
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, name));
}

TEST_F(dom, name_is_reusable_after_destroy)
{
	const char *name = new_name(&self->names, "reuse");
	struct mshare_domain_info d = MSHARE_INIT(d);

	ASSERT_EQ(0, mshare_domain_create(self->nl, name, 2 * MiB, NULL, NULL));
	ASSERT_EQ(0, mshare_domain_destroy(self->nl, name));
	ASSERT_EQ(0, mshare_domain_create(self->nl, name, 4 * MiB, NULL, NULL));
	ASSERT_EQ(0, mshare_domain_get(self->nl, name, &d));
	EXPECT_EQ(4 * MiB, d.bytes);
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, name));
}

TEST_F(dom, name_of_63_chars_from_the_whole_alphabet_is_accepted)
{
	char *name = new_name(&self->names, "AZaz09._-");
	size_t len = strlen(name);
	struct mshare_domain_info d = MSHARE_INIT(d);

	memset(name + len, 'x', MSHARE_NAME_MAX - 1 - len);
	name[MSHARE_NAME_MAX - 1] = 0;
	ASSERT_EQ(MSHARE_NAME_MAX - 1, strlen(name));
	ASSERT_EQ(0, mshare_domain_create(self->nl, name, 2 * MiB, NULL, NULL));
	ASSERT_EQ(0, mshare_domain_get(self->nl, name, &d));
	EXPECT_STREQ(name, d.name);
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, name));
}

TEST_F(dom, without_prefault_nothing_is_resident)
{
	const char *name = new_name(&self->names, "lazy");
	struct mshare_domain_info created = MSHARE_INIT(created);
	struct mshare_domain_info d = MSHARE_INIT(d);

	ASSERT_EQ(0, mshare_domain_create(self->nl, name, 4 * MiB, NULL, &created));
	EXPECT_EQ(0, created.resident);
	ASSERT_EQ(0, mshare_domain_get(self->nl, name, &d));
	EXPECT_EQ(0, d.flags);
	EXPECT_EQ(0, d.resident);
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, name));
}

TEST_F(dom, prefault_makes_every_page_resident)
{
	const char *name = new_name(&self->names, "prefault");
	struct mshare_domain_info created = MSHARE_INIT(created);
	struct mshare_domain_info d = MSHARE_INIT(d);

	ASSERT_EQ(0, create_domain(self->nl, name, 4 * MiB,
				   MSHARE_DOMAIN_F_PREFAULT, &created));
	EXPECT_EQ(4 * MiB / PAGE, created.resident);
	ASSERT_EQ(0, mshare_domain_get(self->nl, name, &d));
	EXPECT_EQ(MSHARE_DOMAIN_F_PREFAULT, d.flags);
	EXPECT_EQ(4 * MiB / PAGE, d.resident);
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, name));
}

/*
 * MSHARE_DOMAIN_F_HUGE: a kernel without transparent hugepages
 * (PREEMPT_RT) never holds 2 MiB leaves: EOPNOTSUPP, the message says
 * why, and nothing is created.  The others take any size of whole 2 MiBs
 * (huge_test has the rest): 4 MiB prefaulted is two leaves.
 */
TEST_F(dom, huge_is_refused_without_thp_and_any_2mib_size_with_it)
{
	const char *name = new_name(&self->names, "huge");
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;
	struct mshare_domain_info d = MSHARE_INIT(d);

	opts.flags = MSHARE_DOMAIN_F_HUGE;
	if (!thp_built()) {
		EXPECT_EQ(-EOPNOTSUPP, mshare_domain_create(self->nl, name,
							    2 * MiB, &opts,
							    NULL));
		EXPECT_STREQ("2 MiB leaves need transparent hugepages",
			     mshare_nl_extack(self->nl));
		EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, name, &d));
		return;
	}
	opts.flags |= MSHARE_DOMAIN_F_PREFAULT;
	ASSERT_EQ(0, mshare_domain_create(self->nl, name, 4 * MiB, &opts, &d));
	EXPECT_EQ(MSHARE_DOMAIN_F_HUGE | MSHARE_DOMAIN_F_PREFAULT, d.flags);
	EXPECT_EQ(4 * MiB / PAGE, d.resident);
	EXPECT_EQ(1, d.table_pages);	/* one PMD table, no PTE table */
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, name));
}

TEST_F(dom, module_pages_count_a_prefaulted_2mib_domain_and_return_after_destroy)
{
	const char *name = new_name(&self->names, "count2m");
	struct mshare_module_info before = MSHARE_INIT(before);
	struct mshare_module_info mid = MSHARE_INIT(mid);
	struct mshare_module_info after = MSHARE_INIT(after);
	struct mshare_domain_info d = MSHARE_INIT(d);

	ASSERT_EQ(0, mshare_module_info(self->nl, &before));
	ASSERT_EQ(0, create_domain(self->nl, name, 2 * MiB,
				   MSHARE_DOMAIN_F_PREFAULT, NULL));
	ASSERT_EQ(0, mshare_module_info(self->nl, &mid));
	EXPECT_EQ(before.domains + 1, mid.domains);
	EXPECT_EQ(before.data_pages + 2 * MiB / PAGE, mid.data_pages);
	/* one PMD table and one PTE table */
	EXPECT_EQ(before.table_pages + 2, mid.table_pages);
	ASSERT_EQ(0, mshare_domain_get(self->nl, name, &d));
	EXPECT_EQ(2, d.table_pages);

	ASSERT_EQ(0, mshare_domain_destroy(self->nl, name));
	ASSERT_EQ(0, mshare_module_info(self->nl, &after));
	EXPECT_EQ(before.domains, after.domains);
	EXPECT_EQ(before.data_pages, after.data_pages);
	EXPECT_EQ(before.table_pages, after.table_pages);
}

TEST_F(dom, module_pages_count_a_1gib_domain_and_return_after_destroy)
{
	const char *name = new_name(&self->names, "count1g");
	struct mshare_module_info before = MSHARE_INIT(before);
	struct mshare_module_info mid = MSHARE_INIT(mid);
	struct mshare_module_info after = MSHARE_INIT(after);
	struct mshare_domain_info d = MSHARE_INIT(d);

	ASSERT_EQ(0, mshare_module_info(self->nl, &before));
	ASSERT_LE(GiB, before.max_size) {
		TH_LOG("max_domain_size is %llu",
		       (unsigned long long)before.max_size);
	}
	ASSERT_EQ(0, mshare_domain_create(self->nl, name, GiB, NULL, NULL));
	ASSERT_EQ(0, mshare_module_info(self->nl, &mid));
	EXPECT_EQ(before.domains + 1, mid.domains);
	EXPECT_EQ(before.data_pages, mid.data_pages);	/* not prefaulted */
	/* one PMD table and 512 PTE tables */
	EXPECT_EQ(before.table_pages + 1 + 512, mid.table_pages);
	ASSERT_EQ(0, mshare_domain_get(self->nl, name, &d));
	EXPECT_EQ(1 + 512, d.table_pages);
	EXPECT_EQ(0, d.resident);

	ASSERT_EQ(0, mshare_domain_destroy(self->nl, name));
	ASSERT_EQ(0, mshare_module_info(self->nl, &after));
	EXPECT_EQ(before.domains, after.domains);
	EXPECT_EQ(before.data_pages, after.data_pages);
	EXPECT_EQ(before.table_pages, after.table_pages);
}

/* --- privilege -------------------------------------------------------- */

TEST_F(dom, unprivileged_new_fails_with_eperm)
{
	const char *name = new_name(&self->names, "eperm-new");
	struct mshare_module_info before = MSHARE_INIT(before);
	struct mshare_module_info after = MSHARE_INIT(after);
	struct mshare_domain_info d = MSHARE_INIT(d);

	ASSERT_EQ(0, mshare_module_info(self->nl, &before));
	EXPECT_EQ(EPERM, as_nobody(create_2mib, name));
	ASSERT_EQ(0, mshare_module_info(self->nl, &after));
	EXPECT_EQ(before.domains, after.domains);
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, name, &d));
}

TEST_F(dom, unprivileged_destroy_fails_with_eperm)
{
	const char *name = new_name(&self->names, "eperm-del");
	struct mshare_domain_info created = MSHARE_INIT(created);
	struct mshare_domain_info d = MSHARE_INIT(d);

	ASSERT_EQ(0, mshare_domain_create(self->nl, name, 2 * MiB, NULL, &created));
	EXPECT_EQ(EPERM, as_nobody(destroy, name));
	ASSERT_EQ(0, mshare_domain_get(self->nl, name, &d));
	EXPECT_EQ(created.id, d.id);
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, name));
}

TEST_F(dom, unprivileged_get_and_info_work)
{
	const char *name = new_name(&self->names, "unpriv-get");

	ASSERT_EQ(0, mshare_domain_create(self->nl, name, 2 * MiB, NULL, NULL));
	EXPECT_EQ(0, as_nobody(get, name));
	EXPECT_EQ(0, as_nobody(info, name));
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, name));
}

/* --- DOMAIN_NEW with bad values: table-driven -------------------------- */

FIXTURE(bad_new) {
	struct mshare_nl *nl;
	struct names names;
};

FIXTURE_VARIANT(bad_new) {
	const char *name;	/* NULL: a fresh valid name */
	int name_len;		/* > 0: instead, a name of that many 'n's */
	uint64_t size;
	bool above_max;		/* size: max_domain_size (2 MiB-aligned) + 2 MiB */
	unsigned int flags;
	int mode;		/* 0: not given */
	int err;		/* DOMAIN_NEW must fail with -err */
};

FIXTURE_VARIANT_ADD(bad_new, empty_name) {
	.name = "", .size = 2 * MiB, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(bad_new, name_of_64_chars) {
	.name_len = 64, .size = 2 * MiB, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(bad_new, name_with_slash) {
	.name = "dt-a/b", .size = 2 * MiB, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(bad_new, name_with_space) {
	.name = "dt-a b", .size = 2 * MiB, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(bad_new, name_with_colon) {
	.name = "dt-a:b", .size = 2 * MiB, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(bad_new, name_non_ascii) {
	.name = "dt-caf\xc3\xa9", .size = 2 * MiB, .err = EINVAL,
};
/* The kernel's isalnum() takes Latin-1 letters (0xc0-0xff): names do not. */
FIXTURE_VARIANT_ADD(bad_new, name_latin1_letter) {
	.name = "dt-caf\xe9", .size = 2 * MiB, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(bad_new, name_latin1_capital) {
	.name = "dt-\xc0", .size = 2 * MiB, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(bad_new, size_0) {
	.size = 0, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(bad_new, size_1mib) {
	.size = 1 * MiB, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(bad_new, size_3mib) {
	.size = 3 * MiB, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(bad_new, size_2mib_plus_4096) {
	.size = 2 * MiB + 4096, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(bad_new, size_above_max) {
	.above_max = true, .err = E2BIG,
};
FIXTURE_VARIANT_ADD(bad_new, unknown_flag_bit_2) {
	.size = 2 * MiB, .flags = 1U << 2, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(bad_new, unknown_flag_bit_31) {
	.size = 2 * MiB, .flags = 1U << 31, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(bad_new, mode_01000) {
	.size = 2 * MiB, .mode = 01000, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(bad_new, mode_04600) {
	.size = 2 * MiB, .mode = 04600, .err = EINVAL,
};

FIXTURE_SETUP(bad_new)
{
	ASSERT_EQ(0, nl_open(&self->nl));
}

FIXTURE_TEARDOWN(bad_new)
{
	destroy_all(self->nl, &self->names);
	mshare_nl_close(self->nl);
}

TEST_F(bad_new, fails_with_exact_errno_and_creates_nothing)
{
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;
	struct mshare_module_info before = MSHARE_INIT(before);
	struct mshare_module_info after = MSHARE_INIT(after);
	char buf[MSHARE_NAME_MAX + 8];
	struct mshare_domain_info d = MSHARE_INIT(d);
	const char *name = variant->name;
	uint64_t size = variant->size;

	if (variant->name_len) {
		ASSERT_LT(variant->name_len, sizeof(buf));
		memset(buf, 'n', variant->name_len);
		buf[variant->name_len] = 0;
		name = buf;
	} else if (!name) {
		name = new_name(&self->names, "bad");
	}
	opts.flags = variant->flags;
	if (variant->mode)
		opts.mode = variant->mode;

	ASSERT_EQ(0, mshare_module_info(self->nl, &before));
	if (variant->above_max)
		size = (before.max_size & ~(MSHARE_SIZE_ALIGN - 1)) + 2 * MiB;

	EXPECT_EQ(-variant->err,
		  mshare_domain_create(self->nl, name, size, &opts, NULL));
	if (variant->err == EINVAL || variant->err == EOPNOTSUPP) {
		EXPECT_NE(0, mshare_nl_extack(self->nl)[0]);
	}

	ASSERT_EQ(0, mshare_module_info(self->nl, &after));
	EXPECT_EQ(before.domains, after.domains);
	EXPECT_EQ(before.data_pages, after.data_pages);
	EXPECT_EQ(before.table_pages, after.table_pages);
	/* a valid name is unknown; an invalid one cannot be found either */
	if (variant->name || variant->name_len) {
		EXPECT_NE(0, mshare_domain_get(self->nl, name, &d));
	} else {
		EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, name, &d));
	}
	EXPECT_EQ(0, dump_count(self->nl, name, NULL));
}

/* --- malformed requests, built by hand: table-driven ------------------- */

FIXTURE(raw) {
	struct mshare_nl *nl;
	struct names names;
};

/* Fills in the attributes of a request; @name is a fresh valid name. */
typedef int (*build_fn)(struct nl_msg *msg, const char *name);

FIXTURE_VARIANT(raw) {
	int cmd;
	build_fn build;
	int err;
};

static int put_name(struct nl_msg *m, const char *n)
{
	return nla_put_string(m, MSHARE_A_DOMAIN_NAME, n);
}

static int put_size(struct nl_msg *m)
{
	return nla_put_u64(m, MSHARE_A_DOMAIN_SIZE, 2 * MiB);
}

static int b_no_name(struct nl_msg *m, const char *n)
{
	return put_size(m);
}

static int b_no_size(struct nl_msg *m, const char *n)
{
	return put_name(m, n);
}

static int b_size_u32(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || nla_put_u32(m, MSHARE_A_DOMAIN_SIZE, 2 * MiB);
}

static int b_flags_u64(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || put_size(m) ||
	       nla_put_u64(m, MSHARE_A_DOMAIN_FLAGS, 0);
}

static int b_mode_u64(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || put_size(m) ||
	       nla_put_u64(m, MSHARE_A_DOMAIN_MODE, 0600);
}

static int b_mode_u16(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || put_size(m) ||
	       nla_put_u16(m, MSHARE_A_DOMAIN_MODE, 0600);
}

static int b_reply_only_id(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || put_size(m) ||
	       nla_put_u32(m, MSHARE_A_DOMAIN_ID, 1);
}

static int b_unknown_attr(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || put_size(m) ||
	       nla_put_u32(m, MSHARE_A_MAX + 10, 1);
}

static int b_uid_unmapped(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || put_size(m) ||
	       nla_put_u32(m, MSHARE_A_DOMAIN_UID, (uint32_t)-1);
}

static int b_gid_unmapped(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || put_size(m) ||
	       nla_put_u32(m, MSHARE_A_DOMAIN_GID, (uint32_t)-1);
}

static int b_nothing(struct nl_msg *m, const char *n)
{
	return 0;
}

/* A name of 100 bytes: 80 letters, then NULs (it ends within the attribute). */
static int b_long_padded_name(struct nl_msg *m, const char *n)
{
	char buf[100] = {};

	memset(buf, 'n', 80);
	return nla_put(m, MSHARE_A_DOMAIN_NAME, sizeof(buf), buf) || put_size(m);
}

/* A valid name followed by 90 bytes of padding: too long an attribute. */
static int b_name_then_padding(struct nl_msg *m, const char *n)
{
	char buf[100] = {};

	strcpy(buf, "dt-pad");
	return nla_put(m, MSHARE_A_DOMAIN_NAME, sizeof(buf), buf) || put_size(m);
}

FIXTURE_VARIANT_ADD(raw, new_missing_name) {
	.cmd = MSHARE_CMD_DOMAIN_NEW, .build = b_no_name, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(raw, new_missing_size) {
	.cmd = MSHARE_CMD_DOMAIN_NEW, .build = b_no_size, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(raw, new_size_as_u32) {
	.cmd = MSHARE_CMD_DOMAIN_NEW, .build = b_size_u32, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(raw, new_flags_as_u64) {
	.cmd = MSHARE_CMD_DOMAIN_NEW, .build = b_flags_u64, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(raw, new_mode_as_u64) {
	.cmd = MSHARE_CMD_DOMAIN_NEW, .build = b_mode_u64, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(raw, new_mode_as_u16) {
	.cmd = MSHARE_CMD_DOMAIN_NEW, .build = b_mode_u16, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(raw, new_reply_only_attribute) {
	.cmd = MSHARE_CMD_DOMAIN_NEW, .build = b_reply_only_id, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(raw, new_unknown_attribute) {
	.cmd = MSHARE_CMD_DOMAIN_NEW, .build = b_unknown_attr, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(raw, new_uid_not_mapped) {
	.cmd = MSHARE_CMD_DOMAIN_NEW, .build = b_uid_unmapped, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(raw, new_gid_not_mapped) {
	.cmd = MSHARE_CMD_DOMAIN_NEW, .build = b_gid_unmapped, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(raw, new_long_name_is_einval_not_erange) {
	.cmd = MSHARE_CMD_DOMAIN_NEW, .build = b_long_padded_name, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(raw, new_padded_name_is_einval_not_erange) {
	.cmd = MSHARE_CMD_DOMAIN_NEW, .build = b_name_then_padding, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(raw, get_long_name_is_einval_not_erange) {
	.cmd = MSHARE_CMD_DOMAIN_GET, .build = b_long_padded_name, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(raw, del_missing_name) {
	.cmd = MSHARE_CMD_DOMAIN_DEL, .build = b_nothing, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(raw, get_do_missing_name) {
	.cmd = MSHARE_CMD_DOMAIN_GET, .build = b_nothing, .err = EINVAL,
};

FIXTURE_SETUP(raw)
{
	ASSERT_EQ(0, nl_open(&self->nl));
}

FIXTURE_TEARDOWN(raw)
{
	destroy_all(self->nl, &self->names);
	mshare_nl_close(self->nl);
}

TEST_F(raw, is_rejected_with_extack_and_changes_nothing)
{
	const char *name = new_name(&self->names, "raw");
	struct mshare_module_info before = MSHARE_INIT(before);
	struct mshare_module_info after = MSHARE_INIT(after);
	struct mshare_domain_info d = MSHARE_INIT(d);
	struct nl_msg *msg;

	ASSERT_EQ(0, mshare_module_info(self->nl, &before));
	msg = mshare_nl_msg(self->nl, variant->cmd, 0);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, variant->build(msg, name));
	EXPECT_EQ(-variant->err, mshare_nl_run(self->nl, msg, NULL, NULL));
	EXPECT_NE(0, mshare_nl_extack(self->nl)[0]);
	if (mshare_nl_extack(self->nl)[0])
		TH_LOG("extack: %s", mshare_nl_extack(self->nl));

	ASSERT_EQ(0, mshare_module_info(self->nl, &after));
	EXPECT_EQ(before.domains, after.domains);
	EXPECT_EQ(before.data_pages, after.data_pages);
	EXPECT_EQ(before.table_pages, after.table_pages);
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, name, &d));
}

/*
 * A domain named in an IPC namespace whose last process exits goes with
 * the namespace, within seconds, without any other registry operation
 * (GET_INFO only reads counters), as SysV segments go with shm_exit_ns().
 */
TEST(domains_of_a_dead_ipc_namespace_go_within_seconds)
{
	struct mshare_module_info before = MSHARE_INIT(before);
	struct mshare_module_info now = MSHARE_INIT(now);
	struct mshare_nl *nl;
	int i, status;
	pid_t pid;

	ASSERT_EQ(0, nl_open(&nl));
	ASSERT_EQ(0, mshare_module_info(nl, &before));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct mshare_nl *cnl;

		if (unshare(CLONE_NEWIPC) || nl_open(&cnl) ||
		    mshare_domain_create(cnl, "dt-in-a-dying-ns", 4 * MiB, NULL,
					 NULL))
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, mshare_module_info(nl, &now));
		if (now.domains == before.domains)
			break;
		usleep(100000);
	}
	TH_LOG("gone after %d ms", i * 100);
	EXPECT_EQ(before.domains, now.domains);
	EXPECT_EQ(before.table_pages, now.table_pages);
	mshare_nl_close(nl);
}

TEST_HARNESS_MAIN
