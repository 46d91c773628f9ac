// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA placement of a domain: its policy, where each new data page goes,
 * and how many pages and tables each node holds.
 *
 * A policy (struct mshare_policy) is immutable once published in
 * dom->policy; DOMAIN_SET replaces it whole and frees the old one after an
 * RCU grace period, so a fault reads it under rcu_read_lock() alone.
 *
 *   local       the node of the CPU that touches the page first
 *   bind N      node N only (__GFP_THISNODE: a full node fails the fault)
 *   preferred N node N, others when it is full
 *   interleave  page P on nodes[P % nr_nodes]: fixed by the page's offset,
 *               so every attacher and every run agrees
 *   auto        the home node (numa_auto.c moves the home)
 *
 * The home node (dom->nid) holds the domain's tables.  It is chosen at
 * creation (mshare_policy_home()) and changes only when a migration of the
 * whole domain moves the tables (migrate.c).
 *
 * Locking: dom->policy is written under dom->migrate_lock and read under
 * RCU.  The per-node counters are atomics.
 */
#include <linux/gfp.h>
#include <linux/nodemask.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/topology.h>

#include "internal.h"

/* A node that can hold pages: online, with memory. */
bool mshare_node_valid(int nid)
{
	return nid >= 0 && nid < MAX_NUMNODES && node_state(nid, N_MEMORY);
}

struct mshare_policy *mshare_policy_new(u32 mode, const u32 *nodes,
					     u32 nr_nodes, const char **why)
{
	struct mshare_policy *pol;
	u32 i, j;

	switch (mode) {
	case MSHARE_NUMA_LOCAL:
		if (nr_nodes) {
			*why = "policy local takes no node list";
			return ERR_PTR(-EINVAL);
		}
		break;
	case MSHARE_NUMA_BIND:
	case MSHARE_NUMA_PREFERRED:
		if (nr_nodes != 1) {
			*why = "policies bind and preferred take exactly one node";
			return ERR_PTR(-EINVAL);
		}
		break;
	case MSHARE_NUMA_INTERLEAVE:
		if (!nr_nodes) {
			*why = "policy interleave needs a node list";
			return ERR_PTR(-EINVAL);
		}
		break;
	case MSHARE_NUMA_AUTO:
		if (nr_nodes > 1) {
			*why = "policy auto takes at most one node (its first home)";
			return ERR_PTR(-EINVAL);
		}
		break;
	default:
		*why = "unknown NUMA policy";
		return ERR_PTR(-EINVAL);
	}
	if (nr_nodes > MSHARE_NUMA_NODES_MAX) {
		*why = "too many nodes";
		return ERR_PTR(-EINVAL);
	}
	for (i = 0; i < nr_nodes; i++) {
		if (nodes[i] >= MAX_NUMNODES || !mshare_node_valid(nodes[i])) {
			*why = "node is not online with memory";
			return ERR_PTR(-EINVAL);
		}
		for (j = 0; j < i; j++) {
			if (nodes[j] == nodes[i]) {
				*why = "node listed twice";
				return ERR_PTR(-EINVAL);
			}
		}
	}

	pol = kzalloc(struct_size(pol, nodes, nr_nodes), GFP_KERNEL);
	if (!pol)
		return ERR_PTR(-ENOMEM);
	pol->mode = mode;
	pol->nr_nodes = nr_nodes;
	for (i = 0; i < nr_nodes; i++)
		pol->nodes[i] = nodes[i];
	return pol;
}

/* Where a new domain of policy @pol keeps its tables. */
int mshare_policy_home(const struct mshare_policy *pol)
{
	int nid = pol->nr_nodes ? pol->nodes[0] : numa_node_id();

	return mshare_node_valid(nid) ? nid : first_memory_node;
}

/* Per-node counters and the policy (consumed) of a new domain. */
int mshare_numa_init_domain(struct mshare_domain *dom,
			    struct mshare_policy *pol)
{
	dom->node_pages = kcalloc(nr_node_ids, sizeof(*dom->node_pages),
				  GFP_KERNEL);
	dom->node_tables = kcalloc(nr_node_ids, sizeof(*dom->node_tables),
				   GFP_KERNEL);
	dom->autonuma.weight = kcalloc(nr_node_ids,
				       sizeof(*dom->autonuma.weight),
				       GFP_KERNEL);
	if (!dom->node_pages || !dom->node_tables || !dom->autonuma.weight) {
		kfree(pol);
		return -ENOMEM;
	}
	dom->nid = mshare_policy_home(pol);
	init_waitqueue_head(&dom->busy_wait);
	mutex_init(&dom->migrate_lock);
	init_rwsem(&dom->tables_sem);
	mshare_auto_init(dom);
	RCU_INIT_POINTER(dom->policy, pol);
	return 0;
}

