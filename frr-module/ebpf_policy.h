/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Policy overrides and ECMP settings: the configured state (lib/fe_policy
 * validates it) and its installation in the fast path's maps. Main thread.
 */
#ifndef EBPF_POLICY_H
#define EBPF_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "fe_policy.h"

void ebpf_policy_init(void);
void ebpf_policy_fini(void);

struct fe_policy_set *ebpf_policies(void);

/* Write every policy and the ECMP settings into the fast path's maps
 * (called when the programs are loaded, and after each change).
 */
void ebpf_policy_sync(void);

struct ebpf_ecmp_cfg {
	enum fe_ecmp_algo algo;
	bool hash_l4;
	bool seed_set;
	uint32_t seed;
	bool ipv4_fib; /* `ebpf ipv4-lookup fib`: never the direct path */
};

/* The IPv4 lookup in use: "direct" or "fib", and why not direct. */
const char *ebpf_ipv4_lookup(const char **why);

extern struct ebpf_ecmp_cfg ebpf_ecmp;
const char *ebpf_ecmp_algo_str(enum fe_ecmp_algo a);
int ebpf_ecmp_algo_parse(const char *word);

/* Packets and bytes a policy has matched, summed over CPUs. */
int ebpf_policy_stats(uint32_t id, uint64_t *packets, uint64_t *bytes);

#endif /* EBPF_POLICY_H */
