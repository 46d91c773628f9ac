// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: 20 s (MSHARE_STRESS_SECS) of concurrent chaos on shared page
 * tables, then checks that nothing went wrong and nothing is left.
 *
 * Roles, all running at once:
 *  - owners (processes with two threads each) attach a "stable" domain that
 *    nobody destroys; each thread owns a set of its pages and rewrites them
 *    whole, checking the previous version first; they munmap (in parts) and
 *    re-attach, fork children that read and write and exit, and exec;
 *  - a churner destroys and recreates domains, under the same name and
 *    under new ones, while they are attached;
 *  - churn attachers (processes with two threads each) attach those domains
 *    (ENOENT is expected: the name may just have gone), touch them, keep
 *    touching after they are destroyed, fork children that touch and exit,
 *    SIGKILL children in the middle of their faults, and exec children that
 *    attach again.
 *
 * Every 8-byte word written is self-checking: (version << 32) | hash(domain,
 * page, word, version), so a read anywhere, any time, proves that the page
 * is the right one; the owned pages of the stable domain are also checked
 * against the exact version last written.  Afterwards: no unexpected error,
 * the stable domain holds exactly what its owners wrote, all domains are
 * gone, and the module holds no data page and no table page.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mshare.h"
#include "mshare_util.h"
#include "kselftest_harness.h"

#define WORDS		(PAGE / 8)

#define DURATION_S	20
#define STABLE_SIZE	(16 * MiB)
#define STABLE_PAGES	(STABLE_SIZE / PAGE)
#define OWNED_PAGES	(STABLE_PAGES / 2)	/* then the scratch pages */
#define OWNERS		3
#define OWNER_THREADS	2
#define SLOTS		(OWNERS * OWNER_THREADS)
#define CHURN_SLOTS	4
#define CHURN_SIZE	(8 * MiB)
#define CHURNERS	2			/* churn attacher processes */
#define CHURN_THREADS	2
#define MAX_ERRLOG	8

#define EXIT_ENOENT	10	/* exec worker: the name was gone */

struct shared {
	volatile int stop;
	int lock;				/* guards name[] */
	char name[CHURN_SLOTS][MSHARE_NAME_MAX];
	char stable[MSHARE_NAME_MAX];
	char prefix[24];			/* "stress-<pid>-" */
	unsigned long errors;
	char errlog[MAX_ERRLOG][200];
	/* what happened, for the log */
	unsigned long attaches, enoents, rewrites, remaps, forks, kills,
		      execs, destroys, creates, same_name;
	uint32_t version[OWNED_PAGES];		/* last complete rewrite */
	pid_t workers[1 + OWNERS + CHURNERS];	/* 0 once reaped */
};

static struct shared *sh;

static void report(const char *fmt, ...)
{
	unsigned long i = __atomic_fetch_add(&sh->errors, 1, __ATOMIC_SEQ_CST);
	char buf[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "# stress: pid %d: %s\n", (int)getpid(), buf);
	if (i < MAX_ERRLOG)
		memcpy(sh->errlog[i], buf, sizeof(buf));
}

#define COUNT(field) __atomic_fetch_add(&sh->field, 1, __ATOMIC_RELAXED)

static void lock(void)
{
	while (__atomic_test_and_set(&sh->lock, __ATOMIC_ACQUIRE))
		sched_yield();
}

static void unlock(void)
{
	__atomic_clear(&sh->lock, __ATOMIC_RELEASE);
}

/* --- random numbers and self-checking words ------------------------------ */

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static uint64_t seed(void)
{
	struct timespec ts;
	uint64_t s;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	s = ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
	    ((uint64_t)getpid() << 16) ^ (uint64_t)pthread_self();
	return s ? s : 0x1234567;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t tag_of(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*name)
		h = (h ^ (unsigned char)*name++) * 0x100000001b3ULL;
	return h;
}

static uint64_t word(uint64_t tag, size_t pg, size_t i, uint32_t v)
{
	uint64_t h = mix(tag ^ mix(pg * WORDS + i) ^ ((uint64_t)v << 40));

	return ((uint64_t)v << 32) | (uint32_t)h;
}

