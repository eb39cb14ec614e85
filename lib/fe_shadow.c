// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Shadow of the mirrored maps: three open-addressing hash tables (IPv4
 * routes, IPv6 routes, NHGs) with linear probing and backward-shift
 * deletion, so that there are no tombstones and a table that sees a full
 * table withdrawn and relearnt does not degrade.
 *
 * Slots are flat byte records, so that one table implementation serves
 * all three layouts and a slot costs only its payload:
 *
 *   IPv4 route  12 bytes: nhg_id(4) addr(4) len+1(1) pad(3)
 *   IPv6 route  24 bytes: nhg_id(4) addr(16) len+1(1) pad(3)
 *   NHG         12 bytes: id(4) refs(4) held(1) used(1) pad(2)
 *
 * A route's key is addr followed by len+1: storing len+1 makes the key's
 * last byte non-zero, so it doubles as the "slot used" mark and a zeroed
 * (calloc'd) table is an empty one. Fields are read with memcpy: slots
 * carry no alignment promise.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fe_shadow.h"

#define OA_MIN_CAP 16

struct oa_table {
	unsigned char *slots;
	size_t cap;		/* 0 (nothing allocated) or a power of two */
	size_t count;
	uint8_t slot_size;
	uint8_t key_off;	/* the key bytes, hashed and compared */
	uint8_t key_len;
	uint8_t tag_off;	/* non-zero byte iff the slot is used */
};

struct fe_shadow {
	fe_shadow_hash_fn hash;
	struct oa_table rt[2];	/* [0] IPv4, [1] IPv6 */
	struct oa_table nhg;
};

#define RT_KEY_MAX 17		/* 16 address bytes + len+1 */

#define NHG_ID_OFF 0
#define NHG_REFS_OFF 4
#define NHG_HELD_OFF 8
#define NHG_USED_OFF 9

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/*
 * FNV-1a spreads every key byte over the word; the murmur3 finalizer then
 * makes the low bits, which alone pick the slot, depend on all of them.
 */
static uint64_t hash_default(const void *key, size_t len)
{
	const unsigned char *b = key;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static void oa_init(struct oa_table *t, uint8_t slot_size, uint8_t key_off,
		    uint8_t key_len, uint8_t tag_off)
{
	memset(t, 0, sizeof(*t));
	t->slot_size = slot_size;
	t->key_off = key_off;
	t->key_len = key_len;
	t->tag_off = tag_off;
}

static unsigned char *oa_slot(const struct oa_table *t, size_t i)
{
	return t->slots + i * t->slot_size;
}

static bool oa_used(const struct oa_table *t, const unsigned char *s)
{
	return s[t->tag_off] != 0;
}

static size_t oa_home(const struct fe_shadow *sh, const struct oa_table *t,
		      const void *key)
{
	return (size_t)sh->hash(key, t->key_len) & (t->cap - 1);
}

/* Slot holding key, or NULL. Ends: the load factor keeps a slot empty. */
static unsigned char *oa_find(const struct fe_shadow *sh,
			      const struct oa_table *t, const void *key)
{
	size_t mask = t->cap - 1;

	if (!t->cap)
		return NULL;
	for (size_t i = oa_home(sh, t, key);; i = (i + 1) & mask) {
		unsigned char *s = oa_slot(t, i);

		if (!oa_used(t, s))
			return NULL;
		if (!memcmp(s + t->key_off, key, t->key_len))
			return s;
	}
}

/* Rehash into cap slots (0: free all). On -ENOMEM t is unchanged. */
static int oa_resize(const struct fe_shadow *sh, struct oa_table *t,
		     size_t cap)
{
	struct oa_table n = *t;

	n.cap = cap;
	n.slots = NULL;
	if (cap) {
		if (cap > SIZE_MAX / t->slot_size)
			return -ENOMEM;
		/* calloc: zero is "empty", and fresh pages cost nothing. */
		n.slots = calloc(cap, t->slot_size);
		if (!n.slots)
			return -ENOMEM;
	}
	for (size_t i = 0; i < t->cap; i++) {
		const unsigned char *s = oa_slot(t, i);
		size_t j;

		if (!oa_used(t, s))
			continue;
		j = oa_home(sh, &n, s + t->key_off);
		while (oa_used(&n, oa_slot(&n, j)))
			j = (j + 1) & (cap - 1);
		memcpy(oa_slot(&n, j), s, t->slot_size);
	}
	free(t->slots);
	*t = n;
	return 0;
}

/*
 * Find key or add it (zeroed payload). *added tells which. NULL only when
 * growing fails, so finding an existing key never fails.
 */
static unsigned char *oa_insert(const struct fe_shadow *sh, struct oa_table *t,
				const void *key, bool *added)
{
	unsigned char *s = oa_find(sh, t, key);
	size_t i;

	if (s) {
		*added = false;
		return s;
	}
	/* Grow at 3/4 load: linear probing degrades fast above that. */
	if ((t->count + 1) * 4 > t->cap * 3) {
		size_t cap = t->cap ? t->cap * 2 : OA_MIN_CAP;

		if (cap < t->cap || oa_resize(sh, t, cap))
			return NULL;
	}
	i = oa_home(sh, t, key);
	while (oa_used(t, oa_slot(t, i)))
		i = (i + 1) & (t->cap - 1);
	s = oa_slot(t, i);
	memset(s, 0, t->slot_size);
	memcpy(s + t->key_off, key, t->key_len);
	if (!s[t->tag_off])
		s[t->tag_off] = 1;
	t->count++;
	*added = true;
	return s;
}

/*
 * Remove the entry in slot s. Backward shift: walk the rest of the
 * cluster and pull back every entry whose home is not in the cyclic range
 * (hole, j], so that every lookup still meets its key before an empty slot.
 */
static void oa_delete(const struct fe_shadow *sh, struct oa_table *t,
		      unsigned char *s)
{
	size_t mask = t->cap - 1;
	size_t hole = (size_t)(s - t->slots) / t->slot_size;
	size_t j = hole;

	for (;;) {
		unsigned char *sj;
		size_t home;

		j = (j + 1) & mask;
		sj = oa_slot(t, j);
		if (!oa_used(t, sj))
			break;
		home = oa_home(sh, t, sj + t->key_off);
		if (hole <= j ? (hole < home && home <= j)
			      : (hole < home || home <= j))
			continue;
		memcpy(oa_slot(t, hole), sj, t->slot_size);
		hole = j;
	}
	memset(oa_slot(t, hole), 0, t->slot_size);
	t->count--;

	/*
	 * Give memory back after a mass withdraw. Shrinking at 1/8 load to
	 * 1/4 leaves room before the next growth at 3/4. A failed shrink
	 * only keeps the larger table.
	 */
	if (!t->count)
		oa_resize(sh, t, 0);
	else if (t->cap > OA_MIN_CAP && t->count * 8 < t->cap)
		oa_resize(sh, t, t->cap / 2);
}

struct fe_shadow *fe_shadow_new_hash(fe_shadow_hash_fn fn)
{
	struct fe_shadow *sh = calloc(1, sizeof(*sh));

	if (!sh)
		return NULL;
	sh->hash = fn ? fn : hash_default;
	oa_init(&sh->rt[0], 12, 4, 4 + 1, 4 + 4);
	oa_init(&sh->rt[1], 24, 4, 16 + 1, 4 + 16);
	oa_init(&sh->nhg, 12, NHG_ID_OFF, 4, NHG_USED_OFF);
	return sh;
}

struct fe_shadow *fe_shadow_new(void)
{
	return fe_shadow_new_hash(NULL);
}

void fe_shadow_free(struct fe_shadow *sh)
{
	if (!sh)
		return;
	free(sh->rt[0].slots);
	free(sh->rt[1].slots);
	free(sh->nhg.slots);
	free(sh);
}

/*
 * Build the table key of a route: addr bytes then len+1. Returns the
 * table index (0 IPv4, 1 IPv6) or -EINVAL.
 */
static int rt_key(const struct fe_prefix *p, unsigned char *key)
{
	size_t alen;

	if (!fe_prefix_valid(p))
		return -EINVAL;
	alen = p->family == AF_INET ? 4 : 16;
	memcpy(key, p->addr, alen);
	key[alen] = (unsigned char)(p->len + 1);
	return p->family == AF_INET ? 0 : 1;
}

int fe_shadow_route_set(struct fe_shadow *sh, const struct fe_prefix *p,
			uint32_t nhg_id, uint32_t *old_nhg_id)
{
	unsigned char key[RT_KEY_MAX];
	unsigned char *s;
	uint32_t old = 0;
	bool added;
	int ti;

	if (!sh)
		return -EINVAL;
	ti = rt_key(p, key);
	if (ti < 0)
		return ti;
	s = oa_insert(sh, &sh->rt[ti], key, &added);
	if (!s)
		return -ENOMEM;
	if (!added)
		old = get32(s);
	put32(s, nhg_id);
	if (old_nhg_id)
		*old_nhg_id = old;
	return added ? 1 : 0;
}

int fe_shadow_route_del(struct fe_shadow *sh, const struct fe_prefix *p,
			uint32_t *old_nhg_id)
{
	unsigned char key[RT_KEY_MAX];
	unsigned char *s;
	uint32_t old;
	int ti;

	if (!sh)
		return -EINVAL;
	ti = rt_key(p, key);
	if (ti < 0)
		return ti;
	s = oa_find(sh, &sh->rt[ti], key);
	if (!s)
		return -ENOENT;
	old = get32(s);
	oa_delete(sh, &sh->rt[ti], s);
	if (old_nhg_id)
		*old_nhg_id = old;
	return 0;
}

int fe_shadow_route_get(const struct fe_shadow *sh, const struct fe_prefix *p,
			uint32_t *nhg_id)
{
	unsigned char key[RT_KEY_MAX];
	const unsigned char *s;
	int ti;

	if (!sh)
		return -EINVAL;
	ti = rt_key(p, key);
	if (ti < 0)
		return ti;
	s = oa_find(sh, &sh->rt[ti], key);
	if (!s)
		return -ENOENT;
	if (nhg_id)
		*nhg_id = get32(s);
	return 0;
}

bool fe_shadow_route_has(const struct fe_shadow *sh, const struct fe_prefix *p)
{
	return fe_shadow_route_get(sh, p, NULL) == 0;
}

size_t fe_shadow_route_count(const struct fe_shadow *sh, int family)
{
	if (!sh)
		return 0;
	switch (family) {
	case AF_INET:
		return sh->rt[0].count;
	case AF_INET6:
		return sh->rt[1].count;
	case AF_UNSPEC:
		return sh->rt[0].count + sh->rt[1].count;
	default:
		return 0;
	}
}

int fe_shadow_route_foreach(const struct fe_shadow *sh, fe_shadow_route_cb cb,
			    void *arg)
{
	if (!sh || !cb)
		return -EINVAL;
	for (int ti = 0; ti < 2; ti++) {
		const struct oa_table *t = &sh->rt[ti];
		size_t alen = t->key_len - 1u;

		for (size_t i = 0; i < t->cap; i++) {
			const unsigned char *s = oa_slot(t, i);
			struct fe_prefix p;
			int ret;

			if (!oa_used(t, s))
				continue;
			memset(&p, 0, sizeof(p));
			p.family = ti ? AF_INET6 : AF_INET;
			p.len = (uint8_t)(s[t->tag_off] - 1);
			memcpy(p.addr, s + t->key_off, alen);
			ret = cb(&p, get32(s), arg);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static unsigned char *nhg_find(const struct fe_shadow *sh, uint32_t id)
{
	return oa_find(sh, &sh->nhg, &id);
}

int fe_shadow_nhg_ref(struct fe_shadow *sh, uint32_t id)
{
	unsigned char *s;
	uint32_t refs;
	bool added;

	if (!sh || !id)
		return -EINVAL;
	s = nhg_find(sh, id);
	if (s) {
		refs = get32(s + NHG_REFS_OFF);
		if (refs == UINT32_MAX)
			return -EOVERFLOW;
		put32(s + NHG_REFS_OFF, refs + 1);
		return 0;
	}
	s = oa_insert(sh, &sh->nhg, &id, &added);
	if (!s)
		return -ENOMEM;
	put32(s + NHG_REFS_OFF, 1);
	return 0;
}

int fe_shadow_nhg_unref(struct fe_shadow *sh, uint32_t id)
{
	unsigned char *s;
	uint32_t refs;

	if (!sh || !id)
		return -EINVAL;
	s = nhg_find(sh, id);
	if (!s)
		return -ENOENT;
	refs = get32(s + NHG_REFS_OFF);
	if (!refs)
		return -EINVAL;
	put32(s + NHG_REFS_OFF, --refs);
	if (refs || s[NHG_HELD_OFF])
		return 0;
	oa_delete(sh, &sh->nhg, s);
	return 1;
}

int fe_shadow_nhg_hold(struct fe_shadow *sh, uint32_t id, bool held)
{
	unsigned char *s;
	bool added;

	if (!sh || !id)
		return -EINVAL;
	if (held) {
		s = oa_insert(sh, &sh->nhg, &id, &added);
		if (!s)
			return -ENOMEM;
		s[NHG_HELD_OFF] = 1;
		return 0;
	}
	s = nhg_find(sh, id);
	if (!s)
		return -ENOENT;
	s[NHG_HELD_OFF] = 0;
	if (get32(s + NHG_REFS_OFF))
		return 0;
	oa_delete(sh, &sh->nhg, s);
	return 1;
}

bool fe_shadow_nhg_unused(const struct fe_shadow *sh, uint32_t id)
{
	/* An NHG is dropped the moment it is unused: absent means unused. */
	return !fe_shadow_nhg_has(sh, id);
}

bool fe_shadow_nhg_has(const struct fe_shadow *sh, uint32_t id)
{
	return sh && id && nhg_find(sh, id);
}

int fe_shadow_nhg_get(const struct fe_shadow *sh, uint32_t id, uint32_t *refs,
		      bool *held)
{
	const unsigned char *s;

	if (!sh || !id)
		return -EINVAL;
	s = nhg_find(sh, id);
	if (!s)
		return -ENOENT;
	if (refs)
		*refs = get32(s + NHG_REFS_OFF);
	if (held)
		*held = s[NHG_HELD_OFF];
	return 0;
}

size_t fe_shadow_nhg_count(const struct fe_shadow *sh)
{
	return sh ? sh->nhg.count : 0;
}

int fe_shadow_nhg_foreach(const struct fe_shadow *sh, fe_shadow_nhg_cb cb,
			  void *arg)
{
	const struct oa_table *t;

	if (!sh || !cb)
		return -EINVAL;
	t = &sh->nhg;
	for (size_t i = 0; i < t->cap; i++) {
		const unsigned char *s = oa_slot(t, i);
		int ret;

		if (!oa_used(t, s))
			continue;
		ret = cb(get32(s + NHG_ID_OFF), get32(s + NHG_REFS_OFF),
			 s[NHG_HELD_OFF], arg);
		if (ret)
			return ret;
	}
	return 0;
}

size_t fe_shadow_mem_bytes(const struct fe_shadow *sh)
{
	size_t n;

	if (!sh)
		return 0;
	n = sizeof(*sh);
	for (int ti = 0; ti < 2; ti++)
		n += sh->rt[ti].cap * sh->rt[ti].slot_size;
	n += sh->nhg.cap * sh->nhg.slot_size;
	return n;
}
