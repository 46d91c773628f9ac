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
		"  msharectl domain del NAME\n"
		"  msharectl domain show [NAME]\n"
		"  msharectl domain set NAME { mode MODE | owner UID | group GID } ...\n"
		"  msharectl domain stats [NAME]\n"
		"  msharectl domain discard NAME OFFSET LENGTH\n"
		"  msharectl monitor\n"
		"  msharectl info\n"
		"SIZE, OFFSET, LENGTH: bytes, with an optional K, M, G or T suffix (powers of 1024)\n"
		"MODE: octal, at most 0777\n"
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

static void jstring(const char *k, const char *v)
{
	jkey(k);
	jstr(v);
}

/* ---- domain output ---- */

static void print_domain(const struct mshare_domain_info *d, void *arg)
{
	char mode[8];

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
		jclose('}');
		return;
	}
	printf("%s: id %u size %" PRIu64 " mode %s owner %u group %u%s\n"
	       "    attached %u resident %" PRIu64 " pages, %u table pages, links pud %u pmd %u\n",
	       d->name, d->id, d->size, mode, d->uid, d->gid,
	       d->flags & MSHARE_DOMAIN_F_PREFAULT ? " prefault" : "",
	       d->attached, d->resident, d->table_pages, d->links_pud,
	       d->links_pmd);
}

static void print_stats(const struct mshare_domain_stats *s)
{
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
	for (i = 1; i < argc; i += 2) {
		const char *kw = argv[i];

		if (strcmp(kw, "mode") && strcmp(kw, "owner") &&
		    strcmp(kw, "group"))
			return usage_error("domain set: unknown keyword \"%s\"", kw);
		if (i + 1 >= argc)
			return usage_error("domain set: %s needs a value", kw);
		if (!strcmp(kw, "mode")) {
			if (!parse_u32(argv[i + 1], 8, 0777, &v))
				return usage_error("domain set: bad mode \"%s\"",
						   argv[i + 1]);
			opts.mode = v;
			continue;
		}
		if (!parse_u32(argv[i + 1], 10, INT32_MAX, &v))
			return usage_error("domain set: bad %s \"%s\"", kw,
					   argv[i + 1]);
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

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *event_name(int cmd)
{
	switch (cmd) {
	case MSHARE_CMD_DOMAIN_CREATED:		return "created";
	case MSHARE_CMD_DOMAIN_DESTROYED:	return "destroyed";
	case MSHARE_CMD_DOMAIN_ATTACHED:	return "attached";
	case MSHARE_CMD_DOMAIN_DETACHED:	return "detached";
	default:				return NULL;
	}
}

static int monitor_cb(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[MSHARE_A_MAX + 1];
	const char *ev = event_name(gh->cmd);
	const char *name = "";
	uint32_t id = 0, pid = 0;

	(void)arg;
	if (!ev || genlmsg_parse(nlmsg_hdr(msg), 0, tb, MSHARE_A_MAX, NULL))
		return NL_SKIP;
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
		jclose('}');
		pretty = saved;
	} else {
		printf("%s %s id %u", ev, name, id);
		if (tb[MSHARE_A_EVENT_PID])
			printf(" pid %u", pid);
		if (tb[MSHARE_A_DOMAIN_ATTACHED])
			printf(" attached %u",
			       nla_get_u32(tb[MSHARE_A_DOMAIN_ATTACHED]));
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
