/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mshare-soak: everything the module does, at once, for minutes, on the
 * debug kernel (Documentation/testing.rst, "The soak tier").  This header
 * holds what the roles share: the state in a MAP_SHARED page every
 * process of the soak sees, the operation counters, error reporting, the
 * self-checking data words and small helpers.
 *
 * Files: main.c (options, domains, starting and watching the roles, the
 * final checks and the summary), data.c (writers that check their data,
 * the attach/fault/fork/exec/exit churn), chaos.c (signal floods, SIGKILL
 * storms, discards, migrations, policy changes, destroy-while-attached,
 * IPC namespaces, the event listener), fuzz.c (ioctl, mmap and netlink
 * fuzzing as root, as root without capabilities, as nobody, and as nobody
 * in its own user and IPC namespaces).
 */
#ifndef MSHARE_SOAK_H
#define MSHARE_SOAK_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "mshare_nl.h"
#include "mshare_util.h"

#define WORDS		(PAGE / 8)

/* The checked domain: owned pages (exact versions), then scratch pages. */
#define STABLE_SIZE	(32 * MiB)
#define STABLE_PAGES	(STABLE_SIZE / PAGE)
#define OWNED_PAGES	(STABLE_PAGES / 2)
#define WRITERS		2		/* processes */
#define WRITER_THREADS	2
#define WSLOTS		(WRITERS * WRITER_THREADS)

/* Churn domains: per-slot strict pages, then scratch pages. */
#define CHURN_DOMAINS	4
#define CHURN_SIZE	(16 * MiB)
#define CHURNERS	3		/* processes, respawned when killed */
#define CHURN_THREADS	2
#define CSLOTS		(CHURNERS * CHURN_THREADS)
#define SLOT_PAGES	16		/* strict pages per churn slot */
#define STRICT_PAGES	(CSLOTS * SLOT_PAGES)

/* Domains for the fuzzers: root's, and nobody's (mode 0666). */
#define FUZZ_DOMAINS	4
#define PUB_DOMAINS	2
#define PUB_SIZE	(8 * MiB)

#define MAX_ROLES	32
#define MAX_ERRLOG	64
#define MAX_KINDS	48
#define ERRLEN		240

/* Operation kinds, counted in the shared state and printed at the end. */
#define SOAK_OPS(X)							\
	X(writer_rewrite)  X(writer_remap)   X(writer_fork)		\
	X(writer_exec)     X(writer_dontneed) X(writer_discard)		\
	X(attach)          X(attach_enoent)  X(churn_fork)		\
	X(churn_exec)      X(churn_exit_mapped) X(churn_mmap)		\
	X(double_map_busy)						\
	X(churn_munmap_part) X(churn_dontneed) X(churn_walk)		\
	X(churn_verified)  X(churn_killed_child) X(churn_respawn)	\
	X(usr1_sent)       X(usr1_received)  X(sigkill_single)		\
	X(sigkill_storm)						\
	X(discard_ioctl)   X(discard_nl)     X(discard_enoent)		\
	X(migrate_range)   X(migrate_whole)  X(migrate_eintr)		\
	X(migrate_enoent)  X(migrate_pages)  X(policy_set)		\
	X(destroy)         X(destroy_attached) X(create)		\
	X(create_same_name)						\
	X(ipcns_rounds)    X(ipcns_domains)				\
	X(events)          X(events_enobufs)				\
	X(fuzz_nl_root)    X(fuzz_nl_nocaps) X(fuzz_nl_nobody)		\
	X(fuzz_nl_userns)  X(fuzz_nl_ok)     X(fuzz_nl_raw)		\
	X(fuzz_ioctl)      X(fuzz_ioctl_badptr) X(fuzz_mmap)		\
	X(fuzz_vma)        X(fuzz_denied)

#define SOAK_ENUM(n) OP_##n,
enum soak_op { SOAK_OPS(SOAK_ENUM) NR_OPS };
#undef SOAK_ENUM

/* One running role: what the watchdog looks at. */
struct role {
	char name[24];
	pid_t pid;		/* 0: not running */
	int killable;		/* SIGKILL storms may take it (respawned) */
	int idx;		/* argument of its function */
	unsigned long restarts;
	uint64_t beat_ns;	/* CLOCK_MONOTONIC of its last progress */
	int stall_reported;
};

