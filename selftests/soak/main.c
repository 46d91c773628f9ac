// SPDX-License-Identifier: GPL-2.0
/*
 * mshare-soak: the soak tier (Documentation/testing.rst).  Runs every role
 * of soak.h at once for the given time, watches them, then checks the
 * data of the checked domain, destroys every domain, waits for the
 * module's counters to reach 0 and prints what it did.
 *
 * usage: mshare-soak [-t SECONDS] [-r ROLE,ROLE...] [-H HANG_SECS] [-j]
 *   -t  how long the roles run (default 120)
 *   -r  only these roles (default all; names as in the summary)
 *   -H  a role that makes no progress this long is reported as hung and
 *       its kernel stack printed (default 300)
 * Exit status: 0 when nothing was reported, 1 otherwise, 2 on usage
 * errors.  The last line is "soak: RESULT: PASS|FAIL ...".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "soak.h"

struct shared *sh;
static int my_role = -1;

#define SOAK_NAME(n) #n,
const char *const op_names[NR_OPS] = { SOAK_OPS(SOAK_NAME) };
#undef SOAK_NAME

/* ---- shared helpers ---- */

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static double since_start(void)
{
	return (now_ns() - sh->start_ns) / 1e9;
}

static void vlog(const char *tag, const char *fmt, va_list ap, char *buf, size_t len)
{
	vsnprintf(buf, len, fmt, ap);
	/* One write per line, so that lines of processes do not mix. */
	dprintf(STDOUT_FILENO, "soak: [%8.1f] %s%s (pid %d)\n", since_start(), tag,
		buf, (int)getpid());
}

/* Count @msg under its kind: the text with every number as '#'. */
static void count_kind(const char *msg)
{
	char key[ERRLEN];
	size_t i = 0;
	int k;

	while (*msg && i < sizeof(key) - 1) {
		if ((*msg >= '0' && *msg <= '9')) {
			while ((*msg >= '0' && *msg <= '9') || (*msg >= 'a' && *msg <= 'f') ||
			       *msg == 'x')
				msg++;
			key[i++] = '#';
			continue;
		}
		key[i++] = *msg++;
	}
	key[i] = 0;
	while (__atomic_test_and_set(&sh->kinds_lock, __ATOMIC_ACQUIRE))
		sched_yield();
	for (k = 0; k < sh->nkinds; k++)
		if (!strcmp(sh->kind[k].text, key))
			break;
	if (k == sh->nkinds && k < MAX_KINDS) {
		strcpy(sh->kind[k].text, key);
		sh->kind[k].first_s = since_start();
		sh->nkinds++;
	}
	if (k < MAX_KINDS)
		sh->kind[k].count++;
	__atomic_clear(&sh->kinds_lock, __ATOMIC_RELEASE);
}

