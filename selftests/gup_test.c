// SPDX-License-Identifier: GPL-2.0
/*
 * GUP clients on domain memory.  The mapping is VM_MIXEDMAP with normal
 * PTEs, so vm_normal_page() finds the data pages and every get_user_pages
 * user works on it: O_DIRECT (block/fops.c pins the buffer), vmsplice
 * (the pipe takes page references), process_vm_readv/writev and
 * /proc/PID/mem (remote GUP into another process's domain mapping, which
 * may fault there), io_uring fixed buffers (a long-term FOLL_WRITE pin,
 * allowed because the domain file needs no dirty tracking).  And a pin
 * outlives the domain: the pinned page must keep its data after the domain
 * is destroyed, while the module stops counting it.
 *
 * The domain is 1 GiB + 4 MiB, not prefaulted; the I/O ranges cross 2 MiB
 * boundaries both in the PUD-linked first GiB and in the PMD-linked tail.
 * Every test runs on two variants of it: "pages" (4 KiB pages) and
 * "huge" (MSHARE_DOMAIN_F_HUGE: 2 MiB leaves, large folios; GUP takes its
 * references on the folio, a first touch fills 2 MiB, and the tail's
 * leaves are copies in the process's own PMD entries).  ptrace
 * PEEKDATA/POKEDATA is tested here too (access_process_vm(), FOLL_FORCE).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/io_uring.h>
#include <linux/loop.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mshare.h"
#include "mshare_util.h"
#include "uring_util.h"
#include "kselftest_harness.h"

#define DSIZE		(1 * GiB + 4 * MiB)
#define IMG_SIZE	(8 * MiB)

/* Ranges of the domain the I/O uses: over two 2 MiB boundaries, and one. */
static const struct { uint64_t off, len; } R[] = {
	{ 512 * MiB - 1 * MiB, 3 * MiB },	/* PUD-linked GiB */
	{ 1 * GiB + 1 * MiB, 2 * MiB },		/* PMD-linked tail */
};
#define NR	2
/* Where each range goes on the loop device / in the file. */
static const uint64_t img_off[NR] = { 0, 4 * MiB };

/* A range nobody writes before the remote tests touch it. */
#define FRESH_OFF	(768 * MiB)
#define FRESH_LEN	(64 * KiB)

/*
 * ---- data: word i of domain bytes [off, off + len) is
 * page_pattern(seed, off / 8 + i), wherever those bytes are held ----
 */

/* Fill @buf, which is to hold domain bytes from @off. */
static void fill_words(char *buf, uint64_t off, uint64_t len, uint64_t seed)
{
	uint64_t i;

	for (i = 0; i < len / 8; i++)
		((volatile uint64_t *)buf)[i] = page_pattern(seed, off / 8 + i);
}

/* Words of @buf (holding domain bytes from @off) not page_pattern(@seed). */
static uint64_t bad_words(const char *buf, uint64_t off, uint64_t len, uint64_t seed)
{
	uint64_t i, bad = 0;

	for (i = 0; i < len / 8; i++)
		if (((const volatile uint64_t *)buf)[i] != page_pattern(seed, off / 8 + i))
			bad++;
	return bad;
}

static uint64_t nonzero_words(const char *buf, uint64_t len)
{
	uint64_t i, n = 0;

	for (i = 0; i < len / 8; i++)
		n += ((const volatile uint64_t *)buf)[i] != 0;
	return n;
}

/*
 * A fresh attacher (a child with its own mapping) checks that domain bytes
 * [@off, @off + @len), or with @len 0 every range R[], hold
 * page_pattern(@seed): its exit status, 0 if they do.
 */
static int other_attacher_checks(const char *name, uint64_t off, uint64_t len,
				 uint64_t seed)
{
	pid_t pid = flush_fork();

	if (pid == 0) {
		size_t size;
		void *q;
		int i;

		if (attach_dom(name, 0, &q, &size) || size != DSIZE)
			_exit(2);
		if (len)
			_exit(bad_words((char *)q + off, off, len, seed) ? 1 : 0);
		for (i = 0; i < NR; i++)
			if (bad_words((char *)q + R[i].off, R[i].off, R[i].len, seed))
				_exit(1);
		_exit(0);
	}
	if (pid < 0)
		return -1;
	return wait_exit_code(pid);
}

static int other_attacher_verifies(const char *name, uint64_t seed)
{
	return other_attacher_checks(name, 0, 0, seed);
}

