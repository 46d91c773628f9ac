/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmshare: attach mshare domains, and create/destroy/query them over the
 * "mshare" generic netlink family (libnl-genl-3).  Every function returns
 * 0 (or a count) on success and -errno on failure, except mshare_attach(),
 * which returns an address (see there).  pkg-config name: libmshare.
 */
#ifndef MSHARE_H
#define MSHARE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/mshare.h>

#include "mshare_nl.h"

/*
 * Attach: open /dev/mshare, MSHARE_IOC_ATTACH @name, mmap the whole domain.
 * Returns the address of the mapping and stores its length in *@size; the
 * descriptor is closed (the mapping keeps the domain).  @flags is passed
 * to the ioctl: MSHARE_ATTACH_F_RDONLY maps it PROT_READ.  @name may be
 * "#ID" (the domain's id).  On failure it returns an error value as the kernel's
 * ERR_PTR() does: -errno cast to a pointer, an address in the last page of
 * the address space, which is never a mapping.  Test it with
 * MSHARE_IS_ERR() and read the errno with MSHARE_PTR_ERR():
 *
 *	void *p = mshare_attach("buf", 0, &size);
 *	if (MSHARE_IS_ERR(p))
 *		return MSHARE_PTR_ERR(p);	// -ENOENT, -EACCES...
 */
#define MSHARE_MAX_ERRNO	4095
#define MSHARE_IS_ERR(p) \
	((uintptr_t)(p) >= (uintptr_t)-MSHARE_MAX_ERRNO)
#define MSHARE_PTR_ERR(p)	((int)(intptr_t)(p))
#define MSHARE_ERR_PTR(e)	((void *)(intptr_t)(e))

void *mshare_attach(const char *name, unsigned int flags, size_t *size);
/* Detach: unmap what mshare_attach() mapped. */
int mshare_detach(void *addr, size_t size);

/* A NUMA policy: enum mshare_numa_policy and its node list. */
struct mshare_numa {
	int policy;			/* MSHARE_NUMA_*, or -1: not given */
	unsigned int nr_nodes;
	uint32_t nodes[MSHARE_NUMA_NODES_MAX];
};

struct mshare_domain_info {
	char name[MSHARE_NAME_MAX];
	uint32_t id, flags, mode, uid, gid, attached;
	uint32_t table_pages, links_pud, links_pmd;
	uint64_t size, resident;
	struct mshare_numa numa;	/* policy -1 if the reply had none */
	int home_node;			/* -1 if the reply had none */
	int deleted;			/* its name was deleted; still held */
	uint32_t creator_pid;
	uint64_t ctime;			/* creation, seconds since 1970 */
};

/*
 * Every function below that takes a domain @name also takes "#ID", the
 * domain's id in decimal ('#' is never part of a name): that reaches a
 * domain whose name was deleted, too.  mshare_id_key() writes one.
 */
const char *mshare_id_key(uint32_t id, char buf[16]);
/* Put @name's DOMAIN_NAME, or DOMAIN_ID for "#ID", into @msg: 0 or < 0. */
int mshare_nl_put_key(struct nl_msg *msg, const char *name);

/* DOMAIN_STATS: see uapi/linux/mshare.h. */
#define MSHARE_STATS_NODES	64
struct mshare_domain_stats {
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

struct mshare_module_info {
	uint32_t abi_version, domains;
	uint64_t data_pages, table_pages, max_size;
	uint64_t orphan_pages;		/* pinned pages out of their domain */
};

/* LIMIT_GET: a grant or the namespace total, with its usage. */
struct mshare_limit_info {
	uint32_t kind;			/* MSHARE_LIMIT_* */
	uint32_t id;			/* uid or gid (user, group) */
	uint64_t bytes, used_bytes;
	uint32_t domains, used_domains;
};

/* DOMAIN_HOLDERS: a process that maps the domain. */
struct mshare_holder_info {
	uint32_t pid;
	char comm[16];
	uint32_t mappings;
	uint64_t linked;		/* bytes its links cover */
};

/* Optional DOMAIN_NEW attributes; a negative value means "not given". */
struct mshare_domain_opts {
	unsigned int flags;
	int mode, uid, gid;
	struct mshare_numa numa;	/* numa.policy < 0: not given */
};
#define MSHARE_DOMAIN_OPTS_DEFAULT { .flags = 0, .mode = -1, .uid = -1, \
				     .gid = -1, .numa = { .policy = -1 } }

/* DOMAIN_MIGRATE's reply (and what its events carry). */
struct mshare_migrate_result {
	uint32_t node;
	uint64_t total, done, skipped;
};

int mshare_domain_create(struct mshare_nl *nl, const char *name,
			 uint64_t size, const struct mshare_domain_opts *opts,
			 struct mshare_domain_info *out);
int mshare_domain_destroy(struct mshare_nl *nl, const char *name);
int mshare_domain_get(struct mshare_nl *nl, const char *name,
		      struct mshare_domain_info *out);
/* Dump: calls @fn for each domain; returns the number of domains. */
int mshare_domain_dump(struct mshare_nl *nl,
		       void (*fn)(const struct mshare_domain_info *, void *),
		       void *arg);
/* DOMAIN_SET: the fields of @opts that are >= 0 (flags is ignored). */
int mshare_domain_set(struct mshare_nl *nl, const char *name,
		      const struct mshare_domain_opts *opts,
		      struct mshare_domain_info *out);
int mshare_domain_stats(struct mshare_nl *nl, const char *name,
			struct mshare_domain_stats *out);
/* Stats dump: calls @fn for each domain; returns the number of domains. */
int mshare_domain_stats_dump(struct mshare_nl *nl,
			     void (*fn)(const struct mshare_domain_stats *,
					void *),
			     void *arg);
/* Fill @out from a DOMAIN_STATS reply's attributes. */
void mshare_parse_domain_stats(struct nlattr **tb,
			       struct mshare_domain_stats *out);
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
/* Fill @out from a DOMAIN_MIGRATE reply's or event's attributes. */
void mshare_parse_migrate(struct nlattr **tb, struct mshare_migrate_result *out);
int mshare_module_info(struct mshare_nl *nl, struct mshare_module_info *out);
/* LIMIT_SET (@kind MSHARE_LIMIT_*; @id ignored for the namespace), LIMIT_DEL. */
int mshare_limit_set(struct mshare_nl *nl, uint32_t kind, uint32_t id,
		     uint64_t bytes, uint32_t domains);
int mshare_limit_del(struct mshare_nl *nl, uint32_t kind, uint32_t id);
/* LIMIT_GET: calls @fn for each; returns their number or -errno. */
int mshare_limit_dump(struct mshare_nl *nl,
		      void (*fn)(const struct mshare_limit_info *, void *),
		      void *arg);
/* DOMAIN_HOLDERS: calls @fn for each; returns their number or -errno. */
int mshare_domain_holders(struct mshare_nl *nl, const char *name,
			  void (*fn)(const struct mshare_holder_info *, void *),
			  void *arg);
/* "local", "bind"... for MSHARE_NUMA_*; NULL if unknown. */
const char *mshare_numa_policy_name(int policy);
/* The MSHARE_NUMA_* value of @name, or -1. */
int mshare_numa_policy_parse(const char *name);

#endif /* MSHARE_H */
