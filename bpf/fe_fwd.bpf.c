// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fast path: forward IPv4/IPv6 by the kernel's FIB (bpf_fib_lookup),
 * rewrite MACs, decrement TTL/hop limit, redirect. One shared body, two
 * thin entry points (XDP, TC). Whatever it cannot finish exactly as Linux
 * would goes to the kernel untouched, counted by reason.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "frr_ebpf_abi.h"
#include "fe_maps.h"
#include "fe_parse.h"
#include "fe_ecmp.h"
#include "fe_polmask.h"

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, FE_IFSTATS_MAX);
	__type(key, __u32);
	__type(value, struct fe_if_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_ifstats_v1 SEC(".maps");

/*
 * XDP egress ports: interfaces whose fast path can take a redirect. Pinned
 * by the loader, not by libbpf: the kernel adds BPF_F_RDONLY_PROG to a
 * devmap, so libbpf's reuse check would refuse the pinned map.
 */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, FE_IFSTATS_MAX);
	__type(key, __u32);
	__type(value, __u32);
} fe_txports_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FE_VLANS_MAX);
	__type(key, struct fe_vlan_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_vlanin_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FE_VLANS_MAX);
	__type(key, __u32);
	__type(value, struct fe_vlan_out);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_vlanout_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fe_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_config_v2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FE_POLICIES_MAX);
	__type(key, struct fe_lpm4_key);
	__type(value, struct fe_policy_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_policy4_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FE_POLICIES_MAX);
	__type(key, struct fe_lpm6_key);
	__type(value, struct fe_policy_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_policy6_v1 SEC(".maps");

/* Generation 1 of the policy tries (fe_config.policy_gen). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FE_POLICIES_MAX);
	__type(key, struct fe_lpm4_key);
	__type(value, struct fe_policy_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_pol4_g1_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FE_POLICIES_MAX);
	__type(key, struct fe_lpm6_key);
	__type(value, struct fe_policy_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_pol6_g1_v1 SEC(".maps");

/* Key FE_POLMASK_KEY(generation, IPv6) (bpf/fe_polmask.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct fe_polmask);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_polmask_v2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FE_POLICIES_MAX);
	__type(key, __u32);
	__type(value, struct fe_policy_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_polstats_v1 SEC(".maps");

/* Per-CPU scratch: a group copy with excluded paths marked down. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fe_nhg_val);
} fe_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, FE_EVENTS_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_events_v1 SEC(".maps");

/* Per-CPU rate limit of events: the second and the count in it. */
struct fe_ev_limit {
	__u64 second;
	__u32 count;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fe_ev_limit);
} fe_evlimit SEC(".maps");

/* LRU: a nexthop that no longer carries traffic ages out by itself. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, FE_NHSTATS_MAX);
	__type(key, struct fe_nh_key);
	__type(value, struct fe_fwd_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_nhstats_v2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FE_NEIGH_MAX);
	__type(key, struct fe_neigh_key);
	__type(value, struct fe_neigh_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_neigh_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FE_LOCAL_MAX);
	__type(key, __u32);
	__type(value, __u8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_local4_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fe_localmask);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_localmask_v2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FE_IFINFO_SLOTS);
	__type(key, __u32);
	__type(value, struct fe_ifinfo);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_ifinfo_v3 SEC(".maps");

/* The record of ifindex, or NULL (none, or another one in its slot). */
static __always_inline struct fe_ifinfo *fe_ifinfo(__u32 ifindex)
{
	__u32 slot = ifindex & (FE_IFINFO_SLOTS - 1);
	struct fe_ifinfo *ii = bpf_map_lookup_elem(&fe_ifinfo_v3, &slot);

	return ii && ii->ifindex == ifindex ? ii : NULL;
}

/*
 * Is addr (network order) one of the router's own IPv4 addresses or a
 * subnet's broadcast? The /16 prefilter spares most packets the hash
 * lookup; until the module has written it, every packet looks.
 */
static __always_inline bool fe_local4(__u32 addr)
{
	struct fe_localmask *lm;
	__u32 zero = 0;

	lm = bpf_map_lookup_elem(&fe_localmask_v2, &zero);
	if (lm && lm->ready && !fe_localmask_test(lm, (const __u8 *)&addr))
		return false;
	return bpf_map_lookup_elem(&fe_local4_v1, &addr) != NULL;
}

static __always_inline bool fe_mac_eq(const __u8 *a, const __u8 *b)
{
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) |
		(a[3] ^ b[3]) | (a[4] ^ b[4]) | (a[5] ^ b[5])) == 0;
}

/* The 16-bit ones' complement sum of a 64-bit accumulator. */
static __always_inline __u16 fe_csum_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/*
 * Does the TCP/UDP checksum field hold only the pseudo-header sum, as a
 * sender with checksum offload leaves it (CHECKSUM_PARTIAL, "finish me"
 * in the skb, which native XDP on a veth never sees)? Then only the
 * kernel can deliver the packet intact. A finished checksum that
 * happens to equal that sum (1 in 65536) goes to the kernel as well,
 * which costs it the fast path, never correctness.
 */
static __always_inline bool fe_csum_partial(struct xdp_md *ctx,
					    const struct fe_pkt *p)
{
	__u32 off = p->l4_off + (p->l4_proto == IPPROTO_TCP ? 16 : 6);
	__u16 field;
	__u32 l4len;
	__u64 sum;

	if (!p->l4_off || bpf_xdp_load_bytes(ctx, off, &field, sizeof(field)))
		return false;
	if (p->v4) {
		l4len = p->l3_len - sizeof(struct iphdr);
		sum = (__u64)p->ip4->saddr + p->ip4->daddr;
	} else if (p->ip6) {
		const __u32 *s = p->ip6->saddr.in6_u.u6_addr32;
		const __u32 *d = p->ip6->daddr.in6_u.u6_addr32;

		l4len = p->l3_len - sizeof(struct ipv6hdr);
		sum = (__u64)s[0] + s[1] + s[2] + s[3] + d[0] + d[1] + d[2] +
		      d[3];
	} else {
		return false;
	}
	sum += bpf_htons((__u16)p->l4_proto) + bpf_htons((__u16)l4len);
	return field == fe_csum_fold(sum);
}

/*
 * What Linux would not forward whatever the route, checked before any
 * lookup: a frame for another MAC (PACKET_OTHERHOST: the kernel's mark
 * in TC, the ingress interface's MAC in XDP), a partial checksum native
 * XDP cannot finish, a source that is the router's own. FE_OK or the
 * reason to hand the packet to the kernel.
 */
