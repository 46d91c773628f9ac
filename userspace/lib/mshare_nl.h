/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmshare, management API: create, destroy, query and tune mshare domains,
 * set creation limits and listen to events over the "mshare" generic
 * netlink family, through libnl-genl-3 (whose headers this one includes).
 * It includes <mshare.h>, the attach API.  Manual: libmshare(3) and the
 * pages it lists.
 *
 * Conventions (libmshare(3)):
 *  - Functions returning int return >= 0 on success (0, or a count where
 *    said) and -errno on failure: the kernel's own errno, its extended-ack
 *    message readable with mshare_nl_extack().  Functions returning a
 *    pointer return NULL and set errno on failure.
 *  - Every struct below starts with "uint32_t size".  A struct the caller
 *    allocates must have it set to sizeof the struct before the call:
 *    declare it with MSHARE_INIT (struct mshare_domain_info d =
 *    MSHARE_INIT(d);) or set d.size = sizeof(d).  The library reads or
 *    writes only the first min(size, its own size) bytes; a size below the
 *    struct's first released size is refused with -EINVAL (before anything
 *    is sent).  On success it sets an output struct's size to the number
 *    of bytes it filled: fields past it were not written.  Bytes of an
 *    input struct past the library's own size must be zero (-EOPNOTSUPP
 *    otherwise), so a field added later has 0 as "not given".  A struct the
 *    library passes to a callback belongs to the library, is valid during
 *    the call only and has size set to the bytes it holds.
 *  - Every function taking a domain @name also takes "#ID", the domain's id
 *    in decimal ('#' is never part of a name): that reaches a domain whose
 *    name was deleted, too.  mshare_id_key() writes one.
 *
 * Thread safety: a struct mshare_nl or struct mshare_events handle must not
 * be used by two threads at the same time (lock around it, or give each
 * thread its own); separate handles are independent.  The functions that
 * take no handle are thread-safe.
 */
#ifndef MSHARE_NL_H
#define MSHARE_NL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/mshare.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>

#include "mshare.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Initializer of a caller-allocated struct: T x = MSHARE_INIT(x); */
#define MSHARE_INIT(x)	{ .size = sizeof(x) }

/* ---- the handle: mshare_nl_open(3) ---- */

/* A connection to the family (opaque). */
struct mshare_nl;

/*
 * Connect and resolve the family.  NULL with errno set on failure: ENOENT
 * (the module is not loaded), ENOMEM, or the socket's errno.
 */
struct mshare_nl *mshare_nl_open(void);
/* Close and free @nl (NULL: nothing).  A NULL handle elsewhere: -EINVAL. */
void mshare_nl_close(struct mshare_nl *nl);
/*
 * The kernel's extended-ack message of @nl's last failed request ("" if it
 * had none); valid until the next request on @nl.
 */
const char *mshare_nl_extack(const struct mshare_nl *nl);

/*
 * Raw requests, for what the calls below do not cover: the family id, the
 * libnl socket (owned by @nl), a request message for @cmd
 * (NLM_F_REQUEST | NLM_F_ACK | @flags; NULL with errno ENOMEM), and
 * running it.
 */
int mshare_nl_family(const struct mshare_nl *nl);
struct nl_sock *mshare_nl_sock(struct mshare_nl *nl);
struct nl_msg *mshare_nl_msg(struct mshare_nl *nl, int cmd, int flags);
/* Called for each reply message with its attributes parsed. */
typedef int (*mshare_nl_parse_fn)(struct nlattr **tb, void *arg);
/*
 * Send @msg (consumed; NULL: -ENOMEM) and read all replies, calling @parse
 * for each.  Returns the number of reply messages, or -errno as the kernel
 * said it.
 */
int mshare_nl_run(struct mshare_nl *nl, struct nl_msg *msg,
		  mshare_nl_parse_fn parse, void *arg);
/* Put @name's DOMAIN_NAME, or DOMAIN_ID for "#ID", into @msg: 0 or < 0. */
int mshare_nl_put_key(struct nl_msg *msg, const char *name);
/* "#ID" for @id, in @buf; returns @buf. */
const char *mshare_id_key(uint32_t id, char buf[16]);

/* ---- structs ---- */

/*
 * A NUMA policy: enum mshare_numa_policy and its node list.  Fixed layout
 * (it is part of the structs below, never grows).
 */
struct mshare_numa {
	int policy;			/* MSHARE_NUMA_*, or -1: not given */
	unsigned int nr_nodes;
	uint32_t nodes[MSHARE_NUMA_NODES_MAX];
};

