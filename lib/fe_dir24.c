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
 * The rule store is one open-addressing hash table keyed by (addr, depth)
 * with linear probing and backward-shift deletion (no tombstones). A slot
 * is 8 bytes: the address and the table entry the prefix writes, whose
 * valid bit marks the slot used and whose depth completes the key.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fe_dir24.h"

#define RULES_MIN_CAP 1024
#define NONE SIZE_MAX

struct rule_slot {
	uint32_t addr;
	uint32_t entry; /* FE_DIR24_ENTRY(depth, value); 0: slot free */
};

struct fe_dir24 {
	uint32_t *tbl24;
	uint32_t *tbl8;
	uint32_t ngroups;
	uint32_t groups_used;

	struct rule_slot *rules;
	size_t cap; /* power of two */
	size_t count;
	uint32_t per_depth[33]; /* rules of each depth: skip empty depths */

	uint32_t *free_groups; /* stack */
	uint32_t nfree;
	/*
	 * Freed groups, oldest first: a ring of ngroups slots (a group is
	 * pending at most once). Sequence numbers count frees and releases
	 * since the start, so that a grace mark is simply freed_seq.
	 */
	uint32_t *pending;
	uint64_t freed_seq;
	uint64_t released_seq;
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

static inline size_t rule_hash(uint32_t addr, uint8_t depth, size_t cap)
{
	uint64_t k = ((uint64_t)addr << 6 | depth) * 0x9e3779b97f4a7c15ULL;

	k ^= k >> 29;
	return (size_t)(k * 0xbf58476d1ce4e5b9ULL >> 32) & (cap - 1);
}

static inline bool rule_is(const struct rule_slot *s, uint32_t addr,
			   uint8_t depth)
{
	return s->entry && s->addr == addr &&
	       FE_DIR24_DEPTH(s->entry) == depth;
}

static size_t rule_find(const struct fe_dir24 *d, uint32_t addr,
			uint8_t depth)
{
	size_t i = rule_hash(addr, depth, d->cap);

	while (d->rules[i].entry) {
		if (rule_is(&d->rules[i], addr, depth))
			return i;
		i = (i + 1) & (d->cap - 1);
	}
	return NONE;
}

static void rule_put(struct rule_slot *tab, size_t cap, uint32_t addr,
		     uint32_t entry)
{
	size_t i = rule_hash(addr, FE_DIR24_DEPTH(entry), cap);

	while (tab[i].entry)
		i = (i + 1) & (cap - 1);
	tab[i].addr = addr;
	tab[i].entry = entry;
}

/* Room for one more rule at a load of at most 3/4. */
static int rule_reserve(struct fe_dir24 *d)
{
	struct rule_slot *tab;
	size_t cap = d->cap * 2;

	if ((d->count + 1) * 4 <= d->cap * 3)
		return 0;
	tab = calloc(cap, sizeof(*tab));
	if (!tab)
		return -ENOMEM;
	for (size_t i = 0; i < d->cap; i++)
		if (d->rules[i].entry)
			rule_put(tab, cap, d->rules[i].addr,
				 d->rules[i].entry);
	free(d->rules);
	d->rules = tab;
	d->cap = cap;
	return 0;
}

/* Backward-shift deletion: pull later members of the run into the hole. */
static void rule_remove(struct fe_dir24 *d, size_t hole)
{
	size_t mask = d->cap - 1;
	size_t i = hole;

	for (;;) {
		size_t home;

		i = (i + 1) & mask;
		if (!d->rules[i].entry)
			break;
		home = rule_hash(d->rules[i].addr,
				 FE_DIR24_DEPTH(d->rules[i].entry), d->cap);
		/* Movable iff its home is not in (hole, i], cyclically. */
		if (((i - home) & mask) >= ((i - hole) & mask)) {
			d->rules[hole] = d->rules[i];
			hole = i;
		}
	}
	d->rules[hole].entry = 0;
	d->rules[hole].addr = 0;
	d->count--;
}

/* The entry of the longest prefix shorter than depth covering addr. */
static uint32_t cover_entry(const struct fe_dir24 *d, uint32_t addr,
			    uint8_t depth)
{
	for (int dd = (int)depth - 1; dd >= 0; dd--) {
		size_t i;

		if (!d->per_depth[dd])
			continue;
		i = rule_find(d, addr & mask_of(dd), dd);
		if (i != NONE)
			return d->rules[i].entry;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Groups                                                              */
/* ------------------------------------------------------------------ */

static void group_release(struct fe_dir24 *d, uint32_t g)
{
	d->pending[d->freed_seq % d->ngroups] = g;
	d->freed_seq++;
	d->groups_used--;
}

void fe_dir24_grace_upto(struct fe_dir24 *d, uint64_t mark)
{
	while (d->released_seq < mark && d->released_seq < d->freed_seq) {
		d->free_groups[d->nfree++] =
			d->pending[d->released_seq % d->ngroups];
		d->released_seq++;
	}
}

uint64_t fe_dir24_grace_mark(const struct fe_dir24 *d)
{
	return d->freed_seq;
}

void fe_dir24_grace(struct fe_dir24 *d)
{
	fe_dir24_grace_upto(d, d->freed_seq);
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
		uint32_t g = d->free_groups[--d->nfree];

		p = group_of(d, g);
		for (uint32_t j = 0; j < FE_DIR24_ENTRIES; j++)
			wr(&p[j], j >= first && j < end ? ne : e);
		wr(t24, FE_DIR24_GROUP_ENTRY(g));
		d->groups_used++;
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
	group_release(d, g);
}

/* ------------------------------------------------------------------ */
/* API                                                                 */
/* ------------------------------------------------------------------ */

struct fe_dir24 *fe_dir24_new(uint32_t *tbl24, uint32_t *tbl8,
			      uint32_t ngroups)
{
	struct fe_dir24 *d;
	size_t n = ngroups ? ngroups : 1;

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
	d->cap = RULES_MIN_CAP;
	d->rules = calloc(d->cap, sizeof(*d->rules));
	d->free_groups = malloc(n * sizeof(*d->free_groups));
	d->pending = malloc(n * sizeof(*d->pending));
	if (!d->rules || !d->free_groups || !d->pending)
		goto nomem;
	/* Stack popping group 0 first: low groups are reused first. */
	for (uint32_t g = 0; g < ngroups; g++)
		d->free_groups[g] = ngroups - 1 - g;
	d->nfree = ngroups;
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
	free(d->rules);
	free(d->free_groups);
	free(d->pending);
	free(d);
}

int fe_dir24_add(struct fe_dir24 *d, uint32_t addr, uint8_t depth,
		 uint32_t value)
{
	uint32_t ne;
	size_t i;
	int rc;

	rc = check_prefix(addr, depth);
	if (rc)
		return rc;
	if (value > FE_DIR24_VALUE_MAX)
		return -EINVAL;
	ne = FE_DIR24_ENTRY(depth, value);
	i = rule_find(d, addr, depth);
	if (i != NONE) {
		d->rules[i].entry = ne;
	} else {
		/* Fail before changing anything. */
		if (depth > 24 && !d->nfree &&
		    !FE_DIR24_IS_EXT(rd(&d->tbl24[addr >> 8])))
			return -ENOSPC;
		rc = rule_reserve(d);
		if (rc)
			return rc;
		rule_put(d->rules, d->cap, addr, ne);
		d->count++;
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
	uint32_t re;
	size_t i;
	int rc;

	rc = check_prefix(addr, depth);
	if (rc)
		return rc;
	i = rule_find(d, addr, depth);
	if (i == NONE)
		return -ENOENT;
	rule_remove(d, i);
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
	size_t i;
	int rc;

	rc = check_prefix(addr, depth);
	if (rc)
		return rc;
	i = rule_find(d, addr, depth);
	if (i == NONE)
		return -ENOENT;
	*value = FE_DIR24_VALUE(d->rules[i].entry);
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
	uint32_t pending = (uint32_t)(d->freed_seq - d->released_seq);

	st->rules = (uint32_t)d->count;
	st->groups_total = d->ngroups;
	st->groups_used = d->groups_used;
	st->groups_pending = pending;
	st->tbl24_bytes = (uint64_t)FE_DIR24_TBL24_ENTRIES * sizeof(uint32_t);
	st->tbl8_bytes = ((uint64_t)d->groups_used + pending) *
			 FE_DIR24_ENTRIES * sizeof(uint32_t);
	st->rules_bytes = sizeof(*d) + d->cap * sizeof(*d->rules) +
			  2 * (uint64_t)(d->ngroups ? d->ngroups : 1) *
				  sizeof(uint32_t);
}
