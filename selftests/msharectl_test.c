// SPDX-License-Identifier: GPL-2.0
/*
 * msharectl end to end: add, show (text, JSON, pretty JSON, parsed back),
 * set, stats, discard, del; `monitor` sees another process's attach and
 * detach; and a table of malformed command lines, each answered with its
 * exact exit status (2: usage, 1: the kernel refused) and no state change.
 *
 * msharectl is looked for in $MSHARECTL, next to this program, then in
 * /bin and /usr/bin; without it the tests are skipped.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/*
 * Run msharectl with @args (NULL-terminated); its stdout in @out, stderr
 * in @err (either may be NULL).  Returns its exit status, or -1.
 */
static int ctl_run(char *out, char *err, const char *const *args)
{
	int po[2], pe[2], status;
	const char *argv[32];
	ssize_t n, lo = 0, le = 0;
	char sink[4096];
	pid_t pid;
	int i;

	argv[0] = ctl;
	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	if (pipe(po) || pipe(pe))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		execv(ctl, (char *const *)argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	/* Outputs are small: read stdout to its end, then stderr. */
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

#define CTL(out, err, ...) ctl_run(out, err, (const char *const[]){ __VA_ARGS__, NULL })

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

FIXTURE(ctl) {
	struct mshare_nl nl;
	char name[MSHARE_NAME_MAX];
	char out[OUT_MAX], err[OUT_MAX];
};

FIXTURE_SETUP(ctl)
{
	if (!find_ctl())
		SKIP(return, "msharectl not found");
	ASSERT_EQ(0, mshare_nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "ctl-%d", (int)getpid());
}

FIXTURE_TEARDOWN(ctl)
{
	if (!ctl[0])
		return;
	mshare_domain_destroy(&self->nl, self->name);
	mshare_nl_close(&self->nl);
}

TEST_F(ctl, add_show_set_stats_discard_del)
{
	struct mshare_domain_info d;
	char *o = self->out;

	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", self->name, "size",
			 "4M", "mode", "0640", "owner", "1000", "group", "2000",
			 "prefault"));
	ASSERT_EQ(0, mshare_domain_get(&self->nl, self->name, &d));
	EXPECT_EQ(4 * MiB, d.size);
	EXPECT_EQ(0640, d.mode);
	EXPECT_EQ(1000, d.uid);
	EXPECT_EQ(2000, d.gid);
	EXPECT_EQ(MSHARE_DOMAIN_F_PREFAULT, d.flags);

	/* text */
	ASSERT_EQ(0, CTL(o, NULL, "domain", "show", self->name));
	EXPECT_NE(NULL, strstr(o, self->name));
	EXPECT_NE(NULL, strstr(o, "mode 0640"));

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

	/* set */
	ASSERT_EQ(0, CTL(NULL, NULL, "domain", "set", self->name, "mode",
			 "0600", "group", "3000"));
	ASSERT_EQ(0, mshare_domain_get(&self->nl, self->name, &d));
	EXPECT_EQ(0600, d.mode);
	EXPECT_EQ(3000, d.gid);

	/* stats, text and JSON */
	ASSERT_EQ(0, CTL(o, NULL, "domain", "stats", self->name));
	EXPECT_NE(NULL, strstr(o, "attachments 0"));
	ASSERT_EQ(0, CTL(o, NULL, "-p", "domain", "stats", self->name));
	EXPECT_TRUE(json_valid(o));
	EXPECT_EQ(1024, json_num(o, "resident_pages"));
	EXPECT_EQ(0, json_num(o, "attachments"));
	EXPECT_EQ(0, json_num(o, "processes"));
	EXPECT_LE(0, json_num(o, "shootdowns"));
	EXPECT_LE(0, json_num(o, "flushes_full"));
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "stats"));
	EXPECT_TRUE(json_valid(o));

	/* discard 1M at 1M: 256 pages go */
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "discard", self->name,
			 "1M", "1M"));
	ASSERT_EQ(0, mshare_domain_get(&self->nl, self->name, &d));
	EXPECT_EQ(768, d.resident);

	/* del, then it is gone and the kernel says so */
	ASSERT_EQ(0, CTL(NULL, NULL, "domain", "del", self->name));
	EXPECT_EQ(-ENOENT, mshare_domain_get(&self->nl, self->name, &d));
	EXPECT_EQ(1, CTL(NULL, self->err, "domain", "show", self->name));
	EXPECT_NE(NULL, strstr(self->err, "no domain of this name"));
}

