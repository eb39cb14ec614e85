/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A pool of table groups (the 1 KiB blocks of fe_lpm6) with
 * grace periods. Pure C.
 *
 * A group unlinked from its table may still be read by a program that
 * loaded the link just before: it is only put on a pending list, and
 * becomes free again once the caller says a grace period has passed
 * (fe_groups_grace_upto() with a mark taken before the period started).
 * Sequence numbers count frees and releases since the start, so that a
 * mark is simply the number of frees so far.
 */
#ifndef FE_LIB_GROUPS_H
#define FE_LIB_GROUPS_H

#include <stdint.h>

struct fe_groups {
	uint32_t total;
	uint32_t used;     /* taken and not released */
	uint32_t *free;    /* stack, lowest group on top */
	uint32_t nfree;
	uint32_t *pending; /* ring of `total` slots, oldest first */
	uint64_t freed_seq;
	uint64_t released_seq;
};

/* All `total` groups free. 0 or -ENOMEM. */
int fe_groups_init(struct fe_groups *g, uint32_t total);

/*
 * The pool now has `total` groups (more than before): the new ones are
 * free, taken after the free ones already there. Pending groups stay
 * pending. 0, -EINVAL (not larger) or -ENOMEM (nothing changed).
 */
int fe_groups_grow(struct fe_groups *g, uint32_t total);
void fe_groups_fini(struct fe_groups *g);

/* The caller has checked nfree. */
static inline uint32_t fe_groups_take(struct fe_groups *g)
{
	g->used++;
	return g->free[--g->nfree];
}

/* Unlinked: pending until a grace period has passed. */
static inline void fe_groups_release(struct fe_groups *g, uint32_t grp)
{
	g->pending[g->freed_seq % g->total] = grp;
	g->freed_seq++;
	g->used--;
}

static inline uint32_t fe_groups_pending(const struct fe_groups *g)
{
	return (uint32_t)(g->freed_seq - g->released_seq);
}

/* Free the groups released before mark (a former g->freed_seq). */
void fe_groups_grace_upto(struct fe_groups *g, uint64_t mark);

/* Heap bytes of the pool's lists. */
uint64_t fe_groups_heap_bytes(const struct fe_groups *g);

#endif /* FE_LIB_GROUPS_H */
