// SPDX-License-Identifier: GPL-2.0
/*
 * mshare-soak: the processes that use domain memory and check it.
 *
 * Writers (never killed): two threads each own a set of pages of the
 * checked domain and rewrite them whole, checking first that the page
 * holds exactly the version last written (migrations, discards of the
 * scratch half, policy changes and signal floods run meanwhile: the ABI
 * loses no write there); they remap the domain (attach + mmap under the
 * signal flood), fork children that read and exec, MADV_DONTNEED their
 * pages (the data must stay), and discard a page of their own now and
 * then (it must read as zeroes at once, and the rewrite after it stay).
 *
 * Churners (SIGKILLed at any time and respawned): processes with ~3,000
 * VMAs (so that fork and the first mmap take long under a SIGUSR1
 * flood) whose threads attach the churn domains, which the destroyer
 * destroys and recreates while they are attached.  Each thread owns a few
 * "strict" pages of every churn domain and writes them with a new
 * generation after attaching: they must hold exactly that until it
 * unmaps, whatever happens to the name.  Around that: children that
 * check and exit with the mapping in place, children killed mid-fault,
 * exec'd children that attach by name, partial munmaps, a second mmap of
 * the same descriptor, MADV_DONTNEED, and the generic walkers
 * (Documentation/walkers.rst: smaps, numa_maps, pagemap, mincore,
 * clear_refs, madvise, mlock, move_pages queries).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "soak.h"

#define CHURN_PAGES	(CHURN_SIZE / PAGE)
#define EXTRA_VMAS	3000

/* In a forked child: die with the parent (a SIGKILLed churner). */
static void child_setup(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
}

/* Check @n random pages of a mapping; scribble on those >= @write_from. */
static int touch(void *base, size_t size, const char *name, size_t write_from,
		 int n, uint64_t *rs)
{
	uint64_t tag = tag_of(name), got, want;
	int k, w;

	for (k = 0; k < n; k++) {
		size_t pg = rnd(rs) % (size / PAGE);
		char *p = (char *)base + pg * PAGE;

		if (!page_valid(p, tag, pg)) {
			w = first_bad_word(p, tag, pg, 0, 0, &got, &want);
			report("%s: page %zu holds foreign data: word %d is %#llx (valid would be %#llx)",
			       name, pg, w, (unsigned long long)got,
			       (unsigned long long)want);
			return -1;
		}
		if (pg >= write_from)
			page_scribble(p, tag, pg, rs);
	}
	return 0;
}

/* ---- writers ---- */

struct wproc {
	pthread_rwlock_t map_lock;	/* write: remapping */
	void *base;
	int idx;
};

struct wthread {
	struct wproc *w;
	int slot;
	pthread_t tid;
};

static int writer_remap(struct wproc *w, uint64_t *rs)
{
	size_t size, half = STABLE_SIZE / 2;
	void *p;
	int err;

	/* Attach again first, so the new mapping lands elsewhere. */
	err = attach_dom(sh->stable, 0, &p, &size);
	if (err) {
		report("writer: attach + mmap %s: %s", sh->stable, strerror(-err));
		return -1;
	}
	if (size != STABLE_SIZE) {
		report("writer: %s has size %zu", sh->stable, size);
		munmap(p, size);
		return -1;
	}
	if (rnd(rs) & 1) {
		if (munmap((char *)w->base + half, half) || munmap(w->base, half))
			report("writer: munmap halves: %s", strerror(errno));
	} else if (munmap(w->base, STABLE_SIZE)) {
		report("writer: munmap: %s", strerror(errno));
	}
	w->base = p;
	COUNT(writer_remap);
	return 0;
}

static void writer_child(void *base, uint64_t *rs, int do_exec)
{
	if (touch(base, STABLE_SIZE, sh->stable, OWNED_PAGES, 64, rs))
		_exit(EXIT_BAD);
	if (do_exec) {
		char *args[] = { "stable", sh->stable, NULL };

		exec_self("exec-child", args);
	}
	_exit(0);
}

