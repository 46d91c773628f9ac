// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed requests to the commands added with the control plane
 * (DOMAIN_SET, DOMAIN_STATS, DOMAIN_DISCARD, the home node in a request,
 * an unknown NUMA policy, unknown commands), to those of delegated
 * creation (LIMIT_SET, LIMIT_DEL, LIMIT_GET), to the id keys (DOMAIN_ID
 * instead of DOMAIN_NAME, DOMAIN_HOLDERS) and to MSHARE_IOC_DISCARD: each
 * fails with its exact errno and an extack message (a dump's with its
 * end-of-dump message), and changes nothing (module counters, the
 * domain's description and the namespace's limits stay as they were).
 * domain_test covers the malformed DOMAIN_NEW/DEL/GET requests.
 */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mshare.h"
#include "mshare_util.h"
#include "kselftest_harness.h"

#define DSIZE	(4 * MiB)

typedef int (*build_fn)(struct nl_msg *m, const char *name);

static int put_name(struct nl_msg *m, const char *n)
{
	return nla_put_string(m, MSHARE_A_DOMAIN_NAME, n);
}

static int put_range(struct nl_msg *m, uint64_t off, uint64_t len)
{
	return nla_put_u64(m, MSHARE_A_DISCARD_OFFSET, off) ||
	       nla_put_u64(m, MSHARE_A_DISCARD_LENGTH, len);
}

static int b_nothing(struct nl_msg *m, const char *n) { return 0; }
static int b_name(struct nl_msg *m, const char *n) { return put_name(m, n); }
static int b_unknown_name(struct nl_msg *m, const char *n)
{
	return put_name(m, "nl-no-such-domain");
}
static int b_set_mode_big(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || nla_put_u32(m, MSHARE_A_DOMAIN_MODE, 01000);
}
static int b_set_mode_u64(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || nla_put_u64(m, MSHARE_A_DOMAIN_MODE, 0600);
}
static int b_set_uid_unmapped(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || nla_put_u32(m, MSHARE_A_DOMAIN_UID, -1);
}
static int b_set_size(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || nla_put_u64(m, MSHARE_A_DOMAIN_SIZE, DSIZE);
}
static int b_set_mode_unknown(struct nl_msg *m, const char *n)
{
	return b_unknown_name(m, n) ||
	       nla_put_u32(m, MSHARE_A_DOMAIN_MODE, 0600);
}
static int b_stats_flags(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || nla_put_u32(m, MSHARE_A_DOMAIN_FLAGS, 0);
}
static int b_disc_no_off(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || nla_put_u64(m, MSHARE_A_DISCARD_LENGTH, PAGE);
}
static int b_disc_no_len(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || nla_put_u64(m, MSHARE_A_DISCARD_OFFSET, 0);
}
static int b_disc_off_odd(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || put_range(m, 1, PAGE);
}
static int b_disc_len_odd(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || put_range(m, 0, PAGE + 1);
}
static int b_disc_len_0(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || put_range(m, 0, 0);
}
static int b_disc_past_end(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || put_range(m, DSIZE - PAGE, 2 * PAGE);
}
static int b_disc_off_at_end(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || put_range(m, DSIZE, PAGE);
}
static int b_disc_overflow(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || put_range(m, -(uint64_t)PAGE, 2 * PAGE);
}
static int b_disc_len_u32(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || nla_put_u64(m, MSHARE_A_DISCARD_OFFSET, 0) ||
	       nla_put_u32(m, MSHARE_A_DISCARD_LENGTH, PAGE);
}
static int b_disc_unknown(struct nl_msg *m, const char *n)
{
	return b_unknown_name(m, n) || put_range(m, 0, PAGE);
}
static int b_new_numa(struct nl_msg *m, const char *n)
{
	return put_name(m, "nl-numa") ||
	       nla_put_u64(m, MSHARE_A_DOMAIN_SIZE, DSIZE) ||
	       nla_put_u32(m, MSHARE_A_DOMAIN_NUMA_NODE, 0);
}
static int b_new_numa_policy(struct nl_msg *m, const char *n)
{
	return put_name(m, "nl-numa") ||
	       nla_put_u64(m, MSHARE_A_DOMAIN_SIZE, DSIZE) ||
	       nla_put_u32(m, MSHARE_A_DOMAIN_NUMA_POLICY, __MSHARE_NUMA_MAX);
}
static int b_new_name_unterminated(struct nl_msg *m, const char *n)
{
	return nla_put(m, MSHARE_A_DOMAIN_NAME, 6, "nl-abc") ||
	       nla_put_u64(m, MSHARE_A_DOMAIN_SIZE, DSIZE);
}
static int b_new_huge(struct nl_msg *m, const char *n)
{
	return put_name(m, "nl-huge") ||
	       nla_put_u64(m, MSHARE_A_DOMAIN_SIZE, 1ULL << 62);
}
static int b_new_name_dot_slash(struct nl_msg *m, const char *n)
{
	return put_name(m, "../x") ||
	       nla_put_u64(m, MSHARE_A_DOMAIN_SIZE, DSIZE);
}
static int b_new_exists(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || nla_put_u64(m, MSHARE_A_DOMAIN_SIZE, DSIZE);
}

