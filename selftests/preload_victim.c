// SPDX-License-Identifier: GPL-2.0
/*
 * preload_victim: the program preload_test runs with LD_PRELOAD set to
 * libmshare-preload.so.  It knows nothing of mshare: it maps shared
 * anonymous memory as any program would and reports what it got.
 *
 *   preload_victim [--hold] [--unmap | --partial] [--threads N] SIZE...
 *
 * For each SIZE (bytes, K/M/G suffixes): mmap(MAP_SHARED | MAP_ANONYMOUS,
 * PROT_READ | PROT_WRITE), check that it reads as zeroes, fork a child that
 * writes page_pattern() into every page, check the pattern here, and print
 *
 *   map i=I size=SIZE domain=NAME|- vma=BYTES zero_bad=N bad=N
 *
 * NAME is what /proc/self/maps calls the mapping ("mshare:[NAME]"), VMA the
 * length of the maps line holding it.  Then "ready"; with --hold it waits
 * for a byte (or EOF) on stdin.
 *
 * --unmap: for each mapping, fork a child that keeps it, munmap(p, SIZE)
 * here, and let the child check the data (it must survive the parent's
 * unmap) and write it once more:
 *
 *   unmap i=I ret=R mshare_left=N survivor=RC
 *
 * (mshare_left: domain mappings left in this process in [p, p + VMA)).
 * --partial: instead, munmap(p, 4K) (errno reported; the module wants
 * 2 MiB boundaries), then munmap(p, 2M) and munmap(p + 2M, SIZE - 2M):
 *
 *   partial i=I small_errno=E first=R rest=R mshare_left=N
 *
 * Then "unmapped", and with --hold it waits once more.
 *
 * --threads N: N threads each map, fill, check and unmap the first SIZE
 * ROUNDS times at once; "threads bad=N mshare_left=N in_domain=N"
 * (mshare_left: domain mappings left in the whole process; in_domain: how
 * many of the N * ROUNDS mappings were domains).
 *
 * Exit status: 0, or 1 on a failure to map or to fork.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mshare_util.h"

#define MAX_MAPS	8
#define MAX_THREADS	8
#define ROUNDS		4

/*
 * The maps line holding @p: its length in *@vma and its domain name (or
 * "-") in @name.  Returns the number of mshare lines in [lo, hi) in
 * *@in_range when @in_range is given.
 */
static void maps_lookup(const void *p, unsigned long long *vma, char *name,
			size_t name_len, unsigned long lo, unsigned long hi,
			int *in_range)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");

	*vma = 0;
	snprintf(name, name_len, "-");
	if (in_range)
		*in_range = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		char *m = strstr(line, "mshare:[");

		if (sscanf(line, "%lx-%lx", &s, &e) != 2)
			continue;
		if (in_range && m && s < hi && lo < e)
			(*in_range)++;
		if ((unsigned long)p < s || (unsigned long)p >= e)
			continue;
		*vma = e - s;
		if (m) {
			char *end = strchr(m, ']');

			m += strlen("mshare:[");
			if (end && (size_t)(end - m) < name_len) {
				memcpy(name, m, end - m);
				name[end - m] = 0;
			}
		}
	}
	fclose(f);
}

static unsigned long long parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	switch (*end) {
	case 'G': v <<= 10; /* fall through */
	case 'M': v <<= 10; /* fall through */
	case 'K': v <<= 10; break;
	}
	return v;
}

static uint64_t zero_bad(const char *p, uint64_t pages)
{
	uint64_t i, bad = 0;

	for (i = 0; i < pages; i++)
		if (*(const volatile uint64_t *)(p + i * PAGE))
			bad++;
	return bad;
}

static void hold(void)
{
	char c;

	printf("ready\n");
	fflush(stdout);
	if (read(STDIN_FILENO, &c, 1) < 0)
		perror("read");
}

static size_t thread_size;
static int thread_bad, thread_in_domain;
static pthread_mutex_t thread_lock = PTHREAD_MUTEX_INITIALIZER;

static void *thread_fn(void *arg)
{
	uint64_t seed = (uintptr_t)arg, pages = thread_size / PAGE;
	int r, bad = 0, in_domain = 0;
	char name[MSHARE_NAME_MAX + 16];
	unsigned long long vma;

	for (r = 0; r < ROUNDS; r++) {
		char *p = mmap(NULL, thread_size, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			bad++;
			continue;
		}
		maps_lookup(p, &vma, name, sizeof(name), 0, 0, NULL);
		in_domain += strcmp(name, "-") != 0;
		bad += zero_bad(p, pages) != 0;
		fill_pattern(p, 0, pages, seed * 100 + r);
		bad += count_bad(p, 0, pages, seed * 100 + r) != 0;
		bad += munmap(p, thread_size) != 0;
	}
	pthread_mutex_lock(&thread_lock);
	thread_bad += bad;
	thread_in_domain += in_domain;
	pthread_mutex_unlock(&thread_lock);
	return NULL;
}

