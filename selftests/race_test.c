// SPDX-License-Identifier: GPL-2.0
/*
 * No deadlock between fork, a fault waiting on a migration, and that
 * migration.  A process forks in a loop (each child touches the domain and
 * exits) while another of its threads writes the domain and so keeps
 * faulting on pages a migration has in flight, and another process
 * migrates the domain back and forth between the nodes, whole (pages and
 * tables) and by ranges.  The old registration in fork took every VMA
 * lock of the half-copied child (the parent's, that the waiting thread
 * held) under the global lock the migration needed: this hung.  It must
 * run for RACE_SECONDS (default 60; $MSHARE_RACE_SECONDS) without a hang,
 * and the writer's data must be intact at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mshare.h"
#include "mshare_nl.h"
#include "mshare_util.h"

#define DOM_SIZE	(32 * MiB)
#define NPAGES		(DOM_SIZE / PAGE)

struct race {
	char name[MSHARE_NAME_MAX];
	uint64_t *p;
	_Atomic int stop;
	_Atomic unsigned long writes, forks, fork_failures;
	uint64_t gen;			/* the writer's last full pass */
};

static int numa_nodes(void)
{
	char p[64];
	int n = 0;

	while (snprintf(p, sizeof(p), "/sys/devices/system/node/node%d", n),
	       !access(p, F_OK))
		n++;
	return n;
}

static uint64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* One writer: pass after pass, each page's first word = the pass number. */
static void *writer(void *arg)
{
	struct race *r = arg;
	uint64_t gen = 0, i;

	while (!atomic_load(&r->stop)) {
		gen++;
		for (i = 0; i < NPAGES; i++)
			r->p[i * (PAGE / 8)] = gen;
		r->gen = gen;
		atomic_fetch_add(&r->writes, NPAGES);
	}
	return NULL;
}

static void *forker(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop)) {
		int status;
		pid_t pid = fork();

		if (pid < 0) {
			atomic_fetch_add(&r->fork_failures, 1);
			continue;
		}
		if (pid == 0) {
			volatile uint64_t sum = 0;
			uint64_t i;

			/* The child relinks and reads (every 16th page). */
			for (i = 0; i < NPAGES; i += 16)
				sum += r->p[i * (PAGE / 8)];
			_exit(0);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			atomic_fetch_add(&r->fork_failures, 1);
		atomic_fetch_add(&r->forks, 1);
	}
	return NULL;
}

/* The migrating process: whole-domain and range migrations, back and forth. */
static void migrator(const char *name, unsigned int seconds, int out)
{
	uint64_t end = now_s() + seconds;
	unsigned long whole = 0, ranges = 0, errors = 0;
	struct mshare_nl *nl;
	int node = 1;

	if (nl_open(&nl))
		_exit(1);
	while (now_s() < end) {
		int ret;

		if ((whole + ranges) % 3 == 0) {
			ret = mshare_domain_migrate(nl, name, node, 0, 0, NULL);
			whole++;
		} else {
			uint64_t off = ((whole + ranges) * 6 * MiB) %
				       (DOM_SIZE - 8 * MiB);

			ret = mshare_domain_migrate(nl, name, node, off,
						    8 * MiB, NULL);
			ranges++;
		}
		if (ret)
			errors++;
		node ^= 1;
	}
	dprintf(out, "%lu %lu %lu\n", whole, ranges, errors);
	_exit(0);
}

FIXTURE(race) {
};

FIXTURE_SETUP(race)
{
}

FIXTURE_TEARDOWN(race)
{
}

