// SPDX-License-Identifier: GPL-2.0
/*
 * libmshare-preload.so and System V shared memory: unmodified programs
 * (sysv_victim, run with LD_PRELOAD, each one exec'd on its own: no
 * process inherits anything from another) share a segment by its key or
 * its id, and the segment is an mshare domain whose SysV meaning holds:
 * IPC_STAT's fields and shm_nattch, IPC_RMID (the key is free at once, the
 * memory stays with its attachers), SHM_RDONLY and read permission alone
 * (no write gets through), the errors of shmget and shmat, addresses,
 * fork, private segments, an unprivileged service under a creation grant,
 * and the fallbacks to the real calls (small segments, no grant, over the
 * grant, MSHARE_PRELOAD_SYSV=0, ids that are not ours).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mshare.h"
#include "mshare_util.h"
#include "preload_util.h"
#include "kselftest_harness.h"

#define MAX_LINES	40
#define NVICTIMS	4
#define ID_BASE		0x40000000	/* what the library adds to a domain id */
#define KEY(n)		(0x5e5e0000 + (n))
#define SEGSZ		(8 * MiB + 100)	/* "8M+100": a 10 MiB domain */
#define USER		1000		/* of the granted group */
#define OTHER		1001		/* in no group of ours */
#define GROUP		1500		/* granted, in the tests that say so */

static const char *const env_min[] = { "MSHARE_PRELOAD_MIN=4M", NULL };

FIXTURE(sysv) {
	struct mshare_nl *nl;
	struct mshare_module_info base;
	struct victim v[NVICTIMS];
	char lines[MAX_LINES][256];
	int grant;
};

/* A number after "@key=" in @line (C prefixes), or LLONG_MIN. */
static long long fv(const char *line, const char *key)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	return p ? strtoll(p + strlen(pat), NULL, 0) : LLONG_MIN;
}

/* The word after "@key=" in @line, into @buf. */
static const char *fs(const char *line, const char *key, char *buf, size_t len)
{
	char pat[32];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	if (!p) {
		snprintf(buf, len, "?");
		return buf;
	}
	p += strlen(pat);
	n = strcspn(p, " ");
	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), p);
	return buf;
}

