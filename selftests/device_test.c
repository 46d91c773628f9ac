// SPDX-License-Identifier: GPL-2.0
/* The /dev/mshare character device: its node and its ioctl dispatch. */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "mshare_util.h"
#include "kselftest_harness.h"

TEST(node_is_world_rw_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat(DEV_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);
}

TEST(open_as_unprivileged_user)
{
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		fd = open_dev();
		_exit(fd >= 0 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST(unknown_ioctls_fail_with_enotty)
{
	unsigned long cmds[] = {
		_IO(MSHARE_IOC_MAGIC, 0xff),
		_IOWR(MSHARE_IOC_MAGIC, 0x7f, long),
		TCGETS,
		0,
	};
	char buf[64] = { 0 };
	unsigned int i;
	int fd;

	fd = open_dev();
	ASSERT_GE(fd, 0);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, cmds[i], buf)) {
			TH_LOG("ioctl %#lx", cmds[i]);
		}
		EXPECT_EQ(ENOTTY, errno);
	}
	close(fd);
}

TEST_HARNESS_MAIN
