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

/*
 * Entries the module installs on its own (detection mitigations): written
 * to the policy tries after the operator's policies, never shown as or
 * written back as policies. An operator policy on the same destination
 * wins, then a hijack mitigation over a flap one. Changes are applied by
 * ebpf_internal_commit() (one rewrite of the tries per batch).
 */
enum ebpf_internal_owner {
	EBPF_INTERNAL_HIJACK, /* forward a suspicious more-specific by the
			       * protected route's group */
	EBPF_INTERNAL_FLAP,   /* a flapping prefix goes to the kernel */
};

int ebpf_internal_set(enum ebpf_internal_owner owner,
		      const struct fe_prefix *dst, enum fe_policy_action action,
		      uint32_t nhg_id);
void ebpf_internal_del(enum ebpf_internal_owner owner,
		       const struct fe_prefix *dst);
void ebpf_internal_del_all(enum ebpf_internal_owner owner);
/*
 * What became of an entry, for show: "installed", "noFastPath",
 * "operatorPolicy" (yields to it), "hijackMitigation" (yields to it),
 * "noCoveringRoute" (no group to forward by, yet), "noRoom"; NULL if the
 * module holds no such entry.
 */
const char *ebpf_internal_state(enum ebpf_internal_owner owner,
				const struct fe_prefix *dst);
/* Nexthop group of an entry (0 if none). */
uint32_t ebpf_internal_nhg(enum ebpf_internal_owner owner,
			   const struct fe_prefix *dst);
size_t ebpf_internal_count(void);
void ebpf_internal_commit(void);

/* An installed entry as the fast path finds it (for show ebpf route). */
struct ebpf_internal_match {
	struct fe_prefix dst;
	enum ebpf_internal_owner owner;
	enum fe_policy_action action;
	uint32_t nhg_id;
};

/* The installed entry covering addr with the longest destination; false
 * if none.
 */
bool ebpf_internal_lookup(const struct fe_prefix *addr,
			  struct ebpf_internal_match *out);

/* Packets and bytes a policy has matched, summed over CPUs. */
int ebpf_policy_stats(uint32_t id, uint64_t *packets, uint64_t *bytes);

#endif /* EBPF_POLICY_H */
