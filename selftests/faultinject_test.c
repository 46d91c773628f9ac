// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection (debug kernels; skipped where the kernel has none):
 * with failslab and fail_page_alloc armed for the workers of this test only
 * (task filter: /proc/self/make-it-fail, set around each operation),
 * creating, attaching, mapping and touching domains either works or fails
 * with a clean error, and once everything is released the module holds no
 * domain, data page or table page more than before.  kmemleak, checked at
 * the end of the run, and lifetime_test's free-memory check see the rest.
 *
 * Settings: probability 5 %, interval 1, no limit on the count, verbose 0
 * (an injected failure prints nothing), GFP_KERNEL allocations included
 * (ignore-gfp-wait N), all orders, highmem included.  Prefaulted domains
 * (odd rounds) need 1024 data pages and so almost always fail: that is the
 * prefault error path; plain ones mostly succeed and go on to attach and
 * fault under injection.
 *
 * An injected failure can also hit the netlink socket (a lost reply or
 * ACK leaves an error pending on it), so each round reopens the socket, with
 * injection off, before asking whether its domain exists.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mshare_util.h"
#include "kselftest_harness.h"

#define DBG		"/sys/kernel/debug/"
#define WORKERS		2
#define ROUNDS		150
#define DOMAIN_SIZE	(4UL << 20)

static int set_attr(const char *type, const char *attr, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), DBG "%s/%s", type, attr);
	return write_str(path, val);
}

static int arm(const char *prob)
{
	static const char *const types[] = { "failslab", "fail_page_alloc" };
	unsigned int i;
	int err = 0;

	for (i = 0; i < 2; i++) {
		err |= set_attr(types[i], "task-filter", "Y");
		err |= set_attr(types[i], "verbose", "0");
		err |= set_attr(types[i], "interval", "1");
		err |= set_attr(types[i], "times", "-1");
		err |= set_attr(types[i], "space", "0");
		err |= set_attr(types[i], "ignore-gfp-wait", "N");
		err |= set_attr(types[i], "probability", prob);
	}
	err |= set_attr("fail_page_alloc", "ignore-gfp-highmem", "N");
	err |= set_attr("fail_page_alloc", "min-order", "0");
	return err;
}

/* Turning injection off can itself meet an injected failure: insist. */
static void fail_on(int on)
{
	while (write_str("/proc/self/make-it-fail", on ? "1" : "0") && !on)
		;
}

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(bus_jmp, 1);
}

struct tally {
	int created, create_failed, attach_failed, sigbus, unexpected;
};

static int clean_nl_error(int err)
{
	/* libmshare answers -EIO when libnl itself could not send or read. */
	return err == -ENOMEM || err == -ENOBUFS || err == -EIO;
}

/* One round on *@nlp, which it reopens (NULL if that failed). */
static void one_round(struct mshare_nl **nlp, const char *name, int prefault,
		      struct tally *t)
{
	struct mshare_nl *nl = *nlp;
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;
	struct mshare_domain_info info = MSHARE_INIT(info);
	struct mshare_attach at = { 0 };
	volatile char *p = MAP_FAILED;
	unsigned long off;
	int err, fd;

	opts.flags = prefault ? MSHARE_DOMAIN_F_PREFAULT : 0;
	fail_on(1);
	err = mshare_domain_create(nl, name, DOMAIN_SIZE, &opts, NULL);
	fail_on(0);
	if (err && !clean_nl_error(err)) {
		fprintf(stderr, "create %s: %s\n", name, strerror(-err));
		t->unexpected++;
	}
	mshare_nl_close(nl);
	*nlp = nl = mshare_nl_open();
	if (!nl) {
		fprintf(stderr, "%s: cannot reopen the netlink socket\n", name);
		t->unexpected++;
		return;
	}
	/* A lost reply does not tell whether the domain exists: ask. */
	if (mshare_domain_get(nl, name, &info)) {
		t->create_failed++;
		return;
	}
	t->created++;

