// SPDX-License-Identifier: GPL-2.0
/*
 * The permission model (Documentation/permissions.rst) as a matrix: who may
 * create, delete, change, discard and attach a domain, as root, as the
 * domain's owner, as a member of its group, as another uid, and inside new
 * user + IPC namespaces, where no domain of the parent's namespace can be
 * seen or attached.  Every refusal has its exact errno and changes nothing.
 *
 * Then who a netlink request is judged by (the sender, the socket's
 * opener, or both, depending on how it was sent), and what an attached
 * descriptor carries when it goes to another process (SCM_RIGHTS, or
 * inheritance across a setuid exec).
 */
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/netlink.h>
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

/*
 * Become @w: 0 or -errno.  With CLONE_NEWUSER, @w's uid and gid are the
 * ids (of the parent namespace) that root of the new namespace maps to.
 */
static int become(const struct who *w)
{
	if (w->unshare) {
		char map[32];

		/*
		 * Another uid: become it first (the namespace's creator may
		 * map only its own ids), and stay dumpable, so that its
		 * /proc/self files stay its own.
		 */
		if ((w->unshare & CLONE_NEWUSER) && w->uid &&
		    (setgroups(0, NULL) || setgid(w->gid) || setuid(w->uid) ||
		     prctl(PR_SET_DUMPABLE, 1)))
			return -errno;
		if (unshare(w->unshare))
			return -errno;
		if (w->unshare & CLONE_NEWUSER) {
			snprintf(map, sizeof(map), "0 %u 1", (unsigned int)w->uid);
			if (write_file("/proc/self/uid_map", map) ||
			    write_file("/proc/self/setgroups", "deny"))
				return -EIO;
			snprintf(map, sizeof(map), "0 %u 1", (unsigned int)w->gid);
			if (write_file("/proc/self/gid_map", map))
				return -EIO;
			/* root of the namespace: kuid @w->uid */
			if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
				return -errno;
			return 0;
		}
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
		struct mshare_nl *nl;
		int ret;

		if (become(w))
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

static int op_attach(struct mshare_nl *nl, const char *name)
{
	size_t size;
	void *p = mshare_attach(name, 0, &size);

	if (!p)
		return -errno;
	((volatile char *)p)[0] = 1;
	return mshare_detach(p, size) ? -errno : 0;
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
	struct mshare_domain_info d = MSHARE_INIT(d);

	return mshare_domain_get(nl, name, &d);
}

static int op_stats(struct mshare_nl *nl, const char *name)
{
	struct mshare_domain_stats s = MSHARE_INIT(s);

	return mshare_domain_stats(nl, name, &s);
}

static int set_one(struct mshare_nl *nl, const char *name, int mode, int uid,
		   int gid)
{
	struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_INIT;

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
	int grp = genl_ctrl_resolve_grp(mshare_nl_sock(nl), MSHARE_GENL_NAME,
					MSHARE_MCGRP_EVENTS);

	if (grp < 0)
		return -ENOENT;
	return nl_socket_add_membership(mshare_nl_sock(nl), grp) ? -EPERM : 0;
}

/* Creates a domain of its own in a new IPC namespace and attaches it. */
static int op_create_attach_own(struct mshare_nl *nl, const char *name)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
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
	struct mshare_nl *nl;
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
	struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_INIT;

	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "perm-%d", (int)getpid());
	o.mode = variant->mode;
	o.uid = OWNER;
	o.gid = GROUP;
	self->created.size = sizeof(self->created);
	ASSERT_EQ(0, mshare_domain_create(self->nl, self->name, 2 * MiB, &o,
					  &self->created));
}

FIXTURE_TEARDOWN(perm)
{
	mshare_domain_destroy(self->nl, self->name);
	mshare_nl_close(self->nl);
}

TEST_F(perm, has_exact_result)
{
	struct mshare_module_info before = MSHARE_INIT(before);
	struct mshare_module_info after = MSHARE_INIT(after);
	struct mshare_domain_info d = MSHARE_INIT(d);
	int ret;

	ASSERT_EQ(0, mshare_module_info(self->nl, &before));
	ret = run_as(variant->who, variant->op, self->name);
	EXPECT_EQ(variant->err, ret);

	/*
	 * Refused: the domain is as it was.  A dead namespace's domain goes
	 * at the next registry operation (this get).
	 */
	if (variant->op == op_del && !variant->err) {
		EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, self->name, &d));
		ASSERT_EQ(0, mshare_module_info(self->nl, &after));
		EXPECT_EQ(before.domains - 1, after.domains);
		return;
	}
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	ASSERT_EQ(0, mshare_module_info(self->nl, &after));
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
	struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_INIT;
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];

	ASSERT_EQ(0, nl_open(&nl));
	snprintf(name, sizeof(name), "perm-set-%d", (int)getpid());
	o.mode = 0600;
	o.uid = OWNER;
	o.gid = OWNER;
	ASSERT_EQ(0, mshare_domain_create(nl, name, 2 * MiB, &o, NULL));
	EXPECT_EQ(EACCES, run_as(&member, op_attach, name));
	EXPECT_EQ(0, set_one(nl, name, 0660, -1, GROUP));
	EXPECT_EQ(0, run_as(&member, op_attach, name));
	EXPECT_EQ(EACCES, run_as(&other, op_attach, name));
	EXPECT_EQ(0, set_one(nl, name, -1, OTHER, -1));
	EXPECT_EQ(0, run_as(&other, op_attach, name));
	EXPECT_EQ(EACCES, run_as(&owner, op_attach, name));
	EXPECT_EQ(0, mshare_domain_destroy(nl, name));
	mshare_nl_close(nl);
}

/* ---- who a netlink request is judged by ---- */

/* Send @fd over the socket @sock (SCM_RIGHTS): 0 or -1. */
static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

/* A descriptor received on @sock (SCM_RIGHTS), or -1. */
static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &mh, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* The "mshare" family id, or -1. */
static int family_id(void)
{
	struct mshare_nl *nl;
	int id;

	if (nl_open(&nl))
		return -1;
	id = mshare_nl_family(nl);
	mshare_nl_close(nl);
	return id;
}

