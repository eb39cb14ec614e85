/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-path counters of the nexthop groups (FE_MAP_PATHSTATS): the slot
 * each group counts in, and the harvest of retired slots into
 * FE_MAP_PATHSUMS. Called by the mirror with its lock held.
 */
#ifndef EBPF_PATHSTATS_H
#define EBPF_PATHSTATS_H

#include <stdbool.h>
#include <stdint.h>

#include "frr_ebpf_abi.h"

/* Maps of the mirror; adopted: pinned maps of an earlier zebra. */
int ebpf_pathstats_open(int stats_fd, int sums_fd, int nhg_fd, bool adopted);
void ebpf_pathstats_close(void);

/* A slot for group id about to be written with v (0: none). */
uint16_t ebpf_pathstats_take(uint32_t id, const struct fe_nhg_val *v);
/* The write of slot failed: never published. */
void ebpf_pathstats_drop(uint16_t slot);
/* Group id now counts in slot: its earlier slots retire. */
void ebpf_pathstats_published(uint32_t id, uint16_t slot);
/* Group id is gone: all its slots retire. */
void ebpf_pathstats_release(uint32_t id);
/* Harvest and free the slots retired before the last grace period. */
void ebpf_pathstats_reap(void);

/* Every count by (nexthop, group): live and retired slots, harvests. */
void ebpf_pathstats_foreach(void (*cb)(const struct fe_nh_key *k,
				       uint64_t packets, uint64_t bytes,
				       void *arg),
			    void *arg);
void ebpf_pathstats_clear(void);

#endif /* EBPF_PATHSTATS_H */