TEST_F_TIMEOUT(race, fork_faults_and_migrations_run_together_without_a_hang,
	       900)
{
	const char *env = getenv("MSHARE_RACE_SECONDS");
	unsigned int seconds = env ? atoi(env) : 60;
	unsigned long whole = 0, ranges = 0, errors = 0;
	struct mshare_nl *nl;
	pthread_t tw, tf;
	struct race *r;
	char buf[128];
	int pfd[2], status, n;
	uint64_t i, bad = 0;
	size_t size;
	pid_t mig;

	if (numa_nodes() < 2)
		SKIP(return, "needs two NUMA nodes");
	r = calloc(1, sizeof(*r));
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, nl_open(&nl));
	snprintf(r->name, sizeof(r->name), "race-%d", getpid());
	ASSERT_EQ(0, create_domain(nl, r->name, DOM_SIZE, 0, NULL));
	ASSERT_EQ(0, attach_dom(r->name, 0, (void **)&r->p, &size));

	ASSERT_EQ(0, pipe(pfd));
	mig = fork();
	ASSERT_LE(0, mig);
	if (mig == 0) {
		close(pfd[0]);
		migrator(r->name, seconds, pfd[1]);
	}
	close(pfd[1]);
	ASSERT_EQ(0, pthread_create(&tw, NULL, writer, r));
	ASSERT_EQ(0, pthread_create(&tf, NULL, forker, r));

	n = read(pfd[0], buf, sizeof(buf) - 1);
	ASSERT_LT(0, n);
	buf[n] = 0;
	sscanf(buf, "%lu %lu %lu", &whole, &ranges, &errors);
	ASSERT_EQ(mig, waitpid(mig, &status, 0));
	EXPECT_EQ(0, status);
	atomic_store(&r->stop, 1);
	pthread_join(tw, NULL);
	pthread_join(tf, NULL);

	TH_LOG("%u s: %lu whole and %lu range migrations (%lu failed), %lu forks (%lu failed), %lu page writes",
	       seconds, whole, ranges, errors, atomic_load(&r->forks),
	       atomic_load(&r->fork_failures), atomic_load(&r->writes));
	EXPECT_EQ(0, errors);
	EXPECT_EQ(0, atomic_load(&r->fork_failures));
	EXPECT_LT(0, whole);
	EXPECT_LT(0, atomic_load(&r->forks));
	/*
	 * No write lost: every page holds the last full pass, or (a prefix of
	 * them) the pass the writer was in when it stopped.
	 */
	for (i = 0; i < NPAGES; i++) {
		uint64_t v = r->p[i * (PAGE / 8)];

		if (v == r->gen + 1 && (i == 0 || r->p[(i - 1) * (PAGE / 8)] ==
					r->gen + 1))
			continue;
		bad += v != r->gen;
	}
	EXPECT_EQ(0, bad);

	munmap(r->p, size);
	EXPECT_EQ(0, mshare_domain_destroy(nl, r->name));
	mshare_nl_close(nl);
	free(r);
}

/*
 * A fork that dies inside dup_mmap() (the forking process is SIGKILLed)
 * leaves a child mm whose VMA tree is half copied: an XA_ZERO_ENTRY marks
 * where the copy stopped and the parent's VMAs follow.  The child's copy
 * of the domain VMA was opened, so the child is on the domain's list of
 * mms; a whole-domain migration (which waits for every attached mm's
 * walkers) must not walk that tree.  Processes with 3,000 VMAs above a
 * domain mapping fork in a loop and are killed at random while the domain
 * migrates back and forth.  Found by the soak tier; this crashed.
 */
#define KILL_SECONDS	20

static void killed_forker(const char *name)
{
	struct mshare_info info;
	char *p, *v;
	int fd = open_dev(), i;

	if (fd < 0 || attach_fd(fd, name) || ioctl(fd, MSHARE_IOC_INFO, &info))
		_exit(1);
	/* Low, so that dup_mmap() copies it before the many VMAs above. */
	p = mmap((void *)(1UL << 30), info.size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED)
		_exit(2);
	memset(p, 1, PAGE);
	v = mmap(NULL, 3000 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v == MAP_FAILED)
		_exit(3);
	for (i = 0; i < 3000; i++) {
		v[i * PAGE] = 1;
		if (i & 1)
			mprotect(v + i * PAGE, PAGE, PROT_READ);
	}
	for (;;) {
		pid_t c = fork();

		if (c == 0)
			_exit(0);
		if (c > 0)
			waitpid(c, NULL, 0);
	}
}