int main(int argc, char **argv)
{
	int do_hold = 0, do_unmap = 0, do_partial = 0, nthreads = 0, n = 0, i;
	unsigned long long size[MAX_MAPS], vma[MAX_MAPS];
	char *map[MAX_MAPS];
	char name[MSHARE_NAME_MAX + 16];

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--hold"))
			do_hold = 1;
		else if (!strcmp(argv[i], "--unmap"))
			do_unmap = 1;
		else if (!strcmp(argv[i], "--partial"))
			do_partial = 1;
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			nthreads = atoi(argv[++i]);
		else if (n < MAX_MAPS)
			size[n++] = parse_size(argv[i]);
	}

	for (i = 0; i < n; i++) {
		uint64_t pages = (size[i] + PAGE - 1) / PAGE, zb, bad;
		pid_t pid;

		map[i] = mmap(NULL, size[i], PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (map[i] == MAP_FAILED) {
			printf("mmap %llu: %s\n", size[i], strerror(errno));
			return 1;
		}
		maps_lookup(map[i], &vma[i], name, sizeof(name), 0, 0, NULL);
		zb = zero_bad(map[i], pages);
		pid = flush_fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			fill_pattern(map[i], 0, pages, i + 1);
			_exit(0);
		}
		if (wait_exit_code(pid) != 0)
			return 1;
		bad = count_bad(map[i], 0, pages, i + 1);
		printf("map i=%d size=%llu domain=%s vma=%llu zero_bad=%llu bad=%llu\n",
		       i, size[i], name, vma[i], (unsigned long long)zb,
		       (unsigned long long)bad);
	}
	if (do_hold)
		hold();
	else
		printf("ready\n");

	for (i = 0; (do_unmap || do_partial) && i < n; i++) {
		unsigned long lo = (unsigned long)map[i], hi = lo + vma[i];
		unsigned long long v;
		int left;

		if (do_partial) {
			int small, first, rest;

			errno = 0;
			small = munmap(map[i], PAGE) ? errno : 0;
			first = munmap(map[i], 2 * MiB);
			rest = munmap(map[i] + 2 * MiB, size[i] - 2 * MiB);
			maps_lookup(map[i], &v, name, sizeof(name), lo, hi, &left);
			printf("partial i=%d small_errno=%d first=%d rest=%d mshare_left=%d\n",
			       i, small, first, rest, left);
		} else {
			uint64_t pages = (size[i] + PAGE - 1) / PAGE;
			int go[2], ret, rc;
			pid_t pid;
			char c = 1;

			if (pipe(go))
				return 1;
			pid = flush_fork();
			if (pid < 0)
				return 1;
			if (pid == 0) {
				close(go[1]);
				if (read(go[0], &c, 1) != 1)
					_exit(2);
				if (count_bad(map[i], 0, pages, i + 1))
					_exit(3);
				fill_pattern(map[i], 0, pages, i + 50);
				_exit(count_bad(map[i], 0, pages, i + 50) ? 4 : 0);
			}
			close(go[0]);
			ret = munmap(map[i], size[i]);
			maps_lookup(map[i], &v, name, sizeof(name), lo, hi, &left);
			if (write(go[1], &c, 1) != 1)
				return 1;
			close(go[1]);
			rc = wait_exit_code(pid);
			printf("unmap i=%d ret=%d mshare_left=%d survivor=%d\n",
			       i, ret, left, rc);
		}
	}
	if (do_unmap || do_partial) {
		printf("unmapped\n");
		if (do_hold)
			hold();
	}

	if (nthreads > 0 && n > 0) {
		pthread_t t[MAX_THREADS];
		unsigned long long v;
		int left;

		if (nthreads > MAX_THREADS)
			nthreads = MAX_THREADS;
		thread_size = size[0];
		for (i = 0; i < nthreads; i++)
			if (pthread_create(&t[i], NULL, thread_fn, (void *)(uintptr_t)(i + 1)))
				return 1;
		for (i = 0; i < nthreads; i++)
			pthread_join(t[i], NULL);
		maps_lookup(NULL, &v, name, sizeof(name), 0, ~0UL, &left);
		printf("threads bad=%d mshare_left=%d in_domain=%d\n", thread_bad,
		       left, thread_in_domain);
	}
	return 0;
}
