// SPDX-License-Identifier: GPL-2.0
/*
 * Teardown: whatever a process does to its mapping of a domain (unmap it,
 * exit, die by SIGKILL while faulting, move it, try to grow it, madvise
 * it, mprotect it, unmap part of it, exec, fork), the kernel must never zap
 * or free one of the domain's tables through that process.  After each
 * case the test checks that:
 *  - the data written before is intact, seen by another attacher (a fresh
 *    mshare_attacher program, exec'd from next to this test),
 *  - new attachers work (that same program attaches and maps),
 *  - DOMAIN_GET counts no PUD and no PMD links once nobody has it mapped;
 * and the VM runner fails the run if the kernel log shows a bad pmd/pud, a
 * page-table leak, a warning or an oops.
 *
 * The domain is 1 GiB + 8 MiB: the first GiB links at PUD level (THP is
 * not 'never' here), the last 8 MiB as 4 PMD entries, so every case goes
 * through both kinds of link.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
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

#define DSIZE	(1 * GiB + 8 * MiB)
#define NPAGES	(DSIZE / PAGE)

/* ---- the helper program ---- */

/*
 * Run a fresh attacher that maps domain @name, reads every page and checks
 * it against page_pattern(@seed): its exit status (0: attached, all pages
 * good), its count of bad pages in *@bad.
 */
static int fresh_attacher_verifies(const char *name, uint64_t seed,
				   unsigned long long *bad)
{
	char seed_arg[32];
	char *argv[] = { "mshare_attacher", "--domain", (char *)name,
			 "--touch", "read", "--verify", seed_arg, NULL };
	struct attacher_result r;
	pid_t pid;
	FILE *f;
	int fd;

	*bad = ~0ULL;
	snprintf(seed_arg, sizeof(seed_arg), "%" PRIu64, seed);
	pid = spawn_attacher(argv, NULL, &fd);
	if (pid < 0)
		return -1;
	f = fdopen(fd, "r");
	if (!read_attacher_result(f, &r) && r.size == DSIZE)
		*bad = r.bad;
	if (f)
		fclose(f);
	else
		close(fd);
	return wait_exit_code(pid);
}

/* Fork; the child reads @addr; true when the child died of SIGSEGV. */
static int read_segfaults(const void *addr)
{
	int status;
	pid_t pid;

	pid = flush_fork();
	if (pid == 0) {
		(void)*(const volatile char *)addr;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 0;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

/* ---- the fixture ---- */

FIXTURE(td) {
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	char *p;		/* this process's mapping of the domain */
	char *resv;		/* an address-space reservation (mremap targets) */
	size_t resv_len;
	pid_t child;
};

FIXTURE_SETUP(td)
{
	snprintf(self->name, sizeof(self->name), "teardown-%d", getpid());
	self->p = NULL;
	self->resv = NULL;
	self->child = 0;
	ASSERT_EQ(0, nl_open(&self->nl));
}

FIXTURE_TEARDOWN(td)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	if (self->p)
		munmap(self->p, DSIZE);
	if (self->resv)
		munmap(self->resv, self->resv_len);
	mshare_domain_destroy(self->nl, self->name);
	mshare_nl_close(self->nl);
}

static void td_create(struct __test_metadata *_metadata,
		      FIXTURE_DATA(td) *self, unsigned int flags)
{
	struct mshare_domain_info info = MSHARE_INIT(info);

	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE, flags, &info));
	ASSERT_EQ(DSIZE, info.bytes);
}

/* Attach the domain in this process (self->p) and fill it with @seed. */
static void td_attach(struct __test_metadata *_metadata,
		      FIXTURE_DATA(td) *self, int fill_seed)
{
	size_t size;
	void *addr;

	ASSERT_EQ(0, attach_dom(self->name, 0, &addr, &size));
	ASSERT_EQ(DSIZE, size);
	ASSERT_EQ(0, (uintptr_t)addr % (1 * GiB));
	self->p = addr;
	if (fill_seed >= 0)
		fill_pattern(self->p, 0, NPAGES, fill_seed);
}

static void td_unmap(struct __test_metadata *_metadata, FIXTURE_DATA(td) *self)
{
	ASSERT_EQ(0, munmap(self->p, DSIZE));
	self->p = NULL;
}

