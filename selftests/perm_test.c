// SPDX-License-Identifier: GPL-2.0
/*
 * The permission model (Documentation/permissions.rst) as a matrix: who may
 * create, delete, change, discard and attach a domain, as root, as the
 * domain's owner, as a member of its group, as another uid, and inside new
 * user + IPC namespaces, where no domain of the parent's namespace can be
 * seen or attached.  Every refusal has its exact errno and changes nothing.
 */
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netlink/genl/ctrl.h>

#include "mshare.h"
#include "mshare_util.h"
#include "kselftest_harness.h"

#define OWNER	1000
#define MEMBER	1001	/* in GROUP through its supplementary groups */
#define OTHER	1002
#define GROUP	2000

struct who {
	uid_t uid;
	gid_t gid;
	gid_t group;		/* a supplementary group, or 0 */
	int unshare;		/* CLONE_NEW* flags to unshare first */
};

static const struct who root = { 0, 0, 0, 0 };
static const struct who owner = { OWNER, OWNER, 0, 0 };
static const struct who member = { MEMBER, MEMBER, GROUP, 0 };
static const struct who other = { OTHER, OTHER, 0, 0 };
static const struct who userns = { 0, 0, 0, CLONE_NEWUSER | CLONE_NEWIPC };
static const struct who ipcns = { 0, 0, 0, CLONE_NEWIPC };

typedef int (*op_fn)(struct mshare_nl *nl, const char *name);

static int write_file(const char *path, const char *s)
{
	return write_str(path, s);
}

/* Become @w: 0 or -errno. */
static int become(const struct who *w)
{
	if (w->unshare) {
		if (unshare(w->unshare))
			return -errno;
		if ((w->unshare & CLONE_NEWUSER) &&
		    (write_file("/proc/self/uid_map", "0 0 1") ||
		     write_file("/proc/self/setgroups", "deny") ||
		     write_file("/proc/self/gid_map", "0 0 1")))
			return -EIO;
		return 0;
	}
	if (!w->uid)
		return 0;
	if (setgroups(w->group ? 1 : 0, &w->group) || setgid(w->gid) ||
	    setuid(w->uid))
		return -errno;
	return 0;
}

/*
 * Run @fn as @w in a child with its own netlink socket.  Returns what @fn
 * returned as a positive errno (0 for success), or 200+ on a setup error.
 */
static int run_as(const struct who *w, op_fn fn, const char *name)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 255;
	if (pid == 0) {
		struct mshare_nl nl;
		int ret;

		if (become(w))
			_exit(201);
		if (mshare_nl_open(&nl))
			_exit(202);
		ret = fn(&nl, name);
		mshare_nl_close(&nl);
		_exit(ret > 0 ? 203 : -ret);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 254;
	return WEXITSTATUS(status);
}

static int op_attach(struct mshare_nl *nl, const char *name)
{
	size_t size;
	void *p = mshare_attach(name, 0, &size);

	if (MSHARE_IS_ERR(p))
		return MSHARE_PTR_ERR(p);
	((volatile char *)p)[0] = 1;
	return mshare_detach(p, size);
}

static int op_create(struct mshare_nl *nl, const char *name)
{
	return mshare_domain_create(nl, name, 2 * MiB, NULL, NULL);
}

static int op_del(struct mshare_nl *nl, const char *name)
{
	return mshare_domain_destroy(nl, name);
}

static int op_get(struct mshare_nl *nl, const char *name)
{
	struct mshare_domain_info d;

	return mshare_domain_get(nl, name, &d);
}

static int op_stats(struct mshare_nl *nl, const char *name)
{
	struct mshare_domain_stats s;

	return mshare_domain_stats(nl, name, &s);
}

static int set_one(struct mshare_nl *nl, const char *name, int mode, int uid,
		   int gid)
{
	struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_DEFAULT;

	o.mode = mode;
	o.uid = uid;
	o.gid = gid;
	return mshare_domain_set(nl, name, &o, NULL);
}

static int op_set_mode(struct mshare_nl *nl, const char *name)
{
	return set_one(nl, name, 0660, -1, -1);
}

