// SPDX-License-Identifier: GPL-2.0
/*
 * msharectl end to end: add, show (text, JSON, pretty JSON, parsed back),
 * set, stats, discard, del; the same name for a counter in show, stats,
 * text and JSON; `monitor` printing every attribute of every event (text
 * and JSON, -t timestamps), surviving an overrun of its socket and saying
 * how many events it lost; the iproute2 habits (-V, help at every level,
 * -batch, -h, size suffixes in any case, user and group names, list/ls and
 * a default show, "--"); the bash completion; and a table of malformed
 * command lines, each answered with its exact exit status (2: usage, 1:
 * the kernel refused), one line on stderr and no state change.
 *
 * msharectl is looked for in $MSHARECTL, next to this program, then in
 * /bin and /usr/bin; without it the tests are skipped.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <regex.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mshare.h"
#include "mshare_util.h"
#include "kselftest_harness.h"

static char ctl[PATH_MAX];

static bool find_ctl(void)
{
	const char *env = getenv("MSHARECTL");
	const char *cands[] = { "/bin/msharectl", "/usr/bin/msharectl" };
	char self[PATH_MAX];
	ssize_t n;
	unsigned int i;

	if (ctl[0])
		return true;
	if (env && !access(env, X_OK)) {
		snprintf(ctl, sizeof(ctl), "%s", env);
		return true;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = 0;
		strcpy(strrchr(self, '/') + 1, "msharectl");
		snprintf(ctl, sizeof(ctl), "%s", self);
		if (!access(ctl, X_OK))
			return true;
	}
	for (i = 0; i < 2; i++) {
		if (!access(cands[i], X_OK)) {
			snprintf(ctl, sizeof(ctl), "%s", cands[i]);
			return true;
		}
	}
	ctl[0] = 0;
	return false;
}

#define OUT_MAX	65536

/* Run msharectl as this uid (and gid), without capabilities; 0: as we are. */
static uid_t run_uid;

/*
 * Run msharectl with @args (NULL-terminated), @in (or nothing) on its
 * stdin; its stdout in @out, stderr in @err (either may be NULL).
 * Returns its exit status, or -1.
 */
static int ctl_run_in(const char *in, char *out, char *err,
		      const char *const *args)
{
	int pi[2], po[2], pe[2], status;
	const char *argv[40];
	ssize_t n, lo = 0, le = 0;
	char sink[4096];
	pid_t pid;
	int i;

	argv[0] = ctl;
	for (i = 0; args[i] && i < 38; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	if (pipe(pi) || pipe(po) || pipe(pe))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (run_uid &&
		    (setgroups(0, NULL) || setgid(run_uid) || setuid(run_uid)))
			_exit(126);
		dup2(pi[0], 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(pi[1]);
		close(po[0]);
		close(pe[0]);
		execv(ctl, (char *const *)argv);
		_exit(127);
	}
	close(pi[0]);
	close(po[1]);
	close(pe[1]);
	/* Inputs and outputs are small: write all, read stdout, stderr. */
	if (in && write(pi[1], in, strlen(in)) != (ssize_t)strlen(in))
		return -1;
	close(pi[1]);
	while ((n = read(po[0], out ? out + lo : sink,
			 out ? OUT_MAX - 1 - lo : sizeof(sink))) > 0)
		if (out)
			lo += n;
	while ((n = read(pe[0], err ? err + le : sink,
			 err ? OUT_MAX - 1 - le : sizeof(sink))) > 0)
		if (err)
			le += n;
	if (out)
		out[lo] = 0;
	if (err)
		err[le] = 0;
	close(po[0]);
	close(pe[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int ctl_run(char *out, char *err, const char *const *args)
{
	return ctl_run_in(NULL, out, err, args);
}

#define CTL(out, err, ...) ctl_run(out, err, (const char *const[]){ __VA_ARGS__, NULL })
/* CTL as uid @uid (gid the same number, no supplementary groups). */
#define CTL_AS(uid, out, err, ...) ({					\
	int _r;								\
	run_uid = (uid);						\
	_r = ctl_run(out, err, (const char *const[]){ __VA_ARGS__, NULL }); \
	run_uid = 0;							\
	_r;								\
})
#define CTL_IN(in, out, err, ...) \
	ctl_run_in(in, out, err, (const char *const[]){ __VA_ARGS__, NULL })

/* ---- a small JSON reader: validates, and finds top-level members ---- */

struct json {
	const char *p;
	int err;
};

static void ws(struct json *j)
{
	while (isspace((unsigned char)*j->p))
		j->p++;
}

static void value(struct json *j);

static void string(struct json *j)
{
	if (*j->p != '"') {
		j->err = 1;
		return;
	}
	for (j->p++; *j->p && *j->p != '"'; j->p++)
		if (*j->p == '\\' && j->p[1])
			j->p++;
	if (*j->p != '"')
		j->err = 1;
	else
		j->p++;
}

static void compound(struct json *j, char open, char close)
{
	j->p++;
	ws(j);
	if (*j->p == close) {
		j->p++;
		return;
	}
	while (!j->err) {
		ws(j);
		if (open == '{') {
			string(j);
			ws(j);
			if (*j->p++ != ':') {
				j->err = 1;
				return;
			}
		}
		value(j);
		ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p == close) {
			j->p++;
			return;
		}
		j->err = 1;
	}
}

static void value(struct json *j)
{
	ws(j);
	if (*j->p == '{')
		compound(j, '{', '}');
	else if (*j->p == '[')
		compound(j, '[', ']');
	else if (*j->p == '"')
		string(j);
	else if (!strncmp(j->p, "true", 4) || !strncmp(j->p, "null", 4))
		j->p += 4;
	else if (!strncmp(j->p, "false", 5))
		j->p += 5;
	else if (*j->p == '-' || isdigit((unsigned char)*j->p))
		while (*j->p == '-' || isdigit((unsigned char)*j->p))
			j->p++;
	else
		j->err = 1;
}

/* One JSON document and nothing else (but whitespace). */
static bool json_valid(const char *s)
{
	struct json j = { .p = s };

	value(&j);
	ws(&j);
	return !j.err && !*j.p;
}

/* The number member @key of the first object in @s, or -1. */
static long long json_num(const char *s, const char *key)
{
	char pat[80];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(s, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	return strtoll(p, NULL, 10);
}

static bool json_has(const char *s, const char *key, const char *raw)
{
	char pat[160];

	snprintf(pat, sizeof(pat), "\"%s\":%s", key, raw);
	return strstr(s, pat) != NULL;
}

/* Has the JSON @s a member @key at all? */
static bool json_key(const char *s, const char *key)
{
	char pat[80];

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	return strstr(s, pat) != NULL;
}

/*
 * The number after the text key @key (" key N", the key preceded by a
 * blank and followed by one), or -1.
 */
static long long text_num(const char *s, const char *key)
{
	char pat[80];
	const char *p;

	snprintf(pat, sizeof(pat), " %s ", key);
	p = strstr(s, pat);
	if (!p || !isdigit((unsigned char)p[strlen(pat)]))
		return -1;
	return strtoll(p + strlen(pat), NULL, 10);
}

/* Create @path holding @text (best effort: the test reads it back). */
static void write_str_create(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		unlink(path);
	close(fd);
}

/* Does @s have exactly one line, ending in a newline? */
static bool one_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl && !nl[1];
}

FIXTURE(ctl) {
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	char out[OUT_MAX], err[OUT_MAX];
};

FIXTURE_SETUP(ctl)
{
	if (!find_ctl())
		SKIP(return, "msharectl not found");
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "ctl-%d", (int)getpid());
}

/* Domains of a test: its fixture's name, or that name plus a suffix. */
static void destroy_prefixed(struct mshare_nl *nl, const char *prefix)
{
	struct leftovers l = { .prefix = prefix };
	int i, round;

	for (round = 0; round < 64; round++) {
		if (find_leftovers(nl, &l) <= 0 || !l.n)
			return;
		for (i = 0; i < l.n; i++)
			mshare_domain_destroy(nl, l.names[i]);
	}
}

FIXTURE_TEARDOWN(ctl)
{
	if (!ctl[0])
		return;
	destroy_prefixed(self->nl, self->name);
	mshare_nl_close(self->nl);
}

TEST_F_TIMEOUT(ctl, add_show_set_stats_discard_del, 120)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char *o = self->out;

	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", self->name, "size",
			 "4M", "mode", "0640", "owner", "1000", "group", "2000",
			 "prefault"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(4 * MiB, d.bytes);
	EXPECT_EQ(0640, d.mode);
	EXPECT_EQ(1000, d.uid);
	EXPECT_EQ(2000, d.gid);
	EXPECT_EQ(MSHARE_DOMAIN_F_PREFAULT, d.flags);

	/* text */
	ASSERT_EQ(0, CTL(o, NULL, "domain", "show", self->name));
	EXPECT_NE(NULL, strstr(o, self->name));
	EXPECT_NE(NULL, strstr(o, "mode 0640"));
	EXPECT_NE(NULL, strstr(o, " prefault"));

	/* JSON, parsed back */
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "show", self->name));
	EXPECT_TRUE(json_valid(o));
	EXPECT_EQ(4 * MiB, json_num(o, "size"));
	EXPECT_EQ(d.id, json_num(o, "id"));
	EXPECT_EQ(1000, json_num(o, "owner"));
	EXPECT_EQ(2000, json_num(o, "group"));
	EXPECT_EQ(1024, json_num(o, "resident_pages"));
	EXPECT_TRUE(json_has(o, "mode", "\"0640\""));
	EXPECT_TRUE(json_has(o, "prefault", "true"));

	/* the dump: one array, ours in it; pretty is valid JSON too */
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "show"));
	EXPECT_TRUE(json_valid(o));
	EXPECT_EQ('[', o[0]);
	EXPECT_NE(NULL, strstr(o, self->name));
	ASSERT_EQ(0, CTL(o, NULL, "-p", "domain", "show"));
	EXPECT_TRUE(json_valid(o));
	EXPECT_NE(NULL, strchr(o, '\n'));
	ASSERT_EQ(0, CTL(o, NULL, "-j", "info"));
	EXPECT_TRUE(json_valid(o));
	EXPECT_EQ(MSHARE_GENL_VERSION, json_num(o, "abi_version"));
	ASSERT_EQ(0, CTL(o, NULL, "info"));
	EXPECT_EQ(MSHARE_GENL_VERSION, atoi(o + strlen("abi_version ")));
	EXPECT_EQ(0, strncmp(o, "abi_version ", 12));
	EXPECT_LE(0, text_num(o, "max_size"));
	EXPECT_TRUE(one_line(o));

	/* set */
	ASSERT_EQ(0, CTL(NULL, NULL, "domain", "set", self->name, "mode",
			 "0600", "group", "3000"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(0600, d.mode);
	EXPECT_EQ(3000, d.gid);

	/* stats, text and JSON */
	ASSERT_EQ(0, CTL(o, NULL, "domain", "stats", self->name));
	EXPECT_EQ(0, text_num(o, "mappings"));
	EXPECT_EQ(0, text_num(o, "attached"));
	ASSERT_EQ(0, CTL(o, NULL, "-p", "domain", "stats", self->name));
	EXPECT_TRUE(json_valid(o));
	EXPECT_EQ(1024, json_num(o, "resident_pages"));
	EXPECT_EQ(0, json_num(o, "mappings"));
	EXPECT_EQ(0, json_num(o, "processes"));
	EXPECT_LE(0, json_num(o, "shootdowns"));
	EXPECT_LE(0, json_num(o, "flushes_full"));
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "stats"));
	EXPECT_TRUE(json_valid(o));

	/* discard 1M at 1M: 256 pages go */
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "discard", self->name,
			 "1M", "1M"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(768, d.resident);

	/* del, then it is gone and the kernel says so, on one line */
	ASSERT_EQ(0, CTL(NULL, NULL, "domain", "del", self->name));
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(1, CTL(NULL, self->err, "domain", "show", self->name));
	EXPECT_NE(NULL, strstr(self->err, "no domain of this name"));
	EXPECT_TRUE(one_line(self->err));
}

