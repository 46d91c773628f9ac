// SPDX-License-Identifier: GPL-2.0
/*
 * mshare-soak: fuzzers of the ABI, one process per identity:
 *
 *   fuzz-root    root with every capability, on its own domains (and
 *                garbage names): everything may succeed;
 *   fuzz-nocaps  uid 0 without any capability (bounding set emptied,
 *                no_new_privs): the owner of root's domains, not of the
 *                checked domain (uid 1000) nor of nobody's;
 *   fuzz-nobody  uid/gid 65534, no capability: owner of the "pub"
 *                domains only;
 *   fuzz-userns  nobody in a new user namespace and IPC namespace: every
 *                capability there, none that the module honours, and no
 *                domain visible.
 *
 * Each iteration is one of: a netlink request built from the commands'
 * own attributes with edge values (and now and then a foreign attribute
 * or a wrong length), an "attribute soup" (random command, random
 * attributes of random lengths and contents, nested flags), a raw
 * message with broken lengths, an ioctl (the three commands with bad
 * pointers, bad sizes and random contents; random command numbers), or an
 * mmap of an attached descriptor with one documented error (or none)
 * followed by random mprotect/munmap/mremap/madvise/mlock/fork on the
 * mapping.  What the ABI promises is checked: an errno it does not allow
 * where it names one (bad pointer: EFAULT; unknown command: ENOTTY; the
 * mmap errors of uapi/linux/mshare.h), and above all that no identity
 * ever changes, deletes, migrates, discards or attaches what its
 * permissions deny (Documentation/permissions.rst).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <netlink/genl/ctrl.h>

#include "soak.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

#define NOBODY		65534
#define ARENA_SIZE	(64 * MiB)	/* mappings go in its first 62 MiB */
#define NAMEBUF		(MSHARE_NAME_MAX + 1)	/* a 64-byte name stays terminated */

static const char *const as_name[NR_FUZZ_AS] = {
	"fuzz-root", "fuzz-nocaps", "fuzz-nobody", "fuzz-userns"
};

struct fz {
	int as;
	uint64_t rs;
	struct mshare_nl *nl;
	struct nl_sock *raw;
	char *arena;		/* 2 MiB-aligned PROT_NONE reservation */
	char *ro_page;		/* a read-only page */
	char *guard;		/* a page followed by an unmapped one */
	char *none_page;	/* PROT_NONE */
	char *unmapped;		/* an address nothing maps */
};

/* ---- identities ---- */

static void drop_all_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };
	int cap;

	for (cap = 0; cap <= 63; cap++)
		prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	if (syscall(SYS_capset, &h, d))
		report("fuzz-nocaps: capset: %s", strerror(errno));
}

static void become(int as)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	switch (as) {
	case FUZZ_AS_NOCAPS:
		drop_all_caps();
		break;
	case FUZZ_AS_NOBODY:
	case FUZZ_AS_USERNS:
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY)) {
			report("%s: dropping to nobody: %s", as_name[as], strerror(errno));
			_exit(1);
		}
		if (as == FUZZ_AS_USERNS && unshare(CLONE_NEWUSER | CLONE_NEWIPC)) {
			report("fuzz-userns: unshare: %s", strerror(errno));
			_exit(1);
		}
		break;
	default:
		break;
	}
	/* A change of credentials clears it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* ---- names ---- */

#define N_NAME_KINDS	12

/* A name to use: garbage, or one of the pools this identity may try. */
static void pick_name(struct fz *f, char *out)	/* NAMEBUF bytes */
{
	static const char *const junk[] = {
		"", "a", "../x", "x/y", "a b", "\xc3\xa9t\xc3\xa9", "\xff", "-",
		".", "..", "soak", "A-Z_a.z-09",
	};
	uint64_t r = rnd(&f->rs) % N_NAME_KINDS;
	size_t i, n;

	memset(out, 0, NAMEBUF);
	switch (r) {
	case 0:		/* random bytes, maybe unterminated */
		n = rnd(&f->rs) % MSHARE_NAME_MAX;
		for (i = 0; i < n; i++)
			out[i] = (char)(1 + rnd(&f->rs) % 255);
		break;
	case 1:		/* a valid random name nobody uses */
		snprintf(out, MSHARE_NAME_MAX, "fzx%llu",
			 (unsigned long long)(rnd(&f->rs) % 1000));
		break;
	case 2:		/* 63 and 64 characters */
		memset(out, 'n', rnd(&f->rs) & 1 ? MSHARE_NAME_MAX - 1 : MSHARE_NAME_MAX);
		break;
	case 3:
		snprintf(out, MSHARE_NAME_MAX, "%s", junk[rnd(&f->rs) % 12]);
		break;
	case 4:
	case 5:		/* the checked domain: denied to all but root */
		if (f->as != FUZZ_AS_ROOT) {
			memcpy(out, sh->stable, MSHARE_NAME_MAX);
			break;
		}
		/* fall through */
	case 6:
	case 7:		/* root's own domains */
		memcpy(out, sh->fuzz[rnd(&f->rs) % FUZZ_DOMAINS], MSHARE_NAME_MAX);
		break;
	case 8:
	case 9:		/* nobody's */
		if (f->as != FUZZ_AS_ROOT) {
			memcpy(out, sh->pub[rnd(&f->rs) % PUB_DOMAINS], MSHARE_NAME_MAX);
			break;
		}
		memcpy(out, sh->fuzz[rnd(&f->rs) % FUZZ_DOMAINS], MSHARE_NAME_MAX);
		break;
	default:	/* churn domains (root's, mode 0600): nobody only */
		if (f->as == FUZZ_AS_NOBODY || f->as == FUZZ_AS_USERNS)
			churn_name(rnd(&f->rs) % CHURN_DOMAINS, out);
		else
			memcpy(out, sh->fuzz[rnd(&f->rs) % FUZZ_DOMAINS], MSHARE_NAME_MAX);
		break;
	}
}