/*
 * DOMAIN_SET @name mode @mode, written by hand on the raw generic netlink
 * socket @fd: with sendto() to the kernel's address (@addressed, as libnl
 * sends) or with write() (no address).  Returns the ack's errno (0 for
 * success, positive), or -1 if no ack came.
 */
static int raw_set_mode(int fd, int family, const char *name,
			unsigned int mode, bool addressed)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nl_msg *msg = nlmsg_alloc();
	struct nlmsghdr *h;
	char buf[8192];
	ssize_t n;

	if (!msg)
		return -1;
	if (!genlmsg_put(msg, 0, 1, family, 0, NLM_F_REQUEST | NLM_F_ACK,
			 MSHARE_CMD_DOMAIN_SET, MSHARE_GENL_VERSION) ||
	    nla_put_string(msg, MSHARE_A_DOMAIN_NAME, name) ||
	    nla_put_u32(msg, MSHARE_A_DOMAIN_MODE, mode)) {
		nlmsg_free(msg);
		return -1;
	}
	h = nlmsg_hdr(msg);
	if (addressed)
		n = sendto(fd, h, h->nlmsg_len, 0, (struct sockaddr *)&kernel,
			   sizeof(kernel));
	else
		n = write(fd, h, h->nlmsg_len);
	nlmsg_free(msg);
	if (n < 0)
		return -1;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < (ssize_t)NLMSG_HDRLEN)
			return -1;
		h = (struct nlmsghdr *)buf;
		if (h->nlmsg_type == NLMSG_ERROR)
			return -((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
}

static int raw_socket(void)
{
	return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
}

/* A domain of OWNER, GROUP, @mode for the tests below: 0 or -errno. */
static int owned_domain(struct mshare_nl *nl, const char *name, int mode)
{
	struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_INIT;

	o.mode = mode;
	o.uid = OWNER;
	o.gid = GROUP;
	return mshare_domain_create(nl, name, 2 * MiB, &o, NULL);
}

static int domain_mode(struct mshare_nl *nl, const char *name)
{
	struct mshare_domain_info d = MSHARE_INIT(d);

	return mshare_domain_get(nl, name, &d) ? -1 : (int)d.mode;
}

/*
 * A socket opened by a process without CAP_SYS_ADMIN, used by root:
 * netlink_ns_capable() checks the opener only for a request sent without
 * an address (write()); addressed with sendto(), as libnl sends every
 * request, only the sender counts.
 */
TEST(capability_of_opener_counts_only_without_address)
{
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	int sv[2], fd, family;
	pid_t pid;

	ASSERT_EQ(0, nl_open(&nl));
	family = mshare_nl_family(nl);
	snprintf(name, sizeof(name), "perm-nl-%d", (int)getpid());
	ASSERT_EQ(0, owned_domain(nl, name, 0600));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = flush_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int s;

		if (become(&other))
			_exit(1);
		s = raw_socket();
		_exit(s < 0 || send_fd(sv[1], s) ? 2 : 0);
	}
	fd = recv_fd(sv[0]);
	ASSERT_EQ(0, wait_exit_code(pid));
	ASSERT_LE(0, fd);

	/* written: the opener (uid OTHER, no capability) is checked too */
	EXPECT_EQ(EPERM, raw_set_mode(fd, family, name, 0640, false));
	EXPECT_EQ(0600, domain_mode(nl, name));
	/* addressed: only the sender (root) is checked */
	EXPECT_EQ(0, raw_set_mode(fd, family, name, 0640, true));
	EXPECT_EQ(0640, domain_mode(nl, name));
	/* and root's own socket, either way */
	close(fd);
	fd = raw_socket();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, raw_set_mode(fd, family, name, 0604, false));
	EXPECT_EQ(0604, domain_mode(nl, name));

	close(fd);
	close(sv[0]);
	close(sv[1]);
	EXPECT_EQ(0, mshare_domain_destroy(nl, name));
	mshare_nl_close(nl);
}

/*
 * The owner test is the module's own: the effective uid of the sender and
 * of the socket's opener must both be the domain's uid, however the
 * request was sent.  The owner using a socket root opened is refused.
 */
TEST(owner_test_needs_sender_and_opener)
{
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	int fd, family = family_id();
	pid_t pid;

	ASSERT_LE(0, family);
	ASSERT_EQ(0, nl_open(&nl));
	snprintf(name, sizeof(name), "perm-own-%d", (int)getpid());
	ASSERT_EQ(0, owned_domain(nl, name, 0600));
	fd = raw_socket();		/* opened by root */
	ASSERT_LE(0, fd);
	pid = flush_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int own;

		if (become(&owner))
			_exit(1);
		/* root's socket: refused written and addressed */
		if (raw_set_mode(fd, family, name, 0640, true) != EPERM)
			_exit(2);
		if (raw_set_mode(fd, family, name, 0640, false) != EPERM)
			_exit(3);
		/* its own socket: allowed */
		own = raw_socket();
		if (own < 0 || raw_set_mode(own, family, name, 0660, true))
			_exit(4);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit_code(pid));
	EXPECT_EQ(0660, domain_mode(nl, name));
	close(fd);
	EXPECT_EQ(0, mshare_domain_destroy(nl, name));
	mshare_nl_close(nl);
}

/* ---- what an attached descriptor carries ---- */

#define MARK0	0x6d73686172653031ULL
#define MARK1	0x6d73686172653032ULL

/*
 * Use the attached descriptor @fd of domain @name as a process that may
 * not attach it itself: returns 0 when attaching afresh is EACCES and yet
 * @fd maps the domain read-write (page 0 holds MARK0; page 1 gets MARK1)
 * and MSHARE_IOC_DISCARD frees page 2; another number says what failed.
 */
static int use_passed_fd(int fd, const char *name)
{
	struct mshare_discard dis = { .offset = 2 * PAGE, .length = PAGE };
	struct mshare_info info;
	int fresh = open_dev();
	uint64_t *p;

	if (fresh < 0 || attach_fd(fresh, name) != EACCES)
		return 11;
	close(fresh);
	if (ioctl(fd, MSHARE_IOC_INFO, &info) || strcmp(info.name, name))
		return 12;
	p = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 13;
	if (p[0] != MARK0)
		return 14;
	p[PAGE / 8] = MARK1;
	if (ioctl(fd, MSHARE_IOC_DISCARD, &dis) || p[2 * PAGE / 8])
		return 15;
	munmap(p, info.size);
	return 0;
}

