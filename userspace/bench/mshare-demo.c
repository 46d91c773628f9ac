// SPDX-License-Identifier: GPL-2.0
/*
 * mshare-demo: what sharing page tables saves.
 *
 *   mshare-demo [-n ATTACHERS] [-s SIZE_MIB] [-r]
 *
 * Creates a 1 GiB mshare domain (prefaulted) and starts N (default 50)
 * unrelated attachers: fork + exec of this program in worker mode, each
 * attaching the domain and touching (writing) every 4 KiB page, then holding
 * until all are done.  Then the same with a 1 GiB memfd mapped MAP_SHARED,
 * which the workers open through /proc/<pid>/fd/<n>.  It measures the
 * growth of PageTables (/proc/meminfo) while all attachers hold, their
 * summed VmPTE, their minor faults (getrusage) while attaching and
 * touching, and the wall time from the first fork until the last attacher
 * has touched everything; and prints both side by side.  -r touches by
 * reading instead of writing.  Needs the mshare module and CAP_SYS_ADMIN.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mshare_nl.h"
#include "bench_proc.h"

#define PAGE		4096UL
#define MIB		(1ULL << 20)
#define WORKER_ARG	"--worker"

struct report {
	int err;		/* 0, or the errno that stopped the worker */
	int stage;		/* where it failed: 1 open, 2 map */
	long minflt;		/* minor faults while attaching and touching */
	long vmpte_kb;		/* VmPTE once everything is touched */
	long vmpte_added_kb;	/* of which added since before attaching */
};

struct result {
	long long pgtables_kb;	/* PageTables growth while all attachers hold */
	long long vmpte_kb;	/* summed VmPTE of the attachers */
	long long added_kb;	/* summed VmPTE growth from attach on */
	long long minflt;	/* summed minor faults */
	double secs;		/* first fork to last report */
	long long domain_tables_kb;	/* mshare: the domain's own tables */
	unsigned int links_pud, links_pmd;
};

/* --- worker ------------------------------------------------------------- */

/* argv: --worker mshare|memfd TARGET SIZE REPORT_FD RELEASE_FD READ_ONLY */
static int worker(char **argv)
{
	const char *kind = argv[2], *target = argv[3];
	size_t size = strtoull(argv[4], NULL, 0), off;
	int rep = atoi(argv[5]), rel = atoi(argv[6]), ro = atoi(argv[7]);
	struct report r = { 0 };
	volatile char *p = NULL;
	long f0 = minflt(), pte0 = self_vmpte_kb();
	char c;
	int fd, err;

	if (!strcmp(kind, "mshare")) {
		size_t sz = 0;
		void *v = mshare_attach(target, 0, &sz);

		err = v ? 0 : -errno;
		if (err || sz != size) {
			r.err = err ? -err : EINVAL;
			r.stage = 1;
		}
		p = err ? NULL : v;
	} else {
		fd = open(target, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			r.err = errno;
			r.stage = 1;
		} else {
			void *v = mmap(NULL, size, PROT_READ | PROT_WRITE,
				       MAP_SHARED, fd, 0);

			if (v == MAP_FAILED) {
				r.err = errno;
				r.stage = 2;
			}
			p = v;
			close(fd);
		}
	}
	if (!r.err) {
		if (ro) {
			for (off = 0; off < size; off += PAGE)
				(void)p[off];
		} else {
			for (off = 0; off < size; off += PAGE)
				p[off + 64] = 1;
		}
		r.minflt = minflt() - f0;
		r.vmpte_kb = self_vmpte_kb();
		r.vmpte_added_kb = r.vmpte_kb - pte0;
	}
	if (write(rep, &r, sizeof(r)) != sizeof(r))
		return 1;
	close(rep);
	/* Hold everything until the parent closes the release pipe. */
	while (read(rel, &c, 1) > 0)
		;
	return r.err ? 1 : 0;
}

/* --- parent ------------------------------------------------------------- */

/*
 * Start @n workers on @kind/@target, wait until all have touched
 * everything, call @holding (if any) while they hold, release them.
 */
