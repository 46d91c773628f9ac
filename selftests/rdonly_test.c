// SPDX-License-Identifier: GPL-2.0
/*
 * Read-only attachments (MSHARE_ATTACH_F_RDONLY): read permission is
 * enough, the mapping is PROT_READ and stays so (a write faults, mprotect
 * and discard are refused), it links to read-only tables of the domain's
 * that always show what the writable ones do (writes, discards,
 * migrations), at PUD level where a GiB is covered; and "#ID" attaches by
 * id, also to a domain whose name was deleted while it is held.  Every
 * case runs on a domain of 4 KiB pages and on one of 2 MiB leaves
 * (MSHARE_DOMAIN_F_HUGE), whose read-only PMD tables hold read-only
 * leaves, and which a PMD-level reader copies read-only.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mshare.h"
#include "mshare_nl.h"
#include "mshare_util.h"

#define DOM	(1 * GiB)

static sigjmp_buf segv_jmp;

static void on_segv(int sig)
{
	siglongjmp(segv_jmp, 1);
}

/* Attach @key with @flags and map it with @prot: the mapping or NULL. */
static char *map_key(const char *key, unsigned int flags, int prot, int *fd,
		     int *err)
{
	struct mshare_attach at;
	char *p;

	*fd = open_dev();
	attach_req(&at, key);
	at.flags = flags;
	if (*fd < 0 || ioctl(*fd, MSHARE_IOC_ATTACH, &at)) {
		*err = errno;
		return NULL;
	}
	p = mmap(NULL, DOM, prot, MAP_SHARED, *fd, 0);
	*err = p == MAP_FAILED ? errno : 0;
	return p == MAP_FAILED ? NULL : p;
}

FIXTURE(ro)
{
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	struct mshare_domain_info d;
	char *rw;
	int rwfd;
};

FIXTURE_VARIANT(ro)
{
	unsigned int flags;
	size_t unit;	/* what a discard takes at least */
};

FIXTURE_VARIANT_ADD(ro, pages)
{
	.flags = 0, .unit = PAGE,
};

FIXTURE_VARIANT_ADD(ro, huge)
{
	.flags = MSHARE_DOMAIN_F_HUGE, .unit = 2 * MiB,
};

FIXTURE_SETUP(ro)
{
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;
	int err;

	self->rw = NULL;
	self->rwfd = -1;
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "ro-%d", getpid());
	if (variant->flags && !thp_built())
		SKIP(return, "no 2 MiB leaves here (no THP)");
	opts.flags = variant->flags;
	opts.mode = 0644;
	self->d.size = sizeof(self->d);
	ASSERT_EQ(0, mshare_domain_create(self->nl, self->name, DOM, &opts,
					  &self->d));
	self->rw = map_key(self->name, 0, PROT_READ | PROT_WRITE, &self->rwfd,
			   &err);
	ASSERT_NE(NULL, self->rw);
}

FIXTURE_TEARDOWN(ro)
{
	if (self->rw)
		munmap(self->rw, DOM);
	if (self->rwfd >= 0)
		close(self->rwfd);
	mshare_domain_destroy(self->nl, self->name);
	mshare_nl_close(self->nl);
}