/*
 * One name per counter: what show and stats print in text is what they
 * print in JSON, key for key and value for value; the kernel's
 * DOMAIN_ATTACHED is "attached" in both (no "descriptors"), STATS_MAPPINGS
 * "mappings" (no "attachments"), the links flat in both.
 */
TEST_F_TIMEOUT(ctl, show_stats_text_and_json_use_the_same_names, 120)
{
	static const char *const show_keys[] = {
		"id", "size", "owner", "group", "attached", "resident_pages",
		"table_pages", "links_pud", "links_pmd", "home_node", NULL };
	static const char *const stats_keys[] = {
		"id", "attached", "mappings", "processes", "resident_pages",
		"table_pages", "links_pud", "links_pmd", "home_node", "faults",
		"shootdowns", "shootdown_cpus", "pages_flushed",
		"flushes_ranged", "flushes_full", "migrations",
		"pages_migrated", "migrate_skipped", "migrate_ns", NULL };
	char text[OUT_MAX];
	char *o = self->out;
	size_t size;
	int fd, i;
	void *p;

	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", self->name, "size",
			 "4M"));
	/* one descriptor attached, one mapping of it, touched */
	fd = open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, attach_fd(fd, self->name));
	ASSERT_EQ(0, attach_dom(self->name, 0, &p, &size));
	*(volatile char *)p = 1;

	ASSERT_EQ(0, CTL(text, NULL, "domain", "show", self->name));
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "show", self->name));
	ASSERT_TRUE(json_valid(o));
	for (i = 0; show_keys[i]; i++) {
		EXPECT_LE(0, text_num(text, show_keys[i])) TH_LOG("%s", show_keys[i]);
		EXPECT_EQ(text_num(text, show_keys[i]), json_num(o, show_keys[i]))
			TH_LOG("%s", show_keys[i]);
	}
	EXPECT_EQ(1, json_num(o, "attached"));

	ASSERT_EQ(0, CTL(text, NULL, "domain", "stats", self->name));
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "stats", self->name));
	ASSERT_TRUE(json_valid(o));
	for (i = 0; stats_keys[i]; i++) {
		EXPECT_LE(0, text_num(text, stats_keys[i])) TH_LOG("%s", stats_keys[i]);
		EXPECT_EQ(text_num(text, stats_keys[i]), json_num(o, stats_keys[i]))
			TH_LOG("%s", stats_keys[i]);
	}
	/* attached counts descriptors (the mapping's was closed) */
	EXPECT_EQ(1, json_num(o, "attached"));
	EXPECT_EQ(1, json_num(o, "mappings"));
	EXPECT_EQ(1, json_num(o, "processes"));
	EXPECT_FALSE(json_key(o, "descriptors"));
	EXPECT_FALSE(json_key(o, "attachments"));
	EXPECT_FALSE(json_key(o, "links"));
	EXPECT_TRUE(json_key(o, "nodes"));

	mshare_detach(p, size);
	close(fd);
}

/* -h: byte sizes with a suffix in text; JSON keeps the numbers. */
TEST_F_TIMEOUT(ctl, human_sizes, 120)
{
	char name2[MSHARE_NAME_MAX + 8];
	char *o = self->out, want[64];
	unsigned long long max = 0;
	FILE *f;

	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", self->name, "size",
			 "4M"));
	ASSERT_EQ(0, CTL(o, NULL, "-h", "domain", "show", self->name));
	EXPECT_NE(NULL, strstr(o, " size 4M "));
	ASSERT_EQ(0, CTL(o, NULL, "-human", "domain", "show", self->name));
	EXPECT_NE(NULL, strstr(o, " size 4M "));
	ASSERT_EQ(0, CTL(o, NULL, "domain", "show", self->name));
	EXPECT_NE(NULL, strstr(o, " size 4194304 "));
	ASSERT_EQ(0, CTL(o, NULL, "-h", "-j", "domain", "show", self->name));
	EXPECT_EQ(4 * MiB, json_num(o, "size"));

	/* not a whole number of GiB: one decimal */
	snprintf(name2, sizeof(name2), "%s-b", self->name);
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", name2, "size",
			 "1536m"));
	ASSERT_EQ(0, CTL(o, NULL, "-h", "domain", "show", name2));
	EXPECT_NE(NULL, strstr(o, " size 1.5G "));

	/* info: max_size, the module parameter */
	f = fopen("/sys/module/mshare/parameters/max_domain_size", "re");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%llu", &max));
	fclose(f);
	ASSERT_EQ(0, max % GiB);
	snprintf(want, sizeof(want), " max_size %lluG", max / GiB);
	ASSERT_EQ(0, CTL(o, NULL, "-h", "info"));
	EXPECT_NE(NULL, strstr(o, want)) TH_LOG("%s", o);
}

/* k/K, m/M, g/G, t/T and 0x, as the preload accepts them. */
TEST_F(ctl, size_suffixes_in_any_case)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char name2[MSHARE_NAME_MAX + 8];

	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", self->name, "size",
			 "2m", "prefault"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(2 * MiB, d.bytes);
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "discard", self->name,
			 "4k", "8K"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(512 - 2, d.resident);
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "discard", self->name,
			 "0x100000", "1m"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(256 - 2, d.resident);
	snprintf(name2, sizeof(name2), "%s-g", self->name);
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", name2, "size", "1g"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, name2, &d));
	EXPECT_EQ(GiB, d.bytes);
	/* 1t is a size msharectl accepts; the kernel refuses it (E2BIG) */
	EXPECT_EQ(1, CTL(NULL, self->err, "domain", "add", name2, "size", "1t"));
	EXPECT_NE(NULL, strstr(self->err, "Argument list too long"));
}

/*
 * Sizes are decimal or 0x hexadecimal, never octal: "010M" is 10 MiB and
 * "08M" is 8 MiB (strtoull's base 0 would read 8 MiB and refuse "08M").
 */
TEST_F(ctl, size_with_a_leading_zero_is_decimal)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char name2[MSHARE_NAME_MAX + 8];

	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", self->name, "size",
			 "010M"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(10 * MiB, d.bytes);
	snprintf(name2, sizeof(name2), "%s-8", self->name);
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", name2, "size",
			 "08M"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, name2, &d));
	EXPECT_EQ(8 * MiB, d.bytes);
	/* "0x" with no digit is no size: a usage error */
	EXPECT_EQ(2, CTL(NULL, self->err, "domain", "add", name2, "size",
			 "0xM"));
}

/*
 * "huge" sends MSHARE_DOMAIN_F_HUGE: a domain of 2 MiB leaves where the
 * kernel has transparent hugepages (shown as "huge"), else the kernel's
 * refusal (EOPNOTSUPP, with its reason).
 */
TEST_F(ctl, add_huge_sends_the_flag)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char *o = self->out;

	if (!thp_built()) {
		EXPECT_EQ(1, CTL(NULL, self->err, "domain", "add", self->name,
				 "size", "2M", "huge"));
		EXPECT_NE(NULL, strstr(self->err, "Operation not supported"));
		EXPECT_NE(NULL, strstr(self->err, "2 MiB leaves"));
		EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, self->name, &d));
		return;
	}
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", self->name, "size",
			 "2M", "huge"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(MSHARE_DOMAIN_F_HUGE, d.flags);
	ASSERT_EQ(0, CTL(o, NULL, "domain", "show", self->name));
	EXPECT_NE(NULL, strstr(o, " huge"));
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "show", self->name));
	EXPECT_TRUE(json_has(o, "huge", "true"));
	EXPECT_TRUE(json_has(o, "prefault", "false"));
}

/* owner and group take names as well as ids. */
TEST_F(ctl, owner_and_group_take_names)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	struct passwd *pw = getpwnam("nobody");
	struct group *gr = getgrnam("nogroup");

	ASSERT_NE(NULL, pw);
	ASSERT_NE(NULL, gr);
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", self->name, "size",
			 "2M", "owner", "nobody", "group", "nogroup"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(pw->pw_uid, d.uid);
	EXPECT_EQ(gr->gr_gid, d.gid);
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "set", self->name,
			 "owner", "root", "group", "root"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(0, d.uid);
	EXPECT_EQ(0, d.gid);
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "set", self->name,
			 "owner", "1234", "group", "4321"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(1234, d.uid);
	EXPECT_EQ(4321, d.gid);
}

/* "domain list", "domain ls" and "domain" alone are "domain show". */
TEST_F(ctl, list_ls_and_no_verb_are_show)
{
	char show[OUT_MAX];
	char *o = self->out;

	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", self->name, "size",
			 "2M"));
	ASSERT_EQ(0, CTL(show, NULL, "domain", "show"));
	EXPECT_NE(NULL, strstr(show, self->name));
	ASSERT_EQ(0, CTL(o, NULL, "domain", "list"));
	EXPECT_STREQ(show, o);
	ASSERT_EQ(0, CTL(o, NULL, "domain", "ls"));
	EXPECT_STREQ(show, o);
	ASSERT_EQ(0, CTL(o, NULL, "domain"));
	EXPECT_STREQ(show, o);
	ASSERT_EQ(0, CTL(show, NULL, "-j", "domain", "show", self->name));
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "ls", self->name));
	EXPECT_STREQ(show, o);
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain"));
	EXPECT_TRUE(json_valid(o));
	EXPECT_EQ('[', o[0]);
}

/* "--" ends the option check: a domain whose name starts with "-". */
TEST_F(ctl, double_dash_allows_a_name_that_looks_like_an_option)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char dash[MSHARE_NAME_MAX + 2];

	snprintf(dash, sizeof(dash), "-%s", self->name);
	EXPECT_EQ(2, CTL(NULL, self->err, "domain", "add", dash, "size", "2M"));
	EXPECT_NE(NULL, strstr(self->err, "after the object"));
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", "--", dash, "size",
			 "2M"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, dash, &d));
	ASSERT_EQ(0, CTL(self->out, NULL, "domain", "show", "--", dash));
	EXPECT_NE(NULL, strstr(self->out, dash));
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "del", "--", dash));
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, dash, &d));
}

