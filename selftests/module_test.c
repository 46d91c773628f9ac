// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifetime: an open descriptor pins mshare.ko.  The test unloads and
 * reloads the module (from $MSHARE_KO), so it leaves it loaded as it found it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/mshare.h>

#include "kselftest_harness.h"

static int delete_module(const char *name, int flags)
{
	return syscall(__NR_delete_module, name, flags);
}

static int load_module(void)
{
	const char *ko = getenv("MSHARE_KO");
	int fd, ret;

	fd = open(ko ? ko : "/lib/mshare/mshare.ko", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(__NR_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

TEST(rmmod_fails_while_a_descriptor_is_open)
{
	int fd = open("/dev/" MSHARE_DEVICE_NAME, O_RDWR | O_CLOEXEC);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, delete_module("mshare", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(0, access("/dev/" MSHARE_DEVICE_NAME, F_OK));

	close(fd);
	ASSERT_EQ(0, delete_module("mshare", O_NONBLOCK));
	EXPECT_EQ(-1, access("/dev/" MSHARE_DEVICE_NAME, F_OK));
	EXPECT_EQ(ENOENT, errno);

	ASSERT_EQ(0, load_module());
	EXPECT_EQ(0, access("/dev/" MSHARE_DEVICE_NAME, F_OK));
}

TEST_HARNESS_MAIN