/* After the tables and pages are gone; the auto work is stopped. */
void mshare_numa_free_domain(struct mshare_domain *dom)
{
	kfree(rcu_dereference_protected(dom->policy, true));
	kfree(dom->autonuma.weight);
	kfree(dom->node_tables);
	kfree(dom->node_pages);
}

void mshare_domain_set_policy(struct mshare_domain *dom,
			      struct mshare_policy *pol)
{
	struct mshare_policy *old;

	mutex_lock(&dom->migrate_lock);
	old = rcu_replace_pointer(dom->policy, pol,
				  lockdep_is_held(&dom->migrate_lock));
	if (pol->mode == MSHARE_NUMA_AUTO)
		mshare_auto_start(dom);
	else
		mshare_auto_stop(dom);
	mutex_unlock(&dom->migrate_lock);
	kfree_rcu(old, rcu);
}

/* Start the auto policy's work if that is @dom's policy. */
void mshare_auto_start_if_auto(struct mshare_domain *dom)
{
	mutex_lock(&dom->migrate_lock);
	if (rcu_dereference_protected(dom->policy,
				      lockdep_is_held(&dom->migrate_lock))->mode ==
	    MSHARE_NUMA_AUTO)
		mshare_auto_start(dom);
	mutex_unlock(&dom->migrate_lock);
}

/*
 * The node a data page (or 2 MiB folio) at @pgoff of @dom goes to, by the
 * domain's policy; adds __GFP_THISNODE to *@gfp where the policy binds.
 */
static int mshare_data_nid(struct mshare_domain *dom, pgoff_t pgoff,
			   gfp_t *gfp)
{
	struct mshare_policy *pol;
	int nid;

	rcu_read_lock();
	pol = rcu_dereference(dom->policy);
	switch (pol->mode) {
	case MSHARE_NUMA_BIND:
		*gfp |= __GFP_THISNODE | __GFP_NOWARN;
		fallthrough;
	case MSHARE_NUMA_PREFERRED:
		nid = pol->nodes[0];
		break;
	case MSHARE_NUMA_INTERLEAVE:
		nid = pol->nodes[pgoff % pol->nr_nodes];
		break;
	case MSHARE_NUMA_AUTO:
		nid = READ_ONCE(dom->nid);
		break;
	default:
		nid = numa_node_id();
		break;
	}
	rcu_read_unlock();
	if (unlikely(!mshare_node_valid(nid))) {	/* went offline */
		nid = numa_node_id();
		*gfp &= ~__GFP_THISNODE;
	}
	return nid;
}

struct page *mshare_data_page_alloc(struct mshare_domain *dom, pgoff_t pgoff)
{
	gfp_t gfp = GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT;
	int nid = mshare_data_nid(dom, pgoff, &gfp);
	struct page *page;

	page = alloc_pages_node(nid, gfp, 0);
	if (page)
		return page;
	/* A bound node that is full: no OOM kill elsewhere can help. */
	return ERR_PTR(gfp & __GFP_THISNODE ? -ENOSPC : -ENOMEM);
}

/*
 * A zeroed 2 MiB folio for the leaf at @pgoff (2 MiB-aligned) of @dom, or
 * NULL: the caller falls back to 4 KiB pages, so this tries no harder
 * than a THP fault without defrag (no retry, no warning).  A large
 * rmappable folio, never split pages (GUP takes its references on the
 * folio of the head page); not __GFP_MOVABLE (it is not on the LRU:
 * compaction could not move it, and ZONE_MOVABLE would refuse long-term
 * pins).  Interleave places whole 2 MiB.
 */
struct folio *mshare_data_folio_alloc(struct mshare_domain *dom, pgoff_t pgoff)
{
	gfp_t gfp = GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT | __GFP_NOWARN |
		    __GFP_NORETRY;
	int nid = mshare_data_nid(dom, pgoff >> PMD_ORDER, &gfp);

	return __folio_alloc_node(gfp, PMD_ORDER, nid);
}

/* @nr more (or fewer) data pages of @dom on @page's node. */
void mshare_node_pages_add(struct mshare_domain *dom, struct page *page,
			   long nr)
{
	atomic_long_add(nr, &dom->node_pages[page_to_nid(page)]);
}