static __always_inline int fe_ingress_check(void *ctx, struct fe_pkt *p,
					    __u32 ifindex, __u32 l3if, bool xdp)
{
	if (xdp) {
		struct fe_ifinfo *in = fe_ifinfo(ifindex);
		struct fe_ifinfo *vin;

		if (!in)
			return FE_PASS_IF_UNKNOWN;
		if (!fe_mac_eq(p->eth->h_dest, in->mac)) {
			/* a VLAN interface may have a MAC of its own */
			vin = p->tagged ? fe_ifinfo(l3if) : NULL;
			if (!vin || !fe_mac_eq(p->eth->h_dest, vin->mac))
				return FE_PASS_OTHERHOST;
		}
		if ((in->flags & FE_IF_CSUM_GUARD) && fe_csum_partial(ctx, p))
			return FE_PASS_CSUM_PARTIAL;
	} else if (p->otherhost) {
		return FE_PASS_OTHERHOST;
	}
	if (p->v4 && fe_local4(p->ip4->saddr))
		return FE_PASS_MARTIAN_SRC;
	return FE_OK;
}

/* FE_ACT_FWD_NEIGH: TC only: the kernel's neighbour layer resolves L2
 * (bpf_redirect_neigh), so a packet waiting for ARP/ND is not punted.
 */
enum fe_action { FE_ACT_PASS, FE_ACT_DROP, FE_ACT_FWD, FE_ACT_FWD_NEIGH };

struct fe_verdict {
	enum fe_action action;
	__u32 reason;    /* fe_pass_reason or fe_drop_reason */
	__u32 oif;       /* device to send on (a VLAN's parent) */
	__u16 out_vid;   /* tag to send with, 0 for none */
	__be16 l3_proto; /* ETH_P_IP or ETH_P_IPV6, network order */
	__u8 dmac[ETH_ALEN];
	__u8 smac[ETH_ALEN];
	struct fe_nh_key nh; /* the nexthop forwarded to, and its group */
	__u32 stats_key; /* its counters in fe_pathstats_v1; 0: fe_nhstats_v2 */
};

/* ip_decrease_ttl(): incremental checksum update, as the kernel does. */
static __always_inline void fe_ip4_dec_ttl(struct iphdr *ip)
{
	__u32 check = ip->check;

	check += bpf_htons(0x0100);
	ip->check = (__u16)(check + (check >= 0xFFFF));
	ip->ttl--;
}

/*
 * Write the new L2 header (MACs, tag or none) at data, whose room has
 * been made already, and decrement TTL/hop limit in the L3 header after
 * it. Returns 0, or -1 if the frame is too short (cannot happen after a
 * successful parse, but the verifier wants the check).
 */
static __always_inline int fe_rewrite(void *data, void *data_end,
				      const struct fe_verdict *v, bool tag)
{
	struct ethhdr *eth = data;
	void *l3 = eth + 1;

	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(eth->h_dest, v->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, v->smac, ETH_ALEN);
	if (tag) {
		struct fe_vlan_hdr *vh = l3;

		if ((void *)(vh + 1) > data_end)
			return -1;
		eth->h_proto = bpf_htons(ETH_P_8021Q);
		vh->tci = bpf_htons(v->out_vid); /* PCP 0, as Linux by default */
		vh->proto = v->l3_proto;
		l3 = vh + 1;
	} else {
		eth->h_proto = v->l3_proto;
	}
	if (v->l3_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > data_end)
			return -1;
		fe_ip4_dec_ttl(ip);
	} else {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		ip6->hop_limit--;
	}
	return 0;
}

static __always_inline int fe_fib_pass_reason(int rc)
{
	switch (rc) {
	case BPF_FIB_LKUP_RET_NOT_FWDED:
		return FE_PASS_NOT_FORWARDED;
	case BPF_FIB_LKUP_RET_UNREACHABLE:
	case BPF_FIB_LKUP_RET_PROHIBIT:
		return FE_PASS_NO_ROUTE;
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		return FE_PASS_NO_NEIGH;
	case BPF_FIB_LKUP_RET_FRAG_NEEDED:
		return FE_PASS_MTU;
	case BPF_FIB_LKUP_RET_FWD_DISABLED:
		return FE_PASS_FWD_DISABLED;
	}
	return FE_PASS_OTHER;
}

static __always_inline bool fe_addr_eq(const __u8 *a, const __u8 *b,
				       int len)
{
	for (int i = 0; i < 16; i++) {
		if (i >= len)
			break;
		if (a[i] != b[i])
			return false;
	}
	return true;
}

/* addr within prefix/len (len in bits, at most 128). */
static __always_inline bool fe_in_prefix(const __u8 *addr, const __u8 *pfx,
					 __u32 len)
{
	for (int i = 0; i < 16; i++) {
		__u32 bits = len > (__u32)i * 8 ? len - i * 8 : 0;
		__u8 mask;

		if (bits == 0)
			break;
		mask = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));
		if ((addr[i] ^ pfx[i]) & mask)
			return false;
	}
	return true;
}

/* The source address in a 16-byte buffer (IPv4 in the first 4 bytes). */
static __always_inline void fe_src(const struct fe_pkt *p, __u8 *buf)
{
	__builtin_memset(buf, 0, 16);
	if (p->v4)
		__builtin_memcpy(buf, &p->ip4->saddr, 4);
	else
		__builtin_memcpy(buf, &p->ip6->saddr, 16);
}

/* Is the gateway the packet's own destination (a connected host)? */
static __always_inline __u8 fe_nh_connected(const struct fe_pkt *p,
					    const __u8 *gw)
{
	if (p->v4)
		return fe_addr_eq(gw, (const __u8 *)&p->ip4->daddr, 4);
	return p->ip6 && fe_addr_eq(gw, (const __u8 *)&p->ip6->daddr, 16);
}

/*
 * The policy for this packet, counted; NULL if none applies. Generation
 * gen of the tries and masks: the module fills the other one and then
 * switches, so a packet sees one whole policy set.
 */
static __always_inline struct fe_policy_val *
fe_policy_match(const struct fe_pkt *p, __u32 l3if, __u64 bytes, __u8 gen)
{
	struct fe_policy_val *pol;
	struct fe_policy_stats *st;
	struct fe_polmask *m;
	__u32 mk = FE_POLMASK_KEY(gen & 1, !p->v4);

	/* most packets start where no policy is: no trie walk for them */
	m = bpf_map_lookup_elem(&fe_polmask_v2, &mk);
	if (m && !fe_polmask_test(m, p->v4 ? (__u8 *)&p->ip4->daddr
					   : (__u8 *)&p->ip6->daddr))
		return NULL;
	if (p->v4) {
		struct fe_lpm4_key k = { .prefixlen = 32 };

		__builtin_memcpy(k.addr, &p->ip4->daddr, 4);
		pol = gen & 1 ? bpf_map_lookup_elem(&fe_pol4_g1_v1, &k)
			      : bpf_map_lookup_elem(&fe_policy4_v1, &k);
	} else {
		struct fe_lpm6_key k = { .prefixlen = 128 };

		__builtin_memcpy(k.addr, &p->ip6->daddr, 16);
		pol = gen & 1 ? bpf_map_lookup_elem(&fe_pol6_g1_v1, &k)
			      : bpf_map_lookup_elem(&fe_policy6_v1, &k);
	}
	if (!pol)
		return NULL;
	if (pol->ingress && pol->ingress != l3if)
		return NULL;
	if (pol->src_len) {
		__u8 src[16];

		fe_src(p, src);
		if (!fe_in_prefix(src, pol->src, pol->src_len))
			return NULL;
	}
	st = bpf_map_lookup_elem(&fe_polstats_v1, &pol->id);
	if (st) {
		st->packets++;
		st->bytes += bytes;
	}
	return pol;
}