/* Every word is zero (never written) or a valid word of page @pg. */
static int page_valid(const void *p, uint64_t tag, size_t pg)
{
	const volatile uint64_t *w = p;
	size_t i;

	for (i = 0; i < WORDS; i++) {
		uint64_t x = w[i];

		if (x && x != word(tag, pg, i, x >> 32))
			return 0;
	}
	return 1;
}

/* Every word is version @v of page @pg (v == 0: all zero). */
static int page_is(const void *p, uint64_t tag, size_t pg, uint32_t v)
{
	const volatile uint64_t *w = p;
	size_t i;

	for (i = 0; i < WORDS; i++)
		if (w[i] != (v ? word(tag, pg, i, v) : 0))
			return 0;
	return 1;
}

static void page_write(void *p, uint64_t tag, size_t pg, uint32_t v)
{
	volatile uint64_t *w = p;
	size_t i;

	for (i = 0; i < WORDS; i++)
		w[i] = word(tag, pg, i, v);
}

/* Write a few words of page @pg with random versions. */
static void page_scribble(void *p, uint64_t tag, size_t pg, uint64_t *rs)
{
	volatile uint64_t *w = p;
	int k;

	for (k = 0; k < 8; k++) {
		size_t i = rnd(rs) % WORDS;
		uint32_t v = (uint32_t)rnd(rs) | 1;

		w[i] = word(tag, pg, i, v);
	}
}

/*
 * Touch @n random pages of a mapping of domain @name: check each, and
 * scribble on it if @write_from <= page.  0, or -1 after reporting.
 */
static int touch(void *base, size_t size, const char *name, size_t write_from,
		 int n, uint64_t *rs)
{
	uint64_t tag = tag_of(name);
	int k;

	for (k = 0; k < n; k++) {
		size_t pg = rnd(rs) % (size / PAGE);
		char *p = (char *)base + pg * PAGE;

		if (!page_valid(p, tag, pg)) {
			report("%s: page %zu holds foreign data", name, pg);
			return -1;
		}
		if (pg >= write_from)
			page_scribble(p, tag, pg, rs);
	}
	return 0;
}

/* --- exec'd worker -------------------------------------------------------- */

/* argv: --stress-exec NAME stable|churn */
static int exec_worker(char **argv)
{
	const char *name = argv[2];
	int stable = !strcmp(argv[3], "stable");
	uint64_t rs = seed(), tag = tag_of(name);
	size_t size, pg;
	void *p;
	int err, k;

	err = attach_dom(name, 0, &p, &size);
	if (err == -ENOENT && !stable)
		return EXIT_ENOENT;
	if (err) {
		fprintf(stderr, "# stress exec worker: attach %s: %s\n", name,
			strerror(-err));
		return 1;
	}
	for (k = 0; k < 64; k++) {
		pg = rnd(&rs) % (size / PAGE);
		if (!page_valid((char *)p + pg * PAGE, tag, pg)) {
			fprintf(stderr, "# stress exec worker: %s: page %zu holds foreign data\n",
				name, pg);
			return 1;
		}
		if (!stable || pg >= OWNED_PAGES)
			page_scribble((char *)p + pg * PAGE, tag, pg, &rs);
	}
	return munmap(p, size) ? 1 : 0;
}

static void exec_self(const char *name, const char *kind)
{
	char *argv[] = { "stress_test", "--stress-exec", (char *)name,
			 (char *)kind, NULL };

	execv("/proc/self/exe", argv);
	_exit(2);
}

/* Wait for @pid; its status must be one that @ok accepts. */
static void reap(pid_t pid, const char *what, int may_be_killed, int may_enoent)
{
	int status;

	if (waitpid(pid, &status, 0) != pid) {
		report("%s: waitpid: %s", what, strerror(errno));
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_ENOENT && may_enoent) {
		COUNT(enoents);
		return;
	}
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && may_be_killed)
		return;
	report("%s: child %d ended with status %#x", what, (int)pid, status);
}

