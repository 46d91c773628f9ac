// SPDX-License-Identifier: GPL-2.0
/*
 * msharectl: manage mshare domains over the "mshare" generic netlink family.
 *
 *   msharectl [-j] [-p] OBJECT COMMAND [ARGS]
 *
 * Grammar in the style of iproute2: a table maps "object command" to a
 * handler; keywords match exactly (no abbreviations).  Usage errors exit 2
 * with a one-line message and the usage; kernel errors print the kernel's
 * extack message and exit 1.  -j prints one JSON document per reading
 * command (monitor: one JSON object per line); -p pretty-prints it.
 * The manual is msharectl.8.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/ctrl.h>

#include "mshare.h"

static bool json, pretty;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: msharectl [-j] [-p] OBJECT COMMAND [ARGS]\n"
		"  msharectl domain add NAME size SIZE [mode MODE] [owner UID] [group GID] [prefault]\n"
		"                       [policy POLICY]\n"
		"  msharectl domain del NAME\n"
		"  msharectl domain show [NAME]\n"
		"  msharectl domain set NAME { mode MODE | owner UID | group GID | policy POLICY } ...\n"
		"  msharectl domain stats [NAME]\n"
		"  msharectl domain discard NAME OFFSET LENGTH\n"
		"  msharectl domain migrate NAME node N [offset OFFSET len LENGTH]\n"
		"  msharectl monitor\n"
		"  msharectl info\n"
		"SIZE, OFFSET, LENGTH: bytes, with an optional K, M, G or T suffix (powers of 1024)\n"
		"MODE: octal, at most 0777\n"
		"POLICY: local | bind N | preferred N | interleave N1,N2,... | auto [N]\n"
		"options: -j JSON output, -p pretty JSON (implies -j), -h, --help this help\n");
}

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("msharectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	return 2;
}

static int kernel_error(struct mshare_nl *nl, const char *what, int err)
{
	fprintf(stderr, "msharectl: %s: %s%s%s\n", what, strerror(-err),
		nl->extack[0] ? ": " : "", nl->extack);
	return 1;
}

/* ---- argument parsing ---- */

/* A size with an optional K/M/G/T suffix; false if malformed or too big. */
static bool parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return false;
	switch (*end) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	case 'T': shift = 40; end++; break;
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