/*
 * May this identity change domain @name (delete, set, discard, migrate)?
 * 1: yes or unknown (no check), 0: the module must refuse.
 */
static int may_change(int as, const char *name)
{
	int i;

	if (as == FUZZ_AS_ROOT)
		return 1;
	if (as == FUZZ_AS_USERNS)
		return 0;		/* nothing of its namespace exists */
	if (!strcmp(name, sh->stable))
		return 0;
	for (i = 0; i < PUB_DOMAINS; i++)
		if (!strcmp(name, sh->pub[i]))
			return as == FUZZ_AS_NOBODY;
	if (as == FUZZ_AS_NOBODY) {
		for (i = 0; i < CHURN_DOMAINS; i++) {
			char n[MSHARE_NAME_MAX];

			churn_name(i, n);
			if (!strcmp(name, n))
				return 0;
		}
		/* root's fuzz domains: root may have made nobody the owner */
	}
	return 1;
}

static int is_mutating(int cmd)
{
	return cmd == MSHARE_CMD_DOMAIN_NEW || cmd == MSHARE_CMD_DOMAIN_DEL ||
	       cmd == MSHARE_CMD_DOMAIN_SET || cmd == MSHARE_CMD_DOMAIN_DISCARD ||
	       cmd == MSHARE_CMD_DOMAIN_MIGRATE;
}

/* ---- values ---- */

static uint32_t pick_u32(struct fz *f)
{
	static const uint32_t v[] = { 0, 1, 2, 3, 4, 0600, 0666, 0777, 01000,
		1000, 65534, 65535, 0x7fffffff, 0x80000000, 0xffffffff };

	if (rnd(&f->rs) % 4 == 0)
		return (uint32_t)rnd(&f->rs);
	return v[rnd(&f->rs) % (sizeof(v) / sizeof(v[0]))];
}

static uint64_t pick_u64(struct fz *f)
{
	static const uint64_t v[] = { 0, 1, 4095, 4096, 8192, 2 * MiB - 4096,
		2 * MiB, 2 * MiB + 4096, 4 * MiB, 6 * MiB, 8 * MiB, 16 * MiB,
		64 * GiB + 2 * MiB, 1ULL << 40, 1ULL << 63, -4096ULL, -1ULL };

	switch (rnd(&f->rs) % 4) {
	case 0:
		return rnd(&f->rs);
	case 1:		/* a page-aligned spot inside 8 MiB */
		return (rnd(&f->rs) % 2048) * PAGE;
	default:
		return v[rnd(&f->rs) % (sizeof(v) / sizeof(v[0]))];
	}
}

/* A domain size for DOMAIN_NEW: small when valid (PREFAULT may fill it). */
static uint64_t pick_size(struct fz *f)
{
	static const uint64_t v[] = { 0, 1, 4096, 2 * MiB - 4096, 2 * MiB,
		2 * MiB + 4096, 4 * MiB, 8 * MiB, 64 * GiB + 2 * MiB, 1ULL << 40,
		-2 * MiB, -1ULL };

	return v[rnd(&f->rs) % (sizeof(v) / sizeof(v[0]))];
}

static void put_nodes(struct fz *f, struct nl_msg *m)
{
	uint32_t nodes[80];
	unsigned int n = rnd(&f->rs) % 80, i;

	if (rnd(&f->rs) % 2)
		n = rnd(&f->rs) % 3;
	for (i = 0; i < n; i++)
		nodes[i] = rnd(&f->rs) % 4 ? rnd(&f->rs) % 3 : pick_u32(f);
	/* Sometimes not a multiple of 4 bytes. */
	nla_put(m, MSHARE_A_DOMAIN_NUMA_NODES,
		n * 4 - (n && rnd(&f->rs) % 8 == 0 ? 1 : 0), nodes);
}

