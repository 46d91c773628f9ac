// SPDX-License-Identifier: GPL-2.0
/*
 * Process-shared synchronisation in a domain, across unrelated processes.
 *
 * A domain page carries the domain inode's mapping and its page offset,
 * so get_futex_key() keys a shared (not FUTEX_PRIVATE_FLAG) futex on
 * (inode, offset), whatever address each process maps it at.  Here every
 * process attaches the domain itself: the children are forked before this
 * process maps it (they inherit no mapping), and each first reserves a
 * different amount of address space, so the domain lands at a different
 * address in each (checked).  Then POSIX semaphores, PTHREAD_PROCESS_SHARED
 * mutexes (normal, priority-inheritance, robust) and condition variables,
 * and raw FUTEX_WAIT/FUTEX_WAKE, must wake across them.
 *
 * Every wait is bounded (timed waits of WAIT_S seconds, and the test's own
 * timeout), so a broken wake fails the test instead of hanging it.
 *
 * Every test runs on three variants of the domain: "pages", 4 MiB of
 * 4 KiB pages; "huge", 4 MiB of 2 MiB leaves (MSHARE_DOMAIN_F_HUGE), which
 * every process holds as copies in its own PMD entries (no whole GiB to
 * link); "huge_gib", 1 GiB of leaves, linked at PUD level where the
 * kernel can.  A leaf is a large folio with its index set as a page's:
 * get_futex_key() keys on the folio's inode and the page's offset in it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mshare.h"
#include "mshare_util.h"
#include "kselftest_harness.h"

#define OBJ_OFF		(2 * MiB + 192)	/* the shared objects: second PTE table */
#define WAIT_S		10		/* bound of every single wait */
#define MAX_KIDS	4

/* The objects, at OBJ_OFF in the domain. */
struct shared {
	sem_t ping, pong;
	pthread_mutex_t mutex;
	pthread_cond_t cond;		/* "go" was set */
	pthread_cond_t cond_ready;	/* "ready" grew */
	int ready, go;
	long counter;
	long rounds;
	uint32_t word __attribute__((aligned(64)));	/* raw futex */
};

/* ---- timeouts ---- */

static struct timespec deadline(clockid_t clk, int secs)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	ts.tv_sec += secs;
	return ts;
}

