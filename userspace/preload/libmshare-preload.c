// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libmshare-preload: LD_PRELOAD adoption library for mshare.
 *
 * Every mmap(MAP_SHARED | MAP_ANONYMOUS, PROT_READ | PROT_WRITE) of at least
 * MSHARE_PRELOAD_MIN bytes is served by a fresh, zero-filled mshare domain
 * instead: the library creates a domain sized to the request rounded up to
 * 2 MiB, attaches (maps) all of it, and destroys its name at once.  The
 * mappings keep the domain alive (and so do children that inherit them by
 * fork); it is freed when its last mapping goes.  Everything else, and any
 * request the module refuses, goes to the real mmap().
 *
 * System V segments of at least the same size (shmget, shmat, shmdt,
 * shmctl) live in domains too: see sysv.c.
 *
 * Environment (read once, at the first call); a malformed value is
 * reported once on stderr and the default kept:
 *   MSHARE_PRELOAD=0|1        off switch (default 1)
 *   MSHARE_PRELOAD_MIN=SIZE   threshold, bytes with optional K/M/G/T suffix
 *                             (default 64M)
 *   MSHARE_PRELOAD_PREFIX=S   domain name prefix (default "preload"); names
 *                             are S-PID-N
 *   MSHARE_PRELOAD_SYSV=0|1   System V segments too (default 1)
 *   MSHARE_PRELOAD_NUMA=P     NUMA policy of every domain made: local,
 *                             bind:N, preferred:N, interleave:N,N,...,
 *                             auto or auto:N (default: the module's)
 *   MSHARE_PRELOAD_DEBUG=0|1  log decisions and failures on stderr
 *
 * See Documentation/preload.rst.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mshare.h"
#include "preload.h"

#define DEFAULT_MIN	(64ULL << 20)
#define NAME_TRIES	8

typedef void *(*mremap_fn)(void *, size_t, size_t, int, ...);

mmap_fn real_mmap;
munmap_fn real_munmap;
static mmap_fn real_mmap64;
static mremap_fn real_mremap;

/* Configuration, set once by init(). */
bool preload_enabled;
bool preload_debug;
bool preload_sysv;
unsigned long long preload_min = DEFAULT_MIN;
struct mshare_numa preload_numa = { .policy = -1 };
static char prefix[32] = "preload";

/*
 * A preloaded region: the whole domain mapping [start, start + dom_size);
 * the caller asked for [start, start + req_size) (page-rounded).  @live
 * has one bit per 2 MiB chunk still mapped; the region is forgotten when
 * it is all gone.
 */
struct region {
	struct region *next;
	uintptr_t start;
	size_t req_size, dom_size;
	size_t nlive;
	unsigned long live[];
};

#define LBITS	(8 * sizeof(unsigned long))

static struct region *regions;
pthread_mutex_t preload_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long seq;		/* N of the next domain name */
static int sticky_err;			/* EPERM/ENOENT seen: stop trying */
static pthread_once_t once = PTHREAD_ONCE_INIT;
__thread int preload_busy __attribute__((tls_model("initial-exec")));

/* One line "libmshare-preload[PID]: ..." on stderr, with one write(). */
static void vlog(const char *fmt, va_list ap)
{
	char buf[320];
	int n;

	n = snprintf(buf, sizeof(buf), "libmshare-preload[%d]: ", (int)getpid());
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	if (n >= (int)sizeof(buf) - 1)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, n) < 0)
		return;
}

void preload_dbg(const char *fmt, ...)
{
	va_list ap;

	if (!preload_debug)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void preload_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

/*
 * "64M", "1g", "65536", "0x10000": bytes (decimal, or hexadecimal after
 * "0x"; a leading 0 is not octal), or -1 when malformed.
 */
static long long parse_size(const char *s)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	unsigned long long v, mul = 1;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, hex ? 16 : 10);
	if (errno)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'T': mul <<= 10; /* fall through */
	case 'G': mul <<= 10; /* fall through */
	case 'M': mul <<= 10; /* fall through */
	case 'K': mul <<= 10; end++; break;
	case 0: break;
	default: return -1;
	}
	if (*end || v > (unsigned long long)INT64_MAX / mul)
		return -1;
	return v * mul;
}

static bool valid_prefix(const char *s)
{
	size_t n = strlen(s);

	/* prefix-PID-N must fit in 63 characters: leave 32 for -PID-N. */
	if (n == 0 || n >= sizeof(prefix))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return false;
	return true;
}

static void atfork_prepare(void) { pthread_mutex_lock(&preload_lock); }
static void atfork_release(void) { pthread_mutex_unlock(&preload_lock); }