/* help at every level: stdout, exit 0, only what the level covers. */
TEST_F_TIMEOUT(ctl, help_at_every_level, 120)
{
	char top[OUT_MAX];
	char *o = self->out;

	ASSERT_EQ(0, CTL(top, self->err, "help"));
	EXPECT_EQ(0, self->err[0]);
	EXPECT_EQ(0, strncmp(top, "usage: msharectl", 16));
	EXPECT_NE(NULL, strstr(top, "msharectl domain add NAME size SIZE"));
	EXPECT_NE(NULL, strstr(top, "msharectl monitor"));
	EXPECT_NE(NULL, strstr(top, "-batch FILE"));
	EXPECT_NE(NULL, strstr(top, "POLICY := local"));
	ASSERT_EQ(0, CTL(o, NULL, "--help"));
	EXPECT_STREQ(top, o);

	ASSERT_EQ(0, CTL(o, NULL, "domain", "help"));
	EXPECT_NE(NULL, strstr(o, "msharectl domain add "));
	EXPECT_NE(NULL, strstr(o, "msharectl domain migrate "));
	EXPECT_EQ(NULL, strstr(o, "msharectl monitor"));

	ASSERT_EQ(0, CTL(o, NULL, "domain", "add", "help"));
	EXPECT_NE(NULL, strstr(o, "msharectl domain add NAME size SIZE"));
	EXPECT_NE(NULL, strstr(o, "USER, GROUP := a name or a numeric id"));
	EXPECT_EQ(NULL, strstr(o, "domain del"));
	ASSERT_EQ(0, CTL(top, NULL, "help", "domain", "add"));
	EXPECT_STREQ(top, o);

	ASSERT_EQ(0, CTL(o, NULL, "domain", "ls", "help"));
	EXPECT_NE(NULL, strstr(o, "msharectl domain show [NAME]"));
	ASSERT_EQ(0, CTL(o, NULL, "domain", "del", "help"));
	EXPECT_NE(NULL, strstr(o, "msharectl domain del NAME"));
	EXPECT_EQ(NULL, strstr(o, "SIZE"));
	ASSERT_EQ(0, CTL(o, NULL, "monitor", "help"));
	EXPECT_NE(NULL, strstr(o, "msharectl monitor"));
	ASSERT_EQ(0, CTL(o, NULL, "info", "help"));
	EXPECT_NE(NULL, strstr(o, "msharectl info"));
	ASSERT_EQ(0, CTL(o, NULL, "help", "monitor"));
	EXPECT_NE(NULL, strstr(o, "msharectl monitor"));
}

/* -V: msharectl's version, and the module's from sysfs. */
TEST_F_TIMEOUT(ctl, version_reports_msharectl_and_module, 120)
{
	char ver[64] = "", want[128];
	char *o = self->out;
	FILE *f;

	f = fopen("/sys/module/mshare/version", "re");
	if (f) {
		if (!fgets(ver, sizeof(ver), f))
			ver[0] = 0;
		ver[strcspn(ver, "\n")] = 0;
		fclose(f);
	}
	ASSERT_EQ(0, CTL(o, self->err, "-V"));
	EXPECT_EQ(0, strncmp(o, "msharectl ", 10));
	snprintf(want, sizeof(want), "(netlink ABI %d)\n", MSHARE_GENL_VERSION);
	EXPECT_NE(NULL, strstr(o, want));
	if (ver[0])
		snprintf(want, sizeof(want), "\nmshare module %s (netlink ABI %d)\n",
			 ver, MSHARE_GENL_VERSION);
	else
		snprintf(want, sizeof(want), "\nmshare module loaded, no version (netlink ABI %d)\n",
			 MSHARE_GENL_VERSION);
	EXPECT_NE(NULL, strstr(o, want)) TH_LOG("%s", o);
	ASSERT_EQ(0, CTL(o, NULL, "-Version"));
	ASSERT_EQ(0, CTL(o, NULL, "-j", "-V"));
	EXPECT_TRUE(json_valid(o));
	EXPECT_TRUE(json_has(o, "loaded", "true"));
	EXPECT_EQ(MSHARE_GENL_VERSION, json_num(o, "abi_version"));

	/* a /sys/module without mshare: "not loaded"; with a version file */
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_EQ(0, mount("none", "/sys/module", "tmpfs", 0, NULL));
	ASSERT_EQ(0, CTL(o, NULL, "-V"));
	EXPECT_NE(NULL, strstr(o, "\nmshare module not loaded\n")) TH_LOG("%s", o);
	ASSERT_EQ(0, CTL(o, NULL, "-j", "-V"));
	EXPECT_TRUE(json_has(o, "loaded", "false"));
	ASSERT_EQ(0, mkdir("/sys/module/mshare", 0755));
	write_str_create("/sys/module/mshare/version", "9.8.7\n");
	ASSERT_EQ(0, CTL(o, NULL, "-V"));
	snprintf(want, sizeof(want), "\nmshare module 9.8.7 (netlink ABI %d)\n",
		 MSHARE_GENL_VERSION);
	EXPECT_NE(NULL, strstr(o, want)) TH_LOG("%s", o);
	ASSERT_EQ(0, CTL(o, NULL, "-j", "-V"));
	EXPECT_TRUE(json_has(o, "version", "\"9.8.7\""));
}

/* Write @text to a new file under /tmp; its path in @path. */
static void write_file(char *path, size_t len, const char *tag,
		       const char *text)
{
	snprintf(path, len, "/tmp/msharectl-%s-%d", tag, (int)getpid());
	unlink(path);
	write_str_create(path, text);
}

/* -batch FILE: a command per line, comments and blank lines skipped. */
TEST_F_TIMEOUT(ctl, batch_runs_each_line, 120)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char path[128], text[512];
	char *o = self->out;

	snprintf(text, sizeof(text),
		 "# a batch\n"
		 "domain add %s size 2m mode 0644\n"
		 "\n"
		 "   domain show %s   # trailing comment\n"
		 "domain set %s mode 0600 owner nobody\n"
		 "-j info\n", self->name, self->name, self->name);
	/* the last line is an option: refused, after the others ran */
	write_file(path, sizeof(path), "batch", text);
	EXPECT_EQ(2, CTL(o, self->err, "-batch", path));
	EXPECT_NE(NULL, strstr(o, self->name));
	EXPECT_NE(NULL, strstr(o, "mode 0644"));
	EXPECT_TRUE(one_line(self->err));
	EXPECT_NE(NULL, strstr(self->err, ":6: option \"-j\"")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(0600, d.mode);
	EXPECT_EQ(getpwnam("nobody")->pw_uid, d.uid);
	unlink(path);

	/* -b and stdin ("-"); JSON per command */
	snprintf(text, sizeof(text), "domain show %s\ndomain del %s\n",
		 self->name, self->name);
	EXPECT_EQ(0, CTL_IN(text, o, self->err, "-j", "-b", "-"));
	EXPECT_EQ(0, self->err[0]);
	EXPECT_NE(NULL, strstr(o, "\"mode\":\"0600\""));
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, self->name, &d));
}

/*
 * A failed line stops the batch, its message says the file and the line
 * (usage: 2, kernel: 1); with -force the rest runs and the status is the
 * first failure's.
 */
TEST_F_TIMEOUT(ctl, batch_stops_at_an_error_and_says_where, 120)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char path[128], text[512], want[256];
	char second[MSHARE_NAME_MAX + 8];

	snprintf(second, sizeof(second), "%s-2", self->name);
	snprintf(text, sizeof(text),
		 "domain add %s size 2M\n"
		 "domain add %s-x size 3X\n"
		 "domain add %s size 2M\n", self->name, self->name, second);
	write_file(path, sizeof(path), "bad", text);
	EXPECT_EQ(2, CTL(NULL, self->err, "-batch", path));
	snprintf(want, sizeof(want), "msharectl: %s:2: domain add: bad size \"3X\"\n",
		 path);
	EXPECT_STREQ(want, self->err);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, second, &d));

	/* -force: line 1 fails now (EEXIST), lines 2 and 3 still run */
	EXPECT_EQ(1, CTL(NULL, self->err, "-force", "-batch", path));
	EXPECT_EQ(0, strncmp(self->err, "msharectl: ", 11));
	snprintf(want, sizeof(want), "%s:1: domain add: File exists", path);
	EXPECT_NE(NULL, strstr(self->err, want)) TH_LOG("%s", self->err);
	snprintf(want, sizeof(want), "%s:2: domain add: bad size", path);
	EXPECT_NE(NULL, strstr(self->err, want)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, mshare_domain_get(self->nl, second, &d));
	unlink(path);

	/* stdin is "stdin" in messages; a kernel error is status 1 */
	EXPECT_EQ(1, CTL_IN("\n\ndomain del ctl-no-such\n", NULL, self->err,
			    "-batch", "-"));
	EXPECT_EQ(0, strncmp(self->err, "msharectl: stdin:3: domain del: ", 32))
		TH_LOG("%s", self->err);
	EXPECT_TRUE(one_line(self->err));
	EXPECT_EQ(1, CTL(NULL, self->err, "-batch", "/nonexistent"));
	EXPECT_EQ(2, CTL(NULL, self->err, "-batch", "-", "info"));
}

/* ---- monitor ---- */

/* A line reader over a pipe, with a timeout. */
struct reader {
	int fd;
	char buf[1 << 16];
	size_t len;
};

/* The next line into @line (without "\n"): true, or false after @ms. */
static bool read_line(struct reader *r, char *line, size_t size, int ms)
{
	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);
		struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
		ssize_t n;

		if (nl) {
			size_t l = nl - r->buf;

			snprintf(line, size, "%.*s", (int)l, r->buf);
			memmove(r->buf, nl + 1, r->len - l - 1);
			r->len -= l + 1;
			return true;
		}
		if (r->len == sizeof(r->buf) || poll(&pfd, 1, ms) != 1)
			return false;
		n = read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len);
		if (n <= 0)
			return false;
		r->len += n;
	}
}

/* Read lines until one contains @what (10 s at most between lines). */
static bool wait_for(struct reader *r, const char *what, char *line,
		     size_t size)
{
	while (read_line(r, line, size, 10000))
		if (strstr(line, what))
			return true;
	return false;
}

/*
 * Start "msharectl ARGS... monitor" with its stdout on a pipe and wait
 * until it listens.  Returns its pid.
 */
