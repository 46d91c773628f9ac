/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mshare's tracepoints: the "mshare" trace system in tracefs
 * (events/mshare/), for perf and bpftrace (Documentation/tracing.rst).
 *
 * Fields are part of what users script against: they only ever grow.
 * Domains are named by their id (DOMAIN_ID, unique while the module is
 * loaded, never 0); offsets and lengths are in bytes; levels are
 * MSHARE_TRACE_PTE/PMD/PUD, the page-table level of the entry written.
 * kmod/trace.c instantiates them (CREATE_TRACE_POINTS).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mshare

#if !defined(_MSHARE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MSHARE_TRACE_H

#include <linux/tracepoint.h>

#include "internal.h"

#ifndef MSHARE_TRACE_ONCE
#define MSHARE_TRACE_ONCE
/* The level of a fault, link or unlink; stable values. */
enum mshare_trace_level {
	MSHARE_TRACE_PTE = 0,	/* a leaf entry of a domain PTE table */
	MSHARE_TRACE_PMD = 1,	/* process PMD entry -> domain PTE table */
	MSHARE_TRACE_PUD = 2,	/* process PUD entry -> domain PMD table */
};

/* What a fault did. */
enum mshare_trace_fault {
	MSHARE_TRACE_FILL = 0,	/* filled a leaf entry in a shared table */
	MSHARE_TRACE_LINK = 1,	/* linked the process to a domain table */
};

static inline enum mshare_trace_level
mshare_trace_level(enum mshare_link_level level)
{
	return level == MSHARE_LINK_PUD ? MSHARE_TRACE_PUD : MSHARE_TRACE_PMD;
}
#endif

TRACE_DEFINE_ENUM(MSHARE_TRACE_PTE);
TRACE_DEFINE_ENUM(MSHARE_TRACE_PMD);
TRACE_DEFINE_ENUM(MSHARE_TRACE_PUD);
TRACE_DEFINE_ENUM(MSHARE_TRACE_FILL);
TRACE_DEFINE_ENUM(MSHARE_TRACE_LINK);

#define show_mshare_level(l)					\
	__print_symbolic(l, { MSHARE_TRACE_PTE, "pte" },	\
			    { MSHARE_TRACE_PMD, "pmd" },	\
			    { MSHARE_TRACE_PUD, "pud" })

/*
 * A process entry now points at a domain table: @addr in @mm maps domain
 * bytes [offset, offset + size); rdonly: the read-only tables.
 */
TRACE_EVENT(mshare_link,
	TP_PROTO(const struct mshare_domain *dom, struct mm_struct *mm,
		 unsigned long addr, u64 offset, enum mshare_trace_level level,
		 bool rdonly),
	TP_ARGS(dom, mm, addr, offset, level, rdonly),
	TP_STRUCT__entry(
		__field(u32, dom_id)
		__field(u8, level)
		__field(bool, rdonly)
		__field(const void *, mm)
		__field(unsigned long, addr)
		__field(u64, offset)
		__field(u64, size)
	),
	TP_fast_assign(
		__entry->dom_id = dom->id;
		__entry->level = level;
		__entry->rdonly = rdonly;
		__entry->mm = mm;
		__entry->addr = addr;
		__entry->offset = offset;
		__entry->size = level == MSHARE_TRACE_PUD ? PUD_SIZE : PMD_SIZE;
	),
	TP_printk("dom=%u level=%s mm=%p addr=0x%lx offset=0x%llx size=0x%llx rdonly=%d",
		  __entry->dom_id, show_mshare_level(__entry->level),
		  __entry->mm, __entry->addr, __entry->offset, __entry->size,
		  __entry->rdonly)
);

/*
 * A link was cleared: dom is the domain when the module itself unlinks
 * (delete, migration), 0 when the kernel does (munmap, exit...: the
 * notifier does not say which domain); links: how many remain to the
 * table.
 */
