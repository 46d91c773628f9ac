// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libmshare, management calls: domains, queries and limits over the
 * family's requests (mshare_nl.c runs them).  See mshare_nl.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mshare_internal.h"

static void parse_numa(struct nlattr **tb, struct mshare_numa *numa,
		       int *home)
{
	struct nlattr *a = tb[MSHARE_A_DOMAIN_NUMA_NODES];

	memset(numa, 0, sizeof(*numa));
	numa->policy = -1;
	*home = -1;
	if (tb[MSHARE_A_DOMAIN_NUMA_POLICY])
		numa->policy = nla_get_u32(tb[MSHARE_A_DOMAIN_NUMA_POLICY]);
	if (tb[MSHARE_A_DOMAIN_NUMA_NODE])
		*home = nla_get_u32(tb[MSHARE_A_DOMAIN_NUMA_NODE]);
	if (a) {
		unsigned int n = nla_len(a) / sizeof(uint32_t);

		if (n > MSHARE_NUMA_NODES_MAX)
			n = MSHARE_NUMA_NODES_MAX;
		memcpy(numa->nodes, nla_data(a), n * sizeof(uint32_t));
		numa->nr_nodes = n;
	}
}

/* DOMAIN_NUMA_POLICY and DOMAIN_NUMA_NODES of @numa, if given. */
static int put_numa(struct nl_msg *msg, const struct mshare_numa *numa)
{
	if (numa->policy < 0)
		return 0;
	if (nla_put_u32(msg, MSHARE_A_DOMAIN_NUMA_POLICY, numa->policy))
		return -1;
	if (numa->nr_nodes &&
	    nla_put(msg, MSHARE_A_DOMAIN_NUMA_NODES,
		    numa->nr_nodes * sizeof(uint32_t), numa->nodes))
		return -1;
	return 0;
}

static const char *const numa_policy_names[] = {
	[MSHARE_NUMA_LOCAL] = "local",
	[MSHARE_NUMA_BIND] = "bind",
	[MSHARE_NUMA_PREFERRED] = "preferred",
	[MSHARE_NUMA_INTERLEAVE] = "interleave",
	[MSHARE_NUMA_AUTO] = "auto",
};

const char *mshare_numa_policy_name(int policy)
{
	if (policy < 0 || policy >= __MSHARE_NUMA_MAX) {
		errno = EINVAL;
		return NULL;
	}
	return numa_policy_names[policy];
}

int mshare_numa_policy_parse(const char *name)
{
	int i;

	for (i = 0; i < __MSHARE_NUMA_MAX; i++)
		if (!strcmp(name, numa_policy_names[i]))
			return i;
	return -EINVAL;
}

const char *mshare_id_key(uint32_t id, char buf[16])
{
	snprintf(buf, 16, "#%u", id);
	return buf;
}

/* DOMAIN_NAME, or DOMAIN_ID for a "#ID" key. */
int mshare_nl_put_key(struct nl_msg *msg, const char *name)
{
	char *end;
	unsigned long id;

	if (name[0] != '#')
		return nla_put_string(msg, MSHARE_A_DOMAIN_NAME, name);
	errno = 0;
	id = strtoul(name + 1, &end, 10);
	if (!name[1] || *end || errno || id > UINT32_MAX)
		return -EINVAL;
	return nla_put_u32(msg, MSHARE_A_DOMAIN_ID, id);
}

void mshare_fill_domain(struct nlattr **tb, struct mshare_domain_info *d)
{
	memset(d, 0, sizeof(*d));
	d->size = sizeof(*d);
	if (tb[MSHARE_A_DOMAIN_NAME])
		strncpy(d->name, nla_get_string(tb[MSHARE_A_DOMAIN_NAME]),
			sizeof(d->name) - 1);
#define U32(a, f) if (tb[a]) d->f = nla_get_u32(tb[a])
#define U64(a, f) if (tb[a]) d->f = nla_get_u64(tb[a])
	U32(MSHARE_A_DOMAIN_ID, id);
	U32(MSHARE_A_DOMAIN_FLAGS, flags);
	U32(MSHARE_A_DOMAIN_MODE, mode);
	U32(MSHARE_A_DOMAIN_UID, uid);
	U32(MSHARE_A_DOMAIN_GID, gid);
	U32(MSHARE_A_DOMAIN_ATTACHED, attached);
	U32(MSHARE_A_DOMAIN_TABLE_PAGES, table_pages);
	U32(MSHARE_A_DOMAIN_LINKS_PUD, links_pud);
	U32(MSHARE_A_DOMAIN_LINKS_PMD, links_pmd);
	U64(MSHARE_A_DOMAIN_SIZE, bytes);
	U64(MSHARE_A_DOMAIN_RESIDENT, resident);
	U32(MSHARE_A_DOMAIN_CREATOR_PID, creator_pid);
	U64(MSHARE_A_DOMAIN_CTIME, ctime);
#undef U32
#undef U64
	d->deleted = !!tb[MSHARE_A_DOMAIN_DELETED];
	parse_numa(tb, &d->numa, &d->home_node);
}