/* ---- ids: DOMAIN_ID instead of DOMAIN_NAME ---- */

static int b_name_and_id(struct nl_msg *m, const char *n)
{
	return put_name(m, n) || nla_put_u32(m, MSHARE_A_DOMAIN_ID, 1);
}
static int b_unknown_id(struct nl_msg *m, const char *n)
{
	return nla_put_u32(m, MSHARE_A_DOMAIN_ID, 0xfffffff0);
}
static int b_id_u64(struct nl_msg *m, const char *n)
{
	return nla_put_u64(m, MSHARE_A_DOMAIN_ID, 1);
}
static int b_set_unknown_id(struct nl_msg *m, const char *n)
{
	return b_unknown_id(m, n) || nla_put_u32(m, MSHARE_A_DOMAIN_MODE, 0600);
}
static int b_disc_unknown_id(struct nl_msg *m, const char *n)
{
	return b_unknown_id(m, n) || put_range(m, 0, PAGE);
}
static int b_mig_unknown_id(struct nl_msg *m, const char *n)
{
	return b_unknown_id(m, n) || nla_put_u32(m, MSHARE_A_MIGRATE_NODE, 0);
}
static int b_new_with_id(struct nl_msg *m, const char *n)
{
	return put_name(m, "nl-with-id") ||
	       nla_put_u64(m, MSHARE_A_DOMAIN_SIZE, DSIZE) ||
	       nla_put_u32(m, MSHARE_A_DOMAIN_ID, 1);
}

/* ---- LIMIT_SET, LIMIT_DEL, LIMIT_GET ---- */

#define NOUSER	4242	/* no limit is ever set for it */