static pid_t start_monitor(struct reader *r, const char *const *opts)
{
	const char *argv[16];
	char line[256];
	int p[2], i = 0, j;
	pid_t pid;

	argv[i++] = ctl;
	for (j = 0; opts && opts[j]; j++)
		argv[i++] = opts[j];
	argv[i++] = "monitor";
	argv[i] = NULL;
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		alarm(120);
		execv(ctl, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	r->fd = p[0];
	r->len = 0;
	if (pid < 0 || !wait_for(r, "listening", line, sizeof(line)))
		return -1;
	return pid;
}

/*
 * SIGINT: it must still be running, and exit 0 within 10 s (else it is
 * killed and the answer is -1, so that the test fails but cleans up).
 */
static int stop_monitor(pid_t pid, struct reader *r)
{
	int status, i;

	if (kill(pid, 0))
		return -1;
	kill(pid, SIGINT);
	for (i = 0; i < 1000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			close(r->fd);
			return WIFEXITED(status) ? WEXITSTATUS(status) :
						   128 + WTERMSIG(status);
		}
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(r->fd);
	return -1;
}

TEST_F(ctl, monitor_sees_another_process_attach_and_detach)
{
	char line[1024], pat[128];
	struct reader r;
	int fd, status;
	pid_t mon, att;

	mon = start_monitor(&r, NULL);
	ASSERT_LT(0, mon);
	ASSERT_EQ(0, mshare_domain_create(self->nl, self->name, 2 * MiB, NULL,
					  NULL));
	att = fork();
	ASSERT_LE(0, att);
	if (att == 0) {
		fd = open_dev();
		if (fd < 0 || attach_fd(fd, self->name))
			_exit(1);
		usleep(100000);
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(att, waitpid(att, &status, 0));
	ASSERT_EQ(0, status);
	ASSERT_EQ(0, mshare_domain_destroy(self->nl, self->name));

	snprintf(pat, sizeof(pat), "created %s ", self->name);
	EXPECT_TRUE(wait_for(&r, pat, line, sizeof(line)));
	snprintf(pat, sizeof(pat), "attached %s ", self->name);
	EXPECT_TRUE(wait_for(&r, pat, line, sizeof(line)));
	EXPECT_EQ(att, text_num(line, "pid"));
	EXPECT_EQ(1, text_num(line, "attached"));
	snprintf(pat, sizeof(pat), "detached %s ", self->name);
	EXPECT_TRUE(wait_for(&r, pat, line, sizeof(line)));
	EXPECT_EQ(0, text_num(line, "attached"));
	snprintf(pat, sizeof(pat), "destroyed %s ", self->name);
	EXPECT_TRUE(wait_for(&r, pat, line, sizeof(line)));

	EXPECT_EQ(0, stop_monitor(mon, &r));
}

/*
 * Every attribute the kernel sends with a domain event, in text and in
 * JSON, named as in show: created with every option given, then an
 * attach (with its pid).
 */
static void event_attributes(struct __test_metadata *_metadata,
			     FIXTURE_DATA(ctl) *self, bool js)
{
	static const char *const opts[] = { "-j", NULL };
	struct mshare_domain_info d = MSHARE_INIT(d);
	char line[2048], pat[128];
	struct reader r;
	pid_t mon, att;
	int fd;

	mon = start_monitor(&r, js ? opts : NULL);
	ASSERT_LT(0, mon);
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", self->name, "size",
			 "4M", "mode", "0640", "owner", "1000", "group", "2000",
			 "prefault", "policy", "bind", "0"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));

	snprintf(pat, sizeof(pat), js ? "\"event\":\"created\",\"name\":\"%s\"" :
		 "created %s ", self->name);
	ASSERT_TRUE(wait_for(&r, pat, line, sizeof(line)));
	TH_LOG("%s", line);
	if (js) {
		EXPECT_TRUE(json_valid(line));
		EXPECT_EQ(d.id, json_num(line, "id"));
		EXPECT_EQ(4 * MiB, json_num(line, "size"));
		EXPECT_TRUE(json_has(line, "mode", "\"0640\""));
		EXPECT_EQ(1000, json_num(line, "owner"));
		EXPECT_EQ(2000, json_num(line, "group"));
		EXPECT_TRUE(json_has(line, "prefault", "true"));
		EXPECT_EQ(0, json_num(line, "attached"));
		EXPECT_EQ(1024, json_num(line, "resident_pages"));
		EXPECT_EQ(d.table_pages, json_num(line, "table_pages"));
		EXPECT_EQ(0, json_num(line, "links_pud"));
		EXPECT_EQ(0, json_num(line, "links_pmd"));
		EXPECT_TRUE(json_has(line, "policy", "\"bind\""));
		EXPECT_TRUE(json_has(line, "policy_nodes", "[0]"));
		EXPECT_EQ(0, json_num(line, "home_node"));
		EXPECT_FALSE(json_key(line, "pid"));
	} else {
		EXPECT_EQ(d.id, text_num(line, "id"));
		EXPECT_EQ(4 * MiB, text_num(line, "size"));
		EXPECT_NE(NULL, strstr(line, " mode 0640 "));
		EXPECT_EQ(1000, text_num(line, "owner"));
		EXPECT_EQ(2000, text_num(line, "group"));
		EXPECT_NE(NULL, strstr(line, " prefault "));
		EXPECT_EQ(0, text_num(line, "attached"));
		EXPECT_EQ(1024, text_num(line, "resident_pages"));
		EXPECT_EQ(d.table_pages, text_num(line, "table_pages"));
		EXPECT_EQ(0, text_num(line, "links_pud"));
		EXPECT_EQ(0, text_num(line, "links_pmd"));
		EXPECT_NE(NULL, strstr(line, " policy bind 0 "));
		EXPECT_EQ(0, text_num(line, "home_node"));
	}

	att = flush_fork();
	ASSERT_LE(0, att);
	if (att == 0) {
		fd = open_dev();
		_exit(fd < 0 || attach_fd(fd, self->name) ? 1 : 0);
	}
	ASSERT_EQ(0, wait_exit_code(att));
	snprintf(pat, sizeof(pat), js ? "\"event\":\"attached\",\"name\":\"%s\"" :
		 "attached %s ", self->name);
	ASSERT_TRUE(wait_for(&r, pat, line, sizeof(line)));
	if (js) {
		EXPECT_TRUE(json_valid(line));
		EXPECT_EQ(att, json_num(line, "pid"));
		EXPECT_EQ(4 * MiB, json_num(line, "size"));
		EXPECT_TRUE(json_has(line, "policy", "\"bind\""));
	} else {
		EXPECT_EQ(att, text_num(line, "pid"));
		EXPECT_EQ(4 * MiB, text_num(line, "size"));
	}
	EXPECT_EQ(0, stop_monitor(mon, &r));
}

TEST_F_TIMEOUT(ctl, monitor_prints_every_attribute_in_text, 120)
{
	event_attributes(_metadata, self, false);
}

TEST_F_TIMEOUT(ctl, monitor_prints_every_attribute_in_json, 120)
{
	event_attributes(_metadata, self, true);
}

/* -t: each event starts with the time it was read. */
TEST_F_TIMEOUT(ctl, monitor_timestamps, 120)
{
	static const char *const topt[] = { "-t", NULL };
	static const char *const tjopt[] = { "-t", "-j", NULL };
	char line[2048], pat[128];
	struct reader r;
	regex_t re;
	pid_t mon;

	mon = start_monitor(&r, topt);
	ASSERT_LT(0, mon);
	ASSERT_EQ(0, mshare_domain_create(self->nl, self->name, 2 * MiB, NULL,
					  NULL));
	snprintf(pat, sizeof(pat), "created %s ", self->name);
	ASSERT_TRUE(wait_for(&r, pat, line, sizeof(line)));
	ASSERT_EQ(0, regcomp(&re, "^\\[[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
			     "[0-9]{2}\\.[0-9]{6}[+-][0-9]{4}\\] created ",
			     REG_EXTENDED | REG_NOSUB));
	EXPECT_EQ(0, regexec(&re, line, 0, NULL, 0)) TH_LOG("%s", line);
	EXPECT_EQ(0, stop_monitor(mon, &r));
	ASSERT_EQ(0, mshare_domain_destroy(self->nl, self->name));

	mon = start_monitor(&r, tjopt);
	ASSERT_LT(0, mon);
	ASSERT_EQ(0, mshare_domain_create(self->nl, self->name, 2 * MiB, NULL,
					  NULL));
	snprintf(pat, sizeof(pat), "\"name\":\"%s\"", self->name);
	ASSERT_TRUE(wait_for(&r, pat, line, sizeof(line)));
	EXPECT_TRUE(json_valid(line));
	regfree(&re);
	ASSERT_EQ(0, regcomp(&re, "^\\{\"event\":\"created\",\"timestamp\":\"[0-9]{4}-"
			     "[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{6}[+-][0-9]{4}\",",
			     REG_EXTENDED | REG_NOSUB));
	EXPECT_EQ(0, regexec(&re, line, 0, NULL, 0)) TH_LOG("%s", line);
	regfree(&re);
	EXPECT_EQ(0, stop_monitor(mon, &r));
}

#define STORM	60	/* created, destroyed, freed: 180 events */

/*
 * Stop the monitor, make STORM domains come and go, let it go on, then
 * create markers until one is seen.  Counts the storm's events it printed,
 * the events it said were lost, and the overrun lines.
 */
static void storm(struct __test_metadata *_metadata, FIXTURE_DATA(ctl) *self,
		  pid_t mon, struct reader *r, bool js, int *seen, long *lost,
		  int *overruns, int *markers_seen, int *markers)
{
	char name[MSHARE_NAME_MAX + 16], pat[128], spat[128], line[2048];
	int k, status;
	const char *p;

	*seen = *overruns = *markers_seen = *markers = 0;
	*lost = 0;
	ASSERT_EQ(0, kill(mon, SIGSTOP));
	ASSERT_EQ(mon, waitpid(mon, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status));
	for (k = 0; k < STORM; k++) {
		snprintf(name, sizeof(name), "%s-s%d", self->name, k);
		ASSERT_EQ(0, mshare_domain_create(self->nl, name, 2 * MiB,
						  NULL, NULL));
		ASSERT_EQ(0, mshare_domain_destroy(self->nl, name));
	}
	ASSERT_EQ(0, kill(mon, SIGCONT));

	snprintf(spat, sizeof(spat), js ? "\"name\":\"%s-s" : " %s-s", self->name);
	while (!*markers_seen && *markers < 20) {
		snprintf(name, sizeof(name), "%s-m%d", self->name, (*markers)++);
		ASSERT_EQ(0, mshare_domain_create(self->nl, name, 2 * MiB,
						  NULL, NULL));
		snprintf(pat, sizeof(pat), js ? "\"name\":\"%s\"" : " %s ", name);
		while (read_line(r, line, sizeof(line), 2000)) {
			if (js && !json_valid(line))
				TH_LOG("not JSON: %s", line);
			if (strstr(line, "overrun")) {
				(*overruns)++;
				*lost += js ? json_num(line, "lost") :
					      text_num(line, "lost");
				TH_LOG("%s", line);
			} else if (strstr(line, spat)) {
				(*seen)++;
			} else if ((p = strstr(line, self->name)) &&
				   strstr(p, "-m")) {
				(*markers_seen)++;
			}
			if (strstr(line, pat))
				break;
		}
	}
}

/*
 * With the default buffer (4 MiB asked), a storm of 120 events while the
 * monitor is stopped loses nothing: every one is printed, no overrun.
 */
TEST_F_TIMEOUT(ctl, monitor_default_buffer_holds_a_storm, 120)
{
	int seen, overruns, markers_seen, markers;
	struct reader r;
	long lost;
	pid_t mon;

	mon = start_monitor(&r, NULL);
	ASSERT_LT(0, mon);
	storm(_metadata, self, mon, &r, false, &seen, &lost, &overruns,
	      &markers_seen, &markers);
	EXPECT_EQ(3 * STORM, seen);
	EXPECT_EQ(0, overruns);
	EXPECT_EQ(1, markers_seen);
	EXPECT_EQ(1, markers);
	EXPECT_EQ(0, stop_monitor(mon, &r));
}

/*
 * With a tiny buffer (-rcvbuf 4K) the storm overruns the socket: the
 * monitor says so ("overrun lost N"), keeps running, and the events it
 * printed plus those it said were lost are all that were sent.
 */
static void overrun(struct __test_metadata *_metadata, FIXTURE_DATA(ctl) *self,
		    bool js)
{
	static const char *const opts[] = { "-rcvbuf", "4K", NULL };
	static const char *const jopts[] = { "-j", "-rcvbuf", "4k", NULL };
	int seen, overruns, markers_seen, markers;
	struct reader r;
	long lost;
	pid_t mon;

	mon = start_monitor(&r, js ? jopts : opts);
	ASSERT_LT(0, mon);
	storm(_metadata, self, mon, &r, js, &seen, &lost, &overruns,
	      &markers_seen, &markers);
	TH_LOG("storm events seen %d, lost %ld in %d overrun lines; %d markers",
	       seen, lost, overruns, markers);
	EXPECT_LE(1, overruns);
	EXPECT_LT(0, lost);
	EXPECT_LT(0, seen);
	EXPECT_EQ(1, markers_seen);
	/* every event sent is either printed or counted as lost */
	EXPECT_EQ(3 * STORM + markers, seen + lost + markers_seen);
	EXPECT_EQ(0, stop_monitor(mon, &r));
}

TEST_F_TIMEOUT(ctl, monitor_survives_overrun_and_counts_lost_events, 120)
{
	overrun(_metadata, self, false);
}

TEST_F_TIMEOUT(ctl, monitor_survives_overrun_in_json, 120)
{
	overrun(_metadata, self, true);
}

/*
 * NUMA (needs 2 nodes): policy at add and set, shown in text and JSON; a
 * migration of the whole domain, its result, its events and the stats
 * per node.
 */