/* --- owners of the stable domain ------------------------------------------ */

struct owner {
	pthread_rwlock_t map_lock;	/* write: remapping */
	void *base;
	int idx;
};

struct owner_thread {
	struct owner *o;
	int slot;
	pthread_t tid;
};

static int remap(struct owner *o, uint64_t *rs)
{
	size_t size, half = STABLE_SIZE / 2;
	void *p;
	int err;

	/* Attach again first, so the new mapping lands elsewhere. */
	err = attach_dom(sh->stable, 0, &p, &size);
	if (err) {
		report("remap: attach %s: %s", sh->stable, strerror(-err));
		return -1;
	}
	COUNT(attaches);
	/* Unmap the old one in two pieces, split at a 2 MiB boundary. */
	if (rnd(rs) & 1) {
		if (munmap((char *)o->base + half, half) || munmap(o->base, half)) {
			report("remap: munmap halves: %s", strerror(errno));
			return -1;
		}
	} else if (munmap(o->base, STABLE_SIZE)) {
		report("remap: munmap: %s", strerror(errno));
		return -1;
	}
	o->base = p;
	COUNT(remaps);
	return 0;
}

static void owner_child(void *base, uint64_t *rs)
{
	if (touch(base, STABLE_SIZE, sh->stable, OWNED_PAGES, 64, rs))
		_exit(1);
	if (rnd(rs) % 3 == 0)
		exec_self(sh->stable, "stable");
	_exit(0);
}

static void *owner_thread(void *arg)
{
	struct owner_thread *t = arg;
	struct owner *o = t->o;
	uint64_t rs = seed() ^ t->slot, tag = tag_of(sh->stable);
	unsigned long iter;

	for (iter = 0; !sh->stop; iter++) {
		size_t pg = (rnd(&rs) % (OWNED_PAGES / SLOTS)) * SLOTS + t->slot;
		uint32_t v = __atomic_load_n(&sh->version[pg], __ATOMIC_ACQUIRE);
		char *p;

		if (t->slot % OWNER_THREADS == 0 && iter % 64 == 63) {
			pthread_rwlock_wrlock(&o->map_lock);
			if (remap(o, &rs)) {
				pthread_rwlock_unlock(&o->map_lock);
				break;
			}
			pthread_rwlock_unlock(&o->map_lock);
			continue;
		}

		pthread_rwlock_rdlock(&o->map_lock);
		p = (char *)o->base + pg * PAGE;
		if (!page_is(p, tag, pg, v)) {
			report("stable page %zu lost version %u", pg, v);
			pthread_rwlock_unlock(&o->map_lock);
			break;
		}
		page_write(p, tag, pg, v + 1);
		__atomic_store_n(&sh->version[pg], v + 1, __ATOMIC_RELEASE);
		COUNT(rewrites);
		if (touch(o->base, STABLE_SIZE, sh->stable, OWNED_PAGES, 2, &rs)) {
			pthread_rwlock_unlock(&o->map_lock);
			break;
		}
		if (t->slot % OWNER_THREADS == 1 && iter % 32 == 31) {
			pid_t pid = fork();

			if (pid == 0)
				owner_child(o->base, &rs);
			pthread_rwlock_unlock(&o->map_lock);
			if (pid < 0) {
				report("owner fork: %s", strerror(errno));
				break;
			}
			COUNT(forks);
			reap(pid, "owner child", 0, 0);
			continue;
		}
		pthread_rwlock_unlock(&o->map_lock);
	}
	return NULL;
}

static void owner(int idx)
{
	struct owner_thread t[OWNER_THREADS];
	struct owner o = { .idx = idx };
	size_t size;
	int i, err;

	pthread_rwlock_init(&o.map_lock, NULL);
	err = attach_dom(sh->stable, 0, &o.base, &size);
	if (err) {
		report("owner: attach %s: %s", sh->stable, strerror(-err));
		_exit(1);
	}
	COUNT(attaches);
	for (i = 0; i < OWNER_THREADS; i++) {
		t[i].o = &o;
		t[i].slot = idx * OWNER_THREADS + i;
		if (pthread_create(&t[i].tid, NULL, owner_thread, &t[i])) {
			report("owner: pthread_create failed");
			_exit(1);
		}
	}
	for (i = 0; i < OWNER_THREADS; i++)
		pthread_join(t[i].tid, NULL);
	munmap(o.base, STABLE_SIZE);
	_exit(0);
}