static void *writer_thread(void *arg)
{
	struct wthread *t = arg;
	struct wproc *w = t->w;
	uint64_t rs = seed() ^ t->slot, tag = tag_of(sh->stable), got, want;
	unsigned long iter;
	struct mshare_nl *nl;
	int bw, nl_ok = nl_open(&nl) == 0;

	for (iter = 0; !sh->stop; iter++) {
		size_t pg = (rnd(&rs) % (OWNED_PAGES / WSLOTS)) * WSLOTS + t->slot;
		uint32_t v = __atomic_load_n(&sh->version[pg], __ATOMIC_ACQUIRE);
		char *p;

		beat();
		if (t->slot % WRITER_THREADS == 0 && iter % 64 == 63) {
			pthread_rwlock_wrlock(&w->map_lock);
			writer_remap(w, &rs);
			pthread_rwlock_unlock(&w->map_lock);
			continue;
		}

		pthread_rwlock_rdlock(&w->map_lock);
		p = (char *)w->base + pg * PAGE;
		if (!page_is(p, tag, pg, v)) {
			bw = first_bad_word(p, tag, pg, 1, v, &got, &want);
			report("lost write: %s page %zu should hold version %u: word %d is %#llx, want %#llx",
			       sh->stable, pg, v, bw, (unsigned long long)got,
			       (unsigned long long)want);
			/* Take what is there as the truth from now on. */
			page_write(p, tag, pg, v + 1);
			__atomic_store_n(&sh->version[pg], v + 1, __ATOMIC_RELEASE);
			pthread_rwlock_unlock(&w->map_lock);
			continue;
		}
		page_write(p, tag, pg, v + 1);
		__atomic_store_n(&sh->version[pg], v + 1, __ATOMIC_RELEASE);
		COUNT(writer_rewrite);
		touch(w->base, STABLE_SIZE, sh->stable, OWNED_PAGES, 2, &rs);

		if (iter % 40 == 23 && nl_ok) {
			/*
			 * Discard the page itself: it must read as zeroes
			 * at once, and the rewrite after it must not be
			 * lost (a stale TLB entry anywhere would take it).
			 */
			int err = mshare_domain_discard(nl, sh->stable, pg * PAGE, PAGE);

			if (err) {
				report("writer: DOMAIN_DISCARD of its page %zu: %s (%s)", pg,
				       strerror(-err), mshare_nl_extack(nl));
			} else {
				if (!page_is(p, tag, pg, 0))
					report("writer: %s page %zu not zero after its discard",
					       sh->stable, pg);
				page_write(p, tag, pg, v + 2);
				__atomic_store_n(&sh->version[pg], v + 2, __ATOMIC_RELEASE);
				v++;
				COUNT(writer_discard);
			}
		}
		if (iter % 50 == 17) {
			/* The ABI: MADV_DONTNEED succeeds and keeps the data. */
			if (madvise(p, PAGE, MADV_DONTNEED))
				report("writer: MADV_DONTNEED: %s", strerror(errno));
			else if (!page_is(p, tag, pg, v + 1))
				report("writer: %s page %zu lost version %u after MADV_DONTNEED",
				       sh->stable, pg, v + 1);
			COUNT(writer_dontneed);
		}
		if (t->slot % WRITER_THREADS == 1 && iter % 32 == 31) {
			int do_exec = rnd(&rs) % 4 == 0;
			pid_t parent = getpid(), pid = fork();

			if (pid == 0) {
				child_setup(parent);
				writer_child(w->base, &rs, do_exec);
			}
			pthread_rwlock_unlock(&w->map_lock);
			if (pid < 0) {
				report("writer: fork: %s", strerror(errno));
				continue;
			}
			if (do_exec)
				COUNT(writer_exec);
			else
				COUNT(writer_fork);
			reap(pid, "writer child", 0, 0);
			continue;
		}
		pthread_rwlock_unlock(&w->map_lock);
	}
	if (nl_ok)
		mshare_nl_close(nl);
	return NULL;
}

void writer(int idx)
{
	struct wthread t[WRITER_THREADS];
	struct wproc w = { .idx = idx };
	size_t size;
	int i, err;

	sh->writer_pids[idx] = getpid();
	pthread_rwlock_init(&w.map_lock, NULL);
	err = attach_dom(sh->stable, 0, &w.base, &size);
	if (err) {
		report("writer: attach %s: %s", sh->stable, strerror(-err));
		_exit(1);
	}
	for (i = 0; i < WRITER_THREADS; i++) {
		t[i].w = &w;
		t[i].slot = idx * WRITER_THREADS + i;
		if (pthread_create(&t[i].tid, NULL, writer_thread, &t[i])) {
			report("writer: pthread_create failed");
			_exit(1);
		}
	}
	for (i = 0; i < WRITER_THREADS; i++)
		pthread_join(t[i].tid, NULL);
	munmap(w.base, STABLE_SIZE);
	_exit(0);
}