static int put_limit(struct nl_msg *m, int kind, int64_t id, int64_t bytes,
		     int64_t domains)
{
	return (kind >= 0 && nla_put_u32(m, MSHARE_A_LIMIT_KIND, kind)) ||
	       (id >= 0 && nla_put_u32(m, MSHARE_A_LIMIT_ID, id)) ||
	       (bytes >= 0 && nla_put_u64(m, MSHARE_A_LIMIT_BYTES, bytes)) ||
	       (domains >= 0 && nla_put_u32(m, MSHARE_A_LIMIT_DOMAINS, domains));
}
static int b_lim_no_kind(struct nl_msg *m, const char *n)
{
	return put_limit(m, -1, NOUSER, DSIZE, 1);
}
static int b_lim_kind_unspec(struct nl_msg *m, const char *n)
{
	return put_limit(m, MSHARE_LIMIT_UNSPEC, NOUSER, DSIZE, 1);
}
static int b_lim_kind_unknown(struct nl_msg *m, const char *n)
{
	return put_limit(m, __MSHARE_LIMIT_MAX, NOUSER, DSIZE, 1);
}
static int b_lim_user_no_id(struct nl_msg *m, const char *n)
{
	return put_limit(m, MSHARE_LIMIT_USER, -1, DSIZE, 1);
}
static int b_lim_group_no_id(struct nl_msg *m, const char *n)
{
	return put_limit(m, MSHARE_LIMIT_GROUP, -1, DSIZE, 1);
}
static int b_lim_ns_with_id(struct nl_msg *m, const char *n)
{
	return put_limit(m, MSHARE_LIMIT_NAMESPACE, 0, DSIZE, 1);
}
static int b_lim_no_bytes(struct nl_msg *m, const char *n)
{
	return put_limit(m, MSHARE_LIMIT_USER, NOUSER, -1, 1);
}
static int b_lim_no_domains(struct nl_msg *m, const char *n)
{
	return put_limit(m, MSHARE_LIMIT_USER, NOUSER, DSIZE, -1);
}
static int b_lim_ns_no_values(struct nl_msg *m, const char *n)
{
	return put_limit(m, MSHARE_LIMIT_NAMESPACE, -1, -1, -1);
}
static int b_lim_uid_unmapped(struct nl_msg *m, const char *n)
{
	return put_limit(m, MSHARE_LIMIT_USER, 0xffffffff, DSIZE, 1);
}
static int b_lim_gid_unmapped(struct nl_msg *m, const char *n)
{
	return put_limit(m, MSHARE_LIMIT_GROUP, 0xffffffff, DSIZE, 1);
}
static int b_lim_bytes_u32(struct nl_msg *m, const char *n)
{
	return put_limit(m, MSHARE_LIMIT_USER, NOUSER, -1, 1) ||
	       nla_put_u32(m, MSHARE_A_LIMIT_BYTES, 1 << 30);
}
static int b_lim_domains_u64(struct nl_msg *m, const char *n)
{
	return put_limit(m, MSHARE_LIMIT_USER, NOUSER, DSIZE, -1) ||
	       nla_put_u64(m, MSHARE_A_LIMIT_DOMAINS, 1);
}
static int b_lim_with_name(struct nl_msg *m, const char *n)
{
	return put_limit(m, MSHARE_LIMIT_USER, NOUSER, DSIZE, 1) ||
	       put_name(m, n);
}
static int b_lim_del_bytes(struct nl_msg *m, const char *n)
{
	return put_limit(m, MSHARE_LIMIT_USER, NOUSER, DSIZE, -1);
}
static int b_lim_del_domains(struct nl_msg *m, const char *n)
{
	return put_limit(m, MSHARE_LIMIT_USER, NOUSER, -1, 1);
}
static int b_lim_del_user(struct nl_msg *m, const char *n)
{
	return put_limit(m, MSHARE_LIMIT_USER, NOUSER, -1, -1);
}
static int b_lim_del_group_no_id(struct nl_msg *m, const char *n)
{
	return put_limit(m, MSHARE_LIMIT_GROUP, -1, -1, -1);
}
static int b_lim_get_kind(struct nl_msg *m, const char *n)
{
	return put_limit(m, MSHARE_LIMIT_USER, -1, -1, -1);
}

FIXTURE(nl) {
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
};

FIXTURE_VARIANT(nl) {
	int cmd;
	build_fn build;
	int err;
	bool no_extack;		/* rejected by the genetlink core */
	bool dump;		/* sent as a dump request (NLM_F_DUMP) */
};

