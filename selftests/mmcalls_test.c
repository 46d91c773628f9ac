// SPDX-License-Identifier: GPL-2.0
/*
 * Memory-management calls that a program may make on a domain mapping and
 * that Documentation/abi.rst (and preload.rst, for programs run under the
 * preload library) list with their measured result: msync(), madvise()
 * MADV_REMOVE, MADV_WIPEONFORK and MADV_KEEPONFORK, mremap()
 * MREMAP_DONTUNMAP, mlock(), /proc/PID/map_files and remap_file_pages().
 * Each case asserts the exact result (the errno of a refusal) and that
 * the data stays intact for this process and for another attacher.  The
 * last case makes the same calls on shared anonymous memory, which the
 * preload library replaces with domains, to show where they differ.
 *
 * The domain is 4 MiB, every page written (SEED), mapped once.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mshare.h"
#include "mshare_util.h"
#include "kselftest_harness.h"

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK		18
#define MADV_KEEPONFORK		19
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif

#define DSIZE	(4 * MiB)
#define NPAGES	(DSIZE / PAGE)
#define SEED	17

FIXTURE(mm) {
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	char *p;
	size_t size;
};

FIXTURE_SETUP(mm)
{
	void *p;

	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "mmc-%d", (int)getpid());
	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE, 0, NULL));
	ASSERT_EQ(0, attach_dom(self->name, 0, &p, &self->size));
	ASSERT_EQ(DSIZE, self->size);
	self->p = p;
	fill_pattern(self->p, 0, NPAGES, SEED);
}

FIXTURE_TEARDOWN(mm)
{
	if (self->p)
		munmap(self->p, self->size);
	mshare_domain_destroy(self->nl, self->name);
	mshare_nl_close(self->nl);
}

/* Every page holds its pattern, here and in a fresh attacher. */
static void data_intact(struct __test_metadata *_metadata,
			FIXTURE_DATA(mm) *self)
{
	pid_t pid;

	EXPECT_EQ(0, count_bad(self->p, 0, NPAGES, SEED));
	pid = flush_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		size_t size;
		void *q;

		if (attach_dom(self->name, 0, &q, &size) || size != DSIZE)
			_exit(2);
		_exit(count_bad(q, 0, NPAGES, SEED) ? 1 : 0);
	}
	EXPECT_EQ(0, wait_exit_code(pid));
}

/*
 * msync(MS_SYNC) of a shared file mapping calls vfs_fsync_range() on the
 * domain's pseudo file, which has no ->fsync: EINVAL.  There is nothing
 * to write back (the memory has no backing store).
 */
TEST_F(mm, msync_ms_sync_fails_einval)
{
	errno = 0;
	EXPECT_EQ(-1, msync(self->p, DSIZE, MS_SYNC));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, msync(self->p + 2 * MiB, PAGE, MS_SYNC | MS_INVALIDATE));
	EXPECT_EQ(EINVAL, errno);
	data_intact(_metadata, self);
}

/* MS_ASYNC and MS_INVALIDATE alone do nothing for a file mapping: 0. */
TEST_F(mm, msync_ms_async_and_invalidate_succeed)
{
	EXPECT_EQ(0, msync(self->p, DSIZE, MS_ASYNC));
	EXPECT_EQ(0, msync(self->p, DSIZE, MS_INVALIDATE));
	data_intact(_metadata, self);
}

/*
 * MADV_REMOVE punches a hole with vfs_fallocate(), which refuses an inode
 * that is neither a regular file nor a block device: ENODEV.  The way to
 * free a range of a domain is MSHARE_IOC_DISCARD (or DOMAIN_DISCARD).
 */
TEST_F(mm, madvise_remove_fails_enodev)
{
	errno = 0;
	EXPECT_EQ(-1, madvise(self->p, 2 * MiB, MADV_REMOVE));
	EXPECT_EQ(ENODEV, errno);
	data_intact(_metadata, self);
}

/*
 * MADV_WIPEONFORK is for private anonymous memory only (madvise_vma_behavior:
 * a VMA with a file or VM_SHARED is refused): EINVAL.  A domain mapping is
 * wiped on fork anyway: the child relinks the same tables on first touch.
 */
TEST_F(mm, madvise_wipeonfork_fails_einval)
{
	errno = 0;
	EXPECT_EQ(-1, madvise(self->p, DSIZE, MADV_WIPEONFORK));
	EXPECT_EQ(EINVAL, errno);
	data_intact(_metadata, self);
}

/*
 * MADV_KEEPONFORK succeeds (it clears VM_WIPEONFORK), and changes nothing
 * that a program sees: the module sets the flag again in ->open, so a
 * forked child still starts without links and reads the same data.
 */
TEST_F(mm, madvise_keeponfork_succeeds_and_fork_still_shares)
{
	pid_t pid;

	EXPECT_EQ(0, madvise(self->p, DSIZE, MADV_KEEPONFORK));
	pid = flush_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (count_bad(self->p, 0, NPAGES, SEED))
			_exit(1);
		*(volatile uint64_t *)self->p = 42;
		_exit(0);
	}
	ASSERT_EQ(0, wait_exit_code(pid));
	EXPECT_EQ(42, *(volatile uint64_t *)self->p);
	*(volatile uint64_t *)self->p = page_pattern(SEED, 0);
	data_intact(_metadata, self);
}