struct fe_l6_arg {
	__u8 addr[16];
	__u32 value;
};

/* Global: the verifier checks fe_lpm6_lookup's loop once. */
__attribute__((noinline)) int fe_route6_table(struct fe_l6_arg *a)
{
	if (!a)
		return -1;
	return fe_lpm6_lookup(&fe_l6_top_v1, &fe_l6_grp_v2, a->addr, &a->value);
}

/*
 * The mirror's route for the destination: its group id, or 0. IPv4 goes
 * through the IPv4 table, IPv6 through the IPv6 table (bpf/fe_lpm6.h; costs
 * independent of the table size) once the mirror says they are complete;
 * anything the tables cannot encode asks the LPM trie.
 */
static __always_inline __u32 fe_route_nhg(const struct fe_pkt *p)
{
	struct fe_route_val *r;
	__u32 zero = 0, *ready, v;

	if (p->v4) {
		struct fe_lpm4_key k = { .prefixlen = 32 };

		ready = bpf_map_lookup_elem(&fe_l4_state_v1, &zero);
		if (ready && *ready) {
			if (fe_lpm4_lookup(&fe_l4_top_v1, &fe_l4_grp_v1,
					   bpf_ntohl(p->ip4->daddr), &v))
				return 0;
			if (v != FE_TBL_LPM)
				return v < FE_TBL_NONUNICAST ? v : 0;
		}
		__builtin_memcpy(k.addr, &p->ip4->daddr, 4);
		r = bpf_map_lookup_elem(&fe_route4_v1, &k);
	} else {
		struct fe_lpm6_key k = { .prefixlen = 128 };

		ready = bpf_map_lookup_elem(&fe_l6_state_v1, &zero);
		if (ready && *ready) {
			struct fe_l6_arg a = {};

			__builtin_memcpy(a.addr, &p->ip6->daddr, 16);
			if (fe_route6_table(&a))
				return 0;
			v = a.value;
			if (v != FE_TBL_LPM)
				return v < FE_TBL_NONUNICAST ? v : 0;
		}
		__builtin_memcpy(k.addr, &p->ip6->daddr, 16);
		r = bpf_map_lookup_elem(&fe_route6_v1, &k);
	}
	if (!r || r->kind != FE_ROUTE_UNICAST)
		return 0;
	return r->nhg_id;
}

/*
 * The group scans below run over up to FE_MAX_PATHS paths. They are
 * global functions so that the verifier checks each once, on its own,
 * instead of once per path through fe_forward (which it could not finish).
 * Their arguments are small structs on the caller's stack.
 */
struct fe_sel_arg {
	struct fe_flow flow;
	__u32 seed;
	__u32 nhg_id;
	__u8 algo;
	__u8 fields;
	__u8 pad[2];
};

/*
 * Index of the path of group g (a->nhg_id, or this CPU's scratch copy of
 * it) for this flow, or -1. The caller has g already: no second lookup.
 */
__attribute__((noinline)) int fe_select(struct fe_sel_arg *a,
					struct fe_nhg_val *g)
{
	struct fe_res_table *t;
	__u32 hash;

	if (!a || !g)
		return -1;
	hash = fe_flow_hash(&a->flow, a->seed, a->fields);
	switch (a->algo) {
	case FE_ECMP_WEIGHTED:
		return fe_ecmp_weighted(hash, g);
	case FE_ECMP_RESILIENT:
		t = bpf_map_lookup_elem(&fe_nhgres_v1, &a->nhg_id);
		return t ? fe_ecmp_resilient_nhg(hash, t, g)
			 : fe_ecmp_weighted(hash, g);
	}
	return fe_ecmp_hash_threshold_nhg(hash, g);
}

struct fe_has_arg {
	__u32 nhg_id;
	__u32 ifindex;
	__u8 gw[16];   /* the kernel's choice */
	__u8 excl[16]; /* with exclude: the gateway to mark down */
	__u8 alen;
	__u8 exclude;  /* also copy the group to scratch without excl */
	__u8 pad[2];
};

/*
 * Is the kernel's choice (egress, gateway) one of the group's paths? Only
 * then is the mirror's route the one the kernel used, and ours to choose
 * in. With exclude, the scratch copy gets every path through excl marked
 * down. 1 yes, 0 no, -1 no group.
 */
__attribute__((noinline)) int fe_nhg_check(struct fe_has_arg *a)
{
	struct fe_nhg_val *g, *c = NULL;
	__u32 zero = 0, count, i;
	int found = 0;

	if (!a)
		return -1;
	g = bpf_map_lookup_elem(&fe_nhg_v1, &a->nhg_id);
	if (!g)
		return -1;
	if (a->exclude) {
		c = bpf_map_lookup_elem(&fe_scratch, &zero);
		if (!c)
			return -1;
		c->count = g->count;
		c->stats_slot = g->stats_slot; /* same paths, same counters */
		c->total_weight = 0;
	}
	count = g->count;
	for (i = 0; i < FE_MAX_PATHS; i++) {
		const struct fe_nexthop *nh = &g->nh[i];

		if (i >= count)
			break;
		if (nh->ifindex == a->ifindex &&
		    (nh->type == FE_NH_IFINDEX ||
		     fe_addr_eq(nh->addr, a->gw, a->alen)))
			found = 1;
		if (c) {
			c->nh[i] = *nh;
			if (fe_addr_eq(nh->addr, a->excl, a->alen))
				c->nh[i].weight = 0;
		}
	}
	return found;
}

/*
 * Report an event (a mirror/kernel disagreement, a neighbour to resolve):
 * rate limited per CPU, no wakeup (the module polls), never more than a
 * reservation in the ring. Global so the verifier checks it once.
 */
__attribute__((noinline)) int fe_event_mismatch(struct fe_dp_event *e)
{
	struct fe_ev_limit *lim;
	struct fe_dp_event *r;
	__u32 zero = 0;
	__u64 now, sec;

	if (!e)
		return 0;
	lim = bpf_map_lookup_elem(&fe_evlimit, &zero);
	if (!lim)
		return 0;
	now = bpf_ktime_get_ns();
	sec = now / 1000000000ULL;
	if (lim->second != sec) {
		lim->second = sec;
		lim->count = 0;
	}
	if (lim->count >= FE_EV_PER_SEC)
		return 0;
	lim->count++;
	r = bpf_ringbuf_reserve(&fe_events_v1, sizeof(*r), 0);
	if (!r)
		return 0;
	__builtin_memcpy(r, e, sizeof(*r));
	r->ts_ns = now;
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	return 1;
}