#define BAD(n, c, b, e) \
	FIXTURE_VARIANT_ADD(nl, n) { .cmd = MSHARE_CMD_##c, .build = b, .err = e }
#define BAD_DUMP(n, c, b, e) \
	FIXTURE_VARIANT_ADD(nl, n) { .cmd = MSHARE_CMD_##c, .build = b, \
				     .err = e, .dump = true }

BAD(set_missing_name, DOMAIN_SET, b_nothing, EINVAL);
BAD(set_nothing_to_change, DOMAIN_SET, b_name, EINVAL);
BAD(set_mode_01000, DOMAIN_SET, b_set_mode_big, EINVAL);
BAD(set_mode_as_u64, DOMAIN_SET, b_set_mode_u64, EINVAL);
BAD(set_uid_not_mapped, DOMAIN_SET, b_set_uid_unmapped, EINVAL);
BAD(set_size_not_taken, DOMAIN_SET, b_set_size, EINVAL);
BAD(set_unknown_domain, DOMAIN_SET, b_set_mode_unknown, ENOENT);
BAD(stats_missing_name, DOMAIN_STATS, b_nothing, EINVAL);
BAD(stats_unknown_domain, DOMAIN_STATS, b_unknown_name, ENOENT);
BAD(stats_flags_not_taken, DOMAIN_STATS, b_stats_flags, EINVAL);
BAD(discard_missing_name, DOMAIN_DISCARD, b_nothing, EINVAL);
BAD(discard_missing_offset, DOMAIN_DISCARD, b_disc_no_off, EINVAL);
BAD(discard_missing_length, DOMAIN_DISCARD, b_disc_no_len, EINVAL);
BAD(discard_offset_unaligned, DOMAIN_DISCARD, b_disc_off_odd, EINVAL);
BAD(discard_length_unaligned, DOMAIN_DISCARD, b_disc_len_odd, EINVAL);
BAD(discard_length_0, DOMAIN_DISCARD, b_disc_len_0, EINVAL);
BAD(discard_past_the_end, DOMAIN_DISCARD, b_disc_past_end, EINVAL);
BAD(discard_offset_at_the_end, DOMAIN_DISCARD, b_disc_off_at_end, EINVAL);
BAD(discard_overflowing_range, DOMAIN_DISCARD, b_disc_overflow, EINVAL);
BAD(discard_length_as_u32, DOMAIN_DISCARD, b_disc_len_u32, EINVAL);
BAD(discard_unknown_domain, DOMAIN_DISCARD, b_disc_unknown, ENOENT);
BAD(new_numa_node_reserved, DOMAIN_NEW, b_new_numa, EINVAL);
BAD(new_numa_policy_reserved, DOMAIN_NEW, b_new_numa_policy, EINVAL);
BAD(new_name_not_nul_terminated, DOMAIN_NEW, b_new_name_unterminated, EINVAL);
BAD(new_size_2_pow_62, DOMAIN_NEW, b_new_huge, E2BIG);
BAD(new_name_with_dots_and_slash, DOMAIN_NEW, b_new_name_dot_slash, EINVAL);
BAD(new_name_taken, DOMAIN_NEW, b_new_exists, EEXIST);
BAD(del_unknown_domain, DOMAIN_DEL, b_unknown_name, ENOENT);
BAD(get_unknown_domain, DOMAIN_GET, b_unknown_name, ENOENT);
BAD(get_name_and_id, DOMAIN_GET, b_name_and_id, EINVAL);
BAD(get_unknown_id, DOMAIN_GET, b_unknown_id, ENOENT);
BAD(get_id_as_u64, DOMAIN_GET, b_id_u64, EINVAL);
BAD(stats_name_and_id, DOMAIN_STATS, b_name_and_id, EINVAL);
BAD(stats_unknown_id, DOMAIN_STATS, b_unknown_id, ENOENT);
BAD(set_unknown_id, DOMAIN_SET, b_set_unknown_id, ENOENT);
BAD(discard_unknown_id, DOMAIN_DISCARD, b_disc_unknown_id, ENOENT);
BAD(migrate_unknown_id, DOMAIN_MIGRATE, b_mig_unknown_id, ENOENT);
BAD(del_name_and_id, DOMAIN_DEL, b_name_and_id, EINVAL);
BAD(del_unknown_id, DOMAIN_DEL, b_unknown_id, ENOENT);
BAD(new_id_not_taken, DOMAIN_NEW, b_new_with_id, EINVAL);
BAD_DUMP(holders_missing_name, DOMAIN_HOLDERS, b_nothing, EINVAL);
BAD_DUMP(holders_name_and_id, DOMAIN_HOLDERS, b_name_and_id, EINVAL);
BAD_DUMP(holders_unknown_name, DOMAIN_HOLDERS, b_unknown_name, ENOENT);
BAD_DUMP(holders_unknown_id, DOMAIN_HOLDERS, b_unknown_id, ENOENT);
BAD(limit_set_missing_kind, LIMIT_SET, b_lim_no_kind, EINVAL);
BAD(limit_set_kind_unspec, LIMIT_SET, b_lim_kind_unspec, EINVAL);
BAD(limit_set_kind_unknown, LIMIT_SET, b_lim_kind_unknown, EINVAL);
BAD(limit_set_user_missing_id, LIMIT_SET, b_lim_user_no_id, EINVAL);
BAD(limit_set_group_missing_id, LIMIT_SET, b_lim_group_no_id, EINVAL);
BAD(limit_set_namespace_with_id, LIMIT_SET, b_lim_ns_with_id, EINVAL);
BAD(limit_set_missing_bytes, LIMIT_SET, b_lim_no_bytes, EINVAL);
BAD(limit_set_missing_domains, LIMIT_SET, b_lim_no_domains, EINVAL);
BAD(limit_set_namespace_without_values, LIMIT_SET, b_lim_ns_no_values, EINVAL);
BAD(limit_set_uid_not_mapped, LIMIT_SET, b_lim_uid_unmapped, EINVAL);
BAD(limit_set_gid_not_mapped, LIMIT_SET, b_lim_gid_unmapped, EINVAL);
BAD(limit_set_bytes_as_u32, LIMIT_SET, b_lim_bytes_u32, EINVAL);
BAD(limit_set_domains_as_u64, LIMIT_SET, b_lim_domains_u64, EINVAL);
BAD(limit_set_domain_name_not_taken, LIMIT_SET, b_lim_with_name, EINVAL);
BAD(limit_del_missing_kind, LIMIT_DEL, b_nothing, EINVAL);
BAD(limit_del_kind_unknown, LIMIT_DEL, b_lim_kind_unknown, EINVAL);
BAD(limit_del_group_missing_id, LIMIT_DEL, b_lim_del_group_no_id, EINVAL);
BAD(limit_del_namespace_with_id, LIMIT_DEL, b_lim_ns_with_id, EINVAL);
BAD(limit_del_with_bytes, LIMIT_DEL, b_lim_del_bytes, EINVAL);
BAD(limit_del_with_domains, LIMIT_DEL, b_lim_del_domains, EINVAL);
BAD(limit_del_no_such_limit, LIMIT_DEL, b_lim_del_user, ENOENT);
BAD_DUMP(limit_get_takes_no_attribute, LIMIT_GET, b_lim_get_kind, EINVAL);
FIXTURE_VARIANT_ADD(nl, limit_get_is_a_dump_only) {
	.cmd = MSHARE_CMD_LIMIT_GET, .build = b_nothing, .err = EOPNOTSUPP,
	.no_extack = true,
};
FIXTURE_VARIANT_ADD(nl, holders_is_a_dump_only) {
	.cmd = MSHARE_CMD_DOMAIN_HOLDERS, .build = b_name, .err = EOPNOTSUPP,
	.no_extack = true,
};
FIXTURE_VARIANT_ADD(nl, unknown_command_200) {
	.cmd = 200, .build = b_name, .err = EOPNOTSUPP, .no_extack = true,
};
FIXTURE_VARIANT_ADD(nl, unspec_command) {
	.cmd = MSHARE_CMD_UNSPEC, .build = b_name, .err = EOPNOTSUPP,
	.no_extack = true,
};
FIXTURE_VARIANT_ADD(nl, notification_as_request) {
	.cmd = MSHARE_CMD_DOMAIN_CREATED, .build = b_name, .err = EOPNOTSUPP,
	.no_extack = true,
};

FIXTURE_SETUP(nl)
{
	/*
	 * An IPC namespace of its own: a limit a broken kernel would set
	 * goes with it instead of binding the next tests.
	 */
	ASSERT_EQ(0, unshare(CLONE_NEWIPC));
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "nl-%d", (int)getpid());
	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE,
				   MSHARE_DOMAIN_F_PREFAULT, NULL));
}