/* ---- the fixture ---- */

FIXTURE(gup) {
	struct mshare_nl *nl;
	unsigned int flags;		/* the domain's: 0 or MSHARE_DOMAIN_F_HUGE */
	struct mshare_module_info base;	/* before the domain existed */
	char name[MSHARE_NAME_MAX];
	char other[MSHARE_NAME_MAX];	/* a second domain, when a test makes one */
	char *p;			/* this process's mapping, if any */
	pid_t child;
	int go[2], rep[2];		/* to and from the child */
	char img[64];			/* a file in /tmp (tmpfs) */
	int img_fd, loop_fd, dio_fd;	/* the file, /dev/loopN, its O_DIRECT fd */
	int pipe_fd[2];
	struct uring ring;
};

FIXTURE_VARIANT(gup) {
	unsigned int flags;
};

/* A domain of 4 KiB pages. */
FIXTURE_VARIANT_ADD(gup, pages) {
	.flags = 0,
};

/* The same domain of 2 MiB leaves. */
FIXTURE_VARIANT_ADD(gup, huge) {
	.flags = MSHARE_DOMAIN_F_HUGE,
};

FIXTURE_SETUP(gup)
{
	struct mshare_domain_info info = MSHARE_INIT(info);

	self->p = NULL;
	self->child = 0;
	self->go[0] = self->go[1] = self->rep[0] = self->rep[1] = -1;
	self->img[0] = self->other[0] = 0;
	self->img_fd = self->loop_fd = self->dio_fd = -1;
	self->pipe_fd[0] = self->pipe_fd[1] = -1;
	memset(&self->ring, 0, sizeof(self->ring));
	snprintf(self->name, sizeof(self->name), "gup-%d", getpid());
	ASSERT_EQ(0, nl_open(&self->nl));
	self->base.size = sizeof(self->base);
	ASSERT_EQ(0, mshare_module_info(self->nl, &self->base));
	self->flags = variant->flags;
	if (self->flags && !thp_built())
		SKIP(return, "no 2 MiB leaves here (no THP)");
	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE, self->flags, &info));
}

/*
 * The pages the domain holds once bytes [@off, @off + @len) are touched
 * (from nothing): those pages, or the whole 2 MiB leaves around them.
 */
static uint64_t touched_pages(FIXTURE_DATA(gup) *self, uint64_t off, uint64_t len)
{
	const uint64_t unit = self->flags ? 2 * MiB : PAGE;
	uint64_t first = off / unit, last = (off + len - 1) / unit;

	return (last - first + 1) * (unit / PAGE);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

FIXTURE_TEARDOWN(gup)
{
	int i;

	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	for (i = 0; i < 2; i++) {
		close_fd(&self->go[i]);
		close_fd(&self->rep[i]);
		close_fd(&self->pipe_fd[i]);
	}
	uring_exit(&self->ring);
	close_fd(&self->dio_fd);
	if (self->loop_fd >= 0)
		ioctl(self->loop_fd, LOOP_CLR_FD, 0);
	close_fd(&self->loop_fd);
	close_fd(&self->img_fd);
	if (self->img[0])
		unlink(self->img);
	if (self->p)
		munmap(self->p, DSIZE);
	mshare_domain_destroy(self->nl, self->name);
	if (self->other[0])
		mshare_domain_destroy(self->nl, self->other);
	mshare_nl_close(self->nl);
}

static void gup_attach(struct __test_metadata *_metadata, FIXTURE_DATA(gup) *self)
{
	size_t size;
	void *addr;

	ASSERT_EQ(0, attach_dom(self->name, 0, &addr, &size));
	ASSERT_EQ(DSIZE, size);
	self->p = addr;
}

static uint64_t resident(struct __test_metadata *_metadata, FIXTURE_DATA(gup) *self)
{
	struct mshare_domain_info info = MSHARE_INIT(info);

	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &info));
	return info.resident;
}

/* A file of @size in /tmp (tmpfs), in self->img / self->img_fd. */
static void make_file(struct __test_metadata *_metadata, FIXTURE_DATA(gup) *self,
		      const char *tag, size_t size)
{
	snprintf(self->img, sizeof(self->img), "/tmp/gup-%d.%s", getpid(), tag);
	self->img_fd = open(self->img, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, self->img_fd);
	ASSERT_EQ(0, ftruncate(self->img_fd, size));
}