/* ---- churners ---- */

/*
 * Many small VMAs, so that fork and mm_take_all_locks() take long: @n of
 * them, 100 at a time while the churn threads already run (on the debug
 * kernel 3,000 take longer than a churner often lives).
 */
static void make_vmas(int n)
{
	int i, k;

	for (k = 0; k < n && !sh->stop; k += 100) {
		char *p = mmap(NULL, 100 * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return;
		for (i = 0; i < 100; i++) {
			p[(size_t)i * PAGE] = 1;
			if (i & 1)
				mprotect(p + (size_t)i * PAGE, PAGE, PROT_READ);
		}
		beat();
	}
}

/* Write generation @gen into this slot's strict pages. */
static void write_slot(char *base, uint64_t tag, int slot, uint32_t gen)
{
	size_t pg;

	for (pg = slot * SLOT_PAGES; pg < (size_t)(slot + 1) * SLOT_PAGES; pg++)
		page_write(base + pg * PAGE, tag, pg, gen);
}

/*
 * The slot's strict pages hold exactly generation @gen.  A mismatch is an
 * error only while @gen is still the slot's (a child of a killed churner
 * may outlive it briefly and see its successor's writes).
 */
static int check_slot(const char *base, const char *name, int slot, uint32_t gen,
		      const char *when)
{
	uint64_t tag = tag_of(name), got, want;
	size_t pg;
	int w;

	for (pg = slot * SLOT_PAGES; pg < (size_t)(slot + 1) * SLOT_PAGES; pg++) {
		if (page_is(base + pg * PAGE, tag, pg, gen))
			continue;
		if (__atomic_load_n(&sh->slot_gen[slot], __ATOMIC_ACQUIRE) != gen)
			return 0;
		w = first_bad_word(base + pg * PAGE, tag, pg, 1, gen, &got, &want);
		report("lost write (%s): %s page %zu should hold generation %u: word %d is %#llx, want %#llx",
		       when, name, pg, gen, w, (unsigned long long)got,
		       (unsigned long long)want);
		return -1;
	}
	COUNT(churn_verified);
	return 0;
}

/* A child that faults scratch pages until it is killed. */
static void fault_forever(char *base, size_t size, const char *name)
{
	uint64_t tag = tag_of(name), rs = seed();
	size_t np = size / PAGE, pg;
	unsigned long n;

	for (n = 0; n < (1UL << 22) && !sh->stop; n++) {
		pg = STRICT_PAGES + rnd(&rs) % (np - STRICT_PAGES);
		page_scribble(base + pg * PAGE, tag, pg, &rs);
	}
	_exit(0);
}

/* Read a /proc/self file whole (the walkers run over our mappings). */
static void read_proc(const char *path)
{
	char buf[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

/* The generic walkers of Documentation/walkers.rst over a mapping. */
static void walk(char *base, size_t size, const char *name, int slot,
		 uint32_t gen, uint64_t *rs)
{
	size_t np = size / PAGE, scratch = STRICT_PAGES * PAGE;
	unsigned char vec[CHURN_PAGES];
	uint64_t pm[64];
	int fd, status[16];
	void *pages[16];
	int i;

	switch (rnd(rs) % 8) {
	case 0:
		read_proc("/proc/self/smaps");
		read_proc("/proc/self/numa_maps");
		break;
	case 1:
		fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (pread(fd, pm, sizeof(pm), (uintptr_t)base / PAGE * 8) < 0)
				report("pagemap read: %s", strerror(errno));
			close(fd);
		}
		if (mincore(base, size, vec))
			report("mincore on %s: %s", name, strerror(errno));
		break;
	case 2:
		write_str("/proc/self/clear_refs", rnd(rs) & 1 ? "1" : "4");
		break;
	case 3:
		madvise(base + scratch, size - scratch,
			rnd(rs) & 1 ? MADV_COLD : MADV_PAGEOUT);
		madvise(base, size, MADV_WILLNEED);
		break;
	case 4:
		if (madvise(base + scratch, size - scratch, MADV_POPULATE_WRITE))
			report("MADV_POPULATE_WRITE on %s: %s", name, strerror(errno));
		break;
	case 5:
		madvise(base, size, rnd(rs) & 1 ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
		break;
	case 6:
		if (mlock(base + scratch, 2 * PAGE) == 0)
			munlock(base + scratch, 2 * PAGE);
		break;
	default:
		for (i = 0; i < 16; i++)
			pages[i] = base + (rnd(rs) % np) * PAGE;
		syscall(SYS_move_pages, 0, 16, pages, NULL, status, 0);
		break;
	}
	COUNT(churn_walk);
	check_slot(base, name, slot, gen, "after a walker");
}

/* Open, attach and mmap twice: both views are the same memory. */
/*
 * Do @a and @b, two mappings of @name, show the same memory at page @pg?
 * Other churners scribble on and discard that page at any time, so
 * comparing the two copies races with them.  Instead write a word no one
 * else writes (a fresh random value) through @a and read it back through
 * @b: if @b shows something else while @a, read after that, still shows
 * ours, the two differ (nobody else can have written ours back in between;
 * a discard in between makes @a read zero, and the round is retried).
 */
static void same_memory(char *a, char *b, const char *name, size_t pg,
			uint64_t *rs)
{
	volatile uint64_t *wa = (uint64_t *)(a + pg * PAGE);
	volatile uint64_t *wb = (uint64_t *)(b + pg * PAGE);
	uint64_t tag = tag_of(name), mine, seen;
	size_t i = rnd(rs) % WORDS;
	int k;

	for (k = 0; k < 64; k++) {
		mine = word(tag, pg, i, (uint32_t)rnd(rs) | 1);
		wa[i] = mine;
		seen = wb[i];
		if (seen == mine)
			return;
		if (wa[i] == mine) {
			report("two mappings of %s differ at page %zu word %zu: %#llx through one, %#llx through the other",
			       name, pg, i, (unsigned long long)mine,
			       (unsigned long long)seen);
			return;
		}
	}
	COUNT(double_map_busy);
}

static void double_map(const char *name, uint64_t *rs)
{
	struct mshare_info info;
	char *a, *b;
	int fd = open_dev(), err;
	size_t pg;

	if (fd < 0) {
		report("open %s: %s", DEV_PATH, strerror(errno));
		return;
	}
	err = attach_fd(fd, name);
	if (err == ENOENT) {
		COUNT(attach_enoent);
		goto out;
	}
	if (err) {
		report("attach %s: %s", name, strerror(err));
		goto out;
	}
	if (ioctl(fd, MSHARE_IOC_INFO, &info)) {
		report("MSHARE_IOC_INFO %s: %s", name, strerror(errno));
		goto out;
	}
	a = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (a == MAP_FAILED) {
		report("first mmap of %s: %s", name, strerror(errno));
		goto out;
	}
	b = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (b == MAP_FAILED) {
		report("second mmap of %s: %s", name, strerror(errno));
		munmap(a, info.size);
		goto out;
	}
	COUNT(churn_mmap);
	pg = STRICT_PAGES + rnd(rs) % (info.size / PAGE - STRICT_PAGES);
	same_memory(a, b, name, pg, rs);
	munmap(a, info.size);
	munmap(b, info.size);
out:
	close(fd);
}

static void churn_round(const char *name, int slot, uint64_t *rs)
{
	pid_t parent = getpid(), pid;
	uint32_t gen;
	size_t size;
	char *p;
	int err, k, rounds;

	err = attach_dom(name, 0, (void **)&p, &size);
	if (err == -ENOENT) {
		COUNT(attach_enoent);
		return;
	}
	if (err) {
		report("churner: attach + mmap %s: %s", name, strerror(-err));
		return;
	}
	COUNT(attach);
	if (size != CHURN_SIZE) {
		report("churner: %s has size %zu", name, size);
		munmap(p, size);
		return;
	}
	gen = __atomic_add_fetch(&sh->slot_gen[slot], 1, __ATOMIC_ACQ_REL);
	write_slot(p, tag_of(name), slot, gen);

	rounds = 1 + rnd(rs) % 8;
	for (k = 0; k < rounds && !sh->stop; k++) {
		beat();
		if (check_slot(p, name, slot, gen, "in the attacher") ||
		    touch(p, size, name, STRICT_PAGES, 16, rs))
			break;
		switch (rnd(rs) % 9) {
		case 0:		/* a child that checks and exits mapped */
			pid = fork();
			if (pid == 0) {
				child_setup(parent);
				if (check_slot(p, name, slot, gen, "in a forked child") ||
				    touch(p, size, name, STRICT_PAGES, 32, rs))
					_exit(EXIT_BAD);
				_exit(0);
			}
			if (pid < 0) {
				report("churner: fork: %s", strerror(errno));
				break;
			}
			COUNT(churn_fork);
			COUNT(churn_exit_mapped);
			reap(pid, "churn child", 1, 0);
			break;
		case 1:		/* a child killed mid-fault */
			pid = fork();
			if (pid == 0) {
				child_setup(parent);
				fault_forever(p, size, name);
			}
			if (pid < 0) {
				report("churner: fork: %s", strerror(errno));
				break;
			}
			usleep(rnd(rs) % 20000);
			kill(pid, SIGKILL);
			COUNT(churn_killed_child);
			reap(pid, "killed child", 1, 0);
			break;
		case 2:		/* a child that execs and attaches again */
			pid = fork();
			if (pid == 0) {
				char *args[] = { "churn", (char *)name, NULL };

				child_setup(parent);
				exec_self("exec-child", args);
			}
			if (pid < 0) {
				report("churner: fork: %s", strerror(errno));
				break;
			}
			COUNT(churn_exec);
			reap(pid, "exec child", 1, EXIT_ENOENT);
			break;
		case 3:		/* drop a 2 MiB tail piece, keep the rest */
			if (size <= 2 * MiB)
				break;
			if (munmap(p + size - 2 * MiB, 2 * MiB)) {
				report("churner: munmap tail of %s: %s", name,
				       strerror(errno));
				break;
			}
			size -= 2 * MiB;
			COUNT(churn_munmap_part);
			break;
		case 4:		/* the ABI: MADV_DONTNEED keeps the data */
			if (madvise(p + (size_t)slot * SLOT_PAGES * PAGE,
				    SLOT_PAGES * PAGE, MADV_DONTNEED))
				report("churner: MADV_DONTNEED: %s", strerror(errno));
			COUNT(churn_dontneed);
			check_slot(p, name, slot, gen, "after MADV_DONTNEED");
			break;
		case 5:
			double_map(name, rs);
			break;
		case 6:
		case 7:
			walk(p, size, name, slot, gen, rs);
			break;
		default:
			break;
		}
	}
	if (munmap(p, size))
		report("churner: munmap %s: %s", name, strerror(errno));
}

static void *churn_thread(void *arg)
{
	int slot = (int)(uintptr_t)arg;
	uint64_t rs = seed() ^ slot;
	char name[MSHARE_NAME_MAX];

	while (!sh->stop) {
		beat();
		churn_name(rnd(&rs) % CHURN_DOMAINS, name);
		churn_round(name, slot, &rs);
	}
	return NULL;
}

void churner(int idx)
{
	pthread_t tid[CHURN_THREADS];
	int i;

	for (i = 0; i < CHURN_THREADS; i++)
		if (pthread_create(&tid[i], NULL, churn_thread,
				   (void *)(uintptr_t)(idx * CHURN_THREADS + i))) {
			report("churner: pthread_create failed");
			_exit(1);
		}
	make_vmas(EXTRA_VMAS);
	for (i = 0; i < CHURN_THREADS; i++)
		pthread_join(tid[i], NULL);
	_exit(0);
}

/* ---- exec'd children: exec-child stable|churn NAME ---- */

void exec_child_main(int argc, char **argv)
{
	uint64_t rs = seed();
	int stable, err;
	size_t size;
	void *p;

	if (argc != 3 || strcmp(argv[0], "exec-child"))
		_exit(126);
	stable = !strcmp(argv[1], "stable");
	err = attach_dom(argv[2], 0, &p, &size);
	if (err == -ENOENT && !stable)
		_exit(EXIT_ENOENT);
	if (err) {
		report("exec child: attach + mmap %s: %s", argv[2], strerror(-err));
		_exit(EXIT_BAD);
	}
	if (touch(p, size, argv[2], stable ? OWNED_PAGES : STRICT_PAGES, 64, &rs))
		_exit(EXIT_BAD);
	/* Exit with the mapping in place half of the time. */
	if (rnd(&rs) & 1) {
		if (!stable)
			COUNT(churn_exit_mapped);
		_exit(0);
	}
	_exit(munmap(p, size) ? EXIT_BAD : 0);
}
