// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifetime: an open descriptor pins mshare.ko.  The test unloads and
 * reloads the module (from $MSHARE_KO), so it leaves it loaded as it found it.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "mshare_util.h"
#include "kselftest_harness.h"

TEST(rmmod_fails_while_a_descriptor_is_open)
{
	int fd = open_dev();

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, delete_module("mshare", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(0, access(DEV_PATH, F_OK));

	close(fd);
	ASSERT_EQ(0, delete_module("mshare", O_NONBLOCK));
	EXPECT_EQ(-1, access(DEV_PATH, F_OK));
	EXPECT_EQ(ENOENT, errno);

	ASSERT_EQ(0, load_module());
	EXPECT_EQ(0, access(DEV_PATH, F_OK));
}

TEST_HARNESS_MAIN