TEST_F_TIMEOUT(race, forks_killed_mid_copy_while_the_domain_moves, 300)
{
	uint64_t end = now_s() + KILL_SECONDS;
	pid_t f[4] = { 0 }, mig;
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	int i, kills = 0;

	if (numa_nodes() < 2)
		SKIP(return, "needs two NUMA nodes");
	ASSERT_EQ(0, nl_open(&nl));
	snprintf(name, sizeof(name), "race-kill-%d", getpid());
	ASSERT_EQ(0, create_domain(nl, name, 32 * MiB, 0, NULL));
	mig = fork();
	ASSERT_LE(0, mig);
	if (mig == 0) {
		struct mshare_nl *mnl;	/* its own socket: it is killed mid-request */
		unsigned int k;

		if (nl_open(&mnl))
			_exit(1);
		for (k = 0;; k++)
			mshare_domain_migrate(mnl, name, k & 1, 0, 0, NULL);
	}
	srand(getpid());
	while (now_s() < end) {
		for (i = 0; i < 4; i++) {
			if (f[i] > 0 && waitpid(f[i], NULL, WNOHANG) == 0)
				continue;
			f[i] = fork();
			ASSERT_LE(0, f[i]);
			if (f[i] == 0)
				killed_forker(name);
		}
		usleep(20000 + rand() % 200000);
		kill(f[rand() % 4], SIGKILL);
		kills++;
	}
	kill(mig, SIGKILL);
	for (i = 0; i < 4; i++)
		kill(f[i], SIGKILL);
	while (wait(NULL) > 0)
		;
	TH_LOG("%d forking processes killed in %d s", kills, KILL_SECONDS);
	EXPECT_LT(10, kills);
	EXPECT_EQ(0, mshare_domain_destroy(nl, name));
	mshare_nl_close(nl);
}

/*
 * clear_refs (soft-dirty, type 4) takes the mmap lock for writing, starts
 * an invalidation over the whole mm, then write-locks each VMA it walks.
 * A link fault running under the per-VMA lock alone waited for that
 * invalidation to end (mmu_interval_read_begin()) while holding the lock
 * the walk waits for: both hung (the soak found it).  One thread maps,
 * touches (a PMD link per 2 MiB, under the per-VMA lock) and unmaps a
 * domain in a loop, another writes clear_refs in a loop, for
 * RACE_SECONDS/3 seconds; both must keep going and the data must hold.
 */
struct refs_race {
	_Atomic int stop;
	_Atomic unsigned long clears;
	int err;
};

static void *refs_clearer(void *arg)
{
	struct refs_race *r = arg;
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		r->err = errno;
		return NULL;
	}
	while (!atomic_load(&r->stop)) {
		if (pwrite(fd, "4", 1, 0) != 1) {
			r->err = errno;
			break;
		}
		atomic_fetch_add(&r->clears, 1);
	}
	close(fd);
	return NULL;
}

TEST_F_TIMEOUT(race, clear_refs_and_link_faults_run_together_without_a_hang,
	       600)
{
	const char *env = getenv("MSHARE_RACE_SECONDS");
	unsigned int seconds = (env ? atoi(env) : 60) / 3 + 1;
	struct refs_race r = { 0 };
	unsigned long rounds = 0, off;
	char name[MSHARE_NAME_MAX];
	struct mshare_nl *nl;
	uint64_t end;
	pthread_t t;
	size_t size;
	char *p;

	ASSERT_EQ(0, nl_open(&nl));
	snprintf(name, sizeof(name), "race-refs-%d", getpid());
	ASSERT_EQ(0, create_domain(nl, name, DOM_SIZE, 0, NULL));
	ASSERT_EQ(0, pthread_create(&t, NULL, refs_clearer, &r));
	end = now_s() + seconds;
	while (now_s() < end) {
		ASSERT_EQ(0, attach_dom(name, 0, (void **)&p, &size));
		for (off = 0; off < size; off += 2 * MiB) {
			if (!rounds)
				p[off] = (char)(off / (2 * MiB) + 1);
			else
				ASSERT_EQ((char)(off / (2 * MiB) + 1), p[off]);
		}
		ASSERT_EQ(0, munmap(p, size));
		rounds++;
	}
	atomic_store(&r.stop, 1);
	pthread_join(t, NULL);
	EXPECT_EQ(0, r.err);
	TH_LOG("%lu map/touch/unmap rounds, %lu clear_refs writes in %u s",
	       rounds, atomic_load(&r.clears), seconds);
	EXPECT_LT(0, rounds);
	EXPECT_LT(0, atomic_load(&r.clears));
	EXPECT_EQ(0, mshare_domain_destroy(nl, name));
	mshare_nl_close(nl);
}

TEST_HARNESS_MAIN
