// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Path-counter slots of the nexthop groups: a free stack, the slots'
 * records, and a chain per group id (few slots a group: one live, a few
 * retired) found through a small hash of the id.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fe_slots.h"

#define ID_BUCKETS 1024

struct fe_slots {
	uint32_t nslots;
	uint32_t nfree;
	uint16_t *free_stack;
	uint16_t *next;      /* chain of slots of the same id bucket */
	uint16_t bucket[ID_BUCKETS];
	struct fe_slot_info *info;
};

static uint32_t id_bucket(uint32_t id)
{
	return (id * 2654435761u) >> 22; /* 10 bits */
}

struct fe_slots *fe_slots_new(uint32_t nslots)
{
	struct fe_slots *s;

	if (nslots < 2 || nslots > 65536)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->nslots = nslots;
	s->free_stack = calloc(nslots, sizeof(*s->free_stack));
	s->next = calloc(nslots, sizeof(*s->next));
	s->info = calloc(nslots, sizeof(*s->info));
	if (!s->free_stack || !s->next || !s->info) {
		fe_slots_free(s);
		return NULL;
	}
	/* low slots first */
	for (uint32_t i = nslots - 1; i >= 1; i--)
		s->free_stack[s->nfree++] = (uint16_t)i;
	return s;
}

void fe_slots_free(struct fe_slots *s)
{
	if (!s)
		return;
	free(s->free_stack);
	free(s->next);
	free(s->info);
	free(s);
}

static void chain_add(struct fe_slots *s, uint16_t slot)
{
	uint32_t b = id_bucket(s->info[slot].nhg_id);

	s->next[slot] = s->bucket[b];
	s->bucket[b] = slot;
}

static void chain_del(struct fe_slots *s, uint16_t slot)
{
	uint16_t *p = &s->bucket[id_bucket(s->info[slot].nhg_id)];

	while (*p && *p != slot)
		p = &s->next[*p];
	if (*p)
		*p = s->next[slot];
	s->next[slot] = 0;
}

static void record(struct fe_slots *s, uint16_t slot, uint32_t id,
		   const struct fe_nhg_val *v)
{
	struct fe_slot_info *in = &s->info[slot];

	memset(in, 0, sizeof(*in));
	in->nhg_id = id;
	in->count = v->count;
	in->state = FE_SLOT_LIVE;
	memcpy(in->nh, v->nh, sizeof(in->nh[0]) * v->count);
	chain_add(s, slot);
}

uint16_t fe_slots_take(struct fe_slots *s, uint32_t id,
		       const struct fe_nhg_val *v)
{
	uint16_t slot;

	if (!s || !v || v->count < 1 || v->count > FE_SLOT_PATHS || !s->nfree)
		return 0;
	slot = s->free_stack[--s->nfree];
	record(s, slot, id, v);
	return slot;
}

static void make_free(struct fe_slots *s, uint16_t slot)
{
	chain_del(s, slot);
	memset(&s->info[slot], 0, sizeof(s->info[slot]));
	s->free_stack[s->nfree++] = slot;
}

void fe_slots_drop(struct fe_slots *s, uint16_t slot)
{
	if (s && slot && slot < s->nslots &&
	    s->info[slot].state == FE_SLOT_LIVE)
		make_free(s, slot);
}

void fe_slots_retire_others(struct fe_slots *s, uint32_t id, uint16_t keep,
			    uint64_t now)
{
	if (!s)
		return;
	for (uint16_t i = s->bucket[id_bucket(id)]; i; i = s->next[i]) {
		struct fe_slot_info *in = &s->info[i];

		if (i != keep && in->nhg_id == id && in->state == FE_SLOT_LIVE) {
			in->state = FE_SLOT_RETIRED;
			in->retired_at = now;
		}
	}
}

bool fe_slots_adopt(struct fe_slots *s, uint16_t slot, uint32_t id,
		    const struct fe_nhg_val *v)
{
	if (!s || !v || !slot || slot >= s->nslots || v->count < 1 ||
	    v->count > FE_SLOT_PATHS || s->info[slot].state != FE_SLOT_FREE)
		return false;
	/* out of the free stack */
	for (uint32_t i = 0; i < s->nfree; i++)
		if (s->free_stack[i] == slot) {
			s->free_stack[i] = s->free_stack[--s->nfree];
			break;
		}
	record(s, slot, id, v);
	return true;
}

unsigned int fe_slots_reap(struct fe_slots *s, uint64_t upto,
			   void (*cb)(uint16_t slot,
				      const struct fe_slot_info *info,
				      void *arg),
			   void *arg)
{
	unsigned int n = 0;

	if (!s)
		return 0;
	for (uint32_t i = 1; i < s->nslots; i++) {
		struct fe_slot_info *in = &s->info[i];

		if (in->state != FE_SLOT_RETIRED || in->retired_at > upto)
			continue;
		if (cb)
			cb((uint16_t)i, in, arg);
		make_free(s, (uint16_t)i);
		n++;
	}
	return n;
}

void fe_slots_foreach(const struct fe_slots *s,
		      void (*cb)(uint16_t slot, const struct fe_slot_info *info,
				 void *arg),
		      void *arg)
{
	if (!s)
		return;
	for (uint32_t i = 1; i < s->nslots; i++)
		if (s->info[i].state != FE_SLOT_FREE)
			cb((uint16_t)i, &s->info[i], arg);
}

const struct fe_slot_info *fe_slots_get(const struct fe_slots *s,
					uint16_t slot)
{
	if (!s || !slot || slot >= s->nslots ||
	    s->info[slot].state == FE_SLOT_FREE)
		return NULL;
	return &s->info[slot];
}

uint32_t fe_slots_used(const struct fe_slots *s)
{
	return s ? s->nslots - 1 - s->nfree : 0;
}