/* An attribute of the right type, or (1 in 8) of a wrong length. */
static void put_attr(struct fz *f, struct nl_msg *m, int type, int is64)
{
	uint64_t v = is64 ? pick_u64(f) : pick_u32(f);
	char junk[9];

	if (rnd(&f->rs) % 8 == 0) {
		memset(junk, 0x41, sizeof(junk));
		nla_put(m, type, rnd(&f->rs) % 9, junk);
	} else if (is64) {
		nla_put_u64(m, type, v);
	} else {
		nla_put_u32(m, type, (uint32_t)v);
	}
}

/* ---- netlink ---- */

struct reply {
	int cmd;
	char name[MSHARE_NAME_MAX];
	int domains;		/* replies naming a domain */
};

static int reply_cb(struct nlattr **tb, void *arg)
{
	struct reply *r = arg;

	if (tb[MSHARE_A_DOMAIN_NAME]) {
		r->domains++;
		nla_strlcpy(r->name, tb[MSHARE_A_DOMAIN_NAME], MSHARE_NAME_MAX);
	}
	return 0;
}

/* Judge a reply to a request for @cmd on @name (NULL: no single name). */
static void judge(struct fz *f, int cmd, const char *name, int ret, struct reply *r)
{
	count_errno(sh->nl_errno, ret < 0 ? ret : 0);
	if (ret < 0) {
		if (ret == -EPERM || ret == -EACCES)
			COUNT(fuzz_denied);
		return;
	}
	COUNT(fuzz_nl_ok);
	if (f->as == FUZZ_AS_USERNS && r->domains)
		report("%s: command %d showed domain '%s' of another IPC namespace",
		       as_name[f->as], cmd, r->name);
	if (!is_mutating(cmd))
		return;
	if (cmd == MSHARE_CMD_DOMAIN_NEW) {
		if (f->as != FUZZ_AS_ROOT)
			report("%s: DOMAIN_NEW succeeded without CAP_SYS_ADMIN (domain '%s')",
			       as_name[f->as], r->name);
		/* Keep only the fuzz domains: anything else goes at once. */
		if (r->name[0] && strncmp(r->name, sh->prefix, strlen(sh->prefix)))
			mshare_domain_destroy(f->nl, r->name);
		return;
	}
	if (name && !may_change(f->as, name))
		report("%s: command %d on '%s' succeeded though the module must refuse it",
		       as_name[f->as], cmd, name);
}

static void count_nl(struct fz *f)
{
	switch (f->as) {
	case FUZZ_AS_ROOT:
		COUNT(fuzz_nl_root);
		break;
	case FUZZ_AS_NOCAPS:
		COUNT(fuzz_nl_nocaps);
		break;
	case FUZZ_AS_NOBODY:
		COUNT(fuzz_nl_nobody);
		break;
	default:
		COUNT(fuzz_nl_userns);
	}
}

