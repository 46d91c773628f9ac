// SPDX-License-Identifier: GPL-2.0
/*
 * msharectl: manage mshare domains over the "mshare" generic netlink family.
 *
 *   msharectl [OPTIONS] OBJECT [COMMAND [ARGS]]
 *   msharectl [OPTIONS] -batch FILE
 *
 * Grammar in the style of iproute2: a table (commands[]) maps "object
 * command" to a handler and its synopsis, from which every level of help
 * is printed ("msharectl help", "msharectl domain help", "msharectl domain
 * add help"; the bash completion reads them too).  Keywords match exactly
 * (no abbreviations) and may not repeat; options go before the object.
 * Usage errors print one line and exit 2; kernel errors print the kernel's
 * extack message and exit 1.
 *
 * Output: every attribute of a reply or event is printed through one table
 * (fields[]), so a kernel attribute has the same name in show, stats,
 * monitor, text and JSON: text is "key value" pairs, JSON members of the
 * same keys.  -j prints one JSON document per reading command (monitor:
 * one object per line); -p pretty-prints it; -h prints byte sizes with a
 * suffix (text only).  The manual is msharectl.8.
 */
#define _GNU_SOURCE		/* ppoll() */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <linux/sock_diag.h>
#include <netlink/genl/ctrl.h>

#include "mshare_nl.h"

/* The release of msharectl (as libmshare's pkg-config Version). */
#ifndef MSHARECTL_VERSION
#define MSHARECTL_VERSION	"1"
#endif

#define SYSFS_MODULE		"/sys/module/" MSHARE_DEVICE_NAME
#define MONITOR_RCVBUF		(4ULL << 20)

static bool json, pretty, timestamps, human, force;
static uint64_t rcvbuf = MONITOR_RCVBUF;

/* -batch: where the command being run comes from, for error messages. */
static const char *batch_file;
static unsigned long batch_line;

/* ---- messages ---- */

static void vmsg(const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs("msharectl: ", stderr);
	if (batch_file)
		fprintf(stderr, "%s:%lu: ", batch_file, batch_line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* An error message (one line); returns 1. */
static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	return 1;
}

/* A usage error: one line on stderr; returns 2, the exit status. */
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	return 2;
}

static int kernel_error(struct mshare_nl *nl, const char *what, int err)
{
	return fail("%s: %s%s%s", what, strerror(-err),
		     mshare_nl_extack(nl)[0] ? ": " : "", mshare_nl_extack(nl));
}

/*
 * The netlink connection, opened by the first command that needs it, once
 * its arguments are parsed (so that a usage error is one without the
 * module too), and kept for the next commands of a batch.
 */
static struct mshare_nl *ctl_nl;

/*
 * 0 with the connection in *@nlp (a command's own copy of the handle it
 * was given, NULL until then), or 1 (the exit status) after saying why
 * there is none.
 */
static int connect_nl(struct mshare_nl **nlp)
{
	if (!ctl_nl) {
		ctl_nl = mshare_nl_open();
		if (!ctl_nl)
			return fail("%s", errno == ENOENT ?
				    "the mshare module is not loaded" :
				    strerror(errno));
	}
	*nlp = ctl_nl;
	return 0;
}

/* ---- argument parsing ---- */

/*
 * A size: decimal, or hexadecimal after "0x" (a leading 0 is not octal:
 * "010M" is 10 MiB), with an optional k/K/m/M/g/G/t/T suffix; false if
 * malformed.
 */
static bool parse_size(const char *s, uint64_t *out)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, hex ? 16 : 10);
	if (errno)
		return false;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: break;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