FIXTURE_TEARDOWN(nl)
{
	mshare_domain_destroy(self->nl, self->name);
	mshare_nl_close(self->nl);
}

/* A digest of the namespace's limits (LIMIT_GET), to compare. */
struct limits_sum {
	int n;
	uint64_t sum;
};

static void limits_cb(const struct mshare_limit_info *l, void *arg)
{
	struct limits_sum *s = arg;

	s->n++;
	s->sum = s->sum * 31 + l->kind * 7 + l->id + l->bytes + l->domains;
}

TEST_F(nl, fails_with_exact_errno_and_changes_nothing)
{
	struct mshare_module_info before = MSHARE_INIT(before);
	struct mshare_module_info after = MSHARE_INIT(after);
	struct mshare_domain_info d0 = MSHARE_INIT(d0), d1 = MSHARE_INIT(d1);
	struct limits_sum l0 = { 0 }, l1 = { 0 };
	struct nl_msg *msg;

	ASSERT_EQ(0, mshare_module_info(self->nl, &before));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d0));
	ASSERT_LE(0, mshare_limit_dump(self->nl, limits_cb, &l0));
	msg = mshare_nl_msg(self->nl, variant->cmd,
			    variant->dump ? NLM_F_DUMP : 0);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, variant->build(msg, self->name));
	EXPECT_EQ(-variant->err, mshare_nl_run(self->nl, msg, NULL, NULL));
	if (!variant->no_extack) {
		EXPECT_NE(0, mshare_nl_extack(self->nl)[0]);
	}
	if (mshare_nl_extack(self->nl)[0])
		TH_LOG("extack: %s", mshare_nl_extack(self->nl));

	ASSERT_EQ(0, mshare_module_info(self->nl, &after));
	EXPECT_EQ(before.domains, after.domains);
	EXPECT_EQ(before.data_pages, after.data_pages);
	EXPECT_EQ(before.table_pages, after.table_pages);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d1));
	EXPECT_EQ(d0.id, d1.id);
	EXPECT_EQ(d0.mode, d1.mode);
	EXPECT_EQ(d0.uid, d1.uid);
	EXPECT_EQ(d0.gid, d1.gid);
	EXPECT_EQ(DSIZE / PAGE, d1.resident);
	ASSERT_LE(0, mshare_limit_dump(self->nl, limits_cb, &l1));
	EXPECT_EQ(l0.n, l1.n);
	EXPECT_EQ(l0.sum, l1.sum);
}

