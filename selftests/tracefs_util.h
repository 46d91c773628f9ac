/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracefs for the tests that read trace events (trace_test, fault_lock_test):
 * mounted if it is not (the VM mounts only what it needs), and a write to a
 * file of a trace instance.  Apart from mshare_util.h so that a test that
 * does not trace needs no <sys/mount.h> (it clashes with <linux/mount.h>).
 */
#ifndef MSHARE_SELFTEST_TRACEFS_UTIL_H
#define MSHARE_SELFTEST_TRACEFS_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "mshare_util.h"

#define TRACEFS		"/sys/kernel/tracing"

/* 0 once TRACEFS has instances/, or -errno. */
static inline int tracefs_ready(void)
{
	struct stat st;

	if (!stat(TRACEFS "/instances", &st))
		return 0;
	mkdir(TRACEFS, 0755);
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY)
		return -errno;
	return stat(TRACEFS "/instances", &st) ? -errno : 0;
}

/* Write @s to @file of the trace instance @dir: 0, or -1 with errno set. */
static inline int tracefs_write(const char *dir, const char *file,
				const char *s)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return write_str(path, s);
}

#endif /* MSHARE_SELFTEST_TRACEFS_UTIL_H */