/*
 * Back a free loop device with self->img (LOOP_CTL_GET_FREE, then
 * LOOP_CONFIGURE, autoclear) and open it again with O_DIRECT.  0, or
 * -1 when there is no loop driver (the test is skipped).
 */
static int loop_setup(struct __test_metadata *_metadata, FIXTURE_DATA(gup) *self)
{
	struct loop_config cfg;
	char dev[32];
	int ctl, nr, tries;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -1;
	for (tries = 0; tries < 8; tries++) {
		nr = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (nr < 0)
			break;
		snprintf(dev, sizeof(dev), "/dev/loop%d", nr);
		self->loop_fd = open(dev, O_RDWR | O_CLOEXEC);
		if (self->loop_fd < 0)
			break;
		memset(&cfg, 0, sizeof(cfg));
		cfg.fd = self->img_fd;
		cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
		if (!ioctl(self->loop_fd, LOOP_CONFIGURE, &cfg))
			break;
		close_fd(&self->loop_fd);
		if (errno != EBUSY)
			break;
	}
	close(ctl);
	ASSERT_LE(0, self->loop_fd) TH_LOG("no loop device: %s", strerror(errno));
	self->dio_fd = open(dev, O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, self->dio_fd) TH_LOG("%s O_DIRECT: %s", dev, strerror(errno));
	TH_LOG("%s backed by %s", dev, self->img);
	return 0;
}

/*
 * Fork the child that maps the domain (this process does not): it
 * attaches, writes page_pattern(@seed) into R[] and reports its address;
 * then, told to go on, it checks R[] (and FRESH_OFF..+FRESH_LEN) for
 * page_pattern(@check) and exits 0 if so (@check 0: exits 0 at once).
 */
static char *start_holder(struct __test_metadata *_metadata,
			  FIXTURE_DATA(gup) *self, uint64_t seed, uint64_t check)
{
	char *addr = NULL;
	struct pollfd pfd;

	ASSERT_EQ(0, pipe2(self->go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(self->rep, O_CLOEXEC));
	self->child = flush_fork();
	if (self->child == 0) {
		struct pollfd gp = { .fd = self->go[0], .events = POLLIN };
		size_t size;
		void *q;
		char c;
		int i;

		if (attach_dom(self->name, 0, &q, &size) || size != DSIZE)
			_exit(2);
		for (i = 0; i < NR; i++)
			fill_words((char *)q + R[i].off, R[i].off, R[i].len, seed);
		if (write(self->rep[1], &q, sizeof(q)) != sizeof(q))
			_exit(3);
		if (poll(&gp, 1, 60000) != 1 || read(self->go[0], &c, 1) != 1)
			_exit(4);
		if (!check)
			_exit(0);
		for (i = 0; i < NR; i++)
			if (bad_words((char *)q + R[i].off, R[i].off, R[i].len, check))
				_exit(1);
		if (bad_words((char *)q + FRESH_OFF, FRESH_OFF, FRESH_LEN, check))
			_exit(5);
		_exit(0);
	}
	ASSERT_GT(self->child, 0);
	pfd.fd = self->rep[0];
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 60000));
	ASSERT_EQ(sizeof(addr), read(self->rep[0], &addr, sizeof(addr)));
	return addr;
}

/* Let the holder check and exit; its status. */
static int finish_holder(struct __test_metadata *_metadata, FIXTURE_DATA(gup) *self)
{
	int rc;

	if (write(self->go[1], "g", 1) != 1)
		return -1;
	rc = wait_exit_code(self->child);
	self->child = 0;
	return rc;
}

/* ---- O_DIRECT on a loop device ---- */

/* blkdev_direct_IO() pins the domain pages it writes from. */
TEST_F_TIMEOUT(gup, odirect_write_from_domain_to_loop_device, 120)
{
	char *buf;
	int i;

	make_file(_metadata, self, "img", IMG_SIZE);
	if (loop_setup(_metadata, self))
		SKIP(return, "no /dev/loop-control (loop module)");
	gup_attach(_metadata, self);
	for (i = 0; i < NR; i++) {
		fill_words(self->p + R[i].off, R[i].off, R[i].len, 51);
		EXPECT_EQ(R[i].len, pwrite(self->dio_fd, self->p + R[i].off,
					   R[i].len, img_off[i]))
			TH_LOG("range %d: %s", i, strerror(errno));
	}
	buf = malloc(3 * MiB);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < NR; i++) {
		ASSERT_EQ(R[i].len, pread(self->img_fd, buf, R[i].len, img_off[i]));
		EXPECT_EQ(0, bad_words(buf, R[i].off, R[i].len, 51)) TH_LOG("range %d", i);
	}
	free(buf);
	EXPECT_EQ(0, other_attacher_verifies(self->name, 51));
}

