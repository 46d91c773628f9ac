// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/mshare attach path: MSHARE_IOC_ATTACH, MSHARE_IOC_INFO and mmap()
 * of an attached descriptor, raw and through libmshare's mshare_attach():
 * every documented error, the happy paths, coherence between two processes
 * on two CPUs, and the per-domain owner/group/other permission check.
 * Each test works on its own domain ("at-<pid>...") and destroys it.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mshare.h"
#include "mshare_util.h"
#include "kselftest_harness.h"

#define DOM_SIZE	(4 * MiB)
#define MAX_MAPS	4

/* --- helpers ----------------------------------------------------------- */

static int info_fd(int fd, struct mshare_info *info)
{
	return ioctl(fd, MSHARE_IOC_INFO, info) ? errno : 0;
}

FIXTURE(att) {
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	struct mshare_domain_info dom;
	int fd;
	struct {
		void *addr;
		size_t len;
	} map[MAX_MAPS];
	int nmaps;
};

/* mmap() that remembers a success for teardown: 0 or errno. */
static int map(FIXTURE_DATA(att) *self, void *addr, size_t len, int prot,
	       int flags, int fd, off_t off, void **out)
{
	void *p = mmap(addr, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return errno;
	if (self->nmaps < MAX_MAPS) {
		self->map[self->nmaps].addr = p;
		self->map[self->nmaps].len = len;
		self->nmaps++;
	}
	if (out)
		*out = p;
	return 0;
}

/* The whole attached domain, shared read-write, anywhere: 0 or errno. */
static int map_domain(FIXTURE_DATA(att) *self, void **out)
{
	return map(self, NULL, DOM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0, out);
}

FIXTURE_SETUP(att)
{
	self->fd = -1;
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "at-%d", (int)getpid());
	self->dom.size = sizeof(self->dom);
	ASSERT_EQ(0, mshare_domain_create(self->nl, self->name, DOM_SIZE,
					  NULL, &self->dom));
	self->fd = open_dev();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(att)
{
	while (self->nmaps > 0) {
		self->nmaps--;
		munmap(self->map[self->nmaps].addr, self->map[self->nmaps].len);
	}
	if (self->fd >= 0)
		close(self->fd);
	mshare_domain_destroy(self->nl, self->name);
	mshare_nl_close(self->nl);
}

/* --- ATTACH errors ----------------------------------------------------- */

TEST_F(att, attach_unknown_name_fails_with_enoent)
{
	char name[MSHARE_NAME_MAX];

	snprintf(name, sizeof(name), "at-%d-nope", (int)getpid());
	EXPECT_EQ(ENOENT, attach_fd(self->fd, name));
}

TEST_F(att, attach_after_destroy_fails_with_enoent)
{
	ASSERT_EQ(0, mshare_domain_destroy(self->nl, self->name));
	EXPECT_EQ(ENOENT, attach_fd(self->fd, self->name));
}

TEST_F(att, failed_attach_leaves_descriptor_unattached)
{
	struct mshare_info info;
	char name[MSHARE_NAME_MAX];

	snprintf(name, sizeof(name), "at-%d-nope", (int)getpid());
	ASSERT_EQ(ENOENT, attach_fd(self->fd, name));
	EXPECT_EQ(EINVAL, info_fd(self->fd, &info));
	EXPECT_EQ(0, attach_fd(self->fd, self->name));
	EXPECT_EQ(0, info_fd(self->fd, &info));
}

TEST_F(att, attach_name_not_nul_terminated_fails_with_einval)
{
	struct mshare_attach at;
	size_t len = strlen(self->name);

	/* the domain's own name, then non-NUL bytes to the very end */
	memset(&at, 0, sizeof(at));
	memcpy(at.name, self->name, len);
	memset(at.name + len, 'x', sizeof(at.name) - len);
	EXPECT_EQ(-1, ioctl(self->fd, MSHARE_IOC_ATTACH, &at));
	EXPECT_EQ(EINVAL, errno);

	memset(at.name, 'a', sizeof(at.name));
	EXPECT_EQ(-1, ioctl(self->fd, MSHARE_IOC_ATTACH, &at));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(att, attach_invalid_name_fails_with_einval)
{
	static const char *const bad[] = {
		"", "at-a/b", "at-a b", "at-a:b", "at-caf\xc3\xa9", "at-a\nb",
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(EINVAL, attach_fd(self->fd, bad[i])) {
			TH_LOG("name \"%s\"", bad[i]);
		}
	}
}

TEST_F(att, attach_nonzero_flags_fails_with_einval)
{
	struct mshare_attach at;

	attach_req(&at, self->name);
	at.flags = 1U << 1;	/* bit 0 is MSHARE_ATTACH_F_RDONLY */
	EXPECT_EQ(-1, ioctl(self->fd, MSHARE_IOC_ATTACH, &at));
	EXPECT_EQ(EINVAL, errno);
	at.flags = 1U << 31;
	EXPECT_EQ(-1, ioctl(self->fd, MSHARE_IOC_ATTACH, &at));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(att, attach_nonzero_reserved_fails_with_einval)
{
	struct mshare_attach at;

	attach_req(&at, self->name);
	at.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MSHARE_IOC_ATTACH, &at));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(att, mshare_attach_with_nonzero_flags_fails_with_einval)
{
	void *addr = NULL;
	size_t size = 0;

	EXPECT_EQ(-EINVAL, attach_dom(self->name, 1U << 1, &addr, &size));
}

TEST_F(att, attach_twice_fails_with_ebusy)
{
	struct mshare_info info;

	ASSERT_EQ(0, attach_fd(self->fd, self->name));
	EXPECT_EQ(EBUSY, attach_fd(self->fd, self->name));
	/* still attached to the first */
	ASSERT_EQ(0, info_fd(self->fd, &info));
	EXPECT_EQ(self->dom.id, info.id);
}

/* --- INFO ---------------------------------------------------------------- */

TEST_F(att, info_before_attach_fails_with_einval)
{
	struct mshare_info info;

	EXPECT_EQ(EINVAL, info_fd(self->fd, &info));
}

TEST_F(att, info_matches_domain_get)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	struct mshare_info info;

	ASSERT_EQ(0, attach_fd(self->fd, self->name));
	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, info_fd(self->fd, &info));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(d.bytes, info.size);
	EXPECT_EQ(DOM_SIZE, info.size);
	EXPECT_EQ(d.id, info.id);
	EXPECT_EQ(d.flags, info.flags);
	ASSERT_NE(NULL, memchr(info.name, 0, sizeof(info.name)));
	EXPECT_STREQ(d.name, info.name);
	EXPECT_STREQ(self->name, info.name);
}

