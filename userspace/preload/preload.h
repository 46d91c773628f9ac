/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmshare-preload: what its two halves share.  libmshare-preload.c holds
 * the configuration, the real functions and the mmap path; sysv.c the
 * System V shared memory path.  Everything here is hidden (the library is
 * built with -fvisibility=hidden): only the interposed calls are exported.
 */
#ifndef MSHARE_PRELOAD_H
#define MSHARE_PRELOAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mshare_nl.h"

#define EXPORT		__attribute__((visibility("default")))
#define CHUNK		((size_t)MSHARE_SIZE_ALIGN)	/* 2 MiB */

typedef void *(*mmap_fn)(void *, size_t, int, int, int, off_t);
typedef int (*munmap_fn)(void *, size_t);

/* Configuration (the environment), read once by preload_init(). */
extern bool preload_enabled;		/* MSHARE_PRELOAD */
extern bool preload_debug;		/* MSHARE_PRELOAD_DEBUG */
extern bool preload_sysv;		/* MSHARE_PRELOAD_SYSV */
extern unsigned long long preload_min;	/* MSHARE_PRELOAD_MIN */
/* MSHARE_PRELOAD_NUMA: the policy of every domain made (policy -1: none). */
extern struct mshare_numa preload_numa;

extern mmap_fn real_mmap;
extern munmap_fn real_munmap;

/*
 * Guards the mmap path's regions, the System V attachments and the
 * metadata cache; held across fork() (pthread_atfork).
 */
extern pthread_mutex_t preload_lock;
/* Set while this thread is inside the library (libmshare and libnl map). */
extern __thread int preload_busy;

/* Read the environment and find the real functions, once per process. */
void preload_init(void);
/* A line on stderr with MSHARE_PRELOAD_DEBUG set. */
void preload_dbg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A line on stderr, always. */
void preload_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* sysv.c: find the real shmget, shmat, shmdt, shmctl (from preload_init). */
void sysv_init(void);
/*
 * sysv.c: [lo, hi) was unmapped, remapped or mapped over: forget the
 * System V attachments there.  Caller holds preload_lock.
 */
void sysv_forget_locked(uintptr_t lo, uintptr_t hi);

#endif /* MSHARE_PRELOAD_H */
