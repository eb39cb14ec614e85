/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Resilient nexthop groups: builder of the slot tables of bpf/fe_ecmp.h,
 * in the spirit of the kernel's resilient nexthop groups and of Maglev.
 * A flow's path is the path of its slot, so a group change only moves the
 * flows of the slots that change, and the builder changes as few slots as
 * the new weights allow. Pure C: no FRR, no libbpf.
 *
 * Every function returns 0 (or a count) or a negative errno, and leaves
 * its output untouched on error.
 */
#ifndef FE_RESILIENT_H
#define FE_RESILIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "../bpf/fe_ecmp.h"

/*
 * The identity of a path: (type, ifindex, gateway). Flags and weight are
 * attributes of a path, not part of what it is: a path whose weight
 * changes, or that goes down and up, is still the same path.
 */
bool fe_res_same_path(const struct fe_nexthop *a, const struct fe_nexthop *b);

/*
 * Build the slot table t of group g.
 *
 * Shares: the up paths of g (weight > 0) get FE_RES_SLOTS * weight / sum
 * slots, rounded down or up (each within one slot of the exact share); a
 * down path gets none. Which paths are rounded up is chosen to keep as
 * many slots as possible, then by the largest remainder, then by path
 * identity, so that the result does not depend on the order of g.
 *
 * prev and prev_g, both or neither: the table in use and the group it was
 * built for. Paths of g and prev_g are matched by identity (in order,
 * each at most once), so that g may list them in any order. A slot of
 * prev keeps its path if that path is still in g, up, and not over its
 * new share; only the other slots are given out again, round-robin to the
 * paths under their share. Hence:
 *  - rebuilding with the same paths, in any order, moves no slot;
 *  - removing (or downing) a path moves its slots, and no other slot
 *    unless rounding leaves no choice (then at most one slot of each
 *    other path; never with equal weights);
 *  - adding a path of weight w to n paths moves at most
 *    ceil(FE_RES_SLOTS * w / new sum) + n slots.
 * Without prev, the slots are dealt round-robin.
 *
 * t may be prev (in-place rebuild). t->count is set to g->count.
 * -EINVAL: NULL t or g, a count of 0 or over FE_MAX_PATHS, no up path,
 * only one of prev and prev_g, or prev->count != prev_g->count. A slot of
 * prev out of its table's range is given out again.
 */
int fe_res_build(struct fe_res_table *t, const struct fe_nhg_val *g,
		 const struct fe_res_table *prev,
		 const struct fe_nhg_val *prev_g);

/*
 * Number of slots whose path (by identity) differs between table a of
 * group ga and table b of group gb, an out-of-range slot differing from
 * everything: the flows a table change moves, in 1/FE_RES_SLOTS.
 * -EINVAL for a NULL argument or a table whose count is not its group's.
 */
int fe_res_moved(const struct fe_res_table *a, const struct fe_nhg_val *ga,
		 const struct fe_res_table *b, const struct fe_nhg_val *gb);

#endif /* FE_RESILIENT_H */
