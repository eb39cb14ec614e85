// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Resilient slot tables: shares proportional to the weights, and as few
 * slots as possible moved from one table to the next.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "fe_resilient.h"

#define SLOTS FE_RES_SLOTS

bool fe_res_same_path(const struct fe_nexthop *a, const struct fe_nexthop *b)
{
	return a->type == b->type && a->ifindex == b->ifindex &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* Total order on identities: the tie-break that ignores group order. */
static int path_cmp(const struct fe_nexthop *a, const struct fe_nexthop *b)
{
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->ifindex != b->ifindex)
		return a->ifindex < b->ifindex ? -1 : 1;
	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

static bool group_ok(const struct fe_nhg_val *g)
{
	return g->count >= 1 && g->count <= FE_MAX_PATHS;
}

/*
 * Which new path each old path is (-1: gone). Identities are matched in
 * order, each new path at most once, so duplicates pair up one to one.
 */
static void match_paths(const struct fe_nhg_val *old,
			const struct fe_nhg_val *g, int *map)
{
	bool used[FE_MAX_PATHS] = { false };
	unsigned int i, j;

	for (i = 0; i < old->count; i++) {
		map[i] = -1;
		for (j = 0; j < g->count; j++) {
			if (!used[j] && fe_res_same_path(&old->nh[i], &g->nh[j])) {
				used[j] = true;
				map[i] = (int)j;
				break;
			}
		}
	}
}

/*
 * Is path a a better candidate than b for one of the rounded-up slots?
 * First the paths that would otherwise have to give a slot away, then
 * the largest remainder, then identity.
 */
static bool round_up_before(const struct fe_nhg_val *g, const uint32_t *had,
			    const uint32_t *floor, const uint64_t *rem,
			    unsigned int a, unsigned int b)
{
	bool la = had[a] > floor[a], lb = had[b] > floor[b];

	if (la != lb)
		return la;
	if (rem[a] != rem[b])
		return rem[a] > rem[b];
	return path_cmp(&g->nh[a], &g->nh[b]) < 0;
}

/*
 * Shares of the paths of g: floor(SLOTS * w / W), plus one for as many
 * paths as slots remain. Only paths with a remainder are rounded up, so
 * every share is within one slot of exact. had: slots each path holds in
 * the previous table (zeros for a first build).
 */
static void shares(const struct fe_nhg_val *g, uint64_t total,
		   const uint32_t *had, uint32_t *share)
{
	uint32_t floor[FE_MAX_PATHS];
	uint64_t rem[FE_MAX_PATHS];
	bool up[FE_MAX_PATHS];
	unsigned int i, n = g->count, left = SLOTS;

	for (i = 0; i < n; i++) {
		uint64_t x = (uint64_t)SLOTS * g->nh[i].weight;

		floor[i] = (uint32_t)(x / total);
		rem[i] = x % total;
		share[i] = floor[i];
		left -= floor[i];
	}
	/*
	 * The remainders add up to left * total, and each is below total:
	 * at least `left` paths have one, so this always finishes.
	 */
	for (i = 0; i < n; i++)
		up[i] = false;
	while (left > 0) {
		int best = -1;

		for (i = 0; i < n; i++) {
			if (up[i] || rem[i] == 0)
				continue;
			if (best < 0 || round_up_before(g, had, floor, rem, i,
							(unsigned int)best))
				best = (int)i;
		}
		up[best] = true;
		share[best]++;
		left--;
	}
}

int fe_res_build(struct fe_res_table *t, const struct fe_nhg_val *g,
		 const struct fe_res_table *prev,
		 const struct fe_nhg_val *prev_g)
{
	struct fe_res_table out;
	uint32_t had[FE_MAX_PATHS] = { 0 }, held[FE_MAX_PATHS] = { 0 };
	uint32_t share[FE_MAX_PATHS];
	int map[FE_MAX_PATHS];
	bool taken[SLOTS] = { false };
	uint64_t total = 0;
	unsigned int i, s, n, j;

	if (!t || !g || !group_ok(g) || !prev != !prev_g)
		return -EINVAL;
	if (prev && (!group_ok(prev_g) || prev->count != prev_g->count))
		return -EINVAL;
	n = g->count;
	for (i = 0; i < n; i++)
		total += g->nh[i].weight;
	if (total == 0)
		return -EINVAL;

	if (prev) {
		match_paths(prev_g, g, map);
		for (s = 0; s < SLOTS; s++) {
			unsigned int o = prev->slot[s];

			if (o < prev->count && map[o] >= 0)
				had[map[o]]++;
		}
	}
	shares(g, total, had, share);

	memset(&out, 0, sizeof(out));
	out.count = (uint16_t)n;

	/* Keep what may be kept: slots of present paths, up to the share. */
	if (prev) {
		for (s = 0; s < SLOTS; s++) {
			unsigned int o = prev->slot[s];
			int nj;

			if (o >= prev->count || (nj = map[o]) < 0)
				continue;
			if (held[nj] >= share[nj])
				continue;
			out.slot[s] = (uint8_t)nj;
			held[nj]++;
			taken[s] = true;
		}
	}

	/*
	 * Deal the rest round-robin to the paths under their share. Kept
	 * slots never exceed the shares, and the shares add up to SLOTS, so
	 * the free slots are exactly the missing ones.
	 */
	j = 0;
	for (s = 0; s < SLOTS; s++) {
		if (taken[s])
			continue;
		while (held[j] >= share[j])
			j = (j + 1) % n;
		out.slot[s] = (uint8_t)j;
		held[j]++;
		j = (j + 1) % n;
	}

	memcpy(t, &out, sizeof(out));
	return 0;
}

int fe_res_moved(const struct fe_res_table *a, const struct fe_nhg_val *ga,
		 const struct fe_res_table *b, const struct fe_nhg_val *gb)
{
	unsigned int s;
	int moved = 0;

	if (!a || !ga || !b || !gb || !group_ok(ga) || !group_ok(gb) ||
	    a->count != ga->count || b->count != gb->count)
		return -EINVAL;
	for (s = 0; s < SLOTS; s++) {
		unsigned int ia = a->slot[s], ib = b->slot[s];

		if (ia >= a->count || ib >= b->count ||
		    !fe_res_same_path(&ga->nh[ia], &gb->nh[ib]))
			moved++;
	}
	return moved;
}
