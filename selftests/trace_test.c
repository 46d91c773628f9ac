// SPDX-License-Identifier: GPL-2.0
/*
 * The "mshare" tracepoints (kmod/trace.h, Documentation/tracing.rst): in a
 * trace instance of its own (tracefs mounted if need be), with every
 * mshare event enabled, the test creates a domain, maps it, links, fills,
 * discards, migrates, unmaps and deletes it, then finds each event in the
 * instance's trace with the field values those steps must give: the
 * domain's id, offsets and lengths in bytes, levels, counts.  Another test
 * links a 1 GiB domain at PUD level, and one checks that each event's
 * format lists the documented fields.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mshare_util.h"
#include "tracefs_util.h"
#include "kselftest_harness.h"

#define DSIZE		(4 * MiB)
#define MAX_EVENTS	4096

static const char *const events[] = {
	"mshare_link", "mshare_unlink", "mshare_fault",
	"mshare_shootdown_begin", "mshare_shootdown_end", "mshare_discard",
	"mshare_migrate_batch", "mshare_domain_create",
	"mshare_domain_destroy", "mshare_domain_free",
};

/* One line of the trace: the event's name and its "key=value" text. */
struct ev {
	char name[48];
	char text[256];
};

struct trace {
	struct ev ev[MAX_EVENTS];
	int nr;
};

/*
 * Read the instance's trace into @t: each "...: mshare_X: text" line.
 * Returns the number of mshare events.
 */
static int read_trace(const char *dir, struct trace *t)
{
	char path[256], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", dir);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	t->nr = 0;
	while (fgets(line, sizeof(line), f) && t->nr < MAX_EVENTS) {
		char *p = strstr(line, ": mshare_"), *q;

		if (!p || line[0] == '#')
			continue;
		p += 2;
		q = strstr(p, ": ");
		if (!q)
			continue;
		*q = 0;
		snprintf(t->ev[t->nr].name, sizeof(t->ev[0].name), "%s", p);
		q[strcspn(q + 2, "\n") + 2] = 0;
		snprintf(t->ev[t->nr].text, sizeof(t->ev[0].text), " %s ", q + 2);
		t->nr++;
	}
	fclose(f);
	return t->nr;
}

/*
 * Whether @e has every " key=value " of @want (a space-separated list;
 * a bare word, such as "fill" or "ranged", must appear as a word).
 */
static bool ev_has(const struct ev *e, const char *want)
{
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", want);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char w[128];

		snprintf(w, sizeof(w), " %s ", tok);
		if (!strstr(e->text, w))
			return false;
	}
	return true;
}

/* The number of events @name whose text has @want. */
static int count(const struct trace *t, const char *name, const char *want)
{
	int i, n = 0;

	for (i = 0; i < t->nr; i++)
		if (!strcmp(t->ev[i].name, name) && ev_has(&t->ev[i], want))
			n++;
	return n;
}

/* The value of @key in the first event @name whose text has @want, or -1. */
static long long field(const struct trace *t, const char *name,
		       const char *want, const char *key)
{
	char k[64];
	int i;

	snprintf(k, sizeof(k), " %s=", key);
	for (i = 0; i < t->nr; i++) {
		const char *p;

		if (strcmp(t->ev[i].name, name) || !ev_has(&t->ev[i], want))
			continue;
		p = strstr(t->ev[i].text, k);
		return p ? strtoll(p + strlen(k), NULL, 0) : -1;
	}
	return -1;
}

static void dump_trace(struct __test_metadata *_metadata,
		       const struct trace *t)
{
	int i;

	for (i = 0; i < t->nr; i++)
		TH_LOG("%s:%s", t->ev[i].name, t->ev[i].text);
}

/* The node, other than @node, that has memory; @node if none. */
static int other_node(int node)
{
	char path[64];
	int n;

	for (n = 0; n < 64; n++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", n);
		if (n != node && !access(path, F_OK))
			return n;
	}
	return node;
}

FIXTURE(trace) {
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	char dir[128];
	struct trace t;
};