/* Start victim @i as @uid/@gid (+ @group) with @env and the ops that follow. */
static int spawn(FIXTURE_DATA(sysv) *self, int i, uid_t uid, gid_t gid,
		 gid_t group, const char *const *env, ...)
{
	struct victim_opts o = { .prog = "sysv_victim", .env = env, .uid = uid,
				 .gid = gid, .group = group };
	char *ops[VICTIM_MAX_ARGS + 1];
	va_list ap;
	int n = 0;

	va_start(ap, env);
	while (n < VICTIM_MAX_ARGS && (ops[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	ops[n] = NULL;
	return victim_spawn(&self->v[i], &o, ops);
}

/* Victim @i's lines up to "waiting" (or its end with @until NULL: "done"). */
static int upto(FIXTURE_DATA(sysv) *self, int i, const char *until)
{
	return victim_read(&self->v[i], self->lines, MAX_LINES, until ? until : "done");
}

static void domain_cleanup(struct mshare_nl *nl)
{
	struct leftovers l = { .prefix = "sysv." };
	int i;

	if (find_leftovers(nl, &l) < 0)
		return;
	for (i = 0; i < l.n; i++)
		mshare_domain_destroy(nl, l.names[i]);
}

FIXTURE_SETUP(sysv)
{
	char lib[PATH_MAX];

	memset(self->v, 0, sizeof(self->v));
	self->grant = 0;
	if (access(next_to_self("libmshare-preload.so", lib, sizeof(lib)), R_OK))
		SKIP(return, "libmshare-preload.so not next to this program");
	ASSERT_EQ(0, nl_open(&self->nl));
	domain_cleanup(self->nl);
	self->base.size = sizeof(self->base);
	ASSERT_EQ(0, mshare_module_info(self->nl, &self->base));
}

FIXTURE_TEARDOWN(sysv)
{
	int i, id;

	for (i = 0; i < NVICTIMS; i++) {
		if (self->v[i].pid > 0) {
			kill(self->v[i].pid, SIGKILL);
			waitpid(self->v[i].pid, NULL, 0);
		}
	}
	/* This program is not preloaded: these are the real calls. */
	for (i = 0; i < 32; i++) {
		id = shmget(KEY(i), 0, 0);
		if (id >= 0)
			shmctl(id, IPC_RMID, NULL);
	}
	if (self->grant)
		mshare_limit_del(self->nl, MSHARE_LIMIT_GROUP, GROUP);
	domain_cleanup(self->nl);
	mshare_nl_close(self->nl);
}

/* The module's counts are back to what they were before the test. */
static void expect_baseline(struct __test_metadata *_metadata,
			    FIXTURE_DATA(sysv) *self)
{
	struct mshare_module_info now = MSHARE_INIT(now);

	ASSERT_EQ(0, mshare_module_info(self->nl, &now));
	EXPECT_EQ(self->base.domains, now.domains);
	EXPECT_EQ(self->base.data_pages, now.data_pages);
	EXPECT_EQ(self->base.table_pages, now.table_pages);
}

#define L(i)		(self->lines[i])
#define EXPECT_OK(i)	EXPECT_EQ(0, fv(L(i), "errno")) TH_LOG("%s", L(i))
#define EXPECT_ERR(e, i) EXPECT_EQ(e, fv(L(i), "errno")) TH_LOG("%s", L(i))

/*
 * One key, three unrelated processes in turn: the creator fills it, a
 * second one finds it by the key alone, reads that and writes its own
 * pattern; shm_nattch counts them; the segment outlives both with no
 * attacher, and a third one finds the second one's data, removes it, and
 * with it the last attacher the memory goes.
 */
TEST_F(sysv, unrelated_processes_share_a_key)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char name[80];
	long long id;

	ASSERT_EQ(0, spawn(self, 0, 0, 0, 0, env_min, "get:0x5e5e0001:8M+100:01600",
			   "at:0:0", "fill:1:8M", "stat", "wait", "check:2:8M", "stat",
			   "dt", "stat", NULL));
	ASSERT_EQ(4, upto(self, 0, "waiting"));
	EXPECT_OK(0);
	id = fv(L(0), "id");
	ASSERT_GT(id, ID_BASE) TH_LOG("%s", L(0));
	EXPECT_OK(1);
	EXPECT_STREQ("sysv.0x5e5e0001", fs(L(1), "domain", name, sizeof(name)));
	EXPECT_EQ(10 * MiB, fv(L(1), "vma"));
	EXPECT_EQ(SEGSZ, fv(L(3), "segsz")) TH_LOG("%s", L(3));
	EXPECT_EQ(1, fv(L(3), "nattch")) TH_LOG("%s", L(3));
	ASSERT_EQ(0, mshare_domain_get(self->nl, "sysv.0x5e5e0001", &d));
	EXPECT_EQ(id - ID_BASE, d.id);
	EXPECT_EQ(10 * MiB, d.bytes);
	EXPECT_EQ(0600, d.mode);

	ASSERT_EQ(0, spawn(self, 1, 0, 0, 0, env_min, "get:0x5e5e0001:0:0", "at:0:0",
			   "check:1:8M", "fill:2:8M", "stat", "dt", NULL));
	ASSERT_EQ(6, upto(self, 1, NULL));
	EXPECT_EQ(id, fv(L(0), "id")) TH_LOG("%s", L(0));
	EXPECT_STREQ("sysv.0x5e5e0001", fs(L(1), "domain", name, sizeof(name)));
	EXPECT_EQ(0, fv(L(2), "bad")) TH_LOG("%s", L(2));
	EXPECT_EQ(2, fv(L(4), "nattch")) TH_LOG("%s", L(4));
	EXPECT_OK(5);
	EXPECT_EQ(0, victim_end(&self->v[1]));

	victim_go(&self->v[0]);
	ASSERT_EQ(4, upto(self, 0, NULL));
	EXPECT_EQ(0, fv(L(0), "bad")) TH_LOG("%s", L(0));
	EXPECT_EQ(1, fv(L(1), "nattch")) TH_LOG("%s", L(1));
	EXPECT_OK(2);
	EXPECT_EQ(0, fv(L(3), "nattch")) TH_LOG("%s", L(3));
	EXPECT_EQ(0, victim_end(&self->v[0]));

	/* No attacher, not removed: it lives on, with its data. */
	ASSERT_EQ(0, mshare_domain_get(self->nl, "sysv.0x5e5e0001", &d));
	EXPECT_EQ(id - ID_BASE, d.id);
	ASSERT_EQ(0, spawn(self, 2, 0, 0, 0, env_min, "get:0x5e5e0001:0:0", "at:0:0",
			   "check:2:8M", "rmid", "stat", "dt", NULL));
	ASSERT_EQ(6, upto(self, 2, NULL));
	EXPECT_EQ(id, fv(L(0), "id")) TH_LOG("%s", L(0));
	EXPECT_EQ(0, fv(L(2), "bad")) TH_LOG("%s", L(2));
	EXPECT_OK(3);
	EXPECT_OK(4);
	EXPECT_EQ(1, fv(L(4), "nattch")) TH_LOG("%s", L(4));
	EXPECT_OK(5);
	EXPECT_EQ(0, victim_end(&self->v[2]));
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, "sysv.0x5e5e0001", &d));
	expect_baseline(_metadata, self);
}

