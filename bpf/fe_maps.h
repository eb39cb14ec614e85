/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Map definitions shared by BPF objects: the mirror (routes and nexthop
 * groups), which the mirror object creates and the fast path reuses. One
 * definition, so the two objects can never disagree on a layout.
 */
#ifndef FE_MAPS_H
#define FE_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "frr_ebpf_abi.h"
#include "fe_lpm6.h"
#include "fe_ecmp.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FE_ROUTE4_MAX_DEFAULT);
	__type(key, struct fe_lpm4_key);
	__type(value, struct fe_route_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_route4_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FE_ROUTE6_MAX_DEFAULT);
	__type(key, struct fe_lpm6_key);
	__type(value, struct fe_route_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_route6_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FE_NHG_MAX_DEFAULT);
	__type(key, __u32);
	__type(value, struct fe_nhg_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_nhg_v1 SEC(".maps");

/* Per-path forwarding counters of the groups (see FE_MAP_PATHSTATS). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FE_PATHSTATS_ENTRIES);
	__type(key, __u32);
	__type(value, struct fe_fwd_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_pathstats_v1 SEC(".maps");

/* What retired slots counted, by (nexthop, group); the module's only. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FE_NHSTATS_MAX);
	__type(key, struct fe_nh_key);
	__type(value, struct fe_fwd_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_pathsums_v1 SEC(".maps");

/* Resilient slot tables by NHG id, built by the mirror (lib/fe_resilient). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FE_NHG_MAX_DEFAULT);
	__type(key, __u32);
	__type(value, struct fe_res_table);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_nhgres_v1 SEC(".maps");

/*
 * The routes again as multibit tries (lib/fe_lpm6, bpf/fe_lpm6.h), so
 * that the fast path's route lookup costs the same at 1k and 1M routes:
 * IPv4 16-8-8, IPv6 16 then 8 at a time. Written by the mirror through
 * mmap; the group arrays start small and grow with the table. The entry
 * value: the NHG id of a unicast route (< FE_TBL_NONUNICAST),
 * FE_TBL_NONUNICAST | kind otherwise, FE_TBL_LPM where the LPM trie must
 * be asked (an id too large for 24 bits).
 */
FE_LPM6_ARRAY(FE_LPM6_TOP_VALUES,
	      __uint(pinning, LIBBPF_PIN_BY_NAME);) fe_l4_top_v1 SEC(".maps");
FE_LPM6_GROUPS(__uint(pinning, LIBBPF_PIN_BY_NAME);) fe_l4_grp_v1 SEC(".maps");

/* Key 0: 1 when the IPv4 table is complete and may be used. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_l4_state_v1 SEC(".maps");

FE_LPM6_ARRAY(FE_LPM6_TOP_VALUES,
	      __uint(pinning, LIBBPF_PIN_BY_NAME);) fe_l6_top_v1 SEC(".maps");
FE_LPM6_GROUPS(__uint(pinning, LIBBPF_PIN_BY_NAME);) fe_l6_grp_v2 SEC(".maps");

/* Key 0: 1 when the IPv6 table is complete and may be used. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_l6_state_v1 SEC(".maps");

#endif /* FE_MAPS_H */
