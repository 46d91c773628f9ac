// SPDX-License-Identifier: GPL-2.0
/*
 * The "auto" NUMA policy: move a domain to the node its attachers run on,
 * when the expected saving outweighs the cost of moving.
 *
 * Every MSHARE_AUTO_PERIOD_MS a work item samples the threads of the
 * processes that map the domain: each runnable one counts for the node of
 * the CPU it is on.  Per node i, a_i is an exponentially weighted average
 * of those counts (weight 1/4 to the new sample, fixed point x256).  The
 * expected access cost of homing the domain on node h is
 *
 *	E_h = sum_i a_i * L(i, h)
 *
 * with L the firmware's node distance table (node_distance(): 10 local,
 * typically 20-32 remote).  Let b be the node with the lowest E_b.  Moving
 * from the home node h0 to b saves, over a window of MSHARE_AUTO_WINDOW_S
 * seconds, with each running attacher making MSHARE_AUTO_ACCESS_RATE
 * domain accesses per second that miss the caches and a local access
 * costing MSHARE_AUTO_LOCAL_NS (a remote one L/10 times that):
 *
 *	saving = (E_h0 - E_b) / 10 * LOCAL_NS * ACCESS_RATE * WINDOW_S
 *
 * and costs, for R resident pages and T table pages,
 *
 *	cost = (R + T) * MSHARE_AUTO_MOVE_NS_PER_PAGE + MSHARE_AUTO_MOVE_NS
 *
 * The domain moves (a migration of all of it, tables included) when
 * saving > cost and E_b is at least 1/MSHARE_AUTO_MIN_GAIN (12.5 %) below
 * E_h0 (so that a thread seen once on the other node, such as a process
 * polling the domain's stats, moves nothing: with a small domain the cost
 * is tiny and any imbalance would pay), for MSHARE_AUTO_STREAK samples in
 * a row (5 s, half the
 * window) with the same b, and at least MSHARE_AUTO_WINDOW_S after its
 * previous move, so that it cannot move more often than once per window:
 * attachers spread evenly give E_h0 == E_b and never move it; a lasting
 * majority on one node does, a transient one (processes starting, not yet
 * spread by the scheduler) does not.
 *
 * Locking: the work takes mshare_mms_lock to list the mms, then the RCU
 * read lock to walk the threads; it migrates only if it can take the
 * domain's migrate_lock at once, so that a policy change (which stops the
 * work under that lock) never waits for it.
 */
#include <linux/bsearch.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/topology.h>

#include "internal.h"

#define MSHARE_AUTO_PERIOD_MS		500
#define MSHARE_AUTO_WINDOW_S		10
#define MSHARE_AUTO_ACCESS_RATE		1000000ULL	/* per second */
#define MSHARE_AUTO_LOCAL_NS		100ULL
#define MSHARE_AUTO_MOVE_NS_PER_PAGE	2000ULL
#define MSHARE_AUTO_MOVE_NS		1000000ULL
#define MSHARE_AUTO_STREAK		10	/* samples: 5 s */
#define MSHARE_AUTO_MIN_GAIN		8	/* E_b <= E_h0 - E_h0 / 8 */

static int mshare_ptr_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* count[node] = runnable threads of @dom's attached processes on it. */
static void mshare_auto_sample(struct mshare_domain *dom, u32 *count)
{
	struct task_struct *g, *t;
	struct mm_struct **mms;
	unsigned int nr;

	mms = mshare_dom_mms(dom, &nr, GFP_KERNEL);
	if (!mms)
		return;
	sort(mms, nr, sizeof(*mms), mshare_ptr_cmp, NULL);

	rcu_read_lock();
	for_each_process_thread(g, t) {
		struct mm_struct *mm = READ_ONCE(t->mm);

		if (!mm || !task_is_running(t) ||
		    !bsearch(&mm, mms, nr, sizeof(*mms), mshare_ptr_cmp))
			continue;
		count[cpu_to_node(task_cpu(t))]++;
	}
	rcu_read_unlock();

	mshare_mms_put(mms, nr);
}