void report(const char *fmt, ...)
{
	unsigned long i = __atomic_fetch_add(&sh->errors, 1, __ATOMIC_SEQ_CST);
	char buf[ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vlog("ERROR: ", fmt, ap, buf, sizeof(buf));
	va_end(ap);
	if (i < MAX_ERRLOG)
		snprintf(sh->errlog[i], ERRLEN, "[%.1f s] %.200s", since_start(), buf);
	count_kind(buf);
}

void note(const char *fmt, ...)
{
	char buf[ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap, buf, sizeof(buf));
	va_end(ap);
}

void set_role(int i)
{
	my_role = i;
}

void beat(void)
{
	if (my_role >= 0)
		__atomic_store_n(&sh->roles[my_role].beat_ns, now_ns(),
				 __ATOMIC_RELAXED);
}

void lock_names(void)
{
	while (__atomic_test_and_set(&sh->lock, __ATOMIC_ACQUIRE))
		sched_yield();
}

void unlock_names(void)
{
	__atomic_clear(&sh->lock, __ATOMIC_RELEASE);
}

void churn_name(int i, char *out)
{
	lock_names();
	memcpy(out, sh->churn[i], MSHARE_NAME_MAX);
	unlock_names();
}

void count_errno(unsigned long *tab, int err)
{
	if (err < 0)
		err = -err;
	if (err >= 160)
		err = 159;
	__atomic_fetch_add(&tab[err], 1, __ATOMIC_RELAXED);
}

uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

uint64_t seed(void)
{
	struct timespec ts;
	uint64_t s;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	s = ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
	    ((uint64_t)getpid() << 16) ^ (uint64_t)pthread_self();
	return s ? s : 0x1234567;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t tag_of(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*name)
		h = (h ^ (unsigned char)*name++) * 0x100000001b3ULL;
	return h;
}

uint64_t word(uint64_t tag, size_t pg, size_t i, uint32_t v)
{
	uint64_t h = mix(tag ^ mix(pg * WORDS + i) ^ ((uint64_t)v << 40));

	return ((uint64_t)v << 32) | (uint32_t)h;
}

int page_valid(const void *p, uint64_t tag, size_t pg)
{
	const volatile uint64_t *w = p;
	size_t i;

	for (i = 0; i < WORDS; i++) {
		uint64_t x = w[i];

		if (x && x != word(tag, pg, i, x >> 32))
			return 0;
	}
	return 1;
}

int page_is(const void *p, uint64_t tag, size_t pg, uint32_t v)
{
	const volatile uint64_t *w = p;
	size_t i;

	for (i = 0; i < WORDS; i++)
		if (w[i] != (v ? word(tag, pg, i, v) : 0))
			return 0;
	return 1;
}

int first_bad_word(const void *p, uint64_t tag, size_t pg, int exact,
		   uint32_t v, uint64_t *got, uint64_t *want)
{
	const volatile uint64_t *w = p;
	size_t i;

	for (i = 0; i < WORDS; i++) {
		uint64_t x = w[i];
		uint64_t e = exact ? (v ? word(tag, pg, i, v) : 0) :
				     (x ? word(tag, pg, i, x >> 32) : 0);

		if (x != e) {
			*got = x;
			*want = e;
			return (int)i;
		}
	}
	return -1;
}

void page_write(void *p, uint64_t tag, size_t pg, uint32_t v)
{
	volatile uint64_t *w = p;
	size_t i;

	for (i = 0; i < WORDS; i++)
		w[i] = word(tag, pg, i, v);
}

void page_scribble(void *p, uint64_t tag, size_t pg, uint64_t *rs)
{
	volatile uint64_t *w = p;
	int k;

	for (k = 0; k < 8; k++) {
		size_t i = rnd(rs) % WORDS;
		uint32_t v = (uint32_t)rnd(rs) | 1;

		w[i] = word(tag, pg, i, v);
	}
}

static void on_usr1(int sig)
{
	(void)sig;
	if (sh)
		__atomic_fetch_add(&sh->ops[OP_usr1_received], 1, __ATOMIC_RELAXED);
}

void install_usr1(void)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

void block_usr1(int block)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

static char self_path[256];
static char shm_arg[32];

void exec_self(const char *role, char *const args[])
{
	char *argv[12] = { "mshare-soak", "--exec", shm_arg, (char *)role };
	int i;

	for (i = 0; args && args[i] && i < 7; i++)
		argv[4 + i] = args[i];
	argv[4 + i] = NULL;
	block_usr1(1);
	execv(self_path, argv);
	_exit(127);
}

int reap(pid_t pid, const char *what, int kill_ok, int ok_code)
{
	int status;

	while (waitpid(pid, &status, 0) != pid) {
		if (errno == EINTR)
			continue;
		report("%s: waitpid %d: %s", what, (int)pid, strerror(errno));
		return 1;
	}
	if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 ||
				  (ok_code && WEXITSTATUS(status) == ok_code)))
		return 0;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && kill_ok)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_BAD)
		return 1;	/* it reported what went wrong */
	if (WIFSIGNALED(status))
		report("%s: child %d killed by signal %d (%s)", what, (int)pid,
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		report("%s: child %d exited %d", what, (int)pid,
		       WEXITSTATUS(status));
	return 1;
}

