/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Policy generations: how a new policy set reaches the datapath without
 * a moment in which a packet sees no policy or half of one. Two sets of
 * policy tries and prefilter masks; the datapath reads the one that
 * fe_config.policy_gen names. A change empties and fills the other one,
 * then switches policy_gen with one map write.
 *
 * Plain libbpf (no FRR): the datapath test drives the same code.
 */
#ifndef EBPF_POLGEN_H
#define EBPF_POLGEN_H

#include "frr_ebpf_abi.h"
#include "fe_polmask.h"

struct ebpf_polgen_maps {
	int trie4[2]; /* fe_policy4_v1, fe_pol4_g1_v1 */
	int trie6[2]; /* fe_policy6_v1, fe_pol6_g1_v1 */
	int mask;     /* fe_polmask_v2 */
	int config;   /* fe_config_v2 */
};

struct bpf_object;
/* The maps of a loaded fast-path object, by their ABI names. 0 or
 * -ENOENT.
 */
int ebpf_polgen_maps_of(struct bpf_object *obj, struct ebpf_polgen_maps *m);

/*
 * Start a new generation: the one the datapath does not read. Waits
 * until no program can still be reading it (it was the live one before
 * the last switch), then empties its tries. Returns it (0 or 1), or
 * -errno.
 */
int ebpf_polgen_begin(const struct ebpf_polgen_maps *m);

/*
 * Publish generation gen, whose tries the caller has filled: its masks
 * (mask[0] IPv4, mask[1] IPv6) first, then cfg with policy_gen = gen in
 * one write. 0 or -errno (then the datapath still reads the old one).
 */
int ebpf_polgen_publish(const struct ebpf_polgen_maps *m, int gen,
			const struct fe_polmask mask[2], struct fe_config *cfg);

#endif /* EBPF_POLGEN_H */
