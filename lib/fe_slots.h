/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Path-counter slots of the nexthop groups (FE_MAP_PATHSTATS): which
 * slot a group counts in, and which retired slots wait for their grace
 * period before their counts are harvested and the slot is given again.
 *
 * A group gets a fresh slot each time the mirror writes it, so that a
 * slot's index i always means the nexthop nh[i] recorded here. Pure
 * bookkeeping: the caller reads and zeroes the map.
 */
#ifndef FE_SLOTS_H
#define FE_SLOTS_H

#include <stdbool.h>
#include <stdint.h>

#include "bpf/frr_ebpf_abi.h"

enum fe_slot_state { FE_SLOT_FREE, FE_SLOT_LIVE, FE_SLOT_RETIRED };

struct fe_slot_info {
	uint32_t nhg_id;
	uint16_t count; /* paths recorded in nh[] */
	uint8_t state;  /* enum fe_slot_state */
	uint64_t retired_at;
	struct fe_nexthop nh[FE_SLOT_PATHS];
};

struct fe_slots;

/* Slots 1..nslots-1 (0 means "none"); NULL if out of memory. */
struct fe_slots *fe_slots_new(uint32_t nslots);
void fe_slots_free(struct fe_slots *s);

/*
 * A free slot for group id with the paths of v, now live; 0 if v has more
 * than FE_SLOT_PATHS paths or none is free. The previous live slot of id,
 * if any, stays live until fe_slots_retire_others().
 */
uint16_t fe_slots_take(struct fe_slots *s, uint32_t id,
		       const struct fe_nhg_val *v);
/* Back to free at once: taken, but never published. */
void fe_slots_drop(struct fe_slots *s, uint16_t slot);
/* Retire (at time now) every live slot of group id except keep. */
void fe_slots_retire_others(struct fe_slots *s, uint32_t id, uint16_t keep,
			    uint64_t now);
/* A slot found in a pinned group: live again; false if it cannot be. */
bool fe_slots_adopt(struct fe_slots *s, uint16_t slot, uint32_t id,
		    const struct fe_nhg_val *v);

/*
 * Every retired slot with retired_at <= upto: cb(slot, info), then the
 * slot is free. Returns how many.
 */
unsigned int fe_slots_reap(struct fe_slots *s, uint64_t upto,
			   void (*cb)(uint16_t slot,
				      const struct fe_slot_info *info,
				      void *arg),
			   void *arg);
/* Every live and retired slot, in slot order. */
void fe_slots_foreach(const struct fe_slots *s,
		      void (*cb)(uint16_t slot, const struct fe_slot_info *info,
				 void *arg),
		      void *arg);
const struct fe_slot_info *fe_slots_get(const struct fe_slots *s,
					uint16_t slot);
uint32_t fe_slots_used(const struct fe_slots *s);

#endif /* FE_SLOTS_H */