/* --- the churner: destroys and recreates domains -------------------------- */

static int churn_create(struct mshare_nl *nl, const char *name, uint64_t *rs)
{
	int err = create_domain(nl, name, CHURN_SIZE,
				rnd(rs) % 4 == 0 ? MSHARE_DOMAIN_F_PREFAULT : 0, NULL);

	if (err)
		report("create %s: %s (%s)", name, strerror(-err), mshare_nl_extack(nl));
	else
		COUNT(creates);
	return err;
}

static void churner(void)
{
	char names[CHURN_SLOTS][MSHARE_NAME_MAX];
	unsigned int gen = 0;
	struct mshare_nl *nl;
	uint64_t rs = seed();
	int i, err, rc = 0;

	err = nl_open(&nl);
	if (err) {
		report("churner: nl open: %s", strerror(-err));
		_exit(1);
	}
	for (i = 0; i < CHURN_SLOTS; i++) {
		snprintf(names[i], MSHARE_NAME_MAX, "%sc%u", sh->prefix, gen++);
		if (churn_create(nl, names[i], &rs))
			_exit(1);
		lock();
		strcpy(sh->name[i], names[i]);
		unlock();
	}
	while (!sh->stop) {
		usleep(2000 + rnd(&rs) % 30000);
		i = rnd(&rs) % CHURN_SLOTS;
		err = mshare_domain_destroy(nl, names[i]);
		if (err) {
			report("destroy %s: %s (%s)", names[i], strerror(-err), mshare_nl_extack(nl));
			rc = 1;
			break;
		}
		COUNT(destroys);
		if (rnd(&rs) & 1) {
			COUNT(same_name);
		} else {
			snprintf(names[i], MSHARE_NAME_MAX, "%sc%u", sh->prefix, gen++);
			lock();
			strcpy(sh->name[i], names[i]);
			unlock();
		}
		if (churn_create(nl, names[i], &rs)) {
			rc = 1;
			break;
		}
	}
	for (i = 0; i < CHURN_SLOTS; i++) {
		err = mshare_domain_destroy(nl, names[i]);
		if (err && !(rc && err == -ENOENT)) {
			report("final destroy %s: %s", names[i], strerror(-err));
			rc = 1;
		}
	}
	mshare_nl_close(nl);
	_exit(rc);
}

/* --- churn attachers ------------------------------------------------------ */

/* A child that faults pages in a loop until it is killed. */
static void fault_forever(void *base, size_t size, const char *name)
{
	uint64_t tag = tag_of(name), rs = seed();
	size_t pg = rnd(&rs) % (size / PAGE);
	unsigned long n;

	for (n = 0; n < (1UL << 24) && !sh->stop; n++) {
		page_scribble((char *)base + pg * PAGE, tag, pg, &rs);
		pg = (pg + 1) % (size / PAGE);
	}
	_exit(0);
}