/* A request of a known command, from its own attributes. */
static void nl_structured(struct fz *f)
{
	static const int cmds[] = {
		MSHARE_CMD_GET_INFO, MSHARE_CMD_DOMAIN_NEW, MSHARE_CMD_DOMAIN_DEL,
		MSHARE_CMD_DOMAIN_GET, MSHARE_CMD_DOMAIN_SET,
		MSHARE_CMD_DOMAIN_STATS, MSHARE_CMD_DOMAIN_DISCARD,
		MSHARE_CMD_DOMAIN_MIGRATE, MSHARE_CMD_DOMAIN_CREATED,
		MSHARE_CMD_DOMAIN_MIGRATED, 0, __MSHARE_CMD_MAX, 200,
	};
	int cmd = cmds[rnd(&f->rs) % (sizeof(cmds) / sizeof(cmds[0]))];
	int dump = (cmd == MSHARE_CMD_DOMAIN_GET || cmd == MSHARE_CMD_DOMAIN_STATS) ?
		   rnd(&f->rs) % 2 : rnd(&f->rs) % 16 == 0;
	struct reply r = { .cmd = cmd };
	char name[NAMEBUF] = "";
	struct nl_msg *m;
	int ret, named = 0;

	m = mshare_nl_msg(f->nl, cmd, dump ? NLM_F_DUMP : 0);
	if (!m)
		return;
	if (cmd != MSHARE_CMD_GET_INFO && (!dump || rnd(&f->rs) % 4 == 0) &&
	    rnd(&f->rs) % 16) {
		pick_name(f, name);
		if (rnd(&f->rs) % 16 == 0)	/* unterminated */
			nla_put(m, MSHARE_A_DOMAIN_NAME, strnlen(name, MSHARE_NAME_MAX), name);
		else
			nla_put(m, MSHARE_A_DOMAIN_NAME, strnlen(name, MSHARE_NAME_MAX) + 1,
				name);
		named = 1;
	}
	switch (cmd) {
	case MSHARE_CMD_DOMAIN_NEW:
		if (rnd(&f->rs) % 8)
			nla_put_u64(m, MSHARE_A_DOMAIN_SIZE, pick_size(f));
		if (rnd(&f->rs) % 2) {
			uint32_t fl = rnd(&f->rs) % 4 ? rnd(&f->rs) % 2 : pick_u32(f);

			nla_put_u32(m, MSHARE_A_DOMAIN_FLAGS, fl);
		}
		/* fall through */
	case MSHARE_CMD_DOMAIN_SET:
		if (rnd(&f->rs) % 2)
			put_attr(f, m, MSHARE_A_DOMAIN_MODE, 0);
		/* Root changes uid/gid of its own domains only (in SET). */
		if (rnd(&f->rs) % 4 == 0)
			put_attr(f, m, MSHARE_A_DOMAIN_UID, 0);
		if (rnd(&f->rs) % 4 == 0)
			put_attr(f, m, MSHARE_A_DOMAIN_GID, 0);
		if (rnd(&f->rs) % 2)
			nla_put_u32(m, MSHARE_A_DOMAIN_NUMA_POLICY,
				    rnd(&f->rs) % 4 ? rnd(&f->rs) % 6 : pick_u32(f));
		if (rnd(&f->rs) % 2)
			put_nodes(f, m);
		if (rnd(&f->rs) % 16 == 0)
			nla_put_u32(m, MSHARE_A_DOMAIN_NUMA_NODE, 0);
		break;
	case MSHARE_CMD_DOMAIN_DISCARD:
		if (rnd(&f->rs) % 8)
			put_attr(f, m, MSHARE_A_DISCARD_OFFSET, 1);
		if (rnd(&f->rs) % 8)
			put_attr(f, m, MSHARE_A_DISCARD_LENGTH, 1);
		break;
	case MSHARE_CMD_DOMAIN_MIGRATE:
		if (rnd(&f->rs) % 8)
			nla_put_u32(m, MSHARE_A_MIGRATE_NODE,
				    rnd(&f->rs) % 4 ? rnd(&f->rs) % 3 : pick_u32(f));
		if (rnd(&f->rs) % 2)
			put_attr(f, m, MSHARE_A_MIGRATE_OFFSET, 1);
		if (rnd(&f->rs) % 2)
			put_attr(f, m, MSHARE_A_MIGRATE_LENGTH, 1);
		break;
	default:
		break;
	}
	if (rnd(&f->rs) % 8 == 0)	/* an attribute the command does not take */
		put_attr(f, m, 1 + rnd(&f->rs) % (MSHARE_A_MAX + 3), rnd(&f->rs) & 1);
	count_nl(f);
	ret = mshare_nl_run(f->nl, m, reply_cb, &r);
	judge(f, cmd, named ? name : NULL, ret, &r);
}

/* Random command, random attributes: types, lengths, contents, nesting. */
static void nl_soup(struct fz *f)
{
	int cmd = rnd(&f->rs) % 4 ? rnd(&f->rs) % (__MSHARE_CMD_MAX + 2) :
				    (int)(rnd(&f->rs) % 256);
	struct reply r = { .cmd = cmd };
	unsigned char buf[128];
	struct nl_msg *m;
	int n = rnd(&f->rs) % 12, i, ret;
	unsigned int j, len;

	/* Root's soups must not hit the checked or churn domains by name. */
	m = mshare_nl_msg(f->nl, cmd, rnd(&f->rs) % 8 == 0 ? NLM_F_DUMP : 0);
	if (!m)
		return;
	for (i = 0; i < n; i++) {
		int type = rnd(&f->rs) % (MSHARE_A_MAX + 4);

		if (rnd(&f->rs) % 16 == 0)
			type |= NLA_F_NESTED;
		if (rnd(&f->rs) % 32 == 0)
			type |= NLA_F_NET_BYTEORDER;
		len = rnd(&f->rs) % 4 ? (unsigned int)(rnd(&f->rs) % 3 + 1) * 4 :
					(unsigned int)(rnd(&f->rs) % sizeof(buf));
		for (j = 0; j < len; j++)
			buf[j] = rnd(&f->rs);
		if ((type & NLA_TYPE_MASK) == MSHARE_A_DOMAIN_NAME && rnd(&f->rs) % 2) {
			char name[NAMEBUF];

			pick_name(f, name);
			len = strnlen(name, MSHARE_NAME_MAX - 1) + 1;
			memcpy(buf, name, len);
			buf[len - 1] = 0;
		}
		if (nla_put(m, type, len, buf))
			break;
	}
	count_nl(f);
	ret = mshare_nl_run(f->nl, m, reply_cb, &r);
	/* The name it acted on is unknown: judge creation only. */
	judge(f, cmd, NULL, ret, &r);
}

