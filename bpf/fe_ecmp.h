/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ECMP path selection: which path of a nexthop group a flow hash takes.
 * Compiles both as BPF C (bounded loops, no division, no calls) and as
 * plain C for userspace tools and tests.
 *
 * Every selector returns an index into g->nh[] (0..count-1), or -1 when
 * no path can be chosen. The caller still bounds-checks the index before
 * using it (the verifier wants that anyway).
 *
 * Down paths: the module writes weight 0 into a path of the map value
 * when its interface goes down, before zebra recomputes the group, so that
 * traffic leaves it at once (fast local repair). A path of weight 0 is
 * never chosen while any path of the group is up; with every path down
 * the selectors return -1. g->total_weight is not read: the sum is taken
 * from the weights, so a writer that zeroes a weight need not update it.
 *
 * Costs: the hash-threshold and weighted selectors walk the group twice
 * (O(count) per packet); the resilient table is O(1) and moves the fewest
 * flows when the group changes, at the price of a second map.
 */
#ifndef FE_ECMP_H
#define FE_ECMP_H

#include "frr_ebpf_abi.h"
#include "fe_hash.h"

/*
 * Resilient slot tables: one per NHG id, value struct fe_res_table, built
 * by lib/fe_resilient.c. Proposed map (not in frr_ebpf_abi.h yet).
 */
#define FE_MAP_NHG_RES "fe_nhgres_v1"

/* Slots per table: a power of two, at least 4 per path at FE_MAX_PATHS. */
#define FE_RES_SLOTS 1024

_Static_assert((FE_RES_SLOTS & (FE_RES_SLOTS - 1)) == 0,
	       "FE_RES_SLOTS must be a power of two");
_Static_assert(FE_MAX_PATHS <= 256, "a slot holds a path index in a __u8");

/*
 * A resilient table: slot[hash % FE_RES_SLOTS] is the index of the path
 * in the fe_nhg_val the table was built for. count is that value's count
 * (a cheap staleness check); 0 means "no table".
 */
struct fe_res_table {
	__u16 count;
	__u16 pad;
	__u8 slot[FE_RES_SLOTS];
};

/*
 * Hide what the compiler knows about v (emits no instruction): clang
 * otherwise drops a bounds check it can prove redundant, hoists
 * arithmetic above it, or turns arithmetic into branches, and the
 * verifier, which cannot follow its proofs, rejects or explodes.
 */
#define fe_barrier_var(v) asm volatile("" : "+r"(v))

/*
 * RFC 2992 hash-threshold over count equal paths: the 32-bit hash space
 * is cut into count regions of equal size, and region = hash * count /
 * 2^32, by multiplication, not division. Ignores weights and down paths;
 * -1 for a count of 0 or over FE_MAX_PATHS.
 */
static __always_inline int fe_ecmp_hash_threshold(__u32 hash, __u32 count)
{
	if (count == 0 || count > FE_MAX_PATHS)
		return -1;
	return (int)(((__u64)hash * count) >> 32);
}

/*
 * x, with its bounds hidden from the verifier: v ^ v is zero, but once
 * the compiler may not fold it, the verifier sees an unknown 32-bit value
 * and x | 0 becomes any 32-bit value to it. The selectors' loops have one
 * exit per iteration, each knowing its values to a different range; with
 * those values forgotten the exits are one state, and the code after them
 * is verified once instead of once per exit. v: any value at hand (the
 * hash).
 */
static __always_inline __u32 fe_forget32(__u32 x, __u32 v)
{
	__u64 c = v;

	fe_barrier_var(c);
	return x | (__u32)(c ^ v);
}

/*
 * Weight of a path for a selector: its weight, or with unit 1 if it is up.
 * Branch-free, so that the verifier sees one unknown value, not a fork
 * per path (which, over 256 paths, it could not finish walking).
 */
static __always_inline __u32 fe_ecmp_w(__u32 weight, int unit)
{
	__u32 w = weight & 0xffff;

	if (!unit)
		return w;
	w += 0xffff;
	fe_barrier_var(w); /* keep clang from turning it into w != 0 */
	return w >> 16;
}