/*
 * The helper mode of this program, for the setuid exec below:
 * "perm_test --use-inherited-fd FD NAME" runs use_passed_fd() before the
 * harness starts, as the (setuid) user it was executed as.
 */
__attribute__((constructor))
static void inherited_fd_helper(int argc, char **argv)
{
	if (argc != 4 || strcmp(argv[1], "--use-inherited-fd"))
		return;
	if (geteuid() != OTHER)
		_exit(10);
	_exit(use_passed_fd(atoi(argv[2]), argv[3]));
}

/* Root attaches @name (mode 0600, OTHER may not) and writes MARK0. */
static int attach_and_mark(const char *name, int *fdp)
{
	struct mshare_info info;
	uint64_t *p;
	int fd = open(DEV_PATH, O_RDWR);	/* inherited across exec */

	if (fd < 0 || attach_fd(fd, name) ||
	    ioctl(fd, MSHARE_IOC_INFO, &info))
		return -1;
	p = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	p[0] = MARK0;
	p[2 * PAGE / 8] = MARK0;
	munmap(p, info.size);
	*fdp = fd;
	return 0;
}

/* Page 1 holds MARK1 and page 2 was discarded: the receiver wrote. */
static bool receiver_wrote(const char *name)
{
	size_t size;
	uint64_t *p;
	bool ok;

	if (attach_dom(name, 0, (void **)&p, &size))
		return false;
	ok = p[PAGE / 8] == MARK1 && p[2 * PAGE / 8] == 0;
	mshare_detach(p, size);
	return ok;
}

/* Passed with SCM_RIGHTS to a process of another uid, it still works. */
TEST(attached_descriptor_passed_by_scm_rights_carries_access)
{
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	int sv[2], fd;
	pid_t pid;

	ASSERT_EQ(0, nl_open(&nl));
	snprintf(name, sizeof(name), "perm-scm-%d", (int)getpid());
	ASSERT_EQ(0, owned_domain(nl, name, 0600));
	ASSERT_EQ(0, attach_and_mark(name, &fd));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = flush_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int got;

		close(fd);		/* only the passed one remains */
		if (become(&other))
			_exit(1);
		got = recv_fd(sv[1]);
		_exit(got < 0 ? 2 : use_passed_fd(got, name));
	}
	ASSERT_EQ(0, send_fd(sv[0], fd));
	close(fd);
	EXPECT_EQ(0, wait_exit_code(pid));
	EXPECT_TRUE(receiver_wrote(name));
	close(sv[0]);
	close(sv[1]);
	EXPECT_EQ(0, mshare_domain_destroy(nl, name));
	mshare_nl_close(nl);
}

/*
 * Inherited across the exec of a program that is setuid to OTHER (so the
 * new image runs as OTHER, with no capability), it still works.
 */
TEST(attached_descriptor_inherited_across_setuid_exec_carries_access)
{
	char name[MSHARE_NAME_MAX], copy[64], self_exe[PATH_MAX], fdstr[16];
	struct mshare_nl *nl;
	int fd, in, out;
	char buf[65536];
	ssize_t n;
	pid_t pid;

	/* a copy of this program, setuid OTHER, on /tmp */
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	ASSERT_LT(0, n);
	self_exe[n] = 0;
	snprintf(copy, sizeof(copy), "/tmp/perm-suid-%d", (int)getpid());
	in = open(self_exe, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, in);
	out = open(copy, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);
	ASSERT_LE(0, out);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ASSERT_EQ(n, write(out, buf, n));
	close(in);
	close(out);
	ASSERT_EQ(0, chown(copy, OTHER, OTHER));
	ASSERT_EQ(0, chmod(copy, 04755));

	ASSERT_EQ(0, nl_open(&nl));
	snprintf(name, sizeof(name), "perm-exec-%d", (int)getpid());
	ASSERT_EQ(0, owned_domain(nl, name, 0600));
	ASSERT_EQ(0, attach_and_mark(name, &fd));
	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	pid = flush_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		execl(copy, copy, "--use-inherited-fd", fdstr, name,
		      (char *)NULL);
		_exit(127);
	}
	EXPECT_EQ(0, wait_exit_code(pid));
	close(fd);
	EXPECT_TRUE(receiver_wrote(name));
	unlink(copy);
	EXPECT_EQ(0, mshare_domain_destroy(nl, name));
	mshare_nl_close(nl);
}

/* ---- delegated creation: grants and limits (kmod/quota.c) ---- */

#define MEMBER2	1003	/* another member of GROUP */
#define NOTGROUP 3000

static const struct who member2 = { MEMBER2, MEMBER2, GROUP, 0 };
/* the owner, in an IPC namespace of its own (made as root first) */
static const struct who owner_ipcns = { OWNER, OWNER, 0, CLONE_NEWIPC };

/*
 * What the ops below do, set before run_nl_as() forks: the size, uid and
 * gid of op_new()'s domain (-1: the defaults), the limit of op_limit_*().
 */
static uint64_t new_size = 2 * MiB;
static int new_uid = -1, new_gid = -1;
static uint32_t lim_kind, lim_id, lim_domains;
static uint64_t lim_bytes;

static int op_new(struct mshare_nl *nl, const char *name)
{
	struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_INIT;

	o.uid = new_uid;
	o.gid = new_gid;
	return mshare_domain_create(nl, name, new_size, &o, NULL);
}

static int op_limit_set(struct mshare_nl *nl, const char *name)
{
	return mshare_limit_set(nl, lim_kind, lim_id, lim_bytes, lim_domains);
}

static int op_limit_del(struct mshare_nl *nl, const char *name)
{
	return mshare_limit_del(nl, lim_kind, lim_id);
}

/* LIMIT_GET: 0 with at least one limit listed, -ENOENT with none. */
static int op_limit_listed(struct mshare_nl *nl, const char *name)
{
	int n = mshare_limit_dump(nl, NULL, NULL);

	return n < 0 ? n : n ? 0 : -ENOENT;
}