static int op_set_owner(struct mshare_nl *nl, const char *name)
{
	return set_one(nl, name, -1, OWNER, -1);
}

static int op_set_group(struct mshare_nl *nl, const char *name)
{
	return set_one(nl, name, -1, -1, GROUP);
}

static int op_discard(struct mshare_nl *nl, const char *name)
{
	return mshare_domain_discard(nl, name, 0, PAGE);
}

/* Listed by the dump: 0, or -ENOENT. */
static int op_listed(struct mshare_nl *nl, const char *name)
{
	struct leftovers l = { .prefix = name, .suffix = NULL };
	int i;

	if (find_leftovers(nl, &l) < 0)
		return -EIO;
	for (i = 0; i < l.n; i++)
		if (!strcmp(l.names[i], name))
			return 0;
	return -ENOENT;
}

static int op_join_events(struct mshare_nl *nl, const char *name)
{
	int grp = genl_ctrl_resolve_grp(nl->sk, MSHARE_GENL_NAME,
					MSHARE_MCGRP_EVENTS);

	if (grp < 0)
		return -ENOENT;
	return nl_socket_add_membership(nl->sk, grp) ? -EPERM : 0;
}

/* Creates a domain of its own in a new IPC namespace and attaches it. */
static int op_create_attach_own(struct mshare_nl *nl, const char *name)
{
	struct mshare_domain_info d;
	int err = mshare_domain_create(nl, name, 2 * MiB, NULL, &d);

	if (err)
		return err;
	err = op_attach(nl, name);
	if (err)
		return err;
	/* Our name hides the parent's: the dump lists one, ours. */
	err = mshare_domain_get(nl, name, &d);
	return err;
	/* left for the reaper: the namespace dies with this process */
}

/* ---- the matrix ---- */

FIXTURE(perm) {
	struct mshare_nl nl;
	char name[MSHARE_NAME_MAX];
	struct mshare_domain_info created;
};

FIXTURE_VARIANT(perm) {
	const struct who *who;
	op_fn op;
	int mode;		/* the domain's mode */
	int err;		/* expected errno, 0: allowed */
	bool changes;		/* the op, allowed, changes the domain */
};

#define CASE(n, w, o, m, e) \
	FIXTURE_VARIANT_ADD(perm, n) { .who = &w, .op = o, .mode = m, .err = e }

CASE(root_attaches_mode_0000, root, op_attach, 0, 0);
CASE(owner_attaches_0600, owner, op_attach, 0600, 0);
CASE(owner_denied_0060, owner, op_attach, 0060, EACCES);
CASE(owner_denied_0400, owner, op_attach, 0400, EACCES);
CASE(member_attaches_0060, member, op_attach, 0060, 0);
CASE(member_denied_0600, member, op_attach, 0600, EACCES);
CASE(member_denied_0606, member, op_attach, 0606, EACCES);
CASE(other_attaches_0006, other, op_attach, 0006, 0);
CASE(other_denied_0660, other, op_attach, 0660, EACCES);
CASE(other_denied_0004, other, op_attach, 0004, EACCES);
CASE(other_gets, other, op_get, 0600, 0);
CASE(other_stats, other, op_stats, 0600, 0);
CASE(owner_cannot_create, owner, op_create, 0600, EPERM);
CASE(owner_deletes, owner, op_del, 0600, 0);
CASE(member_cannot_delete, member, op_del, 0660, EPERM);
CASE(other_cannot_delete, other, op_del, 0666, EPERM);
CASE(owner_sets_mode, owner, op_set_mode, 0600, 0);
CASE(member_cannot_set_mode, member, op_set_mode, 0660, EPERM);
CASE(other_cannot_set_mode, other, op_set_mode, 0666, EPERM);
CASE(owner_cannot_set_owner, owner, op_set_owner, 0600, EPERM);
CASE(owner_cannot_set_group, owner, op_set_group, 0600, EPERM);
CASE(root_sets_owner, root, op_set_owner, 0600, 0);
CASE(root_sets_group, root, op_set_group, 0600, 0);
CASE(owner_discards, owner, op_discard, 0600, 0);
CASE(other_cannot_discard, other, op_discard, 0666, EPERM);
CASE(other_cannot_join_events, other, op_join_events, 0600, EPERM);
CASE(root_joins_events, root, op_join_events, 0600, 0);
CASE(userns_cannot_get, userns, op_get, 0666, ENOENT);
CASE(userns_cannot_list, userns, op_listed, 0666, ENOENT);
CASE(userns_cannot_attach, userns, op_attach, 0666, ENOENT);
CASE(userns_cannot_delete, userns, op_del, 0666, ENOENT);
CASE(userns_cannot_set, userns, op_set_mode, 0666, ENOENT);
CASE(userns_cannot_create, userns, op_create, 0666, EPERM);
CASE(ipcns_cannot_get, ipcns, op_get, 0666, ENOENT);
CASE(ipcns_cannot_attach, ipcns, op_attach, 0666, ENOENT);
CASE(ipcns_has_its_own_names, ipcns, op_create_attach_own, 0666, 0);

