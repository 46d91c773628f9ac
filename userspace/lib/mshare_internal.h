/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmshare's private declarations: the handle's layout and what its files
 * share.  Not installed; nothing here is exported (libmshare.map).
 */
#ifndef MSHARE_INTERNAL_H
#define MSHARE_INTERNAL_H

#include "mshare_nl.h"

#define MSHARE_HIDDEN	__attribute__((visibility("hidden")))

struct mshare_nl {
	struct nl_sock *sk;
	int family;
	char extack[256];	/* message of the last failed request */
};

/*
 * The first released size of each public struct: the end of its last
 * LIBMSHARE_1.0 field.  A caller's size below it is refused (-EINVAL).
 * Fields added later go after these, and these never change.
 */
#define MSHARE_OFFSETOFEND(t, f)	(offsetof(t, f) + sizeof(((t *)0)->f))
#define MSHARE_SIZE0_DOMAIN_INFO \
	MSHARE_OFFSETOFEND(struct mshare_domain_info, ctime)
#define MSHARE_SIZE0_DOMAIN_STATS \
	MSHARE_OFFSETOFEND(struct mshare_domain_stats, node_seen)
#define MSHARE_SIZE0_MODULE_INFO \
	MSHARE_OFFSETOFEND(struct mshare_module_info, orphan_pages)
#define MSHARE_SIZE0_DOMAIN_OPTS \
	MSHARE_OFFSETOFEND(struct mshare_domain_opts, numa)
#define MSHARE_SIZE0_MIGRATE_RESULT \
	MSHARE_OFFSETOFEND(struct mshare_migrate_result, skipped)

/* 0 if the caller's struct at @p (size first) holds at least @min bytes. */
MSHARE_HIDDEN int mshare_size_ok(const void *p, size_t min);
/*
 * Copy the library's filled struct @full (@full_size bytes, size first) to
 * the caller's @out: min(out->size, @full_size) bytes, and that is the
 * size set.  Call mshare_size_ok() first.
 */
MSHARE_HIDDEN void mshare_copy_out(void *out, const void *full,
				   size_t full_size);
/*
 * Read the caller's input struct @in (size first) into @dst (@dst_size
 * bytes, holding the defaults): -EINVAL below @min, -EOPNOTSUPP if a byte past
 * @dst_size is not zero, else 0.
 */
MSHARE_HIDDEN int mshare_copy_in(void *dst, size_t dst_size, const void *in,
				 size_t min);

/* A domain's attributes (DOMAIN_GET, DOMAIN_NEW, events) into @d. */
MSHARE_HIDDEN void mshare_fill_domain(struct nlattr **tb,
				      struct mshare_domain_info *d);
/* A migration's attributes into @m. */
MSHARE_HIDDEN void mshare_fill_migrate(struct nlattr **tb,
				       struct mshare_migrate_result *m);
/*
 * A generic netlink socket with extended acks on, and the family's id:
 * 0 or -errno (-ENOENT: the module is not loaded).
 */
MSHARE_HIDDEN int mshare_connect(struct nl_sock **skp, int *family);

#endif /* MSHARE_INTERNAL_H */