static void td_links(struct __test_metadata *_metadata, FIXTURE_DATA(td) *self,
		     struct mshare_domain_info *info)
{
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, info));
}

/*
 * Nobody has the domain mapped any more: no links; a fresh attacher maps it
 * and finds page_pattern(@seed) in every page; no links once it has exited.
 */
static void td_check_clean(struct __test_metadata *_metadata,
			   FIXTURE_DATA(td) *self, uint64_t seed)
{
	struct mshare_domain_info info = MSHARE_INIT(info);
	unsigned long long bad;

	ASSERT_EQ(NULL, self->p);
	td_links(_metadata, self, &info);
	EXPECT_EQ(0, info.links_pud);
	EXPECT_EQ(0, info.links_pmd);

	EXPECT_EQ(0, fresh_attacher_verifies(self->name, seed, &bad));
	EXPECT_EQ(0, bad);

	td_links(_metadata, self, &info);
	EXPECT_EQ(0, info.links_pud);
	EXPECT_EQ(0, info.links_pmd);
}

/*
 * The mapping still holds page_pattern(@seed) everywhere and takes
 * page_pattern(@next); then it is unmapped and td_check_clean(@next).
 */
static void td_rewrite_unmap_check(struct __test_metadata *_metadata,
				   FIXTURE_DATA(td) *self, uint64_t seed,
				   uint64_t next)
{
	EXPECT_EQ(0, count_bad(self->p, 0, NPAGES, seed));
	fill_pattern(self->p, 0, NPAGES, next);
	EXPECT_EQ(0, count_bad(self->p, 0, NPAGES, next));
	td_unmap(_metadata, self);
	td_check_clean(_metadata, self, next);
}

/*
 * Fork self->child, which inherits the mapping, with two pipes: once it has
 * done its first part the child says so with td_child_ready(), which waits
 * until the parent, past td_wait_child(), lets it go on with
 * td_release_child().
 */
static void td_fork(struct __test_metadata *_metadata, FIXTURE_DATA(td) *self,
		    int go[2], int ready[2])
{
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	self->child = flush_fork();
	ASSERT_GE(self->child, 0);
}

/* In the child: tell the parent it is ready and wait to go on; 0 or -1. */
static int td_child_ready(int go[2], int ready[2])
{
	char c = 0;

	return write(ready[1], "r", 1) == 1 && read(go[0], &c, 1) == 1 ? 0 : -1;
}

/* In the parent: wait until the child is ready. */
static void td_wait_child(struct __test_metadata *_metadata, int ready[2])
{
	char c = 0;

	ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("the child failed early");
}

/* Let the child go on; it must exit 0.  Closes the pipes. */
static void td_release_child(struct __test_metadata *_metadata,
			     FIXTURE_DATA(td) *self, int go[2], int ready[2])
{
	ASSERT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ(0, wait_exit_code(self->child));
	self->child = 0;
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
}

