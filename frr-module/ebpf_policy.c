// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Policy overrides and ECMP settings into the fast path's maps.
 *
 * The configured set is the truth; the maps are rewritten from it after
 * every change (policies are few), into the policy generation the
 * datapath does not read, then switched to (ebpf_polgen.h): a
 * half-applied change is never seen.
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
#include "ebpf_polgen.h"
#include "ebpf_kstate.h"
#include "ebpf_policy.h"
#include "fe_fwd.skel.h"

static struct fe_policy_set *policies;

enum internal_state {
	INT_NO_FASTPATH,
	INT_INSTALLED,
	INT_OPERATOR,
	INT_HIJACK,
	INT_NO_ROUTE,
	INT_NO_ROOM,
};

static const char *const internal_state_names[] = {
	[INT_NO_FASTPATH] = "noFastPath",
	[INT_INSTALLED] = "installed",
	[INT_OPERATOR] = "operatorPolicy",
	[INT_HIJACK] = "hijackMitigation",
	[INT_NO_ROUTE] = "noCoveringRoute",
	[INT_NO_ROOM] = "noRoom",
};

struct internal {
	struct fe_prefix dst;
	enum ebpf_internal_owner owner;
	enum fe_policy_action action;
	uint32_t nhg_id;
	uint32_t id; /* counter slot, UINT32_MAX without one */
	enum internal_state state;
};

/* Few (bounded by the policy tries): a plain array. */
static struct {
	struct internal e[FE_POLICIES_MAX];
	size_t n;
	bool dirty;
} internals;

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