TRACE_EVENT(mshare_unlink,
	TP_PROTO(u32 dom_id, struct mm_struct *mm, unsigned long addr,
		 enum mshare_trace_level level, int links),
	TP_ARGS(dom_id, mm, addr, level, links),
	TP_STRUCT__entry(
		__field(u32, dom_id)
		__field(u8, level)
		__field(int, links)
		__field(const void *, mm)
		__field(unsigned long, addr)
		__field(u64, size)
	),
	TP_fast_assign(
		__entry->dom_id = dom_id;
		__entry->level = level;
		__entry->links = links;
		__entry->mm = mm;
		__entry->addr = addr;
		__entry->size = level == MSHARE_TRACE_PUD ? PUD_SIZE : PMD_SIZE;
	),
	TP_printk("dom=%u level=%s mm=%p addr=0x%lx size=0x%llx links=%d",
		  __entry->dom_id, show_mshare_level(__entry->level),
		  __entry->mm, __entry->addr, __entry->size, __entry->links)
);

/*
 * A fault on a domain mapping, handled: a link (level pmd or pud, the
 * faulting page filled first) or a fill of a leaf entry (level pte).
 * ret: the vm_fault_t (0x100 NOPAGE; 0x800 FALLBACK: a PUD fault retried
 * at PMD level).
 */
TRACE_EVENT(mshare_fault,
	TP_PROTO(const struct mshare_domain *dom, unsigned long addr,
		 u64 offset, enum mshare_trace_fault kind,
		 enum mshare_trace_level level, vm_fault_t ret),
	TP_ARGS(dom, addr, offset, kind, level, ret),
	TP_STRUCT__entry(
		__field(u32, dom_id)
		__field(u8, kind)
		__field(u8, level)
		__field(unsigned int, ret)
		__field(unsigned long, addr)
		__field(u64, offset)
	),
	TP_fast_assign(
		__entry->dom_id = dom->id;
		__entry->kind = kind;
		__entry->level = level;
		__entry->ret = (__force unsigned int)ret;
		__entry->addr = addr;
		__entry->offset = offset;
	),
	TP_printk("dom=%u %s level=%s addr=0x%lx offset=0x%llx ret=0x%x",
		  __entry->dom_id,
		  __print_symbolic(__entry->kind, { MSHARE_TRACE_FILL, "fill" },
				   { MSHARE_TRACE_LINK, "link" }),
		  show_mshare_level(__entry->level), __entry->addr,
		  __entry->offset, __entry->ret)
);

/*
 * A TLB shootdown round (tlb.c): begin before the IPIs, end once every
 * CPU has flushed; the pair times a round.  dom: 0 for an unlink's
 * round of one mm; mms: address spaces covered; cpus: CPUs targeted;
 * pages: pages the batch changed; full: whole TLBs flushed, else ranges.
 */
DECLARE_EVENT_CLASS(mshare_shootdown,
	TP_PROTO(u32 dom_id, unsigned int mms, unsigned int cpus,
		 unsigned long pages, bool full),
	TP_ARGS(dom_id, mms, cpus, pages, full),
	TP_STRUCT__entry(
		__field(u32, dom_id)
		__field(unsigned int, mms)
		__field(unsigned int, cpus)
		__field(bool, full)
		__field(unsigned long, pages)
	),
	TP_fast_assign(
		__entry->dom_id = dom_id;
		__entry->mms = mms;
		__entry->cpus = cpus;
		__entry->full = full;
		__entry->pages = pages;
	),
	TP_printk("dom=%u mms=%u cpus=%u pages=%lu %s",
		  __entry->dom_id, __entry->mms, __entry->cpus,
		  __entry->pages, __entry->full ? "full" : "ranged")
);

DEFINE_EVENT(mshare_shootdown, mshare_shootdown_begin,
	TP_PROTO(u32 dom_id, unsigned int mms, unsigned int cpus,
		 unsigned long pages, bool full),
	TP_ARGS(dom_id, mms, cpus, pages, full)
);

DEFINE_EVENT(mshare_shootdown, mshare_shootdown_end,
	TP_PROTO(u32 dom_id, unsigned int mms, unsigned int cpus,
		 unsigned long pages, bool full),
	TP_ARGS(dom_id, mms, cpus, pages, full)
);

/*
 * A discard: domain bytes [offset, offset + length), pages freed; in a
 * huge domain, leaves the range cut that were split by copy (split) and
 * that kept their folio, their discarded pages zeroed in place (zeroed:
 * pinned, or no memory for the copies).
 */