TEST_F(ro, read_permission_is_enough_and_write_permission_is_not_given)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd, err;

		/* "other" of a 0644 domain: r-- */
		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (map_key(self->name, 0, PROT_READ | PROT_WRITE, &fd, &err) ||
		    err != EACCES)
			_exit(11);
		close(fd);
		if (!map_key(self->name, MSHARE_ATTACH_F_RDONLY, PROT_READ,
			     &fd, &err))
			_exit(12);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(ro, the_mapping_reads_and_never_writes)
{
	struct mshare_discard d = { .offset = 0, .length = PAGE };
	volatile char *p;
	int fd, err, segv = 0;

	self->rw[5 * PAGE] = 42;
	/* PROT_WRITE on a read-only attachment: refused. */
	EXPECT_EQ(NULL, map_key(self->name, MSHARE_ATTACH_F_RDONLY,
				PROT_READ | PROT_WRITE, &fd, &err));
	EXPECT_EQ(EACCES, err);
	close(fd);
	p = map_key(self->name, MSHARE_ATTACH_F_RDONLY, PROT_READ, &fd, &err);
	ASSERT_NE(NULL, p) TH_LOG("%s", strerror(err));
	EXPECT_EQ(42, p[5 * PAGE]);
	EXPECT_EQ(0, p[6 * PAGE]);		/* filled on a read */
	signal(SIGSEGV, on_segv);
	if (sigsetjmp(segv_jmp, 1))
		segv = 1;
	else
		p[5 * PAGE] = 7;
	signal(SIGSEGV, SIG_DFL);
	EXPECT_EQ(1, segv);
	EXPECT_EQ(42, self->rw[5 * PAGE]);
	EXPECT_EQ(-1, mprotect((void *)p, DOM, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, ioctl(fd, MSHARE_IOC_DISCARD, &d));
	EXPECT_EQ(EACCES, errno);
	munmap((void *)p, DOM);
	close(fd);
}

/* In units of variant->unit: 4 KiB pages, or 2 MiB leaves. */
TEST_F(ro, it_sees_writes_discards_and_migrations_through_a_pud_link)
{
	const size_t U = variant->unit;
	struct mshare_discard d = { .offset = 0, .length = 2 * U };
	struct mshare_domain_info info = MSHARE_INIT(info);
	volatile char *p;
	int fd, err, ret;

	self->rw[0] = 1;
	self->rw[U] = 2;
	p = map_key(self->name, MSHARE_ATTACH_F_RDONLY, PROT_READ, &fd, &err);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(1, p[0]);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &info));
	TH_LOG("links: pud %u pmd %u", info.links_pud, info.links_pmd);
	/* The writer's link and the reader's, on whole GiBs where THP allows. */
	EXPECT_LE(1, info.links_pud + info.links_pmd);

	self->rw[2 * U] = 3;			/* a new page, after linking */
	EXPECT_EQ(3, p[2 * U]);
	self->rw[0] = 9;
	EXPECT_EQ(9, p[0]);
	ASSERT_EQ(0, ioctl(self->rwfd, MSHARE_IOC_DISCARD, &d));
	EXPECT_EQ(0, p[0]);
	EXPECT_EQ(0, p[U]);
	EXPECT_EQ(3, p[2 * U]);
	self->rw[0] = 5;
	EXPECT_EQ(5, p[0]);
	if (!access("/sys/devices/system/node/node1", F_OK)) {
		ret = mshare_domain_migrate(self->nl, self->name, 1, 0, 0, NULL);
		EXPECT_EQ(0, ret) TH_LOG("%s", mshare_nl_extack(self->nl));
		EXPECT_EQ(5, p[0]);
		EXPECT_EQ(3, p[2 * U]);
		self->rw[3 * U] = 4;
		EXPECT_EQ(4, p[3 * U]);
	}
	munmap((void *)p, DOM);
	close(fd);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &info));
	EXPECT_LE(1, info.links_pud + info.links_pmd);	/* the writer's */
}

/*
 * A reader mapped 2 MiB off a GiB boundary links at PMD level: to the
 * read-only PTE tables, or for 2 MiB leaves, read-only copies of them.
 * It reads what the writer wrote, cannot write, and sees a discard.
 */
TEST_F(ro, a_pmd_level_reader_reads_and_never_writes)
{
	struct mshare_discard d = { .offset = 0, .length = variant->unit };
	struct mshare_domain_info info = MSHARE_INIT(info);
	volatile char *p;
	char *area;
	int fd, status;
	pid_t pid;

	self->rw[0] = 21;
	self->rw[5 * MiB] = 22;
	fd = open_dev();
	ASSERT_LE(0, fd);
	area = mmap(NULL, 3 * GiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		    MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	p = (char *)(((uintptr_t)area + GiB - 1) / GiB * GiB + 2 * MiB);
	{
		struct mshare_attach at;

		attach_req(&at, self->name);
		at.flags = MSHARE_ATTACH_F_RDONLY;
		ASSERT_EQ(0, ioctl(fd, MSHARE_IOC_ATTACH, &at));
	}
	ASSERT_EQ(p, mmap((void *)p, DOM, PROT_READ, MAP_SHARED | MAP_FIXED,
			  fd, 0));
	EXPECT_EQ(21, p[0]);
	EXPECT_EQ(22, p[5 * MiB]);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &info));
	/* The reader's two 2 MiB; the writer's too where it has no PUD link. */
	EXPECT_EQ(pud_links_possible() ? 2 : 4, info.links_pmd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		p[5 * MiB] = 1;	/* must die of SIGSEGV */
		_exit(2);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGSEGV, WTERMSIG(status));
	EXPECT_EQ(22, self->rw[5 * MiB]);
	ASSERT_EQ(0, ioctl(self->rwfd, MSHARE_IOC_DISCARD, &d));
	EXPECT_EQ(0, p[0]);
	self->rw[0] = 23;
	EXPECT_EQ(23, p[0]);
	munmap(area, 3 * GiB);
	close(fd);
}