static int run_phase(const char *kind, const char *target, size_t size,
		     int n, int ro, struct result *res,
		     void (*holding)(struct result *, void *), void *arg)
{
	int rep[2], rel[2], i, got = 0, ret = -1, status;
	char a_size[32], a_rep[16], a_rel[16], a_ro[4];
	pid_t *pids = calloc(n, sizeof(*pids));
	long long pt0;
	double t0;

	if (!pids || pipe(rep) || pipe(rel)) {
		perror("mshare-demo: pipe");
		free(pids);
		return -1;
	}
	snprintf(a_size, sizeof(a_size), "%zu", size);
	snprintf(a_rep, sizeof(a_rep), "%d", rep[1]);
	snprintf(a_rel, sizeof(a_rel), "%d", rel[0]);
	snprintf(a_ro, sizeof(a_ro), "%d", ro);
	memset(res, 0, sizeof(*res));
	fflush(stdout);

	pt0 = meminfo_kb("PageTables");
	t0 = now();
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("mshare-demo: fork");
			goto out;
		}
		if (pids[i] == 0) {
			char *argv[] = { "mshare-demo", WORKER_ARG, (char *)kind,
					 (char *)target, a_size, a_rep, a_rel,
					 a_ro, NULL };

			close(rep[0]);
			close(rel[1]);
			execv("/proc/self/exe", argv);
			_exit(127);
		}
	}
	close(rep[1]);
	rep[1] = -1;
	close(rel[0]);
	rel[0] = -1;

	while (got < n) {
		struct pollfd pfd = { .fd = rep[0], .events = POLLIN };
		struct report r;
		pid_t dead;

		if (poll(&pfd, 1, 1000) == 0) {
			dead = waitpid(-1, &status, WNOHANG);
			if (dead > 0) {
				fprintf(stderr, "mshare-demo: worker %d died (status %#x)\n",
					(int)dead, status);
				for (i = 0; i < n; i++)
					if (pids[i] == dead)
						pids[i] = 0;
				goto out;
			}
			continue;
		}
		if (read(rep[0], &r, sizeof(r)) != sizeof(r)) {
			fprintf(stderr, "mshare-demo: a worker went away\n");
			goto out;
		}
		if (r.err) {
			fprintf(stderr, "mshare-demo: %s worker: %s: %s\n", kind,
				r.stage == 1 ? "attach/open" : "mmap",
				strerror(r.err));
			goto out;
		}
		res->minflt += r.minflt;
		res->vmpte_kb += r.vmpte_kb;
		res->added_kb += r.vmpte_added_kb;
		got++;
	}
	res->secs = now() - t0;
	res->pgtables_kb = meminfo_kb("PageTables") - pt0;
	if (holding)
		holding(res, arg);
	ret = 0;

out:
	if (rel[1] >= 0)
		close(rel[1]);	/* release the workers */
	for (i = 0; i < n; i++) {
		if (!pids[i])
			continue;
		if (ret)
			kill(pids[i], SIGKILL);
		if (waitpid(pids[i], &status, 0) == pids[i] && !ret &&
		    !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
			fprintf(stderr, "mshare-demo: worker %d ended with status %#x\n",
				(int)pids[i], status);
			ret = -1;
		}
		pids[i] = 0;
	}
	close(rep[0]);
	if (rep[1] >= 0)
		close(rep[1]);
	if (rel[0] >= 0)
		close(rel[0]);
	free(pids);
	return ret;
}

struct dom_ctx {
	struct mshare_nl *nl;
	const char *name;
};

static void domain_holding(struct result *res, void *arg)
{
	struct dom_ctx *c = arg;
	struct mshare_domain_info d = MSHARE_INIT(d);

	if (mshare_domain_get(c->nl, c->name, &d) == 0) {
		res->domain_tables_kb = (long long)d.table_pages * PAGE / 1024;
		res->links_pud = d.links_pud;
		res->links_pmd = d.links_pmd;
	}
}

static void fmt_kb(char *buf, size_t len, double kb)
{
	if (kb >= 10 * 1024)
		snprintf(buf, len, "%.1f MiB", kb / 1024);
	else
		snprintf(buf, len, "%.0f KiB", kb);
}

static void fmt_ratio(char *buf, size_t len, double a, double b)
{
	if (b <= 0)
		snprintf(buf, len, "-");
	else if (a / b >= 0.01 || a == 0)
		snprintf(buf, len, "%.2f", a / b);
	else
		snprintf(buf, len, "%.4f (1/%.0f)", a / b, b / a);
}

static void row(const char *what, double a, double b, int kb)
{
	char sa[32], sb[32], r[40];

	if (kb) {
		fmt_kb(sa, sizeof(sa), a);
		fmt_kb(sb, sizeof(sb), b);
	} else {
		snprintf(sa, sizeof(sa), "%.0f", a);
		snprintf(sb, sizeof(sb), "%.0f", b);
	}
	fmt_ratio(r, sizeof(r), a, b);
	printf("%-36s %14s %14s %16s\n", what, sa, sb, r);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: mshare-demo [-n ATTACHERS] [-s SIZE_MIB] [-r]\n"
		   "  -n  attachers (default 50)\n"
		   "  -s  size of the region in MiB, a multiple of 2 (default 1024)\n"
		   "  -r  touch by reading (default: writing)\n");
}

