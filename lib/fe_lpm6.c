// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Route table builder (layout: bpf/fe_lpm6.h). The update rules are
 * DPDK DIR-24-8's, applied over up to 15 levels instead of 2.
 * Each route entry records the length of the prefix that set it, so that
 * an update touches only the entries it owns:
 *  - add P/d: in P's range at the level where d ends, overwrite the route
 *    entries of length <= d (no route, a shorter prefix, or P itself being
 *    replaced), and follow every link in the range down to the groups
 *    below, where the same rule applies to all entries;
 *  - del P/d: the same walk, but the entries of length d are P's (two
 *    prefixes of one length never overlap); they get the longest shorter
 *    prefix covering P, found in the rule store.
 * A group of level L covers a /s (s = 8 + 8L). Its route entries of
 * length <= s all come from the one prefix covering that /s, so they are
 * equal; a group is needed iff it holds a link or a route longer than /s.
 * Groups are made along P's path by the first prefix that needs them and
 * folded back, bottom up, when the last one goes.
 *
 * The rule store (lib/fe_rules) is keyed by (addr, depth); a slot holds
 * the address and the entry the prefix writes (its tag: used slot and
 * depth).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fe_groups.h"
#include "fe_rules.h"
#include "fe_lpm6.h"

#define RULES_MIN_CAP 1024
#define TOP_BITS 16

/* An address as two host-order halves: hi holds bytes 0..7. */
struct a128 {
	uint64_t hi, lo;
};

struct rule_slot {
	struct a128 a;
	uint32_t entry; /* FE_LPM6_ENTRY(depth, value); 0: slot free */
	uint32_t pad;
};

struct fe_lpm6 {
	uint32_t *top;
	uint32_t *grp;
	struct fe_groups pool;
	uint32_t per_level[FE_LPM6_LEVELS]; /* groups used per level */

	struct fe_rules rules;
	uint32_t per_depth[129]; /* rules of each length: skip empty ones */
};