static long futex(uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

/* ---- the fixture: the domain and the children ---- */

FIXTURE(fx) {
	struct mshare_nl *nl;
	uint64_t size;			/* the domain's */
	unsigned int flags;		/* 0 or MSHARE_DOMAIN_F_HUGE */
	char name[MSHARE_NAME_MAX];
	char *p;			/* this process's mapping */
	struct shared *sh;
	int nkids;
	pid_t kid[MAX_KIDS];
	int go[MAX_KIDS][2];		/* parent -> child: start */
	int rep[MAX_KIDS][2];		/* child -> parent: its address, then bytes */
};

FIXTURE_VARIANT(fx) {
	uint64_t size;
	unsigned int flags;
};

FIXTURE_VARIANT_ADD(fx, pages) {
	.size = 4 * MiB,
	.flags = 0,
};

FIXTURE_VARIANT_ADD(fx, huge) {
	.size = 4 * MiB,
	.flags = MSHARE_DOMAIN_F_HUGE,
};

FIXTURE_VARIANT_ADD(fx, huge_gib) {
	.size = GiB,
	.flags = MSHARE_DOMAIN_F_HUGE,
};

FIXTURE_SETUP(fx)
{
	struct mshare_domain_info info = MSHARE_INIT(info);

	memset(self->kid, 0, sizeof(self->kid));
	self->nkids = 0;
	self->p = NULL;
	self->sh = NULL;
	snprintf(self->name, sizeof(self->name), "futex-%d", getpid());
	self->size = variant->size;
	self->flags = variant->flags;
	ASSERT_EQ(0, nl_open(&self->nl));
	if (self->flags && !thp_built())
		SKIP(return, "no 2 MiB leaves here (no THP)");
	ASSERT_EQ(0, create_domain(self->nl, self->name, self->size, self->flags, &info));
}

FIXTURE_TEARDOWN(fx)
{
	int i;

	for (i = 0; i < self->nkids; i++) {
		if (self->kid[i] > 0) {
			kill(self->kid[i], SIGKILL);
			waitpid(self->kid[i], NULL, 0);
		}
		close(self->go[i][0]);
		close(self->go[i][1]);
		close(self->rep[i][0]);
		close(self->rep[i][1]);
	}
	if (self->p)
		munmap(self->p, self->size);
	mshare_domain_destroy(self->nl, self->name);
	mshare_nl_close(self->nl);
}

typedef int (*role_fn)(struct shared *sh, int idx, int rep_fd);

/*
 * Fork child @idx, before this process maps the domain.  The child
 * reserves (idx + 1) GiB of address space so that its own mapping lands
 * elsewhere, attaches the domain, reports the address, waits (bounded) to
 * be told to go, runs @fn on the objects and exits with its result.
 */
static void start_kid(struct __test_metadata *_metadata, FIXTURE_DATA(fx) *self,
		      role_fn fn)
{
	int idx = self->nkids;

	ASSERT_LT(idx, MAX_KIDS);
	ASSERT_EQ(NULL, self->p);
	ASSERT_EQ(0, pipe2(self->go[idx], O_CLOEXEC));
	ASSERT_EQ(0, pipe2(self->rep[idx], O_CLOEXEC));
	self->nkids++;
	self->kid[idx] = flush_fork();
	if (self->kid[idx] == 0) {
		struct pollfd pfd = { .fd = self->go[idx][0], .events = POLLIN };
		size_t size;
		void *q;
		char c;

		if (mmap(NULL, (idx + 1) * GiB, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED)
			_exit(90);
		if (attach_dom(self->name, 0, &q, &size) || size != self->size)
			_exit(91);
		if (write(self->rep[idx][1], &q, sizeof(q)) != sizeof(q))
			_exit(92);
		if (poll(&pfd, 1, WAIT_S * 1000) != 1 || read(self->go[idx][0], &c, 1) != 1)
			_exit(93);
		_exit(fn((struct shared *)((char *)q + OBJ_OFF), idx, self->rep[idx][1]));
	}
	ASSERT_GT(self->kid[idx], 0);
}

/*
 * Map the domain here, have @init set up the objects, collect each child's
 * address (each must differ from this one's), and let them all go.
 */
static void attach_and_go(struct __test_metadata *_metadata, FIXTURE_DATA(fx) *self,
			  void (*init)(struct shared *sh))
{
	struct mshare_domain_info info = MSHARE_INIT(info);
	size_t size;
	void *addr;
	int i;

	ASSERT_EQ(0, attach_dom(self->name, 0, &addr, &size));
	self->p = addr;
	self->sh = (struct shared *)(self->p + OBJ_OFF);
	memset(self->sh, 0, sizeof(*self->sh));
	init(self->sh);
	/* One page, or one 2 MiB leaf, holds the objects. */
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &info));
	ASSERT_EQ(self->flags ? 512 : 1, info.resident);
	for (i = 0; i < self->nkids; i++) {
		struct pollfd pfd = { .fd = self->rep[i][0], .events = POLLIN };
		void *q = NULL;

		ASSERT_EQ(1, poll(&pfd, 1, WAIT_S * 1000)) TH_LOG("child %d did not attach", i);
		ASSERT_EQ(sizeof(q), read(self->rep[i][0], &q, sizeof(q)))
			TH_LOG("child %d did not attach", i);
		EXPECT_NE(addr, q) TH_LOG("child %d maps it at the same address", i);
	}
	for (i = 0; i < self->nkids; i++)
		ASSERT_EQ(1, write(self->go[i][1], "g", 1));
}