TEST_F(ctl, help_exits_0_with_usage)
{
	ASSERT_EQ(0, CTL(self->out, NULL, "--help"));
	EXPECT_NE(NULL, strstr(self->out, "domain add NAME size SIZE"));
	EXPECT_NE(NULL, strstr(self->out, "monitor"));
}

/* Read @fd until a line containing @what arrives (or 10 s pass). */
static bool wait_line(FILE *f, const char *what, char *line, size_t len)
{
	while (fgets(line, len, f))
		if (strstr(line, what))
			return true;
	return false;
}

TEST_F(ctl, monitor_sees_another_process_attach_and_detach)
{
	char line[512], pat[128];
	int pipefd[2], fd, status;
	pid_t mon, att;
	FILE *f;

	ASSERT_EQ(0, pipe(pipefd));
	mon = fork();
	ASSERT_LE(0, mon);
	if (mon == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		alarm(30);
		execl(ctl, ctl, "monitor", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	f = fdopen(pipefd[0], "r");
	ASSERT_NE(NULL, f);
	ASSERT_TRUE(wait_line(f, "listening", line, sizeof(line)));

	ASSERT_EQ(0, mshare_domain_create(&self->nl, self->name, 2 * MiB, NULL,
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
	ASSERT_EQ(0, mshare_domain_destroy(&self->nl, self->name));

	snprintf(pat, sizeof(pat), "created %s ", self->name);
	EXPECT_TRUE(wait_line(f, pat, line, sizeof(line)));
	snprintf(pat, sizeof(pat), "attached %s ", self->name);
	EXPECT_TRUE(wait_line(f, pat, line, sizeof(line)));
	snprintf(pat, sizeof(pat), "pid %d ", (int)att);
	EXPECT_NE(NULL, strstr(line, pat));
	snprintf(pat, sizeof(pat), "detached %s ", self->name);
	EXPECT_TRUE(wait_line(f, pat, line, sizeof(line)));
	snprintf(pat, sizeof(pat), "destroyed %s ", self->name);
	EXPECT_TRUE(wait_line(f, pat, line, sizeof(line)));

	kill(mon, SIGINT);
	ASSERT_EQ(mon, waitpid(mon, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	fclose(f);
}

/*
 * NUMA (needs 2 nodes): policy at add and set, shown in text and JSON; a
 * migration of the whole domain, its result and the stats per node.
 */
TEST_F(ctl, numa_policy_migrate_and_stats)
{
	struct mshare_domain_stats st;
	struct mshare_domain_info d;
	char *o = self->out;

	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "one NUMA node");
	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "add", self->name, "size",
			 "4M", "prefault", "policy", "bind", "0"));
	ASSERT_EQ(0, mshare_domain_get(&self->nl, self->name, &d));
	EXPECT_EQ(MSHARE_NUMA_BIND, d.numa.policy);
	EXPECT_EQ(1, d.numa.nr_nodes);
	EXPECT_EQ(0, d.numa.nodes[0]);
	EXPECT_EQ(0, d.home_node);

	ASSERT_EQ(0, CTL(o, NULL, "domain", "show", self->name));
	EXPECT_NE(NULL, strstr(o, "policy bind 0 home node 0"));
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "show", self->name));
	EXPECT_TRUE(json_valid(o));
	EXPECT_TRUE(json_has(o, "policy", "\"bind\""));
	EXPECT_TRUE(json_has(o, "policy_nodes", "[0]"));
	EXPECT_EQ(0, json_num(o, "home_node"));

	ASSERT_EQ(0, CTL(NULL, self->err, "domain", "set", self->name,
			 "policy", "interleave", "1,0"));
	ASSERT_EQ(0, mshare_domain_get(&self->nl, self->name, &d));
	EXPECT_EQ(MSHARE_NUMA_INTERLEAVE, d.numa.policy);
	EXPECT_EQ(2, d.numa.nr_nodes);
	EXPECT_EQ(1, d.numa.nodes[0]);
	EXPECT_EQ(0, d.numa.nodes[1]);
	ASSERT_EQ(0, CTL(o, NULL, "-j", "domain", "show", self->name));
	EXPECT_TRUE(json_has(o, "policy_nodes", "[1,0]"));

	/* migrate all of it to node 1: 1024 pages, then the stats say so */
	ASSERT_EQ(0, CTL(o, self->err, "-j", "domain", "migrate", self->name,
			 "node", "1"));
	EXPECT_TRUE(json_valid(o));
	EXPECT_EQ(1, json_num(o, "node"));
	EXPECT_EQ(1024, json_num(o, "pages_total"));
	EXPECT_EQ(1024, json_num(o, "pages_done"));
	EXPECT_EQ(0, json_num(o, "pages_skipped"));
	ASSERT_EQ(0, CTL(o, self->err, "domain", "migrate", self->name,
			 "node", "0", "offset", "1M", "len", "1M"));
	EXPECT_NE(NULL, strstr(o, "node 0 total 256 pages, done 256, skipped 0"));

	ASSERT_EQ(0, mshare_domain_stats(&self->nl, self->name, &st));
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
	EXPECT_NE(NULL, strstr(o, "home node 1"));
	EXPECT_NE(NULL, strstr(o, "node 0: 256 pages"));
	EXPECT_NE(NULL, strstr(o, "node 1: 768 pages"));
	EXPECT_NE(NULL, strstr(o, "migrations 2 pages migrated 1280 skipped 0"));
}

/* ---- malformed command lines ---- */

FIXTURE(bad) {
	struct mshare_nl nl;
	char name[MSHARE_NAME_MAX];
	char err[OUT_MAX];
};

FIXTURE_VARIANT(bad) {
	const char *args[12];	/* "@" stands for the fixture's domain */
	int status;
};

#define BADCL(n, st, ...) \
	FIXTURE_VARIANT_ADD(bad, n) { .status = st, .args = { __VA_ARGS__ } }

BADCL(no_object, 2, NULL);
BADCL(unknown_option, 2, "-x", "domain", "show");
BADCL(abbreviated_object, 2, "dom", "show");
BADCL(abbreviated_command, 2, "domain", "sh");
BADCL(unknown_command, 2, "domain", "rename", "@");
BADCL(add_missing_name, 2, "domain", "add");
BADCL(add_missing_size, 2, "domain", "add", "ctl-new");
BADCL(add_size_without_value, 2, "domain", "add", "ctl-new", "size");
BADCL(add_size_bad_suffix, 2, "domain", "add", "ctl-new", "size", "4X");
BADCL(add_size_negative, 2, "domain", "add", "ctl-new", "size", "-4M");
BADCL(add_size_overflows, 2, "domain", "add", "ctl-new", "size", "99999999T");
BADCL(add_abbreviated_keyword, 2, "domain", "add", "ctl-new", "siz", "4M");
BADCL(add_mode_not_octal, 2, "domain", "add", "ctl-new", "size", "4M", "mode", "0800");
BADCL(add_mode_too_big, 2, "domain", "add", "ctl-new", "size", "4M", "mode", "01777");
BADCL(add_owner_not_a_number, 2, "domain", "add", "ctl-new", "size", "4M", "owner", "root");
BADCL(add_name_64_chars, 2, "domain", "add",
      "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", "size", "4M");
BADCL(del_missing_name, 2, "domain", "del");
BADCL(del_two_names, 2, "domain", "del", "@", "@");
BADCL(set_nothing, 2, "domain", "set", "@");
BADCL(set_unknown_keyword, 2, "domain", "set", "@", "colour", "1");
BADCL(discard_missing_length, 2, "domain", "discard", "@", "0");
BADCL(discard_bad_offset, 2, "domain", "discard", "@", "x", "4K");
BADCL(show_two_names, 2, "domain", "show", "@", "@");
BADCL(monitor_with_argument, 2, "monitor", "now");
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
BADCL(migrate_offset_without_len, 2, "domain", "migrate", "@", "node", "0", "offset", "0");
BADCL(migrate_len_without_offset, 2, "domain", "migrate", "@", "node", "0", "len", "4K");
BADCL(migrate_unknown_keyword, 2, "domain", "migrate", "@", "node", "0", "to", "1");
BADCL(add_size_0, 1, "domain", "add", "ctl-new", "size", "0");
BADCL(add_size_3m, 1, "domain", "add", "ctl-new", "size", "3M");
BADCL(add_size_odd, 1, "domain", "add", "ctl-new", "size", "2097153");
BADCL(add_size_huge, 1, "domain", "add", "ctl-new", "size", "1024T");
BADCL(add_bad_characters, 1, "domain", "add", "ctl/new", "size", "4M");
BADCL(add_existing_name, 1, "domain", "add", "@", "size", "4M");
BADCL(del_unknown_domain, 1, "domain", "del", "ctl-no-such");
BADCL(show_unknown_domain, 1, "domain", "show", "ctl-no-such");
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
	ASSERT_EQ(0, mshare_nl_open(&self->nl));
	snprintf(self->name, sizeof(self->name), "ctl-bad-%d", (int)getpid());
	ASSERT_EQ(0, create_domain(&self->nl, self->name, 2 * MiB,
				   MSHARE_DOMAIN_F_PREFAULT, NULL));
}