struct shared {
	volatile int stop;
	volatile int quiesce;		/* end of run: no new kills or signals */
	uint64_t start_ns, end_ns;
	int nodes;			/* NUMA nodes online (1 or 2) */
	int hang_secs;
	char prefix[16];		/* "soak-<pid>-" */
	char stable[MSHARE_NAME_MAX];
	char fuzz[FUZZ_DOMAINS][MSHARE_NAME_MAX];
	char pub[PUB_DOMAINS][MSHARE_NAME_MAX];
	int lock;			/* guards churn[] */
	char churn[CHURN_DOMAINS][MSHARE_NAME_MAX];
	unsigned int churn_gen;
	uint32_t version[OWNED_PAGES];	/* last complete rewrite */
	uint32_t slot_gen[CSLOTS];	/* generation of a churn slot's data */
	pid_t churn_pgrp;		/* process group of the churners */
	pid_t writer_pids[WRITERS];
	unsigned long ops[NR_OPS];
	unsigned long nl_errno[160];	/* fuzz replies per errno */
	unsigned long ioctl_errno[160];
	unsigned long errors;
	char errlog[MAX_ERRLOG][ERRLEN];
	int kinds_lock;			/* guards kind[] */
	int nkinds;
	struct {
		char text[ERRLEN];	/* the message, numbers as '#' */
		unsigned long count;
		double first_s;
	} kind[MAX_KINDS];
	uint64_t nl_probe_max_ns;	/* slowest GET_INFO of the supervisor */
	char nl_probe_during[ERRLEN];
	int nroles;
	struct role roles[MAX_ROLES];
};

extern struct shared *sh;
extern const char *const op_names[NR_OPS];

/* ---- counting, errors, progress ---- */

#define COUNT(op)	__atomic_fetch_add(&sh->ops[OP_##op], 1, __ATOMIC_RELAXED)
#define COUNT_N(op, n)	__atomic_fetch_add(&sh->ops[OP_##op], (n), __ATOMIC_RELAXED)

/* An error: a lost or foreign write, an errno the ABI does not allow... */
void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A line for the log, with the time since the start. */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t now_ns(void);
/* The calling role made progress (the watchdog reads it). */
void beat(void);
/* This process is role @i (for beat()). */
void set_role(int i);
void lock_names(void);
void unlock_names(void);
/* A copy of churn domain name @i. */
void churn_name(int i, char *out);
void count_errno(unsigned long *tab, int err);

/* ---- random numbers, self-checking words ---- */

uint64_t rnd(uint64_t *s);
uint64_t seed(void);
uint64_t tag_of(const char *name);
uint64_t word(uint64_t tag, size_t pg, size_t i, uint32_t v);
/* Every word zero or a valid word of page @pg. */
int page_valid(const void *p, uint64_t tag, size_t pg);
/* Every word is version @v of page @pg (v == 0: all zero). */
int page_is(const void *p, uint64_t tag, size_t pg, uint32_t v);
void page_write(void *p, uint64_t tag, size_t pg, uint32_t v);
/* A few words of page @pg with random versions. */
void page_scribble(void *p, uint64_t tag, size_t pg, uint64_t *rs);
/* The first word that breaks page_valid()/page_is(), for reports. */
int first_bad_word(const void *p, uint64_t tag, size_t pg, int exact,
		   uint32_t v, uint64_t *got, uint64_t *want);

/* ---- signals and processes ---- */

/* SIGUSR1 counts itself and returns (SA_RESTART). */
void install_usr1(void);
/* Block SIGUSR1 (around exec: the new image installs its handler first). */
void block_usr1(int block);
/* Re-exec this program as role @role with @args (NULL-terminated). */
void exec_self(const char *role, char *const args[]);
/*
 * Reap @pid.  0 if it exited 0 (or was SIGKILLed with @kill_ok, or exited
 * with one of the codes @ok_code), else 1 after reporting (SIGBUS,
 * SIGSEGV, a non-zero exit...).
 */
int reap(pid_t pid, const char *what, int kill_ok, int ok_code);

/* Exit codes of exec'd children. */
#define EXIT_ENOENT	10	/* the domain name was gone */
#define EXIT_BAD	11	/* it reported an error */

/* ---- the roles ---- */

void writer(int idx);
void churner(int idx);
void exec_child_main(int argc, char **argv);
void flooder(int idx);
void killer(int idx);
void migrator(int idx);
void policy_changer(int idx);
void discarder(int idx);
void destroyer(int idx);
void ipcns_role(int idx);
void listener(int idx);
void fuzzer(int idx);		/* idx: FUZZ_AS_* */

enum { FUZZ_AS_ROOT, FUZZ_AS_NOCAPS, FUZZ_AS_NOBODY, FUZZ_AS_USERNS,
	NR_FUZZ_AS };

/* NUMA policy helpers (chaos.c) */
void random_numa(struct mshare_numa *n, uint64_t *rs);

#endif /* MSHARE_SOAK_H */