/* One 32-bit release store per entry: a reader sees old or new. */
static inline void wr(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline uint32_t rd(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint32_t *group_of(const struct fe_lpm6 *t, uint32_t g)
{
	return t->grp + (size_t)g * FE_LPM6_ENTRIES;
}

/* ------------------------------------------------------------------ */
/* Addresses                                                           */
/* ------------------------------------------------------------------ */

static struct a128 a128_load(const uint8_t b[16])
{
	struct a128 a = { 0, 0 };

	for (int i = 0; i < 8; i++) {
		a.hi = a.hi << 8 | b[i];
		a.lo = a.lo << 8 | b[i + 8];
	}
	return a;
}

static inline uint64_t mask64(int bits)
{
	return bits <= 0 ? 0 : bits >= 64 ? ~0ULL : ~0ULL << (64 - bits);
}

static struct a128 a128_mask(struct a128 a, uint8_t depth)
{
	a.hi &= mask64(depth);
	a.lo &= mask64((int)depth - 64);
	return a;
}

static inline bool a128_eq(struct a128 x, struct a128 y)
{
	return x.hi == y.hi && x.lo == y.lo;
}

static int check_prefix(const uint8_t addr[16], uint8_t depth)
{
	struct a128 a;

	if (depth > 128)
		return -EINVAL;
	a = a128_load(addr);
	if (!a128_eq(a, a128_mask(a, depth)))
		return -EINVAL;
	return 0;
}

/* Level where a prefix of length depth ends: 0 (top) for 0..16. */
static inline int level_of(uint8_t depth)
{
	return depth <= TOP_BITS ? 0 : (depth - 9) / 8;
}

/* Length of the prefix a group of level L covers. */
static inline int group_cover(int level)
{
	return 8 + 8 * level;
}

/* Index of addr in a table of level L: a[0] a[1] in top, a[L + 1] below. */
static inline uint32_t index_at(const uint8_t addr[16], int level)
{
	return level ? addr[level + 1] : (uint32_t)addr[0] << 8 | addr[1];
}

/* The entries of P/depth in the table of its level: [*first, *end). */
static void range_of(const uint8_t addr[16], uint8_t depth, uint32_t *first,
		     uint32_t *end)
{
	int level = level_of(depth);
	int end_bit = level ? group_cover(level) + 8 : TOP_BITS;
	uint32_t span = 1U << (end_bit - depth);

	*first = index_at(addr, level) & ~(span - 1);
	*end = *first + span;
}

/* ------------------------------------------------------------------ */
/* Rule store                                                          */
/* ------------------------------------------------------------------ */

static uint64_t rule_hash(const void *slot)
{
	const struct rule_slot *r = slot;
	uint64_t k = (r->a.hi * 0x9e3779b97f4a7c15ULL) ^
		     ((r->a.lo ^ (uint64_t)FE_LPM6_DEPTH(r->entry)) *
		      0xc2b2ae3d27d4eb4fULL);

	k ^= k >> 29;
	return k * 0xbf58476d1ce4e5b9ULL >> 32;
}

static bool rule_same(const void *x, const void *y)
{
	const struct rule_slot *a = x, *b = y;

	return a128_eq(a->a, b->a) &&
	       FE_LPM6_DEPTH(a->entry) == FE_LPM6_DEPTH(b->entry);
}

static const struct fe_rules_ops rule_ops = {
	.slot_size = sizeof(struct rule_slot),
	.hash = rule_hash,
	.same_key = rule_same,
	.entry_offset = offsetof(struct rule_slot, entry),
};

static struct rule_slot *rule_find(const struct fe_lpm6 *t, struct a128 a,
				   uint8_t depth)
{
	struct rule_slot key = { a, FE_LPM6_ENTRY(depth, 0), 0 };

	return fe_rules_find(&t->rules, &key);
}

/* The entry of the longest prefix shorter than depth covering a. */
static uint32_t cover_entry(const struct fe_lpm6 *t, struct a128 a,
			    uint8_t depth)
{
	for (int dd = (int)depth - 1; dd >= 0; dd--) {
		struct rule_slot *r;

		if (!t->per_depth[dd])
			continue;
		r = rule_find(t, a128_mask(a, dd), dd);
		if (r)
			return r->entry;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Table updates                                                       */
/* ------------------------------------------------------------------ */

/*
 * The one rule of every update: adding (or replacing) a prefix of depth
 * writes v where no longer prefix stands; withdrawing it writes v (the
 * covering prefix's entry) where it stood itself.
 */
static void update_entry(uint32_t *slot, uint8_t depth, uint32_t v, bool add)
{
	uint32_t x = rd(slot);

	if (add ? x != v && FE_LPM6_DEPTH(x) <= depth
		: FE_LPM6_DEPTH(x) == depth)
		wr(slot, v);
}

/* Entries [first, end) of table p, and everything linked below them. */
static void update_range(const struct fe_lpm6 *t, uint32_t *p, uint32_t first,
			 uint32_t end, uint8_t depth, uint32_t v, bool add)
{
	for (uint32_t j = first; j < end; j++) {
		uint32_t x = rd(&p[j]);

		if (FE_LPM6_IS_LINK(x))
			update_range(t, group_of(t, FE_LPM6_VALUE(x)), 0,
				     FE_LPM6_ENTRIES, depth, v, add);
		else
			update_entry(&p[j], depth, v, add);
	}
}

/* Groups an add of addr/depth must make: the levels its path lacks. */
static int groups_needed(const struct fe_lpm6 *t, const uint8_t addr[16],
			 uint8_t depth)
{
	int target = level_of(depth);
	uint32_t e = rd(&t->top[index_at(addr, 0)]);

	for (int l = 1; l <= target; l++) {
		if (!FE_LPM6_IS_LINK(e))
			return target - l + 1;
		e = rd(&group_of(t, FE_LPM6_VALUE(e))[index_at(addr, l)]);
	}
	return 0;
}

/*
 * Add/replace addr/depth with entry ne; the caller has checked that the
 * groups it needs are free. Missing groups along the path are made top
 * down, each filled with the entry it replaces; the first one is linked
 * last, once everything below it is in place, so a reader sees either no
 * new group or complete ones.
 */
static void add_path(struct fe_lpm6 *t, const uint8_t addr[16], uint8_t depth,
		     uint32_t ne)
{
	int target = level_of(depth);
	uint32_t *p = t->top, *publish = NULL, link = 0;
	uint32_t first, end;

	for (int l = 0; l < target; l++) {
		uint32_t *slot = &p[index_at(addr, l)];
		uint32_t e = rd(slot);
		uint32_t g;

		if (FE_LPM6_IS_LINK(e)) {
			p = group_of(t, FE_LPM6_VALUE(e));
			continue;
		}
		g = fe_groups_take(&t->pool);
		t->per_level[l + 1]++;
		p = group_of(t, g);
		for (uint32_t j = 0; j < FE_LPM6_ENTRIES; j++)
			wr(&p[j], e);
		if (publish) {
			wr(slot, FE_LPM6_LINK(g)); /* in an unpublished group */
		} else {
			publish = slot;
			link = FE_LPM6_LINK(g);
		}
	}
	range_of(addr, depth, &first, &end);
	update_range(t, p, first, end, depth, ne, true);
	if (publish)
		wr(publish, link);
}

static bool group_needed(const uint32_t *p, int level)
{
	for (uint32_t j = 0; j < FE_LPM6_ENTRIES; j++) {
		uint32_t x = rd(&p[j]);

		if (FE_LPM6_IS_LINK(x) || FE_LPM6_DEPTH(x) > group_cover(level))
			return true;
	}
	return false;
}

/*
 * Withdraw addr/depth: its entries become re; then the groups of its path
 * that no longer hold anything longer than what they cover fold back,
 * bottom up: the link gets their (uniform) entry first, so no new reader
 * enters, and the group waits for a grace period before reuse.
 */
static void del_path(struct fe_lpm6 *t, const uint8_t addr[16], uint8_t depth,
		     uint32_t re)
{
	int target = level_of(depth);
	uint32_t *tab[FE_LPM6_LEVELS], gid[FE_LPM6_LEVELS];
	uint32_t first, end;

	tab[0] = t->top;
	for (int l = 1; l <= target; l++) {
		gid[l] = FE_LPM6_VALUE(rd(&tab[l - 1][index_at(addr, l - 1)]));
		tab[l] = group_of(t, gid[l]);
	}
	range_of(addr, depth, &first, &end);
	update_range(t, tab[target], first, end, depth, re, false);
	for (int l = target; l >= 1; l--) {
		uint32_t *slot = &tab[l - 1][index_at(addr, l - 1)];

		if (group_needed(tab[l], l))
			break;
		wr(slot, rd(&tab[l][0]));
		fe_groups_release(&t->pool, gid[l]);
		t->per_level[l]--;
	}
}

/* ------------------------------------------------------------------ */
/* API                                                                 */
/* ------------------------------------------------------------------ */

struct fe_lpm6 *fe_lpm6_new(uint32_t *top, uint32_t *groups, uint32_t ngroups)
{
	struct fe_lpm6 *t;

	if (!top || (!groups && ngroups) || ngroups > FE_LPM6_GROUPS_MAX) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		goto nomem;
	t->top = top;
	t->grp = groups;
	if (fe_rules_init(&t->rules, &rule_ops, RULES_MIN_CAP) ||
	    fe_groups_init(&t->pool, ngroups))
		goto nomem;
	memset(top, 0, (size_t)FE_LPM6_TOP_ENTRIES * sizeof(*top));
	if (ngroups)
		memset(groups, 0,
		       (size_t)ngroups * FE_LPM6_ENTRIES * sizeof(*groups));
	return t;
nomem:
	fe_lpm6_free(t);
	errno = ENOMEM;
	return NULL;
}

void fe_lpm6_free(struct fe_lpm6 *t)
{
	if (!t)
		return;
	fe_rules_fini(&t->rules);
	fe_groups_fini(&t->pool);
	free(t);
}

int fe_lpm6_add(struct fe_lpm6 *t, const uint8_t addr[16], uint8_t depth,
		uint32_t value)
{
	struct rule_slot *r;
	struct a128 a;
	uint32_t ne;
	int rc;

	rc = check_prefix(addr, depth);
	if (rc)
		return rc;
	if (value > FE_LPM6_VALUE_MAX)
		return -EINVAL;
	a = a128_load(addr);
	ne = FE_LPM6_ENTRY(depth, value);
	r = rule_find(t, a, depth);
	if (r) {
		r->entry = ne; /* its path exists: no group needed */
	} else {
		struct rule_slot slot = { a, ne, 0 };

		/* Fail before changing anything. */
		if ((uint32_t)groups_needed(t, addr, depth) > t->pool.nfree)
			return -ENOSPC;
		rc = fe_rules_reserve(&t->rules);
		if (rc)
			return rc;
		fe_rules_put(&t->rules, &slot);
		t->per_depth[depth]++;
	}
	add_path(t, addr, depth, ne);
	return 0;
}

int fe_lpm6_del(struct fe_lpm6 *t, const uint8_t addr[16], uint8_t depth)
{
	struct rule_slot *r;
	struct a128 a;
	int rc;

	rc = check_prefix(addr, depth);
	if (rc)
		return rc;
	a = a128_load(addr);
	r = rule_find(t, a, depth);
	if (!r)
		return -ENOENT;
	fe_rules_remove(&t->rules, r);
	t->per_depth[depth]--;
	del_path(t, addr, depth, cover_entry(t, a, depth));
	return 0;
}

int fe_lpm6_get(const struct fe_lpm6 *t, const uint8_t addr[16],
		uint8_t depth, uint32_t *value)
{
	struct rule_slot *r;
	int rc;

	rc = check_prefix(addr, depth);
	if (rc)
		return rc;
	r = rule_find(t, a128_load(addr), depth);
	if (!r)
		return -ENOENT;
	*value = FE_LPM6_VALUE(r->entry);
	return 0;
}

int fe_lpm6_lookup(const struct fe_lpm6 *t, const uint8_t addr[16],
		   uint32_t *value)
{
	uint32_t e = __atomic_load_n(&t->top[index_at(addr, 0)],
				     __ATOMIC_ACQUIRE);

	for (int l = 1; l < FE_LPM6_LEVELS && FE_LPM6_IS_LINK(e); l++) {
		if (FE_LPM6_VALUE(e) >= t->pool.total)
			return -ENOENT; /* as the BPF map lookup would */
		e = __atomic_load_n(&group_of(t, FE_LPM6_VALUE(e))[addr[l + 1]],
				    __ATOMIC_ACQUIRE);
	}
	if (!FE_LPM6_IS_ROUTE(e))
		return -ENOENT;
	*value = FE_LPM6_VALUE(e);
	return 0;
}

int fe_lpm6_regroup(struct fe_lpm6 *t, uint32_t *groups, uint32_t ngroups)
{
	uint32_t old = t->pool.total;
	int rc;

	if (!groups || ngroups <= old || ngroups > FE_LPM6_GROUPS_MAX)
		return -EINVAL;
	rc = fe_groups_grow(&t->pool, ngroups);
	if (rc)
		return rc;
	t->grp = groups;
	/* Free groups are filled before they are linked: no need to clear. */
	return 0;
}

uint32_t fe_lpm6_groups_total(const struct fe_lpm6 *t)
{
	return t->pool.total;
}

void fe_lpm6_grace_upto(struct fe_lpm6 *t, uint64_t mark)
{
	fe_groups_grace_upto(&t->pool, mark);
}

uint64_t fe_lpm6_grace_mark(const struct fe_lpm6 *t)
{
	return t->pool.freed_seq;
}

void fe_lpm6_grace(struct fe_lpm6 *t)
{
	fe_groups_grace_upto(&t->pool, t->pool.freed_seq);
}

void fe_lpm6_stats(const struct fe_lpm6 *t, struct fe_lpm6_stats *st)
{
	uint32_t pending = fe_groups_pending(&t->pool);

	memset(st, 0, sizeof(*st));
	st->rules = (uint32_t)t->rules.count;
	st->groups_total = t->pool.total;
	st->groups_used = t->pool.used;
	st->groups_pending = pending;
	memcpy(st->groups_level, t->per_level, sizeof(st->groups_level));
	st->top_bytes = (uint64_t)FE_LPM6_TOP_ENTRIES * sizeof(uint32_t);
	st->group_bytes = ((uint64_t)t->pool.used + pending) *
			  FE_LPM6_ENTRIES * sizeof(uint32_t);
	st->pool_bytes = (uint64_t)t->pool.total * FE_LPM6_ENTRIES *
			 sizeof(uint32_t);
	st->rules_bytes = sizeof(*t) + fe_rules_bytes(&t->rules) +
			  fe_groups_heap_bytes(&t->pool);
}