enum fe_direct {
	FE_DIRECT_FALLBACK,
	FE_DIRECT_FWD,
	FE_DIRECT_PASS, /* reason in a->reason */
	FE_DIRECT_DROP,
};

struct fe_direct_arg {
	struct fe_flow flow; /* IPv4 addresses in network order */
	__u32 l3if;
	__u32 l3_len;
	__u32 seed;
	__u8 algo;
	__u8 fields;
	__u8 exclude;   /* policy exclude: never via gateway excl */
	__u8 pad;
	__u32 force_nhg; /* policy nexthop-group: this group, no route lookup */
	__u8 excl[4];
	/* out */
	__u32 reason;
	__u32 oif;
	__u32 nhg_id;
	__u8 dmac[ETH_ALEN];
	__u8 smac[ETH_ALEN];
	__u8 gw[4];
	__u8 out_vlan; /* the egress may be a VLAN interface */
	__u8 pad2[3];
	__u32 stats_key; /* fe_pathstats_v1 index of the path, 0: none */
};

/* Per-CPU scratch of the direct path: keeps the 512-byte stack free. */
struct fe_direct_scratch {
	struct fe_direct_arg d;
	struct fe_sel_arg s;
	struct fe_has_arg h;
	struct fe_nexthop pin; /* a pin policy's path: off the stack */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fe_direct_scratch);
} fe_dscratch SEC(".maps");

/* A path of the group by the configured algorithm, or NULL. */
static __always_inline const struct fe_nexthop *
fe_choose(const struct fe_pkt *p, const struct fe_config *cfg, __u32 nhg_id,
	  bool scratch)
{
	struct fe_direct_scratch *sc;
	struct fe_sel_arg *a;
	struct fe_nhg_val *g;
	__u32 zero = 0;
	int idx;

	sc = bpf_map_lookup_elem(&fe_dscratch, &zero);
	if (!sc)
		return NULL;
	a = &sc->s;
	__builtin_memset(a, 0, sizeof(*a));
	a->flow.proto = p->l4_proto;
	a->flow.sport = p->sport;
	a->flow.dport = p->dport;
	if (p->v4) {
		a->flow.family = AF_INET;
		__builtin_memcpy(a->flow.src, &p->ip4->saddr, 4);
		__builtin_memcpy(a->flow.dst, &p->ip4->daddr, 4);
	} else {
		a->flow.family = AF_INET6;
		__builtin_memcpy(a->flow.src, &p->ip6->saddr, 16);
		__builtin_memcpy(a->flow.dst, &p->ip6->daddr, 16);
	}
	a->seed = cfg->seed;
	a->nhg_id = nhg_id;
	a->algo = cfg->ecmp_algo;
	a->fields = cfg->hash_l4 ? FE_HASH_L3L4 : FE_HASH_L3;
	g = scratch ? bpf_map_lookup_elem(&fe_scratch, &zero)
		    : bpf_map_lookup_elem(&fe_nhg_v1, &nhg_id);
	if (!g)
		return NULL;
	idx = fe_select(a, g);
	return fe_ecmp_nh(g, idx);
}

/*
 * Direct IPv4: route by the IPv4 table, L2 from the neighbour cache,
 * no bpf_fib_lookup. Everything it cannot decide exactly as the kernel
 * would (no table yet, a kind of route or path it does not handle, no
 * neighbour entry, an ECMP choice left to the kernel, a policy that
 * leaves no path) falls back to the kernel's FIB lookup, which then
 * decides as usual.
 *
 * Policies: a nexthop-group policy names the group (no route lookup, as
 * on the FIB path); an exclude policy chooses among the group's other
 * paths, in this CPU's scratch copy with the excluded gateway down.
 */
__attribute__((noinline)) int fe_direct4(struct fe_direct_arg *a)
{
	struct fe_neigh_key nk = { .family = AF_INET };
	const struct fe_nexthop *nh;
	struct fe_direct_scratch *sc;
	struct fe_neigh_val *n;
	struct fe_ifinfo *in, *out;
	struct fe_nhg_val *g;
	__u32 zero = 0, *ready, v, daddr, idx = 0;
	int i;

	if (!a)
		return FE_DIRECT_FALLBACK;
	ready = bpf_map_lookup_elem(&fe_l4_state_v1, &zero);
	if (!ready || !*ready)
		return FE_DIRECT_FALLBACK;
	__builtin_memcpy(&daddr, a->flow.dst, 4);
	v = a->force_nhg;
	if (!v) {
		/* the router's own addresses and its subnets' broadcasts */
		if (fe_local4(daddr))
			return FE_DIRECT_FALLBACK;
		if (fe_lpm4_lookup(&fe_l4_top_v1, &fe_l4_grp_v1,
				   bpf_ntohl(daddr), &v))
			return FE_DIRECT_FALLBACK; /* no route: the kernel's */
		if (v == (FE_TBL_NONUNICAST | FE_ROUTE_BLACKHOLE))
			return FE_DIRECT_DROP;
		if (v >= FE_TBL_NONUNICAST)
			return FE_DIRECT_FALLBACK; /* unreachable, trie */
	}
	a->nhg_id = v;
	g = bpf_map_lookup_elem(&fe_nhg_v1, &v);
	if (!g)
		return FE_DIRECT_FALLBACK;
	/* the kernel's own hash picks among a route's paths */
	if (g->count > 1 && a->algo == FE_ECMP_KERNEL && !a->force_nhg)
		return FE_DIRECT_FALLBACK;
	if (g->count > 1 || a->force_nhg || a->exclude) {
		sc = bpf_map_lookup_elem(&fe_dscratch, &zero);
		if (!sc)
			return FE_DIRECT_FALLBACK;
		if (a->exclude) {
			__builtin_memset(&sc->h, 0, sizeof(sc->h));
			sc->h.nhg_id = v;
			sc->h.alen = 4;
			sc->h.exclude = 1;
			__builtin_memcpy(sc->h.excl, a->excl, 4);
			if (fe_nhg_check(&sc->h) < 0)
				return FE_DIRECT_FALLBACK;
			g = bpf_map_lookup_elem(&fe_scratch, &zero);
			if (!g)
				return FE_DIRECT_FALLBACK;
		}
		__builtin_memset(&sc->s, 0, sizeof(sc->s));
		sc->s.flow = a->flow;
		sc->s.seed = a->seed;
		sc->s.nhg_id = v;
		sc->s.algo = a->algo;
		sc->s.fields = a->fields;
		i = fe_select(&sc->s, g);
		if (i < 0)
			return FE_DIRECT_FALLBACK; /* no path left: the FIB
						    * path says why */
		idx = i;
	}
	nh = fe_ecmp_nh(g, idx);
	if (!nh || nh->weight == 0)
		return FE_DIRECT_FALLBACK;
	if (nh->type == FE_NH_IPV4)
		__builtin_memcpy(nk.addr, nh->addr, 4);
	else if (nh->type == FE_NH_IFINDEX)
		__builtin_memcpy(nk.addr, &daddr, 4);
	else
		return FE_DIRECT_FALLBACK; /* IPv6 gateway for IPv4 */
	nk.ifindex = nh->ifindex;
	if (nh->ifindex == a->l3if) {
		a->reason = FE_PASS_HAIRPIN;
		return FE_DIRECT_PASS;
	}
	in = fe_ifinfo(a->l3if);
	out = fe_ifinfo(nk.ifindex);
	if (!in || !out)
		return FE_DIRECT_FALLBACK;
	if (!in->fwd4) {
		a->reason = FE_PASS_FWD_DISABLED;
		return FE_DIRECT_PASS;
	}
	if (a->l3_len > out->mtu) {
		a->reason = FE_PASS_MTU;
		return FE_DIRECT_PASS;
	}
	n = bpf_map_lookup_elem(&fe_neigh_v1, &nk);
	if (!n)
		return FE_DIRECT_FALLBACK; /* the kernel resolves it */
	a->oif = nk.ifindex;
	/* the group's own counter slot: an array index, no hash lookup */
	a->stats_key = g->stats_slot && g->stats_slot < FE_STATS_SLOTS &&
			       idx < FE_SLOT_PATHS
			       ? g->stats_slot * FE_SLOT_PATHS + idx
			       : 0;
	__builtin_memcpy(a->dmac, n->mac, ETH_ALEN);
	__builtin_memcpy(a->smac, out->mac, ETH_ALEN);
	__builtin_memcpy(a->gw, nk.addr, 4);
	a->out_vlan = out->vlan;
	return FE_DIRECT_FWD;
}

