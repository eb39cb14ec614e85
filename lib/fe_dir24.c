// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DIR-24-8 builder. Each table entry records the depth of the prefix that
 * set it, so that an update touches only the entries it owns:
 *  - add P/d: in P's range, overwrite the entries of depth <= d (no route
 *    or a shorter prefix: P is the longer match there; equal depth is P
 *    itself being replaced);
 *  - del P/d: in P's range, the entries of depth d are P's (two prefixes
 *    of one depth never overlap); they get the longest shorter prefix
 *    covering P, found in the rule store.
 * A /24 has a tbl8 group iff it holds a prefix longer than /24: the group
 * is made by the first one and folded back into tbl24 when the last one
 * goes. All depth <= 24 entries of a group come from the one prefix
 * covering the /24, so they are equal, and a group without deeper
 * entries folds into any of them.
 *
 * The rule store (lib/fe_rules) is keyed by (addr, depth). A slot is 8
 * bytes: the address and the table entry the prefix writes, whose valid
 * bit marks the slot used and whose depth completes the key.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fe_dir24.h"
#include "fe_groups.h"
#include "fe_rules.h"

#define RULES_MIN_CAP 1024

struct rule_slot {
	uint32_t addr;
	uint32_t entry; /* FE_DIR24_ENTRY(depth, value); 0: slot free */
};

struct fe_dir24 {
	uint32_t *tbl24;
	uint32_t *tbl8;
	uint32_t ngroups;

	struct fe_rules rules;
	uint32_t per_depth[33]; /* rules of each depth: skip empty depths */

	struct fe_groups pool; /* tbl8 groups */
};

/*
 * Every table store is one 32-bit release store: readers see an entry
 * either old or new, and a group's content before the tbl24 entry that
 * publishes it. Plain moves on x86.
 */