/*
 * IPC_STAT's fields; shmget's errors in SysV's order (EEXIST, EINVAL for
 * more than the segment's exact size, ENOENT); IPC_SET of the mode;
 * SHM_LOCK, SHM_UNLOCK; SHM_INFO counts the segment; a size that is a
 * multiple of 2 MiB; small segments and ids that are not ours go to the
 * kernel.
 */
TEST_F(sysv, stat_errors_and_fallbacks)
{
	long long id, pid, now;
	time_t t0 = time(NULL);

	ASSERT_EQ(0, spawn(self, 0, 0, 0, 0, env_min,
			   "info", "get:0x5e5e0002:8M+100:01640", "info", "stat", "pid",
			   /* 5 */ "get:0x5e5e0002:0:0", "get:0x5e5e0002:8M+100:0",
			   "get:0x5e5e0002:8M+101:0", "get:0x5e5e0002:10M+1:0",
			   "get:0x5e5e0002:0:03600", "get:0x5e5e0003:0:0",
			   "get:0x5e5e0003:8M:0",
			   /* 12 */ "get:0x5e5e0002:0:0", "set:0604", "stat", "ctl:11",
			   "ctl:12", "ctl:99",
			   /* 18 */ "get:0x5e5e0004:8M:01600", "stat",
			   "get:0x5e5e0004:8M+1:0", "rmid",
			   /* 22 */ "get:0x5e5e0005:1M:01600", "stat", "rmid",
			   /* 25 */ "id:0x4fffffff", "at:0:0", "stat",
			   /* 28 */ "get:0x5e5e0002:0:0", "rmid", NULL));
	ASSERT_EQ(30, upto(self, 0, NULL));
	now = time(NULL);

	EXPECT_OK(1);
	id = fv(L(1), "id");
	ASSERT_GT(id, ID_BASE);
	EXPECT_EQ(fv(L(0), "used_ids") + 1, fv(L(2), "used_ids")) TH_LOG("%s / %s", L(0), L(2));
	EXPECT_EQ(fv(L(0), "shm_tot") + 10 * MiB / PAGE, fv(L(2), "shm_tot"));
	pid = fv(L(4), "pid");
	EXPECT_OK(3);
	EXPECT_EQ(KEY(2), fv(L(3), "key")) TH_LOG("%s", L(3));
	EXPECT_EQ(0, fv(L(3), "uid"));
	EXPECT_EQ(0, fv(L(3), "gid"));
	EXPECT_EQ(0, fv(L(3), "cuid"));
	EXPECT_EQ(0, fv(L(3), "cgid"));
	EXPECT_EQ(0640, fv(L(3), "mode"));
	EXPECT_EQ(SEGSZ, fv(L(3), "segsz"));
	EXPECT_EQ(0, fv(L(3), "nattch"));
	EXPECT_EQ(pid, fv(L(3), "cpid"));
	EXPECT_GE(fv(L(3), "ctime"), (long long)t0 - 1);
	EXPECT_LE(fv(L(3), "ctime"), now + 1);
	/* not tracked: 0 */
	EXPECT_EQ(0, fv(L(3), "lpid"));
	EXPECT_EQ(0, fv(L(3), "atime"));
	EXPECT_EQ(0, fv(L(3), "dtime"));

	EXPECT_EQ(id, fv(L(5), "id"));
	EXPECT_EQ(id, fv(L(6), "id"));		/* exactly its size */
	EXPECT_ERR(EINVAL, 7);			/* a byte more */
	EXPECT_ERR(EINVAL, 8);			/* more than the domain */
	EXPECT_ERR(EEXIST, 9);			/* IPC_CREAT | IPC_EXCL */
	EXPECT_ERR(ENOENT, 10);
	EXPECT_ERR(ENOENT, 11);			/* no IPC_CREAT */

	EXPECT_OK(13);
	EXPECT_EQ(0604, fv(L(14), "mode")) TH_LOG("%s", L(14));
	EXPECT_OK(15);				/* SHM_LOCK: the owner */
	EXPECT_OK(16);				/* SHM_UNLOCK */
	EXPECT_ERR(EINVAL, 17);			/* no such command */

	EXPECT_OK(18);
	EXPECT_GT(fv(L(18), "id"), ID_BASE);
	EXPECT_EQ(8 * MiB, fv(L(19), "segsz"));	/* no room for a trailer */
	EXPECT_ERR(EINVAL, 20);
	EXPECT_OK(21);

	EXPECT_OK(22);				/* below MSHARE_PRELOAD_MIN */
	EXPECT_GE(fv(L(22), "id"), 0);
	EXPECT_LT(fv(L(22), "id"), ID_BASE);
	EXPECT_EQ(1 * MiB, fv(L(23), "segsz")) TH_LOG("%s", L(23));
	EXPECT_EQ(KEY(5), fv(L(23), "key"));
	EXPECT_OK(24);

	EXPECT_ERR(EINVAL, 26);			/* not ours: the kernel's answer */
	EXPECT_ERR(EINVAL, 27);
	EXPECT_OK(29);
	EXPECT_EQ(0, victim_end(&self->v[0]));
	expect_baseline(_metadata, self);
}