TEST_F(att, domain_attached_counts_attached_descriptors)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	int fd2;

	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(0, d.attached);
	ASSERT_EQ(0, attach_fd(self->fd, self->name));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(1, d.attached);

	fd2 = open_dev();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, attach_fd(fd2, self->name));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(2, d.attached);
	close(fd2);

	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(0, d.attached);
}

/* --- mmap errors ------------------------------------------------------- */

TEST_F(att, mmap_before_attach_fails_with_einval)
{
	EXPECT_EQ(EINVAL, map_domain(self, NULL));
}

TEST_F(att, mmap_wrong_length_fails_with_einval)
{
	const size_t lens[] = {
		DOM_SIZE - 2 * MiB, DOM_SIZE + 2 * MiB, DOM_SIZE - PAGE,
		PAGE,
	};
	unsigned int i;

	ASSERT_EQ(0, attach_fd(self->fd, self->name));
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		EXPECT_EQ(EINVAL, map(self, NULL, lens[i], PROT_READ | PROT_WRITE,
				      MAP_SHARED, self->fd, 0, NULL)) {
			TH_LOG("length %#zx", lens[i]);
		}
	}
}

TEST_F(att, mmap_nonzero_offset_fails_with_einval)
{
	const off_t offs[] = { PAGE, 2 * MiB };
	unsigned int i;

	ASSERT_EQ(0, attach_fd(self->fd, self->name));
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		EXPECT_EQ(EINVAL, map(self, NULL, DOM_SIZE, PROT_READ | PROT_WRITE,
				      MAP_SHARED, self->fd, offs[i], NULL)) {
			TH_LOG("offset %#llx", (unsigned long long)offs[i]);
		}
	}
}

TEST_F(att, mmap_private_fails_with_einval)
{
	ASSERT_EQ(0, attach_fd(self->fd, self->name));
	EXPECT_EQ(EINVAL, map(self, NULL, DOM_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE, self->fd, 0, NULL));
}

/* A PROT_NONE reservation with a 2 MiB-aligned address inside. */
static char *reserve(FIXTURE_DATA(att) *self)
{
	void *p = NULL;

	if (map(self, NULL, DOM_SIZE + 4 * MiB, PROT_NONE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0, &p))
		return NULL;
	return (char *)(((uintptr_t)p + 2 * MiB - 1) & ~(uintptr_t)(2 * MiB - 1));
}