/* Reap every child within @secs seconds in all; each must exit 0. */
static void reap_kids(struct __test_metadata *_metadata, FIXTURE_DATA(fx) *self,
		      int secs)
{
	struct timespec end = deadline(CLOCK_MONOTONIC, secs), now;
	int i, left = 0, status;

	for (i = 0; i < self->nkids; i++)
		left += self->kid[i] > 0;
	while (left) {
		for (i = 0; i < self->nkids; i++) {
			if (self->kid[i] <= 0 || waitpid(self->kid[i], &status, WNOHANG) != self->kid[i])
				continue;
			EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
				TH_LOG("child %d: status %#x", i, status);
			self->kid[i] = 0;
			left--;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (left && (now.tv_sec > end.tv_sec ||
			     (now.tv_sec == end.tv_sec && now.tv_nsec > end.tv_nsec))) {
			EXPECT_EQ(0, left) TH_LOG("children still running after %d s", secs);
			break;
		}
		if (left)
			usleep(10000);
	}
}

static void init_sems(struct shared *sh)
{
	sem_init(&sh->ping, 1, 0);
	sem_init(&sh->pong, 1, 0);
}

static void init_mutex_type(struct shared *sh, int protocol, int robust)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setprotocol(&ma, protocol);
	if (robust)
		pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&sh->mutex, &ma);
	pthread_mutexattr_destroy(&ma);
	pthread_condattr_init(&ca);
	pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sh->cond, &ca);
	pthread_cond_init(&sh->cond_ready, &ca);
	pthread_condattr_destroy(&ca);
}

static void init_mutex(struct shared *sh)
{
	init_mutex_type(sh, PTHREAD_PRIO_NONE, 0);
}

static void init_pi_mutex(struct shared *sh)
{
	init_mutex_type(sh, PTHREAD_PRIO_INHERIT, 0);
}

static void init_robust_mutex(struct shared *sh)
{
	init_mutex_type(sh, PTHREAD_PRIO_NONE, 1);
}

static void init_nothing(struct shared *sh)
{
}

/* ---- semaphores ---- */

#define ROUNDS	2000

/* The child answers each ping with a pong; rounds must alternate. */
static int pong_role(struct shared *sh, int idx, int rep_fd)
{
	long i;

	for (i = 0; i < ROUNDS; i++) {
		struct timespec ts = deadline(CLOCK_REALTIME, WAIT_S);

		if (sem_timedwait(&sh->ping, &ts))
			return 10;
		if (sh->rounds != 2 * i + 1)
			return 11;
		sh->rounds++;
		if (sem_post(&sh->pong))
			return 12;
	}
	return 0;
}

TEST_F_TIMEOUT(fx, sem_ping_pong_across_processes, 120)
{
	long i;

	start_kid(_metadata, self, pong_role);
	attach_and_go(_metadata, self, init_sems);
	for (i = 0; i < ROUNDS; i++) {
		struct timespec ts = deadline(CLOCK_REALTIME, WAIT_S);

		ASSERT_EQ(2 * i, self->sh->rounds);
		self->sh->rounds++;
		ASSERT_EQ(0, sem_post(&self->sh->ping));
		ASSERT_EQ(0, sem_timedwait(&self->sh->pong, &ts))
			TH_LOG("round %ld: %s", i, strerror(errno));
	}
	EXPECT_EQ(2 * ROUNDS, self->sh->rounds);
	reap_kids(_metadata, self, 30);
}

/* ---- mutexes ---- */

#define INCREMENTS	20000

/* A deliberately slow, non-atomic increment under the mutex. */
static int add_under_mutex(struct shared *sh)
{
	long i;
	int j;

	for (i = 0; i < INCREMENTS; i++) {
		struct timespec ts = deadline(CLOCK_REALTIME, WAIT_S);
		volatile long v;

		if (pthread_mutex_timedlock(&sh->mutex, &ts))
			return 20;
		v = sh->counter;
		for (j = 0; j < 20; j++)
			__asm__ volatile("" ::: "memory");
		sh->counter = v + 1;
		if (pthread_mutex_unlock(&sh->mutex))
			return 21;
	}
	return 0;
}

static int adder_role(struct shared *sh, int idx, int rep_fd)
{
	return add_under_mutex(sh);
}

