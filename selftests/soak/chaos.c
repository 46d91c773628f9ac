// SPDX-License-Identifier: GPL-2.0
/*
 * mshare-soak: what happens to the domains and their users from outside.
 *
 * flooder    bursts of SIGUSR1 at every soak process (writers and churners
 *            fork and mmap meanwhile; migrators block it)
 * killer     SIGKILL at churn children (now and then a churner) every
 *            0.3-3 s, and every 30-60 s a storm at all of them at once
 *            (the supervisor respawns the churners)
 * migrator   range and whole-domain migrations of the checked domain and
 *            the churn domains between the NUMA nodes, some cancelled by a
 *            timer signal; the reply must never count more pages done (or
 *            skipped) than its total
 * policy     DOMAIN_SET of random NUMA policies; the reply must say it
 * discarder  discards of the scratch ranges, through MSHARE_IOC_DISCARD
 *            and DOMAIN_DISCARD
 * destroyer  destroys the churn domains while they are attached and
 *            recreates them (same name or a new one, random flags and
 *            policies); keeps the fuzzers' domains there
 * ipcns      children in new IPC namespaces create, attach and leave
 *            domains behind when the namespace dies; names there must not
 *            see or clash with the initial namespace's
 * listener   reads the "events" group, with a small buffer that overflows
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <unistd.h>
#include <netlink/genl/ctrl.h>

#include "soak.h"

static void msleep(unsigned int ms)
{
	usleep(ms * 1000);
}

static void open_nl(struct mshare_nl **nl, const char *who)
{
	int err = nl_open(nl);

	if (err) {
		report("%s: netlink: %s", who, strerror(-err));
		_exit(1);
	}
}

void random_numa(struct mshare_numa *n, uint64_t *rs)
{
	unsigned int i;

	memset(n, 0, sizeof(*n));
	n->policy = rnd(rs) % __MSHARE_NUMA_MAX;
	switch (n->policy) {
	case MSHARE_NUMA_BIND:
	case MSHARE_NUMA_PREFERRED:
		n->nr_nodes = 1;
		n->nodes[0] = rnd(rs) % sh->nodes;
		break;
	case MSHARE_NUMA_INTERLEAVE:
		n->nr_nodes = 1 + rnd(rs) % sh->nodes;
		for (i = 0; i < n->nr_nodes; i++)
			n->nodes[i] = (i + (unsigned int)rnd(rs)) % sh->nodes;
		if (n->nr_nodes == 2 && n->nodes[0] == n->nodes[1])
			n->nodes[1] = !n->nodes[0];
		break;
	case MSHARE_NUMA_AUTO:
		n->nr_nodes = rnd(rs) % 2;
		n->nodes[0] = rnd(rs) % sh->nodes;
		break;
	default:
		break;
	}
}

/* A random domain to act on: the checked one or a churn domain. */
static uint64_t pick_domain(char *name, uint64_t *rs, int *is_churn)
{
	if (rnd(rs) % 2 == 0) {
		memcpy(name, sh->stable, MSHARE_NAME_MAX);
		*is_churn = 0;
		return STABLE_SIZE;
	}
	churn_name(rnd(rs) % CHURN_DOMAINS, name);
	*is_churn = 1;
	return CHURN_SIZE;
}

/* ---- processes of the soak, from /proc ---- */

/* Pids of "mshare-soak" processes (and their parents) into @pids. */
static int soak_pids(pid_t *pids, pid_t *ppids, int max)
{
	char path[300], buf[256], *c;
	struct dirent *de;
	int n = 0, fd;
	ssize_t len;
	DIR *d = opendir("/proc");

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = 0;
		if (!strstr(buf, "(mshare-soak) "))
			continue;
		c = strrchr(buf, ')');
		pids[n] = atoi(de->d_name);
		/* ") S PPID ..." */
		ppids[n] = c ? atoi(c + 4) : 0;
		n++;
	}
	closedir(d);
	return n;
}

#define MAX_PIDS	512

