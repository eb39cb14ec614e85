/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rule store of the route table builder (fe_lpm6): every prefix
 * with the table entry it writes, found by (address, length). An
 * open-addressing hash table of fixed-size slots with linear probing,
 * growth at a load of 3/4 and backward-shift deletion (no tombstones).
 * The slot layout is the caller's, described by a small ops table. Pure C.
 */
#ifndef FE_LIB_RULES_H
#define FE_LIB_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fe_rules_ops {
	size_t slot_size;
	/* A well-mixed hash of the slot's key (address and length). */
	uint64_t (*hash)(const void *slot);
	bool (*same_key)(const void *a, const void *b);
	/* Where the slot's uint32_t table entry is: 0 marks a free slot. */
	size_t entry_offset;
};

struct fe_rules {
	const struct fe_rules_ops *ops;
	uint8_t *slots;
	size_t cap; /* power of two */
	size_t count;
};

/* 0 or -ENOMEM. */
int fe_rules_init(struct fe_rules *r, const struct fe_rules_ops *ops,
		  size_t cap);
void fe_rules_fini(struct fe_rules *r);

/* The slot with key's key, or NULL. */
void *fe_rules_find(const struct fe_rules *r, const void *key);

/* Room for one more slot: 0 or -ENOMEM (nothing changed then). */
int fe_rules_reserve(struct fe_rules *r);

/* Copy slot in (its key absent, room reserved). */
void fe_rules_put(struct fe_rules *r, const void *slot);

/* Remove a slot fe_rules_find returned. */
void fe_rules_remove(struct fe_rules *r, void *slot);

static inline uint64_t fe_rules_bytes(const struct fe_rules *r)
{
	return (uint64_t)r->cap * r->ops->slot_size;
}

#endif /* FE_LIB_RULES_H */
