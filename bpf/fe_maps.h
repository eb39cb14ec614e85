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

#endif /* FE_MAPS_H */