TEST_F_TIMEOUT(ctl, numa_policy_migrate_and_stats, 120)
{
	static const char *const opts[] = { "-j", NULL };
	char mig[MSHARE_NAME_MAX + 8], line[2048], pat[160];
	struct mshare_domain_stats st = MSHARE_INIT(st);
	struct mshare_domain_info d = MSHARE_INIT(d);
	char *o = self->out;
	struct reader r;
	pid_t mon;

	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "one NUMA node");
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", self->name, "size",
			 "4M", "prefault", "policy", "bind", "0"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(MSHARE_NUMA_BIND, d.numa.policy);
	EXPECT_EQ(1, d.numa.nr_nodes);
	EXPECT_EQ(0, d.numa.nodes[0]);
	EXPECT_EQ(0, d.home_node);

	ASSERT_EQ(0, CTL(o, NULL, "domain", "show", self->name));
	EXPECT_NE(NULL, strstr(o, "policy bind 0 home_node 0"));
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "show", self->name));
	EXPECT_TRUE(json_valid(o));
	EXPECT_TRUE(json_has(o, "policy", "\"bind\""));
	EXPECT_TRUE(json_has(o, "policy_nodes", "[0]"));
	EXPECT_EQ(0, json_num(o, "home_node"));

	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "set", self->name,
			 "policy", "interleave", "1,0"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(MSHARE_NUMA_INTERLEAVE, d.numa.policy);
	EXPECT_EQ(2, d.numa.nr_nodes);
	EXPECT_EQ(1, d.numa.nodes[0]);
	EXPECT_EQ(0, d.numa.nodes[1]);
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "show", self->name));
	EXPECT_TRUE(json_has(o, "policy_nodes", "[1,0]"));
	ASSERT_EQ(0, CTL(o, NULL, "domain", "show", self->name));
	EXPECT_NE(NULL, strstr(o, "policy interleave 1,0 "));

	/* migrate all of it to node 1: 1024 pages, then the stats say so */
	ASSERT_EQ(0, CTL(o, self->err, "-j", "domain", "migrate", self->name,
			 "node", "1"));
	EXPECT_TRUE(json_valid(o));
	EXPECT_EQ(d.id, json_num(o, "id"));
	EXPECT_EQ(1, json_num(o, "node"));
	EXPECT_EQ(1024, json_num(o, "pages_total"));
	EXPECT_EQ(1024, json_num(o, "pages_done"));
	EXPECT_EQ(0, json_num(o, "pages_skipped"));
	ASSERT_EQ(0, CTL(o, self->err, "domain", "migrate", self->name,
			 "node", "0", "offset", "1M", "len", "1M"));
	snprintf(pat, sizeof(pat), "%s: id %u node 0 pages_total 256 pages_done 256 pages_skipped 0\n",
		 self->name, d.id);
	EXPECT_STREQ(pat, o);

	ASSERT_EQ(0, mshare_domain_stats(self->nl, self->name, &st));
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "stats", self->name));
	EXPECT_TRUE(json_valid(o));
	EXPECT_EQ(2, json_num(o, "migrations"));
	EXPECT_EQ(1280, json_num(o, "pages_migrated"));
	EXPECT_EQ(0, json_num(o, "migrate_skipped"));
	EXPECT_EQ(st.migrate_ns, json_num(o, "migrate_ns"));
	EXPECT_EQ(1, json_num(o, "home_node"));
	EXPECT_NE(NULL, strstr(o, "{\"node\":0,\"pages\":256,"));
	EXPECT_NE(NULL, strstr(o, "{\"node\":1,\"pages\":768,"));
	ASSERT_EQ(0, CTL(o, NULL, "domain", "stats", self->name));
	EXPECT_NE(NULL, strstr(o, "home_node 1"));
	EXPECT_NE(NULL, strstr(o, "\n    node 0 pages 256 table_pages "));
	EXPECT_NE(NULL, strstr(o, "\n    node 1 pages 768 table_pages "));
	EXPECT_NE(NULL, strstr(o, "migrations 2 pages_migrated 1280 migrate_skipped 0 migrate_ns "));

	/*
	 * The migration events: 36 MiB (9216 pages) make one
	 * migrate-progress (every 32 MiB), then migrated, each with every
	 * attribute.
	 */
	snprintf(mig, sizeof(mig), "%s-mig", self->name);
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", mig, "size", "36M",
			 "prefault", "policy", "bind", "0"));
	mon = start_monitor(&r, opts);
	ASSERT_LT(0, mon);
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "migrate", mig, "node", "1"));
	snprintf(pat, sizeof(pat), "\"event\":\"migrate-progress\",\"name\":\"%s\"", mig);
	ASSERT_TRUE(wait_for(&r, pat, line, sizeof(line)));
	TH_LOG("%s", line);
	EXPECT_TRUE(json_valid(line));
	EXPECT_LT(0, json_num(line, "id"));
	EXPECT_EQ(1, json_num(line, "node"));
	EXPECT_EQ(9216, json_num(line, "pages_total"));
	EXPECT_LT(0, json_num(line, "pages_done"));
	EXPECT_EQ(0, json_num(line, "pages_skipped"));
	snprintf(pat, sizeof(pat), "\"event\":\"migrated\",\"name\":\"%s\"", mig);
	ASSERT_TRUE(wait_for(&r, pat, line, sizeof(line)));
	TH_LOG("%s", line);
	EXPECT_TRUE(json_valid(line));
	EXPECT_EQ(1, json_num(line, "node"));
	EXPECT_EQ(9216, json_num(line, "pages_total"));
	EXPECT_EQ(9216, json_num(line, "pages_done"));
	EXPECT_EQ(0, json_num(line, "pages_skipped"));
	EXPECT_EQ(0, json_num(line, "error"));
	EXPECT_LT(0, json_num(line, "pid"));
	EXPECT_EQ(0, stop_monitor(mon, &r));
}

/* ---- limits: delegated creation ---- */

#define GRANTEE	4001
#define NOBODY	4003	/* no grant */

/* The JSON object of @s (an array) that holds @member, or "". */
static const char *json_obj_with(const char *s, const char *member)
{
	const char *p = strstr(s, member);

	if (!p)
		return "";
	while (p > s && *p != '{')
		p--;
	return p;
}

/*
 * limit set, show (text, -h, JSON, and its aliases), del; a grantee
 * creating through msharectl within its limit and beyond it (EDQUOT), a
 * user without a grant (EPERM), a grantee changing limits (EPERM).  In an
 * IPC namespace of the test's own, so that its limits bind no one else.
 */
TEST_F_TIMEOUT(ctl, limit_set_show_del_and_delegated_add, 120)
{
	struct group *gr = getgrnam("nogroup");
	struct passwd *pw = getpwnam("nobody");
	char name2[MSHARE_NAME_MAX + 8], name3[MSHARE_NAME_MAX + 8];
	char want[512], show[OUT_MAX];
	char *o = self->out;
	const char *obj;

	ASSERT_NE(NULL, gr);
	ASSERT_EQ(0, unshare(CLONE_NEWIPC));
	ASSERT_EQ(0, CTL(o, self->err, "limit", "show"));
	EXPECT_STREQ("", o);
	ASSERT_EQ(0, CTL(o, self->err, "-j", "limit", "show"));
	EXPECT_STREQ("[]\n", o);

	ASSERT_EQ(0, CTL(NULL, self->err, "limit", "set", "user", "4001",
			 "bytes", "6M", "domains", "2"));
	ASSERT_EQ(0, CTL(NULL, self->err, "limit", "set", "group", "nogroup",
			 "bytes", "1g", "domains", "16"));
	ASSERT_EQ(0, CTL(NULL, self->err, "limit", "set", "namespace",
			 "bytes", "2G", "domains", "100"));
	/* a user by name; set again: changed in place; del by name */
	ASSERT_EQ(0, CTL(NULL, self->err, "limit", "set", "user", "nobody",
			 "bytes", "64G", "domains", "16"));
	ASSERT_NE(NULL, pw);
	ASSERT_EQ(0, CTL(o, self->err, "limit", "show"));
	snprintf(want, sizeof(want),
		 "kind user limit_id %u bytes 68719476736 domains 16 ",
		 (unsigned int)pw->pw_uid);
	EXPECT_NE(NULL, strstr(o, want)) TH_LOG("%s", o);
	snprintf(want, sizeof(want), "%u", (unsigned int)pw->pw_uid);
	ASSERT_EQ(0, CTL(NULL, self->err, "limit", "set", "user", want,
			 "bytes", "1G", "domains", "1"));
	ASSERT_EQ(0, CTL(o, self->err, "limit", "show"));
	snprintf(want, sizeof(want),
		 "kind user limit_id %u bytes 1073741824 domains 1 ",
		 (unsigned int)pw->pw_uid);
	EXPECT_NE(NULL, strstr(o, want)) TH_LOG("%s", o);
	ASSERT_EQ(0, CTL(NULL, self->err, "limit", "del", "user", "nobody"));
	/* the total first, then the grants in the order made */
	ASSERT_EQ(0, CTL(o, self->err, "limit", "show"));
	snprintf(want, sizeof(want),
		 "kind namespace bytes 2147483648 domains 100 used_bytes 0 used_domains 0\n"
		 "kind user limit_id 4001 bytes 6291456 domains 2 used_bytes 0 used_domains 0\n"
		 "kind group limit_id %u bytes 1073741824 domains 16 used_bytes 0 used_domains 0\n",
		 (unsigned int)gr->gr_gid);
	EXPECT_STREQ(want, o);
	snprintf(show, sizeof(show), "%s", o);
	ASSERT_EQ(0, CTL(o, NULL, "limit"));
	EXPECT_STREQ(show, o);
	ASSERT_EQ(0, CTL(o, NULL, "limit", "list"));
	EXPECT_STREQ(show, o);
	ASSERT_EQ(0, CTL(o, NULL, "limit", "ls"));
	EXPECT_STREQ(show, o);
	ASSERT_EQ(0, CTL(o, NULL, "-h", "limit", "show"));
	EXPECT_NE(NULL, strstr(o, "kind namespace bytes 2G domains 100 used_bytes 0 "));
	EXPECT_NE(NULL, strstr(o, "kind user limit_id 4001 bytes 6M domains 2 "));

	/* root makes one for the grantee: charged to it, and to the total */
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", self->name, "size",
			 "2M", "owner", "4001"));
	ASSERT_EQ(0, CTL(o, NULL, "-j", "limit", "show"));
	EXPECT_TRUE(json_valid(o));
	EXPECT_EQ('[', o[0]);
	obj = json_obj_with(o, "\"kind\":\"namespace\"");
	EXPECT_EQ(2 * MiB, json_num(obj, "used_bytes"));
	EXPECT_EQ(1, json_num(obj, "used_domains"));
	EXPECT_EQ(2 * GiB, json_num(obj, "bytes"));
	obj = json_obj_with(o, "\"limit_id\":4001");
	EXPECT_TRUE(json_has(obj, "kind", "\"user\""));
	EXPECT_EQ(6 * MiB, json_num(obj, "bytes"));
	EXPECT_EQ(2, json_num(obj, "domains"));
	EXPECT_EQ(2 * MiB, json_num(obj, "used_bytes"));
	EXPECT_EQ(1, json_num(obj, "used_domains"));

	/* the grantee, with no capability, through msharectl */
	snprintf(name2, sizeof(name2), "%s-u", self->name);
	snprintf(name3, sizeof(name3), "%s-v", self->name);
	EXPECT_EQ(1, CTL_AS(GRANTEE, NULL, self->err, "domain", "add", name2,
			    "size", "6M"));
	EXPECT_NE(NULL, strstr(self->err, "domain add: Disk quota exceeded: over the user's limit"))
		TH_LOG("%s", self->err);
	EXPECT_TRUE(one_line(self->err));
	ASSERT_EQ(0, CTL_AS(GRANTEE, NULL, self->err, "domain", "add", name2,
			    "size", "4M"));
	EXPECT_EQ(1, CTL_AS(GRANTEE, NULL, self->err, "domain", "add", name3,
			    "size", "2M"));
	EXPECT_NE(NULL, strstr(self->err, "Disk quota exceeded"));
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "show", name2));
	EXPECT_EQ(GRANTEE, json_num(o, "owner"));
	/* not granted */
	EXPECT_EQ(1, CTL_AS(NOBODY, NULL, self->err, "domain", "add", name3,
			    "size", "2M"));
	EXPECT_NE(NULL, strstr(self->err, "domain add: Operation not permitted: creating a domain needs CAP_SYS_ADMIN or a grant"))
		TH_LOG("%s", self->err);
	/* a grantee is no ns-admin */
	EXPECT_EQ(1, CTL_AS(GRANTEE, NULL, self->err, "limit", "set", "user",
			    "4001", "bytes", "1T", "domains", "100"));
	EXPECT_NE(NULL, strstr(self->err, "limit set: Operation not permitted: changing limits needs CAP_SYS_ADMIN"))
		TH_LOG("%s", self->err);
	EXPECT_EQ(1, CTL_AS(GRANTEE, NULL, self->err, "limit", "del", "user",
			    "4001"));
	/* but it may list them */
	ASSERT_EQ(0, CTL_AS(GRANTEE, o, NULL, "limit", "show"));
	EXPECT_NE(NULL, strstr(o, "kind user limit_id 4001 bytes 6291456 domains 2 used_bytes 6291456 used_domains 2\n"))
		TH_LOG("%s", o);
	/* the owner deletes one: the bytes come back */
	ASSERT_EQ(0, CTL_AS(GRANTEE, NULL, self->err, "domain", "del", name2));
	ASSERT_EQ(0, CTL_AS(GRANTEE, NULL, self->err, "domain", "add", name3,
			    "size", "4M"));

	/* del */
	ASSERT_EQ(0, CTL(NULL, self->err, "limit", "del", "user", "4001"));
	EXPECT_EQ(1, CTL(NULL, self->err, "limit", "del", "user", "4001"));
	EXPECT_NE(NULL, strstr(self->err, "limit del: No such file or directory: no such limit"))
		TH_LOG("%s", self->err);
	EXPECT_TRUE(one_line(self->err));
	ASSERT_EQ(0, CTL(NULL, self->err, "limit", "del", "group", "nogroup"));
	ASSERT_EQ(0, CTL(NULL, self->err, "limit", "del", "namespace"));
	ASSERT_EQ(0, CTL(o, NULL, "limit", "show"));
	EXPECT_STREQ("", o);
}