static bool parse_u32(const char *s, int base, uint32_t max, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* A node id: decimal, any u32 (the kernel says which are online). */
static bool parse_node(const char *s, uint32_t *out)
{
	return parse_u32(s, 10, UINT32_MAX, out);
}

/* USER: a numeric uid or a user name. */
static bool parse_user(const char *s, uint32_t *out)
{
	struct passwd *pw;

	if (*s >= '0' && *s <= '9')
		return parse_u32(s, 10, INT32_MAX, out);
	pw = getpwnam(s);
	if (!pw)
		return false;
	*out = pw->pw_uid;
	return true;
}

/* GROUP: a numeric gid or a group name. */
static bool parse_group(const char *s, uint32_t *out)
{
	struct group *gr;

	if (*s >= '0' && *s <= '9')
		return parse_u32(s, 10, INT32_MAX, out);
	gr = getgrnam(s);
	if (!gr)
		return false;
	*out = gr->gr_gid;
	return true;
}

/*
 * Keyword @kw of command @cmd seen: 0, or 2 after a usage error if it was
 * seen before (bit @bit of *@seen).
 */
static int once(const char *cmd, const char *kw, unsigned int *seen,
		unsigned int bit)
{
	if (*seen & bit)
		return usage_error("%s: %s given twice", cmd, kw);
	*seen |= bit;
	return 0;
}

/*
 * POLICY (local | bind N | preferred N | interleave N1,N2,... | auto [N])
 * starting at argv[*i], the word after "policy": fills @numa and leaves *i
 * at the policy's last word.  0, or 2 after a usage error.
 */
static int parse_policy(const char *cmd, int argc, char **argv, int *i,
			struct mshare_numa *numa)
{
	const char *kw, *s;
	uint32_t v;
	int pol;

	if (*i >= argc)
		return usage_error("%s: policy needs a value", cmd);
	kw = argv[*i];
	pol = mshare_numa_policy_parse(kw);
	if (pol < 0)
		return usage_error("%s: unknown policy \"%s\"", cmd, kw);
	numa->policy = pol;
	numa->nr_nodes = 0;
	switch (pol) {
	case MSHARE_NUMA_AUTO:
		/* an optional first home node: the next word if a number */
		if (*i + 1 < argc && argv[*i + 1][0] >= '0' &&
		    argv[*i + 1][0] <= '9') {
			if (!parse_node(argv[++*i], &v))
				return usage_error("%s: bad node \"%s\"", cmd,
						   argv[*i]);
			numa->nodes[numa->nr_nodes++] = v;
		}
		return 0;
	case MSHARE_NUMA_BIND:
	case MSHARE_NUMA_PREFERRED:
		if (++*i >= argc)
			return usage_error("%s: policy %s needs a node", cmd, kw);
		if (!parse_node(argv[*i], &v))
			return usage_error("%s: bad node \"%s\"", cmd, argv[*i]);
		numa->nodes[numa->nr_nodes++] = v;
		return 0;
	case MSHARE_NUMA_INTERLEAVE:
		if (++*i >= argc)
			return usage_error("%s: policy interleave needs nodes", cmd);
		for (s = argv[*i]; ; ) {
			char item[16];
			size_t n = strcspn(s, ",");

			if (!n || n >= sizeof(item))
				return usage_error("%s: bad node list \"%s\"",
						   cmd, argv[*i]);
			memcpy(item, s, n);
			item[n] = 0;
			if (!parse_node(item, &v))
				return usage_error("%s: bad node list \"%s\"",
						   cmd, argv[*i]);
			if (numa->nr_nodes >= MSHARE_NUMA_NODES_MAX)
				return usage_error("%s: more than %d nodes", cmd,
						   MSHARE_NUMA_NODES_MAX);
			numa->nodes[numa->nr_nodes++] = v;
			if (!s[n])
				break;
			s += n + 1;
		}
		return 0;
	default:	/* local: no node */
		return 0;
	}
}

/* ---- JSON output ---- */

static int jdepth;
static bool jfirst = true;

static void jsep(void)
{
	if (!jfirst)
		putchar(',');
	if (pretty && jdepth)
		printf("\n%*s", 2 * jdepth, "");
	jfirst = false;
}

/*
 * The length of the well-formed UTF-8 sequence at @s (RFC 3629: no
 * overlong form, no surrogate, nothing above U+10FFFF), or 0.
 */
static int utf8_len(const unsigned char *s)
{
	unsigned int cp, min;
	int n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * A JSON string.  Text that is not UTF-8 (a task's comm is any bytes, and
 * its 15-byte cut may split a character) keeps the output valid: each byte
 * that starts no well-formed sequence becomes U+FFFD.
 */
static void jstr(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int n;

	putchar('"');
	while (*s) {
		unsigned char c = *s;

		n = utf8_len(s);
		if (!n) {
			fputs("\\ufffd", stdout);
			n = 1;
		} else if (c == '"' || c == '\\') {
			printf("\\%c", c);
		} else if (c < 0x20) {
			printf("\\u%04x", c);
		} else {
			fwrite(s, 1, n, stdout);
		}
		s += n;
	}
	putchar('"');
}

static void jkey(const char *k)
{
	jsep();
	jstr(k);
	putchar(':');
	if (pretty)
		putchar(' ');
}

static void jopen(const char *key, char c)
{
	if (key)
		jkey(key);
	else
		jsep();
	putchar(c);
	jdepth++;
	jfirst = true;
}

static void jclose(char c)
{
	bool empty = jfirst;

	jdepth--;
	if (pretty && !empty)
		printf("\n%*s", 2 * jdepth, "");
	putchar(c);
	jfirst = false;
	if (!jdepth) {
		putchar('\n');
		jfirst = true;
	}
}

static void ju64(const char *k, uint64_t v)
{
	jkey(k);
	printf("%" PRIu64, v);
}

/* A number as an array element. */
static void jnum(uint64_t v)
{
	jsep();
	printf("%" PRIu64, v);
}

static void jstring(const char *k, const char *v)
{
	jkey(k);
	jstr(v);
}

static void jbool(const char *k, bool v)
{
	jkey(k);
	fputs(v ? "true" : "false", stdout);
}

/* ---- text output: "key value" pairs ---- */

static bool tline_empty = true;	/* nothing printed on this line yet */

/* Print " key value" (no leading blank at the start of a line). */
static void tkv(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("%s%s", tline_empty ? "" : " ", key);
	tline_empty = false;
	if (!fmt)
		return;
	putchar(' ');
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

static void tnewline(const char *indent)
{
	putchar('\n');
	fputs(indent, stdout);
	tline_empty = true;
}

/* @v bytes, with -h as "4M" (exact) or "1.5G". */
static const char *bytes_str(uint64_t v, char buf[32])
{
	static const char suffix[] = "KMGT";
	int i;

	if (!human || v < 1024) {
		snprintf(buf, 32, "%" PRIu64, v);
		return buf;
	}
	for (i = 3; i >= 0; i--) {
		uint64_t unit = 1ULL << (10 * (i + 1));

		if (v < unit)
			continue;
		if (v % unit == 0)
			snprintf(buf, 32, "%" PRIu64 "%c", v / unit, suffix[i]);
		else
			snprintf(buf, 32, "%.1f%c", (double)v / unit, suffix[i]);
		break;
	}
	return buf;
}

/* ---- the fields: one name per kernel attribute ---- */

enum kind {
	K_U32, K_U64,
	K_BYTES,	/* u64 bytes: -h shows a suffix */
	K_MODE,		/* u32, shown in octal as "0640" */
	K_FLAGS,	/* MSHARE_DOMAIN_F_*: "prefault", "huge" */
	K_POLICY,	/* + DOMAIN_NUMA_NODES */
	K_NODES,	/* STATS_NODES: one entry per node */
	K_PRESENT,	/* a flag attribute: "deleted" */
	K_TIME,		/* u64 seconds since 1970: text shows the date */
	K_LIMIT_KIND,	/* enum mshare_limit_kind */
};

struct field {
	int attr;
	const char *key;
	enum kind kind;
	int line;	/* multi-line text: fields of one line share it */
};

/*
 * In the order they are printed.  DOMAIN_NAME heads every object; PAD is
 * padding; DOMAIN_NUMA_NODES goes with the policy; DISCARD_* and
 * MIGRATE_OFFSET/LENGTH are only sent by msharectl.  The kernel's
 * DOMAIN_ATTACHED (descriptors attached) is "attached" everywhere,
 * STATS_MAPPINGS (VMAs) "mappings".
 */
static const struct field fields[] = {
	{ MSHARE_A_LIMIT_KIND,		"kind",		K_LIMIT_KIND, 0 },
	{ MSHARE_A_LIMIT_ID,		"limit_id",	K_U32,   0 },
	{ MSHARE_A_LIMIT_BYTES,		"bytes",	K_BYTES, 0 },
	{ MSHARE_A_LIMIT_DOMAINS,	"domains",	K_U32,   0 },
	{ MSHARE_A_LIMIT_USED_BYTES,	"used_bytes",	K_BYTES, 0 },
	{ MSHARE_A_LIMIT_USED_DOMAINS,	"used_domains",	K_U32,   0 },
	{ MSHARE_A_DOMAIN_ID,		"id",		K_U32,   0 },
	{ MSHARE_A_DOMAIN_DELETED,	"deleted",	K_PRESENT, 0 },
	{ MSHARE_A_DOMAIN_SIZE,		"size",		K_BYTES, 0 },
	{ MSHARE_A_DOMAIN_MODE,		"mode",		K_MODE,  0 },
	{ MSHARE_A_DOMAIN_UID,		"owner",	K_U32,   0 },
	{ MSHARE_A_DOMAIN_GID,		"group",	K_U32,   0 },
	{ MSHARE_A_DOMAIN_FLAGS,	"prefault",	K_FLAGS, 0 },
	{ MSHARE_A_DOMAIN_CREATOR_PID,	"creator_pid",	K_U32,   7 },
	{ MSHARE_A_DOMAIN_CTIME,	"ctime",	K_TIME,  7 },
	{ MSHARE_A_DOMAIN_ATTACHED,	"attached",	K_U32,   1 },
	{ MSHARE_A_STATS_MAPPINGS,	"mappings",	K_U32,   1 },
	{ MSHARE_A_STATS_PROCESSES,	"processes",	K_U32,   1 },
	{ MSHARE_A_DOMAIN_RESIDENT,	"resident_pages", K_U64, 1 },
	{ MSHARE_A_DOMAIN_TABLE_PAGES,	"table_pages",	K_U32,   1 },
	{ MSHARE_A_DOMAIN_LINKS_PUD,	"links_pud",	K_U32,   1 },
	{ MSHARE_A_DOMAIN_LINKS_PMD,	"links_pmd",	K_U32,   1 },
	{ MSHARE_A_DOMAIN_NUMA_POLICY,	"policy",	K_POLICY, 2 },
	{ MSHARE_A_DOMAIN_NUMA_NODE,	"home_node",	K_U32,   2 },
	{ MSHARE_A_STATS_FAULTS,	"faults",	K_U64,   3 },
	{ MSHARE_A_STATS_SHOOTDOWNS,	"shootdowns",	K_U64,   3 },
	{ MSHARE_A_STATS_SHOOTDOWN_CPUS, "shootdown_cpus", K_U64, 3 },
	{ MSHARE_A_STATS_PAGES_FLUSHED,	"pages_flushed", K_U64,  3 },
	{ MSHARE_A_STATS_FLUSHES_RANGED, "flushes_ranged", K_U64, 3 },
	{ MSHARE_A_STATS_FLUSHES_FULL,	"flushes_full",	K_U64,   3 },
	{ MSHARE_A_STATS_MIGRATIONS,	"migrations",	K_U64,   4 },
	{ MSHARE_A_STATS_PAGES_MIGRATED, "pages_migrated", K_U64, 4 },
	{ MSHARE_A_STATS_MIGRATE_SKIPPED, "migrate_skipped", K_U64, 4 },
	{ MSHARE_A_STATS_MIGRATE_NS,	"migrate_ns",	K_U64,   4 },
	{ MSHARE_A_STATS_NODES,		"nodes",	K_NODES, 5 },
	{ MSHARE_A_MIGRATE_NODE,	"node",		K_U32,   6 },
	{ MSHARE_A_MIGRATE_PAGES_TOTAL,	"pages_total",	K_U64,   6 },
	{ MSHARE_A_MIGRATE_PAGES_DONE,	"pages_done",	K_U64,   6 },
	{ MSHARE_A_MIGRATE_PAGES_SKIPPED, "pages_skipped", K_U64, 6 },
	{ MSHARE_A_MIGRATE_ERROR,	"error",	K_U32,   6 },
	{ MSHARE_A_EVENT_PID,		"pid",		K_U32,   6 },
	{ MSHARE_A_INFO_ABI_VERSION,	"abi_version",	K_U32,   0 },
	{ MSHARE_A_INFO_DOMAINS,	"domains",	K_U32,   0 },
	{ MSHARE_A_INFO_DATA_PAGES,	"data_pages",	K_U64,   0 },
	{ MSHARE_A_INFO_TABLE_PAGES,	"table_pages",	K_U64,   0 },
	{ MSHARE_A_INFO_ORPHAN_PAGES,	"orphan_pages",	K_U64,   0 },
	{ MSHARE_A_INFO_MAX_SIZE,	"max_size",	K_BYTES, 0 },
};

#define N_FIELDS	(sizeof(fields) / sizeof(fields[0]))

/* The value of @a as a number, whatever its width (0 if too short). */
static uint64_t attr_num(const struct nlattr *a)
{
	if (nla_len(a) >= 8)
		return nla_get_u64((struct nlattr *)a);
	if (nla_len(a) >= 4)
		return nla_get_u32((struct nlattr *)a);
	return 0;
}

/* Attributes handled elsewhere than fields[]. */
static bool attr_known(int attr)
{
	unsigned int i;

	if (attr == MSHARE_A_DOMAIN_NAME || attr == MSHARE_A_PAD ||
	    attr == MSHARE_A_DOMAIN_NUMA_NODES)
		return true;
	for (i = 0; i < N_FIELDS; i++)
		if (fields[i].attr == attr)
			return true;
	return false;
}

static void print_policy(struct nlattr **tb)
{
	struct nlattr *a = tb[MSHARE_A_DOMAIN_NUMA_NODES];
	uint32_t policy = attr_num(tb[MSHARE_A_DOMAIN_NUMA_POLICY]);
	const char *name = mshare_numa_policy_name(policy);
	unsigned int i, n = a ? nla_len(a) / sizeof(uint32_t) : 0;
	uint32_t node;
	char num[16];

	if (!name) {	/* one this msharectl does not know: its number */
		snprintf(num, sizeof(num), "%u", policy);
		name = num;
	}
	if (json) {
		jstring("policy", name);
		jopen("policy_nodes", '[');
		for (i = 0; i < n; i++) {
			memcpy(&node, (char *)nla_data(a) + i * sizeof(node),
			       sizeof(node));
			jnum(node);
		}
		jclose(']');
		return;
	}
	tkv("policy", "%s", name);
	for (i = 0; i < n; i++) {
		memcpy(&node, (char *)nla_data(a) + i * sizeof(node),
		       sizeof(node));
		printf("%c%u", i ? ',' : ' ', node);
	}
}

static void print_nodes(struct nlattr *nodes, bool multi)
{
	struct nlattr *n, *nt[MSHARE_A_NODE_MAX + 1];
	int rem;

	if (json)
		jopen("nodes", '[');
	nla_for_each_nested(n, nodes, rem) {
		if (nla_parse_nested(nt, MSHARE_A_NODE_MAX, n, NULL))
			continue;
		if (json) {
			jopen(NULL, '{');
			if (nt[MSHARE_A_NODE_ID])
				ju64("node", attr_num(nt[MSHARE_A_NODE_ID]));
			if (nt[MSHARE_A_NODE_PAGES])
				ju64("pages", attr_num(nt[MSHARE_A_NODE_PAGES]));
			if (nt[MSHARE_A_NODE_TABLE_PAGES])
				ju64("table_pages",
				     attr_num(nt[MSHARE_A_NODE_TABLE_PAGES]));
			jclose('}');
			continue;
		}
		if (multi && !tline_empty)
			tnewline("    ");
		if (nt[MSHARE_A_NODE_ID])
			tkv("node", "%" PRIu64, attr_num(nt[MSHARE_A_NODE_ID]));
		if (nt[MSHARE_A_NODE_PAGES])
			tkv("pages", "%" PRIu64,
			    attr_num(nt[MSHARE_A_NODE_PAGES]));
		if (nt[MSHARE_A_NODE_TABLE_PAGES])
			tkv("table_pages", "%" PRIu64,
			    attr_num(nt[MSHARE_A_NODE_TABLE_PAGES]));
	}
	if (json)
		jclose(']');
}

static void print_field(const struct field *f, struct nlattr **tb, bool multi)
{
	struct nlattr *a = tb[f->attr];
	uint64_t v = attr_num(a);
	char buf[32];

	switch (f->kind) {
	case K_U32:
	case K_U64:
		if (json)
			ju64(f->key, v);
		else
			tkv(f->key, "%" PRIu64, v);
		return;
	case K_BYTES:
		if (json)
			ju64(f->key, v);
		else
			tkv(f->key, "%s", bytes_str(v, buf));
		return;
	case K_MODE:
		snprintf(buf, sizeof(buf), "0%03" PRIo64, v);
		if (json)
			jstring(f->key, buf);
		else
			tkv(f->key, "%s", buf);
		return;
	case K_FLAGS:
		/* the flags' keywords in "domain add"; other bits raw */
		if (json) {
			jbool("prefault", v & MSHARE_DOMAIN_F_PREFAULT);
			jbool("huge", v & MSHARE_DOMAIN_F_HUGE);
		} else {
			if (v & MSHARE_DOMAIN_F_PREFAULT)
				tkv("prefault", NULL);
			if (v & MSHARE_DOMAIN_F_HUGE)
				tkv("huge", NULL);
		}
		if (v & ~(uint64_t)MSHARE_DOMAIN_F_ALL) {
			if (json)
				ju64("flags", v);
			else
				tkv("flags", "0x%" PRIx64, v);
		}
		return;
	case K_POLICY:
		print_policy(tb);
		return;
	case K_NODES:
		print_nodes(a, multi);
		return;
	case K_PRESENT:
		if (json)
			jbool(f->key, true);
		else
			tkv(f->key, NULL);
		return;
	case K_TIME: {
		time_t t = v;
		struct tm tm;

		if (json) {
			ju64(f->key, v);
		} else if (localtime_r(&t, &tm) &&
			   strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &tm)) {
			tkv(f->key, "%s", buf);
		} else {
			tkv(f->key, "%" PRIu64, v);
		}
		return;
	}
	case K_LIMIT_KIND: {
		static const char *const kinds[] = {
			[MSHARE_LIMIT_USER] = "user",
			[MSHARE_LIMIT_GROUP] = "group",
			[MSHARE_LIMIT_NAMESPACE] = "namespace",
		};
		const char *k = v < sizeof(kinds) / sizeof(kinds[0]) ?
				kinds[v] : NULL;

		if (!k) {
			snprintf(buf, sizeof(buf), "%" PRIu64, v);
			k = buf;
		}
		if (json)
			jstring(f->key, k);
		else
			tkv(f->key, "%s", k);
		return;
	}
	}
}

/* An attribute this msharectl does not know: "attr_N" and its value. */
static void print_unknown(int attr, struct nlattr *a)
{
	char key[16];
	int i;

	snprintf(key, sizeof(key), "attr_%d", attr);
	if (nla_len(a) == 4 || nla_len(a) == 8) {
		if (json)
			ju64(key, attr_num(a));
		else
			tkv(key, "%" PRIu64, attr_num(a));
		return;
	}
	if (json) {
		jkey(key);
		putchar('"');
	} else {
		tkv(key, "%s", "0x");
	}
	for (i = 0; i < nla_len(a); i++)
		printf("%02x", ((unsigned char *)nla_data(a))[i]);
	if (json)
		putchar('"');
}

/* "domain show": the holders of the domain being printed (fetched first). */
static struct mshare_holder_info *holders;
static unsigned int nr_holders;
static bool holders_pending;

static void print_holders(void)
{
	char buf[32];
	unsigned int i;

	holders_pending = false;
	if (json)
		jopen("holders", '[');
	for (i = 0; i < nr_holders; i++) {
		const struct mshare_holder_info *h = &holders[i];

		if (json) {
			jopen(NULL, '{');
			ju64("pid", h->pid);
			jstring("comm", h->comm);
			ju64("mappings", h->mappings);
			ju64("linked", h->linked);
			jclose('}');
			continue;
		}
		if (!tline_empty)
			tnewline("    ");
		tkv("holder", "%u", h->pid);
		tkv("comm", "%s", h->comm);
		tkv("mappings", "%u", h->mappings);
		tkv("linked", "%s", bytes_str(h->linked, buf));
	}
	if (json)
		jclose(']');
}

enum layout {
	ONE_LINE,	/* "NAME: k v k v ..." (migrate's reply, info) */
	MULTI_LINE,	/* show and stats: a line per group of fields */
	EVENT,		/* monitor: "EVENT NAME k v ..." */
};

/*
 * Print the object whose attributes are @tb: text "key value" pairs or a
 * JSON object, every attribute present.  @event and @stamp (monitor) come
 * first.
 */
static void print_attrs(struct nlattr **tb, enum layout lay,
			const char *event, const char *stamp)
{
	const char *name = tb[MSHARE_A_DOMAIN_NAME] ?
			   nla_get_string(tb[MSHARE_A_DOMAIN_NAME]) : NULL;
	bool multi = lay == MULTI_LINE;
	int line = 0;
	unsigned int i;
	int a;

	if (json) {
		jopen(NULL, '{');
		if (event)
			jstring("event", event);
		if (stamp)
			jstring("timestamp", stamp);
		if (name)
			jstring("name", name);
	} else {
		tline_empty = true;
		if (stamp)
			printf("[%s] ", stamp);
		if (event)
			tkv(event, NULL);
		if (name && lay == EVENT) {
			tkv(name, NULL);
		} else if (name) {
			printf("%s:", name);
			tline_empty = false;
		}
	}
	for (i = 0; i < N_FIELDS; i++) {
		if (!tb[fields[i].attr])
			continue;
		if (!json && multi && fields[i].line != line) {
			if (!tline_empty)
				tnewline("    ");
			line = fields[i].line;
		}
		print_field(&fields[i], tb, multi);
	}
	for (a = 1; a <= MSHARE_A_MAX; a++)
		if (tb[a] && !attr_known(a))
			print_unknown(a, tb[a]);
	if (holders_pending)
		print_holders();
	if (json)
		jclose('}');
	else
		putchar('\n');
}

/* ---- requests ---- */

struct print_arg {
	enum layout lay;
	int printed;
};

static int print_reply(struct nlattr **tb, void *arg)
{
	struct print_arg *p = arg;

	print_attrs(tb, p->lay, NULL, NULL);
	p->printed++;
	return 0;
}

/*
 * Run @cmd for domain @name (NULL: a dump of every domain, printed as one
 * JSON array) and print each reply with layout @lay.  0 or -errno.
 */
static int request_print(struct mshare_nl *nl, int cmd, const char *name,
			 enum layout lay)
{
	struct nl_msg *msg = mshare_nl_msg(nl, cmd, name ? 0 : NLM_F_DUMP);
	struct print_arg p = { .lay = lay };
	int ret;

	if (!msg)
		return -ENOMEM;
	if (name && mshare_nl_put_key(msg, name)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	if (json && !name)
		jopen(NULL, '[');
	ret = mshare_nl_run(nl, msg, print_reply, &p);
	if (json && !name)
		jclose(']');
	fflush(stdout);
	return ret < 0 ? ret : 0;
}

/* ---- commands ---- */

/*
 * A NAME argument: a domain's name, or "#ID" (typed so, or made from
 * "id ID" by dispatch()); a domain name never holds '#'.
 */
static int check_name(const char *cmd, const char *name)
{
	uint32_t id;

	if (name[0] == '#') {
		if (!parse_u32(name + 1, 10, UINT32_MAX, &id))
			return usage_error("%s: bad domain id \"%s\"", cmd,
					   name);
		return 0;
	}
	if (strlen(name) >= MSHARE_NAME_MAX)
		return usage_error("%s: domain name longer than %d characters",
				   cmd, MSHARE_NAME_MAX - 1);
	return 0;
}

enum {
	KW_SIZE = 1 << 0, KW_MODE = 1 << 1, KW_OWNER = 1 << 2,
	KW_GROUP = 1 << 3, KW_PREFAULT = 1 << 4, KW_POLICY = 1 << 5,
	KW_NODE = 1 << 6, KW_OFFSET = 1 << 7, KW_LEN = 1 << 8,
	KW_HUGE = 1 << 9,
};

/*
 * The keywords "domain add" and "domain set" share (mode, owner, group,
 * policy) at argv[*i], checked against @allowed: 1 if consumed, 0 if not
 * one of them, 2 after a usage error.
 */
static int parse_opt(const char *cmd, int argc, char **argv, int *i,
		     unsigned int allowed, unsigned int *seen,
		     struct mshare_domain_opts *opts)
{
	const char *kw = argv[*i];
	uint32_t v;

	if ((allowed & KW_POLICY) && !strcmp(kw, "policy")) {
		if (once(cmd, kw, seen, KW_POLICY))
			return 2;
		++*i;
		return parse_policy(cmd, argc, argv, i, &opts->numa) ? 2 : 1;
	}
	if (strcmp(kw, "mode") && strcmp(kw, "owner") && strcmp(kw, "group"))
		return 0;
	if (once(cmd, kw, seen, kw[0] == 'm' ? KW_MODE :
				 kw[0] == 'o' ? KW_OWNER : KW_GROUP))
		return 2;
	if (++*i >= argc)
		return usage_error("%s: %s needs a value", cmd, kw);
	if (!strcmp(kw, "mode")) {
		if (!parse_u32(argv[*i], 8, 0777, &v))
			return usage_error("%s: bad mode \"%s\"", cmd, argv[*i]);
		opts->mode = v;
	} else if (!strcmp(kw, "owner")) {
		if (!parse_user(argv[*i], &v))
			return usage_error("%s: unknown user \"%s\"", cmd,
					   argv[*i]);
		opts->uid = v;
	} else {
		if (!parse_group(argv[*i], &v))
			return usage_error("%s: unknown group \"%s\"", cmd,
					   argv[*i]);
		opts->gid = v;
	}
	return 1;
}

static int cmd_domain_add(struct mshare_nl *nl, int argc, char **argv)
{
	static const char cmd[] = "domain add";
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;
	unsigned int seen = 0;
	uint64_t size = 0;
	const char *name;
	int i, err;

	if (argc < 1)
		return usage_error("%s: missing NAME", cmd);
	name = argv[0];
	if (name[0] == '#')
		return usage_error("%s: a new domain needs a name, not an id",
				   cmd);
	if (check_name(cmd, name))
		return 2;
	for (i = 1; i < argc; i++) {
		const char *kw = argv[i];

		if (!strcmp(kw, "prefault")) {
			if (once(cmd, kw, &seen, KW_PREFAULT))
				return 2;
			opts.flags |= MSHARE_DOMAIN_F_PREFAULT;
			continue;
		}
		if (!strcmp(kw, "huge")) {
			if (once(cmd, kw, &seen, KW_HUGE))
				return 2;
			opts.flags |= MSHARE_DOMAIN_F_HUGE;
			continue;
		}
		if (!strcmp(kw, "size")) {
			if (once(cmd, kw, &seen, KW_SIZE))
				return 2;
			if (++i >= argc)
				return usage_error("%s: size needs a value", cmd);
			if (!parse_size(argv[i], &size))
				return usage_error("%s: bad size \"%s\"", cmd,
						   argv[i]);
			continue;
		}
		err = parse_opt(cmd, argc, argv, &i, KW_POLICY, &seen, &opts);
		if (err == 2)
			return 2;
		if (!err)
			return usage_error("%s: unknown keyword \"%s\"", cmd, kw);
	}
	if (!(seen & KW_SIZE))
		return usage_error("%s: missing size", cmd);
	if (connect_nl(&nl))
		return 1;
	err = mshare_domain_create(nl, name, size, &opts, NULL);
	if (err)
		return kernel_error(nl, cmd, err);
	return 0;
}

static int cmd_domain_del(struct mshare_nl *nl, int argc, char **argv)
{
	int err;

	if (argc != 1)
		return usage_error("domain del: expected NAME");
	if (check_name("domain del", argv[0]))
		return 2;
	if (connect_nl(&nl))
		return 1;
	err = mshare_domain_destroy(nl, argv[0]);
	if (err)
		return kernel_error(nl, "domain del", err);
	return 0;
}

/* "domain show" and "domain stats": one domain or all of them. */
static int show_or_stats(struct mshare_nl *nl, const char *cmd, int nlcmd,
			 int argc, char **argv)
{
	int err;

	if (argc > 1)
		return usage_error("%s: too many arguments", cmd);
	if (argc == 1 && check_name(cmd, argv[0]))
		return 2;
	if (connect_nl(&nl))
		return 1;
	err = request_print(nl, nlcmd, argc ? argv[0] : NULL, MULTI_LINE);
	if (err)
		return kernel_error(nl, cmd, err);
	return 0;
}

static void collect_holder(const struct mshare_holder_info *h, void *arg)
{
	unsigned int *room = arg;

	if (nr_holders == *room) {
		struct mshare_holder_info *n;

		*room = *room ? 2 * *room : 16;
		n = realloc(holders, *room * sizeof(*n));
		if (!n)
			return;
		holders = n;
	}
	holders[nr_holders++] = *h;
}

/* One domain of "domain show", with its holders (@key: name or "#ID"). */
static int show_one(struct mshare_nl *nl, const char *key)
{
	unsigned int room = 0;
	int err;

	nr_holders = 0;
	err = mshare_domain_holders(nl, key, collect_holder, &room);
	if (err < 0)
		return err;
	holders_pending = true;
	err = request_print(nl, MSHARE_CMD_DOMAIN_GET, key, MULTI_LINE);
	holders_pending = false;
	return err;
}

static void collect_id(const struct mshare_domain_info *d, void *arg)
{
	struct { uint32_t *ids; unsigned int n, room; } *c = arg;

	if (c->n == c->room) {
		uint32_t *n;

		c->room = c->room ? 2 * c->room : 16;
		n = realloc(c->ids, c->room * sizeof(*n));
		if (!n)
			return;
		c->ids = n;
	}
	c->ids[c->n++] = d->id;
}

/*
 * Every domain of the namespace (those whose name was deleted while
 * attachers hold them too, "deleted"), each with the processes that map
 * it.  Ids first, then one request per domain: a domain that goes
 * meanwhile is left out.
 */
static int cmd_domain_show(struct mshare_nl *nl, int argc, char **argv)
{
	struct { uint32_t *ids; unsigned int n, room; } c = { 0 };
	char key[16];
	unsigned int i;
	int err;

	if (argc > 1)
		return usage_error("domain show: too many arguments");
	if (argc == 1 && check_name("domain show", argv[0]))
		return 2;
	if (connect_nl(&nl))
		return 1;
	if (argc == 1) {
		err = show_one(nl, argv[0]);
		fflush(stdout);
		return err ? kernel_error(nl, "domain show", err) : 0;
	}
	err = mshare_domain_dump(nl, collect_id, &c);
	if (err < 0)
		return kernel_error(nl, "domain show", err);
	if (json)
		jopen(NULL, '[');
	for (i = 0; i < c.n; i++) {
		err = show_one(nl, mshare_id_key(c.ids[i], key));
		if (err == -ENOENT)
			continue;	/* gone meanwhile */
		if (err)
			break;
	}
	if (json)
		jclose(']');
	fflush(stdout);
	free(c.ids);
	return err && err != -ENOENT ? kernel_error(nl, "domain show", err) : 0;
}

static int cmd_domain_stats(struct mshare_nl *nl, int argc, char **argv)
{
	return show_or_stats(nl, "domain stats", MSHARE_CMD_DOMAIN_STATS, argc,
			     argv);
}

static int cmd_domain_set(struct mshare_nl *nl, int argc, char **argv)
{
	static const char cmd[] = "domain set";
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;
	unsigned int seen = 0;
	int i, err;

	if (argc < 1)
		return usage_error("%s: missing NAME", cmd);
	if (check_name(cmd, argv[0]))
		return 2;
	if (argc < 3)
		return usage_error("%s: nothing to change", cmd);
	for (i = 1; i < argc; i++) {
		err = parse_opt(cmd, argc, argv, &i, KW_POLICY, &seen, &opts);
		if (err == 2)
			return 2;
		if (!err)
			return usage_error("%s: unknown keyword \"%s\"", cmd,
					   argv[i]);
	}
	if (connect_nl(&nl))
		return 1;
	err = mshare_domain_set(nl, argv[0], &opts, NULL);
	if (err)
		return kernel_error(nl, cmd, err);
	return 0;
}

static int cmd_domain_discard(struct mshare_nl *nl, int argc, char **argv)
{
	uint64_t off, len;
	int err;

	if (argc != 3)
		return usage_error("domain discard: expected NAME OFFSET LENGTH");
	if (check_name("domain discard", argv[0]))
		return 2;
	if (!parse_size(argv[1], &off))
		return usage_error("domain discard: bad offset \"%s\"", argv[1]);
	if (!parse_size(argv[2], &len))
		return usage_error("domain discard: bad length \"%s\"", argv[2]);
	if (connect_nl(&nl))
		return 1;
	err = mshare_domain_discard(nl, argv[0], off, len);
	if (err)
		return kernel_error(nl, "domain discard", err);
	return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* SIGINT and SIGTERM set @stop (@catch) or kill again (!@catch). */
static void catch_signals(bool catch)
{
	struct sigaction sa = { .sa_handler = catch ? on_signal : SIG_DFL };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/*
 * DOMAIN_MIGRATE, built here rather than with mshare_domain_migrate(),
 * which takes length 0 for "the whole domain": an explicit "len 0" must
 * reach the kernel (and be refused) as any other bad range does.  The
 * reply is printed as it comes (it comes only on success).
 */
static int migrate(struct mshare_nl *nl, const char *name, uint32_t node,
		   const uint64_t *range)
{
	struct nl_msg *msg = mshare_nl_msg(nl, MSHARE_CMD_DOMAIN_MIGRATE, 0);
	struct print_arg p = { .lay = ONE_LINE };
	int ret;

	if (!msg)
		return -ENOMEM;
	if (mshare_nl_put_key(msg, name) ||
	    nla_put_u32(msg, MSHARE_A_MIGRATE_NODE, node) ||
	    (range && (nla_put_u64(msg, MSHARE_A_MIGRATE_OFFSET, range[0]) ||
		       nla_put_u64(msg, MSHARE_A_MIGRATE_LENGTH, range[1])))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	ret = mshare_nl_run(nl, msg, print_reply, &p);
	fflush(stdout);
	if (ret == 0)
		return -EIO;	/* no reply although no error */
	return ret < 0 ? ret : 0;
}

static int cmd_domain_migrate(struct mshare_nl *nl, int argc, char **argv)
{
	static const char cmd[] = "domain migrate";
	uint64_t range[2] = { 0, 0 };
	unsigned int seen = 0;
	uint32_t node = 0;
	const char *name;
	int i, err;

	if (argc < 1)
		return usage_error("%s: missing NAME", cmd);
	name = argv[0];
	if (check_name(cmd, name))
		return 2;
	for (i = 1; i < argc; i++) {
		const char *kw = argv[i];
		unsigned int bit;

		if (!strcmp(kw, "node"))
			bit = KW_NODE;
		else if (!strcmp(kw, "offset"))
			bit = KW_OFFSET;
		else if (!strcmp(kw, "len"))
			bit = KW_LEN;
		else
			return usage_error("%s: unknown keyword \"%s\"", cmd, kw);
		if (once(cmd, kw, &seen, bit))
			return 2;
		if (++i >= argc)
			return usage_error("%s: %s needs a value", cmd, kw);
		if (bit == KW_NODE) {
			if (!parse_node(argv[i], &node))
				return usage_error("%s: bad node \"%s\"", cmd,
						   argv[i]);
		} else if (!parse_size(argv[i], &range[bit == KW_LEN])) {
			return usage_error("%s: bad %s \"%s\"", cmd,
					   bit == KW_LEN ? "length" : "offset",
					   argv[i]);
		}
	}
	if (!(seen & KW_NODE))
		return usage_error("%s: missing node", cmd);
	if (!(seen & KW_OFFSET) != !(seen & KW_LEN))
		return usage_error("%s: offset and len go together", cmd);
	if (connect_nl(&nl))
		return 1;
	/*
	 * No SA_RESTART needed: the kernel runs the migration inside
	 * sendmsg() and answers EINTR when a signal is pending; the handler
	 * only keeps SIGINT and SIGTERM from killing msharectl first.
	 */
	catch_signals(true);
	err = migrate(nl, name, node, (seen & KW_OFFSET) ? range : NULL);
	catch_signals(false);
	if (err == -EINTR)
		return fail("%s: interrupted (EINTR)%s%s; every page stays valid, on the old node or node %u",
			     cmd, mshare_nl_extack(nl)[0] ? ": " : "", mshare_nl_extack(nl), node);
	if (err)
		return kernel_error(nl, cmd, err);
	return 0;
}

/* ---- limits: creation grants of the IPC namespace ---- */

/* "user USER", "group GROUP" or "namespace" at argv[*i]: 0 or 2. */
static int parse_limit_target(const char *cmd, int argc, char **argv, int *i,
			      uint32_t *kind, uint32_t *id)
{
	const char *kw = argv[*i];

	*id = 0;
	if (!strcmp(kw, "namespace")) {
		*kind = MSHARE_LIMIT_NAMESPACE;
		return 0;
	}
	if (strcmp(kw, "user") && strcmp(kw, "group"))
		return usage_error("%s: expected user, group or namespace, not \"%s\"",
				   cmd, kw);
	if (++*i >= argc)
		return usage_error("%s: %s needs a value", cmd, kw);
	if (kw[0] == 'u') {
		*kind = MSHARE_LIMIT_USER;
		if (!parse_user(argv[*i], id))
			return usage_error("%s: unknown user \"%s\"", cmd,
					   argv[*i]);
	} else {
		*kind = MSHARE_LIMIT_GROUP;
		if (!parse_group(argv[*i], id))
			return usage_error("%s: unknown group \"%s\"", cmd,
					   argv[*i]);
	}
	return 0;
}

static int cmd_limit_set(struct mshare_nl *nl, int argc, char **argv)
{
	static const char cmd[] = "limit set";
	unsigned int seen = 0;
	uint64_t bytes = 0;
	uint32_t kind, id, domains = 0;
	int i = 0, err;

	if (argc < 1)
		return usage_error("%s: missing user, group or namespace", cmd);
	if (parse_limit_target(cmd, argc, argv, &i, &kind, &id))
		return 2;
	for (i++; i < argc; i++) {
		const char *kw = argv[i];

		if (strcmp(kw, "bytes") && strcmp(kw, "domains"))
			return usage_error("%s: unknown keyword \"%s\"", cmd, kw);
		if (once(cmd, kw, &seen, kw[0] == 'b' ? KW_SIZE : KW_NODE))
			return 2;
		if (++i >= argc)
			return usage_error("%s: %s needs a value", cmd, kw);
		if (kw[0] == 'b' ? !parse_size(argv[i], &bytes) :
				   !parse_u32(argv[i], 10, UINT32_MAX, &domains))
			return usage_error("%s: bad %s \"%s\"", cmd, kw, argv[i]);
	}
	if (seen != (KW_SIZE | KW_NODE))
		return usage_error("%s: give both bytes and domains", cmd);
	if (connect_nl(&nl))
		return 1;
	err = mshare_limit_set(nl, kind, id, bytes, domains);
	return err ? kernel_error(nl, cmd, err) : 0;
}

static int cmd_limit_del(struct mshare_nl *nl, int argc, char **argv)
{
	static const char cmd[] = "limit del";
	uint32_t kind, id;
	int i = 0, err;

	if (argc < 1)
		return usage_error("%s: missing user, group or namespace", cmd);
	if (parse_limit_target(cmd, argc, argv, &i, &kind, &id))
		return 2;
	if (i + 1 != argc)
		return usage_error("%s: too many arguments", cmd);
	if (connect_nl(&nl))
		return 1;
	err = mshare_limit_del(nl, kind, id);
	return err ? kernel_error(nl, cmd, err) : 0;
}

static int cmd_limit_show(struct mshare_nl *nl, int argc, char **argv)
{
	struct print_arg p = { .lay = ONE_LINE };
	int err;

	(void)argv;
	if (argc)
		return usage_error("limit show takes no arguments");
	if (connect_nl(&nl))
		return 1;
	if (json)
		jopen(NULL, '[');
	err = mshare_nl_run(nl, mshare_nl_msg(nl, MSHARE_CMD_LIMIT_GET,
					      NLM_F_DUMP), print_reply, &p);
	if (json)
		jclose(']');
	fflush(stdout);
	return err < 0 ? kernel_error(nl, "limit show", err) : 0;
}

static int cmd_info(struct mshare_nl *nl, int argc, char **argv)
{
	struct nl_msg *msg;
	struct print_arg p = { .lay = ONE_LINE };
	int err;

	(void)argv;
	if (argc)
		return usage_error("info takes no arguments");
	if (connect_nl(&nl))
		return 1;
	msg = mshare_nl_msg(nl, MSHARE_CMD_GET_INFO, 0);
	err = mshare_nl_run(nl, msg, print_reply, &p);
	fflush(stdout);
	if (err < 0)
		return kernel_error(nl, "info", err);
	return 0;
}

/* ---- monitor ---- */

static const char *event_name(int cmd)
{
	switch (cmd) {
	case MSHARE_CMD_DOMAIN_CREATED:		return "created";
	case MSHARE_CMD_DOMAIN_DESTROYED:	return "destroyed";
	case MSHARE_CMD_DOMAIN_ATTACHED:	return "attached";
	case MSHARE_CMD_DOMAIN_DETACHED:	return "detached";
	case MSHARE_CMD_DOMAIN_MIGRATE_PROGRESS: return "migrate-progress";
	case MSHARE_CMD_DOMAIN_MIGRATED:	return "migrated";
	case MSHARE_CMD_DOMAIN_FREED:		return "freed";
	default:				return NULL;
	}
}

/* -t: now, as 2026-03-01T12:34:56.123456+0100. */
static const char *timestamp(char buf[64])
{
	struct timeval tv;
	struct tm tm;
	char zone[8];
	size_t n;

	if (!timestamps)
		return NULL;
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	n = strftime(buf, 64, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(buf + n, 64 - n, ".%06ld%s", (long)tv.tv_usec, zone);
	return buf;
}

/* @lost events were lost (-1: some, how many unknown). */
static void print_overrun(long long lost)
{
	char stamp[64];
	const char *ts = timestamp(stamp);

	if (json) {
		jopen(NULL, '{');
		jstring("event", "overrun");
		if (ts)
			jstring("timestamp", ts);
		if (lost >= 0)
			ju64("lost", lost);
		jclose('}');
	} else {
		if (ts)
			printf("[%s] ", ts);
		if (lost >= 0)
			printf("overrun lost %lld\n", lost);
		else
			printf("overrun\n");
	}
	fflush(stdout);
}

/* One event, or a MSHARE_EVENT_LOST report, as a line. */
static void monitor_cb(const struct mshare_event *e, void *arg)
{
	struct nlattr *tb[MSHARE_A_MAX + 1];
	const char *ev = event_name(e->cmd);
	char stamp[64], unknown[32];

	(void)arg;
	if (e->cmd == MSHARE_EVENT_LOST) {
		print_overrun(e->lost);
		return;
	}
	/* The attributes as they came, so that every one is printed. */
	if (!e->nlh || genlmsg_parse((struct nlmsghdr *)e->nlh, 0, tb,
				     MSHARE_A_MAX, NULL))
		return;
	if (!ev) {	/* an event this msharectl does not know */
		snprintf(unknown, sizeof(unknown), "event-%u", e->cmd);
		ev = unknown;
	}
	print_attrs(tb, EVENT, ev, timestamp(stamp));
	fflush(stdout);
}

static int cmd_monitor(struct mshare_nl *nl, int argc, char **argv)
{
	struct mshare_events *events;
	sigset_t block, waitmask;
	bool saved_pretty;
	int fd, err = 0;

	(void)nl;
	(void)argv;
	if (argc)
		return usage_error("monitor takes no arguments");
	if (connect_nl(&nl))
		return 1;
	/*
	 * libmshare's listener (mshare_events_open(3)): its own socket in
	 * the "events" group, with the buffer asked for, read without
	 * blocking; it reports events the kernel dropped (the socket's
	 * buffer was full) as MSHARE_EVENT_LOST, with how many.
	 */
	events = mshare_events_open(rcvbuf);
	if (!events && errno == ENOENT)	/* the family is there: no group */
		return fail("monitor: no \"%s\" group", MSHARE_MCGRP_EVENTS);
	if (!events)
		return fail("monitor: %s", errno == EPERM ?
			     "joining the events group needs CAP_SYS_ADMIN" :
			     strerror(errno));
	fd = mshare_events_fd(events);
	catch_signals(true);
	saved_pretty = pretty;
	pretty = false;		/* JSON: one object per line, even with -p */
	/* Tell a waiting reader that every later event will be seen. */
	if (json) {
		jopen(NULL, '{');
		jstring("event", "listening");
		jclose('}');
	} else {
		printf("listening\n");
	}
	fflush(stdout);
	/*
	 * SIGINT and SIGTERM are blocked but inside ppoll(), so that one
	 * arriving between the test of @stop and the wait cannot be missed.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int n;

		if (ppoll(&pfd, 1, NULL, &waitmask) < 0) {
			if (errno == EINTR)
				continue;
			err = fail("monitor: poll: %s", strerror(errno));
			break;
		}
		n = mshare_events_read(events, monitor_cb, NULL);
		if (n < 0) {
			err = fail("monitor: %s", strerror(-n));
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &waitmask, NULL);
	catch_signals(false);
	pretty = saved_pretty;
	mshare_events_close(events);
	return err;
}

/* ---- -V ---- */

/* The module's version (sysfs), or "" if it has none; NULL if not loaded. */
static const char *module_version(char buf[64])
{
	struct stat st;
	FILE *f;

	if (stat(SYSFS_MODULE, &st) || !S_ISDIR(st.st_mode))
		return NULL;
	buf[0] = 0;
	f = fopen(SYSFS_MODULE "/version", "re");
	if (f) {
		if (!fgets(buf, 64, f))
			buf[0] = 0;
		buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
	return buf;
}

static int show_version(void)
{
	struct mshare_module_info m = MSHARE_INIT(m);
	struct mshare_nl *nl;
	const char *ver;
	char buf[64];
	int abi = -1;

	ver = module_version(buf);
	if (ver && (nl = mshare_nl_open())) {
		if (!mshare_module_info(nl, &m))
			abi = m.abi_version;
		mshare_nl_close(nl);
	}
	if (json) {
		jopen(NULL, '{');
		jstring("version", MSHARECTL_VERSION);
		ju64("abi_version", MSHARE_GENL_VERSION);
		jopen("module", '{');
		jbool("loaded", ver);
		if (ver && ver[0])
			jstring("version", ver);
		if (abi >= 0)
			ju64("abi_version", abi);
		jclose('}');
		jclose('}');
		return 0;
	}
	printf("msharectl %s (netlink ABI %d)\n", MSHARECTL_VERSION,
	       MSHARE_GENL_VERSION);
	if (!ver)
		printf("mshare module not loaded\n");
	else if (ver[0])
		printf("mshare module %s", ver);
	else
		printf("mshare module loaded, no version");
	if (ver && abi >= 0)
		printf(" (netlink ABI %d)\n", abi);
	else if (ver)
		putchar('\n');
	return 0;
}

/* ---- the command table, help and dispatch ---- */

struct command {
	const char *object;
	const char *verb;	/* NULL: the object is the whole command */
	int (*fn)(struct mshare_nl *nl, int argc, char **argv);
	const char *args;	/* synopsis after the verb; NULL: an alias */
};

static int cmd_help(struct mshare_nl *nl, int argc, char **argv);

#define CMD(o, v, f, a)	{ .object = o, .verb = v, .fn = f, .args = a }

static const struct command commands[] = {
	CMD("domain", "add", cmd_domain_add,
	    "NAME size SIZE [mode MODE] [owner USER] [group GROUP] [prefault] [huge] [policy POLICY]"),
	CMD("domain", "del", cmd_domain_del, "NAME"),
	CMD("domain", "show", cmd_domain_show, "[NAME]"),
	CMD("domain", "list", cmd_domain_show, NULL),
	CMD("domain", "ls", cmd_domain_show, NULL),
	CMD("domain", "set", cmd_domain_set,
	    "NAME { mode MODE | owner USER | group GROUP | policy POLICY } ..."),
	CMD("domain", "stats", cmd_domain_stats, "[NAME]"),
	CMD("domain", "discard", cmd_domain_discard, "NAME OFFSET LENGTH"),
	CMD("domain", "migrate", cmd_domain_migrate,
	    "NAME node N [offset OFFSET len LENGTH]"),
	CMD("limit", "set", cmd_limit_set,
	    "{ user USER | group GROUP | namespace } bytes SIZE domains COUNT"),
	CMD("limit", "del", cmd_limit_del,
	    "{ user USER | group GROUP | namespace }"),
	CMD("limit", "show", cmd_limit_show, ""),
	CMD("limit", "list", cmd_limit_show, NULL),
	CMD("limit", "ls", cmd_limit_show, NULL),
	CMD("monitor", NULL, cmd_monitor, ""),
	CMD("info", NULL, cmd_info, ""),
	CMD("help", NULL, cmd_help, "[OBJECT [COMMAND]]"),
};

#define N_COMMANDS	(sizeof(commands) / sizeof(commands[0]))

/* The command an object runs when given no verb ("msharectl domain"). */
static const char *default_verb(const char *object)
{
	return strcmp(object, "domain") && strcmp(object, "limit") ? NULL :
								    "show";
}

/* The placeholders of the synopses, explained under "where:". */
static const struct {
	const char *words[3];
	const char *text;
} placeholders[] = {
	{ { "SIZE", "OFFSET", "LENGTH" },
	  "SIZE, OFFSET, LENGTH := bytes, decimal or 0x hexadecimal, with an optional\n"
	  "      suffix k, m, g or t in either case (powers of 1024)" },
	{ { "MODE" }, "MODE := octal permission bits, at most 0777" },
	{ { "COUNT" }, "COUNT := a number of domains, decimal" },
	{ { "NAME" }, "NAME := a domain's name, or \"id ID\" or \"#ID\": its id (also once\n"
		      "      its name is deleted while processes still hold it)" },
	{ { "USER", "GROUP" }, "USER, GROUP := a name or a numeric id" },
	{ { "POLICY" },
	  "POLICY := local | bind N | preferred N | interleave N1,N2,... | auto [N]" },
};

static const char options_help[] =
	"options (before OBJECT):\n"
	"  -j, -json          JSON output\n"
	"  -p, -pretty        pretty JSON (implies -j)\n"
	"  -t, -timestamp     monitor: the time each event was read\n"
	"  -h, -human         byte sizes with a suffix (text output)\n"
	"  -b, -batch FILE    run the commands of FILE, one per line (\"-\": stdin)\n"
	"  -force             -batch: go on after a failed command\n"
	"  -rcvbuf SIZE       monitor: socket receive buffer (default 4M)\n"
	"  -V, -Version       print the versions of msharectl and the module\n"
	"  --help             this help\n";

static bool synopsis_uses(const char *args, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = args; (p = strstr(p, word)); p += n)
		if ((p == args || p[-1] == ' ' || p[-1] == '[') &&
		    (p[n] == 0 || p[n] == ' ' || p[n] == ']'))
			return true;
	return false;
}

static void print_synopsis(const struct command *c)
{
	printf("  msharectl %s%s%s%s%s\n", c->object, c->verb ? " " : "",
	       c->verb ? c->verb : "", c->args[0] ? " " : "", c->args);
}

/*
 * Help for @object (NULL: everything) and @verb (NULL: the whole object),
 * on stdout: the synopses, the placeholders they use, and (for everything)
 * the options.  An alias's help is its command's.
 */
static void help(const char *object, const char *verb)
{
	const struct command *shown[N_COMMANDS];
	unsigned int i, j, k, n = 0;
	bool where = false;

	for (i = 0; i < N_COMMANDS; i++) {
		const struct command *c = &commands[i];

		if (object && strcmp(c->object, object))
			continue;
		if (verb && c->verb && strcmp(c->verb, verb))
			continue;
		if (!c->args) {		/* an alias: its command's synopsis */
			for (j = 0; j < N_COMMANDS; j++)
				if (commands[j].fn == c->fn && commands[j].args)
					c = &commands[j];
			if (!verb)
				continue;
		}
		shown[n++] = c;
	}
	if (!object)
		printf("usage: msharectl [OPTIONS] OBJECT [COMMAND [ARGS]]\n"
		       "       msharectl [OPTIONS] -batch FILE\n"
		       "       msharectl -V\n");
	printf("commands:\n");
	for (i = 0; i < n; i++)
		print_synopsis(shown[i]);
	if (!verb && (!object || !strcmp(object, "domain")))
		printf("  (\"domain list\", \"domain ls\" and \"domain\" alone are \"domain show\";\n"
		       "   every OBJECT and OBJECT COMMAND also takes \"help\")\n");
	if (!verb && (!object || !strcmp(object, "limit")))
		printf("  (\"limit list\", \"limit ls\" and \"limit\" alone are \"limit show\")\n");
	for (k = 0; k < sizeof(placeholders) / sizeof(placeholders[0]); k++) {
		bool used = false;

		for (i = 0; i < n && !used; i++)
			for (j = 0; j < 3 && placeholders[k].words[j]; j++)
				if (synopsis_uses(shown[i]->args,
						  placeholders[k].words[j]))
					used = true;
		if (!used)
			continue;
		if (!where)
			printf("where:\n");
		where = true;
		printf("  %s\n", placeholders[k].text);
	}
	if (!object)
		fputs(options_help, stdout);
	else
		printf("options: see \"msharectl help\"\n");
	fflush(stdout);
}

static bool is_object(const char *s)
{
	unsigned int i;

	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].object, s))
			return true;
	return false;
}

static const struct command *find_command(const char *object,
					  const char *verb)
{
	unsigned int i;

	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].object, object) &&
		    (!commands[i].verb || (verb && !strcmp(commands[i].verb, verb))))
			return &commands[i];
	return NULL;
}

/* msharectl help [OBJECT [COMMAND]] */
static int cmd_help(struct mshare_nl *nl, int argc, char **argv)
{
	const struct command *c;

	(void)nl;
	if (argc == 0) {
		help(NULL, NULL);
		return 0;
	}
	if (argc > 2)
		return usage_error("help: too many arguments");
	if (!is_object(argv[0]))
		return usage_error("help: unknown object \"%s\"", argv[0]);
	if (argc == 2) {
		c = find_command(argv[0], argv[1]);
		if (!c || !c->verb)
			return usage_error("help: unknown command \"%s %s\"",
					   argv[0], argv[1]);
	}
	help(argv[0], argc == 2 ? argv[1] : NULL);
	return 0;
}

/* An option word: "-" and a letter or a second "-" ("-1" is a number). */
static bool is_option(const char *s)
{
	return s[0] == '-' && ((s[1] >= 'a' && s[1] <= 'z') ||
			       (s[1] >= 'A' && s[1] <= 'Z') || s[1] == '-');
}

/*
 * Run one command line, argv[0] being the object.  Removes a "--" among
 * the arguments (after it, words that look like options are arguments, a
 * domain named "-x" for instance).  Returns the exit status.
 */
static int dispatch(int argc, char **argv)
{
	const struct command *c;
	const char *verb = NULL;
	char *dargv[2];
	int i, used;

	if (argc < 1)
		return usage_error("missing object; try \"msharectl help\"");
	if (is_option(argv[0]))
		return usage_error(batch_file ?
				   "option \"%s\" in a batch file: options go on the command line" :
				   "unknown option \"%s\"", argv[0]);
	if (!is_object(argv[0]))
		return usage_error("unknown object \"%s\"; try \"msharectl help\"",
				   argv[0]);
	c = find_command(argv[0], NULL);
	if (!c) {	/* an object of verbs */
		if (argc < 2) {
			verb = default_verb(argv[0]);
			if (!verb)
				return usage_error("missing command for \"%s\"; try \"msharectl %s help\"",
						   argv[0], argv[0]);
			dargv[0] = argv[0];
			dargv[1] = (char *)verb;
			argv = dargv;
			argc = 2;
		}
		verb = argv[1];
		if (!strcmp(verb, "help")) {
			if (argc > 2)
				return usage_error("%s help: too many arguments",
						   argv[0]);
			help(argv[0], NULL);
			return 0;
		}
		c = find_command(argv[0], verb);
		if (!c)
			return usage_error("unknown command \"%s %s\"; try \"msharectl %s help\"",
					   argv[0], verb, argv[0]);
	}
	used = c->verb ? 2 : 1;
	argc -= used;
	argv += used;
	/* "id N" where a NAME goes: the key "#N" (libmshare's form). */
	if (!strcmp(c->object, "domain") && strcmp(c->verb, "add") &&
	    argc >= 1 && !strcmp(argv[0], "id")) {
		static char key[16];
		uint32_t id;

		if (argc < 2 || !parse_u32(argv[1], 10, UINT32_MAX, &id))
			return usage_error("domain %s: id needs a number",
					   c->verb);
		snprintf(key, sizeof(key), "#%u", id);
		argv[1] = key;
		argv++;
		argc--;
	}
	if (argc >= 1 && !strcmp(argv[0], "help") && c->fn != cmd_help) {
		if (argc > 1)
			return usage_error("%s%s%s help: too many arguments",
					   c->object, c->verb ? " " : "",
					   c->verb ? c->verb : "");
		help(c->object, c->verb);
		return 0;
	}
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			memmove(&argv[i], &argv[i + 1],
				(argc - i - 1) * sizeof(*argv));
			argc--;
			break;
		}
		if (is_option(argv[i]))
			return usage_error("%s%s%s: option \"%s\" after the object: options go before it",
					   c->object, c->verb ? " " : "",
					   c->verb ? c->verb : "", argv[i]);
	}
	return c->fn(ctl_nl, argc, argv);
}