/*
 * IPC_RMID with an attacher: the segment reads as removed (key
 * IPC_PRIVATE, SHM_DEST), can still be attached by its id (as on Linux),
 * keeps its data; its key is free at once: another process gets ENOENT
 * for it, then makes a new, zeroed segment under it.
 */
TEST_F(sysv, rmid_frees_the_key_keeps_the_memory)
{
	char name[80], op[64];
	long long id, id2;

	ASSERT_EQ(0, spawn(self, 0, 0, 0, 0, env_min, "get:0x5e5e0006:8M:01600",
			   "at:0:0", "fill:3:8M", "rmid", "stat", "at:0:0", "check:3:8M",
			   "wait", "check:3:8M", "dt", "stat", NULL));
	ASSERT_EQ(7, upto(self, 0, "waiting"));
	id = fv(L(0), "id");
	ASSERT_GT(id, ID_BASE);
	EXPECT_OK(3);
	EXPECT_OK(4);
	EXPECT_EQ(IPC_PRIVATE, fv(L(4), "key")) TH_LOG("%s", L(4));
	EXPECT_EQ(0600 | SHM_DEST, fv(L(4), "mode"));
	EXPECT_EQ(1, fv(L(4), "nattch"));
	EXPECT_OK(5);				/* attach a removed segment */
	EXPECT_STREQ("sysv.0x5e5e0006", fs(L(5), "domain", name, sizeof(name)));
	EXPECT_EQ(0, fv(L(6), "bad"));

	snprintf(op, sizeof(op), "id:%lld", id);
	ASSERT_EQ(0, spawn(self, 1, 0, 0, 0, env_min, "get:0x5e5e0006:0:0",
			   "get:0x5e5e0006:8M:01600", "at:0:0", "check:0:8M", "fill:4:8M",
			   "rmid", "dt", op, "stat", "rmid", NULL));
	ASSERT_EQ(10, upto(self, 1, NULL));
	EXPECT_ERR(ENOENT, 0);
	EXPECT_OK(1);
	id2 = fv(L(1), "id");
	EXPECT_GT(id2, ID_BASE);
	EXPECT_NE(id, id2);
	EXPECT_EQ(0, fv(L(3), "bad")) TH_LOG("a new segment reads as zeroes");
	EXPECT_OK(5);
	EXPECT_OK(6);
	/* the old one, by its id, from an unrelated process */
	EXPECT_OK(8);
	EXPECT_EQ(2, fv(L(8), "nattch")) TH_LOG("%s", L(8));
	EXPECT_EQ(0600 | SHM_DEST, fv(L(8), "mode"));
	EXPECT_OK(9);				/* removing it again: 0 */
	EXPECT_EQ(0, victim_end(&self->v[1]));

	victim_go(&self->v[0]);
	ASSERT_EQ(3, upto(self, 0, NULL));
	EXPECT_EQ(0, fv(L(0), "bad")) TH_LOG("the old attachers keep their data");
	EXPECT_OK(1);
	EXPECT_EQ(1, fv(L(2), "nattch"));
	EXPECT_EQ(0, victim_end(&self->v[0]));
	expect_baseline(_metadata, self);
}