/*
 * The pinned domain pages are written by the block layer and marked dirty
 * (bio_release_pages() / bio_set_pages_dirty(): the anon inode's
 * noop_dirty_folio()); both this process and another attacher see the data.
 */
TEST_F_TIMEOUT(gup, odirect_read_from_loop_device_into_domain, 120)
{
	char *buf;
	int i;

	make_file(_metadata, self, "img", IMG_SIZE);
	buf = malloc(3 * MiB);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < NR; i++) {
		/* The file holds what R[i] of the domain should become. */
		fill_words(buf, R[i].off, R[i].len, 52);
		ASSERT_EQ(R[i].len, pwrite(self->img_fd, buf, R[i].len, img_off[i]));
	}
	free(buf);
	if (loop_setup(_metadata, self))
		SKIP(return, "no /dev/loop-control (loop module)");
	gup_attach(_metadata, self);
	/* The ranges were never touched: GUP faults them in. */
	EXPECT_EQ(0, resident(_metadata, self));
	for (i = 0; i < NR; i++) {
		EXPECT_EQ(R[i].len, pread(self->dio_fd, self->p + R[i].off,
					  R[i].len, img_off[i]))
			TH_LOG("range %d: %s", i, strerror(errno));
		EXPECT_EQ(0, bad_words(self->p + R[i].off, R[i].off, R[i].len, 52))
			TH_LOG("range %d", i);
	}
	EXPECT_EQ(touched_pages(self, R[0].off, R[0].len) +
		  touched_pages(self, R[1].off, R[1].len), resident(_metadata, self));
	EXPECT_EQ(0, other_attacher_verifies(self->name, 52));
}

/*
 * Wait up to @secs seconds for the module's orphan count to come back to
 * the fixture's base (the module checks its orphans once a second); the
 * module's counters then in *@out.
 */
static void wait_orphans_gone(struct __test_metadata *_metadata,
			      FIXTURE_DATA(gup) *self, int secs,
			      struct mshare_module_info *out)
{
	int i;

	for (i = 0; i < secs * 10; i++) {
		ASSERT_EQ(0, mshare_module_info(self->nl, out));
		if (out->orphan_pages == self->base.orphan_pages)
			break;
		usleep(100 * 1000);
	}
	TH_LOG("orphans gone after %d.%d s", i / 10, i % 10);
}

/* ---- vmsplice ---- */

/* iter_to_pipe() takes references on the domain pages. */
TEST_F_TIMEOUT(gup, vmsplice_from_domain_into_pipe_reads_back_data, 120)
{
	const uint64_t len = 256 * KiB;
	char *buf = malloc(len);
	int i;

	ASSERT_NE(NULL, buf);
	gup_attach(_metadata, self);
	ASSERT_EQ(0, pipe2(self->pipe_fd, O_CLOEXEC));
	ASSERT_LE(len, fcntl(self->pipe_fd[1], F_SETPIPE_SZ, len));
	for (i = 0; i < NR; i++) {
		/* 256 KiB around a 2 MiB boundary. */
		uint64_t off = R[i].off + 1 * MiB - len / 2;
		struct iovec iov = { .iov_base = self->p + off, .iov_len = len };

		fill_words(self->p + off, off, len, 53 + i);
		EXPECT_EQ(len, vmsplice(self->pipe_fd[1], &iov, 1, SPLICE_F_NONBLOCK))
			TH_LOG("range %d: %s", i, strerror(errno));
		memset(buf, 0, len);
		EXPECT_EQ(len, read(self->pipe_fd[0], buf, len));
		EXPECT_EQ(0, bad_words(buf, off, len, 53 + i)) TH_LOG("range %d", i);
	}
	free(buf);
}

/*
 * The pipe holds page references on domain pages (vmsplice without
 * SPLICE_F_GIFT); the domain is then unmapped and destroyed.  The module
 * frees the domain at once (DOMAINS is back to what it was; each page
 * loses its mapping), but the pinned pages live on, held by the pipe:
 * reading it gives the data written, even after another domain has taken
 * and scribbled over fresh memory.  Until the pipe lets them go they are
 * orphans (kmod/account.c): still counted in DATA_PAGES, and in
 * ORPHAN_PAGES, and charged to their memory cgroup; within a few seconds
 * of the pipe's letting them go (the read consumes its buffers) both
 * counts are back where they were.
 */