/* A domain, as DOMAIN_GET and the events describe it. */
struct mshare_domain_info {
	uint32_t size;			/* sizeof, see above */
	char name[MSHARE_NAME_MAX];
	uint32_t id, flags, mode, uid, gid, attached;
	uint32_t table_pages, links_pud, links_pmd;
	uint64_t bytes;			/* the domain's size */
	uint64_t resident;
	struct mshare_numa numa;	/* policy -1 if the reply had none */
	int home_node;			/* -1 if the reply had none */
	int deleted;			/* its name was deleted; still held */
	uint32_t creator_pid;
	uint64_t ctime;			/* creation, seconds since 1970 */
};

/* DOMAIN_STATS: see uapi/linux/mshare.h. */
#define MSHARE_STATS_NODES	64
struct mshare_domain_stats {
	uint32_t size;			/* sizeof, see above */
	char name[MSHARE_NAME_MAX];
	uint32_t id, attached, mappings, processes;
	uint32_t table_pages, links_pud, links_pmd;
	uint64_t resident, faults, shootdowns, shootdown_cpus, pages_flushed;
	uint64_t flushes_ranged, flushes_full;
	int home_node;			/* -1 if the reply had none */
	uint64_t migrations, pages_migrated, migrate_skipped, migrate_ns;
	/* Per node, indexed by node id (ids >= MSHARE_STATS_NODES dropped) */
	uint64_t node_pages[MSHARE_STATS_NODES];
	uint64_t node_table_pages[MSHARE_STATS_NODES];
	uint64_t node_seen[(MSHARE_STATS_NODES + 63) / 64]; /* bit per node */
};

/* GET_INFO. */
struct mshare_module_info {
	uint32_t size;			/* sizeof, see above */
	uint32_t abi_version, domains;
	uint64_t data_pages, table_pages, max_size;
	uint64_t orphan_pages;		/* pinned pages out of their domain */
};

/* LIMIT_GET: a grant or the namespace total, with its usage. */
struct mshare_limit_info {
	uint32_t size;			/* sizeof, see above */
	uint32_t kind;			/* MSHARE_LIMIT_* */
	uint32_t id;			/* uid or gid (user, group) */
	uint64_t bytes, used_bytes;
	uint32_t domains, used_domains;
};

/* DOMAIN_HOLDERS: a process that maps the domain. */
struct mshare_holder_info {
	uint32_t size;			/* sizeof, see above */
	uint32_t pid;
	char comm[16];
	uint32_t mappings;
	uint64_t linked;		/* bytes its links cover */
};

/* Optional DOMAIN_NEW and DOMAIN_SET attributes; < 0 means "not given". */
struct mshare_domain_opts {
	uint32_t size;			/* sizeof, see above */
	unsigned int flags;		/* MSHARE_DOMAIN_F_* (create only) */
	int mode, uid, gid;
	struct mshare_numa numa;	/* numa.policy < 0: not given */
};
/* Nothing given: struct mshare_domain_opts o = MSHARE_DOMAIN_OPTS_INIT; */
#define MSHARE_DOMAIN_OPTS_INIT { .size = sizeof(struct mshare_domain_opts), \
				  .flags = 0, .mode = -1, .uid = -1, \
				  .gid = -1, .numa = { .policy = -1 } }

/* DOMAIN_MIGRATE's reply (and what its events carry). */
struct mshare_migrate_result {
	uint32_t size;			/* sizeof, see above */
	uint32_t node;
	uint64_t total, done, skipped;
};

/* ---- domains: mshare_domain_create(3) ---- */

/*
 * DOMAIN_NEW @name of @bytes (a multiple of 2 MiB... see the manual), with
 * @opts (NULL: defaults); the new domain in @out (NULL: not wanted).
 */
int mshare_domain_create(struct mshare_nl *nl, const char *name,
			 uint64_t bytes, const struct mshare_domain_opts *opts,
			 struct mshare_domain_info *out);
int mshare_domain_destroy(struct mshare_nl *nl, const char *name);
/* DOMAIN_SET: the fields of @opts that are >= 0 (flags is ignored). */
int mshare_domain_set(struct mshare_nl *nl, const char *name,
		      const struct mshare_domain_opts *opts,
		      struct mshare_domain_info *out);
/* DOMAIN_DISCARD: free the data pages of [@offset, @offset + @length). */
int mshare_domain_discard(struct mshare_nl *nl, const char *name,
			  uint64_t offset, uint64_t length);
/*
 * DOMAIN_MIGRATE: move the pages of [@offset, @offset + @length) of @name
 * to @node (@length 0: the whole domain, tables included).  Blocks until
 * done; -EINTR if a signal stopped it (pages stay valid).  @out may be
 * NULL.
 */
int mshare_domain_migrate(struct mshare_nl *nl, const char *name,
			  uint32_t node, uint64_t offset, uint64_t length,
			  struct mshare_migrate_result *out);

/* ---- queries: mshare_domain_get(3) ---- */