static int parse_domain(struct nlattr **tb, void *arg)
{
	mshare_fill_domain(tb, arg);
	return 0;
}

/* @opts (NULL: nothing given) read into @o: 0 or -errno. */
static int read_opts(const struct mshare_domain_opts *opts,
		     struct mshare_domain_opts *o)
{
	const struct mshare_domain_opts dflt = MSHARE_DOMAIN_OPTS_INIT;

	*o = dflt;
	return opts ? mshare_copy_in(o, sizeof(*o), opts,
				     MSHARE_SIZE0_DOMAIN_OPTS) : 0;
}

/* Run @msg, whose one reply is a domain, into the caller's @out (may be NULL). */
static int run_domain(struct mshare_nl *nl, struct nl_msg *msg,
		      struct mshare_domain_info *out)
{
	struct mshare_domain_info d;
	int ret = mshare_nl_run(nl, msg, parse_domain, &d);

	if (ret == 0)
		return -EIO;	/* no reply although no error */
	if (ret < 0)
		return ret;
	if (out)
		mshare_copy_out(out, &d, sizeof(d));
	return 0;
}

int mshare_domain_create(struct mshare_nl *nl, const char *name,
			 uint64_t bytes, const struct mshare_domain_opts *opts,
			 struct mshare_domain_info *out)
{
	struct mshare_domain_opts o;
	struct nl_msg *msg;
	int ret;

