// SPDX-License-Identifier: GPL-2.0
/*
 * Signals never break fork or mmap.  Registering an mm's first mmu
 * notifier takes mm_take_all_locks(), which gives up with -EINTR on any
 * pending signal; it used to run in fork (leaving the child's domain
 * mapping unlinkable: SIGBUS) and in the first mmap (ENOMEM).  Here a
 * process with 3,000 VMAs (so that taking all its locks takes a while)
 * forks 100 children and 100 children map a domain for the first time,
 * while a flooder sends SIGUSR1 to each of them as fast as it can; every
 * child must touch the whole domain and find the data, and every mmap must
 * work.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mshare.h"
#include "mshare_nl.h"
#include "mshare_util.h"

#define DOM_SIZE	(8 * MiB)
#define NR_VMAS		3000
#define ROUNDS		100

/* Shared with the flooder: whom to flood (0: nobody), and when to stop. */
struct flood {
	_Atomic pid_t target[2];
	_Atomic int stop;
	_Atomic unsigned long sent;
};

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	got++;
}

static void flooder(struct flood *fl)
{
	signal(SIGUSR1, SIG_IGN);
	while (!atomic_load(&fl->stop)) {
		int i;

		for (i = 0; i < 2; i++) {
			pid_t t = atomic_load(&fl->target[i]);

			if (t > 0 && !kill(t, SIGUSR1))
				atomic_fetch_add(&fl->sent, 1);
		}
	}
	_exit(0);
}

/* NR_VMAS anonymous mappings that cannot merge (alternating protection). */
static int make_vmas(void)
{
	char *area = mmap(NULL, NR_VMAS * PAGE, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	if (area == MAP_FAILED)
		return -1;
	for (i = 0; i < NR_VMAS; i += 2)
		if (mprotect(area + i * PAGE, PAGE, PROT_READ | PROT_WRITE))
			return -1;
	return 0;
}

FIXTURE(sig)
{
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	struct flood *fl;
	pid_t flooder;
};

FIXTURE_SETUP(sig)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "sig-%d", getpid());
	ASSERT_EQ(0, create_domain(self->nl, self->name, DOM_SIZE, 0, NULL));
	ASSERT_EQ(0, make_vmas());
	self->fl = mmap(NULL, sizeof(*self->fl), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->fl);
	self->flooder = fork();
	ASSERT_LE(0, self->flooder);
	if (self->flooder == 0)
		flooder(self->fl);
}

FIXTURE_TEARDOWN(sig)
{
	atomic_store(&self->fl->stop, 1);
	waitpid(self->flooder, NULL, 0);
	TH_LOG("%lu signals sent, %d handled by the parent",
	       atomic_load(&self->fl->sent), (int)got);
	mshare_domain_destroy(self->nl, self->name);
	mshare_nl_close(self->nl);
}

/* Touch every page of @p and check the pattern: 0 or the first bad page. */
static long check_all(const char *p, unsigned char want)
{
	uint64_t off;

	for (off = 0; off < DOM_SIZE; off += PAGE)
		if ((unsigned char)p[off] != want)
			return off / PAGE + 1;
	return 0;
}

TEST_F_TIMEOUT(sig, forks_under_a_signal_flood_give_children_the_domain, 600)
{
	int failed = 0, i, status;
	uint64_t off;
	size_t size;
	char *p;

	ASSERT_EQ(0, attach_dom(self->name, 0, (void **)&p, &size));
	for (off = 0; off < DOM_SIZE; off += PAGE)
		p[off] = 0x3c;
	atomic_store(&self->fl->target[0], getpid());
	for (i = 0; i < ROUNDS; i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(check_all(p, 0x3c) ? 1 : 0);
		atomic_store(&self->fl->target[1], pid);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		atomic_store(&self->fl->target[1], 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			failed++;
			TH_LOG("fork %d: child %s %d", i,
			       WIFSIGNALED(status) ? "killed by signal" : "exited",
			       WIFSIGNALED(status) ? WTERMSIG(status) :
						     WEXITSTATUS(status));
		}
	}
	atomic_store(&self->fl->target[0], 0);
	EXPECT_EQ(0, failed);
	EXPECT_LT(ROUNDS, atomic_load(&self->fl->sent));
	munmap(p, size);
}

TEST_F_TIMEOUT(sig, first_mmaps_under_a_signal_flood_work, 600)
{
	int failed = 0, i, status;

	for (i = 0; i < ROUNDS; i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0) {
			size_t size;
			char *p;
			int err;

			/* Wait until the flood is on us. */
			while (!got)
				usleep(100);
			err = attach_dom(self->name, 0, (void **)&p, &size);
			if (err)
				_exit(100 - err);
			p[0] = 1;
			_exit(0);
		}
		atomic_store(&self->fl->target[1], pid);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		atomic_store(&self->fl->target[1], 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			failed++;
			if (WIFEXITED(status) && WEXITSTATUS(status) > 100)
				TH_LOG("child %d: attach/mmap failed: %s", i,
				       strerror(WEXITSTATUS(status) - 100));
			else
				TH_LOG("child %d: status %#x", i, status);
		}
	}
	EXPECT_EQ(0, failed);
}

TEST_HARNESS_MAIN