/* The extack message of the last run_nl_as() (shared with its child). */
static char *nl_msg;

/*
 * run_as() for a netlink operation, whose every refusal must carry an
 * extack message (else 204); the message is left in nl_msg.
 */
static int run_nl_as(const struct who *w, op_fn fn, const char *name)
{
	int status;
	pid_t pid;

	if (!nl_msg) {
		nl_msg = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (nl_msg == MAP_FAILED) {
			nl_msg = NULL;
			return 255;
		}
	}
	nl_msg[0] = 0;
	pid = flush_fork();
	if (pid < 0)
		return 255;
	if (pid == 0) {
		struct mshare_nl *nl;
		int ret;

		if (become(w))
			_exit(201);
		if (nl_open(&nl))
			_exit(202);
		ret = fn(nl, name);
		snprintf(nl_msg, 4096, "%s", mshare_nl_extack(nl));
		mshare_nl_close(nl);
		if (ret < 0 && !nl_msg[0])
			_exit(204);
		_exit(ret > 0 ? 203 : -ret);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 254;
	return WEXITSTATUS(status);
}

/* Create @name as @w: its errno (0: created), as run_nl_as(). */
static int new_as(const struct who *w, const char *name, uint64_t size)
{
	new_size = size;
	new_uid = new_gid = -1;
	return run_nl_as(w, op_new, name);
}

/* LIMIT_SET as @w. */
static int limit_set_as(const struct who *w, uint32_t kind, uint32_t id,
			uint64_t bytes, uint32_t domains)
{
	lim_kind = kind;
	lim_id = id;
	lim_bytes = bytes;
	lim_domains = domains;
	return run_nl_as(w, op_limit_set, NULL);
}

static int limit_del_as(const struct who *w, uint32_t kind, uint32_t id)
{
	lim_kind = kind;
	lim_id = id;
	return run_nl_as(w, op_limit_del, NULL);
}

struct limits {
	struct mshare_limit_info l[16];
	int n;
};

static void limit_cb(const struct mshare_limit_info *l, void *arg)
{
	struct limits *ls = arg;

	if (ls->n < 16)
		ls->l[ls->n++] = *l;
}

/* The limit @kind/@id of the caller's namespace into *@out: 0 or -ENOENT. */
static int limit_get(struct mshare_nl *nl, uint32_t kind, uint32_t id,
		     struct mshare_limit_info *out)
{
	struct limits ls = { .n = 0 };
	int i;

	if (mshare_limit_dump(nl, limit_cb, &ls) < 0)
		return -EIO;
	for (i = 0; i < ls.n; i++)
		if (ls.l[i].kind == kind &&
		    (kind == MSHARE_LIMIT_NAMESPACE || ls.l[i].id == id)) {
			*out = ls.l[i];
			return 0;
		}
	return -ENOENT;
}

/* Bytes and domains charged to limit @kind/@id (-1, -1 if there is none). */
#define USED(nl, kind, id, bytes, domains) do {				\
	struct mshare_limit_info _l;					\
	int _e = limit_get(nl, kind, id, &_l);				\
	EXPECT_EQ(0, _e);						\
	EXPECT_EQ((uint64_t)(bytes), _e ? ~0ULL : _l.used_bytes);	\
	EXPECT_EQ((uint32_t)(domains), _e ? ~0U : _l.used_domains);	\
} while (0)

/*
 * Each test runs in an IPC namespace of its own (the test process, root,
 * unshares it), so that its grants and domains meet no one else's and go
 * with it; the teardown deletes them anyway.
 */
FIXTURE(grant) {
	struct mshare_nl *nl;
	char prefix[32];
	char names[8][MSHARE_NAME_MAX];
	struct mshare_module_info before;
};

FIXTURE_SETUP(grant)
{
	int i;

	ASSERT_EQ(0, unshare(CLONE_NEWIPC));
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->prefix, sizeof(self->prefix), "grant-%d", (int)getpid());
	for (i = 0; i < 8; i++)
		snprintf(self->names[i], MSHARE_NAME_MAX, "%s-%d", self->prefix, i);
	self->before.size = sizeof(self->before);
	ASSERT_EQ(0, mshare_module_info(self->nl, &self->before));
	/* a namespace of our own: no limit, no domain */
	ASSERT_EQ(0, mshare_limit_dump(self->nl, NULL, NULL));
	ASSERT_EQ(0, mshare_domain_dump(self->nl, NULL, NULL));
}

FIXTURE_TEARDOWN(grant)
{
	struct limits ls = { .n = 0 };
	int i;

	for (i = 0; i < 8; i++)
		mshare_domain_destroy(self->nl, self->names[i]);
	if (mshare_limit_dump(self->nl, limit_cb, &ls) > 0)
		for (i = 0; i < ls.n; i++)
			mshare_limit_del(self->nl, ls.l[i].kind, ls.l[i].id);
	mshare_nl_close(self->nl);
}

#define N(i)	(self->names[i])

/* The extack messages of refused creations and limit changes (exact). */
#define MSG_NO_GRANT \
	"creating a domain needs CAP_SYS_ADMIN or a grant (msharectl limit)"
#define MSG_OVER_USER \
	"over the user's limit on domains (msharectl limit show)"
#define MSG_OVER_GROUP \
	"over the group's limit on domains per user (msharectl limit show)"
#define MSG_OVER_NS	"the IPC namespace's limit on domains is reached"
#define MSG_OTHER_OWNER \
	"only CAP_SYS_ADMIN creates a domain for another owner or group"
#define MSG_NOT_NS_ADMIN \
	"changing limits needs CAP_SYS_ADMIN over the IPC namespace"
#define MSG_NO_LIMIT	"no such limit in this IPC namespace"

/*
 * A user grant: its user creates domains (owned by it) up to the grant's
 * domains and bytes, and gets EDQUOT, with an extack message, beyond
 * either; a refusal makes nothing; deleting an unattached domain gives
 * its bytes and its count back at once.
 */
