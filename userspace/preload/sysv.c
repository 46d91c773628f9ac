// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libmshare-preload, System V shared memory: shmget(), shmat(), shmdt() and
 * shmctl() of segments of at least MSHARE_PRELOAD_MIN bytes, served by
 * mshare domains with their SysV meaning kept (Documentation/preload.rst,
 * "System V shared memory").
 *
 * The key names the domain: "sysv.0x%08x"; an IPC_PRIVATE segment gets a
 * name of its own, "sysv.private.PID.N".  The domain is the segment: it
 * lives, named, without attachers until IPC_RMID deletes its name; from
 * then on the key is free, and the memory stays with whoever still maps
 * it.  Unrelated processes find a segment by its key or by its shmid:
 *
 *   shmid = SYSV_ID_BASE + the domain's id
 *
 * Domain ids count up from 1 and are never reused, so the shmid is stable
 * and reaches the domain also once its name is gone (MSHARE_IOC_ATTACH and
 * every netlink command take "#ID").  Linux makes a shmid of a sequence
 * number above 15 bits of slot (24 with ipcmni_extend), and the sequence
 * grows by one per 32768 segments created: real ids reach 0x40000000 only
 * after about 10^9 segments made since boot.  An id at or above the base
 * is still taken for ours only when the domain of that id exists and is
 * named "sysv.*"; anything else goes to the real call.
 *
 * A domain's size is a multiple of 2 MiB; the segment's exact size (and
 * its creator's ids) is written by the creator into the last 64 bytes of
 * the domain when the rounding leaves that much room (struct trailer),
 * beyond the size the program asked for.  Without a trailer the segment's
 * size is the domain's.
 *
 * Everything that is not a segment of ours, or that the module refuses to
 * make (no module, no grant: EPERM, over a limit, too small), goes to the
 * real functions.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mshare.h"
#include "preload.h"

#define SYSV_PREFIX	"sysv."
#define SYSV_ID_BASE	0x40000000
#define SYSV_ID_LIMIT	0x40000000u	/* domain ids below this fit */
#define TRAILER_SIZE	64
#define TRAILER_MAGIC	0x73796d7645524853ULL
#define TRAILER_VERSION	1
#define CACHE_SLOTS	16
#define NAME_TRIES	8
#define IPC_64_FLAG	0x0100		/* glibc's __IPC_64, if a caller passes it */
#define FALLBACK	(-100000)	/* not ours: make the real call */

typedef int (*shmget_fn)(key_t, size_t, int);
typedef void *(*shmat_fn)(int, const void *, int);
typedef int (*shmdt_fn)(const void *);
typedef int (*shmctl_fn)(int, int, struct shmid_ds *);

static shmget_fn real_shmget;
static shmat_fn real_shmat;
static shmdt_fn real_shmdt;
static shmctl_fn real_shmctl;

/* Per process (a child inherits them). */
static int no_module;		/* the netlink family is missing */
static int create_denied;	/* DOMAIN_NEW said EPERM: no grant */
static unsigned long private_seq;

/*
 * The creator's record at the end of the domain.  Written once, before
 * the creator's shmget() returns; read by whoever needs the exact size.
 */
struct trailer {
	uint64_t magic;
	uint32_t version;
	uint32_t id;		/* the domain's: a stale copy never matches */
	uint64_t segsz;		/* the size shmget() was given */
	uint32_t cuid, cgid;	/* the creator's effective ids */
	uint32_t key, pad;
	uint64_t reserved[2];
	uint64_t check;		/* FNV-1a of everything above */
};

_Static_assert(sizeof(struct trailer) == TRAILER_SIZE, "trailer size");

/* A segment of ours, as the module describes it (and its trailer). */
struct seg {
	uint32_t id;
	char name[MSHARE_NAME_MAX];
	key_t key;		/* IPC_PRIVATE for a private one */
	uint64_t dom_size, segsz;
	uint32_t mode, uid, gid, cuid, cgid, cpid;
	uint64_t ctime;
	bool deleted;		/* IPC_RMID done, still attached */
};

/* This process's attachments of our segments (preload_lock). */
struct attachment {
	struct attachment *next;
	uintptr_t start;
	size_t size;
	int shmid;
};

static struct attachment *attachments;

/* Trailers already read (they never change), by domain id (preload_lock). */
static struct {
	uint32_t id;
	uint64_t segsz;
	uint32_t cuid, cgid;
} cache[CACHE_SLOTS];
static unsigned int cache_next;

void sysv_init(void)
{
	real_shmget = (shmget_fn)dlsym(RTLD_NEXT, "shmget");
	real_shmat = (shmat_fn)dlsym(RTLD_NEXT, "shmat");
	real_shmdt = (shmdt_fn)dlsym(RTLD_NEXT, "shmdt");
	real_shmctl = (shmctl_fn)dlsym(RTLD_NEXT, "shmctl");
	if (preload_sysv && (!real_shmget || !real_shmat || !real_shmdt ||
			     !real_shmctl)) {
		preload_sysv = false;
		preload_warn("the real shmget/shmat/shmdt/shmctl not found: System V off");
	}
}

static bool sysv_active(void)
{
	return preload_enabled && preload_sysv && !no_module && !preload_busy;
}

static bool shmid_in_range(int shmid)
{
	return shmid > SYSV_ID_BASE;
}

static const char *shmid_key(int shmid, char buf[16])
{
	return mshare_id_key((uint32_t)(shmid - SYSV_ID_BASE), buf);
}

static bool name_is_sysv(const char *name)
{
	return !strncmp(name, SYSV_PREFIX, strlen(SYSV_PREFIX));
}

static void key_name(key_t key, char name[MSHARE_NAME_MAX])
{
	snprintf(name, MSHARE_NAME_MAX, SYSV_PREFIX "0x%08x", (unsigned int)key);
}

/* The key a name stands for; IPC_PRIVATE for a private segment's. */
static key_t name_key(const char *name)
{
	unsigned int key;
	int n = 0;

	if (sscanf(name, SYSV_PREFIX "0x%8x%n", &key, &n) == 1 &&
	    n == (int)strlen(name) && n == (int)strlen(SYSV_PREFIX) + 10)
		return (key_t)key;
	return IPC_PRIVATE;
}

/* ---- the caller's credentials ---- */

static bool has_cap(int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d))
		return false;
	return d[cap / 32].effective & (1U << (cap % 32));
}