TRACE_EVENT(mshare_discard,
	TP_PROTO(const struct mshare_domain *dom, u64 offset, u64 length,
		 unsigned long pages, unsigned int split, unsigned int zeroed),
	TP_ARGS(dom, offset, length, pages, split, zeroed),
	TP_STRUCT__entry(
		__field(u32, dom_id)
		__field(u64, offset)
		__field(u64, length)
		__field(unsigned long, pages)
		__field(unsigned int, split)
		__field(unsigned int, zeroed)
	),
	TP_fast_assign(
		__entry->dom_id = dom->id;
		__entry->offset = offset;
		__entry->length = length;
		__entry->pages = pages;
		__entry->split = split;
		__entry->zeroed = zeroed;
	),
	TP_printk("dom=%u offset=0x%llx length=0x%llx pages=%lu split=%u zeroed=%u",
		  __entry->dom_id, __entry->offset, __entry->length,
		  __entry->pages, __entry->split, __entry->zeroed)
);

/*
 * A migration batch (migrate.c: the pages of one PTE table): domain
 * bytes [offset, offset + length) toward node; present: data pages in
 * the range; moved, skipped (pinned), error (0 or -errno: the batch did
 * nothing).
 */
TRACE_EVENT(mshare_migrate_batch,
	TP_PROTO(const struct mshare_domain *dom, int node, u64 offset,
		 u64 length, unsigned int present, unsigned int moved,
		 unsigned int skipped, int error),
	TP_ARGS(dom, node, offset, length, present, moved, skipped, error),
	TP_STRUCT__entry(
		__field(u32, dom_id)
		__field(int, node)
		__field(int, error)
		__field(unsigned int, present)
		__field(unsigned int, moved)
		__field(unsigned int, skipped)
		__field(u64, offset)
		__field(u64, length)
	),
	TP_fast_assign(
		__entry->dom_id = dom->id;
		__entry->node = node;
		__entry->error = error;
		__entry->present = present;
		__entry->moved = moved;
		__entry->skipped = skipped;
		__entry->offset = offset;
		__entry->length = length;
	),
	TP_printk("dom=%u node=%d offset=0x%llx length=0x%llx present=%u moved=%u skipped=%u error=%d",
		  __entry->dom_id, __entry->node, __entry->offset,
		  __entry->length, __entry->present, __entry->moved,
		  __entry->skipped, __entry->error)
);

/*
 * A domain's life: create (it is named and usable), destroy (its name
 * was deleted; attached: descriptors still attached), free (the last
 * holder went; resident: data pages being freed).
 */
DECLARE_EVENT_CLASS(mshare_domain,
	TP_PROTO(const struct mshare_domain *dom),
	TP_ARGS(dom),
	TP_STRUCT__entry(
		__field(u32, dom_id)
		__field(u32, flags)
		__field(int, node)
		__field(unsigned int, attached)
		__field(u64, size)
		__field(unsigned long, resident)
		__array(char, name, MSHARE_NAME_MAX)
	),
	TP_fast_assign(
		__entry->dom_id = dom->id;
		__entry->flags = dom->flags;
		__entry->node = READ_ONCE(dom->nid);
		__entry->attached = atomic_read(&dom->attached);
		__entry->size = dom->size;
		__entry->resident = atomic_long_read(&dom->resident);
		strscpy(__entry->name, dom->name, MSHARE_NAME_MAX);
	),
	TP_printk("dom=%u name=%s size=0x%llx flags=0x%x node=%d attached=%u resident=%lu",
		  __entry->dom_id, __entry->name, __entry->size,
		  __entry->flags, __entry->node, __entry->attached,
		  __entry->resident)
);

DEFINE_EVENT(mshare_domain, mshare_domain_create,
	TP_PROTO(const struct mshare_domain *dom),
	TP_ARGS(dom)
);

DEFINE_EVENT(mshare_domain, mshare_domain_destroy,
	TP_PROTO(const struct mshare_domain *dom),
	TP_ARGS(dom)
);

DEFINE_EVENT(mshare_domain, mshare_domain_free,
	TP_PROTO(const struct mshare_domain *dom),
	TP_ARGS(dom)
);

#endif /* _MSHARE_TRACE_H */

/* Out of tree: define_trace.h finds this file through -I$(src)/kmod. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
