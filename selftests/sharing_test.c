// SPDX-License-Identifier: GPL-2.0
/*
 * Sharing, proven by measurement: processes that attach a domain link to its
 * page tables instead of building their own.
 *
 * Every attacher is a fresh program: the test forks and at once execs
 * mshare_attacher (a helper built next to this test), which maps the domain
 * (or a memfd, or nothing: the baseline), touches every page, reports its
 * VmPTE and faults, and holds the mapping until its stdin closes, so the
 * test can measure all of them alive at once.
 *
 * Page-table figures: VmPTE is the process's own page-table bytes
 * (mm_pgtables_bytes); PageTables in /proc/meminfo is every page-table page
 * in the system, read after writing /proc/sys/vm/stat_refresh so the
 * per-CPU counter deltas are folded in.  The domain's own tables exist in
 * both the baseline and the measured runs, so they cancel out.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mshare.h"
#include "mshare_util.h"
#include "kselftest_harness.h"

#define NPROC		32	/* attachers measured alive at once */
#define SLACK_KB	8	/* page-table bytes an attacher may add, kB */

#define THP_SHMEM	THP_SYSFS "/shmem_enabled"

/* ---- sysfs knobs, restored by the fixture and, failing that, at exit ---- */

struct knob {
	char path[128];
	char value[32];
	int saved;
};

#define NKNOBS 2
static struct knob *knobs;	/* MAP_SHARED: seen by every test process */

static int read_bracketed(const char *path, char *out, size_t len)
{
	char buf[256], *a, *b;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	a = strchr(buf, '[');
	b = a ? strchr(a, ']') : NULL;
	if (!b || (size_t)(b - a) > len)
		return -1;
	*b = 0;
	snprintf(out, len, "%s", a + 1);
	return 0;
}

/* Set knob @path to @value, remembering the old value in slot @slot. */
static int knob_set(int slot, const char *path, const char *value)
{
	struct knob *k = &knobs[slot];

	if (!k->saved) {
		if (read_bracketed(path, k->value, sizeof(k->value)))
			return -1;
		snprintf(k->path, sizeof(k->path), "%s", path);
		k->saved = 1;
	}
	return write_str(path, value);
}

static void knobs_restore(void)
{
	int i;

	for (i = 0; knobs && i < NKNOBS; i++) {
		if (!knobs[i].saved)
			continue;
		write_str(knobs[i].path, knobs[i].value);
		knobs[i].saved = 0;
	}
}

static void __attribute__((constructor)) knobs_init(void)
{
	knobs = mmap(NULL, sizeof(*knobs) * NKNOBS, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (knobs == MAP_FAILED)
		knobs = NULL;
	else
		memset(knobs, 0, sizeof(*knobs) * NKNOBS);
}

/* A test killed by its timeout skips its teardown: the harness's exit does it. */
static void __attribute__((destructor)) knobs_fini(void)
{
	knobs_restore();
}

/* ---- attachers: fork, exec mshare_attacher at once, read its report ---- */

struct attacher {
	pid_t pid;
	int in;			/* its stdin: closing it lets it exit */
	FILE *out;		/* its stdout: the report line */
	struct attacher_result r;	/* the report */
	long vmpte_alive;	/* VmPTE read by the test, all alive */
	int reported;
};

static int attacher_start(struct attacher *a, char *const argv[])
{
	int out;

	memset(a, 0, sizeof(*a));
	a->pid = spawn_attacher(argv, &a->in, &out);
	if (a->pid < 0)
		return -1;
	a->out = fdopen(out, "r");
	return a->out ? 0 : -1;
}

/* Read the report line: 0, or -1 when the helper ended without one. */
static int attacher_report(struct attacher *a)
{
	if (read_attacher_result(a->out, &a->r))
		return -1;
	a->reported = 1;
	return 0;
}

/*
 * Let it go and reap it: its exit status (128 + the signal if one killed
 * it), or -1 if it could not be reaped.
 */
static int attacher_finish(struct attacher *a)
{
	int ret;

	if (a->pid <= 0)
		return -1;
	if (a->in >= 0)
		close(a->in);
	a->in = -1;
	if (a->out)
		fclose(a->out);
	a->out = NULL;
	ret = wait_exit_code(a->pid);
	if (ret >= 0)
		a->pid = 0;
	return ret;
}

static void attachers_kill(struct attacher *a, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (a[i].pid > 0) {
			kill(a[i].pid, SIGKILL);
			attacher_finish(&a[i]);
		}
}

/* What one group of attachers, all alive at once, measured. */
struct group {
	long pagetables_kb;		/* PageTables, all alive */
	long sum_vmpte_alive;		/* their VmPTE summed */
	long sum_minflt;
	long max_growth;		/* max over them of vmpte_alive - vmpte_before */
	long min_growth;
	struct mshare_domain_info dom;	/* DOMAIN_GET, all alive (if a domain) */
	int dom_err;
};

/*
 * Start @n attachers with @argv, wait for every report, measure with all of
 * them alive (PageTables, each VmPTE, DOMAIN_GET of @domain if given), then
 * let them all go.  Fails (ASSERTs) when any did not report; each must exit 0.
 * ASSERT_* work here: they longjmp back to the harness through _metadata.
 */
static void run_group(struct __test_metadata *_metadata, struct mshare_nl *nl,
		      char *const argv[], int n, struct attacher *att,
		      struct group *g, const char *domain)
{
	int i;

	memset(g, 0, sizeof(*g));
	g->min_growth = LONG_MAX;
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, attacher_start(&att[i], argv))
			attachers_kill(att, i + 1);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, attacher_report(&att[i])) {
			TH_LOG("attacher %d gave no report", i);
			attachers_kill(att, n);
		}
	}
	vmstat_refresh();
	g->pagetables_kb = meminfo_kb("PageTables");
	for (i = 0; i < n; i++) {
		struct attacher *a = &att[i];
		long growth;

		a->vmpte_alive = status_kb(a->pid, "VmPTE");
		growth = a->vmpte_alive - a->r.vmpte_before;
		g->sum_vmpte_alive += a->vmpte_alive;
		g->sum_minflt += a->r.minflt;
		if (growth > g->max_growth)
			g->max_growth = growth;
		if (growth < g->min_growth)
			g->min_growth = growth;
	}
	if (domain) {
		g->dom.size = sizeof(g->dom);
		g->dom_err = mshare_domain_get(nl, domain, &g->dom);
	}
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, attacher_finish(&att[i]))
			TH_LOG("attacher %d failed", i);
	for (i = 0; i < n; i++)
		ASSERT_GT(att[i].vmpte_alive, 0);
	ASSERT_GT(g->pagetables_kb, 0);
}