TEST_F_TIMEOUT(gup, vmsplice_pin_outlives_domain_destroy, 120)
{
	const uint64_t len = 256 * KiB, off = R[0].off + 1 * MiB - len / 2;
	struct iovec iov;
	struct mshare_module_info mid = MSHARE_INIT(mid);
	struct mshare_module_info after = MSHARE_INIT(after);
	struct mshare_domain_info info = MSHARE_INIT(info);
	size_t size;
	char *buf, *q;
	void *addr;

	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	gup_attach(_metadata, self);
	fill_words(self->p + off, off, len, 55);
	ASSERT_EQ(0, pipe2(self->pipe_fd, O_CLOEXEC));
	ASSERT_LE(len, fcntl(self->pipe_fd[1], F_SETPIPE_SZ, len));
	iov.iov_base = self->p + off;
	iov.iov_len = len;
	ASSERT_EQ(len, vmsplice(self->pipe_fd[1], &iov, 1, SPLICE_F_NONBLOCK));
	/* (attach_dom() closed its descriptor: the mapping is the last user.) */

	ASSERT_EQ(0, mshare_module_info(self->nl, &mid));
	EXPECT_EQ(self->base.domains + 1, mid.domains);
	EXPECT_EQ(self->base.data_pages + touched_pages(self, off, len), mid.data_pages);
	ASSERT_EQ(0, munmap(self->p, DSIZE));
	self->p = NULL;
	ASSERT_EQ(0, mshare_domain_destroy(self->nl, self->name));
	ASSERT_EQ(0, mshare_module_info(self->nl, &after));
	EXPECT_EQ(self->base.domains, after.domains);
	/* huge: the two folios, whole */
	EXPECT_EQ(self->base.data_pages + touched_pages(self, off, len), after.data_pages);
	EXPECT_EQ(self->base.orphan_pages + touched_pages(self, off, len),
		  after.orphan_pages);
	EXPECT_EQ(self->base.table_pages, after.table_pages);

	/* Take fresh memory and write over all of it. */
	snprintf(self->other, sizeof(self->other), "gup-%d-churn", getpid());
	ASSERT_EQ(0, create_domain(self->nl, self->other, 64 * MiB,
				   MSHARE_DOMAIN_F_PREFAULT, &info));
	ASSERT_EQ(0, attach_dom(self->other, 0, &addr, &size));
	q = addr;
	memset(q, 0xa5, size);
	ASSERT_EQ(0, munmap(q, size));
	ASSERT_EQ(0, mshare_domain_destroy(self->nl, self->other));
	self->other[0] = 0;

	memset(buf, 0, len);
	EXPECT_EQ(len, read(self->pipe_fd[0], buf, len));
	EXPECT_EQ(0, bad_words(buf, off, len, 55));
	free(buf);
	/* reading a buffer whole releases its page */
	close_fd(&self->pipe_fd[0]);
	close_fd(&self->pipe_fd[1]);
	wait_orphans_gone(_metadata, self, 5, &after);
	EXPECT_EQ(self->base.data_pages, after.data_pages);
	EXPECT_EQ(self->base.orphan_pages, after.orphan_pages);
}

/* ---- another process's domain mapping: process_vm_*, /proc/PID/mem ---- */

/*
 * process_vm_rw_pages() pins the remote pages (pin_user_pages_remote());
 * the range never written faults in the other process's mm.
 */
TEST_F_TIMEOUT(gup, process_vm_readv_reads_remote_domain, 120)
{
	struct iovec local[NR + 1], remote[NR + 1];
	uint64_t res0 = 0, total = 0;
	char *addr, *buf;
	int i;

	addr = start_holder(_metadata, self, 56, 0);
	res0 = resident(_metadata, self);
	for (i = 0; i <= NR; i++) {
		uint64_t off = i < NR ? R[i].off : FRESH_OFF;
		uint64_t len = i < NR ? R[i].len : FRESH_LEN;

		local[i].iov_base = malloc(len);
		ASSERT_NE(NULL, local[i].iov_base);
		memset(local[i].iov_base, 0xff, len);
		local[i].iov_len = len;
		remote[i].iov_base = addr + off;
		remote[i].iov_len = len;
		total += len;
	}
	EXPECT_EQ(total, process_vm_readv(self->child, local, NR + 1, remote, NR + 1, 0))
		TH_LOG("%s", strerror(errno));
	for (i = 0; i < NR; i++)
		EXPECT_EQ(0, bad_words(local[i].iov_base, R[i].off, R[i].len, 56));
	buf = local[NR].iov_base;
	EXPECT_EQ(0, nonzero_words(buf, FRESH_LEN));
	EXPECT_EQ(res0 + touched_pages(self, FRESH_OFF, FRESH_LEN),
		  resident(_metadata, self));
	for (i = 0; i <= NR; i++)
		free(local[i].iov_base);
	EXPECT_EQ(0, finish_holder(_metadata, self));
}