TEST_F(grant, user_creates_within_its_limit_and_no_further)
{
	struct mshare_module_info m = MSHARE_INIT(m);
	struct mshare_domain_info d = MSHARE_INIT(d);

	ASSERT_EQ(0, limit_set_as(&root, MSHARE_LIMIT_USER, OWNER, 6 * MiB, 2));
	USED(self->nl, MSHARE_LIMIT_USER, OWNER, 0, 0);
	EXPECT_EQ(0, new_as(&owner, N(0), 2 * MiB));
	EXPECT_EQ(0, new_as(&owner, N(1), 4 * MiB));
	ASSERT_EQ(0, mshare_domain_get(self->nl, N(0), &d));
	EXPECT_EQ(OWNER, d.uid);
	EXPECT_EQ(OWNER, d.gid);
	EXPECT_EQ(0600, d.mode);
	USED(self->nl, MSHARE_LIMIT_USER, OWNER, 6 * MiB, 2);

	/* a third domain: the count is used up */
	EXPECT_EQ(EDQUOT, new_as(&owner, N(2), 2 * MiB));
	EXPECT_STREQ(MSG_OVER_USER, nl_msg);
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, N(2), &d));
	ASSERT_EQ(0, mshare_module_info(self->nl, &m));
	EXPECT_EQ(self->before.domains + 2, m.domains);

	/* deleted (unattached): count and bytes come back at once */
	EXPECT_EQ(0, run_as(&owner, op_del, N(0)));
	USED(self->nl, MSHARE_LIMIT_USER, OWNER, 4 * MiB, 1);
	/* 4 + 4 MiB > 6 MiB: the bytes are used up */
	EXPECT_EQ(EDQUOT, new_as(&owner, N(2), 4 * MiB));
	EXPECT_NE(0, nl_msg[0]);
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, N(2), &d));
	EXPECT_EQ(0, new_as(&owner, N(2), 2 * MiB));
	USED(self->nl, MSHARE_LIMIT_USER, OWNER, 6 * MiB, 2);
	/* and it attaches what it made */
	EXPECT_EQ(0, run_as(&owner, op_attach, N(2)));
}

/*
 * A domain whose name was deleted while a process still maps it counts
 * against its owner until the last attacher lets go (as a SysV segment
 * marked for deletion does): the owner cannot create in its place before.
 */
TEST_F(grant, deleted_domain_counts_until_its_last_detach)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char key[16];
	int go[2], ready[2];
	pid_t holder;
	char c;

	ASSERT_EQ(0, limit_set_as(&root, MSHARE_LIMIT_USER, OWNER, 2 * MiB, 1));
	ASSERT_EQ(0, new_as(&owner, N(0), 2 * MiB));
	ASSERT_EQ(0, mshare_domain_get(self->nl, N(0), &d));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	holder = flush_fork();
	ASSERT_LE(0, holder);
	if (holder == 0) {
		size_t size;
		void *p;

		close(go[1]);
		if (become(&owner) || attach_dom(N(0), 0, &p, &size))
			_exit(1);
		*(volatile char *)p = 1;
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(2);
		_exit(mshare_detach(p, size) ? 3 : 0);
	}
	close(go[0]);
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));

	EXPECT_EQ(0, run_as(&owner, op_del, N(0)));
	/* the name is free, the charge is not */
	USED(self->nl, MSHARE_LIMIT_USER, OWNER, 2 * MiB, 1);
	EXPECT_EQ(EDQUOT, new_as(&owner, N(1), 2 * MiB));
	EXPECT_EQ(EDQUOT, new_as(&owner, N(0), 2 * MiB));
	/* it is listed, as deleted, and reachable by its id */
	EXPECT_EQ(0, mshare_domain_get(self->nl, mshare_id_key(d.id, key), &d));
	EXPECT_TRUE(d.deleted);
	EXPECT_EQ(OWNER, d.uid);

	/* the last attacher goes: so does the charge */
	close(go[1]);
	EXPECT_EQ(0, wait_exit_code(holder));
	close(ready[0]);
	USED(self->nl, MSHARE_LIMIT_USER, OWNER, 0, 0);
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, key, &d));
	EXPECT_EQ(0, new_as(&owner, N(1), 2 * MiB));
}

/*
 * A group grant covers each member of the group (its effective or
 * supplementary groups), each with the grant's limits of its own; a
 * non-member is refused (EPERM).  A delegated creator owns what it makes:
 * it may give it one of its own groups, but no other group or owner.
 * LIMIT_GET charges the group's grant with what it admitted.
 */
TEST_F(grant, group_grant_covers_each_member)
{
	struct mshare_domain_info d = MSHARE_INIT(d);

	ASSERT_EQ(0, limit_set_as(&root, MSHARE_LIMIT_GROUP, GROUP, 4 * MiB, 2));
	EXPECT_EQ(0, new_as(&member, N(0), 2 * MiB));
	EXPECT_EQ(0, new_as(&member, N(1), 2 * MiB));
	EXPECT_EQ(EDQUOT, new_as(&member, N(2), 2 * MiB));
	EXPECT_STREQ(MSG_OVER_GROUP, nl_msg);
	/* another member has its own count */
	EXPECT_EQ(0, new_as(&member2, N(2), 2 * MiB));
	USED(self->nl, MSHARE_LIMIT_GROUP, GROUP, 6 * MiB, 3);
	/* not a member */
	EXPECT_EQ(EPERM, new_as(&other, N(3), 2 * MiB));
	EXPECT_STREQ(MSG_NO_GRANT, nl_msg);
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, N(3), &d));
	ASSERT_EQ(0, mshare_domain_get(self->nl, N(2), &d));
	EXPECT_EQ(MEMBER2, d.uid);
	EXPECT_EQ(MEMBER2, d.gid);

	/* the member's group for its domain: its own groups only */
	EXPECT_EQ(0, run_as(&member, op_del, N(0)));
	new_size = 2 * MiB;
	new_uid = -1;
	new_gid = GROUP;
	EXPECT_EQ(0, run_nl_as(&member, op_new, N(0)));
	ASSERT_EQ(0, mshare_domain_get(self->nl, N(0), &d));
	EXPECT_EQ(GROUP, d.gid);
	EXPECT_EQ(0, run_as(&member, op_del, N(0)));
	new_gid = NOTGROUP;
	EXPECT_EQ(EPERM, run_nl_as(&member, op_new, N(0)));
	EXPECT_STREQ(MSG_OTHER_OWNER, nl_msg);
	new_gid = -1;
	new_uid = MEMBER2;
	EXPECT_EQ(EPERM, run_nl_as(&member, op_new, N(0)));
	EXPECT_STREQ(MSG_OTHER_OWNER, nl_msg);
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, N(0), &d));

	/* the member's own user grant comes first, even when smaller */
	ASSERT_EQ(0, limit_set_as(&root, MSHARE_LIMIT_USER, MEMBER2, 2 * MiB, 1));
	EXPECT_EQ(EDQUOT, new_as(&member2, N(3), 2 * MiB));
	EXPECT_STREQ(MSG_OVER_USER, nl_msg);
	ASSERT_EQ(0, limit_del_as(&root, MSHARE_LIMIT_USER, MEMBER2));
	EXPECT_EQ(0, new_as(&member2, N(3), 2 * MiB));
}