/*
 * mremap(MREMAP_MAYMOVE | MREMAP_DONTUNMAP) is refused for a VM_DONTEXPAND
 * mapping (vma_to_resize()): EINVAL; the mapping stays where it was.
 */
TEST_F(mm, mremap_dontunmap_fails_einval)
{
	void *q;

	errno = 0;
	q = mremap(self->p, DSIZE, DSIZE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP,
		   NULL);
	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(EINVAL, errno);
	if (q != MAP_FAILED)
		munmap(q, DSIZE);
	data_intact(_metadata, self);
}

/*
 * mlock() returns 0 and locks nothing: the mapping is VM_SPECIAL, so
 * mlock_fixup() does not set VM_LOCKED (VmLck stays 0 kB).  Domain pages
 * are never reclaimed anyway.  (walkers_test checks that mlock still
 * populates the range.)
 */
TEST_F(mm, mlock_succeeds_and_locks_nothing)
{
	long before = status_kb(0, "VmLck");

	ASSERT_LE(0, before);
	EXPECT_EQ(0, mlock(self->p, DSIZE));
	EXPECT_EQ(before, status_kb(0, "VmLck"));
	EXPECT_EQ(0, munlock(self->p, DSIZE));
	EXPECT_EQ(0, mlock2(self->p, DSIZE, MLOCK_ONFAULT));
	EXPECT_EQ(before, status_kb(0, "VmLck"));
	EXPECT_EQ(0, munlock(self->p, DSIZE));
	data_intact(_metadata, self);
}

/*
 * /proc/PID/map_files/START-END names the domain's pseudo file
 * ("mshare:[NAME]"), but opening it fails with ENXIO: the pseudo inode
 * has no file operations to open (no_open()).  Reading the link needs
 * CAP_SYS_ADMIN (the test runs as root).
 */
TEST_F(mm, map_files_link_names_domain_and_open_fails_enxio)
{
	char path[128], link[256], want[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx",
		 (unsigned long)self->p, (unsigned long)(self->p + DSIZE));
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = 0;
	snprintf(want, sizeof(want), "mshare:[%s]", self->name);
	EXPECT_NE(NULL, strstr(link, want));
	TH_LOG("%s -> %s", path, link);
	errno = 0;
	EXPECT_EQ(-1, open(path, O_RDWR | O_CLOEXEC));
	EXPECT_EQ(ENXIO, errno);
	errno = 0;
	EXPECT_EQ(-1, open(path, O_RDONLY | O_CLOEXEC));
	EXPECT_EQ(ENXIO, errno);
	data_intact(_metadata, self);
}

/*
 * remap_file_pages() is emulated with do_mmap() of the VMA's file, the
 * domain's pseudo file, which has no ->mmap: ENODEV.  The mapping is left
 * as it was.
 */
TEST_F(mm, remap_file_pages_fails_enodev)
{
	errno = 0;
	EXPECT_EQ(-1, syscall(SYS_remap_file_pages, self->p, 2 * MiB, 0,
			      1, 0));
	EXPECT_EQ(ENODEV, errno);
	errno = 0;
	EXPECT_EQ(-1, syscall(SYS_remap_file_pages, self->p, PAGE, 0, 0, 0));
	EXPECT_EQ(ENODEV, errno);
	data_intact(_metadata, self);
}

/*
 * The same calls on MAP_SHARED | MAP_ANONYMOUS memory (shmem), what a
 * program run under libmshare-preload.so would have had: msync(MS_SYNC),
 * mprotect(), MADV_REMOVE, MREMAP_DONTUNMAP, opening map_files and
 * remap_file_pages() succeed; mlock() locks; MADV_WIPEONFORK is refused
 * the same way.
 */
TEST(shared_anonymous_memory_for_comparison)
{
	long lck = status_kb(0, "VmLck");
	char path[128];
	char *a, *q;
	int fd;

	a = mmap(NULL, DSIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	fill_pattern(a, 0, NPAGES, SEED);
	EXPECT_EQ(0, msync(a, DSIZE, MS_SYNC));
	EXPECT_EQ(0, mprotect(a, DSIZE, PROT_READ));
	EXPECT_EQ(0, mprotect(a, DSIZE, PROT_READ | PROT_WRITE));
	errno = 0;
	EXPECT_EQ(-1, madvise(a, DSIZE, MADV_WIPEONFORK));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, mlock(a, DSIZE));
	EXPECT_EQ(lck + (long)(DSIZE / KiB), status_kb(0, "VmLck"));
	EXPECT_EQ(0, munlock(a, DSIZE));
	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx",
		 (unsigned long)a, (unsigned long)(a + DSIZE));
	fd = open(path, O_RDWR | O_CLOEXEC);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
	q = mremap(a, DSIZE, DSIZE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP,
		   NULL);
	EXPECT_NE(MAP_FAILED, q);
	if (q != MAP_FAILED)
		munmap(q, DSIZE);
	EXPECT_EQ(0, madvise(a, DSIZE, MADV_REMOVE));
	EXPECT_EQ(0, *(volatile uint64_t *)(a + 2 * PAGE));
	/* last: it splits the mapping (page 0 now shows page 1) */
	EXPECT_EQ(0, syscall(SYS_remap_file_pages, a, PAGE, 0, 1, 0));
	munmap(a, DSIZE);
}

TEST_HARNESS_MAIN
