// SPDX-License-Identifier: GPL-2.0
/* The "mshare" generic netlink family: resolution and the info op. */
#include <errno.h>
#include <netlink/genl/ctrl.h>

#include "mshare_util.h"
#include "kselftest_harness.h"

FIXTURE(nl) {
	struct mshare_nl *nl;
};

FIXTURE_SETUP(nl)
{
	ASSERT_EQ(0, nl_open(&self->nl));
}

FIXTURE_TEARDOWN(nl)
{
	mshare_nl_close(self->nl);
}

static int parse_version(struct nlattr **tb, void *arg)
{
	if (tb[MSHARE_A_INFO_ABI_VERSION])
		*(int *)arg = nla_get_u32(tb[MSHARE_A_INFO_ABI_VERSION]);
	return 0;
}

TEST_F(nl, family_resolves)
{
	EXPECT_GT(mshare_nl_family(self->nl), 0);
	EXPECT_EQ(mshare_nl_family(self->nl), genl_ctrl_resolve(mshare_nl_sock(self->nl), MSHARE_GENL_NAME));
}

TEST_F(nl, get_info_reports_abi_version)
{
	struct nl_msg *msg = mshare_nl_msg(self->nl, MSHARE_CMD_GET_INFO, 0);
	int version = -1;

	EXPECT_EQ(1, mshare_nl_run(self->nl, msg, parse_version, &version));
	EXPECT_EQ(MSHARE_GENL_VERSION, version);
}

TEST_F(nl, reply_only_attribute_in_request_is_rejected)
{
	struct nl_msg *msg = mshare_nl_msg(self->nl, MSHARE_CMD_GET_INFO, 0);

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, MSHARE_A_INFO_ABI_VERSION, 1));
	EXPECT_EQ(-EINVAL, mshare_nl_run(self->nl, msg, NULL, NULL));
	EXPECT_NE(0, mshare_nl_extack(self->nl)[0]);
}

TEST_F(nl, unknown_attribute_is_rejected)
{
	struct nl_msg *msg = mshare_nl_msg(self->nl, MSHARE_CMD_GET_INFO, 0);

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, MSHARE_A_MAX + 10, 1));
	EXPECT_EQ(-EINVAL, mshare_nl_run(self->nl, msg, NULL, NULL));
	EXPECT_NE(0, mshare_nl_extack(self->nl)[0]);
}

TEST_F(nl, unknown_command_is_rejected)
{
	struct nl_msg *msg = mshare_nl_msg(self->nl, 200, 0);

	EXPECT_EQ(-EOPNOTSUPP, mshare_nl_run(self->nl, msg, NULL, NULL));
}

TEST_HARNESS_MAIN