/* A 3 GiB PROT_NONE reservation and a 1 GiB-aligned address inside it. */
static char *td_reserve(struct __test_metadata *_metadata, FIXTURE_DATA(td) *self)
{
	void *r;

	self->resv_len = 3 * GiB;
	r = mmap(NULL, self->resv_len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	self->resv = r;
	return (char *)(((uintptr_t)r + GiB - 1) & ~(uintptr_t)(GiB - 1));
}

TEST_F_TIMEOUT(td, munmap_whole_mapping_keeps_domain, 120)
{
	struct mshare_domain_info info = MSHARE_INIT(info);

	td_create(_metadata, self, MSHARE_DOMAIN_F_PREFAULT);
	td_attach(_metadata, self, 11);
	td_links(_metadata, self, &info);
	EXPECT_NE(0, info.links_pud + info.links_pmd);
	td_unmap(_metadata, self);
	td_check_clean(_metadata, self, 11);
}

TEST_F_TIMEOUT(td, process_exit_keeps_domain, 120)
{
	char *argv[] = { "mshare_attacher", "--domain", self->name,
			 "--touch", "write", "--fill", "12", NULL };
	pid_t pid;

	td_create(_metadata, self, MSHARE_DOMAIN_F_PREFAULT);
	/* It writes every page and exits with the mapping still in place ... */
	pid = spawn_attacher(argv, NULL, NULL);
	ASSERT_GT(pid, 0);
	EXPECT_EQ(0, wait_exit_code(pid));
	/* ... and again while this process has it mapped too. */
	td_attach(_metadata, self, -1);
	EXPECT_EQ(0, count_bad(self->p, 0, NPAGES, 12));
	pid = spawn_attacher(argv, NULL, NULL);
	ASSERT_GT(pid, 0);
	EXPECT_EQ(0, wait_exit_code(pid));
	EXPECT_EQ(0, count_bad(self->p, 0, NPAGES, 12));
	td_unmap(_metadata, self);
	td_check_clean(_metadata, self, 12);
}

/*
 * Children that map a domain that is not populated and write every page
 * (each write faulting a page into the domain) are killed at random points.
 * Pages are either what this process wrote first, what the children write
 * (the same pattern), or still zero; nothing else.
 */
TEST_F_TIMEOUT(td, sigkill_while_faulting_keeps_domain, 240)
{
	enum { ROUNDS = 3, KIDS = 6 };
	char *argv[] = { "mshare_attacher", "--domain", self->name,
			 "--touch", "write", "--fill", "13", NULL };
	const uint64_t first = NPAGES / 8;	/* written before the kills */
	struct mshare_domain_info info = MSHARE_INIT(info);
	uint64_t i, bad = 0, zero = 0;
	pid_t pids[KIDS];
	int round, k;

	srand(getpid() ^ time(NULL));
	td_create(_metadata, self, 0);
	td_attach(_metadata, self, -1);
	fill_pattern(self->p, 0, first, 13);

	for (round = 0; round < ROUNDS; round++) {
		unsigned int at[KIDS], now = 0, t;

		/* Round 0 runs with this process unmapped, the others mapped. */
		if (round == 0)
			td_unmap(_metadata, self);
		else if (!self->p)
			td_attach(_metadata, self, -1);
		/* Kill times, ms after the start, in ascending order. */
		for (k = 0; k < KIDS; k++) {
			at[k] = rand() % 2000;
			for (i = k; i > 0 && at[i - 1] > at[i]; i--) {
				t = at[i];
				at[i] = at[i - 1];
				at[i - 1] = t;
			}
		}
		for (k = 0; k < KIDS; k++) {
			pids[k] = spawn_attacher(argv, NULL, NULL);
			ASSERT_GT(pids[k], 0);
		}
		for (k = 0; k < KIDS; k++) {
			usleep((at[k] - now) * 1000);
			now = at[k];
			kill(pids[k], SIGKILL);
		}
		for (k = 0; k < KIDS; k++)
			EXPECT_NE(-1, wait_exit_code(pids[k]));
		td_links(_metadata, self, &info);
		TH_LOG("round %d: killed at %u..%u ms; resident %" PRIu64 " of %llu pages",
		       round, at[0], at[KIDS - 1], info.resident, NPAGES);
	}

	td_unmap(_metadata, self);
	td_links(_metadata, self, &info);
	EXPECT_EQ(0, info.links_pud);
	EXPECT_EQ(0, info.links_pmd);

	td_attach(_metadata, self, -1);
	for (i = 0; i < NPAGES; i++) {
		uint64_t v = *(volatile uint64_t *)(self->p + i * PAGE);

		if (v == page_pattern(13, i))
			continue;
		if (v == 0 && i >= first)
			zero++;
		else
			bad++;
	}
	TH_LOG("%" PRIu64 " pages still zero", zero);
	EXPECT_EQ(0, bad);
	fill_pattern(self->p, first, NPAGES, 13);
	td_unmap(_metadata, self);
	td_check_clean(_metadata, self, 13);
}

static void td_move_whole(struct __test_metadata *_metadata,
			  FIXTURE_DATA(td) *self, uintptr_t misalign)
{
	char *target, *old, *moved;

	td_create(_metadata, self, MSHARE_DOMAIN_F_PREFAULT);
	td_attach(_metadata, self, 14);
	target = td_reserve(_metadata, self) + misalign;
	old = self->p;
	moved = mremap(old, DSIZE, DSIZE, MREMAP_MAYMOVE | MREMAP_FIXED, target);
	ASSERT_EQ(target, moved) TH_LOG("mremap: %s", strerror(errno));
	self->p = moved;
	EXPECT_EQ(0, count_bad(self->p, 0, NPAGES, 14));
	EXPECT_TRUE(read_segfaults(old));
	EXPECT_TRUE(read_segfaults(old + DSIZE - PAGE));
	fill_pattern(self->p, 0, NPAGES, 15);
	EXPECT_EQ(0, count_bad(self->p, 0, NPAGES, 15));
	td_unmap(_metadata, self);
	td_check_clean(_metadata, self, 15);
}

TEST_F_TIMEOUT(td, mremap_whole_to_1g_aligned_address_moves_data, 120)
{
	td_move_whole(_metadata, self, 0);
}

/* 2 MiB- but not 1 GiB-aligned: the first GiB can no longer link at PUD. */
TEST_F_TIMEOUT(td, mremap_whole_to_2m_aligned_address_moves_data, 120)
{
	td_move_whole(_metadata, self, 2 * MiB);
}

TEST_F_TIMEOUT(td, mremap_to_unaligned_target_fails_einval, 120)
{
	char *target;

	td_create(_metadata, self, MSHARE_DOMAIN_F_PREFAULT);
	td_attach(_metadata, self, 16);
	target = td_reserve(_metadata, self) + PAGE;
	EXPECT_EQ(MAP_FAILED, mremap(self->p, DSIZE, DSIZE,
				     MREMAP_MAYMOVE | MREMAP_FIXED, target));
	EXPECT_EQ(EINVAL, errno);
	/* The old mapping still works, for reading and writing. */
	td_rewrite_unmap_check(_metadata, self, 16, 17);
}

TEST_F_TIMEOUT(td, mremap_grow_fails_efault, 120)
{
	td_create(_metadata, self, MSHARE_DOMAIN_F_PREFAULT);
	td_attach(_metadata, self, 18);
	EXPECT_EQ(MAP_FAILED, mremap(self->p, DSIZE, DSIZE + 2 * MiB, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(MAP_FAILED, mremap(self->p, DSIZE, DSIZE + 2 * MiB, MREMAP_MAYMOVE));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, count_bad(self->p, 0, NPAGES, 18));
	td_unmap(_metadata, self);
	td_check_clean(_metadata, self, 18);
}

/*
 * MADV_DONTNEED drops a private mapping's pages; this memory is shared and
 * the domain keeps it, so touching the range again shows the old data, not
 * zeros.  Whether the call itself succeeds or is refused (EINVAL, as for
 * other special mappings) the ABI leaves open; the data must stay either way.
 */
TEST_F_TIMEOUT(td, madvise_dontneed_keeps_data, 120)
{
	static const struct { uint64_t off, len; } ranges[] = {
		{ 256 * MiB, 8 * MiB },			/* 2 MiB-aligned, first GiB */
		{ 512 * MiB + PAGE, 3 * PAGE },		/* inside one PTE table */
		{ 1 * GiB + 2 * MiB, 2 * MiB },		/* the PMD-linked tail */
		{ 0, DSIZE },				/* all of it */
	};
	unsigned int r;

	td_create(_metadata, self, MSHARE_DOMAIN_F_PREFAULT);
	td_attach(_metadata, self, 19);
	for (r = 0; r < ARRAY_SIZE(ranges); r++) {
		int ret = madvise(self->p + ranges[r].off, ranges[r].len, MADV_DONTNEED);

		if (ret)
			EXPECT_EQ(EINVAL, errno);
		TH_LOG("MADV_DONTNEED [%#" PRIx64 ", +%#" PRIx64 "): %s", ranges[r].off,
		       ranges[r].len, ret ? strerror(errno) : "ok");
		EXPECT_EQ(0, count_bad(self->p, 0, NPAGES, 19)) TH_LOG("range %u", r);
	}
	td_unmap(_metadata, self);
	td_check_clean(_metadata, self, 19);
}

TEST_F_TIMEOUT(td, mprotect_fails_eacces, 120)
{
	static const int prots[] = { PROT_READ, PROT_NONE, PROT_WRITE,
				     PROT_READ | PROT_WRITE | PROT_EXEC };
	unsigned int i;

	td_create(_metadata, self, MSHARE_DOMAIN_F_PREFAULT);
	td_attach(_metadata, self, 20);
	for (i = 0; i < ARRAY_SIZE(prots); i++) {
		EXPECT_EQ(-1, mprotect(self->p, DSIZE, prots[i]));
		EXPECT_EQ(EACCES, errno);
		EXPECT_EQ(-1, mprotect(self->p + 2 * MiB, 2 * MiB, prots[i]));
		EXPECT_EQ(EACCES, errno);
		EXPECT_EQ(-1, mprotect(self->p + 1 * GiB, PAGE, prots[i]));
		EXPECT_EQ(EACCES, errno);
	}
	/* Still readable and writable everywhere. */
	td_rewrite_unmap_check(_metadata, self, 20, 21);
}

/*
 * Unmapping 2 MiB in the middle of the PUD-linked GiB and 2 MiB of the tail:
 * the rest still reads and writes, the holes fault, and the domain keeps
 * the holes' data (the fresh attacher sees it).
 */
TEST_F_TIMEOUT(td, partial_munmap_2m_piece_keeps_rest, 120)
{
	const uint64_t h1 = 512 * MiB / PAGE, h2 = (1 * GiB + 4 * MiB) / PAGE;
	const uint64_t hn = 2 * MiB / PAGE;
	struct mshare_domain_info info = MSHARE_INIT(info);

	td_create(_metadata, self, MSHARE_DOMAIN_F_PREFAULT);
	td_attach(_metadata, self, 22);
	ASSERT_EQ(0, munmap(self->p + h1 * PAGE, 2 * MiB));
	ASSERT_EQ(0, munmap(self->p + h2 * PAGE, 2 * MiB));

	EXPECT_EQ(0, count_bad(self->p, 0, h1, 22));
	EXPECT_EQ(0, count_bad(self->p, h1 + hn, h2, 22));
	EXPECT_EQ(0, count_bad(self->p, h2 + hn, NPAGES, 22));
	/* Writable: write the same words again, then read them back. */
	fill_pattern(self->p, 0, h1, 22);
	fill_pattern(self->p, h1 + hn, h2, 22);
	fill_pattern(self->p, h2 + hn, NPAGES, 22);
	EXPECT_EQ(0, count_bad(self->p, 0, h1, 22));
	EXPECT_EQ(0, count_bad(self->p, h1 + hn, h2, 22));
	EXPECT_EQ(0, count_bad(self->p, h2 + hn, NPAGES, 22));

	EXPECT_TRUE(read_segfaults(self->p + h1 * PAGE));
	EXPECT_TRUE(read_segfaults(self->p + (h1 + hn) * PAGE - 1));
	EXPECT_TRUE(read_segfaults(self->p + h2 * PAGE));
	EXPECT_TRUE(read_segfaults(self->p + (h2 + hn) * PAGE - 1));

	td_links(_metadata, self, &info);
	TH_LOG("links with two holes: pud %u pmd %u", info.links_pud, info.links_pmd);
	td_unmap(_metadata, self);	/* the three pieces left */
	td_check_clean(_metadata, self, 22);
}

TEST_F_TIMEOUT(td, partial_munmap_unaligned_fails_einval, 120)
{
	static const struct { uint64_t off, len; } cuts[] = {
		{ 512 * MiB + PAGE, 2 * MiB },	/* start not 2 MiB-aligned */
		{ 4 * MiB, PAGE },		/* end not 2 MiB-aligned */
		{ 1 * GiB + 2 * MiB + 2 * PAGE, PAGE },
		{ 0, DSIZE - PAGE },
		{ PAGE, DSIZE - PAGE },
	};
	unsigned int c;

	td_create(_metadata, self, MSHARE_DOMAIN_F_PREFAULT);
	td_attach(_metadata, self, 24);
	for (c = 0; c < ARRAY_SIZE(cuts); c++) {
		EXPECT_EQ(-1, munmap(self->p + cuts[c].off, cuts[c].len))
			TH_LOG("cut %u", c);
		EXPECT_EQ(EINVAL, errno);
	}
	/* Nothing was unmapped. */
	EXPECT_EQ(0, count_bad(self->p, 0, NPAGES, 24));
	fill_pattern(self->p, 0, NPAGES, 24);
	td_unmap(_metadata, self);
	td_check_clean(_metadata, self, 24);
}

/* exec replaces an mm that has the domain mapped (and touched). */
TEST_F_TIMEOUT(td, exec_with_mapping_is_clean, 120)
{
	char *argv_true[] = { "true", NULL };
	char *argv_helper[] = { "mshare_attacher", "--domain", self->name,
				"--touch", "read", "--verify", "25", NULL };
	int which;

	td_create(_metadata, self, MSHARE_DOMAIN_F_PREFAULT);
	for (which = 0; which < 2; which++) {
		pid_t pid;

		pid = flush_fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			size_t size;
			void *addr;

			if (attach_dom(self->name, 0, &addr, &size) || size != DSIZE)
				_exit(10);
			fill_pattern(addr, 0, NPAGES, 25);
			/* Keep the helper's report out of the TAP output. */
			if (dup2(open("/dev/null", O_WRONLY | O_CLOEXEC),
				 STDOUT_FILENO) < 0)
				_exit(12);
			if (which == 0)
				execv("/bin/true", argv_true);
			else
				execv(helper_path(), argv_helper);
			_exit(11);
		}
		EXPECT_EQ(0, wait_exit_code(pid)) TH_LOG("exec of %s",
			which ? "mshare_attacher" : "/bin/true");
	}
	td_check_clean(_metadata, self, 25);
}

/*
 * fork: the child inherits the mapping.  Its page tables are not copied at
 * fork (inherit-by-relink): on its first touch the child links its own PUD
 * and PMD entries to the domain's tables, so it reads the parent's data and
 * the parent reads what the child writes.
 */
TEST_F_TIMEOUT(td, fork_child_inherits_mapping, 120)
{
	struct mshare_domain_info info = MSHARE_INIT(info);
	int go[2], ready[2];

	td_create(_metadata, self, MSHARE_DOMAIN_F_PREFAULT);
	td_attach(_metadata, self, 26);
	td_fork(_metadata, self, go, ready);
	if (self->child == 0) {
		if (count_bad(self->p, 0, NPAGES, 26))
			_exit(1);
		fill_pattern(self->p, 0, NPAGES, 27);
		if (td_child_ready(go, ready))
			_exit(2);
		_exit(0);
	}
	td_wait_child(_metadata, ready);
	/*
	 * Both processes have touched it all, so both link all of it: count
	 * the 2 MiB units the links cover (a PUD link covers 512).
	 */
	td_links(_metadata, self, &info);
	EXPECT_GE(info.links_pud * 512ULL + info.links_pmd, 2 * (DSIZE / (2 * MiB)))
		TH_LOG("links: pud %u pmd %u", info.links_pud, info.links_pmd);
	EXPECT_EQ(0, count_bad(self->p, 0, NPAGES, 27));
	td_release_child(_metadata, self, go, ready);
	/* The child's exit took nothing from the parent. */
	EXPECT_EQ(0, count_bad(self->p, 0, NPAGES, 27));
	td_unmap(_metadata, self);
	td_check_clean(_metadata, self, 27);
}

TEST_F_TIMEOUT(td, fork_then_parent_unmaps_child_still_works, 120)
{
	int go[2], ready[2];

	td_create(_metadata, self, MSHARE_DOMAIN_F_PREFAULT);
	td_attach(_metadata, self, 28);
	td_fork(_metadata, self, go, ready);
	if (self->child == 0) {
		/* Touch half of it before the parent unmaps, all of it after. */
		if (count_bad(self->p, 0, NPAGES / 2, 28))
			_exit(1);
		if (td_child_ready(go, ready))
			_exit(2);
		if (count_bad(self->p, 0, NPAGES, 28))
			_exit(3);
		fill_pattern(self->p, 0, NPAGES, 29);
		if (count_bad(self->p, 0, NPAGES, 29))
			_exit(4);
		_exit(0);
	}
	td_wait_child(_metadata, ready);
	td_unmap(_metadata, self);
	td_release_child(_metadata, self, go, ready);
	td_check_clean(_metadata, self, 29);
}

TEST_HARNESS_MAIN