void flooder(int idx)
{
	static pid_t pids[MAX_PIDS], ppids[MAX_PIDS];
	pid_t self = getpid();
	uint64_t rs = seed() ^ idx, end;
	int n, i;

	block_usr1(1);
	while (!sh->quiesce) {
		beat();
		n = soak_pids(pids, ppids, MAX_PIDS);
		end = now_ns() + (500 + rnd(&rs) % 2500) * 1000000ULL;
		while (now_ns() < end && !sh->quiesce) {
			for (i = 0; i < n; i++) {
				if (pids[i] == self)
					continue;
				if (!kill(pids[i], SIGUSR1))
					COUNT(usr1_sent);
			}
		}
		msleep(200 + rnd(&rs) % 1500);
	}
	_exit(0);
}

static int is_churner(pid_t pid)
{
	int i;

	for (i = 0; i < sh->nroles; i++)
		if (sh->roles[i].killable && sh->roles[i].pid == pid)
			return 1;
	return 0;
}

void killer(int idx)
{
	static pid_t pids[MAX_PIDS], ppids[MAX_PIDS];
	uint64_t rs = seed() ^ idx, next_storm;
	int n, i, k;

	next_storm = now_ns() + (30 + rnd(&rs) % 30) * 1000000000ULL;
	while (!sh->quiesce) {
		beat();
		msleep(300 + rnd(&rs) % 2500);
		if (sh->quiesce)
			break;
		n = soak_pids(pids, ppids, MAX_PIDS);
		if (now_ns() >= next_storm) {
			/* Every churner and every child of one, at once. */
			for (i = 0; i < n; i++)
				if (is_churner(pids[i]) || is_churner(ppids[i]))
					kill(pids[i], SIGKILL);
			COUNT(sigkill_storm);
			next_storm = now_ns() + (30 + rnd(&rs) % 30) * 1000000000ULL;
			continue;
		}
		/* One victim: a churn child (mostly) or a churner. */
		for (k = 0; k < 8; k++) {
			i = n ? rnd(&rs) % n : 0;
			if (n && (is_churner(ppids[i]) ||
				  (is_churner(pids[i]) && rnd(&rs) % 16 == 0))) {
				kill(pids[i], SIGKILL);
				COUNT(sigkill_single);
				break;
			}
		}
	}
	_exit(0);
}

/* ---- migrations and policies ---- */

static void on_alarm(int sig)
{
	(void)sig;
}

void migrator(int idx)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	uint64_t rs = seed() ^ idx, size, off, len, np;
	struct mshare_migrate_result res = MSHARE_INIT(res);
	char name[MSHARE_NAME_MAX];
	struct mshare_nl *nl;
	int churn, whole, err, node, cancel;

	block_usr1(1);	/* cancelled by its own timer only */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	open_nl(&nl, "migrator");
	while (!sh->stop) {
		beat();
		size = pick_domain(name, &rs, &churn);
		np = size / PAGE;
		whole = rnd(&rs) % 3 == 0;
		if (whole) {
			off = len = 0;
		} else if (rnd(&rs) & 1) {	/* 2 MiB-aligned pieces */
			off = (rnd(&rs) % (size / (2 * MiB))) * 2 * MiB;
			len = (1 + rnd(&rs) % ((size - off) / (2 * MiB))) * 2 * MiB;
		} else {
			off = (rnd(&rs) % np) * PAGE;
			len = (1 + rnd(&rs) % (np - off / PAGE)) * PAGE;
		}
		node = rnd(&rs) % sh->nodes;
		cancel = rnd(&rs) % 8 == 0;
		if (cancel) {
			struct itimerval it = { .it_value = {
				.tv_usec = 1000 + rnd(&rs) % 50000 } };

			setitimer(ITIMER_REAL, &it, NULL);
		}
		memset(&res, 0, sizeof(res));
		res.size = sizeof(res);
		err = mshare_domain_migrate(nl, name, node, off, len, &res);
		if (cancel) {
			struct itimerval it = { 0 };

			setitimer(ITIMER_REAL, &it, NULL);
		}
		if (err == -EINTR) {
			COUNT(migrate_eintr);
			continue;
		}
		if (err == -ENOENT && churn) {
			COUNT(migrate_enoent);
			continue;
		}
		if (err) {
			report("migrate %s [%#llx +%#llx] to node %d: %s (%s)", name,
			       (unsigned long long)off, (unsigned long long)len, node,
			       strerror(-err), mshare_nl_extack(nl));
			msleep(100);
			continue;
		}
		if (whole)
			COUNT(migrate_whole);
		else
			COUNT(migrate_range);
		COUNT_N(migrate_pages, res.done);
		if (res.done > res.total || res.skipped > res.total ||
		    res.total > (len ? len : size) / PAGE || (int)res.node != node)
			report("migrate %s [%#llx +%#llx] to node %d: reply says node %u, %llu done, %llu skipped of %llu",
			       name, (unsigned long long)off, (unsigned long long)len,
			       node, res.node, (unsigned long long)res.done,
			       (unsigned long long)res.skipped,
			       (unsigned long long)res.total);
	}
	mshare_nl_close(nl);
	_exit(0);
}