/*
 * A child named @comm that attaches @name, touches its first page and
 * waits.
 */
static pid_t start_holder_comm(const char *name, const char *comm, int *go)
{
	int g[2], ready[2];
	pid_t pid;
	char c;

	if (pipe(g) || pipe(ready))
		return -1;
	pid = fork();
	if (pid == 0) {
		size_t size;
		void *p;

		close(g[1]);
		prctl(PR_SET_NAME, comm);
		if (attach_dom(name, 0, &p, &size))
			_exit(1);
		*(volatile char *)p = 1;
		if (write(ready[1], "r", 1) != 1 || read(g[0], &c, 1) < 0)
			_exit(2);
		_exit(0);
	}
	close(g[0]);
	close(ready[1]);
	if (pid < 0 || read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		return -1;
	}
	close(ready[0]);
	*go = g[1];
	return pid;
}

static pid_t start_holder(const char *name, int *go)
{
	return start_holder_comm(name, "ctl-holder", go);
}

static int stop_holder(pid_t pid, int go)
{
	close(go);
	return wait_exit_code(pid);
}

/*
 * domain show: the creator's pid, the creation time, and the holders
 * (pid, command, mappings, linked bytes), text and JSON; the same for a
 * domain whose name was deleted while it is held, listed as "deleted" and
 * shown by its id; once the holder is gone, the id is too.
 */
TEST_F_TIMEOUT(ctl, show_lists_holders_creator_and_deleted_domains, 120)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char *o = self->out, want[160], id[16];
	time_t t0, t1;
	pid_t holder;
	int go;

	t0 = time(NULL);
	ASSERT_EQ(0, create_domain(self->nl, self->name, 4 * MiB, 0, &d));
	t1 = time(NULL);
	snprintf(id, sizeof(id), "%u", d.id);
	holder = start_holder(self->name, &go);
	ASSERT_LT(0, holder);

	ASSERT_EQ(0, CTL(o, NULL, "domain", "show", self->name));
	TH_LOG("%s", o);
	snprintf(want, sizeof(want), " creator_pid %d ctime 20", (int)getpid());
	EXPECT_NE(NULL, strstr(o, want));
	snprintf(want, sizeof(want), "\n    holder %d comm ctl-holder mappings 1 linked 2097152\n",
		 (int)holder);
	EXPECT_NE(NULL, strstr(o, want));
	EXPECT_EQ(NULL, strstr(o, "deleted"));
	ASSERT_EQ(0, CTL(o, NULL, "-h", "domain", "show", self->name));
	snprintf(want, sizeof(want), "holder %d comm ctl-holder mappings 1 linked 2M\n",
		 (int)holder);
	EXPECT_NE(NULL, strstr(o, want));
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "show", self->name));
	EXPECT_TRUE(json_valid(o));
	EXPECT_EQ(getpid(), json_num(o, "creator_pid"));
	EXPECT_LE(t0, json_num(o, "ctime"));
	EXPECT_GE(t1, json_num(o, "ctime"));
	snprintf(want, sizeof(want),
		 "\"holders\":[{\"pid\":%d,\"comm\":\"ctl-holder\",\"mappings\":1,\"linked\":2097152}]",
		 (int)holder);
	EXPECT_NE(NULL, strstr(o, want)) TH_LOG("%s", o);
	EXPECT_FALSE(json_key(o, "deleted"));

	/* deleted while held */
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "del", self->name));
	EXPECT_EQ(1, CTL(NULL, self->err, "domain", "show", self->name));
	ASSERT_EQ(0, CTL(o, NULL, "domain", "show"));
	snprintf(want, sizeof(want), "%s: id %u deleted size 4194304 ", self->name,
		 d.id);
	EXPECT_NE(NULL, strstr(o, want)) TH_LOG("%s", o);
	snprintf(want, sizeof(want), "holder %d comm ctl-holder mappings 1 linked 0\n",
		 (int)holder);
	EXPECT_NE(NULL, strstr(o, want)) TH_LOG("%s", o);
	ASSERT_EQ(0, CTL(o, NULL, "domain", "show", "id", id));
	snprintf(want, sizeof(want), "%s: id %u deleted ", self->name, d.id);
	EXPECT_EQ(0, strncmp(o, want, strlen(want))) TH_LOG("%s", o);
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "show", "id", id));
	EXPECT_TRUE(json_valid(o));
	EXPECT_TRUE(json_has(o, "deleted", "true"));
	EXPECT_EQ(d.id, json_num(o, "id"));
	EXPECT_EQ(holder, json_num(o, "pid"));
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "show"));
	EXPECT_TRUE(json_valid(o));
	EXPECT_NE(NULL, strstr(o, "\"deleted\":true"));

	EXPECT_EQ(0, stop_holder(holder, go));
	EXPECT_EQ(1, CTL(NULL, self->err, "domain", "show", "id", id));
	EXPECT_NE(NULL, strstr(self->err, "domain show: No such file or directory: no domain of this id"))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, CTL(o, NULL, "domain", "show"));
	EXPECT_EQ(NULL, strstr(o, self->name));
}

/* Is @s well-formed UTF-8 (RFC 3629)? */
static bool utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		unsigned int cp, min;
		int n, i;

		if (*s < 0x80) {
			s++;
			continue;
		}
		if (*s >= 0xc2 && *s <= 0xdf)
			n = 2, cp = *s & 0x1f, min = 0x80;
		else if (*s >= 0xe0 && *s <= 0xef)
			n = 3, cp = *s & 0x0f, min = 0x800;
		else if (*s >= 0xf0 && *s <= 0xf4)
			n = 4, cp = *s & 0x07, min = 0x10000;
		else
			return false;
		for (i = 1; i < n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n;
	}
	return true;
}

/*
 * A task's comm is any bytes, and its 15-byte cut may split a character:
 * -j still prints valid JSON in UTF-8, each byte that starts no
 * well-formed sequence as U+FFFD, well-formed characters as they are.
 */
TEST_F_TIMEOUT(ctl, json_comm_that_is_not_utf8_stays_valid, 60)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	/* "café" + a cut "é" + 0xff + a quote */
	const char comm[] = "caf\xc3\xa9\xc3\xff\"";
	char *o = self->out, want[80];
	pid_t holder;
	int go;

	ASSERT_EQ(0, create_domain(self->nl, self->name, 4 * MiB, 0, &d));
	holder = start_holder_comm(self->name, comm, &go);
	ASSERT_LT(0, holder);
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "show", self->name));
	EXPECT_TRUE(json_valid(o)) TH_LOG("%s", o);
	EXPECT_TRUE(utf8_valid(o));
	snprintf(want, sizeof(want), "\"comm\":\"caf\xc3\xa9\\ufffd\\ufffd\\\"\"");
	EXPECT_NE(NULL, strstr(o, want)) TH_LOG("%s", o);
	EXPECT_EQ(0, stop_holder(holder, go));
}

/*
 * Every per-domain verb takes "id N" for NAME: show, stats, set,
 * discard, migrate, del; del of a domain already deleted (still held) is
 * ENOENT, and so is any verb of an id that is gone.
 */
TEST_F_TIMEOUT(ctl, every_domain_verb_takes_an_id, 120)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	char *o = self->out, id[16], hid[16];
	pid_t holder;
	int go;

	ASSERT_EQ(0, create_domain(self->nl, self->name, 4 * MiB,
				   MSHARE_DOMAIN_F_PREFAULT, &d));
	snprintf(id, sizeof(id), "%u", d.id);
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "show", "id", id));
	EXPECT_TRUE(json_valid(o));
	EXPECT_EQ(d.id, json_num(o, "id"));
	EXPECT_TRUE(json_has(o, "name", "\"") ||
		    strstr(o, self->name) != NULL);
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "stats", "id", id));
	EXPECT_EQ(1024, json_num(o, "resident_pages"));
	/* "#ID" is the same as "id ID" */
	snprintf(hid, sizeof(hid), "#%u", d.id);
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "stats", hid));
	EXPECT_EQ(1024, json_num(o, "resident_pages"));
	EXPECT_EQ(d.id, json_num(o, "id"));
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "show", hid));
	EXPECT_EQ(d.id, json_num(o, "id"));
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "set", hid, "mode",
			 "0640"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(0640, d.mode);
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "discard", "id", id, "0",
			 "8K"));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(1022, d.resident);
	ASSERT_EQ(0, CTL(o, self->err, "-j", "domain", "migrate", "id", id,
			 "node", "0"));
	EXPECT_EQ(1022, json_num(o, "pages_total"));

	/* held and deleted by id: its name goes; again: ENOENT */
	holder = start_holder(self->name, &go);
	ASSERT_LT(0, holder);
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "del", "id", id));
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, self->name, &d));
	EXPECT_EQ(1, CTL(NULL, self->err, "domain", "del", "id", id));
	EXPECT_NE(NULL, strstr(self->err, "domain del: No such file or directory"))
		TH_LOG("%s", self->err);
	EXPECT_TRUE(one_line(self->err));
	/* the other verbs still reach it */
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "set", "id", id, "mode",
			 "0600"));
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "discard", "id", id, "0",
			 "4M"));
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "stats", "id", id));
	EXPECT_EQ(0, json_num(o, "resident_pages"));
	EXPECT_EQ(0, stop_holder(holder, go));
	EXPECT_EQ(1, CTL(NULL, self->err, "domain", "stats", "id", id));
	EXPECT_EQ(1, CTL(NULL, self->err, "domain", "migrate", "id", id,
			 "node", "0"));
	EXPECT_EQ(1, CTL(NULL, self->err, "domain", "set", "id", id, "mode",
			 "0600"));
	EXPECT_EQ(1, CTL(NULL, self->err, "domain", "discard", "id", id, "0",
			 "4K"));
}