int mshare_domain_get(struct mshare_nl *nl, const char *name,
		      struct mshare_domain_info *out);
/* Dump: calls @fn for each domain; returns the number of domains. */
int mshare_domain_dump(struct mshare_nl *nl,
		       void (*fn)(const struct mshare_domain_info *, void *),
		       void *arg);
int mshare_domain_stats(struct mshare_nl *nl, const char *name,
			struct mshare_domain_stats *out);
/* Stats dump: calls @fn for each domain; returns the number of domains. */
int mshare_domain_stats_dump(struct mshare_nl *nl,
			     void (*fn)(const struct mshare_domain_stats *,
					void *),
			     void *arg);
/* DOMAIN_HOLDERS: calls @fn for each; returns their number. */
int mshare_domain_holders(struct mshare_nl *nl, const char *name,
			  void (*fn)(const struct mshare_holder_info *, void *),
			  void *arg);
int mshare_module_info(struct mshare_nl *nl, struct mshare_module_info *out);
/* Fill @out from a DOMAIN_STATS reply's attributes (raw requests). */
int mshare_parse_domain_stats(struct nlattr **tb,
			      struct mshare_domain_stats *out);
/* Fill @out from a DOMAIN_MIGRATE reply's or event's attributes. */
int mshare_parse_migrate(struct nlattr **tb, struct mshare_migrate_result *out);
/* "local", "bind"... for MSHARE_NUMA_*; NULL (errno EINVAL) if unknown. */
const char *mshare_numa_policy_name(int policy);
/* The MSHARE_NUMA_* value of @name, or -EINVAL. */
int mshare_numa_policy_parse(const char *name);

/* ---- limits: mshare_limit_set(3) ---- */

/* LIMIT_SET (@kind MSHARE_LIMIT_*; @id ignored for the namespace), LIMIT_DEL. */
int mshare_limit_set(struct mshare_nl *nl, uint32_t kind, uint32_t id,
		     uint64_t bytes, uint32_t domains);
int mshare_limit_del(struct mshare_nl *nl, uint32_t kind, uint32_t id);
/* LIMIT_GET: calls @fn for each; returns their number. */
int mshare_limit_dump(struct mshare_nl *nl,
		      void (*fn)(const struct mshare_limit_info *, void *),
		      void *arg);

/* ---- events: mshare_events_open(3) ---- */

/* A listener on the "events" group (opaque). */
struct mshare_events;

/* mshare_event.cmd of the report that events were lost. */
#define MSHARE_EVENT_LOST	0x10000u

/*
 * One event, owned by the library and valid during the callback only.
 * @cmd is the notification (MSHARE_CMD_DOMAIN_CREATED...), or
 * MSHARE_EVENT_LOST: the kernel dropped events because the socket's
 * receive buffer was full, @lost of them (-1: how many is unknown); then
 * nothing else is set.
 */
struct mshare_event {
	uint32_t size;			/* bytes of this struct the library set */
	uint32_t cmd;			/* MSHARE_CMD_DOMAIN_*, MSHARE_EVENT_LOST */
	const struct mshare_domain_info *domain; /* the domain (every event) */
	uint32_t pid;			/* EVENT_PID (ATTACHED, MIGRATED), or 0 */
	int migrate_error;		/* MIGRATED: 0 or a positive errno */
	const struct mshare_migrate_result *migrate; /* MIGRATE_PROGRESS,
					   MIGRATED; NULL otherwise */
	int64_t lost;			/* MSHARE_EVENT_LOST: see above */
	const struct nlmsghdr *nlh;	/* the message as received, to decode
					   more with libnl (NULL for
					   MSHARE_EVENT_LOST) */
};

/*
 * Join the "events" group on a socket of its own.  NULL with errno set on
 * failure: EPERM (joining needs CAP_SYS_ADMIN), ENOENT (module not
 * loaded), ENOMEM...  @rcvbuf: the receive buffer to ask for (0: the
 * default), forced if the caller may (CAP_NET_ADMIN).
 */
struct mshare_events *mshare_events_open(size_t rcvbuf);
void mshare_events_close(struct mshare_events *ev);
/* The socket's descriptor, to poll() for POLLIN; owned by @ev (-EINVAL: NULL). */
int mshare_events_fd(const struct mshare_events *ev);
/*
 * Read what is queued, without blocking, calling @fn for each event (and
 * for a MSHARE_EVENT_LOST report).  Returns the number of calls made (0:
 * nothing was queued), or -errno (-EINVAL: @ev or @fn NULL).
 */
int mshare_events_read(struct mshare_events *ev,
		       void (*fn)(const struct mshare_event *, void *),
		       void *arg);

#ifdef __cplusplus
}
#endif

#endif /* MSHARE_NL_H */