/* A raw message with broken lengths, straight to the socket. */
static void nl_raw(struct fz *f)
{
	unsigned char buf[256], *rbuf;
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(buf + NLMSG_HDRLEN);
	struct sockaddr_nl peer;
	struct pollfd pfd;
	size_t len = NLMSG_HDRLEN + GENL_HDRLEN + rnd(&f->rs) % 160, i;
	int n;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = rnd(&f->rs);
	/* Our family only (random commands of other families could do
	 * anything), or now and then a control message type. */
	h->nlmsg_type = rnd(&f->rs) % 32 ? (uint16_t)mshare_nl_family(f->nl) :
					    (uint16_t)(rnd(&f->rs) % NLMSG_MIN_TYPE);
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
			 (rnd(&f->rs) % 8 == 0 ? NLM_F_DUMP : 0);
	h->nlmsg_seq = rnd(&f->rs);
	h->nlmsg_pid = 0;
	g->cmd = rnd(&f->rs) % 2 ? rnd(&f->rs) % (__MSHARE_CMD_MAX + 1) : rnd(&f->rs);
	g->version = rnd(&f->rs) % 3;
	g->reserved = 0;
	/* Attributes: plausible headers with lengths that lie. */
	for (i = NLMSG_HDRLEN + GENL_HDRLEN; i + 4 <= len;) {
		struct nlattr *a = (struct nlattr *)(buf + i);
		unsigned int alen = rnd(&f->rs) % 4 ? 4 + rnd(&f->rs) % 12 :
						      rnd(&f->rs) % 300;

		a->nla_type = rnd(&f->rs) % (MSHARE_A_MAX + 3);
		a->nla_len = alen;
		i += NLA_ALIGN(alen < 4 ? 4 : alen);
	}
	switch (rnd(&f->rs) % 4) {
	case 0:
		h->nlmsg_len = len + 4 + rnd(&f->rs) % 64;	/* longer than sent */
		break;
	case 1:
		h->nlmsg_len = rnd(&f->rs) % (NLMSG_HDRLEN + GENL_HDRLEN);
		break;
	default:
		h->nlmsg_len = len;
	}
	/* Root's raw requests must not name the checked or churn domains:
	 * random bytes never do. */
	COUNT(fuzz_nl_raw);
	count_nl(f);
	if (nl_sendto(f->raw, buf, len) < 0)
		return;
	pfd.fd = nl_socket_get_fd(f->raw);
	pfd.events = POLLIN;
	while (poll(&pfd, 1, 50) > 0) {
		n = nl_recv(f->raw, &peer, &rbuf, NULL);
		if (n <= 0)
			break;
		free(rbuf);
	}
}

/* Joining the events group needs CAP_SYS_ADMIN (in the init userns). */
static void try_join_events(struct fz *f)
{
	struct nl_sock *sk = nl_socket_alloc();
	int grp, err;

	if (!sk)
		return;
	if (!genl_connect(sk)) {
		grp = genl_ctrl_resolve_grp(sk, MSHARE_GENL_NAME, MSHARE_MCGRP_EVENTS);
		if (grp >= 0) {
			err = nl_socket_add_membership(sk, grp);
			if (!err && f->as != FUZZ_AS_ROOT)
				report("%s: joined the events group without CAP_SYS_ADMIN",
				       as_name[f->as]);
		}
	}
	nl_socket_free(sk);
}

/* ---- ioctl ---- */

static void judge_ioctl(struct fz *f, const char *what, int ret, int err,
			int want)
{
	count_errno(sh->ioctl_errno, ret ? err : 0);
	if (want >= 0 && (ret ? err : 0) != want)
		report("%s: %s: %s, the ABI says %s", as_name[f->as], what,
		       ret ? strerror(err) : "success",
		       want ? strerror(want) : "success");
}

/* The known commands with pointers the kernel must not follow. */
static void ioctl_badptr(struct fz *f, int fd, int attached)
{
	static const unsigned int cmds[] = {
		MSHARE_IOC_ATTACH, MSHARE_IOC_INFO, MSHARE_IOC_DISCARD
	};
	unsigned int cmd = cmds[rnd(&f->rs) % 3];
	void *ptrs[] = {
		NULL, (void *)1, (void *)0xffff888000000000ULL,
		(void *)0xffffffffff600000ULL, f->unmapped, f->none_page,
		f->guard + PAGE - 8, (void *)-1L,
	};
	void *p = ptrs[rnd(&f->rs) % (sizeof(ptrs) / sizeof(ptrs[0]))];
	char what[96];
	int ret, want = EFAULT;

	if (cmd == MSHARE_IOC_INFO && !attached)
		want = EINVAL;
	/* ATTACH reads the request first: a bad one is EFAULT, attached or not. */
	ret = ioctl(fd, cmd, p);
	snprintf(what, sizeof(what), "ioctl %#x with pointer %p%s", cmd, p,
		 attached ? " (attached)" : "");
	COUNT(fuzz_ioctl_badptr);
	judge_ioctl(f, what, ret, errno, want);

	/* INFO into a read-only page: the copy out fails. */
	if (attached) {
		ret = ioctl(fd, MSHARE_IOC_INFO, f->ro_page);
		judge_ioctl(f, "MSHARE_IOC_INFO into a read-only page", ret, errno,
			    EFAULT);
	}
}