TEST_F(att, mmap_fixed_not_2mib_aligned_fails_with_einval)
{
	char *aligned = NULL;

	ASSERT_EQ(0, attach_fd(self->fd, self->name));
	aligned = reserve(self);
	ASSERT_NE(NULL, aligned);
	EXPECT_EQ(EINVAL, map(self, aligned + PAGE, DOM_SIZE,
			      PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			      self->fd, 0, NULL));
	EXPECT_EQ(EINVAL, map(self, aligned + 1 * MiB, DOM_SIZE,
			      PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			      self->fd, 0, NULL));
}

TEST_F(att, mmap_fixed_2mib_aligned_works)
{
	uint64_t *fixed = NULL, *other = NULL;
	char *aligned = NULL;

	ASSERT_EQ(0, attach_fd(self->fd, self->name));
	aligned = reserve(self);
	ASSERT_NE(NULL, aligned);
	ASSERT_EQ(0, map(self, aligned, DOM_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, self->fd, 0, (void **)&fixed));
	EXPECT_EQ((void *)aligned, (void *)fixed);
	fixed[0] = 0x1122334455667788ULL;
	fixed[DOM_SIZE / 8 - 1] = 0x8877665544332211ULL;
	ASSERT_EQ(0, map_domain(self, (void **)&other));
	EXPECT_EQ(0x1122334455667788ULL, other[0]);
	EXPECT_EQ(0x8877665544332211ULL, other[DOM_SIZE / 8 - 1]);
}

TEST_F(att, mmap_prot_exec_fails_with_eacces)
{
	ASSERT_EQ(0, attach_fd(self->fd, self->name));
	EXPECT_EQ(EACCES, map(self, NULL, DOM_SIZE,
			      PROT_READ | PROT_WRITE | PROT_EXEC, MAP_SHARED,
			      self->fd, 0, NULL));
}

TEST_F(att, mmap_read_only_fails_with_eacces)
{
	ASSERT_EQ(0, attach_fd(self->fd, self->name));
	EXPECT_EQ(EACCES, map(self, NULL, DOM_SIZE, PROT_READ, MAP_SHARED,
			      self->fd, 0, NULL));
}

TEST_F(att, mmap_write_only_fails_with_eacces)
{
	ASSERT_EQ(0, attach_fd(self->fd, self->name));
	EXPECT_EQ(EACCES, map(self, NULL, DOM_SIZE, PROT_WRITE, MAP_SHARED,
			      self->fd, 0, NULL));
}

TEST_F(att, mprotect_read_only_fails_with_eacces)
{
	volatile uint64_t *p = NULL;

	ASSERT_EQ(0, attach_fd(self->fd, self->name));
	ASSERT_EQ(0, map_domain(self, (void **)&p));
	EXPECT_EQ(-1, mprotect((void *)p, DOM_SIZE, PROT_READ));
	EXPECT_EQ(EACCES, errno);
	/* still writable */
	p[1] = 42;
	EXPECT_EQ(42, p[1]);
}

/* --- mapping ----------------------------------------------------------- */

TEST_F(att, mmap_address_is_1gib_aligned)
{
	void *p = NULL;

	ASSERT_EQ(0, attach_fd(self->fd, self->name));
	ASSERT_EQ(0, map_domain(self, &p));
	EXPECT_EQ(0, (uintptr_t)p & (GiB - 1)) {
		TH_LOG("address %p", p);
	}
}

TEST_F(att, new_domain_reads_as_zeros)
{
	const size_t offs[] = { 0, PAGE + 8, 2 * MiB - 8, 2 * MiB,
				DOM_SIZE - 8 };
	uint64_t *p = NULL;
	unsigned int i;

	ASSERT_EQ(0, attach_fd(self->fd, self->name));
	ASSERT_EQ(0, map_domain(self, (void **)&p));
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		EXPECT_EQ(0, p[offs[i] / 8]);
}