/*
 * SHM_RDONLY attaches read-only: the data reads, a write is SIGSEGV.  A
 * caller with read permission only (a group member, mode 0640) gets
 * EACCES for write access in shmget and shmat, attaches with SHM_RDONLY,
 * cannot write, may IPC_STAT, may not IPC_SET, IPC_RMID or SHM_LOCK; a
 * caller with no permission gets the id (shmget asks for nothing) but
 * neither attach nor IPC_STAT.
 */
TEST_F(sysv, read_only)
{
	char name[80];
	long long id;

	ASSERT_EQ(0, spawn(self, 0, 0, 0, 0, env_min, "get:0x5e5e0007:8M:01640",
			   "set:0640:0:1500", "at:0:0", "fill:5:8M", "wait", "rmid", "dt",
			   NULL));
	ASSERT_EQ(4, upto(self, 0, "waiting"));
	id = fv(L(0), "id");
	ASSERT_GT(id, ID_BASE);
	EXPECT_OK(1);
	EXPECT_OK(2);

	ASSERT_EQ(0, spawn(self, 1, 0, 0, 0, env_min, "get:0x5e5e0007:0:0",
			   "at:0:010000", "check:5:8M", "write", "stat", "dt", NULL));
	ASSERT_EQ(6, upto(self, 1, NULL));
	EXPECT_OK(1);
	EXPECT_STREQ("sysv.0x5e5e0007", fs(L(1), "domain", name, sizeof(name)));
	EXPECT_EQ(0, fv(L(2), "bad"));
	EXPECT_EQ(SIGSEGV, fv(L(3), "sig")) TH_LOG("SHM_RDONLY: %s", L(3));
	EXPECT_EQ(2, fv(L(4), "nattch"));
	EXPECT_OK(5);
	EXPECT_EQ(0, victim_end(&self->v[1]));

	ASSERT_EQ(0, spawn(self, 2, USER, USER, GROUP, env_min,
			   "get:0x5e5e0007:0:0", "get:0x5e5e0007:0:0600",
			   "get:0x5e5e0007:0:0440", "at:0:0", "at:0:010000", "check:5:8M",
			   "write", "stat", "set:0666", "rmid", "ctl:11", "dt", NULL));
	ASSERT_EQ(12, upto(self, 2, NULL));
	EXPECT_EQ(id, fv(L(0), "id"));
	EXPECT_ERR(EACCES, 1);			/* asks for write */
	EXPECT_EQ(id, fv(L(2), "id"));
	EXPECT_ERR(EACCES, 3);			/* read-write attach */
	EXPECT_OK(4);				/* SHM_RDONLY */
	EXPECT_EQ(0, fv(L(5), "bad"));
	EXPECT_EQ(SIGSEGV, fv(L(6), "sig")) TH_LOG("read permission only: %s", L(6));
	EXPECT_OK(7);
	EXPECT_EQ(0640, fv(L(7), "mode"));
	EXPECT_EQ(GROUP, fv(L(7), "gid"));
	EXPECT_ERR(EPERM, 8);
	EXPECT_ERR(EPERM, 9);
	EXPECT_ERR(EPERM, 10);
	EXPECT_OK(11);
	EXPECT_EQ(0, victim_end(&self->v[2]));

	ASSERT_EQ(0, spawn(self, 3, OTHER, OTHER, 0, env_min, "get:0x5e5e0007:0:0",
			   "at:0:010000", "stat", NULL));
	ASSERT_EQ(3, upto(self, 3, NULL));
	EXPECT_EQ(id, fv(L(0), "id"));
	EXPECT_ERR(EACCES, 1);
	EXPECT_ERR(EACCES, 2);
	EXPECT_EQ(0, victim_end(&self->v[3]));

	victim_go(&self->v[0]);
	ASSERT_EQ(2, upto(self, 0, NULL));
	EXPECT_OK(0);
	EXPECT_OK(1);
	EXPECT_EQ(0, victim_end(&self->v[0]));
	expect_baseline(_metadata, self);
}