/* Attach @name, write page_pattern(@seed) into every page, unmap. */
static int fill_domain(const char *name, uint64_t seed)
{
	size_t size;
	void *addr;
	int err = attach_dom(name, 0, &addr, &size);

	if (err)
		return err;
	fill_pattern(addr, 0, size / PAGE, seed);
	return mshare_detach(addr, size) ? -errno : 0;
}

FIXTURE(sharing) {
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	int memfd;
};

FIXTURE_SETUP(sharing)
{
	self->memfd = -1;
	snprintf(self->name, sizeof(self->name), "sharing-%d", getpid());
	ASSERT_EQ(0, nl_open(&self->nl));
}

FIXTURE_TEARDOWN(sharing)
{
	if (self->memfd >= 0)
		close(self->memfd);
	mshare_domain_destroy(self->nl, self->name);
	mshare_nl_close(self->nl);
	knobs_restore();
}

/*
 * 32 processes attach a prefaulted 1 GiB domain and touch every page: each
 * adds at most 8 KiB of page tables, the system's PageTables grows by at
 * most 8 KiB per process.  Where the kernel can link at PUD level
 * (pud_links_possible()) each links its PUD entry to the domain's PMD table
 * (>= 32 PUD links); elsewhere (6.1, PREEMPT_RT) each links the 512 PMD
 * entries of one PMD table of its own to the domain's PTE tables (exactly
 * 512 * 32 PMD links, none at PUD level).  The same 32 processes mapping a
 * 1 GiB memfd instead each build ~2 MiB of PTE tables (>= 1.5 MiB asserted):
 * the control that shows the measurement sees a per-process copy.
 */