TEST_F(att, one_fd_mapped_twice_shows_the_same_data)
{
	const size_t offs[] = { 0, PAGE + 8, 2 * MiB - 8, 2 * MiB,
				3 * MiB + 64, DOM_SIZE - 8 };
	volatile uint64_t *a = NULL, *b = NULL;
	unsigned int i;

	ASSERT_EQ(0, attach_fd(self->fd, self->name));
	ASSERT_EQ(0, map_domain(self, (void **)&a));
	ASSERT_EQ(0, map_domain(self, (void **)&b));
	ASSERT_NE(a, b);
	EXPECT_EQ(0, (uintptr_t)b & (GiB - 1));
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		a[offs[i] / 8] = 0xa000 + i;
		EXPECT_EQ(0xa000 + i, b[offs[i] / 8]);
		b[offs[i] / 8] = 0xb000 + i;
		EXPECT_EQ(0xb000 + i, a[offs[i] / 8]);
	}
}

TEST_F(att, mshare_attach_maps_the_whole_domain)
{
	volatile uint64_t *a = NULL, *b = NULL;
	size_t sa = 0, sb = 0;

	ASSERT_EQ(0, attach_dom(self->name, 0, (void **)&a, &sa));
	self->map[self->nmaps].addr = (void *)a;
	self->map[self->nmaps++].len = sa;
	EXPECT_EQ(DOM_SIZE, sa);
	EXPECT_EQ(0, (uintptr_t)a & (GiB - 1));

	ASSERT_EQ(0, attach_dom(self->name, 0, (void **)&b, &sb));
	self->map[self->nmaps].addr = (void *)b;
	self->map[self->nmaps++].len = sb;
	EXPECT_EQ(DOM_SIZE, sb);

	a[0] = 7;
	a[DOM_SIZE / 8 - 1] = 9;
	EXPECT_EQ(7, b[0]);
	EXPECT_EQ(9, b[DOM_SIZE / 8 - 1]);

	/* the descriptor is closed: the mappings alone keep the memory */
	self->nmaps--;
	EXPECT_EQ(0, mshare_detach((void *)b, sb));
	EXPECT_EQ(7, a[0]);
	self->nmaps--;
	EXPECT_EQ(0, mshare_detach((void *)a, sa));
}

/* --- coherence between two processes on two CPUs ----------------------- */

#define PP_ROUNDS	200
#define PP_DEADLINE_S	60