/*
 * Attach @fd to a pool name; 0 if attached (read-only: 1, a valid flag
 * the random flags may hold).
 */
static int fuzz_attach(struct fz *f, int fd, char *name)	/* NAMEBUF */
{
	struct mshare_attach at;
	int ret, err;

	pick_name(f, name);
	memset(&at, 0, sizeof(at));
	memcpy(at.name, name, MSHARE_NAME_MAX);
	if (rnd(&f->rs) % 16 == 0)
		at.flags = pick_u32(f);
	if (rnd(&f->rs) % 16 == 0)
		at.reserved = pick_u32(f);
	ret = ioctl(fd, MSHARE_IOC_ATTACH, &at);
	err = errno;
	count_errno(sh->ioctl_errno, ret ? err : 0);
	COUNT(fuzz_ioctl);
	if (ret)
		return -1;
	if ((at.flags & ~MSHARE_ATTACH_F_ALL) || at.reserved)
		report("%s: MSHARE_IOC_ATTACH with flags %#x reserved %#x succeeded",
		       as_name[f->as], at.flags, at.reserved);
	/* Attaching needs read and write permission: never the checked
	 * domain (uid 1000, 0600) without CAP_IPC_OWNER. */
	if (f->as != FUZZ_AS_ROOT && !strcmp(name, sh->stable)) {
		report("%s: attached %s (mode 0600, uid 1000)", as_name[f->as], name);
		return -1;
	}
	if (f->as == FUZZ_AS_USERNS) {
		report("fuzz-userns: attached '%s', which its IPC namespace does not have",
		       name);
		return -1;
	}
	return at.flags & MSHARE_ATTACH_F_RDONLY ? 1 : 0;
}

static void ioctl_random(struct fz *f, int fd, int attached)
{
	static unsigned char buf[16384];
	unsigned int cmd;
	char what[64];
	int ret;

	if (rnd(&f->rs) % 2) {
		/* Our type byte, another number, direction or size. */
		do {
			cmd = _IOC(rnd(&f->rs) % 4, MSHARE_IOC_MAGIC,
				   rnd(&f->rs) % 8, rnd(&f->rs) % 256);
		} while (cmd == MSHARE_IOC_ATTACH || cmd == MSHARE_IOC_INFO ||
			 cmd == MSHARE_IOC_DISCARD);
		ret = ioctl(fd, cmd, buf);
		snprintf(what, sizeof(what), "ioctl %#x%s", cmd,
			 attached ? " (attached)" : "");
		judge_ioctl(f, what, ret, errno, ENOTTY);
	} else {
		/* Anything: the VFS answers some (FIONBIO...), so no check. */
		cmd = (unsigned int)rnd(&f->rs);
		if (cmd == MSHARE_IOC_ATTACH || cmd == MSHARE_IOC_INFO ||
		    cmd == MSHARE_IOC_DISCARD)
			return;
		ret = ioctl(fd, cmd, rnd(&f->rs) % 2 ? (void *)buf : f->unmapped);
		count_errno(sh->ioctl_errno, ret ? errno : 0);
	}
	COUNT(fuzz_ioctl);
}

static void ioctl_discard(struct fz *f, int fd, const char *name)
{
	struct mshare_discard d = { pick_u64(f), pick_u64(f) };
	int ret = ioctl(fd, MSHARE_IOC_DISCARD, &d);

	count_errno(sh->ioctl_errno, ret ? errno : 0);
	COUNT(fuzz_ioctl);
	if (!ret && (d.length == 0 || (d.offset | d.length) % PAGE))
		report("%s: MSHARE_IOC_DISCARD [%#llx +%#llx] of %s succeeded",
		       as_name[f->as], (unsigned long long)d.offset,
		       (unsigned long long)d.length, name);
}

/* ---- mmap and the VMA calls ---- */

static char *arena_slot(struct fz *f, uint64_t size)
{
	uint64_t slots = ARENA_SIZE / (2 * MiB) - 1 - size / (2 * MiB);

	return f->arena + (rnd(&f->rs) % (slots + 1)) * 2 * MiB;
}

/* Give the arena back its PROT_NONE reservation (unmaps all in it). */
static void arena_reset(struct fz *f)
{
	if (mmap(f->arena, ARENA_SIZE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		 -1, 0) == MAP_FAILED)
		report("%s: arena reset: %s", as_name[f->as], strerror(errno));
}