/* ---- the roles ---- */

struct role_def {
	const char *name;
	void (*fn)(int idx);
	int count;
	int killable;
};

static const struct role_def role_defs[] = {
	{ "writer",	writer,		WRITERS,	0 },
	{ "churner",	churner,	CHURNERS,	1 },
	{ "flooder",	flooder,	1,		0 },
	{ "killer",	killer,		1,		0 },
	{ "migrator",	migrator,	2,		0 },
	{ "policy",	policy_changer,	1,		0 },
	{ "discarder",	discarder,	1,		0 },
	{ "destroyer",	destroyer,	1,		0 },
	{ "ipcns",	ipcns_role,	1,		0 },
	{ "listener",	listener,	1,		0 },
	{ "fuzzer",	fuzzer,		NR_FUZZ_AS,	0 },
};

static const char *const fuzz_names[NR_FUZZ_AS] = {
	"fuzz-root", "fuzz-nocaps", "fuzz-nobody", "fuzz-userns"
};

static void (*role_fn[MAX_ROLES])(int idx);

static pid_t start_role(int i)
{
	struct role *r = &sh->roles[i];
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		set_role(i);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		beat();
		role_fn[i](r->idx);
		_exit(0);
	}
	if (pid < 0) {
		report("fork for role %s: %s", r->name, strerror(errno));
		return -1;
	}
	r->pid = pid;
	r->beat_ns = now_ns();
	r->stall_reported = 0;
	return pid;
}

static int role_wanted(const char *list, const char *name)
{
	const char *p = list;
	size_t n = strlen(name);

	if (!list)
		return 1;
	while (p && *p) {
		if (!strncmp(p, name, n) && (p[n] == ',' || !p[n]))
			return 1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}

/* Print the kernel's view of a process that makes no progress. */
static void dump_task(pid_t pid)
{
	char path[320], buf[4096];
	struct dirent *de;
	DIR *d;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid,
			 de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n > 0) {
				buf[n] = 0;
				note("stall: task %s: %.120s", de->d_name, buf);
			}
		}
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", (int)pid,
			 de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n > 0) {
				char *line, *save;

				buf[n] = 0;
				for (line = strtok_r(buf, "\n", &save); line;
				     line = strtok_r(NULL, "\n", &save))
					note("stall: task %s:   %s", de->d_name, line);
			}
		}
	}
	closedir(d);
}

static void blocked_tasks_to_dmesg(void)
{
	/* SysRq-w: every task in D state, into the kernel log (if built). */
	write_str("/proc/sysrq-trigger", "w");
}

static void watchdog(void)
{
	uint64_t now = now_ns();
	int i;

	for (i = 0; i < sh->nroles; i++) {
		struct role *r = &sh->roles[i];
		uint64_t beat_ns = __atomic_load_n(&r->beat_ns, __ATOMIC_RELAXED);

		if (!r->pid || r->stall_reported || beat_ns >= now ||
		    now - beat_ns < (uint64_t)sh->hang_secs * 1000000000ULL)
			continue;
		r->stall_reported = 1;
		report("hang: role %s (pid %d) made no progress for %.0f s",
		       r->name, (int)r->pid, (now - beat_ns) / 1e9);
		dump_task(r->pid);
		blocked_tasks_to_dmesg();
	}
}

/* Reap what ended; respawn a killable role the killer took. */
static void reap_roles(int respawn)
{
	int status, i;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < sh->nroles; i++)
			if (sh->roles[i].pid == pid)
				break;
		if (i == sh->nroles)
			continue;	/* an orphan of a role, reparented */
		sh->roles[i].pid = 0;
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
		    sh->roles[i].killable) {
			if (respawn) {
				COUNT(churn_respawn);
				sh->roles[i].restarts++;
				start_role(i);
			}
			continue;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && sh->stop)
			continue;
		if (WIFSIGNALED(status))
			report("role %s (pid %d) killed by signal %d (%s)",
			       sh->roles[i].name, (int)pid, WTERMSIG(status),
			       strsignal(WTERMSIG(status)));
		else
			report("role %s (pid %d) exited %d", sh->roles[i].name,
			       (int)pid, WEXITSTATUS(status));
		if (respawn && !sh->stop) {
			sh->roles[i].restarts++;
			start_role(i);
		}
	}
}

