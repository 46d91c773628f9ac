// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifetime: an open descriptor pins mshare.ko.  The test unloads and
 * reloads the module (from $MSHARE_KO), so it leaves it loaded as it found it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
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

#define PARAMS	"/sys/module/mshare/parameters/"

/* Test-only knobs live in the test build (make test-module), not here. */
TEST(mshare_ko_has_no_test_knobs)
{
	EXPECT_EQ(-1, access(PARAMS "debug_skip_flush", F_OK));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, access(PARAMS "debug_global_asid", F_OK));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, access(PARAMS "debug_global_flushes", F_OK));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, access(PARAMS "secondary_tlbs", F_OK));
}

static int read_param(const char *name, char *buf, size_t size)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return 0;
}

/* Whether writing @val to parameter @name fails with @err (0: works). */
static int write_param(const char *name, const char *val)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? errno : 0;
}

/*
 * max_domain_size is a multiple of 2 MiB up to 64 TiB, so that no table
 * count can overflow; anything else is EINVAL and changes nothing.
 */
TEST(max_domain_size_is_capped_and_aligned)
{
	char old[64], now[64];

	ASSERT_EQ(0, read_param("max_domain_size", old, sizeof(old)));
	EXPECT_EQ(EINVAL, write_param("max_domain_size", "70368744177665"));
	EXPECT_EQ(EINVAL, write_param("max_domain_size", "140737488355328"));
	EXPECT_EQ(EINVAL, write_param("max_domain_size", "18446744073709551615"));
	EXPECT_EQ(EINVAL, write_param("max_domain_size", "0"));
	EXPECT_EQ(EINVAL, write_param("max_domain_size", "3145728"));
	EXPECT_EQ(EINVAL, write_param("max_domain_size", "lots"));
	ASSERT_EQ(0, read_param("max_domain_size", now, sizeof(now)));
	EXPECT_STREQ(old, now);
	EXPECT_EQ(0, write_param("max_domain_size", "70368744177664"));
	EXPECT_EQ(0, write_param("max_domain_size", "2097152"));
	EXPECT_EQ(0, write_param("max_domain_size", old));
}

/* secondary_tlbs is all by default, takes pasid or all, nothing else. */
TEST(secondary_tlbs_is_all_and_takes_pasid_or_all)
{
	char buf[16];

	ASSERT_EQ(0, read_param("secondary_tlbs", buf, sizeof(buf)));
	EXPECT_STREQ("all\n", buf);
	EXPECT_EQ(EINVAL, write_param("secondary_tlbs", "some"));
	EXPECT_EQ(EINVAL, write_param("secondary_tlbs", "auto"));
	EXPECT_EQ(0, write_param("secondary_tlbs", "pasid"));
	ASSERT_EQ(0, read_param("secondary_tlbs", buf, sizeof(buf)));
	EXPECT_STREQ("pasid\n", buf);
	EXPECT_EQ(0, write_param("secondary_tlbs", "all"));
}

TEST_HARNESS_MAIN