static void jstr(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
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

/* ---- domain output ---- */

/* The policy's keyword, or its number for one this msharectl does not know. */
static const char *policy_name(int policy, char buf[16])
{
	const char *name = mshare_numa_policy_name(policy);

	if (name)
		return name;
	snprintf(buf, 16, "%d", policy);
	return buf;
}

static void print_domain(const struct mshare_domain_info *d, void *arg)
{
	char mode[8], pol[16];
	unsigned int i;

	(void)arg;
	snprintf(mode, sizeof(mode), "0%03o", d->mode);
	if (json) {
		jopen(NULL, '{');
		jstring("name", d->name);
		ju64("id", d->id);
		ju64("size", d->size);
		jstring("mode", mode);
		ju64("owner", d->uid);
		ju64("group", d->gid);
		jkey("prefault");
		fputs(d->flags & MSHARE_DOMAIN_F_PREFAULT ? "true" : "false",
		      stdout);
		ju64("attached", d->attached);
		ju64("resident_pages", d->resident);
		ju64("table_pages", d->table_pages);
		ju64("links_pud", d->links_pud);
		ju64("links_pmd", d->links_pmd);
		if (d->numa.policy >= 0) {
			jstring("policy", policy_name(d->numa.policy, pol));
			jopen("policy_nodes", '[');
			for (i = 0; i < d->numa.nr_nodes; i++)
				jnum(d->numa.nodes[i]);
			jclose(']');
		}
		if (d->home_node >= 0)
			ju64("home_node", d->home_node);
		jclose('}');
		return;
	}
	printf("%s: id %u size %" PRIu64 " mode %s owner %u group %u%s\n"
	       "    attached %u resident %" PRIu64 " pages, %u table pages, links pud %u pmd %u\n",
	       d->name, d->id, d->size, mode, d->uid, d->gid,
	       d->flags & MSHARE_DOMAIN_F_PREFAULT ? " prefault" : "",
	       d->attached, d->resident, d->table_pages, d->links_pud,
	       d->links_pmd);
	if (d->numa.policy < 0 && d->home_node < 0)
		return;
	fputs("   ", stdout);
	if (d->numa.policy >= 0) {
		printf(" policy %s", policy_name(d->numa.policy, pol));
		for (i = 0; i < d->numa.nr_nodes; i++)
			printf("%c%u", i ? ',' : ' ', d->numa.nodes[i]);
	}
	if (d->home_node >= 0)
		printf(" home node %d", d->home_node);
	putchar('\n');
}

static bool node_seen(const struct mshare_domain_stats *s, unsigned int node)
{
	return s->node_seen[node / 64] & (1ULL << (node % 64));
}

static void print_stats(const struct mshare_domain_stats *s)
{
	unsigned int i;

	if (json) {
		jopen(NULL, '{');
		jstring("name", s->name);
		ju64("id", s->id);
		ju64("attachments", s->mappings);
		ju64("processes", s->processes);
		ju64("descriptors", s->attached);
		jopen("links", '{');
		ju64("pud", s->links_pud);
		ju64("pmd", s->links_pmd);
		jclose('}');
		ju64("resident_pages", s->resident);
		ju64("table_pages", s->table_pages);
		ju64("faults", s->faults);
		ju64("shootdowns", s->shootdowns);
		ju64("shootdown_cpus", s->shootdown_cpus);
		ju64("pages_flushed", s->pages_flushed);
		ju64("flushes_ranged", s->flushes_ranged);
		ju64("flushes_full", s->flushes_full);
		if (s->home_node >= 0)
			ju64("home_node", s->home_node);
		jopen("nodes", '[');
		for (i = 0; i < MSHARE_STATS_NODES; i++) {
			if (!node_seen(s, i))
				continue;
			jopen(NULL, '{');
			ju64("node", i);
			ju64("pages", s->node_pages[i]);
			ju64("table_pages", s->node_table_pages[i]);
			jclose('}');
		}
		jclose(']');
		ju64("migrations", s->migrations);
		ju64("pages_migrated", s->pages_migrated);
		ju64("migrate_skipped", s->migrate_skipped);
		ju64("migrate_ns", s->migrate_ns);
		jclose('}');
		return;
	}
	printf("%s: id %u\n"
	       "    attachments %u processes %u descriptors %u\n"
	       "    links pud %u pmd %u\n"
	       "    resident %" PRIu64 " pages, %u table pages\n"
	       "    faults %" PRIu64 "\n"
	       "    shootdowns %" PRIu64 " cpus %" PRIu64 " pages %" PRIu64
	       " ranged %" PRIu64 " full %" PRIu64 "\n",
	       s->name, s->id, s->mappings, s->processes, s->attached,
	       s->links_pud, s->links_pmd, s->resident, s->table_pages,
	       s->faults, s->shootdowns, s->shootdown_cpus, s->pages_flushed,
	       s->flushes_ranged, s->flushes_full);
	if (s->home_node >= 0)
		printf("    home node %d\n", s->home_node);
	for (i = 0; i < MSHARE_STATS_NODES; i++)
		if (node_seen(s, i))
			printf("    node %u: %" PRIu64 " pages, %" PRIu64
			       " table pages\n", i, s->node_pages[i],
			       s->node_table_pages[i]);
	printf("    migrations %" PRIu64 " pages migrated %" PRIu64
	       " skipped %" PRIu64 " time %" PRIu64 ".%06" PRIu64 " ms\n",
	       s->migrations, s->pages_migrated, s->migrate_skipped,
	       s->migrate_ns / 1000000, s->migrate_ns % 1000000);
}

/* ---- commands ---- */

static int check_name(const char *name)
{
	if (strlen(name) >= MSHARE_NAME_MAX)
		return usage_error("domain name longer than %d characters",
				   MSHARE_NAME_MAX - 1);
	return 0;
}

static int cmd_domain_add(struct mshare_nl *nl, int argc, char **argv)
{
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_DEFAULT;
	struct mshare_domain_info d;
	uint64_t size = 0;
	bool have_size = false;
	const char *name;
	uint32_t v;
	int i, err;

	if (argc < 1)
		return usage_error("domain add: missing NAME");
	name = argv[0];
	if (check_name(name))
		return 2;
	for (i = 1; i < argc; i++) {
		const char *kw = argv[i];

		if (!strcmp(kw, "prefault")) {
			opts.flags |= MSHARE_DOMAIN_F_PREFAULT;
			continue;
		}
		if (!strcmp(kw, "policy")) {
			i++;
			if (parse_policy("domain add", argc, argv, &i,
					 &opts.numa))
				return 2;
			continue;
		}
		if (strcmp(kw, "size") && strcmp(kw, "mode") &&
		    strcmp(kw, "owner") && strcmp(kw, "group"))
			return usage_error("domain add: unknown keyword \"%s\"", kw);
		if (++i >= argc)
			return usage_error("domain add: %s needs a value", kw);
		if (!strcmp(kw, "size")) {
			if (!parse_size(argv[i], &size))
				return usage_error("domain add: bad size \"%s\"", argv[i]);
			have_size = true;
		} else if (!strcmp(kw, "mode")) {
			if (!parse_u32(argv[i], 8, 0777, &v))
				return usage_error("domain add: bad mode \"%s\"", argv[i]);
			opts.mode = v;
		} else if (!parse_u32(argv[i], 10, INT32_MAX, &v)) {
			return usage_error("domain add: bad %s \"%s\"", kw, argv[i]);
		} else if (!strcmp(kw, "owner")) {
			opts.uid = v;
		} else {
			opts.gid = v;
		}
	}
	if (!have_size)
		return usage_error("domain add: missing size");
	err = mshare_domain_create(nl, name, size, &opts, &d);
	if (err)
		return kernel_error(nl, "domain add", err);
	return 0;
}

static int cmd_domain_del(struct mshare_nl *nl, int argc, char **argv)
{
	int err;

	if (argc != 1)
		return usage_error("domain del: expected NAME");
	if (check_name(argv[0]))
		return 2;
	err = mshare_domain_destroy(nl, argv[0]);
	if (err)
		return kernel_error(nl, "domain del", err);
	return 0;
}

static int cmd_domain_show(struct mshare_nl *nl, int argc, char **argv)
{
	struct mshare_domain_info d;
	int err;

	if (argc > 1)
		return usage_error("domain show: too many arguments");
	if (argc == 1) {
		if (check_name(argv[0]))
			return 2;
		err = mshare_domain_get(nl, argv[0], &d);
		if (err)
			return kernel_error(nl, "domain show", err);
		print_domain(&d, NULL);
		return 0;
	}
	if (json)
		jopen(NULL, '[');
	err = mshare_domain_dump(nl, print_domain, NULL);
	if (json)
		jclose(']');
	if (err < 0)
		return kernel_error(nl, "domain show", err);
	return 0;
}

static int cmd_domain_set(struct mshare_nl *nl, int argc, char **argv)
{
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_DEFAULT;
	uint32_t v;
	int i, err;

	if (argc < 1)
		return usage_error("domain set: missing NAME");
	if (check_name(argv[0]))
		return 2;
	if (argc < 3)
		return usage_error("domain set: nothing to change");
	for (i = 1; i < argc; i++) {
		const char *kw = argv[i];

		if (!strcmp(kw, "policy")) {
			i++;
			if (parse_policy("domain set", argc, argv, &i,
					 &opts.numa))
				return 2;
			continue;
		}
		if (strcmp(kw, "mode") && strcmp(kw, "owner") &&
		    strcmp(kw, "group"))
			return usage_error("domain set: unknown keyword \"%s\"", kw);
		if (++i >= argc)
			return usage_error("domain set: %s needs a value", kw);
		if (!strcmp(kw, "mode")) {
			if (!parse_u32(argv[i], 8, 0777, &v))
				return usage_error("domain set: bad mode \"%s\"",
						   argv[i]);
			opts.mode = v;
			continue;
		}
		if (!parse_u32(argv[i], 10, INT32_MAX, &v))
			return usage_error("domain set: bad %s \"%s\"", kw,
					   argv[i]);
		if (!strcmp(kw, "owner"))
			opts.uid = v;
		else
			opts.gid = v;
	}
	err = mshare_domain_set(nl, argv[0], &opts, NULL);
	if (err)
		return kernel_error(nl, "domain set", err);
	return 0;
}

static void print_stats_cb(const struct mshare_domain_stats *s, void *arg)
{
	(void)arg;
	print_stats(s);
}

static int cmd_domain_stats(struct mshare_nl *nl, int argc, char **argv)
{
	struct mshare_domain_stats s;
	int err;

	if (argc > 1)
		return usage_error("domain stats: too many arguments");
	if (argc == 1) {
		if (check_name(argv[0]))
			return 2;
		err = mshare_domain_stats(nl, argv[0], &s);
		if (err)
			return kernel_error(nl, "domain stats", err);
		print_stats(&s);
		return 0;
	}
	if (json)
		jopen(NULL, '[');
	err = mshare_domain_stats_dump(nl, print_stats_cb, NULL);
	if (json)
		jclose(']');
	if (err < 0)
		return kernel_error(nl, "domain stats", err);
	return 0;
}

static int cmd_domain_discard(struct mshare_nl *nl, int argc, char **argv)
{
	uint64_t off, len;
	int err;

	if (argc != 3)
		return usage_error("domain discard: expected NAME OFFSET LENGTH");
	if (check_name(argv[0]))
		return 2;
	if (!parse_size(argv[1], &off))
		return usage_error("domain discard: bad offset \"%s\"", argv[1]);
	if (!parse_size(argv[2], &len))
		return usage_error("domain discard: bad length \"%s\"", argv[2]);
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

static int parse_migrate_reply(struct nlattr **tb, void *arg)
{
	mshare_parse_migrate(tb, arg);
	return 0;
}

/*
 * DOMAIN_MIGRATE, built here rather than with mshare_domain_migrate(),
 * which takes length 0 for "the whole domain": an explicit "len 0" must
 * reach the kernel (and be refused) as any other bad range does.
 */
static int migrate(struct mshare_nl *nl, const char *name, uint32_t node,
		   const uint64_t *range, struct mshare_migrate_result *r)
{
	struct nl_msg *msg = mshare_nl_msg(nl, MSHARE_CMD_DOMAIN_MIGRATE, 0);
	int ret;

	if (!msg)
		return -ENOMEM;
	if (nla_put_string(msg, MSHARE_A_DOMAIN_NAME, name) ||
	    nla_put_u32(msg, MSHARE_A_MIGRATE_NODE, node) ||
	    (range && (nla_put_u64(msg, MSHARE_A_MIGRATE_OFFSET, range[0]) ||
		       nla_put_u64(msg, MSHARE_A_MIGRATE_LENGTH, range[1])))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	memset(r, 0, sizeof(*r));
	ret = mshare_nl_run(nl, msg, parse_migrate_reply, r);
	if (ret == 0)
		return -EIO;	/* no reply although no error */
	return ret < 0 ? ret : 0;
}

static int cmd_domain_migrate(struct mshare_nl *nl, int argc, char **argv)
{
	/*
	 * No SA_RESTART needed: the kernel runs the migration inside
	 * sendmsg() and answers EINTR when a signal is pending; the handler
	 * only keeps SIGINT and SIGTERM from killing msharectl first.
	 */
	struct sigaction sa = { .sa_handler = on_signal };
	struct mshare_migrate_result r;
	bool have_off = false, have_len = false;
	uint64_t range[2] = { 0, 0 };
	bool have_node = false;
	uint32_t node = 0;
	const char *name;
	int i, err;

	if (argc < 1)
		return usage_error("domain migrate: missing NAME");
	name = argv[0];
	if (check_name(name))
		return 2;
	for (i = 1; i < argc; i++) {
		const char *kw = argv[i];

		if (strcmp(kw, "node") && strcmp(kw, "offset") &&
		    strcmp(kw, "len"))
			return usage_error("domain migrate: unknown keyword \"%s\"",
					   kw);
		if (++i >= argc)
			return usage_error("domain migrate: %s needs a value", kw);
		if (!strcmp(kw, "node")) {
			if (!parse_node(argv[i], &node))
				return usage_error("domain migrate: bad node \"%s\"",
						   argv[i]);
			have_node = true;
		} else if (!strcmp(kw, "offset")) {
			if (!parse_size(argv[i], &range[0]))
				return usage_error("domain migrate: bad offset \"%s\"",
						   argv[i]);
			have_off = true;
		} else {
			if (!parse_size(argv[i], &range[1]))
				return usage_error("domain migrate: bad length \"%s\"",
						   argv[i]);
			have_len = true;
		}
	}
	if (!have_node)
		return usage_error("domain migrate: missing node");
	if (have_off != have_len)
		return usage_error("domain migrate: offset and len go together");
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err = migrate(nl, name, node, have_off ? range : NULL, &r);
	if (err == -EINTR) {
		fprintf(stderr, "msharectl: domain migrate: interrupted (EINTR)%s%s; "
			"every page stays valid, on the old node or node %u\n",
			nl->extack[0] ? ": " : "", nl->extack, node);
		return 1;
	}
	if (err)
		return kernel_error(nl, "domain migrate", err);
	if (json) {
		jopen(NULL, '{');
		jstring("name", name);
		ju64("node", r.node);
		ju64("pages_total", r.total);
		ju64("pages_done", r.done);
		ju64("pages_skipped", r.skipped);
		jclose('}');
	} else {
		printf("%s: node %u total %" PRIu64 " pages, done %" PRIu64
		       ", skipped %" PRIu64 "\n", name, r.node, r.total, r.done,
		       r.skipped);
	}
	return 0;
}

static int cmd_info(struct mshare_nl *nl, int argc, char **argv)
{
	struct mshare_module_info m;
	int err;

	(void)argv;
	if (argc)
		return usage_error("info takes no arguments");
	err = mshare_module_info(nl, &m);
	if (err < 0)
		return kernel_error(nl, "info", err);
	if (json) {
		jopen(NULL, '{');
		ju64("abi_version", m.abi_version);
		ju64("domains", m.domains);
		ju64("data_pages", m.data_pages);
		ju64("table_pages", m.table_pages);
		ju64("max_size", m.max_size);
		jclose('}');
	} else {
		printf("mshare ABI version %u\n", m.abi_version);
		printf("domains %u data pages %" PRIu64 " table pages %" PRIu64
		       " max size %" PRIu64 "\n", m.domains, m.data_pages,
		       m.table_pages, m.max_size);
	}
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
	default:				return NULL;
	}
}

static int monitor_cb(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[MSHARE_A_MAX + 1];
	const char *ev = event_name(gh->cmd);
	struct mshare_migrate_result m;
	const char *name = "";
	uint32_t id = 0, pid = 0;
	bool migr;

	(void)arg;
	if (!ev || genlmsg_parse(nlmsg_hdr(msg), 0, tb, MSHARE_A_MAX, NULL))
		return NL_SKIP;
	migr = gh->cmd == MSHARE_CMD_DOMAIN_MIGRATE_PROGRESS ||
	       gh->cmd == MSHARE_CMD_DOMAIN_MIGRATED;
	mshare_parse_migrate(tb, &m);
	if (tb[MSHARE_A_DOMAIN_NAME])
		name = nla_get_string(tb[MSHARE_A_DOMAIN_NAME]);
	if (tb[MSHARE_A_DOMAIN_ID])
		id = nla_get_u32(tb[MSHARE_A_DOMAIN_ID]);
	if (tb[MSHARE_A_EVENT_PID])
		pid = nla_get_u32(tb[MSHARE_A_EVENT_PID]);
	if (json) {
		bool saved = pretty;

		pretty = false;		/* one event per line */
		jopen(NULL, '{');
		jstring("event", ev);
		jstring("name", name);
		ju64("id", id);
		if (tb[MSHARE_A_EVENT_PID])
			ju64("pid", pid);
		if (tb[MSHARE_A_DOMAIN_ATTACHED])
			ju64("attached",
			     nla_get_u32(tb[MSHARE_A_DOMAIN_ATTACHED]));
		if (migr) {
			ju64("node", m.node);
			ju64("pages_total", m.total);
			ju64("pages_done", m.done);
			ju64("pages_skipped", m.skipped);
		}
		if (tb[MSHARE_A_MIGRATE_ERROR])
			ju64("error", nla_get_u32(tb[MSHARE_A_MIGRATE_ERROR]));
		jclose('}');
		pretty = saved;
	} else {
		printf("%s %s id %u", ev, name, id);
		if (tb[MSHARE_A_EVENT_PID])
			printf(" pid %u", pid);
		if (tb[MSHARE_A_DOMAIN_ATTACHED])
			printf(" attached %u",
			       nla_get_u32(tb[MSHARE_A_DOMAIN_ATTACHED]));
		if (migr)
			printf(" node %u total %" PRIu64 " done %" PRIu64
			       " skipped %" PRIu64, m.node, m.total, m.done,
			       m.skipped);
		if (tb[MSHARE_A_MIGRATE_ERROR])
			printf(" error %u",
			       nla_get_u32(tb[MSHARE_A_MIGRATE_ERROR]));
		putchar('\n');
	}
	fflush(stdout);
	return NL_OK;
}

static int cmd_monitor(struct mshare_nl *nl, int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int grp, err;

	(void)argv;
	if (argc)
		return usage_error("monitor takes no arguments");
	grp = genl_ctrl_resolve_grp(nl->sk, MSHARE_GENL_NAME,
				    MSHARE_MCGRP_EVENTS);
	if (grp < 0) {
		fprintf(stderr, "msharectl: monitor: no \"%s\" group\n",
			MSHARE_MCGRP_EVENTS);
		return 1;
	}
	nl_socket_disable_seq_check(nl->sk);
	nl_socket_modify_cb(nl->sk, NL_CB_VALID, NL_CB_CUSTOM, monitor_cb, NULL);
	err = nl_socket_add_membership(nl->sk, grp);
	if (err) {
		fprintf(stderr, "msharectl: monitor: %s\n",
			err == -NLE_PERM ? "joining the events group needs CAP_SYS_ADMIN" :
					   nl_geterror(err));
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Tell a waiting reader that every later event will be seen. */
	if (!json) {
		printf("listening\n");
		fflush(stdout);
	}
	/*
	 * libnl retries a read interrupted by a signal: wait in poll(),
	 * which returns on one, and read without blocking.
	 */
	nl_socket_set_nonblocking(nl->sk);
	while (!stop) {
		struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk),
				      .events = POLLIN };

		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("msharectl: monitor: poll");
			return 1;
		}
		err = nl_recvmsgs_default(nl->sk);
		if (err < 0 && err != -NLE_AGAIN && err != -NLE_INTR) {
			fprintf(stderr, "msharectl: monitor: %s\n",
				nl_geterror(err));
			return 1;
		}
	}
	return 0;
}