static bool in_group(gid_t gid)
{
	gid_t groups[256];
	int n, i;

	if (getegid() == gid)
		return true;
	n = getgroups(256, groups);
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/*
 * SysV's ipcperms(): may the caller have the access @flag asks for (its
 * rwx bits, in any of the three positions)?  The owner's bits for the
 * owner, the group's for a member, else the others'; CAP_IPC_OWNER
 * overrides.  0 or -EACCES.  The owner and group are the domain's, as the
 * module checks them when attaching.
 */
static int ipc_perms(const struct seg *s, int flag)
{
	unsigned int requested = ((flag >> 6) | (flag >> 3) | flag) & 7;
	unsigned int granted = s->mode;

	if (geteuid() == s->uid)
		granted >>= 6;
	else if (in_group(s->gid))
		granted >>= 3;
	if ((requested & ~granted & 7) && !has_cap(CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

/* ---- the module ---- */

/* Open netlink: 0, FALLBACK (no module, remembered) or -errno. */
static int nl_open(struct mshare_nl **nl)
{
	int err;

	*nl = mshare_nl_open();
	err = *nl ? 0 : -errno;

	if (err == -ENOENT) {
		no_module = 1;
		preload_dbg("System V: no mshare netlink family (module not loaded?): the real calls from now on");
	}
	return err ? FALLBACK : 0;
}

/* Describe the domain @key_or_name: 0, -ENOENT (none, or not a segment). */
static int seg_get(struct mshare_nl *nl, const char *key_or_name,
		   struct seg *s)
{
	struct mshare_domain_info d = MSHARE_INIT(d);
	int err = mshare_domain_get(nl, key_or_name, &d);

	if (err)
		return err;
	if (!name_is_sysv(d.name) || d.id >= SYSV_ID_LIMIT)
		return -ENOENT;
	memset(s, 0, sizeof(*s));
	s->id = d.id;
	strcpy(s->name, d.name);
	s->key = name_key(d.name);
	s->dom_size = s->segsz = d.bytes;
	s->mode = d.mode & 0777;
	s->uid = s->cuid = d.uid;
	s->gid = s->cgid = d.gid;
	s->cpid = d.creator_pid;
	s->ctime = d.ctime;
	s->deleted = d.deleted;
	return 0;
}

/*
 * Attach the domain of id @id and map all of it (@addr, @mflags: where),
 * read-only with @rdonly.  Its address and *@size, or NULL with *@err
 * (FALLBACK: no such domain of ours, or no /dev/mshare).
 */
static void *seg_map(uint32_t id, bool rdonly, void *addr, int mflags,
		     size_t *size, int *err)
{
	struct mshare_attach at = { .flags = rdonly ? MSHARE_ATTACH_F_RDONLY : 0 };
	struct mshare_info info;
	void *p = NULL;
	int fd;

	mshare_id_key(id, at.name);
	fd = open("/dev/" MSHARE_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		*err = FALLBACK;
		return NULL;
	}
	if (ioctl(fd, MSHARE_IOC_ATTACH, &at)) {
		*err = errno == ENOENT ? FALLBACK : -errno;
		goto out;
	}
	if (ioctl(fd, MSHARE_IOC_INFO, &info)) {
		*err = -errno;
		goto out;
	}
	if (!name_is_sysv(info.name)) {
		*err = FALLBACK;
		goto out;
	}
	p = real_mmap(addr, info.size, rdonly ? PROT_READ : PROT_READ | PROT_WRITE,
		      MAP_SHARED | mflags, fd, 0);
	if (p == MAP_FAILED) {
		*err = -errno;
		p = NULL;
		goto out;
	}
	*size = info.size;
out:
	close(fd);
	return p;
}

static uint64_t fnv1a(const void *data, size_t len)
{
	const unsigned char *c = data;
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len--) {
		h ^= *c++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static bool trailer_valid(const struct trailer *t, const struct seg *s)
{
	return t->magic == TRAILER_MAGIC && t->version == TRAILER_VERSION &&
	       t->id == s->id && t->segsz > s->dom_size - CHUNK &&
	       t->segsz <= s->dom_size - TRAILER_SIZE &&
	       t->check == fnv1a(t, offsetof(struct trailer, check));
}

static void seg_apply(struct seg *s, uint64_t segsz, uint32_t cuid, uint32_t cgid)
{
	s->segsz = segsz;
	s->cuid = cuid;
	s->cgid = cgid;
}

/*
 * Fill in @s's exact size and creator from its trailer: from the cache,
 * from an attachment of this process, or by mapping the domain for a
 * moment.  Without a trailer (none fits, the creator has not written it
 * yet, or the caller may not read) the domain's values stay.
 */
static void trailer_read(struct seg *s)
{
	struct attachment *a;
	struct trailer t;
	bool found = false;
	size_t size = 0;
	unsigned int i;
	void *p;
	int err;

	if (s->dom_size < CHUNK)
		return;
	pthread_mutex_lock(&preload_lock);
	for (i = 0; i < CACHE_SLOTS; i++) {
		if (cache[i].id == s->id) {
			seg_apply(s, cache[i].segsz, cache[i].cuid, cache[i].cgid);
			pthread_mutex_unlock(&preload_lock);
			return;
		}
	}
	for (a = attachments; a; a = a->next) {
		if (a->shmid == SYSV_ID_BASE + (int)s->id && a->size == s->dom_size) {
			memcpy(&t, (void *)(a->start + a->size - TRAILER_SIZE), sizeof(t));
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&preload_lock);
	if (!found) {
		/* Read-write if allowed: a read-only attach builds tables. */
		p = seg_map(s->id, false, NULL, 0, &size, &err);
		if (!p && err == -EACCES)
			p = seg_map(s->id, true, NULL, 0, &size, &err);
		if (!p || size != s->dom_size) {
			if (p)
				real_munmap(p, size);
			return;
		}
		memcpy(&t, (char *)p + size - TRAILER_SIZE, sizeof(t));
		real_munmap(p, size);
	}
	if (!trailer_valid(&t, s))
		return;
	seg_apply(s, t.segsz, t.cuid, t.cgid);
	pthread_mutex_lock(&preload_lock);
	cache[cache_next].id = s->id;
	cache[cache_next].segsz = t.segsz;
	cache[cache_next].cuid = t.cuid;
	cache[cache_next].cgid = t.cgid;
	cache_next = (cache_next + 1) % CACHE_SLOTS;
	pthread_mutex_unlock(&preload_lock);
}

/* Write @s's trailer (the creator, right after DOMAIN_NEW). */
static void trailer_write(const struct seg *s)
{
	struct trailer t = {
		.magic = TRAILER_MAGIC,
		.version = TRAILER_VERSION,
		.id = s->id,
		.segsz = s->segsz,
		.cuid = s->cuid,
		.cgid = s->cgid,
		.key = (uint32_t)s->key,
	};
	size_t size = 0;
	void *p;
	int err;

	if (s->dom_size - s->segsz < TRAILER_SIZE)
		return;		/* no room: the size is the domain's */
	t.check = fnv1a(&t, offsetof(struct trailer, check));
	p = seg_map(s->id, false, NULL, 0, &size, &err);
	if (!p) {
		preload_dbg("System V: %s: cannot write its size: %s", s->name,
			    strerror(err == FALLBACK ? ENOENT : -err));
		return;
	}
	if (size == s->dom_size)
		memcpy((char *)p + size - TRAILER_SIZE, &t, sizeof(t));
	real_munmap(p, size);
}

/* /proc/sys/kernel/shmmax, or no limit. */
static uint64_t shmmax(void)
{
	unsigned long long v = UINT64_MAX;
	FILE *f = fopen("/proc/sys/kernel/shmmax", "re");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = UINT64_MAX;
		fclose(f);
	}
	return v;
}

/*
 * Make the segment @name (@key) of @size bytes, mode @shmflg & 0777, owned
 * by the caller: 0 and @s, or -errno (-EEXIST: the name is taken).
 */
static int seg_create(struct mshare_nl *nl, const char *name, key_t key,
		      size_t size, int shmflg, struct seg *s)
{
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;
	struct mshare_domain_info d = MSHARE_INIT(d);
	int mode = shmflg & 0777, err;
	char idkey[16];

	if (size > shmmax())
		return -EINVAL;		/* the real call says so too */
	/* The creator writes the trailer: it needs read-write for that. */
	opts.mode = mode | 0600;
	opts.numa = preload_numa;
	err = mshare_domain_create(nl, name, (size + CHUNK - 1) / CHUNK * CHUNK,
				   &opts, &d);
	if (err) {
		preload_dbg("System V: create %s (%zu bytes): %s%s%s", name, size,
			    strerror(-err), mshare_nl_extack(nl)[0] ? ": " : "", mshare_nl_extack(nl));
		return err;
	}
	mshare_id_key(d.id, idkey);
	if (d.id >= SYSV_ID_LIMIT) {
		preload_dbg("System V: domain id %u does not fit a shmid", d.id);
		mshare_domain_destroy(nl, idkey);
		return -EOVERFLOW;
	}
	memset(s, 0, sizeof(*s));
	s->id = d.id;
	strcpy(s->name, name);
	s->key = key;
	s->dom_size = d.bytes;
	s->segsz = size;
	s->mode = mode;
	s->uid = s->cuid = d.uid;
	s->gid = s->cgid = d.gid;
	s->cpid = d.creator_pid;
	s->ctime = d.ctime;
	trailer_write(s);
	if (opts.mode != mode) {
		struct mshare_domain_opts set = MSHARE_DOMAIN_OPTS_INIT;

		set.mode = mode;
		err = mshare_domain_set(nl, idkey, &set, NULL);
		if (err)
			preload_dbg("System V: %s: mode %o: %s", name, mode,
				    strerror(-err));
	}
	preload_dbg("System V: key 0x%08x: %zu bytes, domain %s (id %u), shmid %d",
		    (unsigned int)key, size, name, d.id, SYSV_ID_BASE + (int)d.id);
	return 0;
}

/* shmget() of a key whose segment is ours: SysV's checks, in its order. */
static int get_existing(struct seg *s, size_t size, int shmflg)
{
	if ((shmflg & IPC_CREAT) && (shmflg & IPC_EXCL))
		return -EEXIST;
	if (size > s->dom_size)
		return -EINVAL;
	if (size > s->dom_size - CHUNK) {
		trailer_read(s);
		if (size > s->segsz)
			return -EINVAL;
	}
	if (ipc_perms(s, shmflg & 0777))
		return -EACCES;
	return SYSV_ID_BASE + (int)s->id;
}

static int get_private(struct mshare_nl *nl, size_t size, int shmflg)
{
	char name[MSHARE_NAME_MAX];
	struct seg s;
	int err = -EEXIST, i;

	for (i = 0; i < NAME_TRIES && err == -EEXIST; i++) {
		snprintf(name, sizeof(name), SYSV_PREFIX "private.%d.%lu",
			 (int)getpid(), __atomic_fetch_add(&private_seq, 1,
							   __ATOMIC_RELAXED));
		err = seg_create(nl, name, IPC_PRIVATE, size, shmflg, &s);
	}
	if (err == -EPERM)
		create_denied = 1;
	return err ? FALLBACK : SYSV_ID_BASE + (int)s.id;
}

static int sysv_get(key_t key, size_t size, int shmflg)
{
	char name[MSHARE_NAME_MAX];
	struct mshare_nl *nl;
	struct seg s;
	int ret, err, i, r;

	ret = nl_open(&nl);
	if (ret)
		return ret;
	if (key == IPC_PRIVATE) {
		ret = get_private(nl, size, shmflg);
		goto out;
	}
	key_name(key, name);
	ret = FALLBACK;
	for (i = 0; i < NAME_TRIES; i++) {
		err = seg_get(nl, name, &s);
		if (!err) {
			ret = get_existing(&s, size, shmflg);
			break;
		}
		if (err != -ENOENT)
			break;
		/* No domain of this key: the key is a real segment's, or free. */
		r = real_shmget(key, 0, 0);
		if (r >= 0 || errno != ENOENT)
			break;
		if (!(shmflg & IPC_CREAT)) {
			ret = -ENOENT;
			break;
		}
		if (size < preload_min || create_denied)
			break;
		err = seg_create(nl, name, key, size, shmflg, &s);
		if (!err) {
			ret = SYSV_ID_BASE + (int)s.id;
			break;
		}
		if (err == -EPERM)
			create_denied = 1;
		if (err != -EEXIST)
			break;
		/* Another process made it meanwhile: take that one. */
	}
out:
	mshare_nl_close(nl);
	return ret;
}

EXPORT int shmget(key_t key, size_t size, int shmflg)
{
	int ret;

	preload_init();
	if (!real_shmget)
		return syscall(SYS_shmget, key, size, shmflg);
	if (!sysv_active() || (shmflg & SHM_HUGETLB) ||
	    (key == IPC_PRIVATE && (size < preload_min || create_denied)))
		return real_shmget(key, size, shmflg);
	preload_busy++;
	ret = sysv_get(key, size, shmflg);
	preload_busy--;
	if (ret == FALLBACK)
		return real_shmget(key, size, shmflg);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
}

/* ---- shmat, shmdt ---- */

/* Is the domain behind @shmid a segment of ours?  (@shmid is in range.) */
static bool shmid_ours(int shmid)
{
	struct mshare_nl *nl;
	char key[16];
	struct seg s;
	bool ours;

	if (nl_open(&nl))
		return false;
	ours = !seg_get(nl, shmid_key(shmid, key), &s);
	mshare_nl_close(nl);
	return ours;
}

static int sysv_attach(int shmid, const void *shmaddr, int shmflg, void **out)
{
	uintptr_t addr = (uintptr_t)shmaddr;
	bool rdonly = shmflg & SHM_RDONLY;
	struct attachment *a;
	int mflags = 0, err = 0;
	size_t size = 0;
	void *p;

	/*
	 * A domain maps at a 2 MiB boundary: SHM_RND rounds down to one, an
	 * address off one is EINVAL.  SysV: SHM_REMAP needs an address.
	 */
	if (shmflg & SHM_RND)
		addr &= ~(uintptr_t)(CHUNK - 1);
	else if (addr & (CHUNK - 1))
		err = -EINVAL;
	if (!err && (shmflg & SHM_REMAP) && !addr)
		err = -EINVAL;
	if (!err && (shmflg & SHM_EXEC))
		err = -EACCES;		/* a domain is never executable */
	if (err)
		/* Ours?  Only then are the errors ours to give. */
		return shmid_ours(shmid) ? err : FALLBACK;
	if (addr)
		mflags = (shmflg & SHM_REMAP) ? MAP_FIXED : MAP_FIXED_NOREPLACE;

	p = seg_map((uint32_t)(shmid - SYSV_ID_BASE), rdonly, (void *)addr,
		    mflags, &size, &err);
	if (!p) {
		if (err == -EACCES && !shmid_ours(shmid))
			return FALLBACK;
		if (err == -EEXIST)
			err = -EINVAL;	/* SysV: the range is in use */
		return err;
	}
	if (mflags == MAP_FIXED_NOREPLACE && (uintptr_t)p != addr) {
		real_munmap(p, size);	/* a kernel without NOREPLACE */
		return -EINVAL;
	}
	a = malloc(sizeof(*a));
	if (!a) {
		real_munmap(p, size);
		return -ENOMEM;
	}
	a->start = (uintptr_t)p;
	a->size = size;
	a->shmid = shmid;
	pthread_mutex_lock(&preload_lock);
	a->next = attachments;
	attachments = a;
	pthread_mutex_unlock(&preload_lock);
	preload_dbg("System V: shmat %d: %zu bytes at %p%s", shmid, size, p,
		    rdonly ? ", read-only" : "");
	*out = p;
	return 0;
}

EXPORT void *shmat(int shmid, const void *shmaddr, int shmflg)
{
	void *p = NULL;
	int ret;

	preload_init();
	if (!real_shmat)
		return (void *)syscall(SYS_shmat, shmid, shmaddr, shmflg);
	if (!sysv_active() || !shmid_in_range(shmid))
		return real_shmat(shmid, shmaddr, shmflg);
	preload_busy++;
	ret = sysv_attach(shmid, shmaddr, shmflg, &p);
	preload_busy--;
	if (ret == FALLBACK)
		return real_shmat(shmid, shmaddr, shmflg);
	if (ret < 0) {
		errno = -ret;
		return (void *)-1;
	}
	return p;
}

void sysv_forget_locked(uintptr_t lo, uintptr_t hi)
{
	struct attachment **pp = &attachments, *a;

	while ((a = *pp)) {
		if (lo < a->start + a->size && a->start < hi) {
			*pp = a->next;
			free(a);
		} else {
			pp = &a->next;
		}
	}
}

EXPORT int shmdt(const void *shmaddr)
{
	struct attachment **pp, *a = NULL;
	int ret;

	preload_init();
	if (!real_shmdt)
		return syscall(SYS_shmdt, shmaddr);
	pthread_mutex_lock(&preload_lock);
	for (pp = &attachments; *pp; pp = &(*pp)->next) {
		if ((*pp)->start == (uintptr_t)shmaddr) {
			a = *pp;
			*pp = a->next;
			break;
		}
	}
	pthread_mutex_unlock(&preload_lock);
	if (!a)
		return real_shmdt(shmaddr);
	preload_busy++;
	ret = real_munmap((void *)a->start, a->size);
	preload_busy--;
	free(a);
	return ret;
}

/* ---- shmctl ---- */

static void stat_fill(const struct seg *s, uint32_t nattch,
		      struct shmid_ds *buf)
{
	memset(buf, 0, sizeof(*buf));
	/* Linux: a removed segment's key reads IPC_PRIVATE, its mode SHM_DEST. */
	buf->shm_perm.__key = s->deleted ? IPC_PRIVATE : s->key;
	buf->shm_perm.uid = s->uid;
	buf->shm_perm.gid = s->gid;
	buf->shm_perm.cuid = s->cuid;
	buf->shm_perm.cgid = s->cgid;
	buf->shm_perm.mode = s->mode | (s->deleted ? SHM_DEST : 0);
	buf->shm_segsz = s->segsz;
	buf->shm_ctime = s->ctime;	/* creation: IPC_SET does not move it */
	buf->shm_cpid = s->cpid;
	buf->shm_nattch = nattch;	/* mappings (VMAs), as Linux counts */
	/* shm_atime, shm_dtime, shm_lpid: not tracked, 0. */
}

static int sysv_ctl(int shmid, int cmd, struct shmid_ds *buf)
{
	struct mshare_domain_opts opts = MSHARE_DOMAIN_OPTS_INIT;
	struct mshare_domain_stats st = MSHARE_INIT(st);
	struct mshare_nl *nl;
	char key[16];
	struct seg s;
	int ret;

	ret = nl_open(&nl);
	if (ret)
		return ret;
	shmid_key(shmid, key);
	if (seg_get(nl, key, &s)) {
		ret = FALLBACK;
		goto out;
	}
	switch (cmd) {
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
		if (!buf) {
			ret = -EFAULT;
			break;
		}
		if (cmd != SHM_STAT_ANY && ipc_perms(&s, SHM_R)) {
			ret = -EACCES;
			break;
		}
		ret = mshare_domain_stats(nl, key, &st);
		if (ret)
			break;
		trailer_read(&s);
		stat_fill(&s, st.mappings, buf);
		ret = cmd == IPC_STAT ? 0 : shmid;
		break;
	case IPC_SET:
		if (!buf) {
			ret = -EFAULT;
			break;
		}
		/* SysV: the owner, the creator or CAP_SYS_ADMIN; the module
		 * lets the owner change the mode, and only an ns-admin the
		 * owner or group (else EPERM). */
		if (geteuid() != s.uid && !has_cap(CAP_SYS_ADMIN)) {
			ret = -EPERM;
			break;
		}
		opts.mode = buf->shm_perm.mode & 0777;
		if (buf->shm_perm.uid != s.uid)
			opts.uid = buf->shm_perm.uid;
		if (buf->shm_perm.gid != s.gid)
			opts.gid = buf->shm_perm.gid;
		ret = mshare_domain_set(nl, key, &opts, NULL);
		break;
	case IPC_RMID:
		if (geteuid() != s.uid && !has_cap(CAP_SYS_ADMIN)) {
			ret = -EPERM;
			break;
		}
		/* Removing a removed segment again succeeds, as on Linux. */
		ret = s.deleted ? 0 : mshare_domain_destroy(nl, key);
		if (ret == -ENOENT)
			ret = 0;
		if (!ret)
			preload_dbg("System V: shmid %d (%s) removed", shmid, s.name);
		break;
	case SHM_LOCK:
	case SHM_UNLOCK:
		/* Domain memory is never swapped: nothing to change. */
		ret = geteuid() == s.uid || has_cap(CAP_IPC_LOCK) ? 0 : -EPERM;
		break;
	default:
		ret = -EINVAL;
		break;
	}
out:
	mshare_nl_close(nl);
	return ret;
}

struct shm_info_sum {
	struct shm_info *si;
	long pagesize;
};

static void shm_info_add(const struct mshare_domain_info *d, void *arg)
{
	struct shm_info_sum *sum = arg;

	if (!name_is_sysv(d->name))
		return;
	sum->si->used_ids++;
	sum->si->shm_tot += d->bytes / sum->pagesize;
	sum->si->shm_rss += d->resident;
}

/* SHM_INFO: the kernel's counts plus our segments'. */
static void info_add(struct shm_info *si)
{
	struct shm_info_sum sum = { si, sysconf(_SC_PAGESIZE) };
	struct mshare_nl *nl;

	if (nl_open(&nl))
		return;
	mshare_domain_dump(nl, shm_info_add, &sum);
	mshare_nl_close(nl);
}

EXPORT int shmctl(int shmid, int cmd, struct shmid_ds *buf)
{
	int c = cmd & ~IPC_64_FLAG, ret;

	preload_init();
	if (!real_shmctl)
		return syscall(SYS_shmctl, shmid, cmd, buf);
	if (!sysv_active())
		return real_shmctl(shmid, cmd, buf);
	if (c == SHM_INFO) {
		ret = real_shmctl(shmid, cmd, buf);
		if (ret >= 0 && buf) {
			preload_busy++;
			info_add((struct shm_info *)buf);
			preload_busy--;
		}
		return ret;
	}
	if (c == IPC_INFO || !shmid_in_range(shmid))
		return real_shmctl(shmid, cmd, buf);
	preload_busy++;
	ret = sysv_ctl(shmid, c, buf);
	preload_busy--;
	if (ret == FALLBACK)
		return real_shmctl(shmid, cmd, buf);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
}