/*
 * shmat's address: a 2 MiB-aligned one is honoured; one off 2 MiB is
 * EINVAL, unless SHM_RND rounds it down to 2 MiB; SHM_REMAP without an
 * address is EINVAL, SHM_EXEC EACCES.  A forked child inherits the
 * attachment, attaches again by the id, and detaches both.
 */
TEST_F(sysv, addresses_and_fork)
{
	char name[80];
	long long asked;

	ASSERT_EQ(0, spawn(self, 0, 0, 0, 0, env_min, "get:0x5e5e0008:8M:01600",
			   "at:free:0", "dt", "at:free+4096:0", "at:free+4096:020000", "dt",
			   "at:free+4096:040000", "at:0:040000", "at:0:0100000",
			   "at:0:0", "fill:6:8M", "fork:6:8M", "stat", "rmid", "dt", NULL));
	ASSERT_EQ(15, upto(self, 0, NULL));
	EXPECT_OK(1);
	EXPECT_EQ(fv(L(1), "asked"), fv(L(1), "addr")) TH_LOG("%s", L(1));
	EXPECT_STREQ("sysv.0x5e5e0008", fs(L(1), "domain", name, sizeof(name)));
	EXPECT_OK(2);
	EXPECT_ERR(EINVAL, 3);
	EXPECT_OK(4);
	asked = fv(L(4), "asked");
	EXPECT_EQ(asked & ~(long long)(2 * MiB - 1), fv(L(4), "addr")) TH_LOG("%s", L(4));
	EXPECT_OK(5);
	EXPECT_ERR(EINVAL, 6);
	EXPECT_ERR(EINVAL, 7);
	EXPECT_ERR(EACCES, 8);
	EXPECT_OK(9);
	EXPECT_EQ(0, fv(L(11), "bad")) TH_LOG("%s", L(11));
	EXPECT_EQ(0, fv(L(11), "at_errno"));
	EXPECT_EQ(0, fv(L(11), "bad2"));
	EXPECT_EQ(0, fv(L(11), "dt"));
	EXPECT_EQ(0, fv(L(11), "dt2"));
	EXPECT_EQ(1, fv(L(12), "nattch")) TH_LOG("the child's attachments went: %s", L(12));
	EXPECT_OK(13);
	EXPECT_OK(14);
	EXPECT_EQ(0, victim_end(&self->v[0]));
	expect_baseline(_metadata, self);
}

