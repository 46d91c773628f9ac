// SPDX-License-Identifier: GPL-2.0
/*
 * mshare_attacher: a helper program the selftests exec (it is not a test).
 *
 *   mshare_attacher --domain NAME | --memfd-path PATH --size BYTES | --none
 *                   [--touch none|read|write] [--fill SEED] [--verify SEED]
 *                   [--hold]
 *
 * It maps the memory to measure (an mshare domain with mshare_attach(), a
 * memfd by opening PATH, e.g. /proc/PID/fd/N, and mmap(MAP_SHARED), or
 * nothing at all with --none, the baseline), touches every 4 KiB page of
 * it, and prints one line on stdout:
 *
 *   vmpte_before=KB vmpte=KB minflt=N majflt=N size=BYTES bad=N addr=HEX
 *
 * vmpte_before is VmPTE (/proc/self/status, kB) just before the mapping is
 * made, vmpte just after every page was touched; minflt and majflt are the
 * faults (getrusage) the touching took; bad counts the pages that failed
 * --verify.  --touch read reads the first word of each page (the default);
 * --touch write writes it: the pattern of --fill SEED, or else the value it
 * already holds.  --verify SEED then checks that the first word of every
 * page is page_pattern(SEED, page index) (mshare_util.h, shared with the
 * tests).  With --hold it then waits until stdin reaches end of
 * file (so a parent can measure many of them alive at once), and exits
 * without unmapping: process exit tears the mapping down.
 *
 * Exit status: 0 when everything worked and no page was bad; 1 on a bad
 * page; 2 on a usage error; 3 when mapping or measuring failed (the reason
 * goes to stderr, and the report line is not printed).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "mshare.h"
#include "mshare_util.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: mshare_attacher --domain NAME | --memfd-path PATH --size BYTES | --none\n"
		"       [--touch none|read|write] [--fill SEED] [--verify SEED] [--hold]\n");
	exit(2);
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	enum { T_NONE, T_READ, T_WRITE } touch = T_READ;
	static const struct option opts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "memfd-path", required_argument, NULL, 'm' },
		{ "size", required_argument, NULL, 's' },
		{ "none", no_argument, NULL, 'n' },
		{ "touch", required_argument, NULL, 't' },
		{ "fill", required_argument, NULL, 'f' },
		{ "verify", required_argument, NULL, 'v' },
		{ "hold", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *domain = NULL, *path = NULL;
	uint64_t size = 0, fill_seed = 0, verify_seed = 0;
	int none = 0, fill = 0, verify = 0, hold = 0, modes, opt;
	long before, after;
	struct rusage r0, r1;
	uint64_t bad = 0, i, npages;
	char *p = NULL;
	size_t len = 0;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': domain = optarg; break;
		case 'm': path = optarg; break;
		case 'n': none = 1; break;
		case 'h': hold = 1; break;
		case 's':
			if (parse_u64(optarg, &size) || !size || size % PAGE)
				usage();
			break;
		case 'f':
			if (parse_u64(optarg, &fill_seed))
				usage();
			fill = 1;
			break;
		case 'v':
			if (parse_u64(optarg, &verify_seed))
				usage();
			verify = 1;
			break;
		case 't':
			if (!strcmp(optarg, "none"))
				touch = T_NONE;
			else if (!strcmp(optarg, "read"))
				touch = T_READ;
			else if (!strcmp(optarg, "write"))
				touch = T_WRITE;
			else
				usage();
			break;
		default:
			usage();
		}
	}
	modes = !!domain + !!path + none;
	if (optind != argc || modes != 1 || (path && !size) ||
	    (fill && touch != T_WRITE))
		usage();

	before = status_kb(0, "VmPTE");
	if (domain) {
		void *addr;
		int err = attach_dom(domain, 0, &addr, &len);

		if (err) {
			fprintf(stderr, "mshare_attacher: attach %s: %s\n",
				domain, strerror(-err));
			return 3;
		}
		p = addr;
	} else if (path) {
		int fd = open(path, O_RDWR | O_CLOEXEC);

		if (fd < 0) {
			fprintf(stderr, "mshare_attacher: open %s: %m\n", path);
			return 3;
		}
		len = size;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		if (p == MAP_FAILED) {
			fprintf(stderr, "mshare_attacher: mmap %s: %m\n", path);
			return 3;
		}
	}

	npages = len / PAGE;
	getrusage(RUSAGE_SELF, &r0);
	for (i = 0; i < npages && touch != T_NONE; i++) {
		volatile uint64_t *w = (volatile uint64_t *)(p + i * PAGE);

		if (touch == T_READ)
			(void)*w;
		else
			*w = fill ? page_pattern(fill_seed, i) : *w;
	}
	getrusage(RUSAGE_SELF, &r1);
	after = status_kb(0, "VmPTE");
	if (before < 0 || after < 0) {
		fprintf(stderr, "mshare_attacher: no VmPTE in /proc/self/status\n");
		return 3;
	}
	if (verify)
		bad = count_bad(p, 0, npages, verify_seed);

	printf("vmpte_before=%ld vmpte=%ld minflt=%ld majflt=%ld size=%zu bad=%" PRIu64 " addr=%p\n",
	       before, after, r1.ru_minflt - r0.ru_minflt,
	       r1.ru_majflt - r0.ru_majflt, len, bad, (void *)p);
	fflush(stdout);

	if (hold) {
		char buf[64];
		ssize_t n;

		do
			n = read(STDIN_FILENO, buf, sizeof(buf));
		while (n > 0 || (n < 0 && errno == EINTR));
	}
	return bad ? 1 : 0;
}