FIXTURE_SETUP(perm)
{
	struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_DEFAULT;

	ASSERT_EQ(0, mshare_nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "perm-%d", (int)getpid());
	o.mode = variant->mode;
	o.uid = OWNER;
	o.gid = GROUP;
	ASSERT_EQ(0, mshare_domain_create(&self->nl, self->name, 2 * MiB, &o,
					  &self->created));
}

FIXTURE_TEARDOWN(perm)
{
	mshare_domain_destroy(&self->nl, self->name);
	mshare_nl_close(&self->nl);
}

TEST_F(perm, has_exact_result)
{
	struct mshare_module_info before, after;
	struct mshare_domain_info d;
	int ret;

	ASSERT_EQ(0, mshare_module_info(&self->nl, &before));
	ret = run_as(variant->who, variant->op, self->name);
	EXPECT_EQ(variant->err, ret);

	/*
	 * Refused: the domain is as it was.  A dead namespace's domain goes
	 * at the next registry operation (this get).
	 */
	if (variant->op == op_del && !variant->err) {
		EXPECT_EQ(-ENOENT, mshare_domain_get(&self->nl, self->name, &d));
		ASSERT_EQ(0, mshare_module_info(&self->nl, &after));
		EXPECT_EQ(before.domains - 1, after.domains);
		return;
	}
	ASSERT_EQ(0, mshare_domain_get(&self->nl, self->name, &d));
	ASSERT_EQ(0, mshare_module_info(&self->nl, &after));
	EXPECT_EQ(before.domains, after.domains);
	EXPECT_EQ(self->created.id, d.id);
	if (variant->err) {
		EXPECT_EQ(variant->mode, d.mode);
		EXPECT_EQ(OWNER, d.uid);
		EXPECT_EQ(GROUP, d.gid);
	} else if (variant->op == op_set_mode) {
		EXPECT_EQ(0660, d.mode);
	}
}

/* DOMAIN_SET changes what the next attach is checked against. */
TEST(set_mode_and_group_take_effect)
{
	struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_DEFAULT;
	struct mshare_nl nl;
	char name[MSHARE_NAME_MAX];

	ASSERT_EQ(0, mshare_nl_open(&nl));
	snprintf(name, sizeof(name), "perm-set-%d", (int)getpid());
	o.mode = 0600;
	o.uid = OWNER;
	o.gid = OWNER;
	ASSERT_EQ(0, mshare_domain_create(&nl, name, 2 * MiB, &o, NULL));
	EXPECT_EQ(EACCES, run_as(&member, op_attach, name));
	EXPECT_EQ(0, set_one(&nl, name, 0660, -1, GROUP));
	EXPECT_EQ(0, run_as(&member, op_attach, name));
	EXPECT_EQ(EACCES, run_as(&other, op_attach, name));
	EXPECT_EQ(0, set_one(&nl, name, -1, OTHER, -1));
	EXPECT_EQ(0, run_as(&other, op_attach, name));
	EXPECT_EQ(EACCES, run_as(&owner, op_attach, name));
	EXPECT_EQ(0, mshare_domain_destroy(&nl, name));
	mshare_nl_close(&nl);
}

TEST_HARNESS_MAIN
