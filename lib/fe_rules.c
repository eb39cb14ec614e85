// SPDX-License-Identifier: GPL-2.0-or-later
/* Rule store of the LPM builders: see fe_rules.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fe_rules.h"

static inline void *slot_at(const struct fe_rules *r, size_t i)
{
	return r->slots + i * r->ops->slot_size;
}

static inline bool used(const struct fe_rules *r, const uint8_t *slot)
{
	uint32_t e;

	memcpy(&e, slot + r->ops->entry_offset, sizeof(e));
	return e != 0;
}

static inline size_t home_of(const struct fe_rules *r, const void *slot,
			     size_t cap)
{
	return (size_t)r->ops->hash(slot) & (cap - 1);
}

int fe_rules_init(struct fe_rules *r, const struct fe_rules_ops *ops,
		  size_t cap)
{
	r->ops = ops;
	r->cap = cap;
	r->count = 0;
	r->slots = calloc(cap, ops->slot_size);
	return r->slots ? 0 : -ENOMEM;
}

void fe_rules_fini(struct fe_rules *r)
{
	free(r->slots);
	r->slots = NULL;
}

void *fe_rules_find(const struct fe_rules *r, const void *key)
{
	size_t i = home_of(r, key, r->cap);

	for (;; i = (i + 1) & (r->cap - 1)) {
		void *s = slot_at(r, i);

		if (!used(r, s))
			return NULL;
		if (r->ops->same_key(s, key))
			return s;
	}
}

static void put_in(const struct fe_rules *r, uint8_t *slots, size_t cap,
		   const void *slot)
{
	size_t sz = r->ops->slot_size;
	size_t i = home_of(r, slot, cap);

	while (used(r, slots + i * sz))
		i = (i + 1) & (cap - 1);
	memcpy(slots + i * sz, slot, sz);
}

int fe_rules_reserve(struct fe_rules *r)
{
	size_t cap = r->cap * 2;
	uint8_t *slots;

	if ((r->count + 1) * 4 <= r->cap * 3)
		return 0;
	slots = calloc(cap, r->ops->slot_size);
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < r->cap; i++)
		if (used(r, slot_at(r, i)))
			put_in(r, slots, cap, slot_at(r, i));
	free(r->slots);
	r->slots = slots;
	r->cap = cap;
	return 0;
}

void fe_rules_put(struct fe_rules *r, const void *slot)
{
	put_in(r, r->slots, r->cap, slot);
	r->count++;
}

/* Backward-shift deletion: pull later members of the run into the hole. */
void fe_rules_remove(struct fe_rules *r, void *slot)
{
	size_t sz = r->ops->slot_size, mask = r->cap - 1;
	size_t hole = (size_t)((uint8_t *)slot - r->slots) / sz;
	size_t i = hole;

	for (;;) {
		size_t home;

		i = (i + 1) & mask;
		if (!used(r, slot_at(r, i)))
			break;
		home = home_of(r, slot_at(r, i), r->cap);
		/* Movable iff its home is not in (hole, i], cyclically. */
		if (((i - home) & mask) >= ((i - hole) & mask)) {
			memcpy(slot_at(r, hole), slot_at(r, i), sz);
			hole = i;
		}
	}
	memset(slot_at(r, hole), 0, sz);
	r->count--;
}