TEST_F_TIMEOUT(sharing, domain_1g_adds_no_page_tables_memfd_adds_2m, 600)
{
	struct attacher att_none[NPROC], att_dom[NPROC], att_mfd[NPROC];
	struct mshare_domain_info info = MSHARE_INIT(info);
	struct group none, dom, mfd;
	char size_arg[32], path_arg[64], thp[32];
	char *argv_none[] = { "mshare_attacher", "--none", "--hold", NULL };
	char *argv_dom[] = { "mshare_attacher", "--domain", self->name,
			     "--touch", "read", "--hold", NULL };
	char *argv_mfd[] = { "mshare_attacher", "--memfd-path", path_arg,
			     "--size", size_arg, "--touch", "read", "--hold", NULL };
	static char buf[1 << 20];
	uint64_t off, i;
	int n;

	/*
	 * PUD links need THP not 'never' ('always' is Debian's default;
	 * domain VMAs are VM_HUGEPAGE, so 'madvise' is enough).  The memfd
	 * control needs 4 KiB shmem pages, as by default.  A kernel without
	 * THP has neither knob.
	 */
	if (thp_built()) {
		ASSERT_EQ(0, read_bracketed(THP_ENABLED, thp, sizeof(thp)));
		if (!strcmp(thp, "never"))
			ASSERT_EQ(0, knob_set(0, THP_ENABLED, "madvise"));
		ASSERT_EQ(0, read_bracketed(THP_SHMEM, thp, sizeof(thp)));
		if (strcmp(thp, "never") && strcmp(thp, "deny"))
			ASSERT_EQ(0, knob_set(1, THP_SHMEM, "never"));
	}

	ASSERT_EQ(0, create_domain(self->nl, self->name, 1 * GiB,
				   MSHARE_DOMAIN_F_PREFAULT, &info));
	ASSERT_EQ(1 * GiB, info.bytes);

	/* The memfd: 1 GiB written (so in the page cache) before anyone maps it. */
	self->memfd = memfd_create("sharing-control", MFD_CLOEXEC);
	ASSERT_GE(self->memfd, 0);
	ASSERT_EQ(0, ftruncate(self->memfd, 1 * GiB));
	for (off = 0; off < 1 * GiB; off += sizeof(buf)) {
		for (i = 0; i < sizeof(buf) / PAGE; i++)
			*(uint64_t *)(buf + i * PAGE) = page_pattern(1, (off / PAGE) + i);
		ASSERT_EQ(sizeof(buf), pwrite(self->memfd, buf, sizeof(buf), off));
	}
	snprintf(size_arg, sizeof(size_arg), "%llu", 1 * GiB);
	snprintf(path_arg, sizeof(path_arg), "/proc/%d/fd/%d", getpid(), self->memfd);

	run_group(_metadata, self->nl, argv_none, NPROC, att_none, &none, NULL);
	run_group(_metadata, self->nl, argv_dom, NPROC, att_dom, &dom, self->name);
	run_group(_metadata, self->nl, argv_mfd, NPROC, att_mfd, &mfd, NULL);

	TH_LOG("%d processes, all alive: PageTables none %ld kB, mshare %ld kB, memfd %ld kB",
	       NPROC, none.pagetables_kb, dom.pagetables_kb, mfd.pagetables_kb);
	TH_LOG("per process: PageTables growth mshare %.1f kB, memfd %.1f kB",
	       (double)(dom.pagetables_kb - none.pagetables_kb) / NPROC,
	       (double)(mfd.pagetables_kb - none.pagetables_kb) / NPROC);
	TH_LOG("per process: mean VmPTE none %.1f kB, mshare %.1f kB, memfd %.1f kB",
	       (double)none.sum_vmpte_alive / NPROC,
	       (double)dom.sum_vmpte_alive / NPROC,
	       (double)mfd.sum_vmpte_alive / NPROC);
	TH_LOG("per process: VmPTE growth while mapped mshare %ld..%ld kB, memfd %ld..%ld kB",
	       dom.min_growth, dom.max_growth, mfd.min_growth, mfd.max_growth);
	TH_LOG("per process: mean minor faults to touch 1 GiB mshare %.1f, memfd %.1f",
	       (double)dom.sum_minflt / NPROC, (double)mfd.sum_minflt / NPROC);
	TH_LOG("domain, all alive: links_pud %u links_pmd %u table_pages %u resident %" PRIu64,
	       dom.dom.links_pud, dom.dom.links_pmd, dom.dom.table_pages,
	       dom.dom.resident);

	/* mshare: each process adds at most 8 KiB over its own baseline... */
	for (n = 0; n < NPROC; n++) {
		EXPECT_LE(att_dom[n].vmpte_alive, att_dom[n].r.vmpte_before + SLACK_KB) {
			TH_LOG("mshare attacher %d: VmPTE %ld kB, %ld kB before mapping",
			       n, att_dom[n].vmpte_alive, att_dom[n].r.vmpte_before);
		}
	}
	/* ... the group at most 8 KiB a process over the 'no mapping' group ... */
	EXPECT_LE(dom.sum_vmpte_alive, none.sum_vmpte_alive + NPROC * SLACK_KB);
	EXPECT_LE(dom.pagetables_kb - none.pagetables_kb, NPROC * SLACK_KB);
	/* ... because every one of them links to the domain's tables. */
	ASSERT_EQ(0, dom.dom_err);
	if (pud_links_possible()) {
		EXPECT_GE(dom.dom.links_pud, NPROC);
	} else {
		EXPECT_EQ(0, dom.dom.links_pud);
		EXPECT_EQ(512 * NPROC, dom.dom.links_pmd);
	}

	/* memfd, the control: each process builds its own ~2 MiB of PTEs. */
	for (n = 0; n < NPROC; n++) {
		EXPECT_GE(att_mfd[n].vmpte_alive, att_mfd[n].r.vmpte_before + 1536) {
			TH_LOG("memfd attacher %d: VmPTE %ld kB, %ld kB before mapping",
			       n, att_mfd[n].vmpte_alive, att_mfd[n].r.vmpte_before);
		}
	}
	EXPECT_GE(mfd.sum_vmpte_alive, none.sum_vmpte_alive + NPROC * 1536);
	EXPECT_GE(mfd.pagetables_kb - none.pagetables_kb, NPROC * 1536);
}