/*
 * A switch: unset or empty keeps @def, "0" and "1" set it; anything else
 * is reported (once: init() runs once per process) and keeps @def.
 */
static bool env_switch(const char *name, bool def)
{
	const char *e = getenv(name);

	if (!e || !*e)
		return def;
	if (!strcmp(e, "0") || !strcmp(e, "1"))
		return *e == '1';
	preload_warn("%s=%s is not 0 or 1; using %d", name, e, def);
	return def;
}

/*
 * MSHARE_PRELOAD_NUMA: "POLICY" or "POLICY:NODES" (msharectl's policies;
 * NODES one node, or for interleave a comma-separated list).  0 and
 * @numa, or -1.
 */
static int parse_numa(const char *s, struct mshare_numa *numa)
{
	char word[16];
	size_t n = strcspn(s, ":");
	const char *p;
	char *end;
	unsigned long v;
	int pol;

	if (!n || n >= sizeof(word))
		return -1;
	memcpy(word, s, n);
	word[n] = 0;
	pol = mshare_numa_policy_parse(word);
	if (pol < 0)
		return -1;
	numa->policy = pol;
	numa->nr_nodes = 0;
	p = s + n;
	if (!*p) {
		/* bind, preferred and interleave need nodes */
		return pol == MSHARE_NUMA_LOCAL || pol == MSHARE_NUMA_AUTO ? 0 : -1;
	}
	if (pol == MSHARE_NUMA_LOCAL)
		return -1;
	do {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || v > INT32_MAX || (*end && *end != ','))
			return -1;
		if (numa->nr_nodes >= MSHARE_NUMA_NODES_MAX ||
		    (numa->nr_nodes && pol != MSHARE_NUMA_INTERLEAVE))
			return -1;
		numa->nodes[numa->nr_nodes++] = v;
		p = end;
	} while (*p == ',');
	return 0;
}

static void init(void)
{
	const char *e;
	long long v;

	real_mmap = (mmap_fn)dlsym(RTLD_NEXT, "mmap");
	real_mmap64 = (mmap_fn)dlsym(RTLD_NEXT, "mmap64");
	real_munmap = (munmap_fn)dlsym(RTLD_NEXT, "munmap");
	real_mremap = (mremap_fn)dlsym(RTLD_NEXT, "mremap");
	if (!real_mmap64)
		real_mmap64 = real_mmap;

	/* Malformed values are reported whether or not debugging is on. */
	preload_debug = env_switch("MSHARE_PRELOAD_DEBUG", false);
	preload_enabled = env_switch("MSHARE_PRELOAD", true);
	preload_sysv = env_switch("MSHARE_PRELOAD_SYSV", true);
	e = getenv("MSHARE_PRELOAD_MIN");
	if (e) {
		v = parse_size(e);
		if (v < 0)
			preload_warn("MSHARE_PRELOAD_MIN=%s is not a size (bytes, optional K, M, G or T); using %llu",
				     e, preload_min);
		else
			preload_min = v;
	}
	e = getenv("MSHARE_PRELOAD_PREFIX");
	if (e) {
		if (valid_prefix(e))
			strcpy(prefix, e);
		else
			preload_warn("MSHARE_PRELOAD_PREFIX=%s is not 1-31 characters of [A-Za-z0-9._-]; using %s",
				     e, prefix);
	}
	e = getenv("MSHARE_PRELOAD_NUMA");
	if (e && *e && parse_numa(e, &preload_numa)) {
		preload_numa.policy = -1;
		preload_warn("MSHARE_PRELOAD_NUMA=%s is not local, bind:N, preferred:N, interleave:N,N..., auto or auto:N; using the module's default",
			     e);
	}
	if (!real_mmap || !real_munmap || !real_mremap) {
		preload_enabled = false;
		preload_warn("the real mmap/munmap/mremap not found: disabled");
	}
	sysv_init();
	pthread_atfork(atfork_prepare, atfork_release, atfork_release);
	preload_dbg("%s, min %llu bytes, prefix %s, System V %s, NUMA policy %s",
		    preload_enabled ? "enabled" : "disabled", preload_min, prefix,
		    preload_sysv ? "on" : "off",
		    preload_numa.policy < 0 ? "the module's" :
		    mshare_numa_policy_name(preload_numa.policy));
}

void preload_init(void)
{
	pthread_once(&once, init);
}

__attribute__((constructor)) static void preload_ctor(void)
{
	preload_init();
}

/* ---- regions (callers hold preload_lock) ---- */

static struct region *region_new(uintptr_t start, size_t req, size_t dom)
{
	size_t chunks = dom / CHUNK, words = (chunks + LBITS - 1) / LBITS, i;
	struct region *r = calloc(1, sizeof(*r) + words * sizeof(unsigned long));