static void counter_test(struct __test_metadata *_metadata, FIXTURE_DATA(fx) *self,
			 void (*init)(struct shared *sh))
{
	int i;

	for (i = 0; i < 3; i++)
		start_kid(_metadata, self, adder_role);
	attach_and_go(_metadata, self, init);
	EXPECT_EQ(0, add_under_mutex(self->sh));
	reap_kids(_metadata, self, 90);
	EXPECT_EQ(4L * INCREMENTS, self->sh->counter);
}

TEST_F_TIMEOUT(fx, mutex_counter_reaches_exact_total, 120)
{
	counter_test(_metadata, self, init_mutex);
}

/* FUTEX_LOCK_PI / FUTEX_UNLOCK_PI on the shared word. */
TEST_F_TIMEOUT(fx, pi_mutex_counter_reaches_exact_total, 120)
{
	counter_test(_metadata, self, init_pi_mutex);
}

/*
 * The owner dies holding a robust mutex while this process waits for it:
 * the exiting child's robust list makes the kernel set FUTEX_OWNER_DIED in
 * the domain word (through the dying process's own mapping) and wake the
 * waiter here (a shared futex wake, handle_futex_death()).
 */
static int die_holding_role(struct shared *sh, int idx, int rep_fd)
{
	struct timespec ts = deadline(CLOCK_REALTIME, WAIT_S);

	if (pthread_mutex_timedlock(&sh->mutex, &ts))
		return 30;
	if (write(rep_fd, "l", 1) != 1)
		return 31;
	usleep(300000);		/* let the parent block on it */
	return 0;		/* exit without unlocking */
}

TEST_F_TIMEOUT(fx, robust_mutex_owner_death_wakes_waiter_with_eownerdead, 60)
{
	struct timespec ts;
	char c = 0;
	struct pollfd pfd;

	start_kid(_metadata, self, die_holding_role);
	attach_and_go(_metadata, self, init_robust_mutex);
	pfd.fd = self->rep[0][0];
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, WAIT_S * 1000));
	ASSERT_EQ(1, read(self->rep[0][0], &c, 1));
	ts = deadline(CLOCK_REALTIME, WAIT_S);
	EXPECT_EQ(EOWNERDEAD, pthread_mutex_timedlock(&self->sh->mutex, &ts));
	EXPECT_EQ(0, pthread_mutex_consistent(&self->sh->mutex));
	EXPECT_EQ(0, pthread_mutex_unlock(&self->sh->mutex));
	reap_kids(_metadata, self, 30);
}

/* ---- condition variables ---- */

/* Wait (bounded) until the parent sets go and broadcasts. */
static int cond_waiter_role(struct shared *sh, int idx, int rep_fd)
{
	struct timespec ts = deadline(CLOCK_MONOTONIC, WAIT_S);
	int ret = 0;

	if (pthread_mutex_lock(&sh->mutex))
		return 40;
	sh->ready++;
	pthread_cond_signal(&sh->cond_ready);
	while (!sh->go && !ret)
		ret = pthread_cond_timedwait(&sh->cond, &sh->mutex, &ts);
	pthread_mutex_unlock(&sh->mutex);
	return ret ? 41 : 0;
}

TEST_F_TIMEOUT(fx, condvar_broadcast_wakes_every_process, 60)
{
	struct timespec ts;
	int i, ret = 0;

	for (i = 0; i < 3; i++)
		start_kid(_metadata, self, cond_waiter_role);
	attach_and_go(_metadata, self, init_mutex);
	ts = deadline(CLOCK_MONOTONIC, WAIT_S);
	ASSERT_EQ(0, pthread_mutex_lock(&self->sh->mutex));
	while (self->sh->ready < 3 && !ret)
		ret = pthread_cond_timedwait(&self->sh->cond_ready, &self->sh->mutex, &ts);
	EXPECT_EQ(0, ret) TH_LOG("only %d children ready", self->sh->ready);
	/* All three are now inside pthread_cond_timedwait (they released the mutex). */
	self->sh->go = 1;
	EXPECT_EQ(0, pthread_cond_broadcast(&self->sh->cond));
	ASSERT_EQ(0, pthread_mutex_unlock(&self->sh->mutex));
	reap_kids(_metadata, self, 30);
}