/* Without a grant: EPERM with a message; removing a grant keeps domains. */
TEST_F(grant, not_granted_is_eperm)
{
	struct mshare_domain_info d = MSHARE_INIT(d);

	EXPECT_EQ(EPERM, new_as(&owner, N(0), 2 * MiB));
	EXPECT_STREQ(MSG_NO_GRANT, nl_msg);
	ASSERT_EQ(0, limit_set_as(&root, MSHARE_LIMIT_USER, OWNER, 4 * MiB, 2));
	EXPECT_EQ(EPERM, new_as(&other, N(0), 2 * MiB));
	EXPECT_EQ(EPERM, new_as(&member, N(0), 2 * MiB));
	EXPECT_EQ(0, new_as(&owner, N(0), 2 * MiB));
	ASSERT_EQ(0, limit_del_as(&root, MSHARE_LIMIT_USER, OWNER));
	EXPECT_EQ(EPERM, new_as(&owner, N(1), 2 * MiB));
	/* what it made stays, and stays its own */
	ASSERT_EQ(0, mshare_domain_get(self->nl, N(0), &d));
	EXPECT_EQ(OWNER, d.uid);
	EXPECT_EQ(0, run_as(&owner, op_attach, N(0)));
	EXPECT_EQ(0, run_as(&owner, op_del, N(0)));
	/* deleting a grant that is not there */
	EXPECT_EQ(ENOENT, limit_del_as(&root, MSHARE_LIMIT_USER, OWNER));
	EXPECT_STREQ(MSG_NO_LIMIT, nl_msg);
}

/*
 * The namespace's total binds every creator, CAP_SYS_ADMIN included, on
 * domains and on bytes (ENOSPC), before any grant's limit.
 */
TEST_F(grant, namespace_total_binds_root_too)
{
	struct mshare_domain_info d = MSHARE_INIT(d);

	ASSERT_EQ(0, limit_set_as(&root, MSHARE_LIMIT_NAMESPACE, 0, 8 * MiB, 3));
	USED(self->nl, MSHARE_LIMIT_NAMESPACE, 0, 0, 0);
	EXPECT_EQ(0, new_as(&root, N(0), 2 * MiB));
	EXPECT_EQ(0, new_as(&root, N(1), 2 * MiB));
	EXPECT_EQ(0, new_as(&root, N(2), 2 * MiB));
	USED(self->nl, MSHARE_LIMIT_NAMESPACE, 0, 6 * MiB, 3);
	/* the count */
	EXPECT_EQ(ENOSPC, new_as(&root, N(3), 2 * MiB));
	EXPECT_STREQ(MSG_OVER_NS, nl_msg);
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, N(3), &d));
	/* the bytes: 4 + 4 fit, then 4 + 4 + 4 does not */
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, N(0)));
	EXPECT_EQ(0, new_as(&root, N(3), 4 * MiB));
	USED(self->nl, MSHARE_LIMIT_NAMESPACE, 0, 8 * MiB, 3);
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, N(1)));
	EXPECT_EQ(ENOSPC, new_as(&root, N(4), 4 * MiB));
	EXPECT_NE(0, nl_msg[0]);
	EXPECT_EQ(0, new_as(&root, N(4), 2 * MiB));

	/* a grant with room of its own does not pass the total */
	ASSERT_EQ(0, limit_set_as(&root, MSHARE_LIMIT_USER, OWNER, 64 * MiB, 8));
	EXPECT_EQ(ENOSPC, new_as(&owner, N(5), 2 * MiB));
	EXPECT_STREQ(MSG_OVER_NS, nl_msg);
	ASSERT_EQ(0, limit_del_as(&root, MSHARE_LIMIT_NAMESPACE, 0));
	EXPECT_EQ(0, new_as(&owner, N(5), 2 * MiB));
	EXPECT_EQ(ENOENT, limit_del_as(&root, MSHARE_LIMIT_NAMESPACE, 0));
}

/*
 * A refusal for bytes names the bytes: the domains left are not what ran
 * out.  (Fails on the module of 4d5fffd/b18725b, whose messages say "limit
 * on domains" for the bytes too, kmod/quota.c.)
 */
TEST_F(grant, over_a_byte_limit_the_message_says_bytes)
{
	ASSERT_EQ(0, limit_set_as(&root, MSHARE_LIMIT_USER, OWNER, 4 * MiB, 8));
	EXPECT_EQ(0, new_as(&owner, N(0), 4 * MiB));
	EXPECT_EQ(EDQUOT, new_as(&owner, N(1), 2 * MiB));
	TH_LOG("EDQUOT for bytes: %s", nl_msg);
	EXPECT_NE(NULL, strstr(nl_msg, "bytes"));
	EXPECT_EQ(NULL, strstr(nl_msg, "on domains"));

	ASSERT_EQ(0, limit_set_as(&root, MSHARE_LIMIT_NAMESPACE, 0, 6 * MiB, 8));
	EXPECT_EQ(ENOSPC, new_as(&root, N(2), 4 * MiB));
	TH_LOG("ENOSPC for bytes: %s", nl_msg);
	EXPECT_NE(NULL, strstr(nl_msg, "bytes"));
	EXPECT_EQ(NULL, strstr(nl_msg, "on domains"));
}