TEST_F_TIMEOUT(gup, process_vm_writev_writes_remote_domain, 120)
{
	struct iovec local[NR + 1], remote[NR + 1];
	uint64_t total = 0;
	char *addr;
	int i;

	addr = start_holder(_metadata, self, 57, 58);
	for (i = 0; i <= NR; i++) {
		uint64_t off = i < NR ? R[i].off : FRESH_OFF;
		uint64_t len = i < NR ? R[i].len : FRESH_LEN;
		char *b = malloc(len);

		ASSERT_NE(NULL, b);
		fill_words(b, off, len, 58);
		local[i].iov_base = b;
		local[i].iov_len = len;
		remote[i].iov_base = addr + off;
		remote[i].iov_len = len;
		total += len;
	}
	EXPECT_EQ(total, process_vm_writev(self->child, local, NR + 1, remote, NR + 1, 0))
		TH_LOG("%s", strerror(errno));
	for (i = 0; i <= NR; i++)
		free(local[i].iov_base);
	/* The holder finds it in its own mapping, so does a fresh attacher. */
	EXPECT_EQ(0, finish_holder(_metadata, self));
	EXPECT_EQ(0, other_attacher_verifies(self->name, 58));
}

/* /proc/PID/mem: mem_rw() -> access_remote_vm() (get_user_pages_remote). */
static int open_mem(pid_t pid, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	return open(path, flags | O_CLOEXEC);
}

TEST_F_TIMEOUT(gup, proc_pid_mem_reads_domain_address, 120)
{
	char *addr, *buf = malloc(3 * MiB);
	int fd, i;

	ASSERT_NE(NULL, buf);
	addr = start_holder(_metadata, self, 59, 0);
	fd = open_mem(self->child, O_RDONLY);
	ASSERT_LE(0, fd);
	for (i = 0; i < NR; i++) {
		memset(buf, 0xff, R[i].len);
		EXPECT_EQ(R[i].len, pread(fd, buf, R[i].len, (uintptr_t)addr + R[i].off))
			TH_LOG("range %d: %s", i, strerror(errno));
		EXPECT_EQ(0, bad_words(buf, R[i].off, R[i].len, 59)) TH_LOG("range %d", i);
	}
	memset(buf, 0xff, FRESH_LEN);
	EXPECT_EQ(FRESH_LEN, pread(fd, buf, FRESH_LEN, (uintptr_t)addr + FRESH_OFF));
	EXPECT_EQ(0, nonzero_words(buf, FRESH_LEN));
	close(fd);
	free(buf);
	EXPECT_EQ(0, finish_holder(_metadata, self));
}

/* Writing: FOLL_FORCE | FOLL_WRITE on a shared writable mapping. */
TEST_F_TIMEOUT(gup, proc_pid_mem_writes_domain_address, 120)
{
	char *addr, *buf = malloc(3 * MiB);
	int fd, i;

	ASSERT_NE(NULL, buf);
	addr = start_holder(_metadata, self, 60, 61);
	fd = open_mem(self->child, O_RDWR);
	ASSERT_LE(0, fd);
	for (i = 0; i <= NR; i++) {
		uint64_t off = i < NR ? R[i].off : FRESH_OFF;
		uint64_t len = i < NR ? R[i].len : FRESH_LEN;

		fill_words(buf, off, len, 61);
		EXPECT_EQ(len, pwrite(fd, buf, len, (uintptr_t)addr + off))
			TH_LOG("range %d: %s", i, strerror(errno));
	}
	close(fd);
	free(buf);
	EXPECT_EQ(0, finish_holder(_metadata, self));
	EXPECT_EQ(0, other_attacher_verifies(self->name, 61));
}