/* Split @line into words (blanks between, "#" to the end of the line). */
static int split_words(char *line, char **words, int max)
{
	char *save, *w;
	int n = 0;

	for (w = strtok_r(line, " \t\r\n", &save); w;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		if (w[0] == '#')
			break;
		if (n == max)
			return -1;
		words[n++] = w;
	}
	return n;
}

/*
 * -batch FILE: each line a command (OBJECT COMMAND ARGS), "-" for stdin.
 * Stops at the first failure unless -force; returns the exit status of
 * the first command that failed, 0 if none did.
 */
static int batch(const char *file)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "re") : stdin;
	char *line = NULL, *words[64];
	size_t cap = 0;
	int n, ret, status = 0;

	if (!f)
		return fail("-batch %s: %s", file, strerror(errno));
	batch_file = strcmp(file, "-") ? file : "stdin";
	while (getline(&line, &cap, f) >= 0) {
		batch_line++;
		n = split_words(line, words, 64);
		if (n == 0)
			continue;
		ret = n < 0 ? usage_error("more than 64 words") :
			      dispatch(n, words);
		if (ret && !status)
			status = ret;
		if (ret && !force)
			break;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return status;
}

int main(int argc, char **argv)
{
	const char *batch_path = NULL;
	bool version = false;
	int ret;

	while (argc > 1 && is_option(argv[1])) {
		const char *o = argv[1];

		if (!strcmp(o, "-j") || !strcmp(o, "-json")) {
			json = true;
		} else if (!strcmp(o, "-p") || !strcmp(o, "-pretty")) {
			pretty = json = true;
		} else if (!strcmp(o, "-t") || !strcmp(o, "-timestamp")) {
			timestamps = true;
		} else if (!strcmp(o, "-h") || !strcmp(o, "-human")) {
			human = true;
		} else if (!strcmp(o, "-V") || !strcmp(o, "-Version")) {
			version = true;
		} else if (!strcmp(o, "-force")) {
			force = true;
		} else if (!strcmp(o, "-b") || !strcmp(o, "-batch") ||
			   !strcmp(o, "-rcvbuf")) {
			if (argc < 3)
				return usage_error("option \"%s\" needs a value", o);
			if (o[1] == 'b') {
				batch_path = argv[2];
			} else if (!parse_size(argv[2], &rcvbuf) || !rcvbuf) {
				return usage_error("bad -rcvbuf \"%s\"", argv[2]);
			}
			argc--, argv++;
		} else if (!strcmp(o, "--help")) {
			help(NULL, NULL);
			return 0;
		} else {
			return usage_error("unknown option \"%s\"; try \"msharectl help\"",
					   o);
		}
		argc--, argv++;
	}
	if (version) {
		if (argc > 1)
			return usage_error("-V takes no OBJECT");
		return show_version();
	}
	if (batch_path) {
		if (argc > 1)
			return usage_error("-batch takes no OBJECT");
		ret = batch(batch_path);
	} else {
		ret = dispatch(argc - 1, argv + 1);
	}
	mshare_nl_close(ctl_nl);
	return ret;
}