void policy_changer(int idx)
{
	struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_INIT;
	uint64_t rs = seed() ^ idx;
	struct mshare_domain_info out = MSHARE_INIT(out);
	char name[MSHARE_NAME_MAX];
	struct mshare_nl *nl;
	int churn, err;

	open_nl(&nl, "policy");
	while (!sh->stop) {
		beat();
		msleep(100 + rnd(&rs) % 400);
		pick_domain(name, &rs, &churn);
		random_numa(&o.numa, &rs);
		memset(&out, 0, sizeof(out));
		out.size = sizeof(out);
		err = mshare_domain_set(nl, name, &o, &out);
		if (err == -ENOENT && churn)
			continue;
		if (err) {
			report("policy %s on %s: %s (%s)",
			       mshare_numa_policy_name(o.numa.policy), name,
			       strerror(-err), mshare_nl_extack(nl));
			continue;
		}
		COUNT(policy_set);
		if (out.numa.policy != o.numa.policy)
			report("policy %s on %s: the reply says %d",
			       mshare_numa_policy_name(o.numa.policy), name,
			       out.numa.policy);
	}
	mshare_nl_close(nl);
	_exit(0);
}

/* ---- discards ---- */

/* A random page range of the scratch part of a domain of @size. */
static void scratch_range(uint64_t size, int churn, uint64_t *rs,
			  uint64_t *off, uint64_t *len)
{
	uint64_t first = churn ? STRICT_PAGES : OWNED_PAGES;
	uint64_t np = size / PAGE - first;

	*off = (first + rnd(rs) % np) * PAGE;
	*len = (1 + rnd(rs) % (size / PAGE - *off / PAGE)) * PAGE;
	if (*len > 1024 * PAGE && rnd(rs) % 4)
		*len = (1 + rnd(rs) % 64) * PAGE;
}

void discarder(int idx)
{
	uint64_t rs = seed() ^ idx, size, off, len;
	char name[MSHARE_NAME_MAX];
	struct mshare_discard d;
	struct mshare_nl *nl;
	int churn, err, fd;

	open_nl(&nl, "discarder");
	while (!sh->stop) {
		beat();
		msleep(20 + rnd(&rs) % 200);
		size = pick_domain(name, &rs, &churn);
		scratch_range(size, churn, &rs, &off, &len);
		if (rnd(&rs) & 1) {
			err = mshare_domain_discard(nl, name, off, len);
			if (err == -ENOENT && churn) {
				COUNT(discard_enoent);
				continue;
			}
			if (err)
				report("DOMAIN_DISCARD %s [%#llx +%#llx]: %s (%s)", name,
				       (unsigned long long)off, (unsigned long long)len,
				       strerror(-err), mshare_nl_extack(nl));
			else
				COUNT(discard_nl);
			continue;
		}
		fd = open_dev();
		if (fd < 0) {
			report("discarder: open: %s", strerror(errno));
			continue;
		}
		err = attach_fd(fd, name);
		if (err == ENOENT && churn) {
			COUNT(discard_enoent);
		} else if (err) {
			report("discarder: attach %s: %s", name, strerror(err));
		} else {
			d.offset = off;
			d.length = len;
			if (ioctl(fd, MSHARE_IOC_DISCARD, &d))
				report("MSHARE_IOC_DISCARD %s [%#llx +%#llx]: %s", name,
				       (unsigned long long)off,
				       (unsigned long long)len, strerror(errno));
			else
				COUNT(discard_ioctl);
		}
		close(fd);
	}
	mshare_nl_close(nl);
	_exit(0);
}