/*
 * ptrace(PTRACE_PEEKDATA / PTRACE_POKEDATA): ptrace_access_vm() ->
 * __access_remote_vm() (get_user_pages_remote(), FOLL_FORCE) word by word
 * in the tracee's mapping: in the PUD-linked GiB and in the tail (huge:
 * a leaf copy) a sample of words, each poked, seen changed through this
 * process's own mapping, and poked back; a range never touched is poked
 * whole (faulted in there).
 */
TEST_F_TIMEOUT(gup, ptrace_peek_and_poke_remote_domain, 120)
{
	uint64_t res0, i, bad = 0;
	char *addr;
	int st, r;

	addr = start_holder(_metadata, self, 65, 65);
	res0 = resident(_metadata, self);
	gup_attach(_metadata, self);
	ASSERT_EQ(0, ptrace(PTRACE_ATTACH, self->child, NULL, NULL))
		TH_LOG("PTRACE_ATTACH: %s", strerror(errno));
	ASSERT_EQ(self->child, waitpid(self->child, &st, 0));
	ASSERT_TRUE(WIFSTOPPED(st));
	for (r = 0; r < NR; r++)
		for (i = 0; i < R[r].len / 8; i += 509) {
			uint64_t off = R[r].off + 8 * i, v = page_pattern(65, off / 8);
			volatile uint64_t *mine = (uint64_t *)(self->p + off);
			long w;

			errno = 0;
			w = ptrace(PTRACE_PEEKDATA, self->child, addr + off, NULL);
			if (errno || (uint64_t)w != v ||
			    ptrace(PTRACE_POKEDATA, self->child, addr + off, (void *)~v) ||
			    *mine != ~v ||
			    ptrace(PTRACE_POKEDATA, self->child, addr + off, (void *)v) ||
			    *mine != v) {
				if (bad++ < 4)
					TH_LOG("range %d word %" PRIu64 ": %s", r, i,
					       strerror(errno));
			}
		}
	EXPECT_EQ(0, bad);
	for (i = 0; i < FRESH_LEN / 8; i++)
		if (ptrace(PTRACE_POKEDATA, self->child, addr + FRESH_OFF + 8 * i,
			   (void *)page_pattern(65, FRESH_OFF / 8 + i)) && bad++ < 4)
			TH_LOG("POKEDATA fresh word %" PRIu64 ": %s", i, strerror(errno));
	EXPECT_EQ(0, bad);
	EXPECT_EQ(res0 + touched_pages(self, FRESH_OFF, FRESH_LEN),
		  resident(_metadata, self));
	ASSERT_EQ(0, ptrace(PTRACE_DETACH, self->child, NULL, NULL));
	EXPECT_EQ(0, finish_holder(_metadata, self));
	EXPECT_EQ(0, bad_words(self->p + FRESH_OFF, FRESH_OFF, FRESH_LEN, 65));
	EXPECT_EQ(0, other_attacher_verifies(self->name, 65));
}

/* ---- io_uring fixed buffers: a long-term pin ---- */

/*
 * io_pin_pages(): pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM).  (6.1
 * refuses file-backed buffers itself: EOPNOTSUPP, uring_file_buffers().)
 * GUP-fast refuses a long-term writable pin of a file page that is not
 * shmem (gup_fast_folio_allowed()); the slow path allows it because
 * check_vma_flags() -> writable_file_mapping_allowed() finds that the
 * domain file needs no dirty tracking (no ->page_mkwrite, noop backing
 * device), and the pages are not movable.
 */