/* Write a byte through /proc/self/mem (GUP; a hole gives EIO): 0. */
static int poke(char *addr, char c)
{
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pwrite(fd, &c, 1, (uintptr_t)addr) < 0)
		count_errno(sh->ioctl_errno, errno);
	close(fd);
	return 0;
}

/* Random VMA calls on a mapping of @size at @p (inside the arena). */
static void vma_fuzz(struct fz *f, char *p, uint64_t size)
{
	static const int advice[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
		MADV_DONTNEED, MADV_FREE, MADV_REMOVE, MADV_DONTFORK,
		MADV_DOFORK, MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE,
		MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK,
		MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ,
		MADV_POPULATE_WRITE, MADV_DONTNEED_LOCKED, MADV_COLLAPSE, 99,
	};
	int k, n = 1 + rnd(&f->rs) % 8, ret;
	uint64_t off, len;
	pid_t pid;
	void *q;

	for (k = 0; k < n; k++) {
		off = (rnd(&f->rs) % (size / PAGE)) * PAGE;
		if (rnd(&f->rs) % 2)
			off &= ~(2 * MiB - 1);
		len = (1 + rnd(&f->rs) % ((size - off) / PAGE)) * PAGE;
		COUNT(fuzz_vma);
		switch (rnd(&f->rs) % 8) {
		case 0: {
			int prot = rnd(&f->rs) % 8;

			ret = mprotect(p + off, len, prot);
			count_errno(sh->ioctl_errno, ret ? errno : 0);
			if (!ret && prot != (PROT_READ | PROT_WRITE))
				report("%s: mprotect(%#x) of a domain mapping succeeded",
				       as_name[f->as], prot);
			break;
		}
		case 1:
			/* Splits off a 2 MiB boundary are EINVAL, unless the
			 * range only covers holes made before. */
			ret = munmap(p + off, len);
			count_errno(sh->ioctl_errno, ret ? errno : 0);
			break;
		case 2:
			q = mremap(p + off, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
				   arena_slot(f, len) + (rnd(&f->rs) % 2) * PAGE);
			count_errno(sh->ioctl_errno, q == MAP_FAILED ? errno : 0);
			break;
		case 3:
			q = mremap(p + off, len, len + (1 + rnd(&f->rs) % 4) * PAGE, 0);
			count_errno(sh->ioctl_errno, q == MAP_FAILED ? errno : 0);
			break;
		case 4:
			ret = madvise(p + off, len,
				      advice[rnd(&f->rs) % (sizeof(advice) / sizeof(advice[0]))]);
			count_errno(sh->ioctl_errno, ret ? errno : 0);
			break;
		case 5:
			if (mlock(p + off, len) == 0)
				munlock(p + off, len);
			msync(p + off, len, rnd(&f->rs) % 2 ? MS_SYNC : MS_ASYNC);
			break;
		case 6:
			pid = fork();
			if (pid == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				/* The mapping may have holes by now: write
				 * through /proc/self/mem (EIO there). */
				_exit(poke(p + off, 0x42));
			}
			if (pid > 0)
				reap(pid, "fuzz child", 0, 0);
			break;
		default:
			poke(p + off, (char)rnd(&f->rs));
			break;
		}
	}
}

/*
 * mmap an attached descriptor with one documented error, or none (then
 * it must succeed), and fuzz the mapping.
 */
static void mmap_fuzz(struct fz *f, int fd, uint64_t size)
{
	int prot = PROT_READ | PROT_WRITE, flags = MAP_SHARED, want = 0;
	uint64_t len = size, off = 0;
	char *addr = arena_slot(f, size), *p;
	const char *what = "a valid mmap";

	switch (rnd(&f->rs) % 10) {
	case 0:
		len = size + (rnd(&f->rs) % 2 ? PAGE : -PAGE);
		want = EINVAL;
		what = "mmap of another length";
		break;
	case 1:
		off = PAGE * (1 + rnd(&f->rs) % 512);
		want = EINVAL;
		what = "mmap at an offset";
		break;
	case 2:
		flags = MAP_PRIVATE;
		want = EINVAL;
		what = "MAP_PRIVATE mmap";
		break;
	case 3:
		prot |= PROT_EXEC;
		want = EACCES;
		what = "PROT_EXEC mmap";
		break;
	case 4:
		prot = rnd(&f->rs) % 2 ? PROT_READ : PROT_WRITE;
		want = EACCES;
		what = "mmap without read or write";
		break;
	case 5:
		flags |= MAP_FIXED;
		addr += PAGE * (1 + rnd(&f->rs) % 511);
		want = EINVAL;
		what = "MAP_FIXED mmap at an address not 2 MiB-aligned";
		break;
	case 6:
		flags |= MAP_FIXED;
		what = "MAP_FIXED mmap";
		break;
	case 7:
		/* MAP_LOCKED only for root: RLIMIT_MEMLOCK binds the others. */
		flags |= rnd(&f->rs) % 2 || f->as != FUZZ_AS_ROOT ? MAP_POPULATE : MAP_LOCKED;
		flags |= MAP_FIXED;
		what = "MAP_FIXED mmap with MAP_POPULATE or MAP_LOCKED";
		break;
	default:
		flags |= MAP_FIXED;
		break;
	}
	if (!(flags & MAP_FIXED))
		addr = NULL;
	p = mmap(addr, len, prot, flags, fd, off);
	COUNT(fuzz_mmap);
	count_errno(sh->ioctl_errno, p == MAP_FAILED ? errno : 0);
	if ((p == MAP_FAILED ? errno : 0) != want)
		report("%s: %s (length %#llx, offset %#llx, prot %#x, flags %#x): %s, the ABI says %s",
		       as_name[f->as], what, (unsigned long long)len,
		       (unsigned long long)off, prot, flags,
		       p == MAP_FAILED ? strerror(errno) : "success",
		       want ? strerror(want) : "success");
	if (p == MAP_FAILED)
		return;
	if (p < f->arena || p >= f->arena + ARENA_SIZE) {
		/* Placed by the module: move it into the arena first. */
		char *q = mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
				 arena_slot(f, len));

		if (q == MAP_FAILED) {
			munmap(p, len);
			return;
		}
		p = q;
	}
	vma_fuzz(f, p, len);
	arena_reset(f);
}