/*
 * Grants belong to their IPC namespace: a grant of this one does not
 * apply in another (EPERM), which lists no limit either.
 */
TEST_F(grant, grant_of_another_ipc_namespace_does_not_apply)
{
	ASSERT_EQ(0, limit_set_as(&root, MSHARE_LIMIT_USER, OWNER, 4 * MiB, 2));
	EXPECT_EQ(EPERM, new_as(&owner_ipcns, N(0), 2 * MiB));
	EXPECT_STREQ(MSG_NO_GRANT, nl_msg);
	EXPECT_EQ(ENOENT, run_as(&owner_ipcns, op_limit_listed, NULL));
	EXPECT_EQ(0, run_as(&owner, op_limit_listed, NULL));
	EXPECT_EQ(0, new_as(&owner, N(0), 2 * MiB));
}

/*
 * Only an ns-admin sets or removes a limit (EPERM, with a message, for
 * anyone else, the grantee included); anyone in the namespace lists them.
 */
TEST_F(grant, unprivileged_cannot_set_or_delete_limits)
{
	struct mshare_limit_info l;

	EXPECT_EQ(EPERM, limit_set_as(&owner, MSHARE_LIMIT_USER, OWNER, 4 * MiB, 2));
	EXPECT_STREQ(MSG_NOT_NS_ADMIN, nl_msg);
	EXPECT_EQ(EPERM, limit_set_as(&owner, MSHARE_LIMIT_NAMESPACE, 0, 4 * MiB, 2));
	EXPECT_EQ(-ENOENT, limit_get(self->nl, MSHARE_LIMIT_USER, OWNER, &l));
	ASSERT_EQ(0, limit_set_as(&root, MSHARE_LIMIT_USER, OWNER, 4 * MiB, 2));
	/* not even its own grant */
	EXPECT_EQ(EPERM, limit_set_as(&owner, MSHARE_LIMIT_USER, OWNER, 64 * MiB, 20));
	EXPECT_EQ(EPERM, limit_del_as(&owner, MSHARE_LIMIT_USER, OWNER));
	EXPECT_EQ(EPERM, limit_del_as(&other, MSHARE_LIMIT_USER, OWNER));
	EXPECT_STREQ(MSG_NOT_NS_ADMIN, nl_msg);
	ASSERT_EQ(0, limit_get(self->nl, MSHARE_LIMIT_USER, OWNER, &l));
	EXPECT_EQ(4 * MiB, l.bytes);
	EXPECT_EQ(2, l.domains);
	EXPECT_EQ(0, run_as(&other, op_limit_listed, NULL));
}

/* A new owner (DOMAIN_SET uid, by the ns-admin) takes the charge over. */
TEST_F(grant, owner_change_moves_the_charge)
{
	struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_INIT;

	ASSERT_EQ(0, limit_set_as(&root, MSHARE_LIMIT_USER, OWNER, 4 * MiB, 2));
	ASSERT_EQ(0, limit_set_as(&root, MSHARE_LIMIT_USER, OTHER, 2 * MiB, 1));
	ASSERT_EQ(0, new_as(&owner, N(0), 2 * MiB));
	USED(self->nl, MSHARE_LIMIT_USER, OWNER, 2 * MiB, 1);
	USED(self->nl, MSHARE_LIMIT_USER, OTHER, 0, 0);

	o.uid = OTHER;
	ASSERT_EQ(0, mshare_domain_set(self->nl, N(0), &o, NULL));
	USED(self->nl, MSHARE_LIMIT_USER, OWNER, 0, 0);
	USED(self->nl, MSHARE_LIMIT_USER, OTHER, 2 * MiB, 1);
	/* OTHER's grant is used up by what it was given; OWNER's is free */
	EXPECT_EQ(EDQUOT, new_as(&other, N(1), 2 * MiB));
	EXPECT_EQ(0, new_as(&owner, N(1), 4 * MiB));
	/* the new owner deletes it: the charge goes */
	EXPECT_EQ(0, run_as(&other, op_del, N(0)));
	USED(self->nl, MSHARE_LIMIT_USER, OTHER, 0, 0);
	USED(self->nl, MSHARE_LIMIT_USER, OWNER, 4 * MiB, 1);
}

/*
 * LIMIT_GET lists the namespace's total first, then each grant in the
 * order made, with its limits and what is charged to it; setting a limit
 * again changes it in place.
 */
TEST_F(grant, limit_get_lists_every_limit_with_its_usage)
{
	struct limits ls = { .n = 0 };

	ASSERT_EQ(0, limit_set_as(&root, MSHARE_LIMIT_USER, OWNER, 6 * MiB, 3));
	ASSERT_EQ(0, limit_set_as(&root, MSHARE_LIMIT_GROUP, GROUP, 1 * GiB, 16));
	ASSERT_EQ(0, limit_set_as(&root, MSHARE_LIMIT_NAMESPACE, 0, 64 * GiB, 100));
	ASSERT_EQ(0, new_as(&owner, N(0), 4 * MiB));
	ASSERT_EQ(0, new_as(&member, N(1), 2 * MiB));
	ASSERT_EQ(0, new_as(&root, N(2), 2 * MiB));

	ASSERT_EQ(3, mshare_limit_dump(self->nl, limit_cb, &ls));
	EXPECT_EQ(MSHARE_LIMIT_NAMESPACE, ls.l[0].kind);
	EXPECT_EQ(64 * GiB, ls.l[0].bytes);
	EXPECT_EQ(100, ls.l[0].domains);
	EXPECT_EQ(8 * MiB, ls.l[0].used_bytes);
	EXPECT_EQ(3, ls.l[0].used_domains);
	EXPECT_EQ(MSHARE_LIMIT_USER, ls.l[1].kind);
	EXPECT_EQ(OWNER, ls.l[1].id);
	EXPECT_EQ(6 * MiB, ls.l[1].bytes);
	EXPECT_EQ(3, ls.l[1].domains);
	EXPECT_EQ(4 * MiB, ls.l[1].used_bytes);
	EXPECT_EQ(1, ls.l[1].used_domains);
	EXPECT_EQ(MSHARE_LIMIT_GROUP, ls.l[2].kind);
	EXPECT_EQ(GROUP, ls.l[2].id);
	EXPECT_EQ(1 * GiB, ls.l[2].bytes);
	EXPECT_EQ(16, ls.l[2].domains);
	EXPECT_EQ(2 * MiB, ls.l[2].used_bytes);
	EXPECT_EQ(1, ls.l[2].used_domains);

	/* set again: changed in place */
	ASSERT_EQ(0, limit_set_as(&root, MSHARE_LIMIT_USER, OWNER, 8 * MiB, 4));
	ls.n = 0;
	ASSERT_EQ(3, mshare_limit_dump(self->nl, limit_cb, &ls));
	EXPECT_EQ(MSHARE_LIMIT_USER, ls.l[1].kind);
	EXPECT_EQ(8 * MiB, ls.l[1].bytes);
	EXPECT_EQ(4, ls.l[1].domains);
	EXPECT_EQ(4 * MiB, ls.l[1].used_bytes);

	ASSERT_EQ(0, limit_del_as(&root, MSHARE_LIMIT_USER, OWNER));
	ls.n = 0;
	ASSERT_EQ(2, mshare_limit_dump(self->nl, limit_cb, &ls));
	EXPECT_EQ(MSHARE_LIMIT_NAMESPACE, ls.l[0].kind);
	EXPECT_EQ(MSHARE_LIMIT_GROUP, ls.l[1].kind);
}

