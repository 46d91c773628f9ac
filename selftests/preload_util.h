/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running a helper program ("victim") under LD_PRELOAD=libmshare-preload.so,
 * for preload_test and sysv_test: the library and the helpers are looked up
 * next to the test program (in the VM: /selftests/).  The victim's stdin is
 * a pipe the test writes to (victim_go), its stdout (and stderr, if asked)
 * a pipe the test reads lines from (victim_read).
 */
#ifndef MSHARE_PRELOAD_UTIL_H
#define MSHARE_PRELOAD_UTIL_H

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mshare_util.h"

#define VICTIM_MAX_ARGS	48

/* @file next to this program. */
static inline const char *next_to_self(const char *file, char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 64);
	char *slash;

	if (n <= 0) {
		snprintf(buf, len, "/selftests/%s", file);
		return buf;
	}
	buf[n] = 0;
	slash = strrchr(buf, '/');
	strcpy(slash ? slash + 1 : buf, file);
	return buf;
}

struct victim {
	pid_t pid;
	int in;			/* its stdin */
	FILE *out;		/* its stdout */
};

struct victim_opts {
	const char *prog;		/* the helper, next to the test */
	const char *const *env;		/* "K=V" strings, NULL-terminated */
	uid_t uid;			/* 0: stays root */
	gid_t gid;			/* with uid: its gid */
	gid_t group;			/* with uid: a supplementary group, or 0 */
	bool stderr_too;		/* stderr into the stdout pipe */
	bool no_preload;		/* without LD_PRELOAD */
};

/*
 * Start @o->prog @args (NULL-terminated) with LD_PRELOAD (unless
 * @o->no_preload) and @o->env, every MSHARE_PRELOAD* variable of ours
 * unset first; as @o->uid (with @o->gid, and @o->group as its one
 * supplementary group) unless @o->uid is 0.  0 or -1.
 */
static inline int victim_spawn(struct victim *v, const struct victim_opts *o,
			       char *const args[])
{
	char lib[PATH_MAX], prog[PATH_MAX];
	char *argv[VICTIM_MAX_ARGS + 2];
	int ip[2], op[2], i;

	next_to_self("libmshare-preload.so", lib, sizeof(lib));
	next_to_self(o->prog, prog, sizeof(prog));
	if (access(lib, R_OK) || access(prog, X_OK))
		return -1;
	argv[0] = prog;
	for (i = 0; args[i] && i < VICTIM_MAX_ARGS; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	if (pipe2(ip, O_CLOEXEC) || pipe2(op, O_CLOEXEC))
		return -1;
	v->pid = flush_fork();
	if (v->pid < 0)
		return -1;
	if (v->pid == 0) {
		unsetenv("MSHARE_PRELOAD");
		unsetenv("MSHARE_PRELOAD_MIN");
		unsetenv("MSHARE_PRELOAD_PREFIX");
		unsetenv("MSHARE_PRELOAD_SYSV");
		unsetenv("MSHARE_PRELOAD_DEBUG");
		if (o->no_preload)
			unsetenv("LD_PRELOAD");
		else
			setenv("LD_PRELOAD", lib, 1);
		for (i = 0; o->env && o->env[i]; i++)
			putenv((char *)o->env[i]);
		if (o->uid && (setgroups(o->group ? 1 : 0, &o->group) ||
			       setresgid(o->gid, o->gid, o->gid) ||
			       setresuid(o->uid, o->uid, o->uid)))
			_exit(125);
		if (dup2(ip[0], STDIN_FILENO) < 0 || dup2(op[1], STDOUT_FILENO) < 0 ||
		    (o->stderr_too && dup2(op[1], STDERR_FILENO) < 0))
			_exit(126);
		execv(prog, argv);
		_exit(127);
	}
	close(ip[0]);
	close(op[1]);
	v->in = ip[1];
	v->out = fdopen(op[0], "r");
	return v->out ? 0 : -1;
}

/*
 * Read lines into @lines up to one that starts with @until (NULL: up to
 * the end): their count, or -1 at the end before @until.
 */
static inline int victim_read(struct victim *v, char lines[][256], int max,
			      const char *until)
{
	char line[256];
	int n = 0;

	while (fgets(line, sizeof(line), v->out)) {
		line[strcspn(line, "\n")] = 0;
		if (until && !strncmp(line, until, strlen(until)))
			return n;
		if (n < max)
			snprintf(lines[n++], 256, "%s", line);
	}
	return until ? -1 : n;
}

static inline void victim_go(struct victim *v)
{
	char c = 1;

	if (write(v->in, &c, 1) != 1)
		perror("write");
}

/* Let it finish: its exit status. */
static inline int victim_end(struct victim *v)
{
	char line[256];
	int rc;

	close(v->in);
	while (fgets(line, sizeof(line), v->out))
		;
	fclose(v->out);
	rc = wait_exit_code(v->pid);
	v->pid = 0;
	return rc;
}

#endif /* MSHARE_PRELOAD_UTIL_H */
