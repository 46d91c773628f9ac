// SPDX-License-Identifier: GPL-2.0
/*
 * Which lock a domain fault takes (kmod/fault.c): a fill (a missing page
 * inside a linked domain table) runs under the per-VMA lock alone, never
 * the mmap lock; a link fault is retried under the mmap lock.  Seen with
 * the kernel's own mmap_lock tracepoints, in a trace instance of the
 * test's own, filtered to the test's thread: while it fills 511 pages of
 * a linked 2 MiB, no mmap_lock_start_locking event may fire (before
 * ->map_pages was there, each fill retried under the mmap lock: 511
 * events, seen with that module).  Kernels without per-VMA locks (before 6.4) skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mshare_util.h"
#include "tracefs_util.h"
#include "kselftest_harness.h"

#define DSIZE		(4 * MiB)
#define EV		"events/mmap_lock/mmap_lock_start_locking"

/*
 * mmap_lock_start_locking events in @dir's trace between the trace_marker
 * lines @from and @to, or -errno; the first few are logged.  The markers
 * leave out what enabling and disabling the event itself takes: on 7.x,
 * patching the kernel's text takes init_mm's mmap lock in this task.
 */
static int count_between(struct __test_metadata *_metadata, const char *dir,
			 const char *from, const char *to)
{
	char path[256], line[512], mfrom[64], mto[64];
	int n = 0, in = 0, seen = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", dir);
	snprintf(mfrom, sizeof(mfrom), "tracing_mark_write: %s", from);
	snprintf(mto, sizeof(mto), "tracing_mark_write: %s", to);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		if (strstr(line, mfrom)) {
			in = 1;
			seen |= 1;
		} else if (strstr(line, mto)) {
			in = 0;
			seen |= 2;
		} else if (in && strstr(line, "mmap_lock_start_locking:") &&
			   ++n <= 3) {
			TH_LOG("%s", line);
		}
	}
	fclose(f);
	return seen == 3 ? n : -ENOENT;		/* a marker missing */
}

FIXTURE(flock) {
	char dir[128];
	char name[MSHARE_NAME_MAX];
	struct mshare_nl *nl;
};

FIXTURE_SETUP(flock)
{
	int err;

	if (!kernel_at_least(6, 4))
		SKIP(return, "no per-VMA locks before 6.4: every fault holds the mmap lock");
	err = tracefs_ready();
	if (err)
		SKIP(return, "no tracefs: %s", strerror(-err));
	snprintf(self->dir, sizeof(self->dir), TRACEFS "/instances/mshare-flock-%d",
		 (int)getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0700)) TH_LOG("%s: %s", self->dir, strerror(errno));
	if (tracefs_write(self->dir, EV "/filter", "common_pid != 0")) {
		rmdir(self->dir);
		self->dir[0] = 0;
		SKIP(return, "no mmap_lock tracepoints in this kernel");
	}
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "flock-%d", (int)getpid());
}

FIXTURE_TEARDOWN(flock)
{
	if (self->dir[0]) {
		tracefs_write(self->dir, EV "/enable", "0");
		rmdir(self->dir);
	}
	if (self->nl) {
		mshare_domain_destroy(self->nl, self->name);
		mshare_nl_close(self->nl);
	}
}

/*
 * The control: the same trace counts the mmap lock a link fault takes (a
 * fault in a 2 MiB not linked yet), so a count of 0 below means no lock,
 * not a trace that sees nothing.
 */
TEST_F(flock, fills_take_no_mmap_lock_and_links_do)
{
	volatile char *p;
	char filter[64];
	size_t size, i;
	int links, fills;

	ASSERT_EQ(0, create_domain(self->nl, self->name, DSIZE, 0, NULL));
	ASSERT_EQ(0, attach_dom(self->name, 0, (void **)&p, &size));
	ASSERT_EQ(DSIZE, size);
	snprintf(filter, sizeof(filter), "common_pid == %d", (int)syscall(SYS_gettid));
	ASSERT_EQ(0, tracefs_write(self->dir, EV "/filter", filter));

	/*
	 * Link the first 2 MiB, filling page 0 (under the mmap lock), then
	 * fill the other 511 pages of that table (no mmap lock), each step
	 * between two markers.
	 */
	ASSERT_EQ(0, tracefs_write(self->dir, EV "/enable", "1"));
	ASSERT_EQ(0, tracefs_write(self->dir, "trace_marker", "flock-link"));
	p[0] = 1;
	ASSERT_EQ(0, tracefs_write(self->dir, "trace_marker", "flock-fill"));
	for (i = 1; i < 512; i++)
		p[i * PAGE] = (char)i;
	ASSERT_EQ(0, tracefs_write(self->dir, "trace_marker", "flock-end"));
	ASSERT_EQ(0, tracefs_write(self->dir, EV "/enable", "0"));

	links = count_between(_metadata, self->dir, "flock-link", "flock-fill");
	ASSERT_LE(0, links) TH_LOG("trace markers missing");
	TH_LOG("link fault: %d mmap_lock_start_locking events", links);
	EXPECT_LE(1, links);
	fills = count_between(_metadata, self->dir, "flock-fill", "flock-end");
	ASSERT_LE(0, fills) TH_LOG("trace markers missing");
	TH_LOG("511 fill faults: %d mmap_lock_start_locking events", fills);
	EXPECT_EQ(0, fills);
	for (i = 0; i < 512; i++)
		ASSERT_EQ((char)(i ? i : 1), p[i * PAGE]);
	ASSERT_EQ(0, munmap((void *)p, size));
}

TEST_HARNESS_MAIN
