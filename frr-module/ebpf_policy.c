// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Policy overrides and ECMP settings into the fast path's maps.
 *
 * The configured set is the truth; the maps are rewritten from it after
 * every change (policies are few), so a half-applied change can never
 * stay in the datapath.
 */
#include "lib/zebra.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/if.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/vrf.h"

#include "ebpf_debug.h"
#include "ebpf_errors.h"
#include "ebpf_fastpath.h"
#include "ebpf_maputil.h"
#include "ebpf_kstate.h"
#include "ebpf_policy.h"
#include "fe_fwd.skel.h"

static struct fe_policy_set *policies;

struct ebpf_ecmp_cfg ebpf_ecmp = { .algo = FE_ECMP_KERNEL, .hash_l4 = true };

static const char *const algo_names[] = {
	[FE_ECMP_KERNEL] = "kernel",
	[FE_ECMP_HASH_THRESHOLD] = "hash-threshold",
	[FE_ECMP_WEIGHTED] = "weighted",
	[FE_ECMP_RESILIENT] = "resilient",
};

const char *ebpf_ecmp_algo_str(enum fe_ecmp_algo a)
{
	return a < array_size(algo_names) ? algo_names[a] : "?";
}

int ebpf_ecmp_algo_parse(const char *word)
{
	for (size_t i = 0; i < array_size(algo_names); i++)
		if (strcmp(word, algo_names[i]) == 0)
			return i;
	return -1;
}

const char *ebpf_ipv4_lookup(const char **why)
{
	*why = NULL;
	if (ebpf_ecmp.ipv4_fib) {
		*why = "configured: ebpf ipv4-lookup fib";
		return "fib";
	}
	if (!ebpf_fastpath_skel()) {
		*why = "the fast path is not loaded";
		return "fib";
	}
	return ebpf_kstate_direct_ok(why) ? "direct" : "fib";
}

void ebpf_policy_init(void)
{
	policies = fe_policy_set_new();
}

void ebpf_policy_fini(void)
{
	fe_policy_set_free(policies);
	policies = NULL;
}

struct fe_policy_set *ebpf_policies(void)
{
	return policies;
}


void ebpf_policy_sync(void)
{
	struct fe_fwd *skel = ebpf_fastpath_skel();
	struct fe_config cfg = {};
	struct fe_polmask *mask; /* [0] IPv4, [1] IPv6 */
	uint32_t zero = 0;
	size_t i, n;
	int fd4, fd6;

	if (!skel || !policies)
		return;
	fd4 = bpf_map__fd(skel->maps.fe_policy4_v1);
	fd6 = bpf_map__fd(skel->maps.fe_policy6_v1);

	/*
	 * Stop the datapath from looking first, then rewrite the tries,
	 * then publish the new count: a reader sees the old set, no set,
	 * or the new set, never a mix with a stale source filter.
	 */
	cfg.ecmp_algo = ebpf_ecmp.algo;
	cfg.hash_l4 = ebpf_ecmp.hash_l4;
	cfg.seed = ebpf_ecmp.seed;
	cfg.npolicies = 0;
	{
		const char *why;

		cfg.direct4 = strcmp(ebpf_ipv4_lookup(&why), "direct") == 0;
	}
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_config_v2), &zero, &cfg,
			    BPF_ANY);
	ebpf_map_clear(fd4, sizeof(struct fe_lpm4_key));
	ebpf_map_clear(fd6, sizeof(struct fe_lpm6_key));

	mask = XCALLOC(MTYPE_TMP, 2 * sizeof(*mask));
	n = fe_policy_count(policies);
	for (i = 0; i < n; i++) {
		const struct fe_policy *p = fe_policy_at(policies, i);
		uint32_t ingress = 0;
		union fe_route_key key;
		struct fe_policy_val val;
		size_t keylen;

		if (!fe_policy_complete(p))
			continue;
		if (p->ingress[0]) {
			struct interface *ifp =
				if_lookup_by_name(p->ingress, VRF_DEFAULT);

			/* A missing interface matches nothing, yet. */
			ingress = ifp && ifp->ifindex != IFINDEX_INTERNAL
					  ? (uint32_t)ifp->ifindex
					  : UINT32_MAX;
		}
		if (fe_policy_encode(p, ingress, &key, &keylen, &val))
			continue;
		if (bpf_map_update_elem(p->dst.family == AF_INET ? fd4 : fd6,
					&key, &val, BPF_ANY)) {
			flog_err(EC_EBPF_CONFIG,
				 "ebpf: policy %s not installed: %s", p->name,
				 strerror(errno));
			continue;
		}
		fe_polmask_add(&mask[p->dst.family == AF_INET ? 0 : 1],
			       p->dst.addr, p->dst.len);
		cfg.npolicies++;
	}
	/* the prefilter before the count: no policy is skipped once seen */
	for (uint32_t fam = 0; fam < 2; fam++)
		bpf_map_update_elem(bpf_map__fd(skel->maps.fe_polmask_v1), &fam,
				    &mask[fam], BPF_ANY);
	XFREE(MTYPE_TMP, mask);
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_config_v2), &zero, &cfg,
			    BPF_ANY);
	if (IS_EBPF_DEBUG(DATAPATH))
		zlog_debug("ebpf: settings: %u policies, ecmp %s, hash %s seed %u, ipv4 lookup %s",
			   cfg.npolicies, ebpf_ecmp_algo_str(cfg.ecmp_algo),
			   cfg.hash_l4 ? "l3-l4" : "l3", cfg.seed,
			   cfg.direct4 ? "direct" : "fib");
}

int ebpf_policy_stats(uint32_t id, uint64_t *packets, uint64_t *bytes)
{
	struct fe_fwd *skel = ebpf_fastpath_skel();
	int ncpu = libbpf_num_possible_cpus();
	struct fe_policy_stats *pc;

	*packets = *bytes = 0;
	if (!skel || ncpu <= 0)
		return -ENOTCONN;
	pc = XCALLOC(MTYPE_TMP, sizeof(*pc) * ncpu);
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.fe_polstats_v1), &id,
				pc) == 0) {
		for (int c = 0; c < ncpu; c++) {
			*packets += pc[c].packets;
			*bytes += pc[c].bytes;
		}
	}
	XFREE(MTYPE_TMP, pc);
	return 0;
}