/* IPC_PRIVATE: a segment of its own, which an unrelated process reaches by its id. */
TEST_F(sysv, private_segment_by_id)
{
	char name[80], op[64];
	long long id;

	ASSERT_EQ(0, spawn(self, 0, 0, 0, 0, env_min, "get:0:8M:01600", "at:0:0",
			   "fill:7:8M", "wait", "stat", "rmid", "dt", NULL));
	ASSERT_EQ(3, upto(self, 0, "waiting"));
	id = fv(L(0), "id");
	ASSERT_GT(id, ID_BASE);
	EXPECT_EQ(0, strncmp("sysv.private.", fs(L(1), "domain", name, sizeof(name)), 13))
		TH_LOG("%s", L(1));
	snprintf(op, sizeof(op), "id:%lld", id);
	ASSERT_EQ(0, spawn(self, 1, 0, 0, 0, env_min, op, "at:0:0", "check:7:8M",
			   "stat", "dt", NULL));
	ASSERT_EQ(5, upto(self, 1, NULL));
	EXPECT_OK(1);
	EXPECT_EQ(0, fv(L(2), "bad"));
	EXPECT_EQ(IPC_PRIVATE, fv(L(3), "key"));
	EXPECT_EQ(2, fv(L(3), "nattch"));
	EXPECT_EQ(0, victim_end(&self->v[1]));
	victim_go(&self->v[0]);
	ASSERT_EQ(3, upto(self, 0, NULL));
	EXPECT_EQ(1, fv(L(0), "nattch"));
	EXPECT_OK(1);
	EXPECT_OK(2);
	EXPECT_EQ(0, victim_end(&self->v[0]));
	expect_baseline(_metadata, self);
}

/*
 * An unprivileged service: uid USER whose group GROUP has a creation grant
 * of 32 MiB.  Its segment is a domain owned by it; another of its
 * processes attaches it by the key; a segment over the grant, and any
 * segment of a user without a grant, are the kernel's own.
 */
TEST_F(sysv, unprivileged_service_under_a_grant)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char name[80];
	long long id;

	ASSERT_EQ(0, mshare_limit_set(self->nl, MSHARE_LIMIT_GROUP, GROUP, 32 * MiB, 2));
	self->grant = 1;
	ASSERT_EQ(0, spawn(self, 0, USER, GROUP, 0, env_min,
			   "get:0x5e5e0009:8M+100:01660", "at:0:0", "fill:8:8M", "stat",
			   "get:0x5e5e000a:64M:01600", "at:0:0", "rmid", "dt",
			   "wait", "get:0x5e5e0009:0:0", "rmid", "dt", NULL));
	ASSERT_EQ(8, upto(self, 0, "waiting"));
	EXPECT_OK(0);
	id = fv(L(0), "id");
	EXPECT_GT(id, ID_BASE);
	EXPECT_STREQ("sysv.0x5e5e0009", fs(L(1), "domain", name, sizeof(name)));
	EXPECT_EQ(USER, fv(L(3), "uid")) TH_LOG("%s", L(3));
	EXPECT_EQ(GROUP, fv(L(3), "gid"));
	EXPECT_EQ(USER, fv(L(3), "cuid"));
	EXPECT_EQ(GROUP, fv(L(3), "cgid"));
	EXPECT_EQ(0660, fv(L(3), "mode"));
	EXPECT_EQ(SEGSZ, fv(L(3), "segsz"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, "sysv.0x5e5e0009", &d));
	EXPECT_EQ(USER, d.uid);
	EXPECT_EQ(GROUP, d.gid);
	/* 64 MiB is over the grant: a real segment */
	EXPECT_OK(4);
	EXPECT_LT(fv(L(4), "id"), ID_BASE) TH_LOG("%s", L(4));
	EXPECT_OK(5);
	EXPECT_STREQ("-", fs(L(5), "domain", name, sizeof(name)));
	EXPECT_OK(6);
	EXPECT_OK(7);

	ASSERT_EQ(0, spawn(self, 1, USER, GROUP, 0, env_min, "get:0x5e5e0009:0:0",
			   "at:0:0", "check:8:8M", "dt", NULL));
	ASSERT_EQ(4, upto(self, 1, NULL));
	EXPECT_EQ(id, fv(L(0), "id"));
	EXPECT_EQ(0, fv(L(2), "bad"));
	EXPECT_EQ(0, victim_end(&self->v[1]));

	/* No grant: the kernel's segments, and the library stops asking. */
	ASSERT_EQ(0, spawn(self, 2, OTHER, OTHER, 0, env_min,
			   "get:0x5e5e000b:8M:01600", "at:0:0", "rmid", "dt",
			   "get:0x5e5e000c:8M:01600", "rmid", NULL));
	ASSERT_EQ(6, upto(self, 2, NULL));
	EXPECT_OK(0);
	EXPECT_LT(fv(L(0), "id"), ID_BASE) TH_LOG("%s", L(0));
	EXPECT_STREQ("-", fs(L(1), "domain", name, sizeof(name)));
	EXPECT_LT(fv(L(4), "id"), ID_BASE) TH_LOG("%s", L(4));
	EXPECT_OK(5);
	EXPECT_EQ(0, victim_end(&self->v[2]));

	victim_go(&self->v[0]);
	ASSERT_EQ(3, upto(self, 0, NULL));
	EXPECT_OK(1);
	EXPECT_EQ(0, victim_end(&self->v[0]));
	expect_baseline(_metadata, self);
}