/*
 * L2 for a link-local IPv6 gateway (what BGP gives for a directly
 * connected IPv6 peer): the kernel's lookup never resolves one (link-local
 * addresses are not forwarded), so it comes from the neighbour cache of
 * the path's interface, with that interface's MAC and MTU.
 */
static __always_inline int fe_via_linklocal(const struct fe_pkt *p,
					    __u32 ifindex, const __u8 *gw,
					    struct bpf_fib_lookup *fib)
{
	struct fe_neigh_key nk = { .ifindex = ifindex, .family = AF_INET6 };
	struct fe_ifinfo *out;
	struct fe_neigh_val *n;

	__builtin_memcpy(nk.addr, gw, 16);
	out = fe_ifinfo(ifindex);
	if (!out)
		return -1; /* interface not known yet: the kernel's */
	fib->family = AF_INET6;
	fib->ifindex = ifindex;
	__builtin_memcpy(fib->ipv6_dst, gw, 16);
	if (p->mtu_len > out->mtu)
		return BPF_FIB_LKUP_RET_FRAG_NEEDED;
	n = bpf_map_lookup_elem(&fe_neigh_v1, &nk);
	if (!n)
		return BPF_FIB_LKUP_RET_NO_NEIGH;
	__builtin_memcpy(fib->dmac, n->mac, ETH_ALEN);
	__builtin_memcpy(fib->smac, out->mac, ETH_ALEN);
	return BPF_FIB_LKUP_RET_SUCCESS;
}

/*
 * L2 for a path the fast path chose itself: look the gateway up out of
 * the path's interface (the connected route and its neighbour). A
 * gateway that is not on-link there, or no neighbour, is the kernel's.
 */
static __always_inline int fe_fib_via(void *ctx, const struct fe_pkt *p,
				      const struct fe_nexthop *nh, __u32 l3if,
				      struct bpf_fib_lookup *fib)
{
	/* A pinned gateway (no ifindex): on-link wherever the FIB says. */
	__u32 flags = nh->ifindex ? BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_OUTPUT
				  : BPF_FIB_LOOKUP_DIRECT;
	__u8 gw[16];
	int alen, rc;

	__builtin_memset(fib, 0, sizeof(*fib));
	fib->ifindex = nh->ifindex ? nh->ifindex : l3if;
	fib->l4_protocol = p->l4_proto;
	fib->sport = p->sport;
	fib->dport = p->dport;
	fib->tot_len = p->mtu_len;
	if (nh->type == FE_NH_IFINDEX) {
		/* on-link destination: resolve the destination itself */
		alen = p->v4 ? 4 : 16;
		__builtin_memset(gw, 0, sizeof(gw));
		if (p->v4)
			__builtin_memcpy(gw, &p->ip4->daddr, 4);
		else
			__builtin_memcpy(gw, &p->ip6->daddr, 16);
	} else {
		alen = nh->type == FE_NH_IPV4 ? 4 : 16;
		__builtin_memcpy(gw, nh->addr, 16);
	}
	if (alen == 16 && nh->ifindex && gw[0] == 0xfe && (gw[1] & 0xc0) == 0x80)
		return fe_via_linklocal(p, nh->ifindex, gw, fib);
	if (alen == 4) {
		fib->family = AF_INET;
		__builtin_memcpy(&fib->ipv4_dst, gw, 4);
		if (p->v4)
			fib->ipv4_src = p->ip4->saddr;
	} else {
		fib->family = AF_INET6;
		__builtin_memcpy(fib->ipv6_dst, gw, 16);
	}
	rc = bpf_fib_lookup(ctx, fib, sizeof(*fib), flags);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return rc;
	/* the lookup replaces the destination by the gateway it used */
	if ((nh->ifindex && fib->ifindex != nh->ifindex) ||
	    !fe_addr_eq(alen == 4 ? (__u8 *)&fib->ipv4_dst
				  : (__u8 *)fib->ipv6_dst, gw, alen))
		return -1;
	return rc;
}

/*
 * The shared body: decide. On FE_ACT_FWD the verdict says where and with
 * which L2 header; the entry point rewrites (it owns the frame's room).
 */
static __always_inline void fe_forward(void *ctx, struct fe_pkt *p,
				       __u32 ifindex, bool xdp,
				       struct fe_verdict *v)
{
	struct bpf_fib_lookup fib = {};
	struct fe_vlan_out *vout;
	struct fe_config *cfg;
	struct fe_policy_val *pol = NULL;
	struct fe_nhg_val *g = NULL;
	const struct fe_nexthop *via = NULL;
	__u32 l3if = ifindex, zero = 0, nhg_id = 0, force_nhg = 0;
	bool maybe_vlan = true; /* the egress may be a VLAN interface */
	bool via_policy = false; /* via is a policy's path, not the kernel's */
	int rc;