static void *churn_thread(void *arg)
{
	uint64_t rs = seed() ^ (uintptr_t)arg;
	char name[MSHARE_NAME_MAX];
	size_t size;
	pid_t pid;
	void *p;
	int err, k, rounds;

	while (!sh->stop) {
		lock();
		strcpy(name, sh->name[rnd(&rs) % CHURN_SLOTS]);
		unlock();
		err = attach_dom(name, 0, &p, &size);
		if (err == -ENOENT) {
			COUNT(enoents);
			usleep(500);
			continue;
		}
		if (err) {
			report("attach %s: %s", name, strerror(-err));
			break;
		}
		COUNT(attaches);
		if (size != CHURN_SIZE) {
			report("attach %s: size %zu", name, size);
			break;
		}

		/* Touch it for a while: it may be destroyed meanwhile. */
		rounds = 1 + rnd(&rs) % 8;
		for (k = 0; k < rounds && !sh->stop; k++) {
			if (touch(p, size, name, 0, 16, &rs))
				goto out;
			switch (rnd(&rs) % 8) {
			case 0:		/* a child that touches and exits */
				pid = fork();
				if (pid == 0)
					_exit(touch(p, size, name, 0, 32, &rs) ? 1 : 0);
				if (pid < 0)
					goto fork_failed;
				COUNT(forks);
				reap(pid, "touching child", 0, 0);
				break;
			case 1:		/* a child killed mid-fault */
				pid = fork();
				if (pid == 0)
					fault_forever(p, size, name);
				if (pid < 0)
					goto fork_failed;
				COUNT(forks);
				usleep(rnd(&rs) % 10000);
				kill(pid, SIGKILL);
				COUNT(kills);
				reap(pid, "killed child", 1, 0);
				break;
			case 2:		/* a child that execs and attaches again */
				pid = fork();
				if (pid == 0) {
					if (touch(p, size, name, 0, 8, &rs))
						_exit(1);
					exec_self(name, "churn");
				}
				if (pid < 0)
					goto fork_failed;
				COUNT(execs);
				reap(pid, "exec child", 0, 1);
				break;
			case 3:		/* drop a 2 MiB piece, keep the rest */
				if (size <= 2 * MiB)
					break;
				if (munmap((char *)p + size - 2 * MiB, 2 * MiB)) {
					report("munmap tail of %s: %s", name, strerror(errno));
					goto out;
				}
				size -= 2 * MiB;
				break;
			default:
				break;
			}
		}
		if (munmap(p, size))
			report("munmap %s: %s", name, strerror(errno));
	}
	return NULL;

fork_failed:
	report("fork: %s", strerror(errno));
out:
	munmap(p, size);
	return NULL;
}

static void churn_attacher(int idx)
{
	pthread_t tid[CHURN_THREADS];
	int i;

	for (i = 0; i < CHURN_THREADS; i++)
		if (pthread_create(&tid[i], NULL, churn_thread,
				   (void *)(uintptr_t)(idx * CHURN_THREADS + i))) {
			report("churn attacher: pthread_create failed");
			_exit(1);
		}
	for (i = 0; i < CHURN_THREADS; i++)
		pthread_join(tid[i], NULL);
	_exit(0);
}

/* --- the test ------------------------------------------------------------- */

struct prefix_count {
	const char *prefix;
	int n;
};

static void count_prefix(const struct mshare_domain_info *d, void *arg)
{
	struct prefix_count *c = arg;

	if (!strncmp(d->name, c->prefix, strlen(c->prefix)))
		c->n++;
}

FIXTURE(stress) {
	struct mshare_nl *nl;
};

FIXTURE_SETUP(stress)
{
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	snprintf(sh->prefix, MSHARE_NAME_MAX, "stress-%d-", (int)getpid());
	snprintf(sh->stable, MSHARE_NAME_MAX, "%sstable", sh->prefix);
	ASSERT_EQ(0, nl_open(&self->nl));
}

/* After a failure, destroy what the test left (its processes are gone). */
FIXTURE_TEARDOWN(stress)
{
	struct leftovers l = { .prefix = sh->prefix };
	int i;

	sh->stop = 1;
	for (i = 0; i < 1 + OWNERS + CHURNERS; i++)
		if (sh->workers[i] > 0) {
			kill(sh->workers[i], SIGKILL);
			waitpid(sh->workers[i], NULL, 0);
		}

	if (find_leftovers(self->nl, &l) >= 0)
		for (i = 0; i < l.n; i++) {
			TH_LOG("destroying leftover domain %s", l.names[i]);
			mshare_domain_destroy(self->nl, l.names[i]);
		}
	mshare_nl_close(self->nl);
	munmap(sh, sizeof(*sh));
}