/* ---- dispatch ---- */

struct command {
	const char *object;
	const char *verb;	/* NULL: the object is the whole command */
	int (*fn)(struct mshare_nl *nl, int argc, char **argv);
};

static const struct command commands[] = {
	{ "domain", "add", cmd_domain_add },
	{ "domain", "del", cmd_domain_del },
	{ "domain", "show", cmd_domain_show },
	{ "domain", "set", cmd_domain_set },
	{ "domain", "stats", cmd_domain_stats },
	{ "domain", "discard", cmd_domain_discard },
	{ "domain", "migrate", cmd_domain_migrate },
	{ "monitor", NULL, cmd_monitor },
	{ "info", NULL, cmd_info },
};

int main(int argc, char **argv)
{
	const struct command *c = NULL;
	bool known_object = false;
	struct mshare_nl nl;
	unsigned int i;
	int err, used;

	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "-j")) {
			json = true;
		} else if (!strcmp(argv[1], "-p")) {
			pretty = json = true;
		} else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage(stdout);
			return 0;
		} else {
			return usage_error("unknown option \"%s\"", argv[1]);
		}
		argc--, argv++;
	}
	if (argc < 2)
		return usage_error("missing object");

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].object, argv[1]))
			continue;
		known_object = true;
		if (!commands[i].verb ||
		    (argc > 2 && !strcmp(commands[i].verb, argv[2]))) {
			c = &commands[i];
			break;
		}
	}
	if (!c && !known_object)
		return usage_error("unknown object \"%s\"", argv[1]);
	if (!c)
		return usage_error(argc > 2 ? "unknown command \"%s %s\"" :
				   "missing command for \"%s\"", argv[1],
				   argc > 2 ? argv[2] : "");
	used = c->verb ? 3 : 2;

	err = mshare_nl_open(&nl);
	if (err) {
		fprintf(stderr, "msharectl: %s\n", err == -ENOENT ?
			"the mshare module is not loaded" : strerror(-err));
		return 1;
	}
	err = c->fn(&nl, argc - used, argv + used);
	mshare_nl_close(&nl);
	return err;
}