	v->action = FE_ACT_PASS;
	rc = fe_parse(p);
	if (rc != FE_OK) {
		v->reason = rc;
		return;
	}
	/* A tagged frame belongs to the VLAN interface, if we know it. */
	if (p->tagged) {
		struct fe_vlan_key k = { .ifindex = ifindex, .vid = p->vid };
		__u32 *vif = bpf_map_lookup_elem(&fe_vlanin_v1, &k);

		if (!vif) {
			v->reason = FE_PASS_VLAN;
			return;
		}
		l3if = *vif;
	}
	rc = fe_ingress_check(ctx, p, ifindex, l3if, xdp);
	if (rc != FE_OK) {
		v->reason = rc;
		return;
	}

	cfg = bpf_map_lookup_elem(&fe_config_v2, &zero);
	if (cfg && cfg->npolicies) {
		pol = fe_policy_match(p, l3if, p->len, cfg->policy_gen);
		if (pol && pol->action == FE_POL_DROP) {
			v->action = FE_ACT_DROP;
			v->reason = FE_DROP_POLICY;
			return;
		}
		if (pol && pol->action == FE_POL_KERNEL) {
			v->reason = FE_PASS_POLICY;
			return;
		}
		if (pol && pol->action == FE_POL_NHG)
			force_nhg = pol->nhg_id; /* chosen below */
		if (pol && pol->action == FE_POL_PIN) {
			struct fe_direct_scratch *ps =
				bpf_map_lookup_elem(&fe_dscratch, &zero);

			if (!ps) {
				v->reason = FE_PASS_OTHER;
				return;
			}
			__builtin_memset(&ps->pin, 0, sizeof(ps->pin));
			ps->pin.type = p->v4 ? FE_NH_IPV4 : FE_NH_IPV6;
			ps->pin.ifindex = 0; /* wherever the gateway is on-link */
			__builtin_memcpy(ps->pin.addr, pol->nh, 16);
			via = &ps->pin;
			via_policy = true;
		}
	}

	/* IPv4 not pinned by a policy: route it ourselves, if we can. */
	if (cfg && cfg->direct4 && p->v4 && !via) {
		struct fe_direct_scratch *sc =
			bpf_map_lookup_elem(&fe_dscratch, &zero);
		struct fe_direct_arg *d = sc ? &sc->d : NULL;

		if (d) {
			__builtin_memset(d, 0, sizeof(*d));
			d->flow.family = AF_INET;
			d->flow.proto = p->l4_proto;
			d->flow.sport = p->sport;
			d->flow.dport = p->dport;
			__builtin_memcpy(d->flow.src, &p->ip4->saddr, 4);
			__builtin_memcpy(d->flow.dst, &p->ip4->daddr, 4);
			d->l3if = l3if;
			d->l3_len = p->mtu_len;
			d->seed = cfg->seed;
			d->algo = cfg->ecmp_algo;
			d->fields = cfg->hash_l4 ? FE_HASH_L3L4 : FE_HASH_L3;
			d->force_nhg = force_nhg;
			if (pol && pol->action == FE_POL_EXCLUDE) {
				d->exclude = 1;
				__builtin_memcpy(d->excl, pol->nh, 4);
			}
		}
		switch (d ? fe_direct4(d) : FE_DIRECT_FALLBACK) {
		case FE_DIRECT_DROP:
			v->action = FE_ACT_DROP;
			v->reason = FE_DROP_BLACKHOLE;
			return;
		case FE_DIRECT_PASS:
			v->reason = d ? d->reason : FE_PASS_OTHER;
			return;
		case FE_DIRECT_FWD:
			if (!d)
				break;
			fib.ifindex = d->oif;
			fib.family = AF_INET;
			__builtin_memcpy(&fib.ipv4_dst, d->gw, 4);
			__builtin_memcpy(fib.dmac, d->dmac, ETH_ALEN);
			__builtin_memcpy(fib.smac, d->smac, ETH_ALEN);
			nhg_id = d->nhg_id;
			v->stats_key = d->stats_key; /* else 0, as the caller set */
			maybe_vlan = d->out_vlan;
			goto egress;
		}
	}
	if (force_nhg) {
		via = fe_choose(p, cfg, force_nhg, false);
		if (!via) {
			v->reason = FE_PASS_NO_PATH;
			return;
		}
		via_policy = true;
	}