/* ---- raw futexes ---- */

/*
 * Wait on the shared word until it is not 0: 0 when woken by a FUTEX_WAKE,
 * 50 on timeout.
 */
static int futex_waiter_role(struct shared *sh, int idx, int rep_fd)
{
	struct timespec ts = { .tv_sec = WAIT_S };

	while (!__atomic_load_n(&sh->word, __ATOMIC_ACQUIRE)) {
		if (futex(&sh->word, FUTEX_WAIT, 0, &ts) && errno == ETIMEDOUT)
			return 50;
	}
	return 0;
}

/* Is @pid asleep in futex(2)?  (/proc/PID/syscall, /proc/PID/stat) */
static int asleep_in_futex(pid_t pid)
{
	char path[64], buf[256], *s;
	long nr = -1;
	char state = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f))
		nr = strtol(buf, NULL, 10);
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f) && (s = strrchr(buf, ')')))
		state = s[2];
	fclose(f);
	return nr == SYS_futex && state == 'S';
}

static void wait_asleep(struct __test_metadata *_metadata, pid_t pid)
{
	int i;

	for (i = 0; i < WAIT_S * 100 && !asleep_in_futex(pid); i++)
		usleep(10000);
	ASSERT_TRUE(asleep_in_futex(pid)) TH_LOG("the child never slept in futex()");
}

/*
 * FUTEX_WAKE (shared) on this process's address of the word wakes exactly
 * the child sleeping on its own, different, address of it.
 */
TEST_F_TIMEOUT(fx, futex_wake_shared_wakes_waiter_in_other_process, 60)
{
	start_kid(_metadata, self, futex_waiter_role);
	attach_and_go(_metadata, self, init_nothing);
	wait_asleep(_metadata, self->kid[0]);
	__atomic_store_n(&self->sh->word, 1, __ATOMIC_RELEASE);
	EXPECT_EQ(1, futex(&self->sh->word, FUTEX_WAKE, 1, NULL));
	reap_kids(_metadata, self, 30);
}

/*
 * The negative control: a FUTEX_PRIVATE_FLAG wake is keyed on this mm and
 * wakes nobody in the other process; the shared wake that follows does.
 */
TEST_F_TIMEOUT(fx, futex_wake_private_does_not_cross_processes, 60)
{
	start_kid(_metadata, self, futex_waiter_role);
	attach_and_go(_metadata, self, init_nothing);
	wait_asleep(_metadata, self->kid[0]);
	EXPECT_EQ(0, futex(&self->sh->word, FUTEX_WAKE_PRIVATE, 1, NULL));
	usleep(100000);
	EXPECT_TRUE(asleep_in_futex(self->kid[0]));
	__atomic_store_n(&self->sh->word, 1, __ATOMIC_RELEASE);
	EXPECT_EQ(1, futex(&self->sh->word, FUTEX_WAKE, 1, NULL));
	reap_kids(_metadata, self, 30);
}

/*
 * FUTEX_WAIT by the other process returns EAGAIN at once when the word in
 * the domain already differs from the expected value: both see one word.
 */
static int futex_stale_role(struct shared *sh, int idx, int rep_fd)
{
	struct timespec ts = { .tv_sec = WAIT_S };

	if (futex(&sh->word, FUTEX_WAIT, 0, &ts) != -1 || errno != EAGAIN)
		return 60;
	return 0;
}

static void init_word_7(struct shared *sh)
{
	sh->word = 7;
}

TEST_F_TIMEOUT(fx, futex_wait_on_changed_word_returns_eagain, 60)
{
	start_kid(_metadata, self, futex_stale_role);
	attach_and_go(_metadata, self, init_word_7);
	reap_kids(_metadata, self, 30);
}

TEST_HARNESS_MAIN