FIXTURE_SETUP(trace)
{
	int err = tracefs_ready();

	if (err)
		SKIP(return, "no tracefs: %s", strerror(-err));
	snprintf(self->dir, sizeof(self->dir), TRACEFS "/instances/mshare-trace-%d",
		 (int)getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0700)) TH_LOG("%s: %s", self->dir, strerror(errno));
	if (access(TRACEFS "/events", F_OK)) {
		rmdir(self->dir);
		self->dir[0] = 0;
		SKIP(return, "a kernel without event tracing (CONFIG_EVENT_TRACING)");
	}
	ASSERT_EQ(0, tracefs_write(self->dir, "buffer_size_kb", "4096"));
	ASSERT_EQ(0, tracefs_write(self->dir, "events/mshare/enable", "1"))
		TH_LOG("no events/mshare in tracefs: is this mshare.ko built with tracepoints?");
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "tr-%d", (int)getpid());
}

FIXTURE_TEARDOWN(trace)
{
	if (self->dir[0]) {
		tracefs_write(self->dir, "events/mshare/enable", "0");
		rmdir(self->dir);
	}
	if (self->nl) {
		mshare_domain_destroy(self->nl, self->name);
		mshare_nl_close(self->nl);
	}
}

/* Each event exists, and its format has the documented fields. */
TEST_F(trace, formats_have_the_documented_fields)
{
	static const struct { const char *ev, *fields; } want[] = {
		{ "mshare_link", "dom_id level rdonly mm addr offset size" },
		{ "mshare_unlink", "dom_id level links mm addr size" },
		{ "mshare_fault", "dom_id kind level ret addr offset" },
		{ "mshare_shootdown_begin", "dom_id mms cpus full pages" },
		{ "mshare_shootdown_end", "dom_id mms cpus full pages" },
		{ "mshare_discard", "dom_id offset length pages split zeroed" },
		{ "mshare_migrate_batch",
		  "dom_id node error present moved skipped offset length" },
		{ "mshare_domain_create", "dom_id flags node attached size resident name" },
		{ "mshare_domain_destroy", "dom_id flags node attached size resident name" },
		{ "mshare_domain_free", "dom_id flags node attached size resident name" },
	};
	unsigned int i;

	ASSERT_EQ(sizeof(want) / sizeof(want[0]), sizeof(events) / sizeof(events[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char path[256], buf[4096], fields[128], *tok, *save = NULL;
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "%s/events/mshare/%s/format",
			 self->dir, want[i].ev);
		fd = open(path, O_RDONLY);
		ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		ASSERT_LT(0, n);
		buf[n] = 0;
		snprintf(fields, sizeof(fields), "%s", want[i].fields);
		for (tok = strtok_r(fields, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save)) {
			char f1[80], f2[80];

			/* "field:u32 dom_id;" or "field:char name[64];" */
			snprintf(f1, sizeof(f1), " %s;", tok);
			snprintf(f2, sizeof(f2), " %s[", tok);
			EXPECT_TRUE(strstr(buf, f1) || strstr(buf, f2))
				TH_LOG("%s: no field %s", want[i].ev, tok);
		}
	}
}

/*
 * The whole life of a 4 MiB domain, each step's event checked.  Offsets:
 * page 1 faults first (PMD link of the first 2 MiB, filling page 1),
 * then 2 MiB + page 3 (PMD link of the second), then page 5 (a fill in
 * the linked table); page 1 is discarded; a migration of the whole
 * domain, bound to node 0, to another node moves pages 5 and 512 + 3 and
 * the tables (unlinking them; on a machine of one node nothing moves); a
 * touch relinks, munmap unlinks, delete and free follow.
 */
TEST_F_TIMEOUT(trace, each_event_fires_with_its_fields, 120)
{
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;
	struct mshare_domain_info info = MSHARE_INIT(info);
	struct mshare_migrate_result mr = MSHARE_INIT(mr);
	int home = 0, target, i;
	unsigned long base;
	char want[256];
	size_t size;
	char *p;

	opts.numa.policy = MSHARE_NUMA_BIND;
	opts.numa.nr_nodes = 1;
	opts.numa.nodes[0] = home;
	ASSERT_EQ(0, mshare_domain_create(self->nl, self->name, DSIZE, &opts,
					  &info));
	p = mshare_attach(self->name, 0, &size);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(DSIZE, size);
	base = (unsigned long)p;
	p[1 * PAGE] = 1;
	p[2 * MiB + 3 * PAGE] = 2;
	p[5 * PAGE] = 3;
	ASSERT_EQ(0, mshare_domain_discard(self->nl, self->name, PAGE, PAGE));
	target = other_node(home);
	ASSERT_EQ(0, mshare_domain_migrate(self->nl, self->name, target, 0, 0,
					   &mr));
	ASSERT_EQ(3, p[5 * PAGE]);	/* relinks the first 2 MiB */
	ASSERT_EQ(0, munmap(p, size));
	ASSERT_EQ(0, mshare_domain_destroy(self->nl, self->name));
	/* The last fput() may run a moment later: wait for the free. */
	for (i = 0; i < 50; i++) {
		ASSERT_LE(0, read_trace(self->dir, &self->t));
		if (count(&self->t, "mshare_domain_free", ""))
			break;
		usleep(100 * 1000);
	}
	dump_trace(_metadata, &self->t);

	/* create */
	snprintf(want, sizeof(want), "dom=%u name=%s size=0x%llx flags=0x0 attached=0",
		 info.id, self->name, DSIZE);
	EXPECT_EQ(1, count(&self->t, "mshare_domain_create", want));

	/* link faults (PMD), the links, and a fill fault */
	snprintf(want, sizeof(want), "dom=%u link level=pmd addr=0x%lx offset=0x1000 ret=0x100",
		 info.id, base + PAGE);
	EXPECT_EQ(1, count(&self->t, "mshare_fault", want));
	snprintf(want, sizeof(want), "dom=%u level=pmd addr=0x%lx offset=0x0 size=0x200000 rdonly=0",
		 info.id, base);
	EXPECT_LE(1, count(&self->t, "mshare_link", want));
	snprintf(want, sizeof(want), "dom=%u level=pmd addr=0x%lx offset=0x200000 size=0x200000 rdonly=0",
		 info.id, base + (unsigned long)(2 * MiB));
	EXPECT_EQ(1, count(&self->t, "mshare_link", want));
	snprintf(want, sizeof(want), "dom=%u fill level=pte addr=0x%lx offset=0x5000 ret=0x100",
		 info.id, base + 5 * PAGE);
	EXPECT_EQ(1, count(&self->t, "mshare_fault", want));

	/* discard of page 1: one page freed, one ranged round for one mm */
	snprintf(want, sizeof(want), "dom=%u offset=0x1000 length=0x1000 pages=1", info.id);
	EXPECT_EQ(1, count(&self->t, "mshare_discard", want));
	snprintf(want, sizeof(want), "dom=%u mms=1 pages=1 ranged", info.id);
	EXPECT_LE(1, count(&self->t, "mshare_shootdown_begin", want));
	EXPECT_LE(1, count(&self->t, "mshare_shootdown_end", want));
	EXPECT_LE(1, field(&self->t, "mshare_shootdown_end", want, "cpus"));

	/*
	 * migration: one batch for both 2 MiB tables (up to 16 go in one),
	 * one page present in each
	 */
	snprintf(want, sizeof(want), "dom=%u node=%d offset=0x0 length=0x400000 present=2 skipped=0 error=0",
		 info.id, target);
	EXPECT_EQ(1, count(&self->t, "mshare_migrate_batch", want));
	EXPECT_EQ(target != home ? 2 : 0,
		  field(&self->t, "mshare_migrate_batch", want, "moved"));
	snprintf(want, sizeof(want), "dom=%u", info.id);
	EXPECT_EQ(1, count(&self->t, "mshare_migrate_batch", want));
	EXPECT_EQ(2, (int)mr.total);
	if (target == home) {
		TH_LOG("one NUMA node: nothing moved, no unlink by the module");
		goto end;
	}
	/* The tables moved with the whole domain: the module unlinked both. */
	snprintf(want, sizeof(want), "dom=%u level=pmd addr=0x%lx size=0x200000 links=0",
		 info.id, base);
	EXPECT_EQ(1, count(&self->t, "mshare_unlink", want));
	snprintf(want, sizeof(want), "dom=%u level=pmd addr=0x%lx size=0x200000 links=0",
		 info.id, base + (unsigned long)(2 * MiB));
	EXPECT_EQ(1, count(&self->t, "mshare_unlink", want));
	/* The relink after it, then munmap's unlink, which is the kernel's. */
	snprintf(want, sizeof(want), "dom=%u level=pmd addr=0x%lx offset=0x0", info.id, base);
	EXPECT_EQ(2, count(&self->t, "mshare_link", want));
end:
	snprintf(want, sizeof(want), "dom=0 level=pmd addr=0x%lx size=0x200000 links=0", base);
	EXPECT_EQ(1, count(&self->t, "mshare_unlink", want));

	/* delete, then free: pages 5 and 512 + 3 were still there */
	snprintf(want, sizeof(want), "dom=%u name=%s size=0x%llx attached=0", info.id,
		 self->name, DSIZE);
	EXPECT_EQ(1, count(&self->t, "mshare_domain_destroy", want));
	snprintf(want, sizeof(want), "dom=%u name=%s size=0x%llx resident=2", info.id,
		 self->name, DSIZE);
	EXPECT_EQ(1, count(&self->t, "mshare_domain_free", want));
	snprintf(want, sizeof(want), "dom=%u", info.id);
	EXPECT_EQ(target, field(&self->t, "mshare_domain_free", want, "node"));
}

/*
 * A 1 GiB domain mapped 1 GiB-aligned links at PUD level where the kernel
 * offers PUD faults (pud_links_possible(): THP on, 6.6 or later), at PMD
 * level (the 2 MiB around the touch) elsewhere: the event says which.
 */
TEST_F_TIMEOUT(trace, pud_link_fires_with_level_pud, 120)
{
	struct mshare_domain_info info = MSHARE_INIT(info);
	int pud = pud_links_possible();
	const char *level = pud ? "pud" : "pmd";
	unsigned long span = pud ? GiB : 2 * MiB;
	char want[256];
	size_t size;
	char *p;

	if (!pud)
		TH_LOG("no PUD faults here (THP %s, kernel before 6.6?): a PMD link expected",
		       thp_built() ? thp_enabled() : "not built");
	ASSERT_EQ(0, create_domain(self->nl, self->name, 1 * GiB, 0, &info));
	p = mshare_attach(self->name, 0, &size);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, (unsigned long)p % GiB);
	p[7 * PAGE] = 1;
	ASSERT_LE(0, read_trace(self->dir, &self->t));
	dump_trace(_metadata, &self->t);
	snprintf(want, sizeof(want), "dom=%u link level=%s addr=0x%lx offset=0x7000 ret=0x100",
		 info.id, level, (unsigned long)p + 7 * PAGE);
	EXPECT_EQ(1, count(&self->t, "mshare_fault", want));
	snprintf(want, sizeof(want), "dom=%u level=%s addr=0x%lx offset=0x0 size=0x%lx rdonly=0",
		 info.id, level, (unsigned long)p, span);
	EXPECT_EQ(1, count(&self->t, "mshare_link", want));
	ASSERT_EQ(0, munmap(p, size));
	ASSERT_LE(0, read_trace(self->dir, &self->t));
	snprintf(want, sizeof(want), "dom=0 level=%s addr=0x%lx size=0x%lx links=0",
		 level, (unsigned long)p, span);
	EXPECT_EQ(1, count(&self->t, "mshare_unlink", want));
}

TEST_HARNESS_MAIN