	fib.ifindex = l3if;
	fib.l4_protocol = p->l4_proto;
	fib.sport = p->sport;
	fib.dport = p->dport;
	fib.tot_len = p->mtu_len;
	if (p->v4) {
		fib.family = AF_INET;
		fib.tos = p->ip4->tos;
		fib.ipv4_src = p->ip4->saddr;
		fib.ipv4_dst = p->ip4->daddr;
	} else if (p->ip6) {
		struct in6_addr *src = (struct in6_addr *)fib.ipv6_src;
		struct in6_addr *dst = (struct in6_addr *)fib.ipv6_dst;

		fib.family = AF_INET6;
		fib.flowinfo = *(__be32 *)p->ip6 & bpf_htonl(0x0FFFFFFF);
		*src = p->ip6->saddr;
		*dst = p->ip6->daddr;
	} else {
		v->reason = FE_PASS_MALFORMED;
		return;
	}

	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);

	/*
	 * The kernel decided the route (local, unreachable, blackhole and
	 * rules included). Where the mirror knows it as multipath and the
	 * operator chose another algorithm, or a policy excludes the
	 * kernel's path, pick the path ourselves among the mirror's.
	 */
	if (rc == BPF_FIB_LKUP_RET_SUCCESS && !via && cfg) {
		bool exclude = pol && pol->action == FE_POL_EXCLUDE;
		bool kernel_excluded =
			exclude && fe_addr_eq(p->v4 ? (__u8 *)&fib.ipv4_dst
						    : (__u8 *)fib.ipv6_dst,
					      pol->nh, p->v4 ? 4 : 16);

		/* One packet in 2^FE_EV_SAMPLE_SHIFT checks the mirror against
		 * the kernel even when nothing else needs the mirror's route.
		 */
		bool sample = (bpf_get_prandom_u32() &
			       ((1U << FE_EV_SAMPLE_SHIFT) - 1)) == 0;

		if (kernel_excluded || cfg->ecmp_algo != FE_ECMP_KERNEL ||
		    sample)
			nhg_id = fe_route_nhg(p);
		struct fe_direct_scratch *sc =
			nhg_id ? bpf_map_lookup_elem(&fe_dscratch, &zero) : NULL;

		if (nhg_id && !sc)
			nhg_id = 0;
		if (nhg_id && sc) {
			struct fe_has_arg *h = &sc->h;

			__builtin_memset(h, 0, sizeof(*h));
			h->nhg_id = nhg_id;
			h->ifindex = fib.ifindex;
			h->alen = p->v4 ? 4 : 16;
			h->exclude = exclude;
			if (p->v4)
				__builtin_memcpy(h->gw, &fib.ipv4_dst, 4);
			else
				__builtin_memcpy(h->gw, fib.ipv6_dst, 16);
			if (exclude)
				__builtin_memcpy(h->excl, pol->nh, 16);
			/* not the kernel's route: the kernel decides */
			if (fe_nhg_check(h) != 1) {
				struct fe_dp_event e = {
					.type = FE_EV_MIRROR_MISMATCH,
					.ifindex = fib.ifindex,
					.nhg_id = nhg_id,
					.family = p->v4 ? AF_INET : AF_INET6,
				};

				__builtin_memcpy(e.gw, h->gw, 16);
				if (p->v4)
					__builtin_memcpy(e.dst, &p->ip4->daddr, 4);
				else
					__builtin_memcpy(e.dst, &p->ip6->daddr,
							 16);
				fe_event_mismatch(&e);
				nhg_id = 0;
			}
			g = nhg_id ? bpf_map_lookup_elem(&fe_nhg_v1, &nhg_id)
				   : NULL;
		}
		/* Choose ourselves when the operator's algorithm says so or
		 * the kernel's path is excluded; never an excluded path.
		 */
		if (g && (kernel_excluded ||
			  (cfg->ecmp_algo != FE_ECMP_KERNEL && g->count > 1)))
			via = fe_choose(p, cfg, nhg_id, exclude);
		via_policy = via && kernel_excluded;
		if (kernel_excluded && !via) {
			v->reason = FE_PASS_NO_PATH;
			return;
		}
	}
	if (via) {
		rc = fe_fib_via(ctx, p, via, l3if, &fib);
		if (rc < 0) {
			v->reason = FE_PASS_NO_PATH;
			return;
		}
		/* our path's neighbour is unknown and the kernel, forwarding
		 * by its own choice, would never look it up: ask the module
		 */
		if (rc == BPF_FIB_LKUP_RET_NO_NEIGH) {
			struct fe_dp_event e = {
				.type = FE_EV_NEIGH_MISSING,
				.ifindex = fib.ifindex,
				.family = fib.family,
			};

			if (fib.family == AF_INET)
				__builtin_memcpy(e.gw, &fib.ipv4_dst, 4);
			else
				__builtin_memcpy(e.gw, fib.ipv6_dst, 16);
			fe_event_mismatch(&e);
			/* A policy's path (pin, nexthop-group, exclude; also
			 * detection's mitigations) must not become the
			 * kernel's path, which it overrides: XDP drops while
			 * the neighbour resolves, TC lets the kernel's
			 * neighbour layer resolve it (below). A path only
			 * the ECMP algorithm chose goes to the kernel, as
			 * any unresolved one.
			 */
			if (xdp && via_policy) {
				v->action = FE_ACT_DROP;
				v->reason = FE_DROP_POLICY;
				return;
			}
		}
	}
	if (rc == BPF_FIB_LKUP_RET_BLACKHOLE) {
		v->action = FE_ACT_DROP;
		v->reason = FE_DROP_BLACKHOLE;
		return;
	}
	/* Only for a policy's path: otherwise the kernel resolves, and
	 * answers with ICMP unreachable when nobody does, as Linux does.
	 */
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH && !xdp && via_policy &&
	    !p->tagged &&
	    fib.ifindex != l3if &&
	    !bpf_map_lookup_elem(&fe_vlanout_v1, &fib.ifindex)) {
		/* the lookup left the egress and the gateway in fib */
		v->action = FE_ACT_FWD_NEIGH;
		v->oif = fib.ifindex;
		v->l3_proto = p->v4 ? bpf_htons(ETH_P_IP) : bpf_htons(ETH_P_IPV6);
		v->nh.ifindex = fib.ifindex;
		v->nh.family = fib.family;
		if (fib.family == AF_INET)
			__builtin_memcpy(v->nh.gw, &fib.ipv4_dst, 4);
		else
			__builtin_memcpy(v->nh.gw, fib.ipv6_dst, 16);
		v->nh.pad[0] = fe_nh_connected(p, v->nh.gw);
		return;
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS) {
		v->reason = fe_fib_pass_reason(rc);
		return;
	}
	if (fib.ifindex == l3if) {
		v->reason = FE_PASS_HAIRPIN;
		return;
	}
egress:
	/* Out of a VLAN interface: through its parent, tagged. */
	v->oif = fib.ifindex;
	v->out_vid = 0;
	vout = maybe_vlan ? bpf_map_lookup_elem(&fe_vlanout_v1, &fib.ifindex)
			  : NULL;
	if (vout) {
		v->oif = vout->parent;
		v->out_vid = vout->vid;
	}
	/* Check the egress before touching the packet: a redirect that
	 * fails after the rewrite would hand the kernel a mangled frame.
	 */
	if (xdp && !bpf_map_lookup_elem(&fe_txports_v1, &v->oif)) {
		v->reason = FE_PASS_EGRESS_SLOW;
		return;
	}
	v->l3_proto = p->v4 ? bpf_htons(ETH_P_IP) : bpf_htons(ETH_P_IPV6);
	/* the nexthop: the lookup left the gateway in the destination */
	v->nh.ifindex = fib.ifindex;
	v->nh.family = fib.family;
	if (fib.family == AF_INET)
		__builtin_memcpy(v->nh.gw, &fib.ipv4_dst, 4);
	else
		__builtin_memcpy(v->nh.gw, fib.ipv6_dst, 16);
	v->nh.pad[0] = fe_nh_connected(p, v->nh.gw);
	v->nh.nhg_id = pol && pol->action == FE_POL_NHG && via ? pol->nhg_id
								 : nhg_id;
	__builtin_memcpy(v->dmac, fib.dmac, ETH_ALEN);
	__builtin_memcpy(v->smac, fib.smac, ETH_ALEN);
	v->action = FE_ACT_FWD;
}

/*
 * Count a forwarded packet on its nexthop and group: one lookup. A host
 * on a connected subnet (the "gateway" is the destination, marked in
 * pad[0] by fe_forward) counts on the connected path, gateway zero, as
 * the group's path: never one entry per host, which a scan of a large
 * subnet would use to push the gateways' counters out of the LRU.
 */
__attribute__((noinline)) int fe_count_fwd(struct fe_nh_key *nh, __u64 bytes)
{
	struct fe_fwd_stats *s, zero = {};
	struct fe_nh_key k;

	if (!nh)
		return 0;
	k = *nh;
	if (k.pad[0])
		__builtin_memset(k.gw, 0, sizeof(k.gw));
	k.pad[0] = 0;
	s = bpf_map_lookup_elem(&fe_nhstats_v2, &k);
	if (!s) {
		bpf_map_update_elem(&fe_nhstats_v2, &k, &zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&fe_nhstats_v2, &k);
	}
	if (s) {
		s->packets++;
		s->bytes += bytes;
	}
	return 0;
}