/*
 * How long a trivial request waits: generic netlink runs requests of
 * families without parallel_ops under one kernel-wide mutex.
 */
static void nl_probe(struct mshare_nl *nl)
{
	struct mshare_module_info m = MSHARE_INIT(m);
	uint64_t t0 = now_ns(), dt;

	if (mshare_module_info(nl, &m))
		return;
	dt = now_ns() - t0;
	if (dt > sh->nl_probe_max_ns) {
		sh->nl_probe_max_ns = dt;
		snprintf(sh->nl_probe_during, ERRLEN, "at %.0f s", since_start());
	}
}

static int running_roles(void)
{
	int i, n = 0;

	for (i = 0; i < sh->nroles; i++)
		n += sh->roles[i].pid != 0;
	return n;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static unsigned long total_ops(void)
{
	unsigned long t = 0;
	int i;

	/* Signals and pages moved are not operations of their own. */
	for (i = 0; i < NR_OPS; i++)
		if (i != OP_usr1_received && i != OP_usr1_sent &&
		    i != OP_migrate_pages && i != OP_churn_verified)
			t += sh->ops[i];
	return t;
}

static void progress(void)
{
	note("progress: %lu operations, %lu errors; writes %lu, attaches %lu, forks %lu, "
	     "execs %lu, migrations %lu+%lu, discards %lu+%lu, destroys %lu, fuzz %lu nl + %lu ioctl, "
	     "SIGUSR1 %lu, SIGKILL %lu+%lu storms",
	     total_ops(), sh->errors, sh->ops[OP_writer_rewrite], sh->ops[OP_attach],
	     sh->ops[OP_churn_fork] + sh->ops[OP_writer_fork],
	     sh->ops[OP_churn_exec] + sh->ops[OP_writer_exec],
	     sh->ops[OP_migrate_range], sh->ops[OP_migrate_whole],
	     sh->ops[OP_discard_ioctl], sh->ops[OP_discard_nl],
	     sh->ops[OP_destroy_attached] + sh->ops[OP_create],
	     sh->ops[OP_fuzz_nl_root] + sh->ops[OP_fuzz_nl_nocaps] +
	     sh->ops[OP_fuzz_nl_nobody] + sh->ops[OP_fuzz_nl_userns],
	     sh->ops[OP_fuzz_ioctl], sh->ops[OP_usr1_sent],
	     sh->ops[OP_sigkill_single], sh->ops[OP_sigkill_storm]);
}

/* ---- setup and the final checks ---- */

static int nodes_online(void)
{
	return access("/sys/devices/system/node/node1", F_OK) ? 1 : 2;
}

static int create_stable_domains(struct mshare_nl *nl)
{
	struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_INIT;
	int i, err;

	/*
	 * The checked domain belongs to uid 1000, mode 0600: root attaches
	 * it through CAP_IPC_OWNER and changes it as ns-admin, while root
	 * without capabilities and nobody must be refused everything.
	 */
	o.uid = 1000;
	o.gid = 1000;
	o.mode = 0600;
	err = mshare_domain_create(nl, sh->stable, STABLE_SIZE, &o, NULL);
	if (err) {
		report("create %s: %s (%s)", sh->stable, strerror(-err), mshare_nl_extack(nl));
		return err;
	}
	for (i = 0; i < CHURN_DOMAINS; i++) {
		snprintf(sh->churn[i], MSHARE_NAME_MAX, "%sc%u", sh->prefix,
			 sh->churn_gen++);
		err = mshare_domain_create(nl, sh->churn[i], CHURN_SIZE, NULL, NULL);
		if (err) {
			report("create %s: %s (%s)", sh->churn[i], strerror(-err),
			       mshare_nl_extack(nl));
			return err;
		}
	}
	for (i = 0; i < FUZZ_DOMAINS; i++)
		snprintf(sh->fuzz[i], MSHARE_NAME_MAX, "%sfz%d", sh->prefix, i);
	for (i = 0; i < PUB_DOMAINS; i++)
		snprintf(sh->pub[i], MSHARE_NAME_MAX, "%spub%d", sh->prefix, i);
	return 0;
}

/* The checked domain holds exactly what its writers last wrote. */
static void final_data_check(void)
{
	uint64_t tag = tag_of(sh->stable), got, want;
	size_t size, pg, bad = 0;
	void *p;
	int err, w;

	err = attach_dom(sh->stable, 0, &p, &size);
	if (err) {
		report("final check: attach %s: %s", sh->stable, strerror(-err));
		return;
	}
	for (pg = 0; pg < STABLE_PAGES; pg++) {
		char *q = (char *)p + pg * PAGE;
		int exact = pg < OWNED_PAGES;
		uint32_t v = exact ? sh->version[pg] : 0;
		int ok = exact ? page_is(q, tag, pg, v) : page_valid(q, tag, pg);

		if (ok)
			continue;
		if (bad++ < 8) {
			w = first_bad_word(q, tag, pg, exact, v, &got, &want);
			report("final check: %s page %zu (%s, version %u): word %d is %#llx, want %#llx",
			       sh->stable, pg, exact ? "owned" : "scratch", v, w,
			       (unsigned long long)got, (unsigned long long)want);
		}
	}
	munmap(p, size);
	note("final check: %zu of %lu pages of %s bad (owned pages: exact version; scratch: valid words)",
	     bad, (unsigned long)STABLE_PAGES, sh->stable);
}

struct names {
	int n;
	char name[256][MSHARE_NAME_MAX];
};

static void collect(const struct mshare_domain_info *d, void *arg)
{
	struct names *l = arg;

	if (l->n < 256)
		strcpy(l->name[l->n++], d->name);
}

/* Destroy every domain of this namespace; wait for the counters to be 0. */
static int final_cleanup(struct mshare_nl *nl, struct mshare_module_info *m)
{
	struct names *l = calloc(1, sizeof(*l));
	int i, err, round;

	for (round = 0; round < 4 && l; round++) {
		l->n = 0;
		err = mshare_domain_dump(nl, collect, l);
		if (err < 0) {
			report("final dump: %s", strerror(-err));
			break;
		}
		if (!l->n)
			break;
		for (i = 0; i < l->n; i++) {
			err = mshare_domain_destroy(nl, l->name[i]);
			if (err && err != -ENOENT)
				report("final destroy %s: %s (%s)", l->name[i],
				       strerror(-err), mshare_nl_extack(nl));
		}
		note("final cleanup: destroyed %d domains", l->n);
	}
	free(l);
	for (i = 0; i < 600; i++) {
		err = mshare_module_info(nl, m);
		if (err) {
			report("final module info: %s", strerror(-err));
			return -1;
		}
		if (!m->domains && !m->data_pages && !m->table_pages)
			return 0;
		sleep_s(0.1);
	}
	report("module counters not 0 60 s after every domain was destroyed: "
	       "domains %u, data pages %llu, table pages %llu", m->domains,
	       (unsigned long long)m->data_pages,
	       (unsigned long long)m->table_pages);
	return -1;
}

static void summary(double secs, const struct mshare_module_info *m, int mok)
{
	int i, n;

	printf("soak: ---- summary ----\n");
	printf("soak: ran %.0f s with %d roles\n", secs, sh->nroles);
	for (i = 0; i < sh->nroles; i++)
		if (sh->roles[i].restarts)
			printf("soak: role %s restarted %lu times\n",
			       sh->roles[i].name, sh->roles[i].restarts);
	for (i = 0; i < NR_OPS; i++)
		printf("soak: ops %-20s %lu\n", op_names[i], sh->ops[i]);
	printf("soak: fuzz netlink replies by errno:");
	for (i = n = 0; i < 160; i++)
		if (sh->nl_errno[i])
			printf("%s %s %lu", n++ ? "," : "", i ? strerror(i) : "0 (ok)",
			       sh->nl_errno[i]);
	printf("\nsoak: fuzz ioctl/mmap results by errno:");
	for (i = n = 0; i < 160; i++)
		if (sh->ioctl_errno[i])
			printf("%s %s %lu", n++ ? "," : "", i ? strerror(i) : "0 (ok)",
			       sh->ioctl_errno[i]);
	printf("\nsoak: module at the end: %sdomains %u, data pages %llu, table pages %llu\n",
	       mok ? "" : "(NOT 0) ", m->domains, (unsigned long long)m->data_pages,
	       (unsigned long long)m->table_pages);
	printf("soak: slowest GET_INFO round trip of the supervisor (one a second): %.3f s %s\n",
	       sh->nl_probe_max_ns / 1e9, sh->nl_probe_during);
	printf("soak: %lu errors\n", sh->errors);
	for (i = 0; i < sh->nkinds; i++)
		printf("soak: error kind %d: %lu x (first at %.1f s): %s\n", i + 1,
		       sh->kind[i].count, sh->kind[i].first_s, sh->kind[i].text);
	for (i = 0; i < 16 && i < (int)sh->errors; i++)
		printf("soak: error %d: %s\n", i + 1, sh->errlog[i]);
	if (sh->errors > 16)
		printf("soak: (%lu more errors, every one in the log above)\n",
		       sh->errors - 16);
	printf("soak: RESULT: %s: %.0f s, %lu operations, %lu SIGUSR1, %lu errors, module counters %s\n",
	       sh->errors ? "FAIL" : "PASS", secs, total_ops(),
	       sh->ops[OP_usr1_sent], sh->errors, mok ? "0" : "not 0");
	fflush(stdout);
}

static void usage_error(const char *msg)
{
	fprintf(stderr, "mshare-soak: %s (usage: mshare-soak [-t SECONDS] "
		"[-r ROLE,...] [-H HANG_SECS])\n", msg);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *roles = getenv("SOAK_ROLES");
	struct mshare_module_info m = MSHARE_INIT(m);
	int secs = 120, opt, i, j, mok;
	struct mshare_nl *nl;
	struct utsname u;
	ssize_t n;
	char *end;
	double ran;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n > 0)
		self_path[n] = 0;

	/* An exec'd child: --exec SHM_FD ROLE ARGS... */
	if (argc >= 4 && !strcmp(argv[1], "--exec")) {
		int fd = atoi(argv[2]);

		sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED,
			  fd, 0);
		if (sh == MAP_FAILED)
			_exit(126);
		snprintf(shm_arg, sizeof(shm_arg), "%d", fd);
		install_usr1();
		block_usr1(0);
		exec_child_main(argc - 3, argv + 3);
		_exit(127);
	}

	while ((opt = getopt(argc, argv, "t:r:H:h")) != -1) {
		switch (opt) {
		case 't':
			secs = strtol(optarg, &end, 10);
			if (*end || secs < 1)
				usage_error("-t needs a number of seconds >= 1");
			break;
		case 'r':
			roles = optarg;
			break;
		case 'H':
			break;
		default:
			usage_error("unknown option");
		}
	}
	if (optind != argc)
		usage_error("unexpected argument");

	/* The shared state lives in a memfd, so that exec'd children find it. */
	{
		int fd = memfd_create("mshare-soak", 0);

		if (fd < 0 || ftruncate(fd, sizeof(*sh)))
			usage_error("memfd for the shared state failed");
		sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED,
			  fd, 0);
		if (sh == MAP_FAILED)
			usage_error("mmap of the shared state failed");
		snprintf(shm_arg, sizeof(shm_arg), "%d", fd);
	}
	sh->start_ns = now_ns();
	sh->hang_secs = 300;
	optind = 1;
	while ((opt = getopt(argc, argv, "t:r:H:h")) != -1)
		if (opt == 'H') {
			sh->hang_secs = strtol(optarg, &end, 10);
			if (*end || sh->hang_secs < 10)
				usage_error("-H needs a number of seconds >= 10");
		}
	sh->nodes = nodes_online();
	snprintf(sh->prefix, sizeof(sh->prefix), "soak-%d-", (int)getpid() % 100000);
	snprintf(sh->stable, MSHARE_NAME_MAX, "%sstable", sh->prefix);

	for (i = 0; i < (int)(sizeof(role_defs) / sizeof(role_defs[0])); i++) {
		if (!role_wanted(roles, role_defs[i].name))
			continue;
		for (j = 0; j < role_defs[i].count; j++) {
			struct role *r = &sh->roles[sh->nroles];

			if (role_defs[i].fn == fuzzer)
				snprintf(r->name, sizeof(r->name), "%s", fuzz_names[j]);
			else
				snprintf(r->name, sizeof(r->name), "%s%d",
					 role_defs[i].name, j);
			r->idx = j;
			r->killable = role_defs[i].killable;
			role_fn[sh->nroles++] = role_defs[i].fn;
		}
	}
	if (!sh->nroles)
		usage_error("-r names no known role");

	uname(&u);
	note("start: %d s, kernel %s, %ld CPUs, %d NUMA node(s), %d roles, hang limit %d s",
	     secs, u.release, sysconf(_SC_NPROCESSORS_ONLN), sh->nodes, sh->nroles,
	     sh->hang_secs);
	install_usr1();
	err = nl_open(&nl);
	if (err) {
		fprintf(stderr, "mshare-soak: netlink: %s (module loaded?)\n", strerror(-err));
		return 1;
	}
	if (create_stable_domains(nl))
		return 1;

	sh->end_ns = now_ns() + (uint64_t)secs * 1000000000ULL;
	for (i = 0; i < sh->nroles; i++)
		start_role(i);

	{
		uint64_t next_progress = now_ns() + 60000000000ULL;

		while (now_ns() < sh->end_ns) {
			sleep_s(1);
			reap_roles(1);
			watchdog();
			nl_probe(nl);
			if (now_ns() >= next_progress) {
				progress();
				next_progress += 60000000000ULL;
			}
		}
	}
	ran = (now_ns() - sh->start_ns) / 1e9;
	note("stopping the roles");
	sh->quiesce = 1;
	sh->stop = 1;
	{
		uint64_t deadline = now_ns() + (uint64_t)sh->hang_secs * 1000000000ULL;

		while (running_roles() && now_ns() < deadline) {
			sleep_s(0.2);
			reap_roles(0);
		}
	}
	if (running_roles()) {
		for (i = 0; i < sh->nroles; i++) {
			if (!sh->roles[i].pid)
				continue;
			report("hang: role %s (pid %d) did not stop within %d s",
			       sh->roles[i].name, (int)sh->roles[i].pid, sh->hang_secs);
			dump_task(sh->roles[i].pid);
			kill(sh->roles[i].pid, SIGKILL);
		}
		blocked_tasks_to_dmesg();
		for (i = 0; i < 300 && running_roles(); i++) {
			sleep_s(0.2);
			reap_roles(0);
		}
		if (running_roles())
			report("hang: %d roles survive SIGKILL for 60 s", running_roles());
	}
	/* Orphans of killed churners (PDEATHSIG takes them), then settle. */
	sleep_s(1);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	progress();

	final_data_check();
	mok = final_cleanup(nl, &m) == 0;
	mshare_nl_close(nl);
	summary(ran, &m, mok);
	return sh->errors ? 1 : 0;
}