static bool same_dst(const struct fe_prefix *a, const struct fe_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

static struct internal *internal_find(enum ebpf_internal_owner owner,
				      const struct fe_prefix *dst)
{
	for (size_t i = 0; i < internals.n; i++)
		if (internals.e[i].owner == owner &&
		    same_dst(&internals.e[i].dst, dst))
			return &internals.e[i];
	return NULL;
}

int ebpf_internal_set(enum ebpf_internal_owner owner,
		      const struct fe_prefix *dst, enum fe_policy_action action,
		      uint32_t nhg_id)
{
	struct internal *e = internal_find(owner, dst);

	if (e) {
		if (e->action != action || e->nhg_id != nhg_id)
			internals.dirty = true;
		e->action = action;
		e->nhg_id = nhg_id;
		return 0;
	}
	if (internals.n == FE_POLICIES_MAX)
		return -ENOSPC;
	e = &internals.e[internals.n++];
	*e = (struct internal){ .dst = *dst, .owner = owner,
				.action = action, .nhg_id = nhg_id,
				.id = UINT32_MAX, .state = INT_NO_FASTPATH };
	/* No slot left: kept (and shown) as noRoom, not installed. */
	if (fe_policy_reserve_id(policies, &e->id))
		e->id = UINT32_MAX;
	internals.dirty = true;
	return 0;
}

static void internal_remove(size_t i)
{
	if (internals.e[i].id != UINT32_MAX)
		fe_policy_release_id(policies, internals.e[i].id);
	internals.e[i] = internals.e[--internals.n];
	internals.dirty = true;
}

void ebpf_internal_del(enum ebpf_internal_owner owner,
		       const struct fe_prefix *dst)
{
	struct internal *e = internal_find(owner, dst);

	if (e)
		internal_remove(e - internals.e);
}

void ebpf_internal_del_all(enum ebpf_internal_owner owner)
{
	for (size_t i = internals.n; i-- > 0;)
		if (internals.e[i].owner == owner)
			internal_remove(i);
}

const char *ebpf_internal_state(enum ebpf_internal_owner owner,
				const struct fe_prefix *dst)
{
	const struct internal *e = internal_find(owner, dst);

	return e ? internal_state_names[e->state] : NULL;
}

uint32_t ebpf_internal_nhg(enum ebpf_internal_owner owner,
			   const struct fe_prefix *dst)
{
	const struct internal *e = internal_find(owner, dst);

	return e ? e->nhg_id : 0;
}

size_t ebpf_internal_count(void)
{
	return internals.n;
}

bool ebpf_internal_lookup(const struct fe_prefix *addr,
			  struct ebpf_internal_match *out)
{
	const struct internal *best = NULL;

	for (size_t i = 0; i < internals.n; i++) {
		const struct internal *e = &internals.e[i];
		struct fe_prefix masked;

		if (e->state != INT_INSTALLED ||
		    e->dst.family != addr->family ||
		    fe_prefix_set(&masked, addr->family, addr->addr, e->dst.len) ||
		    memcmp(masked.addr, e->dst.addr, sizeof(masked.addr)))
			continue;
		if (!best || e->dst.len > best->dst.len)
			best = e;
	}
	if (!best)
		return false;
	out->dst = best->dst;
	out->owner = best->owner;
	out->action = best->action;
	out->nhg_id = best->nhg_id;
	return true;
}

void ebpf_internal_commit(void)
{
	if (internals.dirty)
		ebpf_policy_sync();
}

/* Decide, before writing, which internal entries go into the tries. */
static void internal_states(bool loaded)
{
	for (size_t i = 0; i < internals.n; i++) {
		struct internal *e = &internals.e[i];
		const struct fe_policy *op = fe_policy_find_dst(policies, &e->dst);

		if (op && fe_policy_complete(op))
			e->state = INT_OPERATOR;
		else if (e->owner == EBPF_INTERNAL_FLAP &&
			 internal_find(EBPF_INTERNAL_HIJACK, &e->dst))
			e->state = INT_HIJACK;
		else if (e->action == FE_POL_NHG && !e->nhg_id)
			e->state = INT_NO_ROUTE;
		else if (e->id == UINT32_MAX)
			e->state = INT_NO_ROOM;
		else
			e->state = loaded ? INT_INSTALLED : INT_NO_FASTPATH;
	}
	internals.dirty = false;
}

/* Write the internal entries marked installed, marking them in the
 * prefilter masks ([0] IPv4, [1] IPv6); returns how many.
 */
static unsigned int internal_write(int fd4, int fd6, struct fe_polmask *mask)
{
	unsigned int n = 0;

	for (size_t i = 0; i < internals.n; i++) {
		struct internal *e = &internals.e[i];
		struct fe_policy p = { .has_match = true, .dst = e->dst,
				       .has_action = true, .action = e->action,
				       .nhg_id = e->nhg_id, .id = e->id };
		union fe_route_key key;
		struct fe_policy_val val;
		size_t keylen;

		if (e->state != INT_INSTALLED)
			continue;
		if (fe_policy_encode(&p, 0, &key, &keylen, &val) ||
		    bpf_map_update_elem(e->dst.family == AF_INET ? fd4 : fd6,
					&key, &val, BPF_ANY)) {
			e->state = INT_NO_ROOM;
			continue;
		}
		fe_polmask_add(&mask[e->dst.family == AF_INET ? 0 : 1],
			       e->dst.addr, e->dst.len);
		n++;
	}
	return n;
}

void ebpf_policy_sync(void)
{
	struct fe_fwd *skel = ebpf_fastpath_skel();
	struct fe_config cfg = {};
	struct fe_polmask *mask; /* [0] IPv4, [1] IPv6 */
	struct ebpf_polgen_maps maps;
	const char *why;
	size_t i, n;
	int fd4, fd6, gen, ret;

	if (!policies)
		return;
	internal_states(skel != NULL);
	if (!skel)
		return;
	if (ebpf_polgen_maps_of(skel->obj, &maps)) {
		flog_err(EC_EBPF_CONFIG,
			 "ebpf: policies not updated: the fast path has no policy maps");
		return;
	}

	/*
	 * The new set goes into the generation the datapath does not read,
	 * then one write switches to it: a packet sees the old set or the
	 * new one, never none (a drop policy is never off in between).
	 */
	gen = ebpf_polgen_begin(&maps);
	if (gen < 0) {
		flog_err(EC_EBPF_CONFIG,
			 "ebpf: policies and settings not updated: %s",
			 strerror(-gen));
		return;
	}
	fd4 = maps.trie4[gen];
	fd6 = maps.trie6[gen];
	cfg.ecmp_algo = ebpf_ecmp.algo;
	cfg.hash_l4 = ebpf_ecmp.hash_l4;
	cfg.seed = ebpf_ecmp.seed;
	cfg.direct4 = strcmp(ebpf_ipv4_lookup(&why), "direct") == 0;

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
	cfg.npolicies += internal_write(fd4, fd6, mask);
	ret = ebpf_polgen_publish(&maps, gen, mask, &cfg);
	XFREE(MTYPE_TMP, mask);
	if (ret) {
		flog_err(EC_EBPF_CONFIG,
			 "ebpf: policies and settings not switched, the previous ones stay: %s",
			 strerror(-ret));
		return;
	}
	if (IS_EBPF_DEBUG(DATAPATH))
		zlog_debug("ebpf: settings: %u policies (generation %d), ecmp %s, hash %s seed %u, ipv4 lookup %s",
			   cfg.npolicies, gen, ebpf_ecmp_algo_str(cfg.ecmp_algo),
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