	strcpy(at.name, name);
	fail_on(1);
	fd = open("/dev/mshare", O_RDWR | O_CLOEXEC);
	if (fd >= 0 && !ioctl(fd, MSHARE_IOC_ATTACH, &at))
		p = mmap(NULL, DOMAIN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
	err = errno;
	fail_on(0);
	if (p == MAP_FAILED) {
		if (err != ENOMEM) {
			fprintf(stderr, "attach %s: %s\n", name, strerror(err));
			t->unexpected++;
		}
		t->attach_failed++;
	} else {
		fail_on(1);
		for (off = 0; off < DOMAIN_SIZE; off += 4096) {
			if (sigsetjmp(bus_jmp, 1)) {
				t->sigbus++;
				continue;
			}
			p[off] = (char)(off >> 12);
		}
		fail_on(0);
		for (off = 0; off < DOMAIN_SIZE; off += 4096) {
			if (sigsetjmp(bus_jmp, 1))
				continue;
			if (p[off] != (char)(off >> 12)) {
				fprintf(stderr, "%s: bad data at %#lx\n", name, off);
				t->unexpected++;
				break;
			}
		}
		munmap((void *)p, DOMAIN_SIZE);
	}
	if (fd >= 0)
		close(fd);
	err = mshare_domain_destroy(nl, name);
	if (err) {
		fprintf(stderr, "destroy %s: %s\n", name, strerror(-err));
		t->unexpected++;
	}
}

static int worker(int id)
{
	struct tally t = { 0 };
	struct mshare_nl *nl;
	char name[64];
	int i;

	signal(SIGBUS, on_sigbus);
	if (nl_open(&nl))
		return 2;
	for (i = 0; i < ROUNDS && nl; i++) {
		snprintf(name, sizeof(name), "fi-%d-%d-%d", getpid(), id, i);
		one_round(&nl, name, i & 1, &t);
	}
	mshare_nl_close(nl);
	printf("# worker %d: %d created, %d creates failed, %d attaches failed, %d SIGBUS, %d unexpected\n",
	       id, t.created, t.create_failed, t.attach_failed, t.sigbus,
	       t.unexpected);
	if (t.unexpected)
		return 1;
	/* The run must have met injected failures to prove anything. */
	return t.create_failed + t.attach_failed + t.sigbus ? 0 : 3;
}

FIXTURE(fi) {
	struct mshare_nl *nl;
};

FIXTURE_SETUP(fi)
{
}

FIXTURE_TEARDOWN(fi)
{
	arm("0");
}

TEST_F_TIMEOUT(fi, create_attach_and_faults_fail_cleanly_and_leak_nothing, 600)
{
	struct mshare_module_info before = MSHARE_INIT(before);
	struct mshare_module_info after = MSHARE_INIT(after);
	struct mshare_nl *nl;
	int i, status, failed = 0;
	pid_t pids[WORKERS];

	if (access(DBG "failslab/probability", W_OK) ||
	    access(DBG "fail_page_alloc/probability", W_OK) ||
	    access("/proc/self/make-it-fail", W_OK))
		SKIP(return, "this kernel has no fault injection");

	ASSERT_EQ(0, nl_open(&nl));
	ASSERT_EQ(0, mshare_module_info(nl, &before));
	ASSERT_EQ(0, arm("5"));

	for (i = 0; i < WORKERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(worker(i));
	}
	for (i = 0; i < WORKERS; i++) {
		if (pids[i] < 0 || waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			TH_LOG("worker %d: status %#x", i, status);
			failed++;
		}
	}
	arm("0");
	EXPECT_EQ(0, failed);

	ASSERT_EQ(0, mshare_module_info(nl, &after));
	EXPECT_EQ(before.domains, after.domains);
	EXPECT_EQ(before.data_pages, after.data_pages);
	EXPECT_EQ(before.table_pages, after.table_pages);
	mshare_nl_close(nl);
}

/*
 * Link bookkeeping under failing allocations: two threads fault the same
 * 2 MiB ranges (PMD links) with slab and page allocations failing for
 * them, while a third keeps unlinking everything (MADV_DONTNEED, an
 * invalidation).  A link whose record was lost (a failed store, or a
 * reservation another fault released) would stay counted after munmap and
 * let the kernel zap through it: after munmap the domain must count no
 * link, and the data must be whole.
 */
#define LINK_DOMAIN	(64UL << 20)
#define CHUNK		(2UL << 20)

struct link_race {
	volatile char *p;
	_Atomic int stop;
	_Atomic unsigned long faults, unlinks;
};

static void thread_fail_on(int on)
{
	while (write_str("/proc/thread-self/make-it-fail", on ? "1" : "0") && !on)
		;
}

static void *link_faulter(void *arg)
{
	struct link_race *r = arg;
	unsigned long off;

	thread_fail_on(1);
	while (!atomic_load(&r->stop)) {
		for (off = 0; off < LINK_DOMAIN; off += CHUNK)
			(void)r->p[off + 4096];
		atomic_fetch_add(&r->faults, LINK_DOMAIN / CHUNK);
	}
	thread_fail_on(0);
	return NULL;
}

static void *link_unlinker(void *arg)
{
	struct link_race *r = arg;

	while (!atomic_load(&r->stop)) {
		madvise((void *)r->p, LINK_DOMAIN, MADV_DONTNEED);
		atomic_fetch_add(&r->unlinks, 1);
	}
	return NULL;
}

static int link_worker(const char *name)
{
	struct link_race r = { 0 };
	struct mshare_domain_info d = MSHARE_INIT(d);
	struct mshare_attach at = { 0 };
	struct mshare_nl *nl;
	pthread_t t[3];
	unsigned long off;
	int fd, i, bad = 0;

	strcpy(at.name, name);
	fd = open("/dev/mshare", O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, MSHARE_IOC_ATTACH, &at))
		return 2;
	r.p = mmap(NULL, LINK_DOMAIN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r.p == MAP_FAILED)
		return 2;
	for (off = 0; off < LINK_DOMAIN; off += 4096)
		r.p[off] = (char)(off >> 12);