TEST_F_TIMEOUT(stress, concurrent_chaos_keeps_data_and_leaks_nothing, 60)
{
	pid_t *pids = sh->workers, pid;	/* shared: store in the parent only */
	struct mshare_module_info m = MSHARE_INIT(m);
	struct prefix_count pc;
	const char *env = getenv("MSHARE_STRESS_SECS");
	int secs = env ? atoi(env) : DURATION_S;
	int i, n = 0, status, bad = 0;
	uint64_t tag;
	size_t size, pg;
	void *p;

	ASSERT_EQ(0, mshare_domain_create(self->nl, sh->stable, STABLE_SIZE,
					  NULL, NULL));

	pid = flush_fork();
	if (pid == 0)
		churner();
	ASSERT_GT(pid, 0);
	pids[n++] = pid;
	/* Let the churner publish its first names. */
	for (i = 0; i < 500 && !sh->name[CHURN_SLOTS - 1][0]; i++)
		usleep(10000);
	ASSERT_NE(0, sh->name[CHURN_SLOTS - 1][0]);
	for (i = 0; i < OWNERS; i++) {
		pid = fork();
		if (pid == 0)
			owner(i);
		ASSERT_GT(pid, 0);
		pids[n++] = pid;
	}
	for (i = 0; i < CHURNERS; i++) {
		pid = fork();
		if (pid == 0)
			churn_attacher(i);
		ASSERT_GT(pid, 0);
		pids[n++] = pid;
	}

	sleep(secs > 0 ? secs : DURATION_S);
	sh->stop = 1;
	for (i = 0; i < n; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		pids[i] = 0;
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			TH_LOG("worker %d (%s) ended with status %#x", i,
			       i == 0 ? "churner" : i <= OWNERS ? "owner" :
			       "churn attacher", status);
		}
	}

	TH_LOG("%lu attaches, %lu ENOENT, %lu rewrites, %lu remaps, %lu forks, "
	       "%lu kills, %lu execs, %lu destroys (%lu same name), %lu creates",
	       sh->attaches, sh->enoents, sh->rewrites, sh->remaps, sh->forks,
	       sh->kills, sh->execs, sh->destroys, sh->same_name, sh->creates);
	EXPECT_EQ(0, sh->errors) {
		for (i = 0; i < MAX_ERRLOG && i < (int)sh->errors; i++)
			TH_LOG("error: %s", sh->errlog[i]);
	}
	/* It was chaos: every kind of event happened. */
	EXPECT_GT(sh->destroys, 0);
	EXPECT_GT(sh->same_name, 0);
	EXPECT_GT(sh->kills, 0);
	EXPECT_GT(sh->execs, 0);
	EXPECT_GT(sh->remaps, 0);

	/* The stable domain holds exactly what its owners last wrote. */
	ASSERT_EQ(0, attach_dom(sh->stable, 0, &p, &size));
	ASSERT_EQ(STABLE_SIZE, size);
	tag = tag_of(sh->stable);
	for (pg = 0; pg < STABLE_PAGES; pg++) {
		char *q = (char *)p + pg * PAGE;
		int ok = pg < OWNED_PAGES ? page_is(q, tag, pg, sh->version[pg]) :
					    page_valid(q, tag, pg);

		if (!ok && bad++ < 5)
			TH_LOG("stable page %zu: bad data (version %u)", pg,
			       pg < OWNED_PAGES ? sh->version[pg] : 0);
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, munmap(p, size));
	EXPECT_EQ(0, mshare_domain_destroy(self->nl, sh->stable));

	/* All domains are gone and the module holds nothing. */
	pc.prefix = sh->prefix;
	pc.n = 0;
	EXPECT_LE(0, mshare_domain_dump(self->nl, count_prefix, &pc));
	EXPECT_EQ(0, pc.n);
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(0, mshare_module_info(self->nl, &m));
		if (!m.domains && !m.data_pages && !m.table_pages)
			break;
		usleep(10000);
	}
	EXPECT_EQ(0, m.domains);
	EXPECT_EQ(0, m.data_pages);
	EXPECT_EQ(0, m.table_pages);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--stress-exec"))
		return exec_worker(argv);
	return test_harness_run(argc, argv);
}