int main(int argc, char **argv)
{
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;
	char name[MSHARE_NAME_MAX], path[64];
	struct result ms, mf;
	struct mshare_nl *nl;
	struct dom_ctx dc;
	unsigned long long size_mib = 1024;
	int n = 50, ro = 0, opt, err, fd, rc = 1;
	size_t size;
	double t;

	if (argc == 8 && !strcmp(argv[1], WORKER_ARG))
		return worker(argv);

	while ((opt = getopt(argc, argv, "n:s:rh")) != -1) {
		switch (opt) {
		case 'n':
			n = atoi(optarg);
			break;
		case 's':
			size_mib = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			ro = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (n < 1 || n > 10000 || size_mib < 2 || size_mib % 2) {
		usage(stderr);
		return 2;
	}
	size = size_mib * MIB;

	printf("mshare-demo: %d unrelated attachers (fork + exec) of a %llu MiB region,\n"
	       "each %s every 4 KiB page, first an mshare domain, then a memfd.\n\n",
	       n, size_mib, ro ? "reading" : "writing");

	/* --- mshare --------------------------------------------------------- */
	nl = mshare_nl_open();
	err = nl ? 0 : -errno;
	if (err) {
		fprintf(stderr, "mshare-demo: %s\n", err == -ENOENT ?
			"the mshare module is not loaded" : strerror(-err));
		return 1;
	}
	snprintf(name, sizeof(name), "mshare-demo-%d", (int)getpid());
	opts.flags = MSHARE_DOMAIN_F_PREFAULT;
	printf("creating mshare domain %s (%llu MiB, prefaulted)...\n", name, size_mib);
	fflush(stdout);
	t = now();
	err = mshare_domain_create(nl, name, size, &opts, NULL);
	if (err) {
		fprintf(stderr, "mshare-demo: create %s: %s%s%s\n", name,
			strerror(-err), mshare_nl_extack(nl)[0] ? ": " : "", mshare_nl_extack(nl));
		mshare_nl_close(nl);
		return 1;
	}
	printf("  created in %.2f s; starting %d attachers...\n", now() - t, n);
	dc.nl = nl;
	dc.name = name;
	err = run_phase("mshare", name, size, n, ro, &ms, domain_holding, &dc);
	if (mshare_domain_destroy(nl, name)) {
		fprintf(stderr, "mshare-demo: destroy %s failed\n", name);
		err = -1;
	}
	mshare_nl_close(nl);
	if (err)
		return 1;
	printf("  done in %.2f s\n", ms.secs);

	/* --- memfd ---------------------------------------------------------- */
	printf("creating memfd (%llu MiB, fallocated)...\n", size_mib);
	fflush(stdout);
	fd = memfd_create("mshare-demo", MFD_CLOEXEC);
	t = now();
	if (fd < 0 || ftruncate(fd, size) || fallocate(fd, 0, 0, size)) {
		perror("mshare-demo: memfd");
		return 1;
	}
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)getpid(), fd);
	printf("  created in %.2f s; starting %d attachers...\n", now() - t, n);
	err = run_phase("memfd", path, size, n, ro, &mf, NULL, NULL);
	close(fd);
	if (err)
		return 1;
	printf("  done in %.2f s\n\n", mf.secs);

	/* --- the table ------------------------------------------------------- */
	printf("%-36s %14s %14s %16s\n", "", "mshare", "memfd", "mshare/memfd");
	row("page tables, total (PageTables)", ms.pgtables_kb, mf.pgtables_kb, 1);
	row("page tables, total (sum of VmPTE)", ms.vmpte_kb, mf.vmpte_kb, 1);
	row("page tables, per attacher", (double)ms.pgtables_kb / n,
	    (double)mf.pgtables_kb / n, 1);
	row("  of which for the region (VmPTE)", (double)ms.added_kb / n,
	    (double)mf.added_kb / n, 1);
	row("minor faults, total", ms.minflt, mf.minflt, 0);
	row("minor faults, per attacher", (double)ms.minflt / n,
	    (double)mf.minflt / n, 0);
	{
		char sa[32], sb[32], r[40];

		snprintf(sa, sizeof(sa), "%.2f s", ms.secs);
		snprintf(sb, sizeof(sb), "%.2f s", mf.secs);
		fmt_ratio(r, sizeof(r), ms.secs, mf.secs);
		printf("%-36s %14s %14s %16s\n", "time (all: exec, attach, touch)",
		       sa, sb, r);
	}
	printf("\nPage tables: growth of PageTables while all %d attachers hold, and their\n"
	       "VmPTE; both include each attacher's own few tables (program, libraries,\n"
	       "stack); \"for the region\" is the VmPTE growth from attach on.  The\n"
	       "domain's own tables, shared by all, are not in these: %lld KiB, with\n"
	       "%u PUD and %u PMD links to them from the attachers.  Minor faults:\n"
	       "from attach to the last page touched.  Time: from the first fork to\n"
	       "the last attacher done.\n",
	       n, ms.domain_tables_kb, ms.links_pud, ms.links_pmd);
	rc = 0;
	return rc;
}