TEST_F_TIMEOUT(gup, io_uring_fixed_buffer_in_domain_reads_and_writes, 120)
{
	const uint64_t len = 1 * MiB, off = R[0].off + 1 * MiB - len / 2;
	struct iovec iov;
	char *buf;
	int ret;

	ret = uring_init(&self->ring, 8);
	if (ret == -ENOSYS || ret == -EPERM)
		SKIP(return, "io_uring unavailable: %s", strerror(-ret));
	ASSERT_EQ(0, ret);
	gup_attach(_metadata, self);
	make_file(_metadata, self, "uring", 2 * len);
	fill_words(self->p + off, off, len, 62);
	iov.iov_base = self->p + off;
	iov.iov_len = len;
	ret = syscall(__NR_io_uring_register, self->ring.fd,
		      IORING_REGISTER_BUFFERS, &iov, 1);
	if (!uring_file_buffers()) {
		/* This kernel refuses file-backed buffers; nothing changes. */
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EOPNOTSUPP, errno);
		EXPECT_EQ(0, bad_words(self->p + off, off, len, 62));
		EXPECT_EQ(0, other_attacher_checks(self->name, off, len, 62));
		return;
	}
	ASSERT_EQ(0, ret)
		TH_LOG("IORING_REGISTER_BUFFERS: %s", strerror(errno));

	/* Domain -> file. */
	EXPECT_EQ(len, uring_rw_fixed(&self->ring, IORING_OP_WRITE_FIXED,
				      self->img_fd, self->p + off, len, 0));
	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(len, pread(self->img_fd, buf, len, 0));
	EXPECT_EQ(0, bad_words(buf, off, len, 62));

	/* File -> domain. */
	fill_words(buf, off, len, 63);
	ASSERT_EQ(len, pwrite(self->img_fd, buf, len, len));
	EXPECT_EQ(len, uring_rw_fixed(&self->ring, IORING_OP_READ_FIXED,
				      self->img_fd, self->p + off, len, len));
	EXPECT_EQ(0, bad_words(self->p + off, off, len, 63));
	free(buf);
	EXPECT_EQ(0, syscall(__NR_io_uring_register, self->ring.fd,
			     IORING_UNREGISTER_BUFFERS, NULL, 0));
	/* Another attacher sees what io_uring wrote. */
	EXPECT_EQ(0, other_attacher_checks(self->name, off, len, 63));
}

/*
 * The same long-term pin outliving the domain: registered, then the
 * domain unmapped and destroyed (the module counts no page any more);
 * WRITE_FIXED still sends the data written.
 */
TEST_F_TIMEOUT(gup, io_uring_fixed_buffer_outlives_domain_destroy, 120)
{
	const uint64_t len = 1 * MiB, off = R[1].off;
	struct mshare_module_info after = MSHARE_INIT(after);
	struct iovec iov;
	char *buf, *base;
	int ret;

	ret = uring_init(&self->ring, 8);
	if (ret == -ENOSYS || ret == -EPERM)
		SKIP(return, "io_uring unavailable: %s", strerror(-ret));
	ASSERT_EQ(0, ret);
	gup_attach(_metadata, self);
	make_file(_metadata, self, "uring", len);
	fill_words(self->p + off, off, len, 64);
	iov.iov_base = self->p + off;
	iov.iov_len = len;
	ret = syscall(__NR_io_uring_register, self->ring.fd,
		      IORING_REGISTER_BUFFERS, &iov, 1);
	if (!uring_file_buffers()) {
		/* Refused (EOPNOTSUPP): no pin, the domain goes whole. */
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EOPNOTSUPP, errno);
		ASSERT_EQ(0, munmap(self->p, DSIZE));
		self->p = NULL;
		ASSERT_EQ(0, mshare_domain_destroy(self->nl, self->name));
		ASSERT_EQ(0, mshare_module_info(self->nl, &after));
		EXPECT_EQ(self->base.domains, after.domains);
		EXPECT_EQ(self->base.data_pages, after.data_pages);
		return;
	}
	ASSERT_EQ(0, ret)
		TH_LOG("IORING_REGISTER_BUFFERS: %s", strerror(errno));
	base = self->p;
	ASSERT_EQ(0, munmap(self->p, DSIZE));
	self->p = NULL;
	ASSERT_EQ(0, mshare_domain_destroy(self->nl, self->name));
	ASSERT_EQ(0, mshare_module_info(self->nl, &after));
	EXPECT_EQ(self->base.domains, after.domains);
	/* the registration pins them (huge: the folio): orphans, counted until unregistered */
	EXPECT_EQ(self->base.data_pages + touched_pages(self, off, len), after.data_pages);
	EXPECT_EQ(self->base.orphan_pages + touched_pages(self, off, len),
		  after.orphan_pages);

	/* The buffer's address is only a key into the registration now. */
	EXPECT_EQ(len, uring_rw_fixed(&self->ring, IORING_OP_WRITE_FIXED,
				      self->img_fd, base + off, len, 0));
	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(len, pread(self->img_fd, buf, len, 0));
	EXPECT_EQ(0, bad_words(buf, off, len, 64));
	free(buf);
	/* the ring's teardown (a kernel worker) unpins the buffer */
	uring_exit(&self->ring);
	wait_orphans_gone(_metadata, self, 10, &after);
	EXPECT_EQ(self->base.data_pages, after.data_pages);
	EXPECT_EQ(self->base.orphan_pages, after.orphan_pages);
}

TEST_HARNESS_MAIN