/*
 * Core of both group selectors. Each path of the group covers a region of
 * its weight (unit: 1 if up) on [0, total); scaled = hash * total / 2^32
 * falls into exactly one region, and the index of that region is the
 * number of regions ending at or before scaled. A region of weight 0 is
 * empty, so a down path is never the answer.
 *
 * Written for the verifier, which walks a bounded loop iteration by
 * iteration and the code after it once per distinct exit state:
 *  - both loops run to a constant bound and break at count;
 *  - the second one counts regions without a branch and does not stop at
 *    the chosen path: an index returned from inside the loop would be a
 *    different constant on each exit, and the caller's code would be
 *    verified once per possible path;
 *  - count is read again and total and the index are passed through
 *    fe_forget32, so that all exits of a loop look alike.
 * An inlined group selector costs the verifier about 13k instructions
 * (kernel 6.18, clang 14); at run time 2 * count short iterations.
 */
static __always_inline int fe_ecmp_pick(__u32 hash, const struct fe_nhg_val *g,
					int unit)
{
	__u32 count = g->count;
	__u32 total = 0, acc = 0, scaled, idx = 0, i;
	__s64 d;

	for (i = 0; i < FE_MAX_PATHS; i++) {
		if (i >= count)
			break;
		total += fe_ecmp_w(g->nh[i].weight, unit);
	}
	if (total == 0)
		return -1;
	total = fe_forget32(total, hash);
	scaled = (__u32)(((__u64)hash * total) >> 32);
	/*
	 * Read count again: after the first loop the verifier knows it
	 * exactly on each of its exits, and would walk the second loop once
	 * per exit. The fresh read is one unknown for all of them.
	 */
	count = *(volatile const __u16 *)&g->count;
	for (i = 0; i < FE_MAX_PATHS; i++) {
		if (i >= count)
			break;
		acc += fe_ecmp_w(g->nh[i].weight, unit);
		/* d < 0 iff this region ends at or before scaled. */
		d = (__s64)acc - (__s64)scaled - 1;
		fe_barrier_var(d); /* keep clang from turning it into a branch */
		idx += (__u32)((__u64)d >> 63);
	}
	return (int)fe_forget32(idx, hash);
}

/*
 * Hash-threshold over the up paths of a group: the same regions as
 * fe_ecmp_hash_threshold(hash, number of up paths), mapped onto the up
 * paths in group order. With every path up it returns exactly
 * fe_ecmp_hash_threshold(hash, g->count). -1 if no path is up.
 */
static __always_inline int fe_ecmp_hash_threshold_nhg(__u32 hash,
						      const struct fe_nhg_val *g)
{
	return fe_ecmp_pick(hash, g, 1);
}

/*
 * Weighted hash-threshold: path i takes a share weight_i / sum(weights)
 * of the hash space. Down paths (weight 0) take none. -1 if no path is up.
 */
static __always_inline int fe_ecmp_weighted(__u32 hash,
					    const struct fe_nhg_val *g)
{
	return fe_ecmp_pick(hash, g, 0);
}

/*
 * Resilient lookup: the path of the flow's slot. -1 for an empty table
 * or a slot out of the table's range (never written by fe_res_build).
 */
static __always_inline int fe_ecmp_resilient(__u32 hash,
					     const struct fe_res_table *t)
{
	__u32 count = t->count;
	__u32 s = t->slot[hash & (FE_RES_SLOTS - 1)];

	if (s >= count)
		return -1;
	return (int)s;
}

/*
 * Resilient lookup with fast local repair: the slot's path if the table
 * matches the group and that path is up; otherwise the weighted choice
 * among the up paths, so that only the flows of a down path move until
 * the module rebuilds the table. -1 if no path is up.
 */
static __always_inline int fe_ecmp_resilient_nhg(__u32 hash,
						 const struct fe_res_table *t,
						 const struct fe_nhg_val *g)
{
	int i = fe_ecmp_resilient(hash, t);

	if (i >= 0 && i < FE_MAX_PATHS && t->count == g->count &&
	    g->nh[i].weight != 0)
		return i;
	return fe_ecmp_weighted(hash, g);
}

/*
 * The path a selector returned, or NULL for -1 or an index past the
 * group: the bounds check every user of an index needs, in a form the
 * verifier accepts.
 */
static __always_inline const struct fe_nexthop *
fe_ecmp_nh(const struct fe_nhg_val *g, int idx)
{
	/*
	 * 64-bit, so that it is zero-extended once, before the barrier: a
	 * 32-bit one is extended apart for the check and for the address,
	 * and the verifier cannot tell that the checked copy is the same.
	 */
	__u64 i = (__u32)idx;

	fe_barrier_var(i);
	if (i >= FE_MAX_PATHS || i >= g->count)
		return 0;
	return &g->nh[i];
}

#endif /* FE_ECMP_H */