/*
 * Malformed knobs are reported on stderr once each, without
 * MSHARE_PRELOAD_DEBUG, however many calls the program makes, and the
 * defaults hold (64M: 8 MiB is the kernel's); MSHARE_PRELOAD_SYSV=0
 * leaves System V alone.
 */
TEST_F(sysv, knobs)
{
	const char *const bad[] = { "MSHARE_PRELOAD_MIN=12Q", "MSHARE_PRELOAD_SYSV=yes",
				    "MSHARE_PRELOAD=2", "MSHARE_PRELOAD_DEBUG=on",
				    "MSHARE_PRELOAD_PREFIX=a/b", "MSHARE_PRELOAD_NUMA=bind",
				    NULL };
	const char *const off[] = { "MSHARE_PRELOAD_MIN=4M", "MSHARE_PRELOAD_SYSV=0", NULL };
	struct victim_opts o = { .prog = "sysv_victim", .env = bad, .stderr_too = true };
	char *ops[] = { "get:0x5e5e000d:8M:01600", "rmid", "get:0x5e5e000d:8M:01600",
			"rmid", "fork:0:0", NULL };
	int n, i, j, count[6] = { 0 }, other = 0;

	ASSERT_EQ(0, victim_spawn(&self->v[0], &o, ops));
	n = victim_read(&self->v[0], self->lines, MAX_LINES, "done");
	ASSERT_GT(n, 0);
	for (i = 0; i < n; i++) {
		if (!strncmp(L(i), "libmshare-preload[", 18)) {
			for (j = 0; bad[j]; j++)
				if (strstr(L(i), bad[j]))
					break;
			if (bad[j])
				count[j]++;
			else
				other++;
			TH_LOG("%s", L(i));
		} else if (!strncmp(L(i), "get ", 4)) {
			EXPECT_OK(i);
			EXPECT_LT(fv(L(i), "id"), ID_BASE) TH_LOG("%s", L(i));
		}
	}
	for (j = 0; bad[j]; j++)
		EXPECT_EQ(1, count[j]) TH_LOG("%s reported %d times", bad[j], count[j]);
	EXPECT_EQ(0, other);
	EXPECT_EQ(0, victim_end(&self->v[0]));

	ASSERT_EQ(0, spawn(self, 1, 0, 0, 0, off, "get:0x5e5e000e:8M:01600", "at:0:0",
			   "rmid", "dt", NULL));
	ASSERT_EQ(4, upto(self, 1, NULL));
	EXPECT_OK(0);
	EXPECT_LT(fv(L(0), "id"), ID_BASE);
	EXPECT_STREQ("-", fs(L(1), "domain", (char[80]){ 0 }, 80));
	EXPECT_EQ(0, victim_end(&self->v[1]));
	expect_baseline(_metadata, self);
}

TEST_HARNESS_MAIN
