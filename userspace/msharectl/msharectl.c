// SPDX-License-Identifier: GPL-2.0
/*
 * msharectl: manage mshare domains over the "mshare" generic netlink family.
 *
 *   msharectl [-j] [-p] OBJECT COMMAND [ARGS]
 *
 * Grammar in the style of iproute2: a table maps "object command" to a
 * handler; keywords match exactly.  Usage errors exit 2, kernel errors print
 * the kernel's message and exit 1.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mshare_nl.h"

static bool json, pretty;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: msharectl [-j] [-p] OBJECT COMMAND [ARGS]\n"
		"  msharectl info            show the module's ABI version\n"
		"options: -j JSON output, -p pretty JSON, -h help\n");
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "msharectl: %s\n", msg);
	usage(stderr);
	return 2;
}

static int kernel_error(struct mshare_nl *nl, const char *what, int err)
{
	fprintf(stderr, "msharectl: %s: %s%s%s\n", what, strerror(-err),
		nl->extack[0] ? ": " : "", nl->extack);
	return 1;
}

static int parse_info(struct nlattr **tb, void *arg)
{
	if (tb[MSHARE_A_INFO_ABI_VERSION])
		*(unsigned int *)arg = nla_get_u32(tb[MSHARE_A_INFO_ABI_VERSION]);
	return 0;
}

static int cmd_info(struct mshare_nl *nl, int argc, char **argv)
{
	unsigned int version = 0;
	int err;

	(void)argv;
	if (argc)
		return usage_error("info takes no arguments");
	err = mshare_nl_run(nl, mshare_nl_msg(nl, MSHARE_CMD_GET_INFO, 0),
			    parse_info, &version);
	if (err < 0)
		return kernel_error(nl, "info", err);
	if (json)
		printf(pretty ? "{\n  \"abi_version\": %u\n}\n" :
				"{\"abi_version\":%u}\n", version);
	else
		printf("mshare ABI version %u\n", version);
	return 0;
}

struct command {
	const char *object;
	const char *verb;	/* NULL: the object is the whole command */
	int (*fn)(struct mshare_nl *nl, int argc, char **argv);
};

static const struct command commands[] = {
	{ "info", NULL, cmd_info },
};

int main(int argc, char **argv)
{
	const struct command *c = NULL;
	struct mshare_nl nl;
	unsigned int i;
	int err, used;

	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "-j"))
			json = true;
		else if (!strcmp(argv[1], "-p"))
			pretty = json = true;
		else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage(stdout);
			return 0;
		} else {
			return usage_error("unknown option");
		}
		argc--, argv++;
	}
	if (argc < 2)
		return usage_error("missing object");

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].object, argv[1]))
			continue;
		if (!commands[i].verb ||
		    (argc > 2 && !strcmp(commands[i].verb, argv[2]))) {
			c = &commands[i];
			break;
		}
	}
	if (!c)
		return usage_error("unknown command");
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