/*
 * A 4 KiB discard (which splits a 2 MiB leaf by copy): the reader sees the
 * page go and its neighbours stay, through the read-only twins.
 */
TEST_F(ro, a_reader_sees_a_4k_discard_and_the_rest_stay)
{
	struct mshare_discard d = { .offset = 3 * PAGE, .length = PAGE };
	volatile char *p;
	int fd, err;

	self->rw[2 * PAGE] = 12;
	self->rw[3 * PAGE] = 13;
	self->rw[4 * PAGE] = 14;
	p = map_key(self->name, MSHARE_ATTACH_F_RDONLY, PROT_READ, &fd, &err);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(13, p[3 * PAGE]);
	ASSERT_EQ(0, ioctl(self->rwfd, MSHARE_IOC_DISCARD, &d));
	EXPECT_EQ(0, p[3 * PAGE]);
	EXPECT_EQ(12, p[2 * PAGE]);
	EXPECT_EQ(14, p[4 * PAGE]);
	self->rw[3 * PAGE] = 15;
	EXPECT_EQ(15, p[3 * PAGE]);
	self->rw[4 * PAGE] = 16;
	EXPECT_EQ(16, p[4 * PAGE]);
	munmap((void *)p, DOM);
	close(fd);
}

TEST_F(ro, a_forked_reader_stays_a_reader)
{
	volatile char *p;
	int fd, err, status;
	pid_t pid;

	self->rw[0] = 77;
	p = map_key(self->name, MSHARE_ATTACH_F_RDONLY, PROT_READ, &fd, &err);
	ASSERT_NE(NULL, p);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (p[0] != 77)
			_exit(1);
		p[0] = 1;	/* must die of SIGSEGV */
		_exit(2);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGSEGV, WTERMSIG(status));
	EXPECT_EQ(77, self->rw[0]);
	munmap((void *)p, DOM);
	close(fd);
}

TEST_F(ro, attach_by_id_also_after_the_name_is_deleted)
{
	char key[16];
	char *p;
	int fd, err;

	self->rw[0] = 33;
	snprintf(key, sizeof(key), "#%u", self->d.id);
	ASSERT_EQ(0, mshare_domain_destroy(self->nl, self->name));
	/* The name is gone; the id reaches it while it is held. */
	EXPECT_EQ(NULL, map_key(self->name, 0, PROT_READ | PROT_WRITE, &fd,
				&err));
	EXPECT_EQ(ENOENT, err);
	close(fd);
	p = map_key(key, 0, PROT_READ | PROT_WRITE, &fd, &err);
	ASSERT_NE(NULL, p) TH_LOG("%s", strerror(err));
	EXPECT_EQ(33, p[0]);
	munmap(p, DOM);
	close(fd);
	EXPECT_EQ(NULL, map_key("#", 0, PROT_READ, &fd, &err));
	EXPECT_EQ(EINVAL, err);
	close(fd);
	EXPECT_EQ(NULL, map_key("#12x", 0, PROT_READ, &fd, &err));
	EXPECT_EQ(EINVAL, err);
	close(fd);
	EXPECT_EQ(NULL, map_key("#4294967296", 0, PROT_READ, &fd, &err));
	EXPECT_EQ(EINVAL, err);
	close(fd);
	EXPECT_EQ(NULL, map_key("#+1", 0, PROT_READ, &fd, &err));
	EXPECT_EQ(EINVAL, err);
	close(fd);
	EXPECT_EQ(NULL, map_key("#999999", 0, PROT_READ, &fd, &err));
	EXPECT_EQ(ENOENT, err);
	close(fd);
}

TEST_F(ro, unknown_attach_flags_are_einval)
{
	int fd, err;

	EXPECT_EQ(NULL, map_key(self->name, 1U << 1, PROT_READ, &fd, &err));
	EXPECT_EQ(EINVAL, err);
	close(fd);
	EXPECT_EQ(NULL, map_key(self->name, 1U << 31, PROT_READ, &fd, &err));
	EXPECT_EQ(EINVAL, err);
	close(fd);
}

TEST_HARNESS_MAIN