/*
 * monitor: "freed" when the memory of a deleted domain goes, that is
 * when its last holder lets go, not at its deletion.
 */
TEST_F_TIMEOUT(ctl, monitor_prints_freed_when_the_last_holder_goes, 120)
{
	char line[1024], pat[128];
	struct mshare_domain_info d = MSHARE_INIT(d);
	struct reader r;
	pid_t mon, holder;
	int go;

	mon = start_monitor(&r, NULL);
	ASSERT_LT(0, mon);
	ASSERT_EQ(0, create_domain(self->nl, self->name, 2 * MiB, 0, &d));
	holder = start_holder(self->name, &go);
	ASSERT_LT(0, holder);
	ASSERT_EQ(0, mshare_domain_destroy(self->nl, self->name));
	snprintf(pat, sizeof(pat), "destroyed %s ", self->name);
	EXPECT_TRUE(wait_for(&r, pat, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, " deleted"));
	/* nothing more for a second: no freed */
	snprintf(pat, sizeof(pat), "freed %s ", self->name);
	while (read_line(&r, line, sizeof(line), 1000))
		EXPECT_EQ(NULL, strstr(line, pat)) TH_LOG("%s", line);
	EXPECT_EQ(0, stop_holder(holder, go));
	EXPECT_TRUE(wait_for(&r, pat, line, sizeof(line)));
	EXPECT_EQ(d.id, text_num(line, "id"));
	EXPECT_EQ(0, stop_monitor(mon, &r));
}

/* ---- bash completion ---- */

static const char *completion_file(void)
{
	static const char *const cands[] = {
		"/usr/share/bash-completion/completions/msharectl",
		"/usr/local/share/bash-completion/completions/msharectl",
	};
	unsigned int i;

	for (i = 0; i < 2; i++)
		if (!access(cands[i], R_OK))
			return cands[i];
	return NULL;
}

static int ctl_run_bash(const char *script, char *out);

/* What the completion offers for "msharectl @line" (the last word is being typed). */
static int complete(const char *file, const char *line, char *out)
{
	char script[8192];

	snprintf(script, sizeof(script),
		 "source %s; read -ra COMP_WORDS <<<\"%s %s\"; "
		 "[[ \"%s\" == *' ' ]] && COMP_WORDS+=(''); "
		 "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _msharectl; "
		 "printf %%s \" ${COMPREPLY[*]} \"",
		 file, ctl, line, line);
	return ctl_run_bash(script, out);
}

/* Run bash -c @script; its stdout in @out.  Its exit status, or -1. */
static int ctl_run_bash(const char *script, char *out)
{
	char saved[PATH_MAX];
	int ret;

	snprintf(saved, sizeof(saved), "%s", ctl);
	snprintf(ctl, sizeof(ctl), "/bin/bash");
	ret = CTL(out, NULL, "-c", script);
	snprintf(ctl, sizeof(ctl), "%s", saved);
	return ret;
}

/*
 * The completion asks msharectl itself: objects, commands, keywords not
 * given yet, the values a keyword takes (policies, users), domain names,
 * options.
 */
TEST_F_TIMEOUT(ctl, bash_completion_follows_msharectl, 300)
{
	const char *file = completion_file();
	char *o = self->out, line[OUT_MAX], want[128];

	if (access("/bin/bash", X_OK) || !file)
		SKIP(return, "no bash or no completion file installed");
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", self->name, "size",
			 "2M"));

	ASSERT_EQ(0, complete(file, " ", o));
	EXPECT_STREQ(" domain help info limit monitor ", o);
	ASSERT_EQ(0, complete(file, "dom", o));
	EXPECT_STREQ(" domain ", o);
	ASSERT_EQ(0, complete(file, "-j domain ", o));
	EXPECT_STREQ(" add del show set stats discard migrate help ", o);
	ASSERT_EQ(0, complete(file, "domain add x ", o));
	EXPECT_STREQ(" size mode owner group prefault huge policy ", o);
	ASSERT_EQ(0, complete(file, "domain add x size 2M prefault ", o));
	EXPECT_STREQ(" mode owner group huge policy ", o);
	ASSERT_EQ(0, complete(file, "domain add x size 2M policy ", o));
	EXPECT_STREQ(" local bind preferred interleave auto ", o);
	ASSERT_EQ(0, complete(file, "domain set x owner nob", o));
	EXPECT_STREQ(" nobody ", o);
	ASSERT_EQ(0, complete(file, "domain set x group nog", o));
	EXPECT_STREQ(" nogroup ", o);
	ASSERT_EQ(0, complete(file, "domain migrate x ", o));
	EXPECT_STREQ(" node offset len ", o);
	ASSERT_EQ(0, complete(file, "domain add x size ", o));
	EXPECT_STREQ("  ", o);
	snprintf(line, sizeof(line), "domain show %.*s", 8, self->name);
	ASSERT_EQ(0, complete(file, line, o));
	snprintf(want, sizeof(want), " %s ", self->name);
	EXPECT_NE(NULL, strstr(o, want)) TH_LOG("%s", o);
	ASSERT_EQ(0, complete(file, "-js", o));
	EXPECT_STREQ(" -json ", o);
	ASSERT_EQ(0, complete(file, "-ba", o));
	EXPECT_STREQ(" -batch ", o);
	ASSERT_EQ(0, complete(file, "help domain mi", o));
	EXPECT_STREQ(" migrate ", o);
	ASSERT_EQ(0, complete(file, "monitor ", o));
	EXPECT_STREQ(" help ", o);

	/* limits: the target first, one of it, then its values */
	ASSERT_EQ(0, complete(file, "limit ", o));
	EXPECT_STREQ(" set del show help ", o);
	ASSERT_EQ(0, complete(file, "limit set ", o));
	EXPECT_STREQ(" user group namespace help ", o);
	ASSERT_EQ(0, complete(file, "limit set user nob", o));
	EXPECT_STREQ(" nobody ", o);
	ASSERT_EQ(0, complete(file, "limit set group nog", o));
	EXPECT_STREQ(" nogroup ", o);
	ASSERT_EQ(0, complete(file, "limit set user nobody ", o));
	EXPECT_STREQ(" bytes domains ", o);
	ASSERT_EQ(0, complete(file, "limit set namespace bytes 1G ", o));
	EXPECT_STREQ(" domains ", o);
	ASSERT_EQ(0, complete(file, "limit set namespace domains ", o));
	EXPECT_STREQ("  ", o);
	ASSERT_EQ(0, complete(file, "limit del ", o));
	EXPECT_STREQ(" user group namespace help ", o);
	ASSERT_EQ(0, complete(file, "limit del namespace ", o));
	EXPECT_STREQ("  ", o);
	ASSERT_EQ(0, complete(file, "limit show ", o));
	EXPECT_STREQ(" help ", o);

	/* ids: "id" where a NAME goes (not for add), then the ids */
	ASSERT_EQ(0, complete(file, "domain show i", o));
	EXPECT_STREQ(" id ", o);
	ASSERT_EQ(0, complete(file, "domain add i", o));
	EXPECT_STREQ("  ", o);
	ASSERT_EQ(0, CTL(line, NULL, "-j", "domain", "show", self->name));
	snprintf(want, sizeof(want), " %lld ", json_num(line, "id"));
	ASSERT_EQ(0, complete(file, "domain stats id ", o));
	EXPECT_NE(NULL, strstr(o, want)) TH_LOG("%s", o);
	EXPECT_EQ(NULL, strstr(o, self->name));
	ASSERT_EQ(0, complete(file, "domain migrate id 1 ", o));
	EXPECT_STREQ(" node offset len ", o);
}

/* ---- malformed command lines ---- */

FIXTURE(bad) {
	struct mshare_nl *nl;
	char name[MSHARE_NAME_MAX];
	char err[OUT_MAX];
};

FIXTURE_VARIANT(bad) {
	const char *args[14];	/* "@" stands for the fixture's domain */
	int status;
};

#define BADCL(n, st, ...) \
	FIXTURE_VARIANT_ADD(bad, n) { .status = st, .args = { __VA_ARGS__ } }

BADCL(no_object, 2, NULL);
BADCL(unknown_option, 2, "-x", "domain", "show");
BADCL(abbreviated_option, 2, "-js", "domain", "show");
BADCL(batch_without_file, 2, "-batch");
BADCL(rcvbuf_bad, 2, "-rcvbuf", "lots", "monitor");
BADCL(rcvbuf_zero, 2, "-rcvbuf", "0", "monitor");
BADCL(version_with_object, 2, "-V", "info");
BADCL(abbreviated_object, 2, "dom", "show");
BADCL(abbreviated_command, 2, "domain", "sh");
BADCL(unknown_command, 2, "domain", "rename", "@");
BADCL(help_unknown_object, 2, "help", "route");
BADCL(help_unknown_command, 2, "help", "domain", "rename");
BADCL(help_with_extra_word, 2, "domain", "add", "help", "me");
BADCL(option_after_object, 2, "domain", "show", "-j");
BADCL(option_after_name, 2, "domain", "show", "@", "-j");
BADCL(option_after_keywords, 2, "domain", "add", "ctl-new", "size", "4M", "-p");
BADCL(option_after_monitor, 2, "monitor", "-t");
BADCL(option_after_info, 2, "info", "-V");
BADCL(add_missing_name, 2, "domain", "add");
BADCL(add_missing_size, 2, "domain", "add", "ctl-new");
BADCL(add_size_without_value, 2, "domain", "add", "ctl-new", "size");
BADCL(add_size_bad_suffix, 2, "domain", "add", "ctl-new", "size", "4X");
BADCL(add_size_two_suffixes, 2, "domain", "add", "ctl-new", "size", "4MB");
BADCL(add_size_negative, 2, "domain", "add", "ctl-new", "size", "-4M");
BADCL(add_size_overflows, 2, "domain", "add", "ctl-new", "size", "99999999T");
BADCL(add_size_twice, 2, "domain", "add", "ctl-new", "size", "2M", "size", "4M");
BADCL(add_mode_twice, 2, "domain", "add", "ctl-new", "size", "2M", "mode", "0600", "mode", "0644");
BADCL(add_owner_twice, 2, "domain", "add", "ctl-new", "size", "2M", "owner", "0", "owner", "1");
BADCL(add_group_twice, 2, "domain", "add", "ctl-new", "size", "2M", "group", "0", "group", "1");
BADCL(add_prefault_twice, 2, "domain", "add", "ctl-new", "size", "2M", "prefault", "prefault");
BADCL(add_huge_twice, 2, "domain", "add", "ctl-new", "size", "2M", "huge", "huge");
BADCL(add_policy_twice, 2, "domain", "add", "ctl-new", "size", "2M", "policy", "local", "policy", "bind", "0");
BADCL(add_abbreviated_keyword, 2, "domain", "add", "ctl-new", "siz", "4M");
BADCL(add_mode_not_octal, 2, "domain", "add", "ctl-new", "size", "4M", "mode", "0800");
BADCL(add_mode_too_big, 2, "domain", "add", "ctl-new", "size", "4M", "mode", "01777");
BADCL(add_unknown_user, 2, "domain", "add", "ctl-new", "size", "4M", "owner", "no-such-user");
BADCL(add_unknown_group, 2, "domain", "add", "ctl-new", "size", "4M", "group", "no-such-group");
BADCL(add_negative_owner, 2, "domain", "add", "ctl-new", "size", "4M", "owner", "-1");
BADCL(add_name_64_chars, 2, "domain", "add",
      "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", "size", "4M");