/*
 * A domain of 1 GiB + 6 MiB: the last 6 MiB are not a whole GiB, so each
 * attacher links them as 3 PMD entries to the domain's PTE tables.  Every
 * attacher (a fresh program) reads exactly what the creator wrote.
 */
TEST_F_TIMEOUT(sharing, domain_1g6m_shares_data_and_links_tail_pmds, 300)
{
	enum { N = 3 };
	struct attacher att[N];
	struct mshare_domain_info info = MSHARE_INIT(info);
	struct group g;
	char *argv[] = { "mshare_attacher", "--domain", self->name, "--touch",
			 "read", "--verify", "7", "--hold", NULL };
	int n;

	ASSERT_EQ(0, create_domain(self->nl, self->name, 1 * GiB + 6 * MiB,
				   MSHARE_DOMAIN_F_PREFAULT, &info));
	ASSERT_EQ(0, fill_domain(self->name, 7));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &info));
	EXPECT_EQ(0, info.links_pud);
	EXPECT_EQ(0, info.links_pmd);

	run_group(_metadata, self->nl, argv, N, att, &g, self->name);
	for (n = 0; n < N; n++) {
		EXPECT_EQ(1 * GiB + 6 * MiB, att[n].r.size);
		EXPECT_EQ(0, att[n].r.bad) TH_LOG("attacher %d: %llu bad pages", n, att[n].r.bad);
	}
	ASSERT_EQ(0, g.dom_err);
	TH_LOG("%d attachers: links_pud %u links_pmd %u", N, g.dom.links_pud,
	       g.dom.links_pmd);
	EXPECT_GE(g.dom.links_pmd, 3 * N);
}

/*
 * With THP 'never' nothing links at PUD level: every attacher links each of
 * the 512 PMD entries of a 1 GiB domain to the domain's PTE tables, which
 * costs it one PMD table (4 KiB; at most 8 KiB asserted) and no PTEs.  A
 * kernel built without THP (PREEMPT_RT) has no knob and behaves so always.
 */
TEST_F_TIMEOUT(sharing, thp_never_links_512_pmds_per_process, 300)
{
	enum { N = 4 };
	struct attacher att[N];
	struct mshare_domain_info info = MSHARE_INIT(info);
	struct group g;
	char *argv[] = { "mshare_attacher", "--domain", self->name, "--touch",
			 "read", "--verify", "9", "--hold", NULL };
	char thp[32];
	int n;

	if (thp_built()) {
		ASSERT_EQ(0, knob_set(0, THP_ENABLED, "never"));
		ASSERT_EQ(0, read_bracketed(THP_ENABLED, thp, sizeof(thp)));
		ASSERT_STREQ("never", thp);
	}
	ASSERT_FALSE(pud_links_possible());

	ASSERT_EQ(0, create_domain(self->nl, self->name, 1 * GiB,
				   MSHARE_DOMAIN_F_PREFAULT, &info));
	ASSERT_EQ(0, fill_domain(self->name, 9));

	run_group(_metadata, self->nl, argv, N, att, &g, self->name);
	for (n = 0; n < N; n++) {
		EXPECT_EQ(0, att[n].r.bad) TH_LOG("attacher %d: %llu bad pages", n, att[n].r.bad);
		EXPECT_LE(att[n].vmpte_alive, att[n].r.vmpte_before + SLACK_KB) {
			TH_LOG("attacher %d: VmPTE %ld kB, %ld kB before mapping",
			       n, att[n].vmpte_alive, att[n].r.vmpte_before);
		}
	}
	TH_LOG("%d attachers: links_pud %u links_pmd %u, VmPTE growth %ld..%ld kB",
	       N, g.dom.links_pud, g.dom.links_pmd, g.min_growth, g.max_growth);
	ASSERT_EQ(0, g.dom_err);
	EXPECT_EQ(0, g.dom.links_pud);
	EXPECT_EQ(512 * N, g.dom.links_pmd);
}

TEST_HARNESS_MAIN