FIXTURE_TEARDOWN(bad)
{
	if (!ctl[0])
		return;
	mshare_domain_destroy(&self->nl, self->name);
	mshare_domain_destroy(&self->nl, "ctl-new");
	mshare_nl_close(&self->nl);
}

TEST_F(bad, exits_with_exact_status_and_changes_nothing)
{
	struct mshare_module_info before, after;
	struct mshare_domain_info d0, d1;
	const char *args[13];
	char *nl;
	int i;

	for (i = 0; i < 12 && variant->args[i]; i++)
		args[i] = strcmp(variant->args[i], "@") ? variant->args[i] :
							   self->name;
	args[i] = NULL;
	ASSERT_EQ(0, mshare_module_info(&self->nl, &before));
	ASSERT_EQ(0, mshare_domain_get(&self->nl, self->name, &d0));

	EXPECT_EQ(variant->status, ctl_run(NULL, self->err, args));
	/* one line of message first; usage errors then print the usage */
	EXPECT_EQ(0, strncmp(self->err, "msharectl: ", 11));
	nl = strchr(self->err, '\n');
	ASSERT_NE(NULL, nl);
	if (variant->status == 2) {
		EXPECT_EQ(0, strncmp(nl + 1, "usage: ", 7));
	} else {
		EXPECT_EQ(0, nl[1]);
	}
	TH_LOG("%.*s", (int)(nl - self->err), self->err);

	ASSERT_EQ(0, mshare_module_info(&self->nl, &after));
	EXPECT_EQ(before.domains, after.domains);
	EXPECT_EQ(before.data_pages, after.data_pages);
	ASSERT_EQ(0, mshare_domain_get(&self->nl, self->name, &d1));
	EXPECT_EQ(d0.id, d1.id);
	EXPECT_EQ(d0.mode, d1.mode);
	EXPECT_EQ(d0.resident, d1.resident);
	EXPECT_EQ(-ENOENT, mshare_domain_get(&self->nl, "ctl-new", &d1));
}

TEST_HARNESS_MAIN