/* The node with the lowest expected access cost; *@gain = E_home - E_best. */
static int mshare_auto_best(struct mshare_domain *dom, int home, u64 *gain)
{
	u64 e, e_home = 0, e_best = U64_MAX;
	int h, i, best = home;

	for_each_node_state(h, N_MEMORY) {
		e = 0;
		for_each_node_state(i, N_MEMORY)
			e += (u64)dom->autonuma.weight[i] * node_distance(i, h);
		if (h == home)
			e_home = e;
		if (e < e_best) {
			e_best = e;
			best = h;
		}
	}
	*gain = e_home - min(e_home, e_best);
	dom->autonuma.e_home = e_home;
	return best;
}

static void mshare_auto_work(struct work_struct *work)
{
	struct mshare_auto *a = container_of(to_delayed_work(work),
					     struct mshare_auto, work);
	struct mshare_domain *dom = container_of(a, struct mshare_domain,
						 autonuma);
	int home = READ_ONCE(dom->nid), best, nid;
	u64 gain, saving, cost;
	u32 *count;

	count = kcalloc(nr_node_ids, sizeof(*count), GFP_KERNEL);
	if (!count)
		goto again;
	mshare_auto_sample(dom, count);
	for_each_node_state(nid, N_MEMORY)
		a->weight[nid] = (3 * a->weight[nid] + count[nid] * 256) / 4;
	kfree(count);

	best = mshare_auto_best(dom, home, &gain);
	/* gain is in (threads x 256) x distance units, distance 10 = local */
	saving = gain * MSHARE_AUTO_LOCAL_NS * MSHARE_AUTO_ACCESS_RATE *
		 MSHARE_AUTO_WINDOW_S / (256 * LOCAL_DISTANCE);
	cost = ((u64)atomic_long_read(&dom->resident) +
		mshare_dom_table_pages(dom)) * MSHARE_AUTO_MOVE_NS_PER_PAGE +
	       MSHARE_AUTO_MOVE_NS;
	if (best == home || saving <= cost ||
	    gain * MSHARE_AUTO_MIN_GAIN < a->e_home ||
	    time_before(jiffies, a->last_move + MSHARE_AUTO_WINDOW_S * HZ)) {
		a->streak = 0;
		goto again;
	}
	if (a->candidate != best) {
		a->candidate = best;
		a->streak = 0;
	}
	if (++a->streak >= MSHARE_AUTO_STREAK) {
		struct mshare_migrate m = {
			.node = best, .first = 0, .last = dom->nr_pages,
			.automatic = true,
		};

		a->streak = 0;
		if (mshare_migrate(dom, &m) != -EBUSY)
			a->last_move = jiffies;
	}
again:
	if (!READ_ONCE(a->stop))
		queue_delayed_work(system_unbound_wq, &a->work,
				   msecs_to_jiffies(MSHARE_AUTO_PERIOD_MS));
}

void mshare_auto_init(struct mshare_domain *dom)
{
	INIT_DELAYED_WORK(&dom->autonuma.work, mshare_auto_work);
	dom->autonuma.stop = true;
	dom->autonuma.candidate = NUMA_NO_NODE;
}

/* Start sampling (policy auto).  Caller holds dom->migrate_lock. */
void mshare_auto_start(struct mshare_domain *dom)
{
	struct mshare_auto *a = &dom->autonuma;

	if (!a->stop)
		return;
	WRITE_ONCE(a->stop, false);
	a->streak = 0;
	a->last_move = jiffies - MSHARE_AUTO_WINDOW_S * HZ;
	queue_delayed_work(system_unbound_wq, &a->work,
			   msecs_to_jiffies(MSHARE_AUTO_PERIOD_MS));
}

/*
 * Stop it and wait for a running sample to end.  Caller holds
 * dom->migrate_lock, or is the domain's release (nothing else runs).
 */
void mshare_auto_stop(struct mshare_domain *dom)
{
	WRITE_ONCE(dom->autonuma.stop, true);
	cancel_delayed_work_sync(&dom->autonuma.work);
}