	pthread_create(&t[0], NULL, link_faulter, &r);
	pthread_create(&t[1], NULL, link_faulter, &r);
	pthread_create(&t[2], NULL, link_unlinker, &r);
	sleep(10);
	atomic_store(&r.stop, 1);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	printf("# %lu link faults, %lu unlink rounds\n",
	       atomic_load(&r.faults), atomic_load(&r.unlinks));

	for (off = 0; off < LINK_DOMAIN; off += 4096)
		bad += r.p[off] != (char)(off >> 12);
	munmap((void *)r.p, LINK_DOMAIN);
	close(fd);
	if (nl_open(&nl) || mshare_domain_get(nl, name, &d))
		return 2;
	mshare_nl_close(nl);
	printf("# after munmap: %u PMD and %u PUD links, %d bad pages\n",
	       d.links_pmd, d.links_pud, bad);
	return bad || d.links_pmd || d.links_pud ? 1 : 0;
}

TEST_F_TIMEOUT(fi, link_faults_under_failing_allocations_lose_no_link, 300)
{
	struct mshare_nl *nl;
	char name[64];
	int status;
	pid_t pid;

	if (access(DBG "failslab/probability", W_OK) ||
	    access(DBG "fail_page_alloc/probability", W_OK) ||
	    access("/proc/thread-self/make-it-fail", W_OK))
		SKIP(return, "this kernel has no fault injection");
	ASSERT_EQ(0, nl_open(&nl));
	snprintf(name, sizeof(name), "fi-link-%d", getpid());
	ASSERT_EQ(0, mshare_domain_create(nl, name, LINK_DOMAIN, NULL, NULL));
	ASSERT_EQ(0, arm("10"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(link_worker(name));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	arm("0");
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, mshare_domain_destroy(nl, name));
	mshare_nl_close(nl);
}

TEST_HARNESS_MAIN