static const size_t pp_offs[] = {
	0, PAGE + 64, 2 * MiB - 8, 2 * MiB, 3 * MiB + 128, DOM_SIZE - 8,
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * One side of the ping-pong, in a child: pin to @cpu, attach by itself,
 * then at each offset alternate with the other side: side @parity waits for
 * the counter to reach 2*i + parity and stores 2*i + parity + 1.  Returns
 * 0 or a code saying what went wrong.
 */
static int pingpong(const char *name, int cpu, int parity)
{
	double deadline;
	cpu_set_t set;
	unsigned int k, i;
	size_t size;
	void *p = NULL;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return 10;
	if (sched_getcpu() != cpu)
		return 11;
	if (attach_dom(name, 0, &p, &size))
		return 12;
	if (size != DOM_SIZE)
		return 13;
	deadline = now() + PP_DEADLINE_S;
	for (k = 0; k < sizeof(pp_offs) / sizeof(pp_offs[0]); k++) {
		uint64_t *c = (uint64_t *)((char *)p + pp_offs[k]);

		for (i = 0; i < PP_ROUNDS; i++) {
			uint64_t want = 2 * i + parity, v;
			unsigned long spins = 0;

			while ((v = __atomic_load_n(c, __ATOMIC_ACQUIRE)) != want) {
				if (v + 1 != want)
					return 14;	/* a value never written */
				if (++spins % 4096 == 0 && now() > deadline)
					return 15;	/* the other side's write never came */
			}
			__atomic_store_n(c, want + 1, __ATOMIC_RELEASE);
		}
	}
	if (mshare_detach(p, size))
		return 16;
	return 0;
}

TEST_F_TIMEOUT(att, two_processes_on_two_cpus_see_each_others_writes_at_once,
	       2 * PP_DEADLINE_S + 30)
{
	pid_t pid[2];
	cpu_set_t set;
	uint64_t *p = NULL;
	size_t size;
	unsigned int k;
	int s, status;

	ASSERT_EQ(0, sched_getaffinity(0, sizeof(set), &set));
	if (!CPU_ISSET(0, &set) || !CPU_ISSET(1, &set))
		SKIP(return, "needs CPUs 0 and 1");

	/* both fork before either attaches */
	for (s = 0; s < 2; s++) {
		pid[s] = fork();
		ASSERT_LE(0, pid[s]);
		if (pid[s] == 0)
			_exit(pingpong(self->name, s, s));
	}
	for (s = 0; s < 2; s++) {
		ASSERT_EQ(pid[s], waitpid(pid[s], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) {
			TH_LOG("side %d (CPU %d) failed with code %d", s, s,
			       WEXITSTATUS(status));
		}
	}

	/* a third process sees the final count everywhere */
	ASSERT_EQ(0, attach_dom(self->name, 0, (void **)&p, &size));
	self->map[self->nmaps].addr = p;
	self->map[self->nmaps++].len = size;
	for (k = 0; k < sizeof(pp_offs) / sizeof(pp_offs[0]); k++)
		EXPECT_EQ(2 * PP_ROUNDS, p[pp_offs[k] / 8]) {
			TH_LOG("offset %#zx", pp_offs[k]);
		}
}

/* --- permissions: table-driven ----------------------------------------- */

FIXTURE(perm) {
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
};

FIXTURE_VARIANT(perm) {
	int mode, uid, gid;	/* the domain's; -1: not given (0600, root) */
	uid_t cuid;		/* the child's ids */
	gid_t cgid;
	int err;		/* what attach in the child gives: 0 or errno */
};

FIXTURE_VARIANT_ADD(perm, default_0600_root_owned_denies_other) {
	.mode = -1, .uid = -1, .gid = -1,
	.cuid = 65534, .cgid = 65534, .err = EACCES,
};
FIXTURE_VARIANT_ADD(perm, mode_0666_allows_other) {
	.mode = 0666, .uid = -1, .gid = -1,
	.cuid = 65534, .cgid = 65534, .err = 0,
};
FIXTURE_VARIANT_ADD(perm, mode_0644_denies_other_without_write) {
	.mode = 0644, .uid = -1, .gid = -1,
	.cuid = 65534, .cgid = 65534, .err = EACCES,
};
FIXTURE_VARIANT_ADD(perm, mode_0600_uid_65534_allows_owner) {
	.mode = 0600, .uid = 65534, .gid = -1,
	.cuid = 65534, .cgid = 65534, .err = 0,
};
FIXTURE_VARIANT_ADD(perm, mode_0060_gid_65534_allows_group_member) {
	.mode = 0060, .uid = -1, .gid = 65534,
	.cuid = 1234, .cgid = 65534, .err = 0,
};
FIXTURE_VARIANT_ADD(perm, mode_0060_gid_65534_denies_nonmember) {
	.mode = 0060, .uid = -1, .gid = 65534,
	.cuid = 1234, .cgid = 1234, .err = EACCES,
};
FIXTURE_VARIANT_ADD(perm, mode_0060_owner_class_wins_over_group) {
	.mode = 0060, .uid = 65534, .gid = 65534,
	.cuid = 65534, .cgid = 65534, .err = EACCES,
};

FIXTURE_SETUP(perm)
{
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;

	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "at-%d-perm", (int)getpid());
	opts.mode = variant->mode;
	opts.uid = variant->uid;
	opts.gid = variant->gid;
	ASSERT_EQ(0, mshare_domain_create(self->nl, self->name, 2 * MiB,
					  &opts, NULL));
}

FIXTURE_TEARDOWN(perm)
{
	mshare_domain_destroy(self->nl, self->name);
	mshare_nl_close(self->nl);
}

/* In a child with the given ids: attach, and if that works map and use it. */
static int attach_as(const char *name, uid_t uid, gid_t gid)
{
	volatile uint64_t *p = NULL;
	struct mshare_info info;
	int fd, err;

	if (setgroups(0, NULL) || setgid(gid) || setuid(uid))
		return 201;
	if (getuid() != uid || getegid() != gid)
		return 202;
	fd = open_dev();
	if (fd < 0)
		return 203;
	err = attach_fd(fd, name);
	if (err)
		return err;
	if (info_fd(fd, &info) || info.size != 2 * MiB)
		return 204;
	p = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 205;
	p[3] = 0x5eed;
	if (p[3] != 0x5eed)
		return 206;
	if (munmap((void *)p, info.size))
		return 207;
	close(fd);
	return 0;
}

TEST_F(perm, attach_in_child_gives_expected_result)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(attach_as(self->name, variant->cuid, variant->cgid));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(variant->err, WEXITSTATUS(status)) {
		TH_LOG("child uid %u gid %u: code %d", variant->cuid,
		       variant->cgid, WEXITSTATUS(status));
	}
}

TEST_HARNESS_MAIN