	if (!name || (out && mshare_size_ok(out, MSHARE_SIZE0_DOMAIN_INFO)))
		return -EINVAL;
	ret = read_opts(opts, &o);
	if (ret)
		return ret;
	msg = mshare_nl_msg(nl, MSHARE_CMD_DOMAIN_NEW, 0);
	if (!msg)
		return -errno;	/* EINVAL: no handle; ENOMEM */
	if (nla_put_string(msg, MSHARE_A_DOMAIN_NAME, name) ||
	    nla_put_u64(msg, MSHARE_A_DOMAIN_SIZE, bytes) ||
	    (o.flags && nla_put_u32(msg, MSHARE_A_DOMAIN_FLAGS, o.flags)) ||
	    (o.mode >= 0 && nla_put_u32(msg, MSHARE_A_DOMAIN_MODE, o.mode)) ||
	    (o.uid >= 0 && nla_put_u32(msg, MSHARE_A_DOMAIN_UID, o.uid)) ||
	    (o.gid >= 0 && nla_put_u32(msg, MSHARE_A_DOMAIN_GID, o.gid)) ||
	    put_numa(msg, &o.numa)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return run_domain(nl, msg, out);
}

/*
 * Send @cmd for domain @name (plus DISCARD_OFFSET/LENGTH when @range) and
 * parse the reply with @parse into @out.  With @parse, a missing reply is
 * an error.  0 or -errno.
 */
static int name_request(struct mshare_nl *nl, int cmd, const char *name,
			const uint64_t *range, mshare_nl_parse_fn parse,
			void *out)
{
	struct nl_msg *msg;
	int ret;

	if (!name)
		return -EINVAL;
	msg = mshare_nl_msg(nl, cmd, 0);
	if (!msg)
		return -errno;	/* EINVAL: no handle; ENOMEM */
	if (mshare_nl_put_key(msg, name) ||
	    (range && (nla_put_u64(msg, MSHARE_A_DISCARD_OFFSET, range[0]) ||
		       nla_put_u64(msg, MSHARE_A_DISCARD_LENGTH, range[1])))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	ret = mshare_nl_run(nl, msg, parse, out);
	if (ret == 0 && parse)
		return -EIO;	/* no reply although no error */
	return ret < 0 ? ret : 0;
}

int mshare_domain_destroy(struct mshare_nl *nl, const char *name)
{
	return name_request(nl, MSHARE_CMD_DOMAIN_DEL, name, NULL, NULL, NULL);
}

int mshare_domain_get(struct mshare_nl *nl, const char *name,
		      struct mshare_domain_info *out)
{
	struct mshare_domain_info d;
	int ret;

	if (!out || mshare_size_ok(out, MSHARE_SIZE0_DOMAIN_INFO))
		return -EINVAL;
	ret = name_request(nl, MSHARE_CMD_DOMAIN_GET, name, NULL, parse_domain,
			   &d);
	if (!ret)
		mshare_copy_out(out, &d, sizeof(d));
	return ret;
}

struct dump_ctx {
	void (*fn)(const struct mshare_domain_info *, void *);
	void *arg;
};

static int parse_dump(struct nlattr **tb, void *arg)
{
	struct dump_ctx *c = arg;
	struct mshare_domain_info d;

	mshare_fill_domain(tb, &d);
	if (c->fn)
		c->fn(&d, c->arg);
	return 0;
}

int mshare_domain_dump(struct mshare_nl *nl,
		       void (*fn)(const struct mshare_domain_info *, void *),
		       void *arg)
{
	struct dump_ctx c = { fn, arg };

	return mshare_nl_run(nl, mshare_nl_msg(nl, MSHARE_CMD_DOMAIN_GET,
					       NLM_F_DUMP), parse_dump, &c);
}

static int parse_info(struct nlattr **tb, void *arg)
{
	struct mshare_module_info *m = arg;

	memset(m, 0, sizeof(*m));
	m->size = sizeof(*m);
	if (tb[MSHARE_A_INFO_ABI_VERSION])
		m->abi_version = nla_get_u32(tb[MSHARE_A_INFO_ABI_VERSION]);
	if (tb[MSHARE_A_INFO_DOMAINS])
		m->domains = nla_get_u32(tb[MSHARE_A_INFO_DOMAINS]);
	if (tb[MSHARE_A_INFO_DATA_PAGES])
		m->data_pages = nla_get_u64(tb[MSHARE_A_INFO_DATA_PAGES]);
	if (tb[MSHARE_A_INFO_TABLE_PAGES])
		m->table_pages = nla_get_u64(tb[MSHARE_A_INFO_TABLE_PAGES]);
	if (tb[MSHARE_A_INFO_MAX_SIZE])
		m->max_size = nla_get_u64(tb[MSHARE_A_INFO_MAX_SIZE]);
	if (tb[MSHARE_A_INFO_ORPHAN_PAGES])
		m->orphan_pages = nla_get_u64(tb[MSHARE_A_INFO_ORPHAN_PAGES]);
	return 0;
}

int mshare_domain_set(struct mshare_nl *nl, const char *name,
		      const struct mshare_domain_opts *opts,
		      struct mshare_domain_info *out)
{
	struct mshare_domain_opts o;
	struct nl_msg *msg;
	int ret;

	if (!name || (out && mshare_size_ok(out, MSHARE_SIZE0_DOMAIN_INFO)))
		return -EINVAL;
	ret = read_opts(opts, &o);
	if (ret)
		return ret;
	msg = mshare_nl_msg(nl, MSHARE_CMD_DOMAIN_SET, 0);
	if (!msg)
		return -errno;	/* EINVAL: no handle; ENOMEM */
	if (mshare_nl_put_key(msg, name) ||
	    (o.mode >= 0 && nla_put_u32(msg, MSHARE_A_DOMAIN_MODE, o.mode)) ||
	    (o.uid >= 0 && nla_put_u32(msg, MSHARE_A_DOMAIN_UID, o.uid)) ||
	    (o.gid >= 0 && nla_put_u32(msg, MSHARE_A_DOMAIN_GID, o.gid)) ||
	    put_numa(msg, &o.numa)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return run_domain(nl, msg, out);
}

static void fill_stats(struct nlattr **tb, struct mshare_domain_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	if (tb[MSHARE_A_DOMAIN_NAME])
		strncpy(s->name, nla_get_string(tb[MSHARE_A_DOMAIN_NAME]),
			sizeof(s->name) - 1);
#define U32(a, f) if (tb[a]) s->f = nla_get_u32(tb[a])
#define U64(a, f) if (tb[a]) s->f = nla_get_u64(tb[a])
	U32(MSHARE_A_DOMAIN_ID, id);
	U32(MSHARE_A_DOMAIN_ATTACHED, attached);
	U32(MSHARE_A_STATS_MAPPINGS, mappings);
	U32(MSHARE_A_STATS_PROCESSES, processes);
	U32(MSHARE_A_DOMAIN_TABLE_PAGES, table_pages);
	U32(MSHARE_A_DOMAIN_LINKS_PUD, links_pud);
	U32(MSHARE_A_DOMAIN_LINKS_PMD, links_pmd);
	U64(MSHARE_A_DOMAIN_RESIDENT, resident);
	U64(MSHARE_A_STATS_FAULTS, faults);
	U64(MSHARE_A_STATS_SHOOTDOWNS, shootdowns);
	U64(MSHARE_A_STATS_SHOOTDOWN_CPUS, shootdown_cpus);
	U64(MSHARE_A_STATS_PAGES_FLUSHED, pages_flushed);
	U64(MSHARE_A_STATS_FLUSHES_RANGED, flushes_ranged);
	U64(MSHARE_A_STATS_FLUSHES_FULL, flushes_full);
	U64(MSHARE_A_STATS_MIGRATIONS, migrations);
	U64(MSHARE_A_STATS_PAGES_MIGRATED, pages_migrated);
	U64(MSHARE_A_STATS_MIGRATE_SKIPPED, migrate_skipped);
	U64(MSHARE_A_STATS_MIGRATE_NS, migrate_ns);
#undef U32
#undef U64
	s->home_node = -1;
	if (tb[MSHARE_A_DOMAIN_NUMA_NODE])
		s->home_node = nla_get_u32(tb[MSHARE_A_DOMAIN_NUMA_NODE]);
	if (tb[MSHARE_A_STATS_NODES]) {
		struct nlattr *a;
		int rem;

		nla_for_each_nested(a, tb[MSHARE_A_STATS_NODES], rem) {
			struct nlattr *nt[MSHARE_A_NODE_MAX + 1];
			uint32_t id;

			if (nla_parse_nested(nt, MSHARE_A_NODE_MAX, a, NULL) ||
			    !nt[MSHARE_A_NODE_ID])
				continue;
			id = nla_get_u32(nt[MSHARE_A_NODE_ID]);
			if (id >= MSHARE_STATS_NODES)
				continue;
			s->node_seen[id / 64] |= 1ULL << (id % 64);
			if (nt[MSHARE_A_NODE_PAGES])
				s->node_pages[id] =
					nla_get_u64(nt[MSHARE_A_NODE_PAGES]);
			if (nt[MSHARE_A_NODE_TABLE_PAGES])
				s->node_table_pages[id] =
					nla_get_u64(nt[MSHARE_A_NODE_TABLE_PAGES]);
		}
	}
}

int mshare_parse_domain_stats(struct nlattr **tb,
			      struct mshare_domain_stats *out)
{
	struct mshare_domain_stats s;

	if (!out || mshare_size_ok(out, MSHARE_SIZE0_DOMAIN_STATS))
		return -EINVAL;
	fill_stats(tb, &s);
	mshare_copy_out(out, &s, sizeof(s));
	return 0;
}

static int parse_stats(struct nlattr **tb, void *arg)
{
	fill_stats(tb, arg);
	return 0;
}

int mshare_domain_stats(struct mshare_nl *nl, const char *name,
			struct mshare_domain_stats *out)
{
	struct mshare_domain_stats s;
	int ret;

	if (!out || mshare_size_ok(out, MSHARE_SIZE0_DOMAIN_STATS))
		return -EINVAL;
	ret = name_request(nl, MSHARE_CMD_DOMAIN_STATS, name, NULL,
			   parse_stats, &s);
	if (!ret)
		mshare_copy_out(out, &s, sizeof(s));
	return ret;
}

struct stats_dump_ctx {
	void (*fn)(const struct mshare_domain_stats *, void *);
	void *arg;
};

static int parse_stats_dump(struct nlattr **tb, void *arg)
{
	struct stats_dump_ctx *c = arg;
	struct mshare_domain_stats s;

	fill_stats(tb, &s);
	if (c->fn)
		c->fn(&s, c->arg);
	return 0;
}

int mshare_domain_stats_dump(struct mshare_nl *nl,
			     void (*fn)(const struct mshare_domain_stats *,
					void *),
			     void *arg)
{
	struct stats_dump_ctx c = { fn, arg };

	return mshare_nl_run(nl, mshare_nl_msg(nl, MSHARE_CMD_DOMAIN_STATS,
					       NLM_F_DUMP), parse_stats_dump, &c);
}

int mshare_domain_discard(struct mshare_nl *nl, const char *name,
			  uint64_t offset, uint64_t length)
{
	const uint64_t range[2] = { offset, length };

	return name_request(nl, MSHARE_CMD_DOMAIN_DISCARD, name, range, NULL,
			    NULL);
}

void mshare_fill_migrate(struct nlattr **tb, struct mshare_migrate_result *m)
{
	memset(m, 0, sizeof(*m));
	m->size = sizeof(*m);
	if (tb[MSHARE_A_MIGRATE_NODE])
		m->node = nla_get_u32(tb[MSHARE_A_MIGRATE_NODE]);
	if (tb[MSHARE_A_MIGRATE_PAGES_TOTAL])
		m->total = nla_get_u64(tb[MSHARE_A_MIGRATE_PAGES_TOTAL]);
	if (tb[MSHARE_A_MIGRATE_PAGES_DONE])
		m->done = nla_get_u64(tb[MSHARE_A_MIGRATE_PAGES_DONE]);
	if (tb[MSHARE_A_MIGRATE_PAGES_SKIPPED])
		m->skipped = nla_get_u64(tb[MSHARE_A_MIGRATE_PAGES_SKIPPED]);
}

int mshare_parse_migrate(struct nlattr **tb, struct mshare_migrate_result *out)
{
	struct mshare_migrate_result m;

	if (!out || mshare_size_ok(out, MSHARE_SIZE0_MIGRATE_RESULT))
		return -EINVAL;
	mshare_fill_migrate(tb, &m);
	mshare_copy_out(out, &m, sizeof(m));
	return 0;
}

static int parse_migrate(struct nlattr **tb, void *arg)
{
	mshare_fill_migrate(tb, arg);
	return 0;
}

int mshare_domain_migrate(struct mshare_nl *nl, const char *name,
			  uint32_t node, uint64_t offset, uint64_t length,
			  struct mshare_migrate_result *out)
{
	struct mshare_migrate_result m;
	struct nl_msg *msg;
	int ret;

	if (!name || (out && mshare_size_ok(out, MSHARE_SIZE0_MIGRATE_RESULT)))
		return -EINVAL;
	msg = mshare_nl_msg(nl, MSHARE_CMD_DOMAIN_MIGRATE, 0);
	if (!msg)
		return -errno;	/* EINVAL: no handle; ENOMEM */
	if (mshare_nl_put_key(msg, name) ||
	    nla_put_u32(msg, MSHARE_A_MIGRATE_NODE, node) ||
	    (length &&
	     (nla_put_u64(msg, MSHARE_A_MIGRATE_OFFSET, offset) ||
	      nla_put_u64(msg, MSHARE_A_MIGRATE_LENGTH, length)))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	ret = mshare_nl_run(nl, msg, parse_migrate, &m);
	if (ret == 0)
		return -EIO;
	if (ret < 0)
		return ret;
	if (out)
		mshare_copy_out(out, &m, sizeof(m));
	return 0;
}

int mshare_module_info(struct mshare_nl *nl, struct mshare_module_info *out)
{
	struct mshare_module_info m;
	int ret;

	if (!out || mshare_size_ok(out, MSHARE_SIZE0_MODULE_INFO))
		return -EINVAL;
	ret = mshare_nl_run(nl, mshare_nl_msg(nl, MSHARE_CMD_GET_INFO, 0),
			    parse_info, &m);
	if (ret == 0)
		return -EIO;
	if (ret < 0)
		return ret;
	mshare_copy_out(out, &m, sizeof(m));
	return 0;
}

int mshare_limit_set(struct mshare_nl *nl, uint32_t kind, uint32_t id,
		     uint64_t bytes, uint32_t domains)
{
	struct nl_msg *msg = mshare_nl_msg(nl, MSHARE_CMD_LIMIT_SET, 0);
	int ret;

	if (!msg)
		return -errno;	/* EINVAL: no handle; ENOMEM */
	if (nla_put_u32(msg, MSHARE_A_LIMIT_KIND, kind) ||
	    (kind != MSHARE_LIMIT_NAMESPACE &&
	     nla_put_u32(msg, MSHARE_A_LIMIT_ID, id)) ||
	    nla_put_u64(msg, MSHARE_A_LIMIT_BYTES, bytes) ||
	    nla_put_u32(msg, MSHARE_A_LIMIT_DOMAINS, domains)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	ret = mshare_nl_run(nl, msg, NULL, NULL);
	return ret < 0 ? ret : 0;
}

int mshare_limit_del(struct mshare_nl *nl, uint32_t kind, uint32_t id)
{
	struct nl_msg *msg = mshare_nl_msg(nl, MSHARE_CMD_LIMIT_DEL, 0);
	int ret;

	if (!msg)
		return -errno;	/* EINVAL: no handle; ENOMEM */
	if (nla_put_u32(msg, MSHARE_A_LIMIT_KIND, kind) ||
	    (kind != MSHARE_LIMIT_NAMESPACE &&
	     nla_put_u32(msg, MSHARE_A_LIMIT_ID, id))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	ret = mshare_nl_run(nl, msg, NULL, NULL);
	return ret < 0 ? ret : 0;
}

struct limit_dump_ctx {
	void (*fn)(const struct mshare_limit_info *, void *);
	void *arg;
};

static int parse_limit(struct nlattr **tb, void *arg)
{
	struct limit_dump_ctx *c = arg;
	struct mshare_limit_info l = { .size = sizeof(l) };

	if (tb[MSHARE_A_LIMIT_KIND])
		l.kind = nla_get_u32(tb[MSHARE_A_LIMIT_KIND]);
	if (tb[MSHARE_A_LIMIT_ID])
		l.id = nla_get_u32(tb[MSHARE_A_LIMIT_ID]);
	if (tb[MSHARE_A_LIMIT_BYTES])
		l.bytes = nla_get_u64(tb[MSHARE_A_LIMIT_BYTES]);
	if (tb[MSHARE_A_LIMIT_DOMAINS])
		l.domains = nla_get_u32(tb[MSHARE_A_LIMIT_DOMAINS]);
	if (tb[MSHARE_A_LIMIT_USED_BYTES])
		l.used_bytes = nla_get_u64(tb[MSHARE_A_LIMIT_USED_BYTES]);
	if (tb[MSHARE_A_LIMIT_USED_DOMAINS])
		l.used_domains = nla_get_u32(tb[MSHARE_A_LIMIT_USED_DOMAINS]);
	if (c->fn)
		c->fn(&l, c->arg);
	return 0;
}

int mshare_limit_dump(struct mshare_nl *nl,
		      void (*fn)(const struct mshare_limit_info *, void *),
		      void *arg)
{
	struct limit_dump_ctx c = { fn, arg };

	return mshare_nl_run(nl, mshare_nl_msg(nl, MSHARE_CMD_LIMIT_GET,
					       NLM_F_DUMP), parse_limit, &c);
}

struct holder_dump_ctx {
	void (*fn)(const struct mshare_holder_info *, void *);
	void *arg;
};

static int parse_holder(struct nlattr **tb, void *arg)
{
	struct holder_dump_ctx *c = arg;
	struct mshare_holder_info h = { 0 };
	struct nlattr *one;
	int rem;

	if (!tb[MSHARE_A_DOMAIN_HOLDERS])
		return 0;
	nla_for_each_nested(one, tb[MSHARE_A_DOMAIN_HOLDERS], rem) {
		struct nlattr *ht[MSHARE_A_HOLDER_MAX + 1];

		if (nla_parse_nested(ht, MSHARE_A_HOLDER_MAX, one, NULL))
			continue;
		memset(&h, 0, sizeof(h));
		h.size = sizeof(h);
		if (ht[MSHARE_A_HOLDER_PID])
			h.pid = nla_get_u32(ht[MSHARE_A_HOLDER_PID]);
		if (ht[MSHARE_A_HOLDER_COMM])
			strncpy(h.comm, nla_get_string(ht[MSHARE_A_HOLDER_COMM]),
				sizeof(h.comm) - 1);
		if (ht[MSHARE_A_HOLDER_MAPPINGS])
			h.mappings = nla_get_u32(ht[MSHARE_A_HOLDER_MAPPINGS]);
		if (ht[MSHARE_A_HOLDER_LINKED])
			h.linked = nla_get_u64(ht[MSHARE_A_HOLDER_LINKED]);
		if (c->fn)
			c->fn(&h, c->arg);
	}
	return 0;
}

int mshare_domain_holders(struct mshare_nl *nl, const char *name,
			  void (*fn)(const struct mshare_holder_info *, void *),
			  void *arg)
{
	struct holder_dump_ctx c = { fn, arg };
	struct nl_msg *msg;

	if (!name)
		return -EINVAL;
	msg = mshare_nl_msg(nl, MSHARE_CMD_DOMAIN_HOLDERS, NLM_F_DUMP);
	if (!msg)
		return -errno;	/* EINVAL: no handle; ENOMEM */
	if (mshare_nl_put_key(msg, name)) {
		nlmsg_free(msg);
		return -EINVAL;
	}
	return mshare_nl_run(nl, msg, parse_holder, &c);
}