/* ---- destroy while attached ---- */

/* Create the fuzzers' domains that are gone (they may destroy them). */
static void keep_fuzz_domains(struct mshare_nl *nl, uint64_t *rs)
{
	struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_INIT;
	int i, err;

	for (i = 0; i < FUZZ_DOMAINS; i++) {
		o.mode = 0600;
		err = mshare_domain_create(nl, sh->fuzz[i],
					   (1 + rnd(rs) % 4) * 2 * MiB, &o, NULL);
		if (err && err != -EEXIST)
			report("create %s: %s (%s)", sh->fuzz[i], strerror(-err),
			       mshare_nl_extack(nl));
	}
	o.uid = o.gid = 65534;
	o.mode = 0666;
	for (i = 0; i < PUB_DOMAINS; i++) {
		err = mshare_domain_create(nl, sh->pub[i], PUB_SIZE, &o, NULL);
		if (err && err != -EEXIST)
			report("create %s: %s (%s)", sh->pub[i], strerror(-err),
			       mshare_nl_extack(nl));
	}
}

void destroyer(int idx)
{
	struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_INIT;
	uint64_t rs = seed() ^ idx, next_keep = 0;
	struct mshare_domain_stats st = MSHARE_INIT(st);
	char name[MSHARE_NAME_MAX];
	struct mshare_nl *nl;
	int i, err;

	open_nl(&nl, "destroyer");
	while (!sh->stop) {
		beat();
		if (now_ns() >= next_keep) {
			keep_fuzz_domains(nl, &rs);
			next_keep = now_ns() + 2000000000ULL;
		}
		msleep(300 + rnd(&rs) % 1700);
		i = rnd(&rs) % CHURN_DOMAINS;
		churn_name(i, name);
		err = mshare_domain_stats(nl, name, &st);
		if (err) {
			report("destroyer: stats %s: %s (%s)", name, strerror(-err),
			       mshare_nl_extack(nl));
			continue;
		}
		err = mshare_domain_destroy(nl, name);
		if (err) {
			report("destroyer: destroy %s: %s (%s)", name, strerror(-err),
			       mshare_nl_extack(nl));
			continue;
		}
		COUNT(destroy);
		if (st.mappings || st.attached)
			COUNT(destroy_attached);
		if (rnd(&rs) & 1) {
			COUNT(create_same_name);
		} else {
			lock_names();
			snprintf(sh->churn[i], MSHARE_NAME_MAX, "%sc%u", sh->prefix,
				 sh->churn_gen++);
			memcpy(name, sh->churn[i], MSHARE_NAME_MAX);
			unlock_names();
		}
		o.flags = rnd(&rs) % 4 == 0 ? MSHARE_DOMAIN_F_PREFAULT : 0;
		if (rnd(&rs) & 1)
			random_numa(&o.numa, &rs);
		else
			o.numa.policy = -1;
		err = mshare_domain_create(nl, name, CHURN_SIZE, &o, NULL);
		if (err)
			report("destroyer: create %s: %s (%s)", name, strerror(-err),
			       mshare_nl_extack(nl));
		else
			COUNT(create);
	}
	mshare_nl_close(nl);
	_exit(0);
}

/* ---- IPC namespaces ---- */