/* ---- MSHARE_IOC_DISCARD ---- */

FIXTURE(ioc) {
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	int fd;
};

FIXTURE_SETUP(ioc)
{
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "nl-ioc-%d", (int)getpid());
	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE,
				   MSHARE_DOMAIN_F_PREFAULT, NULL));
	self->fd = open_dev();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(ioc)
{
	close(self->fd);
	mshare_domain_destroy(self->nl, self->name);
	mshare_nl_close(self->nl);
}

static int discard(int fd, uint64_t off, uint64_t len)
{
	struct mshare_discard d = { .offset = off, .length = len };

	return ioctl(fd, MSHARE_IOC_DISCARD, &d) ? errno : 0;
}

TEST_F(ioc, discard_needs_an_attached_descriptor)
{
	EXPECT_EQ(EINVAL, discard(self->fd, 0, PAGE));
}

TEST_F(ioc, discard_rejects_bad_ranges_and_keeps_the_data)
{
	struct mshare_domain_info d = MSHARE_INIT(d);

	ASSERT_EQ(0, attach_fd(self->fd, self->name));
	EXPECT_EQ(EINVAL, discard(self->fd, 1, PAGE));
	EXPECT_EQ(EINVAL, discard(self->fd, 0, PAGE - 1));
	EXPECT_EQ(EINVAL, discard(self->fd, 0, 0));
	EXPECT_EQ(EINVAL, discard(self->fd, DSIZE, PAGE));
	EXPECT_EQ(EINVAL, discard(self->fd, DSIZE - PAGE, 2 * PAGE));
	EXPECT_EQ(EINVAL, discard(self->fd, -(uint64_t)PAGE, 2 * PAGE));
	EXPECT_EQ(EFAULT, ioctl(self->fd, MSHARE_IOC_DISCARD, NULL) ? errno : 0);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(DSIZE / PAGE, d.resident);
}

TEST_F(ioc, discard_frees_the_range_and_it_reads_zero)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	struct mshare_info info;
	char *p;

	ASSERT_EQ(0, attach_fd(self->fd, self->name));
	ASSERT_EQ(0, ioctl(self->fd, MSHARE_IOC_INFO, &info));
	p = mmap(NULL, DSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x5a, DSIZE);
	EXPECT_EQ(0, discard(self->fd, MiB, 2 * MiB));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ((DSIZE - 2 * MiB) / PAGE, d.resident);
	EXPECT_EQ(0, p[MiB]);
	EXPECT_EQ(0, p[3 * MiB - 1]);
	EXPECT_EQ(0x5a, p[MiB - 1]);
	EXPECT_EQ(0x5a, p[3 * MiB]);
	/* the netlink form, as the owner (root) */
	EXPECT_EQ(0, mshare_domain_discard(self->nl, self->name, 0, PAGE));
	EXPECT_EQ(0, p[0]);
	munmap(p, DSIZE);
}

TEST_HARNESS_MAIN