static inline void wr(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline uint32_t rd(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint32_t mask_of(uint8_t depth)
{
	return depth ? ~0U << (32 - depth) : 0;
}

static inline uint32_t *group_of(const struct fe_dir24 *d, uint32_t g)
{
	return d->tbl8 + (size_t)g * FE_DIR24_ENTRIES;
}

static int check_prefix(uint32_t addr, uint8_t depth)
{
	if (depth > 32 || (addr & ~mask_of(depth)))
		return -EINVAL;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Rule store                                                          */
/* ------------------------------------------------------------------ */

static uint64_t rule_hash(const void *slot)
{
	const struct rule_slot *r = slot;
	uint64_t k = ((uint64_t)r->addr << 6 | FE_DIR24_DEPTH(r->entry)) *
		     0x9e3779b97f4a7c15ULL;

	k ^= k >> 29;
	return k * 0xbf58476d1ce4e5b9ULL >> 32;
}

static bool rule_same(const void *x, const void *y)
{
	const struct rule_slot *a = x, *b = y;

	return a->addr == b->addr &&
	       FE_DIR24_DEPTH(a->entry) == FE_DIR24_DEPTH(b->entry);
}

static const struct fe_rules_ops rule_ops = {
	.slot_size = sizeof(struct rule_slot),
	.hash = rule_hash,
	.same_key = rule_same,
	.entry_offset = offsetof(struct rule_slot, entry),
};

static struct rule_slot *rule_find(const struct fe_dir24 *d, uint32_t addr,
				   uint8_t depth)
{
	struct rule_slot key = { addr, FE_DIR24_ENTRY(depth, 0) };

	return fe_rules_find(&d->rules, &key);
}

/* The entry of the longest prefix shorter than depth covering addr. */
static uint32_t cover_entry(const struct fe_dir24 *d, uint32_t addr,
			    uint8_t depth)
{
	for (int dd = (int)depth - 1; dd >= 0; dd--) {
		struct rule_slot *r;

		if (!d->per_depth[dd])
			continue;
		r = rule_find(d, addr & mask_of(dd), dd);
		if (r)
			return r->entry;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Groups                                                              */
/* ------------------------------------------------------------------ */

void fe_dir24_grace_upto(struct fe_dir24 *d, uint64_t mark)
{
	fe_groups_grace_upto(&d->pool, mark);
}

uint64_t fe_dir24_grace_mark(const struct fe_dir24 *d)
{
	return d->pool.freed_seq;
}

void fe_dir24_grace(struct fe_dir24 *d)
{
	fe_groups_grace_upto(&d->pool, d->pool.freed_seq);
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

	if (add ? x != v && FE_DIR24_DEPTH(x) <= depth
		: FE_DIR24_IS_VALID(x) && FE_DIR24_DEPTH(x) == depth)
		wr(slot, v);
}

static void update_group(uint32_t *p, uint32_t first, uint32_t end,
			 uint8_t depth, uint32_t v, bool add)
{
	for (uint32_t j = first; j < end; j++)
		update_entry(&p[j], depth, v, add);
}

/* A prefix of depth <= 24: its tbl24 entries, and inside their groups. */
static void update24(struct fe_dir24 *d, uint32_t addr, uint8_t depth,
		     uint32_t v, bool add)
{
	uint32_t first = addr >> 8;
	uint32_t end = first + (1U << (24 - depth));

	for (uint32_t i = first; i < end; i++) {
		uint32_t e = rd(&d->tbl24[i]);

		if (FE_DIR24_IS_EXT(e))
			update_group(group_of(d, FE_DIR24_VALUE(e)), 0,
				     FE_DIR24_ENTRIES, depth, v, add);
		else
			update_entry(&d->tbl24[i], depth, v, add);
	}
}

/*
 * Add/replace a prefix of depth > 24 with entry ne. The caller has made
 * sure a group is free if the /24 has none.
 */
static void fill8(struct fe_dir24 *d, uint32_t addr, uint8_t depth,
		  uint32_t ne)
{
	uint32_t *t24 = &d->tbl24[addr >> 8];
	uint32_t e = rd(t24);
	uint32_t first = addr & 0xff;
	uint32_t end = first + (1U << (32 - depth));
	uint32_t *p;

	if (!FE_DIR24_IS_EXT(e)) {
		/*
		 * New group: the /24's entry everywhere, the prefix in its
		 * range, and only then linked (release store).
		 */
		uint32_t g = fe_groups_take(&d->pool);

		p = group_of(d, g);
		for (uint32_t j = 0; j < FE_DIR24_ENTRIES; j++)
			wr(&p[j], j >= first && j < end ? ne : e);
		wr(t24, FE_DIR24_GROUP_ENTRY(g));
		return;
	}
	update_group(group_of(d, FE_DIR24_VALUE(e)), first, end, depth, ne,
		     true);
}

/*
 * Withdraw a prefix of depth > 24: its entries become re; if that was
 * the /24's last prefix longer than /24, fold the group back: tbl24
 * first, so no new reader enters the group, then the group waits for a
 * grace period before anyone may rewrite it.
 */
static void clear8(struct fe_dir24 *d, uint32_t addr, uint8_t depth,
		   uint32_t re)
{
	uint32_t *t24 = &d->tbl24[addr >> 8];
	uint32_t g = FE_DIR24_VALUE(rd(t24));
	uint32_t *p = group_of(d, g);
	uint32_t first = addr & 0xff;

	update_group(p, first, first + (1U << (32 - depth)), depth, re, false);
	for (int j = 0; j < FE_DIR24_ENTRIES; j++)
		if (FE_DIR24_DEPTH(rd(&p[j])) > 24)
			return;
	wr(t24, rd(&p[0]));
	fe_groups_release(&d->pool, g);
}

/* ------------------------------------------------------------------ */
/* API                                                                 */
/* ------------------------------------------------------------------ */

struct fe_dir24 *fe_dir24_new(uint32_t *tbl24, uint32_t *tbl8,
			      uint32_t ngroups)
{
	struct fe_dir24 *d;

	if (!tbl24 || (!tbl8 && ngroups) || ngroups > FE_DIR24_GROUPS_MAX) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		goto nomem;
	d->tbl24 = tbl24;
	d->tbl8 = tbl8;
	d->ngroups = ngroups;
	if (fe_rules_init(&d->rules, &rule_ops, RULES_MIN_CAP) ||
	    fe_groups_init(&d->pool, ngroups))
		goto nomem;
	memset(tbl24, 0, (size_t)FE_DIR24_TBL24_ENTRIES * sizeof(*tbl24));
	if (ngroups)
		memset(tbl8, 0,
		       (size_t)ngroups * FE_DIR24_ENTRIES * sizeof(*tbl8));
	return d;
nomem:
	fe_dir24_free(d);
	errno = ENOMEM;
	return NULL;
}

void fe_dir24_free(struct fe_dir24 *d)
{
	if (!d)
		return;
	fe_rules_fini(&d->rules);
	fe_groups_fini(&d->pool);
	free(d);
}

int fe_dir24_add(struct fe_dir24 *d, uint32_t addr, uint8_t depth,
		 uint32_t value)
{
	struct rule_slot *r;
	uint32_t ne;
	int rc;

	rc = check_prefix(addr, depth);
	if (rc)
		return rc;
	if (value > FE_DIR24_VALUE_MAX)
		return -EINVAL;
	ne = FE_DIR24_ENTRY(depth, value);
	r = rule_find(d, addr, depth);
	if (r) {
		r->entry = ne;
	} else {
		struct rule_slot slot = { addr, ne };

		/* Fail before changing anything. */
		if (depth > 24 && !d->pool.nfree &&
		    !FE_DIR24_IS_EXT(rd(&d->tbl24[addr >> 8])))
			return -ENOSPC;
		rc = fe_rules_reserve(&d->rules);
		if (rc)
			return rc;
		fe_rules_put(&d->rules, &slot);
		d->per_depth[depth]++;
	}
	if (depth <= 24)
		update24(d, addr, depth, ne, true);
	else
		fill8(d, addr, depth, ne);
	return 0;
}

int fe_dir24_del(struct fe_dir24 *d, uint32_t addr, uint8_t depth)
{
	struct rule_slot *r;
	uint32_t re;
	int rc;

	rc = check_prefix(addr, depth);
	if (rc)
		return rc;
	r = rule_find(d, addr, depth);
	if (!r)
		return -ENOENT;
	fe_rules_remove(&d->rules, r);
	d->per_depth[depth]--;
	re = cover_entry(d, addr, depth);
	if (depth <= 24)
		update24(d, addr, depth, re, false);
	else
		clear8(d, addr, depth, re);
	return 0;
}

int fe_dir24_get(const struct fe_dir24 *d, uint32_t addr, uint8_t depth,
		 uint32_t *value)
{
	struct rule_slot *r;
	int rc;

	rc = check_prefix(addr, depth);
	if (rc)
		return rc;
	r = rule_find(d, addr, depth);
	if (!r)
		return -ENOENT;
	*value = FE_DIR24_VALUE(r->entry);
	return 0;
}

int fe_dir24_lookup(const struct fe_dir24 *d, uint32_t addr,
		    uint32_t *value)
{
	uint32_t e = __atomic_load_n(&d->tbl24[addr >> 8], __ATOMIC_ACQUIRE);

	if (FE_DIR24_IS_EXT(e)) {
		if (FE_DIR24_VALUE(e) >= d->ngroups)
			return -ENOENT; /* as the BPF map lookup would */
		e = __atomic_load_n(&group_of(d, FE_DIR24_VALUE(e))[addr & 0xff],
				    __ATOMIC_RELAXED);
	}
	if (!FE_DIR24_IS_VALID(e))
		return -ENOENT;
	*value = FE_DIR24_VALUE(e);
	return 0;
}

void fe_dir24_stats(const struct fe_dir24 *d, struct fe_dir24_stats *st)
{
	uint32_t pending = fe_groups_pending(&d->pool);

	st->rules = (uint32_t)d->rules.count;
	st->groups_total = d->ngroups;
	st->groups_used = d->pool.used;
	st->groups_pending = pending;
	st->tbl24_bytes = (uint64_t)FE_DIR24_TBL24_ENTRIES * sizeof(uint32_t);
	st->tbl8_bytes = ((uint64_t)d->pool.used + pending) *
			 FE_DIR24_ENTRIES * sizeof(uint32_t);
	st->rules_bytes = sizeof(*d) + fe_rules_bytes(&d->rules) +
			  fe_groups_heap_bytes(&d->pool);
}