BADCL(del_missing_name, 2, "domain", "del");
BADCL(del_two_names, 2, "domain", "del", "@", "@");
BADCL(set_nothing, 2, "domain", "set", "@");
BADCL(set_unknown_keyword, 2, "domain", "set", "@", "colour", "1");
BADCL(set_size, 2, "domain", "set", "@", "size", "4M");
BADCL(set_mode_twice, 2, "domain", "set", "@", "mode", "0600", "mode", "0644");
BADCL(set_policy_twice, 2, "domain", "set", "@", "policy", "local", "policy", "local");
BADCL(set_unknown_user, 2, "domain", "set", "@", "owner", "no-such-user");
BADCL(discard_missing_length, 2, "domain", "discard", "@", "0");
BADCL(discard_bad_offset, 2, "domain", "discard", "@", "x", "4K");
BADCL(show_two_names, 2, "domain", "show", "@", "@");
BADCL(list_two_names, 2, "domain", "list", "@", "@");
BADCL(monitor_with_argument, 2, "monitor", "now");
BADCL(info_with_argument, 2, "info", "now");
BADCL(add_policy_missing, 2, "domain", "add", "ctl-new", "size", "4M", "policy");
BADCL(add_policy_unknown, 2, "domain", "add", "ctl-new", "size", "4M", "policy", "first-touch");
BADCL(add_policy_capitalised, 2, "domain", "add", "ctl-new", "size", "4M", "policy", "Bind", "1");
BADCL(add_bind_without_node, 2, "domain", "add", "ctl-new", "size", "4M", "policy", "bind");
BADCL(add_bind_node_not_a_number, 2, "domain", "add", "ctl-new", "size", "4M", "policy", "bind", "node1");
BADCL(add_bind_negative_node, 2, "domain", "add", "ctl-new", "size", "4M", "policy", "bind", "-1");
BADCL(add_interleave_empty_item, 2, "domain", "add", "ctl-new", "size", "4M", "policy", "interleave", "0,,1");
BADCL(add_interleave_trailing_comma, 2, "domain", "add", "ctl-new", "size", "4M", "policy", "interleave", "0,");
BADCL(add_local_with_node, 2, "domain", "add", "ctl-new", "size", "4M", "policy", "local", "1");
BADCL(set_policy_unknown, 2, "domain", "set", "@", "policy", "random");
BADCL(set_preferred_without_node, 2, "domain", "set", "@", "policy", "preferred");
BADCL(migrate_missing_node, 2, "domain", "migrate", "@");
BADCL(migrate_node_without_value, 2, "domain", "migrate", "@", "node");
BADCL(migrate_negative_node, 2, "domain", "migrate", "@", "node", "-1");
BADCL(migrate_node_twice, 2, "domain", "migrate", "@", "node", "0", "node", "1");
BADCL(migrate_offset_twice, 2, "domain", "migrate", "@", "node", "0", "offset", "0", "offset", "0", "len", "4K");
BADCL(migrate_offset_without_len, 2, "domain", "migrate", "@", "node", "0", "offset", "0");
BADCL(migrate_len_without_offset, 2, "domain", "migrate", "@", "node", "0", "len", "4K");
BADCL(migrate_unknown_keyword, 2, "domain", "migrate", "@", "node", "0", "to", "1");
BADCL(limit_unknown_verb, 2, "limit", "add", "user", "1000");
BADCL(limit_set_nothing, 2, "limit", "set");
BADCL(limit_set_unknown_target, 2, "limit", "set", "planet", "bytes", "1M", "domains", "1");
BADCL(limit_set_user_without_value, 2, "limit", "set", "user");
BADCL(limit_set_unknown_user, 2, "limit", "set", "user", "no-such-user", "bytes", "1M", "domains", "1");
BADCL(limit_set_unknown_group, 2, "limit", "set", "group", "no-such-group", "bytes", "1M", "domains", "1");
BADCL(limit_set_missing_domains, 2, "limit", "set", "user", "4242", "bytes", "1M");
BADCL(limit_set_missing_bytes, 2, "limit", "set", "namespace", "domains", "1");
BADCL(limit_set_bytes_twice, 2, "limit", "set", "namespace", "bytes", "1M", "bytes", "2M", "domains", "1");
BADCL(limit_set_bad_bytes, 2, "limit", "set", "namespace", "bytes", "1X", "domains", "1");
BADCL(limit_set_bad_domains, 2, "limit", "set", "namespace", "bytes", "1M", "domains", "-1");
BADCL(limit_set_domains_without_value, 2, "limit", "set", "namespace", "bytes", "1M", "domains");
BADCL(limit_set_unknown_keyword, 2, "limit", "set", "namespace", "bytes", "1M", "domains", "1", "size", "1M");
BADCL(limit_set_target_last, 2, "limit", "set", "bytes", "1M", "domains", "1", "namespace");
BADCL(limit_del_nothing, 2, "limit", "del");
BADCL(limit_del_with_values, 2, "limit", "del", "user", "4242", "bytes", "1M");
BADCL(limit_show_with_argument, 2, "limit", "show", "user");
BADCL(id_without_number, 2, "domain", "show", "id");
BADCL(id_not_a_number, 2, "domain", "stats", "id", "x");
BADCL(id_negative, 2, "domain", "del", "id", "-1");
BADCL(id_too_big, 2, "domain", "set", "id", "4294967296", "mode", "0600");
BADCL(id_then_extra_word, 2, "domain", "show", "id", "1", "2");
BADCL(hash_id_empty, 2, "domain", "show", "#");
BADCL(hash_id_not_a_number, 2, "domain", "stats", "#x1");
BADCL(hash_id_trailing, 2, "domain", "discard", "#1x", "0", "4K");
BADCL(hash_id_too_big, 2, "domain", "del", "#4294967296");
BADCL(hash_id_negative, 2, "domain", "migrate", "#-1", "node", "0");
BADCL(add_with_an_id, 2, "domain", "add", "#5", "size", "2M");
BADCL(hash_id_unknown_show, 1, "domain", "show", "#4294967295");
BADCL(limit_del_no_such, 1, "limit", "del", "user", "4242");
BADCL(id_unknown_show, 1, "domain", "show", "id", "4294967295");
BADCL(id_unknown_del, 1, "domain", "del", "id", "4294967295");
BADCL(id_unknown_set, 1, "domain", "set", "id", "4294967295", "mode", "0600");
BADCL(id_unknown_discard, 1, "domain", "discard", "id", "4294967295", "0", "4K");
BADCL(id_unknown_migrate, 1, "domain", "migrate", "id", "4294967295", "node", "0");
BADCL(id_unknown_stats, 1, "domain", "stats", "id", "4294967295");
BADCL(add_size_0, 1, "domain", "add", "ctl-new", "size", "0");
BADCL(add_size_3m, 1, "domain", "add", "ctl-new", "size", "3m");
BADCL(add_size_odd, 1, "domain", "add", "ctl-new", "size", "2097153");
BADCL(add_size_huge, 1, "domain", "add", "ctl-new", "size", "1024T");
BADCL(add_bad_characters, 1, "domain", "add", "ctl/new", "size", "4M");
BADCL(add_existing_name, 1, "domain", "add", "@", "size", "4M");
BADCL(del_unknown_domain, 1, "domain", "del", "ctl-no-such");
BADCL(show_unknown_domain, 1, "domain", "show", "ctl-no-such");
BADCL(ls_unknown_domain, 1, "domain", "ls", "ctl-no-such");
BADCL(stats_unknown_domain, 1, "domain", "stats", "ctl-no-such");
BADCL(set_unknown_domain, 1, "domain", "set", "ctl-no-such", "mode", "0600");
BADCL(discard_unaligned, 1, "domain", "discard", "@", "1", "4K");
BADCL(discard_zero_length, 1, "domain", "discard", "@", "0", "0");
BADCL(discard_past_the_end, 1, "domain", "discard", "@", "2M", "4K");
BADCL(add_bind_node_4096, 1, "domain", "add", "ctl-new", "size", "4M", "policy", "bind", "4096");
BADCL(add_interleave_duplicate, 1, "domain", "add", "ctl-new", "size", "4M", "policy", "interleave", "0,0");
BADCL(set_bind_node_1023, 1, "domain", "set", "@", "policy", "bind", "1023");
BADCL(migrate_node_4096, 1, "domain", "migrate", "@", "node", "4096");
BADCL(migrate_unaligned_offset, 1, "domain", "migrate", "@", "node", "0", "offset", "1", "len", "4K");
BADCL(migrate_zero_length, 1, "domain", "migrate", "@", "node", "0", "offset", "0", "len", "0");
BADCL(migrate_past_the_end, 1, "domain", "migrate", "@", "node", "0", "offset", "2M", "len", "4K");
BADCL(migrate_unknown_domain, 1, "domain", "migrate", "ctl-no-such", "node", "0");

FIXTURE_SETUP(bad)
{
	if (!find_ctl())
		SKIP(return, "msharectl not found");
	ASSERT_EQ(0, nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "ctl-bad-%d", (int)getpid());
	ASSERT_EQ(0, create_domain(self->nl, self->name, 2 * MiB,
				   MSHARE_DOMAIN_F_PREFAULT, NULL));
}

FIXTURE_TEARDOWN(bad)
{
	if (!ctl[0])
		return;
	mshare_domain_destroy(self->nl, self->name);
	mshare_domain_destroy(self->nl, "ctl-new");
	mshare_nl_close(self->nl);
}

TEST_F(bad, exits_with_exact_status_one_line_and_changes_nothing)
{
	struct mshare_module_info before = MSHARE_INIT(before);
	struct mshare_module_info after = MSHARE_INIT(after);
	struct mshare_domain_info d0 = MSHARE_INIT(d0), d1 = MSHARE_INIT(d1);
	const char *args[15];
	int i;

	for (i = 0; i < 14 && variant->args[i]; i++)
		args[i] = strcmp(variant->args[i], "@") ? variant->args[i] :
							   self->name;
	args[i] = NULL;
	ASSERT_EQ(0, mshare_module_info(self->nl, &before));
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d0));

	EXPECT_EQ(variant->status, ctl_run(NULL, self->err, args));
	/* one line of message, nothing else */
	EXPECT_EQ(0, strncmp(self->err, "msharectl: ", 11));
	EXPECT_TRUE(one_line(self->err));
	TH_LOG("%s", self->err);

	ASSERT_EQ(0, mshare_module_info(self->nl, &after));
	EXPECT_EQ(before.domains, after.domains);
	EXPECT_EQ(before.data_pages, after.data_pages);
	ASSERT_EQ(0, mshare_domain_get(self->nl, self->name, &d1));
	EXPECT_EQ(d0.id, d1.id);
	EXPECT_EQ(d0.mode, d1.mode);
	EXPECT_EQ(d0.uid, d1.uid);
	EXPECT_EQ(d0.resident, d1.resident);
	EXPECT_EQ(-ENOENT, mshare_domain_get(self->nl, "ctl-new", &d1));
}

TEST_HARNESS_MAIN