static int ipcns_child(uint64_t rs)
{
	char name[2][MSHARE_NAME_MAX];
	struct mshare_nl *nl;
	size_t size;
	pid_t pid;
	void *p;
	int i, err, rc = 0;

	if (unshare(CLONE_NEWIPC)) {
		report("ipcns: unshare(CLONE_NEWIPC): %s", strerror(errno));
		return EXIT_BAD;
	}
	if (nl_open(&nl)) {
		report("ipcns: netlink open failed");
		return EXIT_BAD;
	}
	/* The initial namespace's names are not visible here... */
	churn_name(0, name[0]);
	err = attach_dom(name[0], 0, &p, &size);
	if (err != -ENOENT) {
		report("ipcns: attach %s of the initial namespace from a new one: %s",
		       name[0], err ? strerror(-err) : "success");
		rc = EXIT_BAD;
		if (!err)
			munmap(p, size);
	}
	/* ...and do not clash with names here. */
	memcpy(name[0], sh->stable, MSHARE_NAME_MAX);
	snprintf(name[1], MSHARE_NAME_MAX, "%sns", sh->prefix);
	for (i = 0; i < 2; i++) {
		err = create_domain(nl, name[i], (1 + rnd(&rs) % 2) * 2 * MiB,
				    rnd(&rs) % 3 ? 0 : MSHARE_DOMAIN_F_PREFAULT, NULL);
		if (err) {
			report("ipcns: create %s in a new namespace: %s (%s)",
			       name[i], strerror(-err), mshare_nl_extack(nl));
			rc = EXIT_BAD;
			continue;
		}
		COUNT(ipcns_domains);
		err = attach_dom(name[i], 0, &p, &size);
		if (err) {
			report("ipcns: attach %s: %s", name[i], strerror(-err));
			rc = EXIT_BAD;
			continue;
		}
		memset(p, 0x5a, size / 2);
		pid = fork();
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			_exit(((char *)p)[size / 2 - 1] == 0x5a ? 0 : EXIT_BAD);
		}
		if (pid > 0 && reap(pid, "ipcns child", 1, 0))
			rc = EXIT_BAD;
		/* Leave one mapped, destroy the other, or leave both. */
		if (rnd(&rs) & 1)
			munmap(p, size);
		if (rnd(&rs) % 3 == 0)
			mshare_domain_destroy(nl, name[i]);
	}
	mshare_nl_close(nl);
	return rc;
}

void ipcns_role(int idx)
{
	uint64_t rs = seed() ^ idx;
	pid_t pid;

	while (!sh->stop) {
		beat();
		msleep(500 + rnd(&rs) % 3000);
		pid = fork();
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			_exit(ipcns_child(rnd(&rs)));
		}
		if (pid < 0) {
			report("ipcns: fork: %s", strerror(errno));
			continue;
		}
		reap(pid, "ipcns", 0, 0);
		COUNT(ipcns_rounds);
	}
	_exit(0);
}

/* ---- the event listener ---- */

static int event_cb(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));

	(void)arg;
	switch (g->cmd) {
	case MSHARE_CMD_DOMAIN_CREATED:
	case MSHARE_CMD_DOMAIN_DESTROYED:
	case MSHARE_CMD_DOMAIN_ATTACHED:
	case MSHARE_CMD_DOMAIN_DETACHED:
	case MSHARE_CMD_DOMAIN_MIGRATE_PROGRESS:
	case MSHARE_CMD_DOMAIN_MIGRATED:
	case MSHARE_CMD_DOMAIN_FREED:
		COUNT(events);
		break;
	default:
		report("listener: event with command %u", g->cmd);
	}
	return NL_OK;
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

void listener(int idx)
{
	uint64_t rs = seed() ^ idx;
	struct nl_sock *sk = nl_socket_alloc();
	struct pollfd pfd;
	struct nl_cb *cb;
	int fam, grp, err;

	if (!sk || genl_connect(sk)) {
		report("listener: netlink socket failed");
		_exit(1);
	}
	fam = genl_ctrl_resolve(sk, MSHARE_GENL_NAME);
	grp = genl_ctrl_resolve_grp(sk, MSHARE_GENL_NAME, MSHARE_MCGRP_EVENTS);
	if (fam < 0 || grp < 0 || nl_socket_add_membership(sk, grp)) {
		report("listener: cannot join the events group");
		_exit(1);
	}
	nl_socket_disable_seq_check(sk);
	nl_socket_set_buffer_size(sk, 16384, 0);
	nl_socket_set_nonblocking(sk);
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, event_cb, NULL);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	pfd.fd = nl_socket_get_fd(sk);
	pfd.events = POLLIN;
	while (!sh->stop) {
		beat();
		if (rnd(&rs) % 64 == 0) {	/* stop reading: the buffer overflows */
			msleep(2000);
			continue;
		}
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		err = nl_recvmsgs(sk, cb);
		if (err == -NLE_NOMEM)
			COUNT(events_enobufs);
		else if (err < 0 && err != -NLE_AGAIN)
			report("listener: nl_recvmsgs: %s", nl_geterror(err));
	}
	nl_cb_put(cb);
	nl_socket_free(sk);
	_exit(0);
}