	if (!r)
		return NULL;
	r->start = start;
	r->req_size = req;
	r->dom_size = dom;
	r->nlive = chunks;
	for (i = 0; i < chunks; i++)
		r->live[i / LBITS] |= 1UL << (i % LBITS);
	return r;
}

static void region_forget(struct region **pp)
{
	struct region *r = *pp;

	*pp = r->next;
	preload_dbg("forgot region %#lx+%zu", (unsigned long)r->start, r->dom_size);
	free(r);
}

/* Mark the chunks of @r inside [lo, hi) unmapped; forget @r when none is left. */
static void region_unmapped(struct region **pp, uintptr_t lo, uintptr_t hi)
{
	struct region *r = *pp;
	uintptr_t a = lo > r->start ? lo : r->start;
	uintptr_t b = hi < r->start + r->dom_size ? hi : r->start + r->dom_size;
	size_t i;

	/* Only whole chunks: the module refuses other splits. */
	a = r->start + (a - r->start + CHUNK - 1) / CHUNK * CHUNK;
	b = r->start + (b - r->start) / CHUNK * CHUNK;
	for (; a < b; a += CHUNK) {
		i = (a - r->start) / CHUNK;
		if (r->live[i / LBITS] & (1UL << (i % LBITS))) {
			r->live[i / LBITS] &= ~(1UL << (i % LBITS));
			r->nlive--;
		}
	}
	if (!r->nlive)
		region_forget(pp);
}

static bool overlaps(const struct region *r, uintptr_t lo, uintptr_t hi)
{
	return lo < r->start + r->dom_size && r->start < hi;
}

/* ---- the domain ---- */

static bool sticky(int err)
{
	return err == -EPERM || err == -ENOENT || err == -EACCES;
}

/*
 * Map a fresh domain of @dom bytes: its address, or NULL (errno-less: the
 * caller falls back to the real mmap).  Called with preload_lock held.
 */
static void *domain_map(size_t req, size_t dom, bool populate)
{
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;
	char name[MSHARE_NAME_MAX];
	struct mshare_domain_info info = MSHARE_INIT(info);
	struct mshare_nl *nl;
	struct region *r;
	size_t size = 0;
	void *p = NULL;
	int err, tries;

	nl = mshare_nl_open();
	err = nl ? 0 : -errno;
	if (err) {
		preload_dbg("netlink: %s (module not loaded?): using the real mmap",
		    strerror(-err));
		if (sticky(err))
			sticky_err = err;
		return NULL;
	}
	opts.mode = 0600;
	opts.numa = preload_numa;
	if (populate)
		opts.flags = MSHARE_DOMAIN_F_PREFAULT;
	for (tries = 0; tries < NAME_TRIES; tries++) {
		snprintf(name, sizeof(name), "%s-%d-%lu", prefix, (int)getpid(), seq++);
		err = mshare_domain_create(nl, name, dom, &opts, &info);
		if (err != -EEXIST)
			break;
	}
	if (err) {
		preload_dbg("create %s (%zu bytes): %s%s%s: using the real mmap", name, dom,
		    strerror(-err), mshare_nl_extack(nl)[0] ? ": " : "", mshare_nl_extack(nl));
		if (err == -EPERM)
			sticky_err = err;
		goto out;
	}
	p = mshare_attach(name, 0, &size);
	if (!p || size != dom) {
		preload_dbg("attach %s: %s: using the real mmap", name,
		    !p ? strerror(errno) : "wrong size");
		if (p)
			real_munmap(p, size);
		p = NULL;
	}
	/* The mapping keeps the domain; the name is not needed any more. */
	err = mshare_domain_destroy(nl, name);
	if (err)
		preload_dbg("destroy %s: %s (the name is left behind)", name, strerror(-err));
	if (!p)
		goto out;
	r = region_new((uintptr_t)p, req, dom);
	if (!r) {
		preload_dbg("out of memory for the bookkeeping: using the real mmap");
		real_munmap(p, dom);
		p = NULL;
		goto out;
	}
	r->next = regions;
	regions = r;
	preload_dbg("%zu bytes: domain %s (%zu bytes) at %p", req, name, dom, p);
out:
	mshare_nl_close(nl);
	return p;
}

/* A request the library takes: shared anonymous read-write, no MAP_FIXED. */
static bool eligible(size_t len, int prot, int flags)
{
	const int ok_flags = MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE | MAP_POPULATE;

	return preload_enabled && !sticky_err && !preload_busy &&
	       (flags & MAP_TYPE) == MAP_SHARED && (flags & MAP_ANONYMOUS) &&
	       !(flags & ~ok_flags) &&
	       prot == (PROT_READ | PROT_WRITE) &&
	       len >= preload_min && len <= SIZE_MAX - CHUNK;
}