static void ioctl_round(struct fz *f)
{
	char name[NAMEBUF];
	struct mshare_info info;
	int fd = open_dev(), attached = 0, rdonly = 0, k, ret;

	if (fd < 0) {
		report("%s: open %s: %s", as_name[f->as], DEV_PATH, strerror(errno));
		return;
	}
	if (rnd(&f->rs) % 4) {
		ret = fuzz_attach(f, fd, name);
		attached = ret >= 0;
		rdonly = ret == 1;
	}
	for (k = 0; k < 4; k++) {
		switch (rnd(&f->rs) % 5) {
		case 0:
			ioctl_badptr(f, fd, attached);
			break;
		case 1:
			ioctl_random(f, fd, attached);
			break;
		case 2:
			if (attached)
				ioctl_discard(f, fd, name);
			break;
		case 3:
			/* Read-only attachments: rdonly_test, not the fuzzer. */
			if (attached && !rdonly &&
			    !ioctl(fd, MSHARE_IOC_INFO, &info))
				mmap_fuzz(f, fd, info.size);
			break;
		default: {
			/* Attaching an attached descriptor is EBUSY. */
			char other[NAMEBUF];
			ret = attached ? fuzz_attach(f, fd, other) : -1;

			if (ret >= 0)
				report("%s: a second MSHARE_IOC_ATTACH of one descriptor succeeded",
				       as_name[f->as]);
			break;
		}
		}
	}
	close(fd);
}

/* ---- the role ---- */

static char *map_page(int prot)
{
	char *p = mmap(NULL, PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void fuzzer(int as)
{
	struct fz f = { .as = as, .rs = seed() ^ (as * 0x9e3779b97f4a7c15ULL) };
	char *g;
	int err;

	become(as);
	err = nl_open(&f.nl);
	if (err) {
		report("%s: netlink: %s", as_name[as], strerror(-err));
		_exit(1);
	}
	f.raw = nl_socket_alloc();
	if (!f.raw || nl_connect(f.raw, NETLINK_GENERIC)) {
		report("%s: raw netlink socket failed", as_name[as]);
		_exit(1);
	}
	nl_socket_set_nonblocking(f.raw);
	nl_socket_disable_seq_check(f.raw);

	/* Memory for the bad pointers and the mappings. */
	g = mmap(NULL, ARENA_SIZE + 2 * MiB, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	f.ro_page = map_page(PROT_READ);
	f.none_page = map_page(PROT_NONE);
	f.guard = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g == MAP_FAILED || !f.ro_page || !f.none_page || f.guard == MAP_FAILED) {
		report("%s: mmap for the fuzzer failed", as_name[as]);
		_exit(1);
	}
	munmap(f.guard + PAGE, PAGE);
	f.unmapped = map_page(PROT_READ);
	munmap(f.unmapped, PAGE);
	f.arena = (char *)(((uintptr_t)g + 2 * MiB - 1) & ~(2 * MiB - 1));

	try_join_events(&f);
	while (!sh->stop) {
		beat();
		switch (rnd(&f.rs) % 20) {
		case 0 ... 7:
			nl_structured(&f);
			break;
		case 8 ... 11:
			nl_soup(&f);
			break;
		case 12 ... 13:
			nl_raw(&f);
			break;
		case 14:
			try_join_events(&f);
			break;
		default:
			ioctl_round(&f);
			break;
		}
	}
	nl_socket_free(f.raw);
	mshare_nl_close(f.nl);
	_exit(0);
}
