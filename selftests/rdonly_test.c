// SPDX-License-Identifier: GPL-2.0
/*
 * Read-only attachments (MSHARE_ATTACH_F_RDONLY): read permission is
 * enough, the mapping is PROT_READ and stays so (a write faults, mprotect
 * and discard are refused), it links to read-only tables of the domain's
 * that always show what the writable ones do (writes, discards,
 * migrations), at PUD level where a GiB is covered; and "#ID" attaches by
 * id, also to a domain whose name was deleted while it is held.
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

FIXTURE_SETUP(ro)
{
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;
	int err;

	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "ro-%d", getpid());
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

TEST_F(ro, it_sees_writes_discards_and_migrations_through_a_pud_link)
{
	struct mshare_discard d = { .offset = 0, .length = 2 * PAGE };
	struct mshare_domain_info info = MSHARE_INIT(info);
	volatile char *p;
	int fd, err, ret;

	self->rw[0] = 1;
	self->rw[PAGE] = 2;
	p = map_key(self->name, MSHARE_ATTACH_F_RDONLY, PROT_READ, &fd, &err);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(1, p[0]);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &info));
	TH_LOG("links: pud %u pmd %u", info.links_pud, info.links_pmd);
	/* The writer's link and the reader's, on whole GiBs where THP allows. */
	EXPECT_LE(1, info.links_pud + info.links_pmd);

	self->rw[2 * PAGE] = 3;			/* a new page, after linking */
	EXPECT_EQ(3, p[2 * PAGE]);
	self->rw[0] = 9;
	EXPECT_EQ(9, p[0]);
	ASSERT_EQ(0, ioctl(self->rwfd, MSHARE_IOC_DISCARD, &d));
	EXPECT_EQ(0, p[0]);
	EXPECT_EQ(0, p[PAGE]);
	EXPECT_EQ(3, p[2 * PAGE]);
	self->rw[0] = 5;
	EXPECT_EQ(5, p[0]);
	if (!access("/sys/devices/system/node/node1", F_OK)) {
		ret = mshare_domain_migrate(self->nl, self->name, 1, 0, 0, NULL);
		EXPECT_EQ(0, ret) TH_LOG("%s", mshare_nl_extack(self->nl));
		EXPECT_EQ(5, p[0]);
		EXPECT_EQ(3, p[2 * PAGE]);
		self->rw[3 * PAGE] = 4;
		EXPECT_EQ(4, p[3 * PAGE]);
	}
	munmap((void *)p, DOM);
	close(fd);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &info));
	EXPECT_LE(1, info.links_pud + info.links_pmd);	/* the writer's */
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