static void *do_mmap(mmap_fn real, void *addr, size_t len, int prot, int flags,
		     int fd, off_t off)
{
	size_t req, dom;
	void *p;

	preload_init();
	if (!real)
		return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
	if (!eligible(len, prot, flags)) {
		p = real(addr, len, prot, flags, fd, off);
		/* A fixed mapping may replace a System V attachment. */
		if (p != MAP_FAILED && (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) &&
		    !preload_busy) {
			pthread_mutex_lock(&preload_lock);
			sysv_forget_locked((uintptr_t)p, (uintptr_t)p + len);
			pthread_mutex_unlock(&preload_lock);
		}
		return p;
	}

	req = (len + getpagesize() - 1) & ~((size_t)getpagesize() - 1);
	dom = (len + CHUNK - 1) & ~(CHUNK - 1);
	preload_busy++;
	pthread_mutex_lock(&preload_lock);
	p = sticky_err ? NULL : domain_map(req, dom, flags & MAP_POPULATE);
	pthread_mutex_unlock(&preload_lock);
	preload_busy--;
	return p ? p : real(addr, len, prot, flags, fd, off);
}

EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return do_mmap(real_mmap, addr, len, prot, flags, fd, off);
}

EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return do_mmap(real_mmap64, addr, len, prot, flags, fd, off);
}

/*
 * munmap: a range reaching the end of what the caller asked for also takes
 * the hidden tail of the domain (up to the next 2 MiB), so that
 * munmap(p, len) of mmap(len) unmaps everything.  The rest is the real
 * munmap: the module allows a part only at 2 MiB boundaries (EINVAL
 * otherwise).  Unmapped chunks are tracked; a region all gone is forgotten.
 */
EXPORT int munmap(void *addr, size_t len)
{
	uintptr_t lo = (uintptr_t)addr, hi, ext;
	struct region **pp;
	int ret;

	preload_init();
	if (!real_munmap)
		return syscall(SYS_munmap, addr, len);
	if (preload_busy || !len || len > UINTPTR_MAX - lo)
		return real_munmap(addr, len);
	hi = lo + ((len + getpagesize() - 1) & ~((size_t)getpagesize() - 1));

	pthread_mutex_lock(&preload_lock);
	ext = hi;
	for (pp = &regions; *pp; pp = &(*pp)->next) {
		struct region *r = *pp;

		if (overlaps(r, lo, hi) && hi >= r->start + r->req_size &&
		    hi < r->start + r->dom_size && r->start + r->dom_size > ext)
			ext = r->start + r->dom_size;
	}
	if (ext != hi)
		preload_dbg("munmap %p+%zu: up to the domain's end, %zu bytes", addr, len,
		    (size_t)(ext - lo));
	ret = real_munmap(addr, ext - lo);
	if (!ret) {
		sysv_forget_locked(lo, ext);
		for (pp = &regions; *pp;) {
			struct region *r = *pp;

			if (overlaps(r, lo, ext)) {
				region_unmapped(pp, lo, ext);
				if (*pp != r)
					continue;	/* forgotten */
			}
			pp = &r->next;
		}
	}
	pthread_mutex_unlock(&preload_lock);
	return ret;
}

/*
 * mremap is not redirected: the call is the real one.  A region it touches
 * is forgotten first (its chunks may move or go), so that a later munmap
 * never stretches a range over memory that is no longer the domain's.
 */
EXPORT void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
	uintptr_t lo = (uintptr_t)old, hi = lo + old_len;
	struct region **pp;
	void *new_addr = NULL;
	va_list ap;

	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		new_addr = va_arg(ap, void *);
		va_end(ap);
	}
	preload_init();
	if (!real_mremap)
		return (void *)syscall(SYS_mremap, old, old_len, new_len, flags, new_addr);
	if (!preload_busy) {
		uintptr_t nlo = (uintptr_t)new_addr, nhi = nlo + new_len;

		pthread_mutex_lock(&preload_lock);
		sysv_forget_locked(lo, hi ? hi : lo + 1);
		if (flags & MREMAP_FIXED)
			sysv_forget_locked(nlo, nhi);
		for (pp = &regions; *pp;) {
			if (overlaps(*pp, lo, hi ? hi : lo + 1) ||
			    ((flags & MREMAP_FIXED) && overlaps(*pp, nlo, nhi)))
				region_forget(pp);
			else
				pp = &(*pp)->next;
		}
		pthread_mutex_unlock(&preload_lock);
	}
	return real_mremap(old, old_len, new_len, flags, new_addr);
}