static __always_inline void fe_count(__u32 ifindex, __u64 bytes,
				     struct fe_verdict *v)
{
	if (v->action == FE_ACT_FWD && v->stats_key) {
		struct fe_fwd_stats *ps =
			bpf_map_lookup_elem(&fe_pathstats_v1, &v->stats_key);

		if (ps) {
			ps->packets++;
			ps->bytes += bytes;
		}
	} else if (v->action == FE_ACT_FWD || v->action == FE_ACT_FWD_NEIGH) {
		fe_count_fwd(&v->nh, bytes);
	}

	struct fe_if_stats *st = bpf_map_lookup_elem(&fe_ifstats_v1, &ifindex);

	if (!st)
		return;
	st->rx_packets++;
	st->rx_bytes += bytes;
	switch (v->action) {
	case FE_ACT_FWD:
	case FE_ACT_FWD_NEIGH:
		st->fwd_packets++;
		st->fwd_bytes += bytes;
		break;
	case FE_ACT_DROP:
		if (v->reason < FE_DROP_MAX)
			st->drop[v->reason]++;
		break;
	case FE_ACT_PASS:
		if (v->reason < FE_PASS_MAX)
			st->pass[v->reason]++;
		break;
	}
}

SEC("xdp")
int fe_xdp(struct xdp_md *ctx)
{
	struct fe_pkt p = {
		.data = (void *)(long)ctx->data,
		.data_end = (void *)(long)ctx->data_end,
	};
	struct fe_verdict v = {};
	__u32 ifindex = ctx->ingress_ifindex;

	p.len = p.data_end - p.data;
	fe_forward(ctx, &p, ifindex, true, &v);
	if (v.action == FE_ACT_FWD) {
		/* Make or take back room for the tag, then rewrite. */
		int delta = p.tagged == !!v.out_vid ? 0 : (p.tagged ? 4 : -4);

		if (delta && bpf_xdp_adjust_head(ctx, delta)) {
			v.action = FE_ACT_PASS; /* untouched so far */
			v.reason = FE_PASS_OTHER;
		} else if (fe_rewrite((void *)(long)ctx->data,
				      (void *)(long)ctx->data_end, &v,
				      v.out_vid)) {
			v.action = FE_ACT_DROP; /* unreachable in practice */
			v.reason = FE_DROP_INTERNAL;
		}
	}
	fe_count(ifindex, p.data_end - p.data, &v);
	switch (v.action) {
	case FE_ACT_FWD:
		return bpf_redirect_map(&fe_txports_v1, v.oif, 0);
	case FE_ACT_DROP:
		return XDP_DROP;
	default:
		return XDP_PASS;
	}
}

/* Headers the parser reads: Ethernet, a tag, IPv6, the ports. */
#define FE_TC_HEADERS 64
#ifndef PACKET_OTHERHOST
#define PACKET_OTHERHOST 3
#endif

SEC("tc")
int fe_tc(struct __sk_buff *skb)
{
	struct fe_pkt p = {};
	struct fe_verdict v = {};
	__u32 ifindex = skb->ingress_ifindex;

	/* A GRO packet may keep only part of its headers linear. */
	if (skb->data_end - skb->data < FE_TC_HEADERS &&
	    skb->len > skb->data_end - skb->data)
		bpf_skb_pull_data(skb, skb->len < FE_TC_HEADERS ? skb->len
								: FE_TC_HEADERS);
	p.data = (void *)(long)skb->data;
	p.data_end = (void *)(long)skb->data_end;
	p.len = skb->len;
	p.gso = skb->gso_segs > 1 || skb->gso_size;
	p.otherhost = skb->pkt_type == PACKET_OTHERHOST;
	/* With VLAN offload the tag is in the skb, not in the frame. */
	if (skb->vlan_present) {
		p.tagged = p.tag_meta = true;
		p.vid = skb->vlan_tci & 0x0fff;
	}
	fe_forward(skb, &p, ifindex, false, &v);
	/* A GSO packet leaves in segments: each must fit the egress MTU,
	 * as the kernel's forwarding checks (skb_gso_validate_network_len).
	 */
	if (p.gso && (v.action == FE_ACT_FWD || v.action == FE_ACT_FWD_NEIGH)) {
		__u32 mtu_len = 0;

		if (bpf_check_mtu(skb, v.oif, &mtu_len, 0, BPF_MTU_CHK_SEGS)) {
			v.action = FE_ACT_PASS;
			v.reason = FE_PASS_MTU;
		}
	}
	if (v.action == FE_ACT_FWD) {
		/* Tags travel as skb metadata on the way out. */
		if ((p.tagged && bpf_skb_vlan_pop(skb)) ||
		    (v.out_vid &&
		     bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), v.out_vid))) {
			v.action = FE_ACT_DROP;
			v.reason = FE_DROP_INTERNAL;
		} else if (fe_rewrite((void *)(long)skb->data,
				      (void *)(long)skb->data_end, &v, false)) {
			v.action = FE_ACT_DROP;
			v.reason = FE_DROP_INTERNAL;
		}
	}
	if (v.action == FE_ACT_FWD_NEIGH) {
		/* TTL/hop limit here; L2 comes from the neighbour layer */
		void *data = (void *)(long)skb->data;
		void *end = (void *)(long)skb->data_end;
		struct iphdr *ip = data + sizeof(struct ethhdr);
		struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);

		if (v.l3_proto == bpf_htons(ETH_P_IP) &&
		    (void *)(ip + 1) <= end)
			fe_ip4_dec_ttl(ip);
		else if (v.l3_proto == bpf_htons(ETH_P_IPV6) &&
			 (void *)(ip6 + 1) <= end)
			ip6->hop_limit--;
		else
			v.action = FE_ACT_PASS, v.reason = FE_PASS_MALFORMED;
	}
	fe_count(ifindex, skb->len, &v);
	switch (v.action) {
	case FE_ACT_FWD_NEIGH: {
		struct bpf_redir_neigh nh = {};

		if (v.l3_proto == bpf_htons(ETH_P_IP)) {
			nh.nh_family = AF_INET;
			__builtin_memcpy(&nh.ipv4_nh, v.nh.gw, 4);
		} else {
			nh.nh_family = AF_INET6;
			__builtin_memcpy(nh.ipv6_nh, v.nh.gw, 16);
		}
		return bpf_redirect_neigh(v.oif, &nh, sizeof(nh), 0);
	}
	case FE_ACT_FWD:
		return bpf_redirect(v.oif, 0);
	case FE_ACT_DROP:
		return TC_ACT_SHOT;
	default:
		return TC_ACT_OK;
	}
}

char LICENSE[] SEC("license") = "GPL";
