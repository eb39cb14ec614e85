/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the fast path forwarded per nexthop and per nexthop group, summed
 * over CPUs from its one per-(group, nexthop) counter map.
 */
#ifndef EBPF_FWDSTATS_H
#define EBPF_FWDSTATS_H

#include <stdint.h>

#include "frr_ebpf_abi.h"

/* Per nexthop (k->nhg_id is ignored), per group; 0 or -ENOENT. */
int ebpf_fastpath_nh_stats(const struct fe_nh_key *k, uint64_t *packets,
			   uint64_t *bytes);
int ebpf_fastpath_nhg_stats(uint32_t nhg_id, uint64_t *packets,
			    uint64_t *bytes);
/* Every nexthop with counters (callback returns non-zero to stop). */
int ebpf_fastpath_nh_foreach(int (*cb)(const struct fe_nh_key *k,
				       uint64_t packets, uint64_t bytes,
				       void *arg),
			     void *arg);
/* Zero them (the entries are dropped; they come back with traffic). */
/* A show command starts: its figures are read anew. */
void ebpf_fwdstats_begin(void);
void ebpf_fwdstats_clear(void);

#endif /* EBPF_FWDSTATS_H */