/* Steps of the user-namespace test, run in its child; their errnos here. */
#define USERNS_STEPS	9
static int *userns_res;

static void userns_steps(const char *name)
{
	struct mshare_limit_info l;
	struct mshare_nl *nl;
	int i = 0;

	if (nl_open(&nl))
		_exit(202);
	/* 0: no grant yet, no CAP_SYS_ADMIN over the initial namespace */
	userns_res[i++] = -mshare_domain_create(nl, name, 2 * MiB, NULL, NULL);
	/* 1: its own namespace's ns-admin grants itself (uid 0 here) */
	userns_res[i++] = -mshare_limit_set(nl, MSHARE_LIMIT_USER, 0,
					    4 * MiB, 1);
	/* 2, 3: creates within the grant and attaches */
	userns_res[i++] = -mshare_domain_create(nl, name, 2 * MiB, NULL, NULL);
	userns_res[i++] = -op_attach(nl, name);
	/* 4: one domain is all the grant allows */
	userns_res[i++] = -mshare_domain_create(nl, "second", 2 * MiB, NULL,
						NULL);
	/* 5: listed as uid 0, charged 2 MiB */
	userns_res[i++] = -limit_get(nl, MSHARE_LIMIT_USER, 0, &l);
	userns_res[i++] = l.used_bytes == 2 * MiB && l.used_domains == 1 ?
			  0 : EIO;
	/* 7, 8: deletes its domain and its grant */
	userns_res[i++] = -mshare_domain_destroy(nl, name);
	userns_res[i++] = -mshare_limit_del(nl, MSHARE_LIMIT_USER, 0);
	mshare_nl_close(nl);
	_exit(0);
}

/*
 * Root of a user namespace (uid 1000 outside) with an IPC namespace of its
 * own is that namespace's ns-admin: it cannot create on its own (no
 * CAP_SYS_ADMIN in the initial user namespace), but it grants itself
 * creation there and creates within the grant.
 */
TEST(user_namespace_root_grants_its_own_ipc_namespace)
{
	static const struct who nsroot = { OWNER, OWNER, 0,
					   CLONE_NEWUSER | CLONE_NEWIPC };
	static const int want[USERNS_STEPS] = {
		EPERM, 0, 0, 0, EDQUOT, 0, 0, 0, 0,
	};
	char name[MSHARE_NAME_MAX];
	pid_t pid;
	int i;

	userns_res = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, userns_res);
	memset(userns_res, 0xff, 4096);
	snprintf(name, sizeof(name), "perm-userns-%d", (int)getpid());
	pid = flush_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (become(&nsroot))
			_exit(201);
		userns_steps(name);
	}
	ASSERT_EQ(0, wait_exit_code(pid));
	for (i = 0; i < USERNS_STEPS; i++)
		EXPECT_EQ(want[i], userns_res[i]) TH_LOG("step %d", i);
	munmap(userns_res, 4096);
}

/*
 * Root of a user namespace that stays in the initial IPC namespace is no
 * ns-admin of it: LIMIT_SET and LIMIT_DEL are EPERM, and nothing changes.
 */
TEST(user_namespace_root_cannot_limit_the_initial_namespace)
{
	static const struct who nsroot = { OWNER, OWNER, 0, CLONE_NEWUSER };
	struct mshare_limit_info l;
	struct mshare_nl *nl;
	int before;

	ASSERT_EQ(0, nl_open(&nl));
	before = mshare_limit_dump(nl, NULL, NULL);
	ASSERT_LE(0, before);
	EXPECT_EQ(EPERM, limit_set_as(&nsroot, MSHARE_LIMIT_USER, 0, 4 * MiB, 1));
	EXPECT_STREQ(MSG_NOT_NS_ADMIN, nl_msg);
	EXPECT_EQ(EPERM, limit_set_as(&nsroot, MSHARE_LIMIT_NAMESPACE, 0,
				      4 * MiB, 1));
	EXPECT_EQ(EPERM, new_as(&nsroot, "perm-userns-init", 2 * MiB));
	EXPECT_STREQ(MSG_NO_GRANT, nl_msg);
	EXPECT_EQ(before, mshare_limit_dump(nl, NULL, NULL));
	/* as seen from here, its uid 0 is OWNER: no grant for it appeared */
	if (limit_get(nl, MSHARE_LIMIT_USER, OWNER, &l) == 0)
		mshare_limit_del(nl, MSHARE_LIMIT_USER, OWNER);
	if (before == 0 &&
	    limit_get(nl, MSHARE_LIMIT_NAMESPACE, 0, &l) == 0)
		mshare_limit_del(nl, MSHARE_LIMIT_NAMESPACE, 0);
	mshare_nl_close(nl);
}

TEST_HARNESS_MAIN
